//! Uploads: one PutObject below the threshold, else a multipart upload whose parts go in
//! parallel, each with its CRC32, aborted if anything fails or the upload is dropped unfinished.
//! A multipart object gets a full-object CRC32 (S3's `FULL_OBJECT` checksum type), combined from
//! the parts' and sent with the upload's size to complete it: S3 checks both, and a download of
//! the whole object is checked against it, as one PutObject's would be.

use crate::{TransferError, Transferred, Transfers, MAX_PARTS};
use awsgen_runtime::ByteStream;
use awsgen_s3::types::{ChecksumAlgorithm, ChecksumType, CompletedMultipartUpload, CompletedPart};
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
                    let (part, crc32) = upload.part(number, body).await?;
                    progress.add(length);
                    Ok::<_, TransferError>((part, (crc32, length)))
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
        let mut sent = sent;
        sent.sort_by_key(|(part, _)| part.part_number());
        let (parts, crcs): (Vec<CompletedPart>, Vec<(Option<u32>, u64)>) = sent.into_iter().unzip();
        let bytes = crcs.iter().map(|(_, length)| length).sum();
        let count = parts.len() as u64;
        let e_tag = upload.complete(parts, full_object_crc32(&crcs), bytes).await?;
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

/// The CRC32 of the whole object, from its parts' CRC32s and lengths in order (`None` if a part's
/// is unknown): what S3 computes for a `FULL_OBJECT` checksum.
fn full_object_crc32(parts: &[(Option<u32>, u64)]) -> Option<u32> {
    let mut whole = crc32fast::Hasher::new();
    for (crc32, length) in parts {
        whole.combine(&crc32fast::Hasher::new_with_initial_len((*crc32)?, *length));
    }
    Some(whole.finalize())
}

/// A CRC32 as S3 writes it: the base64 of its four bytes, big-endian.
fn crc32_to_base64(crc32: u32) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let n = u64::from(crc32) << 4; // 36 bits: six 6-bit digits, the last 4 bits padding
    let digits: String = (0..6).map(|i| ALPHABET[((n >> (30 - 6 * i)) & 63) as usize] as char).collect();
    digits + "=="
}

/// The CRC32 S3 gives back for a part, or `None` if it isn't one.
fn crc32_from_base64(text: &str) -> Option<u32> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let digits = text.strip_suffix("==").filter(|digits| digits.len() == 6)?;
    let n =
        digits.bytes().try_fold(0u64, |n, digit| Some(n << 6 | ALPHABET.iter().position(|&a| a == digit)? as u64))?;
    (n & 0xF == 0).then_some((n >> 4) as u32)
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
        let create = client
            .create_multipart_upload()
            .bucket(bucket)
            .key(key)
            .checksum_algorithm(ChecksumAlgorithm::Crc32)
            .checksum_type(ChecksumType::FullObject);
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

    /// Sends a part: the part to complete the upload with, and its CRC32 as S3 took it.
    async fn part(&self, number: u64, body: ByteStream) -> Result<(CompletedPart, Option<u32>), TransferError> {
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
        Ok((part.build(), output.checksum_crc32().and_then(crc32_from_base64)))
    }

    /// Completes the upload of `bytes` in `parts`, with its whole CRC32 when known.
    async fn complete(
        mut self,
        parts: Vec<CompletedPart>,
        crc32: Option<u32>,
        bytes: u64,
    ) -> Result<Option<String>, TransferError> {
        let completed = CompletedMultipartUpload::builder().parts(parts).build();
        let mut complete = self
            .client
            .complete_multipart_upload()
            .bucket(&self.bucket)
            .key(&self.key)
            .upload_id(&self.upload_id)
            .multipart_upload(completed)
            .checksum_type(ChecksumType::FullObject)
            .mpu_object_size(i64::try_from(bytes).map_err(|_| TransferError::TooLarge { parts: MAX_PARTS })?);
        if let Some(crc32) = crc32 {
            complete = complete.checksum_crc32(crc32_to_base64(crc32));
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_whole_crc32_is_combined_from_the_parts_in_order() {
        let data: Vec<u8> = (0..100_000u32).map(|i| (i * 31 % 253) as u8).collect();
        let parts: Vec<(Option<u32>, u64)> =
            data.chunks(30_000).map(|part| (Some(crc32fast::hash(part)), part.len() as u64)).collect();
        assert_eq!(full_object_crc32(&parts), Some(crc32fast::hash(&data)));
        assert_eq!(full_object_crc32(&[(Some(1), 5), (None, 5)]), None);
    }

    #[test]
    fn crc32s_go_to_and_from_s3s_base64() {
        // "Hello world"'s CRC32, as S3 and botocore write it.
        assert_eq!(crc32_to_base64(crc32fast::hash(b"Hello world")), "i9aeUg==");
        for crc32 in [0, 1, 0xFFFF_FFFF, 0x8BD6_9E52, 0x1234_5678] {
            assert_eq!(crc32_from_base64(&crc32_to_base64(crc32)), Some(crc32));
        }
        for not_one in ["", "i9aeUg", "i9aeUg=", "i9ae!g==", "AAAAAAAAAAA="] {
            assert_eq!(crc32_from_base64(not_one), None, "{not_one:?}");
        }
    }
}
