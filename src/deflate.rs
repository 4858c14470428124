//! A small raw DEFLATE encoder (RFC 1951) for the HTTP-Redirect binding's outgoing messages.
//!
//! One block with the fixed Huffman codes (§3.2.6) and greedy LZ77 matches, found through a
//! hash of the next three bytes that remembers the last position of each hash (no chains).
//! An AuthnRequest or LogoutRequest shrinks to about half, close enough to zlib's dynamic
//! codes for a few hundred bytes of XML, for a fraction of a general-purpose compressor's
//! code size in the `.wasm` (miniz_oxide's encoder was 8 KB of it, gzipped).
//!
//! It only *writes* DEFLATE, from our own messages; reading hostile DEFLATE stays with
//! miniz_oxide's decoder ([`crate::encoding::inflate_raw`]). Time and memory are linear in
//! the input: each position is hashed once and each match is compared at most 258 bytes.

/// How far back a match may reach (RFC 1951 §2: 32 KiB window).
const WINDOW: usize = 32 * 1024;
/// The shortest and longest match DEFLATE can express.
const MIN_MATCH: usize = 3;
const MAX_MATCH: usize = 258;
/// The hash table has 2^HASH_BITS entries.
const HASH_BITS: u32 = 13;
/// The end-of-block symbol.
const END_OF_BLOCK: u32 = 256;

/// Match lengths: the base length of symbols 257..=285 and their extra bits (§3.2.5).
const LENGTH_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LENGTH_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
/// Match distances: the base distance of symbols 0..=29 and their extra bits (§3.2.5).
const DISTANCE_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DISTANCE_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];

/// Compresses `data` into one final fixed-Huffman DEFLATE block (no zlib header).
pub(crate) fn deflate_raw(data: &[u8]) -> Vec<u8> {
    let mut out = BitWriter::with_capacity(data.len() / 2 + 16);
    out.bits(1, 1); // BFINAL: the only block
    out.bits(1, 2); // BTYPE 01: fixed Huffman codes
    let mut last_seen = vec![usize::MAX; 1 << HASH_BITS];
    let mut pos = 0;
    while pos < data.len() {
        let here = data.get(pos..).unwrap_or_default();
        let found = hash_at(data, pos).and_then(|hash| {
            let candidate = core::mem::replace(last_seen.get_mut(hash)?, pos);
            let distance = pos.checked_sub(candidate).filter(|d| *d <= WINDOW)?;
            let length = common_prefix(data.get(candidate..)?, here);
            (length >= MIN_MATCH).then_some((length, distance))
        });
        match found {
            Some((length, distance)) => {
                out.length_and_distance(length, distance);
                for skipped in pos + 1..pos + length {
                    if let Some(slot) = hash_at(data, skipped).and_then(|h| last_seen.get_mut(h)) {
                        *slot = skipped;
                    }
                }
                pos += length;
            }
            None => {
                out.literal_or_length(here.first().copied().map_or(0, u32::from));
                pos += 1;
            }
        }
    }
    out.literal_or_length(END_OF_BLOCK);
    out.finish()
}

/// The hash of the three bytes at `pos`, if there are three.
fn hash_at(data: &[u8], pos: usize) -> Option<usize> {
    let [a, b, c] = *data.get(pos..)?.first_chunk::<MIN_MATCH>()?;
    let key = u32::from_le_bytes([a, b, c, 0]);
    Some((key.wrapping_mul(0x9E37_79B1) >> (32 - HASH_BITS)) as usize)
}

/// How many leading bytes `earlier` and `here` share, at most [`MAX_MATCH`].
fn common_prefix(earlier: &[u8], here: &[u8]) -> usize {
    earlier
        .iter()
        .zip(here)
        .take(MAX_MATCH)
        .take_while(|(a, b)| a == b)
        .count()
}

/// The symbol of `value` in a length or distance table: the index of the last base at most
/// `value`, its base and its number of extra bits.
fn symbol(bases: &[u16], extra: &[u8], value: usize) -> (u32, u32, u32) {
    let index = bases
        .iter()
        .rposition(|base| usize::from(*base) <= value)
        .unwrap_or(0);
    let base = bases.get(index).map_or(0, |b| usize::from(*b));
    let extra_bits = extra.get(index).map_or(0, |e| u32::from(*e));
    (index as u32, (value - base) as u32, extra_bits)
}

/// DEFLATE's bit order: values least-significant bit first, Huffman codes most-significant
/// bit first, packed into bytes from their low bit.
struct BitWriter {
    out: Vec<u8>,
    pending: u64,
    pending_bits: u32,
}

impl BitWriter {
    fn with_capacity(capacity: usize) -> Self {
        BitWriter {
            out: Vec::with_capacity(capacity),
            pending: 0,
            pending_bits: 0,
        }
    }

    /// Appends the low `count` bits of `value` (at most 24), least-significant first.
    fn bits(&mut self, value: u32, count: u32) {
        self.pending |= u64::from(value) << self.pending_bits;
        self.pending_bits += count;
        while self.pending_bits >= 8 {
            self.out.push(self.pending as u8);
            self.pending >>= 8;
            self.pending_bits -= 8;
        }
    }

    /// Appends a `len`-bit Huffman code, most-significant bit first.
    fn code(&mut self, code: u32, len: u32) {
        self.bits(code.reverse_bits() >> (32 - len), len);
    }

    /// A literal byte (0–255), the end of block (256) or a length symbol (257–285), in the
    /// fixed literal/length code (§3.2.6).
    fn literal_or_length(&mut self, symbol: u32) {
        match symbol {
            0..=143 => self.code(0x30 + symbol, 8),
            144..=255 => self.code(0x190 + symbol - 144, 9),
            256..=279 => self.code(symbol - 256, 7),
            _ => self.code(0xC0 + symbol - 280, 8),
        }
    }

    /// A back-reference: the length symbol and extra bits, then the distance (5-bit fixed
    /// code) and its extra bits.
    fn length_and_distance(&mut self, length: usize, distance: usize) {
        let (index, offset, extra_bits) = symbol(&LENGTH_BASE, &LENGTH_EXTRA, length);
        self.literal_or_length(257 + index);
        self.bits(offset, extra_bits);
        let (index, offset, extra_bits) = symbol(&DISTANCE_BASE, &DISTANCE_EXTRA, distance);
        self.code(index, 5);
        self.bits(offset, extra_bits);
    }

    /// The bytes written, the last one padded with zero bits.
    fn finish(mut self) -> Vec<u8> {
        if self.pending_bits > 0 {
            self.out.push(self.pending as u8);
        }
        self.out
    }
}

#[cfg(all(test, feature = "inflate"))]
mod tests {
    use super::deflate_raw;
    use crate::encoding::inflate_raw;

    /// A deterministic byte generator (xorshift), for inputs no one chose by hand.
    fn noise(seed: u64, len: usize, alphabet: u8) -> Vec<u8> {
        let mut state = seed | 1;
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state % u64::from(alphabet)) as u8
            })
            .collect()
    }

    fn round_trip(data: &[u8]) {
        let packed = deflate_raw(data);
        let unpacked = inflate_raw(&packed, data.len().max(1)).expect("inflates");
        assert!(unpacked == data, "round trip of {} bytes", data.len());
    }

    #[test]
    fn inflates_back_to_the_input() {
        round_trip(b"");
        round_trip(b"a");
        round_trip(b"ab");
        round_trip(b"abcabcabcabc");
        round_trip(&[0xff; 1000]);
        round_trip(&(0..=255).collect::<Vec<u8>>());
        for (seed, len, alphabet) in [(1, 10, 2), (2, 5000, 3), (3, 70_000, 255), (4, 100_000, 4)] {
            round_trip(&noise(seed, len, alphabet));
        }
        // Every match length 3..=258 and distances across the whole 32 KiB window.
        let mut data = noise(5, 40_000, 255);
        for length in 3..=300 {
            let start = data.len() - (length * 97) % 32_000 - length;
            let copy = data[start..start + length].to_vec();
            data.extend_from_slice(&copy);
            data.push(0);
        }
        round_trip(&data);
        // A repeat just beyond the window cannot be referenced and must come out as literals.
        let block = noise(6, 300, 255);
        let mut far = block.clone();
        far.extend(noise(7, 32 * 1024, 255));
        far.extend_from_slice(&block);
        round_trip(&far);
    }

    #[test]
    fn xml_shrinks() {
        let xml = br#"<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a1b2c3d4e5f60718293a4b5c6d7e8f90" Version="2.0" IssueInstant="2026-12-07T10:00:00Z" Destination="https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/saml2" AssertionConsumerServiceURL="https://app.example.com/saml/acs" ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"><saml:Issuer>https://app.example.com/saml/metadata</saml:Issuer><samlp:NameIDPolicy Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress" AllowCreate="true"/></samlp:AuthnRequest>"#;
        let packed = deflate_raw(xml);
        assert!(
            packed.len() * 10 < xml.len() * 7,
            "{} -> {} bytes",
            xml.len(),
            packed.len()
        );
        round_trip(xml);
    }

    #[test]
    fn long_runs_stay_small() {
        let packed = deflate_raw(&[b'A'; 1_000_000]);
        assert!(packed.len() < 1_000_000 / 100, "{} bytes", packed.len());
        assert_eq!(
            inflate_raw(&packed, 1_000_000).map(|v| v.len()).ok(),
            Some(1_000_000)
        );
    }
}
