//! One call to configure a client as the AWS CLI would be: region, credentials, endpoint and
//! retries from the environment and the profile files.

use crate::profile::Section;
use crate::{region, DefaultCredentialsChain, ProviderConfig};
use awsgen_runtime::{Config, ConfigBuilder};

/// A config from the environment and the chosen profile: see [`ConfigLoader`].
pub async fn load() -> Config {
    ConfigLoader::default().load().await
}

/// What [`load`] reads, with the choices a program may make first.
///
/// - region: [`ConfigLoader::region`], else `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`;
/// - credentials: the [`DefaultCredentialsChain`], asked when a call first needs them;
/// - endpoint: `AWS_ENDPOINT_URL`, else the profile's `endpoint_url` (neither when
///   `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` or the profile's `ignore_configured_endpoint_urls` is true);
/// - attempts: `AWS_MAX_ATTEMPTS`, else the profile's `max_attempts`.
///
/// A profile file that can't be read leaves its settings unset; the credentials chain reports
/// the file's problem when a call needs credentials.
#[derive(Debug, Clone, Default)]
pub struct ConfigLoader {
    provider_config: ProviderConfig,
    profile_name: Option<String>,
    region: Option<String>,
}

impl ConfigLoader {
    /// Use this profile instead of `AWS_PROFILE` or `default`.
    pub fn profile_name(mut self, name: impl Into<String>) -> Self {
        self.profile_name = Some(name.into());
        self
    }

    /// Use this region whatever the environment and profile say.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Read from this environment and ask metadata endpoints through this transport.
    pub fn provider_config(mut self, config: ProviderConfig) -> Self {
        self.provider_config = config;
        self
    }

    pub async fn load(self) -> Config {
        self.load_builder().await.build()
    }

    /// The loaded settings as a builder, to change some before building.
    pub async fn load_builder(self) -> ConfigBuilder {
        let provider_config = match self.profile_name {
            Some(name) => self.provider_config.with_profile_name(name),
            None => self.provider_config,
        };
        let settings = Settings::read(&provider_config);
        let mut builder = Config::builder().credentials_provider(DefaultCredentialsChain::new(&provider_config));
        if let Some(region) = self.region.or_else(|| region(&provider_config).ok().flatten()) {
            builder = builder.region(region);
        }
        if let Some(url) = settings.endpoint_url() {
            builder = builder.endpoint_url(url);
        }
        if let Some(max_attempts) = settings.max_attempts() {
            builder = builder.max_attempts(max_attempts);
        }
        builder
    }
}

/// A setting's lookup: the environment variable first, then the chosen profile's property.
struct Settings<'a> {
    config: &'a ProviderConfig,
    profile: Option<Section>,
}

impl<'a> Settings<'a> {
    fn read(config: &'a ProviderConfig) -> Self {
        let profiles = config.profiles().ok();
        let profile = profiles.and_then(|profiles| profiles.profile(&config.profile_name()).cloned());
        Settings { config, profile }
    }

    fn get(&self, variable: &str, property: &str) -> Option<String> {
        let from_profile = || self.profile.as_ref()?.get(property).map(|value| value.trim().to_owned());
        self.config.env().get(variable).map(|value| value.trim().to_owned()).or_else(from_profile)
    }

    fn endpoint_url(&self) -> Option<String> {
        let ignore = self.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "ignore_configured_endpoint_urls");
        if ignore.is_some_and(|value| value.eq_ignore_ascii_case("true")) {
            return None;
        }
        self.get("AWS_ENDPOINT_URL", "endpoint_url")
    }

    /// A value that isn't a whole number of at least 1 is ignored, leaving the default.
    fn max_attempts(&self) -> Option<u32> {
        self.get("AWS_MAX_ATTEMPTS", "max_attempts")?.parse().ok().filter(|attempts| *attempts >= 1)
    }
}
