//! Shapes the validated IR for emission: keeps only the selected operations and the shapes
//! they reach, decides which structures are input-only, boxes recursive members, and resolves
//! every Rust name, refusing collisions instead of silently merging or renaming by order.

use super::*;
use crate::diagnostic::{pointer, Diagnostic, Sink};
use crate::lock::{Kind, NameLock};
use crate::naming;
use std::collections::BTreeSet;

/// Which operations a crate contains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    All,
    Only(BTreeSet<String>),
}

/// Drops every operation not selected and every shape no selected operation reaches.
/// Reports selected operations the model lacks and references to missing shapes.
pub(crate) fn select(mut service: Service, selection: &Selection, file: &str) -> (Service, Vec<Diagnostic>) {
    let mut sink = Sink::new(file);
    if let Selection::Only(wanted) = selection {
        for name in wanted.iter().filter(|name| !service.operations.contains_key(*name)) {
            sink.error_with_hint(
                "/operations",
                format!("operation {name} is not in the model"),
                "check the spelling in the operations list; names are case-sensitive",
            );
        }
        service.operations.retain(|name, _| wanted.contains(name));
    }
    skip_event_streams(&mut service);
    let mut reached = BTreeSet::new();
    for (name, op) in &service.operations {
        let refs = op.input.iter().map(|s| ("input", s)).chain(op.output.iter().map(|s| ("output", s)));
        for (role, shape) in refs.chain(op.errors.iter().map(|s| ("errors", s))) {
            let at = format!("{}/{role}", service.source.operation(name));
            walk(&service, shape, &at, &mut reached, &mut sink);
        }
    }
    service.shapes.retain(|id, _| reached.contains(id));
    (service, sink.into_found())
}

/// Output event streams are read in the JSON protocols and restXml, input streams sent in
/// restJson; an operation with a stream in any other form is left out, and said so.
fn skip_event_streams(service: &mut Service) {
    let skipped: Vec<(String, &str)> = service
        .operations
        .values()
        .filter_map(|op| Some((op.name.clone(), unsupported_stream(service, op)?)))
        .collect();
    for (name, why) in skipped {
        service.operations.remove(&name);
        service.skipped_operations.insert(name, why.to_owned());
    }
}

/// Why the crate can't generate `op`'s event streams, if it can't.
fn unsupported_stream(service: &Service, op: &Operation) -> Option<&'static str> {
    let shapes = &service.shapes;
    let members = |id: &Option<ShapeId>| id.as_ref().and_then(|id| shapes.get(id)).map(Shape::members).unwrap_or(&[]);
    let is_stream = |m: &&Member| shapes.get(&m.target).is_some_and(|t| t.event_stream);
    let input = members(&op.input).iter().find(is_stream);
    if let Some(stream) = input {
        // Sent as the request's payload, which only the rest protocols bind.
        if service.protocol != Protocol::RestJson || stream.location != Location::Payload {
            return Some("sends an event stream in a form not supported yet");
        }
        if !headers_supported(shapes, &stream.target) {
            return Some("sends an event whose headers hold a kind not supported yet");
        }
    }
    let output = members(&op.output);
    // No output stream: nothing more to refuse.
    let stream = output.iter().find(is_stream)?;
    if !headers_supported(shapes, &stream.target) {
        return Some("receives an event whose headers hold a kind not supported yet");
    }
    match service.protocol {
        Protocol::RestJson | Protocol::RestXml => None,
        // The body is the stream: the other body members would come in its `initial-response`
        // event, which no model in botocore has and this crate does not read yet.
        Protocol::AwsJson { .. } if output.iter().all(|m| is_stream(&m) || m.location != Location::Body) => None,
        _ => Some("receives an event stream in a form not supported yet"),
    }
}

/// Whether every header member of the stream's events is of a kind the runtime reads from and
/// writes to event headers.
fn headers_supported(shapes: &BTreeMap<ShapeId, Shape>, stream: &str) -> bool {
    let Some(ShapeKind::Union(events)) = shapes.get(stream).map(|s| &s.kind) else { return true };
    let mut headers =
        events.iter().filter_map(|e| shapes.get(&e.target)).flat_map(Shape::members).filter(|m| m.event_header);
    headers.all(|m| {
        use ShapeKind::*;
        matches!(shapes.get(&m.target).map(|t| &t.kind), Some(Boolean | Integer | Long | String | Blob | Timestamp))
    })
}

/// One warning listing the operations left out, if any.
pub(crate) fn skipped_warnings(service: &Service, file: &str) -> Vec<Diagnostic> {
    let mut warnings = Sink::new(file);
    if !service.skipped_operations.is_empty() {
        let names: Vec<&str> = service.skipped_operations.keys().map(String::as_str).collect();
        warnings.error_with_hint(
            "/operations",
            format!(
                "{} operation(s) use event streams in a form not supported yet, and were left out: {}",
                names.len(),
                names.join(", ")
            ),
            "the rest of the service is generated",
        );
    }
    warnings.into_found()
}

/// Every shape reachable from `id`, reporting each missing target where it is referenced.
/// Iterative, so a long chain of shapes cannot exhaust the stack.
fn walk(service: &Service, id: &str, at: &str, reached: &mut BTreeSet<ShapeId>, sink: &mut Sink) {
    let mut pending = vec![(id.to_owned(), at.to_owned())];
    while let Some((id, at)) = pending.pop() {
        let Some(shape) = service.shapes.get(&id) else {
            sink.error_with_hint(
                at,
                format!("reference to shape \"{id}\", which the model does not define"),
                "every referenced shape must be a key of /shapes",
            );
            continue;
        };
        if reached.insert(id.clone()) {
            for (key, target) in references(shape) {
                let at = format!("{}{key}/{}", service.source.shape(&id), service.source.reference_key);
                pending.push((target.to_owned(), at));
            }
        }
    }
}

/// The shapes a shape refers to, each with the pointer suffix of the reference (without its
/// `shape` or `target` key, which depends on the input format).
pub(crate) fn references(shape: &Shape) -> Vec<(String, &str)> {
    match &shape.kind {
        ShapeKind::List { member } => vec![("/member".to_owned(), member.as_str())],
        ShapeKind::Map { key, value } => vec![("/key".to_owned(), key.as_str()), ("/value".to_owned(), value.as_str())],
        ShapeKind::Structure(Structure { members, .. }) | ShapeKind::Union(members) => {
            members.iter().map(|m| (pointer(["members", &m.name]), m.target.as_str())).collect()
        }
        _ => Vec::new(),
    }
}

/// Marks which shapes are sent and received, which of them travel as JSON, and which are
/// shared types.
pub(crate) fn mark_usage(service: &mut Service) {
    let (mut sent, mut received) = (BTreeSet::new(), BTreeSet::new());
    let (mut json_out, mut json_in) = (BTreeSet::new(), BTreeSet::new());
    let mut shared: BTreeSet<&str> =
        service.shapes.values().flat_map(|s| references(s).into_iter().map(|(_, t)| t)).collect();
    let rpc = service.protocol.is_rpc_body() || service.protocol.is_query();
    // awsQuery, EC2 and restXml read XML: only their errors keep serde (`ModeledError` needs it).
    let json = !service.protocol.reads_xml();
    for op in service.operations.values() {
        op.input.iter().for_each(|id| reach(&service.shapes, id, &mut sent));
        op.output.iter().chain(&op.errors).for_each(|id| reach(&service.shapes, id, &mut received));
        for id in json_roots(&service.shapes, op.input.iter().filter(|_| json), rpc) {
            reach_json(&service.shapes, &id, &mut json_out);
        }
        // A modeled error is always read from the JSON body.
        let outputs = op.output.iter().filter(|_| json);
        for id in json_roots(&service.shapes, outputs, rpc).into_iter().chain(op.errors.iter().cloned()) {
            reach_json(&service.shapes, &id, &mut json_in);
        }
        shared.extend(op.errors.iter().map(String::as_str));
    }
    // A paginator's token can be saved and resumed (`Paginate::Token` is serde), whatever the
    // protocol: its shapes (Route 53's record type enum) read and write JSON.
    for (op, pager) in service.operations.values().filter_map(|op| Some((op, op.pagination.as_ref()?))) {
        let input = op.input.as_ref().and_then(|id| service.shapes.get(id));
        let members = match input.map(|s| &s.kind) {
            Some(ShapeKind::Structure(s)) => &s.members[..],
            _ => &[],
        };
        for member in members.iter().filter(|m| pager.input_tokens.contains(&m.name)) {
            json_out.insert(member.target.clone());
            json_in.insert(member.target.clone());
        }
    }
    let shared: BTreeSet<ShapeId> = shared.into_iter().map(str::to_owned).collect();
    let http_text = http_text_shapes(&service.shapes);
    for (id, shape) in &mut service.shapes {
        shape.sent = sent.contains(id);
        shape.received = received.contains(id);
        shape.json_out = json_out.contains(id);
        shape.json_in = json_in.contains(id);
        shape.shared = shared.contains(id);
        shape.http_text = http_text.contains(id);
    }
}

/// The shapes written as text outside the body: targets of text bindings, and the elements of
/// the lists and maps bound so.
fn http_text_shapes(shapes: &BTreeMap<ShapeId, Shape>) -> BTreeSet<ShapeId> {
    let mut found = BTreeSet::new();
    for shape in shapes.values() {
        let ShapeKind::Structure(structure) = &shape.kind else { continue };
        for member in structure.members.iter().filter(|m| m.binding.is_text()) {
            found.insert(member.target.clone());
            match shapes.get(&member.target).map(|s| &s.kind) {
                Some(ShapeKind::List { member: element }) => found.insert(element.clone()),
                Some(ShapeKind::Map { value, .. }) => found.insert(value.clone()),
                _ => false,
            };
        }
    }
    found
}

/// The shapes an operation's input (or output) puts in a JSON body: the structure itself when
/// it has body members (always, for awsJson), the target of a structure payload, and the events
/// of an event stream (each message's payload).
fn json_roots<'a>(
    shapes: &BTreeMap<ShapeId, Shape>,
    ids: impl Iterator<Item = &'a ShapeId>,
    rpc: bool,
) -> Vec<ShapeId> {
    let mut roots = Vec::new();
    for id in ids {
        let Some(ShapeKind::Structure(structure)) = shapes.get(id).map(|s| &s.kind) else { continue };
        if rpc || structure.members.iter().any(|m| m.location == Location::Body) {
            roots.push(id.clone());
        }
        let json_payloads = structure
            .members
            .iter()
            .filter(|m| matches!(m.binding, Binding::PayloadStructure | Binding::PayloadUnion | Binding::EventStream));
        roots.extend(json_payloads.map(|m| m.target.clone()));
    }
    roots
}

/// Every shape inside `id`'s JSON: body members of structures, and what lists, maps and unions hold.
fn reach_json(shapes: &BTreeMap<ShapeId, Shape>, id: &str, seen: &mut BTreeSet<ShapeId>) {
    let mut pending = vec![id.to_owned()];
    while let Some(id) = pending.pop() {
        let Some(shape) = shapes.get(&id) else { continue };
        if !seen.insert(id.clone()) {
            continue;
        }
        match &shape.kind {
            ShapeKind::Structure(s) => {
                pending.extend(s.members.iter().filter(|m| m.location == Location::Body).map(|m| m.target.clone()))
            }
            _ => pending.extend(references(shape).into_iter().map(|(_, target)| target.to_owned())),
        }
    }
}
fn reach(shapes: &BTreeMap<ShapeId, Shape>, id: &str, seen: &mut BTreeSet<ShapeId>) {
    let mut pending = vec![id.to_owned()];
    while let Some(id) = pending.pop() {
        if let Some(shape) = shapes.get(&id) {
            if seen.insert(id.clone()) {
                pending.extend(references(shape).into_iter().map(|(_, target)| target.to_owned()));
            }
        }
    }
}

/// Decides every member's `Binding` from its location and its target's kind. RPCv2 CBOR has no
/// HTTP bindings: every member travels in the body, whatever location the model gives it.
pub(crate) fn resolve_bindings(service: &mut Service) {
    let mut decided = Vec::new();
    let all_body = service.protocol == Protocol::RpcV2Cbor;
    for (id, shape) in &service.shapes {
        let ShapeKind::Structure(Structure { members, .. }) = &shape.kind else { continue };
        for (index, member) in members.iter().enumerate() {
            let binding = if all_body { Binding::Body } else { binding(&service.shapes, member) };
            decided.push((id.clone(), index, binding));
        }
    }
    for (id, index, binding) in decided {
        if let Some(Shape { kind: ShapeKind::Structure(Structure { members, .. }), .. }) = service.shapes.get_mut(&id) {
            members[index].binding = binding;
            if all_body {
                members[index].location = Location::Body;
            }
        }
    }
}

fn binding(shapes: &BTreeMap<ShapeId, Shape>, member: &Member) -> Binding {
    let kind = |id: &str| shapes.get(id).map(|s| &s.kind);
    if shapes.get(&member.target).is_some_and(|s| s.event_stream) {
        return Binding::EventStream;
    }
    match (&member.location, kind(&member.target)) {
        (Location::Body, _) => Binding::Body,
        (Location::Label, _) => Binding::Label,
        (Location::Query, Some(ShapeKind::List { .. })) => Binding::QueryList,
        (Location::Query, Some(ShapeKind::Map { value, .. })) => match kind(value) {
            Some(ShapeKind::List { .. }) => Binding::QueryMapOfLists,
            _ => Binding::QueryMap,
        },
        (Location::Query, _) => Binding::Query,
        (Location::Header, Some(ShapeKind::List { .. })) => Binding::HeaderList,
        (Location::Header, _) if member.json_value => Binding::HeaderJson,
        (Location::Header, _) => Binding::Header,
        (Location::PrefixHeaders, _) => Binding::PrefixHeaders,
        (Location::StatusCode, _) => Binding::StatusCode,
        (Location::Unsent, _) => Binding::Unsent,
        (Location::Payload, Some(ShapeKind::Blob)) => Binding::PayloadBlob,
        (Location::Payload, Some(ShapeKind::String | ShapeKind::Enum(_))) => Binding::PayloadText,
        (Location::Payload, Some(ShapeKind::Union(_))) => Binding::PayloadUnion,
        (Location::Payload, _) => Binding::PayloadStructure,
    }
}

/// The optionality rule, one place for the whole crate: a member is a plain `T` exactly when the
/// model marks it `required`, and `Option<T>` otherwise, but in an operation's input, where every
/// member is an `Option` (Smithy's rule for clients: AWS adds and drops `required` on input
/// members as a compatible change, so it must change no type here). `build()` fails when a
/// required member is unset, before anything is sent, and an input's `build()` always returns a
/// `Result`. Parsing fills a required member the response leaves out with its zero value ("error
/// correction", as Smithy specifies for clients), since responses are never validated.
pub(crate) fn resolve_optionality(service: &mut Service) {
    let inputs: BTreeSet<ShapeId> = service.operations.values().filter_map(|op| op.input.clone()).collect();
    let streams: BTreeSet<ShapeId> = service.shapes.values().filter(|s| s.event_stream).map(|s| s.id.clone()).collect();
    for (id, shape) in &mut service.shapes {
        if let ShapeKind::Structure(structure) = &mut shape.kind {
            structure.input = inputs.contains(id);
            let input = structure.input;
            // An event stream is always there, perhaps empty.
            let optional = |m: &Member| !streams.contains(&m.target) && (input || !m.required);
            structure.members.iter_mut().for_each(|m| m.optional = optional(m));
        }
    }
}

/// Marks the members whose values `Debug` must not print (see `Member::redacted`).
pub(crate) fn mark_redacted(service: &mut Service) {
    let leaky: BTreeSet<ShapeId> =
        service.shapes.keys().filter(|id| prints_sensitive(&service.shapes, id)).cloned().collect();
    for shape in service.shapes.values_mut() {
        let sensitive = shape.sensitive;
        if let ShapeKind::Structure(Structure { members, .. }) | ShapeKind::Union(members) = &mut shape.kind {
            members.iter_mut().for_each(|m| m.redacted = sensitive || leaky.contains(&m.target));
        }
    }
}

/// Whether printing a value of `id` with its own `Debug` would show a sensitive value: it is
/// sensitive, or a list or map that holds such a shape at any depth. Structures and unions are
/// not: they redact their own members.
fn prints_sensitive(shapes: &BTreeMap<ShapeId, Shape>, id: &str) -> bool {
    let mut pending = vec![id];
    let mut seen = BTreeSet::new();
    while let Some(id) = pending.pop() {
        let Some(shape) = shapes.get(id).filter(|_| seen.insert(id)) else { continue };
        if shape.sensitive {
            return true;
        }
        match &shape.kind {
            ShapeKind::List { member } => pending.push(member),
            ShapeKind::Map { key, value } => pending.extend([key.as_str(), value.as_str()]),
            _ => {}
        }
    }
    false
}

/// Boxes members until no structure contains itself without indirection. Each round boxes the
/// smallest (shape, member) edge of the first cycle found in sorted order, so the result depends
/// only on the model.
pub(crate) fn box_recursion(service: &mut Service) {
    while let Some((shape, member)) = first_unboxed_cycle(&service.shapes) {
        if let Some(Shape {
            kind: ShapeKind::Structure(Structure { members, .. }) | ShapeKind::Union(members), ..
        }) = service.shapes.get_mut(&shape)
        {
            members.iter_mut().filter(|m| m.name == member).for_each(|m| m.boxed = true);
        }
    }
}

/// Edges that hold a value inline: a structure or union member that targets a structure or union
/// and is not yet boxed (lists and maps already allocate).
fn inline_edges(shapes: &BTreeMap<ShapeId, Shape>, id: &str) -> Vec<(String, ShapeId)> {
    let Some(Shape { kind: ShapeKind::Structure(Structure { members, .. }) | ShapeKind::Union(members), .. }) =
        shapes.get(id)
    else {
        return Vec::new();
    };
    members
        .iter()
        .filter(|m| !m.boxed)
        .filter(|m| {
            shapes.get(&m.target).is_some_and(|t| matches!(t.kind, ShapeKind::Structure(_) | ShapeKind::Union(_)))
        })
        .map(|m| (m.name.clone(), m.target.clone()))
        .collect()
}

fn first_unboxed_cycle(shapes: &BTreeMap<ShapeId, Shape>) -> Option<(ShapeId, String)> {
    for start in shapes.keys() {
        // Depth-first search keeping the path of (shape, member) edges from `start`.
        let mut stack: Vec<(ShapeId, Vec<(ShapeId, String)>)> = vec![(start.clone(), Vec::new())];
        let mut visited = BTreeSet::new();
        while let Some((id, path)) = stack.pop() {
            for (member, target) in inline_edges(shapes, &id).into_iter().rev() {
                let mut path = path.clone();
                path.push((id.clone(), member));
                if &target == start {
                    return path.into_iter().min();
                }
                if visited.insert(target.clone()) {
                    stack.push((target, path));
                }
            }
        }
    }
    None
}

/// Resolves every Rust name. A name the lock pins is kept. Two model names that become the same
/// Rust name do not fail the build: a pinned one keeps it, else the first in model order; the
/// other gets the first free numbered name (`FooBar2`, `foo_bar_2`), and a warning says so. Model
/// order is sorted order, so the result depends only on the model and the lock.
pub(crate) fn resolve_names(service: &mut Service, lock: &NameLock, file: &str) -> Vec<Diagnostic> {
    let mut warnings = Sink::new(file);
    let type_owners = service.shapes.iter().filter(|(_, s)| s.shared && s.kind.is_named_type()).map(|(id, _)| id);
    let mut types = Names::pinned(lock.pins(Kind::Type, ""), type_owners);
    let inputs: BTreeSet<ShapeId> = service.operations.values().filter_map(|op| op.input.clone()).collect();
    let source = service.source.clone();
    for (id, shape) in &mut service.shapes {
        let at = source.shape(id);
        let mut type_name = naming::type_name(id);
        if shape.shared && shape.kind.is_named_type() {
            type_name = types.unique(type_name, id, &at, "type", &mut warnings, |name, n| format!("{name}{n}"));
        }
        shape.names =
            ShapeNames { builder: format!("{type_name}Builder"), module: naming::module_name(&type_name), type_name };
        let context = match &shape.kind {
            ShapeKind::Structure(Structure { error: Some(_), .. }) => naming::MemberContext::Error,
            _ if inputs.contains(id) => naming::MemberContext::Input,
            _ => naming::MemberContext::Plain,
        };
        match &mut shape.kind {
            ShapeKind::Structure(Structure { members, .. }) => {
                name_members(members, lock.pins(Kind::Member, id), context, &at, &mut warnings)
            }
            ShapeKind::Union(members) => name_union_members(members, lock.pins(Kind::Variant, id), &at, &mut warnings),
            ShapeKind::Enum(values) => name_enum_values(values, lock.pins(Kind::Value, id), &at, &mut warnings),
            _ => {}
        }
    }
    let mut methods = Names::pinned(lock.pins(Kind::Operation, ""), service.operations.keys());
    let shapes = &service.shapes;
    for (name, op) in &mut service.operations {
        let at = source.operation(name);
        let method = methods.unique(naming::method_name(name), name, &at, "operation", &mut warnings, numbered_snake);
        // Operation types are named after the method, so they are as unique as it is.
        let base = naming::type_name(method.trim_start_matches("r#"));
        op.names = OperationNames {
            module: naming::module_name(&method),
            method,
            input_builder: format!("{base}InputBuilder"),
            input: format!("{base}Input"),
            output_builder: format!("{base}OutputBuilder"),
            output: format!("{base}Output"),
            error: format!("{base}Error"),
            error_variants: error_variants(
                shapes,
                op,
                lock.pins(Kind::Error, name),
                &format!("{at}/errors"),
                &mut warnings,
            ),
        };
        name_waiters(name, &mut op.waiters, lock.pins(Kind::Waiter, name), &at, &mut warnings);
    }
    warnings.into_found()
}

/// `wait_until_<snake name>`, unique among the operation's waiters.
fn name_waiters(op: &str, waiters: &mut [Waiter], pins: BTreeMap<String, String>, at: &str, warnings: &mut Sink) {
    let mut taken = Names::pinned(pins, waiters.iter().map(|w| &w.name));
    for waiter in waiters {
        let wanted = naming::waiter_method(&waiter.name);
        let at = format!("{at}/waiters/{}", waiter.name);
        waiter.method = taken.unique(wanted, &waiter.name, &at, &format!("waiter of {op}"), warnings, numbered_snake);
    }
}

fn numbered_snake(name: &str, n: usize) -> String {
    format!("{}_{n}", name.trim_start_matches("r#"))
}

/// Names handed out so far in one namespace, and to whom.
#[derive(Default)]
struct Names {
    taken: BTreeMap<String, String>,
    /// Owner -> the name the lock gives it (already in `taken`).
    pinned: BTreeMap<String, String>,
}

impl Names {
    /// A namespace whose owners (those still in the model) keep their pinned names. A pin that
    /// another owner already holds is dropped: the lock was edited by hand.
    fn pinned<'a>(pins: BTreeMap<String, String>, owners: impl IntoIterator<Item = &'a String>) -> Names {
        let mut names = Names::default();
        for owner in owners {
            if let Some(name) = pins.get(owner.as_str()) {
                if names.is_free(name) {
                    names.taken.insert(name.clone(), owner.clone());
                    names.pinned.insert(owner.clone(), name.clone());
                }
            }
        }
        names
    }

    /// `wanted` if free (or already this owner's), else the first free `numbered(wanted, n)`.
    /// An owner that holds a pinned name keeps it.
    fn unique(
        &mut self,
        wanted: String,
        owner: &str,
        at: &str,
        what: &str,
        warnings: &mut Sink,
        numbered: impl Fn(&str, usize) -> String,
    ) -> String {
        let free = |taken: &BTreeMap<String, String>, name: &str| taken.get(name).is_none_or(|o| o == owner);
        if let Some(pinned) = self.pinned.get(owner) {
            return pinned.clone();
        }
        let name = if free(&self.taken, &wanted) {
            wanted
        } else {
            let renamed = (2..).map(|n| numbered(&wanted, n)).find(|name| free(&self.taken, name)).unwrap_or_default();
            let first = self.taken.get(&wanted).cloned().unwrap_or_default();
            warnings.error_with_hint(
                at,
                format!("{what} \"{owner}\" would be `{wanted}` like \"{first}\", so it is `{renamed}`"),
                "rename one of them in the model to choose the names yourself",
            );
            renamed
        };
        self.taken.insert(name.clone(), owner.to_owned());
        name
    }

    fn is_free(&self, name: &str) -> bool {
        !self.taken.contains_key(name)
    }
}

fn error_variants(
    shapes: &BTreeMap<ShapeId, Shape>,
    op: &Operation,
    pins: BTreeMap<String, String>,
    at: &str,
    warnings: &mut Sink,
) -> Vec<ErrorVariant> {
    let mut taken = Names::pinned(pins, &op.errors);
    let mut variants = Vec::new();
    for shape in &op.errors {
        let code = match shapes.get(shape).map(|s| &s.kind) {
            Some(ShapeKind::Structure(Structure { error: Some(error), .. })) => error.code.clone(),
            _ => continue, // reported by validation
        };
        if variants.iter().any(|v: &ErrorVariant| v.shape == *shape) {
            continue;
        }
        let wanted = naming::error_variant(&naming::type_name(shape));
        let variant = taken.unique(wanted, shape, at, "error", warnings, |name, n| format!("{name}{n}"));
        let predicate = format!("is_{}", naming::module_name(&variant).trim_end_matches('_'));
        variants.push(ErrorVariant { shape: shape.clone(), code, variant, predicate });
    }
    variants
}

/// A builder has a method per field and a `set_` method per field: all must be distinct.
fn name_members(
    members: &mut [Member],
    pins: BTreeMap<String, String>,
    context: naming::MemberContext,
    at: &str,
    warnings: &mut Sink,
) {
    let owners: Vec<String> = members.iter().map(|m| m.name.clone()).collect();
    let mut taken = Names::pinned(pins, &owners);
    // A pinned field's setter and getter are taken too.
    let methods: Vec<(String, String)> = taken
        .pinned
        .iter()
        .flat_map(|(owner, name)| [naming::setter_name(name), naming::getter_name(name)].map(|m| (m, owner.clone())))
        .collect();
    taken.taken.extend(methods);
    for member in members.iter_mut() {
        let at = format!("{at}{}", pointer(["members", &member.name]));
        let wanted = naming::field_name(&member.name, context);
        let fits = |name: &str| {
            taken.is_free(name)
                && taken.is_free(&naming::setter_name(name))
                && taken.is_free(&naming::getter_name(name))
        };
        let name = if let Some(pinned) = taken.pinned.get(&member.name) {
            pinned.clone()
        } else if fits(&wanted) {
            wanted
        } else {
            let renamed = (2..).map(|n| numbered_snake(&wanted, n)).find(|name| fits(name)).unwrap_or_default();
            warnings.error_with_hint(
                &at,
                format!("member \"{}\" would clash as `{wanted}`, so it is `{renamed}`", member.name),
                "rename one of the members in the model to choose the names yourself",
            );
            renamed
        };
        member.setter = naming::setter_name(&name);
        member.getter = naming::getter_name(&name);
        taken.taken.insert(member.setter.clone(), member.name.clone());
        taken.taken.insert(member.getter.clone(), member.name.clone());
        taken.taken.insert(name.clone(), member.name.clone());
        member.rust_name = name;
    }
}

/// A union's members become its variants.
fn name_union_members(members: &mut [Member], pins: BTreeMap<String, String>, at: &str, warnings: &mut Sink) {
    let owners: Vec<String> = members.iter().map(|m| m.name.clone()).collect();
    let mut taken = Names::pinned(pins, &owners);
    for member in members.iter_mut() {
        let at = format!("{at}{}", pointer(["members", &member.name]));
        let wanted = naming::enum_variant(&member.name);
        member.rust_name =
            taken.unique(wanted, &member.name, &at, "union member", warnings, |name, n| format!("{name}{n}"));
    }
}

fn name_enum_values(values: &mut [EnumValue], pins: BTreeMap<String, String>, at: &str, warnings: &mut Sink) {
    let owners: Vec<String> = values.iter().map(|v| v.value.clone()).collect();
    let mut taken = Names::pinned(pins, &owners);
    for value in values.iter_mut() {
        let wanted = naming::enum_variant(&value.value);
        let at = format!("{at}/enum");
        value.variant = taken.unique(wanted, &value.value, &at, "enum value", warnings, |name, n| format!("{name}{n}"));
    }
}
