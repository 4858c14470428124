//! Exclusive c14n of element subtrees, re-parsed and re-canonicalized (see `checks::c14n`).
#![no_main]

#[path = "../common/checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::c14n(data));
