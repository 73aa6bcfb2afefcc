//! The resolve passes' rules, each on a small model: optionality, boxing, usage, redaction,
//! bindings and names. What the emitters print follows from these fields alone.

use awsgen_codegen::ir::{Binding, Member, Service, ShapeKind};
use awsgen_codegen::plan::CratePlan;
use awsgen_codegen::{CrateSpec, InputFile};
use serde_json::{json, Value};

fn plan(model: &Value) -> CratePlan {
    let bytes = model.to_string().into_bytes();
    let spec = CrateSpec::new("rules", InputFile { path: "model.json", contents: &bytes });
    awsgen_codegen::lower(&spec).unwrap_or_else(|d| panic!("{d}")).0
}

fn lower(model: &Value) -> Service {
    plan(model).ir
}

fn model(shapes: Value) -> Value {
    json!({
        "version": "2.0",
        "metadata": {"apiVersion": "2024-01-01", "endpointPrefix": "rules", "protocol": "rest-json",
                     "serviceId": "Rules", "serviceFullName": "Rules", "signatureVersion": "v4", "uid": "rules"},
        "operations": {
            "Put": {"name": "Put", "http": {"method": "POST", "requestUri": "/{Id}"},
                    "input": {"shape": "PutRequest"}, "output": {"shape": "PutResponse"}}
        },
        "shapes": shapes,
    })
}

fn member<'a>(service: &'a Service, shape: &str, name: &str) -> &'a Member {
    let members = match &service.shapes[shape].kind {
        ShapeKind::Structure(s) => &s.members,
        ShapeKind::Union(members) => members,
        other => panic!("{shape} is {other:?}"),
    };
    members.iter().find(|m| m.name == name).unwrap_or_else(|| panic!("{shape}.{name}"))
}

fn base_shapes() -> Value {
    json!({
        "PutRequest": {"type": "structure", "required": ["Id", "Item"], "members": {
            "Id": {"shape": "String", "location": "uri", "locationName": "Id"},
            "Tags": {"shape": "StringList", "location": "header", "locationName": "X-Tags"},
            "Filters": {"shape": "StringMap", "location": "querystring"},
            "Groups": {"shape": "ListMap", "location": "querystring"},
            "Level": {"shape": "Level", "location": "header", "locationName": "X-Level"},
            "Item": {"shape": "Item"},
            "Secrets": {"shape": "SecretGrid"}
        }},
        "PutResponse": {"type": "structure", "members": {
            "Item": {"shape": "Item"},
            "Code": {"shape": "Integer", "location": "statusCode"}
        }},
        "Item": {"type": "structure", "required": ["Name"], "members": {
            "Name": {"shape": "String"},
            "Next": {"shape": "Item"},
            "Children": {"shape": "ItemList"},
            "Holder": {"shape": "Holder"}
        }},
        "Holder": {"type": "structure", "members": {"Secret": {"shape": "Secret"}, "Back": {"shape": "Back"}}},
        "Back": {"type": "structure", "members": {"Holder": {"shape": "Holder"}}},
        "ItemList": {"type": "list", "member": {"shape": "Item"}},
        "SecretList": {"type": "list", "member": {"shape": "Secret"}},
        "SecretGrid": {"type": "list", "member": {"shape": "SecretList"}},
        "StringList": {"type": "list", "member": {"shape": "String"}},
        "StringMap": {"type": "map", "key": {"shape": "String"}, "value": {"shape": "String"}},
        "ListMap": {"type": "map", "key": {"shape": "String"}, "value": {"shape": "StringList"}},
        "Level": {"type": "string", "enum": ["LOW", "HIGH"]},
        "Secret": {"type": "string", "sensitive": true},
        "String": {"type": "string"},
        "Integer": {"type": "integer"}
    })
}

#[test]
fn optionality_reads_only_the_member() {
    let plan = plan(&model(base_shapes()));
    let service = &plan.ir;
    // Item is sent and received: its required member is plain either way, and its builder fails.
    assert!(!member(service, "Item", "Name").optional);
    assert!(member(service, "Item", "Next").optional);
    let item = plan.types.iter().find(|t| t.id == "Item").unwrap();
    assert!(item.build_is_fallible());
    assert!(service.shapes["Item"].sent && service.shapes["Item"].received);
    // An output with no required member builds infallibly.
    assert!(!plan.operations["Put"].output.build_is_fallible());
}

#[test]
fn recursion_is_boxed_once_per_cycle_and_never_through_lists() {
    let service = lower(&model(base_shapes()));
    assert!(member(&service, "Item", "Next").boxed, "a structure holding itself");
    assert!(!member(&service, "Item", "Children").boxed, "a Vec already allocates");
    let (holder, back) = (member(&service, "Holder", "Back").boxed, member(&service, "Back", "Holder").boxed);
    assert!(holder ^ back, "exactly one edge of the Holder <-> Back cycle is boxed");
}

#[test]
fn usage_marks_direction_json_and_shared_types() {
    let service = lower(&model(base_shapes()));
    let shape = |id: &str| &service.shapes[id];
    assert!(shape("PutRequest").sent && !shape("PutRequest").received);
    assert!(shape("PutResponse").received && !shape("PutResponse").sent);
    assert!(shape("Item").json_out && shape("Item").json_in);
    assert!(shape("Item").shared, "referenced by other shapes: a type of its own");
    assert!(!shape("PutRequest").shared, "only an operation's input: named after the operation");
    // An enum bound to a header is written as text; a body-only shape is not.
    assert!(shape("Level").http_text);
    assert!(!shape("Item").http_text);
}

#[test]
fn redaction_follows_sensitive_values_through_containers() {
    let service = lower(&model(base_shapes()));
    assert!(member(&service, "PutRequest", "Secrets").redacted, "a list of lists of a sensitive string");
    assert!(member(&service, "Holder", "Secret").redacted);
    // A structure redacts its own members, so the member holding it is printed (redacted inside).
    assert!(!member(&service, "Item", "Holder").redacted);
    assert!(!member(&service, "Item", "Name").redacted);
}

#[test]
fn bindings_follow_location_and_kind() {
    let service = lower(&model(base_shapes()));
    let binding = |shape: &str, name: &str| member(&service, shape, name).binding;
    assert_eq!(binding("PutRequest", "Id"), Binding::Label);
    assert_eq!(binding("PutRequest", "Tags"), Binding::HeaderList);
    assert_eq!(binding("PutRequest", "Filters"), Binding::QueryMap);
    assert_eq!(binding("PutRequest", "Groups"), Binding::QueryMapOfLists);
    assert_eq!(binding("PutRequest", "Level"), Binding::Header);
    assert_eq!(binding("PutRequest", "Item"), Binding::Body);
    assert_eq!(binding("PutResponse", "Code"), Binding::StatusCode);
}

#[test]
fn names_are_decided_once_with_setters_and_getters() {
    let mut shapes = base_shapes();
    shapes["Item"]["members"]["Builder"] = json!({"shape": "String"});
    shapes["Item"]["members"]["GetName"] = json!({"shape": "String"});
    let service = lower(&model(shapes));
    let next = member(&service, "Item", "Next");
    assert_eq!((next.rust_name.as_str(), next.setter.as_str(), next.getter.as_str()), ("next", "set_next", "get_next"));
    // `builder` would clash with `Item::builder()`.
    assert_eq!(member(&service, "Item", "Builder").rust_name, "builder_value");
    // `GetName` comes first in model order and keeps `get_name`; `Name`, whose builder getter
    // would be `get_name`, moves to `name_2` (a names lock would keep an existing `name`).
    assert_eq!(member(&service, "Item", "GetName").rust_name, "get_name");
    assert_eq!(member(&service, "Item", "Name").rust_name, "name_2");
    // Every field, setter and getter of the builder is distinct.
    let ShapeKind::Structure(item) = &service.shapes["Item"].kind else { unreachable!() };
    let mut methods: Vec<&str> =
        item.members.iter().flat_map(|m| [m.rust_name.as_str(), m.setter.as_str(), m.getter.as_str()]).collect();
    let count = methods.len();
    methods.sort();
    methods.dedup();
    assert_eq!(methods.len(), count, "{methods:?}");
}

#[test]
fn event_streams_are_read_and_sent_and_one_in_a_form_not_supported_is_left_out_with_why() {
    let stream_of = |events: &str| {
        json!({"type": "structure", "eventstream": true, "members": {
            events: {"shape": "Chunk"}, "Throttled": {"shape": "Throttled"}}})
    };
    let shapes = json!({
        "PutRequest": {"type": "structure", "members": {
            "Id": {"shape": "String", "location": "uri", "locationName": "Id"},
            "Input": {"shape": "InStream"}}, "payload": "Input"},
        "PutResponse": {"type": "structure", "required": ["Events"], "members": {
            "Events": {"shape": "OutStream"}}, "payload": "Events"},
        "InStream": stream_of("Sent"),
        "OutStream": stream_of("Received"),
        "Chunk": {"type": "structure", "event": true, "members": {
            "Bytes": {"shape": "Blob", "eventpayload": true}}},
        "Throttled": {"type": "structure", "exception": true, "members": {"message": {"shape": "String"}}},
        "Blob": {"type": "blob"},
        "String": {"type": "string"}
    });
    let mut model = model(shapes);
    // One operation receives the stream, the other sends one and receives one.
    model["operations"]["Get"] = json!({"name": "Get", "http": {"method": "GET", "requestUri": "/get"},
                                        "output": {"shape": "PutResponse"}});
    let plan = plan(&model);
    assert!(plan.ir.skipped_operations.is_empty(), "{:?}", plan.ir.skipped_operations);
    let sent = plan.operations["Put"].input.field("Input").unwrap();
    assert_eq!(
        (sent.binding, sent.value.to_string().as_str()),
        (Binding::EventStream, "::awsgen_runtime::eventstream::EventSender<types::InStream>")
    );
    let in_stream = plan.types.iter().find(|t| t.id == "InStream").and_then(|t| t.events.as_ref()).unwrap();
    assert!(in_stream.sent && in_stream.events.iter().map(|e| e.event_type.as_str()).eq(["Sent"]));
    assert!(plan.service.settings.http2 && !plan.operations["Put"].presignable, "sent over HTTP/2, never as a URL");
    let output = &plan.operations["Get"].output;
    let events = output.field("Events").unwrap();
    assert_eq!(events.binding, Binding::EventStream);
    // Always there, perhaps empty: neither optional nor checked by `build()`.
    assert!(!events.optional && events.stream && !output.build_is_fallible());
    let stream = plan.types.iter().find(|t| t.id == "OutStream").and_then(|t| t.events.as_ref()).unwrap();
    assert_eq!(stream.events.iter().map(|e| e.event_type.as_str()).collect::<Vec<_>>(), ["Received"]);
    assert_eq!(stream.errors.iter().map(|e| e.variant.code.as_str()).collect::<Vec<_>>(), ["Throttled"]);
    // The events are marked read from JSON: an event without a payload member is its JSON.
    assert!(plan.ir.shapes["Chunk"].json_in, "events are read from their payloads");

    // awsJson has no binding for a stream as the request's payload: left out, and said why.
    let mut aws_json = model.clone();
    aws_json["metadata"]["protocol"] = json!("json");
    aws_json["metadata"]["targetPrefix"] = json!("Rules");
    aws_json["metadata"]["jsonVersion"] = json!("1.1");
    let left_out = self::plan(&aws_json);
    assert_eq!(left_out.ir.skipped_operations["Put"], "sends an event stream in a form not supported yet");
    assert!(!left_out.service.settings.http2);
}
