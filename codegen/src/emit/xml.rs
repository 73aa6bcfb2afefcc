//! XML bodies: every structure and enum a crate receives as XML (awsQuery, EC2, restXml) reads
//! itself from it (`FromXml`); every one a restXml crate sends writes itself (`ToXml`; awsQuery
//! writes forms, see `query`). Generated code only names elements, attributes, namespaces and
//! layouts; walking lists, maps, scalars and the XML itself is the runtime's.

use super::types::ident;
use super::{rt, Ctx};
use crate::ir::{Binding, Member, Shape, ShapeKind, TimestampFormat, XmlNamespace};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// Whether an output member is read from the body: a member bound to a label or the query has
/// no other place in a response (botocore reads it there too).
pub(super) fn read_from_body(m: &Member) -> bool {
    use Binding::*;
    matches!(m.binding, Body | Label | Query | QueryList | QueryMap | QueryMapOfLists)
}

/// The members that travel in the body (in awsQuery and EC2: all of them).
pub(super) fn body_members(shape: &Shape) -> Vec<&Member> {
    shape.members().iter().filter(|m| m.binding == Binding::Body).collect()
}

/// `use ::awsgen_runtime::{query, xml};`, as far as the impls use them: the lowercase module
/// names can't collide with a generated type.
pub(super) fn with_imports(impls: TokenStream) -> TokenStream {
    let rt = rt::runtime();
    let text = impls.to_string();
    let modules: Vec<Ident> =
        ["query", "xml"].into_iter().filter(|module| text.contains(&format!("{module} ::"))).map(ident).collect();
    match modules.as_slice() {
        [] => impls,
        [module] => quote! { use #rt::#module; #impls },
        _ => quote! { use #rt::{#(#modules),*}; #impls },
    }
}

/// A structure writes its element: its namespace, its attribute members, then its element members.
pub(super) fn to_xml_struct(
    ctx: &Ctx,
    name: &Ident,
    members: &[&Member],
    namespace: Option<&XmlNamespace>,
) -> TokenStream {
    let namespace = namespace.map(|ns| {
        let (attribute, uri) = (ns.attribute(), &ns.uri);
        quote! { w.namespace(#attribute, #uri); }
    });
    let (attributes, mut elements): (Vec<&Member>, Vec<&Member>) = members.iter().partition(|m| m.xml_attribute);
    elements.sort_by_key(|m| m.declared_at);
    let attributes = attributes.iter().map(|m| {
        let (field, name) = (ident(&m.rust_name), &m.wire_name);
        quote! { w.attribute_member(#name, &self.#field); }
    });
    let elements = elements.iter().map(|m| {
        let field = ident(&m.rust_name);
        write_member(ctx, m, quote! { &self.#field })
    });
    quote! {
        impl xml::ToXml for #name {
            fn to_xml(&self, w: &mut xml::Writer, name: &str, _: &xml::Layout) {
                w.start(name);
                #namespace
                #(#attributes)*
                #(#elements)*
                w.end(name);
            }
        }
    }
}

/// `w.member(element, value, layout)`, or `member_in` when the member declares a namespace of
/// its own (a structure's own namespace is its `ToXml`'s to write).
fn write_member(ctx: &Ctx, m: &Member, value: TokenStream) -> TokenStream {
    let element = element_name(ctx, m);
    let layout = layout(ctx, &m.target, m.timestamp_format, m.flattened);
    match member_namespace(ctx, m) {
        Some(ns) => {
            let (attribute, uri) = (ns.attribute(), &ns.uri);
            quote! { w.member_in(#element, (#attribute, #uri), #value, &#layout); }
        }
        None => quote! { w.member(#element, #value, &#layout); },
    }
}

/// The namespace a member's element declares: the member's, else its target's unless the target
/// is a structure (whose `ToXml` declares its own, after a member's of the same prefix).
pub(super) fn member_namespace<'a>(ctx: &'a Ctx, m: &'a Member) -> Option<&'a XmlNamespace> {
    let target = ctx.service.shapes.get(&m.target).filter(|t| !matches!(t.kind, ShapeKind::Structure(_)));
    m.xml_namespace.as_ref().or(target.and_then(|t| t.xml_namespace.as_ref()))
}

/// A union writes its one set member inside its element.
pub(super) fn to_xml_union(ctx: &Ctx, name: &Ident, members: &[Member]) -> TokenStream {
    let arms = members.iter().map(|m| {
        let variant = ident(&m.rust_name);
        let write = write_member(ctx, m, quote! { value });
        quote! { Self::#variant(value) => { #write } }
    });
    quote! {
        impl xml::ToXml for #name {
            fn to_xml(&self, w: &mut xml::Writer, name: &str, _: &xml::Layout) {
                w.start(name);
                match self {
                    #(#arms)*
                    Self::Unknown => {}
                }
                w.end(name);
            }
        }
    }
}

pub(super) fn to_xml_enum(name: &Ident) -> TokenStream {
    quote! {
        impl xml::ToXml for #name {
            fn text(&self, _: &xml::Layout) -> Option<String> {
                Some(self.as_str().to_owned())
            }
        }
    }
}

/// An attribute member: strings and enums take the text as it is, other scalars parse it.
fn read_attribute(ctx: &Ctx, m: &Member) -> TokenStream {
    let (field, name) = (ident(&m.rust_name), &m.wire_name);
    let text =
        matches!(ctx.service.shapes.get(&m.target).map(|s| &s.kind), Some(ShapeKind::String | ShapeKind::Enum(_)));
    match (text, m.optional) {
        (true, true) => quote! { value.#field = node.attribute(#name).map(Into::into); },
        (true, false) => quote! {
            if let Some(text) = node.attribute(#name) {
                value.#field = text.into();
            }
        },
        (false, true) => quote! { value.#field = node.attribute_value(#name)?; },
        (false, false) => quote! {
            if let Some(parsed) = node.attribute_value(#name)? {
                value.#field = parsed;
            }
        },
    }
}

pub(super) fn from_xml_struct(ctx: &Ctx, name: &Ident, members: &[&Member]) -> TokenStream {
    let (attributes, elements): (Vec<&Member>, Vec<&Member>) = members.iter().partition(|m| m.xml_attribute);
    let read_attributes = attributes.iter().map(|m| read_attribute(ctx, m));
    let mut seen = std::collections::BTreeSet::new();
    let arms: Vec<(String, TokenStream)> = elements
        .iter()
        .filter(|m| seen.insert(element_name(ctx, m)))
        .map(|m| {
            let field = ident(&m.rust_name);
            let element = element_name(ctx, m);
            let kind = ctx.service.shapes.get(&m.target).map(|s| &s.kind);
            let read = match kind {
                // A flattened list or map: each element is one item or entry, added to the field.
                Some(ShapeKind::List { member }) if m.flattened => {
                    let items = layout(ctx, member, None, false);
                    quote! { xml::add(&mut value.#field, child.parse_with(&#items)?) }
                }
                Some(ShapeKind::Map { value, .. }) if m.flattened => {
                    let (key_name, value_name) = entry_names(ctx, &m.target);
                    let values = layout(ctx, value, None, false);
                    quote! { xml::add(&mut value.#field, child.entry(#key_name, #value_name, &#values)?) }
                }
                _ if m.url_encoded => quote! { value.#field = child.parse_with(&xml::Layout::UrlEncoded)? },
                _ => match layout(ctx, &m.target, m.timestamp_format, false) {
                    plain if plain.to_string() == quote! { xml::Layout::Plain }.to_string() => {
                        quote! { value.#field = child.parse()? }
                    }
                    layout => quote! { value.#field = child.parse_with(&#layout)? },
                },
            };
            (element, read)
        })
        .collect();
    // One member: a filter, not a `match` with one arm (clippy: single_match).
    let read_children = match arms.as_slice() {
        [] => quote! {},
        [(element, read)] => quote! {
            for child in node.children().filter(|child| child.name() == #element) {
                #read;
            }
        },
        _ => {
            let (elements, reads): (Vec<&String>, Vec<&TokenStream>) = arms.iter().map(|(e, r)| (e, r)).unzip();
            quote! {
                for child in node.children() {
                    match child.name() {
                        #(#elements => #reads,)*
                        _ => {}
                    }
                }
            }
        }
    };
    if members.is_empty() {
        return quote! {
            impl xml::FromXml for #name {
                fn from_xml(_: xml::Node<'_>, _: &xml::Layout) -> Result<Self, xml::XmlError> {
                    Ok(Self::default())
                }
            }
        };
    }
    quote! {
        impl xml::FromXml for #name {
            fn from_xml(node: xml::Node<'_>, _: &xml::Layout) -> Result<Self, xml::XmlError> {
                let mut value = Self::default();
                #(#read_attributes)*
                #read_children
                Ok(value)
            }
        }
    }
}

/// A union reads as its first child element that names a member; anything else is `Unknown`.
pub(super) fn from_xml_union(ctx: &Ctx, name: &Ident, members: &[Member]) -> TokenStream {
    let arms = members.iter().map(|m| {
        let (variant, element) = (ident(&m.rust_name), element_name(ctx, m));
        let layout = layout(ctx, &m.target, m.timestamp_format, false);
        quote! { #element => Self::#variant(child.parse_with(&#layout)?), }
    });
    quote! {
        impl xml::FromXml for #name {
            fn from_xml(node: xml::Node<'_>, _: &xml::Layout) -> Result<Self, xml::XmlError> {
                for child in node.children() {
                    let value = match child.name() {
                        #(#arms)*
                        _ => continue,
                    };
                    return Ok(value);
                }
                Ok(Self::Unknown)
            }
        }
    }
}

pub(super) fn from_xml_enum(name: &Ident) -> TokenStream {
    quote! {
        impl xml::FromXml for #name {
            fn from_xml(node: xml::Node<'_>, _: &xml::Layout) -> Result<Self, xml::XmlError> {
                Ok(Self::from(node.text()))
            }
        }
    }
}

/// The member's element (and form key). A list flattened in its own definition (botocore style)
/// names its elements by its item name, unless the member names them.
pub(super) fn element_name(ctx: &Ctx, member: &Member) -> String {
    let target = ctx.service.shapes.get(&member.target);
    let named = member.wire_name != member.name;
    match target {
        Some(shape) if shape.xml_names.flattened && !named && matches!(shape.kind, ShapeKind::List { .. }) => {
            shape.xml_names.item.clone().unwrap_or_else(|| member.wire_name.clone())
        }
        _ => member.wire_name.clone(),
    }
}

pub(super) fn entry_names(ctx: &Ctx, map: &str) -> (String, String) {
    let names = ctx.service.shapes.get(map).map(|s| s.xml_names.clone()).unwrap_or_default();
    (names.key.unwrap_or_else(|| "key".to_owned()), names.value.unwrap_or_else(|| "value".to_owned()))
}

/// How a value of `target` is laid out: the runtime's `Layout`, spelled as a constant expression.
pub(super) fn layout(
    ctx: &Ctx,
    target: &str,
    timestamp_format: Option<TimestampFormat>,
    flattened: bool,
) -> TokenStream {
    let shape = ctx.service.shapes.get(target);
    match shape.map(|s| &s.kind) {
        // ISO 8601 is the default both ways.
        Some(ShapeKind::Timestamp) => {
            let rt = rt::runtime();
            match timestamp_format {
                Some(TimestampFormat::EpochSeconds) => {
                    quote! { xml::Layout::Timestamp(#rt::TimestampFormat::EpochSeconds) }
                }
                Some(TimestampFormat::HttpDate) => quote! { xml::Layout::Timestamp(#rt::TimestampFormat::HttpDate) },
                _ => quote! { xml::Layout::Plain },
            }
        }
        Some(ShapeKind::List { member }) => {
            let item = shape.and_then(|s| s.xml_names.item.as_deref());
            let items = layout(ctx, member, None, false);
            match (flattened, item) {
                (false, None) if items.to_string() == quote! { xml::Layout::Plain }.to_string() => {
                    quote! { xml::Layout::LIST }
                }
                (true, _) => quote! { xml::Layout::List { member: None, items: &#items } },
                (false, item) => {
                    let item = item.unwrap_or("member");
                    quote! { xml::Layout::List { member: Some(#item), items: &#items } }
                }
            }
        }
        Some(ShapeKind::Map { value, .. }) => {
            let (key_name, value_name) = entry_names(ctx, target);
            let values = layout(ctx, value, None, false);
            let plain = values.to_string() == quote! { xml::Layout::Plain }.to_string();
            if !flattened && plain && key_name == "key" && value_name == "value" {
                return quote! { xml::Layout::MAP };
            }
            let entry = if flattened {
                quote! { None }
            } else {
                quote! { Some("entry") }
            };
            quote! { xml::Layout::Map { entry: #entry, key: #key_name, value: #value_name, values: &#values } }
        }
        _ => quote! { xml::Layout::Plain },
    }
}
