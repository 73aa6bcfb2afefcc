//! IR -> the files of one crate. Each item kind has its own small emitter returning tokens;
//! this module decides the file layout.

mod addressing;
pub(crate) mod client;
mod codecs;
mod docs;
mod errors;
mod event_streams;
mod file;
mod operations;
mod paginators;
mod query;
mod types;
mod waiters;
mod xml;

use crate::ir::{Protocol, ShapeKind};
use crate::plan::{CratePlan, ServicePlan};
use crate::rust as rt;
use crate::GeneratedFiles;
use proc_macro2::TokenStream;
use quote::quote;
pub(crate) use types::ident;
use types::StructNames;

/// What every emitter can see: the plan (and, for short, its service).
pub(crate) struct Ctx<'a> {
    pub plan: &'a CratePlan,
    pub service: &'a ServicePlan,
}

/// Where the crate comes from and what it is called; only used in file headers and the manifest.
pub(crate) struct CrateInfo<'a> {
    pub package: &'a str,
    /// The model path the manifest names, e.g. `specs/amplifybackend/service-2.json`.
    pub source: &'a str,
    /// The crate's version.
    pub version: &'a str,
    /// The registries it may be published to (none: `publish = false`).
    pub publish: &'a [String],
    /// The `awsgen-runtime` dependency line's value, e.g. `{ path = "../../runtime" }`.
    pub runtime_dependency: &'a str,
    pub standalone: bool,
}

pub(crate) fn crate_files(plan: &CratePlan, info: &CrateInfo) -> Result<GeneratedFiles, String> {
    let service = &plan.service;
    let ctx = Ctx { plan, service };
    let mut rust: Vec<(String, TokenStream)> = vec![
        ("src/lib.rs".to_owned(), lib_rs(&ctx)),
        ("src/client.rs".to_owned(), client::client_rs(&ctx)),
        ("src/config.rs".to_owned(), config_rs(service)),
        ("src/error.rs".to_owned(), error_rs()),
        ("src/operation.rs".to_owned(), operation_rs(&ctx)),
        ("src/types.rs".to_owned(), types_rs(&ctx)),
    ];
    for op in plan.operations.values() {
        rust.push((format!("src/operation/{}.rs", op.op.names.module), operations::operation_module(&ctx, op)));
    }
    for ty in &plan.types {
        let tokens = match &ty.kind {
            ShapeKind::Structure(_) => {
                let names = StructNames {
                    type_name: &ty.names.type_name,
                    builder: &ty.names.builder,
                    fluent: false,
                    output: false,
                };
                types::structure(ty, &names)
            }
            ShapeKind::Enum(values) => types::string_enum(ty, values),
            ShapeKind::Union(_) => match &ty.events {
                Some(stream) => event_streams::event_stream(ty, stream, service.protocol == Protocol::RestXml),
                None => types::union(ty),
            },
            _ => continue,
        };
        // An event stream's messages are read by its `ReadEvent`, not as one XML document.
        let xml = (service.protocol.reads_xml() && ty.events.is_none()).then(|| codecs::shape_impls(&ctx, ty));
        rust.push((format!("src/types/{}.rs", ty.names.module), quote! { #tokens #xml }));
    }
    let mut files = GeneratedFiles::new();
    for (path, tokens) in rust {
        let text = file::format(&path, tokens)?;
        files.insert(path, text);
    }
    files.insert("Cargo.toml".to_owned(), manifest(service, info));
    if let Some(rules) = &service.endpoint_rules {
        files.insert(format!("src/{}", client::ENDPOINT_RULES_FILE), rules.clone());
    }
    Ok(files)
}

fn lib_rs(ctx: &Ctx) -> TokenStream {
    let rt = rt::runtime();
    let service = ctx.service;
    let mut lines =
        vec![format!("A client for {} (API version {}).", service.full_name, service.api_version), String::new()];
    lines.extend(docs::to_markdown(service.docs.0.as_deref().unwrap_or("")).lines().map(str::to_owned));
    if !service.skipped_operations.is_empty() {
        lines.extend([String::new(), "Not generated:".to_owned()]);
        lines.extend(service.skipped_operations.iter().map(|(name, why)| format!("- `{name}`: {why}")));
    }
    let docs = docs::inner(&lines);
    let post = ctx.service.settings.presigned_post.then(|| {
        quote! {
            /// What `Client::presigned_post` takes and gives.
            pub use #rt::{PostCondition, PresignedPost, PresignedPostBuilder};
        }
    });
    // A crate with streaming blobs (S3's bodies) offers their type, to send files with.
    let mut streams = ctx.plan.operations.values().flat_map(|op| op.input.fields.iter().chain(&op.output.fields));
    let byte_stream = streams.any(|f| f.stream && f.binding == crate::ir::Binding::PayloadBlob).then(|| {
        quote! {
            /// A streaming body: one received as it arrives, or one to send from memory or a file.
            pub use #rt::ByteStream;
        }
    });
    let presigning = ctx.plan.operations.values().any(|op| op.presignable).then(|| {
        quote! {
            /// What an operation's `presigned()` takes and gives.
            pub mod presigning {
                pub use #rt::{PresignedRequest, PresigningConfig, MAX_PRESIGNED_EXPIRY};
                #post
            }
        }
    });
    let streams = || ctx.plan.types.iter().filter_map(|t| t.events.as_ref());
    let received = streams().any(|s| !s.sent).then(|| {
        quote! {
            pub use #rt::eventstream::{EventReceiver, Header, HeaderValue, Message, UnknownEvent};
            /// What `EventReceiver::into_blocking_iter()` returns (feature `blocking`).
            #[cfg(feature = "blocking")]
            pub use #rt::blocking::BlockingEvents;
        }
    });
    let sent = streams().any(|s| s.sent).then(|| {
        quote! { pub use #rt::eventstream::{EventSender, EventSink, EventStreamClosed}; }
    });
    let doc: &[&str] = match (&received, &sent) {
        (Some(_), None) => &[
            " The receiver of the event streams this crate's operations answer with, and the",
            " messages an event it does not know arrives as.",
        ],
        (None, _) => &[" The sender of the event streams this crate's operations send."],
        (Some(_), Some(_)) => &[
            " The receiver of the event streams this crate's operations answer with, the messages",
            " an event it does not know arrives as, and the sender of the streams they send.",
        ],
    };
    let event_stream = streams().next().is_some().then(|| {
        quote! {
            #( #[doc = #doc] )*
            pub mod event_stream {
                #received
                #sent
            }
        }
    });
    quote! {
        #docs
        #![forbid(unsafe_code)]
        #![warn(missing_docs)]
        // The crate must read deprecated members to send and parse them; callers still get the warning.
        #![allow(deprecated)]
        // Setters are named after model members, which may be `add` or `next` (ECS's KernelCapabilities),
        // and a union's variants are the model's: boxing the large ones would change the API.
        #![allow(clippy::should_implement_trait, clippy::large_enum_variant)]
        // `send_blocking()` returns what `send()` does; clippy lints only the one that is not async.
        #![allow(clippy::result_large_err)]

        mod client;
        pub mod config;
        pub mod error;
        pub mod operation;
        pub mod types;

        pub use client::Client;
        pub use config::Config;
        pub use error::{ProvideErrorMetadata, RequestId};

        /// The runtime's types that the API uses, so that no direct dependency on it is needed.
        pub mod primitives {
            pub use #rt::{Blob, DateTime, Document, TimestampFormat, UnknownValue};
            #byte_stream
        }

        /// Paginators and the stream traits their results are used with (`StreamExt::next`,
        /// `TryStreamExt::try_collect`).
        pub mod pagination {
            pub use #rt::pagination::{PaginationError, PaginationStream, Paginator};
            pub use #rt::stream::{Stream, StreamExt, TryStreamExt};
            /// What `Paginator::send_blocking()` and `items_blocking()` return (feature `blocking`).
            #[cfg(feature = "blocking")]
            pub use #rt::blocking::BlockingIter;
        }

        #presigning

        #event_stream

        /// Mock rules and recorded HTTP traffic for the tests of code that uses this crate
        /// (feature `test-util`): `Client::from_mocks`, `Replay` as the config's `http_client`.
        #[cfg(feature = "test-util")]
        pub mod test_util {
            pub use #rt::test_util::*;
        }
    }
}

fn error_rs() -> TokenStream {
    let rt = rt::runtime();
    quote! {
        //! Errors shared by every operation. Each operation's own error enum lives in its module.
        pub use #rt::{
            BuildError, ErrorMetadata, ParseError, ProvideErrorMetadata, RequestId, SdkError, TransportError,
            TransportErrorKind, Unhandled,
        };
    }
}

fn config_rs(service: &ServicePlan) -> TokenStream {
    let rt = rt::runtime();
    let settings = service.settings;
    // The settings only some services read, as the builder's methods when this one does.
    let s3 = settings.s3_addressing.then(|| quote! { pub use #rt::{S3Addressing, S3Settings}; });
    let checksums = settings.checksums.then(|| {
        quote! { pub use #rt::{ChecksumSettings, RequestChecksumCalculation, ResponseChecksumValidation}; }
    });
    let bearer = settings.bearer.then(|| quote! { pub use #rt::{BearerSettings, Token}; });
    quote! {
        //! Client configuration: region, credentials, endpoint, retries, timeouts, clock and transport.
        pub use #rt::{Config, ConfigBuilder, Credentials, FixedTime, RetryConfig, RetryMode, TimeSource, TimeoutConfig, DEFAULT_MAX_RESPONSE_BODY};
        pub use #rt::http::{Body, BoxFuture, CaBundle, HttpClient, HttpResponse, Response};
        #s3
        #checksums
        #bearer
    }
}

fn operation_rs(ctx: &Ctx) -> TokenStream {
    let modules = ctx.plan.operations.values().map(|op| ident(&op.op.names.module));
    quote! {
        //! One module per operation: input, output and error types.
        #( pub mod #modules; )*
    }
}

fn types_rs(ctx: &Ctx) -> TokenStream {
    let named: Vec<_> = ctx.plan.types.iter().filter(|s| s.kind.is_named_type()).collect();
    let modules: Vec<_> = named.iter().map(|s| ident(&s.names.module)).collect();
    let type_names = named.iter().map(|s| ident(&s.names.type_name));
    let builders = named.iter().filter(|s| matches!(s.kind, ShapeKind::Structure(_))).map(|s| {
        let module = ident(&s.names.module);
        let builder = ident(&s.names.builder);
        quote! { pub use super::#module::#builder; }
    });
    let stream_errors = named.iter().filter_map(|s| {
        let stream = s.events.as_ref().filter(|stream| !stream.sent)?;
        let (module, error) = (ident(&s.names.module), ident(&stream.error_type));
        Some(quote! { pub use #module::#error; })
    });
    quote! {
        //! The structures and enums the operations share, including modeled errors.
        #( mod #modules; )*
        #( pub use #modules::#type_names; )*
        #(#stream_errors)*

        /// Builders for the structures in this module.
        pub mod builders {
            #(#builders)*
        }
    }
}

/// Opt-in features, off by default so the default build stays small.
const FEATURES: &str = "[features]
# Serialize/Deserialize on every type (the wire impls JSON protocols have, and the rest).
serde = []
# Spans per call and per attempt through the `tracing` crate (nothing secret is recorded).
tracing = [\"awsgen-runtime/tracing\"]
# A mock client and a replaying transport, for your tests (in dev-dependencies).
test-util = [\"awsgen-runtime/test-util\"]
# send_blocking() on every builder, paginators as iterators; no async runtime needed.
blocking = [\"awsgen-runtime/blocking\"]
# ConfigBuilder::http2: HTTP/2 offered to HTTPS endpoints.
http2 = [\"awsgen-runtime/http2\"]
";

fn manifest(service: &ServicePlan, info: &CrateInfo) -> String {
    let header = file::manifest_header(info.source);
    let description = format!("A client for {} (API version {}).", service.full_name, service.api_version);
    let workspace = if info.standalone { "\n[workspace]\n" } else { "" };
    // The runtime builds a codec only for the crates whose protocol needs it.
    let cbor = (service.protocol == Protocol::RpcV2Cbor).then_some("cbor");
    let gzip = service.settings.gzip.then_some("gzip");
    let http2 = service.settings.http2.then_some("http2");
    let features: Vec<&str> = cbor.into_iter().chain(gzip).chain(http2).collect();
    let runtime = match features.is_empty() {
        true => info.runtime_dependency.to_owned(),
        false => with_features(info.runtime_dependency, &features),
    };
    // Opt-in: only callers of the endpoints that ask for it build the ECDSA stack.
    let sigv4a = match service.settings.sigv4a {
        true => "# SigV4a signing (ECDSA P-256), which some of this service's endpoints ask for.\nsigv4a = [\"awsgen-runtime/sigv4a\"]\n",
        false => "",
    };
    format!(
        "{header}\n[package]\nname = \"{package}\"\nversion = \"{version}\"\nedition = \"2021\"\ndescription = {description:?}\npublish = {publish}\n\n[dependencies]\nawsgen-runtime = {runtime}\n\n{FEATURES}{sigv4a}{workspace}",
        package = info.package,
        version = info.version,
        publish = match info.publish {
            [] => "false".to_owned(),
            registries => format!("{registries:?}"),
        },
    )
}

/// An inline dependency table (`{ path = "../../runtime" }`, as [`crate::CrateSpec`]'s
/// `runtime_dependency` is: a table, without `features`) with `features` added.
fn with_features(dependency: &str, features: &[&str]) -> String {
    let fields = dependency.trim().trim_start_matches('{').trim_end_matches('}').trim();
    let features = format!("features = {features:?}");
    match fields {
        "" => format!("{{ {features} }}"),
        fields => format!("{{ {fields}, {features} }}"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn features_join_an_inline_dependency_table() {
        let cbor = &["cbor"];
        assert_eq!(
            super::with_features("{ path = \"../../runtime\" }", cbor),
            r#"{ path = "../../runtime", features = ["cbor"] }"#
        );
        assert_eq!(super::with_features("{}", cbor), r#"{ features = ["cbor"] }"#);
        assert_eq!(
            super::with_features(" { version = \"0.1\" } ", cbor),
            r#"{ version = "0.1", features = ["cbor"] }"#
        );
    }
}
