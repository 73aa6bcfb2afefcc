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
