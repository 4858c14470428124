//! A small XML writer for the messages saml-edge produces (AuthnRequest, metadata).
//!
//! Output is built from trusted templates plus escaped values; nothing here parses.

/// `value` with every character for which `replacement` gives a string replaced by it: the one
/// loop behind the escaping functions, each of which is a table.
pub(crate) fn escape_with(
    value: &str,
    replacement: impl Fn(char) -> Option<&'static str>,
) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match replacement(c) {
            Some(escaped) => out.push_str(escaped),
            None => out.push(c),
        }
    }
    out
}

/// Escapes character data for use between tags (`&`, `<`, `>`; CR as `&#xD;`).
pub fn escape_text(value: &str) -> String {
    escape_with(value, |c| match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '\r' => Some("&#xD;"),
        _ => None,
    })
}

/// Escapes a value for a double-quoted attribute (`&`, `<`, `"`, and white space that attribute
/// normalization would otherwise turn into spaces).
pub fn escape_attribute(value: &str) -> String {
    escape_with(value, |c| match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '"' => Some("&quot;"),
        '\t' => Some("&#x9;"),
        '\n' => Some("&#xA;"),
        '\r' => Some("&#xD;"),
        _ => None,
    })
}

/// Renders a document indented for people (the `inspect` command): one element per line,
/// short text kept inline, comments and processing instructions shown. Not canonical.
pub fn pretty(doc: &super::Document) -> String {
    let mut out = String::new();
    pretty_node(doc, doc.root(), 0, &mut out);
    out
}

fn pretty_node(doc: &super::Document, id: super::NodeId, depth: usize, out: &mut String) {
    use super::NodeKind;
    let indent = "  ".repeat(depth);
    match doc.kind(id) {
        NodeKind::Element(e) => {
            out.push_str(&indent);
            out.push('<');
            out.push_str(&e.qualified_name());
            for d in e.namespace_decls() {
                match &d.prefix {
                    Some(p) => {
                        out.push_str(&format!(" xmlns:{p}=\"{}\"", escape_attribute(&d.uri)))
                    }
                    None => out.push_str(&format!(" xmlns=\"{}\"", escape_attribute(&d.uri))),
                }
            }
            for a in e.attributes() {
                let name = match &a.prefix {
                    Some(p) => format!("{p}:{}", a.local),
                    None => a.local.clone(),
                };
                out.push_str(&format!(" {name}=\"{}\"", escape_attribute(&a.value)));
            }
            let children: Vec<_> = e
                .children()
                .iter()
                .copied()
                .filter(|&c| !matches!(doc.kind(c), NodeKind::Text(t) if t.trim().is_empty()))
                .collect();
            if children.is_empty() {
                out.push_str("/>\n");
            } else if let [only] = children.as_slice() {
                if let NodeKind::Text(t) = doc.kind(*only) {
                    out.push('>');
                    out.push_str(&escape_text(t));
                    out.push_str(&format!("</{}>\n", e.qualified_name()));
                    return;
                }
                out.push_str(">\n");
                pretty_node(doc, *only, depth + 1, out);
                out.push_str(&format!("{indent}</{}>\n", e.qualified_name()));
            } else {
                out.push_str(">\n");
                for child in children {
                    pretty_node(doc, child, depth + 1, out);
                }
                out.push_str(&format!("{indent}</{}>\n", e.qualified_name()));
            }
        }
        NodeKind::Text(t) => out.push_str(&format!("{indent}{}\n", escape_text(t.trim()))),
        NodeKind::Comment(c) => out.push_str(&format!("{indent}<!--{c}-->\n")),
        NodeKind::ProcessingInstruction { target, data } => {
            out.push_str(&format!("{indent}<?{target} {data}?>\n"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape_text("a<b>&c\r"), "a&lt;b&gt;&amp;c&#xD;");
        assert_eq!(
            escape_attribute("\"x\"\n\t<&"),
            "&quot;x&quot;&#xA;&#x9;&lt;&amp;"
        );
    }
}
