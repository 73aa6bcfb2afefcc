//! Customizations of services outside `specs/` (generated here from small models with their
//! service ids and the members botocore's handlers name): what their generated code does.

use awsgen_codegen::{CrateSpec, InputFile};
use serde_json::{json, Value};

/// A one-operation model: its service id and protocol, the operation's name and HTTP binding,
/// and its input's members.
struct Model<'a> {
    service_id: &'a str,
    protocol: &'a str,
    operation: &'a str,
    http: Value,
    members: Value,
}

/// The generated code of a one-operation model, white space removed.
fn generate(service_id: &str, protocol: &str, operation: &str, http: Value, members: Value) -> String {
    generate_with(Model { service_id, protocol, operation, http, members }, Value::Null)
}

/// Like [`generate`], the operation's `endpoint` trait given.
fn generate_with(model: Model, endpoint: Value) -> String {
    let Model { service_id, protocol, operation, http, members } = model;
    let mut op = json!({"name": operation, "http": http, "input": {"shape": "Input"}});
    if !endpoint.is_null() {
        op["endpoint"] = endpoint;
    }
    let model = json!({
        "version": "2.0",
        "metadata": {"apiVersion": "2024-01-01", "endpointPrefix": "c", "protocol": protocol,
                     "serviceId": service_id, "signatureVersion": "v4", "uid": "c"},
        "operations": {operation: op},
        "shapes": {"Input": {"type": "structure", "members": members}, "String": {"type": "string"}}
    })
    .to_string()
    .into_bytes();
    let spec = CrateSpec::new("c", InputFile { path: "model.json", contents: &model });
    let generated = awsgen_codegen::generate(&spec).expect("generates");
    generated.files.values().flat_map(|text| text.chars().filter(|c| !c.is_whitespace())).collect()
}

#[test]
fn auto_scaling_takes_user_data_as_the_script() {
    let http = json!({"method": "POST", "requestUri": "/"});
    let members = json!({"UserData": {"shape": "String"}});
    let code = generate("Auto Scaling", "query", "CreateLaunchConfiguration", http.clone(), members.clone());
    assert!(code.contains("user_data:self.user_data.map(::awsgen_runtime::build::base64_text)"), "{code}");
    let elsewhere = generate("Other", "query", "CreateLaunchConfiguration", http, members);
    assert!(!elsewhere.contains("base64_text"));
}

#[test]
fn cloudsearch_domain_sends_its_search_query_as_a_form() {
    let http = json!({"method": "GET", "requestUri": "/2013-01-01/search?format=sdk&pretty=true"});
    let members = json!({"query": {"shape": "String", "location": "querystring", "locationName": "q"}});
    let code = generate("CloudSearch Domain", "rest-json", "Search", http.clone(), members.clone());
    assert!(code.contains(".query(\"q\",self.query.as_ref()).query_as_form()"), "{code}");
    assert!(!generate("CloudSearch Domain", "rest-json", "Suggest", http, members).contains("query_as_form"));
}

#[test]
fn s3_control_leaves_the_account_id_in_the_host_to_its_endpoint_rules() {
    let http = json!({"method": "GET", "requestUri": "/v20180820/configuration/publicAccessBlock"});
    let members = json!({"AccountId": {"shape": "String", "location": "header", "locationName": "x-amz-account-id",
                                       "hostLabel": true, "contextParam": {"name": "AccountId"}}});
    let endpoint = json!({"hostPrefix": "{AccountId}."});
    let with_prefix = |service_id: &str| {
        let model = Model {
            service_id,
            protocol: "rest-xml",
            operation: "GetPublicAccessBlock",
            http: http.clone(),
            members: members.clone(),
        };
        generate_with(model, endpoint.clone())
    };
    assert!(!with_prefix("S3 Control").contains(".host_prefix("));
    assert!(with_prefix("Other").contains(".host_prefix(\"{AccountId}.\""));
}
