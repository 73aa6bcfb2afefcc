//! Where AWS users keep credentials and settings, as aws-config does beside aws-sdk-rust:
//! `~/.aws/config` and `~/.aws/credentials`, environment variables, `credential_process`, roles
//! (STS), SSO (IAM Identity Center) profiles, ECS/EKS container credentials, EC2 instance
//! metadata (IMDSv2), the default credentials chain, the region and endpoint and retry settings.
//!
//! `awsgen_config::load().await` gives a client config with all of it; providers implement
//! [`awsgen_runtime::credentials::ProvideCredentials`] for `ConfigBuilder::credentials_provider`.

#![forbid(unsafe_code)]

mod chain;
mod env;
mod error;
mod fetch;
mod loader;
pub mod profile;
pub mod provider;
mod region;
mod settings;

pub use chain::DefaultCredentialsChain;
pub use env::Env;
pub use error::LoadError;
pub use loader::{load, ConfigLoader};
pub use provider::ProviderConfig;
pub use region::region;
