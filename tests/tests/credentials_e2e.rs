//! Generated clients get credentials from providers: a shared cache that refreshes expiring
//! credentials once for every concurrent call, and the default chain of awsgen-config reading
//! profile files (static keys, credential_process) from a temporary folder, against a real
//! HTTP server on 127.0.0.1.

mod support;

use awsgen_amplifybackend::config::{Credentials, RetryConfig, TimeSource};
use awsgen_amplifybackend::error::SdkError;
use awsgen_amplifybackend::operation::list_backend_jobs::{ListBackendJobsError, ListBackendJobsOutput};
use awsgen_amplifybackend::{Client, Config};
use awsgen_config::{ConfigLoader, Env, ProviderConfig};
use awsgen_runtime::credentials::{CredentialsError, CredentialsErrorKind, ProvideCredentials};
use awsgen_runtime::http::BoxFuture;
use serde_json::json;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use support::{Received, Reply, Server, SECRET_KEY};

type Outcome = Result<ListBackendJobsOutput, SdkError<ListBackendJobsError>>;

async fn list(client: &Client) -> Outcome {
    let call = client.list_backend_jobs().app_id("app").backend_environment_name("dev").send();
    tokio::time::timeout(Duration::from_secs(30), call).await.expect("the call finishes in bounded time")
}

fn ok_server() -> impl std::future::Future<Output = Server> {
    Server::start(|_, _| Reply::json(200, json!({"jobs": []})))
}

/// The access key id the SigV4 `Credential=` of a request names.
fn signed_key_id(request: &Received) -> &str {
    let authorization = request.header("authorization").expect("signed");
    let credential = authorization.split("Credential=").nth(1).expect("a Credential= part");
    credential.split('/').next().unwrap()
}

fn quick_retries() -> RetryConfig {
    RetryConfig { max_attempts: 3, initial_backoff: Duration::from_millis(5), max_backoff: Duration::from_millis(20) }
}

/// A clock the test moves; the client signs with it and the credentials cache reads it.
#[derive(Debug)]
struct Clock(Mutex<SystemTime>);

impl Clock {
    fn new() -> Arc<Self> {
        Arc::new(Clock(Mutex::new(SystemTime::now())))
    }

    fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl TimeSource for Clock {
    fn now(&self) -> SystemTime {
        *self.0.lock().unwrap()
    }
}

/// Hands out `AKID<n>` on its n-th call, valid for an hour from the clock's now, after a short
/// pause so that concurrent callers overlap.
#[derive(Debug)]
struct HourlyKeys {
    clock: Arc<Clock>,
    calls: Arc<AtomicU32>,
}

impl ProvideCredentials for HourlyKeys {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(async move {
            let call = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            tokio::time::sleep(Duration::from_millis(20)).await;
            let expiry = self.clock.now() + Duration::from_secs(3600);
            Ok(Credentials::new(format!("AKID{call}"), SECRET_KEY, None).with_expiry(expiry))
        })
    }
}

fn hourly_config(server: &Server, clock: &Arc<Clock>, calls: &Arc<AtomicU32>) -> Config {
    Config::builder()
        .region("us-east-1")
        .endpoint_url(&server.url)
        .retry(quick_retries())
        .time_source(clock.clone())
        .credentials_provider(HourlyKeys { clock: clock.clone(), calls: calls.clone() })
        .build()
}

#[tokio::test]
async fn expiring_credentials_are_refreshed_once_for_every_client_and_call() {
    let server = ok_server().await;
    let (clock, calls) = (Clock::new(), Arc::new(AtomicU32::new(0)));
    let config = hourly_config(&server, &clock, &calls);
    // Two clients from one config (and its clone) share one cache.
    let clients = [Client::new(config.clone()), Client::new(config)];
    let many_calls = || futures_util::future::join_all((0..20).map(|i| list(&clients[i % 2])));

    assert!(many_calls().await.iter().all(Result::is_ok));
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    clock.advance(Duration::from_secs(3600));
    assert!(many_calls().await.iter().all(Result::is_ok));
    assert_eq!(calls.load(Ordering::SeqCst), 2);

    let keys: Vec<String> = server.requests().iter().map(|request| signed_key_id(request).to_owned()).collect();
    assert_eq!(keys, [vec!["AKID1"; 20], vec!["AKID2"; 20]].concat());
    assert!(server.requests().iter().all(|request| request.signature.is_ok()));
}

#[tokio::test]
async fn credentials_that_expire_between_attempts_are_fetched_again() {
    let (clock, calls) = (Clock::new(), Arc::new(AtomicU32::new(0)));
    let moved = clock.clone();
    let server = Server::start(move |_, index| match index {
        0 => {
            moved.advance(Duration::from_secs(2 * 3600));
            Reply::json(503, json!({"__type": "ServiceUnavailable"}))
        }
        _ => Reply::json(200, json!({"jobs": []})),
    })
    .await;
    let client = Client::new(hourly_config(&server, &clock, &calls));
    list(&client).await.unwrap();
    let keys: Vec<String> = server.requests().iter().map(|request| signed_key_id(request).to_owned()).collect();
    assert_eq!(keys, ["AKID1", "AKID2"]);
}

/// A folder of its own under the system's temporary folder, emptied first.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("awsgen-credentials-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// An environment naming only the profile files in `dir` (and no instance metadata to ask).
fn env_with_profile_files(dir: &std::path::Path, config: &str, credentials: &str, extra: &[(&str, &str)]) -> Env {
    let (config_file, credentials_file) = (dir.join("config"), dir.join("credentials"));
    std::fs::write(&config_file, config).unwrap();
    std::fs::write(&credentials_file, credentials).unwrap();
    let files = [
        ("AWS_CONFIG_FILE", config_file.display().to_string()),
        ("AWS_SHARED_CREDENTIALS_FILE", credentials_file.display().to_string()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
    ];
    let extra = extra.iter().map(|(name, value)| (name.to_string(), value.to_string()));
    Env::from_vars(files.into_iter().map(|(name, value)| (name.to_owned(), value)).chain(extra))
}

async fn loaded_client(env: Env) -> Client {
    let loader = ConfigLoader::default().provider_config(ProviderConfig::new().with_env(env));
    Client::new(loader.load().await)
}

#[tokio::test]
async fn a_profile_file_gives_region_endpoint_attempts_and_the_key_that_signs() {
    let server = ok_server().await;
    let dir = temp_dir("profile");
    let config = format!("[profile dev]\nregion = eu-west-1\nendpoint_url = {}\nmax_attempts = 2\n", server.url);
    let credentials = format!("[dev]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = {SECRET_KEY}\n");
    let client = loaded_client(env_with_profile_files(&dir, &config, &credentials, &[("AWS_PROFILE", "dev")])).await;

    list(&client).await.unwrap();
    let [request]: [Received; 1] = server.requests().try_into().unwrap();
    assert_eq!(request.signature, Ok(()));
    assert_eq!(signed_key_id(&request), "AKIDPROFILE");
    assert!(request.header("authorization").unwrap().contains("/eu-west-1/amplifybackend/aws4_request"));
    assert_eq!(request.header("amz-sdk-request"), Some("attempt=1; max=2"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn credential_process_credentials_sign_calls_and_are_cached() {
    let server = ok_server().await;
    let dir = temp_dir("process");
    let runs = dir.join("runs");
    let output = json!({
        "Version": 1, "AccessKeyId": "AKIDPROCESS", "SecretAccessKey": SECRET_KEY,
        "SessionToken": "TOKENPROCESS", "Expiration": "2099-01-01T00:00:00Z",
    });
    let script = dir.join("credentials.sh");
    std::fs::write(&script, format!("echo run >> '{}'\ncat <<'EOF'\n{output}\nEOF\n", runs.display())).unwrap();
    let config = format!("[default]\nregion = us-east-1\ncredential_process = sh '{}'\n", script.display());
    let env = env_with_profile_files(&dir, &config, "", &[("AWS_ENDPOINT_URL", &server.url)]);
    let client = loaded_client(env).await;

    list(&client).await.unwrap();
    list(&client).await.unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_eq!(request.signature, Ok(()));
        assert_eq!(signed_key_id(request), "AKIDPROCESS");
        assert_eq!(request.header("x-amz-security-token"), Some("TOKENPROCESS"));
    }
    assert_eq!(std::fs::read_to_string(&runs).unwrap(), "run\n", "the process runs once, then the cache answers");
    std::fs::remove_dir_all(dir).unwrap();
}

/// The shown error of a call that found no credentials (`Display`, `Debug`, and the whole
/// `SdkError`), which must never hold a secret.
async fn credentials_error(client: &Client) -> (CredentialsError, String) {
    match list(client).await {
        Err(SdkError::Credentials(error)) => {
            let shown = format!("{error} | {error:?} | {}", list(client).await.unwrap_err());
            assert!(!shown.contains("TOPSECRET"), "{shown}");
            (error, shown)
        }
        other => panic!("expected a credentials error, got {other:?}"),
    }
}

/// Half a key pair in the profile is a mistake to report (as botocore's PartialCredentialsError),
/// not a reason to go on down the chain; its secret is never shown (`credentials_error` checks).
#[tokio::test]
async fn half_a_key_pair_stops_the_chain_without_showing_the_secret() {
    let server = ok_server().await;
    let dir = temp_dir("half-pair");
    let credentials = "[default]\naws_secret_access_key = TOPSECRET-PROFILE\n";
    let config = "[default]\nregion = us-east-1\n";
    let env = env_with_profile_files(&dir, config, credentials, &[("AWS_ENDPOINT_URL", &server.url)]);

    let (error, shown) = credentials_error(&loaded_client(env).await).await;
    assert_eq!(error.kind(), CredentialsErrorKind::Invalid);
    assert!(shown.contains("aws_access_key_id"), "{shown}");
    assert!(server.requests().is_empty(), "nothing is sent without credentials");
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_chain_without_credentials_says_why_each_provider_did_not_apply() {
    let server = ok_server().await;
    let dir = temp_dir("empty-chain");
    let credentials = "[default]\n";
    let config = "[default]\nregion = us-east-1\n";
    let env = env_with_profile_files(&dir, config, credentials, &[("AWS_ENDPOINT_URL", &server.url)]);

    let (error, shown) = credentials_error(&loaded_client(env).await).await;
    assert_eq!(error.kind(), CredentialsErrorKind::NotLoaded);
    for provider in ["environment: ", "profile: ", "web identity: ", "container: ", "instance metadata: "] {
        assert!(shown.contains(provider), "{provider} missing from {shown}");
    }
    assert!(shown.contains("request not sent: no credentials loaded: "), "{shown}");
    assert!(server.requests().is_empty(), "nothing is sent without credentials");
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn half_a_key_pair_in_the_environment_stops_the_chain_without_showing_it() {
    let server = ok_server().await;
    let dir = temp_dir("half-env");
    let credentials = format!("[default]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = {SECRET_KEY}\n");
    let extra =
        [("AWS_SECRET_ACCESS_KEY", "TOPSECRET-ENV"), ("AWS_REGION", "us-east-1"), ("AWS_ENDPOINT_URL", &server.url)];
    let env = env_with_profile_files(&dir, "", &credentials, &extra);

    let (error, shown) = credentials_error(&loaded_client(env).await).await;
    assert_eq!(error.kind(), CredentialsErrorKind::Invalid, "falling through to the profile would be a surprise");
    assert!(shown.contains("AWS_ACCESS_KEY_ID is not"), "{shown}");
    assert!(server.requests().is_empty());
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn static_credentials_still_work_as_their_own_provider() {
    let server = ok_server().await;
    let credentials = Credentials::new("AKIDSTATIC", SECRET_KEY, None);
    let config = Config::builder().region("us-east-1").endpoint_url(&server.url).credentials(credentials).build();
    list(&Client::new(config)).await.unwrap();
    assert_eq!(signed_key_id(&server.requests()[0]), "AKIDSTATIC");
}
