// The SCIM filter and path parser (pkg/worker/scim/filter.js), plain Node: the filters Entra ID
// sends, RFC 7644 §3.4.2.2's grammar, what is refused, and element matching.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FilterError, matches, parseFilter, parsePath } from '../../pkg/worker/scim/filter.js';

const path = (name, more = {}) => ({ urn: null, name, sub: null, filter: null, ...more });

test('Entra: userName eq "<UPN>", and the Test Connection GUID', () => {
  assert.deepEqual(parseFilter('userName eq "B.Simon@contoso.com"'), { op: 'eq', path: path('userName'), value: 'B.Simon@contoso.com' });
  assert.deepEqual(parseFilter('userName eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"').value, '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef');
  // URL-decoded form values arrive with + already turned into spaces; keywords are case-insensitive.
  assert.equal(parseFilter('userName EQ "x"').op, 'eq');
});

test('Entra: externalId, id, displayName and emails[type eq "work"].value', () => {
  assert.deepEqual(parseFilter('externalId eq "0a21f0f2"').path, path('externalId'));
  assert.deepEqual(parseFilter('id eq "abc"').path, path('id'));
  assert.deepEqual(parseFilter('displayName eq "Group 1"').path, path('displayName'));
  const work = parseFilter('emails[type eq "work"].value eq "b.simon@contoso.com"');
  assert.equal(work.op, 'eq');
  assert.equal(work.path.name, 'emails');
  assert.equal(work.path.sub, 'value');
  assert.deepEqual(work.path.filter, { op: 'eq', path: path('type'), value: 'work' });
  assert.deepEqual(parseFilter('emails.value eq "a@b"').path, path('emails', { sub: 'value' }));
});

test('and / or / not and parentheses, with precedence (and binds tighter than or)', () => {
  const f = parseFilter('userName eq "a" or userName eq "b" and externalId eq "c"');
  assert.equal(f.op, 'or');
  assert.equal(f.right.op, 'and');
  const g = parseFilter('(userName eq "a" or userName eq "b") and externalId eq "c"');
  assert.equal(g.op, 'and');
  assert.equal(g.left.op, 'or');
  assert.equal(parseFilter('not (active eq false)').op, 'not');
  assert.deepEqual(parseFilter('title pr'), { op: 'pr', path: path('title') });
});

test('values: strings with escapes and operators inside, true/false/null, numbers', () => {
  assert.equal(parseFilter('userName eq "a \\"and\\" b or c"').value, 'a "and" b or c');
  assert.equal(parseFilter('userName eq "x) or (y"').value, 'x) or (y');
  assert.equal(parseFilter('active eq true').value, true);
  assert.equal(parseFilter('active eq False').value, false);
  assert.equal(parseFilter('title eq null').value, null);
  assert.equal(parseFilter('x gt 12.5').value, 12.5);
});

test('URN-prefixed attribute paths', () => {
  const f = parseFilter('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "a"');
  assert.equal(f.path.urn, 'urn:ietf:params:scim:schemas:core:2.0:User');
  assert.equal(f.path.name, 'userName');
  const e = parseFilter('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "m"');
  assert.equal(e.path.name, 'manager');
  assert.equal(e.path.sub, 'value');
});

test('malformed filters are FilterError invalidFilter, never a partial parse', () => {
  for (const bad of [
    '',
    'userName',
    'userName eq',
    'userName eq "unterminated',
    'userName equals "a"',
    'userName eq "a" and',
    'userName eq "a" "b"',
    '(userName eq "a"',
    'userName eq "a")',
    'emails[type eq "work" .value eq "a"',
    'userName eq unquoted',
    'a.b.c eq "x"',
    'user{Name} eq "x"',
    `${'('.repeat(40)}a eq "b"${')'.repeat(40)}`,
    `userName eq "${'x'.repeat(3000)}"`,
  ]) {
    assert.throws(() => parseFilter(bad), (e) => e instanceof FilterError && e.scimType === 'invalidFilter', bad);
  }
});

test('PATCH paths: attr, attr.sub, attr[filter], attr[filter].sub; errors are invalidPath', () => {
  assert.deepEqual(parsePath('active'), path('active'));
  assert.deepEqual(parsePath('name.givenName'), path('name', { sub: 'givenName' }));
  const m = parsePath('members[value eq "2819c223"]');
  assert.equal(m.name, 'members');
  assert.deepEqual(m.filter, { op: 'eq', path: path('value'), value: '2819c223' });
  const e = parsePath('emails[type eq "work"].value');
  assert.equal(e.sub, 'value');
  assert.equal(parsePath('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department').name, 'department');
  for (const bad of ['', 'members[value eq "x"', 'name.givenName.x', 'a b', 'members[value eq "x"] extra']) {
    assert.throws(() => parsePath(bad), (e) => e instanceof FilterError && e.scimType === 'invalidPath', bad);
  }
});

test('matches: element filters, case-insensitive strings, and/or/not, pr', () => {
  const work = { type: 'work', value: 'B.Simon@contoso.com', primary: true };
  assert.ok(matches(parseFilter('type eq "WORK"'), work));
  assert.ok(matches(parseFilter('type eq "work" and value eq "b.simon@contoso.com"'), work));
  assert.ok(!matches(parseFilter('type eq "home"'), work));
  assert.ok(matches(parseFilter('type eq "home" or primary eq true'), work));
  assert.ok(matches(parseFilter('not (type eq "home")'), work));
  assert.ok(matches(parseFilter('display pr'), { display: 'x' }) && !matches(parseFilter('display pr'), work));
  assert.ok(matches(parseFilter('value sw "b.simon"'), work));
  const user = { emails: [work, { type: 'home', value: 'x@y' }] };
  assert.ok(matches(parseFilter('emails[type eq "work"].value eq "b.simon@contoso.com"'), user));
  assert.ok(!matches(parseFilter('emails[type eq "home"].value eq "b.simon@contoso.com"'), user));
});
