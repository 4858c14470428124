//! Encrypted assertions (Entra ID "Token encryption"): the SP's decryption keys, the option that
//! makes decryption wait for a verified Response signature, and the verification sequence for a
//! Response that carries an `EncryptedAssertion`. The cryptography is in [`crate::xmlenc`].

use super::{Expect, ServiceProvider, ServiceProviderBuilder};
use crate::Error;
use crate::dsig::{self, Verified};
use crate::error::{DecryptionError, SamlError, SignatureError};
use crate::saml::Identity;
use crate::saml::assertion::{self, SignedAssertion};
use crate::saml::structure::{self, Shape};
use crate::xml::Document;
use crate::xmlenc::{self, ContentAlgorithm, ContentKey, Decrypted, DecryptionKey, WrappedKey};

/// What a caller must unwrap to decrypt a response's assertion itself (see
/// [`ServiceProvider::key_unwrap_request`]): RSA-OAEP with the SP key, empty label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyUnwrap {
    /// The content-encryption algorithm (the unwrapped key must be its key length).
    pub content_algorithm: ContentAlgorithm,
    /// Every candidate EncryptedKey, in document order.
    pub wrapped_keys: Vec<WrappedKey>,
}

/// The decryption part of the configuration.
#[derive(Debug, Clone, Default)]
pub(super) struct Decryption {
    /// The SP's private keys, tried in order (several during a certificate rollover).
    keys: Vec<DecryptionKey>,
    /// Decrypt only when the Response signature verified (it covers the ciphertext).
    only_signed_responses: bool,
    /// Certificates of the keys, published in the SP metadata (`use="encryption"`).
    certificates: Vec<crate::Certificate>,
}

impl Decryption {
    /// Every published encryption certificate must belong to a configured key: an IdP that
    /// encrypts to it must be decryptable.
    pub(super) fn check(&self) -> Result<(), Error> {
        for certificate in &self.certificates {
            if !self.keys.iter().any(|k| k.matches_certificate(certificate)) {
                return Err(crate::error::ConfigError::Invalid {
                    field: "encryption_certificate",
                    detail: format!(
                        "the certificate {} belongs to none of the configured decryption keys",
                        certificate.subject()
                    ),
                }
                .into());
            }
        }
        Ok(())
    }
}

impl ServiceProviderBuilder {
    /// Adds a private key that decrypts `EncryptedAssertion`s (Entra ID: the key of the
    /// certificate uploaded under "Token encryption"). Call again to add the next key during a
    /// rollover; keys are tried in the order added, whatever the response's KeyInfo says.
    pub fn decryption_key(mut self, key: DecryptionKey) -> Self {
        self.decryption.keys.push(key);
        self
    }

    /// Like [`ServiceProviderBuilder::decryption_key`], from PEM (PKCS#8 `PRIVATE KEY` or
    /// PKCS#1 `RSA PRIVATE KEY`, unencrypted, at least 2048 bits).
    pub fn decryption_key_pem(self, pem: &str) -> Result<Self, Error> {
        Ok(self.decryption_key(DecryptionKey::from_pem(pem)?))
    }

    /// Publishes `certificate` in the SP metadata as `KeyDescriptor use="encryption"` (what the
    /// administrator uploads to Entra ID under "Token encryption"). It must belong to one of the
    /// decryption keys (checked by `build`, `config_invalid` otherwise).
    pub fn encryption_certificate(mut self, certificate: crate::Certificate) -> Self {
        self.decryption.certificates.push(certificate);
        self
    }

    /// Like [`ServiceProviderBuilder::encryption_certificate`], from PEM or base64 (every
    /// certificate in the text).
    pub fn encryption_certificate_pem(mut self, text: &str) -> Result<Self, Error> {
        self.decryption
            .certificates
            .extend(crate::Certificate::from_pem_or_base64(text)?);
        Ok(self)
    }

    /// Decrypts an `EncryptedAssertion` only when the Response carries a signature by the IdP
    /// that verified **before** decryption (it covers the ciphertext); others are refused with
    /// `encrypted_response_unsigned` without touching a key. Off by default, because Entra ID's
    /// default signs only the assertion (inside the encryption). Turn it on together with Entra's
    /// Signing Option "Sign SAML response and assertion": it closes the CBC and parser oracles
    /// (Jager–Somorovsky) that an unauthenticated ciphertext otherwise offers.
    pub fn decrypt_only_signed_responses(mut self, only_signed: bool) -> Self {
        self.decryption.only_signed_responses = only_signed;
        self
    }
}

impl ServiceProvider {
    /// The configured decryption keys.
    pub fn decryption_keys(&self) -> &[DecryptionKey] {
        &self.decryption.keys
    }

    /// This service provider with `keys` instead of the configured decryption keys (e.g. keys
    /// supplied per call by the JavaScript API's `verifyPostResponse` options).
    pub fn with_decryption_keys(&self, keys: Vec<DecryptionKey>) -> ServiceProvider {
        let mut sp = self.clone();
        sp.decryption.keys = keys;
        sp
    }

    /// The encryption certificates published in the SP metadata.
    pub fn encryption_certificates(&self) -> &[crate::Certificate] {
        &self.decryption.certificates
    }

    /// Whether only assertions of signed Responses are decrypted.
    pub fn decrypts_only_signed_responses(&self) -> bool {
        self.decryption.only_signed_responses
    }

    /// `verify_document` for a Response whose assertion is encrypted: the Response signature
    /// (if any) first, then decryption and the decrypted assertion's signature, then the same
    /// Response and assertion checks as for a plain assertion.
    pub(super) fn verify_encrypted(
        &self,
        doc: &Document,
        shape: &Shape,
        expect: &Expect<'_>,
        content_key: ContentKey<'_>,
    ) -> Result<Identity, Error> {
        let response = self.verify_response_signature(doc, shape)?;
        let decrypted = self.decrypt(doc, shape, response.as_ref(), content_key)?;
        let signed = self.signed_decrypted(&decrypted, response.as_ref())?;
        let checks = self.checks(expect);
        structure::check_response(doc, shape.response, &checks)?;
        assertion::validate(&signed, &checks)
    }

    /// The Response signature, verified before anything is decrypted.
    pub(super) fn verify_response_signature<'d>(
        &self,
        doc: &'d Document,
        shape: &Shape,
    ) -> Result<Option<Verified<'d>>, Error> {
        shape
            .response_signature
            .map(|s| dsig::verify_enveloped(doc, s, self.idp.certificates(), &self.policy))
            .transpose()
    }

    /// Decrypts the EncryptedAssertion of `shape`. `response` is the verified Response
    /// signature, if there is one.
    pub(super) fn decrypt<'d>(
        &self,
        doc: &'d Document,
        shape: &Shape,
        response: Option<&Verified<'d>>,
        content_key: ContentKey<'_>,
    ) -> Result<Decrypted<'d>, Error> {
        self.may_decrypt(response.is_some())?;
        xmlenc::decrypt_assertion_with(
            doc,
            shape.assertion,
            &self.decryption.keys,
            &self.limits,
            content_key,
        )
    }

    /// Keys configured, and the Response signed if that is required.
    fn may_decrypt(&self, response_signed: bool) -> Result<(), Error> {
        if self.decryption.keys.is_empty() {
            return Err(SamlError::EncryptedAssertionUnsupported.into());
        }
        if !response_signed && self.decryption.only_signed_responses {
            return Err(DecryptionError::ResponseNotSigned.into());
        }
        Ok(())
    }

    /// The first half of a verification whose key unwrap the caller does itself (the npm
    /// package: WebCrypto's RSA-OAEP): decodes and parses `saml_response` (the POST form value)
    /// and runs every check that comes before the key unwrap — shape, the Response signature,
    /// [`ServiceProviderBuilder::decrypt_only_signed_responses`], the EncryptedAssertion's
    /// structure and algorithms — with the same codes as
    /// [`ServiceProvider::verify_post_response`]. `None` when the assertion is not encrypted.
    /// Then unwrap one of [`KeyUnwrap::wrapped_keys`] with the configured keys' private halves
    /// and call [`ServiceProvider::verify_post_response_with_content_key`].
    pub fn key_unwrap_request(&self, saml_response: &str) -> Result<Option<KeyUnwrap>, Error> {
        let xml = crate::encoding::decode_post_field(saml_response, &self.limits)?;
        let doc = Document::parse(&xml, &self.limits)?;
        let shape = structure::check(&doc)?;
        if !shape.encrypted {
            return Ok(None);
        }
        let response = self.verify_response_signature(&doc, &shape)?;
        self.may_decrypt(response.is_some())?;
        let (content_algorithm, wrapped_keys) =
            xmlenc::unwrap_request(&doc, shape.assertion, &self.limits)?;
        Ok(Some(KeyUnwrap {
            content_algorithm,
            wrapped_keys,
        }))
    }

    /// [`ServiceProvider::verify_post_response`] with the content key of the EncryptedAssertion
    /// unwrapped by the caller (see [`ServiceProvider::key_unwrap_request`]); `None` when none
    /// of the caller's keys opened any EncryptedKey. Everything else, and every code, is as in
    /// `verify_post_response` (a missing or wrong key is `decryption_failed`); a response without
    /// an EncryptedAssertion is simply verified.
    pub fn verify_post_response_with_content_key(
        &self,
        saml_response: &str,
        expect: &Expect<'_>,
        content_key: Option<&[u8]>,
    ) -> Result<Identity, Error> {
        let xml = crate::encoding::decode_post_field(saml_response, &self.limits)?;
        let doc = Document::parse(&xml, &self.limits)?;
        self.verify_document_with(&doc, expect, ContentKey::Supplied(content_key))
    }

    /// The decrypted assertion's structure and signature, and the proof that it is signed (by
    /// itself, or by `response` over the ciphertext).
    ///
    /// Unless `response` covers the ciphertext, every failure here is `decryption_failed`, as
    /// is every failure of [`Self::decrypt`] after the first key operation: a modified ciphertext
    /// must not learn whether its plaintext parsed, had a signature, or verified.
    pub(super) fn signed_decrypted<'d>(
        &self,
        decrypted: &'d Decrypted<'_>,
        response: Option<&Verified<'_>>,
    ) -> Result<SignedAssertion<'d>, Error> {
        let inner = decrypted.document();
        let checked = structure::check_decrypted(inner, decrypted.assertion()).and_then(|sig| {
            sig.map(|s| dsig::verify_enveloped(inner, s, self.idp.certificates(), &self.policy))
                .transpose()
        });
        let signed = checked.and_then(|assertion| {
            SignedAssertion::decrypted(decrypted, response, assertion.as_ref())
                .ok_or_else(|| SignatureError::Missing.into())
        });
        match signed {
            Err(_) if response.is_none() => Err(DecryptionError::Failed.into()),
            other => other,
        }
    }
}
