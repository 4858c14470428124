//! The `saml-edge` command line, run as a user would: arguments, stdin, stdout, exit codes.

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const ENTRA_RESPONSE: &str = "entra/tercen/azure_ad_response.xml";
const ENTRA_CERT: &str = "entra/tercen/azure-ad-cert.pem";
const ISSUER: &str = "https://sts.windows.net/5b5c94c6-14cf-42da-85bc-4e08722b253b/";
const SP: &str = "https://devpg.tercen.com/_service/sso/auth/saml";
const REQUEST_ID: &str = "id6491e192-e2d9-4970-ab03-e38ffda6e033";
const NOW: &str = "2022-02-23T17:49:23.872Z";

fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_saml-edge"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run saml-edge");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin)
        .expect("write stdin");
    child.wait_with_output().expect("wait")
}

fn cert_path() -> String {
    common::fixture_path(ENTRA_CERT).display().to_string()
}

fn verify_args(cert: &str) -> Vec<String> {
    [
        "verify",
        "--idp-cert",
        cert,
        "--idp-entity-id",
        ISSUER,
        "--sp-entity-id",
        SP,
        "--acs-url",
        SP,
        "--request-id",
        REQUEST_ID,
        "--now",
        NOW,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

#[test]
fn verify_prints_the_identity_with_js_field_names_and_exits_0() {
    let cert = cert_path();
    let args = verify_args(&cert);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let xml = common::fixture_bytes(ENTRA_RESPONSE);
    for input in [
        xml.clone(),
        saml_edge::internal::encoding::encode_base64(&xml).into_bytes(),
    ] {
        let output = run(&args, &input);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stdout)
        );
        let identity = json(&output);
        assert_eq!(
            identity["nameId"],
            "test@alexandremaurelgmail.onmicrosoft.com"
        );
        assert_eq!(
            identity["nameIdFormat"],
            "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
        );
        assert_eq!(identity["issuer"], ISSUER);
        assert_eq!(identity["inResponseTo"], REQUEST_ID);
        assert_eq!(
            identity["assertionId"],
            "_8c68ecbc-f68b-4f9b-bf66-e6afe9c0b001"
        );
        assert_eq!(
            identity["sessionIndex"],
            "_8c68ecbc-f68b-4f9b-bf66-e6afe9c0b001"
        );
        assert_eq!(identity["notOnOrAfter"], "2022-02-23T18:49:18.779Z");
        assert_eq!(identity["authnInstant"], "2022-02-23T10:17:10.452Z");
        assert_eq!(
            identity["authnContextClassRef"],
            "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"
        );
        assert!(identity["sessionNotOnOrAfter"].is_null());
        assert_eq!(
            identity["attributes"]["http://schemas.microsoft.com/identity/claims/objectidentifier"],
            serde_json::json!(["814bd554-6a00-405c-91d5-4132d39ba4fb"])
        );
    }
}

#[test]
fn verify_rejection_prints_an_error_object_and_exits_1() {
    let cert = cert_path();
    let mut args = verify_args(&cert);
    let position = args.iter().position(|a| a == "--sp-entity-id").unwrap();
    args[position + 1] = "https://other.example.com".into();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = run(&args, &common::fixture_bytes(ENTRA_RESPONSE));
    assert_eq!(output.status.code(), Some(1));
    let error = json(&output);
    assert_eq!(error["error"]["code"], "audience_mismatch");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("https://other.example.com")
    );

    let output = run(
        &verify_args(&cert)
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        b"not base64!",
    );
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(json(&output)["error"]["code"], "invalid_base64");
}

#[test]
fn unusable_arguments_exit_2() {
    let cert = cert_path();
    for args in [
        vec![],
        vec!["frobnicate"],
        vec!["verify", "--sp-entity-id", SP, "--acs-url", SP],
        vec![
            "verify",
            "--idp-cert",
            cert.as_str(),
            "--sp-entity-id",
            SP,
            "--acs-url",
            SP,
        ],
        vec![
            "verify",
            "--idp-cert",
            "/nonexistent",
            "--idp-entity-id",
            ISSUER,
            "--sp-entity-id",
            SP,
            "--acs-url",
            SP,
        ],
        vec!["verify", "--now", "yesterday"],
        vec!["verify", "--request-id", "x", "--allow-unsolicited"],
        vec!["verify", "--unknown-flag"],
    ] {
        let output = run(&args, b"");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            !output.stderr.is_empty(),
            "{args:?} explains itself on stderr"
        );
    }
}

#[test]
fn verify_with_idp_metadata_uses_its_entity_id_and_certificates() {
    // The Microsoft-signed tenant metadata is for another tenant than the response: the
    // response's signature must then fail against the metadata's certificates.
    let metadata = common::fixture_path("entra/xml-crypto/wsfederation_metadata.xml");
    let metadata = metadata.display().to_string();
    let args = [
        "verify",
        "--idp-metadata",
        &metadata,
        "--sp-entity-id",
        SP,
        "--acs-url",
        SP,
        "--request-id",
        REQUEST_ID,
        "--now",
        NOW,
    ];
    let output = run(&args, &common::fixture_bytes(ENTRA_RESPONSE));
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(json(&output)["error"]["code"], "signature_invalid");
}

#[test]
fn inspect_pretty_prints_and_lists_every_check() {
    let xml = common::fixture_bytes(ENTRA_RESPONSE);
    let output = run(&["inspect"], &xml);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("<samlp:Response"));
    assert!(text.contains("\n  <Assertion"), "indented");

    let cert = cert_path();
    let mut args = verify_args(&cert);
    args[0] = "inspect".into();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = run(&args, &xml);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8_lossy(&output.stdout);
    for check in [
        "transport",
        "xml",
        "response_shape",
        "response_signature",
        "assertion_signature",
        "response_fields",
        "assertion",
    ] {
        assert!(text.contains(check), "lists {check}");
    }
    assert!(text.contains("[pass] assertion_signature"));
    assert!(text.contains("[n/a ] response_signature"));
    assert!(text.contains("\"nameId\""));

    // With only the certificate, the rest is taken from the response (and announced).
    let cert = cert_path();
    let output = run(&["inspect", "--idp-cert", &cert, "--now", NOW], &xml);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("[pass] assertion_signature"));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("--idp-entity-id https://sts.windows.net/")
    );
}

/// The commands `saml-edge --help` lists (indented `saml-edge NAME` lines).
fn listed_commands() -> Vec<String> {
    let output = run(&["--help"], b"");
    assert_eq!(output.status.code(), Some(0));
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.strip_prefix("  saml-edge "))
        .filter_map(|rest| rest.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_command_prints_its_own_usage_on_help_and_exits_0() {
    const COMMANDS: &[&str] = &[
        "verify",
        "inspect",
        "login-url",
        "metadata",
        "logout-request",
        "verify-logout",
    ];
    assert_eq!(listed_commands(), COMMANDS, "saml-edge --help lists");
    let mut usages = Vec::new();
    for command in COMMANDS {
        let mut texts = Vec::new();
        for args in [
            vec![*command, "--help"],
            vec![*command, "-h"],
            vec!["help", *command],
            // After other options too, and before stdin is read or anything is checked.
            vec![*command, "--sp-entity-id", SP, "--help"],
        ] {
            let output = run(&args, b"");
            let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
            assert_eq!(
                output.status.code(),
                Some(0),
                "{args:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            assert!(
                output.stderr.is_empty(),
                "{args:?} writes nothing on stderr"
            );
            assert!(
                stdout.starts_with(&format!("usage: saml-edge {command} ")),
                "{args:?} prints the usage of {command}:\n{stdout}"
            );
            assert!(stdout.contains("-h, --help"), "{args:?}:\n{stdout}");
            texts.push(stdout);
        }
        texts.dedup();
        assert_eq!(texts.len(), 1, "{command}: one usage text, however asked");
        // Every option the usage names is one the command accepts.
        let usage = texts.remove(0);
        for option in usage
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .filter(|word| word.starts_with("--") && word.len() > 2)
        {
            let output = run(&[command, option], b"");
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(
                !stderr.contains("unknown option"),
                "{command} {option}: {stderr}"
            );
        }
        usages.push(usage);
    }
    usages.sort();
    usages.dedup();
    assert_eq!(
        usages.len(),
        COMMANDS.len(),
        "each command has its own usage"
    );
    // `saml-edge --help` and `-h` still print the overview.
    for flag in ["--help", "-h", "help"] {
        let output = run(&[flag], b"");
        assert_eq!(output.status.code(), Some(0), "{flag}");
        assert!(String::from_utf8_lossy(&output.stdout).starts_with("usage: saml-edge COMMAND"));
    }
}

#[test]
fn a_usage_error_names_the_command_and_shows_its_synopsis() {
    let output = run(&["verify", "--unknown-flag"], b"");
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("saml-edge verify: unknown option --unknown-flag\n"),
        "{stderr}"
    );
    assert!(stderr.contains("usage: saml-edge verify "), "{stderr}");
    assert!(stderr.contains("saml-edge verify --help"), "{stderr}");
    for args in [&["help", "frobnicate"][..], &["frobnicate", "--help"][..]] {
        let output = run(args, b"");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("unknown command frobnicate"),
            "{args:?}"
        );
    }
}
