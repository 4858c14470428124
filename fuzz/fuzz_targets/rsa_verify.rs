//! RSASSA-PKCS1-v1_5 verification, saml-edge against the `rsa` crate (see
//! `common/rsa_verify.rs`).
#![no_main]

#[path = "../common/rsa_verify.rs"]
mod rsa_verify;

libfuzzer_sys::fuzz_target!(|data: &[u8]| rsa_verify::rsa_verify(data));
