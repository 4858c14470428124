//! The xmlsec1-signed test responses and the attacks derived from them (`tests/gen/generate.py`
//! → `tests/data/generated/cases.json`). Every case asserts its exact outcome: the identity for
//! legitimate responses, the exact error code for everything else.
//!
//! A second test re-runs the generator with fresh keys and the current time as base time
//! (`--base-time`) into a temporary folder and checks the same verdicts, so nothing here depends
//! on committed bytes or on the committed base time alone.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use saml_edge::{
    Certificate, Error, Expect, Identity, IdentityProvider, ServiceProvider, UnixTime,
};
use serde_json::Value;

fn committed_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/generated"))
}

/// A case's effective configuration: the manifest defaults overridden by the case.
fn setting<'a>(defaults: &'a Value, case: &'a Value, key: &str) -> &'a Value {
    match case.get("config").and_then(|c| c.get(key)) {
        Some(v) => v,
        None => defaults.get(key).unwrap_or(&Value::Null),
    }
}

fn service_provider(dir: &Path, defaults: &Value, case: &Value) -> Result<ServiceProvider, Error> {
    let get = |key| setting(defaults, case, key);
    let mut idp = IdentityProvider::new(get("idpEntityId").as_str().unwrap_or_default(), "");
    for cert in get("idpCerts").as_array().expect("idpCerts") {
        let bytes = std::fs::read(dir.join(cert.as_str().unwrap())).expect("certificate file");
        for c in Certificate::parse_all(&bytes)? {
            idp = idp.certificate(c);
        }
    }
    let mut builder = ServiceProvider::builder()
        .entity_id(get("spEntityId").as_str().unwrap_or_default())
        .acs_url(get("acsUrl").as_str().unwrap_or_default())
        .idp(idp)
        .danger_allow_sha1(get("allowSha1").as_bool().unwrap_or(false))
        .allow_unsolicited(get("allowUnsolicited").as_bool().unwrap_or(false))
        .clock_skew(Duration::from_secs(
            get("clockSkewSeconds").as_u64().unwrap_or(180),
        ));
    for audience in get("extraAudiences").as_array().into_iter().flatten() {
        builder = builder.extra_audience(audience.as_str().unwrap());
    }
    // Encrypted assertions: the SP decryption keys (PEM files), tried in order.
    for key in get("spKeys").as_array().into_iter().flatten() {
        let pem = std::fs::read_to_string(dir.join(key.as_str().unwrap())).expect("SP key file");
        builder = builder.decryption_key_pem(&pem)?;
    }
    builder
        .decrypt_only_signed_responses(get("decryptOnlySignedResponses").as_bool().unwrap_or(false))
        .build()
}

/// Builds the in-memory input described by a `generate` recipe (kept out of the repository
/// because of its size), exactly as `tests/gen/README.md` ("Recipes") specifies.
fn generated_input(dir: &Path, recipe: &Value) -> Vec<u8> {
    let count = |key: &str| recipe[key].as_u64().expect("recipe count") as usize;
    let text = |key: &str| recipe[key].as_str().expect("recipe field").to_owned();
    let kind = recipe["kind"].as_str().expect("recipe kind");
    if kind == "repeat" {
        return text("unit").repeat(count("count")).into_bytes();
    }
    let base = std::fs::read(dir.join(text("base"))).expect("recipe base file");
    let anchor = text("anchor").into_bytes();
    let at = base
        .windows(anchor.len())
        .position(|w| w == anchor.as_slice())
        .expect("recipe anchor")
        + anchor.len();
    let inserted = match kind {
        "deep_nesting" => {
            let e = text("element");
            format!(
                "{}{}",
                format!("<{e}>").repeat(count("depth")),
                format!("</{e}>").repeat(count("depth"))
            )
        }
        "many_attributes" => {
            let p = text("name_prefix");
            (0..count("count"))
                .map(|k| format!(" {p}{k}=\"urn:x:{k}\""))
                .collect()
        }
        "long_text" => format!(
            "{}{}{}",
            text("prefix"),
            text("char").repeat(count("length")),
            text("suffix")
        ),
        "many_elements" => {
            let fragment = text("fragment");
            (0..count("count"))
                .map(|k| fragment.replace("{i}", &k.to_string()))
                .collect()
        }
        other => panic!("unknown recipe kind {other}: see tests/gen/README.md"),
    };
    let mut out = base;
    out.splice(at..at, inserted.into_bytes());
    out
}

fn run_case(dir: &Path, defaults: &Value, case: &Value) -> Result<Identity, Error> {
    let sp = service_provider(dir, defaults, case)?;
    let get = |key| setting(defaults, case, key);
    let now =
        UnixTime::parse_rfc3339_utc(get("now").as_str().expect("now")).expect("now is RFC 3339");
    let expect = Expect {
        request_id: get("requestId").as_str(),
        now,
    };
    let bytes = match case.get("generate") {
        Some(recipe) => generated_input(dir, recipe),
        None => std::fs::read(dir.join(case["file"].as_str().expect("file"))).expect("case file"),
    };
    match case["encoding"].as_str().unwrap_or("xml") {
        "xml" => sp.verify_xml(&bytes, &expect),
        "base64" => {
            sp.verify_post_response(&String::from_utf8(bytes).expect("base64 is text"), &expect)
        }
        other => panic!("unknown encoding {other}"),
    }
}

fn check_identity(name: &str, identity: &Identity, expected: &Value) {
    if let Some(name_id) = expected.get("nameId").and_then(Value::as_str) {
        assert_eq!(identity.name_id, name_id, "{name}: NameID");
    }
    if let Some(format) = expected.get("nameIdFormat").and_then(Value::as_str) {
        assert_eq!(
            identity.name_id_format.as_deref(),
            Some(format),
            "{name}: NameID Format"
        );
    }
    if let Some(index) = expected.get("sessionIndex").and_then(Value::as_str) {
        assert_eq!(
            identity.session_index.as_deref(),
            Some(index),
            "{name}: SessionIndex"
        );
    }
    if let Some(attributes) = expected.get("attributes").and_then(Value::as_object) {
        let actual: BTreeMap<&str, Vec<&str>> = identity
            .attributes
            .iter()
            .map(|a| {
                (
                    a.name.as_str(),
                    a.values.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        for (key, values) in attributes {
            let values: Vec<&str> = values
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            assert_eq!(
                actual.get(key.as_str()),
                Some(&values),
                "{name}: attribute {key}"
            );
        }
    }
}

/// Runs every case of a manifest; returns (cases run, failures).
fn run_manifest(dir: &Path) -> (usize, Vec<String>) {
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("cases.json")).expect("cases.json"))
            .unwrap();
    let defaults = &manifest["defaults"];
    let mut failures = Vec::new();
    let cases = manifest["cases"].as_array().expect("cases");
    for case in cases {
        let name = case["name"].as_str().unwrap_or("?");
        let expected = case["expect"].as_str().expect("expect");
        let outcome = std::panic::catch_unwind(|| run_case(dir, defaults, case));
        match (outcome, expected) {
            (Err(_), _) => failures.push(format!("{name}: PANIC (expected {expected})")),
            (Ok(Ok(identity)), "valid") => {
                if let Err(panic) = std::panic::catch_unwind(|| {
                    check_identity(
                        name,
                        &identity,
                        case.get("identity").unwrap_or(&Value::Null),
                    )
                }) {
                    let message = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .unwrap_or_else(|| "identity mismatch".to_owned());
                    failures.push(format!("{name}: {message}"));
                }
            }
            (Ok(Ok(identity)), code) => failures.push(format!(
                "{name}: ACCEPTED as {:?}, expected {code}",
                identity.name_id
            )),
            (Ok(Err(e)), code) if e.code() == code => {}
            (Ok(Err(e)), code) => {
                failures.push(format!("{name}: got {} ({e}), expected {code}", e.code()))
            }
        }
    }
    (cases.len(), failures)
}

#[test]
fn committed_generated_cases() {
    let (count, failures) = run_manifest(&committed_dir());
    println!("{count} generated cases checked");
    assert!(
        count > 100,
        "the generated manifest should hold the full attack catalogue"
    );
    assert!(
        failures.is_empty(),
        "{} of {count} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Re-creates the whole data set with fresh keys (xmlsec1 + openssl + lxml), with every time
/// relative to the current time instead of 2026-01-15T10:00:00Z, and checks it.
/// Skipped only when the generator's tools are missing *and* we are not in CI.
#[test]
fn regenerated_cases_with_fresh_keys() {
    let tools = ["xmlsec1", "openssl", "python3"];
    let missing: Vec<&str> = tools
        .iter()
        .copied()
        .filter(|t| {
            std::process::Command::new("sh")
                .arg("-c")
                .arg(format!("command -v {t}"))
                .output()
                .map_or(true, |o| !o.status.success())
        })
        .collect();
    if !missing.is_empty() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have {missing:?} (make setup installs them)"
        );
        eprintln!("skipping: {missing:?} not installed (run make setup)");
        return;
    }
    let out = std::env::temp_dir().join(format!("saml-edge-fresh-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs();
    let base = UnixTime::from_secs(i64::try_from(secs).expect("seconds fit i64"));
    let status = std::process::Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/gen/generate.py"
        ))
        .arg("--out")
        .arg(&out)
        .arg("--fresh-keys")
        .arg("--base-time")
        .arg(base.to_rfc3339())
        .status()
        .expect("run the generator");
    assert!(status.success(), "generate.py --base-time {base} failed");
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("cases.json")).expect("cases.json"))
            .unwrap();
    let (count, failures) = run_manifest(&out);
    let _ = std::fs::remove_dir_all(&out);
    assert_eq!(
        manifest["defaults"]["now"].as_str(),
        Some(base.plus_secs(60).to_rfc3339().as_str()),
        "now = base time + 1 minute"
    );
    assert!(count > 100);
    assert!(
        failures.is_empty(),
        "{} of {count} fresh cases (--base-time {base}) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn fixtures_dir_is_reachable() {
    assert!(common::fixtures_dir().join("manifest.json").exists());
}
