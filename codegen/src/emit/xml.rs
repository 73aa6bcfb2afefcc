//! XML bodies: every structure and enum a crate receives as XML (awsQuery, EC2, restXml) reads
//! itself from it (`FromXml`); every one a restXml crate sends writes itself (`ToXml`; awsQuery
//! writes forms, see `query`). Generated code only names elements, attributes, namespaces and
//! layouts; walking lists, maps, scalars and the XML itself is the runtime's.

use super::rt;
use super::types::ident;
use crate::ir::{Binding, Member, ReadAs, TimestampFormat, XmlNamespace};
use crate::plan::{FieldPlan, Layout, TypePlan, XmlRead};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// Whether an output member is read from the body: a member bound to a label or the query has
/// no other place in a response (botocore reads it there too).
pub(super) fn read_from_body(m: &Member) -> bool {
    use Binding::*;
    matches!(m.binding, Body | Label | Query | QueryList | QueryMap | QueryMapOfLists)
}

/// The members that travel in the body (in awsQuery and EC2: all of them).
pub(super) fn body_members(ty: &TypePlan) -> Vec<&FieldPlan> {
    ty.fields.iter().filter(|f| f.binding == Binding::Body).collect()
}

/// The impls with the runtime modules they name in scope: `xml` in every codec impl (`ToQuery`
/// takes an `xml::Layout` too), `query` in `ToQuery`'s. The lowercase module names can't
/// collide with a generated type.
pub(super) fn with_imports(impls: Option<TokenStream>, to_query: bool) -> TokenStream {
    let rt = rt::runtime();
    match (impls, to_query) {
        (None, _) => quote! {},
        (Some(impls), false) => quote! { use #rt::xml; #impls },
        (Some(impls), true) => quote! { use #rt::{query, xml}; #impls },
    }
}

/// A structure writes its element: its namespace, its attribute members, then its element members.
pub(super) fn to_xml_struct(name: &Ident, members: &[&FieldPlan], namespace: Option<&XmlNamespace>) -> TokenStream {
    let namespace = namespace.map(|ns| {
        let (attribute, uri) = (ns.attribute(), &ns.uri);
        quote! { w.namespace(#attribute, #uri); }
    });
    let (attributes, mut elements): (Vec<&FieldPlan>, Vec<&FieldPlan>) = members.iter().partition(|m| m.xml_attribute);
    elements.sort_by_key(|m| m.declared_at);
    let attributes = attributes.iter().map(|m| {
        let (field, name) = (ident(&m.rust_name), &m.wire_name);
        quote! { w.attribute_member(#name, &self.#field); }
    });
    let elements = elements.iter().map(|m| {
        let field = ident(&m.rust_name);
        write_member(m, quote! { &self.#field })
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
fn write_member(m: &FieldPlan, value: TokenStream) -> TokenStream {
    let element = &m.xml.element;
    let layout = layout(&m.xml.layout);
    match &m.xml.namespace {
        Some(ns) => {
            let (attribute, uri) = (ns.attribute(), &ns.uri);
            quote! { w.member_in(#element, (#attribute, #uri), #value, &#layout); }
        }
        None => quote! { w.member(#element, #value, &#layout); },
    }
}

/// A union writes its one set member inside its element.
pub(super) fn to_xml_union(name: &Ident, members: &[FieldPlan]) -> TokenStream {
    let arms = members.iter().map(|m| {
        let variant = ident(&m.rust_name);
        let write = write_member(m, quote! { value });
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
fn read_attribute(m: &FieldPlan) -> TokenStream {
    let (field, name) = (ident(&m.rust_name), &m.wire_name);
    match (m.xml.text, m.optional) {
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

pub(super) fn from_xml_struct(name: &Ident, members: &[&FieldPlan]) -> TokenStream {
    let (attributes, elements): (Vec<&FieldPlan>, Vec<&FieldPlan>) = members.iter().partition(|m| m.xml_attribute);
    let read_attributes = attributes.iter().map(|m| read_attribute(m));
    let mut seen = std::collections::BTreeSet::new();
    let arms: Vec<(String, TokenStream)> = elements
        .iter()
        .filter(|m| seen.insert(&m.xml.element))
        .map(|m| {
            let field = ident(&m.rust_name);
            let read = match &m.xml.read {
                // A flattened list or map: each element is one item or entry, added to the field.
                XmlRead::Item(items) => {
                    let items = layout(items);
                    quote! { xml::add(&mut value.#field, child.parse_with(&#items)?) }
                }
                XmlRead::Entry { key, value, values } => {
                    let values = layout(values);
                    quote! { xml::add(&mut value.#field, child.entry(#key, #value, &#values)?) }
                }
                XmlRead::Decoded(ReadAs::UrlDecoded) => {
                    quote! { value.#field = child.parse_with(&xml::Layout::UrlEncoded)? }
                }
                XmlRead::Decoded(ReadAs::Base64Decoded) => {
                    quote! { value.#field = child.parse_with(&xml::Layout::Base64Text)? }
                }
                XmlRead::Whole if m.xml.nested == Layout::Plain => quote! { value.#field = child.parse()? },
                XmlRead::Whole => {
                    let layout = layout(&m.xml.nested);
                    quote! { value.#field = child.parse_with(&#layout)? }
                }
            };
            (m.xml.element.clone(), read)
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
pub(super) fn from_xml_union(name: &Ident, members: &[FieldPlan]) -> TokenStream {
    let arms = members.iter().map(|m| {
        let (variant, element) = (ident(&m.rust_name), &m.xml.element);
        let layout = layout(&m.xml.nested);
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

/// The runtime's `xml::Layout` for a planned layout, as a constant expression (the default
/// list and map layouts by the runtime's names for them).
pub(super) fn layout(layout: &Layout) -> TokenStream {
    let rt = rt::runtime();
    match layout {
        Layout::Plain => quote! { xml::Layout::Plain },
        Layout::Timestamp(TimestampFormat::EpochSeconds) => {
            quote! { xml::Layout::Timestamp(#rt::TimestampFormat::EpochSeconds) }
        }
        Layout::Timestamp(_) => quote! { xml::Layout::Timestamp(#rt::TimestampFormat::HttpDate) },
        Layout::List { flattened: false, item: None, items } if **items == Layout::Plain => {
            quote! { xml::Layout::LIST }
        }
        Layout::List { flattened, item, items } => {
            let items = self::layout(items);
            let member = match (flattened, item) {
                (true, _) => quote! { None },
                (false, item) => {
                    let item = item.as_deref().unwrap_or("member");
                    quote! { Some(#item) }
                }
            };
            quote! { xml::Layout::List { member: #member, items: &#items } }
        }
        Layout::Map { flattened: false, key, value, values }
            if **values == Layout::Plain && key == "key" && value == "value" =>
        {
            quote! { xml::Layout::MAP }
        }
        Layout::Map { flattened, key, value, values } => {
            let values = self::layout(values);
            let entry = if *flattened {
                quote! { None }
            } else {
                quote! { Some("entry") }
            };
            quote! { xml::Layout::Map { entry: #entry, key: #key, value: #value, values: &#values } }
        }
    }
}
