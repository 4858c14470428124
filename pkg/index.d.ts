// Type declarations for saml-edge, written by hand to match the runtime exactly (every entry
// point: node.js, workerd.js, browser.js has the same exports). tests/js/ checks them.

/**
 * The stable code of a {@link SamlError}: the same strings as the Rust API (`Error::code`) and
 * the CLI's `{"error":{"code":…}}`. Show end users the code at most, never the message.
 */
export type SamlErrorCode =
  // transport
  | 'invalid_base64'
  | 'empty_input'
  | 'invalid_deflate'
  | 'invalid_form'
  | 'limit_exceeded'
  // XML
  | 'xml_malformed'
  | 'xml_not_utf8'
  | 'xml_unsupported_version'
  | 'xml_doctype_forbidden'
  | 'xml_undefined_entity'
  | 'xml_invalid_character'
  | 'xml_undeclared_prefix'
  | 'xml_invalid_namespace'
  | 'xml_duplicate_attribute'
  | 'xml_no_root'
  | 'xml_content_outside_root'
  | 'xml_duplicate_id'
  // SAML structure
  | 'not_a_response'
  | 'status_not_success'
  | 'saml_malformed'
  | 'saml_unsupported_version'
  | 'assertion_missing'
  | 'unexpected_assertion'
  | 'encrypted_assertion_unsupported'
  // encrypted assertions (decryptionKeys)
  | 'decryption_failed'
  | 'encrypted_assertion_malformed'
  | 'encryption_algorithm_unsupported'
  | 'encryption_rsa_1_5_refused'
  | 'encrypted_response_unsigned'
  // signatures
  | 'signature_missing'
  | 'signature_misplaced'
  | 'signature_malformed'
  | 'signature_reference_mismatch'
  | 'signature_algorithm_unsupported'
  | 'signature_sha1_not_allowed'
  | 'signature_transform_unsupported'
  | 'signature_invalid'
  | 'digest_mismatch'
  | 'key_too_small'
  | 'query_signature_missing'
  | 'query_signature_malformed'
  | 'metadata_signature_missing'
  // what the assertion says
  | 'issuer_mismatch'
  | 'destination_mismatch'
  | 'recipient_mismatch'
  | 'subject_confirmation_invalid'
  | 'in_response_to_mismatch'
  | 'unsolicited_response'
  | 'assertion_not_yet_valid'
  | 'assertion_expired'
  | 'audience_mismatch'
  | 'invalid_time'
  // logout messages
  | 'not_a_logout_message'
  | 'message_not_yet_valid'
  | 'message_expired'
  // configuration (constructor and options)
  | 'config_invalid_certificate'
  | 'config_key_too_small'
  | 'config_missing'
  | 'config_invalid'
  // JS layer only: the WebAssembly instance trapped (a bug); it has been re-initialised.
  | 'internal_error';

/**
 * Why a response, a request or a configuration was refused. A real `Error` subclass.
 *
 * `message` is written for the administrator (what was expected, what came, what to change) and
 * may quote the hostile document: log it, never put it into a page.
 */
export class SamlError extends Error {
  constructor(code: SamlErrorCode, message: string, options?: { cause?: unknown });
  /** Always `'SamlError'`. */
  name: string;
  /** The stable code. */
  code: SamlErrorCode;
}

/** The identity provider, described by its metadata (Entra ID: "App Federation Metadata Url"). */
export interface IdpFromMetadata {
  /** The metadata XML (a UTF-8 BOM is fine). */
  metadataXml: string | Uint8Array;
  /** Picks one entity of an `EntitiesDescriptor` (required when it holds several IdPs). */
  entityId?: string;
  /** Further certificates to trust besides the metadata's signing certificates. */
  certificates?: Array<string | Uint8Array>;
  /** The IdP's single logout URL, replacing the metadata's SingleLogoutService. */
  sloUrl?: string;
}

/** The identity provider, described field by field (Entra ID's "Set up" section). */
export interface IdpFromSettings {
  /** The IdP entity ID, the expected Issuer (Entra ID: "Microsoft Entra Identifier", `https://sts.windows.net/<tenant id>/`). */
  entityId: string;
  /** The single sign-on URL (Entra ID: "Login URL"). Needed by `loginRedirect` and `loginPostForm`. */
  ssoUrl?: string;
  /** The single logout URL (Entra ID: "Logout URL", `https://login.microsoftonline.com/<tenant id>/saml2`). Needed by `logoutRequestUrl` and `logoutResponseUrl`. Logout messages signed as Entra's `https://login.microsoftonline.com/<tenant>/` are accepted for the entity ID `https://sts.windows.net/<tenant>/`. */
  sloUrl?: string;
  /**
   * The trusted signing certificates, at least one: PEM (one or more blocks), the bare base64 of
   * Entra ID's "Certificate (Base64)" download, or DER bytes. Several for certificate rollover.
   * RSA keys of 2048 bits or more.
   */
  certificates: Array<string | Uint8Array>;
}

/** The configuration of a {@link ServiceProvider}. Unknown properties are refused (`config_invalid`). */
export interface ServiceProviderConfig {
  /** This SP's entity ID: Entra ID's "Identifier (Entity ID)" and the expected Audience. */
  entityId: string;
  /** This SP's Assertion Consumer Service URL: Entra ID's "Reply URL", compared exactly with Destination and Recipient. */
  acsUrl: string;
  /** This SP's single logout URL (Entra ID: "Logout Url"), published in the metadata. */
  sloUrl?: string;
  /** The trusted identity provider. */
  idp: IdpFromMetadata | IdpFromSettings;
  /** Tolerated clock difference with the IdP, in whole seconds (default 180, at most 3600). */
  clockSkewSeconds?: number;
  /** Accept IdP-initiated responses (without InResponseTo). Default `false`. */
  allowUnsolicited?: boolean;
  /** Accept RSA-SHA1 signatures and SHA-1 digests. Default `false`; prefer SHA-256 at the IdP. */
  allowSha1?: boolean;
  /** Further accepted Audience values (e.g. Entra's `spn:<application id>`). */
  extraAudiences?: string[];
  /**
   * Private keys that decrypt `EncryptedAssertion`s (Entra ID "Token encryption"): unencrypted
   * PEM, PKCS#8 (`PRIVATE KEY`) or PKCS#1 (`RSA PRIVATE KEY`), RSA of 2048 bits or more. Several
   * during a key rollover; they are tried in order, whatever the response's KeyInfo says.
   * Without any, an encrypted assertion is refused with `encrypted_assertion_unsupported`.
   */
  decryptionKeys?: string[];
  /**
   * Decrypt only assertions of Responses whose own signature verified first (it covers the
   * ciphertext); others are refused with `encrypted_response_unsigned` before any key is used.
   * Default `false` (Entra ID's default signs only the assertion). Turn it on together with
   * Entra's Signing Option "Sign SAML response and assertion": it closes the CBC padding and
   * parser oracles of unauthenticated ciphertexts (see SECURITY.md).
   */
  decryptOnlySignedResponses?: boolean;
  /**
   * The certificates of the `decryptionKeys` to publish in `metadata()` as
   * `KeyDescriptor use="encryption"` (PEM, bare base64 or DER). Each must belong to one of the
   * keys (`config_invalid` otherwise).
   */
  encryptionCertificates?: Array<string | Uint8Array>;
}

/** What the caller knows about the response being verified. */
export interface VerifyOptions {
  /**
   * The ID of the AuthnRequest this browser started (from `loginRedirect`/`loginPostForm`,
   * kept in a signed cookie). Omit or `null` when none is pending: the response must then be
   * unsolicited and `allowUnsolicited` set.
   */
  requestId?: string | null;
  /** The verification time: a `Date` or milliseconds since 1970. Default: `Date.now()`. */
  now?: Date | number;
  /**
   * Decryption keys (PEM) for this call only, instead of the configured `decryptionKeys`
   * (parsed on every call: prefer the configuration).
   */
  decryptionKeys?: string[];
}

/** Who signed in, as asserted by the IdP and verified. Dates are ISO-8601 UTC strings. */
export interface Identity {
  /** The `NameID` value exactly as signed (Entra's default: the user principal name). */
  nameId: string;
  /** The `NameID` `Format`, or `null`. */
  nameIdFormat: string | null;
  /** The `NameID` `NameQualifier` (send it back in a LogoutRequest), or `null`. */
  nameQualifier: string | null;
  /** The `NameID` `SPNameQualifier` (send it back in a LogoutRequest), or `null`. */
  spNameQualifier: string | null;
  /** The `AuthnStatement` `SessionIndex` (needed for single logout), or `null`. */
  sessionIndex: string | null;
  /** The Assertion's Issuer (the IdP entity ID). */
  issuer: string;
  /** The Assertion's ID: keep it in a replay cache until `notOnOrAfter` plus the clock skew. */
  assertionId: string;
  /** The request this answers, or `null` for an IdP-initiated response. */
  inResponseTo: string | null;
  /** Every attribute by `Name`, values in document order (Entra: claim URIs or bare names). */
  attributes: { [name: string]: string[] };
  /** Until when this assertion may be accepted (the earliest NotOnOrAfter). */
  notOnOrAfter: string;
  /** End the SP session no later than this (`SessionNotOnOrAfter`), or `null`. */
  sessionNotOnOrAfter: string | null;
  /** When the user authenticated at the IdP, or `null`. */
  authnInstant: string | null;
  /** How the user authenticated (e.g. `urn:oasis:names:tc:SAML:2.0:ac:classes:Password`), or `null`. */
  authnContextClassRef: string | null;
}

/** The outcome of one check of {@link ServiceProvider.inspect}. */
export type CheckOutcome = 'passed' | 'failed' | 'not_applicable' | 'skipped';

/** One named check and its outcome. */
export interface InspectCheck {
  /**
   * A stable snake_case name, in this order: `transport`, `xml`, `response_shape`,
   * `response_signature`, `assertion_signature`, `response_fields`, `assertion`.
   */
  name: string;
  /** What the check verifies. */
  description: string;
  /** What happened (`skipped`: not run because an earlier check failed). */
  outcome: CheckOutcome;
  /** The error code when `failed`, else `null`. */
  code: SamlErrorCode | null;
  /** The administrator-facing message when `failed`, else `null`. */
  message: string | null;
}

/** Every check of one verification and its result. */
export interface InspectReport {
  /** The decoded XML, when decoding succeeded. */
  xml: string | null;
  /** The checks in the order they ran. */
  checks: InspectCheck[];
  /** The identity when every check passed, else `null`. */
  identity: Identity | null;
  /** The first failure, or `null` when every check passed. */
  error: { code: SamlErrorCode; message: string } | null;
}

/** Per-request choices of an AuthnRequest. The defaults are what Entra ID wants. Unknown properties are refused. */
export interface LoginOptions {
  /** Opaque state the IdP returns with the response (e.g. the path to go back to), at most 2048 bytes. */
  relayState?: string;
  /** `ForceAuthn`: the user must authenticate again. */
  forceAuthn?: boolean;
  /** `IsPassive`: the IdP must not interact with the user. */
  isPassive?: boolean;
  /** A user name to pre-fill at the IdP (sent as the `login_hint` query parameter). */
  loginHint?: string;
  /** A `NameIDPolicy` Format URI (Entra accepts persistent, emailAddress, unspecified, transient). */
  nameIdFormat?: string;
  /** The IssueInstant: a `Date` or milliseconds since 1970. Default: `Date.now()`. */
  now?: Date | number;
}

/** Options of {@link ServiceProvider.loginPostForm}. */
export interface LoginPostFormOptions extends LoginOptions {
  /** Adds `nonce="…"` to the page's script, for a `Content-Security-Policy: script-src 'nonce-…'`. */
  cspNonce?: string;
}

/** An AuthnRequest for the HTTP-Redirect binding. */
export interface LoginRedirect {
  /** Redirect the browser here (`302`, `Cache-Control: no-store`). */
  url: string;
  /** The request's ID: bind it to the browser (signed cookie) and pass it to `verifyPostResponse`. */
  requestId: string;
}

/** An AuthnRequest for the HTTP-POST binding. */
export interface LoginPostForm {
  /** A complete HTML page that posts the request to the IdP (serve it with `Cache-Control: no-store`). */
  html: string;
  /** The request's ID: bind it to the browser and pass it to `verifyPostResponse`. */
  requestId: string;
}

/**
 * Whose session a LogoutRequest ends: the NameID exactly as the assertion carried it (the
 * {@link Identity} fields of the same names; `null` counts as absent). Unknown properties are refused.
 */
export interface LogoutRequestOptions {
  nameId: string;
  nameIdFormat?: string | null;
  nameQualifier?: string | null;
  spNameQualifier?: string | null;
  /** The `SessionIndex` of the sign-in. */
  sessionIndex?: string | null;
  /** Returned with the LogoutResponse (e.g. a signed reference to the return path). */
  relayState?: string | null;
  /** The IssueInstant: a `Date` or milliseconds since 1970. Default: `Date.now()`. */
  now?: Date | number;
}

/** The answer to an IdP's LogoutRequest. */
export interface LogoutResponseOptions {
  /** The `id` of the verified LogoutRequest. */
  inResponseTo: string;
  /** The top-level status code URI. Default: `urn:oasis:names:tc:SAML:2.0:status:Success`. */
  status?: string;
  /** The request's RelayState, returned unchanged. */
  relayState?: string | null;
  /** The IssueInstant. Default: `Date.now()`. */
  now?: Date | number;
}

/** Options of {@link ServiceProvider.verifyLogoutRequest} and {@link ServiceProvider.verifyLogoutResponse}. */
export interface VerifyLogoutOptions {
  /** The ID of the LogoutRequest this browser sent (`logoutRequestUrl`); required for a LogoutResponse. */
  requestId?: string;
  /** The verification time. Default: `Date.now()`. */
  now?: Date | number;
}

/**
 * A logout message sent by HTTP-POST: the form's values. The message must carry an enveloped
 * XML signature (of its root, after the Issuer); a query string is passed as a string instead.
 */
export interface LogoutPostForm {
  /** The base64 LogoutRequest. */
  SAMLRequest?: string;
  /** The base64 LogoutResponse. */
  SAMLResponse?: string;
  /** The RelayState form value, if any. */
  RelayState?: string | null;
}

/** A LogoutRequest from the IdP whose signature and fields verified. Dates are ISO-8601 UTC strings. */
export interface VerifiedLogoutRequest {
  /** Answer with it as `inResponseTo`; refuse it again until `replayUntil`. */
  id: string;
  issuer: string;
  nameId: string;
  nameIdFormat: string | null;
  nameQualifier: string | null;
  spNameQualifier: string | null;
  /** The sessions to end; empty: every session of the NameID. */
  sessionIndexes: string[];
  issueInstant: string;
  notOnOrAfter: string | null;
  /** Keep `id` in a replay cache until then. */
  replayUntil: string;
  reason: string | null;
  /** Return it unchanged with the LogoutResponse. */
  relayState: string | null;
}

/** The IdP's LogoutResponse (Status Success) whose signature and fields verified. */
export interface VerifiedLogoutResponse {
  id: string;
  issuer: string;
  inResponseTo: string;
  issueInstant: string;
  relayState: string | null;
}

/** A logout message for the HTTP-Redirect binding. */
export interface LogoutRedirect {
  /** Redirect the browser here (`302`, `Cache-Control: no-store`). */
  url: string;
  /** The message's ID (for a LogoutRequest: pass it to `verifyLogoutResponse`). */
  requestId: string;
}

/**
 * A configured SAML 2.0 service provider. Build it once (at start-up) and reuse it.
 *
 * Every method throws a {@link SamlError} on failure.
 */
export class ServiceProvider {
  /** Checks the configuration (certificates, URLs) and builds the service provider. */
  constructor(config: ServiceProviderConfig);
  /**
   * Verifies the HTTP-POST binding's `SAMLResponse` form value (base64, line breaks allowed) and
   * returns who signed in. `undefined`/`null` (a missing form field) throw `empty_input`. The
   * value's UTF-8 bytes (a `Uint8Array`, such as a Node `Buffer`) are accepted too.
   */
  verifyPostResponse(samlResponse: string | Uint8Array | null | undefined, options?: VerifyOptions): Identity;
  /**
   * `verifyPostResponse` with the RSA-OAEP unwrap of an encrypted assertion done by WebCrypto
   * (`crypto.subtle`) instead of the WebAssembly module: faster (the module's blinded unwrap
   * takes about 15 ms) and outside the module's memory. Every other check runs in the module,
   * with the same results and codes. An EncryptedKey whose OAEP and MGF1 hashes differ, or a
   * runtime without `crypto.subtle`, uses the module's unwrap. Responses without an encrypted
   * assertion are verified exactly as by `verifyPostResponse`.
   */
  verifyPostResponseAsync(samlResponse: string | Uint8Array | null | undefined, options?: VerifyOptions): Promise<Identity>;
  /**
   * Runs exactly the checks of `verifyPostResponse` (on the base64 value, or on raw XML when the
   * input starts with `<`) and reports each one. Throws only for invalid options.
   */
  inspect(samlResponse: string | Uint8Array | null | undefined, options?: VerifyOptions): InspectReport;
  /** A new AuthnRequest for the HTTP-Redirect binding, its ID from `crypto.getRandomValues`. Needs `idp.ssoUrl` (or metadata). */
  loginRedirect(options?: LoginOptions): LoginRedirect;
  /** A new AuthnRequest for the HTTP-POST binding, its ID from `crypto.getRandomValues`. Needs `idp.ssoUrl` (or metadata). */
  loginPostForm(options?: LoginPostFormOptions): LoginPostForm;
  /*
   * Single Logout (HTTP-Redirect, the binding Entra uses). Incoming messages are inflated by the
   * platform's `DecompressionStream` (hence the two `verifyLogout…` methods are async).
   */
  /** A LogoutRequest to the IdP's SLO URL (HTTP-Redirect, unsigned: the npm build does not sign). Needs `idp.sloUrl` (or metadata). */
  logoutRequestUrl(options: LogoutRequestOptions): LogoutRedirect;
  /** A LogoutResponse to the IdP's SLO URL answering a verified LogoutRequest (HTTP-Redirect). */
  logoutResponseUrl(options: LogoutResponseOptions): LogoutRedirect;
  /**
   * Verifies an IdP's LogoutRequest arriving at `sloUrl`: the raw query string exactly as
   * received (HTTP-Redirect, signed over its octets: never decode and re-encode it). Throws
   * `query_signature_missing`, `signature_invalid`, `issuer_mismatch`, `destination_mismatch`,
   * `message_expired`, `message_not_yet_valid`, `not_a_logout_message`, … Replay is the caller's
   * to refuse (`id` until `replayUntil`). Also `invalid_deflate` and `limit_exceeded`
   * (`max_inflated_bytes`) for the DEFLATEd message.
   */
  verifyLogoutRequest(query: string | LogoutPostForm, options?: VerifyLogoutOptions): Promise<VerifiedLogoutRequest>;
  /** Verifies the IdP's LogoutResponse to `options.requestId` (also `in_response_to_mismatch`, `status_not_success`). */
  verifyLogoutResponse(query: string | LogoutPostForm, options: VerifyLogoutOptions & { requestId: string }): Promise<VerifiedLogoutResponse>;
  /** The SP metadata XML to upload to the IdP. */
  metadata(): string;
  /** The configured IdP's entity ID (from `idp.entityId` or the IdP metadata). */
  readonly idpEntityId: string;
  /** The IdP's SingleLogoutService URL (HTTP-Redirect) from its metadata, if any. */
  readonly idpSloUrl: string | undefined;
  /** Releases the WebAssembly memory now rather than at garbage collection; the object stays usable. */
  free(): void;
}

/** What {@link init} loads the WebAssembly module from. */
export type InitInput =
  | URL
  | string
  | Request
  | Response
  | ArrayBuffer
  | ArrayBufferView
  | WebAssembly.Module;

/**
 * Loads the WebAssembly module. Required once before use with the browser entry point (default:
 * `saml_edge_bg.wasm` next to the module, fetched); resolves at once in Node and Workers, which
 * load it at import. Later calls resolve at once.
 */
export function init(input?: InitInput | Promise<InitInput>): Promise<void>;

/** Instantiates the module synchronously from a compiled module or its bytes (once). */
export function initSync(module: WebAssembly.Module | ArrayBuffer | ArrayBufferView): void;
