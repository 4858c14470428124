//! Byte tests on eight bytes at a time ("SIMD within a register"). The npm build is wasm32 at
//! opt-level "s" without the vector extension, where a byte-by-byte scan of a whole document
//! costs several percent of a verification; these tests let a scan skip, a word at a time, the
//! stretches that cannot hold what it looks for. They say whether a word holds such a byte,
//! exactly, but not which byte: callers look at the bytes of a word that answers `true`.

const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);

/// True when some byte of `word` is below `n` (`n` ≤ 0x80).
///
/// The lowest such byte borrows from no byte below it, so its difference with `n` sets its
/// high bit, which `!word` keeps (the byte is below 0x80); bytes at or above `n` and below
/// 0x80 leave their high bit clear, and bytes from 0x80 up are cleared by `!word`. A borrow
/// can only set high bits above a byte that is already below `n`.
pub(crate) fn has_byte_below(word: [u8; 8], n: u8) -> bool {
    let w = u64::from_ne_bytes(word);
    w.wrapping_sub(ONES * u64::from(n)) & !w & HIGHS != 0
}

/// True when some byte of `word` equals `byte`.
pub(crate) fn has_byte(word: [u8; 8], byte: u8) -> bool {
    has_byte_below(
        (u64::from_ne_bytes(word) ^ (ONES * u64::from(byte))).to_ne_bytes(),
        1,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against the byte-by-byte answer: every byte value at every position, alone and with a
    /// neighbour below it (the case where a borrow runs).
    #[test]
    fn agree_with_the_bytes() {
        let bounds = [0u8, 1, 0x0a, 0x20, 0x21, 0x7f, 0x80];
        let neighbours = [0x00, 0x09, 0x1f, 0x41, 0x7f, 0x80, 0xef, 0xff];
        for position in 0..8 {
            for value in 0..=255u8 {
                for neighbour in neighbours {
                    let mut word = [0x41u8; 8];
                    word[position] = value;
                    if position > 0 {
                        word[position - 1] = neighbour;
                    }
                    for n in bounds {
                        let expected = word.iter().any(|&b| b < n);
                        assert_eq!(has_byte_below(word, n), expected, "{word:02x?} < {n:#x}");
                    }
                    for byte in [0x00, 0x0a, 0x20, 0x3c, 0xef, 0xff] {
                        let expected = word.contains(&byte);
                        assert_eq!(has_byte(word, byte), expected, "{word:02x?} == {byte:#x}");
                    }
                }
            }
        }
    }
}
