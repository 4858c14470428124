//! A minimal DER reader: just enough to walk an X.509 certificate to its validity, subject and
//! public key, and a PKCS#1 / PKCS#8 RSA private key to its integers.
//!
//! Written out instead of using a generic ASN.1 framework because, compiled to WebAssembly, a
//! framework instantiates its decoder once per type (about 25 KB for the certificate types
//! alone), and these few fixed paths need none of that. It is strict where that is cheap:
//! definite lengths only (BER indefinite length refused), lengths within the input, no data
//! after the last element a caller expects.

/// Universal tags used here.
pub(crate) const INTEGER: u8 = 0x02;
pub(crate) const BIT_STRING: u8 = 0x03;
pub(crate) const OCTET_STRING: u8 = 0x04;
pub(crate) const NULL: u8 = 0x05;
pub(crate) const OID: u8 = 0x06;
pub(crate) const UTF8_STRING: u8 = 0x0C;
pub(crate) const PRINTABLE_STRING: u8 = 0x13;
pub(crate) const TELETEX_STRING: u8 = 0x14;
pub(crate) const IA5_STRING: u8 = 0x16;
pub(crate) const UTC_TIME: u8 = 0x17;
pub(crate) const GENERALIZED_TIME: u8 = 0x18;
pub(crate) const SEQUENCE: u8 = 0x30;
pub(crate) const SET: u8 = 0x31;

/// One element: its tag, its content octets and all its octets (header included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tlv<'a> {
    pub(crate) tag: u8,
    pub(crate) content: &'a [u8],
    pub(crate) whole: &'a [u8],
}

/// Reads elements one after the other from a byte string.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(input: &'a [u8]) -> Self {
        Reader { rest: input }
    }

    /// What has not been read yet.
    pub(crate) fn rest(&self) -> &'a [u8] {
        self.rest
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The next element (single-byte tags only: every tag X.509 and PKCS use here is one).
    pub(crate) fn next(&mut self) -> Option<Tlv<'a>> {
        let input = self.rest;
        let (&tag, after_tag) = input.split_first()?;
        if tag & 0x1F == 0x1F {
            return None; // multi-byte tag numbers
        }
        let (&first, after_first) = after_tag.split_first()?;
        let (len, after_len) = if first < 0x80 {
            (usize::from(first), after_first)
        } else {
            let count = usize::from(first & 0x7F);
            if count == 0 || count > 4 {
                return None; // indefinite length, or absurdly long
            }
            let (bytes, after) = after_first.split_at_checked(count)?;
            let len = bytes
                .iter()
                .fold(0usize, |acc, b| (acc << 8) + usize::from(*b));
            (len, after)
        };
        let (content, rest) = after_len.split_at_checked(len)?;
        let header = input.len().checked_sub(after_len.len())?;
        let whole = input.get(..header.checked_add(len)?)?;
        self.rest = rest;
        Some(Tlv {
            tag,
            content,
            whole,
        })
    }

    /// The next element, which must have `tag`.
    pub(crate) fn next_with_tag(&mut self, tag: u8) -> Option<Tlv<'a>> {
        self.next().filter(|tlv| tlv.tag == tag)
    }

    /// The next element if it has `tag`; otherwise nothing is consumed.
    pub(crate) fn optional(&mut self, tag: u8) -> Option<Tlv<'a>> {
        let mut peek = self.clone();
        let tlv = peek.next().filter(|tlv| tlv.tag == tag)?;
        *self = peek;
        Some(tlv)
    }
}

/// The content of an INTEGER as a big-endian unsigned magnitude (leading zero bytes removed);
/// `None` for a negative or empty integer.
pub(crate) fn unsigned(content: &[u8]) -> Option<&[u8]> {
    if content.first().is_none_or(|b| b & 0x80 != 0) {
        return None;
    }
    let start = content
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(content.len());
    content.get(start..)
}

/// The dotted form of an OBJECT IDENTIFIER's content (`1.2.840.113549.1.1.1`).
pub(crate) fn oid_string(content: &[u8]) -> Option<String> {
    let mut arcs: Vec<u64> = Vec::new();
    let mut value: u64 = 0;
    let mut pending = false;
    for &byte in content {
        if value > (u64::MAX >> 7) {
            return None;
        }
        value = (value << 7) + u64::from(byte & 0x7F);
        pending = byte & 0x80 != 0;
        if !pending {
            if arcs.is_empty() {
                let first = (value / 40).min(2);
                arcs.push(first);
                arcs.push(value - first * 40);
            } else {
                arcs.push(value);
            }
            value = 0;
        }
    }
    if pending || arcs.is_empty() {
        return None;
    }
    let parts: Vec<String> = arcs.iter().map(u64::to_string).collect();
    Some(parts.join("."))
}

/// Seconds since 1970 of a UTCTime (`YYMMDDHHMMSSZ`, years 1950–2049) or GeneralizedTime
/// (`YYYYMMDDHHMMSSZ`), the two forms RFC 5280 allows for certificate validity.
pub(crate) fn time(tlv: &Tlv<'_>) -> Option<i64> {
    let text = core::str::from_utf8(tlv.content).ok()?;
    let digits = text.strip_suffix('Z')?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let number =
        |range: core::ops::Range<usize>| -> Option<i64> { digits.get(range)?.parse().ok() };
    let (year, rest) = match (tlv.tag, digits.len()) {
        (UTC_TIME, 12) => {
            let yy = number(0..2)?;
            (if yy < 50 { 2000 + yy } else { 1900 + yy }, 2)
        }
        (GENERALIZED_TIME, 14) => (number(0..4)?, 4),
        _ => return None,
    };
    let month = number(rest..rest + 2)?;
    let day = number(rest + 2..rest + 4)?;
    let hour = number(rest + 4..rest + 6)?;
    let minute = number(rest + 6..rest + 8)?;
    let second = number(rest + 8..rest + 10)?;
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hour * 3_600 + minute * 60 + second)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_short_long_and_refused() {
        let mut r = Reader::new(&[0x04, 0x02, 0xAA, 0xBB, 0x05, 0x00]);
        let a = r.next().unwrap();
        assert_eq!(
            (a.tag, a.content, a.whole.len()),
            (OCTET_STRING, &[0xAA, 0xBB][..], 4)
        );
        assert_eq!(r.next_with_tag(NULL).map(|t| t.content.len()), Some(0));
        assert!(r.is_empty() && r.next().is_none());
        let mut long = vec![0x04, 0x81, 0x80];
        long.extend([7u8; 128]);
        assert_eq!(
            Reader::new(&long).next().map(|t| t.content.len()),
            Some(128)
        );
        for bad in [
            &[0x04, 0x80, 0x00, 0x00][..],
            &[0x04, 0x03, 0x00],
            &[0x1F, 0x01, 0x00],
            &[0x04, 0x85, 1, 1, 1, 1, 1],
        ] {
            assert!(Reader::new(bad).next().is_none(), "{bad:?}");
        }
        // 0x80 is the indefinite length, never a short length of 128.
        let mut indefinite = vec![0x04, 0x80];
        indefinite.extend([7u8; 130]);
        assert!(Reader::new(&indefinite).next().is_none());
        // Up to four length bytes.
        let four = [0x04, 0x84, 0x00, 0x00, 0x01, 0x02, 9];
        let mut with_content = four.to_vec();
        with_content.extend([5u8; 0x101]);
        assert_eq!(
            Reader::new(&with_content).next().map(|t| t.content.len()),
            Some(0x102)
        );
        assert!(Reader::new(&four).next().is_none());
        let mut r = Reader::new(&[0x05, 0x00]);
        assert!(r.optional(INTEGER).is_none());
        assert!(r.optional(NULL).is_some());
    }

    #[test]
    fn integers_oids_and_times() {
        assert_eq!(unsigned(&[0x00, 0x80, 0x01]), Some(&[0x80, 0x01][..]));
        assert_eq!(unsigned(&[0x80]), None);
        assert_eq!(unsigned(&[]), None);
        assert_eq!(
            oid_string(&[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01]).as_deref(),
            Some("1.2.840.113549.1.1.1")
        );
        assert_eq!(oid_string(&[0x55, 0x04, 0x03]).as_deref(), Some("2.5.4.3"));
        assert_eq!(oid_string(&[0x86]), None);
        assert_eq!(oid_string(&[]), None);
        assert_eq!(
            oid_string(&[0x55, 0x04, 0x83]),
            None,
            "a truncated last arc"
        );
        // An arc of u64::MAX is read; one above it is refused, not wrapped.
        let max = [
            0x2A, 0x81, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F,
        ];
        assert_eq!(
            oid_string(&max).as_deref(),
            Some("1.2.18446744073709551615")
        );
        let above = [
            0x2A, 0x82, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00,
        ];
        assert_eq!(oid_string(&above), None);
        let t = |tag, s: &str| {
            time(&Tlv {
                tag,
                content: s.as_bytes(),
                whole: &[],
            })
        };
        assert_eq!(t(UTC_TIME, "220223092137Z"), Some(1_645_608_097));
        assert_eq!(t(GENERALIZED_TIME, "20500101000000Z"), Some(2_524_608_000));
        assert_eq!(t(UTC_TIME, "700101000000Z"), Some(0));
        assert_eq!(t(UTC_TIME, "491231235959Z"), Some(2_524_607_999));
        assert_eq!(t(UTC_TIME, "500101000000Z"), Some(-631_152_000), "1950");
        assert_eq!(
            t(UTC_TIME, "221231235960Z"),
            Some(1_672_531_200),
            "a leap second"
        );
        for bad in [
            "220223092137",
            "2202230921Z",
            "221323092137Z",
            "22022309213+Z",
            "220223242137Z",
            "220223096037Z",
            "220223092161Z",
            "220200092137Z",
            "220232092137Z",
            "220023092137Z",
        ] {
            assert_eq!(t(UTC_TIME, bad), None, "{bad}");
        }
    }
}
