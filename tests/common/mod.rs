//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// The shared public fixtures (`../shared/fixtures` beside the repository, or `SAML_EDGE_FIXTURES`).
pub fn fixtures_dir() -> PathBuf {
    match std::env::var_os("SAML_EDGE_FIXTURES") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures")),
    }
}

/// The shared fixtures' manifest.
pub fn manifest() -> serde_json::Value {
    let path = fixtures_dir().join("manifest.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e} (set SAML_EDGE_FIXTURES)",
            path.display()
        )
    });
    serde_json::from_str(&text).expect("manifest.json is JSON")
}

/// Reads a fixture file by its path relative to the fixtures folder.
pub fn fixture_bytes(relative: &str) -> Vec<u8> {
    let path = fixtures_dir().join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}
