//! Linked into the scratch crates of `cargo xtask conformance`: the transport that records
//! requests or answers with a case's response, and the comparisons of protocol-test expectations.

use awsgen_runtime::http::{BoxFuture, HttpClient, HttpResponse, Response};
use serde_json::Value;
use std::sync::Mutex;

/// A transport that keeps the request it is given and answers `200 {}`, or a canned response.
#[derive(Debug, Default)]
pub struct Transport {
    pub sent: Mutex<Option<http::Request<bytes::Bytes>>>,
}

impl HttpClient for Transport {
    fn call(
        &self,
        request: http::Request<bytes::Bytes>,
    ) -> BoxFuture<'_, Result<HttpResponse, awsgen_runtime::TransportError>> {
        *self.sent.lock().unwrap() = Some(request);
        Box::pin(async { Ok(HttpResponse { status: 200, headers: Default::default(), body: "{}".into() }) })
    }
}

/// What differs between a sent request and a case's `serialized` expectations, if anything.
pub fn request(sent: &http::Request<bytes::Bytes>, expected: &Value, protocol: &str) -> Result<(), String> {
    if let Some(method) = expected.get("method").and_then(Value::as_str) {
        if sent.method().as_str() != method {
            return Err(format!("method {} != {method}", sent.method()));
        }
    }
    let target = sent.uri().path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_default();
    if let Some(uri) = expected.get("uri").and_then(Value::as_str) {
        if !same_target(&target, uri) {
            return Err(format!("uri {target} != {uri}"));
        }
    }
    if let Some(host) = expected.get("host").and_then(Value::as_str) {
        let actual = sent.uri().authority().map(|a| a.as_str().to_owned()).unwrap_or_default();
        // `example.com/custom`: the endpoint's path travels in front of the request path.
        let (host, path) = host.split_once('/').map_or((host, ""), |(h, p)| (h, p));
        if actual != host || !sent.uri().path().trim_start_matches('/').starts_with(path) {
            return Err(format!("host {actual} != {host}/{path}"));
        }
    }
    for (name, value) in expected.get("headers").and_then(Value::as_object).into_iter().flatten() {
        let value = value.as_str().unwrap_or_default();
        let actual: Vec<&str> = sent.headers().get_all(name.as_str()).iter().filter_map(|v| v.to_str().ok()).collect();
        let actual = actual.join(", ");
        // A list header may be joined with "," or ", ". A form's Content-Type is expected with
        // `; charset=utf-8` (legacy suite) and without (current suite): the media type decides.
        let media_type = |t: &str| t.split(';').next().unwrap_or_default().trim().to_owned();
        let same_media_type = name.eq_ignore_ascii_case("content-type") && media_type(&actual) == media_type(value);
        if actual != value && actual.replace(", ", ",") != value.replace(", ", ",") && !same_media_type {
            return Err(format!("header {name}: {actual:?} != {value:?}"));
        }
    }
    for name in expected.get("forbidHeaders").and_then(Value::as_array).into_iter().flatten() {
        let name = name.as_str().unwrap_or_default();
        if sent.headers().contains_key(name) {
            return Err(format!("header {name} must not be sent"));
        }
    }
    for name in expected.get("requireHeaders").and_then(Value::as_array).into_iter().flatten() {
        let name = name.as_str().unwrap_or_default();
        if !sent.headers().contains_key(name) {
            return Err(format!("header {name} must be sent"));
        }
    }
    if let Some(body) = expected.get("body").and_then(Value::as_str) {
        let actual = sent.body();
        if protocol == CBOR {
            return same_cbor_body(actual, body);
        }
        let parsed = (serde_json::from_slice::<Value>(actual), serde_json::from_str::<Value>(body));
        match parsed {
            (Ok(a), Ok(b)) => {
                if !same(&a, &b) {
                    return Err(format!("body {a} != {b}"));
                }
            }
            // A form is compared as its decoded pairs, in any order (members are written in
            // model order, the suites list them in the order they were declared).
            _ if protocol == "query" || protocol == "ec2" => {
                let actual = String::from_utf8_lossy(actual);
                if form_pairs(&actual) != form_pairs(body) {
                    return Err(format!("body {actual:?} != {body:?}"));
                }
            }
            // XML is compared as trees: names, attributes, trimmed text and children in order.
            _ if protocol == "rest-xml" && !body.is_empty() => {
                let actual = String::from_utf8_lossy(actual);
                if !same_xml(&actual, body) {
                    return Err(format!("body {actual:?} != {body:?}"));
                }
            }
            _ if protocol == "rest-json" || protocol == "rest-xml" || body.is_empty() => {
                if actual.as_ref() != body.as_bytes() {
                    return Err(format!("body {:?} != {body:?}", String::from_utf8_lossy(actual)));
                }
            }
            _ => return Err(format!("body is not JSON: {:?}", String::from_utf8_lossy(actual))),
        }
    }
    Ok(())
}

/// The protocol name of RPCv2 CBOR suites, whose bodies the cases give in base64.
pub const CBOR: &str = "smithy-rpc-v2-cbor";

/// A CBOR body against a case's base64 one, compared as decoded values (as botocore's runner
/// does): map order and integer-or-float encodings carry no meaning.
fn same_cbor_body(actual: &[u8], expected: &str) -> Result<(), String> {
    let expected = base64_decode(expected).ok_or("the case's body is not base64")?;
    if actual.is_empty() || expected.is_empty() {
        return if actual == expected.as_slice() { Ok(()) } else { Err(format!("body {actual:?} != {expected:?}")) };
    }
    let decode =
        |bytes: &[u8]| ciborium::from_reader::<ciborium::Value, _>(bytes).map_err(|e| format!("body is not CBOR: {e}"));
    let (a, b) = (decode(actual)?, decode(&expected)?);
    if same_cbor(&a, &b) {
        Ok(())
    } else {
        Err(format!("body {a:?} != {b:?}"))
    }
}

fn same_cbor(a: &ciborium::Value, b: &ciborium::Value) -> bool {
    use ciborium::Value as V;
    let number = |v: &V| match v {
        V::Integer(i) => Some(i128::from(*i) as f64),
        V::Float(f) => Some(*f),
        _ => None,
    };
    match (a, b) {
        (V::Array(x), V::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_cbor(a, b)),
        (V::Map(x), V::Map(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.iter().any(|(l, w)| same_cbor(k, l) && same_cbor(v, w)))
        }
        (V::Tag(s, x), V::Tag(t, y)) => s == t && same_cbor(x, y),
        _ => match (number(a), number(b)) {
            (Some(x), Some(y)) => x == y || (x.is_nan() && y.is_nan()),
            _ => a == b,
        },
    }
}

/// Standard base64 (padding optional); `None` if it is not.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let digit = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let (mut out, mut bits, mut acc) = (Vec::new(), 0u32, 0u32);
    for c in text.trim_end_matches('=').bytes() {
        acc = (acc << 6) | u32::from(digit(c)?);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// The same path, and the same query parameters: the order of distinct keys carries no meaning
/// (ours follow member names, the tests follow the model), the order of a repeated key does.
fn same_target(actual: &str, expected: &str) -> bool {
    let split = |t: &str| {
        let (path, query) = t.split_once('?').unwrap_or((t, ""));
        let mut pairs: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
        pairs.sort_by_key(|pair| pair.split('=').next().unwrap_or_default().to_owned());
        (path.to_owned(), pairs.join("&"))
    };
    split(actual) == split(expected)
}

/// JSON equality where numbers compare by value (`1` == `1.0`).
pub fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// The response of an output case (its body base64 for the CBOR protocol).
pub fn response(case: &Value, protocol: &str) -> Response {
    let response = &case["response"];
    let mut headers = http::HeaderMap::new();
    for (name, value) in response.get("headers").and_then(Value::as_object).into_iter().flatten() {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            http::HeaderValue::from_str(value.as_str().unwrap_or_default()),
        ) {
            headers.append(name, value);
        }
    }
    let body = response.get("body").and_then(Value::as_str).unwrap_or_default();
    let body = if protocol == CBOR { base64_decode(body).unwrap_or_default() } else { body.as_bytes().to_vec() };
    Response { status: response["status_code"].as_u64().unwrap_or(200) as u16, headers, body: body.into() }
}

/// A 32-bit float as the tests write it: its shortest decimal form, not the f64 widening.
pub fn float32(value: f32) -> Value {
    float(value.to_string().parse().unwrap_or(f64::NAN))
}

/// Numbers as JSON; special floats as the strings the tests use.
pub fn float(value: f64) -> Value {
    if value.is_nan() {
        "NaN".into()
    } else if value.is_infinite() {
        if value > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        }
    } else {
        serde_json::Number::from_f64(value).map(Value::Number).unwrap_or(Value::Null)
    }
}

/// A JSON number or special-float string as a float.
pub fn to_float(value: &Value) -> f64 {
    match value.as_str() {
        Some("NaN") => f64::NAN,
        Some("Infinity") => f64::INFINITY,
        Some("-Infinity") => f64::NEG_INFINITY,
        _ => value.as_f64().unwrap_or_default(),
    }
}

/// A timestamp as epoch seconds, an integer when whole.
pub fn time(value: &awsgen_runtime::DateTime) -> Value {
    if value.subsec_nanos() == 0 {
        value.secs().into()
    } else {
        float(value.as_fractional_secs())
    }
}

/// What differs between a sent request and a Smithy `httpRequestTests` case, if anything;
/// `protocol` (botocore's name for it) says how bodies compare.
pub fn smithy_request(sent: &http::Request<bytes::Bytes>, case: &Value, protocol: &str) -> Result<(), String> {
    if let Some(method) = case.get("method").and_then(Value::as_str) {
        if !sent.method().as_str().eq_ignore_ascii_case(method) {
            return Err(format!("method {} != {method}", sent.method()));
        }
    }
    let (path, query) = (sent.uri().path(), sent.uri().query().unwrap_or_default());
    if let Some(uri) = case.get("uri").and_then(Value::as_str) {
        if path != uri {
            return Err(format!("path {path} != {uri}"));
        }
    }
    let pairs: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    let key = |pair: &str| pair.split('=').next().unwrap_or_default().to_owned();
    for expected in case.get("queryParams").and_then(Value::as_array).into_iter().flatten() {
        let expected = expected.as_str().unwrap_or_default();
        if !pairs.contains(&expected) {
            return Err(format!("query {query:?} lacks {expected:?}"));
        }
    }
    for name in case.get("forbidQueryParams").and_then(Value::as_array).into_iter().flatten() {
        if pairs.iter().any(|p| key(p) == name.as_str().unwrap_or_default()) {
            return Err(format!("query must not have {name}"));
        }
    }
    for name in case.get("requireQueryParams").and_then(Value::as_array).into_iter().flatten() {
        if !pairs.iter().any(|p| key(p) == name.as_str().unwrap_or_default()) {
            return Err(format!("query must have {name}"));
        }
    }
    let mut expected = serde_json::Map::new();
    for key in ["headers", "forbidHeaders", "requireHeaders", "body"] {
        if let Some(value) = case.get(key) {
            expected.insert(key.to_owned(), value.clone());
        }
    }
    if let Some(host) = case.get("resolvedHost").and_then(Value::as_str) {
        let actual = sent.uri().authority().map(|a| a.as_str().to_owned()).unwrap_or_default();
        if actual != host {
            return Err(format!("host {actual} != {host}"));
        }
    }
    let media_type = case.get("bodyMediaType").and_then(Value::as_str).unwrap_or_default();
    if media_type.contains("xml") {
        if let Some(body) = expected.remove("body").as_ref().and_then(Value::as_str).filter(|b| !b.is_empty()) {
            let actual = String::from_utf8_lossy(sent.body());
            if !equivalent_xml(&actual, body) {
                return Err(format!("body {actual:?} != {body:?}"));
            }
        }
    }
    request(sent, &Value::Object(expected), if media_type.contains("json") { "json" } else { protocol })
}

/// A form body's `key=value` pairs, percent-decoded and sorted.
fn form_pairs(body: &str) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = body
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(key), percent_decode(value))
        })
        .collect();
    pairs.sort();
    pairs
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(byte) => {
                        out.push(byte);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether two XML texts hold the same tree (whitespace between elements carries no meaning).
pub fn same_xml(a: &str, b: &str) -> bool {
    use awsgen_runtime::xml::{Document, Node};
    fn same(a: Node<'_>, b: Node<'_>) -> bool {
        let attributes = |n: Node<'_>| {
            let mut all: Vec<(String, String)> =
                n.attributes().map(|(p, l, v)| (format!("{p}:{l}"), v.to_owned())).collect();
            all.sort();
            all
        };
        let (ac, bc): (Vec<Node>, Vec<Node>) = (a.children().collect(), b.children().collect());
        a.name() == b.name()
            && attributes(a) == attributes(b)
            && (a.text().trim() == b.text().trim() || (ac.is_empty() && a.text() == b.text()))
            && ac.len() == bc.len()
            && ac.into_iter().zip(bc).all(|(a, b)| same(a, b))
    }
    match (Document::parse(a), Document::parse(b)) {
        (Ok(a), Ok(b)) => same(a.root(), b.root()),
        _ => a == b,
    }
}

/// Whether two XML texts are equivalent as smithy-rs's protocol-test runner judges Smithy's
/// cases: namespaces as they are in scope rather than where they are declared, and children in
/// any order unless the element looks like a list (children of one name, each holding one thing).
pub fn equivalent_xml(a: &str, b: &str) -> bool {
    use awsgen_runtime::xml::Document;
    let scope = std::collections::BTreeMap::new();
    match (Document::parse(a), Document::parse(b)) {
        (Ok(a), Ok(b)) => canonical_xml(a.root(), &scope) == canonical_xml(b.root(), &scope),
        _ => a == b,
    }
}

/// An element as text that is equal exactly when elements are equivalent (see `equivalent_xml`).
fn canonical_xml(node: awsgen_runtime::xml::Node<'_>, scope: &std::collections::BTreeMap<String, String>) -> String {
    let mut scope = scope.clone();
    let mut attributes = Vec::new();
    for (prefix, local, value) in node.attributes() {
        match (prefix, local) {
            ("", "xmlns") => drop(scope.insert(String::new(), value.to_owned())),
            ("xmlns", name) => drop(scope.insert(name.to_owned(), value.to_owned())),
            _ => attributes.push(format!("{prefix}:{local}={value:?}")),
        }
    }
    attributes.sort();
    let children: Vec<_> = node.children().collect();
    let things_inside =
        |n: &awsgen_runtime::xml::Node<'_>| n.children().count() + usize::from(!n.text().trim().is_empty());
    let list = children
        .first()
        .is_some_and(|first| children.iter().all(|c| c.name() == first.name() && things_inside(c) == 1));
    let mut inner: Vec<String> = children.iter().map(|child| canonical_xml(*child, &scope)).collect();
    if !list {
        inner.sort();
    }
    format!("<{} {scope:?} {}>{}{}</>", node.name(), attributes.join(" "), node.text().trim(), inner.concat())
}
