//! Large S3 transfers on the generated S3 client. An upload from a file or any reader goes as one
//! PutObject below a threshold and as a multipart upload above it, its parts sent in parallel;
//! a download to a file goes as parallel ranged GETs, every one pinned to the object's version
//! (or ETag) so that an overwrite during the download fails it rather than mixing two objects,
//! and lands through a temporary file renamed once whole. Memory stays within concurrency × part
//! size (a file's parts are read as they are sent; a reader's are read ahead at most that far).
//! A multipart upload is never left behind: a failed transfer aborts it, and so does dropping an
//! unfinished one.
//!
//! ```no_run
//! # async fn example(client: awsgen_s3::Client) -> Result<(), awsgen_s3_transfer::TransferError> {
//! use awsgen_s3_transfer::Transfers;
//!
//! let transfers = Transfers::new(client).on_progress(|p| eprintln!("{} of {:?} bytes", p.done, p.total));
//! transfers.upload_file("bucket", "backups/db.tar", "db.tar").await?;
//! transfers.download_file("bucket", "backups/db.tar", "restored.tar").await?;
//! # Ok(()) }
//! ```

mod download;
mod upload;

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// S3 allows at most this many parts in a multipart upload.
const MAX_PARTS: u64 = 10_000;

/// Transfers through one S3 client, with their settings.
#[derive(Clone)]
pub struct Transfers {
    client: awsgen_s3::Client,
    part_size: u64,
    concurrency: usize,
    threshold: u64,
    progress: Option<Arc<dyn Fn(Progress) + Send + Sync>>,
}

/// How far a transfer is: reported each time a part (or the single request) is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub done: u64,
    /// Unknown for a reader until it ends.
    pub total: Option<u64>,
}

impl Transfers {
    /// Parts of 8 MiB, 8 at a time, multipart from 16 MiB.
    pub fn new(client: awsgen_s3::Client) -> Self {
        Transfers { client, part_size: 8 << 20, concurrency: 8, threshold: 16 << 20, progress: None }
    }

    /// The size of each part (at least S3's 5 MiB; raised for an object that would need more
    /// than 10,000 parts).
    pub fn part_size(mut self, bytes: u64) -> Self {
        self.part_size = bytes.max(5 << 20);
        self
    }

    /// How many parts travel at once (at least 1).
    pub fn concurrency(mut self, parts: usize) -> Self {
        self.concurrency = parts.max(1);
        self
    }

    /// The size from which an upload or download goes in parts.
    pub fn multipart_threshold(mut self, bytes: u64) -> Self {
        self.threshold = bytes;
        self
    }

    /// Called with the bytes done (and the total, when known) after each part.
    pub fn on_progress(mut self, progress: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }

    /// The part size for an object of `size` bytes: as set, or larger to fit in 10,000 parts.
    fn part_size_for(&self, size: u64) -> u64 {
        self.part_size.max(size.div_ceil(MAX_PARTS))
    }

    fn tracker(&self, total: Option<u64>) -> Tracker {
        Tracker { done: Arc::new(AtomicU64::new(0)), total, report: self.progress.clone() }
    }
}

impl fmt::Debug for Transfers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transfers")
            .field("part_size", &self.part_size)
            .field("concurrency", &self.concurrency)
            .field("threshold", &self.threshold)
            .finish()
    }
}

/// Counts the bytes done across the parts of one transfer.
#[derive(Clone)]
struct Tracker {
    done: Arc<AtomicU64>,
    total: Option<u64>,
    report: Option<Arc<dyn Fn(Progress) + Send + Sync>>,
}

impl Tracker {
    fn add(&self, bytes: u64) {
        let done = self.done.fetch_add(bytes, Ordering::Relaxed) + bytes;
        if let Some(report) = &self.report {
            report(Progress { done, total: self.total });
        }
    }
}

/// What a finished upload or download moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transferred {
    pub bytes: u64,
    /// 1 for a single request.
    pub parts: u64,
    pub e_tag: Option<String>,
}

/// Why a transfer failed. A multipart upload it started was aborted.
#[derive(Debug)]
pub enum TransferError {
    /// A request failed (after the client's retries): which operation, and its error.
    Request { operation: &'static str, source: Box<dyn std::error::Error + Send + Sync> },
    /// The object changed while it was downloaded (its ETag or version no longer matched).
    Changed { key: String },
    /// Reading the source or writing the destination failed.
    Io { path: String, source: std::io::Error },
    /// A reader gave more than 10,000 parts' worth.
    TooLarge { parts: u64 },
    /// The service answered without what the transfer needs (an upload id, a size).
    Incomplete { what: &'static str },
}

impl TransferError {
    fn request<E: std::error::Error + Send + Sync + 'static>(operation: &'static str, error: E) -> Self {
        TransferError::Request { operation, source: Box::new(error) }
    }

    fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        TransferError::Io { path: path.display().to_string(), source }
    }
}

impl fmt::Display for TransferError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransferError::Request { operation, source } => write!(f, "{operation} failed: {source}"),
            TransferError::Changed { key } => write!(f, "{key} changed while it was downloaded"),
            TransferError::Io { path, source } => write!(f, "{path}: {source}"),
            TransferError::TooLarge { parts } => {
                write!(f, "the upload needs more than {parts} parts: raise the part size")
            }
            TransferError::Incomplete { what } => write!(f, "the service's answer had no {what}"),
        }
    }
}

impl std::error::Error for TransferError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TransferError::Request { source, .. } => Some(source.as_ref()),
            TransferError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
