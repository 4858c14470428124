//! Reading an `EncryptedAssertion` into a [`Plan`]: structure and algorithms, checked before any
//! key is used. Everything refused here depends only on what the sender wrote, never on a secret,
//! so it may have its own codes (`encrypted_assertion_malformed`,
//! `encryption_algorithm_unsupported`, `encryption_rsa_1_5_refused`).
//!
//! Accepted shape (XML Encryption 1.1 as SAML core §2.3.4 and §6 use it):
//!
//! ```text
//! saml:EncryptedAssertion
//!   xenc:EncryptedData [Type="…xmlenc#Element"]
//!     xenc:EncryptionMethod Algorithm=content algorithm      (no children)
//!     [ds:KeyInfo]   xenc:EncryptedKey*  (inline: Microsoft's shape)
//!                    ds:RetrievalMethod Type="…xmlenc#EncryptedKey" URI="#id"  (→ a sibling)
//!                    anything else: an unauthenticated hint, ignored
//!     xenc:CipherData/xenc:CipherValue
//!   xenc:EncryptedKey*  (siblings: Shibboleth's / OpenSAML's shape)
//!
//! xenc:EncryptedKey
//!   xenc:EncryptionMethod Algorithm=rsa-oaep-mgf1p | xenc11 rsa-oaep
//!     [ds:DigestMethod]  [xenc11:MGF]   (xenc11:MGF only under xenc11 rsa-oaep)
//!   [ds:KeyInfo]  (hint, ignored)   xenc:CipherData/xenc:CipherValue
//!   [xenc:ReferenceList] [xenc:CarriedKeyName]  (ignored)
//! ```
//!
//! Every EncryptedKey of the EncryptedAssertion (inline or sibling) is a candidate, at most
//! [`MAX_ENCRYPTED_KEYS`]; the configured keys are tried against each (KeyInfo hints are never
//! used to choose a key). A `RetrievalMethod` must name a sibling EncryptedKey by a same-document
//! `#id`; nothing is ever fetched.

use super::key::OaepDigest;
use super::{ContentAlgorithm, XMLENC_NS, XMLENC11_NS};
use crate::Error;
use crate::dsig::DSIG_NS;
use crate::encoding::decode_base64;
use crate::error::DecryptionError;
use crate::saml::ASSERTION_NS;
use crate::xml::{Document, Element, NodeId, NodeKind};

/// Most EncryptedKey elements one EncryptedAssertion may carry (one per recipient key; IdPs
/// that encrypt to several SP certificates during a rollover send two).
pub(super) const MAX_ENCRYPTED_KEYS: usize = 4;
/// Largest wrapped key (a 16384-bit RSA modulus is 2048 bytes).
const MAX_WRAPPED_KEY_BYTES: usize = 2048;

/// `xmlenc#Element`, the only `EncryptedData` `Type` accepted.
const TYPE_ELEMENT: &str = "http://www.w3.org/2001/04/xmlenc#Element";
/// `xmlenc#EncryptedKey`, the `RetrievalMethod` `Type` that points to an EncryptedKey.
const TYPE_ENCRYPTED_KEY: &str = "http://www.w3.org/2001/04/xmlenc#EncryptedKey";
const SHA1: &str = "http://www.w3.org/2000/09/xmldsig#sha1";
const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
const MGF1_SHA1: &str = "http://www.w3.org/2009/xmlenc11#mgf1sha1";
const MGF1_SHA256: &str = "http://www.w3.org/2009/xmlenc11#mgf1sha256";

/// One RSA-OAEP wrapped content key (an `EncryptedKey`), with an empty OAEP label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrappedKey {
    /// The OAEP hash (`DigestMethod`).
    pub digest: OaepDigest,
    /// The MGF1 hash (`xenc11:MGF`; always SHA-1 for `rsa-oaep-mgf1p`).
    pub mgf: OaepDigest,
    /// The RSA ciphertext.
    pub ciphertext: Vec<u8>,
}

/// Everything needed to decrypt, read before any key is used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Plan {
    /// The `EncryptedData` element (the plaintext takes its place).
    pub(super) encrypted_data: NodeId,
    /// The content-encryption algorithm.
    pub(super) content: ContentAlgorithm,
    /// The candidate wrapped keys, in document order.
    pub(super) keys: Vec<WrappedKey>,
    /// The content ciphertext (IV or nonce first; GCM: tag last).
    pub(super) ciphertext: Vec<u8>,
}

fn malformed(detail: impl Into<String>) -> Error {
    DecryptionError::Malformed {
        detail: detail.into(),
    }
    .into()
}

fn unsupported(algorithm: &str) -> Error {
    DecryptionError::UnsupportedAlgorithm {
        algorithm: algorithm.to_owned(),
    }
    .into()
}

/// The element children of `id`; non-whitespace text and processing instructions are refused.
fn element_children<'d>(
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
            _ => return Err(malformed(format!("unexpected content inside {what}"))),
        }
    }
    Ok(out)
}

fn algorithm<'d>(element: &'d Element, what: &str) -> Result<&'d str, Error> {
    element
        .attribute("Algorithm")
        .ok_or_else(|| malformed(format!("{what} has no Algorithm")))
}

/// The base64 content of a `CipherData` element, which must hold exactly one `CipherValue`
/// (`CipherReference` would make us fetch something: refused).
fn cipher_value(
    doc: &Document,
    cipher_data: NodeId,
    max: usize,
    what: &str,
) -> Result<Vec<u8>, Error> {
    let children = element_children(doc, cipher_data, "CipherData")?;
    let [(value, element)] = children.as_slice() else {
        return Err(malformed(format!(
            "the CipherData of {what} must hold one CipherValue"
        )));
    };
    if !element.is(XMLENC_NS, "CipherValue") {
        return Err(malformed(format!(
            "the CipherData of {what} holds {} instead of a CipherValue",
            element.expanded_name()
        )));
    }
    if doc.has_child_elements(*value) {
        return Err(malformed(format!(
            "the CipherValue of {what} contains elements"
        )));
    }
    decode_base64(&doc.text(*value), max).map_err(|_| {
        malformed(format!(
            "the CipherValue of {what} is not base64 or too long"
        ))
    })
}

/// Reads the EncryptedAssertion at `encrypted_assertion` (already known to be a direct child of
/// the Response). `max_ciphertext` bounds the decoded content.
pub(super) fn read(
    doc: &Document,
    encrypted_assertion: NodeId,
    max_ciphertext: usize,
) -> Result<Plan, Error> {
    let children = element_children(doc, encrypted_assertion, "EncryptedAssertion")?;
    let mut children = children.into_iter();
    let (encrypted_data, data_element) = children
        .next()
        .filter(|(_, e)| e.is(XMLENC_NS, "EncryptedData"))
        .ok_or_else(|| malformed("the EncryptedAssertion does not start with an EncryptedData"))?;
    let mut siblings = Vec::new();
    for (node, element) in children {
        if !element.is(XMLENC_NS, "EncryptedKey") {
            return Err(malformed(format!(
                "the EncryptedAssertion contains {}",
                element.expanded_name()
            )));
        }
        siblings.push((node, element));
    }
    if data_element
        .attribute("Type")
        .is_some_and(|t| t != TYPE_ELEMENT)
    {
        return Err(malformed(
            "the EncryptedData Type is not xmlenc#Element (an encrypted element)",
        ));
    }

    let parts = element_children(doc, encrypted_data, "EncryptedData")?;
    let (method, key_info, cipher_data) = match parts.as_slice() {
        [m, c] => (*m, None, *c),
        [m, k, c] => (*m, Some(*k), *c),
        _ => {
            return Err(malformed(
                "the EncryptedData must hold EncryptionMethod, optional KeyInfo, CipherData",
            ));
        }
    };
    if !method.1.is(XMLENC_NS, "EncryptionMethod")
        || !cipher_data.1.is(XMLENC_NS, "CipherData")
        || key_info.is_some_and(|(_, k)| !k.is(DSIG_NS, "KeyInfo"))
    {
        return Err(malformed(
            "the EncryptedData must hold EncryptionMethod, optional KeyInfo, CipherData",
        ));
    }
    let content_uri = algorithm(method.1, "the EncryptedData's EncryptionMethod")?;
    let content =
        ContentAlgorithm::from_uri(content_uri).ok_or_else(|| unsupported(content_uri))?;
    if doc.has_child_elements(method.0) {
        return Err(malformed(
            "the EncryptedData's EncryptionMethod has child elements (KeySize…)",
        ));
    }

    // Candidate EncryptedKeys: inline ones, then siblings. RetrievalMethods must resolve.
    let mut candidates: Vec<NodeId> = Vec::new();
    if let Some((key_info, _)) = key_info {
        for (node, element) in element_children(doc, key_info, "KeyInfo")? {
            if element.is(XMLENC_NS, "EncryptedKey") {
                candidates.push(node);
            } else if element.is(DSIG_NS, "RetrievalMethod") {
                check_retrieval_method(doc, node, element, &siblings)?;
            }
        }
    }
    candidates.extend(siblings.iter().map(|(node, _)| *node));
    if candidates.is_empty() {
        return Err(malformed(
            "no EncryptedKey (inline in KeyInfo or beside the EncryptedData)",
        ));
    }
    if candidates.len() > MAX_ENCRYPTED_KEYS {
        return Err(malformed(format!(
            "more than {MAX_ENCRYPTED_KEYS} EncryptedKey elements"
        )));
    }
    let keys = candidates
        .into_iter()
        .map(|node| read_encrypted_key(doc, node))
        .collect::<Result<Vec<_>, _>>()?;

    let ciphertext = cipher_value(doc, cipher_data.0, max_ciphertext, "the EncryptedData")?;
    content.check_length(ciphertext.len())?;
    Ok(Plan {
        encrypted_data,
        content,
        keys,
        ciphertext,
    })
}

/// A `RetrievalMethod` must be `Type="…#EncryptedKey" URI="#id"` naming a sibling EncryptedKey.
fn check_retrieval_method(
    doc: &Document,
    node: NodeId,
    element: &Element,
    siblings: &[(NodeId, &Element)],
) -> Result<(), Error> {
    if element.attribute("Type") != Some(TYPE_ENCRYPTED_KEY) || doc.has_child_elements(node) {
        return Err(malformed(
            "a RetrievalMethod must be Type=\"…xmlenc#EncryptedKey\" without Transforms",
        ));
    }
    let id = element
        .attribute("URI")
        .and_then(|uri| uri.strip_prefix('#'))
        .ok_or_else(|| malformed("a RetrievalMethod URI must be a same-document #id"))?;
    let found = siblings
        .iter()
        .filter(|(_, e)| e.attribute("Id") == Some(id) || e.attribute("ID") == Some(id))
        .count();
    if found != 1 {
        return Err(malformed(
            "a RetrievalMethod does not name an EncryptedKey beside the EncryptedData",
        ));
    }
    Ok(())
}

/// Reads one EncryptedKey: its key-transport algorithm and the wrapped key.
fn read_encrypted_key(doc: &Document, node: NodeId) -> Result<WrappedKey, Error> {
    let children = element_children(doc, node, "EncryptedKey")?;
    let mut method = None;
    let mut cipher_data = None;
    for (child, element) in &children {
        if element.is(XMLENC_NS, "EncryptionMethod") && method.is_none() && cipher_data.is_none() {
            method = Some((*child, *element));
        } else if element.is(XMLENC_NS, "CipherData") && method.is_some() && cipher_data.is_none() {
            cipher_data = Some(*child);
        } else if element.is(DSIG_NS, "KeyInfo") && method.is_some() && cipher_data.is_none() {
            // A hint about the recipient key; never used.
        } else if (element.is(XMLENC_NS, "ReferenceList")
            || element.is(XMLENC_NS, "CarriedKeyName"))
            && cipher_data.is_some()
        {
        } else {
            return Err(malformed(format!(
                "the EncryptedKey contains {} out of place",
                element.expanded_name()
            )));
        }
    }
    let (Some((method, method_element)), Some(cipher_data)) = (method, cipher_data) else {
        return Err(malformed(
            "an EncryptedKey needs EncryptionMethod and CipherData",
        ));
    };
    let uri = algorithm(method_element, "the EncryptedKey's EncryptionMethod")?;
    let mgf1p = uri == concat!("http://www.w3.org/2001/04/xmlenc#", "rsa-oaep-mgf1p");
    let oaep11 = uri == concat!("http://www.w3.org/2009/xmlenc11#", "rsa-oaep");
    if uri == concat!("http://www.w3.org/2001/04/xmlenc#", "rsa-1_5") {
        return Err(DecryptionError::Rsa15Refused.into());
    }
    if !mgf1p && !oaep11 {
        return Err(unsupported(uri));
    }
    let mut digest = None;
    let mut mgf = None;
    for (child, element) in element_children(doc, method, "EncryptionMethod")? {
        let slot = if element.is(DSIG_NS, "DigestMethod") {
            &mut digest
        } else if element.is(XMLENC11_NS, "MGF") && oaep11 {
            &mut mgf
        } else if element.is(XMLENC_NS, "OAEPparams") {
            return Err(malformed("OAEPparams (an OAEP label) is not supported"));
        } else {
            return Err(malformed(format!(
                "the key transport EncryptionMethod contains {}",
                element.expanded_name()
            )));
        };
        if slot.is_some() || doc.has_child_elements(child) {
            return Err(malformed("a repeated or non-empty DigestMethod or MGF"));
        }
        *slot = Some(algorithm(element, "DigestMethod or MGF")?);
    }
    let digest = match digest.unwrap_or(SHA1) {
        SHA1 => OaepDigest::Sha1,
        SHA256 => OaepDigest::Sha256,
        other => return Err(unsupported(other)),
    };
    let mgf = match mgf.unwrap_or(MGF1_SHA1) {
        MGF1_SHA1 => OaepDigest::Sha1,
        MGF1_SHA256 => OaepDigest::Sha256,
        other => return Err(unsupported(other)),
    };
    let ciphertext = cipher_value(doc, cipher_data, MAX_WRAPPED_KEY_BYTES, "an EncryptedKey")?;
    Ok(WrappedKey {
        digest,
        mgf,
        ciphertext,
    })
}

/// Whether `node` is a `saml:EncryptedAssertion` (for callers that found it).
pub(super) fn is_encrypted_assertion(doc: &Document, node: NodeId) -> bool {
    doc.element(node)
        .is_some_and(|e| e.is(ASSERTION_NS, "EncryptedAssertion"))
}
