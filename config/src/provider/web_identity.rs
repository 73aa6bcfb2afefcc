//! `AWS_WEB_IDENTITY_TOKEN_FILE` with `AWS_ROLE_ARN` (EKS IRSA): the token file's content is
//! exchanged for credentials by STS AssumeRoleWithWebIdentity.

use super::sts::{self, Role};
use super::ProviderConfig;
use awsgen_runtime::credentials::{CredentialsError, ProvideCredentials};
use awsgen_runtime::http::BoxFuture;
use awsgen_runtime::Credentials;
use std::io::Read;

/// OIDC tokens are a few KiB; a larger file is not a token.
const MAX_TOKEN_SIZE: u64 = 64 * 1024;

#[derive(Debug, Clone)]
pub struct WebIdentityProvider {
    config: ProviderConfig,
}

impl WebIdentityProvider {
    pub fn new(config: &ProviderConfig) -> Self {
        WebIdentityProvider { config: config.clone() }
    }

    pub async fn credentials(&self) -> Result<Credentials, CredentialsError> {
        let env = self.config.env();
        let Some(token_file) = env.get("AWS_WEB_IDENTITY_TOKEN_FILE") else {
            return Err(CredentialsError::not_loaded("AWS_WEB_IDENTITY_TOKEN_FILE is not set"));
        };
        let Some(arn) = env.get("AWS_ROLE_ARN") else {
            return Err(CredentialsError::invalid("AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not"));
        };
        let role = Role { arn, session_name: env.get("AWS_ROLE_SESSION_NAME"), ..Role::default() };
        assume_role_with_token_file(&self.config, &token_file, &role).await
    }
}

/// Reads the token now (the file is rotated under us) and exchanges it.
pub(crate) async fn assume_role_with_token_file(
    config: &ProviderConfig,
    token_file: &str,
    role: &Role,
) -> Result<Credentials, CredentialsError> {
    let token = read_token(token_file)?;
    sts::assume_role_with_web_identity(config, token, role).await
}

fn read_token(path: &str) -> Result<String, CredentialsError> {
    let unreadable =
        |reason: String| CredentialsError::provider_error(format!("web identity token file {path}: {reason}"));
    let file = std::fs::File::open(path).map_err(|error| unreadable(error.to_string()))?;
    let mut token = String::new();
    file.take(MAX_TOKEN_SIZE + 1).read_to_string(&mut token).map_err(|error| unreadable(error.to_string()))?;
    if token.len() as u64 > MAX_TOKEN_SIZE {
        return Err(unreadable(format!("larger than {MAX_TOKEN_SIZE} bytes")));
    }
    Ok(token.trim().to_owned())
}

impl ProvideCredentials for WebIdentityProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.credentials())
    }
}
