//! Snapshots that each show one generator feature. Every model in `tests/fixtures/features/` (one
//! feature each: optionality, naming, errors, enums and unions, recursion, sensitive values, HTTP
//! bindings, paginators, awsJson; see its README) is generated and snapshotted as ONE file,
//! `snapshots/feature__<stem>.snap`: its warnings, then every generated file in path order, each
//! after a `// ---- <path> ----` line. `Cargo.toml`, `src/config.rs` and `src/error.rs` are left
//! out: they are the same for every model (checked below). A generator change thus shows up as a
//! diff per feature, not as a copy of `generated/`, which `up_to_date.rs` (and
//! `cargo xtask codegen --check`) already guards.
//!
//! One more snapshot, `listbackendjobs_smithy__operation`, is the ListBackendJobs operation module
//! generated from the Smithy model: it differs from the committed botocore one by its header line.
//!
//! After an intended change: `cargo insta review` (or `INSTA_UPDATE=always`), then commit.

use awsgen_codegen::{CrateSpec, Generated, InputFile, Selection};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Files that depend on nothing of the model but its name: not snapshotted.
const BOILERPLATE: &[&str] = &["Cargo.toml", "src/config.rs", "src/error.rs"];

fn workspace_file(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

/// The stems of the feature models, sorted.
fn fixture_stems() -> Vec<String> {
    xtask::fixtures::stems(&xtask::workspace_root()).unwrap_or_else(|e| panic!("{e}"))
}

/// `tests/fixtures/features/<stem>.json` as the crate `fixture-<stem>` (compiled, clippy-clean,
/// by `cargo xtask fixtures`). Panics on any diagnostic.
fn generate_fixture(stem: &str) -> Generated {
    let runtime = "{ path = \"../../runtime\" }";
    xtask::fixtures::generate(&xtask::workspace_root(), stem, runtime).unwrap_or_else(|e| panic!("{e}"))
}

/// What a reviewer reads for one feature: the warnings, then every file but the boilerplate.
fn feature_text(generated: &Generated) -> String {
    let mut text = String::new();
    if !generated.warnings.is_empty() {
        text.push_str("// ---- warnings ----\n");
        for warning in &generated.warnings {
            text.push_str(&format!("{}\n", warning.warning()));
        }
    }
    for (path, contents) in generated.files.iter().filter(|(path, _)| !BOILERPLATE.contains(&path.as_str())) {
        text.push_str(&format!("// ---- {path} ----\n{contents}"));
        if !contents.ends_with('\n') {
            text.push('\n');
        }
    }
    text
}

fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings
}

#[test]
fn every_feature_fixture_matches_its_snapshot() {
    let stems = fixture_stems();
    assert!(stems.len() >= 9, "tests/fixtures/features has {} models", stems.len());
    snapshot_settings().bind(|| {
        for stem in &stems {
            let text = feature_text(&generate_fixture(stem));
            insta::assert_snapshot!(format!("feature__{stem}"), text);
        }
    });
}

/// The ListBackendJobs module from the Smithy model (the botocore one is committed in generated/).
#[test]
fn list_backend_jobs_from_smithy_matches_its_snapshot() {
    const SMITHY: &str = "specs/amplifybackend/listbackendjobs.smithy.json";
    const PAGINATORS: &str = "specs/amplifybackend/paginators-1.json";
    let (model, pagers) = (
        std::fs::read(workspace_file(SMITHY)).expect("smithy model"),
        std::fs::read(workspace_file(PAGINATORS)).expect("paginators"),
    );
    let spec = CrateSpec {
        paginators: Some(InputFile { path: PAGINATORS, contents: &pagers }),
        operations: Selection::Only(["ListBackendJobs".to_owned()].into()),
        runtime_dependency: "{ path = \"../../runtime\" }",
        standalone: false,
        ..CrateSpec::new("awsgen-amplifybackend", InputFile { path: SMITHY, contents: &model })
    };
    let generated = awsgen_codegen::generate(&spec).unwrap_or_else(|d| panic!("{d}"));
    let module = &generated.files["src/operation/list_backend_jobs.rs"];
    snapshot_settings().bind(|| insta::assert_snapshot!("listbackendjobs_smithy__operation", module));
}

/// The files left out of the snapshots are the same for every fixture, apart from the model
/// path in the header and, in `Cargo.toml`, the package name and description. If this fails, a
/// generator change made one of them depend on the model: take it out of `BOILERPLATE`.
#[test]
fn files_left_out_of_the_snapshots_are_boilerplate() {
    let mut seen: BTreeMap<&str, (String, String)> = BTreeMap::new();
    for stem in fixture_stems() {
        let generated = generate_fixture(&stem);
        for path in BOILERPLATE {
            let contents = generated.files.get(*path).unwrap_or_else(|| panic!("{stem}: no {path}"));
            let normalized: String = contents
                .lines()
                .skip(1)
                .filter(|line| !line.starts_with("name = ") && !line.starts_with("description = "))
                .map(|line| format!("{line}\n"))
                .collect();
            match seen.get(path) {
                None => {
                    seen.insert(path, (stem.clone(), normalized));
                }
                Some((first, text)) => {
                    assert_eq!(text, &normalized, "{path} differs between fixtures {first} and {stem}")
                }
            }
        }
    }
}
