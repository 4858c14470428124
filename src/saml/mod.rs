//! SAML 2.0 messages: what is read from a verified Response, and the rules it must satisfy.
//!
//! - [`structure`] checks the shape of the whole (unverified) document before any cryptography:
//!   root, Status, exactly one Assertion directly inside the Response, signatures only where SAML
//!   puts them (V3, V4). These checks can only reject.
//! - [`assertion`] reads the identity and conditions from a signed Assertion, by fixed paths,
//!   below a node that the `dsig` layer verified (V11, V12, V14).

pub mod assertion;
pub mod metadata;
pub mod structure;

pub use assertion::{Attribute, Identity};

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
