//! Native verification of an Entra-shaped response (assertion signed with RSA-SHA256, the Entra
//! default), signed by xmlsec1: `make bench`.

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use saml_edge::internal::encoding;
use saml_edge::{Certificate, Expect, IdentityProvider, ServiceProvider, UnixTime};
use serde_json::Value;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/generated");

fn load() -> (ServiceProvider, String, Value) {
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{DATA}/cases.json")).unwrap())
            .unwrap();
    let defaults = manifest["defaults"].clone();
    let case = manifest["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "entra2021_assertion_signed_compact" && c["expect"] == "valid")
        .expect("the Entra 2021 assertion-signed case")
        .clone();
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
    let xml = std::fs::read(format!("{DATA}/{}", case["file"].as_str().unwrap())).unwrap();
    (sp, encoding::encode_base64(&xml), defaults)
}

fn bench(c: &mut Criterion) {
    let (sp, form_value, defaults) = load();
    let now = UnixTime::parse_rfc3339_utc(defaults["now"].as_str().unwrap()).unwrap();
    let expect = Expect {
        request_id: defaults["requestId"].as_str(),
        now,
    };
    sp.verify_post_response(&form_value, &expect)
        .expect("the benchmark response verifies");
    let mut group = c.benchmark_group("verify");
    group.measurement_time(Duration::from_secs(5));
    group.bench_function(
        format!("entra_post_response_{}_bytes", form_value.len() * 3 / 4),
        |b| {
            b.iter(|| {
                sp.verify_post_response(std::hint::black_box(&form_value), &expect)
                    .unwrap()
            })
        },
    );
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
