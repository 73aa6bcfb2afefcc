//! SSO (IAM Identity Center) profiles: the access token `aws sso login` cached is exchanged for
//! a role's credentials by SSO GetRoleCredentials, through the generated client (`awsgen-sso`).
//!
//! Two ways to configure it: `sso_session = name` with a `[sso-session name]` section holding
//! `sso_start_url` and `sso_region` (its token can be refreshed), or the legacy `sso_start_url`
//! and `sso_region` in the profile itself (its token can't). Both need `sso_account_id` and
//! `sso_role_name`; without them the profile is for a bearer token, not credentials.

use super::sso_token::{self, TokenSource};
use super::{client, ProviderConfig};
use crate::profile::{ProfileSet, Section};
use awsgen_runtime::credentials::{CredentialsError, ProvideToken, Token};
use awsgen_runtime::http::BoxFuture;
use awsgen_runtime::Credentials;
use awsgen_sso::Client;
use std::time::{Duration, UNIX_EPOCH};

/// Any of these makes a profile an SSO one (`sso_region` alone does not: it only says where).
const SSO_KEYS: [&str; 4] = ["sso_session", "sso_start_url", "sso_account_id", "sso_role_name"];

/// What an SSO profile says: where its token is cached, and which role to ask for.
#[derive(Debug, Clone)]
pub(crate) struct SsoProfile {
    /// The profile's name, for messages.
    profile: String,
    pub(crate) token: TokenSource,
    /// Where SSO (and SSO OIDC) are asked.
    pub(crate) region: String,
    /// `None`: the profile is for a bearer token; asking it for credentials is an error.
    pub(crate) role: Option<SsoRole>,
}

/// The role an SSO profile's token is exchanged for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SsoRole {
    pub(crate) account_id: String,
    pub(crate) role_name: String,
}

/// The profile's SSO settings if it has any (`None`), checked to be complete.
pub(crate) fn sso_profile(profiles: &ProfileSet, profile: &Section) -> Result<Option<SsoProfile>, CredentialsError> {
    let name = profile.name();
    if !SSO_KEYS.iter().any(|key| value(profile, key).is_some()) {
        return Ok(None);
    }
    // Neither of the two is a token-only profile: an error only when asked for credentials.
    let role = match (value(profile, "sso_account_id"), value(profile, "sso_role_name")) {
        (Some(account_id), Some(role_name)) => Some(SsoRole { account_id, role_name }),
        (None, None) => None,
        (Some(_), None) => return Err(missing(name, "sso_role_name")),
        (None, Some(_)) => return Err(missing(name, "sso_account_id")),
    };
    let (token, region) = match value(profile, "sso_session") {
        Some(session) => session_settings(profiles, profile, session)?,
        None => {
            let start_url = value(profile, "sso_start_url").ok_or_else(|| missing(name, "sso_start_url"))?;
            let region = value(profile, "sso_region").ok_or_else(|| missing(name, "sso_region"))?;
            (TokenSource::Legacy { start_url }, region)
        }
    };
    Ok(Some(SsoProfile { profile: name.to_owned(), token, region, role }))
}

/// The `[sso-session]` a profile names; start URL and region set beside it must agree with it.
fn session_settings(
    profiles: &ProfileSet,
    profile: &Section,
    session: String,
) -> Result<(TokenSource, String), CredentialsError> {
    let name = profile.name();
    let section = profiles.sso_session(&session).ok_or_else(|| {
        CredentialsError::invalid(format!(
            "profile `{name}` names sso_session `{session}`, but there is no [sso-session {session}] section"
        ))
    })?;
    let setting = |key: &str| {
        value(section, key).ok_or_else(|| {
            // The profile's own setting counts only without sso_session: say so when it has one.
            let beside = match value(profile, key) {
                Some(_) => format!(" (the {key} of profile `{name}` belongs in the sso-session)"),
                None => String::new(),
            };
            CredentialsError::invalid(format!("sso-session `{session}` (of profile `{name}`) sets no {key}{beside}"))
        })
    };
    let (start_url, region) = (setting("sso_start_url")?, setting("sso_region")?);
    for (key, expected) in [("sso_start_url", &start_url), ("sso_region", &region)] {
        if value(profile, key).is_some_and(|own| own != *expected) {
            return Err(CredentialsError::invalid(format!(
                "profile `{name}` sets {key} unlike its sso-session `{session}`: remove it from the profile"
            )));
        }
    }
    Ok((TokenSource::Session { name: session, start_url }, region))
}

fn value(section: &Section, key: &str) -> Option<String> {
    section.get(key).map(str::trim).filter(|value| !value.is_empty()).map(str::to_owned)
}

fn missing(profile: &str, key: &str) -> CredentialsError {
    CredentialsError::invalid(format!("profile `{profile}` configures SSO but sets no {key}"))
}

/// The cached token (refreshed if it can and must be), exchanged for the role's credentials.
pub(crate) async fn credentials(config: &ProviderConfig, sso: &SsoProfile) -> Result<Credentials, CredentialsError> {
    let role = sso.role.as_ref().ok_or_else(|| {
        CredentialsError::invalid(format!(
            "profile `{}` configures SSO without sso_account_id and sso_role_name: \
             it resolves an access token, not credentials",
            sso.profile
        ))
    })?;
    let token = sso_token::access_token(config, &sso.token, &sso.region, &sso.profile).await?;
    let client = Client::new(client::builder(config, client::SSO, &sso.region)?.build());
    let failed = |detail: String| {
        CredentialsError::provider_error(format!(
            "SSO GetRoleCredentials for role `{}` in account {} (profile `{}`) failed: {detail}",
            role.role_name, role.account_id, sso.profile
        ))
    };
    let output = client
        .get_role_credentials()
        .access_token(token.secret())
        .account_id(&role.account_id)
        .role_name(&role.role_name)
        .send()
        .await
        .map_err(|error| failed(error.to_string()))?;
    let returned = output.role_credentials().ok_or_else(|| failed("the answer has no roleCredentials".into()))?;
    let (Some(id), Some(secret)) = (returned.access_key_id(), returned.secret_access_key()) else {
        return Err(failed("the answer lacks accessKeyId or secretAccessKey".into()));
    };
    let mut credentials =
        Credentials::new(id, secret, returned.session_token().map(str::to_owned)).with_account_id(&role.account_id);
    // Epoch milliseconds; a negative one is no expiry we can represent.
    if let Some(millis) = returned.expiration().and_then(|millis| u64::try_from(millis).ok()) {
        credentials = credentials.with_expiry(UNIX_EPOCH + Duration::from_millis(millis));
    }
    Ok(credentials)
}

/// The bearer token of the chosen profile's SSO settings (`sso_session` or the legacy
/// `sso_start_url`), from the cache `aws sso login` writes, refreshed through SSO OIDC as for
/// credentials. For services whose auth is a bearer token (CodeCatalyst); `awsgen_config::load()`
/// installs it, and it is asked only by such a service.
#[derive(Debug, Clone)]
pub struct SsoTokenProvider {
    config: ProviderConfig,
}

impl SsoTokenProvider {
    pub fn new(config: &ProviderConfig) -> Self {
        SsoTokenProvider { config: config.clone() }
    }

    pub async fn token(&self) -> Result<Token, CredentialsError> {
        let profiles = self.config.profiles().map_err(|error| CredentialsError::invalid(error.to_string()))?;
        let name = self.config.profile_name();
        let profile = profiles
            .profile(&name)
            .ok_or_else(|| CredentialsError::not_loaded(format!("profile `{name}` is not in the profile files")))?;
        let sso = sso_profile(&profiles, profile)?.ok_or_else(|| {
            CredentialsError::not_loaded(format!("profile `{name}` sets neither sso_session nor sso_start_url"))
        })?;
        let token = sso_token::access_token(&self.config, &sso.token, &sso.region, &sso.profile).await?;
        Ok(Token::new(token.secret(), Some(token.expires_at)))
    }
}

impl ProvideToken for SsoTokenProvider {
    fn provide_token(&self) -> BoxFuture<'_, Result<Token, CredentialsError>> {
        Box::pin(self.token())
    }
}
