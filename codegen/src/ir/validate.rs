//! Checks on the selected IR that lowering alone can't make: operation shapes of the right kind,
//! URI templates that match their members, paginators that name real members, and shape kinds
//! this generator does not emit yet. Every problem is collected; nothing stops at the first.

use super::*;
use crate::diagnostic::{pointer, Diagnostic, Sink};

pub(crate) fn validate(service: &Service, model_file: &str, paginators_file: &str) -> Vec<Diagnostic> {
    let mut sink = Sink::new(model_file);
    let mut pager_sink = Sink::new(paginators_file);
    if service.protocol.is_rpc_body() && service.target_prefix.is_none() {
        let what = if service.protocol == Protocol::RpcV2Cbor {
            "an RPCv2 CBOR service needs a targetPrefix (its requests' /service/{targetPrefix})"
        } else {
            "a json protocol service needs a targetPrefix"
        };
        sink.error("/metadata/targetPrefix", what);
    }
    for (name, op) in &service.operations {
        let at = service.source.operation(name);
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
        check_host_prefix(op, input, &at, &mut sink);
        if let Some(pager) = &op.pagination {
            check_paginator(service, name, pager, input, output, &mut pager_sink);
        }
    }
    for (id, shape) in &service.shapes {
        check_shape(service, id, shape, &mut sink);
    }
    let mut found = sink.into_found();
    found.extend(pager_sink.into_found());
    found
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

/// Every `{label}` of a host prefix names a host-label member of the input.
fn check_host_prefix(op: &Operation, input: Option<&Structure>, at: &str, sink: &mut Sink) {
    let Some(prefix) = &op.host_prefix else { return };
    for label in uri_labels(prefix) {
        let bound = input.is_some_and(|s| s.members.iter().any(|m| m.host_label && m.name == label));
        if !bound {
            sink.error(
                format!("{at}/endpoint/hostPrefix"),
                format!("host prefix label {{{label}}} names no host-label input member"),
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
    for (input_token, output_token) in pager.input_tokens.iter().zip(&pager.output_tokens) {
        let sent = paginator_member(sink, &at, op, input, "input_token", input_token, "input");
        let received = paginator_member(sink, &at, op, output, "output_token", output_token, "output");
        if let (Some(sent), Some(received)) = (sent, received) {
            // The token received is sent back as is, so both sides must be the same Rust type
            // (S3's ListParts: two integer shapes).
            let kind = |id: &str| service.shapes.get(id).map(|s| &s.kind);
            let same = sent.target == received.target
                || matches!(
                    (kind(&sent.target), kind(&received.target)),
                    (Some(ShapeKind::String), Some(ShapeKind::String))
                        | (Some(ShapeKind::Integer), Some(ShapeKind::Integer))
                        | (Some(ShapeKind::Long), Some(ShapeKind::Long))
                );
            if !same {
                sink.error(
                    format!("{at}/output_token"),
                    format!(
                        "token \"{output_token}\" ({}) does not fit input token \"{input_token}\" ({})",
                        received.target, sent.target
                    ),
                );
            }
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
    for key in &pager.result_keys {
        paginator_member(sink, &at, op, output, "result_key", key, "output");
    }
    if pager.input_tokens.len() != pager.output_tokens.len() {
        sink.error(&at, "input_token and output_token must name the same number of tokens");
    }
}

/// The member a paginator key names, reporting missing members. Expressions and member paths were
/// checked when the paginator was planned (`plan::paginator`).
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
        return None;
    }
    let member = structure.and_then(|s| s.members.iter().find(|m| m.name == path));
    if member.is_none() {
        sink.error(format!("{at}/{key}"), format!("{op}'s {side} has no member \"{path}\""));
    }
    member
}

pub(crate) fn is_simple_path(path: &str) -> bool {
    !path.is_empty() && path.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Lists and maps nest into one Rust type (`Vec<Vec<...>>`); past this depth the model is
/// refused rather than risking the generator's (or the compiler's) stack.
const MAX_CONTAINER_NESTING: usize = 32;

fn check_shape(service: &Service, id: &str, shape: &Shape, sink: &mut Sink) {
    let at = service.source.shape(id);
    // One report per chain: at its outermost shape, or at each shape of a chain that loops.
    let element =
        |s: &Shape| matches!(&s.kind, ShapeKind::List { member: e } | ShapeKind::Map { value: e, .. } if e == id);
    let outermost = !service.shapes.values().any(element);
    let (depth, loops) = container_nesting(service, id);
    if depth > MAX_CONTAINER_NESTING && (outermost || loops) {
        sink.error(&at, format!("lists and maps nest more than {MAX_CONTAINER_NESTING} deep from shape {id}"));
    }
    if let ShapeKind::Map { key, .. } = &shape.kind {
        if !matches!(service.shapes.get(key).map(|s| &s.kind), Some(ShapeKind::String | ShapeKind::Enum(_)) | None) {
            sink.error(format!("{at}/key"), format!("map {id} must have string keys"));
        }
    }
    if let ShapeKind::Structure(structure) = &shape.kind {
        for member in &structure.members {
            let at = format!("{at}{}", pointer(["members", &member.name]));
            if let Some(problem) = binding_problem(service, member) {
                sink.error(at, format!("member {} {problem}", member.name));
            }
        }
    }
}

/// How many lists and maps nest directly inside each other from `id`, and whether the chain
/// comes back to `id` (an endless type, which counts as too deep).
fn container_nesting(service: &Service, id: &str) -> (usize, bool) {
    let mut depth = 0;
    let mut current = id;
    while let Some(ShapeKind::List { member: next } | ShapeKind::Map { value: next, .. }) =
        service.shapes.get(current).map(|s| &s.kind)
    {
        depth += 1;
        if next == id {
            return (usize::MAX, true);
        }
        if depth > MAX_CONTAINER_NESTING {
            break;
        }
        current = next;
    }
    (depth, false)
}

/// What is wrong with where a member is bound, if anything: headers, query strings and labels
/// take scalars (and lists of them, maps for whole-map bindings).
fn binding_problem(service: &Service, member: &Member) -> Option<String> {
    let kind = |id: &str| service.shapes.get(id).map(|s| &s.kind);
    let scalar = |id: &str| {
        matches!(
            kind(id),
            Some(
                ShapeKind::String
                    | ShapeKind::Enum(_)
                    | ShapeKind::Boolean
                    | ShapeKind::Integer
                    | ShapeKind::Long
                    | ShapeKind::Float
                    | ShapeKind::Double
                    | ShapeKind::Timestamp
                    | ShapeKind::Blob
            )
        )
    };
    let scalar_or_list =
        |id: &str| scalar(id) || matches!(kind(id), Some(ShapeKind::List { member }) if scalar(member));
    let ok = match member.location {
        Location::Body | Location::Unsent => true,
        Location::Label => scalar(&member.target),
        Location::Header => scalar_or_list(&member.target),
        Location::Query => {
            scalar_or_list(&member.target)
                || matches!(kind(&member.target), Some(ShapeKind::Map { value, .. }) if scalar_or_list(value))
        }
        Location::PrefixHeaders => matches!(kind(&member.target), Some(ShapeKind::Map { value, .. }) if scalar(value)),
        Location::StatusCode => matches!(kind(&member.target), Some(ShapeKind::Integer | ShapeKind::Long)),
        Location::Payload => matches!(
            kind(&member.target),
            Some(
                ShapeKind::Structure(_)
                    | ShapeKind::Union(_)
                    | ShapeKind::Blob
                    | ShapeKind::String
                    | ShapeKind::Enum(_)
                    | ShapeKind::Document
            )
        ),
    };
    (!ok).then(|| format!("is bound to the {:?} location, which cannot hold its type", member.location))
}
