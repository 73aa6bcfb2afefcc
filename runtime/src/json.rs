//! JSON encodings of the model's special types: timestamps, blobs, documents, non-finite
//! floats, and unions. Generated code names the encodings in its `ReadFields` and `WriteFields`
//! impls (see `fields.rs`), and the union helpers in its union impls.
//! With the `cbor` feature (which RPCv2 CBOR crates turn on) the same impls write CBOR when the
//! serializer is not human-readable: see `cbor.rs`. Without it, every format gets the JSON forms.

use crate::blob::Blob;
use crate::fields::Encoding;
use crate::time::{DateTime, TimestampFormat};
use serde::de::{self, Deserializer};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

/// A document: untyped JSON, as Smithy's `document` type.
pub type Document = serde_json::Value;

impl Serialize for Blob {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if !serializer.is_human_readable() {
            return serializer.serialize_bytes(self.as_bytes()); // a CBOR byte string
        }
        serializer.serialize_str(&crate::base64::encode(self.as_bytes()))
    }
}

impl<'de> Deserialize<'de> for Blob {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if !deserializer.is_human_readable() {
            return deserializer.deserialize_byte_buf(BytesVisitor);
        }
        let text = String::deserialize(deserializer)?;
        crate::base64::decode(&text).map(Blob::new).map_err(de::Error::custom)
    }
}

/// A CBOR byte string as a [`Blob`].
struct BytesVisitor;

impl de::Visitor<'_> for BytesVisitor {
    type Value = Blob;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a byte string")
    }
    fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<Blob, E> {
        Ok(Blob::from(bytes))
    }
    fn visit_byte_buf<E: de::Error>(self, bytes: Vec<u8>) -> Result<Blob, E> {
        Ok(Blob::new(bytes))
    }
}

/// In JSON bodies a timestamp is epoch seconds unless the model says otherwise; in CBOR always
/// epoch seconds under tag 1.
impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[cfg(feature = "cbor")]
        if !serializer.is_human_readable() {
            let fraction = (self.subsec_nanos() != 0).then(|| self.as_fractional_secs());
            return crate::cbor::serialize_epoch_seconds(self.secs(), fraction, serializer);
        }
        if self.subsec_nanos() == 0 {
            serializer.serialize_i64(self.secs())
        } else {
            serializer.serialize_f64(self.as_fractional_secs())
        }
    }
}

/// Accepts epoch seconds (number or numeric string) and date-time or HTTP-date strings.
impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[cfg(feature = "cbor")]
        if !deserializer.is_human_readable() {
            let secs = crate::cbor::deserialize_number(deserializer)?.unwrap_or_default();
            return DateTime::from_fractional_secs(secs)
                .ok_or_else(|| de::Error::custom(format!("{secs} is not a valid timestamp")));
        }
        match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::Number(n) => n
                .as_f64()
                .and_then(DateTime::from_fractional_secs)
                .ok_or_else(|| de::Error::custom(format!("{n} is not a valid timestamp"))),
            serde_json::Value::String(text) => {
                [TimestampFormat::DateTime, TimestampFormat::HttpDate, TimestampFormat::EpochSeconds]
                    .into_iter()
                    .find_map(|format| DateTime::parse(&text, format).ok())
                    .ok_or_else(|| de::Error::custom(format!("{text:?} is not a valid timestamp")))
            }
            other => Err(de::Error::custom(format!("expected a timestamp, found {other}"))),
        }
    }
}

/// A timestamp written as an RFC 3339 date-time string (read in any of the forms above).
pub struct DateTimeString;

/// A timestamp written as an HTTP-date string (read in any of the forms above).
pub struct HttpDateString;

macro_rules! timestamp_string {
    ($encoding:ident, $format:expr) => {
        /// CBOR ignores the model's format: a timestamp is always tag 1.
        impl Encoding<DateTime> for $encoding {
            fn serialize<S: Serializer>(value: &DateTime, serializer: S) -> Result<S::Ok, S::Error> {
                match serializer.is_human_readable() {
                    true => serializer.serialize_str(&value.format($format)),
                    false => value.serialize(serializer),
                }
            }

            fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<DateTime>, D::Error> {
                Option::<DateTime>::deserialize(deserializer)
            }
        }
    };
}

timestamp_string!(DateTimeString, TimestampFormat::DateTime);
timestamp_string!(HttpDateString, TimestampFormat::HttpDate);

/// Floats as AWS JSON writes them: numbers, or the strings `NaN`, `Infinity`, `-Infinity`
/// (CBOR has them natively).
pub struct Float;

/// `f32` or `f64`.
pub trait JsonFloat: Copy {
    fn to_f64(self) -> f64;
    fn from_f64(value: f64) -> Self;
}

impl JsonFloat for f64 {
    fn to_f64(self) -> f64 {
        self
    }
    fn from_f64(value: f64) -> Self {
        value
    }
}

impl JsonFloat for f32 {
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
    fn from_f64(value: f64) -> Self {
        value as f32
    }
}

impl<T: JsonFloat> Encoding<T> for Float {
    fn serialize<S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
        match value.to_f64() {
            v if !serializer.is_human_readable() => serializer.serialize_f64(v),
            v if v.is_nan() => serializer.serialize_str("NaN"),
            f64::INFINITY => serializer.serialize_str("Infinity"),
            f64::NEG_INFINITY => serializer.serialize_str("-Infinity"),
            v => serializer.serialize_f64(v),
        }
    }

    fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<T>, D::Error> {
        #[cfg(feature = "cbor")]
        if !deserializer.is_human_readable() {
            return Ok(crate::cbor::deserialize_number(deserializer)?.map(T::from_f64));
        }
        let value = match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::Null => return Ok(None),
            serde_json::Value::Number(n) => n.as_f64().ok_or_else(|| de::Error::custom("number out of range"))?,
            serde_json::Value::String(s) => match s.as_str() {
                "NaN" => f64::NAN,
                "Infinity" => f64::INFINITY,
                "-Infinity" => f64::NEG_INFINITY,
                other => return Err(de::Error::custom(format!("{other:?} is not a number"))),
            },
            other => return Err(de::Error::custom(format!("expected a number, found {other}"))),
        };
        Ok(Some(T::from_f64(value)))
    }
}

/// A union member's value, read but not yet typed: JSON, or CBOR (which keeps byte strings,
/// tags and non-finite floats that JSON values can't hold).
#[derive(Debug)]
pub struct UnionValue(UnionValueKind);

#[derive(Debug)]
enum UnionValueKind {
    Json(serde_json::Value),
    #[cfg(feature = "cbor")]
    Cbor(ciborium::Value),
}

/// The one set member of a union object, ignoring `null` members and `__type`; `None` when
/// nothing is set.
pub fn union_member<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<(String, UnionValue)>, D::Error> {
    #[cfg(feature = "cbor")]
    if !deserializer.is_human_readable() {
        let entries = std::collections::BTreeMap::<String, ciborium::Value>::deserialize(deserializer)?;
        let set = entries.into_iter().filter(|(_, value)| !value.is_null());
        return the_one_member(set.map(|(k, v)| (k, UnionValueKind::Cbor(v))));
    }
    let object = serde_json::Map::<String, serde_json::Value>::deserialize(deserializer)?;
    let set = object.into_iter().filter(|(_, value)| !value.is_null());
    the_one_member(set.map(|(k, v)| (k, UnionValueKind::Json(v))))
}

fn the_one_member<E: de::Error>(
    set: impl Iterator<Item = (String, UnionValueKind)>,
) -> Result<Option<(String, UnionValue)>, E> {
    let mut set = set.filter(|(key, _)| key != "__type");
    let first = set.next();
    if set.next().is_some() {
        return Err(de::Error::custom("a union must have exactly one member set"));
    }
    Ok(first.map(|(key, value)| (key, UnionValue(value))))
}

/// A union member's value, as its Rust type.
pub fn union_value<T: de::DeserializeOwned, E: de::Error>(value: UnionValue) -> Result<T, E> {
    match value.0 {
        UnionValueKind::Json(value) => serde_json::from_value(value).map_err(E::custom),
        #[cfg(feature = "cbor")]
        UnionValueKind::Cbor(value) => value.deserialized().map_err(E::custom),
    }
}

/// `text` as a JSON string as Python's `json.dumps` writes it: ASCII only, anything else as
/// `\uXXXX` (UTF-16, so surrogate pairs beyond the BMP).
pub(crate) fn py_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_written_as_python_writes_them() {
        assert_eq!(py_json("caf\u{e9} \"q\""), r#""caf\u00e9 \"q\"""#);
        assert_eq!(py_json("a\\b\n\t\u{1}\u{1F600}"), r#""a\\b\n\t\u0001\ud83d\ude00""#);
    }

    #[test]
    fn blobs_are_base64_and_timestamps_epoch_seconds() {
        assert_eq!(serde_json::to_string(&Blob::from("hi")).unwrap(), "\"aGk=\"");
        assert_eq!(serde_json::from_str::<Blob>("\"aGk=\"").unwrap(), Blob::from("hi"));
        assert!(serde_json::from_str::<Blob>("\"!!\"").is_err());
        assert_eq!(serde_json::to_string(&DateTime::from_secs(1_577_934_245)).unwrap(), "1577934245");
        assert_eq!(serde_json::to_string(&DateTime::from_parts(1, 500_000_000)).unwrap(), "1.5");
        let parsed: DateTime = serde_json::from_str("\"2020-01-02T03:04:05Z\"").unwrap();
        assert_eq!(parsed, DateTime::from_secs(1_577_934_245));
        assert_eq!(serde_json::from_str::<DateTime>("1.5").unwrap(), DateTime::from_parts(1, 500_000_000));
    }

    #[test]
    fn non_finite_floats_are_strings() {
        #[derive(Debug, Default, PartialEq)]
        struct F {
            v: Option<f64>,
            w: f32,
        }
        impl crate::fields::ReadFields for F {
            fn read_field<'de, A: de::MapAccess<'de>>(
                &mut self,
                name: &str,
                value: crate::fields::FieldValue<'_, A>,
            ) -> Result<(), A::Error> {
                match name {
                    "v" => value.read_optional_as(&mut self.v, Float),
                    "w" => value.read_as(&mut self.w, Float),
                    _ => value.skip(),
                }
            }
        }
        impl crate::fields::WriteFields for F {
            fn write_fields<W: crate::fields::FieldWriter>(&self, out: &mut W) -> Result<(), W::Error> {
                out.optional_as("v", &self.v, Float)?;
                out.field_as("w", &self.w, Float)
            }
        }
        crate::deserialize_fields!(F);
        crate::serialize_fields!(F);
        let inf = F { v: Some(f64::NEG_INFINITY), w: f32::INFINITY };
        assert_eq!(serde_json::to_string(&inf).unwrap(), r#"{"v":"-Infinity","w":"Infinity"}"#);
        assert_eq!(serde_json::to_string(&F::default()).unwrap(), r#"{"w":0.0}"#);
        assert!(serde_json::from_str::<F>(r#"{"v":"NaN"}"#).unwrap().v.unwrap().is_nan());
        assert_eq!(serde_json::from_str::<F>(r#"{"v":1.5,"x":[1]}"#).unwrap(), F { v: Some(1.5), w: 0.0 });
        assert_eq!(serde_json::from_str::<F>(r#"{"v":null,"w":null}"#).unwrap(), F::default());
        assert!(serde_json::from_str::<F>(r#"{"v":"1.5"}"#).is_err());
    }
}
