// The Worker's own HTML pages and their headers. Pages show an error code and a fixed hint for
// the administrator, never anything taken from the request (the SAML response, RelayState,
// query strings): the detail goes to the log.

import { hintFor } from './codes.js';

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

/** The page for a refused sign-in. Shows `code` (a fixed identifier) and its hint only. */
export function signInErrorPage(code) {
  return page(
    'Sign-in failed',
    `<h1>Sign-in failed</h1>
<p>The request could not be completed. Error code: <code>${escapeHtml(code)}</code></p>
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
