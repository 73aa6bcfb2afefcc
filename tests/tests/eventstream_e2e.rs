//! Output event streams end to end: Bedrock Runtime's ConverseStream through the generated
//! client, against a server on 127.0.0.1 that answers with event stream frames, split every
//! way, with exceptions, unknown events, corruption, oversized and cut-off frames.

mod support;

use awsgen_bedrock_runtime::types::{
    ContentBlockDelta, ConversationRole, ConverseStreamOutput, ConverseStreamOutputError, StopReason,
};
use awsgen_bedrock_runtime::Client;
use awsgen_runtime::eventstream::{Header, HeaderValue, Message};
use awsgen_runtime::SdkError;
use std::time::Duration;
use support::{quick_config, Reply, Server};

/// One frame of a message with these string headers and payload.
fn frame(headers: &[(&str, &str)], payload: &str) -> Vec<u8> {
    let headers = headers.iter().map(|(n, v)| Header::new(*n, HeaderValue::String((*v).to_owned()))).collect();
    Message { headers, payload: payload.to_owned().into() }.encode().expect("a small message encodes").to_vec()
}

fn event(event_type: &str, payload: serde_json::Value) -> Vec<u8> {
    let headers = [(":message-type", "event"), (":event-type", event_type), (":content-type", "application/json")];
    frame(&headers, &payload.to_string())
}

fn exception(exception_type: &str, payload: serde_json::Value) -> Vec<u8> {
    frame(&[(":message-type", "exception"), (":exception-type", exception_type)], &payload.to_string())
}

/// What a model answering "Hello" sends.
fn conversation() -> Vec<Vec<u8>> {
    vec![
        event("messageStart", serde_json::json!({"role": "assistant"})),
        event("contentBlockDelta", serde_json::json!({"contentBlockIndex": 0, "delta": {"text": "Hel"}})),
        event("contentBlockDelta", serde_json::json!({"contentBlockIndex": 0, "delta": {"text": "lo"}})),
        event("contentBlockStop", serde_json::json!({"contentBlockIndex": 0})),
        event("messageStop", serde_json::json!({"stopReason": "end_turn"})),
        event(
            "metadata",
            serde_json::json!({"usage": {"inputTokens": 3, "outputTokens": 2, "totalTokens": 5}, "metrics": {"latencyMs": 7}}),
        ),
    ]
}

/// A server answering every ConverseStream with `chunks`, `pause` apart.
async fn serve(chunks: Vec<Vec<u8>>, pause: Duration, hold: Duration) -> Server {
    Server::start(move |_, _| {
        let headers = vec![("content-type", "application/vnd.amazon.eventstream".to_owned())];
        Reply::Stream { headers, chunks: chunks.clone(), pause, hold }
    })
    .await
}

type Item = Result<ConverseStreamOutput, SdkError<ConverseStreamOutputError>>;

/// The user's message: "Hi".
fn hi() -> awsgen_bedrock_runtime::types::Message {
    let text = awsgen_bedrock_runtime::types::ContentBlock::Text("Hi".to_owned());
    awsgen_bedrock_runtime::types::Message::builder().role(ConversationRole::User).content(vec![text]).build().unwrap()
}

/// Every item of the stream of one ConverseStream call, until it ends.
async fn converse(server: &Server) -> Vec<Item> {
    let client = Client::new(quick_config(server));
    let message = hi();
    let mut output = client.converse_stream().model_id("test-model").messages(vec![message]).send().await.unwrap();
    let mut items = Vec::new();
    while let Some(item) = futures_util::StreamExt::next(&mut output.stream).await {
        items.push(item);
    }
    items
}

/// The text of the deltas, and how the message stopped.
fn text_and_stop(items: &[Item]) -> (String, Option<StopReason>) {
    let (mut text, mut stop) = (String::new(), None);
    for item in items {
        match item.as_ref().expect("no error") {
            ConverseStreamOutput::ContentBlockDelta(delta) => match delta.delta() {
                ContentBlockDelta::Text(piece) => text.push_str(piece),
                other => panic!("unexpected delta {other:?}"),
            },
            ConverseStreamOutput::MessageStop(stop_event) => stop = Some(stop_event.stop_reason().clone()),
            _ => {}
        }
    }
    (text, stop)
}

#[tokio::test]
async fn a_conversation_arrives_event_by_event_however_the_bytes_are_split() {
    let whole = conversation().concat();
    let splits: Vec<(&str, Vec<Vec<u8>>)> = vec![
        ("one write", vec![whole.clone()]),
        ("a frame per write", conversation()),
        ("a byte per write", whole.iter().map(|b| vec![*b]).collect()),
        ("odd splits", whole.chunks(7).map(<[u8]>::to_vec).collect()),
    ];
    for (how, chunks) in splits {
        let server = serve(chunks, Duration::ZERO, Duration::ZERO).await;
        let items = converse(&server).await;
        assert_eq!(items.len(), 6, "{how}: {items:?}");
        assert_eq!(text_and_stop(&items), ("Hello".to_owned(), Some(StopReason::EndTurn)), "{how}");
        let Ok(ConverseStreamOutput::Metadata(metadata)) = &items[5] else { panic!("{how}: {:?}", items[5]) };
        assert_eq!(metadata.usage().total_tokens(), 5, "{how}");
        let request = &server.requests()[0];
        assert_eq!(request.target, "/model/test-model/converse-stream", "{how}");
        assert_eq!(request.signature, Ok(()), "{how}");
    }
}

/// A service may keep an event stream open and quiet (a model thinking, a transcription of
/// silence): stalled-stream protection never watches one, however short its grace period.
#[tokio::test]
async fn a_quiet_event_stream_is_never_taken_for_a_stalled_one() {
    let server = serve(conversation(), Duration::from_millis(400), Duration::ZERO).await;
    let watchful =
        awsgen_runtime::StalledStreamProtection { grace_period: Duration::from_millis(100), min_throughput: 1000 };
    let config = support::quick_config_builder(&server).stalled_stream_protection(Some(watchful)).build();
    let mut output = Client::new(config).converse_stream().model_id("m").messages(vec![hi()]).send().await.unwrap();
    let mut items = Vec::new();
    while let Some(item) = futures_util::StreamExt::next(&mut output.stream).await {
        items.push(item);
    }
    assert_eq!(text_and_stop(&items), ("Hello".to_owned(), Some(StopReason::EndTurn)));
}

#[tokio::test]
async fn each_event_is_handed_out_before_the_next_arrives() {
    // 300 ms between frames: the first event must not wait for the rest.
    let server = serve(conversation(), Duration::from_millis(300), Duration::ZERO).await;
    let client = Client::new(quick_config(&server));
    let message = hi();
    let started = std::time::Instant::now();
    let mut output = client.converse_stream().model_id("m").messages(vec![message]).send().await.unwrap();
    let first = output.stream.recv().await.unwrap();
    assert!(matches!(first, Some(ConverseStreamOutput::MessageStart(_))), "{first:?}");
    assert!(started.elapsed() < Duration::from_millis(900), "the first event waited {:?}", started.elapsed());
}

#[tokio::test]
async fn a_modeled_exception_mid_stream_is_the_streams_typed_error_and_its_end() {
    let mut chunks = conversation()[..2].to_vec();
    chunks.push(exception("throttlingException", serde_json::json!({"message": "slow down"})));
    chunks.push(event("messageStop", serde_json::json!({"stopReason": "end_turn"})));
    let items = converse(&serve(chunks, Duration::ZERO, Duration::ZERO).await).await;
    assert_eq!(items.len(), 3, "nothing is read after the exception: {items:?}");
    let Err(SdkError::Service(ConverseStreamOutputError::ThrottlingException(error))) = &items[2] else {
        panic!("{:?}", items[2])
    };
    assert_eq!(error.message(), Some("slow down"));
    assert_eq!(error.meta().code(), Some("throttlingException"));
}

#[tokio::test]
async fn an_unmodeled_error_message_keeps_its_code_and_message() {
    let mut chunks = conversation()[..1].to_vec();
    chunks.push(frame(
        &[(":message-type", "error"), (":error-code", "InternalFailure"), (":error-message", "try again")],
        "",
    ));
    let items = converse(&serve(chunks, Duration::ZERO, Duration::ZERO).await).await;
    let Err(SdkError::Service(ConverseStreamOutputError::Unhandled(error))) = &items[1] else {
        panic!("{:?}", items[1])
    };
    assert_eq!((error.meta().code(), error.meta().message()), (Some("InternalFailure"), Some("try again")));
}

#[tokio::test]
async fn an_event_this_crate_does_not_know_is_kept_not_dropped() {
    let mut chunks = conversation();
    chunks.insert(1, event("reasoningSummary", serde_json::json!({"summary": "thinking"})));
    let items = converse(&serve(chunks, Duration::ZERO, Duration::ZERO).await).await;
    assert_eq!(items.len(), 7);
    let Ok(ConverseStreamOutput::Unknown(unknown)) = &items[1] else { panic!("{:?}", items[1]) };
    assert_eq!(unknown.event_type, "reasoningSummary");
    assert_eq!(unknown.message.payload, r#"{"summary":"thinking"}"#);
    assert_eq!(text_and_stop(&items).0, "Hello");
}

#[tokio::test]
async fn a_corrupt_frame_is_a_parse_error_and_the_end_of_the_stream() {
    let mut chunks = conversation();
    let last = chunks[1].len() - 1;
    chunks[1][last] ^= 0xff; // the message CRC
    let items = converse(&serve(chunks, Duration::ZERO, Duration::ZERO).await).await;
    assert_eq!(items.len(), 2, "{items:?}");
    assert!(matches!(&items[1], Err(SdkError::Parse(e)) if e.to_string().contains("CRC")), "{:?}", items[1]);
}

#[tokio::test]
async fn an_oversized_frame_is_refused_at_its_prelude_without_waiting_for_it() {
    // A prelude announcing 17 MiB, then nothing: the connection stays open for a minute.
    let mut prelude = Vec::new();
    prelude.extend_from_slice(&(17u32 << 20).to_be_bytes());
    prelude.extend_from_slice(&0u32.to_be_bytes());
    let crc = crc32(&prelude);
    prelude.extend_from_slice(&crc.to_be_bytes());
    let chunks = vec![conversation()[0].clone(), prelude];
    let started = std::time::Instant::now();
    let items = converse(&serve(chunks, Duration::ZERO, Duration::from_secs(60)).await).await;
    assert!(started.elapsed() < Duration::from_secs(10), "waited {:?}", started.elapsed());
    assert_eq!(items.len(), 2, "{items:?}");
    assert!(matches!(&items[1], Err(SdkError::Parse(e)) if e.to_string().contains("over the limit")), "{:?}", items[1]);
}

#[tokio::test]
async fn a_stream_cut_off_inside_a_frame_ends_with_an_error_not_silently() {
    let mut chunks = conversation();
    chunks[3].truncate(10);
    chunks.truncate(4);
    let items = converse(&serve(chunks, Duration::ZERO, Duration::ZERO).await).await;
    assert_eq!(items.len(), 4, "{items:?}");
    assert!(
        matches!(&items[3], Err(SdkError::Parse(e)) if e.to_string().contains("ends inside a frame")),
        "{:?}",
        items[3]
    );
}

/// CRC32 (IEEE), bit by bit: the test's own, to write a prelude by hand.
fn crc32(bytes: &[u8]) -> u32 {
    !bytes.iter().fold(!0u32, |crc, &byte| {
        (0..8).fold(crc ^ u32::from(byte), |crc, _| if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 })
    })
}

/// Kinesis's SubscribeToShard (awsJson): the `initial-response` event comes first and is not an
/// event of the stream; then the records, each batch as it arrives; then a modeled exception ends
/// the subscription as the stream's typed error.
#[tokio::test]
async fn a_shard_subscription_reads_its_records_after_the_initial_response() {
    use awsgen_kinesis::types::{
        ShardIteratorType, StartingPosition, SubscribeToShardEventStream as Event,
        SubscribeToShardEventStreamError as StreamError,
    };
    let batch = |sequence: &str, data: &str| {
        let record = serde_json::json!({"SequenceNumber": sequence, "Data": data, "PartitionKey": "pk",
                                        "ApproximateArrivalTimestamp": 1.7e9});
        event(
            "SubscribeToShardEvent",
            serde_json::json!({"Records": [record], "ContinuationSequenceNumber": sequence, "MillisBehindLatest": 0}),
        )
    };
    let chunks = vec![
        event("initial-response", serde_json::json!({})),
        batch("1", "b25l"), // "one"
        batch("2", "dHdv"), // "two"
        exception("ResourceInUseException", serde_json::json!({"message": "another consumer took the shard"})),
    ];
    let server = serve(chunks, Duration::from_millis(5), Duration::ZERO).await;
    let client = awsgen_kinesis::Client::new(quick_config(&server));
    let position = StartingPosition::builder().r#type(ShardIteratorType::Latest).build().unwrap();
    let subscribe = client
        .subscribe_to_shard()
        .consumer_arn("arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1")
        .shard_id("shardId-000000000000")
        .starting_position(position);
    let mut output = subscribe.send().await.unwrap();
    let mut data = Vec::new();
    let error = loop {
        match output.event_stream.recv().await {
            Ok(Some(Event::SubscribeToShardEvent(batch))) => {
                assert_eq!(batch.continuation_sequence_number(), batch.records()[0].sequence_number());
                data.extend(batch.records().iter().map(|r| String::from_utf8(r.data().as_bytes().to_vec()).unwrap()));
            }
            Ok(other) => panic!("unexpected {other:?}"),
            Err(error) => break error,
        }
    };
    assert_eq!(data, ["one", "two"]);
    match error {
        SdkError::Service(StreamError::ResourceInUseException(e)) => {
            assert_eq!(e.message(), Some("another consumer took the shard"))
        }
        other => panic!("unexpected {other:?}"),
    }
    let request = &server.requests()[0];
    assert_eq!(request.header("x-amz-target"), Some("Kinesis_20131202.SubscribeToShard"));
    assert_eq!(request.json()["ShardId"], "shardId-000000000000");
}

/// Without an async runtime of its own: `send_blocking()`, then the events as an iterator.
#[test]
fn events_can_be_read_blocking() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(serve(conversation(), Duration::ZERO, Duration::ZERO));
    let client = Client::new(quick_config(&server));
    let message = hi();
    let output = client.converse_stream().model_id("m").messages(vec![message]).send_blocking().unwrap();
    let items: Vec<Item> = output.stream.into_blocking_iter().collect();
    assert_eq!(text_and_stop(&items), ("Hello".to_owned(), Some(StopReason::EndTurn)));
}

/// Input event streams: Bedrock Runtime's InvokeModelWithBidirectionalStream over HTTP/2 (h2c)
/// against a hyper server on 127.0.0.1 that checks the request's signature and every event's
/// chained signature with its own verifier, and echoes each event back as an output event.
mod duplex {
    use super::support::sigv4::{event_signature, verify, Signed, EVENT_STREAM_PAYLOAD};
    use super::support::{ACCESS_KEY, SECRET_KEY};
    use awsgen_bedrock_runtime::event_stream::EventSender;
    use awsgen_bedrock_runtime::types::{
        BidirectionalInputPayloadPart, InvokeModelWithBidirectionalStreamInput as Input,
        InvokeModelWithBidirectionalStreamOutput as Output,
    };
    use awsgen_bedrock_runtime::Client;
    use awsgen_runtime::eventstream::{Decoder, HeaderValue, Message};
    use bytes::Bytes;
    use http_body_util::BodyExt;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    /// What the server saw of one call.
    #[derive(Debug, Default)]
    struct Seen {
        /// HTTP/2, the event stream's content type and payload hash, and the head's signature.
        head: Vec<String>,
        /// Each wrapper message as it arrived, and the server's verdict on its signature.
        frames: Vec<(Bytes, Result<(), String>)>,
        /// The signed empty message that ends the stream came.
        ended: bool,
        /// The request body failed (the client cancelled it).
        cancelled: bool,
    }

    /// The `:date` header of a wrapper message, encoded, and its `x-amz-date` form.
    fn date_of(message: &Message) -> Option<(Vec<u8>, String)> {
        let Some(HeaderValue::Timestamp(date)) = message.header(":date") else { return None };
        let millis = date.secs() * 1000;
        let encoded = [&[5u8][..], b":date", &[8], &millis.to_be_bytes()].concat();
        let amz_date =
            date.to_string().replace(['-', ':'], "").split('.').next()?.trim_end_matches('Z').to_owned() + "Z";
        Some((encoded, amz_date))
    }

    /// The signature of each wrapper in turn, chained from `seed`: the first that fails says why.
    fn verify_chain(frames: &[Bytes], seed: &str, scope: &str) -> Vec<Result<(), String>> {
        let mut previous = seed.to_owned();
        frames
            .iter()
            .map(|frame| {
                let wrapper = Message::decode(frame).map_err(|e| e.to_string())?;
                let (date_header, amz_date) = date_of(&wrapper).ok_or("no :date")?;
                let expected =
                    event_signature(SECRET_KEY, (&amz_date, scope), &previous, &date_header, &wrapper.payload);
                let Some(HeaderValue::ByteArray(given)) = wrapper.header(":chunk-signature") else {
                    return Err("no :chunk-signature".to_owned());
                };
                let given: String = given.iter().map(|b| format!("{b:02x}")).collect();
                previous = given.clone();
                if given == expected {
                    Ok(())
                } else {
                    Err(format!("signature {given} is not {expected}"))
                }
            })
            .collect()
    }

    /// The request's signature and scope, from its `Authorization`.
    fn seed_and_scope(authorization: &str) -> (String, String) {
        let part = |key: &str| authorization.split(", ").find_map(|p| p.split_once(key).map(|(_, v)| v.to_owned()));
        let credential = part("Credential=").unwrap();
        let scope = credential.split_once('/').unwrap().1.to_owned();
        (part("Signature=").unwrap(), scope)
    }

    type ResponseBody = http_body_util::StreamBody<
        futures_util::stream::BoxStream<'static, Result<hyper::body::Frame<Bytes>, std::convert::Infallible>>,
    >;

    /// Checks the head, then reads the events as they come, echoing each back at once.
    async fn echo(
        request: hyper::Request<hyper::body::Incoming>,
        seen: Arc<Mutex<Seen>>,
    ) -> Result<hyper::Response<ResponseBody>, std::convert::Infallible> {
        let headers: Vec<(String, String)> = request
            .headers()
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_str().unwrap_or_default().to_owned()))
            .collect();
        let header = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()).unwrap_or_default();
        // h2 carries the host as the `:authority`; the signature covered it as `host`.
        let mut signed_headers = headers.clone();
        signed_headers.push(("host".to_owned(), request.uri().authority().unwrap().to_string()));
        let target = request.uri().path_and_query().unwrap().to_string();
        let signature =
            verify(&Signed { method: "POST", target: &target, headers: &signed_headers, body: b"" }, SECRET_KEY);
        seen.lock().unwrap().head = vec![
            format!("{:?}", request.version()),
            target,
            header("content-type"),
            header("x-amz-content-sha256"),
            format!("{signature:?}"),
        ];
        let (seed, scope) = seed_and_scope(&header("authorization"));
        let (replies, replied) = tokio::sync::mpsc::unbounded_channel();
        let mut body = request.into_body();
        tokio::spawn(async move {
            let mut decoder = Decoder::new();
            let mut previous = seed;
            while let Some(frame) = body.frame().await {
                let Ok(data) = frame.map(|f| f.into_data().unwrap_or_default()) else {
                    seen.lock().unwrap().cancelled = true;
                    return;
                };
                decoder.push(&data);
                while let Ok(Some(wrapper)) = decoder.next_message() {
                    let raw = wrapper.encode().unwrap();
                    let verdict = verify_chain(std::slice::from_ref(&raw), &previous, &scope).remove(0);
                    if let Some(HeaderValue::ByteArray(signature)) = wrapper.header(":chunk-signature") {
                        previous = signature.iter().map(|b| format!("{b:02x}")).collect();
                    }
                    let mut seen = seen.lock().unwrap();
                    seen.frames.push((raw, verdict));
                    if wrapper.payload.is_empty() {
                        seen.ended = true;
                        return; // the response ends with the request
                    }
                    let event = Message::decode(&wrapper.payload).unwrap();
                    let json: serde_json::Value = serde_json::from_slice(&event.payload).unwrap();
                    let echoed = Message::event("chunk").with_json(&json).unwrap().encode().unwrap();
                    let _ = replies.send(Ok(hyper::body::Frame::data(echoed)));
                }
            }
        });
        let frames = futures_util::stream::unfold(replied, |mut replied| async move {
            replied.recv().await.map(|frame| (frame, replied))
        });
        let body = http_body_util::StreamBody::new(futures_util::StreamExt::boxed(frames));
        let response =
            hyper::Response::builder().header("content-type", "application/vnd.amazon.eventstream").body(body).unwrap();
        Ok(response)
    }

    /// An HTTP/2 server (prior knowledge, no TLS) on 127.0.0.1: its URL and what it saw.
    async fn serve() -> (String, Arc<Mutex<Seen>>) {
        serve_with(None).await
    }

    /// The same over TLS with the test CA's `localhost` certificate, offering only `h2`.
    async fn serve_tls() -> (String, Arc<Mutex<Seen>>) {
        let (url, seen) = serve_with(Some(super::support::tls_acceptor(&[b"h2"]))).await;
        (url.replace("http://127.0.0.1", "https://localhost"), seen)
    }

    async fn serve_with(tls: Option<tokio_rustls::TlsAcceptor>) -> (String, Arc<Mutex<Seen>>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Seen::default()));
        let shared = seen.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let seen = shared.clone();
                let tls = tls.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |request| echo(request, seen.clone()));
                    let http2 = hyper::server::conn::http2::Builder::new(hyper_util::rt::TokioExecutor::new());
                    let _ = match tls {
                        None => http2.serve_connection(hyper_util::rt::TokioIo::new(stream), service).await,
                        Some(tls) => {
                            let Ok(stream) = tls.accept(stream).await else { return };
                            http2.serve_connection(hyper_util::rt::TokioIo::new(stream), service).await
                        }
                    };
                });
            }
        });
        (url, seen)
    }

    fn client(url: &str) -> Client {
        Client::new(config(url).build())
    }

    fn config(url: &str) -> awsgen_runtime::ConfigBuilder {
        awsgen_runtime::Config::builder()
            .region("us-east-1")
            .credentials(awsgen_runtime::Credentials::new(ACCESS_KEY, SECRET_KEY, None))
            .endpoint_url(url)
    }

    /// A TCP relay on 127.0.0.1 to `upstream` that, once `cut` is set, goes dark: it keeps both
    /// connections open and passes nothing on, as a dead route does.
    async fn relay(upstream: &str) -> (String, Arc<std::sync::atomic::AtomicBool>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let cut = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (upstream, dark) = (upstream.trim_start_matches("http://").to_owned(), cut.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let server = tokio::net::TcpStream::connect(&upstream).await.unwrap();
                let ((client_in, client_out), (server_in, server_out)) = (client.into_split(), server.into_split());
                for (mut from, mut to) in [(client_in, server_out), (server_in, client_out)] {
                    let dark = dark.clone();
                    tokio::spawn(async move {
                        let mut buffer = vec![0; 16 * 1024];
                        while let Ok(read @ 1..) = from.read(&mut buffer).await {
                            if dark.load(std::sync::atomic::Ordering::SeqCst) {
                                std::future::pending::<()>().await;
                            }
                            if to.write_all(&buffer[..read]).await.is_err() {
                                return;
                            }
                        }
                    });
                }
            }
        });
        (url, cut)
    }

    fn chunk(text: &str) -> Input {
        Input::Chunk(BidirectionalInputPayloadPart::builder().bytes(awsgen_runtime::Blob::new(text)).build())
    }

    fn text_of(event: Output) -> String {
        match event {
            Output::Chunk(part) => String::from_utf8(part.bytes().unwrap().as_bytes().to_vec()).unwrap(),
            other => panic!("unexpected event {other:?}"),
        }
    }

    async fn bounded<T>(future: impl std::future::Future<Output = T>) -> T {
        tokio::time::timeout(Duration::from_secs(10), future).await.expect("no hang")
    }

    #[tokio::test]
    async fn each_event_sent_is_signed_in_a_chain_and_answered_while_the_stream_stays_open() {
        let (url, seen) = serve().await;
        let (sink, events) = EventSender::channel(4);
        let call = client(&url).invoke_model_with_bidirectional_stream().model_id("m").body(events).send();
        let mut output = bounded(call).await.unwrap();
        // A conversation: each answer comes before the next event is sent.
        for text in ["one", "two", "three"] {
            sink.send(chunk(text)).await.unwrap();
            let answer = bounded(output.body.recv()).await.unwrap().unwrap();
            assert_eq!(text_of(answer), text);
        }
        drop(sink); // the end of the stream
        assert!(bounded(output.body.recv()).await.unwrap().is_none());

        let seen = seen.lock().unwrap();
        let head: Vec<&str> = seen.head.iter().map(String::as_str).collect();
        assert_eq!(
            head,
            [
                "HTTP/2.0",
                "/model/m/invoke-with-bidirectional-stream",
                "application/vnd.amazon.eventstream",
                EVENT_STREAM_PAYLOAD,
                "Ok(())"
            ]
        );
        assert!(seen.ended, "the stream ends with the signed empty message");
        let verdicts: Vec<&Result<(), String>> = seen.frames.iter().map(|(_, verdict)| verdict).collect();
        assert_eq!(verdicts, [&Ok(()); 4], "three events and the end, each signed in the chain");

        // The chain is what makes those verdicts: out of order or altered, a frame fails.
        let raw: Vec<Bytes> = seen.frames.iter().map(|(raw, _)| raw.clone()).collect();
        let date = date_of(&Message::decode(&raw[0]).unwrap()).unwrap().1;
        let scope = format!("{}/us-east-1/bedrock/aws4_request", &date[..8]);
        let signature_of = |raw: &Bytes| match Message::decode(raw).unwrap().header(":chunk-signature") {
            Some(HeaderValue::ByteArray(signature)) => signature.iter().map(|b| format!("{b:02x}")).collect::<String>(),
            _ => panic!("no signature"),
        };
        assert!(verify_chain(&raw[1..2], &signature_of(&raw[0]), &scope)[0].is_ok());
        assert!(verify_chain(&raw[2..3], &signature_of(&raw[0]), &scope)[0].is_err(), "re-ordered");
        assert!(verify_chain(&raw[0..1], &signature_of(&raw[0]), &scope)[0].is_err(), "replayed");
        let mut altered = Message::decode(&raw[1]).unwrap();
        let other = Message::event("chunk").with_payload(&b"{\"bytes\":\"dHdP\"}"[..], "application/json");
        altered.payload = other.encode().unwrap();
        assert!(verify_chain(&[altered.encode().unwrap()], &signature_of(&raw[0]), &scope)[0].is_err(), "altered");
    }

    #[tokio::test]
    async fn an_error_from_the_callers_stream_cancels_the_request_instead_of_ending_it() {
        let (url, seen) = serve().await;
        let (feed, fed) = tokio::sync::mpsc::unbounded_channel::<Result<Input, String>>();
        let events = futures_util::stream::unfold(fed, |mut fed| async move { fed.recv().await.map(|e| (e, fed)) });
        let call =
            client(&url).invoke_model_with_bidirectional_stream().model_id("m").body(EventSender::from_results(events));
        let mut output = bounded(call.send()).await.unwrap();
        feed.send(Ok(chunk("one"))).unwrap();
        assert_eq!(text_of(bounded(output.body.recv()).await.unwrap().unwrap()), "one");
        feed.send(Err("the microphone failed".to_owned())).unwrap();
        // The answer stream fails (the request was reset), and nothing was taken for its end.
        let after = bounded(output.body.recv()).await;
        assert!(after.is_err(), "{after:?}");
        bounded(async {
            while !seen.lock().unwrap().cancelled {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await;
        assert!(!seen.lock().unwrap().ended);
    }

    #[tokio::test]
    async fn a_quiet_stream_stays_open_and_one_on_a_dead_connection_fails_at_the_next_unanswered_ping() {
        let (server, _) = serve().await;
        let (url, cut) = relay(&server).await;
        let keepalive = awsgen_runtime::TimeoutConfig { keepalive: Duration::from_millis(100), ..Default::default() };
        let client = Client::new(config(&url).timeouts(keepalive).build());
        let (sink, events) = EventSender::channel(4);
        let mut output =
            bounded(client.invoke_model_with_bidirectional_stream().model_id("m").body(events).send()).await.unwrap();
        // Quiet for ten pings: answered, so nothing is closed.
        tokio::time::sleep(Duration::from_secs(1)).await;
        sink.send(chunk("still here")).await.unwrap();
        assert_eq!(text_of(bounded(output.body.recv()).await.unwrap().unwrap()), "still here");
        // The route dies: the next ping goes unanswered, and the stream fails instead of waiting.
        cut.store(true, std::sync::atomic::Ordering::SeqCst);
        let started = std::time::Instant::now();
        let after = bounded(output.body.recv()).await;
        assert!(matches!(after, Err(awsgen_runtime::SdkError::Transport(_))), "{after:?}");
        assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    }

    /// Over TLS the client offers `h2` and trusts the CA it is given: the same exchange.
    #[tokio::test]
    async fn over_tls_the_stream_goes_over_h2_negotiated_by_alpn() {
        let (url, seen) = serve_tls().await;
        let client = Client::new(config(&url).ca_bundle(super::support::test_ca()).build());
        let (sink, events) = EventSender::channel(1);
        let call = client.invoke_model_with_bidirectional_stream().model_id("m").body(events).send();
        let mut output = bounded(call).await.unwrap();
        sink.send(chunk("secure")).await.unwrap();
        assert_eq!(text_of(bounded(output.body.recv()).await.unwrap().unwrap()), "secure");
        drop(sink);
        assert!(bounded(output.body.recv()).await.unwrap().is_none());
        let seen = seen.lock().unwrap();
        assert_eq!(seen.head.first().map(String::as_str), Some("HTTP/2.0"));
        assert!(seen.ended && seen.frames.iter().all(|(_, verdict)| verdict.is_ok()));
    }

    /// Dropping the answer ends the call: the request is cancelled, and the sink says so.
    #[tokio::test]
    async fn dropping_the_answer_ends_the_call_and_the_sink_says_so() {
        let (url, _) = serve().await;
        let (sink, events) = EventSender::channel(1);
        let call = client(&url).invoke_model_with_bidirectional_stream().model_id("m").body(events).send();
        let output = bounded(call).await.unwrap();
        drop(output);
        let closed = bounded(async {
            loop {
                if sink.send(chunk("anyone?")).await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        });
        closed.await;
    }
}
