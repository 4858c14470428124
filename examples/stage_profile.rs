//! The stage profile of verifying the 5 KB Entra-shaped response (README "Performance"): each
//! stage run alone through the public API, on inputs prepared outside the measured loop.
//!
//! ```text
//! cargo run --release --example stage_profile              # wall-clock medians of every stage
//! # instructions per stage (repeatable whatever the machine load): the difference between
//! # N runs and 0 runs, divided by N
//! valgrind --tool=callgrind target/release/examples/stage_profile <stage> <N>
//! ```
//!
//! Stages: `base64` (POST field → XML bytes), `parse` (strict XML parser, names, namespaces),
//! `c14n` (exclusive c14n of SignedInfo and of the assertion without its Signature), `sha256`
//! (digest of the canonical assertion), `rsa` (RSASSA-PKCS1-v1_5 verify of the canonical
//! SignedInfo, including its SHA-256: 0.7 KB), `dsig` (the whole
//! `verify_enveloped`: plan, c14n, digests, RSA), `document` (`verify_document`: structure,
//! dsig, SAML checks, identity), `total` (`verify_post_response`).

use std::time::Instant;

use saml_edge::danger::AlgorithmPolicy;
use saml_edge::internal::c14n::{Options, canonicalize};
use saml_edge::internal::crypto::{DigestAlgorithm, SignatureAlgorithm};
use saml_edge::internal::dsig::{DSIG_NS, verify_enveloped};
use saml_edge::internal::encoding;
use saml_edge::xml::Document;
use saml_edge::{Certificate, Expect, IdentityProvider, Limits, ServiceProvider, UnixTime};
use serde_json::Value;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/generated");
const ASSERTION_NS: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
const STAGES: [&str; 8] = [
    "base64", "parse", "c14n", "sha256", "rsa", "dsig", "document", "total",
];

fn main() {
    let mut args = std::env::args().skip(1);
    let stage = args.next();
    let iterations: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(10);

    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{DATA}/cases.json")).unwrap())
            .unwrap();
    let defaults = &manifest["defaults"];
    let xml = std::fs::read(format!("{DATA}/entra2021_assertion_signed_compact.xml")).unwrap();
    let form = encoding::encode_base64(&xml);
    let pem = std::fs::read(format!("{DATA}/idp.crt")).unwrap();
    let certs = Certificate::parse_all(&pem).unwrap();
    let mut idp = IdentityProvider::new(defaults["idpEntityId"].as_str().unwrap(), "");
    for c in &certs {
        idp = idp.certificate(c.clone());
    }
    let sp = ServiceProvider::builder()
        .entity_id(defaults["spEntityId"].as_str().unwrap())
        .acs_url(defaults["acsUrl"].as_str().unwrap())
        .idp(idp)
        .build()
        .unwrap();
    let expect = Expect {
        request_id: defaults["requestId"].as_str(),
        now: UnixTime::parse_rfc3339_utc(defaults["now"].as_str().unwrap()).unwrap(),
    };
    let limits = Limits::default();

    // Inputs of the later stages, prepared once.
    let doc = Document::parse(&xml, &limits).unwrap();
    let (assertion, _) = doc
        .child_elements(doc.root())
        .find(|(_, e)| e.is(ASSERTION_NS, "Assertion"))
        .unwrap();
    let (signature, _) = doc
        .child_elements(assertion)
        .find(|(_, e)| e.is(DSIG_NS, "Signature"))
        .unwrap();
    let (signed_info, _) = doc.child_elements(signature).next().unwrap();
    let (signature_value, _) = doc.child_elements(signature).nth(1).unwrap();
    let signature_bytes = encoding::decode_base64(&doc.text(signature_value), 4096).unwrap();
    let c14n_both = || {
        let info = canonicalize(&doc, signed_info, &Options::default());
        let element = canonicalize(
            &doc,
            assertion,
            &Options {
                exclude: Some(signature),
                ..Options::default()
            },
        );
        (info, element)
    };
    let (info_bytes, element_bytes) = c14n_both();
    let key = certs[0].public_key();
    key.verify(SignatureAlgorithm::RsaSha256, &info_bytes, &signature_bytes)
        .expect("the SignedInfo signature verifies");

    let run = |stage: &str| match stage {
        "base64" => drop(std::hint::black_box(
            encoding::decode_post_field(std::hint::black_box(&form), &limits).unwrap(),
        )),
        "parse" => drop(std::hint::black_box(
            Document::parse(std::hint::black_box(&xml), &limits).unwrap(),
        )),
        "c14n" => drop(std::hint::black_box(c14n_both())),
        "sha256" => drop(std::hint::black_box(
            DigestAlgorithm::Sha256.digest(std::hint::black_box(&element_bytes)),
        )),
        "rsa" => key
            .verify(
                SignatureAlgorithm::RsaSha256,
                std::hint::black_box(&info_bytes),
                &signature_bytes,
            )
            .unwrap(),
        "dsig" => drop(std::hint::black_box(
            verify_enveloped(&doc, signature, &certs, &AlgorithmPolicy::default()).unwrap(),
        )),
        "document" => drop(std::hint::black_box(
            sp.verify_document(std::hint::black_box(&doc), &expect)
                .unwrap(),
        )),
        "total" => drop(std::hint::black_box(
            sp.verify_post_response(std::hint::black_box(&form), &expect)
                .unwrap(),
        )),
        other => panic!("unknown stage {other}; stages: {STAGES:?}"),
    };

    match stage.as_deref() {
        Some(stage) => {
            for _ in 0..iterations {
                run(stage);
            }
        }
        None => {
            println!(
                "{} bytes of XML, {} of canonical assertion; median of 31 batches",
                xml.len(),
                element_bytes.len()
            );
            for stage in STAGES {
                let batch = 50;
                let mut samples: Vec<f64> = (0..31)
                    .map(|_| {
                        let t = Instant::now();
                        for _ in 0..batch {
                            run(stage);
                        }
                        t.elapsed().as_secs_f64() * 1e6 / f64::from(batch)
                    })
                    .collect();
                samples.sort_by(f64::total_cmp);
                println!("{stage:>9}: {:8.1} µs", samples[15]);
            }
        }
    }
}
