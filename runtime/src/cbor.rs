//! CBOR bodies for the RPCv2 CBOR protocol, through the same serde impls as JSON: ciborium's
//! serializers and deserializers are not human-readable, which tells [`crate::Blob`],
//! [`crate::DateTime`] and the float helpers to write byte strings, tag-1 epoch seconds and
//! native non-finite floats.

use crate::fields::{FieldValue, ReadFields};
use serde::de::{self, DeserializeOwned, Deserializer, Visitor};
use serde::{Serialize, Serializer};
use std::fmt;

/// How deep a body may nest: deeper input is refused before it can exhaust the stack (as
/// serde_json's own limit of 128 does for JSON).
const MAX_DEPTH: usize = 128;

/// The CBOR tag of a timestamp as epoch seconds (RFC 8949, 3.4.2).
const EPOCH_SECONDS_TAG: u64 = 1;

/// Encodes `value` as CBOR.
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    ciborium::into_writer(value, &mut body).map_err(|e| e.to_string())?;
    Ok(body)
}

/// Decodes one CBOR item as `T`, refusing nesting deeper than [`MAX_DEPTH`].
pub fn from_slice<T: DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    ciborium::de::from_reader_with_recursion_limit(body, MAX_DEPTH).map_err(|e| match e {
        ciborium::de::Error::Io(_) => "the CBOR body ends early".to_owned(),
        ciborium::de::Error::Syntax(at) => format!("malformed CBOR at byte {at}"),
        ciborium::de::Error::Semantic(Some(at), why) => format!("at byte {at}: {why}"),
        ciborium::de::Error::Semantic(None, why) => why,
        ciborium::de::Error::RecursionLimitExceeded => format!("the CBOR body nests deeper than {MAX_DEPTH}"),
    })
}

/// Epoch seconds under tag 1: an integer when whole, else a float.
pub(crate) fn serialize_epoch_seconds<S: Serializer>(
    secs: i64,
    fraction: Option<f64>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match fraction {
        None => ciborium::tag::Required::<i64, EPOCH_SECONDS_TAG>(secs).serialize(s),
        Some(value) => ciborium::tag::Required::<f64, EPOCH_SECONDS_TAG>(value).serialize(s),
    }
}

/// A CBOR number of any width, as `f64`, under a tag (a timestamp's) or not.
pub(crate) fn deserialize_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
    let ciborium::tag::Captured(_tag, Number(value)) = de::Deserialize::deserialize(deserializer)?;
    Ok(value)
}

/// Any number, or null.
struct Number(Option<f64>);

impl<'de> de::Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NumberVisitor).map(Number)
    }
}

struct NumberVisitor;

impl Visitor<'_> for NumberVisitor {
    type Value = Option<f64>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v as f64))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v as f64))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// The fields of an error body that name and describe it.
#[derive(Debug, Default)]
pub(crate) struct ErrorFields {
    pub type_: Option<String>,
    pub message: Option<String>,
    pub message_upper: Option<String>,
    pub error_message: Option<String>,
}

impl ReadFields for ErrorFields {
    fn read_field<'de, A: de::MapAccess<'de>>(&mut self, name: &str, value: FieldValue<'_, A>) -> Result<(), A::Error> {
        match name {
            "__type" => value.read(&mut self.type_),
            "message" => value.read(&mut self.message),
            "Message" => value.read(&mut self.message_upper),
            "errorMessage" => value.read(&mut self.error_message),
            _ => value.skip(),
        }
    }
}

crate::deserialize_fields!(ErrorFields);

impl ErrorFields {
    /// The fields of an error body, or none when it is not a CBOR map of them.
    pub fn read(body: &[u8]) -> Self {
        from_slice::<Option<ErrorFields>>(body).ok().flatten().unwrap_or_default()
    }

    pub fn message(&self) -> Option<&str> {
        self.message.as_deref().or(self.message_upper.as_deref()).or(self.error_message.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Blob, DateTime};
    use serde::Deserialize;

    /// A structure as generated code reads and writes it.
    #[derive(Debug, PartialEq, Default)]
    struct Node {
        blob: Option<Blob>,
        time: Option<DateTime>,
        value: Option<f64>,
        children: Vec<Node>,
    }

    impl ReadFields for Node {
        fn read_field<'de, A: de::MapAccess<'de>>(
            &mut self,
            name: &str,
            value: FieldValue<'_, A>,
        ) -> Result<(), A::Error> {
            match name {
                "blob" => value.read(&mut self.blob),
                "time" => value.read(&mut self.time),
                "value" => value.read_optional_as(&mut self.value, crate::json::Float),
                "children" => value.read(&mut self.children),
                _ => value.skip(),
            }
        }
    }

    impl crate::fields::WriteFields for Node {
        fn write_fields<W: crate::fields::FieldWriter>(&self, out: &mut W) -> Result<(), W::Error> {
            out.optional("blob", &self.blob)?;
            out.optional("time", &self.time)?;
            out.optional_as("value", &self.value, crate::json::Float)?;
            out.field("children", &self.children)
        }
    }

    crate::deserialize_fields!(Node);
    crate::serialize_fields!(Node);

    #[test]
    fn blobs_timestamps_and_floats_take_their_cbor_forms() {
        let node = Node {
            blob: Some(Blob::from("foo")),
            time: Some(DateTime::from_parts(1, 500_000_000)),
            value: Some(f64::INFINITY),
            children: Vec::new(),
        };
        let body = to_vec(&node).unwrap();
        let value: ciborium::Value = from_slice(&body).unwrap();
        let field =
            |name: &str| value.as_map().unwrap().iter().find(|(k, _)| k.as_text() == Some(name)).unwrap().1.clone();
        assert_eq!(field("blob"), ciborium::Value::Bytes(b"foo".to_vec()));
        assert_eq!(field("time"), ciborium::Value::Tag(1, Box::new(ciborium::Value::Float(1.5))));
        assert_eq!(field("value"), ciborium::Value::Float(f64::INFINITY));
        assert_eq!(from_slice::<Node>(&body).unwrap(), node);
    }

    #[test]
    fn whole_timestamps_are_tagged_integers_and_integers_read_as_floats() {
        let body = to_vec(&DateTime::from_secs(1_398_796_238)).unwrap();
        assert_eq!(body[..2], [0xc1, 0x1a]);
        assert_eq!(from_slice::<DateTime>(&body).unwrap(), DateTime::from_secs(1_398_796_238));
        // {"value": 7} with an integer where the model says double; f16 1.5 too.
        assert_eq!(from_slice::<Node>(&[0xa1, 0x65, b'v', b'a', b'l', b'u', b'e', 0x07]).unwrap().value, Some(7.0));
        let half = [0xa1, 0x65, b'v', b'a', b'l', b'u', b'e', 0xf9, 0x3e, 0x00];
        assert_eq!(from_slice::<Node>(&half).unwrap().value, Some(1.5));
    }

    /// A union as generated code reads it.
    #[derive(Debug, PartialEq)]
    enum Choice {
        Data(Blob),
        At(DateTime),
        Unknown,
    }

    impl<'de> Deserialize<'de> for Choice {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            let Some((member, value)) = crate::json::union_member(deserializer)? else { return Ok(Choice::Unknown) };
            match member.as_str() {
                "data" => crate::json::union_value(value).map(Choice::Data),
                "at" => crate::json::union_value(value).map(Choice::At),
                _ => Ok(Choice::Unknown),
            }
        }
    }

    #[test]
    fn union_members_keep_their_cbor_types() {
        // {"data": h'6869', "__type": "x"} and {"at": 1(2)}
        let data = [
            0xa2, 0x64, b'd', b'a', b't', b'a', 0x42, b'h', b'i', 0x66, b'_', b'_', b't', b'y', b'p', b'e', 0x61, b'x',
        ];
        assert_eq!(from_slice::<Choice>(&data).unwrap(), Choice::Data(Blob::from("hi")));
        let at = [0xa1, 0x62, b'a', b't', 0xc1, 0x02];
        assert_eq!(from_slice::<Choice>(&at).unwrap(), Choice::At(DateTime::from_secs(2)));
        assert_eq!(from_slice::<Choice>(&[0xa1, 0x61, b'z', 0xf6]).unwrap(), Choice::Unknown);
    }

    #[test]
    fn hostile_bodies_are_errors_not_crashes() {
        // {"children": [{"children": [... 100000 deep
        let mut deep = Vec::new();
        for _ in 0..100_000 {
            deep.extend_from_slice(&[0xa1, 0x68]);
            deep.extend_from_slice(b"children");
            deep.push(0x81);
        }
        assert!(from_slice::<Node>(&deep).unwrap_err().contains("deeper"));
        // Nested arrays read as an untyped value, and into a skipped unknown member.
        assert!(from_slice::<ciborium::Value>(&[0x81; 100_000]).is_err());
        let mut unknown = vec![0xa1, 0x63, b'z', b'z', b'z'];
        unknown.extend_from_slice(&[0x9f; 100_000]);
        assert!(from_slice::<Node>(&unknown).is_err());
        // A byte string, a text string and an array claiming 2^60 items, with 3 bytes behind them.
        for major in [0x5b, 0x7b, 0x9b] {
            let mut huge = vec![0xa1, 0x64, b'b', b'l', b'o', b'b', major, 0x10, 0, 0, 0, 0, 0, 0, 0];
            huge.extend_from_slice(b"abc");
            assert!(from_slice::<Node>(&huge).is_err());
            assert!(from_slice::<ciborium::Value>(&huge[6..]).is_err());
        }
        // Truncated, and a reserved additional-information value.
        assert!(from_slice::<Node>(&[0xa1, 0x64, b'b']).is_err());
        assert!(from_slice::<Node>(&[0x1c]).is_err());
        assert!(ErrorFields::read(&[0xff, 0x00]).type_.is_none());
    }
}
