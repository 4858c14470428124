//! JavaScript ⇄ Rust conversion for the wasm exports: reading the config and options objects,
//! building plain result objects, and turning an [`Error`] into a thrown JS error.
//!
//! Nothing here decides anything about SAML; every check lives in the core. Wrong JS types and
//! unknown keys are refused (`config_invalid`, naming the JS field) instead of being ignored, so a
//! typo such as `allowUnsolicted` cannot silently change the policy.

use js_sys::{Array, Date, JsString, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

use crate::error::{ConfigError, EncodingError};
use crate::saml::logout::{VerifiedLogoutRequest, VerifiedLogoutResponse};
use crate::sp::{Check, CheckResult, Report};
use crate::time::UnixTime;
use crate::{Error, Identity};

/// A config or options problem, with the JS field name.
pub(super) fn invalid(field: &'static str, detail: impl Into<String>) -> Error {
    ConfigError::Invalid {
        field,
        detail: detail.into(),
    }
    .into()
}

/// The JS error thrown for `error`: an `Error` named `SamlError` with a stable `code`. The JS
/// entry points re-throw it as an instance of their `SamlError` class.
pub(super) fn to_js_error(error: &Error) -> JsValue {
    let js = js_sys::Error::new(&error.to_string());
    js.set_name("SamlError");
    // Setting a data property on a fresh Error object cannot fail.
    let _ = Reflect::set(&js, &"code".into(), &error.code().into());
    js.into()
}

/// A plain JS object (`{}`) that the caller has handed in, or an error naming it.
pub(super) struct JsRecord<'a> {
    value: &'a JsValue,
    what: &'static str,
}

impl<'a> JsRecord<'a> {
    /// Accepts an object whose own keys are all in `known`; `undefined`/`null` count as `{}`
    /// when `optional`.
    pub(super) fn new(
        value: &'a JsValue,
        what: &'static str,
        known: &[&str],
        optional: bool,
    ) -> Result<JsRecord<'a>, Error> {
        if value.is_undefined() || value.is_null() {
            if optional {
                return Ok(JsRecord { value, what });
            }
            return Err(ConfigError::Missing { field: what }.into());
        }
        if !value.is_object() || Array::is_array(value) {
            return Err(invalid(what, "expected an object"));
        }
        let keys = Object::keys(value.unchecked_ref::<Object>());
        for key in keys.iter() {
            let key = key.as_string().unwrap_or_default();
            if !known.contains(&key.as_str()) {
                return Err(invalid(
                    what,
                    format!(
                        "unknown property {} (known: {})",
                        crate::error::quote(&key),
                        known.join(", ")
                    ),
                ));
            }
        }
        Ok(JsRecord { value, what })
    }

    /// The property `key`, `None` when absent, `undefined` or `null`.
    pub(super) fn get(&self, key: &str) -> Result<Option<JsValue>, Error> {
        if self.value.is_undefined() || self.value.is_null() {
            return Ok(None);
        }
        let value = Reflect::get(self.value, &JsValue::from_str(key))
            .map_err(|_| invalid(self.what, format!("cannot read {key}")))?;
        Ok((!value.is_undefined() && !value.is_null()).then_some(value))
    }

    /// A string property.
    pub(super) fn string(&self, key: &str, field: &'static str) -> Result<Option<String>, Error> {
        match self.get(key)? {
            None => Ok(None),
            Some(value) => value
                .as_string()
                .map(Some)
                .ok_or_else(|| invalid(field, "expected a string")),
        }
    }

    /// A boolean property (`false` when absent). Strings such as `"true"` are refused.
    pub(super) fn boolean(&self, key: &str, field: &'static str) -> Result<bool, Error> {
        match self.get(key)? {
            None => Ok(false),
            Some(value) => value
                .as_bool()
                .ok_or_else(|| invalid(field, "expected true or false")),
        }
    }

    /// A non-negative whole number property.
    pub(super) fn whole_number(
        &self,
        key: &str,
        field: &'static str,
    ) -> Result<Option<u64>, Error> {
        match self.get(key)? {
            None => Ok(None),
            Some(value) => match value.as_f64() {
                Some(n) if n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n <= 9.0e15 => {
                    // Exact: a whole number below 2^53.
                    Ok(Some(n as u64))
                }
                _ => Err(invalid(
                    field,
                    "expected a whole number of seconds, 0 or more",
                )),
            },
        }
    }

    /// A property holding text or bytes (`string` or `Uint8Array`).
    pub(super) fn text_or_bytes(
        &self,
        key: &str,
        field: &'static str,
    ) -> Result<Option<TextOrBytes>, Error> {
        match self.get(key)? {
            None => Ok(None),
            Some(value) => TextOrBytes::new(&value, field).map(Some),
        }
    }

    /// An array property (empty when absent).
    pub(super) fn array(&self, key: &str, field: &'static str) -> Result<Vec<JsValue>, Error> {
        match self.get(key)? {
            None => Ok(Vec::new()),
            Some(value) if Array::is_array(&value) => {
                Ok(value.unchecked_into::<Array>().iter().collect())
            }
            Some(_) => Err(invalid(field, "expected an array")),
        }
    }
}

/// A JS `string` or `Uint8Array`.
pub(super) enum TextOrBytes {
    /// A JS string.
    Text(String),
    /// A `Uint8Array` (for example a file read as bytes).
    Bytes(Vec<u8>),
}

impl TextOrBytes {
    /// Converts `value`, refusing other types.
    pub(super) fn new(value: &JsValue, field: &'static str) -> Result<TextOrBytes, Error> {
        if let Some(text) = value.as_string() {
            return Ok(TextOrBytes::Text(text));
        }
        match value.dyn_ref::<Uint8Array>() {
            Some(bytes) => Ok(TextOrBytes::Bytes(bytes.to_vec())),
            None => Err(invalid(field, "expected a string or a Uint8Array")),
        }
    }

    /// The bytes (UTF-8 for text).
    pub(super) fn as_bytes(&self) -> &[u8] {
        match self {
            TextOrBytes::Text(text) => text.as_bytes(),
            TextOrBytes::Bytes(bytes) => bytes,
        }
    }
}

/// The `samlResponse` argument: a string, or its UTF-8 bytes (what `pkg/core.js` hands over: its
/// `TextEncoder` copies a long string natively, where wasm-bindgen's string argument copies it
/// one UTF-16 unit at a time in JS). `undefined`/`null` (what `FormData.get` returns for a
/// missing field) count as empty, so the core reports `empty_input`.
///
/// A value longer than `max_bytes` (UTF-16 units or bytes) is copied into wasm memory only up
/// to `max_bytes + 1` of them: it is longer than `max_bytes` UTF-8 bytes either way, so the core
/// refuses the copy with exactly the error the whole value would get (`limit_exceeded`,
/// `max_input_bytes`), and a huge POST body cannot grow the instance's memory (which never
/// shrinks) towards the Worker's limit. Bytes that are not UTF-8 become U+FFFD, as a lone
/// surrogate of a string does (neither is base64, and a cut sequence at the end of a copy
/// that was cut keeps it over the limit).
pub(super) fn saml_response(value: &JsValue, max_bytes: usize) -> Result<String, Error> {
    if value.is_undefined() || value.is_null() {
        return Ok(String::new());
    }
    let limit = u32::try_from(max_bytes.saturating_add(1)).unwrap_or(u32::MAX);
    if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
        let bytes = if bytes.length() > limit {
            bytes.subarray(0, limit).to_vec()
        } else {
            bytes.to_vec()
        };
        return Ok(String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()));
    }
    let text = value.dyn_ref::<JsString>().ok_or_else(|| {
        Error::from(EncodingError::InvalidForm {
            detail: "the SAMLResponse value must be a string".into(),
        })
    })?;
    let kept = if text.length() > limit {
        text.slice(0, limit)
    } else {
        text.clone()
    };
    Ok(String::from(kept))
}

/// The `now` option: a `Date` or milliseconds since the epoch; `Date.now()` when absent.
pub(super) fn now(value: Option<JsValue>) -> Result<UnixTime, Error> {
    let millis = match value {
        None => Date::now(),
        Some(value) => match value.dyn_ref::<Date>() {
            Some(date) => date.get_time(),
            None => value.as_f64().ok_or_else(|| {
                invalid("options.now", "expected a Date or milliseconds since 1970")
            })?,
        },
    };
    if !millis.is_finite() || millis.abs() > 8.64e15 {
        return Err(invalid("options.now", "not a valid date"));
    }
    // In range (±8.64e15 ms is the JS Date range), so the conversion is exact after flooring.
    Ok(UnixTime::from_millis(millis.floor() as i64))
}

fn set(object: &Object, key: &str, value: &JsValue) {
    // Defining a data property on a fresh ordinary object cannot fail.
    let _ = Reflect::set(object, &JsValue::from_str(key), value);
}

fn opt_string(value: Option<&str>) -> JsValue {
    value.map_or(JsValue::NULL, JsValue::from_str)
}

fn opt_time(value: Option<UnixTime>) -> JsValue {
    value.map_or(JsValue::NULL, |t| JsValue::from_str(&t.to_rfc3339()))
}

/// The identity as a plain object with the field names of the CLI's JSON output.
///
/// Built as JSON text and handed to `JSON.parse` in one call: setting its fields one by one
/// took about 40 crossings of the JS boundary (≈ 8 % of a 5 KB verification in Node).
/// `JSON.parse` defines every member as an own data property, so an attribute named
/// `__proto__` stays an ordinary key instead of replacing the prototype.
pub(super) fn identity(identity: &Identity) -> JsValue {
    let mut out = JsonObject::new();
    out.string("nameId", &identity.name_id);
    out.opt_string("nameIdFormat", identity.name_id_format.as_deref());
    out.opt_string("nameQualifier", identity.name_qualifier.as_deref());
    out.opt_string("spNameQualifier", identity.sp_name_qualifier.as_deref());
    out.opt_string("sessionIndex", identity.session_index.as_deref());
    out.string("issuer", &identity.issuer);
    out.string("assertionId", &identity.assertion_id);
    out.opt_string("inResponseTo", identity.in_response_to.as_deref());
    out.key("attributes");
    let mut attributes = JsonObject::new();
    for attribute in &identity.attributes {
        attributes.key(&attribute.name);
        attributes.string_array(&attribute.values);
    }
    out.raw(&attributes.finish());
    out.string("notOnOrAfter", &identity.not_on_or_after.to_rfc3339());
    out.opt_string(
        "sessionNotOnOrAfter",
        identity
            .session_not_on_or_after
            .map(|t| t.to_rfc3339())
            .as_deref(),
    );
    out.opt_string(
        "authnInstant",
        identity.authn_instant.map(|t| t.to_rfc3339()).as_deref(),
    );
    out.opt_string(
        "authnContextClassRef",
        identity.authn_context_class_ref.as_deref(),
    );
    // The text is well-formed JSON by construction; `null` if the engine still refused it.
    js_sys::JSON::parse(&out.finish()).unwrap_or(JsValue::NULL)
}

/// JSON text of one object, written member by member (strings, `null`, arrays of strings and
/// nested objects are all the identity needs).
struct JsonObject {
    text: String,
    empty: bool,
}

impl JsonObject {
    fn new() -> JsonObject {
        JsonObject {
            text: String::from("{"),
            empty: true,
        }
    }

    /// Starts a member: the separator, the key and the colon.
    fn key(&mut self, key: &str) {
        if !self.empty {
            self.text.push(',');
        }
        self.empty = false;
        push_json_string(&mut self.text, key);
        self.text.push(':');
    }

    /// A value written by the caller (after [`JsonObject::key`]).
    fn raw(&mut self, json: &str) {
        self.text.push_str(json);
    }

    fn string(&mut self, key: &str, value: &str) {
        self.key(key);
        push_json_string(&mut self.text, value);
    }

    fn opt_string(&mut self, key: &str, value: Option<&str>) {
        match value {
            Some(value) => self.string(key, value),
            None => {
                self.key(key);
                self.text.push_str("null");
            }
        }
    }

    /// An array of strings as the value of the member just started.
    fn string_array(&mut self, values: &[String]) {
        self.text.push('[');
        for (i, value) in values.iter().enumerate() {
            if i > 0 {
                self.text.push(',');
            }
            push_json_string(&mut self.text, value);
        }
        self.text.push(']');
    }

    fn finish(mut self) -> String {
        self.text.push('}');
        self.text
    }
}

/// `value` as a JSON string literal (RFC 8259 §7): `"` and `\` escaped, control characters as
/// `\u00XX`; everything else as it is (JSON text is Unicode; Rust strings hold no lone
/// surrogates).
fn push_json_string(out: &mut String, value: &str) {
    out.push('"');
    let mut plain_from = 0;
    for (i, byte) in value.bytes().enumerate() {
        if byte >= 0x20 && byte != b'"' && byte != b'\\' {
            continue;
        }
        out.push_str(value.get(plain_from..i).unwrap_or_default());
        plain_from = i + 1;
        match byte {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            _ => {
                // A control character: 0x00 ..= 0x1f, so the first hex digit is 0 or 1.
                out.push_str(if byte < 0x10 { "\\u000" } else { "\\u001" });
                let low = byte & 0xf;
                out.push(char::from(if low < 10 {
                    b'0' + low
                } else {
                    b'a' + low - 10
                }));
            }
        }
    }
    out.push_str(value.get(plain_from..).unwrap_or_default());
    out.push('"');
}

/// The result of `loginRedirect` / `loginPostForm`: `{ [key]: value, requestId }`.
pub(super) fn login(key: &str, value: &str, request_id: &str) -> JsValue {
    let out = Object::new();
    set(&out, key, &JsValue::from_str(value));
    set(&out, "requestId", &JsValue::from_str(request_id));
    out.into()
}

/// A verified LogoutRequest, with the CLI's field names.
pub(super) fn logout_request(request: &VerifiedLogoutRequest) -> JsValue {
    let out = Object::new();
    let name_id = &request.name_id;
    set(&out, "id", &JsValue::from_str(&request.id));
    set(&out, "issuer", &JsValue::from_str(&request.issuer));
    set(&out, "nameId", &JsValue::from_str(&name_id.value));
    set(&out, "nameIdFormat", &opt_string(name_id.format.as_deref()));
    set(
        &out,
        "nameQualifier",
        &opt_string(name_id.name_qualifier.as_deref()),
    );
    set(
        &out,
        "spNameQualifier",
        &opt_string(name_id.sp_name_qualifier.as_deref()),
    );
    let indexes: Array = request
        .session_indexes
        .iter()
        .map(|s| JsValue::from_str(s))
        .collect();
    set(&out, "sessionIndexes", &indexes);
    set(&out, "issueInstant", &opt_time(Some(request.issue_instant)));
    set(&out, "notOnOrAfter", &opt_time(request.not_on_or_after));
    set(&out, "replayUntil", &opt_time(Some(request.replay_until)));
    set(&out, "reason", &opt_string(request.reason.as_deref()));
    set(
        &out,
        "relayState",
        &opt_string(request.relay_state.as_deref()),
    );
    out.into()
}

/// A verified LogoutResponse, with the CLI's field names.
pub(super) fn logout_response(response: &VerifiedLogoutResponse) -> JsValue {
    let out = Object::new();
    set(&out, "id", &JsValue::from_str(&response.id));
    set(&out, "issuer", &JsValue::from_str(&response.issuer));
    set(
        &out,
        "inResponseTo",
        &JsValue::from_str(&response.in_response_to),
    );
    set(
        &out,
        "issueInstant",
        &opt_time(Some(response.issue_instant)),
    );
    set(
        &out,
        "relayState",
        &opt_string(response.relay_state.as_deref()),
    );
    out.into()
}

fn check(check: &Check) -> JsValue {
    let out = Object::new();
    set(&out, "name", &JsValue::from_str(check.name));
    set(&out, "description", &JsValue::from_str(check.description));
    let (outcome, code, message) = match &check.result {
        CheckResult::Passed => ("passed", None, None),
        CheckResult::NotApplicable => ("not_applicable", None, None),
        CheckResult::Skipped => ("skipped", None, None),
        CheckResult::Failed { code, message } => ("failed", Some(*code), Some(message.as_str())),
    };
    set(&out, "outcome", &JsValue::from_str(outcome));
    set(&out, "code", &opt_string(code));
    set(&out, "message", &opt_string(message));
    out.into()
}

/// What JS must unwrap with WebCrypto: `{ contentAlgorithm, keys: [{ ciphertext, hash, mgfHash }] }`
/// (hashes as WebCrypto names).
pub(super) fn key_unwrap(request: &crate::sp::KeyUnwrap) -> JsValue {
    let name = |d: crate::OaepDigest| match d {
        crate::OaepDigest::Sha1 => "SHA-1",
        crate::OaepDigest::Sha256 => "SHA-256",
    };
    let out = Object::new();
    set(
        &out,
        "contentAlgorithm",
        &JsValue::from_str(request.content_algorithm.uri()),
    );
    let keys: Array = request
        .wrapped_keys
        .iter()
        .map(|k| {
            let key = Object::new();
            set(
                &key,
                "ciphertext",
                &Uint8Array::from(k.ciphertext.as_slice()),
            );
            set(&key, "hash", &JsValue::from_str(name(k.digest)));
            set(&key, "mgfHash", &JsValue::from_str(name(k.mgf)));
            JsValue::from(key)
        })
        .collect();
    set(&out, "keys", &keys);
    out.into()
}

/// The inspection report: `{ xml, checks, identity, error }`.
pub(super) fn report(report: &Report) -> JsValue {
    let out = Object::new();
    set(&out, "xml", &opt_string(report.xml.as_deref()));
    let checks: Array = report.checks.iter().map(check).collect();
    set(&out, "checks", &checks);
    set(
        &out,
        "identity",
        &report.identity.as_ref().map_or(JsValue::NULL, identity),
    );
    let error = match report.failure().map(|c| &c.result) {
        Some(CheckResult::Failed { code, message }) => {
            let error = Object::new();
            set(&error, "code", &JsValue::from_str(code));
            set(&error, "message", &JsValue::from_str(message));
            error.into()
        }
        _ => JsValue::NULL,
    };
    set(&out, "error", &error);
    out.into()
}
