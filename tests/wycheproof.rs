//! Project Wycheproof RSASSA-PKCS1-v1_5 vectors through `RsaPublicKey::verify`.
//!
//! Every file listed under `wycheproof` in `tests/fixtures/manifest.json` is run. Both
//! layouts are read: `v0` (`testvectors/`: group keys `keyDer`, `keyPem`, `keyAsn`, `keysize`)
//! and `v1` (`testvectors_v1/`: `publicKeyDer`, `publicKeyPem`, `publicKeyAsn`, `keySize`).
//!
//! Verdicts: `valid` must verify, `invalid` must not. Wycheproof's `acceptable` vectors are
//! decided by their flags, deterministically:
//!
//! * `MissingNull` (DigestInfo without the NULL parameters, a legacy encoding): **rejected**;
//!   our verifier compares the whole encoded message with the one canonical encoding.
//! * `SmallPublicKey` (public exponent 3; v0 files only, the same vectors are `valid` in v1):
//!   **accepted**; the signatures are correctly padded and exponent 3 is not refused at
//!   verification time.
//!
//! An `acceptable` vector with any other flag fails the test, so a new kind must be decided
//! explicitly.

mod common;

use std::path::Path;

use saml_edge::{RsaPublicKey, SignatureAlgorithm};
use serde_json::Value;

/// Files deliberately not run, with the reason. Every listed file is currently supported.
const EXPECTED_SKIPS: &[(&str, &str)] = &[];

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

fn hex(text: &str) -> Vec<u8> {
    assert!(text.len().is_multiple_of(2), "odd hex length");
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex digit"))
        .collect()
}

fn str_field<'a>(value: &'a Value, name: &str) -> &'a str {
    value[name]
        .as_str()
        .unwrap_or_else(|| panic!("missing string field {name}"))
}

fn algorithm_for(hash: &str) -> Option<SignatureAlgorithm> {
    match hash {
        "SHA-1" => Some(SignatureAlgorithm::RsaSha1),
        "SHA-256" => Some(SignatureAlgorithm::RsaSha256),
        "SHA-384" => Some(SignatureAlgorithm::RsaSha384),
        "SHA-512" => Some(SignatureAlgorithm::RsaSha512),
        _ => None,
    }
}

/// Field names of the group key in each layout: (SPKI DER hex, SPKI PEM, PKCS#1 DER hex, size).
fn key_fields(layout: &str) -> (&'static str, &'static str, &'static str, &'static str) {
    match layout {
        "v0" => ("keyDer", "keyPem", "keyAsn", "keysize"),
        "v1" => ("publicKeyDer", "publicKeyPem", "publicKeyAsn", "keySize"),
        other => panic!("unknown Wycheproof layout {other}"),
    }
}

/// Loads a group's key from its SPKI DER, checking that the PEM and PKCS#1 forms agree.
fn group_key(group: &Value, layout: &str) -> RsaPublicKey {
    let (der_field, pem_field, asn_field, size_field) = key_fields(layout);
    let der = hex(str_field(group, der_field));
    let key = RsaPublicKey::from_spki_der(&der).expect("group SPKI loads");
    let pem_body: String = str_field(group, pem_field)
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    let pem_der =
        saml_edge::internal::encoding::decode_base64(&pem_body, 1 << 16).expect("PEM body");
    assert_eq!(pem_der, der, "PEM and DER forms of the group key differ");
    let pkcs1 = RsaPublicKey::from_pkcs1_der(&hex(str_field(group, asn_field)));
    assert_eq!(pkcs1.as_ref().ok(), Some(&key), "PKCS#1 form differs");
    let size = group[size_field].as_u64().expect("key size");
    assert_eq!(key.bits() as u64, size, "key size");
    key
}

/// What the verifier must answer for one vector: `true` = accept.
fn expected_verdict(test: &Value) -> bool {
    let flags: Vec<&str> = test["flags"]
        .as_array()
        .map(|flags| flags.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    match str_field(test, "result") {
        "valid" => true,
        "invalid" => false,
        "acceptable" if flags.contains(&"MissingNull") => false,
        "acceptable" if flags.contains(&"SmallPublicKey") => true,
        other => panic!(
            "tcId {}: undecided {other} vector with flags {flags:?}",
            test["tcId"]
        ),
    }
}

/// Counts of vectors run, by Wycheproof result.
#[derive(Debug, Default, PartialEq, Eq)]
struct Counts {
    valid: u64,
    invalid: u64,
    acceptable: u64,
}

impl Counts {
    fn total(&self) -> u64 {
        self.valid + self.invalid + self.acceptable
    }

    fn add(&mut self, result: &str) {
        match result {
            "valid" => self.valid += 1,
            "invalid" => self.invalid += 1,
            _ => self.acceptable += 1,
        }
    }
}

fn run_file(entry: &Value, root: &Path) -> Counts {
    let file = str_field(entry, "file");
    let layout = str_field(entry, "layout");
    let alg = algorithm_for(str_field(entry, "hash")).expect("supported hash");
    let json = read_json(&root.join(file));
    assert_eq!(str_field(&json, "algorithm"), "RSASSA-PKCS1-v1_5", "{file}");
    let mut counts = Counts::default();
    let mut failures = Vec::new();
    for group in json["testGroups"].as_array().expect("testGroups") {
        assert_eq!(algorithm_for(str_field(group, "sha")), Some(alg), "{file}");
        let key = group_key(group, layout);
        for test in group["tests"].as_array().expect("tests") {
            let accept = expected_verdict(test);
            let msg = hex(str_field(test, "msg"));
            let sig = hex(str_field(test, "sig"));
            let verdict = key.verify(alg, &msg, &sig);
            if verdict.is_ok() != accept {
                failures.push(format!(
                    "tcId {} ({}): expected accept={accept}, got {verdict:?}",
                    test["tcId"],
                    str_field(test, "comment")
                ));
            }
            counts.add(str_field(test, "result"));
        }
    }
    assert!(failures.is_empty(), "{file}:\n{}", failures.join("\n"));
    assert_eq!(
        counts.total(),
        json["numberOfTests"].as_u64().expect("numberOfTests"),
        "{file}"
    );
    counts
}

#[test]
fn wycheproof_rsa_pkcs1_v15_vectors() {
    let root = common::fixtures_dir();
    let manifest = common::manifest();
    let entries = manifest["wycheproof"]
        .as_array()
        .expect("wycheproof section");
    let mut skipped: Vec<(String, String)> = Vec::new();
    let mut total = 0;
    for entry in entries {
        let file = str_field(entry, "file");
        let hash = str_field(entry, "hash");
        if str_field(entry, "algorithm") != "RSASSA-PKCS1-v1_5" {
            skipped.push((file.to_owned(), "not RSASSA-PKCS1-v1_5".to_owned()));
            continue;
        }
        if algorithm_for(hash).is_none() {
            skipped.push((file.to_owned(), format!("unsupported hash {hash}")));
            continue;
        }
        let counts = run_file(entry, &root);
        let declared = &entry["tests"];
        let expected = Counts {
            valid: declared["valid"].as_u64().expect("valid count"),
            invalid: declared["invalid"].as_u64().expect("invalid count"),
            acceptable: declared["acceptable"].as_u64().expect("acceptable count"),
        };
        assert_eq!(counts, expected, "{file}: counts differ from the manifest");
        println!(
            "{file}: {} vectors checked (valid {}, invalid {}, acceptable {})",
            counts.total(),
            counts.valid,
            counts.invalid,
            counts.acceptable
        );
        assert!(counts.total() > 0, "{file}: no vectors ran");
        total += counts.total();
    }
    let expected_skips: Vec<(String, String)> = EXPECTED_SKIPS
        .iter()
        .map(|(file, why)| ((*file).to_owned(), (*why).to_owned()))
        .collect();
    assert_eq!(skipped, expected_skips, "unexpected skip list");
    println!(
        "total: {total} vectors in {} files",
        entries.len() - skipped.len()
    );
    assert!(total > 0, "no Wycheproof vectors ran");
}

/// The Wycheproof RSASSA-PKCS1-v1_5 files that tests/fixtures does not carry, kept in
/// tests/data/wycheproof/ (copied unmodified from C2SP/wycheproof `testvectors_v1/` at commit
/// dac1dd4729fd1f8dd9e1e9f3dce51d783da6c166). Every `rsa_signature_*_test.json` there is run;
/// with tests/fixtures this covers 2048, 3072 and 4096-bit keys with SHA-256, SHA-384 and
/// SHA-512. Wycheproof has no RSASSA-PKCS1-v1_5 SHA-1 file (SHA-1 is covered by the OpenSSL
/// signatures of the unit tests and by the differential test against the `rsa` crate).
#[test]
fn wycheproof_rsa_pkcs1_v15_vectors_all_sizes() {
    let local = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data"));
    let mut covered: Vec<(u64, String)> = Vec::new();
    let mut names: Vec<String> = std::fs::read_dir(local.join("wycheproof"))
        .expect("tests/data/wycheproof")
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.starts_with("rsa_signature_") && name.ends_with("_test.json"))
        .collect();
    names.sort();
    assert!(
        names.len() >= 4,
        "the local Wycheproof files are missing: {names:?}"
    );
    for name in &names {
        let file = format!("wycheproof/{name}");
        let json = read_json(&local.join(&file));
        let group = &json["testGroups"][0];
        let hash = str_field(group, "sha").to_owned();
        let size = group["keySize"].as_u64().expect("keySize");
        let entry = serde_json::json!({ "file": file, "layout": "v1", "hash": hash });
        let counts = run_file(&entry, local);
        println!("{file}: {} vectors checked ({counts:?})", counts.total());
        covered.push((size, hash));
    }
    let manifest = common::manifest();
    for entry in manifest["wycheproof"]
        .as_array()
        .expect("wycheproof section")
    {
        let size = entry["keySize"].as_u64().expect("keySize");
        covered.push((size, str_field(entry, "hash").to_owned()));
    }
    for size in [2048, 3072, 4096] {
        for hash in ["SHA-256", "SHA-384", "SHA-512"] {
            assert!(
                covered.contains(&(size, hash.to_owned())),
                "no Wycheproof vectors for {size}-bit keys with {hash}"
            );
        }
    }
}
