//! The commands that produce what the SP sends: `login-url` (an AuthnRequest as an
//! HTTP-Redirect URL) and `metadata` (the SP metadata XML to upload to the IdP).

use std::process::ExitCode;

use saml_edge::UnixTime;
use saml_edge::saml::authn_request::{
    AuthnRequest, AuthnRequestOptions, NameIdPolicy, RequestEndpoints,
};
use saml_edge::saml::metadata::{self, parse_idp_metadata};
use saml_edge::saml::signer::SigningCredentials;
use saml_edge::saml::sp_metadata::SpMetadata;

use crate::{Usage, config_error, now_from, random_id_bytes, read_file, read_text, required};

/// `saml-edge login-url --help`.
pub(crate) const LOGIN_URL_USAGE: &str = "\
usage: saml-edge login-url --idp-sso-url URL | --idp-metadata FILE  [--idp-entity-id ID]
                           --sp-entity-id ID --acs-url URL [--relay-state S] [--force-authn]
                           [--is-passive] [--login-hint UPN] [--name-id-format URI]
                           [--sign-key FILE [--sign-cert FILE]] [--now RFC3339]

Prints {\"url\": …, \"requestId\": …}: an AuthnRequest as the HTTP-Redirect URL to send the
browser to, and its ID (the request ID that verify then expects in the response).

  --idp-sso-url URL      the IdP's sign-in URL (Entra ID: Login URL)
  --idp-metadata FILE    the IdP's metadata XML: its HTTP-Redirect (else HTTP-POST) sign-in
                         URL, and whether it wants signed requests
  --idp-entity-id ID     the entity to pick in --idp-metadata
  --sp-entity-id ID      this SP's entity ID (the request's Issuer)
  --acs-url URL          where the IdP posts the response
  --relay-state S        RelayState, returned with the response
  --force-authn          ForceAuthn: the user signs in again
  --is-passive           IsPassive: no interaction with the user
  --login-hint UPN       the login_hint parameter (Entra ID pre-fills the user name)
  --name-id-format URI   the NameIDPolicy Format to ask for
  --sign-key FILE        sign the query with this RSA private key (PEM, PKCS#8 or PKCS#1)
  --sign-cert FILE       the key's certificate, checked against the key
  --now RFC3339          the IssueInstant instead of the system clock
  -h, --help             this text

Exit codes: 0 printed, 2 unusable arguments or configuration (a message on stderr).";

/// `saml-edge metadata --help`.
pub(crate) const METADATA_USAGE: &str = "\
usage: saml-edge metadata --sp-entity-id ID --acs-url URL [--slo-url URL] [--name-id-format URI]
                          [--sign-cert FILE [--sign-key FILE]] [--encryption-cert FILE...]

Prints this SP's metadata XML, to upload to the IdP (Entra ID: Upload metadata file).

  --sp-entity-id ID      this SP's entity ID
  --acs-url URL          the Assertion Consumer Service URL (HTTP-POST binding)
  --slo-url URL          the Single Logout URL
  --name-id-format URI   the NameIDFormat to ask for
  --sign-cert FILE       publish this certificate as the SP's signing certificate
                         (AuthnRequestsSigned=\"true\")
  --sign-key FILE        sign the metadata with the certificate's private key
  --encryption-cert FILE publish this certificate (that of a decryption key given to
                         verify) as KeyDescriptor use=\"encryption\" with the accepted
                         algorithms; repeat during a rollover
  -h, --help             this text

Exit codes: 0 printed, 2 unusable arguments or configuration (a message on stderr).";

/// Options of `login-url` and `metadata`.
#[derive(Default)]
struct Options {
    idp_sso_url: Option<String>,
    idp_metadata: Option<String>,
    idp_entity_id: Option<String>,
    sp_entity_id: Option<String>,
    acs_url: Option<String>,
    slo_url: Option<String>,
    relay_state: Option<String>,
    login_hint: Option<String>,
    name_id_format: Option<String>,
    force_authn: bool,
    is_passive: bool,
    sign_key: Option<String>,
    sign_cert: Option<String>,
    encryption_certs: Vec<String>,
    now: Option<UnixTime>,
}

/// Which flags a command accepts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Command {
    LoginUrl,
    Metadata,
}

fn parse(command: Command, args: &[String]) -> Result<Options, Usage> {
    let mut options = Options::default();
    let mut iter = args.iter();
    while let Some(flag) = iter.next() {
        let mut value = || {
            iter.next()
                .cloned()
                .ok_or_else(|| Usage::Error(format!("{flag} needs a value")))
        };
        let login = command == Command::LoginUrl;
        match flag.as_str() {
            "--sp-entity-id" => options.sp_entity_id = Some(value()?),
            "--acs-url" => options.acs_url = Some(value()?),
            "--sign-key" => options.sign_key = Some(value()?),
            "--sign-cert" => options.sign_cert = Some(value()?),
            "--name-id-format" => options.name_id_format = Some(value()?),
            "--idp-sso-url" if login => options.idp_sso_url = Some(value()?),
            "--idp-metadata" if login => options.idp_metadata = Some(value()?),
            "--idp-entity-id" if login => options.idp_entity_id = Some(value()?),
            "--relay-state" if login => options.relay_state = Some(value()?),
            "--login-hint" if login => options.login_hint = Some(value()?),
            "--force-authn" if login => options.force_authn = true,
            "--is-passive" if login => options.is_passive = true,
            "--now" if login => {
                let v = value()?;
                options.now = Some(UnixTime::parse_rfc3339_utc(&v).ok_or_else(|| {
                    Usage::Error(format!(
                        "--now takes a UTC time like 2026-01-15T10:00:00Z, not {v}"
                    ))
                })?);
            }
            "--slo-url" if !login => options.slo_url = Some(value()?),
            "--encryption-cert" if !login => options.encryption_certs.push(value()?),
            "--help" | "-h" => return Err(Usage::Help),
            other => return Err(Usage::Error(format!("unknown option {other}"))),
        }
    }
    Ok(options)
}

/// The signing credentials from `--sign-key` (and `--sign-cert`), if given.
fn credentials(options: &Options) -> Result<Option<SigningCredentials>, Usage> {
    let Some(key_path) = &options.sign_key else {
        return Ok(None);
    };
    let key = read_text(key_path)?;
    let cert = options.sign_cert.as_deref().map(read_text).transpose()?;
    SigningCredentials::from_pem(&key, cert.as_deref())
        .map(Some)
        .map_err(config_error)
}

/// The IdP SSO URL, from `--idp-sso-url` or the Redirect (else POST) endpoint of
/// `--idp-metadata`; and whether the metadata wants signed requests.
fn idp_sso_url(options: &Options) -> Result<(String, bool), Usage> {
    match (&options.idp_sso_url, &options.idp_metadata) {
        (Some(url), None) => Ok((url.clone(), false)),
        (None, Some(path)) => {
            let idp = parse_idp_metadata(&read_file(path)?, options.idp_entity_id.as_deref())
                .map_err(config_error)?;
            let url = idp
                .sso_url(metadata::HTTP_REDIRECT)
                .or_else(|| idp.sso_url(metadata::HTTP_POST))
                .ok_or_else(|| {
                    Usage::Error(format!(
                        "{path} has no SingleSignOnService with the HTTP-Redirect or HTTP-POST binding"
                    ))
                })?;
            Ok((url.to_owned(), idp.want_authn_requests_signed))
        }
        (Some(_), Some(_)) => Err(Usage::Error(
            "give --idp-sso-url or --idp-metadata, not both".into(),
        )),
        (None, None) => Err(Usage::Error(
            "--idp-sso-url URL (Entra ID: Login URL) or --idp-metadata FILE is required".into(),
        )),
    }
}

/// `saml-edge login-url`: prints `{"url": …, "requestId": …}`.
pub(crate) fn login_url(args: &[String]) -> Result<ExitCode, Usage> {
    let options = parse(Command::LoginUrl, args)?;
    let (sso_url, wants_signed) = idp_sso_url(&options)?;
    let credentials = credentials(&options)?;
    if wants_signed && credentials.is_none() {
        return Err(Usage::Error(
            "the IdP metadata asks for signed requests (WantAuthnRequestsSigned): give --sign-key"
                .into(),
        ));
    }
    let endpoints = RequestEndpoints {
        sp_entity_id: required(&options.sp_entity_id, "--sp-entity-id")?,
        acs_url: required(&options.acs_url, "--acs-url")?,
        idp_sso_url: &sso_url,
    };
    let request_options = AuthnRequestOptions {
        relay_state: options.relay_state.clone(),
        force_authn: options.force_authn,
        is_passive: options.is_passive,
        login_hint: options.login_hint.clone(),
        name_id_policy: options.name_id_format.clone().map(|format| NameIdPolicy {
            format: Some(format),
            allow_create: None,
        }),
        ..AuthnRequestOptions::default()
    };
    let now = now_from(options.now);
    let request = AuthnRequest::new(&endpoints, request_options, now, &random_id_bytes()?)
        .map_err(config_error)?;
    let request = match credentials {
        Some(credentials) => request.signed_with(credentials),
        None => request,
    };
    let url = request.redirect_url().map_err(config_error)?;
    println!(
        "{{\"url\":{},\"requestId\":{}}}",
        serde_json::Value::String(url),
        serde_json::Value::String(request.id().to_owned())
    );
    Ok(ExitCode::SUCCESS)
}

/// `saml-edge metadata`: prints the SP metadata XML (signed with `--sign-key`).
pub(crate) fn metadata(args: &[String]) -> Result<ExitCode, Usage> {
    let options = parse(Command::Metadata, args)?;
    let sp_entity_id = required(&options.sp_entity_id, "--sp-entity-id")?;
    let acs_url = required(&options.acs_url, "--acs-url")?;
    if options.sign_key.is_some() && options.sign_cert.is_none() {
        return Err(Usage::Error(
            "--sign-key signs the metadata and needs --sign-cert (the certificate to publish)"
                .into(),
        ));
    }
    let credentials = credentials(&options)?;
    let certificate = match (&credentials, &options.sign_cert) {
        (Some(_), _) | (None, None) => None,
        (None, Some(path)) => Some(
            saml_edge::Certificate::from_pem_or_base64(&read_text(path)?)
                .map_err(config_error)?
                .into_iter()
                .next()
                .ok_or_else(|| Usage::Error(format!("{path} holds no certificate")))?,
        ),
    };
    let mut encryption_certificates = Vec::new();
    for path in &options.encryption_certs {
        encryption_certificates.extend(
            saml_edge::Certificate::from_pem_or_base64(&read_text(path)?).map_err(config_error)?,
        );
    }
    let mut metadata = SpMetadata::new(sp_entity_id, acs_url);
    metadata.slo_url = options.slo_url.as_deref();
    metadata.encryption_certificates = &encryption_certificates;
    if let Some(format) = &options.name_id_format {
        metadata.name_id_format = Some(format);
    }
    metadata.signing_certificate = credentials
        .as_ref()
        .and_then(SigningCredentials::certificate)
        .or(certificate.as_ref());
    metadata.authn_requests_signed = metadata.signing_certificate.is_some();
    let xml = match &credentials {
        Some(credentials) => metadata.to_signed_xml(credentials),
        None => metadata.to_xml(),
    }
    .map_err(config_error)?;
    print!("{xml}");
    Ok(ExitCode::SUCCESS)
}
