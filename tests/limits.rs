//! Hostile inputs against the documented resource limits (`Limits::DEFAULT`, SECURITY.md
//! "Resource limits"): a 100 MB input, 10,000-deep nesting, 1,000,000 attributes, entity bombs
//! (billion laughs with a DOCTYPE, and up to a million `&amp;` references), a DEFLATE
//! bomb and a million elements. Each case runs in a child process (this test binary re-invoked
//! with `SAML_EDGE_LIMITS_CASE`), which builds its input, resets its peak-RSS counter
//! (`/proc/self/clear_refs`), runs the case and reports `VmHWM` from `/proc/self/status`.
//!
//! Asserted: the outcome (the exact refusal) and that the peak resident memory while handling
//! the input stays within [`MAX_GROWTH_KIB`] of the resident memory before (which includes the
//! input itself). Times are measured and printed, never asserted. Inputs are leaked on purpose
//! (the child exits right after) so that freeing them is not timed.

use std::process::Command;
use std::time::{Duration, Instant};

use saml_edge::internal::encoding::{deflate_raw, encode_base64, inflate_raw};
use saml_edge::xml::Document;
use saml_edge::{Expect, IdentityProvider, Limits, ServiceProvider, UnixTime};

const ENV: &str = "SAML_EDGE_LIMITS_CASE";

/// Documented bound: handling one hostile input may use at most this much resident memory
/// beyond what the process held before (the input itself, the test harness).
const MAX_GROWTH_KIB: u64 = 32 * 1024;

const CASES: &[(&str, &str)] = &[
    ("input_100mb_base64", "limit_exceeded"),
    ("input_100mb_xml", "limit_exceeded"),
    ("nesting_10000", "limit_exceeded"),
    ("nesting_10000_limits_raised", "limit_exceeded"),
    ("attributes_1000000", "limit_exceeded"),
    ("attributes_max_size", "limit_exceeded"),
    ("attributes_1000000_size_limit_raised", "limit_exceeded"),
    ("billion_laughs_doctype", "xml_doctype_forbidden"),
    ("undefined_entity_without_dtd", "xml_undefined_entity"),
    ("amp_references_in_text_max_size", "not_a_response"),
    ("amp_references_in_attribute_max_size", "not_a_response"),
    ("amp_references_1000000_size_limit_raised", "ok"),
    ("deflate_bomb_100mb", "limit_exceeded"),
    ("elements_1000000_size_limit_raised", "limit_exceeded"),
];

fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn service_provider() -> ServiceProvider {
    let pem = include_str!("../fuzz/fallback-idp.crt");
    ServiceProvider::builder()
        .entity_id("https://app.example.com/saml/metadata")
        .acs_url("https://app.example.com/saml/acs")
        .idp(
            IdentityProvider::new("https://idp.example.com/", "")
                .certificate_pem(pem)
                .expect("certificate"),
        )
        .build()
        .expect("service provider")
}

fn expect() -> Expect<'static> {
    Expect {
        request_id: Some("_request"),
        now: UnixTime::from_secs(1_768_471_260),
    }
}

fn unlimited_size() -> Limits {
    let mut limits = Limits::default();
    limits.max_xml_bytes = usize::MAX;
    limits.max_input_bytes = usize::MAX;
    limits
}

fn code<T>(r: Result<T, saml_edge::Error>) -> String {
    match r {
        Ok(_) => "ok".into(),
        Err(e) => e.code().into(),
    }
}

/// Builds the input of a case; returns a closure that runs it.
fn prepare(case: &str) -> (usize, Box<dyn FnOnce() -> String>) {
    const MB100: usize = 100 * 1024 * 1024;
    let sp = service_provider();
    match case {
        "input_100mb_base64" => {
            let input: &str = "PHNhbWxwOlJlc3BvbnNl".repeat(MB100 / 20).leak();
            (
                input.len(),
                Box::new(move || code(sp.verify_post_response(input, &expect()))),
            )
        }
        "input_100mb_xml" => {
            let mut input = b"<samlp:Response>".to_vec();
            input.resize(MB100, b'x');
            let input: &[u8] = input.leak();
            (
                input.len(),
                Box::new(move || code(sp.verify_xml(input, &expect()))),
            )
        }
        "nesting_10000" | "nesting_10000_limits_raised" => {
            let input: &str = format!("{}{}", "<a>".repeat(10_000), "</a>".repeat(10_000)).leak();
            let limits = if case.ends_with("raised") {
                unlimited_size()
            } else {
                Limits::default()
            };
            (
                input.len(),
                Box::new(move || code(Document::parse(input.as_bytes(), &limits))),
            )
        }
        "attributes_1000000" | "attributes_1000000_size_limit_raised" => {
            let mut input = String::from("<a");
            for i in 0..1_000_000 {
                input.push_str(&format!(" a{i}=\"\""));
            }
            input.push_str("/>");
            let input: &str = input.leak();
            let limits = if case.ends_with("raised") {
                unlimited_size()
            } else {
                Limits::default()
            };
            (
                input.len(),
                Box::new(move || code(Document::parse(input.as_bytes(), &limits))),
            )
        }
        "attributes_max_size" => {
            // The most attributes Limits::max_xml_bytes lets through (about 70,000): refused at
            // the 65th.
            let mut input = String::from("<a");
            let mut i = 0;
            while input.len() + 16 < Limits::default().max_xml_bytes {
                input.push_str(&format!(" a{i}=\"\""));
                i += 1;
            }
            input.push_str("/>");
            let input: &str = input.leak();
            (
                input.len(),
                Box::new(move || code(sp.verify_xml(input.as_bytes(), &expect()))),
            )
        }
        "billion_laughs_doctype" => {
            let mut input =
                String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n");
            input.push_str(
                " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n",
            );
            for i in 2..=9 {
                let p = i - 1;
                input.push_str(&format!(
                    " <!ENTITY lol{i} \"{}\">\n",
                    format!("&lol{p};").repeat(10)
                ));
            }
            input.push_str("]>\n<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\">&lol9;</samlp:Response>");
            let b64: &str = encode_base64(input.as_bytes()).leak();
            (
                input.len(),
                Box::new(move || code(sp.verify_post_response(b64, &expect()))),
            )
        }
        "undefined_entity_without_dtd" => {
            let input: &str = format!("<a>{}</a>", "&lol9;".repeat(100_000)).leak();
            (
                input.len(),
                Box::new(move || code(sp.verify_xml(input.as_bytes(), &expect()))),
            )
        }
        "amp_references_in_text_max_size" => {
            // As many references as Limits::max_xml_bytes allows: well-formed, so the parser
            // accepts it; the service provider refuses it as not a Response.
            let n = (Limits::default().max_xml_bytes - 16) / 5;
            let input: &str = format!("<a>{}</a>", "&amp;".repeat(n)).leak();
            (
                input.len(),
                Box::new(move || code(sp.verify_xml(input.as_bytes(), &expect()))),
            )
        }
        "amp_references_in_attribute_max_size" => {
            let n = (Limits::default().max_xml_bytes - 16) / 5;
            let input: &str = format!("<a b=\"{}\"/>", "&amp;".repeat(n)).leak();
            (
                input.len(),
                Box::new(move || code(sp.verify_xml(input.as_bytes(), &expect()))),
            )
        }
        "amp_references_1000000_size_limit_raised" => {
            // With the size limit lifted, a million references expand to 1 MB of text: linear
            // in the input, nothing multiplies.
            let input: &str = format!("<a>{}</a>", "&amp;".repeat(1_000_000)).leak();
            (
                input.len(),
                Box::new(move || code(Document::parse(input.as_bytes(), &unlimited_size()))),
            )
        }
        "deflate_bomb_100mb" => {
            let packed: &[u8] = deflate_raw(&vec![b'A'; MB100]).leak();
            let max = Limits::default().max_inflated_bytes;
            (
                packed.len(),
                Box::new(move || code(inflate_raw(packed, max))),
            )
        }
        "elements_1000000_size_limit_raised" => {
            let input: &str = format!("<a>{}</a>", "<b/>".repeat(1_000_000)).leak();
            (
                input.len(),
                Box::new(move || code(Document::parse(input.as_bytes(), &unlimited_size()))),
            )
        }
        other => panic!("unknown case {other}"),
    }
}

/// The child side: runs one case when `SAML_EDGE_LIMITS_CASE` is set, otherwise does nothing.
#[test]
fn limits_child_process_entry() {
    let Ok(case) = std::env::var(ENV) else {
        return;
    };
    let (input_len, run) = prepare(&case);
    // Reset the peak so that building the input does not count (Linux ≥ 4.0).
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let before = status_kib("VmRSS:");
    let started = Instant::now();
    let outcome = run();
    let elapsed = started.elapsed();
    let peak = status_kib("VmHWM:");
    println!(
        "LIMITS-RESULT {case} {outcome} {input_len} {before} {peak} {} {reset}",
        elapsed.as_micros()
    );
}

#[test]
fn hostile_inputs_are_refused_with_bounded_memory() {
    let exe = std::env::current_exe().expect("test binary");
    let mut report = Vec::new();
    for (case, expected) in CASES {
        let output = Command::new(&exe)
            .args([
                "limits_child_process_entry",
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(ENV, case)
            .output()
            .expect("child process");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let line = stdout
            .lines()
            .find_map(|l| l.split_once("LIMITS-RESULT ").map(|(_, r)| r))
            .unwrap_or_else(|| {
                panic!(
                    "{case}: no result from the child ({}):\n{stdout}\n{}",
                    output.status,
                    String::from_utf8_lossy(&output.stderr)
                )
            });
        let f: Vec<&str> = line.split(' ').collect();
        let (outcome, input, before, peak, micros, reset) =
            (f[1], f[2], f[3], f[4], f[5], f[6] == "true");
        let before: u64 = before.parse().unwrap();
        let peak: u64 = peak.parse().unwrap();
        let growth = peak.saturating_sub(before);
        let elapsed = Duration::from_micros(micros.parse().unwrap());
        report.push(format!(
            "{case:<42} {outcome:<22} input {:>10} B  RSS before {:>7} KiB  peak {:>7} KiB  growth {:>6} KiB  {:>9.3} ms{}",
            input,
            before,
            peak,
            growth,
            elapsed.as_secs_f64() * 1000.0,
            if reset { "" } else { "  (peak not reset)" }
        ));
        assert_eq!(outcome, *expected, "{case}");
        if reset {
            assert!(
                growth <= MAX_GROWTH_KIB,
                "{case}: {growth} KiB over the {MAX_GROWTH_KIB} KiB bound"
            );
        }
    }
    println!("hostile inputs (peak RSS = VmHWM while handling the input):");
    for line in &report {
        println!("  {line}");
    }
}
