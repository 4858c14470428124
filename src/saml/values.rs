//! Checks on the configuration values that saml-edge writes into the messages it produces
//! (entity IDs, endpoint URLs, URIs), so that a bad setting is reported by name when the
//! service provider is configured, not by the IdP as an opaque AADSTS error.

use crate::error::ConfigError;
use crate::xml::is_absolute_uri;

/// Longest entity ID SAML metadata allows (SAML metadata §2.3.2: at most 1024 characters).
pub const MAX_ENTITY_ID_CHARS: usize = 1024;

/// Builds a [`ConfigError::Invalid`] for `field`.
pub(crate) fn invalid(field: &'static str, detail: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        field,
        detail: detail.into(),
    }
}

/// An entity ID (SP or IdP): non-empty, at most [`MAX_ENTITY_ID_CHARS`] characters, no control
/// characters and no white space at either end (Entra compares the Identifier byte for byte, so
/// a stray space is an AADSTS700016 that is hard to see).
pub(crate) fn check_entity_id(field: &'static str, value: &str) -> Result<(), ConfigError> {
    if value.is_empty() {
        return Err(ConfigError::Missing { field });
    }
    if value.chars().count() > MAX_ENTITY_ID_CHARS {
        return Err(invalid(
            field,
            format!("longer than {MAX_ENTITY_ID_CHARS} characters"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(invalid(field, "contains a control character"));
    }
    if value.trim() != value {
        return Err(invalid(field, "starts or ends with white space"));
    }
    Ok(())
}

/// An absolute `https://` or `http://` URL made of printable ASCII, with a host and without a
/// fragment: what an ACS, SSO or SLO endpoint must look like. Internationalized host names must
/// be given in their ASCII (punycode) form.
pub(crate) fn check_http_url(field: &'static str, value: &str) -> Result<(), ConfigError> {
    if value.is_empty() {
        return Err(ConfigError::Missing { field });
    }
    let lower_scheme = value.get(..8).map(str::to_ascii_lowercase);
    let rest = match lower_scheme.as_deref() {
        Some("https://") => value.get(8..),
        _ if value.get(..7).map(str::to_ascii_lowercase).as_deref() == Some("http://") => {
            value.get(7..)
        }
        _ => None,
    }
    .ok_or_else(|| {
        invalid(
            field,
            "must start with https:// (or http:// for local testing)",
        )
    })?;
    if !is_absolute_uri(value) {
        return Err(invalid(
            field,
            "must be printable ASCII without spaces, quotes, <, >, \\, ^, `, {, | or }",
        ));
    }
    let host = rest.split(['/', '?']).next().unwrap_or_default();
    if host.is_empty() {
        return Err(invalid(field, "has no host name"));
    }
    if value.contains('#') {
        return Err(invalid(field, "must not contain a #fragment"));
    }
    Ok(())
}

/// An absolute URI such as a NameID format or an authentication context class.
pub(crate) fn check_uri(field: &'static str, value: &str) -> Result<(), ConfigError> {
    if is_absolute_uri(value) {
        Ok(())
    } else {
        Err(invalid(
            field,
            "must be an absolute URI (e.g. urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress)",
        ))
    }
}

/// Free text that ends up in a URL or a form (RelayState, login hint): at most `max` bytes and
/// no control characters.
pub(crate) fn check_text(field: &'static str, value: &str, max: usize) -> Result<(), ConfigError> {
    if value.len() > max {
        return Err(invalid(field, format!("longer than {max} bytes")));
    }
    if value.chars().any(char::is_control) {
        return Err(invalid(field, "contains a control character"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(result: Result<(), ConfigError>) -> Option<&'static str> {
        result.err().as_ref().map(ConfigError::code)
    }

    #[test]
    fn urls() {
        for good in [
            "https://login.microsoftonline.com/tenant/saml2",
            "http://localhost:8787/saml/acs",
            "HTTPS://EXAMPLE.COM",
            "https://idp.example.com/sso?tenant=a&x=1",
        ] {
            assert_eq!(check_http_url("u", good), Ok(()), "{good}");
        }
        assert_eq!(code(check_http_url("u", "")), Some("config_missing"));
        for bad in [
            "ftp://example.com/",
            "https:/example.com",
            "https://",
            "https:///path",
            "https://?q",
            "https://example.com/a b",
            "https://example.com/é",
            "https://example.com/#frag",
            "javascript:alert(1)",
            "//example.com/acs",
            "https://example.com/\"",
        ] {
            assert_eq!(
                code(check_http_url("u", bad)),
                Some("config_invalid"),
                "{bad}"
            );
        }
    }

    #[test]
    fn entity_ids() {
        assert_eq!(check_entity_id("e", "https://app.example.com/saml"), Ok(()));
        assert_eq!(check_entity_id("e", "spn:1234"), Ok(()));
        // The limit counts characters, and admits exactly MAX_ENTITY_ID_CHARS of them.
        let longest = format!("urn:{}", "é".repeat(MAX_ENTITY_ID_CHARS - 4));
        assert_eq!(check_entity_id("e", &longest), Ok(()));
        assert_eq!(
            code(check_entity_id("e", &format!("{longest}x"))),
            Some("config_invalid")
        );
        assert_eq!(code(check_entity_id("e", "")), Some("config_missing"));
        for bad in [" x", "x ", "a\u{1}b", &"x".repeat(1025)] {
            assert_eq!(code(check_entity_id("e", bad)), Some("config_invalid"));
        }
    }

    #[test]
    fn uris_and_text() {
        assert_eq!(check_uri("f", "urn:a:b"), Ok(()));
        assert_eq!(code(check_uri("f", "emailAddress")), Some("config_invalid"));
        assert_eq!(check_text("t", "/app?x=1 y", 80), Ok(()));
        assert_eq!(code(check_text("t", "a\nb", 80)), Some("config_invalid"));
        assert_eq!(code(check_text("t", "abc", 2)), Some("config_invalid"));
        // The limit is in bytes and admits exactly `max` of them.
        assert_eq!(check_text("t", "é", 2), Ok(()));
        assert_eq!(code(check_text("t", "éa", 2)), Some("config_invalid"));
    }
}
