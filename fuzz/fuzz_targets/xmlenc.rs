//! The XML Encryption decryptor (see `checks::xmlenc`).
#![no_main]

#[path = "../common/checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::xmlenc(data));
