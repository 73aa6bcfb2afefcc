//! The recorded responses the fuzzer mutates, made from the IR: for every operation a success
//! response that sets every output member (body members in the JSON body, header-bound members
//! as headers, the modeled status; an event stream as frames of every event, an unknown one and
//! an exception), one error response per modeled error, an unmodeled 500 and a 503 HTML page.

use awsgen_codegen::ir::{Location, Member, Operation, Protocol, Service, ShapeKind, TimestampFormat};
use serde::Serialize;
use serde_json::{json, Map, Value};

/// One recorded response, as written to the scratch crate's `seeds.json`.
#[derive(Debug, Clone, Serialize)]
pub struct SeedResponse {
    /// `<package>/<Operation>`: which operation it is a response of.
    pub op: String,
    /// `success`, `error NotFoundException`, `unmodeled 500`, `html 503`.
    pub label: String,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// An event stream's messages, which the fuzzer encodes as the body (then `body` is empty).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub frames: Vec<SeedFrame>,
}

/// One event stream message of a seed: its headers (all strings) and its payload.
#[derive(Debug, Clone, Serialize)]
pub struct SeedFrame {
    pub headers: Vec<(String, String)>,
    pub payload: String,
}

/// Past this depth a structure is written empty and a list or map without elements, so that
/// recursive shapes (`Node.next`, `AttributeValue.M`) end.
const MAX_DEPTH: usize = 5;

const EPOCH: i64 = 1_704_164_645; // 2024-01-02T03:04:05Z
const DATE_TIME: &str = "2024-01-02T03:04:05.250Z";
const HTTP_DATE: &str = "Tue, 02 Jan 2024 03:04:05 GMT";
const REQUEST_ID: &str = "5b1c2f0e-7d3a-4c8e-9f61-0a2b3c4d5e6f";

/// Every seed response of every operation of `service`, the crate's package being `package`.
pub fn seeds(package: &str, service: &Service) -> Vec<SeedResponse> {
    let mut out = Vec::new();
    for op in service.operations.values() {
        let mut filler = Filler { service, unions: 0, enums: 0 };
        let key = format!("{package}/{}", op.name);
        out.push(filler.success(&key, op));
        for error in &op.errors {
            if let Some(seed) = filler.error(&key, error) {
                out.push(seed);
            }
        }
        out.push(filler.unmodeled(&key));
        out.push(html_503(&key));
    }
    out
}

struct Filler<'a> {
    service: &'a Service,
    /// Which member the next union sets: each union in a response sets another one.
    unions: usize,
    /// Which value the next enum takes.
    enums: usize,
}

impl<'a> Filler<'a> {
    fn content_type(&self) -> String {
        match self.service.protocol {
            Protocol::RestJson => "application/json".to_owned(),
            Protocol::AwsJson { version_minor } => format!("application/x-amz-json-1.{version_minor}"),
            // The seeds are JSON bodies; XML and CBOR seeds for those protocols are still to come.
            Protocol::AwsQuery | Protocol::Ec2Query | Protocol::RestXml => "text/xml".to_owned(),
            Protocol::RpcV2Cbor => "application/cbor".to_owned(),
        }
    }

    fn base_headers(&self, body: &str) -> Vec<(String, String)> {
        vec![
            ("content-type".to_owned(), self.content_type()),
            ("x-amzn-requestid".to_owned(), REQUEST_ID.to_owned()),
            ("content-length".to_owned(), body.len().to_string()),
        ]
    }

    fn success(&mut self, key: &str, op: &Operation) -> SeedResponse {
        let shape = op.output.as_ref().and_then(|id| self.service.shapes.get(id));
        let members: &[Member] = match shape.map(|s| &s.kind) {
            Some(ShapeKind::Structure(structure)) => &structure.members,
            _ => &[],
        };
        let (headers, body) = self.bound_members(members);
        let stream = members.iter().find(|m| self.service.shapes.get(&m.target).is_some_and(|t| t.event_stream));
        let frames = stream.map(|stream| self.frames(&stream.target)).unwrap_or_default();
        let body = if frames.is_empty() { body } else { String::new() };
        let mut all = self.base_headers(&body);
        if let Some(payload) = members.iter().find(|m| m.location == Location::Payload) {
            // A text or blob payload is not JSON.
            if matches!(self.kind(&payload.target), Some(ShapeKind::Blob | ShapeKind::String | ShapeKind::Enum(_))) {
                all[0].1 = "application/octet-stream".to_owned();
            }
            if !frames.is_empty() {
                all[0].1 = "application/vnd.amazon.eventstream".to_owned();
            }
        }
        // A header-bound member such as `Content-Type` replaces the protocol's.
        all.retain(|(name, _)| !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)));
        all.extend(headers);
        SeedResponse {
            op: key.to_owned(),
            label: "success".to_owned(),
            status: op.http.response_code,
            headers: all,
            body,
            frames,
        }
    }

    /// An event stream's messages: the `initial-response` the JSON protocols send first, every
    /// event, one this crate can't know, and one of its exceptions to end it.
    fn frames(&mut self, stream: &str) -> Vec<SeedFrame> {
        let Some(ShapeKind::Union(members)) = self.kind(stream) else { return Vec::new() };
        let frame = |kind: &str, name: &str, payload: String| {
            let name_header = if kind == "event" { ":event-type" } else { ":exception-type" };
            let headers = [(":message-type", kind), (name_header, name), (":content-type", "application/json")];
            SeedFrame { headers: headers.map(|(n, v)| (n.to_owned(), v.to_owned())).to_vec(), payload }
        };
        let mut frames = vec![frame("event", "initial-response", "{}".to_owned())];
        let mut exceptions = Vec::new();
        for member in members {
            let value = self.member_value(member, 0).to_string();
            match self.kind(&member.target) {
                Some(ShapeKind::Structure(s)) if s.error.is_some() => {
                    exceptions.push(frame("exception", &member.name, value))
                }
                _ => frames.push(frame("event", &member.name, value)),
            }
        }
        frames.push(frame("event", "anEventFromTheFuture", "{}".to_owned()));
        frames.extend(exceptions.into_iter().take(1));
        frames
    }

    /// The headers and the body of a structure's members as a response carries them.
    fn bound_members(&mut self, members: &[Member]) -> (Vec<(String, String)>, String) {
        let mut headers = Vec::new();
        let mut body = Map::new();
        let mut payload = None;
        for member in members {
            match member.location {
                Location::Body => {
                    body.insert(member.wire_name.clone(), self.member_value(member, 0));
                }
                Location::Header => {
                    if let Some(value) = self.header_value(member) {
                        headers.push((member.wire_name.clone(), value));
                    }
                }
                Location::PrefixHeaders => {
                    if let Some(ShapeKind::Map { value, .. }) = self.kind(&member.target) {
                        for key in ["alpha", "beta"] {
                            let text = self.scalar_text(value, None).unwrap_or_else(|| "value".to_owned());
                            headers.push((format!("{}{key}", member.wire_name.to_ascii_lowercase()), text));
                        }
                    }
                }
                Location::Payload => payload = Some(self.payload(member)),
                Location::StatusCode | Location::Label | Location::Query | Location::Unsent => {}
            }
        }
        let body = payload.unwrap_or_else(|| Value::Object(body).to_string());
        (headers, body)
    }

    fn payload(&mut self, member: &Member) -> String {
        match self.kind(&member.target) {
            Some(ShapeKind::Blob) => "binary payload \u{1} \u{7f} ✓".to_owned(),
            Some(ShapeKind::String) => "a text payload, with ünïcode".to_owned(),
            Some(ShapeKind::Enum(_)) => self.scalar_text(&member.target, None).unwrap_or_default(),
            _ => self.member_value(member, 0).to_string(),
        }
    }

    fn error(&mut self, key: &str, error: &str) -> Option<SeedResponse> {
        let shape = self.service.shapes.get(error)?;
        let ShapeKind::Structure(structure) = &shape.kind else { return None };
        let info = structure.error.as_ref()?;
        let (error_headers, body) = self.bound_members(&structure.members);
        let mut body: Map<String, Value> = serde_json::from_str(&body).unwrap_or_default();
        let has_message = structure.members.iter().any(|m| m.wire_name.eq_ignore_ascii_case("message"));
        if !has_message {
            body.insert("message".to_owned(), Value::from(format!("{} happened", info.code)));
        }
        for member in &structure.members {
            if member.wire_name.eq_ignore_ascii_case("message") && member.location == Location::Body {
                body.insert(member.wire_name.clone(), Value::from(format!("{} happened", info.code)));
            }
        }
        let mut protocol_headers = Vec::new();
        match self.service.protocol {
            Protocol::RestJson => protocol_headers.push((
                "x-amzn-errortype".to_owned(),
                format!(
                    "{}:http://internal.amazon.com/coral/com.amazonaws.{}/",
                    info.code, self.service.endpoint_prefix
                ),
            )),
            Protocol::AwsJson { .. } if self.service.query_compatible => {
                let namespace = format!("com.amazonaws.{}", self.service.endpoint_prefix);
                body.insert("__type".to_owned(), Value::from(format!("{namespace}#{}", shape.id)));
                let fault = if info.server_fault { "Receiver" } else { "Sender" };
                protocol_headers.push(("x-amzn-query-error".to_owned(), format!("{};{fault}", info.code)));
            }
            Protocol::AwsJson { .. } => {
                let namespace = format!("com.amazonaws.{}", self.service.endpoint_prefix);
                body.insert("__type".to_owned(), Value::from(format!("{namespace}#{}", info.code)));
            }
            Protocol::AwsQuery | Protocol::Ec2Query | Protocol::RestXml | Protocol::RpcV2Cbor => {}
        }
        let body = Value::Object(body).to_string();
        let mut headers = self.base_headers(&body);
        headers.extend(protocol_headers);
        headers.extend(error_headers);
        Some(SeedResponse {
            frames: Vec::new(),
            op: key.to_owned(),
            label: format!("error {}", info.code),
            status: info.http_status.unwrap_or(400),
            headers,
            body,
        })
    }

    /// A 500 no operation models.
    fn unmodeled(&self, key: &str) -> SeedResponse {
        let mut body = json!({"message": "We encountered an internal error. Please try again."});
        let mut headers = Vec::new();
        match self.service.protocol {
            Protocol::RestJson => headers.push(("x-amzn-errortype".to_owned(), "InternalFailure".to_owned())),
            Protocol::AwsJson { .. } => {
                body["__type"] = Value::from(format!("com.amazonaws.{}#InternalFailure", self.service.endpoint_prefix));
                if self.service.query_compatible {
                    headers.push(("x-amzn-query-error".to_owned(), "InternalFailure;Receiver".to_owned()));
                }
            }
            Protocol::AwsQuery | Protocol::Ec2Query | Protocol::RestXml | Protocol::RpcV2Cbor => {}
        }
        let body = body.to_string();
        let mut all = self.base_headers(&body);
        all.extend(headers);
        SeedResponse {
            op: key.to_owned(),
            label: "unmodeled 500".to_owned(),
            status: 500,
            headers: all,
            body,
            frames: Vec::new(),
        }
    }

    fn kind(&self, target: &str) -> Option<&'a ShapeKind> {
        self.service.shapes.get(target).map(|s| &s.kind)
    }

    fn member_value(&mut self, member: &Member, depth: usize) -> Value {
        self.value(&member.target, depth, member.timestamp_format)
    }

    /// A realistic JSON value of shape `target`.
    fn value(&mut self, target: &str, depth: usize, timestamps: Option<TimestampFormat>) -> Value {
        let Some(shape) = self.service.shapes.get(target) else { return Value::Null };
        match &shape.kind {
            ShapeKind::String => Value::from(format!("example {}", shape.id.trim_start_matches('_'))),
            ShapeKind::Enum(values) => self.enum_value(values).into(),
            ShapeKind::Boolean => Value::Bool(true),
            ShapeKind::Integer => Value::from(42),
            ShapeKind::Long => Value::from(1_234_567_890_123_i64),
            ShapeKind::Float => Value::from(1.5),
            ShapeKind::Double => Value::from(1234.5678),
            ShapeKind::Timestamp => match timestamps.unwrap_or(TimestampFormat::EpochSeconds) {
                TimestampFormat::EpochSeconds => Value::from(EPOCH as f64 + 0.25),
                TimestampFormat::DateTime => Value::from(DATE_TIME),
                TimestampFormat::HttpDate => Value::from(HTTP_DATE),
            },
            ShapeKind::Blob => Value::from(base64(b"example blob \x00\x01\xfe\xff")),
            ShapeKind::Document => json!({
                "string": "text",
                "number": 1.25,
                "integer": -7,
                "list": [1, null, true, "two"],
                "nested": {"key": {"deeper": []}}
            }),
            ShapeKind::List { member } => {
                if depth >= MAX_DEPTH {
                    return Value::Array(Vec::new());
                }
                Value::Array((0..2).map(|_| self.value(member, depth + 1, None)).collect())
            }
            ShapeKind::Map { key, value } => {
                if depth >= MAX_DEPTH {
                    return Value::Object(Map::new());
                }
                let keys: Vec<String> = match self.kind(key) {
                    Some(ShapeKind::Enum(values)) => values.iter().take(2).map(|v| v.value.clone()).collect(),
                    _ => vec!["first-key".to_owned(), "second-key".to_owned()],
                };
                keys.into_iter().map(|k| (k, self.value(value, depth + 1, None))).collect::<Map<_, _>>().into()
            }
            ShapeKind::Structure(structure) => {
                if depth >= MAX_DEPTH {
                    return Value::Object(Map::new());
                }
                let mut map = Map::new();
                for member in &structure.members {
                    map.insert(member.wire_name.clone(), self.member_value(member, depth + 1));
                }
                Value::Object(map)
            }
            ShapeKind::Union(members) => self.union(members, depth),
        }
    }

    fn union(&mut self, members: &[Member], depth: usize) -> Value {
        if members.is_empty() {
            return Value::Object(Map::new());
        }
        // Deep down, a member that is not a container, so recursive unions end.
        let scalar = |m: &&Member| {
            !matches!(
                self.kind(&m.target),
                Some(ShapeKind::List { .. } | ShapeKind::Map { .. } | ShapeKind::Structure(_) | ShapeKind::Union(_))
            )
        };
        let member = if depth >= MAX_DEPTH {
            members.iter().find(scalar).unwrap_or(&members[0])
        } else {
            self.unions += 1;
            &members[self.unions % members.len()]
        };
        let value = self.member_value(member, depth + 1);
        json!({ member.wire_name.clone(): value })
    }

    fn enum_value(&mut self, values: &[awsgen_codegen::ir::EnumValue]) -> String {
        self.enums += 1;
        values.get(self.enums % values.len().max(1)).map(|v| v.value.clone()).unwrap_or_default()
    }

    /// The text of a header-bound member, or `None` for a kind that can't be a header.
    fn header_value(&mut self, member: &Member) -> Option<String> {
        if member.json_value {
            return Some(base64(br#"{"key":"value","list":[1,2]}"#));
        }
        match self.kind(&member.target)? {
            ShapeKind::List { member: item } => {
                let dates = matches!(self.kind(item), Some(ShapeKind::Timestamp));
                let mut items = Vec::new();
                for i in 0..2 {
                    let text = self.scalar_text(item, member.timestamp_format)?;
                    // The second element holds a comma, so it is quoted.
                    items.push(if i == 1 && !dates { format!("\"{text}, quoted\"") } else { text });
                }
                Some(items.join(", "))
            }
            _ => self.scalar_text(&member.target, member.timestamp_format),
        }
    }

    /// A scalar as text (headers and prefix headers); timestamps default to HTTP dates.
    fn scalar_text(&mut self, target: &str, timestamps: Option<TimestampFormat>) -> Option<String> {
        Some(match self.kind(target)? {
            ShapeKind::String => "header text".to_owned(),
            ShapeKind::Enum(values) => self.enum_value(values),
            ShapeKind::Boolean => "true".to_owned(),
            ShapeKind::Integer => "42".to_owned(),
            ShapeKind::Long => "1234567890123".to_owned(),
            ShapeKind::Float | ShapeKind::Double => "1.5".to_owned(),
            ShapeKind::Timestamp => match timestamps.unwrap_or(TimestampFormat::HttpDate) {
                TimestampFormat::EpochSeconds => EPOCH.to_string(),
                TimestampFormat::DateTime => DATE_TIME.to_owned(),
                TimestampFormat::HttpDate => HTTP_DATE.to_owned(),
            },
            ShapeKind::Blob => base64(b"header blob"),
            _ => return None,
        })
    }
}

fn html_503(key: &str) -> SeedResponse {
    let body = "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n\
                <center><h1>503 Service Temporarily Unavailable</h1></center>\r\n</body>\r\n</html>\r\n"
        .to_owned();
    SeedResponse {
        op: key.to_owned(),
        label: "html 503".to_owned(),
        status: 503,
        headers: vec![
            ("content-type".to_owned(), "text/html".to_owned()),
            ("content-length".to_owned(), body.len().to_string()),
            ("server".to_owned(), "awselb/2.0".to_owned()),
        ],
        body,
        frames: Vec::new(),
    }
}

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::configured_jobs;

    fn all_seeds() -> Vec<SeedResponse> {
        let root = crate::workspace_root();
        let mut out = Vec::new();
        for job in configured_jobs(&root).unwrap() {
            let service = job.lower().unwrap().ir;
            out.extend(seeds(&job.package, &service));
        }
        out
    }

    fn find<'a>(seeds: &'a [SeedResponse], op: &str, label: &str) -> &'a SeedResponse {
        seeds.iter().find(|s| s.op == op && s.label == label).unwrap_or_else(|| panic!("no {label} seed for {op}"))
    }

    fn header<'a>(seed: &'a SeedResponse, name: &str) -> Option<&'a str> {
        seed.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    #[test]
    fn an_event_stream_seed_is_frames_of_every_event_an_unknown_one_and_an_exception() {
        let seeds = all_seeds();
        let converse = find(&seeds, "awsgen-bedrock-runtime/ConverseStream", "success");
        assert_eq!(header(converse, "content-type"), Some("application/vnd.amazon.eventstream"));
        assert!(converse.body.is_empty());
        let named = |frame: &SeedFrame| {
            let value = |name: &str| frame.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
            format!(
                "{} {}",
                value(":message-type").unwrap(),
                value(":event-type").or(value(":exception-type")).unwrap()
            )
        };
        let frames: Vec<String> = converse.frames.iter().map(named).collect();
        assert_eq!(frames.first().map(String::as_str), Some("event initial-response"));
        for event in ["messageStart", "contentBlockDelta", "messageStop", "metadata", "anEventFromTheFuture"] {
            assert!(frames.contains(&format!("event {event}")), "{frames:?}");
        }
        assert!(frames.last().unwrap().starts_with("exception "), "{frames:?}");
        let delta = converse.frames.iter().find(|f| named(f) == "event contentBlockDelta").unwrap();
        assert!(serde_json::from_str::<Value>(&delta.payload).unwrap()["delta"].is_object(), "{}", delta.payload);
        // S3 Select's stream (restXml) gets its frames too.
        assert!(!find(&seeds, "awsgen-s3/SelectObjectContent", "success").frames.is_empty());
    }

    #[test]
    fn base64_matches_the_standard() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foob"), "Zm9vYg==");
        assert_eq!(base64(&[0xff, 0xfe, 0x00]), "//4A");
    }

    #[test]
    fn success_seeds_fill_every_member() {
        let seeds = all_seeds();
        let jobs = find(&seeds, "awsgen-amplifybackend/ListBackendJobs", "success");
        let body: Value = serde_json::from_str(&jobs.body).unwrap();
        assert_eq!(body["jobs"].as_array().map(Vec::len), Some(2), "{body}");
        assert!(body["jobs"][0]["jobId"].is_string(), "{body}");
        assert!(body["nextToken"].is_string());
        assert_eq!(jobs.status, 200);

        let thing = find(&seeds, "awsgen-fixture-restjson/PutThing", "success");
        assert_eq!(thing.status, 201);
        assert_eq!(header(thing, "X-Count"), Some("42"));
        assert_eq!(header(thing, "Last-Modified"), Some(HTTP_DATE));
        assert_eq!(header(thing, "x-meta-alpha"), Some("header text"));
        assert!(header(thing, "X-Names").is_some_and(|v| v.contains('"')));
        let body: Value = serde_json::from_str(&thing.body).unwrap();
        assert_eq!(body["createdIso"], DATE_TIME);
        assert!(body["created"].is_number());
        assert_eq!(body["data"], base64(b"example blob \x00\x01\xfe\xff"));
        assert!(body["doc"]["nested"].is_object());
        assert_eq!(body["shape"].as_object().map(|o| o.len()), Some(1), "a union sets one member: {body}");
        assert!(body["tree"]["children"].is_array() && body["tree"]["next"].is_object());
        assert!(["ACTIVE", "IN_PROGRESS", "deleted"].contains(&body["status"].as_str().unwrap()));

        let blob = find(&seeds, "awsgen-fixture-restjson/GetBlob", "success");
        assert!(blob.body.starts_with("binary payload"));

        let scan = find(&seeds, "awsgen-fixture-awsjson/Scan", "success");
        let body: Value = serde_json::from_str(&scan.body).unwrap();
        assert_eq!(body["Items"].as_array().map(Vec::len), Some(2));
        assert_eq!(header(scan, "content-type"), Some("application/x-amz-json-1.0"));
    }

    #[test]
    fn error_seeds_carry_the_code_the_protocol_uses() {
        let seeds = all_seeds();
        let not_found = find(&seeds, "awsgen-amplifybackend/ListBackendJobs", "error NotFoundException");
        assert_eq!(not_found.status, 404);
        assert!(header(not_found, "x-amzn-errortype").unwrap().starts_with("NotFoundException:"));
        let body: Value = serde_json::from_str(&not_found.body).unwrap();
        assert!(body["message"].is_string());

        let conflict = find(&seeds, "awsgen-fixture-restjson/PutThing", "error ConflictException");
        assert_eq!(conflict.status, 409);

        let missing = find(&seeds, "awsgen-fixture-awsjson/Scan", "error AWS.FixtureJson.TableMissing");
        assert_eq!(header(missing, "x-amzn-query-error"), Some("AWS.FixtureJson.TableMissing;Sender"));
        let body: Value = serde_json::from_str(&missing.body).unwrap();
        assert_eq!(body["__type"], "com.amazonaws.fixturejson#TableMissing");

        for op in ["awsgen-amplifybackend/GetBackend", "awsgen-fixture-restjson/Ping", "awsgen-fixture-awsjson/Scan"] {
            assert_eq!(find(&seeds, op, "unmodeled 500").status, 500);
            assert!(find(&seeds, op, "html 503").body.contains("<html>"));
        }
    }
}
