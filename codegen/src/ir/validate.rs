//! Checks on the selected IR that lowering alone can't make: operation shapes of the right kind,
//! URI templates that match their members, paginators that name real members, and shape kinds
//! this generator does not emit yet. Every problem is collected; nothing stops at the first.

use super::*;
use crate::diagnostic::{pointer, Diagnostics, Sink};

pub(crate) fn validate(service: &Service, model_file: &str, paginators_file: &str) -> Result<(), Diagnostics> {
    let mut sink = Sink::new(model_file);
    let mut pager_sink = Sink::new(paginators_file);
    for (name, op) in &service.operations {
        let at = pointer(["operations", name]);
        let input = op.input.as_deref().and_then(|id| structure(service, id, &format!("{at}/input"), &mut sink));
        let output = op.output.as_deref().and_then(|id| structure(service, id, &format!("{at}/output"), &mut sink));
        for error in &op.errors {
            let is_error = matches!(
                service.shapes.get(error).map(|s| &s.kind),
                Some(ShapeKind::Structure(Structure { error: Some(_), .. }))
            );
            if !is_error {
                sink.error(
                    format!("{at}/errors"),
                    format!("error \"{error}\" is not a structure marked as an exception"),
                );
            }
        }
        check_uri(op, input, &at, &mut sink);
        if let Some(pager) = &op.pagination {
            check_paginator(service, name, pager, input, output, &mut pager_sink);
        }
    }
    for (id, shape) in &service.shapes {
        check_shape(service, id, shape, &mut sink);
    }
    let mut found = sink.finish(()).err().map(|d| d.0).unwrap_or_default();
    found.extend(pager_sink.finish(()).err().map(|d| d.0).unwrap_or_default());
    if found.is_empty() {
        Ok(())
    } else {
        Err(Diagnostics(found))
    }
}

fn structure<'a>(service: &'a Service, id: &str, at: &str, sink: &mut Sink) -> Option<&'a Structure> {
    match service.shapes.get(id).map(|s| &s.kind) {
        Some(ShapeKind::Structure(structure)) => Some(structure),
        Some(_) => {
            sink.error(at, format!("shape \"{id}\" must be a structure"));
            None
        }
        None => None, // reported by `select`
    }
}

/// Every `{label}` in the URI has a label member, and every label member appears in the URI.
fn check_uri(op: &Operation, input: Option<&Structure>, at: &str, sink: &mut Sink) {
    let labels = uri_labels(&op.http.uri);
    let members: Vec<&Member> =
        input.map(|s| s.members.iter().filter(|m| m.location == Location::Label).collect()).unwrap_or_default();
    for label in &labels {
        if !members.iter().any(|m| &m.wire_name == label) {
            sink.error_with_hint(
                format!("{at}/http/requestUri"),
                format!("URI label {{{label}}} of {} has no input member bound to it", op.name),
                "add an input member with \"location\": \"uri\" and this \"locationName\"",
            );
        }
    }
    for member in members {
        if !labels.contains(&member.wire_name) {
            sink.error(
                format!("{at}/input"),
                format!(
                    "member {} is bound to URI label {{{}}}, which {} does not contain",
                    member.name, member.wire_name, op.http.uri
                ),
            );
        }
    }
}

/// Label names in a URI template: `/a/{Bucket}/{Key+}?x` -> `["Bucket", "Key"]`.
pub(crate) fn uri_labels(uri: &str) -> Vec<String> {
    uri.split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}'))
        .map(|(label, _)| label.trim_end_matches('+').to_owned())
        .collect()
}

fn check_paginator(
    service: &Service,
    op: &str,
    pager: &Pagination,
    input: Option<&Structure>,
    output: Option<&Structure>,
    sink: &mut Sink,
) {
    let at = pointer(["pagination", op]);
    let tokens = pager.input_tokens.iter().map(|t| (input, "input_token", t, "input"));
    for (structure, key, token, side) in
        tokens.chain(pager.output_tokens.iter().map(|t| (output, "output_token", t, "output")))
    {
        let Some(member) = paginator_member(sink, &at, op, structure, key, token, side) else { continue };
        if !matches!(service.shapes.get(&member.target).map(|s| &s.kind), Some(ShapeKind::String)) {
            sink.error_with_hint(
                format!("{at}/{key}"),
                format!("paginator token \"{token}\" of {op} is not a string, which is not supported yet"),
                "only string tokens are supported for now",
            );
        }
    }
    if let Some(limit) = &pager.limit_key {
        let member = paginator_member(sink, &at, op, input, "limit_key", limit, "input");
        let kind = member.and_then(|m| service.shapes.get(&m.target)).map(|s| &s.kind);
        if member.is_some() && !matches!(kind, Some(ShapeKind::Integer | ShapeKind::Long | ShapeKind::String)) {
            sink.error(format!("{at}/limit_key"), format!("limit key \"{limit}\" of {op} is not a number or string"));
        }
    }
    if let Some(more) = &pager.more_results {
        let member = paginator_member(sink, &at, op, output, "more_results", more, "output");
        let kind = member.and_then(|m| service.shapes.get(&m.target)).map(|s| &s.kind);
        if member.is_some() && !matches!(kind, Some(ShapeKind::Boolean)) {
            sink.error(format!("{at}/more_results"), format!("more_results \"{more}\" of {op} is not a boolean"));
        }
    }
    for (i, key) in pager.result_keys.iter().enumerate() {
        let Some(member) = paginator_member(sink, &at, op, output, "result_key", key, "output") else { continue };
        // The first result key holds the items; later ones may be counts or strings (DynamoDB's
        // ScannedCount), which botocore adds up or concatenates.
        let kind = service.shapes.get(&member.target).map(|s| &s.kind);
        if i == 0 && !matches!(kind, Some(ShapeKind::List { .. })) {
            sink.error(format!("{at}/result_key"), format!("the first result key \"{key}\" of {op} is not a list"));
        }
    }
    if pager.input_tokens.len() != pager.output_tokens.len() {
        sink.error(&at, "input_token and output_token must name the same number of tokens");
    }
}

/// The member a paginator key names, reporting expressions we can't follow yet and missing members.
fn paginator_member<'a>(
    sink: &mut Sink,
    at: &str,
    op: &str,
    structure: Option<&'a Structure>,
    key: &str,
    path: &str,
    side: &str,
) -> Option<&'a Member> {
    if !is_simple_path(path) {
        sink.error_with_hint(
            format!("{at}/{key}"),
            format!("paginator expression \"{path}\" is not supported yet"),
            "only plain member names are supported for now",
        );
        return None;
    }
    let member = structure.and_then(|s| s.members.iter().find(|m| m.name == path));
    if member.is_none() {
        sink.error(format!("{at}/{key}"), format!("{op}'s {side} has no member \"{path}\""));
    }
    member
}

fn is_simple_path(path: &str) -> bool {
    !path.is_empty() && path.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn check_shape(service: &Service, id: &str, shape: &Shape, sink: &mut Sink) {
    let at = pointer(["shapes", id]);
    let unsupported = match &shape.kind {
        ShapeKind::Timestamp => Some("timestamp"),
        ShapeKind::Blob => Some("blob"),
        ShapeKind::Document => Some("document"),
        ShapeKind::Union(_) => Some("union"),
        _ => None,
    };
    if let Some(kind) = unsupported {
        sink.error_with_hint(
            &at,
            format!("shape {id} is a {kind}, which this generator does not support yet"),
            "leave the operations that use it out of the operations list for now",
        );
    }
    if let ShapeKind::Map { key, .. } = &shape.kind {
        if !matches!(service.shapes.get(key).map(|s| &s.kind), Some(ShapeKind::String | ShapeKind::Enum(_)) | None) {
            sink.error(format!("{at}/key"), format!("map {id} must have string keys"));
        }
    }
    if let ShapeKind::Structure(structure) = &shape.kind {
        for member in &structure.members {
            if !matches!(member.location, Location::Body | Location::Label) {
                sink.error_with_hint(
                    format!("{at}{}", pointer(["members", &member.name])),
                    format!(
                        "member {} is bound to the {:?} location, which is not supported yet",
                        member.name, member.location
                    ),
                    "only URI labels and JSON body members are generated for now",
                )
            }
        }
    }
}
