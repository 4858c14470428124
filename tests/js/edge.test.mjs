// The edge's own threats (SECURITY.md, "The edge's own threats"): the Worker's proxying, headers,
// cookies, redirects, sessions and replay window, attacked on workerd (Miniflare from
// wrangler.toml) as a hostile browser would. Each test names the attack it reproduces.
//
// The tests learn the cookie names from the Worker's own Set-Cookie headers and sign in through
// real flows (xmlsec1-signed responses, the demo IdP) rather than forging tokens, so that they
// run unchanged against any version of the Worker: written before the fixes, they failed on the
// code before them.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Browser,
  IDP_CERT_PEM,
  SECRET,
  demoResponse,
  pageCode,
  parseSetCookie,
  received as receivedHeaders,
  recorder as startRecorder,
  requestIdOf,
  signedResponse,
  startWorker,
} from './worker-harness.mjs';

const SP = 'https://app.example.com/saml/metadata';
const ACS = 'http://localhost:8787/saml/acs';
const IDP = 'https://sts.windows.net/<tenant>/';
const SSO = 'https://login.microsoftonline.com/0f4a6c1d-2b3e-4f50-8a1b-9c2d3e4f5a6b/saml2';
const ENTRA = { SP_ENTITY_ID: SP, IDP_CERT: IDP_CERT_PEM, IDP_ENTITY_ID: IDP, IDP_SSO_URL: SSO, SESSION_SECRET: SECRET };

const cleanups = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function worker(bindings) {
  const w = await startWorker(bindings);
  cleanups.push(() => w.dispose());
  return w;
}

/** A recording ORIGIN (worker-harness.mjs), stopped after the tests. */
async function recorder(body) {
  const server = await startRecorder(body);
  cleanups.push(server.close);
  return server;
}

/** The name of the cookie a response sets whose name contains `role` ('login' or 'session'). */
function cookieOf(response, role) {
  const found = response.headers.getSetCookie().map(parseSetCookie).find((c) => c.name.includes(`saml_edge_${role}`));
  return found ?? null;
}

/** Signs in through /login/ with an xmlsec1-signed response; returns the browser and cookie names. */
async function signIn(w, { next = '/', nameId = 'B.Simon@contoso.com' } = {}) {
  const browser = new Browser(w);
  const login = await browser.request(`/login/?next=${encodeURIComponent(next)}`);
  const requestId = requestIdOf(login.headers.get('Location'));
  const response = await browser.post('/saml/acs', { SAMLResponse: signedResponse({ requestId, acsUrl: ACS, spEntityId: SP, nameId }) });
  assert.equal(response.status, 303, await response.clone().text());
  return { browser, loginCookie: cookieOf(login, 'login').name, sessionCookie: cookieOf(response, 'session') };
}

test('proxy escape: no request path (//host, /\\host, encoded) makes the Worker fetch another host', async () => {
  const origin = await recorder('origin');
  const evil = await recorder('evil');
  const w = await worker({ ...ENTRA, ORIGIN: origin.url });
  const { browser } = await signIn(w);
  const spellings = [
    `//${evil.host}/x`,
    `/\\${evil.host}/x`,
    `//${evil.host}`,
    `///${evil.host}/x`,
    `/.//${evil.host}/x`,
    `//${evil.host}:80/x?q=1`,
    `/%2f${evil.host}/x`,
    `/%5c${evil.host}/x`,
  ];
  for (const spelling of spellings) {
    // A raw request line: the URL parser must not see it as relative to anything.
    const response = await browser.request(`http://localhost:8787${spelling}`, { headers: { Authorization: 'Bearer app-token' } });
    const text = await response.text();
    assert.notEqual(text, 'evil', spelling);
  }
  assert.equal(evil.hits.length, 0, `the other host was fetched: ${JSON.stringify(evil.hits.map((h) => h.url))}`);
  // Every spelling reached ORIGIN, as a path on it.
  assert.equal(origin.hits.length, spellings.length);
  for (const hit of origin.hits) assert.ok(hit.url.startsWith('/'), hit.url);
});

test('identity headers cannot be smuggled in any spelling; forwarding headers are the Worker\'s own', async () => {
  const origin = await recorder('origin');
  const w = await worker({ ...ENTRA, ORIGIN: origin.url });
  const { browser } = await signIn(w, { nameId: 'B.Simon@contoso.com' });
  const spoofed = {
    Saml_Edge_Email: 'ceo@contoso.com',
    SAML_EDGE_NAME_ID: 'ceo@contoso.com',
    'saml-edge_attributes': '{"role":["admin"]}',
    'Saml-Edge-Groups': 'admins',
    saml_edge_jwt_assertion: 'forged',
    Forwarded: 'for=6.6.6.6;host=evil.example;proto=https',
    'X-Forwarded-For': '6.6.6.6',
    X_Forwarded_For: '6.6.6.6',
    'X-Forwarded-Proto': 'https',
    'X-Forwarded-Host': 'evil.example',
    'X-Forwarded-Port': '443',
    'X-Real-IP': '6.6.6.6',
    X_Real_IP: '6.6.6.6',
    'CF-Connecting-IP': '203.0.113.7',
  };
  const response = await browser.request('/app', { headers: spoofed });
  assert.equal(await response.text(), 'origin');
  assert.equal(origin.hits.length, 1);
  const received = receivedHeaders(origin.hits[0]);
  const named = (n) => received.filter(([name]) => name === n).map(([, v]) => v);
  // Only the Worker's identity headers, once each, with the signed-in user's values.
  const identity = received.filter(([name]) => name.startsWith('saml-edge-'));
  assert.deepEqual(identity.map(([n]) => n).sort(), ['saml-edge-attributes', 'saml-edge-email', 'saml-edge-name-id']);
  assert.deepEqual(named('saml-edge-name-id'), ['B.Simon@contoso.com']);
  assert.deepEqual(named('saml-edge-email'), ['B.Simon@contoso.com']);
  assert.doesNotMatch(named('saml-edge-attributes')[0], /admin/);
  assert.deepEqual(named('forwarded'), []);
  assert.deepEqual(named('x-real-ip'), []);
  assert.deepEqual(named('x-forwarded-port'), []);
  assert.deepEqual(named('x-forwarded-for'), ['203.0.113.7']);
  assert.deepEqual(named('x-forwarded-proto'), ['http']);
  assert.deepEqual(named('x-forwarded-host'), ['localhost:8787']);
});

test('an identity header is always set by the Worker, even when the value is unknown', async () => {
  const origin = await recorder('origin');
  const w = await worker({ ...ENTRA, ORIGIN: origin.url });
  const browser = new Browser(w);
  const login = await browser.request('/login/');
  const requestId = requestIdOf(login.headers.get('Location'));
  // An unspecified-format NameID and no e-mail claim: the user has no known e-mail address.
  const samlResponse = signedResponse({ requestId, acsUrl: ACS, spEntityId: SP, nameId: 'bsimon', nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent', attributes: {} });
  assert.equal((await browser.post('/saml/acs', { SAMLResponse: samlResponse })).status, 303);
  await browser.request('/app', { headers: { Saml_Edge_Email: 'ceo@contoso.com', 'Saml-Edge-Email': 'ceo@contoso.com' } });
  const email = receivedHeaders(origin.hits[0]).filter(([name]) => name === 'saml-edge-email').map(([, value]) => value);
  assert.deepEqual(email, ['']);
});

test('login CSRF: a planted second login cookie signs no one in', async () => {
  const w = await worker(ENTRA);
  // The victim starts a sign-in; the attacker has one of their own, with their own response.
  const victim = new Browser(w);
  const victimLogin = await victim.request('/login/');
  const attacker = new Browser(w);
  const attackerLogin = await attacker.request('/login/');
  const name = cookieOf(attackerLogin, 'login').name;
  const planted = cookieOf(attackerLogin, 'login').value;
  const own = cookieOf(victimLogin, 'login').value;
  const attackerResponse = signedResponse({
    requestId: requestIdOf(attackerLogin.headers.get('Location')),
    acsUrl: ACS,
    spEntityId: SP,
    nameId: 'attacker@contoso.com',
  });
  for (const cookie of [`${name}=${planted}; ${name}=${own}`, `${name}=${own}; ${name}=${planted}`, `${name}=${planted}; ${name}=${planted}`]) {
    const response = await w.fetch('/saml/acs', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookie },
      body: new URLSearchParams({ SAMLResponse: attackerResponse }).toString(),
    });
    assert.equal(response.status, 400, cookie);
    assert.equal(pageCode(await response.text()), 'cookie_duplicated');
    assert.equal(cookieOf(response, 'session')?.value ?? '', '', 'no session is set');
  }
  // The cookies are __Host- prefixed: no sibling subdomain can set them in a current browser.
  assert.match(name, /^__Host-/);
  const attributes = cookieOf(attackerLogin, 'login').attributes;
  assert.equal(attributes.path, '/');
  assert.equal(attributes.domain, undefined);
  assert.equal(attributes.secure, true);
});

test('a duplicated session cookie is refused, never resolved by order', async () => {
  const origin = await recorder('origin');
  const w = await worker({ ...ENTRA, ORIGIN: origin.url });
  const { sessionCookie } = await signIn(w);
  const { sessionCookie: other } = await signIn(w, { nameId: 'attacker@contoso.com' });
  for (const path of ['/app', '/saml/session']) {
    const response = await w.fetch(path, { headers: { Cookie: `${sessionCookie.name}=${other.value}; ${sessionCookie.name}=${sessionCookie.value}` } });
    assert.equal(response.status, 400, path);
    assert.equal(pageCode(await response.text()), 'cookie_duplicated');
  }
  assert.equal(origin.hits.length, 0);
});

test('open redirect after IdP-initiated sign-in: no RelayState spelling leaves the host', async () => {
  const w = await worker({ ...ENTRA, ALLOW_UNSOLICITED: 'true' });
  const spellings = [
    '/.//evil.example/x',
    '/./\\evil.example/x',
    '/x/..//evil.example',
    '/%2e/%2e//evil.example',
    '/%2e%2e//evil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    '/\\/evil.example',
    '//evil.example',
    'https://evil.example/',
  ];
  for (const relayState of spellings) {
    const response = await w.fetch('/saml/acs', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ SAMLResponse: signedResponse({ requestId: null, acsUrl: ACS, spEntityId: SP }), RelayState: relayState }).toString(),
    });
    assert.equal(response.status, 303, JSON.stringify(relayState));
    const location = response.headers.get('Location');
    assert.match(location, /^\/(?![/\\])/, `${JSON.stringify(relayState)} -> ${location}`);
    assert.equal(new URL(location, 'https://sso.example.com/a/b').origin, 'https://sso.example.com');
  }
  // The same spellings as ?next= at /login/ come back as a same-host path in the login cookie.
  for (const next of spellings) {
    const response = await w.fetch(`/login/?next=${encodeURIComponent(next)}`);
    const claims = JSON.parse(Buffer.from(cookieOf(response, 'login').value.split('.')[0], 'base64url').toString('utf8'));
    assert.match(claims.next, /^\/(?![/\\])/, JSON.stringify(next));
  }
});

test('a session from another IdP (the demo IdP) with the same SESSION_SECRET is refused', async () => {
  // A demo Worker (anyone can sign as its IdP) and an Entra Worker sharing one secret.
  const demo = await worker({ SP_ENTITY_ID: SP, SESSION_SECRET: SECRET });
  const browser = new Browser(demo);
  const samlResponse = await demoResponse(browser);
  const signedIn = await browser.post('/saml/acs', { SAMLResponse: samlResponse });
  assert.equal(signedIn.status, 303);
  const foreign = cookieOf(signedIn, 'session');
  assert.equal((await demo.fetch('/saml/session', { headers: { Cookie: `${foreign.name}=${foreign.value}` } })).status, 200);
  const entra = await worker(ENTRA);
  const response = await entra.fetch('/saml/session', { headers: { Cookie: `${foreign.name}=${foreign.value}` } });
  assert.equal(response.status, 401);
  const page = await entra.fetch('/app', { headers: { Cookie: `${foreign.name}=${foreign.value}` } });
  assert.equal(page.status, 302);
  // The other way round too: an Entra session means nothing to the demo Worker.
  const { sessionCookie } = await signIn(entra);
  assert.equal((await demo.fetch('/saml/session', { headers: { Cookie: `${sessionCookie.name}=${sessionCookie.value}` } })).status, 401);
});

test('replay through a second bearer confirmation with a later NotOnOrAfter is refused', async () => {
  // No skew, so that the first confirmation's expiry is reached within the test.
  const w = await worker({ ...ENTRA, ALLOW_UNSOLICITED: 'true', CLOCK_SKEW_SECONDS: '0' });
  const samlResponse = signedResponse({
    requestId: null,
    acsUrl: ACS,
    spEntityId: SP,
    confirmationLifetimesMs: [2_000, 60 * 60 * 1000],
  });
  const post = () =>
    w.fetch('/saml/acs', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ SAMLResponse: samlResponse }).toString(),
    });
  assert.equal((await post()).status, 303);
  let response = await post();
  assert.deepEqual([response.status, pageCode(await response.text())], [403, 'assertion_replayed']);
  // Once the first confirmation has expired the second still admits the assertion: the replay
  // cache must still remember it.
  await sleep(3_000);
  response = await post();
  assert.deepEqual([response.status, pageCode(await response.text())], [403, 'assertion_replayed']);
});
