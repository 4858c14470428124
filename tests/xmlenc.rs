//! Encrypted assertions (issue 17) beyond the manifest cases of `generated_cases.rs`: the CLI's
//! `--sp-key` / `--decrypt-only-signed-responses` / `--encryption-cert`, key loading, the
//! metadata `KeyDescriptor use="encryption"`, `inspect`, and the uniformity of the refusals.
//! The encrypted responses are the ones `tests/gen/generate.py` wrote with Python
//! `cryptography` (cases `enc_*` in `tests/data/generated/cases.json`).

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use saml_edge::sp::CheckResult;
use saml_edge::{
    Certificate, DecryptionKey, Error, Expect, IdentityProvider, ServiceProvider, UnixTime,
};
use serde_json::Value;

fn dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/generated"))
}

fn path(name: &str) -> String {
    dir().join(name).display().to_string()
}

fn read(name: &str) -> String {
    std::fs::read_to_string(dir().join(name)).expect("generated file")
}

fn manifest() -> Value {
    serde_json::from_str(&read("cases.json")).expect("cases.json")
}

fn case(name: &str) -> Value {
    manifest()["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|c| c["name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("no case {name}"))
}

fn defaults() -> Value {
    manifest()["defaults"].clone()
}

fn builder() -> saml_edge::ServiceProviderBuilder {
    let d = defaults();
    let idp = IdentityProvider::new(d["idpEntityId"].as_str().unwrap(), "")
        .certificate_pem(&read("idp.crt"))
        .expect("IdP certificate");
    ServiceProvider::builder()
        .entity_id(d["spEntityId"].as_str().unwrap())
        .acs_url(d["acsUrl"].as_str().unwrap())
        .idp(idp)
}

fn expect_now() -> UnixTime {
    UnixTime::parse_rfc3339_utc(defaults()["now"].as_str().unwrap()).unwrap()
}

fn verify(sp: &ServiceProvider, file: &str) -> Result<saml_edge::Identity, Error> {
    let d = defaults();
    sp.verify_xml(
        read(file).as_bytes(),
        &Expect {
            request_id: d["requestId"].as_str(),
            now: expect_now(),
        },
    )
}

fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_saml-edge"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run saml-edge");
    // The CLI may exit (usage error) before it reads stdin: a broken pipe is fine.
    let _ = child.stdin.take().expect("stdin").write_all(stdin);
    child.wait_with_output().expect("wait")
}

fn cli_verify(file: &str, extra: &[&str]) -> (Option<i32>, Value) {
    let d = defaults();
    let idp_cert = path("idp.crt");
    let mut args = vec![
        "verify",
        "--idp-cert",
        &idp_cert,
        "--idp-entity-id",
        d["idpEntityId"].as_str().unwrap(),
        "--sp-entity-id",
        d["spEntityId"].as_str().unwrap(),
        "--acs-url",
        d["acsUrl"].as_str().unwrap(),
        "--request-id",
        d["requestId"].as_str().unwrap(),
        "--now",
        d["now"].as_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let output = run(&args, read(file).as_bytes());
    let json = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    (output.status.code(), json)
}

#[test]
fn cli_decrypts_with_sp_key_and_prints_the_identity() {
    let expected = case("enc_aes256cbc_mgf1p_inline");
    let key = path("sp-enc.key");
    let (code, json) = cli_verify("enc_aes256cbc_mgf1p_inline.xml", &["--sp-key", &key]);
    assert_eq!(code, Some(0), "{json}");
    assert_eq!(json["nameId"], expected["identity"]["nameId"]);
    for (name, values) in expected["identity"]["attributes"].as_object().unwrap() {
        assert_eq!(&json["attributes"][name], values, "{name}");
    }
    // base64 form value too
    let b64 = saml_edge::internal::encoding::encode_base64(
        read("enc_aes256gcm_oaep11_sibling.xml").as_bytes(),
    );
    let d = defaults();
    let idp_cert = path("idp.crt");
    let output = run(
        &[
            "verify",
            "--idp-cert",
            &idp_cert,
            "--idp-entity-id",
            d["idpEntityId"].as_str().unwrap(),
            "--sp-entity-id",
            d["spEntityId"].as_str().unwrap(),
            "--acs-url",
            d["acsUrl"].as_str().unwrap(),
            "--request-id",
            d["requestId"].as_str().unwrap(),
            "--now",
            d["now"].as_str().unwrap(),
            "--sp-key",
            &key,
        ],
        b64.as_bytes(),
    );
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn cli_sp_key_is_repeatable_pkcs1_and_first_match_wins() {
    let old = path("sp-enc.key");
    let new = path("sp-enc2.key"); // PKCS#1
    assert!(read("sp-enc2.key").contains("BEGIN RSA PRIVATE KEY"));
    let file = "enc_rollover_to_new_key.xml";
    let (code, json) = cli_verify(file, &["--sp-key", &old, "--sp-key", &new]);
    assert_eq!(code, Some(0), "{json}");
    let (code, json) = cli_verify(file, &["--sp-key", &new]);
    assert_eq!(code, Some(0), "{json}");
    let (code, json) = cli_verify(file, &["--sp-key", &old]);
    assert_eq!(code, Some(1));
    assert_eq!(json["error"]["code"], "decryption_failed");
}

#[test]
fn cli_refusals_have_their_codes() {
    let key = path("sp-enc.key");
    let (code, json) = cli_verify("enc_aes256cbc_mgf1p_inline.xml", &[]);
    assert_eq!(
        (code, &json["error"]["code"]),
        (Some(1), &"encrypted_assertion_unsupported".into())
    );
    let (code, json) = cli_verify(
        "enc_aes256cbc_mgf1p_inline.xml",
        &["--sp-key", &key, "--decrypt-only-signed-responses"],
    );
    assert_eq!(
        (code, &json["error"]["code"]),
        (Some(1), &"encrypted_response_unsigned".into())
    );
    let (code, json) = cli_verify(
        "enc_entra_response_and_assertion_signed.xml",
        &["--sp-key", &key, "--decrypt-only-signed-responses"],
    );
    assert_eq!(code, Some(0), "{json}");
    let (code, json) = cli_verify("enc_rsa_1_5.xml", &["--sp-key", &key]);
    assert_eq!(
        (code, &json["error"]["code"]),
        (Some(1), &"encryption_rsa_1_5_refused".into())
    );
    let (code, json) = cli_verify("enc_cbc_block_flipped.xml", &["--sp-key", &key]);
    assert_eq!(
        (code, &json["error"]["code"]),
        (Some(1), &"decryption_failed".into())
    );
}

#[test]
fn cli_unusable_sp_key_is_a_usage_error() {
    for bad in [path("idp.crt"), path("weak.key"), path("no-such.key")] {
        let (code, _) = cli_verify("enc_aes256cbc_mgf1p_inline.xml", &["--sp-key", &bad]);
        assert_eq!(code, Some(2), "{bad}");
    }
}

#[test]
fn cli_metadata_publishes_the_encryption_certificate() {
    let cert = path("sp-enc.crt");
    let output = run(
        &[
            "metadata",
            "--sp-entity-id",
            "https://app.example.com/saml/metadata",
            "--acs-url",
            "https://app.example.com/saml/acs",
            "--encryption-cert",
            &cert,
        ],
        b"",
    );
    assert_eq!(output.status.code(), Some(0));
    let xml = String::from_utf8(output.stdout).unwrap();
    let der = Certificate::from_pem_or_base64(&read("sp-enc.crt")).unwrap()[0]
        .der()
        .to_vec();
    assert!(
        xml.contains("<md:KeyDescriptor use=\"encryption\">"),
        "{xml}"
    );
    assert!(xml.contains(&saml_edge::internal::encoding::encode_base64(&der)));
    assert!(xml.contains("xmlenc11#aes256-gcm") && xml.contains("xmlenc#rsa-oaep-mgf1p"));
}

#[test]
fn decryption_keys_load_from_pkcs8_and_pkcs1_and_refuse_the_rest() {
    let pkcs8 = DecryptionKey::from_pem(&read("sp-enc.key")).expect("PKCS#8");
    let pkcs1 = DecryptionKey::from_pem(&read("sp-enc2.key")).expect("PKCS#1");
    assert_eq!((pkcs8.bits(), pkcs1.bits()), (2048, 2048));
    assert_eq!(format!("{pkcs8:?}"), "DecryptionKey { bits: 2048, .. }");
    let code = |pem: &str| DecryptionKey::from_pem(pem).err().map(|e| e.code());
    assert_eq!(code(&read("weak.key")), Some("config_key_too_small"));
    assert_eq!(code(&read("idp.crt")), Some("config_invalid"));
    assert_eq!(code(""), Some("config_invalid"));
    assert_eq!(
        code(&format!("{}{}", read("sp-enc.key"), read("sp-enc2.key"))),
        Some("config_invalid")
    );
    assert_eq!(
        code("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n"),
        Some("config_invalid")
    );
    let cert = &Certificate::from_pem_or_base64(&read("sp-enc.crt")).unwrap()[0];
    assert!(pkcs8.matches_certificate(cert));
    assert!(!pkcs1.matches_certificate(cert));
}

#[test]
fn encryption_certificate_must_belong_to_a_key_and_is_published() {
    let error = builder()
        .decryption_key_pem(&read("sp-enc2.key"))
        .and_then(|b| b.encryption_certificate_pem(&read("sp-enc.crt")))
        .and_then(|b| b.build())
        .err();
    assert_eq!(error.map(|e| e.code()), Some("config_invalid"));
    let sp = builder()
        .decryption_key_pem(&read("sp-enc.key"))
        .and_then(|b| b.encryption_certificate_pem(&read("sp-enc.crt")))
        .and_then(|b| b.build())
        .expect("matching key and certificate");
    let xml = sp.metadata_xml().expect("metadata");
    assert_eq!(xml.matches("use=\"encryption\"").count(), 1, "{xml}");
    assert_eq!(sp.encryption_certificates().len(), 1);
}

#[test]
fn key_order_does_not_matter_and_keys_are_tried_whatever_keyinfo_says() {
    for keys in [["sp-enc.key", "sp-enc2.key"], ["sp-enc2.key", "sp-enc.key"]] {
        let mut b = builder();
        for k in keys {
            b = b.decryption_key_pem(&read(k)).unwrap();
        }
        let sp = b.build().unwrap();
        assert_eq!(sp.decryption_keys().len(), 2);
        for file in [
            "enc_aes256cbc_mgf1p_inline.xml", // X509IssuerSerial of sp-enc
            "enc_rollover_to_new_key.xml",    // same hint, encrypted to sp-enc2
        ] {
            assert!(verify(&sp, file).is_ok(), "{keys:?} {file}");
        }
    }
}

/// Every refusal that depends on the key or the plaintext, when the ciphertext is not
/// authenticated by a Response signature, is the same error: same code, same message.
#[test]
fn decryption_failures_are_indistinguishable() {
    let sp = builder()
        .decryption_key_pem(&read("sp-enc.key"))
        .unwrap()
        .build()
        .unwrap();
    let failing = [
        "enc_nothing_signed",
        "enc_forged_unsigned_assertion",
        "enc_forged_signed_by_attacker",
        "enc_cbc_block_flipped",
        "enc_gcm_tag_flipped",
        "enc_to_another_key",
        "enc_wrong_content_key_length",
        "enc_decrypts_to_doctype",
        "enc_decrypts_to_two_assertions",
        "enc_decrypts_to_garbage",
        "enc_decrypts_to_response",
    ];
    let errors: Vec<Error> = failing
        .iter()
        .map(|name| verify(&sp, &format!("{name}.xml")).expect_err(name))
        .collect();
    for (name, error) in failing.iter().zip(&errors) {
        assert_eq!(error, &errors[0], "{name}");
        assert_eq!(error.code(), "decryption_failed");
        assert_eq!(error.to_string(), errors[0].to_string());
    }
}

#[test]
fn inspect_lists_decryption_under_the_assertion_signature_step() {
    let sp = builder()
        .decryption_key_pem(&read("sp-enc.key"))
        .unwrap()
        .build()
        .unwrap();
    let d = defaults();
    let expect = Expect {
        request_id: d["requestId"].as_str(),
        now: expect_now(),
    };
    let report = sp.inspect(&read("enc_aes128gcm_mgf1p_inline.xml"), &expect);
    assert_eq!(
        report.identity.map(|i| i.name_id).as_deref(),
        case("enc_aes128gcm_mgf1p_inline")["identity"]["nameId"].as_str()
    );
    let report = sp.inspect(&read("enc_gcm_tag_flipped.xml"), &expect);
    let failure = report.failure().expect("a failed check");
    assert_eq!(failure.name, "assertion_signature");
    assert!(matches!(
        failure.result,
        CheckResult::Failed {
            code: "decryption_failed",
            ..
        }
    ));
    let report = sp.inspect(&read("enc_expired_inside.xml"), &expect);
    assert!(matches!(
        report.failure().map(|f| (&f.name, &f.result)),
        Some((
            &"assertion",
            CheckResult::Failed {
                code: "assertion_expired",
                ..
            }
        ))
    ));
}

#[test]
fn identity_records_which_signature_covered_the_decrypted_assertion() {
    let sp = builder()
        .decryption_key_pem(&read("sp-enc.key"))
        .unwrap()
        .build()
        .unwrap();
    let both = verify(&sp, "enc_entra_response_and_assertion_signed.xml").unwrap();
    assert!(both.response_signed && both.assertion_signed);
    let response_only = verify(&sp, "enc_entra_response_signed_only.xml").unwrap();
    assert!(response_only.response_signed && !response_only.assertion_signed);
    let assertion_only = verify(&sp, "enc_aes256gcm_mgf1p_inline.xml").unwrap();
    assert!(!assertion_only.response_signed && assertion_only.assertion_signed);
}

/// The two-step API (the npm package's `verifyPostResponseAsync`): the key unwrap done outside,
/// here by `openssl pkeyutl` (an independent RSA-OAEP), then verification with the content key.
#[test]
fn caller_unwrapped_content_key_verifies_like_the_rust_unwrap() {
    let sp = builder()
        .decryption_key_pem(&read("sp-enc.key"))
        .unwrap()
        .build()
        .unwrap();
    let d = defaults();
    let expect = Expect {
        request_id: d["requestId"].as_str(),
        now: expect_now(),
    };
    let b64 = |name: &str| {
        saml_edge::internal::encoding::encode_base64(read(&format!("{name}.xml")).as_bytes())
    };
    let openssl_unwrap = |wrapped: &saml_edge::WrappedKey| -> Option<Vec<u8>> {
        let hash = |h: saml_edge::OaepDigest| match h {
            saml_edge::OaepDigest::Sha1 => "sha1",
            saml_edge::OaepDigest::Sha256 => "sha256",
        };
        let dir = std::env::temp_dir().join(format!("saml-edge-unwrap-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let input = dir.join("wrapped.bin");
        std::fs::write(&input, &wrapped.ciphertext).unwrap();
        let output = Command::new("openssl")
            .args(["pkeyutl", "-decrypt", "-inkey", &path("sp-enc.key"), "-in"])
            .arg(&input)
            .args(["-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt"])
            .arg(format!("rsa_oaep_md:{}", hash(wrapped.digest)))
            .args(["-pkeyopt"])
            .arg(format!("rsa_mgf1_md:{}", hash(wrapped.mgf)))
            .output()
            .expect("openssl");
        let _ = std::fs::remove_dir_all(&dir);
        output.status.success().then_some(output.stdout)
    };
    for name in [
        "enc_aes256cbc_mgf1p_inline",
        "enc_aes128gcm_oaep11_sha256_mgf256_sibling",
        "enc_tripledescbc_mgf1p_sha256_inline",
    ] {
        let value = b64(name);
        let request = sp
            .key_unwrap_request(&value)
            .expect("checks before the unwrap pass")
            .expect("encrypted");
        assert_eq!(request.wrapped_keys.len(), 1);
        let key = openssl_unwrap(&request.wrapped_keys[0]).expect("openssl unwraps it");
        assert_eq!(key.len(), request.content_algorithm.key_len());
        let identity = sp
            .verify_post_response_with_content_key(&value, &expect, Some(&key))
            .expect("verifies");
        assert_eq!(
            Some(identity.name_id.as_str()),
            case(name)["identity"]["nameId"].as_str()
        );
        // a wrong or missing key is the one refusal
        let mut wrong = key.clone();
        wrong[0] ^= 0x80; // not bit 0: DES ignores it (parity)
        for content_key in [Some(&wrong[..]), Some(&key[1..]), None] {
            assert_eq!(
                sp.verify_post_response_with_content_key(&value, &expect, content_key)
                    .err()
                    .map(|e| e.code()),
                Some("decryption_failed"),
                "{name}"
            );
        }
    }
    // The checks before the unwrap give their codes; a plain response needs no unwrap.
    assert_eq!(
        sp.key_unwrap_request(&b64("enc_rsa_1_5"))
            .err()
            .map(|e| e.code()),
        Some("encryption_rsa_1_5_refused")
    );
    assert_eq!(
        sp.key_unwrap_request(&b64("enc_response_signed_ciphertext_swapped"))
            .err()
            .map(|e| e.code()),
        Some("digest_mismatch")
    );
    let plain = b64("entra2021_assertion_signed_compact");
    assert_eq!(sp.key_unwrap_request(&plain).ok(), Some(None));
    assert!(
        sp.verify_post_response_with_content_key(&plain, &expect, None)
            .is_ok()
    );
}
