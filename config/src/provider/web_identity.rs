//! `AWS_WEB_IDENTITY_TOKEN_FILE` with `AWS_ROLE_ARN` (EKS IRSA): recognized, but exchanging the
//! token needs STS `AssumeRoleWithWebIdentity`, which awsgen can't call yet.

use super::ProviderConfig;
use crate::Env;
use awsgen_runtime::credentials::{CredentialsError, ProvideCredentials};
use awsgen_runtime::http::BoxFuture;
use awsgen_runtime::Credentials;

#[derive(Debug, Clone)]
pub struct WebIdentityProvider {
    env: Env,
}

impl WebIdentityProvider {
    pub fn new(config: &ProviderConfig) -> Self {
        WebIdentityProvider { env: config.env().clone() }
    }

    pub fn credentials(&self) -> Result<Credentials, CredentialsError> {
        if self.env.get("AWS_WEB_IDENTITY_TOKEN_FILE").is_none() {
            return Err(CredentialsError::not_loaded("AWS_WEB_IDENTITY_TOKEN_FILE is not set"));
        }
        if self.env.get("AWS_ROLE_ARN").is_none() {
            return Err(CredentialsError::invalid("AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not"));
        }
        Err(CredentialsError::provider_error(
            "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN need STS AssumeRoleWithWebIdentity, not supported yet",
        ))
    }
}

impl ProvideCredentials for WebIdentityProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(std::future::ready(self.credentials()))
    }
}
