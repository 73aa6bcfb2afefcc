//! Client configuration: region, credentials, endpoint, retries, timeouts, clock and transport.

use crate::credentials::{Credentials, CredentialsCache, ProvideCredentials, ProvideToken, Token, TokenCache};
use crate::env::{var as env, var_flag as env_flag};
use crate::http::{default_http_client, CaBundle, HttpClient};
pub use crate::proxy::ProxyConfig;
pub use crate::stall::StalledStreamProtection;
use crate::time::{SystemClock, TimeSource};
use std::sync::Arc;
use std::time::Duration;

/// Standard-mode retries: full-jitter exponential backoff, `rand(0..1) * min(initial * 2^(n-1), max)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryConfig {
    /// Attempts in all, the first included. 1 disables retries. Default 3.
    pub max_attempts: u32,
    /// Default 1 s.
    pub initial_backoff: Duration,
    /// Default 20 s.
    pub max_backoff: Duration,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig { max_attempts: 3, initial_backoff: Duration::from_secs(1), max_backoff: Duration::from_secs(20) }
    }
}

impl RetryConfig {
    /// A `max_attempts` setting (`AWS_MAX_ATTEMPTS`); `Err` says what is expected.
    pub fn parse_max_attempts(value: &str) -> Result<u32, &'static str> {
        value.trim().parse().ok().filter(|attempts| *attempts >= 1).ok_or("a whole number of at least 1")
    }
}

/// How failures are retried: `Standard` (the default) retries with backoff; `Adaptive` also
/// paces every attempt with a client-side rate limiter that slows down when the service throttles
/// (as `retry_mode = adaptive` in botocore and aws-sdk-rust). Each client has its own limiter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RetryMode {
    #[default]
    Standard,
    Adaptive,
}

impl RetryMode {
    /// A `retry_mode` setting (`AWS_RETRY_MODE`), in any case; `legacy`, botocore's old default,
    /// retries as `standard`. `Err` says what is expected.
    pub fn parse(value: &str) -> Result<RetryMode, &'static str> {
        match value.to_ascii_lowercase().as_str() {
            "standard" | "legacy" => Ok(RetryMode::Standard),
            "adaptive" => Ok(RetryMode::Adaptive),
            _ => Err("one of standard, adaptive, legacy"),
        }
    }
}

/// Whether calls go to an endpoint of the caller's account where the service has them
/// (DynamoDB: `<account>.ddb.<region>.amazonaws.com`), as the endpoint rules'
/// `AccountIdEndpointMode` says (`AWS_ACCOUNT_ID_ENDPOINT_MODE`, profile `account_id_endpoint_mode`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AccountIdEndpointMode {
    /// When the credentials name their account (the AWS SDKs' default).
    #[default]
    Preferred,
    /// Never.
    Disabled,
    /// Always: credentials that name no account fail the call before anything is sent.
    Required,
}

impl AccountIdEndpointMode {
    /// A setting's value, in any case; `Err` says what is expected.
    pub fn parse(value: &str) -> Result<Self, &'static str> {
        match value.to_ascii_lowercase().as_str() {
            "preferred" => Ok(Self::Preferred),
            "disabled" => Ok(Self::Disabled),
            "required" => Ok(Self::Required),
            _ => Err("one of preferred, disabled, required"),
        }
    }

    /// As the endpoint rules spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Preferred => "preferred",
            Self::Disabled => "disabled",
            Self::Required => "required",
        }
    }
}

/// How S3 buckets are addressed (the endpoint rules' `ForcePathStyle` and `Accelerate`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct S3Addressing {
    /// Where the bucket goes: the host or the path (botocore's `addressing_style`).
    pub style: S3AddressingStyle,
    /// S3 Transfer Acceleration's endpoint (`<bucket>.s3-accelerate.amazonaws.com`), for a bucket
    /// that has it turned on. botocore's `use_accelerate_endpoint`.
    pub accelerate: bool,
}

impl S3Addressing {
    /// The bucket always in the path: what most S3-compatible servers (MinIO, Ceph) need.
    pub fn path_style() -> S3Addressing {
        S3Addressing { style: S3AddressingStyle::Path, accelerate: false }
    }
}

/// Where S3's bucket goes: the host (`https://<bucket>.s3.<region>.amazonaws.com/<key>`) or the
/// path (`https://s3.<region>.amazonaws.com/<bucket>/<key>`). Either way, a bucket name the host
/// can't hold (dots over HTTPS, capitals) or an IP address endpoint puts it in the path, as S3's
/// endpoint rules say.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum S3AddressingStyle {
    /// botocore's default: in the path with a custom `endpoint_url` (an S3-compatible server,
    /// LocalStack, a proxy), which rarely resolves `<bucket>.<host>`; in the host otherwise.
    #[default]
    Auto,
    /// In the host, even with a custom endpoint (one with wildcard DNS).
    Virtual,
    /// Always in the path.
    Path,
}

/// When a request carries a checksum of its body (`request_checksum_calculation`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RequestChecksumCalculation {
    /// Whenever the operation takes one (the default, as botocore and aws-sdk-rust).
    #[default]
    WhenSupported,
    /// Only when the operation requires one, or the caller chose its algorithm.
    WhenRequired,
}

/// When a response body is checked against the checksum the service sends with it
/// (`response_checksum_validation`; S3 GetObject).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ResponseChecksumValidation {
    /// Whenever the operation can return one: the client asks for it (the default, as botocore
    /// and aws-sdk-rust).
    #[default]
    WhenSupported,
    /// Only when the caller asks for one (S3: `checksum_mode(ChecksumMode::Enabled)`).
    WhenRequired,
}

/// A checksum setting's value, `when_supported` or `when_required` in any case.
fn parse_when(value: &str) -> Result<bool, &'static str> {
    match value.to_ascii_lowercase().as_str() {
        "when_supported" => Ok(true),
        "when_required" => Ok(false),
        _ => Err("one of when_supported, when_required"),
    }
}

impl RequestChecksumCalculation {
    /// A `request_checksum_calculation` setting (`AWS_REQUEST_CHECKSUM_CALCULATION`); `Err` says
    /// what is expected.
    pub fn parse(value: &str) -> Result<Self, &'static str> {
        parse_when(value).map(|supported| if supported { Self::WhenSupported } else { Self::WhenRequired })
    }
}

impl ResponseChecksumValidation {
    /// A `response_checksum_validation` setting (`AWS_RESPONSE_CHECKSUM_VALIDATION`); `Err` says
    /// what is expected.
    pub fn parse(value: &str) -> Result<Self, &'static str> {
        parse_when(value).map(|supported| if supported { Self::WhenSupported } else { Self::WhenRequired })
    }
}

/// Timeouts. A stalled server never hangs a call: each attempt is bounded by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeoutConfig {
    /// Establishing a connection (TCP and TLS). Default 3.1 s, as aws-sdk-rust.
    pub connect: Duration,
    /// One attempt: connect, send, and read the whole response. Default 60 s (botocore's read
    /// timeout); aws-sdk-rust has none and hangs on a stalled server. Timed-out attempts are retried.
    pub attempt: Option<Duration>,
    /// The whole call, retries and backoff included. Default: none.
    pub operation: Option<Duration>,
    /// A pooled connection unused this long is closed rather than reused: a NAT gateway or load
    /// balancer may have dropped it without a word, and a request sent into it would wait for
    /// the attempt timeout. Default 45 s, under the 60 s of AWS load balancers and the 350 s of
    /// NAT gateways (hyper's default, 90 s, is over the first).
    pub idle_connection: Duration,
    /// How long a connection may go quiet before it is probed: HTTP/2 pings this often, each to
    /// be answered within as long, and TCP keepalive probes after this long (at least 3 s; three
    /// probes, a third of it apart). A connection that fails them is closed, so a quiet event stream on a dead
    /// connection fails (`Transport`) instead of waiting forever, while a quiet live one is left
    /// alone. Default 30 s.
    pub keepalive: Duration,
}

impl Default for TimeoutConfig {
    fn default() -> Self {
        TimeoutConfig {
            connect: Duration::from_millis(3100),
            attempt: Some(Duration::from_secs(60)),
            operation: None,
            idle_connection: crate::http::DEFAULT_IDLE_CONNECTION,
            keepalive: crate::http::DEFAULT_KEEPALIVE,
        }
    }
}

/// Everything a client needs. Build with [`Config::builder`] or [`Config::from_env`].
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) region: Option<String>,
    /// One cache for every client built from this config and its clones.
    pub(crate) credentials: Option<CredentialsCache>,
    /// For services that take a bearer token; shared like the credentials.
    pub(crate) token: Option<TokenCache>,
    pub(crate) endpoint_url: Option<String>,
    pub(crate) use_fips: bool,
    pub(crate) use_dual_stack: bool,
    pub(crate) s3: S3Addressing,
    /// `AWS_ENDPOINT_URL_<SERVICE_ID>` variables as `from_env` found them (suffix, URL); cleared
    /// by `endpoint_url(..)`. See [`Config::for_service`].
    pub(crate) service_endpoint_urls: Vec<(String, String)>,
    pub(crate) retry: RetryConfig,
    pub(crate) retry_mode: RetryMode,
    pub(crate) request_checksum_calculation: RequestChecksumCalculation,
    pub(crate) response_checksum_validation: ResponseChecksumValidation,
    pub(crate) timeouts: TimeoutConfig,
    pub(crate) stalled_stream: Option<StalledStreamProtection>,
    pub(crate) time_source: Arc<dyn TimeSource>,
    pub(crate) http_client: Arc<dyn HttpClient>,
    pub(crate) max_response_body: usize,
    pub(crate) inject_host_prefix: bool,
    /// `None`: endpoints discovered only where an operation requires it; `Some(true)`: also where
    /// it allows it, and with a custom endpoint URL; `Some(false)`: never.
    pub(crate) endpoint_discovery: Option<bool>,
    pub(crate) account_id_endpoint_mode: AccountIdEndpointMode,
    /// The caller's hooks into every attempt, in order.
    pub(crate) interceptors: Vec<Arc<dyn crate::interceptor::Interceptor>>,
    /// The application's name in the user agent (`app/<id>`).
    pub(crate) app_id: Option<String>,
    pub(crate) request_compression: RequestCompression,
}

/// Request compression (`disable_request_compression`, `request_min_compression_size_bytes`):
/// an operation that allows it sends its body gzip-compressed from this size on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestCompression {
    pub disabled: bool,
    /// 0 to 10 MiB (10485760); default 10240, as in every AWS SDK.
    pub min_size_bytes: u32,
}

impl Default for RequestCompression {
    fn default() -> Self {
        RequestCompression { disabled: false, min_size_bytes: 10_240 }
    }
}

impl RequestCompression {
    /// A `request_min_compression_size_bytes` setting; `Err` says what is expected.
    pub fn parse_min_size(value: &str) -> Result<u32, &'static str> {
        value.parse().ok().filter(|size| *size <= 10_485_760).ok_or("a number of bytes from 0 to 10485760")
    }
}

/// The default largest response body read: 64 MiB. The largest AWS JSON responses are a few tens
/// of MB (DynamoDB BatchGetItem returns up to 16 MB of items, Kinesis GetRecords 10 MiB of data,
/// about 14 MB as base64 JSON), so real answers fit with room to spare, while a broken or hostile
/// server can't make a call hold gigabytes.
pub const DEFAULT_MAX_RESPONSE_BODY: usize = 64 * 1024 * 1024;

impl Config {
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// Region from `AWS_REGION` (or `AWS_DEFAULT_REGION`), credentials from `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, endpoint from `AWS_ENDPOINT_URL_<SERVICE_ID>` or
    /// `AWS_ENDPOINT_URL`, FIPS and dual-stack from `AWS_USE_FIPS_ENDPOINT` and `AWS_USE_DUALSTACK_ENDPOINT`,
    /// checksums from `AWS_REQUEST_CHECKSUM_CALCULATION` and `AWS_RESPONSE_CHECKSUM_VALIDATION`,
    /// retries from `AWS_MAX_ATTEMPTS` and `AWS_RETRY_MODE`. Values mean what they mean to
    /// awsgen-config (the same parsers); one it would refuse leaves the default here.
    pub fn from_env() -> ConfigBuilder {
        let defaults = RetryConfig::default();
        let max_attempts = env("AWS_MAX_ATTEMPTS").and_then(|v| RetryConfig::parse_max_attempts(&v).ok());
        ConfigBuilder {
            region: env("AWS_REGION").or_else(|| env("AWS_DEFAULT_REGION")),
            credentials: Credentials::from_env().map(|credentials| Arc::new(credentials) as _),
            endpoint_url: env("AWS_ENDPOINT_URL"),
            use_fips: env_flag("AWS_USE_FIPS_ENDPOINT"),
            use_dual_stack: env_flag("AWS_USE_DUALSTACK_ENDPOINT"),
            service_endpoint_urls: service_endpoint_urls(),
            request_checksum_calculation: env("AWS_REQUEST_CHECKSUM_CALCULATION")
                .and_then(|v| RequestChecksumCalculation::parse(&v).ok())
                .unwrap_or_default(),
            response_checksum_validation: env("AWS_RESPONSE_CHECKSUM_VALIDATION")
                .and_then(|v| ResponseChecksumValidation::parse(&v).ok())
                .unwrap_or_default(),
            retry: RetryConfig { max_attempts: max_attempts.unwrap_or(defaults.max_attempts), ..defaults },
            retry_mode: env("AWS_RETRY_MODE").and_then(|v| RetryMode::parse(&v).ok()).unwrap_or_default(),
            app_id: env("AWS_SDK_UA_APP_ID"),
            account_id_endpoint_mode: env("AWS_ACCOUNT_ID_ENDPOINT_MODE")
                .and_then(|v| AccountIdEndpointMode::parse(&v).ok())
                .unwrap_or_default(),
            endpoint_discovery: env("AWS_ENDPOINT_DISCOVERY_ENABLED").and_then(|v| {
                match v.to_ascii_lowercase().as_str() {
                    "true" => Some(true),
                    "false" => Some(false),
                    _ => None,
                }
            }),
            request_compression: RequestCompression {
                disabled: env_flag("AWS_DISABLE_REQUEST_COMPRESSION"),
                min_size_bytes: env("AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES")
                    .and_then(|v| RequestCompression::parse_min_size(&v).ok())
                    .unwrap_or(RequestCompression::default().min_size_bytes),
            },
            ..ConfigBuilder::default()
        }
    }

    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    pub fn request_compression(&self) -> RequestCompression {
        self.request_compression
    }

    /// The application's name the user agent carries, if set.
    pub fn app_id(&self) -> Option<&str> {
        self.app_id.as_deref()
    }

    /// This configuration for one service: an endpoint from the environment may be the
    /// service's own, `AWS_ENDPOINT_URL_<SERVICE_ID>` (`AWS_ENDPOINT_URL_AMPLIFYBACKEND`), which
    /// wins over `AWS_ENDPOINT_URL`, as in every AWS SDK.
    pub(crate) fn for_service(mut self, service_id: &str) -> Config {
        let suffix = service_key(service_id);
        if let Some((_, url)) = self.service_endpoint_urls.iter().find(|(name, _)| *name == suffix) {
            self.endpoint_url = Some(url.clone());
        }
        self
    }

    pub fn retry(&self) -> RetryConfig {
        self.retry
    }

    pub fn retry_mode(&self) -> RetryMode {
        self.retry_mode
    }

    pub fn s3(&self) -> S3Addressing {
        self.s3
    }

    pub fn request_checksum_calculation(&self) -> RequestChecksumCalculation {
        self.request_checksum_calculation
    }

    pub fn response_checksum_validation(&self) -> ResponseChecksumValidation {
        self.response_checksum_validation
    }

    pub fn timeouts(&self) -> TimeoutConfig {
        self.timeouts
    }

    /// `None` when turned off.
    pub fn stalled_stream_protection(&self) -> Option<StalledStreamProtection> {
        self.stalled_stream
    }

    /// The transport, to wrap in another (a recording transport, say).
    pub fn http_client(&self) -> Arc<dyn HttpClient> {
        self.http_client.clone()
    }

    /// The largest response body a call reads.
    pub fn max_response_body(&self) -> usize {
        self.max_response_body
    }
}

/// How S3 addresses buckets. Like the other settings only some services read, a method of a
/// trait that the `config` module of each crate whose service reads it exports: S3's config
/// offers S3 addressing, AmplifyBackend's does not.
pub trait S3Settings: Sized {
    /// See [`S3Addressing`].
    fn s3(self, addressing: S3Addressing) -> Self;
}

/// Checksums of request and response bodies, for the services whose operations carry them
/// (`httpChecksum`: S3 and a few more).
pub trait ChecksumSettings: Sized {
    fn request_checksum_calculation(self, when: RequestChecksumCalculation) -> Self;
    fn response_checksum_validation(self, when: ResponseChecksumValidation) -> Self;
}

/// Bearer tokens, for the services whose model takes one (`smithy.api#httpBearerAuth`:
/// CodeCatalyst; Bedrock when it has no credentials).
pub trait BearerSettings: Sized {
    /// A fixed bearer token.
    fn bearer_token(self, token: Token) -> Self {
        self.token_provider(token)
    }

    /// Where bearer tokens come from (`awsgen-config`'s SSO token provider, your own), cached
    /// as credentials are.
    fn token_provider(self, provider: impl ProvideToken + 'static) -> Self;
}

impl S3Settings for ConfigBuilder {
    fn s3(mut self, addressing: S3Addressing) -> Self {
        self.s3 = addressing;
        self
    }
}

impl ChecksumSettings for ConfigBuilder {
    fn request_checksum_calculation(mut self, when: RequestChecksumCalculation) -> Self {
        self.request_checksum_calculation = when;
        self
    }

    fn response_checksum_validation(mut self, when: ResponseChecksumValidation) -> Self {
        self.response_checksum_validation = when;
        self
    }
}

impl BearerSettings for ConfigBuilder {
    fn token_provider(mut self, provider: impl ProvideToken + 'static) -> Self {
        self.token = Some(Arc::new(provider));
        self
    }
}

#[derive(Debug, Clone, Default)]
pub struct ConfigBuilder {
    region: Option<String>,
    credentials: Option<Arc<dyn ProvideCredentials>>,
    token: Option<Arc<dyn ProvideToken>>,
    endpoint_url: Option<String>,
    use_fips: bool,
    use_dual_stack: bool,
    s3: S3Addressing,
    service_endpoint_urls: Vec<(String, String)>,
    retry: RetryConfig,
    retry_mode: RetryMode,
    request_checksum_calculation: RequestChecksumCalculation,
    response_checksum_validation: ResponseChecksumValidation,
    timeouts: TimeoutConfig,
    /// `None`: the default protection; `Some(None)`: turned off.
    stalled_stream: Option<Option<StalledStreamProtection>>,
    /// Offer HTTP/2 to HTTPS endpoints (feature `http2`).
    http2: bool,
    max_idle_per_host: Option<usize>,
    time_source: Option<Arc<dyn TimeSource>>,
    http_client: Option<Arc<dyn HttpClient>>,
    ca_bundle: Option<CaBundle>,
    proxy: Option<ProxyConfig>,
    max_response_body: Option<usize>,
    no_host_prefix: bool,
    endpoint_discovery: Option<bool>,
    account_id_endpoint_mode: AccountIdEndpointMode,
    interceptors: Vec<Arc<dyn crate::interceptor::Interceptor>>,
    app_id: Option<String>,
    request_compression: RequestCompression,
}

impl ConfigBuilder {
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Fixed credentials (they are their own provider).
    pub fn credentials(self, credentials: Credentials) -> Self {
        self.credentials_provider(credentials)
    }

    /// Where credentials come from (the default chain of `awsgen-config`, your own provider).
    /// Clients built from the config share one cache in front of it, so the provider runs once
    /// per refresh, shortly before the credentials expire.
    pub fn credentials_provider(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.credentials = Some(Arc::new(provider));
        self
    }

    /// Send requests here instead of the service's regional endpoint (`http://127.0.0.1:8080`).
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint_url = Some(url.into());
        self.service_endpoint_urls.clear();
        self
    }

    /// Send one service's requests here, whatever [`endpoint_url`](Self::endpoint_url) says (as
    /// `AWS_ENDPOINT_URL_<SERVICE_ID>` does in [`Config::from_env`]). The service is named by its
    /// model's service id in any case, with spaces or underscores (`"SSO OIDC"`, `"sso_oidc"`).
    pub fn service_endpoint_url(mut self, service_id: &str, url: impl Into<String>) -> Self {
        let key = service_key(service_id);
        self.service_endpoint_urls.retain(|(name, _)| *name != key);
        self.service_endpoint_urls.push((key, url.into()));
        self
    }

    /// Use the service's FIPS endpoint, where its endpoint rules have one (default false;
    /// `AWS_USE_FIPS_ENDPOINT=true` in [`Config::from_env`]).
    pub fn use_fips(mut self, use_fips: bool) -> Self {
        self.use_fips = use_fips;
        self
    }

    /// Use the service's dual-stack (IPv4 and IPv6) endpoint, where its endpoint rules have one
    /// (default false; `AWS_USE_DUALSTACK_ENDPOINT=true` in [`Config::from_env`]).
    pub fn use_dual_stack(mut self, use_dual_stack: bool) -> Self {
        self.use_dual_stack = use_dual_stack;
        self
    }

    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// Attempts in all, the first included.
    pub fn max_attempts(mut self, max_attempts: u32) -> Self {
        self.retry.max_attempts = max_attempts.max(1);
        self
    }

    pub fn retry_mode(mut self, mode: RetryMode) -> Self {
        self.retry_mode = mode;
        self
    }

    pub fn timeouts(mut self, timeouts: TimeoutConfig) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// When bodies of operations that allow it are sent gzip-compressed (see
    /// [`RequestCompression`]; `AWS_DISABLE_REQUEST_COMPRESSION`,
    /// `AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES`, and their profile keys).
    pub fn request_compression(mut self, compression: RequestCompression) -> Self {
        self.request_compression = compression;
        self
    }

    /// The application's name, sent in the user agent as `app/<id>` so that the service's
    /// operators and your CloudTrail logs can tell your traffic apart (`AWS_SDK_UA_APP_ID`, a
    /// profile's `sdk_ua_app_id`). Characters a header token can't hold become `-`; at most 50
    /// are kept.
    pub fn app_id(mut self, app_id: impl Into<String>) -> Self {
        self.app_id = Some(app_id.into());
        self
    }

    /// The proxies the default transport goes through; unset, those of the environment
    /// (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`), as botocore and curl read them.
    /// `ProxyConfig::none()` ignores the environment. A transport set with `http_client` brings
    /// its own.
    pub fn proxy(mut self, proxies: ProxyConfig) -> Self {
        self.proxy = Some(proxies);
        self
    }

    /// When a response body that stopped arriving fails (see [`StalledStreamProtection`]; on by
    /// default); `None` turns it off. Event streams are never watched: a service may keep one
    /// open and quiet as long as it likes.
    pub fn stalled_stream_protection(mut self, protection: Option<StalledStreamProtection>) -> Self {
        self.stalled_stream = Some(protection);
        self
    }

    pub fn time_source(mut self, time_source: Arc<dyn TimeSource>) -> Self {
        self.time_source = Some(time_source);
        self
    }

    /// Replace the built-in hyper + rustls transport.
    /// Trust these certificate authorities instead of the bundled Mozilla roots (the default
    /// transport only: a transport of your own given to [`http_client`](Self::http_client) decides
    /// for itself).
    pub fn ca_bundle(mut self, bundle: CaBundle) -> Self {
        self.ca_bundle = Some(bundle);
        self
    }

    /// Offer HTTP/2 to HTTPS endpoints (by ALPN; HTTP/1.1 where the service doesn't take it):
    /// one connection carries many concurrent calls. Off by default, as in the AWS SDKs: few AWS
    /// endpoints take HTTP/2. (Requests that need it, event streams sent, use it whatever this says.)
    #[cfg(feature = "http2")]
    pub fn http2(mut self, offer: bool) -> Self {
        self.http2 = offer;
        self
    }

    /// How many unused connections to one host the pool keeps (default 32): after a burst of
    /// concurrent calls, the connections beyond it are closed rather than held open (each is a
    /// socket here and a slot on every middlebox on the way). Connections in use are not limited.
    pub fn max_idle_connections_per_host(mut self, connections: usize) -> Self {
        self.max_idle_per_host = Some(connections);
        self
    }

    pub fn http_client(mut self, http_client: Arc<dyn HttpClient>) -> Self {
        self.http_client = Some(http_client);
        self
    }

    /// The largest response body to read, in bytes (default [`DEFAULT_MAX_RESPONSE_BODY`]). A
    /// larger response fails with [`TransportErrorKind::ResponseTooLarge`](crate::TransportErrorKind)
    /// as soon as it is known to be larger, and is not retried.
    pub fn max_response_body(mut self, bytes: usize) -> Self {
        self.max_response_body = Some(bytes);
        self
    }

    /// Whether operations with a host prefix (`{AccountId}.`) put it in front of the endpoint's
    /// host (default true, as botocore's `inject_host_prefix`). Turn it off for an endpoint that
    /// can't take one, such as a local emulator on an IP address.
    pub fn inject_host_prefix(mut self, inject: bool) -> Self {
        self.no_host_prefix = !inject;
        self
    }

    /// Endpoint discovery (Timestream, DynamoDB): by default only for the operations that
    /// require it, and not with a custom `endpoint_url`, as botocore does; `true` also for the
    /// operations that allow it (DynamoDB's) and asks a custom endpoint for the endpoints;
    /// `false` never (an operation that requires it then fails before sending). Also
    /// `AWS_ENDPOINT_DISCOVERY_ENABLED`.
    pub fn endpoint_discovery(mut self, enabled: bool) -> Self {
        self.endpoint_discovery = Some(enabled);
        self
    }

    /// Whether calls go to the account's own endpoint where the service has them (see
    /// [`AccountIdEndpointMode`]; default `Preferred`).
    pub fn account_id_endpoint_mode(mut self, mode: AccountIdEndpointMode) -> Self {
        self.account_id_endpoint_mode = mode;
        self
    }

    /// Adds an interceptor: it sees every attempt's request before and after signing, and its
    /// outcome (see [`Interceptor`](crate::interceptor::Interceptor)). Interceptors run in the
    /// order they were added.
    pub fn interceptor(mut self, interceptor: impl crate::interceptor::Interceptor + 'static) -> Self {
        self.interceptors.push(Arc::new(interceptor));
        self
    }

    pub fn build(self) -> Config {
        let proxies = self.proxy.unwrap_or_else(ProxyConfig::from_env);
        let timeouts = crate::http::ConnectionSettings {
            connect: self.timeouts.connect,
            idle: self.timeouts.idle_connection,
            keepalive: self.timeouts.keepalive,
            max_idle_per_host: self.max_idle_per_host.unwrap_or(crate::http::DEFAULT_MAX_IDLE_PER_HOST),
        };
        let stalled_stream = self.stalled_stream.unwrap_or(Some(StalledStreamProtection::default()));
        let http_client = self.http_client.unwrap_or_else(|| {
            default_http_client(timeouts, self.ca_bundle.as_ref(), &proxies, stalled_stream, self.http2)
        });
        let time_source = self.time_source.unwrap_or_else(|| Arc::new(SystemClock));
        // The cache reads the signing clock, so a call never signs with credentials it deems expired.
        let credentials =
            self.credentials.map(|provider| CredentialsCache::with_time_source(provider, time_source.clone()));
        let token = self.token.map(|provider| TokenCache::with_time_source(provider, time_source.clone()));
        Config {
            region: self.region,
            credentials,
            token,
            endpoint_url: self.endpoint_url,
            use_fips: self.use_fips,
            use_dual_stack: self.use_dual_stack,
            s3: self.s3,
            service_endpoint_urls: self.service_endpoint_urls,
            retry: self.retry,
            retry_mode: self.retry_mode,
            request_checksum_calculation: self.request_checksum_calculation,
            response_checksum_validation: self.response_checksum_validation,
            timeouts: self.timeouts,
            stalled_stream,
            time_source,
            http_client,
            max_response_body: self.max_response_body.unwrap_or(DEFAULT_MAX_RESPONSE_BODY),
            inject_host_prefix: !self.no_host_prefix,
            endpoint_discovery: self.endpoint_discovery,
            account_id_endpoint_mode: self.account_id_endpoint_mode,
            interceptors: self.interceptors,
            app_id: self.app_id,
            request_compression: self.request_compression,
        }
    }
}

/// A service id as `AWS_ENDPOINT_URL_<SERVICE_ID>` spells it: `SSO OIDC` -> `SSO_OIDC`.
fn service_key(service_id: &str) -> String {
    service_id.to_ascii_uppercase().replace([' ', '-'], "_")
}

/// Every `AWS_ENDPOINT_URL_<SERVICE_ID>` variable: (`<SERVICE_ID>`, URL).
fn service_endpoint_urls() -> Vec<(String, String)> {
    // `vars_os`: `vars` panics on a variable that is not Unicode, which is none of these.
    let found = std::env::vars_os().filter_map(|(name, url)| Some((name.into_string().ok()?, url.into_string().ok()?)));
    let found = found.filter(|(_, url)| !url.is_empty());
    found.filter_map(|(name, url)| Some((name.strip_prefix("AWS_ENDPOINT_URL_")?.to_owned(), url))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_parse_as_awsgen_config_reads_them() {
        assert_eq!(RetryMode::parse("ADAPTIVE"), Ok(RetryMode::Adaptive));
        assert_eq!(RetryMode::parse("legacy"), Ok(RetryMode::Standard));
        assert_eq!(RetryMode::parse("fast"), Err("one of standard, adaptive, legacy"));
        assert_eq!(RetryConfig::parse_max_attempts("5"), Ok(5));
        assert!(RetryConfig::parse_max_attempts("0").is_err() && RetryConfig::parse_max_attempts("many").is_err());
        assert_eq!(RequestChecksumCalculation::parse("When_Required"), Ok(RequestChecksumCalculation::WhenRequired));
        assert_eq!(ResponseChecksumValidation::parse("when_supported"), Ok(ResponseChecksumValidation::WhenSupported));
        assert!(ResponseChecksumValidation::parse("always").is_err());
    }

    /// `from_env` in a child process of this test binary, so no other test sees its variables.
    #[test]
    fn from_env_reads_the_retry_settings() {
        const CHILD: &str = "AWSGEN_FROM_ENV_CHILD";
        if std::env::var_os(CHILD).is_some() {
            let config = Config::from_env().build();
            assert_eq!((config.retry().max_attempts, config.retry_mode()), (7, RetryMode::Adaptive));
            let defaults = ConfigBuilder::default().build();
            assert_eq!(config.request_checksum_calculation(), RequestChecksumCalculation::WhenRequired);
            assert_eq!(config.response_checksum_validation(), defaults.response_checksum_validation());
            return;
        }
        let exe = std::env::current_exe().unwrap();
        let child = std::process::Command::new(exe)
            .args(["--exact", "config::tests::from_env_reads_the_retry_settings", "--nocapture"])
            .env(CHILD, "1")
            .env("AWS_MAX_ATTEMPTS", "7")
            .env("AWS_RETRY_MODE", " adaptive ") // trimmed, as awsgen-config reads it
            .env("AWS_REQUEST_CHECKSUM_CALCULATION", "when_required")
            .env("AWS_RESPONSE_CHECKSUM_VALIDATION", "sometimes") // refused: the default stays
            .output()
            .unwrap();
        let output = String::from_utf8_lossy(&child.stdout);
        assert!(child.status.success() && output.contains("1 passed"), "{output}");
    }
}
