//! A small XML writer for the messages saml-edge produces (AuthnRequest, metadata).
//!
//! Output is built from trusted templates plus escaped values; nothing here parses.

/// Escapes character data for use between tags (`&`, `<`, `>`; CR as `&#xD;`).
pub fn escape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            other => out.push(other),
        }
    }
    out
}

/// Escapes a value for a double-quoted attribute (`&`, `<`, `"`, and white space that attribute
/// normalization would otherwise turn into spaces).
pub fn escape_attribute(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape_text("a<b>&c\r"), "a&lt;b&gt;&amp;c&#xD;");
        assert_eq!(escape_attribute("\"x\"\n\t<&"), "&quot;x&quot;&#xA;&#x9;&lt;&amp;");
    }
}
