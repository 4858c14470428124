//! One error type for the whole crate.
//!
//! Every rejection is an [`Error`] whose [`Error::code`] is a stable snake_case string shared by
//! the Rust API, the CLI and the JS API. The `Display` message is written for the administrator
//! who configured the service provider: it says what was expected, what came, and what to change.
//! Messages may contain values taken from the (possibly hostile) document, truncated and with
//! control characters escaped; never show them to an end user's browser — show only the code.
//!
//! The full table of codes is in the crate documentation (`lib.rs`).

use core::fmt;

use crate::time::UnixTime;

/// Longest excerpt of document-controlled text that a message quotes.
const MAX_QUOTED_CHARS: usize = 200;

/// Quotes a document-controlled value for an error message: truncated, control characters escaped.
pub(crate) fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len().min(MAX_QUOTED_CHARS) + 2);
    out.push('"');
    for (count, ch) in value.chars().enumerate() {
        if count == MAX_QUOTED_CHARS {
            out.push('…');
            break;
        }
        if ch.is_control() {
            out.extend(ch.escape_default());
        } else {
            out.push(ch);
        }
    }
    out.push('"');
    out
}

/// Which layer found a message malformed: picks the `Malformed` variant (and so the code) that
/// [`malformed`] builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// Not well-formed XML, found at this byte offset (`xml_malformed`).
    Xml {
        /// Byte offset of the problem.
        position: u64,
    },
    /// The `ds:Signature` does not have the shape XML-DSig and SAML require
    /// (`signature_malformed`).
    Signature,
    /// A required SAML element or attribute is missing or repeated (`saml_malformed`).
    Saml,
}

/// The one constructor of the `Malformed` errors of every layer.
pub(crate) fn malformed(part: Part, detail: impl Into<String>) -> Error {
    let detail = detail.into();
    match part {
        Part::Xml { position } => XmlError::Malformed { position, detail }.into(),
        Part::Signature => SignatureError::Malformed { detail }.into(),
        Part::Saml => SamlError::Malformed { detail }.into(),
    }
}

/// Any reason why saml-edge refused an input or a configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The transport encoding (base64, DEFLATE, form fields) is unusable.
    Encoding(EncodingError),
    /// The XML is not well-formed, or uses a construct this strict parser refuses.
    Xml(XmlError),
    /// A resource limit (see [`crate::Limits`]) was exceeded.
    LimitExceeded {
        /// Which limit, by its field name in [`crate::Limits`].
        limit: &'static str,
        /// The configured maximum.
        max: usize,
    },
    /// The XML signature is missing, malformed, uses a refused algorithm, or does not verify.
    Signature(SignatureError),
    /// The signed SAML message is not acceptable for this service provider.
    Saml(SamlError),
    /// The service provider's own configuration is unusable (certificates, URLs, keys).
    Config(ConfigError),
    /// An `EncryptedAssertion` is refused or could not be decrypted (see [`DecryptionError`]).
    Decryption(DecryptionError),
}

impl Error {
    /// The stable snake_case code of this error (see the table in the crate documentation).
    pub fn code(&self) -> &'static str {
        match self {
            Error::Encoding(e) => e.code(),
            Error::Xml(e) => e.code(),
            Error::LimitExceeded { .. } => "limit_exceeded",
            Error::Signature(e) => e.code(),
            Error::Saml(e) => e.code(),
            Error::Config(e) => e.code(),
            Error::Decryption(e) => e.code(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Encoding(e) => e.fmt(f),
            Error::Xml(e) => e.fmt(f),
            Error::LimitExceeded { limit, max } => write!(
                f,
                "the message exceeds the limit `{limit}` ({max}); raise it in Limits only if a \
                 legitimate IdP really sends such messages"
            ),
            Error::Signature(e) => e.fmt(f),
            Error::Saml(e) => e.fmt(f),
            Error::Config(e) => e.fmt(f),
            Error::Decryption(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {}

impl From<EncodingError> for Error {
    fn from(e: EncodingError) -> Self {
        Error::Encoding(e)
    }
}
impl From<XmlError> for Error {
    fn from(e: XmlError) -> Self {
        Error::Xml(e)
    }
}
impl From<SignatureError> for Error {
    fn from(e: SignatureError) -> Self {
        Error::Signature(e)
    }
}
impl From<SamlError> for Error {
    fn from(e: SamlError) -> Self {
        Error::Saml(e)
    }
}
impl From<ConfigError> for Error {
    fn from(e: ConfigError) -> Self {
        Error::Config(e)
    }
}
impl From<DecryptionError> for Error {
    fn from(e: DecryptionError) -> Self {
        Error::Decryption(e)
    }
}

/// Problems with the transport encoding of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EncodingError {
    /// Not strict standard base64 (after removing ASCII whitespace).
    InvalidBase64,
    /// The input was empty.
    Empty,
    /// Raw DEFLATE data could not be inflated.
    InvalidDeflate,
    /// A form or query string is malformed or lacks a required field.
    InvalidForm {
        /// What is wrong, for the log.
        detail: String,
    },
}

impl EncodingError {
    /// The stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            EncodingError::InvalidBase64 => "invalid_base64",
            EncodingError::Empty => "empty_input",
            EncodingError::InvalidDeflate => "invalid_deflate",
            EncodingError::InvalidForm { .. } => "invalid_form",
        }
    }
}

impl fmt::Display for EncodingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodingError::InvalidBase64 => f.write_str(
                "SAMLResponse is not valid base64 (standard alphabet, canonical padding); \
                 check that the form field reached the ACS unmodified",
            ),
            EncodingError::Empty => f.write_str("the SAML message is empty"),
            EncodingError::InvalidDeflate => {
                f.write_str("the message is not valid raw DEFLATE data (HTTP-Redirect binding)")
            }
            EncodingError::InvalidForm { detail } => write!(f, "malformed form data: {detail}"),
        }
    }
}

/// Why the XML parser refused a document. Positions are byte offsets into the decoded XML.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum XmlError {
    /// Not well-formed XML.
    Malformed {
        /// Byte offset of the problem.
        position: u64,
        /// What is wrong.
        detail: String,
    },
    /// The document is not UTF-8, or declares another encoding.
    NotUtf8,
    /// The document declares an XML version other than 1.0.
    UnsupportedVersion {
        /// The declared version.
        version: String,
    },
    /// A DOCTYPE declaration (DTDs enable XXE, entity expansion and ID redefinition).
    DoctypeForbidden,
    /// A reference to an entity other than the five predefined ones.
    UndefinedEntity {
        /// The entity name.
        name: String,
    },
    /// A character that XML 1.0 forbids (raw or as a character reference).
    InvalidCharacter {
        /// Byte offset of the problem.
        position: u64,
    },
    /// An element or attribute uses a namespace prefix that is not declared.
    UndeclaredPrefix {
        /// The prefix.
        prefix: String,
    },
    /// An illegal namespace declaration (`xmlns:p=""`, rebinding `xml`/`xmlns`, relative URI…).
    InvalidNamespace {
        /// What is wrong.
        detail: String,
    },
    /// Two attributes with the same expanded name on one element.
    DuplicateAttribute {
        /// The attribute name.
        name: String,
    },
    /// There is no root element.
    NoRootElement,
    /// Element or text content outside the single root element (a second root, trailing data).
    ContentOutsideRoot,
    /// Two elements carry the same ID value (signature-wrapping defence).
    DuplicateId {
        /// The duplicated value.
        id: String,
    },
}

impl XmlError {
    /// The stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            XmlError::Malformed { .. } => "xml_malformed",
            XmlError::NotUtf8 => "xml_not_utf8",
            XmlError::UnsupportedVersion { .. } => "xml_unsupported_version",
            XmlError::DoctypeForbidden => "xml_doctype_forbidden",
            XmlError::UndefinedEntity { .. } => "xml_undefined_entity",
            XmlError::InvalidCharacter { .. } => "xml_invalid_character",
            XmlError::UndeclaredPrefix { .. } => "xml_undeclared_prefix",
            XmlError::InvalidNamespace { .. } => "xml_invalid_namespace",
            XmlError::DuplicateAttribute { .. } => "xml_duplicate_attribute",
            XmlError::NoRootElement => "xml_no_root",
            XmlError::ContentOutsideRoot => "xml_content_outside_root",
            XmlError::DuplicateId { .. } => "xml_duplicate_id",
        }
    }
}

impl fmt::Display for XmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            XmlError::Malformed { position, detail } => {
                write!(f, "the XML is not well-formed at byte {position}: {detail}")
            }
            XmlError::NotUtf8 => f.write_str("the XML is not UTF-8 (the only accepted encoding)"),
            XmlError::UnsupportedVersion { version } => {
                write!(
                    f,
                    "XML version {} is not accepted, only 1.0",
                    quote(version)
                )
            }
            XmlError::DoctypeForbidden => f.write_str(
                "the XML contains a DOCTYPE declaration; SAML messages never need one and it is \
                 refused (XXE, entity expansion)",
            ),
            XmlError::UndefinedEntity { name } => {
                write!(
                    f,
                    "the XML references the undefined entity &{};",
                    quote(name)
                )
            }
            XmlError::InvalidCharacter { position } => {
                write!(
                    f,
                    "the XML contains a character XML 1.0 forbids at byte {position}"
                )
            }
            XmlError::UndeclaredPrefix { prefix } => {
                write!(
                    f,
                    "the XML uses the undeclared namespace prefix {}",
                    quote(prefix)
                )
            }
            XmlError::InvalidNamespace { detail } => {
                write!(f, "illegal namespace declaration: {detail}")
            }
            XmlError::DuplicateAttribute { name } => {
                write!(f, "an element carries the attribute {} twice", quote(name))
            }
            XmlError::NoRootElement => f.write_str("the XML has no root element"),
            XmlError::ContentOutsideRoot => f.write_str(
                "the XML has content outside its single root element (a second root or \
                 trailing data)",
            ),
            XmlError::DuplicateId { id } => write!(
                f,
                "the ID {} occurs on more than one element (signature wrapping)",
                quote(id)
            ),
        }
    }
}

/// Why an XML signature was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureError {
    /// Neither the Response nor its Assertion carries a signature.
    Missing,
    /// A `ds:Signature` element sits somewhere other than directly inside the Response or the
    /// Assertion, right after its Issuer, or an element has more than one.
    Misplaced {
        /// Where it was found.
        detail: String,
    },
    /// The Signature does not have the shape XML-DSig and SAML require.
    Malformed {
        /// What is wrong.
        detail: String,
    },
    /// The Reference URI is not `#` + the ID of the signed element.
    ReferenceMismatch {
        /// The ID the signature must reference.
        expected: String,
        /// The Reference URI found.
        found: String,
    },
    /// An algorithm outside the allow-list (HMAC, MD5, unknown URIs…).
    UnsupportedAlgorithm {
        /// The algorithm URI.
        algorithm: String,
    },
    /// SHA-1 was used but the service provider does not allow it.
    Sha1NotAllowed {
        /// The algorithm URI.
        algorithm: String,
    },
    /// A transform other than enveloped-signature followed by exclusive c14n.
    UnsupportedTransform {
        /// The transform URI (or a description of the sequence).
        transform: String,
    },
    /// The SignatureValue does not verify with any configured IdP certificate.
    InvalidSignature,
    /// The digest of the signed element does not match the DigestValue: it was modified.
    DigestMismatch,
    /// The signing certificate's RSA key is shorter than 2048 bits.
    KeyTooSmall {
        /// The key size in bits.
        bits: usize,
    },
    /// An HTTP-Redirect message carries no `Signature` query parameter although one is required.
    QuerySignatureMissing,
    /// The `SigAlg` / `Signature` query parameters of an HTTP-Redirect message are unusable
    /// (one without the other, repeated, or not base64).
    QuerySignatureMalformed {
        /// What is wrong.
        detail: String,
    },
    /// Verification of IdP metadata was requested but the metadata carries no signature where
    /// SAML metadata puts one (the first child of the `EntityDescriptor` or of an enclosing
    /// `EntitiesDescriptor`).
    MetadataSignatureMissing {
        /// What was found instead.
        detail: String,
    },
}

impl SignatureError {
    /// The stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            SignatureError::Missing => "signature_missing",
            SignatureError::Misplaced { .. } => "signature_misplaced",
            SignatureError::Malformed { .. } => "signature_malformed",
            SignatureError::ReferenceMismatch { .. } => "signature_reference_mismatch",
            SignatureError::UnsupportedAlgorithm { .. } => "signature_algorithm_unsupported",
            SignatureError::Sha1NotAllowed { .. } => "signature_sha1_not_allowed",
            SignatureError::UnsupportedTransform { .. } => "signature_transform_unsupported",
            SignatureError::InvalidSignature => "signature_invalid",
            SignatureError::DigestMismatch => "digest_mismatch",
            SignatureError::KeyTooSmall { .. } => "key_too_small",
            SignatureError::QuerySignatureMissing => "query_signature_missing",
            SignatureError::QuerySignatureMalformed { .. } => "query_signature_malformed",
            SignatureError::MetadataSignatureMissing { .. } => "metadata_signature_missing",
        }
    }
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignatureError::Missing => f.write_str(
                "neither the Response nor its Assertion is signed; in Entra ID keep the signing \
                 option \"Sign SAML assertion\" (or response, or both)",
            ),
            SignatureError::Misplaced { detail } => write!(
                f,
                "a Signature element is in a place where none is allowed ({detail}); only one \
                 Signature directly inside the Response and one directly inside the Assertion \
                 are accepted"
            ),
            SignatureError::Malformed { detail } => {
                write!(f, "the XML signature is malformed: {detail}")
            }
            SignatureError::ReferenceMismatch { expected, found } => write!(
                f,
                "the signature references {} but must reference {} (the element that contains it)",
                quote(found),
                quote(&format!("#{expected}"))
            ),
            SignatureError::UnsupportedAlgorithm { algorithm } => write!(
                f,
                "the signature uses the algorithm {}, which is not accepted (RSA-SHA256/384/512 \
                 and SHA-256/384/512 digests are)",
                quote(algorithm)
            ),
            SignatureError::Sha1NotAllowed { algorithm } => write!(
                f,
                "the signature uses SHA-1 ({}); set the IdP's signing algorithm to SHA-256 (Entra \
                 ID: SAML Signing Certificate > Signing Algorithm) or allow SHA-1 explicitly",
                quote(algorithm)
            ),
            SignatureError::UnsupportedTransform { transform } => write!(
                f,
                "the signature's transforms are not accepted ({}); only enveloped-signature \
                 followed by exclusive canonicalization is",
                quote(transform)
            ),
            SignatureError::InvalidSignature => f.write_str(
                "the signature does not verify with any configured IdP certificate; upload the \
                 IdP's current signing certificate (Entra ID: Certificate (Base64))",
            ),
            SignatureError::DigestMismatch => {
                f.write_str("the signed element was modified after signing (digest mismatch)")
            }
            SignatureError::KeyTooSmall { bits } => write!(
                f,
                "the IdP signing key has {bits} bits; at least 2048 are required"
            ),
            SignatureError::QuerySignatureMissing => f.write_str(
                "the HTTP-Redirect message has no Signature query parameter, but a signed \
                 message is required; configure the IdP to sign its redirect messages",
            ),
            SignatureError::QuerySignatureMalformed { detail } => write!(
                f,
                "the HTTP-Redirect query signature is malformed: {detail}"
            ),
            SignatureError::MetadataSignatureMissing { detail } => write!(
                f,
                "the IdP metadata signature was to be verified but none is usable ({detail}); \
                 download the metadata again from the IdP, or import it without verification"
            ),
        }
    }
}

/// Why a correctly signed SAML message is still not acceptable.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SamlError {
    /// The root element is not `samlp:Response` (by namespace and name).
    NotAResponse {
        /// The root element's expanded name.
        found: String,
    },
    /// The Response carries no Assertion.
    AssertionMissing,
    /// More than one Assertion, or an Assertion somewhere other than directly inside the Response.
    UnexpectedAssertion {
        /// Where.
        detail: String,
    },
    /// The Response carries an EncryptedAssertion but no decryption key is configured.
    EncryptedAssertionUnsupported,
    /// The IdP reported a failure.
    StatusNotSuccess {
        /// The status codes, outermost first.
        codes: Vec<String>,
        /// The StatusMessage, if any (Entra puts the AADSTS code there).
        message: Option<String>,
    },
    /// A required element or attribute is missing or appears more than once.
    Malformed {
        /// What is wrong.
        detail: String,
    },
    /// `Version` is not `2.0`.
    UnsupportedVersion {
        /// The version found.
        found: String,
    },
    /// The Issuer is not the configured IdP entity ID.
    IssuerMismatch {
        /// The configured IdP entity ID.
        expected: String,
        /// The Issuer found.
        found: String,
    },
    /// The Response Destination is not this service provider's ACS URL.
    DestinationMismatch {
        /// The configured ACS URL.
        expected: String,
        /// The Destination found.
        found: String,
    },
    /// No bearer SubjectConfirmation is acceptable; `detail` says why the best one failed.
    SubjectConfirmationInvalid {
        /// Why.
        detail: String,
    },
    /// The SubjectConfirmationData Recipient is not this service provider's ACS URL.
    RecipientMismatch {
        /// The configured ACS URL.
        expected: String,
        /// The Recipient found.
        found: String,
    },
    /// The response answers another request than the one this browser started.
    InResponseToMismatch {
        /// The expected request ID.
        expected: String,
        /// The InResponseTo found.
        found: String,
    },
    /// A response with no InResponseTo (IdP-initiated) while unsolicited responses are not allowed,
    /// or a response to a request when none was expected.
    UnsolicitedResponse,
    /// The assertion is not valid yet (NotBefore in the future beyond the clock skew).
    NotYetValid {
        /// The NotBefore (or, for the Assertion itself, the IssueInstant) that is in the future.
        not_before: UnixTime,
        /// The verification time.
        now: UnixTime,
    },
    /// The assertion has expired (NotOnOrAfter passed, beyond the clock skew).
    Expired {
        /// The NotOnOrAfter (or SessionNotOnOrAfter) that has passed.
        not_on_or_after: UnixTime,
        /// The verification time.
        now: UnixTime,
    },
    /// The assertion is not addressed to this service provider.
    AudienceMismatch {
        /// The accepted audiences (the SP entity ID first).
        expected: Vec<String>,
        /// The audiences found in the AudienceRestriction that failed.
        found: Vec<String>,
    },
    /// A LogoutRequest or LogoutResponse was expected but the root element is something else.
    NotALogoutMessage {
        /// The expected root element (`LogoutRequest` or `LogoutResponse`).
        expected: &'static str,
        /// The root element's expanded name.
        found: String,
    },
    /// The Destination of a logout message is not this service provider's SLO URL.
    LogoutDestinationMismatch {
        /// The configured SLO URL.
        expected: String,
        /// The Destination found (empty when there is none).
        found: String,
    },
    /// A logout message was issued in the future (IssueInstant beyond the clock skew).
    MessageNotYetValid {
        /// The IssueInstant.
        issue_instant: UnixTime,
        /// The verification time.
        now: UnixTime,
    },
    /// A logout message is too old (IssueInstant older than the clock skew plus the maximum age)
    /// or its NotOnOrAfter has passed.
    MessageExpired {
        /// When it stopped being acceptable.
        expired_at: UnixTime,
        /// The verification time.
        now: UnixTime,
    },
    /// An xs:dateTime value that is not a UTC timestamp.
    InvalidTime {
        /// The attribute name.
        field: String,
        /// The value found.
        value: String,
    },
}

impl SamlError {
    /// The stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            SamlError::NotAResponse { .. } => "not_a_response",
            SamlError::AssertionMissing => "assertion_missing",
            SamlError::UnexpectedAssertion { .. } => "unexpected_assertion",
            SamlError::EncryptedAssertionUnsupported => "encrypted_assertion_unsupported",
            SamlError::StatusNotSuccess { .. } => "status_not_success",
            SamlError::Malformed { .. } => "saml_malformed",
            SamlError::UnsupportedVersion { .. } => "saml_unsupported_version",
            SamlError::IssuerMismatch { .. } => "issuer_mismatch",
            SamlError::DestinationMismatch { .. } => "destination_mismatch",
            SamlError::SubjectConfirmationInvalid { .. } => "subject_confirmation_invalid",
            SamlError::RecipientMismatch { .. } => "recipient_mismatch",
            SamlError::InResponseToMismatch { .. } => "in_response_to_mismatch",
            SamlError::UnsolicitedResponse => "unsolicited_response",
            SamlError::NotYetValid { .. } => "assertion_not_yet_valid",
            SamlError::Expired { .. } => "assertion_expired",
            SamlError::AudienceMismatch { .. } => "audience_mismatch",
            SamlError::InvalidTime { .. } => "invalid_time",
            SamlError::NotALogoutMessage { .. } => "not_a_logout_message",
            SamlError::LogoutDestinationMismatch { .. } => "destination_mismatch",
            SamlError::MessageNotYetValid { .. } => "message_not_yet_valid",
            SamlError::MessageExpired { .. } => "message_expired",
        }
    }
}

fn quote_list(values: &[String]) -> String {
    let quoted: Vec<String> = values.iter().take(10).map(|v| quote(v)).collect();
    format!("[{}]", quoted.join(", "))
}

impl fmt::Display for SamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SamlError::NotAResponse { found } => write!(
                f,
                "the message is not a SAML 2.0 Response (root element {}); post only the IdP's \
                 SAMLResponse to the ACS",
                quote(found)
            ),
            SamlError::AssertionMissing => f.write_str("the Response contains no Assertion"),
            SamlError::UnexpectedAssertion { detail } => write!(
                f,
                "the Response must contain exactly one Assertion directly inside it: {detail}"
            ),
            SamlError::EncryptedAssertionUnsupported => f.write_str(
                "the assertion is encrypted but no SP decryption key is configured; configure \
                 the private key whose certificate the IdP encrypts to (SP_DECRYPTION_KEY, \
                 --sp-key, decryptionKeys), or in Entra ID turn off Token encryption",
            ),
            SamlError::StatusNotSuccess { codes, message } => {
                write!(
                    f,
                    "the IdP reported a failure: status {}",
                    quote_list(codes)
                )?;
                if let Some(message) = message {
                    write!(f, ", message {}", quote(message))?;
                }
                Ok(())
            }
            SamlError::Malformed { detail } => write!(f, "the SAML message is malformed: {detail}"),
            SamlError::UnsupportedVersion { found } => {
                write!(
                    f,
                    "SAML version {} is not supported, only 2.0",
                    quote(found)
                )
            }
            SamlError::IssuerMismatch { expected, found } => write!(
                f,
                "the Issuer is {} but the configured IdP entity ID is {}; set IDP_ENTITY_ID to \
                 the IdP's identifier (Entra ID: Microsoft Entra Identifier)",
                quote(found),
                quote(expected)
            ),
            SamlError::DestinationMismatch { expected, found } => write!(
                f,
                "the Response Destination is {} but this ACS URL is {}; the IdP's Reply URL \
                 (Assertion Consumer Service URL) must equal ACS_URL exactly",
                quote(found),
                quote(expected)
            ),
            SamlError::SubjectConfirmationInvalid { detail } => {
                write!(f, "no acceptable bearer SubjectConfirmation: {detail}")
            }
            SamlError::RecipientMismatch { expected, found } => write!(
                f,
                "the SubjectConfirmationData Recipient is {} but this ACS URL is {}; the IdP's \
                 Reply URL must equal ACS_URL exactly",
                quote(found),
                quote(expected)
            ),
            SamlError::InResponseToMismatch { expected, found } => write!(
                f,
                "the response answers request {} but this browser started request {}; start \
                 again from the sign-in page",
                quote(found),
                quote(expected)
            ),
            SamlError::UnsolicitedResponse => f.write_str(
                "the response is unsolicited (IdP-initiated, no InResponseTo) and unsolicited \
                 responses are not allowed; sign in from the application's sign-on URL, or \
                 enable ALLOW_UNSOLICITED",
            ),
            SamlError::NotYetValid { not_before, now } => write!(
                f,
                "the assertion is not valid before {not_before} and it is {now}; check the \
                 clocks or raise the clock skew"
            ),
            SamlError::Expired {
                not_on_or_after,
                now,
            } => write!(
                f,
                "the assertion expired at {not_on_or_after} and it is {now}; sign in again \
                 (or check the clocks)"
            ),
            SamlError::AudienceMismatch { expected, found } => write!(
                f,
                "the assertion is for the audience {} but this service provider is {}; the IdP's \
                 Identifier (Entity ID) must equal SP_ENTITY_ID exactly",
                quote_list(found),
                quote_list(expected)
            ),
            SamlError::NotALogoutMessage { expected, found } => write!(
                f,
                "expected a SAML 2.0 {expected} but the root element is {}; send only the \
                 IdP's logout messages to the SLO URL",
                quote(found)
            ),
            SamlError::LogoutDestinationMismatch { expected, found } => write!(
                f,
                "the logout message's Destination is {} but this SLO URL is {}; the IdP's Logout \
                 URL must equal the SP's SLO URL exactly",
                quote(found),
                quote(expected)
            ),
            SamlError::MessageNotYetValid { issue_instant, now } => write!(
                f,
                "the logout message was issued at {issue_instant}, in the future (it is {now}); \
                 check the clocks or raise the clock skew"
            ),
            SamlError::MessageExpired { expired_at, now } => write!(
                f,
                "the logout message was acceptable until {expired_at} and it is {now}; it is \
                 stale or replayed (or the clocks differ)"
            ),
            SamlError::InvalidTime { field, value } => write!(
                f,
                "{field} is {}, which is not a UTC xs:dateTime",
                quote(value)
            ),
        }
    }
}

/// Problems with the service provider's own configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// A certificate could not be read (not PEM, not base64 DER, not X.509, not RSA).
    InvalidCertificate {
        /// What is wrong.
        detail: String,
    },
    /// A configured RSA key is shorter than 2048 bits.
    KeyTooSmall {
        /// The key size in bits.
        bits: usize,
    },
    /// A required setting is missing.
    Missing {
        /// The setting's name.
        field: &'static str,
    },
    /// A setting has an unusable value.
    Invalid {
        /// The setting's name.
        field: &'static str,
        /// What is wrong.
        detail: String,
    },
}

impl ConfigError {
    /// The stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            ConfigError::InvalidCertificate { .. } => "config_invalid_certificate",
            ConfigError::KeyTooSmall { .. } => "config_key_too_small",
            ConfigError::Missing { .. } => "config_missing",
            ConfigError::Invalid { .. } => "config_invalid",
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::InvalidCertificate { detail } => write!(
                f,
                "the IdP certificate cannot be used: {detail}; paste the PEM file or the \
                 base64 text of Entra ID's Certificate (Base64) download"
            ),
            ConfigError::KeyTooSmall { bits } => {
                write!(
                    f,
                    "the configured RSA key has {bits} bits; at least 2048 are required"
                )
            }
            ConfigError::Missing { field } => write!(f, "the setting {field} is required"),
            ConfigError::Invalid { field, detail } => {
                write!(f, "the setting {field} is invalid: {detail}")
            }
        }
    }
}

// ---- XML Encryption (src/xmlenc/) -------------------------------------------------------------

/// Why an `EncryptedAssertion` was refused. Everything that depends on secret key material or on
/// the decrypted plaintext is the single [`DecryptionError::Failed`] (code `decryption_failed`),
/// with one fixed message: a response that differs only in its ciphertext can never get a
/// different answer before the decrypted assertion's own signature has verified (no padding or
/// parse oracle; see SECURITY.md "Encrypted assertions").
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecryptionError {
    /// No configured key decrypts the assertion, or the content does not decrypt (GCM tag,
    /// CBC padding byte), or the plaintext is not exactly one well-formed, signed `saml:Assertion`.
    Failed,
    /// The `EncryptedAssertion` / `EncryptedData` / `EncryptedKey` structure is not the one
    /// SAML and XML Encryption define (read before any key is used).
    Malformed {
        /// What is wrong.
        detail: String,
    },
    /// An encryption or key-transport algorithm outside the allow-list.
    UnsupportedAlgorithm {
        /// The algorithm URI.
        algorithm: String,
    },
    /// The key transport is RSAES-PKCS1-v1_5 (`xmlenc#rsa-1_5`, Bleichenbacher-type oracles).
    Rsa15Refused,
    /// The service provider decrypts only assertions of signed Responses and this Response is
    /// not signed.
    ResponseNotSigned,
}

impl DecryptionError {
    /// The stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            DecryptionError::Failed => "decryption_failed",
            DecryptionError::Malformed { .. } => "encrypted_assertion_malformed",
            DecryptionError::UnsupportedAlgorithm { .. } => "encryption_algorithm_unsupported",
            DecryptionError::Rsa15Refused => "encryption_rsa_1_5_refused",
            DecryptionError::ResponseNotSigned => "encrypted_response_unsigned",
        }
    }
}

impl fmt::Display for DecryptionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecryptionError::Failed => f.write_str(
                "the encrypted assertion could not be decrypted and verified: no configured SP \
                 decryption key opens it, or its content is not one Assertion signed by the IdP; \
                 check that the IdP encrypts to the certificate of a configured key",
            ),
            DecryptionError::Malformed { detail } => {
                write!(f, "the EncryptedAssertion is malformed: {detail}")
            }
            DecryptionError::UnsupportedAlgorithm { algorithm } => write!(
                f,
                "the assertion is encrypted with {}, which is not accepted (AES-128/256-GCM, \
                 AES-128/256-CBC and 3DES-CBC content, RSA-OAEP key transport are)",
                quote(algorithm)
            ),
            DecryptionError::Rsa15Refused => f.write_str(
                "the assertion's key is encrypted with RSA PKCS#1 v1.5 (xmlenc#rsa-1_5), which is \
                 refused (Bleichenbacher attacks); configure the IdP to use RSA-OAEP",
            ),
            DecryptionError::ResponseNotSigned => f.write_str(
                "the assertion is encrypted and the Response is not signed, but this service \
                 provider decrypts only signed Responses; in Entra ID set the Signing Option to \
                 \"Sign SAML response and assertion\"",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_escapes_controls_and_truncates() {
        assert_eq!(quote("a\nb"), "\"a\\nb\"");
        let long = "x".repeat(500);
        let quoted = quote(&long);
        assert!(quoted.chars().count() < 210);
        assert!(quoted.ends_with("…\""));
    }

    #[test]
    fn time_errors_carry_times_and_print_them_as_rfc3339() {
        let now = UnixTime::from_secs(1_768_471_260); // 2026-01-15T10:01:00Z
        let expired = SamlError::Expired {
            not_on_or_after: now.minus_secs(3600),
            now,
        };
        assert_eq!(
            expired.to_string(),
            "the assertion expired at 2026-01-15T09:01:00Z and it is 2026-01-15T10:01:00Z; sign \
             in again (or check the clocks)"
        );
        let early = SamlError::NotYetValid {
            not_before: UnixTime::from_millis(now.plus_secs(600).as_millis() + 250),
            now,
        };
        assert_eq!(
            early.to_string(),
            "the assertion is not valid before 2026-01-15T10:11:00.250Z and it is \
             2026-01-15T10:01:00Z; check the clocks or raise the clock skew"
        );
    }

    #[test]
    fn malformed_picks_the_variant_of_its_part() {
        assert_eq!(
            malformed(Part::Xml { position: 7 }, "x"),
            Error::Xml(XmlError::Malformed {
                position: 7,
                detail: "x".into()
            })
        );
        assert_eq!(
            malformed(Part::Signature, "x").code(),
            "signature_malformed"
        );
        assert_eq!(malformed(Part::Saml, "x").code(), "saml_malformed");
    }

    #[test]
    fn codes_are_snake_case() {
        let samples: Vec<Error> = vec![
            EncodingError::InvalidBase64.into(),
            XmlError::DoctypeForbidden.into(),
            SignatureError::DigestMismatch.into(),
            SamlError::UnsolicitedResponse.into(),
            ConfigError::Missing { field: "x" }.into(),
            Error::LimitExceeded {
                limit: "max_depth",
                max: 1,
            },
        ];
        for e in samples {
            let code = e.code();
            assert!(
                code.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{code}"
            );
            assert!(!e.to_string().is_empty());
        }
    }
}
