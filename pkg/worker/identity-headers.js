// The headers that carry the identity to ORIGIN, and what is removed from incoming requests so
// that nobody but the Worker sets them.
//
// Incoming: every header whose name, lower-cased with `_` read as `-`, starts with `saml-edge-`
// is dropped (WSGI/CGI-style servers read `Saml_Edge_Email` as the same variable as
// `Saml-Edge-Email`), and so are `Forwarded`, `X-Forwarded-*` and `X-Real-IP` in any spelling:
// the Worker sets X-Forwarded-For/-Proto/-Host itself.
// Outgoing: with a session, each identity header is always set (empty when unknown), never left
// to the client; without one (a public path) none is.

/** Identity headers the Worker sets. */
const NAME_ID = 'Saml-Edge-Name-Id';
const EMAIL = 'Saml-Edge-Email';
const ATTRIBUTES = 'Saml-Edge-Attributes';
/** The signed identity (identity-token.js), when JWT_SIGNING_KEY is set. */
const JWT_ASSERTION = 'Saml-Edge-Jwt-Assertion';

/** A header name as CGI-style servers see it: lower case, `_` and `-` alike. */
function canonicalName(name) {
  return name.toLowerCase().replace(/_/g, '-');
}

/** Headers the client may not set for the origin. */
function isReserved(name) {
  const n = canonicalName(name);
  return n.startsWith('saml-edge-') || n === 'forwarded' || n.startsWith('x-forwarded-') || n === 'x-real-ip';
}

/** `value` with `%` and everything outside visible ASCII percent-encoded (UTF-8). */
function headerSafe(value) {
  return String(value).replace(/[^\x21-\x24\x26-\x7e]/gu, (c) => encodeURIComponent(c));
}

/** JSON with every non-ASCII character escaped (`\uXXXX`): a valid header value. */
function asciiJson(value) {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The client's headers without those only the Worker may set. */
export function withoutReservedHeaders(incoming) {
  const headers = new Headers();
  for (const [name, value] of incoming) {
    if (!isReserved(name)) headers.append(name, value);
  }
  return headers;
}

/**
 * Sets the identity headers of `session` (`null`, a public path: none) and the forwarding headers
 * on `headers`. `Saml-Edge-Name-Id` and `Saml-Edge-Email` are percent-encoded outside visible
 * ASCII and for `%`; `Saml-Edge-Attributes` is JSON, ASCII-only; `Saml-Edge-Jwt-Assertion`
 * is the signed token `jwt` (none without JWT_SIGNING_KEY).
 * @param {Headers} headers
 * @param {{ host: string, protocol: string, clientIp: string | null }} forwarded
 * @param {string | null} [jwt]
 */
export function setIdentityHeaders(headers, session, forwarded, jwt = null) {
  if (session) {
    headers.set(NAME_ID, headerSafe(session.nameId));
    headers.set(EMAIL, session.email ? headerSafe(session.email) : '');
    headers.set(ATTRIBUTES, asciiJson(session.attributes));
    if (jwt) headers.set(JWT_ASSERTION, jwt);
  }
  if (forwarded.clientIp) headers.set('X-Forwarded-For', forwarded.clientIp);
  headers.set('X-Forwarded-Proto', forwarded.protocol.replace(/:$/, ''));
  headers.set('X-Forwarded-Host', forwarded.host);
}
