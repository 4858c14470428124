// Signed tokens: `<base64url(JSON claims)>.<base64url(HMAC-SHA256)>`.
//
// The MAC covers a purpose label, a binding and the payload:
// - the purpose keeps a token minted for one use (the pending-login cookie) from being accepted
//   for another (the session cookie);
// - the binding names the SP and the IdP the token was issued for (tokenBinding), so that a
//   session minted by another IdP configuration (the demo IdP, a staging Worker) sharing the
//   same SESSION_SECRET is refused.
// Tokens are signed with SESSION_SECRET and checked against it, then SESSION_SECRET_PREVIOUS
// (rotation). WebCrypto's `verify` compares in constant time. Expiry (`exp`, milliseconds since
// 1970) is part of the signed claims and checked here.

import { fromBase64Url, toBase64Url } from './lib/base64.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Token purposes (MAC domain separation). v2: bound to SP and IdP. */
export const PURPOSE_LOGIN = 'saml-edge login v2';
export const PURPOSE_SESSION = 'saml-edge session v2';
/** The pending single logout cookie: the LogoutRequest's ID, its RelayState and the return path. */
export const PURPOSE_LOGOUT = 'saml-edge logout v2';

/** Why a token was refused. */
export const TOKEN_MISSING = 'missing';
export const TOKEN_INVALID = 'invalid';
export const TOKEN_EXPIRED = 'expired';

/**
 * The binding of tokens to one SP and one IdP (and, later, one organization).
 * @param {{ spEntityId: string, idpEntityId: string, organization?: string }} parties
 */
export function tokenBinding({ spEntityId, idpEntityId, organization = '' }) {
  return JSON.stringify([spEntityId, idpEntityId, organization]);
}

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

function macInput(purpose, binding, payload) {
  return encoder.encode(`${purpose}\n${binding}\n${payload}`);
}

/**
 * Signs `claims` (a JSON object with `exp` in milliseconds) for `purpose` and `binding`.
 * @returns {Promise<string>}
 */
export async function signToken(purpose, binding, claims, secret) {
  const payload = toBase64Url(encoder.encode(JSON.stringify(claims)));
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(secret), macInput(purpose, binding, payload));
  return `${payload}.${toBase64Url(new Uint8Array(mac))}`;
}

/**
 * Checks a token's MAC (against each secret in turn) and expiry.
 * @param {string | undefined} token
 * @param {string[]} secrets the current secret first, then the previous one
 * @param {number} now milliseconds since 1970
 * @returns {Promise<{ claims: object } | { error: string }>}
 */
export async function verifyToken(purpose, binding, token, secrets, now) {
  if (!token) return { error: TOKEN_MISSING };
  const parts = token.split('.');
  if (parts.length !== 2) return { error: TOKEN_INVALID };
  const [payload, macText] = parts;
  const mac = fromBase64Url(macText);
  if (mac === null || mac.length !== 32) return { error: TOKEN_INVALID };
  let authentic = false;
  for (const secret of secrets) {
    if (await crypto.subtle.verify('HMAC', await hmacKey(secret), mac, macInput(purpose, binding, payload))) {
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
