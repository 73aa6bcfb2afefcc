//! EC2 instance metadata (IMDSv2): a session token (PUT), the instance profile's role name,
//! then that role's credentials; or the instance's region.
//!
//! Endpoint: set in code, else `AWS_EC2_METADATA_SERVICE_ENDPOINT`, else the profile's
//! `ec2_metadata_service_endpoint`, else the address of the mode (set in code, else
//! `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE`, else the profile's
//! `ec2_metadata_service_endpoint_mode`, else IPv4). `AWS_EC2_METADATA_DISABLED=true` turns it off.

use super::document::Document;
use super::ProviderConfig;
use crate::fetch::{FetchError, Fetcher};
use awsgen_runtime::credentials::{CredentialsError, ProvideCredentials};
use awsgen_runtime::http::BoxFuture;
use awsgen_runtime::Credentials;
use std::time::Duration;

const TOKEN_PATH: &str = "/latest/api/token";
const ROLES_PATH: &str = "/latest/meta-data/iam/security-credentials/";
const REGION_PATH: &str = "/latest/meta-data/placement/region";
/// Six hours, the longest IMDS allows.
const TOKEN_TTL_SECONDS: &str = "21600";

/// Which address the metadata service has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImdsEndpointMode {
    IPv4,
    IPv6,
}

impl ImdsEndpointMode {
    fn address(self) -> &'static str {
        match self {
            ImdsEndpointMode::IPv4 => "http://169.254.169.254",
            ImdsEndpointMode::IPv6 => "http://[fd00:ec2::254]",
        }
    }

    /// `IPv4` or `IPv6`, any case.
    pub fn parse(text: &str) -> Result<Self, CredentialsError> {
        match text.to_ascii_lowercase().as_str() {
            "ipv4" => Ok(ImdsEndpointMode::IPv4),
            "ipv6" => Ok(ImdsEndpointMode::IPv6),
            _ => Err(CredentialsError::invalid(format!("`{text}` is not a valid endpoint mode (IPv4 or IPv6)"))),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ImdsProvider {
    config: ProviderConfig,
    fetcher: Fetcher,
    endpoint: Option<String>,
    mode: Option<ImdsEndpointMode>,
}

impl ImdsProvider {
    /// Each request gets 1 s and 3 attempts.
    pub fn new(config: &ProviderConfig) -> Self {
        let fetcher = Fetcher { client: config.http_client(), timeout: Duration::from_secs(1), attempts: 3 };
        ImdsProvider { config: config.clone(), fetcher, endpoint: None, mode: None }
    }

    /// Ask this endpoint (`http://127.0.0.1:8080`) whatever the environment says.
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    pub fn with_endpoint_mode(mut self, mode: ImdsEndpointMode) -> Self {
        self.mode = Some(mode);
        self
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.fetcher.timeout = timeout;
        self
    }

    /// The metadata service's base URL, without a trailing `/`.
    pub fn endpoint(&self) -> Result<String, CredentialsError> {
        let env = self.config.env();
        let profiles = || self.config.profiles().map_err(|error| CredentialsError::invalid(error.to_string()));
        let from_profile = |key: &str| -> Result<Option<String>, CredentialsError> {
            let profiles = profiles()?;
            Ok(profiles.profile(&self.config.profile_name()).and_then(|profile| profile.get(key)).map(str::to_owned))
        };
        let endpoint = match self.endpoint.clone().or_else(|| env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT")) {
            Some(endpoint) => Some(endpoint),
            None => from_profile("ec2_metadata_service_endpoint")?,
        };
        if let Some(endpoint) = endpoint {
            return validate(endpoint);
        }
        let mode = match (self.mode, env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE")) {
            (Some(mode), _) => mode,
            (None, Some(text)) => ImdsEndpointMode::parse(&text)?,
            (None, None) => match from_profile("ec2_metadata_service_endpoint_mode")? {
                Some(text) => ImdsEndpointMode::parse(&text)?,
                None => ImdsEndpointMode::IPv4,
            },
        };
        Ok(mode.address().to_owned())
    }

    /// Where the session token is asked for.
    pub fn token_uri(&self) -> Result<String, CredentialsError> {
        Ok(format!("{}{TOKEN_PATH}", self.endpoint()?))
    }

    fn disabled(&self) -> bool {
        let disabled = self.config.env().get("AWS_EC2_METADATA_DISABLED");
        disabled.is_some_and(|value| value.trim().eq_ignore_ascii_case("true"))
    }

    /// The instance's region: `None` off EC2 (after one attempt, so that a program elsewhere
    /// without a region waits at most the timeout), when turned off, or on any failure.
    pub async fn region(&self) -> Option<String> {
        if self.disabled() {
            return None;
        }
        let once = ImdsProvider { fetcher: Fetcher { attempts: 1, ..self.fetcher.clone() }, ..self.clone() };
        let endpoint = once.endpoint().ok()?;
        let token = once.token(&endpoint).await.ok()?;
        let region = once.get(&format!("{endpoint}{REGION_PATH}"), &token).await.ok()?;
        let region = std::str::from_utf8(&region).ok()?.trim();
        let plain = !region.is_empty() && region.len() <= 63;
        (plain && region.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')).then(|| region.to_owned())
    }

    pub async fn credentials(&self) -> Result<Credentials, CredentialsError> {
        if self.disabled() {
            return Err(CredentialsError::not_loaded("AWS_EC2_METADATA_DISABLED is true"));
        }
        let endpoint = self.endpoint()?;
        let token = self.token(&endpoint).await?;
        let roles = self.get(&format!("{endpoint}{ROLES_PATH}"), &token).await.map_err(|error| match error {
            FetchError::Status(404) => CredentialsError::not_loaded("the instance has no IAM role (instance profile)"),
            error => failed("listing the instance's role", error),
        })?;
        let role = role_name(&roles)?;
        let document = self.get(&format!("{endpoint}{ROLES_PATH}{role}"), &token).await;
        let document = document.map_err(|error| failed("fetching the role's credentials", error))?;
        let document = Document::parse(&document, "the instance metadata credentials")?;
        match document.optional("Code")? {
            None | Some("Success") => document.credentials("Token"),
            Some(_) => Err(document.error("`Code` is not Success".to_owned())),
        }
    }

    async fn token(&self, endpoint: &str) -> Result<String, CredentialsError> {
        let headers = [("x-aws-ec2-metadata-token-ttl-seconds", TOKEN_TTL_SECONDS)];
        let token = self.fetcher.send(http::Method::PUT, &format!("{endpoint}{TOKEN_PATH}"), &headers).await;
        let token = token.map_err(|error| match error {
            FetchError::Unreachable(reason) => {
                CredentialsError::not_loaded(format!("no instance metadata service at {endpoint}: {reason}"))
            }
            FetchError::Status(403) => CredentialsError::provider_error(
                "instance metadata request forbidden: IMDS is disabled on this instance",
            ),
            error => failed("getting a session token", error),
        })?;
        String::from_utf8(token.to_vec()).map_err(|_| CredentialsError::provider_error("the IMDS token is not text"))
    }

    async fn get(&self, uri: &str, token: &str) -> Result<bytes::Bytes, FetchError> {
        self.fetcher.send(http::Method::GET, uri, &[("x-aws-ec2-metadata-token", token.trim())]).await
    }
}

/// The first line of the role listing; it goes into a path, so it must be a plain segment.
fn role_name(listing: &[u8]) -> Result<String, CredentialsError> {
    let listing = std::str::from_utf8(listing).unwrap_or_default();
    let role = listing.lines().next().unwrap_or_default().trim();
    let plain = |c: char| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c);
    if role.is_empty() || !role.chars().all(plain) {
        return Err(CredentialsError::provider_error("IMDS listed no valid role name"));
    }
    Ok(role.to_owned())
}

/// An endpoint must be an absolute http(s) URL.
fn validate(endpoint: String) -> Result<String, CredentialsError> {
    let invalid = |why: &str| CredentialsError::invalid(format!("IMDS endpoint {why}"));
    let uri: http::Uri = endpoint.parse().map_err(|error| invalid("is not a valid URI").with_source(error))?;
    if uri.host().is_none() || !matches!(uri.scheme_str(), Some("http" | "https")) {
        return Err(invalid("must be an http or https URL"));
    }
    Ok(endpoint.trim_end_matches('/').to_owned())
}

fn failed(step: &str, error: FetchError) -> CredentialsError {
    CredentialsError::provider_error(format!("IMDS: {step}: {error}"))
}

impl ProvideCredentials for ImdsProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.credentials())
    }
}
