// Encrypted assertions through the npm package (issue 17), beyond the manifest's enc_* verdicts
// (manifest.test.mjs runs those with `decryptionKeys` in the configuration): keys per call in the
// verify options, key loading errors, `decryptOnlySignedResponses`, `encryptionCertificates` in
// the metadata, inspect, and that every decryption failure looks the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ServiceProvider, SamlError } from 'saml-edge';

const dir = new URL('../data/generated/', import.meta.url);
const text = (name) => readFileSync(new URL(name, dir), 'utf8');
const manifest = JSON.parse(text('cases.json'));
const d = manifest.defaults;
const byName = Object.fromEntries(manifest.cases.map((c) => [c.name, c]));
const response = (name) => Buffer.from(text(`${name}.xml`)).toString('base64');
const options = (extra = {}) => ({ requestId: d.requestId, now: new Date(d.now), ...extra });
const config = (extra = {}) => ({
  entityId: d.spEntityId,
  acsUrl: d.acsUrl,
  idp: { entityId: d.idpEntityId, certificates: [text('idp.crt')] },
  ...extra,
});
const SP_KEY = text('sp-enc.key');
const SP_KEY2 = text('sp-enc2.key'); // PKCS#1

function code(fn) {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof SamlError, String(error));
    return error;
  }
  assert.fail('did not throw');
}

test('decryptionKeys in the configuration: Entra shape decrypts to the expected identity', () => {
  const sp = new ServiceProvider(config({ decryptionKeys: [SP_KEY] }));
  const identity = sp.verifyPostResponse(response('enc_aes256cbc_mgf1p_inline'), options());
  const expected = byName.enc_aes256cbc_mgf1p_inline.identity;
  assert.equal(identity.nameId, expected.nameId);
  assert.deepEqual(
    Object.fromEntries(Object.keys(expected.attributes).map((k) => [k, identity.attributes[k]])),
    expected.attributes,
  );
});

test('decryptionKeys in the verify options replace the configured ones for that call', () => {
  const sp = new ServiceProvider(config());
  const value = response('enc_rollover_to_new_key');
  assert.equal(code(() => sp.verifyPostResponse(value, options())).code, 'encrypted_assertion_unsupported');
  assert.equal(sp.verifyPostResponse(value, options({ decryptionKeys: [SP_KEY, SP_KEY2] })).nameId, byName.enc_rollover_to_new_key.identity.nameId);
  assert.equal(code(() => sp.verifyPostResponse(value, options({ decryptionKeys: [SP_KEY] }))).code, 'decryption_failed');
  // the per-call keys did not stick
  assert.equal(code(() => sp.verifyPostResponse(value, options())).code, 'encrypted_assertion_unsupported');
});

test('unusable decryption keys are configuration errors', () => {
  assert.equal(code(() => new ServiceProvider(config({ decryptionKeys: [text('weak.key')] }))).code, 'config_key_too_small');
  assert.equal(code(() => new ServiceProvider(config({ decryptionKeys: [text('idp.crt')] }))).code, 'config_invalid');
  assert.equal(code(() => new ServiceProvider(config({ decryptionKeys: [new Uint8Array(4)] }))).code, 'config_invalid');
  assert.equal(code(() => new ServiceProvider(config({ decryptionKeys: SP_KEY }))).code, 'config_invalid');
  const sp = new ServiceProvider(config());
  assert.equal(code(() => sp.verifyPostResponse(response('enc_nothing_signed'), options({ decryptionKeys: ['x'] }))).code, 'config_invalid');
});

test('decryptOnlySignedResponses refuses before decrypting, accepts a signed Response', () => {
  const sp = new ServiceProvider(config({ decryptionKeys: [SP_KEY], decryptOnlySignedResponses: true }));
  assert.equal(code(() => sp.verifyPostResponse(response('enc_aes256gcm_mgf1p_inline'), options())).code, 'encrypted_response_unsigned');
  const identity = sp.verifyPostResponse(response('enc_entra_response_and_assertion_signed'), options());
  assert.equal(identity.nameId, byName.enc_entra_response_and_assertion_signed.identity.nameId);
});

test('encryptionCertificates are published in the metadata and must match a key', () => {
  const sp = new ServiceProvider(config({ decryptionKeys: [SP_KEY], encryptionCertificates: [text('sp-enc.crt')] }));
  const xml = sp.metadata();
  assert.match(xml, /<md:KeyDescriptor use="encryption">/);
  assert.match(xml, /xmlenc11#aes256-gcm/);
  assert.equal(
    code(() => new ServiceProvider(config({ decryptionKeys: [SP_KEY2], encryptionCertificates: [text('sp-enc.crt')] }))).code,
    'config_invalid',
  );
});

test('every decryption failure of an unauthenticated ciphertext is the same SamlError', () => {
  const sp = new ServiceProvider(config({ decryptionKeys: [SP_KEY] }));
  const names = [
    'enc_nothing_signed', 'enc_forged_unsigned_assertion', 'enc_forged_signed_by_attacker',
    'enc_cbc_block_flipped', 'enc_gcm_tag_flipped', 'enc_to_another_key', 'enc_decrypts_to_doctype',
    'enc_decrypts_to_two_assertions', 'enc_decrypts_to_garbage', 'enc_decrypts_to_response',
  ];
  const errors = names.map((name) => code(() => sp.verifyPostResponse(response(name), options())));
  for (const [i, error] of errors.entries()) {
    assert.equal(error.code, 'decryption_failed', names[i]);
    assert.equal(error.message, errors[0].message, names[i]);
  }
});

test('inspect reports decryption under assertion_signature', () => {
  const sp = new ServiceProvider(config({ decryptionKeys: [SP_KEY] }));
  const ok = sp.inspect(response('enc_aes128gcm_oaep11_sibling'), options());
  assert.equal(ok.identity.nameId, byName.enc_aes128gcm_oaep11_sibling.identity.nameId);
  const bad = sp.inspect(response('enc_gcm_tag_flipped'), options());
  const failed = bad.checks.find((c) => c.outcome === 'failed');
  assert.equal(failed.name, 'assertion_signature');
  assert.equal(failed.code, 'decryption_failed');
});

test('verifyPostResponseAsync unwraps with WebCrypto and gives every enc_* case its verdict', async () => {
  const subtle = globalThis.crypto.subtle;
  const original = subtle.decrypt;
  let calls = 0;
  subtle.decrypt = function (...args) {
    calls += 1;
    return original.apply(this, args);
  };
  try {
    const cases = manifest.cases.filter((c) => c.name.startsWith('enc_') && c.file);
    assert.ok(cases.length > 80);
    const sps = new Map();
    for (const c of cases) {
      const keys = (c.config.spKeys ?? []).map(text);
      const signedOnly = c.config.decryptOnlySignedResponses ?? false;
      const idp = { entityId: c.config.idpEntityId ?? d.idpEntityId, certificates: [text('idp.crt')] };
      const id = JSON.stringify([c.config.spKeys, signedOnly, idp.entityId]);
      if (!sps.has(id)) sps.set(id, new ServiceProvider(config({ idp, decryptionKeys: keys, decryptOnlySignedResponses: signedOnly })));
      const sp = sps.get(id);
      const before = calls;
      let outcome;
      try {
        const identity = await sp.verifyPostResponseAsync(Buffer.from(readFileSync(new URL(c.file, dir))).toString('base64'), options());
        assert.equal(identity.nameId, c.identity.nameId, c.name);
        outcome = 'valid';
      } catch (error) {
        assert.ok(error instanceof SamlError, `${c.name}: ${error}`);
        outcome = error.code;
      }
      assert.equal(outcome, c.expect, c.name);
      const xml = readFileSync(new URL(c.file, dir), 'utf8');
      // the EncryptedKey's EncryptionMethod (the signature's DigestMethod may name SHA-256 too)
      const method = /EncryptionMethod Algorithm="[^"]*rsa-oaep[^"]*">(.*?)EncryptionMethod>/s.exec(xml)?.[1] ?? '';
      const mixed = /xmlenc#sha256/.test(method) !== /mgf1sha256/.test(method);
      if (mixed) assert.equal(calls, before, `${c.name}: different OAEP and MGF1 hashes are unwrapped by the module`);
      else if (c.expect === 'valid') assert.ok(calls > before, `${c.name}: WebCrypto unwrapped`);
    }
  } finally {
    subtle.decrypt = original;
  }
});

test('verifyPostResponseAsync: per-call keys, no key, and plain responses', async () => {
  const sp = new ServiceProvider(config());
  const value = response('enc_rollover_to_new_key');
  await assert.rejects(sp.verifyPostResponseAsync(value, options()), { code: 'encrypted_assertion_unsupported' });
  const identity = await sp.verifyPostResponseAsync(value, options({ decryptionKeys: [SP_KEY, SP_KEY2] }));
  assert.equal(identity.nameId, byName.enc_rollover_to_new_key.identity.nameId);
  await assert.rejects(sp.verifyPostResponseAsync(value, options({ decryptionKeys: [SP_KEY] })), { code: 'decryption_failed' });
  const plain = Buffer.from(text('entra2021_assertion_signed_compact.xml')).toString('base64');
  assert.deepEqual(await sp.verifyPostResponseAsync(plain, options()), sp.verifyPostResponse(plain, options()));
});
