//! saml-edge: a SAML 2.0 Service Provider in pure Rust (no OpenSSL, no libxml2, no C) that
//! compiles to WebAssembly.
//!
//! ```no_run
//! use saml_edge::{Expect, IdentityProvider, ServiceProvider, UnixTime};
//! # fn main() -> Result<(), saml_edge::Error> {
//! # let entra_certificate_base64 = ""; let saml_response = ""; let now_millis = 0;
//! let sp = ServiceProvider::builder()
//!     .entity_id("https://app.example.com/saml/metadata")   // Entra: Identifier (Entity ID)
//!     .acs_url("https://app.example.com/saml/acs")           // Entra: Reply URL
//!     .idp(IdentityProvider::new(
//!         "https://sts.windows.net/<tenant-id>/",            // Entra: Microsoft Entra Identifier
//!         "https://login.microsoftonline.com/<tenant-id>/saml2", // Entra: Login URL
//!     ).certificate_pem(entra_certificate_base64)?)         // Entra: Certificate (Base64)
//!     .build()?;
//! let identity = sp.verify_post_response(
//!     saml_response,
//!     &Expect { request_id: Some("_the_request_id"), now: UnixTime::from_millis(now_millis) },
//! )?;
//! println!("{} signed in", identity.name_id);
//! # Ok(()) }
//! ```
//!
//! # The public interface
//!
//! - the items re-exported here at the crate root: [`ServiceProvider`] and its builder,
//!   [`IdentityProvider`], [`Expect`], what verification returns ([`Identity`], [`Attribute`])
//!   or refuses ([`Error`] and its kinds), and the types that appear in their signatures
//!   ([`Document`], [`Certificate`], [`UnixTime`], [`Limits`], [`AuthnRequest`], the RSA key and
//!   algorithm types, the SP's [`DecryptionKey`]);
//! - the modules [`sp`] (the service provider, its [`sp::Report`] of every check), [`saml`] (the
//!   messages an SP sends and receives besides the Response: AuthnRequests, bindings, IdP and SP
//!   metadata, certificate expiry), [`xml`] (the read-only tree that
//!   [`ServiceProvider::verify_document`] takes), [`error`] and [`danger`] (every option that
//!   weakens verification).
//!
//! Everything else is private: the transport encodings, canonicalization, RSA and X.509, XML-DSig,
//! XML Encryption and the SAML checks behind [`ServiceProvider::verify_post_response`]. This crate's own tests,
//! benches, fuzz targets and command-line tool reach them through a hidden `internal` module,
//! which is not part of the public interface and changes without notice.
//!
//! # Layers
//!
//! `encoding` (base64, DEFLATE, forms) → `xml` (strict parse into one immutable tree) → `c14n`
//! (exclusive canonicalization) → `crypto`, `x509` (RSA, digests, certificates) → `dsig`
//! (one enveloped signature, returns a `Verified<'d>` proof that borrows its tree) → `xmlenc`
//! (decrypts an `EncryptedAssertion` into a freshly parsed Assertion, which then goes through
//! `dsig` like any other) → `saml` (unverified structure checks that can only reject; reads only
//! below verified nodes) → `sp` (configuration and entry points). The core never reads a clock
//! or an RNG. `docs/architecture.md` describes the layers and their rules.
//!
//! # Error codes
//!
//! Every rejection is an [`Error`] with a stable [`Error::code`]; the same codes appear in the CLI
//! and the JavaScript API. Messages are for administrators and logs; show end users the code only.
//!
//! | code | meaning | what to do |
//! | --- | --- | --- |
//! | `invalid_base64` | SAMLResponse is not strict base64 | check nothing rewrites the form body (`+` → space) |
//! | `empty_input` | nothing was posted | post the IdP's SAMLResponse form field |
//! | `invalid_deflate` | Redirect-binding data does not inflate | — |
//! | `invalid_form` | malformed form or query string | — |
//! | `limit_exceeded` | a [`Limits`] bound was hit | raise the limit only for a legitimate IdP |
//! | `xml_malformed` | not well-formed XML | — |
//! | `xml_not_utf8` | not UTF-8 or declares another encoding | — |
//! | `xml_unsupported_version` | XML 1.1 or other | — |
//! | `xml_doctype_forbidden` | a DOCTYPE (XXE, entity bombs) | — |
//! | `xml_undefined_entity` | an entity other than the five predefined | — |
//! | `xml_invalid_character` | a character XML 1.0 forbids | — |
//! | `xml_undeclared_prefix` | a namespace prefix without declaration | — |
//! | `xml_invalid_namespace` | `xmlns:p=""`, reserved prefixes, relative or non-ASCII namespace names, `xml:xmlns` | — |
//! | `xml_duplicate_attribute` | same attribute twice (by expanded name) | — |
//! | `xml_no_root` / `xml_content_outside_root` | no root element / a second root or trailing data | — |
//! | `xml_duplicate_id` | one ID value on two elements (signature wrapping) | — |
//! | `not_a_response` | the root is not `samlp:Response` | post only the IdP's response to the ACS |
//! | `status_not_success` | the IdP reported an error (codes and StatusMessage in the message) | read the AADSTS code in the message |
//! | `saml_malformed` | a required SAML element is missing or repeated | — |
//! | `saml_unsupported_version` | SAML Version is not 2.0 | — |
//! | `assertion_missing` | no Assertion | — |
//! | `unexpected_assertion` | several assertions, or one nested anywhere but directly in the Response | — |
//! | `encrypted_assertion_unsupported` | the assertion is encrypted and no decryption key is configured | configure the SP decryption key, or Entra: turn off Token encryption |
//! | `decryption_failed` | no configured key decrypts the assertion, or the plaintext is not one Assertion signed by the IdP (one code for every failure that depends on the key or the plaintext) | the IdP must encrypt to the certificate of a configured key |
//! | `encrypted_assertion_malformed` | the EncryptedAssertion / EncryptedData / EncryptedKey structure is wrong (checked before any key is used) | — |
//! | `encryption_algorithm_unsupported` | a content or key-transport algorithm outside the allow-list | AES-GCM or AES-CBC with RSA-OAEP |
//! | `encryption_rsa_1_5_refused` | the key is encrypted with RSA PKCS#1 v1.5 (`xmlenc#rsa-1_5`) | configure the IdP for RSA-OAEP |
//! | `encrypted_response_unsigned` | `decrypt_only_signed_responses` is on and the Response is not signed | Entra: Signing Option "Sign SAML response and assertion" |
//! | `signature_missing` | neither Response nor Assertion is signed | Entra: Signing Option "Sign SAML assertion" |
//! | `signature_misplaced` | a Signature anywhere but right after the Response's or Assertion's Issuer | — |
//! | `signature_malformed` | the Signature's structure is wrong | — |
//! | `signature_reference_mismatch` | the Reference is not `#` + the ID of the signed element | — |
//! | `signature_algorithm_unsupported` | HMAC, MD5, inclusive c14n, unknown algorithm | Entra: Signing Algorithm SHA-256 |
//! | `signature_sha1_not_allowed` | SHA-1 while not allowed | Entra: Signing Algorithm SHA-256 |
//! | `signature_transform_unsupported` | transforms other than enveloped + exclusive c14n | — |
//! | `signature_invalid` | no configured certificate verifies the signature | upload the IdP's current Certificate (Base64) |
//! | `digest_mismatch` | the signed element was modified | — |
//! | `key_too_small` | RSA key under 2048 bits | — |
//! | `query_signature_missing` | an HTTP-Redirect message has no `Signature` parameter but must be signed | configure the IdP to sign redirect messages |
//! | `query_signature_malformed` | `SigAlg` without `Signature` (or the reverse), a repeated parameter, or a `Signature` that is not base64 | — |
//! | `metadata_signature_missing` | IdP metadata verification was requested but no Signature is the first child of the EntityDescriptor (or an enclosing EntitiesDescriptor) | download the metadata again, or import it without verification |
//! | `issuer_mismatch` | Issuer is not the configured IdP entity ID | set `IDP_ENTITY_ID` to Entra's Microsoft Entra Identifier |
//! | `destination_mismatch` | Destination is not the ACS URL (for logout messages: not the SLO URL) | Entra's Reply URL must equal `ACS_URL`; its Logout URL the SP's SLO URL |
//! | `recipient_mismatch` | SubjectConfirmationData Recipient is not the ACS URL | Entra's Reply URL must equal `ACS_URL` |
//! | `subject_confirmation_invalid` | no usable bearer SubjectConfirmation | — |
//! | `in_response_to_mismatch` | answers another request than this browser's | start again at the sign-on URL |
//! | `unsolicited_response` | IdP-initiated while not allowed | sign in from the app, or `ALLOW_UNSOLICITED` |
//! | `assertion_not_yet_valid` / `assertion_expired` | outside the time window plus skew | check clocks; sign in again |
//! | `audience_mismatch` | not addressed to this SP | Entra's Identifier (Entity ID) must equal `SP_ENTITY_ID` |
//! | `not_a_logout_message` | a LogoutRequest was expected and something else came (or the reverse) | send only the IdP's logout messages to the SLO URL |
//! | `message_not_yet_valid` | a logout message's IssueInstant is in the future beyond the skew | check clocks |
//! | `message_expired` | a logout message is older than skew + 5 minutes, or its NotOnOrAfter passed | stale or replayed; sign out again |
//! | `invalid_time` | a timestamp that is not strict UTC | — |
//! | `config_invalid_certificate` | the configured IdP certificate is unusable | paste the PEM or Entra's Certificate (Base64) |
//! | `config_key_too_small` | configured RSA key under 2048 bits | — |
//! | `config_missing` / `config_invalid` | a setting is missing or unusable | the message names it |
#![deny(unsafe_code)]
// No panics on any input path: enforced mechanically outside tests.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]
#![warn(missing_docs)]

// The public interface is:
pub mod danger;
pub mod error;
pub mod saml;
pub mod sp;
pub mod xml;

#[cfg(feature = "sign")]
pub use crypto::RsaPrivateKey;
pub use crypto::{DigestAlgorithm, RsaPublicKey, SignatureAlgorithm};
pub use error::{
    ConfigError, DecryptionError, EncodingError, Error, SamlError, SignatureError, XmlError,
};
pub use limits::Limits;
pub use saml::authn_request::{AuthnRequest, AuthnRequestOptions};
#[cfg(feature = "sign")]
pub use saml::signer::SigningCredentials;
pub use saml::{Attribute, Identity, NameId};
pub use sp::{Expect, IdentityProvider, ServiceProvider, ServiceProviderBuilder};
pub use time::UnixTime;
pub use x509::Certificate;
pub use xml::Document;
pub use xmlenc::{ContentAlgorithm, DecryptionKey, OaepDigest, WrappedKey};

// The engine, private: its public types are re-exported above, the rest is `internal`.
mod c14n;
mod crypto;
mod deflate;
mod der;
mod dsig;
mod encoding;
mod limits;
mod query_signature;
mod swar;
mod time;
#[cfg(target_arch = "wasm32")]
mod wasm;
mod x509;
mod xmlenc;

/// Internals used by this crate's integration tests, benches, fuzz targets and command-line
/// tool. The contents of this module DO NOT form part of the public interface: they change
/// without notice.
#[doc(hidden)]
pub mod internal {
    /// Exclusive XML canonicalization.
    pub mod c14n {
        pub use crate::c14n::*;
    }
    /// RSA, digests and constant-time comparison.
    pub mod crypto {
        pub use crate::crypto::*;
    }
    /// XML-DSig verification and its `Verified` proof.
    pub mod dsig {
        pub use crate::dsig::*;
    }
    /// Base64, DEFLATE, percent-encoding and forms.
    pub mod encoding {
        pub use crate::encoding::*;
    }
    /// The reader of the verified Assertion.
    pub mod assertion {
        pub use crate::saml::assertion::*;
    }
    /// What the SP expects, and the value comparisons.
    pub mod checks {
        pub use crate::saml::checks::*;
    }
    /// The checks of the unverified document.
    pub mod structure {
        pub use crate::saml::structure::*;
    }
    /// XML Encryption: decrypting an `EncryptedAssertion`.
    pub mod xmlenc {
        pub use crate::xmlenc::*;
    }
}
