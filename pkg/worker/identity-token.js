// The identity the origin can verify: a short-lived JWT (header Saml-Edge-Jwt-Assertion) signed
// with JWT_SIGNING_KEY, and the JWKS document (/saml/jwks.json) with the public keys of
// JWT_SIGNING_KEY and JWT_SIGNING_KEY_PREVIOUS. Signing is WebCrypto through `jose`.
//
// Keys: PKCS#8 PEM private keys, P-256 (ES256, preferred), RSA >= 2048 bits (RS256) or Ed25519
// (EdDSA); JWT_SIGNING_KEY_PREVIOUS may also be a public key (SPKI PEM). The `kid` is the key's
// RFC 7638 thumbprint, so the same key always has the same kid. Keys are imported once per
// isolate; a key that cannot be used is a ConfigProblem naming the variable.
//
// Tokens: iss = the Worker's origin, aud = SP_ENTITY_ID, sub = NameID, email, name, groups, iat,
// nbf, exp (5 minutes, never past the session's end), jti. A token is reused for the same session
// and claims for up to a minute (per isolate, bounded cache), so that a page view does not pay a
// signature each time; the origin always receives a token with at least 4 minutes left (or the
// rest of the session).

import { CompactSign, SignJWT, base64url, calculateJwkThumbprint, compactVerify, exportJWK, importJWK, importPKCS8, importSPKI } from 'jose';
import { GROUPS_CLAIM } from './access.js';
import { ConfigProblem } from './config.js';

/** Lifetime of a token (seconds). */
export const TOKEN_LIFETIME_SECONDS = 300;
/** A token is signed again once it is this old (ms). */
export const TOKEN_REUSE_MS = 60 * 1000;
/** Tokens kept per isolate. */
const TOKEN_CACHE_LIMIT = 1000;
/** How long JWKS readers may cache the document (seconds). */
export const JWKS_MAX_AGE_SECONDS = 300;
/** Shortest RSA modulus accepted (bits). */
const MIN_RSA_BITS = 2048;

/** The algorithms tried on a key, in order of preference. */
const ALGORITHMS = ['ES256', 'RS256', 'EdDSA'];
/** The public members of a JWK, by key type: nothing else is ever published. */
const PUBLIC_MEMBERS = { EC: ['kty', 'crv', 'x', 'y'], RSA: ['kty', 'n', 'e'], OKP: ['kty', 'crv', 'x'] };

const MS_CLAIMS = 'http://schemas.microsoft.com/identity/claims/';
const CLAIMS = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/';

const KEY_HINT = 'must be a PKCS#8 PEM private key ("-----BEGIN PRIVATE KEY-----"): P-256 (ES256, preferred), RSA of at least 2048 bits (RS256) or Ed25519 (EdDSA); e.g. `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256`';

/** The PEM text of a variable: `\n` written literally (one-line secrets) read as line breaks. */
function pemText(value) {
  return value.replace(/\\n/g, '\n').replace(/\r\n/g, '\n').trim();
}

/**
 * Imports one PEM key of `variable`: `{ alg, kid, publicJwk, privateKey | null }`.
 * `allowPublic`: a public key (SPKI) is accepted too (JWT_SIGNING_KEY_PREVIOUS). Throws ConfigProblem.
 */
async function importKey(variable, value, allowPublic) {
  const pem = pemText(value);
  const label = /^-----BEGIN ([A-Z0-9 ]+)-----/.exec(pem)?.[1];
  const isPrivate = label === 'PRIVATE KEY';
  const isPublic = label === 'PUBLIC KEY' && allowPublic;
  if (!isPrivate && !isPublic) {
    const converted = label === 'EC PRIVATE KEY' || label === 'RSA PRIVATE KEY';
    throw new ConfigProblem(
      variable,
      converted ? `${KEY_HINT}; this one is not PKCS#8: convert it with \`openssl pkcs8 -topk8 -nocrypt\`` : KEY_HINT,
      label ? `PEM label ${label}` : 'no PEM block',
    );
  }
  for (const alg of ALGORITHMS) {
    let imported;
    try {
      imported = await importAs(pem, alg, isPrivate);
    } catch {
      continue; // another algorithm, another curve, or not a key at all
    }
    if (alg === 'RS256' && imported.bits < MIN_RSA_BITS) {
      throw new ConfigProblem(variable, `${KEY_HINT}; this RSA key is shorter than ${MIN_RSA_BITS} bits`, `${imported.bits} bits`);
    }
    return imported;
  }
  throw new ConfigProblem(variable, `${KEY_HINT}; this key could not be imported (another curve, or damaged)`, 'no algorithm accepted the key');
}

/** Bytes of each coordinate of a P-256 point. */
const P256_COORDINATE_BYTES = 32;

/**
 * `pem` imported for `alg`: `{ alg, kid, publicJwk, privateKey | null, bits }`. Throws when the key
 * is not one for `alg`. WebCrypto implementations differ in what importKey checks (workerd
 * imports a P-384 PKCS#8 key as "P-256"), so the key is checked by what it does: its public
 * JWK has the expected shape, and (a private key) a probe signed with it verifies with that
 * public JWK, which is what the JWKS will publish.
 */
async function importAs(pem, alg, isPrivate) {
  const key = isPrivate ? await importPKCS8(pem, alg, { extractable: true }) : await importSPKI(pem, alg, { extractable: true });
  const jwk = await exportJWK(key);
  const publicJwk = Object.fromEntries(PUBLIC_MEMBERS[jwk.kty].map((m) => [m, jwk[m]]));
  if (alg === 'ES256' && (jwk.crv !== 'P-256' || [jwk.x, jwk.y].some((c) => base64url.decode(c).length !== P256_COORDINATE_BYTES))) {
    throw new Error('not a P-256 key');
  }
  if (alg === 'EdDSA' && jwk.crv !== 'Ed25519') throw new Error('not an Ed25519 key');
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  // The signing key itself is not extractable.
  const privateKey = isPrivate ? await importPKCS8(pem, alg) : null;
  if (privateKey) {
    const probe = await new CompactSign(new TextEncoder().encode(kid)).setProtectedHeader({ alg }).sign(privateKey);
    await compactVerify(probe, await importJWK(publicJwk, alg));
  }
  return { alg, kid, publicJwk, privateKey, bits: key.algorithm.modulusLength ?? null };
}

/** The imported keys, per Config (frozen, cached per isolate by config.js). */
const keysOfConfig = new WeakMap();

/**
 * The signing key and the JWKS of `config`, or `null` without JWT_SIGNING_KEY. Imported once per
 * Config; rejects with the ConfigProblem of an unusable key (every time, from the cache).
 * @param {{ jwtSigningKey?: string, jwtSigningKeyPrevious?: string }} config
 * @returns {Promise<null | { current: { alg: string, kid: string, privateKey: CryptoKey }, jwks: { keys: object[] } }>}
 */
export function signingKeys(config) {
  if (config.jwtSigningKey === undefined) return Promise.resolve(null);
  let keys = keysOfConfig.get(config);
  if (!keys) {
    keys = (async () => {
      const current = await importKey('JWT_SIGNING_KEY', config.jwtSigningKey, false);
      const previous = config.jwtSigningKeyPrevious === undefined ? null : await importKey('JWT_SIGNING_KEY_PREVIOUS', config.jwtSigningKeyPrevious, true);
      const published = [current, ...(previous && previous.kid !== current.kid ? [previous] : [])];
      const jwks = { keys: published.map(({ alg, kid, publicJwk }) => ({ ...publicJwk, kid, alg, use: 'sig' })) };
      return Object.freeze({ current, jwks });
    })();
    keysOfConfig.set(config, keys);
  }
  return keys;
}

/** The display name of a session: Entra's displayname claim, else given name and surname. */
function nameOf(attributes) {
  const display = attributes[`${MS_CLAIMS}displayname`]?.[0];
  if (display) return display;
  const parts = [attributes[`${CLAIMS}givenname`]?.[0], attributes[`${CLAIMS}surname`]?.[0]].filter(Boolean);
  return parts.length ? parts.join(' ') : null;
}

/**
 * The identity claims of `session` (sessions.js): sub, email and name when known, groups (the
 * assertion's groups claim plus the session's own `groups`, e.g. from SCIM) when there are any.
 */
export function identityClaims(session) {
  const attributes = session.attributes ?? {};
  const claims = { sub: session.nameId };
  if (session.email) claims.email = session.email;
  const name = nameOf(attributes);
  if (name) claims.name = name;
  const groups = [...new Set([attributes[GROUPS_CLAIM], session.groups].filter(Array.isArray).flat().filter((g) => typeof g === 'string'))];
  if (groups.length) claims.groups = groups;
  return claims;
}

/** Signed tokens by session and claims: key -> { token, signedAt, exp (ms) }; oldest first. */
const tokens = new Map();

/**
 * The JWT for `session` (a signed-in session, sessions.js), signed with `keys.current`.
 * @param {{ current: { alg: string, kid: string, privateKey: CryptoKey } }} keys from signingKeys
 * @param {{ issuer: string, audience: string, session: object, now: number }} p
 */
export async function identityToken(keys, { issuer, audience, session, now }) {
  const claims = identityClaims(session);
  const { alg, kid, privateKey } = keys.current;
  const key = JSON.stringify([kid, issuer, audience, session.issuedAt, session.expiresAt, session.sessionIndex ?? null, claims]);
  const cached = tokens.get(key);
  if (cached && now - cached.signedAt < TOKEN_REUSE_MS && now >= cached.signedAt && now < cached.exp) {
    return cached.token;
  }
  const iat = Math.floor(now / 1000);
  const exp = Math.min(iat + TOKEN_LIFETIME_SECONDS, Math.floor(Date.parse(session.expiresAt) / 1000));
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg, kid, typ: 'JWT' })
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(exp)
    .setJti(crypto.randomUUID())
    .sign(privateKey);
  tokens.delete(key);
  if (tokens.size >= TOKEN_CACHE_LIMIT) tokens.delete(tokens.keys().next().value);
  tokens.set(key, { token, signedAt: now, exp: exp * 1000 });
  return token;
}
