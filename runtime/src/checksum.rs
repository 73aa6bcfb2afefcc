//! Checksums of bodies (`httpChecksum`), both ways, as botocore and aws-sdk-rust do by default.
//!
//! Requests: S3 refuses DeleteObjects and its bucket-configuration PUTs without a checksum, and
//! checks any it gets. With [`RequestChecksumCalculation::WhenSupported`] (the default) every
//! operation that takes one sends `x-amz-checksum-<algorithm>` of its body: the algorithm the
//! caller chose, else CRC32; with `WhenRequired`, only operations that require one, or whose
//! caller chose an algorithm, do. A checksum the caller set themselves is sent as it is.
//!
//! Responses: an operation that can return a checksum of its body (S3 GetObject) asks for it
//! (`x-amz-checksum-mode: ENABLED`) with [`ResponseChecksumValidation::WhenSupported`] (the
//! default), or when the caller asked; the body is then checked against the first checksum the
//! response carries, in botocore's order of preference. A streamed body that does not match
//! ends with a [`ChecksumMismatch`](crate::TransportErrorKind::ChecksumMismatch) error instead
//! of its end, so no caller takes a corrupted object for a whole one.

use crate::config::{RequestChecksumCalculation, ResponseChecksumValidation};
use crate::crc::{Crc, CRC32C, CRC64NVME};
use crate::error::TransportError;
use crate::http::{Body, BoxError, StreamingBody};
use crate::protocol::{Request, RequestChecksum, ResponseChecksum};
use crate::BuildError;
use bytes::Bytes;
use http_body::Frame;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// The request with its checksum header added, unless it has one or none is due.
pub(crate) async fn add(
    mut request: Request,
    checksum: RequestChecksum,
    calculation: RequestChecksumCalculation,
) -> Result<Request, BuildError> {
    if header(&request, |name| name.to_ascii_lowercase().starts_with("x-amz-checksum-")).is_some() {
        return Ok(request);
    }
    let chosen = checksum
        .algorithm_header
        .and_then(|wanted| header(&request, |name| name.eq_ignore_ascii_case(wanted)))
        .map(str::to_ascii_uppercase);
    if chosen.is_none() && !checksum.required && calculation == RequestChecksumCalculation::WhenRequired {
        return Ok(request);
    }
    let chosen = chosen.as_deref().unwrap_or("CRC32");
    let algorithm = PREFERENCE.into_iter().find(|known| *known == chosen).ok_or(BuildError::InvalidSetting {
        setting: "checksum algorithm",
        rule: "must be one the client computes: CRC32, CRC32C, CRC64NVME, SHA1, SHA256 or SHA512",
    })?;
    match request.streamed.is_some() {
        // A file's or reader's goes in a trailer or a header, as the endpoint allows (see `settle`).
        true => request.stream_checksum = Some(algorithm),
        false => {
            let mut hasher = Hasher::new(algorithm).expect("every algorithm of PREFERENCE is computed");
            hasher.update(&request.body);
            request.headers.push((header_name(algorithm), crate::base64::encode(hasher.finish())));
        }
    }
    // The service learns the default's name as it would a chosen one's (S3 keeps the checksum
    // with the object then), as botocore tells it.
    Ok(match checksum.algorithm_header {
        Some(algorithm_header) => request.header_unless_set(algorithm_header, algorithm),
        None => request,
    })
}

/// A streamed body's checksum, once the endpoint is known: with `trailer` (an aws-chunked body:
/// S3, the length known) it goes after the body, computed as the body is sent, so the body is
/// read once. Otherwise a file is read for it first and it goes in a header; a reader's body,
/// which can't be read twice, goes without one.
pub(crate) async fn settle(mut request: Request, trailer: bool) -> Result<Request, BuildError> {
    let (Some(algorithm), Some(streamed)) = (request.stream_checksum, &request.streamed) else { return Ok(request) };
    if trailer {
        return Ok(request);
    }
    if let Some(file) = streamed.file() {
        let mut hasher = Hasher::new(algorithm).expect("every algorithm of PREFERENCE is computed");
        let unreadable = |e: crate::error::TransportError| BuildError::Body { detail: e.to_string() };
        file.read_through(|chunk| hasher.update(chunk)).await.map_err(unreadable)?;
        request.headers.push((header_name(algorithm), crate::base64::encode(hasher.finish())));
    }
    request.stream_checksum = None;
    Ok(request)
}

/// `x-amz-checksum-crc32`.
pub(crate) fn header_name(algorithm: &str) -> String {
    format!("x-amz-checksum-{}", algorithm.to_ascii_lowercase())
}

/// The request asking for the response's checksum when the setting says to and the caller did
/// not decide.
pub(crate) fn ask_for_response_checksum(
    request: Request,
    checksum: ResponseChecksum,
    validation: ResponseChecksumValidation,
) -> Request {
    match validation {
        ResponseChecksumValidation::WhenSupported => request.header_unless_set(checksum.mode_header, "ENABLED"),
        ResponseChecksumValidation::WhenRequired => request,
    }
}

fn header(request: &Request, matches: impl Fn(&str) -> bool) -> Option<&str> {
    request.headers.iter().find(|(name, _)| matches(name)).map(|(_, value)| value.as_str())
}

/// Preferred first, as botocore: the CRCs are the cheapest to compute.
const PREFERENCE: [&str; 6] = ["CRC64NVME", "CRC32C", "CRC32", "SHA1", "SHA256", "SHA512"];

/// A checksum a response body must match.
pub(crate) struct Expected {
    algorithm: &'static str,
    value: String,
    hasher: Hasher,
}

impl Expected {
    /// The checksum to check a response body against: the first the response carries that this
    /// client computes. A composite checksum (`<base64>-<parts>`, or `x-amz-checksum-type:
    /// COMPOSITE`: an object uploaded in parts) is of the parts, not the body, and is not
    /// checked, as in botocore.
    pub(crate) fn of(checksum: ResponseChecksum, response: &http::HeaderMap) -> Option<Expected> {
        let kind = response.get("x-amz-checksum-type").map(http::HeaderValue::as_bytes);
        if kind.is_some_and(|kind| kind.eq_ignore_ascii_case(b"COMPOSITE")) {
            return None;
        }
        PREFERENCE.into_iter().filter(|algorithm| checksum.algorithms.contains(algorithm)).find_map(|algorithm| {
            let value = response.get(format!("x-amz-checksum-{}", algorithm.to_ascii_lowercase()))?.to_str().ok()?;
            let value = value.trim();
            if value.contains('-') {
                return None;
            }
            Some(Expected { algorithm, value: value.to_owned(), hasher: Hasher::new(algorithm)? })
        })
    }

    pub(crate) fn update(&mut self, bytes: &[u8]) {
        self.hasher.update(bytes);
    }

    /// `Ok` when the body read matches.
    pub(crate) fn check(self) -> Result<(), TransportError> {
        let actual = crate::base64::encode(self.hasher.finish());
        if actual == self.value {
            return Ok(());
        }
        let detail = format!(
            "the response body's {} checksum is {actual}, but the response says {}: the body was corrupted on the way",
            self.algorithm, self.value
        );
        Err(TransportError::checksum_mismatch(detail))
    }
}

/// The body, checked as it is read: a mismatch is an error in place of its end. A body already
/// in memory is checked at once (and stays in memory).
pub(crate) fn checked(body: Body, mut expected: Expected) -> Result<Body, TransportError> {
    if let Some(bytes) = body.in_memory() {
        expected.update(bytes);
        return expected.check().map(|()| body);
    }
    Ok(Body::streaming(Checked { frames: body.into_frames(), expected: Some(expected) }))
}

struct Checked {
    frames: StreamingBody,
    /// `None` once checked, or once the body failed on its own.
    expected: Option<Expected>,
}

impl http_body::Body for Checked {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        let frame = ready!(Pin::new(&mut this.frames).poll_frame(cx));
        match (&frame, this.expected.as_mut()) {
            (Some(Ok(frame)), Some(expected)) => expected.update(frame.data_ref().map_or(&[][..], |data| &data[..])),
            (Some(Err(_)), _) => this.expected = None,
            (None, Some(_)) => {
                let checked = this.expected.take().map(Expected::check);
                return Poll::Ready(checked.and_then(Result::err).map(|error| Err(error.into())));
            }
            _ => {}
        }
        Poll::Ready(frame)
    }
}

/// A checksum computed a piece at a time.
pub(crate) enum Hasher {
    Crc32(crc32fast::Hasher),
    Crc(&'static Crc, u64),
    /// Boxed: a SHA context is 200-odd bytes, a CRC's state 8.
    Digest(Box<ring::digest::Context>),
}

impl Hasher {
    /// `None` for an algorithm not computed here (MD5, the XXHASH family).
    pub(crate) fn new(algorithm: &str) -> Option<Hasher> {
        use ring::digest::{Context, SHA1_FOR_LEGACY_USE_ONLY, SHA256, SHA512};
        let crc = |crc: &'static Crc| Hasher::Crc(crc, crc.mask);
        Some(match algorithm {
            "CRC32" => Hasher::Crc32(crc32fast::Hasher::new()),
            "CRC32C" => crc(&CRC32C),
            "CRC64NVME" => crc(&CRC64NVME),
            "SHA1" => Hasher::Digest(Box::new(Context::new(&SHA1_FOR_LEGACY_USE_ONLY))),
            "SHA256" => Hasher::Digest(Box::new(Context::new(&SHA256))),
            "SHA512" => Hasher::Digest(Box::new(Context::new(&SHA512))),
            _ => return None,
        })
    }

    pub(crate) fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Crc32(hasher) => hasher.update(bytes),
            Hasher::Crc(crc, state) => *state = crc.update(*state, bytes),
            Hasher::Digest(context) => context.update(bytes),
        }
    }

    /// The checksum's bytes: a CRC big-endian in its width, as S3 encodes it.
    pub(crate) fn finish(self) -> Vec<u8> {
        match self {
            Hasher::Crc32(hasher) => hasher.finalize().to_be_bytes().to_vec(),
            Hasher::Crc(crc, state) => {
                let width = (crc.mask.count_ones() / 8) as usize;
                (state ^ crc.mask).to_be_bytes()[8 - width..].to_vec()
            }
            Hasher::Digest(context) => context.finish().as_ref().to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TransportErrorKind;

    fn checksum(algorithm: &str, pieces: &[&[u8]]) -> Vec<u8> {
        let mut hasher = Hasher::new(algorithm).unwrap();
        pieces.iter().for_each(|piece| hasher.update(piece));
        hasher.finish()
    }

    /// The catalogued check values: each CRC of the ASCII digits "123456789", whole or in pieces.
    #[test]
    fn crcs_match_their_check_values() {
        assert_eq!(checksum("CRC32", &[b"123456789"]), 0xCBF4_3926u32.to_be_bytes());
        assert_eq!(checksum("CRC32C", &[b"1234", b"56789"]), 0xE306_9283u32.to_be_bytes());
        assert_eq!(checksum("CRC64NVME", &[b"1", b"", b"23456789"]), 0xAE8B_1486_0A79_9888u64.to_be_bytes());
        assert_eq!(checksum("CRC32", &[]), [0; 4]);
        assert_eq!(checksum("SHA256", &[b"Hello", b" world"]), checksum("SHA256", &[b"Hello world"]));
    }

    fn checksummed(
        headers: &[(&str, &str)],
        required: bool,
        calculation: RequestChecksumCalculation,
    ) -> Result<Vec<(String, String)>, BuildError> {
        let mut request = Request::rest("POST", "/?delete").payload_text(Some(&"Hello world".to_owned()));
        for (name, value) in headers {
            request = request.header(name, Some(&value.to_string()));
        }
        let checksum = RequestChecksum { algorithm_header: Some("x-amz-sdk-checksum-algorithm"), required };
        let checksums =
            |request: Request| request.headers.into_iter().filter(|(n, _)| n.starts_with("x-amz-checksum-"));
        block_on(add(request, checksum, calculation)).map(|request| checksums(request).collect())
    }

    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(future)
    }

    fn supported(headers: &[(&str, &str)]) -> Result<Vec<(String, String)>, BuildError> {
        checksummed(headers, false, RequestChecksumCalculation::WhenSupported)
    }

    /// Values computed independently (Python's zlib and hashlib, a bitwise CRC-64/NVME).
    #[test]
    fn crc32_by_default_and_the_chosen_algorithm_otherwise() {
        assert_eq!(supported(&[]).unwrap(), [("x-amz-checksum-crc32".to_owned(), "i9aeUg==".to_owned())]);
        let chosen = supported(&[("x-amz-sdk-checksum-algorithm", "sha256")]).unwrap();
        let sha256 = ("x-amz-checksum-sha256".to_owned(), "ZOyIygCyaOW6GjVnihtTFtIS9PNmskdyMlNKiuyjfzw=".to_owned());
        assert_eq!(chosen, [sha256]);
        let crc64 = supported(&[("x-amz-sdk-checksum-algorithm", "CRC64NVME")]).unwrap();
        assert_eq!(crc64, [("x-amz-checksum-crc64nvme".to_owned(), "OOJZ0D8xKts=".to_owned())]);
    }

    #[test]
    fn the_default_algorithm_is_named_where_a_chosen_one_would_be() {
        let request = Request::rest("PUT", "/key").payload_text(Some(&"Hello world".to_owned()));
        let checksum = RequestChecksum { algorithm_header: Some("x-amz-sdk-checksum-algorithm"), required: false };
        let request = block_on(add(request, checksum, RequestChecksumCalculation::WhenSupported)).unwrap();
        assert_eq!(header(&request, |name| name == "x-amz-sdk-checksum-algorithm"), Some("CRC32"));
    }

    #[test]
    fn when_required_sends_one_only_when_required_or_chosen() {
        let when_required = |headers: &[(&str, &str)], required| {
            checksummed(headers, required, RequestChecksumCalculation::WhenRequired).unwrap()
        };
        assert_eq!(when_required(&[], false), []);
        assert_eq!(when_required(&[], true), [("x-amz-checksum-crc32".to_owned(), "i9aeUg==".to_owned())]);
        let chosen = when_required(&[("x-amz-sdk-checksum-algorithm", "CRC32C")], false);
        assert_eq!(chosen, [("x-amz-checksum-crc32c".to_owned(), "crUfeA==".to_owned())]);
    }

    #[test]
    fn a_checksum_the_caller_gave_is_kept_and_an_unknown_algorithm_refused() {
        let given = supported(&[("x-amz-checksum-crc32c", "given")]).unwrap();
        assert_eq!(given, [("x-amz-checksum-crc32c".to_owned(), "given".to_owned())]);
        let error = supported(&[("x-amz-sdk-checksum-algorithm", "XXHASH3")]).unwrap_err();
        assert!(error.to_string().contains("CRC32, CRC32C"), "{error}");
    }

    const GET_OBJECT: ResponseChecksum =
        ResponseChecksum { mode_header: "x-amz-checksum-mode", algorithms: &["CRC64NVME", "CRC32", "SHA256", "MD5"] };

    fn headers(pairs: &[(&'static str, &'static str)]) -> http::HeaderMap {
        pairs.iter().map(|(name, value)| (http::HeaderName::from_static(name), value.parse().unwrap())).collect()
    }

    #[test]
    fn the_mode_is_asked_for_unless_the_caller_decided_or_validation_is_when_required() {
        let asked = |request: Request, validation| {
            let request = ask_for_response_checksum(request, GET_OBJECT, validation);
            header(&request, |name| name == "x-amz-checksum-mode").map(str::to_owned)
        };
        let plain = || Request::rest("GET", "/key");
        assert_eq!(asked(plain(), ResponseChecksumValidation::WhenSupported).as_deref(), Some("ENABLED"));
        assert_eq!(asked(plain(), ResponseChecksumValidation::WhenRequired), None);
        let decided = plain().header("x-amz-checksum-mode", Some(&"DISABLED".to_owned()));
        assert_eq!(asked(decided, ResponseChecksumValidation::WhenSupported).as_deref(), Some("DISABLED"));
    }

    #[test]
    fn the_preferred_checksum_a_response_carries_is_checked() {
        // SHA256 and CRC32 both present: CRC32 is preferred.
        let response = headers(&[
            ("x-amz-checksum-sha256", "wrong"),
            ("x-amz-checksum-crc32", "i9aeUg=="),
            ("x-amz-checksum-md5", "ignored"),
        ]);
        let mut expected = Expected::of(GET_OBJECT, &response).unwrap();
        expected.update(b"Hello ");
        expected.update(b"world");
        expected.check().unwrap();

        let mut corrupted = Expected::of(GET_OBJECT, &response).unwrap();
        corrupted.update(b"Hello World");
        let error = corrupted.check().unwrap_err();
        assert_eq!(error.kind(), TransportErrorKind::ChecksumMismatch);
        assert!(error.to_string().contains("CRC32 checksum is"), "{error}");
    }

    #[test]
    fn a_body_in_memory_is_checked_at_once_and_stays_in_memory() {
        let expected = || Expected::of(GET_OBJECT, &headers(&[("x-amz-checksum-crc32", "i9aeUg==")])).unwrap();
        let body = checked(Body::from("Hello world"), expected()).unwrap();
        assert_eq!(body.in_memory().map(|bytes| &bytes[..]), Some(&b"Hello world"[..]));
        let error = checked(Body::from("Hello World"), expected()).err().unwrap();
        assert_eq!(error.kind(), TransportErrorKind::ChecksumMismatch);
    }

    #[test]
    fn nothing_is_checked_unless_asked_for_computable_and_whole() {
        assert!(GET_OBJECT.asked(&headers(&[("x-amz-checksum-mode", "enabled")])));
        assert!(!GET_OBJECT.asked(&headers(&[("x-amz-checksum-mode", "DISABLED")])));
        assert!(!GET_OBJECT.asked(&http::HeaderMap::new()));
        assert!(Expected::of(GET_OBJECT, &headers(&[("x-amz-checksum-md5", "x")])).is_none());
        assert!(Expected::of(GET_OBJECT, &headers(&[("x-amz-checksum-crc32", "i9aeUg==-3")])).is_none());
        let composite = headers(&[("x-amz-checksum-crc32", "i9aeUg=="), ("x-amz-checksum-type", "COMPOSITE")]);
        assert!(Expected::of(GET_OBJECT, &composite).is_none());
        let not_offered = headers(&[("x-amz-checksum-crc32c", "crUfeA==")]);
        assert!(Expected::of(GET_OBJECT, &not_offered).is_none(), "CRC32C is not in the operation's list");
    }
}
