//! Digests and RSASSA-PKCS1-v1_5 signatures, the only cryptography XML-DSig in SAML needs.
//!
//! # Policy
//!
//! * **Algorithms are named by exact URI.** [`DigestAlgorithm::from_uri`] and
//!   [`SignatureAlgorithm::from_uri`] compare the whole string byte for byte: no trimming, no case
//!   folding, no aliases (the non-standard `xmldsig-more#rsa-sha1` or `xmlenc#sha384` some AD FS
//!   versions write are refused). HMAC, MD5, DSA, ECDSA and RSA-PSS URIs return `None`, so the
//!   caller fails closed. SHA-1 is recognised, and [`DigestAlgorithm::is_sha1`] /
//!   [`SignatureAlgorithm::is_sha1`] let the caller apply its SHA-1 policy.
//! * **Verification is strict PKCS#1 v1.5** (RFC 8017 §8.2.2): the signature must be exactly as
//!   long as the modulus and smaller than it, and the whole encoded message must equal
//!   `00 01 FF…FF 00 DigestInfo(hash)` with the DER DigestInfo that includes the NULL
//!   parameters. Legacy encodings without the NULL are refused. Any failure is the single error
//!   [`SignatureError::InvalidSignature`]: no detail that could serve as an oracle.
//! * **Key size**: [`RsaPublicKey::verify`] does not check it; certificates enforce
//!   [`MIN_RSA_BITS`] when they are loaded (see [`crate::x509`]) and signing keys when they are
//!   read (`RsaPrivateKey::from_pem`, feature `sign`).
//! * **Signing** (cargo feature `sign`, on by default) is deterministic and needs no random
//!   numbers, so it works on `wasm32-unknown-unknown` without `getrandom`. Because the `rsa`
//!   crate is built without its `getrandom` feature, the private-key operation runs without
//!   base blinding; it relies on the constant-time big-integer arithmetic of `crypto-bigint`
//!   and on the result being checked with the public key before it is released. The messages
//!   signed here (AuthnRequests) are produced by the service provider itself, not chosen by an
//!   attacker.

use core::fmt;

mod modexp;

// The npm build (wasm32 with simd128, .cargo/config.toml) uses 27-bit limbs with lazy carries
// (src/crypto/modexp/lazy.rs); native builds the 64-bit-limb CIOS code (src/crypto/modexp.rs).
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
use modexp::PublicModulus;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
use modexp::lazy::LazyModulus as PublicModulus;
use sha1::Sha1;
use sha2::{Digest as _, Sha256, Sha384, Sha512};
use subtle::ConstantTimeEq as _;

use crate::error::{ConfigError, SignatureError};

/// The smallest RSA modulus, in bits, that saml-edge accepts for IdP certificates and signing keys.
pub const MIN_RSA_BITS: usize = 2048;

/// A digest algorithm of XML-DSig `DigestMethod`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestAlgorithm {
    /// SHA-1 (`http://www.w3.org/2000/09/xmldsig#sha1`); collision-prone, allowed only by policy.
    Sha1,
    /// SHA-256 (`http://www.w3.org/2001/04/xmlenc#sha256`), what Entra ID uses by default.
    Sha256,
    /// SHA-384 (`http://www.w3.org/2001/04/xmldsig-more#sha384`).
    Sha384,
    /// SHA-512 (`http://www.w3.org/2001/04/xmlenc#sha512`).
    Sha512,
}

impl DigestAlgorithm {
    /// All supported digest algorithms.
    const ALL: [DigestAlgorithm; 4] = [
        DigestAlgorithm::Sha1,
        DigestAlgorithm::Sha256,
        DigestAlgorithm::Sha384,
        DigestAlgorithm::Sha512,
    ];

    /// The algorithm named by a `DigestMethod` `Algorithm` URI (exact match), or `None`.
    pub fn from_uri(uri: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|alg| alg.uri() == uri)
    }

    /// The algorithm's URI.
    pub fn uri(self) -> &'static str {
        match self {
            DigestAlgorithm::Sha1 => "http://www.w3.org/2000/09/xmldsig#sha1",
            DigestAlgorithm::Sha256 => "http://www.w3.org/2001/04/xmlenc#sha256",
            DigestAlgorithm::Sha384 => "http://www.w3.org/2001/04/xmldsig-more#sha384",
            DigestAlgorithm::Sha512 => "http://www.w3.org/2001/04/xmlenc#sha512",
        }
    }

    /// Whether this is SHA-1.
    pub fn is_sha1(self) -> bool {
        self == DigestAlgorithm::Sha1
    }

    /// The digest length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            DigestAlgorithm::Sha1 => 20,
            DigestAlgorithm::Sha256 => 32,
            DigestAlgorithm::Sha384 => 48,
            DigestAlgorithm::Sha512 => 64,
        }
    }

    /// A new incremental digest.
    pub fn hasher(self) -> Hasher {
        match self {
            DigestAlgorithm::Sha1 => Hasher::Sha1(Sha1::new()),
            DigestAlgorithm::Sha256 => Hasher::Sha256(Sha256::new()),
            DigestAlgorithm::Sha384 => Hasher::Sha384(Sha384::new()),
            DigestAlgorithm::Sha512 => Hasher::Sha512(Sha512::new()),
        }
    }

    /// The digest of `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            DigestAlgorithm::Sha1 => Sha1::digest(data).to_vec(),
            DigestAlgorithm::Sha256 => Sha256::digest(data).to_vec(),
            DigestAlgorithm::Sha384 => Sha384::digest(data).to_vec(),
            DigestAlgorithm::Sha512 => Sha512::digest(data).to_vec(),
        }
    }
}

/// An incremental digest of one [`DigestAlgorithm`] (canonical XML is hashed as it is written,
/// see [`crate::c14n::canonicalize_into`]).
#[derive(Clone, Debug)]
pub enum Hasher {
    /// SHA-1.
    Sha1(Sha1),
    /// SHA-256.
    Sha256(Sha256),
    /// SHA-384.
    Sha384(Sha384),
    /// SHA-512.
    Sha512(Sha512),
}

impl Hasher {
    /// Adds `data` to the digest.
    pub fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Sha1(h) => h.update(data),
            Hasher::Sha256(h) => h.update(data),
            Hasher::Sha384(h) => h.update(data),
            Hasher::Sha512(h) => h.update(data),
        }
    }

    /// The digest of everything added.
    pub fn finalize(self) -> Vec<u8> {
        match self {
            Hasher::Sha1(h) => h.finalize().to_vec(),
            Hasher::Sha256(h) => h.finalize().to_vec(),
            Hasher::Sha384(h) => h.finalize().to_vec(),
            Hasher::Sha512(h) => h.finalize().to_vec(),
        }
    }
}

/// A signature algorithm of XML-DSig `SignatureMethod`: RSASSA-PKCS1-v1_5 with a digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureAlgorithm {
    /// RSA with SHA-1 (`http://www.w3.org/2000/09/xmldsig#rsa-sha1`); allowed only by policy.
    RsaSha1,
    /// RSA with SHA-256 (`http://www.w3.org/2001/04/xmldsig-more#rsa-sha256`), Entra's default.
    RsaSha256,
    /// RSA with SHA-384 (`http://www.w3.org/2001/04/xmldsig-more#rsa-sha384`).
    RsaSha384,
    /// RSA with SHA-512 (`http://www.w3.org/2001/04/xmldsig-more#rsa-sha512`).
    RsaSha512,
}

impl SignatureAlgorithm {
    /// All supported signature algorithms.
    const ALL: [SignatureAlgorithm; 4] = [
        SignatureAlgorithm::RsaSha1,
        SignatureAlgorithm::RsaSha256,
        SignatureAlgorithm::RsaSha384,
        SignatureAlgorithm::RsaSha512,
    ];

    /// The algorithm named by a `SignatureMethod` `Algorithm` URI (exact match), or `None`.
    pub fn from_uri(uri: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|alg| alg.uri() == uri)
    }

    /// The algorithm's URI.
    pub fn uri(self) -> &'static str {
        match self {
            SignatureAlgorithm::RsaSha1 => "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
            SignatureAlgorithm::RsaSha256 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            SignatureAlgorithm::RsaSha384 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
            SignatureAlgorithm::RsaSha512 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
        }
    }

    /// Whether the digest is SHA-1.
    pub fn is_sha1(self) -> bool {
        self == SignatureAlgorithm::RsaSha1
    }

    /// The digest algorithm the signature is computed over.
    pub fn digest_algorithm(self) -> DigestAlgorithm {
        match self {
            SignatureAlgorithm::RsaSha1 => DigestAlgorithm::Sha1,
            SignatureAlgorithm::RsaSha256 => DigestAlgorithm::Sha256,
            SignatureAlgorithm::RsaSha384 => DigestAlgorithm::Sha384,
            SignatureAlgorithm::RsaSha512 => DigestAlgorithm::Sha512,
        }
    }
}

/// The bit length of a big-endian unsigned integer (leading zero bytes ignored).
pub(crate) fn bit_length(be_bytes: &[u8]) -> usize {
    let mut significant = be_bytes.iter().skip_while(|byte| **byte == 0);
    match significant.next() {
        Some(first) => {
            let top_bits = 8usize.saturating_sub(first.leading_zeros() as usize);
            significant
                .count()
                .saturating_mul(8)
                .saturating_add(top_bits)
        }
        None => 0,
    }
}

/// Builds the error for an unusable RSA key encoding.
fn invalid_key(field: &'static str, what: &str, err: &dyn fmt::Display) -> ConfigError {
    ConfigError::Invalid {
        field,
        detail: format!("not a usable {what}: {err}"),
    }
}

/// An RSA public key, used to verify IdP signatures.
#[derive(Clone, PartialEq, Eq)]
pub struct RsaPublicKey {
    /// The modulus `n`, big-endian, without leading zeros.
    n: Box<[u8]>,
    /// The public exponent `e`, big-endian, without leading zeros.
    e: Box<[u8]>,
    /// The verification parameters, computed once when the key is loaded.
    modulus: PublicModulus,
}

/// The DER `DigestInfo` prefix (RFC 8017 §9.2, note 1: the encoding with NULL parameters) that
/// precedes the hash in an RSASSA-PKCS1-v1_5 encoded message.
fn digest_info_prefix(alg: DigestAlgorithm) -> &'static [u8] {
    match alg {
        DigestAlgorithm::Sha1 => &[
            0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04,
            0x14,
        ],
        DigestAlgorithm::Sha256 => &[
            0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x01, 0x05, 0x00, 0x04, 0x20,
        ],
        DigestAlgorithm::Sha384 => &[
            0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x02, 0x05, 0x00, 0x04, 0x30,
        ],
        DigestAlgorithm::Sha512 => &[
            0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x03, 0x05, 0x00, 0x04, 0x40,
        ],
    }
}

/// The EMSA-PKCS1-v1_5 encoding of `hash` (RFC 8017 §9.2) for a `len`-byte modulus:
/// `00 01 FF…FF 00 DigestInfo`, at least 8 bytes of `FF`. `None` when `hash` is not of the
/// digest's length or the modulus is too short.
fn emsa_pkcs1_v15(alg: DigestAlgorithm, hash: &[u8], len: usize) -> Option<Vec<u8>> {
    if hash.len() != alg.output_len() {
        return None;
    }
    let prefix = digest_info_prefix(alg);
    let t_len = prefix.len() + hash.len();
    let padding = len.checked_sub(t_len + 3).filter(|p| *p >= 8)?;
    let mut em = Vec::with_capacity(len);
    em.extend_from_slice(&[0x00, 0x01]);
    em.resize(2 + padding, 0xff);
    em.push(0x00);
    em.extend_from_slice(prefix);
    em.extend_from_slice(hash);
    Some(em)
}

/// The two elements, of tags `first` and `second`, of the DER SEQUENCE that is the whole of
/// `der` (and nothing else: no third element, no trailing bytes).
fn sequence_of_two(der: &[u8], first: u8, second: u8) -> Option<(&[u8], &[u8])> {
    let mut outer = crate::der::Reader::new(der);
    let sequence = outer
        .next_with_tag(crate::der::SEQUENCE)
        .filter(|_| outer.is_empty())?;
    let mut inner = crate::der::Reader::new(sequence.content);
    let a = inner.next_with_tag(first)?;
    let b = inner.next_with_tag(second)?;
    inner.is_empty().then_some((a.content, b.content))
}

/// `bytes` without its leading zero bytes (a big-endian magnitude's significant part).
fn without_leading_zeros(bytes: &[u8]) -> &[u8] {
    let zeros = bytes.iter().take_while(|b| **b == 0).count();
    bytes.get(zeros..).unwrap_or_default()
}

/// The smallest and largest modulus a public key may have, in bits (the `rsa` crate's limits;
/// [`MIN_RSA_BITS`] is checked where keys are configured).
const MODULUS_BITS: core::ops::RangeInclusive<usize> = 1024..=8192;
/// The largest public exponent accepted: 2^33 − 1, as *ring* and the `rsa` crate (a huge `e`
/// is a denial-of-service vector, "RSADoS").
const MAX_PUBLIC_EXPONENT: u64 = 0x1_FFFF_FFFF;
/// The DER content of the `rsaEncryption` OBJECT IDENTIFIER, 1.2.840.113549.1.1.1.
const RSA_ENCRYPTION_OID: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01];

impl RsaPublicKey {
    /// Checks a modulus and exponent (big-endian magnitudes) and precomputes the verification
    /// parameters: `n` odd, of 1024 to 8192 bits; `e` odd, from 3 to 2^33 − 1 (so below `n`).
    pub(crate) fn from_integers(n: &[u8], e: &[u8]) -> Result<Self, ConfigError> {
        let unusable = |why: &str| invalid_key("public_key", "RSA public key", &why);
        let n = without_leading_zeros(n);
        let e = without_leading_zeros(e);
        if !MODULUS_BITS.contains(&bit_length(n)) {
            return Err(unusable("the modulus is not of 1024 to 8192 bits"));
        }
        let exponent = e
            .iter()
            .try_fold(0u64, |acc, byte| {
                acc.checked_mul(256)?.checked_add(u64::from(*byte))
            })
            .filter(|e| *e >= 3 && *e <= MAX_PUBLIC_EXPONENT && e % 2 == 1)
            .ok_or_else(|| {
                unusable("the public exponent is not an odd number from 3 to 2^33 - 1")
            })?;
        let modulus =
            PublicModulus::new(n, exponent).ok_or_else(|| unusable("the modulus is even"))?;
        Ok(RsaPublicKey {
            n: n.into(),
            e: e.into(),
            modulus,
        })
    }

    /// Reads a DER SubjectPublicKeyInfo with the `rsaEncryption` algorithm (what a certificate
    /// carries, and what `-----BEGIN PUBLIC KEY-----` PEM contains): the algorithm's parameters
    /// must be NULL or absent, and nothing may follow the structure.
    ///
    /// The size is not checked against [`MIN_RSA_BITS`] here (moduli from 1024 to 8192 bits
    /// load); certificates check it when they are loaded.
    pub fn from_spki_der(der: &[u8]) -> Result<Self, ConfigError> {
        let malformed = || invalid_key("public_key", "RSA SubjectPublicKeyInfo", &"malformed DER");
        let (algorithm, key_bits) =
            sequence_of_two(der, crate::der::SEQUENCE, crate::der::BIT_STRING)
                .ok_or_else(malformed)?;
        let mut algorithm = crate::der::Reader::new(algorithm);
        let oid = algorithm
            .next_with_tag(crate::der::OID)
            .ok_or_else(malformed)?;
        let null = algorithm.optional(crate::der::NULL);
        if oid.content != RSA_ENCRYPTION_OID
            || null.is_some_and(|null| !null.content.is_empty())
            || !algorithm.is_empty()
        {
            return Err(invalid_key(
                "public_key",
                "RSA SubjectPublicKeyInfo",
                &"the algorithm is not rsaEncryption (with NULL parameters)",
            ));
        }
        match key_bits.split_first() {
            Some((0, pkcs1)) => Self::from_pkcs1_der(pkcs1),
            _ => Err(malformed()),
        }
    }

    /// Reads a DER PKCS#1 `RSAPublicKey` (`-----BEGIN RSA PUBLIC KEY-----` PEM contains one):
    /// `SEQUENCE { modulus INTEGER, publicExponent INTEGER }`, both positive, nothing after.
    /// As with [`RsaPublicKey::from_spki_der`], the size is not checked here.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, ConfigError> {
        let (n, e) = sequence_of_two(der, crate::der::INTEGER, crate::der::INTEGER)
            .and_then(|(n, e)| Some((crate::der::unsigned(n)?, crate::der::unsigned(e)?)))
            .ok_or_else(|| invalid_key("public_key", "PKCS#1 RSA public key", &"malformed DER"))?;
        Self::from_integers(n, e)
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        bit_length(&self.n)
    }

    /// The big-endian modulus and public exponent, without leading zeros (to match a private
    /// key, e.g. an SP decryption key, against a certificate).
    pub(crate) fn components_be(&self) -> (Box<[u8]>, Box<[u8]>) {
        (self.n.clone(), self.e.clone())
    }

    /// The modulus size in bytes: the length every signature by this key has.
    fn modulus_len(&self) -> usize {
        self.modulus.len()
    }

    /// Verifies an RSASSA-PKCS1-v1_5 `signature` over `message` (the message is hashed here).
    ///
    /// Strict: the signature must be exactly as long as the modulus, and the padding and the
    /// DER `DigestInfo` (with NULL parameters) must be exactly the canonical encoding. Every
    /// failure is [`SignatureError::InvalidSignature`]. The key size is not checked here.
    pub fn verify(
        &self,
        alg: SignatureAlgorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), SignatureError> {
        let digest = alg.digest_algorithm();
        self.verify_digest(alg, &digest.digest(message), signature)
    }

    /// Verifies an RSASSA-PKCS1-v1_5 `signature` over a message whose `alg` digest is `hash`
    /// (RFC 8017 §8.2.2): RSAVP1 (the signature as an integer must be below the modulus and
    /// exactly as long), then the whole encoded message compared with
    /// `00 01 FF…FF 00 DigestInfo(hash)`; the signature's ASN.1 is never parsed. A `hash` of
    /// the wrong length fails. Every failure is [`SignatureError::InvalidSignature`].
    pub fn verify_digest(
        &self,
        alg: SignatureAlgorithm,
        hash: &[u8],
        signature: &[u8],
    ) -> Result<(), SignatureError> {
        let expected = emsa_pkcs1_v15(alg.digest_algorithm(), hash, self.modulus_len());
        let encoded = self.modulus.public_op(signature);
        match (expected, encoded) {
            (Some(expected), Some(encoded)) if constant_time_eq(&expected, &encoded) => Ok(()),
            _ => Err(SignatureError::InvalidSignature),
        }
    }
}

impl fmt::Debug for RsaPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaPublicKey")
            .field("bits", &self.bits())
            .finish_non_exhaustive()
    }
}

/// Compares two byte strings in time that depends only on their lengths. Different lengths
/// compare unequal.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

#[cfg(feature = "sign")]
pub use signing::RsaPrivateKey;

/// RSA signing (cargo feature `sign`).
#[cfg(feature = "sign")]
mod signing {
    use core::fmt;

    use sha1::Sha1;
    use sha2::{Sha256, Sha384, Sha512};

    use super::{MIN_RSA_BITS, RsaPublicKey, SignatureAlgorithm, bit_length, invalid_key};
    use crate::encoding::{decode_base64, pem_blocks};
    use crate::error::{ConfigError, Error};
    use rsa::traits::PublicKeyParts as _;

    /// The configuration field private-key errors name.
    const FIELD: &str = "sp_private_key";

    /// Largest accepted DER private key (a 8192-bit PKCS#8 key is about 4.9 KiB).
    const MAX_KEY_DER_BYTES: usize = 16 * 1024;

    /// An RSA private key, used to sign the service provider's own messages (AuthnRequests).
    ///
    /// Its `Debug` output shows only the key size. The key material is zeroized on drop.
    #[derive(Clone)]
    pub struct RsaPrivateKey {
        /// The key.
        inner: rsa::PrivateKey,
        /// Its public half, with the verification parameters.
        public: RsaPublicKey,
    }

    impl RsaPrivateKey {
        /// Reads an unencrypted PEM private key: PKCS#8 (`-----BEGIN PRIVATE KEY-----`) or
        /// PKCS#1 (`-----BEGIN RSA PRIVATE KEY-----`). Text around the block is ignored.
        ///
        /// Keys under [`MIN_RSA_BITS`] give [`ConfigError::KeyTooSmall`]; encrypted keys,
        /// other key types and malformed PEM give [`ConfigError::Invalid`]
        /// (field `sp_private_key`). Error details never quote the key.
        pub fn from_pem(pem: &str) -> Result<Self, ConfigError> {
            let blocks = pem_blocks(pem).map_err(|detail| ConfigError::Invalid {
                field: FIELD,
                detail,
            })?;
            let keys: Vec<&crate::encoding::PemBlock<'_>> = blocks
                .iter()
                .filter(|block| block.label == "PRIVATE KEY" || block.label == "RSA PRIVATE KEY")
                .collect();
            let [block] = keys.as_slice() else {
                return Err(missing_key_detail(&blocks, keys.len()));
            };
            let der = decode_base64(block.body, MAX_KEY_DER_BYTES).map_err(|err| {
                ConfigError::Invalid {
                    field: FIELD,
                    detail: format!("the PEM body is not valid base64 ({})", err.code()),
                }
            })?;
            let inner = decode_der(block.label, &der)?;
            let bits = bit_length(&inner.n_bytes());
            if bits < MIN_RSA_BITS {
                return Err(ConfigError::KeyTooSmall { bits });
            }
            let public =
                RsaPublicKey::from_integers(&inner.n_bytes(), &inner.e_bytes()).map_err(|_| {
                    ConfigError::Invalid {
                        field: FIELD,
                        detail: "not a usable RSA private key".to_owned(),
                    }
                })?;
            Ok(RsaPrivateKey { inner, public })
        }

        /// The modulus size in bits.
        pub fn bits(&self) -> usize {
            bit_length(&self.inner.n_bytes())
        }

        /// Signs `message` with RSASSA-PKCS1-v1_5 and the digest of `alg` (the message is hashed
        /// here). The signature is deterministic and as long as the modulus.
        pub fn sign(&self, alg: SignatureAlgorithm, message: &[u8]) -> Result<Vec<u8>, Error> {
            let key = &self.inner;
            let result = match alg {
                SignatureAlgorithm::RsaSha1 => key.pkcs1v15_sign::<Sha1>(message),
                SignatureAlgorithm::RsaSha256 => key.pkcs1v15_sign::<Sha256>(message),
                SignatureAlgorithm::RsaSha384 => key.pkcs1v15_sign::<Sha384>(message),
                SignatureAlgorithm::RsaSha512 => key.pkcs1v15_sign::<Sha512>(message),
            };
            result.map_err(|err| {
                ConfigError::Invalid {
                    field: FIELD,
                    detail: format!("RSA signing failed: {err}"),
                }
                .into()
            })
        }

        /// The matching public key.
        pub fn public_key(&self) -> RsaPublicKey {
            self.public.clone()
        }
    }

    impl fmt::Debug for RsaPrivateKey {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("RsaPrivateKey")
                .field("bits", &self.bits())
                .finish_non_exhaustive()
        }
    }

    /// Decodes the DER of a `PRIVATE KEY` (PKCS#8) or `RSA PRIVATE KEY` (PKCS#1) PEM block.
    fn decode_der(label: &str, der: &[u8]) -> Result<rsa::PrivateKey, ConfigError> {
        if label == "PRIVATE KEY" {
            use rsa::pkcs8::DecodePrivateKey as _;
            rsa::PrivateKey::from_pkcs8_der(der)
                .map_err(|err| invalid_key(FIELD, "PKCS#8 RSA private key", &err))
        } else {
            use rsa::pkcs1::DecodeRsaPrivateKey as _;
            rsa::PrivateKey::from_pkcs1_der(der)
                .map_err(|err| invalid_key(FIELD, "PKCS#1 RSA private key", &err))
        }
    }

    /// The error for a PEM text with `keys` usable private-key blocks, not exactly one.
    fn missing_key_detail(blocks: &[crate::encoding::PemBlock<'_>], keys: usize) -> ConfigError {
        let encrypted = blocks.iter().any(|b| b.label == "ENCRYPTED PRIVATE KEY");
        let detail = match keys {
            0 if encrypted => {
                "the private key is encrypted; give it unencrypted (openssl pkcs8 -nocrypt)"
                    .to_owned()
            }
            0 => {
                let labels: Vec<&str> = blocks.iter().map(|block| block.label).collect();
                format!(
                    "expected a PEM block \"PRIVATE KEY\" or \"RSA PRIVATE KEY\", found {labels:?}"
                )
            }
            _ => "the text contains more than one private key; give exactly one".to_owned(),
        };
        ConfigError::Invalid {
            field: FIELD,
            detail,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::decode_base64;

    const MESSAGE: &[u8] = b"saml-edge test message";
    const SPKI_B64: &str = include_str!("crypto/testdata/rsa2048-spki.b64");
    const PKCS1_PUBLIC_B64: &str = include_str!("crypto/testdata/rsa2048-pkcs1-public.b64");

    fn b64(text: &str) -> Vec<u8> {
        decode_base64(text, 1 << 20).unwrap_or_default()
    }

    fn public_key() -> Option<RsaPublicKey> {
        RsaPublicKey::from_spki_der(&b64(SPKI_B64)).ok()
    }

    fn openssl_signature(alg: SignatureAlgorithm) -> Vec<u8> {
        b64(match alg {
            SignatureAlgorithm::RsaSha1 => include_str!("crypto/testdata/sig-sha1.b64"),
            SignatureAlgorithm::RsaSha256 => include_str!("crypto/testdata/sig-sha256.b64"),
            SignatureAlgorithm::RsaSha384 => include_str!("crypto/testdata/sig-sha384.b64"),
            SignatureAlgorithm::RsaSha512 => include_str!("crypto/testdata/sig-sha512.b64"),
        })
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn digest_uris_are_exact() {
        for alg in DigestAlgorithm::ALL {
            assert_eq!(DigestAlgorithm::from_uri(alg.uri()), Some(alg));
            assert_eq!(alg.digest(b"").len(), alg.output_len());
            assert_eq!(alg.is_sha1(), alg == DigestAlgorithm::Sha1);
        }
        for uri in [
            "http://www.w3.org/2001/04/xmlenc#sha1",
            "http://www.w3.org/2001/04/xmlenc#sha384",
            "http://www.w3.org/2001/04/xmldsig-more#sha256",
            "http://www.w3.org/2001/04/xmldsig-more#md5",
            "http://www.w3.org/2001/04/xmlenc#ripemd160",
            " http://www.w3.org/2001/04/xmlenc#sha256",
            "http://www.w3.org/2001/04/xmlenc#sha256 ",
            "HTTP://WWW.W3.ORG/2001/04/XMLENC#SHA256",
            "http://www.w3.org/2001/04/xmlenc#SHA256",
            "",
        ] {
            assert_eq!(DigestAlgorithm::from_uri(uri), None, "{uri}");
        }
    }

    #[test]
    fn digests_match_known_answers() {
        let cases = [
            (
                DigestAlgorithm::Sha1,
                "a9993e364706816aba3e25717850c26c9cd0d89d",
            ),
            (
                DigestAlgorithm::Sha256,
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            ),
            (
                DigestAlgorithm::Sha384,
                "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed\
                 8086072ba1e7cc2358baeca134c825a7",
            ),
            (
                DigestAlgorithm::Sha512,
                "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a\
                 2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
            ),
        ];
        for (alg, expected) in cases {
            assert_eq!(hex(&alg.digest(b"abc")), expected, "{alg:?}");
        }
    }

    #[test]
    fn signature_uris_are_exact() {
        for alg in SignatureAlgorithm::ALL {
            assert_eq!(SignatureAlgorithm::from_uri(alg.uri()), Some(alg));
            assert_eq!(alg.is_sha1(), alg.digest_algorithm().is_sha1());
        }
        assert_eq!(
            SignatureAlgorithm::RsaSha384.digest_algorithm(),
            DigestAlgorithm::Sha384
        );
        for uri in [
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha1",
            "http://www.w3.org/2000/09/xmldsig#hmac-sha1",
            "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256",
            "http://www.w3.org/2001/04/xmldsig-more#rsa-md5",
            "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
            "http://www.w3.org/2000/09/xmldsig#dsa-sha1",
            "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1",
            "http://www.w3.org/2001/04/xmldsig-more#RSA-SHA256",
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256\n",
            "http://www.w3.org/2001/04/xmlenc#sha256",
            "",
        ] {
            assert_eq!(SignatureAlgorithm::from_uri(uri), None, "{uri}");
        }
    }

    /// A DER element: `tag`, a definite length, `content`.
    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        match content.len() {
            len @ 0..=127 => out.push(len as u8),
            len @ 128..=255 => out.extend([0x81, len as u8]),
            len => out.extend([0x82, (len >> 8) as u8, len as u8]),
        }
        out.extend_from_slice(content);
        out
    }

    /// An odd modulus of exactly `bits` bits.
    fn modulus(bits: usize) -> Vec<u8> {
        let mut n = vec![0u8; bits.div_ceil(8)];
        n[0] = 1 << ((bits - 1) % 8);
        *n.last_mut().unwrap() |= 1;
        n
    }

    /// The rules for a public key are the `rsa` crate's (which checked them before): the
    /// modulus odd and of 1024 to 8192 bits, the exponent odd and from 3 to 2^33 − 1.
    #[test]
    fn public_key_integers_follow_the_rsa_crate_rules() {
        let ok = |n: &[u8], e: &[u8]| RsaPublicKey::from_integers(n, e).is_ok();
        let f4 = [1, 0, 1];
        assert!(ok(&modulus(1024), &f4));
        assert!(ok(&modulus(8192), &f4));
        assert!(!ok(&modulus(1023), &f4));
        assert!(!ok(&modulus(8193), &f4));
        let mut even = modulus(2048);
        *even.last_mut().unwrap() = 0x02;
        assert!(!ok(&even, &f4));
        for (e, accepted) in [
            (vec![1], false),
            (vec![2], false),
            (vec![3], true),
            (vec![1, 0, 0], false),
            (vec![0x01, 0xFF, 0xFF, 0xFF, 0xFF], true),
            (vec![0x02, 0x00, 0x00, 0x00, 0x01], false),
            (vec![1, 0, 0, 0, 0, 0, 0, 0, 1], false),
            (vec![], false),
        ] {
            assert_eq!(ok(&modulus(2048), &e), accepted, "e = {e:02x?}");
            // The same decision as the rsa crate's own checks.
            let theirs = rsa::PublicKey::new(
                rsa::BoxedUint::from_be_slice_vartime(&modulus(2048)),
                rsa::BoxedUint::from_be_slice_vartime(&e),
            );
            assert_eq!(theirs.is_ok(), accepted, "rsa crate, e = {e:02x?}");
        }
        // Leading zero bytes are not part of the number.
        let padded = [vec![0, 0], modulus(2048)].concat();
        let key = RsaPublicKey::from_integers(&padded, &[0, 1, 0, 1]).expect("a key");
        assert_eq!(key.bits(), 2048);
        assert_eq!(
            key.components_be(),
            (
                modulus(2048).into_boxed_slice(),
                vec![1, 0, 1].into_boxed_slice()
            )
        );
    }

    /// SubjectPublicKeyInfo: rsaEncryption with NULL (or absent) parameters, a BIT STRING
    /// without unused bits holding the PKCS#1 key, and nothing else anywhere.
    #[test]
    fn spki_structure_is_exact() {
        let rsa_oid = tlv(crate::der::OID, RSA_ENCRYPTION_OID);
        let null = tlv(crate::der::NULL, &[]);
        let integers = [
            tlv(
                crate::der::INTEGER,
                &[[0].as_slice(), &modulus(2048)].concat(),
            ),
            tlv(crate::der::INTEGER, &[1, 0, 1]),
        ]
        .concat();
        let pkcs1 = tlv(crate::der::SEQUENCE, &integers);
        let spki = |algorithm: Vec<u8>, bits: Vec<u8>| {
            tlv(
                crate::der::SEQUENCE,
                &[
                    tlv(crate::der::SEQUENCE, &algorithm),
                    tlv(crate::der::BIT_STRING, &bits),
                ]
                .concat(),
            )
        };
        let key_bits = [vec![0], pkcs1.clone()].concat();
        let ok = |der: &[u8]| RsaPublicKey::from_spki_der(der).is_ok();
        assert!(ok(&spki(
            [rsa_oid.clone(), null.clone()].concat(),
            key_bits.clone()
        )));
        assert!(ok(&spki(rsa_oid.clone(), key_bits.clone())));
        let pss_oid = tlv(
            crate::der::OID,
            &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0A],
        );
        assert!(!ok(&spki(
            [pss_oid, null.clone()].concat(),
            key_bits.clone()
        )));
        let params = tlv(crate::der::NULL, &[0]);
        assert!(!ok(&spki(
            [rsa_oid.clone(), params].concat(),
            key_bits.clone()
        )));
        let extra = [rsa_oid.clone(), null.clone(), null.clone()].concat();
        assert!(!ok(&spki(extra, key_bits.clone())));
        let unused_bits = [vec![1], pkcs1.clone()].concat();
        assert!(!ok(&spki(
            [rsa_oid.clone(), null.clone()].concat(),
            unused_bits
        )));
        assert!(!ok(&spki([rsa_oid.clone(), null.clone()].concat(), vec![])));
        // PKCS#1: two positive INTEGERs, nothing after them.
        assert!(RsaPublicKey::from_pkcs1_der(&pkcs1).is_ok());
        let negative = tlv(
            crate::der::SEQUENCE,
            &[
                tlv(crate::der::INTEGER, &modulus(2048)),
                tlv(crate::der::INTEGER, &[1, 0, 1]),
            ]
            .concat(),
        );
        assert!(RsaPublicKey::from_pkcs1_der(&negative).is_err());
        let three = tlv(
            crate::der::SEQUENCE,
            &[integers.clone(), tlv(crate::der::INTEGER, &[1])].concat(),
        );
        assert!(RsaPublicKey::from_pkcs1_der(&three).is_err());
        let trailing = [pkcs1.clone(), vec![0]].concat();
        assert!(RsaPublicKey::from_pkcs1_der(&trailing).is_err());
    }

    #[test]
    fn public_key_encodings_agree() {
        let spki = public_key();
        let pkcs1 = RsaPublicKey::from_pkcs1_der(&b64(PKCS1_PUBLIC_B64)).ok();
        assert!(spki.is_some());
        assert_eq!(spki, pkcs1);
        assert_eq!(spki.as_ref().map(RsaPublicKey::bits), Some(2048));
        assert_eq!(
            spki.map(|k| format!("{k:?}")).as_deref(),
            Some("RsaPublicKey { bits: 2048, .. }")
        );
        // Each decoder refuses the other's encoding and garbage.
        assert!(RsaPublicKey::from_spki_der(&b64(PKCS1_PUBLIC_B64)).is_err());
        assert!(RsaPublicKey::from_pkcs1_der(&b64(SPKI_B64)).is_err());
        assert!(RsaPublicKey::from_spki_der(b"").is_err());
        let mut trailing = b64(SPKI_B64);
        trailing.push(0);
        assert!(RsaPublicKey::from_spki_der(&trailing).is_err());
    }

    #[test]
    fn verifies_openssl_signatures() {
        let Some(key) = public_key() else {
            panic!("test key does not load");
        };
        for alg in SignatureAlgorithm::ALL {
            let sig = openssl_signature(alg);
            assert_eq!(sig.len(), 256);
            assert_eq!(key.verify(alg, MESSAGE, &sig), Ok(()), "{alg:?}");
            assert_eq!(
                key.verify(alg, b"saml-edge test messagE", &sig),
                Err(SignatureError::InvalidSignature)
            );
            for other in SignatureAlgorithm::ALL.into_iter().filter(|o| *o != alg) {
                assert_eq!(
                    key.verify(other, MESSAGE, &sig),
                    Err(SignatureError::InvalidSignature),
                    "{alg:?} signature accepted as {other:?}"
                );
            }
        }
    }

    #[test]
    fn verify_rejects_malformed_signatures() {
        let Some(key) = public_key() else {
            panic!("test key does not load");
        };
        let alg = SignatureAlgorithm::RsaSha256;
        let sig = openssl_signature(alg);
        let mut flipped = sig.clone();
        if let Some(last) = flipped.last_mut() {
            *last ^= 1;
        }
        let mut longer = vec![0u8];
        longer.extend_from_slice(&sig);
        let shorter = sig.get(1..).unwrap_or_default().to_vec();
        for bad in [
            flipped,
            longer,
            shorter,
            Vec::new(),
            vec![0u8; 256],
            vec![0xff; 256],
        ] {
            assert_eq!(
                key.verify(alg, MESSAGE, &bad),
                Err(SignatureError::InvalidSignature)
            );
        }
        // verify_digest: the digest must be of the algorithm's length.
        let hash = alg.digest_algorithm().digest(MESSAGE);
        assert_eq!(key.verify_digest(alg, &hash, &sig), Ok(()));
        for wrong in [
            hash.get(1..).unwrap_or_default().to_vec(),
            [hash.as_slice(), &[0]].concat(),
            Vec::new(),
        ] {
            assert_eq!(
                key.verify_digest(alg, &wrong, &sig),
                Err(SignatureError::InvalidSignature)
            );
        }
    }

    /// The EMSA-PKCS1-v1_5 encoding is defined for a digest of the algorithm's length only.
    #[test]
    fn emsa_encoding_needs_a_digest_of_the_right_length() {
        let digest = DigestAlgorithm::Sha256;
        let Some(em) = emsa_pkcs1_v15(digest, &[7; 32], 256) else {
            panic!("no encoding");
        };
        assert_eq!(em.len(), 256);
        assert_eq!(em.get(..3), Some(&[0x00, 0x01, 0xff][..]));
        assert_eq!(em.get(224..), Some(&[7; 32][..]));
        for len in [31, 33, 20, 64] {
            assert_eq!(emsa_pkcs1_v15(digest, &vec![7; len], 256), None, "{len}");
        }
    }

    #[test]
    fn constant_time_eq_semantics() {
        assert!(constant_time_eq(b"", b""));
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert!(!constant_time_eq(b"", b"a"));
    }

    #[cfg(feature = "sign")]
    mod sign {
        use super::*;

        const PKCS8: &str = include_str!("crypto/testdata/rsa2048-pkcs8.pem");
        const PKCS1: &str = include_str!("crypto/testdata/rsa2048-pkcs1.pem");
        const SMALL: &str = include_str!("crypto/testdata/rsa1024-pkcs8.pem");

        fn field_error(result: Result<RsaPrivateKey, ConfigError>) -> Option<&'static str> {
            match result {
                Err(ConfigError::Invalid { field, .. }) => Some(field),
                _ => None,
            }
        }

        #[test]
        fn signs_like_openssl() {
            let Ok(key) = RsaPrivateKey::from_pem(PKCS8) else {
                panic!("PKCS#8 test key does not load");
            };
            assert_eq!(key.bits(), 2048);
            assert_eq!(Some(key.public_key()), public_key());
            assert_eq!(format!("{key:?}"), "RsaPrivateKey { bits: 2048, .. }");
            for alg in SignatureAlgorithm::ALL {
                let sig = key.sign(alg, MESSAGE).unwrap_or_default();
                assert_eq!(sig, openssl_signature(alg), "{alg:?}");
                assert_eq!(key.public_key().verify(alg, MESSAGE, &sig), Ok(()));
            }
        }

        #[test]
        fn pkcs1_and_pkcs8_give_the_same_key() {
            let a = RsaPrivateKey::from_pem(PKCS8).map(|k| k.public_key());
            let b = RsaPrivateKey::from_pem(&format!("comment\r\n{}", PKCS1.replace('\n', "\r\n")))
                .map(|k| k.public_key());
            assert!(a.is_ok());
            assert_eq!(a, b);
        }

        #[test]
        fn refuses_small_encrypted_and_other_keys() {
            assert_eq!(
                RsaPrivateKey::from_pem(SMALL).err(),
                Some(ConfigError::KeyTooSmall { bits: 1024 })
            );
            let encrypted = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n\
                             -----END ENCRYPTED PRIVATE KEY-----\n";
            let Err(ConfigError::Invalid { detail, .. }) = RsaPrivateKey::from_pem(encrypted)
            else {
                panic!("encrypted key accepted");
            };
            assert!(detail.contains("encrypted"), "{detail}");
            for bad in [
                "",
                "not a key",
                "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
                "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----",
                "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----",
                "-----BEGIN PRIVATE KEY-----\nMIIB",
            ] {
                assert_eq!(
                    field_error(RsaPrivateKey::from_pem(bad)),
                    Some("sp_private_key"),
                    "{bad}"
                );
            }
            // A PKCS#1 body under a PKCS#8 label is refused.
            let mislabelled = PKCS1.replace("RSA PRIVATE KEY", "PRIVATE KEY");
            assert_eq!(
                field_error(RsaPrivateKey::from_pem(&mislabelled)),
                Some("sp_private_key")
            );
            // Two keys are ambiguous.
            assert_eq!(
                field_error(RsaPrivateKey::from_pem(&format!("{PKCS8}{PKCS1}"))),
                Some("sp_private_key")
            );
        }

        /// What the admin reads when the PEM text holds no single key says what to paste instead.
        #[test]
        fn missing_key_errors_say_what_was_found() {
            let detail = |pem: &str| match RsaPrivateKey::from_pem(pem) {
                Err(ConfigError::Invalid { detail, .. }) => detail,
                other => panic!("{other:?}"),
            };
            for two in [format!("{PKCS8}{PKCS1}"), format!("{PKCS1}{PKCS1}")] {
                assert_eq!(
                    detail(&two),
                    "the text contains more than one private key; give exactly one"
                );
            }
            assert_eq!(
                detail("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"),
                "expected a PEM block \"PRIVATE KEY\" or \"RSA PRIVATE KEY\", found [\"CERTIFICATE\"]"
            );
            assert_eq!(
                detail(""),
                "expected a PEM block \"PRIVATE KEY\" or \"RSA PRIVATE KEY\", found []"
            );
        }
    }
}
