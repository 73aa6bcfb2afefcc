//! `cargo xtask endpoint-tests`: every service's published endpoint test cases through the
//! runtime's rules engine; and `cargo xtask endpoint`: one resolution from the command line.

use endpoint_rules::{ParamType, Params, ResolveError, ResolvedEndpoint, RuleSet, Value};
use serde_json::{Map, Value as Json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

// The runtime's rules engine, compiled from its source: the module needs only serde_json and std,
// and this keeps the runtime's HTTP and TLS stack out of xtask's build. (A plain comment: an outer
// doc here would make rustdoc resolve the module's own links from this file.)
#[path = "../../runtime/src/endpoint_rules/mod.rs"]
pub mod endpoint_rules;

const RULE_SET: &str = "endpoint-rule-set-1.json";
const TESTS: &str = "endpoint-tests-1.json";
/// Failures printed in full (the rest are counted).
const SHOWN_FAILURES: usize = 10;

/// `../shared/endpoint-tests` beside the checkout.
pub fn default_tests(root: &Path) -> PathBuf {
    root.join("../shared/endpoint-tests")
}

/// `tests/endpoint-tests-skip.json`: service -> case `documentation` -> why it is skipped.
type Skips = BTreeMap<String, BTreeMap<String, String>>;

fn load_skips(root: &Path) -> Result<Skips, String> {
    let path = root.join("tests/endpoint-tests-skip.json");
    match std::fs::read_to_string(&path) {
        Err(_) => Ok(Skips::new()),
        Ok(text) => serde_json::from_str(&text).map_err(|e| format!("error: {}: {e}", path.display())),
    }
}

#[derive(Default)]
pub struct ServiceReport {
    pub service: String,
    pub cases: usize,
    pub passed: usize,
    pub skipped: usize,
    pub failures: Vec<String>,
}

/// Runs the cases of every service folder under `dir` (or only `only`).
pub fn run(root: &Path, dir: &Path, only: Option<&str>) -> Result<Vec<ServiceReport>, String> {
    let skips = load_skips(root)?;
    let mut services: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| format!("error: cannot read {}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .filter(|entry| entry.path().join(TESTS).is_file())
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| only.is_none_or(|only| only == name))
        .collect();
    services.sort();
    if services.is_empty() {
        return Err(format!("error: no service folders with {TESTS} under {}", dir.display()));
    }
    let no_skips = BTreeMap::new();
    Ok(services.iter().map(|s| run_service(&dir.join(s), s, skips.get(s).unwrap_or(&no_skips))).collect())
}

fn run_service(dir: &Path, service: &str, skips: &BTreeMap<String, String>) -> ServiceReport {
    let mut report = ServiceReport { service: service.to_owned(), ..ServiceReport::default() };
    let loaded = read_json(&dir.join(TESTS)).and_then(|tests| {
        let text = std::fs::read_to_string(dir.join(RULE_SET)).map_err(|e| format!("cannot read {RULE_SET}: {e}"))?;
        Ok((tests, RuleSet::from_json(&text).map_err(|e| e.to_string())?))
    });
    let (tests, rules) = match loaded {
        Ok(loaded) => loaded,
        Err(error) => {
            report.cases = 1;
            report.failures.push(format!("{service}: {error}"));
            return report;
        }
    };
    let cases = tests.get("testCases").and_then(Json::as_array).map(Vec::as_slice).unwrap_or_default();
    for (index, case) in cases.iter().enumerate() {
        report.cases += 1;
        let documentation = case.get("documentation").and_then(Json::as_str).unwrap_or("");
        if skips.contains_key(documentation) {
            report.skipped += 1;
            continue;
        }
        match check_case(&rules, case) {
            Ok(()) => report.passed += 1,
            Err(difference) => {
                let params = case.get("params").map(Json::to_string).unwrap_or_default();
                report
                    .failures
                    .push(format!("{service} case {index} ({documentation})\n    params: {params}\n    {difference}"));
            }
        }
    }
    report
}

fn read_json(path: &Path) -> Result<Json, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Resolves one case and compares it with `expect`; the difference when they disagree.
fn check_case(rules: &RuleSet, case: &Json) -> Result<(), String> {
    let params = case_params(rules, case.get("params"))?;
    let result = rules.resolve(&params);
    let expect = case.get("expect").ok_or("the case has no `expect`")?;
    match (expect.get("error").and_then(Json::as_str), expect.get("endpoint"), result) {
        (Some(message), _, Err(error)) => {
            let got = error.to_string();
            if got == message && matches!(error, ResolveError::Rule(_)) {
                Ok(())
            } else {
                Err(format!("expected error {message:?}\n    got error      {got:?} ({error:?})"))
            }
        }
        (Some(message), _, Ok(endpoint)) => {
            Err(format!("expected error {message:?}\n    got endpoint   {}", endpoint.to_json()))
        }
        (None, Some(expected), Ok(endpoint)) => compare_endpoint(expected, &endpoint),
        (None, Some(expected), Err(error)) => Err(format!("expected endpoint {expected}\n    got error {error:?}")),
        (None, None, _) => Err("`expect` has neither `error` nor `endpoint`".to_owned()),
    }
}

fn compare_endpoint(expected: &Json, got: &ResolvedEndpoint) -> Result<(), String> {
    let empty = Json::Object(Map::new());
    let field = |key: &str| expected.get(key).unwrap_or(&empty);
    let got_json = got.to_json();
    let got_field = |key: &str| got_json.get(key).unwrap_or(&empty);
    for key in ["url", "headers", "properties"] {
        let want = if key == "url" { expected.get("url").unwrap_or(&Json::Null) } else { field(key) };
        if want != got_field(key) {
            return Err(format!("{key}: expected {want}\n    {key}: got      {}", got_field(key)));
        }
    }
    Ok(())
}

/// A case's `params` as typed values: by the declared type, else by the JSON type (so a value for
/// an undeclared parameter reaches the engine, which refuses it).
fn case_params(rules: &RuleSet, params: Option<&Json>) -> Result<Params, String> {
    let mut out = Params::new();
    for (name, json) in params.and_then(Json::as_object).into_iter().flatten() {
        let declared = rules.parameters().iter().find(|p| &p.name == name).map(|p| p.kind);
        let kind = declared.unwrap_or(match json {
            Json::Bool(_) => ParamType::Boolean,
            Json::Array(_) => ParamType::StringArray,
            _ => ParamType::String,
        });
        let value = Value::from_json(json, kind).ok_or_else(|| format!("param {name}: {json} is not a {kind:?}"))?;
        out.set(name.clone(), value);
    }
    Ok(out)
}

/// Prints the table (services with failures or skips, or all with `verbose`), totals and the first
/// failures; true when nothing failed.
pub fn print(reports: &[ServiceReport], verbose: bool) -> bool {
    println!("| service | cases | passed | skipped | failed |");
    println!("|---|---:|---:|---:|---:|");
    let (mut cases, mut passed, mut skipped, mut failed) = (0, 0, 0, 0);
    for r in reports {
        if verbose || r.skipped > 0 || !r.failures.is_empty() {
            println!("| {} | {} | {} | {} | {} |", r.service, r.cases, r.passed, r.skipped, r.failures.len());
        }
        (cases, passed, skipped, failed) =
            (cases + r.cases, passed + r.passed, skipped + r.skipped, failed + r.failures.len());
    }
    println!("| **{} services** | {cases} | {passed} | {skipped} | {failed} |", reports.len());
    let failures: Vec<&String> = reports.iter().flat_map(|r| &r.failures).collect();
    for failure in failures.iter().take(SHOWN_FAILURES) {
        println!("\nFAILED {failure}");
    }
    if failures.len() > SHOWN_FAILURES {
        println!("\n... and {} more failures", failures.len() - SHOWN_FAILURES);
    }
    failures.is_empty()
}

/// `cargo xtask endpoint`: the rule set at or beside `model`, resolved for `NAME=VALUE` params.
pub fn resolve_one(model: &Path, params: &[String]) -> Result<Json, String> {
    let rules = load_rule_set(model)?;
    let mut typed = Params::new();
    for param in params {
        let (name, text) =
            param.split_once('=').ok_or_else(|| format!("error: --param {param}: expected NAME=VALUE"))?;
        let kind = rules.parameters().iter().find(|p| p.name == name).map(|p| p.kind);
        let value = match (kind, text) {
            (Some(ParamType::Boolean), "true") => Value::Bool(true),
            (Some(ParamType::Boolean), "false") => Value::Bool(false),
            (Some(ParamType::Boolean), _) => return Err(format!("error: --param {name}: expected true or false")),
            (Some(ParamType::StringArray), _) => Value::StringArray(text.split(',').map(str::to_owned).collect()),
            _ => Value::String(text.to_owned()),
        };
        typed.set(name, value);
    }
    rules.resolve(&typed).map(|endpoint| endpoint.to_json()).map_err(|e| format!("error: {e}"))
}

/// `path` itself when it names a rule set, else `endpoint-rule-set-1.json[.gz]` in the folder
/// `path` is or that holds it (a service-2.json[.gz]).
fn load_rule_set(path: &Path) -> Result<RuleSet, String> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let (dir, file) = if path.is_dir() {
        (path, RULE_SET)
    } else if name.starts_with("endpoint-rule-set") {
        (path.parent().unwrap_or(Path::new(".")), name.trim_end_matches(".gz"))
    } else {
        (path.parent().unwrap_or(Path::new(".")), RULE_SET)
    };
    let (found, bytes) = crate::corpus::read_data_file(dir, file)?
        .ok_or_else(|| format!("error: no {file}[.gz] in {}", dir.display()))?;
    let text = String::from_utf8(bytes).map_err(|_| format!("error: {} is not UTF-8", found.display()))?;
    RuleSet::from_json(&text).map_err(|e| format!("error: {}: {e}", found.display()))
}
