// The signed-in session: the claims the session cookie carries (signed, bound to the SP and the
// IdP), what /saml/session returns and what an app receives.

import { setCookie } from './cookies.js';
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
 * The session token for `claims`: every attribute when the cookie stays under 4 KB, else the
 * essential ones, else none (then without the SCIM groups); `dropped` names what was left out.
 * @param {{ secrets: string[], tokenBinding: string }} config
 */
export async function signSession(config, claims) {
  const all = claims.attributes ?? {};
  const names = Object.keys(all);
  const essential = names.filter((n) => ESSENTIAL_ATTRIBUTES.has(n));
  const groups = claims.groups ?? [];
  const tiers = [[names, groups], [essential, groups], [[], groups], [[], []]];
  for (const [tier, [kept, keptGroups]] of tiers.entries()) {
    const attributes = Object.fromEntries(kept.map((n) => [n, all[n]]));
    // A re-issued token keeps naming what the first one left out.
    const before = (claims.dropped ?? []).filter((n) => n !== 'groups');
    const dropped = [...new Set([...before, ...names.filter((n) => !kept.includes(n))])];
    if (keptGroups.length < groups.length) dropped.push('groups');
    const { dropped: _old, ...rest } = claims;
    const signed = { ...rest, attributes, ...(claims.groups ? { groups: keptGroups } : {}), ...(dropped.length ? { dropped } : {}) };
    const token = await signToken(PURPOSE_SESSION, config.tokenBinding, signed, config.secrets[0]);
    if (token.length <= MAX_COOKIE_VALUE || tier === tiers.length - 1) return { token, dropped, claims: signed };
  }
  throw new Error('unreachable');
}

/**
 * The session token for a verified `identity`, valid until `exp`. `registered` (the session
 * registry's answer at sign-in, or null without a registry) adds the session id `sid`, the SCIM
 * user id `uid`, the SCIM group names and the time of the last registry check `chk`.
 */
export async function issueSession(config, identity, now, exp, registered = null) {
  const claims = {
    v: 2,
    nameId: identity.nameId,
    nameIdFormat: identity.nameIdFormat,
    // The NameID's qualifiers, sent back in a LogoutRequest (single logout).
    ...(identity.nameQualifier ? { nameQualifier: identity.nameQualifier } : {}),
    ...(identity.spNameQualifier ? { spNameQualifier: identity.spNameQualifier } : {}),
    email: emailOf(identity),
    issuer: identity.issuer,
    sessionIndex: identity.sessionIndex,
    iat: now,
    exp,
    attributes: identity.attributes,
    ...(registered ? { sid: registered.sessionId, uid: registered.userId ?? null, groups: registered.groups ?? [], chk: now } : {}),
  };
  return signSession(config, claims);
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
    /** The SCIM user's id (ACCESS_REQUIRES_PROVISIONING, or a sign-in that matched one), else null. */
    scimId: claims.uid ?? null,
    /** The names of the SCIM groups the user belongs to (as of the last registry check). */
    groups: claims.groups ?? [],
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
  if (result.claims) return { session: sessionFromClaims(result.claims), claims: result.claims };
  return result.error === TOKEN_MISSING ? {} : { error: result.error };
}

/**
 * The session a request's session token stands for, checked against the session registry when
 * the last check (`chk`, signed in the cookie) is SESSION_REFRESH_SECONDS old or more: at most one
 * Durable Object call per session per interval, whatever the request rate. After a check the
 * token is re-issued (new `chk`, current SCIM groups) as `cookie`. A revoked session (logout,
 * user deactivated or deleted) answers `{ error, revoked: true }`.
 * @param {{ config: object, now: number }} c
 * @param {object | null} registry the directory stub (registry.js), or null without one
 * @returns {Promise<{ session: object, cookie?: string } | { error: string, revoked?: boolean } | {}>}
 */
export async function currentSession(c, token, registry) {
  const read = await readSession(c.config, token, c.now);
  if (!read.session) return read;
  const { claims } = read;
  if (registry === null) return { session: read.session };
  if (typeof claims.sid !== 'string') {
    // A session from before the registry: accepted, unless only provisioned users may sign in.
    return c.config.accessRequiresProvisioning ? { error: 'session_unregistered', revoked: true } : { session: read.session };
  }
  if (typeof claims.chk === 'number' && c.now - claims.chk < c.config.sessionRefreshSeconds * 1000 && c.now >= claims.chk) {
    return { session: read.session };
  }
  const check = await registry.checkSession(claims.sid, c.now);
  if (!check.valid) return { error: check.reason, revoked: true };
  const { token: fresh, claims: signed } = await signSession(c.config, { ...claims, uid: check.userId, groups: check.groups, chk: c.now });
  return { session: sessionFromClaims(signed), cookie: setCookie('session', fresh, (claims.exp - c.now) / 1000) };
}
