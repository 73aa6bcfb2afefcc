//! The few environment variables the runtime reads itself (`Config::from_env`,
//! `Credentials::from_env`); awsgen-config reads the rest, and the profile files. Values are
//! parsed by the functions of the settings' own types (`RetryMode::parse`, ...), which
//! awsgen-config uses too.

/// A variable's value; unset and empty are the same.
pub(crate) fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

/// A boolean variable: `true` in any case is on, anything else off.
pub(crate) fn var_flag(name: &str) -> bool {
    var(name).is_some_and(|value| value.eq_ignore_ascii_case("true"))
}
