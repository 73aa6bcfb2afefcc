//! AWS Signature Version 4 on `ring` (HMAC-SHA256, SHA-256): header signing and presigned
//! (query-signed) URLs, over a plain description of the request. It replaced the `aws-sigv4`
//! crate stack; checked byte for byte against both public SigV4 test suites (see the tests at
//! the end). SigV4a (ECDSA P-256, `Settings::asymmetric`, behind the `sigv4a` feature) shares
//! the canonical request and string to sign; its key and signatures are in `sigv4a`.
//!
//! The request's URI is what goes on the wire: its path and query are already percent-encoded
//! (raw bytes that are not, such as a space or UTF-8, are encoded here too).

// Presigning and the S3 settings are not used by the client yet (S3 and `.presigned()` come later).
#![cfg_attr(not(test), allow(dead_code))]

use crate::time::{DateTime, TimestampFormat};
use ring::{digest, hmac};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub(crate) const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// The payload hash of a request whose body is not signed (S3 presigned URLs, streaming bodies).
pub(crate) const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// Headers never signed: the signature itself, and what proxies and clients change or drop on
/// the way (the union of what the AWS SDKs skip: botocore, Go, Java, JS and smithy-rs).
const UNSIGNED_HEADERS: &[&str] =
    &["authorization", "connection", "expect", "transfer-encoding", "user-agent", "x-amzn-trace-id"];
/// Also left out of a presigned URL's signature (as smithy-rs does): the URL is sent by others.
const UNSIGNED_HEADERS_PRESIGNED: &[&str] = &["x-amz-user-agent", "x-amz-checksum-mode"];

/// What the canonical request says of the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Payload<'a> {
    /// The hex SHA-256 of the body (the default).
    Hash,
    /// `UNSIGNED-PAYLOAD`.
    Unsigned,
    /// A hash (or marker such as `STREAMING-UNSIGNED-PAYLOAD-TRAILER`) computed elsewhere.
    Precomputed(&'a str),
}

/// How a service wants its requests signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Settings<'a> {
    /// Remove `.` and `..` segments and empty segments (`//`) from the path. True, but S3: false.
    pub normalize_path: bool,
    /// Percent-encode the (already encoded) path once more. True, but S3: false.
    pub double_encode_path: bool,
    pub payload: Payload<'a>,
    /// Header signing: add and sign `x-amz-content-sha256` with the payload hash (S3 needs it).
    pub sign_body: bool,
    /// Leave the session token out of the signature and add it afterwards (a few services).
    pub omit_session_token: bool,
    /// How long a presigned URL is valid (`X-Amz-Expires`).
    pub expires_in: Duration,
    /// SigV4a: the params' `region` is the region set (`us-east-1,us-west-2`, `*`), sent in
    /// `X-Amz-Region-Set` and left out of the scope; signed with ECDSA P-256.
    pub asymmetric: bool,
}

impl Default for Settings<'_> {
    fn default() -> Self {
        Settings {
            normalize_path: true,
            double_encode_path: true,
            payload: Payload::Hash,
            sign_body: false,
            omit_session_token: false,
            expires_in: Duration::from_secs(900),
            asymmetric: false,
        }
    }
}

impl Settings<'_> {
    /// What S3 wants: the path as sent, and a signed `x-amz-content-sha256`.
    pub(crate) fn s3() -> Self {
        Settings { normalize_path: false, double_encode_path: false, sign_body: true, ..Settings::default() }
    }
}

/// Who signs, for which region and service, when, and how.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SigningParams<'a> {
    pub access_key_id: &'a str,
    pub secret_access_key: &'a str,
    pub session_token: Option<&'a str>,
    pub region: &'a str,
    pub service: &'a str,
    pub time: SystemTime,
    pub settings: Settings<'a>,
}

impl<'a> SigningParams<'a> {
    /// Signing with `credentials` for `service` in `region`, as of `time`.
    pub(crate) fn new(
        credentials: &'a crate::credentials::Credentials,
        (region, service): (&'a str, &'a str),
        time: SystemTime,
        settings: Settings<'a>,
    ) -> Self {
        SigningParams {
            access_key_id: &credentials.access_key_id,
            secret_access_key: &credentials.secret_access_key,
            session_token: credentials.session_token.as_deref(),
            region,
            service,
            time,
            settings,
        }
    }
}

/// The request to sign. `uri` is `/path?query`, or an absolute URL (then its authority is the
/// `host` when `headers` has none). Header names are matched without regard to case; repeated
/// names are signed as one header with the values joined by `,`, in order.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SignableRequest<'a> {
    pub method: &'a str,
    pub uri: &'a str,
    pub headers: &'a [(&'a str, &'a str)],
    pub body: &'a [u8],
}

/// A signature and what to add to the request to carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Signed {
    pub canonical_request: String,
    pub string_to_sign: String,
    /// Lowercase hex HMAC-SHA256.
    pub signature: String,
    /// Header signing: headers to set on the request, replacing any of the same name, in this
    /// order: `x-amz-security-token`, `x-amz-date`, `x-amz-content-sha256`, `authorization`.
    pub headers: Vec<(&'static str, String)>,
    /// Query signing: parameters (not yet encoded) to append to the query, in this order:
    /// `X-Amz-Algorithm`, `-Credential`, `-Date`, `-SignedHeaders`, `-Expires`,
    /// `-Security-Token`, `-Signature`. See [`append_query`].
    pub query: Vec<(&'static str, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SigningError(String);

impl fmt::Display for SigningError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SigningError {}

/// Signs in headers: `Authorization`, `X-Amz-Date`, and as asked `X-Amz-Security-Token` and
/// `X-Amz-Content-Sha256` (see [`Signed::headers`]).
pub(crate) fn sign_headers(request: &SignableRequest<'_>, params: &SigningParams<'_>) -> Result<Signed, SigningError> {
    let settings = &params.settings;
    let (amz_date, scope) = date_and_scope(params)?;
    let payload_hash = payload_hash(request.body, settings.payload);
    let signed_token = params.session_token.filter(|_| !settings.omit_session_token);

    // The signer's own headers replace any the request already has.
    let mut set_here: Vec<&str> = vec!["x-amz-date", "authorization"];
    if params.session_token.is_some() {
        set_here.push("x-amz-security-token");
    }
    if settings.sign_body {
        set_here.push("x-amz-content-sha256");
    }
    if settings.asymmetric {
        set_here.push("x-amz-region-set");
    }
    let mut extra: Vec<(&str, &str)> = vec![("x-amz-date", &amz_date)];
    if settings.asymmetric {
        extra.push(("x-amz-region-set", params.region));
    }
    if let Some(token) = signed_token {
        extra.push(("x-amz-security-token", token));
    }
    if settings.sign_body {
        extra.push(("x-amz-content-sha256", &payload_hash));
    }
    let headers = CanonicalHeaders::new(request, &set_here, &extra, UNSIGNED_HEADERS);

    let (path, query) = split_uri(request.uri).1;
    let canonical_request = canonical_request(
        request.method,
        &canonical_uri(path, settings),
        &canonical_query(query, &[]),
        &headers,
        &payload_hash,
    );
    let (string_to_sign, signature) = sign_string(params, &amz_date, &scope, &canonical_request)?;

    let mut out = Vec::new();
    if let Some(token) = params.session_token {
        out.push(("x-amz-security-token", token.to_owned()));
    }
    out.push(("x-amz-date", amz_date.clone()));
    if settings.sign_body {
        out.push(("x-amz-content-sha256", payload_hash.clone()));
    }
    if settings.asymmetric {
        out.push(("x-amz-region-set", params.region.to_owned()));
    }
    let authorization = format!(
        "{} Credential={}/{scope}, SignedHeaders={}, Signature={signature}",
        algorithm(settings),
        params.access_key_id,
        headers.signed
    );
    out.push(("authorization", authorization));
    Ok(Signed { canonical_request, string_to_sign, signature, headers: out, query: Vec::new() })
}

/// Signs in the query, for a presigned URL valid for `settings.expires_in`: the parameters to
/// append are [`Signed::query`]; [`append_query`] writes them onto the URI.
pub(crate) fn presign(request: &SignableRequest<'_>, params: &SigningParams<'_>) -> Result<Signed, SigningError> {
    let settings = &params.settings;
    let (amz_date, scope) = date_and_scope(params)?;
    let payload_hash = payload_hash(request.body, settings.payload);
    let unsigned: Vec<&str> = UNSIGNED_HEADERS.iter().chain(UNSIGNED_HEADERS_PRESIGNED).copied().collect();
    let headers = CanonicalHeaders::new(request, &[], &[], &unsigned);

    let credential = format!("{}/{scope}", params.access_key_id);
    let expires = settings.expires_in.as_secs().to_string();
    let mut query = vec![
        ("X-Amz-Algorithm", algorithm(settings).to_owned()),
        ("X-Amz-Credential", credential),
        ("X-Amz-Date", amz_date.clone()),
        ("X-Amz-SignedHeaders", headers.signed.clone()),
        ("X-Amz-Expires", expires),
    ];
    if let Some(token) = params.session_token {
        query.push(("X-Amz-Security-Token", token.to_owned()));
    }
    if settings.asymmetric {
        query.push(("X-Amz-Region-Set", params.region.to_owned()));
    }
    let signed_params: Vec<(&str, String)> = query
        .iter()
        .filter(|(name, _)| !(settings.omit_session_token && *name == "X-Amz-Security-Token"))
        .cloned()
        .collect();

    let (path, existing) = split_uri(request.uri).1;
    let canonical_request = canonical_request(
        request.method,
        &canonical_uri(path, settings),
        &canonical_query(existing, &signed_params),
        &headers,
        &payload_hash,
    );
    let (string_to_sign, signature) = sign_string(params, &amz_date, &scope, &canonical_request)?;
    query.push(("X-Amz-Signature", signature.clone()));
    Ok(Signed { canonical_request, string_to_sign, signature, headers: Vec::new(), query })
}

/// The presigned URL of `request`: its `uri` with the signature's parameters in botocore's order
/// (its expiry before the signed headers, the session token after them, the signature last), so
/// that a URL is byte for byte botocore's.
pub(crate) fn presigned_url(request: &SignableRequest<'_>, params: &SigningParams<'_>) -> Result<String, SigningError> {
    let mut signed = presign(request, params)?;
    in_botocore_order(&mut signed.query);
    Ok(append_query(request.uri, &signed.query))
}

fn in_botocore_order(query: &mut [(&str, String)]) {
    const ORDER: [&str; 8] = [
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Date",
        "X-Amz-Expires",
        "X-Amz-SignedHeaders",
        "X-Amz-Security-Token",
        "X-Amz-Region-Set",
        "X-Amz-Signature",
    ];
    query.sort_by_key(|(name, _)| ORDER.iter().position(|known| known == name));
}

/// `uri` with `params` appended to its query, each name and value percent-encoded.
pub(crate) fn append_query(uri: &str, params: &[(&str, String)]) -> String {
    let mut out = uri.to_owned();
    let mut separator = if uri.contains('?') {
        if uri.ends_with(['?', '&']) {
            ""
        } else {
            "&"
        }
    } else {
        "?"
    };
    for (name, value) in params {
        out.push_str(separator);
        out.push_str(&encode(name.as_bytes(), false));
        out.push('=');
        out.push_str(&encode(value.as_bytes(), false));
        separator = "&";
    }
    out
}

/// `20150830T123600Z` and `20150830/us-east-1/service/aws4_request`.
pub(crate) fn date_and_scope(params: &SigningParams<'_>) -> Result<(String, String), SigningError> {
    let secs = params
        .time
        .duration_since(UNIX_EPOCH)
        .map_err(|_| SigningError("the signing time is before 1970".to_owned()))?
        .as_secs();
    let secs = i64::try_from(secs).map_err(|_| SigningError("the signing time is out of range".to_owned()))?;
    // `2015-08-30T12:36:00Z` -> `20150830T123600Z`
    let amz_date: String = DateTime::from_secs(secs).format(TimestampFormat::DateTime).replace(['-', ':'], "");
    if amz_date.len() != 16 {
        return Err(SigningError(format!("the signing time {amz_date} has no 4-digit year")));
    }
    let scope = match params.settings.asymmetric {
        true => format!("{}/{}/aws4_request", &amz_date[..8], params.service),
        false => format!("{}/{}/{}/aws4_request", &amz_date[..8], params.region, params.service),
    };
    Ok((amz_date, scope))
}

fn payload_hash(body: &[u8], payload: Payload<'_>) -> String {
    match payload {
        Payload::Hash => hex(digest::digest(&digest::SHA256, body).as_ref()),
        Payload::Unsigned => UNSIGNED_PAYLOAD.to_owned(),
        Payload::Precomputed(hash) => hash.to_owned(),
    }
}

fn canonical_request(method: &str, uri: &str, query: &str, headers: &CanonicalHeaders, payload_hash: &str) -> String {
    format!("{method}\n{uri}\n{query}\n{}\n{}\n{payload_hash}", headers.canonical, headers.signed)
}

/// `AWS4-HMAC-SHA256`, or SigV4a's `AWS4-ECDSA-P256-SHA256`.
fn algorithm(settings: &Settings<'_>) -> &'static str {
    match settings.asymmetric {
        true => "AWS4-ECDSA-P256-SHA256",
        false => ALGORITHM,
    }
}

/// The string to sign and the signature.
fn sign_string(
    params: &SigningParams<'_>,
    amz_date: &str,
    scope: &str,
    canonical_request: &str,
) -> Result<(String, String), SigningError> {
    let hashed = hex(digest::digest(&digest::SHA256, canonical_request.as_bytes()).as_ref());
    let string_to_sign = format!("{}\n{amz_date}\n{scope}\n{hashed}", algorithm(&params.settings));
    if params.settings.asymmetric {
        #[cfg(feature = "sigv4a")]
        return Ok((
            string_to_sign.clone(),
            crate::sigv4a::sign(params.access_key_id, params.secret_access_key, &string_to_sign),
        ));
        #[cfg(not(feature = "sigv4a"))]
        return Err(SigningError("SigV4a signing needs the runtime's `sigv4a` feature".to_owned()));
    }
    let signature = hex(sign_with_key(params, &amz_date[..8], scope, string_to_sign.as_bytes()).as_ref());
    Ok((string_to_sign, signature))
}

/// `data` signed with the key of this secret and scope. Deriving the key takes four HMACs whose
/// result changes once a day, so each thread keeps the last key it derived (a key for one day,
/// region and service, not the secret; it stays until the thread ends), found again by the scope
/// and a SHA-256 of the secret. A thread alternating between scopes derives each time.
pub(crate) fn sign_with_key(params: &SigningParams<'_>, day: &str, scope: &str, data: &[u8]) -> hmac::Tag {
    thread_local! {
        static LAST: RefCell<Option<(digest::Digest, String, hmac::Key)>> = const { RefCell::new(None) };
    }
    let secret = format!("AWS4{}", params.secret_access_key);
    let derive = || {
        let mac = |key: &[u8], data: &str| hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data.as_bytes());
        let k_date = mac(secret.as_bytes(), day);
        let k_region = mac(k_date.as_ref(), params.region);
        let k_service = mac(k_region.as_ref(), params.service);
        hmac::Key::new(hmac::HMAC_SHA256, mac(k_service.as_ref(), "aws4_request").as_ref())
    };
    let fingerprint = digest::digest(&digest::SHA256, secret.as_bytes());
    let kept = LAST.try_with(|last| {
        let mut last = last.borrow_mut();
        match &*last {
            Some((seen, seen_scope, key)) if seen.as_ref() == fingerprint.as_ref() && seen_scope == scope => {
                hmac::sign(key, data)
            }
            _ => {
                let key = derive();
                let tag = hmac::sign(&key, data);
                *last = Some((fingerprint, scope.to_owned(), key));
                tag
            }
        }
    });
    // Only while the thread's locals are being torn down is there nothing to keep a key in.
    kept.unwrap_or_else(|_| hmac::sign(&derive(), data))
}

/// The authority of an absolute URL (or `None`), and the path and the query (without `?`).
fn split_uri(uri: &str) -> (Option<&str>, (&str, &str)) {
    let uri = uri.split_once('#').map_or(uri, |(before, _)| before);
    let (authority, rest) = match uri.split_once("://") {
        Some((scheme, rest)) if !scheme.is_empty() && !scheme.contains(['/', '?']) => {
            let end = rest.find(['/', '?']).unwrap_or(rest.len());
            (Some(&rest[..end]), &rest[end..])
        }
        _ => (None, uri),
    };
    (authority, rest.split_once('?').unwrap_or((rest, "")))
}

/// The `host` of an absolute URL: no user info, no default port.
fn host_of(uri: &str) -> Option<String> {
    let authority = split_uri(uri).0?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    let scheme = uri.split_once("://").map(|(scheme, _)| scheme.to_ascii_lowercase());
    let host = match (scheme.as_deref(), authority.rsplit_once(':')) {
        (Some("https"), Some((host, "443"))) | (Some("http"), Some((host, "80"))) => host,
        _ => authority,
    };
    Some(host.to_owned())
}

fn canonical_uri(path: &str, settings: &Settings<'_>) -> String {
    let path = if path.is_empty() { "/" } else { path };
    let normalized;
    let path = if settings.normalize_path {
        normalized = normalize_path(path);
        normalized.as_str()
    } else {
        path
    };
    if settings.double_encode_path {
        encode(path.as_bytes(), true)
    } else {
        encode_keeping_escapes(path.as_bytes())
    }
}

/// RFC 3986 5.2.4 "remove dot segments", and empty segments dropped; a trailing slash stays.
fn normalize_path(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            segment => segments.push(segment),
        }
    }
    let mut out = format!("/{}", segments.join("/"));
    let trailing_slash = ["/", "/.", "/.."].iter().any(|end| path.ends_with(end));
    if trailing_slash && !out.ends_with('/') {
        out.push('/');
    }
    out
}

/// Each name and value decoded, then encoded per RFC 3986; sorted by name, then value.
fn canonical_query(query: &str, extra: &[(&str, String)]) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (encode(&decode(name), false), encode(&decode(value), false))
        })
        .collect();
    pairs.extend(extra.iter().map(|(name, value)| (encode(name.as_bytes(), false), encode(value.as_bytes(), false))));
    pairs.sort();
    pairs.iter().map(|(name, value)| format!("{name}={value}")).collect::<Vec<_>>().join("&")
}

struct CanonicalHeaders {
    /// `name:value\n` for each signed header, sorted by name.
    canonical: String,
    /// `host;x-amz-date`
    signed: String,
}

impl CanonicalHeaders {
    /// The request's headers but those named in `replaced` (the signer sets them) and in
    /// `unsigned`, plus `extra`, plus `host` from an absolute URI when there is none.
    fn new(request: &SignableRequest<'_>, replaced: &[&str], extra: &[(&str, &str)], unsigned: &[&str]) -> Self {
        let mut headers: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (name, value) in request.headers {
            let name = name.to_ascii_lowercase();
            if unsigned.contains(&name.as_str()) || replaced.contains(&name.as_str()) {
                continue;
            }
            headers.entry(name).or_default().push(normalize_value(value));
        }
        for (name, value) in extra {
            headers.insert((*name).to_owned(), vec![normalize_value(value)]);
        }
        if !headers.contains_key("host") {
            if let Some(host) = host_of(request.uri) {
                headers.insert("host".to_owned(), vec![host]);
            }
        }
        let canonical = headers.iter().map(|(name, values)| format!("{name}:{}\n", values.join(","))).collect();
        let signed = headers.keys().map(String::as_str).collect::<Vec<_>>().join(";");
        CanonicalHeaders { canonical, signed }
    }
}

/// Line breaks (obsolete line folding) become a space, runs of spaces one space, and the ends
/// lose their spaces. Only spaces: other whitespace is kept, as S3 expects.
fn normalize_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut after_break = false;
    for c in value.chars() {
        let c = match c {
            '\r' | '\n' => {
                after_break = true;
                ' '
            }
            '\t' if after_break => ' ',
            c => {
                after_break = after_break && c == ' ';
                c
            }
        };
        if c == ' ' && (out.is_empty() || out.ends_with(' ')) {
            continue;
        }
        out.push(c);
    }
    while out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Percent-encodes every byte but RFC 3986's unreserved ones (and `/` in a path), as `%XY`.
fn encode(bytes: &[u8], path: bool) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') || (path && b == b'/') {
            out.push(char::from(b));
        } else {
            push_escape(&mut out, b);
        }
    }
    out
}

/// Like `encode` for a path, but an existing `%XY` escape stays as it is (single encoding).
fn encode_keeping_escapes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for (i, &b) in bytes.iter().enumerate() {
        let escape =
            b == b'%' && bytes.len() > i + 2 && bytes[i + 1].is_ascii_hexdigit() && bytes[i + 2].is_ascii_hexdigit();
        if escape || b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            push_escape(&mut out, b);
        }
    }
    out
}

fn push_escape(out: &mut String, b: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push('%');
    out.push(char::from(HEX[usize::from(b >> 4)]));
    out.push(char::from(HEX[usize::from(b & 15)]));
}

/// `%XY` escapes decoded; anything else (including a `%` that starts no escape) kept.
fn decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex_digit = |b: u8| char::from(b).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(high), Some(low)) = (hex_digit(bytes[i + 1]), hex_digit(bytes[i + 2])) {
                out.push((high * 16 + low) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 15)]));
    }
    out
}

#[cfg(test)]
mod tests {
    //! Both public SigV4 suites, every case, byte for byte (a file's one final newline aside):
    //! `../../shared/sigv4-tests` from this crate (see its SOURCE.md).

    use super::*;
    use std::path::{Path, PathBuf};

    const AKID: &str = "AKIDEXAMPLE";
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    #[test]
    fn the_kept_signing_key_is_always_the_one_derived_for_this_secret_day_region_and_service() {
        let derived = |secret: &str, day: &str, region: &str, service: &str| {
            let mac = |key: &[u8], data: &str| hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data.as_bytes());
            let key = mac(format!("AWS4{secret}").as_bytes(), day);
            let key = mac(mac(mac(key.as_ref(), region).as_ref(), service).as_ref(), "aws4_request");
            mac(key.as_ref(), "data").as_ref().to_vec()
        };
        let calls = [
            ("s1", "20261129", "us-east-1", "sts"),
            ("s1", "20261129", "us-east-1", "sts"),
            ("s2", "20261129", "us-east-1", "sts"),
            ("s1", "20261130", "us-east-1", "sts"),
            ("s1", "20261130", "eu-west-1", "sts"),
            ("s1", "20261130", "eu-west-1", "iam"),
            ("s1", "20261129", "us-east-1", "sts"),
        ];
        for (secret, day, region, service) in calls {
            let params = SigningParams {
                access_key_id: "AKID",
                secret_access_key: secret,
                session_token: None,
                region,
                service,
                time: SystemTime::UNIX_EPOCH,
                settings: Settings::default(),
            };
            let kept = sign_with_key(&params, day, &format!("{day}/{region}/{service}/aws4_request"), b"data");
            assert_eq!(kept.as_ref(), derived(secret, day, region, service), "{secret} {day} {region} {service}");
        }
    }

    fn suites() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/sigv4-tests")
    }

    /// A request as the suites write it: request line, headers (a line starting with a space or
    /// tab continues the value before), blank line, body.
    #[derive(Debug, Clone, PartialEq, Eq)]
    struct Req {
        method: String,
        /// The request target, without the ` HTTP/1.1` (which some signed requests leave out).
        target: String,
        /// Names as written; values as written after the `:` (continuations joined by `\n`).
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    }

    fn parse_request(bytes: &[u8]) -> Req {
        let text = String::from_utf8(bytes.to_vec()).expect("a UTF-8 request").replace("\r\n", "\n");
        let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
        let mut lines = head.lines();
        let request_line = lines.next().unwrap_or_default();
        let (method, rest) = request_line.split_once(' ').unwrap_or((request_line, ""));
        let target = match rest.rsplit_once(' ') {
            Some((target, version)) if version.starts_with("HTTP/") => target,
            _ => rest,
        };
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in lines {
            if line.starts_with([' ', '\t']) {
                let last = headers.last_mut().expect("a continuation line after a header");
                last.1.push('\n');
                last.1.push_str(line);
            } else if let Some((name, value)) = line.split_once(':') {
                headers.push((name.to_owned(), value.to_owned()));
            } else if !line.is_empty() {
                panic!("not a header line: {line:?}");
            }
        }
        Req { method: method.to_owned(), target: target.to_owned(), headers, body: body.as_bytes().to_vec() }
    }

    /// The request as the signer leaves it: its headers set in place (or appended), in order.
    fn with_headers(req: &Req, signed: &Signed) -> Req {
        let mut out = req.clone();
        for (name, value) in &signed.headers {
            match out.headers.iter().position(|(n, _)| n.eq_ignore_ascii_case(name)) {
                Some(first) => {
                    out.headers[first].1 = value.clone();
                    let mut i = 0;
                    out.headers.retain(|(n, _)| {
                        i += 1;
                        i - 1 <= first || !n.eq_ignore_ascii_case(name)
                    });
                }
                None => out.headers.push(((*name).to_owned(), value.clone())),
            }
        }
        out
    }

    fn with_query(req: &Req, signed: &Signed) -> Req {
        Req { target: append_query(&req.target, &signed.query), ..req.clone() }
    }

    /// What HTTP says two requests share: method, target, body byte for byte; header names
    /// without regard to case, values without the spaces around them, and the order of the
    /// values of one name (headers of different names may come in any order).
    fn comparable(req: &Req) -> Req {
        let mut headers: Vec<(String, String)> = req
            .headers
            .iter()
            .map(|(name, value)| (name.to_ascii_lowercase(), value.trim_matches([' ', '\t']).to_owned()))
            .collect();
        headers.sort_by(|a, b| a.0.cmp(&b.0));
        Req { headers, ..req.clone() }
    }

    fn read(path: &Path) -> Option<String> {
        let text = std::fs::read_to_string(path).ok()?.replace("\r\n", "\n");
        Some(text.strip_suffix('\n').map(str::to_owned).unwrap_or(text))
    }

    fn time(text: &str) -> SystemTime {
        let secs = DateTime::parse(text, TimestampFormat::DateTime).unwrap().secs();
        UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).unwrap())
    }

    #[derive(Default)]
    struct Case {
        checks: usize,
        failures: Vec<String>,
        /// Expectations of the suite not compared, and why.
        not_checked: Vec<&'static str>,
    }

    impl Case {
        fn check(&mut self, what: &str, expected: Option<String>, actual: &str) {
            if let Some(expected) = expected {
                self.checks += 1;
                if expected != actual {
                    self.failures.push(format!("{what}:\n--- expected\n{expected}\n--- actual\n{actual}\n---"));
                }
            }
        }

        fn check_request(&mut self, what: &str, expected: Option<Vec<u8>>, actual: &Req) {
            if let Some(expected) = expected {
                self.checks += 1;
                let (expected, actual) = (comparable(&parse_request(&expected)), comparable(actual));
                if expected != actual {
                    self.failures.push(format!("{what}:\n--- expected\n{expected:#?}\n--- actual\n{actual:#?}\n---"));
                }
            }
        }
    }

    fn header_pairs(req: &Req) -> Vec<(&str, &str)> {
        req.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect()
    }

    /// Which expectations a run compares: canonical request, string to sign, signature, signed
    /// request (each only where the suite has the file).
    #[derive(Clone, Copy)]
    struct Checks {
        creq: bool,
        sts: bool,
        signature: bool,
        signed_request: bool,
    }
    const ALL: Checks = Checks { creq: true, sts: true, signature: true, signed_request: true };

    fn run_v4_headers(case: &mut Case, dir: &Path, req: &Req, params: &SigningParams<'_>, checks: Checks) {
        let headers = header_pairs(req);
        let signable = SignableRequest { method: &req.method, uri: &req.target, headers: &headers, body: &req.body };
        let signed = sign_headers(&signable, params).unwrap();
        let file = |name: &str, on: bool| if on { read(&dir.join(name)) } else { None };
        case.check(
            "header canonical request",
            file("header-canonical-request.txt", checks.creq),
            &signed.canonical_request,
        );
        case.check("header string to sign", file("header-string-to-sign.txt", checks.sts), &signed.string_to_sign);
        case.check("header signature", file("header-signature.txt", checks.signature), &signed.signature);
        let expected = file("header-signed-request.txt", checks.signed_request).map(String::into_bytes);
        case.check_request("header-signed request", expected, &with_headers(req, &signed));
    }

    fn run_v4_query(case: &mut Case, dir: &Path, req: &Req, params: &SigningParams<'_>) {
        if !dir.join("query-canonical-request.txt").exists() {
            return;
        }
        let headers = header_pairs(req);
        let signable = SignableRequest { method: &req.method, uri: &req.target, headers: &headers, body: &req.body };
        let signed = presign(&signable, params).unwrap();
        case.check(
            "query canonical request",
            read(&dir.join("query-canonical-request.txt")),
            &signed.canonical_request,
        );
        case.check("query string to sign", read(&dir.join("query-string-to-sign.txt")), &signed.string_to_sign);
        case.check("query signature", read(&dir.join("query-signature.txt")), &signed.signature);
        let expected = read(&dir.join("query-signed-request.txt")).map(String::into_bytes);
        case.check_request("query-signed request", expected, &with_query(req, &signed));
    }

    /// A case's `context.json`: its credentials, scope, time and flags.
    struct Context {
        akid: String,
        secret: String,
        token: Option<String>,
        region: String,
        service: String,
        time: SystemTime,
        settings: Settings<'static>,
    }

    impl Context {
        fn read(dir: &Path) -> Result<Option<Context>, String> {
            let Some(context) = read(&dir.join("context.json")) else { return Ok(None) };
            let context: serde_json::Value = serde_json::from_str(&context).map_err(|e| e.to_string())?;
            let text = |v: &serde_json::Value, what: &str| v.as_str().map(str::to_owned).ok_or(format!("no {what}"));
            let credentials = &context["credentials"];
            let flag = |key: &str, default: bool| context[key].as_bool().unwrap_or(default);
            Ok(Some(Context {
                akid: text(&credentials["access_key_id"], "access key")?,
                secret: text(&credentials["secret_access_key"], "secret key")?,
                token: credentials["token"].as_str().map(str::to_owned),
                region: text(&context["region"], "region")?,
                service: text(&context["service"], "service")?,
                time: time(&text(&context["timestamp"], "timestamp")?),
                settings: Settings {
                    normalize_path: flag("normalize", true),
                    sign_body: flag("sign_body", false),
                    omit_session_token: flag("omit_session_token", false),
                    expires_in: Duration::from_secs(context["expiration_in_seconds"].as_u64().unwrap_or(900)),
                    ..Settings::default()
                },
            }))
        }

        fn params(&self) -> SigningParams<'_> {
            SigningParams {
                access_key_id: &self.akid,
                secret_access_key: &self.secret,
                session_token: self.token.as_deref(),
                region: &self.region,
                service: &self.service,
                time: self.time,
                settings: self.settings,
            }
        }
    }

    /// A v4a case: the canonical requests and strings to sign byte for byte, the derived public
    /// key the case's, and each signature (ECDSA: the suite's are random, ours deterministic)
    /// verified with that key, ours and the suite's; the signed requests equal but for it.
    #[cfg(feature = "sigv4a")]
    fn run_v4a_case(dir: &Path) -> Result<Case, String> {
        use p256::ecdsa::signature::Verifier;
        use p256::ecdsa::{Signature, VerifyingKey};
        let req = parse_request(&std::fs::read(dir.join("request.txt")).map_err(|e| e.to_string())?);
        let context = Context::read(dir)?.ok_or("no context.json")?;
        let mut params = context.params();
        params.settings.asymmetric = true;
        let (akid, secret) = (&context.akid, &context.secret);
        let text = |v: &serde_json::Value| v.as_str().map(str::to_owned).ok_or("a missing text field");
        let public: serde_json::Value =
            serde_json::from_str(&read(&dir.join("public-key.json")).ok_or("no public-key.json")?)
                .map_err(|e| e.to_string())?;
        let (x, y) = (text(&public["X"])?, text(&public["Y"])?);
        let derived = crate::sigv4a::signing_key(akid, secret).verifying_key().to_encoded_point(false);
        let mut case = Case::default();
        let derived_xy = format!("{} {}", hex(derived.x().unwrap()), hex(derived.y().unwrap()));
        case.check("derived public key", Some(format!("{x} {y}")), &derived_xy);
        let key = VerifyingKey::from_encoded_point(&derived).map_err(|e| e.to_string())?;
        let unhex = |text: &str| (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16)).collect();
        let verifies = |string_to_sign: &str, signature: &str| {
            let der: Result<Vec<u8>, _> = unhex(signature.trim());
            let signature = der.ok().and_then(|der| Signature::from_der(&der).ok());
            match signature.map(|signature| key.verify(string_to_sign.as_bytes(), &signature)) {
                Some(Ok(())) => "verifies",
                _ => "does not verify",
            }
        };
        let headers = header_pairs(&req);
        let signable = SignableRequest { method: &req.method, uri: &req.target, headers: &headers, body: &req.body };
        for form in ["header", "query"] {
            let file = |name: &str| read(&dir.join(format!("{form}-{name}")));
            let signed = match form {
                "header" => sign_headers(&signable, &params),
                _ => presign(&signable, &params),
            };
            let signed = signed.map_err(|e| e.to_string())?;
            case.check(&format!("{form} canonical request"), file("canonical-request.txt"), &signed.canonical_request);
            case.check(&format!("{form} string to sign"), file("string-to-sign.txt"), &signed.string_to_sign);
            let verified = Some("verifies".to_owned());
            case.check(
                &format!("{form} signature (ours)"),
                verified.clone(),
                verifies(&signed.string_to_sign, &signed.signature),
            );
            if let Some(theirs) = file("signature.txt") {
                case.check(
                    &format!("{form} signature (the suite's)"),
                    verified,
                    verifies(&signed.string_to_sign, &theirs),
                );
            }
            // The suite's signed request with its (random) signature swapped for ours.
            let (marker, end) = if form == "header" { ("Signature=", '\n') } else { ("X-Amz-Signature=", ' ') };
            let expected = file("signed-request.txt").map(|text| {
                let (before, after) = text.split_once(marker).unwrap_or((&text, ""));
                let rest = after.find(end).map_or("", |at| &after[at..]);
                format!("{before}{marker}{}{rest}", signed.signature).into_bytes()
            });
            let actual = if form == "header" { with_headers(&req, &signed) } else { with_query(&req, &signed) };
            case.check_request(&format!("{form}-signed request"), expected, &actual);
        }
        Ok(case)
    }

    /// The smithy-rs copy of the CRT suite (`aws-signing-test-suite/v4`).
    fn run_v4_case(name: &str, dir: &Path) -> Result<Case, String> {
        if name == "get-space-normalized" {
            return Err("request.txt was edited downstream (smithy-rs wrote `/example%20space/` for the CRT's \
                        `/example space/`, which its signed-request files still show) while the expected files \
                        were made from the raw space; double encoding of the edited path gives `%2520`. smithy-rs \
                        ignores this case too. The raw-space input is covered by get-space-unnormalized and by \
                        aws4_testsuite normalize-path/get-space"
                .to_owned());
        }
        let req = parse_request(&std::fs::read(dir.join("request.txt")).map_err(|e| e.to_string())?);
        let mut case = Case::default();
        let base = SigningParams {
            access_key_id: AKID,
            secret_access_key: SECRET,
            session_token: None,
            region: "us-east-1",
            service: "service",
            time: time("2015-08-30T12:36:00Z"),
            settings: Settings::default(),
        };
        match Context::read(dir)? {
            Some(context) => {
                let params = context.params();
                run_v4_headers(&mut case, dir, &req, &params, ALL);
                run_v4_query(&mut case, dir, &req, &params);
            }
            // Two cases smithy-rs added without a context.json; its own tests give their parameters.
            None if name == "double-url-encode" => {
                // smithy-rs checks only the canonical request (time 20210511T154045Z); the string
                // to sign and the signed request name us-east-2 and lambda, signed as AKIDEXAMPLE.
                let params = SigningParams {
                    region: "us-east-2",
                    service: "lambda",
                    time: time("2021-05-11T15:40:45Z"),
                    ..base
                };
                run_v4_headers(&mut case, dir, &req, &params, ALL);
            }
            None if name == "double-encode-path" => {
                // The canonical request is made at 20210511T154045Z (smithy-rs `test_double_url_encode_path`),
                // the signed request at 20150830T123600Z by smithy-rs's test credentials
                // (`test_sign_url_escape`): ANOTREAL / notrealrnrELgWzOk3IfjzDKtFBhDby.
                let at_2021 = SigningParams { time: time("2021-05-11T15:40:45Z"), ..base };
                let creq_only = Checks { creq: true, sts: false, signature: false, signed_request: false };
                run_v4_headers(&mut case, dir, &req, &at_2021, creq_only);
                let anotreal = SigningParams {
                    access_key_id: "ANOTREAL",
                    secret_access_key: "notrealrnrELgWzOk3IfjzDKtFBhDby",
                    ..base
                };
                let request_only = Checks { creq: false, sts: false, signature: false, signed_request: true };
                run_v4_headers(&mut case, dir, &req, &anotreal, request_only);
                case.not_checked.push("string to sign, signature: the case has no such files");
            }
            None => return Err("no context.json, and no known parameters".to_owned()),
        }
        Ok(case)
    }

    /// botocore's copy of the classic suite (`aws4_testsuite/<case>/<case>.req` and so on).
    fn run_aws4_case(name: &str, dir: &Path, root: &Path) -> Result<Case, String> {
        let file = |ext: &str| dir.join(format!("{name}.{ext}"));
        let req = parse_request(&std::fs::read(file("req")).map_err(|e| e.to_string())?);
        // post-sts-token/readme.txt: the token is its last line; "before" signs it, "after"
        // adds it after signing.
        let token = match name {
            "post-sts-header-before" | "post-sts-header-after" => {
                let readme = read(&root.join("post-sts-token/readme.txt")).ok_or("no post-sts-token/readme.txt")?;
                Some(readme.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or_default().trim().to_owned())
            }
            // The suite gives this token only inside .creq and .sreq; the other SDKs' harnesses
            // (aws-sdk-ruby's, for one) set it, as the CRT suite's context.json does.
            "get-vanilla-with-session-token" => {
                Some("6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267".to_owned())
            }
            _ => None,
        };
        let params = SigningParams {
            access_key_id: AKID,
            secret_access_key: SECRET,
            session_token: token.as_deref(),
            region: "us-east-1",
            service: "service",
            time: time("2015-08-30T12:36:00Z"),
            settings: Settings { omit_session_token: name == "post-sts-header-after", ..Settings::default() },
        };
        let headers = header_pairs(&req);
        let signable = SignableRequest { method: &req.method, uri: &req.target, headers: &headers, body: &req.body };
        let signed = sign_headers(&signable, &params).unwrap();
        let mut case = Case::default();
        case.check("canonical request (.creq)", read(&file("creq")), &signed.canonical_request);
        case.check("string to sign (.sts)", read(&file("sts")), &signed.string_to_sign);
        let authorization = signed.headers.iter().find(|(n, _)| *n == "authorization").map(|(_, v)| v.as_str());
        case.check("Authorization (.authz)", read(&file("authz")), authorization.unwrap_or_default());
        if name == "get-vanilla-with-session-token" {
            // Its .authz (and .creq, .sts) sign the token: 07ec1639…; its .sreq carries get-vanilla's
            // signature 5fa00fa3… under `SignedHeaders=host;x-amz-date;x-amz-security-token`.
            case.not_checked.push(".sreq: it contradicts the case's own .authz (it has get-vanilla's signature)");
        } else {
            case.check_request(
                "signed request (.sreq)",
                std::fs::read(file("sreq")).ok(),
                &with_headers(&req, &signed),
            );
        }
        Ok(case)
    }

    fn case_dirs(dir: &Path) -> Vec<(String, PathBuf)> {
        let mut dirs: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.is_dir())
            .map(|path| (path.file_name().unwrap().to_string_lossy().into_owned(), path))
            .collect();
        dirs.sort();
        dirs
    }

    /// The classic suite nests some cases (normalize-path/, post-sts-token/): a case is a
    /// folder holding `<folder>.req`.
    fn aws4_cases(dir: &Path, out: &mut Vec<(String, PathBuf)>) {
        for (name, path) in case_dirs(dir) {
            if path.join(format!("{name}.req")).exists() {
                out.push((name.clone(), path.clone()));
            }
            aws4_cases(&path, out);
        }
    }

    #[derive(Default)]
    struct Tally {
        cases: usize,
        passed: usize,
        skipped: Vec<(String, String)>,
        failed: Vec<(String, Vec<String>)>,
        partial: Vec<(String, &'static str)>,
        /// Expectations compared (canonical request, string to sign, signature, signed request...).
        checks: usize,
    }

    impl Tally {
        fn add(&mut self, name: &str, outcome: Result<Case, String>) {
            self.cases += 1;
            if let Ok(case) = &outcome {
                self.checks += case.checks;
                self.partial.extend(case.not_checked.iter().map(|why| (name.to_owned(), *why)));
            }
            match outcome {
                Err(reason) => self.skipped.push((name.to_owned(), reason)),
                Ok(case) if case.checks == 0 => self.skipped.push((name.to_owned(), "no expectation files".to_owned())),
                Ok(case) if case.failures.is_empty() => self.passed += 1,
                Ok(case) => self.failed.push((name.to_owned(), case.failures)),
            }
        }
    }

    #[test]
    fn sigv4_test_suites() {
        let root = suites();
        // The suites live in `../shared` beside the checkout; CI always has it.
        if !root.is_dir() {
            assert!(std::env::var_os("CI").is_none(), "CI needs {} beside the checkout", root.display());
            eprintln!("skipped: no {} beside this checkout", root.display());
            return;
        }
        let mut tallies: Vec<(&str, Tally)> = Vec::new();

        let mut v4 = Tally::default();
        for (name, dir) in case_dirs(&root.join("aws-signing-test-suite/v4")) {
            v4.add(&name, run_v4_case(&name, &dir));
        }
        tallies.push(("aws-signing-test-suite/v4", v4));

        let mut v4a = Tally::default();
        for (name, _dir) in case_dirs(&root.join("aws-signing-test-suite/v4a")) {
            #[cfg(feature = "sigv4a")]
            v4a.add(&name, run_v4a_case(&_dir));
            #[cfg(not(feature = "sigv4a"))]
            v4a.add(&name, Err("SigV4a needs the runtime's `sigv4a` feature".to_owned()));
        }
        tallies.push(("aws-signing-test-suite/v4a", v4a));

        let mut aws4 = Tally::default();
        let aws4_root = root.join("aws4_testsuite");
        let mut cases = Vec::new();
        aws4_cases(&aws4_root, &mut cases);
        for (name, dir) in cases {
            aws4.add(&name, run_aws4_case(&name, &dir, &aws4_root));
        }
        tallies.push(("aws4_testsuite", aws4));

        println!("{:<28} {:>5} {:>6} {:>7} {:>6} {:>7}", "suite", "cases", "passed", "skipped", "failed", "checks");
        for (suite, tally) in &tallies {
            let (cases, passed, skipped, failed) = (tally.cases, tally.passed, tally.skipped.len(), tally.failed.len());
            println!("{suite:<28} {cases:>5} {passed:>6} {skipped:>7} {failed:>6} {:>7}", tally.checks);
        }
        let mut failures = 0;
        for (suite, tally) in &tallies {
            for (name, reason) in &tally.skipped {
                println!("skipped {suite}/{name}: {reason}");
            }
            for (name, why) in &tally.partial {
                println!("not compared in {suite}/{name}: {why}");
            }
            for (name, problems) in &tally.failed {
                failures += 1;
                println!("FAILED {suite}/{name}:\n{}", problems.join("\n"));
            }
        }
        assert!(tallies.iter().all(|(_, t)| t.cases > 0), "a suite has no cases: is {} there?", root.display());
        assert_eq!(failures, 0, "{failures} case(s) failed (see above)");
    }

    fn params(settings: Settings<'static>) -> SigningParams<'static> {
        SigningParams {
            access_key_id: AKID,
            secret_access_key: SECRET,
            session_token: None,
            region: "us-east-1",
            service: "s3",
            time: time("2015-08-30T12:36:00Z"),
            settings,
        }
    }

    #[test]
    fn sigv4_s3_settings_keep_the_path_and_sign_the_body_hash() {
        let headers = [("Host", "bucket.s3.amazonaws.com")];
        let request = SignableRequest { method: "PUT", uri: "/a//b/../c%2Fd%20e", headers: &headers, body: b"x" };
        let signed = sign_headers(&request, &params(Settings::s3())).unwrap();
        let body_hash = "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881";
        let mut lines = signed.canonical_request.lines();
        assert_eq!(lines.next(), Some("PUT"));
        assert_eq!(lines.next(), Some("/a//b/../c%2Fd%20e"));
        assert!(signed.canonical_request.contains(&format!("x-amz-content-sha256:{body_hash}\n")));
        assert!(signed.canonical_request.ends_with(&format!("host;x-amz-content-sha256;x-amz-date\n{body_hash}")));
        let names: Vec<&str> = signed.headers.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["x-amz-date", "x-amz-content-sha256", "authorization"]);

        let precomputed =
            Settings { payload: Payload::Precomputed("STREAMING-UNSIGNED-PAYLOAD-TRAILER"), ..Settings::s3() };
        let streaming = sign_headers(&request, &params(precomputed)).unwrap();
        assert!(streaming.canonical_request.ends_with("\nSTREAMING-UNSIGNED-PAYLOAD-TRAILER"));
        assert_eq!(streaming.headers[1], ("x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER".to_owned()));

        let default = sign_headers(&request, &params(Settings::default())).unwrap();
        assert_eq!(default.canonical_request.lines().nth(1), Some("/a/c%252Fd%2520e"));
    }

    #[test]
    fn sigv4_presigned_url_unsigned_payload_and_host_from_url() {
        let settings = Settings { payload: Payload::Unsigned, expires_in: Duration::from_secs(60), ..Settings::s3() };
        let params = SigningParams { session_token: Some("tok/en+"), ..params(settings) };
        let uri = "https://bucket.s3.amazonaws.com:443/key?versionId=1";
        let request = SignableRequest { method: "GET", uri, headers: &[("User-Agent", "me")], body: b"" };
        let signed = presign(&request, &params).unwrap();
        assert!(signed.canonical_request.ends_with("\nhost:bucket.s3.amazonaws.com\n\nhost\nUNSIGNED-PAYLOAD"));
        let url = append_query(uri, &signed.query);
        let expected = format!(
            "{uri}&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fs3%2Faws4_request\
             &X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=60&X-Amz-Security-Token=tok%2Fen%2B\
             &X-Amz-Signature={}",
            signed.signature
        );
        assert_eq!(url, expected);
        assert!(signed
            .canonical_request
            .contains("&X-Amz-Security-Token=tok%2Fen%2B&X-Amz-SignedHeaders=host&versionId=1\n"));
    }

    #[test]
    fn sigv4_header_values_and_paths() {
        assert_eq!(normalize_value("  a   b\n   c\t d  "), "a b c\t d");
        assert_eq!(normalize_path("/a/./b/../../c/"), "/c/");
        assert_eq!(normalize_path("/a/b/.."), "/a/");
        assert_eq!(normalize_path("//"), "/");
        assert_eq!(encode_keeping_escapes(b"/a%2Fb c%zz"), "/a%2Fb%20c%25zz");
        assert_eq!(decode("%E1%88%B4%2"), "\u{1234}%2".as_bytes());
        assert_eq!(host_of("http://u@h:80/x"), Some("h".to_owned()));
        assert_eq!(host_of("https://h:8443"), Some("h:8443".to_owned()));
        assert_eq!(host_of("/x"), None);
    }
}
