//! Fuzzing regressions: every input a fuzz target ever stopped on, and the committed seed set,
//! replayed through exactly the checks the fuzz targets run (`fuzz/common/checks.rs`, shared by
//! the targets and this file). See SECURITY.md "Fuzzing and differential testing".
//!
//! To add a reproducer: copy `fuzz/artifacts/<target>/crash-…` into [`REPRODUCERS`] (as a byte
//! string) with the target and a line on what it found and how it was fixed.

#[path = "../fuzz/common/checks.rs"]
mod checks;
mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use saml_edge::{Expect, IdentityProvider, ServiceProvider, UnixTime};

/// (target, what it found and the fix, input).
const REPRODUCERS: &[(&str, &str, &[u8])] = &[
    (
        "xml_parse",
        "first smoke run: the harness wrongly asserted that text never contains CR, but `&#xD;` \
         legitimately produces one (the parser normalises literal line ends only, as XML 1.0 \
         §2.11 requires); harness fixed, parser unchanged",
        b"<doc>\n   <text>First line&#xD;\nSecond line</text>\n   <value>2</value>\n   <compute>value&gt;\"0\" &amp;&amp; value&lt;\"10\" ?\"valid\":\"error\"</compute>\n   <compute expr=\"value>&quot;0&quot; &amp;&amp; value&lt;&quot;10&quot; ?&quot;valid&quot;:&quot;error&quot;\">valid</compute>\n   <norm attr=\" '    &#xD;&#xA;&#x9;   ' \"></norm>\n</doc>",
    ),
    (
        "encoding",
        "first smoke run: empty input; the harness expected decode_base64(encode_base64(\"\")) to \
         round-trip, but empty input is refused with empty_input by design; harness fixed",
        b"",
    ),
];

fn run(target: &str, data: &[u8]) {
    match target {
        "xml_parse" => checks::xml_parse(data),
        "c14n" => checks::c14n(data),
        "encoding" => checks::encoding(data),
        "metadata" => checks::metadata(data),
        "verify_post_response" => checks::verify(data),
        "xmlenc" => checks::xmlenc(data),
        other => panic!("unknown fuzz target {other}"),
    }
}

#[test]
fn fuzz_reproducers_stay_fixed() {
    for (target, why, data) in REPRODUCERS {
        // Every reproducer goes through every target: a crash in one place is often a crash in
        // another.
        for t in [
            "xml_parse",
            "c14n",
            "encoding",
            "metadata",
            "verify_post_response",
            "xmlenc",
        ] {
            run(t, data);
        }
        assert!(!why.is_empty(), "{target}");
    }
    println!("{} fuzz reproducers replayed", REPRODUCERS.len());
}

#[test]
fn committed_fuzz_seeds_pass_every_check() {
    let seeds = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/seeds"));
    let mut total = 0;
    for target in [
        "xml_parse",
        "c14n",
        "encoding",
        "metadata",
        "verify_post_response",
        "xmlenc",
    ] {
        let Ok(entries) = std::fs::read_dir(seeds.join(target)) else {
            panic!("fuzz/seeds/{target} is missing");
        };
        let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        files.sort();
        for file in &files {
            let data = std::fs::read(file).expect("seed");
            run(target, &data);
        }
        assert!(!files.is_empty(), "fuzz/seeds/{target} is empty");
        total += files.len();
    }
    println!("{total} committed fuzz seeds checked");
}

/// Found while reviewing src/ alongside the fuzz runs: canonicalization compared every
/// InclusiveNamespaces PrefixList token with every other for every element (a `Vec::contains`
/// per token), and SignedInfo is canonicalized with its own, attacker-supplied, PrefixList
/// *before* the signature is checked. 16,000 tokens (a 100 KB response) cost 25 s of CPU per
/// verification; the 111,000 that fit in `Limits::max_xml_bytes` would cost hours. Fix
/// (src/c14n.rs): the list is sorted once per canonicalization and only probed for the prefixes
/// declared in scope, so the work per element no longer depends on its length. The bound below
/// is two orders of magnitude above the fixed cost in a debug build and far below the old one.
#[test]
fn huge_signedinfo_prefix_list_is_cheap() {
    let xml = common::fixture_text("entra/tercen/azure_ad_response.xml");
    let cert = common::fixture_text("entra/tercen/azure-ad-cert.pem");
    let method = r#"<CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>"#;
    assert!(xml.contains(method));
    let mut tokens = String::new();
    let mut n = 0;
    while xml.len() + tokens.len() + 300 < saml_edge::Limits::default().max_xml_bytes {
        tokens.push_str(&format!("p{n} "));
        n += 1;
    }
    let hostile = xml.replace(
        method,
        &format!(
            r#"<CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"><InclusiveNamespaces xmlns="http://www.w3.org/2001/10/xml-exc-c14n#" PrefixList="{}"/></CanonicalizationMethod>"#,
            tokens.trim_end()
        ),
    );
    let sp = ServiceProvider::builder()
        .entity_id("https://devpg.tercen.com/_service/sso/auth/saml")
        .acs_url("https://devpg.tercen.com/_service/sso/auth/saml")
        .idp(
            IdentityProvider::new(
                "https://sts.windows.net/5b5c94c6-14cf-42da-85bc-4e08722b253b/",
                "",
            )
            .certificate_pem(&cert)
            .expect("certificate"),
        )
        .build()
        .expect("service provider");
    let expect = Expect {
        request_id: Some("id6491e192-e2d9-4970-ab03-e38ffda6e033"),
        now: UnixTime::parse_rfc3339_utc("2022-02-23T17:49:23.872Z").expect("time"),
    };
    let started = Instant::now();
    let result = sp.verify_xml(hostile.as_bytes(), &expect);
    let elapsed = started.elapsed();
    println!(
        "{n} PrefixList tokens in SignedInfo ({} bytes): {:?} in {elapsed:?}",
        hostile.len(),
        result.as_ref().map_err(|e| e.code())
    );
    // The list changed SignedInfo, so the IdP's signature no longer matches.
    assert_eq!(result.err().map(|e| e.code()), Some("signature_invalid"));
    assert!(elapsed < Duration::from_secs(60), "{elapsed:?}");
    checks::verify(hostile.as_bytes());
}
