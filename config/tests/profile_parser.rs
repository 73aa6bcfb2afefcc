//! The cross-SDK profile file parser suite (`profile-parser-tests.json`): every case.

mod support;

use awsgen_config::profile::ProfileSet;
use serde_json::{json, Map, Value};

#[test]
fn profile_parser_suite() {
    let Some(dir) = support::suite_dir() else { return };
    let suite = support::read_json(&dir.join("profile-parser-tests.json"));
    let cases = suite["tests"].as_array().expect("tests");
    let failures: Vec<String> = cases.iter().filter_map(|case| run(case).err()).collect();
    println!("profile-parser-tests.json: {} of {} passed", cases.len() - failures.len(), cases.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn run(case: &Value) -> Result<(), String> {
    let name = case["name"].as_str().unwrap_or_default();
    let text = |key: &str| case["input"][key].as_str().unwrap_or_default().to_owned();
    let parsed = ProfileSet::parse(&text("configFile"), &text("credentialsFile"));
    let output = &case["output"];
    match (parsed, output.get("errorContaining").and_then(Value::as_str)) {
        (Err(error), Some(expected)) if error.message.contains(expected) => Ok(()),
        (Err(error), _) => Err(format!("{name}: unexpected error {error:?}")),
        (Ok(_), Some(expected)) => Err(format!("{name}: parsed, expected an error containing {expected:?}")),
        (Ok(set), None) => {
            let expected = &output["config"];
            let mut actual = json!({ "profiles": sections(set.profiles()) });
            if expected.get("sso_sessions").is_some() {
                actual["sso_sessions"] = sections(set.sso_sessions());
            }
            (actual == *expected).then_some(()).ok_or_else(|| format!("{name}: got {actual}, expected {expected}"))
        }
    }
}

fn sections<'a>(sections: impl Iterator<Item = &'a awsgen_config::profile::Section>) -> Value {
    let map: Map<String, Value> = sections
        .map(|section| {
            let properties = section.properties().iter().map(|(k, v)| (k.clone(), Value::from(v.as_str())));
            (section.name().to_owned(), Value::Object(properties.collect()))
        })
        .collect();
    Value::Object(map)
}
