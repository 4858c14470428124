// The directory's versioned schema migrations (pkg/worker/do/migrations.js), plain Node with a
// recording stand-in for the Durable Object's SQL storage: each version runs once, in order, in
// one transaction with its record; a gap is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DIRECTORY_MIGRATIONS, migrate } from '../../pkg/worker/do/migrations.js';

/** Storage that records statements and keeps schema_migrations rows. */
function fakeStorage(applied = []) {
  const rows = [...applied];
  const log = [];
  let inTransaction = false;
  return {
    log,
    rows,
    sql: {
      exec(statement, ...params) {
        log.push({ statement: statement.replace(/\s+/g, ' ').trim(), inTransaction });
        if (/^SELECT COALESCE\(MAX\(version\)/.test(statement)) return { toArray: () => [{ v: rows.length ? Math.max(...rows) : 0 }] };
        if (/^INSERT INTO schema_migrations/.test(statement)) rows.push(params[0]);
        return { toArray: () => [] };
      },
    },
    transactionSync(fn) {
      inTransaction = true;
      try {
        return fn();
      } finally {
        inTransaction = false;
      }
    },
  };
}

test('an empty database gets every migration, each inside a transaction with its record', () => {
  const storage = fakeStorage();
  assert.equal(migrate(storage), DIRECTORY_MIGRATIONS.at(-1).version);
  assert.deepEqual(storage.rows, DIRECTORY_MIGRATIONS.map((m) => m.version));
  const creates = storage.log.filter((l) => /^CREATE (TABLE|INDEX) (?!IF NOT EXISTS schema_migrations)/.test(l.statement));
  assert.ok(creates.length >= 10);
  assert.ok(creates.every((l) => l.inTransaction));
  assert.ok(storage.log.some((l) => /CREATE TABLE sessions/.test(l.statement)));
});

test('an up-to-date database runs nothing; versions are consecutive from 1', () => {
  const storage = fakeStorage(DIRECTORY_MIGRATIONS.map((m) => m.version));
  migrate(storage);
  assert.ok(storage.log.every((l) => !l.inTransaction));
  DIRECTORY_MIGRATIONS.forEach((m, i) => assert.equal(m.version, i + 1));
});

test('a later migration is applied alone; a gap in the list is refused', () => {
  const next = [...DIRECTORY_MIGRATIONS, { version: DIRECTORY_MIGRATIONS.length + 1, description: 'next', sql: ['ALTER TABLE users ADD COLUMN x TEXT'] }];
  const storage = fakeStorage(DIRECTORY_MIGRATIONS.map((m) => m.version));
  migrate(storage, next);
  assert.deepEqual(storage.log.filter((l) => l.inTransaction).map((l) => l.statement.split(' ')[0]), ['ALTER', 'INSERT']);
  const gap = [...DIRECTORY_MIGRATIONS, { version: DIRECTORY_MIGRATIONS.length + 2, description: 'gap', sql: [] }];
  assert.throws(() => migrate(fakeStorage(DIRECTORY_MIGRATIONS.map((m) => m.version)), gap), /follows/);
});
