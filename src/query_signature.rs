//! Detached signatures of the HTTP-Redirect binding (saml-bindings-2.0-os §3.4.4.1), beside
//! [`crate::dsig`] (which verifies enveloped XML signatures): the only place that verifies or
//! computes a signature over a query string.
//!
//! The signed octets are `SAMLRequest=<v>[&RelayState=<v>]&SigAlg=<v>` (or `SAMLResponse=…`),
//! built from the values **exactly as they appear in the URL**, in that fixed order: never
//! decoded and re-encoded, because IdPs differ in percent-encoding (Entra ID and AD FS write
//! lower-case hex digits, `%2f`). Other parameters are not covered; the caller refuses duplicate
//! parameters before this module sees the values.

use crate::Error;
use crate::crypto::SignatureAlgorithm;
use crate::danger::AlgorithmPolicy;
use crate::encoding::{decode_base64, percent_decode};
use crate::error::{ConfigError, SignatureError};
use crate::x509::Certificate;

/// Largest decoded query `Signature` accepted (a 16384-bit RSA signature is 2048 bytes).
const MAX_QUERY_SIGNATURE_BYTES: usize = 4096;

/// A signature over an HTTP-Redirect query string that verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifiedQuery {
    /// The `SigAlg` that was used.
    pub signature_algorithm: SignatureAlgorithm,
    /// Index, in the trusted list, of the certificate whose key verified the signature.
    pub certificate_index: usize,
}

/// The signature parameters of a received HTTP-Redirect message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QuerySignature {
    /// `SigAlg`, percent-decoded.
    algorithm: String,
    /// `Signature`, decoded.
    value: Vec<u8>,
    /// `SAMLRequest=…[&RelayState=…]&SigAlg=…` from the raw, still-encoded values.
    signed_octets: String,
}

fn query_malformed(detail: &str) -> Error {
    SignatureError::QuerySignatureMalformed {
        detail: detail.to_owned(),
    }
    .into()
}

impl QuerySignature {
    /// Reads the signature of a query from the raw (still percent-encoded) values of its
    /// parameters: `message_name` is `SAMLRequest` or `SAMLResponse`. `None` when the query
    /// carries neither `SigAlg` nor `Signature`; `query_signature_malformed` when only one of
    /// them, or a `Signature` that is not base64.
    pub(crate) fn from_raw(
        message_name: &str,
        raw_message: &str,
        raw_relay_state: Option<&str>,
        raw_sig_alg: Option<&str>,
        raw_signature: Option<&str>,
    ) -> Result<Option<QuerySignature>, Error> {
        let (sig_alg, signature) = match (raw_sig_alg, raw_signature) {
            (None, None) => return Ok(None),
            (Some(sig_alg), Some(signature)) => (sig_alg, signature),
            (Some(_), None) => return Err(query_malformed("SigAlg without Signature")),
            (None, Some(_)) => return Err(query_malformed("Signature without SigAlg")),
        };
        let mut signed_octets = format!("{message_name}={raw_message}");
        if let Some(relay_state) = raw_relay_state {
            signed_octets.push_str("&RelayState=");
            signed_octets.push_str(relay_state);
        }
        signed_octets.push_str("&SigAlg=");
        signed_octets.push_str(sig_alg);
        let value = percent_decode(signature, false)
            .ok()
            .and_then(|text| decode_base64(&text, MAX_QUERY_SIGNATURE_BYTES).ok())
            .ok_or_else(|| query_malformed("Signature is not base64"))?;
        let algorithm = percent_decode(sig_alg, true)
            .map_err(|_| query_malformed("SigAlg is not percent-encoded UTF-8"))?;
        Ok(Some(QuerySignature {
            algorithm,
            value,
            signed_octets,
        }))
    }

    /// The `SigAlg` URI.
    pub(crate) fn algorithm_uri(&self) -> &str {
        &self.algorithm
    }

    /// The octets the signature covers, exactly as received.
    pub(crate) fn signed_octets(&self) -> &str {
        &self.signed_octets
    }

    /// Verifies the signature with the `trusted` certificates (the IdP's, never a key named by
    /// the message). `SigAlg` must be RSA-SHA256, -384 or -512 (RSA-SHA1 only with
    /// [`AlgorithmPolicy::allow_sha1`]), compared by exact URI.
    pub(crate) fn verify(
        &self,
        trusted: &[Certificate],
        policy: &AlgorithmPolicy,
    ) -> Result<VerifiedQuery, Error> {
        let algorithm = SignatureAlgorithm::from_uri(&self.algorithm).ok_or_else(|| {
            SignatureError::UnsupportedAlgorithm {
                algorithm: self.algorithm.clone(),
            }
        })?;
        if algorithm.is_sha1() && !policy.allow_sha1 {
            return Err(SignatureError::Sha1NotAllowed {
                algorithm: self.algorithm.clone(),
            }
            .into());
        }
        if trusted.is_empty() {
            return Err(ConfigError::Missing {
                field: "idp.certificates",
            }
            .into());
        }
        let certificate_index = trusted
            .iter()
            .position(|certificate| {
                certificate
                    .public_key()
                    .verify(algorithm, self.signed_octets.as_bytes(), &self.value)
                    .is_ok()
            })
            .ok_or(SignatureError::InvalidSignature)?;
        Ok(VerifiedQuery {
            signature_algorithm: algorithm,
            certificate_index,
        })
    }
}

/// Signs an HTTP-Redirect query (`SAMLRequest=…[&RelayState=…]`, as it will appear in the URL)
/// with the SP's key: appends `&SigAlg=…&Signature=…` (RSA-SHA256).
#[cfg(feature = "sign")]
pub(crate) fn sign_query(
    query: &mut String,
    credentials: &crate::saml::signer::SigningCredentials,
) -> Result<(), Error> {
    use crate::encoding::{encode_base64, percent_encode_query_component};
    query.push_str("&SigAlg=");
    query.push_str(&percent_encode_query_component(
        credentials.algorithm().uri(),
    ));
    let signature = credentials.sign(query.as_bytes())?;
    query.push_str("&Signature=");
    query.push_str(&percent_encode_query_component(&encode_base64(&signature)));
    Ok(())
}
