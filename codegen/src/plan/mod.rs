//! The crate plan: every decision about the generated crate, made once, read-only afterwards.
//! The emitters and the public-API description (`api`, which api-diff compares) read the plan
//! and nothing else, so what a reviewer is told and what is generated can't drift apart, and a
//! new feature is decided here, not in an emitter (`codegen/tests/layers.rs` checks that no
//! emitter reaches past the plan into the model's shapes).

pub mod event_stream;
pub mod fields;
pub mod paginator;
pub mod rust_type;
pub mod waiter;
pub mod xml;

use crate::diagnostic::{pointer, Diagnostic, Sink};
use crate::ir::{
    AuthScheme, Binding, Docs, ErrorVariant, Member, Operation, Protocol, Service, Shape, ShapeId, ShapeKind, Structure,
};
pub use event_stream::{EventHeader, EventPayload, EventPlan, EventStreamPlan, PayloadKind};
pub use fields::{Accessor, Check, FieldPlan, JsonEncoding, JsonField, TypePlan};
pub use paginator::PaginatorPlan;
pub use rust_type::RustType;
use std::collections::BTreeMap;
pub use waiter::WaiterPlan;
pub use xml::{Layout, XmlField, XmlRead};

#[derive(Debug, Clone)]
pub struct CratePlan {
    pub service: ServicePlan,
    /// The crate's named types (`types`): every shared structure, union and enum, by shape id.
    pub types: Vec<TypePlan>,
    /// By operation name.
    pub operations: BTreeMap<String, OperationPlan>,
    /// The named IR the plan was made from: the names lock pins its names, and the test
    /// harnesses build requests and responses from its shapes. No emitter reads it.
    pub ir: Service,
}

/// What the crate says about the service as a whole, as the IR has it.
#[derive(Debug, Clone, PartialEq)]
pub struct ServicePlan {
    pub service_id: String,
    pub full_name: String,
    pub api_version: String,
    pub protocol: Protocol,
    pub endpoint_prefix: String,
    pub signing_name: String,
    pub auth: Vec<AuthScheme>,
    pub target_prefix: Option<String>,
    pub query_compatible: bool,
    pub endpoint_rules: Option<String>,
    pub headers: Vec<(String, String)>,
    pub docs: Docs,
    pub skipped_operations: BTreeMap<String, String>,
    pub settings: ServiceSettings,
}

/// The settings only some services read, which the crate's config offers when its service does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceSettings {
    /// S3's bucket addressing (its endpoint rules read `AWS::S3::ForcePathStyle`).
    pub s3_addressing: bool,
    /// Request and response checksums (an operation has `httpChecksum`).
    pub checksums: bool,
    /// Bearer tokens (the service takes `smithy.api#httpBearerAuth`).
    pub bearer: bool,
    /// gzip request bodies (an operation has `requestcompression`): the runtime's `gzip`.
    pub gzip: bool,
    /// HTTP/2, which an operation sending an event stream needs: the runtime's `http2`.
    pub http2: bool,
    /// S3's presigned POST forms (`Client::presigned_post`, botocore's `generate_presigned_post`).
    pub presigned_post: bool,
    /// Endpoints that ask for SigV4a (S3's multi-region access points, EventBridge's global
    /// endpoints): the crate's opt-in `sigv4a` feature, the runtime's.
    pub sigv4a: bool,
}

impl ServiceSettings {
    fn of(service: &Service) -> ServiceSettings {
        let rules = service.endpoint_rules.as_deref().unwrap_or_default();
        let checksums = |op: &Operation| op.request_checksum.is_some() || op.response_checksum.is_some();
        ServiceSettings {
            s3_addressing: rules.contains("AWS::S3::ForcePathStyle"),
            checksums: service.operations.values().any(checksums),
            bearer: service.auth.contains(&AuthScheme::Bearer),
            gzip: service.operations.values().any(|op| op.gzip_request),
            http2: service.operations.values().any(|op| sends_events(service, op)),
            presigned_post: service.service_id == "S3" && service.auth.contains(&AuthScheme::SigV4),
            sigv4a: rules.contains("\"sigv4a\""),
        }
    }
}

/// Whether the operation's input is an event stream.
fn sends_events(service: &Service, op: &Operation) -> bool {
    let input = op.input.as_ref().and_then(|id| service.shapes.get(id));
    let targets = |m: &Member| service.shapes.get(&m.target).is_some_and(|t| t.event_stream);
    input.is_some_and(|input| input.members().iter().any(targets))
}

#[derive(Debug, Clone)]
pub struct OperationPlan {
    pub op: Operation,
    /// Under the operation's names; an operation without one gets an empty structure, so every
    /// operation has the same API shape.
    pub input: TypePlan,
    pub output: TypePlan,
    /// One per modeled error, in the model's order.
    pub errors: Vec<ErrorPlan>,
    pub paginator: Option<PaginatorPlan>,
    pub waiters: Vec<WaiterPlan>,
    /// Its builder can presign it: it is signed, with SigV4.
    pub presignable: bool,
    /// S3's listings: keys asked for percent-encoded and decoded for the caller.
    pub listing: Option<ListingPlan>,
    /// A copy from another region whose presigned URL the client makes.
    pub cross_region_copy: Option<CrossRegionCopyPlan>,
}

/// A cross-region copy's members by their Rust names (see `ir::CrossRegionCopy`).
#[derive(Debug, Clone, PartialEq)]
pub struct CrossRegionCopyPlan {
    pub url: String,
    pub source_region: String,
    pub destination_region: Option<String>,
}

impl CrossRegionCopyPlan {
    /// `None` unless the operation is customized so and its input has the members named.
    fn of(op: &Operation, input: &TypePlan) -> Option<CrossRegionCopyPlan> {
        let copy = op.customized.cross_region_copy.as_ref()?;
        let rust_name = |name: &str| input.field(name).map(|f| f.rust_name.clone());
        let destination_region = match &copy.destination_region {
            Some(name) => Some(rust_name(name)?),
            None => None,
        };
        Some(CrossRegionCopyPlan {
            url: rust_name(&copy.url)?,
            source_region: rust_name(&copy.source_region)?,
            destination_region,
        })
    }
}

/// An S3 listing's encoded members by their Rust names (see `ir::UrlEncodedListing`).
#[derive(Debug, Clone, PartialEq)]
pub struct ListingPlan {
    /// The input's `EncodingType` field: the caller's choice, which turns the decoding off.
    pub asked: String,
    /// The output's `EncodingType` field: what the service did.
    pub answered: String,
    /// The output's text fields that come encoded.
    pub texts: Vec<String>,
    /// (list field, its items' field) pairs that come encoded: `(contents, key)`.
    pub items: Vec<(String, String)>,
}

impl ListingPlan {
    /// `None` unless the operation is customized so and every member it names is in the model.
    fn of(shapes: &BTreeMap<ShapeId, Shape>, op: &Operation) -> Option<ListingPlan> {
        let listing = op.customized.url_encoded_listing.as_ref()?;
        let members = |id: Option<&ShapeId>| match id.and_then(|id| shapes.get(id)).map(|s| &s.kind) {
            Some(ShapeKind::Structure(structure)) => structure.members.as_slice(),
            _ => &[],
        };
        let rust_name =
            |id: Option<&ShapeId>, name: &str| members(id).iter().find(|m| m.name == name).map(|m| m.rust_name.clone());
        let item_shape = |list: &str| {
            let member = members(op.output.as_ref()).iter().find(|m| m.name == list)?;
            match &shapes.get(&member.target)?.kind {
                ShapeKind::List { member } => Some(member.clone()),
                _ => None,
            }
        };
        let items = listing.items.iter().map(|(list, item)| {
            Some((rust_name(op.output.as_ref(), list)?, rust_name(item_shape(list).as_ref(), item)?))
        });
        Some(ListingPlan {
            asked: rust_name(op.input.as_ref(), "EncodingType")?,
            answered: rust_name(op.output.as_ref(), "EncodingType")?,
            texts: listing.members.iter().map(|m| rust_name(op.output.as_ref(), m)).collect::<Option<_>>()?,
            items: items.collect::<Option<_>>()?,
        })
    }
}

/// A modeled error of an operation: its variant and the shared type it holds.
#[derive(Debug, Clone)]
pub struct ErrorPlan {
    pub variant: ErrorVariant,
    /// The error structure's Rust name in `types`.
    pub type_name: String,
    pub docs: Docs,
    /// Members the response's head carries (headers, the status), read before the body.
    pub head: Vec<FieldPlan>,
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
    let protocol = service.protocol;
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
        let input = io_type(&service, op.input.as_deref(), &op.names.input, true);
        let output = io_type(&service, op.output.as_deref(), &op.names.output, false);
        let errors = op.names.error_variants.iter().filter_map(|v| error(shapes, protocol, v)).collect();
        // A URL can't carry a stream of events.
        let presignable = !op.unsigned && service.auth.contains(&AuthScheme::SigV4) && !sends_events(&service, op);
        let listing = ListingPlan::of(shapes, op);
        let cross_region_copy = CrossRegionCopyPlan::of(op, &input);
        let op = op.clone();
        let plan =
            OperationPlan { op, input, output, errors, paginator, waiters, presignable, listing, cross_region_copy };
        operations.insert(name.clone(), plan);
    }
    let mut warnings = pager_warnings.into_found();
    warnings.extend(waiter_warnings.into_found());
    let types = shapes.values().filter(|s| s.shared).map(|s| type_plan(shapes, protocol, s.clone())).collect();
    let types = with_event_streams(shapes, types);
    (CratePlan { service: ServicePlan::of(&service), types, operations, ir: service }, warnings)
}

impl ServicePlan {
    fn of(service: &Service) -> ServicePlan {
        // Named field by field, so that a field added to the IR's service is decided on here.
        let settings = ServiceSettings::of(service);
        let Service {
            service_id,
            full_name,
            api_version,
            protocol,
            endpoint_prefix,
            signing_name,
            auth,
            target_prefix,
            query_compatible,
            endpoint_rules,
            headers,
            docs,
            skipped_operations,
            operations: _,
            shapes: _,
            source: _,
        } = service.clone();
        ServicePlan {
            service_id,
            full_name,
            api_version,
            protocol,
            endpoint_prefix,
            signing_name,
            auth,
            target_prefix,
            query_compatible,
            endpoint_rules,
            headers,
            docs,
            skipped_operations,
            settings,
        }
    }
}

fn type_plan(shapes: &BTreeMap<ShapeId, Shape>, protocol: Protocol, shape: Shape) -> TypePlan {
    let members = match &shape.kind {
        ShapeKind::Structure(structure) => structure.members.as_slice(),
        ShapeKind::Union(members) => members.as_slice(),
        _ => &[],
    };
    TypePlan { fields: fields::fields(shapes, protocol, members), shape, events: None }
}

/// The event streams among `types`, planned against every type name of the crate.
fn with_event_streams(shapes: &BTreeMap<ShapeId, Shape>, mut types: Vec<TypePlan>) -> Vec<TypePlan> {
    let taken: std::collections::BTreeSet<&str> = types.iter().map(|t| t.names.type_name.as_str()).collect();
    let streams: Vec<_> =
        types.iter().map(|t| t.shape.event_stream.then(|| event_stream::plan(shapes, &t.shape, &taken))).collect();
    for (ty, stream) in types.iter_mut().zip(streams) {
        ty.events = stream;
    }
    types
}

fn error(shapes: &BTreeMap<ShapeId, Shape>, protocol: Protocol, variant: &ErrorVariant) -> Option<ErrorPlan> {
    let shape = shapes.get(&variant.shape)?;
    let head: Vec<_> = shape
        .members()
        .iter()
        .filter(|m| matches!(m.binding, Binding::Header | Binding::StatusCode))
        .cloned()
        .collect();
    Some(ErrorPlan {
        variant: variant.clone(),
        type_name: shape.names.type_name.clone(),
        docs: shape.docs.clone(),
        head: fields::fields(shapes, protocol, &head),
    })
}

/// An operation's input (`sent`) or output structure, as a type of the operation's module.
fn io_type(service: &Service, id: Option<&str>, type_name: &str, sent: bool) -> TypePlan {
    type_plan(&service.shapes, service.protocol, io_shape(service, id, type_name, sent))
}

/// An operation's input (`sent`) or output shape. An operation without one gets an empty
/// structure under the operation's name, so that every operation has the same API shape (the
/// test harnesses take it from here too).
pub fn io_shape(service: &Service, id: Option<&str>, type_name: &str, sent: bool) -> Shape {
    if let Some(shape) = id.and_then(|id| service.shapes.get(id)) {
        if matches!(shape.kind, ShapeKind::Structure(_)) {
            return shape.clone();
        }
    }
    let empty = ShapeKind::Structure(Structure { input: sent, ..Structure::new(Vec::new()) });
    Shape { sent, received: !sent, json_out: sent, json_in: !sent, ..Shape::new(type_name, empty) }
}
