//! An input event stream: the events a caller sends, from any `Stream` (or a channel), each
//! written as a message, signed (chained to the request's signature, see [`sign_message`]) and
//! framed as the request body goes out, and the stream ended by the signed empty message.
//!
//! [`sign_message`]: super::sign_message

use super::{sign_message, EventSigningParams, Header, HeaderValue, Message};
use crate::credentials::Credentials;
use crate::http::{Body, BoxError};
use crate::BuildError;
use bytes::Bytes;
use futures_util::stream::{BoxStream, Stream, StreamExt};
use std::fmt;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// The events of an input stream, written as messages: generated for each event stream a crate's
/// operations send.
pub trait WriteEvent: Send + 'static {
    /// The event as its message: `:event-type` naming it, its members in the payload and headers.
    fn write(self) -> Result<Message, BuildError>;
}

impl Message {
    /// An event's message: `:message-type` is `event`, `:event-type` the event member's name.
    pub fn event(event_type: &str) -> Message {
        let headers = vec![
            Header::new(":message-type", HeaderValue::String("event".into())),
            Header::new(":event-type", HeaderValue::String(event_type.into())),
        ];
        Message { headers, payload: Bytes::new() }
    }

    /// With a header (an event's header member).
    pub fn with_header(mut self, name: &str, value: impl Into<HeaderValue>) -> Message {
        self.headers.push(Header::new(name, value.into()));
        self
    }

    /// With `payload`, sent as `content_type` says.
    pub fn with_payload(mut self, payload: impl Into<Bytes>, content_type: &str) -> Message {
        self.payload = payload.into();
        self.with_header(":content-type", HeaderValue::String(content_type.into()))
    }

    /// With `value` as the JSON payload.
    pub fn with_json<T: serde::Serialize + ?Sized>(self, value: &T) -> Result<Message, BuildError> {
        Ok(self.with_payload(crate::protocol::to_json(value)?, "application/json"))
    }
}

impl From<bool> for HeaderValue {
    fn from(value: bool) -> Self {
        HeaderValue::Bool(value)
    }
}

impl From<i32> for HeaderValue {
    fn from(value: i32) -> Self {
        HeaderValue::Int32(value)
    }
}

impl From<i64> for HeaderValue {
    fn from(value: i64) -> Self {
        HeaderValue::Int64(value)
    }
}

impl From<String> for HeaderValue {
    fn from(value: String) -> Self {
        HeaderValue::String(value)
    }
}

impl From<crate::Blob> for HeaderValue {
    fn from(value: crate::Blob) -> Self {
        HeaderValue::ByteArray(value.into_inner().into())
    }
}

impl From<crate::DateTime> for HeaderValue {
    fn from(value: crate::DateTime) -> Self {
        HeaderValue::Timestamp(value)
    }
}

type Messages = BoxStream<'static, Result<Message, BoxError>>;

/// The events an operation sends, as an input stream member holds them: made from any `Stream`
/// of events ([`from_stream`](Self::from_stream), [`from_results`](Self::from_results)) or fed
/// through a [`channel`](Self::channel) while the answer streams back. The stream is read as the
/// request is sent, so a call can go on as long as the caller keeps sending; when it ends, the
/// request ends, and an error from it cancels the request. A stream can be sent once: a call is
/// not retried once its first event went out.
pub struct EventSender<T> {
    messages: Outgoing,
    events: PhantomData<fn(T)>,
}

impl<T: WriteEvent> EventSender<T> {
    pub fn from_stream(events: impl Stream<Item = T> + Send + 'static) -> Self {
        Self::from_results(events.map(Ok::<T, std::convert::Infallible>))
    }

    /// From a stream whose items may fail: the first error cancels the request.
    pub fn from_results<E: Into<BoxError>>(events: impl Stream<Item = Result<T, E>> + Send + 'static) -> Self {
        let messages = events.map(|event| event.map_err(Into::into).and_then(|event| Ok(event.write()?)));
        EventSender { messages: Outgoing(Arc::new(Mutex::new(Some(messages.boxed())))), events: PhantomData }
    }

    /// A sender fed through `EventSink::send`, holding at most `capacity` events not yet sent;
    /// dropping the sink ends the stream.
    pub fn channel(capacity: usize) -> (EventSink<T>, Self) {
        let (sender, receiver) = tokio::sync::mpsc::channel(capacity.max(1));
        let events = futures_util::stream::unfold(receiver, |mut receiver| async move {
            receiver.recv().await.map(|event| (event, receiver))
        });
        (EventSink(sender), Self::from_stream(events))
    }

    /// The messages, for the request to send.
    pub(crate) fn outgoing(&self) -> Outgoing {
        self.messages.clone()
    }
}

/// No events: the stream ends as soon as it starts.
impl<T: WriteEvent> Default for EventSender<T> {
    fn default() -> Self {
        Self::from_stream(futures_util::stream::empty())
    }
}

impl<T> fmt::Debug for EventSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EventSender")
    }
}

/// Feeds an [`EventSender::channel`].
#[derive(Debug)]
pub struct EventSink<T>(tokio::sync::mpsc::Sender<T>);

impl<T> Clone for EventSink<T> {
    fn clone(&self) -> Self {
        EventSink(self.0.clone())
    }
}

impl<T> EventSink<T> {
    /// Queues an event, waiting while the channel is full; fails once the request is over (the
    /// event is handed back).
    pub async fn send(&self, event: T) -> Result<(), EventStreamClosed<T>> {
        self.0.send(event).await.map_err(|closed| EventStreamClosed(closed.0))
    }
}

/// The request that would have sent the event is over.
pub struct EventStreamClosed<T>(pub T);

impl<T> fmt::Debug for EventStreamClosed<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EventStreamClosed")
    }
}

impl<T> fmt::Display for EventStreamClosed<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the event stream's request is over")
    }
}

impl<T> std::error::Error for EventStreamClosed<T> {}

/// The messages of an input stream, shared by the request (whose attempts may take them once).
#[derive(Clone)]
pub(crate) struct Outgoing(Arc<Mutex<Option<Messages>>>);

impl Outgoing {
    /// Whether an attempt took the stream: another can't send it again.
    pub(crate) fn taken(&self) -> bool {
        self.0.lock().map_or(true, |messages| messages.is_none())
    }

    /// The request body: the stream's messages framed (and signed, chained to the request's
    /// signature, when `signer` is given), then the signed empty message. The stream is taken
    /// when the transport first reads the body, so a connection that fails before leaves it.
    /// Once the guard (which the answer holds) is dropped, the body fails: the request is
    /// cancelled, and the caller's stream dropped.
    pub(crate) fn body(&self, signer: Option<EventSigner>) -> (Body, AnswerGuard) {
        let (guard, abandoned) = tokio::sync::oneshot::channel();
        let frames = Frames { source: self.clone(), messages: None, signer, abandoned, ended: false };
        let frames = futures_util::stream::unfold(frames, |mut frames| async move {
            let frame = frames.next().await?;
            Some((frame.map(http_body::Frame::data), frames))
        });
        (Body::streaming(http_body_util::StreamBody::new(frames)), AnswerGuard { _held: Arc::new(guard) })
    }
}

/// Kept by the answer to an input stream's request: dropping the answer ends the events.
#[derive(Clone, Debug)]
pub(crate) struct AnswerGuard {
    /// Dropped with the last clone: the body's receiver then ends the events.
    _held: Arc<tokio::sync::oneshot::Sender<()>>,
}

impl PartialEq for Outgoing {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl fmt::Debug for Outgoing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Outgoing")
    }
}

/// Signs each event of an attempt: its identity, scope, the request's signature as the seed, and
/// the client's clock.
pub(crate) struct EventSigner {
    pub credentials: Credentials,
    pub region: String,
    pub service: String,
    /// The previous signature: the request's at first.
    pub previous: String,
    pub now: Arc<dyn Fn() -> SystemTime + Send + Sync>,
}

impl EventSigner {
    fn sign(&mut self, encoded: &[u8]) -> Result<Bytes, BoxError> {
        let params = EventSigningParams {
            credentials: &self.credentials,
            region: &self.region,
            service: &self.service,
            time: (self.now)(),
        };
        let signed = sign_message(&params, &self.previous, encoded)?;
        self.previous = signed.signature;
        Ok(signed.message.encode()?)
    }
}

/// The frames of one attempt's body.
struct Frames {
    source: Outgoing,
    messages: Option<Messages>,
    signer: Option<EventSigner>,
    /// Ends when the answer is dropped.
    abandoned: tokio::sync::oneshot::Receiver<()>,
    ended: bool,
}

impl Frames {
    async fn next(&mut self) -> Option<Result<Bytes, BoxError>> {
        if self.ended {
            return None;
        }
        let result = self.next_frame().await;
        self.ended |= !matches!(result, Some(Ok(_)));
        if self.ended {
            // The caller's stream (and a channel's receiver) goes now, not with the body.
            self.messages = None;
        }
        result
    }

    async fn next_frame(&mut self) -> Option<Result<Bytes, BoxError>> {
        if self.messages.is_none() {
            let taken = self.source.0.lock().ok().and_then(|mut messages| messages.take());
            match taken {
                Some(messages) => self.messages = Some(messages),
                None => return Some(Err("this event stream was already sent: a stream is sent once".into())),
            }
        }
        let next = self.messages.as_mut()?.next();
        let message = match futures_util::future::select(next, &mut self.abandoned).await {
            futures_util::future::Either::Left((Some(message), _)) => message,
            futures_util::future::Either::Right(_) => {
                return Some(Err("the answer to this call was dropped, so its events stop".into()))
            }
            // The end: an empty message, signed; an unsigned stream just ends.
            futures_util::future::Either::Left((None, _)) => {
                self.ended = true;
                return self.signer.as_mut().map(|signer| signer.sign(b""));
            }
        };
        let encoded = match message.and_then(|message| Ok(message.encode()?)) {
            Ok(encoded) => encoded,
            Err(error) => return Some(Err(error)),
        };
        Some(match &mut self.signer {
            Some(signer) => signer.sign(&encoded),
            None => Ok(encoded),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eventstream::Decoder;
    use std::time::{Duration, UNIX_EPOCH};

    struct Note(&'static str);

    impl WriteEvent for Note {
        fn write(self) -> Result<Message, BuildError> {
            Ok(Message::event("note").with_header("length", self.0.len() as i32).with_payload(self.0, "text/plain"))
        }
    }

    /// The messages of a body, read while its answer (the guard) is held.
    fn read((body, _answer): (Body, AnswerGuard)) -> Result<Vec<Message>, String> {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let bytes = runtime.block_on(body.read(usize::MAX)).map_err(|e| e.to_string())?;
        let mut decoder = Decoder::new();
        decoder.push(&bytes);
        let mut messages = Vec::new();
        while let Some(message) = decoder.next_message().map_err(|e| e.to_string())? {
            messages.push(message);
        }
        decoder.finish().map_err(|e| e.to_string())?;
        Ok(messages)
    }

    fn notes(texts: &[&'static str]) -> EventSender<Note> {
        EventSender::from_stream(futures_util::stream::iter(texts.iter().map(|text| Note(text)).collect::<Vec<_>>()))
    }

    fn signer(credentials: &Credentials) -> EventSigner {
        EventSigner {
            credentials: credentials.clone(),
            region: "us-west-2".into(),
            service: "bedrock".into(),
            previous: "seed".into(),
            now: Arc::new(|| UNIX_EPOCH + Duration::from_secs(1_700_000_000)),
        }
    }

    #[test]
    fn an_unsigned_stream_is_its_events_framed_one_after_another() {
        let sender = notes(&["one", "two"]);
        let messages = read(sender.outgoing().body(None)).unwrap();
        assert_eq!(messages, [Note("one").write().unwrap(), Note("two").write().unwrap()]);
        let header = |name: &str| messages[0].header(name).cloned();
        assert_eq!(header(":message-type"), Some(HeaderValue::String("event".into())));
        assert_eq!(header(":event-type"), Some(HeaderValue::String("note".into())));
        assert_eq!(header(":content-type"), Some(HeaderValue::String("text/plain".into())));
        assert_eq!(header("length"), Some(HeaderValue::Int32(3)));
    }

    #[test]
    fn a_signed_stream_chains_each_signature_to_the_last_and_ends_with_the_signed_empty_message() {
        let credentials = Credentials::new("AKID", "secret", None);
        let wrappers = read(notes(&["one", "two"]).outgoing().body(Some(signer(&credentials)))).unwrap();
        assert_eq!(wrappers.len(), 3);
        let params = EventSigningParams {
            credentials: &credentials,
            region: "us-west-2",
            service: "bedrock",
            time: UNIX_EPOCH + Duration::from_secs(1_700_000_000),
        };
        let mut previous = "seed".to_owned();
        for (wrapper, event) in wrappers.iter().zip([Some("one"), Some("two"), None]) {
            let encoded = event.map(|text| Note(text).write().unwrap().encode().unwrap()).unwrap_or_default();
            let expected = sign_message(&params, &previous, &encoded).unwrap();
            assert_eq!(wrapper, &expected.message);
            previous = expected.signature;
        }
    }

    #[test]
    fn a_stream_is_sent_once_and_taken_only_when_the_body_is_read() {
        let sender = notes(&["one"]);
        let (first, second) = (sender.outgoing().body(None), sender.outgoing().body(None));
        assert!(!sender.outgoing().taken(), "making a body takes nothing: a failed connection leaves the stream");
        assert_eq!(read(first).unwrap().len(), 1);
        assert!(sender.outgoing().taken());
        assert!(read(second).unwrap_err().contains("already sent"));
    }

    #[test]
    fn an_error_from_the_callers_stream_fails_the_body_after_the_events_before_it() {
        let events = futures_util::stream::iter([Ok(Note("one")), Err("the microphone failed")]);
        let (mut body, _answer) = EventSender::from_results(events).outgoing().body(None);
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let first = runtime.block_on(body.next_chunk()).unwrap().unwrap();
        assert_eq!(Message::decode(&first).unwrap(), Note("one").write().unwrap());
        let error = runtime.block_on(body.next_chunk()).unwrap().unwrap_err();
        assert!(error.to_string().contains("the microphone failed"), "{error}");
        assert!(runtime.block_on(body.next_chunk()).is_none(), "nothing after the error, not even an end");
    }

    #[test]
    fn dropping_the_answer_fails_the_body_even_while_the_caller_is_quiet() {
        let (sink, sender) = EventSender::<Note>::channel(1);
        let (mut body, answer) = sender.outgoing().body(None);
        let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
        runtime.block_on(async {
            let quiet = tokio::time::timeout(std::time::Duration::from_millis(50), body.next_chunk()).await;
            assert!(quiet.is_err(), "no event yet: the body waits");
            drop(answer);
            let error = body.next_chunk().await.unwrap().unwrap_err();
            assert!(error.to_string().contains("dropped"), "{error}");
            assert!(sink.send(Note("late")).await.is_err(), "the caller's stream is gone with the body");
        });
    }

    #[test]
    fn a_channel_feeds_the_stream_until_its_sink_is_dropped() {
        let (sink, sender) = EventSender::channel(2);
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        runtime.block_on(async {
            sink.send(Note("one")).await.unwrap();
            sink.clone().send(Note("two")).await.unwrap();
        });
        drop(sink);
        assert_eq!(read(sender.outgoing().body(None)).unwrap().len(), 2);
    }
}
