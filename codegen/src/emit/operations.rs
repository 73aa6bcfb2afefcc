//! One module per operation: its input and output types with builders, and its error enum.

use super::types::{ident, structure, value_type, StructNames};
use super::{docs, rt, Ctx};
use crate::ir::{Docs, Location, Member, Operation, Pagination, Shape, ShapeKind, ShapeNames, Structure};
use crate::naming::UNHANDLED_VARIANT;
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

pub(crate) fn operation_module(ctx: &Ctx, op: &Operation) -> TokenStream {
    let mut module_docs = vec![format!("The {} operation.", op.name)];
    let op_docs = super::docs::to_markdown(op.docs.0.as_deref().unwrap_or(""));
    if !op_docs.is_empty() {
        module_docs.extend(["".to_owned()].into_iter().chain(op_docs.lines().map(str::to_owned)));
    }
    let module_docs = docs::inner(&module_docs);
    let input_shape = io_shape(ctx, op.input.as_deref(), &op.names.input, true);
    let output_shape = io_shape(ctx, op.output.as_deref(), &op.names.output, false);
    let input = io_struct(ctx, &input_shape, &op.names.input, &op.names.input_builder, true);
    let output = io_struct(ctx, &output_shape, &op.names.output, &op.names.output_builder, false);
    let send = send(op, &input_shape);
    let operation = operation_impl(op, &input_shape);
    let paginator = op.pagination.as_ref().map(|p| paginator(ctx, op, p, &input_shape, &output_shape));
    let error = error_enum(ctx, op);
    quote! {
        #module_docs
        #input
        #send
        #operation
        #paginator
        #output
        #error
    }
}

fn members(shape: &Shape) -> &[Member] {
    match &shape.kind {
        ShapeKind::Structure(s) => &s.members,
        _ => &[],
    }
}

/// `Client::op()` hands out the input builder holding the client; `send()` builds and sends it.
fn send(op: &Operation, input: &Shape) -> TokenStream {
    let rt = rt::runtime();
    let builder = ident(&op.names.input_builder);
    let output = ident(&op.names.output);
    let error = ident(&op.names.error);
    let fields = members(input).iter().map(|m| ident(&m.rust_name));
    let fallible = members(input).iter().any(|m| m.required && input.enforces_required());
    let build = if fallible {
        quote! { self.build()? }
    } else {
        quote! { self.build() }
    };
    quote! {
        impl #builder<#rt::Client> {
            pub(crate) fn new(client: #rt::Client) -> Self {
                Self { client, #( #fields: ::std::option::Option::None, )* }
            }

            /// Builds the request and sends it, retrying as the client's configuration allows.
            pub async fn send(self) -> ::std::result::Result<#output, #rt::SdkError<#error>> {
                let client = self.client.clone();
                client.send(#build).await
            }
        }
    }
}

/// `into_paginator()`, and where the paginator loop finds tokens, page size and items.
fn paginator(ctx: &Ctx, op: &Operation, pager: &Pagination, input: &Shape, output: &Shape) -> Option<TokenStream> {
    let rt = rt::runtime();
    let find = |shape: &Shape, name: &str| members(shape).iter().find(|m| m.name == name).cloned();
    let field = |m: &Member| ident(&m.rust_name);
    let input_tokens: Vec<Ident> =
        pager.input_tokens.iter().map(|t| find(input, t).map(|m| field(&m))).collect::<Option<_>>()?;
    let output_tokens: Vec<Ident> =
        pager.output_tokens.iter().map(|t| find(output, t).map(|m| field(&m))).collect::<Option<_>>()?;
    let results: Vec<Member> = pager.result_keys.iter().map(|k| find(output, k)).collect::<Option<_>>()?;
    let primary = results.first()?;
    let item = match ctx.service.shapes.get(&primary.target).map(|s| &s.kind) {
        Some(ShapeKind::List { member }) => value_type(ctx, member),
        _ => return None,
    };
    let primary_field = field(primary);
    let string = quote! { ::std::string::String };
    let (token_type, next_token, token, set_token) =
        if let ([input_token], [output_token]) = (&input_tokens[..], &output_tokens[..]) {
            (
                string.clone(),
                quote! { output.#output_token.clone().filter(|token| !token.is_empty()) },
                quote! { self.#input_token.clone() },
                quote! { self.#input_token = token; },
            )
        } else {
            let parts: Vec<Ident> = (0..input_tokens.len()).map(|i| format_ident!("token{i}")).collect();
            (
                quote! { ::std::vec::Vec<::std::option::Option<#string>> },
                quote! { #rt::pagination::tokens(::std::vec![#( output.#output_tokens.clone() ),*]) },
                quote! { ::std::option::Option::Some(::std::vec![#( self.#input_tokens.clone() ),*]) },
                quote! {
                    let mut token = token.unwrap_or_default().into_iter();
                    #( let #parts = token.next().flatten(); )*
                    #( self.#input_tokens = #parts; )*
                },
            )
        };
    let more_results = pager.more_results.as_ref().and_then(|m| find(output, m)).map(|m| {
        let more = field(&m);
        quote! {
            if output.#more != ::std::option::Option::Some(true) {
                return ::std::option::Option::None;
            }
        }
    });
    let set_page_size = match pager.limit_key.as_ref().and_then(|k| find(input, k)) {
        Some(limit) => {
            let limit_field = field(&limit);
            let value = match ctx.service.shapes.get(&limit.target).map(|s| &s.kind) {
                Some(ShapeKind::String) => quote! { size.to_string() },
                Some(ShapeKind::Long) => quote! { i64::from(size) },
                _ => quote! { size },
            };
            quote! {
                self.#limit_field = ::std::option::Option::Some(#value);
                true
            }
        }
        None => quote! { let _ = size; false },
    };
    let lists = results
        .iter()
        .filter(|m| matches!(ctx.service.shapes.get(&m.target).map(|s| &s.kind), Some(ShapeKind::List { .. })));
    let merges = lists.map(|m| {
        let list = field(m);
        quote! { #rt::pagination::append(&mut into.#list, page.#list); }
    });
    let (input_name, output_name, builder) =
        (ident(&op.names.input), ident(&op.names.output), ident(&op.names.input_builder));
    Some(quote! {
        impl #builder<#rt::Client> {
            /// Pages through every result: `.send()` streams pages, `.items()` streams items,
            /// `.collect_all()` gathers them. A repeated token ends the run with an error.
            pub fn into_paginator(self) -> #rt::pagination::Paginator<#input_name> {
                let client = self.client.clone();
                #rt::pagination::Paginator::new(client, self.build())
            }
        }

        impl #rt::pagination::Paginate for #input_name {
            type Token = #token_type;
            type Item = #item;

            fn next_token(output: &#output_name) -> ::std::option::Option<Self::Token> {
                #more_results
                #next_token
            }

            fn token(&self) -> ::std::option::Option<Self::Token> {
                #token
            }

            fn set_token(&mut self, token: ::std::option::Option<Self::Token>) {
                #set_token
            }

            fn set_page_size(&mut self, size: i32) -> bool {
                #set_page_size
            }

            fn items(output: &mut #output_name) -> &mut ::std::option::Option<::std::vec::Vec<#item>> {
                &mut output.#primary_field
            }

            fn merge(into: &mut #output_name, page: #output_name) {
                #(#merges)*
            }
        }
    })
}

/// What the runtime needs to know of the operation: its request, its output and its errors.
fn operation_impl(op: &Operation, input: &Shape) -> TokenStream {
    let rt = rt::runtime();
    let (input_name, output, error) = (ident(&op.names.input), ident(&op.names.output), ident(&op.names.error));
    let name = &op.name;
    let (method, uri) = (&op.http.method, &op.http.uri);
    let labels = members(input).iter().filter(|m| m.location == Location::Label).map(|m| {
        let field = ident(&m.rust_name);
        let wire = &m.wire_name;
        if m.required && input.enforces_required() {
            quote! { .label(#wire, &self.#field) }
        } else {
            let label = m.rust_name.trim_start_matches("r#");
            quote! { .label(#wire, &#rt::build::required(self.#field.as_ref(), #label)?) }
        }
    });
    let has_body = members(input).iter().any(|m| m.location == Location::Body);
    let request = quote! { #rt::Request::rest(#method, #uri) #(#labels)* };
    let request = if has_body {
        quote! { #request.json_body(self) }
    } else {
        quote! { ::std::result::Result::Ok(#request) }
    };
    let error_arms = op.names.error_variants.iter().map(|v| {
        let code = &v.code;
        let variant = ident(&v.variant);
        quote! { ::std::option::Option::Some(#code) => error.modeled().map_or_else(#error::Unhandled, #error::#variant), }
    });
    quote! {
        impl #rt::Operation for #input_name {
            type Output = #output;
            type Error = #error;
            const NAME: &'static str = #name;

            fn request(&self) -> ::std::result::Result<#rt::Request, #rt::BuildError> {
                #request
            }

            fn parse_output(response: &#rt::http::Response) -> ::std::result::Result<#output, #rt::ParseError> {
                #rt::json_output(response)
            }

            fn parse_error(error: #rt::ErrorResponse) -> #error {
                match error.code() {
                    #(#error_arms)*
                    _ => #error::Unhandled(error.into_meta()),
                }
            }
        }
    }
}

/// The operation's input or output shape. An operation without one gets an empty structure,
/// so every operation has the same API shape.
fn io_shape(ctx: &Ctx, id: Option<&str>, type_name: &str, sent: bool) -> Shape {
    if let Some(shape) = id.and_then(|id| ctx.service.shapes.get(id)) {
        if matches!(shape.kind, ShapeKind::Structure(_)) {
            return shape.clone();
        }
    }
    Shape {
        id: type_name.to_owned(),
        kind: ShapeKind::Structure(Structure { members: Vec::new(), error: None }),
        docs: Docs(None),
        sensitive: false,
        deprecated: false,
        names: ShapeNames::default(),
        sent,
        received: !sent,
        shared: false,
    }
}

/// The operation's input or output structure under the operation's own names.
fn io_struct(ctx: &Ctx, shape: &Shape, type_name: &str, builder: &str, fluent: bool) -> TokenStream {
    let names = StructNames { type_name, builder, fluent };
    let empty = Structure { members: Vec::new(), error: None };
    let structure_of = match &shape.kind {
        ShapeKind::Structure(s) => s,
        _ => &empty,
    };
    structure(ctx, shape, structure_of, &names)
}

fn error_enum(ctx: &Ctx, op: &Operation) -> TokenStream {
    let rt = rt::runtime();
    let name = ident(&op.names.error);
    let modeled = &op.names.error_variants;
    let errors: Vec<&Shape> = modeled.iter().filter_map(|v| ctx.service.shapes.get(&v.shape)).collect();
    let variants: Vec<_> = modeled.iter().map(|v| ident(&v.variant)).collect();
    let types: Vec<_> = errors.iter().map(|e| ident(&e.names.type_name)).collect();
    let variant_docs = errors.iter().map(|e| docs::outer(&e.docs));
    let predicates = modeled.iter().zip(&variants).map(|(v, variant)| {
        let is = ident(&v.predicate);
        let doc = format!(" Whether this is a [`{variant}`](Self::{variant}) error.");
        quote! {
            #[doc = #doc]
            pub fn #is(&self) -> bool {
                ::std::matches!(self, Self::#variant(_))
            }
        }
    });
    let unhandled = ident(UNHANDLED_VARIANT);
    let doc = format!(" An error from the {} operation.", op.name);
    quote! {
        #[doc = #doc]
        #[derive(::std::clone::Clone, ::std::cmp::PartialEq, ::std::fmt::Debug)]
        #[non_exhaustive]
        pub enum #name {
            #( #variant_docs #variants(crate::types::#types), )*
            /// An error the model does not describe for this operation; it keeps the code, message,
            /// HTTP status and request id of the response.
            #unhandled(#rt::ErrorMetadata),
        }

        impl #name {
            /// The error code, if the response carried one.
            pub fn code(&self) -> ::std::option::Option<&str> {
                self.meta().code()
            }

            /// The error message, if the response carried one.
            pub fn message(&self) -> ::std::option::Option<&str> {
                match self {
                    #( Self::#variants(error) => error.message(), )*
                    Self::#unhandled(meta) => meta.message(),
                }
            }

            /// The code, message, HTTP status and request id of the response.
            pub fn meta(&self) -> &#rt::ErrorMetadata {
                match self {
                    #( Self::#variants(error) => error.meta(), )*
                    Self::#unhandled(meta) => meta,
                }
            }

            #(#predicates)*
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    #( Self::#variants(error) => ::std::fmt::Display::fmt(error, f), )*
                    Self::#unhandled(meta) => ::std::fmt::Display::fmt(meta, f),
                }
            }
        }

        impl ::std::error::Error for #name {}
    }
}
