//! Scalars in URI labels, query strings and headers, both ways.

use crate::blob::Blob;
use crate::time::{DateTime, TimestampFormat};

/// A value written as text outside the body. Timestamps use the location's format.
pub trait HttpValue {
    /// Text elements are quoted in list headers when they hold `,` or `"`.
    const QUOTED_IN_LISTS: bool = false;

    fn http_value(&self, timestamps: TimestampFormat) -> String;
}

/// A value read from a header.
pub trait FromHttpValue: Sized {
    /// HTTP dates hold a comma of their own, which list headers must not split on.
    const HTTP_DATES: bool = false;

    fn from_http_value(text: &str, timestamps: TimestampFormat) -> Result<Self, String>;
}

impl HttpValue for String {
    const QUOTED_IN_LISTS: bool = true;

    fn http_value(&self, _: TimestampFormat) -> String {
        self.clone()
    }
}

impl HttpValue for str {
    const QUOTED_IN_LISTS: bool = true;

    fn http_value(&self, _: TimestampFormat) -> String {
        self.to_owned()
    }
}

impl HttpValue for bool {
    fn http_value(&self, _: TimestampFormat) -> String {
        self.to_string()
    }
}

macro_rules! integers {
    ($($t:ty),*) => {$(
        impl HttpValue for $t {
            fn http_value(&self, _: TimestampFormat) -> String {
                self.to_string()
            }
        }

        impl FromHttpValue for $t {
            fn from_http_value(text: &str, _: TimestampFormat) -> Result<Self, String> {
                text.trim().parse().map_err(|_| format!("{text:?} is not a whole number"))
            }
        }
    )*};
}
integers!(i32, i64);

macro_rules! floats {
    ($($t:ty),*) => {$(
        impl HttpValue for $t {
            fn http_value(&self, _: TimestampFormat) -> String {
                match self {
                    v if v.is_nan() => "NaN".to_owned(),
                    v if v.is_infinite() && *v > 0.0 => "Infinity".to_owned(),
                    v if v.is_infinite() => "-Infinity".to_owned(),
                    v => v.to_string(),
                }
            }
        }

        impl FromHttpValue for $t {
            fn from_http_value(text: &str, _: TimestampFormat) -> Result<Self, String> {
                match text.trim() {
                    "NaN" => Ok(<$t>::NAN),
                    "Infinity" => Ok(<$t>::INFINITY),
                    "-Infinity" => Ok(<$t>::NEG_INFINITY),
                    other => other.parse().map_err(|_| format!("{text:?} is not a number")),
                }
            }
        }
    )*};
}
floats!(f32, f64);

impl HttpValue for DateTime {
    fn http_value(&self, timestamps: TimestampFormat) -> String {
        self.format(timestamps)
    }
}

impl HttpValue for Blob {
    fn http_value(&self, _: TimestampFormat) -> String {
        crate::base64::encode(self.as_bytes())
    }
}

impl FromHttpValue for String {
    fn from_http_value(text: &str, _: TimestampFormat) -> Result<Self, String> {
        Ok(text.to_owned())
    }
}

impl FromHttpValue for bool {
    fn from_http_value(text: &str, _: TimestampFormat) -> Result<Self, String> {
        match text.trim() {
            t if t.eq_ignore_ascii_case("true") => Ok(true),
            t if t.eq_ignore_ascii_case("false") => Ok(false),
            _ => Err(format!("{text:?} is not a boolean")),
        }
    }
}

impl FromHttpValue for DateTime {
    const HTTP_DATES: bool = true;

    fn from_http_value(text: &str, timestamps: TimestampFormat) -> Result<Self, String> {
        DateTime::parse_lenient(text, timestamps)
    }
}

impl FromHttpValue for Blob {
    fn from_http_value(text: &str, _: TimestampFormat) -> Result<Self, String> {
        crate::base64::decode(text.trim()).map(Blob::new).map_err(|e| e.to_string())
    }
}
