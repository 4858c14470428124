//! Single Logout (SAML core §3.7, profiles §4.4) shaped for Microsoft Entra ID: the
//! `LogoutRequest` and `LogoutResponse` the SP sends, and the checks of those it receives.
//!
//! Outgoing ([`LogoutRequest::new`], [`LogoutResponse::new`]):
//! * `ID` = `_` + the caller's random bytes in hex (never starts with a digit: Entra refuses
//!   such IDs), `Version="2.0"`, `IssueInstant` (UTC, whole seconds), `Destination` = the IdP's
//!   SLO URL, `Issuer` = the SP entity ID.
//! * LogoutRequest: the `NameID` exactly as the assertion carried it, with its `Format`,
//!   `NameQualifier` and `SPNameQualifier` ([`NameId`], from [`crate::Identity::name_id`]), and the
//!   `SessionIndex` of the AuthnStatement.
//! * LogoutResponse: `InResponseTo` and a `Status`.
//! * HTTP-Redirect (DEFLATE + base64, a query signature when the SP has a signing key) or
//!   HTTP-POST (an enveloped signature when it has one).
//!
//! Incoming ([`crate::ServiceProvider::verify_logout_request`] and
//! [`crate::ServiceProvider::verify_logout_response`]), in this order:
//! 1. the signature: HTTP-Redirect needs a query signature over the raw query octets
//!    (`query_signature_missing` otherwise), HTTP-POST an enveloped signature of the root right
//!    after its Issuer (`signature_missing`); both with the IdP's certificates only, SHA-1 only
//!    with `danger_allow_sha1`;
//! 2. the root element (`not_a_logout_message`) and `Version` (`saml_unsupported_version`);
//! 3. `Issuer` (`issuer_mismatch`): the IdP entity ID, or one of its logout issuers (Entra signs
//!    logout messages as `https://login.microsoftonline.com/<tenant>/`, derived automatically
//!    from `https://sts.windows.net/<tenant>/`; see [`crate::IdentityProvider::logout_issuer`]);
//! 4. `Destination` = the SP's SLO URL (`destination_mismatch`; required, as every signed
//!    message must carry it);
//! 5. `IssueInstant` not after now + skew (`message_not_yet_valid`) and not before
//!    now − skew − [`MAX_MESSAGE_AGE_SECS`] (`message_expired`); a LogoutRequest's
//!    `NotOnOrAfter` not passed beyond the skew (`message_expired`);
//! 6. LogoutResponse: `InResponseTo` = the ID of the request this SP sent
//!    (`in_response_to_mismatch`), then `Status` Success (`status_not_success`). LogoutRequest:
//!    exactly one `NameID` (`saml_malformed`), its `SessionIndex` values.
//!
//! Replay of a LogoutRequest is the caller's to refuse: keep [`VerifiedLogoutRequest::id`]
//! until [`VerifiedLogoutRequest::replay_until`].

use crate::Error;
use crate::Limits;
use crate::danger::AlgorithmPolicy;
use crate::dsig::{self, DSIG_NS};
use crate::error::{ConfigError, Part, SamlError, SignatureError, malformed};
use crate::saml::assertion::{NameId, read_name_id};
use crate::saml::authn_request::{MAX_RELAY_STATE_BYTES, request_id};
use crate::saml::bindings::{self, MessageParam, RedirectMessage};
use crate::saml::checks::{check_version, simple_text, time_attribute, uri_text};
use crate::saml::structure::check_status;
use crate::saml::values::{check_entity_id, check_http_url, check_text, check_uri};
use crate::saml::{ASSERTION_NS, ENTITY_FORMAT, PROTOCOL_NS};
use crate::time::UnixTime;
use crate::x509::Certificate;
use crate::xml::writer::{escape_attribute, escape_text};
use crate::xml::{Document, NodeId};

/// How old (beyond the clock skew) an incoming logout message may be: 5 minutes.
pub const MAX_MESSAGE_AGE_SECS: i64 = 300;

/// Entra's entity ID host for assertions.
const ENTRA_STS: &str = "https://sts.windows.net/";
/// Entra's issuer host for logout messages.
const ENTRA_LOGIN: &str = "https://login.microsoftonline.com/";

/// The Entra logout Issuer for an Entra assertion Issuer: `https://sts.windows.net/<tenant>/`
/// becomes `https://login.microsoftonline.com/<tenant>/`.
pub(crate) fn entra_logout_issuer(idp_entity_id: &str) -> Option<String> {
    let tenant = idp_entity_id.strip_prefix(ENTRA_STS)?.strip_suffix('/')?;
    (!tenant.is_empty() && !tenant.contains('/')).then(|| format!("{ENTRA_LOGIN}{tenant}/"))
}

/// A logout message the SP sends: its XML and how to deliver it.
#[derive(Debug, Clone)]
struct Outgoing {
    id: String,
    issue_instant: UnixTime,
    destination: String,
    param: MessageParam,
    xml: String,
    /// Byte offset in `xml` right after `</saml:Issuer>`, where an enveloped signature goes.
    #[cfg_attr(not(feature = "sign"), allow(dead_code))]
    signature_offset: usize,
    relay_state: Option<String>,
    #[cfg(feature = "sign")]
    credentials: Option<crate::saml::signer::SigningCredentials>,
}

impl Outgoing {
    #[allow(clippy::too_many_arguments)]
    /// Checks the common values and writes `<samlp:{root} … ><saml:Issuer>…</saml:Issuer>`.
    fn start(
        root: &str,
        param: MessageParam,
        sp_entity_id: &str,
        destination: &str,
        in_response_to: Option<&str>,
        relay_state: Option<&str>,
        now: UnixTime,
        id_random: &[u8],
    ) -> Result<Outgoing, Error> {
        check_entity_id("entity_id", sp_entity_id)?;
        check_http_url("idp.slo_url", destination)?;
        if let Some(relay_state) = relay_state {
            check_text("relay_state", relay_state, MAX_RELAY_STATE_BYTES)?;
        }
        let id = request_id(id_random)?;
        let issue_instant = UnixTime::from_secs(now.as_secs());
        let mut xml = format!(
            "<samlp:{root} xmlns:samlp=\"{PROTOCOL_NS}\" xmlns:saml=\"{ASSERTION_NS}\" ID=\"{id}\""
        );
        if let Some(in_response_to) = in_response_to {
            xml.push_str(&format!(
                " InResponseTo=\"{}\"",
                escape_attribute(in_response_to)
            ));
        }
        xml.push_str(&format!(
            " Version=\"2.0\" IssueInstant=\"{}\" Destination=\"{}\"><saml:Issuer>{}</saml:Issuer>",
            issue_instant.to_rfc3339(),
            escape_attribute(destination),
            escape_text(sp_entity_id)
        ));
        let signature_offset = xml.len();
        Ok(Outgoing {
            id,
            issue_instant,
            destination: destination.to_owned(),
            param,
            xml,
            signature_offset,
            relay_state: relay_state.map(str::to_owned),
            #[cfg(feature = "sign")]
            credentials: None,
        })
    }

    fn redirect_url(&self) -> Result<String, Error> {
        let relay_state = self.relay_state.as_deref();
        let xml = self.xml.as_bytes();
        #[cfg(feature = "sign")]
        if let Some(credentials) = &self.credentials {
            return bindings::signed_redirect_url(
                &self.destination,
                self.param,
                xml,
                relay_state,
                credentials,
            );
        }
        Ok(bindings::redirect_url(
            &self.destination,
            self.param,
            xml,
            relay_state,
        ))
    }

    fn post_xml(&self) -> Result<String, Error> {
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

    fn post_form_html(&self, csp_nonce: Option<&str>) -> Result<String, Error> {
        bindings::post_form_html(
            &self.destination,
            self.param,
            self.post_xml()?.as_bytes(),
            self.relay_state.as_deref(),
            csp_nonce,
        )
    }

    fn is_signed(&self) -> bool {
        #[cfg(feature = "sign")]
        {
            self.credentials.is_some()
        }
        #[cfg(not(feature = "sign"))]
        {
            false
        }
    }
}

/// Methods shared by [`LogoutRequest`] and [`LogoutResponse`].
macro_rules! outgoing_methods {
    ($name:ident) => {
        impl $name {
            /// The message ID (keep a LogoutRequest's to check the LogoutResponse).
            pub fn id(&self) -> &str {
                &self.0.id
            }

            /// When the message was issued (whole seconds).
            pub fn issue_instant(&self) -> UnixTime {
                self.0.issue_instant
            }

            /// The IdP SLO URL the message is sent to.
            pub fn destination(&self) -> &str {
                &self.0.destination
            }

            /// The RelayState sent with the message.
            pub fn relay_state(&self) -> Option<&str> {
                self.0.relay_state.as_deref()
            }

            /// The unsigned XML (what the Redirect binding compresses).
            pub fn xml(&self) -> &str {
                &self.0.xml
            }

            /// Whether the message is signed when sent.
            pub fn is_signed(&self) -> bool {
                self.0.is_signed()
            }

            /// Signs the message when it is sent: a query signature with the Redirect binding,
            /// an enveloped signature with POST (both RSA-SHA256).
            #[cfg(feature = "sign")]
            pub fn signed_with(
                mut self,
                credentials: crate::saml::signer::SigningCredentials,
            ) -> Self {
                self.0.credentials = Some(credentials);
                self
            }

            /// The URL to redirect the browser to (HTTP-Redirect binding; answer `302` with
            /// `Cache-Control: no-store`). Fails only if signing fails.
            pub fn redirect_url(&self) -> Result<String, Error> {
                self.0.redirect_url()
            }

            /// The XML as the HTTP-POST binding sends it (with an enveloped signature when
            /// signed).
            pub fn post_xml(&self) -> Result<String, Error> {
                self.0.post_xml()
            }

            /// An HTML page that POSTs the message to the IdP (HTTP-POST binding), with
            /// `nonce="…"` on its script when `csp_nonce` is given.
            pub fn post_form_html(&self, csp_nonce: Option<&str>) -> Result<String, Error> {
                self.0.post_form_html(csp_nonce)
            }
        }
    };
}

/// A LogoutRequest the SP sends to the IdP (SP-initiated logout).
#[derive(Debug, Clone)]
pub struct LogoutRequest(Outgoing);

/// A LogoutResponse the SP sends to the IdP (answering an IdP-initiated logout).
#[derive(Debug, Clone)]
pub struct LogoutResponse(Outgoing);

outgoing_methods!(LogoutRequest);
outgoing_methods!(LogoutResponse);

/// Appends ` name="value"` when `value` is set.
fn push_optional_attribute(xml: &mut String, name: &str, value: Option<&str>) {
    if let Some(value) = value {
        xml.push_str(&format!(" {name}=\"{}\"", escape_attribute(value)));
    }
}

impl LogoutRequest {
    /// A LogoutRequest from `sp_entity_id` to the IdP's `idp_slo_url` for `name_id` (exactly as
    /// the assertion carried it) and, when known, its `session_index`; issued at `now`, its ID
    /// made from `id_random` (at least 16 bytes from a cryptographic RNG).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        sp_entity_id: &str,
        idp_slo_url: &str,
        name_id: &NameId,
        session_index: Option<&str>,
        relay_state: Option<&str>,
        now: UnixTime,
        id_random: &[u8],
    ) -> Result<LogoutRequest, Error> {
        if name_id.value.is_empty() {
            return Err(ConfigError::Missing { field: "name_id" }.into());
        }
        if let Some(format) = &name_id.format {
            check_uri("name_id_format", format)?;
        }
        let mut out = Outgoing::start(
            "LogoutRequest",
            MessageParam::Request,
            sp_entity_id,
            idp_slo_url,
            None,
            relay_state,
            now,
            id_random,
        )?;
        out.xml.push_str("<saml:NameID");
        push_optional_attribute(
            &mut out.xml,
            "NameQualifier",
            name_id.name_qualifier.as_deref(),
        );
        push_optional_attribute(
            &mut out.xml,
            "SPNameQualifier",
            name_id.sp_name_qualifier.as_deref(),
        );
        push_optional_attribute(&mut out.xml, "Format", name_id.format.as_deref());
        out.xml.push('>');
        out.xml.push_str(&escape_text(&name_id.value));
        out.xml.push_str("</saml:NameID>");
        if let Some(session_index) = session_index {
            out.xml.push_str("<samlp:SessionIndex>");
            out.xml.push_str(&escape_text(session_index));
            out.xml.push_str("</samlp:SessionIndex>");
        }
        out.xml.push_str("</samlp:LogoutRequest>");
        Ok(LogoutRequest(out))
    }
}

impl LogoutResponse {
    /// A LogoutResponse from `sp_entity_id` to the IdP's `idp_slo_url`, answering the request
    /// `in_response_to` with the top-level `status_code` (e.g. [`crate::saml::STATUS_SUCCESS`]);
    /// `relay_state` is the request's, returned unchanged.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        sp_entity_id: &str,
        idp_slo_url: &str,
        in_response_to: &str,
        status_code: &str,
        relay_state: Option<&str>,
        now: UnixTime,
        id_random: &[u8],
    ) -> Result<LogoutResponse, Error> {
        check_uri("status_code", status_code)?;
        if in_response_to.is_empty() {
            return Err(ConfigError::Missing {
                field: "in_response_to",
            }
            .into());
        }
        let mut out = Outgoing::start(
            "LogoutResponse",
            MessageParam::Response,
            sp_entity_id,
            idp_slo_url,
            Some(in_response_to),
            relay_state,
            now,
            id_random,
        )?;
        out.xml.push_str(&format!(
            "<samlp:Status><samlp:StatusCode Value=\"{}\"/></samlp:Status></samlp:LogoutResponse>",
            escape_attribute(status_code)
        ));
        Ok(LogoutResponse(out))
    }
}

/// How an incoming logout message arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoutBinding<'a> {
    /// HTTP-Redirect: the raw query string of the request URL, exactly as received (the part
    /// after `?`; never decoded and re-encoded).
    Redirect(&'a str),
    /// HTTP-POST: the `SAMLRequest` / `SAMLResponse` form value and the `RelayState` form value.
    Post {
        /// The base64 message.
        message: &'a str,
        /// The RelayState, if posted.
        relay_state: Option<&'a str>,
    },
}

/// A LogoutRequest from the IdP whose signature and fields verified.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifiedLogoutRequest {
    /// The request ID: answer with it as `InResponseTo`, and refuse it again until
    /// [`VerifiedLogoutRequest::replay_until`].
    pub id: String,
    /// The Issuer.
    pub issuer: String,
    /// Whose sessions to end.
    pub name_id: NameId,
    /// The sessions to end (none: every session of the NameID).
    pub session_indexes: Vec<String>,
    /// When it was issued.
    pub issue_instant: UnixTime,
    /// Its NotOnOrAfter, if given.
    pub not_on_or_after: Option<UnixTime>,
    /// Until when the message could still be accepted (keep its ID in a replay cache until then).
    pub replay_until: UnixTime,
    /// The `Reason`, if given.
    pub reason: Option<String>,
    /// The RelayState (return it unchanged with the LogoutResponse).
    pub relay_state: Option<String>,
}

/// A LogoutResponse from the IdP whose signature and fields verified (Status Success).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifiedLogoutResponse {
    /// The response ID.
    pub id: String,
    /// The Issuer.
    pub issuer: String,
    /// The LogoutRequest it answers (equal to the expected ID).
    pub in_response_to: String,
    /// When it was issued.
    pub issue_instant: UnixTime,
    /// The RelayState.
    pub relay_state: Option<String>,
}

/// What an incoming logout message is checked against.
pub(crate) struct LogoutChecks<'a> {
    /// The SP's SLO URL (the expected Destination).
    pub slo_url: Option<&'a str>,
    /// The accepted Issuers (the IdP entity ID first).
    pub issuers: Vec<&'a str>,
    /// The IdP's certificates.
    pub trusted: &'a [Certificate],
    /// SHA-1 or not.
    pub policy: &'a AlgorithmPolicy,
    /// The clock skew in seconds.
    pub skew_secs: i64,
    /// Size limits.
    pub limits: &'a Limits,
    /// The verification time.
    pub now: UnixTime,
    /// An HTTP-Redirect message already inflated by the caller (the npm package), or `None`
    /// to inflate it here ([`RedirectMessage::decode_inflated`]).
    pub inflated: Option<&'a [u8]>,
}

/// A verified message: its document and root, and the RelayState.
struct Received {
    doc: Document,
    root: NodeId,
    relay_state: Option<String>,
}

impl LogoutChecks<'_> {
    /// Step 1: decodes the message and verifies its signature.
    fn receive(&self, binding: LogoutBinding<'_>, param: MessageParam) -> Result<Received, Error> {
        match binding {
            LogoutBinding::Redirect(query) => {
                let message = match self.inflated {
                    Some(xml) => RedirectMessage::decode_inflated(query, self.limits, xml)?,
                    #[cfg(feature = "inflate")]
                    None => RedirectMessage::decode(query, self.limits)?,
                    #[cfg(not(feature = "inflate"))]
                    None => {
                        return Err(crate::error::ConfigError::Invalid {
                            field: "binding",
                            detail: "this build has no DEFLATE decoder (cargo feature `inflate`)"
                                .to_owned(),
                        }
                        .into());
                    }
                };
                if message.param() != param {
                    return Err(SamlError::NotALogoutMessage {
                        expected: expected_root(param),
                        found: format!("a {} parameter", message.param().name()),
                    }
                    .into());
                }
                message.verify_signature(self.trusted, self.policy)?;
                let doc = Document::parse(message.xml(), self.limits)?;
                let root = doc.root();
                Ok(Received {
                    doc,
                    root,
                    relay_state: message.relay_state().map(str::to_owned),
                })
            }
            LogoutBinding::Post {
                message,
                relay_state,
            } => {
                let xml = crate::encoding::decode_post_field(message, self.limits)?;
                let doc = Document::parse(&xml, self.limits)?;
                let root = doc.root();
                check_root(&doc, root, param)?;
                let signature = root_signature(&doc, root)?;
                let signed_node =
                    dsig::verify_enveloped(&doc, signature, self.trusted, self.policy)?.node();
                if signed_node != root {
                    return Err(SignatureError::Missing.into());
                }
                Ok(Received {
                    doc,
                    root,
                    relay_state: relay_state.map(str::to_owned),
                })
            }
        }
    }

    /// Steps 2 to 5: root, Version, Issuer, Destination, IssueInstant. Returns the Issuer, the
    /// IssueInstant and the latest time the message stays acceptable.
    fn check_common(
        &self,
        doc: &Document,
        root: NodeId,
        param: MessageParam,
    ) -> Result<(String, UnixTime, UnixTime), Error> {
        let element = check_root(doc, root, param)?;
        check_version(element)?;
        let mut issuers = doc.children_named(root, ASSERTION_NS, "Issuer");
        let (issuer, issuer_element) = issuers
            .next()
            .ok_or_else(|| malformed(Part::Saml, "the logout message has no Issuer"))?;
        if issuers.next().is_some() {
            return Err(malformed(Part::Saml, "the logout message has two Issuers"));
        }
        let issuer_value = uri_text(doc, issuer, "Issuer")?;
        let format_ok = issuer_element
            .attribute("Format")
            .is_none_or(|f| f == ENTITY_FORMAT);
        if !format_ok || !self.issuers.contains(&issuer_value.as_str()) {
            return Err(SamlError::IssuerMismatch {
                expected: self.issuers.first().copied().unwrap_or_default().to_owned(),
                found: issuer_value,
            }
            .into());
        }
        let slo_url = self
            .slo_url
            .ok_or(ConfigError::Missing { field: "slo_url" })?;
        let destination = element.attribute("Destination").unwrap_or_default();
        if destination != slo_url {
            return Err(SamlError::LogoutDestinationMismatch {
                expected: slo_url.to_owned(),
                found: destination.to_owned(),
            }
            .into());
        }
        let issue_instant = time_attribute(element, "IssueInstant")?
            .ok_or_else(|| malformed(Part::Saml, "the logout message has no IssueInstant"))?;
        if issue_instant > self.now.plus_secs(self.skew_secs) {
            return Err(SamlError::MessageNotYetValid {
                issue_instant,
                now: self.now,
            }
            .into());
        }
        let mut until =
            issue_instant.plus_secs(self.skew_secs.saturating_add(MAX_MESSAGE_AGE_SECS));
        if let Some(not_on_or_after) = time_attribute(element, "NotOnOrAfter")? {
            until = until.min(not_on_or_after.plus_secs(self.skew_secs));
        }
        if self.now >= until {
            return Err(SamlError::MessageExpired {
                expired_at: until,
                now: self.now,
            }
            .into());
        }
        Ok((issuer_value, issue_instant, until))
    }

    /// Verifies an incoming LogoutRequest.
    pub(crate) fn verify_request(
        &self,
        binding: LogoutBinding<'_>,
    ) -> Result<VerifiedLogoutRequest, Error> {
        let received = self.receive(binding, MessageParam::Request)?;
        let (doc, root) = (&received.doc, received.root);
        let (issuer, issue_instant, until) = self.check_common(doc, root, MessageParam::Request)?;
        let element = doc
            .element(root)
            .ok_or_else(|| malformed(Part::Saml, "no root"))?;
        let id = element
            .attribute("ID")
            .filter(|id| !id.is_empty())
            .ok_or_else(|| malformed(Part::Saml, "the LogoutRequest has no ID"))?
            .to_owned();
        let name_id = read_name_id(doc, root)?;
        let session_indexes = doc
            .children_named(root, PROTOCOL_NS, "SessionIndex")
            .map(|(node, _)| simple_text(doc, node, "SessionIndex"))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(VerifiedLogoutRequest {
            id,
            issuer,
            name_id,
            session_indexes,
            issue_instant,
            not_on_or_after: time_attribute(element, "NotOnOrAfter")?,
            replay_until: until,
            reason: element.attribute("Reason").map(str::to_owned),
            relay_state: received.relay_state.clone(),
        })
    }

    /// Verifies an incoming LogoutResponse answering `request_id`.
    pub(crate) fn verify_response(
        &self,
        binding: LogoutBinding<'_>,
        request_id: &str,
    ) -> Result<VerifiedLogoutResponse, Error> {
        let received = self.receive(binding, MessageParam::Response)?;
        let (doc, root) = (&received.doc, received.root);
        let (issuer, issue_instant, _) = self.check_common(doc, root, MessageParam::Response)?;
        let element = doc
            .element(root)
            .ok_or_else(|| malformed(Part::Saml, "no root"))?;
        let in_response_to = element.attribute("InResponseTo").unwrap_or_default();
        if request_id.is_empty() || in_response_to != request_id {
            return Err(SamlError::InResponseToMismatch {
                expected: request_id.to_owned(),
                found: in_response_to.to_owned(),
            }
            .into());
        }
        check_status(doc, root)?;
        Ok(VerifiedLogoutResponse {
            id: element.attribute("ID").unwrap_or_default().to_owned(),
            issuer,
            in_response_to: in_response_to.to_owned(),
            issue_instant,
            relay_state: received.relay_state.clone(),
        })
    }
}

fn expected_root(param: MessageParam) -> &'static str {
    match param {
        MessageParam::Request => "LogoutRequest",
        MessageParam::Response => "LogoutResponse",
    }
}

/// The root must be `samlp:LogoutRequest` (or `LogoutResponse`).
fn check_root(
    doc: &Document,
    root: NodeId,
    param: MessageParam,
) -> Result<&crate::xml::Element, Error> {
    let expected = expected_root(param);
    doc.element(root)
        .filter(|e| e.is(PROTOCOL_NS, expected))
        .ok_or_else(|| {
            SamlError::NotALogoutMessage {
                expected,
                found: doc
                    .element(root)
                    .map(crate::xml::Element::expanded_name)
                    .unwrap_or_default(),
            }
            .into()
        })
}

/// The root's enveloped signature: exactly one `ds:Signature` child, right after the Issuer.
fn root_signature(doc: &Document, root: NodeId) -> Result<NodeId, Error> {
    let children: Vec<_> = doc.child_elements(root).take(3).collect();
    let mut signatures = doc
        .child_elements(root)
        .filter(|(_, e)| e.is(DSIG_NS, "Signature"));
    let first = signatures.next().ok_or(SignatureError::Missing)?;
    let after_issuer = matches!(
        children.as_slice(),
        [(_, issuer), (signature, _), ..] if issuer.is(ASSERTION_NS, "Issuer") && *signature == first.0
    );
    if signatures.next().is_some() || !after_issuer {
        return Err(SignatureError::Misplaced {
            detail: "not directly after the Issuer".to_owned(),
        }
        .into());
    }
    Ok(first.0)
}

#[cfg(all(test, feature = "sign", feature = "inflate"))]
mod tests {
    use super::*;
    use crate::ServiceProvider;
    use crate::encoding::{deflate_raw, encode_base64, percent_encode_query_component};
    use crate::saml::signer::tests::credentials;
    use crate::sp::IdentityProvider;

    const SP: &str = "https://app.example.com/saml/metadata";
    const SLO: &str = "https://app.example.com/saml/slo";
    const IDP: &str = "https://sts.windows.net/tenant-1/";
    const IDP_SLO: &str = "https://login.microsoftonline.com/tenant-1/saml2";
    const LOGIN_ISSUER: &str = "https://login.microsoftonline.com/tenant-1/";
    const NOW: i64 = 1_700_000_000;
    const RANDOM: [u8; 16] = [7; 16];

    fn sp() -> ServiceProvider {
        let certificate = credentials().certificate().cloned();
        let mut idp =
            IdentityProvider::new(IDP, "https://login.microsoftonline.com/tenant-1/saml2")
                .with_slo_url(IDP_SLO);
        if let Some(certificate) = certificate {
            idp = idp.certificate(certificate);
        }
        match ServiceProvider::builder()
            .entity_id(SP)
            .acs_url("https://app.example.com/saml/acs")
            .slo_url(SLO)
            .idp(idp)
            .build()
        {
            Ok(sp) => sp,
            Err(err) => panic!("{err}"),
        }
    }

    fn now() -> UnixTime {
        UnixTime::from_secs(NOW)
    }

    fn idp_request(issuer: &str, destination: &str, instant: &str) -> String {
        format!(
            "<samlp:LogoutRequest xmlns:samlp=\"{PROTOCOL_NS}\" xmlns:saml=\"{ASSERTION_NS}\" \
             ID=\"_r1\" Version=\"2.0\" IssueInstant=\"{instant}\" Destination=\"{destination}\">\
             <saml:Issuer>{issuer}</saml:Issuer><saml:NameID \
             Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress\">b@contoso.com\
             </saml:NameID><samlp:SessionIndex>_s1</samlp:SessionIndex></samlp:LogoutRequest>"
        )
    }

    /// A Redirect query signed over exactly these octets; `lower` lower-cases the escapes.
    fn signed_query(param: &str, xml: &str, relay: Option<&str>, lower: bool) -> String {
        let fix = |s: String| {
            if lower {
                crate::encoding::lower_percent_escapes(&s)
            } else {
                s
            }
        };
        let mut query = format!(
            "{param}={}",
            fix(percent_encode_query_component(&encode_base64(
                &deflate_raw(xml.as_bytes())
            )))
        );
        if let Some(relay) = relay {
            query.push_str(&format!(
                "&RelayState={}",
                fix(percent_encode_query_component(relay))
            ));
        }
        query.push_str(&format!(
            "&SigAlg={}",
            fix(percent_encode_query_component(
                credentials().algorithm().uri()
            ))
        ));
        let signature = credentials().sign(query.as_bytes()).unwrap_or_default();
        query.push_str(&format!(
            "&Signature={}",
            fix(percent_encode_query_component(&encode_base64(&signature)))
        ));
        query
    }

    fn code<T>(result: Result<T, Error>) -> Option<&'static str> {
        result.err().map(|e| e.code())
    }

    #[test]
    fn logout_request_carries_the_name_id_as_issued() {
        let name_id = NameId {
            value: "b@contoso.com".into(),
            format: Some("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress".into()),
            name_qualifier: Some("q&1".into()),
            sp_name_qualifier: Some(SP.into()),
        };
        let Ok(request) = sp().logout_request(&name_id, Some("_s1"), Some("/x"), now(), &RANDOM)
        else {
            panic!("logout request");
        };
        assert!(request.id().starts_with('_'));
        assert!(request.xml().contains(&format!(
            "<saml:NameID NameQualifier=\"q&amp;1\" SPNameQualifier=\"{SP}\" \
             Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress\">b@contoso.com</saml:NameID>\
             <samlp:SessionIndex>_s1</samlp:SessionIndex>"
        )));
        assert!(
            request
                .xml()
                .contains(&format!("Destination=\"{IDP_SLO}\""))
        );
        assert!(
            request
                .xml()
                .contains(&format!("<saml:Issuer>{SP}</saml:Issuer>"))
        );
        let url = request.redirect_url().unwrap_or_default();
        let query = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
        let decoded = RedirectMessage::decode(query, &Limits::default()).ok();
        assert_eq!(
            decoded.as_ref().map(RedirectMessage::xml),
            Some(request.xml().as_bytes())
        );
        assert_eq!(
            decoded.and_then(|d| d.relay_state().map(str::to_owned)),
            Some("/x".into())
        );
        assert!(!request.is_signed());
        // The HTTP-POST form: the IdP's SLO URL, the message, the RelayState.
        let html = request.post_form_html(None).unwrap_or_default();
        assert!(html.contains(&format!("action=\"{IDP_SLO}\"")), "{html}");
        let post_xml = request.post_xml().unwrap_or_default();
        assert!(html.contains(&format!(
            "name=\"SAMLRequest\" value=\"{}\"",
            encode_base64(post_xml.as_bytes())
        )));
        assert!(html.contains("name=\"RelayState\" value=\"/x\""), "{html}");
        // Signed with the SP key: our own verifier accepts the query signature.
        let signed = request.signed_with(credentials());
        assert!(signed.is_signed());
        let url = signed.redirect_url().unwrap_or_default();
        let query = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
        let certs: Vec<Certificate> = credentials().certificate().cloned().into_iter().collect();
        assert!(
            RedirectMessage::decode(query, &Limits::default())
                .and_then(|m| m.verify_signature(&certs, &AlgorithmPolicy::default()))
                .is_ok()
        );
        // Without an IdP SLO URL there is nowhere to send it.
        let no_slo = ServiceProvider::builder()
            .entity_id(SP)
            .acs_url("https://app.example.com/saml/acs")
            .idp(sp().idp().clone().with_slo_url(""))
            .build();
        assert_eq!(
            no_slo
                .ok()
                .map(|sp| code(sp.logout_request(&name_id, None, None, now(), &RANDOM))),
            Some(Some("config_missing"))
        );
    }

    #[test]
    fn accepts_signed_requests_with_either_escape_case() {
        let xml = idp_request(IDP, SLO, "2023-11-14T22:13:00Z");
        for lower in [false, true] {
            let query = signed_query("SAMLRequest", &xml, Some("r/1=2"), lower);
            let Ok(verified) = sp().verify_logout_request(LogoutBinding::Redirect(&query), now())
            else {
                panic!("lower={lower}: {query}");
            };
            assert_eq!(verified.id, "_r1");
            assert_eq!(verified.name_id.value, "b@contoso.com");
            assert_eq!(verified.session_indexes, vec!["_s1".to_owned()]);
            assert_eq!(verified.relay_state.as_deref(), Some("r/1=2"));
            assert_eq!(
                verified.replay_until,
                UnixTime::parse_rfc3339_utc("2023-11-14T22:13:00Z")
                    .unwrap_or(now())
                    .plus_secs(180 + MAX_MESSAGE_AGE_SECS)
            );
        }
        // Entra's login-host Issuer is accepted too.
        let xml = idp_request(LOGIN_ISSUER, SLO, "2023-11-14T22:13:00Z");
        let query = signed_query("SAMLRequest", &xml, None, true);
        assert!(
            sp().verify_logout_request(LogoutBinding::Redirect(&query), now())
                .is_ok()
        );
    }

    #[test]
    fn refuses_forged_altered_and_stale_requests() {
        let sp = sp();
        let good = idp_request(IDP, SLO, "2023-11-14T22:13:00Z");
        let verify =
            |query: &str| code(sp.verify_logout_request(LogoutBinding::Redirect(query), now()));
        let signed = signed_query("SAMLRequest", &good, None, false);
        let unsigned = signed
            .split("&SigAlg")
            .next()
            .unwrap_or_default()
            .to_owned();
        assert_eq!(verify(&unsigned), Some("query_signature_missing"));
        assert_eq!(
            verify(&format!("{signed}&RelayState=x")),
            Some("signature_invalid")
        );
        assert_eq!(
            verify(
                &crate::encoding::lower_percent_escapes(&signed)
                    .replacen("%2b", "%2B", 1)
                    .replacen("%2f", "%2F", 1)
            ),
            if crate::encoding::lower_percent_escapes(&signed) == signed {
                None
            } else {
                Some("signature_invalid")
            }
        );
        for (xml, expected) in [
            (
                idp_request("https://evil.example/", SLO, "2023-11-14T22:13:00Z"),
                "issuer_mismatch",
            ),
            (
                idp_request(IDP, "https://other.example/slo", "2023-11-14T22:13:00Z"),
                "destination_mismatch",
            ),
            (
                idp_request(IDP, SLO, "2023-11-14T22:00:00Z"),
                "message_expired",
            ),
            (
                idp_request(IDP, SLO, "2023-11-14T22:30:00Z"),
                "message_not_yet_valid",
            ),
        ] {
            assert_eq!(
                verify(&signed_query("SAMLRequest", &xml, None, false)),
                Some(expected)
            );
        }
        // A LogoutResponse where a request belongs.
        assert_eq!(
            verify(&signed_query("SAMLResponse", &good, None, false)),
            Some("not_a_logout_message")
        );
        // The Issuer may say it is an entity name, nothing else.
        for (format, expected) in [
            ("urn:oasis:names:tc:SAML:2.0:nameid-format:entity", None),
            (
                "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
                Some("issuer_mismatch"),
            ),
        ] {
            let xml = good.replace(
                "<saml:Issuer>",
                &format!("<saml:Issuer Format=\"{format}\">"),
            );
            assert_eq!(
                verify(&signed_query("SAMLRequest", &xml, None, false)),
                expected
            );
        }
        // IssueInstant exactly at now + skew (180 s) is still acceptable; a second later, not.
        for (instant, expected) in [
            ("2023-11-14T22:16:20Z", None),
            ("2023-11-14T22:16:21Z", Some("message_not_yet_valid")),
        ] {
            let xml = idp_request(IDP, SLO, instant);
            assert_eq!(
                verify(&signed_query("SAMLRequest", &xml, None, false)),
                expected,
                "{instant}"
            );
        }
    }

    #[test]
    fn verifies_logout_responses_against_the_request_sent() {
        let sp = sp();
        let response = |in_response_to: &str, status: &str| {
            format!(
                "<samlp:LogoutResponse xmlns:samlp=\"{PROTOCOL_NS}\" ID=\"_p1\" Version=\"2.0\" \
                 IssueInstant=\"2023-11-14T22:13:00Z\" Destination=\"{SLO}\" \
                 InResponseTo=\"{in_response_to}\"><Issuer xmlns=\"{ASSERTION_NS}\">{LOGIN_ISSUER}</Issuer>\
                 <samlp:Status><samlp:StatusCode Value=\"{status}\"/></samlp:Status></samlp:LogoutResponse>"
            )
        };
        let ok = signed_query(
            "SAMLResponse",
            &response("_req", crate::saml::STATUS_SUCCESS),
            Some("rs"),
            true,
        );
        let verified = sp.verify_logout_response(LogoutBinding::Redirect(&ok), "_req", now());
        assert_eq!(
            verified.map(|v| v.relay_state).ok(),
            Some(Some("rs".into()))
        );
        assert_eq!(
            code(sp.verify_logout_response(LogoutBinding::Redirect(&ok), "_other", now())),
            Some("in_response_to_mismatch")
        );
        let failed = signed_query(
            "SAMLResponse",
            &response("_req", "urn:oasis:names:tc:SAML:2.0:status:Responder"),
            None,
            false,
        );
        assert_eq!(
            code(sp.verify_logout_response(LogoutBinding::Redirect(&failed), "_req", now())),
            Some("status_not_success")
        );
    }

    /// A query signed with RSA-SHA1 verifies only with the danger opt-in, like assertions.
    #[test]
    fn sha1_query_signatures_need_the_danger_opt_in() {
        let sha1 = crate::SignatureAlgorithm::RsaSha1;
        let xml = idp_request(IDP, SLO, "2023-11-14T22:13:00Z");
        let mut query = format!(
            "SAMLRequest={}&SigAlg={}",
            percent_encode_query_component(&encode_base64(&deflate_raw(xml.as_bytes()))),
            percent_encode_query_component(sha1.uri())
        );
        let signature = credentials()
            .key()
            .sign(sha1, query.as_bytes())
            .unwrap_or_default();
        query.push_str(&format!(
            "&Signature={}",
            percent_encode_query_component(&encode_base64(&signature))
        ));
        let binding = || LogoutBinding::Redirect(&query);
        assert_eq!(
            code(sp().verify_logout_request(binding(), now())),
            Some("signature_sha1_not_allowed")
        );
        let allowing = ServiceProvider::builder()
            .entity_id(SP)
            .acs_url("https://app.example.com/saml/acs")
            .slo_url(SLO)
            .idp(sp().idp().clone())
            .danger_allow_sha1(true)
            .build();
        let verified = allowing.and_then(|sp| sp.verify_logout_request(binding(), now()));
        assert_eq!(verified.map(|r| r.id).ok().as_deref(), Some("_r1"));
    }

    /// The npm package's path: the query's message handed out still DEFLATEd, inflated by the
    /// caller, then verified with the same checks and outcome as the built-in decoder.
    #[test]
    fn caller_inflated_redirect_messages_verify_like_the_builtin_path() {
        let sp = sp();
        let inflate = |query: &str| {
            sp.redirect_deflated(query)
                .and_then(|d| crate::encoding::inflate_raw(&d, 1 << 20))
                .unwrap_or_default()
        };
        let xml = idp_request(IDP, SLO, "2023-11-14T22:13:00Z");
        let query = signed_query("SAMLRequest", &xml, Some("r"), true);
        assert_eq!(inflate(&query), xml.as_bytes());
        let builtin = sp.verify_logout_request(LogoutBinding::Redirect(&query), now());
        let given = sp.verify_logout_request_inflated(&query, &inflate(&query), now());
        assert!(builtin.is_ok());
        assert_eq!(given, builtin);
        // Checks before inflating still run: no message parameter, or two.
        assert_eq!(
            code(sp.redirect_deflated("RelayState=r")),
            Some("invalid_form")
        );
        // The caller's text is held to the inflate limit and parsed as the message.
        let big = vec![b' '; Limits::default().max_inflated_bytes + 1];
        assert_eq!(
            code(sp.verify_logout_request_inflated(&query, &big, now())),
            Some("limit_exceeded")
        );
        let unsigned = query.split("&SigAlg").next().unwrap_or_default();
        assert_eq!(
            code(sp.verify_logout_request_inflated(unsigned, xml.as_bytes(), now())),
            Some("query_signature_missing")
        );
        let response = sp.verify_logout_response_inflated(&query, &inflate(&query), "_r", now());
        assert_eq!(code(response), Some("not_a_logout_message"));
    }

    #[test]
    fn post_binding_needs_an_enveloped_signature_after_the_issuer() {
        let sp = sp();
        let xml = idp_request(IDP, SLO, "2023-11-14T22:13:00Z");
        let offset = xml.find("<saml:NameID").unwrap_or_default();
        let signed =
            crate::saml::signer::sign_enveloped(&xml, offset, &credentials()).unwrap_or_default();
        let post = |xml: &str| {
            let message = encode_base64(xml.as_bytes());
            code(sp.verify_logout_request(
                LogoutBinding::Post {
                    message: &message,
                    relay_state: Some("r"),
                },
                now(),
            ))
        };
        assert_eq!(post(&signed), None);
        assert_eq!(post(&xml), Some("signature_missing"));
        // Validly signed, but not directly after the Issuer.
        let late = xml.find("<samlp:SessionIndex").unwrap_or_default();
        let misplaced =
            crate::saml::signer::sign_enveloped(&xml, late, &credentials()).unwrap_or_default();
        assert_eq!(post(&misplaced), Some("signature_misplaced"));
        assert_eq!(
            post(&signed.replace("b@contoso.com", "admin@contoso.com")),
            Some("digest_mismatch")
        );
        // Our own LogoutResponse, posted back, has our Issuer: not the IdP.
        let response = sp
            .logout_response(
                "_r1",
                crate::saml::STATUS_SUCCESS,
                Some("r"),
                now(),
                &RANDOM,
            )
            .and_then(|r| r.signed_with(credentials()).post_xml())
            .unwrap_or_default();
        let message = encode_base64(response.as_bytes());
        assert_eq!(
            code(sp.verify_logout_response(
                LogoutBinding::Post {
                    message: &message,
                    relay_state: None
                },
                "_r1",
                now()
            )),
            Some("issuer_mismatch")
        );
    }

    #[test]
    fn entra_issuer_is_derived_only_from_the_sts_form() {
        assert_eq!(entra_logout_issuer(IDP).as_deref(), Some(LOGIN_ISSUER));
        assert_eq!(entra_logout_issuer("https://sts.windows.net/"), None);
        assert_eq!(entra_logout_issuer("https://sts.windows.net/a/b/"), None);
        assert_eq!(entra_logout_issuer("https://idp.example.com/"), None);
    }
}
