//! `httpChecksum` in botocore models: both spellings of "required", and the response side.

use awsgen_codegen::{CrateSpec, InputFile};
use serde_json::json;

fn generate(operation: serde_json::Value) -> String {
    let mut op =
        json!({"name": "Put", "http": {"method": "PUT", "requestUri": "/{Key}"}, "input": {"shape": "PutInput"}});
    op.as_object_mut().unwrap().extend(operation.as_object().unwrap().clone());
    let model = json!({
        "version": "2.0",
        "metadata": {"apiVersion": "2024-01-01", "endpointPrefix": "c", "protocol": "rest-xml",
                     "serviceId": "C", "signatureVersion": "v4", "uid": "c"},
        "operations": {"Put": op},
        "shapes": {
            "PutInput": {"type": "structure", "required": ["Key"], "members": {
                "Key": {"shape": "String", "location": "uri", "locationName": "Key"},
                "Mode": {"shape": "String", "location": "header", "locationName": "x-amz-checksum-mode"}
            }},
            "String": {"type": "string"}
        }
    })
    .to_string()
    .into_bytes();
    let spec = CrateSpec::new("c", InputFile { path: "model.json", contents: &model });
    let generated = awsgen_codegen::generate(&spec).expect("generates");
    generated.files.values().flat_map(|text| text.chars().filter(|c| !c.is_whitespace())).collect()
}

#[test]
fn an_operation_level_required_checksum_counts_as_one() {
    // S3 Control's spelling.
    let code = generate(json!({"httpChecksumRequired": true}));
    assert!(code.contains("RequestChecksum{algorithm_header:None,required:true,}"));
    let code = generate(json!({"httpChecksum": {"requestChecksumRequired": true}}));
    assert!(code.contains("RequestChecksum{algorithm_header:None,required:true,}"));
    assert!(!generate(json!({})).contains("REQUEST_CHECKSUM"));
}

#[test]
fn a_response_checksum_is_asked_for_through_its_mode_header() {
    let checksum =
        json!({"httpChecksum": {"requestValidationModeMember": "Mode", "responseAlgorithms": ["CRC32", "SHA256"]}});
    let code = generate(checksum);
    let expected = r#"ResponseChecksum{mode_header:"x-amz-checksum-mode",algorithms:&["CRC32","SHA256"],}"#;
    assert!(code.contains(expected));
}
