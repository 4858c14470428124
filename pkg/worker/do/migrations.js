// Versioned schema migrations of the directory Durable Object's SQLite database. Each entry runs
// once, in order, inside one transaction with the row that records it in `schema_migrations`;
// never edit an applied entry: add the next one. One Durable Object instance is one organization,
// so a migration never has to split or merge tenants.

/** The migrations, by version (1, 2, …). */
export const DIRECTORY_MIGRATIONS = Object.freeze([
  {
    version: 1,
    description: 'users, e-mail index, groups, memberships, session registry',
    sql: [
      `CREATE TABLE users (
         id TEXT PRIMARY KEY,
         user_name_lc TEXT NOT NULL UNIQUE,   -- userName lower-cased: unique in any case
         external_id TEXT,
         display_name_lc TEXT,
         active INTEGER NOT NULL,             -- 1 or 0
         data TEXT NOT NULL,                  -- the stored resource (schema.js), JSON
         created INTEGER NOT NULL,            -- milliseconds since 1970
         modified INTEGER NOT NULL,
         version INTEGER NOT NULL             -- meta.version (ETag W/"<version>")
       )`,
      'CREATE INDEX users_external_id ON users (external_id)',
      'CREATE INDEX users_display_name ON users (display_name_lc)',
      `CREATE TABLE user_emails (
         user_id TEXT NOT NULL,
         value_lc TEXT NOT NULL,
         type_lc TEXT NOT NULL                -- '' when the address has no type
       )`,
      'CREATE INDEX user_emails_value ON user_emails (value_lc)',
      'CREATE INDEX user_emails_user ON user_emails (user_id)',
      `CREATE TABLE groups (
         id TEXT PRIMARY KEY,
         display_name TEXT NOT NULL,
         display_name_lc TEXT NOT NULL UNIQUE,
         external_id TEXT,
         data TEXT NOT NULL,
         created INTEGER NOT NULL,
         modified INTEGER NOT NULL,
         version INTEGER NOT NULL
       )`,
      'CREATE INDEX groups_external_id ON groups (external_id)',
      `CREATE TABLE members (
         group_id TEXT NOT NULL,
         user_id TEXT NOT NULL,
         PRIMARY KEY (group_id, user_id)
       ) WITHOUT ROWID`,
      'CREATE INDEX members_user ON members (user_id)',
      `CREATE TABLE sessions (
         id TEXT PRIMARY KEY,
         user_id TEXT,                        -- the SCIM user, or NULL (not matched)
         name_id TEXT NOT NULL,
         name_id_lc TEXT NOT NULL,
         name_id_format TEXT,
         name_qualifier TEXT,
         sp_name_qualifier TEXT,
         session_index TEXT,
         issuer TEXT,
         created INTEGER NOT NULL,
         expires INTEGER NOT NULL,
         revoked INTEGER,                     -- when it was revoked, or NULL
         revoked_reason TEXT
       )`,
      'CREATE INDEX sessions_user ON sessions (user_id)',
      'CREATE INDEX sessions_name_id ON sessions (name_id_lc)',
      'CREATE INDEX sessions_expires ON sessions (expires)',
    ],
  },
]);

/**
 * Brings `storage`'s database to the last version. Runs in the Durable Object's constructor
 * (inside `blockConcurrencyWhile`), so no request sees a half-migrated schema.
 * @returns {number} the version now in place
 */
export function migrate(storage, migrations = DIRECTORY_MIGRATIONS) {
  const sql = storage.sql;
  sql.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied INTEGER NOT NULL, description TEXT)');
  const [row] = sql.exec('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations').toArray();
  let current = row.v;
  for (const m of migrations) {
    if (m.version <= current) continue;
    if (m.version !== current + 1) throw new Error(`directory migration ${m.version} follows ${current}`);
    storage.transactionSync(() => {
      for (const statement of m.sql) sql.exec(statement);
      sql.exec('INSERT INTO schema_migrations (version, applied, description) VALUES (?, ?, ?)', m.version, Date.now(), m.description);
    });
    current = m.version;
  }
  return current;
}
