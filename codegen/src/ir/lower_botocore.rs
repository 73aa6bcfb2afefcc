//! botocore JSON -> IR. Problems are collected with JSON pointers, never panicked on.

use super::*;
use crate::diagnostic::{pointer, Diagnostic, Diagnostics, Sink};
use crate::model::botocore as bc;

/// Parses a model file, naming the exact place of a syntax or type error.
pub(crate) fn parse<T: serde::de::DeserializeOwned>(file: &str, bytes: &[u8]) -> Result<T, Diagnostics> {
    let mut sink = Sink::new(file);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        sink.error("", "the file is empty; expected a JSON object");
        return Err(sink.fail());
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize(&mut de) {
        Ok(value) => Ok(value),
        Err(err) => {
            let path = json_pointer_of(err.path());
            let inner = err.into_inner();
            let at = format!("line {}, column {}", inner.line(), inner.column());
            let location = if path.is_empty() { at } else { format!("{path} ({at})") };
            let what = match inner.classify() {
                serde_json::error::Category::Syntax | serde_json::error::Category::Eof => "not valid JSON",
                serde_json::error::Category::Io => "could not be read",
                serde_json::error::Category::Data => "does not match the model format",
            };
            sink.error(location, format!("the file {what}: {}", strip_position(&inner.to_string())));
            Err(sink.fail())
        }
    }
}

fn json_pointer_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let segments: Vec<String> = path
        .iter()
        .filter_map(|segment| match segment {
            Segment::Seq { index } => Some(index.to_string()),
            Segment::Map { key } => Some(key.clone()),
            Segment::Enum { variant } => Some(variant.clone()),
            Segment::Unknown => None,
        })
        .collect();
    pointer(segments.iter().map(String::as_str))
}

/// serde_json appends " at line X column Y"; we report the position separately.
fn strip_position(message: &str) -> &str {
    message.find(" at line ").map_or(message, |at| &message[..at])
}

/// Lowers a parsed botocore model (and its optional paginators) into the IR, with every problem
/// found. The IR is complete enough for later checks to run even when there are problems, so
/// that all of them are reported at once.
pub(crate) fn lower(
    file: &str,
    model: bc::ServiceModel,
    paginators: Option<(&str, bc::PaginatorsFile)>,
) -> (Service, Vec<Diagnostic>) {
    let mut sink = Sink::new(file);
    let meta = &model.metadata;
    let protocol = lower_protocol(meta, &mut sink);
    let endpoint_prefix = meta.endpoint_prefix.clone().unwrap_or_else(|| {
        sink.error("/metadata/endpointPrefix", "the service has no endpointPrefix");
        String::new()
    });
    let service_id = meta.service_id.clone().or_else(|| meta.service_full_name.clone()).unwrap_or_else(|| {
        sink.error("/metadata", "the service has neither serviceId nor serviceFullName");
        String::new()
    });
    let api_version = meta.api_version.clone().unwrap_or_else(|| {
        sink.error("/metadata/apiVersion", "the service has no apiVersion");
        String::new()
    });

    let mut shapes: BTreeMap<ShapeId, Shape> = model
        .shapes
        .iter()
        .map(|(name, shape)| (name.clone(), lower_shape(name, shape, &model.shapes, &mut sink)))
        .collect();
    let mut operations: BTreeMap<String, Operation> = model
        .operations
        .iter()
        .map(|(name, op)| (name.clone(), lower_operation(name, op, &model.shapes, protocol, &mut sink)))
        .collect();

    for op in operations.values_mut() {
        label_by_member_name(op, &model);
    }
    let endpoint_operation = model.operations.iter().find(|(_, op)| op.endpoint_operation).map(|(name, _)| name);
    for (name, op) in &model.operations {
        let (Some(declared), Some(operation)) = (&op.endpoint_discovery, endpoint_operation) else { continue };
        if let Some(lowered) = operations.get_mut(name) {
            lowered.endpoint_discovery =
                Some(EndpointDiscovery { operation: operation.clone(), required: declared.required });
        }
    }
    payload_on_operation_refs(&model, &mut shapes);
    streaming_from_refs(&model, &mut shapes);
    if protocol.is_some_and(Protocol::reads_xml) {
        element_names_from_shapes(&model, &mut shapes);
    }
    let mut found = Vec::new();
    if let Some((pager_file, pagers)) = paginators {
        let mut pager_sink = Sink::new(pager_file);
        attach_paginators(&mut operations, pagers, &mut pager_sink);
        found = pager_sink.into_found();
    }

    let query_compatible = meta.aws_query_compatible.is_some();
    let service = Service {
        target_prefix: meta.target_prefix.clone(),
        query_compatible,
        endpoint_rules: None,
        headers: Vec::new(),
        full_name: meta.service_full_name.clone().unwrap_or_else(|| service_id.clone()),
        signing_name: meta.signing_name.clone().unwrap_or_else(|| endpoint_prefix.clone()),
        auth: auth_schemes(meta),
        service_id,
        api_version,
        protocol: protocol.unwrap_or(Protocol::RestJson),
        endpoint_prefix,
        docs: Docs(model.documentation.clone()),
        operations,
        shapes,
        skipped_operations: BTreeMap::new(),
        source: SourceMap { reference_key: "shape".to_owned(), ..SourceMap::default() },
    };
    found.extend(sink.into_found());
    (service, found)
}

/// `auth` when the model lists it, else what `signatureVersion` says (`bearer`, or a SigV4 kind).
fn auth_schemes(meta: &bc::Metadata) -> Vec<AuthScheme> {
    match (meta.auth.is_empty(), meta.signature_version.as_deref()) {
        (false, _) => AuthScheme::from_ids(meta.auth.iter().map(String::as_str)),
        (true, Some("bearer")) => vec![AuthScheme::Bearer],
        (true, _) => vec![AuthScheme::SigV4],
    }
}

/// The protocols the generator speaks, in botocore's order of preference.
pub const SUPPORTED_PROTOCOLS: [&str; 6] = ["smithy-rpc-v2-cbor", "json", "rest-json", "rest-xml", "query", "ec2"];

/// The protocol a model is generated for: of those it lists in `protocols`, the first the
/// generator speaks in botocore's order (CloudWatch lists `smithy-rpc-v2-cbor`, `json`, `query`:
/// RPCv2 CBOR); else its `protocol`.
pub fn choose_protocol<'a>(protocol: Option<&'a str>, protocols: &'a [String]) -> Option<&'a str> {
    let spoken = SUPPORTED_PROTOCOLS.into_iter().find(|p| protocols.iter().any(|listed| listed == p));
    spoken.or(protocol).or(protocols.first().map(String::as_str))
}

/// Makes `chosen` the model's only protocol, if the model lists it.
pub fn choose_listed_protocol(meta: &mut bc::Metadata, chosen: &str) -> Result<(), String> {
    let listed: Vec<&str> = meta.protocols.iter().map(String::as_str).chain(meta.protocol.as_deref()).collect();
    if !listed.contains(&chosen) {
        return Err(format!("the protocol \"{chosen}\" is not one the model lists ({})", listed.join(", ")));
    }
    meta.protocol = Some(chosen.to_owned());
    meta.protocols = vec![chosen.to_owned()];
    Ok(())
}

fn lower_protocol(meta: &bc::Metadata, sink: &mut Sink) -> Option<Protocol> {
    let Some(protocol) = choose_protocol(meta.protocol.as_deref(), &meta.protocols) else {
        sink.error("/metadata/protocol", "the service names no protocol");
        return None;
    };
    match protocol {
        "rest-json" => Some(Protocol::RestJson),
        "query" => Some(Protocol::AwsQuery),
        "ec2" => Some(Protocol::Ec2Query),
        "rest-xml" => Some(Protocol::RestXml),
        "smithy-rpc-v2-cbor" => Some(Protocol::RpcV2Cbor),
        "json" => match meta.json_version.as_deref() {
            Some("1.0") => Some(Protocol::AwsJson { version_minor: 0 }),
            Some("1.1") => Some(Protocol::AwsJson { version_minor: 1 }),
            other => {
                sink.error_with_hint(
                    "/metadata/jsonVersion",
                    format!("the json protocol needs jsonVersion \"1.0\" or \"1.1\", found {other:?}"),
                    "botocore json models carry metadata.jsonVersion",
                );
                None
            }
        },
        other => {
            sink.error_with_hint(
                "/metadata/protocol",
                format!("unsupported protocol \"{other}\""),
                "supported protocols are smithy-rpc-v2-cbor, json, rest-json, rest-xml, query and ec2",
            );
            None
        }
    }
}

fn lower_operation(
    name: &str,
    op: &bc::Operation,
    shapes: &BTreeMap<String, bc::Shape>,
    protocol: Option<Protocol>,
    sink: &mut Sink,
) -> Operation {
    let at = pointer(["operations", name]);
    let http = match &op.http {
        Some(http) => HttpBinding {
            method: http.method.clone().unwrap_or_else(|| "POST".to_owned()),
            uri: http.request_uri.clone().unwrap_or_else(|| "/".to_owned()),
            response_code: http.response_code.unwrap_or(200),
        },
        None => {
            if matches!(protocol, Some(Protocol::RestJson | Protocol::RestXml)) {
                sink.error(format!("{at}/http"), format!("operation {name} has no http binding"));
            }
            HttpBinding { method: "POST".to_owned(), uri: "/".to_owned(), response_code: 200 }
        }
    };
    // CloudFront names its operations with the API version appended (`AssociateAlias2020_05_31`);
    // the key is the operation's name, as in botocore.
    let versioned = |model_name: &str| {
        model_name.strip_prefix(name).is_some_and(|rest| rest.chars().all(|c| c.is_ascii_digit() || c == '_'))
    };
    if let Some(model_name) = &op.name {
        if model_name != name && !versioned(model_name) {
            sink.error(format!("{at}/name"), format!("operation key \"{name}\" and its name \"{model_name}\" differ"));
        }
    }
    Operation {
        name: name.to_owned(),
        names: OperationNames::default(),
        http,
        input: op.input.as_ref().map(|r| r.shape.clone()),
        output: op.output.as_ref().map(|r| r.shape.clone()),
        // Sorted: the order carries no meaning, and Smithy lists errors alphabetically.
        errors: {
            let mut errors: Vec<ShapeId> = op.errors.iter().map(|r| r.shape.clone()).collect();
            errors.sort();
            errors.dedup();
            errors
        },
        docs: Docs(op.documentation.clone()),
        deprecated: op.deprecated,
        pagination: None,
        waiters: Vec::new(),
        host_prefix: op.endpoint.as_ref().and_then(|e| e.host_prefix.clone()),
        request_checksum: {
            let algorithm_member = op.http_checksum.as_ref().and_then(|c| c.request_algorithm_member.clone());
            let required =
                op.http_checksum_required || op.http_checksum.as_ref().is_some_and(|c| c.request_checksum_required);
            (required || algorithm_member.is_some()).then_some(RequestChecksum { algorithm_member, required })
        },
        response_checksum: op.http_checksum.as_ref().and_then(|checksum| {
            let mode_member = checksum.request_validation_mode_member.as_deref();
            ResponseChecksum::from_parts(mode_member, checksum.response_algorithms.clone())
        }),
        customized: Customized::default(),
        unwrapped_xml_output: false,
        gzip_request: op.request_compression.as_ref().is_some_and(|c| c.encodings.iter().any(|e| e == "gzip")),
        unsigned_payload: op.unsigned_payload || op.authtype.as_deref() == Some("v4-unsigned-body"),
        unsigned: op.authtype.as_deref() == Some("none")
            || op.auth.as_deref().is_some_and(|schemes| schemes.iter().all(|s| s == "smithy.api#noAuth")),
        endpoint_params: endpoint_params(op, shapes),
        result_wrapper: op.output.as_ref().and_then(|output| output.result_wrapper.clone()),
        endpoint_discovery: None, // needs the service's endpoint operation: see `lower`
        body_root: op.input.as_ref().filter(|_| protocol == Some(Protocol::RestXml)).map(|input| {
            // The reference's name and namespace, else the input shape's own.
            let shape = shapes.get(&input.shape);
            let name = input.location_name.clone().or_else(|| shape.and_then(|s| s.location_name.clone()));
            let namespace = input.xml_namespace.as_ref().or_else(|| shape.and_then(|s| s.xml_namespace.as_ref()));
            XmlElement { name: name.unwrap_or_else(|| input.shape.clone()), namespace: namespace.map(xml_namespace) }
        }),
    }
}

fn xml_namespace(namespace: &bc::XmlNamespace) -> XmlNamespace {
    match namespace {
        bc::XmlNamespace::Uri(uri) => XmlNamespace { prefix: None, uri: uri.clone() },
        bc::XmlNamespace::Full { uri, prefix } => XmlNamespace { prefix: prefix.clone(), uri: uri.clone() },
    }
}

/// The endpoint parameters an operation sets, as botocore's `EndpointRulesetResolver` fills them:
/// static values, then input members (a member wins over a static value of the same name).
fn endpoint_params(op: &bc::Operation, shapes: &BTreeMap<String, bc::Shape>) -> Vec<EndpointParam> {
    let mut params: BTreeMap<&str, EndpointParamValue> = BTreeMap::new();
    for (name, param) in &op.static_context_params {
        params.insert(name, EndpointParamValue::Static(param.value.clone()));
    }
    // Only a path naming one top-level member is supported; JMESPath projections such as
    // `Delete.Objects[*].Key` are left out (the parameter keeps its default).
    for (name, param) in &op.operation_context_params {
        if super::validate::is_simple_path(&param.path) {
            params.insert(name, EndpointParamValue::Member(param.path.clone()));
        }
    }
    let input = op.input.as_ref().and_then(|input| shapes.get(&input.shape));
    for (member, shape_ref) in input.map(|shape| &*shape.members).into_iter().flatten() {
        if let Some(param) = &shape_ref.context_param {
            params.insert(&param.name, EndpointParamValue::Member(member.clone()));
        }
    }
    params.into_iter().map(|(name, value)| EndpointParam { name: name.to_owned(), value }).collect()
}

fn lower_shape(name: &str, shape: &bc::Shape, shapes: &BTreeMap<String, bc::Shape>, sink: &mut Sink) -> Shape {
    let at = pointer(["shapes", name]);
    let kind = match shape.kind.as_str() {
        // `character`: a one-character string in older models.
        "string" | "character" if shape.enum_values.is_empty() => ShapeKind::String,
        "string" => ShapeKind::Enum(sorted_enum_values(&shape.enum_values)),
        "boolean" => ShapeKind::Boolean,
        "integer" => ShapeKind::Integer,
        "long" => ShapeKind::Long,
        "float" => ShapeKind::Float,
        "double" => ShapeKind::Double,
        "timestamp" => ShapeKind::Timestamp,
        "blob" => ShapeKind::Blob,
        "list" => match required_ref(&shape.member, &at, "member", sink) {
            Some(member) => ShapeKind::List { member },
            None => ShapeKind::String, // reported; a stand-in keeps references to it from failing too
        },
        "map" => match (required_ref(&shape.key, &at, "key", sink), required_ref(&shape.value, &at, "value", sink)) {
            (Some(key), Some(value)) => ShapeKind::Map { key, value },
            _ => ShapeKind::String,
        },
        "structure" if shape.document => ShapeKind::Document,
        // An event stream is a union too: each message is one of its members.
        "structure" if shape.union || shape.eventstream => ShapeKind::Union(lower_members(&at, shape, shapes, sink)),
        "structure" => ShapeKind::Structure(Structure {
            members: lower_members(&at, shape, shapes, sink),
            error: shape.exception.then(|| ErrorInfo {
                code: shape.error.as_ref().and_then(|e| e.code.clone()).unwrap_or_else(|| name.to_owned()),
                http_status: shape.error.as_ref().and_then(|e| e.http_status_code),
                server_fault: shape.fault,
            }),
            input: false, // decided by `transform::resolve_optionality`
        }),
        other => {
            sink.error_with_hint(
                format!("{at}/type"),
                format!("shape {name} has unknown type \"{other}\""),
                "botocore shape types are string, boolean, integer, long, float, double, timestamp, blob, list, map and structure",
            );
            ShapeKind::String // a stand-in: the problem is reported, references to it are not
        }
    };
    Shape {
        docs: Docs(shape.documentation.clone()),
        sensitive: shape.sensitive,
        deprecated: shape.deprecated,
        streaming: shape.streaming,
        event_stream: shape.eventstream,
        xml_names: XmlNames {
            item: shape.member.as_ref().and_then(|m| m.location_name.clone()),
            key: shape.key.as_ref().and_then(|k| k.location_name.clone()),
            value: shape.value.as_ref().and_then(|v| v.location_name.clone()),
            flattened: shape.flattened,
        },
        xml_namespace: shape.xml_namespace.as_ref().map(xml_namespace),
        ..Shape::new(name, kind)
    }
}

/// Older models name the payload member on the operation's input or output reference rather
/// than on the structure.
fn payload_on_operation_refs(model: &bc::ServiceModel, shapes: &mut BTreeMap<ShapeId, Shape>) {
    let refs = model.operations.values().flat_map(|op| op.input.iter().chain(&op.output));
    for reference in refs {
        let Some(payload) = &reference.payload else { continue };
        if let Some(Shape { kind: ShapeKind::Structure(structure), .. }) = shapes.get_mut(&reference.shape) {
            structure
                .members
                .iter_mut()
                .filter(|m| &m.name == payload && m.location == Location::Body)
                .for_each(|m| m.location = Location::Payload);
        }
    }
}

/// A payload member may say it streams on its reference (S3's `Body`) rather than on its target
/// shape: the target then streams, as botocore merges the two.
fn streaming_from_refs(model: &bc::ServiceModel, shapes: &mut BTreeMap<ShapeId, Shape>) {
    let mut streamed = Vec::new();
    for shape in shapes.values() {
        let ShapeKind::Structure(Structure { members, .. }) = &shape.kind else { continue };
        let refs = model.shapes.get(&shape.id).map(|s| &s.members);
        for member in members.iter().filter(|m| m.location == Location::Payload) {
            if refs.and_then(|r| r.get(&member.name)).is_some_and(|r| r.streaming) {
                streamed.push(member.target.clone());
            }
        }
    }
    for id in streamed {
        if let Some(shape) = shapes.get_mut(&id) {
            shape.streaming = true;
        }
    }
}

/// In XML, a member without a `locationName` of its own takes its target shape's (botocore
/// merges the two).
fn element_names_from_shapes(model: &bc::ServiceModel, shapes: &mut BTreeMap<ShapeId, Shape>) {
    for shape in shapes.values_mut() {
        let ShapeKind::Structure(Structure { members, .. }) = &mut shape.kind else { continue };
        for member in members.iter_mut().filter(|m| m.wire_name == m.name) {
            if let Some(name) = model.shapes.get(&member.target).and_then(|s| s.location_name.clone()) {
                member.wire_name = name;
            }
        }
    }
}

/// botocore names a URI label after its member's `locationName` (`{appId}`), Smithy after the
/// member (`{AppId}`); the IR uses the member name, so both formats lower alike.
fn label_by_member_name(op: &mut Operation, model: &bc::ServiceModel) {
    let Some(input) = op.input.as_ref().and_then(|id| model.shapes.get(id)) else { return };
    for (name, member) in input.members.iter().filter(|(_, m)| m.location.as_deref() == Some("uri")) {
        let Some(location_name) = &member.location_name else { continue };
        for suffix in ["}", "+}"] {
            op.http.uri = op.http.uri.replace(&format!("{{{location_name}{suffix}"), &format!("{{{name}{suffix}"));
        }
    }
}

/// Enum values in canonical (sorted) order, so either input format gives the same IR.
fn sorted_enum_values(values: &[String]) -> Vec<EnumValue> {
    let mut values: Vec<EnumValue> =
        values.iter().map(|value| EnumValue { value: value.clone(), variant: String::new() }).collect();
    values.sort_by(|a, b| a.value.cmp(&b.value));
    values.dedup_by(|a, b| a.value == b.value);
    values
}

fn required_ref(reference: &Option<bc::ShapeRef>, at: &str, key: &str, sink: &mut Sink) -> Option<ShapeId> {
    match reference {
        Some(reference) => Some(reference.shape.clone()),
        None => {
            sink.error(at, format!("this shape needs a \"{key}\" reference"));
            None
        }
    }
}

fn lower_members(at: &str, shape: &bc::Shape, shapes: &BTreeMap<String, bc::Shape>, sink: &mut Sink) -> Vec<Member> {
    for required in &shape.required {
        if !shape.members.contains_key(required) {
            sink.error(format!("{at}/required"), format!("required member \"{required}\" is not a member"));
        }
    }
    if let Some(payload) = shape.payload.as_ref().filter(|p| !shape.members.contains_key(*p)) {
        sink.error(format!("{at}/payload"), format!("payload \"{payload}\" is not a member"));
    }
    shape
        .members
        .iter()
        .map(|(name, member)| {
            let declared =
                member.location.as_deref().or_else(|| shapes.get(&member.shape).and_then(|s| s.location.as_deref()));
            let location = match declared {
                None if shape.payload.as_deref() == Some(name.as_str()) => Location::Payload,
                None => Location::Body,
                Some("uri") => Location::Label,
                Some("querystring") => Location::Query,
                Some("header") => Location::Header,
                Some("headers") => Location::PrefixHeaders,
                Some("statusCode") => Location::StatusCode,
                Some(other) => {
                    sink.error(format!("{at}/members/{name}/location"), format!("unknown member location \"{other}\""));
                    Location::Body
                }
            };
            Member {
                name: name.clone(),
                // A label's wire name is its member name: see `label_by_member_name`.
                wire_name: match location {
                    Location::Label => name.clone(),
                    // A prefix-header map names its prefix on the member or (older models) on its
                    // shape; without one it takes every header.
                    Location::PrefixHeaders => member
                        .location_name
                        .clone()
                        .or_else(|| shapes.get(&member.shape).and_then(|s| s.location_name.clone()))
                        .unwrap_or_default(),
                    _ => member.location_name.clone().unwrap_or_else(|| name.clone()),
                },
                rust_name: String::new(),
                setter: String::new(),
                getter: String::new(),
                target: member.shape.clone(),
                // A URI label can never be omitted, whatever the model says.
                required: shape.required.contains(name) || location == Location::Label,
                location,
                docs: Docs(member.documentation.clone()),
                deprecated: member.deprecated,
                idempotency_token: member.idempotency_token,
                host_label: member.host_label,
                label_fallback: None,
                send_as: None,
                read_as: None,
                json_value: member.jsonvalue,
                event_payload: member.eventpayload,
                event_header: member.eventheader,
                flattened: member.flattened || shapes.get(&member.shape).is_some_and(|s| s.flattened),
                query_name: member.query_name.clone(),
                xml_attribute: member.xml_attribute,
                declared_at: shape.members.declared_at(name),
                xml_namespace: member.xml_namespace.as_ref().map(xml_namespace),
                timestamp_format: member
                    .timestamp_format
                    .as_deref()
                    .or_else(|| shapes.get(&member.shape).and_then(|s| s.timestamp_format.as_deref()))
                    .and_then(|format| timestamp_format(format, &format!("{at}{}", pointer(["members", name])), sink)),
                boxed: false,
                optional: true,
                binding: Binding::Body,
                redacted: false,
            }
        })
        .collect()
}

fn timestamp_format(format: &str, at: &str, sink: &mut Sink) -> Option<TimestampFormat> {
    match format {
        "unixTimestamp" => Some(TimestampFormat::EpochSeconds),
        "iso8601" => Some(TimestampFormat::DateTime),
        "rfc822" => Some(TimestampFormat::HttpDate),
        other => {
            sink.error_with_hint(
                format!("{at}/timestampFormat"),
                format!("unknown timestamp format \"{other}\""),
                "botocore's formats are unixTimestamp, iso8601 and rfc822",
            );
            None
        }
    }
}

pub(crate) fn attach_paginators(
    operations: &mut BTreeMap<String, Operation>,
    file: bc::PaginatorsFile,
    sink: &mut Sink,
) {
    for (name, pager) in file.pagination {
        let at = pointer(["pagination", &name]);
        let Some(operation) = operations.get_mut(&name) else {
            sink.error(at, format!("paginator for unknown operation {name}"));
            continue;
        };
        let (Some(input), Some(output), Some(result)) = (&pager.input_token, &pager.output_token, &pager.result_key)
        else {
            sink.error(at, "a paginator needs input_token, output_token and result_key");
            continue;
        };
        operation.pagination = Some(Pagination {
            input_tokens: input.to_vec(),
            output_tokens: output.to_vec(),
            limit_key: pager.limit_key,
            result_keys: result.to_vec(),
            more_results: pager.more_results,
            non_aggregate_keys: pager.non_aggregate_keys,
        });
    }
}

pub(crate) fn attach_waiters(operations: &mut BTreeMap<String, Operation>, file: bc::WaitersFile, sink: &mut Sink) {
    for (name, waiter) in file.waiters {
        let at = pointer(["waiters", &name]);
        let Some(operation) = operations.get_mut(&waiter.operation) else {
            sink.error(
                format!("{at}/operation"),
                format!("waiter {name} polls unknown operation {}", waiter.operation),
            );
            continue;
        };
        let acceptors = waiter.acceptors.into_iter().enumerate().map(|(index, acceptor)| {
            lower_acceptor(acceptor).map_err(|problem| sink.error(format!("{at}/acceptors/{index}"), problem))
        });
        let Ok(acceptors) = acceptors.collect::<Result<Vec<_>, ()>>() else { continue };
        operation.waiters.push(Waiter {
            name,
            method: String::new(),
            docs: Docs(waiter.description),
            delay: waiter.delay,
            max_attempts: waiter.max_attempts,
            acceptors,
        });
    }
}

fn lower_acceptor(acceptor: bc::Acceptor) -> Result<Acceptor, String> {
    let state = match acceptor.state.as_str() {
        "success" => AcceptorState::Success,
        "failure" => AcceptorState::Failure,
        "retry" => AcceptorState::Retry,
        other => return Err(format!("unknown acceptor state \"{other}\" (success, failure or retry)")),
    };
    let expected = acceptor.expected;
    let path = |expected| {
        acceptor.argument.clone().map(|expression| (expression, expected)).ok_or("a path matcher needs an argument")
    };
    let matcher = match acceptor.matcher.as_str() {
        "path" => path(expected).map(|(expression, expected)| Matcher::Path { expression, expected })?,
        "pathAll" => path(expected).map(|(expression, expected)| Matcher::PathAll { expression, expected })?,
        "pathAny" => path(expected).map(|(expression, expected)| Matcher::PathAny { expression, expected })?,
        "status" => Matcher::Status(
            expected
                .as_u64()
                .and_then(|code| u16::try_from(code).ok())
                .ok_or("a status matcher expects an HTTP status code")?,
        ),
        "error" if expected.is_string() || expected.is_boolean() => Matcher::Error(expected),
        "error" => return Err("an error matcher expects an error code or a boolean".to_owned()),
        other => return Err(format!("unknown matcher \"{other}\" (path, pathAll, pathAny, status or error)")),
    };
    Ok(Acceptor { state, matcher })
}
