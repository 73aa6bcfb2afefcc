//! `aws-chunked` content encoding (S3's): a body of known length sent in chunks, with the body's
//! checksum after the last one in a trailer, computed as the chunks go, so that a file or reader
//! is read once. Over HTTPS the chunks go unsigned (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`); over
//! plain HTTP each chunk is signed, chained from the request's own signature, and so is the
//! trailer (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD`, `-TRAILER` when it has one). The encoded
//! length is known ahead ([`encoded_length`]), for Content-Length.

use crate::checksum::{header_name, Hasher};
use crate::credentials::Credentials;
use crate::http::{Body, BoxError, StreamingBody};
use crate::sigv4::{self, SigningParams};
use bytes::{Bytes, BytesMut};
use http_body::Frame;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// The payload hash a request sending aws-chunked signs, as its chunks are signed and it has a
/// trailer (the checksum) or not.
pub(crate) fn payload_marker(signed: bool, checksum: Option<&str>) -> &'static str {
    match (signed, checksum.is_some()) {
        (true, true) => "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
        (true, false) => "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
        (false, _) => "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
    }
}

/// The data bytes per chunk (the last may be shorter).
const CHUNK: usize = 64 * 1024;

/// `;chunk-signature=` and 64 hex digits.
const CHUNK_SIGNATURE_BYTES: u64 = 17 + 64;

/// `x-amz-trailer-signature:`, 64 hex digits and CRLF.
const TRAILER_SIGNATURE_BYTES: u64 = 24 + 64 + 2;

/// SHA-256 of nothing: what a chunk's string to sign has where headers would be.
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// The length of [`encode`] of `length` bytes.
pub(crate) fn encoded_length(length: u64, checksum: Option<&str>, signed: bool) -> u64 {
    let signature = if signed { CHUNK_SIGNATURE_BYTES } else { 0 };
    let chunk = |size: u64| format!("{size:x}").len() as u64 + signature + 2 + size + 2;
    let (full, rest) = (length / CHUNK as u64, length % CHUNK as u64);
    let data = full * chunk(CHUNK as u64) + if rest > 0 { chunk(rest) } else { 0 };
    let last = 1 + signature + 2;
    let trailer = checksum.map_or(0, |algorithm| {
        let checksum_bytes = Hasher::new(algorithm).map_or(0, |hasher| hasher.finish().len()) as u64;
        let line = header_name(algorithm).len() as u64 + 1 + checksum_bytes.div_ceil(3) * 4 + 2;
        line + if signed { TRAILER_SIGNATURE_BYTES } else { 0 }
    });
    data + last + trailer + 2
}

/// `body` aws-chunked: each chunk `<hex size>[;chunk-signature=<sig>]\r\n<data>\r\n`, then the
/// empty chunk, the trailer `x-amz-checksum-<alg>:<base64>\r\n` (and its signature) when there is
/// a checksum, and `\r\n`.
pub(crate) fn encode(body: Body, checksum: Option<&'static str>, signer: Option<ChunkSigner>) -> Body {
    let hasher = checksum.and_then(|algorithm| Some((algorithm, Hasher::new(algorithm)?)));
    Body::streaming(AwsChunked { frames: body.into_frames(), pending: BytesMut::new(), hasher, signer, ended: false })
}

/// Signs the chunks of one request, each signature chained to the one before, the first to the
/// request's: its date and scope are the request's, taken from the headers it was signed with.
pub(crate) struct ChunkSigner {
    credentials: Credentials,
    amz_date: String,
    /// `20150830/us-east-1/s3/aws4_request`
    scope: String,
    previous: String,
}

impl ChunkSigner {
    /// The signer of `request`'s chunks, which `credentials` signed (`None` if it isn't signed).
    pub(crate) fn for_request<B>(request: &http::Request<B>, credentials: &Credentials) -> Option<Self> {
        let authorization = request.headers().get(http::header::AUTHORIZATION)?.to_str().ok()?;
        let scope = authorization.split_once("Credential=")?.1.split_once(',')?.0.split_once('/')?.1;
        let previous = crate::sign::signature_of(request)?;
        let amz_date = request.headers().get("x-amz-date")?.to_str().ok()?;
        Some(ChunkSigner {
            credentials: credentials.clone(),
            amz_date: amz_date.to_owned(),
            scope: scope.to_owned(),
            previous: previous.to_owned(),
        })
    }

    /// A chunk's signature: `AWS4-HMAC-SHA256-PAYLOAD`, the date, scope and previous signature,
    /// the hash of no headers and the chunk's hash.
    fn chunk(&mut self, data: &[u8]) -> String {
        self.sign(&format!("AWS4-HMAC-SHA256-PAYLOAD\n{{}}\n{EMPTY_SHA256}\n{}", sha256_hex(data)))
    }

    /// The trailer's signature: `AWS4-HMAC-SHA256-TRAILER`, the date, scope and previous (the
    /// empty chunk's) signature, and the hash of the trailer's lines, each ending in `\n`.
    fn trailer(&mut self, canonical: &str) -> String {
        self.sign(&format!("AWS4-HMAC-SHA256-TRAILER\n{{}}\n{}", sha256_hex(canonical.as_bytes())))
    }

    /// Signs `template`, its `{}` the date, scope and previous signature.
    fn sign(&mut self, template: &str) -> String {
        let chained = format!("{}\n{}\n{}", self.amz_date, self.scope, self.previous);
        let string_to_sign = template.replacen("{}", &chained, 1);
        let mut parts = self.scope.split('/');
        let (day, region, service) = (parts.next(), parts.next(), parts.next());
        let params = SigningParams {
            access_key_id: &self.credentials.access_key_id,
            secret_access_key: &self.credentials.secret_access_key,
            session_token: None,
            region: region.unwrap_or_default(),
            service: service.unwrap_or_default(),
            time: std::time::UNIX_EPOCH,
            settings: sigv4::Settings::default(),
        };
        let tag = sigv4::sign_with_key(&params, day.unwrap_or_default(), &self.scope, string_to_sign.as_bytes());
        self.previous = sigv4::hex(tag.as_ref());
        self.previous.clone()
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    sigv4::hex(ring::digest::digest(&ring::digest::SHA256, bytes).as_ref())
}

struct AwsChunked {
    frames: StreamingBody,
    /// Read and not yet sent: less than a chunk's worth.
    pending: BytesMut,
    hasher: Option<(&'static str, Hasher)>,
    signer: Option<ChunkSigner>,
    ended: bool,
}

impl AwsChunked {
    fn chunk(&mut self, data: &[u8]) -> Vec<u8> {
        let mut chunk = format!("{:x}", data.len()).into_bytes();
        if let Some(signer) = &mut self.signer {
            chunk.extend_from_slice(format!(";chunk-signature={}", signer.chunk(data)).as_bytes());
        }
        chunk.extend_from_slice(b"\r\n");
        chunk.extend_from_slice(data);
        chunk.extend_from_slice(b"\r\n");
        chunk
    }

    /// What is left, the empty chunk, the trailer, the end.
    fn end(&mut self) -> Bytes {
        let mut end = match self.pending.is_empty() {
            true => Vec::new(),
            false => {
                let pending = std::mem::take(&mut self.pending);
                self.chunk(&pending)
            }
        };
        let last = self.chunk(&[]);
        end.extend_from_slice(&last[..last.len() - 2]); // no data, so no data's CRLF
        if let Some((algorithm, hasher)) = self.hasher.take() {
            let line = format!("{}:{}", header_name(algorithm), crate::base64::encode(hasher.finish()));
            end.extend_from_slice(format!("{line}\r\n").as_bytes());
            if let Some(signer) = &mut self.signer {
                let signature = signer.trailer(&format!("{line}\n"));
                end.extend_from_slice(format!("x-amz-trailer-signature:{signature}\r\n").as_bytes());
            }
        }
        end.extend_from_slice(b"\r\n");
        end.into()
    }
}

impl http_body::Body for AwsChunked {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        loop {
            if this.pending.len() >= CHUNK {
                let data = this.pending.split_to(CHUNK);
                return Poll::Ready(Some(Ok(Frame::data(this.chunk(&data).into()))));
            }
            if this.ended {
                return Poll::Ready(None);
            }
            match ready!(Pin::new(&mut this.frames).poll_frame(cx)) {
                Some(Ok(frame)) => {
                    if let Some(data) = frame.data_ref() {
                        if let Some((_, hasher)) = &mut this.hasher {
                            hasher.update(data);
                        }
                        this.pending.extend_from_slice(data);
                    }
                }
                Some(Err(error)) => {
                    this.ended = true;
                    return Poll::Ready(Some(Err(error)));
                }
                None => {
                    this.ended = true;
                    return Poll::Ready(Some(Ok(Frame::data(this.end()))));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes aws-chunked bytes: the data, each chunk's signature (if any), and the trailer's lines.
    fn decode(mut encoded: &[u8]) -> (Vec<u8>, Vec<String>, Vec<String>) {
        let (mut data, mut signatures) = (Vec::new(), Vec::new());
        loop {
            let line_end = encoded.windows(2).position(|w| w == b"\r\n").unwrap();
            let line = std::str::from_utf8(&encoded[..line_end]).unwrap();
            let (size, signature) = line.split_once(";chunk-signature=").unwrap_or((line, ""));
            let size = usize::from_str_radix(size, 16).unwrap();
            if !signature.is_empty() {
                signatures.push(signature.to_owned());
            }
            encoded = &encoded[line_end + 2..];
            if size == 0 {
                break;
            }
            data.extend_from_slice(&encoded[..size]);
            assert_eq!(&encoded[size..size + 2], b"\r\n");
            encoded = &encoded[size + 2..];
        }
        let trailer = std::str::from_utf8(encoded).unwrap();
        assert!(trailer.ends_with("\r\n"), "{trailer:?}");
        let lines = trailer.strip_suffix("\r\n").unwrap().split_terminator("\r\n").map(str::to_owned).collect();
        (data, signatures, lines)
    }

    fn encoded(data: &[u8], checksum: Option<&'static str>, signer: Option<ChunkSigner>) -> Bytes {
        // Frames of odd sizes, as a file's reads come.
        let frames: Vec<Result<Frame<Bytes>, std::convert::Infallible>> =
            data.chunks(10_007).map(|piece| Ok(Frame::data(Bytes::copy_from_slice(piece)))).collect();
        let body = Body::streaming(http_body_util::StreamBody::new(futures_util::stream::iter(frames)));
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        runtime.block_on(encode(body, checksum, signer).read(usize::MAX)).unwrap()
    }

    fn checksum_line(algorithm: &str, data: &[u8]) -> String {
        let mut hasher = Hasher::new(algorithm).unwrap();
        hasher.update(data);
        format!("{}:{}", header_name(algorithm), crate::base64::encode(hasher.finish()))
    }

    #[test]
    fn unsigned_chunks_trail_the_checksum_in_the_length_said_ahead() {
        for (length, algorithm) in
            [(0, "CRC32"), (1, "CRC32C"), (CHUNK, "CRC32"), (2 * CHUNK + 17, "SHA256"), (150_000, "CRC64NVME")]
        {
            let data: Vec<u8> = (0..length).map(|i| (i * 7 % 251) as u8).collect();
            let encoded = encoded(&data, Some(algorithm), None);
            assert_eq!(encoded.len() as u64, encoded_length(length as u64, Some(algorithm), false), "{length}");
            let (decoded, signatures, trailer) = decode(&encoded);
            assert!(decoded == data && signatures.is_empty(), "{length}");
            assert_eq!(trailer, [checksum_line(algorithm, &data)]);
        }
    }

    fn signer() -> ChunkSigner {
        ChunkSigner {
            credentials: Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", None),
            amz_date: "20130524T000000Z".to_owned(),
            scope: "20130524/us-east-1/s3/aws4_request".to_owned(),
            previous: "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9".to_owned(),
        }
    }

    /// The example of S3's documentation ("Signature Calculations for the Authorization Header:
    /// Transferring Payload in Multiple Chunks"): 65 KiB of `a` in a 64 KiB and a 1 KiB chunk,
    /// whose published signatures these are.
    #[test]
    fn signed_chunks_are_those_of_s3s_worked_example() {
        let data = vec![b'a'; 65 * 1024];
        let encoded = encoded(&data, None, Some(signer()));
        assert_eq!(encoded.len() as u64, encoded_length(data.len() as u64, None, true));
        let (decoded, signatures, trailer) = decode(&encoded);
        assert!(decoded == data && trailer.is_empty());
        assert_eq!(
            signatures,
            [
                "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
                "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
                "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
            ]
        );
    }

    #[test]
    fn signed_chunks_with_a_trailer_sign_it_too_in_the_length_said_ahead() {
        for length in [0, 5, CHUNK, CHUNK + 1, 3 * CHUNK + 99] {
            let data: Vec<u8> = (0..length).map(|i| (i % 13) as u8).collect();
            let encoded = encoded(&data, Some("CRC32"), Some(signer()));
            assert_eq!(encoded.len() as u64, encoded_length(length as u64, Some("CRC32"), true), "{length}");
            let (decoded, signatures, trailer) = decode(&encoded);
            assert!(decoded == data, "{length}");
            // A signature per chunk and one for the empty chunk, each chained to the one before.
            assert_eq!(signatures.len(), length.div_ceil(CHUNK) + 1);
            let mut chain = signer();
            for (chunk, signature) in data.chunks(CHUNK).chain([&[][..]]).zip(&signatures) {
                assert_eq!(&chain.chunk(chunk), signature);
            }
            let line = checksum_line("CRC32", &data);
            let trailer_signature = chain.trailer(&format!("{line}\n"));
            assert_eq!(trailer, [line, format!("x-amz-trailer-signature:{trailer_signature}")]);
        }
    }
}
