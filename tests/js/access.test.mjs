// pkg/worker/access.js in plain Node: the allow rules (suffix and case games, the groups-overage
// claim), the public paths (segments, dot segments and encodings) and the API-call test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  GROUPS_CLAIM,
  GROUPS_OVERAGE_CLAIM,
  RuleError,
  accessRules,
  domainOf,
  evaluateAccess,
  isApiCall,
  isPublicPath,
  parseList,
  parsePublicPaths,
  strictPath,
  subjectOf,
} from '../../pkg/worker/access.js';

const admits = (rules, subject) => evaluateAccess(rules, { groups: [], groupsOverage: false, ...subject });

test('lists: comma-separated, trimmed, empty items dropped', () => {
  assert.deepEqual(parseList(' a@x.com, ,b@y.com,, '), ['a@x.com', 'b@y.com']);
  assert.deepEqual(parseList(undefined), []);
  assert.equal(accessRules({}), null);
  assert.equal(accessRules({ emails: ' , ' }), null);
});

test('no rule set: everyone the IdP signs in enters', () => {
  assert.deepEqual(evaluateAccess(null, { email: null, groups: [] }), { allowed: true, rule: 'none' });
});

test('ALLOW_EMAIL_DOMAINS: exact domain after the last @, case-insensitive, no suffix games', () => {
  const rules = accessRules({ emailDomains: 'Contoso.com' });
  for (const email of ['B.Simon@contoso.com', 'b.simon@CONTOSO.COM', 'x@Contoso.Com']) {
    assert.deepEqual(admits(rules, { email }), { allowed: true, rule: 'email_domain' }, email);
  }
  for (const email of [
    'eve@fabrikam.com',
    'eve@evilcontoso.com',
    'eve@contoso.com.evil',
    'eve@sub.contoso.com',
    'eve@contoso.com.',
    'contoso.com@fabrikam.com',
    '"eve@contoso.com"@fabrikam.com',
    'eve@contoso.com@fabrikam.com',
    'contoso.com',
    '@contoso.com',
    'eve@',
    ' eve@contoso.com ',
    'eve@contoso.com\u0000',
    null,
  ]) {
    const result = admits(rules, { email });
    assert.equal(result.allowed, false, JSON.stringify(email));
    assert.equal(result.code, 'access_denied');
  }
  assert.equal(domainOf('a@b@Contoso.COM'), 'contoso.com');
});

test('ALLOW_EMAIL_DOMAINS refuses what is not a plain domain', () => {
  for (const bad of ['@contoso.com', '*.contoso.com', '.contoso.com', 'contoso.com.', 'contoso..com', 'con toso.com', 'contoso.com/x', '-contoso.com']) {
    assert.throws(() => accessRules({ emailDomains: bad }), RuleError, bad);
  }
  assert.throws(() => accessRules({ emails: 'not-an-address' }), RuleError);
  assert.throws(() => accessRules({ emails: 'a@b@c.com' }), RuleError);
});

test('ALLOW_EMAILS: exact address, case-insensitive', () => {
  const rules = accessRules({ emails: 'B.Simon@contoso.com, adelev@contoso.com' });
  assert.deepEqual(admits(rules, { email: 'b.simon@CONTOSO.com' }), { allowed: true, rule: 'email' });
  assert.equal(admits(rules, { email: 'B.Simon@contoso.com.evil' }).allowed, false);
  assert.equal(admits(rules, { email: 'xB.Simon@contoso.com' }).allowed, false);
  assert.equal(admits(rules, { email: 'eve@contoso.com' }).allowed, false);
  // What the log gets (the browser sees only the code).
  assert.deepEqual(admits(rules, { email: 'Eve@contoso.com', groups: ['x'] }), {
    allowed: false,
    code: 'access_denied',
    detail: 'eve@contoso.com (groups: 1) matches no ALLOW_* rule',
  });
  assert.equal(admits(rules, { email: null }).detail, 'a user without e-mail (groups: 0) matches no ALLOW_* rule');
  // One rule of each of two kinds is still a rule set (no count cancels out to "no rules").
  for (const mixed of [{ emails: 'boss@fabrikam.com', groups: 'Finance' }, { emailDomains: 'fabrikam.com', groups: 'Finance' }]) {
    assert.equal(admits(accessRules(mixed), { email: 'eve@contoso.com' }).code, 'access_denied', JSON.stringify(mixed));
  }
});

test('ALLOW_GROUPS: an object ID or a name from the groups claim; one matching rule of any kind suffices', () => {
  const id = '6f3e1b2a-0c4d-4e5f-8a9b-0c1d2e3f4a5b';
  const rules = accessRules({ groups: `${id.toUpperCase()}, Finance`, emails: 'boss@fabrikam.com' });
  assert.deepEqual(admits(rules, { email: 'eve@fabrikam.com', groups: [id] }), { allowed: true, rule: 'group' });
  assert.deepEqual(admits(rules, { email: 'eve@fabrikam.com', groups: ['finance'] }), { allowed: true, rule: 'group' });
  assert.deepEqual(admits(rules, { email: 'boss@fabrikam.com' }), { allowed: true, rule: 'email' });
  assert.equal(admits(rules, { email: 'eve@fabrikam.com', groups: ['Finance-Readers', `${id}x`] }).code, 'access_denied');
});

test('the groups-overage claim with a group rule refuses with its own code, never admits', () => {
  const rules = accessRules({ groups: 'Finance' });
  const identity = { attributes: { [GROUPS_OVERAGE_CLAIM]: ['https://graph.windows.net/t/users/u/getMemberObjects'] } };
  const subject = subjectOf(identity, 'eve@contoso.com');
  assert.deepEqual([subject.groupsOverage, subject.groups], [true, []]);
  const result = evaluateAccess(rules, subject);
  assert.equal(result.allowed, false);
  assert.equal(result.code, 'access_groups_overage');
  // Another rule that admits the user still admits; without a group rule overage means nothing.
  assert.equal(evaluateAccess(accessRules({ groups: 'Finance', emailDomains: 'contoso.com' }), subject).allowed, true);
  assert.equal(evaluateAccess(accessRules({ emailDomains: 'fabrikam.com' }), subject).code, 'access_denied');
  assert.deepEqual(subjectOf({ attributes: { [GROUPS_CLAIM]: ['a', 'b'] } }, null), { email: null, groups: ['a', 'b'], groupsOverage: false });
});

test('PUBLIC_PATHS: segment-aware prefixes', () => {
  const prefixes = parsePublicPaths('/public/, /assets');
  assert.deepEqual(prefixes, ['/public', '/assets']);
  for (const path of ['/public', '/public/', '/public/logo.svg', '/public/a/b', '/assets/x.css', '/public//x']) {
    assert.equal(isPublicPath(prefixes, path), true, path);
  }
  for (const path of ['/publicity/x', '/publicx', '/public.svg', '/assetsx/y', '/', '/x', '//public/x', 'public/x', '/PUBLIC/x']) {
    assert.equal(isPublicPath(prefixes, path), false, path);
  }
  assert.deepEqual(parsePublicPaths(undefined), []);
  for (const bad of ['/', 'public/', '//public', '/public/../x', '/a/./b', '/%2e/', '/a?b', '/a#b', '/a\\b']) {
    assert.throws(() => parsePublicPaths(bad), RuleError, bad);
  }
});

test('PUBLIC_PATHS: dot segments and encodings an origin might decode do not leave the prefix', () => {
  const prefixes = parsePublicPaths('/public/');
  for (const path of [
    '/public/..%2fprivate',
    '/public/..%2Fprivate',
    '/public/%2e%2e/private',
    '/public/%2E%2E%2Fprivate',
    '/public/..%5cprivate',
    '/public/..\\private',
    '/public/.%2e/private',
    '/public/%2e%2e',
    '/public/x/..%2f..%2fprivate',
    '/public/%00',
    '/public/%ZZ',
    '/public%2fx',
    '/public%2f..%2fx',
    '/public/..;/private',
    '/public/..;jsessionid=x/private',
    '/public/..%3b/private',
    '/public/%252e%252e/private',
    '/public/%25252e%25252e%25252fprivate',
    '/public/%2525252e%2525252e%2525252fprivate',
  ]) {
    assert.equal(isPublicPath(prefixes, path), false, path);
  }
  assert.equal(isPublicPath(prefixes, '/public/a%2fb'), true, 'an encoded slash that stays below is fine');
  assert.equal(isPublicPath(prefixes, '/public/100%25.png'), true, 'a literal % in a name');
  // Up to three decodings are followed; still encoded after them, no reading is trusted.
  assert.equal(isPublicPath(prefixes, '/public/a%252fb'), true, 'double encoding that stays below');
  assert.equal(isPublicPath(prefixes, '/public/a%25252fb'), true, 'three decodings');
  assert.equal(isPublicPath(prefixes, '/public/a%2525252fb'), false, 'still encoded after three decodings');
  assert.equal(isPublicPath(prefixes, '/public/a;v=1/b.css'), true, 'a path parameter that stays below');
  assert.equal(strictPath('/a/b/../../../c'), '/c');
  assert.equal(strictPath('/a//b/./c'), '/a/b/c');
});

test('API calls: non-GET, XHR, Accept preferring JSON; a browser navigation is not one', () => {
  const h = (headers) => new Headers(headers);
  assert.equal(isApiCall('POST', h({})), true);
  assert.equal(isApiCall('DELETE', h({ Accept: 'text/html' })), true);
  assert.equal(isApiCall('GET', h({ 'X-Requested-With': 'XMLHttpRequest' })), true);
  assert.equal(isApiCall('GET', h({ Accept: 'application/json' })), true);
  assert.equal(isApiCall('GET', h({ Accept: 'application/json, text/plain, */*' })), true);
  assert.equal(isApiCall('GET', h({ Accept: 'application/problem+json' })), true);
  assert.equal(isApiCall('GET', h({ Accept: 'text/html;q=0.5, application/json' })), true);
  assert.equal(isApiCall('GET', h({ Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' })), false);
  assert.equal(isApiCall('GET', h({ Accept: 'text/html, application/json;q=0.9' })), false);
  assert.equal(isApiCall('GET', h({ Accept: '*/*' })), false);
  assert.equal(isApiCall('GET', h({ Accept: 'application/json;q=0' })), false);
  assert.equal(isApiCall('HEAD', h({})), false);
  assert.equal(isApiCall('GET', h({})), false);
});
