//! The feature fixtures (`tests/fixtures/features/<stem>.json`, with `<stem>.paginators.json`
//! where there is one): the snapshot tests read what they generate, and `cargo xtask fixtures`
//! compiles every one of them, clippy-clean with every feature on, in a scratch workspace.

use awsgen_codegen::{CrateSpec, Diagnostics, Generated, InputFile};
use std::path::Path;

/// The fixture folder, relative to the workspace root (as the generated headers show it).
pub const FEATURES: &str = "tests/fixtures/features";

/// The stems of the feature models, sorted (`optionality` for `optionality.json`).
pub fn stems(root: &Path) -> Result<Vec<String>, String> {
    let dir = root.join(FEATURES);
    let entries = std::fs::read_dir(&dir).map_err(|e| format!("error: cannot read {}: {e}", dir.display()))?;
    let mut stems: Vec<String> = entries
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".json") && !name.ends_with(".paginators.json"))
        .map(|name| name.trim_end_matches(".json").to_owned())
        .collect();
    stems.sort();
    Ok(stems)
}

/// The crate `fixture-<stem>`, as `cargo xtask codegen` would generate it with this runtime
/// dependency.
pub fn generate(root: &Path, stem: &str, runtime_dependency: &str) -> Result<Generated, String> {
    let model_path = format!("{FEATURES}/{stem}.json");
    let pager_path = format!("{FEATURES}/{stem}.paginators.json");
    let read = |path: &str| std::fs::read(root.join(path)).map_err(|e| format!("error: cannot read {path}: {e}"));
    let model = read(&model_path)?;
    let pagers = root.join(&pager_path).is_file().then(|| read(&pager_path)).transpose()?;
    let package = format!("fixture-{stem}");
    let spec = CrateSpec {
        paginators: pagers.as_deref().map(|contents| InputFile { path: &pager_path, contents }),
        runtime_dependency,
        standalone: false,
        ..CrateSpec::new(&package, InputFile { path: &model_path, contents: &model })
    };
    awsgen_codegen::generate(&spec).map_err(|d: Diagnostics| format!("{model_path} must generate:\n{d}"))
}

/// Writes every fixture crate into `out` as one workspace and runs clippy on it, all targets and
/// features, warnings denied. `Err` says which crate failed and how.
pub fn check(root: &Path, out: &Path) -> Result<usize, String> {
    let runtime = root.join("runtime").canonicalize().map_err(|e| format!("error: runtime: {e}"))?;
    let runtime_dependency = format!("{{ path = {:?} }}", runtime.display().to_string());
    let stems = stems(root)?;
    for stem in &stems {
        let generated = generate(root, stem, &runtime_dependency)?;
        let dir = out.join(stem);
        crate::sync::apply(&dir, &crate::sync::changes(&dir, &generated.files)?)?;
    }
    crate::write_scratch_workspace(out, &stems)?;
    let output = crate::cargo()
        .args(["clippy", "--quiet", "--workspace", "--all-targets", "--all-features", "--", "-D", "warnings"])
        .current_dir(out)
        .output()
        .map_err(|e| format!("error: cannot run cargo clippy: {e}"))?;
    if !output.status.success() {
        return Err(format!("error: the fixture crates fail clippy:\n{}", String::from_utf8_lossy(&output.stderr)));
    }
    Ok(stems.len())
}
