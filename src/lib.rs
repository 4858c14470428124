//! saml-edge: a SAML 2.0 Service Provider in pure Rust that compiles to WebAssembly.
//!
//! (Crate documentation, including the error-code table, is completed in a later step.)
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod c14n;
pub mod crypto;
pub mod dsig;
pub mod encoding;
pub mod error;
pub mod limits;
pub mod saml;
pub mod sp;
pub mod time;
pub mod x509;

pub use error::{ConfigError, EncodingError, Error, SamlError, SignatureError, XmlError};
pub use limits::Limits;
pub use time::UnixTime;
pub mod xml;
pub use x509::Certificate;
pub use saml::{Attribute, Identity};
pub use sp::{Expect, IdentityProvider, ServiceProvider, ServiceProviderBuilder};
