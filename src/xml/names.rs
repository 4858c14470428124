//! Lexical checks: XML names (Namespaces in XML 1.0 NCName), characters, namespace URIs.

/// XML 1.0 (5th edition) `NameStartChar`, without `:`.
fn is_name_start_char(c: char) -> bool {
    matches!(c,
        'A'..='Z' | '_' | 'a'..='z'
        | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

/// XML 1.0 (5th edition) `NameChar`, without `:`.
fn is_name_char(c: char) -> bool {
    is_name_start_char(c)
        || matches!(c,
            '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// The ASCII characters of [`is_name_start_char`] and [`is_name_char`], as bit sets: bit `b`
/// of the first word for the byte `b` below 64, of the second for `64 + b` (two `u64`s, not a
/// `u128`, whose shifts wasm32 emulates).
const ASCII_NAME_START: [u64; 2] = ascii_set(false);
const ASCII_NAME: [u64; 2] = ascii_set(true);

const fn ascii_set(name_char: bool) -> [u64; 2] {
    let (mut low, mut high) = (0u64, 0u64);
    let mut b = 0u8;
    while b < 128 {
        if matches!(b, b'A'..=b'Z' | b'_' | b'a'..=b'z')
            || (name_char && matches!(b, b'-' | b'.' | b'0'..=b'9'))
        {
            if b < 64 {
                low |= 1 << b;
            } else {
                high |= 1 << (b - 64);
            }
        }
        b += 1;
    }
    [low, high]
}

fn in_set([low, high]: [u64; 2], byte: u8) -> bool {
    let word = match byte >> 6 {
        0 => low,
        1 => high,
        _ => 0,
    };
    (word >> (byte & 63)) & 1 == 1
}

/// True when `s` is an NCName (a non-empty XML name without colons). SAML IDs are NCNames.
pub fn is_ncname(s: &str) -> bool {
    // Names are almost always ASCII: a table lookup per byte instead of the ranges per char.
    if s.is_ascii() {
        let mut bytes = s.bytes();
        return bytes.next().is_some_and(|b| in_set(ASCII_NAME_START, b))
            && bytes.all(|b| in_set(ASCII_NAME, b));
    }
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if is_name_start_char(c) => chars.all(is_name_char),
        _ => false,
    }
}

/// True for characters XML 1.0 allows in a document.
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c,
        '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}'
        | '\u{10000}'..='\u{10FFFF}')
}

/// True for XML white space (`S`).
pub(crate) fn is_xml_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// True when `uri` is an absolute URI made of printable ASCII: `scheme ":" rest`.
///
/// Namespace names must be absolute (relative ones are deprecated and make libxml2's
/// canonicalizer fail, the root of "void canonicalization" attacks); non-ASCII, spaces and
/// control characters are refused so that every canonicalizer sees the same bytes.
pub fn is_absolute_uri(uri: &str) -> bool {
    let Some((scheme, rest)) = uri.split_once(':') else {
        return false;
    };
    let mut scheme_chars = scheme.chars();
    let scheme_ok = matches!(scheme_chars.next(), Some(c) if c.is_ascii_alphabetic())
        && scheme_chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    scheme_ok
        && !rest.is_empty()
        && rest.chars().all(|c| {
            c.is_ascii_graphic()
                && !matches!(c, '<' | '>' | '"' | '\\' | '^' | '`' | '{' | '|' | '}')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ncnames() {
        for good in ["a", "_x", "ID_1.2-3", "é", "_7f3c9a2e"] {
            assert!(is_ncname(good), "{good}");
        }
        for bad in ["", "1a", "a:b", "-a", "a b", "#x", "a'b", "x]"] {
            assert!(!is_ncname(bad), "{bad}");
        }
    }

    /// The ASCII tables say what the character ranges say, for every ASCII character, first
    /// or not, and a non-ASCII character anywhere still takes the ranges.
    #[test]
    fn ascii_names_match_the_ranges() {
        for b in 0..128u8 {
            let c = char::from(b);
            assert_eq!(
                is_ncname(&format!("{c}")),
                is_name_start_char(c),
                "{b:#x} first"
            );
            assert_eq!(is_ncname(&format!("a{c}")), is_name_char(c), "{b:#x} after");
            assert_eq!(
                is_ncname(&format!("é{c}")),
                is_name_char(c),
                "{b:#x} after é"
            );
            assert_eq!(
                is_ncname(&format!("{c}é")),
                is_name_start_char(c),
                "{b:#x} before é"
            );
        }
    }

    #[test]
    fn absolute_uris() {
        for good in [
            "urn:oasis:names:tc:SAML:2.0:assertion",
            "http://www.w3.org/2000/09/xmldsig#",
            "https://sts.windows.net/x/",
        ] {
            assert!(is_absolute_uri(good), "{good}");
        }
        for bad in [
            "1",
            "relative/path",
            "",
            ":x",
            "http://example.com\u{80}",
            "a b:c",
            "http:",
        ] {
            assert!(!is_absolute_uri(bad), "{bad}");
        }
    }
}
