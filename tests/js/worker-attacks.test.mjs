// The attack corpus through the Worker's ACS on workerd: tests/gen/generate.py signs every case
// again with xmlsec1 for the current time (--base-time), each response is posted to /saml/acs
// with a login cookie for the corpus's request ID, and the Worker must answer exactly the
// manifest's verdict: 303 with the expected identity in the session, or the error page with the
// expected code (400 for unreadable input, 403 for everything refused).
//
// Every case answers the corpus's one request ID, so after each successful sign-in the next case
// gets a fresh Worker. Left out, with reasons: cases at the exact clock-skew boundary (their verdict depends on the
// second the request arrives), and cases that need a verifier option the Worker does not expose
// (allowSha1, extraAudiences: the Worker never accepts SHA-1 and takes one audience).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SECRET, pageCode, parseSetCookie, repo, startWorker } from './worker-harness.mjs';
import { generatedInput, setting, toBase64 } from './manifest.mjs';
import { PURPOSE_LOGIN, signToken, tokenBinding } from '../../pkg/worker/tokens.js';
import { COOKIE_NAMES } from '../../pkg/worker/cookies.js';

const out = new URL('target/worker-cases/', repo);
/** The Worker's cap on the ACS form body (pkg/worker.js). */
const MAX_FORM_BYTES = 4 * 1024 * 1024;
let manifest;
const file = (name) => new Uint8Array(readFileSync(new URL(name, out)));

before(() => {
  rmSync(out, { recursive: true, force: true });
  const baseTime = new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
  execFileSync('python3', ['tests/gen/generate.py', '--out', fileURLToPath(out), '--base-time', baseTime], {
    cwd: fileURLToPath(repo),
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  manifest = JSON.parse(readFileSync(new URL('cases.json', out), 'utf8'));
});

/** Why a case is not posted through the Worker, or null. */
function skipReason(c) {
  if (/skew/.test(c.name)) return 'clock-skew boundary';
  const overrides = Object.keys(c.config ?? {});
  if (overrides.includes('allowSha1') || overrides.includes('extraAudiences')) return 'verifier option the Worker does not expose';
  // More than two SP keys: the Worker takes SP_DECRYPTION_KEY and SP_DECRYPTION_KEY_PREVIOUS.
  if ((c.config?.spKeys ?? []).length > 2) return 'more SP decryption keys than the Worker takes';
  return null;
}

/** The Worker's bindings for a case's configuration. */
function bindingsFor(c) {
  const get = (key) => setting(manifest.defaults, c, key);
  return {
    SP_ENTITY_ID: get('spEntityId'),
    ACS_URL: get('acsUrl'),
    IDP_CERT: get('idpCerts').map((name) => readFileSync(new URL(name, out), 'utf8')).join(','),
    IDP_ENTITY_ID: get('idpEntityId'),
    IDP_SSO_URL: 'https://login.microsoftonline.com/0f4a6c1d-2b3e-4f50-8a1b-9c2d3e4f5a6b/saml2',
    SESSION_SECRET: SECRET,
    CLOCK_SKEW_SECONDS: String(get('clockSkewSeconds')),
    ALLOW_UNSOLICITED: String(get('allowUnsolicited')),
    ...decryptionBindings(get('spKeys') ?? [], get('decryptOnlySignedResponses') ?? false),
  };
}

/** A case's SP decryption keys as the Worker's secrets (the current key first, as the manifest orders them). */
function decryptionBindings(spKeys, onlySigned) {
  const [current, previous] = spKeys.map((name) => readFileSync(new URL(name, out), 'utf8'));
  return {
    ...(current === undefined ? {} : { SP_DECRYPTION_KEY: current }),
    ...(previous === undefined ? {} : { SP_DECRYPTION_KEY_PREVIOUS: previous }),
    ...(onlySigned ? { DECRYPT_ONLY_SIGNED_RESPONSES: 'true' } : {}),
  };
}

/** The status and page code the Worker must answer for a verifier code. */
function expectedRefusal(code) {
  if (code.startsWith('config_')) return { status: 500, code: 'IDP_CERT' };
  const unreadable = /^(invalid_|empty_input|limit_exceeded|xml_|not_a_response|saml_malformed|saml_unsupported_version)/;
  return { status: unreadable.test(code) ? 400 : 403, code };
}

const workers = new Map();
after(() => Promise.all([...workers.values()].map((w) => w.dispose())));

async function retire(c) {
  const key = JSON.stringify(bindingsFor(c));
  await workers.get(key)?.dispose();
  workers.delete(key);
}

async function workerFor(c) {
  const bindings = bindingsFor(c);
  const key = JSON.stringify(bindings);
  if (!workers.has(key)) workers.set(key, await startWorker(bindings));
  return workers.get(key);
}

test('every attack, semantics, XML and transport case through the ACS gets its verdict', async () => {
  const failures = [];
  const counts = { posted: 0, skipped: 0, valid: 0, encryptedValid: 0 };
  for (const c of manifest.cases) {
    if (skipReason(c)) {
      counts.skipped += 1;
      continue;
    }
    const w = await workerFor(c);
    const bytes = c.generate ? generatedInput(c.generate, file) : file(c.file);
    const samlResponse = c.encoding === 'base64' ? new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes) : toBase64(bytes);
    const requestId = setting(manifest.defaults, c, 'requestId') ?? null;
    const headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
    if (requestId !== null) {
      const token = await signToken(PURPOSE_LOGIN, tokenBinding({ spEntityId: bindingsFor(c).SP_ENTITY_ID, idpEntityId: bindingsFor(c).IDP_ENTITY_ID }), { rid: requestId, next: '/', exp: Date.now() + 600_000 }, SECRET);
      headers.Cookie = `${COOKIE_NAMES.login}=${token}`;
    }
    // Without ALLOW_UNSOLICITED the Worker refuses a post without a login cookie before verifying.
    const expect = c.expect === 'unsolicited_response' && requestId === null ? 'request_cookie_missing' : c.expect;
    const body = new URLSearchParams({ SAMLResponse: samlResponse }).toString();
    const response = await w.fetch('/saml/acs', { method: 'POST', headers, body });
    counts.posted += 1;
    const html = await response.text();
    // Every case answers the same request ID: after a sign-in, the next case gets a fresh Worker
    // (and a fresh replay Durable Object).
    if (response.status === 303) await retire(c);
    if (expect === 'valid') {
      counts.valid += 1;
      // Encrypted assertions (Entra ID "Token encryption": AES-CBC/GCM, RSA-OAEP, Microsoft's
      // inline and Shibboleth's sibling EncryptedKey) sign in with SP_DECRYPTION_KEY.
      if ((c.config?.spKeys ?? []).length > 0) counts.encryptedValid += 1;
      const session = response.headers.getSetCookie().map(parseSetCookie).find((x) => x.name === COOKIE_NAMES.session);
      const claims = session && JSON.parse(Buffer.from(session.value.split('.')[0], 'base64url').toString('utf8'));
      if (response.status !== 303 || claims?.nameId !== c.identity.nameId) {
        failures.push(`${c.name}: expected 303 as ${c.identity.nameId}, got ${response.status} ${pageCode(html)} ${claims?.nameId}`);
      }
    } else {
      // Forms over 4 MiB are refused by the Worker before the verifier sees them.
      const want = body.length > MAX_FORM_BYTES ? { status: 413, code: expect } : expectedRefusal(expect);
      const got = { status: response.status, code: pageCode(html) };
      if (got.status !== want.status || got.code !== want.code) {
        failures.push(`${c.name}: expected ${want.status} ${want.code}, got ${got.status} ${got.code}`);
      }
    }
  }
  assert.deepEqual(failures, [], failures.join('\n'));
  assert.ok(counts.posted > 550 && counts.valid > 60, JSON.stringify(counts));
  assert.ok(counts.encryptedValid >= 40, `encrypted assertions signed in: ${JSON.stringify(counts)}`);
  console.log(`# ACS verdicts: ${JSON.stringify(counts)}`);
});
