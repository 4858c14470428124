//! The unverified parts of a Response document. Every check here can only reject: nothing read
//! here ends up in the identity.
//!
//! - [`check`]: the shape, before any cryptography (root, Status, exactly one Assertion directly
//!   inside the Response, signatures only where SAML puts them);
//! - [`check_response`]: the Response's own fields (Version, Issuer, Destination, InResponseTo),
//!   compared with the configuration after the signatures verified. The Response may be
//!   unsigned (when only the Assertion is), so these values are never trusted, only compared.

use super::checks::{Checks, check_in_response_to, check_issuer, check_version, time_attribute};
use super::{ASSERTION_NS, PROTOCOL_NS, STATUS_SUCCESS};
use crate::Error;
use crate::dsig::DSIG_NS;
use crate::error::{Part, SamlError, SignatureError, malformed};
use crate::xml::{Document, NodeId};

/// Where the parts of a well-shaped Response are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// The root `samlp:Response`.
    pub response: NodeId,
    /// The single `saml:Assertion` (or, when [`Shape::encrypted`], `saml:EncryptedAssertion`),
    /// a direct child of the Response.
    pub assertion: NodeId,
    /// True when [`Shape::assertion`] is an `EncryptedAssertion` (see `crate::xmlenc`); its
    /// signature, if any, is inside the ciphertext and `assertion_signature` is `None`.
    pub encrypted: bool,
    /// The Response's own `ds:Signature`, if any.
    pub response_signature: Option<NodeId>,
    /// The Assertion's `ds:Signature`, if any.
    pub assertion_signature: Option<NodeId>,
}

/// Checks root, Status, assertion placement (V3) and signature placement (V4), in that order.
pub fn check(doc: &Document) -> Result<Shape, Error> {
    let response = doc.root();
    let root = doc.element(response).ok_or(SamlError::AssertionMissing)?;
    if !root.is(PROTOCOL_NS, "Response") {
        return Err(SamlError::NotAResponse {
            found: root.expanded_name(),
        }
        .into());
    }
    check_status(doc, response)?;
    let (assertion, encrypted) = find_assertion(doc, response)?;
    // An EncryptedAssertion has no signature slot of its own (nothing may sit inside it).
    let slot = if encrypted { response } else { assertion };
    let (response_signature, assertion_signature) = find_signatures(doc, response, slot)?;
    if response_signature.is_none() && assertion_signature.is_none() && !encrypted {
        return Err(SignatureError::Missing.into());
    }
    Ok(Shape {
        response,
        assertion,
        encrypted,
        response_signature,
        assertion_signature,
    })
}

/// Status must be present and Success, with no non-Success second-level code. Read from the
/// unverified Response: it can only turn a response into a rejection (and surfaces the IdP's
/// error, e.g. Entra's AADSTS message, to the administrator).
pub fn check_status(doc: &Document, response: NodeId) -> Result<(), Error> {
    let mut statuses = doc.children_named(response, PROTOCOL_NS, "Status");
    let (status, _) = statuses
        .next()
        .ok_or_else(|| malformed(Part::Saml, "the Response has no Status"))?;
    if statuses.next().is_some() {
        return Err(malformed(
            Part::Saml,
            "the Response has more than one Status",
        ));
    }
    let mut codes = Vec::new();
    let mut current = status;
    for _ in 0..8 {
        let mut children = doc.children_named(current, PROTOCOL_NS, "StatusCode");
        let Some((code, element)) = children.next() else {
            break;
        };
        if children.next().is_some() {
            return Err(malformed(
                Part::Saml,
                "a Status has more than one StatusCode",
            ));
        }
        codes.push(element.attribute("Value").unwrap_or_default().to_owned());
        current = code;
    }
    if codes.is_empty() {
        return Err(malformed(Part::Saml, "the Status has no StatusCode"));
    }
    if codes.iter().any(|c| c != STATUS_SUCCESS) {
        let message = doc
            .children_named(status, PROTOCOL_NS, "StatusMessage")
            .next()
            .map(|(m, _)| doc.text(m));
        return Err(SamlError::StatusNotSuccess { codes, message }.into());
    }
    Ok(())
}

/// Exactly one Assertion or EncryptedAssertion, a direct child of the Response; no Assertion or
/// EncryptedAssertion anywhere else (Advice, Extensions, Signature, Object, StatusDetail…).
/// Returns it and whether it is encrypted.
fn find_assertion(doc: &Document, response: NodeId) -> Result<(NodeId, bool), Error> {
    let mut direct = Vec::new();
    let mut encrypted = Vec::new();
    for node in doc.descendants(response) {
        let Some(element) = doc.element(node) else {
            continue;
        };
        let is_assertion = element.is(ASSERTION_NS, "Assertion");
        let is_encrypted = element.is(ASSERTION_NS, "EncryptedAssertion");
        if !is_assertion && !is_encrypted {
            continue;
        }
        let parent = doc.parent(node);
        if parent != Some(response) {
            let container = parent
                .and_then(|p| doc.element(p))
                .map_or_else(String::new, |p| p.expanded_name());
            return Err(SamlError::UnexpectedAssertion {
                detail: format!("an {} is nested inside {container}", element.local_name()),
            }
            .into());
        }
        if is_encrypted {
            encrypted.push(node);
        } else {
            direct.push(node);
        }
    }
    if direct.len() + encrypted.len() > 1 {
        return Err(SamlError::UnexpectedAssertion {
            detail: format!(
                "the Response contains {} assertions",
                direct.len() + encrypted.len()
            ),
        }
        .into());
    }
    if let Some(&node) = encrypted.first() {
        return Ok((node, true));
    }
    direct
        .first()
        .map(|&node| (node, false))
        .ok_or_else(|| SamlError::AssertionMissing.into())
}

/// The decrypted Assertion (see `crate::xmlenc::Decrypted`): no Assertion or EncryptedAssertion
/// inside it, and no Signature except one right after its Issuer, which is returned.
pub fn check_decrypted(doc: &Document, assertion: NodeId) -> Result<Option<NodeId>, Error> {
    if let Some(nested) = doc.descendants(assertion).find(|&n| {
        doc.element(n).is_some_and(|e| {
            e.is(ASSERTION_NS, "Assertion") || e.is(ASSERTION_NS, "EncryptedAssertion")
        })
    }) {
        let container = doc
            .parent(nested)
            .and_then(|p| doc.element(p))
            .map_or_else(String::new, |p| p.expanded_name());
        return Err(SamlError::UnexpectedAssertion {
            detail: format!("an assertion is nested inside {container}"),
        }
        .into());
    }
    // With the assertion in both roles, its signature lands in the first slot.
    let (signature, _) = find_signatures(doc, assertion, assertion)?;
    Ok(signature)
}

/// Every `ds:Signature` in the document must be the second element child of the Response or of
/// the Assertion, right after its Issuer.
fn find_signatures(
    doc: &Document,
    response: NodeId,
    assertion: NodeId,
) -> Result<(Option<NodeId>, Option<NodeId>), Error> {
    let mut on_response = None;
    let mut on_assertion = None;
    for node in doc.descendants(response) {
        if !doc
            .element(node)
            .is_some_and(|e| e.is(DSIG_NS, "Signature"))
        {
            continue;
        }
        let parent = doc.parent(node);
        let slot = match parent {
            Some(p) if p == response => &mut on_response,
            Some(p) if p == assertion => &mut on_assertion,
            _ => {
                let container = parent
                    .and_then(|p| doc.element(p))
                    .map_or_else(String::new, |p| p.expanded_name());
                return Err(SignatureError::Misplaced {
                    detail: format!("inside {container}"),
                }
                .into());
            }
        };
        let owner = parent.unwrap_or(response);
        let mut children = doc.child_elements(owner);
        let first_is_issuer = children
            .next()
            .is_some_and(|(_, e)| e.is(ASSERTION_NS, "Issuer"));
        let second_is_this = children.next().is_some_and(|(id, _)| id == node);
        if !first_is_issuer || !second_is_this || slot.is_some() {
            return Err(SignatureError::Misplaced {
                detail: "not directly after the Issuer".to_owned(),
            }
            .into());
        }
        *slot = Some(node);
    }
    Ok((on_response, on_assertion))
}

/// Response-level cross-checks. The Response may be unsigned; these values are compared with
/// configuration and can only reject.
pub fn check_response(doc: &Document, response: NodeId, checks: &Checks<'_>) -> Result<(), Error> {
    let element = doc
        .element(response)
        .ok_or_else(|| malformed(Part::Saml, "no Response"))?;
    check_version(element)?;
    time_attribute(element, "IssueInstant")?;
    let mut issuers = doc.children_named(response, ASSERTION_NS, "Issuer");
    if let Some((issuer, issuer_element)) = issuers.next() {
        check_issuer(doc, issuer, issuer_element, checks)?;
    }
    if issuers.next().is_some() {
        return Err(malformed(
            Part::Saml,
            "the Response has more than one Issuer",
        ));
    }
    if let Some(destination) = element.attribute("Destination")
        && destination != checks.acs_url
    {
        return Err(SamlError::DestinationMismatch {
            expected: checks.acs_url.to_owned(),
            found: destination.to_owned(),
        }
        .into());
    }
    if let Some(in_response_to) = element.attribute("InResponseTo") {
        check_in_response_to(Some(in_response_to), checks)?;
    }
    debug_assert!(element.is(PROTOCOL_NS, "Response"));
    Ok(())
}
