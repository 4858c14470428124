// Everything not routed elsewhere, for a signed-in user: the origin in ORIGIN (with identity
// headers and, with JWT_SIGNING_KEY, the signed identity token) or the static assets (ASSETS
// binding). Public paths (PUBLIC_PATHS) are served the same way without a session and without
// any identity header.
//
// The upstream URL is ORIGIN with the request's path and query set on it: a request path is
// never resolved as a relative reference (`//evil.example/x` would name another host), and
// nothing is fetched whose origin differs from ORIGIN's.

import { cookiesForOrigin } from '../cookies.js';
import { setIdentityHeaders, withoutReservedHeaders } from '../identity-headers.js';
import { identityToken, signingKeys } from '../identity-token.js';

/** ORIGIN with the path and query of `url`, or `null` when the result leaves ORIGIN. */
export function upstreamUrl(origin, url) {
  const target = new URL(origin);
  target.pathname = url.pathname;
  target.search = url.search;
  return target.origin === origin ? target : null;
}

/** The signed identity token of `session` for the origin, or `null` (no key, no session). */
async function tokenFor(c, session) {
  if (!session) return null;
  const keys = await signingKeys(c.config);
  if (keys === null) return null;
  return identityToken(keys, { issuer: c.url.origin, audience: c.config.spEntityId, session, now: c.now });
}

/** Forwards the request to ORIGIN with the session's identity (`null`: none). */
export async function proxy(c, session) {
  const target = upstreamUrl(c.config.origin, c.url);
  if (target === null) return c.refuse('upstream_refused', `${c.url.pathname} does not stay on ORIGIN`);
  const headers = withoutReservedHeaders(c.request.headers);
  const cookies = cookiesForOrigin(headers.get('Cookie'));
  if (cookies === null) headers.delete('Cookie');
  else headers.set('Cookie', cookies);
  setIdentityHeaders(
    headers,
    session,
    { host: c.url.host, protocol: c.url.protocol, clientIp: c.request.headers.get('CF-Connecting-IP') },
    await tokenFor(c, session),
  );
  return fetch(target, { method: c.request.method, headers, body: c.request.body, redirect: 'manual' });
}

/** The static assets; for a signed-in user (`shared` false) never cached by shared caches. */
async function assets(c, shared = false) {
  if (!c.bindings.assets) return new Response('Not found', { status: 404 });
  const response = await c.bindings.assets.fetch(c.request);
  if (shared) return response;
  const privateResponse = new Response(response.body, response);
  privateResponse.headers.set('Cache-Control', 'private, no-cache');
  return privateResponse;
}

/** What a signed-in user gets by default: the origin (ORIGIN) or the static assets. */
export function protectedApp(c) {
  return c.config.origin !== null ? proxy(c, c.session) : assets(c);
}

/** A public path (PUBLIC_PATHS), without a session: the origin without identity, or the assets. */
export function publicApp(c) {
  return c.config.origin !== null ? proxy(c, null) : assets(c, true);
}
