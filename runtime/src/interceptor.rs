//! Interceptors: code of the caller's that sees (and may change) each attempt's request and sees
//! its response, for what the SDK does not do itself (a header a proxy needs, tracing of its own,
//! metrics), and may decide which failures are tried again. Given with
//! `ConfigBuilder::interceptor`, run in the order given.

use crate::error::TransportError;
use crate::http::BoxError;
use bytes::Bytes;
use std::fmt;

/// Which call and attempt an interceptor is looking at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InterceptorContext {
    /// The service's id (`AmplifyBackend`).
    pub service_id: &'static str,
    /// The operation's name (`ListBackendJobs`).
    pub operation: &'static str,
    /// 1 for the first attempt.
    pub attempt: u32,
}

/// A response's head as an interceptor sees it.
#[derive(Debug, Clone, Copy)]
pub struct ResponseHead<'a> {
    pub status: u16,
    pub headers: &'a http::HeaderMap,
}

/// An attempt that failed, as a retry classifier sees it.
#[derive(Debug, Clone, Copy)]
pub enum AttemptFailure<'a> {
    /// The service answered with an error: its status, its error code (`ThrottlingException`)
    /// when it has one, and its headers.
    Service { status: u16, code: Option<&'a str>, headers: &'a http::HeaderMap },
    /// No usable answer: a connection failure, a timeout, a body cut short.
    Transport(&'a TransportError),
}

/// Hooks into every attempt. Each has a default that does nothing: implement those you need.
pub trait Interceptor: Send + Sync + fmt::Debug {
    /// Before the attempt's request is signed: what is changed here (a header added) is signed
    /// with it. An error ends the call before anything is sent (`BuildError::Interceptor`).
    fn modify_before_signing(
        &self,
        context: &InterceptorContext,
        request: &mut http::Request<Bytes>,
    ) -> Result<(), BoxError> {
        let _ = (context, request);
        Ok(())
    }

    /// The signed request, just before it is sent (its body may still be streaming from a file).
    fn read_before_transmit(&self, context: &InterceptorContext, request: &http::Request<Bytes>) {
        let _ = (context, request);
    }

    /// How the attempt went: the response's head, or the transport's error.
    fn read_after_attempt(&self, context: &InterceptorContext, outcome: Result<ResponseHead<'_>, &TransportError>) {
        let _ = (context, outcome);
    }

    /// Whether a failed attempt is tried again: `Some(true)` or `Some(false)` overrides the
    /// client's own classification (throttling, 5xx, connection errors, clock skew), `None`
    /// leaves it; the first interceptor with an opinion decides. The attempt limit, the retry
    /// quota and the backoff apply either way; a body already sent from a reader is never sent
    /// again.
    fn classify_retry(&self, context: &InterceptorContext, failure: AttemptFailure<'_>) -> Option<bool> {
        let _ = (context, failure);
        None
    }
}
