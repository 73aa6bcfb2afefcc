//! An event stream, decided: the events its messages carry (by `:event-type`), where each event's
//! members come from in its message, and the exceptions (by `:exception-type`) that end it.

use super::ErrorPlan;
use crate::ir::{Docs, ErrorVariant, Member, Shape, ShapeId, ShapeKind};
use crate::naming;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone)]
pub struct EventStreamPlan {
    /// An input stream, whose events the caller sends (no exceptions, no `Unknown`).
    pub sent: bool,
    /// The Rust name of the stream's error enum (`ConverseStreamOutputError`).
    pub error_type: String,
    pub events: Vec<EventPlan>,
    /// Its modeled exceptions, each read from its message's payload.
    pub errors: Vec<ErrorPlan>,
}

#[derive(Debug, Clone)]
pub struct EventPlan {
    /// The event enum's variant (the member's Rust name).
    pub variant: String,
    /// The `:event-type` that names it (the member's name).
    pub event_type: String,
    /// The event structure's Rust name.
    pub type_name: String,
    pub docs: Docs,
    pub payload: EventPayload,
    /// Members carried in the message's headers: (field, header name, optional).
    pub headers: Vec<EventHeader>,
}

/// An event's member carried in a header of its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventHeader {
    /// The field's Rust name.
    pub field: String,
    /// The header's name: the member's.
    pub name: String,
    pub optional: bool,
}

/// Where an event's members are in its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventPayload {
    /// The payload is the whole event, as the protocol writes a structure.
    Whole,
    /// The payload is the one member (`eventpayload`) with this Rust name; `alone`: the event
    /// has no other member, header members included.
    Member { field: String, kind: PayloadKind, optional: bool, alone: bool },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayloadKind {
    /// Bytes as they are.
    Blob,
    Text,
    /// A structure, as the protocol writes one.
    Structure,
}

/// The plan of the event stream `stream` (a union with `event_stream` set). `taken`: the crate's
/// type names, which the error enum's name must not clash with.
pub(crate) fn plan(shapes: &BTreeMap<ShapeId, Shape>, stream: &Shape, taken: &BTreeSet<&str>) -> EventStreamPlan {
    let ShapeKind::Union(members) = &stream.kind else { unreachable!("an event stream is a union") };
    let (mut events, mut errors) = (Vec::new(), Vec::new());
    for member in members {
        let Some(target) = shapes.get(&member.target) else { continue };
        let is_error = matches!(&target.kind, ShapeKind::Structure(s) if s.error.is_some());
        if is_error {
            errors.push(error(member, target));
        } else {
            events.push(event(shapes, member, target));
        }
    }
    EventStreamPlan { sent: stream.sent, error_type: error_type(&stream.names.type_name, taken), events, errors }
}

fn event(shapes: &BTreeMap<ShapeId, Shape>, member: &Member, target: &Shape) -> EventPlan {
    let payload = target.members().iter().find(|m| m.event_payload).map_or(EventPayload::Whole, |m| {
        let kind = match shapes.get(&m.target).map(|s| &s.kind) {
            Some(ShapeKind::Blob) => PayloadKind::Blob,
            Some(ShapeKind::String | ShapeKind::Enum(_)) => PayloadKind::Text,
            _ => PayloadKind::Structure,
        };
        let alone = target.members().len() == 1;
        EventPayload::Member { field: m.rust_name.clone(), kind, optional: m.optional, alone }
    });
    let headers = target.members().iter().filter(|m| m.event_header);
    let headers =
        headers.map(|m| EventHeader { field: m.rust_name.clone(), name: m.name.clone(), optional: m.optional });
    EventPlan {
        variant: member.rust_name.clone(),
        event_type: member.name.clone(),
        type_name: target.names.type_name.clone(),
        docs: member.docs.clone(),
        payload,
        headers: headers.collect(),
    }
}

fn error(member: &Member, target: &Shape) -> ErrorPlan {
    let variant = member.rust_name.clone();
    let predicate = format!("is_{}", naming::module_name(&variant).trim_end_matches('_'));
    ErrorPlan {
        variant: ErrorVariant { shape: target.id.clone(), code: member.name.clone(), variant, predicate },
        type_name: target.names.type_name.clone(),
        docs: target.docs.clone(),
        head: Vec::new(),
    }
}

/// `{Stream}Error`, or with `Stream` before `Error` if the model has a type of that name.
fn error_type(stream: &str, taken: &BTreeSet<&str>) -> String {
    ["Error", "StreamError", "EventStreamError"]
        .iter()
        .map(|suffix| format!("{stream}{suffix}"))
        .find(|name| !taken.contains(name.as_str()))
        .unwrap_or_else(|| format!("{stream}ErrorEnum"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{ErrorInfo, Structure};

    fn named(id: &str, kind: ShapeKind) -> Shape {
        let mut shape = Shape::new(id, kind);
        shape.names.type_name = id.to_owned();
        shape
    }

    fn shapes() -> BTreeMap<ShapeId, Shape> {
        let mut chunk = Member::new("Bytes", "Blob");
        chunk.event_payload = true;
        let mut error = Structure::new(vec![Member::new("message", "Text")]);
        error.error = Some(ErrorInfo { code: "Throttled".to_owned(), http_status: Some(429), server_fault: false });
        let mut stream = named(
            "Stream",
            ShapeKind::Union(vec![
                Member::new("chunk", "Chunk"),
                Member::new("delta", "Delta"),
                Member::new("throttled", "Throttled"),
            ]),
        );
        stream.event_stream = true;
        for member in stream_members(&mut stream) {
            member.rust_name = heck::ToUpperCamelCase::to_upper_camel_case(member.name.as_str());
        }
        [
            stream,
            named("Chunk", ShapeKind::Structure(Structure::new(vec![chunk]))),
            named("Delta", ShapeKind::Structure(Structure::new(vec![Member::new("text", "Text")]))),
            named("Throttled", ShapeKind::Structure(error)),
            named("Blob", ShapeKind::Blob),
            named("Text", ShapeKind::String),
        ]
        .into_iter()
        .map(|s| (s.id.clone(), s))
        .collect()
    }

    fn stream_members(stream: &mut Shape) -> &mut Vec<Member> {
        match &mut stream.kind {
            ShapeKind::Union(members) => members,
            _ => unreachable!(),
        }
    }

    #[test]
    fn events_and_exceptions_are_told_apart_and_payloads_found() {
        let shapes = shapes();
        let plan = plan(&shapes, &shapes["Stream"], &BTreeSet::new());
        assert_eq!(plan.error_type, "StreamError");
        let events: Vec<_> =
            plan.events.iter().map(|e| (e.variant.as_str(), e.event_type.as_str(), &e.payload)).collect();
        let chunk =
            EventPayload::Member { field: "bytes".to_owned(), kind: PayloadKind::Blob, optional: true, alone: true };
        assert_eq!(events, [("Chunk", "chunk", &chunk), ("Delta", "delta", &EventPayload::Whole)]);
        let errors: Vec<_> =
            plan.errors.iter().map(|e| (e.variant.code.as_str(), e.variant.predicate.as_str())).collect();
        // The `:exception-type` is the member's name, not the error's code.
        assert_eq!(errors, [("throttled", "is_throttled")]);
    }

    #[test]
    fn the_error_enum_never_takes_a_models_type_name() {
        assert_eq!(error_type("Stream", &["StreamError"].into()), "StreamStreamError");
        assert_eq!(error_type("S", &["SError", "SStreamError", "SEventStreamError"].into()), "SErrorEnum");
    }
}
