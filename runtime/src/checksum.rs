//! Request checksums (`httpChecksum`). S3 refuses DeleteObjects and its bucket-configuration
//! PUTs without one, and checks any it gets. As botocore and aws-sdk-rust do by default
//! (`request_checksum_calculation = when_supported`), every operation that takes one sends
//! `x-amz-checksum-<algorithm>` of its body: the algorithm the caller chose, else CRC32. A
//! checksum the caller set themselves is sent as it is.

use crate::protocol::Request;
use crate::BuildError;

/// An operation whose request carries a checksum of its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestChecksum {
    /// The header the caller's choice of algorithm goes in (S3: `x-amz-sdk-checksum-algorithm`),
    /// when the operation lets them choose.
    pub algorithm_header: Option<&'static str>,
}

/// The request with its checksum header added, unless it has one.
pub(crate) fn add(mut request: Request, checksum: RequestChecksum) -> Result<Request, BuildError> {
    let header = |name: &str| request.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v);
    if request.headers.iter().any(|(name, _)| name.to_ascii_lowercase().starts_with("x-amz-checksum-")) {
        return Ok(request);
    }
    let chosen = checksum.algorithm_header.and_then(header).map(|name| name.to_ascii_uppercase());
    let algorithm = chosen.as_deref().unwrap_or("CRC32");
    let digest = digest(algorithm, &request.body).ok_or(BuildError::InvalidSetting {
        setting: "checksum algorithm",
        rule: "must be one the client computes: CRC32, CRC32C, CRC64NVME, SHA1, SHA256 or SHA512",
    })?;
    let name = format!("x-amz-checksum-{}", algorithm.to_ascii_lowercase());
    request.headers.push((name, crate::base64::encode(digest)));
    Ok(request)
}

/// The checksum's bytes, or `None` for an algorithm not
/// computed here (MD5, the XXHASH family).
fn digest(algorithm: &str, body: &[u8]) -> Option<Vec<u8>> {
    use ring::digest::{digest as hash, SHA1_FOR_LEGACY_USE_ONLY, SHA256, SHA512};
    Some(match algorithm {
        "CRC32" => CRC32.bytes(body),
        "CRC32C" => CRC32C.bytes(body),
        "CRC64NVME" => CRC64NVME.bytes(body),
        "SHA1" => hash(&SHA1_FOR_LEGACY_USE_ONLY, body).as_ref().to_vec(),
        "SHA256" => hash(&SHA256, body).as_ref().to_vec(),
        "SHA512" => hash(&SHA512, body).as_ref().to_vec(),
        _ => return None,
    })
}

/// A reflected CRC of up to 64 bits, a byte at a time from a table built at compile time: a few
/// hundred MB/s, enough for bodies held in memory, in a few lines instead of a crate per
/// algorithm.
struct Crc {
    table: [u64; 256],
    /// All ones in the CRC's width: its initial value and final XOR.
    mask: u64,
}

static CRC32: Crc = Crc::new(0xEDB8_8320, 32);
static CRC32C: Crc = Crc::new(0x82F6_3B78, 32);
static CRC64NVME: Crc = Crc::new(0x9A6C_9329_AC4B_C9B5, 64);

impl Crc {
    const fn new(polynomial: u64, width: u32) -> Self {
        let mut table = [0; 256];
        let mut byte = 0;
        while byte < 256 {
            let mut crc = byte as u64;
            let mut bit = 0;
            while bit < 8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ polynomial } else { crc >> 1 };
                bit += 1;
            }
            table[byte] = crc;
            byte += 1;
        }
        Crc { table, mask: u64::MAX >> (64 - width) }
    }

    fn of(&self, bytes: &[u8]) -> u64 {
        let crc = bytes
            .iter()
            .fold(self.mask, |crc, &byte| self.table[((crc ^ u64::from(byte)) & 0xff) as usize] ^ (crc >> 8));
        crc ^ self.mask
    }

    /// Big-endian, in the CRC's width, as S3 encodes it.
    fn bytes(&self, body: &[u8]) -> Vec<u8> {
        let width = (self.mask.count_ones() / 8) as usize;
        self.of(body).to_be_bytes()[8 - width..].to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The catalogued check values: each CRC of the ASCII digits "123456789".
    #[test]
    fn crcs_match_their_check_values() {
        assert_eq!(CRC32.of(b"123456789"), 0xCBF4_3926);
        assert_eq!(CRC32C.of(b"123456789"), 0xE306_9283);
        assert_eq!(CRC64NVME.of(b"123456789"), 0xAE8B_1486_0A79_9888);
        assert_eq!(CRC32.of(b""), 0);
    }

    fn checksummed(headers: &[(&str, &str)], body: &'static str) -> Result<Vec<(String, String)>, BuildError> {
        let mut request = Request::rest("POST", "/?delete").payload_text(Some(&body.to_owned()));
        for (name, value) in headers {
            request = request.header(name, Some(&value.to_string()));
        }
        let checksum = RequestChecksum { algorithm_header: Some("x-amz-sdk-checksum-algorithm") };
        let checksums =
            |request: Request| request.headers.into_iter().filter(|(n, _)| n.starts_with("x-amz-checksum-"));
        add(request, checksum).map(|request| checksums(request).collect())
    }

    /// Values computed independently (Python's zlib and hashlib, a bitwise CRC-64/NVME).
    #[test]
    fn crc32_by_default_and_the_chosen_algorithm_otherwise() {
        let headers = checksummed(&[], "Hello world").unwrap();
        assert_eq!(headers, [("x-amz-checksum-crc32".to_owned(), "i9aeUg==".to_owned())]);
        let chosen = checksummed(&[("x-amz-sdk-checksum-algorithm", "sha256")], "Hello world").unwrap();
        let sha256 = ("x-amz-checksum-sha256".to_owned(), "ZOyIygCyaOW6GjVnihtTFtIS9PNmskdyMlNKiuyjfzw=".to_owned());
        assert_eq!(chosen, [sha256]);
        let crc64 = checksummed(&[("x-amz-sdk-checksum-algorithm", "CRC64NVME")], "Hello world").unwrap();
        assert_eq!(crc64, [("x-amz-checksum-crc64nvme".to_owned(), "OOJZ0D8xKts=".to_owned())]);
    }

    #[test]
    fn a_checksum_the_caller_gave_is_kept_and_an_unknown_algorithm_refused() {
        let given = checksummed(&[("x-amz-checksum-crc32c", "given")], "body").unwrap();
        assert_eq!(given, [("x-amz-checksum-crc32c".to_owned(), "given".to_owned())]);
        let error = checksummed(&[("x-amz-sdk-checksum-algorithm", "XXHASH3")], "body").unwrap_err();
        assert!(error.to_string().contains("CRC32, CRC32C"), "{error}");
    }
}
