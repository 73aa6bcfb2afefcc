//! The cross-SDK assume-role suite (`assume-role-tests.json`, from smithy-rs's aws-config; see
//! ../shared/credentials-tests/SOURCE.md): each case's profiles are planned, with no network
//! call, and the plan compared with the case's profile chain step by step, or our error with the
//! kind of the case's error. A unit test here because the plan is private to the provider.

use super::{plan_for, Base, Plan};
use crate::profile::ProfileSet;
use crate::provider::sso::{SsoProfile, SsoRole};
use crate::provider::sso_token::TokenSource;
use crate::provider::sts::Role;
use awsgen_runtime::Credentials;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// Cases we plan differently on purpose, by their index in the file, with the reason.
const SKIPPED: &[(usize, &str)] = &[];

/// The suite's messages (smithy-rs's words, or a part of them) and the words ours use for the
/// same mistake.
const ERRORS: &[(&str, &str)] = &[
    ("profile must contain `source_profile`", "sets role_arn without source_profile or credential_source"),
    ("contained both source_profile and credential_source", "sets both source_profile and credential_source"),
    ("profile missing aws_secret_access_key", "but not aws_secret_access_key"),
    ("profile missing aws_access_key_id", "but not aws_access_key_id"),
    ("did not contain credential information", "has no credentials"),
    ("could not find source profile", "which does not exist"),
    ("No profiles were defined", "is not in the profile files"),
    ("profile formed an infinite loop", "source_profile cycle"),
    ("`role_arn` was missing", "`web_identity_token_file` was specified but `role_arn` was missing"),
    ("then `sso_account_id` must also be set", "configures SSO but sets no sso_account_id"),
    ("then `sso_role_name` must also be set", "configures SSO but sets no sso_role_name"),
    ("`sso_region` can only be specified in the [sso-session]", "sets no sso_region (the sso_region of profile"),
    ("was not found", "but there is no [sso-session"),
];

#[test]
fn assume_role_suite() {
    let Some(path) = suite_file() else { return };
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    let cases: Vec<Value> = serde_json::from_str(&text).unwrap();
    let (mut passed, mut skipped, mut failures) = (0, 0, Vec::new());
    for (index, case) in cases.iter().enumerate() {
        let docs = case["docs"].as_str().unwrap_or_default();
        if let Some((_, why)) = SKIPPED.iter().find(|(skip, _)| *skip == index) {
            println!("skipped case {index} ({docs}): {why}");
            skipped += 1;
            continue;
        }
        match run(case) {
            Ok(()) => passed += 1,
            Err(error) => failures.push(format!("case {index} ({docs}): {error}")),
        }
    }
    println!("assume-role-tests.json: {passed} of {} passed, {skipped} skipped", cases.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `../shared/credentials-tests/assume-role-tests.json` beside the checkout, as the suite tests
/// under `tests/` find it: `None` outside CI when it is absent.
fn suite_file() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/credentials-tests");
    if dir.is_dir() {
        return Some(dir.join("assume-role-tests.json"));
    }
    assert!(std::env::var_os("CI").is_none(), "CI needs {} beside the checkout", dir.display());
    eprintln!("skipped: no {} beside this checkout", dir.display());
    None
}

fn run(case: &Value) -> Result<(), String> {
    let input = &case["input"];
    let profiles = ProfileSet::parse(&config_file(input), "").map_err(|error| format!("{error:?}"))?;
    let selected = input["selected_profile"].as_str().ok_or("no selected_profile")?;
    let output = &case["output"];
    match (plan_for(&profiles, selected, true), output.get("ProfileChain"), output["Error"].as_str()) {
        (Ok(plan), Some(Value::Array(chain)), _) => check_chain(&plan, chain),
        (Err(error), None, Some(expected)) => check_error(error.message(), expected, input),
        (Ok(plan), _, _) => Err(format!("planned {plan:?}, expected {output}")),
        (Err(error), _, _) => Err(format!("unexpected error: {error}")),
    }
}

/// The case's profiles and sso-sessions as a config file, as a user would write them.
fn config_file(input: &Value) -> String {
    let mut text = String::new();
    for (kind, key) in [("profile", "profiles"), ("sso-session", "sso_sessions")] {
        for (name, properties) in input[key].as_object().into_iter().flatten() {
            text += &format!("[{kind} {name}]\n");
            for (key, value) in properties.as_object().into_iter().flatten() {
                text += &format!("{key} = {}\n", value.as_str().unwrap_or_default());
            }
        }
    }
    text
}

/// The chain lists the base first and then the roles from it up; the plan lists its roles from
/// the chosen profile's down.
fn check_chain(plan: &Plan, chain: &[Value]) -> Result<(), String> {
    let (base, roles) = chain.split_first().ok_or("an empty chain")?;
    check_base(&plan.base, base)?;
    let expected = roles.iter().map(|step| role(fields(step, "AssumeRole")?)).collect::<Result<Vec<_>, _>>()?;
    let ours: Vec<Role> = plan.roles.iter().rev().cloned().collect();
    (ours == expected).then_some(()).ok_or_else(|| format!("roles {ours:?}, expected {expected:?}"))
}

fn check_base(base: &Base, step: &Value) -> Result<(), String> {
    let matches = match base {
        Base::StaticKeys(ours) => *ours == access_key(fields(step, "AccessKey")?)?,
        Base::CredentialSource { source, .. } => Some(format!("{source:?}").as_str()) == step["NamedSource"].as_str(),
        Base::WebIdentity { token_file, role: ours } => {
            let fields = fields(step, "WebIdentityToken")?;
            Some(token_file.as_str()) == text(fields, "web_identity_token_file") && *ours == role(fields)?
        }
        Base::Sso(ours) => sso_matches(ours, fields(step, "Sso")?)?,
        Base::Process { .. } => false,
    };
    matches.then_some(()).ok_or_else(|| format!("base {base:?}, expected {step}"))
}

/// The fields of a `{kind: {...}}` step, which must all be ones this test compares.
fn fields<'a>(step: &'a Value, kind: &str) -> Result<&'a Map<String, Value>, String> {
    let known: &[&str] = match kind {
        "AccessKey" => &["access_key_id", "secret_access_key", "session_token", "account_id"],
        "AssumeRole" => &["role_arn", "external_id", "role_session_name"],
        "WebIdentityToken" => &["role_arn", "web_identity_token_file", "role_session_name"],
        "Sso" => &["sso_session", "sso_region", "sso_start_url", "sso_account_id", "sso_role_name"],
        _ => unreachable!("a kind this test knows"),
    };
    let fields = step.get(kind).and_then(Value::as_object).ok_or_else(|| format!("expected {step}, not {kind}"))?;
    match fields.keys().find(|key| !known.contains(&key.as_str())) {
        Some(unknown) => Err(format!("{kind} field `{unknown}` is not compared by this test")),
        None => Ok(fields),
    }
}

fn text<'a>(fields: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    fields.get(key).and_then(Value::as_str)
}

fn required<'a>(fields: &'a Map<String, Value>, key: &str) -> Result<&'a str, String> {
    text(fields, key).ok_or_else(|| format!("no {key} in {fields:?}"))
}

fn access_key(fields: &Map<String, Value>) -> Result<Credentials, String> {
    let token = text(fields, "session_token").map(str::to_owned);
    let credentials =
        Credentials::new(required(fields, "access_key_id")?, required(fields, "secret_access_key")?, token);
    Ok(match text(fields, "account_id") {
        Some(account_id) => credentials.with_account_id(account_id),
        None => credentials,
    })
}

fn role(fields: &Map<String, Value>) -> Result<Role, String> {
    Ok(Role {
        arn: required(fields, "role_arn")?.to_owned(),
        session_name: text(fields, "role_session_name").map(str::to_owned),
        external_id: text(fields, "external_id").map(str::to_owned),
        duration_seconds: None,
    })
}

fn sso_matches(ours: &SsoProfile, fields: &Map<String, Value>) -> Result<bool, String> {
    let start_url = required(fields, "sso_start_url")?.to_owned();
    let token = match text(fields, "sso_session") {
        Some(name) => TokenSource::Session { name: name.to_owned(), start_url },
        None => TokenSource::Legacy { start_url },
    };
    let role = match (text(fields, "sso_account_id"), text(fields, "sso_role_name")) {
        (Some(account_id), Some(role_name)) => {
            Some(SsoRole { account_id: account_id.to_owned(), role_name: role_name.to_owned() })
        }
        _ => None,
    };
    Ok(ours.token == token && ours.region == required(fields, "sso_region")? && ours.role == role)
}

/// Our error for a case that expects one: of the same kind (by `ERRORS`), naming the profiles
/// and sso-sessions the suite's message names.
fn check_error(ours: &str, expected: &str, input: &Value) -> Result<(), String> {
    let (_, words) = ERRORS
        .iter()
        .find(|(theirs, _)| expected.contains(theirs))
        .ok_or_else(|| format!("no translation for the suite's error {expected:?}; ours: {ours:?}"))?;
    if !ours.contains(words) {
        return Err(format!("error {ours:?} lacks {words:?} (the suite's: {expected:?})"));
    }
    match names_in(expected, input).into_iter().find(|name| !ours.contains(&format!("`{name}`"))) {
        Some(name) => Err(format!("error {ours:?} does not name `{name}`, as {expected:?} does")),
        None => Ok(()),
    }
}

/// The words of a message that are names in the case: of a profile or sso-session, or one a
/// profile refers to (a missing `source_profile` or `sso_session`).
fn names_in<'a>(message: &'a str, input: &Value) -> Vec<&'a str> {
    let defined = |key: &str, word: &str| input[key].get(word).is_some();
    let referred = |word: &str| {
        let profiles = input["profiles"].as_object().into_iter().flat_map(Map::values);
        profiles
            .flat_map(|profile| ["source_profile", "sso_session"].map(|key| profile[key].as_str()))
            .any(|name| name == Some(word))
    };
    message
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .filter(|word| !word.is_empty())
        .filter(|word| defined("profiles", word) || defined("sso_sessions", word) || referred(word))
        .collect()
}
