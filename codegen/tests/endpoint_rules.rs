//! The endpoint rule set at generation time: embedded as pretty JSON, the parameters operations
//! set (static values, `contextParam` members, plain `operationContextParams` paths), and a clear
//! diagnostic for a file that is not a rule set.

use awsgen_codegen::{CrateSpec, Diagnostics, Generated, InputFile};
use serde_json::{json, Value};

fn generate(rules: &[u8]) -> Result<Generated, Diagnostics> {
    let model = json!({
        "version": "2.0",
        "metadata": {"apiVersion": "2024-01-01", "endpointPrefix": "rules", "protocol": "rest-json",
                     "serviceId": "Rules", "serviceFullName": "Rules", "signatureVersion": "v4", "uid": "rules"},
        "operations": {
            "Put": {"name": "Put", "http": {"method": "POST", "requestUri": "/{Bucket}"},
                    "input": {"shape": "PutRequest"},
                    "staticContextParams": {"UseArnRegion": {"value": true}, "Undeclared": {"value": "x"}},
                    "operationContextParams": {"Key": {"path": "Key"}, "Keys": {"path": "Items[*].Key"}}}
        },
        "shapes": {
            "PutRequest": {"type": "structure", "required": ["Bucket"], "members": {
                "Bucket": {"shape": "String", "location": "uri", "locationName": "Bucket",
                           "contextParam": {"name": "Bucket"}},
                "Key": {"shape": "String"},
                "Flag": {"shape": "Boolean", "contextParam": {"name": "Flag"}}
            }},
            "String": {"type": "string"},
            "Boolean": {"type": "boolean"}
        }
    })
    .to_string()
    .into_bytes();
    let spec = CrateSpec {
        endpoint_rules: Some(InputFile { path: "rules.json", contents: rules }),
        ..CrateSpec::new("rules", InputFile { path: "model.json", contents: &model })
    };
    awsgen_codegen::generate(&spec)
}

fn rule_set(parameters: Value) -> Vec<u8> {
    json!({"version": "1.0", "parameters": parameters, "rules": []}).to_string().into_bytes()
}

#[test]
fn operations_set_the_parameters_the_rule_set_declares() {
    let parameters = json!({
        "Bucket": {"type": "string"}, "Key": {"type": "string"}, "UseArnRegion": {"type": "boolean"},
        "Flag": {"type": "string"}, "Keys": {"type": "stringArray"}
    });
    let generated = generate(&rule_set(parameters)).unwrap();
    let embedded = &generated.files["src/endpoint-rule-set.json"];
    assert!(embedded.starts_with("{\n  \"parameters\": {\n"), "pretty JSON: {embedded}");
    let client = generated.files["src/client.rs"].replace(char::is_whitespace, "");
    assert!(client.contains("endpoint_rules:Some(&ENDPOINT_RULES)"), "{client}");
    assert!(client.contains("include_str!(\"endpoint-rule-set.json\")"), "{client}");
    let put = generated.files["src/operation/put.rs"].replace(char::is_whitespace, "");
    // An input's members are all `Option`s, the required `Bucket` too (`build()` checked it).
    let expected = "fnendpoint_params(&self,params:&mut::awsgen_runtime::endpoint_rules::Params){\
        ifletSome(value)=&self.bucket{params.set(\"Bucket\",value.as_str());}\
        ifletSome(value)=&self.key{params.set(\"Key\",value.as_str());}\
        params.set(\"UseArnRegion\",true);}";
    assert!(put.contains(expected), "{put}");
    // `Flag` is a boolean member for a string parameter: left at its default, with a warning.
    let warnings: Vec<String> = generated.warnings.iter().map(|w| w.to_string()).collect();
    assert!(warnings.iter().any(|w| w.contains("endpoint parameter `Flag` of Put is not a string")), "{warnings:?}");
}

#[test]
fn parameters_the_rule_set_does_not_declare_are_not_set() {
    let generated = generate(&rule_set(json!({}))).unwrap();
    assert!(!generated.files["src/operation/put.rs"].contains("endpoint_params"));
}

#[test]
fn a_file_that_is_not_a_rule_set_is_refused_by_name() {
    let cases: [(&[u8], &str); 4] = [
        (b"{", "not valid JSON"),
        (br#"{"parameters": {}, "rules": []}"#, "needs a string `version`"),
        (br#"{"version": "1.0", "parameters": {}}"#, "needs a `rules` list"),
        (
            br#"{"version": "1.0", "parameters": {"Region": {}}, "rules": []}"#,
            "parameter `Region` has no string `type`",
        ),
    ];
    for (text, expected) in cases {
        let problems = generate(text).unwrap_err().to_string();
        assert!(problems.contains(expected) && problems.contains("--> rules.json"), "{problems}");
        assert!(problems.ends_with("nothing was generated"), "{problems}");
    }
}
