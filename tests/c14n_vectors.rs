//! Exclusive canonicalization checked byte-for-byte against published vectors (Apache Santuario's
//! copies of the W3C exc-c14n examples and the Baltimore "merlin" interop signatures), listed in
//! `tests/fixtures/manifest.json`.
//!
//! saml-edge implements exclusive c14n of a subtree (what an enveloped SAML signature needs), not
//! inclusive c14n, C14N 1.1, or arbitrary XPath node-sets; the fixtures hold only the vectors
//! this test runs (the shared set's others were not copied), so any other vector fails the test,
//! and the exact number run is asserted so that a manifest change is noticed.

mod common;

use saml_edge::Limits;
use saml_edge::internal::c14n::{Options, canonicalize};
use saml_edge::xml::{Document, NodeId};
use serde_json::Value;

const DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";

fn select(doc: &Document, selection: &Value) -> NodeId {
    let all = || std::iter::once(doc.root()).chain(doc.descendants(doc.root()));
    match selection["kind"].as_str().unwrap() {
        "subtree" => {
            let ns = selection["namespace"].as_str().unwrap();
            let local = selection["localName"].as_str().unwrap();
            let index = selection["index"].as_u64().unwrap() as usize;
            all()
                .filter(|&n| doc.element(n).is_some_and(|e| e.is(ns, local)))
                .nth(index)
                .expect("selected element exists")
        }
        "reference" => {
            let uri = selection["uri"].as_str().unwrap();
            let id = uri
                .strip_prefix("#xpointer(id('")
                .and_then(|s| s.strip_suffix("'))"))
                .expect("an xpointer(id()) reference");
            all()
                .find(|&n| {
                    doc.element(n)
                        .is_some_and(|e| e.attribute("Id") == Some(id))
                })
                .expect("referenced element exists")
        }
        "signedInfo" => all()
            .find(|&n| doc.element(n).is_some_and(|e| e.is(DSIG, "SignedInfo")))
            .expect("SignedInfo exists"),
        other => panic!("unexpected selection {other}"),
    }
}

fn signed_info_prefixes(doc: &Document, signed_info: NodeId) -> Vec<String> {
    doc.children_named(signed_info, DSIG, "CanonicalizationMethod")
        .flat_map(|(cm, _)| doc.child_elements(cm).collect::<Vec<_>>())
        .filter(|(_, e)| e.is(EXC_C14N, "InclusiveNamespaces"))
        .filter_map(|(_, e)| e.attribute("PrefixList"))
        .flat_map(|list| {
            list.split_whitespace()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn exclusive_c14n_matches_published_vectors() {
    let manifest = common::manifest();
    let mut ran = 0;
    for vector in manifest["c14n"].as_array().unwrap() {
        let algorithm = vector["algorithm"].as_str().unwrap();
        let supported = matches!(algorithm, "exc-c14n" | "exc-c14n-with-comments")
            && !vector["xpathSubset"].as_bool().unwrap()
            && !vector["doctype"].as_bool().unwrap();
        assert!(
            supported,
            "vector {} is not an exclusive c14n of a subtree, which saml-edge does not implement",
            vector["input"]
        );
        let input = common::fixture_bytes(vector["input"].as_str().unwrap());
        let expected = common::fixture_bytes(vector["expected"].as_str().unwrap());
        let doc = Document::parse(&input, &Limits::default())
            .unwrap_or_else(|e| panic!("{}: {e}", vector["input"]));
        let node = select(&doc, &vector["selection"]);
        let prefixes: Vec<String> = if vector["selection"]["kind"] == "signedInfo" {
            signed_info_prefixes(&doc, node)
        } else {
            vector["inclusivePrefixes"]
                .as_str()
                .map(|s| s.split_whitespace().map(str::to_owned).collect())
                .unwrap_or_default()
        };
        let options = Options {
            with_comments: algorithm.ends_with("with-comments"),
            inclusive_prefixes: &prefixes,
            exclude: None,
        };
        let actual = canonicalize(&doc, node, &options);
        assert_eq!(
            String::from_utf8_lossy(&actual),
            String::from_utf8_lossy(&expected),
            "vector {} (expected {})",
            vector["input"],
            vector["expected"]
        );
        ran += 1;
    }
    println!("exclusive c14n vectors: {ran} matched");
    assert_eq!(
        ran, 14,
        "number of exclusive subtree vectors in the manifest changed"
    );
}
