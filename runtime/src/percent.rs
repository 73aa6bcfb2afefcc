//! Percent-encoding as AWS signs and reads it, for URI labels, query strings and the few
//! headers that carry a path (S3's `x-amz-copy-source`).

/// RFC 3986 percent-encoding as AWS uses it: only `A-Z a-z 0-9 - . _ ~` stay (and `/` in greedy labels).
pub fn percent_encode(value: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) || (keep_slash && byte == b'/') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
