//! The strict XML parser on arbitrary bytes (see `checks::xml_parse`).
#![no_main]

#[path = "../common/checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::xml_parse(data));
