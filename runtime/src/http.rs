//! The transport: one small trait, and its default implementation on hyper with rustls.
//!
//! A transport hands back the status and headers as soon as they arrive and the body as it
//! arrives; the client reads the body itself, so that the response size limit holds whatever
//! transport is plugged in.

use crate::error::{TransportError, TransportErrorKind};
use crate::proxy::{ProxyConfig, ProxyConnector};
pub use crate::tls::{CaBundle, InvalidCaBundle};
use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Poll};
use std::time::Duration;

/// A complete HTTP response: status, headers and the whole body, read within the size limit.
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

    /// The request id AWS sends under one of its names (`x-amzn-RequestId`, S3's `x-amz-request-id`).
    pub fn request_id(&self) -> Option<&str> {
        ["x-amzn-requestid", "x-amzn-request-id", "x-amz-request-id"].into_iter().find_map(|name| self.header(name))
    }
}

/// A response as a transport hands it over: the body may still be on its way.
#[derive(Debug)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Body,
}

pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;
pub(crate) type StreamingBody = http_body_util::combinators::UnsyncBoxBody<Bytes, BoxError>;

/// A response body: bytes already in memory, or a stream of frames.
pub struct Body(BodyKind);

enum BodyKind {
    Full(Bytes),
    Streaming(StreamingBody),
}

impl Body {
    /// A body that arrives as `http_body` frames.
    pub fn streaming<B>(body: B) -> Self
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        Body(BodyKind::Streaming(body.map_err(Into::into).boxed_unsync()))
    }

    /// The body as a stream of frames, wherever it is.
    pub(crate) fn into_frames(self) -> StreamingBody {
        match self.0 {
            BodyKind::Full(bytes) => Full::new(bytes).map_err(|never| match never {}).boxed_unsync(),
            BodyKind::Streaming(stream) => stream,
        }
    }

    /// The body, failing when it stops arriving (see [`StalledStreamProtection`]); a body in
    /// memory can't stall.
    pub(crate) fn watched(self, protection: crate::stall::StalledStreamProtection) -> Self {
        match self.0 {
            BodyKind::Streaming(stream) => {
                Body(BodyKind::Streaming(crate::stall::Watched::new(stream, protection).boxed_unsync()))
            }
            full => Body(full),
        }
    }

    /// The body, keeping `value` until it is dropped (an input stream's guard: see `AnswerGuard`).
    pub(crate) fn holding<T: Send + 'static>(self, value: T) -> Self {
        let frames = self.into_frames().map_frame(move |frame| {
            let _held = &value;
            frame
        });
        Body(BodyKind::Streaming(frames.boxed_unsync()))
    }

    /// The body, failing where it turns out not to be `length` bytes long: a sender that said a
    /// length must keep to it.
    pub(crate) fn of_length(self, length: u64) -> Self {
        let mut seen = 0u64;
        let mut ended = false;
        let mut frames = self.into_frames();
        let checked = futures_util::stream::poll_fn(move |cx| {
            if ended {
                return Poll::Ready(None);
            }
            let frame = ready!(http_body::Body::poll_frame(Pin::new(&mut frames), cx));
            let wrong = |detail: String| Poll::Ready(Some(Err(BoxError::from(detail))));
            match frame {
                Some(Ok(frame)) => {
                    seen += frame.data_ref().map_or(0, |data| data.len() as u64);
                    if seen > length {
                        ended = true;
                        return wrong(format!("the body went past the {length} bytes it was said to have"));
                    }
                    Poll::Ready(Some(Ok(frame)))
                }
                None if seen < length => {
                    ended = true;
                    wrong(format!("the body ended after {seen} of the {length} bytes it was said to have"))
                }
                other => Poll::Ready(other),
            }
        });
        Body::streaming(http_body_util::StreamBody::new(checked))
    }

    /// A body that fails at once with `detail` (a request that must not be sent).
    pub(crate) fn failing(detail: &'static str) -> Self {
        let error =
            futures_util::stream::once(std::future::ready(Err::<http_body::Frame<Bytes>, BoxError>(detail.into())));
        Body::streaming(http_body_util::StreamBody::new(error))
    }

    /// The body, if it is already in memory.
    pub(crate) fn in_memory(&self) -> Option<&Bytes> {
        match &self.0 {
            BodyKind::Full(bytes) => Some(bytes),
            BodyKind::Streaming(_) => None,
        }
    }

    /// The next chunk of data; `None` at the end. A body in memory is one chunk.
    pub(crate) async fn next_chunk(&mut self) -> Option<Result<Bytes, TransportError>> {
        let stream = match &mut self.0 {
            BodyKind::Full(bytes) if bytes.is_empty() => return None,
            BodyKind::Full(bytes) => return Some(Ok(std::mem::take(bytes))),
            BodyKind::Streaming(stream) => stream,
        };
        loop {
            match stream.frame().await? {
                Ok(frame) => match frame.into_data() {
                    Ok(data) => return Some(Ok(data)),
                    Err(_) => continue, // trailers carry no data
                },
                Err(error) => return Some(Err(TransportError::from_body(error))),
            }
        }
    }

    /// Reads the whole body, failing as soon as it exceeds `limit` bytes: a larger body is never
    /// held in memory.
    pub async fn read(self, limit: usize) -> Result<Bytes, TransportError> {
        let stream = match self.0 {
            BodyKind::Full(bytes) if bytes.len() > limit => return Err(TransportError::too_large(limit)),
            BodyKind::Full(bytes) => return Ok(bytes),
            BodyKind::Streaming(stream) => stream,
        };
        let mut stream = std::pin::pin!(stream);
        let mut body = BytesMut::new();
        while let Some(frame) = stream.frame().await {
            let frame = frame.map_err(TransportError::from_body)?;
            if let Ok(data) = frame.into_data() {
                if body.len() + data.len() > limit {
                    return Err(TransportError::too_large(limit));
                }
                body.extend_from_slice(&data);
            }
        }
        Ok(body.freeze())
    }
}

/// The most of a request body in memory handed to the transport at once.
const REQUEST_PIECE: usize = 64 * 1024;

/// A body sent through hyper: in memory, or read as it goes (a file).
impl http_body::Body for Body {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, BoxError>>> {
        match &mut self.get_mut().0 {
            BodyKind::Full(bytes) if bytes.is_empty() => std::task::Poll::Ready(None),
            // A piece at a time, so that what the transport has taken shows (see `stall`).
            BodyKind::Full(bytes) => {
                let piece = bytes.split_to(bytes.len().min(REQUEST_PIECE));
                std::task::Poll::Ready(Some(Ok(http_body::Frame::data(piece))))
            }
            BodyKind::Streaming(stream) => Pin::new(stream).poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(&self.0, BodyKind::Full(bytes) if bytes.is_empty())
    }

    fn size_hint(&self) -> http_body::SizeHint {
        match &self.0 {
            BodyKind::Full(bytes) => http_body::SizeHint::with_exact(bytes.len() as u64),
            BodyKind::Streaming(stream) => stream.size_hint(),
        }
    }
}

impl From<Bytes> for Body {
    fn from(bytes: Bytes) -> Self {
        Body(BodyKind::Full(bytes))
    }
}

impl From<&'static str> for Body {
    fn from(text: &'static str) -> Self {
        Body(BodyKind::Full(Bytes::from_static(text.as_bytes())))
    }
}

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Self {
        Body(BodyKind::Full(bytes.into()))
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            BodyKind::Full(bytes) => write!(f, "Body({} bytes)", bytes.len()),
            BodyKind::Streaming(_) => f.write_str("Body(streaming)"),
        }
    }
}

impl HttpResponse {
    /// The response with its whole body, if the body fits in `limit` bytes. A `Content-Length`
    /// over the limit fails before any of the body is read.
    pub async fn read(self, limit: usize) -> Result<Response, TransportError> {
        let declared =
            self.headers.get(http::header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        if declared.is_some_and(|length| length > limit as u64) {
            return Err(TransportError::too_large(limit));
        }
        let body = self.body.read(limit).await?;
        Ok(Response { status: self.status, headers: self.headers, body })
    }
}

/// Marks a request whose body is an input event stream (in its extensions): it needs HTTP/2
/// (its version says so), and the caller may let it go quiet for as long as it likes, so it is
/// not watched for stalls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventStreamRequest;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Sends one request and hands back the response head with its body still to be read. Plug in
/// your own with [`ConfigBuilder::http_client`](crate::ConfigBuilder::http_client).
pub trait HttpClient: Send + Sync + fmt::Debug {
    fn call(&self, request: http::Request<Bytes>) -> BoxFuture<'_, Result<HttpResponse, TransportError>>;

    /// Sends a request whose body is read as it is sent (a file upload). A transport that can't
    /// stream gets the body read into memory and sent with [`call`](Self::call).
    fn call_streaming(&self, request: http::Request<Body>) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let body = body.read(usize::MAX).await?;
            self.call(http::Request::from_parts(parts, body)).await
        })
    }
}

type HyperClient = hyper_util::client::legacy::Client<hyper_rustls::HttpsConnector<ProxyConnector>, Body>;

/// hyper 1 over rustls (ring; the webpki roots or a [`CaBundle`]): HTTPS and plain HTTP, pooled
/// connections, through the proxies configured.
struct Hyper {
    client: HyperClient,
    /// For the requests that need HTTP/2: TLS offers only `h2`, plain HTTP speaks it from the
    /// first byte.
    #[cfg(feature = "http2")]
    http2: HyperClient,
    /// For every HTTPS request when the caller offers HTTP/2: TLS offers `h2` and `http/1.1`.
    #[cfg(feature = "http2")]
    negotiated: Option<HyperClient>,
    proxies: ProxyConnector,
    /// A request body the server stops taking fails the attempt (see `stall`).
    stalled_upload: Option<crate::stall::StalledStreamProtection>,
}

impl fmt::Debug for Hyper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Hyper")
    }
}

/// How long a pooled connection may sit unused (see `TimeoutConfig::idle_connection`).
pub(crate) const DEFAULT_IDLE_CONNECTION: Duration = Duration::from_secs(45);

/// When a quiet connection is probed (see `TimeoutConfig::keepalive`).
pub(crate) const DEFAULT_KEEPALIVE: Duration = Duration::from_secs(30);

/// The most idle connections kept per host (see `ConfigBuilder::max_idle_connections_per_host`).
pub(crate) const DEFAULT_MAX_IDLE_PER_HOST: usize = 32;

/// The transport's part of the config: `TimeoutConfig`'s connection timeouts, and the pool's size.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConnectionSettings {
    pub connect: Duration,
    /// How long a pooled connection is kept unused.
    pub idle: Duration,
    pub keepalive: Duration,
    /// How many unused connections to one host the pool keeps.
    pub max_idle_per_host: usize,
}

/// The transport, with these connect timeout, idle time in the pool and keepalive.
pub(crate) fn default_http_client(
    timeouts: ConnectionSettings,
    ca_bundle: Option<&CaBundle>,
    proxies: &ProxyConfig,
    stalled_upload: Option<crate::stall::StalledStreamProtection>,
    offer_http2: bool,
) -> Arc<dyn HttpClient> {
    let mut http = HttpConnector::new();
    http.set_connect_timeout(Some(timeouts.connect));
    // Probes keep a quiet connection's NAT entry alive, and find a dead peer: one that answers
    // none of three probes (an event stream on it fails rather than waits forever; a quiet live
    // one is left alone). TCP counts in whole seconds.
    let tcp_keepalive = timeouts.keepalive.max(Duration::from_secs(3));
    http.set_keepalive(Some(tcp_keepalive));
    http.set_keepalive_interval(Some(tcp_keepalive / 3));
    http.set_keepalive_retries(Some(3));
    http.enforce_http(false);
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("the ring provider supports TLS 1.2 and 1.3");
    let tls = match ca_bundle {
        Some(bundle) => tls.with_root_certificates(bundle.roots()),
        None => tls.with_root_certificates(rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() }),
    };
    let tls = tls.with_no_client_auth();
    // One connector (and one parse of the proxy settings) for connecting and for the headers.
    let connector = ProxyConnector::new(http, proxies, &tls);
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls.clone())
        .https_or_http()
        .enable_http1()
        .wrap_connector(connector.clone());
    let mut builder = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new());
    builder
        .pool_timer(hyper_util::rt::TokioTimer::new())
        .pool_idle_timeout(timeouts.idle)
        .pool_max_idle_per_host(timeouts.max_idle_per_host);
    // Offered by ALPN beside HTTP/1.1 when the caller asks for it (`ConfigBuilder::http2`).
    #[cfg(feature = "http2")]
    let negotiated = offer_http2.then(|| {
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls.clone())
            .https_or_http()
            .enable_all_versions()
            .wrap_connector(connector.clone());
        builder.build(https)
    });
    #[cfg(not(feature = "http2"))]
    let _ = offer_http2;
    #[cfg(feature = "http2")]
    let http2 = {
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http2()
            .wrap_connector(connector.clone());
        // Pings find a connection that died under a quiet stream.
        let mut builder = builder.clone();
        builder
            .http2_only(true)
            .timer(hyper_util::rt::TokioTimer::new())
            .http2_keep_alive_interval(timeouts.keepalive.max(Duration::from_millis(10)))
            .http2_keep_alive_timeout(timeouts.keepalive.max(Duration::from_millis(10)))
            .http2_keep_alive_while_idle(true);
        builder.build(https)
    };
    let client = builder.build(https);
    Arc::new(Hyper {
        client,
        #[cfg(feature = "http2")]
        http2,
        #[cfg(feature = "http2")]
        negotiated,
        proxies: connector,
        stalled_upload,
    })
}

impl HttpClient for Hyper {
    fn call(&self, request: http::Request<Bytes>) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        self.call_streaming(request.map(Body::from))
    }

    fn call_streaming(&self, mut request: http::Request<Body>) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        // A proxy forwarding plain HTTP reads its credentials from the request itself.
        let forwarded = self.proxies.intercept(request.uri()).filter(|_| request.uri().scheme_str() == Some("http"));
        if let Some(auth) = forwarded.as_ref().and_then(|proxy| proxy.basic_auth()) {
            request.headers_mut().insert(http::header::PROXY_AUTHORIZATION, auth.clone());
        }
        // A body is watched while the server takes it; a request without one, or an event
        // stream's, is not.
        let event_stream = request.extensions().get::<EventStreamRequest>().is_some();
        let watch = self.stalled_upload.filter(|_| !http_body::Body::is_end_stream(request.body()) && !event_stream);
        let progress = Arc::new(crate::stall::Progress::default());
        let request = match watch {
            Some(_) => request.map(|body| Body::streaming(crate::stall::Counted::new(body, progress.clone()))),
            None => request,
        };
        let client = match request.version() {
            #[cfg(feature = "http2")]
            http::Version::HTTP_2 => &self.http2,
            #[cfg(not(feature = "http2"))]
            http::Version::HTTP_2 => {
                let detail = "this request needs HTTP/2: turn on awsgen-runtime's `http2` feature";
                return Box::pin(std::future::ready(Err(TransportError::new(TransportErrorKind::Connect, detail))));
            }
            #[cfg(feature = "http2")]
            _ if request.uri().scheme_str() == Some("https") && self.negotiated.is_some() => {
                self.negotiated.as_ref().expect("checked above")
            }
            _ => &self.client,
        };
        Box::pin(async move {
            let sending = client.request(request);
            let response = match watch {
                None => sending.await,
                Some(protection) => {
                    let watchdog = crate::stall::upload_watchdog(&progress, protection);
                    match futures_util::future::select(std::pin::pin!(sending), std::pin::pin!(watchdog)).await {
                        futures_util::future::Either::Left((response, _)) => response,
                        futures_util::future::Either::Right((stalled, _)) => return Err(stalled),
                    }
                }
            };
            let response = response.map_err(|error| {
                let kind = if error.is_connect() { TransportErrorKind::Connect } else { TransportErrorKind::Io };
                TransportError::new(kind, error)
            })?;
            let (parts, body) = response.into_parts();
            Ok(HttpResponse { status: parts.status.as_u16(), headers: parts.headers, body: Body::streaming(body) })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(length: Option<&str>, body: Body) -> HttpResponse {
        let mut headers = http::HeaderMap::new();
        if let Some(length) = length {
            headers.insert(http::header::CONTENT_LENGTH, length.parse().unwrap());
        }
        HttpResponse { status: 200, headers, body }
    }

    fn run<T>(future: impl Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(future)
    }

    #[test]
    fn bodies_over_the_limit_are_refused() {
        let fits = run(head(None, Bytes::from_static(b"12345").into()).read(5)).unwrap();
        assert_eq!(&fits.body[..], b"12345");
        let over = run(head(None, Bytes::from_static(b"123456").into()).read(5)).unwrap_err();
        assert_eq!(over.kind(), TransportErrorKind::ResponseTooLarge);
        // A declared length over the limit fails before the body is touched.
        let declared = run(head(Some("1000000000"), Body::from("")).read(5)).unwrap_err();
        assert_eq!(declared.kind(), TransportErrorKind::ResponseTooLarge);
        // A streamed body stops at the frame that crosses the limit.
        let frames = http_body_util::StreamBody::new(futures_util::stream::iter(
            (0..1000)
                .map(|_| Ok::<_, std::convert::Infallible>(hyper::body::Frame::data(Bytes::from(vec![0u8; 1024])))),
        ));
        let streamed = run(head(None, Body::streaming(frames)).read(10 * 1024)).unwrap_err();
        assert_eq!(streamed.kind(), TransportErrorKind::ResponseTooLarge);
        assert!(streamed.to_string().contains("10240 bytes"), "{streamed}");
    }
}
