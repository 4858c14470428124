//! The service provider's decryption keys and the RSA-OAEP key unwrap.
//!
//! The private-key operation is the `rsa` crate's (0.10: constant-time modular exponentiation
//! on `crypto-bigint`, hardened along draft-irtf-cfrg-rsa-guidance) **with blinding**: message,
//! exponent and modulus blinding, fed by a deterministic generator keyed with a secret derived
//! from the private key and bound to the wrapped key (SHA-256 in counter mode). The core reads
//! no RNG (it must run on `wasm32-unknown-unknown` without one); the blinding values are still
//! unpredictable to anyone who does not hold the private key, which is what blinding needs.
//! SECURITY.md ("Encrypted assertions") discusses the residual risk (RUSTSEC-2023-0071).

use core::convert::Infallible;
use core::fmt;

use rsa::traits::PublicKeyParts as _;
use sha1::Sha1;
use sha2::{Digest as _, Sha256};

use crate::crypto::{MIN_RSA_BITS, bit_length};
use crate::der;
use crate::encoding::{decode_base64, pem_blocks};
use crate::error::{ConfigError, Error};

/// The configuration field that decryption-key errors name.
const FIELD: &str = "sp_decryption_key";

/// Largest accepted DER private key (an 8192-bit PKCS#8 key is about 4.9 KiB).
const MAX_KEY_DER_BYTES: usize = 16 * 1024;

/// A digest that RSA-OAEP uses for the label hash or for MGF1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OaepDigest {
    /// SHA-1 (the default of both xmlenc OAEP algorithms; fine for OAEP, which needs no
    /// collision resistance).
    Sha1,
    /// SHA-256.
    Sha256,
}

/// An RSA private key whose certificate the IdP encrypts assertions to (Entra ID: the
/// certificate uploaded under "Token encryption"). Its `Debug` output shows only the key size;
/// the key material is zeroized on drop.
#[derive(Clone)]
pub struct DecryptionKey {
    inner: rsa::PrivateKey,
    /// The key as PKCS#8 DER (what WebCrypto imports).
    pkcs8: Vec<u8>,
    /// Secret seed of the blinding generator (derived from the private key).
    blinding_secret: [u8; 32],
}

impl Drop for DecryptionKey {
    fn drop(&mut self) {
        // rsa::PrivateKey zeroizes itself; clear the derived secret too.
        self.blinding_secret.iter_mut().for_each(|b| *b = 0);
        self.pkcs8.iter_mut().for_each(|b| *b = 0);
        core::hint::black_box((&self.blinding_secret, &self.pkcs8));
    }
}

impl DecryptionKey {
    /// Reads an unencrypted PEM private key: PKCS#8 (`-----BEGIN PRIVATE KEY-----`) or PKCS#1
    /// (`-----BEGIN RSA PRIVATE KEY-----`); text around the block is ignored. Keys under 2048
    /// bits give `config_key_too_small`; anything else unusable gives `config_invalid` (field
    /// `sp_decryption_key`). Error details never quote the key.
    pub fn from_pem(pem: &str) -> Result<DecryptionKey, Error> {
        let invalid = |detail: String| ConfigError::Invalid {
            field: FIELD,
            detail,
        };
        let blocks = pem_blocks(pem).map_err(invalid)?;
        let is_key = |label: &str| label == "PRIVATE KEY" || label == "RSA PRIVATE KEY";
        let mut keys = blocks.iter().filter(|block| is_key(block.label));
        let (Some(block), None) = (keys.next(), keys.next()) else {
            let detail = if blocks.iter().filter(|b| is_key(b.label)).count() > 1 {
                "the text contains more than one private key; give exactly one".to_owned()
            } else if blocks.iter().any(|b| b.label == "ENCRYPTED PRIVATE KEY") {
                "the private key is encrypted; give it unencrypted (openssl pkcs8 -nocrypt)"
                    .to_owned()
            } else {
                "expected a PEM block \"PRIVATE KEY\" or \"RSA PRIVATE KEY\"".to_owned()
            };
            return Err(invalid(detail).into());
        };
        let der = decode_base64(block.body, MAX_KEY_DER_BYTES)
            .map_err(|e| invalid(format!("the PEM body is not valid base64 ({})", e.code())))?;
        let is_pkcs8 = block.label == "PRIVATE KEY";
        let inner = private_key_from_der(is_pkcs8, &der)
            .map_err(|detail| invalid(format!("not a usable RSA private key: {detail}")))?;
        let bits = bit_length(&inner.n_bytes());
        if bits < MIN_RSA_BITS {
            return Err(ConfigError::KeyTooSmall { bits }.into());
        }
        let mut hash = Sha256::new();
        hash.update(b"saml-edge xmlenc blinding seed v1\0");
        hash.update(&der);
        let blinding_secret: [u8; 32] = hash.finalize().into();
        let pkcs8 = if is_pkcs8 { der } else { pkcs1_to_pkcs8(&der) };
        Ok(DecryptionKey {
            inner,
            pkcs8,
            blinding_secret,
        })
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        bit_length(&self.inner.n_bytes())
    }

    /// The private key as PKCS#8 DER, to import it into another implementation (the npm
    /// package gives it to WebCrypto's `importKey("pkcs8", …)` for the RSA-OAEP unwrap).
    pub fn pkcs8_der(&self) -> &[u8] {
        &self.pkcs8
    }

    /// Whether `certificate` carries this key's public key (to check that the certificate
    /// published in the SP metadata matches a configured key).
    pub fn matches_certificate(&self, certificate: &crate::Certificate) -> bool {
        let (n, e) = certificate.public_key().components_be();
        n == self.inner.n_bytes() && e == self.inner.e_bytes()
    }

    /// The secret, wrapped-key-bound seed used for blinding and for implicit rejection.
    fn derive(&self, purpose: &[u8], wrapped: &[u8]) -> [u8; 32] {
        let mut hash = Sha256::new();
        hash.update(self.blinding_secret);
        hash.update(purpose);
        hash.update((wrapped.len() as u64).to_be_bytes());
        hash.update(wrapped);
        hash.finalize().into()
    }

    /// RSA-OAEP decryption of `wrapped` with the label hash `digest` and MGF1 with `mgf`; `None`
    /// on any failure (one outcome, no detail: Manger-type oracles).
    pub(crate) fn unwrap(
        &self,
        digest: OaepDigest,
        mgf: OaepDigest,
        wrapped: &[u8],
    ) -> Option<Vec<u8>> {
        let mut rng = HashDrbg::new(self.derive(b"blinding", wrapped));
        let key = &self.inner;
        let result = match (digest, mgf) {
            (OaepDigest::Sha1, OaepDigest::Sha1) => key.decrypt_blinded(
                &mut rng,
                rsa::Oaep::<Sha1, Sha1>::new_with_mgf_hash(),
                wrapped,
            ),
            (OaepDigest::Sha256, OaepDigest::Sha1) => key.decrypt_blinded(
                &mut rng,
                rsa::Oaep::<Sha256, Sha1>::new_with_mgf_hash(),
                wrapped,
            ),
            (OaepDigest::Sha1, OaepDigest::Sha256) => key.decrypt_blinded(
                &mut rng,
                rsa::Oaep::<Sha1, Sha256>::new_with_mgf_hash(),
                wrapped,
            ),
            (OaepDigest::Sha256, OaepDigest::Sha256) => key.decrypt_blinded(
                &mut rng,
                rsa::Oaep::<Sha256, Sha256>::new_with_mgf_hash(),
                wrapped,
            ),
        };
        result.ok()
    }

    /// A key of `len` bytes that stands in for the content key when no configured key unwraps
    /// the EncryptedKey (implicit rejection: decryption then goes on and fails like a wrong
    /// content key would, instead of stopping early). Secret, and fixed per wrapped key.
    pub(crate) fn substitute_key(&self, wrapped: &[u8], len: usize) -> Vec<u8> {
        let mut out = vec![0u8; len];
        HashDrbg::new(self.derive(b"implicit rejection", wrapped)).fill(&mut out);
        out
    }
}

/// rsaEncryption (RFC 8017 A.1).
const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";

/// `PrivateKeyInfo { version 0, AlgorithmIdentifier { rsaEncryption, NULL }, OCTET STRING }`
/// around a PKCS#1 key (RFC 5208).
fn pkcs1_to_pkcs8(pkcs1: &[u8]) -> Vec<u8> {
    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let len = content.len();
        let mut out = vec![tag];
        if len < 0x80 {
            out.push(len as u8);
        } else {
            let bytes: Vec<u8> = len
                .to_be_bytes()
                .into_iter()
                .skip_while(|b| *b == 0)
                .collect();
            out.push(0x80 | bytes.len() as u8);
            out.extend(bytes);
        }
        out.extend_from_slice(content);
        out
    }
    const ALGORITHM: [u8; 15] = [
        0x30, 0x0D, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01, 0x05, 0x00,
    ];
    let mut body = vec![0x02, 0x01, 0x00];
    body.extend_from_slice(&ALGORITHM);
    body.extend(tlv(der::OCTET_STRING, pkcs1));
    tlv(der::SEQUENCE, &body)
}

/// Reads a PKCS#8 `PrivateKeyInfo` (RFC 5208) holding an RSA key, or a bare PKCS#1
/// `RSAPrivateKey` (RFC 8017 A.1.2, two primes), into an `rsa` key (which validates it).
fn private_key_from_der(pkcs8: bool, input: &[u8]) -> Result<rsa::PrivateKey, &'static str> {
    let mut outer = der::Reader::new(input);
    let body = outer
        .next_with_tag(der::SEQUENCE)
        .ok_or("not a DER SEQUENCE")?;
    if !outer.is_empty() {
        return Err("data after the key");
    }
    let pkcs1_der = if pkcs8 {
        let mut info = der::Reader::new(body.content);
        let version = info
            .next_with_tag(der::INTEGER)
            .ok_or("no PKCS#8 version")?;
        if !matches!(version.content, [0] | [1]) {
            return Err("unknown PKCS#8 version");
        }
        let algorithm = info
            .next_with_tag(der::SEQUENCE)
            .ok_or("no PKCS#8 algorithm")?;
        let mut alg = der::Reader::new(algorithm.content);
        let oid = alg
            .next_with_tag(der::OID)
            .and_then(|o| der::oid_string(o.content));
        if oid.as_deref() != Some(RSA_ENCRYPTION) {
            return Err("not an RSA key (rsaEncryption)");
        }
        if alg
            .next_with_tag(der::NULL)
            .is_none_or(|n| !n.content.is_empty())
            || !alg.is_empty()
        {
            return Err("rsaEncryption parameters are not NULL");
        }
        info.next_with_tag(der::OCTET_STRING)
            .ok_or("no PKCS#8 privateKey")?
            .content
    } else {
        body.whole
    };
    let mut outer = der::Reader::new(pkcs1_der);
    let sequence = outer
        .next_with_tag(der::SEQUENCE)
        .ok_or("not a PKCS#1 RSAPrivateKey")?;
    if !outer.is_empty() {
        return Err("data after the PKCS#1 key");
    }
    let mut fields = der::Reader::new(sequence.content);
    let mut integers: Vec<&[u8]> = Vec::with_capacity(9);
    while let Some(field) = fields.next() {
        if field.tag != der::INTEGER || integers.len() == 9 {
            return Err("not a two-prime PKCS#1 RSAPrivateKey");
        }
        integers.push(der::unsigned(field.content).ok_or("a negative integer")?);
    }
    let [version, n, e, d, p, q, ..] = integers.as_slice() else {
        return Err("a PKCS#1 RSAPrivateKey needs nine integers");
    };
    if integers.len() != 9 || !version.is_empty() {
        return Err("not a two-prime PKCS#1 RSAPrivateKey (version 0)");
    }
    let bits = u32::try_from(n.len()).map_err(|_| "modulus too large")? * 8;
    let uint = |bytes: &[u8], bits: u32| {
        rsa::BoxedUint::from_be_slice(bytes, bits).map_err(|_| "an integer larger than the modulus")
    };
    let e_bits = u32::try_from(e.len()).map_err(|_| "exponent too large")? * 8;
    let e = uint(e, e_bits.max(8))?;
    rsa::PrivateKey::from_components(
        uint(n, bits)?,
        e,
        uint(d, bits)?,
        vec![uint(p, bits)?, uint(q, bits)?],
    )
    .map_err(|_| "the key's numbers are not a valid RSA key")
}

impl fmt::Debug for DecryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecryptionKey")
            .field("bits", &self.bits())
            .finish_non_exhaustive()
    }
}

/// SHA-256 in counter mode over a secret seed: the blinding generator (see the module docs).
struct HashDrbg {
    seed: [u8; 32],
    counter: u64,
    block: [u8; 32],
    used: usize,
}

impl HashDrbg {
    fn new(seed: [u8; 32]) -> Self {
        HashDrbg {
            seed,
            counter: 0,
            block: [0; 32],
            used: 32,
        }
    }

    fn fill(&mut self, dst: &mut [u8]) {
        for byte in dst {
            if self.used == self.block.len() {
                let mut hash = Sha256::new();
                hash.update(self.seed);
                hash.update(self.counter.to_be_bytes());
                self.block = hash.finalize().into();
                self.counter = self.counter.wrapping_add(1);
                self.used = 0;
            }
            *byte = self.block.get(self.used).copied().unwrap_or_default();
            self.used += 1;
        }
    }
}

impl Drop for HashDrbg {
    fn drop(&mut self) {
        self.seed.iter_mut().for_each(|b| *b = 0);
        self.block.iter_mut().for_each(|b| *b = 0);
        core::hint::black_box((&self.seed, &self.block));
    }
}

impl rand_core::TryRng for HashDrbg {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut bytes = [0u8; 4];
        self.fill(&mut bytes);
        Ok(u32::from_le_bytes(bytes))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut bytes = [0u8; 8];
        self.fill(&mut bytes);
        Ok(u64::from_le_bytes(bytes))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        self.fill(dst);
        Ok(())
    }
}

impl rand_core::TryCryptoRng for HashDrbg {}

#[cfg(test)]
mod tests {
    use super::*;

    const PEM: &str = include_str!("../crypto/testdata/rsa2048-pkcs8.pem");
    const PKCS1: &str = include_str!("../crypto/testdata/rsa2048-pkcs1.pem");
    const SMALL: &str = include_str!("../crypto/testdata/rsa1024-pkcs8.pem");

    #[test]
    fn pkcs8_and_pkcs1_give_the_same_key_and_the_rest_is_refused() {
        let a = DecryptionKey::from_pem(PEM).unwrap();
        let b = DecryptionKey::from_pem(PKCS1).unwrap();
        // The PKCS#8 made from the PKCS#1 key is the PKCS#8 file's DER (openssl wrote both).
        assert_eq!(a.pkcs8_der(), b.pkcs8_der());
        assert_eq!(a.inner.n_bytes(), b.inner.n_bytes());
        assert_eq!(
            format!("{:?}", a.inner.to_public_key()),
            format!("{:?}", b.inner.to_public_key())
        );
        assert_eq!(
            DecryptionKey::from_pem(SMALL).err().map(|e| e.code()),
            Some("config_key_too_small")
        );
        // A PKCS#1 body under the PKCS#8 label, and the reverse.
        let swapped = [
            PKCS1.replace("RSA PRIVATE KEY", "PRIVATE KEY"),
            PEM.replace("PRIVATE KEY", "RSA PRIVATE KEY"),
        ];
        for pem in swapped {
            assert_eq!(
                DecryptionKey::from_pem(&pem).err().map(|e| e.code()),
                Some("config_invalid")
            );
        }
        // The DER, cut short or extended, is refused.
        let der = crate::encoding::decode_base64(
            PKCS1
                .lines()
                .filter(|l| !l.starts_with("-----"))
                .collect::<String>()
                .as_str(),
            1 << 16,
        )
        .unwrap();
        assert!(private_key_from_der(false, &der).is_ok());
        let mut longer = der.clone();
        longer.push(0);
        for bad in [&der[..der.len() - 1], &longer[..], &der[..4]] {
            assert!(private_key_from_der(false, bad).is_err());
        }
        // A wrong private exponent fails the rsa crate's validation.
        let mut wrong = der.clone();
        let at = wrong.len() / 2;
        wrong[at] ^= 1;
        assert!(private_key_from_der(false, &wrong).is_err());
    }

    #[test]
    fn unwrap_needs_the_right_digests_and_substitutes_are_secret_and_stable() {
        let key = DecryptionKey::from_pem(PEM).unwrap();
        let public = key.inner.to_public_key();
        let mut rng = HashDrbg::new([5; 32]);
        let wrapped = rsa::traits::RandomizedEncryptor::encrypt_with_rng(
            &rsa::oaep::EncryptingKey::<Sha256, Sha1>::new(public),
            &mut rng,
            &[42u8; 32],
        )
        .unwrap();
        assert_eq!(
            key.unwrap(OaepDigest::Sha256, OaepDigest::Sha1, &wrapped),
            Some(vec![42u8; 32])
        );
        for (d, m) in [
            (OaepDigest::Sha1, OaepDigest::Sha1),
            (OaepDigest::Sha1, OaepDigest::Sha256),
            (OaepDigest::Sha256, OaepDigest::Sha256),
        ] {
            assert_eq!(key.unwrap(d, m, &wrapped), None);
        }
        let mut flipped = wrapped.clone();
        flipped[100] ^= 1;
        assert_eq!(
            key.unwrap(OaepDigest::Sha256, OaepDigest::Sha1, &flipped),
            None
        );
        assert_eq!(
            key.unwrap(OaepDigest::Sha256, OaepDigest::Sha1, &wrapped[1..]),
            None
        );
        let a = key.substitute_key(&wrapped, 32);
        assert_eq!(a, key.substitute_key(&wrapped, 32));
        assert_ne!(a, key.substitute_key(&flipped, 32));
        assert_ne!(a, vec![0u8; 32]);
    }
}
