//! The client config the providers' own calls (STS, SSO, SSO OIDC) are made with: FIPS, dual
//! stack and endpoint URL from the environment and the chosen profile, as for any client, and
//! the provider config's transport and clock.

use super::ProviderConfig;
use crate::profile::{ProfileFileError, ProfileSet, Section};
use awsgen_runtime::credentials::CredentialsError;
use awsgen_runtime::{Config, ConfigBuilder};

/// How a service is named in settings: `AWS_ENDPOINT_URL_<env>` and `<profile> =` in a
/// `[services]` section.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ServiceKeys {
    pub env: &'static str,
    pub profile: &'static str,
}

pub(crate) const STS: ServiceKeys = ServiceKeys { env: "STS", profile: "sts" };
pub(crate) const SSO: ServiceKeys = ServiceKeys { env: "SSO", profile: "sso" };
pub(crate) const SSO_OIDC: ServiceKeys = ServiceKeys { env: "SSO_OIDC", profile: "sso_oidc" };

/// A builder for `service` in `region`, without credentials.
pub(crate) fn builder(
    config: &ProviderConfig,
    service: ServiceKeys,
    region: &str,
) -> Result<ConfigBuilder, CredentialsError> {
    let settings = Settings::read(config).map_err(|error| CredentialsError::invalid(error.to_string()))?;
    let mut builder = Config::builder()
        .region(region)
        .use_fips(settings.flag("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint"))
        .use_dual_stack(settings.flag("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint"))
        .http_client(config.http_client());
    if let Some(url) = settings.endpoint_url(service) {
        builder = builder.endpoint_url(url);
    }
    if let Some(time_source) = config.time_source() {
        builder = builder.time_source(time_source);
    }
    Ok(builder)
}

/// A setting's lookup: the environment variable first, then the chosen profile's property.
struct Settings {
    env: crate::Env,
    profile: Option<Section>,
    services: Option<Section>,
}

impl Settings {
    fn read(config: &ProviderConfig) -> Result<Self, ProfileFileError> {
        let profiles: ProfileSet = config.profiles()?;
        let profile = profiles.profile(&config.profile_name()).cloned();
        let services =
            profile.as_ref().and_then(|p| p.get("services")).and_then(|name| profiles.services(name.trim())).cloned();
        Ok(Settings { env: config.env().clone(), profile, services })
    }

    fn get(&self, variable: &str, property: &str) -> Option<String> {
        let from_profile = || self.profile.as_ref()?.get(property).map(|value| value.trim().to_owned());
        self.env.get(variable).map(|value| value.trim().to_owned()).or_else(from_profile)
    }

    fn flag(&self, variable: &str, property: &str) -> bool {
        self.get(variable, property).is_some_and(|value| value.eq_ignore_ascii_case("true"))
    }

    /// A configured URL: service-specific before global, environment before profile. Without
    /// one, the service's endpoint rule set decides (with FIPS and dual stack).
    fn endpoint_url(&self, service: ServiceKeys) -> Option<String> {
        if self.flag("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "ignore_configured_endpoint_urls") {
            return None;
        }
        let from_services = || self.services.as_ref()?.sub_property(service.profile, "endpoint_url").map(str::to_owned);
        self.env
            .get(&format!("AWS_ENDPOINT_URL_{}", service.env))
            .or_else(|| self.env.get("AWS_ENDPOINT_URL"))
            .or_else(from_services)
            .or_else(|| self.profile.as_ref()?.get("endpoint_url").map(str::to_owned))
            .map(|url| url.trim().to_owned())
    }
}
