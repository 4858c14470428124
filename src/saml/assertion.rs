//! The identity and conditions of a signed Assertion.
//!
//! [`SignedAssertion`] can only be made from [`Verified`] proofs: either the Assertion itself was
//! verified, or the Response that directly contains it was. The document and the Assertion node
//! come from the proofs, never from a separate argument. Every value is then read by a fixed
//! structural path below that node (V11), as the full character content of the element (V12).

use super::checks::{
    Checks, check_in_response_to, check_issuer, check_version, is_xml_whitespace, simple_text,
    time_attribute, uri_text,
};
use super::{ASSERTION_NS, BEARER};
use crate::Error;
use crate::dsig::Verified;
use crate::error::{Part, SamlError, malformed};
use crate::time::UnixTime;
use crate::xml::{Document, Element, NodeId, NodeKind};

/// One SAML attribute with all its values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// The `Name` (Entra uses claim URIs such as
    /// `http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress`, or bare names).
    pub name: String,
    /// The `NameFormat`, if given.
    pub name_format: Option<String>,
    /// The `FriendlyName`, if given.
    pub friendly_name: Option<String>,
    /// The values in document order (each the full text content of an `AttributeValue`).
    pub values: Vec<String>,
}

/// Who signed in, as asserted by the IdP and verified by saml-edge. Owned, no references into the
/// document.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Identity {
    /// The `NameID` value, exactly as signed (Entra's default: the user principal name).
    pub name_id: String,
    /// The `NameID` `Format`, if given.
    pub name_id_format: Option<String>,
    /// The NameID `NameQualifier`, if given (send it back in a LogoutRequest).
    pub name_qualifier: Option<String>,
    /// The NameID `SPNameQualifier`, if given (send it back in a LogoutRequest).
    pub sp_name_qualifier: Option<String>,
    /// The `AuthnStatement` `SessionIndex` (needed for single logout).
    pub session_index: Option<String>,
    /// The Assertion's Issuer (the IdP entity ID).
    pub issuer: String,
    /// The Assertion's ID (for the replay cache).
    pub assertion_id: String,
    /// The request this answers (`None` for an IdP-initiated response).
    pub in_response_to: Option<String>,
    /// All attributes, in document order; repeated names are merged (values in document order).
    pub attributes: Vec<Attribute>,
    /// Until when this assertion may still be accepted: the latest NotOnOrAfter of its bearer
    /// confirmations (another confirmation may admit it once the first one has expired), capped
    /// by the Conditions' NotOnOrAfter. Keep its ID in the replay cache until then + skew.
    pub not_on_or_after: UnixTime,
    /// The `AuthnStatement` `SessionNotOnOrAfter`: end the SP session no later than this.
    pub session_not_on_or_after: Option<UnixTime>,
    /// When the user authenticated at the IdP.
    pub authn_instant: Option<UnixTime>,
    /// How the user authenticated (e.g. `urn:oasis:names:tc:SAML:2.0:ac:classes:Password`).
    pub authn_context_class_ref: Option<String>,
    /// True when the Response carried a valid signature.
    pub response_signed: bool,
    /// True when the Assertion carried a valid signature.
    pub assertion_signed: bool,
}

/// A `NameID` with its qualifiers, exactly as the IdP wrote it: what a LogoutRequest must send
/// back (SAML core §3.7.1) and what an incoming LogoutRequest names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameId {
    /// The value.
    pub value: String,
    /// `Format`, if given.
    pub format: Option<String>,
    /// `NameQualifier`, if given.
    pub name_qualifier: Option<String>,
    /// `SPNameQualifier`, if given.
    pub sp_name_qualifier: Option<String>,
}

impl Identity {
    /// The `NameID` with its qualifiers, for a LogoutRequest.
    pub fn name_id(&self) -> NameId {
        NameId {
            value: self.name_id.clone(),
            format: self.name_id_format.clone(),
            name_qualifier: self.name_qualifier.clone(),
            sp_name_qualifier: self.sp_name_qualifier.clone(),
        }
    }

    /// The values of the attribute named `name`, if present.
    pub fn attribute(&self, name: &str) -> Option<&[String]> {
        self.attributes
            .iter()
            .find(|a| a.name == name)
            .map(|a| a.values.as_slice())
    }
}

/// An Assertion covered by a verified signature (its own, or its Response's). Like the
/// [`Verified`] proofs it is made from, it borrows their document and is not `Clone`.
#[derive(Debug)]
pub struct SignedAssertion<'d> {
    doc: &'d Document,
    node: NodeId,
    response_signed: bool,
    assertion_signed: bool,
}

impl<'d> SignedAssertion<'d> {
    /// The Assertion that the verified signatures cover, taken from the proofs only: the element
    /// `assertion` proved (an Assertion's own signature), or else the single Assertion directly
    /// inside the element `response` proved (the Response's signature). `None` when neither
    /// covers an Assertion, or when the two proofs speak for two different documents.
    pub fn new(
        response: Option<&Verified<'d>>,
        assertion: Option<&Verified<'d>>,
    ) -> Option<SignedAssertion<'d>> {
        let doc = match (response, assertion) {
            (Some(r), Some(a)) if !std::ptr::eq(r.document(), a.document()) => return None,
            (Some(proof), _) | (None, Some(proof)) => proof.document(),
            (None, None) => return None,
        };
        let own = assertion
            .map(Verified::node)
            .filter(|&node| is_assertion(doc, node));
        let node = own.or_else(|| response.and_then(|r| single_child_assertion(doc, r.node())))?;
        let by_response = response.is_some_and(|r| doc.parent(node) == Some(r.node()));
        Some(SignedAssertion {
            doc,
            node,
            response_signed: by_response,
            assertion_signed: own.is_some(),
        })
    }
}

impl<'d> SignedAssertion<'d> {
    /// The proof for an assertion decrypted from an EncryptedAssertion (see `crate::xmlenc`):
    /// either its own signature, verified on the decrypted document (`assertion`), or the
    /// verified signature of the Response that directly contains the EncryptedAssertion
    /// (`response`, on the Response's document), which covers the ciphertext and so the
    /// plaintext. `None` when neither applies, or a proof speaks for another document.
    pub fn decrypted(
        decrypted: &'d crate::xmlenc::Decrypted<'_>,
        response: Option<&Verified<'_>>,
        assertion: Option<&Verified<'d>>,
    ) -> Option<SignedAssertion<'d>> {
        let doc = decrypted.document();
        let node = decrypted.assertion();
        let by_assertion =
            assertion.is_some_and(|a| std::ptr::eq(a.document(), doc) && a.node() == node);
        let outer = decrypted.response_document();
        let by_response = response.is_some_and(|r| {
            std::ptr::eq(r.document(), outer)
                && outer.parent(decrypted.encrypted_assertion()) == Some(r.node())
        });
        (by_assertion || by_response).then_some(SignedAssertion {
            doc,
            node,
            response_signed: by_response,
            assertion_signed: by_assertion,
        })
    }
}

fn is_assertion(doc: &Document, node: NodeId) -> bool {
    doc.element(node)
        .is_some_and(|e| e.is(ASSERTION_NS, "Assertion"))
}

/// The Assertion child of `parent` when there is exactly one.
fn single_child_assertion(doc: &Document, parent: NodeId) -> Option<NodeId> {
    let mut assertions = doc.children_named(parent, ASSERTION_NS, "Assertion");
    match (assertions.next(), assertions.next()) {
        (Some((node, _)), None) => Some(node),
        _ => None,
    }
}

/// The text content of all descendants, skipping comments and processing instructions.
fn deep_text(doc: &Document, node: NodeId) -> String {
    let mut out = String::new();
    for descendant in doc.descendants(node) {
        if let NodeKind::Text(t) = doc.kind(descendant) {
            out.push_str(t);
        }
    }
    out
}

pub(super) fn exactly_one<'d>(
    doc: &'d Document,
    parent: NodeId,
    local: &'d str,
    what: &str,
) -> Result<(NodeId, &'d Element), Error> {
    let mut found = doc.children_named(parent, ASSERTION_NS, local);
    let first = found
        .next()
        .ok_or_else(|| malformed(Part::Saml, format!("{what} has no {local}")))?;
    if found.next().is_some() {
        return Err(malformed(
            Part::Saml,
            format!("{what} has more than one {local}"),
        ));
    }
    Ok(first)
}

/// Validates the signed assertion against `checks` and returns the identity.
pub fn validate(signed: &SignedAssertion<'_>, checks: &Checks<'_>) -> Result<Identity, Error> {
    let (doc, assertion) = (signed.doc, signed.node);
    let element = doc
        .element(assertion)
        .ok_or_else(|| malformed(Part::Saml, "no Assertion"))?;
    check_version(element)?;
    let assertion_id = element.attribute("ID").unwrap_or_default().to_owned();
    if !crate::xml::is_ncname(&assertion_id) {
        return Err(malformed(Part::Saml, "the Assertion has no valid ID"));
    }
    let (issuer_node, issuer_element) = exactly_one(doc, assertion, "Issuer", "the Assertion")?;
    let issuer = check_issuer(doc, issuer_node, issuer_element, checks)?;
    let issue_instant = time_attribute(element, "IssueInstant")?
        .ok_or_else(|| malformed(Part::Saml, "the Assertion has no IssueInstant"))?;
    if issue_instant > checks.now.plus_secs(checks.skew_secs) {
        return Err(SamlError::NotYetValid {
            not_before: issue_instant,
            now: checks.now,
        }
        .into());
    }

    let (subject, _) = exactly_one(doc, assertion, "Subject", "the Assertion")?;
    let name = read_name_id(doc, subject)?;
    let confirmation = check_subject_confirmations(doc, subject, checks)?;
    let conditions_not_on_or_after = check_conditions(doc, assertion, checks)?;
    let authn = read_authn_statement(doc, assertion, checks)?;
    let attributes = read_attributes(doc, assertion)?;

    let latest = latest_bearer_not_on_or_after(doc, subject, confirmation.not_on_or_after);
    let not_on_or_after = match conditions_not_on_or_after {
        Some(c) => c.min(latest),
        None => latest,
    };
    Ok(Identity {
        name_id: name.value,
        name_id_format: name.format,
        name_qualifier: name.name_qualifier,
        sp_name_qualifier: name.sp_name_qualifier,
        session_index: authn.session_index,
        issuer,
        assertion_id,
        in_response_to: confirmation.in_response_to,
        attributes,
        not_on_or_after,
        session_not_on_or_after: authn.session_not_on_or_after,
        authn_instant: authn.authn_instant,
        authn_context_class_ref: authn.class_ref,
        response_signed: signed.response_signed,
        assertion_signed: signed.assertion_signed,
    })
}

/// Reads the one `NameID` of `subject` (a `Subject` or a `LogoutRequest`), with its qualifiers.
pub(crate) fn read_name_id(doc: &Document, subject: NodeId) -> Result<NameId, Error> {
    for other in ["EncryptedID", "BaseID"] {
        if doc
            .children_named(subject, ASSERTION_NS, other)
            .next()
            .is_some()
        {
            return Err(malformed(
                Part::Saml,
                format!("the Subject uses {other}, only NameID is supported"),
            ));
        }
    }
    let (name_id, element) = exactly_one(doc, subject, "NameID", "the Subject")?;
    let value = simple_text(doc, name_id, "NameID")?;
    if value.trim_matches(is_xml_whitespace).is_empty() {
        return Err(malformed(Part::Saml, "the NameID is empty"));
    }
    let attribute = |name: &str| element.attribute(name).map(str::to_owned);
    Ok(NameId {
        value,
        format: attribute("Format"),
        name_qualifier: attribute("NameQualifier"),
        sp_name_qualifier: attribute("SPNameQualifier"),
    })
}

struct Confirmation {
    not_on_or_after: UnixTime,
    in_response_to: Option<String>,
}

fn check_subject_confirmations(
    doc: &Document,
    subject: NodeId,
    checks: &Checks<'_>,
) -> Result<Confirmation, Error> {
    let mut first_error: Option<Error> = None;
    for (confirmation, element) in doc.children_named(subject, ASSERTION_NS, "SubjectConfirmation")
    {
        if element.attribute("Method") != Some(BEARER) {
            continue;
        }
        match check_bearer(doc, confirmation, checks) {
            Ok(accepted) => return Ok(accepted),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.unwrap_or_else(|| {
        SamlError::SubjectConfirmationInvalid {
            detail: "the Subject has no bearer SubjectConfirmation".into(),
        }
        .into()
    }))
}

/// The latest NotOnOrAfter among the Subject's bearer confirmations: the last instant at which
/// any of them could admit the assertion, and no earlier than `accepted` (the confirmation that
/// admitted it). Unparsable values are skipped: they admit nothing.
fn latest_bearer_not_on_or_after(doc: &Document, subject: NodeId, accepted: UnixTime) -> UnixTime {
    doc.children_named(subject, ASSERTION_NS, "SubjectConfirmation")
        .filter(|(_, element)| element.attribute("Method") == Some(BEARER))
        .flat_map(|(confirmation, _)| {
            doc.children_named(confirmation, ASSERTION_NS, "SubjectConfirmationData")
        })
        .filter_map(|(_, data)| time_attribute(data, "NotOnOrAfter").ok().flatten())
        .fold(accepted, UnixTime::max)
}

fn check_bearer(
    doc: &Document,
    confirmation: NodeId,
    checks: &Checks<'_>,
) -> Result<Confirmation, Error> {
    let invalid = |detail: &str| -> Error {
        SamlError::SubjectConfirmationInvalid {
            detail: detail.into(),
        }
        .into()
    };
    let mut data = doc.children_named(confirmation, ASSERTION_NS, "SubjectConfirmationData");
    let (_, data) = data
        .next()
        .ok_or_else(|| invalid("the bearer SubjectConfirmation has no SubjectConfirmationData"))?;
    let recipient = data
        .attribute("Recipient")
        .ok_or_else(|| invalid("SubjectConfirmationData has no Recipient"))?;
    if recipient != checks.acs_url {
        return Err(SamlError::RecipientMismatch {
            expected: checks.acs_url.to_owned(),
            found: recipient.to_owned(),
        }
        .into());
    }
    let not_on_or_after = time_attribute(data, "NotOnOrAfter")?
        .ok_or_else(|| invalid("SubjectConfirmationData has no NotOnOrAfter"))?;
    if not_on_or_after.plus_secs(checks.skew_secs) <= checks.now {
        return Err(SamlError::Expired {
            not_on_or_after,
            now: checks.now,
        }
        .into());
    }
    if let Some(not_before) = time_attribute(data, "NotBefore")?
        && not_before > checks.now.plus_secs(checks.skew_secs)
    {
        return Err(SamlError::NotYetValid {
            not_before,
            now: checks.now,
        }
        .into());
    }
    let in_response_to = data.attribute("InResponseTo");
    check_in_response_to(in_response_to, checks)?;
    Ok(Confirmation {
        not_on_or_after,
        in_response_to: in_response_to.map(str::to_owned),
    })
}

/// Checks the single Conditions element; returns its NotOnOrAfter.
fn check_conditions(
    doc: &Document,
    assertion: NodeId,
    checks: &Checks<'_>,
) -> Result<Option<UnixTime>, Error> {
    let (conditions, element) = exactly_one(doc, assertion, "Conditions", "the Assertion")?;
    if let Some(not_before) = time_attribute(element, "NotBefore")?
        && not_before > checks.now.plus_secs(checks.skew_secs)
    {
        return Err(SamlError::NotYetValid {
            not_before,
            now: checks.now,
        }
        .into());
    }
    let not_on_or_after = time_attribute(element, "NotOnOrAfter")?;
    if let Some(limit) = not_on_or_after
        && limit.plus_secs(checks.skew_secs) <= checks.now
    {
        return Err(SamlError::Expired {
            not_on_or_after: limit,
            now: checks.now,
        }
        .into());
    }
    let mut expected: Vec<String> = vec![checks.sp_entity_id.to_owned()];
    expected.extend(checks.extra_audiences.iter().cloned());
    let mut restrictions = 0usize;
    for (restriction, _) in doc.children_named(conditions, ASSERTION_NS, "AudienceRestriction") {
        restrictions += 1;
        let mut found = Vec::new();
        for (audience, _) in doc.children_named(restriction, ASSERTION_NS, "Audience") {
            found.push(uri_text(doc, audience, "Audience")?);
        }
        if !found.iter().any(|a| expected.contains(a)) {
            return Err(SamlError::AudienceMismatch { expected, found }.into());
        }
    }
    if restrictions == 0 {
        return Err(SamlError::AudienceMismatch {
            expected,
            found: Vec::new(),
        }
        .into());
    }
    Ok(not_on_or_after)
}

struct Authn {
    session_index: Option<String>,
    authn_instant: Option<UnixTime>,
    session_not_on_or_after: Option<UnixTime>,
    class_ref: Option<String>,
}

fn read_authn_statement(
    doc: &Document,
    assertion: NodeId,
    checks: &Checks<'_>,
) -> Result<Authn, Error> {
    let mut statements = doc.children_named(assertion, ASSERTION_NS, "AuthnStatement");
    let (statement, element) = statements
        .next()
        .ok_or_else(|| malformed(Part::Saml, "the Assertion has no AuthnStatement"))?;
    let authn_instant = time_attribute(element, "AuthnInstant")?;
    let session_not_on_or_after = time_attribute(element, "SessionNotOnOrAfter")?;
    if let Some(limit) = session_not_on_or_after
        && limit.plus_secs(checks.skew_secs) <= checks.now
    {
        return Err(SamlError::Expired {
            not_on_or_after: limit,
            now: checks.now,
        }
        .into());
    }
    let mut class_ref = None;
    if let Some((context, _)) = doc
        .children_named(statement, ASSERTION_NS, "AuthnContext")
        .next()
        && let Some((class, _)) = doc
            .children_named(context, ASSERTION_NS, "AuthnContextClassRef")
            .next()
    {
        class_ref = Some(uri_text(doc, class, "AuthnContextClassRef")?);
    }
    Ok(Authn {
        session_index: element.attribute("SessionIndex").map(str::to_owned),
        authn_instant,
        session_not_on_or_after,
        class_ref,
    })
}

/// Reads every Attribute of every AttributeStatement. Several Attribute elements with the same
/// Name (Keycloak sends one per role) are merged deterministically: their values are appended in
/// document order under the first one's NameFormat and FriendlyName.
fn read_attributes(doc: &Document, assertion: NodeId) -> Result<Vec<Attribute>, Error> {
    let mut attributes: Vec<Attribute> = Vec::new();
    for (statement, _) in doc.children_named(assertion, ASSERTION_NS, "AttributeStatement") {
        for (attribute, element) in doc.children_named(statement, ASSERTION_NS, "Attribute") {
            let name = element
                .attribute("Name")
                .ok_or_else(|| malformed(Part::Saml, "an Attribute has no Name"))?;
            let values = doc
                .children_named(attribute, ASSERTION_NS, "AttributeValue")
                .map(|(value, _)| deep_text(doc, value));
            if let Some(existing) = attributes.iter_mut().find(|a| a.name == name) {
                existing.values.extend(values);
                continue;
            }
            attributes.push(Attribute {
                name: name.to_owned(),
                name_format: element.attribute("NameFormat").map(str::to_owned),
                friendly_name: element.attribute("FriendlyName").map(str::to_owned),
                values: values.collect(),
            });
        }
    }
    Ok(attributes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::danger::AlgorithmPolicy;
    use crate::dsig::verify_enveloped;
    use crate::saml::structure;
    use crate::x509::Certificate;
    use crate::{Limits, UnixTime};

    fn generated(name: &str) -> Vec<u8> {
        let path = format!("{}/tests/data/generated/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap()
    }

    fn both_signed() -> Document {
        let xml = generated("entra2021_both_signed_compact.xml");
        Document::parse(&xml, &Limits::default()).unwrap()
    }

    /// The Response's and the Assertion's proofs of `doc`.
    fn proofs(doc: &Document) -> (Verified<'_>, Verified<'_>) {
        let trusted = Certificate::parse_all(&generated("idp.crt")).unwrap();
        let shape = structure::check(doc).unwrap();
        let verify =
            |signature| verify_enveloped(doc, signature, &trusted, &AlgorithmPolicy::default());
        (
            verify(shape.response_signature.unwrap()).unwrap(),
            verify(shape.assertion_signature.unwrap()).unwrap(),
        )
    }

    #[test]
    fn the_assertion_comes_from_the_proofs() {
        let doc = both_signed();
        let (response, assertion) = proofs(&doc);
        let both = SignedAssertion::new(Some(&response), Some(&assertion)).unwrap();
        assert_eq!(both.node, assertion.node());
        assert!(both.response_signed && both.assertion_signed);

        let by_response = SignedAssertion::new(Some(&response), None).unwrap();
        assert_eq!(by_response.node, assertion.node());
        assert!(by_response.response_signed && !by_response.assertion_signed);

        let by_assertion = SignedAssertion::new(None, Some(&assertion)).unwrap();
        assert_eq!(by_assertion.node, assertion.node());
        assert!(!by_assertion.response_signed && by_assertion.assertion_signed);

        assert!(SignedAssertion::new(None, None).is_none());
        // A proof of the Assertion in the Response's place covers no Assertion below it.
        assert!(SignedAssertion::new(Some(&assertion), None).is_none());
        // And the Response's proof in the Assertion's place is no Assertion's own signature.
        assert!(SignedAssertion::new(None, Some(&response)).is_none());
    }

    #[test]
    fn proofs_of_two_documents_are_not_paired() {
        // Two parses of the same bytes: equal trees, equal node IDs, still two documents.
        let (first, second) = (both_signed(), both_signed());
        let (response, _) = proofs(&first);
        let (_, assertion) = proofs(&second);
        assert!(SignedAssertion::new(Some(&response), Some(&assertion)).is_none());
    }

    #[test]
    fn validate_reads_the_proven_tree() {
        let doc = both_signed();
        let (response, assertion) = proofs(&doc);
        let signed = SignedAssertion::new(Some(&response), Some(&assertion)).unwrap();
        let checks = Checks {
            idp_entity_id: "https://sts.windows.net/6b1f4c2e-93d7-4a58-b0e1-7c2d9f3a8e51/",
            sp_entity_id: "https://app.example.com/saml/metadata",
            extra_audiences: &[],
            acs_url: "https://app.example.com/saml/acs",
            request_id: Some("_7f3c9a2e4b1d4e6fa0c1b2d3e4f50617"),
            allow_unsolicited: false,
            now: UnixTime::parse_rfc3339_utc("2026-01-15T10:01:00Z").unwrap(),
            skew_secs: 180,
        };
        let identity = validate(&signed, &checks).unwrap();
        assert_eq!(identity.name_id, "B.Simon@contoso.com");
        assert!(identity.response_signed && identity.assertion_signed);
        // The NameID with its qualifiers, as a LogoutRequest sends it back.
        let name_id = identity.name_id();
        assert_eq!(name_id.value, "B.Simon@contoso.com");
        assert_eq!(
            name_id.format.as_deref(),
            Some("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress")
        );
    }

    /// The replay record lasts until the latest bearer confirmation could still admit the
    /// assertion (another bearer confirmation may be replayed after the accepted one expires);
    /// other methods admit nothing and do not count.
    #[test]
    fn the_latest_bearer_not_on_or_after_counts() {
        let xml = format!(
            "<Subject xmlns=\"{ASSERTION_NS}\">\
             <SubjectConfirmation Method=\"urn:oasis:names:tc:SAML:2.0:cm:holder-of-key\">\
             <SubjectConfirmationData NotOnOrAfter=\"2026-01-15T13:00:00Z\"/></SubjectConfirmation>\
             <SubjectConfirmation Method=\"{BEARER}\">\
             <SubjectConfirmationData NotOnOrAfter=\"2026-01-15T11:00:00Z\"/></SubjectConfirmation>\
             <SubjectConfirmation Method=\"{BEARER}\">\
             <SubjectConfirmationData NotOnOrAfter=\"2026-01-15T12:00:00Z\"/>\
             <SubjectConfirmationData NotOnOrAfter=\"soon\"/></SubjectConfirmation>\
             </Subject>"
        );
        let doc = Document::parse(xml.as_bytes(), &Limits::DEFAULT).unwrap();
        let at = |t: &str| UnixTime::parse_rfc3339_utc(t).unwrap();
        let accepted = at("2026-01-15T11:00:00Z");
        assert_eq!(
            latest_bearer_not_on_or_after(&doc, doc.root(), accepted),
            at("2026-01-15T12:00:00Z")
        );
        // Never earlier than the confirmation that admitted the assertion.
        let late = at("2026-01-15T12:30:00Z");
        assert_eq!(latest_bearer_not_on_or_after(&doc, doc.root(), late), late);
    }
}
