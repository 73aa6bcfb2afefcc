//! `cargo xtask api-diff`'s engine: pairs of small models, one per change kind, each with a
//! snapshot of its report; and a realistic update of AmplifyBackend.

use awsgen_codegen::diff::api_diff;
use awsgen_codegen::{CrateSpec, InputFile, Selection};
use serde_json::{json, Value};

fn lower(model: &Value, paginators: Option<&Value>) -> awsgen_codegen::plan::CratePlan {
    let (model, pagers) = (model.to_string().into_bytes(), paginators.map(|p| p.to_string().into_bytes()));
    let spec = CrateSpec {
        paginators: pagers.as_deref().map(|contents| InputFile { path: "paginators.json", contents }),
        ..CrateSpec::new("diff", InputFile { path: "model.json", contents: &model })
    };
    awsgen_codegen::lower(&spec).unwrap_or_else(|d| panic!("{d}")).0
}

fn base() -> Value {
    json!({
        "metadata": {"apiVersion": "1", "endpointPrefix": "d", "protocol": "rest-json", "serviceId": "D"},
        "operations": {
            "GetThing": {"name": "GetThing", "http": {"method": "POST", "requestUri": "/things/{Id}"},
                "input": {"shape": "GetThingRequest"}, "output": {"shape": "GetThingResponse"},
                "errors": [{"shape": "NotFound"}], "documentation": "<p>Gets a thing.</p>"}
        },
        "shapes": {
            "GetThingRequest": {"type": "structure", "required": ["Id", "Tag"], "members": {
                "Id": {"shape": "String", "location": "uri", "locationName": "Id"},
                "Tag": {"shape": "String"},
                "Color": {"shape": "String", "locationName": "color"},
                "Token": {"shape": "String"}}},
            "GetThingResponse": {"type": "structure", "members": {
                "Kind": {"shape": "Kind"}, "Size": {"shape": "Integer", "documentation": "<p>Size.</p>"},
                "Items": {"shape": "Items"}, "Token": {"shape": "String"}}},
            "NotFound": {"type": "structure", "members": {"Message": {"shape": "String"}}, "exception": true},
            "Busy": {"type": "structure", "members": {}, "exception": true},
            "Kind": {"type": "string", "enum": ["small", "large"]},
            "Items": {"type": "list", "member": {"shape": "String"}},
            "Integer": {"type": "integer"},
            "String": {"type": "string"}
        }
    })
}

fn pagers() -> Value {
    json!({"pagination": {"GetThing": {"input_token": "Token", "output_token": "Token", "result_key": "Items"}}})
}

/// The report of `change` applied to the base model (and, if given, its paginators).
/// An edit of the paginators file (`None`: no file).
type PagerEdit = dyn Fn(&mut Option<Value>);

fn report(change: impl Fn(&mut Value), pager_change: Option<&PagerEdit>) -> String {
    let (old_model, old_pagers) = (base(), Some(pagers()));
    let (mut new_model, mut new_pagers) = (base(), Some(pagers()));
    change(&mut new_model);
    if let Some(pager_change) = pager_change {
        pager_change(&mut new_pagers);
    }
    // A paginator goes with its operation.
    if new_model["operations"].get("GetThing").is_none() {
        new_pagers = None;
    }
    let diff = api_diff(&lower(&old_model, old_pagers.as_ref()), &lower(&new_model, new_pagers.as_ref()));
    diff.markdown("D")
}

#[test]
fn every_change_kind_is_reported_and_classified() {
    type Edit = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Edit)> = vec![
        (
            "operation-added",
            Box::new(|m| {
                m["operations"]["PutThing"] = json!({"name": "PutThing", "http": {"method": "PUT", "requestUri": "/"}});
            }),
        ),
        (
            "operation-removed",
            Box::new(|m| {
                m["operations"] = json!({});
            }),
        ),
        (
            "member-added",
            Box::new(|m| {
                m["shapes"]["GetThingResponse"]["members"]["Weight"] = json!({"shape": "Integer"});
            }),
        ),
        (
            "required-member-added-to-input",
            Box::new(|m| {
                m["shapes"]["GetThingRequest"]["members"]["Owner"] = json!({"shape": "String"});
                m["shapes"]["GetThingRequest"]["required"] = json!(["Id", "Tag", "Owner"]);
            }),
        ),
        (
            "member-removed",
            Box::new(|m| {
                m["shapes"]["GetThingResponse"]["members"].as_object_mut().unwrap().remove("Size");
            }),
        ),
        (
            "member-type-changed",
            Box::new(|m| {
                m["shapes"]["GetThingRequest"]["members"]["Color"]["shape"] = json!("Kind");
            }),
        ),
        (
            "optional-to-required-on-input",
            Box::new(|m| {
                m["shapes"]["GetThingRequest"]["required"] = json!(["Id", "Tag", "Color"]);
            }),
        ),
        (
            "required-to-optional-on-input",
            Box::new(|m| {
                m["shapes"]["GetThingRequest"]["required"] = json!(["Id"]);
            }),
        ),
        (
            "optional-to-required-on-output",
            Box::new(|m| {
                m["shapes"]["GetThingResponse"]["required"] = json!(["Size"]);
            }),
        ),
        (
            "enum-value-added",
            Box::new(|m| {
                m["shapes"]["Kind"]["enum"] = json!(["small", "large", "huge"]);
            }),
        ),
        (
            "enum-value-removed",
            Box::new(|m| {
                m["shapes"]["Kind"]["enum"] = json!(["small"]);
            }),
        ),
        (
            "error-added",
            Box::new(|m| {
                m["operations"]["GetThing"]["errors"] = json!([{"shape": "NotFound"}, {"shape": "Busy"}]);
            }),
        ),
        (
            "error-removed",
            Box::new(|m| {
                m["operations"]["GetThing"]["errors"] = json!([]);
            }),
        ),
        (
            "http-method-and-uri-changed",
            Box::new(|m| {
                m["operations"]["GetThing"]["http"] = json!({"method": "GET", "requestUri": "/v2/things/{Id}"});
            }),
        ),
        (
            "member-location-changed",
            Box::new(|m| {
                m["shapes"]["GetThingRequest"]["members"]["Color"] =
                    json!({"shape": "String", "location": "querystring", "locationName": "color"});
            }),
        ),
        (
            "wire-name-changed",
            Box::new(|m| {
                m["shapes"]["GetThingRequest"]["members"]["Color"]["locationName"] = json!("colour");
            }),
        ),
        (
            "documentation-only",
            Box::new(|m| {
                m["operations"]["GetThing"]["documentation"] = json!("<p>Gets one thing.</p>");
                m["shapes"]["GetThingResponse"]["members"]["Size"]["documentation"] = json!("<p>Size in bytes.</p>");
            }),
        ),
    ];
    let pager_cases: Vec<(&str, Box<PagerEdit>)> = vec![
        ("paginator-removed", Box::new(|p| *p = Some(json!({"pagination": {}})))),
        (
            "paginator-changed",
            Box::new(|p| {
                *p = Some(
                    json!({"pagination": {"GetThing": {"input_token": "Token", "output_token": "Token", "result_key": "Items", "limit_key": "Color"}}}),
                )
            }),
        ),
    ];
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_snapshot_path("snapshots/api_diff");
    settings.bind(|| {
        for (name, edit) in &cases {
            insta::assert_snapshot!(*name, report(edit, None));
        }
        for (name, edit) in &pager_cases {
            insta::assert_snapshot!(*name, report(|_| {}, Some(edit.as_ref())));
        }
        // A paginator appears: the old version had none.
        let diff = api_diff(&lower(&base(), None), &lower(&base(), Some(&pagers())));
        insta::assert_snapshot!("paginator-added", diff.markdown("D"));
    });
}

#[test]
fn a_realistic_amplifybackend_update_lists_exactly_its_changes() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/amplifybackend/service-2.json");
    let old: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let mut new = old.clone();
    let shapes = &mut new["shapes"];
    // Status becomes an enum, a new optional filter appears, a response member goes, and the
    // operation may now fail with one more error.
    shapes["JobStatus"] = json!({"type": "string", "enum": ["CREATE_IN_PROGRESS", "COMPLETED", "FAILED"]});
    shapes["ListBackendJobsRequest"]["members"]["Status"]["shape"] = json!("JobStatus");
    shapes["ListBackendJobsRequest"]["members"]["Since"] = json!({"shape": "__string", "locationName": "since"});
    shapes["BackendJobRespObj"]["members"].as_object_mut().unwrap().remove("Error");
    shapes["ConflictException"] = json!({"type": "structure", "members": {"Message": {"shape": "__string", "locationName": "message"}}, "exception": true, "error": {"httpStatusCode": 409}});
    new["operations"]["ListBackendJobs"]["errors"].as_array_mut().unwrap().push(json!({"shape": "ConflictException"}));

    let only = |model: &Value| {
        let bytes = model.to_string().into_bytes();
        let spec = CrateSpec {
            operations: Selection::Only(["ListBackendJobs".to_owned()].into()),
            ..CrateSpec::new("amplifybackend", InputFile { path: "service-2.json", contents: &bytes })
        };
        awsgen_codegen::lower(&spec).unwrap_or_else(|d| panic!("{d}")).0
    };
    let diff = api_diff(&only(&old), &only(&new));
    assert_eq!(
        diff.markdown("AmplifyBackend"),
        "## AmplifyBackend\n\n2 breaking, 4 compatible, 0 doc-only\n\n### Breaking\n\n\
         - `operation::list_backend_jobs::ListBackendJobsInput.status`: `Option<String>` became `Option<types::JobStatus>`\n\
         - `types::BackendJobRespObj.error`: removed\n\n### Compatible\n\n\
         - `operation::list_backend_jobs::ListBackendJobsError.Conflict`: variant added\n\
         - `operation::list_backend_jobs::ListBackendJobsInput.since`: field `Option<String>` added\n\
         - `types::ConflictException`: added\n\
         - `types::JobStatus`: added\n"
    );
}
