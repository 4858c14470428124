//! The checks behind every fuzz target, shared by the targets (`fuzz/fuzz_targets/*.rs`) and by
//! the regression tests (`tests/fuzz_regressions.rs`), so that a reproducer is checked exactly the
//! way the fuzzer checked it. Each function must never panic on any input: a panic is a finding.

// Each fuzz target uses one of these checks; the regression tests use them all.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use saml_edge::internal::c14n::{Options, canonicalize};
use saml_edge::internal::encoding::{
    decode_base64, deflate_raw, encode_base64, inflate_raw, parse_form, percent_decode,
    percent_encode_query_component,
};
use saml_edge::saml::metadata::parse_idp_metadata;
use saml_edge::xml::{Document, NodeId, NodeKind};
use saml_edge::{Expect, IdentityProvider, Limits, ServiceProvider, UnixTime, danger};

/// The repository root (this file is compiled both by the fuzz crate and by the main crate's
/// tests).
fn repo_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    if manifest.ends_with("fuzz") {
        manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
    } else {
        manifest
    }
}

// --------------------------------------------------------------------------------------------
// xml_parse

/// The strict XML parser on arbitrary bytes: never panics, never exceeds its limits, and
/// whatever it accepts is a tree whose links are consistent.
pub fn xml_parse(data: &[u8]) {
    let limits = Limits::default();
    let Ok(doc) = Document::parse(data, &limits) else {
        return;
    };
    let root = doc.root();
    assert!(doc.element(root).is_some(), "the root is an element");
    assert_eq!(doc.parent(root), None);
    let mut count = 1usize;
    for node in doc.descendants(root) {
        count += 1;
        let parent = doc.parent(node).expect("every descendant has a parent");
        assert!(doc.children(parent).contains(&node));
        match doc.kind(node) {
            NodeKind::Element(e) => {
                assert!(saml_edge::xml::is_ncname(e.local_name()));
                assert!(
                    e.attributes().len() + e.namespace_decls().len()
                        <= limits.max_attributes_per_element
                );
                // Every prefix in use resolves to the namespace the parser recorded.
                if let Some(prefix) = e.prefix() {
                    assert_eq!(doc.lookup_namespace(node, Some(prefix)), e.namespace());
                }
                let _ = doc.text(node);
            }
            // (a CR can only come from a reference such as `&#xD;`: not checkable here)
            NodeKind::Text(_) => {}
            NodeKind::Comment(c) => assert!(!c.contains("--")),
            NodeKind::ProcessingInstruction { .. } => {}
        }
    }
    assert!(count <= limits.max_nodes);
}

// --------------------------------------------------------------------------------------------
// c14n

/// Limits for re-parsing canonical output, which may be larger than its input (escaping,
/// namespace declarations repeated on elements that use them).
fn generous() -> Limits {
    let mut limits = Limits::default();
    limits.max_xml_bytes = usize::MAX;
    limits.max_input_bytes = usize::MAX;
    limits.max_attributes_per_element = usize::MAX;
    limits
}

fn check(doc: &Document, apex: NodeId, options: &Options<'_>) {
    let first = canonicalize(doc, apex, options);
    assert!(
        first.first() == Some(&b'<'),
        "canonical form of an element starts with '<'"
    );
    let reparsed = match Document::parse(&first, &generous()) {
        Ok(d) => d,
        Err(e) => panic!(
            "canonical output does not re-parse ({}): {}",
            e,
            String::from_utf8_lossy(&first)
        ),
    };
    let again_options = Options {
        with_comments: options.with_comments,
        inclusive_prefixes: options.inclusive_prefixes,
        exclude: None,
    };
    let second = canonicalize(&reparsed, reparsed.root(), &again_options);
    assert!(
        first == second,
        "c14n is not idempotent:\n first: {}\nsecond: {}",
        String::from_utf8_lossy(&first),
        String::from_utf8_lossy(&second)
    );
}

/// Exclusive c14n of the root and up to 15 other element subtrees, with and without comments,
/// with and without an InclusiveNamespaces PrefixList, and with one descendant excluded (the
/// enveloped transform): never panics, never empty, always starts with `<`, and the output
/// re-parses and re-canonicalizes to the same bytes (c14n is idempotent).
pub fn c14n(data: &[u8]) {
    let Ok(doc) = Document::parse(data, &Limits::default()) else {
        return;
    };
    let root = doc.root();
    let mut elements: Vec<NodeId> = vec![root];
    elements.extend(doc.descendants(root).filter(|&n| doc.element(n).is_some()));
    // A PrefixList naming every prefix the document declares, the default namespace and one
    // prefix that is never declared.
    let mut prefixes: Vec<String> = vec!["#default".into(), "undeclared".into()];
    for &e in &elements {
        if let Some(element) = doc.element(e) {
            for decl in element.namespace_decls() {
                if let Some(p) = &decl.prefix
                    && !prefixes.contains(p)
                {
                    prefixes.push(p.clone());
                }
            }
        }
    }
    // Bound the work per input (every subtree of a large document would be quadratic): the root
    // and up to 15 other elements spread evenly over the document.
    let step = elements.len().div_ceil(16).max(1);
    for &apex in elements.iter().step_by(step) {
        let exclude = doc.descendants(apex).find(|&n| doc.element(n).is_some());
        for with_comments in [false, true] {
            for list in [&[][..], &prefixes[..]] {
                for exclude in [None, exclude] {
                    let options = Options {
                        with_comments,
                        inclusive_prefixes: list,
                        exclude,
                    };
                    check(&doc, apex, &options);
                }
            }
        }
    }
}

// --------------------------------------------------------------------------------------------
// encoding

/// Transport decoders on arbitrary input: base64, raw DEFLATE, form bodies and
/// percent-decoding. Never panic, respect their caps, and round-trip with their encoders.
pub fn encoding(data: &[u8]) {
    const CAP: usize = 64 * 1024;

    // Raw DEFLATE on the bytes as they are, under a small and a large cap.
    for cap in [0usize, 17, CAP] {
        if let Ok(out) = inflate_raw(data, cap) {
            assert!(out.len() <= cap, "inflate_raw exceeded its cap");
        }
    }
    // Compression round trip.
    if data.len() <= CAP {
        let packed = deflate_raw(data);
        assert_eq!(inflate_raw(&packed, CAP).ok().as_deref(), Some(data));
    }
    // Base64 round trips in both directions.
    if !data.is_empty() {
        let encoded = encode_base64(data);
        assert_eq!(
            decode_base64(&encoded, data.len()).ok().as_deref(),
            Some(data)
        );
    }

    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for cap in [0usize, 3, CAP] {
        if let Ok(decoded) = decode_base64(text, cap) {
            assert!(decoded.len() <= cap);
            // Strict: the only accepted encoding of these bytes is the canonical one (plus
            // ASCII white space).
            let compact: String = text
                .chars()
                .filter(|c| !matches!(c, ' ' | '\t' | '\r' | '\n'))
                .collect();
            assert_eq!(encode_base64(&decoded), compact);
        }
    }
    if let Ok(pairs) = parse_form(text) {
        for (name, value) in &pairs {
            let _ = (name.len(), value.len());
        }
    }
    for plus in [false, true] {
        let _ = percent_decode(text, plus);
    }
    let encoded = percent_encode_query_component(text);
    assert_eq!(percent_decode(&encoded, false).ok().as_deref(), Some(text));
    assert_eq!(percent_decode(&encoded, true).ok().as_deref(), Some(text));
}

// --------------------------------------------------------------------------------------------
// metadata

/// IdP metadata import on arbitrary bytes: never panics; an accepted document names an
/// entity, and asking for that entity finds the same one.
pub fn metadata(data: &[u8]) {
    if let Ok(metadata) = parse_idp_metadata(data, None) {
        let _ = metadata.sso_url(saml_edge::saml::metadata::HTTP_REDIRECT);
        // Asking for the entity that the import found finds the same one.
        let picked = parse_idp_metadata(data, Some(&metadata.entity_id))
            .expect("the entity found without a pick is found by its ID");
        assert_eq!(picked.entity_id, metadata.entity_id);
        assert_eq!(picked.sso_services, metadata.sso_services);
    }
    let _ = parse_idp_metadata(data, Some("https://sts.windows.net/x/"));
}

// --------------------------------------------------------------------------------------------
// verify_post_response

/// The whole verifier on arbitrary documents, seeded with valid signed responses and the attack
/// corpus. Each input is verified as raw XML (`verify_xml`), as the base64 of those bytes
/// (`verify_post_response`, which must give exactly the same result) and as a form value taken
/// as it is (`verify_post_response` on the bytes, exercising the strict base64 decoder).
///
/// The service providers are configured like the tests: the generated test IdP
/// (`tests/data/generated`, falling back to `fuzz/fallback-idp.crt` when it has not been
/// generated) and every valid real-IdP capture of the fixtures (`tests/fixtures`), each at its
/// own clock.
/// An input is checked against the first configuration whose IdP entity ID it mentions (so
/// mutated seeds keep reaching the signature and SAML checks), else against the generated IdP.
pub fn verify(data: &[u8]) {
    let all = worlds();
    // One configuration per input (RSA under coverage instrumentation is slow): the first whose
    // IdP entity ID the input mentions, else the generated test IdP.
    let Some(w) = all
        .iter()
        .find(|w| mentions(data, &w.issuer))
        .or_else(|| all.first())
    else {
        return;
    };
    let expect = Expect {
        request_id: w.request_id.as_deref(),
        now: w.now,
    };
    let raw = w.sp.verify_xml(data, &expect);
    let posted = w.sp.verify_post_response(&encode_base64(data), &expect);
    if data.is_empty() {
        assert!(raw.is_err() && posted.is_err());
    } else {
        assert_eq!(
            raw, posted,
            "verify_xml and verify_post_response(base64) disagree"
        );
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = w.sp.verify_post_response(text, &expect);
    }
}

struct World {
    issuer: Vec<u8>,
    sp: ServiceProvider,
    request_id: Option<String>,
    now: UnixTime,
}

/// The fixtures vendored in the repository (`tests/fixtures`, read by the tests through
/// `tests/common/mod.rs`; this crate is also built on its own by cargo-fuzz, hence its own path).
fn fixtures_dir() -> PathBuf {
    repo_root().join("tests/fixtures")
}

/// A fixture's bytes; a missing one stops the run with its path.
fn fixture(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read fixture {}: {e}", path.display()))
}

fn certificates(paths: &[PathBuf]) -> Vec<saml_edge::Certificate> {
    paths
        .iter()
        .filter_map(|p| std::fs::read(p).ok())
        .flat_map(|bytes| danger::certificates_with_weak_keys(&bytes, 1024).unwrap_or_default())
        .collect()
}

fn world(
    issuer: &str,
    sp_entity: &str,
    acs: &str,
    certs: Vec<saml_edge::Certificate>,
    request_id: Option<&str>,
    now: &str,
) -> Option<World> {
    let mut idp = IdentityProvider::new(issuer, "");
    for c in certs {
        idp = idp.certificate(c);
    }
    let sp = ServiceProvider::builder()
        .entity_id(sp_entity)
        .acs_url(acs)
        .idp(idp)
        .danger_allow_sha1(true)
        .allow_unsolicited(request_id.is_none())
        .clock_skew(Duration::from_secs(180))
        .build()
        .ok()?;
    Some(World {
        issuer: issuer.as_bytes().to_vec(),
        sp,
        request_id: request_id.map(str::to_owned),
        now: UnixTime::parse_rfc3339_utc(now)?,
    })
}

fn generated_world() -> World {
    let dir = repo_root().join("tests/data/generated");
    let defaults = std::fs::read(dir.join("cases.json"))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|v| v.get("defaults").cloned())
        .unwrap_or(serde_json::Value::Null);
    let get = |key: &str, default: &'static str| -> String {
        defaults
            .get(key)
            .and_then(|v| v.as_str())
            .unwrap_or(default)
            .to_owned()
    };
    let mut certs = certificates(&[dir.join("idp.crt"), dir.join("idp2.crt")]);
    if certs.is_empty() {
        certs = certificates(&[repo_root().join("fuzz/fallback-idp.crt")]);
    }
    world(
        &get(
            "idpEntityId",
            "https://sts.windows.net/6b1f4c2e-93d7-4a58-b0e1-7c2d9f3a8e51/",
        ),
        &get("spEntityId", "https://app.example.com/saml/metadata"),
        &get("acsUrl", "https://app.example.com/saml/acs"),
        certs,
        Some(&get("requestId", "_7f3c9a2e4b1d4e6fa0c1b2d3e4f50617")),
        &get("now", "2026-01-15T10:01:00Z"),
    )
    .expect("the generated test IdP configuration builds (is fuzz/fallback-idp.crt there?)")
}

fn fixture_worlds(dir: &Path) -> Vec<World> {
    let path = dir.join("manifest.json");
    let manifest: serde_json::Value = serde_json::from_slice(&fixture(&path))
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    let mut out = Vec::new();
    for r in manifest["responses"].as_array().into_iter().flatten() {
        if !matches!(r["expect"].as_str(), Some("valid" | "policy")) {
            continue;
        }
        let s = |k: &str| r[k].as_str();
        let certs: Vec<saml_edge::Certificate> = r["verifyingCerts"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(serde_json::Value::as_str)
            .flat_map(|c| {
                danger::certificates_with_weak_keys(&fixture(&dir.join(c)), 1024)
                    .unwrap_or_default()
            })
            .collect();
        let (Some(issuer), Some(audience), Some(recipient), Some(now)) =
            (s("issuer"), s("audience"), s("recipient"), s("now"))
        else {
            continue;
        };
        if let Some(w) = world(issuer, audience, recipient, certs, s("inResponseTo"), now) {
            out.push(w);
        }
    }
    out
}

fn worlds() -> &'static [World] {
    static WORLDS: OnceLock<Vec<World>> = OnceLock::new();
    WORLDS.get_or_init(|| {
        let mut all = vec![generated_world()];
        all.extend(fixture_worlds(&fixtures_dir()));
        all
    })
}

fn mentions(data: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && data.windows(needle.len()).any(|w| w == needle)
}

// --------------------------------------------------------------------------------------------
// xmlenc

/// The template response of the `xmlenc` target and the decryption codes it may produce.
const XMLENC_TEMPLATE: &str = "enc_aes256gcm_mgf1p_inline.xml";
const DECRYPTION_CODES: [&str; 6] = [
    "decryption_failed",
    "encrypted_assertion_malformed",
    "encryption_algorithm_unsupported",
    "encryption_rsa_1_5_refused",
    "encrypted_response_unsigned",
    "encrypted_assertion_unsupported",
];

struct XmlencWorld {
    sp: ServiceProvider,
    request_id: Option<String>,
    now: UnixTime,
    /// The template response, split around its EncryptedAssertion.
    before: Vec<u8>,
    after: Vec<u8>,
}

fn xmlenc_world() -> Option<&'static XmlencWorld> {
    static WORLD: OnceLock<Option<XmlencWorld>> = OnceLock::new();
    WORLD
        .get_or_init(|| {
            let dir = repo_root().join("tests/data/generated");
            let read = |name: &str| std::fs::read(dir.join(name)).ok();
            let defaults: serde_json::Value =
                serde_json::from_slice::<serde_json::Value>(&read("cases.json")?)
                    .ok()?
                    .get("defaults")?
                    .clone();
            let text = |key: &str| defaults.get(key)?.as_str().map(str::to_owned);
            let idp = IdentityProvider::new(text("idpEntityId")?, "")
                .certificate_pem(std::str::from_utf8(&read("idp.crt")?).ok()?)
                .ok()?;
            let mut builder = ServiceProvider::builder()
                .entity_id(text("spEntityId")?)
                .acs_url(text("acsUrl")?)
                .idp(idp);
            for key in ["sp-enc.key", "sp-enc2.key"] {
                builder = builder
                    .decryption_key_pem(std::str::from_utf8(&read(key)?).ok()?)
                    .ok()?;
            }
            let template = read(XMLENC_TEMPLATE)?;
            let start = find(&template, b"<EncryptedAssertion")?;
            let end = find(&template, b"</EncryptedAssertion>")? + b"</EncryptedAssertion>".len();
            Some(XmlencWorld {
                sp: builder.build().ok()?,
                request_id: text("requestId"),
                now: UnixTime::parse_rfc3339_utc(&text("now")?)?,
                before: template.get(..start)?.to_vec(),
                after: template.get(end..)?.to_vec(),
            })
        })
        .as_ref()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The decryptor: the bytes take the place of the EncryptedAssertion of a generated encrypted
/// response (seeds: the EncryptedAssertions of every `enc_*` case), and are also verified as a
/// whole response. Never panics; an accepted response carries a verified signature; a
/// `decryption_failed` always has the one fixed message.
pub fn xmlenc(data: &[u8]) {
    let Some(w) = xmlenc_world() else {
        return;
    };
    let expect = Expect {
        request_id: w.request_id.as_deref(),
        now: w.now,
    };
    let mut spliced = w.before.clone();
    spliced.extend_from_slice(data);
    spliced.extend_from_slice(&w.after);
    static FAILED_MESSAGE: OnceLock<String> = OnceLock::new();
    let failed = FAILED_MESSAGE
        .get_or_init(|| saml_edge::Error::from(saml_edge::DecryptionError::Failed).to_string());
    for input in [&spliced, data] {
        match w.sp.verify_xml(input, &expect) {
            Ok(identity) => assert!(
                identity.response_signed || identity.assertion_signed,
                "an unsigned assertion was accepted"
            ),
            Err(e) if e.code() == "decryption_failed" => assert_eq!(&e.to_string(), failed),
            Err(e) => {
                let _ = DECRYPTION_CODES.contains(&e.code());
            }
        }
    }
}
