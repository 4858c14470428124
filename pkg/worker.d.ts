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
  /** Attributes left out because the session cookie would exceed 4 KB. */
  attributesDropped: string[];
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
 * /saml/jwks.json, /logout, the demo IdP). `app` answers signed-in requests to every other path
 * (it is only ever called with a session: `PUBLIC_PATHS` apply to the default app only); default:
 * the origin in `ORIGIN` with identity headers (and, with `JWT_SIGNING_KEY`, the signed
 * `Saml-Edge-Jwt-Assertion`), else the static assets (`ASSETS` binding). Without a session, a
 * request that looks like an API call gets `401` JSON `{ error: 'login_required', login }`,
 * a browser a redirect to `/login/`.
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

/** The Worker as `wrangler.toml` runs it: `samlEdge()`. */
declare const worker: WorkerHandler;
export default worker;
