// Single Logout through the npm API, against pysaml2 (an independent SAML implementation that
// drives xmlsec1) as the IdP: its signed HTTP-Redirect LogoutRequest and LogoutResponse are
// verified by verifyLogoutRequest / verifyLogoutResponse, and it reads the LogoutRequest that
// logoutRequestUrl builds. Forged variants are refused with their codes.
//
// Needs python3 with pysaml2 (make setup) and openssl; without them the pysaml2 test is skipped,
// except under CI, where it fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateRawSync } from 'node:zlib';
import { ServiceProvider, SamlError } from 'saml-edge';

const TENANT = '8bd6e98d-e212-4022-b13f-a244fab4c253';
const IDP = `https://sts.windows.net/${TENANT}/`;
const LOGIN_ISSUER = `https://login.microsoftonline.com/${TENANT}/`;
const IDP_SLO = `https://login.microsoftonline.com/${TENANT}/saml2`;
const SP = 'https://app.example.com/saml/metadata';
const SP_SLO = 'https://app.example.com/saml/slo';
const EMAIL = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
const PEER = fileURLToPath(new URL('../tools/slo_peer.py', import.meta.url));

async function rejectsCode(promise, code) {
  let caught;
  await assert.rejects(promise, (error) => {
    caught = error;
    return true;
  });
  assert.ok(caught instanceof SamlError, `expected a SamlError, got ${caught}`);
  assert.equal(caught.code, code, caught.message);
  return caught;
}

function keys(dir, name) {
  const key = join(dir, `${name}-key.pem`);
  const cert = join(dir, `${name}-cert.pem`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '30',
    '-subj', `/CN=${name}`, '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { key, cert, certPem: readFileSync(cert, 'utf8') };
}

function peer(...args) {
  return JSON.parse(execFileSync('python3', [PEER, ...args], { encoding: 'utf8' }));
}

function pysaml2Available() {
  try {
    execFileSync('python3', ['-c', 'import saml2, cryptography'], { stdio: 'ignore' });
    execFileSync('xmlsec1', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const config = (certPem) => ({
  entityId: SP,
  acsUrl: 'https://app.example.com/saml/acs',
  sloUrl: SP_SLO,
  idp: { entityId: IDP, ssoUrl: IDP_SLO, sloUrl: IDP_SLO, certificates: [certPem] },
});

const probe = new ServiceProvider(config(readFileSync(new URL('../../src/saml/testdata/sp-test-cert.pem', import.meta.url), 'utf8')));

test('incoming Redirect messages are inflated by the platform, bounded, with the Rust codes', async () => {
  const message = (bytes) => `SAMLRequest=${encodeURIComponent(Buffer.from(bytes).toString('base64'))}`;
  // A DEFLATE bomb: 64 MB of spaces in about 64 KB stops at max_inflated_bytes.
  const bomb = deflateRawSync(Buffer.alloc(64 << 20, 0x20), { level: 9 });
  const error = await rejectsCode(probe.verifyLogoutRequest(message(bomb)), 'limit_exceeded');
  assert.match(error.message, /max_inflated_bytes/);
  await rejectsCode(probe.verifyLogoutRequest(message([0x07, 0x00])), 'invalid_deflate');
  await rejectsCode(probe.verifyLogoutRequest(message(deflateRawSync('<a/>').subarray(0, 2))), 'invalid_deflate');
  // Checks before inflating are the module's: no message, two messages, bad base64.
  await rejectsCode(probe.verifyLogoutRequest('RelayState=x'), 'invalid_form');
  await rejectsCode(probe.verifyLogoutRequest(`${message(deflateRawSync('<a/>'))}&SAMLResponse=x`), 'invalid_form');
  await rejectsCode(probe.verifyLogoutRequest('SAMLRequest=%%%'), 'invalid_form');
  // Inflated, the text is parsed and checked as the message: an unsigned one is refused.
  await rejectsCode(probe.verifyLogoutRequest(message(deflateRawSync('<a/>'))), 'query_signature_missing');
});

test('SP metadata lists SingleLogoutService at the SLO URL for Redirect and POST', () => {
  const xml = probe.metadata();
  for (const binding of ['HTTP-Redirect', 'HTTP-POST']) {
    assert.match(xml, new RegExp(`SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:${binding}" Location="${SP_SLO}"`));
  }
  assert.equal(probe.idpSloUrl, IDP_SLO);
});

test('SLO with pysaml2 as the IdP: IdP-initiated and SP-initiated, and the forgeries', { skip: !pysaml2Available() && !process.env.CI && 'needs pysaml2 (make setup)' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'saml-edge-slo-'));
  try {
    const idp = keys(dir, 'idp');
    const stranger = keys(dir, 'stranger');
    const sp = new ServiceProvider(config(idp.certPem));
    writeFileSync(join(dir, 'sp.xml'), sp.metadata());
    const conf = (extra = {}, keyPair = idp) => {
      const file = join(dir, `conf-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(file, JSON.stringify({
        idp_entity_id: IDP, idp_slo_url: IDP_SLO, key: keyPair.key, cert: keyPair.cert,
        sp_metadata: join(dir, 'sp.xml'), sp_slo_url: SP_SLO, sp_entity_id: SP,
        relay_state: 'rs/1', name_id: 'b.simon@contoso.com', name_id_format: EMAIL,
        session_index: '_s1', want_signed: false, ...extra,
      }));
      return file;
    };
    const query = (url) => url.slice(url.indexOf('?') + 1);

    // IdP-initiated: pysaml2's signed LogoutRequest, verified from the raw query.
    const sent = peer('idp-request', conf());
    const request = await sp.verifyLogoutRequest(query(sent.url));
    assert.equal(request.id, sent.id);
    assert.equal(request.nameId, 'b.simon@contoso.com');
    assert.equal(request.nameIdFormat, EMAIL);
    assert.deepEqual(request.sessionIndexes, ['_s1']);
    assert.equal(request.relayState, 'rs/1');
    assert.ok(Date.parse(request.replayUntil) > Date.now());
    // …answered with a LogoutResponse: InResponseTo, RelayState unchanged.
    const answer = sp.logoutResponseUrl({ inResponseTo: request.id, relayState: request.relayState });
    const answerUrl = new URL(answer.url);
    assert.equal(`${answerUrl.origin}${answerUrl.pathname}`, IDP_SLO);
    assert.equal(answerUrl.searchParams.get('RelayState'), 'rs/1');
    assert.ok(answer.requestId.startsWith('_'));
    // Forged: RelayState appended after signing, a stranger's key, unsigned, stale.
    await rejectsCode(sp.verifyLogoutRequest(`${query(peer('idp-request', conf({ relay_state: '' })).url)}&RelayState=x`), 'signature_invalid');
    await rejectsCode(sp.verifyLogoutRequest(query(peer('idp-request', conf({}, stranger)).url)), 'signature_invalid');
    await rejectsCode(sp.verifyLogoutRequest(query(sent.url).split('&SigAlg=')[0]), 'query_signature_missing');
    await rejectsCode(sp.verifyLogoutRequest(query(sent.url), { now: Date.now() + 10 * 60 * 1000 }), 'message_expired');

    // SP-initiated: our LogoutRequest, read by pysaml2 …
    const logout = sp.logoutRequestUrl({
      nameId: 'b.simon@contoso.com', nameIdFormat: EMAIL, nameQualifier: null,
      spNameQualifier: SP, sessionIndex: '_s1', relayState: '/bye',
    });
    assert.ok(logout.requestId.startsWith('_'));
    const parsed = peer('parse-request', conf(), logout.url);
    assert.equal(parsed.id, logout.requestId);
    assert.equal(parsed.issuer, SP);
    assert.equal(parsed.nameId, 'b.simon@contoso.com');
    assert.equal(parsed.format, EMAIL);
    assert.equal(parsed.spNameQualifier, SP);
    assert.deepEqual(parsed.sessionIndexes, ['_s1']);
    assert.equal(parsed.destination, IDP_SLO);
    // … and its LogoutResponse, signed as Entra signs (Issuer https://login.microsoftonline.com/<tenant>/).
    const reply = peer('idp-response', conf({ issuer: LOGIN_ISSUER, relay_state: '/bye' }), logout.requestId);
    const response = await sp.verifyLogoutResponse(query(reply.url), { requestId: logout.requestId });
    assert.deepEqual(Object.keys(response), ['id', 'issuer', 'inResponseTo', 'issueInstant', 'relayState']);
    assert.equal(response.issuer, LOGIN_ISSUER);
    assert.equal(response.relayState, '/bye');
    await rejectsCode(sp.verifyLogoutResponse(query(reply.url), { requestId: '_other' }), 'in_response_to_mismatch');
    await rejectsCode(sp.verifyLogoutResponse(query(reply.url), {}), 'config_missing');
    await rejectsCode(sp.verifyLogoutRequest(query(reply.url)), 'not_a_logout_message');

    // HTTP-POST: pysaml2's LogoutRequest and LogoutResponse signed by xmlsec1 (enveloped).
    const posted = peer('idp-request', conf({ binding: 'post' }));
    const postedRequest = await sp.verifyLogoutRequest(posted.form);
    assert.equal(postedRequest.id, posted.id);
    assert.equal(postedRequest.nameId, 'b.simon@contoso.com');
    assert.equal(postedRequest.relayState, 'rs/1');
    const xml = Buffer.from(posted.form.SAMLRequest, 'base64').toString('utf8');
    const altered = { ...posted.form, SAMLRequest: Buffer.from(xml.replace('b.simon@contoso.com', 'admin@contoso.com')).toString('base64') };
    await rejectsCode(sp.verifyLogoutRequest(altered), 'digest_mismatch');
    const unsigned = xml.replace(/<(\w+:)?Signature[\s>][\s\S]*<\/(\w+:)?Signature>/, '');
    assert.notEqual(unsigned, xml);
    await rejectsCode(sp.verifyLogoutRequest({ SAMLRequest: Buffer.from(unsigned).toString('base64') }), 'signature_missing');
    await rejectsCode(sp.verifyLogoutRequest(peer('idp-request', conf({ binding: 'post' }, stranger)).form), 'signature_invalid');
    const postedReply = peer('idp-response', conf({ binding: 'post', issuer: LOGIN_ISSUER, relay_state: '/bye' }), logout.requestId);
    const postedResponse = await sp.verifyLogoutResponse(postedReply.form, { requestId: logout.requestId });
    assert.equal(postedResponse.inResponseTo, logout.requestId);
    assert.equal(postedResponse.relayState, '/bye');
    await rejectsCode(sp.verifyLogoutResponse(postedReply.form, { requestId: '_other' }), 'in_response_to_mismatch');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
