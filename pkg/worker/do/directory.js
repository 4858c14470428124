// The directory: a SQLite-backed Durable Object per organization holding the SCIM users, groups
// and memberships, and the session registry (every signed-in session, so that a session can be
// revoked: by /logout, by deactivating or deleting the user, later by SAML single logout).
//
// One instance per organization (`directory(namespace, organization)`: `idFromName('org:' +
// organization)`); the single-tenant Worker uses one fixed organization, a multi-tenant Worker
// adds instances without moving data. A Durable Object runs one call at a time, and every method
// here reads, checks and writes without awaiting in between (inside `transactionSync` when it
// writes more than one row): each SCIM mutation is one call and all-or-nothing, two concurrent
// POSTs of one userName cannot both succeed, and concurrent PATCHes apply one after the other.
//
// Methods answer plain objects across the RPC boundary: `{ record }`, `{ records, total }`, or
// `{ error: { status, scimType, detail } }` (a SCIM error); a record is
// `{ id, data, created, modified, version, members? }` (routes/scim renders it).

import { DurableObject } from 'cloudflare:workers';
import { applyPatch } from '../scim/patch.js';
import { ScimProblem, readResource } from '../scim/schema.js';
import { migrate } from './migrations.js';

/** Session registry outcomes of `signIn`. */
export const SIGNED_IN = 'signed_in';
export const USER_NOT_PROVISIONED = 'user_not_provisioned';
export const USER_DEACTIVATED = 'user_deactivated';

/** Largest page of a list (SCIM `count`), and the default. */
export const MAX_COUNT = 1000;
export const DEFAULT_COUNT = 100;

/** Most SCIM group names a session carries (the cookie stays under 4 KB). */
const MAX_SESSION_GROUPS = 50;

function problem(detail, scimType, status = 400) {
  return { error: new ScimProblem(detail, scimType, status).toJSON() };
}

const notFound = (type, id) => problem(`${type} ${id} not found`, null, 404);

/** Thrown inside a transaction to roll it back with a SCIM error. */
class Abort extends Error {
  constructor(answer) {
    super('abort');
    this.answer = answer;
  }
}

function lower(value) {
  return typeof value === 'string' ? value.toLowerCase() : null;
}

function etagMatches(ifMatch, version) {
  if (ifMatch === undefined || ifMatch === null) return true;
  return ifMatch
    .split(',')
    .map((t) => t.trim())
    .some((t) => t === '*' || t.replace(/^W\//, '') === `"${version}"`);
}

// ---------------------------------------------------------------------------------------------
// Filters (filter.js AST) as SQL: only what Entra uses (eq, and; or too). Anything else is
// `invalidFilter`.

function unsupported(detail) {
  throw new ScimProblem(`unsupported filter: ${detail}`, 'invalidFilter');
}

function stringValue(node) {
  if (typeof node.value !== 'string') unsupported(`${node.path.name} compares with a string`);
  return node.value;
}

/** `emails[...]` element filters: `value eq`, `type eq`, joined by and. */
function emailCondition(filter, params) {
  if (filter.op === 'and') return `(${emailCondition(filter.left, params)} AND ${emailCondition(filter.right, params)})`;
  if (filter.op !== 'eq' || filter.path.sub !== null || filter.path.filter !== null) unsupported('emails[…] supports eq and and on value and type');
  const name = filter.path.name.toLowerCase();
  if (name !== 'value' && name !== 'type') unsupported(`emails[${filter.path.name}]`);
  params.push(stringValue(filter).toLowerCase());
  return name === 'value' ? 'e.value_lc = ?' : 'e.type_lc = ?';
}

function userCondition(node, params) {
  if (node.op === 'and' || node.op === 'or') {
    return `(${userCondition(node.left, params)} ${node.op.toUpperCase()} ${userCondition(node.right, params)})`;
  }
  if (node.op !== 'eq' && node.op !== 'valuePath') unsupported(`operator ${node.op} (eq, and, or are supported)`);
  const { name, sub, filter } = node.path;
  const n = name.toLowerCase();
  const s = sub?.toLowerCase() ?? null;
  if (n === 'emails' && (s === 'value' || (node.op === 'valuePath' && s === null))) {
    const conditions = [];
    if (filter !== null) conditions.push(emailCondition(filter, params));
    if (node.op === 'eq') {
      params.push(stringValue(node).toLowerCase());
      conditions.push('e.value_lc = ?');
    }
    return `EXISTS (SELECT 1 FROM user_emails e WHERE e.user_id = users.id AND ${conditions.join(' AND ')})`;
  }
  if (node.op !== 'eq' || sub !== null || filter !== null) unsupported(`attribute ${name}${sub ? `.${sub}` : ''}`);
  if (n === 'active') {
    if (typeof node.value !== 'boolean') unsupported('active compares with true or false');
    params.push(node.value ? 1 : 0);
    return 'users.active = ?';
  }
  const column = { username: 'users.user_name_lc', externalid: 'users.external_id', id: 'users.id', displayname: 'users.display_name_lc' }[n];
  if (!column) unsupported(`attribute ${name} (userName, externalId, id, displayName, emails.value, active)`);
  const value = stringValue(node);
  params.push(n === 'username' || n === 'displayname' ? value.toLowerCase() : value);
  return `${column} = ?`;
}

function groupCondition(node, params) {
  if (node.op === 'and' || node.op === 'or') {
    return `(${groupCondition(node.left, params)} ${node.op.toUpperCase()} ${groupCondition(node.right, params)})`;
  }
  if (node.op !== 'eq') unsupported(`operator ${node.op} (eq, and, or are supported)`);
  const { name, sub, filter } = node.path;
  const n = name.toLowerCase();
  if (filter !== null) unsupported(`${name}[…]`);
  if (n === 'members' && sub?.toLowerCase() === 'value') {
    params.push(stringValue(node));
    return 'EXISTS (SELECT 1 FROM members m WHERE m.group_id = groups.id AND m.user_id = ?)';
  }
  if (sub !== null) unsupported(`attribute ${name}.${sub}`);
  const column = { displayname: 'groups.display_name_lc', externalid: 'groups.external_id', id: 'groups.id' }[n];
  if (!column) unsupported(`attribute ${name} (displayName, externalId, id, members.value)`);
  params.push(n === 'displayname' ? stringValue(node).toLowerCase() : stringValue(node));
  return `${column} = ?`;
}

/** The member ids of `{ value }` objects (or one), or null when any is not one. */
function memberValues(value) {
  const list = Array.isArray(value) ? value : [value];
  const ids = list.map((m) => (typeof m === 'object' && m !== null && typeof m.value === 'string' && m.value !== '' ? m.value : null));
  return ids.includes(null) ? null : ids;
}

/**
 * When every operation only adds or removes members (Entra's group PATCHes: `Add members [..]`,
 * `Remove members [..]`, `remove members[value eq "…"]`), the ids to add and remove, in order;
 * else null (the general PATCH path handles it, errors included).
 */
function memberChanges(operations) {
  const add = [];
  const remove = [];
  for (const { op, path, value } of operations) {
    if (path === null || path.urn !== null || path.name.toLowerCase() !== 'members' || path.sub !== null) return null;
    if (op === 'add' && path.filter === null) {
      const ids = memberValues(value);
      if (ids === null) return null;
      add.push(...ids);
    } else if (op === 'remove' && path.filter === null && value !== undefined && value !== null) {
      const ids = memberValues(value);
      if (ids === null) return null;
      remove.push(...ids);
    } else if (op === 'remove' && path.filter !== null) {
      const f = path.filter;
      if (f.op !== 'eq' || f.path.name.toLowerCase() !== 'value' || f.path.sub !== null || f.path.filter !== null || typeof f.value !== 'string') return null;
      remove.push(f.value);
    } else {
      return null;
    }
  }
  // An id both added and removed: the order matters, so let the general path apply it.
  if (add.some((id) => remove.includes(id))) return null;
  return { add, remove };
}

// ---------------------------------------------------------------------------------------------

/** The directory and session registry of one organization. Bind it as `DIRECTORY`. */
export class Directory extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => {
      this.schemaVersion = migrate(ctx.storage);
    });
  }

  /** Runs `fn` in one transaction; an Abort rolls back and becomes the answer. */
  transaction(fn) {
    try {
      return this.ctx.storage.transactionSync(fn);
    } catch (error) {
      if (error instanceof Abort) return error.answer;
      if (error instanceof ScimProblem) return { error: error.toJSON() };
      throw error;
    }
  }

  one(query, ...params) {
    return this.sql.exec(query, ...params).toArray()[0];
  }

  // --- users -----------------------------------------------------------------------------------

  userRow(id) {
    return this.one('SELECT id, data, created, modified, version FROM users WHERE id = ?', id);
  }

  userRecord(row) {
    return { id: row.id, data: JSON.parse(row.data), created: row.created, modified: row.modified, version: row.version };
  }

  /** Writes a user's row and e-mail index (insert or update); checks userName uniqueness. */
  writeUser(id, data, now, existing) {
    const userNameLc = data.userName.toLowerCase();
    const clash = this.one('SELECT id FROM users WHERE user_name_lc = ? AND id != ?', userNameLc, id);
    if (clash) throw new Abort(problem(`userName ${JSON.stringify(data.userName)} is already taken`, 'uniqueness', 409));
    const active = data.active === false ? 0 : 1;
    const json = JSON.stringify(data);
    if (existing) {
      this.sql.exec(
        'UPDATE users SET user_name_lc = ?, external_id = ?, display_name_lc = ?, active = ?, data = ?, modified = ?, version = version + 1 WHERE id = ?',
        userNameLc, data.externalId ?? null, lower(data.displayName), active, json, now, id,
      );
      this.sql.exec('DELETE FROM user_emails WHERE user_id = ?', id);
    } else {
      this.sql.exec(
        'INSERT INTO users (id, user_name_lc, external_id, display_name_lc, active, data, created, modified, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)',
        id, userNameLc, data.externalId ?? null, lower(data.displayName), active, json, now, now,
      );
    }
    for (const email of data.emails ?? []) {
      if (typeof email.value !== 'string') continue;
      this.sql.exec('INSERT INTO user_emails (user_id, value_lc, type_lc) VALUES (?, ?, ?)', id, email.value.toLowerCase(), lower(email.type) ?? '');
    }
    // A user deactivated in the directory is signed out everywhere (at the next session check).
    if (!active) this.revokeUserSessions(id, now, 'user_deactivated');
    return this.userRecord(this.userRow(id));
  }

  /** POST /Users: `input` is the client's JSON body. */
  createUser(input, now) {
    return this.transaction(() => {
      const data = readResource('User', input);
      return { record: this.writeUser(crypto.randomUUID(), data, now, false) };
    });
  }

  getUser(id) {
    const row = this.userRow(id);
    return row ? { record: this.userRecord(row) } : notFound('User', id);
  }

  /** PUT /Users/{id}: the whole resource replaced. */
  replaceUser(id, input, now, ifMatch) {
    return this.transaction(() => {
      const row = this.userRow(id);
      if (!row) return notFound('User', id);
      if (!etagMatches(ifMatch, row.version)) return problem('the resource changed (If-Match)', null, 412);
      return { record: this.writeUser(id, readResource('User', input), now, true) };
    });
  }

  /** PATCH /Users/{id}: `operations` from patch.js `normalisePatch`. */
  patchUser(id, operations, now, ifMatch) {
    return this.transaction(() => {
      const row = this.userRow(id);
      if (!row) return notFound('User', id);
      if (!etagMatches(ifMatch, row.version)) return problem('the resource changed (If-Match)', null, 412);
      const data = readResource('User', applyPatch('User', JSON.parse(row.data), operations));
      return { record: this.writeUser(id, data, now, true) };
    });
  }

  /** DELETE /Users/{id}: the user, their memberships and their sessions. */
  deleteUser(id, now, ifMatch) {
    return this.transaction(() => {
      const row = this.userRow(id);
      if (!row) return notFound('User', id);
      if (!etagMatches(ifMatch, row.version)) return problem('the resource changed (If-Match)', null, 412);
      this.revokeUserSessions(id, now, 'user_deleted');
      this.sql.exec(
        'UPDATE groups SET modified = ?, version = version + 1 WHERE id IN (SELECT group_id FROM members WHERE user_id = ?)',
        now, id,
      );
      this.sql.exec('DELETE FROM members WHERE user_id = ?', id);
      this.sql.exec('DELETE FROM user_emails WHERE user_id = ?', id);
      this.sql.exec('DELETE FROM users WHERE id = ?', id);
      return { deleted: true };
    });
  }

  /**
   * GET /Users: `filter` is a filter.js AST or null; `startIndex` is 1-based.
   * @returns {{ records, total, startIndex } | { error }}
   */
  listUsers({ filter = null, startIndex = 1, count = DEFAULT_COUNT }) {
    try {
      const params = [];
      const where = filter === null ? '' : `WHERE ${userCondition(filter, params)}`;
      const total = this.one(`SELECT COUNT(*) AS n FROM users ${where}`, ...params).n;
      const rows = count === 0 ? [] : this.sql
        .exec(`SELECT id, data, created, modified, version FROM users ${where} ORDER BY created, id LIMIT ? OFFSET ?`, ...params, Math.min(count, MAX_COUNT), startIndex - 1)
        .toArray();
      return { records: rows.map((r) => this.userRecord(r)), total, startIndex };
    } catch (error) {
      if (error instanceof ScimProblem) return { error: error.toJSON() };
      throw error;
    }
  }

  // --- groups ----------------------------------------------------------------------------------

  groupRow(id) {
    return this.one('SELECT id, data, created, modified, version FROM groups WHERE id = ?', id);
  }

  groupRecord(row, withMembers) {
    const record = { id: row.id, data: JSON.parse(row.data), created: row.created, modified: row.modified, version: row.version };
    if (withMembers) {
      record.members = this.sql
        .exec('SELECT u.id, u.data FROM members m JOIN users u ON u.id = m.user_id WHERE m.group_id = ? ORDER BY u.created, u.id', row.id)
        .toArray()
        .map((u) => {
          const user = JSON.parse(u.data);
          return { value: u.id, display: user.displayName ?? user.userName };
        });
    }
    return record;
  }

  /** Writes a group (insert or update) and replaces its memberships with `data.members`. */
  writeGroup(id, data, now, existing) {
    const nameLc = data.displayName.toLowerCase();
    const clash = this.one('SELECT id FROM groups WHERE display_name_lc = ? AND id != ?', nameLc, id);
    if (clash) throw new Abort(problem(`displayName ${JSON.stringify(data.displayName)} is already taken`, 'uniqueness', 409));
    const memberIds = [...new Set((data.members ?? []).map((m) => m.value))];
    for (const userId of memberIds) {
      if (!this.one('SELECT 1 AS x FROM users WHERE id = ?', userId)) {
        throw new Abort(problem(`members: no user with id ${JSON.stringify(userId)}`, 'invalidValue'));
      }
    }
    // Memberships live in `members` only; the stored JSON keeps the other attributes.
    const { members: _members, ...rest } = data;
    const json = JSON.stringify(rest);
    if (existing) {
      this.sql.exec(
        'UPDATE groups SET display_name = ?, display_name_lc = ?, external_id = ?, data = ?, modified = ?, version = version + 1 WHERE id = ?',
        data.displayName, nameLc, data.externalId ?? null, json, now, id,
      );
      this.sql.exec('DELETE FROM members WHERE group_id = ?', id);
    } else {
      this.sql.exec(
        'INSERT INTO groups (id, display_name, display_name_lc, external_id, data, created, modified, version) VALUES (?, ?, ?, ?, ?, ?, ?, 1)',
        id, data.displayName, nameLc, data.externalId ?? null, json, now, now,
      );
    }
    for (const userId of memberIds) this.sql.exec('INSERT INTO members (group_id, user_id) VALUES (?, ?)', id, userId);
  }

  createGroup(input, now) {
    return this.transaction(() => {
      const id = crypto.randomUUID();
      this.writeGroup(id, readResource('Group', input), now, false);
      return { record: this.groupRecord(this.groupRow(id), true) };
    });
  }

  getGroup(id, { withMembers = true } = {}) {
    const row = this.groupRow(id);
    return row ? { record: this.groupRecord(row, withMembers) } : notFound('Group', id);
  }

  replaceGroup(id, input, now, ifMatch, { withMembers = true } = {}) {
    return this.transaction(() => {
      const row = this.groupRow(id);
      if (!row) return notFound('Group', id);
      if (!etagMatches(ifMatch, row.version)) return problem('the resource changed (If-Match)', null, 412);
      this.writeGroup(id, readResource('Group', input), now, true);
      return { record: this.groupRecord(this.groupRow(id), withMembers) };
    });
  }

  patchGroup(id, operations, now, ifMatch, { withMembers = true } = {}) {
    return this.transaction(() => {
      const row = this.groupRow(id);
      if (!row) return notFound('Group', id);
      if (!etagMatches(ifMatch, row.version)) return problem('the resource changed (If-Match)', null, 412);
      const changes = memberChanges(operations);
      if (changes !== null) {
        // Entra's member add/remove: applied row by row, without reading the whole group.
        for (const userId of changes.add) {
          if (!this.one('SELECT 1 AS x FROM users WHERE id = ?', userId)) {
            throw new Abort(problem(`members: no user with id ${JSON.stringify(userId)}`, 'invalidValue'));
          }
          this.sql.exec('INSERT OR IGNORE INTO members (group_id, user_id) VALUES (?, ?)', id, userId);
        }
        for (const userId of changes.remove) this.sql.exec('DELETE FROM members WHERE group_id = ? AND user_id = ?', id, userId);
        this.sql.exec('UPDATE groups SET modified = ?, version = version + 1 WHERE id = ?', now, id);
        return { record: this.groupRecord(this.groupRow(id), withMembers) };
      }
      const current = this.groupRecord(row, true);
      const resource = { ...current.data, members: current.members.map((m) => ({ value: m.value })) };
      this.writeGroup(id, readResource('Group', applyPatch('Group', resource, operations)), now, true);
      return { record: this.groupRecord(this.groupRow(id), withMembers) };
    });
  }

  deleteGroup(id, now, ifMatch) {
    return this.transaction(() => {
      const row = this.groupRow(id);
      if (!row) return notFound('Group', id);
      if (!etagMatches(ifMatch, row.version)) return problem('the resource changed (If-Match)', null, 412);
      this.sql.exec('DELETE FROM members WHERE group_id = ?', id);
      this.sql.exec('DELETE FROM groups WHERE id = ?', id);
      return { deleted: true };
    });
  }

  listGroups({ filter = null, startIndex = 1, count = DEFAULT_COUNT, withMembers = true }) {
    try {
      const params = [];
      const where = filter === null ? '' : `WHERE ${groupCondition(filter, params)}`;
      const total = this.one(`SELECT COUNT(*) AS n FROM groups ${where}`, ...params).n;
      const rows = count === 0 ? [] : this.sql
        .exec(`SELECT id, data, created, modified, version FROM groups ${where} ORDER BY created, id LIMIT ? OFFSET ?`, ...params, Math.min(count, MAX_COUNT), startIndex - 1)
        .toArray();
      return { records: rows.map((r) => this.groupRecord(r, withMembers)), total, startIndex };
    } catch (error) {
      if (error instanceof ScimProblem) return { error: error.toJSON() };
      throw error;
    }
  }

  // --- session registry ------------------------------------------------------------------------

  /** The names of the groups `userId` belongs to (at most MAX_SESSION_GROUPS, by name). */
  groupNamesOf(userId) {
    return this.sql
      .exec('SELECT g.display_name AS name FROM members m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ? ORDER BY g.display_name_lc LIMIT ?', userId, MAX_SESSION_GROUPS)
      .toArray()
      .map((r) => r.name);
  }

  /** The SCIM user a signed-in identity is: userName, else a work e-mail, equal to the NameID or the e-mail (any case). */
  matchUser(nameId, email) {
    const keys = [...new Set([lower(nameId), lower(email)].filter((k) => k !== null && k !== ''))];
    if (keys.length === 0) return undefined;
    const marks = keys.map(() => '?').join(', ');
    return (
      this.one(`SELECT id, active FROM users WHERE user_name_lc IN (${marks}) ORDER BY user_name_lc = ? DESC LIMIT 1`, ...keys, keys[0]) ??
      this.one(
        `SELECT u.id, u.active FROM user_emails e JOIN users u ON u.id = e.user_id WHERE e.type_lc = 'work' AND e.value_lc IN (${marks}) ORDER BY u.created LIMIT 1`,
        ...keys,
      )
    );
  }

  /**
   * At the ACS: matches the identity to a SCIM user and registers the session, in one call.
   * With `requireProvisioning`, an unknown user is USER_NOT_PROVISIONED and an inactive one
   * USER_DEACTIVATED (nothing registered); without it, an active match is linked (its groups, and
   * deactivation ends the session) and anyone else signs in unlinked.
   * @param {{ sessionId: string, nameId: string, email: string | null, nameIdFormat?: string | null,
   *   nameQualifier?: string | null, spNameQualifier?: string | null, sessionIndex?: string | null,
   *   issuer?: string | null, created: number, expires: number, requireProvisioning: boolean }} s
   * @returns {Promise<{ outcome: string, userId?: string | null, groups?: string[] }>}
   */
  async signIn(s) {
    const user = this.matchUser(s.nameId, s.email);
    if (s.requireProvisioning && !user) return { outcome: USER_NOT_PROVISIONED };
    if (s.requireProvisioning && !user.active) return { outcome: USER_DEACTIVATED };
    const userId = user && user.active ? user.id : null;
    this.sql.exec(
      `INSERT INTO sessions (id, user_id, name_id, name_id_lc, name_id_format, name_qualifier, sp_name_qualifier, session_index, issuer, created, expires)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      s.sessionId, userId, s.nameId, s.nameId.toLowerCase(), s.nameIdFormat ?? null, s.nameQualifier ?? null,
      s.spNameQualifier ?? null, s.sessionIndex ?? null, s.issuer ?? null, s.created, s.expires,
    );
    await this.scheduleAlarm(s.expires);
    return { outcome: SIGNED_IN, userId, groups: userId ? this.groupNamesOf(userId) : [] };
  }

  /**
   * Whether session `sessionId` is still good: registered, not revoked, not expired, and (when
   * linked to a SCIM user) the user still exists and is active. Answers the user's current groups.
   * @returns {{ valid: true, userId: string | null, groups: string[] } | { valid: false, reason: string }}
   */
  checkSession(sessionId, now) {
    const row = this.one('SELECT user_id, expires, revoked, revoked_reason FROM sessions WHERE id = ?', sessionId);
    if (!row) return { valid: false, reason: 'session_unknown' };
    if (row.revoked !== null) return { valid: false, reason: row.revoked_reason ?? 'session_revoked' };
    if (row.expires <= now) return { valid: false, reason: 'session_expired' };
    if (row.user_id === null) return { valid: true, userId: null, groups: [] };
    const user = this.one('SELECT active FROM users WHERE id = ?', row.user_id);
    if (!user || !user.active) {
      this.revokeSession(sessionId, now, user ? 'user_deactivated' : 'user_deleted');
      return { valid: false, reason: user ? 'user_deactivated' : 'user_deleted' };
    }
    return { valid: true, userId: row.user_id, groups: this.groupNamesOf(row.user_id) };
  }

  /** Revokes one session (/logout; single logout). @returns {boolean} whether it was live */
  revokeSession(sessionId, now, reason = 'logout') {
    return this.sql.exec('UPDATE sessions SET revoked = ?, revoked_reason = ? WHERE id = ? AND revoked IS NULL', now, reason, sessionId).rowsWritten > 0;
  }

  /**
   * Revokes every live session of a NameID (case-insensitive), optionally only those with one of
   * `sessionIndexes` (a SAML LogoutRequest's SessionIndex elements) and of `issuer`.
   * @param {{ nameId: string, sessionIndexes?: string[], issuer?: string }} who
   * @returns {number} how many sessions were revoked
   */
  revokeSessionsOf({ nameId, sessionIndexes = [], issuer }, now, reason = 'single_logout') {
    const params = [now, reason, nameId.toLowerCase()];
    let query = 'UPDATE sessions SET revoked = ?, revoked_reason = ? WHERE name_id_lc = ? AND revoked IS NULL';
    if (issuer !== undefined && issuer !== null) {
      query += ' AND issuer = ?';
      params.push(issuer);
    }
    if (sessionIndexes.length > 0) {
      query += ` AND session_index IN (${sessionIndexes.map(() => '?').join(', ')})`;
      params.push(...sessionIndexes);
    }
    return this.sql.exec(query, ...params).rowsWritten;
  }

  /** Revokes every live session of SCIM user `userId`. @returns {number} */
  revokeUserSessions(userId, now, reason) {
    return this.sql.exec('UPDATE sessions SET revoked = ?, revoked_reason = ? WHERE user_id = ? AND revoked IS NULL', now, reason, userId).rowsWritten;
  }

  /** Sets the purge alarm no later than `at`. */
  async scheduleAlarm(at) {
    const alarm = await this.ctx.storage.getAlarm();
    if (alarm === null || alarm > at) await this.ctx.storage.setAlarm(at);
  }

  /** Deletes expired sessions (revoked ones too, once they would have expired) and reschedules. */
  async alarm() {
    const now = Date.now();
    this.sql.exec('DELETE FROM sessions WHERE expires <= ?', now);
    const row = this.one('SELECT MIN(expires) AS next FROM sessions');
    if (row && row.next !== null) await this.ctx.storage.setAlarm(row.next);
  }

  /** Row counts (tests, monitoring). */
  stats() {
    const n = (table) => this.one(`SELECT COUNT(*) AS n FROM ${table}`).n;
    const live = this.one('SELECT COUNT(*) AS n FROM sessions WHERE revoked IS NULL').n;
    return { schemaVersion: this.schemaVersion, users: n('users'), groups: n('groups'), members: n('members'), sessions: n('sessions'), liveSessions: live };
  }
}

/** The Directory instance of `organization` in `namespace` (the DIRECTORY binding). */
export function directory(namespace, organization) {
  return namespace.get(namespace.idFromName(`org:${organization}`));
}
