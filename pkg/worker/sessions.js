// The signed-in session: the claims the session cookie carries (signed, bound to the SP and the
// IdP), what /saml/session returns and what an app receives.

import { PURPOSE_SESSION, TOKEN_MISSING, signToken, verifyToken } from './tokens.js';

/** Largest session cookie value: browsers keep cookies up to 4096 bytes with their name. */
const MAX_COOKIE_VALUE = 3800;

const CLAIMS = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/';
const MS_CLAIMS = 'http://schemas.microsoft.com/identity/claims/';

/** Attributes that carry the user's e-mail address, by preference (Entra's claim URI first). */
const EMAIL_ATTRIBUTES = [`${CLAIMS}emailaddress`, 'email', 'mail', 'urn:oid:0.9.2342.19200300.100.1.3'];

/** Attributes kept when all of them do not fit into the cookie. */
const ESSENTIAL_ATTRIBUTES = new Set([
  ...EMAIL_ATTRIBUTES,
  `${CLAIMS}name`,
  `${CLAIMS}givenname`,
  `${CLAIMS}surname`,
  `${MS_CLAIMS}displayname`,
  `${MS_CLAIMS}objectidentifier`,
  `${MS_CLAIMS}tenantid`,
  'firstName',
  'lastName',
]);

const EMAIL_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';

/** The user's e-mail address: an e-mail attribute, else an emailAddress-format NameID, else `null`. */
export function emailOf(identity) {
  for (const name of EMAIL_ATTRIBUTES) {
    const value = identity.attributes[name]?.[0];
    if (value) return value;
  }
  return identity.nameIdFormat === EMAIL_FORMAT ? identity.nameId : null;
}

/**
 * The session token for a verified `identity`, valid until `exp`: every attribute when the
 * cookie stays under 4 KB, else the essential ones, else none; `dropped` names what was left out.
 * @param {{ secrets: string[], tokenBinding: string }} config
 */
export async function issueSession(config, identity, now, exp) {
  const base = {
    v: 2,
    nameId: identity.nameId,
    nameIdFormat: identity.nameIdFormat,
    email: emailOf(identity),
    issuer: identity.issuer,
    sessionIndex: identity.sessionIndex,
    iat: now,
    exp,
  };
  const names = Object.keys(identity.attributes);
  const essential = names.filter((n) => ESSENTIAL_ATTRIBUTES.has(n));
  for (const kept of [names, essential, []]) {
    const attributes = Object.fromEntries(kept.map((n) => [n, identity.attributes[n]]));
    const dropped = names.filter((n) => !kept.includes(n));
    const claims = { ...base, attributes, ...(dropped.length ? { dropped } : {}) };
    const token = await signToken(PURPOSE_SESSION, config.tokenBinding, claims, config.secrets[0]);
    if (token.length <= MAX_COOKIE_VALUE || kept.length === 0) return { token, dropped };
  }
  throw new Error('unreachable');
}

/** The session as /saml/session returns it and the app receives it. */
export function sessionFromClaims(claims) {
  return {
    nameId: claims.nameId,
    nameIdFormat: claims.nameIdFormat ?? null,
    email: claims.email ?? null,
    issuer: claims.issuer,
    sessionIndex: claims.sessionIndex ?? null,
    attributes: claims.attributes ?? {},
    attributesDropped: claims.dropped ?? [],
    issuedAt: new Date(claims.iat).toISOString(),
    expiresAt: new Date(claims.exp).toISOString(),
  };
}

/**
 * The session a session token stands for: `{ session }`, `{ error }` for a refused token
 * (altered, expired, another SP/IdP), or `{}` when there is none.
 */
export async function readSession(config, token, now) {
  const result = await verifyToken(PURPOSE_SESSION, config.tokenBinding, token, config.secrets, now);
  if (result.claims) return { session: sessionFromClaims(result.claims) };
  return result.error === TOKEN_MISSING ? {} : { error: result.error };
}
