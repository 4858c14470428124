// The Worker (wrangler.toml + pkg/worker.js) on workerd through Miniflare: the SP-initiated
// flow with xmlsec1-signed responses, the demo IdP, replay and concurrency, the login and
// session cookies, open redirects, proxy mode, misconfiguration pages and metadata.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Browser,
  IDP_CERT_PEM,
  SECRET,
  authnRequestOf,
  demoResponse,
  hiddenInput,
  pageCode,
  parseSetCookie,
  requestIdOf,
  signedResponse,
  startWorker,
  xmlsecVerify,
} from './worker-harness.mjs';
import { PURPOSE_LOGIN, PURPOSE_SESSION, signToken, tokenBinding } from '../../pkg/worker/tokens.js';
import { COOKIE_NAMES } from '../../pkg/worker/cookies.js';
import { DEMO_IDP_CERTIFICATE_PEM } from '../../pkg/worker/demo-idp/key.js';

const SP = 'https://app.example.com/saml/metadata';
const ACS = 'http://localhost:8787/saml/acs';
const IDP = 'https://sts.windows.net/<tenant>/';
const SSO = 'https://login.microsoftonline.com/0f4a6c1d-2b3e-4f50-8a1b-9c2d3e4f5a6b/saml2';

/** The test SP's encryption key pair (Entra ID "Token encryption"), as tests/gen writes it. */
const SP_ENC_KEY = readFileSync(new URL('../data/generated/sp-enc.key', import.meta.url), 'utf8');
const SP_ENC_CERT = readFileSync(new URL('../data/generated/sp-enc.crt', import.meta.url), 'utf8');

/** An Entra-configured Worker (the tutorial's settings with the test IdP's certificate). */
const ENTRA = {
  SP_ENTITY_ID: SP,
  IDP_CERT: IDP_CERT_PEM,
  IDP_ENTITY_ID: IDP,
  IDP_SSO_URL: SSO,
  SESSION_SECRET: SECRET,
};

/** The Entra Worker's token binding (SP and IdP). */
const BINDING = tokenBinding({ spEntityId: SP, idpEntityId: IDP });
const LOGIN_COOKIE = COOKIE_NAMES.login;
const SESSION_COOKIE = COOKIE_NAMES.session;

const workers = [];
after(() => Promise.all(workers.map((w) => w.dispose())));

async function worker(bindings, options) {
  const w = await startWorker(bindings, options);
  workers.push(w);
  return w;
}

let entraWorker;
async function entra() {
  entraWorker ??= worker(ENTRA);
  return entraWorker;
}

function cookieNamed(response, name) {
  const header = response.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
  return header === undefined ? undefined : parseSetCookie(header);
}

/** Starts a sign-in at /login/ and returns the browser, the request ID and the AuthnRequest. */
async function startLogin(w, next = '/') {
  const browser = new Browser(w);
  const response = await browser.request(`/login/?next=${encodeURIComponent(next)}`);
  assert.equal(response.status, 302);
  const location = response.headers.get('Location');
  return { browser, response, location, requestId: requestIdOf(location) };
}

function responseFor(requestId, extra = {}) {
  return signedResponse({ requestId, acsUrl: ACS, spEntityId: SP, ...extra });
}

/** A login cookie value signed with `secret` (as /login/ writes them). */
function loginToken(claims, secret = SECRET) {
  return signToken(PURPOSE_LOGIN, BINDING, { next: '/', exp: Date.now() + 600_000, ...claims }, secret);
}

async function postAcs(w, samlResponse, { cookie, relayState } = {}) {
  const fields = { ...(samlResponse === undefined ? {} : { SAMLResponse: samlResponse }), ...(relayState === undefined ? {} : { RelayState: relayState }) };
  return w.fetch('/saml/acs', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...(cookie ? { Cookie: `${LOGIN_COOKIE}=${cookie}` } : {}) },
    body: new URLSearchParams(fields).toString(),
  });
}

async function refusal(response) {
  const html = await response.text();
  return { status: response.status, code: pageCode(html), html };
}

test('SP-initiated flow with an xmlsec1-signed response: cookies, redirects, session, assets', async () => {
  const w = await entra();
  const browser = new Browser(w);
  // A protected page without a session goes to /login/ with the path to come back to.
  let response = await browser.request('/?tab=2');
  assert.equal(response.status, 302);
  assert.equal(response.headers.get('Location'), '/login/?next=%2F%3Ftab%3D2');
  // /login/ sends the AuthnRequest to Entra's Login URL (HTTP-Redirect) and binds it to the browser.
  response = await browser.request(response.headers.get('Location'));
  assert.equal(response.status, 302);
  const location = response.headers.get('Location');
  assert.ok(location.startsWith(`${SSO}?SAMLRequest=`), location);
  assert.equal(response.headers.get('Cache-Control'), 'no-store');
  assert.equal(new URL(location).searchParams.get('RelayState'), '/?tab=2');
  const request = authnRequestOf(location);
  assert.match(request, new RegExp(`AssertionConsumerServiceURL="${ACS}"`));
  assert.match(request, new RegExp(`<saml:Issuer[^>]*>${SP.replace(/[.]/g, '\\.')}</saml:Issuer>`));
  const login = cookieNamed(response, LOGIN_COOKIE);
  assert.deepEqual(login.attributes, { path: '/', 'max-age': '600', httponly: true, secure: true, samesite: 'None' });
  // Entra posts the signed response to the ACS (the browser sends the SameSite=None cookie).
  const requestId = requestIdOf(location);
  response = await browser.post('/saml/acs', { SAMLResponse: responseFor(requestId) });
  assert.equal(response.status, 303, await response.clone().text());
  assert.equal(response.headers.get('Location'), '/?tab=2');
  const session = cookieNamed(response, SESSION_COOKIE);
  assert.deepEqual(session.attributes, { path: '/', 'max-age': '28800', httponly: true, secure: true, samesite: 'Lax' });
  assert.equal(cookieNamed(response, LOGIN_COOKIE).attributes['max-age'], '0', 'the login cookie is spent');
  // The session.
  response = await browser.request('/saml/session');
  assert.equal(response.status, 200);
  const identity = await response.json();
  assert.equal(identity.nameId, 'B.Simon@contoso.com');
  assert.equal(identity.email, 'B.Simon@contoso.com');
  assert.equal(identity.issuer, IDP);
  assert.ok(Date.parse(identity.expiresAt) - Date.now() > 7.9 * 3600 * 1000);
  // The static assets (www/) behind the sign-in.
  response = await browser.request('/?tab=2');
  assert.equal(response.status, 200);
  assert.match(await response.text(), /Signed in with saml-edge/);
  assert.equal(response.headers.get('Cache-Control'), 'private, no-cache');
  assert.ok(w.events().some((e) => e.saml_edge === 'signed_in' && e.nameId === 'B.Simon@contoso.com'));
  assert.ok(!w.events().some((e) => e.saml_edge === 'warm_up_failed'), 'the start-up verification passed');
});

test('the demo IdP: B.Simon first, a signed response xmlsec1 accepts, auto-posted, signed in', async () => {
  const w = await worker({ SP_ENTITY_ID: SP, SESSION_SECRET: SECRET });
  const browser = new Browser(w);
  let response = await browser.request('/');
  response = await browser.request(response.headers.get('Location'));
  const location = response.headers.get('Location');
  assert.ok(location.startsWith('http://localhost:8787/demo-idp/?SAMLRequest='), location);
  response = await browser.request(location);
  assert.equal(response.status, 200);
  const list = await response.text();
  assert.match(list, /publicly known key/);
  const users = [...list.matchAll(/name="user" value="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(users[0], 'b.simon');
  response = await browser.post('/demo-idp/', { request: hiddenInput(list, 'request'), user: 'b.simon' });
  const form = await response.text();
  assert.match(form, /<form method="post" action="http:\/\/localhost:8787\/saml\/acs">/);
  const nonce = /<script nonce="([^"]+)">/.exec(form)[1];
  assert.match(response.headers.get('Content-Security-Policy'), new RegExp(`script-src 'nonce-${nonce}'`));
  const samlResponse = hiddenInput(form, 'SAMLResponse');
  const xml = Buffer.from(samlResponse, 'base64').toString('utf8');
  assert.match(xml, /<Attribute Name="http:\/\/schemas.microsoft.com\/identity\/claims\/objectidentifier">/);
  // Independent evidence: the C reference implementation accepts the demo IdP's signature.
  const dir = mkdtempSync(join(tmpdir(), 'saml-edge-demo-'));
  writeFileSync(join(dir, 'demo.crt'), DEMO_IDP_CERTIFICATE_PEM);
  assert.ok(xmlsecVerify(xml, join(dir, 'demo.crt')), 'xmlsec1 verifies the demo response');
  assert.ok(!xmlsecVerify(xml.replace('B.Simon@contoso.com<', 'A.Dmin@contoso.com<'), join(dir, 'demo.crt')));
  response = await browser.post('/saml/acs', { SAMLResponse: samlResponse });
  assert.equal(response.status, 303);
  assert.equal(response.headers.get('Location'), '/');
  const identity = await (await browser.request('/saml/session')).json();
  assert.equal(identity.nameId, 'B.Simon@contoso.com');
  assert.equal(identity.attributes['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname'][0], 'B.');
});

test('the demo IdP is never served with an IdP configured, and its key is not trusted then', async () => {
  const w = await entra();
  assert.equal((await w.fetch('/demo-idp/')).status, 404);
  assert.equal((await w.fetch('/demo-idp/', { method: 'POST' })).status, 404);
  // A response signed by the (public) demo key, posted to the configured Worker.
  const demo = await worker({ SP_ENTITY_ID: SP, SESSION_SECRET: SECRET, ACS_URL: ACS });
  const demoSigned = await demoResponse(new Browser(demo));
  const { requestId } = await startLogin(w);
  const result = await refusal(await postAcs(w, demoSigned, { cookie: await loginToken({ rid: requestId }) }));
  assert.equal(result.status, 403);
  assert.equal(result.code, 'signature_invalid');
});

test('demo mode refuses to run on a public host: 500 naming IDP_CERT', async () => {
  const w = await worker({ SP_ENTITY_ID: SP, SESSION_SECRET: SECRET, ACS_URL: ACS });
  assert.equal((await w.fetch('/login/')).status, 302, 'on localhost first: the demo runs');
  for (const path of ['https://sso.example.com/', 'https://sso.example.com/demo-idp/', 'https://sso.example.com/saml/acs']) {
    const response = await w.fetch(path);
    assert.equal(response.status, 500, path);
    assert.equal(pageCode(await response.text()), 'IDP_CERT');
  }
});

test('replay: the same response twice, and a second response for a spent request', async () => {
  const w = await entra();
  const ns = await w.mf.getDurableObjectNamespace('DIRECTORY');
  const registry = ns.get(ns.idFromName('org:default'));
  const { requestId } = await startLogin(w);
  const cookie = await loginToken({ rid: requestId });
  const samlResponse = responseFor(requestId);
  const before = await registry.stats();
  assert.equal((await postAcs(w, samlResponse, { cookie })).status, 303);
  const signedIn = await registry.stats();
  assert.equal(signedIn.sessions, before.sessions + 1, 'the sign-in registered its session');
  let result = await refusal(await postAcs(w, samlResponse, { cookie }));
  assert.deepEqual([result.status, result.code], [403, 'assertion_replayed']);
  // A replay never reaches the directory: no session row, live or revoked.
  assert.deepEqual(await registry.stats(), signedIn);
  // Another (valid) assertion for the same, already completed, sign-in.
  result = await refusal(await postAcs(w, responseFor(requestId), { cookie }));
  assert.deepEqual([result.status, result.code], [403, 'request_already_used']);
  assert.ok(w.events().some((e) => e.saml_edge === 'sign_in_refused' && e.code === 'assertion_replayed'));
});

test('replay guard: rows live until their expiry, then the alarm purges them', async () => {
  const w = await worker({ SP_ENTITY_ID: SP, SESSION_SECRET: SECRET });
  const namespace = await w.mf.getDurableObjectNamespace('REPLAY');
  const guard = namespace.get(namespace.idFromName('replay'));
  const now = Date.now();
  const use = { assertionId: '_a1', assertionExpires: now + 1500, requestId: '_r1', requestExpires: now + 3000, now };
  assert.equal(await guard.consume(use), 'consumed');
  assert.equal(await guard.consume({ ...use, requestId: '_r2' }), 'assertion_replayed');
  assert.equal(await guard.consume({ ...use, assertionId: '_a2' }), 'request_already_used');
  assert.equal(await guard.size(), 2);
  const until = async (size, deadline) => {
    while ((await guard.size()) !== size) {
      assert.ok(Date.now() < deadline, `still ${await guard.size()} rows`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  await until(1, now + 10_000); // the assertion's row at its expiry
  await until(0, now + 12_000); // then the request's
});

test('concurrent posts of one response: exactly one succeeds', async () => {
  const w = await entra();
  for (let round = 0; round < 3; round += 1) {
    const { requestId } = await startLogin(w);
    const cookie = await loginToken({ rid: requestId });
    const samlResponse = responseFor(requestId);
    const responses = await Promise.all(Array.from({ length: 8 }, () => postAcs(w, samlResponse, { cookie })));
    const statuses = responses.map((r) => r.status).sort();
    assert.deepEqual(statuses, [303, 403, 403, 403, 403, 403, 403, 403], `round ${round}`);
    const codes = await Promise.all(responses.filter((r) => r.status === 403).map(async (r) => pageCode(await r.text())));
    assert.ok(codes.every((c) => c === 'assertion_replayed'), codes.join());
  }
});

test('login cookie: missing, tampered, other secret, wrong purpose, expired, previous secret', async () => {
  const w = await entra();
  const { requestId } = await startLogin(w);
  const samlResponse = responseFor(requestId);
  const good = await loginToken({ rid: requestId });
  const [payload, mac] = good.split('.');
  const forged = Buffer.from(JSON.stringify({ rid: '_attacker', next: '/', exp: Date.now() + 600_000 })).toString('base64url');
  const cases = [
    [undefined, 'request_cookie_missing'],
    [`${forged}.${mac}`, 'request_cookie_invalid'],
    [`${payload}.${mac.slice(0, -2)}AA`, 'request_cookie_invalid'],
    [`${payload}`, 'request_cookie_invalid'],
    ['', 'request_cookie_missing'],
    [await loginToken({ rid: requestId }, 'another-secret-0123456789abcdef0123456789'), 'request_cookie_invalid'],
    [await signToken(PURPOSE_SESSION, BINDING, { rid: requestId, next: '/', exp: Date.now() + 600_000 }, SECRET), 'request_cookie_invalid'],
    [await loginToken({ rid: requestId, exp: Date.now() - 1 }), 'request_cookie_expired'],
  ];
  for (const [cookie, code] of cases) {
    const result = await refusal(await postAcs(w, samlResponse, { cookie }));
    assert.deepEqual([result.status, result.code], [403, code], String(cookie));
  }
  // The pending request is not spent by those refusals; rotation: a cookie signed with the
  // previous secret is accepted while SESSION_SECRET_PREVIOUS holds it.
  const previous = 'previous-secret-0123456789abcdef0123456789';
  const rotated = await worker({ ...ENTRA, SESSION_SECRET_PREVIOUS: previous });
  const result = await postAcs(rotated, samlResponse, { cookie: await loginToken({ rid: requestId }, previous) });
  assert.equal(result.status, 303);
});

test('the response must answer the request bound to this browser', async () => {
  const w = await entra();
  const { requestId } = await startLogin(w);
  const other = await startLogin(w);
  const result = await refusal(await postAcs(w, responseFor(other.requestId), { cookie: await loginToken({ rid: requestId }) }));
  assert.deepEqual([result.status, result.code], [403, 'in_response_to_mismatch']);
  const unsolicited = await refusal(await postAcs(w, responseFor(null), { cookie: await loginToken({ rid: requestId }) }));
  assert.equal(unsolicited.status, 403);
});

test('open redirects: next and RelayState only ever lead to a same-origin path', async () => {
  const w = await entra();
  const hostile = [
    'https://evil.example/',
    '//evil.example/',
    '///evil.example/',
    '/\\evil.example/',
    '\\\\evil.example',
    'javascript:alert(1)',
    ' /x',
    '/x\n/y',
    'http://localhost:8787@evil.example/',
    '/login/?next=https://evil.example/',
    '',
  ];
  for (const next of hostile) {
    const { response } = await startLogin(w, next);
    const token = cookieNamed(response, LOGIN_COOKIE).value;
    const claims = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'));
    assert.equal(claims.next, '/', JSON.stringify(next));
  }
  const { response } = await startLogin(w, '/reports/q3?x=1#top');
  const claims = JSON.parse(Buffer.from(cookieNamed(response, LOGIN_COOKIE).value.split('.')[0], 'base64url').toString('utf8'));
  assert.equal(claims.next, '/reports/q3?x=1#top');
  // Through the ACS: RelayState never overrides the bound return path...
  const login = await startLogin(w, '/reports');
  let result = await login.browser.post('/saml/acs', { SAMLResponse: responseFor(login.requestId), RelayState: 'https://evil.example/' });
  assert.equal(result.headers.get('Location'), '/reports');
  // ...and for IdP-initiated sign-in (ALLOW_UNSOLICITED) it must be a same-origin path.
  // (wrangler.toml may give the value unquoted: a JSON boolean binding.)
  const idpInitiated = await worker({ ...ENTRA, ALLOW_UNSOLICITED: true });
  for (const [relayState, expected] of [['https://evil.example/', '/'], ['//evil.example', '/'], ['/welcome', '/welcome']]) {
    result = await postAcs(idpInitiated, responseFor(null), { relayState });
    assert.equal(result.status, 303);
    assert.equal(result.headers.get('Location'), expected, relayState);
  }
  // Without ALLOW_UNSOLICITED, an IdP-initiated response is refused.
  result = await refusal(await postAcs(w, responseFor(null)));
  assert.deepEqual([result.status, result.code], [403, 'request_cookie_missing']);
});

test('sessions: expired, tampered, other purpose, rotation, TTL and SessionNotOnOrAfter', async () => {
  const w = await entra();
  const claims = { v: 1, nameId: 'B.Simon@contoso.com', issuer: IDP, attributes: {}, iat: Date.now() };
  const check = async (worker, token) => {
    const response = await worker.fetch('/saml/session', { headers: { Cookie: `${SESSION_COOKIE}=${token}` } });
    const page = await worker.fetch('/', { headers: { Cookie: `${SESSION_COOKIE}=${token}` } });
    return [response.status, page.status];
  };
  const valid = await signToken(PURPOSE_SESSION, BINDING, { ...claims, exp: Date.now() + 60_000 }, SECRET);
  assert.deepEqual(await check(w, valid), [200, 200]);
  assert.deepEqual(await check(w, await signToken(PURPOSE_SESSION, BINDING, { ...claims, exp: Date.now() - 1 }, SECRET)), [401, 302]);
  const [payload, mac] = valid.split('.');
  const admin = Buffer.from(JSON.stringify({ ...claims, nameId: 'admin@contoso.com', exp: Date.now() + 60_000 })).toString('base64url');
  assert.deepEqual(await check(w, `${admin}.${mac}`), [401, 302]);
  assert.deepEqual(await check(w, `${payload}.${mac.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))}`), [401, 302]);
  assert.deepEqual(await check(w, await signToken(PURPOSE_LOGIN, BINDING, { ...claims, exp: Date.now() + 60_000 }, SECRET)), [401, 302]);
  assert.deepEqual(await check(w, 'garbage'), [401, 302]);
  // Rotation: a session signed with the previous secret survives while it is configured.
  const previous = 'previous-secret-0123456789abcdef0123456789';
  const old = await signToken(PURPOSE_SESSION, BINDING, { ...claims, exp: Date.now() + 60_000 }, previous);
  assert.deepEqual(await check(w, old), [401, 302]);
  assert.deepEqual(await check(await worker({ ...ENTRA, SESSION_SECRET: 'new-secret-0123456789abcdef0123456789abcd', SESSION_SECRET_PREVIOUS: previous }), old), [200, 200]);
  // SESSION_TTL_SECONDS, and the IdP's SessionNotOnOrAfter when it is sooner.
  const short = await worker({ ...ENTRA, SESSION_TTL_SECONDS: 120 });
  let login = await startLogin(short);
  let response = await login.browser.post('/saml/acs', { SAMLResponse: responseFor(login.requestId) });
  assert.equal(cookieNamed(response, SESSION_COOKIE).attributes['max-age'], '120');
  login = await startLogin(w);
  response = await login.browser.post('/saml/acs', { SAMLResponse: responseFor(login.requestId, { sessionNotOnOrAfter: Date.now() + 60_000 }) });
  const maxAge = Number(cookieNamed(response, SESSION_COOKIE).attributes['max-age']);
  assert.ok(maxAge > 50 && maxAge <= 60, String(maxAge));
});

test('a session that would not fit into a cookie keeps the essential claims and says what it dropped', async () => {
  const w = await entra();
  const login = await startLogin(w);
  const groups = Array.from({ length: 150 }, (_, i) => `${String(i).padStart(8, '0')}-1111-4222-8333-444455556666`);
  const email = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress';
  const groupClaim = 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups';
  const response = await login.browser.post('/saml/acs', {
    SAMLResponse: responseFor(login.requestId, { attributes: { [email]: ['B.Simon@contoso.com'], [groupClaim]: groups } }),
  });
  assert.equal(response.status, 303);
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  assert.ok(cookie.length < 4096, `cookie of ${cookie.length} bytes`);
  const session = await (await login.browser.request('/saml/session')).json();
  assert.deepEqual(session.attributes, { [email]: ['B.Simon@contoso.com'] });
  assert.deepEqual(session.attributesDropped, [groupClaim]);
  assert.ok(w.events().some((e) => e.saml_edge === 'session_attributes_dropped' && e.dropped.includes(groupClaim)));
});

test('logout clears the session', async () => {
  const w = await entra();
  const login = await startLogin(w);
  await login.browser.post('/saml/acs', { SAMLResponse: responseFor(login.requestId) });
  assert.equal((await login.browser.request('/saml/session')).status, 200);
  const response = await login.browser.request('/logout');
  assert.equal(response.status, 200);
  assert.equal(cookieNamed(response, SESSION_COOKIE).attributes['max-age'], '0');
  assert.equal((await login.browser.request('/saml/session')).status, 401);
});

test('proxy mode: identity headers set by the Worker only, own cookies not forwarded', async () => {
  const seen = [];
  const origin = createServer((req, res) => {
    seen.push({ url: req.url, headers: req.headers });
    res.setHeader('Content-Type', 'text/plain');
    res.end('origin says hi');
  });
  await new Promise((resolve) => origin.listen(0, '127.0.0.1', resolve));
  after(() => origin.close());
  const w = await worker({ ...ENTRA, ORIGIN: `http://127.0.0.1:${origin.address().port}` });
  const spoofed = {
    'Saml-Edge-Name-Id': 'admin@contoso.com',
    'saml-edge-email': 'admin@contoso.com',
    'SAML-EDGE-ATTRIBUTES': '{"role":["admin"]}',
    'Saml-Edge-Groups': 'admins',
  };
  // Without a session the origin is never reached, spoofed headers or not.
  let response = await w.fetch('/app/data', { headers: spoofed });
  assert.equal(response.status, 302);
  assert.equal(seen.length, 0);
  const login = await startLogin(w, '/app/data');
  await login.browser.post('/saml/acs', {
    SAMLResponse: responseFor(login.requestId, {
      nameId: 'B.Simon@contoso.com',
      attributes: { email: ['b.simon@contoso.com'], displayname: ['Bé Simon'], groups: ['g1', 'g2'] },
    }),
  });
  response = await login.browser.request('/app/data?q=1', { headers: { ...spoofed, Cookie: 'app=1' } });
  assert.equal(await response.text(), 'origin says hi');
  assert.equal(seen.length, 1);
  const { url, headers } = seen[0];
  assert.equal(url, '/app/data?q=1');
  assert.equal(headers['saml-edge-name-id'], 'B.Simon@contoso.com');
  assert.equal(headers['saml-edge-email'], 'b.simon@contoso.com');
  assert.deepEqual(JSON.parse(headers['saml-edge-attributes']), { email: ['b.simon@contoso.com'], displayname: ['Bé Simon'], groups: ['g1', 'g2'] });
  assert.equal(headers['saml-edge-groups'], undefined);
  assert.equal(headers['x-forwarded-host'], 'localhost:8787');
  assert.doesNotMatch(headers.cookie ?? '', /saml_edge_/);
});

test('misconfiguration: a 500 page naming the variable, the detail only in the log', async () => {
  const cases = [
    [{ ...ENTRA, SESSION_SECRET: undefined }, 'SESSION_SECRET'],
    [{ ...ENTRA, SESSION_SECRET: 'short' }, 'SESSION_SECRET'],
    [{ ...ENTRA, SP_ENTITY_ID: undefined }, 'SP_ENTITY_ID'],
    [{ ...ENTRA, IDP_CERT: 'MIIBnotacertificate-SECRETVALUE' }, 'IDP_CERT'],
    [{ ...ENTRA, IDP_SSO_URL: undefined }, 'IDP_SSO_URL'],
    [{ ...ENTRA, IDP_ENTITY_ID: undefined }, 'IDP_ENTITY_ID'],
    [{ ...ENTRA, IDP_SSO_URL: 'not a url' }, 'IDP_SSO_URL'],
    [{ ...ENTRA, IDP_SSO_URL: 'https://login.microsoftonline.com/<tenant>/saml2' }, 'IDP_SSO_URL'],
    [{ ...ENTRA, SESSION_TTL_SECONDS: '8h' }, 'SESSION_TTL_SECONDS'],
    [{ ...ENTRA, CLOCK_SKEW_SECONDS: '100000' }, 'CLOCK_SKEW_SECONDS'],
    [{ ...ENTRA, ALLOW_UNSOLICITED: 'yes' }, 'ALLOW_UNSOLICITED'],
    [{ ...ENTRA, ORIGIN: 'app.internal' }, 'ORIGIN'],
    [{ ...ENTRA, ACS_URL: '/saml/acs' }, 'ACS_URL'],
    [{ ...ENTRA, IDP_CERT: undefined, IDP_METADATA_XML: '<md:EntityDescriptor/>' }, 'IDP_METADATA_XML'],
    [{ ...ENTRA, SP_DECRYPTION_KEY: '-----BEGIN PRIVATE KEY-----\nSECRETVALUE\n-----END PRIVATE KEY-----' }, 'SP_DECRYPTION_KEY'],
    [{ ...ENTRA, SP_DECRYPTION_KEY: SP_ENC_KEY, SP_DECRYPTION_KEY_PREVIOUS: 'SECRETVALUE' }, 'SP_DECRYPTION_KEY_PREVIOUS'],
    [{ ...ENTRA, SP_DECRYPTION_KEY_PREVIOUS: SP_ENC_KEY }, 'SP_DECRYPTION_KEY_PREVIOUS'],
    [{ ...ENTRA, SP_DECRYPTION_KEY: SP_ENC_KEY, SP_ENCRYPTION_CERT: IDP_CERT_PEM }, 'SP_ENCRYPTION_CERT'],
    [{ ...ENTRA, SP_ENCRYPTION_CERT: SP_ENC_CERT }, 'SP_ENCRYPTION_CERT'],
  ];
  for (const [bindings, variable] of cases) {
    const w = await worker(Object.fromEntries(Object.entries(bindings).filter(([, v]) => v !== undefined)));
    for (const path of ['/', '/login/', '/saml/acs']) {
      const response = await w.fetch(path, { method: path === '/saml/acs' ? 'POST' : 'GET' });
      const html = await response.text();
      assert.equal(response.status, 500, `${variable} ${path}`);
      assert.equal(pageCode(html), variable);
      assert.doesNotMatch(html, /SECRETVALUE|at \w+ \(|\.js:\d+/, 'no value, no stack trace');
    }
    assert.ok(w.events().some((e) => e.saml_edge === 'configuration_error' && e.variable === variable), variable);
    await w.dispose();
    workers.splice(workers.indexOf(w), 1);
  }
});

test('refusals: fixed pages without attacker content, detail in the log; method, type and size checks', async () => {
  const w = await entra();
  const { requestId } = await startLogin(w);
  const cookie = await loginToken({ rid: requestId });
  const hostile = Buffer.from(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_x" Version="2.0" IssueInstant="2026-01-01T00:00:00Z"><Issuer xmlns="urn:oasis:names:tc:SAML:2.0:assertion">&lt;script&gt;alert('pwned')&lt;/script&gt;</Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Requester"/><samlp:StatusMessage>AADSTS50105: &lt;img src=x onerror=alert(1)&gt; pwned</samlp:StatusMessage></samlp:Status></samlp:Response>`).toString('base64');
  let result = await refusal(await postAcs(w, hostile, { cookie, relayState: '<script>pwned</script>' }));
  assert.deepEqual([result.status, result.code], [403, 'status_not_success']);
  assert.doesNotMatch(result.html, /pwned|AADSTS50105|alert/);
  assert.match(result.html, /assigned to the application/);
  assert.ok(w.events().some((e) => e.code === 'status_not_success' && /AADSTS50105/.test(e.detail)));
  result = await refusal(await postAcs(w, 'not base64!', { cookie }));
  assert.deepEqual([result.status, result.code], [400, 'invalid_base64']);
  result = await refusal(await postAcs(w, undefined, { cookie }));
  assert.deepEqual([result.status, result.code], [400, 'empty_input']);
  let response = await w.fetch('/saml/acs');
  assert.equal(response.status, 405);
  assert.equal(response.headers.get('Allow'), 'POST');
  response = await w.fetch('/saml/acs', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
  assert.deepEqual([response.status, pageCode(await response.text())], [400, 'invalid_form']);
  response = await w.fetch('/saml/acs', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: `SAMLResponse=${'A'.repeat(5 * 1024 * 1024)}`,
  });
  assert.deepEqual([response.status, pageCode(await response.text())], [413, 'limit_exceeded']);
  for (const path of ['/saml/acs', '/login/']) {
    response = await w.fetch(path);
    assert.match(response.headers.get('Cache-Control') ?? '', /no-store/, path);
  }
});

test('metadata for Entra ID\'s "Upload metadata file"', async () => {
  const w = await entra();
  const response = await w.fetch('/saml/metadata');
  assert.equal(response.status, 200);
  assert.match(response.headers.get('Content-Type'), /^application\/samlmetadata\+xml/);
  const xml = await response.text();
  assert.match(xml, new RegExp(`entityID="${SP}"`));
  assert.match(xml, new RegExp(`<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${ACS}"`));
  // With ACS_URL set, the metadata and the checks use it, whatever host serves the Worker.
  const fixed = await worker({ ...ENTRA, ACS_URL: 'https://sso.example.com/saml/acs' });
  assert.match(await (await fixed.fetch('/saml/metadata')).text(), /Location="https:\/\/sso\.example\.com\/saml\/acs"/);
  assert.equal((await w.fetch('/saml/other')).status, 404);
  // With a decryption key and its certificate, the metadata publishes the certificate for
  // encryption (Entra ID: Token encryption → Import certificate takes the same file).
  const encrypting = await worker({ ...ENTRA, SP_DECRYPTION_KEY: SP_ENC_KEY, SP_ENCRYPTION_CERT: SP_ENC_CERT });
  const withKey = await (await encrypting.fetch('/saml/metadata')).text();
  assert.match(withKey, /<md:KeyDescriptor use="encryption">/);
  const body = SP_ENC_CERT.replace(/-----[^-]+-----|\s/g, '');
  assert.ok(withKey.replace(/\s/g, '').includes(body), 'the encryption certificate is published');
  assert.doesNotMatch(xml, /use="encryption"/, 'no encryption certificate without SP_ENCRYPTION_CERT');
});
