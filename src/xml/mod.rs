//! Strict, namespace-aware XML: an immutable arena tree built in one parse.
//!
//! [`Document::parse`] is the only way in. It refuses everything a SAML message never needs and an
//! attacker might use (DOCTYPE, undeclared prefixes, duplicate attributes by expanded name,
//! a second root, non-UTF-8 input, XML 1.1, forbidden characters, duplicate IDs) and enforces
//! [`crate::Limits`] while it reads. The resulting tree is never mutated: canonicalization,
//! signature verification and SAML field extraction all read the same nodes (invariant V1).

pub(crate) mod names;
mod parser;
pub mod writer;

pub use names::{is_absolute_uri, is_ncname};

/// The namespace URI bound to the reserved `xml` prefix.
pub const XML_NAMESPACE: &str = "http://www.w3.org/XML/1998/namespace";

/// Identifies one node of a [`Document`]. Only meaningful for the document that produced it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(u32);

impl NodeId {
    fn index(self) -> usize {
        self.0 as usize
    }
}

/// A namespace declaration written on an element (`xmlns="…"` or `xmlns:p="…"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamespaceDecl {
    /// The declared prefix; `None` for the default namespace.
    pub prefix: Option<String>,
    /// The namespace URI; empty only for `xmlns=""` (undeclaring the default namespace).
    pub uri: String,
}

/// An attribute (namespace declarations are kept apart, in [`Element::namespace_decls`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// The prefix as written, if any.
    pub prefix: Option<String>,
    /// The local name.
    pub local: String,
    /// The namespace URI; `None` for unprefixed attributes (they are in no namespace).
    pub namespace: Option<String>,
    /// The value after attribute-value normalization and reference expansion.
    pub value: String,
}

/// An element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    prefix: Option<String>,
    local: String,
    namespace: Option<String>,
    namespace_decls: Vec<NamespaceDecl>,
    attributes: Vec<Attribute>,
    children: Vec<NodeId>,
}

impl Element {
    /// The prefix as written, if any.
    pub fn prefix(&self) -> Option<&str> {
        self.prefix.as_deref()
    }

    /// The local name.
    pub fn local_name(&self) -> &str {
        &self.local
    }

    /// The namespace URI, if the element is in a namespace.
    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    /// True when the element's expanded name is `{namespace}local`.
    pub fn is(&self, namespace: &str, local: &str) -> bool {
        self.namespace.as_deref() == Some(namespace) && self.local == local
    }

    /// The expanded name as `{namespace}local` (or `local`), for messages.
    pub fn expanded_name(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{{{ns}}}{}", self.local),
            None => self.local.clone(),
        }
    }

    /// The qualified name as written (`prefix:local` or `local`).
    pub fn qualified_name(&self) -> String {
        match &self.prefix {
            Some(p) => format!("{p}:{}", self.local),
            None => self.local.clone(),
        }
    }

    /// The namespace declarations written on this element, in document order.
    pub fn namespace_decls(&self) -> &[NamespaceDecl] {
        &self.namespace_decls
    }

    /// The attributes (without namespace declarations), in document order.
    pub fn attributes(&self) -> &[Attribute] {
        &self.attributes
    }

    /// The value of the unqualified attribute `local` (no prefix, no namespace).
    pub fn attribute(&self, local: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.namespace.is_none() && a.local == local)
            .map(|a| a.value.as_str())
    }

    /// The value of the attribute `{namespace}local`.
    pub fn attribute_ns(&self, namespace: &str, local: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.namespace.as_deref() == Some(namespace) && a.local == local)
            .map(|a| a.value.as_str())
    }

    /// The child nodes, in document order.
    pub fn children(&self) -> &[NodeId] {
        &self.children
    }
}

/// What a node is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeKind {
    /// An element.
    Element(Element),
    /// Character data: text, CDATA sections and references, merged and with line ends normalized.
    Text(String),
    /// A comment (its content, without the delimiters).
    Comment(String),
    /// A processing instruction.
    ProcessingInstruction {
        /// The target.
        target: String,
        /// The content after the target and its separating white space.
        data: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Node {
    parent: Option<NodeId>,
    kind: NodeKind,
}

/// Stand-in returned for a [`NodeId`] that does not belong to the document (API misuse).
static MISSING: NodeKind = NodeKind::Text(String::new());

/// A parsed, immutable XML document: an arena of nodes under one root element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    nodes: Vec<Node>,
    root: NodeId,
}

impl Document {
    /// The root element.
    pub fn root(&self) -> NodeId {
        self.root
    }

    /// The kind of a node.
    pub fn kind(&self, id: NodeId) -> &NodeKind {
        self.nodes.get(id.index()).map_or(&MISSING, |n| &n.kind)
    }

    /// The element at `id`, if it is one.
    pub fn element(&self, id: NodeId) -> Option<&Element> {
        match self.kind(id) {
            NodeKind::Element(e) => Some(e),
            _ => None,
        }
    }

    /// The parent of a node (`None` for the root element).
    pub fn parent(&self, id: NodeId) -> Option<NodeId> {
        self.nodes.get(id.index()).and_then(|n| n.parent)
    }

    /// The child nodes of an element (empty for other nodes).
    pub fn children(&self, id: NodeId) -> &[NodeId] {
        self.element(id).map_or(&[], |e| e.children())
    }

    /// The element children of a node, in document order.
    pub fn child_elements(&self, id: NodeId) -> impl Iterator<Item = (NodeId, &Element)> + '_ {
        self.children(id)
            .iter()
            .filter_map(|&c| self.element(c).map(|e| (c, e)))
    }

    /// The element children named `{namespace}local`.
    pub fn children_named<'a>(
        &'a self,
        id: NodeId,
        namespace: &'a str,
        local: &'a str,
    ) -> impl Iterator<Item = (NodeId, &'a Element)> + 'a {
        self.child_elements(id)
            .filter(move |(_, e)| e.is(namespace, local))
    }

    /// All nodes below `id` (not `id` itself), in document order.
    pub fn descendants(&self, id: NodeId) -> Descendants<'_> {
        let mut stack: Vec<NodeId> = self.children(id).to_vec();
        stack.reverse();
        Descendants { doc: self, stack }
    }

    /// The character content of an element: its text children concatenated in document order
    /// (text, CDATA and references are already merged), skipping comments and processing
    /// instructions, and not descending into child elements (invariant V12).
    pub fn text(&self, id: NodeId) -> String {
        let mut out = String::new();
        for &child in self.children(id) {
            if let NodeKind::Text(t) = self.kind(child) {
                out.push_str(t);
            }
        }
        out
    }

    /// True when the element has at least one element child.
    pub fn has_child_elements(&self, id: NodeId) -> bool {
        self.child_elements(id).next().is_some()
    }

    /// True when `ancestor` is `node` or one of its ancestors.
    pub fn is_ancestor_or_self(&self, ancestor: NodeId, node: NodeId) -> bool {
        let mut current = Some(node);
        while let Some(n) = current {
            if n == ancestor {
                return true;
            }
            current = self.parent(n);
        }
        false
    }

    /// The namespace URI bound to `prefix` (`None` = the default namespace) in scope at `id`.
    /// Returns `None` when nothing is bound (an `xmlns=""` undeclaration counts as unbound).
    pub fn lookup_namespace(&self, id: NodeId, prefix: Option<&str>) -> Option<&str> {
        if prefix == Some("xml") {
            return Some(XML_NAMESPACE);
        }
        let mut current = Some(id);
        while let Some(n) = current {
            if let Some(e) = self.element(n)
                && let Some(d) = e
                    .namespace_decls
                    .iter()
                    .find(|d| d.prefix.as_deref() == prefix)
            {
                return if d.uri.is_empty() {
                    None
                } else {
                    Some(d.uri.as_str())
                };
            }
            current = self.parent(n);
        }
        None
    }

    /// Parses `input` (UTF-8, optionally with a BOM) under `limits`.
    pub fn parse(input: &[u8], limits: &crate::Limits) -> Result<Document, crate::Error> {
        parser::parse(input, limits)
    }
}

/// Iterator over the descendants of a node, in document order.
pub struct Descendants<'a> {
    doc: &'a Document,
    stack: Vec<NodeId>,
}

impl Iterator for Descendants<'_> {
    type Item = NodeId;

    fn next(&mut self) -> Option<NodeId> {
        let id = self.stack.pop()?;
        let children = self.doc.children(id);
        self.stack.extend(children.iter().rev());
        Some(id)
    }
}

#[cfg(test)]
mod tests;
