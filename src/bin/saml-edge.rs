//! `saml-edge`: the native command-line tool over the library.
//!
//! ```text
//! saml-edge verify    < SAMLResponse   verify a response, print the identity as JSON
//! saml-edge inspect   < SAMLResponse   pretty-print a response and list every check
//! saml-edge login-url                  an AuthnRequest as an HTTP-Redirect URL
//! saml-edge metadata                   this SP's metadata XML, to upload to the IdP
//! saml-edge logout-request             a LogoutRequest as an HTTP-Redirect URL
//! saml-edge verify-logout  < URL|body  verify an IdP LogoutRequest or LogoutResponse
//! saml-edge COMMAND --help             that command's options
//! ```
//! Each command's usage text is written once, beside its code ([`VERIFY_USAGE`],
//! [`INSPECT_USAGE`], `outgoing::LOGIN_URL_USAGE`, `outgoing::METADATA_USAGE`,
//! `logout::LOGOUT_REQUEST_USAGE`, `logout::VERIFY_LOGOUT_USAGE`), and listed in
//! [`COMMANDS`]. Exit codes: 0 accepted (or help printed), 1 rejected
//! (`{"error":{"code":…,"message":…}}` on stdout), 2 unusable arguments or configuration (a
//! message and the command's usage on stderr).

#[path = "cli/logout.rs"]
mod logout;
#[path = "cli/outgoing.rs"]
mod outgoing;

use std::io::Read;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use saml_edge::sp::{CheckResult, Report};
use saml_edge::xml::{Document, writer};
use saml_edge::{
    Certificate, Error, Expect, Identity, IdentityProvider, Limits, ServiceProvider, UnixTime,
};
use serde_json::{Map, Value, json};

/// `saml-edge verify --help`.
const VERIFY_USAGE: &str = "\
usage: saml-edge verify --idp-cert FILE... | --idp-metadata FILE  [--idp-entity-id ID]
                        --sp-entity-id ID --acs-url URL [--request-id ID | --allow-unsolicited]
                        [--clock-skew SECS] [--now RFC3339] [--allow-sha1]
                        [--sp-key FILE... [--decrypt-only-signed-responses]]  < SAMLResponse

Verifies the SAMLResponse on stdin (the form value, base64 with line breaks allowed, or the raw
XML) and prints the identity as one JSON object (the JS API's field names).

  --idp-cert FILE        the IdP's signing certificate, PEM or bare base64 (repeat for several)
  --idp-metadata FILE    the IdP's federation metadata XML: entity ID and signing certificates
  --idp-entity-id ID     the IdP's entity ID (Entra ID: https://sts.windows.net/<tenant id>/);
                         required with --idp-cert, picks the entity in --idp-metadata
  --sp-entity-id ID      this SP's entity ID (the Audience)
  --acs-url URL          this SP's Assertion Consumer Service URL (Destination, Recipient)
  --request-id ID        the ID of the AuthnRequest the response answers (InResponseTo)
  --allow-unsolicited    accept an IdP-initiated response (no InResponseTo)
  --clock-skew SECS      tolerated clock difference (default 180, at most 3600)
  --now RFC3339          verify at this UTC time instead of the system clock
  --allow-sha1           accept SHA-1 signatures and digests (legacy IdPs)
  --sp-key FILE          a private key (PEM, PKCS#8 or PKCS#1) that decrypts encrypted assertions
                         (Entra ID \"Token encryption\"); repeat during a rollover, tried in order
  --decrypt-only-signed-responses
                         decrypt only when the Response's own signature verified first (it
                         covers the ciphertext; Entra: \"Sign SAML response and assertion\")
  -h, --help             this text

Exit codes: 0 accepted, 1 rejected ({\"error\":{\"code\":…,\"message\":…}} on stdout),
2 unusable arguments or configuration (a message on stderr).";

/// `saml-edge inspect --help`.
const INSPECT_USAGE: &str = "\
usage: saml-edge inspect [--idp-cert FILE... | --idp-metadata FILE] [the options of verify]
                         < SAMLResponse

Pretty-prints the SAMLResponse on stdin (form value or raw XML). With --idp-cert or
--idp-metadata it also runs every check of verify and lists each one's outcome, then the
identity. Settings not given are taken from the response itself and announced on stderr, so
--idp-cert FILE alone checks the signatures. The options are those of verify
(saml-edge verify --help).

  -h, --help             this text

Exit codes: 0 the XML parses (and, when checked, the response is accepted), 1 otherwise,
2 unusable arguments or configuration.";

/// Every command, with its usage text (the first paragraph is its synopsis in `saml-edge --help`)
/// and what runs it.
const COMMANDS: &[(&str, &str, Command)] = &[
    ("verify", VERIFY_USAGE, run_verify),
    ("inspect", INSPECT_USAGE, run_inspect),
    ("login-url", outgoing::LOGIN_URL_USAGE, outgoing::login_url),
    ("metadata", outgoing::METADATA_USAGE, outgoing::metadata),
    (
        "logout-request",
        logout::LOGOUT_REQUEST_USAGE,
        logout::logout_request,
    ),
    (
        "verify-logout",
        logout::VERIFY_LOGOUT_USAGE,
        logout::verify_logout,
    ),
];

/// A command: its arguments (after the command name) to an exit code.
type Command = fn(&[String]) -> Result<ExitCode, Usage>;

/// The first paragraph of a command's usage: its synopsis.
fn synopsis(usage: &str) -> &str {
    usage.split("\n\n").next().unwrap_or(usage)
}

/// `saml-edge --help`: every command's synopsis.
fn usage() -> String {
    let mut text = String::from("usage: saml-edge COMMAND [OPTIONS]\n");
    for (_, usage, _) in COMMANDS {
        text.push('\n');
        for line in synopsis(usage).lines() {
            // "usage: saml-edge …" and its aligned continuation lines, two columns in.
            let line = line
                .strip_prefix("usage: ")
                .or_else(|| line.strip_prefix("       "))
                .unwrap_or(line);
            text.push_str("  ");
            text.push_str(line);
            text.push('\n');
        }
    }
    text.push_str(
        "\nsaml-edge COMMAND --help (or -h) describes a command's options. Exit codes: 0 accepted,\n\
         1 rejected (an error object on stdout), 2 unusable arguments or configuration.",
    );
    text
}

/// Parsed command-line options shared by `verify` and `inspect`.
#[derive(Default, Clone)]
struct Options {
    idp_certs: Vec<String>,
    idp_metadata: Option<String>,
    idp_entity_id: Option<String>,
    sp_entity_id: Option<String>,
    acs_url: Option<String>,
    request_id: Option<String>,
    allow_unsolicited: bool,
    clock_skew: Option<u64>,
    now: Option<UnixTime>,
    allow_sha1: bool,
    sp_keys: Vec<String>,
    decrypt_only_signed_responses: bool,
}

/// Why a command stops before doing its work.
enum Usage {
    /// Unusable arguments or configuration: exit code 2, the message and the usage on stderr.
    Error(String),
    /// `-h` or `--help` where an option was expected: exit code 0, the usage on stdout.
    Help,
}

fn parse_options(args: &[String]) -> Result<Options, Usage> {
    let mut options = Options::default();
    let mut iter = args.iter();
    while let Some(flag) = iter.next() {
        let mut value = || {
            iter.next()
                .cloned()
                .ok_or_else(|| Usage::Error(format!("{flag} needs a value")))
        };
        match flag.as_str() {
            "--idp-cert" => options.idp_certs.push(value()?),
            "--idp-metadata" => options.idp_metadata = Some(value()?),
            "--idp-entity-id" => options.idp_entity_id = Some(value()?),
            "--sp-entity-id" => options.sp_entity_id = Some(value()?),
            "--acs-url" => options.acs_url = Some(value()?),
            "--request-id" => options.request_id = Some(value()?),
            "--allow-unsolicited" => options.allow_unsolicited = true,
            "--allow-sha1" => options.allow_sha1 = true,
            "--sp-key" => options.sp_keys.push(value()?),
            "--decrypt-only-signed-responses" => options.decrypt_only_signed_responses = true,
            "--clock-skew" => {
                let v = value()?;
                options.clock_skew =
                    Some(v.parse().map_err(|_| {
                        Usage::Error(format!("--clock-skew takes seconds, not {v}"))
                    })?);
            }
            "--now" => {
                let v = value()?;
                options.now = Some(UnixTime::parse_rfc3339_utc(&v).ok_or_else(|| {
                    Usage::Error(format!(
                        "--now takes a UTC time like 2026-01-15T10:00:00Z, not {v}"
                    ))
                })?);
            }
            "--help" | "-h" => return Err(Usage::Help),
            other => return Err(Usage::Error(format!("unknown option {other}"))),
        }
    }
    if options.request_id.is_some() && options.allow_unsolicited {
        return Err(Usage::Error(
            "give --request-id or --allow-unsolicited, not both".into(),
        ));
    }
    Ok(options)
}

fn read_file(path: &str) -> Result<Vec<u8>, Usage> {
    std::fs::read(path).map_err(|e| Usage::Error(format!("cannot read {path}: {e}")))
}

/// A file that must be UTF-8 text (PEM, XML).
fn read_text(path: &str) -> Result<String, Usage> {
    String::from_utf8(read_file(path)?)
        .map_err(|_| Usage::Error(format!("{path} is not UTF-8 text")))
}

/// The value of a required option, or the usage error naming `flag`.
fn required<'a>(value: &'a Option<String>, flag: &str) -> Result<&'a str, Usage> {
    value
        .as_deref()
        .ok_or_else(|| Usage::Error(format!("{flag} is required")))
}

/// A configuration problem as a usage error (exit 2), with its code.
fn config_error(err: impl Into<Error>) -> Usage {
    let err = err.into();
    Usage::Error(format!("{err} ({})", err.code()))
}

/// 16 random bytes from the operating system, for a request ID.
fn random_id_bytes() -> Result<[u8; 16], Usage> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|err| Usage::Error(format!("the operating system's RNG failed: {err}")))?;
    Ok(bytes)
}

/// Builds the service provider; configuration problems are usage errors (exit 2).
fn service_provider(options: &Options) -> Result<ServiceProvider, Usage> {
    let mut idp = if let Some(path) = &options.idp_metadata {
        let xml = read_file(path)?;
        let idp = IdentityProvider::from_metadata_xml(&xml, options.idp_entity_id.as_deref())
            .map_err(config_error)?;
        if !options.idp_certs.is_empty() {
            return Err(Usage::Error(
                "give --idp-cert or --idp-metadata, not both".into(),
            ));
        }
        idp
    } else {
        let entity_id = options
            .idp_entity_id
            .clone()
            .ok_or_else(|| Usage::Error("--idp-entity-id is required with --idp-cert (Entra ID: https://sts.windows.net/<tenant id>/)".into()))?;
        IdentityProvider::new(entity_id, "")
    };
    if options.idp_metadata.is_none() && options.idp_certs.is_empty() {
        return Err(Usage::Error(
            "--idp-cert FILE or --idp-metadata FILE is required".into(),
        ));
    }
    for path in &options.idp_certs {
        for cert in Certificate::parse_all(&read_file(path)?).map_err(config_error)? {
            idp = idp.certificate(cert);
        }
    }
    let mut builder = ServiceProvider::builder()
        .entity_id(
            options
                .sp_entity_id
                .clone()
                .ok_or_else(|| Usage::Error("--sp-entity-id is required".into()))?,
        )
        .acs_url(
            options
                .acs_url
                .clone()
                .ok_or_else(|| Usage::Error("--acs-url is required".into()))?,
        )
        .idp(idp)
        .allow_unsolicited(options.allow_unsolicited)
        .danger_allow_sha1(options.allow_sha1);
    if let Some(secs) = options.clock_skew {
        builder = builder.clock_skew(Duration::from_secs(secs));
    }
    for path in &options.sp_keys {
        let pem = String::from_utf8(read_file(path)?)
            .map_err(|_| Usage::Error(format!("{path} is not a PEM text file")))?;
        builder = builder
            .decryption_key_pem(&pem)
            .map_err(|e| Usage::Error(format!("--sp-key {path}: {e} ({})", e.code())))?;
    }
    builder
        .decrypt_only_signed_responses(options.decrypt_only_signed_responses)
        .build()
        .map_err(config_error)
}

fn now(options: &Options) -> UnixTime {
    now_from(options.now)
}

/// `now` if given, else the system clock.
fn now_from(now: Option<UnixTime>) -> UnixTime {
    now.unwrap_or_else(|| {
        let millis = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        UnixTime::from_millis(i64::try_from(millis).unwrap_or(i64::MAX))
    })
}

fn read_stdin() -> Result<String, Usage> {
    let mut input = Vec::new();
    std::io::stdin()
        .take(64 * 1024 * 1024)
        .read_to_end(&mut input)
        .map_err(|e| Usage::Error(format!("cannot read stdin: {e}")))?;
    String::from_utf8(input).map_err(|_| Usage::Error("stdin is not UTF-8 text".into()))
}

/// The identity as one JSON object, with the JS API's field names.
fn identity_json(identity: &Identity) -> Value {
    let mut attributes = Map::new();
    for attribute in &identity.attributes {
        attributes.insert(attribute.name.clone(), json!(attribute.values));
    }
    json!({
        "nameId": identity.name_id,
        "nameIdFormat": identity.name_id_format,
        "nameQualifier": identity.name_qualifier,
        "spNameQualifier": identity.sp_name_qualifier,
        "sessionIndex": identity.session_index,
        "issuer": identity.issuer,
        "assertionId": identity.assertion_id,
        "inResponseTo": identity.in_response_to,
        "attributes": attributes,
        "notOnOrAfter": identity.not_on_or_after.to_rfc3339(),
        "sessionNotOnOrAfter": identity.session_not_on_or_after.map(UnixTime::to_rfc3339),
        "authnInstant": identity.authn_instant.map(UnixTime::to_rfc3339),
        "authnContextClassRef": identity.authn_context_class_ref,
    })
}

fn error_json(code: &str, message: &str) -> Value {
    json!({ "error": { "code": code, "message": message } })
}

fn verify(options: &Options) -> Result<ExitCode, Usage> {
    let sp = service_provider(options)?;
    let input = read_stdin()?;
    let expect = Expect {
        request_id: options.request_id.as_deref(),
        now: now(options),
    };
    let result = if input.trim_start().starts_with('<') {
        sp.verify_xml(input.as_bytes(), &expect)
    } else {
        sp.verify_post_response(&input, &expect)
    };
    match result {
        Ok(identity) => {
            println!("{}", identity_json(&identity));
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            println!("{}", error_json(e.code(), &e.to_string()));
            Ok(ExitCode::from(1))
        }
    }
}

fn print_report(report: &Report) {
    println!("Checks:");
    for check in &report.checks {
        let outcome = match &check.result {
            CheckResult::Passed => "pass".to_owned(),
            CheckResult::NotApplicable => "n/a ".to_owned(),
            CheckResult::Skipped => "skip".to_owned(),
            CheckResult::Failed { code, message } => format!("FAIL {code}: {message}"),
        };
        println!(
            "  [{}] {:<20} {}",
            outcome.chars().take(4).collect::<String>(),
            check.name,
            check.description
        );
        if let CheckResult::Failed { .. } = &check.result {
            println!("         {outcome}");
        }
    }
    if let Some(identity) = &report.identity {
        println!("Identity:");
        println!(
            "{}",
            serde_json::to_string_pretty(&identity_json(identity)).unwrap_or_default()
        );
    }
}

/// For `inspect` only: settings not given on the command line are taken from the response itself
/// (Issuer, Audience, Destination or Recipient, InResponseTo) and announced on stderr, so that
/// `inspect --idp-cert FILE` alone checks the signatures. `verify` never does this.
fn assume_missing_from_response(options: &Options, input: &str) -> Options {
    const ASSERTION: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
    let mut filled = options.clone();
    let bytes = if input.trim_start().starts_with('<') {
        Ok(input.as_bytes().to_vec())
    } else {
        saml_edge::internal::encoding::decode_post_field(input, &Limits::default())
    };
    let doc = bytes
        .ok()
        .and_then(|b| Document::parse(&b, &Limits::default()).ok());
    let find = |local: &str| -> Option<String> {
        let doc = doc.as_ref()?;
        doc.descendants(doc.root())
            .find(|&n| doc.element(n).is_some_and(|e| e.is(ASSERTION, local)))
            .map(|n| doc.text(n).trim().to_owned())
    };
    let attribute = |local: &str, name: &str| -> Option<String> {
        let doc = doc.as_ref()?;
        let root = doc.element(doc.root())?;
        if local == "Response" {
            return root.attribute(name).map(str::to_owned);
        }
        doc.descendants(doc.root())
            .filter_map(|n| doc.element(n))
            .find(|e| e.is(ASSERTION, local))
            .and_then(|e| e.attribute(name).map(str::to_owned))
    };
    let mut assumed = Vec::new();
    let mut assume = |slot: &mut Option<String>, flag: &str, value: Option<String>| {
        if slot.is_none()
            && options
                .idp_metadata
                .as_ref()
                .is_none_or(|_| flag != "--idp-entity-id")
        {
            let value = value.unwrap_or_else(|| "urn:saml-edge:unknown".to_owned());
            assumed.push(format!("{flag} {value}"));
            *slot = Some(value);
        }
    };
    assume(&mut filled.idp_entity_id, "--idp-entity-id", find("Issuer"));
    assume(&mut filled.sp_entity_id, "--sp-entity-id", find("Audience"));
    assume(
        &mut filled.acs_url,
        "--acs-url",
        attribute("Response", "Destination")
            .or_else(|| attribute("SubjectConfirmationData", "Recipient")),
    );
    if filled.request_id.is_none() && !filled.allow_unsolicited {
        match attribute("SubjectConfirmationData", "InResponseTo") {
            Some(id) => {
                assumed.push(format!("--request-id {id}"));
                filled.request_id = Some(id);
            }
            None => {
                assumed.push("--allow-unsolicited".to_owned());
                filled.allow_unsolicited = true;
            }
        }
    }
    if !assumed.is_empty() {
        eprintln!(
            "saml-edge inspect: not given, so taken from the response itself (checks against them are \
             not meaningful): {}",
            assumed.join(" ")
        );
    }
    filled
}

fn inspect(options: &Options) -> Result<ExitCode, Usage> {
    let input = read_stdin()?;
    let with_checks = !options.idp_certs.is_empty() || options.idp_metadata.is_some();
    if with_checks {
        let options = &assume_missing_from_response(options, &input);
        let sp = service_provider(options)?;
        let expect = Expect {
            request_id: options.request_id.as_deref(),
            now: now(options),
        };
        let report = sp.inspect(&input, &expect);
        if let Some(xml) = &report.xml {
            print_xml(xml.as_bytes());
        }
        print_report(&report);
        return Ok(if report.identity.is_some() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }
    let limits = Limits::default();
    let bytes = if input.trim_start().starts_with('<') {
        Ok(input.into_bytes())
    } else {
        saml_edge::internal::encoding::decode_post_field(&input, &limits)
    };
    match bytes {
        Ok(bytes) => Ok(if print_xml(&bytes) {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        }),
        Err(e) => {
            println!("{}", error_json(e.code(), &e.to_string()));
            Ok(ExitCode::from(1))
        }
    }
}

/// Pretty-prints the XML; on a parse error prints the error and the raw text. Returns success.
fn print_xml(bytes: &[u8]) -> bool {
    match Document::parse(bytes, &Limits::default()) {
        Ok(doc) => {
            print!("{}", writer::pretty(&doc));
            true
        }
        Err(e) => {
            println!("{}", error_json(e.code(), &e.to_string()));
            println!("{}", String::from_utf8_lossy(bytes));
            false
        }
    }
}

fn run_verify(args: &[String]) -> Result<ExitCode, Usage> {
    verify(&parse_options(args)?)
}

fn run_inspect(args: &[String]) -> Result<ExitCode, Usage> {
    inspect(&parse_options(args)?)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        eprintln!("{}", usage());
        return ExitCode::from(2);
    };
    if matches!(command.as_str(), "help" | "--help" | "-h") {
        // `saml-edge help COMMAND` is `saml-edge COMMAND --help`.
        let Some(topic) = rest.first() else {
            println!("{}", usage());
            return ExitCode::SUCCESS;
        };
        return match COMMANDS.iter().find(|(name, _, _)| name == topic) {
            Some((_, usage, _)) => {
                println!("{usage}");
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("saml-edge: unknown command {topic}\n\n{}", usage());
                ExitCode::from(2)
            }
        };
    }
    let Some((name, usage, run)) = COMMANDS.iter().find(|(name, _, _)| name == command) else {
        eprintln!("saml-edge: unknown command {command}\n\n{}", usage());
        return ExitCode::from(2);
    };
    match run(rest) {
        Ok(code) => code,
        Err(Usage::Help) => {
            println!("{usage}");
            ExitCode::SUCCESS
        }
        Err(Usage::Error(message)) => {
            eprintln!(
                "saml-edge {name}: {message}\n\n{}\n\nsaml-edge {name} --help describes the options.",
                synopsis(usage)
            );
            ExitCode::from(2)
        }
    }
}
