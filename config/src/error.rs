//! Why loading the configuration failed.

use crate::profile::ProfileFileError;
use std::fmt;

/// Why [`ConfigLoader::try_load`](crate::ConfigLoader::try_load) refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// A profile file that can't be read or parsed.
    ProfileFile(ProfileFileError),
    /// A profile was chosen (`AWS_PROFILE`,
    /// [`ConfigLoader::profile_name`](crate::ConfigLoader::profile_name)) that no file has.
    MissingProfile(String),
    /// A setting with a value it can't take; `source` names the variable or the profile property.
    Setting { source: String, problem: String },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::ProfileFile(error) => error.fmt(f),
            LoadError::MissingProfile(name) => write!(f, "profile `{name}` is not in the profile files"),
            LoadError::Setting { source, problem } => write!(f, "{source}: {problem}"),
        }
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LoadError::ProfileFile(error) => error.source(), // shown as it is
            _ => None,
        }
    }
}
