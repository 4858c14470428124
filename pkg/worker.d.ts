// Type declarations for `saml-edge/worker` (pkg/worker.js), the Cloudflare Worker. Written by
// hand; tests/js/packaging.test.mjs type-checks a consumer.

/** The signed-in session, as `GET /saml/session` returns it and `app` receives it. */
export interface Session {
  /** The verified `NameID` (Entra ID: the user principal name by default). */
  nameId: string;
  /** The `NameID` Format, or `null`. */
  nameIdFormat: string | null;
  /** The e-mail address: an e-mail claim, else an emailAddress-format NameID, else `null`. */
  email: string | null;
  /** The IdP entity ID that issued the assertion. */
  issuer: string;
  /** The `SessionIndex`, or `null`. */
  sessionIndex: string | null;
  /** The attributes (claims) by name, values in document order. */
  attributes: { [name: string]: string[] };
  /** Attributes left out because the session cookie would exceed 4 KB (`"groups"`: SCIM groups). */
  attributesDropped: string[];
  /** The SCIM user's id when the sign-in matched a provisioned user (DIRECTORY), else `null`. */
  scimId: string | null;
  /** The names of the user's SCIM groups, as of the last session check (every SESSION_REFRESH_SECONDS). */
  groups: string[];
  /** When the session started (ISO-8601 UTC). */
  issuedAt: string;
  /** When the session ends (ISO-8601 UTC). */
  expiresAt: string;
}

/** What answers signed-in requests to protected paths. */
export type App = (request: Request, env: Record<string, unknown>, ctx: unknown, session: Session) => Response | Promise<Response>;

/** A module Worker's handler. */
export interface WorkerHandler {
  fetch(request: Request, env: Record<string, unknown>, ctx: unknown): Promise<Response>;
}

/**
 * The Worker with its routes (/login/, /saml/acs, /saml/metadata, /saml/session,
 * /saml/jwks.json, /logout, the demo IdP, /scim/v2). `app` answers signed-in requests to every other path
 * (it is only ever called with a session: `PUBLIC_PATHS` apply to the default app only); default:
 * the origin in `ORIGIN` with identity headers (and, with `JWT_SIGNING_KEY`, the signed
 * `Saml-Edge-Jwt-Assertion`), else the static assets (`ASSETS` binding). Without a session, a
 * request that looks like an API call gets `401` JSON `{ error: 'login_required', login }`,
 * a browser a redirect to `/login/`. SCIM 2.0 is served at /scim/v2 when SCIM_TOKEN is set.
 */
export function samlEdge(options?: { app?: App }): WorkerHandler;

/** The replay-protection Durable Object: bind it as `REPLAY` (SQLite-backed, `new_sqlite_classes`). */
export class ReplayGuard {
  constructor(ctx: unknown, env: unknown);
  /** Records an assertion ID and its request ID unless either was used before. */
  consume(use: {
    assertionId: string;
    assertionExpires: number;
    requestId: string | null;
    requestExpires: number;
    now: number;
  }): Promise<'consumed' | 'assertion_replayed' | 'request_already_used'>;
  /** Purges expired IDs. */
  alarm(): Promise<void>;
  /** How many IDs are remembered. */
  size(): Promise<number>;
}

/** A SCIM error as the directory answers it (RFC 7644 §3.12). */
export interface ScimProblem {
  status: number;
  scimType: string | null;
  detail: string;
}

/** A stored SCIM resource (rendered as SCIM by the /scim/v2 routes). */
export interface DirectoryRecord {
  id: string;
  data: Record<string, unknown>;
  created: number;
  modified: number;
  version: number;
  members?: { value: string; display: string }[];
}

/**
 * The directory and session registry Durable Object (SQLite-backed, `new_sqlite_classes`): bind it
 * as `DIRECTORY`. One instance per organization; SCIM_TOKEN and ACCESS_REQUIRES_PROVISIONING need
 * it. Without the binding sessions are not registered (and cannot be revoked server-side).
 */
export class Directory {
  constructor(ctx: unknown, env: unknown);
  createUser(input: unknown, now: number): Promise<{ record: DirectoryRecord } | { error: ScimProblem }>;
  getUser(id: string): Promise<{ record: DirectoryRecord } | { error: ScimProblem }>;
  deleteUser(id: string, now: number, ifMatch?: string | null): Promise<{ deleted: true } | { error: ScimProblem }>;
  /** At the ACS: match the identity to a SCIM user, check access, register the session (one call). */
  signIn(session: {
    sessionId: string;
    nameId: string;
    email: string | null;
    nameIdFormat?: string | null;
    nameQualifier?: string | null;
    spNameQualifier?: string | null;
    sessionIndex?: string | null;
    issuer?: string | null;
    created: number;
    expires: number;
    requireProvisioning: boolean;
  }): Promise<{ outcome: 'signed_in' | 'user_not_provisioned' | 'user_deactivated'; userId?: string | null; groups?: string[] }>;
  /** Whether a session is still good (not revoked or expired, user active); the user's groups. */
  checkSession(sessionId: string, now: number): Promise<{ valid: true; userId: string | null; groups: string[] } | { valid: false; reason: string }>;
  /** Revokes one session; whether it was live. */
  revokeSession(sessionId: string, now: number, reason?: string): Promise<boolean>;
  /** Revokes every live session of a NameID (any case), optionally only those with one of `sessionIndexes`. */
  revokeSessionsOf(who: { nameId: string; sessionIndexes?: string[]; issuer?: string }, now: number, reason?: string): Promise<number>;
  /** Purges expired sessions. */
  alarm(): Promise<void>;
  /** Row counts and the schema version. */
  stats(): Promise<{ schemaVersion: number; users: number; groups: number; members: number; sessions: number; liveSessions: number }>;
}

/** The Worker as `wrangler.toml` runs it: `samlEdge()`. */
declare const worker: WorkerHandler;
export default worker;
