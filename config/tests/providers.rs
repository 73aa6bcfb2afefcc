//! Limits and refusals the suites don't cover: hostile processes, files and endpoints.

mod support;

use awsgen_config::profile::{ProfileSet, MAX_PROFILE_FILE_SIZE};
use awsgen_config::provider::{ContainerProvider, CredentialProcess, ProfileProvider};
use awsgen_config::{DefaultCredentialsChain, Env, ProviderConfig};
use awsgen_runtime::credentials::CredentialsErrorKind;
use std::time::Duration;

fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(future)
}

#[test]
fn credential_process_has_a_time_limit() {
    let process = CredentialProcess::new("sleep 5").with_timeout(Duration::from_millis(200));
    let started = std::time::Instant::now();
    let error = block_on(process.credentials()).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    assert!(error.to_string().contains("in time") || error.to_string().contains("within"), "{error}");
}

#[test]
fn credential_process_output_has_a_size_limit() {
    let error = block_on(CredentialProcess::new("head -c 1000000 /dev/zero").credentials()).unwrap_err();
    assert!(error.to_string().contains("more than"), "{error}");
}

#[test]
fn credential_process_errors_never_repeat_the_output() {
    let output = r#"{"Version": 2, "AccessKeyId": "AKID", "SecretAccessKey": "TOPSECRET"}"#;
    let error = block_on(CredentialProcess::new(format!("echo '{output}'")).credentials()).unwrap_err();
    assert!(!format!("{error} {error:?}").contains("TOPSECRET"), "{error}");
    let wrong_type = r#"{"Version": 1, "AccessKeyId": "AKID", "SecretAccessKey": 12345678}"#;
    let error = block_on(CredentialProcess::new(format!("echo '{wrong_type}'")).credentials()).unwrap_err();
    assert!(!error.to_string().contains("12345678"), "{error}");
    let debug = format!("{:?}", CredentialProcess::new("echo TOPSECRET"));
    assert!(!debug.contains("TOPSECRET"), "{debug}");
}

#[test]
fn credential_process_reads_version_1_with_expiration() {
    let output =
        r#"{"Version": 1, "AccessKeyId": "AKID", "SecretAccessKey": "S", "Expiration": "2030-01-02T03:04:05Z"}"#;
    let credentials = block_on(CredentialProcess::new(format!("echo '{output}'")).credentials()).unwrap();
    let expiry = credentials.expiry().unwrap().duration_since(std::time::UNIX_EPOCH).unwrap();
    assert_eq!(expiry.as_secs(), 1_893_553_445);
}

#[test]
fn container_full_uri_over_plain_http_must_stay_local() {
    for (uri, allowed) in [
        ("http://evil.example.com/creds", false),
        ("http://169.254.170.3/creds", false),
        ("http://127.0.0.2:8080/creds", true),
        ("http://[::1]/creds", true),
        ("https://evil.example.com/creds", true),
        ("ftp://127.0.0.1/creds", false),
    ] {
        let config = ProviderConfig::new().with_env(Env::from_vars([("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri)]));
        let result = ContainerProvider::new(&config).uri();
        assert_eq!(result.is_ok(), allowed, "{uri}: {result:?}");
    }
}

#[test]
fn oversized_profile_files_are_refused() {
    let dir = support::temp_dir("large");
    let path = dir.join("config");
    std::fs::write(&path, vec![b'#'; MAX_PROFILE_FILE_SIZE as usize + 1]).unwrap();
    let env = Env::from_vars([("AWS_CONFIG_FILE", path.display().to_string())]);
    let error = ProfileSet::load(&env).unwrap_err();
    assert!(error.to_string().contains("larger than"), "{error}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn files_and_profile_come_from_the_environment_with_home_expanded() {
    let dir = support::temp_dir("home");
    std::fs::create_dir_all(dir.join(".aws")).unwrap();
    std::fs::write(dir.join(".aws/creds"), "[work]\naws_access_key_id = AKIDWORK\naws_secret_access_key = S\n")
        .unwrap();
    let env = Env::from_vars([
        ("HOME", dir.display().to_string()),
        ("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/creds".to_owned()),
        ("AWS_PROFILE", "work".to_owned()),
    ]);
    let credentials = block_on(ProfileProvider::new(&ProviderConfig::new().with_env(env)).credentials()).unwrap();
    assert_eq!(credentials.access_key_id(), "AKIDWORK");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_chosen_profile_that_does_not_exist_is_an_error() {
    let env = Env::from_vars([("AWS_PROFILE", "nope"), ("HOME", "/nonexistent")]);
    let error = block_on(ProfileProvider::new(&ProviderConfig::new().with_env(env)).credentials()).unwrap_err();
    assert_eq!(error.kind(), CredentialsErrorKind::Invalid);
    assert!(error.to_string().contains("`nope`"), "{error}");
}

#[test]
fn the_chain_says_why_each_provider_did_not_apply() {
    // IMDS pointed at a closed port on 127.0.0.1: no metadata service.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let env = Env::from_vars([
        ("HOME", "/nonexistent".to_owned()),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", format!("http://{closed}")),
    ]);
    let error = block_on(DefaultCredentialsChain::new(&ProviderConfig::new().with_env(env)).credentials()).unwrap_err();
    assert_eq!(error.kind(), CredentialsErrorKind::NotLoaded);
    let text = error.to_string();
    for provider in ["environment:", "profile:", "web identity:", "container:", "instance metadata:"] {
        assert!(text.contains(provider), "{provider} missing from {text}");
    }
}

/// A profile file in a fresh directory; `profile` chosen. Nothing here reaches STS.
fn profile_error(name: &str, config: &str, profile: &str) -> String {
    let dir = support::temp_dir(name);
    std::fs::write(dir.join("config"), config).unwrap();
    let env = Env::from_vars([("AWS_CONFIG_FILE", dir.join("config").display().to_string())]);
    let provider_config = ProviderConfig::new().with_env(env).with_profile_name(profile);
    block_on(ProfileProvider::new(&provider_config).credentials()).unwrap_err().to_string()
}

#[test]
fn source_profile_cycles_are_refused_naming_the_profiles() {
    let config = "[profile a]\nrole_arn = arn:aws:iam::1:role/A\nsource_profile = b\n\
                  [profile b]\nrole_arn = arn:aws:iam::1:role/B\nsource_profile = a\n";
    let error = profile_error("cycle", config, "a");
    assert!(error.contains("cycle: `a` -> `b` -> `a`"), "{error}");
}

#[test]
fn mfa_serial_is_refused_as_not_interactive() {
    let config = "[profile a]\nrole_arn = arn:aws:iam::1:role/A\nsource_profile = b\nmfa_serial = arn:mfa\n\
                  [profile b]\naws_access_key_id = AKID\naws_secret_access_key = TOPSECRET\n";
    let error = profile_error("mfa", config, "a");
    assert!(error.contains("MFA code") && error.contains("not interactive"), "{error}");
    assert!(!error.contains("TOPSECRET"), "{error}");
}
