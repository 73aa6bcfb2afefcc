//! Endpoint discovery: the operations of Timestream (which require it) and DynamoDB (which allow
//! it) go to the endpoint the service names through its DescribeEndpoints, kept for as long as
//! the service says, and asked for again in the background before that ends (so no call waits
//! for it but the first). Concurrent first calls share one DescribeEndpoints. One discovered
//! endpoint per client (no botocore model keys them further).

use super::Client;
use crate::endpoint::Endpoint;
use crate::error::ErrorMetadata;
use crate::fields::{FieldValue, ReadFields};
use crate::http::BoxFuture;
use crate::http::Response;
use crate::protocol::{EndpointDiscovery, ErrorResponse, Operation, Request};
use crate::{BuildError, ParseError};
use serde::de::MapAccess;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// A client's discovered endpoint, and the one DescribeEndpoints in flight.
#[derive(Default)]
pub(super) struct Discovered {
    cached: Mutex<Option<Cached>>,
    /// Held while DescribeEndpoints is asked: the calls that find nothing usable wait on it.
    asking: tokio::sync::Mutex<()>,
    /// A background refresh is under way.
    refreshing: AtomicBool,
}

#[derive(Clone)]
struct Cached {
    endpoint: Endpoint,
    /// When it may no longer be used.
    until: SystemTime,
    /// When a call that uses it asks for the next one, in the background.
    refresh_at: SystemTime,
}

/// How long before its end a discovered endpoint is asked for again: a minute, or half its
/// period when that is shorter.
fn refresh_ahead(period: Duration) -> Duration {
    (period / 2).min(Duration::from_secs(60))
}

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
        if let Some(endpoint) = self.usable_discovered(discovery) {
            return Ok(Some(endpoint));
        }
        let _asking = self.inner.discovered.asking.lock().await;
        // Another call may have asked while this one waited.
        if let Some(endpoint) = self.usable_discovered(discovery) {
            return Ok(Some(endpoint));
        }
        match self.ask_for_endpoint(discovery).await {
            Ok(endpoint) => Ok(Some(endpoint)),
            Err(detail) if discovery.required => Err(BuildError::EndpointDiscovery { detail }),
            // An operation that only allows discovery goes to its usual endpoint.
            Err(_) => Ok(None),
        }
    }

    /// The cached endpoint if it is still good, asking for the next one in the background when
    /// its end is near.
    fn usable_discovered(&self, discovery: EndpointDiscovery) -> Option<Endpoint> {
        let now = self.now();
        let cached = self.inner.discovered.cached.lock().ok()?.clone().filter(|cached| now < cached.until)?;
        let discovered = &self.inner.discovered;
        if now >= cached.refresh_at && !discovered.refreshing.swap(true, Ordering::SeqCst) {
            match tokio::runtime::Handle::try_current() {
                Ok(runtime) => {
                    let client = self.clone();
                    runtime.spawn(async move {
                        // A failure keeps the endpoint until its end; the call after asks again.
                        let _ = client.ask_for_endpoint(discovery).await;
                        client.inner.discovered.refreshing.store(false, Ordering::SeqCst);
                    });
                }
                Err(_) => discovered.refreshing.store(false, Ordering::SeqCst),
            }
        }
        Some(cached.endpoint)
    }

    /// Asks DescribeEndpoints, and keeps what it names.
    fn ask_for_endpoint(&self, discovery: EndpointDiscovery) -> BoxFuture<'_, Result<Endpoint, String>> {
        Box::pin(async move {
            let now = self.now();
            let found = match self.send(DescribeEndpoints(discovery, self.inner.service.api_version)).await {
                Ok(Some(found)) => found.endpoint(),
                Ok(None) => Err("DescribeEndpoints named no endpoint".to_owned()),
                Err(error) => Err(error.to_string()),
            };
            let (endpoint, period) = found?;
            let cached = Cached {
                endpoint: endpoint.clone(),
                until: now + period,
                refresh_at: now + period - refresh_ahead(period),
            };
            if let Ok(mut slot) = self.inner.discovered.cached.lock() {
                *slot = Some(cached);
            }
            Ok(endpoint)
        })
    }
}

impl Client {
    /// Drops the discovered endpoint (it answered `InvalidEndpointException`): the next call
    /// asks DescribeEndpoints again rather than going back there until the cache period ends.
    pub(super) fn forget_discovered_endpoint(&self) {
        if let Ok(mut cached) = self.inner.discovered.cached.lock() {
            *cached = None;
        }
    }
}

/// DescribeEndpoints: an awsJson call with an empty input, and the service's API version in
/// `x-amz-api-version` (as botocore's `inject_api_version_header_if_needed` sends it).
struct DescribeEndpoints(EndpointDiscovery, &'static str);

#[derive(Default)]
struct Described {
    endpoints: Vec<DescribedEndpoint>,
}

#[derive(Default)]
struct DescribedEndpoint {
    address: String,
    cache_period_in_minutes: i64,
}

impl ReadFields for Described {
    fn read_field<'de, A: MapAccess<'de>>(&mut self, name: &str, value: FieldValue<'_, A>) -> Result<(), A::Error> {
        match name {
            "Endpoints" => value.read(&mut self.endpoints),
            _ => value.skip(),
        }
    }
}

impl ReadFields for DescribedEndpoint {
    fn read_field<'de, A: MapAccess<'de>>(&mut self, name: &str, value: FieldValue<'_, A>) -> Result<(), A::Error> {
        match name {
            "Address" => value.read(&mut self.address),
            "CachePeriodInMinutes" => value.read(&mut self.cache_period_in_minutes),
            _ => value.skip(),
        }
    }
}

crate::deserialize_fields!(Described);
crate::deserialize_fields!(DescribedEndpoint);

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
