// One table for every refusal the Worker answers: error code (or code prefix) -> HTTP status and
// the hint shown to the administrator on the error page. The verifier's codes (Rust, stable)
// and the Worker's own codes share it. The first matching row wins, so longer prefixes come
// first; the last row ('') matches everything.

/** 400: the input cannot be read; 401: no (valid) session; 403: refused; 405, 413: HTTP rules. */
const CODES = [
  ['request_cookie_missing', 403, 'No sign-in was started in this browser (or its cookie was blocked). Start at /login/; in Entra ID, set the app\'s "Sign on URL" to https://<worker>/login/. IdP-initiated sign-in needs ALLOW_UNSOLICITED=true.'],
  ['request_cookie_invalid', 403, 'The sign-in cookie was altered or signed with another SESSION_SECRET. Start again at /login/.'],
  ['request_cookie_expired', 403, 'The sign-in took longer than 10 minutes. Start again at /login/.'],
  ['cookie_duplicated', 400, 'The browser sent one of saml-edge\'s cookies twice (a cookie planted by another site on the same domain). Clear this site\'s cookies and start again at /login/.'],
  ['request_already_used', 403, 'This sign-in was already completed (the form was posted twice, or the Back button was used). Start again at /login/.'],
  ['assertion_replayed', 403, 'This SAML assertion was already used. Start again at /login/.'],
  ['session_expired', 403, 'The IdP ended the session (SessionNotOnOrAfter) before it started. Check the clocks and the IdP\'s session settings.'],
  ['logout_replayed', 403, 'This LogoutRequest was already processed (a replayed sign-out link). Nothing was changed.'],
  ['logout_request_unknown', 403, 'The IdP answered a sign-out that this browser did not start (or its cookie expired after 10 minutes). You are signed out here.'],
  ['slo_binding_unsupported', 400, 'saml-edge takes SAML logout messages by HTTP-Redirect (GET, as Entra ID sends them) or HTTP-POST as a form (application/x-www-form-urlencoded).'],
  ['slo_unavailable', 404, 'Single logout is not available with the embedded demo IdP: configure an IdP (IDP_METADATA_XML, or IDP_ENTITY_ID with IDP_SLO_URL).'],
  ['not_a_logout_message', 400, 'The SLO URL received something other than a SAML LogoutRequest or LogoutResponse.'],
  ['message_expired', 403, 'The logout message is older than the clock skew plus 5 minutes (stale or replayed), or past its NotOnOrAfter. Check the clocks (CLOCK_SKEW_SECONDS).'],
  ['message_not_yet_valid', 403, 'The logout message is dated in the future. Check that the IdP\'s and the Worker\'s clocks agree (CLOCK_SKEW_SECONDS).'],
  ['query_signature_', 403, 'The logout message is not signed by a trusted certificate (HTTP-Redirect query signature). Download Entra ID\'s "Certificate (Base64)" again into IDP_CERT.'],
  ['method_not_allowed', 405, 'This address does not accept this HTTP method (the ACS accepts only POST: the SAML HTTP-POST binding).'],
  ['invalid_form', 400, 'The ACS expects a form post (application/x-www-form-urlencoded) with one SAMLResponse; /saml/slo one SAMLRequest or SAMLResponse.'],
  ['invalid_', 400, 'The SAML message could not be decoded. Post the SAMLResponse form field unchanged.'],
  ['empty_input', 400, 'The form has no SAMLResponse. Post the IdP\'s SAMLResponse form field unchanged.'],
  ['limit_exceeded', 400, 'The response is larger than the verifier accepts. Reduce the claims sent (Entra ID: Attributes & Claims; send groups assigned to the application only).'],
  ['xml_', 400, 'The SAML message is not well-formed XML (or uses a DOCTYPE, which is refused).'],
  ['not_a_response', 400, 'The SAMLResponse field holds something other than a SAML Response.'],
  ['saml_malformed', 400, 'The SAML Response does not follow the SAML 2.0 schema.'],
  ['saml_unsupported_version', 400, 'Only SAML 2.0 is supported.'],
  ['signature_sha1_not_allowed', 403, 'The IdP signs with SHA-1. Entra ID: SAML Certificates → Signing Algorithm → SHA-256.'],
  ['signature_', 403, 'The response is not signed by a trusted certificate. Download Entra ID\'s "Certificate (Base64)" again into IDP_CERT (keep the old one, comma-separated, during a rollover).'],
  ['digest_mismatch', 403, 'The signed content was altered after signing.'],
  ['key_too_small', 403, 'The IdP\'s key is shorter than 2048 bits.'],
  ['issuer_mismatch', 403, 'The response comes from another IdP. IDP_ENTITY_ID must be Entra ID\'s "Microsoft Entra Identifier" (https://sts.windows.net/<tenant-id>/).'],
  ['destination_mismatch', 403, 'The message was sent to another address. Entra ID\'s "Reply URL" must equal ACS_URL (default https://<worker>/saml/acs) exactly, and its "Logout URL" https://<worker>/saml/slo.'],
  ['recipient_mismatch', 403, 'The assertion was issued for another address. Entra ID\'s "Reply URL" must equal ACS_URL exactly.'],
  ['audience_mismatch', 403, 'The assertion was issued for another application. Entra ID\'s "Identifier (Entity ID)" must equal SP_ENTITY_ID exactly.'],
  ['in_response_to_mismatch', 403, 'The response answers another sign-in. Start again at /login/ (one sign-in at a time per browser).'],
  ['unsolicited_response', 403, 'The IdP started this sign-in (IdP-initiated). Start at /login/, or set ALLOW_UNSOLICITED=true.'],
  ['assertion_expired', 403, 'The assertion is too old. Check that the IdP\'s and the Worker\'s clocks agree (CLOCK_SKEW_SECONDS).'],
  ['assertion_not_yet_valid', 403, 'The assertion is not valid yet. Check that the IdP\'s and the Worker\'s clocks agree (CLOCK_SKEW_SECONDS).'],
  ['status_not_success', 403, 'The IdP refused the sign-in (for Entra ID, the Worker log has the AADSTS code). Is the user assigned to the application?'],
  ['encrypted_assertion_unsupported', 403, 'The IdP encrypts the assertion (Entra ID: Token encryption) and no SP_DECRYPTION_KEY is set. Set it (README, Token encryption), or turn Token encryption off.'],
  ['decryption_failed', 403, 'The encrypted assertion could not be decrypted with SP_DECRYPTION_KEY (or _PREVIOUS): Entra ID\'s active Token encryption certificate must be the one of that key.'],
  ['encrypted_response_unsigned', 403, 'DECRYPT_ONLY_SIGNED_RESPONSES is on, but the Response is not signed. Entra ID: SAML Certificates → Signing Option → Sign SAML response and assertion.'],
  ['access_groups_overage', 403, 'The user is in more groups than a SAML token carries (Entra ID sent the groups-overage claim instead of the groups), so ALLOW_GROUPS cannot be checked. Entra ID: Enterprise application → Single sign-on → Attributes & Claims → the groups claim → "Groups assigned to the application", and assign the allowed groups to the application.'],
  ['access_denied', 403, 'The IdP signed this user in, but no ALLOW_EMAILS, ALLOW_EMAIL_DOMAINS or ALLOW_GROUPS rule admits them. Add the user, their e-mail domain or one of their groups (object ID) to the rules, or ask for access.'],
  ['user_not_provisioned', 403, 'Only users provisioned to this application may sign in (ACCESS_REQUIRES_PROVISIONING=true), and no SCIM user has this NameID or e-mail as userName or work e-mail. In Entra ID: assign the user to the application and "Provision on demand", or wait for the next provisioning cycle.'],
  ['user_deactivated', 403, 'The user is provisioned but deactivated (SCIM active=false: unassigned, disabled or soft-deleted in Entra ID). Assign or enable the user in Entra ID, then "Provision on demand".'],
  ['upstream_refused', 400, 'The request names a target outside ORIGIN; nothing was fetched.'],
  ['config_', 500, 'The Worker is misconfigured; the Worker log has the detail.'],
  ['internal_error', 500, 'The Worker failed unexpectedly; the Worker log has the detail.'],
  ['', 403, 'The SAML response was refused. The Worker log has the detail; see the README\'s troubleshooting table for this code.'],
];

function rowOf(code) {
  return CODES.find(([prefix]) => code.startsWith(prefix));
}

/** The HTTP status a refusal with `code` answers with. */
export function statusOf(code) {
  return rowOf(code)[1];
}

/** The administrator hint for `code` (fixed text, safe to show). */
export function hintFor(code) {
  return rowOf(code)[2];
}
