//! `application/vnd.amazon.eventstream`: the framing of event stream messages, both ways, and the
//! signing of the events an input stream sends (see [`sign_message`]).
//!
//! A message on the wire: a 12-byte prelude (total length, headers length, both 4-byte big-endian,
//! and the CRC32 of those 8 bytes), the headers, the payload, and the CRC32 of all that precedes
//! it. A header is a 1-byte name length, the name (UTF-8), a 1-byte value type and the value.
//!
//! [`Decoder`] reads a stream as it arrives: a message comes out as soon as its frame is whole,
//! and a prelude announcing more than [`MAX_MESSAGE_LEN`] is refused before any of it is kept.

mod frame;
mod receiver;
mod sender;
mod sign;

pub use frame::{MAX_HEADERS_LEN, MAX_MESSAGE_LEN, MIN_MESSAGE_LEN};
pub use receiver::{EventMessage, EventReceiver, FromEventHeader, Incoming, ReadEvent, UnknownEvent};
pub(crate) use sender::{AnswerGuard, EventSigner, Outgoing};
pub use sender::{EventSender, EventSink, EventStreamClosed, WriteEvent};
pub use sign::{sign_message, string_to_sign, EventSigningParams, SignedMessage};

use crate::time::DateTime;
use bytes::{Bytes, BytesMut};
use std::fmt;

/// One event stream message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Message {
    /// In wire order; a name may repeat.
    pub headers: Vec<Header>,
    pub payload: Bytes,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub name: String,
    pub value: HeaderValue,
}

/// A header's value, one kind per wire type (0 to 9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderValue {
    /// Types 0 (true) and 1 (false).
    Bool(bool),
    Byte(i8),
    Int16(i16),
    Int32(i32),
    Int64(i64),
    /// At most 65535 bytes.
    ByteArray(Bytes),
    /// At most 65535 bytes of UTF-8.
    String(String),
    /// Milliseconds since the epoch on the wire: a sub-millisecond part is dropped when encoded.
    Timestamp(DateTime),
    Uuid([u8; 16]),
}

impl Message {
    /// The value of the first header named `name`.
    pub fn header(&self, name: &str) -> Option<&HeaderValue> {
        self.headers.iter().find(|header| header.name == name).map(|header| &header.value)
    }

    /// The message as one frame on the wire.
    pub fn encode(&self) -> Result<Bytes, FrameError> {
        frame::encode(self)
    }

    /// Exactly one frame: bytes missing or left after it are an error.
    pub fn decode(bytes: &[u8]) -> Result<Message, FrameError> {
        let truncated = || FrameError::Truncated { buffered: bytes.len() };
        let prelude = frame::read_prelude(bytes.first_chunk().ok_or_else(truncated)?)?;
        let whole = bytes.get(..prelude.total_len).ok_or_else(truncated)?;
        let message = frame::decode_frame(&Bytes::copy_from_slice(whole), prelude)?;
        match bytes.len() - whole.len() {
            0 => Ok(message),
            len => Err(FrameError::TrailingBytes { len }),
        }
    }
}

impl Header {
    pub fn new(name: impl Into<String>, value: HeaderValue) -> Self {
        Header { name: name.into(), value }
    }
}

impl HeaderValue {
    /// The text of a string value (`None` for any other kind).
    pub fn as_str(&self) -> Option<&str> {
        match self {
            HeaderValue::String(text) => Some(text),
            _ => None,
        }
    }
}

/// Reads messages out of a stream's bytes as they arrive: [`push`](Self::push) what was
/// received, then take [`next_message`](Self::next_message) until it gives `Ok(None)`, and call
/// [`finish`](Self::finish) at the end of the stream.
#[derive(Debug, Default)]
pub struct Decoder {
    /// Received and not yet decoded: at most one partial frame once `next_message` gave `None`.
    buffered: BytesMut,
    /// After a bad frame the framing of what follows is lost, so every later call fails alike.
    failed: Option<FrameError>,
}

impl Decoder {
    pub fn new() -> Self {
        Decoder::default()
    }

    /// Adds bytes of the stream. Once the decoder failed they are dropped, not kept.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.failed.is_none() {
            self.buffered.extend_from_slice(bytes);
        }
    }

    /// The next message whose frame is whole, `None` until one is. A prelude is checked as soon
    /// as its 12 bytes are in, so a frame announcing more than [`MAX_MESSAGE_LEN`] fails at once
    /// instead of being waited for.
    pub fn next_message(&mut self) -> Result<Option<Message>, FrameError> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        let next = self.take_message();
        if let Err(error) = &next {
            self.failed = Some(error.clone());
            self.buffered = BytesMut::new();
        }
        next
    }

    fn take_message(&mut self) -> Result<Option<Message>, FrameError> {
        let Some(prelude) = self.buffered.first_chunk() else { return Ok(None) };
        let prelude = frame::read_prelude(prelude)?;
        if self.buffered.len() < prelude.total_len {
            return Ok(None);
        }
        // The payload is a slice of the frame, not a copy.
        let whole = self.buffered.split_to(prelude.total_len).freeze();
        frame::decode_frame(&whole, prelude).map(Some)
    }

    /// At the end of the stream (after `next_message` gave `None`): an error if the stream failed
    /// or stopped inside a frame.
    pub fn finish(&self) -> Result<(), FrameError> {
        match &self.failed {
            Some(error) => Err(error.clone()),
            None if self.buffered.is_empty() => Ok(()),
            None => Err(FrameError::Truncated { buffered: self.buffered.len() }),
        }
    }
}

/// A frame that can't be encoded or decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FrameError {
    /// The prelude's CRC (`expected`, as the frame carries it) is not that of its 8 first bytes.
    PreludeChecksum { expected: u32, computed: u32 },
    /// The message's CRC (`expected`, as the frame carries it) is not that of the bytes before it.
    MessageChecksum { expected: u32, computed: u32 },
    /// The total length (announced by a prelude, or of a message to encode) is over
    /// [`MAX_MESSAGE_LEN`].
    MessageTooLong(usize),
    /// A prelude announces fewer than [`MIN_MESSAGE_LEN`] bytes.
    MessageTooShort(usize),
    /// The headers are over [`MAX_HEADERS_LEN`], or longer than the message has room for.
    HeadersLengthOutOfRange { headers_len: usize, total_len: usize },
    /// A header name runs past the end of the headers.
    InvalidHeaderName,
    /// A header's value type is missing, or its value runs past the end of the headers.
    InvalidHeaderValue,
    /// A header's value type is not one of 0 to 9.
    InvalidHeaderValueType(u8),
    /// A header name or string value is not UTF-8.
    InvalidUtf8,
    /// Encoding: a header name over 255 bytes.
    HeaderNameTooLong(usize),
    /// Encoding: a string or byte array value over 65535 bytes.
    HeaderValueTooLong { name: String, len: usize },
    /// Encoding: a timestamp too far from the epoch for 64-bit milliseconds.
    TimestampOutOfRange(DateTime),
    /// The bytes end inside a frame, `buffered` bytes into it.
    Truncated { buffered: usize },
    /// [`Message::decode`]: bytes after the frame.
    TrailingBytes { len: usize },
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::PreludeChecksum { expected, computed } => {
                write!(f, "event stream prelude CRC is {expected:#010X}, computed {computed:#010X}")
            }
            FrameError::MessageChecksum { expected, computed } => {
                write!(f, "event stream message CRC is {expected:#010X}, computed {computed:#010X}")
            }
            FrameError::MessageTooLong(len) => {
                write!(f, "event stream message of {len} bytes is over the limit of {MAX_MESSAGE_LEN}")
            }
            FrameError::MessageTooShort(len) => {
                write!(f, "event stream message of {len} bytes is under the minimum of {MIN_MESSAGE_LEN}")
            }
            FrameError::HeadersLengthOutOfRange { headers_len, total_len } => write!(
                f,
                "event stream headers of {headers_len} bytes do not fit a message of {total_len} \
                 (or are over {MAX_HEADERS_LEN})"
            ),
            FrameError::InvalidHeaderName => f.write_str("event stream header name runs past the headers"),
            FrameError::InvalidHeaderValue => f.write_str("event stream header value runs past the headers"),
            FrameError::InvalidHeaderValueType(kind) => {
                write!(f, "event stream header value type {kind:#04x} is unknown")
            }
            FrameError::InvalidUtf8 => f.write_str("event stream header name or string value is not UTF-8"),
            FrameError::HeaderNameTooLong(len) => {
                write!(f, "event stream header name of {len} bytes is over 255")
            }
            FrameError::HeaderValueTooLong { name, len } => {
                write!(f, "event stream header `{name}` has a value of {len} bytes, over 65535")
            }
            FrameError::TimestampOutOfRange(time) => {
                write!(f, "event stream timestamp {time} is out of range for milliseconds since the epoch")
            }
            FrameError::Truncated { buffered } => {
                write!(f, "event stream ends inside a frame, {buffered} bytes into it")
            }
            FrameError::TrailingBytes { len } => write!(f, "{len} bytes follow the event stream message"),
        }
    }
}

impl std::error::Error for FrameError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(name: &str, value: HeaderValue) -> Header {
        Header::new(name, value)
    }

    /// Two different messages, encoded back to back.
    fn two_frames() -> (Vec<Message>, Vec<u8>) {
        let first = Message {
            headers: vec![header(":event-type", HeaderValue::String("Records".into()))],
            payload: Bytes::from_static(b"first payload"),
        };
        let second = Message { headers: vec![header("n", HeaderValue::Int32(-2))], payload: Bytes::new() };
        let mut stream = first.encode().unwrap().to_vec();
        stream.extend_from_slice(&second.encode().unwrap());
        (vec![first, second], stream)
    }

    /// Pushes `chunks` in order, taking every message as soon as it is out.
    fn decode_chunks<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> Result<Vec<Message>, FrameError> {
        let mut decoder = Decoder::new();
        let mut messages = Vec::new();
        for chunk in chunks {
            decoder.push(chunk);
            while let Some(message) = decoder.next_message()? {
                messages.push(message);
            }
        }
        decoder.finish().map(|()| messages)
    }

    #[test]
    fn messages_come_out_the_same_whatever_the_chunks() {
        let (expected, stream) = two_frames();
        assert_eq!(decode_chunks([&stream[..]]).unwrap(), expected);
        assert_eq!(decode_chunks(stream.chunks(1)).unwrap(), expected);
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..200 {
            let mut cuts: Vec<usize> = (0..rng.usize(0..6)).map(|_| rng.usize(0..=stream.len())).collect();
            cuts.sort_unstable();
            let bounds: Vec<usize> = [0].into_iter().chain(cuts).chain([stream.len()]).collect();
            let chunks = bounds.windows(2).map(|pair| &stream[pair[0]..pair[1]]);
            assert_eq!(decode_chunks(chunks).unwrap(), expected, "cut at {bounds:?}");
        }
    }

    #[test]
    fn a_message_comes_out_as_soon_as_its_frame_is_whole() {
        let (expected, stream) = two_frames();
        let first_len = expected[0].encode().unwrap().len();
        let mut decoder = Decoder::new();
        decoder.push(&stream[..first_len - 1]);
        assert_eq!(decoder.next_message(), Ok(None));
        decoder.push(&stream[first_len - 1..first_len + 1]);
        assert_eq!(decoder.next_message(), Ok(Some(expected[0].clone())));
        assert_eq!(decoder.next_message(), Ok(None));
        assert_eq!(decoder.finish(), Err(FrameError::Truncated { buffered: 1 }));
    }

    #[test]
    fn a_prelude_announcing_17_mib_is_refused_after_its_12_bytes() {
        let total = 17u32 * 1024 * 1024;
        let mut prelude = [total.to_be_bytes(), 0u32.to_be_bytes()].concat();
        prelude.extend_from_slice(&frame::crc32(&prelude).to_be_bytes());
        let mut decoder = Decoder::new();
        decoder.push(&prelude[..11]);
        assert_eq!(decoder.next_message(), Ok(None));
        decoder.push(&prelude[11..]);
        let refused = Err(FrameError::MessageTooLong(total as usize));
        assert_eq!(decoder.next_message(), refused);
        // Nothing more is kept, and the stream stays failed.
        decoder.push(&[0; 4096]);
        assert!(decoder.buffered.is_empty());
        assert_eq!(decoder.next_message(), refused);
        assert_eq!(decoder.finish(), refused.map(|_| ()));
    }

    #[test]
    fn a_stream_ending_inside_a_frame_fails_at_finish() {
        let (expected, stream) = two_frames();
        for end in [1, 11, 12, stream.len() - 1] {
            let error = decode_chunks([&stream[..end]]).unwrap_err();
            assert!(matches!(error, FrameError::Truncated { .. }), "end {end}: {error:?}");
        }
        assert_eq!(decode_chunks([&stream[..0]]).unwrap(), []);
        let first_len = expected[0].encode().unwrap().len();
        assert_eq!(decode_chunks([&stream[..first_len]]).unwrap(), expected[..1]);
    }

    #[test]
    fn decode_takes_exactly_one_frame() {
        let (expected, stream) = two_frames();
        let first_len = expected[0].encode().unwrap().len();
        assert_eq!(Message::decode(&stream[..first_len]), Ok(expected[0].clone()));
        assert_eq!(Message::decode(&stream), Err(FrameError::TrailingBytes { len: stream.len() - first_len }));
        assert_eq!(Message::decode(&stream[..first_len - 1]), Err(FrameError::Truncated { buffered: first_len - 1 }));
        assert_eq!(Message::decode(&stream[..5]), Err(FrameError::Truncated { buffered: 5 }));
    }

    #[test]
    fn header_lookup_and_text() {
        let (messages, _) = two_frames();
        assert_eq!(messages[0].header(":event-type").and_then(HeaderValue::as_str), Some("Records"));
        assert_eq!(messages[1].header("n"), Some(&HeaderValue::Int32(-2)));
        assert_eq!(messages[1].header("n").and_then(HeaderValue::as_str), None);
        assert_eq!(messages[1].header("missing"), None);
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let error = FrameError::PreludeChecksum { expected: 0xDEAD_BEEF, computed: 0x8BB4_95FB };
        assert_eq!(error.to_string(), "event stream prelude CRC is 0xDEADBEEF, computed 0x8BB495FB");
        let error = FrameError::InvalidHeaderValueType(0x60);
        assert_eq!(error.to_string(), "event stream header value type 0x60 is unknown");
    }
}
