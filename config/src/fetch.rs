//! Small HTTP GETs and PUTs to metadata endpoints over the runtime's transport: every attempt
//! bounded in time, bodies bounded in size, transient failures retried.

use awsgen_runtime::http::{HttpClient, Response};
use awsgen_runtime::TransportError;
use bytes::Bytes;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Credentials documents are under 2 KiB; nothing a metadata endpoint sends needs more.
const MAX_BODY: usize = 64 * 1024;

#[derive(Debug, Clone)]
pub(crate) struct Fetcher {
    pub client: Arc<dyn HttpClient>,
    /// Per attempt: connect, send and read the whole answer.
    pub timeout: Duration,
    pub attempts: u32,
}

/// Why no usable answer came back.
#[derive(Debug)]
pub(crate) enum FetchError {
    /// No answer at all (refused, timed out, cut off, too large), after every attempt.
    Unreachable(String),
    /// An answer with this non-2xx status.
    Status(u16),
    /// A request that can't be built (bad header value); never sent.
    Request(http::Error),
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::Unreachable(reason) => f.write_str(reason),
            FetchError::Status(status) => write!(f, "the endpoint answered HTTP {status}"),
            FetchError::Request(error) => write!(f, "the request could not be built: {error}"),
        }
    }
}

impl Fetcher {
    /// Sends the request until it gets a 2xx answer, a 4xx one, or runs out of attempts.
    pub async fn send(&self, method: http::Method, uri: &str, headers: &[(&str, &str)]) -> Result<Bytes, FetchError> {
        let mut last = FetchError::Unreachable("no attempt was made".into());
        for attempt in 1..=self.attempts.max(1) {
            if attempt > 1 {
                tokio::time::sleep(backoff(attempt)).await;
            }
            let request = build(method.clone(), uri, headers).map_err(FetchError::Request)?;
            match tokio::time::timeout(self.timeout, self.attempt(request)).await {
                Ok(Ok(response)) if (200..300).contains(&response.status) => return Ok(response.body),
                Ok(Ok(response)) if response.status < 500 => return Err(FetchError::Status(response.status)),
                Ok(Ok(response)) => last = FetchError::Status(response.status),
                Ok(Err(error)) => last = FetchError::Unreachable(error.to_string()),
                Err(_) => last = FetchError::Unreachable(format!("no answer within {:?}", self.timeout)),
            }
        }
        Err(last)
    }

    async fn attempt(&self, request: http::Request<Bytes>) -> Result<Response, TransportError> {
        self.client.call(request).await?.read(MAX_BODY).await
    }
}

fn build(method: http::Method, uri: &str, headers: &[(&str, &str)]) -> Result<http::Request<Bytes>, http::Error> {
    let mut request = http::Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.body(Bytes::new())
}

/// 50 ms, then 100 ms, ... with jitter: metadata endpoints recover fast.
fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(50 << (attempt - 2).min(4)).mul_f64(0.5 + fastrand::f64() / 2.0)
}
