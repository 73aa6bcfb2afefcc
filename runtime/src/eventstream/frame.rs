//! The wire format of one frame: prelude, headers, payload and the two CRC32s.

use super::{FrameError, Header, HeaderValue, Message};
pub(super) use crate::crc::crc32;
use crate::time::DateTime;
use bytes::Bytes;
use std::ops::Range;

/// The largest message, in bytes, as the AWS SDKs limit it.
pub const MAX_MESSAGE_LEN: usize = 16 * 1024 * 1024;
/// The most bytes of headers in a message.
pub const MAX_HEADERS_LEN: usize = 128 * 1024;
/// A message without headers or payload: its prelude and its CRC.
pub const MIN_MESSAGE_LEN: usize = PRELUDE_LEN + CRC_LEN;

const PRELUDE_LEN: usize = 12;
const CRC_LEN: usize = 4;

const TRUE: u8 = 0;
const FALSE: u8 = 1;
const BYTE: u8 = 2;
const INT16: u8 = 3;
const INT32: u8 = 4;
const INT64: u8 = 5;
const BYTE_ARRAY: u8 = 6;
const STRING: u8 = 7;
const TIMESTAMP: u8 = 8;
const UUID: u8 = 9;

/// The lengths a checked prelude announces: `MIN_MESSAGE_LEN <= total_len <= MAX_MESSAGE_LEN`
/// and `headers_len <= total_len - MIN_MESSAGE_LEN`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Prelude {
    pub total_len: usize,
    pub headers_len: usize,
}

/// Checks a prelude: its CRC first, so that a corrupted length is reported as corruption.
pub(super) fn read_prelude(prelude: &[u8; PRELUDE_LEN]) -> Result<Prelude, FrameError> {
    let [total, headers, expected] = [0, 4, 8].map(|at| u32_at(prelude, at));
    let computed = crc32(&prelude[..8]);
    if expected != computed {
        return Err(FrameError::PreludeChecksum { expected, computed });
    }
    // u32 always fits the usize of the platforms ring and tokio build for.
    let (total_len, headers_len) = (total as usize, headers as usize);
    if total_len > MAX_MESSAGE_LEN {
        return Err(FrameError::MessageTooLong(total_len));
    }
    if total_len < MIN_MESSAGE_LEN {
        return Err(FrameError::MessageTooShort(total_len));
    }
    if headers_len > MAX_HEADERS_LEN || headers_len > total_len - MIN_MESSAGE_LEN {
        return Err(FrameError::HeadersLengthOutOfRange { headers_len, total_len });
    }
    Ok(Prelude { total_len, headers_len })
}

/// A whole frame (its prelude already checked) into its message. The headers are read before the
/// message CRC is checked, as smithy-rs and the AWS CRT do (the test vectors expect it): each
/// read is bounded by the headers' length, so an unchecked header can't do harm.
pub(super) fn decode_frame(frame: &Bytes, prelude: Prelude) -> Result<Message, FrameError> {
    if frame.len() != prelude.total_len {
        return Err(FrameError::Truncated { buffered: frame.len() });
    }
    // In order, by the prelude's checks: PRELUDE_LEN <= headers_end <= body_end = len - CRC_LEN.
    let headers_end = PRELUDE_LEN + prelude.headers_len;
    let body_end = prelude.total_len - CRC_LEN;
    let headers = read_headers(checked(frame, PRELUDE_LEN..headers_end)?)?;
    let expected = u32_at(frame, body_end);
    let computed = crc32(checked(frame, 0..body_end)?);
    if expected != computed {
        return Err(FrameError::MessageChecksum { expected, computed });
    }
    let payload = headers_end..body_end;
    checked(frame, payload.clone())?; // so that `slice` can't panic
    Ok(Message { headers, payload: frame.slice(payload) })
}

/// `bytes[range]`, or `Truncated` rather than a panic.
fn checked(bytes: &[u8], range: Range<usize>) -> Result<&[u8], FrameError> {
    bytes.get(range).ok_or(FrameError::Truncated { buffered: bytes.len() })
}

fn read_headers(mut bytes: &[u8]) -> Result<Vec<Header>, FrameError> {
    let mut headers = Vec::new();
    while !bytes.is_empty() {
        headers.push(read_header(&mut bytes)?);
    }
    Ok(headers)
}

fn read_header(bytes: &mut &[u8]) -> Result<Header, FrameError> {
    let [name_len] = take_array(bytes).ok_or(FrameError::InvalidHeaderName)?;
    let name = take(bytes, usize::from(name_len)).ok_or(FrameError::InvalidHeaderName)?;
    let name = utf8(name)?;
    let [kind] = take_array(bytes).ok_or(FrameError::InvalidHeaderValue)?;
    Ok(Header { name, value: read_value(kind, bytes)? })
}

fn read_value(kind: u8, bytes: &mut &[u8]) -> Result<HeaderValue, FrameError> {
    Ok(match kind {
        TRUE => HeaderValue::Bool(true),
        FALSE => HeaderValue::Bool(false),
        BYTE => HeaderValue::Byte(i8::from_be_bytes(fixed(bytes)?)),
        INT16 => HeaderValue::Int16(i16::from_be_bytes(fixed(bytes)?)),
        INT32 => HeaderValue::Int32(i32::from_be_bytes(fixed(bytes)?)),
        INT64 => HeaderValue::Int64(i64::from_be_bytes(fixed(bytes)?)),
        BYTE_ARRAY => HeaderValue::ByteArray(Bytes::copy_from_slice(sized(bytes)?)),
        STRING => HeaderValue::String(utf8(sized(bytes)?)?),
        TIMESTAMP => HeaderValue::Timestamp(from_millis(i64::from_be_bytes(fixed(bytes)?))),
        UUID => HeaderValue::Uuid(fixed(bytes)?),
        other => return Err(FrameError::InvalidHeaderValueType(other)),
    })
}

/// A value of `N` bytes.
fn fixed<const N: usize>(bytes: &mut &[u8]) -> Result<[u8; N], FrameError> {
    take_array(bytes).ok_or(FrameError::InvalidHeaderValue)
}

/// A value of as many bytes as its 2-byte length says.
fn sized<'a>(bytes: &mut &'a [u8]) -> Result<&'a [u8], FrameError> {
    let len = u16::from_be_bytes(fixed(bytes)?);
    take(bytes, usize::from(len)).ok_or(FrameError::InvalidHeaderValue)
}

/// The `n` first bytes, which the cursor `bytes` then moves past; `None` if there are fewer.
fn take<'a>(bytes: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    let (head, rest) = bytes.split_at_checked(n)?;
    *bytes = rest;
    Some(head)
}

fn take_array<const N: usize>(bytes: &mut &[u8]) -> Option<[u8; N]> {
    take(bytes, N)?.try_into().ok()
}

fn utf8(bytes: &[u8]) -> Result<String, FrameError> {
    std::str::from_utf8(bytes).map(str::to_owned).map_err(|_| FrameError::InvalidUtf8)
}

pub(super) fn encode(message: &Message) -> Result<Bytes, FrameError> {
    let mut headers = Vec::new();
    for header in &message.headers {
        write_header(&mut headers, header)?;
    }
    let total_len = MIN_MESSAGE_LEN + headers.len() + message.payload.len();
    if total_len > MAX_MESSAGE_LEN {
        return Err(FrameError::MessageTooLong(total_len));
    }
    if headers.len() > MAX_HEADERS_LEN {
        return Err(FrameError::HeadersLengthOutOfRange { headers_len: headers.len(), total_len });
    }
    let mut out = Vec::with_capacity(total_len);
    // Both lengths are within MAX_MESSAGE_LEN, so they fit u32.
    out.extend_from_slice(&(total_len as u32).to_be_bytes());
    out.extend_from_slice(&(headers.len() as u32).to_be_bytes());
    out.extend_from_slice(&crc32(&out).to_be_bytes());
    out.extend_from_slice(&headers);
    out.extend_from_slice(&message.payload);
    out.extend_from_slice(&crc32(&out).to_be_bytes());
    Ok(out.into())
}

/// Appends one encoded header to `out` (the event signature hashes the `:date` header alone).
pub(super) fn write_header(out: &mut Vec<u8>, header: &Header) -> Result<(), FrameError> {
    let name = header.name.as_bytes();
    let name_len = u8::try_from(name.len()).map_err(|_| FrameError::HeaderNameTooLong(name.len()))?;
    out.push(name_len);
    out.extend_from_slice(name);
    match &header.value {
        HeaderValue::Bool(true) => out.push(TRUE),
        HeaderValue::Bool(false) => out.push(FALSE),
        HeaderValue::Byte(value) => put(out, BYTE, &value.to_be_bytes()),
        HeaderValue::Int16(value) => put(out, INT16, &value.to_be_bytes()),
        HeaderValue::Int32(value) => put(out, INT32, &value.to_be_bytes()),
        HeaderValue::Int64(value) => put(out, INT64, &value.to_be_bytes()),
        HeaderValue::ByteArray(value) => put_sized(out, BYTE_ARRAY, &header.name, value)?,
        HeaderValue::String(value) => put_sized(out, STRING, &header.name, value.as_bytes())?,
        HeaderValue::Timestamp(time) => {
            let millis = to_millis(time).ok_or(FrameError::TimestampOutOfRange(*time))?;
            put(out, TIMESTAMP, &millis.to_be_bytes());
        }
        HeaderValue::Uuid(value) => put(out, UUID, value),
    }
    Ok(())
}

fn put(out: &mut Vec<u8>, kind: u8, value: &[u8]) {
    out.push(kind);
    out.extend_from_slice(value);
}

fn put_sized(out: &mut Vec<u8>, kind: u8, name: &str, value: &[u8]) -> Result<(), FrameError> {
    let too_long = || FrameError::HeaderValueTooLong { name: name.to_owned(), len: value.len() };
    let len = u16::try_from(value.len()).map_err(|_| too_long())?;
    put(out, kind, &len.to_be_bytes());
    out.extend_from_slice(value);
    Ok(())
}

fn from_millis(millis: i64) -> DateTime {
    // rem_euclid is in 0..1000: the sub-second part of a time before the epoch counts forward.
    DateTime::from_parts(millis.div_euclid(1000), millis.rem_euclid(1000) as u32 * 1_000_000)
}

fn to_millis(time: &DateTime) -> Option<i64> {
    // In i128: the seconds of i64::MIN milliseconds, times 1000, are below i64::MIN.
    i64::try_from(i128::from(time.secs()) * 1000 + i128::from(time.subsec_nanos() / 1_000_000)).ok()
}

/// The big-endian `u32` at `at` (0 past the end, which callers rule out).
fn u32_at(bytes: &[u8], at: usize) -> u32 {
    let mut word = [0; 4];
    if let Some(four) = bytes.get(at..at + 4) {
        word.copy_from_slice(four);
    }
    u32::from_be_bytes(word)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    /// smithy-rs's frames, from `../shared` beside the checkout (see its SOURCE.md): `None` when
    /// absent, except in CI, which always has it.
    fn smithy_rs_frames() -> Option<PathBuf> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/eventstream-tests/smithy-rs");
        if dir.is_dir() {
            return Some(dir);
        }
        assert!(std::env::var_os("CI").is_none(), "CI needs {} beside the checkout", dir.display());
        eprintln!("skipped: no {} beside this checkout", dir.display());
        None
    }

    fn read(dir: &Path, name: &str) -> Vec<u8> {
        std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    fn unhex(text: &str) -> Vec<u8> {
        let digit = |i: usize| u8::from_str_radix(&text[i..i + 2], 16).unwrap();
        (0..text.len()).step_by(2).map(digit).collect()
    }

    fn header(name: &str, value: HeaderValue) -> Header {
        Header::new(name, value)
    }

    /// The message of `valid_with_all_headers_and_payload`, as smithy-rs's tests state it.
    fn all_headers_message() -> Message {
        let uuid = unhex("b79bc914de214e13b8b2bc47e85b7f0b");
        Message {
            headers: vec![
                header("true", HeaderValue::Bool(true)),
                header("false", HeaderValue::Bool(false)),
                header("byte", HeaderValue::Byte(50)),
                header("short", HeaderValue::Int16(20_000)),
                header("int", HeaderValue::Int32(500_000)),
                header("long", HeaderValue::Int64(50_000_000_000)),
                header("bytes", HeaderValue::ByteArray(Bytes::from_static(b"some bytes"))),
                header("str", HeaderValue::String("some str".into())),
                header("time", HeaderValue::Timestamp(DateTime::from_secs(5_000_000))),
                header("uuid", HeaderValue::Uuid(uuid.try_into().unwrap())),
            ],
            payload: Bytes::from_static(b"some payload"),
        }
    }

    /// Every file with the outcome smithy-rs's tests state (SOURCE.md), but one: see below.
    #[test]
    fn smithy_rs_frames_decode_as_smithy_rs_says() {
        let Some(dir) = smithy_rs_frames() else { return };
        let decode = |name: &str| Message::decode(&read(&dir, name));

        let empty_payload = decode("valid_empty_payload").unwrap();
        assert_eq!(empty_payload.payload, Bytes::new());
        assert_eq!(empty_payload.headers, [header("some-header", HeaderValue::Int16(500))]);
        let no_headers = decode("valid_no_headers").unwrap();
        assert_eq!(no_headers, Message { headers: vec![], payload: Bytes::from_static(b"another test payload") });
        assert_eq!(decode("valid_with_all_headers_and_payload").unwrap(), all_headers_message());

        let cases = [
            ("invalid_header_string_value_length", FrameError::InvalidHeaderValue),
            ("invalid_header_string_length_cut_off", FrameError::InvalidHeaderValue),
            ("invalid_header_value_type", FrameError::InvalidHeaderValueType(0x60)),
            ("invalid_header_name_length", FrameError::InvalidHeaderName),
            ("invalid_headers_length", FrameError::HeadersLengthOutOfRange { headers_len: 77, total_len: 89 }),
            ("invalid_prelude_checksum", FrameError::PreludeChecksum { expected: 0xDEAD_BEEF, computed: 0x8BB4_95FB }),
            ("invalid_message_checksum", FrameError::MessageChecksum { expected: 0xDEAD_BEEF, computed: 0x01A0_5860 }),
            // smithy-rs says "not UTF-8": it reads this 102-byte name past the frame's 93 bytes
            // into the 30 bytes that trail it in the file. Read within the frame, the name runs
            // past the 77 bytes of headers (and past the frame), which is what is reported here.
            ("invalid_header_name_length_too_long", FrameError::InvalidHeaderName),
        ];
        for (name, expected) in cases {
            assert_eq!(decode(name), Err(expected), "{name}");
        }
    }

    /// The AWS CRT's deserializer vectors (SOURCE.md).
    #[test]
    fn crt_frames_decode() {
        let payload = Bytes::from_static(b"{'foo':'bar'}");
        let no_headers = unhex("0000001d00000000fd528c5a7b27666f6f273a27626172277dc3653936");
        assert_eq!(Message::decode(&no_headers), Ok(Message { headers: vec![], payload: payload.clone() }));
        let content_type = unhex(
            "0000003d0000002007fd83960c636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e\
             7b27666f6f273a27626172277d8d9c08b1",
        );
        let expected =
            Message { headers: vec![header("content-type", HeaderValue::String("application/json".into()))], payload };
        assert_eq!(Message::decode(&content_type), Ok(expected.clone()));
        assert_eq!(expected.encode().unwrap(), content_type);
    }

    #[test]
    fn a_message_with_every_kind_of_header_encodes_to_the_same_bytes() {
        let Some(dir) = smithy_rs_frames() else { return };
        let bytes = read(&dir, "valid_with_all_headers_and_payload");
        assert_eq!(Message::decode(&bytes).unwrap().encode().unwrap(), bytes);
        assert_eq!(all_headers_message().encode().unwrap(), bytes);
    }

    #[test]
    fn timestamps_keep_their_milliseconds_before_and_after_the_epoch() {
        for millis in [0, 1, 999, 1_000, -1, -999, -1_000, -1_001, i64::MAX, i64::MIN] {
            assert_eq!(to_millis(&from_millis(millis)), Some(millis), "{millis}");
        }
        assert_eq!(from_millis(-1), DateTime::from_parts(-1, 999_000_000));
        let too_far = DateTime::from_secs(i64::MAX / 999);
        let message = Message { headers: vec![header("t", HeaderValue::Timestamp(too_far))], payload: Bytes::new() };
        assert_eq!(message.encode(), Err(FrameError::TimestampOutOfRange(too_far)));
    }

    #[test]
    fn encoding_refuses_what_the_wire_cannot_carry() {
        let with =
            |headers: Vec<Header>, payload: usize| Message { headers, payload: vec![0; payload].into() }.encode();
        let name = "n".repeat(256);
        assert_eq!(with(vec![header(&name, HeaderValue::Bool(true))], 0), Err(FrameError::HeaderNameTooLong(256)));
        assert!(with(vec![header(&name[..255], HeaderValue::Bool(true))], 0).is_ok());

        let value = HeaderValue::String("v".repeat(65_536));
        let too_long = FrameError::HeaderValueTooLong { name: "s".into(), len: 65_536 };
        assert_eq!(with(vec![header("s", value)], 0), Err(too_long));
        let value = HeaderValue::ByteArray(vec![0; 65_535].into());
        assert!(with(vec![header("b", value)], 0).is_ok());

        assert_eq!(with(vec![], MAX_MESSAGE_LEN - 15), Err(FrameError::MessageTooLong(MAX_MESSAGE_LEN + 1)));
        assert_eq!(with(vec![], MAX_MESSAGE_LEN - 16).unwrap().len(), MAX_MESSAGE_LEN);

        // Three headers of 65_540 bytes each: over 128 KiB of headers.
        let big = |name: &str| header(name, HeaderValue::ByteArray(vec![0; 65_535].into()));
        let error = with(vec![big("a"), big("b"), big("c")], 0).unwrap_err();
        assert!(matches!(error, FrameError::HeadersLengthOutOfRange { headers_len: 196_620, .. }), "{error:?}");
    }

    #[test]
    fn every_changed_byte_of_a_frame_is_caught() {
        let frame = all_headers_message().encode().unwrap();
        for at in 0..frame.len() {
            for flip in 1..=255u8 {
                let mut changed = frame.to_vec();
                changed[at] ^= flip;
                // A CRC32 catches any error within 32 bits, so none of these decodes.
                assert!(Message::decode(&changed).is_err(), "byte {at} ^ {flip:#04x}");
            }
        }
    }

    /// Random header bytes and headers lengths behind right CRCs, so that the header reader itself
    /// meets the garbage: anything may come out but a panic.
    #[test]
    fn garbage_behind_good_checksums_never_panics() {
        let frame = all_headers_message().encode().unwrap();
        let max_headers_len = frame.len() - MIN_MESSAGE_LEN;
        let mut rng = fastrand::Rng::with_seed(42);
        let mut outcomes = std::collections::BTreeSet::new();
        for _ in 0..20_000 {
            let mut bytes = frame.to_vec();
            for _ in 0..rng.usize(1..8) {
                bytes[rng.usize(PRELUDE_LEN..frame.len() - CRC_LEN)] = rng.u8(..);
            }
            if rng.bool() {
                bytes[4..8].copy_from_slice(&rng.u32(..=max_headers_len as u32).to_be_bytes());
            }
            let prelude_crc = crc32(&bytes[..8]);
            bytes[8..12].copy_from_slice(&prelude_crc.to_be_bytes());
            let end = bytes.len() - CRC_LEN;
            let message_crc = crc32(&bytes[..end]);
            bytes[end..].copy_from_slice(&message_crc.to_be_bytes());
            let outcome = match Message::decode(&bytes) {
                Ok(message) => {
                    // What decodes encodes back to the same bytes.
                    assert_eq!(message.encode().unwrap(), bytes);
                    "decoded"
                }
                Err(FrameError::InvalidHeaderName) => "name",
                Err(FrameError::InvalidHeaderValue) => "value",
                Err(FrameError::InvalidHeaderValueType(_)) => "type",
                Err(FrameError::InvalidUtf8) => "utf-8",
                Err(other) => panic!("{other:?} from header bytes"),
            };
            outcomes.insert(outcome);
        }
        assert_eq!(outcomes, ["decoded", "name", "type", "utf-8", "value"].into());
    }
}
