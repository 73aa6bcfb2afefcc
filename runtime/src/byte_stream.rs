//! `ByteStream`: a streaming blob member, such as S3's object bodies.
//!
//! Received, it is the response body as it arrives: read it chunk by chunk with
//! [`ByteStream::next`], or all at once with [`ByteStream::collect`]; the client's response size
//! limit does not apply (an object may be gigabytes). Sent, it is bytes in memory; a file (by
//! path or open, whole or a range of it, such as a multipart upload's part) read as it is sent
//! and read again for a retry, so that a file of any size uploads in a few hundred KiB of
//! memory; or any reader or stream of bytes, of known length or not, sent once as it yields.

use crate::error::TransportError;
use crate::http::{Body, BoxError};
use crate::BuildError;
use bytes::Bytes;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The body, or `None` once it has ended (or while a body to send is still in `source`), and
/// where a body to send comes from. The mutex only makes a stream arriving from the network
/// `Sync`, as an operation's input must be; reading needs `&mut self` and never locks.
#[derive(Default)]
pub struct ByteStream {
    body: Mutex<Option<Body>>,
    source: Option<Streamed>,
}

/// What a request sends: bytes in memory, or a body read as it is sent.
pub(crate) enum Outgoing {
    Bytes(Bytes),
    Streamed(Streamed),
}

/// A body read as it is sent: a file's bytes, read again for each attempt, or a caller's reader or
/// stream, which only the first attempt that reads it can send.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Streamed {
    File(FileSource),
    Once(OnceSource),
}

impl Streamed {
    /// The length in bytes, when known before sending.
    pub(crate) fn length(&self) -> Option<u64> {
        match self {
            Streamed::File(file) => Some(file.length),
            Streamed::Once(once) => once.length,
        }
    }

    /// The body of one attempt.
    pub(crate) fn body(&self) -> Body {
        match self {
            Streamed::File(file) => file.body(),
            Streamed::Once(once) => once.body(),
        }
    }

    /// Whether an attempt started sending a body that can't be sent again.
    pub(crate) fn spent(&self) -> bool {
        matches!(self, Streamed::Once(once) if once.taken())
    }

    /// The file, when the body is one: it can be read ahead (to hash it) and sent again.
    pub(crate) fn file(&self) -> Option<&FileSource> {
        match self {
            Streamed::File(file) => Some(file),
            Streamed::Once(_) => None,
        }
    }
}

impl ByteStream {
    /// A stream of bytes already in memory.
    pub fn new(bytes: impl Into<Bytes>) -> Self {
        ByteStream::from_body(Body::from(bytes.into()))
    }

    /// A response body, read as it arrives.
    pub(crate) fn from_body(body: Body) -> Self {
        ByteStream { body: Mutex::new(Some(body)), source: None }
    }

    /// The bytes `reader` yields until its end, read as they are sent. `length`, when known, lets
    /// the request say it ahead (S3 needs it, and it lets S3 uploads carry a checksum); a reader
    /// that ends before it, or goes past it, fails the call. Sent once: a retry after the first
    /// byte was taken is not made, and the error says why.
    pub fn from_reader<R>(reader: R, length: Option<u64>) -> Self
    where
        R: tokio::io::AsyncRead + Send + 'static,
    {
        use tokio::io::AsyncReadExt;
        let reader = Box::pin(reader);
        let chunks = futures_util::stream::try_unfold(reader, |mut reader| async move {
            let mut chunk = bytes::BytesMut::with_capacity(READ_CHUNK);
            match reader.read_buf(&mut chunk).await? {
                0 => Ok::<_, io::Error>(None),
                _ => Ok(Some((chunk.freeze(), reader))),
            }
        });
        ByteStream::from_stream(chunks, length)
    }

    /// The chunks `stream` yields, as [`ByteStream::from_reader`]; its first error fails the call.
    pub fn from_stream<S, E>(stream: S, length: Option<u64>) -> Self
    where
        S: futures_util::Stream<Item = Result<Bytes, E>> + Send + 'static,
        E: Into<BoxError> + 'static,
    {
        use futures_util::TryStreamExt;
        let frames = stream.map_ok(http_body::Frame::data).map_err(Into::into);
        let body = Body::streaming(http_body_util::StreamBody::new(frames));
        let body = match length {
            Some(length) => body.of_length(length),
            None => body,
        };
        let once = OnceSource { body: Arc::new(Mutex::new(Some(body))), length };
        ByteStream { body: Mutex::new(None), source: Some(Streamed::Once(once)) }
    }

    /// The whole file at `path`, read as it is sent (and again for a retry), never held in
    /// memory. Its length is taken now: a file that shrinks before it is sent fails the call.
    pub async fn from_path(path: impl AsRef<Path>) -> io::Result<Self> {
        let path = path.as_ref().to_owned();
        let length = tokio::fs::metadata(&path).await?.len();
        Ok(ByteStream::from_file_source(FileSource { file: FileRef::Path(path), offset: 0, length }))
    }

    /// `length` bytes of the file at `path` from `offset` (a multipart upload's part), read as
    /// they are sent. A range past the file's end is an `InvalidInput` error.
    pub async fn from_path_range(path: impl AsRef<Path>, offset: u64, length: u64) -> io::Result<Self> {
        let path = path.as_ref().to_owned();
        let size = tokio::fs::metadata(&path).await?.len();
        FileSource::range(FileRef::Path(path), size, offset, length).map(ByteStream::from_file_source)
    }

    /// `length` bytes of an open file from `offset` (`None`: to its end), read as they are sent
    /// and again for a retry, by position: the file's own cursor is neither used nor moved, so
    /// the parts of one open file can go in parallel.
    pub fn from_file(file: std::fs::File, offset: u64, length: Option<u64>) -> io::Result<Self> {
        let size = file.metadata()?.len();
        let length = length.unwrap_or(size.saturating_sub(offset));
        FileSource::range(FileRef::Open(Arc::new(file)), size, offset, length).map(ByteStream::from_file_source)
    }

    fn from_file_source(file: FileSource) -> Self {
        ByteStream { body: Mutex::new(Some(file.body())), source: Some(Streamed::File(file)) }
    }

    /// The length in bytes, when known before reading: bytes in memory, a file's range, a reader's
    /// given length.
    pub fn content_length(&self) -> Option<u64> {
        match &self.source {
            Some(source) => source.length(),
            None => self.bytes_in_memory().map(|bytes| bytes.len() as u64),
        }
    }

    /// The next chunk; `None` at the end.
    pub async fn next(&mut self) -> Option<Result<Bytes, TransportError>> {
        let slot = self.body.get_mut().unwrap_or_else(|poisoned| poisoned.into_inner());
        if slot.is_none() {
            if let Some(Streamed::Once(once)) = self.source.take() {
                *slot = Some(once.body());
            }
        }
        let chunk = slot.as_mut()?.next_chunk().await;
        if !matches!(chunk, Some(Ok(_))) {
            *slot = None; // the end, or an error: nothing more comes
        }
        chunk
    }

    /// Everything that is left, in memory.
    pub async fn collect(self) -> Result<Bytes, TransportError> {
        let body = self.body.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
        let body = match (body, self.source) {
            (None, Some(Streamed::Once(once))) => Some(once.body()),
            (body, _) => body,
        };
        match body {
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

    /// What to send: bytes in memory or a file, either of which a retry sends again, or a reader
    /// or stream, sent once; a stream still arriving from a response can't be.
    pub(crate) fn to_send(&self) -> Result<Outgoing, BuildError> {
        if let Some(source) = &self.source {
            return Ok(Outgoing::Streamed(source.clone()));
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
        if matches!(self.source, Some(Streamed::Once(_))) {
            return None;
        }
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
        match &self.source {
            Some(Streamed::File(file)) => return write!(f, "ByteStream({} bytes of {:?})", file.length, file.file),
            Some(Streamed::Once(OnceSource { length: Some(length), .. })) => {
                return write!(f, "ByteStream({length} bytes, streaming)")
            }
            _ => {}
        }
        match self.in_memory() {
            Some(Ok(bytes)) => write!(f, "ByteStream({} bytes)", bytes.len()),
            _ => f.write_str("ByteStream(streaming)"),
        }
    }
}

/// A reader's or stream's body, which the first attempt to read it takes.
#[derive(Clone)]
pub(crate) struct OnceSource {
    body: Arc<Mutex<Option<Body>>>,
    length: Option<u64>,
}

impl OnceSource {
    fn taken(&self) -> bool {
        self.body.lock().map_or(true, |body| body.is_none())
    }

    /// The body, taken from the source when the transport first reads it (so that a connection
    /// failing before leaves it for a retry); a second attempt that reads finds it gone.
    fn body(&self) -> Body {
        let source = self.body.clone();
        let mut taken: Option<Body> = None;
        let chunks = futures_util::stream::poll_fn(move |cx| {
            if taken.is_none() {
                taken = source.lock().ok().and_then(|mut body| body.take());
                if taken.is_none() {
                    let spent = "this body was a reader or stream that an earlier attempt began to send: it can't be sent again";
                    return std::task::Poll::Ready(Some(Err(BoxError::from(spent))));
                }
            }
            let frames = taken.as_mut().expect("taken above");
            match std::task::ready!(http_body::Body::poll_frame(std::pin::Pin::new(frames), cx)) {
                // A failed read ends the body: nothing more is read from it.
                Some(Err(error)) => {
                    *source.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = None;
                    std::task::Poll::Ready(Some(Err(error)))
                }
                frame => std::task::Poll::Ready(frame),
            }
        });
        Body::streaming(http_body_util::StreamBody::new(chunks))
    }
}

impl PartialEq for OnceSource {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.body, &other.body)
    }
}

impl fmt::Debug for OnceSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OnceSource({:?} bytes)", self.length)
    }
}

/// A file's bytes, or a range of them, to send.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FileSource {
    file: FileRef,
    offset: u64,
    pub(crate) length: u64,
}

/// A file by its path, opened by each attempt, or open already and read by position.
#[derive(Clone)]
enum FileRef {
    Path(PathBuf),
    Open(Arc<std::fs::File>),
}

impl PartialEq for FileRef {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (FileRef::Path(a), FileRef::Path(b)) => a == b,
            (FileRef::Open(a), FileRef::Open(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl fmt::Debug for FileRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileRef::Path(path) => write!(f, "{}", path.display()),
            FileRef::Open(_) => f.write_str("an open file"),
        }
    }
}

/// Read this much at a time: large enough that the blocking pool's hop per read costs little.
const FILE_CHUNK: u64 = 256 * 1024;

/// A reader's bytes are taken at most this much at a time.
const READ_CHUNK: usize = 64 * 1024;

impl FileSource {
    /// `length` bytes from `offset` of a file of `size` bytes; a range past its end is an
    /// `InvalidInput` error.
    fn range(file: FileRef, size: u64, offset: u64, length: u64) -> io::Result<Self> {
        if offset.checked_add(length).is_none_or(|end| end > size) {
            let message = format!("bytes {offset}..+{length} are past the end of a {size}-byte file");
            return Err(io::Error::new(io::ErrorKind::InvalidInput, message));
        }
        Ok(FileSource { file, offset, length })
    }

    /// The bytes as a body, read a chunk at a time as they are sent; a file that ends before
    /// `length` is an error, never a short body.
    pub(crate) fn body(&self) -> Body {
        let source = self.clone();
        let chunks = futures_util::stream::try_unfold((None, 0), move |(opened, done)| {
            let source = source.clone();
            async move {
                if done == source.length {
                    return Ok(None);
                }
                let want = (source.length - done).min(FILE_CHUNK) as usize;
                let (chunk, opened) = source.read(opened, source.offset + done, want).await?;
                if chunk.is_empty() {
                    return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the file ended before its length"));
                }
                let done = done + chunk.len() as u64;
                Ok(Some((http_body::Frame::data(chunk), (opened, done))))
            }
        });
        Body::streaming(http_body_util::StreamBody::new(chunks))
    }

    /// Up to `want` bytes at `position`: from the file this attempt opened by path (opened on the
    /// first read), or by position from an open file.
    async fn read(
        &self,
        opened: Option<tokio::fs::File>,
        position: u64,
        want: usize,
    ) -> io::Result<(Bytes, Option<tokio::fs::File>)> {
        use tokio::io::{AsyncReadExt, AsyncSeekExt};
        let mut chunk = vec![0u8; want];
        match &self.file {
            FileRef::Path(path) => {
                let mut file = match opened {
                    Some(file) => file,
                    None => {
                        let mut file = tokio::fs::File::open(path).await?;
                        file.seek(io::SeekFrom::Start(position)).await?;
                        file
                    }
                };
                let read = file.read(&mut chunk).await?;
                chunk.truncate(read);
                Ok((chunk.into(), Some(file)))
            }
            FileRef::Open(file) => {
                let file = file.clone();
                let read =
                    tokio::task::spawn_blocking(move || read_at(&file, &mut chunk, position).map(|n| (chunk, n)))
                        .await
                        .map_err(io::Error::other)?;
                let (mut chunk, read) = read?;
                chunk.truncate(read);
                Ok((chunk.into(), None))
            }
        }
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

/// Reads at `position` without moving the file's cursor (on Windows, the cursor moves; no reader
/// here uses it).
#[cfg(unix)]
fn read_at(file: &std::fs::File, buffer: &mut [u8], position: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buffer, position)
}

#[cfg(windows)]
fn read_at(file: &std::fs::File, buffer: &mut [u8], position: u64) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buffer, position)
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
    fn a_reader_is_taken_by_the_first_body_that_reads_it_and_by_no_other() {
        block_on(async {
            let stream = ByteStream::from_reader(&b"hello"[..], Some(5));
            assert_eq!(format!("{stream:?}"), "ByteStream(5 bytes, streaming)");
            let Ok(Outgoing::Streamed(streamed)) = stream.to_send() else { panic!("a reader is streamed") };
            let unread = streamed.body();
            assert!(!streamed.spent(), "making a body takes nothing: a connection that failed leaves it");
            drop(unread);
            assert_eq!(streamed.body().read(usize::MAX).await.unwrap(), "hello");
            assert!(streamed.spent());
            let again = streamed.body().read(usize::MAX).await.unwrap_err();
            assert!(again.to_string().contains("can't be sent again"), "{again}");
            // Read by the caller instead, it is the reader's bytes.
            let mut local =
                ByteStream::from_stream(futures_util::stream::iter([Ok::<_, io::Error>(Bytes::from("ab"))]), None);
            assert_eq!(local.next().await.unwrap().unwrap(), "ab");
            assert!(local.next().await.is_none());
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
