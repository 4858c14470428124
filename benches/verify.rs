//! Native verification of Entra-shaped responses (assertion signed with RSA-SHA256, the Entra
//! default): `make bench`.
//!
//! * `verify/entra_post_response_5130_bytes`: the 5 KB response signed by xmlsec1
//!   (tests/data/generated, the figure of the README);
//! * `size/…`: the size series, 5 KB, 17 KB (150 group claims, tests/data/generated), 100 KB and
//!   0.75 MB (target/bench-data, made and signed by xmlsec1 with `python3 bench/make_sizes.py`,
//!   which `make bench` runs; the largest is the largest POST field the default limits accept),
//!   with throughput in bytes of XML so that linear growth shows as a constant rate.

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use saml_edge::internal::encoding;
use saml_edge::{Certificate, Expect, IdentityProvider, ServiceProvider, UnixTime};
use serde_json::Value;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/generated");
const SIZES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/target/bench-data");

struct World {
    sp: ServiceProvider,
    manifest: Value,
    defaults: Value,
}

fn world() -> World {
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{DATA}/cases.json")).unwrap())
            .unwrap();
    let defaults = manifest["defaults"].clone();
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
    World {
        sp,
        manifest,
        defaults,
    }
}

/// The XML of a valid case of cases.json.
fn case_xml(world: &World, name: &str) -> Vec<u8> {
    let case = world.manifest["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name && c["expect"] == "valid")
        .unwrap_or_else(|| panic!("the valid case {name}"));
    std::fs::read(format!("{DATA}/{}", case["file"].as_str().unwrap())).unwrap()
}

fn bench(c: &mut Criterion) {
    let world = world();
    let now = UnixTime::parse_rfc3339_utc(world.defaults["now"].as_str().unwrap()).unwrap();
    let expect = Expect {
        request_id: world.defaults["requestId"].as_str(),
        now,
    };
    let sp = &world.sp;
    let small = case_xml(&world, "entra2021_assertion_signed_compact");
    let form_value = encoding::encode_base64(&small);
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

    let mut series = vec![
        ("5k", small),
        ("17k_150_groups", case_xml(&world, "entra2021_groups150")),
    ];
    for (label, name) in [("100k", "entra_100k.xml"), ("750k", "entra_750k.xml")] {
        match std::fs::read(format!("{SIZES}/{name}")) {
            Ok(xml) => series.push((label, xml)),
            // `make bench` builds them; a bare `cargo bench` runs the rest.
            Err(err) => eprintln!(
                "skipping size/{label}: {SIZES}/{name}: {err} (make it with `python3 bench/make_sizes.py`)"
            ),
        }
    }
    let mut group = c.benchmark_group("size");
    group.measurement_time(Duration::from_secs(5));
    for (name, xml) in &series {
        let form_value = encoding::encode_base64(xml);
        sp.verify_post_response(&form_value, &expect)
            .unwrap_or_else(|err| panic!("{name} does not verify: {err}"));
        group.throughput(Throughput::Bytes(xml.len() as u64));
        if xml.len() > 500_000 {
            group.sample_size(20);
        }
        group.bench_function(format!("{name}_{}_bytes", xml.len()), |b| {
            b.iter(|| {
                sp.verify_post_response(std::hint::black_box(&form_value), &expect)
                    .unwrap()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
