//! Where AWS users keep credentials and settings, as aws-config does beside aws-sdk-rust:
//! `~/.aws/config` and `~/.aws/credentials`, environment variables, `credential_process`,
//! ECS/EKS container credentials, EC2 instance metadata (IMDSv2), the default credentials chain
//! and the region.
//!
//! Providers implement [`awsgen_runtime::credentials::ProvideCredentials`]; wrap one in
//! [`awsgen_runtime::credentials::CredentialsCache`] to share it between clients.

#![forbid(unsafe_code)]

mod chain;
mod env;
mod fetch;
pub mod profile;
pub mod provider;
mod region;

pub use chain::DefaultCredentialsChain;
pub use env::Env;
pub use provider::ProviderConfig;
pub use region::region;
