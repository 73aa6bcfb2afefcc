//! Credentials providers, each one source: environment, profile (with SSO), web identity,
//! container, IMDS.

mod client;
mod container;
mod document;
mod environment;
mod imds;
mod process;
mod profile;
mod sso;
mod sso_token;
mod sts;
mod web_identity;

pub use container::ContainerProvider;
pub use environment::EnvironmentProvider;
pub use imds::{ImdsEndpointMode, ImdsProvider};
pub use process::CredentialProcess;
pub use profile::ProfileProvider;
pub use sso::SsoTokenProvider;
pub use web_identity::WebIdentityProvider;

use crate::profile::{ProfileFileError, ProfileSet};
use crate::Env;
use awsgen_runtime::http::{CaBundle, HttpClient};
use awsgen_runtime::TimeSource;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// The runtime's transport, with the 1 second connect timeout instance metadata needs.
fn default_http_client(ca_bundle: Option<&CaBundle>) -> Arc<dyn HttpClient> {
    awsgen_runtime::credentials::default_http_client(Duration::from_secs(1), ca_bundle)
}

/// What every provider reads from: the environment (and through it the profile files), the
/// transport for metadata endpoints and STS, the clock STS calls sign with, and the chosen
/// profile. Cheap to clone.
#[derive(Debug, Clone)]
pub struct ProviderConfig {
    env: Env,
    http_client: Arc<dyn HttpClient>,
    /// Given by the caller: a CA bundle setting leaves it alone.
    own_http_client: bool,
    time_source: Option<Arc<dyn TimeSource>>,
    profile_name: Option<String>,
}

impl Default for ProviderConfig {
    fn default() -> Self {
        Self::new()
    }
}

impl ProviderConfig {
    /// The process environment and the runtime's transport.
    pub fn new() -> Self {
        ProviderConfig {
            env: Env::process(),
            http_client: default_http_client(None),
            own_http_client: false,
            time_source: None,
            profile_name: None,
        }
    }

    /// The runtime's transport trusting `bundle` instead of the bundled roots, unless a transport
    /// of your own was given.
    pub fn with_ca_bundle(mut self, bundle: &CaBundle) -> Self {
        if !self.own_http_client {
            self.http_client = default_http_client(Some(bundle));
        }
        self
    }

    pub fn with_env(mut self, env: Env) -> Self {
        self.env = env;
        self
    }

    /// The transport metadata endpoints are asked through (tests point it at a local server).
    pub fn with_http_client(mut self, http_client: Arc<dyn HttpClient>) -> Self {
        self.http_client = http_client;
        self.own_http_client = true;
        self
    }

    /// The clock STS calls sign with and judge expiry by (tests replaying old traffic pin it).
    pub fn with_time_source(mut self, time_source: Arc<dyn TimeSource>) -> Self {
        self.time_source = Some(time_source);
        self
    }

    /// Use this profile instead of `AWS_PROFILE` or `default`.
    pub fn with_profile_name(mut self, name: impl Into<String>) -> Self {
        self.profile_name = Some(name.into());
        self
    }

    pub fn env(&self) -> &Env {
        &self.env
    }

    pub fn http_client(&self) -> Arc<dyn HttpClient> {
        self.http_client.clone()
    }

    /// `None`: the system clock.
    pub(crate) fn time_source(&self) -> Option<Arc<dyn TimeSource>> {
        self.time_source.clone()
    }

    /// The time by that clock.
    pub(crate) fn now(&self) -> SystemTime {
        self.time_source.as_ref().map_or_else(SystemTime::now, |clock| clock.now())
    }

    /// The chosen profile: set in code, else `AWS_PROFILE`, else `default`.
    pub fn profile_name(&self) -> String {
        self.chosen_profile_name().unwrap_or_else(|| "default".to_owned())
    }

    /// The profile name if someone chose one (a missing chosen profile is an error, a missing
    /// `default` is not).
    pub(crate) fn chosen_profile_name(&self) -> Option<String> {
        self.profile_name.clone().or_else(|| self.env.get("AWS_PROFILE"))
    }

    /// The profile files, read now.
    pub fn profiles(&self) -> Result<ProfileSet, ProfileFileError> {
        ProfileSet::load(&self.env)
    }
}
