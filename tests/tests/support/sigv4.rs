//! An independent SigV4 verifier (RFC-style, from AWS's published algorithm, on hmac + sha2),
//! so the client's signatures are checked by code that shares nothing with `aws-sigv4`.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

pub struct Signed<'a> {
    pub method: &'a str,
    /// The path and query exactly as received.
    pub target: &'a str,
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
}

/// The payload hash of an aws-chunked body, unsigned, with a trailing checksum.
pub const TRAILER_PAYLOAD: &str = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

/// The payload hash of a request whose body is an input event stream, each event signed alone.
pub const EVENT_STREAM_PAYLOAD: &str = "STREAMING-AWS4-HMAC-SHA256-EVENTS";

/// The payload hashes of an aws-chunked body whose chunks are signed, without and with a trailer.
pub const SIGNED_CHUNKS: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
pub const SIGNED_CHUNKS_TRAILER: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";

/// An aws-chunked body decoded: its data and its trailer's `name:value` lines (without the
/// trailer's signature).
pub struct AwsChunked {
    pub data: Vec<u8>,
    pub trailer: Vec<String>,
    /// How many chunk signatures were checked (the empty chunk's too).
    pub signed_chunks: usize,
}

/// Decodes an aws-chunked body as S3 does, checking what S3 checks: the framing, the decoded
/// length the headers said, the trailer the headers announced and its CRC32, and, when the
/// request says its chunks are signed, each chunk's signature chained from the request's and the
/// trailer's signature, computed here from the published algorithm.
pub fn decode_aws_chunked(headers: &[(String, String)], mut raw: &[u8], secret: &str) -> Result<AwsChunked, String> {
    let header = |name: &str| headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
    let signed = matches!(header("x-amz-content-sha256"), Some(SIGNED_CHUNKS | SIGNED_CHUNKS_TRAILER));
    let authorization = header("authorization").unwrap_or_default();
    let mut previous = authorization.rsplit_once("Signature=").map(|(_, s)| s.to_owned()).unwrap_or_default();
    let scope = authorization.split_once("Credential=").and_then(|(_, c)| c.split_once(',')?.0.split_once('/'));
    let scope = scope.map(|(_, scope)| scope.to_owned()).unwrap_or_default();
    let amz_date = header("x-amz-date").unwrap_or_default().to_owned();
    let mut key = format!("AWS4{secret}").into_bytes();
    for part in scope.split('/') {
        key = hmac(&key, part.as_bytes());
    }
    let mut sign = |kind: &str, hashes: String| {
        let string_to_sign = format!("AWS4-HMAC-SHA256-{kind}\n{amz_date}\n{scope}\n{previous}\n{hashes}");
        previous = hex(&hmac(&key, string_to_sign.as_bytes()));
        previous.clone()
    };
    let empty = hex(&Sha256::digest(b""));
    let (mut data, mut signed_chunks) = (Vec::new(), 0);
    loop {
        let line_end = raw.windows(2).position(|w| w == b"\r\n").ok_or("a chunk's size line has no end")?;
        let line = std::str::from_utf8(&raw[..line_end]).map_err(|_| "a size line is not text")?;
        let (size, signature) = line.split_once(";chunk-signature=").unwrap_or((line, ""));
        let size = usize::from_str_radix(size, 16).map_err(|_| format!("bad chunk size {size:?}"))?;
        raw = &raw[line_end + 2..];
        let chunk = raw.get(..size).ok_or("a chunk is shorter than its size")?;
        if signed {
            let expected = sign("PAYLOAD", format!("{empty}\n{}", hex(&Sha256::digest(chunk))));
            if signature != expected {
                return Err(format!("chunk {signed_chunks}'s signature {signature:?} is not {expected}"));
            }
            signed_chunks += 1;
        }
        if size == 0 {
            break;
        }
        data.extend_from_slice(chunk);
        if raw.get(size..size + 2) != Some(b"\r\n") {
            return Err("a chunk does not end in CRLF".into());
        }
        raw = &raw[size + 2..];
    }
    let text = std::str::from_utf8(raw).map_err(|_| "the trailer is not text")?;
    let lines: Vec<&str> = text.strip_suffix("\r\n").ok_or("no final CRLF")?.split_terminator("\r\n").collect();
    let (mut trailer, mut trailer_signature) = (Vec::new(), None);
    for line in lines {
        match line.strip_prefix("x-amz-trailer-signature:") {
            Some(signature) => trailer_signature = Some(signature.to_owned()),
            None => trailer.push(line.to_owned()),
        }
    }
    if header("x-amz-decoded-content-length") != Some(data.len().to_string().as_str()) {
        return Err(format!("x-amz-decoded-content-length is not the {} bytes sent", data.len()));
    }
    if let Some(announced) = header("x-amz-trailer") {
        let value = trailer.iter().find_map(|line| line.strip_prefix(&format!("{announced}:")));
        let value = value.ok_or(format!("the trailer lacks the announced {announced}"))?;
        if announced == "x-amz-checksum-crc32" {
            let mut crc = flate2::Crc::new();
            crc.update(&data);
            if value != base64(&crc.sum().to_be_bytes()) {
                return Err(format!("the trailer's CRC32 {value} is not the data's"));
            }
        }
        if signed {
            let canonical: String = trailer.iter().map(|line| format!("{line}\n")).collect();
            let expected = sign("TRAILER", hex(&Sha256::digest(canonical.as_bytes())));
            if trailer_signature.as_deref() != Some(expected.as_str()) {
                return Err(format!("the trailer's signature {trailer_signature:?} is not {expected}"));
            }
        }
    }
    Ok(AwsChunked { data, trailer, signed_chunks })
}

pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    bytes
        .chunks(3)
        .flat_map(|chunk| {
            let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
            (0..4)
                .map(move |i| if i <= chunk.len() { ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char } else { '=' })
        })
        .collect()
}

/// The signature (hex) of an input event stream's message, computed here from the published
/// algorithm: `date_header` is the message's encoded `:date` header, `payload` the event it wraps
/// (empty for the end of the stream), `previous` the signature before it (the request's first).
pub fn event_signature(
    secret: &str,
    (amz_date, scope): (&str, &str),
    previous: &str,
    date_header: &[u8],
    payload: &[u8],
) -> String {
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256-PAYLOAD\n{amz_date}\n{scope}\n{previous}\n{}\n{}",
        hex(&Sha256::digest(date_header)),
        hex(&Sha256::digest(payload))
    );
    let mut key = format!("AWS4{secret}").into_bytes();
    for part in scope.split('/') {
        key = hmac(&key, part.as_bytes());
    }
    hex(&hmac(&key, string_to_sign.as_bytes()))
}

/// Ok when the request's `Authorization` is the signature of the request with this secret.
pub fn verify(request: &Signed, secret: &str) -> Result<(), String> {
    let header =
        |name: &str| request.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
    let authorization = header("authorization").ok_or("no authorization header")?;
    let (algorithm, rest) = authorization.split_once(' ').ok_or("no algorithm")?;
    let asymmetric = match algorithm {
        "AWS4-HMAC-SHA256" => false,
        "AWS4-ECDSA-P256-SHA256" => true,
        other => return Err(format!("{other} is not AWS4-HMAC-SHA256 nor SigV4a's")),
    };
    let part =
        |key: &str| rest.split(", ").find_map(|p| p.strip_prefix(key)).ok_or(format!("authorization lacks {key}"));
    let credential = part("Credential=")?;
    let signed_headers = part("SignedHeaders=")?;
    let signature = part("Signature=")?;
    let (access_key_id, scope) = credential.split_once('/').ok_or("credential has no scope")?;
    // SigV4a's scope has no region: it signs for the set in `x-amz-region-set`.
    let region_set = header("x-amz-region-set").unwrap_or_default().to_owned();
    let mut parts: Vec<&str> = scope.split('/').collect();
    if asymmetric {
        parts.insert(1, &region_set);
    }
    let [date, region, service, terminator]: [&str; 4] = parts.try_into().map_err(|_| "bad scope")?;
    if terminator != "aws4_request" {
        return Err("scope does not end in aws4_request".into());
    }
    let amz_date = header("x-amz-date").ok_or("no x-amz-date")?;
    if !amz_date.starts_with(date) {
        return Err("x-amz-date and credential date differ".into());
    }
    let required: &[&str] =
        if asymmetric { &["host", "x-amz-date", "x-amz-region-set"] } else { &["host", "x-amz-date"] };
    for required in required {
        if !signed_headers.split(';').any(|h| h == *required) {
            return Err(format!("{required} is not signed"));
        }
    }

    // S3 signs its path as sent and its body's hash as the `x-amz-content-sha256` it requires.
    let s3 = service == "s3" || service == "s3express";
    let body_hash = hex(&Sha256::digest(request.body));
    let payload_hash = match header("x-amz-content-sha256") {
        Some(hash)
            if [body_hash.as_str(), "UNSIGNED-PAYLOAD", EVENT_STREAM_PAYLOAD, TRAILER_PAYLOAD, SIGNED_CHUNKS]
                .contains(&hash)
                || hash == SIGNED_CHUNKS_TRAILER =>
        {
            hash.to_owned()
        }
        Some(hash) => return Err(format!("x-amz-content-sha256 {hash} is not the body's")),
        None if s3 => return Err("S3 requires x-amz-content-sha256".into()),
        None => body_hash,
    };
    if s3 && !signed_headers.split(';').any(|h| h == "x-amz-content-sha256") {
        return Err("x-amz-content-sha256 is not signed".into());
    }
    let (path, query) = request.target.split_once('?').unwrap_or((request.target, ""));
    let canonical_headers: String = signed_headers
        .split(';')
        .map(|name| {
            let value = header(name).unwrap_or_default();
            format!("{name}:{}\n", value.split_whitespace().collect::<Vec<_>>().join(" "))
        })
        .collect();
    let canonical_request = [
        request.method.to_owned(),
        // Every AWS service but S3 encodes the (already encoded) path once more.
        if s3 { path.to_owned() } else { encode(path, true) },
        canonical_query(query),
        canonical_headers,
        signed_headers.to_owned(),
        payload_hash,
    ]
    .join("\n");
    let string_to_sign =
        format!("{algorithm}\n{amz_date}\n{scope}\n{}", hex(&Sha256::digest(canonical_request.as_bytes())));
    if asymmetric {
        let der: Vec<u8> = (0..signature.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&signature[i..i + 2], 16))
            .collect::<Result<_, _>>()
            .map_err(|_| "the signature is not hex")?;
        let signature = p256::ecdsa::Signature::from_der(&der).map_err(|_| "the signature is not DER ECDSA")?;
        use p256::ecdsa::signature::Verifier;
        return match sigv4a_public_key(access_key_id, secret).verify(string_to_sign.as_bytes(), &signature) {
            Ok(()) => Ok(()),
            Err(_) => Err(format!("SigV4a signature mismatch; canonical request was:\n{canonical_request}")),
        };
    }
    let mut key = format!("AWS4{secret}").into_bytes();
    for part in [date, region, service, "aws4_request"] {
        key = hmac(&key, part.as_bytes());
    }
    let expected = hex(&hmac(&key, string_to_sign.as_bytes()));
    if expected == signature {
        Ok(())
    } else {
        Err(format!("signature mismatch; canonical request was:\n{canonical_request}"))
    }
}

/// The public key of the SigV4a key of these credentials, derived here from the published
/// algorithm (NIST SP 800-108 counter-mode KDF on HMAC-SHA256; the first output `c <= n - 2`
/// gives the private scalar `c + 1`).
pub fn sigv4a_public_key(access_key_id: &str, secret: &str) -> p256::ecdsa::VerifyingKey {
    use p256::elliptic_curve::{Field, PrimeField};
    const LABEL: &[u8] = b"AWS4-ECDSA-P256-SHA256";
    for counter in 1..=255u8 {
        let mut fixed = 1u32.to_be_bytes().to_vec();
        fixed.extend_from_slice(LABEL);
        fixed.push(0);
        fixed.extend_from_slice(access_key_id.as_bytes());
        fixed.push(counter);
        fixed.extend_from_slice(&256u32.to_be_bytes());
        let candidate = hmac(format!("AWS4A{secret}").as_bytes(), &fixed);
        let candidate: [u8; 32] = candidate.try_into().unwrap();
        // c <= n - 2 exactly when c + 1 is a scalar (below n) that is not zero.
        let Some(c) = Option::<p256::Scalar>::from(p256::Scalar::from_repr(candidate.into())) else { continue };
        let d = c + p256::Scalar::ONE;
        if bool::from(d.is_zero()) {
            continue;
        }
        let secret = p256::SecretKey::from_bytes(&d.to_repr()).unwrap();
        return p256::ecdsa::VerifyingKey::from(secret.public_key());
    }
    panic!("no key in 255 tries")
}

/// Ok with the credential scope (`20240102/us-west-2/ec2/aws4_request`) when a presigned URL's
/// `X-Amz-Signature` is the signature of a `method` request for it with this secret (only the
/// host signed, as a URL carries no other header; the body's hash empty or `UNSIGNED-PAYLOAD`).
#[allow(dead_code)]
pub fn verify_presigned(method: &str, url: &str, secret: &str) -> Result<String, String> {
    let rest = url.split_once("://").ok_or("not a URL")?.1;
    let (host, target) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let (path, query) = target.split_once('?').ok_or("no query")?;
    let param = |name: &str| {
        query
            .split('&')
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
            .map(decode)
            .ok_or(format!("no {name}"))
    };
    let (credential, amz_date, signature) =
        (param("X-Amz-Credential")?, param("X-Amz-Date")?, param("X-Amz-Signature")?);
    if param("X-Amz-SignedHeaders")? != "host" {
        return Err("a URL can sign only its host".into());
    }
    let scope = credential.split_once('/').ok_or("credential has no scope")?.1.to_owned();
    let [date, region, service, _]: [&str; 4] =
        scope.split('/').collect::<Vec<_>>().try_into().map_err(|_| "bad scope")?;
    let unsigned: Vec<&str> = query.split('&').filter(|pair| !pair.starts_with("X-Amz-Signature=")).collect();
    let mut key = format!("AWS4{secret}").into_bytes();
    for part in [date, region, service, "aws4_request"] {
        key = hmac(&key, part.as_bytes());
    }
    for payload_hash in [hex(&Sha256::digest(b"")), "UNSIGNED-PAYLOAD".to_owned()] {
        let canonical_request = [
            method.to_owned(),
            encode(path, true),
            canonical_query(&unsigned.join("&")),
            format!("host:{host}\n"),
            "host".to_owned(),
            payload_hash,
        ]
        .join("\n");
        let string_to_sign =
            format!("AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}", hex(&Sha256::digest(canonical_request.as_bytes())));
        if hex(&hmac(&key, string_to_sign.as_bytes())) == signature {
            return Ok(scope);
        }
    }
    Err("signature mismatch".into())
}

fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (encode(&decode(k), false), encode(&decode(v), false))
        })
        .collect();
    pairs.sort();
    pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
}

fn encode(text: &str, keep_slash: bool) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || (keep_slash && b == b'/') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&text[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn matches_the_aws_documentation_example() {
    // The GET example of AWS's "Create a signed AWS API request" documentation (IAM ListUsers).
    let headers = vec![
        ("host".to_owned(), "iam.amazonaws.com".to_owned()),
        ("content-type".to_owned(), "application/x-www-form-urlencoded; charset=utf-8".to_owned()),
        ("x-amz-date".to_owned(), "20150830T123600Z".to_owned()),
        ("authorization".to_owned(), "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7".to_owned()),
    ];
    let request =
        Signed { method: "GET", target: "/?Action=ListUsers&Version=2010-05-08", headers: &headers, body: b"" };
    assert_eq!(verify(&request, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), Ok(()));
    assert!(verify(&request, "wrong").is_err());
}
