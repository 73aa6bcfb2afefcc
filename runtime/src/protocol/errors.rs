//! Error responses: the code, message and request id, then the modeled error if there is one.

use super::Protocol;
use crate::error::ErrorMetadata;
use crate::http::Response;
use bytes::Bytes;

/// A modeled error structure, which keeps the response's metadata beside its modeled members.
pub trait ModeledError: serde::de::DeserializeOwned {
    fn set_meta(&mut self, meta: ErrorMetadata);
}

/// An error response, with its code, message and request id already extracted.
#[derive(Debug, Clone)]
pub struct ErrorResponse {
    meta: ErrorMetadata,
    /// The code the body or `X-Amzn-ErrorType` gives, when a query-compatible code replaced it
    /// in `meta` (botocore keeps it for the lookup too).
    type_code: Option<String>,
    body: Bytes,
    headers: http::HeaderMap,
    /// The body is CBOR (RPCv2 CBOR), not JSON.
    cbor: bool,
}

impl ErrorResponse {
    /// Reads an error response the way botocore does. The code comes from `X-Amzn-ErrorType`,
    /// else body `code`/`Code` then `__type` (awsJson: `__type` first), else the HTTP status; a
    /// query-compatible service's `x-amzn-query-error` wins over all of them.
    pub fn from_response(response: &Response, protocol: Protocol) -> Self {
        let status = response.status;
        let mut meta = ErrorMetadata::new().with_status(status);
        if let Some(id) = response.request_id() {
            meta = meta.with_request_id(id);
        }
        let text = String::from_utf8_lossy(&response.body);
        let trimmed = text.trim_start();
        // A 5xx with no body or an HTML page says nothing but its status (unless a header names
        // the error).
        let generic = trimmed.is_empty() || trimmed.to_ascii_lowercase().starts_with("<html");
        if status >= 500 && generic && response.header("x-amzn-errortype").is_none() {
            meta = meta.with_code(status.to_string());
            if let Some(reason) = http::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()) {
                meta = meta.with_message(reason);
            }
            return ErrorResponse {
                meta,
                type_code: None,
                body: Bytes::new(),
                headers: response.headers.clone(),
                cbor: false,
            };
        }
        if protocol.reads_xml() {
            return Self::from_xml(response, meta, trimmed, protocol);
        }
        #[cfg(feature = "cbor")]
        if let Protocol::RpcV2Cbor { .. } = protocol {
            return Self::from_cbor(response, meta, protocol);
        }
        let json = match serde_json::from_str(trimmed) {
            Ok(serde_json::Value::Object(map)) => map,
            _ => {
                if !trimmed.is_empty() {
                    meta = meta.with_message(trimmed.chars().take(500).collect::<String>());
                }
                serde_json::Map::new()
            }
        };
        let text_field = |names: &[&str]| names.iter().find_map(|n| json.get(*n).and_then(|v| v.as_str()));
        let query_code = query_code(response, protocol);
        // rest-json reads a body `code` before `__type`; awsJson the other way round.
        let body_code = match protocol {
            Protocol::RestJson => text_field(&["code", "Code"]).or_else(|| text_field(&["__type"])),
            Protocol::AwsJson { .. } => text_field(&["__type"]).or_else(|| text_field(&["code", "Code"])),
            // Read above, from XML or CBOR.
            Protocol::AwsQuery | Protocol::Ec2Query | Protocol::RestXml | Protocol::RpcV2Cbor { .. } => None,
        };
        // OAuth 2 services (SSO OIDC) say it in `error_description` (botocore's `_map_oauth2_errors`).
        let message = text_field(&["message", "Message", "errorMessage", "error_description"]);
        Self::with_codes(response, meta, body_code, query_code, message, false)
    }

    /// An RPCv2 CBOR error: the code in the body's `__type`, as awsJson has it.
    #[cfg(feature = "cbor")]
    fn from_cbor(response: &Response, meta: ErrorMetadata, protocol: Protocol) -> Self {
        let fields = crate::cbor::ErrorFields::read(&response.body);
        let query_code = query_code(response, protocol);
        Self::with_codes(response, meta, fields.type_.as_deref(), query_code, fields.message(), true)
    }

    /// The error's code from the header or body code, unless a query-compatible code wins.
    fn with_codes(
        response: &Response,
        mut meta: ErrorMetadata,
        body_code: Option<&str>,
        query_code: Option<&str>,
        message: Option<&str>,
        cbor: bool,
    ) -> Self {
        let type_code = response.header("x-amzn-errortype").or(body_code).map(sanitize_code).filter(|c| !c.is_empty());
        let status = response.status;
        let code = query_code.map(str::to_owned).or_else(|| type_code.clone()).unwrap_or_else(|| status.to_string());
        meta = meta.with_code(code);
        let type_code =
            type_code.filter(|_| query_code.is_some()).map(|code| crate::error::capped(code, crate::CODE_CAP));
        if let Some(message) = message {
            meta = meta.with_message(message);
        }
        ErrorResponse { meta, type_code, body: response.body.clone(), headers: response.headers.clone(), cbor }
    }

    /// An awsQuery error: `<ErrorResponse><Error><Code>`, `<Message>` and the body's request id;
    /// a body that is not XML is kept as the message, and the status is the code.
    fn from_xml(response: &Response, mut meta: ErrorMetadata, text: &str, protocol: Protocol) -> Self {
        match super::query::error_parts(text) {
            Some(parts) => {
                meta = meta.with_code(parts.code.unwrap_or_else(|| response.status.to_string()));
                if let Some(message) = parts.message {
                    meta = meta.with_message(message);
                }
                if let Some(id) = parts.request_id.filter(|_| response.request_id().is_none()) {
                    meta = meta.with_request_id(id);
                }
            }
            // A HEAD's error has no body: S3 models a 404 there as `NotFound`.
            None if protocol == Protocol::RestXml && text.is_empty() && response.status == 404 => {
                meta = meta.with_code("NotFound");
            }
            None => {
                meta = meta.with_code(response.status.to_string());
                if !text.is_empty() {
                    meta = meta.with_message(text.chars().take(500).collect::<String>());
                }
            }
        }
        ErrorResponse {
            meta,
            type_code: None,
            body: response.body.clone(),
            headers: response.headers.clone(),
            cbor: false,
        }
    }

    /// An error with this metadata whose modeled members are read from `body`.
    pub(crate) fn new(meta: ErrorMetadata, body: Bytes) -> Self {
        ErrorResponse { meta, type_code: None, body, headers: http::HeaderMap::new(), cbor: false }
    }

    /// Whether the response names one of `codes`: by its code, or, for a query-compatible
    /// service, by the error type the query code replaced (SQS's `QueueDoesNotExist` arrives as
    /// `AWS.SimpleQueueService.NonExistentQueue`).
    pub fn is(&self, codes: &[&str]) -> bool {
        let named = |code: Option<&str>| code.is_some_and(|code| codes.contains(&code));
        named(self.code()) || named(self.type_code.as_deref())
    }

    pub fn code(&self) -> Option<&str> {
        self.meta.code()
    }

    pub fn meta(&self) -> &ErrorMetadata {
        &self.meta
    }

    /// A header-bound member of a modeled error; a value that does not parse is left out.
    pub fn header_value<T: super::FromHttpValue>(&self, name: &str) -> Option<T> {
        let text = self.headers.get(name)?.to_str().ok()?;
        T::from_http_value(text, crate::TimestampFormat::HttpDate).ok()
    }

    pub fn into_meta(self) -> ErrorMetadata {
        self.meta
    }

    /// The response as an error the operation's model does not describe.
    pub fn into_unhandled(self) -> crate::error::Unhandled {
        crate::error::Unhandled::new(self.meta)
    }

    /// The body as the modeled error `T`, with this response's metadata; if the body does not
    /// fit `T`, the response as unhandled.
    pub fn modeled<T: ModeledError>(self) -> Result<T, crate::error::Unhandled> {
        let parsed = match self.cbor {
            #[cfg(feature = "cbor")]
            true => crate::cbor::from_slice::<T>(if self.body.is_empty() { &[0xa0] } else { &self.body }).ok(),
            _ => {
                let body: &[u8] = if self.body.iter().all(u8::is_ascii_whitespace) { b"{}" } else { &self.body };
                serde_json::from_slice::<T>(body).ok()
            }
        };
        match parsed {
            Some(mut error) => {
                error.set_meta(self.meta);
                Ok(error)
            }
            None => Err(crate::error::Unhandled::new(self.meta)),
        }
    }
}

/// A query-compatible service's awsQuery code, from `x-amzn-query-error: Code;Fault`.
fn query_code(response: &Response, protocol: Protocol) -> Option<&str> {
    if !protocol.query_compatible() {
        return None;
    }
    let (code, _fault) = response.header("x-amzn-query-error")?.split_once(';')?;
    Some(code).filter(|code| !code.is_empty())
}

impl ErrorResponse {
    /// The XML body's `<Error>` element as the modeled error `T` (awsQuery), with this
    /// response's metadata; if the body does not fit `T`, the response as unhandled.
    pub fn modeled_xml<T: ModeledError + crate::xml::FromXml>(self) -> Result<T, crate::error::Unhandled> {
        let text = std::str::from_utf8(&self.body).unwrap_or_default();
        let parsed =
            crate::xml::Document::parse(text).and_then(|doc| super::query::error_element(doc.root()).parse::<T>());
        match parsed {
            Ok(mut error) => {
                error.set_meta(self.meta);
                Ok(error)
            }
            Err(_) => Err(crate::error::Unhandled::new(self.meta)),
        }
    }
}

/// `aws.protocoltests#FooError:http://internal/...` -> `FooError`: cut at the first `:`, then
/// keep what follows the last `#`.
pub fn sanitize_code(raw: &str) -> String {
    let before_colon = raw.split(':').next().unwrap_or(raw);
    before_colon.rsplit('#').next().unwrap_or(before_colon).trim().to_owned()
}
