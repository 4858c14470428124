use super::*;
use crate::{Error, Limits};

fn parse(s: &str) -> Result<Document, Error> {
    Document::parse(s.as_bytes(), &Limits::default())
}

fn code(s: &str) -> &'static str {
    match parse(s) {
        Ok(_) => "ok",
        Err(e) => e.code(),
    }
}

#[test]
fn builds_namespace_aware_tree() {
    let doc = parse(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<p:a xmlns:p=\"urn:p\" xmlns=\"urn:d\" x=\"1\" p:y=\"2\">\
         <b>t&amp;<![CDATA[<c>]]>&#x41;<!-- c -->u</b><c xmlns=\"\"/></p:a>",
    )
    .unwrap();
    let root = doc.element(doc.root()).unwrap();
    assert!(root.is("urn:p", "a"));
    assert_eq!(root.attribute("x"), Some("1"));
    assert_eq!(root.attribute_ns("urn:p", "y"), Some("2"));
    let (b, be) = doc.child_elements(doc.root()).next().unwrap();
    assert!(be.is("urn:d", "b"));
    assert_eq!(doc.text(b), "t&<c>Au");
    let (_, ce) = doc.child_elements(doc.root()).nth(1).unwrap();
    assert_eq!(ce.namespace(), None);
    // The names as messages and the pretty-printer write them.
    assert_eq!(root.expanded_name(), "{urn:p}a");
    assert_eq!(root.qualified_name(), "p:a");
    assert_eq!(ce.expanded_name(), "c");
    assert_eq!(ce.qualified_name(), "c");
}

#[test]
fn namespaced_attributes_match_on_namespace_and_local_name() {
    let doc =
        parse("<a xmlns:p=\"urn:p\" xmlns:q=\"urn:q\" p:x=\"1\" q:y=\"2\" p:y=\"3\" y=\"4\"/>")
            .unwrap();
    let a = doc.element(doc.root()).unwrap();
    assert_eq!(a.attribute_ns("urn:p", "y"), Some("3"));
    assert_eq!(a.attribute_ns("urn:q", "x"), None);
    assert_eq!(a.attribute("y"), Some("4"));
}

#[test]
fn normalizes_line_ends_and_attribute_values() {
    let doc = parse("<a v=\"x\r\ny\tz&#10;\">1\r\n2\r3</a>").unwrap();
    let a = doc.element(doc.root()).unwrap();
    assert_eq!(a.attribute("v"), Some("x y z\n"));
    assert_eq!(doc.text(doc.root()), "1\n2\n3");
}

#[test]
fn refuses_what_saml_never_needs() {
    assert_eq!(code("<!DOCTYPE a><a/>"), "xml_doctype_forbidden");
    assert_eq!(
        code("<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>"),
        "xml_doctype_forbidden"
    );
    assert_eq!(code("<a>&x;</a>"), "xml_undefined_entity");
    assert_eq!(code("<a/><b/>"), "xml_content_outside_root");
    assert_eq!(code("<a/>text"), "xml_content_outside_root");
    assert_eq!(code("<n>evil</n><a/>"), "xml_content_outside_root");
    assert_eq!(code(""), "xml_no_root");
    assert_eq!(code("  "), "xml_no_root");
    assert_eq!(code("<p:a/>"), "xml_undeclared_prefix");
    assert_eq!(code("<a p:x=\"1\"/>"), "xml_undeclared_prefix");
    assert_eq!(code("<a xmlns:p=\"\"/>"), "xml_invalid_namespace");
    assert_eq!(code("<a xmlns:p=\"1\"/>"), "xml_invalid_namespace");
    assert_eq!(
        code("<a xmlns:p=\"relative/path\"/>"),
        "xml_invalid_namespace"
    );
    assert_eq!(
        code("<a xmlns:p=\"http://example.com\u{80}\"/>"),
        "xml_invalid_namespace"
    );
    assert_eq!(code("<a xmlns:xml=\"urn:x\"/>"), "xml_invalid_namespace");
    assert_eq!(code("<a xmlns:xmlns=\"urn:x\"/>"), "xml_invalid_namespace");
    assert_eq!(code("<a xml:xmlns=\"urn:x\"/>"), "xml_invalid_namespace");
    assert_eq!(code("<a x=\"1\" x=\"2\"/>"), "xml_duplicate_attribute");
    assert_eq!(
        code("<a xmlns:p=\"urn:u\" xmlns:q=\"urn:u\" p:ID=\"1\" q:ID=\"2\"/>"),
        "xml_duplicate_attribute"
    );
    assert_eq!(
        code("<a><b ID=\"x\"/><c Id=\"x\"/></a>"),
        "xml_duplicate_id"
    );
    assert_eq!(code("<a>&#0;</a>"), "xml_invalid_character");
    assert_eq!(code("<a>&#xD800;</a>"), "xml_invalid_character");
    assert_eq!(code("<a>&#x110000;</a>"), "xml_invalid_character");
    assert_eq!(code("<a>\u{1}</a>"), "xml_invalid_character");
    assert_eq!(
        code("<?xml version=\"1.1\"?><a/>"),
        "xml_unsupported_version"
    );
    assert_eq!(
        code("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>"),
        "xml_not_utf8"
    );
    assert_eq!(code(" <?xml version=\"1.0\"?><a/>"), "xml_malformed");
    assert_eq!(code("<a><?xml version=\"1.0\"?></a>"), "xml_malformed");
    assert_eq!(code("<a><!-- a -- b --></a>"), "xml_malformed");
    assert_eq!(code("<a></b>"), "xml_malformed");
    assert_eq!(code("<a>"), "xml_malformed");
    assert_eq!(code("<a x=\"<\"/>"), "xml_malformed");
    assert_eq!(code("<a>a & b</a>"), "xml_malformed");
    assert_eq!(code("<a>]]></a>"), "xml_malformed");
    assert_eq!(code("<x::a/>"), "xml_malformed");
    assert_eq!(code("<a x=\"1\"y=\"2\"/>"), "xml_malformed");
    assert_eq!(code("<a x='1'y='2'></a>"), "xml_malformed");
    assert_eq!(code("<a x=\"'\" y='\"'/>"), "ok");
    assert_eq!(code("<a ::b=\"1\"/>"), "xml_malformed");
}

#[test]
fn refuses_non_utf8() {
    assert_eq!(
        Document::parse(b"\xff\xfe<\0a\0/\0>\0", &Limits::default())
            .unwrap_err()
            .code(),
        "xml_not_utf8"
    );
    assert_eq!(
        Document::parse(b"<a>\xc0\xaf</a>", &Limits::default())
            .unwrap_err()
            .code(),
        "xml_not_utf8"
    );
    assert!(Document::parse(b"\xEF\xBB\xBF<a/>", &Limits::default()).is_ok());
}

#[test]
fn enforces_limits_early() {
    let deep = "<a>".repeat(100_000);
    assert_eq!(code(&deep), "limit_exceeded");
    let mut many = String::from("<a");
    for i in 0..100_000 {
        many.push_str(&format!(" a{i}=\"x\""));
    }
    many.push_str("/>");
    assert_eq!(code(&many), "limit_exceeded");
    let nodes = format!("<a>{}</a>", "<b/>".repeat(30_000));
    assert_eq!(code(&nodes), "limit_exceeded");
}

#[test]
fn descendants_in_document_order() {
    let doc = parse("<a><b><c/></b><d/></a>").unwrap();
    let names: Vec<String> = doc
        .descendants(doc.root())
        .filter_map(|n| doc.element(n).map(|e| e.local_name().to_owned()))
        .collect();
    assert_eq!(names, ["b", "c", "d"]);
}

/// A character reference is `&#` digits `;` or `&#x` hex digits `;` and nothing else: not
/// the sign or the empty number that Rust's integer parsers would take.
#[test]
fn character_references_are_digits_only() {
    assert_eq!(
        parse("<a>&#x41;&#65;</a>")
            .map(|d| d.text(d.root()))
            .ok()
            .as_deref(),
        Some("AA")
    );
    let invalid = code("<a>&#xZZ;</a>");
    assert_ne!(invalid, "ok");
    for bad in [
        "<a>&#x+41;</a>",
        "<a>&#+65;</a>",
        "<a>&#x;</a>",
        "<a>&#;</a>",
    ] {
        assert_eq!(code(bad), invalid, "{bad}");
    }
}

/// The document size limit admits exactly `max_xml_bytes`.
#[test]
fn size_limit_admits_its_exact_size() {
    let xml = "<a>0123456789</a>";
    let exact = Limits {
        max_xml_bytes: xml.len(),
        ..Limits::default()
    };
    assert!(Document::parse(xml.as_bytes(), &exact).is_ok());
    let under = Limits {
        max_xml_bytes: xml.len() - 1,
        ..Limits::default()
    };
    assert_eq!(
        Document::parse(xml.as_bytes(), &under)
            .err()
            .map(|e| e.code()),
        Some("limit_exceeded")
    );
}

#[test]
fn ancestry_is_the_parent_chain() {
    let doc = parse("<a><b><c/></b><d/></a>").unwrap();
    let a = doc.root();
    let (b, _) = doc.child_elements(a).next().unwrap();
    let (d, _) = doc.child_elements(a).nth(1).unwrap();
    let (c, _) = doc.child_elements(b).next().unwrap();
    assert!(doc.is_ancestor_or_self(a, c));
    assert!(doc.is_ancestor_or_self(b, c));
    assert!(doc.is_ancestor_or_self(c, c));
    assert!(!doc.is_ancestor_or_self(c, a));
    assert!(!doc.is_ancestor_or_self(d, c));
    assert!(!doc.is_ancestor_or_self(b, d));
}

/// The XML declaration only at byte 0; the target `xml` in no case for a processing
/// instruction; positions in the messages are byte offsets.
#[test]
fn declaration_and_processing_instruction_targets() {
    let message = |xml: &str| parse(xml).err().map(|e| e.to_string());
    for xml in [
        " <?xml version=\"1.0\"?><a/>",
        "\n<?xml version=\"1.0\"?><a/>",
    ] {
        assert_eq!(
            message(xml).as_deref(),
            Some("the XML is not well-formed at byte 1: XML declaration not at the start")
        );
    }
    for xml in ["<a><?XML x?></a>", "<a><?xMl x?></a>", "<a><?1x?></a>"] {
        assert_eq!(
            message(xml).as_deref(),
            Some("the XML is not well-formed at byte 3: invalid processing instruction target"),
            "{xml}"
        );
    }
    assert!(parse("<a><?xml-stylesheet x?></a>").is_ok());
}

/// `xml` may be declared, but only with its own namespace name.
#[test]
fn the_xml_prefix_keeps_its_namespace() {
    assert!(
        parse("<a xmlns:xml=\"http://www.w3.org/XML/1998/namespace\" xml:lang=\"en\"/>").is_ok()
    );
    assert_eq!(
        code("<a xmlns:xml=\"urn:other\"/>"),
        code("<a xmlns:xmlns=\"urn:other\"/>")
    );
    assert_ne!(code("<a xmlns:xml=\"urn:other\"/>"), "ok");
    // Undeclaring a prefix is XML 1.1 only, and the message says so.
    let undeclared = parse("<a xmlns:p=\"\"/>").err().map(|e| e.to_string());
    assert!(
        undeclared
            .as_deref()
            .is_some_and(|m| m.contains("undeclaring a prefix is not allowed in XML 1.0")),
        "{undeclared:?}"
    );
}

/// Attribute names are held to `max_name_bytes`, which admits exactly its size.
#[test]
fn attribute_names_up_to_the_name_limit() {
    let limits = Limits {
        max_name_bytes: 5,
        ..Limits::default()
    };
    assert!(Document::parse(b"<a abcde=\"1\"/>", &limits).is_ok());
    assert_eq!(
        Document::parse(b"<a abcdef=\"1\"/>", &limits)
            .err()
            .map(|e| e.code()),
        Some("limit_exceeded")
    );
}

/// The `inspect` rendering: indented by depth, short text inline, white-space text dropped,
/// values escaped (including `>` and white space in attributes).
#[test]
fn pretty_printing_for_people() {
    let doc = parse(
        "<p:a xmlns:p=\"urn:p\" v=\"1&gt;0&#xD;\"><b>t</b><c><d x=\"&lt;\"/></c>\n  <e><f/><!--n--><?pi d?></e></p:a>",
    )
    .unwrap();
    assert_eq!(
        writer::pretty(&doc),
        "<p:a xmlns:p=\"urn:p\" v=\"1&gt;0&#xD;\">\n  <b>t</b>\n  <c>\n    <d x=\"&lt;\"/>\n  </c>\n  \
         <e>\n    <f/>\n    <!--n-->\n    <?pi d?>\n  </e>\n</p:a>\n"
    );
}
