//! The runtime shared by every crate `awsgen` generates. Generated code says *what* (paths, wire
//! names, error codes); this crate does *how*, once, with its own tests: HTTP, SigV4, retries,
//! timeouts, error-code extraction, percent-encoding.
//!
//! Layers, bottom up, each using only those below (`codegen/tests/layers.rs` checks): values
//! (`time`, `blob`, `error`, `build`, `crc`, ...), codecs (`json`, `cbor`, `xml`, `text`, event
//! stream frames), endpoint rules, transport (`http`, `byte_stream`), identity and signing
//! (`credentials`, `sigv4`, `sign`), configuration, protocols, the client (`client`, `retry`,
//! `checksum`, `endpoint`, the event stream receiver, `test_util`), and ergonomics
//! (`pagination`, `waiter`, `blocking`).

#![forbid(unsafe_code)]

pub mod auth_token;
mod aws_chunked;
mod base64;
mod blob;
#[cfg(feature = "blocking")]
pub mod blocking;
pub mod build;
mod byte_stream;
#[cfg(feature = "cbor")]
mod cbor;
mod checksum;
mod client;
pub mod cloudfront;
mod config;
mod crc;
pub mod credentials;
mod endpoint;
pub mod endpoint_rules;
mod env;
mod error;
pub mod eventstream;
pub mod fields;
pub mod http;
pub mod interceptor;
pub mod jmespath;
pub mod json;
pub mod pagination;
pub mod percent;
mod protocol;
mod proxy;
pub mod retry;
mod sign;
mod sigv4;
#[cfg(feature = "sigv4a")]
mod sigv4a;
mod stall;
#[cfg(feature = "test-util")]
pub mod test_util;
mod text;
pub mod time;
mod tls;
mod trace;
mod unknown;
pub mod waiter;
pub mod xml;

pub use blob::Blob;
pub use build::BuildError;
pub use byte_stream::ByteStream;
pub use client::{
    uuid_v4, Client, PostCondition, PresignedPost, PresignedPostBuilder, PresignedRequest, PresigningConfig,
    MAX_PRESIGNED_EXPIRY,
};
pub use config::{
    AccountIdEndpointMode, BearerSettings, ChecksumSettings, Config, ConfigBuilder, ProxyConfig,
    RequestChecksumCalculation, RequestCompression, ResponseChecksumValidation, RetryConfig, RetryMode, S3Addressing,
    S3AddressingStyle, S3Settings, StalledStreamProtection, TimeoutConfig, DEFAULT_MAX_RESPONSE_BODY,
};
pub use credentials::{Credentials, Token};
pub use error::{
    cap_message, fmt_service_error, ErrorMetadata, ParseError, ProvideErrorMetadata, RequestId, SdkError,
    TransportError, TransportErrorKind, Unhandled, CODE_CAP, MESSAGE_CAP,
};
pub use json::Document;
pub use percent::percent_encode;
#[cfg(feature = "cbor")]
pub use protocol::cbor_output;
pub use protocol::query;
pub use protocol::{
    json_output, sanitize_code, xml_output, AuthScheme, EndpointDiscovery, ErrorResponse, ModeledError, Operation,
    Protocol, Request, RequestChecksum, ResponseChecksum, Service,
};
pub use text::{FromHttpValue, HttpValue};
pub use time::{DateTime, FixedTime, TimeSource, TimestampFormat};
pub use unknown::UnknownValue;

/// Re-exported so generated crates implement its traits through it (see [`fields`]) and need no
/// serde dependency of their own.
pub use serde;

/// Streams, as paginators return them: `StreamExt::next` and `TryStreamExt::try_collect` use them.
pub mod stream {
    pub use futures_util::stream::{Stream, StreamExt, TryStreamExt};
}
