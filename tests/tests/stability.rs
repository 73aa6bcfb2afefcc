//! A model update changes only what it changes: the two breakages seen before the resolved API
//! (a reused structure changing type, a clashing new shape renaming an old one), replayed on the
//! AmplifyBackend model, leave every existing item as it was.

use awsgen_codegen::{CrateSpec, GeneratedFiles, InputFile, NAMES_LOCK};
use serde_json::{json, Value};

fn model() -> Value {
    let text = std::fs::read(xtask::workspace_root().join("specs/amplifybackend/service-2.json")).unwrap();
    serde_json::from_slice(&text).unwrap()
}

/// The crate's files for `model`, reading `lock` as the last run's names lock.
fn generate(model: &Value, lock: Option<&str>) -> GeneratedFiles {
    let contents = serde_json::to_vec(model).unwrap();
    let spec = CrateSpec {
        runtime_dependency: "{ path = \"../../runtime\" }",
        standalone: false,
        names_lock: lock.map(|text| InputFile { path: "names.lock", contents: text.as_bytes() }),
        ..CrateSpec::new(
            "awsgen-amplifybackend",
            InputFile { path: "specs/amplifybackend/service-2.json", contents: &contents },
        )
    };
    awsgen_codegen::generate(&spec).unwrap_or_else(|d| panic!("{d}")).files
}

/// The files that differ between two generations (changed, added or removed).
fn changed(before: &GeneratedFiles, after: &GeneratedFiles) -> Vec<String> {
    let paths: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    paths.into_iter().filter(|path| before.get(*path) != after.get(*path)).cloned().collect()
}

/// The lines of `path` only `after` has, and only `before` has.
fn line_diff(before: &GeneratedFiles, after: &GeneratedFiles, path: &str) -> (Vec<String>, Vec<String>) {
    let lines = |files: &GeneratedFiles| -> Vec<String> {
        files.get(path).map(|text| text.lines().map(str::to_owned).collect()).unwrap_or_default()
    };
    let (old, new) = (lines(before), lines(after));
    let added = new.iter().filter(|line| !old.contains(line)).cloned().collect();
    let removed = old.iter().filter(|line| !new.contains(line)).cloned().collect();
    (added, removed)
}

#[test]
fn reusing_an_input_structure_in_an_output_changes_no_type() {
    let old_model = model();
    let before = generate(&old_model, None);
    // UpdateBackendAuthVerificationMessageConfig (required DeliveryMethod) was only ever sent;
    // now a response holds it too.
    let mut new_model = old_model.clone();
    new_model["shapes"]["ListBackendJobsResponse"]["members"]["Verification"] =
        json!({"shape": "UpdateBackendAuthVerificationMessageConfig", "locationName": "verification"});
    let after = generate(&new_model, before.get(NAMES_LOCK).map(String::as_str));

    let reused = "src/types/update_backend_auth_verification_message_config.rs";
    assert_eq!(changed(&before, &after), ["names.lock", "src/operation/list_backend_jobs.rs", reused]);
    // The reused type gains the ability to be read from JSON (until now only with the `serde`
    // feature: its `ReadFields` and `Deserialize` lose their feature gate), and nothing else: its
    // fields, their types and its builder's `build()` stay as they were.
    let (added, removed) = line_diff(&before, &after, reused);
    assert!(added.is_empty(), "{added:?}");
    assert_eq!(removed, ["#[cfg(feature = \"serde\")]"; 2]);
    assert!(before[reused].contains("#[cfg(feature = \"serde\")]\nimpl ::awsgen_runtime::fields::ReadFields"));
    let text = &after[reused];
    assert!(text.contains("pub delivery_method: crate::types::DeliveryMethod,"), "{text}");
    let compact: String = text.split_whitespace().collect();
    assert!(compact.contains("->Result<UpdateBackendAuthVerificationMessageConfig,::awsgen_runtime::BuildError"));
    // The operation gains one member; the lock one name.
    let (added, removed) = line_diff(&before, &after, "src/operation/list_backend_jobs.rs");
    assert!(removed.is_empty(), "{removed:#?}");
    let field = "pub verification: Option<crate::types::UpdateBackendAuthVerificationMessageConfig>,";
    assert!(added.iter().any(|line| line.trim() == field), "{added:#?}");
    assert_eq!(line_diff(&before, &after, NAMES_LOCK).0, ["member ListBackendJobsResponse.Verification verification"]);
}

#[test]
fn a_clashing_new_shape_never_renames_an_existing_one() {
    let old_model = model();
    let before = generate(&old_model, None);
    let lock = before.get(NAMES_LOCK).map(String::as_str);
    // A new shape whose Rust name is BackendJobRespObj's, and that sorts before it.
    let mut new_model = old_model.clone();
    new_model["shapes"]["BACKENDJobRespObj"] =
        json!({"type": "structure", "members": {"Id": {"shape": "__string"}}, "documentation": "<p>New.</p>"});
    new_model["shapes"]["ListBackendJobsResponse"]["members"]["Extra"] = json!({"shape": "BACKENDJobRespObj"});
    assert!("BACKENDJobRespObj" < "BackendJobRespObj", "the newcomer comes first in model order");

    let after = generate(&new_model, lock);
    let existing = "src/types/backend_job_resp_obj.rs";
    assert_eq!(before[existing], after[existing], "the existing type is untouched");
    assert!(after["src/types/backend_job_resp_obj2.rs"].contains("pub struct BackendJobRespObj2 {"));
    assert_eq!(
        line_diff(&before, &after, NAMES_LOCK).0,
        [
            "member BACKENDJobRespObj.Id id",
            "member ListBackendJobsResponse.Extra extra",
            "type BACKENDJobRespObj BackendJobRespObj2",
        ]
    );
    // Without the lock, model order alone decides, and the old name would move: the lock is
    // what keeps it.
    let unlocked = generate(&new_model, None);
    assert!(unlocked["src/types/backend_job_resp_obj2.rs"].contains("pub struct BackendJobRespObj2 {"));
    assert!(unlocked[existing].contains("/// New."), "the newcomer took the name");
}

#[test]
fn the_committed_lock_pins_every_public_name() {
    let files = generate(&model(), None);
    let lock = &files[NAMES_LOCK];
    for line in ["type BackendJobRespObj BackendJobRespObj", "operation ListBackendJobs list_backend_jobs"] {
        assert!(lock.lines().any(|l| l == line), "{line}");
    }
    // Reading the lock back changes nothing: a second run is byte-identical.
    assert_eq!(generate(&model(), Some(lock)), files);
}
