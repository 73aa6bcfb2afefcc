//! awsQuery: every structure and enum the crate sends writes itself into a form (`ToQuery`),
//! every one it receives reads itself from XML (`FromXml`). Generated code only names elements
//! and layouts; walking lists, maps, scalars and the XML itself is the runtime's. EC2 differs
//! in its form keys (see `form_key`), in its lists (the runtime's) and in having no result wrapper.

use super::operations::{host_prefix, members};
use super::types::ident;
use super::{rt, Ctx};
use crate::ir::{Member, Operation, Protocol, Shape, ShapeKind, TimestampFormat};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// `Request::aws_query(action, version, input)` (EC2: `ec2_query`), with the host prefix if the
/// operation has one.
pub(crate) fn request(ctx: &Ctx, op: &Operation, input: &Shape) -> TokenStream {
    let rt = rt::runtime();
    let (action, version) = (&op.name, &ctx.service.api_version);
    let request = match ctx.service.protocol {
        Protocol::Ec2Query => quote! { #rt::Request::ec2_query(#action, #version, self) },
        _ => quote! { #rt::Request::aws_query(#action, #version, self) },
    };
    match host_prefix(op, input) {
        Some(prefix) => quote! { #request #prefix },
        None => quote! { Ok(#request) },
    }
}

/// The output's members from the result wrapper, and the request id from `ResponseMetadata`
/// (EC2: from the root, and its `requestId`).
pub(crate) fn parse_output(ctx: &Ctx, op: &Operation, output_name: &Ident) -> TokenStream {
    let rt = rt::runtime();
    if ctx.service.protocol == Protocol::Ec2Query {
        return quote! {
            let (mut output, request_id) = #rt::query::ec2_output::<#output_name>(response)?;
            output._request_id = request_id;
            Ok(output)
        };
    }
    // Smithy's awsQuery always wraps the output in `{Operation}Result`; botocore models say so.
    let wrapper = op.result_wrapper.clone().unwrap_or_else(|| format!("{}Result", op.name));
    quote! {
        let (mut output, request_id) = #rt::query::output::<#output_name>(response, #wrapper)?;
        output._request_id = request_id;
        Ok(output)
    }
}

/// The impls of an operation's input (written) and output (read) structures.
pub(crate) fn io_impls(ctx: &Ctx, op: &Operation, input: &Shape, output: &Shape) -> TokenStream {
    let to_query = to_query_struct(ctx, &ident(&op.names.input), members(input));
    let from_xml = from_xml_struct(ctx, &ident(&op.names.output), members(output));
    with_imports(quote! { #to_query #from_xml })
}

/// The impls of a shared structure or enum, for the directions it travels in.
pub(crate) fn shape_impls(ctx: &Ctx, shape: &Shape) -> TokenStream {
    let name = ident(&shape.names.type_name);
    let (to_query, from_xml) = match &shape.kind {
        ShapeKind::Structure(s) => (to_query_struct(ctx, &name, &s.members), from_xml_struct(ctx, &name, &s.members)),
        ShapeKind::Enum(_) => (to_query_enum(&name), from_xml_enum(&name)),
        ShapeKind::Union(members) => (to_query_union(ctx, &name, members), from_xml_union(ctx, &name, members)),
        _ => return quote! {},
    };
    let to_query = shape.sent.then_some(to_query);
    let from_xml = shape.received.then_some(from_xml);
    with_imports(quote! { #to_query #from_xml })
}

/// `use ::awsgen_runtime::{query, xml};`, as far as the impls use them: the lowercase module
/// names can't collide with a generated type.
fn with_imports(impls: TokenStream) -> TokenStream {
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

fn to_query_struct(ctx: &Ctx, name: &Ident, members: &[Member]) -> TokenStream {
    let writes: Vec<TokenStream> = members
        .iter()
        .map(|m| {
            let field = ident(&m.rust_name);
            let key = form_key(ctx, m);
            let layout = layout(ctx, &m.target, m.timestamp_format, m.flattened);
            quote! { form.member(prefix, #key, &self.#field, &#layout); }
        })
        .collect();
    let (form, prefix) =
        if writes.is_empty() { (quote! { _ }, quote! { _ }) } else { (quote! { form }, quote! { prefix }) };
    quote! {
        impl query::ToQuery for #name {
            fn to_query(&self, #form: &mut query::Form, #prefix: &str, _: &xml::Layout) {
                #(#writes)*
            }
        }
    }
}

fn from_xml_struct(ctx: &Ctx, name: &Ident, members: &[Member]) -> TokenStream {
    let mut seen = std::collections::BTreeSet::new();
    let arms: Vec<(String, TokenStream)> = members
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
    if arms.is_empty() {
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
                #read_children
                Ok(value)
            }
        }
    }
}

/// A union sends its one set member, as a structure would.
fn to_query_union(ctx: &Ctx, name: &Ident, members: &[Member]) -> TokenStream {
    let arms = members.iter().map(|m| {
        let (variant, key) = (ident(&m.rust_name), form_key(ctx, m));
        let layout = layout(ctx, &m.target, m.timestamp_format, m.flattened);
        quote! { Self::#variant(value) => form.member(prefix, #key, value, &#layout), }
    });
    quote! {
        impl query::ToQuery for #name {
            fn to_query(&self, form: &mut query::Form, prefix: &str, _: &xml::Layout) {
                match self {
                    #(#arms)*
                    Self::Unknown => {}
                }
            }
        }
    }
}

/// A union reads as its first child element that names a member; anything else is `Unknown`.
fn from_xml_union(ctx: &Ctx, name: &Ident, members: &[Member]) -> TokenStream {
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

fn to_query_enum(name: &Ident) -> TokenStream {
    quote! {
        impl query::ToQuery for #name {
            fn to_query(&self, form: &mut query::Form, key: &str, _: &xml::Layout) {
                form.push(key, self.as_str());
            }
        }
    }
}

fn from_xml_enum(name: &Ident) -> TokenStream {
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
fn element_name(ctx: &Ctx, member: &Member) -> String {
    let target = ctx.service.shapes.get(&member.target);
    let named = member.wire_name != member.name;
    match target {
        Some(shape) if shape.xml_names.flattened && !named && matches!(shape.kind, ShapeKind::List { .. }) => {
            shape.xml_names.item.clone().unwrap_or_else(|| member.wire_name.clone())
        }
        _ => member.wire_name.clone(),
    }
}

/// The member's form key: its element name, except in EC2, whose keys are `queryName`, else the
/// element name capitalised (botocore's `EC2Serializer`).
fn form_key(ctx: &Ctx, member: &Member) -> String {
    if ctx.service.protocol != Protocol::Ec2Query {
        return element_name(ctx, member);
    }
    member.query_name.clone().unwrap_or_else(|| capitalised(&member.wire_name))
}

fn capitalised(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn entry_names(ctx: &Ctx, map: &str) -> (String, String) {
    let names = ctx.service.shapes.get(map).map(|s| s.xml_names.clone()).unwrap_or_default();
    (names.key.unwrap_or_else(|| "key".to_owned()), names.value.unwrap_or_else(|| "value".to_owned()))
}

/// How a value of `target` is laid out: the runtime's `Layout`, spelled as a constant expression.
fn layout(ctx: &Ctx, target: &str, timestamp_format: Option<TimestampFormat>, flattened: bool) -> TokenStream {
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
