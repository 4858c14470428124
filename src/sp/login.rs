//! The outgoing half of the service provider: AuthnRequests, SP metadata, and reading incoming
//! HTTP-Redirect messages.

use super::ServiceProvider;
use crate::Error;
use crate::error::ConfigError;
use crate::saml::NameId;
use crate::saml::authn_request::{AuthnRequest, AuthnRequestOptions, RequestEndpoints};
use crate::saml::bindings::{RedirectMessage, VerifiedQuery};
use crate::saml::logout::{
    LogoutBinding, LogoutChecks, LogoutRequest, LogoutResponse, VerifiedLogoutRequest,
    VerifiedLogoutResponse,
};
use crate::saml::sp_metadata::SpMetadata;
use crate::time::UnixTime;

impl ServiceProvider {
    /// A new AuthnRequest to the IdP's SSO URL, issued at `now`, its ID made from `id_random`
    /// (at least 16 bytes from a cryptographic RNG: `crypto.getRandomValues` in a Worker,
    /// `getrandom` natively). Signed when the SP has a signing key.
    ///
    /// ```no_run
    /// # use saml_edge::{ServiceProvider, UnixTime};
    /// # use saml_edge::saml::authn_request::AuthnRequestOptions;
    /// # fn f(sp: &ServiceProvider, now: UnixTime, id_bytes: [u8; 16]) -> Result<(), saml_edge::Error> {
    /// let req = sp.authn_request(
    ///     AuthnRequestOptions { relay_state: Some("/dashboard".into()), ..Default::default() },
    ///     now,
    ///     &id_bytes,
    /// )?;
    /// let location = req.redirect_url()?; // 302 to this; keep req.id() for the response
    /// # Ok(()) }
    /// ```
    ///
    /// Errors: `config_missing` when the IdP has no SSO URL, or when its metadata asks for signed
    /// requests and no signing key is configured; `config_invalid` for unusable URLs, entity IDs,
    /// options or random bytes.
    pub fn authn_request(
        &self,
        options: AuthnRequestOptions,
        now: UnixTime,
        id_random: &[u8],
    ) -> Result<AuthnRequest, Error> {
        let idp_sso_url = self.idp.sso_url().ok_or(ConfigError::Missing {
            field: "idp.sso_url",
        })?;
        let endpoints = RequestEndpoints {
            sp_entity_id: &self.entity_id,
            acs_url: &self.acs_url,
            idp_sso_url,
        };
        let request = AuthnRequest::new(&endpoints, options, now, id_random)?;
        #[cfg(feature = "sign")]
        let request = match &self.signing {
            Some(credentials) => request.signed_with(credentials.clone()),
            None => request,
        };
        if self.idp.want_authn_requests_signed() && !request.is_signed() {
            return Err(ConfigError::Missing {
                field: "signing_key",
            }
            .into());
        }
        Ok(request)
    }

    /// The SP metadata description for this configuration (adjust fields, then
    /// [`SpMetadata::to_xml`]): entity ID, ACS URL, SLO URL, the signing certificate and
    /// `AuthnRequestsSigned` when a signing key is configured, the encryption certificates.
    pub fn metadata(&self) -> SpMetadata<'_> {
        let mut metadata = SpMetadata::new(&self.entity_id, &self.acs_url);
        metadata.slo_url = self.slo_url.as_deref();
        metadata.encryption_certificates = self.encryption_certificates();
        #[cfg(feature = "sign")]
        if let Some(credentials) = &self.signing {
            metadata.signing_certificate = credentials.certificate();
            metadata.authn_requests_signed = true;
        }
        metadata
    }

    /// The SP metadata XML (unsigned) to upload to the IdP.
    pub fn metadata_xml(&self) -> Result<String, Error> {
        self.metadata().to_xml()
    }

    /// The SP metadata XML with an enveloped signature by the SP's signing key.
    /// `config_missing` (field `signing_key`) without one.
    #[cfg(feature = "sign")]
    pub fn signed_metadata_xml(&self) -> Result<String, Error> {
        let credentials = self.signing.as_ref().ok_or(ConfigError::Missing {
            field: "signing_key",
        })?;
        self.metadata().to_signed_xml(credentials)
    }

    /// This SP's single logout URL, if configured.
    pub fn slo_url(&self) -> Option<&str> {
        self.slo_url.as_deref()
    }

    /// The SP's signing credentials, if configured.
    #[cfg(feature = "sign")]
    pub fn signing_credentials(&self) -> Option<&crate::saml::signer::SigningCredentials> {
        self.signing.as_ref()
    }

    /// Decodes an incoming HTTP-Redirect message from the raw query string (as received, not
    /// re-encoded) under this SP's [`crate::Limits`]. Nothing is verified yet.
    #[cfg(feature = "inflate")]
    pub fn decode_redirect(&self, raw_query: &str) -> Result<RedirectMessage, Error> {
        RedirectMessage::decode(raw_query, &self.limits)
    }

    /// Verifies the query signature of a Redirect message with the IdP's certificates and this
    /// SP's algorithm policy (RSA-SHA1 only with `danger_allow_sha1`).
    pub fn verify_redirect_signature(
        &self,
        message: &RedirectMessage,
    ) -> Result<VerifiedQuery, Error> {
        message.verify_signature(self.idp.certificates(), &self.policy)
    }

    /// The IdP's SLO URL, or `config_missing` (field `idp.slo_url`).
    fn idp_slo_url(&self) -> Result<&str, Error> {
        Ok(self.idp.slo_url().ok_or(ConfigError::Missing {
            field: "idp.slo_url",
        })?)
    }

    /// A LogoutRequest to the IdP's SLO URL for `name_id` (from [`crate::Identity::name_id`],
    /// exactly as the IdP issued it) and the session `session_index`
    /// ([`crate::Identity::session_index`]), issued at `now`, its ID made from `id_random`
    /// (16 or more bytes from a cryptographic RNG). Signed when the SP has a signing key. Keep
    /// its [`LogoutRequest::id`] to check the LogoutResponse.
    ///
    /// ```no_run
    /// # use saml_edge::{Identity, ServiceProvider, UnixTime};
    /// # fn f(sp: &ServiceProvider, identity: &Identity, now: UnixTime, id_bytes: [u8; 16]) -> Result<(), saml_edge::Error> {
    /// let request = sp.logout_request(
    ///     &identity.name_id(),
    ///     identity.session_index.as_deref(),
    ///     Some("/signed-out"),
    ///     now,
    ///     &id_bytes,
    /// )?;
    /// let location = request.redirect_url()?; // 302 to this; keep request.id()
    /// # Ok(()) }
    /// ```
    pub fn logout_request(
        &self,
        name_id: &NameId,
        session_index: Option<&str>,
        relay_state: Option<&str>,
        now: UnixTime,
        id_random: &[u8],
    ) -> Result<LogoutRequest, Error> {
        let request = LogoutRequest::new(
            &self.entity_id,
            self.idp_slo_url()?,
            name_id,
            session_index,
            relay_state,
            now,
            id_random,
        )?;
        #[cfg(feature = "sign")]
        let request = match &self.signing {
            Some(credentials) => request.signed_with(credentials.clone()),
            None => request,
        };
        Ok(request)
    }

    /// A LogoutResponse to the IdP's SLO URL answering the LogoutRequest `in_response_to` with
    /// the top-level `status_code` ([`crate::saml::STATUS_SUCCESS`] once the sessions ended);
    /// `relay_state` is the request's, unchanged. Signed when the SP has a signing key.
    pub fn logout_response(
        &self,
        in_response_to: &str,
        status_code: &str,
        relay_state: Option<&str>,
        now: UnixTime,
        id_random: &[u8],
    ) -> Result<LogoutResponse, Error> {
        let response = LogoutResponse::new(
            &self.entity_id,
            self.idp_slo_url()?,
            in_response_to,
            status_code,
            relay_state,
            now,
            id_random,
        )?;
        #[cfg(feature = "sign")]
        let response = match &self.signing {
            Some(credentials) => response.signed_with(credentials.clone()),
            None => response,
        };
        Ok(response)
    }

    /// What incoming logout messages are checked against at `now`.
    fn logout_checks<'a>(&'a self, issuers: &'a [String], now: UnixTime) -> LogoutChecks<'a> {
        LogoutChecks {
            slo_url: self.slo_url.as_deref(),
            issuers: issuers.iter().map(String::as_str).collect(),
            trusted: self.idp.certificates(),
            policy: &self.policy,
            skew_secs: self.clock_skew_secs,
            limits: &self.limits,
            now,
            inflated: None,
        }
    }

    /// Verifies a LogoutRequest from the IdP (IdP-initiated logout) received at this SP's SLO
    /// URL at `now`; see [`crate::saml::logout`] for the checks and their codes. The caller
    /// refuses a replayed [`VerifiedLogoutRequest::id`], ends the sessions, and answers with
    /// [`ServiceProvider::logout_response`].
    pub fn verify_logout_request(
        &self,
        binding: LogoutBinding<'_>,
        now: UnixTime,
    ) -> Result<VerifiedLogoutRequest, Error> {
        let issuers = self.idp.logout_issuers();
        self.logout_checks(&issuers, now).verify_request(binding)
    }

    /// Verifies the IdP's LogoutResponse to the LogoutRequest `request_id` this SP sent,
    /// received at this SP's SLO URL at `now`; see [`crate::saml::logout`].
    pub fn verify_logout_response(
        &self,
        binding: LogoutBinding<'_>,
        request_id: &str,
        now: UnixTime,
    ) -> Result<VerifiedLogoutResponse, Error> {
        let issuers = self.idp.logout_issuers();
        self.logout_checks(&issuers, now)
            .verify_response(binding, request_id)
    }

    /// The still-DEFLATEd message of an HTTP-Redirect query (every check before inflating
    /// done), for the npm package, which inflates with the JS platform's decoder.
    #[cfg(any(target_arch = "wasm32", test))]
    pub(crate) fn redirect_deflated(&self, raw_query: &str) -> Result<Vec<u8>, Error> {
        RedirectMessage::deflated(raw_query, &self.limits)
    }

    /// [`ServiceProvider::verify_logout_request`] of an HTTP-Redirect `query` whose message
    /// the caller inflated (`inflated`, from [`ServiceProvider::redirect_deflated`]).
    #[cfg(any(target_arch = "wasm32", test))]
    pub(crate) fn verify_logout_request_inflated(
        &self,
        query: &str,
        inflated: &[u8],
        now: UnixTime,
    ) -> Result<VerifiedLogoutRequest, Error> {
        let issuers = self.idp.logout_issuers();
        let checks = LogoutChecks {
            inflated: Some(inflated),
            ..self.logout_checks(&issuers, now)
        };
        checks.verify_request(LogoutBinding::Redirect(query))
    }

    /// [`ServiceProvider::verify_logout_response`] of an HTTP-Redirect `query` whose message
    /// the caller inflated.
    #[cfg(any(target_arch = "wasm32", test))]
    pub(crate) fn verify_logout_response_inflated(
        &self,
        query: &str,
        inflated: &[u8],
        request_id: &str,
        now: UnixTime,
    ) -> Result<VerifiedLogoutResponse, Error> {
        let issuers = self.idp.logout_issuers();
        let checks = LogoutChecks {
            inflated: Some(inflated),
            ..self.logout_checks(&issuers, now)
        };
        checks.verify_response(LogoutBinding::Redirect(query), request_id)
    }
}
