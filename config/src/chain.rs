//! The default credentials chain, in aws-sdk-rust's order: environment, profile, web identity,
//! container, instance metadata. The first provider that applies answers; when none does, the
//! error says why each one didn't.

use crate::provider::{
    ContainerProvider, EnvironmentProvider, ImdsProvider, ProfileProvider, ProviderConfig, WebIdentityProvider,
};
use awsgen_runtime::credentials::{CredentialsError, CredentialsErrorKind, ProvideCredentials};
use awsgen_runtime::http::BoxFuture;
use awsgen_runtime::Credentials;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct DefaultCredentialsChain {
    providers: Vec<(&'static str, Arc<dyn ProvideCredentials>)>,
}

impl DefaultCredentialsChain {
    pub fn new(config: &ProviderConfig) -> Self {
        let providers: Vec<(&'static str, Arc<dyn ProvideCredentials>)> = vec![
            ("environment", Arc::new(EnvironmentProvider::new(config))),
            ("profile", Arc::new(ProfileProvider::new(config))),
            ("web identity", Arc::new(WebIdentityProvider::new(config))),
            ("container", Arc::new(ContainerProvider::new(config))),
            ("instance metadata", Arc::new(ImdsProvider::new(config))),
        ];
        DefaultCredentialsChain { providers }
    }

    /// The first credentials found. A provider that applies but fails stops the chain: falling
    /// through to another identity would be a surprise.
    pub async fn credentials(&self) -> Result<Credentials, CredentialsError> {
        let mut reasons = Vec::new();
        for (name, provider) in &self.providers {
            match provider.provide_credentials().await {
                Ok(credentials) => return Ok(credentials),
                Err(error) if error.kind() == CredentialsErrorKind::NotLoaded => {
                    reasons.push(format!("{name}: {}", error.message()));
                }
                Err(error) => return Err(error),
            }
        }
        Err(CredentialsError::not_loaded(format!("no provider in the chain had credentials ({})", reasons.join("; "))))
    }
}

impl ProvideCredentials for DefaultCredentialsChain {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.credentials())
    }
}
