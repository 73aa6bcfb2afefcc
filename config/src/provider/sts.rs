//! Calls to STS through the generated client (`awsgen-sts`): AssumeRole with source
//! credentials, AssumeRoleWithWebIdentity unsigned. Region, endpoint, FIPS and dual stack come
//! from the environment and the chosen profile, as for any client.

use super::{client, ProviderConfig};
use awsgen_runtime::credentials::CredentialsError;
use awsgen_runtime::Credentials;
use awsgen_sts::{Client, ProvideErrorMetadata};
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
    let region = crate::region(config)
        .map_err(|error| CredentialsError::invalid(error.to_string()))?
        .unwrap_or_else(|| DEFAULT_REGION.to_owned());
    let mut builder = client::builder(config, client::STS, &region)?;
    if let Some(credentials) = credentials {
        builder = builder.credentials(credentials);
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
