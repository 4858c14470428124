// The Worker's route table, dispatch, guards, error boundary and 404. Routes are data:
// `{ methods, path | prefix, guard, handler }`. Dispatch finds the first route whose path
// matches, answers 405 when the method does not, runs the guard, then `handler(c)`. The paths the
// return-path check refuses (RESERVED) are derived from this table.
//
// Guards: 'none'; 'session' (the signed-in session on `c.session`, checked against the session
// registry every SESSION_REFRESH_SECONDS; without one, a redirect to /login/, or 401 JSON for a
// request that looks like an API call (access.js isApiCall) and for routes with
// `unauthenticated: 'json'`); 'demo' (demo mode only, else 404); 'scim' (SCIM_TOKEN set, else
// 404; the bearer token, else a 401 SCIM error).
// The fallback (the protected app) is served without a session, and without identity, on the
// PUBLIC_PATHS (access.js isPublicPath, on the path as it is forwarded).
// Imports go one way: worker.js -> app.js -> routes/* -> concern modules -> lib/.

import { isApiCall, isPublicPath } from './access.js';
import { ConfigProblem, bindingsOf, configFor } from './config.js';
import { createContext } from './context.js';
import { DuplicateCookie, clearCookie, readCookie } from './cookies.js';
import { DEMO_IDP_PATH } from './demo-idp/key.js';
import { demoIdp } from './demo-idp/index.js';
import { signingKeys } from './identity-token.js';
import { log } from './lib/log.js';
import { configErrorPage, pageHeaders, signInErrorPage } from './pages.js';
import { acs } from './routes/acs.js';
import { login } from './routes/login.js';
import { jwks } from './routes/jwks.js';
import { logout, slo } from './routes/logout-slo.js';
import { metadata } from './routes/metadata.js';
import { protectedApp, publicApp, upstreamUrl } from './routes/proxy.js';
import { session } from './routes/session.js';
import { registryFor } from './registry.js';
import { scim, scimGuard } from './routes/scim/index.js';
import { currentSession } from './sessions.js';
import { warmUp } from './warm-up.js';

warmUp();

const READ = ['GET', 'HEAD'];

/** The Worker's own routes, first match wins. */
export const ROUTES = Object.freeze([
  { methods: READ, path: '/login', guard: 'none', handler: login },
  { methods: READ, path: '/login/', guard: 'none', handler: login },
  { methods: ['POST'], path: '/saml/acs', guard: 'none', handler: acs },
  { methods: READ, path: '/saml/metadata', guard: 'none', handler: metadata },
  { methods: READ, path: '/saml/session', guard: 'session', unauthenticated: 'json', handler: session },
  { methods: READ, path: '/saml/jwks.json', guard: 'none', handler: jwks },
  { methods: [...READ, 'POST'], path: '/logout', guard: 'none', handler: logout },
  { methods: [...READ, 'POST'], path: '/logout/', guard: 'none', handler: logout },
  // SAML single logout (Entra ID's "Logout URL"): the IdP's LogoutRequest and LogoutResponse.
  { methods: [...READ, 'POST'], path: '/saml/slo', guard: 'none', handler: slo },
  { methods: [...READ, 'POST'], prefix: DEMO_IDP_PATH, guard: 'demo', handler: demoIdp },
  // SCIM 2.0 provisioning (routes/scim/): methods and errors are SCIM's own (JSON).
  { methods: null, prefix: '/scim/', guard: 'scim', handler: scim },
  // Everything else under /saml/ is reserved for the Worker.
  { methods: null, prefix: '/saml/', guard: 'none', handler: notFound },
]);

/** Paths no return path may lead to (the Worker's own routes). */
export const RESERVED = Object.freeze(ROUTES.map(({ path, prefix }) => (prefix !== undefined ? { prefix } : { path })));

function notFound() {
  return new Response('Not found', { status: 404 });
}

/** `route` serves `path` (a prefix also serves its bare form without the trailing slash). */
function matches(route, path) {
  if (route.path !== undefined) return path === route.path;
  return path.startsWith(route.prefix) || path === route.prefix.replace(/\/$/, '');
}

/** Runs `route`'s guard; returns a Response when it stops the request. */
async function guard(c, route) {
  if (route.guard === 'demo') return c.config.demo ? null : notFound();
  if (route.guard === 'scim') return scimGuard(c);
  if (route.guard !== 'session') return null;
  const token = readCookie(c.request.headers.get('Cookie'), 'session');
  const result = await currentSession(c, token, registryFor(c));
  if (result.error) c.log('session_refused', { reason: result.error });
  if (result.session) {
    c.session = result.session;
    if (result.cookie) c.cookies.push(result.cookie);
    return null;
  }
  // A revoked session's cookie is deleted: the next request does not ask the registry again.
  const cookies = result.revoked ? [clearCookie('session')] : [];
  const login = `/login/?next=${encodeURIComponent(c.returnPath(c.url.pathname + c.url.search))}`;
  if (route.unauthenticated === 'json') return withCookies(c.json({ error: 'no_session' }, 401), cookies);
  if (isApiCall(c.request.method, c.request.headers)) return withCookies(c.json({ error: 'login_required', login }, 401), cookies);
  return c.redirect(login, 302, cookies);
}

/** Serves a public path (PUBLIC_PATHS) without a session and without identity. */
const PUBLIC = Object.freeze({ methods: null, guard: 'none', handler: publicApp });

/** The path as the Worker forwards it (ORIGIN's URL with the request's path), or `null`. */
function forwardedPath(c) {
  if (c.config.origin === null) return c.url.pathname;
  return upstreamUrl(c.config.origin, c.url)?.pathname ?? null;
}

/** `response` with `cookies` (Set-Cookie values) added; a fetched response is copied first (immutable headers). */
function withCookies(response, cookies) {
  // A WebSocket upgrade cannot be copied; its session is re-checked at the next request.
  if (cookies.length === 0 || response.status === 101) return response;
  let out = response;
  try {
    for (const cookie of cookies) out.headers.append('Set-Cookie', cookie);
  } catch {
    out = new Response(response.body, response);
    for (const cookie of cookies) out.headers.append('Set-Cookie', cookie);
  }
  return out;
}

/** The answer to an error no handler caught. */
function errorBoundary(c, error) {
  if (error instanceof ConfigProblem) {
    log('configuration_error', { variable: error.variable, detail: error.message });
    return new Response(configErrorPage(error), { status: 500, headers: pageHeaders() });
  }
  if (error instanceof DuplicateCookie) {
    return c.refuse(error.code, error.message, { cookies: [clearCookie('login'), clearCookie('session')] });
  }
  log('internal_error', { detail: String(error?.stack ?? error) });
  return new Response(signInErrorPage('internal_error'), { status: 500, headers: pageHeaders() });
}

/**
 * The Worker, as a `{ fetch }` handler. `app(request, env, ctx, session)` answers signed-in
 * requests to every path the Worker does not route itself (default: the origin in ORIGIN, else
 * the static assets). PUBLIC_PATHS apply to the default only: a mounting Worker serves its public
 * paths itself, before calling this handler.
 */
export function samlEdge({ app } = {}) {
  const fallback = {
    methods: null,
    guard: 'session',
    handler: app ? (c) => app(c.request, c.env, c.ctx, c.session) : protectedApp,
  };
  return {
    async fetch(request, env, ctx) {
      const c = createContext({ request, env, ctx, reserved: RESERVED });
      try {
        c.config = configFor(env, c.url);
        c.bindings = bindingsOf(env);
        // An unusable JWT_SIGNING_KEY shows on every route, as other configuration errors do.
        await signingKeys(c.config);
        const route =
          ROUTES.find((r) => matches(r, c.url.pathname)) ??
          (!app && isPublicPath(c.config.publicPaths, forwardedPath(c)) ? PUBLIC : fallback);
        if (route.methods !== null && !route.methods.includes(request.method)) {
          return c.refuse('method_not_allowed', `${request.method} ${c.url.pathname}`, { headers: { Allow: route.methods.join(', ') } });
        }
        const response = (await guard(c, route)) ?? (await route.handler(c));
        return withCookies(response, c.cookies);
      } catch (error) {
        return errorBoundary(c, error);
      }
    },
  };
}

/** The Worker as wrangler.toml runs it. */
export default samlEdge();
