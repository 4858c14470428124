// The signed-in session: what the session cookie carries, what /saml/session returns and the
// identity headers sent to ORIGIN.

/** Headers starting with this (any case) are removed from incoming requests before proxying. */
export const IDENTITY_HEADER_PREFIX = 'saml-edge-';

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
 * The session cookie's value for a verified `identity`: every attribute when the cookie stays
 * under 4 KB, else the essential ones, else none; `dropped` names what was left out.
 * @param {(claims: object) => Promise<string>} sign
 */
export async function sessionToken(identity, now, exp, sign) {
  const base = {
    v: 1,
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
    const token = await sign({ ...base, attributes, ...(dropped.length ? { dropped } : {}) });
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

/** `value` with `%` and everything outside visible ASCII percent-encoded (UTF-8). */
function headerSafe(value) {
  return String(value).replace(/[^\x21-\x24\x26-\x7e]/gu, (c) => encodeURIComponent(c));
}

/** JSON with every non-ASCII character escaped (`\uXXXX`): a valid header value. */
function asciiJson(value) {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The identity headers for the origin: `Saml-Edge-Name-Id` and `Saml-Edge-Email` (percent-encoded
 * outside visible ASCII and for `%`), `Saml-Edge-Attributes` (JSON, ASCII-only).
 */
export function identityHeaders(session) {
  const headers = [['Saml-Edge-Name-Id', headerSafe(session.nameId)]];
  if (session.email) headers.push(['Saml-Edge-Email', headerSafe(session.email)]);
  headers.push(['Saml-Edge-Attributes', asciiJson(session.attributes)]);
  return headers;
}
