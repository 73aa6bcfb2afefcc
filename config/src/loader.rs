//! One call to configure a client as the AWS CLI would be: region, credentials, endpoint and
//! retries from the environment and the profile files.

use crate::error::LoadError;
use crate::profile::files::{expand_home, read_limited};
use crate::provider::{ImdsProvider, SsoTokenProvider};
use crate::settings::{Setting, Settings};
use crate::{region, DefaultCredentialsChain, Env, ProviderConfig};
use awsgen_runtime::http::CaBundle;
use awsgen_runtime::{
    AccountIdEndpointMode, BearerSettings, ChecksumSettings, Config, ConfigBuilder, RequestChecksumCalculation,
    RequestCompression, ResponseChecksumValidation, RetryConfig, RetryMode, S3Addressing, S3AddressingStyle,
    S3Settings,
};

/// A config from the environment and the chosen profile: see [`ConfigLoader`].
pub async fn load() -> Config {
    ConfigLoader::default().load().await
}

/// What [`load`] reads, with the choices a program may make first. The environment variable
/// wins over the chosen profile's property:
///
/// - region: [`ConfigLoader::region`], else `AWS_REGION`, `AWS_DEFAULT_REGION`, `region`, else
///   the instance's region from EC2 instance metadata (one attempt, 1 s timeout; not with
///   `AWS_EC2_METADATA_DISABLED=true`);
/// - credentials: the [`DefaultCredentialsChain`], asked when a call first needs them;
/// - bearer token (CodeCatalyst): the [`SsoTokenProvider`] of the chosen profile;
/// - endpoint: `AWS_ENDPOINT_URL_<SERVICE_ID>` (`AWS_ENDPOINT_URL_SSO_OIDC`), `AWS_ENDPOINT_URL`,
///   the service's `endpoint_url` in the profile's `services = name` section (`[services name]`,
///   `sso_oidc =` then an indented `endpoint_url = ...`), the profile's `endpoint_url`, in that
///   order; none when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` / `ignore_configured_endpoint_urls`
///   is true;
/// - FIPS and dual-stack endpoints: `AWS_USE_FIPS_ENDPOINT` / `use_fips_endpoint`,
///   `AWS_USE_DUALSTACK_ENDPOINT` / `use_dualstack_endpoint` (`true` or `false`);
/// - trusted certificate authorities: `AWS_CA_BUNDLE` / `ca_bundle`, a PEM file that replaces
///   the bundled Mozilla roots for the client and for the credential providers' own calls;
/// - retries: `AWS_MAX_ATTEMPTS` / `max_attempts` (at least 1), `AWS_RETRY_MODE` / `retry_mode`:
///   `standard`, `adaptive` (client-side rate limiting as well, see [`RetryMode`]), or `legacy`,
///   which runs as standard;
/// - checksums: `AWS_REQUEST_CHECKSUM_CALCULATION` / `request_checksum_calculation` and
///   `AWS_RESPONSE_CHECKSUM_VALIDATION` / `response_checksum_validation`: `when_supported` (the
///   default) or `when_required`;
/// - the application's name in the user agent: `AWS_SDK_UA_APP_ID` / `sdk_ua_app_id`;
/// - the account's own endpoints (DynamoDB): `AWS_ACCOUNT_ID_ENDPOINT_MODE` / `account_id_endpoint_mode`;
/// - request compression: `AWS_DISABLE_REQUEST_COMPRESSION` / `disable_request_compression`,
///   `AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES` / `request_min_compression_size_bytes`;
/// - S3: the profile's nested `s3 =` settings `addressing_style = path` and
///   `use_accelerate_endpoint = true` (see [`S3Addressing`]).
///
/// [`load`](Self::load) leaves a setting it can't use at its default, and a profile file it
/// can't read unused (the credentials chain reports the file's problem when a call needs
/// credentials); [`try_load`](Self::try_load) reports either instead.
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
        self.read().await.0
    }

    /// As [`load`](Self::load), but the first problem found with a profile file or a setting is
    /// an error.
    pub async fn try_load(self) -> Result<Config, LoadError> {
        self.try_load_builder().await.map(ConfigBuilder::build)
    }

    pub async fn try_load_builder(self) -> Result<ConfigBuilder, LoadError> {
        let (builder, problems) = self.read().await;
        problems.into_iter().next().map_or(Ok(builder), Err)
    }

    /// The builder from every usable setting, and what was wrong with the others.
    async fn read(self) -> (ConfigBuilder, Vec<LoadError>) {
        let provider_config = match self.profile_name {
            Some(name) => self.provider_config.with_profile_name(name),
            None => self.provider_config,
        };
        let mut problems = Vec::new();
        let settings = Settings::read(&provider_config).unwrap_or_else(|error| {
            problems.push(LoadError::ProfileFile(error));
            Settings::env_only(&provider_config)
        });
        if problems.is_empty() {
            problems.extend(missing_profile(&provider_config));
        }
        let mut builder = Config::builder();
        // Before the chain is made: its STS and SSO calls trust the same authorities.
        let provider_config = match ca_bundle(&settings, provider_config.env()) {
            Ok(Some(bundle)) => {
                builder = builder.ca_bundle(bundle.clone());
                provider_config.with_ca_bundle(&bundle)
            }
            Ok(None) => provider_config,
            Err(error) => {
                problems.push(error);
                provider_config
            }
        };
        builder = builder
            .credentials_provider(DefaultCredentialsChain::new(&provider_config))
            .token_provider(SsoTokenProvider::new(&provider_config));
        let mut region = self.region.or_else(|| region(&provider_config).ok().flatten());
        if region.is_none() {
            region = ImdsProvider::new(&provider_config).region().await;
        }
        if let Some(region) = region {
            builder = builder.region(region);
        }
        builder = endpoints(builder, &settings, &mut problems);
        builder = retries(builder, &settings, &mut problems);
        builder = checksums(builder, &settings, &mut problems);
        builder = s3(builder, &settings, &mut problems);
        if let Some(setting) = settings.get("AWS_SDK_UA_APP_ID", "sdk_ua_app_id") {
            builder = builder.app_id(setting.value.clone());
        }
        if let Some(setting) = settings.get("AWS_ACCOUNT_ID_ENDPOINT_MODE", "account_id_endpoint_mode") {
            match parsed(&setting, AccountIdEndpointMode::parse) {
                Ok(mode) => builder = builder.account_id_endpoint_mode(mode),
                Err(error) => problems.push(error),
            }
        }
        builder = compression(builder, &settings, &mut problems);
        (builder, problems)
    }
}

/// A chosen profile no file has (a missing `default` is fine).
fn missing_profile(config: &ProviderConfig) -> Option<LoadError> {
    let name = config.chosen_profile_name()?;
    let profiles = config.profiles().ok()?;
    profiles.profile(&name).is_none().then_some(LoadError::MissingProfile(name))
}

fn endpoints(mut builder: ConfigBuilder, settings: &Settings, problems: &mut Vec<LoadError>) -> ConfigBuilder {
    let mut flag = |variable: &str, property: &str| {
        settings.flag(variable, property).unwrap_or_else(|error| {
            problems.push(error);
            false
        })
    };
    builder = builder
        .use_fips(flag("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint"))
        .use_dual_stack(flag("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint"));
    let (global, services) = settings.endpoint_urls();
    if let Some(url) = global {
        builder = builder.endpoint_url(url);
    }
    for (service, url) in services {
        builder = builder.service_endpoint_url(&service, url);
    }
    builder
}

/// `disable_request_compression` (`true` or `false`) and `request_min_compression_size_bytes`.
fn compression(builder: ConfigBuilder, settings: &Settings, problems: &mut Vec<LoadError>) -> ConfigBuilder {
    let mut compression = RequestCompression::default();
    if let Some(setting) = settings.get("AWS_DISABLE_REQUEST_COMPRESSION", "disable_request_compression") {
        match setting.value.to_ascii_lowercase().as_str() {
            "true" => compression.disabled = true,
            "false" => {}
            _ => problems.push(setting.invalid(format!("`{}` is neither true nor false", setting.value))),
        }
    }
    let size = settings.get("AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES", "request_min_compression_size_bytes");
    if let Some(setting) = size {
        match parsed(&setting, RequestCompression::parse_min_size) {
            Ok(bytes) => compression.min_size_bytes = bytes,
            Err(error) => problems.push(error),
        }
    }
    builder.request_compression(compression)
}

fn retries(mut builder: ConfigBuilder, settings: &Settings, problems: &mut Vec<LoadError>) -> ConfigBuilder {
    if let Some(setting) = settings.get("AWS_RETRY_MODE", "retry_mode") {
        match parsed(&setting, RetryMode::parse) {
            Ok(mode) => builder = builder.retry_mode(mode),
            Err(error) => problems.push(error),
        }
    }
    if let Some(setting) = settings.get("AWS_MAX_ATTEMPTS", "max_attempts") {
        match parsed(&setting, RetryConfig::parse_max_attempts) {
            Ok(attempts) => builder = builder.max_attempts(attempts),
            Err(error) => problems.push(error),
        }
    }
    builder
}

/// botocore's `s3` settings: `addressing_style` (`auto`, the default, `virtual` or `path`) and
/// `use_accelerate_endpoint`.
fn s3(builder: ConfigBuilder, settings: &Settings, problems: &mut Vec<LoadError>) -> ConfigBuilder {
    let mut addressing = S3Addressing::default();
    if let Some(setting) = settings.nested("s3", "addressing_style") {
        match setting.value.to_ascii_lowercase().as_str() {
            "auto" => {}
            "virtual" => addressing.style = S3AddressingStyle::Virtual,
            "path" => addressing.style = S3AddressingStyle::Path,
            _ => problems.push(setting.invalid(format!("`{}` is not one of auto, virtual, path", setting.value))),
        }
    }
    if let Some(setting) = settings.nested("s3", "use_accelerate_endpoint") {
        match setting.value.to_ascii_lowercase().as_str() {
            "true" => addressing.accelerate = true,
            "false" => {}
            _ => problems.push(setting.invalid(format!("`{}` is neither true nor false", setting.value))),
        }
    }
    builder.s3(addressing)
}

fn checksums(mut builder: ConfigBuilder, settings: &Settings, problems: &mut Vec<LoadError>) -> ConfigBuilder {
    use {RequestChecksumCalculation as Request, ResponseChecksumValidation as Response};
    if let Some(setting) = settings.get("AWS_REQUEST_CHECKSUM_CALCULATION", "request_checksum_calculation") {
        match parsed(&setting, Request::parse) {
            Ok(when) => builder = builder.request_checksum_calculation(when),
            Err(error) => problems.push(error),
        }
    }
    if let Some(setting) = settings.get("AWS_RESPONSE_CHECKSUM_VALIDATION", "response_checksum_validation") {
        match parsed(&setting, Response::parse) {
            Ok(when) => builder = builder.response_checksum_validation(when),
            Err(error) => problems.push(error),
        }
    }
    builder
}

/// A setting's value through the runtime's parser for it, which `Config::from_env` uses too,
/// so a value means the same to both; a refused one names the setting and what was expected.
fn parsed<T>(setting: &Setting, parse: impl Fn(&str) -> Result<T, &'static str>) -> Result<T, LoadError> {
    parse(&setting.value).map_err(|expected| setting.invalid(format!("`{}` is not {expected}", setting.value)))
}

/// The PEM file `AWS_CA_BUNDLE` / `ca_bundle` names (`~` is the home directory).
fn ca_bundle(settings: &Settings, env: &Env) -> Result<Option<CaBundle>, LoadError> {
    let Some(setting) = settings.get("AWS_CA_BUNDLE", "ca_bundle").filter(|setting| !setting.value.is_empty()) else {
        return Ok(None);
    };
    let path = expand_home(env, &setting.value);
    let pem = read_limited(&path, MAX_CA_BUNDLE_SIZE)
        .map_err(|problem| setting.invalid(format!("can't read `{}`: {problem}", path.display())))?;
    CaBundle::from_pem(&pem).map(Some).map_err(|error| setting.invalid(format!("`{}`: {error}", path.display())))
}

/// Mozilla's whole bundle is about 220 KB.
const MAX_CA_BUNDLE_SIZE: u64 = 4 * 1024 * 1024;
