//! ListBackendJobs' paginator against a real HTTP server on 127.0.0.1.

mod support;

use awsgen_amplifybackend::config::{Credentials, RetryConfig};
use awsgen_amplifybackend::error::SdkError;
use awsgen_amplifybackend::{Client, Config};
use awsgen_runtime::pagination::PaginationError;
use awsgen_runtime::stream::{StreamExt, TryStreamExt};
use serde_json::json;
use std::time::Duration;
use support::{job, list_jobs_page, Received, Reply, Server, ACCESS_KEY, SECRET_KEY};

fn client(server: &Server) -> Client {
    let retry = RetryConfig { max_attempts: 1, ..RetryConfig::default() };
    Client::new(
        Config::builder()
            .region("us-east-1")
            .credentials(Credentials::new(ACCESS_KEY, SECRET_KEY, None))
            .endpoint_url(&server.url)
            .retry(retry)
            .build(),
    )
}

/// A server whose job table size is the environment name's first part: `/backend/app/job/7-x`
/// lists 7 jobs (the rest tells runs apart).
async fn job_server() -> Server {
    Server::start(|request, _| {
        let environment = request.target.rsplit('/').next().unwrap();
        let count: usize = environment.split('-').next().unwrap().parse().unwrap();
        let jobs: Vec<_> = (0..count).map(job).collect();
        list_jobs_page(&jobs, request)
    })
    .await
}

fn job_ids(jobs: &[awsgen_amplifybackend::types::BackendJobRespObj]) -> Vec<String> {
    jobs.iter().map(|j| j.job_id.clone().unwrap()).collect()
}

fn expected_ids(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|i| format!("job-{i}")).collect()
}

fn bounded<F: std::future::Future>(future: F) -> tokio::time::Timeout<F> {
    tokio::time::timeout(Duration::from_secs(30), future)
}

/// Every table size from 0 to 60 with every page size from 1 to 25, the runs side by side.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn items_are_every_job_in_order_with_the_fewest_requests() {
    let server = job_server().await;
    let client = client(&server);
    let runs = (0..=60usize).flat_map(|n| (1..=25usize).map(move |k| (n, k))).map(|(n, k)| {
        let builder = client.list_backend_jobs().app_id("app").backend_environment_name(format!("{n}-{k}"));
        async move {
            let items: Vec<_> = builder.into_paginator().page_size(k as i32).items().try_collect().await.unwrap();
            assert_eq!(job_ids(&items), expected_ids(0..n), "n={n} k={k}");
        }
    });
    bounded(futures_util::future::join_all(runs)).await.unwrap();
    let all_requests = server.requests();
    for n in 0..=60usize {
        for k in 1..=25usize {
            let path = format!("/backend/app/job/{n}-{k}");
            let requests: Vec<_> = all_requests.iter().filter(|r| r.target == path).collect();
            assert_eq!(requests.len(), n.div_ceil(k).max(1), "n={n} k={k}");
            assert!(requests.iter().all(|r| r.json()["maxResults"] == json!(k)), "n={n} k={k}");
        }
    }
}

/// Stopping at every possible item count, then resuming, gives the full listing exactly once.
#[tokio::test]
async fn max_items_then_resume_loses_and_repeats_nothing() {
    let server = job_server().await;
    let client = client(&server);
    let list = || client.list_backend_jobs().app_id("app").backend_environment_name("7").into_paginator().page_size(3);
    for cut in 0..=7usize {
        let first = bounded(list().max_items(cut).collect_all()).await.unwrap().unwrap();
        let mut ids = job_ids(first.output.jobs.as_deref().unwrap_or_default());
        assert_eq!(ids, expected_ids(0..cut), "cut={cut}");
        match first.resume_token {
            None => assert_eq!(cut, 7, "only a complete run has no resume token"),
            Some(token) => {
                let rest: Vec<_> = bounded(list().starting_token(token).items().try_collect()).await.unwrap().unwrap();
                ids.extend(job_ids(&rest));
            }
        }
        assert_eq!(ids, expected_ids(0..7), "cut={cut}");
    }
    // The items stream tells the same resume token once it ends.
    let mut items = list().max_items(4).items();
    let mut streamed = Vec::new();
    while let Some(job) = bounded(items.next()).await.unwrap() {
        streamed.push(job.unwrap().job_id.unwrap());
    }
    assert_eq!(streamed, expected_ids(0..4));
    let collected = bounded(list().max_items(4).collect_all()).await.unwrap().unwrap();
    assert_eq!(items.resume_token(), collected.resume_token);
    assert!(items.resume_token().is_some());

    // Resuming a resumed run that was cut again still lines up.
    let first = bounded(list().max_items(2).collect_all()).await.unwrap().unwrap();
    let second =
        bounded(list().max_items(3).starting_token(first.resume_token.unwrap()).collect_all()).await.unwrap().unwrap();
    assert_eq!(job_ids(second.output.jobs.as_deref().unwrap()), expected_ids(2..5));
    let third: Vec<_> =
        bounded(list().starting_token(second.resume_token.unwrap()).items().try_collect()).await.unwrap().unwrap();
    assert_eq!(job_ids(&third), expected_ids(5..7));
}

#[tokio::test]
async fn pages_stream_and_collect_all_aggregates() {
    let server = job_server().await;
    let client = client(&server);
    let builder = client.list_backend_jobs().app_id("app").backend_environment_name("5");
    let pages: Vec<_> =
        bounded(builder.clone().into_paginator().page_size(2).send().try_collect()).await.unwrap().unwrap();
    let sizes: Vec<usize> = pages.iter().map(|p| p.jobs.as_ref().unwrap().len()).collect();
    assert_eq!(sizes, [2, 2, 1]);
    assert_eq!(pages.iter().map(|p| p.next_token.as_deref()).collect::<Vec<_>>(), [Some("2"), Some("4"), None]);
    let all = bounded(builder.into_paginator().page_size(2).collect_all()).await.unwrap().unwrap();
    assert_eq!(job_ids(all.output.jobs.as_deref().unwrap()), expected_ids(0..5));
    assert_eq!(all.resume_token, None);
}

#[tokio::test]
async fn a_callers_token_is_honoured() {
    let server = job_server().await;
    let client = client(&server);
    let builder = client.list_backend_jobs().app_id("app").backend_environment_name("6").next_token("4");
    let items: Vec<_> = bounded(builder.into_paginator().items().try_collect()).await.unwrap().unwrap();
    assert_eq!(job_ids(&items), expected_ids(4..6));
    assert_eq!(server.requests()[0].json()["nextToken"], json!("4"));
}

async fn run_until_error(
    script: impl Fn(&Received, usize) -> Reply + Send + Sync + 'static,
) -> (Vec<String>, Option<String>, usize) {
    let server = Server::start(script).await;
    let client = client(&server);
    let builder = client.list_backend_jobs().app_id("app").backend_environment_name("dev");
    let mut items = builder.into_paginator().items();
    let mut ids = Vec::new();
    let mut error = None;
    while let Some(item) = bounded(items.next()).await.expect("bounded") {
        match item {
            Ok(job) => ids.push(job.job_id.unwrap()),
            Err(e) => {
                error = Some(match e {
                    SdkError::Pagination(PaginationError::RepeatedToken { token, .. }) => format!("repeated {token}"),
                    other => other.to_string(),
                });
                break;
            }
        }
    }
    assert!(bounded(items.next()).await.expect("bounded").is_none(), "the stream ends after an error");
    (ids, error, server.requests().len())
}

fn page(id: usize, token: Option<&str>) -> Reply {
    Reply::json(200, json!({"jobs": [job(id)], "nextToken": token}))
}

#[tokio::test]
async fn a_repeated_token_is_an_error_not_a_loop() {
    let (ids, error, requests) = run_until_error(|_, i| page(i, Some("same"))).await;
    assert_eq!((ids, error.as_deref(), requests), (expected_ids(0..2), Some("repeated \"same\""), 2));

    let cycle = ["A", "B", "A", "B"];
    let (ids, error, requests) = run_until_error(move |_, i| page(i, Some(cycle[i.min(3)]))).await;
    assert_eq!((ids, error.as_deref(), requests), (expected_ids(0..3), Some("repeated \"A\""), 3));
}

#[tokio::test]
async fn an_empty_token_ends_the_run() {
    let (ids, error, requests) = run_until_error(|_, i| page(i, Some(""))).await;
    assert_eq!((ids, error, requests), (expected_ids(0..1), None, 1));
}

#[tokio::test]
async fn an_error_on_page_two_is_yielded_after_page_one() {
    let (ids, error, requests) = run_until_error(|_, i| match i {
        0 => page(0, Some("t1")),
        _ => Reply::json(400, json!({"__type": "BadRequestException", "message": "bad token"})),
    })
    .await;
    assert_eq!(ids, expected_ids(0..1));
    assert_eq!(error.as_deref(), Some("BadRequestException: bad token (HTTP 400)"));
    assert_eq!(requests, 2);
}

#[tokio::test]
async fn a_bad_starting_token_is_refused_before_any_request() {
    let server = job_server().await;
    let client = client(&server);
    let paginator = client.list_backend_jobs().app_id("app").backend_environment_name("3").into_paginator();
    let outcome = bounded(paginator.starting_token("not a token!").collect_all()).await.unwrap();
    assert!(matches!(outcome, Err(SdkError::Pagination(PaginationError::BadStartingToken { .. }))), "{outcome:?}");
    assert!(server.requests().is_empty());
    let missing = client.list_backend_jobs().app_id("app").into_paginator();
    assert!(matches!(bounded(missing.collect_all()).await.unwrap(), Err(SdkError::Build(_))));
}
