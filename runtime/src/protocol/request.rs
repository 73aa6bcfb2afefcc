//! Requests, built from what generated code declares about each member's place on the wire.

use crate::blob::Blob;
use crate::percent::percent_encode;
use crate::text::HttpValue;
use crate::time::TimestampFormat;
use crate::xml::{Layout, ToXml, Writer};
use crate::BuildError;
use bytes::Bytes;
use serde::Serialize;
use std::collections::BTreeMap;

/// An HTTP request before it is addressed and signed.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub(crate) method: &'static str,
    /// The path with labels filled in.
    pub(crate) path: String,
    pub(crate) query: Vec<(String, String)>,
    /// The URI template's own query (`x-id=Op&flag`), sent as written, before `query`.
    pub(crate) literal_query: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Bytes,
    /// The body is this file's or reader's instead (`body` is empty), read as it is sent.
    pub(crate) streamed: Option<crate::byte_stream::Streamed>,
    /// The checksum algorithm of the streamed body, due once the endpoint says where it goes
    /// (see `checksum::settle`): in a trailer of an aws-chunked body, or a header.
    pub(crate) stream_checksum: Option<&'static str>,
    /// The body is this input event stream instead, framed and signed as it is sent.
    pub(crate) events: Option<crate::eventstream::Outgoing>,
    /// Prepended to the endpoint's host (`{AccountId}.` filled in).
    pub(crate) host_prefix: Option<String>,
    /// A URL the input names, which replaces the endpoint (MachineLearning's `PredictEndpoint`).
    pub(crate) endpoint: Option<String>,
    /// The `content-type` is the payload's default, not a member's value.
    pub(crate) content_type_defaulted: bool,
}

impl Request {
    /// A rest-json request: `uri` is the model's template (`/backend/{appId}/job/{name}`, possibly
    /// with a literal query such as `?x-id=Op`), whose labels [`Request::label`] fills.
    pub fn rest(method: &'static str, uri: &'static str) -> Self {
        let (path, literal_query) = uri.split_once('?').unwrap_or((uri, ""));
        Request {
            method,
            path: path.to_owned(),
            query: Vec::new(),
            literal_query: literal_query.to_owned(),
            headers: Vec::new(),
            body: Bytes::new(),
            streamed: None,
            stream_checksum: None,
            events: None,
            host_prefix: None,
            endpoint: None,
            content_type_defaulted: false,
        }
    }

    /// An awsJson request: `POST /` with `X-Amz-Target: {target}` and the versioned content type.
    /// The body is the input as JSON, `{}` at least.
    pub fn aws_json<T: Serialize + ?Sized>(version: &str, target: &str, input: &T) -> Result<Self, BuildError> {
        let mut request = Request::rest("POST", "/");
        request.headers.push(("x-amz-target".to_owned(), target.to_owned()));
        request.headers.push(("content-type".to_owned(), format!("application/x-amz-json-{version}")));
        request.body = to_json(input)?;
        Ok(request)
    }

    /// An RPCv2 CBOR request: `POST /service/{service}/operation/{operation}`; the body is the
    /// input as a CBOR map, and there is no body (nor Content-Type) when the operation has no input.
    #[cfg(feature = "cbor")]
    pub fn rpc_v2_cbor<T: Serialize + ?Sized>(
        service: &str,
        operation: &str,
        input: Option<&T>,
    ) -> Result<Self, BuildError> {
        let mut request = Request::rest("POST", "/");
        request.path = format!("/service/{service}/operation/{operation}");
        request.headers.push(("smithy-protocol".to_owned(), "rpc-v2-cbor".to_owned()));
        request.headers.push(("accept".to_owned(), "application/cbor".to_owned()));
        if let Some(input) = input {
            request.headers.push(("content-type".to_owned(), "application/cbor".to_owned()));
            let body = crate::cbor::to_vec(input).map_err(|detail| BuildError::Serialize { detail })?;
            request.body = body.into();
        }
        Ok(request)
    }

    /// Fills `{name}` with the percent-encoded value, or `{name+}` keeping `/` (greedy label).
    pub fn label<T: HttpValue + ?Sized>(self, name: &str, value: &T) -> Self {
        self.label_with(name, value, TimestampFormat::DateTime)
    }

    /// A label whose timestamp format the model sets explicitly.
    pub fn label_with<T: HttpValue + ?Sized>(mut self, name: &str, value: &T, timestamps: TimestampFormat) -> Self {
        let value = value.http_value(timestamps);
        let plain = format!("{{{name}}}");
        if self.path.contains(&plain) {
            self.path = self.path.replace(&plain, &percent_encode(&value, false));
        } else {
            self.path = self.path.replace(&format!("{{{name}+}}"), &percent_encode(&value, true));
        }
        self
    }

    pub fn query<T: HttpValue>(self, name: &str, value: Option<&T>) -> Self {
        self.query_with(name, value, TimestampFormat::DateTime)
    }

    /// A query parameter whose timestamp format the model sets explicitly.
    pub fn query_with<T: HttpValue>(mut self, name: &str, value: Option<&T>, timestamps: TimestampFormat) -> Self {
        if let Some(value) = value {
            self.query.push((name.to_owned(), value.http_value(timestamps)));
        }
        self
    }

    /// A list parameter: the key repeated once per element; nothing for an empty list.
    pub fn query_list<T: HttpValue>(mut self, name: &str, values: Option<&Vec<T>>) -> Self {
        for value in values.into_iter().flatten() {
            self.query.push((name.to_owned(), value.http_value(TimestampFormat::DateTime)));
        }
        self
    }

    /// A map bound to the query string: one parameter per entry, after the named parameters,
    /// which win over an entry of the same name.
    pub fn query_map<T: HttpValue>(mut self, entries: Option<&BTreeMap<String, T>>) -> Self {
        for (key, value) in entries.into_iter().flatten() {
            if !self.query.iter().any(|(k, _)| k == key) {
                self.query.push((key.clone(), value.http_value(TimestampFormat::DateTime)));
            }
        }
        self
    }

    /// A map of lists bound to the query string: each key repeated once per element.
    pub fn query_map_list<T: HttpValue>(mut self, entries: Option<&BTreeMap<String, Vec<T>>>) -> Self {
        for (key, values) in entries.into_iter().flatten() {
            if !self.query.iter().any(|(k, _)| k == key) {
                for value in values {
                    self.query.push((key.clone(), value.http_value(TimestampFormat::DateTime)));
                }
            }
        }
        self
    }

    pub fn header<T: HttpValue>(self, name: &str, value: Option<&T>) -> Self {
        self.header_with(name, value, TimestampFormat::HttpDate)
    }

    /// A header whose timestamp format the model sets explicitly.
    pub fn header_with<T: HttpValue>(mut self, name: &str, value: Option<&T>, timestamps: TimestampFormat) -> Self {
        if let Some(value) = value {
            self.headers.push((name.to_owned(), value.http_value(timestamps)));
        }
        self
    }

    /// A list header: elements joined by `,`; strings holding `,` or `"` are quoted. An empty
    /// list sends no header.
    pub fn header_list<T: HttpValue>(mut self, name: &str, values: Option<&Vec<T>>) -> Self {
        let Some(values) = values.filter(|v| !v.is_empty()) else { return self };
        let joined: Vec<String> = values
            .iter()
            .map(|value| {
                let text = value.http_value(TimestampFormat::HttpDate);
                if T::QUOTED_IN_LISTS && text.contains([',', '"']) {
                    format!("\"{}\"", text.replace('"', "\\\""))
                } else {
                    text
                }
            })
            .collect();
        self.headers.push((name.to_owned(), joined.join(",")));
        self
    }

    /// A header carrying JSON text, base64-encoded as the model's `jsonvalue` says.
    pub fn header_json(mut self, name: &str, value: Option<&String>) -> Self {
        if let Some(json) = value {
            self.headers.push((name.to_owned(), crate::base64::encode(json)));
        }
        self
    }

    /// A map bound to every header starting with `prefix`, after the named headers, which win
    /// over an entry of their name.
    pub fn prefix_headers<T: HttpValue>(mut self, prefix: &str, entries: Option<&BTreeMap<String, T>>) -> Self {
        for (key, value) in entries.into_iter().flatten() {
            let name = format!("{prefix}{key}");
            if !self.headers.iter().any(|(existing, _)| existing.eq_ignore_ascii_case(&name)) {
                self.headers.push((name, value.http_value(TimestampFormat::HttpDate)));
            }
        }
        self
    }

    /// A JSON body (`application/json`) from the input's body members.
    pub fn json_body<T: Serialize + ?Sized>(mut self, input: &T) -> Result<Self, BuildError> {
        self.body = to_json(input)?;
        self.set_content_type("application/json");
        Ok(self)
    }

    /// restXml: the input's body members inside `<root>` (declaring the model's namespace, if
    /// any); no body when the input sets none of them, as botocore does.
    pub fn xml_body<T: ToXml>(
        mut self,
        root: &str,
        namespace: Option<(&'static str, &'static str)>,
        input: &T,
    ) -> Self {
        let writer = xml_element(root, namespace, input);
        if writer.has_content() {
            self.body = Bytes::from(writer.finish());
            self.set_content_type("application/xml");
        }
        self
    }

    /// restXml: a structure or union payload as the element `name`; no body when unset.
    pub fn payload_xml<T: ToXml>(
        mut self,
        name: &str,
        namespace: Option<(&'static str, &'static str)>,
        payload: Option<&T>,
    ) -> Self {
        let Some(payload) = payload else { return self };
        self.body = Bytes::from(xml_element(name, namespace, payload).finish());
        self.set_content_type("application/xml");
        self
    }

    /// A structure payload: its JSON, or `{}` when unset.
    pub fn payload_json<T: Serialize>(self, payload: Option<&T>) -> Result<Self, BuildError> {
        match payload {
            Some(payload) => self.json_body(payload),
            None => self.json_body(&serde_json::Map::new()),
        }
    }

    /// A union payload: its JSON, or no body at all when unset.
    pub fn payload_union<T: Serialize>(self, payload: Option<&T>) -> Result<Self, BuildError> {
        match payload {
            Some(payload) => self.json_body(payload),
            None => Ok(self),
        }
    }

    /// A blob payload: the bytes as they are, no body when unset; its media type (the model's,
    /// else `application/octet-stream`) either way, unless a header member says otherwise.
    pub fn payload_blob(mut self, payload: Option<&Blob>, media_type: &str) -> Self {
        if let Some(blob) = payload {
            self.body = Bytes::copy_from_slice(blob.as_bytes());
        }
        self.set_content_type(media_type);
        self
    }

    /// A streaming blob payload: its bytes in memory, its file or reader, no body when unset.
    pub fn payload_stream(mut self, payload: Option<&crate::ByteStream>, media_type: &str) -> Result<Self, BuildError> {
        match payload.map(crate::ByteStream::to_send).transpose()? {
            Some(crate::byte_stream::Outgoing::Bytes(bytes)) => self.body = bytes,
            Some(crate::byte_stream::Outgoing::Streamed(streamed)) => self.streamed = Some(streamed),
            None => {}
        }
        self.set_content_type(media_type);
        Ok(self)
    }

    /// An input event stream: the body, sent event by event as the caller's stream yields them
    /// (an unset stream sends none and ends).
    pub fn payload_events<T: crate::eventstream::WriteEvent>(
        mut self,
        events: Option<&crate::eventstream::EventSender<T>>,
    ) -> Self {
        let events =
            events.map_or_else(|| crate::eventstream::EventSender::<T>::default().outgoing(), |e| e.outgoing());
        self.events = Some(events);
        self.headers.push(("content-type".to_owned(), "application/vnd.amazon.eventstream".to_owned()));
        self
    }

    /// A string (or enum) payload: its UTF-8 text (`text/plain` unless a header member says
    /// otherwise); no body when unset.
    pub fn payload_text<T: HttpValue>(mut self, payload: Option<&T>) -> Self {
        if let Some(text) = payload {
            self.body = Bytes::from(text.http_value(TimestampFormat::HttpDate));
            self.set_content_type("text/plain");
        }
        self
    }

    /// A header's value by name (any case), to change it.
    fn header_mut(&mut self, name: &str) -> Option<&mut String> {
        self.headers.iter_mut().find(|(given, _)| given.eq_ignore_ascii_case(name)).map(|(_, value)| value)
    }

    /// A header every request of the service carries (`Service::headers`), unless set.
    pub(crate) fn header_unless_set(mut self, name: &str, value: &str) -> Self {
        if self.header_mut(name).is_none() {
            self.headers.push((name.to_owned(), value.to_owned()));
        }
        self
    }

    /// Sends the request to the scheme, host and port of `url`, when given and not empty,
    /// instead of the endpoint's (checked like an `endpoint_url`).
    pub fn endpoint(mut self, url: Option<&str>) -> Self {
        self.endpoint = url.filter(|url| !url.is_empty()).map(str::to_owned).or(self.endpoint);
        self
    }

    /// Glacier's body checksums, which it requires on uploads: `x-amz-content-sha256`, the body's
    /// SHA-256, and `x-amz-sha256-tree-hash`, the root of a binary tree of SHA-256s over its
    /// 1 MiB pieces. Either one the caller set is kept; a body from a file needs both given.
    pub fn glacier_checksums(self) -> Self {
        if self.streamed.is_some() {
            return self;
        }
        let sha256 = crate::sigv4::hex(ring::digest::digest(&ring::digest::SHA256, &self.body).as_ref());
        let tree_hash = crate::sigv4::hex(&tree_hash(&self.body));
        self.header_unless_set("x-amz-content-sha256", &sha256).header_unless_set("x-amz-sha256-tree-hash", &tree_hash)
    }

    /// S3's customer-provided encryption keys (SSE-C), given as the raw key: unless the caller
    /// also gave its MD5 (and so the key already encoded), the key is sent base64-encoded with
    /// the base64 MD5 of its bytes beside it, as botocore's `sse_md5` does. `pairs`: the key
    /// header and its MD5 header, for the object's key and a copy source's.
    pub fn sse_customer_keys(mut self, pairs: &[(&str, &str)]) -> Self {
        for (key_header, md5_header) in pairs {
            if self.header_mut(md5_header).is_some() {
                continue;
            }
            let Some(key) = self.header_mut(key_header) else { continue };
            let md5 = crate::base64::encode(md5::compute(key.as_bytes()).0);
            *key = crate::base64::encode(key.as_bytes());
            self.headers.push(((*md5_header).to_owned(), md5));
        }
        self
    }

    /// A form (awsQuery, EC2) with `name=value` added unless it has `name` already.
    pub(crate) fn form_param_unless_set(mut self, name: &str, value: &str) -> Self {
        let form = String::from_utf8_lossy(&self.body).into_owned();
        if form.is_empty() || form.split('&').any(|pair| pair.split('=').next() == Some(name)) {
            return self;
        }
        let pair = format!("{}={}", percent_encode(name, false), percent_encode(value, false));
        self.body = Bytes::from(format!("{form}&{pair}"));
        self
    }

    /// The body gzip-compressed, with `gzip` added to its `content-encoding`, unless compression
    /// is off or the body is smaller than the minimum (or a file, sent as it is read).
    #[cfg(feature = "gzip")]
    pub(crate) fn gzip(mut self, compression: crate::config::RequestCompression) -> Result<Self, BuildError> {
        use std::io::Write;
        let small = (self.body.len() as u64) < u64::from(compression.min_size_bytes);
        if compression.disabled || small || self.streamed.is_some() || self.body.is_empty() {
            return Ok(self);
        }
        let failed = |e: std::io::Error| BuildError::Serialize { detail: format!("gzip: {e}") };
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(&self.body).map_err(failed)?;
        self.body = Bytes::from(encoder.finish().map_err(failed)?);
        match self.header_mut("content-encoding") {
            Some(encodings) => encodings.push_str(", gzip"),
            None => self.headers.push(("content-encoding".to_owned(), "gzip".to_owned())),
        }
        Ok(self)
    }

    /// S3's listings: asks for keys percent-encoded (`encoding-type=url`) unless the caller
    /// chose an encoding; [`Operation::finish`](super::Operation::finish) decodes them.
    pub fn ask_url_encoding(mut self, caller_chose: bool) -> Self {
        if !caller_chose {
            self.query.push(("encoding-type".to_owned(), "url".to_owned()));
        }
        self
    }

    /// The query as a form body, sent by POST (CloudSearch Domain's Search, whose query can
    /// outgrow a URL; botocore's `change_get_to_post`). A request without a query is unchanged.
    pub fn query_as_form(mut self) -> Self {
        let url = self.path_and_query();
        let Some((_, query)) = url.split_once('?') else { return self };
        self.method = "POST";
        self.body = Bytes::from(query.to_owned());
        self.query.clear();
        self.literal_query.clear();
        self.set_content_type("application/x-www-form-urlencoded");
        self
    }

    /// Fills the operation's host prefix (`{AccountId}.`) from its host-label members, each of
    /// which must be non-empty and hold only letters, digits, `-` and `.`.
    pub fn host_prefix(mut self, template: &str, labels: &[(&str, Option<&String>)]) -> Result<Self, BuildError> {
        let mut prefix = template.to_owned();
        for (name, value) in labels {
            let value = value.map(String::as_str).unwrap_or_default();
            let valid = !value.is_empty() && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
            if !valid {
                return Err(BuildError::InvalidHostLabel { field: (*name).to_owned() });
            }
            prefix = prefix.replace(&format!("{{{name}}}"), value);
        }
        self.host_prefix = Some(prefix);
        Ok(self)
    }

    /// The percent-encoded path and query: the literal query first, then the bound parameters.
    pub(crate) fn path_and_query(&self) -> String {
        let mut url = self.path.clone();
        let bound = self
            .query
            .iter()
            .map(|(key, value)| format!("{}={}", percent_encode(key, false), percent_encode(value, false)));
        let query: Vec<String> =
            (!self.literal_query.is_empty()).then(|| self.literal_query.clone()).into_iter().chain(bound).collect();
        if !query.is_empty() {
            url.push('?');
            url.push_str(&query.join("&"));
        }
        url
    }

    fn set_content_type(&mut self, content_type: &str) {
        if !self.headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("content-type")) {
            self.headers.push(("content-type".to_owned(), content_type.to_owned()));
            self.content_type_defaulted = true;
        }
    }
}

/// `value` written as the element `name`, declaring `namespace` if there is one.
fn xml_element<T: ToXml>(name: &str, namespace: Option<(&'static str, &'static str)>, value: &T) -> Writer {
    let mut writer = Writer::new();
    match namespace {
        Some(namespace) => writer.member_in(name, namespace, value, &Layout::Plain),
        None => writer.member(name, value, &Layout::Plain),
    }
    writer
}

pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<Bytes, BuildError> {
    serde_json::to_vec(value).map(Bytes::from).map_err(|e| BuildError::Serialize { detail: e.to_string() })
}

/// Glacier's tree hash: SHA-256 of each 1 MiB piece, then of each pair of hashes, level by level
/// (an odd one out goes up as it is), to one. An empty body's is the SHA-256 of nothing.
fn tree_hash(body: &[u8]) -> Vec<u8> {
    use ring::digest::{digest, Context, SHA256};
    let mut level: Vec<Vec<u8>> =
        body.chunks(1024 * 1024).map(|piece| digest(&SHA256, piece).as_ref().to_vec()).collect();
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|pair| {
                if let [single] = pair {
                    return single.clone();
                }
                let mut context = Context::new(&SHA256);
                pair.iter().for_each(|hash| context.update(hash));
                context.finish().as_ref().to_vec()
            })
            .collect();
    }
    level.pop().unwrap_or_else(|| digest(&SHA256, b"").as_ref().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
        request.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// Expected values from Python's hashlib, with the tree built by hand: four pieces of which
    /// the last is one byte, so an odd one out rises a level.
    #[test]
    fn glacier_tree_hashes_over_pieces_and_of_nothing() {
        let body: Vec<u8> = (0..3 * 1024 * 1024 + 1).map(|i: u32| (i % 251) as u8).collect();
        let request =
            Request::rest("POST", "/-/vaults/v/archives").payload_blob(Some(&body.into()), "").glacier_checksums();
        let tree = "66ac946469b53baeeb5d6d4587807d914a28a0b59c4b2f5f105f64d312db56cc";
        assert_eq!(header(&request, "x-amz-sha256-tree-hash"), Some(tree));
        let empty = Request::rest("POST", "/").glacier_checksums();
        let nothing = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assert_eq!(header(&empty, "x-amz-sha256-tree-hash"), Some(nothing));
        assert_eq!(header(&empty, "x-amz-content-sha256"), Some(nothing));
        let given =
            Request::rest("POST", "/").header("x-amz-sha256-tree-hash", Some(&"mine".to_owned())).glacier_checksums();
        assert_eq!(header(&given, "x-amz-sha256-tree-hash"), Some("mine"));
    }
}
