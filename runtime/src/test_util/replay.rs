//! Recorded HTTP traffic: [`Replay`] plays it back as the transport, refusing any request that is
//! not the next one recorded; [`Recorder`] records what another transport sends and gets.
//!
//! A request matches its recording when the method, path, query parameters (in any order), the
//! host (if the recording names one), the body (JSON and form bodies compared by value) and
//! every header the recording lists are the same. Headers that change on every run (signature,
//! date, user agent, invocation id) are never compared and never recorded.

use crate::error::{TransportError, TransportErrorKind};
use crate::fields::{FieldValue, FieldWriter, ReadFields, WriteFields};
use crate::http::{BoxFuture, HttpClient, HttpResponse};
use bytes::Bytes;
use serde::de::MapAccess;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

/// Headers that differ on every run or hold secrets.
const VOLATILE_HEADERS: [&str; 9] = [
    "authorization",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-content-sha256",
    "user-agent",
    "x-amz-user-agent",
    "amz-sdk-invocation-id",
    "amz-sdk-request",
    "content-length",
];

/// One request and the response it got. Bodies are text (JSON, XML, form).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Exchange {
    pub request: RecordedRequest,
    pub response: RecordedResponse,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecordedRequest {
    pub method: String,
    /// Absolute (`https://host/path?query`), or just the path and query to match any host.
    pub uri: String,
    /// Headers the request must have, with these values.
    pub headers: BTreeMap<String, String>,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecordedResponse {
    pub status: u16,
    pub headers: BTreeMap<String, String>,
    pub body: String,
}

// Recordings as JSON; empty headers and bodies are left out.

impl ReadFields for Exchange {
    fn read_field<'de, A: MapAccess<'de>>(&mut self, name: &str, value: FieldValue<'_, A>) -> Result<(), A::Error> {
        match name {
            "request" => value.read(&mut self.request),
            "response" => value.read(&mut self.response),
            _ => value.skip(),
        }
    }
}

impl WriteFields for Exchange {
    fn write_fields<W: FieldWriter>(&self, out: &mut W) -> Result<(), W::Error> {
        out.field("request", &self.request)?;
        out.field("response", &self.response)
    }
}

impl ReadFields for RecordedRequest {
    fn read_field<'de, A: MapAccess<'de>>(&mut self, name: &str, value: FieldValue<'_, A>) -> Result<(), A::Error> {
        match name {
            "method" => value.read(&mut self.method),
            "uri" => value.read(&mut self.uri),
            "headers" => value.read(&mut self.headers),
            "body" => value.read(&mut self.body),
            _ => value.skip(),
        }
    }
}

impl WriteFields for RecordedRequest {
    fn write_fields<W: FieldWriter>(&self, out: &mut W) -> Result<(), W::Error> {
        out.field("method", &self.method)?;
        out.field("uri", &self.uri)?;
        out.optional("headers", &Some(&self.headers).filter(|h| !h.is_empty()))?;
        out.optional("body", &Some(&self.body).filter(|b| !b.is_empty()))
    }
}

impl ReadFields for RecordedResponse {
    fn read_field<'de, A: MapAccess<'de>>(&mut self, name: &str, value: FieldValue<'_, A>) -> Result<(), A::Error> {
        match name {
            "status" => value.read(&mut self.status),
            "headers" => value.read(&mut self.headers),
            "body" => value.read(&mut self.body),
            _ => value.skip(),
        }
    }
}

impl WriteFields for RecordedResponse {
    fn write_fields<W: FieldWriter>(&self, out: &mut W) -> Result<(), W::Error> {
        out.field("status", &self.status)?;
        out.optional("headers", &Some(&self.headers).filter(|h| !h.is_empty()))?;
        out.optional("body", &Some(&self.body).filter(|b| !b.is_empty()))
    }
}

crate::deserialize_fields!(Exchange);
crate::serialize_fields!(Exchange);
crate::deserialize_fields!(RecordedRequest);
crate::serialize_fields!(RecordedRequest);
crate::deserialize_fields!(RecordedResponse);
crate::serialize_fields!(RecordedResponse);

impl Exchange {
    /// `request` answered with a response of `status` and `body` (JSON, XML...).
    pub fn new(request: RecordedRequest, status: u16, body: impl Into<String>) -> Self {
        Exchange { request, response: RecordedResponse { status, headers: BTreeMap::new(), body: body.into() } }
    }

    /// The same exchange, its response with this header too.
    pub fn response_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.response.headers.insert(name.to_ascii_lowercase(), value.into());
        self
    }
}

impl RecordedRequest {
    /// A request with this method and URI, no body, and no header to check.
    pub fn new(method: &str, uri: impl Into<String>) -> Self {
        RecordedRequest { method: method.to_owned(), uri: uri.into(), headers: BTreeMap::new(), body: String::new() }
    }

    /// The same request with this body.
    pub fn body(mut self, body: impl Into<String>) -> Self {
        self.body = body.into();
        self
    }

    /// The same request, which must also have this header.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.insert(name.to_ascii_lowercase(), value.into());
        self
    }

    /// A request as sent, without its volatile headers.
    fn from_http(request: &http::Request<Bytes>) -> Self {
        let headers = request
            .headers()
            .iter()
            .filter(|(name, _)| !VOLATILE_HEADERS.contains(&name.as_str()))
            .map(|(name, value)| (name.to_string(), String::from_utf8_lossy(value.as_bytes()).into_owned()));
        RecordedRequest {
            method: request.method().to_string(),
            uri: request.uri().to_string(),
            headers: headers.collect(),
            body: String::from_utf8_lossy(request.body()).into_owned(),
        }
    }

    /// How `actual` differs from this recording; empty when it matches.
    fn differences(&self, actual: &http::Request<Bytes>) -> Vec<String> {
        let mut found = Vec::new();
        if !self.method.eq_ignore_ascii_case(actual.method().as_str()) {
            found.push(format!("method: expected {}, got {}", self.method, actual.method()));
        }
        match self.uri.parse::<http::Uri>() {
            Ok(expected) => found.extend(uri_differences(&expected, actual.uri())),
            Err(_) => found.push(format!("the recorded URI {:?} is not a URI", self.uri)),
        }
        for (name, value) in self.headers.iter().filter(|(name, _)| !VOLATILE_HEADERS.contains(&name.as_str())) {
            let got = actual.headers().get(name.as_str()).map(|v| String::from_utf8_lossy(v.as_bytes()));
            if got.as_deref() != Some(value.as_str()) {
                found.push(format!("header {name}: expected {value:?}, got {got:?}"));
            }
        }
        let content_type = actual.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
        if !same_body(self.body.as_bytes(), actual.body(), content_type) {
            let got = String::from_utf8_lossy(actual.body());
            found.push(format!("body: expected {}, got {}", shorten(&self.body), shorten(&got)));
        }
        found
    }
}

fn uri_differences(expected: &http::Uri, actual: &http::Uri) -> Vec<String> {
    let mut found = Vec::new();
    if expected.authority().is_some()
        && (expected.scheme(), expected.authority()) != (actual.scheme(), actual.authority())
    {
        found.push(format!(
            "host: expected {}://{}, got {}://{}",
            expected.scheme_str().unwrap_or(""),
            expected.authority().map_or("", |a| a.as_str()),
            actual.scheme_str().unwrap_or(""),
            actual.authority().map_or("", |a| a.as_str())
        ));
    }
    if expected.path() != actual.path() {
        found.push(format!("path: expected {}, got {}", expected.path(), actual.path()));
    }
    if sorted_pairs(expected.query().unwrap_or("")) != sorted_pairs(actual.query().unwrap_or("")) {
        found.push(format!(
            "query: expected {:?}, got {:?}",
            expected.query().unwrap_or(""),
            actual.query().unwrap_or("")
        ));
    }
    found
}

/// A query string or form body as its parameters, in order: order carries no meaning.
fn sorted_pairs(text: &str) -> Vec<&str> {
    let mut pairs: Vec<&str> = text.split('&').filter(|pair| !pair.is_empty()).collect();
    pairs.sort_unstable();
    pairs
}

/// Bodies are the same when their bytes are, or as JSON values or form parameters: a recording
/// made by another SDK may order keys differently.
fn same_body(expected: &[u8], actual: &[u8], content_type: &str) -> bool {
    if expected == actual {
        return true;
    }
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let text = |bytes| std::str::from_utf8(bytes).unwrap_or("");
        return sorted_pairs(text(expected)) == sorted_pairs(text(actual));
    }
    matches!((json(expected), json(actual)), (Some(a), Some(b)) if a == b)
}

/// A JSON body's value; an empty body is `{}`, as some SDKs send an empty input.
fn json(body: &[u8]) -> Option<serde_json::Value> {
    match body.is_empty() {
        true => Some(serde_json::json!({})),
        false => serde_json::from_slice(body).ok(),
    }
}

/// Bodies in messages are cut, so that a large one keeps the message readable.
fn shorten(text: &str) -> String {
    const MAX: usize = 2000;
    match text.char_indices().nth(MAX) {
        Some((end, _)) => format!("{:?}… ({} bytes)", &text[..end], text.len()),
        None => format!("{text:?}"),
    }
}

/// A transport that answers with recorded responses, in order, each once. A request that is not
/// the next one recorded fails the call with [`TransportErrorKind::Refused`] saying how it
/// differs (not retried), and [`Replay::assert_all_used`] fails the test afterwards. Use it as
/// a config's transport: `ConfigBuilder::http_client(replay.clone().into_http_client())`.
#[derive(Clone)]
pub struct Replay {
    state: Arc<Mutex<ReplayState>>,
}

struct ReplayState {
    exchanges: Vec<Exchange>,
    /// How many exchanges were played.
    played: usize,
    /// Every request received, matching or not, as recorded.
    received: Vec<RecordedRequest>,
    refused: Vec<String>,
}

impl fmt::Debug for Replay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        write!(f, "Replay({} of {} exchanges played)", state.played, state.exchanges.len())
    }
}

impl Replay {
    pub fn new(exchanges: impl IntoIterator<Item = Exchange>) -> Self {
        let state = ReplayState {
            exchanges: exchanges.into_iter().collect(),
            played: 0,
            received: Vec::new(),
            refused: Vec::new(),
        };
        Replay { state: Arc::new(Mutex::new(state)) }
    }

    /// From a recording: a JSON array of exchanges, as [`Recorder::to_json`] writes it.
    pub fn from_json(json: &str) -> Result<Self, serde_json::Error> {
        Ok(Replay::new(serde_json::from_str::<Vec<Exchange>>(json)?))
    }

    /// This replay as the transport of a config: `ConfigBuilder::http_client(replay.into_http_client())`.
    pub fn into_http_client(self) -> Arc<dyn HttpClient> {
        Arc::new(self)
    }

    /// Every request received so far, matching or not (volatile headers left out).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.lock().received.clone()
    }

    /// Panics if a request was refused or a recorded exchange was not played.
    pub fn assert_all_used(&self) {
        let state = self.lock();
        assert!(state.refused.is_empty(), "the replay refused requests:\n{}", state.refused.join("\n"));
        let left = &state.exchanges[state.played..];
        let listed: Vec<String> = left.iter().map(|e| format!("{} {}", e.request.method, e.request.uri)).collect();
        assert!(left.is_empty(), "recorded requests never sent:\n  {}", listed.join("\n  "));
    }

    fn play(&self, request: &http::Request<Bytes>) -> Result<HttpResponse, TransportError> {
        let mut state = self.lock();
        state.received.push(RecordedRequest::from_http(request));
        let number = state.played + 1;
        let refuse = |state: &mut ReplayState, why: String| {
            let message = format!("unexpected request #{number} ({} {}): {why}", request.method(), request.uri());
            state.refused.push(message.clone());
            Err(TransportError::new(TransportErrorKind::Refused, message))
        };
        let Some(exchange) = state.exchanges.get(state.played) else {
            let why = format!("all {} recorded exchanges were played", state.exchanges.len());
            return refuse(&mut state, why);
        };
        let differences = exchange.request.differences(request);
        if !differences.is_empty() {
            return refuse(&mut state, differences.join("; "));
        }
        let response = response(&exchange.response);
        state.played += 1;
        response
    }

    fn lock(&self) -> MutexGuard<'_, ReplayState> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn response(recorded: &RecordedResponse) -> Result<HttpResponse, TransportError> {
    let mut headers = http::HeaderMap::new();
    for (name, value) in &recorded.headers {
        let bad = |_| {
            TransportError::new(TransportErrorKind::Refused, format!("the recorded header {name} is not valid HTTP"))
        };
        let name = http::HeaderName::from_bytes(name.as_bytes()).map_err(|e| bad(e.to_string()))?;
        headers.append(name, value.parse().map_err(|e: http::header::InvalidHeaderValue| bad(e.to_string()))?);
    }
    let body = Bytes::from(recorded.body.clone().into_bytes());
    Ok(HttpResponse { status: recorded.status, headers, body: body.into() })
}

impl HttpClient for Replay {
    fn call(&self, request: http::Request<Bytes>) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        let result = self.play(&request);
        Box::pin(async move { result })
    }
}

/// A transport that passes requests to another one and records each exchange, for
/// [`Replay`] to play back later. Volatile headers (signature, date, token) are not recorded.
#[derive(Clone)]
pub struct Recorder {
    inner: Arc<dyn HttpClient>,
    exchanges: Arc<Mutex<Vec<Exchange>>>,
}

impl fmt::Debug for Recorder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recorder").field("inner", &self.inner).finish_non_exhaustive()
    }
}

impl Recorder {
    pub fn new(inner: Arc<dyn HttpClient>) -> Self {
        Recorder { inner, exchanges: Arc::default() }
    }

    /// This recorder as the transport of a config.
    pub fn into_http_client(self) -> Arc<dyn HttpClient> {
        Arc::new(self)
    }

    pub fn exchanges(&self) -> Vec<Exchange> {
        self.exchanges.lock().map(|exchanges| exchanges.clone()).unwrap_or_default()
    }

    /// The recording as [`Replay::from_json`] reads it.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.exchanges()).unwrap_or_default()
    }
}

impl HttpClient for Recorder {
    fn call(&self, request: http::Request<Bytes>) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(async move {
            let recorded = RecordedRequest::from_http(&request);
            let reply = self.inner.call(request).await?.read(usize::MAX).await?;
            let headers = reply
                .headers
                .iter()
                .map(|(name, value)| (name.to_string(), String::from_utf8_lossy(value.as_bytes()).into_owned()));
            let response = RecordedResponse {
                status: reply.status,
                headers: headers.collect(),
                body: String::from_utf8_lossy(&reply.body).into_owned(),
            };
            if let Ok(mut exchanges) = self.exchanges.lock() {
                exchanges.push(Exchange { request: recorded, response });
            }
            Ok(HttpResponse { status: reply.status, headers: reply.headers, body: reply.body.into() })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(method: &str, uri: &str, headers: &[(&str, &str)], body: &str) -> http::Request<Bytes> {
        let mut request = http::Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.body(Bytes::copy_from_slice(body.as_bytes())).unwrap()
    }

    #[test]
    fn order_and_volatile_headers_carry_no_meaning() {
        let recorded = RecordedRequest::new("POST", "/p?b=2&a=1")
            .header("x-amz-target", "T")
            .header("authorization", "AWS4-HMAC-SHA256 old")
            .body(r#"{"a": 1, "b": [1, 2]}"#);
        let actual = sent(
            "POST",
            "https://h/p?a=1&b=2",
            &[("x-amz-target", "T"), ("authorization", "AWS4-HMAC-SHA256 new")],
            r#"{"b":[1,2],"a":1}"#,
        );
        assert_eq!(recorded.differences(&actual), Vec::<String>::new());
        let form = RecordedRequest::new("POST", "/").body("Action=A&Version=1");
        let actual =
            sent("POST", "http://h/", &[("content-type", "application/x-www-form-urlencoded")], "Version=1&Action=A");
        assert_eq!(form.differences(&actual), Vec::<String>::new());
    }

    #[test]
    fn every_difference_is_named() {
        let recorded = RecordedRequest::new("GET", "https://a/p?x=1").header("x-amz-target", "T").body("[1]");
        let actual = sent("POST", "https://b/q?x=2", &[], "[2]");
        assert_eq!(
            recorded.differences(&actual),
            [
                "method: expected GET, got POST",
                "host: expected https://a, got https://b",
                "path: expected /p, got /q",
                r#"query: expected "x=1", got "x=2""#,
                r#"header x-amz-target: expected "T", got None"#,
                r#"body: expected "[1]", got "[2]""#,
            ]
        );
    }
}
