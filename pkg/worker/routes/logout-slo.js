// Sign-out, locally and through SAML single logout (Entra ID: HTTP-Redirect only).
//
// GET|POST /logout: ends the session in this browser and in the session registry at once (a copy
// of the cookie kept elsewhere is refused at its next registry check). With an IdP SLO URL
// (IDP_SLO_URL or the IdP metadata's) and a session, it then redirects to the IdP with a
// LogoutRequest for the session's NameID (Format and qualifiers as issued) and SessionIndex. The
// RelayState is a random 22-character reference (SAML bindings §3.4.3: at most 80 bytes); the
// signed, short-lived logout cookie holds it with the request's ID and the return path (?next=). Without an SLO URL: the signed-out page. (Never a redirect to
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
// POST /saml/slo: the same two messages by the HTTP-POST binding (a form with SAMLRequest or
// SAMLResponse and RelayState; the message signed with an enveloped XML signature). Entra sends
// logout messages by redirect; other IdPs post them. The answer to a LogoutRequest is a redirect.

import { clearCookie, readCookie, setCookie } from '../cookies.js';
import { boundedText, discardBody, mediaType } from '../lib/body.js';
import { ASSERTION_REPLAYED, replayGuard } from '../do/replay.js';
import { signedOutPage } from '../pages.js';
import { revokeSession, revokeSessionsOf } from '../registry.js';
import { readSession } from '../sessions.js';
import { toBase64Url } from '../lib/base64.js';
import { PURPOSE_LOGOUT, signToken, verifyToken } from '../tokens.js';

/** Largest POST-bound logout form read (a signed LogoutRequest is 3–6 KB). */
const MAX_FORM_BYTES = 64 * 1024;

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
  const relayState = toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
  const { url, requestId } = c.config.sp.logoutRequestUrl({
    nameId: claims.nameId,
    nameIdFormat: claims.nameIdFormat ?? null,
    nameQualifier: claims.nameQualifier ?? null,
    spNameQualifier: claims.spNameQualifier ?? null,
    sessionIndex: claims.sessionIndex ?? null,
    relayState,
    now: c.now,
  });
  const pending = await signToken(PURPOSE_LOGOUT, c.config.tokenBinding, { rid: requestId, rs: relayState, next, exp }, c.config.secrets[0]);
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
  if (c.config.demo) return c.refuse('slo_unavailable', 'the demo IdP has no Single Logout');
  const message = c.request.method === 'POST' ? await postedMessage(c) : redirectMessage(c);
  if (message instanceof Response) return message;
  if (message.response) return logoutResponse(c, message.input);
  if (message.request) return logoutRequest(c, message.input);
  return c.refuse('not_a_logout_message', 'neither SAMLRequest nor SAMLResponse');
}

/** The HTTP-Redirect message: the raw query, which the verifier parses itself. */
function redirectMessage(c) {
  const params = c.url.searchParams;
  return { input: rawQuery(c), response: params.has('SAMLResponse'), request: params.has('SAMLRequest') };
}

/** The HTTP-POST message: the form's SAMLRequest or SAMLResponse, and RelayState. */
async function postedMessage(c) {
  if (mediaType(c.request) !== 'application/x-www-form-urlencoded') {
    await discardBody(c.request, MAX_FORM_BYTES);
    return c.refuse('slo_binding_unsupported', `a logout POST of ${mediaType(c.request) || 'no media type'}`, { status: 415 });
  }
  const body = await boundedText(c.request, MAX_FORM_BYTES);
  if (body === null) return c.refuse('limit_exceeded', `logout form larger than ${MAX_FORM_BYTES} bytes`, { status: 413 });
  const form = new URLSearchParams(body);
  const field = (name) => {
    const values = form.getAll(name);
    return values.length === 1 ? values[0] : values.length === 0 ? undefined : null;
  };
  const input = { SAMLRequest: field('SAMLRequest'), SAMLResponse: field('SAMLResponse'), RelayState: field('RelayState') };
  if (Object.values(input).includes(null) || (input.SAMLRequest !== undefined && input.SAMLResponse !== undefined)) {
    return c.refuse('invalid_form', 'a logout form with a repeated field, or with both SAMLRequest and SAMLResponse');
  }
  return { input, response: input.SAMLResponse !== undefined, request: input.SAMLRequest !== undefined };
}

/** The IdP's answer to our LogoutRequest. The user is already signed out here. */
async function logoutResponse(c, input) {
  const cookies = [clearCookie('logout'), clearCookie('session')];
  const pending = await verifyToken(PURPOSE_LOGOUT, c.config.tokenBinding, readCookie(c.request.headers.get('Cookie'), 'logout'), c.config.secrets, c.now);
  if (!pending.claims) return c.refuse('logout_request_unknown', `logout cookie ${pending.error}`, { cookies });
  let response;
  try {
    response = await c.config.sp.verifyLogoutResponse(input, { requestId: pending.claims.rid, now: c.now });
  } catch (error) {
    if (typeof error?.code !== 'string') throw error;
    return c.refuse(error.code, error.message, { cookies });
  }
  c.log('single_logout_completed', { requestId: response.inResponseTo });
  // The IdP returns the RelayState it was given; another one gets the signed-out page.
  if (response.relayState === pending.claims.rs && typeof pending.claims.next === 'string') {
    return c.redirect(c.returnPath(pending.claims.next), 302, cookies);
  }
  const response200 = c.html(signedOutPage(), 200);
  for (const cookie of cookies) response200.headers.append('Set-Cookie', cookie);
  return response200;
}

/** A LogoutRequest from the IdP: the user signed out elsewhere. */
async function logoutRequest(c, input) {
  let request;
  try {
    request = await c.config.sp.verifyLogoutRequest(input, { now: c.now });
  } catch (error) {
    if (typeof error?.code !== 'string') throw error;
    return c.refuse(error.code, error.message);
  }
  // A RelayState the LogoutResponse could not carry back (the Rust builder's rule: at most
  // 2048 bytes, no control character) refuses the message before any session ends; the answer
  // is built before anything ends too.
  if (typeof request.relayState === 'string' && !isReturnableRelayState(request.relayState)) {
    return c.refuse('invalid_form', `LogoutRequest ${request.id}: a RelayState of ${request.relayState.length} characters that cannot be returned`);
  }
  const answer = c.config.sp.logoutResponseUrl({ inResponseTo: request.id, relayState: request.relayState, now: c.now });
  if (await replayed(c, request)) return c.refuse('logout_replayed', `LogoutRequest ${request.id} seen before`);
  const revoked = await revokeSessionsOf(c, {
    nameId: request.nameId,
    ...(request.sessionIndexes.length > 0 ? { sessionIndexes: request.sessionIndexes } : {}),
  });
  c.log('single_logout_from_idp', { nameId: request.nameId, requestId: request.id, revoked });
  return c.redirect(answer.url, 302, [clearCookie('session')]);
}

/** Longest RelayState the LogoutResponse builder takes (src/saml/authn_request.rs MAX_RELAY_STATE_BYTES). */
const MAX_RELAY_STATE_BYTES = 2048;

/** Whether `relayState` can be returned in a LogoutResponse. */
function isReturnableRelayState(relayState) {
  return new TextEncoder().encode(relayState).length <= MAX_RELAY_STATE_BYTES && !/\p{Cc}/u.test(relayState);
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
