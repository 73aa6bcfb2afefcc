//! The `test-util` feature as a user's own tests would use it: a small piece of "user code"
//! tested with the mock client (no server), and with recorded HTTP traffic played back.

// A rule's closure returns `Result<_, SdkError<_>>`, which clippy finds large (it is, as in aws-sdk-rust).
#![allow(clippy::result_large_err)]

mod support;

use awsgen_amplifybackend::config::Credentials;
use awsgen_amplifybackend::error::{SdkError, TransportError, TransportErrorKind};
use awsgen_amplifybackend::operation::get_backend::{GetBackendError, GetBackendInput, GetBackendOutput};
use awsgen_amplifybackend::operation::list_backend_jobs::{
    ListBackendJobsError, ListBackendJobsInput, ListBackendJobsOutput,
};
use awsgen_amplifybackend::pagination::TryStreamExt;
use awsgen_amplifybackend::test_util::{
    mock, ErrorMetadata, Exchange, Mocks, RecordedRequest, Recorder, Replay, Unhandled,
};
use awsgen_amplifybackend::types::{BackendJobRespObj, NotFoundException};
use awsgen_amplifybackend::{Client, Config};

// ---- The user's code under test -------------------------------------------------------------

/// The environments of an app, or none if Amplify doesn't know it.
async fn environments(client: &Client, app: &str) -> Result<Vec<String>, SdkError<GetBackendError>> {
    match client.get_backend().app_id(app).send().await {
        Ok(backend) => Ok(backend.backend_environment_list().to_vec()),
        Err(SdkError::Service(GetBackendError::NotFound(_))) => Ok(Vec::new()),
        Err(other) => Err(other),
    }
}

/// The ids of an environment's failed jobs, over every page.
async fn failed_jobs(client: &Client, app: &str, env: &str) -> Result<Vec<String>, SdkError<ListBackendJobsError>> {
    let jobs: Vec<BackendJobRespObj> = client
        .list_backend_jobs()
        .app_id(app)
        .backend_environment_name(env)
        .into_paginator()
        .page_size(2)
        .items()
        .try_collect()
        .await?;
    Ok(jobs
        .iter()
        .filter(|job| job.status() == Some("FAILED"))
        .filter_map(|job| job.job_id().map(str::to_owned))
        .collect())
}

// ---- Mocks ----------------------------------------------------------------------------------

fn job(id: &str, status: &str) -> BackendJobRespObj {
    BackendJobRespObj::builder()
        .app_id("app")
        .backend_environment_name("dev")
        .job_id(id)
        .status(status)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_mocked_output_is_returned_and_the_request_recorded() {
    let get = mock::<GetBackendInput>().match_requests(|input| input.app_id() == Some("app-1")).then_output(|| {
        GetBackendOutput::builder().backend_environment_list(vec!["dev".into(), "prod".into()]).build()
    });
    let mocks = Mocks::new().with(&get);
    let client = Client::from_mocks(&mocks);

    assert_eq!(environments(&client, "app-1").await.unwrap(), ["dev", "prod"]);

    assert_eq!(get.num_calls(), 1);
    assert_eq!(get.requests()[0].app_id(), Some("app-1"));
    assert_eq!(mocks.operations(), ["GetBackend"]);
    assert_eq!(mocks.requests::<GetBackendInput>(), get.requests());
    mocks.assert_all_used();
}

#[tokio::test]
async fn a_modeled_error_reaches_the_code_that_handles_it() {
    let not_found = mock::<GetBackendInput>()
        .then_error(|| {
            let meta = ErrorMetadata::new().with_code(NotFoundException::CODE).with_status(404).with_request_id("r-1");
            GetBackendError::NotFound(NotFoundException::builder().message("no such app").meta(meta).build())
        })
        .repeatedly();
    let client = Client::from_mocks(&Mocks::new().with(&not_found));
    assert_eq!(environments(&client, "gone").await.unwrap(), Vec::<String>::new());

    // The same error as a caller sees it.
    let error = client.get_backend().app_id("gone").send().await.unwrap_err();
    assert_eq!((error.code(), error.status()), (Some("NotFoundException"), Some(404)));
    assert_eq!(error.to_string(), "NotFoundException: no such app (HTTP 404, request id r-1)");
    assert_eq!(not_found.num_calls(), 2);
}

#[tokio::test]
#[should_panic(expected = "no mock rule for GetBackend answers this request")]
async fn a_call_no_rule_answers_panics_showing_the_input() {
    let only_app_1 = mock::<GetBackendInput>()
        .match_requests(|input| input.app_id() == Some("app-1"))
        .then_output(|| GetBackendOutput::builder().build());
    let client = Client::from_mocks(&Mocks::new().with(&only_app_1));
    let _ = client.get_backend().app_id("app-2").send().await;
}

#[tokio::test]
async fn unhandled_errors_and_any_sdk_error_can_be_mocked() {
    let flaky = mock::<GetBackendInput>()
        .then_error(|| {
            let meta = ErrorMetadata::new().with_code("Throttling").with_status(400);
            GetBackendError::Unhandled(Unhandled::for_test(meta))
        })
        .then(|_| Err(SdkError::Transport(TransportError::new(TransportErrorKind::AttemptTimeout, "mocked"))));
    let client = Client::from_mocks(&Mocks::new().with(&flaky));
    assert_eq!(environments(&client, "app").await.unwrap_err().code(), Some("Throttling"));
    let timeout = environments(&client, "app").await.unwrap_err();
    assert!(matches!(timeout, SdkError::Transport(ref e) if e.is_timeout()), "{timeout}");
}

/// A paginator over mocked pages: each page's rule matches the token the paginator sends.
#[tokio::test]
async fn a_paginator_runs_over_mocked_pages() {
    let first = mock::<ListBackendJobsInput>().match_requests(|input| input.next_token().is_none()).then_output(|| {
        ListBackendJobsOutput::builder()
            .jobs(vec![job("1", "FAILED"), job("2", "COMPLETED")])
            .next_token("page-2")
            .build()
    });
    let second = mock::<ListBackendJobsInput>()
        .match_requests(|input| input.next_token() == Some("page-2"))
        .then_output(|| ListBackendJobsOutput::builder().jobs(vec![job("3", "FAILED")]).build());
    let mocks = Mocks::new().with(&first).with(&second);
    let client = Client::from_mocks(&mocks);

    assert_eq!(failed_jobs(&client, "app", "dev").await.unwrap(), ["1", "3"]);

    let sent = mocks.requests::<ListBackendJobsInput>();
    let tokens: Vec<_> = sent.iter().map(|input| input.next_token()).collect();
    assert_eq!(tokens, [None, Some("page-2")]);
    assert!(sent.iter().all(|input| input.max_results() == Some(2) && input.backend_environment_name() == Some("dev")));
    mocks.assert_all_used();
}

/// One rule can answer a sequence: pages in order, as a server would.
#[tokio::test]
async fn one_rule_answers_with_responses_in_sequence() {
    let pages = mock::<ListBackendJobsInput>()
        .then_output(|| ListBackendJobsOutput::builder().jobs(vec![job("1", "FAILED")]).next_token("t").build())
        .then_output(|| ListBackendJobsOutput::builder().jobs(vec![job("2", "FAILED")]).build());
    let client = Client::from_mocks(&Mocks::new().with(&pages));
    assert_eq!(failed_jobs(&client, "app", "dev").await.unwrap(), ["1", "2"]);
    assert_eq!(pages.num_calls(), 2);
}

/// Stubber's way: calls in a fixed order, each input exactly as expected.
#[tokio::test]
async fn in_order_mocks_check_each_request_against_the_expected_input() {
    let expected = GetBackendInput::builder().app_id("app").build().unwrap();
    let get = mock::<GetBackendInput>()
        .expect(expected)
        .then_output(|| GetBackendOutput::builder().backend_environment_list(vec!["dev".into()]).build());
    let list = mock::<ListBackendJobsInput>().then_output(|| ListBackendJobsOutput::builder().build()).repeatedly();
    let mocks = Mocks::in_order().with(&get).with(&list);
    let client = Client::from_mocks(&mocks);

    assert_eq!(environments(&client, "app").await.unwrap(), ["dev"]);
    assert!(failed_jobs(&client, "app", "dev").await.unwrap().is_empty());
    assert!(failed_jobs(&client, "app", "dev").await.unwrap().is_empty());
    assert_eq!(mocks.operations(), ["GetBackend", "ListBackendJobs", "ListBackendJobs"]);
}

#[tokio::test]
#[should_panic(expected = "the GetBackend request does not match mock rule #1")]
async fn in_order_mocks_refuse_a_different_input() {
    let get = mock::<GetBackendInput>()
        .expect(GetBackendInput::builder().app_id("app").build().unwrap())
        .then_output(|| GetBackendOutput::builder().build());
    let client = Client::from_mocks(&Mocks::in_order().with(&get));
    let _ = environments(&client, "other-app").await;
}

#[tokio::test]
#[should_panic(expected = "unexpected call of ListBackendJobs: mock rule #1 expects a call of GetBackend")]
async fn in_order_mocks_refuse_a_call_out_of_order() {
    let get = mock::<GetBackendInput>().then_output(|| GetBackendOutput::builder().build());
    let client = Client::from_mocks(&Mocks::in_order().with(&get));
    let _ = failed_jobs(&client, "app", "dev").await;
}

#[tokio::test]
#[should_panic(expected = "rule #2 (ListBackendJobs): 0 of 1 responses used")]
async fn unused_responses_fail_the_test() {
    let get = mock::<GetBackendInput>().then_output(|| GetBackendOutput::builder().build());
    let list = mock::<ListBackendJobsInput>().then_output(|| ListBackendJobsOutput::builder().build());
    let mocks = Mocks::new().with(&get).with(&list);
    environments(&Client::from_mocks(&mocks), "app").await.unwrap();
    mocks.assert_all_used();
}

#[tokio::test]
async fn requests_are_still_checked_before_a_mock_answers() {
    let get = mock::<GetBackendInput>().then_output(|| GetBackendOutput::builder().build()).repeatedly();
    let client = Client::from_mocks(&Mocks::new().with(&get));
    let missing = client.get_backend().send().await.unwrap_err();
    assert!(missing.to_string().contains("required member `app_id` was not set"), "{missing}");
    let empty = client.get_backend().app_id("").send().await.unwrap_err();
    assert!(matches!(empty, SdkError::Build(_)), "{empty}");
    assert_eq!(get.num_calls(), 0);
}

// ---- Replayed traffic -----------------------------------------------------------------------

/// Recorded traffic, as `Recorder::to_json` writes it (here by hand): the paginator's two
/// pages. The recording names no host, so it matches whatever endpoint the config has.
const RECORDING: &str = r#"[
  {
    "request": {"method": "POST", "uri": "/backend/app/job/dev", "body": "{\"maxResults\":2}",
                "headers": {"content-type": "application/json"}},
    "response": {"status": 200, "headers": {"x-amzn-requestid": "r-1"},
                 "body": "{\"jobs\":[{\"appId\":\"app\",\"backendEnvironmentName\":\"dev\",\"jobId\":\"1\",\"status\":\"FAILED\"}],\"nextToken\":\"n\"}"}
  },
  {
    "request": {"method": "POST", "uri": "https://amplifybackend.us-east-1.amazonaws.com/backend/app/job/dev",
                "body": "{\"nextToken\": \"n\", \"maxResults\": 2}"},
    "response": {"status": 200, "body": "{\"jobs\":[{\"appId\":\"app\",\"backendEnvironmentName\":\"dev\",\"jobId\":\"2\",\"status\":\"FAILED\"}]}"}
  }
]"#;

fn replaying_client(replay: &Replay) -> Client {
    Client::new(
        Config::builder()
            .region("us-east-1")
            .credentials(Credentials::new("AKID", "secret", None))
            .http_client(replay.clone().into_http_client())
            .build(),
    )
}

#[tokio::test]
async fn recorded_traffic_is_played_back() {
    let replay = Replay::from_json(RECORDING).unwrap();
    let client = replaying_client(&replay);
    assert_eq!(failed_jobs(&client, "app", "dev").await.unwrap(), ["1", "2"]);
    replay.assert_all_used();
    // What was sent, without the signature and the other headers that change on every run.
    let sent = replay.requests();
    assert_eq!(sent[0].uri, "https://amplifybackend.us-east-1.amazonaws.com/backend/app/job/dev");
    assert!(!sent[0].headers.contains_key("authorization"));
}

#[tokio::test]
async fn an_unexpected_request_fails_clearly_and_is_not_retried() {
    let replay = Replay::from_json(RECORDING).unwrap();
    let client = replaying_client(&replay);
    let error = failed_jobs(&client, "app", "prod").await.unwrap_err();
    let SdkError::Transport(transport) = &error else { panic!("{error:?}") };
    assert_eq!(transport.kind(), TransportErrorKind::Refused);
    assert_eq!(transport.attempts(), 1);
    assert_eq!(
        error.to_string(),
        "request refused by the transport: unexpected request #1 (POST \
         https://amplifybackend.us-east-1.amazonaws.com/backend/app/job/prod): path: expected \
         /backend/app/job/dev, got /backend/app/job/prod"
    );
    assert_eq!(replay.requests().len(), 1, "refused once, not retried");
    let unused = std::panic::catch_unwind(|| replay.assert_all_used()).unwrap_err();
    assert!(unused.downcast_ref::<String>().unwrap().contains("the replay refused requests"));
}

#[tokio::test]
async fn a_body_that_differs_is_named() {
    let replay = Replay::new([Exchange::new(
        RecordedRequest::new("POST", "/backend/app/job/dev").body(r#"{"maxResults":2}"#),
        200,
        "{}",
    )]);
    let client = replaying_client(&replay);
    let error = client.list_backend_jobs().app_id("app").backend_environment_name("dev").max_results(3).send().await;
    let message = error.unwrap_err().to_string();
    assert!(message.contains(r#"body: expected "{\"maxResults\":2}", got "{\"maxResults\":3}""#), "{message}");
}

/// Record against a server once, then replay the recording with no server.
#[tokio::test]
async fn a_recording_replays() {
    let jobs: Vec<_> = (0..3).map(support::job).collect();
    let server = support::Server::start(move |request, _| support::list_jobs_page(&jobs, request)).await;
    let recorder = Recorder::new(support::quick_config(&server).http_client());
    let recording = Client::new(
        Config::builder()
            .region("us-east-1")
            .credentials(Credentials::new(support::ACCESS_KEY, support::SECRET_KEY, None))
            .endpoint_url(&server.url)
            .http_client(recorder.clone().into_http_client())
            .build(),
    );
    let live = failed_jobs(&recording, "app", "dev").await.unwrap();
    let json = recorder.to_json();
    assert!(!json.contains("Signature") && !json.contains(support::SECRET_KEY));

    let replay = Replay::from_json(&json).unwrap();
    let replayed = Client::new(
        Config::builder()
            .region("us-east-1")
            .credentials(Credentials::new("other", "keys", None))
            .endpoint_url(&server.url)
            .http_client(replay.clone().into_http_client())
            .build(),
    );
    assert_eq!(failed_jobs(&replayed, "app", "dev").await.unwrap(), live);
    replay.assert_all_used();
    assert_eq!(server.requests().len(), 2, "the replay sent nothing");
}
