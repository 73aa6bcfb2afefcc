//! Environment variables, from the process or from a map (tests, embedding).

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// Where settings like `AWS_PROFILE` are read. Cheap to clone. `Debug` never shows values: the
/// environment holds secrets.
#[derive(Clone, Default)]
pub struct Env {
    /// `None`: the process environment.
    vars: Option<Arc<HashMap<String, String>>>,
}

impl Env {
    /// The process environment.
    pub fn process() -> Self {
        Env { vars: None }
    }

    /// Exactly these variables, nothing from the process.
    pub fn from_vars<K: Into<String>, V: Into<String>>(vars: impl IntoIterator<Item = (K, V)>) -> Self {
        let vars = vars.into_iter().map(|(key, value)| (key.into(), value.into())).collect();
        Env { vars: Some(Arc::new(vars)) }
    }

    /// The variable's value; a blank value counts as unset, as in every AWS SDK.
    pub fn get(&self, name: &str) -> Option<String> {
        let value = match &self.vars {
            Some(vars) => vars.get(name).cloned(),
            None => std::env::var(name).ok(),
        };
        value.filter(|value| !value.trim().is_empty())
    }
}

impl Env {
    /// Every variable named `<prefix><suffix>` with a value: (suffix, value).
    pub fn with_prefix(&self, prefix: &str) -> Vec<(String, String)> {
        let all: Vec<(String, String)> = match &self.vars {
            Some(vars) => vars.iter().map(|(name, value)| (name.clone(), value.clone())).collect(),
            // `vars_os`: `vars` panics on a variable that is not Unicode, which none of ours is.
            None => std::env::vars_os()
                .filter_map(|(name, value)| Some((name.into_string().ok()?, value.into_string().ok()?)))
                .collect(),
        };
        let found = all.into_iter().filter(|(_, value)| !value.trim().is_empty());
        found.filter_map(|(name, value)| Some((name.strip_prefix(prefix)?.to_owned(), value))).collect()
    }
}

impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.vars {
            Some(vars) => write!(f, "Env({} variables)", vars.len()),
            None => f.write_str("Env(process)"),
        }
    }
}
