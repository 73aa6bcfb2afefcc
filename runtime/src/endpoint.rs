//! Where requests go: the checked endpoint URL, the region as a host label, and the host prefix
//! some operations put in front of the host. Nothing a caller passes can move a request to a
//! host they did not name.

use crate::config::{Config, S3AddressingStyle};
use crate::endpoint_rules::{AuthSchemeError, EmbeddedRuleSet, Params, SigningOverride, Value};
use crate::protocol::Operation;
use crate::BuildError;

/// A checked endpoint: `http` or `https`, a host, an optional port and path; never a query, a
/// fragment or user-info, which would change where, or what, the request addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Endpoint {
    scheme: &'static str,
    host: String,
    port: Option<u16>,
    /// Empty, or `/`-led without a trailing `/`.
    path: String,
}

impl Endpoint {
    /// Parses an endpoint URL given by the caller (`setting` names where it came from).
    pub(crate) fn parse(url: &str, setting: &'static str) -> Result<Endpoint, BuildError> {
        let invalid = |rule: &'static str| BuildError::InvalidSetting { setting, rule };
        let (scheme, rest) = match url.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("https") => ("https", rest),
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => ("http", rest),
            _ => return Err(invalid("must start with https:// or http://")),
        };
        if rest.contains(['?', '#']) {
            return Err(invalid("must not have a query (`?`) or a fragment (`#`)"));
        }
        let (authority, path) = rest.find('/').map_or((rest, ""), |slash| rest.split_at(slash));
        if authority.contains('@') {
            return Err(invalid("must not carry user-info (`user@`)"));
        }
        let (host, port) =
            split_port(authority).ok_or_else(|| invalid("must have a host and at most a numeric port"))?;
        if !is_host(host) {
            return Err(invalid("must have a host of letters, digits, `-` and `.`, or an IP address"));
        }
        if !path.bytes().all(is_path_byte) {
            return Err(invalid("must have a path of URL characters only (percent-encode the rest)"));
        }
        let path = path.trim_end_matches('/').to_owned();
        Ok(Endpoint { scheme, host: host.to_ascii_lowercase(), port, path })
    }

    /// Its scheme, host and port only: where the request goes, its own path kept (botocore
    /// replaces only those when an input names the endpoint, as Machine Learning's Predict does).
    pub(crate) fn origin(self) -> Endpoint {
        Endpoint { path: String::new(), ..self }
    }

    /// The regional endpoint of a service: `https://{prefix}.{region}.amazonaws.com`
    /// (`.amazonaws.com.cn` in China). The region must be a valid host label.
    pub(crate) fn regional(prefix: &str, region: &str) -> Result<Endpoint, BuildError> {
        check_region(region)?;
        let suffix = if region.starts_with("cn-") { "amazonaws.com.cn" } else { "amazonaws.com" };
        Endpoint::parse(&format!("https://{prefix}.{region}.{suffix}"), "region")
    }

    /// Puts an operation's host prefix (`123456789012.`) in front of the host. An IP address
    /// has no name to prefix, so that is an error rather than a DNS failure later.
    pub(crate) fn with_host_prefix(&self, prefix: &str) -> Result<Endpoint, BuildError> {
        if self.is_ip() {
            return Err(BuildError::HostPrefix { reason: "the endpoint's host is an IP address" });
        }
        let host = format!("{prefix}{}", self.host);
        if !is_host(&host) {
            return Err(BuildError::HostPrefix { reason: "the prefixed host is not a valid host name" });
        }
        Ok(Endpoint { host, ..self.clone() })
    }

    fn is_ip(&self) -> bool {
        self.host.starts_with('[') || self.host.parse::<std::net::Ipv4Addr>().is_ok()
    }

    /// The URL of `path_and_query` (`/x?y=z`, already percent-encoded) on this endpoint.
    pub(crate) fn is_https(&self) -> bool {
        self.scheme == "https"
    }

    pub(crate) fn url(&self, path_and_query: &str) -> String {
        let port = self.port.map(|port| format!(":{port}")).unwrap_or_default();
        // An empty request path (S3's `/{Bucket}`, the bucket moved to the host) is the root.
        let root = if self.path.is_empty() && !path_and_query.starts_with('/') { "/" } else { "" };
        format!("{}://{}{port}{}{root}{path_and_query}", self.scheme, self.host, self.path)
    }
}

/// Where a call goes by the service's endpoint rules, and what they add to it.
pub(crate) struct RuledEndpoint {
    pub endpoint: Endpoint,
    /// Headers the endpoint asks for, by name, in the rule set's order.
    pub headers: Vec<(String, Vec<String>)>,
    pub signing: Option<SigningOverride>,
    /// The directory bucket whose S3 Express session signs the call, when the rules say so.
    pub s3express_bucket: Option<String>,
}

impl RuledEndpoint {
    /// An endpoint without rules: nothing added, signed as configured.
    pub(crate) fn plain(endpoint: Endpoint) -> RuledEndpoint {
        RuledEndpoint { endpoint, headers: Vec::new(), signing: None, s3express_bucket: None }
    }
}

/// Resolves one call with the service's rules: the built-in parameters from the configuration,
/// the operation's own from its input, every other one at its default. A rule's error, or an
/// auth scheme we can't sign with, is a [`BuildError::Endpoint`] carrying the rule set's message;
/// the URL is checked like one given by the caller.
pub(crate) fn resolve<O: Operation>(
    rules: &EmbeddedRuleSet,
    config: &Config,
    region: &str,
    account_id: Option<&str>,
    input: &O,
) -> Result<RuledEndpoint, BuildError> {
    let failed = |message: String| BuildError::Endpoint { message };
    let rules = rules.get().map_err(|e| failed(e.to_string()))?;
    let mut params = Params::new();
    for parameter in rules.parameters() {
        let value = parameter.built_in.as_deref().and_then(|name| built_in(name, config, region, account_id));
        if let Some(value) = value {
            params.set(parameter.name.as_str(), value);
        }
    }
    input.endpoint_params(&mut params);
    // An access point or Outposts ARN names its own host: never a path (botocore's
    // `customize_endpoint_resolver_builtins`).
    let arn = matches!(params.get("Bucket"), Some(Value::String(bucket)) if bucket.starts_with("arn:"));
    if arn && params.get("ForcePathStyle").is_some() {
        params.set("ForcePathStyle", false);
    }
    let resolved = rules.resolve(&params).map_err(|e| failed(e.to_string()))?;
    let sigv4a = cfg!(feature = "sigv4a");
    let signing = resolved.signing(sigv4a).map_err(|e| failed(auth_scheme_error(&e, sigv4a)))?;
    let endpoint = Endpoint::parse(&resolved.url, "endpoint rules")?;
    let s3express_bucket = match (&signing, params.get("Bucket")) {
        (Some(signing), Some(Value::String(bucket))) if signing.s3express_session => Some(bucket.clone()),
        _ => None,
    };
    Ok(RuledEndpoint { endpoint, headers: resolved.headers, signing, s3express_bucket })
}

/// The value of a built-in parameter this runtime fills; `None` leaves it at its default.
/// The error of an endpoint that needs an auth scheme this build can't sign with: for SigV4a,
/// which feature would.
fn auth_scheme_error(error: &AuthSchemeError, sigv4a: bool) -> String {
    match error {
        AuthSchemeError::Unsupported(names) if !sigv4a && names.iter().any(|name| name == "sigv4a") => {
            format!("{error}; SigV4a signing needs the crate's `sigv4a` feature")
        }
        _ => error.to_string(),
    }
}

fn built_in(name: &str, config: &Config, region: &str, account_id: Option<&str>) -> Option<Value> {
    match name {
        "AWS::Auth::AccountId" => account_id.map(Value::from),
        "AWS::Auth::AccountIdEndpointMode" => Some(config.account_id_endpoint_mode.as_str().into()),
        "AWS::Region" => Some(region.into()),
        "AWS::UseFIPS" => Some(config.use_fips.into()),
        "AWS::UseDualStack" => Some(config.use_dual_stack.into()),
        "AWS::S3::ForcePathStyle" => Some(
            match config.s3.style {
                S3AddressingStyle::Auto => config.endpoint_url.is_some(),
                S3AddressingStyle::Virtual => false,
                S3AddressingStyle::Path => true,
            }
            .into(),
        ),
        "AWS::S3::Accelerate" => Some(config.s3.accelerate.into()),
        "SDK::Endpoint" => config.endpoint_url.as_deref().map(Value::from),
        _ => None,
    }
}

/// `host[:port]`, or `[v6][:port]`; the port numeric and not 0.
fn split_port(authority: &str) -> Option<(&str, Option<u16>)> {
    let (host, port) = if authority.starts_with('[') {
        let end = authority.find(']')? + 1;
        authority[1..end - 1].parse::<std::net::Ipv6Addr>().ok()?;
        match &authority[end..] {
            "" => (&authority[..end], None),
            rest => (&authority[..end], Some(rest.strip_prefix(':')?)),
        }
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let port = match port {
        None => None,
        Some(digits) if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) => return None,
        Some(digits) => Some(digits.parse::<u16>().ok().filter(|&port| port != 0)?),
    };
    Some((host, port))
}

/// A DNS name (labels of letters, digits and `-`, joined by `.`), an IPv4 address, or `[v6]`.
fn is_host(host: &str) -> bool {
    if host.starts_with('[') {
        return true; // checked by `split_port`
    }
    !host.is_empty() && host.len() <= 253 && host.split('.').all(|label| is_host_label(label, true))
}

/// One label of a host name. `allow_underscore` for endpoints (some local setups use them);
/// regions never.
fn is_host_label(label: &str, allow_underscore: bool) -> bool {
    let inner = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || (allow_underscore && b == b'_');
    !label.is_empty()
        && label.len() <= 63
        && label.bytes().all(inner)
        && !label.starts_with('-')
        && !label.ends_with('-')
}

fn is_path_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"/-._~%!$&'()*+,;=:@".contains(&byte)
}

/// A region is one host label (botocore's `validate_region_name`): `us-east-1`, never
/// `x@host/`, `us-east-1#` or `us east 1`, which would move or break the request.
pub(crate) fn check_region(region: &str) -> Result<(), BuildError> {
    if is_host_label(region, false) {
        Ok(())
    } else {
        Err(BuildError::InvalidSetting {
            setting: "region",
            rule: "must be a host label: 1 to 63 letters, digits and `-`, not starting or ending with `-`",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endpoint_wanting_sigv4a_names_the_feature_only_when_it_is_off() {
        let wants = AuthSchemeError::Unsupported(vec!["sigv4a".to_owned()]);
        assert_eq!(
            auth_scheme_error(&wants, false),
            "the endpoint requires an unsupported auth scheme (sigv4a); SigV4a signing needs the crate's `sigv4a` feature"
        );
        let other = AuthSchemeError::Unsupported(vec!["sigv5".to_owned()]);
        assert_eq!(auth_scheme_error(&other, false), "the endpoint requires an unsupported auth scheme (sigv5)");
        assert!(!auth_scheme_error(&wants, true).contains("feature"));
    }

    #[test]
    fn an_empty_request_path_joins_the_endpoint_without_a_slash_or_as_the_root() {
        let path_style = Endpoint::parse("http://127.0.0.1:5000/photos", "endpoint_url").unwrap();
        assert_eq!(path_style.url(""), "http://127.0.0.1:5000/photos");
        assert_eq!(path_style.url("?list-type=2"), "http://127.0.0.1:5000/photos?list-type=2");
        assert_eq!(path_style.url("/a/b.jpg"), "http://127.0.0.1:5000/photos/a/b.jpg");
        let virtual_host = Endpoint::parse("https://photos.s3.amazonaws.com", "endpoint_url").unwrap();
        assert_eq!(virtual_host.url("?list-type=2"), "https://photos.s3.amazonaws.com/?list-type=2");
        assert!(virtual_host.url("").parse::<http::Uri>().is_ok());
    }

    #[test]
    fn endpoint_urls_address_only_what_they_name() {
        let ok = [
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080/x"),
            ("https://example.com/", "https://example.com/x"),
            ("HTTPS://Example.COM/base/", "https://example.com/base/x"),
            ("http://[::1]:9000", "http://[::1]:9000/x"),
            ("http://[::1]", "http://[::1]/x"),
            ("http://local_host:1", "http://local_host:1/x"),
        ];
        for (url, expected) in ok {
            assert_eq!(Endpoint::parse(url, "endpoint_url").unwrap().url("/x"), expected, "{url}");
        }
        let bad = [
            "ftp://example.com",
            "example.com",
            "http://host:8080?x=1",
            "http://host:8080/#frag",
            "http://user:pw@host",
            "http://evil.com@127.0.0.1",
            "http://",
            "http://:80",
            "http://host:",
            "http://host:99999",
            "http://host:0",
            "http://host:8a",
            "http://ho st",
            "http://host\r\nx: y",
            "http://host/a b",
            "http://[::1",
            "http://[zz]",
            "http://-host",
            "http://host..com",
        ];
        for url in bad {
            let error = Endpoint::parse(url, "endpoint_url").unwrap_err();
            assert!(matches!(error, BuildError::InvalidSetting { setting: "endpoint_url", .. }), "{url}: {error}");
        }
    }

    #[test]
    fn regions_are_host_labels() {
        for region in ["us-east-1", "cn-north-1", "eu-west-3", "local", "a"] {
            assert!(check_region(region).is_ok(), "{region}");
        }
        let long = "a".repeat(64);
        for region in [
            "",
            "x@127.0.0.1:1/",
            "us-east-1#",
            "us east 1",
            "us-east-1/../x",
            "us-east-1.",
            "-a",
            "a-",
            "a\r\nb",
            "é",
            &long,
        ] {
            let error = check_region(region).unwrap_err();
            assert!(matches!(error, BuildError::InvalidSetting { setting: "region", .. }), "{region}");
        }
        assert_eq!(
            Endpoint::regional("amplifybackend", "cn-north-1").unwrap().url("/"),
            "https://amplifybackend.cn-north-1.amazonaws.com.cn/"
        );
    }

    #[test]
    fn host_prefixes_need_a_host_name() {
        let named = Endpoint::parse("https://example.com", "endpoint_url").unwrap();
        assert_eq!(named.with_host_prefix("123.").unwrap().url("/"), "https://123.example.com/");
        for ip in ["http://127.0.0.1:1", "http://[::1]:1"] {
            let endpoint = Endpoint::parse(ip, "endpoint_url").unwrap();
            assert!(matches!(endpoint.with_host_prefix("123."), Err(BuildError::HostPrefix { .. })), "{ip}");
        }
    }
}
