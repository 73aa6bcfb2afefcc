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

impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.vars {
            Some(vars) => write!(f, "Env({} variables)", vars.len()),
            None => f.write_str("Env(process)"),
        }
    }
}
