//! Calls to STS through the generated client (`awsgen-sts`): AssumeRole with source
//! credentials, AssumeRoleWithWebIdentity unsigned. Region, endpoint, FIPS and dual stack come
//! from the environment and the chosen profile, as for any client.

use super::ProviderConfig;
use crate::profile::{ProfileSet, Section};
use awsgen_runtime::credentials::CredentialsError;
use awsgen_runtime::Credentials;
use awsgen_sts::{Client, Config, ProvideErrorMetadata};
use std::time::{SystemTime, UNIX_EPOCH};

/// Where STS is asked when nothing names a region: the global endpoint's region.
const DEFAULT_REGION: &str = "us-east-1";

/// A role to assume and how.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Role {
    pub arn: String,
    pub session_name: Option<String>,
    pub external_id: Option<String>,
    pub duration_seconds: Option<i32>,
}

impl Role {
    /// The session name, or one made from the time (STS needs one; the time tells sessions apart).
    fn session_name_or(&self, prefix: &str) -> String {
        let millis = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_millis();
        self.session_name.clone().unwrap_or_else(|| format!("{prefix}-{millis}"))
    }
}

/// `source` assumes `role`.
pub(crate) async fn assume_role(
    config: &ProviderConfig,
    source: Credentials,
    role: &Role,
) -> Result<Credentials, CredentialsError> {
    let client = client(config, Some(source))?;
    let output = client
        .assume_role()
        .role_arn(&role.arn)
        .role_session_name(role.session_name_or("assume-role-from-profile"))
        .set_external_id(role.external_id.clone())
        .set_duration_seconds(role.duration_seconds)
        .send()
        .await
        .map_err(|error| sts_error("AssumeRole", &role.arn, &error))?;
    returned("AssumeRole", output.credentials(), output.assumed_role_user().map(|user| user.arn()))
}

/// A web identity `token` assumes `role`: an unsigned operation, so the client has no credentials.
pub(crate) async fn assume_role_with_web_identity(
    config: &ProviderConfig,
    token: String,
    role: &Role,
) -> Result<Credentials, CredentialsError> {
    let client = client(config, None)?;
    let output = client
        .assume_role_with_web_identity()
        .role_arn(&role.arn)
        .role_session_name(role.session_name_or("web-identity-token"))
        .web_identity_token(token)
        .set_duration_seconds(role.duration_seconds)
        .send()
        .await
        .map_err(|error| sts_error("AssumeRoleWithWebIdentity", &role.arn, &error))?;
    returned("AssumeRoleWithWebIdentity", output.credentials(), output.assumed_role_user().map(|user| user.arn()))
}

fn client(config: &ProviderConfig, credentials: Option<Credentials>) -> Result<Client, CredentialsError> {
    let settings = StsSettings::read(config)?;
    let mut builder = Config::builder()
        .region(&settings.region)
        .use_fips(settings.flag("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint"))
        .use_dual_stack(settings.flag("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint"))
        .http_client(config.http_client());
    if let Some(url) = settings.endpoint_url() {
        builder = builder.endpoint_url(url);
    }
    if let Some(credentials) = credentials {
        builder = builder.credentials(credentials);
    }
    if let Some(time_source) = config.time_source() {
        builder = builder.time_source(time_source);
    }
    Ok(Client::new(builder.build()))
}

/// The credentials STS returned, with their expiration and the account of the assumed role
/// (`arn:aws:sts::123456789012:assumed-role/...`).
fn returned(
    operation: &str,
    credentials: Option<&awsgen_sts::types::Credentials>,
    assumed_role_arn: Option<&str>,
) -> Result<Credentials, CredentialsError> {
    let credentials = credentials
        .ok_or_else(|| CredentialsError::provider_error(format!("STS {operation} answered without credentials")))?;
    let expiry = SystemTime::from(credentials.expiration());
    let returned = Credentials::new(
        credentials.access_key_id(),
        credentials.secret_access_key(),
        Some(credentials.session_token().to_owned()),
    )
    .with_expiry(expiry);
    Ok(match assumed_role_arn.and_then(|arn| arn.split(':').nth(4)).filter(|id| !id.is_empty()) {
        Some(account_id) => returned.with_account_id(account_id),
        None => returned,
    })
}

/// STS's own code and message (never a secret: the request's token is not echoed).
fn sts_error<E>(operation: &str, role_arn: &str, error: &awsgen_runtime::SdkError<E>) -> CredentialsError
where
    E: std::error::Error + ProvideErrorMetadata,
{
    let detail = match error {
        awsgen_runtime::SdkError::Service(error) => {
            format!("{}: {}", error.code().unwrap_or("unknown error"), error.message().unwrap_or_default())
        }
        other => other.to_string(),
    };
    CredentialsError::provider_error(format!("STS {operation} for role `{role_arn}` failed: {detail}"))
}

/// What the STS client is configured from: the chosen profile and the environment.
struct StsSettings {
    region: String,
    profile: Option<Section>,
    env: crate::Env,
    services: Option<Section>,
}

impl StsSettings {
    fn read(config: &ProviderConfig) -> Result<Self, CredentialsError> {
        let invalid = |error: crate::profile::ProfileFileError| CredentialsError::invalid(error.to_string());
        let region = crate::region(config).map_err(invalid)?.unwrap_or_else(|| DEFAULT_REGION.to_owned());
        let profiles: ProfileSet = config.profiles().map_err(invalid)?;
        let profile = profiles.profile(&config.profile_name()).cloned();
        let services =
            profile.as_ref().and_then(|p| p.get("services")).and_then(|name| profiles.services(name)).cloned();
        Ok(StsSettings { region, profile, env: config.env().clone(), services })
    }

    fn get(&self, variable: &str, property: &str) -> Option<String> {
        let from_profile = || self.profile.as_ref()?.get(property).map(|value| value.trim().to_owned());
        self.env.get(variable).map(|value| value.trim().to_owned()).or_else(from_profile)
    }

    fn flag(&self, variable: &str, property: &str) -> bool {
        self.get(variable, property).is_some_and(|value| value.eq_ignore_ascii_case("true"))
    }

    /// A configured URL: service-specific before global, environment before profile. Without
    /// one, STS's endpoint rule set decides (with FIPS and dual stack).
    fn endpoint_url(&self) -> Option<String> {
        if self.flag("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "ignore_configured_endpoint_urls") {
            return None;
        }
        let from_services = || self.services.as_ref()?.sub_property("sts", "endpoint_url").map(str::to_owned);
        self.env
            .get("AWS_ENDPOINT_URL_STS")
            .or_else(|| self.env.get("AWS_ENDPOINT_URL"))
            .or_else(from_services)
            .or_else(|| self.profile.as_ref()?.get("endpoint_url").map(str::to_owned))
            .map(|url| url.trim().to_owned())
    }
}
