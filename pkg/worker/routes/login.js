// GET /login/: an AuthnRequest (HTTP-Redirect binding) to the IdP, bound to this browser by the
// signed login cookie (request ID, return path, expiry).

import { asConfigProblem } from '../config.js';
import { setCookie } from '../cookies.js';
import { PURPOSE_LOGIN, signToken } from '../tokens.js';

/** How long a sign-in may take at the IdP. */
export const LOGIN_TTL_MS = 10 * 60 * 1000;
/** Longest RelayState sent to the IdP (SAML bindings §3.4.3). */
const MAX_RELAY_STATE = 80;

/** Starts a sign-in; `?next=` is where to return (a same-origin path, else `/`). */
export async function login(c) {
  const next = c.returnPath(c.url.searchParams.get('next') ?? '/');
  let redirectTo;
  try {
    // RelayState carries the return path too (informational: the ACS trusts only the signed
    // cookie's copy); SAML bindings §3.4.3 caps it at 80 bytes.
    redirectTo = c.config.sp.loginRedirect({ now: c.now, ...(next.length <= MAX_RELAY_STATE ? { relayState: next } : {}) });
  } catch (error) {
    throw asConfigProblem(error, c.config);
  }
  const { url: location, requestId } = redirectTo;
  const claims = { rid: requestId, next, exp: c.now + LOGIN_TTL_MS };
  const token = await signToken(PURPOSE_LOGIN, c.config.tokenBinding, claims, c.config.secrets[0]);
  return c.redirect(location, 302, [setCookie('login', token, LOGIN_TTL_MS / 1000)]);
}
