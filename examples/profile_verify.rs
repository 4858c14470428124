//! Runs `verify_post_response` on one generated response N times, for instruction-count
//! profiles that do not depend on machine load:
//!
//! ```text
//! cargo build --release --example profile_verify
//! valgrind --tool=callgrind --toggle-collect='*verify_post_response*' \
//!   target/release/examples/profile_verify [case] [iterations]
//! callgrind_annotate --inclusive=yes callgrind.out.<pid>
//! ```
//!
//! `case` is a case name of tests/data/generated/cases.json (default: the 5 KB Entra-shaped
//! response), or a path to an XML file signed by the generated IdP key.

use saml_edge::internal::encoding;
use saml_edge::{Certificate, Expect, IdentityProvider, ServiceProvider, UnixTime};
use serde_json::Value;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/generated");

fn main() {
    let mut args = std::env::args().skip(1);
    let case_name = args
        .next()
        .unwrap_or_else(|| "entra2021_assertion_signed_compact".to_owned());
    let iterations: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(10);
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{DATA}/cases.json")).unwrap())
            .unwrap();
    let defaults = &manifest["defaults"];
    let file = manifest["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == case_name.as_str() && c["expect"] == "valid")
        .map_or_else(
            || case_name.clone(),
            |c| format!("{DATA}/{}", c["file"].as_str().unwrap()),
        );
    let mut idp = IdentityProvider::new(defaults["idpEntityId"].as_str().unwrap(), "");
    for cert in defaults["idpCerts"].as_array().unwrap() {
        let pem = std::fs::read(format!("{DATA}/{}", cert.as_str().unwrap())).unwrap();
        for c in Certificate::parse_all(&pem).unwrap() {
            idp = idp.certificate(c);
        }
    }
    let sp = ServiceProvider::builder()
        .entity_id(defaults["spEntityId"].as_str().unwrap())
        .acs_url(defaults["acsUrl"].as_str().unwrap())
        .idp(idp)
        .build()
        .unwrap();
    let xml = std::fs::read(&file).unwrap();
    let form_value = encoding::encode_base64(&xml);
    let expect = Expect {
        request_id: defaults["requestId"].as_str(),
        now: UnixTime::parse_rfc3339_utc(defaults["now"].as_str().unwrap()).unwrap(),
    };
    for _ in 0..iterations {
        std::hint::black_box(
            sp.verify_post_response(std::hint::black_box(&form_value), &expect)
                .expect("the response verifies"),
        );
    }
    eprintln!("{file}: {} bytes, {iterations} verifications", xml.len());
}
