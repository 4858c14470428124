// Everything not routed elsewhere, for a signed-in user: the origin in ORIGIN (with identity
// headers) or the static assets (ASSETS binding).
//
// The upstream URL is ORIGIN with the request's path and query set on it: a request path is
// never resolved as a relative reference (`//evil.example/x` would name another host), and
// nothing is fetched whose origin differs from ORIGIN's.

import { cookiesForOrigin } from '../cookies.js';
import { setIdentityHeaders, withoutReservedHeaders } from '../identity-headers.js';

/** ORIGIN with the path and query of `url`, or `null` when the result leaves ORIGIN. */
export function upstreamUrl(origin, url) {
  const target = new URL(origin);
  target.pathname = url.pathname;
  target.search = url.search;
  return target.origin === origin ? target : null;
}

/** Forwards the request to ORIGIN with the session's identity (`null`: none). */
export function proxy(c, session) {
  const target = upstreamUrl(c.config.origin, c.url);
  if (target === null) return c.refuse('upstream_refused', `${c.url.pathname} does not stay on ORIGIN`);
  const headers = withoutReservedHeaders(c.request.headers);
  const cookies = cookiesForOrigin(headers.get('Cookie'));
  if (cookies === null) headers.delete('Cookie');
  else headers.set('Cookie', cookies);
  setIdentityHeaders(headers, session, {
    host: c.url.host,
    protocol: c.url.protocol,
    clientIp: c.request.headers.get('CF-Connecting-IP'),
  });
  return fetch(target, { method: c.request.method, headers, body: c.request.body, redirect: 'manual' });
}

/** The static assets for a signed-in user, never cached by shared caches. */
async function assets(c) {
  if (!c.bindings.assets) return new Response('Not found', { status: 404 });
  const response = await c.bindings.assets.fetch(c.request);
  const privateResponse = new Response(response.body, response);
  privateResponse.headers.set('Cache-Control', 'private, no-cache');
  return privateResponse;
}

/** What a signed-in user gets by default: the origin (ORIGIN) or the static assets. */
export function protectedApp(c) {
  return c.config.origin !== null ? proxy(c, c.session) : assets(c);
}
