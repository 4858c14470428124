// Replay protection: a SQLite-backed Durable Object that remembers every accepted assertion ID
// (until its NotOnOrAfter plus the clock skew: after that the verifier refuses the assertion
// anyway) and every consumed AuthnRequest ID (until its login cookie expires).
//
// One instance serves the whole Worker (`idFromName('replay')`): a Durable Object runs one
// request at a time and `consume` does not await between its check and its insert, so two
// concurrent posts of the same response cannot both succeed. Sign-ins are rare next to page
// views, so one instance is plenty. An alarm deletes expired rows.

import { DurableObject } from 'cloudflare:workers';

/** What `consume` answers. */
export const CONSUMED = 'consumed';
export const ASSERTION_REPLAYED = 'assertion_replayed';
export const REQUEST_ALREADY_USED = 'request_already_used';

/** The name of the one instance. */
const INSTANCE = 'replay';

/** The replay cache. Bind it as `REPLAY` (see wrangler.toml; `new_sqlite_classes`). */
export class ReplayGuard extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(
      `CREATE TABLE IF NOT EXISTS used (
         kind TEXT NOT NULL,          -- 'assertion' or 'request'
         id TEXT NOT NULL,
         expires INTEGER NOT NULL,    -- milliseconds since 1970
         PRIMARY KEY (kind, id)
       )`,
    );
  }

  /**
   * Records an accepted assertion and the request it answers, unless either was seen before.
   * @param {{ assertionId: string, assertionExpires: number, requestId: string | null,
   *           requestExpires: number, now: number }} use
   * @returns {Promise<string>} CONSUMED, ASSERTION_REPLAYED or REQUEST_ALREADY_USED
   */
  async consume({ assertionId, assertionExpires, requestId, requestExpires, now }) {
    const seen = (kind, id) =>
      this.sql.exec('SELECT 1 FROM used WHERE kind = ? AND id = ? AND expires > ?', kind, id, now).toArray()
        .length > 0;
    // No await between the checks and the inserts: nothing else runs in between.
    if (seen('assertion', assertionId)) return ASSERTION_REPLAYED;
    if (requestId !== null && seen('request', requestId)) return REQUEST_ALREADY_USED;
    const put = (kind, id, expires) =>
      this.sql.exec('INSERT OR REPLACE INTO used (kind, id, expires) VALUES (?, ?, ?)', kind, id, expires);
    put('assertion', assertionId, assertionExpires);
    if (requestId !== null) put('request', requestId, requestExpires);
    const next = Math.min(assertionExpires, requestId !== null ? requestExpires : Infinity);
    const alarm = await this.ctx.storage.getAlarm();
    if (alarm === null || alarm > next) await this.ctx.storage.setAlarm(next);
    return CONSUMED;
  }

  /** Deletes expired rows and schedules the next purge. */
  async alarm() {
    const now = Date.now();
    this.sql.exec('DELETE FROM used WHERE expires <= ?', now);
    const [row] = this.sql.exec('SELECT MIN(expires) AS next FROM used').toArray();
    if (row && row.next !== null) await this.ctx.storage.setAlarm(row.next);
  }

  /** The number of remembered IDs (for tests and monitoring). */
  async size() {
    const [row] = this.sql.exec('SELECT COUNT(*) AS n FROM used').toArray();
    return row.n;
  }
}

/** The stub of the one ReplayGuard instance of `namespace` (the `REPLAY` binding). */
export function replayGuard(namespace) {
  return namespace.get(namespace.idFromName(INSTANCE));
}
