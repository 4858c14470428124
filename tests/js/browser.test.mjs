// Browser: what `make dev` serves (wrangler dev on workerd, demo IdP, www/) in headless Chromium
// (Debian's /usr/bin/chromium, driven by playwright-core): sign-in as B.Simon from / through the
// demo IdP and its CSP-nonce auto-post, the session cookie's attributes (and that it is signed
// with the SESSION_SECRET passed by --var, even when .dev.vars exists), the login cookie cleared,
// /logout, the demo IdP again afterwards, and the return to a deep link with a query string.
// Throughout, every page's console stays free of errors and uncaught exceptions, and no request
// fails or answers 4xx/5xx except the ones a test provokes on purpose (watchErrors).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { PURPOSE_SESSION, tokenBinding, verifyToken } from '../../pkg/worker/tokens.js';
import { COOKIE_NAMES } from '../../pkg/worker/cookies.js';

const repo = new URL('../../', import.meta.url);
const out = new URL('target/browser/', repo);
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** wrangler dev runs wrangler.toml's build command (make pkg) before it serves. */
const START_TIMEOUT_MS = 180_000;
const SECRET = randomBytes(32).toString('hex');
const NAME_ID = 'B.Simon@contoso.com';
/** wrangler.toml's SP_ENTITY_ID (the demo flow's SP). */
const SP_ENTITY_ID = /^SP_ENTITY_ID\s*=\s*"([^"]*)"/m.exec(readFileSync(new URL('wrangler.toml', repo), 'utf8'))[1];
const LOGIN_COOKIE = COOKIE_NAMES.login;
const SESSION_COOKIE = COOKIE_NAMES.session;

mkdirSync(out, { recursive: true });

/** A TCP port free at the time of asking (listen on port 0, close). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The wrangler dev process group, its output, and the origin it serves. */
let worker = null;
let origin;
let browser = null;

const wranglerLog = () => (worker ? worker.output.join('') : '');
const tail = (text, lines = 40) => text.split('\n').slice(-lines).join('\n');

/** True while any process of the group is alive. */
function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Ends the whole process group (wrangler, workerd, the build): SIGTERM, then SIGKILL. */
async function stopWorker() {
  if (!worker) return;
  const { pid } = worker.child;
  if (groupAlive(pid)) {
    process.kill(-pid, 'SIGTERM');
    for (let i = 0; i < 50 && groupAlive(pid); i++) await sleep(100);
    if (groupAlive(pid)) process.kill(-pid, 'SIGKILL');
  }
  writeFileSync(new URL('wrangler.log', out), wranglerLog());
  worker = null;
}

// Whatever happens to this process, the group does not outlive it.
process.on('exit', () => {
  if (worker && groupAlive(worker.child.pid)) process.kill(-worker.child.pid, 'SIGKILL');
});

before(
  async () => {
    const port = await freePort();
    origin = `http://localhost:${port}`;
    // As `make dev` starts it, with the secret on the command line instead of .dev.vars.
    const child = spawn(
      fileURLToPath(new URL('node_modules/.bin/wrangler', repo)),
      ['dev', '--port', String(port), '--var', `SESSION_SECRET:${SECRET}`],
      {
        cwd: fileURLToPath(repo),
        env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_HIDE_BANNER: 'true' },
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    worker = { child, output: [], exit: null };
    child.stdout.on('data', (chunk) => worker?.output.push(chunk.toString()));
    child.stderr.on('data', (chunk) => worker?.output.push(chunk.toString()));
    child.on('exit', (code, signal) => {
      if (worker?.child === child) worker.exit = { code, signal };
    });

    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      assert.equal(worker.exit, null, `wrangler dev exited (${JSON.stringify(worker.exit)}):\n${tail(wranglerLog())}`);
      try {
        const response = await fetch(`${origin}/saml/metadata`, { signal: AbortSignal.timeout(30_000) });
        await response.arrayBuffer();
        if (response.status === 200) break;
      } catch {
        // Not listening yet. (Once listening, wrangler holds requests until its build is done.)
      }
      assert.ok(Date.now() < deadline, `no 200 from ${origin}/saml/metadata within ${START_TIMEOUT_MS / 1000} s:\n${tail(wranglerLog())}`);
      await sleep(500);
    }

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  },
  { timeout: START_TIMEOUT_MS + 30_000 },
);

after(async () => {
  await browser?.close();
  await stopWorker();
});

/** On the demo IdP with a pending request: checks the page and that B.Simon comes first. */
async function expectDemoIdp(page, what) {
  const url = new URL(page.url());
  assert.equal(url.origin + url.pathname, `${origin}/demo-idp/`, `${what}: lands on the demo IdP (at ${page.url()})`);
  assert.ok(url.searchParams.get('SAMLRequest'), `${what}: the demo IdP got a SAMLRequest`);
  assert.equal(await page.title(), 'saml-edge demo IdP', `${what}: the demo IdP's page`);
  const first = page.locator('form button[type=submit]').first();
  assert.equal(await first.textContent(), `Sign in as B. Simon (${NAME_ID})`, `${what}: B.Simon is the first user`);
  return first;
}

/**
 * Clicks `button` (a demo IdP user) and waits for the browser to come back to `url`: the demo
 * IdP's page auto-posts the response (script with a CSP nonce) to the ACS, which answers 303.
 * Returns the response to the navigation to `url`.
 */
async function signInAt(page, button, url) {
  const arrived = page.waitForResponse(
    (r) => r.url() === url && r.request().isNavigationRequest() && r.request().frame() === page.mainFrame(),
    { timeout: 30_000 },
  );
  await button.click();
  const response = await arrived;
  const acs = response.request().redirectedFrom();
  assert.equal(acs?.url(), `${origin}/saml/acs`, `${url} is reached through the ACS`);
  assert.equal(acs.method(), 'POST', 'the demo IdP posts to the ACS');
  assert.equal((await acs.response())?.status(), 303, 'the ACS answers 303 See Other');
  await page.waitForLoadState('load');
  return response;
}

/** Sessions of the demo flow are bound to wrangler.toml's SP and the demo IdP of this origin. */
const demoBinding = () => tokenBinding({ spEntityId: SP_ENTITY_ID, idpEntityId: `${origin}/demo-idp/` });
/**
 * Collects what goes wrong in every page of `context`: console errors (Chromium reports its own
 * favicon fetch only there), uncaught exceptions, failed requests and responses >= 400.
 * `allow(url, status)` declares one error response a test provokes on purpose (it must then
 * happen); `assertClean(what)` fails with everything else.
 */
function watchErrors(context) {
  const seen = [];
  const allowed = [];
  const watchPage = (page) => {
    page.on('console', (message) => {
      if (message.type() === 'error') seen.push({ kind: 'console error', text: message.text(), url: message.location().url, page: page.url() });
    });
    page.on('pageerror', (error) => seen.push({ kind: 'uncaught exception', text: String(error?.stack ?? error), page: page.url() }));
  };
  context.pages().forEach(watchPage);
  context.on('page', watchPage);
  context.on('response', (response) => {
    if (response.status() >= 400) seen.push({ kind: 'HTTP error', text: String(response.status()), url: response.url() });
  });
  context.on('requestfailed', (request) => seen.push({ kind: 'failed request', text: request.failure()?.errorText, url: request.url() }));
  const isAllowed = (problem) =>
    allowed.some(
      ({ url, status }) =>
        problem.url === url &&
        ((problem.kind === 'HTTP error' && problem.text === String(status)) ||
          (problem.kind === 'console error' && problem.text.includes(`status of ${status} `))),
    );
  return {
    allow: (url, status) => allowed.push({ url, status }),
    assertClean(what) {
      assert.deepEqual(seen.filter((problem) => !isAllowed(problem)), [], `${what}: no console error, exception or failed request`);
      for (const { url, status } of allowed) {
        assert.ok(
          seen.some((problem) => problem.kind === 'HTTP error' && problem.url === url && problem.text === String(status)),
          `${what}: the expected ${status} from ${url} happened`,
        );
      }
    },
  };
}

const byName = (cookies) => Object.fromEntries(cookies.map((c) => [c.name, c]));

test('sign-in as B.Simon from /, the cookies, /logout, the demo IdP again', { timeout: 120_000 }, async (t) => {
  const context = await browser.newContext();
  t.after(() => context.close());
  const errors = watchErrors(context);
  const page = await context.newPage();

  await page.goto(`${origin}/`);
  const bSimon = await expectDemoIdp(page, 'GET /');
  const login = byName(await context.cookies())[LOGIN_COOKIE];
  assert.ok(login, 'the login cookie is set on the way to the IdP (Secure, over http://localhost)');
  assert.deepEqual(
    { httpOnly: login.httpOnly, secure: login.secure, sameSite: login.sameSite, path: login.path },
    { httpOnly: true, secure: true, sameSite: 'None', path: '/' },
    'login cookie attributes',
  );

  const home = await signInAt(page, bSimon, `${origin}/`);
  assert.equal(home.status(), 200, 'GET / with the session');
  assert.equal(page.url(), `${origin}/`, 'back on / after sign-in');
  assert.equal(await page.title(), 'saml-edge — signed in', 'www/index.html after sign-in');
  const nameId = page.locator('#name-id');
  await nameId.waitFor({ timeout: 10_000 });
  assert.equal(await nameId.textContent(), `You are ${NAME_ID}`, 'www/session.js shows the NameID from /saml/session');
  // The page names its icon (so Chromium does not ask for a missing /favicon.ico) and gets it.
  const icon = await page.evaluate(async () => {
    const response = await fetch(document.querySelector('link[rel=icon]').href);
    return { status: response.status, type: response.headers.get('content-type') };
  });
  assert.deepEqual(icon, { status: 200, type: 'image/svg+xml' }, 'the favicon of www/');

  const cookies = byName(await context.cookies());
  const session = cookies[SESSION_COOKIE];
  assert.ok(session, `the session cookie is kept by Chromium (cookies: ${Object.keys(cookies).join(', ')})`);
  assert.deepEqual(
    { httpOnly: session.httpOnly, secure: session.secure, sameSite: session.sameSite, path: session.path },
    { httpOnly: true, secure: true, sameSite: 'Lax', path: '/' },
    'session cookie attributes',
  );
  assert.equal(cookies[LOGIN_COOKIE], undefined, 'the login cookie is cleared by the ACS');

  // The Worker signs with the --var secret, not with .dev.vars' (wrangler reads both).
  const signed = await verifyToken(PURPOSE_SESSION, demoBinding(), session.value, [SECRET], Date.now());
  assert.equal(signed.claims?.nameId, NAME_ID, `the session cookie is signed with the --var SESSION_SECRET (${signed.error ?? 'ok'})`);
  const devVars = new URL('.dev.vars', repo);
  if (existsSync(devVars)) {
    const fileSecret = /^SESSION_SECRET\s*=\s*"?([^"\n]*)"?\s*$/m.exec(readFileSync(devVars, 'utf8'))?.[1];
    if (fileSecret && fileSecret !== SECRET) {
      const other = await verifyToken(PURPOSE_SESSION, demoBinding(), session.value, [fileSecret], Date.now());
      assert.ok(other.error, '.dev.vars exists, but its SESSION_SECRET is not the one used');
      t.diagnostic(`.dev.vars exists (wrangler: ${/Using secrets defined in \.dev\.vars/.test(wranglerLog()) ? 'reads it' : 'silent'}); --var wins`);
    }
  }
  await page.screenshot({ path: fileURLToPath(new URL('signed-in.png', out)), fullPage: true });

  // A second tab on the signed-in page: its fetch() goes through Chromium's cookie jar. (The
  // Worker's own pages, like the signed-out page, have `default-src 'none'`: no fetch there.)
  const tab = await context.newPage();
  await tab.goto(`${origin}/`);
  assert.equal(tab.url(), `${origin}/`, 'the second tab is signed in too');
  const sessionStatus = () => tab.evaluate(() => fetch('/saml/session').then((r) => r.status));
  assert.equal(await sessionStatus(), 200, 'GET /saml/session from the page, signed in');

  await page.goto(`${origin}/logout`);
  assert.equal(await page.locator('h1').textContent(), 'Signed out', 'the signed-out page');
  assert.equal(byName(await context.cookies())[SESSION_COOKIE], undefined, '/logout clears the session cookie');
  errors.allow(`${origin}/saml/session`, 401);
  assert.equal(await sessionStatus(), 401, 'GET /saml/session from the page after /logout');

  await page.goto(`${origin}/`);
  await expectDemoIdp(page, 'GET / after /logout');
  errors.assertClean('sign-in, signed-in page, logout');
});

test('a deep link with a query string: back there after sign-in', { timeout: 120_000 }, async (t) => {
  const context = await browser.newContext();
  t.after(() => context.close());
  const errors = watchErrors(context);
  const page = await context.newPage();
  const deepLink = `${origin}/private/page?x=1`;
  errors.allow(deepLink, 404);

  await page.goto(deepLink);
  const bSimon = await expectDemoIdp(page, 'GET /private/page?x=1');
  // www/ has no such page: the static assets answer with www/404.html.
  const response = await signInAt(page, bSimon, deepLink);
  assert.equal(response.status(), 404, `GET ${deepLink}`);
  assert.equal(page.url(), deepLink, 'back at the deep link');
  assert.equal(await page.title(), 'Not found', 'www/404.html');
  assert.ok(byName(await context.cookies())[SESSION_COOKIE], 'signed in (session cookie set)');
  assert.ok(byName(await context.cookies())[SESSION_COOKIE], 'signed in (session cookie set)');
  errors.assertClean('deep link');
});

test('the inspector runs the verifier in the page: a valid response, an XSW attack, markup shown as text', { timeout: 120_000 }, async (t) => {
  const context = await browser.newContext();
  t.after(() => context.close());
  const errors = watchErrors(context);
  const page = await context.newPage();
  await page.goto(`${origin}/inspector/`);
  await signInAt(page, await expectDemoIdp(page, 'GET /inspector/'), `${origin}/inspector/`);
  assert.equal(await page.title(), 'saml-edge — SAML response inspector');

  const generated = new URL('tests/data/generated/', repo);
  const read = (name) => readFileSync(new URL(name, generated));
  await page.fill('#certificates', read('idp.crt').toString('utf8'));
  const inspect = async (xml) => {
    for (const id of ['#idp-entity-id', '#sp-entity-id', '#acs-url', '#request-id', '#now']) await page.fill(id, '');
    await page.fill('#response', Buffer.from(xml).toString('base64'));
    await page.click('#fill');
    await page.click('button[type=submit]');
    await page.locator('#verdict').filter({ hasText: /\S/ }).waitFor();
    const verdict = await page.locator('#verdict').textContent();
    const outcomes = await page.locator('#checks tbody tr').evaluateAll((rows) => rows.map((r) => `${r.dataset.check}:${r.dataset.outcome}`));
    return { verdict, outcomes };
  };

  let result = await inspect(read('entra2021_assertion_signed_compact.xml'));
  assert.equal(result.verdict, 'Every check passed', JSON.stringify(result));
  assert.ok(result.outcomes.every((o) => /:(passed|not_applicable)$/.test(o)), result.outcomes.join());
  assert.equal(await page.inputValue('#sp-entity-id'), 'https://app.example.com/saml/metadata', 'prefilled from the Audience');
  assert.match(await page.locator('#identity').textContent(), /"nameId": "B\.Simon@contoso\.com"/);

  result = await inspect(read('xsw1.xml'));
  assert.equal(result.verdict, 'Refused: xml_duplicate_id', JSON.stringify(result));
  assert.ok(result.outcomes.includes('xml:failed'), result.outcomes.join());

  // Markup inside the response is displayed, never interpreted.
  const hostile = read('entra2021_assertion_signed_compact.xml')
    .toString('utf8')
    .replace('</samlp:Response>', '<!--</pre><img src=x onerror="window.__pwned=1">--></samlp:Response>');
  result = await inspect(hostile);
  assert.equal(result.verdict, 'Every check passed', 'a comment outside the signed assertion changes nothing');
  assert.match(await page.locator('#xml').textContent(), /<img src=x onerror=/);
  assert.equal(await page.evaluate(() => window.__pwned), undefined, 'no script ran');
  errors.assertClean('inspector');
});
