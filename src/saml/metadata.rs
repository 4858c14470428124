//! IdP metadata import: the entity ID, single sign-on endpoints and signing certificates of an
//! identity provider, from its `EntityDescriptor` (or one entry of an `EntitiesDescriptor`).
//!
//! Entra ID serves its federation metadata with a UTF-8 BOM and several signing certificates
//! (rollover); both are handled. The metadata's own signature is not checked here: the file is
//! configuration the administrator downloaded over HTTPS (optional verification comes with the
//! AuthnRequest work).

use crate::dsig::DSIG_NS;
use crate::encoding::decode_base64;
use crate::error::ConfigError;
use crate::x509::Certificate;
use crate::xml::{Document, NodeId};
use crate::{Error, Limits};

/// SAML 2.0 metadata namespace.
pub const METADATA_NS: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
/// The HTTP-Redirect binding.
pub const HTTP_REDIRECT: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
/// The HTTP-POST binding.
pub const HTTP_POST: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";

/// What an IdP's metadata says.
#[derive(Debug, Clone)]
pub struct IdpMetadata {
    /// The `entityID`.
    pub entity_id: String,
    /// `SingleSignOnService` endpoints as (binding, location).
    pub sso_services: Vec<(String, String)>,
    /// `SingleLogoutService` endpoints as (binding, location).
    pub slo_services: Vec<(String, String)>,
    /// Every distinct signing certificate (`use="signing"` or no `use`).
    pub signing_certificates: Vec<Certificate>,
    /// `WantAuthnRequestsSigned`.
    pub want_authn_requests_signed: bool,
}

impl IdpMetadata {
    /// The SSO location for `binding`, if offered.
    pub fn sso_url(&self, binding: &str) -> Option<&str> {
        self.sso_services
            .iter()
            .find(|(b, _)| b == binding)
            .map(|(_, l)| l.as_str())
    }
}

fn invalid(detail: impl Into<String>) -> Error {
    ConfigError::Invalid {
        field: "idp_metadata",
        detail: detail.into(),
    }
    .into()
}

/// Parses IdP metadata. With an `EntitiesDescriptor`, `entity_id` picks the entity (required
/// when it holds more than one IdP).
pub fn parse_idp_metadata(xml: &[u8], entity_id: Option<&str>) -> Result<IdpMetadata, Error> {
    let limits = Limits {
        max_nodes: 100_000,
        max_xml_bytes: 4 * 1024 * 1024,
        ..Limits::default()
    };
    let doc = Document::parse(xml, &limits)?;
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
            "the root is {}, not an EntityDescriptor",
            root_element.expanded_name()
        )));
    };
    let with_idp: Vec<NodeId> = candidates
        .into_iter()
        .filter(|&e| {
            doc.children_named(e, METADATA_NS, "IDPSSODescriptor")
                .next()
                .is_some()
        })
        .filter(|&e| {
            entity_id
                .is_none_or(|id| doc.element(e).and_then(|el| el.attribute("entityID")) == Some(id))
        })
        .collect();
    let descriptor = match with_idp.as_slice() {
        [one] => *one,
        [] => return Err(invalid("no IDPSSODescriptor for the requested entity")),
        _ => {
            return Err(invalid(
                "several identity providers: give the IdP entity ID",
            ));
        }
    };
    read_entity(&doc, descriptor)
}

fn read_entity(doc: &Document, descriptor: NodeId) -> Result<IdpMetadata, Error> {
    let entity_id = doc
        .element(descriptor)
        .and_then(|e| e.attribute("entityID"))
        .filter(|s| !s.is_empty())
        .ok_or_else(|| invalid("the EntityDescriptor has no entityID"))?
        .to_owned();
    let (idp, idp_element) = doc
        .children_named(descriptor, METADATA_NS, "IDPSSODescriptor")
        .next()
        .ok_or_else(|| invalid("no IDPSSODescriptor"))?;
    let endpoints = |local: &str| -> Vec<(String, String)> {
        doc.children_named(idp, METADATA_NS, local)
            .filter_map(|(_, e)| {
                Some((
                    e.attribute("Binding")?.to_owned(),
                    e.attribute("Location")?.to_owned(),
                ))
            })
            .collect()
    };
    let mut signing_certificates: Vec<Certificate> = Vec::new();
    for (key, key_element) in doc.children_named(idp, METADATA_NS, "KeyDescriptor") {
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
            let der = decode_base64(&doc.text(node), 64 * 1024)
                .map_err(|_| invalid("an X509Certificate is not base64"))?;
            let certificate = Certificate::from_der(&der)?;
            if !signing_certificates
                .iter()
                .any(|c| c.der() == certificate.der())
            {
                signing_certificates.push(certificate);
            }
        }
    }
    if signing_certificates.is_empty() {
        return Err(invalid("the IDPSSODescriptor has no signing certificate"));
    }
    Ok(IdpMetadata {
        entity_id,
        sso_services: endpoints("SingleSignOnService"),
        slo_services: endpoints("SingleLogoutService"),
        signing_certificates,
        want_authn_requests_signed: idp_element.attribute("WantAuthnRequestsSigned")
            == Some("true"),
    })
}
