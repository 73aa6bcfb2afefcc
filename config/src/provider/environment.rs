//! `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`.

use super::ProviderConfig;
use crate::Env;
use awsgen_runtime::credentials::{CredentialsError, ProvideCredentials};
use awsgen_runtime::http::BoxFuture;
use awsgen_runtime::Credentials;

/// Credentials from environment variables. Blank values count as unset.
#[derive(Debug, Clone)]
pub struct EnvironmentProvider {
    env: Env,
}

impl EnvironmentProvider {
    pub fn new(config: &ProviderConfig) -> Self {
        EnvironmentProvider { env: config.env().clone() }
    }

    pub fn credentials(&self) -> Result<Credentials, CredentialsError> {
        let id = self.env.get("AWS_ACCESS_KEY_ID");
        let secret = self.env.get("AWS_SECRET_ACCESS_KEY");
        match (id, secret) {
            (Some(id), Some(secret)) => {
                let credentials = Credentials::new(id, secret, self.env.get("AWS_SESSION_TOKEN"));
                Ok(match self.env.get("AWS_ACCOUNT_ID") {
                    Some(account_id) => credentials.with_account_id(account_id),
                    None => credentials,
                })
            }
            (None, None) => {
                Err(CredentialsError::not_loaded("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set"))
            }
            (Some(_), None) => {
                Err(CredentialsError::invalid("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"))
            }
            (None, Some(_)) => {
                Err(CredentialsError::invalid("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not"))
            }
        }
    }
}

impl ProvideCredentials for EnvironmentProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(std::future::ready(self.credentials()))
    }
}
