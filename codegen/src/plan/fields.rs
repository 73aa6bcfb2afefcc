//! Structures and unions as the crate declares them: for every field, decided here from its
//! member and the member's target, its Rust type, accessor, JSON form, the check `build()` makes,
//! and its XML form. Emitters print fields; they never look up the shape a member points to.

use super::event_stream::EventStreamPlan;
use super::xml::XmlField;
use super::RustType;
use crate::ir::{Binding, Member, Protocol, Shape, ShapeId, ShapeKind, Structure, TimestampFormat};
use std::collections::BTreeMap;
use std::ops::Deref;

/// A named type (or an operation's input or output): the shape, and its members as fields.
/// It reads as its shape (`names`, `docs`, the wire flags).
#[derive(Debug, Clone)]
pub struct TypePlan {
    pub shape: Shape,
    /// A structure's or union's members, in the model's order; empty for an enum.
    pub fields: Vec<FieldPlan>,
    /// An event stream's events and exceptions (its fields are their members).
    pub events: Option<EventStreamPlan>,
}

impl Deref for TypePlan {
    type Target = Shape;

    fn deref(&self) -> &Shape {
        &self.shape
    }
}

impl TypePlan {
    /// The structure, if this is one (an operation's input and output always are).
    pub fn structure(&self) -> Option<&Structure> {
        match &self.shape.kind {
            ShapeKind::Structure(structure) => Some(structure),
            _ => None,
        }
    }

    /// The fields `build()` checks.
    pub fn checked_fields(&self) -> impl Iterator<Item = &FieldPlan> {
        self.fields.iter().filter(|f| matches!(f.check, Check::Required { .. }))
    }

    /// Whether `build()` returns a `Result`: when it has fields to check, and always for an
    /// input, so that a member becoming required changes no signature.
    pub fn build_is_fallible(&self) -> bool {
        self.structure().is_some_and(|s| s.input) || self.checked_fields().next().is_some()
    }

    /// The field of the member with this model name.
    pub fn field(&self, model_name: &str) -> Option<&FieldPlan> {
        self.fields.iter().find(|f| f.name == model_name)
    }
}

/// A member, with every decision about it. It reads as its member (names, binding, flags).
#[derive(Debug, Clone)]
pub struct FieldPlan {
    pub member: Member,
    /// The type of its values (a list's `Vec<T>`, never the field's `Option` or `Box`).
    pub value: RustType,
    /// The field's own type: `value`, boxed where it breaks a cycle, optional unless always there.
    pub ty: RustType,
    pub accessor: Accessor,
    pub json: JsonField,
    pub check: Check,
    /// A streaming blob or an event stream: the body as it travels, never a value to store or
    /// compare.
    pub stream: bool,
    /// A blob payload's `Content-Type`.
    pub media_type: String,
    pub xml: XmlField,
}

impl Deref for FieldPlan {
    type Target = Member;

    fn deref(&self) -> &Member {
        &self.member
    }
}

/// What a field's read accessor returns (inside an `Option` when the field is optional).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accessor {
    /// `&str`.
    Str,
    /// `&[T]`, empty when absent, with the list's element type.
    Slice(RustType),
    /// The value itself: numbers, booleans and timestamps are `Copy`.
    Copy,
    /// `&T`.
    Ref,
}

/// How a member travels in a JSON (or CBOR) body, whichever way its structure goes: under its
/// wire name; left out when optional and unset; its zero value when missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonField {
    /// Not in the body: the operation reads and writes it elsewhere (or it is a stream).
    Skip,
    /// In the body, in serde's form for its type or in the runtime's `json::<Encoding>`.
    Body { encoding: Option<JsonEncoding> },
}

/// A value whose JSON form is not serde's default for its Rust type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonEncoding {
    /// A float that may be `"NaN"`, `"Infinity"` or `"-Infinity"`.
    Float,
    /// A timestamp written as an RFC 3339 string (epoch seconds is the default).
    DateTimeString,
    /// A timestamp written as an HTTP-date string.
    HttpDateString,
}

/// What `build()` does with a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// Takes it as set.
    None,
    /// Fills an unset idempotency token, so a retried call is recognized as the same call.
    FillToken,
    /// Fails while it is unset; `label`: also while it is empty text, which a URI label can't be.
    Required { label: bool },
}

/// Plans the fields of `members` (of a structure or union) against the model's shapes.
pub(crate) fn fields(shapes: &BTreeMap<ShapeId, Shape>, protocol: Protocol, members: &[Member]) -> Vec<FieldPlan> {
    members.iter().map(|m| field(shapes, protocol, m)).collect()
}

fn field(shapes: &BTreeMap<ShapeId, Shape>, protocol: Protocol, member: &Member) -> FieldPlan {
    let target = shapes.get(&member.target);
    let kind = target.map(|s| &s.kind);
    let event_stream = target.is_some_and(|s| s.event_stream);
    let value = RustType::of_value(shapes, member);
    let stream = event_stream || value == RustType::ByteStream;
    let media_type = target.and_then(|s| s.media_type.clone()).unwrap_or_else(|| "application/octet-stream".to_owned());
    FieldPlan {
        ty: value.clone().held_by(member),
        value,
        accessor: accessor(shapes, target),
        json: json(member, kind, stream),
        check: check(member, kind, event_stream),
        stream,
        media_type,
        xml: XmlField::of(shapes, protocol, member),
        member: member.clone(),
    }
}

fn accessor(shapes: &BTreeMap<ShapeId, Shape>, target: Option<&Shape>) -> Accessor {
    use ShapeKind::*;
    let Some(target) = target else { return Accessor::Ref };
    match &target.kind {
        String => Accessor::Str,
        List { member } => Accessor::Slice(RustType::element(shapes, target, member)),
        Boolean | Integer | Long | Float | Double | Timestamp => Accessor::Copy,
        _ => Accessor::Ref,
    }
}

/// Whether the member is in the body, and its special encoding. This depends on the member alone,
/// not on which way its structure travels, so a shape reads what it writes.
fn json(member: &Member, kind: Option<&ShapeKind>, stream: bool) -> JsonField {
    if member.binding != Binding::Body || stream {
        return JsonField::Skip;
    }
    JsonField::Body { encoding: json_encoding(member, kind) }
}

fn json_encoding(member: &Member, kind: Option<&ShapeKind>) -> Option<JsonEncoding> {
    match kind? {
        ShapeKind::Float | ShapeKind::Double => Some(JsonEncoding::Float),
        ShapeKind::Timestamp => match member.timestamp_format? {
            TimestampFormat::DateTime => Some(JsonEncoding::DateTimeString),
            TimestampFormat::HttpDate => Some(JsonEncoding::HttpDateString),
            TimestampFormat::EpochSeconds => None,
        },
        _ => None,
    }
}

fn check(member: &Member, kind: Option<&ShapeKind>, event_stream: bool) -> Check {
    // An event stream is always there (perhaps empty), as a stream no one set is.
    if event_stream {
        Check::None
    } else if member.idempotency_token {
        Check::FillToken
    } else if member.required {
        Check::Required { label: member.binding == Binding::Label && kind == Some(&ShapeKind::String) }
    } else {
        Check::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Location, Shape};

    fn shapes() -> BTreeMap<ShapeId, Shape> {
        let mut body = Shape::new("Body", ShapeKind::Blob);
        body.streaming = true;
        body.media_type = Some("image/png".to_owned());
        [
            body,
            Shape::new("Name", ShapeKind::String),
            Shape::new("Names", ShapeKind::List { member: "Name".to_owned() }),
            Shape::new("Count", ShapeKind::Integer),
            Shape::new("Ratio", ShapeKind::Double),
            Shape::new("When", ShapeKind::Timestamp),
        ]
        .into_iter()
        .map(|s| (s.id.clone(), s))
        .collect()
    }

    fn member(name: &str, target: &str) -> Member {
        Member::new(name, target)
    }

    fn plan(member: &Member) -> FieldPlan {
        field(&shapes(), Protocol::RestJson, member)
    }

    #[test]
    fn accessors_follow_the_target() {
        assert_eq!(plan(&member("Name", "Name")).accessor, Accessor::Str);
        assert_eq!(plan(&member("Names", "Names")).accessor, Accessor::Slice(RustType::String));
        assert_eq!(plan(&member("Count", "Count")).accessor, Accessor::Copy);
        assert_eq!(plan(&member("When", "When")).accessor, Accessor::Copy);
        assert_eq!(plan(&member("Body", "Body")).accessor, Accessor::Ref);
    }

    #[test]
    fn json_form_names_encodings_and_zero_values() {
        let ratio = plan(&member("Ratio", "Ratio"));
        assert_eq!(ratio.json, JsonField::Body { encoding: Some(JsonEncoding::Float) });
        assert_eq!(plan(&member("name", "Name")).json, JsonField::Body { encoding: None });
        let mut header = member("Name", "Name");
        header.binding = Binding::Header;
        assert_eq!(plan(&header).json, JsonField::Skip);
        let mut when = member("When", "When");
        when.timestamp_format = Some(TimestampFormat::HttpDate);
        assert_eq!(plan(&when).json, JsonField::Body { encoding: Some(JsonEncoding::HttpDateString) });
        when.timestamp_format = Some(TimestampFormat::EpochSeconds);
        assert_eq!(plan(&when).json, JsonField::Body { encoding: None });
    }

    #[test]
    fn a_stream_is_skipped_in_json_and_keeps_its_media_type() {
        let body = plan(&member("Body", "Body"));
        assert!(body.stream);
        assert_eq!(body.json, JsonField::Skip);
        assert_eq!(body.media_type, "image/png");
        assert_eq!(plan(&member("Name", "Name")).media_type, "application/octet-stream");
    }

    #[test]
    fn build_checks_required_members_and_text_labels_and_fills_tokens() {
        let mut label = member("Name", "Name");
        (label.required, label.binding, label.location) = (true, Binding::Label, Location::Label);
        assert_eq!(plan(&label).check, Check::Required { label: true });
        let mut count = member("Count", "Count");
        (count.required, count.binding) = (true, Binding::Label);
        assert_eq!(plan(&count).check, Check::Required { label: false });
        let mut token = member("Name", "Name");
        (token.required, token.idempotency_token) = (true, true);
        assert_eq!(plan(&token).check, Check::FillToken);
        assert_eq!(plan(&member("Name", "Name")).check, Check::None);
    }
}
