//! A field's XML and awsQuery form: its element (or form key), the namespace it declares, and
//! how its value is laid out, decided from the member and its target shapes.

use crate::ir::{Member, Protocol, ReadAs, Shape, ShapeId, ShapeKind, TimestampFormat, XmlNamespace};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct XmlField {
    /// The member's element.
    pub element: String,
    /// The member's awsQuery form key (EC2 has its own).
    pub form_key: String,
    /// The namespace the member's element declares (a structure's own is its type's to write).
    pub namespace: Option<XmlNamespace>,
    /// Text as it is (a string or enum), so an attribute needs no parsing.
    pub text: bool,
    /// The value's layout as the member writes it, flattened if the member says so.
    pub layout: Layout,
    /// The value's layout inside an element of its own (a union's variant, a flattened item).
    pub nested: Layout,
    /// How a structure reads the member from one child element.
    pub read: XmlRead,
}

/// The runtime's `xml::Layout`: how a value sits in XML or in an awsQuery form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layout {
    /// Scalars (ISO 8601 timestamps too), structures, unions and enums.
    Plain,
    /// A timestamp in another format than ISO 8601.
    Timestamp(TimestampFormat),
    /// `flattened`: items without the list's element; `item`: the items' element, if the model names it.
    List { flattened: bool, item: Option<String>, items: Box<Layout> },
    /// `flattened`: entries without the map's element.
    Map { flattened: bool, key: String, value: String, values: Box<Layout> },
}

/// How a structure reads a member from one child element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum XmlRead {
    /// The whole value, in [`XmlField::nested`]'s layout.
    Whole,
    /// One item of a flattened list, added to the field.
    Item(Layout),
    /// One entry of a flattened map, added to the field.
    Entry { key: String, value: String, values: Layout },
    /// Encoded text, read decoded (see `Member::read_as`).
    Decoded(ReadAs),
}

impl XmlField {
    pub(crate) fn of(shapes: &BTreeMap<ShapeId, Shape>, protocol: Protocol, m: &Member) -> XmlField {
        let target = shapes.get(&m.target);
        let kind = target.map(|t| &t.kind);
        let element = element_name(target, m);
        let read = match kind {
            Some(ShapeKind::List { member }) if m.flattened => XmlRead::Item(layout(shapes, member, None, false)),
            Some(ShapeKind::Map { value, .. }) if m.flattened => {
                let (key, value_name) = entry_names(target);
                XmlRead::Entry { key, value: value_name, values: layout(shapes, value, None, false) }
            }
            _ if let Some(how) = m.read_as => XmlRead::Decoded(how),
            _ => XmlRead::Whole,
        };
        XmlField {
            form_key: form_key(protocol, m, &element),
            element,
            namespace: namespace(target, m),
            text: matches!(kind, Some(ShapeKind::String | ShapeKind::Enum(_))),
            layout: layout(shapes, &m.target, m.timestamp_format, m.flattened),
            nested: layout(shapes, &m.target, m.timestamp_format, false),
            read,
        }
    }
}

/// The member's element. A list flattened in its own definition (botocore style) names its
/// elements by its item name, unless the member names them.
fn element_name(target: Option<&Shape>, member: &Member) -> String {
    let named = member.wire_name != member.name;
    match target {
        Some(shape) if shape.xml_names.flattened && !named && matches!(shape.kind, ShapeKind::List { .. }) => {
            shape.xml_names.item.clone().unwrap_or_else(|| member.wire_name.clone())
        }
        _ => member.wire_name.clone(),
    }
}

/// The form key: the element name, except in EC2, whose keys are `queryName`, else the element
/// name capitalised (botocore's `EC2Serializer`).
fn form_key(protocol: Protocol, member: &Member, element: &str) -> String {
    if protocol != Protocol::Ec2Query {
        return element.to_owned();
    }
    member.query_name.clone().unwrap_or_else(|| capitalised(&member.wire_name))
}

fn capitalised(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The member's namespace, else its target's unless the target is a structure (whose `ToXml`
/// declares its own, after a member's of the same prefix).
fn namespace(target: Option<&Shape>, m: &Member) -> Option<XmlNamespace> {
    let target = target.filter(|t| !matches!(t.kind, ShapeKind::Structure(_)));
    m.xml_namespace.as_ref().or(target.and_then(|t| t.xml_namespace.as_ref())).cloned()
}

/// A map's key and value elements, `key` and `value` unless the model names them.
fn entry_names(map: Option<&Shape>) -> (String, String) {
    let names = map.map(|s| s.xml_names.clone()).unwrap_or_default();
    (names.key.unwrap_or_else(|| "key".to_owned()), names.value.unwrap_or_else(|| "value".to_owned()))
}

/// How a value of `target` is laid out. ISO 8601 is the timestamps' default both ways.
fn layout(
    shapes: &BTreeMap<ShapeId, Shape>,
    target: &str,
    timestamp_format: Option<TimestampFormat>,
    flattened: bool,
) -> Layout {
    let shape = shapes.get(target);
    match shape.map(|s| &s.kind) {
        Some(ShapeKind::Timestamp) => match timestamp_format {
            Some(format @ (TimestampFormat::EpochSeconds | TimestampFormat::HttpDate)) => Layout::Timestamp(format),
            _ => Layout::Plain,
        },
        Some(ShapeKind::List { member }) => Layout::List {
            flattened,
            item: shape.and_then(|s| s.xml_names.item.clone()),
            items: Box::new(layout(shapes, member, None, false)),
        },
        Some(ShapeKind::Map { value, .. }) => {
            let (key, value_name) = entry_names(shape);
            Layout::Map { flattened, key, value: value_name, values: Box::new(layout(shapes, value, None, false)) }
        }
        _ => Layout::Plain,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shapes() -> BTreeMap<ShapeId, Shape> {
        let mut items = Shape::new("Items", ShapeKind::List { member: "When".to_owned() });
        items.xml_names.item = Some("Item".to_owned());
        let mut flat = Shape::new("Flat", ShapeKind::List { member: "Name".to_owned() });
        flat.xml_names = crate::ir::XmlNames { item: Some("Entry".to_owned()), flattened: true, ..Default::default() };
        let mut tags = Shape::new("Tags", ShapeKind::Map { key: "Name".to_owned(), value: "Name".to_owned() });
        tags.xml_names.key = Some("K".to_owned());
        [items, flat, tags, Shape::new("Name", ShapeKind::String), Shape::new("When", ShapeKind::Timestamp)]
            .into_iter()
            .map(|s| (s.id.clone(), s))
            .collect()
    }

    fn xml(protocol: Protocol, member: &Member) -> XmlField {
        XmlField::of(&shapes(), protocol, member)
    }

    #[test]
    fn layouts_follow_the_targets_names_and_formats() {
        let mut items = Member::new("Items", "Items");
        items.timestamp_format = Some(TimestampFormat::EpochSeconds);
        let field = xml(Protocol::RestXml, &items);
        // The member's format is the list's, not its items' (which keep ISO 8601).
        assert_eq!(
            field.layout,
            Layout::List { flattened: false, item: Some("Item".to_owned()), items: Box::new(Layout::Plain) }
        );
        let mut when = Member::new("When", "When");
        when.timestamp_format = Some(TimestampFormat::HttpDate);
        assert_eq!(xml(Protocol::RestXml, &when).layout, Layout::Timestamp(TimestampFormat::HttpDate));
        when.timestamp_format = Some(TimestampFormat::DateTime);
        assert_eq!(xml(Protocol::RestXml, &when).layout, Layout::Plain);
    }

    #[test]
    fn flattened_members_read_one_item_or_entry_per_element() {
        let mut tags = Member::new("Tags", "Tags");
        tags.flattened = true;
        let field = xml(Protocol::RestXml, &tags);
        let entry = XmlRead::Entry { key: "K".to_owned(), value: "value".to_owned(), values: Layout::Plain };
        assert_eq!(field.read, entry);
        assert!(matches!(field.layout, Layout::Map { flattened: true, .. }));
        assert!(matches!(field.nested, Layout::Map { flattened: false, .. }));
        let mut encoded = Member::new("Policy", "Name");
        encoded.read_as = Some(ReadAs::UrlDecoded);
        assert_eq!(xml(Protocol::AwsQuery, &encoded).read, XmlRead::Decoded(ReadAs::UrlDecoded));
        assert!(xml(Protocol::AwsQuery, &encoded).text);
    }

    #[test]
    fn element_names_and_form_keys() {
        // A list flattened in its definition names its elements by its item name...
        assert_eq!(xml(Protocol::AwsQuery, &Member::new("Flat", "Flat")).element, "Entry");
        // ...unless the member names them.
        let mut named = Member::new("Flat", "Flat");
        named.wire_name = "Values".to_owned();
        assert_eq!(xml(Protocol::AwsQuery, &named).element, "Values");
        // EC2 capitalises the wire name, or takes the model's query name.
        let mut ec2 = Member::new("dryRun", "Name");
        assert_eq!(xml(Protocol::Ec2Query, &ec2).form_key, "DryRun");
        ec2.query_name = Some("Dry".to_owned());
        assert_eq!(xml(Protocol::Ec2Query, &ec2).form_key, "Dry");
        assert_eq!(xml(Protocol::AwsQuery, &ec2).form_key, "dryRun");
    }
}
