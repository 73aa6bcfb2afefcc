//! Structures (with builders) and string enums.

use super::{docs, rt, Ctx};
use crate::ir::{EnumValue, Location, Member, Shape, ShapeKind, Structure};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

/// The Rust names one structure is emitted under.
pub(crate) struct StructNames<'a> {
    pub type_name: &'a str,
    pub builder: &'a str,
    /// An operation input's builder: generic over a client, so that the builder a `Client`
    /// hands out can `send()` itself while `Input::builder()` stays client-free.
    pub fluent: bool,
}

/// The Rust type of a member's target, without the `Option` around it.
pub(crate) fn value_type(ctx: &Ctx, target: &str) -> TokenStream {
    let Some(shape) = ctx.service.shapes.get(target) else {
        return quote! { () }; // unreachable after validation; never panic on a model
    };
    match &shape.kind {
        ShapeKind::String => quote! { ::std::string::String },
        ShapeKind::Boolean => quote! { bool },
        ShapeKind::Integer => quote! { i32 },
        ShapeKind::Long => quote! { i64 },
        ShapeKind::Float => quote! { f32 },
        ShapeKind::Double => quote! { f64 },
        ShapeKind::List { member } => {
            let member = value_type(ctx, member);
            quote! { ::std::vec::Vec<#member> }
        }
        ShapeKind::Map { key, value } => {
            let (key, value) = (value_type(ctx, key), value_type(ctx, value));
            quote! { ::std::collections::BTreeMap<#key, #value> }
        }
        ShapeKind::Enum(_) | ShapeKind::Structure(_) | ShapeKind::Union(_) => {
            let name = ident(&shape.names.type_name);
            quote! { crate::types::#name }
        }
        ShapeKind::Timestamp | ShapeKind::Blob | ShapeKind::Document => quote! { () },
    }
}

/// Whether a member is a plain value in its struct (required and enforced) or an `Option`.
fn is_enforced(shape: &Shape, member: &Member) -> bool {
    member.required && shape.enforces_required()
}

fn field_type(ctx: &Ctx, shape: &Shape, member: &Member) -> TokenStream {
    let value = value_type(ctx, &member.target);
    let value = if member.boxed {
        quote! { ::std::boxed::Box<#value> }
    } else {
        value
    };
    if is_enforced(shape, member) {
        value
    } else {
        quote! { ::std::option::Option<#value> }
    }
}

/// A structure, its `builder()` and its builder; modeled errors also get their metadata.
pub(crate) fn structure(ctx: &Ctx, shape: &Shape, structure: &Structure, names: &StructNames) -> TokenStream {
    let type_name = ident(names.type_name);
    let builder_name = ident(names.builder);
    let doc = docs::outer(&shape.docs);
    let derives = serde_derives(shape);
    let serde_crate = (shape.sent || shape.received).then(rt::serde_crate_attr);
    let fields = structure.members.iter().map(|m| field(ctx, shape, m));
    let error = structure.error.as_ref().map(|_| error_parts(structure, &type_name));
    let error_field = error.as_ref().map(|e| &e.field);
    let error_impls = error.as_ref().map(|e| &e.impls);
    let builder = builder(ctx, shape, structure, names, error.as_ref());
    let new_builder_doc = format!(" Creates a new builder for [`{}`].", names.type_name);
    quote! {
        #doc
        #[derive(::std::clone::Clone, ::std::cmp::PartialEq, ::std::fmt::Debug #derives)]
        #serde_crate
        #[non_exhaustive]
        pub struct #type_name {
            #(#fields,)*
            #error_field
        }

        impl #type_name {
            #[doc = #new_builder_doc]
            pub fn builder() -> #builder_name {
                ::std::default::Default::default()
            }
        }

        #error_impls

        #builder
    }
}

fn serde_derives(shape: &Shape) -> TokenStream {
    let serde = rt::serde();
    let serialize = shape.sent.then(|| quote! { , #serde::Serialize });
    let deserialize = shape.received.then(|| quote! { , #serde::Deserialize });
    quote! { #serialize #deserialize }
}

fn field(ctx: &Ctx, shape: &Shape, member: &Member) -> TokenStream {
    let doc = docs::outer(&member.docs);
    let name = ident(&member.rust_name);
    let ty = field_type(ctx, shape, member);
    let serde = serde_field_attr(shape, member);
    let deprecated = member.deprecated.then(|| quote! { #[deprecated] });
    quote! { #doc #serde #deprecated pub #name: #ty }
}

/// Wire name and omission rules; members bound outside the body are handled by the protocol.
fn serde_field_attr(shape: &Shape, member: &Member) -> Option<TokenStream> {
    if !(shape.sent || shape.received) {
        return None;
    }
    if member.location != Location::Body {
        return Some(quote! { #[serde(skip)] });
    }
    let wire = &member.wire_name;
    let rename = (wire != member.rust_name.trim_start_matches("r#")).then(|| quote! { rename = #wire });
    let skip_none = (shape.sent && !is_enforced(shape, member))
        .then(|| quote! { skip_serializing_if = "::std::option::Option::is_none" });
    let args: Vec<TokenStream> = rename.into_iter().chain(skip_none).collect();
    (!args.is_empty()).then(|| quote! { #[serde(#(#args),*)] })
}

fn builder(
    ctx: &Ctx,
    shape: &Shape,
    structure: &Structure,
    names: &StructNames,
    error: Option<&ErrorParts>,
) -> TokenStream {
    let rt = rt::runtime();
    let type_name = ident(names.type_name);
    let builder_name = ident(names.builder);
    let fields = structure.members.iter().map(|m| {
        let name = ident(&m.rust_name);
        let value = value_type(ctx, &m.target);
        quote! { #name: ::std::option::Option<#value> }
    });
    let setters = structure.members.iter().map(|m| setters(ctx, m));
    let enforced: Vec<&Member> = structure.members.iter().filter(|m| is_enforced(shape, m)).collect();
    let assignments = structure.members.iter().map(|m| {
        let name = ident(&m.rust_name);
        let value = if !is_enforced(shape, m) {
            quote! { self.#name }
        } else {
            let label = m.rust_name.trim_start_matches("r#");
            let check = if m.location == Location::Label && is_string(ctx, &m.target) {
                quote! { required_label }
            } else {
                quote! { required }
            };
            quote! { #rt::build::#check(self.#name, #label)? }
        };
        if m.boxed {
            quote! { #name: #value.map(::std::boxed::Box::new) }
        } else {
            quote! { #name: #value }
        }
    });
    let error_build = error.map(|_| quote! { meta: self.meta, });
    let body = quote! { #type_name { #(#assignments,)* #error_build } };
    let build = if enforced.is_empty() {
        let doc = format!(" Builds the [`{type_name}`].");
        quote! {
            #[doc = #doc]
            pub fn build(self) -> #type_name { #body }
        }
    } else {
        let missing: Vec<String> =
            enforced.iter().map(|m| format!("`{}`", m.rust_name.trim_start_matches("r#"))).collect();
        let doc = format!(" Builds the [`{type_name}`], failing if {} is not set.", missing.join(" or "));
        quote! {
            #[doc = #doc]
            pub fn build(self) -> ::std::result::Result<#type_name, #rt::BuildError> {
                ::std::result::Result::Ok(#body)
            }
        }
    };
    let (doc, generics, impl_generics, client_field) = if names.fluent {
        let doc = format!(
            " A builder for [`{type_name}`]. The one a `Client` hands out (`C` = the client) can also `send()` itself."
        );
        (doc, quote! { <C = ()> }, quote! { <C> }, quote! { client: C, })
    } else {
        (format!(" A builder for [`{type_name}`]."), quote! {}, quote! {}, quote! {})
    };
    let error_field = error.map(|e| &e.builder_field);
    let error_setter = error.map(|e| &e.setter);
    quote! {
        #[doc = #doc]
        #[derive(::std::clone::Clone, ::std::cmp::PartialEq, ::std::fmt::Debug, ::std::default::Default)]
        pub struct #builder_name #generics {
            #client_field
            #(#fields,)*
            #error_field
        }

        impl #impl_generics #builder_name #impl_generics {
            #(#setters)*
            #error_setter
            #build
        }
    }
}

fn is_string(ctx: &Ctx, target: &str) -> bool {
    matches!(ctx.service.shapes.get(target).map(|s| &s.kind), Some(ShapeKind::String))
}

fn setters(ctx: &Ctx, member: &Member) -> TokenStream {
    let doc = docs::outer(&member.docs);
    let name = ident(&member.rust_name);
    let setter = ident(&member.setter);
    let value = value_type(ctx, &member.target);
    let deprecated = member.deprecated.then(|| quote! { #[deprecated] });
    let set_doc = format!(" Sets or clears [`{0}`](Self::{0}).", name.to_string().trim_start_matches("r#"));
    quote! {
        #doc
        #deprecated
        pub fn #name(mut self, value: impl ::std::convert::Into<#value>) -> Self {
            self.#name = ::std::option::Option::Some(value.into());
            self
        }
        #[doc = #set_doc]
        #deprecated
        pub fn #setter(mut self, value: ::std::option::Option<#value>) -> Self {
            self.#name = value;
            self
        }
    }
}

/// What a modeled error adds to its structure: response metadata, `CODE`, `message()`, `Display`.
struct ErrorParts {
    field: TokenStream,
    impls: TokenStream,
    builder_field: TokenStream,
    setter: TokenStream,
}

fn error_parts(structure: &Structure, type_name: &Ident) -> ErrorParts {
    let rt = rt::runtime();
    let code = structure.error.as_ref().map(|e| e.code.clone()).unwrap_or_default();
    let message_member = structure
        .members
        .iter()
        .find(|m| m.name.eq_ignore_ascii_case("message") && m.location == Location::Body)
        .map(|m| ident(&m.rust_name));
    let message = match message_member {
        Some(field) => quote! { self.#field.as_deref().or(self.meta.message()) },
        None => quote! { self.meta.message() },
    };
    ErrorParts {
        field: quote! {
            /// What the response said beyond the modeled members: code, message, status, request id.
            #[serde(skip)]
            meta: #rt::ErrorMetadata,
        },
        impls: quote! {
            impl #type_name {
                /// The error code the service sends for this error.
                pub const CODE: &'static str = #code;

                /// The error message, if the service sent one.
                pub fn message(&self) -> ::std::option::Option<&str> {
                    #message
                }

                /// The code, message, HTTP status and request id of the response.
                pub fn meta(&self) -> &#rt::ErrorMetadata {
                    &self.meta
                }
            }

            impl ::std::fmt::Display for #type_name {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    #rt::fmt_service_error(f, Self::CODE, self.message(), &self.meta)
                }
            }

            impl ::std::error::Error for #type_name {}

            impl #rt::ModeledError for #type_name {
                fn set_meta(&mut self, meta: #rt::ErrorMetadata) {
                    self.meta = meta;
                }
            }
        },
        builder_field: quote! { meta: #rt::ErrorMetadata, },
        setter: quote! {
            /// Sets the response metadata (request id, HTTP status, ...), e.g. to build this error in a test.
            pub fn meta(mut self, meta: #rt::ErrorMetadata) -> Self {
                self.meta = meta;
                self
            }
        },
    }
}

/// A string enum that keeps values it doesn't know.
pub(crate) fn string_enum(shape: &Shape, values: &[EnumValue]) -> TokenStream {
    let rt = rt::runtime();
    let serde = rt::serde();
    let name = ident(&shape.names.type_name);
    let doc = docs::outer(&shape.docs);
    let variants: Vec<Ident> = values.iter().map(|v| ident(&v.variant)).collect();
    let wire: Vec<&str> = values.iter().map(|v| v.value.as_str()).collect();
    let variant_docs = values.iter().map(|v| format!(" `{}`", v.value.replace('`', "'")));
    let serialize = shape.sent.then(|| {
        quote! {
            impl #serde::Serialize for #name {
                fn serialize<S: #serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                    serializer.serialize_str(self.as_str())
                }
            }
        }
    });
    let deserialize = shape.received.then(|| {
        quote! {
            impl<'de> #serde::Deserialize<'de> for #name {
                fn deserialize<D: #serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                    <::std::string::String as #serde::Deserialize>::deserialize(deserializer).map(|value| Self::from(value.as_str()))
                }
            }
        }
    });
    quote! {
        #doc
        #[derive(::std::clone::Clone, ::std::cmp::PartialEq, ::std::cmp::Eq, ::std::cmp::PartialOrd, ::std::cmp::Ord, ::std::hash::Hash, ::std::fmt::Debug)]
        #[non_exhaustive]
        pub enum #name {
            #( #[doc = #variant_docs] #variants, )*
            /// A value this version of the crate does not know; [`Self::as_str`] gives it.
            Unknown(#rt::UnknownValue),
        }

        impl #name {
            /// Every value this version of the crate knows.
            pub const VALUES: &'static [&'static str] = &[#(#wire),*];

            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #( Self::#variants => #wire, )*
                    Self::Unknown(value) => value.as_str(),
                }
            }
        }

        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #( #wire => Self::#variants, )*
                    other => Self::Unknown(#rt::UnknownValue::from(other)),
                }
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        #serialize
        #deserialize
    }
}

pub(crate) fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, proc_macro2::Span::call_site()),
        None => format_ident!("{}", name),
    }
}
