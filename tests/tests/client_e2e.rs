//! The generated AmplifyBackend client against a real HTTP server on 127.0.0.1.
//! Every test is bounded: short backoffs and timeouts, and an outer timeout on each call.

mod support;

use awsgen_amplifybackend::config::{Credentials, FixedTime, RetryConfig, RetryMode, TimeoutConfig};
use awsgen_amplifybackend::error::{BuildError, SdkError, TransportErrorKind};
use awsgen_amplifybackend::operation::list_backend_jobs::{ListBackendJobsError, ListBackendJobsOutput};
use awsgen_amplifybackend::{Client, Config};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};
use support::{Received, Reply, Server, ACCESS_KEY, SECRET_KEY};

/// 2026-11-28T15:37:06Z
const FIXED_TIME: u64 = 1_795_880_226;

fn config(url: &str) -> awsgen_amplifybackend::config::ConfigBuilder {
    Config::builder()
        .region("us-east-1")
        .credentials(Credentials::new(ACCESS_KEY, SECRET_KEY, None))
        .endpoint_url(url)
        .retry(RetryConfig {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(5),
            max_backoff: Duration::from_millis(20),
        })
        .timeouts(TimeoutConfig { attempt: Some(Duration::from_secs(5)), ..TimeoutConfig::default() })
}

fn client(server: &Server) -> Client {
    Client::new(config(&server.url).build())
}

type Outcome = Result<ListBackendJobsOutput, SdkError<ListBackendJobsError>>;

async fn list(client: &Client) -> Outcome {
    let call = client.list_backend_jobs().app_id("app").backend_environment_name("dev").send();
    tokio::time::timeout(Duration::from_secs(30), call).await.expect("the call finishes in bounded time")
}

fn service_error(outcome: Outcome) -> ListBackendJobsError {
    match outcome {
        Err(SdkError::Service(error)) => error,
        other => panic!("expected a service error, got {other:?}"),
    }
}

#[tokio::test]
async fn sends_what_boto3_sends_and_signs_it() {
    let server = Server::start(|_, _| Reply::json(200, json!({"jobs": [support::job(1)], "nextToken": "t1"}))).await;
    let fixed = SystemTime::UNIX_EPOCH + Duration::from_secs(FIXED_TIME);
    let client = Client::new(config(&server.url).time_source(Arc::new(FixedTime(fixed))).build());
    let output = client
        .list_backend_jobs()
        .app_id("app 1/x")
        .backend_environment_name("dev")
        .max_results(2)
        .operation("create")
        .send()
        .await
        .unwrap();
    assert_eq!(output.next_token.as_deref(), Some("t1"));
    assert_eq!(output.jobs.unwrap()[0].job_id.as_deref(), Some("job-1"));

    let [request]: [Received; 1] = server.requests().try_into().unwrap();
    assert_eq!(request.method, "POST");
    assert_eq!(request.target, "/backend/app%201%2Fx/job/dev");
    assert_eq!(request.json(), json!({"maxResults": 2, "operation": "create"}));
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.header("content-length"), Some(request.body.len().to_string().as_str()));
    let os = match std::env::consts::OS {
        os @ ("linux" | "macos" | "windows") => os,
        _ => "other",
    };
    let (short, long) = (request.header("user-agent").unwrap(), request.header("x-amz-user-agent").unwrap());
    let sdk = short.split(' ').next().unwrap();
    assert!(sdk.starts_with("awsgen/0."), "{short}");
    assert_eq!(short, format!("{sdk} os/{os} lang/rust"));
    assert_eq!(long, format!("{sdk} ua/2.1 api/amplifybackend#2020-08-11 os/{os} lang/rust m/E,N"));
    assert_eq!(request.header("amz-sdk-request"), Some("attempt=1; max=3"));
    assert_eq!(request.header("amz-sdk-invocation-id").unwrap().len(), 36);
    assert_eq!(request.header("x-amz-date"), Some("20261128T153706Z"));
    let authorization = request.header("authorization").unwrap();
    assert!(authorization.contains("Credential=AKIDEXAMPLE/20261128/us-east-1/amplifybackend/aws4_request"));
    assert_eq!(request.signature, Ok(()));
    assert_eq!(request.header("x-amz-security-token"), None);
}

#[tokio::test]
async fn an_empty_input_sends_an_empty_object_and_a_session_token_is_signed() {
    let server = Server::start(|_, _| Reply::json(200, json!({}))).await;
    let credentials = Credentials::new(ACCESS_KEY, SECRET_KEY, Some("session-token".into()));
    let client = Client::new(config(&server.url).credentials(credentials).build());
    let output = list(&client).await.unwrap();
    assert_eq!(output.jobs, None);
    let [request]: [Received; 1] = server.requests().try_into().unwrap();
    assert_eq!(request.body, b"{}");
    assert_eq!(request.header("x-amz-security-token"), Some("session-token"));
    assert_eq!(request.signature, Ok(()));
    assert!(request.header("authorization").unwrap().contains("x-amz-security-token"));
}

#[tokio::test]
async fn a_wrong_secret_fails_verification() {
    let server = Server::start(|_, _| Reply::json(200, json!({}))).await;
    let wrong = Credentials::new(ACCESS_KEY, "not-the-secret", None);
    let client = Client::new(config(&server.url).credentials(wrong).build());
    let error = service_error(list(&client).await);
    assert_eq!(error.code(), Some("InvalidSignatureException"));
    assert!(matches!(error, ListBackendJobsError::Unhandled(_)));
    assert_eq!(error.meta().status(), Some(403));
    assert_eq!(server.requests().len(), 1, "403 is not retried");
    assert!(server.requests()[0].signature.is_err());
}

#[tokio::test]
async fn modeled_errors_by_header_and_by_body_type() {
    let server = Server::start(|request, _| {
        let body = json!({"message": "nope", "resourceType": "app", "limitType": "api"});
        let header = |code: &str| {
            vec![
                ("x-amzn-errortype", format!("{code}:http://internal.amazon.com/")),
                ("x-amzn-requestid", "req-1".to_owned()),
            ]
        };
        match request.target.rsplit('/').next().unwrap() {
            "by-header" => Reply::Respond { status: 404, headers: header("NotFoundException"), body: body.to_string() },
            "by-type" => Reply::json(400, json!({"__type": "com.amazon#BadRequestException", "message": "bad"})),
            "by-code" => Reply::json(400, json!({"code": "BadRequestException", "Message": "bad2"})),
            "header-wins" => Reply::Respond {
                status: 400,
                headers: header("NotFoundException"),
                body: json!({"__type": "BadRequestException"}).to_string(),
            },
            other => panic!("unexpected {other}"),
        }
    })
    .await;
    let client = client(&server);
    let call = |env: &'static str| client.list_backend_jobs().app_id("app").backend_environment_name(env).send();

    let not_found = service_error(call("by-header").await);
    let ListBackendJobsError::NotFound(inner) = &not_found else { panic!("{not_found:?}") };
    assert_eq!(inner.resource_type.as_deref(), Some("app"));
    assert_eq!(not_found.message(), Some("nope"));
    assert_eq!(not_found.meta().request_id(), Some("req-1"));
    assert_eq!(not_found.to_string(), "NotFoundException: nope (HTTP 404, request id req-1)");

    let bad = service_error(call("by-type").await);
    assert!(bad.is_bad_request(), "{bad:?}");
    assert_eq!(bad.message(), Some("bad"));
    let bad = service_error(call("by-code").await);
    assert!(bad.is_bad_request(), "{bad:?}");
    assert_eq!(bad.message(), Some("bad2"));
    assert!(service_error(call("header-wins").await).is_not_found());
    assert_eq!(server.requests().len(), 4, "4xx errors are not retried");
}

#[tokio::test]
async fn unmodeled_errors_keep_code_message_status_and_request_id() {
    let server = Server::start(|_, _| {
        Reply::raw(
            500,
            &[("x-amzn-errortype", "MysteryException"), ("x-amzn-requestid", "r-9")],
            r#"{"message":"boom"}"#,
        )
    })
    .await;
    let error = service_error(list(&client(&server)).await);
    let ListBackendJobsError::Unhandled(unhandled) = &error else { panic!("{error:?}") };
    let meta = unhandled.meta();
    assert_eq!((meta.code(), meta.message(), meta.status()), (Some("MysteryException"), Some("boom"), Some(500)));
    assert_eq!(error.to_string(), "MysteryException: boom (HTTP 500, request id r-9)");
    assert_eq!(server.requests().len(), 3, "500 is retried up to max attempts");
}

#[tokio::test]
async fn server_errors_without_a_body_use_the_status_as_code() {
    for (status, body) in [(503, ""), (502, "<html><body>Bad Gateway</body></html>")] {
        let server = Server::start(move |_, _| Reply::raw(status, &[], body)).await;
        let error = service_error(list(&client(&server)).await);
        let expected_code = status.to_string();
        assert_eq!(error.code(), Some(expected_code.as_str()));
        assert_eq!(error.meta().status(), Some(status));
        assert!(error.message().is_some_and(|m| !m.is_empty()), "reason phrase as message");
        assert_eq!(server.requests().len(), 3);
    }
}

#[tokio::test]
async fn throttling_is_retried_with_the_same_invocation_id() {
    let server = Server::start(|request, index| match index {
        0 => Reply::json(429, json!({"__type": "TooManyRequestsException", "message": "slow down"})),
        _ => support::list_jobs_page(&[support::job(1)], request),
    })
    .await;
    let output = list(&client(&server)).await.unwrap();
    assert_eq!(output.jobs.map(|j| j.len()), Some(1));
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].header("amz-sdk-request"), Some("attempt=1; max=3"));
    assert_eq!(requests[1].header("amz-sdk-request"), Some("attempt=2; max=3"));
    assert_eq!(requests[0].header("amz-sdk-invocation-id"), requests[1].header("amz-sdk-invocation-id"));
    assert!(requests.iter().all(|r| r.signature.is_ok()));
}

#[tokio::test]
async fn persistent_throttling_stops_after_max_attempts() {
    let server =
        Server::start(|_, _| Reply::json(429, json!({"__type": "TooManyRequestsException", "limitType": "api"}))).await;
    let error = service_error(list(&client(&server)).await);
    let ListBackendJobsError::TooManyRequests(inner) = &error else { panic!("{error:?}") };
    assert_eq!(inner.limit_type.as_deref(), Some("api"));
    assert_eq!(server.requests().len(), 3);

    let five = Client::new(config(&server.url).max_attempts(5).build());
    assert!(service_error(list(&five).await).is_too_many_requests());
    assert_eq!(server.requests().len(), 3 + 5);
    let gateway = Server::start(|_, _| Reply::json(504, json!({"__type": "GatewayTimeoutException"}))).await;
    assert!(service_error(list(&client(&gateway)).await).is_gateway_timeout());
    assert_eq!(gateway.requests().len(), 3);
}

#[tokio::test]
async fn malformed_bodies_are_parse_errors_and_not_retried() {
    let server = Server::start(|request, _| match request.target.rsplit('/').next().unwrap() {
        "truncated" => Reply::raw(200, &[], r#"{"jobs": [{"jobId": "j1", "#),
        _ => Reply::raw(200, &[], r#"{"jobs": "not-a-list"}"#),
    })
    .await;
    let client = client(&server);
    for env in ["truncated", "wrong-type"] {
        let outcome = client.list_backend_jobs().app_id("app").backend_environment_name(env).send().await;
        let Err(SdkError::Parse(error)) = outcome else { panic!("{outcome:?}") };
        assert_eq!(error.status(), 200);
        assert_eq!(error.operation(), Some("ListBackendJobs"));
        assert!(error.to_string().starts_with("could not parse the ListBackendJobs response (HTTP 200): "), "{error}");
    }
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn unknown_fields_and_values_are_ignored() {
    let server = Server::start(|_, _| {
        let mut job = support::job(1);
        job["status"] = "BRAND_NEW_STATUS".into();
        job["unexpected"] = json!({"nested": [1, 2]});
        Reply::json(200, json!({"jobs": [job], "somethingNew": true}))
    })
    .await;
    let output = list(&client(&server)).await.unwrap();
    assert_eq!(output.jobs.unwrap()[0].status.as_deref(), Some("BRAND_NEW_STATUS"));
}

#[tokio::test]
async fn connection_resets_are_retried_then_reported() {
    let server = Server::start(|_, _| Reply::Reset).await;
    let outcome = list(&client(&server)).await;
    let Err(SdkError::Transport(error)) = outcome else { panic!("{outcome:?}") };
    assert_eq!(error.kind(), TransportErrorKind::Io);
    assert_eq!(error.attempts(), 3);
    assert_eq!(server.requests().len(), 3);
    assert!(error.to_string().starts_with("connection failed: "), "{error}");
}

#[tokio::test]
async fn a_stalled_server_hits_the_attempt_timeout() {
    let server = Server::start(|_, _| Reply::Stall(Duration::from_secs(10))).await;
    let timeouts = TimeoutConfig { attempt: Some(Duration::from_millis(200)), ..TimeoutConfig::default() };
    let client = Client::new(config(&server.url).timeouts(timeouts).build());
    let started = std::time::Instant::now();
    let outcome = list(&client).await;
    let Err(SdkError::Transport(error)) = outcome else { panic!("{outcome:?}") };
    assert_eq!(error.kind(), TransportErrorKind::AttemptTimeout);
    assert_eq!(error.attempts(), 3);
    assert_eq!(server.requests().len(), 3);
    assert!(started.elapsed() < Duration::from_secs(5));

    let whole =
        TimeoutConfig { attempt: None, operation: Some(Duration::from_millis(300)), ..TimeoutConfig::default() };
    let client = Client::new(config(&server.url).timeouts(whole).build());
    let Err(SdkError::Transport(error)) = list(&client).await else { panic!() };
    assert_eq!(error.kind(), TransportErrorKind::OperationTimeout);
    assert!(error.to_string().starts_with("operation timed out"), "{error}");
}

#[tokio::test]
async fn nothing_is_sent_when_the_request_cannot_be_built() {
    let server = Server::start(|_, _| Reply::json(200, json!({}))).await;
    let client = client(&server);
    let outcome = client.list_backend_jobs().backend_environment_name("dev").send().await;
    let Err(SdkError::Build(error)) = outcome else { panic!("{outcome:?}") };
    assert_eq!(error, BuildError::MissingField { field: "app_id" });
    let outcome = client.list_backend_jobs().app_id("").backend_environment_name("dev").send().await;
    let Err(error) = outcome else { panic!() };
    assert_eq!(
        error.to_string(),
        "request not sent: member `app_id` is part of the request path and must not be empty"
    );

    let no_region = Client::new(Config::builder().credentials(Credentials::new("a", "b", None)).build());
    let Err(SdkError::Build(BuildError::Config { detail })) = list(&no_region).await else { panic!() };
    assert!(detail.contains("no region"), "{detail}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn a_closed_port_is_a_connect_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let client = Client::new(config(&format!("http://127.0.0.1:{port}")).build());
    let Err(SdkError::Transport(error)) = list(&client).await else { panic!() };
    assert_eq!(error.kind(), TransportErrorKind::Connect);
    assert_eq!(error.attempts(), 3);
}

/// Adaptive mode paces attempts once the service throttles: the first throttle, before any send
/// rate was measured, drops the client to the floor of one attempt every two seconds. Standard
/// mode with one attempt per call never waits.
#[tokio::test]
async fn adaptive_mode_slows_down_after_a_throttle_and_standard_mode_does_not() {
    let throttle = |_: &Received, _| Reply::json(400, json!({"__type": "ThrottlingException", "message": "slow down"}));
    let server = Server::start(throttle).await;
    let paced = |mode| Client::new(config(&server.url).max_attempts(1).retry_mode(mode).build());
    let elapsed_between_two_calls = |client: Client| async move {
        service_error(list(&client).await);
        let second = Instant::now();
        service_error(list(&client).await);
        second.elapsed()
    };
    let adaptive = elapsed_between_two_calls(paced(RetryMode::Adaptive)).await;
    assert!(adaptive >= Duration::from_millis(1500), "{adaptive:?}");
    // Each client learns alone: a standard one, on the same server, is not held back.
    let standard = elapsed_between_two_calls(paced(RetryMode::Standard)).await;
    assert!(standard < adaptive / 2, "{standard:?} vs {adaptive:?}");
    assert_eq!(server.requests().len(), 4);
}

/// Inside a Lambda function every request carries the function's trace id, so a service that
/// would trigger the function again can tell the loop (botocore and aws-sdk-rust do the same).
/// Like theirs, the signature leaves it out: tracing may rewrite it on the way. The test runs itself again in
/// a child process with the variables set, where no other test of this binary sees them.
#[tokio::test]
async fn a_lambda_function_sends_its_trace_id() {
    const TRACE: &str = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1";
    if std::env::var_os("_X_AMZN_TRACE_ID").is_none() {
        let child = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "a_lambda_function_sends_its_trace_id", "--nocapture"])
            .env("AWS_LAMBDA_FUNCTION_NAME", "handler")
            .env("_X_AMZN_TRACE_ID", TRACE)
            .output()
            .unwrap();
        let (output, errors) = (String::from_utf8_lossy(&child.stdout), String::from_utf8_lossy(&child.stderr));
        assert!(child.status.success() && output.contains("1 passed"), "{output}{errors}");
        return;
    }
    let server = Server::start(|_, _| Reply::json(200, json!({}))).await;
    list(&client(&server)).await.unwrap();
    let [request]: [Received; 1] = server.requests().try_into().unwrap();
    assert_eq!(request.header("x-amzn-trace-id"), Some(TRACE));
    assert!(!request.header("authorization").unwrap().contains("x-amzn-trace-id"), "not signed");
    assert_eq!(request.signature, Ok(()));
}

/// A server answering every request on a connection kept open, counting the connections.
async fn counting_server(answer_after: Duration) -> (String, Arc<std::sync::atomic::AtomicUsize>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let connections = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = connections.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buffer = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let Ok(read) = stream.read(&mut chunk).await else { return };
                    if read == 0 {
                        return;
                    }
                    buffer.extend_from_slice(&chunk[..read]);
                    // Every request here has its body in its first read after the head: answer each whole one.
                    while let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
                        let length: usize = head
                            .lines()
                            .find_map(|line| line.strip_prefix("content-length: "))
                            .and_then(|n| n.trim().parse().ok())
                            .unwrap_or(0);
                        if buffer.len() < end + 4 + length {
                            break;
                        }
                        buffer.drain(..end + 4 + length);
                        tokio::time::sleep(answer_after).await;
                        let body = r#"{"jobs":[]}"#;
                        let reply = format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                            body.len()
                        );
                        if stream.write_all(reply.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    (url, connections)
}

/// Pooled connections are reused while fresh, and closed once idle for the idle timeout (45 s
/// by default), so none dropped silently by a NAT or load balancer is reused.
#[tokio::test]
async fn idle_pooled_connections_are_closed_not_reused() {
    let (url, connections) = counting_server(Duration::ZERO).await;
    let idle = TimeoutConfig { idle_connection: Duration::from_millis(200), ..TimeoutConfig::default() };
    let client = Client::new(config(&url).timeouts(idle).build());
    let list = || client.list_backend_jobs().app_id("a").backend_environment_name("dev").send();
    for _ in 0..3 {
        tokio::time::timeout(Duration::from_secs(10), list()).await.unwrap().unwrap();
    }
    assert_eq!(connections.load(std::sync::atomic::Ordering::SeqCst), 1, "one connection, reused");
    tokio::time::sleep(Duration::from_millis(600)).await;
    tokio::time::timeout(Duration::from_secs(10), list()).await.unwrap().unwrap();
    assert_eq!(connections.load(std::sync::atomic::Ordering::SeqCst), 2, "the idle one was closed");
}

/// After a burst of concurrent calls the pool keeps at most `max_idle_connections_per_host`
/// connections: the next burst reuses that many and opens the rest anew.
#[tokio::test]
async fn the_pool_keeps_at_most_its_idle_connections_per_host() {
    for (max_idle, opened_again) in [(Some(2), 6), (None, 0)] {
        let (url, connections) = counting_server(Duration::from_millis(100)).await;
        let mut builder = config(&url);
        if let Some(max_idle) = max_idle {
            builder = builder.max_idle_connections_per_host(max_idle);
        }
        let client = Client::new(builder.build());
        let burst = || {
            futures_util::future::join_all((0..8).map(|_| {
                let call = client.list_backend_jobs().app_id("a").backend_environment_name("dev").send();
                tokio::time::timeout(Duration::from_secs(10), call)
            }))
        };
        assert!(burst().await.into_iter().all(|call| call.unwrap().is_ok()));
        assert_eq!(connections.load(std::sync::atomic::Ordering::SeqCst), 8, "eight at once, eight connections");
        assert!(burst().await.into_iter().all(|call| call.unwrap().is_ok()));
        let total = connections.load(std::sync::atomic::Ordering::SeqCst);
        assert_eq!(total - 8, opened_again, "max idle {max_idle:?}");
    }
}

/// A machine whose clock drifted an hour: the service refuses its first signature, saying so
/// with its own time in `Date`; the client retries dated by the service's clock, and keeps that
/// clock for the calls after (AWS refuses signatures more than 5 minutes off).
#[tokio::test]
async fn a_drifted_clock_is_corrected_from_the_services_date() {
    fn http_date(time: SystemTime) -> String {
        awsgen_runtime::DateTime::from(time).format(awsgen_runtime::TimestampFormat::HttpDate)
    }
    let server = Server::start(|request, _| {
        // `20261206T100000Z` -> `2026-12-06T10:00:00Z`
        let signed = request.header("x-amz-date").unwrap_or_default();
        let at = |range: std::ops::Range<usize>| signed.get(range).unwrap_or_default();
        let signed = format!("{}-{}-{}T{}:{}:{}Z", at(0..4), at(4..6), at(6..8), at(9..11), at(11..13), at(13..15));
        let signed = awsgen_runtime::DateTime::parse(&signed, awsgen_runtime::TimestampFormat::DateTime).ok();
        let now = SystemTime::now();
        let drift = signed.map_or(f64::MAX, |signed| {
            (awsgen_runtime::DateTime::from(now).as_fractional_secs() - signed.as_fractional_secs()).abs()
        });
        if drift > 300.0 {
            let body = json!({"message": "Signature expired: 20261206T100000Z is now earlier than ..."});
            let headers = [("x-amzn-errortype", "InvalidSignatureException"), ("date", &http_date(now))];
            return Reply::raw(403, &headers, &body.to_string());
        }
        Reply::json(200, json!({"jobs": []}))
    })
    .await;
    let an_hour_behind = FixedTime(SystemTime::now() - Duration::from_secs(3600));
    let client = Client::new(config(&server.url).time_source(Arc::new(an_hour_behind)).build());
    let list = || client.list_backend_jobs().app_id("a").backend_environment_name("dev").send();
    tokio::time::timeout(Duration::from_secs(10), list()).await.unwrap().unwrap();
    assert_eq!(server.requests().len(), 2, "refused once, then signed by the service's clock");
    tokio::time::timeout(Duration::from_secs(10), list()).await.unwrap().unwrap();
    assert_eq!(server.requests().len(), 3, "the next call is dated right at once");

    // A bad signature from a clock that is right is not retried.
    let wrong_key = Server::start(|_, _| {
        let headers = [("x-amzn-errortype", "InvalidSignatureException"), ("date", "Sun, 06 Dec 2026 21:00:00 GMT")];
        Reply::raw(403, &headers, r#"{"message":"The request signature we calculated does not match"}"#)
    })
    .await;
    let at_that_time = FixedTime(SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_590_800));
    let client = Client::new(config(&wrong_key.url).time_source(Arc::new(at_that_time)).build());
    let refused = client.list_backend_jobs().app_id("a").backend_environment_name("dev").send().await;
    assert!(refused.is_err());
    assert_eq!(wrong_key.requests().len(), 1);
}

/// The retry quota (500 tokens per client, 5 per retry, given back by successes): when a
/// service keeps failing, a client stops retrying after about 50 failed calls' worth of retries,
/// so a fleet doesn't triple the load on a service that is down; successes earn retries back.
#[tokio::test]
async fn retries_stop_when_the_quota_is_spent_and_successes_earn_them_back() {
    let up = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let service = up.clone();
    let server = Server::start(move |_, _| match service.load(std::sync::atomic::Ordering::SeqCst) {
        true => Reply::json(200, json!({"jobs": []})),
        false => Reply::json(503, json!({"message": "down"})),
    })
    .await;
    let client = Client::new(config(&server.url).build());
    let list = || client.list_backend_jobs().app_id("a").backend_environment_name("dev").send();
    let attempts = |before: usize| server.requests().len() - before;
    for call in 0..50 {
        let before = server.requests().len();
        assert!(list().await.is_err());
        assert_eq!(attempts(before), 3, "call {call}: retried twice, 10 tokens");
    }
    let before = server.requests().len();
    let failed = list().await.unwrap_err();
    assert_eq!(attempts(before), 1, "the quota is spent: no retry");
    assert_eq!(failed.code(), Some("503"));

    up.store(true, std::sync::atomic::Ordering::SeqCst);
    for _ in 0..5 {
        list().await.unwrap(); // each gives back 1 token
    }
    up.store(false, std::sync::atomic::Ordering::SeqCst);
    let before = server.requests().len();
    assert!(list().await.is_err());
    assert_eq!(attempts(before), 2, "5 tokens earned back: one retry");
}

/// The application's name goes in both user agents, as a header token.
#[tokio::test]
async fn the_application_names_itself_in_the_user_agent() {
    let server = Server::start(|_, _| Reply::json(200, json!({"jobs": []}))).await;
    let client = Client::new(config(&server.url).app_id("billing/report job").build());
    client.list_backend_jobs().app_id("a").backend_environment_name("dev").send().await.unwrap();
    let request = &server.requests()[0];
    assert!(request.header("user-agent").unwrap().ends_with(" lang/rust app/billing-report-job"), "{request:?}");
    // The features, before the application's name: standard retries, a custom endpoint.
    assert!(request.header("x-amz-user-agent").unwrap().ends_with(" m/E,N app/billing-report-job"), "{request:?}");
}

/// Endpoint discovery, as Timestream needs it: DescribeEndpoints asked first (signed, like any
/// call), its endpoint used and kept for the minutes it says, then asked again.
mod endpoint_discovery {
    use super::support::{quick_config_builder, Reply, Server};
    use awsgen_runtime::{BuildError, SdkError, TimeSource};
    use awsgen_timestream_write::Client;
    use serde_json::json;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, SystemTime};

    /// A clock the test moves forward.
    #[derive(Debug, Default)]
    struct Clock(AtomicU64);

    impl TimeSource for Clock {
        fn now(&self) -> SystemTime {
            SystemTime::UNIX_EPOCH + Duration::from_secs(1_765_000_000 + self.0.load(Ordering::SeqCst))
        }
    }

    fn target(request: &super::Received) -> &str {
        request.header("x-amz-target").unwrap_or_default()
    }

    /// The server DescribeEndpoints is asked of, naming `discovered` for a minute.
    async fn describing(discovered: String) -> Server {
        Server::start(move |request, _| match target(request) {
            "Timestream_20181101.DescribeEndpoints" => {
                Reply::json(200, json!({"Endpoints": [{"Address": discovered.clone(), "CachePeriodInMinutes": 1}]}))
            }
            _ => Reply::json(200, json!({"Database": {"DatabaseName": "sent to the configured endpoint"}})),
        })
        .await
    }

    async fn create(
        client: &Client,
    ) -> Result<String, SdkError<awsgen_timestream_write::operation::create_database::CreateDatabaseError>> {
        let output = client.create_database().database_name("metrics").send().await?;
        Ok(output.database().and_then(|d| d.database_name()).unwrap_or_default().to_owned())
    }

    #[tokio::test]
    async fn an_operation_goes_to_the_endpoint_the_service_names_until_it_expires() {
        let cell = Server::start(|_, _| Reply::json(200, json!({"Database": {"DatabaseName": "metrics"}}))).await;
        let discovery = describing(cell.url.clone()).await;
        let clock = Arc::new(Clock::default());
        let config = quick_config_builder(&discovery).endpoint_discovery(true).time_source(clock.clone()).build();
        let client = Client::new(config);
        assert_eq!(create(&client).await.unwrap(), "metrics");
        assert_eq!(create(&client).await.unwrap(), "metrics");
        let asked: Vec<String> = discovery.requests().iter().map(|r| target(r).to_owned()).collect();
        assert_eq!(asked, ["Timestream_20181101.DescribeEndpoints"], "asked once, then cached");
        assert!(discovery.requests()[0].signature.is_ok(), "{:?}", discovery.requests()[0].signature);
        assert_eq!(discovery.requests()[0].header("x-amz-api-version"), Some("2018-11-01"));
        let sent = cell.requests();
        assert_eq!(sent.len(), 2);
        assert!(sent.iter().all(|r| target(r) == "Timestream_20181101.CreateDatabase" && r.signature.is_ok()));
        // A minute later the endpoint has expired: asked again.
        clock.0.store(61, Ordering::SeqCst);
        assert_eq!(create(&client).await.unwrap(), "metrics");
        assert_eq!(discovery.requests().len(), 2);
        assert_eq!(cell.requests().len(), 3);
    }

    /// Concurrent first calls share one DescribeEndpoints; a call in the endpoint's last half
    /// minute (of a one-minute period) is served from the cache while the next is asked for in
    /// the background, so no call waits for it and the endpoint never lapses.
    #[tokio::test]
    async fn the_endpoint_is_asked_once_for_concurrent_calls_and_again_in_the_background_before_it_lapses() {
        let cell = Server::start(|_, _| Reply::json(200, json!({"Database": {"DatabaseName": "metrics"}}))).await;
        let discovery = describing(cell.url.clone()).await;
        let clock = Arc::new(Clock::default());
        let config = quick_config_builder(&discovery).endpoint_discovery(true).time_source(clock.clone()).build();
        let client = Client::new(config);
        let calls = futures_util::future::join_all((0..8).map(|_| create(&client))).await;
        assert!(calls.iter().all(|call| matches!(call.as_deref(), Ok("metrics"))), "{calls:?}");
        assert_eq!(discovery.requests().len(), 1, "one DescribeEndpoints for eight concurrent first calls");

        clock.0.store(40, Ordering::SeqCst);
        assert_eq!(create(&client).await.unwrap(), "metrics");
        let refreshed = async {
            while discovery.requests().len() < 2 {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        };
        tokio::time::timeout(Duration::from_secs(5), refreshed).await.expect("a refresh in the background");
        // The refreshed endpoint holds until 100 s: at 61 s nothing is asked.
        clock.0.store(61, Ordering::SeqCst);
        assert_eq!(create(&client).await.unwrap(), "metrics");
        assert_eq!(discovery.requests().len(), 2);
        assert_eq!(cell.requests().len(), 10);
    }

    /// An endpoint that answers `InvalidEndpointException` is forgotten: the next call asks
    /// DescribeEndpoints again instead of going back there until the cache period ends.
    #[tokio::test]
    async fn an_endpoint_the_service_calls_invalid_is_discovered_again() {
        let moved = |_: &super::Received, index: usize| match index {
            0 => Reply::json(421, json!({"__type": "InvalidEndpointException", "message": "moved"})),
            _ => Reply::json(200, json!({"Database": {"DatabaseName": "metrics"}})),
        };
        let cell = Server::start(moved).await;
        let discovery = describing(cell.url.clone()).await;
        let client = Client::new(quick_config_builder(&discovery).endpoint_discovery(true).build());
        assert!(create(&client).await.is_err(), "the invalid endpoint's error is the call's");
        assert_eq!(create(&client).await.unwrap(), "metrics");
        assert_eq!(discovery.requests().len(), 2, "asked again after the invalid endpoint");
    }

    #[tokio::test]
    async fn a_custom_endpoint_is_used_as_it_is_unless_discovery_is_asked_for() {
        // As botocore: with endpoint_url and no setting, the operation goes there directly.
        let server = describing("http://127.0.0.1:9".to_owned()).await;
        let client = Client::new(quick_config_builder(&server).build());
        assert_eq!(create(&client).await.unwrap(), "sent to the configured endpoint");
        assert_eq!(server.requests().len(), 1);
    }

    #[tokio::test]
    async fn an_operation_that_requires_discovery_fails_before_sending_without_it() {
        let server = describing("http://127.0.0.1:9".to_owned()).await;
        let off = Client::new(quick_config_builder(&server).endpoint_discovery(false).build());
        let error = create(&off).await.unwrap_err();
        assert!(matches!(error, SdkError::Build(BuildError::EndpointDiscovery { .. })), "{error:?}");
        assert!(error.to_string().contains("turned off"), "{error}");
        assert!(server.requests().is_empty());

        // DescribeEndpoints failing: the operation is not sent anywhere else.
        let failing =
            Server::start(|_, _| Reply::json(400, json!({"__type": "AccessDeniedException", "message": "no"}))).await;
        let client = Client::new(quick_config_builder(&failing).endpoint_discovery(true).build());
        let error = create(&client).await.unwrap_err();
        assert!(
            matches!(&error, SdkError::Build(BuildError::EndpointDiscovery { detail }) if detail.contains("AccessDenied")),
            "{error:?}"
        );
        assert!(failing.requests().iter().all(|r| target(r) == "Timestream_20181101.DescribeEndpoints"));
    }
}

/// Interceptors: a header added before signing is signed with the request; each attempt's
/// outcome is seen, retries included; a refusal ends the call unsent.
mod interceptors {
    use super::support::{quick_config_builder, Reply, Server};
    use awsgen_amplifybackend::Client;
    use awsgen_runtime::interceptor::{AttemptFailure, Interceptor, InterceptorContext, ResponseHead};
    use awsgen_runtime::{BuildError, SdkError, TransportError};
    use bytes::Bytes;
    use serde_json::json;
    use std::sync::{Arc, Mutex};

    /// Adds `x-tenant: blue`, and writes down what it sees.
    #[derive(Debug, Default, Clone)]
    struct Tenant {
        seen: Arc<Mutex<Vec<String>>>,
    }

    impl Interceptor for Tenant {
        fn modify_before_signing(
            &self,
            _: &InterceptorContext,
            request: &mut http::Request<Bytes>,
        ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
            request.headers_mut().insert("x-tenant", http::HeaderValue::from_static("blue"));
            Ok(())
        }

        fn read_before_transmit(&self, context: &InterceptorContext, request: &http::Request<Bytes>) {
            let signed =
                request.headers().get("authorization").is_some_and(|a| a.to_str().unwrap().contains("x-tenant"));
            self.seen
                .lock()
                .unwrap()
                .push(format!("{} attempt {}: signed {signed}", context.operation, context.attempt));
        }

        fn read_after_attempt(&self, context: &InterceptorContext, outcome: Result<ResponseHead<'_>, &TransportError>) {
            let status = outcome.map(|head| head.status.to_string()).unwrap_or_else(|e| e.to_string());
            self.seen.lock().unwrap().push(format!("{} attempt {}: {status}", context.service_id, context.attempt));
        }
    }

    #[tokio::test]
    async fn an_interceptor_changes_the_request_before_signing_and_sees_every_attempt() {
        let server = Server::start(|_, index| match index {
            0 => Reply::json(500, json!({"__type": "InternalServerError"})),
            _ => Reply::json(200, json!({"jobs": []})),
        })
        .await;
        let tenant = Tenant::default();
        let client = Client::new(quick_config_builder(&server).interceptor(tenant.clone()).build());
        client.list_backend_jobs().app_id("app").backend_environment_name("dev").send().await.unwrap();
        let seen = tenant.seen.lock().unwrap().clone();
        assert_eq!(
            seen,
            [
                "ListBackendJobs attempt 1: signed true",
                "AmplifyBackend attempt 1: 500",
                "ListBackendJobs attempt 2: signed true",
                "AmplifyBackend attempt 2: 200"
            ]
        );
        for request in server.requests() {
            assert_eq!(request.header("x-tenant"), Some("blue"));
            assert!(request.signature.is_ok(), "{:?}", request.signature);
        }
    }

    /// Refuses every request.
    #[derive(Debug)]
    struct Refuse;

    impl Interceptor for Refuse {
        fn modify_before_signing(
            &self,
            _: &InterceptorContext,
            _: &mut http::Request<Bytes>,
        ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
            Err("no tenant configured".into())
        }
    }

    #[tokio::test]
    async fn an_interceptor_that_refuses_ends_the_call_before_anything_is_sent() {
        let server = Server::start(|_, _| Reply::json(200, json!({"jobs": []}))).await;
        let client = Client::new(quick_config_builder(&server).interceptor(Refuse).build());
        let error = client.list_backend_jobs().app_id("app").backend_environment_name("dev").send().await.unwrap_err();
        assert!(
            matches!(&error, SdkError::Build(BuildError::Interceptor { detail }) if detail == "no tenant configured"),
            "{error:?}"
        );
        assert!(server.requests().is_empty());
    }

    /// Retries a 400 whose code is `TableBusy` (a service's transient error the SDK can't know),
    /// and never a 503 (a caller that would rather fail fast than wait out an outage).
    #[derive(Debug)]
    struct Classifier;

    impl Interceptor for Classifier {
        fn classify_retry(&self, _: &InterceptorContext, failure: AttemptFailure<'_>) -> Option<bool> {
            match failure {
                AttemptFailure::Service { code: Some("TableBusy"), .. } => Some(true),
                AttemptFailure::Service { status: 503, .. } => Some(false),
                _ => None,
            }
        }
    }

    #[tokio::test]
    async fn a_retry_classifier_decides_which_failures_are_tried_again() {
        let busy_then_ok = |_: &super::Received, index: usize| match index {
            0 | 1 => Reply::json(400, json!({"__type": "TableBusy", "message": "try later"})),
            _ => Reply::json(200, json!({"jobs": []})),
        };
        let list = |client: Client| async move {
            client.list_backend_jobs().app_id("app").backend_environment_name("dev").send().await
        };
        let server = Server::start(busy_then_ok).await;
        list(Client::new(quick_config_builder(&server).interceptor(Classifier).build())).await.unwrap();
        assert_eq!(server.requests().len(), 3, "two TableBusy answers retried");
        let server = Server::start(busy_then_ok).await;
        assert!(list(Client::new(quick_config_builder(&server).build())).await.is_err());
        assert_eq!(server.requests().len(), 1, "without it, a 400 is final");

        let unavailable = |_: &super::Received, _: usize| Reply::json(503, json!({"__type": "ServiceUnavailable"}));
        let server = Server::start(unavailable).await;
        assert!(list(Client::new(quick_config_builder(&server).interceptor(Classifier).build())).await.is_err());
        assert_eq!(server.requests().len(), 1, "the classifier's no wins over the client's yes");
        let server = Server::start(unavailable).await;
        assert!(list(Client::new(quick_config_builder(&server).build())).await.is_err());
        assert_eq!(server.requests().len(), 3, "without it, a 503 is retried");
    }
}

/// An EventBridge global endpoint (`EndpointId`) asks for SigV4a: the call is signed for the
/// region set `*` with the credentials' ECDSA key, which the server, deriving the public key from
/// the secret with its own code, verifies.
#[tokio::test]
async fn a_global_endpoint_is_signed_with_sigv4a_and_the_server_verifies_it_with_the_derived_key() {
    use awsgen_events::types::PutEventsRequestEntry;
    let server =
        Server::start(|_, _| Reply::json(200, json!({"FailedEntryCount": 0, "Entries": [{"EventId": "e-1"}]}))).await;
    let config = awsgen_events::Config::builder()
        .region("eu-west-1")
        .credentials(Credentials::new(ACCESS_KEY, SECRET_KEY, None))
        .endpoint_url(&server.url)
        .build();
    let client = awsgen_events::Client::new(config);
    let entry = PutEventsRequestEntry::builder().source("orders").detail_type("placed").detail("{}").build();
    let put = client.put_events().endpoint_id("abc123.456def").entries(vec![entry]);
    let output = tokio::time::timeout(Duration::from_secs(30), put.send()).await.unwrap().unwrap();
    assert_eq!(output.failed_entry_count(), Some(0));
    let sent = server.requests().pop().unwrap();
    assert_eq!(sent.signature, Ok(()), "verified with the public key derived from the secret");
    let authorization = sent.header("authorization").unwrap();
    assert!(authorization.starts_with("AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLE/"), "{authorization}");
    assert!(authorization.contains("/events/aws4_request, SignedHeaders="), "no region in the scope: {authorization}");
    assert_eq!(sent.header("x-amz-region-set"), Some("*"));

    // Without an endpoint id the regional endpoint signs with SigV4, as ever.
    let entry = PutEventsRequestEntry::builder().source("orders").detail_type("placed").detail("{}").build();
    client.put_events().entries(vec![entry]).send().await.unwrap();
    let sent = server.requests().pop().unwrap();
    assert_eq!(sent.signature, Ok(()));
    assert!(sent.header("authorization").unwrap().starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"));
    assert_eq!(sent.header("x-amz-region-set"), None);

    // The verifier checks the ECDSA signature, not just its form: the last digit of the
    // signature's `s` changed, or the body changed, and it fails.
    let v4a = &server.requests()[0];
    let last = authorization.chars().last().unwrap();
    let flipped = format!("{}{}", &authorization[..authorization.len() - 1], if last == '0' { '1' } else { '0' });
    let headers: Vec<(String, String)> = v4a
        .headers
        .iter()
        .map(|(name, value)| (name.clone(), if name == "authorization" { flipped.clone() } else { value.clone() }))
        .collect();
    let verify = |headers: &[(String, String)], body: &[u8]| {
        let signed = support::sigv4::Signed { method: "POST", target: &v4a.target, headers, body };
        support::sigv4::verify(&signed, SECRET_KEY)
    };
    assert_eq!(verify(&v4a.headers, &v4a.body), Ok(()));
    assert!(verify(&headers, &v4a.body).is_err());
    assert!(verify(&v4a.headers, b"{}").is_err());
}

/// Asked to (`ConfigBuilder::http2`), the client offers HTTP/2 by ALPN and a server that takes it
/// gets HTTP/2; by default HTTP/1.1, as the AWS SDKs speak to most services.
#[tokio::test]
async fn http2_is_offered_when_asked_and_taken_by_a_server_that_speaks_it() {
    let acceptor = support::tls_acceptor(&[b"h2", b"http/1.1"]);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://localhost:{}", listener.local_addr().unwrap().port());
    let versions = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = versions.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (acceptor, seen) = (acceptor.clone(), seen.clone());
            tokio::spawn(async move {
                let Ok(stream) = acceptor.accept(stream).await else { return };
                let h2 = stream.get_ref().1.alpn_protocol() == Some(b"h2");
                let service = hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                    seen.lock().unwrap().push(format!("{:?}", request.version()));
                    let body = http_body_util::Full::new(bytes::Bytes::from_static(br#"{"jobs": []}"#));
                    std::future::ready(Ok::<_, std::convert::Infallible>(hyper::Response::new(body)))
                });
                let io = hyper_util::rt::TokioIo::new(stream);
                if h2 {
                    let http2 = hyper::server::conn::http2::Builder::new(hyper_util::rt::TokioExecutor::new());
                    let _ = http2.serve_connection(io, service).await;
                } else {
                    let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await;
                }
            });
        }
    });
    let ca = support::test_ca();
    for offer in [true, false] {
        let client = Client::new(config(&url).ca_bundle(ca.clone()).http2(offer).build());
        list(&client).await.unwrap();
    }
    assert_eq!(*versions.lock().unwrap(), ["HTTP/2.0", "HTTP/1.1"]);
}
