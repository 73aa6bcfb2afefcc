//! Waiters and expression paginators on small models: what is generated, what is left out with a
//! warning (the crate still generated), and what is a model error naming the file and place.

use awsgen_codegen::{CrateSpec, Generated, InputFile};
use serde_json::{json, Value};

fn model() -> Value {
    json!({
        "version": "2.0",
        "metadata": {"apiVersion": "2024-01-01", "endpointPrefix": "w", "protocol": "json", "jsonVersion": "1.0",
                     "targetPrefix": "W", "serviceId": "W", "signatureVersion": "v4", "uid": "w"},
        "operations": {
            "Describe": {"name": "Describe", "http": {"method": "POST", "requestUri": "/"},
                         "input": {"shape": "DescribeInput"}, "output": {"shape": "DescribeOutput"}}
        },
        "shapes": {
            "DescribeInput": {"type": "structure", "members": {"Token": {"shape": "String"}}},
            "DescribeOutput": {"type": "structure", "members": {
                "Page": {"shape": "Page"},
                "Created": {"shape": "Timestamp"}
            }},
            "Page": {"type": "structure", "members": {
                "Items": {"shape": "Items"},
                "Status": {"shape": "String"},
                "Tags": {"shape": "Tags"}
            }},
            "Items": {"type": "list", "member": {"shape": "Item"}},
            "Item": {"type": "structure", "members": {"Id": {"shape": "String"}, "State": {"shape": "String"}}},
            "Tags": {"type": "map", "key": {"shape": "String"}, "value": {"shape": "String"}},
            "String": {"type": "string"},
            "Timestamp": {"type": "timestamp"}
        }
    })
}

fn generate(model: &Value, paginators: Option<Value>, waiters: Option<Value>) -> Result<Generated, String> {
    let model = model.to_string().into_bytes();
    let pagers = paginators.map(|p| p.to_string().into_bytes());
    let waiters = waiters.map(|w| w.to_string().into_bytes());
    let spec = CrateSpec {
        paginators: pagers.as_deref().map(|contents| InputFile { path: "paginators.json", contents }),
        waiters: waiters.as_deref().map(|contents| InputFile { path: "waiters.json", contents }),
        ..CrateSpec::new("w", InputFile { path: "model.json", contents: &model })
    };
    awsgen_codegen::generate(&spec).map_err(|d| d.to_string())
}

fn waiter(argument: &str) -> Value {
    json!({"version": 2, "waiters": {"Ready": {"operation": "Describe", "delay": 3, "maxAttempts": 7, "acceptors": [
        {"matcher": "pathAll", "argument": argument, "expected": "READY", "state": "success"},
        {"matcher": "error", "expected": "Gone", "state": "failure"}
    ]}}})
}

fn operation_file(generated: &Generated) -> &str {
    &generated.files["src/operation/describe.rs"]
}

#[test]
fn a_waiter_becomes_a_builder_method_and_an_acceptor_function() {
    let generated = generate(&model(), None, Some(waiter("Page.Items[].State"))).unwrap();
    let code = operation_file(&generated);
    assert!(
        code.contains("pub fn wait_until_ready(self) -> ::awsgen_runtime::waiter::Waiter<DescribeInput>"),
        "{code}"
    );
    assert!(code.contains("::std::time::Duration::from_secs(3u64),\n            7u32"), "{code}");
    assert!(code.contains(".all_equal(&Value::String(\"READY\"))"), "{code}");
    assert!(code.contains("if error.code() == Some(\"Gone\")"), "{code}");
    assert!(generated.warnings.is_empty(), "{:?}", generated.warnings);
}

#[test]
fn a_waiter_outside_the_subset_is_left_out_with_a_warning() {
    for (argument, why) in [
        ("sort(Page.Items)", "function `sort`"),
        ("Page.Missing", "no member \"Missing\""),
        ("Created", "can't be compared"),
        ("Page.Status[0]", "is not a list"),
    ] {
        let generated = generate(&model(), None, Some(waiter(argument))).unwrap();
        assert!(!operation_file(&generated).contains("wait_until_ready"), "{argument}");
        let [warning] = &generated.warnings[..] else { panic!("{argument}: {:?}", generated.warnings) };
        assert_eq!(warning.file, "waiters.json");
        assert_eq!(warning.location, "/waiters/Ready");
        assert!(warning.message.contains("the waiter Ready is left out") && warning.message.contains(why), "{warning}");
    }
}

#[test]
fn a_broken_waiters_file_is_an_error_naming_the_place() {
    let broken = json!({"version": 2, "waiters": {"Ready": {"operation": "Nope", "delay": 1, "maxAttempts": 1, "acceptors": []}}});
    let error = generate(&model(), None, Some(broken)).unwrap_err();
    assert!(error.contains("waiters.json") && error.contains("/waiters/Ready/operation"), "{error}");
    let broken = json!({"version": 2, "waiters": {"Ready": {"operation": "Describe", "delay": 1, "maxAttempts": 1,
        "acceptors": [{"matcher": "regex", "expected": "x", "state": "success"}]}}});
    let error = generate(&model(), None, Some(broken)).unwrap_err();
    assert!(error.contains("/waiters/Ready/acceptors/0") && error.contains("unknown matcher \"regex\""), "{error}");
}

#[test]
fn paginators_follow_nested_keys_and_leave_out_what_they_cannot() {
    let pagers = json!({"pagination": {"Describe": {
        "input_token": "Token", "output_token": "Page.Items[-1].Id", "result_key": ["Page.Status", "Page.Items"]
    }}});
    let generated = generate(&model(), Some(pagers), None).unwrap();
    let code = operation_file(&generated);
    assert!(code.contains("fn into_paginator"), "{code}");
    assert!(code.contains("::awsgen_runtime::jmespath::index(x, -1i64)"), "{code}");
    assert!(code.contains("type Item = crate::types::Item;"), "the list, not the first key, holds the items: {code}");
    assert!(generated.warnings.is_empty(), "{:?}", generated.warnings);

    for (pager, why) in [
        (
            json!({"input_token": "Page.Token", "output_token": "Page.Status", "result_key": "Page.Items"}),
            "input expression",
        ),
        (json!({"input_token": "Token", "output_token": "Page.Items[].Id", "result_key": "Page.Items"}), "one value"),
        (json!({"input_token": "Token", "output_token": "Page.Status", "result_key": "Page.Status"}), "list or map"),
    ] {
        let generated = generate(&model(), Some(json!({"pagination": {"Describe": pager}})), None).unwrap();
        assert!(!operation_file(&generated).contains("fn into_paginator"), "{why}");
        let [warning] = &generated.warnings[..] else { panic!("{why}: {:?}", generated.warnings) };
        assert!(
            warning.message.contains("the paginator of Describe is left out") && warning.message.contains(why),
            "{warning}"
        );
    }
}

#[test]
fn smithy_waitable_traits_become_waiters() {
    let smithy = json!({
        "smithy": "2.0",
        "shapes": {
            "example#W": {"type": "service", "version": "2024-01-01", "operations": [{"target": "example#Describe"}],
                          "traits": {"aws.protocols#awsJson1_0": {}, "aws.api#service": {"sdkId": "W"}}},
            "example#Describe": {"type": "operation", "input": {"target": "example#DescribeInput"},
                "output": {"target": "example#DescribeOutput"},
                "traits": {"smithy.waiters#waitable": {
                    "Ready": {"minDelay": 5, "acceptors": [
                        {"state": "success", "matcher": {"output": {"path": "Status", "expected": "READY", "comparator": "stringEquals"}}},
                        {"state": "retry", "matcher": {"errorType": "example#Busy"}}
                    ]},
                    "Compared": {"acceptors": [
                        {"state": "success", "matcher": {"inputOutput": {"path": "input.Id == output.Id", "expected": "true", "comparator": "booleanEquals"}}}
                    ]}
                }}},
            "example#DescribeInput": {"type": "structure", "members": {"Id": {"target": "smithy.api#String"}}},
            "example#DescribeOutput": {"type": "structure", "members": {"Status": {"target": "smithy.api#String"}}}
        }
    });
    let generated = generate(&smithy, None, None).unwrap_or_else(|e| panic!("{e}"));
    let code = operation_file(&generated);
    assert!(code.contains("pub fn wait_until_ready(self)"), "{code}");
    assert!(code.contains("from_secs(5u64)") && code.contains("if error.code() == Some(\"Busy\")"), "{code}");
    assert!(!code.contains("wait_until_compared"), "{code}");
    assert!(
        generated.warnings.iter().any(|w| w.message.contains("the waiter Compared is left out")),
        "{:?}",
        generated.warnings
    );
}
