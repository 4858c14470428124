// The body of src/crypto/modexp.rs, written against the `Limb` and `Wide` types of the module
// that includes it (the target's limbs; the tests include it a second time with 32-bit limbs).

const LIMB_BYTES: usize = core::mem::size_of::<Limb>();
const LIMB_BITS: u32 = Limb::BITS;

/// An odd RSA modulus > 1 with its public exponent and Montgomery parameters.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct PublicModulus {
    /// The modulus, little-endian limbs; the top limb is non-zero.
    n: Box<[Limb]>,
    /// `-n^-1 mod 2^LIMB_BITS`.
    n0: Limb,
    /// `R^2 mod n` with `R = 2^(LIMB_BITS * n.len())`.
    r2: Box<[Limb]>,
    /// The public exponent (the `rsa` crate bounds it to `2 ..= 2^33 - 1`).
    e: u64,
    /// The modulus length in bytes (every signature has exactly this length).
    len: usize,
}

impl PublicModulus {
    /// Precomputes the parameters for modulus `n_be` (big-endian, leading zeros allowed) and
    /// exponent `e`. `None` when `n` is even or `< 3`, or `e` is 0.
    pub(crate) fn new(n_be: &[u8], e: u64) -> Option<Self> {
        let start = n_be.iter().position(|b| *b != 0)?;
        let n_be = n_be.get(start..)?;
        let len = n_be.len();
        let limbs = len.div_ceil(LIMB_BYTES);
        let n = from_be(n_be, limbs)?;
        let n_low = *n.first()?;
        if n_low & 1 == 0 || (limbs == 1 && n_low < 3) || e == 0 {
            return None;
        }
        // n^-1 mod 2^LIMB_BITS: the low bits of the inverse mod 2^64. (The conversions are
        // no-ops for 64-bit limbs; this text is also compiled for the tests' 32-bit ones.)
        #[allow(clippy::useless_conversion, clippy::unnecessary_cast)]
        let inv = crate::crypto::modexp::inverse_mod_2_64(u64::from(n_low)) as Limb;
        let mut modulus = PublicModulus {
            n: n.into_boxed_slice(),
            n0: inv.wrapping_neg(),
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

    /// `signature^e mod n` as exactly [`PublicModulus::len`] big-endian bytes (RSAVP1 and
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
        let result = crate::crypto::modexp::exponentiate(self, s, self.e);
        Some(to_be(&result, self.len))
    }

    /// `R^2 mod n`: `R mod n` by doubling from the largest power of two below `n`, then
    /// `R·2^m mod n` by `m` more doublings and `j` Montgomery squarings, each of which maps
    /// `R·2^a` to `R·2^(2a)`, where `LIMB_BITS·limbs = m·2^j` with `m` odd.
    fn r_squared(&self) -> Vec<Limb> {
        let limbs = self.n.len();
        let total_bits = LIMB_BITS as usize * limbs;
        let n_bits = total_bits - self.n.last().map_or(0, |top| top.leading_zeros() as usize);
        let mut x = vec![0; limbs];
        let top_bit = n_bits - 1;
        if let Some(limb) = x.get_mut(top_bit / LIMB_BITS as usize) {
            *limb = 1 << (top_bit % LIMB_BITS as usize);
        }
        // 2^(n_bits - 1) < n; double up to 2^total_bits = R.
        for _ in top_bit..total_bits {
            self.double(&mut x);
        }
        let squarings = total_bits.trailing_zeros();
        for _ in 0..(total_bits >> squarings) {
            self.double(&mut x);
        }
        let mut scratch = vec![0; 2 * (limbs + 1)];
        let mut tmp = vec![0; limbs];
        for _ in 0..squarings {
            self.mont_sqr(&x, &mut tmp, &mut scratch);
            core::mem::swap(&mut x, &mut tmp);
        }
        x
    }

    /// `x = 2x mod n` for `x < n`.
    fn double(&self, x: &mut [Limb]) {
        let mut carry: Limb = 0;
        for limb in x.iter_mut() {
            let next = *limb >> (LIMB_BITS - 1);
            *limb = (*limb << 1) | carry;
            carry = next;
        }
        if carry != 0 || !less_than(x, &self.n) {
            sub_assign(x, &self.n);
        }
    }

    /// `out = a²·R^-1 mod n` for `a < n`: the square (each cross product computed once, then
    /// doubled, plus the diagonal), then Montgomery reduction (REDC). About 3/4 of the
    /// multiplications of [`PublicModulus::mont_mul`]. `scratch` has at least `2·limbs` limbs.
    fn mont_sqr(&self, a: &[Limb], out: &mut [Limb], scratch: &mut [Limb]) {
        let n = &self.n;
        let limbs = n.len();
        let Some(p) = scratch.get_mut(..2 * limbs) else {
            return;
        };
        p.fill(0);
        // Cross products a[i]·a[j], j > i, into p[i + j]; row i ends with its carry in p[i + l].
        for (i, &ai) in a.iter().enumerate() {
            let (Some(src), Some(dst)) = (a.get(i + 1..), p.get_mut(2 * i + 1..=i + limbs)) else {
                continue;
            };
            let Some((top, row)) = dst.split_last_mut() else {
                continue;
            };
            *top = mul_add_row(row, src, ai);
        }
        // Double, and add the squares a[i]² at p[2i], p[2i + 1].
        let mut shift_in: Limb = 0;
        let mut carry: Limb = 0;
        for (pair, &ai) in p.chunks_exact_mut(2).zip(a) {
            let [lo, hi] = pair else {
                return;
            };
            let square = mul_wide(ai, ai);
            let doubled_lo = (*lo << 1) | shift_in;
            let doubled_hi = (*hi << 1) | (*lo >> (LIMB_BITS - 1));
            shift_in = *hi >> (LIMB_BITS - 1);
            let s = Wide::from(doubled_lo) + Wide::from(square as Limb) + Wide::from(carry);
            *lo = s as Limb;
            let s2 = Wide::from(doubled_hi) + (square >> LIMB_BITS) + (s >> LIMB_BITS);
            *hi = s2 as Limb;
            carry = (s2 >> LIMB_BITS) as Limb;
        }
        // REDC: zero the low limbs one by one, adding m·n; `extra` is the carry out of p[i + l].
        let mut extra: Limb = 0;
        for i in 0..limbs {
            let Some(window) = p.get_mut(i..=i + limbs) else {
                return;
            };
            let Some((top, row)) = window.split_last_mut() else {
                return;
            };
            let m = row.first().map_or(0, |low| low.wrapping_mul(self.n0));
            let c = mul_add_row(row, n, m);
            let s = Wide::from(*top) + Wide::from(c) + Wide::from(extra);
            *top = s as Limb;
            extra = (s >> LIMB_BITS) as Limb;
        }
        // The result p[l..2l] (+ extra·R) is below 2n: one conditional subtraction.
        let Some(high) = p.get(limbs..) else {
            return;
        };
        out.copy_from_slice(high);
        if extra != 0 || !less_than(out, n) {
            sub_assign(out, n);
        }
    }

    /// `out = a·b·R^-1 mod n` for `a, b < n` (fused CIOS). `a`, `b` and `out` have the
    /// modulus's number of limbs, `scratch` `2·(limbs + 1)`.
    ///
    /// Each round reads the running sum from one half of `scratch` and writes it, shifted down
    /// one limb, into the other: the inner loop is then a zip of plain slices, without bounds
    /// checks or a carried pointer.
    fn mont_mul(&self, a: &[Limb], b: &[Limb], out: &mut [Limb], scratch: &mut [Limb]) {
        let n = &self.n;
        let limbs = n.len();
        let (Some((&a0, a_rest)), Some((&n_0, n_rest))) = (a.split_first(), n.split_first()) else {
            return;
        };
        scratch.fill(0);
        let (mut cur, mut next) = scratch.split_at_mut(limbs + 1);
        for &bi in b {
            let (Some((&t0, t_rest)), Some((next_top, next_low))) =
                (cur.split_first(), next.split_last_mut())
            else {
                return;
            };
            let (Some((&t_top, t_mid)), Some((next_hi, next_mid))) =
                (t_rest.split_last(), next_low.split_last_mut())
            else {
                return;
            };
            let s = Wide::from(t0) + mul_wide(a0, bi);
            let mut c1 = (s >> LIMB_BITS) as Limb;
            let u0 = s as Limb;
            let m = u0.wrapping_mul(self.n0);
            // u0 + m·n0 ≡ 0 mod 2^LIMB_BITS by the choice of m: only its carry is kept.
            let mut c2 = ((Wide::from(u0) + mul_wide(m, n_0)) >> LIMB_BITS) as Limb;
            // next[j-1] = t[j] + a[j]·b[i] + m·n[j] + carries, for j = 1 .. limbs - 1.
            for (((&aj, &nj), &tj), dst) in a_rest.iter().zip(n_rest).zip(t_mid).zip(next_mid) {
                let s = Wide::from(tj) + mul_wide(aj, bi) + Wide::from(c1);
                c1 = (s >> LIMB_BITS) as Limb;
                let s2 = Wide::from(s as Limb) + mul_wide(m, nj) + Wide::from(c2);
                c2 = (s2 >> LIMB_BITS) as Limb;
                *dst = s2 as Limb;
            }
            let s = Wide::from(t_top) + Wide::from(c1) + Wide::from(c2);
            *next_hi = s as Limb;
            *next_top = (s >> LIMB_BITS) as Limb;
            core::mem::swap(&mut cur, &mut next);
        }
        // t < 2n: one conditional subtraction makes it < n.
        let Some((&top, low)) = cur.split_last() else {
            return;
        };
        out.copy_from_slice(low);
        if top != 0 || !less_than(out, n) {
            sub_assign(out, n);
        }
    }
}

impl crate::crypto::modexp::Montgomery for PublicModulus {
    type Limb = Limb;
    type Scratch = Vec<Limb>;

    fn limbs(&self) -> usize {
        self.n.len()
    }

    fn r_squared_mod_n(&self) -> &[Limb] {
        &self.r2
    }

    fn scratch(&self) -> Vec<Limb> {
        vec![0; 2 * (self.n.len() + 1)]
    }

    fn mont_mul(&self, a: &[Limb], b: &[Limb], out: &mut [Limb], scratch: &mut Vec<Limb>) {
        PublicModulus::mont_mul(self, a, b, out, scratch);
    }

    fn mont_sqr(&self, a: &[Limb], out: &mut [Limb], scratch: &mut Vec<Limb>) {
        PublicModulus::mont_sqr(self, a, out, scratch);
    }
}

/// Little-endian limbs of the big-endian `bytes`, `limbs` limbs long; `None` if it does not fit.
fn from_be(bytes: &[u8], limbs: usize) -> Option<Vec<Limb>> {
    if bytes.len() > limbs * LIMB_BYTES {
        return None;
    }
    let mut out = vec![0; limbs];
    for (limb, chunk) in out.iter_mut().zip(bytes.rchunks(LIMB_BYTES)) {
        *limb = chunk
            .iter()
            .fold(0, |acc, byte| (acc << 8) | Limb::from(*byte));
    }
    Some(out)
}

/// The low `len` bytes of `limbs`, big-endian.
fn to_be(limbs: &[Limb], len: usize) -> Vec<u8> {
    let mut out = vec![0; len];
    for (i, byte) in out.iter_mut().rev().enumerate() {
        let limb = limbs.get(i / LIMB_BYTES).copied().unwrap_or(0);
        *byte = (limb >> (8 * (i % LIMB_BYTES))) as u8;
    }
    out
}

/// `dst += src·k` over `src.len()` limbs; returns the carry out of the last one.
fn mul_add_row(dst: &mut [Limb], src: &[Limb], k: Limb) -> Limb {
    let mut carry: Limb = 0;
    for (d, &s) in dst.iter_mut().zip(src) {
        let t = Wide::from(*d) + mul_wide(s, k) + Wide::from(carry);
        *d = t as Limb;
        carry = (t >> LIMB_BITS) as Limb;
    }
    carry
}

/// `a < b` for equal-length little-endian numbers.
fn less_than(a: &[Limb], b: &[Limb]) -> bool {
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x != y {
            return x < y;
        }
    }
    false
}

/// `a -= b` modulo `2^(LIMB_BITS·len)` (equal lengths).
fn sub_assign(a: &mut [Limb], b: &[Limb]) {
    let mut borrow = false;
    for (x, y) in a.iter_mut().zip(b) {
        let (d1, b1) = x.overflowing_sub(*y);
        let (d2, b2) = d1.overflowing_sub(Limb::from(borrow));
        *x = d2;
        borrow = b1 || b2;
    }
}
