//! The client every generated crate wraps: addresses, signs and sends an operation's request,
//! retrying and timing out as configured, then hands the response back to the operation.

use crate::checksum::{self, Expected};
use crate::config::{Config, RetryMode, StalledStreamProtection};
use crate::credentials::Credentials;
use crate::credentials::{is_expired, CredentialsCache, Token, TokenCache};
use crate::endpoint::{self, check_region, Endpoint, RuledEndpoint};
use crate::error::{SdkError, TransportError, TransportErrorKind};
use crate::eventstream::EventSigner;
use crate::http::{Body, Response};
use crate::interceptor::{AttemptFailure, InterceptorContext, ResponseHead};
use crate::protocol::ResponseChecksum;
use crate::protocol::{AuthScheme, ErrorResponse, Operation, Request, Service};
use crate::retry::{RateLimiter, RetryQuota};
use crate::{retry, trace, BuildError, ByteStream};
use bytes::Bytes;
use std::fmt;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::SystemTime;

/// What a request whose body is an input event stream signs as its payload's hash.
const EVENT_STREAM_PAYLOAD: &str = "STREAMING-AWS4-HMAC-SHA256-EVENTS";

/// A cheap-to-clone handle to a configured client for one service.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    service: &'static Service,
    /// Adaptive retry mode's pacing, learned from this client's answers.
    rate_limiter: Option<RateLimiter>,
    /// How far the services' clock is ahead of this machine's, in milliseconds, learned from a
    /// clock-skew error's `Date`; every signature from then on is dated by the services' clock.
    clock_skew_ms: AtomicI64,
    /// What retries may still cost, shared by this client's calls.
    retry_quota: RetryQuota,
    /// `User-Agent`, and `x-amz-user-agent` around where each call's features go.
    user_agent: UserAgent,
    /// The endpoint DescribeEndpoints named, for the operations that discover theirs.
    discovered: discovery::Discovered,
    /// S3 Express One Zone sessions, per directory bucket.
    sessions: s3express::Sessions,
    /// Answers calls instead of the service (feature `test-util`).
    #[cfg(feature = "test-util")]
    mocks: Option<crate::test_util::Mocks>,
}

/// Two handles are equal when they share one client.
impl PartialEq for Client {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("service", &self.inner.service.service_id)
            .field("config", &self.inner.config)
            .finish()
    }
}

mod discovery;
mod presign;
mod presign_post;
mod s3express;

pub use presign::{PresignedRequest, PresigningConfig, MAX_PRESIGNED_EXPIRY};
pub use presign_post::{PostCondition, PresignedPost, PresignedPostBuilder};

/// This SDK, as the user agent names it.
const SDK: &str = concat!("awsgen/", env!("CARGO_PKG_VERSION"));

/// The `User-Agent` and `x-amz-user-agent` of a client's requests, as the AWS SDKs write them:
/// the SDK, the service, the OS, the language, in `x-amz-user-agent` the features the call uses
/// (`m/`), and the application's name when it has one.
struct UserAgent {
    short: http::HeaderValue,
    /// `x-amz-user-agent` up to the features.
    long_head: String,
    /// ` app/<id>`, or nothing.
    app: String,
}

impl UserAgent {
    fn new(service: &Service, app_id: Option<&str>) -> Self {
        let os = match std::env::consts::OS {
            os @ ("linux" | "macos" | "windows" | "android" | "ios") => os,
            _ => "other",
        };
        let app = app_id.map(|id| format!(" app/{}", ua_token(id))).unwrap_or_default();
        let service_id = ua_token(&service.service_id.to_ascii_lowercase().replace(' ', "-"));
        let short = format!("{SDK} os/{os} lang/rust{app}");
        let long_head = format!("{SDK} ua/2.1 api/{service_id}#{} os/{os} lang/rust", ua_token(service.api_version));
        // Only token characters are left, so it is a valid header value.
        let short = http::HeaderValue::try_from(short).unwrap_or(http::HeaderValue::from_static(SDK));
        UserAgent { short, long_head, app }
    }

    /// `x-amz-user-agent` with the features' codes (botocore's `_USERAGENT_FEATURE_MAPPINGS`),
    /// sorted, so operators can tell what their traffic uses.
    fn long(&self, features: &[&str]) -> http::HeaderValue {
        let mut features = features.to_vec();
        features.sort_unstable();
        features.dedup();
        let metrics = if features.is_empty() { String::new() } else { format!(" m/{}", features.join(",")) };
        let text = format!("{}{metrics}{}", self.long_head, self.app);
        http::HeaderValue::try_from(text).unwrap_or(http::HeaderValue::from_static(SDK))
    }
}

/// The user agent feature codes of a request about to go (as botocore registers them): the
/// retry mode, a custom endpoint, SigV4a, RPCv2 CBOR, gzip, and the request checksum's algorithm
/// and the checksum settings where the call has checksums.
fn features(config: &Config, http_request: &http::Request<Bytes>, asymmetric: bool, cbor: bool) -> Vec<&'static str> {
    use crate::config::{RequestChecksumCalculation, ResponseChecksumValidation};
    let headers = http_request.headers();
    let mut codes = vec![match config.retry_mode {
        RetryMode::Standard => "E",
        RetryMode::Adaptive => "F",
    }];
    let mut add = |on: bool, code| {
        if on {
            codes.push(code);
        }
    };
    add(config.endpoint_url.is_some(), "N");
    add(asymmetric, "S");
    add(cbor, "M");
    let encoding = headers.get(http::header::CONTENT_ENCODING).and_then(|value| value.to_str().ok());
    add(encoding.is_some_and(|encoding| encoding.split(',').any(|coding| coding.trim() == "gzip")), "L");
    let trailer = headers.get("x-amz-trailer").and_then(|value| value.to_str().ok()).unwrap_or_default();
    let checksum = |name: &str| headers.contains_key(name) || trailer == name;
    let algorithms = [
        ("x-amz-checksum-crc32", "U"),
        ("x-amz-checksum-crc32c", "V"),
        ("x-amz-checksum-crc64nvme", "W"),
        ("x-amz-checksum-sha1", "X"),
        ("x-amz-checksum-sha256", "Y"),
    ];
    let sent = algorithms.iter().filter(|(name, _)| checksum(name)).map(|(_, code)| *code).next();
    if let Some(code) = sent {
        codes.push(code);
        codes.push(match config.request_checksum_calculation {
            RequestChecksumCalculation::WhenSupported => "Z",
            RequestChecksumCalculation::WhenRequired => "a",
        });
    }
    if headers.contains_key("x-amz-checksum-mode") {
        codes.push(match config.response_checksum_validation {
            ResponseChecksumValidation::WhenSupported => "b",
            ResponseChecksumValidation::WhenRequired => "c",
        });
    }
    codes
}

/// `text` as a user agent token: at most 50 characters, any a token can't hold as `-`.
fn ua_token(text: &str) -> String {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    text.chars().take(50).map(|c| if allowed(c) { c } else { '-' }).collect()
}

impl Client {
    pub fn new(config: Config, service: &'static Service) -> Self {
        let rate_limiter = (config.retry_mode == RetryMode::Adaptive).then(RateLimiter::new);
        let config = config.for_service(service.service_id);
        let user_agent = UserAgent::new(service, config.app_id.as_deref());
        Client {
            inner: Arc::new(Inner {
                config,
                service,
                rate_limiter,
                clock_skew_ms: AtomicI64::new(0),
                retry_quota: RetryQuota::default(),
                user_agent,
                discovered: Default::default(),
                sessions: Default::default(),
                #[cfg(feature = "test-util")]
                mocks: None,
            }),
        }
    }

    /// A client that answers every call from `mocks` and sends nothing: its transport is an
    /// empty [`Replay`](crate::test_util::Replay), which refuses any request.
    #[cfg(feature = "test-util")]
    pub fn mocked(mocks: &crate::test_util::Mocks, service: &'static Service) -> Self {
        let refuse_all = crate::test_util::Replay::new([]).into_http_client();
        let config = Config::builder().region("us-east-1").http_client(refuse_all).build();
        let mut client = Client::new(config, service);
        if let Some(inner) = Arc::get_mut(&mut client.inner) {
            inner.mocks = Some(mocks.clone());
        }
        client
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Sends an operation: builds its request, then attempts it until it succeeds, fails for
    /// good, or runs out of attempts or time.
    pub async fn send<O: Operation>(&self, mut input: O) -> Result<O::Output, SdkError<O::Error>> {
        // Checked even when mocked: an empty label or a bad header fails as it would for real.
        let mut request = self.request(&input)?;
        #[cfg(feature = "test-util")]
        if let Some(mocks) = &self.inner.mocks {
            return mocks.answer(input);
        }
        if let Some((source, copy)) = input.cross_region_copy() {
            let destination = self.caller::<O>()?.region;
            let url = self.presigned_copy(copy, &source, destination).await?;
            input.set_presigned_copy(url, destination);
            request = self.request(&input)?;
        }
        let config = &self.inner.config;
        #[cfg(feature = "gzip")]
        if O::GZIP_REQUEST {
            request = request.gzip(config.request_compression)?;
        }
        if let Some(checksum) = O::REQUEST_CHECKSUM {
            request = checksum::add(request, checksum, config.request_checksum_calculation).await?;
        }
        if let Some(checksum) = O::RESPONSE_CHECKSUM {
            request = checksum::ask_for_response_checksum(request, checksum, config.response_checksum_validation);
        }
        let caller = self.caller::<O>()?;
        // Credentials come first: the endpoint rules may need their account id.
        let call = async {
            let identity = fetch_identity(caller.signer).await?;
            let account_id = identity.as_ref().and_then(Identity::account_id);
            let mut target = self.target(&input, &request, &caller, account_id)?;
            let identity = self.for_target(identity, &target).await?;
            if let Some(discovery) = O::ENDPOINT_DISCOVERY {
                if let Some(endpoint) = self.discovered_endpoint(discovery).await? {
                    target.endpoint = endpoint;
                }
            }
            let plan = self.stream_plan(&request, &target).await?;
            // A streamed body's checksum goes in the trailer of an aws-chunked body.
            let request = match request.stream_checksum {
                Some(_) => {
                    let trailer = plan == Some(StreamPlan::AwsChunked);
                    std::borrow::Cow::Owned(checksum::settle(request.clone(), trailer).await?)
                }
                None => std::borrow::Cow::Borrowed(&request),
            };
            let output = self.attempts::<O>(&request, &target, identity, plan.as_ref()).await?;
            Ok(input.finish(output))
        };
        let span = trace::call(self.inner.service.service_id, O::NAME);
        let call = span.run(call);
        match self.inner.config.timeouts.operation {
            None => call.await,
            Some(limit) => tokio::time::timeout(limit, call).await.unwrap_or_else(|_| {
                Err(SdkError::Transport(TransportError::timeout(TransportErrorKind::OperationTimeout, limit)))
            }),
        }
    }

    /// The identity to sign for `target` with: the one given, or for an S3 Express bucket the
    /// session its credentials open.
    async fn for_target<E>(
        &self,
        identity: Option<Identity>,
        target: &Target<'_>,
    ) -> Result<Option<Identity>, SdkError<E>> {
        match (&target.session_bucket, identity) {
            (Some(bucket), Some(Identity::Credentials(base))) => {
                Ok(Some(Identity::Credentials(self.s3express_session(bucket, &base).await?)))
            }
            (_, identity) => Ok(identity),
        }
    }

    /// The operation's request, with the headers its service sends unless it set them.
    fn request<O: Operation>(&self, input: &O) -> Result<Request, BuildError> {
        let mut request = input.request()?;
        for (name, value) in self.inner.service.headers {
            request = request.header_unless_set(name, value);
        }
        Ok(request)
    }

    /// How a body read as it is sent (a file, a reader) goes: aws-chunked to S3 when its length
    /// is known and it carries a checksum or goes over plain HTTP (where its chunks are signed),
    /// so it is read once; else as it is, `UNSIGNED-PAYLOAD` for S3 over HTTPS (as botocore signs
    /// uploads) and for `v4-unsigned-body` operations, otherwise signed by its SHA-256, read from
    /// the file before it is sent. A reader can't be read ahead: to a service that signs the
    /// body's hash, it is refused before anything is sent.
    async fn stream_plan(&self, request: &Request, target: &Target<'_>) -> Result<Option<StreamPlan>, BuildError> {
        let Some(streamed) = &request.streamed else { return Ok(None) };
        let https = target.endpoint.is_https();
        let s3 = crate::sign::s3_family(&target.signing_name);
        if s3 && streamed.length().is_some() && (request.stream_checksum.is_some() || !https) {
            return Ok(Some(StreamPlan::AwsChunked));
        }
        let unsigned = target.sigv4.payload == crate::sigv4::Payload::Unsigned;
        if unsigned || s3 {
            return Ok(Some(StreamPlan::Plain(None)));
        }
        let Some(file) = streamed.file() else {
            return Err(BuildError::Body {
                detail: "this operation signs its body's SHA-256, which a reader or stream can't give before it \
                         is sent: send the body from memory or from a file"
                    .to_owned(),
            });
        };
        let mut sha256 = ring::digest::Context::new(&ring::digest::SHA256);
        let unreadable = |e: TransportError| BuildError::Body { detail: e.to_string() };
        file.read_through(|chunk| sha256.update(chunk)).await.map_err(unreadable)?;
        Ok(Some(StreamPlan::Plain(Some(crate::sigv4::hex(sha256.finish().as_ref())))))
    }

    async fn attempts<O: Operation>(
        &self,
        request: &Request,
        target: &Target<'_>,
        mut identity: Option<Identity>,
        plan: Option<&StreamPlan>,
    ) -> Result<O::Output, SdkError<O::Error>> {
        let config = &self.inner.config;
        let max = config.retry.max_attempts.max(1);
        let invocation_id = uuid_v4();
        let mut attempt = 1;
        // What this call's retries took from the client's retry quota.
        let mut spent = Vec::new();
        loop {
            let span = trace::attempt(attempt, max);
            // Never sign with expired credentials, even when they expire between attempts.
            if identity.as_ref().is_some_and(|identity| identity.is_expired(self.now())) {
                identity = self.for_target(fetch_identity(target.signer).await?, target).await?;
            }
            let signing = (target, plan);
            let context = InterceptorContext { service_id: self.inner.service.service_id, operation: O::NAME, attempt };
            let mut http_request =
                self.http_request(request, signing, identity.as_ref(), &invocation_id, &context, max)?;
            let body = self.streamed_body(request, &mut http_request, identity.as_ref(), target);
            for interceptor in &config.interceptors {
                interceptor.read_before_transmit(&context, &http_request);
            }
            if let Some(limiter) = &self.inner.rate_limiter {
                limiter.acquire().await;
            }
            let retry = match span.run(self.exchange::<O>((http_request, body), &context, max, &span)).await {
                ControlFlow::Break(result) => {
                    span.retry(None);
                    self.inner.retry_quota.finished(result.is_ok(), &spent);
                    return result;
                }
                ControlFlow::Continue(retry) => retry,
            };
            // Events, or a reader's bytes, the caller sent can't be sent again.
            let events_taken = request.events.as_ref().is_some_and(crate::eventstream::Outgoing::taken);
            let body_spent = request.streamed.as_ref().is_some_and(crate::byte_stream::Streamed::spent);
            let unsendable = match (events_taken, body_spent) {
                (true, _) => Some("the events sent can't be sent again"),
                (_, true) => Some("the body was a reader or stream, and what it yielded was already sent"),
                _ => None,
            };
            if let Some(why) = unsendable {
                span.retry(None);
                return Err(retry.error.not_retried(attempt, why));
            }
            // Out of quota: the service is failing for everyone; this client stops adding load.
            match self.inner.retry_quota.spend(retry.timeout) {
                Some(cost) => spent.push(cost),
                None => {
                    span.retry(None);
                    return Err(retry.error.after_attempts(attempt));
                }
            }
            let delay = retry::backoff(&config.retry, attempt);
            span.retry(Some(delay));
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    /// Sends one attempt and decides: the call's result, or `Continue` with the error to try again.
    async fn exchange<O: Operation>(
        &self,
        (http_request, body): (http::Request<Bytes>, Option<Body>),
        context: &InterceptorContext,
        max: u32,
        span: &trace::Span,
    ) -> ControlFlow<Result<O::Output, SdkError<O::Error>>, Retry<O::Error>> {
        let attempt = context.attempt;
        let last = attempt == max;
        let checksum = O::RESPONSE_CHECKSUM.filter(|checksum| checksum.asked(http_request.headers()));
        // An event stream may stay open and quiet as long as the service likes.
        let watch = self.inner.config.stalled_stream.filter(|_| !O::EVENT_STREAM_OUTPUT);
        match self.attempt((http_request, body), context, O::STREAMING_OUTPUT, (checksum, watch)).await {
            Ok((head, Some(body))) => {
                span.response(&head);
                self.learn(false);
                ControlFlow::Break(
                    O::parse_streaming(&head, body).map_err(|e| SdkError::Parse(e.in_operation(O::NAME))),
                )
            }
            Ok((response, None)) if (200..300).contains(&response.status) && !error_in_ok::<O>(&response) => {
                span.response(&response);
                match O::parse_output(&response) {
                    // Where the service may fail after it started answering (S3), a document
                    // that doesn't parse was cut short: worth another try, as botocore makes it.
                    Err(e) if O::ERROR_IN_OK && !last => {
                        ControlFlow::Continue(Retry::after(SdkError::Parse(e.in_operation(O::NAME))))
                    }
                    result => {
                        self.learn(false);
                        ControlFlow::Break(result.map_err(|e| SdkError::Parse(e.in_operation(O::NAME))))
                    }
                }
            }
            Ok((response, None)) => {
                span.response(&response);
                let error = ErrorResponse::from_response(&response, self.inner.service.protocol);
                span.error_code(error.meta().code());
                self.learn(retry::is_throttling(error.meta()));
                // An error inside a success is a server failure whatever its code (botocore turns
                // its status into 500).
                let in_success = (200..300).contains(&response.status);
                // A signature dated by a clock that drifted: dated by the service's from now on.
                let skewed = retry::is_clock_skew(error.meta()) && self.learn_clock_skew(&response);
                if O::ENDPOINT_DISCOVERY.is_some() && error.meta().code() == Some("InvalidEndpointException") {
                    self.forget_discovered_endpoint();
                }
                let failure = AttemptFailure::Service {
                    status: response.status,
                    code: error.meta().code(),
                    headers: &response.headers,
                };
                let retryable = self
                    .classified(context, failure)
                    .unwrap_or_else(|| retry::is_retryable(error.meta()) || in_success || skewed);
                let error = SdkError::Service(O::parse_error(error));
                if last || !retryable {
                    return ControlFlow::Break(Err(error));
                }
                ControlFlow::Continue(Retry::after(error))
            }
            // Connection failures and attempt timeouts are worth another try.
            Err(error) => {
                span.transport_error(&error);
                let retryable = self.classified(context, AttemptFailure::Transport(&error));
                if last || !retryable.unwrap_or_else(|| error.is_retryable()) {
                    return ControlFlow::Break(Err(SdkError::Transport(error.after_attempts(attempt))));
                }
                ControlFlow::Continue(Retry { timeout: error.is_timeout(), error: SdkError::Transport(error) })
            }
        }
    }

    /// The first interceptor's opinion on retrying `failure`, if any has one.
    fn classified(&self, context: &InterceptorContext, failure: AttemptFailure<'_>) -> Option<bool> {
        self.inner.config.interceptors.iter().find_map(|interceptor| interceptor.classify_retry(context, failure))
    }

    /// Learns the service's clock from a clock-skew error's `Date`: whether it is off from this
    /// machine's by more than the few minutes SigV4 allows, so that signing by it is worth a retry.
    fn learn_clock_skew(&self, response: &Response) -> bool {
        let Some(date) = response.header("date") else { return false };
        let Ok(server) = crate::DateTime::parse_lenient(date, crate::TimestampFormat::HttpDate) else { return false };
        let local = crate::DateTime::from(self.inner.config.time_source.now());
        let skew_ms = (server.as_fractional_secs() - local.as_fractional_secs()) * 1000.0;
        let known = self.inner.clock_skew_ms.load(Ordering::Relaxed) as f64;
        // SigV4 allows 5 minutes; one off by less is refused for another reason.
        if (skew_ms - known).abs() < 60_000.0 {
            return false;
        }
        self.inner.clock_skew_ms.store(skew_ms as i64, Ordering::Relaxed);
        true
    }

    /// Tells adaptive mode's rate limiter how an answer went.
    fn learn(&self, throttled: bool) {
        if let Some(limiter) = &self.inner.rate_limiter {
            limiter.update(throttled);
        }
    }

    /// One attempt: the response with its whole body, or for a streaming output's success, its
    /// head and the body still to arrive (neither the size limit nor the timeouts cover that).
    /// A successful body is checked against the response's checksum when `checksum` is given.
    async fn attempt(
        &self,
        (mut request, body): (http::Request<Bytes>, Option<Body>),
        context: &InterceptorContext,
        streaming: bool,
        (checksum, watch): (Option<ResponseChecksum>, Option<StalledStreamProtection>),
    ) -> Result<(Response, Option<ByteStream>), TransportError> {
        let config = &self.inner.config;
        // Whatever ends this attempt's answer ends the events it sends.
        let guard = request.extensions_mut().remove::<crate::eventstream::AnswerGuard>();
        let head = request.method() == http::Method::HEAD;
        let call = async {
            let reply = match body {
                Some(body) => config.http_client.call_streaming(request.map(|_| body)).await,
                None => config.http_client.call(request).await,
            };
            for interceptor in &config.interceptors {
                let head = reply.as_ref().map(|reply| ResponseHead { status: reply.status, headers: &reply.headers });
                interceptor.read_after_attempt(context, head);
            }
            let mut reply = reply?;
            if let Some(protection) = watch {
                reply.body = reply.body.watched(protection);
            }
            let success = (200..300).contains(&reply.status);
            // A checksum is of the whole object: a range of it (206) can't be checked against one.
            let whole = success && reply.status != 206;
            let expected = checksum.filter(|_| whole).and_then(|checksum| Expected::of(checksum, &reply.headers));
            if streaming && success {
                let head = Response { status: reply.status, headers: reply.headers, body: Bytes::new() };
                let body = match expected {
                    Some(expected) => checksum::checked(reply.body, expected)?,
                    None => reply.body,
                };
                let body = match guard {
                    Some(guard) => body.holding(guard),
                    None => body,
                };
                return Ok((head, Some(ByteStream::from_body(body))));
            }
            // A HEAD response's Content-Length is the object's size, not a body's: there is none.
            let response = match head {
                true => {
                    let body = reply.body.read(config.max_response_body).await?;
                    Response { status: reply.status, headers: reply.headers, body }
                }
                false => reply.read(config.max_response_body).await?,
            };
            if let Some(mut expected) = expected {
                expected.update(&response.body);
                expected.check()?;
            }
            Ok((response, None))
        };
        match config.timeouts.attempt {
            None => call.await,
            Some(limit) => tokio::time::timeout(limit, call)
                .await
                .unwrap_or_else(|_| Err(TransportError::timeout(TransportErrorKind::AttemptTimeout, limit))),
        }
    }

    /// The body of an attempt that sends one as it goes: a file's, or an input event stream's,
    /// each event signed in a chain seeded by this attempt's request signature (its answer's
    /// guard put in the request's extensions, for `attempt` to hand to the answer).
    fn streamed_body(
        &self,
        request: &Request,
        http_request: &mut http::Request<Bytes>,
        identity: Option<&Identity>,
        target: &Target,
    ) -> Option<Body> {
        if let Some(streamed) = &request.streamed {
            if !http_request.headers().contains_key("x-amz-decoded-content-length") {
                return Some(streamed.body());
            }
            // Signed chunks exactly when the request was signed for them (its length counts them).
            let payload = http_request.headers().get("x-amz-content-sha256").and_then(|v| v.to_str().ok());
            if !payload.is_some_and(|payload| payload.starts_with("STREAMING-AWS4-HMAC-SHA256-PAYLOAD")) {
                return Some(crate::aws_chunked::encode(streamed.body(), request.stream_checksum, None));
            }
            let signer = match identity {
                Some(Identity::Credentials(credentials)) => {
                    crate::aws_chunked::ChunkSigner::for_request(http_request, credentials)
                }
                _ => None,
            };
            return Some(match signer {
                Some(signer) => crate::aws_chunked::encode(streamed.body(), request.stream_checksum, Some(signer)),
                None => Body::failing("the request's signature can't seed its chunks' signatures"),
            });
        }
        let events = request.events.as_ref()?;
        let seed = crate::sign::signature_of(http_request).map(str::to_owned);
        let signer = match (identity, seed) {
            (Some(Identity::Credentials(credentials)), Some(previous)) => Some(EventSigner {
                credentials: credentials.clone(),
                region: target.signing_region.clone(),
                service: target.signing_name.clone(),
                previous,
                now: {
                    let client = self.clone();
                    Arc::new(move || client.now())
                },
            }),
            _ => None,
        };
        let (body, guard) = events.body(signer);
        http_request.extensions_mut().insert(guard);
        Some(body)
    }

    /// The region and the credentials' source, checked before anything slow happens.
    fn caller<O: Operation>(&self) -> Result<Caller<'_>, BuildError> {
        let missing = |what: &str| BuildError::Config { detail: what.to_owned() };
        let region = self
            .inner
            .config
            .region
            .as_deref()
            .ok_or_else(|| missing("no region set (AWS_REGION, or Config::builder().region(..))"))?;
        check_region(region)?;
        let signer = if O::UNSIGNED { Signer::Unsigned } else { self.signer()? };
        Ok(Caller { region, signer })
    }

    /// The first of the service's auth schemes the config has an identity for.
    fn signer(&self) -> Result<Signer<'_>, BuildError> {
        let config = &self.inner.config;
        let schemes = self.inner.service.auth;
        let found = schemes.iter().find_map(|scheme| match scheme {
            AuthScheme::SigV4 => config.credentials.as_ref().map(Signer::SigV4),
            AuthScheme::Bearer => config.token.as_ref().map(Signer::Bearer),
        });
        found.ok_or_else(|| {
            let detail = match schemes.first() {
                Some(AuthScheme::Bearer) => {
                    "no bearer token set (Config::builder().bearer_token(..) or .token_provider(..), or \
                     awsgen_config::load() with an SSO profile)"
                }
                _ => {
                    "no credentials set (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, Config::builder().credentials(..) \
                     or .credentials_provider(..), or awsgen_config::load())"
                }
            };
            BuildError::Config { detail: detail.to_owned() }
        })
    }

    /// Where the request goes and how it is signed; checked once per call, before anything is
    /// sent. Every caller-supplied setting is checked here, so that none can move or break the request.
    fn target<'a, O: Operation>(
        &'a self,
        input: &O,
        request: &Request,
        caller: &Caller<'a>,
        account_id: Option<&str>,
    ) -> Result<Target<'a>, BuildError> {
        let (config, region) = (&self.inner.config, caller.region);
        let ruled = self.endpoint(input, region, account_id)?;
        let endpoint = match &request.endpoint {
            Some(url) => Endpoint::parse(url, "the input's endpoint")?.origin(),
            None => ruled.endpoint,
        };
        let endpoint = match &request.host_prefix {
            Some(prefix) if config.inject_host_prefix => endpoint.with_host_prefix(prefix)?,
            _ => endpoint,
        };
        let endpoint_headers = ruled.headers.iter().flat_map(|(name, values)| values.iter().map(|v| header(name, v)));
        let endpoint_headers = endpoint_headers.collect::<Result<_, _>>()?;
        let signing = ruled.signing.unwrap_or_default();
        // SigV4a signs for a region set, where SigV4 names a region.
        let asymmetric = signing.sigv4a_region_set.is_some();
        let signing_region = match signing.sigv4a_region_set {
            Some(set) if !set.is_empty() => set,
            _ => signing.signing_region.unwrap_or_else(|| region.to_owned()),
        };
        let signing_name = signing.signing_name.unwrap_or_else(|| self.inner.service.signing_name.to_owned());
        let mut sigv4 = crate::sign::settings(&signing_name, signing.disable_double_encoding);
        sigv4.asymmetric = asymmetric;
        let session_bucket = ruled.s3express_bucket;
        if O::UNSIGNED_PAYLOAD {
            sigv4.payload = crate::sigv4::Payload::Unsigned;
            sigv4.sign_body = true;
        }
        Ok(Target {
            signing_region,
            signing_name,
            sigv4,
            endpoint_headers,
            signer: caller.signer,
            endpoint,
            session_bucket,
        })
    }

    /// By the service's endpoint rules when it has them; else the caller's `endpoint_url` or the
    /// regional endpoint.
    fn endpoint<O: Operation>(
        &self,
        input: &O,
        region: &str,
        account_id: Option<&str>,
    ) -> Result<RuledEndpoint, BuildError> {
        let config = &self.inner.config;
        // A caller's URL is checked first, so that its error names the setting.
        let given = config.endpoint_url.as_deref().map(|url| Endpoint::parse(url, "endpoint_url")).transpose()?;
        match (self.inner.service.endpoint_rules, given) {
            (Some(rules), _) => endpoint::resolve(rules, config, region, account_id, input),
            (None, Some(given)) => Ok(RuledEndpoint::plain(given)),
            (None, None) => Ok(RuledEndpoint::plain(Endpoint::regional(self.inner.service.endpoint_prefix, region)?)),
        }
    }

    /// The HTTP request for one attempt, signed (again on every attempt, as time moves on) unless
    /// the operation is unsigned.
    /// `plan`: how a streamed body goes (see `stream_plan`).
    fn http_request(
        &self,
        request: &Request,
        (target, plan): (&Target, Option<&StreamPlan>),
        identity: Option<&Identity>,
        invocation_id: &str,
        context: &InterceptorContext,
        max: u32,
    ) -> Result<http::Request<Bytes>, BuildError> {
        let attempt = context.attempt;
        let url = target.endpoint.url(&request.path_and_query());
        let mut http_request = http::Request::new(request.body.clone());
        let unsendable = |what: &str| BuildError::Config { detail: format!("the request's {what} is not valid HTTP") };
        *http_request.method_mut() = request.method.parse().map_err(|_| unsendable("method"))?;
        *http_request.uri_mut() = url.parse().map_err(|_| unsendable("URL"))?;
        let headers = http_request.headers_mut();
        for (name, value) in &request.headers {
            let (name, value) = header(name, value)?;
            headers.append(name, value);
        }
        if self.inner.service.protocol.query_compatible() {
            headers.insert("x-amzn-query-mode", http::HeaderValue::from_static("true"));
        }
        for (name, value) in &target.endpoint_headers {
            headers.append(name, value.clone());
        }
        if !headers.contains_key(TRACE_HEADER) {
            let (function, trace) = (crate::env::var("AWS_LAMBDA_FUNCTION_NAME"), crate::env::var("_X_AMZN_TRACE_ID"));
            if let Some(trace) = recursion_detection(function.as_deref(), trace.as_deref()) {
                headers.insert(TRACE_HEADER, trace);
            }
        }
        // No length for an empty body: hyper adds `content-length: 0` where the method needs it;
        // none for a reader's of unknown length either, which goes chunked.
        let length = request.streamed.as_ref().map_or(Some(request.body.len() as u64), |body| body.length());
        if let Some(length) = length.filter(|length| *length > 0) {
            headers.insert(http::header::CONTENT_LENGTH, length.into());
        }
        let mut sigv4 = target.sigv4;
        // aws-chunked, its chunks signed on plain HTTP when there are credentials to sign with;
        // unsigned chunks only to carry a checksum, else the body goes as it is.
        // (SigV4a's chunks would be signed with ECDSA: not done, so they go unsigned.)
        let signed_chunks = !target.endpoint.is_https()
            && !target.sigv4.asymmetric
            && matches!(identity, Some(Identity::Credentials(_)));
        let chunked = plan == Some(&StreamPlan::AwsChunked) && (signed_chunks || request.stream_checksum.is_some());
        match (plan, length) {
            (Some(_), Some(length)) if chunked => {
                let checksum = request.stream_checksum;
                aws_chunked_headers(http_request.headers_mut(), length, checksum, signed_chunks)?;
                let marker = crate::aws_chunked::payload_marker(signed_chunks, checksum);
                sigv4.payload = crate::sigv4::Payload::Precomputed(marker);
                sigv4.sign_body = true;
            }
            (Some(StreamPlan::Plain(Some(hash))), _) => sigv4.payload = crate::sigv4::Payload::Precomputed(hash),
            (Some(_), _) => sigv4.payload = crate::sigv4::Payload::Unsigned,
            (None, _) => {}
        }
        // An input event stream goes over HTTP/2, its events signed one by one.
        if request.events.is_some() {
            sigv4.payload = crate::sigv4::Payload::Precomputed(EVENT_STREAM_PAYLOAD);
            sigv4.sign_body = true;
            *http_request.version_mut() = http::Version::HTTP_2;
            http_request.extensions_mut().insert(crate::http::EventStreamRequest);
        }
        for interceptor in &self.inner.config.interceptors {
            let refused = |error: crate::http::BoxError| BuildError::Interceptor { detail: error.to_string() };
            interceptor.modify_before_signing(context, &mut http_request).map_err(refused)?;
        }
        match identity {
            Some(Identity::Credentials(credentials)) => {
                // An S3 Express session's token goes in its own header, signed like any other.
                let without_token;
                let credentials = match (&target.session_bucket, &credentials.session_token) {
                    (Some(_), Some(token)) => {
                        let (name, value) = header("x-amz-s3session-token", token)?;
                        http_request.headers_mut().insert(name, value);
                        without_token =
                            Credentials::new(&credentials.access_key_id, &credentials.secret_access_key, None);
                        &without_token
                    }
                    _ => credentials,
                };
                let (region, name) = (&target.signing_region, &target.signing_name);
                crate::sign::sign(&mut http_request, credentials, region, name, sigv4, self.now())?
            }
            Some(Identity::Token(token)) => {
                let mut value = http::HeaderValue::try_from(format!("Bearer {}", token.token()))
                    .map_err(|_| BuildError::InvalidSetting { setting: "token", rule: "must be visible ASCII" })?;
                value.set_sensitive(true);
                http_request.headers_mut().insert(http::header::AUTHORIZATION, value);
            }
            None => {}
        }
        let cbor = matches!(self.inner.service.protocol, crate::protocol::Protocol::RpcV2Cbor { .. });
        let features = features(&self.inner.config, &http_request, target.sigv4.asymmetric, cbor);
        let user_agent = self.inner.user_agent.long(&features);
        let headers = http_request.headers_mut();
        headers.insert(http::header::USER_AGENT, self.inner.user_agent.short.clone());
        headers.insert(X_AMZ_USER_AGENT, user_agent);
        headers.insert(INVOCATION_ID, header_value(&INVOCATION_ID, invocation_id)?);
        headers.insert(SDK_REQUEST, header_value(&SDK_REQUEST, &format!("attempt={attempt}; max={max}"))?);
        Ok(http_request)
    }

    /// The time signatures are dated with: this machine's clock, corrected by the services'.
    fn now(&self) -> SystemTime {
        let now = self.inner.config.time_source.now();
        let skew = self.inner.clock_skew_ms.load(Ordering::Relaxed);
        let magnitude = std::time::Duration::from_millis(skew.unsigned_abs());
        if skew >= 0 {
            now + magnitude
        } else {
            now.checked_sub(magnitude).unwrap_or(now)
        }
    }
}

/// A failed attempt worth another: its error, returned if the retry quota says no more.
struct Retry<E> {
    error: SdkError<E>,
    /// An attempt that timed out, which costs more of the quota.
    timeout: bool,
}

impl<E> Retry<E> {
    fn after(error: SdkError<E>) -> Self {
        Retry { error, timeout: false }
    }
}

struct Caller<'a> {
    region: &'a str,
    signer: Signer<'a>,
}

/// Where a call's identity comes from.
#[derive(Clone, Copy)]
enum Signer<'a> {
    /// An unsigned operation.
    Unsigned,
    SigV4(&'a CredentialsCache),
    Bearer(&'a TokenCache),
}

/// What a call proves who it is with.
enum Identity {
    Credentials(Credentials),
    Token(Token),
}

impl Identity {
    fn account_id(&self) -> Option<&str> {
        match self {
            Identity::Credentials(credentials) => credentials.account_id(),
            Identity::Token(_) => None,
        }
    }

    fn is_expired(&self, now: SystemTime) -> bool {
        match self {
            Identity::Credentials(credentials) => is_expired(credentials, now),
            Identity::Token(token) => is_expired(token, now),
        }
    }
}

/// How a body read as it is sent goes (see `Client::stream_plan`).
#[derive(Debug, Clone, PartialEq)]
enum StreamPlan {
    /// aws-chunked (S3): its checksum in a trailer, its chunks signed on plain HTTP.
    AwsChunked,
    /// As it is: signed by the SHA-256 read from its file ahead, or unsigned (`None`).
    Plain(Option<String>),
}

/// The headers of an aws-chunked body of `length` bytes: its encoding (before any the caller
/// gave), the decoded and encoded lengths, and the trailer it ends with.
fn aws_chunked_headers(
    headers: &mut http::HeaderMap,
    length: u64,
    checksum: Option<&str>,
    signed: bool,
) -> Result<(), BuildError> {
    let encoding = match headers.get(http::header::CONTENT_ENCODING).and_then(|e| e.to_str().ok()) {
        Some(given) => format!("aws-chunked,{given}"),
        None => "aws-chunked".to_owned(),
    };
    headers.insert(http::header::CONTENT_ENCODING, header("content-encoding", &encoding)?.1);
    headers.insert("x-amz-decoded-content-length", length.into());
    if let Some(algorithm) = checksum {
        headers.insert("x-amz-trailer", header("x-amz-trailer", &checksum::header_name(algorithm))?.1);
    }
    let encoded = crate::aws_chunked::encoded_length(length, checksum, signed);
    headers.insert(http::header::CONTENT_LENGTH, encoded.into());
    Ok(())
}

struct Target<'a> {
    /// The configured region, unless the endpoint's auth scheme names another.
    signing_region: String,
    signing_name: String,
    /// How the signing name's service (and the endpoint's rules) want requests signed.
    sigv4: crate::sigv4::Settings<'static>,
    /// Headers the endpoint rules ask for, checked.
    endpoint_headers: Vec<(http::HeaderName, http::HeaderValue)>,
    signer: Signer<'a>,
    endpoint: Endpoint,
    /// The directory bucket whose S3 Express session signs the call (`sigv4-s3express`).
    session_bucket: Option<String>,
}

/// The identity from the config's shared cache, credentials checked before anything is signed
/// with them (a token is checked as it goes into its header).
async fn fetch_identity<E>(signer: Signer<'_>) -> Result<Option<Identity>, SdkError<E>> {
    match signer {
        Signer::Unsigned => Ok(None),
        Signer::SigV4(cache) => {
            let credentials = cache.credentials().await?;
            credentials.check()?;
            Ok(Some(Identity::Credentials(credentials)))
        }
        Signer::Bearer(cache) => Ok(Some(Identity::Token(cache.token().await?))),
    }
}

/// A header checked for what HTTP allows: a CR or LF in a member's value is a build error
/// naming the header, never a panic and never a second header.
fn header(name: &str, value: &str) -> Result<(http::HeaderName, http::HeaderValue), BuildError> {
    let name = http::HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| BuildError::InvalidHeader { header: "(a name made from a map key)".to_owned() })?;
    let value = header_value(&name, value)?;
    Ok((name, value))
}

fn header_value(name: &http::HeaderName, value: &str) -> Result<http::HeaderValue, BuildError> {
    http::HeaderValue::from_str(value).map_err(|_| BuildError::InvalidHeader { header: name.to_string() })
}

/// A random (version 4) UUID, as the `amz-sdk-invocation-id` that ties attempts together.
pub fn uuid_v4() -> String {
    let mut bytes: [u8; 16] = fastrand::u128(..).to_be_bytes();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

/// A 200 whose body is an `<Error>` document, for an operation that can answer so.
fn error_in_ok<O: Operation>(response: &Response) -> bool {
    O::ERROR_IN_OK && response.status == 200 && is_error_document(&response.body)
}

/// Whether the XML document's root element is `<Error>` (after white space, however long: S3
/// sends some to keep a long copy's connection open, and a declaration).
fn is_error_document(body: &[u8]) -> bool {
    let start = body.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(body.len());
    let text = String::from_utf8_lossy(&body[start..body.len().min(start + 512)]);
    let mut rest = text.trim_start();
    if let Some(declaration) = rest.strip_prefix("<?") {
        rest = declaration.split_once("?>").map_or("", |(_, after)| after).trim_start();
    }
    rest.strip_prefix("<Error").is_some_and(|after| after.starts_with(['>', ' ', '\t', '\r', '\n', '/']))
}

/// The header a Lambda function's calls carry its trace id in.
const TRACE_HEADER: &str = "x-amzn-trace-id";

// Names of headers every call sends, made once: a `&str` name is checked (and a non-standard one
// copied) on every insert.
const X_AMZ_USER_AGENT: http::HeaderName = http::HeaderName::from_static("x-amz-user-agent");
const INVOCATION_ID: http::HeaderName = http::HeaderName::from_static("amz-sdk-invocation-id");
const SDK_REQUEST: http::HeaderName = http::HeaderName::from_static("amz-sdk-request");

/// Inside a Lambda function (`AWS_LAMBDA_FUNCTION_NAME`), its trace id (`_X_AMZN_TRACE_ID`),
/// percent-encoded where it is not plain text, so a service that triggers the function again
/// can tell the loop (botocore's and aws-sdk-rust's recursion detection). A trace header the
/// caller set wins; the signer leaves this header out, as theirs do.
fn recursion_detection(function: Option<&str>, trace: Option<&str>) -> Option<http::HeaderValue> {
    function?;
    let mut value = String::new();
    for byte in trace?.bytes() {
        match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => value.push(char::from(byte)),
            _ if b"_.~-=;:+&[]{}\"',".contains(&byte) => value.push(char::from(byte)),
            _ => value.push_str(&format!("%{byte:02X}")),
        }
    }
    http::HeaderValue::try_from(value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lambda_function_sends_its_trace_id_encoded() {
        let trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
        assert_eq!(recursion_detection(Some("f"), Some(trace)).unwrap(), trace);
        let odd = recursion_detection(Some("f"), Some("Root=a b\n\u{e9}")).unwrap();
        assert_eq!(odd, "Root=a%20b%0A%C3%A9");
        assert!(recursion_detection(None, Some(trace)).is_none(), "only inside Lambda");
        assert!(recursion_detection(Some("f"), None).is_none());
    }

    #[test]
    fn an_error_document_is_told_by_its_root_element() {
        let error = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InternalError</Code></Error>";
        assert!(is_error_document(error));
        assert!(is_error_document(b"  <Error>\n<Code>SlowDown</Code></Error>"));
        let kept_alive = [vec![b' '; 4096], b"<Error><Code>InternalError</Code></Error>".to_vec()].concat();
        assert!(is_error_document(&kept_alive), "white space before the document, however long");
        assert!(!is_error_document(b"<?xml version=\"1.0\"?><CopyObjectResult><ETag>x</ETag></CopyObjectResult>"));
        assert!(!is_error_document(b"<Errors><Error/></Errors>"));
        assert!(!is_error_document(b""));
    }

    #[test]
    fn invocation_ids() {
        let id = uuid_v4();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert_ne!(id, uuid_v4());
    }
}
