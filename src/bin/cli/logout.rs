//! The Single Logout commands: `logout-request` (a LogoutRequest as an HTTP-Redirect URL) and
//! `verify-logout` (an incoming LogoutRequest or LogoutResponse, Redirect URL or POST body).

use std::process::ExitCode;
use std::time::Duration;

use saml_edge::saml::logout::{
    LogoutBinding, LogoutRequest, VerifiedLogoutRequest, VerifiedLogoutResponse,
};
use saml_edge::saml::metadata::{self, parse_idp_metadata};
use saml_edge::saml::signer::SigningCredentials;
use saml_edge::{Certificate, IdentityProvider, NameId, ServiceProvider, UnixTime};
use serde_json::{Value, json};

use crate::{
    Usage, config_error, error_json, now_from, random_id_bytes, read_file, read_stdin, read_text,
    required,
};

/// `saml-edge logout-request --help`.
pub(crate) const LOGOUT_REQUEST_USAGE: &str = "\
usage: saml-edge logout-request --idp-slo-url URL | --idp-metadata FILE  [--idp-entity-id ID]
                                --sp-entity-id ID --name-id VALUE [--name-id-format URI]
                                [--name-qualifier Q] [--sp-name-qualifier Q] [--session-index S]
                                [--relay-state S] [--sign-key FILE [--sign-cert FILE]]
                                [--now RFC3339]

Prints {\"url\": …, \"requestId\": …}: a LogoutRequest as the HTTP-Redirect URL to send the
browser to, and its ID (the request ID that verify-logout then expects in the LogoutResponse).
Give the NameID exactly as the assertion carried it (verify prints nameId, nameIdFormat,
nameQualifier, spNameQualifier and sessionIndex).

  --idp-slo-url URL      the IdP's logout URL (Entra ID: Logout URL,
                         https://login.microsoftonline.com/<tenant id>/saml2)
  --idp-metadata FILE    the IdP's metadata XML: its HTTP-Redirect (else HTTP-POST)
                         SingleLogoutService
  --idp-entity-id ID     the entity to pick in --idp-metadata
  --sp-entity-id ID      this SP's entity ID (the request's Issuer)
  --name-id VALUE        the NameID of the session to end
  --name-id-format URI   its Format
  --name-qualifier Q     its NameQualifier
  --sp-name-qualifier Q  its SPNameQualifier
  --session-index S      the AuthnStatement's SessionIndex
  --relay-state S        RelayState, returned with the LogoutResponse
  --sign-key FILE        sign the query with this RSA private key (PEM, PKCS#8 or PKCS#1)
  --sign-cert FILE       the key's certificate, checked against the key
  --now RFC3339          the IssueInstant instead of the system clock
  -h, --help             this text

Exit codes: 0 printed, 2 unusable arguments or configuration (a message on stderr).";

/// `saml-edge verify-logout --help`.
pub(crate) const VERIFY_LOGOUT_USAGE: &str = "\
usage: saml-edge verify-logout --idp-cert FILE... | --idp-metadata FILE  [--idp-entity-id ID]
                               --sp-entity-id ID --slo-url URL [--request-id ID]
                               [--logout-issuer ISSUER] [--clock-skew SECS] [--now RFC3339]
                               [--allow-sha1]        < Redirect URL, query string or POST body

Verifies a LogoutRequest or LogoutResponse from the IdP and prints it as one JSON object. Give
on stdin the whole Redirect URL (or its query string, exactly as received: the signature
covers its octets) or the POST form body (SAMLRequest=…&RelayState=…, whose message carries an
enveloped signature). A query with SigAlg is read as the Redirect binding, a body without it
as HTTP-POST.

  --idp-cert FILE        the IdP's signing certificate, PEM or bare base64 (repeat for several)
  --idp-metadata FILE    the IdP's federation metadata XML: entity ID and signing certificates
  --idp-entity-id ID     the IdP's entity ID (Entra ID: https://sts.windows.net/<tenant id>/,
                         whose logout form https://login.microsoftonline.com/<tenant id>/
                         is accepted too); required with --idp-cert
  --sp-entity-id ID      this SP's entity ID
  --slo-url URL          this SP's Single Logout URL (the expected Destination)
  --request-id ID        the ID of the LogoutRequest a LogoutResponse answers (required for
                         a LogoutResponse)
  --logout-issuer ISSUER accept this Issuer on logout messages too (repeatable)
  --clock-skew SECS      tolerated clock difference (default 180, at most 3600); messages
                         older than skew + 300 s are refused
  --now RFC3339          verify at this UTC time instead of the system clock
  --allow-sha1           accept SHA-1 signatures (legacy IdPs)
  -h, --help             this text

Exit codes: 0 accepted, 1 rejected ({\"error\":{\"code\":…,\"message\":…}} on stdout),
2 unusable arguments or configuration (a message on stderr).";

/// Options of both commands.
#[derive(Default)]
struct Options {
    idp_slo_url: Option<String>,
    idp_metadata: Option<String>,
    idp_entity_id: Option<String>,
    idp_certs: Vec<String>,
    logout_issuers: Vec<String>,
    sp_entity_id: Option<String>,
    slo_url: Option<String>,
    name_id: NameId,
    session_index: Option<String>,
    relay_state: Option<String>,
    request_id: Option<String>,
    sign_key: Option<String>,
    sign_cert: Option<String>,
    clock_skew: Option<u64>,
    allow_sha1: bool,
    now: Option<UnixTime>,
}

fn parse(build: bool, args: &[String]) -> Result<Options, Usage> {
    let mut options = Options::default();
    let mut iter = args.iter();
    while let Some(flag) = iter.next() {
        let mut value = || {
            iter.next()
                .cloned()
                .ok_or_else(|| Usage::Error(format!("{flag} needs a value")))
        };
        let verify = !build;
        match flag.as_str() {
            "--idp-metadata" => options.idp_metadata = Some(value()?),
            "--idp-entity-id" => options.idp_entity_id = Some(value()?),
            "--sp-entity-id" => options.sp_entity_id = Some(value()?),
            "--now" => {
                let v = value()?;
                options.now = Some(UnixTime::parse_rfc3339_utc(&v).ok_or_else(|| {
                    Usage::Error(format!(
                        "--now takes a UTC time like 2026-01-15T10:00:00Z, not {v}"
                    ))
                })?);
            }
            "--idp-slo-url" if build => options.idp_slo_url = Some(value()?),
            "--name-id" if build => options.name_id.value = value()?,
            "--name-id-format" if build => options.name_id.format = Some(value()?),
            "--name-qualifier" if build => options.name_id.name_qualifier = Some(value()?),
            "--sp-name-qualifier" if build => options.name_id.sp_name_qualifier = Some(value()?),
            "--session-index" if build => options.session_index = Some(value()?),
            "--relay-state" if build => options.relay_state = Some(value()?),
            "--sign-key" if build => options.sign_key = Some(value()?),
            "--sign-cert" if build => options.sign_cert = Some(value()?),
            "--idp-cert" if verify => options.idp_certs.push(value()?),
            "--logout-issuer" if verify => options.logout_issuers.push(value()?),
            "--slo-url" if verify => options.slo_url = Some(value()?),
            "--request-id" if verify => options.request_id = Some(value()?),
            "--allow-sha1" if verify => options.allow_sha1 = true,
            "--clock-skew" if verify => {
                let v = value()?;
                options.clock_skew =
                    Some(v.parse().map_err(|_| {
                        Usage::Error(format!("--clock-skew takes seconds, not {v}"))
                    })?);
            }
            "--help" | "-h" => return Err(Usage::Help),
            other => return Err(Usage::Error(format!("unknown option {other}"))),
        }
    }
    Ok(options)
}

/// `saml-edge logout-request`: prints `{"url": …, "requestId": …}`.
pub(crate) fn logout_request(args: &[String]) -> Result<ExitCode, Usage> {
    let options = parse(true, args)?;
    let slo_url = match (&options.idp_slo_url, &options.idp_metadata) {
        (Some(url), None) => url.clone(),
        (None, Some(path)) => {
            let idp = parse_idp_metadata(&read_file(path)?, options.idp_entity_id.as_deref())
                .map_err(config_error)?;
            idp.slo_url(metadata::HTTP_REDIRECT)
                .or_else(|| idp.slo_url(metadata::HTTP_POST))
                .ok_or_else(|| {
                    Usage::Error(format!(
                        "{path} has no SingleLogoutService with the HTTP-Redirect or HTTP-POST binding"
                    ))
                })?
                .to_owned()
        }
        (Some(_), Some(_)) => {
            return Err(Usage::Error(
                "give --idp-slo-url or --idp-metadata, not both".into(),
            ));
        }
        (None, None) => {
            return Err(Usage::Error(
                "--idp-slo-url URL (Entra ID: Logout URL) or --idp-metadata FILE is required"
                    .into(),
            ));
        }
    };
    if options.name_id.value.is_empty() {
        return Err(Usage::Error("--name-id is required".into()));
    }
    let credentials = match &options.sign_key {
        Some(key) => {
            let cert = options.sign_cert.as_deref().map(read_text).transpose()?;
            Some(
                SigningCredentials::from_pem(&read_text(key)?, cert.as_deref())
                    .map_err(config_error)?,
            )
        }
        None => None,
    };
    let random = random_id_bytes()?;
    let request = LogoutRequest::new(
        required(&options.sp_entity_id, "--sp-entity-id")?,
        &slo_url,
        &options.name_id,
        options.session_index.as_deref(),
        options.relay_state.as_deref(),
        now_from(options.now),
        &random,
    )
    .map_err(config_error)?;
    let request = match credentials {
        Some(credentials) => request.signed_with(credentials),
        None => request,
    };
    let url = request.redirect_url().map_err(config_error)?;
    println!("{}", json!({ "url": url, "requestId": request.id() }));
    Ok(ExitCode::SUCCESS)
}

/// The service provider that checks incoming logout messages.
fn service_provider(options: &Options) -> Result<ServiceProvider, Usage> {
    let mut idp = match (&options.idp_metadata, options.idp_certs.is_empty()) {
        (Some(path), true) => {
            IdentityProvider::from_metadata_xml(&read_file(path)?, options.idp_entity_id.as_deref())
                .map_err(config_error)?
        }
        (None, false) => {
            IdentityProvider::new(required(&options.idp_entity_id, "--idp-entity-id")?, "")
        }
        (Some(_), false) => {
            return Err(Usage::Error(
                "give --idp-cert or --idp-metadata, not both".into(),
            ));
        }
        (None, true) => {
            return Err(Usage::Error(
                "--idp-cert FILE or --idp-metadata FILE is required".into(),
            ));
        }
    };
    for path in &options.idp_certs {
        for cert in Certificate::parse_all(&read_file(path)?).map_err(config_error)? {
            idp = idp.certificate(cert);
        }
    }
    for issuer in &options.logout_issuers {
        idp = idp.logout_issuer(issuer);
    }
    let slo_url = required(&options.slo_url, "--slo-url")?;
    let mut builder = ServiceProvider::builder()
        .entity_id(required(&options.sp_entity_id, "--sp-entity-id")?)
        // Not used by the logout checks, but every ServiceProvider has one.
        .acs_url(slo_url)
        .slo_url(slo_url)
        .idp(idp)
        .danger_allow_sha1(options.allow_sha1);
    if let Some(secs) = options.clock_skew {
        builder = builder.clock_skew(Duration::from_secs(secs));
    }
    builder.build().map_err(config_error)
}

fn request_json(request: &VerifiedLogoutRequest) -> Value {
    json!({
        "type": "LogoutRequest",
        "id": request.id,
        "issuer": request.issuer,
        "nameId": request.name_id.value,
        "nameIdFormat": request.name_id.format,
        "nameQualifier": request.name_id.name_qualifier,
        "spNameQualifier": request.name_id.sp_name_qualifier,
        "sessionIndexes": request.session_indexes,
        "issueInstant": request.issue_instant.to_rfc3339(),
        "notOnOrAfter": request.not_on_or_after.map(UnixTime::to_rfc3339),
        "replayUntil": request.replay_until.to_rfc3339(),
        "reason": request.reason,
        "relayState": request.relay_state,
    })
}

fn response_json(response: &VerifiedLogoutResponse) -> Value {
    json!({
        "type": "LogoutResponse",
        "id": response.id,
        "issuer": response.issuer,
        "inResponseTo": response.in_response_to,
        "issueInstant": response.issue_instant.to_rfc3339(),
        "relayState": response.relay_state,
    })
}

/// `saml-edge verify-logout`: prints the verified message, or the error.
pub(crate) fn verify_logout(args: &[String]) -> Result<ExitCode, Usage> {
    let options = parse(false, args)?;
    let sp = service_provider(&options)?;
    let input = read_stdin()?;
    let input = input.trim();
    let query = match input.split_once('?') {
        Some((_, query)) if input.starts_with("http") => query,
        _ => input,
    };
    let params = saml_edge::internal::encoding::parse_form(query).unwrap_or_default();
    let param = |name: &str| {
        params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let is_request = param("SAMLRequest").is_some();
    let binding = if param("SigAlg").is_some() || input.starts_with("http") {
        LogoutBinding::Redirect(query)
    } else {
        LogoutBinding::Post {
            message: param("SAMLRequest")
                .or(param("SAMLResponse"))
                .unwrap_or_default(),
            relay_state: param("RelayState"),
        }
    };
    let now = now_from(options.now);
    let result = if is_request {
        sp.verify_logout_request(binding, now)
            .map(|r| request_json(&r))
    } else {
        let request_id = required(&options.request_id, "--request-id (for a LogoutResponse)")?;
        sp.verify_logout_response(binding, request_id, now)
            .map(|r| response_json(&r))
    };
    match result {
        Ok(value) => {
            println!("{value}");
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            println!("{}", error_json(e.code(), &e.to_string()));
            Ok(ExitCode::from(1))
        }
    }
}
