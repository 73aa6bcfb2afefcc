//! The SSO token cache `aws sso login` writes: `~/.aws/sso/cache/<sha1 hex>.json`, named by the
//! SHA-1 of the sso-session's name (or, for legacy profiles, of the start URL), holding
//! `accessToken` and `expiresAt`, and for sessions what refreshing needs (`clientId`,
//! `clientSecret`, `refreshToken`). A session's token is refreshed through SSO OIDC CreateToken
//! (`awsgen-sso-oidc`) shortly before it expires, and the file written back.
//!
//! Tokens and client secrets never appear in `Debug` or in errors.

use super::{client, ProviderConfig};
use crate::profile::files::{expand_home, read_limited};
use awsgen_runtime::credentials::CredentialsError;
use awsgen_runtime::{DateTime, TimestampFormat};
use serde_json::{Map, Value};
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Cache files are under 2 KiB; a larger one is not a token cache.
const MAX_CACHE_FILE_SIZE: u64 = 64 * 1024;

/// A session token this close to expiry is refreshed first, as aws-cli does.
const REFRESH_WINDOW: Duration = Duration::from_secs(5 * 60);

/// Which cached token a profile uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TokenSource {
    /// `sso_session = name`: refreshable.
    Session { name: String, start_url: String },
    /// `sso_start_url` in the profile: used until it expires.
    Legacy { start_url: String },
}

impl TokenSource {
    /// What the cache file is named by.
    fn cache_key(&self) -> &str {
        match self {
            TokenSource::Session { name, .. } => name,
            TokenSource::Legacy { start_url } => start_url,
        }
    }

    /// What to run to get a new token.
    fn login_hint(&self, profile: &str) -> String {
        match self {
            TokenSource::Session { name, .. } => format!("run `aws sso login --sso-session {name}`"),
            TokenSource::Legacy { .. } => format!("run `aws sso login --profile {profile}`"),
        }
    }
}

/// A bearer token. `Debug` never shows it.
pub(crate) struct AccessToken {
    secret: String,
    pub expires_at: SystemTime,
}

impl AccessToken {
    pub fn secret(&self) -> &str {
        &self.secret
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken").field("secret", &"** redacted **").field("expires_at", &self.expires_at).finish()
    }
}

/// The profile's access token from the cache, refreshed first if it is a session's and near expiry.
pub(crate) async fn access_token(
    config: &ProviderConfig,
    source: &TokenSource,
    region: &str,
    profile: &str,
) -> Result<AccessToken, CredentialsError> {
    let path = cache_path(config, source.cache_key());
    let mut cached = CachedToken::read(&path)?;
    let now = config.now();
    let mut refresh_failure = None;
    if matches!(source, TokenSource::Session { .. }) && cached.expires_at <= now + REFRESH_WINDOW {
        match refresh(config, region, &cached, now).await {
            Ok(fresh) => {
                cached.update(fresh);
                // The fresh token serves this call even if the cache can't be written.
                let _ = cached.write(&path);
            }
            Err(error) => refresh_failure = Some(error),
        }
    }
    // A failed refresh of a token that still works is no reason to fail now.
    if cached.expires_at <= now {
        let since = DateTime::from(cached.expires_at).format(TimestampFormat::DateTime);
        let refreshing = refresh_failure.map(|error| format!(" (refreshing it failed: {})", error.message()));
        return Err(CredentialsError::provider_error(format!(
            "the SSO token of profile `{profile}` expired at {since}{}: {}",
            refreshing.unwrap_or_default(),
            source.login_hint(profile)
        )));
    }
    Ok(AccessToken { secret: cached.access_token, expires_at: cached.expires_at })
}

/// `~/.aws/sso/cache/<sha1 hex of key>.json`.
fn cache_path(config: &ProviderConfig, key: &str) -> PathBuf {
    let digest = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, key.as_bytes());
    let name: String = digest.as_ref().iter().map(|byte| format!("{byte:02x}")).collect();
    expand_home(config.env(), "~/.aws/sso/cache").join(format!("{name}.json"))
}

/// One cache file: the token and its expiry, and the whole object to write back.
struct CachedToken {
    access_token: String,
    expires_at: SystemTime,
    json: Map<String, Value>,
}

/// What CreateToken gave back.
struct Refreshed {
    access_token: String,
    expires_at: SystemTime,
    refresh_token: Option<String>,
}

impl CachedToken {
    /// Errors name the file and the field, never a value.
    fn read(path: &Path) -> Result<Self, CredentialsError> {
        let shown = path.display();
        let bytes = read_limited(path, MAX_CACHE_FILE_SIZE)
            .map_err(|reason| CredentialsError::provider_error(format!("failed to read `{shown}`: {reason}")))?;
        let invalid = |what: &str| CredentialsError::provider_error(format!("SSO token cache `{shown}`: {what}"));
        let json = match serde_json::from_slice(&bytes) {
            Ok(Value::Object(json)) => json,
            _ => return Err(invalid("not a JSON object")),
        };
        let text = |key: &str| json.get(key).and_then(Value::as_str).map(str::to_owned);
        let access_token = text("accessToken").ok_or_else(|| invalid("no accessToken"))?;
        let expires_at =
            text("expiresAt").and_then(|at| parse_time(&at)).ok_or_else(|| invalid("no expiresAt in RFC 3339 form"))?;
        Ok(CachedToken { access_token, expires_at, json })
    }

    fn text(&self, key: &str) -> Option<&str> {
        self.json.get(key).and_then(Value::as_str).filter(|value| !value.is_empty())
    }

    fn update(&mut self, fresh: Refreshed) {
        let expires_at = DateTime::from(fresh.expires_at).format(TimestampFormat::DateTime);
        self.json.insert("accessToken".into(), fresh.access_token.clone().into());
        self.json.insert("expiresAt".into(), expires_at.into());
        if let Some(refresh_token) = fresh.refresh_token {
            self.json.insert("refreshToken".into(), refresh_token.into());
        }
        self.access_token = fresh.access_token;
        self.expires_at = fresh.expires_at;
    }

    /// Written beside the file and renamed over it, so that no reader sees half a file.
    fn write(&self, path: &Path) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(&self.json)?;
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let temporary = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600); // the file holds secrets
        let written = options.open(&temporary).and_then(|mut file| file.write_all(text.as_bytes()));
        let renamed = written.and_then(|()| std::fs::rename(&temporary, path));
        if renamed.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        renamed
    }
}

fn parse_time(text: &str) -> Option<SystemTime> {
    DateTime::parse(text, TimestampFormat::DateTime).ok().map(SystemTime::from)
}

/// A new token from SSO OIDC CreateToken with the cached refresh token and client registration.
async fn refresh(
    config: &ProviderConfig,
    region: &str,
    cached: &CachedToken,
    now: SystemTime,
) -> Result<Refreshed, CredentialsError> {
    let cannot = |why: &str| CredentialsError::provider_error(format!("the token can't be refreshed: {why}"));
    let (Some(client_id), Some(client_secret), Some(refresh_token)) =
        (cached.text("clientId"), cached.text("clientSecret"), cached.text("refreshToken"))
    else {
        return Err(cannot("the cache has no clientId, clientSecret and refreshToken"));
    };
    if cached.text("registrationExpiresAt").and_then(parse_time).is_some_and(|at| at <= now) {
        return Err(cannot("the client registration expired"));
    }
    let client = awsgen_sso_oidc::Client::new(client::builder(config, client::SSO_OIDC, region)?.build());
    let output = client
        .create_token()
        .client_id(client_id)
        .client_secret(client_secret)
        .grant_type("refresh_token")
        .refresh_token(refresh_token)
        .send()
        .await
        .map_err(|error| CredentialsError::provider_error(format!("SSO OIDC CreateToken failed: {error}")))?;
    let (Some(access_token), Some(expires_in)) = (output.access_token(), output.expires_in()) else {
        return Err(cannot("CreateToken answered without accessToken and expiresIn"));
    };
    // Whole seconds, as aws-cli writes `expiresAt`.
    let now_secs = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    let expires_at = UNIX_EPOCH + Duration::from_secs(now_secs + u64::try_from(expires_in).unwrap_or(0));
    Ok(Refreshed {
        access_token: access_token.to_owned(),
        expires_at,
        refresh_token: output.refresh_token().map(str::to_owned),
    })
}
