//! The AuthnRequest: what the service provider sends the IdP to start a sign-in (SAML core
//! §3.4.1), shaped for Microsoft Entra ID.
//!
//! What is written, and why:
//!
//! * `ID` = `_` + the caller's random bytes in hex (at least 16 bytes, 128 bits). An ID is an
//!   NCName and Entra refuses IDs that start with a digit (AADSTS7500529); the `_` makes that
//!   impossible. The core takes the random bytes as an argument: it never reads an RNG.
//! * `Version="2.0"`, `IssueInstant` (UTC, whole seconds, `Z`), `Destination` = the IdP SSO URL,
//!   `AssertionConsumerServiceURL` = the ACS URL (Entra: must equal a Reply URL, else
//!   AADSTS50011), `ProtocolBinding` = HTTP-POST (Entra answers only by POST).
//! * `Issuer` = the SP entity ID (Entra: must equal the Identifier, else AADSTS700016).
//! * Options: `ForceAuthn`, `IsPassive`, `NameIDPolicy` (none by default: Entra then uses the
//!   application's configured NameID; it accepts only the persistent, emailAddress, unspecified
//!   and transient formats), `RequestedAuthnContext` (never by default: a mismatch with how the
//!   user signed in is AADSTS75011).
//! * Never a `Subject` (Entra rejects it); [`AuthnRequestOptions::login_hint`] becomes the
//!   `login_hint` query parameter instead.
//!
//! [`AuthnRequest::redirect_url`] and [`AuthnRequest::post_form_html`] apply the bindings (see
//! [`crate::saml::bindings`]); with signing credentials (feature `sign`) the Redirect URL carries
//! a query signature and the POST form an enveloped XML signature, both RSA-SHA256.

use crate::Error;
use crate::encoding::percent_encode_query_component;
use crate::error::ConfigError;
use crate::saml::bindings::{self, MessageParam};
use crate::saml::metadata::HTTP_POST;
use crate::saml::values::{check_entity_id, check_http_url, check_text, check_uri, invalid};
use crate::saml::{ASSERTION_NS, PROTOCOL_NS};
use crate::time::UnixTime;
use crate::xml::writer::{escape_attribute, escape_text};

/// NameID format `urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress` (Entra's default).
pub const NAMEID_FORMAT_EMAIL: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
/// NameID format `urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified`.
pub const NAMEID_FORMAT_UNSPECIFIED: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified";
/// NameID format `urn:oasis:names:tc:SAML:2.0:nameid-format:persistent`.
pub const NAMEID_FORMAT_PERSISTENT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";
/// NameID format `urn:oasis:names:tc:SAML:2.0:nameid-format:transient`.
pub const NAMEID_FORMAT_TRANSIENT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient";

/// Fewest random bytes accepted for a request ID (128 bits).
pub const MIN_ID_RANDOM_BYTES: usize = 16;
/// Most random bytes used for a request ID (the ID stays a reasonable size).
pub const MAX_ID_RANDOM_BYTES: usize = 64;
/// Longest RelayState accepted, in bytes. The bindings specification asks for at most 80 bytes;
/// Entra accepts more, but keep it short (a path or an opaque key), and integrity-protect it.
pub const MAX_RELAY_STATE_BYTES: usize = 2048;
/// Longest `login_hint` accepted, in bytes.
pub const MAX_LOGIN_HINT_BYTES: usize = 512;

/// Per-request choices. `AuthnRequestOptions::default()` is what Entra ID wants: no options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthnRequestOptions {
    /// Opaque state the IdP returns unchanged with the response (e.g. the path to go back to).
    /// Sent as the `RelayState` parameter; at most [`MAX_RELAY_STATE_BYTES`].
    pub relay_state: Option<String>,
    /// `ForceAuthn="true"`: the user must authenticate again even with an IdP session.
    pub force_authn: bool,
    /// `IsPassive="true"`: the IdP must not interact with the user (silent SSO or an error).
    pub is_passive: bool,
    /// A `NameIDPolicy` element; `None` (the default) lets the IdP use its configured format.
    pub name_id_policy: Option<NameIdPolicy>,
    /// A `RequestedAuthnContext`; `None` by default (Entra: a mismatch is AADSTS75011).
    pub requested_authn_context: Option<RequestedAuthnContext>,
    /// A user name to pre-fill at the IdP, sent as the `login_hint` query parameter (Entra reads
    /// it; a `Subject` in the request would be rejected).
    pub login_hint: Option<String>,
}

/// The `NameIDPolicy` of a request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameIdPolicy {
    /// The requested NameID format URI (see the `NAMEID_FORMAT_*` constants; Entra accepts only
    /// those four).
    pub format: Option<String>,
    /// `AllowCreate` (Entra ignores it).
    pub allow_create: Option<bool>,
}

/// How the IdP compares a `RequestedAuthnContext` with how the user authenticated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AuthnContextComparison {
    /// `exact` (the only one Entra accepts).
    #[default]
    Exact,
    /// `minimum`.
    Minimum,
    /// `maximum`.
    Maximum,
    /// `better`.
    Better,
}

impl AuthnContextComparison {
    /// The attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthnContextComparison::Exact => "exact",
            AuthnContextComparison::Minimum => "minimum",
            AuthnContextComparison::Maximum => "maximum",
            AuthnContextComparison::Better => "better",
        }
    }
}

/// A `RequestedAuthnContext` with one or more `AuthnContextClassRef` URIs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestedAuthnContext {
    /// The comparison.
    pub comparison: AuthnContextComparison,
    /// The class references (at least one), e.g.
    /// `urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport`.
    pub class_refs: Vec<String>,
}

/// Who sends the request to whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestEndpoints<'a> {
    /// The SP entity ID (`Issuer`).
    pub sp_entity_id: &'a str,
    /// The SP's ACS URL (`AssertionConsumerServiceURL`).
    pub acs_url: &'a str,
    /// The IdP's single sign-on URL (`Destination`, and where the browser goes).
    pub idp_sso_url: &'a str,
}

/// An AuthnRequest ready to be sent with the HTTP-Redirect or HTTP-POST binding.
#[derive(Debug, Clone)]
pub struct AuthnRequest {
    /// The request ID.
    id: String,
    /// When it was issued.
    issue_instant: UnixTime,
    /// The IdP SSO URL.
    destination: String,
    /// The unsigned XML.
    xml: String,
    /// Byte offset in `xml` right after `</saml:Issuer>`, where an enveloped signature goes.
    #[cfg_attr(not(feature = "sign"), allow(dead_code))]
    signature_offset: usize,
    /// The RelayState.
    relay_state: Option<String>,
    /// The `login_hint` query parameter.
    login_hint: Option<String>,
    /// The SP's signing credentials, when requests are signed.
    #[cfg(feature = "sign")]
    credentials: Option<crate::saml::signer::SigningCredentials>,
}

/// The request ID for `random`: `_` + lowercase hex.
pub(crate) fn request_id(random: &[u8]) -> Result<String, ConfigError> {
    const FIELD: &str = "request_id_bytes";
    if random.len() < MIN_ID_RANDOM_BYTES {
        return Err(invalid(
            FIELD,
            format!(
                "{} random bytes given, at least {MIN_ID_RANDOM_BYTES} are needed",
                random.len()
            ),
        ));
    }
    if random.iter().all(|byte| *byte == 0) {
        return Err(invalid(
            FIELD,
            "the random bytes are all zero; pass bytes from a cryptographic RNG",
        ));
    }
    let mut id = String::with_capacity(1 + 2 * MAX_ID_RANDOM_BYTES);
    id.push('_');
    for byte in random.iter().take(MAX_ID_RANDOM_BYTES) {
        id.push_str(&format!("{byte:02x}"));
    }
    Ok(id)
}

/// Appends ` name="value"` (escaped).
fn push_attribute(xml: &mut String, name: &str, value: &str) {
    xml.push(' ');
    xml.push_str(name);
    xml.push_str("=\"");
    xml.push_str(&escape_attribute(value));
    xml.push('"');
}

/// Checks the options before anything is written.
fn check_options(options: &AuthnRequestOptions) -> Result<(), ConfigError> {
    if let Some(relay_state) = &options.relay_state {
        check_text("relay_state", relay_state, MAX_RELAY_STATE_BYTES)?;
    }
    if let Some(hint) = &options.login_hint {
        check_text("login_hint", hint, MAX_LOGIN_HINT_BYTES)?;
        if hint.is_empty() {
            return Err(invalid("login_hint", "is empty"));
        }
    }
    if let Some(format) = options
        .name_id_policy
        .as_ref()
        .and_then(|p| p.format.as_deref())
    {
        check_uri("name_id_policy.format", format)?;
    }
    if let Some(context) = &options.requested_authn_context {
        if context.class_refs.is_empty() {
            return Err(invalid(
                "requested_authn_context",
                "needs at least one AuthnContextClassRef",
            ));
        }
        for class_ref in &context.class_refs {
            check_uri("requested_authn_context.class_refs", class_ref)?;
        }
    }
    Ok(())
}

/// Writes the XML; returns it and the offset right after the Issuer.
fn write_xml(
    endpoints: &RequestEndpoints<'_>,
    options: &AuthnRequestOptions,
    id: &str,
    issue_instant: UnixTime,
) -> (String, usize) {
    let mut xml = String::with_capacity(1024);
    xml.push_str("<samlp:AuthnRequest");
    push_attribute(&mut xml, "xmlns:samlp", PROTOCOL_NS);
    push_attribute(&mut xml, "xmlns:saml", ASSERTION_NS);
    push_attribute(&mut xml, "ID", id);
    push_attribute(&mut xml, "Version", "2.0");
    push_attribute(&mut xml, "IssueInstant", &issue_instant.to_rfc3339());
    push_attribute(&mut xml, "Destination", endpoints.idp_sso_url);
    if options.force_authn {
        push_attribute(&mut xml, "ForceAuthn", "true");
    }
    if options.is_passive {
        push_attribute(&mut xml, "IsPassive", "true");
    }
    push_attribute(&mut xml, "ProtocolBinding", HTTP_POST);
    push_attribute(&mut xml, "AssertionConsumerServiceURL", endpoints.acs_url);
    xml.push_str("><saml:Issuer>");
    xml.push_str(&escape_text(endpoints.sp_entity_id));
    xml.push_str("</saml:Issuer>");
    let signature_offset = xml.len();
    if let Some(policy) = &options.name_id_policy {
        xml.push_str("<samlp:NameIDPolicy");
        if let Some(format) = &policy.format {
            push_attribute(&mut xml, "Format", format);
        }
        if let Some(allow_create) = policy.allow_create {
            push_attribute(
                &mut xml,
                "AllowCreate",
                if allow_create { "true" } else { "false" },
            );
        }
        xml.push_str("/>");
    }
    if let Some(context) = &options.requested_authn_context {
        xml.push_str("<samlp:RequestedAuthnContext");
        push_attribute(&mut xml, "Comparison", context.comparison.as_str());
        xml.push('>');
        for class_ref in &context.class_refs {
            xml.push_str("<saml:AuthnContextClassRef>");
            xml.push_str(&escape_text(class_ref));
            xml.push_str("</saml:AuthnContextClassRef>");
        }
        xml.push_str("</samlp:RequestedAuthnContext>");
    }
    xml.push_str("</samlp:AuthnRequest>");
    (xml, signature_offset)
}

impl AuthnRequest {
    /// Builds an unsigned AuthnRequest issued at `now` (truncated to whole seconds), with an ID
    /// made from `id_random` (at least [`MIN_ID_RANDOM_BYTES`] bytes from a cryptographic RNG;
    /// at most [`MAX_ID_RANDOM_BYTES`] are used).
    ///
    /// Configuration problems (an endpoint that is not an http(s) URL, an empty or padded
    /// entity ID, too few or all-zero random bytes, a RelayState with control characters…) give
    /// [`ConfigError`] naming the setting.
    pub fn new(
        endpoints: &RequestEndpoints<'_>,
        options: AuthnRequestOptions,
        now: UnixTime,
        id_random: &[u8],
    ) -> Result<AuthnRequest, Error> {
        check_entity_id("entity_id", endpoints.sp_entity_id)?;
        check_http_url("acs_url", endpoints.acs_url)?;
        check_http_url("idp.sso_url", endpoints.idp_sso_url)?;
        check_options(&options)?;
        let id = request_id(id_random)?;
        let issue_instant = UnixTime::from_secs(now.as_secs());
        let (xml, signature_offset) = write_xml(endpoints, &options, &id, issue_instant);
        Ok(AuthnRequest {
            id,
            issue_instant,
            destination: endpoints.idp_sso_url.to_owned(),
            xml,
            signature_offset,
            relay_state: options.relay_state,
            login_hint: options.login_hint,
            #[cfg(feature = "sign")]
            credentials: None,
        })
    }

    /// Signs the request with `credentials` when it is sent: a query signature with the
    /// Redirect binding, an enveloped signature with the POST binding (both RSA-SHA256).
    #[cfg(feature = "sign")]
    pub fn signed_with(mut self, credentials: crate::saml::signer::SigningCredentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// The request ID: keep it (e.g. in a signed cookie) and pass it as
    /// [`crate::Expect::request_id`] when the response comes back.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// When the request was issued (whole seconds).
    pub fn issue_instant(&self) -> UnixTime {
        self.issue_instant
    }

    /// The IdP SSO URL the request is sent to.
    pub fn destination(&self) -> &str {
        &self.destination
    }

    /// The RelayState sent with the request.
    pub fn relay_state(&self) -> Option<&str> {
        self.relay_state.as_deref()
    }

    /// The unsigned XML of the request (what the Redirect binding compresses).
    pub fn xml(&self) -> &str {
        &self.xml
    }

    /// Whether the request is signed when sent.
    pub fn is_signed(&self) -> bool {
        #[cfg(feature = "sign")]
        {
            self.credentials.is_some()
        }
        #[cfg(not(feature = "sign"))]
        {
            false
        }
    }

    /// The URL to redirect the browser to (HTTP-Redirect binding, answer with `302` and
    /// `Cache-Control: no-cache, no-store`): the IdP SSO URL with `SAMLRequest`, `RelayState`,
    /// `SigAlg` and `Signature` (when signed) and `login_hint` (when given) appended.
    ///
    /// Fails only if signing fails.
    pub fn redirect_url(&self) -> Result<String, Error> {
        let relay_state = self.relay_state.as_deref();
        let xml = self.xml.as_bytes();
        #[cfg(feature = "sign")]
        let url = match &self.credentials {
            Some(credentials) => bindings::signed_redirect_url(
                &self.destination,
                MessageParam::Request,
                xml,
                relay_state,
                credentials,
            )?,
            None => {
                bindings::redirect_url(&self.destination, MessageParam::Request, xml, relay_state)
            }
        };
        #[cfg(not(feature = "sign"))]
        let url =
            bindings::redirect_url(&self.destination, MessageParam::Request, xml, relay_state);
        Ok(self.with_login_hint(url))
    }

    /// Appends `&login_hint=…` when a hint was given.
    fn with_login_hint(&self, url: String) -> String {
        match &self.login_hint {
            Some(hint) => bindings::append_query(
                &url,
                &format!("login_hint={}", percent_encode_query_component(hint)),
            ),
            None => url,
        }
    }

    /// The XML as the HTTP-POST binding sends it: with an enveloped signature (exclusive c14n,
    /// RSA-SHA256, right after the Issuer, with the SP certificate in `KeyInfo` when
    /// configured) when the request is signed, else [`AuthnRequest::xml`].
    pub fn post_xml(&self) -> Result<String, Error> {
        #[cfg(feature = "sign")]
        if let Some(credentials) = &self.credentials {
            return crate::saml::signer::sign_enveloped(
                &self.xml,
                self.signature_offset,
                credentials,
            );
        }
        Ok(self.xml.clone())
    }

    /// An HTML page that POSTs the request to the IdP (HTTP-POST binding); see
    /// [`bindings::post_form_html`]. The `login_hint`, if any, is added to the form's action URL.
    pub fn post_form_html(&self) -> Result<String, Error> {
        self.post_form(None)
    }

    /// Like [`AuthnRequest::post_form_html`], with `nonce="…"` on the `<script>` for a
    /// `Content-Security-Policy: script-src 'nonce-…'`.
    pub fn post_form_html_with_nonce(&self, csp_nonce: &str) -> Result<String, Error> {
        self.post_form(Some(csp_nonce))
    }

    fn post_form(&self, csp_nonce: Option<&str>) -> Result<String, Error> {
        let xml = self.post_xml()?;
        let action = self.with_login_hint(self.destination.clone());
        bindings::post_form_html(
            &action,
            MessageParam::Request,
            xml.as_bytes(),
            self.relay_state.as_deref(),
            csp_nonce,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Limits;
    use crate::saml::bindings::RedirectMessage;
    use crate::xml::Document;

    const ENDPOINTS: RequestEndpoints<'static> = RequestEndpoints {
        sp_entity_id: "https://app.example.com/saml/metadata",
        acs_url: "https://app.example.com/saml/acs",
        idp_sso_url: "https://login.microsoftonline.com/tenant/saml2",
    };
    const RANDOM: [u8; 16] = [
        0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32,
        0x10,
    ];

    fn now() -> UnixTime {
        UnixTime::from_millis(1_767_225_600_123) // 2026-01-01T00:00:00.123Z
    }

    fn request(options: AuthnRequestOptions) -> AuthnRequest {
        match AuthnRequest::new(&ENDPOINTS, options, now(), &RANDOM) {
            Ok(request) => request,
            Err(err) => panic!("{err}"),
        }
    }

    #[test]
    fn minimal_request_has_every_required_attribute() {
        let req = request(AuthnRequestOptions::default());
        assert_eq!(req.id(), "_0123456789abcdeffedcba9876543210");
        assert_eq!(
            req.xml(),
            "<samlp:AuthnRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" \
             xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" \
             ID=\"_0123456789abcdeffedcba9876543210\" Version=\"2.0\" \
             IssueInstant=\"2026-01-01T00:00:00Z\" \
             Destination=\"https://login.microsoftonline.com/tenant/saml2\" \
             ProtocolBinding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\" \
             AssertionConsumerServiceURL=\"https://app.example.com/saml/acs\">\
             <saml:Issuer>https://app.example.com/saml/metadata</saml:Issuer>\
             </samlp:AuthnRequest>"
        );
        assert!(!req.is_signed());
        assert!(Document::parse(req.xml().as_bytes(), &Limits::default()).is_ok());
    }

    #[test]
    fn options_are_written_in_schema_order() {
        let req = request(AuthnRequestOptions {
            force_authn: true,
            name_id_policy: Some(NameIdPolicy {
                format: Some(NAMEID_FORMAT_EMAIL.to_owned()),
                allow_create: Some(true),
            }),
            requested_authn_context: Some(RequestedAuthnContext {
                comparison: AuthnContextComparison::Exact,
                class_refs: vec!["urn:oasis:names:tc:SAML:2.0:ac:classes:Password".to_owned()],
            }),
            ..AuthnRequestOptions::default()
        });
        let xml = req.xml();
        assert!(xml.contains(" ForceAuthn=\"true\" "));
        assert!(!xml.contains("IsPassive"));
        let issuer = xml.find("</saml:Issuer>").unwrap_or(usize::MAX);
        let policy = xml.find("<samlp:NameIDPolicy Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress\" AllowCreate=\"true\"/>").unwrap_or(0);
        let context = xml
            .find("<samlp:RequestedAuthnContext Comparison=\"exact\"><saml:AuthnContextClassRef>")
            .unwrap_or(0);
        assert!(issuer < policy && policy < context, "{xml}");
        assert!(!xml.contains("Subject"));
    }

    #[test]
    fn redirect_url_decodes_back_and_carries_the_hint() {
        let req = request(AuthnRequestOptions {
            relay_state: Some("/dashboard?tab=1".to_owned()),
            login_hint: Some("alice@example.com".to_owned()),
            ..AuthnRequestOptions::default()
        });
        let url = req.redirect_url().unwrap_or_default();
        let (endpoint, query) = url.split_once('?').unwrap_or_default();
        assert_eq!(endpoint, ENDPOINTS.idp_sso_url);
        assert!(
            query.ends_with("&login_hint=alice%40example.com"),
            "{query}"
        );
        let message = RedirectMessage::decode(query, &Limits::default()).ok();
        assert_eq!(
            message.as_ref().map(RedirectMessage::xml),
            Some(req.xml().as_bytes())
        );
        assert_eq!(
            message.as_ref().and_then(RedirectMessage::relay_state),
            Some("/dashboard?tab=1")
        );
        let html = req.post_form_html().unwrap_or_default();
        assert!(html.contains(
            "action=\"https://login.microsoftonline.com/tenant/saml2?login_hint=alice%40example.com\""
        ));
    }

    #[test]
    fn configuration_errors_name_the_setting() {
        let cases: Vec<(RequestEndpoints<'_>, AuthnRequestOptions, &[u8], &str)> = vec![
            (
                RequestEndpoints {
                    acs_url: "/saml/acs",
                    ..ENDPOINTS
                },
                AuthnRequestOptions::default(),
                &RANDOM,
                "config_invalid",
            ),
            (
                RequestEndpoints {
                    idp_sso_url: "",
                    ..ENDPOINTS
                },
                AuthnRequestOptions::default(),
                &RANDOM,
                "config_missing",
            ),
            (
                RequestEndpoints {
                    sp_entity_id: "x ",
                    ..ENDPOINTS
                },
                AuthnRequestOptions::default(),
                &RANDOM,
                "config_invalid",
            ),
            (
                ENDPOINTS,
                AuthnRequestOptions::default(),
                &RANDOM[..15],
                "config_invalid",
            ),
            (
                ENDPOINTS,
                AuthnRequestOptions::default(),
                &[0u8; 16],
                "config_invalid",
            ),
            (
                ENDPOINTS,
                AuthnRequestOptions {
                    relay_state: Some("a\nb".to_owned()),
                    ..AuthnRequestOptions::default()
                },
                &RANDOM,
                "config_invalid",
            ),
            (
                ENDPOINTS,
                AuthnRequestOptions {
                    name_id_policy: Some(NameIdPolicy {
                        format: Some("email".to_owned()),
                        allow_create: None,
                    }),
                    ..AuthnRequestOptions::default()
                },
                &RANDOM,
                "config_invalid",
            ),
            (
                ENDPOINTS,
                AuthnRequestOptions {
                    requested_authn_context: Some(RequestedAuthnContext::default()),
                    ..AuthnRequestOptions::default()
                },
                &RANDOM,
                "config_invalid",
            ),
        ];
        for (endpoints, options, random, code) in cases {
            let result = AuthnRequest::new(&endpoints, options.clone(), now(), random);
            assert_eq!(result.err().map(|e| e.code()), Some(code), "{options:?}");
        }
    }

    #[test]
    fn long_random_input_is_truncated_and_ids_never_start_with_a_digit() {
        let random = [0x9au8; 100];
        let req = AuthnRequest::new(&ENDPOINTS, AuthnRequestOptions::default(), now(), &random);
        let id = req.map(|r| r.id().to_owned()).unwrap_or_default();
        assert_eq!(id.len(), 1 + 2 * MAX_ID_RANDOM_BYTES);
        assert!(id.starts_with('_') && crate::xml::is_ncname(&id));
    }

    #[cfg(feature = "sign")]
    mod signed {
        use super::*;
        use crate::danger::AlgorithmPolicy;
        use crate::dsig::verify_enveloped;
        use crate::saml::signer::tests::credentials;

        #[test]
        fn post_xml_carries_a_signature_dsig_verifies_after_the_issuer() {
            let req = request(AuthnRequestOptions {
                name_id_policy: Some(NameIdPolicy {
                    format: Some(NAMEID_FORMAT_UNSPECIFIED.to_owned()),
                    allow_create: None,
                }),
                ..AuthnRequestOptions::default()
            })
            .signed_with(credentials());
            assert!(req.is_signed());
            let xml = req.post_xml().unwrap_or_default();
            let Ok(doc) = Document::parse(xml.as_bytes(), &Limits::default()) else {
                panic!("{xml}");
            };
            let children: Vec<_> = doc.child_elements(doc.root()).collect();
            let names: Vec<&str> = children.iter().map(|(_, e)| e.local_name()).collect();
            assert_eq!(names, ["Issuer", "Signature", "NameIDPolicy"]);
            let signature = children.get(1).map(|(id, _)| *id).unwrap_or(doc.root());
            let trusted: Vec<_> = credentials().certificate().cloned().into_iter().collect();
            let verified = verify_enveloped(&doc, signature, &trusted, &AlgorithmPolicy::default());
            assert_eq!(verified.map(|v| v.node()).ok(), Some(doc.root()));
            // The Redirect binding never carries an XML signature.
            assert!(!req.xml().contains("Signature"));
        }

        #[test]
        fn redirect_signature_verifies_over_the_query_as_sent() {
            let req = request(AuthnRequestOptions {
                relay_state: Some("/x y".to_owned()),
                ..AuthnRequestOptions::default()
            })
            .signed_with(credentials());
            let url = req.redirect_url().unwrap_or_default();
            let query = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
            assert!(query.contains(
                "&SigAlg=http%3A%2F%2Fwww.w3.org%2F2001%2F04%2Fxmldsig-more%23rsa-sha256&Signature="
            ));
            let Ok(message) = RedirectMessage::decode(query, &Limits::default()) else {
                panic!("{query}");
            };
            let trusted: Vec<_> = credentials().certificate().cloned().into_iter().collect();
            let verified = message.verify_signature(&trusted, &AlgorithmPolicy::default());
            assert_eq!(verified.map(|v| v.certificate_index).ok(), Some(0));
            // Changing the RelayState breaks the signature.
            let tampered = query.replace("RelayState=%2Fx%20y", "RelayState=%2Fz");
            let message = RedirectMessage::decode(&tampered, &Limits::default()).ok();
            assert_eq!(
                message.map(|m| m
                    .verify_signature(&trusted, &AlgorithmPolicy::default())
                    .err()),
                Some(Some(crate::error::SignatureError::InvalidSignature.into()))
            );
        }
    }
}
