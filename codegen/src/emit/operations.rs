//! One module per operation: its input and output types with builders, how they travel
//! (`impl Operation`), `send()`, and (from `errors` and `paginators`) its error enum and paginator.

use super::addressing::addressing;
use super::types::{ident, structure, StructNames};
use super::{docs, rt, Ctx};
use crate::ir::{
    Binding, EndpointParamValue, Operation, Protocol, RequestChecksum, ResponseChecksum, TimestampFormat, XmlNamespace,
};
use crate::plan::{FieldPlan, OperationPlan, RustType, TypePlan};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

pub(crate) fn operation_module(ctx: &Ctx, plan: &OperationPlan) -> TokenStream {
    let op = &plan.op;
    let mut module_docs = vec![format!("The {} operation.", op.name)];
    let op_docs = super::docs::to_markdown(op.docs.0.as_deref().unwrap_or(""));
    if !op_docs.is_empty() {
        module_docs.extend(["".to_owned()].into_iter().chain(op_docs.lines().map(str::to_owned)));
    }
    let module_docs = docs::inner(&module_docs);
    let input = io_struct(&plan.input, &op.names.input, &op.names.input_builder, true);
    let output = io_struct(&plan.output, &op.names.output, &op.names.output_builder, false);
    let send = send(op, &plan.input, plan.presignable);
    let operation = operation_impl(ctx, plan);
    let paginator = plan.paginator.as_ref().map(|p| super::paginators::paginator(&op.names, p));
    let waiters = super::waiters::waiters(&op.name, &op.names, &plan.waiters);
    let error = super::errors::operation_error(plan);
    let xml = ctx.service.protocol.reads_xml().then(|| super::codecs::io_impls(ctx, plan));
    quote! {
        #module_docs
        #input
        #send
        #operation
        #paginator
        #waiters
        #output
        #error
        #xml
    }
}

/// `Client::op()` hands out the input builder holding the client; `send()` builds and sends it.
fn send(op: &Operation, input: &TypePlan, presignable: bool) -> TokenStream {
    let rt = rt::runtime();
    let builder = ident(&op.names.input_builder);
    let output = ident(&op.names.output);
    let error = ident(&op.names.error);
    let fields = input.fields.iter().map(|f| ident(&f.rust_name));
    let presigned = presignable.then(|| {
        quote! {
            /// Builds the request and presigns it instead of sending it: a URL (with the headers
            /// to send) that anyone can use until `presigning` says it expires.
            pub async fn presigned(
                self,
                presigning: #rt::PresigningConfig,
            ) -> Result<#rt::PresignedRequest, #rt::SdkError<#error>> {
                let client = self.client.inner.clone();
                client.presign(self.build()?, presigning).await
            }

            /// [`presigned`](Self::presigned), on this thread; no async runtime needed.
            #[cfg(feature = "blocking")]
            pub fn presigned_blocking(
                self,
                presigning: #rt::PresigningConfig,
            ) -> Result<#rt::PresignedRequest, #rt::SdkError<#error>> {
                #rt::blocking::block_on(self.presigned(presigning))
            }
        }
    });
    quote! {
        impl #builder<crate::Client> {
            pub(crate) fn new(client: crate::Client) -> Self {
                Self { client, #(#fields: None,)* }
            }

            /// Builds the request and sends it, retrying as the client's configuration allows.
            pub async fn send(self) -> Result<#output, #rt::SdkError<#error>> {
                let client = self.client.inner.clone();
                client.send(self.build()?).await
            }

            /// [`send`](Self::send), waiting for the answer on this thread; no async runtime needed.
            #[cfg(feature = "blocking")]
            pub fn send_blocking(self) -> Result<#output, #rt::SdkError<#error>> {
                #rt::blocking::block_on(self.send())
            }

            #presigned
        }
    }
}

/// What the runtime needs to know of the operation: its request, its output and its errors.
fn operation_impl(ctx: &Ctx, plan: &OperationPlan) -> TokenStream {
    let rt = rt::runtime();
    let (op, input, output) = (&plan.op, &plan.input, &plan.output);
    let (input_name, output_name, error) = (ident(&op.names.input), ident(&op.names.output), ident(&op.names.error));
    let name = &op.name;
    let request = request(ctx, plan);
    let parse_output = parse_output(ctx, op, output, &output_name);
    // awsQuery, EC2 and restXml read modeled errors from XML.
    let modeled = if ctx.service.protocol.reads_xml() {
        quote! { modeled_xml }
    } else {
        quote! { modeled }
    };
    let error_arms = plan.errors.iter().map(|e| {
        let (v, headers) = (&e.variant, &e.head);
        let variant = ident(&v.variant);
        // A response may name the error by its code or by its shape (query-compatible services).
        let codes: Vec<&String> = std::iter::once(&v.code).chain((v.shape != v.code).then_some(&v.shape)).collect();
        if headers.is_empty() {
            return quote! {
                if error.is(&[#(#codes),*]) {
                    return error.#modeled().map_or_else(#error::Unhandled, #error::#variant);
                }
            };
        }
        // Members bound to headers (or the status) are read before the body is.
        let variant_type = ident(&e.type_name);
        let fields: Vec<Ident> = headers.iter().map(|m| ident(&m.rust_name)).collect();
        let values = headers.iter().map(|m| {
            let wire = &m.wire_name;
            let value = match m.binding {
                Binding::StatusCode => quote! { error.meta().status().map(Into::into) },
                _ => quote! { error.header_value(#wire) },
            };
            if m.optional {
                value
            } else {
                quote! { #value.unwrap_or_default() }
            }
        });
        quote! {
            if error.is(&[#(#codes),*]) {
                #( let #fields = #values; )*
                return error.#modeled().map_or_else(#error::Unhandled, |mut modeled: crate::types::#variant_type| {
                    #( modeled.#fields = #fields; )*
                    #error::#variant(modeled)
                });
            }
        }
    });
    let endpoint_params = endpoint_params(op, input);
    let finish = finish(plan);
    let cross_region_copy = cross_region_copy(plan);
    let parse_error = quote! {
        #(#error_arms)*
        #error::Unhandled(error.into_unhandled())
    };
    let unsigned = op.unsigned.then(|| quote! { const UNSIGNED: bool = true; });
    let unsigned_payload = op.unsigned_payload.then(|| quote! { const UNSIGNED_PAYLOAD: bool = true; });
    let gzip = op.gzip_request.then(|| quote! { const GZIP_REQUEST: bool = true; });
    let error_in_ok = op.customized.error_in_ok.then(|| quote! { const ERROR_IN_OK: bool = true; });
    let checksum = op.request_checksum.as_ref().map(|checksum| request_checksum(checksum, input));
    let response_checksum = op.response_checksum.as_ref().and_then(|checksum| response_checksum(checksum, input));
    let endpoint_discovery = endpoint_discovery(ctx, op);
    // A streaming payload is parsed from the head, with the body as it arrives (or, read whole,
    // from memory).
    let streaming = output.fields.iter().any(is_body_stream);
    let event_stream = output.fields.iter().any(|f| f.binding == Binding::EventStream);
    let event_stream = event_stream.then(|| quote! { const EVENT_STREAM_OUTPUT: bool = true; });
    let parse = match streaming {
        true => quote! {
            const STREAMING_OUTPUT: bool = true;
            #event_stream

            fn parse_output(response: &#rt::http::Response) -> Result<#output_name, #rt::ParseError> {
                Self::parse_streaming(response, #rt::ByteStream::new(response.body.clone()))
            }

            fn parse_streaming(response: &#rt::http::Response, stream: #rt::ByteStream) -> Result<#output_name, #rt::ParseError> {
                #parse_output
            }
        },
        false => quote! {
            fn parse_output(response: &#rt::http::Response) -> Result<#output_name, #rt::ParseError> {
                #parse_output
            }
        },
    };
    quote! {
        impl #rt::Operation for #input_name {
            type Output = #output_name;
            type Error = #error;
            const NAME: &'static str = #name;
            #unsigned
            #unsigned_payload
            #gzip
            #error_in_ok
            #checksum
            #response_checksum
            #endpoint_discovery

            fn request(&self) -> Result<#rt::Request, #rt::BuildError> {
                #request
            }

            #parse

            fn parse_error(error: #rt::ErrorResponse) -> #error {
                #parse_error
            }

            #endpoint_params
            #finish
            #cross_region_copy
        }
    }
}

/// `Operation::cross_region_copy` and `set_presigned_copy`: the input to presign in the source
/// region, unless the caller gave the URL, and where the URL (and EC2's destination) goes.
fn cross_region_copy(plan: &OperationPlan) -> Option<TokenStream> {
    let copy = plan.cross_region_copy.as_ref()?;
    let (url, source) = (ident(&copy.url), ident(&copy.source_region));
    // RDS's kin send the URL only.
    let (destination, set_destination) = match &copy.destination_region {
        Some(name) => {
            let name = ident(name);
            (quote! { destination }, Some(quote! { self.#name = Some(destination.to_owned()); }))
        }
        None => (quote! { _destination }, None),
    };
    Some(quote! {
        fn cross_region_copy(&self) -> Option<(String, Self)> {
            match (&self.#url, &self.#source) {
                (None, Some(source)) => Some((source.clone(), self.clone())),
                _ => None,
            }
        }

        fn set_presigned_copy(&mut self, url: String, #destination: &str) {
            self.#url = Some(url);
            #set_destination
        }
    })
}

/// `Operation::finish` for S3's listings: the keys asked for encoded, decoded.
fn finish(plan: &OperationPlan) -> Option<TokenStream> {
    let rt = rt::runtime();
    let listing = plan.listing.as_ref()?;
    let output_name = ident(&plan.op.names.output);
    let (asked, answered) = (ident(&listing.asked), ident(&listing.answered));
    let texts = listing.texts.iter().map(|text| ident(text));
    let items = listing.items.iter().map(|(list, field)| {
        let (list, field) = (ident(list), ident(field));
        quote! {
            for item in output.#list.iter_mut().flatten() {
                #rt::percent::form_decode_in_place(&mut item.#field);
            }
        }
    });
    Some(quote! {
        fn finish(&self, mut output: #output_name) -> #output_name {
            if self.#asked.is_none() && output.#answered.as_ref().is_some_and(|e| e.as_str() == "url") {
                #( #rt::percent::form_decode_in_place(&mut output.#texts); )*
                #(#items)*
            }
            output
        }
    })
}

/// `Operation::REQUEST_CHECKSUM`, with the header the algorithm member is sent in (a member bound
/// elsewhere leaves the choice to the default, CRC32).
fn request_checksum(checksum: &RequestChecksum, input: &TypePlan) -> TokenStream {
    let rt = rt::runtime();
    let member = checksum.algorithm_member.as_ref().and_then(|name| input.field(name));
    let header = member.filter(|m| m.binding == Binding::Header).map(|m| m.wire_name.as_str());
    let header = match header {
        Some(name) => quote! { Some(#name) },
        None => quote! { None },
    };
    let required = checksum.required;
    quote! {
        const REQUEST_CHECKSUM: Option<#rt::RequestChecksum> =
            Some(#rt::RequestChecksum { algorithm_header: #header, required: #required });
    }
}

/// `Operation::RESPONSE_CHECKSUM`, when the member that asks for it is a header (as S3's
/// `x-amz-checksum-mode`); the client sets and reads that header.
fn response_checksum(checksum: &ResponseChecksum, input: &TypePlan) -> Option<TokenStream> {
    let rt = rt::runtime();
    let member = input.field(&checksum.mode_member)?;
    let header = (member.binding == Binding::Header).then_some(member.wire_name.as_str())?;
    let algorithms = &checksum.algorithms;
    Some(quote! {
        const RESPONSE_CHECKSUM: Option<#rt::ResponseChecksum> =
            Some(#rt::ResponseChecksum { mode_header: #header, algorithms: &[#(#algorithms),*] });
    })
}

/// `Operation::ENDPOINT_DISCOVERY`: the service's DescribeEndpoints as awsJson names it (every
/// service with endpoint discovery speaks awsJson).
fn endpoint_discovery(ctx: &Ctx, op: &Operation) -> Option<TokenStream> {
    let rt = rt::runtime();
    let discovery = op.endpoint_discovery.as_ref()?;
    let Protocol::AwsJson { version_minor } = ctx.service.protocol else { return None };
    let target = format!("{}.{}", ctx.service.target_prefix.as_deref().unwrap_or_default(), discovery.operation);
    let (version, required) = (format!("1.{version_minor}"), discovery.required);
    Some(quote! {
        const ENDPOINT_DISCOVERY: Option<#rt::EndpointDiscovery> =
            Some(#rt::EndpointDiscovery { target: #target, json_version: #version, required: #required });
    })
}

/// `Operation::endpoint_params`, where the operation sets any: fixed values, then input members.
fn endpoint_params(op: &Operation, input: &TypePlan) -> Option<TokenStream> {
    let rt = rt::runtime();
    if op.endpoint_params.is_empty() {
        return None;
    }
    let sets = op.endpoint_params.iter().map(|param| {
        let name = &param.name;
        match &param.value {
            EndpointParamValue::Static(serde_json::Value::Bool(value)) => quote! { params.set(#name, #value); },
            EndpointParamValue::Static(serde_json::Value::String(value)) => quote! { params.set(#name, #value); },
            EndpointParamValue::Static(value) => {
                let items = value.as_array().into_iter().flatten().filter_map(serde_json::Value::as_str);
                quote! { params.set(#name, vec![#(#items.to_owned()),*]); }
            }
            EndpointParamValue::Member(member) => {
                // `endpoint_rules::attach` kept only members of a string, enum, boolean or string-list shape.
                let Some(member) = input.field(member) else { return quote! {} };
                let field = ident(&member.rust_name);
                let value = match member.value {
                    RustType::Bool => quote! { *value },
                    RustType::Vec(_) => {
                        quote! { value.iter().map(|item| item.as_str().to_owned()).collect::<Vec<_>>() }
                    }
                    _ => quote! { value.as_str() },
                };
                if member.optional {
                    quote! { if let Some(value) = &self.#field { params.set(#name, #value); } }
                } else {
                    quote! { let value = &self.#field; params.set(#name, #value); }
                }
            }
        }
    });
    Some(quote! {
        fn endpoint_params(&self, params: &mut #rt::endpoint_rules::Params) {
            #(#sets)*
        }
    })
}

/// The request: awsJson sends the whole input as JSON, RPCv2 CBOR as CBOR; rest-json places each
/// member where the model binds it.
fn request(ctx: &Ctx, plan: &OperationPlan) -> TokenStream {
    let rt = rt::runtime();
    let (op, input) = (&plan.op, &plan.input);
    if ctx.service.protocol.is_query() {
        return super::query::request(ctx, op, input);
    }
    if let Protocol::AwsJson { version_minor } = ctx.service.protocol {
        let version = format!("1.{version_minor}");
        let target = format!("{}.{}", ctx.service.target_prefix.as_deref().unwrap_or_default(), op.name);
        return chain((quote! { #rt::Request::aws_json(#version, #target, self) }, true), addressing(op, input));
    }
    if ctx.service.protocol == Protocol::RpcV2Cbor {
        let service = ctx.service.target_prefix.as_deref().unwrap_or_default();
        let name = &op.name;
        // An operation without input sends no body at all.
        let body = op.input.as_ref().map_or_else(|| quote! { None::<&()> }, |_| quote! { Some(self) });
        return chain((quote! { #rt::Request::rpc_v2_cbor(#service, #name, #body) }, true), addressing(op, input));
    }
    let (method, uri) = (&op.http.method, &op.http.uri);
    let xml = ctx.service.protocol == Protocol::RestXml;
    let enforced = |m: &FieldPlan| !m.optional;
    // `Option<&T>` of a member, whichever way the struct holds it.
    let value_of = |m: &FieldPlan| {
        let field = ident(&m.rust_name);
        if enforced(m) {
            quote! { Some(&self.#field) }
        } else {
            quote! { self.#field.as_ref() }
        }
    };
    let mut calls = Vec::new();
    let mut map_bindings = Vec::new();
    for m in &input.fields {
        let wire = &m.wire_name;
        let value = value_of(m);
        let call = match m.binding {
            Binding::Label => {
                let field = ident(&m.rust_name);
                let value = match &m.label_fallback {
                    Some(fallback) => quote! { #rt::build::label_or(self.#field.as_deref(), #fallback) },
                    None if enforced(m) => quote! { &self.#field },
                    None => {
                        let label = m.rust_name.trim_start_matches("r#");
                        quote! { #rt::build::required(#value, #label)? }
                    }
                };
                timestamped("label", wire, value, m.timestamp_format)
            }
            Binding::Query => timestamped("query", wire, value, m.timestamp_format),
            Binding::QueryList => quote! { .query_list(#wire, #value) },
            // Map entries go after every named parameter, which wins over an entry of its name;
            // prefix headers likewise after the named headers.
            Binding::QueryMap => {
                map_bindings.push((quote! { .query_map(#value) }, false));
                continue;
            }
            Binding::QueryMapOfLists => {
                map_bindings.push((quote! { .query_map_list(#value) }, false));
                continue;
            }
            Binding::PrefixHeaders => {
                map_bindings.push((quote! { .prefix_headers(#wire, #value) }, false));
                continue;
            }
            Binding::Header => timestamped("header", wire, value, m.timestamp_format),
            Binding::HeaderList => quote! { .header_list(#wire, #value) },
            Binding::HeaderJson => quote! { .header_json(#wire, #value) },
            Binding::PayloadBlob => {
                let media_type = &m.media_type;
                match m.stream {
                    true => quote! { .payload_stream(#value, #media_type) },
                    false => quote! { .payload_blob(#value, #media_type) },
                }
            }
            Binding::PayloadText => quote! { .payload_text(#value) },
            Binding::PayloadUnion | Binding::PayloadStructure if xml => {
                let element = &m.xml.element;
                let namespace = namespace_arg(m.xml.namespace.as_ref());
                quote! { .payload_xml(#element, #namespace, #value) }
            }
            Binding::PayloadUnion => quote! { .payload_union(#value) },
            Binding::PayloadStructure => quote! { .payload_json(#value) },
            Binding::EventStream => quote! { .payload_events(#value) },
            Binding::Body | Binding::StatusCode | Binding::Unsent => continue,
        };
        let fallible = match m.binding {
            Binding::PayloadUnion | Binding::PayloadStructure => !xml,
            Binding::PayloadBlob => m.stream,
            _ => false,
        };
        calls.push((call, fallible));
    }
    calls.extend(map_bindings);
    calls.extend(addressing(op, input));
    if input.fields.iter().any(|m| m.binding == Binding::Body) {
        calls.push(match xml {
            true => {
                let root = op.body_root.as_ref();
                let name = root.map_or(&input.id, |root| &root.name);
                let namespace = namespace_arg(root.and_then(|root| root.namespace.as_ref()));
                (quote! { .xml_body(#name, #namespace, self) }, false)
            }
            false => (quote! { .json_body(self) }, true),
        });
    }
    if !op.customized.sse_customer_keys.is_empty() {
        let pairs = op.customized.sse_customer_keys.iter().map(|(key, md5)| quote! { (#key, #md5) });
        calls.push((quote! { .sse_customer_keys(&[#(#pairs),*]) }, false));
    }
    if op.customized.glacier_checksums {
        calls.push((quote! { .glacier_checksums() }, false));
    }
    if let Some(listing) = &plan.listing {
        let asked = ident(&listing.asked);
        calls.push((quote! { .ask_url_encoding(self.#asked.is_some()) }, false));
    }
    if op.customized.query_as_form {
        calls.push((quote! { .query_as_form() }, false));
    }
    chain((quote! { #rt::Request::rest(#method, #uri) }, false), calls)
}

/// `start` and the calls after it, each `(call, fallible)`, as the body of `request()`: a
/// chain ending in a fallible call returns its result; otherwise it is wrapped in `Ok`.
fn chain(start: (TokenStream, bool), calls: Vec<(TokenStream, bool)>) -> TokenStream {
    let calls: Vec<_> = std::iter::once(start).chain(calls).collect();
    let last_fallible = calls.last().is_some_and(|(_, fallible)| *fallible);
    let count = calls.len();
    let chain = calls.into_iter().enumerate().map(|(i, (call, fallible))| {
        let question = (fallible && i + 1 < count).then(|| quote! { ? });
        quote! { #call #question }
    });
    if last_fallible {
        quote! { #(#chain)* }
    } else {
        quote! { Ok(#(#chain)*) }
    }
}

/// `Some(("xmlns", "uri"))` or `None`, as `xml_body` and `payload_xml` take a namespace.
fn namespace_arg(namespace: Option<&XmlNamespace>) -> TokenStream {
    match namespace {
        Some(ns) => {
            let (attribute, uri) = (ns.attribute(), &ns.uri);
            quote! { Some((#attribute, #uri)) }
        }
        None => quote! { None },
    }
}

/// The output: body members from the JSON body, the others from headers, status and payload.
fn parse_output(ctx: &Ctx, op: &Operation, output: &TypePlan, output_name: &Ident) -> TokenStream {
    let rt = rt::runtime();
    if ctx.service.protocol.is_query() {
        return super::query::parse_output(ctx, op, output_name);
    }
    let xml = ctx.service.protocol == Protocol::RestXml;
    let (mut fields, mut values) = (Vec::new(), Vec::new());
    let mut skipped = false;
    for m in &output.fields {
        let wire = &m.wire_name;
        let value = match m.binding {
            Binding::Body if op.unwrapped_xml_output && xml => quote! { response.unwrapped_xml()? },
            Binding::Body => continue,
            Binding::Label
            | Binding::Query
            | Binding::QueryList
            | Binding::QueryMap
            | Binding::QueryMapOfLists
            | Binding::Unsent => {
                skipped = true;
                continue;
            }
            Binding::Header => match m.timestamp_format {
                Some(format) => {
                    let format = timestamp_format(format);
                    quote! { response.header_value_with(#wire, #format)? }
                }
                None => quote! { response.header_value(#wire)? },
            },
            Binding::HeaderList => quote! { response.header_list(#wire)? },
            Binding::HeaderJson => quote! { response.header_json(#wire)? },
            Binding::PrefixHeaders => quote! { response.prefix_headers(#wire)? },
            Binding::StatusCode => match m.value {
                RustType::I64 => quote! { response.status_code().map(i64::from) },
                _ => quote! { response.status_code() },
            },
            // The body as it arrives: see `operation_impl`.
            Binding::PayloadBlob if m.stream => quote! { stream },
            Binding::EventStream => quote! { #rt::eventstream::EventReceiver::new(stream, #xml) },
            Binding::PayloadBlob => quote! { response.payload_blob() },
            Binding::PayloadText => quote! { response.payload_text()? },
            Binding::PayloadUnion | Binding::PayloadStructure if xml => quote! { response.payload_xml()? },
            Binding::PayloadUnion | Binding::PayloadStructure => quote! { response.payload_json()? },
        };
        // A required member the response leaves out reads as its zero value; a stream is always
        // there (perhaps empty).
        let value = match (m.optional, is_body_stream(m)) {
            (true, true) => quote! { Some(#value) },
            (true, false) | (false, true) => value,
            (false, false) => quote! { #value.unwrap_or_default() },
        };
        fields.push(ident(&m.rust_name));
        values.push(value);
    }
    let request_id = quote! { response.request_id().map(str::to_owned) };
    let has_body = match xml {
        true => !op.unwrapped_xml_output && output.fields.iter().any(|f| super::xml::read_from_body(f)),
        false => output.fields.iter().any(|f| f.binding == Binding::Body),
    };
    // An event stream is the whole body, even where the protocol's body is the output.
    let rpc_body = ctx.service.protocol.is_rpc_body() && !output.fields.iter().any(is_body_stream);
    if has_body || rpc_body {
        let parse = match ctx.service.protocol {
            Protocol::RestXml => quote! { xml_output },
            Protocol::RpcV2Cbor => quote! { cbor_output },
            _ => quote! { json_output },
        };
        return quote! {
            let mut output: #output_name = #rt::#parse(response)?;
            #( output.#fields = #values; )*
            output._request_id = #request_id;
            Ok(output)
        };
    }
    // No body: every member comes from the head (members bound to the request only stay unset).
    let rest = skipped.then(|| quote! { ..Default::default() });
    quote! {
        Ok(#output_name {
            #( #fields: #values, )*
            _request_id: #request_id,
            #rest
        })
    }
}

/// `.method(wire, value)`, or `.method_with(wire, value, format)` when the model sets the
/// member's timestamp format.
/// A member that is the response body as it arrives: a streaming blob or an event stream.
fn is_body_stream(m: &FieldPlan) -> bool {
    m.stream && matches!(m.binding, Binding::PayloadBlob | Binding::EventStream)
}

fn timestamped(method: &str, wire: &str, value: TokenStream, format: Option<TimestampFormat>) -> TokenStream {
    match format {
        Some(format) => {
            let (method, format) = (format_ident!("{method}_with"), timestamp_format(format));
            quote! { .#method(#wire, #value, #format) }
        }
        None => {
            let method = format_ident!("{method}");
            quote! { .#method(#wire, #value) }
        }
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

/// The operation's input or output structure under the operation's own names.
fn io_struct(ty: &TypePlan, type_name: &str, builder: &str, fluent: bool) -> TokenStream {
    // The input's builder is the one a client hands out; the output carries the request id.
    let names = StructNames { type_name, builder, fluent, output: !fluent };
    structure(ty, &names)
}
