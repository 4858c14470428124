// Issue 16 on workerd (Miniflare from wrangler.toml): the identity the origin can verify
// (Saml-Edge-Jwt-Assertion + /saml/jwks.json, checked with jose and with PyJWT), the allow rules
// at the ACS, the public paths, and 401 JSON for API callers. Sign-ins use xmlsec1-signed
// responses; the origin is a local HTTP server that records what it receives.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import {
  Browser,
  IDP_CERT_PEM,
  SECRET,
  pageCode,
  parseSetCookie,
  received,
  recorder as startRecorder,
  requestIdOf,
  signedResponse,
  startWorker,
} from './worker-harness.mjs';

const SP = 'https://app.example.com/saml/metadata';
const ACS = 'http://localhost:8787/saml/acs';
const ISSUER = 'http://localhost:8787';
const IDP = 'https://sts.windows.net/<tenant>/';
const SSO = 'https://login.microsoftonline.com/0f4a6c1d-2b3e-4f50-8a1b-9c2d3e4f5a6b/saml2';
const ENTRA = { SP_ENTITY_ID: SP, IDP_CERT: IDP_CERT_PEM, IDP_ENTITY_ID: IDP, IDP_SSO_URL: SSO, SESSION_SECRET: SECRET };
const EMAIL_CLAIM = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress';
const GROUPS_CLAIM = 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups';
const OVERAGE_CLAIM = 'http://schemas.microsoft.com/claims/groups.link';
const FINANCE = '6f3e1b2a-0c4d-4e5f-8a9b-0c1d2e3f4a5b';
const VERIFY_PY = fileURLToPath(new URL('verify-jwt.py', import.meta.url));

const pem = (kind, options) => generateKeyPairSync(kind, { ...options, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
const KEYS = {
  ES256: pem('ec', { namedCurve: 'P-256' }),
  RS256: pem('rsa', { modulusLength: 2048 }),
  EdDSA: pem('ed25519'),
};

const cleanups = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function worker(bindings) {
  const w = await startWorker(bindings);
  cleanups.push(() => w.dispose());
  return w;
}

/** Runs `use(w)` on a Worker with `bindings`, then stops it. */
async function withWorker(bindings, use) {
  const w = await startWorker(bindings);
  try {
    return await use(w);
  } finally {
    await w.dispose();
  }
}

/** A recording ORIGIN (worker-harness.mjs), stopped after the tests. */
async function recorder(body = 'origin') {
  const server = await startRecorder(body);
  cleanups.push(server.close);
  return server;
}
const identityHeaders = (hit) => received(hit).filter(([name]) => name.startsWith('saml-edge-'));
const jwtOf = (hit) => received(hit).filter(([name]) => name === 'saml-edge-jwt-assertion').map(([, v]) => v);

/** Signs in through /login/ with an xmlsec1-signed response; returns the ACS response and the browser. */
async function signIn(w, { nameId = 'B.Simon@contoso.com', email = nameId, attributes = {}, next = '/' } = {}) {
  const browser = new Browser(w);
  const login = await browser.request(`/login/?next=${encodeURIComponent(next)}`);
  const requestId = requestIdOf(login.headers.get('Location'));
  const all = { ...(email === null ? {} : { [EMAIL_CLAIM]: [email] }), ...attributes };
  const response = await browser.post('/saml/acs', { SAMLResponse: signedResponse({ requestId, acsUrl: ACS, spEntityId: SP, nameId, attributes: all }) });
  return { response, browser };
}

async function signedIn(w, options) {
  const { response, browser } = await signIn(w, options);
  assert.equal(response.status, 303, await response.clone().text());
  return browser;
}

const sessionCookieOf = (response) => response.headers.getSetCookie().map(parseSetCookie).find((c) => c.name.includes('saml_edge_session')) ?? null;

async function jwksOf(w) {
  const response = await w.fetch('/saml/jwks.json');
  assert.equal(response.status, 200);
  return { response, jwks: await response.json() };
}

/**
 * Verifies `token` with PyJWT (tests/js/verify-jwt.py) against a JWKS document, or with
 * `{ jwks_url, algorithms }` as the README's example does: the claims, or null when refused.
 */
function verifyWithPython(token, jwks) {
  const source = jwks.jwks_url ? jwks : { jwks };
  try {
    const out = execFileSync('python3', [VERIFY_PY], { input: JSON.stringify({ token, ...source, issuer: ISSUER, audience: SP }), encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
    return JSON.parse(out);
  } catch {
    return null;
  }
}

async function verifyWithJose(token, jwks) {
  try {
    return (await jwtVerify(token, createLocalJWKSet(jwks), { issuer: ISSUER, audience: SP })).payload;
  } catch {
    return null;
  }
}

/** `token` with the byte at `index` changed (to another base64url character). */
function alter(token, index) {
  const c = token[index];
  return token.slice(0, index) + (c === 'A' ? 'B' : 'A') + token.slice(index + 1);
}

test('a signed-in request reaches ORIGIN with a JWT that verifies against /saml/jwks.json (jose and PyJWT); spoofed headers never do', async () => {
  const origin = await recorder();
  const w = await worker({ ...ENTRA, ORIGIN: origin.url, JWT_SIGNING_KEY: KEYS.ES256.privateKey });
  const browser = await signedIn(w, {
    attributes: {
      'http://schemas.microsoft.com/identity/claims/displayname': ['B. Simon'],
      [GROUPS_CLAIM]: [FINANCE, '0a1b2c3d-0000-4000-8000-000000000001'],
    },
  });
  const before = Math.floor(Date.now() / 1000);
  const spoofed = {
    'Saml-Edge-Jwt-Assertion': 'forged.jwt.token',
    saml_edge_jwt_assertion: 'forged',
    'SAML-EDGE-JWT-ASSERTION': 'forged',
    'Saml_Edge-Jwt_Assertion': 'forged',
    'Saml-Edge-Email': 'ceo@contoso.com',
    Saml_Edge_Email: 'ceo@contoso.com',
  };
  assert.equal(await (await browser.request('/app?x=1', { headers: spoofed })).text(), 'origin');
  assert.equal(origin.hits.length, 1);
  const hit = origin.hits[0];
  const tokens = jwtOf(hit);
  assert.equal(tokens.length, 1, 'exactly one token, the Worker\'s');
  const [token] = tokens;
  assert.deepEqual(received(hit).filter(([n]) => n === 'saml-edge-email').map(([, v]) => v), ['B.Simon@contoso.com']);
  assert.deepEqual(identityHeaders(hit).map(([n]) => n).sort(), ['saml-edge-attributes', 'saml-edge-email', 'saml-edge-jwt-assertion', 'saml-edge-name-id']);

  const { response, jwks } = await jwksOf(w);
  assert.match(response.headers.get('Cache-Control'), /^public, max-age=\d+$/);
  assert.match(response.headers.get('Content-Type'), /^application\/json/);
  assert.equal(jwks.keys.length, 1);
  const [jwk] = jwks.keys;
  assert.deepEqual(Object.keys(jwk).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
  assert.deepEqual([jwk.kty, jwk.crv, jwk.alg, jwk.use], ['EC', 'P-256', 'ES256', 'sig']);

  const header = decodeProtectedHeader(token);
  assert.deepEqual(header, { alg: 'ES256', kid: jwk.kid, typ: 'JWT' });
  const claims = await verifyWithJose(token, jwks);
  assert.ok(claims, 'jose verifies the token');
  assert.equal(claims.iss, ISSUER);
  assert.equal(claims.aud, SP);
  assert.equal(claims.sub, 'B.Simon@contoso.com');
  assert.equal(claims.email, 'B.Simon@contoso.com');
  assert.equal(claims.name, 'B. Simon');
  assert.deepEqual(claims.groups, [FINANCE, '0a1b2c3d-0000-4000-8000-000000000001']);
  assert.ok(claims.iat >= before - 1 && claims.iat <= before + 5, `iat ${claims.iat}`);
  assert.equal(claims.nbf, claims.iat);
  assert.ok(claims.exp > claims.iat && claims.exp - claims.iat <= 300, `exp - iat = ${claims.exp - claims.iat}`);
  assert.match(claims.jti, /^[0-9a-f-]{36}$/);

  const python = verifyWithPython(token, jwks);
  assert.ok(python, 'PyJWT verifies the token');
  assert.deepEqual(python, claims);

  // One byte altered anywhere (header, payload, signature): refused by both.
  const [h, p] = token.split('.');
  for (const index of [5, h.length + 1 + 10, h.length + p.length + 2 + 7, token.length - 3]) {
    const altered = alter(token, index);
    assert.equal(await verifyWithJose(altered, jwks), null, `jose, byte ${index}`);
    assert.equal(verifyWithPython(altered, jwks), null, `PyJWT, byte ${index}`);
  }
  // Another audience or issuer is refused too (the origin's checks are meaningful).
  await assert.rejects(jwtVerify(token, createLocalJWKSet(jwks), { issuer: ISSUER, audience: 'https://other.example.com/' }));
  await assert.rejects(jwtVerify(token, createLocalJWKSet(jwks), { issuer: 'https://evil.example', audience: SP }));

  // The README's examples, as written: remote JWKS clients against the Worker's socket.
  const jwksUrl = new URL('/saml/jwks.json', await w.mf.ready);
  const remote = await jwtVerify(token, createRemoteJWKSet(jwksUrl), { issuer: ISSUER, audience: SP, algorithms: ['ES256'], clockTolerance: 30 });
  assert.deepEqual(remote.payload, claims);
  assert.deepEqual(verifyWithPython(token, { jwks_url: jwksUrl.href, algorithms: ['ES256'] }), claims);
  assert.equal(verifyWithPython(alter(token, token.length - 3), { jwks_url: jwksUrl.href, algorithms: ['ES256'] }), null);
  assert.equal(verifyWithPython(token, { jwks_url: jwksUrl.href, algorithms: ['RS256'] }), null, 'the algorithm is pinned');

  // The same session within the minute reuses the token (signed at most once a minute);
  // another session of another user gets its own.
  await browser.request('/app');
  assert.deepEqual(jwtOf(origin.hits[1]), [token]);
  const other = await signedIn(w, { nameId: 'AdeleV@contoso.com' });
  await other.request('/app');
  const [otherToken] = jwtOf(origin.hits[2]);
  assert.notEqual(otherToken, token);
  const otherClaims = await verifyWithJose(otherToken, jwks);
  assert.equal(otherClaims.sub, 'AdeleV@contoso.com');
  assert.notEqual(otherClaims.jti, claims.jti);
  assert.equal(otherClaims.groups, undefined, 'no groups claim when the assertion has none');
});

test('RS256 and EdDSA keys; the JWKS never carries private members', async () => {
  for (const [alg, pair] of Object.entries({ RS256: KEYS.RS256, EdDSA: KEYS.EdDSA })) {
    const origin = await recorder();
    const w = await worker({ ...ENTRA, ORIGIN: origin.url, JWT_SIGNING_KEY: pair.privateKey });
    const browser = await signedIn(w);
    await browser.request('/app');
    const [token] = jwtOf(origin.hits[0]);
    const { jwks } = await jwksOf(w);
    assert.equal(jwks.keys[0].alg, alg);
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']) assert.ok(!(member in jwks.keys[0]), `${alg}: ${member}`);
    assert.equal(decodeProtectedHeader(token).alg, alg);
    assert.equal((await verifyWithJose(token, jwks))?.sub, 'B.Simon@contoso.com', alg);
    assert.equal(verifyWithPython(token, jwks)?.sub, 'B.Simon@contoso.com', alg);
    assert.equal(await verifyWithJose(alter(token, token.length - 5), jwks), null, alg);
    assert.equal(verifyWithPython(alter(token, token.length - 5), jwks), null, alg);
  }
});

test('rotation: JWT_SIGNING_KEY_PREVIOUS stays published, so tokens of the old key still verify', async () => {
  const origin = await recorder();
  const old = await worker({ ...ENTRA, ORIGIN: origin.url, JWT_SIGNING_KEY: KEYS.RS256.privateKey });
  await (await signedIn(old)).request('/app');
  const [oldToken] = jwtOf(origin.hits[0]);
  const oldKid = decodeProtectedHeader(oldToken).kid;

  const rotated = await worker({ ...ENTRA, ORIGIN: origin.url, JWT_SIGNING_KEY: KEYS.ES256.privateKey, JWT_SIGNING_KEY_PREVIOUS: KEYS.RS256.privateKey });
  await (await signedIn(rotated)).request('/app');
  const [newToken] = jwtOf(origin.hits[1]);
  const { jwks } = await jwksOf(rotated);
  assert.deepEqual(jwks.keys.map((k) => k.alg), ['ES256', 'RS256']);
  assert.equal(jwks.keys[1].kid, oldKid, 'a key keeps its kid (RFC 7638 thumbprint)');
  assert.notEqual(decodeProtectedHeader(newToken).kid, oldKid, 'new tokens use the new key');
  for (const token of [oldToken, newToken]) {
    assert.ok(await verifyWithJose(token, jwks));
    assert.ok(verifyWithPython(token, jwks));
  }
  // The previous key may also be given as a public key (SPKI).
  const publicOnly = await worker({ ...ENTRA, JWT_SIGNING_KEY: KEYS.ES256.privateKey, JWT_SIGNING_KEY_PREVIOUS: KEYS.RS256.publicKey });
  assert.deepEqual((await jwksOf(publicOnly)).jwks.keys.map((k) => k.kid), jwks.keys.map((k) => k.kid));
  // Once the previous key is removed, its tokens no longer verify.
  const { jwks: after } = await jwksOf(await worker({ ...ENTRA, JWT_SIGNING_KEY: KEYS.ES256.privateKey }));
  assert.equal(await verifyWithJose(oldToken, after), null);
});

test('without JWT_SIGNING_KEY the Worker behaves as before: no token, no JWKS', async () => {
  const origin = await recorder();
  const w = await worker({ ...ENTRA, ORIGIN: origin.url });
  const browser = await signedIn(w);
  await browser.request('/app', { headers: { 'Saml-Edge-Jwt-Assertion': 'forged' } });
  assert.deepEqual(jwtOf(origin.hits[0]), []);
  assert.deepEqual(identityHeaders(origin.hits[0]).map(([n]) => n).sort(), ['saml-edge-attributes', 'saml-edge-email', 'saml-edge-name-id']);
  assert.equal((await w.fetch('/saml/jwks.json')).status, 404);
});

test('an unusable key is the configuration error page naming the variable', async () => {
  const ecSec1 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'sec1', format: 'pem' });
  const rsaPkcs1 = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' });
  const cases = [
    ['JWT_SIGNING_KEY', { JWT_SIGNING_KEY: pem('rsa', { modulusLength: 1024 }).privateKey }],
    ['JWT_SIGNING_KEY', { JWT_SIGNING_KEY: pem('ec', { namedCurve: 'P-384' }).privateKey }],
    ['JWT_SIGNING_KEY', { JWT_SIGNING_KEY: pem('ec', { namedCurve: 'secp256k1' }).privateKey }],
    ['JWT_SIGNING_KEY', { JWT_SIGNING_KEY: ecSec1 }],
    ['JWT_SIGNING_KEY', { JWT_SIGNING_KEY: rsaPkcs1 }],
    ['JWT_SIGNING_KEY', { JWT_SIGNING_KEY: KEYS.ES256.publicKey }],
    ['JWT_SIGNING_KEY', { JWT_SIGNING_KEY: 'not a key' }],
    ['JWT_SIGNING_KEY', { JWT_SIGNING_KEY_PREVIOUS: KEYS.ES256.privateKey }],
    ['JWT_SIGNING_KEY_PREVIOUS', { JWT_SIGNING_KEY: KEYS.ES256.privateKey, JWT_SIGNING_KEY_PREVIOUS: pem('rsa', { modulusLength: 1024 }).privateKey }],
  ];
  for (const [variable, bindings] of cases) {
    const secret = Object.values(bindings).join('').replace(/-----[A-Z ]+-----|\s/g, '');
    await withWorker({ ...ENTRA, ...bindings }, async (w) => {
      for (const path of ['/saml/jwks.json', '/login/', '/app']) {
        const response = await w.fetch(path);
        const html = await response.text();
        assert.equal(response.status, 500, `${variable} ${path}`);
        assert.match(html, new RegExp(`<code>${variable}</code>`), `${variable} ${path}`);
        for (let i = 0; i + 16 <= secret.length; i += 16) assert.ok(!html.includes(secret.slice(i, i + 16)), 'no key material on the page');
      }
    });
  }
  // A one-line secret with literal \n works (how some secret stores hand PEM over).
  const oneLine = await worker({ ...ENTRA, JWT_SIGNING_KEY: KEYS.ES256.privateKey.trim().replace(/\n/g, '\\n') });
  assert.equal((await jwksOf(oneLine)).jwks.keys[0].alg, 'ES256');
});

test('ALLOW_EMAIL_DOMAINS=contoso.com: eve@fabrikam.com gets 403 access_denied and no session; suffix and case games fail', async () => {
  const origin = await recorder();
  const w = await worker({ ...ENTRA, ORIGIN: origin.url, ALLOW_EMAIL_DOMAINS: 'contoso.com' });
  for (const email of ['eve@fabrikam.com', 'eve@evilcontoso.com', 'eve@contoso.com.evil', 'eve@sub.contoso.com', 'contoso.com@fabrikam.com']) {
    const { response, browser } = await signIn(w, { nameId: email });
    assert.equal(response.status, 403, email);
    assert.equal(pageCode(await response.text()), 'access_denied', email);
    assert.equal(sessionCookieOf(response), null, `${email}: no session cookie`);
    const page = await browser.request('/app');
    assert.equal(page.status, 302, `${email}: not signed in`);
  }
  for (const email of ['B.Simon@contoso.com', 'adele.vance@CONTOSO.COM']) {
    const browser = await signedIn(w, { nameId: email });
    assert.equal(await (await browser.request('/app')).text(), 'origin', email);
  }
  assert.ok(w.events().some((e) => e.saml_edge === 'sign_in_refused' && e.code === 'access_denied'));
  assert.equal(origin.hits.length, 2);
});

test('ALLOW_EMAILS and ALLOW_GROUPS: one matching rule admits; the groups-overage claim refuses with its own code', async () => {
  const origin = await recorder();
  const w = await worker({ ...ENTRA, ORIGIN: origin.url, ALLOW_EMAILS: 'boss@fabrikam.com', ALLOW_GROUPS: FINANCE, JWT_SIGNING_KEY: KEYS.ES256.privateKey });
  await signedIn(w, { nameId: 'Boss@Fabrikam.com' });
  const member = await signedIn(w, { nameId: 'ann@fabrikam.com', attributes: { [GROUPS_CLAIM]: ['other', FINANCE] } });
  await member.request('/app');
  const claims = await verifyWithJose(jwtOf(origin.hits[0])[0], (await jwksOf(w)).jwks);
  assert.deepEqual(claims.groups, ['other', FINANCE]);

  let { response } = await signIn(w, { nameId: 'eve@fabrikam.com', attributes: { [GROUPS_CLAIM]: ['other'] } });
  assert.deepEqual([response.status, pageCode(await response.text())], [403, 'access_denied']);
  ({ response } = await signIn(w, { nameId: 'eve@fabrikam.com', attributes: { [OVERAGE_CLAIM]: ['https://graph.windows.net/t/users/u/getMemberObjects'] } }));
  const html = await response.text();
  assert.deepEqual([response.status, pageCode(html)], [403, 'access_groups_overage']);
  assert.match(html, /Groups assigned to the application/);
  assert.equal(sessionCookieOf(response), null);
});

test('a bad allow rule or public path is the configuration error page naming the variable', async () => {
  for (const [variable, value] of [['ALLOW_EMAIL_DOMAINS', '*.contoso.com'], ['ALLOW_EMAILS', 'nobody'], ['PUBLIC_PATHS', '/']]) {
    await withWorker({ ...ENTRA, [variable]: value }, async (w) => {
      const response = await w.fetch('/login/');
      assert.equal(response.status, 500);
      assert.match(await response.text(), new RegExp(`<code>${variable}</code>`));
    });
  }
});

/** GET `path` on the Worker's socket exactly as written (no client-side URL normalisation). */
async function rawGet(w, path, headers = {}) {
  const base = await w.mf.ready;
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: base.hostname, port: base.port, path, headers: { Host: 'localhost:8787', ...headers } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('PUBLIC_PATHS=/public/: proxied without session and without identity; /publicity/x and /public/../x still need sign-in', async () => {
  const origin = await recorder();
  const w = await worker({ ...ENTRA, ORIGIN: origin.url, PUBLIC_PATHS: '/public/', JWT_SIGNING_KEY: KEYS.ES256.privateKey });
  const spoofed = { 'Saml-Edge-Email': 'ceo@contoso.com', saml_edge_jwt_assertion: 'forged', 'Saml-Edge-Name-Id': 'ceo' };
  let response = await w.fetch('/public/logo.svg', { headers: spoofed });
  assert.equal(response.status, 200);
  assert.equal(await response.text(), 'origin');
  assert.equal(origin.hits.at(-1).url, '/public/logo.svg');
  assert.deepEqual(identityHeaders(origin.hits.at(-1)), []);
  // Signed in, a public path still carries no identity.
  const browser = await signedIn(w);
  await browser.request('/public/logo.svg', { headers: spoofed });
  assert.deepEqual(identityHeaders(origin.hits.at(-1)), []);
  const hits = origin.hits.length;

  for (const path of ['/publicity/x', '/public', '/x']) {
    response = await w.fetch(path);
    if (path === '/public') {
      assert.equal(response.status, 200, 'the prefix itself is public');
      continue;
    }
    assert.equal(response.status, 302, path);
    assert.match(response.headers.get('Location'), /^\/login\/\?next=/);
  }
  for (const path of ['/public/../x', '/public/%2e%2e/x', '/public/.%2E/x', '/public/..%2fx', '/public/..%5Cx', '/public%2f..%2fx', '/public/..\\x', '/public/..;/x', '/public/%252e%252e/x']) {
    const raw = await rawGet(w, path);
    assert.equal(raw.status, 302, path);
    assert.match(raw.headers.location, /^\/login\/\?next=/, path);
  }
  assert.equal(origin.hits.length, hits + 1, 'only /public itself reached the origin');
  // Through the real socket, a plain public path works too (the raw helper is not vacuous).
  assert.equal((await rawGet(w, '/public/a/b.css')).status, 200);
});

test('without a session: API calls get 401 JSON with the login URL, a browser gets the 302', async () => {
  const origin = await recorder();
  const w = await worker({ ...ENTRA, ORIGIN: origin.url });
  const api = [
    ['GET', { Accept: 'application/json' }],
    ['GET', { Accept: 'application/json, text/plain, */*' }],
    ['GET', { 'X-Requested-With': 'XMLHttpRequest' }],
    ['POST', { Accept: 'text/html', 'Content-Type': 'application/json' }],
    ['DELETE', {}],
  ];
  for (const [method, headers] of api) {
    const response = await w.fetch('/api/items?page=2', { method, headers, ...(method === 'POST' ? { body: '{}' } : {}) });
    assert.equal(response.status, 401, `${method} ${JSON.stringify(headers)}`);
    assert.match(response.headers.get('Content-Type'), /^application\/json/);
    assert.equal(response.headers.get('Cache-Control'), 'no-store');
    assert.deepEqual(await response.json(), { error: 'login_required', login: '/login/?next=%2Fapi%2Fitems%3Fpage%3D2' });
  }
  for (const headers of [{ Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' }, {}, { Accept: '*/*' }]) {
    const response = await w.fetch('/api/items', { headers });
    assert.equal(response.status, 302, JSON.stringify(headers));
    assert.equal(response.headers.get('Location'), '/login/?next=%2Fapi%2Fitems');
  }
  assert.equal(origin.hits.length, 0);
  // Signed in, the same API call goes through.
  const browser = await signedIn(w);
  assert.equal((await browser.request('/api/items', { headers: { Accept: 'application/json' } })).status, 200);
});

test('with provisioning, the token carries the SCIM groups next to the assertion\'s, and a deactivated user\'s requests stop reaching ORIGIN', async () => {
  const origin = await recorder();
  const token = 'scim-token-0123456789abcdef0123456789abcdef';
  const w = await worker({
    ...ENTRA,
    ORIGIN: origin.url,
    JWT_SIGNING_KEY: KEYS.ES256.privateKey,
    SCIM_TOKEN: token,
    ACCESS_REQUIRES_PROVISIONING: 'true',
    SESSION_REFRESH_SECONDS: '1',
  });
  const scim = (method, path, body) =>
    w.fetch(`/scim/v2${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  const user = await (await scim('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'B.Simon@contoso.com', active: true })).json();
  const group = await (await scim('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Engineering', members: [{ value: user.id }] })).json();
  assert.ok(group.id);
  const browser = await signedIn(w, { attributes: { [GROUPS_CLAIM]: [FINANCE] } });
  assert.equal(await (await browser.request('/app')).text(), 'origin');
  const claims = await verifyWithJose(jwtOf(origin.hits.at(-1))[0], (await jwksOf(w)).jwks);
  assert.equal(claims.sub, 'B.Simon@contoso.com');
  assert.deepEqual([...claims.groups].sort(), [FINANCE, 'Engineering'].sort());
  // Deactivated in Entra (SCIM active "False"): within the refresh interval, no more proxying.
  const patched = await scim('PATCH', `/Users/${user.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
  assert.equal(patched.status, 200);
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const hits = origin.hits.length;
  const after = await browser.request('/app');
  assert.equal(after.status, 302);
  assert.equal(origin.hits.length, hits, 'the origin is not reached after deactivation');
});
