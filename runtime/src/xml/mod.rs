//! A small XML reader for AWS responses, and `FromXml`, which generated types implement; the
//! writer of request bodies (restXml) is in [`write`].
//!
//! The body is tokenized by `xmlparser` (no DTDs, no entity expansion, no recursion) into a
//! flat tree. A hostile body gets a typed [`XmlError`], never a panic: a DTD is refused, only
//! the five predefined entities and character references are known, nesting is capped at
//! [`MAX_DEPTH`], and the body itself is already capped by the client's response size limit.
//! Errors name the element path (`AssumeRoleResponse/AssumeRoleResult/Credentials`), never a value.

use crate::blob::Blob;
use crate::time::{DateTime, TimestampFormat};
use crate::FromHttpValue;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

mod write;
pub use write::{ToXml, Writer};

/// Elements nested deeper than this are refused (AWS responses nest a dozen or so).
pub const MAX_DEPTH: usize = 100;

/// What is wrong with a body, and where; never what the body held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlError(String);

impl XmlError {
    fn at(path: &str, problem: &str) -> Self {
        XmlError(if path.is_empty() { problem.to_owned() } else { format!("at {path}: {problem}") })
    }
}

impl fmt::Display for XmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for XmlError {}

/// How a value is laid out: what the Rust type alone doesn't say (list and map element names,
/// flattening, a timestamp format). Shared by XML bodies and awsQuery forms.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Layout {
    /// A scalar in its default format, or a structure (which lays out its own members).
    Plain,
    /// A timestamp in the format the model sets.
    Timestamp(TimestampFormat),
    /// Text the service percent-encodes (IAM's policy documents), read decoded.
    UrlEncoded,
    /// Text the service base64-encodes (EC2's console output), read decoded; bytes that are not
    /// UTF-8 are replaced, and text that is not base64 is kept as it came.
    Base64Text,
    /// A list whose elements are named `member` (`None`: flattened, no wrapper).
    List { member: Option<&'static str>, items: &'static Layout },
    /// A map of `entry` elements (`None`: flattened) holding a key and a value element.
    Map { entry: Option<&'static str>, key: &'static str, value: &'static str, values: &'static Layout },
}

impl Layout {
    pub const LIST: Layout = Layout::List { member: Some("member"), items: &Layout::Plain };
    pub const MAP: Layout = Layout::Map { entry: Some("entry"), key: "key", value: "value", values: &Layout::Plain };
}

/// A parsed document: elements in document order, linked to their parent, children and siblings.
#[derive(Debug)]
pub struct Document<'a> {
    elements: Vec<Element<'a>>,
}

#[derive(Debug)]
struct Element<'a> {
    /// The local name: a namespace prefix is dropped, as botocore does.
    name: &'a str,
    text: Cow<'a, str>,
    /// `(prefix, local name, value)`, in document order.
    attributes: Vec<(&'a str, &'a str, Cow<'a, str>)>,
    parent: Option<usize>,
    first_child: Option<usize>,
    next_sibling: Option<usize>,
}

impl<'a> Document<'a> {
    pub fn parse(text: &'a str) -> Result<Self, XmlError> {
        use xmlparser::{ElementEnd, Token};
        let mut elements: Vec<Element<'a>> = Vec::new();
        // Open elements, each with its last child so far.
        let mut open: Vec<(usize, Option<usize>)> = Vec::new();
        for token in xmlparser::Tokenizer::from(text) {
            let token = token.map_err(|e| {
                let pos = e.pos();
                XmlError(format!("the body is not well-formed XML (line {}, column {})", pos.row, pos.col))
            })?;
            match token {
                Token::DtdStart { .. } | Token::EmptyDtd { .. } | Token::EntityDeclaration { .. } => {
                    return Err(XmlError("a DTD is not allowed".to_owned()));
                }
                Token::ElementStart { local, .. } => {
                    if open.len() >= MAX_DEPTH {
                        return Err(XmlError(format!("elements nest deeper than {MAX_DEPTH}")));
                    }
                    let parent = open.last().map(|&(index, _)| index);
                    if parent.is_none() && !elements.is_empty() {
                        return Err(XmlError("the body has more than one root element".to_owned()));
                    }
                    let index = elements.len();
                    elements.push(Element {
                        name: local.as_str(),
                        text: Cow::Borrowed(""),
                        attributes: Vec::new(),
                        parent,
                        first_child: None,
                        next_sibling: None,
                    });
                    if let Some((parent, last_child)) = open.last_mut() {
                        match last_child.replace(index) {
                            Some(previous) => elements[previous].next_sibling = Some(index),
                            None => elements[*parent].first_child = Some(index),
                        }
                    }
                    open.push((index, None));
                }
                Token::Attribute { prefix, local, value, .. } => {
                    let Some(&(index, _)) = open.last() else { continue };
                    let value = unescape(value.as_str()).ok_or_else(|| {
                        XmlError::at(&path(&elements, index), "unknown entity or character reference")
                    })?;
                    elements[index].attributes.push((prefix.as_str(), local.as_str(), value));
                }
                Token::ElementEnd { end: ElementEnd::Open, .. } => {}
                Token::ElementEnd { end: ElementEnd::Empty, .. } => {
                    open.pop();
                }
                Token::ElementEnd { end: ElementEnd::Close(_, local), .. } => {
                    let Some((index, _)) = open.pop() else {
                        return Err(XmlError("a closing tag has no opening tag".to_owned()));
                    };
                    if elements[index].name != local.as_str() {
                        return Err(XmlError::at(&path(&elements, index), "the closing tag does not match"));
                    }
                }
                Token::Text { text } | Token::Cdata { text, .. } if !open.is_empty() => {
                    let index = open.last().map_or(0, |&(index, _)| index);
                    let raw = text.as_str();
                    let piece = if matches!(token, Token::Text { .. }) {
                        unescape(raw).ok_or_else(|| {
                            XmlError::at(&path(&elements, index), "unknown entity or character reference")
                        })?
                    } else {
                        Cow::Borrowed(raw)
                    };
                    let element = &mut elements[index];
                    if element.text.is_empty() {
                        element.text = piece;
                    } else {
                        element.text.to_mut().push_str(&piece);
                    }
                }
                // Declarations, comments, processing instructions and whitespace
                // outside the root say nothing an output needs.
                _ => {}
            }
        }
        if let Some(&(index, _)) = open.last() {
            return Err(XmlError::at(&path(&elements, index), "the body ends inside this element"));
        }
        if elements.is_empty() {
            return Err(XmlError("the body has no root element".to_owned()));
        }
        Ok(Document { elements })
    }

    pub fn root(&self) -> Node<'_> {
        Node { doc: self, index: 0 }
    }
}

/// `A/B/C`: the names from the root to an element.
fn path(elements: &[Element], mut index: usize) -> String {
    let mut names = vec![elements[index].name];
    while let Some(parent) = elements[index].parent {
        names.push(elements[parent].name);
        index = parent;
    }
    names.reverse();
    names.join("/")
}

/// Resolves the predefined entities and character references; `None` on any other reference.
fn unescape(raw: &str) -> Option<Cow<'_, str>> {
    if !raw.contains('&') {
        return Some(Cow::Borrowed(raw));
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let end = rest[at..].find(';')? + at;
        let entity = &rest[at + 1..end];
        let c = match entity {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = match entity.strip_prefix("#x").or_else(|| entity.strip_prefix("#X")) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                    None => entity.strip_prefix('#')?.parse().ok()?,
                };
                char::from_u32(code)?
            }
        };
        out.push(c);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Some(Cow::Owned(out))
}

/// One element of a [`Document`].
#[derive(Debug, Clone, Copy)]
pub struct Node<'a> {
    doc: &'a Document<'a>,
    index: usize,
}

impl<'a> Node<'a> {
    fn element(&self) -> &'a Element<'a> {
        &self.doc.elements[self.index]
    }

    pub fn name(&self) -> &'a str {
        self.element().name
    }

    /// The text directly inside the element, entities resolved; `""` when there is none.
    pub fn text(&self) -> &'a str {
        &self.element().text
    }

    /// The attribute `name` (`prefix:local` or `local`), entities resolved.
    pub fn attribute(&self, name: &str) -> Option<&'a str> {
        let (prefix, local) = name.split_once(':').unwrap_or(("", name));
        let attributes = &self.element().attributes;
        attributes.iter().find(|(p, l, _)| *p == prefix && *l == local).map(|(_, _, value)| value.as_ref())
    }

    /// The attribute `name` as a scalar other than a string.
    pub fn attribute_value<T: FromHttpValue>(&self, name: &str) -> Result<Option<T>, XmlError> {
        let Some(text) = self.attribute(name) else { return Ok(None) };
        T::from_http_value(text, TimestampFormat::DateTime)
            .map(Some)
            .map_err(|_| self.error(&format!("attribute {name}: not a valid value")))
    }

    /// Every attribute as `(prefix, local name, value)`.
    pub fn attributes(&self) -> impl Iterator<Item = (&'a str, &'a str, &'a str)> + 'a {
        self.element().attributes.iter().map(|(p, l, v)| (*p, *l, v.as_ref()))
    }

    pub fn children(&self) -> impl Iterator<Item = Node<'a>> + 'a {
        let doc = self.doc;
        std::iter::successors(self.element().first_child, move |&i| doc.elements[i].next_sibling)
            .map(move |index| Node { doc, index })
    }

    /// The first child element named `name`.
    pub fn child(&self, name: &str) -> Option<Node<'a>> {
        self.children().find(|child| child.name() == name)
    }

    /// `A/B/C`, for error messages.
    pub fn path(&self) -> String {
        path(&self.doc.elements, self.index)
    }

    /// An error about this element.
    pub fn error(&self, problem: &str) -> XmlError {
        XmlError::at(&self.path(), problem)
    }

    /// The element as a scalar or structure in its default layout.
    pub fn parse<T: FromXml>(self) -> Result<T, XmlError> {
        T::from_xml(self, &Layout::Plain)
    }

    pub fn parse_with<T: FromXml>(self, layout: &Layout) -> Result<T, XmlError> {
        T::from_xml(self, layout)
    }

    /// A map entry: the key and value child elements of this element.
    pub fn entry<K: FromXml, V: FromXml>(self, key: &str, value: &str, values: &Layout) -> Result<(K, V), XmlError> {
        let key = self.child(key).ok_or_else(|| self.error("a map entry has no key"))?;
        let value = self.child(value).ok_or_else(|| self.error("a map entry has no value"))?;
        Ok((key.parse()?, value.parse_with(values)?))
    }
}

/// A value read from an XML element.
pub trait FromXml: Sized {
    fn from_xml(node: Node<'_>, layout: &Layout) -> Result<Self, XmlError>;
}

macro_rules! scalars {
    ($($t:ty => $what:literal),*) => {$(
        impl FromXml for $t {
            fn from_xml(node: Node<'_>, _: &Layout) -> Result<Self, XmlError> {
                <$t>::from_http_value(node.text(), TimestampFormat::DateTime)
                    .map_err(|_| node.error(concat!("expected ", $what)))
            }
        }
    )*};
}
/// Text, percent-decoded where the layout says the service encodes it.
impl FromXml for String {
    fn from_xml(node: Node<'_>, layout: &Layout) -> Result<Self, XmlError> {
        match layout {
            Layout::UrlEncoded => Ok(crate::percent::percent_decode(node.text())),
            Layout::Base64Text => Ok(match crate::base64::decode(node.text().trim()) {
                Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                Err(_) => node.text().to_owned(),
            }),
            _ => Ok(node.text().to_owned()),
        }
    }
}

scalars!(bool => "a boolean", i32 => "a whole number", i64 => "a whole number",
    f32 => "a number", f64 => "a number", Blob => "base64");

impl FromXml for DateTime {
    /// The model's format (ISO 8601 if it sets none) first, then the other two (botocore reads
    /// any of them).
    fn from_xml(node: Node<'_>, layout: &Layout) -> Result<Self, XmlError> {
        let declared = match layout {
            Layout::Timestamp(format) => *format,
            _ => TimestampFormat::DateTime,
        };
        DateTime::parse_lenient(node.text(), declared).map_err(|_| node.error("expected a timestamp"))
    }
}

impl<T: FromXml> FromXml for Option<T> {
    fn from_xml(node: Node<'_>, layout: &Layout) -> Result<Self, XmlError> {
        T::from_xml(node, layout).map(Some)
    }
}

impl<T: FromXml> FromXml for Box<T> {
    fn from_xml(node: Node<'_>, layout: &Layout) -> Result<Self, XmlError> {
        T::from_xml(node, layout).map(Box::new)
    }
}

/// A wrapped list: every child element is an item, whatever its name (botocore reads it so).
impl<T: FromXml> FromXml for Vec<T> {
    fn from_xml(node: Node<'_>, layout: &Layout) -> Result<Self, XmlError> {
        let items = match layout {
            Layout::List { items, .. } => items,
            _ => &Layout::Plain,
        };
        node.children().map(|child| child.parse_with(items)).collect()
    }
}

/// A wrapped map: every child element is an entry.
impl<K: FromXml + Ord, V: FromXml> FromXml for BTreeMap<K, V> {
    fn from_xml(node: Node<'_>, layout: &Layout) -> Result<Self, XmlError> {
        let Layout::Map { key, value, values, .. } = layout else {
            return FromXml::from_xml(node, &Layout::MAP);
        };
        node.children().map(|entry| entry.entry(key, value, values)).collect()
    }
}

/// A list or map field that a flattened member's elements are added to, one by one.
pub trait Collect<T> {
    fn add(&mut self, item: T);
}

impl<T> Collect<T> for Vec<T> {
    fn add(&mut self, item: T) {
        self.push(item);
    }
}

impl<T> Collect<T> for Option<Vec<T>> {
    fn add(&mut self, item: T) {
        self.get_or_insert_with(Vec::new).push(item);
    }
}

impl<K: Ord, V> Collect<(K, V)> for BTreeMap<K, V> {
    fn add(&mut self, (key, value): (K, V)) {
        self.insert(key, value);
    }
}

impl<K: Ord, V> Collect<(K, V)> for Option<BTreeMap<K, V>> {
    fn add(&mut self, (key, value): (K, V)) {
        self.get_or_insert_with(BTreeMap::new).insert(key, value);
    }
}

/// Adds one element of a flattened list or map to its field.
pub fn add<T>(field: &mut impl Collect<T>, item: T) {
    field.add(item);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_names_text_and_children() {
        let doc = Document::parse(
            r#"<?xml version="1.0"?><a:R xmlns:a="x"><!-- c --><B>1 &amp; &#50;&#x33;</B><C><![CDATA[<raw>]]></C><D/></a:R>"#,
        )
        .unwrap();
        let root = doc.root();
        assert_eq!(root.name(), "R");
        let names: Vec<&str> = root.children().map(|c| c.name()).collect();
        assert_eq!(names, ["B", "C", "D"]);
        assert_eq!(root.child("B").unwrap().text(), "1 & 23");
        assert_eq!(root.child("C").unwrap().text(), "<raw>");
        assert_eq!(root.child("D").unwrap().text(), "");
        assert_eq!(root.child("C").unwrap().path(), "R/C");
    }

    #[test]
    fn base64_text_reads_decoded_and_anything_else_as_it_came() {
        let doc = Document::parse("<R><A>aGVsbG8g/w==</A><B> not base64! </B></R>").unwrap();
        let read = |name: &str| doc.root().child(name).unwrap().parse_with::<String>(&Layout::Base64Text).unwrap();
        assert_eq!(read("A"), "hello \u{fffd}", "a byte that is not UTF-8 is replaced");
        assert_eq!(read("B"), " not base64! ");
    }

    #[test]
    fn url_encoded_text_reads_decoded_and_timestamps_in_any_format() {
        let doc = Document::parse(
            "<R><P>%7B%22Version%22%3A%20%222012-10-17%22%7D+x</P><Bad>%7 %+F%</Bad><T>1577934245</T></R>",
        )
        .unwrap();
        let read = |name: &str| doc.root().child(name).unwrap();
        assert_eq!(read("P").parse_with::<String>(&Layout::UrlEncoded).unwrap(), r#"{"Version": "2012-10-17"}+x"#);
        assert_eq!(read("P").parse::<String>().unwrap(), "%7B%22Version%22%3A%20%222012-10-17%22%7D+x");
        // Bad escapes stay as they are, as Python's `unquote` leaves them.
        assert_eq!(read("Bad").parse_with::<String>(&Layout::UrlEncoded).unwrap(), "%7 %+F%");
        // Declared ISO 8601 (the default), sent as epoch seconds.
        assert_eq!(read("T").parse::<DateTime>().unwrap(), DateTime::from_secs(1_577_934_245));
    }

    #[test]
    fn hostile_bodies_are_typed_errors() {
        let laughs = r#"<!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><l>&b;</l>"#;
        assert_eq!(Document::parse(laughs).unwrap_err().to_string(), "a DTD is not allowed");
        let unknown = Document::parse("<l><m>&secret;</m></l>").unwrap_err().to_string();
        assert_eq!(unknown, "at l/m: unknown entity or character reference");
        let deep = format!("{}{}", "<a>".repeat(200_000), "</a>".repeat(200_000));
        assert_eq!(Document::parse(&deep).unwrap_err().to_string(), "elements nest deeper than 100");
        assert!(Document::parse("<a><b></a>").unwrap_err().to_string().contains("at a/b: the closing tag"));
        assert!(Document::parse("<a><b>").unwrap_err().to_string().contains("ends inside"));
        assert!(Document::parse("<a/><b/>").is_err());
        assert!(Document::parse("").is_err());
        let garbage = Document::parse("<a>hunter2<").unwrap_err().to_string();
        assert!(garbage.starts_with("the body is not well-formed XML") && !garbage.contains("hunter2"), "{garbage}");
        assert!(Document::parse("<a>&#xD800;</a>").is_err());
    }

    #[test]
    fn values_name_the_path_never_the_value() {
        let doc = Document::parse("<R><N>hunter2</N><T>2014-04-29T18:30:38Z</T><E>1398796238</E></R>").unwrap();
        let n = doc.root().child("N").unwrap();
        assert_eq!(n.parse::<i32>().unwrap_err().to_string(), "at R/N: expected a whole number");
        let t: DateTime = doc.root().child("T").unwrap().parse().unwrap();
        assert_eq!(t.secs(), 1398796238);
        let e: DateTime =
            doc.root().child("E").unwrap().parse_with(&Layout::Timestamp(TimestampFormat::EpochSeconds)).unwrap();
        assert_eq!(e, t);
    }

    #[test]
    fn lists_and_maps() {
        let doc = Document::parse(
            "<R><L><member>1</member><item>2</item></L><M><entry><k>a</k><v>x</v></entry></M><F><key>b</key><value>y</value></F></R>",
        )
        .unwrap();
        let list: Vec<i32> = doc.root().child("L").unwrap().parse_with(&Layout::LIST).unwrap();
        assert_eq!(list, [1, 2]);
        let layout = Layout::Map { entry: Some("entry"), key: "k", value: "v", values: &Layout::Plain };
        let map: BTreeMap<String, String> = doc.root().child("M").unwrap().parse_with(&layout).unwrap();
        assert_eq!(map, BTreeMap::from([("a".to_owned(), "x".to_owned())]));
        let mut flattened: Option<BTreeMap<String, String>> = None;
        add(&mut flattened, doc.root().child("F").unwrap().entry("key", "value", &Layout::Plain).unwrap());
        assert_eq!(flattened.unwrap()["b"], "y");
    }
}
