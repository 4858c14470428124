// Sign-out, locally and through SAML single logout (Entra ID: HTTP-Redirect only).
//
// GET|POST /logout: ends the session in this browser and in the session registry at once (a copy
// of the cookie kept elsewhere is refused at its next registry check). With an IdP SLO URL
// (IDP_SLO_URL or the IdP metadata's) and a session, it then redirects to the IdP with a
// LogoutRequest for the session's NameID (Format and qualifiers as issued) and SessionIndex; the
// RelayState is a signed, short-lived reference to the return path (?next=), and the request's
// ID waits in the logout cookie. Without an SLO URL: the signed-out page. (Never a redirect to
// `/`, which would sign straight back in through single sign-on.)
//
// GET /saml/slo (Entra ID's "Logout URL"):
// - a LogoutResponse: verified (signature over the raw query, Issuer, Destination, age,
//   InResponseTo = the logout cookie's request ID); then the return path, or the signed-out page.
//   A failure leaves the user signed out here too and shows the code.
// - a LogoutRequest (the user signed out elsewhere): verified the same way and refused when
//   replayed; every session of its NameID (only those of its SessionIndex values when given)
//   is revoked in the registry; answered with a LogoutResponse (InResponseTo, Success, the
//   RelayState unchanged) to the IdP's SLO URL. Forged, altered, replayed or stale: 4xx with a
//   code, nothing revoked.
// POST /saml/slo: refused (slo_binding_unsupported); Entra sends logout messages by redirect.

import { clearCookie, readCookie, setCookie } from '../cookies.js';
import { ASSERTION_REPLAYED, replayGuard } from '../do/replay.js';
import { signedOutPage } from '../pages.js';
import { revokeSession, revokeSessionsOf } from '../registry.js';
import { readSession } from '../sessions.js';
import { PURPOSE_LOGOUT, PURPOSE_LOGOUT_RELAY, signToken, verifyToken } from '../tokens.js';

/** How long a sign-out at the IdP may take (the logout cookie and the RelayState token). */
const LOGOUT_TTL_MS = 10 * 60 * 1000;

/** GET|POST /logout. */
export async function logout(c) {
  const token = readCookie(c.request.headers.get('Cookie'), 'session');
  const { claims } = await readSession(c.config, token, c.now);
  if (claims && typeof claims.sid === 'string' && (await revokeSession(c, claims.sid, 'logout'))) {
    c.log('signed_out', { nameId: claims.nameId });
  }
  const cleared = clearCookie('session');
  if (!claims || c.config.idpSloUrl === null) return c.html(signedOutPage(), 200, { 'Set-Cookie': cleared });

  const next = c.returnPath(c.url.searchParams.get('next') ?? '/');
  const exp = c.now + LOGOUT_TTL_MS;
  const relayState = await signToken(PURPOSE_LOGOUT_RELAY, c.config.tokenBinding, { next, exp }, c.config.secrets[0]);
  const { url, requestId } = c.config.sp.logoutRequestUrl({
    nameId: claims.nameId,
    nameIdFormat: claims.nameIdFormat ?? null,
    nameQualifier: claims.nameQualifier ?? null,
    spNameQualifier: claims.spNameQualifier ?? null,
    sessionIndex: claims.sessionIndex ?? null,
    relayState,
    now: c.now,
  });
  const pending = await signToken(PURPOSE_LOGOUT, c.config.tokenBinding, { rid: requestId, exp }, c.config.secrets[0]);
  c.log('single_logout_started', { nameId: claims.nameId, requestId });
  return c.redirect(url, 302, [cleared, setCookie('logout', pending, LOGOUT_TTL_MS / 1000)]);
}

/** The raw query string of the request, exactly as received (the signature covers it). */
function rawQuery(c) {
  const url = c.request.url;
  const at = url.indexOf('?');
  return at < 0 ? '' : url.slice(at + 1).split('#')[0];
}

/** GET|POST /saml/slo. */
export async function slo(c) {
  if (c.request.method === 'POST') return c.refuse('slo_binding_unsupported', 'a POST-bound logout message');
  if (c.config.demo) return c.refuse('slo_unavailable', 'the demo IdP has no Single Logout');
  const params = c.url.searchParams;
  if (params.has('SAMLResponse')) return logoutResponse(c);
  if (params.has('SAMLRequest')) return logoutRequest(c);
  return c.refuse('not_a_logout_message', 'neither SAMLRequest nor SAMLResponse');
}

/** The IdP's answer to our LogoutRequest. The user is already signed out here. */
async function logoutResponse(c) {
  const cookies = [clearCookie('logout'), clearCookie('session')];
  const pending = await verifyToken(PURPOSE_LOGOUT, c.config.tokenBinding, readCookie(c.request.headers.get('Cookie'), 'logout'), c.config.secrets, c.now);
  if (!pending.claims) return c.refuse('logout_request_unknown', `logout cookie ${pending.error}`, { cookies });
  let response;
  try {
    response = await c.config.sp.verifyLogoutResponse(rawQuery(c), { requestId: pending.claims.rid, now: c.now });
  } catch (error) {
    if (typeof error?.code !== 'string') throw error;
    return c.refuse(error.code, error.message, { cookies });
  }
  c.log('single_logout_completed', { requestId: response.inResponseTo });
  const relay = response.relayState === null
    ? { claims: null }
    : await verifyToken(PURPOSE_LOGOUT_RELAY, c.config.tokenBinding, response.relayState, c.config.secrets, c.now);
  if (relay.claims && typeof relay.claims.next === 'string') {
    return c.redirect(c.returnPath(relay.claims.next), 302, cookies);
  }
  const response200 = c.html(signedOutPage(), 200);
  for (const cookie of cookies) response200.headers.append('Set-Cookie', cookie);
  return response200;
}

/** A LogoutRequest from the IdP: the user signed out elsewhere. */
async function logoutRequest(c) {
  let request;
  try {
    request = await c.config.sp.verifyLogoutRequest(rawQuery(c), { now: c.now });
  } catch (error) {
    if (typeof error?.code !== 'string') throw error;
    return c.refuse(error.code, error.message);
  }
  if (await replayed(c, request)) return c.refuse('logout_replayed', `LogoutRequest ${request.id} seen before`);
  const revoked = await revokeSessionsOf(c, {
    nameId: request.nameId,
    ...(request.sessionIndexes.length > 0 ? { sessionIndexes: request.sessionIndexes } : {}),
  });
  c.log('single_logout_from_idp', { nameId: request.nameId, requestId: request.id, revoked });
  const { url } = c.config.sp.logoutResponseUrl({ inResponseTo: request.id, relayState: request.relayState, now: c.now });
  return c.redirect(url, 302, [clearCookie('session')]);
}

/** Records the LogoutRequest's ID until it can no longer be accepted; true when seen before. */
async function replayed(c, request) {
  if (!c.bindings.replay) return false;
  const verdict = await replayGuard(c.bindings.replay).consume({
    assertionId: `logout-request:${request.id}`,
    assertionExpires: Date.parse(request.replayUntil),
    requestId: null,
    requestExpires: c.now,
    now: c.now,
  });
  return verdict === ASSERTION_REPLAYED;
}
