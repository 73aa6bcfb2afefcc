//! ECS task roles and EKS Pod Identity: credentials from a container endpoint.
//!
//! `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` is a path on the ECS agent at 169.254.170.2;
//! `AWS_CONTAINER_CREDENTIALS_FULL_URI` is any https URL, or plain http only to this host
//! (loopback, the ECS agent, the EKS Pod Identity agent): the token must not travel in clear.

use super::document::Document;
use super::ProviderConfig;
use crate::fetch::{FetchError, Fetcher};
use crate::profile::files::expand_home;
use crate::Env;
use awsgen_runtime::credentials::{CredentialsError, ProvideCredentials};
use awsgen_runtime::http::BoxFuture;
use awsgen_runtime::Credentials;
use std::io::Read;
use std::net::IpAddr;
use std::time::Duration;

const ECS_AGENT: &str = "http://169.254.170.2";
/// A token is a few hundred bytes.
const MAX_TOKEN_FILE: u64 = 16 * 1024;

#[derive(Debug, Clone)]
pub struct ContainerProvider {
    env: Env,
    fetcher: Fetcher,
}

impl ContainerProvider {
    pub fn new(config: &ProviderConfig) -> Self {
        let fetcher = Fetcher { client: config.http_client(), timeout: Duration::from_secs(5), attempts: 3 };
        ContainerProvider { env: config.env().clone(), fetcher }
    }

    /// The URL credentials come from, if the environment names a valid one.
    pub fn uri(&self) -> Result<String, CredentialsError> {
        if let Some(relative) = self.env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
            return Ok(format!("{ECS_AGENT}{relative}"));
        }
        let Some(full) = self.env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI") else {
            return Err(CredentialsError::not_loaded(
                "neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set",
            ));
        };
        let invalid = |why: &str| CredentialsError::invalid(format!("AWS_CONTAINER_CREDENTIALS_FULL_URI {why}"));
        let uri: http::Uri = full.parse().map_err(|error| invalid("is not a valid URI").with_source(error))?;
        let host = uri.host().ok_or_else(|| invalid("did not specify a host"))?;
        match uri.scheme_str() {
            Some("https") => Ok(full),
            Some("http") if is_allowed_http_host(host) => Ok(full),
            Some("http") => Err(invalid("must use https, or http to a loopback, ECS or EKS agent address")),
            _ => Err(invalid("must be an http or https URL")),
        }
    }

    pub async fn credentials(&self) -> Result<Credentials, CredentialsError> {
        let uri = self.uri()?;
        let token = self.authorization()?;
        let mut headers = vec![("accept", "application/json")];
        headers.extend(token.as_deref().map(|token| ("authorization", token)));
        let body = self.fetcher.send(http::Method::GET, &uri, &headers).await.map_err(|error| match error {
            FetchError::Request(_) => {
                CredentialsError::invalid("the container authorization token is not a valid header value")
            }
            error => CredentialsError::provider_error(format!("container credentials endpoint: {error}")),
        })?;
        Document::parse(&body, "the container credentials endpoint's answer")?.credentials("Token")
    }

    /// The token from `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (read each time: EKS rotates it),
    /// else `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
    fn authorization(&self) -> Result<Option<String>, CredentialsError> {
        let Some(path) = self.env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") else {
            return Ok(self.env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN"));
        };
        let path = expand_home(&self.env, &path);
        let unreadable = |error| {
            CredentialsError::provider_error(format!("could not read the container token file {}", path.display()))
                .with_source(error)
        };
        let mut token = String::new();
        std::fs::File::open(&path)
            .and_then(|file| file.take(MAX_TOKEN_FILE).read_to_string(&mut token))
            .map_err(unreadable)?;
        Ok(Some(token.trim().to_owned()))
    }
}

/// Loopback, the ECS agent (169.254.170.2) and the EKS Pod Identity agent (169.254.170.23,
/// fd00:ec2::23).
fn is_allowed_http_host(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let Ok(ip) = host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() else { return false };
    let agents: [IpAddr; 3] =
        [[169, 254, 170, 2].into(), [169, 254, 170, 23].into(), [0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x23].into()];
    ip.is_loopback() || agents.contains(&ip)
}

impl ProvideCredentials for ContainerProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.credentials())
    }
}
