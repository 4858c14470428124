//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// The public fixtures, vendored in the repository: `tests/fixtures` (provenance and licences in
/// its `SOURCES.md`). Every Rust test reads them through this module.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"))
}

/// The path of a fixture (relative to `tests/fixtures`). A missing fixture fails the test with
/// its path: a test never skips for want of its data.
pub fn fixture_path(relative: &str) -> PathBuf {
    let path = fixtures_dir().join(relative);
    assert!(path.is_file(), "missing fixture {}", path.display());
    path
}

/// The fixtures' manifest (`tests/fixtures/manifest.json`).
pub fn manifest() -> serde_json::Value {
    let path = fixture_path("manifest.json");
    serde_json::from_slice(&fixture_bytes("manifest.json"))
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// Reads a fixture file by its path relative to the fixtures folder.
pub fn fixture_bytes(relative: &str) -> Vec<u8> {
    let path = fixtures_dir().join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read fixture {}: {e}", path.display()))
}

/// Reads a UTF-8 fixture file by its path relative to the fixtures folder.
pub fn fixture_text(relative: &str) -> String {
    String::from_utf8(fixture_bytes(relative))
        .unwrap_or_else(|e| panic!("fixture {relative} is not UTF-8: {e}"))
}

/// `value` with the two hex digits of every `%XX` escape passed through `case` (IdPs such as
/// Entra write lower-case escapes; the query signature covers the octets as sent).
pub fn recase_escapes(case: fn(&char) -> char, value: &str) -> String {
    let mut out = String::new();
    let mut pending = 0;
    for c in value.chars() {
        if pending > 0 {
            out.push(case(&c));
            pending -= 1;
        } else {
            out.push(c);
            pending = if c == '%' { 2 } else { 0 };
        }
    }
    out
}
