//! Enveloped XML signatures over the messages the service provider produces (a POST-bound
//! AuthnRequest, SP metadata), with exclusive c14n and RSA-SHA256 (cargo feature `sign`).
//!
//! The signature is computed with the same code that verifies: the unsigned document is parsed
//! by [`crate::xml`], its canonical form (exclusive c14n, which an enveloped signature leaves
//! unchanged) is digested, the `ds:Signature` is inserted at the place SAML requires, the
//! resulting document is parsed again and its `SignedInfo` canonicalized from that tree, and
//! those bytes are signed. `dsig::verify_enveloped` accepts the result, and so does xmlsec1
//! (see `tests/authn_request.rs`).
//!
//! The private-key operation is described in SECURITY.md ("Private-key operations").

use std::sync::Arc;

use crate::c14n::{self, Options};
use crate::crypto::{DigestAlgorithm, RsaPrivateKey, SignatureAlgorithm};
use crate::dsig::{DSIG_NS, ENVELOPED_SIGNATURE, EXC_C14N};
use crate::encoding::encode_base64;
use crate::error::{ConfigError, Part, malformed};
use crate::x509::Certificate;
use crate::xml::writer::escape_attribute;
use crate::xml::{Document, NodeId, is_ncname};
use crate::{Error, Limits};

/// The signature algorithm saml-edge signs with: RSA-SHA256, the only one Entra ID accepts
/// without an explicit "weak algorithm" opt-in.
pub const SIGNING_ALGORITHM: SignatureAlgorithm = SignatureAlgorithm::RsaSha256;

/// The digest algorithm of the Reference in the signatures saml-edge writes.
pub const DIGEST_ALGORITHM: DigestAlgorithm = DigestAlgorithm::Sha256;

/// The service provider's signing key and, optionally, its certificate (published in SP metadata
/// and in the `KeyInfo` of POST-bound signatures, where Entra ID uses it to pick the right
/// verification certificate). Cloning is cheap: the key is shared.
#[derive(Clone)]
pub struct SigningCredentials {
    /// The key and certificate, shared between clones.
    inner: Arc<Credentials>,
}

/// What [`SigningCredentials`] shares.
struct Credentials {
    /// The RSA private key.
    key: RsaPrivateKey,
    /// The certificate of the key's public half, if configured.
    certificate: Option<Certificate>,
}

impl SigningCredentials {
    /// Pairs a key with its certificate. The certificate's public key must be the key's public
    /// half ([`ConfigError::Invalid`], field `sp_certificate`, otherwise).
    pub fn new(key: RsaPrivateKey, certificate: Option<Certificate>) -> Result<Self, ConfigError> {
        if let Some(certificate) = &certificate
            && *certificate.public_key() != key.public_key()
        {
            return Err(ConfigError::Invalid {
                field: "sp_certificate",
                detail: format!(
                    "the certificate {} does not belong to the configured private key",
                    certificate.subject()
                ),
            });
        }
        Ok(SigningCredentials {
            inner: Arc::new(Credentials { key, certificate }),
        })
    }

    /// Reads an unencrypted PKCS#8 or PKCS#1 PEM private key and, optionally, a PEM (or bare
    /// base64) certificate for it.
    pub fn from_pem(key_pem: &str, certificate_pem: Option<&str>) -> Result<Self, ConfigError> {
        let key = RsaPrivateKey::from_pem(key_pem)?;
        let certificate = certificate_pem.map(sp_certificate).transpose()?;
        SigningCredentials::new(key, certificate)
    }

    /// The private key.
    pub fn key(&self) -> &RsaPrivateKey {
        &self.inner.key
    }

    /// The certificate, if configured.
    pub fn certificate(&self) -> Option<&Certificate> {
        self.inner.certificate.as_ref()
    }

    /// The signature algorithm used ([`SIGNING_ALGORITHM`]).
    pub fn algorithm(&self) -> SignatureAlgorithm {
        SIGNING_ALGORITHM
    }

    /// Signs `message` (HTTP-Redirect query signatures sign the query string bytes).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        self.inner.key.sign(SIGNING_ALGORITHM, message)
    }
}

impl core::fmt::Debug for SigningCredentials {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SigningCredentials")
            .field("bits", &self.inner.key.bits())
            .field(
                "certificate",
                &self.inner.certificate.as_ref().map(Certificate::subject),
            )
            .finish_non_exhaustive()
    }
}

/// Reads the SP's own certificate: exactly one, PEM or bare base64.
pub(crate) fn sp_certificate(text: &str) -> Result<Certificate, ConfigError> {
    let invalid = |detail: String| ConfigError::Invalid {
        field: "sp_certificate",
        detail,
    };
    let mut certificates = Certificate::from_pem_or_base64(text).map_err(|err| match err {
        ConfigError::InvalidCertificate { detail } => invalid(detail),
        other => other,
    })?;
    match (certificates.pop(), certificates.is_empty()) {
        (Some(certificate), true) => Ok(certificate),
        _ => Err(invalid(
            "give exactly one certificate (the one for the SP's signing key)".to_owned(),
        )),
    }
}

/// Why the document saml-edge generated could not be signed (a bug, never the caller's input).
fn cannot_sign(detail: &str) -> Error {
    malformed(
        Part::Signature,
        format!("cannot sign the generated document: {detail}"),
    )
}

/// The element child of the root that is a `ds:Signature` (exactly one).
fn signature_child(doc: &Document) -> Option<NodeId> {
    let mut signatures = doc
        .child_elements(doc.root())
        .filter(|(_, e)| e.is(DSIG_NS, "Signature"))
        .map(|(id, _)| id);
    match (signatures.next(), signatures.next()) {
        (Some(id), None) => Some(id),
        _ => None,
    }
}

/// The `ds:Signature` element up to the end of `SignedInfo`, for the root element `id`.
fn signature_head(id: &str, digest: &[u8]) -> String {
    format!(
        "<ds:Signature xmlns:ds=\"{DSIG_NS}\"><ds:SignedInfo>\
         <ds:CanonicalizationMethod Algorithm=\"{EXC_C14N}\"/>\
         <ds:SignatureMethod Algorithm=\"{}\"/>\
         <ds:Reference URI=\"#{}\"><ds:Transforms>\
         <ds:Transform Algorithm=\"{ENVELOPED_SIGNATURE}\"/>\
         <ds:Transform Algorithm=\"{EXC_C14N}\"/></ds:Transforms>\
         <ds:DigestMethod Algorithm=\"{}\"/>\
         <ds:DigestValue>{}</ds:DigestValue></ds:Reference></ds:SignedInfo>",
        SIGNING_ALGORITHM.uri(),
        escape_attribute(id),
        DIGEST_ALGORITHM.uri(),
        encode_base64(digest),
    )
}

/// The `ds:SignatureValue`, the optional `ds:KeyInfo` and the end of the `ds:Signature`.
fn signature_tail(signature_value: &str, certificate: Option<&Certificate>) -> String {
    let mut out = format!("<ds:SignatureValue>{signature_value}</ds:SignatureValue>");
    if let Some(certificate) = certificate {
        out.push_str("<ds:KeyInfo><ds:X509Data><ds:X509Certificate>");
        out.push_str(&encode_base64(certificate.der()));
        out.push_str("</ds:X509Certificate></ds:X509Data></ds:KeyInfo>");
    }
    out.push_str("</ds:Signature>");
    out
}

/// Signs the document `xml` (generated by saml-edge) with an enveloped signature over its root
/// element, which must carry an `ID`. The `ds:Signature` is inserted at byte offset `insert_at`,
/// which must be the position where SAML wants it (right after the `Issuer` of a protocol
/// message; first in an `EntityDescriptor`).
pub(crate) fn sign_enveloped(
    xml: &str,
    insert_at: usize,
    credentials: &SigningCredentials,
) -> Result<String, Error> {
    let (head, tail) = (
        xml.get(..insert_at)
            .ok_or_else(|| cannot_sign("bad insertion point"))?,
        xml.get(insert_at..)
            .ok_or_else(|| cannot_sign("bad insertion point"))?,
    );
    let limits = Limits::DEFAULT;
    let unsigned = Document::parse(xml.as_bytes(), &limits)?;
    let id = unsigned
        .element(unsigned.root())
        .and_then(|root| root.attribute("ID"))
        .filter(|id| is_ncname(id))
        .ok_or_else(|| cannot_sign("the root element has no ID"))?
        .to_owned();
    let canonical = c14n::canonicalize(&unsigned, unsigned.root(), &Options::default());
    let signed_info_head = signature_head(&id, &DIGEST_ALGORITHM.digest(&canonical));

    // Parse the document as it will be sent (with an empty SignatureValue) and canonicalize
    // its SignedInfo from that tree, in the namespace context it will have.
    let draft = [head, &signed_info_head, &signature_tail("", None), tail].concat();
    let draft_doc = Document::parse(draft.as_bytes(), &limits)?;
    let signature =
        signature_child(&draft_doc).ok_or_else(|| cannot_sign("the Signature is misplaced"))?;
    let (signed_info, _) = draft_doc
        .child_elements(signature)
        .next()
        .filter(|(_, e)| e.is(DSIG_NS, "SignedInfo"))
        .ok_or_else(|| cannot_sign("no SignedInfo"))?;
    let signed_info_bytes = c14n::canonicalize(&draft_doc, signed_info, &Options::default());
    let signature_value = encode_base64(&credentials.sign(&signed_info_bytes)?);
    Ok([
        head,
        &signed_info_head,
        &signature_tail(&signature_value, credentials.certificate()),
        tail,
    ]
    .concat())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::danger::AlgorithmPolicy;
    use crate::dsig::verify_enveloped;

    const KEY: &str = include_str!("../crypto/testdata/rsa2048-pkcs8.pem");
    const CERT: &str = include_str!("testdata/sp-test-cert.pem");

    pub(crate) fn credentials() -> SigningCredentials {
        match SigningCredentials::from_pem(KEY, Some(CERT)) {
            Ok(credentials) => credentials,
            Err(err) => panic!("test credentials: {err}"),
        }
    }

    #[test]
    fn signs_what_dsig_verifies() {
        let xml = "<p:Msg xmlns:p=\"urn:p\" xmlns:a=\"urn:a\" ID=\"_abc\"><a:Issuer>x &amp; y</a:Issuer>\n  <p:Body a:attr=\"1\">text</p:Body></p:Msg>";
        let offset = xml.find("\n  <p:Body").unwrap_or_default();
        let signed = sign_enveloped(xml, offset, &credentials()).unwrap_or_default();
        let Ok(doc) = Document::parse(signed.as_bytes(), &Limits::DEFAULT) else {
            panic!("signed output does not parse: {signed}");
        };
        let signature = signature_child(&doc).unwrap_or(doc.root());
        let certificates = credentials()
            .certificate()
            .cloned()
            .into_iter()
            .collect::<Vec<_>>();
        let verified =
            verify_enveloped(&doc, signature, &certificates, &AlgorithmPolicy::default());
        assert_eq!(
            verified.map(|v| v.node()).ok(),
            Some(doc.root()),
            "{signed}"
        );
        // Tampering after signing is caught.
        let tampered = signed.replace(">text<", ">texT<");
        let doc = Document::parse(tampered.as_bytes(), &Limits::DEFAULT).unwrap_or(doc);
        let signature = signature_child(&doc).unwrap_or(doc.root());
        assert_eq!(
            verify_enveloped(&doc, signature, &certificates, &AlgorithmPolicy::default())
                .err()
                .map(|e| e.code()),
            Some("digest_mismatch")
        );
    }

    #[test]
    fn refuses_documents_without_id_and_bad_offsets() {
        let creds = credentials();
        assert!(sign_enveloped("<a/>", 2, &creds).is_err());
        assert!(sign_enveloped("<a ID=\"_x\"><b/></a>", 100, &creds).is_err());
        assert!(sign_enveloped("<a ID=\"1x\"><b/></a>", 11, &creds).is_err());
    }

    #[test]
    fn certificate_must_match_key() {
        let other = include_str!("../crypto/testdata/rsa1024-pkcs8.pem");
        assert!(SigningCredentials::from_pem(other, Some(CERT)).is_err());
        let two = format!("{CERT}{CERT}");
        assert_eq!(
            SigningCredentials::from_pem(KEY, Some(&two))
                .err()
                .map(|e| e.code()),
            Some("config_invalid")
        );
        let debug = format!("{:?}", credentials());
        assert!(
            debug.contains("2048") && !debug.contains("PRIVATE"),
            "{debug}"
        );
    }
}
