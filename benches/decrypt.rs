//! The cost of an encrypted assertion (Entra "Token encryption"): native verification of the
//! generated Entra-shaped encrypted responses (AES-256-CBC and AES-256-GCM content, RSA-OAEP
//! key transport to a 2048-bit SP key, assertion signed inside), next to the same SP verifying
//! the plain Entra response, and the decryptor alone: `make bench` (criterion).

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use saml_edge::internal::{encoding, xmlenc};
use saml_edge::xml::Document;
use saml_edge::{DecryptionKey, Expect, IdentityProvider, Limits, ServiceProvider, UnixTime};
use serde_json::Value;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/generated");

fn read(name: &str) -> String {
    std::fs::read_to_string(format!("{DATA}/{name}")).unwrap()
}

fn bench(c: &mut Criterion) {
    let manifest: Value = serde_json::from_str(&read("cases.json")).unwrap();
    let d = &manifest["defaults"];
    let idp = IdentityProvider::new(d["idpEntityId"].as_str().unwrap(), "")
        .certificate_pem(&read("idp.crt"))
        .unwrap();
    let sp = ServiceProvider::builder()
        .entity_id(d["spEntityId"].as_str().unwrap())
        .acs_url(d["acsUrl"].as_str().unwrap())
        .idp(idp)
        .decryption_key_pem(&read("sp-enc.key"))
        .unwrap()
        .build()
        .unwrap();
    let expect = Expect {
        request_id: d["requestId"].as_str(),
        now: UnixTime::parse_rfc3339_utc(d["now"].as_str().unwrap()).unwrap(),
    };
    let mut group = c.benchmark_group("decrypt");
    group.measurement_time(Duration::from_secs(5));
    for name in [
        "enc_aes256cbc_mgf1p_inline",
        "enc_aes256gcm_oaep11_sha256_sibling",
        "entra2021_assertion_signed_compact",
    ] {
        let xml = read(&format!("{name}.xml"));
        let form_value = encoding::encode_base64(xml.as_bytes());
        sp.verify_post_response(&form_value, &expect)
            .expect("the benchmark response verifies");
        group.bench_function(format!("verify_{name}_{}_bytes", xml.len()), |b| {
            b.iter(|| {
                sp.verify_post_response(std::hint::black_box(&form_value), &expect)
                    .unwrap()
            })
        });
    }
    // The decryptor alone: key unwrap (blinded RSA-OAEP), AES, parse of the plaintext.
    let keys = [DecryptionKey::from_pem(&read("sp-enc.key")).unwrap()];
    let xml = read("enc_aes256cbc_mgf1p_inline.xml");
    let doc = Document::parse(xml.as_bytes(), &Limits::default()).unwrap();
    let encrypted = doc.child_elements(doc.root()).last().unwrap().0;
    group.bench_function("decrypt_assertion_aes256cbc_rsa_oaep_2048", |b| {
        b.iter(|| {
            xmlenc::decrypt_assertion(
                &doc,
                std::hint::black_box(encrypted),
                &keys,
                &Limits::default(),
            )
            .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
