//! The public Rust API of a generated crate, as its users see it: every item's path, kind and
//! signature, its fields or variants with their Rust types, the traits it implements and its
//! docs. Built from the crate plan the emitters print, so that comparing two of them (`diff`)
//! compares what callers compile against, not the model.

use crate::ir::{Member, Shape, ShapeKind};
use crate::plan::{Check, CratePlan, ErrorPlan, EventStreamPlan, FieldPlan, OperationPlan, TypePlan};
use std::collections::{BTreeMap, BTreeSet};

/// Every public item, by path (`types::BackendJobRespObj`, `Client::list_backend_jobs`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublicApi {
    pub items: BTreeMap<String, Item>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub kind: ItemKind,
    /// What callers depend on beyond the parts: `build() -> Result<..>`, a method's signature.
    pub signature: String,
    /// Fields, variants or enum values, by Rust name.
    pub parts: BTreeMap<String, Part>,
    pub traits: BTreeSet<&'static str>,
    /// The item's docs (under "") and its parts' (for the doc-only count).
    pub docs: BTreeMap<String, String>,
    /// Where the item is on the wire (HTTP binding), which callers don't compile against.
    pub wire: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ItemKind {
    Struct,
    Enum,
    Union,
    ErrorEnum,
    Method,
}

/// A field (with its type), a variant (with its payload, if any) or an enum value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub ty: String,
    /// The member's place on the wire (`body member "appId"`), empty for enum values.
    pub wire: String,
    /// `Debug` prints a placeholder instead of the value.
    pub redacted: bool,
    /// `build()` fails while it is unset.
    pub required: bool,
}

impl PublicApi {
    pub fn of(plan: &CratePlan) -> PublicApi {
        let mut api = PublicApi::default();
        for op in plan.operations.values() {
            api.operation(op);
        }
        for ty in &plan.types {
            let path = format!("types::{}", ty.names.type_name);
            if let Some(stream) = &ty.events {
                api.items.insert(path, event_stream_item(ty, stream));
                api.items.insert(format!("types::{}", stream.error_type), error_item(&stream.errors));
                continue;
            }
            let item = match &ty.kind {
                ShapeKind::Structure(_) => structure_item(ty),
                ShapeKind::Union(_) => union_item(ty),
                ShapeKind::Enum(values) => enum_item(ty, values.iter().map(|v| (&v.variant, &v.value))),
                _ => continue,
            };
            api.items.insert(path, item);
        }
        api
    }

    fn operation(&mut self, plan: &OperationPlan) {
        let op = &plan.op;
        let names = &op.names;
        let module = format!("operation::{}", names.module);
        let method = Item {
            kind: ItemKind::Method,
            signature: format!("fn {}(&self) -> {}<Client>", names.method, names.input_builder),
            parts: BTreeMap::new(),
            traits: BTreeSet::new(),
            docs: [(String::new(), docs(&op.docs.0))].into(),
            wire: format!("{} {}", op.http.method, op.http.uri),
        };
        self.items.insert(format!("Client::{}", names.method), method);
        for (io, name) in [(&plan.input, &names.input), (&plan.output, &names.output)] {
            self.items.insert(format!("{module}::{name}"), structure_item(io));
        }
        self.items.insert(format!("{module}::{}", names.error), error_item(&plan.errors));
        if let (Some(pager), Some(paginator)) = (&op.pagination, &plan.paginator) {
            // What a caller's code sees is the paginator and its item; which members carry the
            // tokens and the page size is wire behaviour.
            let item = Item {
                kind: ItemKind::Method,
                signature: format!("fn into_paginator(self) -> Paginator<{}>; items {}", names.input, paginator.item),
                parts: BTreeMap::new(),
                traits: BTreeSet::new(),
                docs: BTreeMap::new(),
                wire: format!(
                    "tokens {:?} -> {:?}, page size {:?}, more results {:?}",
                    pager.input_tokens, pager.output_tokens, pager.limit_key, pager.more_results
                ),
            };
            self.items.insert(format!("{module}::{}::into_paginator", names.input_builder), item);
        }
        if plan.presignable {
            // Presigning a signed operation is API; an operation that becomes unsigned loses it.
            let item = Item {
                kind: ItemKind::Method,
                signature: "fn presigned(self, PresigningConfig) -> PresignedRequest".to_owned(),
                parts: BTreeMap::new(),
                traits: BTreeSet::new(),
                docs: BTreeMap::new(),
                wire: String::new(),
            };
            self.items.insert(format!("{module}::{}::presigned", names.input_builder), item);
        }
        for waiter in &plan.waiters {
            // Removing a waiter breaks its callers; its acceptors are behaviour, like the wire.
            let item = Item {
                kind: ItemKind::Method,
                signature: format!("fn {}(self) -> Waiter<{}>", waiter.method, names.input),
                parts: BTreeMap::new(),
                traits: BTreeSet::new(),
                docs: [(String::new(), docs(&waiter.docs.0))].into(),
                wire: format!(
                    "delay {} s, {} attempts, acceptors {:?}",
                    waiter.delay, waiter.max_attempts, waiter.model
                ),
            };
            self.items.insert(format!("{module}::{}::{}", names.input_builder, waiter.method), item);
        }
    }
}

/// An error enum: a variant per modeled error, and `Unhandled`.
fn error_item(errors: &[ErrorPlan]) -> Item {
    let mut variants: BTreeMap<String, Part> = errors
        .iter()
        .map(|e| {
            let (ty, wire) = (format!("types::{}", e.type_name), format!("code {:?}", e.variant.code));
            (e.variant.variant.clone(), Part { ty, wire, redacted: false, required: false })
        })
        .collect();
    variants.insert(
        "Unhandled".to_owned(),
        Part { ty: "Unhandled".to_owned(), wire: String::new(), redacted: false, required: false },
    );
    Item {
        kind: ItemKind::ErrorEnum,
        signature: String::new(),
        parts: variants,
        traits: ["Clone", "Debug", "Display", "Error", "PartialEq"].into(),
        docs: BTreeMap::new(),
        wire: String::new(),
    }
}

/// An event stream's enum: a variant per event (by its `:event-type`), and `Unknown` when received.
fn event_stream_item(ty: &TypePlan, stream: &EventStreamPlan) -> Item {
    let mut parts: BTreeMap<String, Part> = stream
        .events
        .iter()
        .map(|e| {
            let (ty, wire) = (format!("types::{}", e.type_name), format!("event {:?}", e.event_type));
            (e.variant.clone(), Part { ty, wire, redacted: false, required: false })
        })
        .collect();
    if !stream.sent {
        let unknown = Part { ty: "UnknownEvent".to_owned(), wire: String::new(), redacted: false, required: false };
        parts.insert("Unknown".to_owned(), unknown);
    }
    let docs = std::iter::once((String::new(), docs(&ty.docs.0)))
        .chain(stream.events.iter().map(|e| (e.variant.clone(), docs(&e.docs.0))))
        .collect();
    let codec = if stream.sent { "WriteEvent" } else { "ReadEvent" };
    let traits = ["Clone", "Debug", "PartialEq", codec].into();
    Item { kind: ItemKind::Union, signature: String::new(), parts, traits, docs, wire: String::new() }
}

fn structure_item(ty: &TypePlan) -> Item {
    let parts = ty
        .fields
        .iter()
        .map(|f| {
            let required = matches!(f.check, Check::Required { .. });
            (f.rust_name.clone(), Part { ty: f.ty.to_string(), wire: wire(f), redacted: f.redacted, required })
        })
        .collect();
    let build = if ty.build_is_fallible() { "Result<Self, BuildError>" } else { "Self" };
    let mut traits: BTreeSet<&'static str> = ["Clone", "Debug", "Default", "PartialEq"].into();
    traits.extend(serde_traits(ty));
    if ty.structure().is_some_and(|s| s.error.is_some()) {
        traits.extend(["Display", "Error"]);
    }
    Item {
        kind: ItemKind::Struct,
        signature: format!("builder().build() -> {build}"),
        parts,
        traits,
        docs: docs_of(ty, &ty.fields),
        wire: String::new(),
    }
}

fn union_item(ty: &TypePlan) -> Item {
    let mut parts: BTreeMap<String, Part> = ty
        .fields
        .iter()
        .map(|f| {
            (
                f.rust_name.clone(),
                Part { ty: f.value.to_string(), wire: wire(f), redacted: f.redacted, required: false },
            )
        })
        .collect();
    parts.insert(
        "Unknown".to_owned(),
        Part { ty: String::new(), wire: String::new(), redacted: false, required: false },
    );
    let mut traits: BTreeSet<&'static str> = ["Clone", "Debug", "Default", "PartialEq"].into();
    traits.extend(serde_traits(ty));
    Item {
        kind: ItemKind::Union,
        signature: String::new(),
        parts,
        traits,
        docs: docs_of(ty, &ty.fields),
        wire: String::new(),
    }
}

fn enum_item<'a>(shape: &Shape, values: impl Iterator<Item = (&'a String, &'a String)>) -> Item {
    let mut parts: BTreeMap<String, Part> = values
        .map(|(variant, value)| {
            let wire = format!("{value:?}");
            (variant.clone(), Part { ty: String::new(), wire, redacted: shape.sensitive, required: false })
        })
        .collect();
    parts.insert(
        "Unknown".to_owned(),
        Part { ty: "UnknownValue".to_owned(), wire: String::new(), redacted: shape.sensitive, required: false },
    );
    let mut traits: BTreeSet<&'static str> =
        ["Clone", "Debug", "Default", "Display", "Eq", "From<&str>", "Hash", "Ord", "PartialEq", "PartialOrd"].into();
    traits.extend(serde_traits(shape));
    let docs = [(String::new(), docs(&shape.docs.0))].into();
    Item { kind: ItemKind::Enum, signature: String::new(), parts, traits, docs, wire: String::new() }
}

fn serde_traits(shape: &Shape) -> impl Iterator<Item = &'static str> {
    [(shape.json_out, "Serialize"), (shape.json_in, "Deserialize")]
        .into_iter()
        .filter_map(|(has, name)| has.then_some(name))
}

fn docs_of(shape: &Shape, fields: &[FieldPlan]) -> BTreeMap<String, String> {
    let parts = fields.iter().map(|f| (f.rust_name.clone(), docs(&f.docs.0)));
    std::iter::once((String::new(), docs(&shape.docs.0))).chain(parts).collect()
}

fn docs(text: &Option<String>) -> String {
    text.clone().unwrap_or_default()
}

/// `body member "appId"`, `header "X-Foo"`, ...
fn wire(member: &Member) -> String {
    format!("{:?} {:?}", member.location, member.wire_name)
}
