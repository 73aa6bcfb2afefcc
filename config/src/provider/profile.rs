//! Credentials the chosen profile names: static keys or `credential_process`. Profiles that need
//! STS (`role_arn`, `web_identity_token_file`) or SSO (`sso_*`) are recognized and refused with
//! a clear error until awsgen can call those services.

use super::{CredentialProcess, ProviderConfig};
use crate::profile::Section;
use awsgen_runtime::credentials::{CredentialsError, ProvideCredentials};
use awsgen_runtime::http::BoxFuture;
use awsgen_runtime::Credentials;

#[derive(Debug, Clone)]
pub struct ProfileProvider {
    config: ProviderConfig,
}

impl ProfileProvider {
    pub fn new(config: &ProviderConfig) -> Self {
        ProfileProvider { config: config.clone() }
    }

    /// Reads the files on every call: the cache in front decides how often that is.
    pub async fn credentials(&self) -> Result<Credentials, CredentialsError> {
        let profiles = self.config.profiles().map_err(|error| CredentialsError::invalid(error.to_string()))?;
        let name = self.config.profile_name();
        let Some(profile) = profiles.profile(&name) else {
            return Err(match self.config.chosen_profile_name() {
                Some(_) => CredentialsError::invalid(format!("profile `{name}` is not in the profile files")),
                None => CredentialsError::not_loaded("no `default` profile in the profile files"),
            });
        };
        match source(profile)? {
            Source::StaticKeys(credentials) => Ok(credentials),
            Source::Process(command) => CredentialProcess::new(command).credentials().await,
        }
    }
}

enum Source<'a> {
    StaticKeys(Credentials),
    Process(&'a str),
}

/// What the profile says to do, or why it can't be done.
fn source(profile: &Section) -> Result<Source<'_>, CredentialsError> {
    let name = profile.name();
    let unsupported = |key: &str, needs: &str| {
        CredentialsError::provider_error(format!(
            "profile `{name}` sets `{key}`, which needs {needs}: not supported yet"
        ))
    };
    if profile.get("role_arn").is_some() {
        return Err(unsupported("role_arn", "STS AssumeRole"));
    }
    if profile.get("web_identity_token_file").is_some() {
        return Err(unsupported("web_identity_token_file", "STS AssumeRoleWithWebIdentity"));
    }
    if let Some(key) = ["sso_session", "sso_start_url", "sso_account_id", "sso_role_name"]
        .iter()
        .find(|key| profile.get(key).is_some())
    {
        if profile.get("sso_account_id").is_none() || profile.get("sso_role_name").is_none() {
            return Err(CredentialsError::invalid(format!(
                "profile `{name}` configures SSO without sso_account_id and sso_role_name: \
                 it resolves an access token, not credentials"
            )));
        }
        return Err(unsupported(key, "AWS IAM Identity Center (SSO)"));
    }
    if let Some(id) = profile.get("aws_access_key_id") {
        let secret = profile.get("aws_secret_access_key").ok_or_else(|| {
            CredentialsError::invalid(format!("profile `{name}` sets aws_access_key_id but not aws_secret_access_key"))
        })?;
        let token = profile.get("aws_session_token").map(str::to_owned);
        return Ok(Source::StaticKeys(Credentials::new(id, secret, token)));
    }
    if let Some(command) = profile.get("credential_process") {
        return Ok(Source::Process(command));
    }
    Err(CredentialsError::not_loaded(format!("profile `{name}` has no credentials")))
}

impl ProvideCredentials for ProfileProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.credentials())
    }
}
