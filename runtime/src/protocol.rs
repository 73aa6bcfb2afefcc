//! The wire format shared by every operation: building requests from what generated code
//! declares, and reading outputs and errors from responses.

use crate::error::{ErrorMetadata, ParseError};
use crate::http::Response;
use crate::BuildError;
use bytes::Bytes;
use std::fmt::Display;

/// What a generated crate tells the runtime about its service.
#[derive(Debug)]
pub struct Service {
    /// `AmplifyBackend`; shown in the User-Agent.
    pub service_id: &'static str,
    pub api_version: &'static str,
    /// The host name prefix of the default endpoint (`amplifybackend`).
    pub endpoint_prefix: &'static str,
    /// The SigV4 service name.
    pub signing_name: &'static str,
}

/// One operation, as generated code declares it: how its input becomes a request and how a
/// response becomes its output or error. The client does the rest.
pub trait Operation: Send + Sync {
    type Output;
    type Error;
    const NAME: &'static str;

    fn request(&self) -> Result<Request, BuildError>;
    fn parse_output(response: &Response) -> Result<Self::Output, ParseError>;
    fn parse_error(error: ErrorResponse) -> Self::Error;
}

/// An HTTP request before it is addressed and signed.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub(crate) method: &'static str,
    /// The path with labels filled in; may start with the URI template's literal query.
    pub(crate) path: String,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: Bytes,
}

impl Request {
    /// A rest-json request: `uri` is the model's template (`/backend/{appId}/job/{name}`, possibly
    /// with a literal query such as `?x-id=Op`), whose labels [`Request::label`] fills.
    pub fn rest(method: &'static str, uri: &'static str) -> Self {
        let (path, literal_query) = uri.split_once('?').unwrap_or((uri, ""));
        let query = literal_query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                (key.to_owned(), value.to_owned())
            })
            .collect();
        Request { method, path: path.to_owned(), query, headers: Vec::new(), body: Bytes::new() }
    }

    /// Fills `{name}` with the percent-encoded value, or `{name+}` keeping `/` (greedy label).
    pub fn label(mut self, name: &str, value: &dyn Display) -> Self {
        let value = value.to_string();
        let plain = format!("{{{name}}}");
        let greedy = format!("{{{name}+}}");
        if self.path.contains(&plain) {
            self.path = self.path.replace(&plain, &percent_encode(&value, false));
        } else {
            self.path = self.path.replace(&greedy, &percent_encode(&value, true));
        }
        self
    }

    /// A JSON body (`application/json`) from the input's body members.
    pub fn json_body<T: serde::Serialize + ?Sized>(mut self, value: &T) -> Result<Self, BuildError> {
        self.body = serde_json::to_vec(value).map_err(|e| BuildError::Serialize { detail: e.to_string() })?.into();
        self.headers.push(("content-type", "application/json".to_owned()));
        Ok(self)
    }
}

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

/// Parses a JSON output body; an empty body reads as `{}`.
pub fn json_output<T: serde::de::DeserializeOwned>(response: &Response) -> Result<T, ParseError> {
    let body: &[u8] = if response.body.iter().all(u8::is_ascii_whitespace) { b"{}" } else { &response.body };
    serde_json::from_slice(body).map_err(|e| ParseError::new(response.status, e.to_string(), &response.body))
}

/// A modeled error structure, which keeps the response's metadata beside its modeled members.
pub trait ModeledError: serde::de::DeserializeOwned {
    fn set_meta(&mut self, meta: ErrorMetadata);
}

/// An error response, with its code, message and request id already extracted.
#[derive(Debug, Clone)]
pub struct ErrorResponse {
    meta: ErrorMetadata,
    body: Bytes,
}

impl ErrorResponse {
    /// Reads an error response the way botocore's rest-json parser does.
    pub fn from_response(response: &Response) -> Self {
        let status = response.status;
        let mut meta = ErrorMetadata::new().with_status(status);
        if let Some(id) = response.header("x-amzn-requestid").or_else(|| response.header("x-amz-request-id")) {
            meta = meta.with_request_id(id);
        }
        let text = String::from_utf8_lossy(&response.body);
        let trimmed = text.trim_start();
        // A 5xx with no body or an HTML page says nothing but its status.
        if status >= 500 && (trimmed.is_empty() || trimmed.to_ascii_lowercase().starts_with("<html")) {
            let reason = http::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason());
            meta = meta.with_code(status.to_string());
            if let Some(reason) = reason {
                meta = meta.with_message(reason);
            }
            return ErrorResponse { meta, body: Bytes::new() };
        }
        let json: serde_json::Map<String, serde_json::Value> = match serde_json::from_str(trimmed) {
            Ok(serde_json::Value::Object(map)) => map,
            _ => {
                if !trimmed.is_empty() {
                    meta = meta.with_message(trimmed.chars().take(500).collect::<String>());
                }
                serde_json::Map::new()
            }
        };
        let text_field = |names: &[&str]| names.iter().find_map(|n| json.get(*n).and_then(|v| v.as_str()));
        let code = response
            .header("x-amzn-errortype")
            .or_else(|| text_field(&["code", "Code"]))
            .or_else(|| text_field(&["__type"]))
            .map(sanitize_code)
            .filter(|code| !code.is_empty())
            .unwrap_or_else(|| status.to_string());
        meta = meta.with_code(code);
        if let Some(message) = text_field(&["message", "Message", "errorMessage"]) {
            meta = meta.with_message(message);
        }
        ErrorResponse { meta, body: response.body.clone() }
    }

    pub fn code(&self) -> Option<&str> {
        self.meta.code()
    }

    pub fn meta(&self) -> &ErrorMetadata {
        &self.meta
    }

    pub fn into_meta(self) -> ErrorMetadata {
        self.meta
    }

    /// The body as the modeled error `T`, with this response's metadata; if the body does not
    /// fit `T`, the metadata alone (for the operation's unmodeled variant).
    pub fn modeled<T: ModeledError>(self) -> Result<T, ErrorMetadata> {
        let body: &[u8] = if self.body.is_empty() { b"{}" } else { &self.body };
        match serde_json::from_slice::<T>(body) {
            Ok(mut error) => {
                error.set_meta(self.meta);
                Ok(error)
            }
            Err(_) => Err(self.meta),
        }
    }
}

/// `aws.protocoltests#FooError:http://internal/...` -> `FooError`: cut at the first `:`, then
/// keep what follows the last `#`.
pub fn sanitize_code(raw: &str) -> String {
    let before_colon = raw.split(':').next().unwrap_or(raw);
    before_colon.rsplit('#').next().unwrap_or(before_colon).trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, headers: &[(&'static str, &str)], body: &str) -> Response {
        let mut map = http::HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, value.parse().unwrap());
        }
        Response { status, headers: map, body: Bytes::copy_from_slice(body.as_bytes()) }
    }

    #[test]
    fn labels_are_percent_encoded_like_botocore() {
        let request =
            Request::rest("POST", "/backend/{appId}/job/{name}").label("appId", &"app 1/x").label("name", &"dev");
        assert_eq!(request.path, "/backend/app%201%2Fx/job/dev");
        let all = Request::rest("GET", "/{a}").label("a", &"a b/c+d~e*f:g@h&i=j?k#l%mé");
        assert_eq!(all.path, "/a%20b%2Fc%2Bd~e%2Af%3Ag%40h%26i%3Dj%3Fk%23l%25m%C3%A9");
        let greedy = Request::rest("GET", "/{Key+}").label("Key", &"dir/sub dir/ü~*.txt");
        assert_eq!(greedy.path, "/dir/sub%20dir/%C3%BC~%2A.txt");
        let literal = Request::rest("GET", "/x?x-id=Op&flag");
        assert_eq!(literal.query, vec![("x-id".into(), "Op".into()), ("flag".into(), String::new())]);
    }

    #[test]
    fn error_code_precedence_and_sanitizing() {
        let header_wins = response(400, &[("x-amzn-errortype", "NotFoundException:http://x")], r#"{"__type":"Bad"}"#);
        assert_eq!(ErrorResponse::from_response(&header_wins).code(), Some("NotFoundException"));
        let code_beats_type = response(400, &[], r#"{"code":"ns#Err:extra","__type":"Other","Message":"m"}"#);
        let parsed = ErrorResponse::from_response(&code_beats_type);
        assert_eq!((parsed.code(), parsed.meta().message()), (Some("Err"), Some("m")));
        let typed =
            response(400, &[("x-amzn-requestid", "r1")], r#"{"__type":"a.b#BadRequestException","errorMessage":"e"}"#);
        let parsed = ErrorResponse::from_response(&typed);
        assert_eq!((parsed.code(), parsed.meta().message()), (Some("BadRequestException"), Some("e")));
        assert_eq!(parsed.meta().request_id(), Some("r1"));
        let nothing = ErrorResponse::from_response(&response(404, &[], "{}"));
        assert_eq!((nothing.code(), nothing.meta().message()), (Some("404"), None));
        let html = ErrorResponse::from_response(&response(503, &[], "<html><body>down</body></html>"));
        assert_eq!((html.code(), html.meta().message()), (Some("503"), Some("Service Unavailable")));
        let text = ErrorResponse::from_response(&response(400, &[], "plain words"));
        assert_eq!(text.meta().message(), Some("plain words"));
    }

    #[test]
    fn output_parse_errors_carry_status_and_excerpt() {
        #[derive(serde::Deserialize, Debug)]
        struct Out {
            #[allow(dead_code)]
            jobs: Option<Vec<String>>,
        }
        let error = json_output::<Out>(&response(200, &[], r#"{"jobs": "not-a-list"}"#)).unwrap_err();
        assert_eq!(error.status(), 200);
        assert_eq!(error.body_excerpt(), r#"{"jobs": "not-a-list"}"#);
        assert!(json_output::<Out>(&response(200, &[], "")).is_ok());
    }
}
