//! The `blocking` feature from plain `fn`s, as sync code uses it: no async runtime of the
//! caller's, against a real server on 127.0.0.1 (which runs on a runtime of the test's own).

mod support;

use awsgen_amplifybackend::error::SdkError;
use awsgen_amplifybackend::operation::get_backend::{GetBackendInput, GetBackendOutput};
use awsgen_amplifybackend::test_util::{mock, Mocks};
use awsgen_amplifybackend::{Client, Config};
use serde_json::json;
use support::{job, list_jobs_page, Reply, Server};

/// The server, on its own runtime: the code under test has none.
fn start_server(
    script: impl Fn(&support::Received, usize) -> Reply + Send + Sync + 'static,
) -> (Server, tokio::runtime::Runtime) {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let server = runtime.block_on(Server::start(script));
    (server, runtime)
}

fn jobs_server(count: usize) -> (Server, tokio::runtime::Runtime) {
    let jobs: Vec<_> = (0..count).map(job).collect();
    start_server(move |request, _| list_jobs_page(&jobs, request))
}

fn client(server: &Server) -> Client {
    let config: Config = support::quick_config(server);
    Client::new(config)
}

#[test]
fn send_blocking_from_a_plain_fn() {
    let (server, _runtime) =
        start_server(|_, _| Reply::json(200, json!({"appId": "app", "backendEnvironmentList": ["dev", "prod"]})));
    let backend = client(&server).get_backend().app_id("app").send_blocking().unwrap();
    assert_eq!(backend.backend_environment_list(), ["dev", "prod"]);
    let sent = server.requests();
    assert_eq!((sent[0].method.as_str(), sent[0].target.as_str()), ("POST", "/backend/app/details"));
    assert_eq!(sent[0].signature, Ok(()));
}

#[test]
fn errors_come_back_as_from_send() {
    let (server, _runtime) =
        start_server(|_, _| Reply::json(404, json!({"__type": "NotFoundException", "message": "no such app"})));
    let client = client(&server);
    let error = client.get_backend().app_id("gone").send_blocking().unwrap_err();
    assert!(error.as_service_error().is_some_and(|e| e.is_not_found()), "{error}");
    // Checked before anything is sent, as `send()` does.
    let missing = client.get_backend().send_blocking().unwrap_err();
    assert!(matches!(missing, SdkError::Build(_)), "{missing}");
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn paginators_are_iterators_of_items_and_pages() {
    let (server, _runtime) = jobs_server(5);
    let client = client(&server);
    let list =
        || client.list_backend_jobs().app_id("app").backend_environment_name("dev").into_paginator().page_size(2);

    let ids: Vec<String> = list().items_blocking().map(|job| job.unwrap().job_id.unwrap()).collect();
    assert_eq!(ids, ["job-0", "job-1", "job-2", "job-3", "job-4"]);
    assert_eq!(server.requests().len(), 3);

    let sizes: Vec<usize> = list().send_blocking().map(|page| page.unwrap().jobs().len()).collect();
    assert_eq!(sizes, [2, 2, 1]);

    // Pages are fetched as the iterator is advanced, and a cut run can be resumed.
    let mut items = list().max_items(3).items_blocking();
    assert_eq!(items.next().unwrap().unwrap().job_id(), Some("job-0"));
    assert_eq!(server.requests().len(), 3 + 3 + 1, "one page so far");
    assert_eq!(items.by_ref().count(), 2);
    let resume = items.resume_token().expect("cut after 3 of 5");
    let rest = list().starting_token(resume).collect_all_blocking().unwrap();
    assert_eq!(rest.output.jobs().len(), 2);
}

/// Inside an async runtime it neither panics nor deadlocks (it holds the thread while it waits).
#[tokio::test]
async fn send_blocking_inside_an_async_runtime_still_works() {
    let server = Server::start(|_, _| Reply::json(200, json!({"appId": "app"}))).await;
    let client = client(&server);
    // The server runs on this test's runtime: the blocking call waits on another thread.
    let backend = tokio::task::spawn_blocking(move || {
        client.get_backend().app_id("app").send_blocking().map_err(|error| error.to_string())
    });
    assert_eq!(backend.await.unwrap().unwrap().app_id(), Some("app"));
    let direct = Client::from_mocks(
        &Mocks::new().with(&mock::<GetBackendInput>().then_output(|| GetBackendOutput::builder().app_id("m").build())),
    );
    // Straight from the async body (no server to starve here).
    assert_eq!(direct.get_backend().app_id("app").send_blocking().unwrap().app_id(), Some("m"));
}

/// Blocking calls work with mocks, and a mock's panic (a call no rule answers) reaches the test.
#[test]
#[should_panic(expected = "no mock rule for GetBackend")]
fn a_mock_panic_reaches_the_blocking_caller() {
    let client = Client::from_mocks(
        &Mocks::new().with(&mock::<awsgen_amplifybackend::operation::list_backend_jobs::ListBackendJobsInput>()),
    );
    let _ = client.get_backend().app_id("app").send_blocking();
}
