//! A real HTTP/1.1 server on 127.0.0.1 for end-to-end tests: it records every request, checks
//! its SigV4 signature independently (or that a bearer token came), and answers as the test's script says, faults included.

#![allow(dead_code)] // each test binary uses part of it

pub mod moto;
pub mod sigv4;

use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A TLS acceptor with the test CA's `localhost` certificate (tests/fixtures/tls), offering
/// `alpn` (none: no ALPN).
pub fn tls_acceptor(alpn: &[&[u8]]) -> tokio_rustls::TlsAcceptor {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let chain = CertificateDer::pem_slice_iter(&tls_fixture("localhost.pem")).collect::<Result<_, _>>().unwrap();
    let key = PrivateKeyDer::from_pem_slice(&tls_fixture("localhost.key.pem")).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    config.alpn_protocols = alpn.iter().map(|protocol| protocol.to_vec()).collect();
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}

/// The test CA, for a client to trust the TLS servers of [`tls_acceptor`].
pub fn test_ca() -> awsgen_runtime::http::CaBundle {
    awsgen_runtime::http::CaBundle::from_pem(&tls_fixture("ca.pem")).unwrap()
}

fn tls_fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/fixtures/tls/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

pub const ACCESS_KEY: &str = "AKIDEXAMPLE";
pub const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

/// One request as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    /// Path and query, exactly as sent.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The independent verifier's verdict on the signature, with the server's secret.
    pub signature: Result<(), String>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }
}

/// What the server does with a request.
pub enum Reply {
    Respond {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: String,
    },
    /// A 200 whose body is these chunks, each its own write, `pause` apart, ended by closing the
    /// connection (no `content-length`); `hold` keeps it open that long after the last one.
    Stream {
        headers: Vec<(&'static str, String)>,
        chunks: Vec<Vec<u8>>,
        pause: Duration,
        hold: Duration,
    },
    /// Close the connection with a TCP reset before answering.
    Reset,
    /// Answer nothing for this long, then close.
    Stall(Duration),
    /// A 200 whose body never ends (up to `FLOOD_LIMIT`), with a `content-length` of the full
    /// size or none; the bytes the client accepted before closing are counted in `flooded`.
    Flood {
        declare_length: bool,
        flooded: Arc<std::sync::atomic::AtomicUsize>,
    },
}

/// The most a flood sends: 1 GiB.
pub const FLOOD_LIMIT: usize = 1 << 30;

impl Reply {
    pub fn json(status: u16, body: serde_json::Value) -> Reply {
        Reply::Respond { status, headers: vec![("content-type", "application/json".into())], body: body.to_string() }
    }

    /// An XML body, as the query and ec2 protocols answer.
    pub fn xml(status: u16, body: &str) -> Reply {
        Reply::raw(status, &[("content-type", "text/xml")], body)
    }

    pub fn raw(status: u16, headers: &[(&'static str, &str)], body: &str) -> Reply {
        let headers = headers.iter().map(|(n, v)| (*n, v.to_string())).collect();
        Reply::Respond { status, headers, body: body.to_owned() }
    }
}

type Script = dyn Fn(&Received, usize) -> Reply + Send + Sync;

pub struct Server {
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Server {
    /// Starts a server whose replies come from `script(request, index of the request)`.
    pub async fn start(script: impl Fn(&Received, usize) -> Reply + Send + Sync + 'static) -> Server {
        Server::serving(script, false).await
    }

    /// Like [`Server::start`], answering requests without any signature too, as AWS answers its
    /// unsigned operations (STS's AssumeRoleWithWebIdentity); a wrong signature is still refused.
    #[allow(dead_code)]
    pub async fn start_anonymous(script: impl Fn(&Received, usize) -> Reply + Send + Sync + 'static) -> Server {
        Server::serving(script, true).await
    }

    async fn serving(script: impl Fn(&Received, usize) -> Reply + Send + Sync + 'static, anonymous: bool) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1");
        let url = format!("http://{}", listener.local_addr().expect("local address"));
        let received = Arc::new(Mutex::new(Vec::new()));
        let script: Arc<Script> = Arc::new(script);
        let log = received.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, log.clone(), script.clone(), anonymous));
            }
        });
        Server { url, received }
    }

    pub fn requests(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

/// Serves requests on one connection until the client closes it or a reply ends it.
async fn serve(mut stream: TcpStream, log: Arc<Mutex<Vec<Received>>>, script: Arc<Script>, anonymous: bool) {
    let mut buffer = Vec::new();
    loop {
        let Some(request) = read_request(&mut stream, &mut buffer).await else { return };
        let index = {
            let mut log = log.lock().unwrap();
            log.push(request.clone());
            log.len() - 1
        };
        // Like AWS, refuse a request whose signature does not verify, before any scripted reply.
        let reply = match &request.signature {
            Err(_) if anonymous && request.header("authorization").is_none() => script(&request, index),
            Err(why) => Reply::json(403, serde_json::json!({"__type": "InvalidSignatureException", "message": why})),
            Ok(()) => script(&request, index),
        };
        match reply {
            Reply::Respond { status, headers, body } => {
                let mut head = format!("HTTP/1.1 {status} {}\r\ncontent-length: {}\r\n", reason(status), body.len());
                for (name, value) in headers {
                    head.push_str(&format!("{name}: {value}\r\n"));
                }
                head.push_str("\r\n");
                // One write, so the client never waits on Nagle's algorithm.
                let bytes = [head.into_bytes(), body.into_bytes()].concat();
                if stream.write_all(&bytes).await.is_err() {
                    return;
                }
            }
            Reply::Stream { headers, chunks, pause, hold } => {
                let mut head = "HTTP/1.1 200 OK\r\nconnection: close\r\n".to_owned();
                for (name, value) in headers {
                    head.push_str(&format!("{name}: {value}\r\n"));
                }
                head.push_str("\r\n");
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                for chunk in chunks {
                    let _ = stream.set_nodelay(true);
                    if stream.write_all(&chunk).await.is_err() || stream.flush().await.is_err() {
                        return;
                    }
                    tokio::time::sleep(pause).await;
                }
                tokio::time::sleep(hold).await;
                return;
            }
            Reply::Reset => {
                // A zero linger makes the close a reset; it does not block, whatever the deprecation says.
                #[allow(deprecated)]
                let _ = stream.set_linger(Some(Duration::ZERO));
                return;
            }
            Reply::Stall(duration) => {
                tokio::time::sleep(duration).await;
                return;
            }
            Reply::Flood { declare_length, flooded } => {
                let length = if declare_length { format!("content-length: {FLOOD_LIMIT}\r\n") } else { String::new() };
                let head = format!("HTTP/1.1 200 OK\r\n{length}connection: close\r\n\r\n[");
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = vec![b' '; 64 * 1024];
                while flooded.load(std::sync::atomic::Ordering::Relaxed) < FLOOD_LIMIT {
                    if stream.write_all(&chunk).await.is_err() {
                        return;
                    }
                    flooded.fetch_add(chunk.len(), std::sync::atomic::Ordering::Relaxed);
                }
                return;
            }
        }
    }
}

async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<Received> {
    let head_end = loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let (method, target) = (request_line.next()?.to_owned(), request_line.next()?.to_owned());
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let header = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
    buffer.drain(..head_end + 4);
    let body = match header("transfer-encoding") {
        Some(coding) if coding.eq_ignore_ascii_case("chunked") => read_chunked(stream, buffer).await?,
        _ => {
            let length: usize = header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
            fill(stream, buffer, length).await?;
            buffer.drain(..length).collect()
        }
    };
    let signed = sigv4::Signed { method: &method, target: &target, headers: &headers, body: &body };
    // A bearer service checks the token; the tests check which one came.
    let bearer = headers.iter().find(|(n, _)| n == "authorization").and_then(|(_, v)| v.strip_prefix("Bearer "));
    let mut signature = match bearer {
        Some(token) if !token.is_empty() => Ok(()),
        _ => sigv4::verify(&signed, SECRET_KEY),
    };
    // An aws-chunked body is kept decoded, as S3 stores it, its chunks checked as S3 checks them.
    let aws_chunked = header("content-encoding").is_some_and(|coding| coding.starts_with("aws-chunked"));
    let body = match aws_chunked {
        true => match sigv4::decode_aws_chunked(&headers, &body, SECRET_KEY) {
            Ok(decoded) => decoded.data,
            Err(error) => {
                signature = signature.and(Err(error));
                body
            }
        },
        false => body,
    };
    Some(Received { method, target, headers, body, signature })
}

/// Reads until `buffer` holds at least `length` bytes; `None` if the connection ends first.
async fn fill(stream: &mut TcpStream, buffer: &mut Vec<u8>, length: usize) -> Option<()> {
    while buffer.len() < length {
        let mut chunk = [0u8; 16 * 1024];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    Some(())
}

/// A `Transfer-Encoding: chunked` body (without trailers), decoded.
async fn read_chunked(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = loop {
            if let Some(end) = buffer.windows(2).position(|w| w == b"\r\n") {
                break end;
            }
            let more = buffer.len() + 1;
            fill(stream, buffer, more).await?;
        };
        let line = String::from_utf8_lossy(&buffer[..line_end]).into_owned();
        let size = usize::from_str_radix(line.split(';').next()?.trim(), 16).ok()?;
        buffer.drain(..line_end + 2);
        fill(stream, buffer, size + 2).await?;
        body.extend_from_slice(&buffer[..size]);
        buffer.drain(..size + 2);
        if size == 0 {
            return Some(body);
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

/// An in-memory job table served as ListBackendJobs pages: the token is the next index.
/// A config for the test server: its URL, the test key, us-east-1, three quick attempts.
pub fn quick_config(server: &Server) -> awsgen_runtime::Config {
    quick_config_builder(server).build()
}

/// [`quick_config`], to add to.
pub fn quick_config_builder(server: &Server) -> awsgen_runtime::ConfigBuilder {
    let retry = awsgen_runtime::RetryConfig {
        max_attempts: 3,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
    };
    awsgen_runtime::Config::builder()
        .region("us-east-1")
        .credentials(awsgen_runtime::Credentials::new(ACCESS_KEY, SECRET_KEY, None))
        .endpoint_url(&server.url)
        .retry(retry)
}

pub fn list_jobs_page(jobs: &[serde_json::Value], request: &Received) -> Reply {
    let body = request.json();
    let start: usize = body["nextToken"].as_str().and_then(|t| t.parse().ok()).unwrap_or(0);
    let size = body["maxResults"].as_u64().unwrap_or(25) as usize;
    let end = (start + size).min(jobs.len());
    let mut page = serde_json::json!({ "jobs": jobs[start.min(end)..end] });
    if end < jobs.len() {
        page["nextToken"] = end.to_string().into();
    }
    Reply::json(200, page)
}

pub fn job(id: usize) -> serde_json::Value {
    serde_json::json!({"appId": "app", "backendEnvironmentName": "dev", "jobId": format!("job-{id}"), "status": "COMPLETED"})
}
