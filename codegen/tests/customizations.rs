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
    generate_spec(model, endpoint, None)
}

/// Like [`generate_with`], with an endpoint rule set.
fn generate_spec(model: Model, endpoint: Value, rules: Option<&[u8]>) -> String {
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
    let endpoint_rules = rules.map(|contents| InputFile { path: "endpoint-rule-set-1.json", contents });
    let spec = CrateSpec { endpoint_rules, ..CrateSpec::new("c", InputFile { path: "model.json", contents: &model }) };
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

#[test]
fn s3_asks_for_a_bucket_location_by_path() {
    let rules = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../specs/s3/endpoint-rule-set-1.json")).unwrap();
    let http = json!({"method": "GET", "requestUri": "/{Bucket}?location"});
    let members = json!({"Bucket": {"shape": "String", "location": "uri", "locationName": "Bucket",
                                    "contextParam": {"name": "Bucket"}}});
    // The operation's endpoint parameters (the rule set is in the crate too).
    let params = |operation| {
        let model =
            Model { service_id: "S3", protocol: "rest-xml", operation, http: http.clone(), members: members.clone() };
        let code = generate_spec(model, Value::Null, Some(&rules));
        let at = code.find("fnendpoint_params").expect("the operation sets endpoint parameters");
        code[at..].split_once("}fn").map_or(code[at..].to_owned(), |(params, _)| params.to_owned())
    };
    assert!(params("GetBucketLocation").contains("params.set(\"ForcePathStyle\",true)"));
    assert!(!params("GetBucketAcl").contains("ForcePathStyle"));
}

#[test]
fn rds_copies_take_a_source_region_they_presign_in_and_never_send() {
    let http = json!({"method": "POST", "requestUri": "/"});
    let members = json!({"SourceDBSnapshotIdentifier": {"shape": "String"}, "PreSignedUrl": {"shape": "String"}});
    for service_id in ["RDS", "Neptune", "DocDB"] {
        let code = generate(service_id, "query", "CopyDBClusterSnapshot", http.clone(), members.clone());
        assert!(code.contains("pubsource_region:Option<String>"), "{service_id}");
        assert!(code.contains(
            "fncross_region_copy(&self)->Option<(String,Self)>{match(&self.pre_signed_url,&self.source_region)"
        ));
        assert!(code
            .contains("fnset_presigned_copy(&mutself,url:String,_destination:&str){self.pre_signed_url=Some(url);}"));
        assert!(code.contains("form.member(prefix,\"PreSignedUrl\"") && !code.contains("\"SourceRegion\""));
    }
    let elsewhere = generate("Other", "query", "CopyDBClusterSnapshot", http, members);
    assert!(!elsewhere.contains("source_region") && !elsewhere.contains("cross_region_copy"));
}
