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
    /// cargo-semver-checks' failed lints, with what each names.
    pub semver_checks: Vec<String>,
}

impl Update {
    /// cargo-semver-checks found a break api-diff calls compatible.
    pub fn missed(&self) -> bool {
        !self.semver_checks.is_empty() && self.api_diff.is_empty()
    }
}

/// Runs every update of every service under `history`, generating into `out`.
pub fn run(root: &Path, history: &Path, out: &Path) -> Result<Vec<Update>, String> {
    let runtime = root.join("runtime").canonicalize().map_err(|e| format!("error: runtime: {e}"))?;
    let runtime_dependency = format!("{{ path = {:?} }}", runtime.display().to_string());
    let mut updates = Vec::new();
    for service in folders(history)? {
        let name = file_name(&service);
        let versions = folders(&service)?;
        let Some((first, rest)) = versions.split_first() else { continue };
        let mut previous = generate(first, &runtime_dependency, None)?;
        for version in rest {
            let lock = previous.1.get(NAMES_LOCK).cloned();
            let current = generate(version, &runtime_dependency, lock.as_deref())?;
            let (old_dir, new_dir) = (out.join(&name).join("old"), out.join(&name).join("new"));
            write_crate(&old_dir, &previous.1)?;
            write_crate(&new_dir, &current.1)?;
            let api = api_diff(&previous.0, &current.0);
            let breaking = api.changes.iter().filter(|c| c.impact == Impact::Breaking);
            updates.push(Update {
                service: name.clone(),
                from: file_name(&previous.2),
                to: file_name(version),
                api_diff: breaking.map(|c| format!("{}: {}", c.subject, c.what)).collect(),
                semver_checks: semver_checks(&old_dir, &new_dir, &out.join("target"))?,
            });
            previous = current;
        }
    }
    Ok(updates)
}

/// The table the README keeps: one row per update.
pub fn print(updates: &[Update]) {
    println!("| service | update | api-diff breaking | cargo-semver-checks failures | agree |");
    println!("|---|---|---:|---|---|");
    for update in updates {
        let lints = if update.semver_checks.is_empty() { "none".to_owned() } else { update.semver_checks.join("; ") };
        let agree = if update.missed() { "no: api-diff missed it" } else { "yes" };
        println!(
            "| {} | {} -> {} | {} | {lints} | {agree} |",
            update.service,
            update.from,
            update.to,
            update.api_diff.len()
        );
    }
    let missed = updates.iter().filter(|u| u.missed()).count();
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

/// One version's plan and files, standalone, reading `lock` as the last run's names lock.
fn generate(
    folder: &Path,
    runtime_dependency: &str,
    lock: Option<&str>,
) -> Result<(CratePlan, GeneratedFiles, PathBuf), String> {
    let read = |name: &str| std::fs::read(folder.join(name)).ok();
    let model = read("service-2.json").ok_or_else(|| format!("error: no service-2.json in {}", folder.display()))?;
    let paginators = read("paginators-1.json");
    let spec = CrateSpec {
        paginators: paginators.as_deref().map(|contents| InputFile { path: "paginators-1.json", contents }),
        runtime_dependency,
        names_lock: lock.map(|text| InputFile { path: NAMES_LOCK, contents: text.as_bytes() }),
        ..CrateSpec::new("awsgen-history", InputFile { path: "service-2.json", contents: &model })
    };
    let failed = |d: awsgen_codegen::Diagnostics| format!("error: {}: {d}", folder.display());
    let (plan, _) = awsgen_codegen::lower(&spec).map_err(failed)?;
    let files = awsgen_codegen::emit(&plan, &spec).map_err(failed)?;
    Ok((plan, files, folder.to_path_buf()))
}

fn write_crate(dir: &Path, files: &GeneratedFiles) -> Result<(), String> {
    let changes = crate::sync::changes(dir, files)?;
    crate::sync::apply(dir, &changes)
}

/// cargo-semver-checks' failed lints for `new` against the baseline `old`, as a minor release
/// (so that any break fails).
fn semver_checks(old: &Path, new: &Path, target: &Path) -> Result<Vec<String>, String> {
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
fn failures(report: &str) -> Vec<String> {
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
        found.push(format!("{lint} ({})", items.join(", ")));
    }
    found
}

#[cfg(test)]
mod tests {
    #[test]
    fn failures_name_the_lint_and_its_items() {
        let report = "--- failure struct_pub_field_missing: pub struct's pub field removed or renamed ---\n\n\
            Description:\nA field is gone.\n\nFailed in:\n  field Foo.bar, previously in file /x/a.rs:3\n  \
            field Foo.baz, previously in file /x/a.rs:4\n--- failure enum_missing: pub enum removed ---\n\
            Failed in:\n  enum types::Gone, previously in file /x/b.rs:1\n\nSummary semver requires new major";
        assert_eq!(
            super::failures(report),
            ["struct_pub_field_missing (field Foo.bar, field Foo.baz)", "enum_missing (enum types::Gone)"]
        );
    }
}
