//! Structures (with builders) and string enums.

use super::{docs, rt};
use crate::ir::{Binding, EnumValue, SendAs, Shape};
use crate::plan::{Accessor, Check, FieldPlan, JsonEncoding, JsonField, TypePlan};
pub(crate) use crate::rust::ident;
use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// The Rust names one structure is emitted under.
pub(crate) struct StructNames<'a> {
    pub type_name: &'a str,
    pub builder: &'a str,
    /// An operation input's builder: generic over a client, so that the builder a `Client`
    /// hands out can `send()` itself while `Input::builder()` stays client-free.
    pub fluent: bool,
    /// An operation output: it carries the response's request id.
    pub output: bool,
}

/// A structure, its `builder()` and its builder; modeled errors also get their metadata.
pub(crate) fn structure(ty: &TypePlan, names: &StructNames) -> TokenStream {
    let type_name = ident(names.type_name);
    let builder_name = ident(names.builder);
    let doc = docs::outer_or(&ty.docs, &format!("The `{}` structure.", names.type_name));
    let serde_impls = serde_impls(ty, &type_name);
    let fields = ty.fields.iter().map(field);
    let derives = derives(redacted_fields(ty).is_empty(), holds_stream(ty));
    let error = ty.structure().and_then(|s| s.error.as_ref()).map(|_| error_parts(ty, &type_name));
    let error_field = error.as_ref().map(|e| &e.field);
    let error_impls = error.as_ref().map(|e| &e.impls);
    let builder = builder(ty, names, error.as_ref());
    let new_builder_doc = format!(" Creates a new builder for [`{}`].", names.type_name);
    let redacted = redacted_fields(ty);
    let manual_debug = (!redacted.is_empty()).then(|| redacting_debug(names.type_name, ty, &redacted, error.is_some()));
    // A modeled error's `message()` reads its message member.
    let message = error.as_ref().and_then(|_| message_field(ty)).map(|f| f.name.as_str());
    let getters = ty.fields.iter().filter(|f| Some(f.name.as_str()) != message).map(getter);
    let request_id = names.output.then(|| request_id(&type_name));
    let request_id_field = request_id.as_ref().map(|(field, _)| field);
    let request_id_impl = request_id.as_ref().map(|(_, implementation)| implementation);
    quote! {
        #doc
        #derives
        #[non_exhaustive]
        pub struct #type_name {
            #(#fields,)*
            #error_field
            #request_id_field
        }

        impl #type_name {
            #[doc = #new_builder_doc]
            pub fn builder() -> #builder_name {
                Default::default()
            }

            #(#getters)*
        }

        #request_id_impl

        #serde_impls

        #manual_debug

        #error_impls

        #builder
    }
}

/// A read accessor per field: `&str`, `&[T]` (empty when absent) or `Option<&T>`, copies for
/// numbers, booleans and timestamps.
fn getter(field: &FieldPlan) -> TokenStream {
    let doc = docs::member(field);
    let name = ident(&field.rust_name);
    let value = &field.value;
    let (ty, body) = match (&field.accessor, field.optional) {
        (Accessor::Str, true) => (quote! { Option<&str> }, quote! { self.#name.as_deref() }),
        (Accessor::Str, false) => (quote! { &str }, quote! { &self.#name }),
        (Accessor::Slice(element), optional) => {
            let body = if optional {
                quote! { self.#name.as_deref().unwrap_or_default() }
            } else {
                quote! { &self.#name }
            };
            (quote! { &[#element] }, body)
        }
        (Accessor::Copy, true) => (quote! { Option<#value> }, quote! { self.#name }),
        (Accessor::Copy, false) => (quote! { #value }, quote! { self.#name }),
        (Accessor::Ref, true) if field.boxed => (quote! { Option<&#value> }, quote! { self.#name.as_deref() }),
        (Accessor::Ref, true) => (quote! { Option<&#value> }, quote! { self.#name.as_ref() }),
        (Accessor::Ref, false) => (quote! { &#value }, quote! { &self.#name }),
    };
    let deprecated = field.deprecated.then(|| quote! { #[deprecated] });
    quote! {
        #doc
        #deprecated
        pub fn #name(&self) -> #ty {
            #body
        }
    }
}

/// An output's private request id field (filled by `parse_output`) and its `RequestId` impl.
/// The id belongs to one response, not to the value: serde leaves it out.
fn request_id(type_name: &Ident) -> (TokenStream, TokenStream) {
    let rt = rt::runtime();
    let field = quote! {
        _request_id: Option<String>,
    };
    let implementation = quote! {
        impl #rt::RequestId for #type_name {
            fn request_id(&self) -> Option<&str> {
                self._request_id.as_deref()
            }
        }
    };
    (field, implementation)
}

/// Members whose values must not be printed (decided in `transform::mark_redacted`).
fn redacted_fields(ty: &TypePlan) -> Vec<&str> {
    ty.fields.iter().filter(|f| f.redacted).map(|f| f.rust_name.as_str()).collect()
}

/// What `Debug` prints in place of a sensitive value.
const REDACTED: &str = "*** Sensitive Data Redacted ***";

/// `Debug` that prints the other fields and a placeholder for the sensitive ones.
fn redacting_debug(type_name: &str, ty: &TypePlan, redacted: &[&str], error: bool) -> TokenStream {
    let name = ident(type_name);
    let fields = ty.fields.iter().map(|m| {
        let field = ident(&m.rust_name);
        let label = m.rust_name.trim_start_matches("r#");
        if redacted.contains(&m.rust_name.as_str()) {
            quote! { .field(#label, &#REDACTED) }
        } else {
            quote! { .field(#label, &self.#field) }
        }
    });
    let meta = error.then(|| quote! { .field("meta", &self.meta) });
    quote! {
        impl ::std::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(#type_name) #(#fields)* #meta .finish()
            }
        }
    }
}

/// The standard derives of a structure or builder, on a line of their own so that a change to the
/// serde derives (next line) is a one-line diff. Every generated type has a `Default`: the zero
/// value parsing fills a missing required member with.
/// A structure holding a stream (S3's object body) can be neither cloned nor compared.
fn derives(debug: bool, holds_stream: bool) -> TokenStream {
    let debug = debug.then(|| quote! { , ::std::fmt::Debug });
    match holds_stream {
        true => quote! { #[derive(Default #debug)] },
        false => quote! { #[derive(Clone, PartialEq, Default #debug)] },
    }
}

fn holds_stream(ty: &TypePlan) -> bool {
    ty.fields.iter().any(|f| f.stream)
}

/// `ReadFields` and `Deserialize` for a shape read from JSON (or CBOR), `WriteFields` and
/// `Serialize` for one written to it: the wire impls. With the crate's `serde` feature every
/// structure has both, so a user's serde form is the wire form wherever there is one.
fn serde_impls(ty: &TypePlan, type_name: &Ident) -> TokenStream {
    let rt = rt::runtime();
    let serde = rt::serde();
    let body: Vec<&FieldPlan> = ty.fields.iter().filter(|f| f.json != JsonField::Skip).collect();
    let wire: Vec<&str> = body.iter().map(|f| f.wire_name.as_str()).collect();
    let names: Vec<Ident> = body.iter().map(|f| ident(&f.rust_name)).collect();
    let reads = body.iter().zip(&names).map(|(f, name)| match (json_encoding(f), f.optional) {
        (Some(encoding), true) => quote! { value.read_optional_as(&mut self.#name, #encoding) },
        (Some(encoding), false) => quote! { value.read_as(&mut self.#name, #encoding) },
        (None, _) => quote! { value.read(&mut self.#name) },
    });
    let writes = body.iter().zip(&names).zip(&wire).map(|((f, name), wire)| match (json_encoding(f), f.optional) {
        (Some(encoding), true) => quote! { out.optional_as(#wire, &self.#name, #encoding)?; },
        (Some(encoding), false) => quote! { out.field_as(#wire, &self.#name, #encoding)?; },
        (None, true) => quote! { out.optional(#wire, &self.#name)?; },
        (None, false) => quote! { out.field(#wire, &self.#name)?; },
    });
    // A structure with no body members reads past every value and writes none.
    let (name_param, out_param, read) = match body.is_empty() {
        true => (quote! { _ }, quote! { _ }, quote! { value.skip() }),
        false => (quote! { name }, quote! { out }, quote! { match name { #( #wire => #reads, )* _ => value.skip(), } }),
    };
    let (read_gate, write_gate) = (feature_gate(ty.json_in), feature_gate(ty.json_out));
    quote! {
        #read_gate
        impl #rt::fields::ReadFields for #type_name {
            fn read_field<'de, A: #serde::de::MapAccess<'de>>(
                &mut self,
                #name_param: &str,
                value: #rt::fields::FieldValue<'_, A>,
            ) -> Result<(), A::Error> {
                #read
            }
        }

        #read_gate
        #rt::deserialize_fields!(#type_name);

        #write_gate
        impl #rt::fields::WriteFields for #type_name {
            fn write_fields<W: #rt::fields::FieldWriter>(&self, #out_param: &mut W) -> Result<(), W::Error> {
                #(#writes)*
                Ok(())
            }
        }

        #write_gate
        #rt::serialize_fields!(#type_name);
    }
}

/// The runtime's encoding of a body member whose JSON form is not serde's default.
fn json_encoding(field: &FieldPlan) -> Option<TokenStream> {
    let rt = rt::runtime();
    match field.json {
        JsonField::Body { encoding: Some(JsonEncoding::Float) } => Some(quote! { #rt::json::Float }),
        JsonField::Body { encoding: Some(JsonEncoding::DateTimeString) } => Some(quote! { #rt::json::DateTimeString }),
        JsonField::Body { encoding: Some(JsonEncoding::HttpDateString) } => Some(quote! { #rt::json::HttpDateString }),
        _ => None,
    }
}

fn field(field: &FieldPlan) -> TokenStream {
    let doc = docs::member(field);
    let name = ident(&field.rust_name);
    let field_type = &field.ty;
    let deprecated = field.deprecated.then(|| quote! { #[deprecated] });
    quote! { #doc #deprecated pub #name: #field_type }
}

fn builder(ty: &TypePlan, names: &StructNames, error: Option<&ErrorParts>) -> TokenStream {
    let rt = rt::runtime();
    let type_name = ident(names.type_name);
    let builder_name = ident(names.builder);
    let fields = ty.fields.iter().map(|f| {
        let (name, value) = (ident(&f.rust_name), &f.value);
        quote! { #name: Option<#value> }
    });
    // `..self` brings the builder's other fields along, when there are any.
    let alone = ty.fields.len() == 1 && !names.fluent && error.is_none();
    let rest = (!alone).then(|| quote! { ..self });
    let setters = ty.fields.iter().map(|f| setters(f, rest.as_ref()));
    let enforced: Vec<&FieldPlan> = ty.checked_fields().collect();
    let assignments = ty.fields.iter().map(|m| {
        let name = ident(&m.rust_name);
        // The builder's value, as it is sent (see `Member::send_as`).
        let set = match m.send_as {
            Some(SendAs::LastPathSegment) => quote! { self.#name.map(#rt::build::last_path_segment) },
            Some(SendAs::Base64) => quote! { self.#name.map(#rt::build::base64_text) },
            Some(SendAs::CopySource) => quote! { self.#name.map(#rt::build::copy_source) },
            Some(SendAs::S3Bucket) => {
                let label = m.rust_name.trim_start_matches("r#");
                quote! { #rt::build::s3_bucket(self.#name, #label)? }
            }
            Some(SendAs::AsciiHeaders) => {
                let label = m.rust_name.trim_start_matches("r#");
                quote! { #rt::build::ascii_headers(self.#name, #label)? }
            }
            None => quote! { self.#name },
        };
        let value = match m.check {
            Check::FillToken if !m.optional => quote! { self.#name.unwrap_or_else(#rt::uuid_v4) },
            Check::FillToken => quote! { self.#name.or_else(|| Some(#rt::uuid_v4())) },
            // A field always there that no one set is its zero value (an event stream: empty).
            Check::None if !m.optional => quote! { #set.unwrap_or_default() },
            Check::None => set,
            Check::Required { label: text_label } => {
                let label = m.rust_name.trim_start_matches("r#");
                // An input keeps a required member in its `Option`, checked all the same.
                let check = match (m.optional, text_label) {
                    (false, false) => quote! { required },
                    (false, true) => quote! { required_label },
                    (true, false) => quote! { present },
                    (true, true) => quote! { present_label },
                };
                quote! { #rt::build::#check(#set, #label)? }
            }
        };
        // A required member is there by now: boxed as it is; an optional one inside its `Option`.
        match (m.boxed, m.optional) {
            (true, true) => quote! { #name: #value.map(Box::new) },
            (true, false) => quote! { #name: Box::new(#value) },
            (false, _) => quote! { #name: #value },
        }
    });
    let error_build = error.map(|_| quote! { meta: self.meta, });
    let request_id = names.output.then(|| quote! { _request_id: None, });
    let body = quote! { #type_name { #(#assignments,)* #error_build #request_id } };
    let build = if !ty.build_is_fallible() {
        let doc = format!(" Builds the [`{type_name}`].");
        quote! {
            #[doc = #doc]
            pub fn build(self) -> #type_name { #body }
        }
    } else {
        let missing: Vec<String> =
            enforced.iter().map(|m| format!("`{}`", m.rust_name.trim_start_matches("r#"))).collect();
        let doc = match missing.is_empty() {
            // An input: a member the model makes required later changes no signature.
            true => format!(" Builds the [`{type_name}`]; nothing is required yet."),
            false => format!(" Builds the [`{type_name}`], failing if {} is not set.", missing.join(" or ")),
        };
        quote! {
            #[doc = #doc]
            pub fn build(self) -> Result<#type_name, #rt::BuildError> {
                Ok(#body)
            }
        }
    };
    // An input's builder holds the client that handed it out (`C = Client`), and only that one
    // can `send()`; `Input::builder()`'s (`C = ()`) builds.
    let (doc, generics, client_field) = if names.fluent {
        let doc =
            format!(" A builder for [`{type_name}`]; the one a [`Client`](crate::Client) hands out can also send.");
        (doc, Some(quote! { <C> }), quote! { client: C, })
    } else {
        (format!(" A builder for [`{type_name}`]."), None, quote! {})
    };
    let declared_generics = generics.as_ref().map(|_| quote! { <C = ()> });
    let error_field = error.map(|e| &e.builder_field);
    let error_setter = error.map(|e| &e.setter);
    // A builder holding sensitive values prints none of them.
    let sensitive = !redacted_fields(ty).is_empty();
    let derives = derives(!sensitive, holds_stream(ty));
    let manual_debug = sensitive.then(|| {
        let label = names.builder;
        quote! {
            impl #generics ::std::fmt::Debug for #builder_name #generics {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.debug_struct(#label).finish_non_exhaustive()
                }
            }
        }
    });
    quote! {
        #[doc = #doc]
        #derives
        pub struct #builder_name #declared_generics {
            #client_field
            #(#fields,)*
            #error_field
        }

        #manual_debug

        impl #generics #builder_name #generics {
            #(#setters)*
            #error_setter
            #build
        }
    }
}

fn setters(member: &FieldPlan, rest: Option<&TokenStream>) -> TokenStream {
    let doc = docs::member(member);
    let name = ident(&member.rust_name);
    let (setter, getter) = (ident(&member.setter), ident(&member.getter));
    let value = &member.value;
    let deprecated = member.deprecated.then(|| quote! { #[deprecated] });
    let set_doc = format!(" Sets or clears [`{0}`](Self::{0}).", name.to_string().trim_start_matches("r#"));
    let get_doc = format!(" What [`{0}`](Self::{0}) set, if anything.", name.to_string().trim_start_matches("r#"));
    quote! {
        #doc
        #deprecated
        pub fn #name(self, value: impl Into<#value>) -> Self {
            self.#setter(Some(value.into()))
        }
        #[doc = #set_doc]
        #deprecated
        pub fn #setter(self, #name: Option<#value>) -> Self {
            Self { #name, #rest }
        }
        #[doc = #get_doc]
        #deprecated
        pub fn #getter(&self) -> &Option<#value> {
            &self.#name
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

/// A modeled error's message member, which its `message()` reads.
fn message_field(ty: &TypePlan) -> Option<&FieldPlan> {
    ty.fields.iter().find(|f| f.name.eq_ignore_ascii_case("message") && f.binding == Binding::Body)
}

fn error_parts(ty: &TypePlan, type_name: &Ident) -> ErrorParts {
    let rt = rt::runtime();
    let code = ty.structure().and_then(|s| s.error.as_ref()).map(|e| e.code.clone()).unwrap_or_default();
    let message_member = message_field(ty);
    let message = match message_member {
        Some(m) if m.optional => {
            let field = ident(&m.rust_name);
            quote! { self.#field.as_deref().or(self.meta.message()) }
        }
        // A required message reads as "" when the response has none.
        Some(m) => {
            let field = ident(&m.rust_name);
            quote! { Some(self.#field.as_str()).filter(|m| !m.is_empty()).or(self.meta.message()) }
        }
        None => quote! { self.meta.message() },
    };
    // A parsed message is capped like the metadata's, so no response makes `Display` huge.
    let cap_message = message_member.map(|m| {
        let field = ident(&m.rust_name);
        if m.optional {
            quote! { self.#field = #rt::cap_message(self.#field.take()); }
        } else {
            quote! { self.#field = #rt::cap_message(Some(::std::mem::take(&mut self.#field))).unwrap_or_default(); }
        }
    });
    ErrorParts {
        field: quote! {
            /// What the response said beyond the modeled members: code, message, status, request id.
            meta: #rt::ErrorMetadata,
        },
        impls: quote! {
            impl #type_name {
                /// The error code the service sends for this error.
                pub const CODE: &'static str = #code;

                /// The error message, if the service sent one.
                pub fn message(&self) -> Option<&str> {
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

            impl #rt::ProvideErrorMetadata for #type_name {
                fn meta(&self) -> &#rt::ErrorMetadata {
                    &self.meta
                }

                fn message(&self) -> Option<&str> {
                    self.message()
                }
            }

            impl #rt::ModeledError for #type_name {
                fn set_meta(&mut self, meta: #rt::ErrorMetadata) {
                    #cap_message
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

/// A union: one variant per member, and `Unknown` for members this crate does not know.
pub(crate) fn union(shape: &TypePlan) -> TokenStream {
    let rt = rt::runtime();
    let serde = rt::serde();
    let members = &shape.fields;
    let name = ident(&shape.names.type_name);
    let doc = docs::outer_or(&shape.docs, &format!("The `{}` union.", shape.names.type_name));
    let variants: Vec<Ident> = members.iter().map(|m| ident(&m.rust_name)).collect();
    let types = members.iter().map(|m| {
        let value = &m.value;
        if m.boxed {
            quote! { Box<#value> }
        } else {
            quote! { #value }
        }
    });
    let docs = members.iter().map(|m| docs::member(m));
    let wire: Vec<&str> = members.iter().map(|m| m.wire_name.as_str()).collect();
    // Serializing `Unknown` fails: there is no member to write.
    let type_name = &shape.names.type_name;
    let serialize = {
        let only_with_feature = feature_gate(shape.json_out);
        quote! {
            #only_with_feature
            impl #serde::Serialize for #name {
                fn serialize<S: #serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    match self {
                        #( Self::#variants(value) => #rt::fields::serialize_member(serializer, #wire, value), )*
                        Self::Unknown => #rt::fields::unknown_member::<S>(#type_name),
                    }
                }
            }
        }
    };
    let only_with_feature = feature_gate(shape.json_in);
    let deserialize = {
        quote! {
            #only_with_feature
            impl<'de> #serde::Deserialize<'de> for #name {
                fn deserialize<D: #serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    let Some((member, value)) = #rt::json::union_member(deserializer)? else {
                        return Ok(Self::Unknown);
                    };
                    match member.as_str() {
                        #( #wire => #rt::json::union_value(value).map(Self::#variants), )*
                        _ => Ok(Self::Unknown),
                    }
                }
            }
        }
    };
    let redacting = members.iter().any(|m| m.redacted);
    let debug = (!redacting).then(|| quote! { , ::std::fmt::Debug });
    let manual_debug = redacting.then(|| union_debug(&shape.names.type_name, members));
    quote! {
        #doc
        #[derive(Clone, PartialEq #debug)]
        #[non_exhaustive]
        pub enum #name {
            #( #docs #variants(#types), )*
            /// A member this version of the crate does not know.
            Unknown,
        }

        /// [`Self::Unknown`]: what a missing required member reads as.
        impl Default for #name {
            fn default() -> Self {
                Self::Unknown
            }
        }

        #manual_debug
        #serialize
        #deserialize
    }
}

/// `Debug` for a union with sensitive members: the variant's name, and a placeholder for its value.
fn union_debug(type_name: &str, members: &[FieldPlan]) -> TokenStream {
    let name = ident(type_name);
    let arms = members.iter().map(|m| {
        let variant = ident(&m.rust_name);
        let label = m.rust_name.trim_start_matches("r#");
        if m.redacted {
            quote! { Self::#variant(_) => f.debug_tuple(#label).field(&#REDACTED).finish(), }
        } else {
            quote! { Self::#variant(value) => f.debug_tuple(#label).field(value).finish(), }
        }
    });
    quote! {
        impl ::std::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    #(#arms)*
                    Self::Unknown => f.write_str("Unknown"),
                }
            }
        }
    }
}

/// A string enum that keeps values it doesn't know.
pub(crate) fn string_enum(shape: &Shape, values: &[EnumValue]) -> TokenStream {
    let rt = rt::runtime();
    let serde = rt::serde();
    let name = ident(&shape.names.type_name);
    let doc = docs::outer_or(&shape.docs, &format!("The `{}` enum.", shape.names.type_name));
    let variants: Vec<Ident> = values.iter().map(|v| ident(&v.variant)).collect();
    let wire: Vec<&str> = values.iter().map(|v| v.value.as_str()).collect();
    let variant_docs = values.iter().map(|v| format!(" `{}`", v.value.replace('`', "'")));
    let (serialize_gate, deserialize_gate) = (feature_gate(shape.json_out), feature_gate(shape.json_in));
    let serialize = {
        quote! {
            #serialize_gate
            impl #serde::Serialize for #name {
                fn serialize<S: #serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    serializer.serialize_str(self.as_str())
                }
            }
        }
    };
    let deserialize = {
        quote! {
            #deserialize_gate
            impl<'de> #serde::Deserialize<'de> for #name {
                fn deserialize<D: #serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    <String as #serde::Deserialize>::deserialize(deserializer).map(|value| Self::from(value.as_str()))
                }
            }
        }
    };
    // Enums bound to labels, query strings or headers are written and read as text there.
    let to_text = (shape.http_text && shape.sent).then(|| {
        quote! {
            impl #rt::HttpValue for #name {
                const QUOTED_IN_LISTS: bool = true;

                fn http_value(&self, _: #rt::TimestampFormat) -> String {
                    self.as_str().to_owned()
                }
            }
        }
    });
    let from_text = (shape.http_text && shape.received).then(|| {
        quote! {
            impl #rt::FromHttpValue for #name {
                fn from_http_value(text: &str, _: #rt::TimestampFormat) -> Result<Self, String> {
                    Ok(Self::from(text))
                }
            }
        }
    });
    let http_values = quote! { #to_text #from_text };
    // A sensitive enum's value is printed by `Display` only, which a caller asks for explicitly.
    let debug = (!shape.sensitive).then(|| quote! { , ::std::fmt::Debug });
    let manual_debug = shape.sensitive.then(|| {
        quote! {
            impl ::std::fmt::Debug for #name {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.write_str(#REDACTED)
                }
            }
        }
    });
    quote! {
        #doc
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, ::std::hash::Hash #debug)]
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

        /// The empty value, which no AWS enum has: what a missing required member reads as.
        impl Default for #name {
            fn default() -> Self {
                Self::Unknown(#rt::UnknownValue::default())
            }
        }

        impl From<&str> for #name {
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

        #manual_debug
        #serialize
        #deserialize
        #http_values
    }
}

/// `#[cfg(feature = "serde")]` for a serde impl that is not part of the wire form.
fn feature_gate(wire: bool) -> Option<TokenStream> {
    (!wire).then(|| quote! { #[cfg(feature = "serde")] })
}
