// saml-edge's Cloudflare Worker: SAML single sign-on in front of any site.
//
//   GET  /login/          AuthnRequest (HTTP-Redirect) to the IdP, bound to this browser
//   POST /saml/acs        verifies the IdP's response, starts the session, 303 to the return path
//   GET  /saml/metadata   SP metadata (Entra ID: "Upload metadata file")
//   GET  /saml/session    the signed-in identity as JSON (401 without a session)
//   GET  /logout          ends the session
//   GET  /demo-idp/       the built-in demo IdP (demo mode only: no IdP configured, localhost)
//   anything else         protected: no session -> /login/?next=…; with a session -> the static
//                         assets (ASSETS binding) or, with ORIGIN set, the origin, with identity
//                         headers
//
// Every SAML decision is made by the verifier (Rust, through the `saml-edge` package); this file
// does HTTP, cookies and storage. Configuration: README ("Worker configuration").
//
// Use it as it is (wrangler.toml: main = "pkg/worker.js"), or mount it in your own Worker:
//   import { samlEdge, ReplayGuard } from 'saml-edge/worker';
//   export { ReplayGuard };
//   export default samlEdge({ app: (request, env, ctx, session) => new Response(`Hi ${session.nameId}`) });

import { SamlError } from './workerd.js';
import { ConfigProblem, DEMO_IDP_PATH, asConfigProblem, stateFor } from './worker/config.js';
import { demoIdp } from './worker/demo-idp.js';
import { configErrorPage, pageHeaders, signedOutPage, signInErrorPage } from './worker/pages.js';
import { CONSUMED, replayGuard } from './worker/replay.js';
import { warmUp } from './worker/warm-up.js';
import { IDENTITY_HEADER_PREFIX, identityHeaders, sessionFromClaims, sessionToken } from './worker/session.js';
import {
  PURPOSE_LOGIN,
  PURPOSE_SESSION,
  TOKEN_MISSING,
  cookie,
  readCookie,
  signToken,
  verifyToken,
} from './worker/tokens.js';

export { ReplayGuard } from './worker/replay.js';

warmUp();

/** The pending-login cookie: request ID, return path, expiry. Sent cross-site by the IdP's POST. */
const LOGIN_COOKIE = 'saml_edge_login';
/** The session cookie. */
const SESSION_COOKIE = 'saml_edge_session';
/** How long a sign-in may take at the IdP. */
const LOGIN_TTL_MS = 10 * 60 * 1000;
/** Largest ACS form body read (a SAMLResponse is 5–20 KB; the verifier's own limit is 1 MiB of XML). */
const MAX_FORM_BYTES = 4 * 1024 * 1024;
/** Longest RelayState sent to the IdP (SAML bindings §3.4.3). */
const MAX_RELAY_STATE = 80;
/** Longest return path kept. */
const MAX_RETURN_PATH = 2048;

/**
 * The same-origin path to return to after sign-in: `candidate` when it is a relative path on
 * this origin (`/…`, not `//…`, no backslash or control character), else `/`.
 */
function safeReturnPath(candidate, base) {
  if (typeof candidate !== 'string' || candidate.length > MAX_RETURN_PATH) return '/';
  if (!candidate.startsWith('/') || candidate.startsWith('//') || /[\\\u0000-\u001f\u007f]/.test(candidate)) return '/';
  let url;
  try {
    url = new URL(candidate, base.origin);
  } catch {
    return '/';
  }
  if (url.origin !== base.origin) return '/';
  const path = url.pathname + url.search + url.hash;
  return path.startsWith('/login') || path.startsWith('/saml/') || path.startsWith('/logout') ? '/' : path;
}

function log(event, fields) {
  console.log(JSON.stringify({ saml_edge: event, ...fields }));
}

/** HTTP status of a refused sign-in: 400 for unreadable input, 403 for everything refused. */
function statusOf(code) {
  return /^(invalid_|empty_input|limit_exceeded|xml_|not_a_response|saml_malformed|saml_unsupported_version)/.test(code) ? 400 : 403;
}

/** The error page for `code` (logged with `detail`); `status` defaults to statusOf(code). */
function refuse(code, detail, request, status = statusOf(code), headers = {}) {
  log('sign_in_refused', { code, detail, ip: request.headers.get('CF-Connecting-IP') ?? undefined });
  return new Response(signInErrorPage(code), { status, headers: pageHeaders(headers) });
}

function redirect(location, status, setCookies = []) {
  const headers = new Headers({ Location: location, 'Cache-Control': 'no-store', Pragma: 'no-cache', 'Referrer-Policy': 'no-referrer' });
  for (const c of setCookies) headers.append('Set-Cookie', c);
  return new Response(null, { status, headers });
}

async function login(url, state, now) {
  const next = safeReturnPath(url.searchParams.get('next') ?? '/', url);
  let redirectTo;
  try {
    // RelayState carries the return path too (informational: the ACS trusts only the signed
    // cookie's copy); SAML bindings §3.4.3 caps it at 80 bytes.
    redirectTo = state.sp.loginRedirect({ now, ...(next.length <= MAX_RELAY_STATE ? { relayState: next } : {}) });
  } catch (error) {
    throw asConfigProblem(error, state);
  }
  const { url: location, requestId } = redirectTo;
  const token = await signToken(PURPOSE_LOGIN, { rid: requestId, next, exp: now + LOGIN_TTL_MS }, state.secrets[0]);
  return redirect(location, 302, [cookie(LOGIN_COOKIE, token, { path: '/saml', sameSite: 'None', maxAgeSeconds: LOGIN_TTL_MS / 1000 })]);
}

/** The request body as text, or `null` when it is larger than `limit` bytes. */
async function boundedText(request, limit) {
  const declared = Number(request.headers.get('Content-Length') ?? '0');
  if (declared > limit) return null;
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(await new Blob(chunks).arrayBuffer());
}

async function acs(request, url, env, state, now) {
  if (request.method !== 'POST') {
    return refuse('method_not_allowed', `ACS called with ${request.method}`, request, 405, { Allow: 'POST' });
  }
  const contentType = (request.headers.get('Content-Type') ?? '').split(';')[0].trim().toLowerCase();
  if (contentType !== 'application/x-www-form-urlencoded') {
    return refuse('invalid_form', `ACS called with Content-Type ${JSON.stringify(contentType)}`, request);
  }
  const body = await boundedText(request, MAX_FORM_BYTES);
  if (body === null) return refuse('limit_exceeded', `ACS form larger than ${MAX_FORM_BYTES} bytes`, request, 413);
  const form = new URLSearchParams(body);

  const pending = await verifyToken(PURPOSE_LOGIN, readCookie(request.headers.get('Cookie'), LOGIN_COOKIE), state.secrets, now);
  let requestId = null;
  let returnPath;
  if (pending.claims) {
    requestId = typeof pending.claims.rid === 'string' ? pending.claims.rid : null;
    returnPath = safeReturnPath(pending.claims.next, url);
  } else if (pending.error === TOKEN_MISSING && state.allowUnsolicited) {
    // IdP-initiated: RelayState, when it is a same-origin path, says where to go.
    returnPath = safeReturnPath(form.get('RelayState'), url);
  } else {
    return refuse(`request_cookie_${pending.error}`, `login cookie ${pending.error}`, request);
  }

  let identity;
  try {
    identity = state.sp.verifyPostResponse(form.get('SAMLResponse'), { requestId, now });
  } catch (error) {
    if (!(error instanceof SamlError)) throw error;
    return refuse(error.code, error.message, request);
  }

  const skewMs = state.clockSkewSeconds * 1000;
  const outcome = await replayGuard(env.REPLAY).consume({
    assertionId: identity.assertionId,
    assertionExpires: Date.parse(identity.notOnOrAfter) + skewMs,
    requestId,
    requestExpires: (pending.claims?.exp ?? now) + skewMs,
    now,
  });
  if (outcome !== CONSUMED) {
    return refuse(outcome, `assertion ${identity.assertionId} (request ${requestId}): ${outcome}`, request);
  }

  const sessionEnd = identity.sessionNotOnOrAfter === null ? Infinity : Date.parse(identity.sessionNotOnOrAfter);
  const exp = Math.min(now + state.sessionTtlSeconds * 1000, sessionEnd);
  if (exp <= now) return refuse('session_expired', `SessionNotOnOrAfter ${identity.sessionNotOnOrAfter} has passed`, request);
  const { token, dropped } = await sessionToken(identity, now, exp, (c) => signToken(PURPOSE_SESSION, c, state.secrets[0]));
  if (dropped.length > 0) {
    log('session_attributes_dropped', {
      nameId: identity.nameId,
      dropped,
      detail: 'the session cookie would exceed 4 KB: send fewer claims (Entra ID: Attributes & Claims)',
    });
  }
  log('signed_in', { nameId: identity.nameId, issuer: identity.issuer, assertionId: identity.assertionId });
  return redirect(returnPath, 303, [
    cookie(SESSION_COOKIE, token, { path: '/', sameSite: 'Lax', maxAgeSeconds: (exp - now) / 1000 }),
    cookie(LOGIN_COOKIE, '', { path: '/saml', sameSite: 'None', maxAgeSeconds: 0 }),
  ]);
}

/** The session of `request`, or `null` (missing, altered, expired). */
async function readSession(request, state, now) {
  const result = await verifyToken(PURPOSE_SESSION, readCookie(request.headers.get('Cookie'), SESSION_COOKIE), state.secrets, now);
  if (result.claims) return sessionFromClaims(result.claims);
  if (result.error !== TOKEN_MISSING) log('session_refused', { reason: result.error });
  return null;
}

function json(value, status = 200) {
  return new Response(JSON.stringify(value), {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' },
  });
}

/** The Cookie header without saml-edge's own cookies (the origin has no use for them). */
function cookiesForOrigin(header) {
  if (!header) return null;
  const kept = header
    .split(';')
    .map((c) => c.trim())
    .filter((c) => c !== '' && !c.startsWith(`${SESSION_COOKIE}=`) && !c.startsWith(`${LOGIN_COOKIE}=`));
  return kept.length > 0 ? kept.join('; ') : null;
}

/** Forwards a signed-in request to ORIGIN with the identity headers (incoming ones removed). */
function proxy(request, url, state, session) {
  const headers = new Headers();
  for (const [name, value] of request.headers) {
    if (!name.toLowerCase().startsWith(IDENTITY_HEADER_PREFIX)) headers.append(name, value);
  }
  const cookies = cookiesForOrigin(headers.get('Cookie'));
  if (cookies === null) headers.delete('Cookie');
  else headers.set('Cookie', cookies);
  for (const [name, value] of identityHeaders(session)) headers.set(name, value);
  headers.set('X-Forwarded-Host', url.host);
  const target = new URL(url.pathname + url.search, state.origin);
  return fetch(target, { method: request.method, headers, body: request.body, redirect: 'manual' });
}

/** What a signed-in user gets by default: the origin (ORIGIN) or the static assets. */
async function defaultApp(request, url, env, session, state) {
  if (state.origin !== null) return proxy(request, url, state, session);
  if (env.ASSETS) {
    const response = await env.ASSETS.fetch(request);
    const privateResponse = new Response(response.body, response);
    privateResponse.headers.set('Cache-Control', 'private, no-cache');
    return privateResponse;
  }
  return new Response('Not found', { status: 404 });
}

/**
 * The Worker, as a `{ fetch }` handler. `app(request, env, ctx, session)` answers signed-in
 * requests to protected paths (default: the origin in ORIGIN, else the static assets).
 */
export function samlEdge({ app } = {}) {
  return {
    async fetch(request, env, ctx) {
      const url = new URL(request.url);
      const now = Date.now();
      try {
        const state = stateFor(env, url);
        const path = url.pathname;
        if (path === '/login' || path === '/login/') return await login(url, state, now);
        if (path === '/saml/acs') {
          if (!env.REPLAY) throw new ConfigProblem('REPLAY', 'the Durable Object binding is missing (see wrangler.toml)');
          return await acs(request, url, env, state, now);
        }
        if (path === '/saml/metadata') {
          return new Response(state.sp.metadata(), {
            headers: { 'Content-Type': 'application/samlmetadata+xml; charset=utf-8', 'Content-Disposition': 'inline; filename="saml-edge-metadata.xml"' },
          });
        }
        if (path === '/logout' || path === '/logout/') {
          return new Response(signedOutPage(), {
            headers: { ...pageHeaders(), 'Set-Cookie': cookie(SESSION_COOKIE, '', { path: '/', sameSite: 'Lax', maxAgeSeconds: 0 }) },
          });
        }
        if (path.startsWith(DEMO_IDP_PATH.slice(0, -1))) {
          return state.demo ? await demoIdp(request, url, state) : new Response('Not found', { status: 404 });
        }
        if (path.startsWith('/saml/') && path !== '/saml/session') return new Response('Not found', { status: 404 });

        const session = await readSession(request, state, now);
        if (path === '/saml/session') return session ? json(session) : json({ error: 'no_session' }, 401);
        if (!session) return redirect(`/login/?next=${encodeURIComponent(safeReturnPath(path + url.search, url))}`, 302);
        return await (app ? app(request, env, ctx, session) : defaultApp(request, url, env, session, state));
      } catch (error) {
        if (error instanceof ConfigProblem) {
          log('configuration_error', { variable: error.variable, detail: error.message });
          return new Response(configErrorPage(error), { status: 500, headers: pageHeaders() });
        }
        log('internal_error', { detail: String(error?.stack ?? error) });
        return new Response(signInErrorPage('internal_error'), { status: 500, headers: pageHeaders() });
      }
    },
  };
}

export default samlEdge();
