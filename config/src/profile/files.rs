//! Finding and reading the profile files: environment overrides, `~` expansion, a size bound.

use super::{FileKind, SyntaxError};
use crate::Env;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Profile files are a few KiB; anything over this is refused rather than read into memory.
pub const MAX_PROFILE_FILE_SIZE: u64 = 4 * 1024 * 1024;

/// A profile file that couldn't be used. Names the file and the rule, never its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileFileError {
    path: PathBuf,
    problem: Problem,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Problem {
    Syntax(SyntaxError),
    TooLarge,
    NotText,
    Unreadable(String),
}

impl ProfileFileError {
    pub(super) fn syntax(path: &Path, error: SyntaxError) -> Self {
        ProfileFileError { path: path.to_owned(), problem: Problem::Syntax(error) }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl fmt::Display for ProfileFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display();
        match &self.problem {
            Problem::Syntax(error) => {
                write!(f, "could not parse profile file {path}: {} (line {})", error.message, error.line)
            }
            Problem::TooLarge => write!(f, "profile file {path} is larger than {MAX_PROFILE_FILE_SIZE} bytes"),
            Problem::NotText => write!(f, "profile file {path} is not UTF-8 text"),
            Problem::Unreadable(reason) => write!(f, "could not read profile file {path}: {reason}"),
        }
    }
}

impl std::error::Error for ProfileFileError {}

pub(super) struct File {
    pub path: PathBuf,
    pub text: String,
}

pub(super) fn read(env: &Env, kind: FileKind) -> Result<File, ProfileFileError> {
    let (variable, default) = match kind {
        FileKind::Config => ("AWS_CONFIG_FILE", "~/.aws/config"),
        FileKind::Credentials => ("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials"),
    };
    let path = expand_home(env, &env.get(variable).unwrap_or_else(|| default.to_owned()));
    let text = read_bounded(&path).map_err(|problem| ProfileFileError { path: path.clone(), problem })?;
    Ok(File { path, text })
}

/// `~/x` -> `$HOME/x` (`%USERPROFILE%` on Windows). Without a home, `~` stays as written.
pub(crate) fn expand_home(env: &Env, path: &str) -> PathBuf {
    let rest = match path.strip_prefix('~') {
        Some(rest) if rest.is_empty() || rest.starts_with(['/', '\\']) => rest,
        _ => return PathBuf::from(path),
    };
    match env.get("HOME").or_else(|| env.get("USERPROFILE")) {
        Some(home) => PathBuf::from(format!("{}{rest}", home.trim_end_matches(['/', '\\']))),
        None => PathBuf::from(path),
    }
}

/// The file's bytes, refused above `limit` (a message, for errors that name the file).
pub(crate) fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|error| error.to_string())?;
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes).map_err(|error| error.to_string())?;
    if bytes.len() as u64 > limit {
        return Err(format!("larger than {limit} bytes"));
    }
    Ok(bytes)
}

/// The file's text; a missing file is empty.
fn read_bounded(path: &Path) -> Result<String, Problem> {
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(String::new()),
        Err(error) => return Err(Problem::Unreadable(error.to_string())),
    };
    let mut bytes = Vec::new();
    file.take(MAX_PROFILE_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| Problem::Unreadable(error.to_string()))?;
    if bytes.len() as u64 > MAX_PROFILE_FILE_SIZE {
        return Err(Problem::TooLarge);
    }
    String::from_utf8(bytes).map_err(|_| Problem::NotText)
}
