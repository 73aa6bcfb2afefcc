//! What a careless caller, a broken server or an attacker can throw at a generated client: it
//! answers with a typed error, never a panic, a request to a host nobody named, a secret in a
//! message, or unbounded memory. Every test runs against a real server on 127.0.0.1.

mod support;

use awsgen_amplifybackend::operation::list_backend_jobs::ListBackendJobsError;
use awsgen_fixture_restjson::operation::put_secrets::PutSecretsOutput;
use awsgen_fixture_restjson::types::{HiddenChoice, SecretChoice, SecretHolder, SecretLevel};
use awsgen_runtime::{BuildError, Config, ConfigBuilder, Credentials, RetryConfig, SdkError, TransportErrorKind};
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use support::{Reply, Server, ACCESS_KEY, SECRET_KEY};

const SECRET: &str = "hunter2-TOPSECRET";

fn config() -> ConfigBuilder {
    Config::builder().region("us-east-1").credentials(Credentials::new(ACCESS_KEY, SECRET_KEY, None)).retry(
        RetryConfig {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(2),
        },
    )
}

async fn bounded<F: std::future::Future>(future: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(60), future).await.expect("the call ends in bounded time")
}

type Outcome =
    Result<awsgen_amplifybackend::operation::list_backend_jobs::ListBackendJobsOutput, SdkError<ListBackendJobsError>>;

async fn list_jobs(config: Config) -> Outcome {
    let client = awsgen_amplifybackend::Client::new(config);
    bounded(client.list_backend_jobs().app_id("app").backend_environment_name("dev").send()).await
}

fn build_error(outcome: Outcome) -> BuildError {
    match outcome {
        Err(SdkError::Build(error)) => error,
        other => panic!("expected a build error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_region_never_moves_the_host() {
    let server = Server::start(|_, _| Reply::json(200, json!({}))).await;
    let port = server.url.rsplit(':').next().unwrap().to_owned();
    let regions = [
        format!("x@127.0.0.1:{port}/"),
        format!("127.0.0.1:{port}#"),
        "us-east-1#".to_owned(),
        "us east 1".to_owned(),
        "us-east-1/../x".to_owned(),
        "us-east-1\r\nx-injected: 1".to_owned(),
        "us-east-1?x=1".to_owned(),
        String::new(),
    ];
    for region in regions {
        // No endpoint URL: the region alone would make the host.
        let error = build_error(list_jobs(config().region(region.as_str()).build()).await);
        assert!(matches!(error, BuildError::InvalidSetting { setting: "region", .. }), "{region:?}: {error}");
        // With an endpoint URL the region still goes into the signature, so it is checked too.
        let error = build_error(list_jobs(config().region(region.as_str()).endpoint_url(&server.url).build()).await);
        assert!(matches!(error, BuildError::InvalidSetting { setting: "region", .. }), "{region:?}: {error}");
    }
    assert!(server.requests().is_empty(), "no odd region reached the server");
}

#[tokio::test]
async fn no_caller_value_panics_or_reaches_the_wire_unchecked() {
    let server = Server::start(|_, _| Reply::json(200, json!({}))).await;
    let base = || config().endpoint_url(&server.url);
    let credentials = [
        Credentials::new("AKID\r\nx-injected: 1", SECRET_KEY, None),
        Credentials::new("AKID\n", SECRET_KEY, None),
        Credentials::new("AKID EXAMPLE", SECRET_KEY, None),
        Credentials::new("AKIDé", SECRET_KEY, None),
        Credentials::new("", SECRET_KEY, None),
        Credentials::new(ACCESS_KEY, SECRET_KEY, Some("token\r\nx-injected: 1".to_owned())),
    ];
    for credentials in credentials {
        let error = build_error(list_jobs(base().credentials(credentials.clone()).build()).await);
        let BuildError::InvalidSetting { setting, .. } = error else { panic!("{credentials:?}: {error}") };
        assert!(setting.starts_with("credentials."), "{setting}");
        assert!(!error.to_string().contains("AKID"), "the value is not echoed: {error}");
    }
    // A secret key is only hashed: any text signs (and this server rejects the signature).
    let odd_secret = list_jobs(base().credentials(Credentials::new(ACCESS_KEY, "sécret\r\n", None)).build()).await;
    assert!(matches!(odd_secret, Err(SdkError::Service(_))), "{odd_secret:?}");

    // Header-bound members with CR/LF, and map keys that are no header names.
    let client = awsgen_fixture_restjson::Client::new(base().max_attempts(1).build());
    let put = || client.put_thing().thing_id("t").key("k");
    let bad_header = bounded(put().names(vec![format!("a\r\nx-injected: {SECRET}")]).send()).await;
    let Err(SdkError::Build(error)) = bad_header else { panic!("{bad_header:?}") };
    assert_eq!(error, BuildError::InvalidHeader { header: "x-names".to_owned() });
    assert!(!error.to_string().contains(SECRET), "{error}");
    let bad_key = bounded(put().meta(BTreeMap::from([(format!("a b{SECRET}"), "v".to_owned())])).send()).await;
    let Err(SdkError::Build(error)) = bad_key else { panic!("{bad_key:?}") };
    assert!(matches!(error, BuildError::InvalidHeader { .. }), "{error}");
    assert!(!error.to_string().contains(SECRET), "{error}");
    // Labels and query values are percent-encoded, so they can't break the request line.
    let encoded = bounded(
        put().thing_id("a b\r\n#?").key("x/y z").filters(BTreeMap::from([("q".to_owned(), "#\r\n".to_owned())])).send(),
    )
    .await;
    assert!(encoded.is_ok(), "{encoded:?}");
    let sent = server.requests();
    assert_eq!(sent.len(), 2, "one signed request from the odd secret, one encoded PutThing");
    assert_eq!(sent[1].target, "/things/a%20b%0D%0A%23%3F/x/y%20z?mode=literal&q=%23%0D%0A");
}

#[tokio::test]
async fn endpoint_urls_name_a_host_and_nothing_else() {
    let server = Server::start(|_, _| Reply::json(200, json!({}))).await;
    let other = Server::start(|_, _| Reply::json(200, json!({}))).await;
    let other_authority = other.url.trim_start_matches("http://").to_owned();
    let bad = [
        format!("{}?x=1", server.url),
        format!("{}/?x=1", server.url),
        format!("{}#frag", server.url),
        format!("http://user:pw@{other_authority}"),
        format!("http://{}@{other_authority}", server.url.trim_start_matches("http://")),
        format!("{}/a b", server.url),
        format!("{}\r\nx: y", server.url),
        "ftp://127.0.0.1:1".to_owned(),
        "127.0.0.1:1".to_owned(),
        "http://".to_owned(),
        "http://127.0.0.1:99999".to_owned(),
    ];
    for url in bad {
        let error = build_error(list_jobs(config().endpoint_url(&url).build()).await);
        assert!(matches!(error, BuildError::InvalidSetting { setting: "endpoint_url", .. }), "{url}: {error}");
    }
    assert!(server.requests().is_empty() && other.requests().is_empty());
    // A path is kept, and a trailing slash does not double.
    list_jobs(config().endpoint_url(format!("{}/base/", server.url)).build()).await.unwrap();
    assert_eq!(server.requests()[0].target, "/base/backend/app/job/dev");
}

#[tokio::test]
async fn host_prefixes_on_ip_endpoints_are_a_clear_error_or_turned_off() {
    let server = Server::start(|_, _| Reply::json(200, json!({}))).await;
    let client = awsgen_fixture_restjson::Client::new(config().endpoint_url(&server.url).build());
    let outcome = bounded(client.ping().account("123456").send()).await;
    let Err(SdkError::Build(error)) = outcome else { panic!("{outcome:?}") };
    assert!(matches!(error, BuildError::HostPrefix { .. }), "{error}");
    assert!(error.to_string().contains("inject_host_prefix(false)"), "{error}");
    assert!(server.requests().is_empty());

    let config = config().endpoint_url(&server.url).inject_host_prefix(false).build();
    let client = awsgen_fixture_restjson::Client::new(config);
    bounded(client.ping().account("123456").send()).await.unwrap();
    assert_eq!(server.requests()[0].target, "/ping");
    // The host label is still checked: it would have been part of the host.
    let outcome = bounded(client.ping().account("a/b").send()).await;
    assert!(matches!(outcome, Err(SdkError::Build(BuildError::InvalidHostLabel { .. }))), "{outcome:?}");
}

fn secrets_body() -> serde_json::Value {
    json!({
        "Plain": "visible",
        "Grid": [[SECRET], [SECRET, SECRET]],
        "ByName": {"k": [SECRET]},
        "Choice": {"Code": SECRET},
        "Hidden": {"Text": SECRET},
        "Holders": [{"Label": "visible", "Value": SECRET}],
        "Level": "HIGH",
    })
}

#[tokio::test]
async fn sensitive_values_never_print_at_any_depth() {
    let server = Server::start(|_, _| Reply::json(200, secrets_body())).await;
    let client = awsgen_fixture_restjson::Client::new(config().endpoint_url(&server.url).build());
    let request = client
        .put_secrets()
        .plain("visible")
        .grid(vec![vec![SECRET.to_owned()], vec![SECRET.to_owned(), SECRET.to_owned()]])
        .by_name(BTreeMap::from([("k".to_owned(), vec![SECRET.to_owned()])]))
        .choice(SecretChoice::Code(SECRET.to_owned()))
        .hidden(HiddenChoice::Text(SECRET.to_owned()))
        .holders(vec![SecretHolder::builder().label("visible").value(SECRET).build()])
        .level(SecretLevel::High);
    let printed = [format!("{request:?}"), format!("{:?}", request.clone().build())];
    let output: PutSecretsOutput = bounded(request.send()).await.unwrap();
    // What the server got is the real thing: redaction is for printing only.
    assert_eq!(server.requests()[0].json(), secrets_body());
    assert_eq!(output.choice, Some(SecretChoice::Code(SECRET.to_owned())));
    let printed = printed.into_iter().chain([
        format!("{output:?}"),
        format!("{:#?}", output),
        format!("{:?}", SecretLevel::High),
        format!("{:?}", HiddenChoice::Text(SECRET.to_owned())),
        format!("{:?}", SecretChoice::Code(SECRET.to_owned())),
    ]);
    for text in printed {
        assert!(!text.contains(SECRET) && !text.contains("HIGH") && !text.contains("High"), "leaked: {text}");
    }
    let output_text = format!("{output:?}");
    assert!(output_text.contains("visible"), "non-sensitive members still print: {output_text}");
    assert!(format!("{:?}", SecretChoice::Note("note".into())).contains("note"));
}

#[tokio::test]
async fn errors_name_the_place_never_the_value() {
    let server = Server::start(|request, _| match request.target.as_str() {
        "/secrets" => Reply::json(200, json!({"Holders": [{"Label": "x", "Value": {"nested": SECRET}}]})),
        _ => Reply::raw(201, &[("x-count", SECRET)], "{}"),
    })
    .await;
    let client = awsgen_fixture_restjson::Client::new(config().endpoint_url(&server.url).build());
    let outcome = bounded(client.put_secrets().send()).await;
    let Err(SdkError::Parse(error)) = outcome else { panic!("{outcome:?}") };
    let text = error.to_string();
    assert!(text.starts_with("could not parse the PutSecrets response (HTTP 200): at Holders[0].Value: "), "{text}");
    assert!(!text.contains(SECRET) && !format!("{error:?}").contains(SECRET), "{text}");
    // A header value that does not parse is named by its header.
    let outcome = bounded(client.put_thing().thing_id("t").key("k").send()).await;
    let Err(SdkError::Parse(error)) = outcome else { panic!("{outcome:?}") };
    assert!(error.to_string().to_ascii_lowercase().contains("header x-count"), "{error}");
    assert!(!error.to_string().contains(SECRET), "{error}");
}

#[tokio::test]
async fn huge_responses_stop_at_the_limit_and_are_not_retried() {
    for declare_length in [false, true] {
        let flooded = Arc::new(AtomicUsize::new(0));
        let flood = flooded.clone();
        let server = Server::start(move |_, _| Reply::Flood { declare_length, flooded: flood.clone() }).await;
        let config = config().endpoint_url(&server.url).max_response_body(1 << 20).build();
        let outcome = list_jobs(config).await;
        let Err(SdkError::Transport(error)) = outcome else { panic!("{outcome:?}") };
        assert_eq!(error.kind(), TransportErrorKind::ResponseTooLarge);
        assert_eq!(error.attempts(), 1, "a response too large is not retried");
        assert_eq!(server.requests().len(), 1);
        // Reading stopped: the server could push only what the socket buffers hold past 1 MiB.
        let sent = flooded.load(Ordering::Relaxed);
        assert!(sent < 64 << 20, "the client kept reading: {sent} bytes");
        if declare_length {
            assert!(sent < 16 << 20, "a declared length over the limit is refused before reading: {sent}");
        }
    }
    // The default limit admits real responses.
    let server = Server::start(|_, _| Reply::json(200, json!({"jobs": [support::job(1)]}))).await;
    assert!(list_jobs(config().endpoint_url(&server.url).build()).await.is_ok());
}

#[tokio::test]
async fn huge_error_codes_and_messages_are_capped() {
    let big = "m".repeat(10 << 20);
    let big_type = "T".repeat(10 << 20);
    let body = json!({"__type": big_type, "message": big}).to_string();
    let server =
        Server::start(move |_, _| Reply::raw(400, &[("x-amzn-requestid", &"r".repeat(64 << 10))], &body)).await;
    let outcome = list_jobs(config().endpoint_url(&server.url).build()).await;
    let Err(SdkError::Service(ListBackendJobsError::Unhandled(unhandled))) = &outcome else { panic!("not unhandled") };
    let meta = unhandled.meta();
    assert!(meta.code().unwrap().len() <= awsgen_runtime::CODE_CAP + 3);
    assert!(meta.message().unwrap().len() <= awsgen_runtime::MESSAGE_CAP + 3);
    assert!(meta.request_id().unwrap().len() <= awsgen_runtime::CODE_CAP + 3);
    let error = outcome.unwrap_err();
    assert!(error.to_string().len() < 16 * 1024, "Display is {} bytes", error.to_string().len());
    assert!(format!("{error:?}").len() < 16 * 1024, "Debug is {} bytes", format!("{error:?}").len());

    // Headers are bounded by hyper (about 400 KiB in all): a larger head is a transport error.
    let server = Server::start(|_, _| Reply::raw(200, &[("x-amzn-requestid", &"r".repeat(1 << 20))], "{}")).await;
    let outcome = list_jobs(config().endpoint_url(&server.url).build()).await;
    assert!(matches!(outcome, Err(SdkError::Transport(_))), "{outcome:?}");

    // A modeled error keeps its members (the body limit bounds them) but prints the capped message.
    let body = json!({"message": "x".repeat(10 << 20), "resourceType": "app"}).to_string();
    let server = Server::start(move |_, _| Reply::raw(404, &[("x-amzn-errortype", "NotFoundException")], &body)).await;
    let outcome = list_jobs(config().endpoint_url(&server.url).build()).await;
    let Err(SdkError::Service(ListBackendJobsError::NotFound(error))) = outcome else { panic!("not NotFound") };
    let cap = awsgen_runtime::MESSAGE_CAP;
    assert!(error.to_string().len() < cap + 1024, "Display is {} bytes", error.to_string().len());
    // The member and the metadata each hold the capped message.
    assert!(format!("{error:?}").len() < 2 * cap + 1024, "Debug is {} bytes", format!("{error:?}").len());
}

/// An object body that does not match the checksum its response carries never reads as whole:
/// the stream ends with `ChecksumMismatch` where its end would be. GetObject asks for the
/// checksum by default; with `response_checksum_validation = when_required` only when the caller
/// does.
#[tokio::test]
async fn a_corrupted_object_body_fails_its_checksum() {
    use awsgen_s3::config::{ChecksumSettings, ResponseChecksumValidation};
    // "i9aeUg==" is the CRC32 of "Hello world" (Python zlib); the body has a capital W.
    let server = Server::start(|_, _| Reply::raw(200, &[("x-amz-checksum-crc32", "i9aeUg==")], "Hello World")).await;
    let s3 = |config: ConfigBuilder| awsgen_s3::Client::new(config.endpoint_url(&server.url).build());
    let get_object = |client: &awsgen_s3::Client| bounded(client.get_object().bucket("b").key("k").send());

    let client = s3(config());
    let mut body = get_object(&client).await.unwrap().body.expect("a body");
    assert_eq!(bounded(body.next()).await.unwrap().unwrap(), "Hello World", "the data arrives as it comes");
    let error = bounded(body.next()).await.expect("an error in place of the end").unwrap_err();
    assert_eq!(error.kind(), TransportErrorKind::ChecksumMismatch, "{error}");
    assert!(error.to_string().contains("CRC32 checksum is"), "{error}");
    let collected = bounded(get_object(&client).await.unwrap().body.unwrap().collect()).await.unwrap_err();
    assert_eq!(collected.kind(), TransportErrorKind::ChecksumMismatch);
    assert_eq!(server.requests()[0].header("x-amz-checksum-mode"), Some("ENABLED"));

    // A range of the object (206) is not checked against the object's checksum.
    let ranged = Server::start(|_, _| Reply::raw(206, &[("x-amz-checksum-crc32", "i9aeUg==")], "Hello")).await;
    let ranged_client = awsgen_s3::Client::new(config().endpoint_url(&ranged.url).build());
    let part = bounded(ranged_client.get_object().bucket("b").key("k").range("bytes=0-4").send()).await.unwrap();
    assert_eq!(bounded(part.body.unwrap().collect()).await.unwrap(), "Hello");

    let relaxed = s3(config().response_checksum_validation(ResponseChecksumValidation::WhenRequired));
    let unchecked = bounded(get_object(&relaxed).await.unwrap().body.unwrap().collect()).await.unwrap();
    assert_eq!(unchecked, "Hello World");
    assert_eq!(server.requests()[2].header("x-amz-checksum-mode"), None);
}

/// A timestamp header in another format than the model declares (a proxy rewriting
/// `Last-Modified` as ISO 8601, an S3-compatible store sending epoch seconds) reads as the time
/// it is, as botocore reads it; one in no format fails naming the header and the formats tried.
#[tokio::test]
async fn header_timestamps_read_in_any_format() {
    let when = awsgen_runtime::DateTime::from_secs(1_577_934_245);
    let cases = [
        ("2020-01-02T03:04:05Z", "Thu, 02 Jan 2020 03:04:05 GMT"),
        ("1577934245", "2020-01-02T03:04:05Z"),
        ("Thu, 02 Jan 2020 03:04:05 GMT", "1577934245"),
    ];
    for (last_modified, retain_until) in cases {
        let headers = [("Last-Modified", last_modified), ("x-amz-object-lock-retain-until-date", retain_until)];
        let server = Server::start(move |_, _| Reply::raw(200, &headers, "")).await;
        let client = awsgen_s3::Client::new(config().endpoint_url(&server.url).build());
        let head = bounded(client.head_object().bucket("b").key("k").send()).await.unwrap();
        // Last-Modified is declared an HTTP date, the retention date ISO 8601.
        assert_eq!((head.last_modified(), head.object_lock_retain_until_date()), (Some(when), Some(when)));
    }
    let server = Server::start(|_, _| Reply::raw(200, &[("Last-Modified", "around noon")], "")).await;
    let client = awsgen_s3::Client::new(config().endpoint_url(&server.url).build());
    let error = bounded(client.head_object().bucket("b").key("k").send()).await.unwrap_err().to_string();
    assert!(error.contains("header Last-Modified: not a timestamp in any format tried (http-date"), "{error}");
    assert!(!error.contains("noon"), "the value is not repeated: {error}");
}

/// S3's copies and CompleteMultipartUpload can fail after they started answering: status 200
/// with an `<Error>` document. That is the error it holds (typed, with its code), retried as a
/// server failure; a real success still parses. Another operation's 200 is never read so.
#[tokio::test]
async fn an_error_inside_a_200_is_that_error_and_is_retried() {
    const ERROR: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InternalError</Code>\
        <Message>We encountered an internal error. Please try again.</Message><RequestId>r-200</RequestId></Error>";
    let success = |path: &str| match path {
        p if p.contains("uploadId=u1") && p.contains("partNumber") => {
            "<CopyPartResult><ETag>\"p\"</ETag></CopyPartResult>"
        }
        p if p.contains("uploadId=u1") => {
            "<CompleteMultipartUploadResult><ETag>\"c\"</ETag></CompleteMultipartUploadResult>"
        }
        _ => "<CopyObjectResult><ETag>\"e\"</ETag></CopyObjectResult>",
    };
    // Every other request fails inside a 200: each call succeeds on its second attempt.
    let server =
        Server::start(move |request, n| Reply::xml(200, if n % 2 == 0 { ERROR } else { success(&request.target) }))
            .await;
    let client = awsgen_s3::Client::new(config().endpoint_url(&server.url).build());
    let copied = client.copy_object().bucket("b").key("k").copy_source("src/k");
    let copied = bounded(copied.send()).await.unwrap();
    assert_eq!(copied.copy_object_result().and_then(|r| r.e_tag()), Some("\"e\""));
    let part = client.upload_part_copy().bucket("b").key("k").copy_source("src/k").part_number(1).upload_id("u1");
    let part = bounded(part.send()).await.unwrap();
    assert_eq!(part.copy_part_result().and_then(|r| r.e_tag()), Some("\"p\""));
    let completed = client.complete_multipart_upload().bucket("b").key("k").upload_id("u1");
    assert_eq!(bounded(completed.send()).await.unwrap().e_tag(), Some("\"c\""));
    assert_eq!(server.requests().len(), 6, "each call took two attempts");

    // Out of attempts, the error is the one the document holds.
    let once = awsgen_s3::Client::new(config().max_attempts(1).endpoint_url(&server.url).build());
    let failed = bounded(once.copy_object().bucket("b").key("k").copy_source("src/k").send()).await.unwrap_err();
    assert_eq!((failed.code(), failed.status()), (Some("InternalError"), Some(200)), "{failed}");
    assert!(failed.to_string().contains("InternalError"), "{failed}");

    // GetObject's answer is the object: an `<Error>` document there is the caller's data.
    let server = Server::start(|_, _| Reply::xml(200, ERROR)).await;
    let client = awsgen_s3::Client::new(config().endpoint_url(&server.url).build());
    let object = bounded(client.get_object().bucket("b").key("error.xml").send()).await.unwrap();
    assert_eq!(bounded(object.body.unwrap().collect()).await.unwrap(), ERROR);
}

/// Every S3 answer that is an XML document may fail inside a 200 (not only the copies), or be
/// cut short: both are retried, as botocore retries them, and the last attempt's error stays.
#[tokio::test]
async fn any_s3_document_failing_inside_a_200_or_cut_short_is_retried() {
    const LISTING: &str = "<ListBucketResult><Name>b</Name><KeyCount>1</KeyCount>\
        <Contents><Key>k</Key></Contents></ListBucketResult>";
    let answers = ["<Error><Code>SlowDown</Code></Error>", &LISTING[..40], LISTING];
    let server = Server::start(move |_, n| Reply::xml(200, answers[n.min(2)])).await;
    let client = awsgen_s3::Client::new(config().endpoint_url(&server.url).build());
    let listed = bounded(client.list_objects_v2().bucket("b").send()).await.unwrap();
    assert_eq!(listed.contents()[0].key(), Some("k"));
    assert_eq!(server.requests().len(), 3, "an error, a cut-short document, then the listing");

    let cut = Server::start(|_, _| Reply::xml(200, "<ListBucketResult><Name>b")).await;
    let client = awsgen_s3::Client::new(config().max_attempts(2).endpoint_url(&cut.url).build());
    let failed = bounded(client.list_objects_v2().bucket("b").send()).await.unwrap_err();
    assert!(matches!(failed, SdkError::Parse(_)), "{failed:?}");
    assert_eq!(cut.requests().len(), 2, "tried as often as allowed");
}

fn watchful(grace_ms: u64) -> Option<awsgen_runtime::StalledStreamProtection> {
    Some(awsgen_runtime::StalledStreamProtection { grace_period: Duration::from_millis(grace_ms), min_throughput: 1 })
}

fn object_server(chunks: &[&str], pause: Duration, hold: Duration) -> impl Fn(&support::Received, usize) -> Reply {
    let chunks: Vec<Vec<u8>> = chunks.iter().map(|c| c.as_bytes().to_vec()).collect();
    move |_, _| Reply::Stream { headers: vec![], chunks: chunks.clone(), pause, hold }
}

/// An object whose server goes silent mid-body fails with a typed error once the grace period
/// of waiting passes, instead of waiting forever (the attempt timeout ended with the head).
#[tokio::test]
async fn a_download_that_stops_arriving_fails_as_stalled() {
    let server = Server::start(object_server(&["first part"], Duration::ZERO, Duration::from_secs(30))).await;
    let config = config().endpoint_url(&server.url).stalled_stream_protection(watchful(300)).build();
    let client = awsgen_s3::Client::new(config);
    let mut body = bounded(client.get_object().bucket("b").key("k").send()).await.unwrap().body.unwrap();
    assert_eq!(bounded(body.next()).await.unwrap().unwrap(), "first part");
    let started = std::time::Instant::now();
    let stalled = bounded(body.next()).await.unwrap().unwrap_err();
    assert_eq!(stalled.kind(), TransportErrorKind::StalledStream, "{stalled}");
    assert!(started.elapsed() < Duration::from_secs(5), "caught after {:?}", started.elapsed());
    assert!(bounded(body.next()).await.is_none(), "nothing after the error");
}

/// Neither a slow but moving transfer nor a caller slow to read is taken for a stall.
#[tokio::test]
async fn slow_transfers_and_slow_readers_are_not_stalls() {
    let chunks = ["a", "b", "c", "d", "e", "f"];
    let server = Server::start(object_server(&chunks, Duration::from_millis(200), Duration::ZERO)).await;
    let config = config().endpoint_url(&server.url).stalled_stream_protection(watchful(400)).build();
    let client = awsgen_s3::Client::new(config);
    let moving = bounded(client.get_object().bucket("b").key("k").send()).await.unwrap();
    assert_eq!(bounded(moving.body.unwrap().collect()).await.unwrap(), "abcdef", "a chunk every 200 ms");

    let mut body = bounded(client.get_object().bucket("b").key("k").send()).await.unwrap().body.unwrap();
    let mut read = String::new();
    while let Some(chunk) = bounded(body.next()).await {
        read.push_str(std::str::from_utf8(&chunk.unwrap()).unwrap());
        tokio::time::sleep(Duration::from_millis(700)).await; // longer than the grace period
    }
    assert_eq!(read, "abcdef");
}

/// A response read whole (JSON here) that stops arriving is an attempt that failed, retried, and
/// the error says it stalled.
#[tokio::test]
async fn a_whole_response_that_stops_arriving_is_retried_and_fails_as_stalled() {
    let server = Server::start(object_server(&["{\"jobs\": ["], Duration::ZERO, Duration::from_secs(30))).await;
    let config = config().endpoint_url(&server.url).stalled_stream_protection(watchful(200)).build();
    let failed = list_jobs(config).await.unwrap_err();
    let SdkError::Transport(error) = &failed else { panic!("{failed:?}") };
    assert_eq!((error.kind(), error.attempts()), (TransportErrorKind::StalledStream, 3), "{error}");
    // The first 10 bytes came; then nothing for a whole grace period.
    assert!(error.to_string().contains("stalled: 0 bytes of the response body in 200ms of waiting"), "{error}");
}

/// A server that reads a request's head, then takes its body at `per_read` bytes every `pause`
/// (none at all for 0), and answers 200 once it has it all.
async fn slow_reader(per_read: usize, pause: Duration) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if stream.read(&mut byte).await.unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(byte[0]);
                }
                let text = String::from_utf8_lossy(&head).to_ascii_lowercase();
                let length: usize =
                    text.lines().find_map(|l| l.strip_prefix("content-length: ")?.trim().parse().ok()).unwrap_or(0);
                if per_read == 0 {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    return;
                }
                let mut left = length;
                let mut buffer = vec![0u8; per_read];
                while left > 0 {
                    tokio::time::sleep(pause).await;
                    let read = stream.read(&mut buffer[..per_read.min(left)]).await.unwrap_or(0);
                    if read == 0 {
                        return;
                    }
                    left -= read;
                }
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\netag: \"e\"\r\ncontent-length: 0\r\n\r\n").await;
            });
        }
    });
    url
}

/// An upload the server stops taking fails as stalled (each attempt, then the call) instead of
/// waiting for the attempt timeout; one it takes slowly but steadily goes through.
#[tokio::test]
async fn an_upload_the_server_stops_taking_fails_as_stalled() {
    let stopped = slow_reader(0, Duration::ZERO).await;
    let client =
        awsgen_s3::Client::new(config().endpoint_url(&stopped).stalled_stream_protection(watchful(300)).build());
    let started = std::time::Instant::now();
    let body = vec![7u8; 32 * 1024 * 1024];
    let failed = bounded(client.put_object().bucket("b").key("k").body(body).send()).await.unwrap_err();
    let SdkError::Transport(error) = &failed else { panic!("{failed:?}") };
    assert_eq!(error.kind(), TransportErrorKind::StalledStream, "{error}");
    assert!(error.to_string().contains("of the request body taken in 300ms"), "{error}");
    assert!(started.elapsed() < Duration::from_secs(20), "caught after {:?}", started.elapsed());

    let steady = slow_reader(64 * 1024, Duration::from_millis(20)).await;
    let client =
        awsgen_s3::Client::new(config().endpoint_url(&steady).stalled_stream_protection(watchful(300)).build());
    let body = vec![7u8; 2 * 1024 * 1024];
    bounded(client.put_object().bucket("b").key("k").body(body).send()).await.unwrap();
}
