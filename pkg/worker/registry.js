// The session registry as the routes use it: which directory Durable Object holds this Worker's
// sessions, new session ids, and revocation (`revokeSession`, `revokeSessionsOf`: what /logout
// and SAML single logout call). The registry itself (SQL, expiry, the per-user revocation on SCIM
// deactivation and deletion) is do/directory.js. Sessions store the NameID, its Format and
// qualifiers, the SessionIndex and the issuer, so that a LogoutRequest finds them.

import { ConfigProblem } from './config.js';
import { directory } from './do/directory.js';
import { toBase64Url } from './lib/base64.js';

/**
 * The directory stub of this Worker's organization, or `null` without a DIRECTORY binding
 * (sessions are then not registered, as before). Throws ConfigProblem when SCIM_TOKEN or
 * ACCESS_REQUIRES_PROVISIONING needs the binding and it is missing.
 */
export function registryFor(c) {
  if (c.bindings.directory) return directory(c.bindings.directory, c.config.organization);
  if (c.config.scimTokens !== null || c.config.accessRequiresProvisioning) {
    throw new ConfigProblem('DIRECTORY', 'the Durable Object binding is missing (see wrangler.toml): SCIM_TOKEN and ACCESS_REQUIRES_PROVISIONING need it');
  }
  return null;
}

/** A new session id: 128 random bits, base64url. */
export function newSessionId() {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
}

/**
 * Revokes one session by its id (the session cookie's `sid`): /logout, and single logout when the
 * LogoutRequest comes through this browser. @returns {Promise<boolean>} whether it was live
 */
export function revokeSession(c, sessionId, reason = 'logout') {
  const registry = registryFor(c);
  return registry === null ? Promise.resolve(false) : registry.revokeSession(sessionId, c.now, reason);
}

/**
 * Revokes every live session of a NameID (compared case-insensitively), only those with one of
 * `sessionIndexes` when given (a LogoutRequest's SessionIndex elements), and only those issued by
 * `issuer` when given: single logout from the IdP (back-channel or front-channel).
 * @param {{ nameId: string, sessionIndexes?: string[], issuer?: string }} who
 * @returns {Promise<number>} how many sessions were revoked
 */
export function revokeSessionsOf(c, who, reason = 'single_logout') {
  const registry = registryFor(c);
  return registry === null ? Promise.resolve(0) : registry.revokeSessionsOf(who, c.now, reason);
}
