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

/// `%7B%22a%22` -> `{"a"`. A `%` without two hex digits after it stays as it is, and bytes that
/// are not UTF-8 are replaced, as Python's `unquote` (botocore's) does.
pub fn percent_decode(text: &str) -> String {
    decode(text, false)
}

/// As a form is decoded: like [`percent_decode`], and `+` is a space (S3's encoded listing keys,
/// which botocore decodes with `unquote_plus`).
pub fn form_decode(text: &str) -> String {
    decode(text, true)
}

/// [`form_decode`] in place, for generated code.
pub fn form_decode_in_place(text: &mut Option<String>) {
    if let Some(text) = text {
        *text = form_decode(text);
    }
}

fn decode(text: &str, plus_is_space: bool) -> String {
    let hex = |byte: u8| char::from(byte).to_digit(16);
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        match (byte, tail.first().copied().and_then(hex), tail.get(1).copied().and_then(hex)) {
            (b'%', Some(high), Some(low)) => {
                bytes.push((high * 16 + low) as u8);
                rest = &tail[2..];
            }
            (b'+', _, _) if plus_is_space => {
                bytes.push(b' ');
                rest = tail;
            }
            _ => {
                bytes.push(byte);
                rest = tail;
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding_undoes_encoding_and_forms_read_plus_as_space() {
        for text in ["a b+c/\u{e9}t\u{e9} (1).txt", "100%~done", "\u{1}ctl\r\n", ""] {
            assert_eq!(percent_decode(&percent_encode(text, false)), text);
            assert_eq!(form_decode(&percent_encode(text, true)), text);
        }
        assert_eq!(percent_decode("a+b%2Bc"), "a+b+c");
        assert_eq!(form_decode("a+b%2Bc"), "a b+c");
        // A stray `%` stays; bytes that aren't UTF-8 are replaced.
        assert_eq!(form_decode("50%+off%zz%4"), "50% off%zz%4");
        assert_eq!(form_decode("%FF"), "\u{FFFD}");
        let mut key = Some("dir%2Fa+b".to_owned());
        form_decode_in_place(&mut key);
        assert_eq!(key.as_deref(), Some("dir/a b"));
    }
}
