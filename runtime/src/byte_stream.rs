//! `ByteStream`: a streaming blob member, such as S3's object bodies.
//!
//! Received, it is the response body as it arrives: read it chunk by chunk with
//! [`ByteStream::next`], or all at once with [`ByteStream::collect`]; the client's response size
//! limit does not apply (an object may be gigabytes). Sent, it holds its bytes in memory, so that
//! a retry can send them again and the signature covers them.

use crate::error::TransportError;
use crate::http::Body;
use crate::BuildError;
use bytes::Bytes;
use std::fmt;
use std::sync::Mutex;

/// The body, or `None` once it has ended. The mutex only makes a stream arriving from the
/// network `Sync`, as an operation's input must be; reading needs `&mut self` and never locks.
#[derive(Default)]
pub struct ByteStream(Mutex<Option<Body>>);

impl ByteStream {
    /// A stream of bytes already in memory.
    pub fn new(bytes: impl Into<Bytes>) -> Self {
        ByteStream::from_body(Body::from(bytes.into()))
    }

    /// A response body, read as it arrives.
    pub(crate) fn from_body(body: Body) -> Self {
        ByteStream(Mutex::new(Some(body)))
    }

    /// The next chunk; `None` at the end.
    pub async fn next(&mut self) -> Option<Result<Bytes, TransportError>> {
        let slot = self.0.get_mut().unwrap_or_else(|poisoned| poisoned.into_inner());
        let chunk = slot.as_mut()?.next_chunk().await;
        if !matches!(chunk, Some(Ok(_))) {
            *slot = None; // the end, or an error: nothing more comes
        }
        chunk
    }

    /// Everything that is left, in memory.
    pub async fn collect(self) -> Result<Bytes, TransportError> {
        match self.0.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner()) {
            Some(body) => body.read(usize::MAX).await,
            None => Ok(Bytes::new()),
        }
    }

    /// The bytes, if they are all in memory (a stream made from bytes, or a response body that
    /// was read whole); `None` for one still arriving.
    pub fn bytes_in_memory(&self) -> Option<Bytes> {
        self.in_memory()?.ok()
    }

    /// The bytes to send: only a stream held in memory can be sent (and sent again on a retry).
    pub(crate) fn to_send(&self) -> Result<Bytes, BuildError> {
        self.in_memory().unwrap_or_else(|| {
            Err(BuildError::Config {
                detail: "a body still streaming from a response can't be sent; collect() it first".to_owned(),
            })
        })
    }

    /// `Some(Ok(bytes))` for a stream in memory (empty once ended), `None` for one still arriving.
    fn in_memory(&self) -> Option<Result<Bytes, BuildError>> {
        let slot = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        match slot.as_ref() {
            None => Some(Ok(Bytes::new())),
            Some(body) => body.in_memory().cloned().map(Ok),
        }
    }
}

impl From<Bytes> for ByteStream {
    fn from(bytes: Bytes) -> Self {
        ByteStream::new(bytes)
    }
}

impl From<Vec<u8>> for ByteStream {
    fn from(bytes: Vec<u8>) -> Self {
        ByteStream::new(bytes)
    }
}

impl From<String> for ByteStream {
    fn from(text: String) -> Self {
        ByteStream::new(text)
    }
}

impl From<&'static str> for ByteStream {
    fn from(text: &'static str) -> Self {
        ByteStream::new(text)
    }
}

impl From<&'static [u8]> for ByteStream {
    fn from(bytes: &'static [u8]) -> Self {
        ByteStream::new(bytes)
    }
}

/// Never the content: a body may hold anything.
impl fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.in_memory() {
            Some(Ok(bytes)) => write!(f, "ByteStream({} bytes)", bytes.len()),
            _ => f.write_str("ByteStream(streaming)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(future)
    }

    #[test]
    fn in_memory_streams_read_once_and_can_be_sent() {
        block_on(async {
            let mut stream = ByteStream::from("hello");
            assert_eq!(format!("{stream:?}"), "ByteStream(5 bytes)");
            assert_eq!(stream.to_send().unwrap(), "hello");
            assert_eq!(stream.next().await.unwrap().unwrap(), "hello");
            assert!(stream.next().await.is_none());
            assert_eq!(ByteStream::default().collect().await.unwrap(), "");
        });
    }

    #[test]
    fn a_received_stream_yields_its_frames_and_cannot_be_sent() {
        block_on(async {
            let frames: Vec<Result<http_body::Frame<Bytes>, std::io::Error>> =
                vec![Ok(http_body::Frame::data(Bytes::from("ab"))), Ok(http_body::Frame::data(Bytes::from("cd")))];
            let body = http_body_util::StreamBody::new(futures_util::stream::iter(frames));
            let mut stream = ByteStream::from_body(Body::streaming(body));
            assert_eq!(format!("{stream:?}"), "ByteStream(streaming)");
            assert!(stream.to_send().unwrap_err().to_string().contains("collect() it first"));
            assert_eq!(stream.next().await.unwrap().unwrap(), "ab");
            assert_eq!(stream.collect().await.unwrap(), "cd");
        });
    }
}
