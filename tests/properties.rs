//! Property tests, with a small self-written seeded generator (`tests/support/xmlgen.rs`):
//!
//! 1. canonicalizing twice gives the same bytes;
//! 2. parse → c14n → parse → c14n is stable (c14n is idempotent and its output re-parses);
//! 3. any single-byte change inside a signed region of a valid signed response makes verification
//!    fail with a signature, digest, XML or (pre-signature) structure error: never success and
//!    never a panic — except changes that leave every signed canonical byte unchanged, which are
//!    recognised explicitly (see [`Neutral`]) and must then verify with the same identity.
//!
//! Sizes: `SAML_EDGE_PROP_DOCS` documents for 1–2 (default 500) and `SAML_EDGE_PROP_POSITIONS`
//! mutated positions per signed response for 3 (default 600; `0` = every byte of the region).

mod common;
#[path = "support/xmlgen.rs"]
mod xmlgen;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use saml_edge::internal::c14n::{Options, canonicalize};
use saml_edge::xml::{Document, NodeId};
use saml_edge::{
    Certificate, Error, Expect, Identity, IdentityProvider, Limits, ServiceProvider, UnixTime,
};
use serde_json::Value;
use xmlgen::{Rng, generate};

const ASSERTION_NS: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Limits for re-parsing canonical output, which can be larger than its input (escapes,
/// namespace declarations repeated on every element that uses them).
fn generous() -> Limits {
    let mut limits = Limits::default();
    limits.max_xml_bytes = usize::MAX;
    limits.max_attributes_per_element = usize::MAX;
    limits
}

fn elements_in_order(doc: &Document) -> Vec<NodeId> {
    let mut out = vec![doc.root()];
    out.extend(
        doc.descendants(doc.root())
            .filter(|&n| doc.element(n).is_some()),
    );
    out
}

/// Every XML document of the fixtures (`tests/fixtures`) and of `tests/data/generated`.
fn corpus_documents() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let generated = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/generated"));
    let mut stack = vec![common::fixtures_dir(), generated];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read the directory {}: {e}", dir.display()));
        for entry in entries {
            let path = entry
                .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
                .path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "xml") {
                let bytes = std::fs::read(&path)
                    .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
                out.push((path.display().to_string(), bytes));
            }
        }
    }
    assert!(
        out.len() >= 100,
        "only {} XML documents under tests/fixtures and tests/data/generated",
        out.len()
    );
    out.sort();
    out
}

/// Calls `f(document name, doc, apex, options)` for generated documents (every element as
/// apex, with and without comments, with the case's PrefixList and with none) and for every
/// element of every corpus document that parses.
fn for_each_canonicalization(mut f: impl FnMut(&str, &Document, NodeId, &Options<'_>)) -> usize {
    let docs = env_usize("SAML_EDGE_PROP_DOCS", 500);
    let mut seeds = Rng(0x5052_4F50_4552_5459);
    let mut count = 0;
    let none: Vec<String> = Vec::new();
    for _ in 0..docs {
        let case = generate(seeds.next());
        let Ok(doc) = Document::parse(case.xml.as_bytes(), &Limits::default()) else {
            continue;
        };
        for apex in elements_in_order(&doc) {
            for with_comments in [false, true] {
                for prefixes in [&none, &case.prefixes] {
                    let options = Options {
                        with_comments,
                        inclusive_prefixes: prefixes,
                        exclude: None,
                    };
                    f(&case.xml, &doc, apex, &options);
                    count += 1;
                }
            }
        }
    }
    let prefixes: Vec<String> = ["#default", "xs", "ds", "saml", "samlp"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for (name, bytes) in corpus_documents() {
        let Ok(doc) = Document::parse(&bytes, &Limits::default()) else {
            continue;
        };
        for apex in elements_in_order(&doc) {
            for (with_comments, list) in [(false, &none), (true, &prefixes)] {
                let options = Options {
                    with_comments,
                    inclusive_prefixes: list,
                    exclude: None,
                };
                f(&name, &doc, apex, &options);
                count += 1;
            }
        }
    }
    count
}

#[test]
fn canonicalizing_twice_gives_the_same_bytes() {
    let count = for_each_canonicalization(|name, doc, apex, options| {
        let first = canonicalize(doc, apex, options);
        let second = canonicalize(doc, apex, options);
        assert_eq!(first, second, "{name}");
        assert_eq!(first.first(), Some(&b'<'), "{name}");
    });
    println!("c14n determinism: {count} canonicalizations checked");
    assert!(count > 10_000);
}

#[test]
fn parse_c14n_parse_c14n_is_stable() {
    let count = for_each_canonicalization(|name, doc, apex, options| {
        let first = canonicalize(doc, apex, options);
        let reparsed = Document::parse(&first, &generous()).unwrap_or_else(|e| {
            panic!(
                "{name}: canonical output does not re-parse ({e}): {}",
                String::from_utf8_lossy(&first)
            )
        });
        let second = canonicalize(&reparsed, reparsed.root(), options);
        assert!(
            first == second,
            "{name}: c14n(parse(c14n(x))) != c14n(x)\n first: {}\nsecond: {}",
            String::from_utf8_lossy(&first),
            String::from_utf8_lossy(&second)
        );
    });
    println!("c14n stability: {count} parse → c14n → parse → c14n round trips");
    assert!(count > 10_000);
}

// ------------------------------------------------------------------------------------------
// 3. Single-byte changes in signed regions

/// Error codes a single-byte change inside a signed region may produce. Anything else — in
/// particular success, or an error of the SAML checks that run only after the signatures
/// verified (issuer, audience, time…) — fails the test.
const ACCEPTED: &[(&str, &str)] = &[
    // The change broke well-formedness or a rule of the strict parser (V2, V6).
    ("xml_malformed", "well-formedness"),
    (
        "xml_invalid_character",
        "a byte that is not an XML character",
    ),
    ("xml_not_utf8", "a byte that breaks UTF-8"),
    ("xml_undeclared_prefix", "a prefix changed"),
    ("xml_invalid_namespace", "a namespace declaration changed"),
    (
        "xml_duplicate_attribute",
        "an attribute name changed into another",
    ),
    ("xml_duplicate_id", "an ID changed into another"),
    ("xml_undefined_entity", "an entity reference changed"),
    (
        "xml_content_outside_root",
        "a tag changed so that the root closes early",
    ),
    // A `<` inside base64 text turned the rest of it into an element name longer than
    // Limits::max_name_bytes (refused while parsing).
    ("limit_exceeded", "a `<` made a long name out of text"),
    // The shape checks that run before any cryptography (V3, V4) no longer find the signed
    // element or its signature where they must be.
    (
        "not_a_response",
        "the signed root's name or namespace changed",
    ),
    (
        "assertion_missing",
        "the Assertion's name or namespace changed",
    ),
    (
        "unexpected_assertion",
        "an Assertion moved or a second one appears",
    ),
    ("saml_malformed", "a required element's name changed"),
    (
        "signature_missing",
        "the Signature's name or namespace changed",
    ),
    (
        "signature_misplaced",
        "the Signature moved or its name changed",
    ),
    (
        "status_not_success",
        "the (unverified) Status is read before the signature: only in a signed Response's own Status, which is then also a digest change",
    ),
    // XML-DSig (V5, V7, V8, V9).
    (
        "signature_malformed",
        "SignedInfo's structure or a base64 value changed",
    ),
    (
        "signature_reference_mismatch",
        "the Reference URI or the signed element's ID changed",
    ),
    (
        "signature_algorithm_unsupported",
        "an algorithm URI changed",
    ),
    ("signature_transform_unsupported", "a transform URI changed"),
    (
        "signature_sha1_not_allowed",
        "an algorithm URI changed into SHA-1",
    ),
    ("signature_invalid", "SignedInfo changed"),
    ("digest_mismatch", "the signed element changed"),
];

/// Changes that leave every signed canonical byte unchanged, so that verification rightly
/// succeeds. Each is a documented property of exclusive XML canonicalization, not a gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Neutral {
    /// White space between attributes (or before `>`/`/>`) replaced by other white space:
    /// canonical form rewrites the tag with single spaces.
    WhitespaceInTag,
    /// A literal space, TAB, CR or LF in an attribute value replaced by another one: attribute-
    /// value normalisation turns each of them into a space before canonicalization.
    WhitespaceInAttributeValue,
    /// A byte of a namespace declaration that no element or attribute of the signed element
    /// uses: exclusive c14n renders only visibly utilized namespaces (why IdPs that put QNames
    /// in attribute values, e.g. `xsi:type="xs:string"`, send an InclusiveNamespaces PrefixList).
    UnusedNamespaceDeclaration,
    /// A byte inside a comment: exclusive c14n without comments drops them.
    Comment,
    /// A line feed in character data replaced by a lone carriage return: line-end normalisation
    /// (XML 1.0 §2.11) turns a lone CR into LF before anything else sees the text.
    LineEndInText,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Text,
    Markup,
    TagName,
    TagSpace,
    AttrName { xmlns: bool },
    AttrValue { xmlns: bool },
    Comment,
}

/// The lexical context of every byte of a well-formed document (enough to classify changes).
fn contexts(xml: &[u8]) -> Vec<Ctx> {
    let mut ctx = vec![Ctx::Text; xml.len()];
    let mut i = 0;
    let at = |i: usize, s: &[u8]| xml.get(i..).is_some_and(|r| r.starts_with(s));
    let ws = |b: u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    while i < xml.len() {
        if at(i, b"<!--") {
            let end = find(xml, i + 4, b"-->").unwrap_or(xml.len());
            ctx[i..i + 4].fill(Ctx::Markup);
            ctx[i + 4..end].fill(Ctx::Comment);
            let stop = (end + 3).min(xml.len());
            ctx[end..stop].fill(Ctx::Markup);
            i = stop;
        } else if at(i, b"<![CDATA[") {
            let end = find(xml, i, b"]]>").map_or(xml.len(), |e| e + 3);
            ctx[i..end].fill(Ctx::Markup);
            i = end;
        } else if at(i, b"<?") {
            let end = find(xml, i, b"?>").map_or(xml.len(), |e| e + 2);
            ctx[i..end].fill(Ctx::Markup);
            i = end;
        } else if xml[i] == b'<' {
            ctx[i] = Ctx::Markup;
            i += 1;
            if xml.get(i) == Some(&b'/') {
                ctx[i] = Ctx::Markup;
                i += 1;
            }
            while i < xml.len() && !ws(xml[i]) && xml[i] != b'>' && xml[i] != b'/' {
                ctx[i] = Ctx::TagName;
                i += 1;
            }
            // Attributes until '>'.
            while i < xml.len() && xml[i] != b'>' {
                if ws(xml[i]) {
                    ctx[i] = Ctx::TagSpace;
                    i += 1;
                } else if xml[i] == b'/' {
                    ctx[i] = Ctx::Markup;
                    i += 1;
                } else {
                    let start = i;
                    while i < xml.len() && !matches!(xml[i], b'=' | b'>' | b'/') && !ws(xml[i]) {
                        i += 1;
                    }
                    let xmlns = xml[start..i].starts_with(b"xmlns");
                    ctx[start..i].fill(Ctx::AttrName { xmlns });
                    while i < xml.len() && (ws(xml[i]) || xml[i] == b'=') {
                        ctx[i] = Ctx::Markup;
                        i += 1;
                    }
                    let Some(&quote) = xml.get(i) else { break };
                    ctx[i] = Ctx::Markup;
                    i += 1;
                    while i < xml.len() && xml[i] != quote {
                        ctx[i] = Ctx::AttrValue { xmlns };
                        i += 1;
                    }
                    if i < xml.len() {
                        ctx[i] = Ctx::Markup;
                        i += 1;
                    }
                }
            }
            if i < xml.len() {
                ctx[i] = Ctx::Markup;
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    ctx
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn classify(ctx: Ctx, before: u8, after: u8) -> Option<Neutral> {
    match ctx {
        Ctx::TagSpace if is_ws(before) && is_ws(after) => Some(Neutral::WhitespaceInTag),
        Ctx::AttrValue { xmlns: false } if is_ws(before) && is_ws(after) => {
            Some(Neutral::WhitespaceInAttributeValue)
        }
        Ctx::AttrName { xmlns: true } | Ctx::AttrValue { xmlns: true } => {
            Some(Neutral::UnusedNamespaceDeclaration)
        }
        Ctx::Comment => Some(Neutral::Comment),
        Ctx::Text if before == b'\n' && after == b'\r' => Some(Neutral::LineEndInText),
        _ => None,
    }
}

/// Byte span `[start, end)` of the first element named `*:local` or `local` at or after `from`.
fn element_span(xml: &[u8], from: usize, local: &str) -> Option<(usize, usize)> {
    let mut i = from;
    while let Some(lt) = find(xml, i, b"<") {
        let name_end = (lt + 1..xml.len())
            .find(|&j| is_ws(xml[j]) || xml[j] == b'>' || xml[j] == b'/')
            .unwrap_or(xml.len());
        let qname = &xml[lt + 1..name_end];
        let matches = qname == local.as_bytes() || qname.ends_with(format!(":{local}").as_bytes());
        if matches && !qname.starts_with(b"/") {
            let start_end = find(xml, lt, b">")?;
            if xml[start_end - 1] == b'/' {
                return Some((lt, start_end + 1));
            }
            let mut close = b"</".to_vec();
            close.extend_from_slice(qname);
            let mut search = start_end;
            loop {
                let end = find(xml, search, &close)?;
                let after = *xml.get(end + close.len())?;
                if after == b'>' || is_ws(after) {
                    let gt = find(xml, end, b">")?;
                    return Some((lt, gt + 1));
                }
                search = end + 1;
            }
        }
        i = lt + 1;
    }
    None
}

/// Byte positions covered by a signature: for each signed element (the Response and/or the
/// Assertion with a Signature right after their Issuer), the element minus its own Signature,
/// plus that Signature's SignedInfo.
fn signed_region(xml: &[u8]) -> Vec<usize> {
    let mut covered = vec![false; xml.len()];
    for local in ["Response", "Assertion"] {
        let Some((start, end)) = element_span(xml, 0, local) else {
            continue;
        };
        let Some((_, issuer_end)) = element_span(xml, start, "Issuer") else {
            continue;
        };
        let mut next = issuer_end;
        loop {
            while next < end && is_ws(xml[next]) {
                next += 1;
            }
            if xml[next..].starts_with(b"<!--") {
                next = find(xml, next, b"-->").map_or(end, |e| e + 3);
            } else {
                break;
            }
        }
        let Some((sig_start, sig_end)) = element_span(xml, next, "Signature") else {
            continue;
        };
        if sig_start != next {
            continue;
        }
        let (si_start, si_end) = element_span(xml, sig_start, "SignedInfo").expect("SignedInfo");
        for (i, c) in covered.iter_mut().enumerate().take(end).skip(start) {
            if !(sig_start..sig_end).contains(&i) || (si_start..si_end).contains(&i) {
                *c = true;
            }
        }
    }
    covered
        .iter()
        .enumerate()
        .filter_map(|(i, &c)| c.then_some(i))
        .collect()
}

/// Canonical bytes of everything the signatures of `doc` cover: per signed element, its c14n
/// without its Signature, and the c14n of that Signature's SignedInfo.
fn signed_canonical_bytes(doc: &Document) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let root = doc.root();
    let mut signed = vec![root];
    signed.extend(
        doc.children_named(root, ASSERTION_NS, "Assertion")
            .map(|(id, _)| id),
    );
    for element in signed {
        for (sig, _) in doc.children_named(element, DSIG_NS, "Signature") {
            let exclude = Options {
                exclude: Some(sig),
                ..Options::default()
            };
            out.push(canonicalize(doc, element, &exclude));
            for (si, _) in doc.children_named(sig, DSIG_NS, "SignedInfo") {
                out.push(canonicalize(doc, si, &Options::default()));
            }
        }
    }
    out
}

struct SignedCase {
    name: String,
    xml: Vec<u8>,
    sp: ServiceProvider,
    request_id: Option<String>,
    now: UnixTime,
}

impl SignedCase {
    fn verify(&self, xml: &[u8]) -> Result<Identity, Error> {
        let expect = Expect {
            request_id: self.request_id.as_deref(),
            now: self.now,
        };
        self.sp.verify_xml(xml, &expect)
    }
}

fn entra_fixture() -> SignedCase {
    let cert = common::fixture_text("entra/tercen/azure-ad-cert.pem");
    let idp = IdentityProvider::new(
        "https://sts.windows.net/5b5c94c6-14cf-42da-85bc-4e08722b253b/",
        "",
    )
    .certificate_pem(&cert)
    .expect("certificate");
    SignedCase {
        name: "entra/tercen/azure_ad_response.xml".into(),
        xml: common::fixture_bytes("entra/tercen/azure_ad_response.xml"),
        sp: ServiceProvider::builder()
            .entity_id("https://devpg.tercen.com/_service/sso/auth/saml")
            .acs_url("https://devpg.tercen.com/_service/sso/auth/saml")
            .idp(idp)
            .build()
            .expect("service provider"),
        request_id: Some("id6491e192-e2d9-4970-ab03-e38ffda6e033".into()),
        now: UnixTime::parse_rfc3339_utc("2022-02-23T17:49:23.872Z").expect("time"),
    }
}

/// A few valid cases of tests/data/generated: every signing layout, pretty and
/// compact, CRLF, another IdP shape, and comments inside signed content.
fn generated_cases() -> Vec<SignedCase> {
    const NAMES: &[&str] = &[
        "entra2014_assertion_signed_pretty",
        "entra2021_both_signed_compact",
        "entra2021_response_signed_pretty",
        "entra2021_assertion_signed_crlf",
        "keycloak_assertion_signed",
        "attacker_comment_in_nameid",
    ];
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/generated"));
    let cases_json = dir.join("cases.json");
    let manifest: Value = std::fs::read(&cases_json)
        .map_err(|e| e.to_string())
        .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", cases_json.display()));
    let defaults = &manifest["defaults"];
    let mut out = Vec::new();
    for case in manifest["cases"].as_array().into_iter().flatten() {
        let name = case["name"].as_str().unwrap_or_default();
        if !NAMES.contains(&name) || case["expect"] != "valid" || case["encoding"] != "xml" {
            continue;
        }
        let get = |key: &str| match case["config"].get(key) {
            Some(v) => v.clone(),
            None => defaults[key].clone(),
        };
        let mut idp = IdentityProvider::new(get("idpEntityId").as_str().unwrap_or_default(), "");
        for cert in get("idpCerts").as_array().into_iter().flatten() {
            let path = dir.join(cert.as_str().unwrap_or_default());
            let bytes = std::fs::read(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            for c in Certificate::parse_all(&bytes).expect("certificate") {
                idp = idp.certificate(c);
            }
        }
        let sp = ServiceProvider::builder()
            .entity_id(get("spEntityId").as_str().unwrap_or_default())
            .acs_url(get("acsUrl").as_str().unwrap_or_default())
            .idp(idp)
            .danger_allow_sha1(get("allowSha1").as_bool().unwrap_or(false))
            .allow_unsolicited(get("allowUnsolicited").as_bool().unwrap_or(false))
            .clock_skew(Duration::from_secs(
                get("clockSkewSeconds").as_u64().unwrap_or(180),
            ))
            .build()
            .expect("service provider");
        let path = dir.join(case["file"].as_str().unwrap_or_default());
        let xml =
            std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        out.push(SignedCase {
            name: format!("tests/data/generated/{name}"),
            xml,
            sp,
            request_id: get("requestId").as_str().map(str::to_owned),
            now: UnixTime::parse_rfc3339_utc(get("now").as_str().unwrap_or_default()).expect("now"),
        });
    }
    assert_eq!(
        out.len(),
        NAMES.len(),
        "valid XML cases of {} named in NAMES",
        cases_json.display()
    );
    out
}

#[test]
fn single_byte_changes_in_signed_regions_never_verify() {
    let positions = env_usize("SAML_EDGE_PROP_POSITIONS", 600);
    let mut cases = vec![entra_fixture()];
    cases.extend(generated_cases());
    let mut rng = Rng(0x4D55_5441_5445);
    let mut codes: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut neutral: BTreeMap<Neutral, usize> = BTreeMap::new();
    let mut failures: Vec<String> = Vec::new();
    let mut total = 0usize;
    for case in &cases {
        let baseline = case
            .verify(&case.xml)
            .unwrap_or_else(|e| panic!("{}: the unmodified response must verify: {e}", case.name));
        let original_doc = Document::parse(&case.xml, &Limits::default()).expect("parses");
        let original_signed = signed_canonical_bytes(&original_doc);
        let ctx = contexts(&case.xml);
        let mut region = signed_region(&case.xml);
        assert!(region.len() > 1000, "{}: signed region found", case.name);
        let region_len = region.len();
        if positions != 0 && region.len() > positions {
            // A fixed-seed sample of positions, in order.
            for i in 0..positions {
                let j = i + rng.below(region.len() - i);
                region.swap(i, j);
            }
            region.truncate(positions);
            region.sort_unstable();
        }
        for (n, &pos) in region.iter().enumerate() {
            let before = case.xml[pos];
            let after = match (n + pos) % 4 {
                0 => before ^ 0x01,
                1 => before ^ 0x20,
                2 => *rng.pick(b" \t\r\nx<>&\"'=:/#0aZ\x00\xff"),
                _ => rng.next() as u8,
            };
            if after == before {
                continue;
            }
            let mut mutated = case.xml.clone();
            mutated[pos] = after;
            total += 1;
            let where_ = || {
                let lo = pos.saturating_sub(40);
                let hi = (pos + 40).min(case.xml.len());
                format!(
                    "{} byte {pos} {:?} -> {:?} in …{}…",
                    case.name,
                    before as char,
                    after as char,
                    String::from_utf8_lossy(&case.xml[lo..hi])
                )
            };
            match case.verify(&mutated) {
                Err(e) => {
                    let code = e.code();
                    match ACCEPTED.iter().find(|(c, _)| *c == code) {
                        Some((c, _)) => *codes.entry(c).or_default() += 1,
                        None => failures.push(format!("{}: refused with {code} ({e})", where_())),
                    }
                }
                Ok(identity) => {
                    let same_canonical = Document::parse(&mutated, &Limits::default())
                        .map(|d| signed_canonical_bytes(&d) == original_signed)
                        .unwrap_or(false);
                    match classify(ctx[pos], before, after) {
                        Some(kind) if same_canonical && identity == baseline => {
                            *neutral.entry(kind).or_default() += 1;
                        }
                        kind => failures.push(format!(
                            "{}: VERIFIED (neutral class {kind:?}, canonical bytes unchanged: \
                             {same_canonical})",
                            where_()
                        )),
                    }
                }
            }
        }
        println!(
            "{}: signed region {region_len} bytes, {} positions mutated",
            case.name,
            region.len()
        );
    }
    println!(
        "single-byte mutations: {total} in {} signed responses; refused by code {codes:?}; \
         verified because canonically neutral {neutral:?}",
        cases.len()
    );
    for f in failures.iter().take(20) {
        println!("{f}");
    }
    assert!(
        failures.is_empty(),
        "{} mutations misbehaved",
        failures.len()
    );
    assert!(total > 500);
}
