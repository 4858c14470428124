//! Security checks at their exact edges, on an xmlsec1-signed Entra-shaped response
//! (`tests/data/generated`, signed by `tests/gen/generate.py`) edited only where its signature
//! does not reach: the unsigned Response's attributes, and the `ds:Signature` element outside
//! `SignedInfo` (the enveloped transform removes the whole Signature from the digest). Each test
//! asserts the exact error code, and its accepted twin shows the edit alone breaks nothing.
//! These are the checks a mutation run found untested (issue #20).

use std::path::PathBuf;
use std::time::Duration;

use saml_edge::{Certificate, Expect, Identity, IdentityProvider, ServiceProvider, UnixTime};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/generated");
const IDP: &str = "https://sts.windows.net/6b1f4c2e-93d7-4a58-b0e1-7c2d9f3a8e51/";
const REQUEST_ID: &str = "_7f3c9a2e4b1d4e6fa0c1b2d3e4f50617";
/// The Assertion's IssueInstant in the base response.
const ISSUED: &str = "2026-01-15T10:00:00.512Z";
const SKEW_SECS: u64 = 180;

fn base() -> String {
    let path = PathBuf::from(DATA).join("entra2021_assertion_signed_compact.xml");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (tests/gen/generate.py writes it)", path.display()))
}

fn sp() -> ServiceProvider {
    let pem =
        std::fs::read(PathBuf::from(DATA).join("idp.crt")).expect("tests/data/generated/idp.crt");
    let mut idp = IdentityProvider::new(IDP, "");
    for certificate in Certificate::parse_all(&pem).expect("the test IdP certificate") {
        idp = idp.certificate(certificate);
    }
    ServiceProvider::builder()
        .entity_id("https://app.example.com/saml/metadata")
        .acs_url("https://app.example.com/saml/acs")
        .idp(idp)
        .clock_skew(Duration::from_secs(SKEW_SECS))
        .build()
        .expect("the test SP")
}

fn at(text: &str) -> UnixTime {
    UnixTime::parse_rfc3339_utc(text).expect("RFC 3339")
}

fn verify(xml: &str, now: UnixTime) -> Result<Identity, saml_edge::Error> {
    sp().verify_xml(
        xml.as_bytes(),
        &Expect {
            request_id: Some(REQUEST_ID),
            now,
        },
    )
}

fn code(result: Result<Identity, saml_edge::Error>) -> &'static str {
    match result {
        Ok(identity) => panic!("accepted as {}", identity.name_id),
        Err(error) => error.code(),
    }
}

/// `xml` with the first `from` replaced by `to`, which must be there.
fn edit(xml: &str, from: &str, to: &str) -> String {
    assert!(xml.contains(from), "the base response has no {from:?}");
    xml.replacen(from, to, 1)
}

/// The unsigned Response's IssueInstant moved ten minutes earlier, so that only the Assertion's
/// (signed) IssueInstant is near the edge.
fn earlier_response_issue_instant(xml: &str) -> String {
    let response_attr = format!("Version=\"2.0\" IssueInstant=\"{ISSUED}\" Destination=");
    edit(
        xml,
        &response_attr,
        "Version=\"2.0\" IssueInstant=\"2026-01-15T09:50:00.512Z\" Destination=",
    )
}

#[test]
fn an_assertion_issued_beyond_the_skew_is_not_yet_valid_and_one_issued_at_the_edge_is_accepted() {
    let xml = earlier_response_issue_instant(&base());
    let issued = at(ISSUED);
    // The clock exactly `skew` behind the IssueInstant: still acceptable.
    let edge = issued.minus_secs(SKEW_SECS as i64);
    let identity = verify(&xml, edge).expect("IssueInstant = now + skew is accepted");
    assert_eq!(identity.name_id, "B.Simon@contoso.com");
    // One millisecond earlier, the Assertion's IssueInstant alone lies beyond the skew.
    let before = UnixTime::from_millis(edge.as_millis() - 1);
    assert_eq!(code(verify(&xml, before)), "assertion_not_yet_valid");
}

#[test]
fn a_comment_inside_the_signature_is_fine_and_text_or_a_processing_instruction_is_refused() {
    let xml = base();
    let now = at("2026-01-15T10:01:00Z");
    let between = "</SignedInfo><SignatureValue>";
    let commented = edit(
        &xml,
        between,
        "</SignedInfo><!-- a comment --><SignatureValue>",
    );
    assert_eq!(
        verify(&commented, now)
            .expect("comments are legal XML")
            .name_id,
        "B.Simon@contoso.com"
    );
    let spaced = edit(&xml, between, "</SignedInfo>\n  \t<SignatureValue>");
    assert!(
        verify(&spaced, now).is_ok(),
        "white space between the Signature's elements is fine"
    );
    for content in ["smuggled text", "<?pi data?>"] {
        let edited = edit(
            &xml,
            between,
            &format!("</SignedInfo>{content}<SignatureValue>"),
        );
        assert_eq!(
            code(verify(&edited, now)),
            "signature_malformed",
            "{content}"
        );
    }
}

#[test]
fn an_oversized_signature_value_is_refused_as_too_long() {
    let xml = base();
    let start = xml.find("<SignatureValue>").expect("SignatureValue") + "<SignatureValue>".len();
    let end = xml.find("</SignatureValue>").expect("</SignatureValue>");
    let huge = format!("{}{}{}", &xml[..start], "QUFB".repeat(4096), &xml[end..]);
    let error = verify(&huge, at("2026-01-15T10:01:00Z")).expect_err("a 12 KB SignatureValue");
    assert_eq!(error.code(), "signature_malformed");
    // The admin learns why (the value is valid base64, just longer than any RSA signature).
    assert!(error.to_string().contains("too long"), "{error}");
}

#[test]
fn identity_attribute_returns_a_claim_by_name() {
    let identity = verify(&base(), at("2026-01-15T10:01:00Z")).expect("the base response");
    let email = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress";
    assert_eq!(
        identity.attribute(email),
        Some(&["B.Simon@contoso.com".to_owned()][..])
    );
    assert_eq!(
        identity.attribute("http://schemas.microsoft.com/identity/claims/displayname"),
        Some(&["B. Simon".to_owned()][..])
    );
    assert_eq!(identity.attribute("no such claim"), None);
}

#[test]
fn a_second_reference_is_refused_by_name() {
    let xml = base();
    let start = xml.find("<Reference ").expect("Reference");
    let end = xml.find("</Reference>").expect("</Reference>") + "</Reference>".len();
    let reference = &xml[start..end];
    let twice = format!("{}{reference}{reference}{}", &xml[..start], &xml[end..]);
    let error = verify(&twice, at("2026-01-15T10:01:00Z")).expect_err("two References");
    assert_eq!(error.code(), "signature_malformed");
    // The admin is told what is wrong (SAML core §5.4.2), not only that the shape is off.
    assert!(
        error.to_string().contains("exactly one Reference"),
        "{error}"
    );
}

#[test]
fn only_inclusive_namespaces_may_sit_below_the_exclusive_c14n_transform() {
    let xml = base();
    let transform = "<Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>";
    let now = at("2026-01-15T10:01:00Z");
    // Any other element there is a malformed signature, whatever its attributes say.
    let other = edit(
        &xml,
        transform,
        "<Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"><Other xmlns=\"urn:x\" PrefixList=\"saml\"/></Transform>",
    );
    assert_eq!(code(verify(&other, now)), "signature_malformed");
    // InclusiveNamespaces itself is read (its prefixes change the canonical form), so adding one
    // after signing is a broken signature, not a shape error.
    let inclusive = edit(
        &xml,
        transform,
        "<Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"><ec:InclusiveNamespaces xmlns:ec=\"http://www.w3.org/2001/10/xml-exc-c14n#\" PrefixList=\"xs\"/></Transform>",
    );
    assert_ne!(code(verify(&inclusive, now)), "signature_malformed");
}

/// The proof names which trusted certificate verified (an admin rolling Entra's signing
/// certificate over configures both and can see which one signs), and says so when debugged.
#[test]
fn the_proof_names_the_trusted_certificate_that_verified() {
    use saml_edge::danger::AlgorithmPolicy;
    use saml_edge::internal::dsig::verify_enveloped;

    let read = |name: &str| {
        let pem = std::fs::read(PathBuf::from(DATA).join(name)).expect(name);
        Certificate::parse_all(&pem).expect(name).remove(0)
    };
    let (idp, stranger) = (read("idp.crt"), read("attacker.crt"));
    let xml = base();
    let doc = saml_edge::xml::Document::parse(xml.as_bytes(), &saml_edge::Limits::DEFAULT)
        .expect("parses");
    let signature = doc
        .descendants(doc.root())
        .find(|id| {
            doc.element(*id)
                .is_some_and(|e| e.is("http://www.w3.org/2000/09/xmldsig#", "Signature"))
        })
        .expect("the assertion's signature");
    let policy = AlgorithmPolicy::default();
    for (trusted, index) in [
        (vec![idp.clone()], 0),
        (vec![stranger.clone(), idp.clone()], 1),
        (vec![stranger.clone(), stranger.clone(), idp.clone()], 2),
    ] {
        let verified = verify_enveloped(&doc, signature, &trusted, &policy).expect("verifies");
        assert_eq!(verified.certificate_index(), index);
        let debug = format!("{verified:?}");
        assert!(
            debug.starts_with("Verified {")
                && debug.contains(&format!("certificate_index: {index}")),
            "{debug}"
        );
    }
    assert_eq!(
        verify_enveloped(&doc, signature, &[stranger], &policy)
            .err()
            .map(|e| e.code()),
        Some("signature_invalid")
    );
}

/// A decrypted assertion is signed only by proofs of its own documents: the decrypted one (its
/// own signature) or the Response that holds the EncryptedAssertion. Proofs of a twin document
/// (the same response parsed again: the same shape, the same node numbers) prove nothing here.
#[test]
fn a_decrypted_assertion_takes_only_proofs_of_its_own_documents() {
    use saml_edge::Limits;
    use saml_edge::danger::AlgorithmPolicy;
    use saml_edge::internal::assertion::SignedAssertion;
    use saml_edge::internal::dsig::{Verified, verify_enveloped};
    use saml_edge::internal::xmlenc::{Decrypted, DecryptionKey, decrypt_assertion};
    use saml_edge::xml::{Document, NodeId};

    const DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
    const SAML: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
    fn find(doc: &Document, under: NodeId, ns: &str, name: &str) -> NodeId {
        doc.descendants(under)
            .find(|id| doc.element(*id).is_some_and(|e| e.is(ns, name)))
            .expect(name)
    }
    fn decrypt<'o>(doc: &'o Document, keys: &[DecryptionKey]) -> Decrypted<'o> {
        let encrypted = find(doc, doc.root(), SAML, "EncryptedAssertion");
        decrypt_assertion(doc, encrypted, keys, &Limits::DEFAULT).expect("decrypts")
    }
    fn response_proof<'d>(doc: &'d Document, trusted: &[Certificate]) -> Verified<'d> {
        let signature = doc
            .children(doc.root())
            .iter()
            .copied()
            .find(|id| doc.element(*id).is_some_and(|e| e.is(DSIG, "Signature")))
            .expect("the Response's signature");
        verify_enveloped(doc, signature, trusted, &AlgorithmPolicy::default())
            .expect("the Response verifies")
    }
    fn inner_proof<'d>(d: &'d Decrypted<'_>, trusted: &[Certificate]) -> Verified<'d> {
        let signature = find(d.document(), d.assertion(), DSIG, "Signature");
        verify_enveloped(
            d.document(),
            signature,
            trusted,
            &AlgorithmPolicy::default(),
        )
        .expect("the assertion verifies")
    }

    let read = |name: &str| std::fs::read_to_string(PathBuf::from(DATA).join(name)).expect(name);
    let xml = read("enc_entra_response_and_assertion_signed.xml");
    let keys = [DecryptionKey::from_pem(&read("sp-enc.key")).expect("the SP key")];
    let trusted = Certificate::parse_all(read("idp.crt").as_bytes()).expect("the IdP certificate");
    let parse = || Document::parse(xml.as_bytes(), &Limits::DEFAULT).expect("parses");
    let (outer, twin_outer) = (parse(), parse());
    let (decrypted, twin) = (decrypt(&outer, &keys), decrypt(&twin_outer, &keys));
    let (response, twin_response) = (
        response_proof(&outer, &trusted),
        response_proof(&twin_outer, &trusted),
    );
    let (inner, twin_inner) = (
        inner_proof(&decrypted, &trusted),
        inner_proof(&twin, &trusted),
    );

    assert!(SignedAssertion::decrypted(&decrypted, None, Some(&inner)).is_some());
    assert!(SignedAssertion::decrypted(&decrypted, Some(&response), None).is_some());
    assert!(SignedAssertion::decrypted(&decrypted, None, Some(&twin_inner)).is_none());
    assert!(SignedAssertion::decrypted(&decrypted, Some(&twin_response), None).is_none());
    assert!(SignedAssertion::decrypted(&decrypted, None, None).is_none());
}

/// A `ds:Signature` counts only as the Response's or the Assertion's own, right after their
/// Issuer; anywhere else it is refused before any verification, even below an element that
/// starts with an Issuer as those two do (here an Advice inside an assertion the Response's
/// signature covers, which leaves the assertion's own signature slot empty).
#[test]
fn a_signature_below_any_other_element_is_misplaced_even_after_an_issuer() {
    let xml =
        std::fs::read_to_string(PathBuf::from(DATA).join("entra2021_response_signed_compact.xml"))
            .expect("the Response-signed base");
    let now = at("2026-01-15T10:01:00Z");
    assert!(verify(&xml, now).is_ok(), "the base response verifies");
    let decoy = edit(
        &xml,
        "</Conditions>",
        "</Conditions><Advice><Issuer>https://evil.example/</Issuer>\
         <ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:SignedInfo/>\
         </ds:Signature></Advice>",
    );
    assert_eq!(code(verify(&decoy, now)), "signature_misplaced");
    // Without the Signature the same edit is only a change to signed content.
    let plain = edit(
        &xml,
        "</Conditions>",
        "</Conditions><Advice><Issuer>https://evil.example/</Issuer></Advice>",
    );
    assert_eq!(code(verify(&plain, now)), "digest_mismatch");
}

/// A decrypted assertion holds no other assertion, plain or encrypted, at any depth.
#[test]
fn a_decrypted_assertion_may_not_nest_another() {
    use saml_edge::Limits;
    use saml_edge::internal::structure::check_decrypted;
    use saml_edge::xml::Document;

    let wrap = |inner: &str| {
        format!(
            "<saml:Assertion xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_a\">\
             <saml:Issuer>{IDP}</saml:Issuer><saml:Advice>{inner}</saml:Advice></saml:Assertion>"
        )
    };
    let check = |xml: String| {
        let doc = Document::parse(xml.as_bytes(), &Limits::DEFAULT).expect("parses");
        check_decrypted(&doc, doc.root()).map_err(|e| e.code())
    };
    assert_eq!(check(wrap("")), Ok(None));
    assert_eq!(
        check(wrap("<saml:Assertion ID=\"_b\"/>")),
        Err("unexpected_assertion")
    );
    assert_eq!(
        check(wrap("<saml:EncryptedAssertion/>")),
        Err("unexpected_assertion")
    );
}
