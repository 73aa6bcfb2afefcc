//! Downloads: one GET below the threshold, else ranged GETs in parallel, each written at its
//! offset of a temporary file beside the destination, renamed once every range is in. Every
//! request is pinned to the object's version (or ETag), so an overwrite during the download
//! fails it instead of mixing two objects.

use crate::{TransferError, Transferred, Transfers};
use futures_util::{StreamExt, TryStreamExt};
use std::path::{Path, PathBuf};
use tokio::io::{AsyncSeekExt, AsyncWriteExt};

/// The object as it was when the download began.
struct Pinned<'a> {
    bucket: &'a str,
    key: &'a str,
    e_tag: Option<String>,
    version_id: Option<String>,
}

impl Transfers {
    /// Downloads `bucket`/`key` to `path`; a failure leaves `path` as it was.
    pub async fn download_file(
        &self,
        bucket: &str,
        key: &str,
        path: impl AsRef<Path>,
    ) -> Result<Transferred, TransferError> {
        let path = path.as_ref();
        let head = self.client.head_object().bucket(bucket).key(key).send().await;
        let head = head.map_err(|e| TransferError::request("HeadObject", e))?;
        let size = head.content_length().ok_or(TransferError::Incomplete { what: "content length" })?;
        let size = u64::try_from(size).map_err(|_| TransferError::Incomplete { what: "content length" })?;
        let pinned = Pinned {
            bucket,
            key,
            e_tag: head.e_tag().map(str::to_owned),
            version_id: head.version_id().map(str::to_owned),
        };
        let progress = self.tracker(Some(size));
        let temporary = temporary_beside(path);
        let result = self.download_to(&pinned, size, &temporary, &progress).await;
        let result = match result {
            Ok(parts) => {
                tokio::fs::rename(&temporary, path).await.map(|_| parts).map_err(|e| TransferError::io(path, e))
            }
            Err(error) => Err(error),
        };
        if result.is_err() {
            let _ = tokio::fs::remove_file(&temporary).await;
        }
        Ok(Transferred { bytes: size, parts: result?, e_tag: pinned.e_tag })
    }

    /// Writes the object into `file` (created at its full size), one range per part.
    async fn download_to(
        &self,
        pinned: &Pinned<'_>,
        size: u64,
        file: &Path,
        progress: &crate::Tracker,
    ) -> Result<u64, TransferError> {
        let created = tokio::fs::File::create(file).await.map_err(|e| TransferError::io(file, e))?;
        created.set_len(size).await.map_err(|e| TransferError::io(file, e))?;
        drop(created);
        let part_size = if size < self.threshold { size.max(1) } else { self.part_size_for(size) };
        let count = size.div_ceil(part_size).max(1);
        futures_util::stream::iter(0..count)
            .map(|index| {
                let offset = index * part_size;
                let length = part_size.min(size - offset);
                async move {
                    self.range(pinned, (offset, length), file, count > 1).await?;
                    progress.add(length);
                    Ok::<_, TransferError>(())
                }
            })
            .buffer_unordered(self.concurrency)
            .try_collect::<Vec<()>>()
            .await?;
        Ok(count)
    }

    /// One range of the object, written at its offset of `file`.
    async fn range(
        &self,
        pinned: &Pinned<'_>,
        (offset, length): (u64, u64),
        file: &Path,
        ranged: bool,
    ) -> Result<(), TransferError> {
        let mut get = self.client.get_object().bucket(pinned.bucket).key(pinned.key);
        get = match (&pinned.version_id, &pinned.e_tag) {
            (Some(version), _) => get.version_id(version),
            (None, Some(e_tag)) => get.if_match(e_tag),
            (None, None) => get,
        };
        if ranged && length > 0 {
            get = get.range(format!("bytes={offset}-{}", offset + length - 1));
        }
        let output = get.send().await.map_err(|error| match error.status() {
            Some(412) => TransferError::Changed { key: pinned.key.to_owned() },
            _ => TransferError::request("GetObject", error),
        })?;
        let mut body = output.body.unwrap_or_else(|| awsgen_runtime::ByteStream::new(bytes::Bytes::new()));
        let mut writer =
            tokio::fs::OpenOptions::new().write(true).open(file).await.map_err(|e| TransferError::io(file, e))?;
        writer.seek(std::io::SeekFrom::Start(offset)).await.map_err(|e| TransferError::io(file, e))?;
        let mut written = 0;
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| TransferError::request("GetObject", e))?;
            written += chunk.len() as u64;
            if written > length {
                break;
            }
            writer.write_all(&chunk).await.map_err(|e| TransferError::io(file, e))?;
        }
        if written != length {
            return Err(TransferError::Incomplete { what: "the whole range (the object's size changed)" });
        }
        writer.flush().await.map_err(|e| TransferError::io(file, e))
    }
}

/// `.name.awsgen-download` beside `path`.
fn temporary_beside(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.awsgen-download"))
}
