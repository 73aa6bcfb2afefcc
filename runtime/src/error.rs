//! What a service error response says beyond its modeled members.

use std::fmt;

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

    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }

    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    pub fn with_request_id(mut self, request_id: impl Into<String>) -> Self {
        self.request_id = Some(request_id.into());
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
    let status = meta.status.filter(|_| !code.starts_with("HTTP ")).map(|s| format!("HTTP {s}"));
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
}
