//! The whole verifier, as raw XML and as base64 (see `checks::verify`).
#![no_main]

#[path = "../common/checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::verify(data));
