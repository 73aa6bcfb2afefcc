//! `ByteStream`: a streaming blob member, such as S3's object bodies.
//!
//! Received, it is the response body as it arrives: read it chunk by chunk with
//! [`ByteStream::next`], or all at once with [`ByteStream::collect`]; the client's response size
//! limit does not apply (an object may be gigabytes). Sent, it is bytes in memory, or a file (or
//! a range of one, a multipart upload's part) read as it is sent and read again for a retry, so
//! that a file of any size uploads in a few hundred KiB of memory.

use crate::error::TransportError;
use crate::http::Body;
use crate::BuildError;
use bytes::Bytes;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The body, or `None` once it has ended, and the file it comes from, if it does. The mutex only
/// makes a stream arriving from the network `Sync`, as an operation's input must be; reading
/// needs `&mut self` and never locks.
#[derive(Default)]
pub struct ByteStream {
    body: Mutex<Option<Body>>,
    file: Option<FileSource>,
}

/// What a request sends: bytes in memory, or a file's.
pub(crate) enum Outgoing {
    Bytes(Bytes),
    File(FileSource),
}

impl ByteStream {
    /// A stream of bytes already in memory.
    pub fn new(bytes: impl Into<Bytes>) -> Self {
        ByteStream::from_body(Body::from(bytes.into()))
    }

    /// A response body, read as it arrives.
    pub(crate) fn from_body(body: Body) -> Self {
        ByteStream { body: Mutex::new(Some(body)), file: None }
    }

    /// The whole file at `path`, read as it is sent (and again for a retry), never held in
    /// memory. Its length is taken now: a file that shrinks before it is sent fails the call.
    pub async fn from_path(path: impl AsRef<Path>) -> io::Result<Self> {
        let path = path.as_ref().to_owned();
        let length = tokio::fs::metadata(&path).await?.len();
        Ok(ByteStream::from_file(FileSource { path, offset: 0, length }))
    }

    /// `length` bytes of the file at `path` from `offset` (a multipart upload's part), read as
    /// they are sent. A range past the file's end is an `InvalidInput` error.
    pub async fn from_path_range(path: impl AsRef<Path>, offset: u64, length: u64) -> io::Result<Self> {
        let path = path.as_ref().to_owned();
        let size = tokio::fs::metadata(&path).await?.len();
        if offset.checked_add(length).is_none_or(|end| end > size) {
            let message = format!("bytes {offset}..+{length} are past the end of a {size}-byte file");
            return Err(io::Error::new(io::ErrorKind::InvalidInput, message));
        }
        Ok(ByteStream::from_file(FileSource { path, offset, length }))
    }

    fn from_file(file: FileSource) -> Self {
        ByteStream { body: Mutex::new(Some(file.body())), file: Some(file) }
    }

    /// The length in bytes, when known before reading: bytes in memory, a file's range.
    pub fn content_length(&self) -> Option<u64> {
        match &self.file {
            Some(file) => Some(file.length),
            None => self.bytes_in_memory().map(|bytes| bytes.len() as u64),
        }
    }

    /// The next chunk; `None` at the end.
    pub async fn next(&mut self) -> Option<Result<Bytes, TransportError>> {
        let slot = self.body.get_mut().unwrap_or_else(|poisoned| poisoned.into_inner());
        let chunk = slot.as_mut()?.next_chunk().await;
        if !matches!(chunk, Some(Ok(_))) {
            *slot = None; // the end, or an error: nothing more comes
        }
        chunk
    }

    /// Everything that is left, in memory.
    pub async fn collect(self) -> Result<Bytes, TransportError> {
        match self.body.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner()) {
            Some(body) => body.read(usize::MAX).await,
            None => Ok(Bytes::new()),
        }
    }

    /// Writes what is left to the file at `path`, through a temporary file beside it that is
    /// renamed into place once the whole body arrived (and matched its checksum, when the
    /// response carries one): a failed download leaves no partial file under `path`. Returns the
    /// bytes written; a failure of the download itself is an `io::Error` holding the
    /// [`TransportError`].
    pub async fn write_to_path(mut self, path: impl AsRef<Path>) -> io::Result<u64> {
        use tokio::io::AsyncWriteExt;
        let path = path.as_ref();
        let name = path.file_name().ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file path"))?;
        let partial = path.with_file_name(format!(".{}.{:016x}.partial", name.to_string_lossy(), fastrand::u64(..)));
        let mut file = tokio::fs::File::create(&partial).await?;
        let mut written = 0u64;
        let copied: io::Result<()> = async {
            while let Some(chunk) = self.next().await {
                let chunk = chunk.map_err(io::Error::other)?;
                file.write_all(&chunk).await?;
                written += chunk.len() as u64;
            }
            file.sync_all().await
        }
        .await;
        drop(file);
        match copied {
            Ok(()) => tokio::fs::rename(&partial, path).await.map(|()| written),
            Err(error) => {
                let _ = tokio::fs::remove_file(&partial).await;
                Err(error)
            }
        }
    }

    /// The bytes, if they are all in memory (a stream made from bytes, or a response body that
    /// was read whole); `None` for one still arriving.
    pub fn bytes_in_memory(&self) -> Option<Bytes> {
        self.in_memory()?.ok()
    }

    /// What to send: bytes in memory or a file, either of which a retry sends again; a stream
    /// still arriving from a response can't be.
    pub(crate) fn to_send(&self) -> Result<Outgoing, BuildError> {
        if let Some(file) = &self.file {
            return Ok(Outgoing::File(file.clone()));
        }
        let bytes = self.in_memory().unwrap_or_else(|| {
            Err(BuildError::Config {
                detail: "a body still streaming from a response can't be sent; collect() it first".to_owned(),
            })
        })?;
        Ok(Outgoing::Bytes(bytes))
    }

    /// `Some(Ok(bytes))` for a stream in memory (empty once ended), `None` for one still arriving.
    fn in_memory(&self) -> Option<Result<Bytes, BuildError>> {
        let slot = self.body.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
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
        if let Some(file) = &self.file {
            return write!(f, "ByteStream({} bytes of {})", file.length, file.path.display());
        }
        match self.in_memory() {
            Some(Ok(bytes)) => write!(f, "ByteStream({} bytes)", bytes.len()),
            _ => f.write_str("ByteStream(streaming)"),
        }
    }
}

/// A file's bytes, or a range of them, to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileSource {
    path: PathBuf,
    offset: u64,
    pub(crate) length: u64,
}

/// Read this much at a time: large enough that the blocking pool's hop per read costs little.
const FILE_CHUNK: u64 = 256 * 1024;

impl FileSource {
    /// The bytes as a body, read a chunk at a time as they are sent; a file that ends before
    /// `length` is an error, never a short body.
    pub(crate) fn body(&self) -> Body {
        use tokio::io::{AsyncReadExt, AsyncSeekExt};
        let source = self.clone();
        let chunks = futures_util::stream::try_unfold((None, source.length), move |(file, left)| {
            let source = source.clone();
            async move {
                if left == 0 {
                    return Ok(None);
                }
                let mut file: tokio::fs::File = match file {
                    Some(file) => file,
                    None => {
                        let mut file = tokio::fs::File::open(&source.path).await?;
                        file.seek(io::SeekFrom::Start(source.offset)).await?;
                        file
                    }
                };
                let mut chunk = vec![0u8; left.min(FILE_CHUNK) as usize];
                let read = file.read(&mut chunk).await?;
                if read == 0 {
                    return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the file ended before its length"));
                }
                chunk.truncate(read);
                Ok(Some((http_body::Frame::data(Bytes::from(chunk)), (Some(file), left - read as u64))))
            }
        });
        Body::streaming(http_body_util::StreamBody::new(chunks))
    }

    /// Reads the bytes through `update` (to hash them before they are sent).
    pub(crate) async fn read_through(&self, mut update: impl FnMut(&[u8])) -> Result<(), TransportError> {
        let mut body = self.body();
        while let Some(chunk) = body.next_chunk().await {
            update(&chunk?);
        }
        Ok(())
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
            assert!(matches!(stream.to_send().unwrap(), Outgoing::Bytes(bytes) if bytes == "hello"));
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
            assert!(stream.to_send().err().unwrap().to_string().contains("collect() it first"));
            assert_eq!(stream.next().await.unwrap().unwrap(), "ab");
            assert_eq!(stream.collect().await.unwrap(), "cd");
        });
    }
}
