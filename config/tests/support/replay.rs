//! Replays recorded HTTP traffic (`http-traffic.json`) from a real server on 127.0.0.1, and a
//! transport that sends every request there, with the original host in `Host`, so that the
//! providers' own URL choices (169.254.169.254, 169.254.170.2, ...) are checked without leaving
//! the machine.

use awsgen_runtime::http::{BoxFuture, HttpClient, HttpResponse};
use awsgen_runtime::TransportError;
use bytes::Bytes;
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// Request headers compared with the recording; the rest (user agent, dates) vary by SDK.
/// A SigV4 `authorization` is compared by its access key id only: the signature depends on the time.
const HEADERS_THAT_MATTER: [&str; 5] = [
    "x-aws-ec2-metadata-token-ttl-seconds",
    "x-aws-ec2-metadata-token",
    "accept",
    "authorization",
    "x-amz-sso_bearer_token",
];

#[derive(Debug, Clone, Default)]
pub struct Exchange {
    pub method: String,
    /// `host` + path and query of the recorded URI.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub request_body: Vec<u8>,
    pub status: u16,
    pub response_headers: Vec<(String, String)>,
    pub response_body: Vec<u8>,
}

/// The recorded exchanges in order of their connections.
pub fn load(path: &Path) -> Vec<Exchange> {
    let traffic = super::read_json(path);
    let mut exchanges: Vec<(u64, Exchange)> = Vec::new();
    for event in traffic["events"].as_array().into_iter().flatten() {
        let id = event["connection_id"].as_u64().unwrap_or_default();
        if !exchanges.iter().any(|(existing, _)| *existing == id) {
            exchanges.push((id, Exchange::default()));
        }
        let exchange = &mut exchanges.iter_mut().find(|(existing, _)| *existing == id).unwrap().1;
        let action = &event["action"];
        if let Some(request) = action.pointer("/Request/request") {
            let uri: http::Uri = request["uri"].as_str().unwrap().parse().unwrap();
            exchange.method = request["method"].as_str().unwrap().to_owned();
            let path = uri.path_and_query().map_or("/", |path| path.as_str());
            exchange.target = format!("{}{path}", uri.authority().unwrap());
            exchange.headers = headers(&request["headers"]);
        } else if let Some(response) = action.pointer("/Response/response/Ok") {
            exchange.status = response["status"].as_u64().unwrap() as u16;
            exchange.response_headers = headers(&response["headers"]);
        } else if let Some(data) = action.get("Data") {
            let bytes = data["data"]["Utf8"].as_str().unwrap_or_default().as_bytes();
            match data["direction"].as_str() {
                Some("Response") => exchange.response_body.extend_from_slice(bytes),
                _ => exchange.request_body.extend_from_slice(bytes),
            }
        }
    }
    exchanges.into_iter().map(|(_, exchange)| exchange).collect()
}

fn headers(map: &Value) -> Vec<(String, String)> {
    let map = map.as_object().into_iter().flatten();
    map.flat_map(|(name, values)| {
        values
            .as_array()
            .into_iter()
            .flatten()
            .map(|value| (name.to_ascii_lowercase(), value.as_str().unwrap().to_owned()))
    })
    .collect()
}

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }
}

pub struct ReplayServer {
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: JoinHandle<Vec<Seen>>,
    exchanges: Vec<Exchange>,
    check_signer: bool,
}

impl ReplayServer {
    /// Answers the exchanges in order, one connection each; anything more gets a 500.
    pub fn start(exchanges: Vec<Exchange>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let (answers, flag) = (exchanges.clone(), stop.clone());
        let thread = std::thread::spawn(move || serve(listener, answers, flag));
        ReplayServer { addr, stop, thread, exchanges, check_signer: true }
    }

    /// Don't compare SigV4 access key ids: for recordings stitched from runs with other credentials.
    pub fn ignoring_signer(mut self) -> Self {
        self.check_signer = false;
        self
    }

    /// Stops the server; every recorded request must have come, as recorded, and nothing else.
    pub fn finish(self) -> Result<Vec<Seen>, String> {
        self.stop.store(true, Ordering::SeqCst);
        let seen = self.thread.join().unwrap();
        if seen.len() != self.exchanges.len() {
            return Err(format!("expected {} requests, got {}: {seen:?}", self.exchanges.len(), seen.len()));
        }
        for (seen, expected) in seen.iter().zip(&self.exchanges) {
            if seen.method != expected.method
                || same_query_in_any_order(&seen.target) != same_query_in_any_order(&expected.target)
            {
                return Err(format!(
                    "expected {} {}, got {} {}",
                    expected.method, expected.target, seen.method, seen.target
                ));
            }
            if form_action(&seen.body) != form_action(&expected.request_body) {
                return Err(format!("{}: expected the form's {:?}", seen.target, form_action(&expected.request_body)));
            }
            let unsigned_form = form_action(&expected.request_body).is_some()
                && !expected.headers.iter().any(|(name, _)| name == "authorization");
            if unsigned_form && seen.header("authorization").is_some() {
                return Err(format!("{}: signed, but the recorded request was not", seen.target));
            }
            for (name, value) in
                expected.headers.iter().filter(|(name, _)| HEADERS_THAT_MATTER.contains(&name.as_str()))
            {
                if let Some(key_id) = sigv4_key_id(value) {
                    if self.check_signer && seen.header(name).and_then(sigv4_key_id) != Some(key_id) {
                        return Err(format!(
                            "{}: expected a signature by {key_id}, got {:?}",
                            seen.target,
                            seen.header(name)
                        ));
                    }
                } else if seen.header(name) != Some(value) {
                    return Err(format!(
                        "{} {}: header {name}: expected {value:?}, got {:?}",
                        seen.method,
                        seen.target,
                        seen.header(name)
                    ));
                }
            }
        }
        Ok(seen)
    }
}

/// The target with its query parameters sorted: their order means nothing to a server, and
/// SDKs differ in it.
fn same_query_in_any_order(target: &str) -> String {
    let Some((path, query)) = target.split_once('?') else { return target.to_owned() };
    let mut pairs: Vec<&str> = query.split('&').collect();
    pairs.sort_unstable();
    format!("{path}?{}", pairs.join("&"))
}

/// `AKIA...` of `AWS4-HMAC-SHA256 Credential=AKIA.../20210810/...`.
fn sigv4_key_id(authorization: &str) -> Option<&str> {
    authorization.strip_prefix("AWS4-HMAC-SHA256 Credential=")?.split('/').next()
}

/// The `Action=` of a form body (STS), if any.
fn form_action(body: &[u8]) -> Option<String> {
    let body = std::str::from_utf8(body).ok()?;
    body.split('&').find_map(|pair| pair.strip_prefix("Action=")).map(str::to_owned)
}

fn serve(listener: TcpListener, exchanges: Vec<Exchange>, stop: Arc<AtomicBool>) -> Vec<Seen> {
    let mut seen = Vec::new();
    while !stop.load(Ordering::SeqCst) {
        let Ok((stream, _)) = listener.accept() else {
            std::thread::sleep(Duration::from_millis(5));
            continue;
        };
        stream.set_nonblocking(false).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        if let Some(request) = read_request(&stream) {
            let answer = exchanges.get(seen.len()).cloned().unwrap_or(Exchange { status: 500, ..Exchange::default() });
            seen.push(request);
            respond(stream, &answer);
        }
    }
    seen
}

fn read_request(stream: &TcpStream) -> Option<Seen> {
    let mut reader = BufReader::new(stream.take(64 * 1024));
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next()?.to_owned(), parts.next()?.to_owned());
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).ok()?;
        let Some((name, value)) = line.trim_end().split_once(':') else { break };
        headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
    }
    let length: usize =
        headers.iter().find(|(name, _)| name == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let host = headers.iter().find(|(name, _)| name == "host").map(|(_, v)| v.clone()).unwrap_or_default();
    Some(Seen { method, target: format!("{host}{path}"), headers, body })
}

fn respond(mut stream: TcpStream, answer: &Exchange) {
    let mut head = format!("HTTP/1.1 {} Recorded\r\n", answer.status);
    for (name, value) in &answer.response_headers {
        if !matches!(name.as_str(), "content-length" | "connection" | "transfer-encoding") {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    head.push_str(&format!("content-length: {}\r\nconnection: close\r\n\r\n", answer.response_body.len()));
    let _ = stream.write_all(head.as_bytes()).and_then(|_| stream.write_all(&answer.response_body));
}

/// Sends every request to `to`, keeping the original authority in `Host`.
#[derive(Debug)]
pub struct Redirect {
    pub to: SocketAddr,
    pub inner: Arc<dyn HttpClient>,
}

impl Redirect {
    pub fn to(addr: SocketAddr) -> Arc<Self> {
        Arc::new(Redirect {
            to: addr,
            inner: awsgen_runtime::credentials::default_http_client(Duration::from_secs(1), None),
        })
    }
}

impl HttpClient for Redirect {
    fn call(&self, mut request: http::Request<Bytes>) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        let authority = request.uri().authority().map(|a| a.to_string()).unwrap_or_default();
        let path = request.uri().path_and_query().map(|p| p.to_string()).unwrap_or_else(|| "/".into());
        request.headers_mut().insert(http::header::HOST, authority.parse().unwrap());
        *request.uri_mut() = format!("http://{}{path}", self.to).parse().unwrap();
        self.inner.call(request)
    }
}
