// The session registry as the routes use it: which directory Durable Object holds this Worker's
// sessions, and new session ids. The registry itself (SQL, revocation) is do/directory.js; single
// logout calls the same stub: `registryFor(c).revokeSessionsOf({ nameId, sessionIndexes }, now)`.

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
