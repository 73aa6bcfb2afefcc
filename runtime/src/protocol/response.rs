//! Outputs, read from the JSON body and from the members the model binds to headers, the
//! status code or the whole payload.

use crate::blob::Blob;
use crate::error::ParseError;
use crate::http::Response;
use crate::text::FromHttpValue;
use crate::time::TimestampFormat;
use crate::xml::{Document, FromXml};
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Parses a JSON output body; an empty body reads as `{}`.
pub fn json_output<T: DeserializeOwned>(response: &Response) -> Result<T, ParseError> {
    let body: &[u8] = if response.body.iter().all(u8::is_ascii_whitespace) { b"{}" } else { &response.body };
    // JSON is UTF-8: one check of the whole body is cheaper than serde_json's check of each
    // string, and reading only from `&str` compiles each output type's reader once, not twice.
    let text = std::str::from_utf8(body)
        .map_err(|e| ParseError::new(response.status, format!("the body is not UTF-8: {e}")))?;
    serde_json::from_str(text).map_err(|error| located_error(response.status, body, error))
}

/// Parses an RPCv2 CBOR output body; an empty body reads as an empty map.
#[cfg(feature = "cbor")]
pub fn cbor_output<T: DeserializeOwned>(response: &Response) -> Result<T, ParseError> {
    let body: &[u8] = if response.body.is_empty() { &[0xa0] } else { &response.body };
    crate::cbor::from_slice(body).map_err(|detail| ParseError::new(response.status, detail))
}

/// The error with the JSON path of the value it is about (`jobs[3].status: invalid type: ...`),
/// found by rescanning the body up to where serde_json stopped: a plain function, not a second
/// generic parse, so each output type's deserializer is compiled once.
fn located_error(status: u16, body: &[u8], error: serde_json::Error) -> ParseError {
    let mut scanned = &body[..byte_offset(body, error.line(), error.column())];
    match error.classify() {
        // A syntax error's position is just past the byte that broke the text.
        serde_json::error::Category::Syntax => scanned = &scanned[..scanned.len().saturating_sub(1)],
        // Our own deserializers' errors (timestamps, blobs, unions) are placed after their
        // container has read its closing `}` or `]`, or a list its next `,`: step back over it.
        serde_json::error::Category::Data => {
            scanned = scanned.trim_ascii_end();
            if let [rest @ .., b'}' | b']' | b','] = scanned {
                scanned = rest;
            }
        }
        serde_json::error::Category::Io | serde_json::error::Category::Eof => {}
    }
    match json_path_at(scanned) {
        path if path.is_empty() => ParseError::new(status, error.to_string()),
        path => ParseError::new(status, format!("at {path}: {error}")),
    }
}

/// serde_json's 1-based line and its column, the bytes of that line it had read.
fn byte_offset(body: &[u8], line: usize, column: usize) -> usize {
    let line_start = match line {
        0 | 1 => 0,
        n => body.iter().enumerate().filter(|(_, b)| **b == b'\n').nth(n - 2).map_or(body.len(), |(i, _)| i + 1),
    };
    (line_start + column).min(body.len())
}

/// How deep a path is followed (serde_json's own nesting limit); deeper levels are counted, not
/// kept, so a hostile body of a million `[` costs no more than a short one.
const MAX_PATH_DEPTH: usize = 128;
/// The bytes of a key kept in a path.
const MAX_KEY_LEN: usize = 64;

/// The path of the innermost value open at the end of `scanned`, a prefix of a JSON text:
/// object keys joined by `.`, array indexes in brackets, `…` for levels past
/// [`MAX_PATH_DEPTH`]; empty at the top level. Keys keep letters, digits, `_`, `-` and `:`;
/// any other byte shows as `?`, so a key can't smuggle a quote into the message.
pub(super) fn json_path_at(scanned: &[u8]) -> String {
    let mut path = OpenPath::default();
    let mut at = 0;
    while let Some(&byte) = scanned.get(at) {
        match byte {
            b'{' => path.open(Frame::Object { key: None }),
            b'[' => path.open(Frame::Array { index: 0 }),
            b'}' | b']' => path.close(),
            b',' => path.next_item(),
            b'"' => {
                let end = closing_quote(scanned, at);
                path.string(end.map(|end| &scanned[at + 1..end]));
                at = end.unwrap_or(scanned.len());
            }
            _ => {}
        }
        at += 1;
    }
    path.render()
}

/// The index of the quote that closes the string opened at `open`, if `text` holds it.
fn closing_quote(text: &[u8], open: usize) -> Option<usize> {
    let mut at = open + 1;
    while let Some(&byte) = text.get(at) {
        match byte {
            b'\\' => at += 2,
            b'"' => return Some(at),
            _ => at += 1,
        }
    }
    None
}

enum Frame {
    /// With the key of the member being read, once its closing quote was seen.
    Object {
        key: Option<String>,
    },
    Array {
        index: usize,
    },
}

/// The containers open so far in a scan of a JSON text, the first [`MAX_PATH_DEPTH`] of them.
#[derive(Default)]
struct OpenPath {
    frames: Vec<Frame>,
    /// Open containers past the depth limit, counted only.
    too_deep: usize,
    /// The next string is an object's key.
    expecting_key: bool,
}

impl OpenPath {
    fn open(&mut self, frame: Frame) {
        self.expecting_key = matches!(frame, Frame::Object { .. });
        match self.frames.len() < MAX_PATH_DEPTH {
            true => self.frames.push(frame),
            false => self.too_deep += 1,
        }
    }

    fn close(&mut self) {
        match self.too_deep {
            0 => drop(self.frames.pop()),
            _ => self.too_deep -= 1,
        }
        self.expecting_key = false;
    }

    /// A `,`: the next member or item.
    fn next_item(&mut self) {
        if self.too_deep > 0 {
            return;
        }
        match self.frames.last_mut() {
            Some(Frame::Object { key }) => {
                *key = None;
                self.expecting_key = true;
            }
            Some(Frame::Array { index }) => *index += 1,
            None => {}
        }
    }

    /// A string, `None` when the text ends inside it.
    fn string(&mut self, text: Option<&[u8]>) {
        if let (true, 0, Some(Frame::Object { key })) = (self.expecting_key, self.too_deep, self.frames.last_mut()) {
            *key = text.map(shown_key);
        }
        self.expecting_key = false;
    }

    fn render(&self) -> String {
        let mut path = String::new();
        for frame in &self.frames {
            match frame {
                Frame::Object { key: Some(key) } => {
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(key);
                }
                Frame::Object { key: None } => return path,
                Frame::Array { index } => {
                    let _ = write!(path, "[{index}]");
                }
            }
        }
        if self.too_deep > 0 {
            path.push('…');
        }
        path
    }
}

/// A key as a path shows it: at most [`MAX_KEY_LEN`] bytes, each outside `[A-Za-z0-9_:-]` as `?`.
fn shown_key(raw: &[u8]) -> String {
    let keep = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b':');
    raw.iter().take(MAX_KEY_LEN).map(|b| if keep(b) { char::from(*b) } else { '?' }).collect()
}

/// Parses a restXml output body: the root element holds the body members, whatever its name.
/// An empty body is an output with no body members.
pub fn xml_output<T: FromXml + Default>(response: &Response) -> Result<T, ParseError> {
    Ok(response.payload_xml()?.unwrap_or_default())
}

impl Response {
    fn bad(&self, detail: String) -> ParseError {
        ParseError::new(self.status, detail)
    }

    /// A header-bound output member; timestamps are HTTP dates unless the model says otherwise.
    pub fn header_value<T: FromHttpValue>(&self, name: &str) -> Result<Option<T>, ParseError> {
        self.header_value_with(name, TimestampFormat::HttpDate)
    }

    pub fn header_value_with<T: FromHttpValue>(
        &self,
        name: &str,
        timestamps: TimestampFormat,
    ) -> Result<Option<T>, ParseError> {
        self.header(name)
            .map(|text| T::from_http_value(text, timestamps).map_err(|e| self.bad(format!("header {name}: {e}"))))
            .transpose()
    }

    /// A header carrying base64 of JSON text (the model's `jsonvalue`): the JSON text.
    pub fn header_json(&self, name: &str) -> Result<Option<String>, ParseError> {
        let Some(text) = self.header(name) else { return Ok(None) };
        let bytes = crate::base64::decode(text.trim()).map_err(|e| self.bad(format!("header {name}: {e}")))?;
        String::from_utf8(bytes).map(Some).map_err(|e| self.bad(format!("header {name}: {e}")))
    }

    /// A list header: split on commas outside quotes (HTTP dates keep their own comma).
    pub fn header_list<T: FromHttpValue>(&self, name: &str) -> Result<Option<Vec<T>>, ParseError> {
        let values: Vec<&str> = self.headers.get_all(name).iter().filter_map(|v| v.to_str().ok()).collect();
        if values.is_empty() {
            return Ok(None);
        }
        let mut items = Vec::new();
        for value in values {
            for element in split_list(value, T::HTTP_DATES) {
                let parsed = T::from_http_value(&element, TimestampFormat::HttpDate)
                    .map_err(|e| self.bad(format!("header {name}: {e}")))?;
                items.push(parsed);
            }
        }
        Ok(Some(items))
    }

    /// Every header starting with `prefix` (case-insensitive), keyed by the rest of its name.
    pub fn prefix_headers<T: FromHttpValue>(&self, prefix: &str) -> Result<Option<BTreeMap<String, T>>, ParseError> {
        let prefix = prefix.to_ascii_lowercase();
        let mut entries = BTreeMap::new();
        for (name, value) in &self.headers {
            if let Some(key) = name.as_str().strip_prefix(&prefix) {
                let text = value.to_str().map_err(|e| self.bad(format!("header {name}: {e}")))?;
                let parsed = T::from_http_value(text, TimestampFormat::HttpDate)
                    .map_err(|e| self.bad(format!("header {name}: {e}")))?;
                entries.insert(key.to_owned(), parsed);
            }
        }
        Ok((!entries.is_empty()).then_some(entries))
    }

    /// The HTTP status, for a member bound to it.
    pub fn status_code(&self) -> Option<i32> {
        Some(i32::from(self.status))
    }

    /// The whole body as a blob payload.
    pub fn payload_blob(&self) -> Option<Blob> {
        (!self.body.is_empty()).then(|| Blob::new(self.body.to_vec()))
    }

    /// The whole body as a string (or enum) payload.
    pub fn payload_text<T: FromHttpValue>(&self) -> Result<Option<T>, ParseError> {
        if self.body.is_empty() {
            return Ok(None);
        }
        let text = std::str::from_utf8(&self.body).map_err(|e| self.bad(format!("the body is not UTF-8: {e}")))?;
        T::from_http_value(text, TimestampFormat::HttpDate).map(Some).map_err(|e| self.bad(e))
    }

    /// The whole body as an XML structure or union payload; an empty body is no payload.
    pub fn payload_xml<T: FromXml>(&self) -> Result<Option<T>, ParseError> {
        self.root_xml(|_| true)
    }

    /// The document element as the output's one member (S3 GetBucketLocation's
    /// `<LocationConstraint>`); an empty element, as S3 sends for us-east-1, is no value.
    pub fn unwrapped_xml<T: FromXml>(&self) -> Result<Option<T>, ParseError> {
        self.root_xml(|root| !root.text().trim().is_empty() || root.children().next().is_some())
    }

    fn root_xml<T: FromXml>(&self, has_value: impl Fn(&crate::xml::Node) -> bool) -> Result<Option<T>, ParseError> {
        let text = std::str::from_utf8(&self.body).map_err(|_| self.bad("the body is not UTF-8".to_owned()))?;
        if text.trim().is_empty() {
            return Ok(None);
        }
        let bad = |e: crate::xml::XmlError| self.bad(e.to_string());
        let doc = Document::parse(text).map_err(bad)?;
        let root = doc.root();
        if !has_value(&root) {
            return Ok(None);
        }
        root.parse().map(Some).map_err(bad)
    }

    /// The whole body as a structure payload; an empty body is no payload.
    pub fn payload_json<T: DeserializeOwned>(&self) -> Result<Option<T>, ParseError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        json_output(self).map(Some)
    }
}

/// Splits a list header value on commas, keeping quoted strings (and HTTP dates) whole.
fn split_list(value: &str, http_dates: bool) -> Vec<String> {
    if http_dates {
        // `Mon, 16 Dec 2019 23:48:18 GMT, Tue, ...`: every second comma separates.
        let parts: Vec<&str> = value.split(',').map(str::trim).collect();
        return parts.chunks(2).map(|pair| pair.join(", ")).collect();
    }
    let mut items = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => quoted = !quoted,
            '\\' if quoted => current.extend(chars.next()),
            ',' if !quoted => items.push(std::mem::take(&mut current).trim().to_owned()),
            c => current.push(c),
        }
    }
    items.push(current.trim().to_owned());
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    /// S3 answers GetBucketLocation in us-east-1 with an empty element: no location, not "".
    #[test]
    fn an_unwrapped_empty_element_is_no_value() {
        let response = |body: &'static str| Response { status: 200, headers: Default::default(), body: body.into() };
        let ns = r#"xmlns="http://s3.amazonaws.com/doc/2006-03-01/""#;
        let located = response(
            r#"<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">eu-west-1</LocationConstraint>"#,
        );
        assert_eq!(located.unwrapped_xml::<String>().unwrap().as_deref(), Some("eu-west-1"));
        let empty = format!("<LocationConstraint {ns}/>");
        let empty = Response { body: empty.into(), ..response("") };
        assert_eq!(empty.unwrapped_xml::<String>().unwrap(), None);
        assert_eq!(response("").unwrapped_xml::<String>().unwrap(), None);
    }

    #[test]
    fn list_headers_split_outside_quotes() {
        assert_eq!(split_list(r#"a, "b,c", "d\"e""#, false), ["a", "b,c", "d\"e"]);
        assert_eq!(
            split_list("Mon, 16 Dec 2019 23:48:18 GMT, Tue, 17 Dec 2019 23:48:18 GMT", true),
            ["Mon, 16 Dec 2019 23:48:18 GMT", "Tue, 17 Dec 2019 23:48:18 GMT"]
        );
    }
}
