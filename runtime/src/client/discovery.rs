//! Endpoint discovery: the operations of Timestream (which require it) and DynamoDB (which allow
//! it) go to the endpoint the service names through its DescribeEndpoints, kept for as long as
//! the service says. One discovered endpoint per client (no botocore model keys them further).

use super::Client;
use crate::endpoint::Endpoint;
use crate::error::ErrorMetadata;
use crate::http::BoxFuture;
use crate::http::Response;
use crate::protocol::{EndpointDiscovery, ErrorResponse, Operation, Request};
use crate::{BuildError, ParseError};
use serde::Deserialize;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// A client's discovered endpoint and when it expires.
#[derive(Default)]
pub(super) struct Discovered(Mutex<Option<(Endpoint, SystemTime)>>);

impl Client {
    /// Where an operation with endpoint discovery goes: `None` for the resolved endpoint (the
    /// operation only allows discovery, and it is not turned on, failed, or a custom endpoint URL
    /// is set), else the discovered one, asked for when none is cached or it expired.
    /// Boxed, and declared `Send`: the call is an operation sent as any is, from inside `send`.
    pub(super) fn discovered_endpoint(
        &self,
        discovery: EndpointDiscovery,
    ) -> BoxFuture<'_, Result<Option<Endpoint>, BuildError>> {
        Box::pin(self.discover(discovery))
    }

    async fn discover(&self, discovery: EndpointDiscovery) -> Result<Option<Endpoint>, BuildError> {
        let config = &self.inner.config;
        let wanted = match config.endpoint_discovery {
            Some(enabled) => enabled,
            None => discovery.required && config.endpoint_url.is_none(),
        };
        if !wanted {
            if discovery.required && config.endpoint_discovery == Some(false) {
                let detail = "the operation requires endpoint discovery, which is turned off".to_owned();
                return Err(BuildError::EndpointDiscovery { detail });
            }
            return Ok(None);
        }
        let now = self.now();
        let cached = self.inner.discovered.0.lock().ok().and_then(|cached| cached.clone());
        if let Some((endpoint, _)) = cached.filter(|(_, until)| now < *until) {
            return Ok(Some(endpoint));
        }
        let found = match self.send(DescribeEndpoints(discovery, self.inner.service.api_version)).await {
            Ok(Some(found)) => found.endpoint(),
            Ok(None) => Err("DescribeEndpoints named no endpoint".to_owned()),
            Err(error) => Err(error.to_string()),
        };
        match found {
            Ok((endpoint, lifetime)) => {
                if let Ok(mut cached) = self.inner.discovered.0.lock() {
                    *cached = Some((endpoint.clone(), now + lifetime));
                }
                Ok(Some(endpoint))
            }
            Err(detail) if discovery.required => Err(BuildError::EndpointDiscovery { detail }),
            // An operation that only allows discovery goes to its usual endpoint.
            Err(_) => Ok(None),
        }
    }
}

impl Client {
    /// Drops the discovered endpoint (it answered `InvalidEndpointException`): the next call
    /// asks DescribeEndpoints again rather than going back there until the cache period ends.
    pub(super) fn forget_discovered_endpoint(&self) {
        if let Ok(mut cached) = self.inner.discovered.0.lock() {
            *cached = None;
        }
    }
}

/// DescribeEndpoints: an awsJson call with an empty input, and the service's API version in
/// `x-amz-api-version` (as botocore's `inject_api_version_header_if_needed` sends it).
struct DescribeEndpoints(EndpointDiscovery, &'static str);

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Described {
    #[serde(default)]
    endpoints: Vec<DescribedEndpoint>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DescribedEndpoint {
    address: String,
    cache_period_in_minutes: i64,
}

impl DescribedEndpoint {
    /// The endpoint (`https://` unless the address names a scheme) and how long it holds.
    fn endpoint(&self) -> Result<(Endpoint, Duration), String> {
        let url = match self.address.contains("://") {
            true => self.address.clone(),
            false => format!("https://{}", self.address),
        };
        let endpoint = Endpoint::parse(&url, "a discovered endpoint").map_err(|e| e.to_string())?;
        let minutes = u64::try_from(self.cache_period_in_minutes).unwrap_or(0);
        Ok((endpoint, Duration::from_secs(minutes.saturating_mul(60))))
    }
}

impl Operation for DescribeEndpoints {
    type Output = Option<DescribedEndpoint>;
    type Error = ErrorMetadata;
    const NAME: &'static str = "DescribeEndpoints";

    fn request(&self) -> Result<Request, BuildError> {
        let mut request = Request::aws_json(self.0.json_version, self.0.target, &serde_json::Map::new())?;
        request.headers.push(("x-amz-api-version".to_owned(), self.1.to_owned()));
        Ok(request)
    }

    fn parse_output(response: &Response) -> Result<Self::Output, ParseError> {
        let described: Described = crate::json_output(response)?;
        Ok(described.endpoints.into_iter().next())
    }

    fn parse_error(error: ErrorResponse) -> Self::Error {
        error.meta().clone()
    }
}
