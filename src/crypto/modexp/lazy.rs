//! The RSA public-key operation of the npm build: Montgomery products on 27-bit limbs with
//! lazy carries, whose inner loop `t[i..] += x·k` runs eight limbs per wasm `simd128` step.
//!
//! Why another representation on wasm32: it has a 64×64→64 multiplication but no wider one, so
//! the CIOS loop of `modexp_impl.rs` on 64-bit limbs spends four multiplications and about
//! thirty other instructions per limb product on carries. A product of two 27-bit limbs fits in
//! 54 bits, so each of the `2L + 1` sums of a product `t` can collect more than a thousand of
//! them in a `u64` without carrying (an 8,192-bit modulus needs at most 2 × 304), and the
//! carries are settled once per limb during the reduction. The row `t[i..] += x·k` is then
//! independent per limb: `u64x2.extmul_{low,high}_u32x4` (one `pmuludq` each on x86-64) make
//! four 32×32→64 products per instruction pair, and the row is unrolled by eight limbs.
//! Measured in Node on the 5 KB response: 181 → 170 µs per verification (README, Performance).
//!
//! This is Montgomery multiplication in separated operand scanning (Koç–Acar–Kaliski 1996):
//! the full product (or square: cross products once, doubled, plus the squares), then for each
//! limb `i` the multiple `m·n` that clears `t[i]` mod 2^27, whose carry moves to `t[i + 1]`.
//! Values are kept fully reduced (`< n`), as in `modexp_impl.rs`, whose results these must equal:
//! tested natively on random moduli of every length with the scalar row (the vector row differs
//! only in doing eight limbs per step, and every verification through the npm package runs it on
//! every row length from 0 to `L`, so that the JS tests would fail at once on a wrong lane).

/// Bits per limb.
const BITS: u32 = 27;
/// The low [`BITS`] bits.
const MASK: u64 = (1 << BITS) - 1;

/// An odd RSA modulus > 1 with its public exponent and Montgomery parameters (`R = 2^(27·L)`
/// for `L` limbs).
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct LazyModulus {
    /// The modulus, little-endian 27-bit limbs.
    n: Box<[u32]>,
    /// `−n^−1 mod 2^27`.
    n0: u64,
    /// `R² mod n`.
    r2: Box<[u32]>,
    /// The public exponent.
    e: u64,
    /// The modulus length in bytes.
    len: usize,
}

/// Working space for one exponentiation.
pub(super) struct Scratch {
    /// The lazy product: `2L + 1` sums of limb products.
    t: Vec<u64>,
}

impl LazyModulus {
    /// Precomputes the parameters for modulus `n_be` (big-endian, leading zeros allowed) and
    /// exponent `e`. `None` when `n` is even or `< 3`, or `e` is 0.
    pub(crate) fn new(n_be: &[u8], e: u64) -> Option<Self> {
        let start = n_be.iter().position(|b| *b != 0)?;
        let n_be = n_be.get(start..)?;
        let len = n_be.len();
        let limbs = (8 * len).div_ceil(BITS as usize);
        let n = from_be(n_be, limbs)?;
        let n_low = u64::from(*n.first()?);
        if n_low & 1 == 0 || (len == 1 && n_low < 3) || e == 0 {
            return None;
        }
        // n^-1 mod 2^27: the low bits of the inverse mod 2^64.
        let inv = super::inverse_mod_2_64(n_low);
        let mut modulus = LazyModulus {
            n: n.into_boxed_slice(),
            n0: inv.wrapping_neg() & MASK,
            r2: Box::default(),
            e,
            len,
        };
        modulus.r2 = modulus.r_squared().into_boxed_slice();
        Some(modulus)
    }

    /// The modulus length in bytes.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// `signature^e mod n` as exactly [`LazyModulus::len`] big-endian bytes (RSAVP1 and
    /// I2OSP of RFC 8017 §5.2.2, §4.1). `None` when the signature is not exactly `len` bytes
    /// or its value is not below `n`.
    pub(crate) fn public_op(&self, signature: &[u8]) -> Option<Vec<u8>> {
        if signature.len() != self.len {
            return None;
        }
        let limbs = self.n.len();
        let s = from_be(signature, limbs)?;
        if !less_than(&s, &self.n) {
            return None;
        }
        let result = super::exponentiate(self, s, self.e);
        Some(to_be(&result, self.len))
    }

    /// `R² mod n`: `R mod n` by doubling from a power of two below `n`, then
    /// `R·2^E mod n` for `E = 27·L` by the bits of `E` from the top: a Montgomery squaring maps
    /// `R·2^a` to `R·2^(2a)` and a doubling to `R·2^(a+1)` (about eleven squarings for a
    /// 2,048-bit modulus; `27·L` is seldom a power of two times a small odd number).
    fn r_squared(&self) -> Vec<u32> {
        let limbs = self.n.len();
        let total_bits = BITS as usize * limbs;
        // The modulus's first byte is not zero, so 2^(8·(len − 1)) ≤ n, and not equal (n is
        // odd and above 2).
        let top_bit = 8 * (self.len - 1);
        let mut x = vec![0; limbs];
        if let Some(limb) = x.get_mut(top_bit / BITS as usize) {
            *limb = 1 << (top_bit % BITS as usize);
        }
        // Double up to 2^total_bits = R (mod n).
        for _ in top_bit..total_bits {
            self.double(&mut x);
        }
        let mut scratch = Scratch {
            t: vec![0; 2 * limbs + 1],
        };
        let mut tmp = vec![0; limbs];
        // x = R·2^a with a = 0; the top bit of E makes a = 1, each further bit a = 2a (+ 1).
        self.double(&mut x);
        for bit in (0..usize::BITS - 1 - total_bits.leading_zeros()).rev() {
            self.mont_sqr(&x, &mut tmp, &mut scratch);
            core::mem::swap(&mut x, &mut tmp);
            if (total_bits >> bit) & 1 == 1 {
                self.double(&mut x);
            }
        }
        x
    }

    /// `x = 2x mod n` for `x < n`.
    fn double(&self, x: &mut [u32]) {
        let mut carry = 0;
        for limb in x.iter_mut() {
            let doubled = (*limb << 1) + carry;
            *limb = doubled & MASK as u32;
            carry = doubled >> BITS;
        }
        if carry != 0 || !less_than(x, &self.n) {
            sub_assign(x, &self.n);
        }
    }

    /// `out = a·b·R^-1 mod n` for `a, b < n`.
    fn mont_mul(&self, a: &[u32], b: &[u32], out: &mut [u32], scratch: &mut Scratch) {
        let t = &mut scratch.t;
        t.fill(0);
        for (i, &bi) in b.iter().enumerate() {
            mul_add(t.get_mut(i..), a, bi);
        }
        self.reduce(t, out);
    }

    /// `out = a²·R^-1 mod n` for `a < n`: each cross product `a[i]·a[j]`, `i < j`, once and
    /// doubled, about 3/4 of the products of [`LazyModulus::mont_mul`].
    fn mont_sqr(&self, a: &[u32], out: &mut [u32], scratch: &mut Scratch) {
        let t = &mut scratch.t;
        t.fill(0);
        for (i, &ai) in a.iter().enumerate() {
            mul_add(
                t.get_mut(2 * i + 1..),
                a.get(i + 1..).unwrap_or_default(),
                ai,
            );
        }
        for (pair, &ai) in t.chunks_exact_mut(2).zip(a) {
            if let [low, high] = pair {
                *low = 2 * *low + u64::from(ai) * u64::from(ai);
                *high *= 2;
            }
        }
        self.reduce(t, out);
    }

    /// Montgomery reduction of the lazy product `t` (`2L + 1` sums of limb products): for each
    /// `i`, `m = −t[i]·n^−1 mod 2^27` and `t[i..] += m·n` zero the low 27 bits of `t[i]`,
    /// whose carry moves to `t[i + 1]`; then the upper half, carried and reduced below `n`,
    /// goes to `out`.
    ///
    /// Every `t[k]` collects at most `L` operand products and `L` reduction products, each
    /// below 2^54, plus a carry below 2^38: a `u64` holds that for `L` up to 511 limbs.
    fn reduce(&self, t: &mut [u64], out: &mut [u32]) {
        let limbs = self.n.len();
        for i in 0..limbs {
            let Some(&ti) = t.get(i) else {
                return;
            };
            let m = ((ti & MASK) * self.n0) & MASK;
            mul_add(t.get_mut(i..), &self.n, m as u32);
            let carry = t.get(i).map_or(0, |ti| ti >> BITS);
            if let Some(next) = t.get_mut(i + 1) {
                *next += carry;
            }
        }
        let mut carry = 0;
        for (limb, &sum) in out.iter_mut().zip(t.get(limbs..).unwrap_or_default()) {
            let value = sum + carry;
            *limb = (value & MASK) as u32;
            carry = value >> BITS;
        }
        if carry != 0 || !less_than(out, &self.n) {
            sub_assign(out, &self.n);
        }
    }
}

impl super::Montgomery for LazyModulus {
    type Limb = u32;
    type Scratch = Scratch;

    fn limbs(&self) -> usize {
        self.n.len()
    }

    fn r_squared_mod_n(&self) -> &[u32] {
        &self.r2
    }

    fn scratch(&self) -> Scratch {
        Scratch {
            t: vec![0; 2 * self.n.len() + 1],
        }
    }

    fn mont_mul(&self, a: &[u32], b: &[u32], out: &mut [u32], scratch: &mut Scratch) {
        LazyModulus::mont_mul(self, a, b, out, scratch);
    }

    fn mont_sqr(&self, a: &[u32], out: &mut [u32], scratch: &mut Scratch) {
        LazyModulus::mont_sqr(self, a, out, scratch);
    }
}

/// `t[j] += x[j]·k` for every `j` of `x` (`t` is at least as long; `None` adds nothing: every
/// caller's range is in bounds). No carries: see [`LazyModulus::reduce`]. On wasm32 the whole
/// groups of eight limbs go through [`mul_add_octets`] first.
fn mul_add(t: Option<&mut [u64]>, x: &[u32], k: u32) {
    let Some(t) = t else {
        return;
    };
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    let (t, x) = mul_add_octets(t, x, k);
    for (sum, &limb) in t.iter_mut().zip(x) {
        *sum += u64::from(limb) * u64::from(k);
    }
}

/// [`mul_add`] for the whole groups of eight limbs of `x`; returns what is left of `t` and `x`.
/// `u64x2.extmul_{low,high}_u32x4` multiply 32-bit lanes into 64-bit ones (one `pmuludq` each
/// on x86-64). Compiled for wasm32 only, so mutation testing (native) leaves it out; every
/// verification of the JS tests runs it on every row length.
///
/// The vectors are built lane by lane: `v128_load` would read each in one instruction (about
/// 6 % faster per verification, measured) but takes a raw pointer, and the crate has no unsafe
/// code. The shape of this loop was measured, not guessed: writing the same sums with direct
/// array indexing made LLVM split the loads and turn two of the four `extmul`s back into
/// emulated `i64x2.mul`s (193 instead of 170 µs per verification).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn mul_add_octets<'t, 'x>(t: &'t mut [u64], x: &'x [u32], k: u32) -> (&'t mut [u64], &'x [u32]) {
    use core::arch::wasm32::{
        i64x2_add, u32x4, u32x4_splat, u64x2, u64x2_extmul_high_u32x4, u64x2_extmul_low_u32x4,
        u64x2_extract_lane,
    };
    let lanes = |x: &[u32; 4]| u32x4(x[0], x[1], x[2], x[3]);
    let pair = |sums: &[u64]| {
        let sums: &[u64; 2] = sums.first_chunk().unwrap_or(&[0; 2]);
        u64x2(sums[0], sums[1])
    };
    let k4 = u32x4_splat(k);
    let (x_octs, _) = x.as_chunks::<8>();
    let (t_octs, _) = t.as_chunks_mut::<8>();
    let mut t_octs = t_octs.iter_mut();
    let mut done = 0;
    for oct in x_octs {
        let Some(octet) = t_octs.next() else {
            break;
        };
        let (x_low, x_high) = oct.split_at(4);
        let (Some(x_low), Some(x_high)) = (x_low.first_chunk(), x_high.first_chunk()) else {
            break;
        };
        let (xa, xb) = (lanes(x_low), lanes(x_high));
        // Opaque to the optimizer: LLVM would otherwise hoist the widening of the invariant
        // `k4` out of the loop and multiply 64-bit lanes (`i64x2.mul`, emulated on x86-64)
        // instead of emitting `extmul` (one `pmuludq`).
        let k4 = core::hint::black_box(k4);
        let (s01, rest) = octet.split_at_mut(2);
        let (s23, rest) = rest.split_at_mut(2);
        let (s45, s67) = rest.split_at_mut(2);
        let p01 = i64x2_add(pair(s01), u64x2_extmul_low_u32x4(xa, k4));
        let p23 = i64x2_add(pair(s23), u64x2_extmul_high_u32x4(xa, k4));
        let p45 = i64x2_add(pair(s45), u64x2_extmul_low_u32x4(xb, k4));
        let p67 = i64x2_add(pair(s67), u64x2_extmul_high_u32x4(xb, k4));
        *octet = [
            u64x2_extract_lane::<0>(p01),
            u64x2_extract_lane::<1>(p01),
            u64x2_extract_lane::<0>(p23),
            u64x2_extract_lane::<1>(p23),
            u64x2_extract_lane::<0>(p45),
            u64x2_extract_lane::<1>(p45),
            u64x2_extract_lane::<0>(p67),
            u64x2_extract_lane::<1>(p67),
        ];
        done += 8;
    }
    (
        t.get_mut(done..).unwrap_or_default(),
        x.get(done..).unwrap_or_default(),
    )
}

/// Little-endian 27-bit limbs of the big-endian `bytes`, `limbs` limbs long; `None` if it does
/// not fit.
fn from_be(bytes: &[u8], limbs: usize) -> Option<Vec<u32>> {
    let mut out = Vec::with_capacity(limbs);
    let mut acc: u64 = 0;
    let mut acc_bits = 0;
    for &byte in bytes.iter().rev() {
        // The bits at and above `acc_bits` are zero: adding places the byte above them.
        acc += u64::from(byte) << acc_bits;
        acc_bits += 8;
        if acc_bits >= BITS {
            out.push((acc & MASK) as u32);
            acc >>= BITS;
            acc_bits -= BITS;
        }
    }
    if acc != 0 {
        out.push(acc as u32);
    }
    if out.len() > limbs {
        return None;
    }
    out.resize(limbs, 0);
    Some(out)
}

/// The low `len` bytes of the value of `limbs` (below 2^(8·len)), big-endian.
fn to_be(limbs: &[u32], len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    let mut acc: u64 = 0;
    let mut acc_bits = 0;
    for &limb in limbs {
        // The bits at and above `acc_bits` are zero: adding places the limb above them.
        acc += u64::from(limb) << acc_bits;
        acc_bits += BITS;
        while acc_bits >= 8 && out.len() < len {
            out.push(acc as u8);
            acc >>= 8;
            acc_bits -= 8;
        }
    }
    // Only short when given fewer limbs than `len` bytes need (27·L ≥ 8·len for the modulus's
    // L): the missing high bytes are zero.
    out.resize(len, 0);
    out.reverse();
    out
}

/// `a < b` for equal-length little-endian limbs (compared from the most significant one).
fn less_than(a: &[u32], b: &[u32]) -> bool {
    a.iter().rev().lt(b.iter().rev())
}

/// `a -= b` modulo `2^(27·len)` (equal lengths, limbs below 2^27).
fn sub_assign(a: &mut [u32], b: &[u32]) {
    let mut borrow = 0;
    for (x, y) in a.iter_mut().zip(b) {
        // x < 2^27: adding 2^27 lends the borrow that may be needed.
        let difference = (*x + (1 << BITS)) - y - borrow;
        *x = difference & MASK as u32;
        borrow = 1 - (difference >> BITS);
    }
}

#[cfg(test)]
mod tests {
    use super::super::{PublicModulus, random};
    use super::*;

    /// The same results as the CIOS code on 64-bit limbs (which the Wycheproof vectors and the
    /// differential test against the `rsa` crate check): random odd moduli of every length from
    /// 1 to 1,030 bytes in steps (every limb and byte alignment), several exponents, values below
    /// the modulus (among them n − 1 and small ones) and the modulus itself.
    #[test]
    fn agrees_with_the_64_bit_limbs() {
        let mut next = random(0x636f_6c75_6d6e);
        let mut compared = 0;
        for len in (1..=300).chain([384, 512, 513, 768, 1024, 1030]) {
            let mut n: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            n[0] |= 0x80 >> (next() % 8);
            n[len - 1] |= 1;
            for e in [1, 2, 3, 65_537, (next() % (1 << 33)).max(2)] {
                let (Some(lazy), Some(cios)) = (LazyModulus::new(&n, e), PublicModulus::new(&n, e))
                else {
                    assert!(len == 1 && n[0] < 3, "modulus refused");
                    continue;
                };
                assert_eq!(lazy.len(), cios.len());
                for round in 0..5 {
                    let mut s: Vec<u8> = (0..len).map(|_| next() as u8).collect();
                    match round {
                        0 => s[0] = 0,
                        1 => {
                            s.clone_from(&n);
                            s[len - 1] -= 1;
                        }
                        2 => {
                            s.fill(0);
                            s[len - 1] = 2;
                        }
                        3 => s.clone_from(&n),
                        _ => s[0] %= n[0],
                    }
                    assert_eq!(
                        lazy.public_op(&s),
                        cios.public_op(&s),
                        "n={n:02x?} e={e} s={s:02x?}"
                    );
                    compared += 1;
                }
                assert_eq!(lazy.public_op(&n[1..]), None, "a short signature");
            }
        }
        assert!(compared > 7_000, "{compared}");
    }

    #[test]
    fn refuses_even_and_trivial_moduli() {
        assert!(LazyModulus::new(&[0, 0, 4], 3).is_none());
        assert!(LazyModulus::new(&[1], 3).is_none());
        assert!(LazyModulus::new(&[], 3).is_none());
        assert!(LazyModulus::new(&[7], 0).is_none());
        assert!(LazyModulus::new(&[0, 7], 3).is_some_and(|m| m.len() == 1));
    }

    /// The limb conversions round-trip at every byte length.
    #[test]
    fn limbs_round_trip() {
        let mut next = random(7);
        for len in 0..80usize {
            let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            let limbs = (8 * len).div_ceil(BITS as usize);
            let Some(value) = from_be(&bytes, limbs) else {
                panic!("{len} bytes do not fit {limbs} limbs");
            };
            assert!(value.iter().all(|l| u64::from(*l) <= MASK));
            assert_eq!(to_be(&value, len), bytes);
            let bits = bytes
                .iter()
                .position(|b| *b != 0)
                .map_or(0, |i| 8 * (len - i) - bytes[i].leading_zeros() as usize);
            if limbs > 0 {
                let fits = bits <= BITS as usize * (limbs - 1);
                assert_eq!(from_be(&bytes, limbs - 1).is_some(), fits, "{bytes:02x?}");
            }
        }
    }
}
