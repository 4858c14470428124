//! The check behind the `rsa_verify` fuzz target, shared with `tests/fuzz_regressions.rs`:
//! saml-edge's RSASSA-PKCS1-v1_5 verification (its own variable-time public-key operation,
//! src/crypto/modexp.rs) must give the same verdict as the `rsa` crate's on every input.
//!
//! Input: the first byte selects the hash (bits 0–1), the mode (bit 2) and whether to splice the
//! correct hash in (bit 3); the rest is either
//! * mode 0: the signature itself (any length), or
//! * mode 1: an encoded message EM (left-padded with zeros or cut to the modulus length; with
//!   bit 3 its last bytes are replaced by the hash of the message), signed here with the raw
//!   private-key operation of the test key, so that the fuzzer explores padding and DigestInfo
//!   variants that verify arithmetically. The canonical EM must be accepted by both.

use std::sync::OnceLock;

use rsa::BoxedUint;
use rsa::sha2::{Digest as _, Sha256, Sha384, Sha512};
use rsa::traits::PublicKeyParts as _;
use saml_edge::internal::crypto::{RsaPublicKey, SignatureAlgorithm};

const MESSAGE: &[u8] = b"saml-edge fuzz message";

/// The type argument of `rsa_decrypt` when no blinding RNG is passed (never called).
struct NoRng;

impl rsa::rand_core::TryRng for NoRng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(0)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(0)
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        dst.fill(0);
        Ok(())
    }
}

impl rsa::rand_core::TryCryptoRng for NoRng {}

struct Keys {
    private: rsa::PrivateKey,
    public: rsa::PublicKey,
    ours: RsaPublicKey,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        use rsa::pkcs8::{DecodePrivateKey as _, EncodePublicKey as _};
        let pem = include_str!("../../src/crypto/testdata/rsa2048-pkcs8.pem");
        let private = rsa::PrivateKey::from_pkcs8_pem(pem).expect("test key");
        let public = private.to_public_key();
        let der = public.to_public_key_der().expect("SPKI");
        let ours = RsaPublicKey::from_spki_der(der.as_bytes()).expect("our key");
        Keys {
            private,
            public,
            ours,
        }
    })
}

fn hash(alg: SignatureAlgorithm, msg: &[u8]) -> Vec<u8> {
    match alg {
        SignatureAlgorithm::RsaSha1 => sha1::Sha1::digest(msg).to_vec(),
        SignatureAlgorithm::RsaSha256 => Sha256::digest(msg).to_vec(),
        SignatureAlgorithm::RsaSha384 => Sha384::digest(msg).to_vec(),
        SignatureAlgorithm::RsaSha512 => Sha512::digest(msg).to_vec(),
    }
}

fn reference(key: &rsa::PublicKey, alg: SignatureAlgorithm, msg: &[u8], sig: &[u8]) -> bool {
    match alg {
        SignatureAlgorithm::RsaSha1 => key.pkcs1v15_verify::<sha1::Sha1>(msg, sig),
        SignatureAlgorithm::RsaSha256 => key.pkcs1v15_verify::<Sha256>(msg, sig),
        SignatureAlgorithm::RsaSha384 => key.pkcs1v15_verify::<Sha384>(msg, sig),
        SignatureAlgorithm::RsaSha512 => key.pkcs1v15_verify::<Sha512>(msg, sig),
    }
    .is_ok()
}

pub fn rsa_verify(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let alg = [
        SignatureAlgorithm::RsaSha1,
        SignatureAlgorithm::RsaSha256,
        SignatureAlgorithm::RsaSha384,
        SignatureAlgorithm::RsaSha512,
    ][usize::from(selector & 3)];
    let keys = keys();
    let k = keys.public.size();
    let signature = if selector & 4 == 0 {
        rest.to_vec()
    } else {
        let mut em = vec![0u8; k.saturating_sub(rest.len())];
        em.extend_from_slice(&rest[rest.len().saturating_sub(k)..]);
        if selector & 8 != 0 {
            let h = hash(alg, MESSAGE);
            let start = k - h.len();
            em[start..].copy_from_slice(&h);
        }
        let Ok(m) = BoxedUint::from_be_slice(&em, keys.public.n_bits_precision()) else {
            return;
        };
        if m >= *keys.public.n().as_ref() {
            return;
        }
        let Ok(s) = rsa::hazmat::rsa_decrypt::<NoRng>(None, &keys.private, &m) else {
            return;
        };
        let bytes = s.to_be_bytes();
        bytes[bytes.len() - k..].to_vec()
    };
    let ours = keys.ours.verify(alg, MESSAGE, &signature).is_ok();
    let theirs = reference(&keys.public, alg, MESSAGE, &signature);
    assert_eq!(
        ours, theirs,
        "verdicts differ: {alg:?}, signature {signature:02x?}"
    );
}
