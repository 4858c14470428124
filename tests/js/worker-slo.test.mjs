// SAML single logout on workerd (Miniflare) with pysaml2 (which drives xmlsec1) as the IdP:
// IdP-initiated (its signed LogoutRequest ends every session of the NameID, in every browser,
// and is answered with a LogoutResponse) and SP-initiated (/logout revokes at once, redirects
// with a LogoutRequest that pysaml2 reads, and pysaml2's LogoutResponse, signed as Entra signs
// it, brings the browser back to its return path); forged, replayed and altered messages are
// refused with their codes and end nothing.
//
// Needs python3 with pysaml2 (make setup); skipped without it, except under CI, where it fails.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';
import { Browser, IDP_CERT_PEM, SECRET, generated, pageCode, requestIdOf, signedResponse, startWorker } from './worker-harness.mjs';

const SP = 'https://app.example.com/saml/metadata';
const ACS = 'http://localhost:8787/saml/acs';
const SLO = 'http://localhost:8787/saml/slo';
const IDP = 'https://sts.windows.net/<tenant>/';
const LOGIN_ISSUER = 'https://login.microsoftonline.com/<tenant>/';
const SSO = 'https://login.microsoftonline.com/0f4a6c1d-2b3e-4f50-8a1b-9c2d3e4f5a6b/saml2';
const IDP_SLO = 'https://login.microsoftonline.com/0f4a6c1d-2b3e-4f50-8a1b-9c2d3e4f5a6b/saml2?slo=1';
const EMAIL = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
const PEER = fileURLToPath(new URL('../tools/slo_peer.py', import.meta.url));
const REFRESH_MS = 1000;

function available() {
  try {
    execFileSync('python3', ['-c', 'import saml2, cryptography'], { stdio: 'ignore' });
    execFileSync('xmlsec1', ['--version'], { stdio: 'ignore' });
  } catch {
    return false;
  }
  return true;
}
const skip = !available() && !process.env.CI && 'needs pysaml2 (make setup)';

const workers = [];
const dir = mkdtempSync(join(tmpdir(), 'saml-edge-worker-slo-'));
after(async () => {
  await Promise.all(workers.map((w) => w.dispose()));
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function worker() {
  const w = await startWorker({
    SP_ENTITY_ID: SP, IDP_CERT: IDP_CERT_PEM, IDP_ENTITY_ID: IDP, IDP_SSO_URL: SSO, IDP_SLO_URL: IDP_SLO,
    SESSION_SECRET: SECRET, SESSION_REFRESH_SECONDS: String(REFRESH_MS / 1000),
  });
  workers.push(w);
  return w;
}

async function signIn(w, nameId = 'B.Simon@contoso.com') {
  const browser = new Browser(w);
  const login = await browser.request('/login/?next=/app/');
  const requestId = requestIdOf(login.headers.get('Location'));
  const response = await browser.post('/saml/acs', { SAMLResponse: signedResponse({ requestId, acsUrl: ACS, spEntityId: SP, nameId }) });
  assert.equal(response.status, 303);
  return browser;
}

let confs = 0;
/** A pysaml2 IdP configuration (the committed test IdP key unless `key`/`cert` are given). */
function conf(metadata, extra = {}) {
  confs += 1;
  const file = join(dir, `conf-${confs}.json`);
  writeFileSync(file, JSON.stringify({
    idp_entity_id: IDP, idp_slo_url: IDP_SLO,
    key: fileURLToPath(new URL('idp.key', generated)), cert: fileURLToPath(new URL('idp.crt', generated)),
    sp_metadata: metadata, sp_slo_url: SLO, sp_entity_id: SP,
    relay_state: 'rs-1', name_id: 'B.Simon@contoso.com', name_id_format: EMAIL, want_signed: false, ...extra,
  }));
  return file;
}
const peer = (...args) => JSON.parse(execFileSync('python3', [PEER, ...args], { encoding: 'utf8' }));
const pathOf = (url) => { const u = new URL(url); return `${u.pathname}${u.search}`; };

async function metadataFile(w) {
  const xml = await (await w.fetch('/saml/metadata')).text();
  assert.match(xml, /SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="http:\/\/localhost:8787\/saml\/slo"/);
  const file = join(dir, 'sp-metadata.xml');
  writeFileSync(file, xml);
  return file;
}

test('IdP-initiated: a pysaml2 LogoutRequest ends the sessions of its NameID everywhere and is answered', { skip }, async () => {
  const w = await worker();
  const metadata = await metadataFile(w);
  const first = await signIn(w);
  const second = await signIn(w);
  const other = await signIn(w, 'jane.doe@contoso.com');
  const otherElsewhere = await signIn(w, 'jane.doe@contoso.com');

  // Forged first (a stranger's key) and altered (RelayState appended): refused, nothing ends.
  const strangerDir = mkdtempSync(join(dir, 'stranger-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=stranger', '-keyout', join(strangerDir, 'k.pem'), '-out', join(strangerDir, 'c.pem')], { stdio: 'ignore' });
  const forged = peer('idp-request', conf(metadata, { key: join(strangerDir, 'k.pem'), cert: join(strangerDir, 'c.pem') }));
  let answer = await first.request(pathOf(forged.url));
  assert.equal(answer.status, 403);
  assert.equal(pageCode(await answer.text()), 'signature_invalid');
  const plain = peer('idp-request', conf(metadata, { relay_state: '' }));
  answer = await first.request(`${pathOf(plain.url)}&RelayState=%2fadmin`);
  assert.equal(pageCode(await answer.text()), 'signature_invalid');
  answer = await first.request(pathOf(plain.url).split('&SigAlg=')[0]);
  assert.equal(pageCode(await answer.text()), 'query_signature_missing');
  await sleep(REFRESH_MS + 100);
  assert.equal((await second.request('/saml/session')).status, 200, 'nothing ended by refused messages');

  // The genuine one: 302 to the IdP's SLO URL with a LogoutResponse.
  const sent = peer('idp-request', conf(metadata));
  answer = await first.request(pathOf(sent.url));
  assert.equal(answer.status, 302);
  const location = new URL(answer.headers.get('Location'));
  assert.equal(`${location.origin}${location.pathname}`, 'https://login.microsoftonline.com/0f4a6c1d-2b3e-4f50-8a1b-9c2d3e4f5a6b/saml2');
  assert.equal(location.searchParams.get('slo'), '1');
  assert.equal(location.searchParams.get('RelayState'), 'rs-1');
  const xml = inflateRawSync(Buffer.from(location.searchParams.get('SAMLResponse'), 'base64')).toString();
  assert.match(xml, new RegExp(`InResponseTo="${sent.id}"`));
  assert.match(xml, /StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/);
  assert.match(xml, /Destination="https:\/\/login\.microsoftonline\.com\/0f4a6c1d-2b3e-4f50-8a1b-9c2d3e4f5a6b\/saml2\?slo=1"/);

  // Every session of that NameID ends (the other browser within SESSION_REFRESH_SECONDS); not others.
  assert.equal((await first.request('/saml/session')).status, 401);
  await sleep(REFRESH_MS + 100);
  assert.equal((await second.request('/saml/session')).status, 401);
  assert.equal((await other.request('/saml/session')).status, 200);

  // Replayed: refused.
  answer = await other.request(pathOf(sent.url));
  assert.equal(answer.status, 403);
  assert.equal(pageCode(await answer.text()), 'logout_replayed');
  assert.equal((await other.request('/saml/session')).status, 200);
  // Entra's encoding: a LogoutRequest signed (by Python cryptography) over lower-case escapes.
  const instant = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const handXml = join(dir, 'hand.xml');
  writeFileSync(handXml,
    '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ' +
    `ID="_entra${Date.now()}" Version="2.0" IssueInstant="${instant}" Destination="${SLO}">` +
    `<saml:Issuer>${LOGIN_ISSUER.replace('<', '&lt;').replace('>', '&gt;')}</saml:Issuer><saml:NameID Format="${EMAIL}">jane.doe@contoso.com</saml:NameID></samlp:LogoutRequest>`);
  const { query } = peer('sign-query', fileURLToPath(new URL('idp.key', generated)), 'SAMLRequest', handXml, 'r/1', 'sha256', 'lower');
  assert.match(query, /%2f/);
  answer = await other.request(`/saml/slo?${query}`);
  assert.equal(answer.status, 302, pageCode(await answer.clone().text()) ?? '');
  assert.equal(new URL(answer.headers.get('Location')).searchParams.get('RelayState'), 'r/1');
  assert.equal((await other.request('/saml/session')).status, 401);
  await sleep(REFRESH_MS + 100);
  assert.equal((await otherElsewhere.request('/saml/session')).status, 401, 'revoked in the registry');

});

test('SP-initiated: /logout revokes at once, pysaml2 reads the LogoutRequest, its LogoutResponse brings the user back', { skip }, async () => {
  const w = await worker();
  const metadata = await metadataFile(w);
  const browser = await signIn(w);
  const copy = new Browser(w);
  copy.cookies = new Map(browser.cookies);

  const out = await browser.request('/logout?next=/bye/');
  assert.equal(out.status, 302);
  const url = out.headers.get('Location');
  assert.ok(url.startsWith(`${IDP_SLO}&SAMLRequest=`), url);
  await sleep(REFRESH_MS + 100);
  assert.equal((await copy.request('/saml/session')).status, 401, 'the old session cookie is refused');

  const parsed = peer('parse-request', conf(metadata), url);
  assert.match(parsed.id, /^[^0-9]/);
  assert.equal(parsed.issuer, SP);
  assert.equal(parsed.nameId, 'B.Simon@contoso.com');
  assert.equal(parsed.format, EMAIL);
  assert.equal(parsed.sessionIndexes.length, 1);
  assert.equal(parsed.destination, IDP_SLO);

  // pysaml2 answers as Entra does (Issuer https://login.microsoftonline.com/<tenant>/).
  const relayState = new URL(url).searchParams.get('RelayState');
  assert.ok(relayState.length <= 80, `RelayState of ${relayState.length} bytes (SAML bindings §3.4.3: at most 80)`);
  const reply = peer('idp-response', conf(metadata, { issuer: LOGIN_ISSUER, relay_state: relayState }), parsed.id);
  // In another browser (no logout cookie): refused, still signed out.
  const stranger = await new Browser(w).request(pathOf(reply.url));
  assert.equal(pageCode(await stranger.text()), 'logout_request_unknown');
  const back = await browser.request(pathOf(reply.url));
  assert.equal(back.status, 302);
  assert.equal(back.headers.get('Location'), '/bye/');
  // The same response again: the logout cookie is gone.
  assert.equal(pageCode(await (await browser.request(pathOf(reply.url))).text()), 'logout_request_unknown');
});

test('HTTP-POST: a posted LogoutRequest ends the NameID\'s sessions, a posted LogoutResponse brings the user back', { skip }, async () => {
  const w = await worker();
  const metadata = await metadataFile(w);
  const first = await signIn(w);
  const elsewhere = await signIn(w);

  // pysaml2's LogoutRequest signed by xmlsec1 (enveloped), posted as a form; altered, refused.
  const sent = peer('idp-request', conf(metadata, { binding: 'post' }));
  const xml = Buffer.from(sent.form.SAMLRequest, 'base64').toString('utf8');
  const altered = { ...sent.form, SAMLRequest: Buffer.from(xml.replace('B.Simon@contoso.com', 'jane.doe@contoso.com')).toString('base64') };
  let answer = await first.post('/saml/slo', altered);
  assert.equal(pageCode(await answer.text()), 'digest_mismatch');
  answer = await first.post('/saml/slo', [...Object.entries(sent.form), ['RelayState', 'again']]);
  assert.equal(pageCode(await answer.text()), 'invalid_form');
  answer = await first.request('/saml/slo', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(sent.form) });
  assert.equal(answer.status, 415);
  assert.equal(pageCode(await answer.text()), 'slo_binding_unsupported');
  // A RelayState that the LogoutResponse could not carry back: refused before anything ends.
  answer = await first.post('/saml/slo', { ...sent.form, RelayState: 'x'.repeat(3000) });
  assert.deepEqual([answer.status, pageCode(await answer.text())], [400, 'invalid_form']);
  answer = await first.post('/saml/slo', { ...sent.form, RelayState: 'a\u0085b' });
  assert.deepEqual([answer.status, pageCode(await answer.text())], [400, 'invalid_form']);
  assert.equal((await first.request('/saml/session')).status, 200, 'nothing ended by refused messages');

  answer = await first.post('/saml/slo', sent.form);
  assert.equal(answer.status, 302, pageCode(await answer.clone().text()) ?? '');
  const location = new URL(answer.headers.get('Location'));
  assert.equal(location.searchParams.get('RelayState'), 'rs-1');
  const reply = inflateRawSync(Buffer.from(location.searchParams.get('SAMLResponse'), 'base64')).toString();
  assert.match(reply, new RegExp(`InResponseTo="${sent.id}"`));
  assert.equal((await first.request('/saml/session')).status, 401);
  await sleep(REFRESH_MS + 100);
  assert.equal((await elsewhere.request('/saml/session')).status, 401);
  assert.equal(pageCode(await (await elsewhere.post('/saml/slo', sent.form)).text()), 'logout_replayed');

  // SP-initiated, the IdP posting its LogoutResponse back (the logout cookie is SameSite=None).
  const browser = await signIn(w);
  const out = await browser.request('/logout?next=/bye/');
  const set = out.headers.getSetCookie().find((c) => c.startsWith('__Host-saml_edge_logout='));
  assert.match(set, /SameSite=None/);
  const parsed = peer('parse-request', conf(metadata), out.headers.get('Location'));
  const relayState = new URL(out.headers.get('Location')).searchParams.get('RelayState');
  const posted = peer('idp-response', conf(metadata, { binding: 'post', issuer: LOGIN_ISSUER, relay_state: relayState }), parsed.id);
  const back = await browser.post('/saml/slo', posted.form);
  assert.equal(back.status, 302, pageCode(await back.clone().text()) ?? '');
  assert.equal(back.headers.get('Location'), '/bye/');

  // A LogoutResponse with another RelayState than the one sent: signed out, no redirect.
  const again = await signIn(w);
  const out2 = await again.request('/logout?next=/bye/');
  const parsed2 = peer('parse-request', conf(metadata), out2.headers.get('Location'));
  const tampered = peer('idp-response', conf(metadata, { binding: 'post', issuer: LOGIN_ISSUER, relay_state: 'elsewhere' }), parsed2.id);
  const page = await again.post('/saml/slo', tampered.form);
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('Location'), null);
  assert.equal((await again.request('/saml/session')).status, 401);
});
