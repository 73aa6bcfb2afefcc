//! The runtime shared by every crate `awsgen` generates. Generated code says *what* (names, wire
//! names, error codes); this crate does *how*, once, with its own tests.

#![forbid(unsafe_code)]

pub mod build;
mod error;
mod unknown;

pub use build::BuildError;
pub use error::{fmt_service_error, ErrorMetadata};
pub use unknown::UnknownValue;

/// Re-exported so generated crates derive through it and need no serde dependency of their own.
pub use serde;
