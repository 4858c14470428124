//! Exclusive XML Canonicalization 1.0 (<https://www.w3.org/TR/xml-exc-c14n/>) of a subtree.
//!
//! Input is a node of the parsed [`Document`] (the "apex"), optionally one descendant to leave
//! out (the enveloped `ds:Signature`: the enveloped-signature transform becomes "skip this node"
//! instead of copy-and-remove), comments on or off, and the `InclusiveNamespaces PrefixList`.
//! Output is the canonical octet stream (UTF-8).
//!
//! Rules implemented (spec sections in brackets):
//! - a namespace declaration is rendered on an element when its prefix is *visibly utilized* by
//!   the element (its own prefix, or the prefix of one of its attributes) or is listed in the
//!   PrefixList, and the nearest output ancestor did not already render the same binding [§3];
//!   the default namespace counts as utilized by an unprefixed element, and `xmlns=""` is rendered
//!   only to undo a non-empty default rendered above;
//! - declarations sort by prefix (the default first), attributes by (namespace URI, local name)
//!   with unqualified attributes first [C14N §2.2];
//! - ancestors' `xml:*` attributes are not imported [§1.1];
//! - text escapes `&`, `<`, `>` and CR; attribute values escape `&`, `<`, `"`, TAB, LF and CR;
//!   CDATA sections were already turned into text by the parser [C14N §2.3];
//! - comments are dropped unless requested; processing instructions are kept.
//!
//! The parser already guarantees what the spec assumes (namespace names are absolute URIs,
//! no DTD), so canonicalization of a parsed document cannot fail (invariant V13 holds because
//! the conditions under which other canonicalizers fail are refused up front).

use crate::xml::{Attribute, Document, Element, NodeId, NodeKind};

/// Options for one canonicalization.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options<'a> {
    /// Keep comments (`xml-exc-c14n#WithComments`).
    pub with_comments: bool,
    /// The `InclusiveNamespaces PrefixList` tokens (`#default` for the default namespace).
    pub inclusive_prefixes: &'a [String],
    /// A descendant to omit with its whole subtree (the enveloped signature).
    pub exclude: Option<NodeId>,
}

/// One rendered binding: prefix (`None` = default) and URI (`""` = no default namespace).
type Binding<'a> = (Option<&'a str>, &'a str);

/// Canonicalizes the subtree rooted at `apex`. Returns an empty vector only when `apex` is not a
/// node of `doc` (callers treat an empty result as an error: V13).
pub fn canonicalize(doc: &Document, apex: NodeId, options: &Options<'_>) -> Vec<u8> {
    let mut out = Vec::with_capacity(4096);
    Writer::new(doc, options, &mut out, None).subtree(apex);
    out
}

/// How many canonical bytes [`canonicalize_into`] collects before handing them to its sink.
const CHUNK: usize = 8192;

/// Canonicalizes the subtree rooted at `apex` straight into `sink` (e.g. a digest's update),
/// in pieces of about [`CHUNK`] bytes, so that the canonical form of a large element is never
/// held in memory whole. The bytes and their order are exactly those of [`canonicalize`].
/// Returns whether the output starts with `<` (it is empty only when `apex` is not a node of
/// `doc`: callers treat `false` as an error, V13).
pub fn canonicalize_into(
    doc: &Document,
    apex: NodeId,
    options: &Options<'_>,
    sink: &mut dyn FnMut(&[u8]),
) -> bool {
    let mut out = Vec::with_capacity(CHUNK + 1024);
    let mut writer = Writer::new(doc, options, &mut out, Some(sink));
    writer.subtree(apex);
    writer.flush();
    writer.first == Some(b'<')
}

/// Where [`canonicalize_into`] hands the canonical bytes.
type Sink<'s> = &'s mut dyn FnMut(&[u8]);

struct Writer<'a, 's> {
    doc: &'a Document,
    options: &'a Options<'a>,
    /// `options.inclusive_prefixes`, sorted and deduplicated.
    inclusive: Vec<&'a str>,
    /// `#default` is in the PrefixList.
    inclusive_default: bool,
    out: &'a mut Vec<u8>,
    /// Where full chunks of `out` go ([`canonicalize_into`]); `None` keeps everything in `out`.
    sink: Option<Sink<'s>>,
    /// The first byte handed to `sink`.
    first: Option<u8>,
    /// The namespace bindings in force, outermost first: one stack for the whole traversal, an
    /// element's scope being a prefix of it (see [`Step`]).
    bindings: Vec<Binding<'a>>,
    /// Scratch space reused for every element (a canonicalization allocates per document, not
    /// per element): the bindings an element wants, those it renders, its sorted attributes.
    wanted: Vec<Binding<'a>>,
    to_render: Vec<Binding<'a>>,
    sorted_attributes: Vec<&'a Attribute>,
}

/// One step of the iterative traversal (no recursion: depth is bounded by Limits, but an
/// explicit stack keeps the wasm stack small regardless). The `usize` is the length of
/// [`Writer::bindings`] in force for the node: entering it first drops what earlier siblings'
/// subtrees pushed.
enum Step {
    Enter(NodeId, usize),
    Leave(NodeId),
}

impl<'a, 's> Writer<'a, 's> {
    fn new(
        doc: &'a Document,
        options: &'a Options<'a>,
        out: &'a mut Vec<u8>,
        sink: Option<Sink<'s>>,
    ) -> Self {
        // The PrefixList as a sorted set. It comes from the document (SignedInfo's own list is
        // read before the signature is checked) and can hold a hundred thousand tokens: it is
        // never scanned per element, only probed for the prefixes in scope.
        let mut inclusive: Vec<&str> = options
            .inclusive_prefixes
            .iter()
            .map(String::as_str)
            .collect();
        inclusive.sort_unstable();
        inclusive.dedup();
        let inclusive_default = inclusive.binary_search(&"#default").is_ok();
        Writer {
            doc,
            options,
            inclusive,
            inclusive_default,
            out,
            sink,
            first: None,
            bindings: Vec::new(),
            wanted: Vec::new(),
            to_render: Vec::new(),
            sorted_attributes: Vec::new(),
        }
    }

    /// Hands what `out` holds to the sink, if there is one.
    fn flush(&mut self) {
        if let Some(sink) = self.sink.as_mut()
            && !self.out.is_empty()
        {
            if self.first.is_none() {
                self.first = self.out.first().copied();
            }
            sink(self.out.as_slice());
            self.out.clear();
        }
    }

    /// [`Writer::flush`] once `out` holds [`CHUNK`] bytes. It decides how often the sink is fed,
    /// never what it is fed (so mutation testing leaves it out: `.cargo/mutants.toml`).
    fn flush_when_full(&mut self) {
        if self.out.len() >= CHUNK {
            self.flush();
        }
    }

    fn subtree(&mut self, apex: NodeId) {
        // The outermost scope binds the default namespace to "" (never rendered at the apex).
        self.bindings.clear();
        self.bindings.push((None, ""));
        let mut steps = vec![Step::Enter(apex, 1)];
        while let Some(step) = steps.pop() {
            self.flush_when_full();
            match step {
                Step::Enter(node, scope) => {
                    if Some(node) == self.options.exclude {
                        continue;
                    }
                    match self.doc.kind(node) {
                        NodeKind::Element(element) => {
                            self.bindings.truncate(scope);
                            self.start_tag(node, element);
                            let child_scope = self.bindings.len();
                            steps.push(Step::Leave(node));
                            for &child in element.children().iter().rev() {
                                steps.push(Step::Enter(child, child_scope));
                            }
                        }
                        NodeKind::Text(text) => escape_text(text, self.out),
                        NodeKind::Comment(comment) => {
                            if self.options.with_comments {
                                self.out.extend_from_slice(b"<!--");
                                self.out.extend_from_slice(comment.as_bytes());
                                self.out.extend_from_slice(b"-->");
                            }
                        }
                        NodeKind::ProcessingInstruction { target, data } => {
                            self.out.extend_from_slice(b"<?");
                            self.out.extend_from_slice(target.as_bytes());
                            if !data.is_empty() {
                                self.out.push(b' ');
                                self.out.extend_from_slice(data.as_bytes());
                            }
                            self.out.extend_from_slice(b"?>");
                        }
                    }
                }
                Step::Leave(node) => {
                    if let Some(element) = self.doc.element(node) {
                        self.out.extend_from_slice(b"</");
                        write_qname(element.prefix(), element.local_name(), self.out);
                        self.out.push(b'>');
                    }
                }
            }
        }
    }

    /// Writes the start tag and pushes the bindings it renders onto [`Writer::bindings`].
    fn start_tag(&mut self, node: NodeId, element: &'a Element) {
        let mut wanted = std::mem::take(&mut self.wanted);
        let mut to_render = std::mem::take(&mut self.to_render);
        self.wanted_bindings(node, element, &mut wanted);
        self.bindings_to_render(&wanted, &mut to_render);
        self.out.push(b'<');
        write_qname(element.prefix(), element.local_name(), self.out);
        self.write_namespace_declarations(&to_render);
        self.write_attributes(element);
        self.out.push(b'>');
        self.wanted = wanted;
        self.to_render = to_render;
    }

    /// The bindings the element needs, one per prefix, sorted by prefix: its own prefix, its
    /// attributes' prefixes (both resolved by the parser), then PrefixList entries bound in scope.
    /// The work per element is bounded by its attributes and the declarations in scope, never by
    /// the length of the (attacker-controlled, before the RSA check) PrefixList, and no prefix is
    /// looked up by walking the ancestors more than once.
    fn wanted_bindings(&self, node: NodeId, element: &'a Element, wanted: &mut Vec<Binding<'a>>) {
        wanted.clear();
        if element.prefix() != Some("xml") {
            wanted.push((element.prefix(), element.namespace().unwrap_or("")));
        }
        for attribute in element.attributes() {
            if let Some(p) = attribute.prefix.as_deref()
                && p != "xml"
            {
                wanted.push((Some(p), attribute.namespace.as_deref().unwrap_or("")));
            }
        }
        if self.inclusive_default {
            // An unbound default namespace still needs `xmlns=""` below a non-empty one.
            wanted.push((None, self.doc.lookup_namespace(node, None).unwrap_or("")));
        }
        if !self.inclusive.is_empty() {
            self.push_inclusive_bindings(node, wanted);
        }
        // One candidate per prefix, the first (nearest, or the element's own) winning.
        wanted.sort_by(|a, b| a.0.cmp(&b.0));
        wanted.dedup_by(|later, earlier| later.0 == earlier.0);
    }

    /// Of the `wanted` bindings (one per prefix), those not already in force: pushed onto
    /// [`Writer::bindings`] (in force for the children) and into `to_render`, sorted by prefix
    /// (the default namespace first).
    fn bindings_to_render(&mut self, wanted: &[Binding<'a>], to_render: &mut Vec<Binding<'a>>) {
        to_render.clear();
        for &(prefix, uri) in wanted {
            let current = self
                .bindings
                .iter()
                .rev()
                .find(|(p, _)| *p == prefix)
                .map(|(_, u)| *u);
            // The outermost scope binds the default namespace to "" (the empty binding is never
            // rendered at the apex), and a prefix cannot be bound to "" in XML 1.0 namespaces, so
            // a binding is already in force exactly when the same one is the innermost visible.
            if current != Some(uri) {
                to_render.push((prefix, uri));
                self.bindings.push((prefix, uri));
            }
        }
        to_render.sort_by(|a, b| a.0.unwrap_or("").cmp(b.0.unwrap_or("")));
    }

    /// Adds the declarations in scope at `node` whose prefix is in the PrefixList, nearest first.
    fn push_inclusive_bindings(&self, node: NodeId, wanted: &mut Vec<Binding<'a>>) {
        let mut current = Some(node);
        while let Some(n) = current {
            for decl in self.doc.element(n).map_or(&[][..], |e| e.namespace_decls()) {
                if let Some(p) = decl.prefix.as_deref()
                    && p != "xml"
                    && self.inclusive.binary_search(&p).is_ok()
                {
                    wanted.push((Some(p), decl.uri.as_str()));
                }
            }
            current = self.doc.parent(n);
        }
    }

    /// ` xmlns…="…"` for each binding, in the order given.
    fn write_namespace_declarations(&mut self, to_render: &[Binding<'_>]) {
        for (prefix, uri) in to_render {
            match prefix {
                Some(p) => {
                    self.out.extend_from_slice(b" xmlns:");
                    self.out.extend_from_slice(p.as_bytes());
                }
                None => self.out.extend_from_slice(b" xmlns"),
            }
            self.out.extend_from_slice(b"=\"");
            escape_attribute(uri, self.out);
            self.out.push(b'"');
        }
    }

    /// The attributes, sorted by (namespace URI, local name); unqualified ones (no URI) first.
    fn write_attributes(&mut self, element: &'a Element) {
        let mut attributes = std::mem::take(&mut self.sorted_attributes);
        attributes.clear();
        attributes.extend(element.attributes());
        attributes.sort_by(|a, b| {
            (a.namespace.as_deref().unwrap_or(""), a.local.as_str())
                .cmp(&(b.namespace.as_deref().unwrap_or(""), b.local.as_str()))
        });
        for attribute in &attributes {
            self.out.push(b' ');
            write_qname(attribute.prefix.as_deref(), &attribute.local, self.out);
            self.out.extend_from_slice(b"=\"");
            escape_attribute(&attribute.value, self.out);
            self.out.push(b'"');
        }
        self.sorted_attributes = attributes;
    }
}

fn write_qname(prefix: Option<&str>, local: &str, out: &mut Vec<u8>) {
    if let Some(p) = prefix {
        out.extend_from_slice(p.as_bytes());
        out.push(b':');
    }
    out.extend_from_slice(local.as_bytes());
}

fn escape_text(text: &str, out: &mut Vec<u8>) {
    escape(text, out, |b| match b {
        b'&' => Some(b"&amp;"),
        b'<' => Some(b"&lt;"),
        b'>' => Some(b"&gt;"),
        b'\r' => Some(b"&#xD;"),
        _ => None,
    });
}

fn escape_attribute(value: &str, out: &mut Vec<u8>) {
    escape(value, out, |b| match b {
        b'&' => Some(b"&amp;"),
        b'<' => Some(b"&lt;"),
        b'"' => Some(b"&quot;"),
        b'\t' => Some(b"&#x9;"),
        b'\n' => Some(b"&#xA;"),
        b'\r' => Some(b"&#xD;"),
        _ => None,
    });
}

/// Copies `value`, each byte that `reference` maps replaced by its reference; the runs between
/// them are copied whole.
fn escape(value: &str, out: &mut Vec<u8>, reference: impl Fn(u8) -> Option<&'static [u8]>) {
    let bytes = value.as_bytes();
    let mut plain_from = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if let Some(escaped) = reference(b) {
            out.extend_from_slice(bytes.get(plain_from..i).unwrap_or_default());
            out.extend_from_slice(escaped);
            plain_from = i + 1;
        }
    }
    out.extend_from_slice(bytes.get(plain_from..).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Limits;

    fn c14n(xml: &str, prefixes: &[&str]) -> String {
        let doc = Document::parse(xml.as_bytes(), &Limits::default()).unwrap();
        let prefixes: Vec<String> = prefixes.iter().map(|s| s.to_string()).collect();
        let options = Options {
            inclusive_prefixes: &prefixes,
            ..Options::default()
        };
        let apex = doc
            .child_elements(doc.root())
            .next()
            .map_or(doc.root(), |(id, _)| id);
        String::from_utf8(canonicalize(&doc, apex, &options)).unwrap()
    }

    #[test]
    fn streaming_gives_the_same_bytes() {
        // Large enough for several chunks, with text that needs escaping across chunk ends.
        let mut xml = String::from(r#"<r xmlns:a="urn:a"><a:x b="&lt;&#9;">"#);
        for i in 0..3000 {
            xml.push_str(&format!("<y n=\"{i}\">t&amp;{i}&#13;</y><!--c-->"));
        }
        xml.push_str("</a:x></r>");
        let doc = Document::parse(xml.as_bytes(), &Limits::default()).unwrap();
        let apex = doc.child_elements(doc.root()).next().unwrap().0;
        let excluded = doc.child_elements(apex).next().map(|(id, _)| id);
        for exclude in [None, excluded] {
            for with_comments in [false, true] {
                let options = Options {
                    with_comments,
                    exclude,
                    ..Options::default()
                };
                let whole = canonicalize(&doc, apex, &options);
                assert!(whole.len() > 3 * CHUNK);
                let mut pieces = Vec::new();
                let starts = canonicalize_into(&doc, apex, &options, &mut |bytes| {
                    pieces.push(bytes.to_vec())
                });
                assert!(starts);
                assert!(pieces.len() > 3);
                assert!(pieces.iter().all(|p| !p.is_empty()));
                assert_eq!(pieces.concat(), whole);
            }
        }
    }

    #[test]
    fn renders_only_visibly_utilized_namespaces() {
        assert_eq!(
            c14n(
                r#"<r xmlns:a="urn:a" xmlns:b="urn:b"><a:x b:y="1" z="2" xmlns:c="urn:c"><c2/></a:x></r>"#,
                &[]
            ),
            r#"<a:x xmlns:a="urn:a" xmlns:b="urn:b" z="2" b:y="1"><c2></c2></a:x>"#
        );
    }

    #[test]
    fn default_namespace_and_undeclaration() {
        assert_eq!(
            c14n(
                r#"<r xmlns="urn:d"><x><y xmlns=""><z xmlns="urn:d"/></y></x></r>"#,
                &[]
            ),
            r#"<x xmlns="urn:d"><y xmlns=""><z xmlns="urn:d"></z></y></x>"#
        );
        assert_eq!(c14n(r#"<r><x xmlns=""/></r>"#, &[]), "<x></x>");
    }

    #[test]
    fn inclusive_prefixes() {
        assert_eq!(
            c14n(
                r#"<r xmlns:xs="urn:xs" xmlns:u="urn:u"><x t="xs:string"/></r>"#,
                &["xs", "missing"]
            ),
            r#"<x xmlns:xs="urn:xs" t="xs:string"></x>"#
        );
        assert_eq!(
            c14n(
                r#"<r xmlns="urn:d"><p:x xmlns:p="urn:p"/></r>"#,
                &["#default"]
            ),
            r#"<p:x xmlns="urn:d" xmlns:p="urn:p"></p:x>"#
        );
    }

    #[test]
    fn escaping_and_comments() {
        assert_eq!(
            c14n(
                "<r><x a=\"&lt;&amp;&quot;&#9;&#10;&#13;'&gt;\">&lt;&gt;&amp;&#13;\"<!--c--><?p  d?></x></r>",
                &[]
            ),
            "<x a=\"&lt;&amp;&quot;&#x9;&#xA;&#xD;'>\">&lt;&gt;&amp;&#xD;\"<?p d?></x>"
        );
    }

    #[test]
    fn attribute_order_by_namespace_uri_then_name() {
        assert_eq!(
            c14n(
                r#"<r><x xmlns:b="urn:a" xmlns:a="urn:b" a:z="1" b:z="2" y="3" x="4"/></r>"#,
                &[]
            ),
            r#"<x xmlns:a="urn:b" xmlns:b="urn:a" x="4" y="3" b:z="2" a:z="1"></x>"#
        );
    }
}
