//! The client every generated crate wraps: addresses, signs and sends an operation's request,
//! retrying and timing out as configured, then hands the response back to the operation.

use crate::config::{Config, Credentials};
use crate::error::{SdkError, TransportError, TransportErrorKind};
use crate::http::Response;
use crate::protocol::{ErrorResponse, Operation, Protocol, Request, Service};
use crate::{retry, BuildError};
use bytes::Bytes;
use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

/// A cheap-to-clone handle to a configured client for one service.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    service: &'static Service,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("service", &self.inner.service.service_id)
            .field("config", &self.inner.config)
            .finish()
    }
}

const USER_AGENT: &str = concat!("awsgen/", env!("CARGO_PKG_VERSION"), " lang/rust");

impl Client {
    pub fn new(config: Config, service: &'static Service) -> Self {
        Client { inner: Arc::new(Inner { config, service }) }
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Sends an operation: builds its request, then attempts it until it succeeds, fails for
    /// good, or runs out of attempts or time.
    pub async fn send<O: Operation>(&self, input: O) -> Result<O::Output, SdkError<O::Error>> {
        let request = input.request()?;
        let target = self.target()?;
        let attempts = self.attempts::<O>(&request, &target);
        match self.inner.config.timeouts.operation {
            None => attempts.await,
            Some(limit) => tokio::time::timeout(limit, attempts).await.unwrap_or_else(|_| {
                Err(SdkError::Transport(TransportError::timeout(TransportErrorKind::OperationTimeout, limit)))
            }),
        }
    }

    async fn attempts<O: Operation>(
        &self,
        request: &Request,
        target: &Target<'_>,
    ) -> Result<O::Output, SdkError<O::Error>> {
        let config = &self.inner.config;
        let max = config.retry.max_attempts.max(1);
        let invocation_id = uuid_v4();
        let mut attempt = 1;
        loop {
            let http_request = self.http_request(request, target, &invocation_id, attempt, max)?;
            match self.attempt(http_request).await {
                Ok(response) if (200..300).contains(&response.status) => {
                    return O::parse_output(&response).map_err(SdkError::Parse);
                }
                Ok(response) => {
                    let error = ErrorResponse::from_response(&response, self.inner.service.protocol);
                    if attempt == max || !retry::is_retryable(error.meta()) {
                        return Err(SdkError::Service(O::parse_error(error)));
                    }
                }
                // Connection failures and attempt timeouts are always worth another try.
                Err(error) if attempt == max => return Err(SdkError::Transport(error.after_attempts(attempt))),
                Err(_) => {}
            }
            tokio::time::sleep(retry::backoff(&config.retry, attempt)).await;
            attempt += 1;
        }
    }

    async fn attempt(&self, request: http::Request<Bytes>) -> Result<Response, TransportError> {
        let config = &self.inner.config;
        let call = config.http_client.call(request);
        match config.timeouts.attempt {
            None => call.await,
            Some(limit) => tokio::time::timeout(limit, call)
                .await
                .unwrap_or_else(|_| Err(TransportError::timeout(TransportErrorKind::AttemptTimeout, limit))),
        }
    }

    /// Where and as whom requests go; checked once per call, before anything is sent.
    fn target(&self) -> Result<Target<'_>, BuildError> {
        let config = &self.inner.config;
        let missing = |what: &str| BuildError::Config { detail: what.to_owned() };
        let region = config
            .region
            .as_deref()
            .ok_or_else(|| missing("no region set (AWS_REGION, or Config::builder().region(..))"))?;
        let credentials = config.credentials.as_ref().ok_or_else(|| {
            missing("no credentials set (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or Config::builder().credentials(..))")
        })?;
        let endpoint = match &config.endpoint_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => default_endpoint(self.inner.service.endpoint_prefix, region),
        };
        if !(endpoint.starts_with("https://") || endpoint.starts_with("http://")) {
            return Err(missing(&format!("endpoint URL {endpoint:?} must start with https:// or http://")));
        }
        Ok(Target { region, credentials, endpoint })
    }

    /// The signed HTTP request for one attempt; signed again on every attempt, as time moves on.
    fn http_request(
        &self,
        request: &Request,
        target: &Target,
        invocation_id: &str,
        attempt: u32,
        max: u32,
    ) -> Result<http::Request<Bytes>, BuildError> {
        let mut url = match &request.host_prefix {
            // `https://` + prefix + host: the prefix goes in front of the host name.
            Some(prefix) => match target.endpoint.split_once("://") {
                Some((scheme, rest)) => format!("{scheme}://{prefix}{rest}{}", request.path),
                None => format!("{}{}", target.endpoint, request.path),
            },
            None => format!("{}{}", target.endpoint, request.path),
        };
        let mut query = request.literal_query.clone();
        for (key, value) in &request.query {
            if !query.is_empty() {
                query.push('&');
            }
            query.push_str(&crate::protocol::percent_encode(key, false));
            query.push('=');
            query.push_str(&crate::protocol::percent_encode(value, false));
        }
        if !query.is_empty() {
            url.push('?');
            url.push_str(&query);
        }
        let invalid = |e: http::Error| BuildError::Config { detail: format!("invalid request for {url}: {e}") };
        let mut builder = http::Request::builder().method(request.method).uri(&url);
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        if let Protocol::AwsJson { query_compatible: true } = self.inner.service.protocol {
            builder = builder.header("x-amzn-query-mode", "true");
        }
        // No length for an empty body: hyper adds `content-length: 0` where the method needs it.
        if !request.body.is_empty() {
            builder = builder.header("content-length", request.body.len());
        }
        let mut http_request = builder.body(request.body.clone()).map_err(invalid)?;
        crate::sign::sign(
            &mut http_request,
            target.credentials,
            target.region,
            self.inner.service.signing_name,
            self.now(),
        )?;
        let headers = http_request.headers_mut();
        headers.insert("user-agent", http::HeaderValue::from_static(USER_AGENT));
        let sdk_request = format!("attempt={attempt}; max={max}");
        for (name, value) in [("amz-sdk-invocation-id", invocation_id), ("amz-sdk-request", &sdk_request)] {
            let value = http::HeaderValue::from_str(value).map_err(|e| BuildError::Config { detail: e.to_string() })?;
            headers.insert(name, value);
        }
        Ok(http_request)
    }

    fn now(&self) -> SystemTime {
        self.inner.config.time_source.now()
    }
}

struct Target<'a> {
    region: &'a str,
    credentials: &'a Credentials,
    endpoint: String,
}

/// `https://{prefix}.{region}.amazonaws.com`, `.amazonaws.com.cn` in the China regions.
fn default_endpoint(prefix: &str, region: &str) -> String {
    let suffix = if region.starts_with("cn-") { "amazonaws.com.cn" } else { "amazonaws.com" };
    format!("https://{prefix}.{region}.{suffix}")
}

/// A random (version 4) UUID, as the `amz-sdk-invocation-id` that ties attempts together.
pub fn uuid_v4() -> String {
    let mut bytes: [u8; 16] = fastrand::u128(..).to_be_bytes();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_and_invocation_ids() {
        assert_eq!(default_endpoint("amplifybackend", "us-east-1"), "https://amplifybackend.us-east-1.amazonaws.com");
        assert_eq!(
            default_endpoint("amplifybackend", "cn-north-1"),
            "https://amplifybackend.cn-north-1.amazonaws.com.cn"
        );
        let id = uuid_v4();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert_ne!(id, uuid_v4());
    }
}
