//! An output event stream: the response body read message by message as it arrives, each message
//! handed out as a typed event (or the stream's typed error) as soon as its frame is whole.

use super::{Decoder, HeaderValue, Message};
use crate::error::{ErrorMetadata, ParseError, SdkError};
use crate::protocol::ErrorResponse;
use crate::ByteStream;
use bytes::Bytes;
use futures_util::stream::{BoxStream, Stream, StreamExt};
use std::fmt;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};

/// The events of a stream, read from its messages: generated for each event stream of a crate.
pub trait ReadEvent: Sized + Send + 'static {
    /// The stream's error: its modeled exceptions, and `Unhandled` for any other.
    type Error: Send + 'static;

    /// The event or exception a message carries; a payload that does not fit is a parse error.
    fn read(message: Incoming) -> Result<Result<Self, Self::Error>, ParseError>;
}

/// A message, as its `:message-type` header says.
#[derive(Debug)]
pub enum Incoming {
    Event(EventMessage),
    /// A modeled exception (`:exception-type`) or a service error (`:error-code`), with the
    /// code to match, the message, and the payload a modeled exception is read from.
    Exception(ErrorResponse),
}

/// An event: its `:event-type` and its message.
#[derive(Debug)]
pub struct EventMessage {
    event_type: String,
    message: Message,
}

impl EventMessage {
    /// The event member it carries (`:event-type`).
    pub fn event_type(&self) -> &str {
        &self.event_type
    }

    pub fn payload(&self) -> &Bytes {
        &self.message.payload
    }

    /// The payload as JSON of `T`; an empty payload reads as `{}`.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, ParseError> {
        let payload: &[u8] = if self.payload().is_empty() { b"{}" } else { self.payload() };
        serde_json::from_slice(payload).map_err(|e| self.parse_error(e))
    }

    /// The payload as an XML document of `T`; an empty payload reads as `T`'s default.
    pub fn xml<T: crate::xml::FromXml + Default>(&self) -> Result<T, ParseError> {
        if self.payload().is_empty() {
            return Ok(T::default());
        }
        let text = std::str::from_utf8(self.payload()).map_err(|e| self.parse_error(e))?;
        crate::xml::Document::parse(text).and_then(|doc| doc.root().parse::<T>()).map_err(|e| self.parse_error(e))
    }

    /// The value of the header `name` (an event's header member); a header of another type is a
    /// parse error.
    pub fn header<T: FromEventHeader>(&self, name: &str) -> Result<Option<T>, ParseError> {
        let Some(value) = self.message.header(name) else { return Ok(None) };
        let kind = T::KIND;
        T::from_header(value).map(Some).ok_or_else(|| self.parse_error(format!("header {name} is not {kind}")))
    }

    /// The payload as bytes.
    pub fn blob(&self) -> crate::Blob {
        crate::Blob::new(self.payload().to_vec())
    }

    /// The payload as text.
    pub fn text(&self) -> Result<String, ParseError> {
        String::from_utf8(self.payload().to_vec()).map_err(|e| self.parse_error(e))
    }

    /// The event as this crate's version does not know it.
    pub fn into_unknown(self) -> UnknownEvent {
        UnknownEvent { event_type: self.event_type, message: self.message }
    }

    fn parse_error(&self, error: impl fmt::Display) -> ParseError {
        ParseError::new(200, format!("event {}: {error}", self.event_type))
    }
}

/// A value an event's header member takes from its header.
pub trait FromEventHeader: Sized {
    /// What the header must hold, for errors.
    const KIND: &'static str;

    fn from_header(value: &HeaderValue) -> Option<Self>;
}

impl FromEventHeader for bool {
    const KIND: &'static str = "a boolean";

    fn from_header(value: &HeaderValue) -> Option<Self> {
        match value {
            HeaderValue::Bool(value) => Some(*value),
            _ => None,
        }
    }
}

/// Any integer header that fits: the model's integers may travel as bytes, shorts or longs.
fn integer(value: &HeaderValue) -> Option<i64> {
    match *value {
        HeaderValue::Byte(n) => Some(n.into()),
        HeaderValue::Int16(n) => Some(n.into()),
        HeaderValue::Int32(n) => Some(n.into()),
        HeaderValue::Int64(n) => Some(n),
        _ => None,
    }
}

impl FromEventHeader for i32 {
    const KIND: &'static str = "an integer of 32 bits";

    fn from_header(value: &HeaderValue) -> Option<Self> {
        integer(value).and_then(|n| n.try_into().ok())
    }
}

impl FromEventHeader for i64 {
    const KIND: &'static str = "an integer";

    fn from_header(value: &HeaderValue) -> Option<Self> {
        integer(value)
    }
}

impl FromEventHeader for String {
    const KIND: &'static str = "a string";

    fn from_header(value: &HeaderValue) -> Option<Self> {
        value.as_str().map(str::to_owned)
    }
}

impl FromEventHeader for crate::Blob {
    const KIND: &'static str = "bytes";

    fn from_header(value: &HeaderValue) -> Option<Self> {
        match value {
            HeaderValue::ByteArray(bytes) => Some(crate::Blob::new(bytes.to_vec())),
            _ => None,
        }
    }
}

impl FromEventHeader for crate::DateTime {
    const KIND: &'static str = "a timestamp";

    fn from_header(value: &HeaderValue) -> Option<Self> {
        match value {
            HeaderValue::Timestamp(time) => Some(*time),
            _ => None,
        }
    }
}

/// An event of a type this version of the crate does not know, kept as it arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownEvent {
    pub event_type: String,
    pub message: Message,
}

/// What `:message-type` says, read from a message: `None` for the `initial-response` event, whose
/// members (none, in every model that has one) the output already holds.
fn classify(message: Message, xml: bool) -> Result<Option<Incoming>, ParseError> {
    let text = |name: &str| message.header(name).and_then(HeaderValue::as_str).map(str::to_owned);
    let missing = |name: &str| ParseError::new(200, format!("an event stream message has no {name} header"));
    match text(":message-type").as_deref() {
        Some("event") => {
            let event_type = text(":event-type").ok_or_else(|| missing(":event-type"))?;
            if event_type == "initial-response" {
                return Ok(None);
            }
            Ok(Some(Incoming::Event(EventMessage { event_type, message })))
        }
        Some("exception") => {
            let code = text(":exception-type").ok_or_else(|| missing(":exception-type"))?;
            Ok(Some(Incoming::Exception(ErrorResponse::from_event(&code, None, message.payload, xml))))
        }
        Some("error") => {
            let code = text(":error-code").ok_or_else(|| missing(":error-code"))?;
            let detail = text(":error-message");
            Ok(Some(Incoming::Exception(ErrorResponse::from_event(&code, detail.as_deref(), Bytes::new(), xml))))
        }
        Some(other) => Err(ParseError::new(200, format!("unknown event stream message type {other:?}"))),
        None => Err(missing(":message-type")),
    }
}

/// The events of an output stream, as a [`Stream`]: `next().await` (with `StreamExt`) or
/// [`recv`](Self::recv) gives each event as soon as its message is whole. A modeled exception
/// ends the stream as `SdkError::Service`; a broken connection as `Transport`, a malformed
/// message as `Parse`. Dropping the receiver closes the connection.
pub struct EventReceiver<T: ReadEvent> {
    /// The mutex only makes the receiver `Sync`, as outputs are; reading never locks.
    inner: Mutex<BoxStream<'static, Result<T, SdkError<T::Error>>>>,
}

impl<T: ReadEvent> EventReceiver<T> {
    /// The events of a response body (`xml`: the protocol is restXml, whose exceptions are XML).
    pub fn new(body: ByteStream, xml: bool) -> Self {
        let reader = Reader { body, decoder: Decoder::new(), xml, done: false };
        Self::from_stream(futures_util::stream::unfold(reader, |mut reader| async move {
            let item = reader.next::<T>().await?;
            Some((item, reader))
        }))
    }

    /// A receiver of the events (or errors) another stream gives, e.g. to mock a service in tests.
    pub fn from_stream(stream: impl Stream<Item = Result<T, SdkError<T::Error>>> + Send + 'static) -> Self {
        EventReceiver { inner: Mutex::new(stream.boxed()) }
    }

    /// The next event; `Ok(None)` once the stream ended.
    pub async fn recv(&mut self) -> Result<Option<T>, SdkError<T::Error>> {
        self.next().await.transpose()
    }
}

impl<T: ReadEvent> Stream for EventReceiver<T> {
    type Item = Result<T, SdkError<T::Error>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let inner = self.get_mut().inner.get_mut().unwrap_or_else(|poisoned| poisoned.into_inner());
        inner.poll_next_unpin(cx)
    }
}

/// A stream that has ended: what a missing stream reads as.
impl<T: ReadEvent> Default for EventReceiver<T> {
    fn default() -> Self {
        Self::from_stream(futures_util::stream::empty())
    }
}

impl<T: ReadEvent> fmt::Debug for EventReceiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EventReceiver")
    }
}

/// The state behind a receiver: the body, the frames decoded from it so far, and whether it ended.
struct Reader {
    body: ByteStream,
    decoder: Decoder,
    xml: bool,
    done: bool,
}

impl Reader {
    /// The next event or error; `None` at the end. After an error nothing more is read.
    async fn next<T: ReadEvent>(&mut self) -> Option<Result<T, SdkError<T::Error>>> {
        while !self.done {
            let item = match self.decoder.next_message() {
                Ok(Some(message)) => match classify(message, self.xml) {
                    Ok(None) => continue,
                    Ok(Some(incoming)) => T::read(incoming).map_err(SdkError::Parse),
                    Err(error) => Err(SdkError::Parse(error)),
                },
                Err(error) => Err(SdkError::Parse(ParseError::new(200, error.to_string()))),
                Ok(None) => match self.body.next().await {
                    Some(Ok(chunk)) => {
                        self.decoder.push(&chunk);
                        continue;
                    }
                    Some(Err(error)) => Err(SdkError::Transport(error)),
                    None => {
                        self.done = true;
                        let ended = self.decoder.finish().map_err(|e| ParseError::new(200, e.to_string()));
                        return ended.err().map(|error| Err(SdkError::Parse(error)));
                    }
                },
            };
            // An exception is the stream's last message.
            let item = item.and_then(|read| read.map_err(SdkError::Service));
            self.done = item.is_err();
            return Some(item);
        }
        None
    }
}

impl ErrorResponse {
    /// An exception or error a stream's message carries: `code` names it, `message` is the
    /// `:error-message` of a service error; an exception's own message is in its payload.
    pub(crate) fn from_event(code: &str, message: Option<&str>, payload: Bytes, xml: bool) -> ErrorResponse {
        let mut meta = ErrorMetadata::new().with_code(code);
        let message = message.map(str::to_owned).or_else(|| message_in(&payload, xml));
        if let Some(message) = message {
            meta = meta.with_message(message);
        }
        ErrorResponse::new(meta, payload)
    }
}

/// A modeled exception's message, from its payload (`message` in any case, as error bodies have it).
fn message_in(payload: &[u8], xml: bool) -> Option<String> {
    if xml {
        let text = std::str::from_utf8(payload).ok()?;
        let doc = crate::xml::Document::parse(text).ok()?;
        let message = doc.root().children().find(|child| child.name().eq_ignore_ascii_case("message"));
        return message.map(|node| node.text().to_owned());
    }
    let json: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(payload).ok()?;
    let (_, value) = json.iter().find(|(key, _)| key.eq_ignore_ascii_case("message"))?;
    value.as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eventstream::Header;

    /// Events of a test stream: the payload's text; exceptions: their code and message.
    #[derive(Debug, PartialEq)]
    struct Said(String);

    impl ReadEvent for Said {
        type Error = ErrorMetadata;

        fn read(message: Incoming) -> Result<Result<Self, ErrorMetadata>, ParseError> {
            match message {
                Incoming::Event(event) => Ok(Ok(Said(format!("{}: {}", event.event_type(), event.text()?)))),
                Incoming::Exception(exception) => Ok(Err(exception.into_meta())),
            }
        }
    }

    fn frame(headers: &[(&str, &str)], payload: &str) -> Vec<u8> {
        let headers = headers.iter().map(|(n, v)| Header::new(*n, HeaderValue::String((*v).to_owned()))).collect();
        Message { headers, payload: payload.to_owned().into() }.encode().unwrap().to_vec()
    }

    fn event(event_type: &str, payload: &str) -> Vec<u8> {
        frame(&[(":message-type", "event"), (":event-type", event_type)], payload)
    }

    fn read_all(body: Vec<u8>) -> Vec<Result<Said, SdkError<ErrorMetadata>>> {
        let receiver = EventReceiver::<Said>::new(ByteStream::new(body), false);
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        runtime.block_on(receiver.collect())
    }

    #[test]
    fn the_initial_response_is_skipped_and_events_follow_in_order() {
        let body = [event("initial-response", "{}"), event("a", "one"), event("b", "two")].concat();
        let said: Vec<_> = read_all(body).into_iter().map(Result::unwrap).collect();
        assert_eq!(said, [Said("a: one".into()), Said("b: two".into())]);
    }

    #[test]
    fn an_exception_takes_its_message_from_its_payload_and_ends_the_stream() {
        let exception = frame(&[(":message-type", "exception"), (":exception-type", "Busy")], r#"{"Message":"wait"}"#);
        let items = read_all([event("a", "one"), exception, event("b", "two")].concat());
        assert_eq!(items.len(), 2);
        let Err(SdkError::Service(meta)) = &items[1] else { panic!("{:?}", items[1]) };
        assert_eq!((meta.code(), meta.message()), (Some("Busy"), Some("wait")));
    }

    #[test]
    fn messages_without_their_headers_are_parse_errors() {
        for (headers, why) in [
            (vec![(":event-type", "a")], ":message-type"),
            (vec![(":message-type", "event")], ":event-type"),
            (vec![(":message-type", "exception")], ":exception-type"),
            (vec![(":message-type", "gossip")], "unknown event stream message type"),
        ] {
            let items = read_all(frame(&headers, ""));
            assert!(matches!(&items[..], [Err(SdkError::Parse(e))] if e.to_string().contains(why)), "{why}: {items:?}");
        }
    }

    #[test]
    fn a_receiver_can_be_made_from_any_stream_and_is_empty_by_default() {
        let events = futures_util::stream::iter([Ok(Said("mocked".into()))]);
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let mut mocked = EventReceiver::from_stream(events);
        assert_eq!(runtime.block_on(mocked.recv()).unwrap(), Some(Said("mocked".into())));
        assert_eq!(runtime.block_on(mocked.recv()).unwrap(), None);
        assert_eq!(runtime.block_on(EventReceiver::<Said>::default().recv()).unwrap(), None);
    }

    #[cfg(feature = "blocking")]
    #[test]
    fn events_can_be_read_without_an_async_runtime() {
        let body = [event("a", "one"), event("b", "two")].concat();
        let receiver = EventReceiver::<Said>::new(ByteStream::new(body), false);
        let said: Vec<_> = receiver.into_blocking_iter().map(Result::unwrap).collect();
        assert_eq!(said, [Said("a: one".into()), Said("b: two".into())]);
    }
}
