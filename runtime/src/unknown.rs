/// An enum value the generated crate does not know yet. It can be read but not built by hand,
/// so matching on it never silently breaks when a later model adds the value as a variant.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnknownValue(String);

impl UnknownValue {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[doc(hidden)]
impl From<&str> for UnknownValue {
    fn from(value: &str) -> Self {
        UnknownValue(value.to_owned())
    }
}
