//! The rules language's library functions on plain strings, free of the evaluator: Smithy's
//! standard library (`isValidHostLabel`, `substring`, `uriEncode`, `parseURL`, `split`) and AWS's
//! (`aws.parseArn`, `aws.isVirtualHostableS3Bucket`). `aws.partition` is in `partition.rs`.

use serde_json::{json, Value as Json};

/// `isValidHostLabel`: an RFC 1123 label (1-63 ASCII letters, digits or hyphens, not starting with
/// a hyphen); with `allow_sub_domains`, dot-separated labels that each are one.
pub(crate) fn is_valid_host_label(value: &str, allow_sub_domains: bool) -> bool {
    if allow_sub_domains {
        value.split('.').all(is_single_label)
    } else {
        is_single_label(value)
    }
}

fn is_single_label(label: &str) -> bool {
    let bytes = label.as_bytes();
    (1..=63).contains(&bytes.len())
        && bytes[0].is_ascii_alphanumeric()
        && bytes.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
}

/// `aws.isVirtualHostableS3Bucket`: a bucket name usable as a host name: 3-63 characters, lowercase
/// letters, digits and hyphens (and dots with `allow_sub_domains`, but no `..`, `.-` or `-.`),
/// starting and ending with a letter or digit, and not shaped like an IP address.
pub(crate) fn is_virtual_hostable_s3_bucket(value: &str, allow_sub_domains: bool) -> bool {
    let bytes = value.as_bytes();
    let lower_alnum = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    if !(3..=63).contains(&bytes.len()) || !lower_alnum(&bytes[0]) || !lower_alnum(&bytes[bytes.len() - 1]) {
        return false;
    }
    if !allow_sub_domains {
        return bytes.iter().all(|c| lower_alnum(c) || *c == b'-');
    }
    let chars_ok = bytes.iter().all(|c| lower_alnum(c) || *c == b'-' || *c == b'.');
    let joints_ok = bytes.windows(2).all(|w| !matches!(w, b".." | b".-" | b"-."));
    chars_ok && joints_ok && !is_ipv4(value)
}

/// `substring`: bytes `start..stop` of an ASCII string, counted from the end with `reverse`; none
/// when the string is too short, the range empty or negative, or the string not ASCII.
pub(crate) fn substring(value: &str, start: i64, stop: i64, reverse: bool) -> Option<&str> {
    let (start, stop) = (usize::try_from(start).ok()?, usize::try_from(stop).ok()?);
    if !value.is_ascii() || start >= stop || stop > value.len() {
        return None;
    }
    let len = value.len();
    Some(if reverse { &value[len - stop..len - start] } else { &value[start..stop] })
}

/// `uriEncode`: RFC 3986 percent-encoding of everything but the unreserved characters, with
/// uppercase hex digits.
pub(crate) fn uri_encode(value: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(value.len());
    for &byte in value.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.extend(['%', HEX[usize::from(byte >> 4)] as char, HEX[usize::from(byte & 15)] as char]);
        }
    }
    out
}

/// `split`: at most `limit` parts (0: all) separated by a non-empty `delimiter`.
pub(crate) fn split(value: &str, delimiter: &str, limit: i64) -> Option<Vec<String>> {
    let limit = usize::try_from(limit).ok()?;
    if delimiter.is_empty() {
        return None;
    }
    let parts: Vec<String> = if limit == 0 {
        value.split(delimiter).map(str::to_owned).collect()
    } else {
        value.splitn(limit, delimiter).map(str::to_owned).collect()
    };
    Some(parts)
}

/// `parseURL`: an `http`/`https` URL without query or fragment, as the record the rules read
/// (`scheme`, `authority`, `path`, `normalizedPath`, `isIp`); none for anything else, including
/// user info, an empty host, a bad port and characters a URL cannot hold.
pub(crate) fn parse_url(value: &str) -> Option<Json> {
    let (scheme, rest) = value.split_once("://")?;
    if !matches!(scheme, "http" | "https") || rest.contains(['?', '#']) {
        return None;
    }
    let (authority, path) = rest.find('/').map_or((rest, ""), |slash| rest.split_at(slash));
    let host = split_port(authority)?;
    let is_ip = if let Some(inner) = host.strip_prefix('[') {
        is_ipv6(inner.strip_suffix(']')?) || return None
    } else if host.is_empty() || !host.bytes().all(is_reg_name_byte) {
        return None;
    } else {
        is_ipv4(host)
    };
    if !path.bytes().all(|c| is_reg_name_byte(c) || matches!(c, b'/' | b':' | b'@')) {
        return None;
    }
    Some(json!({
        "scheme": scheme,
        "authority": authority,
        "path": path,
        "normalizedPath": normalize_path(path),
        "isIp": is_ip,
    }))
}

/// The host of `host[:port]`; none when the port is present but not a number up to 65535.
fn split_port(authority: &str) -> Option<&str> {
    let port_start = match authority.rfind(':') {
        Some(colon) if !authority[colon..].contains(']') => colon,
        _ => return Some(authority),
    };
    let port = &authority[port_start + 1..];
    let valid = !port.is_empty() && port.len() <= 5 && port.bytes().all(|c| c.is_ascii_digit());
    (valid && port.parse::<u32>().is_ok_and(|p| p <= 65535)).then_some(&authority[..port_start])
}

/// RFC 3986 unreserved, sub-delims and `%` (of pct-encoded): what a reg-name or path segment holds.
fn is_reg_name_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"-._~%!$&'()*+,;=".contains(&c)
}

/// The path with a `/` at both ends (`/` for none), as `normalizedPath` promises.
fn normalize_path(path: &str) -> String {
    let mut normalized = String::with_capacity(path.len() + 2);
    if !path.starts_with('/') {
        normalized.push('/');
    }
    normalized.push_str(path);
    if !normalized.ends_with('/') {
        normalized.push('/');
    }
    normalized
}

/// Four dot-separated groups of 1-3 digits (the shape check other SDKs use; not range-checked).
fn is_ipv4(host: &str) -> bool {
    let groups: Vec<&str> = host.split('.').collect();
    groups.len() == 4 && groups.iter().all(|g| (1..=3).contains(&g.len()) && g.bytes().all(|c| c.is_ascii_digit()))
}

/// An IPv6 literal as written between brackets: hex groups and colons, an optional trailing
/// dotted IPv4 and an optional `%25` zone.
fn is_ipv6(text: &str) -> bool {
    let address = text.split_once("%25").map_or(text, |(address, _zone)| address);
    let (head, ipv4) = match address.rfind(':') {
        Some(colon) if address[colon + 1..].contains('.') => (&address[..=colon], Some(&address[colon + 1..])),
        _ => (address, None),
    };
    head.contains(':')
        && head.len() <= 45
        && head.bytes().all(|c| c.is_ascii_hexdigit() || c == b':')
        && head.split(':').all(|g| g.len() <= 4)
        && ipv4.is_none_or(is_ipv4)
}

/// `aws.parseArn`: `arn:partition:service:region:account-id:resource`, the resource split on `:`
/// and `/` into `resourceId`; none when partition, service or resource is empty.
pub(crate) fn parse_arn(value: &str) -> Option<Json> {
    let mut parts = value.splitn(6, ':');
    if parts.next() != Some("arn") {
        return None;
    }
    let (partition, service, region, account_id, resource) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if partition.is_empty() || service.is_empty() || resource.is_empty() {
        return None;
    }
    let resource_id: Vec<&str> = resource.split([':', '/']).collect();
    Some(json!({
        "partition": partition,
        "service": service,
        "region": region,
        "accountId": account_id,
        "resourceId": resource_id,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_labels() {
        for ok in ["a", "us-east-1", "A9", "a-", &"x".repeat(63)] {
            assert!(is_valid_host_label(ok, false), "{ok}");
        }
        for bad in ["", "-a", "a.b", "a_b", "é", "a b", &"x".repeat(64)] {
            assert!(!is_valid_host_label(bad, false), "{bad}");
        }
        assert!(is_valid_host_label("a.b-c.d9", true));
        for bad in ["a..b", ".a", "a.", "a.-b", "a.b_c"] {
            assert!(!is_valid_host_label(bad, true), "{bad}");
        }
    }

    #[test]
    fn virtual_hostable_buckets() {
        for ok in ["abc", "my-bucket-1", &"b".repeat(63)] {
            assert!(is_virtual_hostable_s3_bucket(ok, false), "{ok}");
        }
        for bad in ["ab", "Abc", "abc-", "-abc", "a.bc", "a_bc", &"b".repeat(64)] {
            assert!(!is_virtual_hostable_s3_bucket(bad, false), "{bad}");
        }
        assert!(is_virtual_hostable_s3_bucket("my.bucket.name", true));
        assert!(is_virtual_hostable_s3_bucket("1.2.3.4a", true));
        for bad in ["192.168.5.4", "a..b", "a.-b", "a-.b", "a.B", ".ab", "ab."] {
            assert!(!is_virtual_hostable_s3_bucket(bad, true), "{bad}");
        }
    }

    #[test]
    fn substrings() {
        assert_eq!(substring("abcdefg", 0, 4, false), Some("abcd"));
        assert_eq!(substring("abcdefg", 0, 4, true), Some("defg"));
        assert_eq!(substring("abcdefg", 1, 3, true), Some("ef"));
        assert_eq!(substring("abcd", 0, 4, false), Some("abcd"));
        assert_eq!(substring("abc", 0, 4, false), None);
        assert_eq!(substring("abcd", 2, 2, false), None);
        assert_eq!(substring("abcd", 3, 1, false), None);
        assert_eq!(substring("abcd", -1, 2, false), None);
        // Non-ASCII anywhere in the input: none, even for an ASCII range (the spec's rule).
        assert_eq!(substring("abcdé", 0, 2, false), None);
        assert_eq!(substring("🐱🐱", 0, 4, false), None);
    }

    #[test]
    fn uri_encoding() {
        assert_eq!(uri_encode("abc-_.~XYZ09"), "abc-_.~XYZ09");
        assert_eq!(uri_encode("a b/c:d"), "a%20b%2Fc%3Ad");
        assert_eq!(
            uri_encode("%?#[]{}|@!$&'()*+;=<>\"^`\\,"),
            "%25%3F%23%5B%5D%7B%7D%7C%40%21%24%26%27%28%29%2A%2B%3B%3D%3C%3E%22%5E%60%5C%2C"
        );
        assert_eq!(uri_encode("é"), "%C3%A9");
    }

    #[test]
    fn splitting() {
        let s = |v: &str, d: &str, l: i64| split(v, d, l);
        assert_eq!(s("a--b--c", "--", 0).unwrap(), ["a", "b", "c"]);
        assert_eq!(s("a--b--c", "--", 2).unwrap(), ["a", "b--c"]);
        assert_eq!(s("a--b--c", "--", 1).unwrap(), ["a--b--c"]);
        assert_eq!(s("", "--", 0).unwrap(), [""]);
        assert_eq!(s("----", "--", 0).unwrap(), ["", "", ""]);
        assert_eq!(s("a", "", 0), None);
        assert_eq!(s("a", "-", -1), None);
    }

    #[test]
    fn urls() {
        let url = parse_url("https://example.com").unwrap();
        assert_eq!(
            url,
            json!({"scheme": "https", "authority": "example.com", "path": "", "normalizedPath": "/", "isIp": false})
        );
        let url = parse_url("http://beta.example.com:1234/path").unwrap();
        assert_eq!((url["authority"].as_str(), url["path"].as_str()), (Some("beta.example.com:1234"), Some("/path")));
        assert_eq!(url["normalizedPath"], "/path/");
        assert_eq!(parse_url("https://example.com/a/b/").unwrap()["normalizedPath"], "/a/b/");
        assert_eq!(parse_url("https://10.0.1.12:433").unwrap()["isIp"], true);
        assert_eq!(parse_url("https://[fe80::1]").unwrap()["authority"], "[fe80::1]");
        assert_eq!(parse_url("https://[fe80::1]:443/x").unwrap()["isIp"], true);
        assert_eq!(parse_url("https://[::ffff:1.2.3.4%25en0]").unwrap()["isIp"], true);
        assert_eq!(parse_url("https://1.2.3.4.5").unwrap()["isIp"], false);
        for bad in [
            "example.com",
            "ftp://example.com",
            "abcde://nota#url",
            "https://example.com?x=1",
            "https://example.com/#frag",
            "https://",
            "https://:80",
            "https://user@example.com",
            "https://example.com:http",
            "https://example.com:99999",
            "https://exa mple.com",
            "https://[zz::1]",
            "https://é.com",
        ] {
            assert_eq!(parse_url(bad), None, "{bad}");
        }
    }

    #[test]
    fn arns() {
        let arn = parse_arn("arn:aws:s3:us-west-2:123456789012:accesspoint/my-ap:x").unwrap();
        assert_eq!(
            arn,
            json!({"partition": "aws", "service": "s3", "region": "us-west-2", "accountId": "123456789012",
                   "resourceId": ["accesspoint", "my-ap", "x"]})
        );
        let arn = parse_arn("arn:aws:iam::123:role/a:b:c").unwrap();
        assert_eq!((arn["region"].as_str(), arn["resourceId"][3].as_str()), (Some(""), Some("c")));
        assert_eq!(parse_arn("arn:aws:s3:::bucket").unwrap()["resourceId"], json!(["bucket"]));
        for bad in [
            "",
            "arn",
            "arn:aws:s3:us-east-1:123",
            "arn::s3:r:a:res",
            "arn:aws::r:a:res",
            "arn:aws:s3:r:a:",
            "urn:aws:s3:r:a:x",
        ] {
            assert_eq!(parse_arn(bad), None, "{bad}");
        }
    }
}
