//! Knobs that weaken verification, kept in one place so that a reviewer can grep for them.
//!
//! Nothing here is needed for Microsoft Entra ID or any current IdP. It exists to check archived
//! responses of legacy identity providers (1024-bit keys) in tests and migrations.

use crate::error::ConfigError;
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
