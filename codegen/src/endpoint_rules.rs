//! The service's endpoint rule set (`endpoint-rule-set-1.json`): checked here, embedded in the
//! crate as pretty JSON (so a model update diffs line by line), and parsed by the runtime on
//! first use. The runtime's parser does the full check; this one keeps an unusable file from
//! reaching a crate at all.

use crate::diagnostic::{pointer, Diagnostic, Diagnostics, Sink};
use crate::ir::{Binding, EndpointParamValue, Service, Shape, ShapeId, ShapeKind};
use crate::InputFile;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A rule set fit to embed: its pretty text and its declared parameters.
pub(crate) struct RuleSet {
    text: String,
    parameters: Map<String, Value>,
}

/// Parses the file and checks its outline: an object with a string `version`, a `parameters`
/// object whose entries each have a `type`, and a `rules` list.
pub(crate) fn check(file: InputFile) -> Result<RuleSet, Diagnostics> {
    let fail = |location: &str, message: String| {
        let diagnostic = Diagnostic { file: file.path.to_owned(), location: location.to_owned(), message, hint: None };
        Diagnostics(vec![diagnostic])
    };
    let json: Value = serde_json::from_slice(file.contents)
        .map_err(|e| fail(&format!("{}:{}", e.line(), e.column()), format!("not valid JSON: {e}")))?;
    let Some(outline) = json.as_object() else {
        return Err(fail("", "an endpoint rule set must be a JSON object".to_owned()));
    };
    if !outline.get("version").is_some_and(Value::is_string) {
        return Err(fail("/version", "an endpoint rule set needs a string `version`".to_owned()));
    }
    if !outline.get("rules").is_some_and(Value::is_array) {
        return Err(fail("/rules", "an endpoint rule set needs a `rules` list".to_owned()));
    }
    let Some(parameters) = outline.get("parameters").and_then(Value::as_object) else {
        return Err(fail("/parameters", "an endpoint rule set needs a `parameters` object".to_owned()));
    };
    for (name, parameter) in parameters {
        if !parameter.get("type").is_some_and(Value::is_string) {
            return Err(fail(&pointer(["parameters", name]), format!("parameter `{name}` has no string `type`")));
        }
    }
    let text = serde_json::to_string_pretty(&json).expect("a JSON value always serializes") + "\n";
    Ok(RuleSet { text, parameters: parameters.clone() })
}

/// Gives the service its rule set, and keeps only the operation parameters the rule set declares
/// with a matching type (botocore ignores the others too; a type mismatch is a warning). Without
/// a rule set, operations set no parameters.
/// S3's URIs start with `/{Bucket}`, but its rules place the bucket (in the host, or in the
/// path): as botocore does, the label leaves the URI and the member only feeds the rules. A URI
/// left empty (`/{Bucket}`, `/{Bucket}?acl`) adds nothing to the endpoint's: `/bucket`, not
/// `/bucket/`.
fn bucket_from_rules(service: &mut Service) {
    let mut unbound = Vec::new();
    for op in service.operations.values_mut() {
        let bucket = op.endpoint_params.iter().find_map(|p| match &p.value {
            EndpointParamValue::Member(member) if p.name == "Bucket" => Some(member.clone()),
            _ => None,
        });
        let Some(member) = bucket else { continue };
        let Some(rest) = op.http.uri.strip_prefix(&format!("/{{{member}}}")) else { continue };
        op.http.uri = rest.to_owned();
        unbound.extend(op.input.clone().map(|input| (input, member)));
    }
    for (input, member) in unbound {
        if let Some(ShapeKind::Structure(structure)) = service.shapes.get_mut(&input).map(|s| &mut s.kind) {
            structure.members.iter_mut().filter(|m| m.name == member).for_each(|m| m.binding = Binding::Unsent);
        }
    }
}

pub(crate) fn attach(service: &mut Service, rules: Option<RuleSet>, model_file: &str) -> Vec<Diagnostic> {
    let Some(rules) = rules else {
        service.operations.values_mut().for_each(|op| op.endpoint_params.clear());
        return Vec::new();
    };
    let mut sink = Sink::new(model_file);
    bucket_from_rules(service);
    let shapes = &service.shapes;
    for op in service.operations.values_mut() {
        let input = op.input.as_ref().and_then(|id| shapes.get(id)).map(|shape| &shape.kind);
        let members = match input {
            Some(ShapeKind::Structure(structure)) => &structure.members[..],
            _ => &[],
        };
        op.endpoint_params.retain(|param| {
            let Some(declared) = rules.parameters.get(&param.name) else { return false };
            let declared = declared["type"].as_str().unwrap_or_default().to_ascii_lowercase();
            let given = match &param.value {
                EndpointParamValue::Static(value) => static_type(value),
                EndpointParamValue::Member(name) => {
                    let member = members.iter().find(|m| &m.name == name);
                    member.and_then(|m| member_type(shapes.get(&m.target).map(|s| &s.kind), shapes))
                }
            };
            let fits = given == Some(declared.as_str());
            if !fits {
                let message = format!(
                    "endpoint parameter `{}` of {} is not a {declared} here; it is left at its default",
                    param.name, op.name
                );
                sink.error(pointer(["operations", &op.name]), message);
            }
            fits
        });
    }
    service.endpoint_rules = Some(rules.text);
    sink.into_found()
}

fn static_type(value: &Value) -> Option<&'static str> {
    match value {
        Value::Bool(_) => Some("boolean"),
        Value::String(_) => Some("string"),
        Value::Array(items) if items.iter().all(Value::is_string) => Some("stringarray"),
        _ => None,
    }
}

fn member_type(kind: Option<&ShapeKind>, shapes: &BTreeMap<ShapeId, Shape>) -> Option<&'static str> {
    match kind? {
        ShapeKind::String | ShapeKind::Enum(_) => Some("string"),
        ShapeKind::Boolean => Some("boolean"),
        ShapeKind::List { member } => {
            let item = shapes.get(member).map(|s| &s.kind);
            matches!(item, Some(ShapeKind::String | ShapeKind::Enum(_))).then_some("stringarray")
        }
        _ => None,
    }
}
