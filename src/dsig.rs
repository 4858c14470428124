//! XML-DSig verification of one enveloped signature, in a fixed order, returning proof of what
//! was verified.
//!
//! [`verify_enveloped`] takes a `ds:Signature` node of a parsed document and the trusted
//! certificates, and returns [`Verified`], which borrows the document and names the element whose
//! canonical bytes were digested (the Signature's parent). `Verified` has no public constructor
//! and cannot be cloned or detached from its tree: the SAML layer can only read from elements
//! that went through here, in the very tree that went through here (invariants V1, V7, V11).
//!
//! The order (V8):
//! 1. shape (V5, V16): `Signature` = `SignedInfo`, `SignatureValue`, optional `KeyInfo`;
//!    `SignedInfo` = `CanonicalizationMethod`, `SignatureMethod`, exactly one `Reference`;
//!    `Reference` = `Transforms`, `DigestMethod`, `DigestValue`; nothing else, no stray text;
//! 2. algorithms by exact URI (V9): exclusive c14n without comments; RSA-SHA256/384/512
//!    (RSA-SHA1 only with [`AlgorithmPolicy::allow_sha1`]); transforms exactly enveloped-signature then
//!    exclusive c14n; digests SHA-256/384/512 (SHA-1 likewise opt-in);
//! 3. the Reference URI must be `#` + the `ID` of the Signature's parent (V5, V6, V7);
//! 4. the SignatureValue over the canonical SignedInfo, with each trusted key in turn; `KeyInfo`
//!    is never read (V10);
//! 5. only then the digest of the parent, canonicalized without exactly this Signature node,
//!    compared in constant time with the DigestValue read from the verified SignedInfo (V8).
//!
//! Nothing in steps 1–3 executes anything: a transform outside the allow-list is refused, not run.

use core::fmt;

use crate::Error;
use crate::c14n::{self, Options};
use crate::crypto::{DigestAlgorithm, SignatureAlgorithm, constant_time_eq};
use crate::danger::AlgorithmPolicy;
use crate::encoding::decode_base64;
use crate::error::{Part, SignatureError, malformed};
use crate::x509::Certificate;
use crate::xml::{Document, Element, NodeId, NodeKind, is_ncname};

/// The XML-DSig namespace.
pub const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// Exclusive XML Canonicalization 1.0 (without comments).
pub const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
/// The enveloped-signature transform.
pub const ENVELOPED_SIGNATURE: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";

/// Largest decoded SignatureValue accepted (a 16384-bit RSA signature is 2048 bytes).
const MAX_SIGNATURE_BYTES: usize = 4096;
/// Largest decoded DigestValue accepted (SHA-512 is 64 bytes).
const MAX_DIGEST_BYTES: usize = 128;

/// Proof that the element [`Verified::node`] of [`Verified::document`] was signed by a trusted
/// key. Only [`verify_enveloped`] makes one.
///
/// The proof borrows the document it proved and is neither `Clone` nor `Copy`. Code below this
/// module takes the tree *from the proof*: `SignedAssertion::new` and the assertion readers have
/// no `Document` parameter, so there is no call in which a proof meets another tree (the shape
/// of signature-wrapping bugs: verify one tree, read another). And while a proof lives, the tree
/// it vouches for cannot be replaced, changed or dropped. Swapping in another document after
/// verifying is refused by the compiler (`cannot assign to `doc` because it is borrowed`):
///
/// ```compile_fail,E0506
/// use saml_edge::danger::AlgorithmPolicy;
/// use saml_edge::internal::assertion::{self, SignedAssertion};
/// use saml_edge::internal::{checks::Checks, dsig, structure};
/// use saml_edge::{Certificate, Document, Limits, UnixTime};
///
/// let read = |name: &str| {
///     std::fs::read(format!("{}/tests/data/generated/{name}", env!("CARGO_MANIFEST_DIR")))
///         .unwrap()
/// };
/// let trusted = Certificate::parse_all(&read("idp.crt")).unwrap();
/// let limits = Limits::default();
/// let mut doc =
///     Document::parse(&read("entra2021_assertion_signed_compact.xml"), &limits).unwrap();
/// let signature = structure::check(&doc).unwrap().assertion_signature.unwrap();
/// let proof =
///     dsig::verify_enveloped(&doc, signature, &trusted, &AlgorithmPolicy::default()).unwrap();
///
/// // Another tree where the proven one was: refused while `proof` is alive.
/// doc = Document::parse(&read("wrap_evil_copy_in_advice.xml"), &limits).unwrap();
///
/// let signed = SignedAssertion::new(None, Some(&proof)).unwrap();
/// let checks = Checks {
///     idp_entity_id: "https://sts.windows.net/6b1f4c2e-93d7-4a58-b0e1-7c2d9f3a8e51/",
///     sp_entity_id: "https://app.example.com/saml/metadata",
///     extra_audiences: &[],
///     acs_url: "https://app.example.com/saml/acs",
///     request_id: Some("_7f3c9a2e4b1d4e6fa0c1b2d3e4f50617"),
///     allow_unsolicited: false,
///     now: UnixTime::parse_rfc3339_utc("2026-01-15T10:01:00Z").unwrap(),
///     skew_secs: 180,
/// };
/// let identity = assertion::validate(&signed, &checks).unwrap();
/// assert_eq!(identity.name_id, "B.Simon@contoso.com");
/// ```
///
/// The same code without the swap compiles, and reads the identity from the proven tree:
///
/// ```
/// use saml_edge::danger::AlgorithmPolicy;
/// use saml_edge::internal::assertion::{self, SignedAssertion};
/// use saml_edge::internal::{checks::Checks, dsig, structure};
/// use saml_edge::{Certificate, Document, Limits, UnixTime};
///
/// let read = |name: &str| {
///     std::fs::read(format!("{}/tests/data/generated/{name}", env!("CARGO_MANIFEST_DIR")))
///         .unwrap()
/// };
/// let trusted = Certificate::parse_all(&read("idp.crt")).unwrap();
/// let limits = Limits::default();
/// let doc =
///     Document::parse(&read("entra2021_assertion_signed_compact.xml"), &limits).unwrap();
/// let signature = structure::check(&doc).unwrap().assertion_signature.unwrap();
/// let proof =
///     dsig::verify_enveloped(&doc, signature, &trusted, &AlgorithmPolicy::default()).unwrap();
///
/// let signed = SignedAssertion::new(None, Some(&proof)).unwrap();
/// let checks = Checks {
///     idp_entity_id: "https://sts.windows.net/6b1f4c2e-93d7-4a58-b0e1-7c2d9f3a8e51/",
///     sp_entity_id: "https://app.example.com/saml/metadata",
///     extra_audiences: &[],
///     acs_url: "https://app.example.com/saml/acs",
///     request_id: Some("_7f3c9a2e4b1d4e6fa0c1b2d3e4f50617"),
///     allow_unsolicited: false,
///     now: UnixTime::parse_rfc3339_utc("2026-01-15T10:01:00Z").unwrap(),
///     skew_secs: 180,
/// };
/// let identity = assertion::validate(&signed, &checks).unwrap();
/// assert_eq!(identity.name_id, "B.Simon@contoso.com");
/// ```
///
/// Two proofs of two different documents, both alive, do type-check (a lifetime cannot tell two
/// trees apart): `SignedAssertion::new` refuses that pairing at run time.
pub struct Verified<'d> {
    doc: &'d Document,
    node: NodeId,
    signature: NodeId,
    signature_algorithm: SignatureAlgorithm,
    digest_algorithm: DigestAlgorithm,
    certificate_index: usize,
}

impl<'d> Verified<'d> {
    /// The document whose element was verified: the only tree this proof speaks for.
    pub fn document(&self) -> &'d Document {
        self.doc
    }

    /// The signed element (the parent of the verified Signature), a node of
    /// [`Verified::document`].
    pub fn node(&self) -> NodeId {
        self.node
    }

    /// The verified `ds:Signature` element (to skip when reading the signed element).
    pub fn signature(&self) -> NodeId {
        self.signature
    }

    /// The signature algorithm that was used.
    pub fn signature_algorithm(&self) -> SignatureAlgorithm {
        self.signature_algorithm
    }

    /// The digest algorithm that was used.
    pub fn digest_algorithm(&self) -> DigestAlgorithm {
        self.digest_algorithm
    }

    /// Index, in the trusted list, of the certificate whose key verified the signature.
    pub fn certificate_index(&self) -> usize {
        self.certificate_index
    }
}

/// Names the nodes, not the whole tree.
impl fmt::Debug for Verified<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verified")
            .field("node", &self.node)
            .field("signature", &self.signature)
            .field("signature_algorithm", &self.signature_algorithm)
            .field("digest_algorithm", &self.digest_algorithm)
            .field("certificate_index", &self.certificate_index)
            .finish_non_exhaustive()
    }
}

/// The element children of `id`, refusing non-whitespace text and processing instructions
/// (comments and white space between elements are fine).
fn strict_children<'d>(
    doc: &'d Document,
    id: NodeId,
    what: &str,
) -> Result<Vec<(NodeId, &'d Element)>, Error> {
    let mut out = Vec::new();
    for &child in doc.children(id) {
        match doc.kind(child) {
            NodeKind::Element(e) => out.push((child, e)),
            NodeKind::Text(t) if t.chars().all(|c| matches!(c, ' ' | '\t' | '\r' | '\n')) => {}
            NodeKind::Comment(_) => {}
            _ => {
                return Err(malformed(
                    Part::Signature,
                    format!("unexpected content inside {what}"),
                ));
            }
        }
    }
    Ok(out)
}

/// Requires `children` to be exactly the dsig elements `names`, in order; `optional_last` allows
/// the last name to be absent. One walk over both lists finds a wrong, missing or extra element.
fn expect_sequence<'d>(
    children: &[(NodeId, &'d Element)],
    names: &[&str],
    optional_last: bool,
    parent: &str,
) -> Result<Vec<(NodeId, &'d Element)>, Error> {
    let required = names.len().saturating_sub(usize::from(optional_last));
    let refuse = |found: &str| {
        Err(malformed(
            Part::Signature,
            format!(
                "{parent} must contain exactly {}, in this order; found {found}",
                names.join(", ")
            ),
        ))
    };
    for i in 0..children.len().max(required) {
        match (children.get(i), names.get(i)) {
            (Some((_, element)), Some(name)) if element.is(DSIG_NS, name) => {}
            (Some((_, element)), _) => return refuse(&element.expanded_name()),
            (None, _) => return refuse("nothing more"),
        }
    }
    Ok(children.to_vec())
}

fn child_at<'d>(
    children: &[(NodeId, &'d Element)],
    index: usize,
) -> Result<(NodeId, &'d Element), Error> {
    children
        .get(index)
        .copied()
        .ok_or_else(|| malformed(Part::Signature, "missing element"))
}

fn algorithm_of<'d>(element: &'d Element, what: &str) -> Result<&'d str, Error> {
    element
        .attribute("Algorithm")
        .ok_or_else(|| malformed(Part::Signature, format!("{what} has no Algorithm")))
}

/// Reads an optional `ec:InclusiveNamespaces PrefixList` below a c14n method or transform; any
/// other child is refused.
fn inclusive_prefixes(doc: &Document, id: NodeId, what: &str) -> Result<Vec<String>, Error> {
    let children = strict_children(doc, id, what)?;
    match children.as_slice() {
        [] => Ok(Vec::new()),
        [(_, e)] if e.is(EXC_C14N, "InclusiveNamespaces") => Ok(e
            .attribute("PrefixList")
            .unwrap_or_default()
            .split_ascii_whitespace()
            .map(str::to_owned)
            .collect()),
        _ => Err(malformed(
            Part::Signature,
            format!("unexpected child elements in {what}"),
        )),
    }
}

/// Base64 text of a DSig value element: all text nodes, comments skipped, white space allowed.
fn base64_value(doc: &Document, id: NodeId, max: usize, what: &str) -> Result<Vec<u8>, Error> {
    if doc.has_child_elements(id) {
        return Err(malformed(
            Part::Signature,
            format!("{what} contains elements"),
        ));
    }
    let text = doc.text(id);
    if text.trim().is_empty() {
        return Err(malformed(Part::Signature, format!("{what} is empty")));
    }
    decode_base64(&text, max).map_err(|e| match e {
        Error::LimitExceeded { .. } => malformed(Part::Signature, format!("{what} is too long")),
        _ => malformed(Part::Signature, format!("{what} is not base64")),
    })
}

/// Checks an algorithm URI against the allow-list (`parsed` is `None` for anything not on it)
/// and the SHA-1 policy.
fn allowed<A>(
    uri: &str,
    parsed: Option<A>,
    is_sha1: fn(&A) -> bool,
    policy: &AlgorithmPolicy,
) -> Result<A, Error> {
    let algorithm = parsed.ok_or_else(|| SignatureError::UnsupportedAlgorithm {
        algorithm: uri.to_owned(),
    })?;
    if is_sha1(&algorithm) && !policy.allow_sha1 {
        return Err(SignatureError::Sha1NotAllowed {
            algorithm: uri.to_owned(),
        }
        .into());
    }
    Ok(algorithm)
}

fn signature_algorithm(uri: &str, policy: &AlgorithmPolicy) -> Result<SignatureAlgorithm, Error> {
    allowed(
        uri,
        SignatureAlgorithm::from_uri(uri),
        |a| a.is_sha1(),
        policy,
    )
}

fn digest_algorithm(uri: &str, policy: &AlgorithmPolicy) -> Result<DigestAlgorithm, Error> {
    allowed(uri, DigestAlgorithm::from_uri(uri), |a| a.is_sha1(), policy)
}

/// Everything read from SignedInfo before any cryptography.
struct Plan {
    signed_info: NodeId,
    signed_info_prefixes: Vec<String>,
    signature_algorithm: SignatureAlgorithm,
    digest_algorithm: DigestAlgorithm,
    reference_prefixes: Vec<String>,
    digest_value: Vec<u8>,
    signature_value: Vec<u8>,
}

/// Steps 1–3: shape, algorithms, reference binding. Reads only; executes nothing.
fn plan(
    doc: &Document,
    signature: NodeId,
    parent: NodeId,
    policy: &AlgorithmPolicy,
) -> Result<Plan, Error> {
    let parts = signature_parts(doc, signature)?;
    let signature_value = base64_value(
        doc,
        parts.signature_value,
        MAX_SIGNATURE_BYTES,
        "SignatureValue",
    )?;
    let digest_value = base64_value(doc, parts.digest_value, MAX_DIGEST_BYTES, "DigestValue")?;
    let signed_info_prefixes = canonicalization_method(doc, parts.c14n_method)?;
    let signature_algorithm = signature_method(doc, parts.signature_method, policy)?;
    check_reference_uri(doc, parts.reference, parent)?;
    let reference_prefixes = check_transforms(doc, parts.transforms)?;
    let digest_algorithm = digest_method(doc, parts.digest_method, policy)?;
    Ok(Plan {
        signed_info: parts.signed_info,
        signed_info_prefixes,
        signature_algorithm,
        digest_algorithm,
        reference_prefixes,
        digest_value,
        signature_value,
    })
}

/// Where the parts of a well-shaped Signature are.
struct Parts<'d> {
    signed_info: NodeId,
    signature_value: NodeId,
    c14n_method: (NodeId, &'d Element),
    signature_method: (NodeId, &'d Element),
    reference: &'d Element,
    transforms: NodeId,
    digest_method: (NodeId, &'d Element),
    digest_value: NodeId,
}

/// Step 1: `Signature` = `SignedInfo`, `SignatureValue`, optional `KeyInfo`; `SignedInfo` =
/// `CanonicalizationMethod`, `SignatureMethod`, exactly one `Reference`; `Reference` =
/// `Transforms`, `DigestMethod`, `DigestValue`.
fn signature_parts(doc: &Document, signature: NodeId) -> Result<Parts<'_>, Error> {
    let children = sequence(
        doc,
        signature,
        &["SignedInfo", "SignatureValue", "KeyInfo"],
        true,
        "Signature",
    )?;
    let (signed_info, _) = child_at(&children, 0)?;
    let (signature_value, _) = child_at(&children, 1)?;

    let info = signed_info_children(doc, signed_info)?;
    let c14n_method = child_at(&info, 0)?;
    let signature_method = child_at(&info, 1)?;
    let (reference, reference_element) = child_at(&info, 2)?;

    let reference_parts = sequence(
        doc,
        reference,
        &["Transforms", "DigestMethod", "DigestValue"],
        false,
        "Reference",
    )?;
    Ok(Parts {
        signed_info,
        signature_value,
        c14n_method,
        signature_method,
        reference: reference_element,
        transforms: child_at(&reference_parts, 0)?.0,
        digest_method: child_at(&reference_parts, 1)?,
        digest_value: child_at(&reference_parts, 2)?.0,
    })
}

/// The children of `parent`, which must be exactly the dsig elements `names` in order (see
/// [`strict_children`] and [`expect_sequence`]).
fn sequence<'d>(
    doc: &'d Document,
    parent: NodeId,
    names: &[&str],
    optional_last: bool,
    what: &str,
) -> Result<Vec<(NodeId, &'d Element)>, Error> {
    let children = strict_children(doc, parent, what)?;
    expect_sequence(&children, names, optional_last, what)
}

/// The children of SignedInfo: a second Reference is named as such before the sequence check.
fn signed_info_children(
    doc: &Document,
    signed_info: NodeId,
) -> Result<Vec<(NodeId, &Element)>, Error> {
    let info = strict_children(doc, signed_info, "SignedInfo")?;
    if info
        .iter()
        .filter(|(_, e)| e.is(DSIG_NS, "Reference"))
        .count()
        > 1
    {
        return Err(malformed(
            Part::Signature,
            "SignedInfo must contain exactly one Reference (SAML core §5.4.2)",
        ));
    }
    expect_sequence(
        &info,
        &["CanonicalizationMethod", "SignatureMethod", "Reference"],
        false,
        "SignedInfo",
    )
}

/// Step 2 for SignedInfo's canonicalization: exclusive c14n without comments; returns its
/// PrefixList.
fn canonicalization_method(
    doc: &Document,
    (method, element): (NodeId, &Element),
) -> Result<Vec<String>, Error> {
    let uri = algorithm_of(element, "CanonicalizationMethod")?;
    if uri != EXC_C14N {
        return Err(SignatureError::UnsupportedAlgorithm {
            algorithm: uri.to_owned(),
        }
        .into());
    }
    inclusive_prefixes(doc, method, "CanonicalizationMethod")
}

/// Step 2 for the signature algorithm: on the allow-list, without parameters.
fn signature_method(
    doc: &Document,
    (method, element): (NodeId, &Element),
    policy: &AlgorithmPolicy,
) -> Result<SignatureAlgorithm, Error> {
    let uri = algorithm_of(element, "SignatureMethod")?;
    if doc.has_child_elements(method) {
        // HMACOutputLength and friends: only meaningful for algorithms we refuse anyway.
        return Err(SignatureError::UnsupportedAlgorithm {
            algorithm: uri.to_owned(),
        }
        .into());
    }
    signature_algorithm(uri, policy)
}

/// Step 3: the Reference URI is `#` + the `ID` of the Signature's parent.
fn check_reference_uri(doc: &Document, reference: &Element, parent: NodeId) -> Result<(), Error> {
    let parent_id = doc
        .element(parent)
        .and_then(|e| e.attribute("ID"))
        .unwrap_or_default();
    let uri = reference.attribute("URI");
    if !is_ncname(parent_id) || uri.and_then(|u| u.strip_prefix('#')) != Some(parent_id) {
        return Err(SignatureError::ReferenceMismatch {
            expected: parent_id.to_owned(),
            found: uri.unwrap_or("(no URI)").to_owned(),
        }
        .into());
    }
    Ok(())
}

/// Step 2 for the digest algorithm: on the allow-list, without parameters.
fn digest_method(
    doc: &Document,
    (method, element): (NodeId, &Element),
    policy: &AlgorithmPolicy,
) -> Result<DigestAlgorithm, Error> {
    if doc.has_child_elements(method) {
        return Err(malformed(
            Part::Signature,
            "DigestMethod has child elements",
        ));
    }
    digest_algorithm(algorithm_of(element, "DigestMethod")?, policy)
}

/// Requires exactly [enveloped-signature, exc-c14n]; returns the exc-c14n PrefixList.
fn check_transforms(doc: &Document, transforms: NodeId) -> Result<Vec<String>, Error> {
    let list = strict_children(doc, transforms, "Transforms")?;
    let unsupported =
        |transform: String| -> Error { SignatureError::UnsupportedTransform { transform }.into() };
    let mut uris = Vec::with_capacity(list.len());
    for (_, element) in &list {
        if !element.is(DSIG_NS, "Transform") {
            return Err(malformed(
                Part::Signature,
                format!("Transforms contains {}", element.expanded_name()),
            ));
        }
        uris.push(algorithm_of(element, "Transform")?);
    }
    match (list.as_slice(), uris.as_slice()) {
        ([(enveloped, _), (exclusive, _)], [ENVELOPED_SIGNATURE, EXC_C14N]) => {
            if doc.has_child_elements(*enveloped) {
                return Err(malformed(
                    Part::Signature,
                    "the enveloped-signature transform has child elements",
                ));
            }
            inclusive_prefixes(doc, *exclusive, "Transform")
        }
        _ => {
            let listed: Vec<&str> = uris.iter().copied().take(8).collect();
            Err(unsupported(listed.join(" → ")))
        }
    }
}

/// Verifies the enveloped signature `signature` (a `ds:Signature` element) with the `trusted`
/// certificates, and returns proof naming its parent element. See the module documentation for
/// the exact order of checks.
pub fn verify_enveloped<'d>(
    doc: &'d Document,
    signature: NodeId,
    trusted: &[Certificate],
    policy: &AlgorithmPolicy,
) -> Result<Verified<'d>, Error> {
    let is_signature = doc
        .element(signature)
        .is_some_and(|e| e.is(DSIG_NS, "Signature"));
    let parent = doc
        .parent(signature)
        .filter(|_| is_signature)
        .ok_or_else(|| malformed(Part::Signature, "not a Signature element"))?;
    let plan = plan(doc, signature, parent, policy)?;

    let signed_info_bytes = c14n::canonicalize(
        doc,
        plan.signed_info,
        &Options {
            with_comments: false,
            inclusive_prefixes: &plan.signed_info_prefixes,
            exclude: None,
        },
    );
    if signed_info_bytes.first() != Some(&b'<') {
        return Err(malformed(
            Part::Signature,
            "SignedInfo canonicalized to nothing",
        ));
    }
    let certificate_index = trusted
        .iter()
        .position(|cert| {
            cert.public_key()
                .verify(
                    plan.signature_algorithm,
                    &signed_info_bytes,
                    &plan.signature_value,
                )
                .is_ok()
        })
        .ok_or(SignatureError::InvalidSignature)?;

    // Canonicalized straight into the digest: the canonical form is never held whole.
    let mut hasher = plan.digest_algorithm.hasher();
    let starts_with_element = c14n::canonicalize_into(
        doc,
        parent,
        &Options {
            with_comments: false,
            inclusive_prefixes: &plan.reference_prefixes,
            exclude: Some(signature),
        },
        &mut |bytes| hasher.update(bytes),
    );
    if !starts_with_element {
        return Err(malformed(
            Part::Signature,
            "the signed element canonicalized to nothing",
        ));
    }
    let digest = hasher.finalize();
    if !constant_time_eq(&digest, &plan.digest_value) {
        return Err(SignatureError::DigestMismatch.into());
    }
    Ok(Verified {
        doc,
        node: parent,
        signature,
        signature_algorithm: plan.signature_algorithm,
        digest_algorithm: plan.digest_algorithm,
        certificate_index,
    })
}
