//! Knobs that weaken verification, kept in one place so that a reviewer can grep for them
//! (`danger`).
//!
//! - [`certificates_with_weak_keys`]: trust IdP certificates with RSA keys of 1024 to 2047 bits.
//!   Nothing current needs it; it exists to check archived responses of legacy identity
//!   providers in tests and migrations.
//! - [`ServiceProviderBuilder::danger_allow_sha1`] (CLI `--allow-sha1`, npm `allowSha1`) and
//!   [`AlgorithmPolicy::allow_sha1`]: accept RSA-SHA1 signatures and SHA-1 digests. Some legacy
//!   IdPs still sign with SHA-1; Microsoft Entra ID can be switched to SHA-256 instead (SAML
//!   Signing Certificate > Signing Algorithm). Signed IdP metadata has the same switch in
//!   [`crate::saml::metadata::MetadataOptions::allow_sha1`].
//!
//! The defaults never need any of these.

use crate::error::ConfigError;
use crate::sp::ServiceProviderBuilder;
use crate::x509::Certificate;

/// Reads certificates like [`Certificate::parse_all`], but accepts RSA keys of at least
/// `min_bits` bits (never fewer than 1024) instead of 2048. A 1024-bit RSA key can be factored
/// by a well-funded attacker: whoever does can sign in as anyone.
pub fn certificates_with_weak_keys(
    input: &[u8],
    min_bits: usize,
) -> Result<Vec<Certificate>, ConfigError> {
    Certificate::parse_all_with_min_bits(input, min_bits)
}

/// Which algorithms a signature verification accepts beyond the default allow-list (RSA-SHA256,
/// -384 and -512 signatures; SHA-256, -384 and -512 digests). The default adds nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AlgorithmPolicy {
    /// Also accept RSA-SHA1 signatures and SHA-1 digests. SHA-1 collisions are practical: a
    /// signature over a SHA-1 digest no longer proves much about the signed bytes.
    pub allow_sha1: bool,
}

impl ServiceProviderBuilder {
    /// Accepts RSA-SHA1 signatures and SHA-1 digests, in responses and in HTTP-Redirect query
    /// signatures. Off by default; prefer setting the IdP to SHA-256 (Entra ID: SAML Signing
    /// Certificate > Signing Algorithm). See [`crate::danger`].
    pub fn danger_allow_sha1(mut self, allow: bool) -> Self {
        self.algorithm_policy.allow_sha1 = allow;
        self
    }
}

#[cfg(test)]
mod tests {
    use crate::ServiceProvider;

    #[test]
    #[allow(deprecated)]
    fn the_deprecated_builder_method_sets_the_same_knob() {
        for allow in [false, true] {
            let old = ServiceProvider::builder().allow_sha1(allow);
            let new = ServiceProvider::builder().danger_allow_sha1(allow);
            assert_eq!(old.algorithm_policy, new.algorithm_policy);
            assert_eq!(new.algorithm_policy.allow_sha1, allow);
        }
        assert!(!ServiceProvider::builder().algorithm_policy.allow_sha1);
    }
}
