//! Endpoints from the service's rule set: AmplifyBackend's own (vendored from botocore) through the
//! generated client, and a small rule set through the runtime, for what AmplifyBackend's doesn't
//! use (auth schemes, endpoint headers, operation parameters). Requests are recorded, never sent
//! out; only the 127.0.0.1 server answers for real.

mod support;

use awsgen_runtime::endpoint_rules::{EmbeddedRuleSet, Params};
use awsgen_runtime::http::{BoxFuture, HttpClient, HttpResponse, Response};
use awsgen_runtime::{
    AuthScheme, BuildError, Config, ConfigBuilder, Credentials, ErrorResponse, FixedTime, Operation, ParseError,
    Protocol, Request, SdkError, Service, TransportError,
};
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};
use support::{Reply, Server, ACCESS_KEY, SECRET_KEY};

/// Records each request's URL and headers and answers `{}` with 200, so nothing leaves the machine.
#[derive(Debug, Default)]
struct Recorder(Mutex<Vec<http::Request<bytes::Bytes>>>);

impl HttpClient for Recorder {
    fn call(&self, request: http::Request<bytes::Bytes>) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        self.0.lock().unwrap().push(request);
        Box::pin(async { Ok(HttpResponse { status: 200, headers: Default::default(), body: "{}".into() }) })
    }
}

impl Recorder {
    fn urls(&self) -> Vec<String> {
        self.0.lock().unwrap().iter().map(|r| r.uri().to_string()).collect()
    }

    fn header(&self, name: &str) -> Option<String> {
        let requests = self.0.lock().unwrap();
        requests.last()?.headers().get(name).map(|v| v.to_str().unwrap().to_owned())
    }
}

fn recorded(region: &str) -> (ConfigBuilder, Arc<Recorder>) {
    let recorder = Arc::new(Recorder::default());
    let config = Config::builder()
        .region(region)
        .credentials(Credentials::new(ACCESS_KEY, SECRET_KEY, None))
        .time_source(Arc::new(FixedTime(UNIX_EPOCH + Duration::from_secs(1_577_934_245))))
        .max_attempts(1)
        .http_client(recorder.clone());
    (config, recorder)
}

/// The URL AmplifyBackend's ListBackendJobs is sent to, or why it isn't.
async fn amplify_url(config: ConfigBuilder, recorder: &Recorder) -> Result<String, BuildError> {
    let client = awsgen_amplifybackend::Client::new(config.build());
    match client.list_backend_jobs().app_id("app").backend_environment_name("dev").send().await {
        Ok(_) => Ok(recorder.urls().pop().unwrap()),
        Err(SdkError::Build(error)) => Err(error),
        Err(other) => panic!("{other}"),
    }
}

#[tokio::test]
async fn amplifybackend_resolves_by_its_rule_set() {
    let path = "/backend/app/job/dev";
    let cases = [
        ("us-east-1", false, false, "https://amplifybackend.us-east-1.amazonaws.com"),
        ("us-east-1", true, false, "https://amplifybackend-fips.us-east-1.amazonaws.com"),
        ("us-east-1", false, true, "https://amplifybackend.us-east-1.api.aws"),
        ("us-east-1", true, true, "https://amplifybackend-fips.us-east-1.api.aws"),
        ("cn-north-1", false, false, "https://amplifybackend.cn-north-1.amazonaws.com.cn"),
    ];
    for (region, fips, dual_stack, expected) in cases {
        let (config, recorder) = recorded(region);
        let url = amplify_url(config.use_fips(fips).use_dual_stack(dual_stack), &recorder).await;
        assert_eq!(url, Ok(format!("{expected}{path}")), "{region} fips={fips} dual-stack={dual_stack}");
    }
}

#[tokio::test]
async fn a_rule_set_error_is_a_build_error_with_its_message() {
    let (config, recorder) = recorded("us-east-1");
    let error = amplify_url(config.endpoint_url("https://example.com").use_fips(true), &recorder).await.unwrap_err();
    let message = "Invalid Configuration: FIPS and custom endpoint are not supported";
    assert_eq!(error, BuildError::Endpoint { message: message.to_owned() });
    assert_eq!(error.to_string(), format!("no endpoint: {message}"));
    assert!(recorder.urls().is_empty(), "nothing sent");
    // The caller's URL is still checked as theirs.
    let (config, recorder) = recorded("us-east-1");
    let error = amplify_url(config.endpoint_url("https://user@example.com"), &recorder).await.unwrap_err();
    assert!(matches!(error, BuildError::InvalidSetting { setting: "endpoint_url", .. }), "{error}");
}

#[tokio::test]
async fn an_endpoint_url_still_reaches_the_local_server() {
    let server = Server::start(|_, _| Reply::json(200, serde_json::json!({"jobs": []}))).await;
    let config = Config::builder()
        .region("us-east-1")
        .credentials(Credentials::new(ACCESS_KEY, SECRET_KEY, None))
        .endpoint_url(&server.url)
        .max_attempts(1)
        .build();
    let client = awsgen_amplifybackend::Client::new(config);
    let call = client.list_backend_jobs().app_id("app").backend_environment_name("dev").send();
    let output = tokio::time::timeout(Duration::from_secs(30), call).await.unwrap().unwrap();
    assert!(output.jobs().is_empty());
    let requests = server.requests();
    assert_eq!(requests[0].target, "/backend/app/job/dev");
    assert_eq!(requests[0].signature, Ok(()));
}

/// A rule set using what AmplifyBackend's doesn't: an auth scheme with its own signing name and
/// region, an endpoint header, an operation parameter, and an error quoting a parameter.
static RULES: EmbeddedRuleSet = EmbeddedRuleSet::new(
    r#"{
  "version": "1.0",
  "parameters": {
    "Region": {"type": "string", "builtIn": "AWS::Region", "required": true},
    "Stage": {"type": "string", "required": false},
    "Mode": {"type": "string", "required": true, "default": "normal"}
  },
  "rules": [
    {"conditions": [{"fn": "isSet", "argv": [{"ref": "Stage"}]}, {"fn": "stringEquals", "argv": [{"ref": "Stage"}, "bad"]}],
     "type": "error", "error": "stage {Stage} is not allowed"},
    {"conditions": [{"fn": "stringEquals", "argv": [{"ref": "Mode"}, "sigv5"]}], "type": "endpoint",
     "endpoint": {"url": "https://x.example.com", "properties": {"authSchemes": [{"name": "sigv5"}]}}},
    {"conditions": [], "type": "endpoint", "endpoint": {
      "url": "https://{Region}.custom.example.com/base",
      "headers": {"x-endpoint-tag": ["a", "b"]},
      "properties": {"authSchemes": [{"name": "sigv4", "signingName": "othername", "signingRegion": "eu-west-3"}]}
    }}
  ]
}"#,
);

static CUSTOM: Service = Service {
    service_id: "Custom",
    api_version: "2020-01-01",
    endpoint_prefix: "custom",
    signing_name: "custom",
    protocol: Protocol::RestJson,
    auth: &[AuthScheme::SigV4],
    endpoint_rules: Some(&RULES),
    headers: &[],
};

/// An operation that sets the `Stage` and `Mode` parameters from its input.
struct Ping {
    stage: Option<String>,
    mode: &'static str,
    prefix: bool,
}

impl Operation for Ping {
    type Output = ();
    type Error = ();
    const NAME: &'static str = "Ping";

    fn request(&self) -> Result<Request, BuildError> {
        let request = Request::rest("GET", "/ping");
        if self.prefix {
            return request.host_prefix("acct.", &[]);
        }
        Ok(request)
    }

    fn parse_output(_: &Response) -> Result<(), ParseError> {
        Ok(())
    }

    fn parse_error(_: ErrorResponse) {}

    fn endpoint_params(&self, params: &mut Params) {
        if let Some(stage) = &self.stage {
            params.set("Stage", stage.as_str());
        }
        params.set("Mode", self.mode);
    }
}

async fn ping(stage: Option<&str>, mode: &'static str, prefix: bool) -> (Result<(), SdkError<()>>, Arc<Recorder>) {
    let (config, recorder) = recorded("us-west-2");
    let client = awsgen_runtime::Client::new(config.build(), &CUSTOM);
    let outcome = client.send(Ping { stage: stage.map(str::to_owned), mode, prefix }).await;
    (outcome, recorder)
}

#[tokio::test]
async fn auth_schemes_headers_and_operation_parameters_apply() {
    let (outcome, recorder) = ping(Some("prod"), "normal", false).await;
    outcome.unwrap();
    assert_eq!(recorder.urls(), ["https://us-west-2.custom.example.com/base/ping"]);
    let authorization = recorder.header("authorization").unwrap();
    assert!(
        authorization.contains("Credential=AKIDEXAMPLE/20200102/eu-west-3/othername/aws4_request"),
        "{authorization}"
    );
    let requests = recorder.0.lock().unwrap();
    let tags: Vec<_> = requests[0].headers().get_all("x-endpoint-tag").iter().map(|v| v.to_str().unwrap()).collect();
    assert_eq!(tags, ["a", "b"]);
    assert!(authorization.contains("x-endpoint-tag"), "endpoint headers are signed: {authorization}");
}

#[tokio::test]
async fn host_prefixes_apply_after_resolution() {
    let (outcome, recorder) = ping(None, "normal", true).await;
    outcome.unwrap();
    assert_eq!(recorder.urls(), ["https://acct.us-west-2.custom.example.com/base/ping"]);
}

#[tokio::test]
async fn rule_errors_and_unsupported_auth_schemes_are_build_errors() {
    let (outcome, recorder) = ping(Some("bad"), "normal", false).await;
    let expected = BuildError::Endpoint { message: "stage bad is not allowed".to_owned() };
    assert!(matches!(&outcome, Err(SdkError::Build(e)) if *e == expected), "{outcome:?}");
    assert!(recorder.urls().is_empty());
    let (outcome, recorder) = ping(None, "sigv5", false).await;
    let Err(SdkError::Build(BuildError::Endpoint { message })) = outcome else { panic!("{outcome:?}") };
    assert_eq!(message, "the endpoint requires an unsupported auth scheme (sigv5)");
    assert!(recorder.urls().is_empty());
}

#[test]
fn the_service_endpoint_variable_wins_over_the_global_one() {
    // One test touches these variables, so no other test sees them change.
    std::env::set_var("AWS_ENDPOINT_URL", "http://127.0.0.1:1");
    std::env::set_var("AWS_ENDPOINT_URL_AMPLIFYBACKEND", "http://127.0.0.1:2");
    std::env::set_var("AWS_USE_FIPS_ENDPOINT", "TRUE");
    let config = Config::from_env().build();
    std::env::remove_var("AWS_ENDPOINT_URL");
    std::env::remove_var("AWS_ENDPOINT_URL_AMPLIFYBACKEND");
    std::env::remove_var("AWS_USE_FIPS_ENDPOINT");
    let debug = format!("{:?}", awsgen_amplifybackend::Client::new(config.clone()).config());
    assert!(debug.contains("http://127.0.0.1:2") && debug.contains("use_fips: true"), "{debug}");
    let other = format!("{:?}", awsgen_runtime::Client::new(config, &CUSTOM).config());
    assert!(other.contains("http://127.0.0.1:1"), "{other}");
}

/// DynamoDB's pattern: an account's own endpoint when the credentials name their account.
static ACCOUNT_RULES: EmbeddedRuleSet = EmbeddedRuleSet::new(
    r#"{
  "version": "1.0",
  "parameters": {
    "Region": {"type": "string", "builtIn": "AWS::Region", "required": true},
    "AccountId": {"type": "string", "builtIn": "AWS::Auth::AccountId", "required": false},
    "AccountIdEndpointMode": {"type": "string", "builtIn": "AWS::Auth::AccountIdEndpointMode", "required": false}
  },
  "rules": [
    {"conditions": [{"fn": "isSet", "argv": [{"ref": "AccountIdEndpointMode"}]},
                    {"fn": "stringEquals", "argv": [{"ref": "AccountIdEndpointMode"}, "required"]},
                    {"fn": "not", "argv": [{"fn": "isSet", "argv": [{"ref": "AccountId"}]}]}],
     "type": "error", "error": "AccountIdEndpointMode is required but no AccountID was provided or able to be loaded"},
    {"conditions": [{"fn": "isSet", "argv": [{"ref": "AccountId"}]},
                    {"fn": "isSet", "argv": [{"ref": "AccountIdEndpointMode"}]},
                    {"fn": "not", "argv": [{"fn": "stringEquals", "argv": [{"ref": "AccountIdEndpointMode"}, "disabled"]}]}],
     "type": "endpoint", "endpoint": {"url": "https://{AccountId}.ddb.{Region}.amazonaws.com"}},
    {"conditions": [], "type": "endpoint", "endpoint": {"url": "https://ddb.{Region}.amazonaws.com"}}
  ]
}"#,
);

static BY_ACCOUNT: Service = Service {
    service_id: "ByAccount",
    api_version: "2020-01-01",
    endpoint_prefix: "ddb",
    signing_name: "ddb",
    protocol: Protocol::RestJson,
    auth: &[AuthScheme::SigV4],
    endpoint_rules: Some(&ACCOUNT_RULES),
    headers: &[],
};

struct Get;

impl Operation for Get {
    type Output = ();
    type Error = ();
    const NAME: &'static str = "Get";

    fn request(&self) -> Result<Request, BuildError> {
        Ok(Request::rest("GET", "/item"))
    }

    fn parse_output(_: &Response) -> Result<(), ParseError> {
        Ok(())
    }

    fn parse_error(_: ErrorResponse) {}
}

/// `AccountIdEndpointMode` as set: preferred (the default) uses the account when the credentials
/// name one, disabled never, required always, failing unsent without one.
#[tokio::test]
async fn the_account_id_endpoint_mode_reaches_the_rules() {
    use awsgen_runtime::AccountIdEndpointMode::{Disabled, Preferred, Required};
    let with_account = || Credentials::new(ACCESS_KEY, SECRET_KEY, None).with_account_id("111122223333");
    let without = || Credentials::new(ACCESS_KEY, SECRET_KEY, None);
    for (mode, credentials, url) in [
        (Preferred, with_account(), Some("https://111122223333.ddb.us-west-2.amazonaws.com/item")),
        (Disabled, with_account(), Some("https://ddb.us-west-2.amazonaws.com/item")),
        (Required, with_account(), Some("https://111122223333.ddb.us-west-2.amazonaws.com/item")),
        (Required, without(), None),
    ] {
        let (config, recorder) = recorded("us-west-2");
        let config = config.credentials(credentials).account_id_endpoint_mode(mode).build();
        let sent = awsgen_runtime::Client::new(config, &BY_ACCOUNT).send(Get).await;
        match url {
            Some(url) => {
                assert!(sent.is_ok(), "{mode:?}: {sent:?}");
                assert_eq!(recorder.urls(), [url], "{mode:?}");
            }
            None => {
                let error = sent.unwrap_err();
                let required = matches!(&error, SdkError::Build(BuildError::Endpoint { message }) if message.contains("AccountIdEndpointMode is required"));
                assert!(required, "{error:?}");
                assert!(recorder.urls().is_empty());
            }
        }
    }
    assert_eq!(awsgen_runtime::AccountIdEndpointMode::parse("REQUIRED"), Ok(Required));
    assert!(awsgen_runtime::AccountIdEndpointMode::parse("always").is_err());
}

#[tokio::test]
async fn the_credentials_account_id_reaches_the_rules() {
    for (credentials, url) in [
        (Credentials::new(ACCESS_KEY, SECRET_KEY, None), "https://ddb.us-west-2.amazonaws.com/item"),
        (
            Credentials::new(ACCESS_KEY, SECRET_KEY, None).with_account_id("111122223333"),
            "https://111122223333.ddb.us-west-2.amazonaws.com/item",
        ),
    ] {
        let (config, recorder) = recorded("us-west-2");
        let client = awsgen_runtime::Client::new(config.credentials(credentials).build(), &BY_ACCOUNT);
        client.send(Get).await.unwrap();
        assert_eq!(recorder.urls(), [url]);
    }
}
