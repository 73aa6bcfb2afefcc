//! What a service error response says beyond its modeled members.

use std::error::Error;
use std::fmt;
use std::sync::Arc;

/// The code, message, HTTP status and request id of an error response. Every operation error
/// carries one; build one with the `with_*` methods to construct errors in tests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorMetadata {
    code: Option<String>,
    message: Option<String>,
    status: Option<u16>,
    request_id: Option<String>,
}

impl ErrorMetadata {
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the code, cut to [`CODE_CAP`] bytes.
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(capped(code.into(), CODE_CAP));
        self
    }

    /// Sets the message, cut to [`MESSAGE_CAP`] bytes.
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(capped(message.into(), MESSAGE_CAP));
        self
    }

    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// Sets the request id, cut to [`CODE_CAP`] bytes.
    pub fn with_request_id(mut self, request_id: impl Into<String>) -> Self {
        self.request_id = Some(capped(request_id.into(), CODE_CAP));
        self
    }

    /// The error code (`NotFoundException`), after namespace and suffix are removed.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The HTTP status of the response.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// The `x-amzn-RequestId` of the response: quote it when asking AWS support.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
}

/// The longest error code or request id kept. AWS codes are under 64 bytes
/// (`AWS.SimpleQueueService.NonExistentQueue` is 39); a longer one is cut, so a hostile server
/// can't make every `Display` and log line carry megabytes.
pub const CODE_CAP: usize = 256;

/// The longest error message kept (AWS messages are sentences; validation messages listing
/// every bad field stay well under this).
pub const MESSAGE_CAP: usize = 8 * 1024;

/// `text` cut to at most `cap` bytes on a character boundary, with `…` when cut.
pub(crate) fn capped(mut text: String, cap: usize) -> String {
    if text.len() > cap {
        let mut end = cap;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push('…');
    }
    text
}

/// A modeled error's message member, capped as [`ErrorMetadata::with_message`] caps.
pub fn cap_message(message: Option<String>) -> Option<String> {
    message.map(|message| capped(message, MESSAGE_CAP))
}

/// `Display` for an error the model does not describe: its code (or, lacking one, its HTTP
/// status), its message and its request id.
impl fmt::Display for ErrorMetadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.code, self.status) {
            (Some(code), _) => fmt_service_error(f, code, self.message(), self),
            (None, Some(status)) => {
                let code = format!("HTTP {status}");
                fmt_service_error(f, &code, self.message(), self)
            }
            (None, None) => fmt_service_error(f, "unknown error", self.message(), self),
        }
    }
}

/// The one format of every service error: `NotFoundException: nope (HTTP 404, request id abc)`.
pub fn fmt_service_error(
    f: &mut fmt::Formatter<'_>,
    code: &str,
    message: Option<&str>,
    meta: &ErrorMetadata,
) -> fmt::Result {
    f.write_str(code)?;
    if let Some(message) = message.filter(|m| !m.is_empty()) {
        write!(f, ": {message}")?;
    }
    let status =
        meta.status.filter(|s| !code.starts_with("HTTP ") && code != s.to_string()).map(|s| format!("HTTP {s}"));
    let request_id = meta.request_id.as_deref().map(|id| format!("request id {id}"));
    let context: Vec<String> = status.into_iter().chain(request_id).collect();
    if !context.is_empty() {
        write!(f, " ({})", context.join(", "))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What anyhow's `{:#}` prints: each message of the chain, `: `-joined.
    fn chain(error: &dyn std::error::Error) -> String {
        let mut text = error.to_string();
        let mut source = error.source();
        while let Some(next) = source {
            text = format!("{text}: {next}");
            source = next.source();
        }
        text
    }

    #[test]
    fn a_chain_prints_each_message_once() {
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused");
        let transport =
            SdkError::<std::io::Error>::Transport(TransportError::new(TransportErrorKind::Connect, refused));
        let service = SdkError::Service(std::io::Error::other("NoSuchKey: gone (HTTP 404)"));
        let timed_out = std::io::Error::new(std::io::ErrorKind::TimedOut, std::io::Error::other("no answer in 1s"));
        let credentials = CredentialsError::provider_error("IMDS failed").with_source(timed_out);
        let unsent = SdkError::<std::io::Error>::Credentials(credentials);
        let built = SdkError::<std::io::Error>::Build(crate::BuildError::MissingField { field: "app_id" });
        for (error, once) in [
            (&transport, "connection refused"),
            (&service, "NoSuchKey: gone"),
            (&unsent, "no answer in 1s"),
            (&built, "app_id"),
        ] {
            let text = chain(error);
            assert_eq!(text.matches(once).count(), 1, "{text}");
        }
    }

    #[test]
    fn display_reads_well_alone() {
        let meta = ErrorMetadata::new()
            .with_code("MysteryException")
            .with_message("boom")
            .with_status(500)
            .with_request_id("r-1");
        assert_eq!(meta.to_string(), "MysteryException: boom (HTTP 500, request id r-1)");
        assert_eq!(ErrorMetadata::new().with_status(404).to_string(), "HTTP 404");
        assert_eq!(ErrorMetadata::new().to_string(), "unknown error");
        let no_message = ErrorMetadata::new().with_code("Throttling").with_request_id("r-2");
        assert_eq!(no_message.to_string(), "Throttling (request id r-2)");
    }

    #[test]
    fn metadata_is_capped() {
        let huge = "é".repeat(10_000_000);
        let meta = ErrorMetadata::new().with_code(huge.clone()).with_message(huge.clone()).with_request_id(huge);
        assert!(meta.code().unwrap().len() <= CODE_CAP + '…'.len_utf8());
        assert!(meta.message().unwrap().len() <= MESSAGE_CAP + '…'.len_utf8());
        assert!(meta.request_id().unwrap().ends_with('…'));
        assert!(meta.to_string().len() < 2 * CODE_CAP + MESSAGE_CAP + 64);
        assert!(format!("{meta:?}").len() < 2 * CODE_CAP + MESSAGE_CAP + 256);
    }

    #[test]
    fn parse_errors_quote_no_values() {
        let cases = [
            (
                r#"invalid type: string "hunter2", expected i32 at line 1 column 9"#,
                r#"invalid type: string "…", expected i32 at line 1 column 9"#,
            ),
            (r#"invalid type: string "a\"hunter2\"b", expected i32"#, r#"invalid type: string "…", expected i32"#),
            ("invalid value: integer `42`, expected u8", r#"invalid value: integer "…", expected u8"#),
            (r#"unterminated "hunter2"#, r#"unterminated "…""#),
        ];
        for (raw, cleaned) in cases {
            assert_eq!(ParseError::new(200, raw).detail(), cleaned);
        }
        let long = ParseError::new(200, "x".repeat(100_000));
        assert!(long.detail().len() <= DETAIL_CAP + 4);
    }
}

/// Why a provider gave no credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialsErrorKind {
    /// This provider doesn't apply here (no variable set, no profile, no metadata service):
    /// a chain moves on to the next one.
    NotLoaded,
    /// The provider applies but failed (the endpoint answered an error, the process exited non-zero).
    ProviderError,
    /// The configuration or the credentials themselves are unusable (bad file, missing key,
    /// malformed or expired credentials).
    Invalid,
}

/// A provider's failure. Its message is written by the provider and never holds a secret.
#[derive(Debug, Clone)]
pub struct CredentialsError {
    kind: CredentialsErrorKind,
    message: String,
    source: Option<Arc<dyn Error + Send + Sync>>,
}

impl CredentialsError {
    pub fn new(kind: CredentialsErrorKind, message: impl Into<String>) -> Self {
        CredentialsError { kind, message: message.into(), source: None }
    }

    pub fn not_loaded(reason: impl Into<String>) -> Self {
        Self::new(CredentialsErrorKind::NotLoaded, reason)
    }

    pub fn provider_error(message: impl Into<String>) -> Self {
        Self::new(CredentialsErrorKind::ProviderError, message)
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(CredentialsErrorKind::Invalid, message)
    }

    /// The underlying error (I/O, transport). Its text is shown too, so it must hold no secret.
    pub fn with_source(mut self, source: impl Into<Box<dyn Error + Send + Sync>>) -> Self {
        self.source = Some(Arc::from(source.into()));
        self
    }

    pub fn kind(&self) -> CredentialsErrorKind {
        self.kind
    }

    /// The provider's own words, without the kind's prefix.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            CredentialsErrorKind::NotLoaded => "no credentials loaded",
            CredentialsErrorKind::ProviderError => "the credentials provider failed",
            CredentialsErrorKind::Invalid => "invalid credentials",
        };
        write!(f, "{what}: {}", self.message)?;
        match &self.source {
            Some(source) => write!(f, ": {source}"),
            None => Ok(()),
        }
    }
}

/// The message already ends with what the provider's failure wraps, so walking `source()`
/// goes on from there: each message is printed once.
impl Error for CredentialsError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.source.as_deref().and_then(Error::source)
    }
}

/// Why a run stopped with an error of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PaginationError {
    /// The service sent a token it had already sent in this run; following it would loop.
    RepeatedToken { token: String, pages: usize },
    /// The starting token is not one this paginator produced.
    BadStartingToken { detail: String },
    /// A page size was given, but the operation has no page-size member.
    PageSizeUnsupported,
}

impl fmt::Display for PaginationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PaginationError::RepeatedToken { token, pages } => {
                write!(f, "pagination stopped: the service repeated the token {token} (after {pages} pages)")
            }
            PaginationError::BadStartingToken { detail } => write!(f, "bad starting token: {detail}"),
            PaginationError::PageSizeUnsupported => f.write_str("this operation has no page size"),
        }
    }
}

impl std::error::Error for PaginationError {}

/// Why a call failed, by layer. Each variant's `Display` is useful on its own.
#[derive(Debug)]
#[non_exhaustive]
pub enum SdkError<E> {
    /// The request could not be built; nothing was sent.
    Build(crate::BuildError),
    /// No usable response: connection, timeout or I/O failure, after every allowed attempt.
    Transport(TransportError),
    /// A response arrived but could not be read as the operation's output.
    Parse(ParseError),
    /// The service answered with an error.
    Service(E),
    /// A paginator stopped a run that would not end, or could not start it.
    Pagination(PaginationError),
    /// The credentials provider gave no credentials; nothing was sent. Says why, never a secret.
    Credentials(CredentialsError),
}

impl<E> SdkError<E> {
    /// A transport error says how many attempts it took; any other is as it is.
    pub(crate) fn after_attempts(self, attempts: u32) -> Self {
        match self {
            SdkError::Transport(error) => SdkError::Transport(error.after_attempts(attempts)),
            other => other,
        }
    }

    /// The error of an attempt that would have been retried, but for `why`, which a transport
    /// error tells (a service's error is its answer, as it came).
    pub(crate) fn not_retried(self, attempts: u32, why: &str) -> Self {
        match self {
            SdkError::Transport(mut error) => {
                error.detail = format!("{}; not retried: {why}", error.detail);
                SdkError::Transport(error.after_attempts(attempts))
            }
            other => other,
        }
    }

    /// The service error, if that is what this is.
    pub fn as_service_error(&self) -> Option<&E> {
        match self {
            SdkError::Service(error) => Some(error),
            _ => None,
        }
    }

    pub fn into_service_error(self) -> Option<E> {
        match self {
            SdkError::Service(error) => Some(error),
            _ => None,
        }
    }
}

impl<E> From<crate::BuildError> for SdkError<E> {
    fn from(error: crate::BuildError) -> Self {
        SdkError::Build(error)
    }
}

impl<E> From<CredentialsError> for SdkError<E> {
    fn from(error: CredentialsError) -> Self {
        SdkError::Credentials(error)
    }
}

impl<E: fmt::Display> fmt::Display for SdkError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SdkError::Build(error) => write!(f, "request not sent: {error}"),
            SdkError::Transport(error) => fmt::Display::fmt(error, f),
            SdkError::Parse(error) => fmt::Display::fmt(error, f),
            SdkError::Service(error) => fmt::Display::fmt(error, f),
            SdkError::Pagination(error) => fmt::Display::fmt(error, f),
            SdkError::Credentials(error) => write!(f, "request not sent: {error}"),
        }
    }
}

/// Every variant shows its layer's error in its own message, so the chain goes on with what
/// that error wraps, never with the error itself: a reporter walking `source()` (anyhow's
/// `{:#}`) prints each message once. Match on the variant to reach the layer's error.
impl<E: std::error::Error + 'static> std::error::Error for SdkError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SdkError::Build(error) => error.source(),
            SdkError::Transport(error) => error.source(),
            SdkError::Parse(error) => error.source(),
            SdkError::Service(error) => error.source(),
            SdkError::Pagination(error) => error.source(),
            SdkError::Credentials(error) => error.source(),
        }
    }
}

impl<E: ProvideErrorMetadata> SdkError<E> {
    /// The service's error code, when the service answered with an error.
    pub fn code(&self) -> Option<&str> {
        self.as_service_error().and_then(ProvideErrorMetadata::code)
    }

    /// The service's error message, when the service answered with an error.
    pub fn message(&self) -> Option<&str> {
        self.as_service_error().and_then(ProvideErrorMetadata::message)
    }

    /// The HTTP status, when the service answered with an error.
    pub fn status(&self) -> Option<u16> {
        self.as_service_error().and_then(|error| error.meta().status())
    }
}

/// What every service error tells beyond its type: code, message, HTTP status, request id. Every
/// operation's error enum and every modeled error implements it.
pub trait ProvideErrorMetadata {
    /// The code, message, HTTP status and request id of the response.
    fn meta(&self) -> &ErrorMetadata;

    /// The error code (`NotFoundException`).
    fn code(&self) -> Option<&str> {
        self.meta().code()
    }

    /// The error message.
    fn message(&self) -> Option<&str> {
        self.meta().message()
    }
}

impl ProvideErrorMetadata for ErrorMetadata {
    fn meta(&self) -> &ErrorMetadata {
        self
    }
}

/// An error the model does not describe for the operation. Match it to handle "anything else";
/// it can't be built by hand, so no code can pass off a modeled error as unhandled, and an error
/// a later model describes moves to its own variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unhandled(ErrorMetadata);

impl Unhandled {
    pub(crate) fn new(meta: ErrorMetadata) -> Self {
        Unhandled(meta)
    }

    /// An unhandled error with this metadata, for tests of code that handles "anything else"
    /// (`ListBackendJobsError::Unhandled(Unhandled::for_test(ErrorMetadata::new().with_code("Boom")))`).
    #[cfg(feature = "test-util")]
    pub fn for_test(meta: ErrorMetadata) -> Self {
        Unhandled(meta)
    }

    /// The code, message, HTTP status and request id of the response.
    pub fn meta(&self) -> &ErrorMetadata {
        &self.0
    }
}

impl ProvideErrorMetadata for Unhandled {
    fn meta(&self) -> &ErrorMetadata {
        &self.0
    }
}

impl fmt::Display for Unhandled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for Unhandled {}

/// The request id of a response: quote it when asking AWS support. Every operation output has one
/// (`None` for outputs built by hand).
pub trait RequestId {
    fn request_id(&self) -> Option<&str>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The connection could not be made (refused, DNS, TLS handshake, connect timeout).
    Connect,
    /// An attempt took longer than the attempt timeout.
    AttemptTimeout,
    /// The whole call took longer than the operation timeout.
    OperationTimeout,
    /// The connection failed while sending or receiving (reset, closed early).
    Io,
    /// The response body was larger than the configured limit
    /// ([`ConfigBuilder::max_response_body`](crate::ConfigBuilder::max_response_body)); reading
    /// stopped there. Not retried: the next answer would be as large.
    ResponseTooLarge,
    /// The response body does not match the checksum the response carries: it was corrupted on
    /// the way. A body read whole is tried again; a streamed one ends with this error.
    ChecksumMismatch,
    /// The response body stopped arriving: less than the minimum throughput over the grace
    /// period of [`StalledStreamProtection`](crate::StalledStreamProtection). A body read whole
    /// is tried again; a streamed one ends with this error.
    StalledStream,
    /// The transport would not send this request (a replaying test transport that expected
    /// another one). Not retried: the same request would be refused again.
    Refused,
}

/// The request or its response was lost on the way.
#[derive(Debug)]
pub struct TransportError {
    kind: TransportErrorKind,
    detail: String,
    attempts: u32,
}

impl TransportError {
    pub fn new(kind: TransportErrorKind, source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        let source = source.into();
        TransportError { kind, detail: error_chain(&*source), attempts: 1 }
    }

    pub(crate) fn timeout(kind: TransportErrorKind, after: std::time::Duration) -> Self {
        TransportError { kind, detail: format!("no response within {after:?}"), attempts: 1 }
    }

    /// A body's error: a connection failure, unless the body's own checks raised it.
    pub(crate) fn from_body(error: Box<dyn std::error::Error + Send + Sync>) -> Self {
        match error.downcast::<TransportError>() {
            Ok(error) => *error,
            Err(error) => TransportError::new(TransportErrorKind::Io, error),
        }
    }

    pub(crate) fn checksum_mismatch(detail: String) -> Self {
        TransportError { kind: TransportErrorKind::ChecksumMismatch, detail, attempts: 1 }
    }

    pub(crate) fn too_large(limit: usize) -> Self {
        let detail = format!("the response body is larger than the limit of {limit} bytes");
        TransportError { kind: TransportErrorKind::ResponseTooLarge, detail, attempts: 1 }
    }

    /// Whether another attempt could succeed: not when the answer itself was too large.
    pub(crate) fn is_retryable(&self) -> bool {
        !matches!(self.kind, TransportErrorKind::ResponseTooLarge | TransportErrorKind::Refused)
    }

    pub(crate) fn after_attempts(mut self, attempts: u32) -> Self {
        self.attempts = attempts;
        self
    }

    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// How many attempts were made before giving up.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    pub fn is_timeout(&self) -> bool {
        matches!(self.kind, TransportErrorKind::AttemptTimeout | TransportErrorKind::OperationTimeout)
    }
}

/// The error and its sources, `: `-joined, since hyper's own message is often just "client error".
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(next) = source {
        let next_text = next.to_string();
        if !text.contains(&next_text) {
            text.push_str(": ");
            text.push_str(&next_text);
        }
        source = next.source();
    }
    text
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            TransportErrorKind::Connect => "could not connect",
            TransportErrorKind::AttemptTimeout => "attempt timed out",
            TransportErrorKind::OperationTimeout => "operation timed out",
            TransportErrorKind::Io => "connection failed",
            TransportErrorKind::ResponseTooLarge => "response refused",
            TransportErrorKind::ChecksumMismatch => "checksum mismatch",
            TransportErrorKind::Refused => "request refused by the transport",
            TransportErrorKind::StalledStream => "stalled",
        };
        write!(f, "{what}: {}", self.detail)?;
        match self.attempts {
            1 => Ok(()),
            n => write!(f, " (after {n} attempts)"),
        }
    }
}

/// The message already holds the whole chain of what failed (hyper's own is often just "client
/// error"), so `source()` is `None`: walking the chain repeats nothing.
impl std::error::Error for TransportError {}

/// A response that is not what the model says: bad JSON, wrong types. Never retried.
///
/// It says where (the JSON path) and what was expected, never what the body held: a response
/// can carry secrets, and errors end up in logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    status: u16,
    operation: Option<&'static str>,
    detail: String,
}

impl ParseError {
    /// `detail` is cleaned of quoted values (`"…"`, `` `…` ``) before it is kept.
    pub fn new(status: u16, detail: impl AsRef<str>) -> Self {
        ParseError { status, operation: None, detail: redact_values(detail.as_ref()) }
    }

    /// Names the operation whose response this was.
    pub fn in_operation(mut self, operation: &'static str) -> Self {
        self.operation = Some(operation);
        self
    }

    pub fn operation(&self) -> Option<&'static str> {
        self.operation
    }

    pub fn status(&self) -> u16 {
        self.status
    }

    /// What was wrong and where, with no value from the body.
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.operation {
            Some(operation) => write!(f, "could not parse the {operation} response (HTTP {})", self.status)?,
            None => write!(f, "could not parse the HTTP {} response", self.status)?,
        }
        write!(f, ": {}", self.detail)
    }
}

impl std::error::Error for ParseError {}

/// Replaces every quoted run (`"…"` with its escapes, or `` `…` ``) by `"…"`, and caps the text:
/// serde's messages quote the offending value (`invalid type: string "hunter2", expected i32`).
pub(crate) fn redact_values(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(DETAIL_CAP));
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' | '`' => {
                let mut escaped = false;
                for inner in chars.by_ref() {
                    match inner {
                        '\\' if c == '"' && !escaped => escaped = true,
                        end if end == c && !escaped => break,
                        _ => escaped = false,
                    }
                }
                out.push_str("\"…\"");
            }
            c => out.push(c),
        }
        if out.len() >= DETAIL_CAP {
            out.push('…');
            break;
        }
    }
    out
}

/// Longest detail a parse error keeps.
const DETAIL_CAP: usize = 512;
