//! HTTP proxies, as curl and botocore read them: `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and
//! `NO_PROXY` (either case; `NO_PROXY` takes domains with their subdomains, IP addresses and
//! CIDR blocks, or `*`), or set in code. HTTPS goes through a `CONNECT` tunnel (TLS end to end
//! with the service); plain HTTP is forwarded. Loopback and link-local addresses (a local
//! emulator, instance and container metadata) never go through a proxy.
//! Credentials in a proxy URL (`http://user:pass@proxy:3128`) are sent as `Proxy-Authorization`
//! and shown nowhere. A proxy named by an `https://` URL is reached over TLS (and an HTTPS request
//! then goes TLS inside that TLS), trusting the proxy's own CA bundle when one is given, else the
//! client's.

use crate::tls::CaBundle;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::client::proxy::matcher::{Intercept, Matcher};
use hyper_util::rt::TokioIo;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Which proxies requests go through. The default config reads the environment; set one in code
/// with [`ConfigBuilder::proxy`](crate::ConfigBuilder::proxy).
#[derive(Clone, Default)]
pub struct ProxyConfig {
    http: Option<String>,
    https: Option<String>,
    no_proxy: Option<String>,
    /// The certificate authorities a proxy reached over TLS is checked against.
    ca_bundle: Option<CaBundle>,
}

impl PartialEq for ProxyConfig {
    fn eq(&self, other: &Self) -> bool {
        let same_bundle = match (&self.ca_bundle, &other.ca_bundle) {
            (None, None) => true,
            (Some(a), Some(b)) => a.same(b),
            _ => false,
        };
        (&self.http, &self.https, &self.no_proxy) == (&other.http, &other.https, &other.no_proxy) && same_bundle
    }
}

impl Eq for ProxyConfig {}

impl ProxyConfig {
    /// No proxy at all, whatever the environment says.
    pub fn none() -> Self {
        ProxyConfig::default()
    }

    /// As the environment says: `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`, upper or
    /// lower case (the lower case first, as curl reads them).
    pub fn from_env() -> Self {
        ProxyConfig::from_vars(crate::env::var)
    }

    fn from_vars(read: impl Fn(&str) -> Option<String>) -> Self {
        let var = |name: &str| read(&name.to_ascii_lowercase()).or_else(|| read(name));
        let all = var("ALL_PROXY");
        ProxyConfig {
            http: var("HTTP_PROXY").or(all.clone()),
            https: var("HTTPS_PROXY").or(all),
            no_proxy: var("NO_PROXY"),
            ca_bundle: None,
        }
    }

    /// Every request through this proxy (`http://host:port`, with `user:password@` if it asks).
    pub fn all(url: impl Into<String>) -> Self {
        let url = url.into();
        ProxyConfig { http: Some(url.clone()), https: Some(url), no_proxy: None, ca_bundle: None }
    }

    /// The certificate authorities to check a proxy reached over TLS (an `https://` proxy URL)
    /// against, instead of the client's (botocore's `proxy_ca_bundle`).
    pub fn ca_bundle(mut self, bundle: CaBundle) -> Self {
        self.ca_bundle = Some(bundle);
        self
    }

    /// HTTPS requests through this proxy.
    pub fn https(mut self, url: impl Into<String>) -> Self {
        self.https = Some(url.into());
        self
    }

    /// Plain HTTP requests through this proxy.
    pub fn http(mut self, url: impl Into<String>) -> Self {
        self.http = Some(url.into());
        self
    }

    /// Hosts reached directly, as `NO_PROXY` lists them (`.internal.example.com,10.0.0.0/8`).
    pub fn no_proxy(mut self, hosts: impl Into<String>) -> Self {
        self.no_proxy = Some(hosts.into());
        self
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.http.is_none() && self.https.is_none()
    }

    fn matcher(&self) -> Matcher {
        let value = |setting: &Option<String>| setting.clone().unwrap_or_default();
        Matcher::builder().http(value(&self.http)).https(value(&self.https)).no(value(&self.no_proxy)).build()
    }
}

/// The proxies, with any credentials in their URLs hidden.
impl fmt::Debug for ProxyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = |url: &Option<String>| url.as_deref().map(redacted);
        f.debug_struct("ProxyConfig")
            .field("http", &shown(&self.http))
            .field("https", &shown(&self.https))
            .field("no_proxy", &self.no_proxy)
            .field("ca_bundle", &self.ca_bundle)
            .finish()
    }
}

/// `http://user:pass@proxy:3128` as `http://***@proxy:3128`.
fn redacted(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) if scheme.is_empty() => format!("***{}", &rest[at..]),
        Some(at) => format!("{scheme}://***{}", &rest[at..]),
        None => url.to_owned(),
    }
}

/// This machine or its link (`localhost`, loopback, link-local, instance metadata's IPv6
/// address), where no proxy can help.
fn is_local(host: &str) -> bool {
    use std::net::IpAddr;
    match host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => ip.is_loopback() || ip.is_link_local(),
        Ok(IpAddr::V6(ip)) => {
            let imds: std::net::Ipv6Addr = "fd00:ec2::254".parse().expect("an IPv6 address");
            ip.is_loopback() || (ip.segments()[0] & 0xffc0) == 0xfe80 || ip == imds
        }
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    }
}

/// The connector under TLS: straight to the host, through a proxy's tunnel, or to a proxy that
/// forwards plain HTTP; to the proxy over TLS when its URL is `https://`.
#[derive(Clone)]
pub(crate) struct ProxyConnector {
    direct: HttpConnector,
    matcher: Option<Arc<Matcher>>,
    /// TLS to a proxy, checked against its CA bundle or the client's roots.
    proxy_tls: tokio_rustls::TlsConnector,
}

impl ProxyConnector {
    /// `client_tls`: the client's TLS settings, whose roots check a proxy without a bundle of its own.
    pub(crate) fn new(direct: HttpConnector, proxies: &ProxyConfig, client_tls: &rustls::ClientConfig) -> Self {
        let matcher = (!proxies.is_empty()).then(|| Arc::new(proxies.matcher()));
        let mut tls = client_tls.clone();
        if let Some(bundle) = &proxies.ca_bundle {
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let with_roots = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .expect("the ring provider supports TLS 1.2 and 1.3")
                .with_root_certificates(bundle.roots())
                .with_no_client_auth();
            tls = with_roots;
        }
        // The proxy speaks HTTP/1.1 (CONNECT, or forwarding).
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
        ProxyConnector { direct, matcher, proxy_tls: tokio_rustls::TlsConnector::from(Arc::new(tls)) }
    }

    /// The proxy a request to `uri` goes through, if any.
    pub(crate) fn intercept(&self, uri: &http::Uri) -> Option<Intercept> {
        if uri.host().is_none_or(is_local) {
            return None;
        }
        self.matcher.as_ref()?.intercept(uri)
    }
}

impl tower_service::Service<http::Uri> for ProxyConnector {
    type Response = ProxyStream;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<ProxyStream, BoxError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, dst: http::Uri) -> Self::Future {
        let mut direct = self.direct.clone();
        let Some(proxy) = self.intercept(&dst) else {
            return Box::pin(async move {
                let io = direct.call(dst).await?.into_inner();
                Ok(ProxyStream { io: TokioIo::new(Box::new(io)), forwarding: false })
            });
        };
        let tls = (proxy.uri().scheme_str() == Some("https")).then(|| self.proxy_tls.clone());
        let mut to_proxy = ToProxy { direct, tls };
        if dst.scheme_str() == Some("http") {
            // Plain HTTP: the proxy forwards it (the request in absolute form).
            let proxy_uri = proxy.uri().clone();
            return Box::pin(async move { Ok(ProxyStream { io: to_proxy.call(proxy_uri).await?, forwarding: true }) });
        }
        let mut tunnel = Tunnel::new(proxy.uri().clone(), to_proxy);
        if let Some(auth) = proxy.basic_auth() {
            tunnel = tunnel.with_auth(auth.clone());
        }
        Box::pin(async move { Ok(ProxyStream { io: tunnel.call(dst).await?, forwarding: false }) })
    }
}

/// What a connection reads and writes: a TCP stream, or TLS to a proxy over one.
trait Io: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin {}

impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin> Io for T {}

type BoxedIo = TokioIo<Box<dyn Io>>;

/// Connects to a proxy, over TLS when it has a connector for it (its URL is `https://`).
#[derive(Clone)]
struct ToProxy {
    direct: HttpConnector,
    tls: Option<tokio_rustls::TlsConnector>,
}

impl tower_service::Service<http::Uri> for ToProxy {
    type Response = BoxedIo;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<BoxedIo, BoxError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, proxy: http::Uri) -> Self::Future {
        let (mut direct, tls) = (self.direct.clone(), self.tls.clone());
        Box::pin(async move {
            let tcp = direct.call(proxy.clone()).await?.into_inner();
            let Some(tls) = tls else { return Ok(TokioIo::new(Box::new(tcp) as Box<dyn Io>)) };
            let host = proxy.host().unwrap_or_default().trim_start_matches('[').trim_end_matches(']');
            let name = rustls::pki_types::ServerName::try_from(host.to_owned())
                .map_err(|_| format!("the proxy's host {host:?} is not a name TLS can check"))?;
            let stream = tls.connect(name, tcp).await.map_err(|e| format!("TLS to the proxy failed: {e}"))?;
            Ok(TokioIo::new(Box::new(stream) as Box<dyn Io>))
        })
    }
}

/// A connection, to the host (through a tunnel or not) or to a proxy forwarding plain HTTP.
pub(crate) struct ProxyStream {
    io: BoxedIo,
    forwarding: bool,
}

impl Connection for ProxyStream {
    fn connected(&self) -> Connected {
        Connected::new().proxy(self.forwarding)
    }
}

impl hyper::rt::Read for ProxyStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for ProxyStream {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_a_proxy_url_are_never_shown() {
        let proxies = ProxyConfig::all("http://alice:s3cret@proxy.corp:3128").no_proxy(".internal");
        let shown = format!("{proxies:?}");
        assert!(!shown.contains("s3cret") && !shown.contains("alice"), "{shown}");
        assert!(shown.contains("http://***@proxy.corp:3128"), "{shown}");
        assert_eq!(redacted("proxy:3128"), "proxy:3128");
        assert_eq!(redacted("u:p@proxy:3128"), "***@proxy:3128");
    }

    #[test]
    fn the_environment_is_read_as_curl_reads_it() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            ProxyConfig::from_vars(move |name| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| (*v).to_owned()))
        };
        let lower_first = env(&[("https_proxy", "http://a:1"), ("HTTPS_PROXY", "http://b:2"), ("NO_PROXY", ".corp")]);
        assert_eq!(lower_first, ProxyConfig::none().https("http://a:1").no_proxy(".corp"));
        let all = env(&[("ALL_PROXY", "http://c:3"), ("http_proxy", "http://d:4")]);
        assert_eq!(all, ProxyConfig::none().https("http://c:3").http("http://d:4"));
        assert!(env(&[]).is_empty());
    }

    #[test]
    fn no_proxy_and_loopback_go_direct() {
        let proxies = ProxyConfig::all("http://proxy.corp:3128").no_proxy("internal.example.com, 10.0.0.0/8");
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth();
        let connector = ProxyConnector::new(HttpConnector::new(), &proxies, &tls);
        let via = |url: &str| connector.intercept(&url.parse().unwrap()).map(|p| p.uri().to_string());
        assert_eq!(via("https://s3.amazonaws.com/"), Some("http://proxy.corp:3128/".to_owned()));
        assert_eq!(via("http://sts.amazonaws.com/"), Some("http://proxy.corp:3128/".to_owned()));
        for direct in [
            "https://db.internal.example.com/",
            "https://internal.example.com/",
            "http://10.1.2.3:8080/",
            "http://127.0.0.1:5000/",
            "http://localhost:4566/",
            "http://[::1]:9000/",
            "http://169.254.169.254/latest/api/token",
            "http://169.254.170.2/v2/credentials",
            "http://[fd00:ec2::254]/latest/api/token",
        ] {
            assert_eq!(via(direct), None, "{direct}");
        }
        let none = ProxyConnector::new(HttpConnector::new(), &ProxyConfig::none(), &tls);
        assert!(none.intercept(&"https://s3.amazonaws.com/".parse().unwrap()).is_none());
    }
}
