//! XML Encryption for SAML: `EncryptedAssertion` → key unwrap (RSA-OAEP) → content decryption
//! (AES-GCM, AES-CBC, 3DES-CBC) → a fresh strict parse of the plaintext, which must be exactly
//! one `saml:Assertion`. The caller (`sp`) then verifies it like any assertion.
//!
//! # Policy (SECURITY.md, "Encrypted assertions")
//!
//! * **Algorithms by exact URI**: content `xmlenc#aes128-cbc`, `xmlenc#aes256-cbc`,
//!   `xmlenc#tripledes-cbc` (decryption only), `xmlenc11#aes128-gcm`, `xmlenc11#aes256-gcm`;
//!   key transport `xmlenc#rsa-oaep-mgf1p` (MGF1-SHA-1, `DigestMethod` SHA-1 or SHA-256) and
//!   `xmlenc11#rsa-oaep` (`DigestMethod` and `MGF` SHA-1 or SHA-256, both SHA-1 when absent).
//!   `xmlenc#rsa-1_5` has its own refusal (`encryption_rsa_1_5_refused`); anything else is
//!   `encryption_algorithm_unsupported`. Key wrapping with symmetric keys (`kw-aes*`),
//!   `CipherReference`, OAEP labels and `EncryptedData Type="…#Content"` are refused.
//! * **Keys**: every configured [`DecryptionKey`] is tried, in order, against every
//!   EncryptedKey; KeyInfo hints are ignored. The first unwrap that yields a key of the content
//!   algorithm's length wins. When none does, decryption goes on with a secret substitute key
//!   (implicit rejection), so "no key fits" and "wrong content" take the same path.
//! * **One code** after the first key operation: wrong key, GCM tag, CBC padding byte, invalid
//!   UTF-8, anything the strict parser refuses (DOCTYPE, limits…), or a plaintext that is not
//!   exactly one `saml:Assertion` are all [`DecryptionError::Failed`]. CBC padding is removed by
//!   its last byte only (ISO 10126, as .NET writes it); a last byte outside 1..=block size is a
//!   failure reported only after the plaintext went through the parser like any other.
//! * **Namespace context**: the plaintext replaces the `EncryptedData`, so it is parsed inside
//!   a wrapper element that declares the namespaces in scope at the `EncryptedAssertion` (as
//!   xmlsec and Apache Santuario do); the wrapper must contain exactly the Assertion.

pub mod key;
mod syntax;

use aes::cipher::{Block, BlockCipherDecrypt, KeyInit};

pub use key::{DecryptionKey, OaepDigest};
pub use syntax::WrappedKey;

use crate::error::DecryptionError;
use crate::saml::ASSERTION_NS;
use crate::xml::writer::escape_attribute;
use crate::xml::{Document, NodeId, NodeKind};
use crate::{Error, Limits};

/// The XML Encryption 1.0 namespace (`xenc`).
pub const XMLENC_NS: &str = "http://www.w3.org/2001/04/xmlenc#";
/// The XML Encryption 1.1 namespace (`xenc11`).
pub const XMLENC11_NS: &str = "http://www.w3.org/2009/xmlenc11#";

/// The local name of the element that wraps the plaintext for parsing.
const WRAPPER: &str = "saml-edge-decrypted";

/// A content-encryption algorithm of `EncryptedData`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentAlgorithm {
    /// `http://www.w3.org/2001/04/xmlenc#aes128-cbc`
    Aes128Cbc,
    /// `http://www.w3.org/2001/04/xmlenc#aes256-cbc` (Microsoft's default)
    Aes256Cbc,
    /// `http://www.w3.org/2001/04/xmlenc#tripledes-cbc` (decryption only; pysaml2's default)
    TripleDesCbc,
    /// `http://www.w3.org/2009/xmlenc11#aes128-gcm`
    Aes128Gcm,
    /// `http://www.w3.org/2009/xmlenc11#aes256-gcm`
    Aes256Gcm,
}

/// GCM nonce and tag lengths (XML Encryption 1.1 §5.2.4: 96-bit IV first, 128-bit tag last).
const GCM_NONCE: usize = 12;
const GCM_TAG: usize = 16;

impl ContentAlgorithm {
    const ALL: [ContentAlgorithm; 5] = [
        ContentAlgorithm::Aes128Cbc,
        ContentAlgorithm::Aes256Cbc,
        ContentAlgorithm::TripleDesCbc,
        ContentAlgorithm::Aes128Gcm,
        ContentAlgorithm::Aes256Gcm,
    ];

    /// The algorithm named by an `EncryptionMethod` URI (exact match), or `None`.
    pub fn from_uri(uri: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|alg| alg.uri() == uri)
    }

    /// The algorithm's URI.
    pub fn uri(self) -> &'static str {
        match self {
            ContentAlgorithm::Aes128Cbc => "http://www.w3.org/2001/04/xmlenc#aes128-cbc",
            ContentAlgorithm::Aes256Cbc => "http://www.w3.org/2001/04/xmlenc#aes256-cbc",
            ContentAlgorithm::TripleDesCbc => "http://www.w3.org/2001/04/xmlenc#tripledes-cbc",
            ContentAlgorithm::Aes128Gcm => "http://www.w3.org/2009/xmlenc11#aes128-gcm",
            ContentAlgorithm::Aes256Gcm => "http://www.w3.org/2009/xmlenc11#aes256-gcm",
        }
    }

    /// The content key length in bytes.
    pub fn key_len(self) -> usize {
        match self {
            ContentAlgorithm::Aes128Cbc | ContentAlgorithm::Aes128Gcm => 16,
            ContentAlgorithm::Aes256Cbc | ContentAlgorithm::Aes256Gcm => 32,
            ContentAlgorithm::TripleDesCbc => 24,
        }
    }

    /// Whether this is a CBC mode (malleable: see `decrypt_only_signed_responses`).
    pub fn is_cbc(self) -> bool {
        !matches!(
            self,
            ContentAlgorithm::Aes128Gcm | ContentAlgorithm::Aes256Gcm
        )
    }

    fn block_len(self) -> usize {
        if self == ContentAlgorithm::TripleDesCbc {
            8
        } else {
            16
        }
    }

    /// Length rules visible without a key: CBC = IV + at least one whole block; GCM = nonce + tag.
    fn check_length(self, len: usize) -> Result<(), Error> {
        let ok = if self.is_cbc() {
            let block = self.block_len();
            len >= 2 * block && len.is_multiple_of(block)
        } else {
            len >= GCM_NONCE + GCM_TAG
        };
        if ok {
            Ok(())
        } else {
            Err(DecryptionError::Malformed {
                detail: format!("the CipherValue has an impossible length ({len} bytes)"),
            }
            .into())
        }
    }
}

/// A decrypted assertion: its own parsed document, and where it came from (it borrows the
/// Response's document, so that a proof about the Response can be checked against it). Only this
/// module constructs it.
#[derive(Debug)]
pub struct Decrypted<'o> {
    response_document: &'o Document,
    document: Document,
    assertion: NodeId,
    encrypted_assertion: NodeId,
    content_algorithm: ContentAlgorithm,
}

impl<'o> Decrypted<'o> {
    /// The Response's document, which holds the `EncryptedAssertion`.
    pub fn response_document(&self) -> &'o Document {
        self.response_document
    }

    /// The parsed plaintext (the Assertion inside a wrapper element that carries the namespace
    /// context of the `EncryptedAssertion`).
    pub fn document(&self) -> &Document {
        &self.document
    }

    /// The `saml:Assertion` in [`Decrypted::document`].
    pub fn assertion(&self) -> NodeId {
        self.assertion
    }

    /// The `saml:EncryptedAssertion` it was decrypted from, in the Response document.
    pub fn encrypted_assertion(&self) -> NodeId {
        self.encrypted_assertion
    }

    /// The content-encryption algorithm that was used.
    pub fn content_algorithm(&self) -> ContentAlgorithm {
        self.content_algorithm
    }
}

/// Where the content key comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentKey<'a> {
    /// Unwrapped here with the configured keys (RSA-OAEP in Rust).
    Unwrap,
    /// Unwrapped by the caller from [`unwrap_request`]'s wrapped keys (e.g. with WebCrypto);
    /// `None` when none of the caller's keys opened any of them. A missing key, or one of the
    /// wrong length, takes the same path as a wrong one (implicit rejection).
    Supplied(Option<&'a [u8]>),
}

/// What a caller who unwraps the content key itself needs: the content algorithm and every
/// candidate EncryptedKey, read (and checked, with the same codes as [`decrypt_assertion`])
/// before any key is used.
pub fn unwrap_request(
    doc: &Document,
    encrypted_assertion: NodeId,
    limits: &Limits,
) -> Result<(ContentAlgorithm, Vec<WrappedKey>), Error> {
    let plan = syntax::read(doc, encrypted_assertion, limits.max_xml_bytes)?;
    Ok((plan.content, plan.keys))
}

/// Decrypts the `saml:EncryptedAssertion` at `encrypted_assertion` of `doc` with the first of
/// `keys` that opens it, and parses the plaintext with `limits`. See the module documentation for
/// the algorithms and the error codes.
pub fn decrypt_assertion<'o>(
    doc: &'o Document,
    encrypted_assertion: NodeId,
    keys: &[DecryptionKey],
    limits: &Limits,
) -> Result<Decrypted<'o>, Error> {
    decrypt_assertion_with(doc, encrypted_assertion, keys, limits, ContentKey::Unwrap)
}

/// [`decrypt_assertion`] with the content key from `content_key`. `keys` must not be empty
/// (the substitute key of implicit rejection is derived from the first).
pub fn decrypt_assertion_with<'o>(
    doc: &'o Document,
    encrypted_assertion: NodeId,
    keys: &[DecryptionKey],
    limits: &Limits,
    content_key: ContentKey<'_>,
) -> Result<Decrypted<'o>, Error> {
    if !syntax::is_encrypted_assertion(doc, encrypted_assertion) {
        return Err(DecryptionError::Malformed {
            detail: "not an EncryptedAssertion".to_owned(),
        }
        .into());
    }
    let plan = syntax::read(doc, encrypted_assertion, limits.max_xml_bytes)?;
    let Some(first_key) = keys.first() else {
        return Err(crate::error::SamlError::EncryptedAssertionUnsupported.into());
    };
    let found = match content_key {
        ContentKey::Unwrap => unwrap_content_key(&plan, keys),
        ContentKey::Supplied(key) => key
            .filter(|k| k.len() == plan.content.key_len())
            .map(<[u8]>::to_vec),
    };
    let content_key = found.unwrap_or_else(|| {
        let wrapped = plan.keys.first().map_or(&[][..], |k| &k.ciphertext[..]);
        first_key.substitute_key(wrapped, plan.content.key_len())
    });
    let (plaintext, padding_ok) = decrypt_content(plan.content, &content_key, &plan.ciphertext)
        .ok_or(DecryptionError::Failed)?;
    let parsed = parse_plaintext(doc, encrypted_assertion, &plaintext, limits);
    match parsed {
        Some((document, assertion)) if padding_ok => Ok(Decrypted {
            response_document: doc,
            document,
            assertion,
            encrypted_assertion,
            content_algorithm: plan.content,
        }),
        _ => Err(DecryptionError::Failed.into()),
    }
}

/// Tries every key on every EncryptedKey (all of them, whatever succeeds first) and returns the
/// first unwrapped key of the right length.
fn unwrap_content_key(plan: &syntax::Plan, keys: &[DecryptionKey]) -> Option<Vec<u8>> {
    let mut found = None;
    for key in keys {
        for wrapped in &plan.keys {
            let unwrapped = key
                .unwrap(wrapped.digest, wrapped.mgf, &wrapped.ciphertext)
                .filter(|k| k.len() == plan.content.key_len());
            if found.is_none() {
                found = unwrapped;
            }
        }
    }
    found
}

/// Decrypts the content. GCM: `None` when the tag does not verify. CBC: the plaintext without
/// its padding and whether the padding byte was possible (never `None`).
fn decrypt_content(
    algorithm: ContentAlgorithm,
    key: &[u8],
    data: &[u8],
) -> Option<(Vec<u8>, bool)> {
    match algorithm {
        ContentAlgorithm::Aes128Cbc => cbc_decrypt::<aes::Aes128>(key, data),
        ContentAlgorithm::Aes256Cbc => cbc_decrypt::<aes::Aes256>(key, data),
        ContentAlgorithm::TripleDesCbc => cbc_decrypt::<des::TdesEde3>(key, data),
        ContentAlgorithm::Aes128Gcm => gcm_decrypt::<aes_gcm::Aes128Gcm>(key, data),
        ContentAlgorithm::Aes256Gcm => gcm_decrypt::<aes_gcm::Aes256Gcm>(key, data),
    }
}

/// CBC decryption without padding checks, then removal of the padding by its last byte only
/// (XML Encryption §5.2: the other padding bytes are arbitrary).
fn cbc_decrypt<C: BlockCipherDecrypt + KeyInit>(
    key: &[u8],
    data: &[u8],
) -> Option<(Vec<u8>, bool)> {
    let cipher = C::new_from_slice(key).ok()?;
    let block = C::block_size();
    let (iv, ciphertext) = data.split_at_checked(block)?;
    let mut previous: &[u8] = iv;
    let mut out = Vec::with_capacity(ciphertext.len());
    for chunk in ciphertext.chunks(block) {
        let mut decrypted = Block::<C>::try_from(chunk).ok()?;
        cipher.decrypt_block(&mut decrypted);
        out.extend(decrypted.iter().zip(previous).map(|(d, p)| d ^ p));
        previous = chunk;
    }
    let pad = usize::from(out.last().copied().unwrap_or(0));
    let padding_ok = (1..=block).contains(&pad) && pad <= out.len();
    out.truncate(out.len().saturating_sub(if padding_ok { pad } else { 0 }));
    Some((out, padding_ok))
}

/// AES-GCM: nonce ‖ ciphertext ‖ tag, no associated data.
fn gcm_decrypt<A: aes_gcm::AeadInOut + KeyInit>(
    key: &[u8],
    data: &[u8],
) -> Option<(Vec<u8>, bool)> {
    let cipher = A::new_from_slice(key).ok()?;
    let (nonce, rest) = data.split_at_checked(GCM_NONCE)?;
    let (ciphertext, tag) = rest.split_at_checked(rest.len().checked_sub(GCM_TAG)?)?;
    let nonce = aes_gcm::aead::Nonce::<A>::try_from(nonce).ok()?;
    let tag = aes_gcm::aead::Tag::<A>::try_from(tag).ok()?;
    let mut buffer = ciphertext.to_vec();
    cipher
        .decrypt_inout_detached(&nonce, &[], buffer.as_mut_slice().into(), &tag)
        .ok()?;
    Some((buffer, true))
}

/// The namespace declarations in scope at `node`, nearest first, one per prefix, as attribute
/// text for the wrapper element (the default namespace only when bound).
fn namespace_context(doc: &Document, node: NodeId) -> String {
    let mut seen: Vec<Option<&str>> = Vec::new();
    let mut out = String::new();
    let mut current = Some(node);
    while let Some(n) = current {
        if let Some(element) = doc.element(n) {
            for decl in element.namespace_decls() {
                let prefix = decl.prefix.as_deref();
                if seen.contains(&prefix) {
                    continue;
                }
                seen.push(prefix);
                if decl.uri.is_empty() {
                    continue;
                }
                match prefix {
                    Some(p) => out.push_str(&format!(" xmlns:{p}=\"")),
                    None => out.push_str(" xmlns=\""),
                }
                out.push_str(&escape_attribute(&decl.uri));
                out.push('"');
            }
        }
        current = doc.parent(n);
    }
    out
}

/// Parses the plaintext inside the wrapper; `Some` only for exactly one `saml:Assertion` child
/// (comments and white space around it allowed).
fn parse_plaintext(
    doc: &Document,
    encrypted_assertion: NodeId,
    plaintext: &[u8],
    limits: &Limits,
) -> Option<(Document, NodeId)> {
    let text = core::str::from_utf8(plaintext).ok()?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // An XML declaration before the element (some serializers write one) is dropped.
    let text = match text.strip_prefix("<?xml") {
        Some(rest) if rest.starts_with([' ', '\t', '\r', '\n']) => rest.split_once("?>")?.1,
        _ => text,
    };
    let wrapped = format!(
        "<{WRAPPER}{}>{text}</{WRAPPER}>",
        namespace_context(doc, encrypted_assertion)
    );
    let inner = Document::parse(wrapped.as_bytes(), limits).ok()?;
    let mut assertion = None;
    for &child in inner.children(inner.root()) {
        match inner.kind(child) {
            NodeKind::Element(e) if e.is(ASSERTION_NS, "Assertion") && assertion.is_none() => {
                assertion = Some(child);
            }
            NodeKind::Text(t) if t.chars().all(|c| matches!(c, ' ' | '\t' | '\r' | '\n')) => {}
            NodeKind::Comment(_) => {}
            _ => return None,
        }
    }
    let assertion = assertion?;
    Some((inner, assertion))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes::cipher::BlockCipherEncrypt;

    /// Test-only CBC encryption of whole blocks (the padding is the caller's).
    fn cbc_encrypt(key: &[u8], iv: &[u8], padded: &[u8]) -> Vec<u8> {
        let cipher = aes::Aes128::new_from_slice(key).unwrap();
        let mut out = iv.to_vec();
        let mut previous = iv.to_vec();
        for chunk in padded.chunks(16) {
            let mut block = Block::<aes::Aes128>::try_from(chunk).unwrap();
            block.iter_mut().zip(&previous).for_each(|(b, p)| *b ^= p);
            cipher.encrypt_block(&mut block);
            previous = block.to_vec();
            out.extend_from_slice(&block);
        }
        out
    }

    #[test]
    fn cbc_padding_is_removed_by_its_last_byte_only() {
        let key = [7u8; 16];
        let iv = [9u8; 16];
        // ISO 10126: arbitrary padding bytes, the last one is the length.
        let mut padded = b"<a/>".to_vec();
        padded.extend_from_slice(&[0xAB; 11]);
        padded.push(12);
        let data = cbc_encrypt(&key, &iv, &padded);
        let (plain, ok) = decrypt_content(ContentAlgorithm::Aes128Cbc, &key, &data).unwrap();
        assert_eq!((plain.as_slice(), ok), (&b"<a/>"[..], true));
        // A whole block of padding (16) is fine; 0 and 17 are not, and still give a plaintext.
        for (last, expected) in [(16u8, true), (0, false), (17, false), (255, false)] {
            let mut padded = vec![b'x'; 16];
            padded.extend_from_slice(&[0u8; 15]);
            padded.push(last);
            let data = cbc_encrypt(&key, &iv, &padded);
            let (plain, ok) = decrypt_content(ContentAlgorithm::Aes128Cbc, &key, &data).unwrap();
            assert_eq!(ok, expected, "{last}");
            assert_eq!(plain.len(), if expected { 32 - 16 } else { 32 });
        }
    }

    #[test]
    fn gcm_refuses_a_modified_tag_and_impossible_lengths_are_malformed() {
        let key = [1u8; 16];
        assert!(decrypt_content(ContentAlgorithm::Aes128Gcm, &key, &[0u8; 40]).is_none());
        for (alg, len) in [
            (ContentAlgorithm::Aes256Cbc, 16),
            (ContentAlgorithm::Aes256Cbc, 33),
            (ContentAlgorithm::TripleDesCbc, 12),
            (ContentAlgorithm::Aes256Gcm, 27),
        ] {
            assert_eq!(
                alg.check_length(len).err().map(|e| e.code()),
                Some("encrypted_assertion_malformed"),
                "{alg:?} {len}"
            );
        }
        assert!(ContentAlgorithm::TripleDesCbc.check_length(16).is_ok());
        assert!(ContentAlgorithm::Aes128Gcm.check_length(28).is_ok());
    }

    #[test]
    fn algorithm_uris_are_exact() {
        for alg in ContentAlgorithm::ALL {
            assert_eq!(ContentAlgorithm::from_uri(alg.uri()), Some(alg));
        }
        for uri in [
            "http://www.w3.org/2001/04/xmlenc#aes192-cbc",
            "http://www.w3.org/2009/xmlenc11#aes192-gcm",
            "http://www.w3.org/2001/04/xmlenc#aes256-gcm",
            "http://www.w3.org/2009/xmlenc11#aes256-cbc",
            "http://www.w3.org/2001/04/xmlenc#AES256-CBC",
            " http://www.w3.org/2001/04/xmlenc#aes256-cbc",
            "",
        ] {
            assert_eq!(ContentAlgorithm::from_uri(uri), None, "{uri}");
        }
    }

    #[test]
    fn the_plaintext_gets_the_namespace_context_and_must_be_one_assertion() {
        let outer = Document::parse(
            b"<p:R xmlns:p=\"urn:p\" xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\">\
              <saml:EncryptedAssertion xmlns=\"urn:d\"/></p:R>",
            &Limits::default(),
        )
        .unwrap();
        let ea = outer.child_elements(outer.root()).next().unwrap().0;
        let context = namespace_context(&outer, ea);
        assert!(context.contains(" xmlns=\"urn:d\"") && context.contains(" xmlns:p=\"urn:p\""));
        let parse = |text: &[u8]| parse_plaintext(&outer, ea, text, &Limits::default());
        assert!(parse(b"<saml:Assertion ID=\"a\"/>").is_some());
        assert!(parse(b"<?xml version=\"1.0\"?>\n<saml:Assertion ID=\"a\"/> <!-- c -->").is_some());
        for bad in [
            &b"<saml:Assertion ID=\"a\"/><saml:Assertion ID=\"b\"/>"[..],
            b"<saml:Assertion ID=\"a\"/>text",
            b"<x:Assertion ID=\"a\"/>",
            b"<Assertion ID=\"a\"/>",
            b"<!DOCTYPE x><saml:Assertion/>",
            b"</saml-edge-decrypted><saml-edge-decrypted><saml:Assertion/>",
            b"\xff",
            b"",
        ] {
            assert!(parse(bad).is_none(), "{}", String::from_utf8_lossy(bad));
        }
    }
}
