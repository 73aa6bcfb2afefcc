//! Problems found in a model. Every stage collects them instead of stopping at the first,
//! so a user fixes a model in one round trip; nothing in the generator panics on model input.

use std::fmt;

/// One problem, located precisely enough that a person can find it in the file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// The model file, as the caller named it (e.g. `specs/amplifybackend/service-2.json`).
    pub file: String,
    /// A JSON pointer into that file (`/shapes/Foo/members/Bar`), or `line:column` for syntax errors.
    pub location: String,
    pub message: String,
    pub hint: Option<String>,
}

impl Diagnostic {
    /// The same text as `Display`, labelled as a warning: generation goes on.
    pub fn warning(&self) -> String {
        self.to_string().replacen("error: ", "warning: ", 1)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}\n  --> {}", self.message, self.file)?;
        if !self.location.is_empty() {
            write!(f, " at {}", self.location)?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  = hint: {hint}")?;
        }
        Ok(())
    }
}

/// Every problem found in one generation; `Display` lists them all, sorted and deduplicated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for diagnostic in &self.0 {
            writeln!(f, "{diagnostic}")?;
        }
        let n = self.0.len();
        write!(f, "{n} problem{} found; nothing was generated", if n == 1 { "" } else { "s" })
    }
}

impl std::error::Error for Diagnostics {}

/// Collects diagnostics for one file.
#[derive(Debug)]
pub(crate) struct Sink {
    file: String,
    found: Vec<Diagnostic>,
}

impl Sink {
    pub(crate) fn new(file: &str) -> Self {
        Sink { file: file.to_owned(), found: Vec::new() }
    }

    pub(crate) fn error(&mut self, location: impl Into<String>, message: impl Into<String>) {
        self.push(location.into(), message.into(), None);
    }

    pub(crate) fn error_with_hint(
        &mut self,
        location: impl Into<String>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.push(location.into(), message.into(), Some(hint.into()));
    }

    fn push(&mut self, location: String, message: String, hint: Option<String>) {
        self.found.push(Diagnostic { file: self.file.clone(), location, message, hint });
    }

    /// What was found, sorted, for problems that are warnings rather than errors.
    pub(crate) fn into_found(self) -> Vec<Diagnostic> {
        self.fail().0
    }

    /// Gives up with what was found so far (at least one diagnostic must have been pushed).
    pub(crate) fn fail(mut self) -> Diagnostics {
        self.found.sort();
        self.found.dedup();
        Diagnostics(self.found)
    }
}

/// Builds a JSON pointer from segments, escaping `~` and `/` as RFC 6901 requires.
pub(crate) fn pointer<'a>(segments: impl IntoIterator<Item = &'a str>) -> String {
    segments.into_iter().map(|s| format!("/{}", s.replace('~', "~0").replace('/', "~1"))).collect()
}
