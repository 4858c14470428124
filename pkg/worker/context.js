// The request context `c` every handler receives: the request and its parsed URL, the time, the
// configuration (set by the dispatcher), the session (set by the 'session' guard), and the ways
// to answer. Handlers answer through these helpers so that headers, logging and refusals are the
// same on every route.

import { statusOf } from './codes.js';
import { log } from './lib/log.js';
import { pageHeaders, signInErrorPage } from './pages.js';
import { returnPath } from './return-path.js';

/** Headers of every redirect the Worker answers. */
const REDIRECT_HEADERS = { 'Cache-Control': 'no-store', Pragma: 'no-cache', 'Referrer-Policy': 'no-referrer' };

/**
 * The context of one request.
 * @param {{ request: Request, env: object, ctx: object, reserved: { path?: string, prefix?: string }[] }} p
 *   `env` is only handed on to a mounting app (`samlEdge({ app })`); config.js reads it.
 */
export function createContext({ request, env, ctx, reserved }) {
  const url = new URL(request.url);
  const clientIp = request.headers.get('CF-Connecting-IP');
  return {
    request,
    url,
    env,
    ctx,
    now: Date.now(),
    /** The frozen Config (config.js), set before any handler runs. */
    config: null,
    /** The Worker's bindings (config.js `bindingsOf`). */
    bindings: null,
    /** The signed-in session (sessions.js), set by the 'session' guard. */
    session: null,
    /** Set-Cookie values added to whatever the route answers (a re-issued session cookie). */
    cookies: [],

    /** The same-origin path for `candidate` (return-path.js), reserved routes excluded. */
    returnPath(candidate) {
      return returnPath(candidate, url, reserved);
    },

    /** Logs `event` (the client's address added when known). */
    log(event, fields = {}) {
      log(event, { ...fields, ...(clientIp ? { ip: clientIp } : {}) });
    },

    /** A redirect that is never cached; `cookies` are Set-Cookie values. */
    redirect(location, status = 302, cookies = []) {
      const headers = new Headers({ Location: location, ...REDIRECT_HEADERS });
      for (const cookie of cookies) headers.append('Set-Cookie', cookie);
      return new Response(null, { status, headers });
    },

    /** A JSON answer, never cached. */
    json(value, status = 200, headers = {}) {
      return new Response(JSON.stringify(value), {
        status,
        headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', ...headers },
      });
    },

    /** One of the Worker's own HTML pages (pages.js). */
    html(body, status = 200, headers = {}) {
      return new Response(body, { status, headers: pageHeaders(headers) });
    },

    /**
     * Refuses the request with `code`: the error page (code and admin hint only) with the status
     * from codes.js; `detail` goes to the log only.
     */
    refuse(code, detail, { status = statusOf(code), headers = {}, cookies = [] } = {}) {
      // One event name for every refusal page, as before the route table (log alerts key on it).
      this.log('sign_in_refused', { code, detail, path: url.pathname });
      const response = this.html(signInErrorPage(code), status, headers);
      for (const cookie of cookies) response.headers.append('Set-Cookie', cookie);
      return response;
    },
  };
}
