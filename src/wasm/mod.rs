//! The WebAssembly exports behind the npm package `saml-edge` (`pkg/`), compiled only for
//! `wasm32`.
//!
//! This layer converts between JavaScript values and the core's types and nothing more: every
//! decision is made by [`crate::ServiceProvider`]. The time comes from the caller (`now`) or
//! `Date.now()`; the core never reads a clock. Failures are thrown as JS `Error`s named
//! `SamlError` with the core's stable `code`; the hand-written entry points in `pkg/` re-throw
//! them as their `SamlError` class and recover from a trapped instance.
//!
//! The JS-facing class is `WasmServiceProvider`; users see the `ServiceProvider` wrapper of
//! `pkg/core.js`, which keeps its configuration so it can rebuild this object after a reset.

mod convert;

use std::time::Duration;

use wasm_bindgen::prelude::*;

use self::convert::{JsRecord, TextOrBytes, invalid, to_js_error};
use crate::saml::authn_request::NameIdPolicy;
use crate::saml::logout::LogoutBinding;
use crate::x509::Certificate;
use crate::{
    AuthnRequest, AuthnRequestOptions, DecryptionKey, Error, Expect, IdentityProvider, Limits,
    ServiceProvider, UnixTime,
};

/// Keys of the constructor's `config` object.
const CONFIG_KEYS: &[&str] = &[
    "entityId",
    "acsUrl",
    "sloUrl",
    "idp",
    "clockSkewSeconds",
    "allowUnsolicited",
    "allowSha1",
    "extraAudiences",
    "decryptionKeys",
    "decryptOnlySignedResponses",
    "encryptionCertificates",
];
/// Keys of `config.idp`.
const IDP_KEYS: &[&str] = &[
    "metadataXml",
    "entityId",
    "ssoUrl",
    "sloUrl",
    "certificates",
];
/// Keys of the `options` of `logoutRequestUrl`.
const LOGOUT_REQUEST_KEYS: &[&str] = &[
    "nameId",
    "nameIdFormat",
    "nameQualifier",
    "spNameQualifier",
    "sessionIndex",
    "relayState",
    "now",
];
/// Keys of the `options` of `logoutResponseUrl`.
const LOGOUT_RESPONSE_KEYS: &[&str] = &["inResponseTo", "status", "relayState", "now"];
/// Keys of the `options` of `verifyLogoutRequest` and `verifyLogoutResponse`.
const VERIFY_LOGOUT_KEYS: &[&str] = &["requestId", "now"];

/// The options of `verifyLogoutRequest` and `verifyLogoutRequestPost`: `now` (optional object).
fn logout_request_options(options: &JsValue) -> Result<UnixTime, Error> {
    let options = JsRecord::new(options, "options", VERIFY_LOGOUT_KEYS, true)?;
    convert::now(options.get("now")?)
}

/// The options of `verifyLogoutResponse` and `verifyLogoutResponsePost`: `now` and the
/// required `requestId` of the LogoutRequest sent.
fn logout_response_options(options: &JsValue) -> Result<(UnixTime, String), Error> {
    let options = JsRecord::new(options, "options", VERIFY_LOGOUT_KEYS, false)?;
    let now = convert::now(options.get("now")?)?;
    let request_id = options.string("requestId", "options.requestId")?.ok_or(
        crate::error::ConfigError::Missing {
            field: "options.requestId",
        },
    )?;
    Ok((now, request_id))
}

/// Keys of the `options` of `verifyPostResponse` and `inspect`.
const VERIFY_KEYS: &[&str] = &["requestId", "now", "decryptionKeys"];
/// Keys of the `options` of `loginRedirect`.
const LOGIN_KEYS: &[&str] = &[
    "relayState",
    "forceAuthn",
    "isPassive",
    "loginHint",
    "nameIdFormat",
    "now",
];
/// Keys of the `options` of `loginPostForm`.
const LOGIN_POST_KEYS: &[&str] = &[
    "relayState",
    "forceAuthn",
    "isPassive",
    "loginHint",
    "nameIdFormat",
    "now",
    "cspNonce",
];

/// A configured service provider (the raw wasm-bindgen class; see the module docs).
#[wasm_bindgen]
pub struct WasmServiceProvider {
    inner: ServiceProvider,
    /// The configured [`Limits::max_input_bytes`] (see [`convert::saml_response`]).
    max_input_bytes: usize,
    /// The configured [`Limits::max_inflated_bytes`] (for the JS inflater, `pkg/core.js`).
    max_inflated_bytes: usize,
}

#[wasm_bindgen]
impl WasmServiceProvider {
    /// Builds the service provider from the JS `config` object (see `pkg/index.d.ts`).
    #[wasm_bindgen(constructor)]
    pub fn new(config: &JsValue) -> Result<WasmServiceProvider, JsValue> {
        let limits = Limits::DEFAULT;
        let (max_input_bytes, max_inflated_bytes) =
            (limits.max_input_bytes, limits.max_inflated_bytes);
        let inner = service_provider(config, limits).map_err(|e| to_js_error(&e))?;
        Ok(WasmServiceProvider {
            inner,
            max_input_bytes,
            max_inflated_bytes,
        })
    }

    /// Verifies the HTTP-POST `SAMLResponse` form value; returns the identity object.
    #[wasm_bindgen(js_name = verifyPostResponse)]
    pub fn verify_post_response(
        &self,
        saml_response: &JsValue,
        options: &JsValue,
    ) -> Result<JsValue, JsValue> {
        let run = || {
            let input = convert::saml_response(saml_response, self.max_input_bytes)?;
            let options = verify_options(options)?;
            let expect = Expect {
                request_id: options.request_id.as_deref(),
                now: options.now,
            };
            let with_keys;
            let sp = match options.decryption_keys {
                Some(keys) => {
                    with_keys = self.inner.with_decryption_keys(keys);
                    &with_keys
                }
                None => &self.inner,
            };
            let identity = sp.verify_post_response(&input, &expect)?;
            Ok(convert::identity(&identity))
        };
        run().map_err(|e: Error| to_js_error(&e))
    }

    /// The first half of `verifyPostResponseAsync` (pkg/core.js): every check before the key
    /// unwrap, then what WebCrypto must unwrap; `null` when the assertion is not encrypted.
    #[wasm_bindgen(js_name = keyUnwrapRequest)]
    pub fn key_unwrap_request(
        &self,
        saml_response: &JsValue,
        options: &JsValue,
    ) -> Result<JsValue, JsValue> {
        let run = || {
            let input = convert::saml_response(saml_response, self.max_input_bytes)?;
            let options = verify_options(options)?;
            let request = match options.decryption_keys {
                Some(keys) => self
                    .inner
                    .with_decryption_keys(keys)
                    .key_unwrap_request(&input),
                None => self.inner.key_unwrap_request(&input),
            }?;
            Ok(request.as_ref().map_or(JsValue::NULL, convert::key_unwrap))
        };
        run().map_err(|e: Error| to_js_error(&e))
    }

    /// The second half: `verifyPostResponse` with the content key WebCrypto unwrapped (`null`
    /// when no key opened any EncryptedKey).
    #[wasm_bindgen(js_name = verifyPostResponseWithContentKey)]
    pub fn verify_post_response_with_content_key(
        &self,
        saml_response: &JsValue,
        options: &JsValue,
        content_key: Option<Vec<u8>>,
    ) -> Result<JsValue, JsValue> {
        let run = || {
            let input = convert::saml_response(saml_response, self.max_input_bytes)?;
            let options = verify_options(options)?;
            let expect = Expect {
                request_id: options.request_id.as_deref(),
                now: options.now,
            };
            let key = content_key.as_deref();
            let identity = match options.decryption_keys {
                Some(keys) => self
                    .inner
                    .with_decryption_keys(keys)
                    .verify_post_response_with_content_key(&input, &expect, key),
                None => self
                    .inner
                    .verify_post_response_with_content_key(&input, &expect, key),
            }?;
            Ok(convert::identity(&identity))
        };
        run().map_err(|e: Error| to_js_error(&e))
    }

    /// The decryption keys (configured, or `options.decryptionKeys`) as PKCS#8 DER, for
    /// WebCrypto's `importKey`.
    #[wasm_bindgen(js_name = decryptionKeysPkcs8)]
    pub fn decryption_keys_pkcs8(&self, options: &JsValue) -> Result<JsValue, JsValue> {
        let run = || {
            let options = verify_options(options)?;
            let der = |k: &DecryptionKey| JsValue::from(js_sys::Uint8Array::from(k.pkcs8_der()));
            let keys: js_sys::Array = match &options.decryption_keys {
                Some(keys) => keys.iter().map(der).collect(),
                None => self.inner.decryption_keys().iter().map(der).collect(),
            };
            Ok(JsValue::from(keys))
        };
        run().map_err(|e: Error| to_js_error(&e))
    }

    /// Runs the same checks as `verifyPostResponse` (also on raw XML) and reports each outcome.
    pub fn inspect(&self, saml_response: &JsValue, options: &JsValue) -> Result<JsValue, JsValue> {
        let run = || {
            let input = convert::saml_response(saml_response, self.max_input_bytes)?;
            let options = verify_options(options)?;
            let expect = Expect {
                request_id: options.request_id.as_deref(),
                now: options.now,
            };
            let report = match options.decryption_keys {
                Some(keys) => self
                    .inner
                    .with_decryption_keys(keys)
                    .inspect(&input, &expect),
                None => self.inner.inspect(&input, &expect),
            };
            Ok(convert::report(&report))
        };
        run().map_err(|e: Error| to_js_error(&e))
    }

    /// A new AuthnRequest for the HTTP-Redirect binding: `{ url, requestId }`. `id_random` are
    /// the caller's random bytes for the request ID (`crypto.getRandomValues`, 16 or more).
    #[wasm_bindgen(js_name = loginRedirect)]
    pub fn login_redirect(&self, options: &JsValue, id_random: &[u8]) -> Result<JsValue, JsValue> {
        let run = || {
            let options = JsRecord::new(options, "options", LOGIN_KEYS, true)?;
            let request = self.authn_request(&options, id_random)?;
            Ok(convert::login(
                "url",
                &request.redirect_url()?,
                request.id(),
            ))
        };
        run().map_err(|e: Error| to_js_error(&e))
    }

    /// A new AuthnRequest for the HTTP-POST binding: `{ html, requestId }`, where `html` is a
    /// page that posts the request to the IdP (with `nonce` on its script when `cspNonce` is set).
    #[wasm_bindgen(js_name = loginPostForm)]
    pub fn login_post_form(&self, options: &JsValue, id_random: &[u8]) -> Result<JsValue, JsValue> {
        let run = || {
            let options = JsRecord::new(options, "options", LOGIN_POST_KEYS, true)?;
            let request = self.authn_request(&options, id_random)?;
            let html = match options.string("cspNonce", "options.cspNonce")? {
                Some(nonce) => request.post_form_html_with_nonce(&nonce)?,
                None => request.post_form_html()?,
            };
            Ok(convert::login("html", &html, request.id()))
        };
        run().map_err(|e: Error| to_js_error(&e))
    }

    /// A LogoutRequest for the HTTP-Redirect binding: `{ url, requestId }`, for the NameID (and
    /// qualifiers, SessionIndex) in `options`.
    #[wasm_bindgen(js_name = logoutRequestUrl)]
    pub fn logout_request_url(
        &self,
        options: &JsValue,
        id_random: &[u8],
    ) -> Result<JsValue, JsValue> {
        let run = || {
            let options = JsRecord::new(options, "options", LOGOUT_REQUEST_KEYS, false)?;
            let text = |key: &str, field: &'static str| options.string(key, field);
            let name_id = crate::NameId {
                value: text("nameId", "options.nameId")?.unwrap_or_default(),
                format: text("nameIdFormat", "options.nameIdFormat")?,
                name_qualifier: text("nameQualifier", "options.nameQualifier")?,
                sp_name_qualifier: text("spNameQualifier", "options.spNameQualifier")?,
            };
            let request = self.inner.logout_request(
                &name_id,
                text("sessionIndex", "options.sessionIndex")?.as_deref(),
                text("relayState", "options.relayState")?.as_deref(),
                convert::now(options.get("now")?)?,
                id_random,
            )?;
            Ok(convert::login(
                "url",
                &request.redirect_url()?,
                request.id(),
            ))
        };
        run().map_err(|e: Error| to_js_error(&e))
    }

    /// A LogoutResponse for the HTTP-Redirect binding: `{ url, requestId }` (the response's ID).
    #[wasm_bindgen(js_name = logoutResponseUrl)]
    pub fn logout_response_url(
        &self,
        options: &JsValue,
        id_random: &[u8],
    ) -> Result<JsValue, JsValue> {
        let run = || {
            let options = JsRecord::new(options, "options", LOGOUT_RESPONSE_KEYS, false)?;
            let status = options.string("status", "options.status")?;
            let response = self.inner.logout_response(
                &options
                    .string("inResponseTo", "options.inResponseTo")?
                    .unwrap_or_default(),
                status.as_deref().unwrap_or(crate::saml::STATUS_SUCCESS),
                options
                    .string("relayState", "options.relayState")?
                    .as_deref(),
                convert::now(options.get("now")?)?,
                id_random,
            )?;
            Ok(convert::login(
                "url",
                &response.redirect_url()?,
                response.id(),
            ))
        };
        run().map_err(|e: Error| to_js_error(&e))
    }

    /// The still-DEFLATEd message of an HTTP-Redirect query (raw, as received), after every
    /// check that comes before inflating: `pkg/core.js` inflates it with the platform's
    /// `DecompressionStream` (this module has no DEFLATE decoder) and passes the result to
    /// `verifyLogoutRequest` / `verifyLogoutResponse` with the same query.
    #[wasm_bindgen(js_name = redirectMessageDeflated)]
    pub fn redirect_message_deflated(&self, query: &JsValue) -> Result<Vec<u8>, JsValue> {
        let run = || {
            let query = convert::saml_response(query, self.max_input_bytes)?;
            self.inner.redirect_deflated(&query)
        };
        run().map_err(|e: Error| to_js_error(&e))
    }

    /// The largest `SAMLResponse` value accepted ([`Limits::max_input_bytes`]), for
    /// `pkg/core.js`, which cuts a longer string before encoding it (see
    /// [`convert::saml_response`]).
    #[wasm_bindgen(getter, js_name = maxInputBytes)]
    pub fn max_input_bytes(&self) -> usize {
        self.max_input_bytes
    }

    /// The largest inflated Redirect message accepted ([`Limits::max_inflated_bytes`]).
    #[wasm_bindgen(getter, js_name = maxInflatedBytes)]
    pub fn max_inflated_bytes(&self) -> usize {
        self.max_inflated_bytes
    }

    /// Verifies a LogoutRequest from the IdP: `query` is the raw query string (HTTP-Redirect, the
    /// only binding Entra uses for logout), `inflated` its message as `redirectMessageDeflated`
    /// returned it, inflated.
    #[wasm_bindgen(js_name = verifyLogoutRequest)]
    pub fn verify_logout_request(
        &self,
        query: &JsValue,
        inflated: &[u8],
        options: &JsValue,
    ) -> Result<JsValue, JsValue> {
        let run = || {
            let now = logout_request_options(options)?;
            let query = convert::saml_response(query, self.max_input_bytes)?;
            let request = self
                .inner
                .verify_logout_request_inflated(&query, inflated, now)?;
            Ok(convert::logout_request(&request))
        };
        run().map_err(|e: Error| to_js_error(&e))
    }

    /// Verifies the IdP's LogoutResponse to the request `options.requestId` (`inflated` as for
    /// `verifyLogoutRequest`).
    #[wasm_bindgen(js_name = verifyLogoutResponse)]
    pub fn verify_logout_response(
        &self,
        query: &JsValue,
        inflated: &[u8],
        options: &JsValue,
    ) -> Result<JsValue, JsValue> {
        let run = || {
            let (now, request_id) = logout_response_options(options)?;
            let query = convert::saml_response(query, self.max_input_bytes)?;
            let response =
                self.inner
                    .verify_logout_response_inflated(&query, inflated, &request_id, now)?;
            Ok(convert::logout_response(&response))
        };
        run().map_err(|e: Error| to_js_error(&e))
    }

    /// Verifies a LogoutRequest from the IdP sent by HTTP-POST: the `SAMLRequest` and
    /// `RelayState` form values (the message must carry an enveloped signature).
    #[wasm_bindgen(js_name = verifyLogoutRequestPost)]
    pub fn verify_logout_request_post(
        &self,
        message: &JsValue,
        relay_state: Option<String>,
        options: &JsValue,
    ) -> Result<JsValue, JsValue> {
        let run = || {
            let now = logout_request_options(options)?;
            let message = convert::saml_response(message, self.max_input_bytes)?;
            let binding = LogoutBinding::Post {
                message: &message,
                relay_state: relay_state.as_deref(),
            };
            let request = self.inner.verify_logout_request(binding, now)?;
            Ok(convert::logout_request(&request))
        };
        run().map_err(|e: Error| to_js_error(&e))
    }

    /// Verifies the IdP's LogoutResponse to `options.requestId` sent by HTTP-POST: the
    /// `SAMLResponse` and `RelayState` form values.
    #[wasm_bindgen(js_name = verifyLogoutResponsePost)]
    pub fn verify_logout_response_post(
        &self,
        message: &JsValue,
        relay_state: Option<String>,
        options: &JsValue,
    ) -> Result<JsValue, JsValue> {
        let run = || {
            let (now, request_id) = logout_response_options(options)?;
            let message = convert::saml_response(message, self.max_input_bytes)?;
            let binding = LogoutBinding::Post {
                message: &message,
                relay_state: relay_state.as_deref(),
            };
            let response = self
                .inner
                .verify_logout_response(binding, &request_id, now)?;
            Ok(convert::logout_response(&response))
        };
        run().map_err(|e: Error| to_js_error(&e))
    }

    /// The SP metadata XML to upload to the IdP.
    pub fn metadata(&self) -> Result<String, JsValue> {
        self.inner.metadata_xml().map_err(|e| to_js_error(&e))
    }

    /// The configured IdP's entity ID (from the settings or its metadata).
    #[wasm_bindgen(getter, js_name = idpEntityId)]
    pub fn idp_entity_id(&self) -> String {
        self.inner.idp().entity_id().to_owned()
    }

    /// The configured IdP's SingleLogoutService URL (HTTP-Redirect), if its metadata names one.
    #[wasm_bindgen(getter, js_name = idpSloUrl)]
    pub fn idp_slo_url(&self) -> Option<String> {
        self.inner.idp().slo_url().map(str::to_owned)
    }
}

/// The `options` of `verifyPostResponse` and `inspect`.
struct VerifyOptions {
    /// The pending request ID.
    request_id: Option<String>,
    /// The verification time.
    now: UnixTime,
    /// Decryption keys that replace the configured ones for this call.
    decryption_keys: Option<Vec<DecryptionKey>>,
}

fn verify_options(options: &JsValue) -> Result<VerifyOptions, Error> {
    let options = JsRecord::new(options, "options", VERIFY_KEYS, true)?;
    let request_id = options.string("requestId", "options.requestId")?;
    let decryption_keys = match options.get("decryptionKeys")? {
        Some(_) => Some(decryption_keys(&options, "options.decryptionKeys")?),
        None => None,
    };
    Ok(VerifyOptions {
        request_id,
        now: convert::now(options.get("now")?)?,
        decryption_keys,
    })
}

/// `decryptionKeys`: PEM private keys (PKCS#8 or PKCS#1), in the order they are tried.
fn decryption_keys(
    record: &JsRecord<'_>,
    field: &'static str,
) -> Result<Vec<DecryptionKey>, Error> {
    record
        .array("decryptionKeys", field)?
        .iter()
        .map(|pem| {
            let pem = pem
                .as_string()
                .ok_or_else(|| invalid(field, "expected PEM strings"))?;
            DecryptionKey::from_pem(&pem)
        })
        .collect()
}

impl WasmServiceProvider {
    /// Converts the login options and builds the AuthnRequest.
    fn authn_request(
        &self,
        options: &JsRecord<'_>,
        id_random: &[u8],
    ) -> Result<AuthnRequest, Error> {
        let name_id_policy =
            options
                .string("nameIdFormat", "options.nameIdFormat")?
                .map(|format| NameIdPolicy {
                    format: Some(format),
                    allow_create: None,
                });
        let request_options = AuthnRequestOptions {
            relay_state: options.string("relayState", "options.relayState")?,
            force_authn: options.boolean("forceAuthn", "options.forceAuthn")?,
            is_passive: options.boolean("isPassive", "options.isPassive")?,
            name_id_policy,
            requested_authn_context: None,
            login_hint: options.string("loginHint", "options.loginHint")?,
        };
        let now = convert::now(options.get("now")?)?;
        self.inner.authn_request(request_options, now, id_random)
    }
}

/// Converts the `config` object and builds the service provider.
fn service_provider(config: &JsValue, limits: Limits) -> Result<ServiceProvider, Error> {
    let config = JsRecord::new(config, "config", CONFIG_KEYS, false)?;
    let idp_value = config.get("idp")?.unwrap_or(JsValue::UNDEFINED);
    let idp = JsRecord::new(&idp_value, "idp", IDP_KEYS, false)?;
    let idp_entity_id = idp.string("entityId", "idp.entityId")?;
    let mut identity_provider = match idp.text_or_bytes("metadataXml", "idp.metadataXml")? {
        Some(xml) => IdentityProvider::from_metadata_xml(xml.as_bytes(), idp_entity_id.as_deref())?,
        None => IdentityProvider::new(
            idp_entity_id.unwrap_or_default(),
            idp.string("ssoUrl", "idp.ssoUrl")?.unwrap_or_default(),
        ),
    };
    if let Some(slo_url) = idp.string("sloUrl", "idp.sloUrl")? {
        identity_provider = identity_provider.with_slo_url(slo_url);
    }
    for certificate in idp.array("certificates", "idp.certificates")? {
        identity_provider = match TextOrBytes::new(&certificate, "idp.certificates")? {
            TextOrBytes::Text(text) => identity_provider.certificate_pem(&text)?,
            TextOrBytes::Bytes(bytes) => Certificate::parse_all(&bytes)?
                .into_iter()
                .fold(identity_provider, IdentityProvider::certificate),
        };
    }
    let mut builder = ServiceProvider::builder()
        .entity_id(config.string("entityId", "entityId")?.unwrap_or_default())
        .acs_url(config.string("acsUrl", "acsUrl")?.unwrap_or_default())
        .idp(identity_provider)
        .allow_unsolicited(config.boolean("allowUnsolicited", "allowUnsolicited")?)
        .danger_allow_sha1(config.boolean("allowSha1", "allowSha1")?)
        .limits(limits);
    if let Some(slo_url) = config.string("sloUrl", "sloUrl")? {
        builder = builder.slo_url(slo_url);
    }
    if let Some(secs) = config.whole_number("clockSkewSeconds", "clockSkewSeconds")? {
        builder = builder.clock_skew(Duration::from_secs(secs));
    }
    for audience in config.array("extraAudiences", "extraAudiences")? {
        let audience = audience
            .as_string()
            .ok_or_else(|| invalid("extraAudiences", "expected strings"))?;
        builder = builder.extra_audience(audience);
    }
    for key in decryption_keys(&config, "decryptionKeys")? {
        builder = builder.decryption_key(key);
    }
    for certificate in config.array("encryptionCertificates", "encryptionCertificates")? {
        builder = match TextOrBytes::new(&certificate, "encryptionCertificates")? {
            TextOrBytes::Text(text) => builder.encryption_certificate_pem(&text)?,
            TextOrBytes::Bytes(bytes) => Certificate::parse_all(&bytes)?
                .into_iter()
                .fold(builder, |b, c| b.encryption_certificate(c)),
        };
    }
    builder
        .decrypt_only_signed_responses(
            config.boolean("decryptOnlySignedResponses", "decryptOnlySignedResponses")?,
        )
        .build()
}

/// Traps the instance exactly like a Rust panic does under `panic = "abort"` (the `unreachable`
/// instruction). Not part of the package's API: the JS tests use it to check that the entry
/// points turn a trap into `SamlError('internal_error')` and re-initialise the module.
#[doc(hidden)]
#[wasm_bindgen(js_name = __samlEdgeTrap)]
pub fn trap_for_tests() {
    // ok: a deliberate trap, reached only by calling this hidden export, never from any input.
    core::arch::wasm32::unreachable()
}

/// The size of the instance's linear memory, in bytes. Not part of the package's API: the JS
/// tests use it to check that huge inputs are not copied into wasm memory whole.
#[doc(hidden)]
#[wasm_bindgen(js_name = __samlEdgeMemoryBytes)]
pub fn memory_bytes_for_tests() -> f64 {
    // Pages of 64 KiB; at most 2^16 pages on wasm32, so the product is exact in an f64.
    (core::arch::wasm32::memory_size(0) * 65536) as f64
}
