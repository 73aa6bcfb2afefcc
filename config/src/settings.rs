//! Settings that both a variable and a profile property can give (`AWS_USE_FIPS_ENDPOINT` /
//! `use_fips_endpoint`): the environment wins. Endpoint URLs also come per service, from
//! `AWS_ENDPOINT_URL_<SERVICE>` and the profile's `[services]` section.

use crate::error::LoadError;
use crate::profile::{ProfileFileError, Section};
use crate::{Env, ProviderConfig};

/// How a service is named in settings: `AWS_ENDPOINT_URL_<env>` (its service id upper-snake)
/// and `<profile> =` in a `[services]` section (lower-snake).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ServiceKeys {
    pub env: &'static str,
    pub profile: &'static str,
}

/// A value and where it was found, for messages.
pub(crate) struct Setting {
    pub value: String,
    pub source: String,
}

impl Setting {
    pub fn invalid(&self, problem: impl Into<String>) -> LoadError {
        LoadError::Setting { source: self.source.clone(), problem: problem.into() }
    }
}

pub(crate) struct Settings {
    env: Env,
    profile: Option<Section>,
    services: Option<Section>,
}

impl Settings {
    /// The environment and the chosen profile (none if it doesn't exist).
    pub fn read(config: &ProviderConfig) -> Result<Self, ProfileFileError> {
        let profiles = config.profiles()?;
        let profile = profiles.profile(&config.profile_name()).cloned();
        let services = profile.as_ref().and_then(|p| p.get("services")).and_then(|name| profiles.services(name.trim()));
        Ok(Settings { env: config.env().clone(), profile, services: services.cloned() })
    }

    /// The environment alone: for when the profile files can't be read.
    pub fn env_only(config: &ProviderConfig) -> Self {
        Settings { env: config.env().clone(), profile: None, services: None }
    }

    pub fn get(&self, variable: &str, property: &str) -> Option<Setting> {
        if let Some(value) = self.env.get(variable) {
            return Some(Setting { value: value.trim().to_owned(), source: variable.to_owned() });
        }
        let profile = self.profile.as_ref()?;
        let value = profile.get(property)?.trim().to_owned();
        Some(Setting { value, source: format!("{property} of profile `{}`", profile.name()) })
    }

    /// A property nested in one of the profile's (`s3 =` then an indented `addressing_style = path`).
    pub fn nested(&self, property: &str, name: &str) -> Option<Setting> {
        let profile = self.profile.as_ref()?;
        let value = profile.sub_property(property, name)?.trim().to_owned();
        Some(Setting { value, source: format!("{property}.{name} of profile `{}`", profile.name()) })
    }

    /// `true` or `false` in any case; unset is false.
    pub fn flag(&self, variable: &str, property: &str) -> Result<bool, LoadError> {
        let Some(setting) = self.get(variable, property) else { return Ok(false) };
        match setting.value.to_ascii_lowercase().as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(setting.invalid(format!("`{}` is neither true nor false", setting.value))),
        }
    }

    /// A flag for a provider's own client: a value that is not `true` counts as false.
    pub fn flag_or_false(&self, variable: &str, property: &str) -> bool {
        self.flag(variable, property).unwrap_or(false)
    }

    fn ignores_configured_endpoints(&self) -> bool {
        self.flag_or_false("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "ignore_configured_endpoint_urls")
    }

    /// One service's URL: service-specific before global, environment before profile. Without
    /// one, the service's endpoint rule set decides (with FIPS and dual stack).
    pub fn endpoint_url(&self, service: ServiceKeys) -> Option<String> {
        if self.ignores_configured_endpoints() {
            return None;
        }
        let from_services = || self.services.as_ref()?.sub_property(service.profile, "endpoint_url");
        self.env
            .get(&format!("AWS_ENDPOINT_URL_{}", service.env))
            .or_else(|| self.env.get("AWS_ENDPOINT_URL"))
            .or_else(|| from_services().map(str::to_owned))
            .or_else(|| self.profile.as_ref()?.get("endpoint_url").map(str::to_owned))
            .map(|url| url.trim().to_owned())
    }

    /// For a config every service uses: the global URL, and each service's own (upper-snake
    /// service id, URL) that wins over it. A service's URL in the profile loses to
    /// `AWS_ENDPOINT_URL`, so it is left out when that is set.
    pub fn endpoint_urls(&self) -> (Option<String>, Vec<(String, String)>) {
        if self.ignores_configured_endpoints() {
            return (None, Vec::new());
        }
        let global_env = self.env.get("AWS_ENDPOINT_URL");
        let mut services = self.env.with_prefix("AWS_ENDPOINT_URL_");
        if global_env.is_none() {
            for (service, url) in self.services.as_ref().map(service_urls).unwrap_or_default() {
                if !services.iter().any(|(name, _)| *name == service) {
                    services.push((service, url));
                }
            }
        }
        let global = global_env.or_else(|| self.profile.as_ref()?.get("endpoint_url").map(str::to_owned));
        let trimmed = services.into_iter().map(|(service, url)| (service, url.trim().to_owned())).collect();
        (global.map(|url| url.trim().to_owned()), trimmed)
    }
}

/// `dynamodb =` / `  endpoint_url = ...` in a `[services]` section: (`DYNAMODB`, URL).
fn service_urls(section: &Section) -> Vec<(String, String)> {
    let urls = section.properties().keys().filter_map(|key| Some((key, section.sub_property(key, "endpoint_url")?)));
    urls.map(|(key, url)| (key.to_ascii_uppercase(), url.to_owned())).collect()
}
