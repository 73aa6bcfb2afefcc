//! Uploads: one PutObject below the threshold, else a multipart upload whose parts go in
//! parallel, each with its CRC32, aborted if anything fails or the upload is dropped unfinished.

use crate::{TransferError, Transferred, Transfers, MAX_PARTS};
use awsgen_runtime::ByteStream;
use awsgen_s3::types::{ChecksumAlgorithm, CompletedMultipartUpload, CompletedPart};
use bytes::{Bytes, BytesMut};
use futures_util::{StreamExt, TryStreamExt};
use std::path::Path;
use tokio::io::{AsyncRead, AsyncReadExt};

impl Transfers {
    /// Uploads the file at `path` to `bucket`/`key`, its parts read from the file as they are sent.
    pub async fn upload_file(
        &self,
        bucket: &str,
        key: &str,
        path: impl AsRef<Path>,
    ) -> Result<Transferred, TransferError> {
        let path = path.as_ref();
        let size = tokio::fs::metadata(path).await.map_err(|e| TransferError::io(path, e))?.len();
        let progress = self.tracker(Some(size));
        if size < self.threshold {
            let body = ByteStream::from_path(path).await.map_err(|e| TransferError::io(path, e))?;
            let e_tag = self.put(bucket, key, body).await?;
            progress.add(size);
            return Ok(Transferred { bytes: size, parts: 1, e_tag });
        }
        let part_size = self.part_size_for(size);
        let count = size.div_ceil(part_size);
        let parts = futures_util::stream::iter(1..=count).map(move |number| {
            let offset = (number - 1) * part_size;
            let length = part_size.min(size - offset);
            async move {
                let body =
                    ByteStream::from_path_range(path, offset, length).await.map_err(|e| TransferError::io(path, e))?;
                Ok((number, length, body))
            }
        });
        let parts = parts.buffered(1);
        self.multipart(bucket, key, parts, &progress).await
    }

    /// Uploads everything `reader` gives, of a length not known ahead: one PutObject if it ends
    /// below the threshold, else parts of `part_size`, read ahead at most `concurrency` parts.
    /// A read error aborts the upload.
    pub async fn upload_reader<R>(&self, bucket: &str, key: &str, mut reader: R) -> Result<Transferred, TransferError>
    where
        R: AsyncRead + Unpin + Send,
    {
        let progress = self.tracker(None);
        let part_size = self.part_size;
        let first = read_part(&mut reader, part_size.max(self.threshold)).await?;
        if (first.len() as u64) < self.threshold.max(1) {
            let bytes = first.len() as u64;
            let e_tag = self.put(bucket, key, ByteStream::new(first)).await?;
            progress.add(bytes);
            return Ok(Transferred { bytes, parts: 1, e_tag });
        }
        // The first read may hold several parts' worth; it is cut into parts like the rest.
        let pieces = split(first, part_size);
        let rest = futures_util::stream::unfold(Some(reader), move |reader| async move {
            let mut reader = reader?;
            match read_part(&mut reader, part_size).await {
                Ok(part) if part.is_empty() => None,
                Ok(part) => Some((Ok(part), Some(reader))),
                Err(error) => Some((Err(error), None)),
            }
        });
        let parts =
            futures_util::stream::iter(pieces.into_iter().map(Ok)).chain(rest).enumerate().map(|(index, part)| {
                let number = index as u64 + 1;
                if number > MAX_PARTS {
                    return Err(TransferError::TooLarge { parts: MAX_PARTS });
                }
                part.map(|part: Bytes| (number, part.len() as u64, ByteStream::new(part)))
            });
        self.multipart(bucket, key, parts, &progress).await
    }

    async fn put(&self, bucket: &str, key: &str, body: ByteStream) -> Result<Option<String>, TransferError> {
        let put = self.client.put_object().bucket(bucket).key(key).body(body).send().await;
        let output = put.map_err(|e| TransferError::request("PutObject", e))?;
        Ok(output.e_tag().map(str::to_owned))
    }

    /// A multipart upload of `parts` ((number, length, body), read in order), sent `concurrency`
    /// at a time; aborted unless it completes.
    async fn multipart<S>(
        &self,
        bucket: &str,
        key: &str,
        parts: S,
        progress: &crate::Tracker,
    ) -> Result<Transferred, TransferError>
    where
        S: futures_util::Stream<Item = Result<(u64, u64, ByteStream), TransferError>> + Send,
    {
        let upload = MultipartUpload::start(&self.client, bucket, key).await?;
        let sent = parts
            .map_ok(|(number, length, body)| {
                let upload = &upload;
                async move {
                    let part = upload.part(number, body).await?;
                    progress.add(length);
                    Ok::<_, TransferError>((part, length))
                }
            })
            .try_buffer_unordered(self.concurrency)
            .try_collect::<Vec<_>>()
            .await;
        let sent = match sent {
            Ok(sent) => sent,
            Err(error) => {
                upload.abort().await;
                return Err(error);
            }
        };
        let bytes = sent.iter().map(|(_, length)| length).sum();
        let mut parts: Vec<CompletedPart> = sent.into_iter().map(|(part, _)| part).collect();
        parts.sort_by_key(|part| part.part_number());
        let count = parts.len() as u64;
        let e_tag = upload.complete(parts).await?;
        Ok(Transferred { bytes, parts: count, e_tag })
    }
}

/// Up to `size` bytes from `reader` (fewer only at its end).
async fn read_part<R: AsyncRead + Unpin>(reader: &mut R, size: u64) -> Result<Bytes, TransferError> {
    let mut part = BytesMut::with_capacity(size.min(64 << 20) as usize);
    let mut limited = reader.take(size);
    while limited.read_buf(&mut part).await.map_err(|source| TransferError::Io { path: "the reader".into(), source })?
        > 0
    {}
    Ok(part.freeze())
}

fn split(mut bytes: Bytes, size: u64) -> Vec<Bytes> {
    let mut pieces = Vec::new();
    while bytes.len() as u64 > size {
        pieces.push(bytes.split_to(size as usize));
    }
    pieces.push(bytes);
    pieces
}

/// A started multipart upload: completed, or aborted (explicitly, or when dropped unfinished,
/// so that a cancelled transfer leaves no parts billed behind).
struct MultipartUpload {
    client: awsgen_s3::Client,
    bucket: String,
    key: String,
    upload_id: String,
    finished: bool,
}

impl MultipartUpload {
    async fn start(client: &awsgen_s3::Client, bucket: &str, key: &str) -> Result<Self, TransferError> {
        let create =
            client.create_multipart_upload().bucket(bucket).key(key).checksum_algorithm(ChecksumAlgorithm::Crc32);
        let output = create.send().await.map_err(|e| TransferError::request("CreateMultipartUpload", e))?;
        let upload_id = output.upload_id().ok_or(TransferError::Incomplete { what: "upload id" })?.to_owned();
        Ok(MultipartUpload {
            client: client.clone(),
            bucket: bucket.into(),
            key: key.into(),
            upload_id,
            finished: false,
        })
    }

    async fn part(&self, number: u64, body: ByteStream) -> Result<CompletedPart, TransferError> {
        let number = i32::try_from(number).map_err(|_| TransferError::TooLarge { parts: MAX_PARTS })?;
        let upload = self
            .client
            .upload_part()
            .bucket(&self.bucket)
            .key(&self.key)
            .upload_id(&self.upload_id)
            .part_number(number)
            .checksum_algorithm(ChecksumAlgorithm::Crc32)
            .body(body);
        let output = upload.send().await.map_err(|e| TransferError::request("UploadPart", e))?;
        let mut part = CompletedPart::builder().part_number(number);
        if let Some(e_tag) = output.e_tag() {
            part = part.e_tag(e_tag);
        }
        if let Some(crc32) = output.checksum_crc32() {
            part = part.checksum_crc32(crc32);
        }
        Ok(part.build())
    }

    async fn complete(mut self, parts: Vec<CompletedPart>) -> Result<Option<String>, TransferError> {
        let completed = CompletedMultipartUpload::builder().parts(parts).build();
        let complete = self
            .client
            .complete_multipart_upload()
            .bucket(&self.bucket)
            .key(&self.key)
            .upload_id(&self.upload_id)
            .multipart_upload(completed);
        let output = complete.send().await;
        self.finished = output.is_ok();
        let output = output.map_err(|e| TransferError::request("CompleteMultipartUpload", e))?;
        Ok(output.e_tag().map(str::to_owned))
    }

    async fn abort(mut self) {
        self.finished = true;
        let _ = self.abort_request().send().await;
    }

    fn abort_request(
        &self,
    ) -> awsgen_s3::operation::abort_multipart_upload::AbortMultipartUploadInputBuilder<awsgen_s3::Client> {
        self.client.abort_multipart_upload().bucket(&self.bucket).key(&self.key).upload_id(&self.upload_id)
    }
}

impl Drop for MultipartUpload {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        // Dropped unfinished (the transfer was cancelled): abort in the background.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let abort = self.abort_request();
            runtime.spawn(async move {
                let _ = abort.send().await;
            });
        }
    }
}
