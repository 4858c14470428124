// GET /saml/jwks.json: the public keys the origin verifies Saml-Edge-Jwt-Assertion with
// (JWT_SIGNING_KEY and, during a rotation, JWT_SIGNING_KEY_PREVIOUS), as a JWKS with kid, alg
// and use. Cacheable by anyone; never any private member. 404 without JWT_SIGNING_KEY.

import { JWKS_MAX_AGE_SECONDS, signingKeys } from '../identity-token.js';

/** The JWKS document. */
export async function jwks(c) {
  const keys = await signingKeys(c.config);
  if (keys === null) return new Response('Not found', { status: 404 });
  return c.json(keys.jwks, 200, { 'Cache-Control': `public, max-age=${JWKS_MAX_AGE_SECONDS}` });
}
