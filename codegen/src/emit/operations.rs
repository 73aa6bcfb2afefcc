//! One module per operation: its input and output types with builders, and its error enum.

use super::types::{checked_members, element_type, ident, structure, value_type, StructNames};
use super::{docs, rt, Ctx};
use crate::ir::{Location, Member, Operation, Pagination, Protocol, Shape, ShapeKind, Structure, TimestampFormat};
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
    let operation = operation_impl(ctx, op, &input_shape, &output_shape);
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

/// Whether the input builder's `build()` returns a `Result`.
fn build_is_fallible(input: &Shape) -> bool {
    match &input.kind {
        ShapeKind::Structure(s) => !checked_members(input, s).is_empty(),
        _ => false,
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
    let build = if build_is_fallible(input) {
        quote! { self.build()? }
    } else {
        quote! { self.build() }
    };
    quote! {
        impl #builder<#rt::Client> {
            pub(crate) fn new(client: #rt::Client) -> Self {
                Self { client, #( #fields: None, )* }
            }

            /// Builds the request and sends it, retrying as the client's configuration allows.
            pub async fn send(self) -> Result<#output, #rt::SdkError<#error>> {
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
    let kind = |m: &Member| ctx.service.shapes.get(&m.target).map(|s| &s.kind);
    let input_tokens: Vec<Member> = pager.input_tokens.iter().map(|t| find(input, t)).collect::<Option<_>>()?;
    let output_tokens: Vec<Member> = pager.output_tokens.iter().map(|t| find(output, t)).collect::<Option<_>>()?;
    let results: Vec<Member> = pager.result_keys.iter().map(|k| find(output, k)).collect::<Option<_>>()?;
    let primary = results.first()?;
    let primary_field = ident(&primary.rust_name);
    let primary_shape = ctx.service.shapes.get(&primary.target)?;
    let (item, take_items, put_items) = match kind(primary)? {
        ShapeKind::List { member } => (
            element_type(ctx, primary_shape, member),
            quote! { output.#primary_field.take() },
            quote! { output.#primary_field = items; },
        ),
        ShapeKind::Map { key, value } => {
            let (key, value) = (value_type(ctx, key), element_type(ctx, primary_shape, value));
            (
                quote! { (#key, #value) },
                quote! { output.#primary_field.take().map(|map| map.into_iter().collect()) },
                quote! { output.#primary_field = items.map(|items| items.into_iter().collect()); },
            )
        }
        _ => return None,
    };

    // A token counts only when set and not empty (botocore treats every falsy value as absent).
    let present = |m: &Member| {
        let field = ident(&m.rust_name);
        let filter = match kind(m) {
            Some(ShapeKind::String | ShapeKind::List { .. } | ShapeKind::Map { .. }) => {
                quote! { .filter(|t| !t.is_empty()) }
            }
            Some(ShapeKind::Integer | ShapeKind::Long) => quote! { .filter(|t| *t != 0) },
            _ => quote! {},
        };
        quote! { output.#field.clone() #filter }
    };
    let input_fields: Vec<Ident> = input_tokens.iter().map(|m| ident(&m.rust_name)).collect();
    let types: Vec<TokenStream> = input_tokens.iter().map(|m| value_type(ctx, &m.target)).collect();
    let (token_type, next_token, token, set_token) = if let ([field], [output_token]) =
        (&input_fields[..], &output_tokens[..])
    {
        let token_type = &types[0];
        (quote! { #token_type }, present(output_token), quote! { self.#field.clone() }, quote! { self.#field = token; })
    } else {
        // Several tokens travel together as a tuple; the run goes on while any is present.
        let nexts = output_tokens.iter().map(present);
        let indexes = (0..input_fields.len()).map(syn::Index::from);
        let parts: Vec<Ident> = (0..input_fields.len()).map(|i| format_ident!("token{i}")).collect();
        (
            quote! { (#(Option<#types>,)*) },
            quote! {
                let tokens = (#(#nexts,)*);
                (#(tokens.#indexes.is_some())||*).then_some(tokens)
            },
            quote! { Some((#(self.#input_fields.clone(),)*)) },
            quote! {
                let (#(#parts,)*) = token.unwrap_or_default();
                #( self.#input_fields = #parts; )*
            },
        )
    };
    let more_results = pager.more_results.as_ref().and_then(|m| find(output, m)).map(|m| {
        let more = ident(&m.rust_name);
        quote! {
            if output.#more != Some(true) {
                return None;
            }
        }
    });
    let set_page_size = match pager.limit_key.as_ref().and_then(|k| find(input, k)) {
        Some(limit) => {
            let limit_field = ident(&limit.rust_name);
            let value = match kind(&limit) {
                Some(ShapeKind::String) => quote! { size.to_string() },
                Some(ShapeKind::Long) => quote! { i64::from(size) },
                _ => quote! { size },
            };
            quote! {
                self.#limit_field = Some(#value);
                true
            }
        }
        None => quote! { let _ = size; false },
    };
    let merges = results.iter().filter_map(|m| {
        let field = ident(&m.rust_name);
        match kind(m)? {
            ShapeKind::List { .. } | ShapeKind::Map { .. } => {
                Some(quote! { #rt::pagination::append(&mut into.#field, page.#field); })
            }
            _ => None,
        }
    });
    let (input_name, output_name, builder) =
        (ident(&op.names.input), ident(&op.names.output), ident(&op.names.input_builder));
    let built = if build_is_fallible(input) {
        quote! { self.build() }
    } else {
        quote! { Ok(self.build()) }
    };
    Some(quote! {
        impl #builder<#rt::Client> {
            /// Pages through every result: `.send()` streams pages, `.items()` streams items,
            /// `.collect_all()` gathers them. A repeated token ends the run with an error.
            pub fn into_paginator(self) -> #rt::pagination::Paginator<#input_name> {
                let client = self.client.clone();
                #rt::pagination::Paginator::new(client, #built)
            }
        }

        impl #rt::pagination::Paginate for #input_name {
            type Token = #token_type;
            type Item = #item;

            fn next_token(output: &#output_name) -> Option<Self::Token> {
                #more_results
                #next_token
            }

            fn token(&self) -> Option<Self::Token> {
                #token
            }

            fn set_token(&mut self, token: Option<Self::Token>) {
                #set_token
            }

            fn set_page_size(&mut self, size: i32) -> bool {
                #set_page_size
            }

            fn take_items(output: &mut #output_name) -> Option<Vec<#item>> {
                #take_items
            }

            fn put_items(output: &mut #output_name, items: Option<Vec<#item>>) {
                #put_items
            }

            fn merge(into: &mut #output_name, page: #output_name) {
                #(#merges)*
            }
        }
    })
}

/// What the runtime needs to know of the operation: its request, its output and its errors.
fn operation_impl(ctx: &Ctx, op: &Operation, input: &Shape, output: &Shape) -> TokenStream {
    let rt = rt::runtime();
    let (input_name, output_name, error) = (ident(&op.names.input), ident(&op.names.output), ident(&op.names.error));
    let name = &op.name;
    let request = request(ctx, op, input);
    let parse_output = parse_output(ctx, output, &output_name);
    let error_arms = op.names.error_variants.iter().map(|v| {
        let variant = ident(&v.variant);
        // A response may name the error by its code or by its shape (query-compatible services).
        let codes = std::iter::once(&v.code).chain((v.shape != v.code).then_some(&v.shape));
        let headers: Vec<&Member> = ctx
            .service
            .shapes
            .get(&v.shape)
            .map(members)
            .unwrap_or_default()
            .iter()
            .filter(|m| matches!(m.location, Location::Header | Location::StatusCode))
            .collect();
        if headers.is_empty() {
            return quote! { Some(#(#codes)|*) => error.modeled().map_or_else(#error::Unhandled, #error::#variant), };
        }
        // Members bound to headers (or the status) are read before the body is.
        let variant_type = ctx.service.shapes.get(&v.shape).map(|s| ident(&s.names.type_name));
        let fields: Vec<Ident> = headers.iter().map(|m| ident(&m.rust_name)).collect();
        let values = headers.iter().map(|m| {
            let wire = &m.wire_name;
            match m.location {
                Location::StatusCode => quote! { error.meta().status().map(Into::into) },
                _ => quote! { error.header_value(#wire) },
            }
        });
        quote! {
            Some(#(#codes)|*) => {
                #( let #fields = #values; )*
                error.modeled().map_or_else(#error::Unhandled, |mut modeled: crate::types::#variant_type| {
                    #( modeled.#fields = #fields; )*
                    #error::#variant(modeled)
                })
            }
        }
    });
    let parse_error = if op.names.error_variants.is_empty() {
        quote! { #error::Unhandled(error.into_meta()) }
    } else {
        quote! {
            match error.code() {
                #(#error_arms)*
                _ => #error::Unhandled(error.into_meta()),
            }
        }
    };
    quote! {
        impl #rt::Operation for #input_name {
            type Output = #output_name;
            type Error = #error;
            const NAME: &'static str = #name;

            fn request(&self) -> Result<#rt::Request, #rt::BuildError> {
                #request
            }

            fn parse_output(response: &#rt::http::Response) -> Result<#output_name, #rt::ParseError> {
                #parse_output
            }

            fn parse_error(error: #rt::ErrorResponse) -> #error {
                #parse_error
            }
        }
    }
}

/// The request: awsJson sends the whole input as JSON; rest-json places each member where the
/// model binds it.
fn request(ctx: &Ctx, op: &Operation, input: &Shape) -> TokenStream {
    let rt = rt::runtime();
    if let Protocol::AwsJson { version_minor } = ctx.service.protocol {
        let version = format!("1.{version_minor}");
        let target = format!("{}.{}", ctx.service.target_prefix.as_deref().unwrap_or_default(), op.name);
        return match host_prefix(op, input) {
            Some(prefix) => quote! { #rt::Request::aws_json(#version, #target, self)? #prefix },
            None => quote! { #rt::Request::aws_json(#version, #target, self) },
        };
    }
    let (method, uri) = (&op.http.method, &op.http.uri);
    let enforced = |m: &Member| m.required && input.enforces_required();
    // `Option<&T>` of a member, whichever way the struct holds it.
    let value_of = |m: &Member| {
        let field = ident(&m.rust_name);
        if enforced(m) {
            quote! { Some(&self.#field) }
        } else {
            quote! { self.#field.as_ref() }
        }
    };
    let mut calls = Vec::new();
    let mut map_bindings = Vec::new();
    for m in members(input) {
        let wire = &m.wire_name;
        let value = value_of(m);
        let kind = ctx.service.shapes.get(&m.target).map(|s| &s.kind);
        let call = match m.location {
            Location::Label => {
                let value = if enforced(m) {
                    let field = ident(&m.rust_name);
                    quote! { &self.#field }
                } else {
                    let label = m.rust_name.trim_start_matches("r#");
                    quote! { #rt::build::required(#value, #label)? }
                };
                match m.timestamp_format {
                    Some(format) => {
                        let format = timestamp_format(format);
                        quote! { .label_with(#wire, #value, #format) }
                    }
                    None => quote! { .label(#wire, #value) },
                }
            }
            Location::Query => match kind {
                Some(ShapeKind::List { .. }) => quote! { .query_list(#wire, #value) },
                // Map entries go after every named parameter, which wins over an entry of its name.
                Some(ShapeKind::Map { value: map_value, .. }) => {
                    let call = match ctx.service.shapes.get(map_value).map(|s| &s.kind) {
                        Some(ShapeKind::List { .. }) => quote! { .query_map_list(#value) },
                        _ => quote! { .query_map(#value) },
                    };
                    map_bindings.push((call, false));
                    continue;
                }
                _ => match m.timestamp_format {
                    Some(format) => {
                        let format = timestamp_format(format);
                        quote! { .query_with(#wire, #value, #format) }
                    }
                    None => quote! { .query(#wire, #value) },
                },
            },
            Location::Header => match kind {
                Some(ShapeKind::List { .. }) => quote! { .header_list(#wire, #value) },
                _ if m.json_value => quote! { .header_json(#wire, #value) },
                _ => match m.timestamp_format {
                    Some(format) => {
                        let format = timestamp_format(format);
                        quote! { .header_with(#wire, #value, #format) }
                    }
                    None => quote! { .header(#wire, #value) },
                },
            },
            // Like query maps: after the named headers, which win over an entry of their name.
            Location::PrefixHeaders => {
                map_bindings.push((quote! { .prefix_headers(#wire, #value) }, false));
                continue;
            }
            Location::Payload => match kind {
                Some(ShapeKind::Blob) => {
                    let media_type = ctx
                        .service
                        .shapes
                        .get(&m.target)
                        .and_then(|s| s.media_type.as_deref())
                        .unwrap_or("application/octet-stream");
                    quote! { .payload_blob(#value, #media_type) }
                }
                Some(ShapeKind::String | ShapeKind::Enum(_)) => quote! { .payload_text(#value) },
                Some(ShapeKind::Union(_)) => quote! { .payload_union(#value) },
                _ => quote! { .payload_json(#value) },
            },
            Location::Body | Location::StatusCode => continue,
        };
        let fallible = m.location == Location::Payload
            && !matches!(kind, Some(ShapeKind::Blob | ShapeKind::String | ShapeKind::Enum(_)));
        calls.push((call, fallible));
    }
    calls.extend(map_bindings);
    if let Some(prefix) = host_prefix(op, input) {
        calls.push((prefix, true));
    }
    if members(input).iter().any(|m| m.location == Location::Body) {
        calls.push((quote! { .json_body(self) }, true));
    }
    // A chain ending in a fallible call returns its result; otherwise it is wrapped in `Ok`.
    let last_fallible = calls.last().is_some_and(|(_, fallible)| *fallible);
    let count = calls.len();
    let chain = calls.into_iter().enumerate().map(|(i, (call, fallible))| {
        let question = (fallible && i + 1 < count).then(|| quote! { ? });
        quote! { #call #question }
    });
    let request = quote! { #rt::Request::rest(#method, #uri) #(#chain)* };
    if last_fallible {
        request
    } else {
        quote! { Ok(#request) }
    }
}

/// `.host_prefix("{Account}.", &[("Account", ...)])`, if the operation has a host prefix.
fn host_prefix(op: &Operation, input: &Shape) -> Option<TokenStream> {
    let prefix = op.host_prefix.as_ref()?;
    let labels = members(input).iter().filter(|m| m.host_label).map(|m| {
        let (name, field) = (&m.name, ident(&m.rust_name));
        if m.required && input.enforces_required() {
            quote! { (#name, Some(&self.#field)) }
        } else {
            quote! { (#name, self.#field.as_ref()) }
        }
    });
    Some(quote! { .host_prefix(#prefix, &[#(#labels),*]) })
}

/// The output: body members from the JSON body, the others from headers, status and payload.
fn parse_output(ctx: &Ctx, output: &Shape, output_name: &Ident) -> TokenStream {
    let rt = rt::runtime();
    let mut assignments = Vec::new();
    for m in members(output) {
        let field = ident(&m.rust_name);
        let wire = &m.wire_name;
        let kind = ctx.service.shapes.get(&m.target).map(|s| &s.kind);
        let value = match m.location {
            Location::Body | Location::Label | Location::Query => continue,
            Location::Header => match (kind, m.timestamp_format) {
                (Some(ShapeKind::List { .. }), _) => quote! { response.header_list(#wire)? },
                _ if m.json_value => quote! { response.header_json(#wire)? },
                (_, Some(format)) => {
                    let format = timestamp_format(format);
                    quote! { response.header_value_with(#wire, #format)? }
                }
                _ => quote! { response.header_value(#wire)? },
            },
            Location::PrefixHeaders => quote! { response.prefix_headers(#wire)? },
            Location::StatusCode => match kind {
                Some(ShapeKind::Long) => quote! { response.status_code().map(i64::from) },
                _ => quote! { response.status_code() },
            },
            Location::Payload => match kind {
                Some(ShapeKind::Blob) => quote! { response.payload_blob() },
                Some(ShapeKind::String | ShapeKind::Enum(_)) => quote! { response.payload_text()? },
                _ => quote! { response.payload_json()? },
            },
        };
        assignments.push(quote! { output.#field = #value; });
    }
    let has_body = members(output).iter().any(|m| m.location == Location::Body);
    let start = if has_body || matches!(ctx.service.protocol, Protocol::AwsJson { .. }) {
        quote! { #rt::json_output(response) }
    } else {
        quote! { { let _ = response; Ok(#output_name::builder().build()) } }
    };
    if assignments.is_empty() {
        return start;
    }
    quote! {
        let mut output: #output_name = #start?;
        #(#assignments)*
        Ok(output)
    }
}

fn timestamp_format(format: TimestampFormat) -> TokenStream {
    let rt = rt::runtime();
    match format {
        TimestampFormat::EpochSeconds => quote! { #rt::TimestampFormat::EpochSeconds },
        TimestampFormat::DateTime => quote! { #rt::TimestampFormat::DateTime },
        TimestampFormat::HttpDate => quote! { #rt::TimestampFormat::HttpDate },
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
    let empty = ShapeKind::Structure(Structure { members: Vec::new(), error: None });
    Shape { sent, received: !sent, json_out: sent, json_in: !sent, ..Shape::new(type_name, empty) }
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
        #[derive(Clone, PartialEq, ::std::fmt::Debug)]
        #[non_exhaustive]
        pub enum #name {
            #( #variant_docs #variants(crate::types::#types), )*
            /// An error the model does not describe for this operation; it keeps the code, message,
            /// HTTP status and request id of the response.
            #unhandled(#rt::ErrorMetadata),
        }

        impl #name {
            /// The error code, if the response carried one.
            pub fn code(&self) -> Option<&str> {
                self.meta().code()
            }

            /// The error message, if the response carried one.
            pub fn message(&self) -> Option<&str> {
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
