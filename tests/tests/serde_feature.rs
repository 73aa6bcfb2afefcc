//! The `serde` feature: every AmplifyBackend output, filled from the model, survives a round trip
//! through its serde form, which is the JSON wire form; so do an XML-protocol (S3) type and a
//! sensitive member, which `Debug` still hides.

use awsgen_amplifybackend::operation::*;
use awsgen_amplifybackend::types::{BackendAuthAppleProviderConfig, Status};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::fmt::Debug;

fn model() -> Value {
    let text = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../specs/amplifybackend/service-2.json")).unwrap();
    serde_json::from_slice(&text).unwrap()
}

/// A JSON body for `shape` that sets every body member (nested structures up to a depth), as
/// the service would send it.
fn sample(model: &Value, shape: &str, depth: usize) -> Option<Value> {
    let definition = &model["shapes"][shape];
    Some(match definition["type"].as_str().unwrap() {
        "structure" if depth > 4 => return None,
        "structure" => {
            let mut object = Map::new();
            for (name, member) in definition["members"].as_object().unwrap() {
                // Members bound to headers, the URI or the status are not in the body.
                if member.get("location").is_some() {
                    continue;
                }
                let key = member["locationName"].as_str().unwrap_or(name);
                if let Some(value) = sample(model, member["shape"].as_str().unwrap(), depth + 1) {
                    object.insert(key.to_owned(), value);
                }
            }
            Value::Object(object)
        }
        "list" => Value::Array(vec![sample(model, definition["member"]["shape"].as_str().unwrap(), depth + 1)?; 2]),
        "map" => json!({ "key": sample(model, definition["value"]["shape"].as_str().unwrap(), depth + 1)? }),
        "string" => match definition["enum"].as_array() {
            Some(values) => values.last().unwrap().clone(),
            None => json!(format!("{shape}-value")),
        },
        "integer" | "long" => json!(42),
        "double" | "float" => json!(2.5),
        "boolean" => json!(true),
        "timestamp" => match definition["timestampFormat"].as_str() {
            Some("iso8601") => json!("2023-11-14T22:13:20Z"),
            _ => json!(1_700_000_000),
        },
        other => panic!("{shape}: no sample for a {other}"),
    })
}

/// Reads the sample through the wire impl, then writes and reads it through serde.
fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Default + Debug>(model: &Value, shape: &str) {
    let wire = sample(model, shape, 0).unwrap();
    let value: T = serde_json::from_value(wire.clone()).unwrap_or_else(|e| panic!("{shape}: {e}"));
    assert_ne!(value, T::default(), "{shape}: the sample set nothing");
    let written = serde_json::to_value(&value).unwrap();
    assert_eq!(written, wire, "{shape}: the serde form is the wire form");
    let read: T = serde_json::from_value(written).unwrap();
    assert_eq!(read, value, "{shape}");
}

macro_rules! outputs {
    ($($operation:literal => $output:ty,)*) => {
        [$(($operation, round_trip::<$output> as fn(&Value, &str))),*]
    };
}

#[test]
fn every_amplifybackend_output_round_trips() {
    let model = model();
    let outputs = outputs! {
        "CloneBackend" => clone_backend::CloneBackendOutput,
        "CreateBackend" => create_backend::CreateBackendOutput,
        "CreateBackendAPI" => create_backend_api::CreateBackendApiOutput,
        "CreateBackendAuth" => create_backend_auth::CreateBackendAuthOutput,
        "CreateBackendConfig" => create_backend_config::CreateBackendConfigOutput,
        "CreateBackendStorage" => create_backend_storage::CreateBackendStorageOutput,
        "CreateToken" => create_token::CreateTokenOutput,
        "DeleteBackend" => delete_backend::DeleteBackendOutput,
        "DeleteBackendAPI" => delete_backend_api::DeleteBackendApiOutput,
        "DeleteBackendAuth" => delete_backend_auth::DeleteBackendAuthOutput,
        "DeleteBackendStorage" => delete_backend_storage::DeleteBackendStorageOutput,
        "DeleteToken" => delete_token::DeleteTokenOutput,
        "GenerateBackendAPIModels" => generate_backend_api_models::GenerateBackendApiModelsOutput,
        "GetBackend" => get_backend::GetBackendOutput,
        "GetBackendAPI" => get_backend_api::GetBackendApiOutput,
        "GetBackendAPIModels" => get_backend_api_models::GetBackendApiModelsOutput,
        "GetBackendAuth" => get_backend_auth::GetBackendAuthOutput,
        "GetBackendJob" => get_backend_job::GetBackendJobOutput,
        "GetBackendStorage" => get_backend_storage::GetBackendStorageOutput,
        "GetToken" => get_token::GetTokenOutput,
        "ImportBackendAuth" => import_backend_auth::ImportBackendAuthOutput,
        "ImportBackendStorage" => import_backend_storage::ImportBackendStorageOutput,
        "ListBackendJobs" => list_backend_jobs::ListBackendJobsOutput,
        "ListS3Buckets" => list_s3_buckets::ListS3BucketsOutput,
        "RemoveAllBackends" => remove_all_backends::RemoveAllBackendsOutput,
        "RemoveBackendConfig" => remove_backend_config::RemoveBackendConfigOutput,
        "UpdateBackendAPI" => update_backend_api::UpdateBackendApiOutput,
        "UpdateBackendAuth" => update_backend_auth::UpdateBackendAuthOutput,
        "UpdateBackendConfig" => update_backend_config::UpdateBackendConfigOutput,
        "UpdateBackendJob" => update_backend_job::UpdateBackendJobOutput,
        "UpdateBackendStorage" => update_backend_storage::UpdateBackendStorageOutput,
    };
    let operations = model["operations"].as_object().unwrap();
    assert_eq!(outputs.len(), operations.len(), "an operation is missing here");
    for (operation, round_trip) in outputs {
        round_trip(&model, model["operations"][operation]["output"]["shape"].as_str().unwrap());
    }
}

#[test]
fn an_enum_keeps_an_unknown_value() {
    for status in [Status::from("LATEST"), Status::from("NEWER_THAN_THIS_CRATE")] {
        let text = serde_json::to_string(&status).unwrap();
        assert_eq!(text, format!("{:?}", status.as_str()));
        assert_eq!(serde_json::from_str::<Status>(&text).unwrap(), status);
    }
}

#[test]
fn a_sensitive_member_serializes_but_does_not_print() {
    let config =
        BackendAuthAppleProviderConfig::builder().client_id("apple-client").private_key("-----KEY-----").build();
    assert!(!format!("{config:?}").contains("KEY-----"), "{config:?}");
    let text = serde_json::to_string(&config).unwrap();
    assert_eq!(text, r#"{"client_id":"apple-client","private_key":"-----KEY-----"}"#);
    assert_eq!(serde_json::from_str::<BackendAuthAppleProviderConfig>(&text).unwrap(), config);
}

#[test]
fn an_xml_protocol_type_round_trips() {
    use awsgen_runtime::DateTime;
    use awsgen_s3::operation::list_buckets::ListBucketsOutput;
    use awsgen_s3::types::{Bucket, Owner};
    let bucket = |name: &str| Bucket::builder().name(name).creation_date(DateTime::from_secs(1_700_000_000)).build();
    let output = ListBucketsOutput::builder()
        .buckets(vec![bucket("photos"), bucket("logs")])
        .owner(Owner::builder().id("owner-id").display_name("me").build())
        .continuation_token("next")
        .build();
    let written = serde_json::to_value(&output).unwrap();
    // The members' names as the model has them (and S3's XML), timestamps as epoch seconds.
    let photos = json!({"Name": "photos", "CreationDate": 1_700_000_000});
    assert_eq!(written["Buckets"][0], photos, "{written}");
    assert_eq!(written["Owner"], json!({"ID": "owner-id", "DisplayName": "me"}), "{written}");
    assert_eq!(serde_json::from_value::<ListBucketsOutput>(written).unwrap(), output);
}
