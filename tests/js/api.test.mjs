// The JS API of the built package (imported by name), beyond the manifest's verdicts: the exact
// identity object, SamlError, configuration and option checking, inspect, AuthnRequests,
// metadata, recovery from a trapped instance, and that index.d.ts matches the runtime.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { SignedXml } from 'xml-crypto';
import * as api from 'saml-edge';
import { ServiceProvider, SamlError } from 'saml-edge';
import { readFixture } from './fixtures.mjs';

const generated = new URL('../data/generated/', import.meta.url);
const repo = new URL('../../', import.meta.url);

// A real Microsoft Entra ID response (tercen/saml) and its signing certificate.
const ENTRA = {
  xml: readFixture('entra/tercen/azure_ad_response.xml'),
  cert: readFixture('entra/tercen/azure-ad-cert.pem', 'utf8'),
  tenant: 'https://sts.windows.net/5b5c94c6-14cf-42da-85bc-4e08722b253b/',
  sso: 'https://login.microsoftonline.com/5b5c94c6-14cf-42da-85bc-4e08722b253b/saml2',
  sp: 'https://devpg.tercen.com/_service/sso/auth/saml',
  requestId: 'id6491e192-e2d9-4970-ab03-e38ffda6e033',
  now: new Date('2022-02-23T17:49:23.872Z'),
};
const entraConfig = (extra = {}) => ({
  entityId: ENTRA.sp,
  acsUrl: ENTRA.sp,
  idp: { entityId: ENTRA.tenant, ssoUrl: ENTRA.sso, certificates: [ENTRA.cert] },
  ...extra,
});
const entraResponse = ENTRA.xml.toString('base64');
const entraOptions = { requestId: ENTRA.requestId, now: ENTRA.now };

const EXPECTED_IDENTITY = {
  nameId: 'test@alexandremaurelgmail.onmicrosoft.com',
  nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  nameQualifier: null,
  spNameQualifier: null,
  sessionIndex: '_8c68ecbc-f68b-4f9b-bf66-e6afe9c0b001',
  issuer: ENTRA.tenant,
  assertionId: '_8c68ecbc-f68b-4f9b-bf66-e6afe9c0b001',
  inResponseTo: ENTRA.requestId,
  attributes: {
    'http://schemas.microsoft.com/identity/claims/tenantid': ['5b5c94c6-14cf-42da-85bc-4e08722b253b'],
    'http://schemas.microsoft.com/identity/claims/objectidentifier': ['814bd554-6a00-405c-91d5-4132d39ba4fb'],
    'http://schemas.microsoft.com/identity/claims/displayname': ['test'],
    'http://schemas.microsoft.com/identity/claims/identityprovider': [ENTRA.tenant],
    'http://schemas.microsoft.com/claims/authnmethodsreferences': [
      'http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password',
    ],
    'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name': ['test@alexandremaurelgmail.onmicrosoft.com'],
  },
  notOnOrAfter: '2022-02-23T18:49:18.779Z',
  sessionNotOnOrAfter: null,
  authnInstant: '2022-02-23T10:17:10.452Z',
  authnContextClassRef: 'urn:oasis:names:tc:SAML:2.0:ac:classes:Password',
};

/** Asserts that `fn` throws a SamlError with `code` (and returns it). */
function throwsCode(fn, code, messagePattern) {
  let caught;
  assert.throws(fn, (error) => {
    caught = error;
    return true;
  });
  assert.ok(caught instanceof SamlError, `expected a SamlError, got ${caught}`);
  assert.ok(caught instanceof Error);
  assert.equal(caught.code, code, caught.message);
  if (messagePattern) assert.match(caught.message, messagePattern);
  return caught;
}

test('verifyPostResponse returns the identity as a plain object with ISO-8601 dates', () => {
  const sp = new ServiceProvider(entraConfig());
  const identity = sp.verifyPostResponse(entraResponse, entraOptions);
  assert.deepEqual(identity, EXPECTED_IDENTITY);
  assert.equal(Object.getPrototypeOf(identity), Object.prototype);
  assert.deepEqual(Object.keys(identity), Object.keys(EXPECTED_IDENTITY), 'field order as the CLI JSON');
  assert.deepEqual(JSON.parse(JSON.stringify(identity)), EXPECTED_IDENTITY);
  // `now` as milliseconds, and line breaks in the form value, are accepted too.
  const wrapped = entraResponse.replace(/.{76}/g, '$&\r\n');
  assert.deepEqual(
    sp.verifyPostResponse(wrapped, { requestId: ENTRA.requestId, now: ENTRA.now.getTime() }),
    EXPECTED_IDENTITY,
  );
});

test('SamlError is a real Error subclass with a stable code', () => {
  const sp = new ServiceProvider(entraConfig());
  // Without `now`, Date.now() is used: this 2022 response has expired.
  const error = throwsCode(() => sp.verifyPostResponse(entraResponse, { requestId: ENTRA.requestId }), 'assertion_expired');
  assert.equal(error.name, 'SamlError');
  assert.ok(error.stack.includes('SamlError'));
  assert.match(String(error), /^SamlError: the assertion expired/);
  const own = new SamlError('signature_invalid', 'made by hand');
  assert.ok(own instanceof Error && own instanceof SamlError);
  assert.equal(own.code, 'signature_invalid');
  assert.equal(own.name, 'SamlError');
});

test('verification failures carry the core error codes', () => {
  const sp = new ServiceProvider(entraConfig());
  throwsCode(() => sp.verifyPostResponse(entraResponse, { requestId: '_other', now: ENTRA.now }), 'in_response_to_mismatch');
  // The response answers a request, and this browser has none pending.
  throwsCode(() => sp.verifyPostResponse(entraResponse, { now: ENTRA.now }), 'in_response_to_mismatch');
  throwsCode(() => sp.verifyPostResponse(entraResponse, { requestId: null, now: ENTRA.now }), 'in_response_to_mismatch');
  throwsCode(() => sp.verifyPostResponse('', entraOptions), 'empty_input');
  // A missing form field (FormData.get returns null) is an empty input.
  throwsCode(() => sp.verifyPostResponse(null, entraOptions), 'empty_input');
  throwsCode(() => sp.verifyPostResponse(undefined, entraOptions), 'empty_input');
  throwsCode(() => sp.verifyPostResponse(42, entraOptions), 'invalid_form');
  throwsCode(() => sp.verifyPostResponse('not base64!', entraOptions), 'invalid_base64');
  const tampered = Buffer.from(ENTRA.xml.toString('utf8').replace('test@alexandre', 'admin@alexandre')).toString('base64');
  throwsCode(() => sp.verifyPostResponse(tampered, entraOptions), 'digest_mismatch');
  const unsolicited = new ServiceProvider(entraConfig({ allowUnsolicited: true }));
  // InResponseTo is present, so it must still match when a request ID is given.
  assert.equal(unsolicited.verifyPostResponse(entraResponse, entraOptions).nameId, EXPECTED_IDENTITY.nameId);
  const otherSp = new ServiceProvider(entraConfig({ entityId: 'https://other.example/' }));
  throwsCode(() => otherSp.verifyPostResponse(entraResponse, entraOptions), 'audience_mismatch');
});

test('a huge form value is refused without being copied whole into wasm memory', async () => {
  const core = await import(new URL('pkg/core.js', repo));
  const sp = new ServiceProvider(entraConfig());
  const before = core.__memoryBytesForTests();
  for (const huge of ['A'.repeat(64 * 1024 * 1024), '\u00e9'.repeat(8 * 1024 * 1024), `<${'x'.repeat(32 * 1024 * 1024)}`]) {
    throwsCode(() => sp.verifyPostResponse(huge, entraOptions), 'limit_exceeded', /max_input_bytes/);
    const report = sp.inspect(huge, entraOptions);
    assert.equal(report.checks[0].outcome, 'failed');
    assert.equal(report.error.code, 'limit_exceeded');
  }
  // The wasm memory grew by a few megabytes at most, not by the inputs' size.
  const grown = core.__memoryBytesForTests() - before;
  assert.ok(grown < 16 * 1024 * 1024, `wasm memory grew by ${grown} bytes`);
  // Just under the limit is decoded (and then refused for what it is).
  throwsCode(() => sp.verifyPostResponse('A'.repeat(1024 * 1024 - 4) + '====', entraOptions), 'invalid_base64');
});

test('options are checked: unknown keys and wrong types are refused', () => {
  const sp = new ServiceProvider(entraConfig());
  throwsCode(() => sp.verifyPostResponse(entraResponse, { requestID: ENTRA.requestId, now: ENTRA.now }), 'config_invalid', /requestID/);
  throwsCode(() => sp.verifyPostResponse(entraResponse, { requestId: 7, now: ENTRA.now }), 'config_invalid', /options\.requestId/);
  throwsCode(() => sp.verifyPostResponse(entraResponse, { requestId: ENTRA.requestId, now: '2022-02-23' }), 'config_invalid', /options\.now/);
  throwsCode(() => sp.verifyPostResponse(entraResponse, { requestId: ENTRA.requestId, now: new Date('nope') }), 'config_invalid', /options\.now/);
  throwsCode(() => sp.verifyPostResponse(entraResponse, 'options'), 'config_invalid');
});

test('the configuration is checked when the ServiceProvider is built', () => {
  const idp = { entityId: ENTRA.tenant, certificates: [ENTRA.cert] };
  throwsCode(() => new ServiceProvider(), 'config_missing');
  throwsCode(() => new ServiceProvider('config'), 'config_invalid');
  throwsCode(() => new ServiceProvider({ acsUrl: ENTRA.sp, idp }), 'config_missing', /entity_id/);
  throwsCode(() => new ServiceProvider({ entityId: ENTRA.sp, acsUrl: ENTRA.sp }), 'config_missing', /idp/);
  throwsCode(() => new ServiceProvider({ entityId: ENTRA.sp, acsUrl: ENTRA.sp, idp: { entityId: ENTRA.tenant } }), 'config_missing', /certificates/);
  throwsCode(() => new ServiceProvider(entraConfig({ allowUnsolicted: true })), 'config_invalid', /allowUnsolicted/);
  throwsCode(() => new ServiceProvider(entraConfig({ allowSha1: 'true' })), 'config_invalid', /allowSha1/);
  throwsCode(() => new ServiceProvider(entraConfig({ clockSkewSeconds: -1 })), 'config_invalid', /clockSkewSeconds/);
  throwsCode(() => new ServiceProvider(entraConfig({ clockSkewSeconds: 1.5 })), 'config_invalid', /clockSkewSeconds/);
  throwsCode(() => new ServiceProvider(entraConfig({ clockSkewSeconds: 7200 })), 'config_invalid', /clock_skew/);
  throwsCode(() => new ServiceProvider(entraConfig({ extraAudiences: 'spn:x' })), 'config_invalid', /extraAudiences/);
  throwsCode(() => new ServiceProvider({ ...entraConfig(), idp: { ...idp, certificates: ['not a certificate'] } }), 'config_invalid_certificate');
  throwsCode(() => new ServiceProvider({ ...entraConfig(), idp: { ...idp, certificates: [{}] } }), 'config_invalid', /idp\.certificates/);
  throwsCode(() => new ServiceProvider({ ...entraConfig(), idp: { ...idp, ssoUrl: 5 } }), 'config_invalid', /idp\.ssoUrl/);
  const weak = readFileSync(new URL('weak.crt', generated));
  throwsCode(() => new ServiceProvider({ ...entraConfig(), idp: { ...idp, certificates: [weak] } }), 'config_key_too_small');
});

test('certificates may be PEM, bare base64 (Entra "Certificate (Base64)") or DER bytes', () => {
  const body = ENTRA.cert.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  const der = Buffer.from(body, 'base64');
  for (const certificate of [ENTRA.cert, body, der, new Uint8Array(der), new TextEncoder().encode(ENTRA.cert)]) {
    const sp = new ServiceProvider({ ...entraConfig(), idp: { entityId: ENTRA.tenant, certificates: [certificate] } });
    assert.equal(sp.verifyPostResponse(entraResponse, entraOptions).nameId, EXPECTED_IDENTITY.nameId);
  }
  // Rollover: an unrelated certificate next to the right one.
  const other = readFileSync(new URL('idp.crt', generated), 'utf8');
  const sp = new ServiceProvider({ ...entraConfig(), idp: { entityId: ENTRA.tenant, certificates: [other, ENTRA.cert] } });
  assert.equal(sp.verifyPostResponse(entraResponse, entraOptions).nameId, EXPECTED_IDENTITY.nameId);
  const wrong = new ServiceProvider({ ...entraConfig(), idp: { entityId: ENTRA.tenant, certificates: [other] } });
  throwsCode(() => wrong.verifyPostResponse(entraResponse, entraOptions), 'signature_invalid');
});

test('the IdP can be configured from its metadata XML', () => {
  const body = ENTRA.cert.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  const metadataXml =
    '\uFEFF<?xml version="1.0" encoding="utf-8"?>' +
    `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${ENTRA.tenant}">` +
    '<IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">' +
    '<KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data>' +
    `<X509Certificate>${body}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>` +
    `<SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${ENTRA.sso}"/>` +
    '</IDPSSODescriptor></EntityDescriptor>';
  for (const xml of [metadataXml, new TextEncoder().encode(metadataXml)]) {
    const sp = new ServiceProvider({ entityId: ENTRA.sp, acsUrl: ENTRA.sp, idp: { metadataXml: xml } });
    assert.deepEqual(sp.verifyPostResponse(entraResponse, entraOptions), EXPECTED_IDENTITY);
    assert.ok(sp.loginRedirect().url.startsWith(`${ENTRA.sso}?SAMLRequest=`));
  }
  throwsCode(() => new ServiceProvider({ entityId: ENTRA.sp, acsUrl: ENTRA.sp, idp: { metadataXml: '<nope/>' } }), 'config_invalid');
});

test('inspect reports every check and its outcome', () => {
  const sp = new ServiceProvider(entraConfig());
  const names = ['transport', 'xml', 'response_shape', 'response_signature', 'assertion_signature', 'response_fields', 'assertion'];
  const ok = sp.inspect(entraResponse, entraOptions);
  assert.deepEqual(ok.checks.map((c) => c.name), names);
  assert.deepEqual(ok.checks.map((c) => c.outcome), ['passed', 'passed', 'passed', 'not_applicable', 'passed', 'passed', 'passed']);
  assert.deepEqual(ok.identity, EXPECTED_IDENTITY);
  assert.equal(ok.error, null);
  assert.equal(ok.xml, ENTRA.xml.toString('utf8'));
  for (const check of ok.checks) {
    assert.deepEqual(Object.keys(check), ['name', 'description', 'outcome', 'code', 'message']);
    assert.ok(check.description.length > 10);
  }
  // Raw XML works too, and a failure names its check, code and message; later checks are skipped.
  const late = sp.inspect(ENTRA.xml.toString('utf8'), { requestId: ENTRA.requestId, now: Date.parse('2030-01-01T00:00:00Z') });
  assert.deepEqual(late.checks.map((c) => c.outcome), ['passed', 'passed', 'passed', 'not_applicable', 'passed', 'passed', 'failed']);
  assert.equal(late.checks[6].code, 'assertion_expired');
  assert.deepEqual(late.error, { code: 'assertion_expired', message: late.checks[6].message });
  assert.equal(late.identity, null);
  const garbage = sp.inspect('%%%', entraOptions);
  assert.deepEqual(garbage.checks.map((c) => c.outcome), ['failed', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped']);
  assert.equal(garbage.error.code, 'invalid_base64');
  assert.equal(garbage.xml, null);
  throwsCode(() => sp.inspect(entraResponse, { nope: 1 }), 'config_invalid');
});

function decodeRedirect(url) {
  const query = new URL(url).searchParams;
  return inflateRawSync(Buffer.from(query.get('SAMLRequest'), 'base64')).toString('utf8');
}

test('loginRedirect builds an AuthnRequest URL with a fresh random ID', () => {
  const sp = new ServiceProvider(entraConfig());
  const now = new Date('2026-01-15T10:00:00.500Z');
  const { url, requestId, ...rest } = sp.loginRedirect({ relayState: '/dashboard?tab=1', now });
  assert.deepEqual(rest, {});
  assert.match(requestId, /^_[0-9a-f]{32}$/);
  assert.ok(url.startsWith(`${ENTRA.sso}?SAMLRequest=`));
  assert.equal(new URL(url).searchParams.get('RelayState'), '/dashboard?tab=1');
  const xml = decodeRedirect(url);
  assert.match(xml, new RegExp(`ID="${requestId}"`));
  assert.match(xml, /IssueInstant="2026-01-15T10:00:00Z"/);
  assert.match(xml, new RegExp(`Destination="${ENTRA.sso}"`));
  assert.match(xml, new RegExp(`AssertionConsumerServiceURL="${ENTRA.sp}"`));
  assert.match(xml, new RegExp(`<saml:Issuer[^>]*>${ENTRA.sp}</saml:Issuer>`));
  assert.doesNotMatch(xml, /ForceAuthn/);
  assert.notEqual(sp.loginRedirect().requestId, sp.loginRedirect().requestId);
  assert.match(decodeRedirect(sp.loginRedirect({ forceAuthn: true }).url), /ForceAuthn="true"/);
  const hinted = sp.loginRedirect({ loginHint: 'b.simon@contoso.com', isPassive: true });
  assert.equal(new URL(hinted.url).searchParams.get('login_hint'), 'b.simon@contoso.com');
  assert.match(decodeRedirect(hinted.url), /IsPassive="true"/);
  const format = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';
  assert.match(decodeRedirect(sp.loginRedirect({ nameIdFormat: format }).url), new RegExp(`NameIDPolicy[^>]*Format="${format}"`));
  throwsCode(() => sp.loginRedirect({ relaystate: '/' }), 'config_invalid', /relaystate/);
  throwsCode(() => sp.loginRedirect({ forceAuthn: 'yes' }), 'config_invalid', /forceAuthn/);
  throwsCode(() => sp.loginRedirect({ cspNonce: 'abc' }), 'config_invalid', /cspNonce/);
  const noSso = new ServiceProvider({ ...entraConfig(), idp: { entityId: ENTRA.tenant, certificates: [ENTRA.cert] } });
  throwsCode(() => noSso.loginRedirect(), 'config_missing', /sso_url/);
});

test('loginPostForm builds an auto-submitting form page', () => {
  const sp = new ServiceProvider(entraConfig());
  const { html, requestId } = sp.loginPostForm({ relayState: '/a"b' });
  assert.match(requestId, /^_[0-9a-f]{32}$/);
  assert.match(html, new RegExp(`<form[^>]*action="${ENTRA.sso}"`));
  const value = /name="SAMLRequest" value="([^"]+)"/.exec(html)[1];
  assert.match(Buffer.from(value, 'base64').toString('utf8'), new RegExp(`ID="${requestId}"`));
  assert.match(html, /name="RelayState" value="\/a&quot;b"/);
  assert.match(sp.loginPostForm({ cspNonce: 'r4nd0m' }).html, /<script nonce="r4nd0m"/);
});

test('metadata() is the SP metadata XML', () => {
  const sp = new ServiceProvider(entraConfig({ sloUrl: 'https://devpg.tercen.com/logout' }));
  const xml = sp.metadata();
  assert.match(xml, new RegExp(`entityID="${ENTRA.sp}"`));
  assert.match(xml, new RegExp(`AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${ENTRA.sp}"`));
  assert.match(xml, /SingleLogoutService[^>]*Location="https:\/\/devpg.tercen.com\/logout"/);
  throwsCode(() => new ServiceProvider(entraConfig({ sloUrl: 'not a url' })), 'config_invalid');
});

test('a trap becomes SamlError internal_error and the module is re-initialised', async () => {
  // Not exported by the package: the same module instance, reached by path (the package is a
  // symlink to pkg/, so this is the file the package loaded).
  const core = await import(new URL('pkg/core.js', repo));
  const sp = new ServiceProvider(entraConfig());
  const error = throwsCode(() => core.__trapForTests(), 'internal_error', /re-initialised/);
  assert.ok(error.cause instanceof WebAssembly.RuntimeError);
  // Objects made before the trap rebuild themselves from their configuration.
  assert.deepEqual(sp.verifyPostResponse(entraResponse, entraOptions), EXPECTED_IDENTITY);
  assert.deepEqual(new ServiceProvider(entraConfig()).verifyPostResponse(entraResponse, entraOptions), EXPECTED_IDENTITY);
  // Twice in a row, and free() after a reset does not touch the new instance.
  throwsCode(() => core.__trapForTests(), 'internal_error');
  sp.free();
  assert.equal(sp.verifyPostResponse(entraResponse, entraOptions).nameId, EXPECTED_IDENTITY.nameId);
});

/**
 * A generated Entra-shaped response with its attribute names replaced, re-signed with the test
 * IdP key by xml-crypto (an independent XML-DSig implementation).
 */
function resignedWithAttributeNames(names) {
  return resigned((xml) => {
    let i = 0;
    const out = xml.replace(/<Attribute Name="[^"]*">/g, (m) => (i < names.length ? `<Attribute Name="${names[i++]}">` : m));
    assert.equal(i, names.length);
    return out;
  });
}

/** The Entra-shaped response edited by `edit` (on its XML text), then re-signed as above. */
function resigned(edit) {
  let xml = readFileSync(new URL('entra2021_assertion_signed_compact_no_keyinfo.xml', generated), 'utf8');
  xml = xml.replace(/<Signature xmlns="http:\/\/www\.w3\.org\/2000\/09\/xmldsig#">[\s\S]*?<\/Signature>/, '');
  xml = edit(xml);
  const signer = new SignedXml({
    privateKey: readFileSync(new URL('idp.key', generated)),
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  });
  signer.addReference({
    xpath: "//*[local-name(.)='Assertion']",
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  });
  signer.computeSignature(xml, {
    location: { reference: "//*[local-name(.)='Assertion']/*[local-name(.)='Issuer']", action: 'after' },
  });
  return Buffer.from(signer.getSignedXml()).toString('base64');
}

test('attribute names from the IdP cannot touch prototypes (__proto__, constructor)', () => {
  const cases = JSON.parse(readFileSync(new URL('cases.json', generated), 'utf8')).defaults;
  const sp = new ServiceProvider({
    entityId: cases.spEntityId,
    acsUrl: cases.acsUrl,
    idp: { entityId: cases.idpEntityId, certificates: [readFileSync(new URL('idp.crt', generated))] },
  });
  const response = resignedWithAttributeNames(['__proto__', 'constructor', 'hasOwnProperty']);
  const identity = sp.verifyPostResponse(response, { requestId: cases.requestId, now: new Date(cases.now) });
  const { attributes } = identity;
  assert.equal(Object.getPrototypeOf(attributes), Object.prototype, 'the prototype is unchanged');
  assert.ok(Object.hasOwn(attributes, '__proto__'));
  assert.deepEqual(Object.getOwnPropertyDescriptor(attributes, '__proto__').value, ['0f4a6c1d-2b3e-4f50-8a1b-9c2d3e4f5a6b']);
  assert.deepEqual(attributes.constructor, ['B. Simon']);
  assert.deepEqual(Object.keys(attributes), ['__proto__', 'constructor', 'hasOwnProperty', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname']);
  assert.equal(typeof attributes.hasOwnProperty, 'object', 'an own data property, not the inherited method');
  // The same document with a changed attribute value no longer verifies (the signature is real).
  const tampered = Buffer.from(Buffer.from(response, 'base64').toString('utf8').replace('B. Simon', 'B. Simone')).toString('base64');
  throwsCode(() => sp.verifyPostResponse(tampered, { requestId: cases.requestId, now: new Date(cases.now) }), 'digest_mismatch');
});

test('strings reach JS exactly: quotes, backslashes, line breaks, tabs, U+2028, astral characters', () => {
  const cases = JSON.parse(readFileSync(new URL('cases.json', generated), 'utf8')).defaults;
  const sp = new ServiceProvider({
    entityId: cases.spEntityId,
    acsUrl: cases.acsUrl,
    idp: { entityId: cases.idpEntityId, certificates: [readFileSync(new URL('idp.crt', generated))] },
  });
  // As the XML carries them (character references for what the XML would normalise, and for
  // U+2028/U+2029, which the signing library's parser turns into a line break and a space).
  const name = 'a &quot;quoted&quot; \\ name&#9;&#10;&#13;';
  const value = 'line one\nline two\r\n\ttab "q" \\ \u2028 \u2029 \u{1F511} </script> \u00e9 {"json":1} \\u0000 end';
  const response = resigned((xml) => {
    const out = xml
      .replace('<Attribute Name="http://schemas.microsoft.com/identity/claims/objectidentifier">', `<Attribute Name="${name}">`)
      .replace('<AttributeValue>B. Simon</AttributeValue>', `<AttributeValue>${value.replace('\r', '&#13;').replace('</script>', '&lt;/script>').replace('\u2028', '&#x2028;').replace('\u2029', '&#x2029;')}</AttributeValue>`);
    assert.notEqual(out, xml);
    return out;
  });
  const identity = sp.verifyPostResponse(response, { requestId: cases.requestId, now: new Date(cases.now) });
  assert.deepEqual(identity.attributes['a "quoted" \\ name\t\n\r'], ['0f4a6c1d-2b3e-4f50-8a1b-9c2d3e4f5a6b']);
  assert.deepEqual(identity.attributes['http://schemas.microsoft.com/identity/claims/displayname'], [value]);
  // Every other field as for the unedited document.
  const plain = sp.verifyPostResponse(resigned((xml) => xml), { requestId: cases.requestId, now: new Date(cases.now) });
  assert.deepEqual({ ...identity, attributes: null }, { ...plain, attributes: null });
  assert.equal(identity.nameId, 'B.Simon@contoso.com');
});

test('the form value may be its UTF-8 bytes (a Uint8Array or Buffer): same identity, same limits', async () => {
  const sp = new ServiceProvider(entraConfig());
  const fromString = sp.verifyPostResponse(entraResponse, entraOptions);
  assert.deepEqual(sp.verifyPostResponse(Buffer.from(entraResponse), entraOptions), fromString);
  assert.deepEqual(sp.verifyPostResponse(new TextEncoder().encode(entraResponse), entraOptions), fromString);
  assert.deepEqual(await sp.verifyPostResponseAsync(new TextEncoder().encode(entraResponse), entraOptions), fromString);
  assert.deepEqual(sp.inspect(Buffer.from(entraResponse), entraOptions).identity, fromString);
  // Over the limit: refused on length (also when the cut ends inside a UTF-8 sequence).
  const core = await import(new URL('pkg/core.js', repo));
  const before = core.__memoryBytesForTests();
  for (const huge of [new Uint8Array(64 * 1024 * 1024).fill(0x41), Buffer.from('\u00e9'.repeat(8 * 1024 * 1024))]) {
    throwsCode(() => sp.verifyPostResponse(huge, entraOptions), 'limit_exceeded', /max_input_bytes/);
  }
  const grown = core.__memoryBytesForTests() - before;
  assert.ok(grown < 16 * 1024 * 1024, `wasm memory grew by ${grown} bytes`);
  // Bytes that are not UTF-8 are not base64 either.
  throwsCode(() => sp.verifyPostResponse(new Uint8Array([0x50, 0x48, 0xff, 0x4e]), entraOptions), 'invalid_base64');
  throwsCode(() => sp.verifyPostResponse(new Uint8Array(0), entraOptions), 'empty_input');
  // Other types are still refused.
  throwsCode(() => sp.verifyPostResponse(42, entraOptions), 'invalid_form');
  throwsCode(() => sp.verifyPostResponse(new Uint16Array(4), entraOptions), 'invalid_form');
});

test('free() releases the wasm object; the ServiceProvider stays usable', () => {
  const sp = new ServiceProvider(entraConfig());
  sp.free();
  sp.free();
  assert.equal(sp.verifyPostResponse(entraResponse, entraOptions).nameId, EXPECTED_IDENTITY.nameId);
});

test('the configuration is copied: later changes to the object do not affect the SP', () => {
  const config = entraConfig();
  const sp = new ServiceProvider(config);
  config.entityId = 'https://changed.example/';
  config.idp.certificates.length = 0;
  assert.equal(sp.verifyPostResponse(entraResponse, entraOptions).nameId, EXPECTED_IDENTITY.nameId);
});

test('init() resolves at once where the module loads at import', async () => {
  await api.init();
  api.initSync(new Uint8Array(0)); // already initialised: ignored
});

// ---- index.d.ts matches the runtime ----

const dts = readFileSync(new URL('pkg/index.d.ts', repo), 'utf8');

test('index.d.ts declares exactly the runtime exports of every entry point', async () => {
  const declared = [...dts.matchAll(/^export (?:class|function|type|interface) (\w+)/gm)]
    .filter(([line]) => !/^export (?:type|interface)/.test(line))
    .map(([, name]) => name)
    .sort();
  assert.deepEqual(Object.keys(api).sort(), declared);
  for (const entry of ['node.js', 'browser.js']) {
    const mod = await import(new URL(`pkg/${entry}`, repo));
    assert.deepEqual(Object.keys(mod).sort(), declared, entry);
  }
  const workerd = readFileSync(new URL('pkg/workerd.js', repo), 'utf8');
  assert.match(workerd, /export \{ ServiceProvider, SamlError, initSync \} from '\.\/core\.js';/);
  assert.match(workerd, /export async function init\(\)/);
});

test('SamlErrorCode lists exactly the codes of src/error.rs plus internal_error', () => {
  const rust = readFileSync(new URL('src/error.rs', repo), 'utf8');
  const fromRust = new Set([...rust.matchAll(/=> "([a-z0-9_]+)"/g)].map((m) => m[1]));
  fromRust.add('internal_error');
  const start = dts.indexOf('export type SamlErrorCode');
  const union = dts.slice(start, dts.indexOf('\n\n', start));
  const declared = new Set([...union.matchAll(/'([a-z0-9_]+)'/g)].map((m) => m[1]));
  assert.deepEqual([...declared].sort(), [...fromRust].sort());
});

test('Identity and InspectCheck in index.d.ts have exactly the runtime fields', () => {
  const fields = (name) => {
    const start = dts.indexOf(`export interface ${name} {`);
    const body = dts.slice(start, dts.indexOf('\n}', start));
    return [...body.matchAll(/^ {2}(\w+)\??:/gm)].map((m) => m[1]);
  };
  assert.deepEqual(fields('Identity'), Object.keys(EXPECTED_IDENTITY));
  const sp = new ServiceProvider(entraConfig());
  const report = sp.inspect(entraResponse, entraOptions);
  assert.deepEqual(fields('InspectCheck'), Object.keys(report.checks[0]));
  assert.deepEqual(fields('InspectReport'), Object.keys(report));
  assert.deepEqual(fields('LoginRedirect'), Object.keys(sp.loginRedirect()));
  assert.deepEqual(fields('LoginPostForm'), Object.keys(sp.loginPostForm()));
});
