//! The recorded cross-SDK cases of `default-credential-provider-chain/` and `profile-provider/`
//! (../shared/credentials-tests, see its SOURCE.md), with their HTTP traffic replayed by a
//! server on 127.0.0.1.
//!
//! STS calls (AssumeRole, AssumeRoleWithWebIdentity) and SSO GetRoleCredentials go through the
//! generated clients to the replaying server.

mod support;

use awsgen_config::provider::{ProfileProvider, SsoTokenProvider};
use awsgen_config::{DefaultCredentialsChain, Env, ProviderConfig};
use awsgen_runtime::credentials::{CredentialsError, CredentialsErrorKind};
use awsgen_runtime::Credentials;
use awsgen_runtime::{DateTime, FixedTime, TimestampFormat};
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use support::replay::{self, Redirect, ReplayServer};

/// Recordings of one failed attempt (an HTTP 503) that our client retries: the recorded exchange
/// is expected as many times as the standard retry policy makes attempts.
const RETRIED: &[&str] = &["sso_server_error"];
const STANDARD_ATTEMPTS: usize = 3;

/// 2021-08-05T00:00:00Z: the recordings' STS calls sign with credentials they handed out, which
/// expire in 2021; the clock is pinned before all of them.
const RECORDED_AT: u64 = 1_628_121_600;

/// Cases whose recorded source credentials expire earlier: `ecs_assume_role`'s container
/// credentials expire at 2009-02-13T23:31:30Z.
const CLOCK_OVERRIDES: &[(&str, u64)] = &[("ecs_assume_role", 1_234_567_000)];

/// Recordings whose STS call was signed by other credentials than the recorded source returned
/// (`ecs_assume_role`: the container answers ASIARTEST, STS saw ASIARSTSBASE).
const STITCHED_SIGNER: &[&str] = &["ecs_assume_role"];

/// The pinned clock of a case's STS calls.
fn recorded_at(case: &Path) -> SystemTime {
    let name = case.file_name().unwrap().to_string_lossy();
    let seconds = CLOCK_OVERRIDES.iter().find(|(case, _)| *case == name).map_or(RECORDED_AT, |(_, at)| *at);
    UNIX_EPOCH + Duration::from_secs(seconds)
}

#[test]
fn default_chain_and_profile_provider_cases() {
    let Some(dir) = support::suite_dir() else { return };
    let mut failures = Vec::new();
    let mut passed = 0;
    for suite in ["default-credential-provider-chain", "profile-provider"] {
        let mut cases: Vec<_> =
            std::fs::read_dir(dir.join(suite)).unwrap().map(|entry| entry.unwrap().path()).collect();
        cases.sort();
        for case in cases {
            let name = case.file_name().unwrap().to_string_lossy().into_owned();
            let runner = if suite == "profile-provider" { Runner::Profile } else { Runner::Chain };
            match run_recorded(&case, runner) {
                Ok(()) => passed += 1,
                Err(error) => failures.push(format!("{suite}/{name}: {error}")),
            }
        }
    }
    println!("{passed} cases passed as recorded, {} failed", failures.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `default-token-provider-chain/`: the SSO bearer token of the chosen profile, from its cache
/// file; the recordings have no traffic, so any request fails the case.
#[test]
fn default_token_provider_chain_cases() {
    let Some(dir) = support::suite_dir() else { return };
    let mut cases: Vec<_> = std::fs::read_dir(dir.join("default-token-provider-chain"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    cases.sort();
    assert_eq!(cases.len(), 3);
    for case in cases {
        let server = ReplayServer::start(replay::load(&case.join("http-traffic.json")));
        let config = ProviderConfig::new().with_env(environment(&case)).with_http_client(Redirect::to(server.addr));
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let token = runtime.block_on(SsoTokenProvider::new(&config).token());
        server.finish().unwrap();
        let expected = &support::read_json(&case.join("test-case.json"))["result"]["Ok"];
        let token = token.unwrap_or_else(|error| panic!("{}: {error}", case.display()));
        assert_eq!(token.token(), expected["token"].as_str().unwrap(), "{}", case.display());
        let expiry = DateTime::parse(expected["expiration"].as_str().unwrap(), TimestampFormat::DateTime).unwrap();
        assert_eq!(token.expiry(), Some(SystemTime::from(expiry)), "{}", case.display());
        assert!(!format!("{token:?}").contains("foobarbaz"), "Debug shows the token");
    }
}

#[derive(Clone, Copy)]
enum Runner {
    Chain,
    Profile,
}

/// The case's environment, with `HOME` and `*_FILE` paths moved under its `fs/`.
fn environment(case: &Path) -> Env {
    let vars = support::read_json(&case.join("env.json"));
    let fs = case.join("fs");
    let mut vars: Vec<(String, String)> = vars
        .as_object()
        .unwrap()
        .iter()
        .map(|(key, value)| {
            let value = value.as_str().unwrap();
            let rooted = key == "HOME" || key.ends_with("_FILE");
            (key.clone(), if rooted { format!("{}{value}", fs.display()) } else { value.to_owned() })
        })
        .collect();
    if let Some(config) = config_with_rooted_token_files(&fs) {
        vars.push(("AWS_CONFIG_FILE".to_owned(), config));
    }
    Env::from_vars(vars)
}

/// A copy of the case's config file whose `web_identity_token_file = /token.jwt` points under
/// its `fs/`, if it names one.
fn config_with_rooted_token_files(fs: &Path) -> Option<String> {
    let text = std::fs::read_to_string(fs.join("home/.aws/config")).ok()?;
    let key = "web_identity_token_file = ";
    if !text.contains(key) {
        return None;
    }
    let path = support::temp_dir("config").join("config");
    std::fs::write(&path, text.replace(key, &format!("{key}{}", fs.display()))).unwrap();
    Some(path.display().to_string())
}

fn run(case: &Path, runner: Runner, server: &ReplayServer) -> Result<Credentials, CredentialsError> {
    let config = ProviderConfig::new()
        .with_env(environment(case))
        .with_http_client(Redirect::to(server.addr))
        .with_time_source(Arc::new(FixedTime(recorded_at(case))));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        match runner {
            Runner::Chain => DefaultCredentialsChain::new(&config).credentials().await,
            Runner::Profile => ProfileProvider::new(&config).credentials().await,
        }
    })
}

fn run_recorded(case: &Path, runner: Runner) -> Result<(), String> {
    let mut exchanges = replay::load(&case.join("http-traffic.json"));
    if RETRIED.iter().any(|name| case.ends_with(name)) {
        let last = exchanges.last().cloned().unwrap();
        exchanges.resize(exchanges.len() + STANDARD_ATTEMPTS - 1, last);
    }
    let mut server = ReplayServer::start(exchanges);
    if STITCHED_SIGNER.iter().any(|name| case.ends_with(name)) {
        server = server.ignoring_signer();
    }
    let result = run(case, runner, &server);
    let seen = server.finish()?;
    // EKS Pod Identity sends the token file's content; the recording leaves the header out.
    let to_container = seen.first().is_some_and(|request| request.target.starts_with("169.254.170."));
    if let Some(token) = std::fs::read_to_string(case.join("fs/token.jwt")).ok().filter(|_| to_container) {
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
    let mut credentials =
        Credentials::new(text("access_key_id").unwrap(), text("secret_access_key").unwrap(), text("session_token"));
    if let Some(seconds) = expected["expiry"].as_u64() {
        credentials = credentials.with_expiry(UNIX_EPOCH + Duration::from_secs(seconds));
    }
    if let Some(account_id) = text("account_id") {
        credentials = credentials.with_account_id(account_id);
    }
    credentials
}

/// The suite quotes aws-sdk-rust's messages; ours say the same in our words.
fn matches_error(error: &CredentialsError, suite_text: &str) -> Result<(), String> {
    let ours = match suite_text {
        // A `credential_source` with nothing in it stops the chain here (it names the source).
        text if text.contains("provider was not enabled") && error.message().contains("which has no credentials") => {
            "which has no credentials"
        }
        text if text.contains("provider was not enabled") => {
            return (error.kind() == CredentialsErrorKind::NotLoaded)
                .then_some(())
                .ok_or(format!("not NotLoaded: {error}"));
        }
        text if text.contains("was specified but `role_arn` was missing") => text,
        text if text.starts_with("InvalidIdentityTokenException: ") => {
            "InvalidIdentityToken: No OpenIDConnect provider"
        }
        "request forbidden: IMDS is disabled" => "forbidden: IMDS is disabled",
        "No such file or directory (os error 2)" => "No such file or directory (os error 2)",
        text if text.contains("exited with code exit status: 1") => "credential_process exited with exit status: 1",
        text if text.contains("invalid JSON in response") => "credential_process output is not a JSON object",
        // The file is under the case's `fs/`: ours names the same path with that prefix.
        text if text.starts_with("failed to read `/home/.aws/sso/cache/") => &text["failed to read `".len()..],
        // The recording's GetRoleCredentials answers 503 (every attempt here): ours says so.
        "an error occurred while loading credentials" => {
            "SSO GetRoleCredentials for role `MySsoRole` in account 123456789 (profile `sso-test`) failed: 503"
        }
        "could not parse profile file" => "could not parse profile file",
        "selected profile will resolve an access token instead of credentials" => "resolves an access token",
        other => return Err(format!("no translation for the suite's error {other:?}; ours: {error}")),
    };
    error.to_string().contains(ours).then_some(()).ok_or(format!("error {error:?} lacks {ours:?}"))
}
