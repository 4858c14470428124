// SCIM 2.0 provisioning (/scim/v2) and revocable sessions on workerd (Miniflare): every route,
// Entra ID's request shapes (both modes), bad inputs that leave the directory intact, concurrent
// PATCHes and a 409 race, and the acceptance run of issue 14: provisioned users only, SCIM groups
// in /saml/session, deactivation and deletion ending live sessions within SESSION_REFRESH_SECONDS.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Browser, IDP_CERT_PEM, SECRET, pageCode, requestIdOf, signedResponse, startWorker } from './worker-harness.mjs';

const SP = 'https://app.example.com/saml/metadata';
const ACS = 'http://localhost:8787/saml/acs';
const IDP = 'https://sts.windows.net/<tenant>/';
const SSO = 'https://login.microsoftonline.com/0f4a6c1d-2b3e-4f50-8a1b-9c2d3e4f5a6b/saml2';
const TOKEN = 'scim-token-A-0123456789abcdef0123456789abcdef';
const TOKEN_NEXT = 'scim-token-B-0123456789abcdef0123456789abcdef';
const ENTRA = { SP_ENTITY_ID: SP, IDP_CERT: IDP_CERT_PEM, IDP_ENTITY_ID: IDP, IDP_SSO_URL: SSO, SESSION_SECRET: SECRET };

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const EMAIL_CLAIM = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress';
const GROUPS_CLAIM = 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups';

const workers = [];
after(() => Promise.all(workers.map((w) => w.dispose())));

async function worker(bindings) {
  const w = await startWorker(bindings);
  workers.push(w);
  return w;
}

let scimWorker;
/** A SCIM-enabled Entra Worker shared by the route tests (two tokens: rotation). */
function shared() {
  scimWorker ??= worker({ ...ENTRA, SCIM_TOKEN: `${TOKEN}, ${TOKEN_NEXT}` });
  return scimWorker;
}

/** A SCIM client for worker `w`: `scim(method, path, body?, headers?)` -> { status, headers, body }. */
function client(w, token = TOKEN) {
  return async (method, path, body, headers = {}) => {
    const init = { method, headers: { Authorization: `Bearer ${token}`, ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      init.headers['Content-Type'] ??= 'application/scim+json';
    }
    const response = await w.fetch(`/scim/v2${path}`, init);
    const text = await response.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    return { status: response.status, headers: response.headers, body: json };
  };
}

function assertScimError(r, status, scimType) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.match(r.headers.get('Content-Type'), /^application\/scim\+json/);
  assert.deepEqual(r.body.schemas, [ERROR]);
  assert.equal(r.body.status, String(status));
  if (scimType !== undefined) assert.equal(r.body.scimType, scimType);
}

const q = (filter) => `?filter=${encodeURIComponent(filter)}`;

/** Entra's POST /Users body (MS doc "Create User"). */
function entraUser(userName, extra = {}) {
  return {
    schemas: [USER, ENTERPRISE],
    externalId: userName.split('@')[0],
    userName,
    active: true,
    emails: [{ primary: true, type: 'work', value: userName.toLowerCase() }],
    meta: { resourceType: 'User' },
    name: { formatted: 'Given Family', familyName: 'Family', givenName: 'Given' },
    roles: [],
    ...extra,
  };
}

test('no SCIM_TOKEN: /scim/v2 is 404 (the feature is off)', async () => {
  const w = await worker(ENTRA);
  const r = await w.fetch('/scim/v2/Users', { headers: { Authorization: `Bearer ${TOKEN}` } });
  assert.equal(r.status, 404);
});

test('SCIM_TOKEN: each token at least 32 characters, else the configuration error page', async () => {
  const w = await worker({ ...ENTRA, SCIM_TOKEN: `${TOKEN},short` });
  const r = await w.fetch('/scim/v2/Users', { headers: { Authorization: `Bearer ${TOKEN}` } });
  assert.equal(r.status, 500);
  const html = await r.text();
  assert.match(html, /SCIM_TOKEN/);
  assert.doesNotMatch(html, new RegExp(TOKEN));
});

test('bearer token: missing, wrong, wrong scheme -> 401 SCIM error; both rotated tokens work', async () => {
  const w = await shared();
  for (const headers of [{}, { Authorization: `Bearer ${TOKEN}x` }, { Authorization: `Basic ${TOKEN}` }, { Authorization: TOKEN }, { Authorization: `Bearer ${TOKEN.slice(0, 31)}` }]) {
    const response = await w.fetch('/scim/v2/Users', { headers });
    const body = await response.json();
    assert.equal(response.status, 401, JSON.stringify(headers));
    assert.equal(response.headers.get('WWW-Authenticate'), 'Bearer realm="saml-edge SCIM"');
    assert.deepEqual(body.schemas, [ERROR]);
    assert.equal(body.status, '401');
    assert.doesNotMatch(JSON.stringify(body), /scim-token/);
  }
  assert.equal((await client(w, TOKEN_NEXT)('GET', '/ServiceProviderConfig')).status, 200);
  assert.equal((await client(w)('GET', '/Users', undefined, { Authorization: `bearer ${TOKEN}` })).status, 200);
});

test('discovery: ServiceProviderConfig, ResourceTypes, Schemas (what is stored is what is published)', async () => {
  const scim = client(await shared());
  const spc = await scim('GET', '/ServiceProviderConfig');
  assert.equal(spc.status, 200);
  assert.match(spc.headers.get('Content-Type'), /^application\/scim\+json/);
  assert.equal(spc.body.patch.supported, true);
  assert.equal(spc.body.filter.supported, true);
  assert.equal(spc.body.bulk.supported, false);
  assert.equal(spc.body.authenticationSchemes[0].type, 'oauthbearertoken');
  const types = await scim('GET', '/ResourceTypes');
  assert.deepEqual(types.body.Resources.map((t) => [t.name, t.endpoint, t.schema]), [['User', '/Users', USER], ['Group', '/Groups', GROUP]]);
  assert.equal((await scim('GET', '/ResourceTypes/Group')).body.endpoint, '/Groups');
  assertScimError(await scim('GET', '/ResourceTypes/Device'), 404);
  const schemas = await scim('GET', '/Schemas');
  assert.equal(schemas.body.totalResults, 2);
  const user = await scim('GET', `/Schemas/${USER}`);
  assert.deepEqual(user.body.attributes.map((a) => a.name), ['userName', 'name', 'displayName', 'title', 'active', 'emails']);
  assert.equal(user.body.attributes[0].uniqueness, 'server');
  assertScimError(await scim('GET', '/Schemas/urn:nope'), 404);
  assertScimError(await scim('POST', '/Schemas', {}), 405);
  assertScimError(await scim('GET', '/Bulk'), 404);
  assert.equal((await scim('GET', '/users?count=1')).status, 200);
  assert.equal((await scim('GET', '/serviceproviderconfig')).status, 200);
  assertScimError(await scim('POST', '/.search', {}), 501);
});

test('Users: POST, GET, filters (eq, and; any case on userName), pagination, attributes, PUT, PATCH, DELETE', async () => {
  const scim = client(await shared());
  const created = await scim('POST', '/Users', entraUser('Alice.Crud@contoso.com', { title: null, addresses: null, nickName: 'not stored' }));
  assert.equal(created.status, 201);
  const alice = created.body;
  assert.equal(created.headers.get('Location'), `http://localhost:8787/scim/v2/Users/${alice.id}`);
  assert.equal(created.headers.get('ETag'), 'W/"1"');
  assert.deepEqual(alice.schemas, [USER]);
  assert.equal(alice.userName, 'Alice.Crud@contoso.com');
  assert.equal(alice.externalId, 'Alice.Crud');
  assert.equal(alice.nickName, undefined);
  assert.equal(alice.title, undefined);
  assert.deepEqual(Object.keys(alice.meta).sort(), ['created', 'lastModified', 'location', 'resourceType', 'version']);
  assert.equal(alice.meta.resourceType, 'User');
  assert.equal(alice.meta.location, created.headers.get('Location'));
  assert.equal((await scim('GET', `/Users/${alice.id}`)).body.userName, 'Alice.Crud@contoso.com');
  assertScimError(await scim('GET', '/Users/00000000-0000-0000-0000-000000000000'), 404);

  const found = async (filter) => (await scim('GET', `/Users${q(filter)}`)).body.Resources.map((u) => u.id);
  assert.deepEqual(await found('userName eq "alice.crud@CONTOSO.com"'), [alice.id]);
  assert.deepEqual(await found('externalId eq "Alice.Crud"'), [alice.id]);
  assert.deepEqual(await found(`id eq "${alice.id}"`), [alice.id]);
  assert.deepEqual(await found('emails.value eq "ALICE.crud@contoso.com"'), [alice.id]);
  assert.deepEqual(await found('emails[type eq "work"].value eq "alice.crud@contoso.com"'), [alice.id]);
  assert.deepEqual(await found('emails[type eq "home"].value eq "alice.crud@contoso.com"'), []);
  assert.deepEqual(await found('userName eq "alice.crud@contoso.com" and externalId eq "Alice.Crud"'), [alice.id]);
  assert.deepEqual(await found('userName eq "alice.crud@contoso.com" and externalId eq "other"'), []);
  // Entra's Test Connection: a random GUID is 200 with an empty ListResponse, never 404.
  const miss = await scim('GET', `/Users${q('userName eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"')}`);
  assert.equal(miss.status, 200);
  assert.deepEqual(miss.body, { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });
  // Form-encoded query (+ for spaces), as in elimity-com/scim's Azure AD fixtures.
  assert.equal((await scim('GET', '/Users?filter=userName+eq+%22alice.crud%40contoso.com%22')).body.totalResults, 1);
  assertScimError(await scim('GET', `/Users${q('userName co "alice"')}`), 400, 'invalidFilter');
  assertScimError(await scim('GET', `/Users${q('nickName eq "x"')}`), 400, 'invalidFilter');
  assertScimError(await scim('GET', `/Users${q('userName eq "x" or')}`), 400, 'invalidFilter');
  assertScimError(await scim('GET', `/Users${q('userName eq alice')}`), 400, 'invalidFilter');

  // Pagination: startIndex is 1-based; count caps the page; totalResults counts all.
  const ids = [alice.id];
  for (const n of [1, 2, 3]) ids.push((await scim('POST', '/Users', entraUser(`page${n}.crud@contoso.com`, { externalId: 'page' }))).body.id);
  const page = await scim('GET', `/Users${q('externalId eq "page"')}&startIndex=2&count=1`);
  assert.deepEqual([page.body.totalResults, page.body.startIndex, page.body.itemsPerPage], [3, 2, 1]);
  assert.deepEqual(page.body.Resources.map((u) => u.id), [ids[2]]);
  assert.equal((await scim('GET', `/Users${q('externalId eq "page"')}&count=0`)).body.Resources.length, 0);

  // attributes / excludedAttributes: id and schemas always come.
  const only = (await scim('GET', `/Users/${alice.id}?attributes=userName,name.givenName`)).body;
  assert.deepEqual(only, { schemas: [USER], id: alice.id, userName: alice.userName, name: { givenName: 'Given' } });
  const without = (await scim('GET', `/Users${q(`id eq "${alice.id}"`)}&excludedAttributes=emails,meta,id`)).body.Resources[0];
  assert.equal(without.emails, undefined);
  assert.equal(without.meta, undefined);
  assert.equal(without.id, alice.id);
  // POST /Users/.search takes the same query in a body.
  const searched = await scim('POST', '/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'externalId eq "page"', attributes: ['userName'], count: 2 });
  assert.deepEqual([searched.body.totalResults, searched.body.Resources.length, Object.keys(searched.body.Resources[0]).sort()], [3, 2, ['id', 'schemas', 'userName']]);

  // PUT replaces the resource (what is not sent is gone); PATCH answers the resource; ETags move.
  const put = await scim('PUT', `/Users/${alice.id}`, { schemas: [USER], userName: 'alice.crud@contoso.com', displayName: 'Alice', active: true });
  assert.equal(put.status, 200);
  assert.equal(put.body.emails, undefined);
  assert.equal(put.body.displayName, 'Alice');
  assert.equal(put.body.meta.version, 'W/"2"');
  assertScimError(await scim('PUT', `/Users/${alice.id}`, { userName: 'x' }, { 'If-Match': 'W/"1"' }), 412);
  const patched = await scim('PATCH', `/Users/${alice.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'title', value: 'Engineer' }] }, { 'If-Match': 'W/"2"' });
  assert.equal(patched.status, 200);
  assert.equal(patched.body.title, 'Engineer');
  assert.equal(patched.headers.get('ETag'), 'W/"3"');
  assert.ok(Date.parse(patched.body.meta.lastModified) >= Date.parse(patched.body.meta.created));
  assert.equal((await w304(scim, alice.id, 'W/"3"')), 304);
  assertScimError(await scim('PATCH', '/Users/nope', { Operations: [{ op: 'add', path: 'title', value: 'x' }] }), 404);
  assertScimError(await scim('DELETE', '/Users', undefined), 405);

  assert.equal((await scim('DELETE', `/Users/${alice.id}`)).status, 204);
  assertScimError(await scim('GET', `/Users/${alice.id}`), 404);
  assertScimError(await scim('DELETE', `/Users/${alice.id}`), 404);
  assert.equal((await scim('GET', `/Users${q('userName eq "alice.crud@contoso.com"')}`)).body.totalResults, 0);
});

async function w304(scim, id, etag) {
  return (await scim('GET', `/Users/${id}`, undefined, { 'If-None-Match': etag })).status;
}

test('Users: 409 uniqueness on userName in any case; the first user is untouched', async () => {
  const scim = client(await shared());
  const first = await scim('POST', '/Users', entraUser('Dup.User@contoso.com'));
  assert.equal(first.status, 201);
  assertScimError(await scim('POST', '/Users', entraUser('dup.user@CONTOSO.com', { displayName: 'other' })), 409, 'uniqueness');
  const other = await scim('POST', '/Users', entraUser('dup.other@contoso.com'));
  assertScimError(await scim('PATCH', `/Users/${other.body.id}`, { Operations: [{ op: 'replace', path: 'userName', value: 'DUP.USER@contoso.com' }] }), 409, 'uniqueness');
  assertScimError(await scim('PUT', `/Users/${other.body.id}`, { userName: 'dup.user@contoso.com' }), 409, 'uniqueness');
  assert.deepEqual((await scim('GET', `/Users/${first.body.id}`)).body, first.body);
  assert.equal((await scim('GET', `/Users/${other.body.id}`)).body.userName, 'dup.other@contoso.com');
});

test('a 409 race: two concurrent POSTs of one userName, exactly one is created', async () => {
  const scim = client(await shared());
  for (let round = 0; round < 3; round += 1) {
    const name = `race${round}@contoso.com`;
    const results = await Promise.all([scim('POST', '/Users', entraUser(name)), scim('POST', '/Users', entraUser(name.toUpperCase()))]);
    assert.deepEqual(results.map((r) => r.status).sort(), [201, 409]);
    assert.equal((await scim('GET', `/Users${q(`userName eq "${name}"`)}`)).body.totalResults, 1);
  }
});

test('concurrent PATCHes to one user all apply, one after the other', async () => {
  const scim = client(await shared());
  const user = (await scim('POST', '/Users', entraUser('concurrent@contoso.com', { emails: [] }))).body;
  const n = 20;
  const results = await Promise.all(
    Array.from({ length: n }, (_, i) => scim('PATCH', `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'emails', value: [{ type: 'other', value: `a${i}@contoso.com` }] }] })),
  );
  assert.deepEqual(new Set(results.map((r) => r.status)), new Set([200]));
  const after = (await scim('GET', `/Users/${user.id}`)).body;
  assert.equal(after.emails.length, n);
  assert.equal(after.meta.version, `W/"${n + 1}"`);
  // Each answer saw a different version: no two PATCHes read the same state.
  assert.equal(new Set(results.map((r) => r.body.meta.version)).size, n);
});

test('bad inputs: SCIM 400/413 with a clear detail, and the directory is left intact', async () => {
  const scim = client(await shared());
  const user = (await scim('POST', '/Users', entraUser('intact@contoso.com'))).body;
  const before = (await scim('GET', '/Users?count=1000')).body.totalResults;
  const cases = [
    [['POST', '/Users', '{"userName": "x",'], 400, 'invalidSyntax', /not valid JSON/],
    [['POST', '/Users', ''], 400, 'invalidSyntax', /empty/],
    [['POST', '/Users', '[1,2]'], 400, 'invalidSyntax', /JSON object/],
    [['POST', '/Users', { displayName: 'no userName' }], 400, 'invalidValue', /userName is required/],
    [['POST', '/Users', { userName: 7 }], 400, 'invalidValue', /userName must be a string/],
    [['POST', '/Users', { userName: 'typed@contoso.com', active: 'sometimes' }], 400, 'invalidValue', /active must be a boolean/],
    [['POST', '/Users', { userName: 'typed@contoso.com', emails: 'a@b' }], 400, 'invalidValue', /emails\[0\] must be an object/],
    [['PATCH', `/Users/${user.id}`, { Operations: [{ op: 'replace', path: 'active', value: 'nah' }] }], 400, 'invalidValue', /active must be a boolean/],
    [['PATCH', `/Users/${user.id}`, { Operations: [{ op: 'replace', path: 'title', value: 'ok' }, { op: 'remove', path: 'userName' }] }], 400, 'invalidValue', /userName is required/],
    [['PATCH', `/Users/${user.id}`, { Operations: [{ op: 'jump', path: 'title', value: 'x' }] }], 400, 'invalidSyntax', /op must be/],
    [['PATCH', `/Users/${user.id}`, { Operations: [{ op: 'replace', path: 'emails[type eq', value: 'x' }] }], 400, 'invalidPath', /invalid path/],
    [['PATCH', `/Users/${user.id}`, { Operations: [] }], 400, 'invalidSyntax', /non-empty/],
    [['POST', '/Groups', { displayName: 'with a ghost', members: [{ value: 'no-such-user' }] }], 400, 'invalidValue', /no user with id/],
    [['POST', '/Users', JSON.stringify({ userName: 'big@contoso.com', displayName: 'x'.repeat(1024 * 1024) })], 413, undefined, /larger than/],
  ];
  for (const [[method, path, body], status, scimType, detail] of cases) {
    const r = await scim(method, path, body);
    assertScimError(r, status, scimType);
    assert.match(r.body.detail, detail, `${method} ${path}`);
  }
  assert.equal((await scim('GET', '/Users?count=1000')).body.totalResults, before);
  assert.deepEqual((await scim('GET', `/Users/${user.id}`)).body, user);
  assert.equal((await scim('GET', `/Groups${q('displayName eq "with a ghost"')}`)).body.totalResults, 0);
});

test('Groups: Entra flow (empty POST, filter with excludedAttributes=members, member PATCHes 204), PUT, DELETE', async () => {
  const scim = client(await shared());
  const u1 = (await scim('POST', '/Users', entraUser('member1@contoso.com'))).body;
  const u2 = (await scim('POST', '/Users', entraUser('member2@contoso.com'))).body;
  const created = await scim('POST', '/Groups', { schemas: [GROUP], externalId: 'g-obj-1', displayName: 'Engineering', members: [] });
  assert.equal(created.status, 201);
  const g = created.body;
  assert.equal(g.meta.resourceType, 'Group');
  assert.equal(g.members, undefined);
  assertScimError(await scim('POST', '/Groups', { displayName: 'ENGINEERING' }), 409, 'uniqueness');
  const match = await scim('GET', `/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "Engineering"')}`);
  assert.deepEqual(match.body.Resources.map((x) => x.id), [g.id]);
  assert.equal((await scim('GET', `/Groups${q('externalId eq "g-obj-1"')}`)).body.totalResults, 1);
  assert.equal((await scim('GET', `/Groups${q('displayName eq "nope"')}`)).body.totalResults, 0);

  const add = await scim('PATCH', `/Groups/${g.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: u1.id }, { $ref: null, value: u2.id }] }] });
  assert.equal(add.status, 204);
  let read = (await scim('GET', `/Groups/${g.id}`)).body;
  assert.deepEqual(read.members.map((m) => m.value).sort(), [u1.id, u2.id].sort());
  assert.equal(read.members[0].$ref, `http://localhost:8787/scim/v2/Users/${read.members[0].value}`);
  assert.equal((await scim('GET', `/Groups/${g.id}?excludedAttributes=members`)).body.members, undefined);
  assert.equal((await scim('GET', `/Groups${q(`members.value eq "${u1.id}"`)}`)).body.totalResults, 1);
  // A ghost member fails the whole PATCH (nothing added); add and remove of one id apply in order.
  const ghost = await scim('PATCH', `/Groups/${g.id}`, { Operations: [{ op: 'add', path: 'members', value: [{ value: 'ghost' }] }, { op: 'remove', path: 'members', value: [{ value: u1.id }] }] });
  assertScimError(ghost, 400, 'invalidValue');
  assert.equal((await scim('GET', `/Groups/${g.id}`)).body.members.length, 2);
  assert.equal((await scim('PATCH', `/Groups/${g.id}`, { Operations: [{ op: 'add', path: 'members', value: [{ value: u1.id }] }, { op: 'remove', path: `members[value eq "${u1.id}"]` }, { op: 'add', path: 'members', value: { value: u1.id } }] })).status, 204);
  assert.equal((await scim('GET', `/Groups/${g.id}`)).body.members.length, 2);
  // Default mode removal: a value list. Flag mode removal: members[value eq "…"].
  assert.equal((await scim('PATCH', `/Groups/${g.id}`, { Operations: [{ op: 'Remove', path: 'members', value: [{ value: u1.id }] }] })).status, 204);
  assert.deepEqual((await scim('GET', `/Groups/${g.id}`)).body.members.map((m) => m.value), [u2.id]);
  assert.equal((await scim('PATCH', `/Groups/${g.id}`, { Operations: [{ op: 'remove', path: `members[value eq "${u2.id}"]` }] })).status, 204);
  assert.equal((await scim('GET', `/Groups/${g.id}`)).body.members, undefined);
  assert.equal((await scim('PATCH', `/Groups/${g.id}`, { Operations: [{ op: 'Replace', path: 'displayName', value: 'Engineering 2' }] })).status, 204);
  // With attributes asked, a PATCH answers the group.
  const shown = await scim('PATCH', `/Groups/${g.id}?attributes=displayName`, { Operations: [{ op: 'add', path: 'members', value: [{ value: u1.id }] }] });
  assert.deepEqual([shown.status, shown.body.displayName], [200, 'Engineering 2']);
  const put = await scim('PUT', `/Groups/${g.id}`, { schemas: [GROUP], displayName: 'Engineering 3', members: [{ value: u2.id }] });
  assert.deepEqual(put.body.members.map((m) => m.value), [u2.id]);
  // Deleting a member user removes the membership.
  assert.equal((await scim('DELETE', `/Users/${u2.id}`)).status, 204);
  read = (await scim('GET', `/Groups/${g.id}`)).body;
  assert.equal(read.members, undefined);
  assert.equal((await scim('DELETE', `/Groups/${g.id}`)).status, 204);
  assertScimError(await scim('GET', `/Groups/${g.id}`), 404);
});

// ---------------------------------------------------------------------------------------------
// Acceptance (issue 14): ACCESS_REQUIRES_PROVISIONING=true, SESSION_REFRESH_SECONDS=2.

const REFRESH_MS = 2000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Signs `nameId` in through /login/ and the ACS (xmlsec1-signed response); returns the browser and the ACS answer. */
async function signIn(w, nameId, { email = nameId, browser = new Browser(w) } = {}) {
  const login = await browser.request('/login/?next=/app/');
  const requestId = requestIdOf(login.headers.get('Location'));
  const SAMLResponse = signedResponse({ requestId, acsUrl: ACS, spEntityId: SP, nameId, attributes: { [EMAIL_CLAIM]: [email], [GROUPS_CLAIM]: ['aad-group-1'] } });
  const response = await browser.post('/saml/acs', { SAMLResponse });
  return { browser, response };
}

async function refusalCode(response) {
  return pageCode(await response.text());
}

test('acceptance: Entra provisioning run (both modes), provisioned-only sign-in, SCIM groups, deactivation, deletion, logout', async () => {
  const w = await worker({ ...ENTRA, SCIM_TOKEN: TOKEN, ACCESS_REQUIRES_PROVISIONING: 'true', SESSION_REFRESH_SECONDS: '2' });
  const scim = client(w);

  // Test Connection: a random GUID finds nothing (200, empty), on users and groups.
  assert.equal((await scim('GET', `/Users${q('userName eq "c5a1f1d2-96c4-4c4c-9d2f-000000000001"')}`)).body.totalResults, 0);
  assert.equal((await scim('GET', `/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "c5a1f1d2"')}`)).body.totalResults, 0);

  // Default mode (no aadOptscim062020): match, create, then Replace with "False"/"True" strings.
  const simon = (await scim('POST', '/Users', entraUser('B.Simon@contoso.com', { displayName: 'B. Simon' }))).body;
  assert.equal((await scim('GET', `/Users${q('userName eq "b.simon@contoso.com"')}`)).body.Resources[0].id, simon.id);
  // Flag mode (?aadOptscim062020): lower-case ops, path-less replace with dotted keys and URNs.
  const jane = (await scim('POST', '/Users', entraUser('jane.doe@contoso.com'))).body;
  const janePatched = await scim('PATCH', `/Users/${jane.id}`, {
    schemas: [PATCH_OP],
    Operations: [{ op: 'replace', value: { 'name.givenName': 'Jane', displayName: 'Jane Doe', 'emails[type eq "work"].value': 'jane@contoso.com', [`${ENTERPRISE}:department`]: 'R&D' } }],
  });
  assert.equal(janePatched.status, 200);
  assert.equal(janePatched.body.name.givenName, 'Jane');
  assert.equal((await scim('GET', `/Users${q('emails[type eq "work"].value eq "jane@contoso.com"')}`)).body.Resources[0].id, jane.id);

  // Groups: created empty, members added (default mode shape), a second group by the flag shape.
  const eng = (await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Engineering', externalId: 'obj-eng', members: [] })).body;
  const ops = (await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Ops', members: [] })).body;
  assert.equal((await scim('PATCH', `/Groups/${eng.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: simon.id }, { $ref: null, value: jane.id }] }] })).status, 204);
  assert.equal((await scim('PATCH', `/Groups/${ops.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: simon.id }] }] })).status, 204);
  assert.equal((await scim('PATCH', `/Groups/${ops.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${jane.id}"]` }] })).status, 204);

  // A provisioned user signs in (NameID = userName, any case) and sees the SCIM groups.
  const { browser, response } = await signIn(w, 'b.simon@CONTOSO.com');
  assert.equal(response.status, 303, await response.clone().text());
  let session = await browser.request('/saml/session');
  assert.equal(session.status, 200);
  let body = await session.json();
  assert.equal(body.scimId, simon.id);
  assert.deepEqual(body.groups, ['Engineering', 'Ops']);
  assert.deepEqual(body.attributes[GROUPS_CLAIM], ['aad-group-1']);
  // Matching by the work e-mail: the NameID is an object id, the e-mail claim is jane's address.
  const byEmail = await signIn(w, '7f3e0c1a-object-id', { email: 'JANE@contoso.com' });
  assert.equal(byEmail.response.status, 303);
  assert.deepEqual((await (await byEmail.browser.request('/saml/session')).json()).groups, ['Engineering']);
  // Not provisioned: 403 user_not_provisioned.
  const stranger = await signIn(w, 'mallory@contoso.com');
  assert.equal(stranger.response.status, 403);
  assert.equal(await refusalCode(stranger.response), 'user_not_provisioned');

  // Within the interval no registry check: no cookie re-issued. After it, one check re-issues the cookie.
  session = await browser.request('/saml/session');
  assert.equal(session.headers.getSetCookie().length, 0);
  await sleep(REFRESH_MS + 200);
  // A group change shows at the next check.
  await scim('PATCH', `/Groups/${ops.id}`, { Operations: [{ op: 'Remove', path: 'members', value: [{ value: simon.id }] }] });
  session = await browser.request('/saml/session');
  assert.equal(session.status, 200);
  assert.equal(session.headers.getSetCookie().length, 1);
  assert.deepEqual((await session.json()).groups, ['Engineering']);
  assert.equal((await browser.request('/saml/session')).headers.getSetCookie().length, 0);

  // Deactivation ("False", default mode): the live session is refused within the refresh interval.
  const off = await scim('PATCH', `/Users/${simon.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
  assert.equal(off.body.active, false);
  // Users stay queryable while inactive.
  assert.equal((await scim('GET', `/Users${q('userName eq "B.Simon@contoso.com"')}`)).body.Resources[0].active, false);
  const deactivatedAt = Date.now();
  let refusedAfter = null;
  while (Date.now() - deactivatedAt < REFRESH_MS + 1500) {
    const r = await browser.request('/saml/session');
    if (r.status === 401) {
      refusedAfter = Date.now() - deactivatedAt;
      break;
    }
    await sleep(100);
  }
  assert.ok(refusedAfter !== null && refusedAfter <= REFRESH_MS + 500, `refused after ${refusedAfter} ms`);
  // Elsewhere: a redirect to /login/.
  const { browser: other } = await signIn(w, 'jane.doe@contoso.com');
  await scim('PATCH', `/Users/${jane.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] });
  await sleep(REFRESH_MS + 100);
  const page = await other.request('/app/page');
  assert.equal(page.status, 302);
  assert.match(page.headers.get('Location'), /^\/login\/\?next=/);
  // A new sign-in of a deactivated user: 403 user_deactivated.
  const again = await signIn(w, 'B.Simon@contoso.com');
  assert.equal(again.response.status, 403);
  assert.equal(await refusalCode(again.response), 'user_deactivated');

  // Reactivation ("True"): signing in works again.
  await scim('PATCH', `/Users/${simon.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'True' }] });
  const back = await signIn(w, 'B.Simon@contoso.com');
  assert.equal(back.response.status, 303);
  assert.equal((await back.browser.request('/saml/session')).status, 200);

  // /logout revokes in the registry: a copy of the cookie is refused at its next check.
  const copy = new Browser(w);
  copy.cookies = new Map(back.browser.cookies);
  assert.equal((await back.browser.request('/logout')).status, 200);
  await sleep(REFRESH_MS + 100);
  assert.equal((await copy.request('/saml/session')).status, 401);

  // DELETE: 404 on the user, 401 on the live session.
  const last = await signIn(w, 'B.Simon@contoso.com');
  assert.equal(last.response.status, 303);
  assert.equal((await scim('DELETE', `/Users/${simon.id}`)).status, 204);
  assertScimError(await scim('GET', `/Users/${simon.id}`), 404);
  await sleep(REFRESH_MS + 100);
  const gone = await last.browser.request('/saml/session');
  assert.equal(gone.status, 401);
  // The refused cookie is deleted.
  assert.ok(gone.headers.getSetCookie().some((c) => /Max-Age=0/.test(c)));
  assert.equal((await signIn(w, 'B.Simon@contoso.com')).response.status, 403);
});

test('without ACCESS_REQUIRES_PROVISIONING the assertion decides; a matching SCIM user still links groups and revocation', async () => {
  const w = await worker({ ...ENTRA, SCIM_TOKEN: TOKEN, SESSION_REFRESH_SECONDS: '1' });
  const scim = client(w);
  const anyone = await signIn(w, 'guest@contoso.com');
  assert.equal(anyone.response.status, 303);
  const guest = await (await anyone.browser.request('/saml/session')).json();
  assert.deepEqual([guest.scimId, guest.groups], [null, []]);
  const u = (await scim('POST', '/Users', entraUser('linked@contoso.com'))).body;
  await scim('POST', '/Groups', { displayName: 'Linked group', members: [{ value: u.id }] });
  const linked = await signIn(w, 'linked@contoso.com');
  assert.deepEqual((await (await linked.browser.request('/saml/session')).json()).groups, ['Linked group']);
  await scim('PATCH', `/Users/${u.id}`, { Operations: [{ op: 'replace', path: 'active', value: false }] });
  await sleep(1100);
  assert.equal((await linked.browser.request('/saml/session')).status, 401);
  // The unlinked session goes on.
  assert.equal((await anyone.browser.request('/saml/session')).status, 200);
});

test('session registry: expired sessions are purged by the alarm; revokeSessionsOf for single logout', async () => {
  const w = await worker({ ...ENTRA, SCIM_TOKEN: TOKEN });
  const ns = await w.mf.getDurableObjectNamespace('DIRECTORY');
  const registry = ns.get(ns.idFromName('org:default'));
  const now = Date.now();
  const base = { nameId: 'slo@contoso.com', email: null, issuer: IDP, created: now, requireProvisioning: false };
  await registry.signIn({ ...base, sessionId: 'short', sessionIndex: 'idx-1', expires: now + 500 });
  await registry.signIn({ ...base, sessionId: 'long-1', sessionIndex: 'idx-1', expires: now + 3_600_000 });
  await registry.signIn({ ...base, sessionId: 'long-2', sessionIndex: 'idx-2', expires: now + 3_600_000 });
  assert.equal((await registry.stats()).sessions, 3);
  assert.equal((await registry.stats()).schemaVersion, 1);
  // Single logout: by NameID (any case) and SessionIndex; then by NameID alone.
  assert.equal(await registry.revokeSessionsOf({ nameId: 'SLO@contoso.com', sessionIndexes: ['idx-1'] }, now), 2);
  assert.equal((await registry.checkSession('long-1', now)).valid, false);
  assert.equal((await registry.checkSession('long-2', now)).valid, true);
  assert.equal(await registry.revokeSessionsOf({ nameId: 'slo@contoso.com' }, now), 1);
  assert.equal(await registry.revokeSession('long-2', now), false);
  // Organizations are separate instances: another organization's directory is empty.
  const other = ns.get(ns.idFromName('org:other-tenant'));
  const empty = await other.stats();
  assert.deepEqual([empty.schemaVersion, empty.users, empty.groups, empty.members, empty.sessions], [1, 0, 0, 0, 0]);
  // The alarm at the first expiry deletes the expired row.
  const deadline = Date.now() + 5000;
  while ((await registry.stats()).sessions !== 2 && Date.now() < deadline) await sleep(100);
  assert.equal((await registry.stats()).sessions, 2);
});
