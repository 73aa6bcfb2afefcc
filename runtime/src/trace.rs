//! Spans for calls and attempts, with the `tracing` feature: what was called, how each attempt
//! went, and whether and after how long it was retried. Only the fields named here are ever
//! recorded: never credentials, signatures, headers, members or bodies. Without the feature the
//! same functions do nothing, and the compiler removes them.

pub(crate) use imp::{attempt, call, Span};

#[cfg(feature = "tracing")]
mod imp {
    use crate::error::{capped, TransportError, CODE_CAP};
    use crate::http::Response;
    use std::future::Future;
    use std::time::Duration;
    use tracing::{field::Empty, Instrument};

    /// The span of a call or of one attempt.
    pub(crate) struct Span(tracing::Span);

    /// `awsgen.call`: the service and the operation.
    pub(crate) fn call(service: &'static str, operation: &'static str) -> Span {
        Span(tracing::info_span!("awsgen.call", service, operation))
    }

    /// `awsgen.attempt`: its number, then what it got (status, request id, error) and the retry decision.
    pub(crate) fn attempt(number: u32, max: u32) -> Span {
        Span(tracing::info_span!(
            "awsgen.attempt",
            attempt = number,
            max_attempts = max,
            status = Empty,
            request_id = Empty,
            error = Empty,
            retry = Empty,
            retry_delay_ms = Empty,
        ))
    }

    impl Span {
        /// Runs `future` inside the span.
        pub(crate) async fn run<F: Future>(&self, future: F) -> F::Output {
            future.instrument(self.0.clone()).await
        }

        /// The HTTP status and request id (capped: a hostile server picks its length).
        pub(crate) fn response(&self, response: &Response) {
            self.0.record("status", response.status);
            if let Some(id) = response.request_id() {
                self.0.record("request_id", capped(id.to_owned(), CODE_CAP));
            }
        }

        /// A service error's code; never its message, which may quote what was sent.
        pub(crate) fn error_code(&self, code: Option<&str>) {
            self.0.record("error", code.unwrap_or("(no code)"));
        }

        /// A transport failure's kind (`Connect`, `AttemptTimeout`, ...), not its detail.
        pub(crate) fn transport_error(&self, error: &TransportError) {
            self.0.record("error", tracing::field::debug(error.kind()));
        }

        /// The retry decision: the delay before the next attempt, or `None` for the last one.
        pub(crate) fn retry(&self, delay: Option<Duration>) {
            self.0.record("retry", delay.is_some());
            if let Some(delay) = delay {
                self.0.record("retry_delay_ms", u64::try_from(delay.as_millis()).unwrap_or(u64::MAX));
            }
        }
    }
}

#[cfg(not(feature = "tracing"))]
mod imp {
    use crate::error::TransportError;
    use crate::http::Response;
    use std::future::Future;
    use std::time::Duration;

    pub(crate) struct Span;

    pub(crate) fn call(_: &'static str, _: &'static str) -> Span {
        Span
    }

    pub(crate) fn attempt(_: u32, _: u32) -> Span {
        Span
    }

    impl Span {
        pub(crate) async fn run<F: Future>(&self, future: F) -> F::Output {
            future.await
        }
        pub(crate) fn response(&self, _: &Response) {}
        pub(crate) fn error_code(&self, _: Option<&str>) {}
        pub(crate) fn transport_error(&self, _: &TransportError) {}
        pub(crate) fn retry(&self, _: Option<Duration>) {}
    }
}
