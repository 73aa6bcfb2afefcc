//! Shapes the validated IR for emission: keeps only the selected operations and the shapes
//! they reach, decides which structures are input-only, boxes recursive members, and resolves
//! every Rust name, refusing collisions instead of silently merging or renaming by order.

use super::*;
use crate::diagnostic::{pointer, Diagnostics, Sink};
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
pub(crate) fn select(mut service: Service, selection: &Selection, file: &str) -> Result<Service, Diagnostics> {
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
    let mut reached = BTreeSet::new();
    for (name, op) in &service.operations {
        let refs = op.input.iter().map(|s| ("input", s)).chain(op.output.iter().map(|s| ("output", s)));
        for (role, shape) in refs.chain(op.errors.iter().map(|s| ("errors", s))) {
            let at = pointer(["operations", name, role]);
            walk(&service.shapes, shape, &at, &mut reached, &mut sink);
        }
    }
    service.shapes.retain(|id, _| reached.contains(id));
    sink.finish(service)
}

/// Depth-first over shape references, reporting each missing target where it is referenced.
fn walk(shapes: &BTreeMap<ShapeId, Shape>, id: &str, at: &str, reached: &mut BTreeSet<ShapeId>, sink: &mut Sink) {
    let Some(shape) = shapes.get(id) else {
        sink.error_with_hint(
            at,
            format!("reference to shape \"{id}\", which the model does not define"),
            "every referenced shape must be a key of /shapes",
        );
        return;
    };
    if !reached.insert(id.to_owned()) {
        return;
    }
    for (key, target) in references(shape) {
        walk(shapes, target, &format!("{}{key}", pointer(["shapes", id])), reached, sink);
    }
}

/// The shapes a shape refers to, each with the pointer suffix where the reference is written.
pub(crate) fn references(shape: &Shape) -> Vec<(String, &str)> {
    match &shape.kind {
        ShapeKind::List { member } => vec![("/member/shape".to_owned(), member.as_str())],
        ShapeKind::Map { key, value } => {
            vec![("/key/shape".to_owned(), key.as_str()), ("/value/shape".to_owned(), value.as_str())]
        }
        ShapeKind::Structure(Structure { members, .. }) | ShapeKind::Union(members) => {
            members.iter().map(|m| (format!("{}/shape", pointer(["members", &m.name])), m.target.as_str())).collect()
        }
        _ => Vec::new(),
    }
}

/// Marks which shapes are sent, which are received, and which are shared types.
pub(crate) fn mark_usage(service: &mut Service) {
    let mut sent = BTreeSet::new();
    let mut received = BTreeSet::new();
    let mut shared: BTreeSet<&str> =
        service.shapes.values().flat_map(|s| references(s).into_iter().map(|(_, t)| t)).collect();
    for op in service.operations.values() {
        op.input.iter().for_each(|id| reach(&service.shapes, id, &mut sent));
        op.output.iter().chain(&op.errors).for_each(|id| reach(&service.shapes, id, &mut received));
        shared.extend(op.errors.iter().map(String::as_str));
    }
    let shared: BTreeSet<ShapeId> = shared.into_iter().map(str::to_owned).collect();
    for (id, shape) in &mut service.shapes {
        shape.sent = sent.contains(id);
        shape.received = received.contains(id);
        shape.shared = shared.contains(id);
    }
}

fn reach(shapes: &BTreeMap<ShapeId, Shape>, id: &str, seen: &mut BTreeSet<ShapeId>) {
    if let Some(shape) = shapes.get(id) {
        if seen.insert(id.to_owned()) {
            references(shape).into_iter().for_each(|(_, target)| reach(shapes, target, seen));
        }
    }
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

/// Resolves every Rust name and reports collisions, naming both sides.
pub(crate) fn resolve_names(service: &mut Service, file: &str) -> Result<(), Diagnostics> {
    let mut sink = Sink::new(file);
    let mut types: BTreeMap<String, ShapeId> = BTreeMap::new();
    for (id, shape) in &mut service.shapes {
        let type_name = naming::type_name(id);
        if shape.shared && shape.kind.is_named_type() {
            claim(&mut types, &type_name, id, &pointer(["shapes", id]), "type", &mut sink);
        }
        shape.names = ShapeNames { builder: format!("{type_name}Builder"), module: naming::module_name(id), type_name };
        let at = pointer(["shapes", id]);
        match &mut shape.kind {
            ShapeKind::Structure(Structure { members, .. }) | ShapeKind::Union(members) => {
                name_members(members, &at, &mut sink)
            }
            ShapeKind::Enum(values) => name_enum_values(values, &at, &mut sink),
            _ => {}
        }
    }
    let mut methods: BTreeMap<String, ShapeId> = BTreeMap::new();
    let shapes = &service.shapes;
    for (name, op) in &mut service.operations {
        let method = naming::method_name(name);
        claim(&mut methods, &method, name, &pointer(["operations", name]), "operation method", &mut sink);
        let base = naming::type_name(name);
        op.names = OperationNames {
            module: naming::module_name(name),
            method,
            input_builder: format!("{base}InputBuilder"),
            input: format!("{base}Input"),
            output_builder: format!("{base}OutputBuilder"),
            output: format!("{base}Output"),
            error: format!("{base}Error"),
            error_variants: error_variants(shapes, op, &mut sink),
        };
    }
    sink.finish(())
}

fn error_variants(shapes: &BTreeMap<ShapeId, Shape>, op: &Operation, sink: &mut Sink) -> Vec<ErrorVariant> {
    let mut taken: BTreeMap<String, ShapeId> = BTreeMap::new();
    let at = pointer(["operations", &op.name, "errors"]);
    let mut variants = Vec::new();
    for shape in &op.errors {
        let variant = naming::error_variant(&naming::type_name(shape));
        let predicate = format!("is_{}", naming::module_name(&variant).trim_end_matches('_'));
        claim(&mut taken, &variant, shape, &at, "error", sink);
        let code = match shapes.get(shape).map(|s| &s.kind) {
            Some(ShapeKind::Structure(Structure { error: Some(error), .. })) => error.code.clone(),
            _ => continue, // reported by validation
        };
        if variants.iter().any(|v: &ErrorVariant| v.shape == *shape) {
            continue;
        }
        variants.push(ErrorVariant { shape: shape.clone(), code, variant, predicate });
    }
    variants
}

fn name_members(members: &mut [Member], at: &str, sink: &mut Sink) {
    let mut taken: BTreeMap<String, ShapeId> = BTreeMap::new();
    for member in members.iter_mut() {
        member.rust_name = naming::field_name(&member.name);
        member.setter = naming::setter_name(&member.rust_name);
    }
    // A builder has a method per field and a `set_` method per field: all must be distinct.
    for member in members.iter() {
        let at = format!("{at}{}", pointer(["members", &member.name]));
        for method in [&member.rust_name, &member.setter] {
            claim(&mut taken, method, &member.name, &at, "member", sink);
        }
    }
}

fn name_enum_values(values: &mut [EnumValue], at: &str, sink: &mut Sink) {
    let mut taken: BTreeMap<String, String> = BTreeMap::new();
    for value in values.iter_mut() {
        value.variant = naming::enum_variant(&value.value);
        claim(&mut taken, &value.variant, &value.value, &format!("{at}/enum"), "enum value", sink);
    }
}

/// Records that `owner` uses `name`; a second owner of the same name is a collision.
fn claim(taken: &mut BTreeMap<String, String>, name: &str, owner: &str, at: &str, what: &str, sink: &mut Sink) {
    match taken.get(name) {
        Some(first) if first != owner => sink.error_with_hint(
            at,
            format!("{what} \"{owner}\" and \"{first}\" both become the Rust name `{name}`"),
            "rename one of them in the model",
        ),
        Some(_) => {}
        None => {
            taken.insert(name.to_owned(), owner.to_owned());
        }
    }
}
