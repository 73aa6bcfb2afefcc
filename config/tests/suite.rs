//! The recorded cross-SDK cases of `default-credential-provider-chain/` and `profile-provider/`
//! (../shared/credentials-tests, see its SOURCE.md), with their HTTP traffic replayed by a
//! server on 127.0.0.1.
//!
//! Cases that need STS or SSO calls (not in awsgen yet) are run too, but expect the clear
//! "not supported yet" error; two cases whose profile chains a role onto IMDS run their recorded
//! IMDS traffic against the IMDS provider alone.

mod support;

use awsgen_config::provider::{ImdsProvider, ProfileProvider};
use awsgen_config::{region, DefaultCredentialsChain, Env, ProviderConfig};
use awsgen_runtime::credentials::{CredentialsError, CredentialsErrorKind};
use awsgen_runtime::Credentials;
use serde_json::Value;
use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};
use support::replay::{self, Redirect, ReplayServer};

/// Cases that need STS or SSO, and what they need.
const NEEDS_STS_OR_SSO: &[(&str, &str)] = &[
    ("e2e_fips_and_dual_stack_sso", "SSO GetRoleCredentials"),
    ("ecs_assume_role", "STS AssumeRole"),
    ("imds_assume_role", "STS AssumeRole"),
    ("profile_overrides_web_identity", "STS AssumeRole"),
    ("sso_assume_role", "SSO GetRoleCredentials"),
    ("sso_no_token_file", "SSO (token cache)"),
    ("sso_server_error", "SSO GetRoleCredentials"),
    ("web_identity_source_profile_no_env", "STS AssumeRole"),
    ("web_identity_token_env", "STS AssumeRoleWithWebIdentity"),
    ("web_identity_token_invalid_jwt", "STS AssumeRoleWithWebIdentity"),
    ("web_identity_token_profile", "STS AssumeRoleWithWebIdentity"),
    ("web_identity_token_source_profile", "STS AssumeRoleWithWebIdentity"),
    ("assume_role_override_global_env_url", "STS AssumeRole"),
    ("assume_role_override_global_profile_url", "STS AssumeRole"),
    ("assume_role_override_service_env_url", "STS AssumeRole"),
    ("assume_role_override_service_profile_url", "STS AssumeRole"),
    ("e2e_assume_role", "STS AssumeRole"),
    ("e2e_fips_and_dual_stack_sts", "STS AssumeRole"),
    ("region_override", "STS AssumeRole (its region part is checked)"),
    ("retry_on_error", "STS AssumeRole"),
    ("sso_credentials", "SSO GetRoleCredentials"),
    ("sso_override_global_env_url", "SSO GetRoleCredentials"),
];

/// Profiles with `role_arn` + `credential_source = Ec2InstanceMetadata`: the role needs STS, the
/// recorded IMDS part runs against the IMDS provider.
const IMDS_ALONE: &[&str] = &["imds_no_iam_role", "imds_token_fail"];

#[test]
fn default_chain_and_profile_provider_cases() {
    let Some(dir) = support::suite_dir() else { return };
    let mut failures = Vec::new();
    let mut tally = [0usize; 3]; // run as recorded, IMDS part alone, "not supported yet" checked
    for suite in ["default-credential-provider-chain", "profile-provider"] {
        let mut cases: Vec<_> =
            std::fs::read_dir(dir.join(suite)).unwrap().map(|entry| entry.unwrap().path()).collect();
        cases.sort();
        for case in cases {
            let name = case.file_name().unwrap().to_string_lossy().into_owned();
            let outcome = if let Some((_, needs)) = NEEDS_STS_OR_SSO.iter().find(|(case, _)| *case == name) {
                tally[2] += 1;
                run_unsupported(suite, &case, needs)
            } else if IMDS_ALONE.contains(&name.as_str()) {
                tally[1] += 1;
                run_recorded(&case, Runner::Imds)
            } else {
                tally[0] += 1;
                run_recorded(&case, if suite == "profile-provider" { Runner::Profile } else { Runner::Chain })
            };
            if let Err(error) = outcome {
                failures.push(format!("{suite}/{name}: {error}"));
            }
        }
    }
    println!(
        "{} cases as recorded, {} with the IMDS provider alone, {} needing STS/SSO checked to refuse clearly; {} failed",
        tally[0],
        tally[1],
        tally[2],
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[derive(Clone, Copy)]
enum Runner {
    Chain,
    Profile,
    Imds,
}

/// The case's environment, with `HOME` and `*_FILE` paths moved under its `fs/`.
fn environment(case: &Path) -> Env {
    let vars = support::read_json(&case.join("env.json"));
    let fs = case.join("fs");
    let vars = vars.as_object().unwrap().iter().map(|(key, value)| {
        let value = value.as_str().unwrap();
        let rooted = key == "HOME" || key.ends_with("_FILE");
        (key.clone(), if rooted { format!("{}{value}", fs.display()) } else { value.to_owned() })
    });
    Env::from_vars(vars)
}

fn run(case: &Path, runner: Runner, server: &ReplayServer) -> Result<Credentials, CredentialsError> {
    let config = ProviderConfig::new().with_env(environment(case)).with_http_client(Redirect::to(server.addr));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        match runner {
            Runner::Chain => DefaultCredentialsChain::new(&config).credentials().await,
            Runner::Profile => ProfileProvider::new(&config).credentials().await,
            Runner::Imds => ImdsProvider::new(&config).credentials().await,
        }
    })
}

fn run_recorded(case: &Path, runner: Runner) -> Result<(), String> {
    let server = ReplayServer::start(replay::load(&case.join("http-traffic.json")));
    let result = run(case, runner, &server);
    let seen = server.finish()?;
    // EKS Pod Identity sends the token file's content; the recording leaves the header out.
    if let Some(token) = std::fs::read_to_string(case.join("fs/token.jwt")).ok().filter(|_| !seen.is_empty()) {
        if seen[0].header("authorization") != Some(token.trim()) {
            return Err("the container token was not sent".into());
        }
    }
    let expected = support::read_json(&case.join("test-case.json"))["result"].clone();
    check(result, &expected)
}

fn check(result: Result<Credentials, CredentialsError>, expected: &Value) -> Result<(), String> {
    match (result, expected.get("Ok"), expected.get("ErrorContains").and_then(Value::as_str)) {
        (Ok(credentials), Some(expected), _) if credentials == expected_credentials(expected) => Ok(()),
        (Ok(credentials), Some(_), _) => Err(format!("wrong credentials {credentials:?}")),
        (Err(error), None, Some(text)) => matches_error(&error, text),
        (Ok(credentials), None, _) => Err(format!("expected an error, got {credentials:?}")),
        (Err(error), _, _) => Err(format!("unexpected error: {error}")),
    }
}

fn expected_credentials(expected: &Value) -> Credentials {
    let text = |key: &str| expected[key].as_str().map(str::to_owned);
    let credentials =
        Credentials::new(text("access_key_id").unwrap(), text("secret_access_key").unwrap(), text("session_token"));
    match expected["expiry"].as_u64() {
        Some(seconds) => credentials.with_expiry(UNIX_EPOCH + Duration::from_secs(seconds)),
        None => credentials,
    }
}

/// The suite quotes aws-sdk-rust's messages; ours say the same in our words.
fn matches_error(error: &CredentialsError, suite_text: &str) -> Result<(), String> {
    let ours = match suite_text {
        text if text.contains("provider was not enabled") => {
            return (error.kind() == CredentialsErrorKind::NotLoaded)
                .then_some(())
                .ok_or(format!("not NotLoaded: {error}"));
        }
        "request forbidden: IMDS is disabled" => "forbidden: IMDS is disabled",
        "No such file or directory (os error 2)" => "No such file or directory (os error 2)",
        text if text.contains("exited with code exit status: 1") => "credential_process exited with exit status: 1",
        text if text.contains("invalid JSON in response") => "credential_process output is not a JSON object",
        "could not parse profile file" => "could not parse profile file",
        "selected profile will resolve an access token instead of credentials" => "resolves an access token",
        other => return Err(format!("no translation for the suite's error {other:?}; ours: {error}")),
    };
    error.to_string().contains(ours).then_some(()).ok_or(format!("error {error:?} lacks {ours:?}"))
}

/// Needs STS/SSO: no HTTP at all, and an error that says what is missing.
fn run_unsupported(suite: &str, case: &Path, needs: &str) -> Result<(), String> {
    let server = ReplayServer::start(Vec::new());
    let runner = if suite == "profile-provider" { Runner::Profile } else { Runner::Chain };
    let result = run(case, runner, &server);
    server.finish()?;
    if case.ends_with("region_override") {
        let config = ProviderConfig::new().with_env(environment(case));
        let region = region(&config).map_err(|error| error.to_string())?;
        if region.as_deref() != Some("us-east-2") {
            return Err(format!("region {region:?}, expected us-east-2 from AWS_REGION over the profile's"));
        }
    }
    match result {
        Err(error) if error.to_string().contains("not supported yet") => Ok(()),
        other => Err(format!("needs {needs}: expected a \"not supported yet\" error, got {other:?}")),
    }
}
