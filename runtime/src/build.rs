//! Checks made when a request is built, before any I/O.

use std::collections::BTreeMap;
use std::fmt;

/// A request could not be built; nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildError {
    /// A required member was not set.
    MissingField { field: &'static str },
    /// A member bound to the URI path was set to an empty string, which would change the path.
    EmptyLabel { field: &'static str },
    /// The input could not be serialized.
    Serialize { detail: String },
    /// The client configuration lacks something the call needs (region, credentials, endpoint).
    Config { detail: String },
    /// The request could not be signed.
    Signing { detail: String },
    /// A member that becomes part of the host name holds more than letters, digits, `-` and `.`.
    InvalidHostLabel { field: String },
    /// A setting (region, endpoint URL, credentials) breaks a rule; the value is not repeated.
    InvalidSetting { setting: &'static str, rule: &'static str },
    /// A header's value (or, for a map bound to headers, its name) holds characters HTTP does
    /// not allow, such as CR or LF; the value is not repeated.
    InvalidHeader { header: String },
    /// The operation puts a prefix in front of the endpoint's host, and it can't: turn that off
    /// with `ConfigBuilder::inject_host_prefix(false)`.
    HostPrefix { reason: &'static str },
    /// The service's endpoint rules gave no endpoint for this call: the rule set's own message
    /// (such as "Invalid Configuration: FIPS and custom endpoint are not supported").
    Endpoint { message: String },
    /// A member's value is one the service can't take; the value is not repeated.
    InvalidValue { field: &'static str, rule: &'static str },
    /// The body's file could not be read (to hash it before sending).
    Body { detail: String },
    /// The operation needs a discovered endpoint, and none could be had: discovery is turned
    /// off, or the service's DescribeEndpoints failed (why).
    EndpointDiscovery { detail: String },
    /// An interceptor's `modify_before_signing` failed (its error).
    Interceptor { detail: String },
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::MissingField { field } => write!(f, "required member `{field}` was not set"),
            BuildError::EmptyLabel { field } => {
                write!(f, "member `{field}` is part of the request path and must not be empty")
            }
            BuildError::Serialize { detail } => write!(f, "could not serialize the input: {detail}"),
            BuildError::Config { detail } => write!(f, "client configuration: {detail}"),
            BuildError::Signing { detail } => write!(f, "could not sign the request: {detail}"),
            BuildError::InvalidHostLabel { field } => {
                write!(f, "member `{field}` is part of the host name and must be non-empty letters, digits, `-` or `.`")
            }
            BuildError::InvalidSetting { setting, rule } => write!(f, "setting `{setting}` {rule}"),
            BuildError::InvalidHeader { header } => {
                write!(f, "header `{header}` would hold characters HTTP does not allow (such as CR or LF)")
            }
            BuildError::HostPrefix { reason } => write!(
                f,
                "the operation's host prefix can't apply: {reason} (set inject_host_prefix(false) to send without it)"
            ),
            BuildError::Endpoint { message } => write!(f, "no endpoint: {message}"),
            BuildError::InvalidValue { field, rule } => write!(f, "member `{field}` {rule}"),
            BuildError::Body { detail } => write!(f, "could not read the body's file: {detail}"),
            BuildError::EndpointDiscovery { detail } => write!(f, "no discovered endpoint: {detail}"),
            BuildError::Interceptor { detail } => write!(f, "an interceptor refused the request: {detail}"),
        }
    }
}

impl std::error::Error for BuildError {}

/// The value of a required member, or an error naming it.
pub fn required<T>(value: Option<T>, field: &'static str) -> Result<T, BuildError> {
    value.ok_or(BuildError::MissingField { field })
}

/// Like [`required`], and also refuses an empty string: `/backend//job/dev` is a different path.
pub fn required_label(value: Option<String>, field: &'static str) -> Result<String, BuildError> {
    match required(value, field)? {
        value if value.is_empty() => Err(BuildError::EmptyLabel { field }),
        value => Ok(value),
    }
}

/// An input's required member, checked and kept in its `Option` (every member of an input is
/// one, so that the model making a member required or not changes no type).
pub fn present<T>(value: Option<T>, field: &'static str) -> Result<Option<T>, BuildError> {
    required(value, field).map(Some)
}

/// Like [`present`], for a label: an empty string is refused too.
pub fn present_label(value: Option<String>, field: &'static str) -> Result<Option<String>, BuildError> {
    required_label(value, field).map(Some)
}

/// What follows the last `/` of an id (Route 53's `/hostedzone/Z123` is sent as `Z123`).
pub fn last_path_segment(id: String) -> String {
    match id.rsplit_once('/') {
        Some((_, last)) => last.to_owned(),
        None => id,
    }
}

/// Base64 of a text (EC2's `UserData`, given as the script itself).
pub fn base64_text(text: String) -> String {
    crate::base64::encode(text.as_bytes())
}

/// S3's `x-amz-copy-source` as boto3 sends it: the `bucket/key` percent-encoded (but `/`), a
/// `?versionId=` after it kept as it is, so a key with spaces, `+` or non-ASCII characters copies.
pub fn copy_source(source: String) -> String {
    match source.split_once("?versionId=") {
        Some((path, version)) => format!("{}?versionId={version}", crate::percent::percent_encode(path, true)),
        None => crate::percent::percent_encode(&source, true),
    }
}

/// An S3 bucket name as S3 can take it, checked before it becomes part of a path or host name
/// (botocore's `validate_bucket_name`): 1 to 255 letters, digits, `.`, `-` and `_`, or an ARN
/// (an access point's, an Outposts bucket's), which the endpoint rules check.
pub fn s3_bucket(bucket: Option<String>, field: &'static str) -> Result<Option<String>, BuildError> {
    let Some(name) = bucket else { return Ok(None) };
    let plain = (1..=255).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
    if plain || name.starts_with("arn:") {
        return Ok(Some(name));
    }
    Err(BuildError::InvalidValue { field, rule: "must be 1 to 255 letters, digits, `.`, `-` or `_`, or an ARN" })
}

/// A map sent as headers (S3's user metadata), refused unless every name and value is US-ASCII
/// (botocore's `validate_ascii_metadata`): S3 takes nothing else there, and would answer a
/// signature mismatch or store mangled text.
pub fn ascii_headers(
    map: Option<BTreeMap<String, String>>,
    field: &'static str,
) -> Result<Option<BTreeMap<String, String>>, BuildError> {
    match &map {
        Some(map) if !map.iter().all(|(name, value)| name.is_ascii() && value.is_ascii()) => {
            Err(BuildError::InvalidValue { field, rule: "must hold only US-ASCII names and values" })
        }
        _ => Ok(map),
    }
}

/// A label's value, or `fallback` when it is unset or empty (Glacier's `accountId`: `-`, the
/// caller's own account).
pub fn label_or<'a>(value: Option<&'a str>, fallback: &'a str) -> &'a str {
    value.filter(|value| !value.is_empty()).unwrap_or(fallback)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_members_name_themselves() {
        assert_eq!(required(Some(3), "n"), Ok(3));
        let missing = required::<u8>(None, "app_id").unwrap_err();
        assert_eq!(missing.to_string(), "required member `app_id` was not set");
        let empty = required_label(Some(String::new()), "app_id").unwrap_err();
        assert_eq!(empty, BuildError::EmptyLabel { field: "app_id" });
        assert_eq!(required_label(Some("a".into()), "app_id"), Ok("a".to_owned()));
        assert_eq!(present(Some(3), "n"), Ok(Some(3)));
        assert_eq!(present::<u8>(None, "n"), Err(BuildError::MissingField { field: "n" }));
        assert_eq!(present_label(Some(String::new()), "id"), Err(BuildError::EmptyLabel { field: "id" }));
        assert_eq!(present_label(Some("a".into()), "id"), Ok(Some("a".to_owned())));
    }

    #[test]
    fn an_id_keeps_what_follows_its_last_slash() {
        let ids = ["/hostedzone/Z123", "Z123", "/change/C9", "a/b/", ""].map(|id| last_path_segment(id.to_owned()));
        assert_eq!(ids, ["Z123", "Z123", "C9", "", ""]);
    }

    #[test]
    fn a_copy_source_is_encoded_but_its_slashes_and_version() {
        let sources =
            ["b/photos/a b+c.jpg", "b/k?versionId=3/L4kqtJl", "b/caf\u{e9}~1"].map(|s| copy_source(s.to_owned()));
        assert_eq!(sources, ["b/photos/a%20b%2Bc.jpg", "b/k?versionId=3/L4kqtJl", "b/caf%C3%A9~1"]);
    }

    #[test]
    fn an_unset_or_empty_label_falls_back() {
        assert_eq!([label_or(None, "-"), label_or(Some(""), "-"), label_or(Some("123"), "-")], ["-", "-", "123"]);
    }

    #[test]
    fn header_maps_hold_only_ascii() {
        let map = |pairs: &[(&str, &str)]| Some(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect());
        assert_eq!(
            ascii_headers(map(&[("owner", "ana"), ("tag", "a b~!")]), "m"),
            Ok(map(&[("owner", "ana"), ("tag", "a b~!")]))
        );
        assert_eq!(ascii_headers(None, "m"), Ok(None));
        for bad in [map(&[("owner", "Zo\u{eb}")]), map(&[("caf\u{e9}", "x")]), map(&[("a", "b"), ("c", "\u{1F600}")])] {
            let refused = ascii_headers(bad, "metadata").unwrap_err();
            assert_eq!(refused.to_string(), "member `metadata` must hold only US-ASCII names and values");
        }
    }
}
