//! The RSA public-key operation `s^e mod n`, variable time (everything here is public: the
//! modulus, the exponent and the signature), with the Montgomery parameters computed once per key.
//!
//! Why not the `rsa` crate's path: it runs the exponentiation through `crypto-bigint`'s
//! constant-time 4-bit fixed-window ladder (16 precomputed powers, a constant-time table scan per
//! window, about 40 Montgomery products for e = 65537) on heap-allocated `BoxedUint`s. A public
//! exponent needs none of that: left-to-right square-and-multiply over the bits of `e` is 16
//! squarings and 1 multiplication for e = 65537, plus one product into Montgomery form (the last
//! multiplication, by `s` itself, also takes the result out of it).
//!
//! Limbs are `u64` everywhere; the 64×64→128 product is one instruction natively and four
//! 32×32→64 multiplications on wasm32 (which has no wider product; LLVM's `u128` multiplication
//! there is a call to `__multi3`). Measured in Node on wasm32 for the 5 KB response, the RSA stage
//! with 32-bit limbs and 64-bit products (4× the limb steps) was the slower of the two.
//!
//! Montgomery multiplication is the fused CIOS form (one pass interleaving the product and the
//! reduction, Koç–Acar–Kaliski 1996); every value is kept fully reduced (`< n`) by a final
//! conditional subtraction, so the result needs no normalisation.

// The npm build (wasm32 with simd128) verifies with `lazy::LazyModulus` (src/crypto.rs): the
// code below is then only compiled, and its tests run natively.
#![cfg_attr(
    all(target_arch = "wasm32", target_feature = "simd128"),
    allow(dead_code)
)]

type Limb = u64;
type Wide = u128;

/// The full product of two limbs: natively one multiplication instruction. wasm32 has 64-bit
/// multiplication but no 64×64→128, and LLVM lowers a `u128` product to a call to `__multi3`:
/// four 32×32→64 products inline instead.
#[inline(always)]
fn mul_wide(a: Limb, b: Limb) -> Wide {
    #[cfg(target_arch = "wasm32")]
    {
        mul_64x64_by_halves(a, b)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        Wide::from(a) * Wide::from(b)
    }
}

/// `a·b` from four 32×32→64 products (schoolbook on 32-bit halves; no step overflows: each
/// partial sum is below 2^64).
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
#[inline(always)]
fn mul_64x64_by_halves(a: u64, b: u64) -> u128 {
    const LOW: u64 = 0xffff_ffff;
    let (a0, a1) = (a & LOW, a >> 32);
    let (b0, b1) = (b & LOW, b >> 32);
    let p00 = a0 * b0;
    let p01 = a0 * b1;
    let p10 = a1 * b0;
    let p11 = a1 * b1;
    let mid = (p00 >> 32) + (p01 & LOW) + (p10 & LOW);
    let low = (p00 & LOW) + (mid << 32);
    let high = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
    (u128::from(high) << 64) + u128::from(low)
}

include!("modexp_impl.rs");

/// `x^-1 mod 2^64` for an odd `x`, by Newton iteration: each step doubles the number of
/// correct low bits (an odd x is its own inverse mod 8, so six steps reach 64). Its low bits are
/// the inverse modulo any smaller power of two, which is what each limb size takes.
fn inverse_mod_2_64(x: u64) -> u64 {
    let mut inv = x;
    for _ in 0..6 {
        inv = inv.wrapping_mul(2u64.wrapping_sub(x.wrapping_mul(inv)));
    }
    inv
}

/// What [`exponentiate`] needs from a limb representation: Montgomery products and squares
/// (`modexp_impl.rs` on 64- or 32-bit limbs, `lazy.rs` on 27-bit limbs with lazy carries).
trait Montgomery {
    /// A limb, little-endian in a value of [`Montgomery::limbs`] of them.
    type Limb: Copy + From<u8>;
    /// Working space for the products.
    type Scratch;
    /// The number of limbs of the modulus.
    fn limbs(&self) -> usize;
    /// `R² mod n`.
    fn r_squared_mod_n(&self) -> &[Self::Limb];
    /// Working space for [`Montgomery::mont_mul`] and [`Montgomery::mont_sqr`].
    fn scratch(&self) -> Self::Scratch;
    /// `out = a·b·R^-1 mod n` for `a, b < n`.
    fn mont_mul(
        &self,
        a: &[Self::Limb],
        b: &[Self::Limb],
        out: &mut [Self::Limb],
        scratch: &mut Self::Scratch,
    );
    /// `out = a²·R^-1 mod n` for `a < n`.
    fn mont_sqr(&self, a: &[Self::Limb], out: &mut [Self::Limb], scratch: &mut Self::Scratch);
}

/// `s^e mod n` for `s < n` and `e ≥ 1`, in the limbs of `m`: one product into Montgomery form,
/// then left-to-right square-and-multiply over the bits of `e` below the top one. The last bit
/// leaves Montgomery form on the way: acc²·R^-1 = v·R, then a product with a factor out of form,
/// (v·R)·f·R^-1 = v·f, where f is s itself for an odd e (one product fewer than multiplying by
/// x and then by 1) and 1 for an even one: 16 squarings and 2 products for e = 65537.
fn exponentiate<M: Montgomery>(m: &M, s: Vec<M::Limb>, e: u64) -> Vec<M::Limb> {
    let top = u64::BITS - 1 - e.leading_zeros();
    if top == 0 {
        // e = 1.
        return s;
    }
    let limbs = m.limbs();
    let zero = M::Limb::from(0);
    let mut scratch = m.scratch();
    // x = s·R mod n (Montgomery form of s).
    let mut x = vec![zero; limbs];
    m.mont_mul(&s, m.r_squared_mod_n(), &mut x, &mut scratch);
    let mut acc = x.clone();
    let mut tmp = vec![zero; limbs];
    for bit in (1..top).rev() {
        m.mont_sqr(&acc, &mut tmp, &mut scratch);
        if (e >> bit) & 1 == 1 {
            m.mont_mul(&tmp, &x, &mut acc, &mut scratch);
        } else {
            core::mem::swap(&mut acc, &mut tmp);
        }
    }
    m.mont_sqr(&acc, &mut tmp, &mut scratch);
    let factor = if e & 1 == 1 {
        s
    } else {
        let mut one = vec![zero; limbs];
        if let Some(low) = one.first_mut() {
            *low = M::Limb::from(1);
        }
        one
    };
    m.mont_mul(&tmp, &factor, &mut acc, &mut scratch);
    acc
}

#[cfg(any(all(target_arch = "wasm32", target_feature = "simd128"), test))]
pub(crate) mod lazy;

/// The same code on 32-bit limbs, for the tests: the arithmetic must not depend on the limb
/// size.
#[cfg(test)]
#[allow(dead_code)]
mod narrow {
    type Limb = u32;
    type Wide = u64;
    fn mul_wide(a: Limb, b: Limb) -> Wide {
        Wide::from(a) * Wide::from(b)
    }
    include!("modexp_impl.rs");
}

/// A seeded SplitMix64 sequence for the tests of both limb representations.
#[cfg(test)]
fn random(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed;
    move || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference: schoolbook `base^e mod n` on u128 for small moduli.
    fn pow_mod(base: u128, e: u64, n: u128) -> u128 {
        let mut result = 1u128 % n;
        let mut b = base % n;
        let mut e = e;
        while e > 0 {
            if e & 1 == 1 {
                result = result * b % n;
            }
            b = b * b % n;
            e >>= 1;
        }
        result
    }

    #[test]
    fn small_moduli_match_schoolbook() {
        // Moduli below 2^32 so that the reference fits u128 products without overflow.
        for n in [
            3u64,
            5,
            7,
            0xffff_fffb,
            0x8000_0001,
            0xdead_beef,
            65_537,
            4_294_967_291,
        ] {
            let n_be: Vec<u8> = n.to_be_bytes().to_vec();
            for e in [1u64, 2, 3, 4, 17, 65_536, 65_537, (1 << 33) - 1] {
                let Some(m) = PublicModulus::new(&n_be, e) else {
                    panic!("modulus {n} refused");
                };
                for s in [0u64, 1, 2, n / 2, n - 1, 12_345 % n] {
                    let sig = s.to_be_bytes();
                    let sig = &sig[8 - m.len()..];
                    let expected = pow_mod(u128::from(s), e, u128::from(n));
                    let got = m.public_op(sig).map(|bytes| {
                        bytes
                            .iter()
                            .fold(0u128, |acc, b| (acc << 8) | u128::from(*b))
                    });
                    assert_eq!(got, Some(expected), "n={n} e={e} s={s}");
                }
                // s = n and a wrong length are refused.
                let sig = n.to_be_bytes();
                assert_eq!(m.public_op(&sig[8 - m.len()..]), None);
                assert_eq!(m.public_op(&[0; 9]), None);
            }
        }
    }

    /// A 32-bit-limb build gives the same results as the 64-bit one, which the
    /// Wycheproof and differential tests check against the `rsa` crate: random odd moduli of
    /// every length from 1 to 520 bytes (so every limb alignment), several exponents, random
    /// values below and not below the modulus.
    #[test]
    fn narrow_limbs_agree_with_wide_limbs() {
        let mut next = random(0x6d6f_6465_7870_u64);
        let mut compared = 0;
        for len in (1..=520).step_by(7).chain([128, 256, 384, 512]) {
            let mut n: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            n[0] |= 0x80 >> (next() % 8);
            n[len - 1] |= 1;
            for e in [3, 65_537, (next() % (1 << 33)).max(2)] {
                let (Some(wide), Some(narrow)) =
                    (PublicModulus::new(&n, e), narrow::PublicModulus::new(&n, e))
                else {
                    assert!(len == 1 && n[0] < 3, "modulus refused");
                    continue;
                };
                assert_eq!(wide.len(), narrow.len());
                for round in 0..4 {
                    let mut s: Vec<u8> = (0..len).map(|_| next() as u8).collect();
                    if round == 3 {
                        s.clone_from(&n);
                    } else if round == 0 {
                        s[0] = 0;
                    }
                    assert_eq!(wide.public_op(&s), narrow.public_op(&s), "n={n:02x?} e={e}");
                    compared += 1;
                }
            }
        }
        assert!(compared > 800, "{compared}");
    }

    /// The dedicated squaring equals the general product of a value with itself, on both limb
    /// sizes, for random odd moduli of many lengths and random values below them.
    #[test]
    fn squaring_equals_multiplication() {
        let mut next = random(0x7371_7561_7265_u64);
        for len in (1..=300).step_by(3).chain([256, 512]) {
            let mut n: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            n[0] |= 0x80 >> (next() % 8);
            n[len - 1] |= 1;
            let Some(m) = PublicModulus::new(&n, 3) else {
                continue;
            };
            let limbs = m.n.len();
            for round in 0..8 {
                let mut a: Vec<u8> = (0..len).map(|_| next() as u8).collect();
                a[0] = if round == 0 { n[0] - 1 } else { a[0] % n[0] };
                let Some(a) = from_be(&a, limbs) else {
                    panic!("value does not fit");
                };
                let mut scratch = vec![0; 2 * (limbs + 1)];
                let mut by_mul = vec![0; limbs];
                let mut by_sqr = vec![0; limbs];
                m.mont_mul(&a, &a, &mut by_mul, &mut scratch);
                m.mont_sqr(&a, &mut by_sqr, &mut scratch);
                assert_eq!(by_mul, by_sqr, "n={n:02x?}");
            }
        }
    }

    /// The product by 32-bit halves (what wasm32 runs) equals the native 128-bit product.
    #[test]
    fn product_by_halves_is_exact() {
        let edges = [
            0,
            1,
            2,
            0xffff_ffff,
            0x1_0000_0000,
            u64::MAX - 1,
            u64::MAX,
            1 << 63,
        ];
        for a in edges {
            for b in edges {
                assert_eq!(mul_64x64_by_halves(a, b), u128::from(a) * u128::from(b));
            }
        }
        let mut x = 0x243f_6a88_85a3_08d3_u64;
        for _ in 0..100_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let y = x.rotate_left(29) ^ 0x1319_8a2e_0370_7344;
            assert_eq!(mul_64x64_by_halves(x, y), u128::from(x) * u128::from(y));
        }
    }

    #[test]
    fn refuses_even_and_trivial_moduli() {
        assert!(PublicModulus::new(&[0, 0, 4], 3).is_none());
        assert!(PublicModulus::new(&[1], 3).is_none());
        assert!(PublicModulus::new(&[], 3).is_none());
        assert!(PublicModulus::new(&[0, 0], 3).is_none());
        assert!(PublicModulus::new(&[7], 0).is_none());
        assert!(PublicModulus::new(&[0, 7], 3).is_some_and(|m| m.len() == 1));
    }
}
