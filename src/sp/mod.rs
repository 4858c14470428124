//! The service provider: configuration plus the few entry points users call.

use std::time::Duration;

use crate::danger::AlgorithmPolicy;
use crate::dsig::{self, Verified};
use crate::encoding;
use crate::error::ConfigError;
use crate::saml::assertion::{self, SignedAssertion};
use crate::saml::expiry::{CertificateExpiry, certificate_expiry};
use crate::saml::metadata::{self, IdpMetadata};
use crate::saml::{Identity, structure};
use crate::time::UnixTime;
use crate::x509::Certificate;
use crate::xml::Document;
use crate::{Error, Limits};

/// The default tolerated clock difference between the IdP and this service provider.
pub const DEFAULT_CLOCK_SKEW: Duration = Duration::from_secs(180);

/// The identity provider this service provider trusts.
#[derive(Debug, Clone)]
pub struct IdentityProvider {
    entity_id: String,
    sso_url: Option<String>,
    slo_url: Option<String>,
    certificates: Vec<Certificate>,
    want_authn_requests_signed: bool,
    logout_issuers: Vec<String>,
}

impl IdentityProvider {
    /// An IdP with its entity ID (Entra ID: `https://sts.windows.net/<tenant id>/`) and single
    /// sign-on URL (Entra ID's "Login URL"). Add at least one certificate.
    pub fn new(entity_id: impl Into<String>, sso_url: impl Into<String>) -> Self {
        let sso_url = sso_url.into();
        IdentityProvider {
            entity_id: entity_id.into(),
            sso_url: (!sso_url.is_empty()).then_some(sso_url),
            slo_url: None,
            certificates: Vec::new(),
            want_authn_requests_signed: false,
            logout_issuers: Vec::new(),
        }
    }

    /// An IdP described by its SAML metadata (Entra ID: "App Federation Metadata Url" document).
    /// `entity_id` picks one entity of an `EntitiesDescriptor`. The SSO URL is the
    /// HTTP-Redirect endpoint (else HTTP-POST); every signing certificate is trusted.
    pub fn from_metadata_xml(xml: &[u8], entity_id: Option<&str>) -> Result<Self, Error> {
        let metadata = crate::saml::metadata::parse_idp_metadata(xml, entity_id)?;
        Ok(IdentityProvider::from_metadata(metadata))
    }

    /// An IdP from already imported metadata (e.g. from
    /// [`crate::saml::metadata::parse_idp_metadata_with`], which can verify the metadata's
    /// signature). SSO and SLO URLs are the HTTP-Redirect endpoints (else HTTP-POST).
    pub fn from_metadata(metadata: IdpMetadata) -> Self {
        let pick =
            |redirect: Option<&str>, post: Option<&str>| redirect.or(post).map(str::to_owned);
        let sso_url = pick(
            metadata.sso_url(metadata::HTTP_REDIRECT),
            metadata.sso_url(metadata::HTTP_POST),
        );
        let slo_url = pick(
            metadata.slo_url(metadata::HTTP_REDIRECT),
            metadata.slo_url(metadata::HTTP_POST),
        );
        IdentityProvider {
            entity_id: metadata.entity_id,
            sso_url,
            slo_url,
            certificates: metadata.signing_certificates,
            want_authn_requests_signed: metadata.want_authn_requests_signed,
            logout_issuers: Vec::new(),
        }
    }

    /// Trusts the certificate(s) in `text`: PEM (one or more blocks) or the bare base64 body of
    /// Entra ID's "Certificate (Base64)" download. Call again to trust several (rollover).
    pub fn certificate_pem(mut self, text: &str) -> Result<Self, Error> {
        self.certificates
            .extend(Certificate::from_pem_or_base64(text)?);
        Ok(self)
    }

    /// The IdP's single logout URL (Entra ID: the Logout URL of the tenant,
    /// `https://login.microsoftonline.com/<tenant id>/saml2`), replacing the one from metadata.
    pub fn with_slo_url(mut self, slo_url: impl Into<String>) -> Self {
        let slo_url = slo_url.into();
        self.slo_url = (!slo_url.is_empty()).then_some(slo_url);
        self
    }

    /// Accepts `issuer` as the Issuer of this IdP's logout messages, besides its entity ID.
    /// Entra ID signs them as `https://login.microsoftonline.com/<tenant>/`, which is accepted
    /// without this setting when the entity ID is `https://sts.windows.net/<tenant>/`.
    pub fn logout_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.logout_issuers.push(issuer.into());
        self
    }

    /// The Issuers accepted on logout messages: the entity ID, Entra's login-host form of it,
    /// and those added with [`IdentityProvider::logout_issuer`].
    pub fn logout_issuers(&self) -> Vec<String> {
        let mut issuers = vec![self.entity_id.clone()];
        issuers.extend(crate::saml::logout::entra_logout_issuer(&self.entity_id));
        issuers.extend(self.logout_issuers.iter().cloned());
        issuers
    }

    /// Trusts a DER-encoded certificate.
    pub fn certificate_der(mut self, der: &[u8]) -> Result<Self, Error> {
        self.certificates.push(Certificate::from_der(der)?);
        Ok(self)
    }

    /// Trusts an already parsed certificate.
    pub fn certificate(mut self, certificate: Certificate) -> Self {
        self.certificates.push(certificate);
        self
    }

    /// The IdP entity ID.
    pub fn entity_id(&self) -> &str {
        &self.entity_id
    }

    /// The IdP single sign-on URL, if known.
    pub fn sso_url(&self) -> Option<&str> {
        self.sso_url.as_deref()
    }

    /// The trusted signing certificates.
    pub fn certificates(&self) -> &[Certificate] {
        &self.certificates
    }

    /// The IdP single logout URL, if known (from metadata).
    pub fn slo_url(&self) -> Option<&str> {
        self.slo_url.as_deref()
    }

    /// Whether the IdP's metadata asks for signed AuthnRequests (`WantAuthnRequestsSigned`).
    pub fn want_authn_requests_signed(&self) -> bool {
        self.want_authn_requests_signed
    }

    /// The expiry status of each trusted certificate at `now` (Entra warns 60, 30 and 7 days
    /// ahead; see [`crate::saml::expiry`]).
    pub fn certificate_expiry(&self, now: UnixTime) -> Vec<CertificateExpiry> {
        certificate_expiry(&self.certificates, now)
    }
}

/// What the caller knows about the response being verified.
#[derive(Debug, Clone, Copy)]
pub struct Expect<'a> {
    /// The ID of the AuthnRequest this browser started (`None` when none is pending).
    pub request_id: Option<&'a str>,
    /// The current time (the core never reads a clock).
    pub now: UnixTime,
}

/// A configured SAML service provider. Build it once and reuse it.
#[derive(Debug, Clone)]
pub struct ServiceProvider {
    entity_id: String,
    acs_url: String,
    slo_url: Option<String>,
    #[cfg(feature = "sign")]
    signing: Option<crate::saml::signer::SigningCredentials>,
    idp: IdentityProvider,
    extra_audiences: Vec<String>,
    clock_skew_secs: i64,
    allow_unsolicited: bool,
    policy: AlgorithmPolicy,
    limits: Limits,
    decryption: decrypt::Decryption,
}

/// Builds a [`ServiceProvider`]; see [`ServiceProvider::builder`].
#[derive(Debug, Clone, Default)]
pub struct ServiceProviderBuilder {
    entity_id: Option<String>,
    acs_url: Option<String>,
    slo_url: Option<String>,
    #[cfg(feature = "sign")]
    signing: signing::SigningConfig,
    idp: Option<IdentityProvider>,
    extra_audiences: Vec<String>,
    clock_skew: Option<Duration>,
    allow_unsolicited: bool,
    /// Set by [`ServiceProviderBuilder::danger_allow_sha1`] (in `crate::danger`).
    pub(crate) algorithm_policy: AlgorithmPolicy,
    limits: Option<Limits>,
    decryption: decrypt::Decryption,
}

impl ServiceProviderBuilder {
    /// This SP's entity ID: Entra ID's "Identifier (Entity ID)", and the expected Audience.
    pub fn entity_id(mut self, entity_id: impl Into<String>) -> Self {
        self.entity_id = Some(entity_id.into());
        self
    }

    /// This SP's Assertion Consumer Service URL: Entra ID's "Reply URL", compared exactly with
    /// the Response Destination and the SubjectConfirmationData Recipient.
    pub fn acs_url(mut self, acs_url: impl Into<String>) -> Self {
        self.acs_url = Some(acs_url.into());
        self
    }

    /// This SP's single logout URL (Entra ID: "Logout Url"), published in the SP metadata.
    pub fn slo_url(mut self, slo_url: impl Into<String>) -> Self {
        self.slo_url = Some(slo_url.into());
        self
    }

    /// The trusted identity provider.
    pub fn idp(mut self, idp: IdentityProvider) -> Self {
        self.idp = Some(idp);
        self
    }

    /// Accepts an additional Audience value (e.g. Entra's `spn:<application id>`).
    pub fn extra_audience(mut self, audience: impl Into<String>) -> Self {
        self.extra_audiences.push(audience.into());
        self
    }

    /// Tolerated clock difference (default 180 s; at most 1 hour).
    pub fn clock_skew(mut self, skew: Duration) -> Self {
        self.clock_skew = Some(skew);
        self
    }

    /// Accepts IdP-initiated responses (no InResponseTo). Off by default.
    pub fn allow_unsolicited(mut self, allow: bool) -> Self {
        self.allow_unsolicited = allow;
        self
    }

    /// Accepts RSA-SHA1 signatures and SHA-1 digests: the same as
    /// [`ServiceProviderBuilder::danger_allow_sha1`], which sits in [`crate::danger`] with the
    /// other options that weaken verification.
    #[deprecated(note = "use `danger_allow_sha1` (see `saml_edge::danger`)")]
    pub fn allow_sha1(self, allow: bool) -> Self {
        self.danger_allow_sha1(allow)
    }

    /// Replaces the default [`Limits`].
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = Some(limits);
        self
    }

    /// Checks the configuration and builds the service provider.
    pub fn build(self) -> Result<ServiceProvider, Error> {
        let entity_id = self
            .entity_id
            .filter(|s| !s.is_empty())
            .ok_or(ConfigError::Missing { field: "entity_id" })?;
        let acs_url = self
            .acs_url
            .filter(|s| !s.is_empty())
            .ok_or(ConfigError::Missing { field: "acs_url" })?;
        let idp = self.idp.ok_or(ConfigError::Missing { field: "idp" })?;
        if idp.entity_id.is_empty() {
            return Err(ConfigError::Missing {
                field: "idp.entity_id",
            }
            .into());
        }
        if idp.certificates.is_empty() {
            return Err(ConfigError::Missing {
                field: "idp.certificates",
            }
            .into());
        }
        let skew = self.clock_skew.unwrap_or(DEFAULT_CLOCK_SKEW);
        if skew > Duration::from_secs(3600) {
            return Err(ConfigError::Invalid {
                field: "clock_skew",
                detail: "more than one hour".into(),
            }
            .into());
        }
        if let Some(slo_url) = &self.slo_url {
            crate::saml::values::check_http_url("slo_url", slo_url)?;
        }
        self.decryption.check()?;
        Ok(ServiceProvider {
            entity_id,
            acs_url,
            slo_url: self.slo_url,
            #[cfg(feature = "sign")]
            signing: self.signing.build()?,
            idp,
            extra_audiences: self.extra_audiences,
            clock_skew_secs: i64::try_from(skew.as_secs()).unwrap_or(3600),
            allow_unsolicited: self.allow_unsolicited,
            policy: self.algorithm_policy,
            limits: self.limits.unwrap_or_default(),
            decryption: self.decryption,
        })
    }
}

impl ServiceProvider {
    /// Starts building a service provider.
    pub fn builder() -> ServiceProviderBuilder {
        ServiceProviderBuilder::default()
    }

    /// This SP's entity ID.
    pub fn entity_id(&self) -> &str {
        &self.entity_id
    }

    /// This SP's ACS URL.
    pub fn acs_url(&self) -> &str {
        &self.acs_url
    }

    /// The trusted IdP.
    pub fn idp(&self) -> &IdentityProvider {
        &self.idp
    }

    /// The tolerated clock skew, in seconds.
    pub fn clock_skew_secs(&self) -> i64 {
        self.clock_skew_secs
    }

    /// Verifies the HTTP-POST binding's `SAMLResponse` form value (base64; line breaks allowed)
    /// and returns who signed in.
    pub fn verify_post_response(
        &self,
        saml_response: &str,
        expect: &Expect<'_>,
    ) -> Result<Identity, Error> {
        let xml = encoding::decode_post_field(saml_response, &self.limits)?;
        self.verify_xml(&xml, expect)
    }

    /// Verifies a Response given as XML bytes (already decoded from the transport).
    pub fn verify_xml(&self, xml: &[u8], expect: &Expect<'_>) -> Result<Identity, Error> {
        let doc = Document::parse(xml, &self.limits)?;
        self.verify_document(&doc, expect)
    }

    /// Verifies a parsed Response document.
    pub fn verify_document(&self, doc: &Document, expect: &Expect<'_>) -> Result<Identity, Error> {
        self.verify_document_with(doc, expect, crate::xmlenc::ContentKey::Unwrap)
    }

    /// `verify_document`, with the content key of an encrypted assertion from `content_key`.
    fn verify_document_with(
        &self,
        doc: &Document,
        expect: &Expect<'_>,
        content_key: crate::xmlenc::ContentKey<'_>,
    ) -> Result<Identity, Error> {
        let shape = structure::check(doc)?;
        if shape.encrypted {
            return self.verify_encrypted(doc, &shape, expect, content_key);
        }
        let trusted = self.idp.certificates();
        let verify = |signature| dsig::verify_enveloped(doc, signature, trusted, &self.policy);
        let response: Option<Verified> = shape.response_signature.map(verify).transpose()?;
        let assertion: Option<Verified> = shape.assertion_signature.map(verify).transpose()?;
        let signed = SignedAssertion::new(response.as_ref(), assertion.as_ref())
            .ok_or(crate::error::SignatureError::Missing)?;
        let checks = self.checks(expect);
        structure::check_response(doc, shape.response, &checks)?;
        assertion::validate(&signed, &checks)
    }
}

mod decrypt;
pub use decrypt::KeyUnwrap;
mod inspect;
mod login;
#[cfg(feature = "sign")]
mod signing;
pub use inspect::{Check, CheckResult, Report};
