//! The fixture crates (specs/fixtures) against the 127.0.0.1 test server: every rest-json
//! binding and shape kind, and awsJson with query-compatible errors and a map-token paginator.

mod support;

use awsgen_fixture_restjson::types::{Circle, Figure, Node, Square, ThingStatus};
use awsgen_runtime::stream::TryStreamExt;
use awsgen_runtime::{Blob, Config, Credentials, DateTime, RetryConfig, SdkError};
use serde_json::json;
use std::collections::BTreeMap;
use std::time::Duration;
use support::{Received, Reply, Server, ACCESS_KEY, SECRET_KEY};

fn config(url: &str) -> Config {
    Config::builder()
        .region("us-east-1")
        .credentials(Credentials::new(ACCESS_KEY, SECRET_KEY, None))
        .endpoint_url(url)
        .retry(RetryConfig { max_attempts: 1, ..RetryConfig::default() })
        .build()
}

fn bounded<F: std::future::Future>(future: F) -> tokio::time::Timeout<F> {
    tokio::time::timeout(Duration::from_secs(30), future)
}

fn map(entries: &[(&str, &str)]) -> BTreeMap<String, String> {
    entries.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

const JAN_2_2020: i64 = 1_577_934_245; // 2020-01-02T03:04:05Z

fn put_thing_reply(_: &Received, _: usize) -> Reply {
    let body = json!({
        "status": "BRAND_NEW",
        "shape": {"square": {"side": 2}},
        "created": 1_577_934_245.25,
        "createdIso": "2020-01-02T03:04:05.5Z",
        "data": "aGk=",
        "ratio": "-Infinity",
        "doc": {"nested": [1, "two", null]},
        "tree": {"value": "root", "children": [{"value": "leaf"}], "next": {"value": "next"}},
        "secret": "s3cr3t",
        "unmodeled": true
    });
    let headers = vec![
        ("ETag", "\"abc\"".to_owned()),
        ("X-Count", "7".to_owned()),
        ("Last-Modified", "Thu, 02 Jan 2020 03:04:05 GMT".to_owned()),
        ("X-Names", "a, \"b,c\"".to_owned()),
        ("X-Meta-Color", "red".to_owned()),
        ("content-type", "application/json".to_owned()),
    ];
    Reply::Respond { status: 201, headers, body: body.to_string() }
}

#[tokio::test]
async fn every_rest_json_binding_reaches_the_wire() {
    let server = Server::start(put_thing_reply).await;
    let client = awsgen_fixture_restjson::Client::new(config(&server.url));
    let tree = Node::builder()
        .value("root")
        .children(vec![Node::builder().value("leaf").build()])
        .next(Node::builder().value("next").build())
        .build();
    let output = bounded(
        client
            .put_thing()
            .thing_id("t 1")
            .key("dir/sub dir/ü.txt")
            .limit(5)
            .tags(vec!["x".to_owned(), "y,z".to_owned()])
            .since(DateTime::from_secs(JAN_2_2020))
            .filters(map(&[("f1", "v1"), ("limit", "from-map")]))
            .flag(true)
            .when(DateTime::from_secs(JAN_2_2020))
            .names(vec!["a".to_owned(), "b,c".to_owned()])
            .json(r#"{"k":1}"#)
            .meta(map(&[("color", "red")]))
            .status(ThingStatus::InProgress)
            .created(DateTime::from_parts(JAN_2_2020, 500_000_000))
            .created_iso(DateTime::from_secs(JAN_2_2020))
            .data(Blob::from("hi"))
            .ratio(f64::NAN)
            .doc(json!({"a": [1, {"b": null}]}))
            .shape(Figure::Circle(Circle::builder().radius(1.5).build()))
            .tree(tree.clone())
            .secret("pw")
            .send(),
    )
    .await
    .unwrap()
    .unwrap();

    let [request]: [Received; 1] = server.requests().try_into().unwrap();
    assert_eq!(request.signature, Ok(()));
    assert_eq!(request.method, "PUT");
    assert_eq!(
        request.target,
        "/things/t%201/dir/sub%20dir/%C3%BC.txt?mode=literal&limit=5&since=2020-01-02T03%3A04%3A05Z&tag=x&tag=y%2Cz&f1=v1"
    );
    assert_eq!(request.header("x-flag"), Some("true"));
    assert_eq!(request.header("x-json"), Some("eyJrIjoxfQ=="));
    assert_eq!(request.header("x-meta-color"), Some("red"));
    assert_eq!(request.header("x-names"), Some(r#"a,"b,c""#));
    assert_eq!(request.header("x-when"), Some("Thu, 02 Jan 2020 03:04:05 GMT"));
    let mut body = request.json();
    let token = body.as_object_mut().unwrap().remove("clientToken").expect("idempotency token filled");
    assert_eq!(token.as_str().unwrap().len(), 36);
    assert_eq!(
        body,
        json!({
            "status": "IN_PROGRESS",
            "created": 1_577_934_245.5,
            "createdIso": "2020-01-02T03:04:05Z",
            "data": "aGk=",
            "ratio": "NaN",
            "doc": {"a": [1, {"b": null}]},
            "shape": {"circle": {"radius": 1.5}},
            "tree": {"value": "root", "children": [{"value": "leaf"}], "next": {"value": "next"}},
            "secret": "pw"
        })
    );

    assert_eq!(output.code, Some(201));
    assert_eq!(output.e_tag.as_deref(), Some("\"abc\""));
    assert_eq!(output.count, Some(7));
    assert_eq!(output.last_modified, Some(DateTime::from_secs(JAN_2_2020)));
    assert_eq!(output.names, Some(vec!["a".to_owned(), "b,c".to_owned()]));
    assert_eq!(output.meta, Some(map(&[("color", "red")])));
    assert_eq!(output.status.as_ref().map(ThingStatus::as_str), Some("BRAND_NEW"));
    assert!(matches!(output.status, Some(ThingStatus::Unknown(_))));
    assert_eq!(output.shape, Some(Figure::Square(Square::builder().side(2).build())));
    assert_eq!(output.created, Some(DateTime::from_parts(JAN_2_2020, 250_000_000)));
    assert_eq!(output.created_iso, Some(DateTime::from_parts(JAN_2_2020, 500_000_000)));
    assert_eq!(output.data, Some(Blob::from("hi")));
    assert_eq!(output.ratio, Some(f64::NEG_INFINITY));
    assert_eq!(output.doc, Some(json!({"nested": [1, "two", null]})));
    assert_eq!(output.tree.as_ref().and_then(|t| t.next.as_ref()).and_then(|n| n.value.as_deref()), Some("next"));
    assert_eq!(output.secret.as_deref(), Some("s3cr3t"));
    let debug = format!("{output:?}");
    assert!(!debug.contains("s3cr3t") && debug.contains("*** Sensitive Data Redacted ***"), "{debug}");
}

#[tokio::test]
async fn a_callers_idempotency_token_is_kept_and_unknown_union_members_parse() {
    let server = Server::start(|_, _| Reply::json(201, json!({"shape": {"triangle": {"sides": 3}}}))).await;
    let client = awsgen_fixture_restjson::Client::new(config(&server.url));
    let output = bounded(client.put_thing().thing_id("t").key("k").client_token("mine").send()).await.unwrap().unwrap();
    assert_eq!(output.shape, Some(Figure::Unknown));
    assert_eq!(server.requests()[0].json()["clientToken"], json!("mine"));
}

/// An idempotency token left unset is a fresh UUID v4 per call (botocore's
/// `generate_idempotent_uuid`), so a retry of the same call is recognised as one.
#[tokio::test]
async fn an_unset_idempotency_token_is_a_fresh_uuid() {
    let server = Server::start(|_, _| Reply::json(201, json!({}))).await;
    let client = awsgen_fixture_restjson::Client::new(config(&server.url));
    for _ in 0..2 {
        bounded(client.put_thing().thing_id("t").key("k").send()).await.unwrap().unwrap();
    }
    let tokens: Vec<String> =
        server.requests().iter().map(|r| r.json()["clientToken"].as_str().unwrap_or_default().to_owned()).collect();
    for token in &tokens {
        let groups: Vec<usize> = token.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12], "{token}");
        assert_eq!(&token[14..15], "4", "version 4: {token}");
    }
    assert_ne!(tokens[0], tokens[1]);
}

#[tokio::test]
async fn modeled_errors_of_a_fixture_operation() {
    let server = Server::start(|_, _| {
        Reply::json(409, json!({"__type": "ConflictException", "message": "taken", "holder": "bob"}))
    })
    .await;
    let client = awsgen_fixture_restjson::Client::new(config(&server.url));
    let outcome = bounded(client.put_thing().thing_id("t").key("k").send()).await.unwrap();
    let Err(SdkError::Service(awsgen_fixture_restjson::operation::put_thing::PutThingError::Conflict(conflict))) =
        outcome
    else {
        panic!("{outcome:?}")
    };
    assert_eq!(conflict.holder.as_deref(), Some("bob"));
    assert_eq!(conflict.to_string(), "ConflictException: taken (HTTP 409)");
}

#[tokio::test]
async fn blob_string_and_structure_payloads() {
    let server = Server::start(|request, _| match request.target.as_str() {
        "/blobs/b1" => Reply::raw(200, &[("content-type", "image/png")], "\u{1}\u{2}raw"),
        _ => Reply::raw(200, &[("content-type", "text/plain")], "stored as text"),
    })
    .await;
    let client = awsgen_fixture_restjson::Client::new(config(&server.url));
    let blob = bounded(client.get_blob().id("b1").send()).await.unwrap().unwrap();
    assert_eq!(blob.content_type.as_deref(), Some("image/png"));
    assert_eq!(blob.body.unwrap().collect().await.unwrap(), "\u{1}\u{2}raw");

    let circle = Circle::builder().radius(2.0).build();
    let text = bounded(client.put_document().document(circle).send()).await.unwrap().unwrap();
    assert_eq!(text.text.as_deref(), Some("stored as text"));
    let requests = server.requests();
    assert_eq!(requests[0].method, "GET");
    assert!(requests[0].body.is_empty());
    assert_eq!(requests[1].json(), json!({"radius": 2.0}));
    assert_eq!(requests[1].header("content-type"), Some("application/json"));
    // PutDocument is `v4-unsigned-body`: its body is not hashed, and says so in a signed header.
    assert_eq!(requests[0].header("x-amz-content-sha256"), None);
    assert_eq!(requests[1].header("x-amz-content-sha256"), Some("UNSIGNED-PAYLOAD"));
    assert!(requests[1].header("authorization").is_some_and(|auth| auth.contains("x-amz-content-sha256")));
    assert_eq!(requests[1].signature, Ok(()));
}

/// A streaming payload arrives as it is sent, whatever its size: the response size limit that
/// guards every other body does not apply, and nothing is read before the caller asks.
#[tokio::test]
async fn streaming_payloads_are_read_as_they_arrive_past_the_size_limit() {
    let big = "0123456789abcdef".repeat(320 * 1024); // 5 MiB
    let body = big.clone();
    let server =
        Server::start(move |_, _| Reply::raw(200, &[("content-type", "application/octet-stream")], &body)).await;
    let small_limit = Config::builder()
        .region("us-east-1")
        .credentials(Credentials::new(ACCESS_KEY, SECRET_KEY, None))
        .endpoint_url(&server.url)
        .max_response_body(64 * 1024)
        .build();
    let client = awsgen_fixture_restjson::Client::new(small_limit);
    let output = bounded(client.get_blob().id("big").send()).await.unwrap().unwrap();
    let mut stream = output.body.unwrap();
    let (mut received, mut chunks) = (Vec::new(), 0);
    while let Some(chunk) = bounded(stream.next()).await.unwrap() {
        received.extend_from_slice(&chunk.unwrap());
        chunks += 1;
    }
    assert_eq!(received.len(), big.len());
    assert!(received == big.as_bytes(), "the body arrives whole and in order");
    assert!(chunks > 1, "read in {chunks} chunks");
    // A body that is not a stream still meets the limit.
    let document = bounded(client.put_document().document(Circle::builder().radius(1.0).build()).send()).await.unwrap();
    assert!(document.unwrap_err().to_string().contains("65536"), "the buffered body is refused");
}

/// Records the request instead of sending it: the host prefix changes the host name, which no
/// 127.0.0.1 server can answer for.
#[derive(Debug, Default)]
struct Recorder(std::sync::Mutex<Vec<String>>);

impl awsgen_runtime::http::HttpClient for Recorder {
    fn call(
        &self,
        request: http::Request<bytes::Bytes>,
    ) -> awsgen_runtime::http::BoxFuture<'_, Result<awsgen_runtime::http::HttpResponse, awsgen_runtime::TransportError>>
    {
        self.0.lock().unwrap().push(request.uri().to_string());
        Box::pin(async {
            Ok(awsgen_runtime::http::HttpResponse { status: 200, headers: Default::default(), body: "".into() })
        })
    }
}

#[tokio::test]
async fn the_host_prefix_is_filled_from_host_labels() {
    let recorder = std::sync::Arc::new(Recorder::default());
    let config = Config::builder()
        .region("us-east-1")
        .credentials(Credentials::new(ACCESS_KEY, SECRET_KEY, None))
        .endpoint_url("https://fixture.example.com")
        .http_client(recorder.clone())
        .build();
    let client = awsgen_fixture_restjson::Client::new(config);
    bounded(client.ping().account("123456").send()).await.unwrap().unwrap();
    assert_eq!(recorder.0.lock().unwrap().as_slice(), ["https://123456.fixture.example.com/ping"]);
    let outcome = bounded(client.ping().account("bad/label").send()).await.unwrap();
    assert!(
        matches!(outcome, Err(SdkError::Build(awsgen_runtime::BuildError::InvalidHostLabel { .. }))),
        "{outcome:?}"
    );
    assert_eq!(recorder.0.lock().unwrap().len(), 1, "nothing sent for a bad host label");
}

#[tokio::test]
async fn aws_json_requests_and_query_compatible_errors() {
    use awsgen_fixture_awsjson::operation::scan::ScanError;
    let server = Server::start(|request, _| {
        let table = request.json()["TableName"].as_str().unwrap_or_default().to_owned();
        match table.as_str() {
            "by-query-code" => Reply::Respond {
                status: 400,
                headers: vec![("x-amzn-query-error", "AWS.FixtureJson.TableMissing;Sender".into())],
                body: json!({"__type": "com.amazonaws.fixture#TableMissing", "message": "no table"}).to_string(),
            },
            "by-shape-name" => {
                Reply::json(400, json!({"__type": "com.amazonaws.fixture#TableMissing", "message": "no table"}))
            }
            // As real SQS answers for a missing queue: the query code names no modeled error.
            "sqs-style" => Reply::Respond {
                status: 400,
                headers: vec![("x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender".into())],
                body: json!({"__type": "com.amazonaws.sqs#QueueDoesNotExist", "message": "gone"}).to_string(),
            },
            _ => Reply::json(200, json!({"Items": [], "Count": 0})),
        }
    })
    .await;
    let client = awsgen_fixture_awsjson::Client::new(config(&server.url));
    bounded(client.scan().table_name("t").limit(3).send()).await.unwrap().unwrap();
    let request = &server.requests()[0];
    assert_eq!((request.method.as_str(), request.target.as_str()), ("POST", "/"));
    assert_eq!(request.header("x-amz-target"), Some("FixtureJson_20240101.Scan"));
    assert_eq!(request.header("content-type"), Some("application/x-amz-json-1.0"));
    assert_eq!(request.header("x-amzn-query-mode"), Some("true"));
    assert_eq!(request.json(), json!({"TableName": "t", "Limit": 3}));
    assert_eq!(request.signature, Ok(()));

    for table in ["by-query-code", "by-shape-name"] {
        let outcome = bounded(client.scan().table_name(table).send()).await.unwrap();
        let Err(SdkError::Service(ScanError::TableMissing(missing))) = outcome else { panic!("{table}: {outcome:?}") };
        assert_eq!(missing.message(), Some("no table"));
    }
    let outcome = bounded(client.scan().table_name("sqs-style").send()).await.unwrap();
    let Err(SdkError::Service(ScanError::QueueDoesNotExist(gone))) = &outcome else { panic!("{outcome:?}") };
    // The query code still is the code, as boto3 reports it.
    assert_eq!(gone.meta().code(), Some("AWS.SimpleQueueService.NonExistentQueue"));
    assert_eq!(gone.message(), Some("gone"));
}

#[tokio::test]
async fn a_paginator_whose_token_is_a_map_of_unions() {
    use awsgen_fixture_awsjson::types::AttributeValue;
    let server = Server::start(|request, _| {
        let start =
            request.json()["ExclusiveStartKey"]["id"]["N"].as_str().map(|n| n.parse::<u32>().unwrap()).unwrap_or(0);
        let item = |n: u32| json!({"id": {"N": n.to_string()}, "data": {"B": "aGk="}});
        let mut page = json!({"Items": [item(start + 1), item(start + 2)], "Count": 2});
        if start < 4 {
            page["LastEvaluatedKey"] = json!({"id": {"N": (start + 2).to_string()}});
        }
        Reply::json(200, page)
    })
    .await;
    let client = awsgen_fixture_awsjson::Client::new(config(&server.url));
    let items: Vec<_> = bounded(client.scan().table_name("t").into_paginator().page_size(2).items().try_collect())
        .await
        .unwrap()
        .unwrap();
    let ids: Vec<_> = items
        .iter()
        .map(|item| match &item["id"] {
            AttributeValue::N(n) => n.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(ids, ["1", "2", "3", "4", "5", "6"]);
    assert_eq!(items[0]["data"], AttributeValue::B(Blob::from("hi")));
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(requests[1].json()["ExclusiveStartKey"], json!({"id": {"N": "2"}}));
    assert!(requests.iter().all(|r| r.json()["Limit"] == json!(2)));
}

/// A paginator whose result is text, not a list (RDS's DownloadDBLogFilePortion): each page's
/// portion is one item, and `collect_all` joins them, as botocore does.
#[tokio::test]
async fn a_paginator_of_text_portions() {
    let server = Server::start(|request, _| {
        let portion = match request.json()["Marker"].as_str() {
            None => json!({"LogFileData": "one\n", "Marker": "m1", "AdditionalDataPending": true}),
            Some("m1") => json!({"LogFileData": "two\n", "Marker": "m2", "AdditionalDataPending": true}),
            Some(_) => json!({"LogFileData": "three\n", "Marker": "m3", "AdditionalDataPending": false}),
        };
        Reply::json(200, portion)
    })
    .await;
    let client = awsgen_fixture_awsjson::Client::new(config(&server.url));
    let portions = || client.download_log_portion().log_name("error.log").into_paginator().page_size(100);
    let items: Vec<String> = bounded(portions().items().try_collect()).await.unwrap().unwrap();
    assert_eq!(items, ["one\n", "two\n", "three\n"]);
    let whole = bounded(portions().collect_all()).await.unwrap().unwrap();
    assert_eq!(whole.output.log_file_data(), Some("one\ntwo\nthree\n"));
    let requests = server.requests();
    assert_eq!(requests.len(), 6, "three pages, twice: `more_results` false ends the run");
    assert_eq!(requests[1].json()["Marker"], "m1");
    assert!(requests.iter().all(|r| r.json()["NumberOfLines"] == json!(100)));
}
