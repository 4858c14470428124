// saml-edge's cookies: their names, their attributes, and reading them from a Cookie header.
// This is the only module that knows the names.
//
// Both cookies are `__Host-` prefixed: the browser accepts them only with `Secure`, `Path=/` and
// no `Domain`, so a sibling subdomain (or plain-HTTP traffic) cannot plant one of ours. A
// request that carries one of our names twice is refused (`cookie_duplicated`), never resolved
// by order: with two values, the browser's order says nothing about which one is ours.

/** The pending sign-in: request ID, return path, expiry. Sent cross-site by the IdP's POST. */
const LOGIN = '__Host-saml_edge_login';
/** The session. */
const SESSION = '__Host-saml_edge_session';
/** The pending single logout: the LogoutRequest's ID, expiry. Read on the IdP's redirect back. */
const LOGOUT = '__Host-saml_edge_logout';
/** Names used before the `__Host-` prefix (v0.1): never read, removed from what the origin gets. */
const LEGACY = ['saml_edge_login', 'saml_edge_session'];

/** The cookies saml-edge writes, by role. */
export const COOKIE_NAMES = Object.freeze({ login: LOGIN, session: SESSION, logout: LOGOUT });

/** Attributes per cookie: SameSite=None where the IdP may post cross-site (login, logout). */
const ATTRIBUTES = {
  [LOGIN]: 'HttpOnly; Secure; SameSite=None',
  [SESSION]: 'HttpOnly; Secure; SameSite=Lax',
  // None too: an IdP may post its LogoutResponse cross-site (HTTP-POST binding). It only names the
  // LogoutRequest this browser sent; it signs nobody in.
  [LOGOUT]: 'HttpOnly; Secure; SameSite=None',
};

/** Thrown when a Cookie header carries one of our names more than once. */
export class DuplicateCookie extends Error {
  constructor(name) {
    super(`the Cookie header carries ${name} more than once`);
    this.name = 'DuplicateCookie';
    this.code = 'cookie_duplicated';
  }
}

/** The `name=value` pairs of a Cookie header, names trimmed. */
function pairs(header) {
  if (!header) return [];
  return header.split(';').flatMap((part) => {
    const eq = part.indexOf('=');
    return eq > 0 ? [[part.slice(0, eq).trim(), part.slice(eq + 1).trim()]] : [];
  });
}

/**
 * The value of our cookie `role` ('login' or 'session') in a Cookie header, or `undefined`.
 * Throws DuplicateCookie when the name appears twice.
 */
export function readCookie(header, role) {
  const name = COOKIE_NAMES[role];
  const values = pairs(header).filter(([n]) => n === name);
  if (values.length > 1) throw new DuplicateCookie(name);
  return values[0]?.[1];
}

/** A `Set-Cookie` value for our cookie `role`, kept `maxAgeSeconds` (0 deletes it). */
export function setCookie(role, value, maxAgeSeconds) {
  const name = COOKIE_NAMES[role];
  return `${name}=${value}; Path=/; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}; ${ATTRIBUTES[name]}`;
}

/** The `Set-Cookie` value that deletes our cookie `role`. */
export function clearCookie(role) {
  return setCookie(role, '', 0);
}

/** A Cookie header without any of saml-edge's cookies (for the origin), or `null` when empty. */
export function cookiesForOrigin(header) {
  const ours = new Set([LOGIN, SESSION, LOGOUT, ...LEGACY]);
  const kept = pairs(header).filter(([name]) => !ours.has(name));
  return kept.length > 0 ? kept.map(([n, v]) => `${n}=${v}`).join('; ') : null;
}
