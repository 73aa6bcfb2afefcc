//! The transport: one small trait, and its default implementation on hyper with rustls.

use crate::error::{TransportError, TransportErrorKind};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// A complete HTTP response: status, headers and the whole body.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

impl Response {
    /// A header's value, if present and valid text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }
}

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Sends one request and reads the whole response. Plug in your own with
/// [`ConfigBuilder::http_client`](crate::ConfigBuilder::http_client).
pub trait HttpClient: Send + Sync + fmt::Debug {
    fn call(&self, request: http::Request<Bytes>) -> BoxFuture<'_, Result<Response, TransportError>>;
}

type HyperClient = hyper_util::client::legacy::Client<
    hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
    Full<Bytes>,
>;

/// hyper 1 over rustls (ring, webpki roots): HTTPS and plain HTTP, pooled connections.
struct Hyper {
    client: HyperClient,
}

impl fmt::Debug for Hyper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Hyper")
    }
}

pub(crate) fn default_http_client(connect_timeout: Duration) -> Arc<dyn HttpClient> {
    let mut http = hyper_util::client::legacy::connect::HttpConnector::new();
    http.set_connect_timeout(Some(connect_timeout));
    http.enforce_http(false);
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())
        .expect("the ring provider supports TLS 1.2 and 1.3")
        .https_or_http()
        .enable_http1()
        .wrap_connector(http);
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build(https);
    Arc::new(Hyper { client })
}

impl HttpClient for Hyper {
    fn call(&self, request: http::Request<Bytes>) -> BoxFuture<'_, Result<Response, TransportError>> {
        Box::pin(async move {
            let response = self.client.request(request.map(Full::new)).await.map_err(|error| {
                let kind = if error.is_connect() { TransportErrorKind::Connect } else { TransportErrorKind::Io };
                TransportError::new(kind, error)
            })?;
            let (parts, body) = response.into_parts();
            let body = body.collect().await.map_err(|error| TransportError::new(TransportErrorKind::Io, error))?;
            Ok(Response { status: parts.status.as_u16(), headers: parts.headers, body: body.to_bytes() })
        })
    }
}
