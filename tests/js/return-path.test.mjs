// Property test of the one return-path function (pkg/worker/return-path.js): over thousands of
// generated spellings (dot segments, %2e, %2f, %5c, backslashes, tabs, newlines and other
// characters URL parsers strip, absolute and scheme-relative URLs, userinfo, ports), its output
//  - is idempotent: f(f(x)) === f(x);
//  - is a path-absolute reference that, resolved against any base URL, stays on that base's origin;
//  - is never one of the Worker's reserved routes.
// The generator is seeded, so a failure names a reproducible input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { returnPath, MAX_RETURN_PATH } from '../../pkg/worker/return-path.js';

/** Reserved routes as the Worker's route table derives them (worker/app.js RESERVED; the Worker
 * tests check the real table through /login/?next=). */
const RESERVED = [{ path: '/login' }, { path: '/login/' }, { path: '/saml/acs' }, { path: '/logout' }, { prefix: '/demo-idp/' }, { prefix: '/saml/' }];

/** Small deterministic PRNG (mulberry32). */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pieces that URL parsers treat specially. */
const PIECES = [
  '/', '//', '\\', '\\\\', '.', '..', './', '../', '/./', '/../', '%2e', '%2E', '%2e%2e', '.%2e', '%2f', '%2F', '%5c', '%5C',
  '%252f', '%09', '%0a', '%00', '\t', '\n', '\r', ' ', '\u0000', '\u001f', '\u007f', '\u00a0', '\u2028', '\ufeff',
  'evil.example', 'evil.example:443', 'localhost', 'localhost:8787', 'sso.example.com', '@', ':', ';', '?', '#', '&', '=',
  'https:', 'http:', 'javascript:', 'data:', 'HTTPS://', 'https://evil.example', '//evil.example', '/\\evil.example',
  'user:pass@', 'a', 'b', 'x', 'login', 'saml', 'logout', 'demo-idp', 'scim', 'next=', '%40', '%3a', 'é', '€', '\ud83d\ude00',
];

const BASES = ['http://localhost:8787/', 'https://sso.example.com/a/b?c=d#e', 'https://sso.example.com:8443/', 'http://[::1]:8787/x/'];

function generate(random) {
  const length = 1 + Math.floor(random() * 8);
  let s = random() < 0.8 ? '/' : '';
  for (let i = 0; i < length; i++) s += PIECES[Math.floor(random() * PIECES.length)];
  return s;
}

function isReserved(path) {
  const { pathname } = new URL(path, 'https://h.invalid');
  return RESERVED.some((r) => (r.path !== undefined ? pathname === r.path : pathname.startsWith(r.prefix) || pathname === r.prefix.replace(/\/$/, '')));
}

function checkProperties(input) {
  for (const baseText of BASES) {
    const base = new URL(baseText);
    const output = returnPath(input, base, RESERVED);
    const label = `${JSON.stringify(input)} on ${baseText} -> ${JSON.stringify(output)}`;
    assert.equal(typeof output, 'string', label);
    assert.equal(returnPath(output, base, RESERVED), output, `not idempotent: ${label}`);
    assert.match(output, /^\/(?![/\\])/, `not path-absolute: ${label}`);
    assert.doesNotMatch(output, /[\u0000-\u0020\u007f]/, `control or space: ${label}`);
    assert.ok(output.length <= MAX_RETURN_PATH, label);
    for (const other of BASES) {
      assert.equal(new URL(output, other).origin, new URL(other).origin, `leaves ${other}: ${label}`);
    }
    assert.ok(output === '/' || !isReserved(output), `reserved: ${label}`);
  }
}

// RETURN_PATH_SPELLINGS: fewer for `make mutants-js`, which runs this file once per mutant.
const SPELLINGS = Number(process.env.RETURN_PATH_SPELLINGS ?? 20_000);
assert.ok(Number.isInteger(SPELLINGS) && SPELLINGS > 0, 'RETURN_PATH_SPELLINGS is a positive integer');

test(`return path: ${SPELLINGS} generated spellings keep every property`, () => {
  const random = prng(0x5a3e1);
  for (let i = 0; i < SPELLINGS; i++) checkProperties(generate(random));
});

test('return path: known hostile spellings and legitimate deep links', () => {
  const base = new URL('http://localhost:8787/');
  for (const hostile of [
    '/.//evil.example/x', '//evil.example', '/\\evil.example', '\\\\evil.example', '/%2e/%2e//evil.example', '/\t/evil.example',
    'https://evil.example/', 'javascript:alert(1)', '/x/..//evil.example', ' /x', '',
  ]) {
    checkProperties(hostile);
    assert.doesNotMatch(returnPath(hostile, base, RESERVED), /evil/, hostile);
  }
  assert.equal(returnPath('/reports/q3?x=1#top', base, RESERVED), '/reports/q3?x=1#top');
  assert.equal(returnPath('/a/./b/../c', base, RESERVED), '/a/c');
  assert.equal(returnPath('/caf%C3%A9?q=%2F%2F', base, RESERVED), '/caf%C3%A9?q=%2F%2F');
  // The Worker's own routes never are a return path.
  for (const reserved of ['/login/', '/login', '/saml/acs', '/logout', '/demo-idp/', '/saml/x/../acs']) {
    assert.equal(returnPath(reserved, base, RESERVED), '/', reserved);
  }
  assert.equal(returnPath('/loginpage', base, RESERVED), '/loginpage');
  // A reserved prefix covers everything below it, and itself without the slash.
  for (const below of ['/demo-idp/users', '/saml/slo?SAMLRequest=x', '/saml']) {
    assert.equal(returnPath(below, base, RESERVED), '/', below);
  }
  assert.equal(returnPath('/samlish/report', base, RESERVED), '/samlish/report');
  // The length limit holds for the input and for the normalised output (percent-encoding grows).
  const longest = `/${'a'.repeat(MAX_RETURN_PATH - 1)}`;
  assert.equal(returnPath(longest, base, RESERVED), longest);
  assert.equal(returnPath(`/${'a'.repeat(MAX_RETURN_PATH)}`, base, RESERVED), '/');
  assert.equal(returnPath(`/${'é'.repeat(MAX_RETURN_PATH / 2)}`, base, RESERVED), '/');
  assert.equal(returnPath(`/${'é'.repeat(100)}`, base, RESERVED), `/${'%C3%A9'.repeat(100)}`);
  assert.equal(returnPath(42, base, RESERVED), '/');
});
