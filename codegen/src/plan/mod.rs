//! The crate plan: every decision about the generated crate, made once, read-only afterwards.
//! The emitters and the public-API description (`api`, which api-diff compares) read the plan,
//! so what a reviewer is told and what is generated can't drift apart.
//!
//! Decided here so far: Rust types, paginators and waiters (with their
//! compiled expressions and locked names). The rest is still read from the named IR the plan
//! carries (`CratePlan::service`), and moves here one decision at a time.

pub mod paginator;
pub mod rust_type;
pub mod waiter;

use crate::diagnostic::{pointer, Diagnostic, Sink};
use crate::ir::{Service, Shape, ShapeKind, Structure};
pub use paginator::PaginatorPlan;
pub use rust_type::RustType;
use std::collections::BTreeMap;
pub use waiter::WaiterPlan;

#[derive(Debug, Clone)]
pub struct CratePlan {
    /// The validated, named IR.
    pub service: Service,
    /// By operation name, as `service.operations`.
    pub operations: BTreeMap<String, OperationPlan>,
}

#[derive(Debug, Clone)]
pub struct OperationPlan {
    pub paginator: Option<PaginatorPlan>,
    pub waiters: Vec<WaiterPlan>,
}

/// Where the paginators and waiters came from, for warnings.
pub(crate) struct Sources<'a> {
    pub paginators: &'a str,
    pub waiters: &'a str,
}

/// Plans every operation of a named IR. A paginator or waiter the generator can't follow is left
/// out with a warning naming its file and why: the operation is generated without it.
pub(crate) fn plan(service: Service, sources: &Sources) -> (CratePlan, Vec<Diagnostic>) {
    let (mut pager_warnings, mut waiter_warnings) = (Sink::new(sources.paginators), Sink::new(sources.waiters));
    let shapes = &service.shapes;
    let mut operations = BTreeMap::new();
    for (name, op) in &service.operations {
        let input = op.input.as_deref();
        let paginator = op.pagination.as_ref().and_then(|pager| {
            paginator::plan(shapes, input, op.output.as_deref(), pager)
                .map_err(|why| {
                    pager_warnings.error_with_hint(
                        pointer(["pagination", name]),
                        format!("the paginator of {name} is left out: {why}"),
                        "the operation itself is generated; page through it by hand with its token members",
                    )
                })
                .ok()
        });
        let waiters = op
            .waiters
            .iter()
            .filter_map(|waiter| {
                waiter::plan(shapes, op, waiter)
                    .map_err(|why| {
                        waiter_warnings.error_with_hint(
                            pointer(["waiters", &waiter.name]),
                            format!("the waiter {} is left out: {why}", waiter.name),
                            "the operation itself is generated; poll it by hand",
                        )
                    })
                    .ok()
            })
            .collect();
        operations.insert(name.clone(), OperationPlan { paginator, waiters });
    }
    let mut warnings = pager_warnings.into_found();
    warnings.extend(waiter_warnings.into_found());
    (CratePlan { service, operations }, warnings)
}

/// An operation's input (`sent`) or output shape. An operation without one gets an empty
/// structure under the operation's name, so that every operation has the same API shape; the
/// emitters and the API description both take it from here.
pub fn io_shape(service: &Service, id: Option<&str>, type_name: &str, sent: bool) -> Shape {
    if let Some(shape) = id.and_then(|id| service.shapes.get(id)) {
        if matches!(shape.kind, ShapeKind::Structure(_)) {
            return shape.clone();
        }
    }
    let empty = ShapeKind::Structure(Structure { input: sent, ..Structure::new(Vec::new()) });
    Shape { sent, received: !sent, json_out: sent, json_in: !sent, ..Shape::new(type_name, empty) }
}
