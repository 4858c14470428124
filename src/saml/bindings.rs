//! SAML 2.0 bindings (saml-bindings-2.0-os): how a protocol message travels in a browser.
//!
//! * **HTTP-Redirect** (§3.4): the XML is raw-DEFLATE compressed, base64 encoded and
//!   percent-encoded into the `SAMLRequest` (or `SAMLResponse`) query parameter, with an optional
//!   `RelayState`. A signed message adds `SigAlg` and `Signature`, an RSA signature over the
//!   octets `SAMLRequest=…&RelayState=…&SigAlg=…` exactly as they appear in the URL.
//!   [`redirect_url`] builds such a URL; [`RedirectMessage::decode`] reads one (with the inflated
//!   size capped by [`Limits::max_inflated_bytes`]) and [`RedirectMessage::verify_signature`]
//!   checks its signature over the query string **as received**, never re-encoded, because IdPs
//!   differ in percent-encoding (Entra and AD FS use lower-case hex digits).
//! * **HTTP-POST** (§3.5): the XML, base64 encoded (never compressed), in a hidden field of an
//!   HTML form that submits itself. [`post_form_html`] writes that page: every value is escaped,
//!   the submitting script carries an optional CSP nonce (or is allowed by the hash
//!   [`POST_FORM_SCRIPT_CSP_HASH`]), and without JavaScript a visible button submits the form.

use crate::danger::AlgorithmPolicy;
use crate::encoding::{
    decode_base64, deflate_raw, encode_base64, percent_decode, percent_encode_query_component,
};
use crate::error::{ConfigError, EncodingError, SignatureError};
use crate::query_signature::QuerySignature;
pub use crate::query_signature::VerifiedQuery;
use crate::x509::Certificate;
use crate::xml::writer::escape_with;
use crate::{Error, Limits};

/// The only `SAMLEncoding` the Redirect binding defines (and the default when it is absent).
pub const DEFLATE_ENCODING: &str = "urn:oasis:names:tc:SAML:2.0:bindings:URL-Encoding:DEFLATE";

/// Longest CSP nonce accepted by [`post_form_html`].
const MAX_NONCE_BYTES: usize = 256;

/// Which SAML message a binding carries, and so the name of its parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageParam {
    /// A request (AuthnRequest, LogoutRequest): `SAMLRequest`.
    Request,
    /// A response (Response, LogoutResponse): `SAMLResponse`.
    Response,
}

impl MessageParam {
    /// The parameter name: `SAMLRequest` or `SAMLResponse`.
    pub fn name(self) -> &'static str {
        match self {
            MessageParam::Request => "SAMLRequest",
            MessageParam::Response => "SAMLResponse",
        }
    }
}

/// The query string of an unsigned HTTP-Redirect message (without `?`):
/// `SAMLRequest=<urlencode(base64(deflate(xml)))>[&RelayState=<urlencode(relay_state)>]`.
pub fn redirect_query(param: MessageParam, xml: &[u8], relay_state: Option<&str>) -> String {
    let mut query = format!(
        "{}={}",
        param.name(),
        percent_encode_query_component(&encode_base64(&deflate_raw(xml)))
    );
    if let Some(relay_state) = relay_state {
        query.push_str("&RelayState=");
        query.push_str(&percent_encode_query_component(relay_state));
    }
    query
}

/// Appends `query` to `endpoint`, with `?` or, when the endpoint already has a query, `&`.
pub fn append_query(endpoint: &str, query: &str) -> String {
    let separator = if endpoint.ends_with(['?', '&']) {
        ""
    } else if endpoint.contains('?') {
        "&"
    } else {
        "?"
    };
    format!("{endpoint}{separator}{query}")
}

/// The URL of an unsigned HTTP-Redirect message to `endpoint`.
pub fn redirect_url(
    endpoint: &str,
    param: MessageParam,
    xml: &[u8],
    relay_state: Option<&str>,
) -> String {
    append_query(endpoint, &redirect_query(param, xml, relay_state))
}

/// The URL of an HTTP-Redirect message to `endpoint` signed with `credentials`
/// (RSA-SHA256): `…&SigAlg=…&Signature=…`, the signature computed over the query string exactly
/// as it appears in the URL.
#[cfg(feature = "sign")]
pub fn signed_redirect_url(
    endpoint: &str,
    param: MessageParam,
    xml: &[u8],
    relay_state: Option<&str>,
    credentials: &crate::saml::signer::SigningCredentials,
) -> Result<String, Error> {
    let mut query = redirect_query(param, xml, relay_state);
    crate::query_signature::sign_query(&mut query, credentials)?;
    Ok(append_query(endpoint, &query))
}

/// A decoded HTTP-Redirect message (not yet trusted: check [`RedirectMessage::verify_signature`]
/// or an XML signature before using its content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectMessage {
    /// Which parameter carried the message.
    param: MessageParam,
    /// The inflated XML.
    xml: Vec<u8>,
    /// The decoded RelayState.
    relay_state: Option<String>,
    /// The query signature, if the message has one.
    signature: Option<QuerySignature>,
}

/// The raw (still percent-encoded) values of the parameters a Redirect message uses.
#[derive(Default)]
struct RawParams<'a> {
    request: Option<&'a str>,
    response: Option<&'a str>,
    relay_state: Option<&'a str>,
    sig_alg: Option<&'a str>,
    signature: Option<&'a str>,
    encoding: Option<&'a str>,
}

fn form_error(detail: impl Into<String>) -> Error {
    EncodingError::InvalidForm {
        detail: detail.into(),
    }
    .into()
}

impl<'a> RawParams<'a> {
    /// Splits a raw query string, keeping the values as received. Each SAML parameter may appear
    /// once; other parameters are ignored.
    fn parse(query: &'a str) -> Result<Self, Error> {
        let mut params = RawParams::default();
        for pair in query.split('&').filter(|pair| !pair.is_empty()) {
            let (raw_name, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = percent_decode(raw_name, true)?;
            let slot = match name.as_str() {
                "SAMLRequest" => &mut params.request,
                "SAMLResponse" => &mut params.response,
                "RelayState" => &mut params.relay_state,
                "SigAlg" => &mut params.sig_alg,
                "Signature" => &mut params.signature,
                "SAMLEncoding" => &mut params.encoding,
                _ => continue,
            };
            if slot.replace(raw_value).is_some() {
                return Err(form_error(format!(
                    "the query parameter {name} appears more than once"
                )));
            }
        }
        Ok(params)
    }
}

impl RedirectMessage {
    /// Decodes an HTTP-Redirect message from the raw query string of the request URL (the part
    /// after `?`, exactly as received; a leading `?` is ignored).
    ///
    /// Exactly one of `SAMLRequest` / `SAMLResponse` must be present (else `invalid_form`), and
    /// each SAML parameter at most once. The message is percent-decoded, base64-decoded and
    /// inflated with the output capped at [`Limits::max_inflated_bytes`]; the query itself is
    /// capped at [`Limits::max_input_bytes`]. `SigAlg` and `Signature` must come together.
    /// Nothing is verified here.
    #[cfg(feature = "inflate")]
    pub fn decode(raw_query: &str, limits: &Limits) -> Result<RedirectMessage, Error> {
        Self::decode_with(raw_query, limits, |deflated| {
            crate::encoding::inflate_raw(deflated, limits.max_inflated_bytes)
        })
    }

    /// [`RedirectMessage::decode`] with the message already inflated by the caller: the npm
    /// package inflates with the JS platform's `DecompressionStream` (the `.wasm` has no DEFLATE
    /// decoder), from the bytes [`RedirectMessage::deflated`] returned for the same query.
    /// `inflated` is held to [`Limits::max_inflated_bytes`]; its agreement with the query is
    /// the caller's promise (the query signature covers the query, not this text).
    pub(crate) fn decode_inflated(
        raw_query: &str,
        limits: &Limits,
        inflated: &[u8],
    ) -> Result<RedirectMessage, Error> {
        Self::decode_with(raw_query, limits, |_| {
            if inflated.len() > limits.max_inflated_bytes {
                return Err(Error::LimitExceeded {
                    limit: "max_inflated_bytes",
                    max: limits.max_inflated_bytes,
                });
            }
            Ok(inflated.to_vec())
        })
    }

    /// The still-DEFLATEd message of an HTTP-Redirect query, after every check of
    /// [`RedirectMessage::decode`] that comes before inflating, for a caller that inflates it
    /// itself (then [`RedirectMessage::decode_inflated`]).
    #[cfg(any(target_arch = "wasm32", test))]
    pub(crate) fn deflated(raw_query: &str, limits: &Limits) -> Result<Vec<u8>, Error> {
        Self::decode_with(raw_query, limits, |deflated| Ok(deflated.to_vec())).map(|m| m.xml)
    }

    /// [`RedirectMessage::decode`], inflating the base64-decoded message with `inflate`.
    fn decode_with(
        raw_query: &str,
        limits: &Limits,
        inflate: impl FnOnce(&[u8]) -> Result<Vec<u8>, Error>,
    ) -> Result<RedirectMessage, Error> {
        let query = raw_query.strip_prefix('?').unwrap_or(raw_query);
        if query.len() > limits.max_input_bytes {
            return Err(Error::LimitExceeded {
                limit: "max_input_bytes",
                max: limits.max_input_bytes,
            });
        }
        let raw = RawParams::parse(query)?;
        if let Some(encoding) = raw.encoding
            && percent_decode(encoding, true)? != DEFLATE_ENCODING
        {
            return Err(form_error(
                "SAMLEncoding is not the DEFLATE URL encoding, the only one supported",
            ));
        }
        let (param, raw_message) = match (raw.request, raw.response) {
            (Some(request), None) => (MessageParam::Request, request),
            (None, Some(response)) => (MessageParam::Response, response),
            (None, None) => {
                return Err(form_error(
                    "the query has neither SAMLRequest nor SAMLResponse (HTTP-Redirect binding)",
                ));
            }
            (Some(_), Some(_)) => {
                return Err(form_error(
                    "the query has both SAMLRequest and SAMLResponse",
                ));
            }
        };
        // Base64 has no spaces, so a literal '+' in the message can only be a base64 '+' that
        // the sender did not escape.
        let base64 = percent_decode(raw_message, false)?;
        let deflated = decode_base64(&base64, limits.max_input_bytes)?;
        let xml = inflate(&deflated)?;
        let relay_state = raw
            .relay_state
            .map(|value| percent_decode(value, true))
            .transpose()?;
        let signature = QuerySignature::from_raw(
            param.name(),
            raw_message,
            raw.relay_state,
            raw.sig_alg,
            raw.signature,
        )?;
        Ok(RedirectMessage {
            param,
            xml,
            relay_state,
            signature,
        })
    }

    /// Which parameter carried the message.
    pub fn param(&self) -> MessageParam {
        self.param
    }

    /// The inflated XML (untrusted until a signature over it verifies).
    pub fn xml(&self) -> &[u8] {
        &self.xml
    }

    /// The decoded RelayState, if present.
    pub fn relay_state(&self) -> Option<&str> {
        self.relay_state.as_deref()
    }

    /// Whether the query carries `SigAlg` and `Signature`.
    pub fn is_signed(&self) -> bool {
        self.signature.is_some()
    }

    /// The `SigAlg` URI, if the message is signed.
    pub fn signature_algorithm_uri(&self) -> Option<&str> {
        self.signature.as_ref().map(QuerySignature::algorithm_uri)
    }

    /// The octets the query signature covers, exactly as received, if the message is signed.
    pub fn signed_octets(&self) -> Option<&str> {
        self.signature.as_ref().map(QuerySignature::signed_octets)
    }

    /// Verifies the query signature with the `trusted` certificates.
    ///
    /// `SigAlg` must be RSA-SHA256, -384 or -512 (RSA-SHA1 only with
    /// [`AlgorithmPolicy::allow_sha1`]),
    /// compared by exact URI. Errors: `query_signature_missing` (unsigned),
    /// `signature_algorithm_unsupported`, `signature_sha1_not_allowed`, `signature_invalid`
    /// (no certificate verifies), `config_missing` (no trusted certificate).
    pub fn verify_signature(
        &self,
        trusted: &[Certificate],
        policy: &AlgorithmPolicy,
    ) -> Result<VerifiedQuery, Error> {
        self.signature
            .as_ref()
            .ok_or(SignatureError::QuerySignatureMissing)?
            .verify(trusted, policy)
    }
}

/// The script of the page [`post_form_html`] writes (constant, so that a CSP can allow it by
/// hash instead of by nonce).
pub const POST_FORM_SCRIPT: &str = "document.forms[0].submit();";

/// The CSP source that allows [`POST_FORM_SCRIPT`] by hash: `'sha256-<base64>'`, for
/// `Content-Security-Policy: script-src 'sha256-…'` when no nonce is used.
pub const POST_FORM_SCRIPT_CSP_HASH: &str = "'sha256-8lDeP0UDwCO6/RhblgeH/ctdBzjVpJxrXizsnIk3cEQ='";

/// Escapes a value for a double-quoted HTML attribute (`&`, `<`, `>`, `"`, `'`).
pub fn escape_html_attribute(value: &str) -> String {
    escape_with(value, |c| match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '"' => Some("&quot;"),
        '\'' => Some("&#39;"),
        _ => None,
    })
}

/// Whether `nonce` is a CSP `base64-value` (RFC 4648 base64 or base64url, optional padding).
fn is_csp_nonce(nonce: &str) -> bool {
    let body = nonce.trim_end_matches('=');
    !body.is_empty()
        && nonce.len() <= MAX_NONCE_BYTES
        && nonce.len() - body.len() <= 2
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_'))
}

/// An HTML page that POSTs the message `xml` to `action` (HTTP-POST binding): a form with the
/// base64 message and the RelayState in hidden fields, submitted by [`POST_FORM_SCRIPT`]; when
/// JavaScript is off, a visible "Continue" button inside `<noscript>` submits it.
///
/// With `csp_nonce`, the `<script>` carries `nonce="…"` (allow it with
/// `script-src 'nonce-…'`); otherwise allow [`POST_FORM_SCRIPT_CSP_HASH`]. A nonce that is not a
/// CSP base64 value gives [`ConfigError::Invalid`] (field `csp_nonce`).
pub fn post_form_html(
    action: &str,
    param: MessageParam,
    xml: &[u8],
    relay_state: Option<&str>,
    csp_nonce: Option<&str>,
) -> Result<String, Error> {
    if let Some(nonce) = csp_nonce
        && !is_csp_nonce(nonce)
    {
        return Err(ConfigError::Invalid {
            field: "csp_nonce",
            detail: "a CSP nonce is 1 to 256 base64 characters".to_owned(),
        }
        .into());
    }
    let mut html = String::with_capacity(xml.len().saturating_mul(2).saturating_add(1024));
    html.push_str(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"robots\" content=\"noindex\">\n<meta name=\"referrer\" content=\"no-referrer\">\n\
         <title>Continue to sign in</title>\n</head>\n<body>\n",
    );
    html.push_str(&format!(
        "<form method=\"post\" action=\"{}\">\n",
        escape_html_attribute(action)
    ));
    html.push_str(&format!(
        "<input type=\"hidden\" name=\"{}\" value=\"{}\">\n",
        param.name(),
        escape_html_attribute(&encode_base64(xml))
    ));
    if let Some(relay_state) = relay_state {
        html.push_str(&format!(
            "<input type=\"hidden\" name=\"RelayState\" value=\"{}\">\n",
            escape_html_attribute(relay_state)
        ));
    }
    html.push_str(
        "<noscript>\n<p>JavaScript is turned off. Press Continue to go on signing in.</p>\n\
         <button type=\"submit\">Continue</button>\n</noscript>\n</form>\n",
    );
    match csp_nonce {
        Some(nonce) => html.push_str(&format!(
            "<script nonce=\"{}\">{POST_FORM_SCRIPT}</script>\n",
            escape_html_attribute(nonce)
        )),
        None => html.push_str(&format!("<script>{POST_FORM_SCRIPT}</script>\n")),
    }
    html.push_str("</body>\n</html>\n");
    Ok(html)
}

#[cfg(all(test, feature = "inflate"))]
mod tests {
    use super::*;

    const XML: &[u8] =
        b"<samlp:AuthnRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" ID=\"_1\"/>";

    fn decode(query: &str) -> Result<RedirectMessage, Error> {
        RedirectMessage::decode(query, &Limits::default())
    }

    #[test]
    fn redirect_round_trip() {
        let url = redirect_url(
            "https://idp.example.com/sso",
            MessageParam::Request,
            XML,
            Some("/app?a=1&b=é"),
        );
        let (endpoint, query) = url.split_once('?').unwrap_or_default();
        assert_eq!(endpoint, "https://idp.example.com/sso");
        assert!(query.starts_with("SAMLRequest="));
        assert!(query.contains("&RelayState=%2Fapp%3Fa%3D1%26b%3D%C3%A9"));
        let message = decode(query).ok();
        assert_eq!(message.as_ref().map(RedirectMessage::xml), Some(XML));
        assert_eq!(
            message.as_ref().and_then(RedirectMessage::relay_state),
            Some("/app?a=1&b=é")
        );
        assert_eq!(
            message.as_ref().map(RedirectMessage::is_signed),
            Some(false)
        );
        assert_eq!(
            message.map(|m| m.verify_signature(&[], &AlgorithmPolicy::default()).err()),
            Some(Some(SignatureError::QuerySignatureMissing.into()))
        );
    }

    #[test]
    fn append_query_handles_existing_queries() {
        assert_eq!(append_query("https://a/x", "q=1"), "https://a/x?q=1");
        assert_eq!(
            append_query("https://a/x?t=2", "q=1"),
            "https://a/x?t=2&q=1"
        );
        assert_eq!(append_query("https://a/x?", "q=1"), "https://a/x?q=1");
    }

    #[test]
    fn decode_refuses_bad_queries() {
        let good = redirect_query(MessageParam::Request, XML, None);
        let value = good.trim_start_matches("SAMLRequest=");
        for (query, code) in [
            ("", "invalid_form"),
            ("RelayState=x", "invalid_form"),
            (
                &format!("SAMLRequest={value}&SAMLResponse={value}"),
                "invalid_form",
            ),
            (&format!("{good}&{good}"), "invalid_form"),
            (&format!("{good}&RelayState=a&RelayState=b"), "invalid_form"),
            ("SAMLRequest=%zz", "invalid_form"),
            ("SAMLRequest=!!!!", "invalid_base64"),
            ("SAMLRequest=AAAA", "invalid_deflate"),
            (&format!("{good}&SigAlg=x"), "query_signature_malformed"),
            (
                &format!("{good}&Signature=AAAA"),
                "query_signature_malformed",
            ),
            (
                &format!("{good}&SigAlg=x&Signature=%21"),
                "query_signature_malformed",
            ),
        ] {
            assert_eq!(decode(query).err().map(|e| e.code()), Some(code), "{query}");
        }
        // A '?' prefix, unknown parameters and the DEFLATE SAMLEncoding are fine.
        assert!(decode(&format!("?login_hint=a&{good}")).is_ok());
        let deflate = percent_encode_query_component(DEFLATE_ENCODING);
        assert!(decode(&format!("{good}&SAMLEncoding={deflate}")).is_ok());
        assert_eq!(
            decode(&format!("{good}&SAMLEncoding=urn%3Aother"))
                .err()
                .map(|e| e.code()),
            Some("invalid_form")
        );
    }

    #[test]
    fn decode_caps_sizes() {
        let bomb = vec![b' '; 1 << 20];
        let query = redirect_query(MessageParam::Response, &bomb, None);
        let limits = Limits::default();
        assert_eq!(
            decode(&query).err(),
            Some(Error::LimitExceeded {
                limit: "max_inflated_bytes",
                max: limits.max_inflated_bytes
            })
        );
        let small = Limits {
            max_input_bytes: 10,
            ..Limits::default()
        };
        assert_eq!(
            RedirectMessage::decode(&query, &small)
                .err()
                .map(|e| e.code()),
            Some("limit_exceeded")
        );
    }

    /// Every character that could end or open something in a double-quoted attribute.
    #[test]
    fn html_attribute_escaping() {
        assert_eq!(
            escape_html_attribute("a&b<c>d\"e'f"),
            "a&amp;b&lt;c&gt;d&quot;e&#39;f"
        );
    }

    /// Each cap admits exactly its size: the query (with or without its `?`) and the text the
    /// caller inflated.
    #[test]
    fn caps_admit_their_exact_size() {
        let query = redirect_query(MessageParam::Request, XML, Some("r"));
        let exact = Limits {
            max_input_bytes: query.len(),
            max_inflated_bytes: XML.len(),
            ..Limits::default()
        };
        let one_less = Limits {
            max_input_bytes: query.len() - 1,
            max_inflated_bytes: XML.len() - 1,
            ..Limits::default()
        };
        let input_limit = Some(Error::LimitExceeded {
            limit: "max_input_bytes",
            max: query.len() - 1,
        });
        assert!(RedirectMessage::decode(&query, &exact).is_ok());
        assert!(RedirectMessage::decode(&format!("?{query}"), &exact).is_ok());
        assert_eq!(
            RedirectMessage::decode(&query, &one_less).err(),
            input_limit
        );
        let inflated = Limits {
            max_inflated_bytes: XML.len(),
            ..Limits::default()
        };
        let decoded = RedirectMessage::decode_inflated(&query, &inflated, XML);
        assert_eq!(decoded.ok().map(|m| m.xml().to_vec()), Some(XML.to_vec()));
        let smaller = Limits {
            max_inflated_bytes: XML.len() - 1,
            ..Limits::default()
        };
        assert_eq!(
            RedirectMessage::decode_inflated(&query, &smaller, XML).err(),
            Some(Error::LimitExceeded {
                limit: "max_inflated_bytes",
                max: XML.len() - 1,
            })
        );
    }

    #[test]
    fn signed_octets_use_raw_values_in_spec_order() {
        let message = crate::encoding::lower_percent_escapes(&percent_encode_query_component(
            &encode_base64(&deflate_raw(XML)),
        ));
        let sig_alg = "http%3a%2f%2fwww.w3.org%2f2001%2f04%2fxmldsig-more%23rsa-sha256";
        let query =
            format!("SigAlg={sig_alg}&RelayState=a%2fb&Signature=AAAA&SAMLResponse={message}");
        let Ok(decoded) = decode(&query) else {
            panic!("lower-case escapes must decode");
        };
        assert_eq!(decoded.xml(), XML);
        assert!(decoded.is_signed());
        assert_eq!(decoded.param(), MessageParam::Response);
        assert_eq!(
            decoded.signed_octets().unwrap_or_default(),
            format!("SAMLResponse={message}&RelayState=a%2fb&SigAlg={sig_alg}")
        );
        assert_eq!(
            decoded.signature_algorithm_uri(),
            Some("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
        );
    }

    #[test]
    fn post_form_escapes_and_carries_the_nonce() {
        let html = post_form_html(
            "https://idp.example.com/sso?a=1&b=\"2\"",
            MessageParam::Request,
            XML,
            Some("\"><script>alert(1)</script>"),
            Some("r4nd0m+/=="),
        )
        .unwrap_or_default();
        assert!(html.contains("action=\"https://idp.example.com/sso?a=1&amp;b=&quot;2&quot;\""));
        assert!(html.contains("value=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\""));
        assert!(html.contains("<script nonce=\"r4nd0m+/==\">document.forms[0].submit();</script>"));
        assert!(html.contains("<noscript>") && html.contains("<button type=\"submit\">"));
        assert_eq!(html.matches("<script").count(), 1);
        for bad in ["", "a b", "\"x", "abc===", &"a".repeat(300)] {
            assert_eq!(
                post_form_html("https://x/", MessageParam::Request, XML, None, Some(bad))
                    .err()
                    .map(|e| e.code()),
                Some("config_invalid"),
                "{bad}"
            );
        }
    }

    #[test]
    fn script_hash_matches_the_script() {
        let hash = crate::crypto::DigestAlgorithm::Sha256.digest(POST_FORM_SCRIPT.as_bytes());
        assert_eq!(
            POST_FORM_SCRIPT_CSP_HASH,
            format!("'sha256-{}'", encode_base64(&hash))
        );
    }
}
