//! Database authentication tokens: a presigned URL, without its scheme, used as the password of
//! an IAM-authenticated connection to RDS (MySQL, PostgreSQL) or Aurora DSQL. Made from a
//! [`Config`]'s credentials and clock alone, so a program that only connects to its database
//! needs no RDS or DSQL client (byte for byte botocore's `generate_db_auth_token` and
//! `generate_db_connect[_admin]_auth_token`).

use crate::build::BuildError;
use crate::config::Config;
use crate::credentials::CredentialsError;
use crate::percent::percent_encode;
use crate::sigv4::{self, SignableRequest, SigningParams};
use crate::PresigningConfig;
use std::fmt;
use std::time::Duration;

/// What a token lets its holder do, where, for how long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbAuthToken {
    hostname: String,
    port: Option<u16>,
    /// `Action=...&...`, encoded.
    query: String,
    signing_name: &'static str,
    region: Option<String>,
    expires_in: Duration,
}

impl DbAuthToken {
    /// Connecting to an RDS or Aurora database as `username` (one created for IAM
    /// authentication): valid for 15 minutes, as RDS allows.
    pub fn rds(hostname: &str, port: u16, username: &str) -> Self {
        let query = format!("Action=connect&DBUser={}", percent_encode(username, false));
        DbAuthToken { port: Some(port), ..DbAuthToken::new(hostname, query, "rds-db") }
    }

    /// Connecting to an Aurora DSQL cluster (`<id>.dsql.<region>.on.aws`) as a custom role.
    pub fn dsql(hostname: &str) -> Self {
        DbAuthToken::new(hostname, "Action=DbConnect".to_owned(), "dsql")
    }

    /// Connecting to an Aurora DSQL cluster as its `admin` role.
    pub fn dsql_admin(hostname: &str) -> Self {
        DbAuthToken::new(hostname, "Action=DbConnectAdmin".to_owned(), "dsql")
    }

    fn new(hostname: &str, query: String, signing_name: &'static str) -> Self {
        let hostname = hostname.to_owned();
        DbAuthToken { hostname, port: None, query, signing_name, region: None, expires_in: Duration::from_secs(900) }
    }

    /// The database's region, when it is not the config's.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// How long the token is valid (15 minutes unless set; DSQL takes up to a week, RDS no more
    /// than 15 minutes); refused outside 1 second to 7 days.
    pub fn expires_in(mut self, expires_in: Duration) -> Result<Self, BuildError> {
        PresigningConfig::expires_in(expires_in)?;
        self.expires_in = expires_in;
        Ok(self)
    }

    /// The token, signed now with the config's credentials.
    pub async fn sign(&self, config: &Config) -> Result<String, AuthTokenError> {
        let region = self.region.as_deref().or(config.region.as_deref()).ok_or_else(|| BuildError::Config {
            detail: "no region set (AWS_REGION, Config::builder().region(..), or the token's region(..))".to_owned(),
        })?;
        crate::endpoint::check_region(region)?;
        if !is_host(&self.hostname) {
            return Err(
                BuildError::InvalidValue { field: "hostname", rule: "must be a host name or an IP address" }.into()
            );
        }
        let cache = config.credentials.as_ref().ok_or_else(|| BuildError::Config {
            detail: "no credentials set (Config::builder().credentials(..), or awsgen_config::load())".to_owned(),
        })?;
        let credentials = cache.credentials().await?;
        credentials.check()?;
        let authority = match self.port {
            Some(port) => format!("{}:{port}", self.hostname),
            None => self.hostname.clone(),
        };
        let url = format!("https://{authority}/?{}", self.query);
        let settings = sigv4::Settings { expires_in: self.expires_in, ..Default::default() };
        let params = SigningParams::new(&credentials, (region, self.signing_name), config.time_source.now(), settings);
        let request = SignableRequest { method: "GET", uri: &url, headers: &[], body: &[] };
        let url = sigv4::presigned_url(&request, &params).map_err(|e| BuildError::Signing { detail: e.to_string() })?;
        Ok(url.strip_prefix("https://").unwrap_or(&url).to_owned())
    }
}

/// A DNS name or IPv4 address (letters, digits, `.`, `-`, `_`), or an IPv6 one in brackets:
/// nothing that could add a path, a query or a user to the URL the token is.
fn is_host(hostname: &str) -> bool {
    let name = |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b));
    let ipv6 = |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_hexdigit() || b":.".contains(&b));
    match hostname.strip_prefix('[').and_then(|rest| rest.strip_suffix(']')) {
        Some(address) => ipv6(address),
        None => name(hostname),
    }
}

/// Why no token could be made.
#[derive(Debug)]
#[non_exhaustive]
pub enum AuthTokenError {
    /// A setting or the hostname can't be used, or the credentials are malformed.
    Build(BuildError),
    /// The credentials provider gave no credentials. Says why, never a secret.
    Credentials(CredentialsError),
}

impl fmt::Display for AuthTokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthTokenError::Build(error) => write!(f, "no database token: {error}"),
            AuthTokenError::Credentials(error) => write!(f, "no database token: {error}"),
        }
    }
}

impl std::error::Error for AuthTokenError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AuthTokenError::Build(error) => Some(error),
            AuthTokenError::Credentials(error) => Some(error),
        }
    }
}

impl From<BuildError> for AuthTokenError {
    fn from(error: BuildError) -> Self {
        AuthTokenError::Build(error)
    }
}

impl From<CredentialsError> for AuthTokenError {
    fn from(error: CredentialsError) -> Self {
        AuthTokenError::Credentials(error)
    }
}
