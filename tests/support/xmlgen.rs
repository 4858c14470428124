//! A seeded generator of random namespace-heavy XML documents, shared by the c14n differential
//! test and the property tests: prefix redefinitions, default namespaces and `xmlns=""`, `xml:`
//! attributes, one local name in several namespaces, comments, processing instructions, CDATA,
//! predefined entities and character references, literal TAB/CR/LF and `&#9;&#10;&#13;` in
//! attribute values, CRLF line ends, non-ASCII text and names. A few documents are invalid on
//! purpose (relative or non-ASCII namespace names, duplicate attributes by expanded name).
#![allow(dead_code)]

/// SplitMix64: small, seedable, good enough for test generation.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn percent(&mut self, p: usize) -> bool {
        self.below(100) < p
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

pub const PREFIXES: &[&str] = &["a", "b", "c", "ds", "saml", "p1", "ü"];
const URIS: &[&str] = &[
    "urn:a",
    "urn:b",
    "urn:oasis:names:tc:SAML:2.0:assertion",
    "http://www.w3.org/2000/09/xmldsig#",
    "http://example.com/ns",
    "http://example.com/ns?x=1&y='2'",
    "https://example.com/a/b#frag",
];
/// Namespace names our parser refuses on purpose (V13): generated rarely, counted as skipped.
const BAD_URIS: &[&str] = &["relative/path", "1", "http://example.com/é"];
const LOCAL_NAMES: &[&str] = &[
    "r",
    "e",
    "Assertion",
    "Signature",
    "x",
    "Élément",
    "データ",
    "a-b.c_d",
];
const ATTRIBUTE_NAMES: &[&str] = &["attr", "z", "name", "A", "b", "Recipient"];
const ID_NAMES: &[&str] = &["ID", "Id", "id"];

const TEXT_PIECES: &[&str] = &[
    "text",
    " ",
    "user@example.com",
    "é",
    "日本語",
    "😀",
    "\u{200B}",
    "&amp;",
    "&lt;",
    "&gt;",
    "&quot;",
    "&apos;",
    "&#9;",
    "&#10;",
    "&#13;",
    "&#x41;",
    "&#233;",
    "&#x1F600;",
    "&#xD;&#xA;",
    "\n",
    "\r\n",
    "\r",
    "\t",
    ">",
    "'",
    "\"",
    "  indented\n  ",
];
const ATTRIBUTE_PIECES: &[&str] = &[
    "v", " ", "a b", "é", "日本", "&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#9;", "&#10;",
    "&#13;", "&#x20;", "&#xA0;", "\t", "\n", "\r\n", "\r", ">", "]]>", "#", "😀",
];

/// One generated document and what to canonicalize in it.
pub struct Case {
    /// The document (UTF-8).
    pub xml: String,
    /// Index of the apex element in document order (0 = the root).
    pub apex: usize,
    /// Canonicalize with comments.
    pub with_comments: bool,
    /// The InclusiveNamespaces PrefixList.
    pub prefixes: Vec<String>,
}

struct Generator {
    rng: Rng,
    out: String,
    elements: usize,
    ids: usize,
    /// Namespace scopes of the open elements: (prefix, uri); prefix None = default.
    scopes: Vec<Vec<(Option<String>, String)>>,
}

impl Generator {
    fn lookup(&self, prefix: Option<&str>) -> Option<&str> {
        for scope in self.scopes.iter().rev() {
            if let Some((_, uri)) = scope.iter().rev().find(|(p, _)| p.as_deref() == prefix) {
                return Some(uri.as_str());
            }
        }
        None
    }

    fn uri(&mut self) -> String {
        if self.rng.below(1000) < 3 {
            (*self.rng.pick(BAD_URIS)).to_owned()
        } else {
            (*self.rng.pick(URIS)).to_owned()
        }
    }

    fn text_value(&mut self, pieces: &[&str], max: usize) -> String {
        let n = self.rng.below(max + 1);
        let mut s = String::new();
        for _ in 0..n {
            let piece: &str = self.rng.pick::<&str>(pieces);
            s.push_str(piece);
        }
        s
    }

    fn attribute_value(&mut self, quote: char) -> String {
        let mut v = self.text_value(ATTRIBUTE_PIECES, 5);
        // The quote character itself only as a reference; the other one literally.
        if self.rng.percent(20) {
            v.push(if quote == '"' { '\'' } else { '"' });
        }
        v
    }

    fn escape_uri(uri: &str, quote: char) -> String {
        let s = uri.replace('&', "&amp;");
        if quote == '"' {
            s.replace('"', "&quot;")
        } else {
            s.replace('\'', "&apos;")
        }
    }

    fn element(&mut self, depth: usize) {
        self.elements += 1;
        let mut decls: Vec<(Option<String>, String)> = Vec::new();
        for _ in 0..self.rng.below(4) {
            let prefix = if self.rng.percent(30) {
                None
            } else {
                Some((*self.rng.pick(PREFIXES)).to_owned())
            };
            if decls.iter().any(|(p, _)| *p == prefix) {
                continue;
            }
            let uri = if prefix.is_none() && self.rng.percent(35) {
                String::new()
            } else {
                self.uri()
            };
            decls.push((prefix, uri));
        }
        self.scopes.push(Vec::new());
        for d in &decls {
            self.scopes.last_mut().unwrap().push(d.clone());
        }
        let ensure = |g: &mut Generator, decls: &mut Vec<(Option<String>, String)>, p: &str| {
            if g.lookup(Some(p)).is_none() {
                let uri = g.uri();
                decls.push((Some(p.to_owned()), uri.clone()));
                g.scopes.last_mut().unwrap().push((Some(p.to_owned()), uri));
            }
        };
        let prefix = if self.rng.percent(45) {
            let p = *self.rng.pick(PREFIXES);
            ensure(self, &mut decls, p);
            Some(p)
        } else {
            None
        };
        let local = *self.rng.pick(LOCAL_NAMES);
        let qname = match prefix {
            Some(p) => format!("{p}:{local}"),
            None => local.to_owned(),
        };

        // Attributes: (qualified name, value), unique by expanded name.
        let mut attributes: Vec<(String, String, char)> = Vec::new();
        let mut expanded: Vec<(String, String)> = Vec::new();
        for _ in 0..self.rng.below(6) {
            let quote = if self.rng.percent(30) { '\'' } else { '"' };
            let (name, ns, local) = match self.rng.below(10) {
                0..=3 => {
                    let local = *self.rng.pick(ATTRIBUTE_NAMES);
                    (local.to_owned(), String::new(), local.to_owned())
                }
                4..=6 => {
                    let p = *self.rng.pick(PREFIXES);
                    ensure(self, &mut decls, p);
                    let ns = self.lookup(Some(p)).unwrap_or_default().to_owned();
                    let local = *self.rng.pick(ATTRIBUTE_NAMES);
                    (format!("{p}:{local}"), ns, local.to_owned())
                }
                7 => {
                    let local = *self.rng.pick(&["lang", "space", "base", "id"]);
                    (
                        format!("xml:{local}"),
                        "http://www.w3.org/XML/1998/namespace".to_owned(),
                        local.to_owned(),
                    )
                }
                _ => {
                    let local = *self.rng.pick(ID_NAMES);
                    (local.to_owned(), String::new(), local.to_owned())
                }
            };
            if expanded.contains(&(ns.clone(), local.clone())) && !self.rng.percent(2) {
                continue;
            }
            let value = if ID_NAMES.contains(&local.as_str()) {
                self.ids += 1;
                format!("_id{}", self.ids)
            } else if name == "xml:space" {
                (*self.rng.pick(&["preserve", "default"])).to_owned()
            } else {
                self.attribute_value(quote)
            };
            expanded.push((ns, local));
            attributes.push((name, value, quote));
        }

        // Start tag: declarations and attributes interleaved in random order, random quotes.
        let mut items: Vec<String> = Vec::new();
        for (p, uri) in &decls {
            let quote = if self.rng.percent(30) { '\'' } else { '"' };
            let name = match p {
                Some(p) => format!("xmlns:{p}"),
                None => "xmlns".to_owned(),
            };
            items.push(format!(
                "{name}={quote}{}{quote}",
                Self::escape_uri(uri, quote)
            ));
        }
        for (name, value, quote) in &attributes {
            items.push(format!("{name}={quote}{value}{quote}"));
        }
        for i in (1..items.len()).rev() {
            let j = self.rng.below(i + 1);
            items.swap(i, j);
        }
        self.out.push('<');
        self.out.push_str(&qname);
        for item in &items {
            let sep = *self.rng.pick(&[" ", " ", "\n  ", "\t", "\r\n "]);
            self.out.push_str(sep);
            self.out.push_str(item);
        }
        if self.rng.percent(5) {
            self.out.push(' ');
        }
        let children = if depth >= 5 { 0 } else { self.rng.below(6) };
        if children == 0 && self.rng.percent(50) {
            self.out.push_str("/>");
            self.scopes.pop();
            return;
        }
        self.out.push('>');
        for _ in 0..children {
            match self.rng.below(12) {
                0..=4 => self.element(depth + 1),
                5..=7 => {
                    let t = self.text_value(TEXT_PIECES, 6);
                    self.out.push_str(&t);
                }
                8 => {
                    let t = self.text_value(&["a", "<b>", "&amp;", "\r\n", "]", "é", " "], 6);
                    self.out.push_str(&format!("<![CDATA[{t}]]>"));
                }
                9 => {
                    let t = self.text_value(&["c", " ", "-", "<", "&", "\r\n", "é", "x-y"], 6);
                    let mut t = t;
                    while t.contains("--") {
                        t = t.replace("--", "- -");
                    }
                    let t = if t.ends_with('-') { format!("{t} ") } else { t };
                    self.out.push_str(&format!("<!--{t}-->"));
                }
                10 => {
                    let target = *self.rng.pick(&["pi", "xml-stylesheet", "t.1"]);
                    let data = self.text_value(&["d", " ", "a=\"1\"", "\r\n", "é", "?"], 4);
                    let data = data.replace("?>", "? >");
                    let sep = if data.is_empty() || self.rng.percent(50) {
                        " "
                    } else {
                        "  "
                    };
                    if data.trim().is_empty() && self.rng.percent(50) {
                        self.out.push_str(&format!("<?{target}?>"));
                    } else {
                        self.out.push_str(&format!("<?{target}{sep}{data}?>"));
                    }
                }
                _ => {
                    let ws = *self.rng.pick(&["\n", "\r\n", "\n    ", "\t", " "]);
                    self.out.push_str(ws);
                }
            }
        }
        self.out.push_str(&format!("</{qname}>"));
        self.scopes.pop();
    }
}

/// A random document from `seed`, with a random apex, comments flag and PrefixList.
pub fn generate(seed: u64) -> Case {
    let mut g = Generator {
        rng: Rng(seed),
        out: String::new(),
        elements: 0,
        ids: 0,
        scopes: Vec::new(),
    };
    if g.rng.percent(40) {
        g.out
            .push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    }
    if g.rng.percent(20) {
        g.out.push_str("<!-- before the root --><?pi before?>\n");
    }
    g.element(0);
    if g.rng.percent(20) {
        g.out.push_str("\n<!-- after the root -->\n");
    }
    let mut xml = g.out;
    if g.rng.percent(15) {
        xml = xml.replace("\r\n", "\n").replace('\n', "\r\n");
    }
    let apex = g.rng.below(g.elements);
    let with_comments = g.rng.percent(30);
    let mut prefixes: Vec<String> = Vec::new();
    if g.rng.percent(50) {
        for p in PREFIXES.iter().chain(&["#default", "undeclared"]) {
            if g.rng.percent(30) {
                prefixes.push((*p).to_owned());
            }
        }
    }
    Case {
        xml,
        apex,
        with_comments,
        prefixes,
    }
}
