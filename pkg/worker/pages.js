// The Worker's own HTML pages and their headers. Pages show an error code and a fixed hint for
// the administrator, never anything taken from the request (the SAML response, RelayState,
// query strings): the detail goes to the log.

/** Headers of every page the Worker writes itself. */
export function pageHeaders(extra = {}) {
  return {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    ...extra,
  };
}

/** Escapes text for HTML content and quoted attribute values. */
export function escapeHtml(value) {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A complete page; `body` is trusted HTML. */
export function page(title, body) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1b1b1b}
code{background:#f2f2f2;padding:.1rem .3rem;border-radius:3px}.hint{color:#444}button,.button{font:inherit;padding:.4rem .9rem;cursor:pointer}</style>
</head><body>
${body}
</body></html>
`;
}

/** Hints for the administrator by error code (or code prefix), shown on the error page. */
const HINTS = [
  ['request_cookie_missing', 'No sign-in was started in this browser (or its cookie was blocked). Start at /login/; in Entra ID, set the app\'s "Sign on URL" to https://<worker>/login/. IdP-initiated sign-in needs ALLOW_UNSOLICITED=true.'],
  ['request_cookie_invalid', 'The sign-in cookie was altered or signed with another SESSION_SECRET. Start again at /login/.'],
  ['request_cookie_expired', 'The sign-in took longer than 10 minutes. Start again at /login/.'],
  ['request_already_used', 'This sign-in was already completed (the form was posted twice, or the Back button was used). Start again at /login/.'],
  ['assertion_replayed', 'This SAML assertion was already used. Start again at /login/.'],
  ['session_expired', 'The IdP ended the session (SessionNotOnOrAfter) before it started. Check the clocks and the IdP\'s session settings.'],
  ['method_not_allowed', 'The ACS accepts only HTTP POST (the SAML HTTP-POST binding).'],
  ['invalid_form', 'The ACS expects a form post (application/x-www-form-urlencoded) with SAMLResponse.'],
  ['limit_exceeded', 'The response is larger than the verifier accepts. Reduce the claims sent (Entra ID: Attributes & Claims; send groups assigned to the application only).'],
  ['signature_sha1_not_allowed', 'The IdP signs with SHA-1. Entra ID: SAML Certificates → Signing Algorithm → SHA-256.'],
  ['signature_', 'The response is not signed by a trusted certificate. Download Entra ID\'s "Certificate (Base64)" again into IDP_CERT (keep the old one, comma-separated, during a rollover).'],
  ['digest_mismatch', 'The signed content was altered after signing.'],
  ['key_too_small', 'The IdP\'s key is shorter than 2048 bits.'],
  ['issuer_mismatch', 'The response comes from another IdP. IDP_ENTITY_ID must be Entra ID\'s "Microsoft Entra Identifier" (https://sts.windows.net/<tenant-id>/).'],
  ['destination_mismatch', 'The response was sent to another address. Entra ID\'s "Reply URL" must equal ACS_URL (default https://<worker>/saml/acs) exactly.'],
  ['recipient_mismatch', 'The assertion was issued for another address. Entra ID\'s "Reply URL" must equal ACS_URL exactly.'],
  ['audience_mismatch', 'The assertion was issued for another application. Entra ID\'s "Identifier (Entity ID)" must equal SP_ENTITY_ID exactly.'],
  ['in_response_to_mismatch', 'The response answers another sign-in. Start again at /login/ (one sign-in at a time per browser).'],
  ['unsolicited_response', 'The IdP started this sign-in (IdP-initiated). Start at /login/, or set ALLOW_UNSOLICITED=true.'],
  ['assertion_expired', 'The assertion is too old. Check that the IdP\'s and the Worker\'s clocks agree (CLOCK_SKEW_SECONDS).'],
  ['assertion_not_yet_valid', 'The assertion is not valid yet. Check that the IdP\'s and the Worker\'s clocks agree (CLOCK_SKEW_SECONDS).'],
  ['status_not_success', 'The IdP refused the sign-in (for Entra ID, the Worker log has the AADSTS code). Is the user assigned to the application?'],
  ['encrypted_assertion_unsupported', 'Turn off SAML token encryption for this application at the IdP.'],
  ['config_', 'The Worker is misconfigured; the Worker log has the detail.'],
  ['', 'The SAML response was refused. The Worker log has the detail; see the README\'s troubleshooting table for this code.'],
];

/** The administrator hint for `code`. */
export function hintFor(code) {
  return HINTS.find(([prefix]) => code.startsWith(prefix))[1];
}

/** The page for a refused sign-in. Shows `code` (a fixed identifier) and its hint only. */
export function signInErrorPage(code) {
  return page(
    'Sign-in failed',
    `<h1>Sign-in failed</h1>
<p>The sign-in could not be completed. Error code: <code>${escapeHtml(code)}</code></p>
<p class="hint">For the administrator: ${escapeHtml(hintFor(code))}</p>
<p><a class="button" href="/login/">Try again</a></p>`,
  );
}

/** The page for a misconfigured Worker: names the variable, nothing of its value. */
export function configErrorPage(problem) {
  return page(
    'saml-edge is not configured',
    `<h1>saml-edge is not configured</h1>
<p>Check the Worker variable <code>${escapeHtml(problem.variable)}</code>: ${escapeHtml(problem.hint)}.</p>
<p class="hint">Set vars in wrangler.toml and secrets with <code>wrangler secret put</code>; the README lists every variable.</p>`,
  );
}

/** The page after sign-out. */
export function signedOutPage() {
  return page(
    'Signed out',
    `<h1>Signed out</h1>
<p>You have been signed out of this application (not of your identity provider).</p>
<p><a class="button" href="/login/">Sign in again</a></p>`,
  );
}

/** A page that posts `fields` to `action` at once (HTTP-POST binding); `nonce` for its script. */
export function autoPostPage(title, action, fields, nonce) {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n');
  return page(
    title,
    `<form method="post" action="${escapeHtml(action)}">
${inputs}
<noscript><p>JavaScript is off: press the button to continue.</p></noscript>
<button type="submit">Continue</button>
</form>
<script nonce="${escapeHtml(nonce)}">document.forms[0].submit()</script>`,
  );
}
