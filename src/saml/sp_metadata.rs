//! SP metadata export: the `EntityDescriptor` an administrator uploads to the IdP (Entra ID:
//! Enterprise application > Single sign-on > "Upload metadata file").
//!
//! Entra reads the `entityID` (Identifier) and the `AssertionConsumerService` `Location` (Reply
//! URL) from it, so the document is deliberately plain:
//!
//! ```text
//! EntityDescriptor entityID [ID when signed]
//!   [ds:Signature]                                    (when signed, first child)
//!   SPSSODescriptor protocolSupportEnumeration AuthnRequestsSigned WantAssertionsSigned="true"
//!     [KeyDescriptor use="signing"]                   (the SP certificate, when configured)
//!     [KeyDescriptor use="encryption"]*               (certificates the IdP may encrypt
//!                                                      assertions to, with EncryptionMethods)
//!     [SingleLogoutService HTTP-Redirect, HTTP-POST]  (when an SLO URL is configured)
//!     NameIDFormat                                    (emailAddress by default)
//!     AssertionConsumerService HTTP-POST index="0" isDefault="true"
//! ```
//!
//! No `validUntil`, `cacheDuration`, `Organization` or `ContactPerson`: nothing Entra needs.
//! Elements follow the schema order of `SPSSODescriptorType`.
//!
//! [`parse_sp_metadata`] reads SP metadata back (the export round-trips through it), optionally
//! verifying its signature like IdP metadata.

use crate::Error;
use crate::dsig::DSIG_NS;
use crate::encoding::encode_base64;
use crate::saml::PROTOCOL_NS;
use crate::saml::authn_request::NAMEID_FORMAT_EMAIL;
use crate::saml::metadata::{
    self, HTTP_POST, HTTP_REDIRECT, METADATA_NS, MetadataOptions, endpoints, entity_id_of, is_true,
    signing_certificates,
};
use crate::saml::values::{check_entity_id, check_http_url, check_uri};
use crate::x509::Certificate;
use crate::xml::writer::{escape_attribute, escape_text};

/// The `EncryptionMethod`s published with an encryption certificate, in order of preference:
/// what `crate::xmlenc` decrypts (GCM first; 3DES-CBC is accepted but not advertised).
pub const ENCRYPTION_METHODS: [&str; 6] = [
    "http://www.w3.org/2009/xmlenc11#aes256-gcm",
    "http://www.w3.org/2009/xmlenc11#aes128-gcm",
    "http://www.w3.org/2001/04/xmlenc#aes256-cbc",
    "http://www.w3.org/2001/04/xmlenc#aes128-cbc",
    "http://www.w3.org/2009/xmlenc11#rsa-oaep",
    "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p",
];

/// What the SP metadata describes. [`crate::ServiceProvider::metadata`] fills it from the
/// configuration; adjust fields before calling [`SpMetadata::to_xml`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpMetadata<'a> {
    /// The SP entity ID (Entra: Identifier).
    pub entity_id: &'a str,
    /// The ACS URL (Entra: Reply URL), HTTP-POST binding.
    pub acs_url: &'a str,
    /// The single logout URL (Entra: Logout URL), HTTP-Redirect binding, if any.
    pub slo_url: Option<&'a str>,
    /// The `NameIDFormat` to advertise; `None` writes none.
    pub name_id_format: Option<&'a str>,
    /// The SP's signing certificate, published as `KeyDescriptor use="signing"`.
    pub signing_certificate: Option<&'a Certificate>,
    /// Certificates the IdP may encrypt assertions to (Entra ID: "Token encryption"), each
    /// published as `KeyDescriptor use="encryption"` with the accepted algorithms
    /// ([`ENCRYPTION_METHODS`]). Two during a key rollover.
    pub encryption_certificates: &'a [Certificate],
    /// `AuthnRequestsSigned`: whether the SP signs its AuthnRequests.
    pub authn_requests_signed: bool,
    /// `WantAssertionsSigned`.
    pub want_assertions_signed: bool,
}

impl<'a> SpMetadata<'a> {
    /// Metadata for `entity_id` and `acs_url` with the defaults: no SLO, emailAddress NameID
    /// format, no certificate, unsigned requests, signed assertions wanted.
    pub fn new(entity_id: &'a str, acs_url: &'a str) -> Self {
        SpMetadata {
            entity_id,
            acs_url,
            slo_url: None,
            name_id_format: Some(NAMEID_FORMAT_EMAIL),
            signing_certificate: None,
            encryption_certificates: &[],
            authn_requests_signed: false,
            want_assertions_signed: true,
        }
    }

    /// The unsigned metadata XML (UTF-8, with an XML declaration).
    pub fn to_xml(&self) -> Result<String, Error> {
        self.write(None).map(|(xml, _)| xml)
    }

    /// The metadata with an enveloped signature (exclusive c14n, RSA-SHA256) as the first child
    /// of the `EntityDescriptor`, which then gets an `ID` derived from the entity ID.
    #[cfg(feature = "sign")]
    pub fn to_signed_xml(
        &self,
        credentials: &crate::saml::signer::SigningCredentials,
    ) -> Result<String, Error> {
        let digest = crate::crypto::DigestAlgorithm::Sha256.digest(self.entity_id.as_bytes());
        let id: String = core::iter::once('_'.to_string())
            .chain(digest.iter().take(16).map(|byte| format!("{byte:02x}")))
            .collect();
        let (xml, insert_at) = self.write(Some(&id))?;
        crate::saml::signer::sign_enveloped(&xml, insert_at, credentials)
    }

    /// Checks the values, writes the XML (with `ID` when given) and returns it with the offset
    /// where a signature goes.
    fn write(&self, id: Option<&str>) -> Result<(String, usize), Error> {
        check_entity_id("entity_id", self.entity_id)?;
        check_http_url("acs_url", self.acs_url)?;
        if let Some(slo_url) = self.slo_url {
            check_http_url("slo_url", slo_url)?;
        }
        if let Some(format) = self.name_id_format {
            check_uri("name_id_format", format)?;
        }
        let flag = |value: bool| if value { "true" } else { "false" };
        let mut xml = String::with_capacity(2048);
        xml.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        xml.push_str(&format!(
            "<md:EntityDescriptor xmlns:md=\"{METADATA_NS}\" entityID=\"{}\"",
            escape_attribute(self.entity_id)
        ));
        if let Some(id) = id {
            xml.push_str(&format!(" ID=\"{}\"", escape_attribute(id)));
        }
        xml.push_str(">\n  ");
        let insert_at = xml.len();
        xml.push_str(&format!(
            "<md:SPSSODescriptor AuthnRequestsSigned=\"{}\" WantAssertionsSigned=\"{}\" \
             protocolSupportEnumeration=\"{PROTOCOL_NS}\">\n",
            flag(self.authn_requests_signed),
            flag(self.want_assertions_signed)
        ));
        if let Some(certificate) = self.signing_certificate {
            xml.push_str(&format!(
                "    <md:KeyDescriptor use=\"signing\">\n      <ds:KeyInfo xmlns:ds=\"{DSIG_NS}\">\n        \
                 <ds:X509Data>\n          <ds:X509Certificate>{}</ds:X509Certificate>\n        \
                 </ds:X509Data>\n      </ds:KeyInfo>\n    </md:KeyDescriptor>\n",
                encode_base64(certificate.der())
            ));
        }
        for certificate in self.encryption_certificates {
            xml.push_str(&format!(
                "    <md:KeyDescriptor use=\"encryption\">\n      <ds:KeyInfo xmlns:ds=\"{DSIG_NS}\">\n        \
                 <ds:X509Data>\n          <ds:X509Certificate>{}</ds:X509Certificate>\n        \
                 </ds:X509Data>\n      </ds:KeyInfo>\n",
                encode_base64(certificate.der())
            ));
            for method in ENCRYPTION_METHODS {
                xml.push_str(&format!(
                    "      <md:EncryptionMethod Algorithm=\"{method}\"/>\n"
                ));
            }
            xml.push_str("    </md:KeyDescriptor>\n");
        }
        if let Some(slo_url) = self.slo_url {
            for binding in [HTTP_REDIRECT, HTTP_POST] {
                xml.push_str(&format!(
                    "    <md:SingleLogoutService Binding=\"{binding}\" Location=\"{}\"/>\n",
                    escape_attribute(slo_url)
                ));
            }
        }
        if let Some(format) = self.name_id_format {
            xml.push_str(&format!(
                "    <md:NameIDFormat>{}</md:NameIDFormat>\n",
                escape_text(format)
            ));
        }
        xml.push_str(&format!(
            "    <md:AssertionConsumerService Binding=\"{HTTP_POST}\" Location=\"{}\" \
             index=\"0\" isDefault=\"true\"/>\n  </md:SPSSODescriptor>\n</md:EntityDescriptor>\n",
            escape_attribute(self.acs_url)
        ));
        Ok((xml, insert_at))
    }
}

/// One `AssertionConsumerService` of SP metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcsEndpoint {
    /// The binding URI.
    pub binding: String,
    /// The URL.
    pub location: String,
    /// `index`, when present and a number.
    pub index: Option<u16>,
    /// `isDefault="true"`.
    pub is_default: bool,
}

/// What SP metadata says.
#[derive(Debug, Clone)]
pub struct SpMetadataInfo {
    /// The `entityID`.
    pub entity_id: String,
    /// The `AssertionConsumerService` endpoints, in document order.
    pub acs_services: Vec<AcsEndpoint>,
    /// `SingleLogoutService` endpoints as (binding, location).
    pub slo_services: Vec<(String, String)>,
    /// The `NameIDFormat` values.
    pub name_id_formats: Vec<String>,
    /// Every distinct signing certificate (`use="signing"` or no `use`).
    pub signing_certificates: Vec<Certificate>,
    /// Every distinct encryption certificate (`use="encryption"`).
    pub encryption_certificates: Vec<Certificate>,
    /// `AuthnRequestsSigned`.
    pub authn_requests_signed: bool,
    /// `WantAssertionsSigned`.
    pub want_assertions_signed: bool,
    /// Whether the metadata's signature was verified ([`MetadataOptions::verify_with`]).
    pub signature_verified: bool,
}

/// Reads SP metadata (an `EntityDescriptor` with an `SPSSODescriptor`, or one entry of an
/// `EntitiesDescriptor` picked by [`MetadataOptions::entity_id`]), verifying its signature when
/// [`MetadataOptions::verify_with`] is set (same rules and codes as IdP metadata).
pub fn parse_sp_metadata(
    xml: &[u8],
    options: &MetadataOptions<'_>,
) -> Result<SpMetadataInfo, Error> {
    let doc = metadata::parse_metadata_document(xml)?;
    let descriptor = metadata::find_descriptor(&doc, options.entity_id, "SPSSODescriptor")?;
    let signature_verified = metadata::check_signature(&doc, descriptor, options)?;
    let entity_id = entity_id_of(&doc, descriptor)?;
    let (sp, sp_element) = doc
        .children_named(descriptor, METADATA_NS, "SPSSODescriptor")
        .next()
        .ok_or_else(|| metadata::invalid("no SPSSODescriptor"))?;
    let acs_services = doc
        .children_named(sp, METADATA_NS, "AssertionConsumerService")
        .filter_map(|(_, e)| {
            Some(AcsEndpoint {
                binding: e.attribute("Binding")?.to_owned(),
                location: e.attribute("Location")?.to_owned(),
                index: e.attribute("index").and_then(|i| i.parse().ok()),
                is_default: is_true(e.attribute("isDefault")),
            })
        })
        .collect();
    Ok(SpMetadataInfo {
        entity_id,
        acs_services,
        slo_services: endpoints(&doc, sp, "SingleLogoutService"),
        name_id_formats: doc
            .children_named(sp, METADATA_NS, "NameIDFormat")
            .map(|(id, _)| doc.text(id).trim().to_owned())
            .collect(),
        signing_certificates: signing_certificates(&doc, sp)?,
        encryption_certificates: encryption_certificates(&doc, sp)?,
        authn_requests_signed: is_true(sp_element.attribute("AuthnRequestsSigned")),
        want_assertions_signed: is_true(sp_element.attribute("WantAssertionsSigned")),
        signature_verified,
    })
}

/// The certificates of the `KeyDescriptor use="encryption"` elements of `role`.
fn encryption_certificates(
    doc: &crate::xml::Document,
    role: crate::xml::NodeId,
) -> Result<Vec<Certificate>, Error> {
    let mut certificates: Vec<Certificate> = Vec::new();
    for (key, element) in doc.children_named(role, METADATA_NS, "KeyDescriptor") {
        if element.attribute("use") != Some("encryption") {
            continue;
        }
        for node in doc.descendants(key) {
            if doc
                .element(node)
                .is_some_and(|e| e.is(DSIG_NS, "X509Certificate"))
            {
                let der =
                    crate::encoding::decode_base64(&doc.text(node), crate::x509::MAX_CERT_BYTES)
                        .map_err(|_| metadata::invalid("an X509Certificate is not base64"))?;
                let certificate = Certificate::from_der(&der)?;
                if !certificates.iter().any(|c| c.der() == certificate.der()) {
                    certificates.push(certificate);
                }
            }
        }
    }
    Ok(certificates)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Limits;
    use crate::xml::Document;

    const ENTITY: &str = "https://app.example.com/saml/metadata";
    const ACS: &str = "https://app.example.com/saml/acs?a=1&b=2";

    #[test]
    fn default_metadata_is_minimal() {
        let xml = SpMetadata::new(ENTITY, ACS).to_xml().unwrap_or_default();
        let Ok(doc) = Document::parse(xml.as_bytes(), &Limits::default()) else {
            panic!("{xml}");
        };
        let root = doc.element(doc.root());
        assert_eq!(root.and_then(|e| e.attribute("entityID")), Some(ENTITY));
        assert_eq!(root.and_then(|e| e.attribute("ID")), None);
        assert!(xml.contains("Location=\"https://app.example.com/saml/acs?a=1&amp;b=2\""));
        assert!(xml.contains("AuthnRequestsSigned=\"false\" WantAssertionsSigned=\"true\""));
        assert!(xml.contains(NAMEID_FORMAT_EMAIL));
        for absent in [
            "KeyDescriptor",
            "SingleLogoutService",
            "validUntil",
            "Signature",
        ] {
            assert!(!xml.contains(absent), "{absent}");
        }
    }

    #[test]
    fn bad_values_are_configuration_errors() {
        let mut metadata = SpMetadata::new(ENTITY, "acs");
        assert_eq!(
            metadata.to_xml().err().map(|e| e.code()),
            Some("config_invalid")
        );
        metadata.acs_url = ACS;
        metadata.slo_url = Some("ftp://x");
        assert_eq!(
            metadata.to_xml().err().map(|e| e.code()),
            Some("config_invalid")
        );
        metadata.slo_url = None;
        metadata.entity_id = "";
        assert_eq!(
            metadata.to_xml().err().map(|e| e.code()),
            Some("config_missing")
        );
    }

    #[cfg(feature = "sign")]
    #[test]
    fn signed_metadata_verifies_and_imports() {
        use crate::danger::AlgorithmPolicy;
        use crate::dsig::verify_enveloped;
        use crate::saml::signer::tests::credentials;
        let credentials = credentials();
        let mut metadata = SpMetadata::new(ENTITY, ACS);
        metadata.signing_certificate = credentials.certificate();
        metadata.authn_requests_signed = true;
        metadata.slo_url = Some("https://app.example.com/saml/slo");
        let xml = metadata.to_signed_xml(&credentials).unwrap_or_default();
        let Ok(doc) = Document::parse(xml.as_bytes(), &Limits::default()) else {
            panic!("{xml}");
        };
        let first = doc.child_elements(doc.root()).next();
        assert_eq!(first.map(|(_, e)| e.local_name()), Some("Signature"));
        let trusted: Vec<_> = credentials.certificate().cloned().into_iter().collect();
        let signature = first.map(|(id, _)| id).unwrap_or(doc.root());
        let verified = verify_enveloped(&doc, signature, &trusted, &AlgorithmPolicy::default());
        assert_eq!(verified.map(|v| v.node()).ok(), Some(doc.root()), "{xml}");
        // Deterministic: the same configuration signs to the same bytes.
        assert_eq!(
            metadata.to_signed_xml(&credentials).ok().as_ref(),
            Some(&xml)
        );
        // Round trip through the reader, with the signature checked.
        let read = parse_sp_metadata(
            xml.as_bytes(),
            &MetadataOptions {
                verify_with: Some(&trusted),
                ..MetadataOptions::default()
            },
        );
        let Ok(read) = read else {
            panic!("{read:?}");
        };
        assert!(read.signature_verified && read.authn_requests_signed);
        assert_eq!(read.entity_id, ENTITY);
        assert_eq!(
            read.acs_services,
            [AcsEndpoint {
                binding: HTTP_POST.to_owned(),
                location: ACS.to_owned(),
                index: Some(0),
                is_default: true
            }]
        );
        assert_eq!(read.signing_certificates, trusted);
        assert!(read.encryption_certificates.is_empty());
        assert_eq!(read.name_id_formats, [NAMEID_FORMAT_EMAIL]);
    }

    #[test]
    fn encryption_certificates_are_published_with_their_methods() {
        let pem = include_str!("testdata/sp-test-cert.pem");
        let certificates = Certificate::from_pem_or_base64(pem).unwrap_or_default();
        assert_eq!(certificates.len(), 1);
        let mut metadata = SpMetadata::new(ENTITY, ACS);
        metadata.encryption_certificates = &certificates;
        let xml = metadata.to_xml().unwrap_or_default();
        assert!(
            xml.contains("<md:KeyDescriptor use=\"encryption\">"),
            "{xml}"
        );
        let methods: Vec<&str> = xml
            .split("<md:EncryptionMethod Algorithm=\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .collect();
        assert_eq!(methods, ENCRYPTION_METHODS);
        assert!(!xml.contains("use=\"signing\""));
        let read = parse_sp_metadata(xml.as_bytes(), &MetadataOptions::default());
        let Ok(read) = read else {
            panic!("{read:?}");
        };
        assert_eq!(read.encryption_certificates, certificates);
        assert!(read.signing_certificates.is_empty());
        // A certificate published twice is read once.
        let twice = [certificates.clone(), certificates.clone()].concat();
        metadata.encryption_certificates = &twice;
        let xml_twice = metadata.to_xml().unwrap_or_default();
        assert_eq!(xml_twice.matches("use=\"encryption\"").count(), 2);
        let read_twice = parse_sp_metadata(xml_twice.as_bytes(), &MetadataOptions::default());
        assert_eq!(
            read_twice.ok().map(|r| r.encryption_certificates),
            Some(certificates.clone())
        );
        // Schema order: KeyDescriptor before NameIDFormat and the ACS.
        let key = xml.find("KeyDescriptor").unwrap_or(usize::MAX);
        assert!(key < xml.find("NameIDFormat").unwrap_or(0));
    }
}
