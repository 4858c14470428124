//! Differential test of RSASSA-PKCS1-v1_5 verification: saml-edge's own variable-time
//! public-key operation (`crypto::RsaPublicKey::verify`, src/crypto/modexp.rs) against the `rsa`
//! crate's `pkcs1v15_verify`, on keys and messages from a fixed seed.
//!
//! For every key: real signatures for each hash (both must accept), the same signatures with one
//! bit flipped, checked under another hash, or against another message (both must refuse), and
//! hand-made encoded messages signed with the raw private-key operation (wrong block type, short
//! padding, a missing or moved separator, DigestInfo without NULL, a truncated or extended hash,
//! …) plus raw values at and around the modulus: the two verifiers must agree on every one.
//! The moduli include sizes that are not a multiple of the limb size and several exponents.

use rsa::BoxedUint;
use rsa::rand_core::{TryCryptoRng, TryRng};
use rsa::sha2::{Digest as _, Sha256, Sha384, Sha512};
use rsa::traits::PublicKeyParts as _;
use saml_edge::internal::crypto::{RsaPublicKey, SignatureAlgorithm};

/// SplitMix64: deterministic, and good enough to pick test inputs (not a cryptographic RNG; the
/// `TryCryptoRng` marker is only what the `rsa` crate's key generation asks for).
struct SplitMix(u64);

impl TryRng for SplitMix {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok((self.try_next_u64()? >> 32) as u32)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Ok(z ^ (z >> 31))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for chunk in dst.chunks_mut(8) {
            let bytes = self.try_next_u64()?.to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        Ok(())
    }
}

impl TryCryptoRng for SplitMix {}

impl SplitMix {
    fn next(&mut self) -> u64 {
        let Ok(v) = self.try_next_u64();
        v
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn bytes(&mut self, len: usize) -> Vec<u8> {
        let mut out = vec![0; len];
        let Ok(()) = self.try_fill_bytes(&mut out);
        out
    }
}

const ALGS: [SignatureAlgorithm; 4] = [
    SignatureAlgorithm::RsaSha1,
    SignatureAlgorithm::RsaSha256,
    SignatureAlgorithm::RsaSha384,
    SignatureAlgorithm::RsaSha512,
];

/// The `rsa` crate's verdict.
fn reference(key: &rsa::PublicKey, alg: SignatureAlgorithm, msg: &[u8], sig: &[u8]) -> bool {
    match alg {
        SignatureAlgorithm::RsaSha1 => key.pkcs1v15_verify::<sha1::Sha1>(msg, sig),
        SignatureAlgorithm::RsaSha256 => key.pkcs1v15_verify::<Sha256>(msg, sig),
        SignatureAlgorithm::RsaSha384 => key.pkcs1v15_verify::<Sha384>(msg, sig),
        SignatureAlgorithm::RsaSha512 => key.pkcs1v15_verify::<Sha512>(msg, sig),
    }
    .is_ok()
}

fn hash(alg: SignatureAlgorithm, msg: &[u8]) -> Vec<u8> {
    match alg {
        SignatureAlgorithm::RsaSha1 => sha1::Sha1::digest(msg).to_vec(),
        SignatureAlgorithm::RsaSha256 => Sha256::digest(msg).to_vec(),
        SignatureAlgorithm::RsaSha384 => Sha384::digest(msg).to_vec(),
        SignatureAlgorithm::RsaSha512 => Sha512::digest(msg).to_vec(),
    }
}

fn digest_info(alg: SignatureAlgorithm, with_null: bool) -> Vec<u8> {
    let (oid, len): (&[u8], u8) = match alg {
        SignatureAlgorithm::RsaSha1 => (&[0x2b, 0x0e, 0x03, 0x02, 0x1a], 20),
        SignatureAlgorithm::RsaSha256 => {
            (&[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01], 32)
        }
        SignatureAlgorithm::RsaSha384 => {
            (&[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02], 48)
        }
        SignatureAlgorithm::RsaSha512 => {
            (&[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03], 64)
        }
    };
    let null: &[u8] = if with_null { &[0x05, 0x00] } else { &[] };
    let mut alg_id = vec![
        0x30,
        (2 + oid.len() + null.len()) as u8,
        0x06,
        oid.len() as u8,
    ];
    alg_id.extend_from_slice(oid);
    alg_id.extend_from_slice(null);
    let mut out = vec![0x30, (alg_id.len() + 2 + usize::from(len)) as u8];
    out.extend_from_slice(&alg_id);
    out.extend_from_slice(&[0x04, len]);
    out
}

/// `00 01 FF…FF 00 T` for a `k`-byte modulus, with `T` given.
fn encode(k: usize, t: &[u8]) -> Option<Vec<u8>> {
    let ff = k.checked_sub(t.len() + 3)?;
    let mut em = vec![0x00, 0x01];
    em.extend(std::iter::repeat_n(0xff, ff));
    em.push(0x00);
    em.extend_from_slice(t);
    Some(em)
}

/// The raw private-key operation on `em` (which must be below the modulus), as `k` bytes.
fn raw_sign(key: &rsa::PrivateKey, em: &[u8]) -> Option<Vec<u8>> {
    let k = key.size();
    let m = BoxedUint::from_be_slice(em, key.n_bits_precision()).ok()?;
    if m >= *key.n().as_ref() {
        return None;
    }
    let s = rsa::hazmat::rsa_decrypt::<SplitMix>(None, key, &m).ok()?;
    let bytes = s.to_be_bytes();
    Some(bytes[bytes.len() - k..].to_vec())
}

/// Hand-made encoded messages: (description, EM).
fn crafted(
    k: usize,
    alg: SignatureAlgorithm,
    h: &[u8],
    rng: &mut SplitMix,
) -> Vec<(String, Vec<u8>)> {
    let good_t: Vec<u8> = [digest_info(alg, true), h.to_vec()].concat();
    let mut out = Vec::new();
    let mut push = |what: &str, em: Option<Vec<u8>>| {
        if let Some(em) = em.filter(|em| em.len() == k) {
            out.push((what.to_owned(), em));
        }
    };
    push("canonical", encode(k, &good_t));
    push(
        "missing NULL",
        encode(k, &[digest_info(alg, false), h.to_vec()].concat()),
    );
    let mut em = encode(k, &good_t);
    if let Some(em) = em.as_mut() {
        em[1] = 0x02;
    }
    push("block type 2", em);
    let mut em = encode(k, &good_t);
    if let Some(em) = em.as_mut() {
        em[2 + rng.below(8)] = 0xfe;
    }
    push("padding byte not FF", em);
    // Separator moved: one FF less, one byte of garbage after T.
    let mut em = encode(k - 1, &good_t);
    if let Some(em) = em.as_mut() {
        em.push(0x00);
    }
    push("trailing byte", em);
    let mut em = encode(k, &good_t);
    if let Some(em) = em.as_mut() {
        let sep = k - good_t.len() - 1;
        em[sep] = 0xff;
    }
    push("no separator", em);
    let mut short_t = good_t.clone();
    short_t.pop();
    push("hash one byte short", encode(k, &short_t));
    let mut long_t = good_t.clone();
    long_t.push(0);
    push("hash one byte long", encode(k, &long_t));
    let mut t = good_t.clone();
    let i = rng.below(t.len());
    t[i] ^= 1 << rng.below(8);
    push("DigestInfo or hash bit flipped", encode(k, &t));
    // Padding shorter than 8 bytes of FF (RFC 8017 requires at least 8): prefix with zeros.
    let mut em = vec![0x00, 0x01, 0xff, 0xff, 0x00];
    em.extend_from_slice(&good_t);
    let mut padded = vec![0x00; k.saturating_sub(em.len())];
    padded.extend_from_slice(&em);
    push("short padding, leading zeros", Some(padded));
    let mut em = vec![0x00, 0x00];
    em.extend(
        encode(k - 1, &good_t)
            .unwrap_or_default()
            .into_iter()
            .skip(1),
    );
    push("extra leading zero", em.get(..k).map(<[u8]>::to_vec));
    out
}

/// Compares the verdicts for one key; returns (verdicts compared, hand-made encodings signed).
fn check_key(key: &rsa::PrivateKey, rng: &mut SplitMix, messages: usize) -> (usize, usize) {
    let public = key.to_public_key();
    let ours = {
        use rsa::pkcs8::EncodePublicKey as _;
        let der = public.to_public_key_der().expect("SPKI");
        RsaPublicKey::from_spki_der(der.as_bytes()).expect("our key loads")
    };
    let k = public.size();
    let mut checked = 0;
    let mut crafted_signed = 0;
    let mut agree = |alg: SignatureAlgorithm, msg: &[u8], sig: &[u8], what: &str| -> bool {
        let theirs = reference(&public, alg, msg, sig);
        let mine = ours.verify(alg, msg, sig).is_ok();
        assert_eq!(
            mine,
            theirs,
            "{what}: {}-bit key, e = {:?}, {alg:?}, message {msg:02x?}, signature {sig:02x?}",
            public.n().bit_width(),
            public.e_bytes()
        );
        checked += 1;
        mine
    };
    for _ in 0..messages {
        let len = rng.below(200);
        let msg = rng.bytes(len);
        for alg in ALGS {
            let sig = match alg {
                SignatureAlgorithm::RsaSha1 => key.pkcs1v15_sign::<sha1::Sha1>(&msg),
                SignatureAlgorithm::RsaSha256 => key.pkcs1v15_sign::<Sha256>(&msg),
                SignatureAlgorithm::RsaSha384 => key.pkcs1v15_sign::<Sha384>(&msg),
                SignatureAlgorithm::RsaSha512 => key.pkcs1v15_sign::<Sha512>(&msg),
            }
            .expect("the rsa crate signs");
            assert!(
                agree(alg, &msg, &sig, "genuine"),
                "genuine signature refused"
            );
            let mut flipped = sig.clone();
            let bit = rng.below(8 * k);
            flipped[bit / 8] ^= 1 << (bit % 8);
            assert!(!agree(alg, &msg, &flipped, "bit flipped"));
            let other = ALGS[(ALGS.iter().position(|a| *a == alg).unwrap_or(0) + 1) % 4];
            assert!(!agree(other, &msg, &sig, "other hash"));
            let mut other_msg = msg.clone();
            other_msg.push(rng.next() as u8);
            assert!(!agree(alg, &other_msg, &sig, "other message"));
            let mut longer = vec![0];
            longer.extend_from_slice(&sig);
            assert!(!agree(alg, &msg, &longer, "one byte longer"));
            assert!(!agree(alg, &msg, &sig[1..], "one byte shorter"));
            for (what, em) in crafted(k, alg, &hash(alg, &msg), rng) {
                if let Some(sig) = raw_sign(key, &em) {
                    crafted_signed += 1;
                    let accepted = agree(alg, &msg, &sig, &what);
                    assert_eq!(accepted, what == "canonical", "{what}");
                }
            }
            // Random values, and values at and around the modulus.
            let n = public.n().to_be_bytes();
            let n = &n[n.len() - k..];
            let mut n_plus_one = n.to_vec();
            if let Some(last) = n_plus_one.last_mut() {
                *last = last.wrapping_add(1);
            }
            let mut n_minus_one = n.to_vec();
            if let Some(last) = n_minus_one.last_mut() {
                *last = last.wrapping_sub(1);
            }
            for raw in [
                rng.bytes(k),
                n.to_vec(),
                n_plus_one,
                n_minus_one,
                vec![0; k],
                vec![0xff; k],
                {
                    let mut one = vec![0; k];
                    one[k - 1] = 1;
                    one
                },
            ] {
                assert!(!agree(alg, &msg, &raw, "raw value"));
            }
        }
    }
    (checked, crafted_signed)
}

#[test]
fn own_verify_agrees_with_the_rsa_crate() {
    let mut rng = SplitMix(0x5a4d_4c2d_6564_6765);
    let mut total = 0;
    let mut total_crafted = 0;
    // (bits, public exponent): limb-aligned and unaligned sizes, the usual and unusual exponents.
    let keys: &[(usize, u64)] = &[
        (1024, 65_537),
        (1032, 3),
        (1096, 65_537),
        (1536, 17),
        (2048, 65_537),
        (2056, (1 << 33) - 1),
    ];
    for &(bits, e) in keys {
        let key = rsa::PrivateKey::new_with_exp(&mut rng, bits, BoxedUint::from(e))
            .expect("the rsa crate generates a key");
        let (checked, crafted) = check_key(&key, &mut rng, 3);
        total += checked;
        total_crafted += crafted;
    }
    println!("{total} verdicts compared, {total_crafted} of them on hand-made encodings");
    assert!(total > 1000);
    assert!(total_crafted > 200);
}
