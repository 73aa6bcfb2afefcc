//! The client config the providers' own calls (STS, SSO, SSO OIDC) are made with: FIPS, dual
//! stack and endpoint URL from the environment and the chosen profile, as for any client, and
//! the provider config's transport and clock.

use super::ProviderConfig;
use crate::settings::{ServiceKeys, Settings};
use awsgen_runtime::credentials::CredentialsError;
use awsgen_runtime::{Config, ConfigBuilder};

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
        .use_fips(settings.flag_or_false("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint"))
        .use_dual_stack(settings.flag_or_false("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint"))
        .http_client(config.http_client());
    if let Some(url) = settings.endpoint_url(service) {
        builder = builder.endpoint_url(url);
    }
    if let Some(time_source) = config.time_source() {
        builder = builder.time_source(time_source);
    }
    Ok(builder)
}
