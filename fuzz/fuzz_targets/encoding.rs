//! Transport decoders: base64, raw DEFLATE, forms, percent-decoding (see `checks::encoding`).
#![no_main]

#[path = "../common/checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::encoding(data));
