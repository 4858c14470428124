//! Transport encodings: base64, raw DEFLATE, percent-encoding and HTML form bodies.
//!
//! # Policy
//!
//! Everything here reads hostile input, so every decoder is strict and bounded:
//!
//! * **Base64** is the standard alphabet (RFC 4648 §4) with canonical padding. URL-safe
//!   characters (`-`, `_`), missing or extra `=`, data after the padding and non-zero trailing
//!   bits are refused ([`EncodingError::InvalidBase64`]). The only tolerance is ASCII whitespace
//!   (space, tab, CR, LF) anywhere in the input, because IdPs and administrators wrap lines.
//!   The decoded size is computed from the encoded length and checked against the limit
//!   *before* any decoding work is done.
//! * **HTTP-POST**: the `SAMLResponse` field is base64 of the XML, never DEFLATE-compressed;
//!   [`decode_post_field`] does not guess, it never inflates.
//! * **HTTP-Redirect** messages are raw DEFLATE (RFC 1951, no zlib header). [`inflate_raw`]
//!   stops at a hard output cap (zip bombs cost at most the cap) and refuses trailing bytes
//!   after the final block.
//! * **Forms and query strings** are `application/x-www-form-urlencoded`; an invalid `%`
//!   escape or a value that is not UTF-8 once decoded is an error, not a replacement character.
//!
//! All decoders run in time linear in their input.

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
#[cfg(feature = "inflate")]
use miniz_oxide::inflate::TINFLStatus;
#[cfg(feature = "inflate")]
use miniz_oxide::inflate::core::inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
#[cfg(feature = "inflate")]
use miniz_oxide::inflate::core::{DecompressorOxide, decompress};

use crate::error::{EncodingError, Error};
use crate::limits::Limits;
use crate::swar::has_byte_below;

/// Standard alphabet, `=` padding required and canonical, no stray trailing bits.
const STRICT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_encode_padding(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical)
        .with_decode_allow_trailing_bits(false),
);

/// Whether `byte` is whitespace that base64 input may contain (line wrapping).
fn is_base64_whitespace(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\r' | b'\n')
}

/// Whether `bytes` holds base64 white space, skipping words without a byte below `!` (every
/// base64 symbol is above it).
fn has_base64_whitespace(bytes: &[u8]) -> bool {
    let (words, tail) = bytes.as_chunks::<8>();
    words
        .iter()
        .any(|w| has_byte_below(*w, b'!') && w.iter().copied().any(is_base64_whitespace))
        || tail.iter().copied().any(is_base64_whitespace)
}

/// The exact decoded length of canonical padded base64 of `len` symbols ending in `padding`
/// `=` characters, or `None` if `len` is not a multiple of four.
fn decoded_len(len: usize, padding: usize) -> Option<usize> {
    if !len.is_multiple_of(4) {
        return None;
    }
    (len / 4).checked_mul(3)?.checked_sub(padding.min(2))
}

/// Decodes strict standard base64, ignoring ASCII whitespace (space, tab, CR, LF).
///
/// Refuses URL-safe characters, missing or extra padding, data after the padding and
/// non-canonical trailing bits with [`EncodingError::InvalidBase64`]; empty input (after
/// whitespace is removed) with [`EncodingError::Empty`]. If the decoded data would be longer
/// than `max_decoded_bytes`, returns [`Error::LimitExceeded`] (`max_xml_bytes`) before decoding.
pub fn decode_base64(input: &str, max_decoded_bytes: usize) -> Result<Vec<u8>, Error> {
    // Copied without the white space only when there is some (a form field has none).
    let compact: std::borrow::Cow<'_, [u8]> = if has_base64_whitespace(input.as_bytes()) {
        input
            .bytes()
            .filter(|byte| !is_base64_whitespace(*byte))
            .collect::<Vec<u8>>()
            .into()
    } else {
        input.as_bytes().into()
    };
    if compact.is_empty() {
        return Err(EncodingError::Empty.into());
    }
    let padding = compact
        .iter()
        .rev()
        .take_while(|byte| **byte == b'=')
        .count();
    let size = decoded_len(compact.len(), padding).ok_or(EncodingError::InvalidBase64)?;
    if size > max_decoded_bytes {
        return Err(Error::LimitExceeded {
            limit: "max_xml_bytes",
            max: max_decoded_bytes,
        });
    }
    STRICT_BASE64
        .decode(&compact)
        .map_err(|_| EncodingError::InvalidBase64.into())
}

/// Encodes `bytes` as standard base64 with padding, without line breaks.
pub fn encode_base64(bytes: &[u8]) -> String {
    STRICT_BASE64.encode(bytes)
}

/// Decodes the value of an HTTP-POST binding `SAMLResponse` (or `SAMLRequest`) field, after
/// form decoding: base64 of the XML document.
///
/// Checks the field against [`Limits::max_input_bytes`] and the decoded size against
/// [`Limits::max_xml_bytes`]. The result is not inflated: the POST binding never compresses.
pub fn decode_post_field(input: &str, limits: &Limits) -> Result<Vec<u8>, Error> {
    if input.len() > limits.max_input_bytes {
        return Err(Error::LimitExceeded {
            limit: "max_input_bytes",
            max: limits.max_input_bytes,
        });
    }
    decode_base64(input, limits.max_xml_bytes)
}

/// Inflates raw DEFLATE data (RFC 1951, no zlib or gzip header), as used by the HTTP-Redirect
/// binding.
///
/// Output longer than `max_inflated` bytes gives [`Error::LimitExceeded`]
/// (`max_inflated_bytes`); the work stops at the cap. Corrupt or truncated data, and bytes left
/// over after the final block, give [`EncodingError::InvalidDeflate`]; empty input gives
/// [`EncodingError::Empty`]. (Cargo feature `inflate`, on by default; the npm package's
/// `.wasm` leaves it out and inflates with the JS platform's `DecompressionStream`.)
#[cfg(feature = "inflate")]
pub fn inflate_raw(data: &[u8], max_inflated: usize) -> Result<Vec<u8>, Error> {
    if data.is_empty() {
        return Err(EncodingError::Empty.into());
    }
    let mut out = vec![0u8; data.len().saturating_mul(2).min(max_inflated)];
    let mut state = Box::<DecompressorOxide>::default();
    let mut input = data;
    let mut out_pos = 0usize;
    loop {
        let (status, consumed, produced) = decompress(
            &mut state,
            input,
            &mut out,
            out_pos,
            TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF,
        );
        out_pos = out_pos
            .checked_add(produced)
            .ok_or(EncodingError::InvalidDeflate)?;
        input = input.get(consumed..).ok_or(EncodingError::InvalidDeflate)?;
        match status {
            TINFLStatus::Done if input.is_empty() => {
                out.truncate(out_pos);
                return Ok(out);
            }
            TINFLStatus::HasMoreOutput => grow_inflate_buffer(&mut out, max_inflated)?,
            _ => return Err(EncodingError::InvalidDeflate.into()),
        }
    }
}

#[cfg(feature = "inflate")]
/// Doubles the inflate output buffer, up to `max_inflated` bytes; an error once it is full.
fn grow_inflate_buffer(out: &mut Vec<u8>, max_inflated: usize) -> Result<(), Error> {
    if out.len() >= max_inflated {
        return Err(Error::LimitExceeded {
            limit: "max_inflated_bytes",
            max: max_inflated,
        });
    }
    let new_len = out.len().saturating_mul(2).max(64).min(max_inflated);
    out.resize(new_len, 0);
    Ok(())
}

/// Compresses `data` as raw DEFLATE (RFC 1951, no zlib header), for HTTP-Redirect messages
/// (our own small encoder: [`crate::deflate`]).
pub fn deflate_raw(data: &[u8]) -> Vec<u8> {
    crate::deflate::deflate_raw(data)
}

/// Whether `byte` is an RFC 3986 unreserved character (never percent-encoded).
fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

/// Percent-encodes `s` for use as a query-string name or value: RFC 3986 unreserved characters
/// are kept, every other byte of the UTF-8 encoding becomes `%XX` with uppercase hex digits.
pub fn percent_encode_query_component(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len().saturating_mul(3));
    for byte in s.bytes() {
        if is_unreserved(byte) {
            out.push(char::from(byte));
        } else {
            out.push('%');
            for nibble in [byte >> 4, byte & 0x0f] {
                if let Some(digit) = HEX.get(usize::from(nibble)) {
                    out.push(char::from(*digit));
                }
            }
        }
    }
    out
}

/// The value of an ASCII hex digit (either case).
fn hex_value(byte: u8) -> Option<u8> {
    char::from(byte)
        .to_digit(16)
        .and_then(|digit| u8::try_from(digit).ok())
}

/// Builds the error for malformed form or query data.
fn invalid_form(detail: &str) -> Error {
    EncodingError::InvalidForm {
        detail: detail.to_owned(),
    }
    .into()
}

/// Lower-cases the hex digits of every `%XX` escape, as Entra and AD FS write them: the unit
/// tests of the Redirect binding and of single logout sign and verify such queries.
#[cfg(test)]
pub(crate) fn lower_percent_escapes(value: &str) -> String {
    let mut out = String::new();
    let mut pending = 0;
    for c in value.chars() {
        if pending > 0 {
            out.push(c.to_ascii_lowercase());
            pending -= 1;
        } else {
            out.push(c);
            if c == '%' {
                pending = 2;
            }
        }
    }
    out
}

/// Decodes `%XX` escapes (hex digits in either case) and, if `plus_as_space`, `+` as a space
/// (the form-encoding convention; in a URI path `+` is literal).
///
/// A `%` not followed by two hex digits, or a result that is not UTF-8, gives
/// [`EncodingError::InvalidForm`].
pub fn percent_decode(s: &str, plus_as_space: bool) -> Result<String, Error> {
    let mut out = Vec::with_capacity(s.len());
    let mut bytes = s.bytes();
    while let Some(byte) = bytes.next() {
        match byte {
            b'%' => {
                let high = bytes.next().and_then(hex_value);
                let low = bytes.next().and_then(hex_value);
                match (high, low) {
                    (Some(high), Some(low)) => out.push((high << 4) + low),
                    _ => return Err(invalid_form("a % is not followed by two hex digits")),
                }
            }
            b'+' if plus_as_space => out.push(b' '),
            other => out.push(other),
        }
    }
    String::from_utf8(out).map_err(|_| invalid_form("a percent-decoded value is not UTF-8"))
}

/// Parses an `application/x-www-form-urlencoded` body (or a query string without its `?`) into
/// `(name, value)` pairs, in order and with duplicates kept (callers decide whether a repeated
/// name is an error).
///
/// Pairs are separated by `&`; empty pairs are skipped; a pair without `=` has an empty value.
/// Names and values are percent-decoded with `+` as space. Malformed escapes or non-UTF-8
/// values give [`EncodingError::InvalidForm`].
pub fn parse_form(body: &str) -> Result<Vec<(String, String)>, Error> {
    body.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            Ok((percent_decode(name, true)?, percent_decode(value, true)?))
        })
        .collect()
}

/// One `-----BEGIN label-----` … `-----END label-----` block of a PEM text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PemBlock<'a> {
    /// The label, e.g. `CERTIFICATE` or `RSA PRIVATE KEY`.
    pub(crate) label: &'a str,
    /// The text between the BEGIN and END lines (base64 with line breaks).
    pub(crate) body: &'a str,
}

/// Splits a text into its PEM blocks, ignoring any text around them (RFC 7468 "lax" parsing:
/// CRLF or LF line endings, whitespace inside the body). A BEGIN line without a matching END
/// line is an error, reported as a human-readable detail.
pub(crate) fn pem_blocks(text: &str) -> Result<Vec<PemBlock<'_>>, String> {
    const BEGIN: &str = "-----BEGIN ";
    const DASHES: &str = "-----";
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some((_, after_begin)) = rest.split_once(BEGIN) {
        let (label, after_label) = after_begin
            .split_once(DASHES)
            .ok_or_else(|| "a PEM BEGIN line is not terminated by -----".to_owned())?;
        if label.contains(['\r', '\n']) {
            return Err("a PEM BEGIN line is broken across lines".to_owned());
        }
        let end_marker = format!("-----END {label}-----");
        let (body, after_end) = after_label
            .split_once(end_marker.as_str())
            .ok_or_else(|| format!("the PEM block {label} has no {end_marker} line"))?;
        blocks.push(PemBlock { label, body });
        rest = after_end;
    }
    Ok(blocks)
}

#[cfg(all(test, feature = "inflate"))]
mod tests {
    use super::*;

    const MAX: usize = 1 << 20;

    fn b64_err(input: &str) -> Option<Error> {
        decode_base64(input, MAX).err()
    }

    #[test]
    fn base64_round_trip_and_known_values() {
        assert_eq!(encode_base64(b""), "");
        assert_eq!(encode_base64(b"f"), "Zg==");
        assert_eq!(encode_base64(b"fo"), "Zm8=");
        assert_eq!(encode_base64(b"foo"), "Zm9v");
        assert_eq!(decode_base64("Zg==", MAX).ok(), Some(b"f".to_vec()));
        assert_eq!(decode_base64("Zm8=", MAX).ok(), Some(b"fo".to_vec()));
        assert_eq!(decode_base64("Zm9v", MAX).ok(), Some(b"foo".to_vec()));
        let all: Vec<u8> = (0..=255u8).collect();
        let encoded = encode_base64(&all);
        assert!(encoded.contains('+') && encoded.contains('/'));
        assert_eq!(decode_base64(&encoded, MAX).ok(), Some(all));
    }

    #[test]
    fn base64_whitespace_and_crlf_wrapping_are_ignored() {
        let data: Vec<u8> = (0..200u8).collect();
        let encoded = encode_base64(&data);
        let mut wrapped = String::new();
        for (i, ch) in encoded.chars().enumerate() {
            if i > 0 && i % 64 == 0 {
                wrapped.push_str("\r\n");
            }
            wrapped.push(ch);
        }
        wrapped.push_str("\r\n");
        assert_eq!(decode_base64(&wrapped, MAX).ok(), Some(data.clone()));
        let spaced = format!(" \t{}\n \t", encoded.replace('A', " A\t"));
        assert_eq!(decode_base64(&spaced, MAX).ok(), Some(data));
        assert_eq!(decode_base64("Zm 9v\n", MAX).ok(), Some(b"foo".to_vec()));
        assert_eq!(decode_base64("Zg=\r\n=", MAX).ok(), Some(b"f".to_vec()));
    }

    /// One white-space byte at any offset (in a word of eight or in the tail after the last
    /// whole word) is found and skipped.
    #[test]
    fn base64_whitespace_at_every_offset() {
        let data: Vec<u8> = (0..30u8).collect();
        let encoded = encode_base64(&data);
        for at in 0..=encoded.len() {
            for ws in [" ", "\t", "\r", "\n"] {
                let spaced = format!("{}{ws}{}", &encoded[..at], &encoded[at..]);
                assert_eq!(
                    decode_base64(&spaced, MAX).ok(),
                    Some(data.clone()),
                    "{spaced:?}"
                );
            }
        }
    }

    #[test]
    fn base64_only_space_tab_cr_lf_are_whitespace() {
        for other in ["Zm9v\u{c}", "Zm9v\u{b}", "Zm\u{a0}9v", "Zm9v\0"] {
            assert_eq!(
                b64_err(other),
                Some(EncodingError::InvalidBase64.into()),
                "{other:?}"
            );
        }
    }

    #[test]
    fn base64_empty_is_its_own_error() {
        for empty in ["", "   ", "\r\n\t "] {
            assert_eq!(b64_err(empty), Some(EncodingError::Empty.into()));
        }
    }

    #[test]
    fn base64_strictness() {
        let invalid = [
            "Zg",         // missing padding
            "Zg=",        // short padding
            "Zg===",      // extra padding
            "Zm8==",      // too much padding for two bytes
            "Zm9v=",      // padding after a full quantum
            "====",       // padding only
            "=",          // lone padding
            "Zm9v====",   // a padding-only quantum
            "Zg==Zg==",   // data after padding (double padding)
            "Zg==Zm9v",   // trailing data after padding
            "Zh==",       // non-canonical trailing bits
            "Zm9=",       // non-canonical trailing bits
            "-_-_",       // URL-safe alphabet
            "Zm9v-w==",   // URL-safe character mixed in
            "Zm9v_w==",   // URL-safe character mixed in
            "Zm9v*",      // junk
            "Zm9vYmFy!",  // junk
            "Zm9vY",      // length 1 mod 4
            "Z===",       // one symbol
            "Zm9vYmE=A",  // data after padding
            "%2B",        // still percent-encoded
            "Zm9v\u{e9}", // non-ASCII
        ];
        for input in invalid {
            assert_eq!(
                b64_err(input),
                Some(EncodingError::InvalidBase64.into()),
                "{input:?}"
            );
        }
    }

    #[test]
    fn base64_plus_mangled_to_space_is_rejected_or_deterministic() {
        // bytes 0xfb 0xef 0xbe encode to "++++": a form decoder that turns '+' into ' '
        // leaves only whitespace.
        let original = encode_base64(&[0xfb, 0xef, 0xbe, b'a', b'b', b'c']);
        assert_eq!(original, "++++YWJj");
        let mangled = original.replace('+', " ");
        // Four spaces vanish: deterministically decodes to the remaining quantum.
        assert_eq!(decode_base64(&mangled, MAX).ok(), Some(b"abc".to_vec()));
        // A single mangled '+' breaks the quantum alignment: rejected.
        let with_plus = encode_base64(&[0xf8, 0x61, 0x62, 0x63]);
        assert!(with_plus.starts_with('+'), "{with_plus}");
        assert_eq!(
            b64_err(&with_plus.replacen('+', " ", 1)),
            Some(EncodingError::InvalidBase64.into())
        );
    }

    #[test]
    fn base64_limit_checked_from_encoded_length() {
        let encoded = encode_base64(&[7u8; 100]);
        assert!(decode_base64(&encoded, 100).is_ok());
        assert_eq!(
            decode_base64(&encoded, 99),
            Err(Error::LimitExceeded {
                limit: "max_xml_bytes",
                max: 99
            })
        );
        // The bound is exact with padding: "Zg==" is one byte.
        assert!(decode_base64("Zg==", 1).is_ok());
        assert!(decode_base64("Zm8=", 1).is_err());
        // Decided before decoding: an oversized input of junk still reports the limit.
        let junk = "!!!!".repeat(10);
        assert_eq!(
            decode_base64(&junk, 3),
            Err(Error::LimitExceeded {
                limit: "max_xml_bytes",
                max: 3
            })
        );
    }

    #[test]
    fn post_field_checks_both_limits() {
        let mut limits = Limits::default();
        let xml = b"<samlp:Response/>";
        let field = encode_base64(xml);
        assert_eq!(decode_post_field(&field, &limits).ok(), Some(xml.to_vec()));
        limits.max_input_bytes = field.len() - 1;
        assert_eq!(
            decode_post_field(&field, &limits),
            Err(Error::LimitExceeded {
                limit: "max_input_bytes",
                max: field.len() - 1
            })
        );
        limits.max_input_bytes = field.len();
        limits.max_xml_bytes = xml.len() - 1;
        assert_eq!(
            decode_post_field(&field, &limits),
            Err(Error::LimitExceeded {
                limit: "max_xml_bytes",
                max: xml.len() - 1
            })
        );
    }

    #[test]
    fn post_field_does_not_inflate() {
        let xml = b"<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\"/>";
        let field = encode_base64(&deflate_raw(xml));
        let decoded = decode_post_field(&field, &Limits::default()).ok();
        assert_ne!(decoded.as_deref(), Some(&xml[..]));
    }

    #[test]
    fn deflate_round_trip() {
        let xml = b"<samlp:AuthnRequest ID=\"_1\" Version=\"2.0\"/>".repeat(20);
        let compressed = deflate_raw(&xml);
        assert!(compressed.len() < xml.len());
        assert_eq!(inflate_raw(&compressed, xml.len()).ok(), Some(xml.clone()));
        assert_eq!(inflate_raw(&deflate_raw(b""), 10).ok(), Some(Vec::new()));
    }

    #[test]
    fn inflate_is_capped() {
        let bomb = deflate_raw(&vec![b'a'; 1_000_000]);
        assert!(bomb.len() < 10_000);
        assert_eq!(
            inflate_raw(&bomb, 4096),
            Err(Error::LimitExceeded {
                limit: "max_inflated_bytes",
                max: 4096
            })
        );
        let exact = deflate_raw(&[b'b'; 5000]);
        assert!(inflate_raw(&exact, 5000).is_ok());
        assert!(inflate_raw(&exact, 4999).is_err());
        assert_eq!(
            inflate_raw(&exact, 0),
            Err(Error::LimitExceeded {
                limit: "max_inflated_bytes",
                max: 0
            })
        );
    }

    #[test]
    fn inflate_rejects_garbage_truncation_and_trailing_data() {
        let invalid = EncodingError::InvalidDeflate.into();
        assert_eq!(inflate_raw(b"", 100), Err(EncodingError::Empty.into()));
        // A reserved block type (BTYPE = 11).
        assert_eq!(inflate_raw(&[0x07, 0x00], 100).err(), Some(invalid));
        let good = deflate_raw(b"hello hello hello hello");
        let truncated = good.get(..good.len() - 2).unwrap_or_default();
        assert_eq!(
            inflate_raw(truncated, 100),
            Err(EncodingError::InvalidDeflate.into())
        );
        let mut trailing = good.clone();
        trailing.extend_from_slice(b"junk");
        assert_eq!(
            inflate_raw(&trailing, 100),
            Err(EncodingError::InvalidDeflate.into())
        );
        // A zlib header is not raw DEFLATE.
        let zlib = miniz_oxide::deflate::compress_to_vec_zlib(b"hello", 6);
        assert!(inflate_raw(&zlib, 100).is_err());
    }

    #[test]
    fn percent_encoding() {
        assert_eq!(percent_encode_query_component("AZaz09-._~"), "AZaz09-._~");
        assert_eq!(
            percent_encode_query_component("a b+c/d=e&f?g#h%"),
            "a%20b%2Bc%2Fd%3De%26f%3Fg%23h%25"
        );
        assert_eq!(percent_encode_query_component("é€"), "%C3%A9%E2%82%AC");
        assert_eq!(percent_encode_query_component(""), "");
        let original = "https://sp.example.com/acs?x=1&y=é ~+";
        let encoded = percent_encode_query_component(original);
        assert_eq!(
            percent_decode(&encoded, false).ok().as_deref(),
            Some(original)
        );
        assert_eq!(
            percent_decode(&encoded, true).ok().as_deref(),
            Some(original)
        );
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(
            percent_decode("a+b%2b%2B", true).ok().as_deref(),
            Some("a b++")
        );
        assert_eq!(percent_decode("a+b", false).ok().as_deref(), Some("a+b"));
        assert_eq!(percent_decode("%c3%A9", false).ok().as_deref(), Some("é"));
        assert_eq!(percent_decode("", true).ok().as_deref(), Some(""));
        for bad in [
            "%",
            "%2",
            "%zz",
            "%2g",
            "a%",
            "%%41",
            "%ff",
            "%C3",
            "%C3%28",
            "%ED%A0%80",
        ] {
            let err = percent_decode(bad, true).err();
            assert_eq!(err.as_ref().map(Error::code), Some("invalid_form"), "{bad}");
        }
    }

    #[test]
    fn form_parsing() {
        let form = parse_form("SAMLResponse=PHNhbWw%2BPC9zYW1sPg%3D%3D&RelayState=%2Fapp+home")
            .unwrap_or_default();
        assert_eq!(
            form,
            vec![
                ("SAMLResponse".to_owned(), "PHNhbWw+PC9zYW1sPg==".to_owned()),
                ("RelayState".to_owned(), "/app home".to_owned()),
            ]
        );
        let form = parse_form("&a&&b=&c=1=2&a=3&").unwrap_or_default();
        assert_eq!(
            form,
            vec![
                ("a".to_owned(), String::new()),
                ("b".to_owned(), String::new()),
                ("c".to_owned(), "1=2".to_owned()),
                ("a".to_owned(), "3".to_owned()),
            ]
        );
        assert_eq!(parse_form("").ok(), Some(Vec::new()));
        assert_eq!(
            parse_form("a=%zz").err().as_ref().map(Error::code),
            Some("invalid_form")
        );
        assert_eq!(
            parse_form("%ff=1").err().as_ref().map(Error::code),
            Some("invalid_form")
        );
    }

    #[test]
    fn form_then_post_field_handles_a_real_post() {
        let xml = "<samlp:Response ID=\"_a\">ÿ?></samlp:Response>";
        let b64 = encode_base64(xml.as_bytes());
        assert!(b64.contains('+') || b64.contains('/'));
        let body = format!("SAMLResponse={}", percent_encode_query_component(&b64));
        let form = parse_form(&body).unwrap_or_default();
        let value = form.first().map(|(_, v)| v.as_str()).unwrap_or("");
        assert_eq!(
            decode_post_field(value, &Limits::default()).ok(),
            Some(xml.as_bytes().to_vec())
        );
    }

    #[test]
    fn pem_block_splitting() {
        let text = "junk\r\n-----BEGIN CERTIFICATE-----\r\nZm9v\r\n-----END CERTIFICATE-----\r\n\
                    between\n-----BEGIN RSA PRIVATE KEY-----\nYmFy\n-----END RSA PRIVATE KEY-----";
        let blocks = pem_blocks(text).unwrap_or_default();
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks.first().map(|b| b.label), Some("CERTIFICATE"));
        assert_eq!(blocks.first().map(|b| b.body), Some("\r\nZm9v\r\n"));
        assert_eq!(blocks.get(1).map(|b| b.label), Some("RSA PRIVATE KEY"));
        assert_eq!(pem_blocks("no pem here").ok(), Some(Vec::new()));
        assert!(pem_blocks("-----BEGIN CERTIFICATE-----\nZm9v\n").is_err());
        assert!(pem_blocks("-----BEGIN CERT").is_err());
        assert!(
            pem_blocks("-----BEGIN A-----\nZm9v\n-----END B-----").is_err(),
            "mismatched END label"
        );
    }
}
