//! The strict parser: quick-xml events → checks → arena tree.
//!
//! quick-xml is a tokenizer, not a conforming parser (threats.md V2): it reports DOCTYPE, second
//! roots, trailing content and undeclared prefixes without complaint, does no attribute-value
//! normalization, and compares duplicate attributes by raw name only. Every one of those checks is
//! done here. Namespace resolution is done here too, from our own scope stack, so that exactly one
//! piece of code decides what a prefix means.

use std::collections::HashSet;

use quick_xml::Reader;
use quick_xml::events::{BytesDecl, BytesPI, BytesRef, BytesStart, Event};

use super::names::{is_absolute_uri, is_ncname, is_xml_char, is_xml_whitespace};
use super::{Attribute, Document, Element, NamespaceDecl, Node, NodeId, NodeKind, XML_NAMESPACE};
use crate::error::{Part, XmlError, malformed};
use crate::swar::{has_byte, has_byte_below};
use crate::{Error, Limits};

const XMLNS_NAMESPACE: &str = "http://www.w3.org/2000/xmlns/";
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Local names of attributes that act as IDs somewhere (SAML, XML-DSig, WS-Security, xml:id).
/// Any value repeated among them, on any element, makes the document ambiguous (V6).
const ID_LIKE_ATTRIBUTES: [&str; 5] = ["ID", "Id", "id", "AssertionID", "ResponseID"];

/// `xml:` attributes with a meaning; anything else in the xml namespace (`xml:xmlns`…) is refused.
const ALLOWED_XML_ATTRIBUTES: [&str; 4] = ["lang", "space", "base", "id"];

pub(super) fn parse(input: &[u8], limits: &Limits) -> Result<Document, Error> {
    if input.len() > limits.max_xml_bytes {
        return Err(Error::LimitExceeded {
            limit: "max_xml_bytes",
            max: limits.max_xml_bytes,
        });
    }
    let input = input.strip_prefix(UTF8_BOM).unwrap_or(input);
    let text = std::str::from_utf8(input).map_err(|_| XmlError::NotUtf8)?;
    if let Some(position) = first_non_xml_char(text) {
        return Err(XmlError::InvalidCharacter {
            position: position as u64,
        }
        .into());
    }
    Builder::new(text, limits).run()
}

/// The byte position of the first character that is not an XML `Char` (XML 1.0 §2.2). In UTF-8
/// text (no surrogates) those are the C0 controls other than TAB, LF and CR, and U+FFFE and
/// U+FFFF (`EF BF BE`, `EF BF BF`). A word-at-a-time scan (`src/swar.rs`; wasm32 has no vector
/// unit in the npm build) rules out the common case, no other control byte and no `EF` lead
/// byte at all, before the exact scan: only a word that holds a byte below 0x20 or an `EF` is
/// looked at byte by byte.
fn first_non_xml_char(text: &str) -> Option<usize> {
    let (words, tail) = text.as_bytes().as_chunks::<8>();
    let word_is_clean = |word: &[u8; 8]| {
        if has_byte_below(*word, 0x20) || has_byte(*word, 0xef) {
            word.iter().all(|&b| is_plain_xml_byte(b))
        } else {
            true
        }
    };
    if words.iter().all(word_is_clean) && tail.iter().all(|&b| is_plain_xml_byte(b)) {
        return None;
    }
    text.char_indices()
        .find(|&(_, c)| !is_xml_char(c))
        .map(|(i, _)| i)
}

/// A byte that is neither a C0 control other than TAB, LF and CR nor `EF` (the lead byte of
/// U+FFFE and U+FFFF): text made only of such bytes holds no non-XML character.
fn is_plain_xml_byte(b: u8) -> bool {
    ((b >= 0x20) | (b == b'\t') | (b == b'\n') | (b == b'\r')) & (b != 0xef)
}

/// Splits a QName into (prefix, local), checking both parts are NCNames.
fn split_qname(qname: &str) -> Option<(Option<&str>, &str)> {
    match qname.split_once(':') {
        Some((prefix, local)) if is_ncname(prefix) && is_ncname(local) => {
            Some((Some(prefix), local))
        }
        None if is_ncname(qname) => Some((None, qname)),
        _ => None,
    }
}

/// Normalizes line ends (XML 1.0 §2.11): CRLF and lone CR become LF.
fn normalize_line_ends(raw: &str, out: &mut String) {
    // Copies the runs between CRs whole (most text has no CR at all).
    let mut rest = raw;
    while let Some((before, after)) = rest.split_once('\r') {
        out.push_str(before);
        out.push('\n');
        rest = after.strip_prefix('\n').unwrap_or(after);
    }
    out.push_str(rest);
}

/// Resolves a reference name (`lt`, `#x41`…) to its character.
fn resolve_reference(name: &str) -> Result<char, XmlError> {
    if let Some(number) = name.strip_prefix('#') {
        let value = match number.strip_prefix('x') {
            Some(hex) if !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit()) => {
                u32::from_str_radix(hex, 16).ok()
            }
            None if !number.is_empty() && number.chars().all(|c| c.is_ascii_digit()) => {
                number.parse::<u32>().ok()
            }
            _ => None,
        };
        return match value.and_then(char::from_u32) {
            Some(c) if is_xml_char(c) => Ok(c),
            _ => Err(XmlError::InvalidCharacter { position: 0 }),
        };
    }
    match name {
        "lt" => Ok('<'),
        "gt" => Ok('>'),
        "amp" => Ok('&'),
        "apos" => Ok('\''),
        "quot" => Ok('"'),
        _ => Err(XmlError::UndefinedEntity {
            name: name.to_owned(),
        }),
    }
}

/// Attribute-value normalization (XML 1.0 §3.3.3 for CDATA attributes): literal white space
/// becomes a space (after line-end normalization), references are expanded and kept as is.
fn normalize_attribute_value(raw: &str, position: u64) -> Result<String, Error> {
    // Most values (IDs, URIs, instants) have nothing to normalize: copied whole.
    if !raw
        .bytes()
        .any(|b| matches!(b, b'<' | b'&' | b'\r' | b'\n' | b'\t'))
    {
        return Ok(raw.to_owned());
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(c) = rest.chars().next() {
        match c {
            '<' => {
                return Err(malformed(
                    Part::Xml { position },
                    "'<' in an attribute value",
                ));
            }
            '&' => {
                let end = rest.find(';').ok_or_else(|| {
                    malformed(
                        Part::Xml { position },
                        "unterminated reference in an attribute value",
                    )
                })?;
                let name = rest.get(1..end).unwrap_or_default();
                let resolved = resolve_reference(name).map_err(|e| match e {
                    XmlError::InvalidCharacter { .. } => XmlError::InvalidCharacter { position },
                    other => other,
                })?;
                out.push(resolved);
                rest = rest.get(end + 1..).unwrap_or_default();
                continue;
            }
            '\r' => {
                out.push(' ');
                if rest.get(1..2) == Some("\n") {
                    rest = rest.get(2..).unwrap_or_default();
                    continue;
                }
            }
            '\n' | '\t' => out.push(' '),
            other => out.push(other),
        }
        rest = rest.get(c.len_utf8()..).unwrap_or_default();
    }
    Ok(out)
}

/// The XML declaration: only as the very first thing (byte 0: every event before it would have
/// taken at least one byte), version 1.0, encoding UTF-8 if given.
fn check_xml_declaration(decl: &BytesDecl<'_>, position: u64) -> Result<(), Error> {
    if position != 0 {
        return Err(malformed(
            Part::Xml { position },
            "XML declaration not at the start",
        ));
    }
    let version = decl
        .version()
        .map_err(|e| malformed(Part::Xml { position }, e.to_string()))?;
    if version != "1.0" {
        return Err(XmlError::UnsupportedVersion {
            version: version.into_owned(),
        }
        .into());
    }
    if let Some(encoding) = decl.encoding() {
        let encoding = encoding.map_err(|e| malformed(Part::Xml { position }, e.to_string()))?;
        if !encoding.eq_ignore_ascii_case("utf-8") {
            return Err(XmlError::NotUtf8.into());
        }
    }
    Ok(())
}

/// One open element on the builder's stack, with the prefixes it declared.
struct Open {
    id: NodeId,
}

struct Builder<'a> {
    reader: Reader<&'a [u8]>,
    limits: &'a Limits,
    nodes: Vec<Node>,
    stack: Vec<Open>,
    root: Option<NodeId>,
    root_closed: bool,
    ids: HashSet<String>,
}

impl<'a> Builder<'a> {
    fn new(text: &'a str, limits: &'a Limits) -> Self {
        let mut reader = Reader::from_str(text);
        let config = reader.config_mut();
        config.check_end_names = true;
        config.check_comments = true;
        config.allow_dangling_amp = false;
        config.allow_unmatched_ends = false;
        config.expand_empty_elements = false;
        config.trim_text(false);
        Builder {
            reader,
            limits,
            nodes: Vec::new(),
            stack: Vec::new(),
            root: None,
            root_closed: false,
            ids: HashSet::new(),
        }
    }

    fn position(&self) -> u64 {
        self.reader.buffer_position()
    }

    fn run(mut self) -> Result<Document, Error> {
        loop {
            let start_position = self.position();
            let event = match self.reader.read_event() {
                Ok(event) => event,
                Err(e) => {
                    return Err(malformed(
                        Part::Xml {
                            position: self.reader.error_position(),
                        },
                        e.to_string(),
                    ));
                }
            };
            if !self.event(event, start_position)? {
                break;
            }
        }
        self.finish()
    }

    /// Handles one event that starts at byte `position`. `Ok(false)` at the end of the input.
    fn event(&mut self, event: Event<'_>, position: u64) -> Result<bool, Error> {
        match event {
            Event::Decl(decl) => check_xml_declaration(&decl, position)?,
            Event::DocType(_) => return Err(XmlError::DoctypeForbidden.into()),
            Event::Start(start) => self.open(&start, position)?,
            Event::Empty(start) => {
                self.open(&start, position)?;
                self.close();
            }
            Event::End(_) => self.close(),
            Event::Text(text) => self.text(&text, position)?,
            Event::CData(cdata) => self.cdata(&cdata)?,
            Event::GeneralRef(reference) => self.reference(&reference, position)?,
            Event::Comment(comment) => self.comment(&comment)?,
            Event::PI(pi) => self.processing_instruction(&pi, position)?,
            Event::Eof => return Ok(false),
        }
        Ok(true)
    }

    /// The tree, once the input ended with every element closed.
    fn finish(self) -> Result<Document, Error> {
        if !self.stack.is_empty() {
            return Err(malformed(
                Part::Xml {
                    position: self.position(),
                },
                "unexpected end of document inside an element",
            ));
        }
        let root = self.root.ok_or(XmlError::NoRootElement)?;
        Ok(Document {
            nodes: self.nodes,
            root,
        })
    }

    /// Character data: only white space outside the root element.
    fn text(&mut self, raw: &str, position: u64) -> Result<(), Error> {
        if raw.contains("]]>") {
            return Err(malformed(Part::Xml { position }, "']]>' in text"));
        }
        if self.stack.is_empty() {
            if !raw.chars().all(is_xml_whitespace) {
                return Err(XmlError::ContentOutsideRoot.into());
            }
            return Ok(());
        }
        let mut normalized = String::with_capacity(raw.len());
        normalize_line_ends(raw, &mut normalized);
        self.append_text(&normalized)
    }

    /// A CDATA section: text, never outside the root element.
    fn cdata(&mut self, raw: &str) -> Result<(), Error> {
        if self.stack.is_empty() {
            return Err(XmlError::ContentOutsideRoot.into());
        }
        let mut normalized = String::with_capacity(raw.len());
        normalize_line_ends(raw, &mut normalized);
        self.append_text(&normalized)
    }

    /// A comment: kept inside the root element, dropped outside it.
    fn comment(&mut self, raw: &str) -> Result<(), Error> {
        if !self.stack.is_empty() {
            let mut normalized = String::with_capacity(raw.len());
            normalize_line_ends(raw, &mut normalized);
            self.push_node(NodeKind::Comment(normalized))?;
        }
        Ok(())
    }

    /// A processing instruction: its target checked everywhere, kept inside the root element.
    fn processing_instruction(&mut self, pi: &BytesPI<'_>, position: u64) -> Result<(), Error> {
        let target = pi.target();
        if target.eq_ignore_ascii_case("xml") || !is_ncname(target) {
            return Err(malformed(
                Part::Xml { position },
                "invalid processing instruction target",
            ));
        }
        if !self.stack.is_empty() {
            let mut data = String::new();
            normalize_line_ends(
                pi.content().trim_start_matches(is_xml_whitespace),
                &mut data,
            );
            let kind = NodeKind::ProcessingInstruction {
                target: target.to_owned(),
                data,
            };
            self.push_node(kind)?;
        }
        Ok(())
    }

    fn reference(&mut self, reference: &BytesRef<'_>, position: u64) -> Result<(), Error> {
        if self.stack.is_empty() {
            return Err(XmlError::ContentOutsideRoot.into());
        }
        let c = resolve_reference(reference).map_err(|e| match e {
            XmlError::InvalidCharacter { .. } => XmlError::InvalidCharacter { position },
            other => other,
        })?;
        let mut buf = [0u8; 4];
        self.append_text(c.encode_utf8(&mut buf))
    }

    fn check_node_budget(&self) -> Result<(), Error> {
        if self.nodes.len() >= self.limits.max_nodes {
            return Err(Error::LimitExceeded {
                limit: "max_nodes",
                max: self.limits.max_nodes,
            });
        }
        Ok(())
    }

    /// Adds a node as the last child of the current element.
    fn push_node(&mut self, kind: NodeKind) -> Result<NodeId, Error> {
        self.check_node_budget()?;
        let parent = self.stack.last().map(|o| o.id);
        let id = NodeId(
            u32::try_from(self.nodes.len()).map_err(|_| Error::LimitExceeded {
                limit: "max_nodes",
                max: self.limits.max_nodes,
            })?,
        );
        self.nodes.push(Node { parent, kind });
        if let Some(parent) = parent
            && let Some(Node {
                kind: NodeKind::Element(e),
                ..
            }) = self.nodes.get_mut(parent.index())
        {
            e.children.push(id);
        }
        Ok(id)
    }

    /// Appends character data, merging with a preceding text node.
    fn append_text(&mut self, text: &str) -> Result<(), Error> {
        let Some(parent) = self.stack.last().map(|o| o.id) else {
            return Err(XmlError::ContentOutsideRoot.into());
        };
        let last_child = match self.nodes.get(parent.index()) {
            Some(Node {
                kind: NodeKind::Element(e),
                ..
            }) => e.children.last().copied(),
            _ => None,
        };
        if let Some(last) = last_child
            && let Some(Node {
                kind: NodeKind::Text(existing),
                ..
            }) = self.nodes.get_mut(last.index())
        {
            existing.push_str(text);
            return Ok(());
        }
        self.push_node(NodeKind::Text(text.to_owned()))?;
        Ok(())
    }

    fn close(&mut self) {
        self.stack.pop();
        if self.stack.is_empty() {
            self.root_closed = true;
        }
    }

    /// Looks a prefix up in the open elements (innermost first) plus the element being opened.
    fn resolve_prefix(&self, own: &[NamespaceDecl], prefix: Option<&str>) -> Option<String> {
        if prefix == Some("xml") {
            return Some(XML_NAMESPACE.to_owned());
        }
        let lookup = |decls: &[NamespaceDecl]| {
            decls
                .iter()
                .find(|d| d.prefix.as_deref() == prefix)
                .map(|d| d.uri.clone())
        };
        if let Some(uri) = lookup(own) {
            return if uri.is_empty() { None } else { Some(uri) };
        }
        for open in self.stack.iter().rev() {
            if let Some(Node {
                kind: NodeKind::Element(e),
                ..
            }) = self.nodes.get(open.id.index())
                && let Some(uri) = lookup(&e.namespace_decls)
            {
                return if uri.is_empty() { None } else { Some(uri) };
            }
        }
        None
    }

    fn open(&mut self, start: &BytesStart<'_>, position: u64) -> Result<(), Error> {
        if self.root_closed {
            return Err(XmlError::ContentOutsideRoot.into());
        }
        if self.stack.len() >= self.limits.max_depth {
            return Err(Error::LimitExceeded {
                limit: "max_depth",
                max: self.limits.max_depth,
            });
        }
        self.check_node_budget()?;
        let qname = start.name();
        let qname: &str = qname.as_ref();
        if qname.len() > self.limits.max_name_bytes {
            return Err(Error::LimitExceeded {
                limit: "max_name_bytes",
                max: self.limits.max_name_bytes,
            });
        }
        let (prefix, local) = split_qname(qname)
            .ok_or_else(|| malformed(Part::Xml { position }, "invalid element name"))?;
        if prefix == Some("xmlns") {
            return Err(XmlError::InvalidNamespace {
                detail: "element with the prefix xmlns".into(),
            }
            .into());
        }

        if !attributes_are_separated(start.attributes_raw()) {
            return Err(malformed(
                Part::Xml { position },
                "attributes must be separated by white space",
            ));
        }
        let (decls, raw_attributes) = self.read_attributes(start, position)?;
        let namespace = match prefix {
            Some(p) => Some(self.resolve_prefix(&decls, Some(p)).ok_or_else(|| {
                XmlError::UndeclaredPrefix {
                    prefix: p.to_owned(),
                }
            })?),
            None => self.resolve_prefix(&decls, None),
        };

        let mut attributes = Vec::with_capacity(raw_attributes.len());
        for (attr_prefix, attr_local, value) in raw_attributes {
            let attr_namespace = match attr_prefix.as_deref() {
                None => None,
                Some(p) => Some(self.resolve_prefix(&decls, Some(p)).ok_or_else(|| {
                    XmlError::UndeclaredPrefix {
                        prefix: p.to_owned(),
                    }
                })?),
            };
            if attr_namespace.as_deref() == Some(XML_NAMESPACE)
                && !ALLOWED_XML_ATTRIBUTES.contains(&attr_local.as_str())
            {
                return Err(XmlError::InvalidNamespace {
                    detail: format!("the attribute xml:{attr_local} is not allowed"),
                }
                .into());
            }
            let duplicate = attributes
                .iter()
                .any(|a: &Attribute| a.local == attr_local && a.namespace == attr_namespace);
            if duplicate {
                return Err(XmlError::DuplicateAttribute { name: attr_local }.into());
            }
            if ID_LIKE_ATTRIBUTES.contains(&attr_local.as_str()) && !self.ids.insert(value.clone())
            {
                return Err(XmlError::DuplicateId { id: value }.into());
            }
            attributes.push(Attribute {
                prefix: attr_prefix,
                local: attr_local,
                namespace: attr_namespace,
                value,
            });
        }

        let element = Element {
            prefix: prefix.map(str::to_owned),
            local: local.to_owned(),
            namespace,
            namespace_decls: decls,
            attributes,
            children: Vec::new(),
        };
        let is_root = self.stack.is_empty();
        let id = self.push_node(NodeKind::Element(element))?;
        if is_root {
            self.root = Some(id);
        }
        self.stack.push(Open { id });
        Ok(())
    }

    /// Reads the attributes of a start tag: namespace declarations (checked) and the others as
    /// (prefix, local, normalized value), still unresolved.
    #[allow(clippy::type_complexity)]
    fn read_attributes(
        &self,
        start: &BytesStart<'_>,
        position: u64,
    ) -> Result<(Vec<NamespaceDecl>, Vec<(Option<String>, String, String)>), Error> {
        let mut decls: Vec<NamespaceDecl> = Vec::new();
        let mut others: Vec<(Option<String>, String, String)> = Vec::new();
        let mut count = 0usize;
        let max = self.limits.max_attributes_per_element;
        for attribute in start.attributes().with_checks(true) {
            count += 1;
            if count > max {
                return Err(Error::LimitExceeded {
                    limit: "max_attributes_per_element",
                    max,
                });
            }
            let attribute = attribute.map_err(|e| match e {
                quick_xml::events::attributes::AttrError::Duplicated(_, _) => {
                    Error::from(XmlError::DuplicateAttribute {
                        name: "(same qualified name)".into(),
                    })
                }
                other => malformed(Part::Xml { position }, other.to_string()),
            })?;
            let key: &str = attribute.key.as_ref();
            if key.len() > self.limits.max_name_bytes {
                return Err(Error::LimitExceeded {
                    limit: "max_name_bytes",
                    max: self.limits.max_name_bytes,
                });
            }
            let (prefix, local) = split_qname(key)
                .ok_or_else(|| malformed(Part::Xml { position }, "invalid attribute name"))?;
            let value = normalize_attribute_value(&attribute.value, position)?;
            match (prefix, local) {
                (None, "xmlns") => decls.push(check_declaration(None, value)?),
                (Some("xmlns"), declared) => decls.push(check_declaration(Some(declared), value)?),
                _ => others.push((prefix.map(str::to_owned), local.to_owned(), value)),
            }
        }
        // `xmlns:xml="…xml namespace"` is legal and meaningless: drop it (C14N never renders it).
        decls.retain(|d| d.prefix.as_deref() != Some("xml"));
        Ok((decls, others))
    }
}

/// True when every attribute value's closing quote is followed by white space or the end of the
/// tag (XML 1.0 §3.1: `<a x="1"y="2">` is not well-formed; quick-xml accepts it).
fn attributes_are_separated(raw: &str) -> bool {
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '"' || c == '\'' {
            if !chars.by_ref().any(|inner| inner == c) {
                return true; // unterminated: quick-xml reports the error itself
            }
            match chars.clone().next() {
                None | Some('/') => {}
                Some(next) if is_xml_whitespace(next) => {}
                Some(_) => return false,
            }
        }
    }
    true
}

/// Checks one namespace declaration (Namespaces in XML 1.0 §3 constraints plus URI policy).
fn check_declaration(prefix: Option<&str>, uri: String) -> Result<NamespaceDecl, Error> {
    let invalid = |detail: String| -> Error { XmlError::InvalidNamespace { detail }.into() };
    match prefix {
        Some("xmlns") => return Err(invalid("the prefix xmlns cannot be declared".into())),
        Some("xml") if uri != XML_NAMESPACE => {
            return Err(invalid("the prefix xml cannot be rebound".into()));
        }
        Some(p) if uri.is_empty() => {
            return Err(invalid(format!(
                "xmlns:{p}=\"\" (undeclaring a prefix is not allowed in XML 1.0)"
            )));
        }
        None if uri.is_empty() => return Ok(NamespaceDecl { prefix: None, uri }),
        _ => {}
    }
    if prefix != Some("xml") && (uri == XML_NAMESPACE || uri == XMLNS_NAMESPACE) {
        return Err(invalid(
            "a reserved namespace bound to another prefix".into(),
        ));
    }
    if !is_absolute_uri(&uri) {
        return Err(invalid(format!(
            "the namespace name {} is not an absolute ASCII URI",
            crate::error::quote(&uri)
        )));
    }
    Ok(NamespaceDecl {
        prefix: prefix.map(str::to_owned),
        uri,
    })
}

#[cfg(test)]
mod char_scan_tests {
    use super::{first_non_xml_char, is_xml_char};

    /// Every position of a word, and the tail after the last whole word: a refused character
    /// is found wherever it is, and the allowed controls and `EF` sequences are not refused.
    #[test]
    fn first_non_xml_char_at_every_offset() {
        for len in 0..27 {
            for at in 0..=len {
                let text = |c: &str| format!("{}{c}{}", "a".repeat(at), "b".repeat(len - at));
                for bad in ["\u{0}", "\u{1}", "\u{1F}", "\u{FFFE}", "\u{FFFF}"] {
                    assert_eq!(first_non_xml_char(&text(bad)), Some(at), "{bad:?} at {at}");
                }
                for good in [
                    "\t", "\n", "\r", " ", "\u{7F}", "\u{FEFF}", "\u{FFFD}", "\u{EFFF}",
                ] {
                    assert_eq!(first_non_xml_char(&text(good)), None, "{good:?} at {at}");
                }
            }
        }
    }

    /// The two-stage scan finds exactly what a scan of every character finds.
    #[test]
    fn first_non_xml_char_matches_the_char_scan() {
        let pieces = [
            "a",
            " ",
            "\t",
            "\n",
            "\r",
            "\u{0}",
            "\u{1}",
            "\u{8}",
            "\u{B}",
            "\u{C}",
            "\u{1F}",
            "\u{7F}",
            "\u{85}",
            "é",
            "\u{D7FF}",
            "\u{E000}",
            "\u{F000}",
            "\u{FEFF}",
            "\u{FFFD}",
            "\u{FFFE}",
            "\u{FFFF}",
            "\u{10000}",
            "\u{10FFFF}",
            "データ",
            "<x/>",
        ];
        let mut state = 7u64;
        for _ in 0..20_000 {
            let mut text = String::new();
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            let len = (state >> 60) as usize;
            for k in 0..len {
                let pick = ((state >> (4 * k % 56)) as usize) % pieces.len();
                text.push_str(pieces[pick]);
            }
            let expected = text
                .char_indices()
                .find(|&(_, c)| !is_xml_char(c))
                .map(|(i, _)| i);
            assert_eq!(first_non_xml_char(&text), expected, "{text:?}");
        }
    }
}
