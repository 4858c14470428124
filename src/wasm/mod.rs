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
use crate::x509::Certificate;
use crate::{Error, Expect, IdentityProvider, ServiceProvider};

/// Keys of the constructor's `config` object.
const CONFIG_KEYS: &[&str] = &[
    "entityId",
    "acsUrl",
    "idp",
    "clockSkewSeconds",
    "allowUnsolicited",
    "allowSha1",
    "extraAudiences",
];
/// Keys of `config.idp`.
const IDP_KEYS: &[&str] = &["metadataXml", "entityId", "ssoUrl", "certificates"];
/// Keys of the `options` of `verifyPostResponse` and `inspect`.
const VERIFY_KEYS: &[&str] = &["requestId", "now"];

/// A configured service provider (the raw wasm-bindgen class; see the module docs).
#[wasm_bindgen]
pub struct WasmServiceProvider {
    inner: ServiceProvider,
}

#[wasm_bindgen]
impl WasmServiceProvider {
    /// Builds the service provider from the JS `config` object (see `pkg/index.d.ts`).
    #[wasm_bindgen(constructor)]
    pub fn new(config: &JsValue) -> Result<WasmServiceProvider, JsValue> {
        service_provider(config)
            .map(|inner| WasmServiceProvider { inner })
            .map_err(|e| to_js_error(&e))
    }

    /// Verifies the HTTP-POST `SAMLResponse` form value; returns the identity object.
    #[wasm_bindgen(js_name = verifyPostResponse)]
    pub fn verify_post_response(
        &self,
        saml_response: &JsValue,
        options: &JsValue,
    ) -> Result<JsValue, JsValue> {
        self.verify(saml_response, options)
            .map_err(|e| to_js_error(&e))
    }

    /// Runs the same checks as `verifyPostResponse` (also on raw XML) and reports each outcome.
    pub fn inspect(&self, saml_response: &JsValue, options: &JsValue) -> Result<JsValue, JsValue> {
        let input = convert::saml_response(saml_response).map_err(|e| to_js_error(&e))?;
        let options =
            JsRecord::new(options, "options", VERIFY_KEYS, true).map_err(|e| to_js_error(&e))?;
        let request_id = options
            .string("requestId", "options.requestId")
            .map_err(|e| to_js_error(&e))?;
        let now = convert::now(options.get("now").map_err(|e| to_js_error(&e))?)
            .map_err(|e| to_js_error(&e))?;
        let expect = Expect {
            request_id: request_id.as_deref(),
            now,
        };
        Ok(convert::report(&self.inner.inspect(&input, &expect)))
    }
}

impl WasmServiceProvider {
    fn verify(&self, saml_response: &JsValue, options: &JsValue) -> Result<JsValue, Error> {
        let input = convert::saml_response(saml_response)?;
        let options = JsRecord::new(options, "options", VERIFY_KEYS, true)?;
        let request_id = options.string("requestId", "options.requestId")?;
        let now = convert::now(options.get("now")?)?;
        let expect = Expect {
            request_id: request_id.as_deref(),
            now,
        };
        let identity = self.inner.verify_post_response(&input, &expect)?;
        Ok(convert::identity(&identity))
    }
}

/// Converts the `config` object and builds the service provider.
fn service_provider(config: &JsValue) -> Result<ServiceProvider, Error> {
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
        .allow_sha1(config.boolean("allowSha1", "allowSha1")?);
    if let Some(secs) = config.whole_number("clockSkewSeconds", "clockSkewSeconds")? {
        builder = builder.clock_skew(Duration::from_secs(secs));
    }
    for audience in config.array("extraAudiences", "extraAudiences")? {
        let audience = audience
            .as_string()
            .ok_or_else(|| invalid("extraAudiences", "expected strings"))?;
        builder = builder.extra_audience(audience);
    }
    builder.build()
}

/// Traps the instance exactly like a Rust panic does under `panic = "abort"` (the `unreachable`
/// instruction). Not part of the package's API: the JS tests use it to check that the entry
/// points turn a trap into `SamlError('internal_error')` and re-initialise the module.
#[doc(hidden)]
#[wasm_bindgen(js_name = __samlEdgeTrap)]
pub fn trap_for_tests() {
    core::arch::wasm32::unreachable()
}
