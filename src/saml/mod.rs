//! SAML 2.0 messages: what is read from a verified Response, and the rules it must satisfy.
//!
//! Private, behind [`crate::ServiceProvider`]'s verification:
//! - `structure` checks the unverified document: its shape before any cryptography (root,
//!   Status, exactly one Assertion directly inside the Response, signatures only where SAML puts
//!   them: V3, V4), and the possibly unsigned Response's own fields. These checks can only reject.
//! - `assertion` reads the identity and conditions from a signed Assertion, by fixed paths,
//!   below a node that the `dsig` layer verified (V11, V12, V14); [`Identity`] and [`Attribute`]
//!   are what it returns.
//! - `checks` holds what the SP expects and the value comparisons both share.
//!
//! Public:
//! - [`authn_request`] writes the AuthnRequest, [`bindings`] carries messages in URLs and forms
//!   (and reads incoming Redirect messages), `signer` (feature `sign`) signs what the SP sends.
//! - [`logout`] builds and verifies Single Logout messages (LogoutRequest, LogoutResponse).
//! - [`metadata`] imports IdP metadata (optionally verifying its signature), [`expiry`] reports
//!   certificate expiry, [`sp_metadata`] exports the SP's metadata.

pub(crate) mod assertion;
pub mod authn_request;
pub mod bindings;
pub(crate) mod checks;
pub mod expiry;
pub mod logout;
pub mod metadata;
#[cfg(feature = "sign")]
pub mod signer;
pub mod sp_metadata;
pub(crate) mod structure;
pub(crate) mod values;

pub use assertion::{Attribute, Identity, NameId};

/// SAML 2.0 assertion namespace.
pub const ASSERTION_NS: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
/// SAML 2.0 protocol namespace.
pub const PROTOCOL_NS: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
/// The top-level status code of a successful response.
pub const STATUS_SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";
/// The bearer subject confirmation method (Web Browser SSO profile).
pub const BEARER: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
/// The Issuer format for entity identifiers.
pub const ENTITY_FORMAT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:entity";
