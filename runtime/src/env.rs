//! The few environment variables the runtime reads itself (`Config::from_env`,
//! `Credentials::from_env`, and on every attempt the Lambda trace id of recursion detection);
//! awsgen-config reads the rest, and the profile files. Values are trimmed and parsed by the
//! functions of the settings' own types (`RetryMode::parse`, ...), as awsgen-config does.

/// A variable's value, trimmed; unset, empty and blank are the same.
pub(crate) fn var(name: &str) -> Option<String> {
    let value = std::env::var(name).ok()?;
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

/// A boolean variable: `true` in any case is on, anything else off.
pub(crate) fn var_flag(name: &str) -> bool {
    var(name).is_some_and(|value| value.eq_ignore_ascii_case("true"))
}
