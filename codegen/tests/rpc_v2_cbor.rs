//! RPCv2 CBOR is preferred as botocore prefers it (first of a model's `protocols`), and its
//! operations send the input (or no body) to `/service/{targetPrefix}/operation/{name}`.

use awsgen_codegen::{CrateSpec, InputFile};
use serde_json::json;

fn generate(protocols: serde_json::Value) -> String {
    generate_as(protocols, None).expect("generates")
}

fn generate_as(protocols: serde_json::Value, chosen: Option<&str>) -> Result<String, String> {
    let model = json!({
        "version": "2.0",
        "metadata": {"apiVersion": "2024-01-01", "endpointPrefix": "c", "protocol": "json", "jsonVersion": "1.0",
                     "protocols": protocols, "awsQueryCompatible": {},
                     "targetPrefix": "CService", "serviceId": "C", "signatureVersion": "v4", "uid": "c"},
        "operations": {
            "Put": {"name": "Put", "http": {"method": "POST", "requestUri": "/"},
                    "input": {"shape": "PutInput"}, "output": {"shape": "PutOutput"}},
            "Ping": {"name": "Ping", "http": {"method": "POST", "requestUri": "/"}}
        },
        "shapes": {
            "PutInput": {"type": "structure", "members": {
                "Data": {"shape": "Blob"},
                "Id": {"shape": "String", "location": "header", "locationName": "x-id"}
            }},
            "PutOutput": {"type": "structure", "members": {"At": {"shape": "Timestamp"}}},
            "Blob": {"type": "blob"},
            "String": {"type": "string"},
            "Timestamp": {"type": "timestamp"}
        }
    })
    .to_string()
    .into_bytes();
    let model = InputFile { path: "model.json", contents: &model };
    let spec = CrateSpec { protocol: chosen, ..CrateSpec::new("c", model) };
    let generated = awsgen_codegen::generate(&spec).map_err(|diagnostics| diagnostics.to_string())?;
    // Without whitespace, so that the assertions don't depend on where prettyplease breaks lines.
    Ok(generated.files.values().flat_map(|text| text.chars().filter(|c| !c.is_whitespace())).collect())
}

fn has(code: &str, needle: &str) -> bool {
    code.contains(&needle.replace(char::is_whitespace, ""))
}

#[test]
fn cbor_is_chosen_first_and_sends_the_whole_input() {
    let code = generate(json!(["smithy-rpc-v2-cbor", "json", "query"]));
    assert!(has(&code, "Protocol::RpcV2Cbor { query_compatible: true"));
    assert!(has(&code, r#"Request::rpc_v2_cbor("CService", "Put", Some(self))"#));
    assert!(has(&code, r#"Request::rpc_v2_cbor("CService", "Ping", None::<&()>)"#));
    assert!(has(&code, "cbor_output(response)"));
    // No HTTP bindings: the header-located member is a body member.
    assert!(!has(&code, r#".header("x-id""#));
}

#[test]
fn json_stays_json_when_cbor_is_not_listed() {
    let code = generate(json!(["json", "query"]));
    assert!(has(&code, "Protocol::AwsJson { query_compatible: true"));
    assert!(!has(&code, "rpc_v2_cbor"));
}

#[test]
fn a_listed_protocol_can_be_chosen_and_an_unlisted_one_is_refused() {
    let code = generate_as(json!(["smithy-rpc-v2-cbor", "json", "query"]), Some("json")).unwrap();
    assert!(has(&code, r#"Request::aws_json("1.0", "CService.Put", self)"#));
    assert!(!has(&code, "rpc_v2_cbor"));
    let refused = generate_as(json!(["smithy-rpc-v2-cbor", "json"]), Some("rest-xml")).unwrap_err();
    assert!(refused.contains(r#"the protocol "rest-xml" is not one the model lists"#), "{refused}");
    assert!(refused.contains("model.json at /metadata/protocols"), "{refused}");
}
