//! IdP certificates: reading X.509 certificates to get the RSA key that verifies signatures.
//!
//! # Policy
//!
//! A SAML service provider does not use X.509 as a PKI: the administrator pins the IdP's
//! signing certificate (Entra ID's "Certificate (Base64)" download, or the
//! `X509Certificate` of the IdP metadata), and only its public key matters. So:
//!
//! * **No chain, no validity check.** Issuer, signature, extensions and dates are not checked;
//!   an expired certificate still loads (IdPs keep signing with expired self-signed
//!   certificates). [`Certificate::not_after`] lets callers warn about expiry.
//! * **RSA only, at least 2048 bits.** The key must be an `rsaEncryption`
//!   SubjectPublicKeyInfo with a modulus of at least [`MIN_RSA_BITS`] bits; smaller keys give
//!   [`ConfigError::KeyTooSmall`] whatever their origin. Everything else (EC, RSA-PSS-only keys,
//!   garbage) gives [`ConfigError::InvalidCertificate`] with a detail for the administrator.
//! * **Lenient about the container, strict about the content.** [`Certificate::parse_all`]
//!   accepts PEM (one or more `CERTIFICATE` blocks, CRLF line endings, text around the blocks),
//!   the bare base64 body without the PEM armour (line breaks allowed) and raw DER. The DER
//!   itself must be exactly one certificate per block, with no trailing bytes. It is read with
//!   the small DER walker of `crate::der` (definite lengths, fixed paths to validity, subject
//!   and SubjectPublicKeyInfo), not a general ASN.1 framework (see `der`'s docs for why).

use core::fmt;

use crate::der::{self, Reader, Tlv};
use sha2::{Digest as _, Sha256};

use crate::crypto::{MIN_RSA_BITS, RsaPublicKey, bit_length};
use crate::encoding::{decode_base64, pem_blocks};
use crate::error::ConfigError;
use crate::time::UnixTime;

/// Largest accepted DER certificate (real ones are 1–3 KiB).
pub(crate) const MAX_CERT_BYTES: usize = 64 * 1024;

/// The PEM label of a certificate block.
const PEM_LABEL: &str = "CERTIFICATE";

/// Builds a [`ConfigError::InvalidCertificate`].
fn invalid(detail: impl Into<String>) -> ConfigError {
    ConfigError::InvalidCertificate {
        detail: detail.into(),
    }
}

/// An IdP certificate whose RSA public key (of at least 2048 bits) verifies signatures.
#[derive(Clone, PartialEq, Eq)]
pub struct Certificate {
    /// The DER encoding.
    der: Vec<u8>,
    /// The subject's RSA public key.
    public_key: RsaPublicKey,
    /// The subject distinguished name, RFC 4514 style.
    subject: String,
    /// Start of the validity period.
    not_before: UnixTime,
    /// End of the validity period.
    not_after: UnixTime,
    /// SHA-256 of the DER encoding.
    sha256_fingerprint: [u8; 32],
}

impl Certificate {
    /// Reads one DER certificate (no trailing bytes) with an RSA key of at least
    /// [`MIN_RSA_BITS`] bits. Validity dates are not checked.
    pub fn from_der(der: &[u8]) -> Result<Certificate, ConfigError> {
        let (certificate, rest) = Certificate::parse_one(der, MIN_RSA_BITS)?;
        if !rest.is_empty() {
            return Err(invalid(format!(
                "{} bytes of trailing data after the DER certificate",
                rest.len()
            )));
        }
        Ok(certificate)
    }

    /// Reads one or more certificates from PEM text (`-----BEGIN CERTIFICATE-----` blocks, text
    /// around them ignored), from the bare base64 of one DER certificate (line breaks and
    /// spaces allowed), or from raw DER (one certificate or several concatenated).
    ///
    /// Returns at least one certificate, or the first error.
    pub fn parse_all(input: &[u8]) -> Result<Vec<Certificate>, ConfigError> {
        if looks_like_der(input) {
            return parse_der_sequence(input);
        }
        let text = core::str::from_utf8(input)
            .map_err(|_| invalid("the input is neither PEM, base64 text nor a DER certificate"))?;
        Certificate::from_pem_or_base64(text)
    }

    /// Reads certificates from text: PEM blocks, or the bare base64 of one DER certificate
    /// (as in Entra ID's "Certificate (Base64)" download or a metadata `X509Certificate`).
    pub fn from_pem_or_base64(text: &str) -> Result<Vec<Certificate>, ConfigError> {
        let text = text.trim_start_matches('\u{feff}');
        if text.contains("-----BEGIN ") {
            from_pem(text)
        } else {
            let der = decode_cert_base64(text)?;
            Certificate::from_der(&der).map(|certificate| vec![certificate])
        }
    }

    /// Like [`Certificate::parse_all`] but accepting RSA keys down to `min_bits` (at least 1024).
    /// Only for [`crate::danger`]: verifying archived responses of legacy IdPs.
    pub(crate) fn parse_all_with_min_bits(
        input: &[u8],
        min_bits: usize,
    ) -> Result<Vec<Certificate>, ConfigError> {
        let min_bits = min_bits.max(1024);
        let ders: Vec<Vec<u8>> = if looks_like_der(input) {
            vec![input.to_vec()]
        } else {
            let text =
                core::str::from_utf8(input).map_err(|_| invalid("not PEM, base64 or DER"))?;
            let text = text.trim_start_matches('\u{feff}');
            if text.contains("-----BEGIN ") {
                let blocks = pem_blocks(text).map_err(invalid)?;
                blocks
                    .iter()
                    .filter(|block| block.label == PEM_LABEL)
                    .map(|block| decode_cert_base64(block.body))
                    .collect::<Result<Vec<_>, _>>()?
            } else {
                vec![decode_cert_base64(text)?]
            }
        };
        let mut certificates = Vec::new();
        for der in ders {
            let mut rest: &[u8] = &der;
            while !rest.is_empty() {
                let (certificate, after) = Certificate::parse_one(rest, min_bits)?;
                certificates.push(certificate);
                rest = after;
            }
        }
        if certificates.is_empty() {
            return Err(invalid("no certificate found"));
        }
        Ok(certificates)
    }

    /// The DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The RSA public key.
    pub fn public_key(&self) -> &RsaPublicKey {
        &self.public_key
    }

    /// The subject distinguished name, e.g. `CN=Microsoft Azure Federated SSO Certificate`.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// Start of the validity period (informational: not enforced).
    pub fn not_before(&self) -> UnixTime {
        self.not_before
    }

    /// End of the validity period (informational: not enforced).
    pub fn not_after(&self) -> UnixTime {
        self.not_after
    }

    /// SHA-256 of the DER encoding (the certificate's "thumbprint").
    pub fn sha256_fingerprint(&self) -> [u8; 32] {
        self.sha256_fingerprint
    }

    /// The SHA-256 fingerprint as uppercase hex pairs separated by colons, as
    /// `openssl x509 -fingerprint -sha256` prints it.
    pub fn sha256_fingerprint_hex(&self) -> String {
        self.sha256_fingerprint
            .iter()
            .map(|byte| format!("{byte:02X}"))
            .collect::<Vec<_>>()
            .join(":")
    }

    /// Parses the certificate at the start of `der`; returns it and the bytes after it.
    fn parse_one(der: &[u8], min_bits: usize) -> Result<(Certificate, &[u8]), ConfigError> {
        let mut reader = Reader::new(der);
        let parsed = reader
            .next_with_tag(der::SEQUENCE)
            .and_then(|cert| read_certificate(&cert))
            .ok_or_else(|| invalid("not a DER X.509 certificate"))?;
        let cert_der = der
            .get(..der.len() - reader.rest().len())
            .unwrap_or_default();
        let public_key = rsa_public_key(&parsed.spki, min_bits)?;
        let certificate = Certificate {
            der: cert_der.to_vec(),
            public_key,
            subject: parsed.subject,
            not_before: UnixTime::from_secs(parsed.not_before),
            not_after: UnixTime::from_secs(parsed.not_after),
            sha256_fingerprint: Sha256::digest(cert_der).into(),
        };
        Ok((certificate, reader.rest()))
    }
}

/// What saml-edge reads from a certificate.
struct Parsed<'a> {
    subject: String,
    not_before: i64,
    not_after: i64,
    /// The SubjectPublicKeyInfo element.
    spki: Tlv<'a>,
}

/// `Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }` (RFC
/// 5280 §4.1), read down to what is used; the signature is not checked (see the module docs).
fn read_certificate<'a>(certificate: &Tlv<'a>) -> Option<Parsed<'a>> {
    let mut outer = Reader::new(certificate.content);
    let tbs = outer.next_with_tag(der::SEQUENCE)?;
    outer.next_with_tag(der::SEQUENCE)?;
    outer.next_with_tag(der::BIT_STRING)?;
    if !outer.is_empty() {
        return None;
    }
    let mut fields = Reader::new(tbs.content);
    fields.optional(0xA0); // [0] EXPLICIT version
    fields.next_with_tag(der::INTEGER)?; // serialNumber
    fields.next_with_tag(der::SEQUENCE)?; // signature
    fields.next_with_tag(der::SEQUENCE)?; // issuer
    let validity = fields.next_with_tag(der::SEQUENCE)?;
    let subject = fields.next_with_tag(der::SEQUENCE)?;
    let spki = fields.next_with_tag(der::SEQUENCE)?;
    let mut times = Reader::new(validity.content);
    let not_before = der::time(&times.next()?)?;
    let not_after = der::time(&times.next()?)?;
    if !times.is_empty() {
        return None;
    }
    Some(Parsed {
        subject: name_to_string(&subject)?,
        not_before,
        not_after,
        spki,
    })
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("subject", &self.subject)
            .field("not_before", &self.not_before)
            .field("not_after", &self.not_after)
            .field("bits", &self.public_key.bits())
            .field("sha256", &self.sha256_fingerprint_hex())
            .finish_non_exhaustive()
    }
}

/// Whether `input` starts like a DER certificate: a SEQUENCE with a long-form length.
fn looks_like_der(input: &[u8]) -> bool {
    input.first() == Some(&0x30) && matches!(input.get(1), Some(0x81..=0x84))
}

/// Reads one or more concatenated DER certificates.
fn parse_der_sequence(mut input: &[u8]) -> Result<Vec<Certificate>, ConfigError> {
    let mut certificates = Vec::new();
    while !input.is_empty() {
        let (certificate, rest) = Certificate::parse_one(input, MIN_RSA_BITS)?;
        certificates.push(certificate);
        input = rest;
    }
    if certificates.is_empty() {
        return Err(invalid("the input is empty"));
    }
    Ok(certificates)
}

/// Reads every `CERTIFICATE` block of a PEM text.
fn from_pem(text: &str) -> Result<Vec<Certificate>, ConfigError> {
    let blocks = pem_blocks(text).map_err(invalid)?;
    let certificates = blocks
        .iter()
        .filter(|block| block.label == PEM_LABEL)
        .map(|block| decode_cert_base64(block.body).and_then(|der| Certificate::from_der(&der)))
        .collect::<Result<Vec<_>, _>>()?;
    if certificates.is_empty() {
        let labels: Vec<&str> = blocks.iter().map(|block| block.label).collect();
        return Err(invalid(format!(
            "the PEM text has no CERTIFICATE block (found {labels:?})"
        )));
    }
    Ok(certificates)
}

/// Decodes the base64 of one certificate (whitespace allowed).
fn decode_cert_base64(text: &str) -> Result<Vec<u8>, ConfigError> {
    decode_base64(text, MAX_CERT_BYTES).map_err(|err| match err.code() {
        "empty_input" => invalid("the certificate text is empty"),
        "limit_exceeded" => invalid(format!(
            "the certificate is larger than {MAX_CERT_BYTES} bytes"
        )),
        _ => invalid("the certificate text is not valid base64"),
    })
}

/// The certificate's RSA key, if it is one of at least [`MIN_RSA_BITS`] bits.
/// Short names of the attribute types seen in IdP certificates' subjects (others are written
/// as dotted OIDs). Kept small on purpose: `x509_cert`'s own `Display` pulls in the whole OID
/// database (80 KB of the WebAssembly build).
const ATTRIBUTE_NAMES: [(&str, &str); 11] = [
    ("2.5.4.3", "CN"),
    ("2.5.4.6", "C"),
    ("2.5.4.7", "L"),
    ("2.5.4.8", "ST"),
    ("2.5.4.10", "O"),
    ("2.5.4.11", "OU"),
    ("2.5.4.5", "serialNumber"),
    ("2.5.4.4", "SN"),
    ("2.5.4.42", "givenName"),
    ("1.2.840.113549.1.9.1", "emailAddress"),
    ("0.9.2342.19200300.100.1.25", "DC"),
];

/// The subject for display: RDNs in certificate order separated by `, `, multi-valued RDNs by
/// ` + `, `TYPE=value` (string values as text, others as `#` + hex of their content).
fn name_to_string(name: &Tlv<'_>) -> Option<String> {
    let mut rdns = Vec::new();
    let mut sets = Reader::new(name.content);
    while !sets.is_empty() {
        let set = sets.next_with_tag(der::SET)?;
        let mut parts = Vec::new();
        let mut attributes = Reader::new(set.content);
        while !attributes.is_empty() {
            let attribute = attributes.next_with_tag(der::SEQUENCE)?;
            let mut inner = Reader::new(attribute.content);
            let oid = der::oid_string(inner.next_with_tag(der::OID)?.content)?;
            let value = inner.next()?;
            let key = ATTRIBUTE_NAMES
                .iter()
                .find(|(o, _)| *o == oid)
                .map_or(oid.clone(), |(_, n)| (*n).to_owned());
            let text = matches!(
                value.tag,
                der::UTF8_STRING | der::PRINTABLE_STRING | der::TELETEX_STRING | der::IA5_STRING
            )
            .then(|| core::str::from_utf8(value.content).ok())
            .flatten();
            parts.push(match text {
                Some(text) => format!("{key}={text}"),
                None => {
                    let hex: String = value.content.iter().map(|b| format!("{b:02x}")).collect();
                    format!("{key}=#{hex}")
                }
            });
        }
        rdns.push(parts.join(" + "));
    }
    Some(rdns.join(", "))
}

/// rsaEncryption (RFC 8017 A.1).
const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";

fn rsa_public_key(spki: &Tlv<'_>, min_bits: usize) -> Result<RsaPublicKey, ConfigError> {
    let malformed = || invalid("the certificate's public key is malformed");
    let mut parts = Reader::new(spki.content);
    let algorithm = parts.next_with_tag(der::SEQUENCE).ok_or_else(malformed)?;
    let key_bits = parts.next_with_tag(der::BIT_STRING).ok_or_else(malformed)?;
    let oid = Reader::new(algorithm.content)
        .next_with_tag(der::OID)
        .and_then(|oid| der::oid_string(oid.content))
        .ok_or_else(malformed)?;
    if oid != RSA_ENCRYPTION {
        return Err(invalid(format!(
            "the certificate's key is {} ({oid}), but only RSA keys are supported",
            key_type_name(&oid),
        )));
    }
    // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }, after the BIT
    // STRING's unused-bits octet.
    let modulus = match key_bits.content.split_first() {
        Some((0, key)) => Reader::new(key)
            .next_with_tag(der::SEQUENCE)
            .and_then(|seq| Reader::new(seq.content).next_with_tag(der::INTEGER))
            .and_then(|n| der::unsigned(n.content)),
        _ => None,
    }
    .ok_or_else(|| invalid("the certificate's RSA public key is malformed"))?;
    let bits = bit_length(modulus);
    if bits < min_bits {
        return Err(ConfigError::KeyTooSmall { bits });
    }
    RsaPublicKey::from_spki_der(spki.whole).map_err(|err| {
        invalid(format!(
            "the certificate's RSA public key is unusable: {err}"
        ))
    })
}

fn key_type_name(oid: &str) -> &'static str {
    match oid {
        "1.2.840.10045.2.1" => "an elliptic-curve key",
        "1.2.840.113549.1.1.10" => "an RSA-PSS key",
        "1.3.101.112" => "an Ed25519 key",
        "1.3.101.113" => "an Ed448 key",
        "1.2.840.10040.4.1" => "a DSA key",
        _ => "an unsupported key type",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_refused_with_a_detail() {
        for input in [
            &b""[..],
            b"   ",
            b"hello",
            b"\xff\xfe\x00",
            b"0\x82\x01\x00",
            b"MIIB",
            b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
            b"-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
            b"-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n",
            b"-----BEGIN CERTIFICATE-----\nMIIB\n",
        ] {
            match Certificate::parse_all(input) {
                Err(ConfigError::InvalidCertificate { detail }) => {
                    assert!(!detail.is_empty());
                }
                other => panic!("{input:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn der_detection() {
        assert!(looks_like_der(&[0x30, 0x82, 0x03, 0x00]));
        assert!(!looks_like_der(b"0123"));
        assert!(!looks_like_der(b"MIIC"));
        assert!(!looks_like_der(&[0x30]));
    }

    /// The admin reads which kind of key the uploaded certificate holds.
    #[test]
    fn key_type_names() {
        for (oid, name) in [
            ("1.2.840.10045.2.1", "an elliptic-curve key"),
            ("1.2.840.113549.1.1.10", "an RSA-PSS key"),
            ("1.3.101.112", "an Ed25519 key"),
            ("1.3.101.113", "an Ed448 key"),
            ("1.2.840.10040.4.1", "a DSA key"),
            ("1.2.3", "an unsupported key type"),
        ] {
            assert_eq!(key_type_name(oid), name, "{oid}");
        }
    }

    /// Empty and oversized certificate text each say so.
    #[test]
    fn base64_certificate_errors_say_what_is_wrong() {
        let detail = |text: &str| match Certificate::from_pem_or_base64(text) {
            Err(ConfigError::InvalidCertificate { detail }) => detail,
            other => panic!("{other:?}"),
        };
        assert_eq!(detail("  \n "), "the certificate text is empty");
        assert_eq!(
            detail(&"A".repeat(MAX_CERT_BYTES * 2)),
            format!("the certificate is larger than {MAX_CERT_BYTES} bytes")
        );
        assert_eq!(detail("MII!"), "the certificate text is not valid base64");
    }
}
