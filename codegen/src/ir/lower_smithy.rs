//! Smithy JSON AST -> the same IR botocore models lower into. Mixins and `apply` are resolved
//! first; then the one service shape, its operations (also through resources) and the shapes
//! they reach. Problems are collected with JSON pointers, never panicked on.

use super::*;
use crate::diagnostic::{pointer, Diagnostic, Sink};
use crate::model::botocore as bc;
use crate::model::smithy as sm;
use serde_json::Value;
use std::collections::BTreeSet;

const UNIT: &str = "smithy.api#Unit";

pub(crate) fn lower(
    file: &str,
    model: sm::Model,
    paginators: Option<(&str, bc::PaginatorsFile)>,
) -> (Service, Vec<Diagnostic>) {
    let mut sink = Sink::new(file);
    if !matches!(model.smithy.as_str(), "2.0" | "2" | "1.0" | "1") {
        sink.error("/smithy", format!("unsupported Smithy version \"{}\"", model.smithy));
    }
    let service_id = find_service(&model.shapes, &mut sink);
    let (shapes, original_ids) = disambiguate(model.shapes, service_id.as_deref());
    let shapes = resolve_mixins(apply_traits(shapes, &mut sink), &mut sink);
    let service_shape = service_id.as_ref().and_then(|id| shapes.get(id));
    let traits = service_shape.map(|s| s.traits.clone()).unwrap_or_default();
    let protocol = match &service_id {
        Some(id) => protocol(&traits, &format!("{}/traits", pointer(["shapes", id])), &mut sink),
        None => Protocol::RestJson,
    };
    // restJson1 and restXml bind members to the HTTP message; the other protocols send bodies.
    let rest = matches!(protocol, Protocol::RestJson | Protocol::RestXml);
    let sdk = traits.get("aws.api#service");
    let text =
        |value: Option<&Value>, key: &str| value.and_then(|v| v.get(key)).and_then(Value::as_str).map(str::to_owned);
    let local_service = service_id.as_deref().map(local).unwrap_or_default().to_owned();
    let sdk_id = text(sdk, "sdkId").unwrap_or_else(|| local_service.clone());
    let endpoint_prefix = text(sdk, "endpointPrefix").unwrap_or_else(|| sdk_id.to_lowercase().replace(' ', ""));

    let mut ir_shapes = BTreeMap::new();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for (id, shape) in &shapes {
        if matches!(shape.kind.as_str(), "service" | "operation" | "resource")
            || shape.traits.contains_key("smithy.api#mixin")
        {
            continue;
        }
        let ir_id = ir_id(id);
        if let Some(other) = names.insert(ir_id.clone(), id.clone()) {
            sink.error(pointer(["shapes", id]), format!("shapes {other} and {id} have the same name"));
        }
        if let Some(lowered) = lower_shape(id, shape, &shapes, protocol, &mut sink) {
            ir_shapes.insert(ir_id, lowered);
        }
    }
    add_prelude_shapes(&mut ir_shapes, &shapes);

    let service_errors: Vec<String> =
        service_shape.map(|s| s.errors.iter().map(|t| t.target.clone()).collect()).unwrap_or_default();
    let default_pagination = traits.get("smithy.api#paginated");
    let mut operations = BTreeMap::new();
    let op_ids = service_operations(service_shape, &shapes, &mut sink);
    for op_id in op_ids.clone() {
        let Some(op) = shapes.get(&op_id).filter(|s| s.kind == "operation") else {
            sink.error(pointer(["shapes", &op_id]), format!("operation {op_id} is not defined"));
            continue;
        };
        let mut lowered = lower_operation(&op_id, op, &service_errors, default_pagination, rest, &mut sink);
        let discovered = op.traits.get("aws.api#clientDiscoveredEndpoint");
        let endpoint_operation = traits
            .get("aws.api#clientEndpointDiscovery")
            .and_then(|t| t.get("operation"))
            .and_then(Value::as_str)
            .map(|id| local(id).to_owned());
        if let (Some(discovered), Some(operation)) = (discovered, endpoint_operation) {
            let required = discovered.get("required").and_then(Value::as_bool).unwrap_or(false);
            lowered.endpoint_discovery = Some(EndpointDiscovery { operation, required });
        }
        lowered.endpoint_params = endpoint_params(op, &shapes);
        if protocol == Protocol::RestXml {
            lowered.body_root = body_root(op, &shapes, &traits);
        }
        operations.insert(local(&op_id).to_owned(), lowered);
    }
    let mut found = Vec::new();
    if let Some((pager_file, pagers)) = paginators {
        let mut pager_sink = Sink::new(pager_file);
        super::lower_botocore::attach_paginators(&mut operations, pagers, &mut pager_sink);
        found = pager_sink.into_found();
    }
    let service = Service {
        full_name: traits
            .get("smithy.api#title")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| sdk_id.clone()),
        signing_name: text(traits.get("aws.auth#sigv4"), "name").unwrap_or_else(|| endpoint_prefix.clone()),
        auth: auth_schemes(&traits),
        service_id: sdk_id,
        api_version: service_shape.and_then(|s| s.version.clone()).unwrap_or_default(),
        protocol,
        endpoint_prefix,
        target_prefix: (!rest).then_some(local_service),
        query_compatible: traits.contains_key("aws.protocols#awsQueryCompatible"),
        endpoint_rules: None,
        headers: Vec::new(),
        docs: docs(&traits),
        operations,
        shapes: ir_shapes,
        skipped_operations: BTreeMap::new(),
        source: SourceMap {
            shapes: names
                .iter()
                .map(|(ir, id)| (ir.clone(), pointer(["shapes", original_ids.get(id).unwrap_or(id)])))
                .collect(),
            operations: op_ids.iter().map(|id| (local(id).to_owned(), pointer(["shapes", id]))).collect(),
            reference_key: "target".to_owned(),
        },
    };
    found.extend(sink.into_found());
    (service, found)
}

/// `ns#Name` -> `Name`.
fn local(id: &str) -> &str {
    id.rsplit_once('#').map_or(id, |(_, name)| name)
}

/// The IR id of a Smithy shape: its local name, as botocore names shapes; prelude shapes keep
/// their absolute id so they can't meet a model's own `String` or `Integer`.
fn ir_id(id: &str) -> ShapeId {
    if id.starts_with("smithy.api#") {
        id.to_owned()
    } else {
        local(id).to_owned()
    }
}

fn docs(traits: &BTreeMap<String, Value>) -> Docs {
    Docs(traits.get("smithy.api#documentation").and_then(Value::as_str).map(str::to_owned))
}

/// Shapes of other namespaces whose local name another shape has too are renamed after their
/// namespace's last segment (`aws.protocoltests.shared#GreetingStruct` ->
/// `...#SharedGreetingStruct`), so local names, which the IR uses, stay unique. Returns the
/// renamed model and each new id's original id.
fn disambiguate(
    shapes: BTreeMap<String, sm::Shape>,
    service: Option<&str>,
) -> (BTreeMap<String, sm::Shape>, BTreeMap<String, String>) {
    let home = service.and_then(|id| id.split_once('#')).map(|(ns, _)| ns).unwrap_or_default();
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for id in shapes.keys().filter(|id| !id.starts_with("smithy.api#")) {
        *count.entry(local(id)).or_default() += 1;
    }
    let renames: BTreeMap<String, String> = shapes
        .keys()
        .filter(|id| count.get(local(id)).is_some_and(|n| *n > 1))
        .filter_map(|id| {
            let (namespace, name) = id.split_once('#')?;
            (namespace != home).then(|| {
                let segment = namespace.rsplit('.').next().unwrap_or(namespace);
                let mut prefix: Vec<char> = segment.chars().collect();
                if let Some(first) = prefix.first_mut() {
                    *first = first.to_ascii_uppercase();
                }
                (id.clone(), format!("{namespace}#{}{name}", prefix.into_iter().collect::<String>()))
            })
        })
        .collect();
    if renames.is_empty() {
        return (shapes, BTreeMap::new());
    }
    let rename = |target: &mut String| {
        if let Some(new) = renames.get(target.as_str()) {
            *target = new.clone();
        }
    };
    let mut renamed = BTreeMap::new();
    for (id, mut shape) in shapes {
        for member in shape.members.values_mut().chain(&mut shape.member).chain(&mut shape.key).chain(&mut shape.value)
        {
            rename(&mut member.target);
        }
        let single = [
            &mut shape.input,
            &mut shape.output,
            &mut shape.create,
            &mut shape.put,
            &mut shape.read,
            &mut shape.update,
            &mut shape.delete,
            &mut shape.list,
        ];
        for target in single.into_iter().flatten() {
            rename(&mut target.target);
        }
        let lists = [
            &mut shape.errors,
            &mut shape.operations,
            &mut shape.resources,
            &mut shape.collection_operations,
            &mut shape.mixins,
        ];
        for target in lists.into_iter().flatten() {
            rename(&mut target.target);
        }
        let id = renames.get(&id).cloned().unwrap_or(id);
        renamed.insert(id, shape);
    }
    (renamed, renames.into_iter().map(|(old, new)| (new, old)).collect())
}

/// `"type": "apply"` shapes add traits to another shape.
fn apply_traits(mut shapes: BTreeMap<String, sm::Shape>, sink: &mut Sink) -> BTreeMap<String, sm::Shape> {
    let applies: Vec<(String, sm::Shape)> =
        shapes.iter().filter(|(_, s)| s.kind == "apply").map(|(k, v)| (k.clone(), v.clone())).collect();
    for (id, apply) in applies {
        shapes.remove(&id);
        // `ns#Shape$member` applies to a member.
        let (shape_id, member) = id.split_once('$').map_or((id.as_str(), None), |(s, m)| (s, Some(m)));
        let target = shapes.get_mut(shape_id);
        let traits = match (target, member) {
            (Some(shape), None) => Some(&mut shape.traits),
            (Some(shape), Some(member)) => shape.members.get_mut(member).map(|m| &mut m.traits),
            (None, _) => None,
        };
        match traits {
            Some(traits) => traits.extend(apply.traits),
            None => sink.error(
                pointer(["shapes", &id]),
                format!("traits are applied to {id}, which the model does not define"),
            ),
        }
    }
    shapes
}

/// Copies each mixin's members and traits into the shapes that use it.
fn resolve_mixins(shapes: BTreeMap<String, sm::Shape>, sink: &mut Sink) -> BTreeMap<String, sm::Shape> {
    let mut resolved = shapes.clone();
    for (id, shape) in &shapes {
        if shape.mixins.is_empty() {
            continue;
        }
        let mut members = sm::Members::default();
        let mut traits = BTreeMap::new();
        let mut pending: Vec<String> = shape.mixins.iter().map(|t| t.target.clone()).collect();
        let mut seen = BTreeSet::new();
        while let Some(mixin_id) = pending.pop() {
            if !seen.insert(mixin_id.clone()) {
                continue;
            }
            let Some(mixin) = shapes.get(&mixin_id) else {
                sink.error(format!("{}/mixins", pointer(["shapes", id])), format!("mixin {mixin_id} is not defined"));
                continue;
            };
            pending.extend(mixin.mixins.iter().map(|t| t.target.clone()));
            members.extend(&mixin.members);
            traits.extend(
                mixin.traits.iter().filter(|(k, _)| *k != "smithy.api#mixin").map(|(k, v)| (k.clone(), v.clone())),
            );
        }
        if let Some(target) = resolved.get_mut(id) {
            members.extend(&target.members);
            traits.extend(target.traits.clone());
            target.members = members;
            target.traits = traits;
        }
    }
    resolved
}

fn find_service(shapes: &BTreeMap<String, sm::Shape>, sink: &mut Sink) -> Option<String> {
    let services: Vec<&String> = shapes.iter().filter(|(_, s)| s.kind == "service").map(|(id, _)| id).collect();
    match services.as_slice() {
        [one] => Some((*one).clone()),
        [] => {
            sink.error("/shapes", "the model has no service shape");
            None
        }
        many => {
            let ids: Vec<&str> = many.iter().map(|s| s.as_str()).collect();
            sink.error("/shapes", format!("the model has several service shapes: {}", ids.join(", ")));
            None
        }
    }
}

/// Protocol traits in botocore's order of preference (see `lower_botocore::SUPPORTED_PROTOCOLS`):
/// a service with several is generated for the first.
const PROTOCOL_TRAITS: [(&str, Protocol); 7] = [
    ("smithy.protocols#rpcv2Cbor", Protocol::RpcV2Cbor),
    ("aws.protocols#awsJson1_0", Protocol::AwsJson { version_minor: 0 }),
    ("aws.protocols#awsJson1_1", Protocol::AwsJson { version_minor: 1 }),
    ("aws.protocols#restJson1", Protocol::RestJson),
    ("aws.protocols#restXml", Protocol::RestXml),
    ("aws.protocols#awsQuery", Protocol::AwsQuery),
    ("aws.protocols#ec2Query", Protocol::Ec2Query),
];

fn protocol(traits: &BTreeMap<String, Value>, at: &str, sink: &mut Sink) -> Protocol {
    if let Some((_, protocol)) = PROTOCOL_TRAITS.iter().find(|(id, _)| traits.contains_key(*id)) {
        return *protocol;
    }
    let known: Vec<&str> = traits.keys().filter(|k| k.contains(".protocols#")).map(String::as_str).collect();
    let supported: Vec<&str> = PROTOCOL_TRAITS.iter().map(|(id, _)| *id).collect();
    sink.error_with_hint(
        at,
        format!(
            "the service has no supported protocol trait (found: {})",
            if known.is_empty() { "none".to_owned() } else { known.join(", ") }
        ),
        format!("supported protocols are {}", supported.join(", ")),
    );
    Protocol::RestJson
}

/// The service's operations, its resources' too, in a stable order.
fn service_operations(
    service: Option<&sm::Shape>,
    shapes: &BTreeMap<String, sm::Shape>,
    sink: &mut Sink,
) -> BTreeSet<String> {
    let mut operations = BTreeSet::new();
    let Some(service) = service else { return operations };
    operations.extend(service.operations.iter().map(|t| t.target.clone()));
    let mut resources: Vec<String> = service.resources.iter().map(|t| t.target.clone()).collect();
    let mut seen = BTreeSet::new();
    while let Some(id) = resources.pop() {
        if !seen.insert(id.clone()) {
            continue;
        }
        let Some(resource) = shapes.get(&id) else {
            sink.error(pointer(["shapes", &id]), format!("resource {id} is not defined"));
            continue;
        };
        let lifecycle =
            [&resource.create, &resource.put, &resource.read, &resource.update, &resource.delete, &resource.list];
        operations.extend(lifecycle.into_iter().flatten().map(|t| t.target.clone()));
        operations.extend(resource.operations.iter().chain(&resource.collection_operations).map(|t| t.target.clone()));
        resources.extend(resource.resources.iter().map(|t| t.target.clone()));
    }
    operations
}

fn lower_operation(
    id: &str,
    op: &sm::Shape,
    service_errors: &[String],
    default_pagination: Option<&Value>,
    rest: bool,
    sink: &mut Sink,
) -> Operation {
    let http = op.traits.get("smithy.api#http");
    let field = |key: &str| http.and_then(|h| h.get(key));
    if rest && http.is_none() {
        sink.error(
            format!("{}/traits", pointer(["shapes", id])),
            format!("operation {id} has no smithy.api#http trait"),
        );
    }
    let shape_ref =
        |target: &Option<sm::Target>| target.as_ref().filter(|t| t.target != UNIT).map(|t| ir_id(&t.target));
    let mut errors: Vec<ShapeId> =
        op.errors.iter().map(|t| t.target.clone()).chain(service_errors.iter().cloned()).map(|t| ir_id(&t)).collect();
    errors.sort();
    errors.dedup();
    Operation {
        name: local(id).to_owned(),
        names: OperationNames::default(),
        http: HttpBinding {
            method: field("method").and_then(Value::as_str).unwrap_or("POST").to_owned(),
            uri: field("uri").and_then(Value::as_str).unwrap_or("/").to_owned(),
            response_code: field("code").and_then(Value::as_u64).and_then(|c| u16::try_from(c).ok()).unwrap_or(200),
        },
        input: shape_ref(&op.input),
        output: shape_ref(&op.output),
        errors,
        docs: docs(&op.traits),
        deprecated: op.traits.contains_key("smithy.api#deprecated"),
        pagination: pagination(op.traits.get("smithy.api#paginated"), default_pagination),
        waiters: waiters(op.traits.get("smithy.waiters#waitable")),
        host_prefix: op
            .traits
            .get("smithy.api#endpoint")
            .and_then(|e| e.get("hostPrefix"))
            .and_then(Value::as_str)
            .map(str::to_owned),
        request_checksum: request_checksum(&op.traits),
        response_checksum: response_checksum(&op.traits),
        customized: Customized::default(),
        unwrapped_xml_output: op.traits.contains_key("aws.customizations#s3UnwrappedXmlOutput"),
        // `@auth([])`: no scheme, so sent unsigned.
        unsigned_payload: op.traits.contains_key("aws.auth#unsignedPayload"),
        gzip_request: op
            .traits
            .get("smithy.api#requestCompression")
            .and_then(|t| t.get("encodings"))
            .and_then(Value::as_array)
            .is_some_and(|encodings| encodings.iter().any(|e| e == "gzip")),
        unsigned: op.traits.get("smithy.api#auth").and_then(Value::as_array).is_some_and(Vec::is_empty),
        endpoint_params: Vec::new(), // needs the input's members: see `endpoint_params`
        result_wrapper: None,
        body_root: None,
        endpoint_discovery: None, // needs the service's `aws.api#clientEndpointDiscovery`: see `lower`
    }
}

/// `smithy.api#paginated`, each missing key taken from the service's defaults.
fn pagination(op: Option<&Value>, defaults: Option<&Value>) -> Option<Pagination> {
    let op = op?;
    let key = |name: &str| {
        op.get(name).or_else(|| defaults.and_then(|d| d.get(name))).and_then(Value::as_str).map(str::to_owned)
    };
    let (input, output) = (key("inputToken")?, key("outputToken")?);
    Some(Pagination {
        input_tokens: vec![input],
        output_tokens: vec![output],
        limit_key: key("pageSize"),
        result_keys: key("items").into_iter().collect(),
        more_results: None,
        non_aggregate_keys: Vec::new(),
    })
}

/// The `smithy.waiters#waitable` trait: Smithy waiters have a minimum delay (default 2 s) and no
/// attempt limit (the caller's `max_wait` bounds them).
fn waiters(trait_value: Option<&Value>) -> Vec<Waiter> {
    let Some(waiters) = trait_value.and_then(Value::as_object) else { return Vec::new() };
    let mut lowered: Vec<Waiter> = waiters
        .iter()
        .map(|(name, waiter)| Waiter {
            name: name.clone(),
            method: String::new(),
            docs: Docs(waiter.get("documentation").and_then(Value::as_str).map(str::to_owned)),
            delay: waiter.get("minDelay").and_then(Value::as_u64).and_then(|d| u32::try_from(d).ok()).unwrap_or(2),
            max_attempts: u32::MAX,
            acceptors: waiter.get("acceptors").and_then(Value::as_array).into_iter().flatten().map(acceptor).collect(),
        })
        .collect();
    lowered.sort_by(|a, b| a.name.cmp(&b.name));
    lowered
}

fn acceptor(acceptor: &Value) -> Acceptor {
    let state = match acceptor.get("state").and_then(Value::as_str) {
        Some("success") => AcceptorState::Success,
        Some("failure") => AcceptorState::Failure,
        _ => AcceptorState::Retry,
    };
    let matcher = acceptor.get("matcher");
    let text = |value: Option<&Value>| value.and_then(Value::as_str).map(str::to_owned);
    let matcher = if let Some(output) = matcher.and_then(|m| m.get("output")) {
        let (expression, expected) = (text(output.get("path")).unwrap_or_default(), text(output.get("expected")));
        let expected = expected.unwrap_or_default();
        match output.get("comparator").and_then(Value::as_str) {
            Some("booleanEquals") => Matcher::Path { expression, expected: Value::Bool(expected == "true") },
            Some("allStringEquals") => Matcher::PathAll { expression, expected: Value::String(expected) },
            Some("anyStringEquals") => Matcher::PathAny { expression, expected: Value::String(expected) },
            _ => Matcher::Path { expression, expected: Value::String(expected) },
        }
    } else if let Some(error) = text(matcher.and_then(|m| m.get("errorType"))) {
        let code = error.rsplit('#').next().unwrap_or_default().to_owned();
        Matcher::Error(Value::String(code))
    } else if let Some(success) = matcher.and_then(|m| m.get("success")).and_then(Value::as_bool) {
        Matcher::Error(Value::Bool(!success))
    } else {
        Matcher::Unsupported("only output, errorType and success matchers are supported".to_owned())
    };
    Acceptor { state, matcher }
}

fn lower_shape(
    id: &str,
    shape: &sm::Shape,
    shapes: &BTreeMap<String, sm::Shape>,
    protocol: Protocol,
    sink: &mut Sink,
) -> Option<Shape> {
    let at = pointer(["shapes", id]);
    let kind = match shape.kind.as_str() {
        "string" => match shape.traits.get("smithy.api#enum").and_then(Value::as_array) {
            // Smithy 1.0 enums are strings with an `enum` trait.
            Some(values) => {
                ShapeKind::Enum(enum_values(values.iter().filter_map(|v| v.get("value")?.as_str().map(str::to_owned))))
            }
            None => ShapeKind::String,
        },
        "enum" => ShapeKind::Enum(enum_values(shape.members.iter().map(|(name, member)| {
            member.traits.get("smithy.api#enumValue").and_then(Value::as_str).unwrap_or(name).to_owned()
        }))),
        "boolean" => ShapeKind::Boolean,
        "byte" | "short" | "integer" | "intEnum" => ShapeKind::Integer,
        "long" => ShapeKind::Long,
        "float" => ShapeKind::Float,
        "double" => ShapeKind::Double,
        "timestamp" => ShapeKind::Timestamp,
        "blob" => ShapeKind::Blob,
        "document" => ShapeKind::Document,
        "list" | "set" => ShapeKind::List { member: member_target(&shape.member, &at, "member", sink)? },
        "map" => ShapeKind::Map {
            key: member_target(&shape.key, &at, "key", sink)?,
            value: member_target(&shape.value, &at, "value", sink)?,
        },
        "structure" => ShapeKind::Structure(Structure {
            members: lower_members(&at, shape, shapes, protocol, sink),
            error: shape.traits.get("smithy.api#error").map(|fault| ErrorInfo {
                code: shape
                    .traits
                    .get("aws.protocols#awsQueryError")
                    .and_then(|e| e.get("code"))
                    .and_then(Value::as_str)
                    .unwrap_or(local(id))
                    .to_owned(),
                http_status: shape
                    .traits
                    .get("smithy.api#httpError")
                    .and_then(Value::as_u64)
                    .and_then(|s| u16::try_from(s).ok()),
                server_fault: fault.as_str() == Some("server"),
            }),
            input: false, // decided by `transform::resolve_optionality`
        }),
        "union" => ShapeKind::Union(lower_members(&at, shape, shapes, protocol, sink)),
        other => {
            sink.error_with_hint(
                format!("{at}/type"),
                format!("shape {id} has type \"{other}\", which this generator does not support"),
                "supported: string, enum, boolean, byte, short, integer, intEnum, long, float, double, timestamp, blob, document, list, set, map, structure, union",
            );
            ShapeKind::String // a stand-in: the problem is reported, references to it are not
        }
    };
    Some(Shape {
        docs: docs(&shape.traits),
        sensitive: shape.traits.contains_key("smithy.api#sensitive"),
        deprecated: shape.traits.contains_key("smithy.api#deprecated"),
        streaming: shape.traits.contains_key("smithy.api#streaming"),
        event_stream: shape.kind == "union" && shape.traits.contains_key("smithy.api#streaming"),
        media_type: shape.traits.get("smithy.api#mediaType").and_then(Value::as_str).map(str::to_owned),
        sparse: shape.traits.contains_key("smithy.api#sparse"),
        xml_names: XmlNames {
            item: xml_name(shape.member.as_ref().map(|m| &m.traits)),
            key: xml_name(shape.key.as_ref().map(|m| &m.traits)),
            value: xml_name(shape.value.as_ref().map(|m| &m.traits)),
            flattened: false, // Smithy flattens on the member (`xmlFlattened`)
        },
        xml_namespace: xml_namespace(&shape.traits),
        ..Shape::new(ir_id(id), kind)
    })
}

/// Enum values in canonical (sorted) order, as botocore lowering also gives them.
fn enum_values(values: impl Iterator<Item = String>) -> Vec<EnumValue> {
    let mut values: Vec<EnumValue> = values.map(|value| EnumValue { value, variant: String::new() }).collect();
    values.sort_by(|a, b| a.value.cmp(&b.value));
    values
}

fn member_target(member: &Option<sm::MemberRef>, at: &str, key: &str, sink: &mut Sink) -> Option<ShapeId> {
    match member {
        Some(member) => Some(ir_id(&member.target)),
        None => {
            sink.error(at, format!("this shape needs a \"{key}\""));
            None
        }
    }
}

fn lower_members(
    at: &str,
    shape: &sm::Shape,
    shapes: &BTreeMap<String, sm::Shape>,
    protocol: Protocol,
    sink: &mut Sink,
) -> Vec<Member> {
    let rest = matches!(protocol, Protocol::RestJson | Protocol::RestXml);
    shape
        .members
        .iter()
        .map(|(name, member)| {
            let traits = &member.traits;
            let text = |key: &str| traits.get(key).and_then(Value::as_str).map(str::to_owned);
            let target_traits = shapes.get(&member.target).map(|s| &s.traits);
            let (location, wire_name) = if !rest {
                (Location::Body, name.clone())
            } else if traits.contains_key("smithy.api#httpLabel") {
                (Location::Label, name.clone())
            } else if let Some(query) = text("smithy.api#httpQuery") {
                (Location::Query, query)
            } else if traits.contains_key("smithy.api#httpQueryParams") {
                (Location::Query, name.clone())
            } else if let Some(header) = text("smithy.api#httpHeader") {
                (Location::Header, header)
            } else if let Some(prefix) = text("smithy.api#httpPrefixHeaders") {
                (Location::PrefixHeaders, prefix)
            } else if traits.contains_key("smithy.api#httpPayload") {
                let element = match protocol {
                    Protocol::RestXml => payload_element(name, traits, &member.target, shapes.get(&member.target)),
                    _ => name.clone(),
                };
                (Location::Payload, element)
            } else if traits.contains_key("smithy.api#httpResponseCode") {
                (Location::StatusCode, name.clone())
            } else {
                (Location::Body, text("smithy.api#jsonName").unwrap_or_else(|| name.clone()))
            };
            // XML protocols name elements (and awsQuery and EC2 their form keys) by `xmlName`.
            let wire_name = match xml_name(Some(traits)) {
                Some(element) if protocol.reads_xml() && location == Location::Body => element,
                _ => wire_name,
            };
            let format = text("smithy.api#timestampFormat").or_else(|| {
                target_traits
                    .and_then(|t| t.get("smithy.api#timestampFormat"))
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            });
            let media_type =
                target_traits.and_then(|t| t.get("smithy.api#mediaType")).and_then(Value::as_str).unwrap_or_default();
            Member {
                name: name.clone(),
                rust_name: String::new(),
                setter: String::new(),
                getter: String::new(),
                target: ir_id(&member.target),
                required: traits.contains_key("smithy.api#required") || location == Location::Label,
                docs: docs(traits),
                deprecated: traits.contains_key("smithy.api#deprecated"),
                idempotency_token: traits.contains_key("smithy.api#idempotencyToken"),
                host_label: traits.contains_key("smithy.api#hostLabel"),
                label_fallback: None,
                send_as: None,
                read_as: None,
                json_value: location == Location::Header && media_type.contains("json"),
                event_payload: traits.contains_key("smithy.api#eventPayload"),
                event_header: traits.contains_key("smithy.api#eventHeader"),
                flattened: traits.contains_key("smithy.api#xmlFlattened"),
                query_name: text("aws.protocols#ec2QueryName"),
                xml_attribute: traits.contains_key("smithy.api#xmlAttribute"),
                declared_at: shape.members.declared_at(name),
                xml_namespace: xml_namespace(traits),
                timestamp_format: format
                    .and_then(|f| timestamp_format(&f, &format!("{at}{}", pointer(["members", name])), sink)),
                boxed: false,
                optional: true,
                binding: Binding::Body,
                redacted: false,
                location,
                wire_name,
            }
        })
        .collect()
}

/// `smithy.api#xmlName`, if the traits set it.
fn xml_name(traits: Option<&BTreeMap<String, Value>>) -> Option<String> {
    traits?.get("smithy.api#xmlName").and_then(Value::as_str).map(str::to_owned)
}

/// `smithy.api#xmlNamespace` (`{"uri": ..., "prefix": ...}`), if the traits set it.
fn xml_namespace(traits: &BTreeMap<String, Value>) -> Option<XmlNamespace> {
    let namespace = traits.get("smithy.api#xmlNamespace")?;
    Some(XmlNamespace {
        uri: namespace.get("uri").and_then(Value::as_str).unwrap_or_default().to_owned(),
        prefix: namespace.get("prefix").and_then(Value::as_str).map(str::to_owned),
    })
}

/// restXml names a structure or union payload's element by the member's `xmlName`, else the
/// target's, else the target's name; other payloads have no element.
fn payload_element(member: &str, traits: &BTreeMap<String, Value>, target: &str, shape: Option<&sm::Shape>) -> String {
    let Some(shape) = shape.filter(|s| matches!(s.kind.as_str(), "structure" | "union")) else {
        return member.to_owned();
    };
    xml_name(Some(traits)).or_else(|| xml_name(Some(&shape.traits))).unwrap_or_else(|| local(target).to_owned())
}

/// restXml: the element of an input's body members is the input's `xmlName`, else its name; it
/// declares the input's namespace, else the service's.
fn body_root(
    op: &sm::Shape,
    shapes: &BTreeMap<String, sm::Shape>,
    service: &BTreeMap<String, Value>,
) -> Option<XmlElement> {
    let input = op.input.as_ref().filter(|t| t.target != UNIT)?;
    let traits = shapes.get(&input.target).map(|s| &s.traits);
    Some(XmlElement {
        name: xml_name(traits).unwrap_or_else(|| local(&input.target).to_owned()),
        namespace: traits.and_then(xml_namespace).or_else(|| xml_namespace(service)),
    })
}

fn timestamp_format(format: &str, at: &str, sink: &mut Sink) -> Option<TimestampFormat> {
    match format {
        "epoch-seconds" => Some(TimestampFormat::EpochSeconds),
        "date-time" => Some(TimestampFormat::DateTime),
        "http-date" => Some(TimestampFormat::HttpDate),
        other => {
            sink.error(format!("{at}/traits"), format!("unknown timestamp format \"{other}\""));
            None
        }
    }
}

/// The prelude's simple shapes (`smithy.api#String`, `PrimitiveInteger`, ...) that the model
/// targets, as IR shapes of their own.
fn add_prelude_shapes(ir: &mut BTreeMap<ShapeId, Shape>, shapes: &BTreeMap<String, sm::Shape>) {
    let targets = shapes
        .values()
        .flat_map(|s| s.members.values().chain(&s.member).chain(&s.key).chain(&s.value).map(|m| m.target.clone()));
    for target in targets.filter(|t| t.starts_with("smithy.api#")).collect::<BTreeSet<_>>() {
        let kind = match local(&target) {
            // A union member of no value (`quit: Unit`): an empty structure.
            "Unit" => ShapeKind::Structure(Structure::new(Vec::new())),
            "String" => ShapeKind::String,
            "Blob" => ShapeKind::Blob,
            "Boolean" | "PrimitiveBoolean" => ShapeKind::Boolean,
            "Byte" | "PrimitiveByte" | "Short" | "PrimitiveShort" | "Integer" | "PrimitiveInteger" => {
                ShapeKind::Integer
            }
            "Long" | "PrimitiveLong" => ShapeKind::Long,
            "Float" | "PrimitiveFloat" => ShapeKind::Float,
            "Double" | "PrimitiveDouble" => ShapeKind::Double,
            "Timestamp" => ShapeKind::Timestamp,
            "Document" => ShapeKind::Document,
            _ => continue, // unknown prelude ids are reported as undefined references
        };
        let shape = Shape::new(target.clone(), kind);
        ir.insert(target, shape);
    }
}

/// The endpoint rule-set parameters an operation sets, as botocore's lowering reads them:
/// `smithy.rules#staticContextParams`, `#operationContextParams` naming one top-level member
/// (projections are left out), and `#contextParam` on the input's members.
fn endpoint_params(op: &sm::Shape, shapes: &BTreeMap<String, sm::Shape>) -> Vec<EndpointParam> {
    let mut params = BTreeMap::new();
    let entries = |name: &str| op.traits.get(name).and_then(Value::as_object).into_iter().flatten();
    for (name, param) in entries("smithy.rules#staticContextParams") {
        if let Some(value) = param.get("value") {
            params.insert(name.clone(), EndpointParamValue::Static(value.clone()));
        }
    }
    for (name, param) in entries("smithy.rules#operationContextParams") {
        let path = param.get("path").and_then(Value::as_str);
        if let Some(path) = path.filter(|path| super::validate::is_simple_path(path)) {
            params.insert(name.clone(), EndpointParamValue::Member(path.to_owned()));
        }
    }
    let input = op.input.as_ref().and_then(|input| shapes.get(&input.target));
    for (member, member_ref) in input.map(|shape| shape.members.iter()).into_iter().flatten() {
        let param = member_ref.traits.get("smithy.rules#contextParam").and_then(|p| p.get("name"));
        if let Some(name) = param.and_then(Value::as_str) {
            params.insert(name.to_owned(), EndpointParamValue::Member(member.clone()));
        }
    }
    params.into_iter().map(|(name, value)| EndpointParam { name, value }).collect()
}

/// `@auth([..])` in its order; without it, every auth trait on the service in the order of their
/// shape ids, as Smithy specifies.
fn auth_schemes(traits: &BTreeMap<String, Value>) -> Vec<AuthScheme> {
    match traits.get("smithy.api#auth").and_then(Value::as_array) {
        Some(ids) => AuthScheme::from_ids(ids.iter().filter_map(Value::as_str)),
        None => AuthScheme::from_ids(traits.keys().map(String::as_str)),
    }
}

/// `aws.protocols#httpChecksum` with a request side, or `smithy.api#httpChecksumRequired`.
fn request_checksum(traits: &BTreeMap<String, Value>) -> Option<RequestChecksum> {
    let checksum = traits.get("aws.protocols#httpChecksum");
    let algorithm_member = checksum.and_then(|c| c.get("requestAlgorithmMember")).and_then(Value::as_str);
    let algorithm_member = algorithm_member.map(str::to_owned);
    let required = traits.contains_key("smithy.api#httpChecksumRequired")
        || checksum.and_then(|c| c.get("requestChecksumRequired")).and_then(Value::as_bool) == Some(true);
    (required || algorithm_member.is_some()).then_some(RequestChecksum { algorithm_member, required })
}

/// `aws.protocols#httpChecksum` with a response side.
fn response_checksum(traits: &BTreeMap<String, Value>) -> Option<ResponseChecksum> {
    let checksum = traits.get("aws.protocols#httpChecksum")?;
    let mode_member = checksum.get("requestValidationModeMember").and_then(Value::as_str);
    let algorithms = checksum.get("responseAlgorithms").and_then(Value::as_array).into_iter().flatten();
    ResponseChecksum::from_parts(mode_member, algorithms.filter_map(Value::as_str).map(str::to_owned).collect())
}
