//! Credentials the chosen profile names: static keys, `credential_process`, a web identity
//! token, or a role (`role_arn`) assumed from a `source_profile` chain or a `credential_source`.
//! SSO profiles (`sso_session` or the legacy `sso_start_url`) exchange a cached token for a role's
//! credentials.

use super::sso::{self, SsoProfile};
use super::sts::{self, Role};
use super::web_identity::assume_role_with_token_file;
use super::{ContainerProvider, CredentialProcess, EnvironmentProvider, ImdsProvider, ProviderConfig};
use crate::profile::{ProfileSet, Section};
use awsgen_runtime::credentials::{CredentialsError, CredentialsErrorKind, ProvideCredentials};
use awsgen_runtime::http::BoxFuture;
use awsgen_runtime::Credentials;

#[derive(Debug, Clone)]
pub struct ProfileProvider {
    config: ProviderConfig,
}

impl ProfileProvider {
    pub fn new(config: &ProviderConfig) -> Self {
        ProfileProvider { config: config.clone() }
    }

    /// Reads the files on every call: the cache in front decides how often that is.
    pub async fn credentials(&self) -> Result<Credentials, CredentialsError> {
        let profiles = self.config.profiles().map_err(|error| CredentialsError::invalid(error.to_string()))?;
        let chosen = self.config.chosen_profile_name().is_some();
        let plan = plan_for(&profiles, &self.config.profile_name(), chosen)?;
        let mut credentials = self.base_credentials(plan.base).await?;
        // The role nearest the base is assumed first; the chosen profile's role last.
        for role in plan.roles.iter().rev() {
            credentials = sts::assume_role(&self.config, credentials, role).await?;
        }
        Ok(credentials)
    }

    async fn base_credentials(&self, base: Base) -> Result<Credentials, CredentialsError> {
        match base {
            Base::StaticKeys(credentials) => Ok(credentials),
            Base::Process { command, account_id } => {
                let credentials = CredentialProcess::new(&command).credentials().await?;
                Ok(match account_id {
                    Some(account_id) if credentials.account_id().is_none() => credentials.with_account_id(account_id),
                    _ => credentials,
                })
            }
            Base::Sso(profile) => sso::credentials(&self.config, &profile).await,
            Base::WebIdentity { token_file, role } => {
                assume_role_with_token_file(&self.config, &token_file, &role).await
            }
            Base::CredentialSource { profile, source } => {
                let result = match source {
                    CredentialSource::Environment => EnvironmentProvider::new(&self.config).credentials(),
                    CredentialSource::Ec2InstanceMetadata => ImdsProvider::new(&self.config).credentials().await,
                    CredentialSource::EcsContainer => ContainerProvider::new(&self.config).credentials().await,
                };
                // The profile asked for this source: its absence is an error, not a reason to go on.
                result.map_err(|error| match error.kind() {
                    CredentialsErrorKind::NotLoaded => CredentialsError::invalid(format!(
                        "profile `{profile}` sets credential_source = {source:?}, which has no credentials: {}",
                        error.message()
                    )),
                    _ => error,
                })
            }
        }
    }
}

/// Where a chain of profiles starts, and the roles assumed on top of it.
#[derive(Debug)]
struct Plan {
    base: Base,
    /// In the order the profiles were visited: the chosen profile's role first.
    roles: Vec<Role>,
}

#[derive(Debug)]
enum Base {
    StaticKeys(Credentials),
    /// The command, and the profile's `aws_account_id` for output that names no account.
    Process {
        command: String,
        account_id: Option<String>,
    },
    WebIdentity {
        token_file: String,
        role: Role,
    },
    Sso(SsoProfile),
    CredentialSource {
        profile: String,
        source: CredentialSource,
    },
}

#[derive(Debug, Clone, Copy)]
enum CredentialSource {
    Environment,
    Ec2InstanceMetadata,
    EcsContainer,
}

/// The plan for profile `name`. A profile someone chose must exist; a missing `default` only
/// means this provider has nothing, and the chain goes on.
fn plan_for(profiles: &ProfileSet, name: &str, chosen: bool) -> Result<Plan, CredentialsError> {
    if profiles.profile(name).is_none() {
        return Err(match chosen {
            true => CredentialsError::invalid(format!("profile `{name}` is not in the profile files")),
            false => CredentialsError::not_loaded("no `default` profile in the profile files"),
        });
    }
    plan(profiles, name)
}

/// Follows `source_profile` from `name` (which exists) to a profile with credentials of its own.
fn plan(profiles: &ProfileSet, name: &str) -> Result<Plan, CredentialsError> {
    let mut visited: Vec<String> = Vec::new();
    let mut roles = Vec::new();
    let mut current = name.to_owned();
    loop {
        let profile = profiles.profile(&current).ok_or_else(|| {
            let from = visited.last().map(String::as_str).unwrap_or(name);
            CredentialsError::invalid(format!(
                "profile `{from}` names source_profile `{current}`, which does not exist"
            ))
        })?;
        // Checked before the keys below: a loop back to a profile with keys is still a loop.
        if visited.contains(&current) {
            visited.push(current);
            return Err(CredentialsError::invalid(format!(
                "source_profile cycle: {}",
                visited.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(" -> ")
            )));
        }
        visited.push(current.clone());
        // A source profile's own keys end the chain, even beside a role_arn.
        if visited.len() > 1 {
            if let Some(credentials) = static_keys(profile)? {
                return Ok(Plan { base: Base::StaticKeys(credentials), roles });
            }
        }
        match step(profiles, profile, visited.len() == 1)? {
            Step::Base(base) => return Ok(Plan { base, roles }),
            // `source_profile` naming its own profile: the role is assumed with that profile's keys.
            Step::AssumeFrom { role, next } if next == current => {
                roles.push(role);
                return Ok(Plan { base: own_keys(profile)?, roles });
            }
            Step::AssumeFrom { role, next } => {
                roles.push(role);
                current = next;
            }
            Step::AssumeFromSource { role, source } => {
                roles.push(role);
                return Ok(Plan { base: Base::CredentialSource { profile: current, source }, roles });
            }
        }
    }
}

enum Step {
    Base(Base),
    AssumeFrom { role: Role, next: String },
    AssumeFromSource { role: Role, source: CredentialSource },
}

/// What one profile says to do, or why it can't be done.
fn step(profiles: &ProfileSet, profile: &Section, chosen: bool) -> Result<Step, CredentialsError> {
    let name = profile.name();
    let source_profile = profile.get("source_profile");
    let credential_source = profile.get("credential_source");
    if profile.get("role_arn").is_some() && (source_profile.is_some() || credential_source.is_some()) {
        let role = role(profile)?;
        return match (source_profile, credential_source) {
            (Some(_), Some(_)) => Err(CredentialsError::invalid(format!(
                "profile `{name}` sets both source_profile and credential_source: choose one"
            ))),
            (Some(next), None) => Ok(Step::AssumeFrom { role, next: next.trim().to_owned() }),
            (None, Some(source)) => Ok(Step::AssumeFromSource { role, source: credential_source_named(name, source)? }),
            (None, None) => unreachable!("one of them is set"),
        };
    }
    if let Some(token_file) = profile.get("web_identity_token_file") {
        if profile.get("role_arn").is_none() {
            return Err(CredentialsError::invalid(format!(
                "profile `{name}`: `web_identity_token_file` was specified but `role_arn` was missing"
            )));
        }
        let role = role(profile)?;
        return Ok(Step::Base(Base::WebIdentity { token_file: token_file.trim().to_owned(), role }));
    }
    if let Some(sso) = sso::sso_profile(profiles, profile)? {
        return Ok(Step::Base(Base::Sso(sso)));
    }
    if let Some(credentials) = static_keys(profile)? {
        return Ok(Step::Base(Base::StaticKeys(credentials)));
    }
    if let Some(command) = profile.get("credential_process") {
        let account_id = profile.get("aws_account_id").map(str::to_owned);
        return Ok(Step::Base(Base::Process { command: command.to_owned(), account_id }));
    }
    if profile.get("role_arn").is_some() {
        return Err(CredentialsError::invalid(format!(
            "profile `{name}` sets role_arn without source_profile or credential_source"
        )));
    }
    Err(match chosen {
        true => CredentialsError::not_loaded(format!("profile `{name}` has no credentials")),
        false => CredentialsError::invalid(format!("source profile `{name}` has no credentials")),
    })
}

/// The role a profile names; `mfa_serial` needs a code typed in, which this library can't ask for.
fn role(profile: &Section) -> Result<Role, CredentialsError> {
    let name = profile.name();
    if profile.get("mfa_serial").is_some() {
        return Err(CredentialsError::invalid(format!(
            "profile `{name}` sets mfa_serial: the role needs an MFA code, and awsgen is not interactive"
        )));
    }
    let duration_seconds = match profile.get("duration_seconds") {
        None => None,
        Some(text) => Some(text.trim().parse().map_err(|_| {
            CredentialsError::invalid(format!("profile `{name}`: duration_seconds is not a whole number of seconds"))
        })?),
    };
    let text = |key: &str| profile.get(key).map(|value| value.trim().to_owned());
    Ok(Role {
        arn: text("role_arn").unwrap_or_default(),
        session_name: text("role_session_name"),
        external_id: text("external_id"),
        duration_seconds,
    })
}

fn credential_source_named(profile: &str, source: &str) -> Result<CredentialSource, CredentialsError> {
    match source.trim() {
        "Environment" => Ok(CredentialSource::Environment),
        "Ec2InstanceMetadata" => Ok(CredentialSource::Ec2InstanceMetadata),
        "EcsContainer" => Ok(CredentialSource::EcsContainer),
        other => Err(CredentialsError::invalid(format!(
            "profile `{profile}`: credential_source `{other}` is not one of Environment, Ec2InstanceMetadata, EcsContainer"
        ))),
    }
}

/// The keys of a profile that is its own source_profile.
fn own_keys(profile: &Section) -> Result<Base, CredentialsError> {
    let credentials = static_keys(profile)?.ok_or_else(|| {
        CredentialsError::invalid(format!(
            "profile `{}` is its own source_profile but sets no aws_access_key_id",
            profile.name()
        ))
    })?;
    Ok(Base::StaticKeys(credentials))
}

/// The profile's keys; half a pair is a mistake to report, not a profile without keys.
fn static_keys(profile: &Section) -> Result<Option<Credentials>, CredentialsError> {
    let partial = |set: &str, missing: &str| {
        CredentialsError::invalid(format!("profile `{}` sets {set} but not {missing}", profile.name()))
    };
    let (id, secret) = match (profile.get("aws_access_key_id"), profile.get("aws_secret_access_key")) {
        (Some(id), Some(secret)) => (id, secret),
        (None, None) => return Ok(None),
        (Some(_), None) => return Err(partial("aws_access_key_id", "aws_secret_access_key")),
        (None, Some(_)) => return Err(partial("aws_secret_access_key", "aws_access_key_id")),
    };
    let token = profile.get("aws_session_token").map(str::to_owned);
    let credentials = Credentials::new(id, secret, token);
    Ok(Some(match profile.get("aws_account_id") {
        Some(account_id) => credentials.with_account_id(account_id),
        None => credentials,
    }))
}

impl ProvideCredentials for ProfileProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.credentials())
    }
}

#[cfg(test)]
mod assume_role_suite;
#[cfg(test)]
mod tests;
