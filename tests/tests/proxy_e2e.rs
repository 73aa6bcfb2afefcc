//! Calls through an HTTP proxy on 127.0.0.1 that the test starts: plain HTTP forwarded by the
//! proxy (the request in absolute form, the proxy's credentials in `Proxy-Authorization`), HTTPS
//! asked of it as a `CONNECT` tunnel to the service's host, and the proxy's password shown in no
//! error or `Debug`; a proxy reached over TLS (an `https://` proxy URL), trusted by its own CA
//! bundle.

mod support;

use awsgen_runtime::{ProxyConfig, TransportErrorKind};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use support::{Reply, Server};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// `alice:s3cret` in a `Basic` proxy authorization.
const AUTHORIZATION: &str = "Basic YWxpY2U6czNjcmV0";

/// A proxy that forwards plain HTTP to `upstream`, whatever host the request names, when its
/// credentials are given, and refuses every `CONNECT`; it keeps each request's first line.
struct Proxy {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    async fn start(upstream: SocketAddr) -> Proxy {
        Proxy::serving(upstream, None).await
    }

    /// The same proxy spoken to over TLS (the test CA's `localhost` certificate).
    async fn start_tls(upstream: SocketAddr) -> Proxy {
        Proxy::serving(upstream, Some(support::tls_acceptor(&[]))).await
    }

    async fn serving(upstream: SocketAddr, tls: Option<tokio_rustls::TlsAcceptor>) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (log, tls) = (log.clone(), tls.clone());
                tokio::spawn(async move {
                    match tls {
                        Some(tls) => match tls.accept(client).await {
                            Ok(client) => serve(client, upstream, log).await,
                            Err(error) => log.lock().unwrap().push(format!("TLS refused: {error}")),
                        },
                        None => serve(client, upstream, log).await,
                    }
                });
            }
        });
        Proxy { addr, seen }
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

async fn serve<S>(mut client: S, upstream: SocketAddr, seen: Arc<Mutex<Vec<String>>>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if client.read(&mut byte).await.unwrap_or(0) == 0 {
            return;
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let first = head.lines().next().unwrap_or_default().to_owned();
    let authorized =
        head.lines().any(|line| line.eq_ignore_ascii_case(&format!("proxy-authorization: {AUTHORIZATION}")));
    seen.lock().unwrap().push(format!("{first} authorized={authorized}"));
    if first.starts_with("CONNECT ") || !authorized {
        let status = if authorized { "403 Forbidden" } else { "407 Proxy Authentication Required" };
        let _ = client.write_all(format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\n\r\n").as_bytes()).await;
        return;
    }
    // `GET http://host:port/path HTTP/1.1` -> `GET /path HTTP/1.1`, to the upstream server.
    let mut parts = first.splitn(3, ' ');
    let (method, target, version) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
    let path = target.splitn(4, '/').nth(3).unwrap_or_default();
    let rest = &head[first.len()..];
    let mut server = TcpStream::connect(upstream).await.unwrap();
    server.write_all(format!("{method} /{path} {version}{rest}").as_bytes()).await.unwrap();
    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
}

fn config(endpoint: &str, proxies: ProxyConfig) -> awsgen_runtime::Config {
    awsgen_runtime::Config::builder()
        .region("us-east-1")
        .credentials(awsgen_runtime::Credentials::new(support::ACCESS_KEY, support::SECRET_KEY, None))
        .endpoint_url(endpoint)
        .proxy(proxies)
        .build()
}

#[tokio::test]
async fn plain_http_is_forwarded_by_the_proxy_with_its_credentials() {
    let server = Server::start(|_, _| Reply::xml(200, "<GetCallerIdentityResponse><GetCallerIdentityResult><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>")).await;
    let upstream: SocketAddr = server.url.strip_prefix("http://").unwrap().parse().unwrap();
    let proxy = Proxy::start(upstream).await;
    // A host name only the proxy knows: the client can reach it through the proxy alone.
    let endpoint = format!("http://sts.example.test:{}", upstream.port());
    let proxies = ProxyConfig::all(format!("http://alice:s3cret@{}", proxy.addr));
    let client = awsgen_sts::Client::new(config(&endpoint, proxies));
    let identity = client.get_caller_identity().send().await.unwrap();
    assert_eq!(identity.account(), Some("123456789012"));
    assert_eq!(proxy.seen(), [format!("POST {endpoint}/ HTTP/1.1 authorized=true")]);
    let request = &server.requests()[0];
    assert_eq!(request.signature, Ok(()), "signed for the service's host, as sent through the proxy");
    assert_eq!(request.header("host"), Some(format!("sts.example.test:{}", upstream.port()).as_str()));
    assert_eq!(request.header("proxy-authorization"), Some(AUTHORIZATION), "the proxy passed it on");
}

#[tokio::test]
async fn https_asks_the_proxy_for_a_tunnel_to_the_services_host() {
    let proxy = Proxy::start("127.0.0.1:9".parse().unwrap()).await;
    let proxies = ProxyConfig::none().https(format!("http://alice:s3cret@{}", proxy.addr));
    let client = awsgen_sts::Client::new(config("https://sts.example.test", proxies.clone()));
    let refused = client.get_caller_identity().send().await.unwrap_err();
    // Each attempt (a refused tunnel is a connection failure, retried) asked for the same tunnel.
    let seen = proxy.seen();
    assert!(
        !seen.is_empty() && seen.iter().all(|line| line == "CONNECT sts.example.test:443 HTTP/1.1 authorized=true"),
        "{seen:?}"
    );
    let awsgen_runtime::SdkError::Transport(error) = &refused else { panic!("{refused:?}") };
    assert_eq!(error.kind(), TransportErrorKind::Connect, "{error}");
    let shown = format!("{refused} {refused:?} {proxies:?}");
    assert!(!shown.contains("s3cret"), "{shown}");
}

/// A proxy named by an `https://` URL is reached over TLS, checked against its own CA bundle:
/// plain HTTP is forwarded inside that TLS, HTTPS asked of it as a tunnel inside it; without the
/// bundle the proxy's certificate is refused and nothing is asked of it.
#[tokio::test]
async fn a_proxy_reached_over_tls_is_trusted_by_its_own_ca_bundle() {
    let server = Server::start(|_, _| Reply::xml(200, "<GetCallerIdentityResponse><GetCallerIdentityResult><Account>42</Account></GetCallerIdentityResult></GetCallerIdentityResponse>")).await;
    let upstream: SocketAddr = server.url.strip_prefix("http://").unwrap().parse().unwrap();
    let proxy = Proxy::start_tls(upstream).await;
    let ca = support::test_ca();
    let url = format!("https://alice:s3cret@localhost:{}", proxy.addr.port());
    let endpoint = format!("http://sts.example.test:{}", upstream.port());
    let client = awsgen_sts::Client::new(config(&endpoint, ProxyConfig::all(&url).ca_bundle(ca.clone())));
    assert_eq!(client.get_caller_identity().send().await.unwrap().account(), Some("42"));
    assert_eq!(proxy.seen(), [format!("POST {endpoint}/ HTTP/1.1 authorized=true")]);

    let client = awsgen_sts::Client::new(config("https://sts.example.test", ProxyConfig::all(&url).ca_bundle(ca)));
    assert!(client.get_caller_identity().send().await.is_err(), "this proxy refuses tunnels");
    let tunnels: Vec<String> = proxy.seen().into_iter().skip(1).collect();
    assert!(
        !tunnels.is_empty()
            && tunnels.iter().all(|line| line == "CONNECT sts.example.test:443 HTTP/1.1 authorized=true"),
        "{tunnels:?}"
    );

    // The client's default roots don't know the test CA: the proxy is refused before any request.
    let before = proxy.seen().len();
    let client = awsgen_sts::Client::new(config(&endpoint, ProxyConfig::all(&url)));
    let refused = client.get_caller_identity().send().await.unwrap_err();
    let awsgen_runtime::SdkError::Transport(error) = &refused else { panic!("{refused:?}") };
    assert_eq!(error.kind(), TransportErrorKind::Connect, "{error}");
    assert!(error.to_string().contains("TLS to the proxy failed"), "{error}");
    assert!(proxy.seen()[before..].iter().all(|line| line.starts_with("TLS refused")), "{:?}", proxy.seen());
    assert!(!format!("{refused} {refused:?}").contains("s3cret"));
}

#[tokio::test]
async fn hosts_outside_the_proxy_go_direct() {
    let server = Server::start(|_, _| Reply::xml(200, "<GetCallerIdentityResponse><GetCallerIdentityResult><Account>1</Account></GetCallerIdentityResult></GetCallerIdentityResponse>")).await;
    let proxy = Proxy::start("127.0.0.1:9".parse().unwrap()).await;
    // 127.0.0.1 is never proxied; nor is what NO_PROXY lists.
    let client = awsgen_sts::Client::new(config(&server.url, ProxyConfig::all(format!("http://{}", proxy.addr))));
    client.get_caller_identity().send().await.unwrap();
    assert!(proxy.seen().is_empty());
}
