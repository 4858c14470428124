// The SCIM bearer token check. The presented token and every configured token (SCIM_TOKEN,
// comma-separated for rotation) are each run through HMAC-SHA256 under a random per-isolate key
// and the 32-byte MACs compared with `crypto.subtle.timingSafeEqual` (workerd), so the time taken
// says nothing about how much of a token matched, nor about the tokens' lengths; every configured
// token is compared (no early exit). Pure WebCrypto module.

const encoder = new TextEncoder();

/** Longest Authorization header read (a token is short; anything longer is refused unread). */
const MAX_AUTHORIZATION = 1024;

let keyPromise = null;

/** A random HMAC key, made on first use (workerd forbids randomness at module scope). */
function isolateKey() {
  keyPromise ??= crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return keyPromise;
}

async function mac(key, text) {
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(text)));
}

function equalBytes(a, b) {
  if (typeof crypto.subtle.timingSafeEqual === 'function') return crypto.subtle.timingSafeEqual(a, b);
  let diff = a.length ^ b.length;
  for (let i = 0; i < a.length; i += 1) diff |= a[i] ^ b[i % b.length];
  return diff === 0;
}

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), or null. */
export function bearerToken(header) {
  if (typeof header !== 'string' || header.length > MAX_AUTHORIZATION) return null;
  const match = /^Bearer[ ]+([\x21-\x7e]+)[ ]*$/i.exec(header);
  return match ? match[1] : null;
}

/**
 * Whether the request's Authorization header carries one of `tokens`.
 * @param {string | null} header
 * @param {string[]} tokens the configured tokens (non-empty)
 */
export async function tokenAccepted(header, tokens) {
  const presented = bearerToken(header);
  const key = await isolateKey();
  // With no token presented, compare something anyway: the answer takes the same time.
  const given = await mac(key, presented ?? '');
  let accepted = false;
  for (const token of tokens) {
    const expected = await mac(key, token);
    accepted = equalBytes(given, expected) || accepted;
  }
  return accepted && presented !== null;
}
