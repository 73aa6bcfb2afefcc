//! Serde for generated structures without serde's derive: a structure lists its wire members
//! once to be read (`ReadFields`) and once to be written (`WriteFields`), and the visitor and
//! map writing a derive would repeat in every type live here once. So no generated crate builds
//! serde_derive and its proc-macro stack, and each type compiles one match and one list.
//!
//! Reading keeps what serde's derive did for our types: unknown members are skipped, a missing
//! member keeps its zero value (`None` when optional), and a `null` reads as it would for the
//! member's type (`None`; an error for a required string). Unlike the derive, a repeated member
//! is not an error: the last one wins, as in botocore's `json.loads`.

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::{Error as _, SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use std::marker::PhantomData;

/// A structure read member by member from a map (a JSON object, a CBOR map).
pub trait ReadFields: Default {
    /// Reads `value` into the member whose wire name is `name`; skips it for any other name.
    fn read_field<'de, A: MapAccess<'de>>(&mut self, name: &str, value: FieldValue<'_, A>) -> Result<(), A::Error>;
}

/// A structure written as a map of its members.
pub trait WriteFields {
    /// Writes every member that is set, under its wire name.
    fn write_fields<W: FieldWriter>(&self, out: &mut W) -> Result<(), W::Error>;
}

/// How a member's value travels when it is not serde's default form (AWS JSON's non-finite
/// floats, timestamps written as strings); a unit struct, passed by value to say which.
/// `None` reads a `null`.
pub trait Encoding<T> {
    fn serialize<S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error>;
    fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<T>, D::Error>;
}

/// `Deserialize` for a structure, through its [`ReadFields`].
pub fn deserialize<'de, T: ReadFields, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    deserializer.deserialize_map(StructureVisitor(PhantomData))
}

/// `Serialize` for a structure, through its [`WriteFields`]: a map whose length is said ahead
/// (CBOR writes it), counted by a first pass that writes nothing.
pub fn serialize<T: WriteFields, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
    let mut count = Count(0);
    value.write_fields(&mut count).map_err(|never| match never {})?;
    let mut map = Map(serializer.serialize_map(Some(count.0))?);
    value.write_fields(&mut map)?;
    map.0.end()
}

/// `Deserialize` and `Serialize` for generated structures, through [`ReadFields`] and [`WriteFields`].
#[macro_export]
macro_rules! deserialize_fields {
    ($type:ty) => {
        impl<'de> $crate::serde::Deserialize<'de> for $type {
            fn deserialize<D: $crate::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::fields::deserialize(deserializer)
            }
        }
    };
}

/// See [`deserialize_fields`].
#[macro_export]
macro_rules! serialize_fields {
    ($type:ty) => {
        impl $crate::serde::Serialize for $type {
            fn serialize<S: $crate::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                $crate::fields::serialize(self, serializer)
            }
        }
    };
}

/// One member's value, read into its field.
pub struct FieldValue<'a, A>(&'a mut A);

impl<'de, A: MapAccess<'de>> FieldValue<'_, A> {
    /// Reads the value in serde's form for its type.
    pub fn read<T: Deserialize<'de>>(self, field: &mut T) -> Result<(), A::Error> {
        *field = self.0.next_value()?;
        Ok(())
    }

    /// Reads the value in encoding `E` into a required field: `null` reads as zero.
    pub fn read_as<E: Encoding<T>, T: Default>(self, field: &mut T, encoding: E) -> Result<(), A::Error> {
        let mut value = None;
        self.read_optional_as(&mut value, encoding)?;
        *field = value.unwrap_or_default();
        Ok(())
    }

    /// Reads the value in encoding `E` into an optional field: `null` reads as `None`.
    pub fn read_optional_as<E: Encoding<T>, T>(self, field: &mut Option<T>, _: E) -> Result<(), A::Error> {
        *field = self.0.next_value_seed(Decode::<E, T>(PhantomData))?;
        Ok(())
    }

    /// Reads past a value no member takes.
    pub fn skip(self) -> Result<(), A::Error> {
        self.0.next_value::<IgnoredAny>().map(drop)
    }
}

/// Where a structure's members are written.
pub trait FieldWriter {
    type Error;

    fn field<T: Serialize + ?Sized>(&mut self, name: &'static str, value: &T) -> Result<(), Self::Error>;

    fn field_as<E: Encoding<T>, T>(&mut self, name: &'static str, value: &T, _: E) -> Result<(), Self::Error> {
        self.field(name, &Encode::<E, T>(value, PhantomData))
    }

    /// Writes the member only when it is set.
    fn optional<T: Serialize>(&mut self, name: &'static str, value: &Option<T>) -> Result<(), Self::Error> {
        match value {
            Some(value) => self.field(name, value),
            None => Ok(()),
        }
    }

    fn optional_as<E: Encoding<T>, T>(
        &mut self,
        name: &'static str,
        value: &Option<T>,
        encoding: E,
    ) -> Result<(), Self::Error> {
        match value {
            Some(value) => self.field_as(name, value, encoding),
            None => Ok(()),
        }
    }
}

/// Counts the members a structure writes.
struct Count(usize);

impl FieldWriter for Count {
    type Error = std::convert::Infallible;

    fn field<T: Serialize + ?Sized>(&mut self, _: &'static str, _: &T) -> Result<(), Self::Error> {
        self.0 += 1;
        Ok(())
    }
}

struct Map<M>(M);

impl<M: SerializeMap> FieldWriter for Map<M> {
    type Error = M::Error;

    fn field<T: Serialize + ?Sized>(&mut self, name: &'static str, value: &T) -> Result<(), M::Error> {
        self.0.serialize_entry(name, value)
    }
}

struct Encode<'a, E, T>(&'a T, PhantomData<E>);

impl<E: Encoding<T>, T> Serialize for Encode<'_, E, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        E::serialize(self.0, serializer)
    }
}

struct Decode<E, T>(PhantomData<(E, T)>);

impl<'de, E: Encoding<T>, T> de::DeserializeSeed<'de> for Decode<E, T> {
    type Value = Option<T>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<T>, D::Error> {
        E::deserialize(deserializer)
    }
}

struct StructureVisitor<T>(PhantomData<T>);

impl<'de, T: ReadFields> Visitor<'de> for StructureVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a structure")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut value = T::default();
        while let Some(name) = map.next_key::<Name>()? {
            value.read_field(name.as_str(), FieldValue(&mut map))?;
        }
        Ok(value)
    }
}

/// A member's name as the deserializer hands it over: borrowed from the input when it can be,
/// else copied (to the stack when short, as CBOR's decoder hands every key over).
enum Name<'de> {
    Borrowed(&'de str),
    Short { bytes: [u8; 40], len: usize },
    Owned(String),
}

impl Name<'_> {
    fn as_str(&self) -> &str {
        match self {
            Name::Borrowed(name) => name,
            // Copied whole from a `&str`, so always UTF-8; a failure here would only be a miss.
            Name::Short { bytes, len } => std::str::from_utf8(&bytes[..*len]).unwrap_or_default(),
            Name::Owned(name) => name,
        }
    }
}

impl<'de> Deserialize<'de> for Name<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(NameVisitor)
    }
}

struct NameVisitor;

impl<'de> Visitor<'de> for NameVisitor {
    type Value = Name<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a member name")
    }

    fn visit_borrowed_str<E: de::Error>(self, name: &'de str) -> Result<Name<'de>, E> {
        Ok(Name::Borrowed(name))
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Name<'de>, E> {
        let mut bytes = [0; 40];
        match bytes.get_mut(..name.len()) {
            Some(short) => {
                short.copy_from_slice(name.as_bytes());
                Ok(Name::Short { bytes, len: name.len() })
            }
            None => Ok(Name::Owned(name.to_owned())),
        }
    }

    fn visit_string<E: de::Error>(self, name: String) -> Result<Name<'de>, E> {
        Ok(Name::Owned(name))
    }
}

/// A union's member, written as a map of one entry.
pub fn serialize_member<S: Serializer, T: Serialize>(
    serializer: S,
    name: &'static str,
    value: &T,
) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(Some(1))?;
    map.serialize_entry(name, value)?;
    map.end()
}

/// A union member this crate doesn't know: there is nothing to write it as.
pub fn unknown_member<S: Serializer>(union: &str) -> Result<S::Ok, S::Error> {
    Err(S::Error::custom(format!("an unknown member of {union} cannot be serialized")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, PartialEq)]
    struct Job {
        id: String,
        tags: Option<Vec<String>>,
    }

    impl ReadFields for Job {
        fn read_field<'de, A: MapAccess<'de>>(&mut self, name: &str, value: FieldValue<'_, A>) -> Result<(), A::Error> {
            match name {
                "jobId" => value.read(&mut self.id),
                "tags" => value.read(&mut self.tags),
                _ => value.skip(),
            }
        }
    }

    impl WriteFields for Job {
        fn write_fields<W: FieldWriter>(&self, out: &mut W) -> Result<(), W::Error> {
            out.field("jobId", &self.id)?;
            out.optional("tags", &self.tags)
        }
    }

    crate::deserialize_fields!(Job);
    crate::serialize_fields!(Job);

    fn job(json: &str) -> Result<Job, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn members_are_found_by_name_however_the_name_arrives() {
        let expected = Job { id: "j".to_owned(), tags: None };
        assert_eq!(job(r#"{"jobId": "j"}"#).unwrap(), expected); // borrowed from the input
        assert_eq!(job(r#"{"job\u0049d": "j"}"#).unwrap(), expected); // unescaped: a short copy
        let long = format!(r#"{{"{}": 1, "jobId": "j"}}"#, "x".repeat(100)); // a long copy, skipped
        assert_eq!(job(&long).unwrap(), expected);
        let from_reader: Job = serde_json::from_reader(&br#"{"jobId": "j"}"#[..]).unwrap(); // never borrowed
        assert_eq!(from_reader, expected);
    }

    #[test]
    fn unknown_missing_null_and_repeated_members() {
        let read = job(r#"{"other": {"deep": [1, {"x": null}]}, "tags": ["a"], "jobId": "1", "jobId": "2"}"#);
        assert_eq!(read.unwrap(), Job { id: "2".to_owned(), tags: Some(vec!["a".to_owned()]) });
        assert_eq!(job("{}").unwrap(), Job::default());
        assert_eq!(job(r#"{"tags": null}"#).unwrap(), Job::default());
        assert!(job(r#"{"jobId": null}"#).is_err()); // a required string can't be null
        assert!(job(r#"{"jobId": 7}"#).is_err());
        assert!(job("[]").is_err());
    }

    #[test]
    fn unset_members_are_left_out_and_the_map_length_counts_the_rest() {
        let bare = Job { id: "j".to_owned(), tags: None };
        assert_eq!(serde_json::to_string(&bare).unwrap(), r#"{"jobId":"j"}"#);
        let tagged = Job { tags: Some(vec!["a".to_owned()]), ..bare };
        assert_eq!(serde_json::to_string(&tagged).unwrap(), r#"{"jobId":"j","tags":["a"]}"#);
        let mut count = Count(0);
        tagged.write_fields(&mut count).unwrap();
        assert_eq!(count.0, 2);
    }
}
