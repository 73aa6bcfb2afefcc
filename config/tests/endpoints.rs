//! Endpoint selection suites: `ecs-tests.json` (container credentials URI) and
//! `imds-config/imds-endpoint-tests.json` (IMDS endpoint from environment, profile and code).

mod support;

use awsgen_config::provider::{ContainerProvider, ImdsEndpointMode, ImdsProvider};
use awsgen_config::{Env, ProviderConfig};
use awsgen_runtime::credentials::{CredentialsError, CredentialsErrorKind};
use serde_json::Value;

#[test]
fn ecs_uri_suite() {
    let Some(dir) = support::suite_dir() else { return };
    let suite = support::read_json(&dir.join("ecs-tests.json"));
    let cases = suite["tests"].as_array().unwrap();
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            let config = ProviderConfig::new().with_env(env(&case["env"], None));
            let uri = ContainerProvider::new(&config).uri();
            check(uri, &case["result"]).err().map(|error| format!("{}: {error}", case["docs"]))
        })
        .collect();
    println!("ecs-tests.json: {} of {} passed", cases.len() - failures.len(), cases.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn imds_endpoint_suite() {
    let Some(dir) = support::suite_dir() else { return };
    let suite = support::read_json(&dir.join("imds-config/imds-endpoint-tests.json"));
    let cases = suite["tests"].as_array().unwrap();
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| run_imds_case(case).err().map(|error| format!("{}: {error}", case["docs"])))
        .collect();
    println!("imds-endpoint-tests.json: {} of {} passed", cases.len() - failures.len(), cases.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn run_imds_case(case: &Value) -> Result<(), String> {
    // The case's files go to a directory of their own; `AWS_CONFIG_FILE` names them relatively.
    let files = support::temp_dir("imds");
    for (name, text) in case["fs"].as_object().unwrap() {
        std::fs::write(files.join(name), text.as_str().unwrap()).unwrap();
    }
    let config = ProviderConfig::new().with_env(env(&case["env"], Some(&files)));
    let mut provider = ImdsProvider::new(&config);
    if let Some(endpoint) = case["endpoint_override"].as_str() {
        provider = provider.with_endpoint(endpoint);
    }
    if let Some(mode) = case["mode_override"].as_str() {
        provider = provider.with_endpoint_mode(ImdsEndpointMode::parse(mode).unwrap());
    }
    let outcome = check(provider.token_uri(), &case["result"]);
    let _ = std::fs::remove_dir_all(&files);
    outcome
}

/// The case's variables; `AWS_CONFIG_FILE` resolved under `files`, and no home directory so
/// the real `~/.aws` stays out.
fn env(vars: &Value, files: Option<&std::path::Path>) -> Env {
    let vars = vars.as_object().unwrap().iter().map(|(key, value)| {
        let value = value.as_str().unwrap();
        match files.filter(|_| key == "AWS_CONFIG_FILE") {
            Some(files) => (key.clone(), files.join(value).display().to_string()),
            None => (key.clone(), value.to_owned()),
        }
    });
    Env::from_vars(vars.chain([("AWS_SHARED_CREDENTIALS_FILE".to_owned(), "/nonexistent/credentials".to_owned())]))
}

fn check(result: Result<String, CredentialsError>, expected: &Value) -> Result<(), String> {
    let wanted_error = expected.get("Err").or_else(|| expected.get("ErrorContains")).and_then(Value::as_str);
    match (result, expected.get("Ok").and_then(Value::as_str), wanted_error) {
        (Ok(uri), Some(expected), _) if uri == expected => Ok(()),
        (Err(error), None, Some(text)) if text.starts_with("No environment variables were set") => {
            (error.kind() == CredentialsErrorKind::NotLoaded).then_some(()).ok_or(format!("not NotLoaded: {error}"))
        }
        (Err(error), None, Some(text)) if error.to_string().contains(text) => Ok(()),
        (result, _, _) => Err(format!("got {result:?}, expected {expected}")),
    }
}
