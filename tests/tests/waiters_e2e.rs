//! Waiters and expression paginators of the awsJson fixture (specs/fixtures/awsjson-query-compatible
//! .waiters.json) against the 127.0.0.1 test server, which answers each poll from a script.

mod support;

use awsgen_fixture_awsjson::types::TableStatus;
use awsgen_fixture_awsjson::Client;
use awsgen_runtime::stream::TryStreamExt;
use awsgen_runtime::waiter::{Matched, WaitError};
use awsgen_runtime::{Config, Credentials, RetryConfig, SdkError};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::{Reply, Server, ACCESS_KEY, SECRET_KEY};

fn client(url: &str) -> Client {
    Client::new(
        Config::builder()
            .region("us-east-1")
            .credentials(Credentials::new(ACCESS_KEY, SECRET_KEY, None))
            .endpoint_url(url)
            .retry(RetryConfig { max_attempts: 1, ..RetryConfig::default() })
            .build(),
    )
}

fn table(status: &str, replicas: &[&str]) -> Reply {
    let replicas: Vec<Value> = replicas.iter().map(|s| json!({"Region": "eu-west-1", "ReplicaStatus": s})).collect();
    Reply::json(200, json!({"Table": {"TableStatus": status, "Replicas": replicas}}))
}

fn missing() -> Reply {
    Reply::json(400, json!({"__type": "com.amazonaws.fixture#TableMissing", "message": "no table"}))
}

/// Answers poll `n` with `script[n]`, and the last entry from then on.
async fn server(script: Vec<fn() -> Reply>) -> Server {
    Server::start(move |_, n| script[n.min(script.len() - 1)]()).await
}

const FAST: Duration = Duration::from_millis(5);

#[tokio::test]
async fn pending_pending_success_returns_the_last_output() {
    let server = server(vec![missing, || table("CREATING", &[]), || table("ACTIVE", &[])]).await;
    let waited = client(&server.url)
        .describe_table()
        .table_name("t")
        .wait_until_table_exists()
        .min_delay(FAST)
        .max_delay(FAST)
        .wait(Duration::from_secs(10))
        .await;
    let Ok(Matched::Output(output)) = waited else { panic!("{waited:?}") };
    assert_eq!(output.table.unwrap().table_status, Some(TableStatus::Active));
    assert_eq!(server.requests().len(), 3);
    assert!(server.requests().iter().all(|r| r.json() == json!({"TableName": "t"})));
}

#[tokio::test]
async fn an_error_acceptor_can_be_the_success() {
    let server = server(vec![|| table("ACTIVE", &[]), missing]).await;
    let waited = client(&server.url)
        .describe_table()
        .table_name("t")
        .wait_until_table_not_exists()
        .min_delay(FAST)
        .max_delay(FAST)
        .wait(Duration::from_secs(10))
        .await;
    let Ok(Matched::Error(error)) = waited else { panic!("{waited:?}") };
    assert_eq!(error.code(), Some("TableMissing"));
    assert_eq!(server.requests().len(), 2, "an output no acceptor matches polls again");
}

#[tokio::test]
async fn a_failure_state_ends_the_wait_with_what_matched() {
    let server = server(vec![|| table("ACTIVE", &["ACTIVE", "FAILED"])]).await;
    let waited = client(&server.url)
        .describe_table()
        .table_name("t")
        .wait_until_replicas_active()
        .wait(Duration::from_secs(10))
        .await;
    let Err(WaitError::FailureState(Matched::Output(output))) = &waited else { panic!("{waited:?}") };
    assert_eq!(output.table.as_ref().unwrap().replicas.as_ref().unwrap().len(), 2);
    assert_eq!(waited.unwrap_err().to_string(), "the waiter reached a failure state");
}

#[tokio::test]
async fn status_length_filter_and_boolean_acceptors_retry_until_all_match() {
    let server = server(vec![
        || Reply::json(500, json!({"__type": "InternalFailure"})),
        || table("ACTIVE", &["CREATING", "ACTIVE"]),
        || table("ACTIVE", &[]),
        || table("ACTIVE", &["ACTIVE", "ACTIVE"]),
    ])
    .await;
    let waited = client(&server.url)
        .describe_table()
        .table_name("t")
        .wait_until_replicas_active()
        .min_delay(FAST)
        .max_delay(FAST)
        .wait(Duration::from_secs(10))
        .await;
    assert!(matches!(waited, Ok(Matched::Output(_))), "{waited:?}");
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test]
async fn an_error_no_acceptor_expects_stops_the_wait() {
    let server = server(vec![|| Reply::json(400, json!({"__type": "AccessDenied", "message": "no"}))]).await;
    let waited = client(&server.url)
        .describe_table()
        .table_name("t")
        .wait_until_table_exists()
        .wait(Duration::from_secs(10))
        .await;
    let Err(WaitError::Unexpected(error)) = &waited else { panic!("{waited:?}") };
    assert_eq!(error.code(), Some("AccessDenied"));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn the_wait_never_outlasts_max_wait_nor_the_attempts() {
    let server = server(vec![|| table("CREATING", &[])]).await;
    let started = Instant::now();
    let waited = client(&server.url)
        .describe_table()
        .table_name("t")
        .wait_until_table_exists()
        .min_delay(Duration::from_millis(20))
        .max_delay(Duration::from_millis(40))
        .wait(Duration::from_millis(300))
        .await;
    let elapsed = started.elapsed();
    let Err(WaitError::TimedOut { attempts, .. }) = waited else { panic!("{waited:?}") };
    assert!(attempts >= 3, "{attempts} polls in 300 ms with delays of 20-40 ms");
    assert!(elapsed < Duration::from_millis(600), "{elapsed:?}");

    let before = server.requests().len();
    let waited = client(&server.url)
        .describe_table()
        .table_name("t")
        .wait_until_table_exists()
        .min_delay(FAST)
        .max_attempts(4)
        .wait(Duration::from_secs(60))
        .await;
    assert!(matches!(waited, Err(WaitError::TimedOut { attempts: 4, .. })), "{waited:?}");
    assert_eq!(server.requests().len() - before, 4);
}

#[tokio::test]
async fn a_stalled_poll_is_cut_off_at_max_wait() {
    let server = Server::start(|_, _| Reply::Stall(Duration::from_secs(30))).await;
    let started = Instant::now();
    let waited = client(&server.url)
        .describe_table()
        .table_name("t")
        .wait_until_table_exists()
        .wait(Duration::from_millis(200))
        .await;
    assert!(matches!(waited, Err(WaitError::TimedOut { attempts: 1, .. })), "{waited:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn a_waiter_without_a_required_member_fails_before_sending() {
    let server = server(vec![|| table("ACTIVE", &[])]).await;
    let waited = client(&server.url).describe_table().wait_until_table_exists().wait(Duration::from_secs(1)).await;
    assert!(matches!(waited, Err(WaitError::Unexpected(SdkError::Build(_)))), "{waited:?}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn a_paginator_follows_a_nested_token_expression_and_more_results() {
    let server = Server::start(|request, _| {
        let start =
            request.json()["ExclusiveStartShardId"].as_str().map(|id| id[6..].parse::<u32>().unwrap()).unwrap_or(0);
        let shards: Vec<Value> = (start + 1..=start + 2).map(|n| json!({"ShardId": format!("shard-{n}")})).collect();
        Reply::json(200, json!({"StreamDescription": {"Shards": shards, "HasMoreShards": start < 4}}))
    })
    .await;
    let client = client(&server.url);
    let shards: Vec<_> =
        client.describe_stream().stream_name("s").into_paginator().items().try_collect().await.unwrap();
    let ids: Vec<&str> = shards.iter().map(|shard| shard.shard_id.as_str()).collect();
    assert_eq!(ids, ["shard-1", "shard-2", "shard-3", "shard-4", "shard-5", "shard-6"]);
    let starts: Vec<Value> = server.requests().iter().map(|r| r.json()["ExclusiveStartShardId"].clone()).collect();
    assert_eq!(starts, [Value::Null, json!("shard-2"), json!("shard-4")]);

    let all = client.describe_stream().stream_name("s").into_paginator().collect_all().await.unwrap().output;
    assert_eq!(all.stream_description.shards.len(), 6, "pages merge into the nested list");
}
