// The PATCH normaliser and applier (pkg/worker/scim/patch.js) and the resource reader
// (scim/schema.js), plain Node: each of Entra ID's shapes (both modes: default and
// ?aadOptscim062020), RFC 7644 §3.5.2 semantics, and the errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPatch, normalisePatch } from '../../pkg/worker/scim/patch.js';
import { GROUP_SCHEMA, ScimProblem, USER_SCHEMA, readResource } from '../../pkg/worker/scim/schema.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** PATCH `operations` on a stored user, read back as stored. */
function patchUser(user, operations, extra = {}) {
  const ops = normalisePatch({ schemas: [PATCH_OP], Operations: operations, ...extra }, USER_SCHEMA);
  return readResource('User', applyPatch('User', user, ops));
}

function patchGroup(group, operations) {
  return readResource('Group', applyPatch('Group', group, normalisePatch({ schemas: [PATCH_OP], Operations: operations }, GROUP_SCHEMA)));
}

const simon = () => ({
  userName: 'B.Simon@contoso.com',
  active: true,
  displayName: 'B. Simon',
  name: { givenName: 'B', familyName: 'Simon' },
  emails: [{ value: 'b.simon@contoso.com', type: 'work', primary: true }],
  externalId: 'bsimon',
});

test('readResource: Entra POST /Users (meta, roles, nulls, a typo\'d URN ignored; "True" read as true)', () => {
  const user = readResource('User', {
    schemas: [USER_SCHEMA, `${ENTERPRISE.replace(':User', 'User')}`],
    externalId: '0a21f0f2',
    userName: 'Test_User_1',
    active: 'True',
    emails: [{ primary: true, type: 'work', value: 'Test_User_1@testuser.com' }],
    meta: { resourceType: 'User' },
    name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
    roles: [],
    title: null,
    addresses: null,
    [ENTERPRISE]: { department: 'Sales' },
    id: 'client-chosen',
    password: 'never stored',
  });
  assert.deepEqual(user, {
    userName: 'Test_User_1',
    name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
    active: true,
    emails: [{ value: 'Test_User_1@testuser.com', type: 'work', primary: true }],
    externalId: '0a21f0f2',
  });
});

test('readResource: missing userName and wrong types are ScimProblem invalidValue with a clear detail', () => {
  const problem = (input, detail) =>
    assert.throws(() => readResource('User', input), (e) => e instanceof ScimProblem && e.scimType === 'invalidValue' && e.message.includes(detail));
  problem({ displayName: 'x' }, 'userName is required');
  problem({ userName: '' }, 'userName is required');
  problem({ userName: 42 }, 'userName must be a string');
  problem({ userName: 'a', active: 'yes' }, 'active must be a boolean');
  problem({ userName: 'a', name: 'Simon' }, 'name must be an object');
  problem({ userName: 'a', emails: [{ value: 7 }] }, 'emails[0].value must be a string');
  problem({ userName: 'a', displayName: ['one', 'two'] }, 'displayName is single-valued');
  assert.throws(() => readResource('User', []), (e) => e.scimType === 'invalidSyntax');
  assert.throws(() => readResource('Group', { members: [] }), /displayName is required/);
});

test('Entra default mode: capitalised ops, "False" as a string, stray id and op name keys', () => {
  const out = patchUser(simon(), [{ op: 'Replace', path: 'active', value: 'False', name: 'stray' }], { id: 'stray-id' });
  assert.equal(out.active, false);
  assert.equal(patchUser(out, [{ op: 'Replace', path: 'active', value: 'True' }]).active, true);
  assert.equal(patchUser(simon(), [{ op: 'replace', path: 'active', value: false }]).active, false);
  assert.equal(patchUser(simon(), [{ op: 'Add', path: 'title', value: 'Engineer' }]).title, 'Engineer');
});

test('aadOptscim062020 mode: path-less replace with dotted keys, value paths and URN keys', () => {
  const out = patchUser(simon(), [
    {
      op: 'replace',
      value: {
        active: false,
        displayName: 'Britta Simon',
        'name.givenName': 'Britta',
        'emails[type eq "work"].value': 'britta.simon@contoso.com',
        [`${ENTERPRISE}:department`]: 'Sales',
        [ENTERPRISE]: { employeeNumber: '42' },
        [USER_SCHEMA]: { title: 'Lead' },
        [`${USER_SCHEMA}:nickName`]: 'ignored: not stored',
      },
    },
  ]);
  assert.equal(out.active, false);
  assert.equal(out.displayName, 'Britta Simon');
  assert.deepEqual(out.name, { givenName: 'Britta', familyName: 'Simon' });
  assert.deepEqual(out.emails, [{ value: 'britta.simon@contoso.com', type: 'work', primary: true }]);
  assert.equal(out.title, 'Lead');
  assert.equal(out.department, undefined);
});

test('emails[type eq "work"].value: replace, add when there is no work address, remove', () => {
  const none = { ...simon(), emails: [{ value: 'home@example.com', type: 'home' }] };
  const added = patchUser(none, [{ op: 'Replace', path: 'emails[type eq "work"].value', value: 'new@contoso.com' }]);
  assert.deepEqual(added.emails, [{ value: 'home@example.com', type: 'home' }, { type: 'work', value: 'new@contoso.com' }]);
  const removed = patchUser(added, [{ op: 'Remove', path: 'emails[type eq "work"]' }]);
  assert.deepEqual(removed.emails, [{ value: 'home@example.com', type: 'home' }]);
  const removedValue = patchUser(simon(), [{ op: 'remove', path: 'emails[type eq "work"].value' }]);
  assert.equal(removedValue.emails, undefined);
});

test('groups: members added with "$ref": null, removed by value list (default mode) and by members[value eq] (flag)', () => {
  const group = { displayName: 'Group1' };
  const two = patchGroup(group, [{ op: 'Add', path: 'members', value: [{ $ref: null, value: 'u1' }, { $ref: null, value: 'u2' }] }]);
  assert.deepEqual(two.members, [{ value: 'u1' }, { value: 'u2' }]);
  // Adding an existing member again does not duplicate it.
  assert.equal(patchGroup(two, [{ op: 'add', path: 'members', value: [{ value: 'u1' }] }]).members.length, 2);
  const byList = patchGroup(two, [{ op: 'Remove', path: 'members', value: [{ value: 'u1' }] }]);
  assert.deepEqual(byList.members, [{ value: 'u2' }]);
  const byFilter = patchGroup(two, [{ op: 'remove', path: 'members[value eq "u2"]' }]);
  assert.deepEqual(byFilter.members, [{ value: 'u1' }]);
  const renamed = patchGroup(two, [{ op: 'Replace', path: 'displayName', value: 'Group1 renamed' }]);
  assert.equal(renamed.displayName, 'Group1 renamed');
  assert.equal(patchGroup(two, [{ op: 'remove', path: 'members' }]).members, undefined);
  // Path-less add of members (Okta and others).
  assert.deepEqual(patchGroup(group, [{ op: 'add', value: { members: [{ value: 'u3' }] } }]).members, [{ value: 'u3' }]);
});

test('RFC semantics: add merges a complex attribute, replace replaces it, remove deletes it', () => {
  const merged = patchUser(simon(), [{ op: 'add', path: 'name', value: { middleName: 'M' } }]);
  assert.deepEqual(merged.name, { givenName: 'B', familyName: 'Simon', middleName: 'M' });
  const replaced = patchUser(simon(), [{ op: 'replace', path: 'name', value: { formatted: 'B Simon' } }]);
  assert.deepEqual(replaced.name, { formatted: 'B Simon' });
  assert.equal(patchUser(simon(), [{ op: 'remove', path: 'displayName' }]).displayName, undefined);
  assert.equal(patchUser(simon(), [{ op: 'remove', path: 'name.givenName' }]).name.givenName, undefined);
  assert.equal(patchUser(simon(), [{ op: 'replace', path: 'externalId', value: 'x2' }]).externalId, 'x2');
  // Unknown attributes and read-only ones are ignored, as on POST.
  assert.deepEqual(patchUser(simon(), [{ op: 'replace', path: 'nickName', value: 'x' }, { op: 'replace', path: 'id', value: 'y' }]), simon());
});

test('errors: no Operations, unknown op, remove without path, bad path, a PATCH that breaks the resource', () => {
  const problem = (body, scimType) =>
    assert.throws(() => normalisePatch(body, USER_SCHEMA), (e) => e instanceof ScimProblem && e.scimType === scimType, JSON.stringify(body));
  problem({ schemas: [PATCH_OP] }, 'invalidSyntax');
  problem({ Operations: [] }, 'invalidSyntax');
  problem({ Operations: [{ op: 'move', path: 'x', value: 1 }] }, 'invalidSyntax');
  problem({ Operations: [{ op: 'remove' }] }, 'noTarget');
  problem({ Operations: [{ op: 'replace', value: 'not an object' }] }, 'invalidSyntax');
  problem({ Operations: [{ op: 'replace', path: 'emails[type eq "work"', value: 'x' }] }, 'invalidPath');
  problem('[]', 'invalidSyntax');
  assert.throws(() => patchUser(simon(), [{ op: 'replace', path: 'active', value: 'maybe' }]), /active must be a boolean/);
  assert.throws(() => patchUser(simon(), [{ op: 'remove', path: 'userName' }]), /userName is required/);
});
