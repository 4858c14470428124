// The embedded demo IdP (demo mode only: no IdP configured, loopback host). It plays Microsoft
// Entra ID for `make dev`: /demo-idp/ receives the AuthnRequest (HTTP-Redirect binding), lists
// test users (B.Simon first, with Entra's default claims), and answers with an Entra-shaped
// Response whose Assertion is signed (RSA-SHA256, exclusive c14n) with the PUBLIC demo key of
// key.js, auto-posted to the ACS.
//
// Signing without an XML library: the Assertion and SignedInfo are written directly in their
// exclusive-canonical form (namespaces declared where used, attributes in canonical order,
// start/end tag pairs, canonical escaping), so the bytes written are the bytes digested and
// signed. tests/js/worker.test.mjs checks the result with xmlsec1 and with the verifier.

import { DEMO_IDP_PATH, DEMO_IDP_PRIVATE_KEY_PEM } from './key.js';
import { autoPostPage, escapeHtml, page, pageHeaders } from '../pages.js';
import { toBase64 } from '../lib/base64.js';
import { boundedText } from '../lib/body.js';

const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
const DSIG = 'http://www.w3.org/2000/09/xmldsig#';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const CLAIMS = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/';
const MS_CLAIMS = 'http://schemas.microsoft.com/identity/claims/';

/** The demo tenant (Entra-style IDs; not a real tenant). */
const TENANT_ID = '00000000-5a31-4ed6-9e1d-0de0de0de0de';

/** Test users, B.Simon first (the user of Microsoft's tutorials). */
export const DEMO_USERS = [
  { id: 'b.simon', upn: 'B.Simon@contoso.com', given: 'B.', surname: 'Simon', objectId: '7d7e0f7a-4b1c-4f0e-9a55-b51a0de0b51a' },
  { id: 'adele.vance', upn: 'AdeleV@contoso.com', given: 'Adele', surname: 'Vance', objectId: '1f9c3c41-3b3c-4d8e-8f1e-adeleva0ce00' },
];

/** Entra's default claims for `user`, in Entra's order. */
function claims(user) {
  return [
    [`${MS_CLAIMS}tenantid`, TENANT_ID],
    [`${MS_CLAIMS}objectidentifier`, user.objectId],
    [`${MS_CLAIMS}displayname`, `${user.given} ${user.surname}`],
    [`${MS_CLAIMS}identityprovider`, `https://sts.windows.net/${TENANT_ID}/`],
    ['http://schemas.microsoft.com/claims/authnmethodsreferences', 'http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password'],
    [`${CLAIMS}givenname`, user.given],
    [`${CLAIMS}surname`, user.surname],
    [`${CLAIMS}emailaddress`, user.upn],
    [`${CLAIMS}name`, user.upn],
  ];
}

/** Canonical text content (exc-c14n escaping). */
function text(value) {
  return String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#xD;');
}

/** Canonical attribute value (exc-c14n escaping). */
function attr(value) {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#x9;')
    .replace(/\n/g, '&#xA;')
    .replace(/\r/g, '&#xD;');
}

/** An ID as Entra writes them: `_` + a random GUID. */
function newId() {
  return `_${crypto.randomUUID()}`;
}

/** ISO-8601 UTC with milliseconds, as Entra writes instants. */
function instant(ms) {
  return new Date(ms).toISOString();
}

function pemBody(pem) {
  return pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
}

let signingKey = null;
function demoKey() {
  signingKey ??= crypto.subtle.importKey(
    'pkcs8',
    Uint8Array.from(atob(pemBody(DEMO_IDP_PRIVATE_KEY_PEM)), (c) => c.charCodeAt(0)),
    { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  return signingKey;
}

/**
 * The signed Response (XML) for `user`, answering `requestId` (or unsolicited when `null`).
 * @param {{ user: object, requestId: string | null, acsUrl: string, spEntityId: string,
 *           idpEntityId: string, certificatePem: string, now: number }} p
 */
export async function signedResponse({ user, requestId, acsUrl, spEntityId, idpEntityId, certificatePem, now }) {
  const assertionId = newId();
  const issued = instant(now);
  const until = instant(now + 60 * 60 * 1000);
  const inResponseTo = requestId === null ? '' : ` InResponseTo="${attr(requestId)}"`;
  const attributes = claims(user)
    .map(([name, value]) => `<Attribute Name="${attr(name)}"><AttributeValue>${text(value)}</AttributeValue></Attribute>`)
    .join('');
  const head = `<Assertion xmlns="${SAML}" ID="${assertionId}" IssueInstant="${issued}" Version="2.0"><Issuer>${text(idpEntityId)}</Issuer>`;
  const rest =
    `<Subject><NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${text(user.upn)}</NameID>` +
    `<SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><SubjectConfirmationData${inResponseTo} NotOnOrAfter="${until}" Recipient="${attr(acsUrl)}"></SubjectConfirmationData></SubjectConfirmation></Subject>` +
    `<Conditions NotBefore="${instant(now - 5 * 60 * 1000)}" NotOnOrAfter="${until}"><AudienceRestriction><Audience>${text(spEntityId)}</Audience></AudienceRestriction></Conditions>` +
    `<AttributeStatement>${attributes}</AttributeStatement>` +
    `<AuthnStatement AuthnInstant="${issued}" SessionIndex="${assertionId}"><AuthnContext><AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password</AuthnContextClassRef></AuthnContext></AuthnStatement></Assertion>`;
  const encoder = new TextEncoder();
  const digest = toBase64(await crypto.subtle.digest('SHA-256', encoder.encode(head + rest)));
  const signedInfoBody =
    `<CanonicalizationMethod Algorithm="${EXC_C14N}"></CanonicalizationMethod>` +
    `<SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"></SignatureMethod>` +
    `<Reference URI="#${assertionId}"><Transforms><Transform Algorithm="${DSIG}enveloped-signature"></Transform><Transform Algorithm="${EXC_C14N}"></Transform></Transforms>` +
    `<DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"></DigestMethod><DigestValue>${digest}</DigestValue></Reference>`;
  // In its canonical form SignedInfo declares the default namespace it uses.
  const canonicalSignedInfo = `<SignedInfo xmlns="${DSIG}">${signedInfoBody}</SignedInfo>`;
  const signatureValue = toBase64(
    await crypto.subtle.sign('RSASSA-PKCS1-v1_5', await demoKey(), encoder.encode(canonicalSignedInfo)),
  );
  const signature =
    `<Signature xmlns="${DSIG}"><SignedInfo>${signedInfoBody}</SignedInfo><SignatureValue>${signatureValue}</SignatureValue>` +
    `<KeyInfo><X509Data><X509Certificate>${pemBody(certificatePem)}</X509Certificate></X509Data></KeyInfo></Signature>`;
  return (
    `<samlp:Response xmlns:samlp="${SAMLP}" ID="${newId()}" Version="2.0" IssueInstant="${issued}" Destination="${attr(acsUrl)}"${inResponseTo}>` +
    `<Issuer xmlns="${SAML}">${text(idpEntityId)}</Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
    `${head}${signature}${rest}</samlp:Response>`
  );
}

/** An NCName-ish request ID (what saml-edge's AuthnRequests carry), or `null`. */
function requestIdOf(xml) {
  const root = /^\s*(?:<\?xml[^>]*\?>\s*)?<(?:[A-Za-z_][\w.-]*:)?AuthnRequest\b[^>]*?\sID="([A-Za-z_][\w.-]{0,255})"/.exec(xml);
  return root ? root[1] : null;
}

/** Inflates a raw-DEFLATE, base64 `SAMLRequest` (HTTP-Redirect binding); `null` when malformed. */
async function inflateRequest(samlRequest) {
  try {
    const bytes = Uint8Array.from(atob(samlRequest), (c) => c.charCodeAt(0));
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
    const xml = await new Response(stream).text();
    return xml.length <= 64 * 1024 ? xml : null;
  } catch {
    return null;
  }
}

function html(body, status = 200, headers = {}) {
  return new Response(body, { status, headers: pageHeaders(headers) });
}

/** The user list for a pending request (`GET /demo-idp/?SAMLRequest=…`). */
async function userList(url) {
  const samlRequest = url.searchParams.get('SAMLRequest');
  const requestId = samlRequest === null ? null : requestIdOf((await inflateRequest(samlRequest)) ?? '');
  if (samlRequest !== null && requestId === null) {
    return html(page('Demo IdP', '<h1>Demo IdP</h1><p>The SAMLRequest could not be read.</p>'), 400);
  }
  const intro =
    requestId === null
      ? '<p>No sign-in is pending: <a href="/login/">start one at /login/</a>.</p>'
      : '<p>Pick a test user to sign in as:</p>';
  const buttons =
    requestId === null
      ? ''
      : DEMO_USERS.map(
          (u) => `<form method="post" action="${DEMO_IDP_PATH}"><input type="hidden" name="request" value="${escapeHtml(requestId)}">` +
            `<input type="hidden" name="user" value="${escapeHtml(u.id)}"><button type="submit">Sign in as ${escapeHtml(`${u.given} ${u.surname}`)} (${escapeHtml(u.upn)})</button></form>`,
        ).join('\n');
  return html(
    page(
      'saml-edge demo IdP',
      `<h1>saml-edge demo IdP</h1>
<p><strong>For local demos only.</strong> This stand-in for Microsoft Entra ID signs with a publicly known key; the Worker serves it only while no IdP is configured, on localhost.</p>
${intro}
${buttons}`,
    ),
  );
}

/** Signs in the chosen user (`POST /demo-idp/`) and auto-posts the response to the ACS. */
async function signIn(request, config) {
  const body = await boundedText(request, 64 * 1024);
  if (body === null) return html(page('Demo IdP', '<h1>Demo IdP</h1><p>The form is too large.</p>'), 413);
  const form = new URLSearchParams(body);
  const user = DEMO_USERS.find((u) => u.id === form.get('user'));
  const requestId = form.get('request');
  if (!user || requestId === null || !/^[A-Za-z_][\w.-]{0,255}$/.test(requestId)) {
    return html(page('Demo IdP', '<h1>Demo IdP</h1><p>Unknown user or request.</p>'), 400);
  }
  const xml = await signedResponse({
    user,
    requestId,
    acsUrl: config.acsUrl,
    spEntityId: config.spEntityId,
    idpEntityId: config.idpEntityId,
    certificatePem: config.demoCertificatePem,
    now: Date.now(),
  });
  const nonce = crypto.randomUUID();
  const responseB64 = toBase64(new TextEncoder().encode(xml));
  return html(autoPostPage('Signing in…', config.acsUrl, { SAMLResponse: responseB64 }, nonce), 200, {
    'Content-Security-Policy': `default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-${nonce}'; form-action ${new URL(config.acsUrl).origin}; frame-ancestors 'none'; base-uri 'none'`,
  });
}

/** Serves `/demo-idp/` (GET: user list, POST: sign in). The route's guard admits demo mode only. */
export async function demoIdp(c) {
  if (c.url.pathname !== DEMO_IDP_PATH) return new Response('Not found', { status: 404 });
  if (c.request.method === 'POST') return signIn(c.request, c.config);
  return userList(c.url);
}
