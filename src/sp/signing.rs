//! The service provider's signing key (cargo feature `sign`): builder settings and checks.

use super::ServiceProviderBuilder;
use crate::error::ConfigError;
use crate::saml::signer::SigningCredentials;

/// Signing settings as given to the builder, checked in [`ServiceProviderBuilder::build`].
#[derive(Debug, Clone, Default)]
pub(super) struct SigningConfig {
    /// PEM of the private key.
    key_pem: Option<String>,
    /// PEM (or bare base64) of the certificate.
    certificate_pem: Option<String>,
    /// Already built credentials.
    credentials: Option<SigningCredentials>,
}

impl SigningConfig {
    /// The credentials, if any were configured.
    pub(super) fn build(self) -> Result<Option<SigningCredentials>, ConfigError> {
        match (self.credentials, self.key_pem, self.certificate_pem) {
            (Some(credentials), None, None) => Ok(Some(credentials)),
            (Some(_), _, _) => Err(ConfigError::Invalid {
                field: "signing_key",
                detail: "give signing_credentials or PEM key and certificate, not both".into(),
            }),
            (None, Some(key), certificate) => {
                SigningCredentials::from_pem(&key, certificate.as_deref()).map(Some)
            }
            (None, None, Some(_)) => Err(ConfigError::Missing {
                field: "signing_key",
            }),
            (None, None, None) => Ok(None),
        }
    }
}

impl ServiceProviderBuilder {
    /// The SP's RSA private key (unencrypted PEM, PKCS#8 `PRIVATE KEY` or PKCS#1
    /// `RSA PRIVATE KEY`, at least 2048 bits). With it, AuthnRequests are signed (RSA-SHA256: a
    /// query signature with the Redirect binding, an enveloped signature with POST) and the SP
    /// metadata says `AuthnRequestsSigned="true"`. Entra ID needs this only when "Require
    /// verification certificates" is on. Read in [`ServiceProviderBuilder::build`].
    pub fn signing_key_pem(mut self, pem: impl Into<String>) -> Self {
        self.signing.key_pem = Some(pem.into());
        self
    }

    /// The certificate of the signing key (PEM or bare base64): published in the SP metadata
    /// (upload it to Entra as the verification certificate) and sent in the `KeyInfo` of
    /// POST-bound requests. Must match the key.
    pub fn signing_certificate_pem(mut self, pem: impl Into<String>) -> Self {
        self.signing.certificate_pem = Some(pem.into());
        self
    }

    /// Already loaded signing credentials (instead of the two PEM settings).
    pub fn signing_credentials(mut self, credentials: SigningCredentials) -> Self {
        self.signing.credentials = Some(credentials);
        self
    }
}
