//! `Certificate` against the real IdP certificates of the fixtures (`tests/fixtures`).
//!
//! Every certificate listed under `keys` in `manifest.json` is loaded: RSA keys of 2048 bits or
//! more must load with the manifest's SHA-256 fingerprint, and the legacy 1024-bit ones must be
//! refused with `KeyTooSmall`. The containers (PEM, bare base64, DER) are checked on Entra
//! certificates.

mod common;

use common::{fixture_bytes as read, fixture_text as read_text, manifest};
use saml_edge::{Certificate, ConfigError, UnixTime};

/// Manifest certificates whose RSA key has 1024 bits (checked with `openssl x509 -text`).
const SMALL_KEY_CERTS: &[&str] = &[
    "idp/adfs/ruby-saml/lawrencepit-a.pem",
    "idp/adfs/ruby-saml/lawrencepit-b.pem",
    "idp/okta/passport-saml/okta_2014_cert.pem",
    "idp/okta/crewjam/sp_cert.pem",
    "idp/onelogin/ruby-saml/ruby-saml.crt",
    "idp/onelogin/ruby-saml/certificate1",
    "idp/simplesamlphp/python3-saml/idp_cert_feide_settings1.pem",
    "idp/simplesamlphp/python3-saml/idp_cert_example_settings2.pem",
    "idp/simplesamlphp/xml-crypto/feide_public.pem",
    "attacks/crewjam/signed_assertions_idp_cert.pem",
    "attacks/ruby-saml/ruby-saml.crt",
    "attacks/ruby-saml/certificate1",
    "attacks/ruby-saml/pitbulk-idp-cert.pem",
    "attacks/ruby-saml/encrypted_new_attack-cert.pem",
    "attacks/xml-crypto/feide_public.pem",
    "attacks/pysaml2/test.pem",
    "attacks/boxyhq-saml20/idp-cert.pem",
    "attacks/samael/idp_2_metadata_public.pem",
    "attacks/samael/public.der",
];

const TERCEN: &str = "entra/tercen/azure-ad-cert.pem";
const WSFED: &str = "entra/xml-crypto/wsfederation_metadata.pem";
const CACERT_AZURE: &str = "entra/perl-net-saml2/cacert-azure.pem";

/// (file, SHA-256 fingerprint) of every certificate in the manifest.
fn manifest_certs() -> Vec<(String, String)> {
    manifest()["keys"]
        .as_array()
        .expect("keys section")
        .iter()
        .filter(|key| key["kind"] == "cert")
        .map(|key| {
            let file = key["file"].as_str().expect("file").to_owned();
            let fingerprint = key["sha256Fingerprint"].as_str().expect("fingerprint");
            (file, fingerprint.to_owned())
        })
        .collect()
}

fn fingerprint_of(relative: &str) -> String {
    manifest_certs()
        .into_iter()
        .find(|(file, _)| file == relative)
        .map(|(_, fingerprint)| fingerprint)
        .expect("certificate in manifest")
}

fn one(input: &[u8]) -> Certificate {
    let mut certs = Certificate::parse_all(input).expect("certificate loads");
    assert_eq!(certs.len(), 1);
    certs.pop().expect("one certificate")
}

/// The base64 body of a PEM file, without the armour.
fn pem_body(text: &str) -> String {
    text.lines()
        .filter(|line| !line.starts_with("-----"))
        .map(|line| format!("{}\n", line.trim_end_matches('\r')))
        .collect()
}

fn is_invalid_certificate(result: &Result<Vec<Certificate>, ConfigError>) -> bool {
    matches!(result, Err(ConfigError::InvalidCertificate { detail }) if !detail.is_empty())
}

#[test]
fn every_manifest_certificate_loads_or_is_too_small() {
    let certs = manifest_certs();
    assert!(
        certs.len() >= 30,
        "manifest lists {} certificates",
        certs.len()
    );
    let mut loaded = 0;
    let mut too_small = Vec::new();
    for (file, fingerprint) in &certs {
        match Certificate::parse_all(&read(file)) {
            Ok(parsed) => {
                assert_eq!(parsed.len(), 1, "{file}");
                let cert = &parsed[0];
                assert_eq!(&cert.sha256_fingerprint_hex(), fingerprint, "{file}");
                assert!(cert.public_key().bits() >= 2048, "{file}");
                assert_eq!(
                    Certificate::from_der(cert.der()).as_ref(),
                    Ok(cert),
                    "{file}"
                );
                loaded += 1;
            }
            Err(ConfigError::KeyTooSmall { bits }) => {
                assert_eq!(bits, 1024, "{file}");
                too_small.push(file.as_str());
            }
            Err(err) => panic!("{file}: {err}"),
        }
    }
    too_small.sort_unstable();
    let mut expected_small = SMALL_KEY_CERTS.to_vec();
    expected_small.sort_unstable();
    assert_eq!(too_small, expected_small);
    println!(
        "{loaded} certificates loaded, {} refused as 1024-bit",
        too_small.len()
    );
    assert_eq!(loaded + too_small.len(), certs.len());
}

#[test]
fn entra_certificate_details() {
    let cert = one(&read(TERCEN));
    assert_eq!(
        cert.subject(),
        "CN=Microsoft Azure Federated SSO Certificate"
    );
    assert_eq!(cert.not_before(), UnixTime::from_secs(1_645_608_097));
    assert_eq!(cert.not_after(), UnixTime::from_secs(1_740_302_497));
    assert_eq!(cert.public_key().bits(), 2048);
    assert_eq!(cert.sha256_fingerprint_hex(), fingerprint_of(TERCEN));
    let hex: String = cert
        .sha256_fingerprint()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    assert_eq!(hex, fingerprint_of(TERCEN).replace(':', ""));
    let debug = format!("{cert:?}");
    assert!(
        debug.contains("Microsoft Azure Federated SSO Certificate"),
        "{debug}"
    );
}

#[test]
fn expired_crlf_certificate_still_loads() {
    let bytes = read(WSFED);
    assert!(bytes.contains(&b'\r'), "fixture is expected to use CRLF");
    let cert = one(&bytes);
    assert_eq!(cert.subject(), "CN=accounts.accesscontrol.windows.net");
    assert_eq!(cert.not_before(), UnixTime::from_secs(1_414_454_400));
    assert_eq!(cert.not_after(), UnixTime::from_secs(1_477_526_400));
    assert_eq!(cert.sha256_fingerprint_hex(), fingerprint_of(WSFED));
}

#[test]
fn bare_base64_forms() {
    let pem = read_text(TERCEN);
    let expected = one(pem.as_bytes());
    let body = pem_body(&pem);
    assert!(!body.contains("-----"));
    let single_line: String = body.split_whitespace().collect();
    let crlf = body.replace('\n', "\r\n");
    let bom = format!("\u{feff}{single_line}");
    let indented = format!("  {}  \n", body.replace('\n', "\n    "));
    for text in [&body, &single_line, &crlf, &bom, &indented] {
        assert_eq!(one(text.as_bytes()), expected);
        let from_text = Certificate::from_pem_or_base64(text).expect("loads from text");
        assert_eq!(from_text, vec![expected.clone()]);
    }
    // URL-safe characters, a truncated body or a PEM header line are not a certificate.
    let url_safe = single_line.replace('+', "-").replace('/', "_");
    assert_ne!(url_safe, single_line);
    let truncated = &single_line[..single_line.len() - 8];
    for bad in [url_safe.as_str(), truncated, "Zm9v", "====", "\"MIIC\""] {
        assert!(
            is_invalid_certificate(&Certificate::parse_all(bad.as_bytes())),
            "{bad}"
        );
    }
}

#[test]
fn der_forms() {
    let tercen = one(&read(TERCEN));
    let wsfed = one(&read(WSFED));
    assert_eq!(one(tercen.der()), tercen);
    assert_eq!(Certificate::from_der(tercen.der()).as_ref(), Ok(&tercen));
    let mut both = tercen.der().to_vec();
    both.extend_from_slice(wsfed.der());
    assert_eq!(
        Certificate::parse_all(&both),
        Ok(vec![tercen.clone(), wsfed.clone()])
    );
    // `from_der` takes exactly one certificate.
    assert!(matches!(
        Certificate::from_der(&both),
        Err(ConfigError::InvalidCertificate { .. })
    ));
    let mut trailing = tercen.der().to_vec();
    trailing.extend_from_slice(b"\0\0");
    assert!(is_invalid_certificate(&Certificate::parse_all(&trailing)));
    let truncated = &tercen.der()[..tercen.der().len() - 1];
    assert!(is_invalid_certificate(&Certificate::parse_all(truncated)));
    // The DER fixture has a 1024-bit key.
    assert_eq!(
        Certificate::parse_all(&read("attacks/samael/public.der")),
        Err(ConfigError::KeyTooSmall { bits: 1024 })
    );
}

#[test]
fn several_pem_blocks_with_text_around() {
    let text = format!(
        "Subject: tercen\r\n{}\nnext certificate:\n{}\r\ntrailing notes",
        read_text(TERCEN).replace('\n', "\r\n"),
        read_text(CACERT_AZURE)
    );
    let certs = Certificate::from_pem_or_base64(&text).expect("both load");
    let fingerprints: Vec<String> = certs
        .iter()
        .map(Certificate::sha256_fingerprint_hex)
        .collect();
    assert_eq!(
        fingerprints,
        vec![fingerprint_of(TERCEN), fingerprint_of(CACERT_AZURE)]
    );
    // One small key among good ones fails the whole input.
    let mixed = format!(
        "{}{}",
        read_text(TERCEN),
        read_text("attacks/pysaml2/test.pem")
    );
    assert_eq!(
        Certificate::parse_all(mixed.as_bytes()),
        Err(ConfigError::KeyTooSmall { bits: 1024 })
    );
}

#[test]
fn wrong_pem_contents_are_refused() {
    let public_key = read("attacks/xml-crypto/saml_external_ns.pem");
    let private_key = read("idp/shibboleth/passport-saml/sp-decryption-key.pem");
    for input in [&public_key, &private_key] {
        let result = Certificate::parse_all(input);
        assert!(is_invalid_certificate(&result), "{result:?}");
        if let Err(err) = result {
            assert!(err.to_string().contains("no CERTIFICATE block"), "{err}");
        }
    }
    let unterminated = read_text(TERCEN).replace("-----END CERTIFICATE-----", "");
    assert!(is_invalid_certificate(&Certificate::parse_all(
        unterminated.as_bytes()
    )));
    let corrupted = read_text(TERCEN).replacen("MII", "MIJ", 1);
    assert!(is_invalid_certificate(&Certificate::parse_all(
        corrupted.as_bytes()
    )));
    for garbage in [&b""[..], b"\n", b"garbage", b"\x00\x01\x02", b"\xff\xfe"] {
        assert!(
            is_invalid_certificate(&Certificate::parse_all(garbage)),
            "{garbage:?}"
        );
    }
}

#[cfg(feature = "sign")]
#[test]
fn private_key_matches_its_certificate() {
    use saml_edge::{RsaPrivateKey, SignatureAlgorithm};
    let key = RsaPrivateKey::from_pem(&read_text(
        "idp/shibboleth/passport-saml/sp-decryption-key.pem",
    ))
    .expect("4096-bit PKCS#1 key loads");
    assert_eq!(key.bits(), 4096);
    let cert = one(&read("idp/shibboleth/passport-saml/sp-encryption-cert.pem"));
    assert_eq!(&key.public_key(), cert.public_key());
    let message = b"<samlp:AuthnRequest/>";
    let signature = key
        .sign(SignatureAlgorithm::RsaSha256, message)
        .expect("signs");
    assert_eq!(signature.len(), 512);
    assert_eq!(
        cert.public_key()
            .verify(SignatureAlgorithm::RsaSha256, message, &signature),
        Ok(())
    );
    assert_eq!(
        RsaPrivateKey::from_pem(&read_text("idp/okta/crewjam/sp_key.pem")).err(),
        Some(ConfigError::KeyTooSmall { bits: 1024 })
    );
}
