//! `cargo xtask api-diff`: what a model update changes for the generated crates' users.

use crate::config::Job;
use awsgen_codegen::diff::{api_diff, ApiDiff};
use awsgen_codegen::ir::Service;
use awsgen_codegen::plan::CratePlan;
use awsgen_codegen::{CrateSpec, InputFile};
use std::path::Path;
use std::process::Command;

/// The revision to compare with: the merge base with `main`, or `HEAD` on main itself.
pub fn default_base(root: &Path) -> Result<String, String> {
    let branch = git(root, &["rev-parse", "--abbrev-ref", "HEAD"])?;
    if branch.trim() == "main" {
        return Ok("HEAD".to_owned());
    }
    Ok(git(root, &["merge-base", "HEAD", "main"])
        .map(|rev| rev.trim().to_owned())
        .unwrap_or_else(|_| "HEAD".to_owned()))
}

/// Every configured crate's model at `base` against the working tree.
pub fn configured(root: &Path, jobs: &[Job], base: &str) -> Result<Vec<(String, ApiDiff)>, String> {
    let mut reports = Vec::new();
    for job in jobs {
        let new = job.lower().map_err(|d| d.to_string())?;
        // Every input file as it was at `base`: the model, and its paginators, waiters and rules.
        let old = match job.lower_at(|path| git_show(root, base, path)) {
            None => empty_like(&new),
            Some(old) => old.map_err(|d| format!("{} at {base}:\n{d}", job.model_path()))?,
        };
        reports.push((job.package.clone(), api_diff(&old, &new)));
    }
    Ok(reports)
}

/// Two model files of either format, every operation: what regenerating OLD's crate from NEW
/// would change, so NEW is resolved with the names OLD's crate pinned, as `codegen` does in place.
pub fn files(old: &Path, new: &Path) -> Result<ApiDiff, String> {
    let lower = |path: &Path, names_lock: Option<&str>| {
        let contents = std::fs::read(path).map_err(|e| format!("error: cannot read {}: {e}", path.display()))?;
        let shown = path.display().to_string();
        let names_lock = names_lock.map(|lock| InputFile { path: "names.lock", contents: lock.as_bytes() });
        let spec =
            CrateSpec { names_lock, ..CrateSpec::new("api-diff", InputFile { path: &shown, contents: &contents }) };
        awsgen_codegen::lower(&spec).map(|(plan, _)| plan).map_err(|d| d.to_string())
    };
    let old = lower(old, None)?;
    let pinned = awsgen_codegen::names_lock(&old);
    Ok(api_diff(&old, &lower(new, Some(&pinned))?))
}

/// A crate with nothing in it: what a model that did not exist yet is compared as.
fn empty_like(plan: &CratePlan) -> CratePlan {
    let ir = Service { operations: Default::default(), shapes: Default::default(), ..plan.ir.clone() };
    CratePlan { service: plan.service.clone(), types: Vec::new(), operations: Default::default(), ir }
}

fn git_show(root: &Path, rev: &str, path: &str) -> Option<Vec<u8>> {
    let output = Command::new("git").args(["show", &format!("{rev}:{path}")]).current_dir(root).output().ok()?;
    output.status.success().then_some(output.stdout)
}

fn git(root: &Path, args: &[&str]) -> Result<String, String> {
    let output =
        Command::new("git").args(args).current_dir(root).output().map_err(|e| format!("error: cannot run git: {e}"))?;
    if !output.status.success() {
        return Err(format!("error: git {}: {}", args.join(" "), String::from_utf8_lossy(&output.stderr).trim()));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}
