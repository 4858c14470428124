// Signed tokens for the Worker's cookies: `<base64url(JSON claims)>.<base64url(HMAC-SHA256)>`.
//
// The MAC covers a purpose label and the payload, so a token minted for one purpose (the
// pending-login cookie) is never accepted for another (the session cookie). Tokens are signed
// with SESSION_SECRET and checked against it, then against SESSION_SECRET_PREVIOUS (rotation).
// Verification uses WebCrypto's `verify`, which compares in constant time. Expiry (`exp`,
// milliseconds since 1970) is part of the signed claims and checked here.

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Token purposes (MAC domain separation). */
export const PURPOSE_LOGIN = 'saml-edge login v1';
export const PURPOSE_SESSION = 'saml-edge session v1';

/** Why a token was refused. */
export const TOKEN_MISSING = 'missing';
export const TOKEN_INVALID = 'invalid';
export const TOKEN_EXPIRED = 'expired';

/** Imported HMAC keys by secret (a handful per isolate: current and previous). */
const keyCache = new Map();

function hmacKey(secret) {
  let key = keyCache.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ]);
    if (keyCache.size > 8) keyCache.clear();
    keyCache.set(secret, key);
  }
  return key;
}

function macInput(purpose, payload) {
  return encoder.encode(`${purpose}\n${payload}`);
}

/** Standard base64 of bytes (a Uint8Array or an ArrayBuffer). */
export function toBase64(bytes) {
  let binary = '';
  for (const b of new Uint8Array(bytes)) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** base64url without padding. */
export function toBase64Url(bytes) {
  return toBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Strict base64url (no padding); `null` when malformed. */
export function fromBase64Url(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/**
 * Signs `claims` (a JSON object with `exp` in milliseconds) for `purpose`.
 * @returns {Promise<string>}
 */
export async function signToken(purpose, claims, secret) {
  const payload = toBase64Url(encoder.encode(JSON.stringify(claims)));
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(secret), macInput(purpose, payload));
  return `${payload}.${toBase64Url(new Uint8Array(mac))}`;
}

/**
 * Checks a token's MAC (against each secret in turn) and expiry.
 * @param {string | undefined} token
 * @param {string[]} secrets the current secret first, then the previous one
 * @param {number} now milliseconds since 1970
 * @returns {Promise<{ claims: object } | { error: string }>}
 */
export async function verifyToken(purpose, token, secrets, now) {
  if (!token) return { error: TOKEN_MISSING };
  const parts = token.split('.');
  if (parts.length !== 2) return { error: TOKEN_INVALID };
  const [payload, macText] = parts;
  const mac = fromBase64Url(macText);
  if (mac === null || mac.length !== 32) return { error: TOKEN_INVALID };
  let authentic = false;
  for (const secret of secrets) {
    if (await crypto.subtle.verify('HMAC', await hmacKey(secret), mac, macInput(purpose, payload))) {
      authentic = true;
      break;
    }
  }
  if (!authentic) return { error: TOKEN_INVALID };
  let claims;
  try {
    claims = JSON.parse(decoder.decode(fromBase64Url(payload) ?? new Uint8Array()));
  } catch {
    return { error: TOKEN_INVALID }; // signed by us, so never expected
  }
  if (typeof claims !== 'object' || claims === null || typeof claims.exp !== 'number') {
    return { error: TOKEN_INVALID };
  }
  if (now >= claims.exp) return { error: TOKEN_EXPIRED };
  return { claims };
}

/** The value of cookie `name` in a `Cookie` header, or `undefined`. */
export function readCookie(header, name) {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * A `Set-Cookie` value. `maxAgeSeconds` 0 deletes the cookie.
 * @param {{ path: string, sameSite: 'Lax' | 'None' | 'Strict', maxAgeSeconds: number }} options
 */
export function cookie(name, value, { path, sameSite, maxAgeSeconds }) {
  return `${name}=${value}; Path=${path}; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}; HttpOnly; Secure; SameSite=${sameSite}`;
}
