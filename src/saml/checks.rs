//! What the service provider expects, and the comparisons of single values with it that both
//! the unverified Response checks ([`super::structure`]) and the reader of the verified Assertion
//! ([`super::assertion`]) apply. Nothing here decides what is trusted: these functions compare a
//! value with the configuration and can only reject.

use super::ENTITY_FORMAT;
use crate::Error;
use crate::error::{Part, SamlError, malformed};
use crate::time::UnixTime;
use crate::xml::{Document, Element, NodeId};

/// What the service provider expects of a Response and its Assertion.
#[derive(Debug, Clone, Copy)]
pub struct Checks<'a> {
    /// The IdP entity ID (expected Issuer).
    pub idp_entity_id: &'a str,
    /// The SP entity ID (expected Audience).
    pub sp_entity_id: &'a str,
    /// Further accepted audiences (e.g. Entra's `spn:<app id>`).
    pub extra_audiences: &'a [String],
    /// The ACS URL (expected Destination and Recipient).
    pub acs_url: &'a str,
    /// The ID of the AuthnRequest this browser sent, if any.
    pub request_id: Option<&'a str>,
    /// Accept responses without InResponseTo.
    pub allow_unsolicited: bool,
    /// The verification time.
    pub now: UnixTime,
    /// Tolerated clock difference, in seconds.
    pub skew_secs: i64,
}

/// XML white space: the parser's own definition (`S`), so both agree on what trimming removes.
pub(super) use crate::xml::names::is_xml_whitespace;

/// The text of a simple-content element; child elements are refused.
pub(super) fn simple_text(doc: &Document, node: NodeId, what: &str) -> Result<String, Error> {
    if doc.has_child_elements(node) {
        return Err(malformed(Part::Saml, format!("{what} contains elements")));
    }
    Ok(doc.text(node))
}

/// A URI-typed value (xs:anyURI collapses surrounding white space).
pub(super) fn uri_text(doc: &Document, node: NodeId, what: &str) -> Result<String, Error> {
    Ok(simple_text(doc, node, what)?
        .trim_matches(is_xml_whitespace)
        .to_owned())
}

/// A timestamp attribute (strict UTC xs:dateTime), if present.
pub(super) fn time_attribute(element: &Element, name: &str) -> Result<Option<UnixTime>, Error> {
    match element.attribute(name) {
        None => Ok(None),
        Some(value) => UnixTime::parse_rfc3339_utc(value).map(Some).ok_or_else(|| {
            SamlError::InvalidTime {
                field: name.to_owned(),
                value: value.to_owned(),
            }
            .into()
        }),
    }
}

pub(super) fn check_version(element: &Element) -> Result<(), Error> {
    match element.attribute("Version") {
        Some("2.0") => Ok(()),
        other => Err(SamlError::UnsupportedVersion {
            found: other.unwrap_or_default().to_owned(),
        }
        .into()),
    }
}

pub(super) fn check_issuer(
    doc: &Document,
    issuer: NodeId,
    element: &Element,
    checks: &Checks<'_>,
) -> Result<String, Error> {
    let value = uri_text(doc, issuer, "Issuer")?;
    let format_ok = element
        .attribute("Format")
        .is_none_or(|f| f == ENTITY_FORMAT);
    if value != checks.idp_entity_id || !format_ok {
        return Err(SamlError::IssuerMismatch {
            expected: checks.idp_entity_id.to_owned(),
            found: value,
        }
        .into());
    }
    Ok(value)
}

/// InResponseTo rule shared by the Response and the bearer confirmation.
pub(super) fn check_in_response_to(found: Option<&str>, checks: &Checks<'_>) -> Result<(), Error> {
    match (found, checks.request_id) {
        (None, _) if checks.allow_unsolicited => Ok(()),
        (None, _) => Err(SamlError::UnsolicitedResponse.into()),
        (Some(found), Some(expected)) if found == expected => Ok(()),
        (Some(found), expected) => Err(SamlError::InResponseToMismatch {
            expected: expected.unwrap_or("(no request pending)").to_owned(),
            found: found.to_owned(),
        }
        .into()),
    }
}
