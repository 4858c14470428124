//! IdP metadata import (see `checks::metadata`).
#![no_main]

#[path = "../common/checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::metadata(data));
