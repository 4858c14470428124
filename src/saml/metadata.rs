//! IdP metadata import: the entity ID, single sign-on and single logout endpoints and signing
//! certificates of an identity provider, from its `EntityDescriptor` (or one entry of an
//! `EntitiesDescriptor`, picked by entity ID).
//!
//! Entra ID serves its federation metadata with a UTF-8 BOM and several signing certificates
//! (rollover); both are handled. Every distinct certificate of a `KeyDescriptor` with
//! `use="signing"` or no `use` in the `IDPSSODescriptor` is imported (the WS-Federation
//! `RoleDescriptor`s Entra adds are ignored).
//!
//! The metadata's own signature is checked only when asked ([`MetadataOptions::verify_with`]):
//! SAML metadata puts an enveloped `ds:Signature` as the **first** child element of the
//! `EntityDescriptor` (or of an enclosing `EntitiesDescriptor`), and only there is it accepted;
//! it must verify with one of the given certificates (`dsig::verify_enveloped`: exclusive
//! c14n, RSA-SHA256/384/512), and everything is then read from below the verified element.
//! Without verification the file is trusted as configuration the administrator downloaded over
//! HTTPS.

use crate::danger::AlgorithmPolicy;
use crate::dsig::{self, DSIG_NS};
use crate::encoding::decode_base64;
use crate::error::{ConfigError, SignatureError};
use crate::saml::expiry::{CertificateExpiry, certificate_expiry};
use crate::time::UnixTime;
use crate::x509::Certificate;
use crate::xml::{Document, NodeId};
use crate::{Error, Limits};

/// SAML 2.0 metadata namespace.
pub const METADATA_NS: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
/// The HTTP-Redirect binding.
pub const HTTP_REDIRECT: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
/// The HTTP-POST binding.
pub const HTTP_POST: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";

/// Largest metadata document accepted (Entra's is about 20 KB; aggregates are much larger).
pub const MAX_METADATA_BYTES: usize = 4 * 1024 * 1024;

/// What an IdP's metadata says.
#[derive(Debug, Clone)]
pub struct IdpMetadata {
    /// The `entityID`.
    pub entity_id: String,
    /// `SingleSignOnService` endpoints as (binding, location), in document order.
    pub sso_services: Vec<(String, String)>,
    /// `SingleLogoutService` endpoints as (binding, location), in document order.
    pub slo_services: Vec<(String, String)>,
    /// Every distinct signing certificate (`use="signing"` or no `use`), in document order.
    pub signing_certificates: Vec<Certificate>,
    /// `WantAuthnRequestsSigned` of the `IDPSSODescriptor`.
    pub want_authn_requests_signed: bool,
    /// The earliest `validUntil` of the `EntityDescriptor` and its enclosing
    /// `EntitiesDescriptor`s, if any (informational: not enforced).
    pub valid_until: Option<UnixTime>,
    /// Whether the metadata's signature was verified ([`MetadataOptions::verify_with`]).
    pub signature_verified: bool,
}

impl IdpMetadata {
    /// The SSO location for `binding`, if offered.
    pub fn sso_url(&self, binding: &str) -> Option<&str> {
        find_endpoint(&self.sso_services, binding)
    }

    /// The SLO location for `binding`, if offered.
    pub fn slo_url(&self, binding: &str) -> Option<&str> {
        find_endpoint(&self.slo_services, binding)
    }

    /// The expiry status of each signing certificate at `now` (warn 60, 30 and 7 days ahead).
    pub fn certificate_expiry(&self, now: UnixTime) -> Vec<CertificateExpiry> {
        certificate_expiry(&self.signing_certificates, now)
    }
}

fn find_endpoint<'a>(endpoints: &'a [(String, String)], binding: &str) -> Option<&'a str> {
    endpoints
        .iter()
        .find(|(b, _)| b == binding)
        .map(|(_, l)| l.as_str())
}

/// How to import IdP metadata.
#[derive(Debug, Clone, Copy, Default)]
pub struct MetadataOptions<'a> {
    /// Picks the entity of an `EntitiesDescriptor` (required when it holds more than one IdP).
    pub entity_id: Option<&'a str>,
    /// Verify the metadata's enveloped signature with these certificates (e.g. the IdP's current
    /// signing certificate). `None`: do not verify. `Some(&[])` is a configuration error.
    pub verify_with: Option<&'a [Certificate]>,
    /// Accept an RSA-SHA1 / SHA-1 metadata signature.
    pub allow_sha1: bool,
}

pub(crate) fn invalid(detail: impl Into<String>) -> Error {
    ConfigError::Invalid {
        field: "idp_metadata",
        detail: detail.into(),
    }
    .into()
}

/// Parses IdP metadata without verifying its signature. With an `EntitiesDescriptor`,
/// `entity_id` picks the entity (required when it holds more than one IdP).
pub fn parse_idp_metadata(xml: &[u8], entity_id: Option<&str>) -> Result<IdpMetadata, Error> {
    parse_idp_metadata_with(
        xml,
        &MetadataOptions {
            entity_id,
            ..MetadataOptions::default()
        },
    )
}

/// Parses IdP metadata, verifying its signature when [`MetadataOptions::verify_with`] is set.
///
/// Verification errors: `metadata_signature_missing` (no Signature as the first child element
/// of the EntityDescriptor or an enclosing EntitiesDescriptor, or a misplaced or repeated one),
/// then the codes of `dsig::verify_enveloped` (`signature_invalid`, `digest_mismatch`, …).
pub fn parse_idp_metadata_with(
    xml: &[u8],
    options: &MetadataOptions<'_>,
) -> Result<IdpMetadata, Error> {
    let doc = parse_metadata_document(xml)?;
    let descriptor = find_descriptor(&doc, options.entity_id, "IDPSSODescriptor")?;
    let signature_verified = check_signature(&doc, descriptor, options)?;
    let mut metadata = read_entity(&doc, descriptor)?;
    metadata.signature_verified = signature_verified;
    Ok(metadata)
}

/// Parses a metadata document (BOM tolerated) under limits sized for metadata aggregates.
pub(crate) fn parse_metadata_document(xml: &[u8]) -> Result<Document, Error> {
    let limits = Limits {
        max_nodes: 100_000,
        max_input_bytes: MAX_METADATA_BYTES,
        max_xml_bytes: MAX_METADATA_BYTES,
        ..Limits::default()
    };
    Document::parse(xml, &limits)
}

/// Verifies the signature covering `descriptor` when the options ask for it; returns whether it
/// was verified.
pub(crate) fn check_signature(
    doc: &Document,
    descriptor: NodeId,
    options: &MetadataOptions<'_>,
) -> Result<bool, Error> {
    match options.verify_with {
        None => Ok(false),
        Some([]) => Err(ConfigError::Missing {
            field: "metadata.verify_with",
        }
        .into()),
        Some(trusted) => {
            let policy = AlgorithmPolicy {
                allow_sha1: options.allow_sha1,
            };
            let verified = verify_signature(doc, descriptor, trusted, &policy)?;
            if !verified
                .document()
                .is_ancestor_or_self(verified.node(), descriptor)
            {
                return Err(invalid("the verified element does not contain the entity"));
            }
            Ok(true)
        }
    }
}

/// The `EntityDescriptor` with a `role` child (`IDPSSODescriptor`, `SPSSODescriptor`), matching
/// `entity_id` if given.
pub(crate) fn find_descriptor(
    doc: &Document,
    entity_id: Option<&str>,
    role: &str,
) -> Result<NodeId, Error> {
    let root = doc.root();
    let root_element = doc.element(root).ok_or_else(|| invalid("empty document"))?;
    let candidates: Vec<NodeId> = if root_element.is(METADATA_NS, "EntityDescriptor") {
        vec![root]
    } else if root_element.is(METADATA_NS, "EntitiesDescriptor") {
        doc.descendants(root)
            .filter(|&n| {
                doc.element(n)
                    .is_some_and(|e| e.is(METADATA_NS, "EntityDescriptor"))
            })
            .collect()
    } else {
        return Err(invalid(format!(
            "the root is {}, not an EntityDescriptor or EntitiesDescriptor",
            root_element.expanded_name()
        )));
    };
    let with_role: Vec<NodeId> = candidates
        .into_iter()
        .filter(|&e| doc.children_named(e, METADATA_NS, role).next().is_some())
        .filter(|&e| {
            entity_id
                .is_none_or(|id| doc.element(e).and_then(|el| el.attribute("entityID")) == Some(id))
        })
        .collect();
    match with_role.as_slice() {
        [one] => Ok(*one),
        [] => Err(match entity_id {
            Some(id) => invalid(format!(
                "no {role} for the entity {}",
                crate::error::quote(id)
            )),
            None => invalid(format!("no EntityDescriptor with an {role}")),
        }),
        _ => Err(invalid(format!(
            "several entities with an {role}: give the entity ID to pick one"
        ))),
    }
}

/// Verifies the signature that covers `descriptor`: that of the nearest element, from the
/// descriptor up through its enclosing `EntitiesDescriptor`s, that has a `ds:Signature` child.
/// That Signature must be its parent's first child element, and the only one.
fn verify_signature<'d>(
    doc: &'d Document,
    descriptor: NodeId,
    trusted: &[Certificate],
    policy: &AlgorithmPolicy,
) -> Result<dsig::Verified<'d>, Error> {
    let missing =
        |detail: String| -> Error { SignatureError::MetadataSignatureMissing { detail }.into() };
    let mut current = Some(descriptor);
    while let Some(node) = current {
        let name = doc
            .element(node)
            .map(|e| e.local_name().to_owned())
            .unwrap_or_default();
        let signatures: Vec<NodeId> = doc
            .children_named(node, DSIG_NS, "Signature")
            .map(|(id, _)| id)
            .collect();
        match signatures.as_slice() {
            [] => {}
            [signature] => {
                let first = doc.child_elements(node).next().map(|(id, _)| id);
                if first != Some(*signature) {
                    return Err(missing(format!(
                        "the {name}'s Signature is not its first child element, where SAML \
                         metadata puts it"
                    )));
                }
                return dsig::verify_enveloped(doc, *signature, trusted, policy);
            }
            _ => return Err(missing(format!("the {name} has more than one Signature"))),
        }
        current = doc.parent(node);
    }
    Err(missing(
        "no Signature in the EntityDescriptor or an enclosing EntitiesDescriptor".to_owned(),
    ))
}

/// The earliest `validUntil` on `node` and its ancestors (values that are not strict UTC
/// timestamps are ignored: the attribute is informational here).
pub(crate) fn valid_until(doc: &Document, node: NodeId) -> Option<UnixTime> {
    let mut earliest: Option<UnixTime> = None;
    let mut current = Some(node);
    while let Some(n) = current {
        if let Some(time) = doc
            .element(n)
            .and_then(|e| e.attribute("validUntil"))
            .and_then(UnixTime::parse_rfc3339_utc)
        {
            earliest = Some(earliest.map_or(time, |e| e.min(time)));
        }
        current = doc.parent(n);
    }
    earliest
}

/// The distinct certificates of the role's `KeyDescriptor`s with `use="signing"` or no `use`.
pub(crate) fn signing_certificates(
    doc: &Document,
    role: NodeId,
) -> Result<Vec<Certificate>, Error> {
    let mut certificates: Vec<Certificate> = Vec::new();
    for (key, key_element) in doc.children_named(role, METADATA_NS, "KeyDescriptor") {
        if !matches!(key_element.attribute("use"), None | Some("signing")) {
            continue;
        }
        for node in doc.descendants(key) {
            if !doc
                .element(node)
                .is_some_and(|e| e.is(DSIG_NS, "X509Certificate"))
            {
                continue;
            }
            let der = decode_base64(&doc.text(node), crate::x509::MAX_CERT_BYTES)
                .map_err(|_| invalid("an X509Certificate is not base64"))?;
            let certificate = Certificate::from_der(&der)?;
            if !certificates.iter().any(|c| c.der() == certificate.der()) {
                certificates.push(certificate);
            }
        }
    }
    Ok(certificates)
}

/// The role's endpoints named `local` as (binding, location).
pub(crate) fn endpoints(doc: &Document, role: NodeId, local: &str) -> Vec<(String, String)> {
    doc.children_named(role, METADATA_NS, local)
        .filter_map(|(_, e)| {
            Some((
                e.attribute("Binding")?.to_owned(),
                e.attribute("Location")?.to_owned(),
            ))
        })
        .collect()
}

/// Whether a boolean attribute is `true` or `1` (xs:boolean).
pub(crate) fn is_true(value: Option<&str>) -> bool {
    matches!(value, Some("true" | "1"))
}

/// The `entityID` of `descriptor`.
pub(crate) fn entity_id_of(doc: &Document, descriptor: NodeId) -> Result<String, Error> {
    doc.element(descriptor)
        .and_then(|e| e.attribute("entityID"))
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| invalid("the EntityDescriptor has no entityID"))
}

fn read_entity(doc: &Document, descriptor: NodeId) -> Result<IdpMetadata, Error> {
    let entity_id = entity_id_of(doc, descriptor)?;
    let (idp, idp_element) = doc
        .children_named(descriptor, METADATA_NS, "IDPSSODescriptor")
        .next()
        .ok_or_else(|| invalid("no IDPSSODescriptor"))?;
    let signing_certificates = signing_certificates(doc, idp)?;
    if signing_certificates.is_empty() {
        return Err(invalid("the IDPSSODescriptor has no signing certificate"));
    }
    Ok(IdpMetadata {
        entity_id,
        sso_services: endpoints(doc, idp, "SingleSignOnService"),
        slo_services: endpoints(doc, idp, "SingleLogoutService"),
        signing_certificates,
        want_authn_requests_signed: is_true(idp_element.attribute("WantAuthnRequestsSigned")),
        valid_until: valid_until(doc, descriptor),
        signature_verified: false,
    })
}
