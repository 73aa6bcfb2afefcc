//! `cargo xtask semver-oracle`: api-diff checked against an independent tool. Every consecutive
//! pair of real model updates in `../shared/model-history` is generated as two versions of one
//! crate (the newer with the older's names lock, as `codegen` regenerates in place), and
//! cargo-semver-checks (which reads rustdoc's JSON) compares them. Every break it reports must be
//! one api-diff reports as breaking.

use awsgen_codegen::diff::{api_diff, Impact};
use awsgen_codegen::plan::CratePlan;
use awsgen_codegen::{CrateSpec, GeneratedFiles, InputFile, NAMES_LOCK};
use std::path::{Path, PathBuf};

/// One model update and what each tool says breaks.
pub struct Update {
    pub service: String,
    pub from: String,
    pub to: String,
    /// api-diff's breaking changes.
    pub api_diff: Vec<String>,
    /// cargo-semver-checks' failed lints, each with the items it names.
    pub semver_checks: Vec<(String, Vec<String>)>,
}

impl Update {
    /// The items cargo-semver-checks reports broken that no breaking change of api-diff names.
    /// api-diff describes a structure by its fields: a builder (`XBuilder`) and the accessors
    /// (`X::field`, the builder's `field`, `set_field`, `get_field`) break with the structure or
    /// field they belong to, so they count as named by it.
    pub fn missed(&self) -> Vec<&str> {
        let items = self.semver_checks.iter().flat_map(|(_, items)| items);
        items.map(String::as_str).filter(|item| !self.api_diff.iter().any(|change| names(change, item))).collect()
    }
}

/// Whether api-diff's `change` (`operation::get::GetOutput.name: removed`) names the item of a
/// cargo-semver-checks report (`struct awsgen_history::operation::get::GetOutputBuilder`,
/// `GetOutputBuilder::set_name`).
fn names(change: &str, item: &str) -> bool {
    let subject = change.split(": ").next().unwrap_or(change);
    // `field app_name of struct GetOutput` is `GetOutput::app_name`.
    let field_of = item.strip_prefix("field ").and_then(|rest| rest.split_once(" of struct "));
    let joined = field_of.map(|(field, owner)| format!("{owner}::{field}"));
    let item = joined.as_deref().unwrap_or(item);
    let (kind, path) = item.rsplit_once(' ').unwrap_or(("", item));
    let path = path.trim_start_matches("awsgen_history::");
    if kind == "mod" {
        return subject.starts_with(&format!("{path}::"));
    }
    let (owner, member) = match path.rsplit_once("::") {
        Some((owner, member)) if kind == "variant" || member.starts_with(char::is_lowercase) => (owner, Some(member)),
        _ => (path, None),
    };
    let owner = owner.strip_suffix("Builder").unwrap_or(owner);
    let field = member.map(|m| m.trim_start_matches("set_").trim_start_matches("get_"));
    let type_name = owner.rsplit("::").next().unwrap_or(owner);
    let owned = |name: &str| subject == name || subject.ends_with(&format!("::{name}"));
    match field {
        Some(field) => {
            owned(&format!("{type_name}.{field}")) || owned(type_name) || owned(&format!("{type_name}::{field}"))
        }
        None => owned(type_name) || subject.starts_with(&format!("{owner}::")),
    }
}

/// Runs every update of every service under `history`, then the controls (`EDITS`), generating
/// into `out`.
pub fn run(root: &Path, history: &Path, out: &Path) -> Result<Vec<Update>, String> {
    let runtime = root.join("runtime").canonicalize().map_err(|e| format!("error: runtime: {e}"))?;
    let runtime_dependency = format!("{{ path = {:?} }}", runtime.display().to_string());
    let mut updates = Vec::new();
    for service in folders(history)? {
        let versions = folders(&service)?;
        let mut models = Vec::new();
        for version in &versions {
            models.push((file_name(version), Model::read(version)?));
        }
        for pair in models.windows(2) {
            let [(from, old), (to, new)] = pair else { continue };
            let update = compare(&file_name(&service), (from, old), (to, new), &runtime_dependency, out)?;
            updates.push(update);
        }
        // The controls edit the newest AmplifyBackend: breaks both tools must see, and one neither may.
        if file_name(&service) == "amplifybackend" {
            let Some((from, newest)) = models.last() else { continue };
            for (edit, apply) in EDITS {
                let mut edited = newest.clone();
                apply(&mut edited.model);
                updates.push(compare(
                    "amplifybackend (control)",
                    (from, newest),
                    (edit, &edited),
                    &runtime_dependency,
                    out,
                )?);
            }
        }
    }
    Ok(updates)
}

/// Hand-made edits of a model: two that break the crate, one that AWS's rules call compatible.
type Edit = (&'static str, fn(&mut serde_json::Value));
const EDITS: [Edit; 3] = [
    ("operation CloneBackend removed", |model| {
        model["operations"].as_object_mut().map(|ops| ops.remove("CloneBackend"));
    }),
    ("GetBackendResponse.AppName removed", |model| {
        model["shapes"]["GetBackendResponse"]["members"].as_object_mut().map(|members| members.remove("AppName"));
    }),
    ("GetBackendRequest.BackendEnvironmentName made required", |model| {
        model["shapes"]["GetBackendRequest"]["required"] = serde_json::json!(["AppId", "BackendEnvironmentName"]);
    }),
];

/// A model and its paginators, as JSON.
#[derive(Clone)]
struct Model {
    model: serde_json::Value,
    paginators: Option<Vec<u8>>,
}

impl Model {
    fn read(folder: &Path) -> Result<Model, String> {
        let path = folder.join("service-2.json");
        let text = std::fs::read(&path).map_err(|e| format!("error: cannot read {}: {e}", path.display()))?;
        let model = serde_json::from_slice(&text).map_err(|e| format!("error: {}: {e}", path.display()))?;
        Ok(Model { model, paginators: std::fs::read(folder.join("paginators-1.json")).ok() })
    }
}

/// Both tools on one update: `new` generated with `old`'s names lock, as `codegen` does in place.
fn compare(
    service: &str,
    (from, old): (&str, &Model),
    (to, new): (&str, &Model),
    runtime_dependency: &str,
    out: &Path,
) -> Result<Update, String> {
    let (old_plan, old_files) = generate(old, runtime_dependency, None)?;
    let (new_plan, new_files) = generate(new, runtime_dependency, old_files.get(NAMES_LOCK).map(String::as_str))?;
    let dir = out.join(service.split(' ').next().unwrap_or(service));
    let (old_dir, new_dir) = (dir.join("old"), dir.join("new"));
    write_crate(&old_dir, &old_files)?;
    write_crate(&new_dir, &new_files)?;
    let api = api_diff(&old_plan, &new_plan);
    let breaking = api.changes.iter().filter(|c| c.impact == Impact::Breaking);
    Ok(Update {
        service: service.to_owned(),
        from: from.to_owned(),
        to: to.to_owned(),
        api_diff: breaking.map(|c| format!("{}: {}", c.subject, c.what)).collect(),
        semver_checks: semver_checks(&old_dir, &new_dir, &out.join("target"))?,
    })
}

/// The table the README keeps: one row per update.
pub fn print(updates: &[Update]) {
    println!("| service | update | api-diff breaking | cargo-semver-checks failures | agree |");
    println!("|---|---|---:|---|---|");
    for update in updates {
        let lints: Vec<String> =
            update.semver_checks.iter().map(|(lint, items)| format!("{lint} ({})", items.len())).collect();
        let lints = if lints.is_empty() { "none".to_owned() } else { lints.join(", ") };
        let missed = update.missed();
        let agree =
            if missed.is_empty() { "yes".to_owned() } else { format!("no: api-diff missed {}", missed.join(", ")) };
        println!(
            "| {} | {} -> {} | {} | {lints} | {agree} |",
            update.service,
            update.from,
            update.to,
            update.api_diff.len()
        );
    }
    let missed = updates.iter().filter(|u| !u.missed().is_empty()).count();
    println!("\n{} updates, {missed} where cargo-semver-checks found a break api-diff did not", updates.len());
}

fn folders(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("error: cannot read {}: {e}", dir.display()))?;
    let mut found: Vec<PathBuf> = entries.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
    // `0-botocore-1.20.110`, `1-...`: in update order.
    found.sort_by_key(|p| (file_name(p).split('-').next().and_then(|n| n.parse::<u32>().ok()), p.clone()));
    Ok(found)
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// A model's plan and files, standalone, reading `lock` as the last run's names lock.
fn generate(
    model: &Model,
    runtime_dependency: &str,
    lock: Option<&str>,
) -> Result<(CratePlan, GeneratedFiles), String> {
    let text = model.model.to_string();
    let spec = CrateSpec {
        paginators: model.paginators.as_deref().map(|contents| InputFile { path: "paginators-1.json", contents }),
        runtime_dependency,
        names_lock: lock.map(|text| InputFile { path: NAMES_LOCK, contents: text.as_bytes() }),
        ..CrateSpec::new("awsgen-history", InputFile { path: "service-2.json", contents: text.as_bytes() })
    };
    let failed = |d: awsgen_codegen::Diagnostics| format!("error: {d}");
    let (plan, _) = awsgen_codegen::lower(&spec).map_err(failed)?;
    let files = awsgen_codegen::emit(&plan, &spec).map_err(failed)?;
    Ok((plan, files))
}

fn write_crate(dir: &Path, files: &GeneratedFiles) -> Result<(), String> {
    let changes = crate::sync::changes(dir, files)?;
    crate::sync::apply(dir, &changes)
}

/// cargo-semver-checks' failed lints for `new` against the baseline `old`, as a minor release
/// (so that any break fails).
fn semver_checks(old: &Path, new: &Path, target: &Path) -> Result<Vec<(String, Vec<String>)>, String> {
    let output = crate::cargo()
        .args(["semver-checks", "check-release", "--release-type", "minor", "--baseline-root"])
        .arg(old)
        .arg("--manifest-path")
        .arg(new.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", target)
        .output()
        .map_err(|e| format!("error: cannot run cargo semver-checks: {e}"))?;
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    if text.contains("no such command") {
        return Err("error: cargo-semver-checks is not installed: cargo install cargo-semver-checks --locked".into());
    }
    let failures = failures(&text);
    if !output.status.success() && failures.is_empty() {
        return Err(format!("error: cargo semver-checks failed on {}:\n{text}", new.display()));
    }
    Ok(failures)
}

/// `--- failure enum_variant_added: ... ---` headers, each with the items listed under it.
fn failures(report: &str) -> Vec<(String, Vec<String>)> {
    let mut found = Vec::new();
    let mut lines = report.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(lint) = line.trim().strip_prefix("--- failure ").and_then(|l| l.split(':').next()) else { continue };
        let mut items = Vec::new();
        while let Some(next) = lines.peek() {
            if next.trim().starts_with("--- ") || next.trim().starts_with("Summary") {
                break;
            }
            let next = lines.next().unwrap_or_default().trim();
            if let Some((item, _)) = next.split_once(" in file ") {
                items.push(item.trim_end_matches(", previously").to_owned());
            }
        }
        found.push((lint.to_owned(), items));
    }
    found
}

#[cfg(test)]
mod tests {
    #[test]
    fn builders_and_accessors_are_named_by_their_structure_or_field() {
        let removed = "operation::get::GetOutput.app_name: removed";
        for item in ["GetOutput::app_name", "GetOutputBuilder::set_app_name", "GetOutputBuilder::get_app_name"] {
            assert!(super::names(removed, item), "{item}");
        }
        assert!(super::names(removed, "field app_name of struct GetOutput"));
        assert!(super::names("types::Color.Red: removed", "variant Color::Red"));
        assert!(!super::names(removed, "GetOutput::other"));
        let gone = "operation::clone::CloneInput: removed";
        assert!(super::names(gone, "struct awsgen_history::operation::clone::CloneInputBuilder"));
        assert!(super::names("Client::clone: removed", "Client::clone"));
        assert!(super::names("operation::clone::CloneError: removed", "mod awsgen_history::operation::clone"));
        assert!(!super::names(gone, "struct awsgen_history::types::Other"));
    }

    #[test]
    fn failures_name_the_lint_and_its_items() {
        let report = "--- failure struct_pub_field_missing: pub struct's pub field removed or renamed ---\n\n\
            Description:\nA field is gone.\n\nFailed in:\n  field Foo.bar, previously in file /x/a.rs:3\n  \
            field Foo.baz, previously in file /x/a.rs:4\n--- failure enum_missing: pub enum removed ---\n\
            Failed in:\n  enum types::Gone, previously in file /x/b.rs:1\n\nSummary semver requires new major";
        let lint = |name: &str, items: &[&str]| (name.to_owned(), items.iter().map(|i| i.to_string()).collect());
        assert_eq!(
            super::failures(report),
            [
                lint("struct_pub_field_missing", &["field Foo.bar", "field Foo.baz"]),
                lint("enum_missing", &["enum types::Gone"])
            ]
        );
    }
}
