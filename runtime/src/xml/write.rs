//! Writing XML request bodies (restXml): `ToXml`, which generated types implement, and the
//! [`Writer`] they write into. Values are escaped; names come from the model, never from a value.

use super::Layout;
use crate::blob::Blob;
use crate::text::HttpValue;
use crate::time::{DateTime, TimestampFormat};
use std::collections::BTreeMap;

/// An XML document being written, element by element.
#[derive(Debug, Default)]
pub struct Writer {
    out: String,
    /// The last start tag is still open: attributes may follow.
    tag_open: bool,
    /// A namespace declaration for the next element (a member's `xmlNamespace`).
    pending_namespace: Option<(&'static str, &'static str)>,
    /// The attribute of the namespace the open tag got from its member, which its own
    /// declaration of the same prefix then gives way to (as in botocore).
    tag_namespace: Option<&'static str>,
    /// Whether anything but namespaces has been written inside the root element.
    content: bool,
}

impl Writer {
    pub fn new() -> Self {
        Writer::default()
    }

    /// Opens `<name`; attributes may follow until content or the end.
    pub fn start(&mut self, name: &str) {
        self.close_tag();
        self.content |= !self.out.is_empty();
        self.out.push('<');
        self.out.push_str(name);
        self.tag_open = true;
        self.tag_namespace = None;
        if let Some((attribute, uri)) = self.pending_namespace.take() {
            self.push_attribute(attribute, uri);
            self.tag_namespace = Some(attribute);
        }
    }

    /// `name="value"` on the element just opened.
    pub fn attribute(&mut self, name: &str, value: &str) {
        self.content = true;
        self.push_attribute(name, value);
    }

    /// `xmlns="uri"` (or `xmlns:prefix="uri"`) on the element just opened, unless its member
    /// declared that prefix already.
    pub fn namespace(&mut self, attribute: &str, uri: &str) {
        if self.tag_namespace != Some(attribute) {
            self.push_attribute(attribute, uri);
        }
    }

    pub fn text(&mut self, text: &str) {
        self.close_tag();
        self.content |= !text.is_empty();
        escape_into(&mut self.out, text, false);
    }

    pub fn end(&mut self, name: &str) {
        if std::mem::take(&mut self.tag_open) {
            self.out.push_str("/>");
        } else {
            self.out.push_str("</");
            self.out.push_str(name);
            self.out.push('>');
        }
    }

    /// `<name>text</name>`.
    pub fn scalar(&mut self, name: &str, text: &str) {
        self.start(name);
        self.text(text);
        self.end(name);
    }

    /// A structure member as the element `name` (nothing when it is unset).
    pub fn member<T: ToXml + ?Sized>(&mut self, name: &str, value: &T, layout: &Layout) {
        value.to_xml(self, name, layout);
    }

    /// A member whose element declares a namespace (`xmlns` or `xmlns:prefix`, and its URI).
    pub fn member_in<T: ToXml + ?Sized>(
        &mut self,
        name: &str,
        namespace: (&'static str, &'static str),
        value: &T,
        layout: &Layout,
    ) {
        self.pending_namespace = Some(namespace);
        value.to_xml(self, name, layout);
        self.pending_namespace = None;
    }

    /// A member written as an attribute of the element just opened (nothing when it is unset).
    pub fn attribute_member<T: ToXml + ?Sized>(&mut self, name: &str, value: &T) {
        if let Some(text) = value.text(&Layout::Plain) {
            self.attribute(name, &text);
        }
    }

    /// Whether the root element holds anything (an attribute, text or a child element).
    pub fn has_content(&self) -> bool {
        self.content
    }

    pub fn finish(self) -> String {
        self.out
    }

    fn push_attribute(&mut self, name: &str, value: &str) {
        debug_assert!(self.tag_open, "an attribute outside a start tag");
        self.out.push(' ');
        self.out.push_str(name);
        self.out.push_str("=\"");
        escape_into(&mut self.out, value, true);
        self.out.push('"');
    }

    fn close_tag(&mut self) {
        if std::mem::take(&mut self.tag_open) {
            self.out.push('>');
        }
    }
}

/// Escapes markup, and what XML would otherwise normalise away: line breaks (as botocore's
/// `escape_xml_payload` writes S3's keys and prefixes), and in attribute values also tabs.
fn escape_into(out: &mut String, text: &str, attribute: bool) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\r' => out.push_str("&#xD;"),
            '\n' => out.push_str("&#xA;"),
            '\t' if attribute => out.push_str("&#x9;"),
            c => out.push(c),
        }
    }
}

/// A value written as an XML element (or, for scalars and enums, as an attribute's text).
pub trait ToXml {
    /// The value as text: scalars and enums; `None` for anything else, and when unset.
    fn text(&self, _layout: &Layout) -> Option<String> {
        None
    }

    /// Writes the value as the element `name` (default: a scalar's text).
    fn to_xml(&self, w: &mut Writer, name: &str, layout: &Layout) {
        if let Some(text) = self.text(layout) {
            w.scalar(name, &text);
        }
    }
}

macro_rules! scalars {
    ($($t:ty),*) => {$(
        impl ToXml for $t {
            fn text(&self, _: &Layout) -> Option<String> {
                Some(self.http_value(TimestampFormat::DateTime))
            }
        }
    )*};
}
scalars!(String, str, bool, i32, i64, f32, f64);

impl ToXml for Blob {
    fn text(&self, _: &Layout) -> Option<String> {
        Some(crate::base64::encode(self.as_bytes()))
    }
}

/// ISO 8601 unless the model sets a format.
impl ToXml for DateTime {
    fn text(&self, layout: &Layout) -> Option<String> {
        let format = match layout {
            Layout::Timestamp(format) => *format,
            _ => TimestampFormat::DateTime,
        };
        Some(self.format(format))
    }
}

impl<T: ToXml> ToXml for Option<T> {
    fn text(&self, layout: &Layout) -> Option<String> {
        self.as_ref()?.text(layout)
    }

    fn to_xml(&self, w: &mut Writer, name: &str, layout: &Layout) {
        if let Some(value) = self {
            value.to_xml(w, name, layout);
        }
    }
}

impl<T: ToXml + ?Sized> ToXml for Box<T> {
    fn text(&self, layout: &Layout) -> Option<String> {
        (**self).text(layout)
    }

    fn to_xml(&self, w: &mut Writer, name: &str, layout: &Layout) {
        (**self).to_xml(w, name, layout);
    }
}

/// `<name><member>..</member>..</name>`, or flattened: one `<name>` per item.
impl<T: ToXml> ToXml for Vec<T> {
    fn to_xml(&self, w: &mut Writer, name: &str, layout: &Layout) {
        let Layout::List { member, items } = layout else { return self.to_xml(w, name, &Layout::LIST) };
        match member {
            None => self.iter().for_each(|item| item.to_xml(w, name, items)),
            Some(member) => {
                w.start(name);
                self.iter().for_each(|item| item.to_xml(w, member, items));
                w.end(name);
            }
        }
    }
}

/// `<name><entry><key>..</key><value>..</value></entry>..</name>`, or flattened: one `<name>`
/// per entry.
impl<K: ToXml, V: ToXml> ToXml for BTreeMap<K, V> {
    fn to_xml(&self, w: &mut Writer, name: &str, layout: &Layout) {
        let Layout::Map { entry, key, value, values } = layout else { return self.to_xml(w, name, &Layout::MAP) };
        let write_entry = |w: &mut Writer, entry: &str, (k, v): (&K, &V)| {
            w.start(entry);
            k.to_xml(w, key, &Layout::Plain);
            v.to_xml(w, value, values);
            w.end(entry);
        };
        match entry {
            None => self.iter().for_each(|pair| write_entry(w, name, pair)),
            Some(entry) => {
                w.start(name);
                self.iter().for_each(|pair| write_entry(w, entry, pair));
                w.end(name);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Grant {
        kind: Option<String>,
        id: Option<String>,
        tags: Vec<String>,
        flat: Option<Vec<i32>>,
        map: BTreeMap<String, String>,
        at: Option<DateTime>,
    }

    impl ToXml for Grant {
        fn to_xml(&self, w: &mut Writer, name: &str, _: &Layout) {
            w.start(name);
            w.namespace("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance");
            w.attribute_member("xsi:type", &self.kind);
            w.member("ID", &self.id, &Layout::Plain);
            w.member("Tags", &self.tags, &Layout::List { member: Some("Tag"), items: &Layout::Plain });
            w.member("Flat", &self.flat, &Layout::List { member: None, items: &Layout::Plain });
            w.member_in("Map", ("xmlns", "urn:m"), &self.map, &Layout::MAP);
            w.member("At", &self.at, &Layout::Timestamp(TimestampFormat::EpochSeconds));
            w.end(name);
        }
    }

    #[test]
    fn writes_attributes_namespaces_lists_and_maps() {
        let grant = Grant {
            kind: Some("Canonical\"User".to_owned()),
            id: Some("a<b & c>\r\n".to_owned()),
            tags: vec![],
            flat: Some(vec![1, 2]),
            map: BTreeMap::from([("k".to_owned(), "v".to_owned())]),
            at: Some(DateTime::from_secs(1422172800)),
        };
        let mut w = Writer::new();
        grant.to_xml(&mut w, "Grantee", &Layout::Plain);
        assert!(w.has_content());
        assert_eq!(
            w.finish(),
            "<Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"Canonical&quot;User\">\
             <ID>a&lt;b &amp; c&gt;&#xD;&#xA;</ID><Tags/><Flat>1</Flat><Flat>2</Flat>\
             <Map xmlns=\"urn:m\"><entry><key>k</key><value>v</value></entry></Map><At>1422172800</At></Grantee>"
        );
    }

    #[test]
    fn an_element_with_only_namespaces_has_no_content() {
        let mut w = Writer::new();
        w.start("Root");
        w.namespace("xmlns", "urn:x");
        w.member("Name", &None::<String>, &Layout::Plain);
        w.end("Root");
        assert!(!w.has_content());
        assert_eq!(w.finish(), "<Root xmlns=\"urn:x\"/>");
    }
}
