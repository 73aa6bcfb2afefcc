//! `cargo xtask corpus --models DIR`: generates a crate for every botocore model under DIR
//! (`<service>/<version>/service-2.json`) into one scratch workspace, then runs clippy with
//! warnings denied on each, printing a line per service.

use awsgen_codegen::{CrateSpec, InputFile, Selection};
use std::path::{Path, PathBuf};

/// One service's outcome.
pub struct Row {
    pub service: String,
    pub operations: usize,
    pub skipped: usize,
    pub lines: usize,
    pub problem: Option<String>,
}

/// The model folders under `models`, sorted: `<service>/<version>/` holding `service-2.json`.
pub fn model_dirs(models: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    let mut found = Vec::new();
    let services = std::fs::read_dir(models).map_err(|e| format!("error: cannot list {}: {e}", models.display()))?;
    for service in services.flatten().filter(|e| e.path().is_dir()) {
        let name = service.file_name().to_string_lossy().into_owned();
        let mut versions: Vec<PathBuf> = std::fs::read_dir(service.path())
            .map_err(|e| format!("error: cannot list {}: {e}", service.path().display()))?
            .flatten()
            .map(|v| v.path())
            .filter(|v| v.join("service-2.json").is_file())
            .collect();
        versions.sort();
        if let Some(latest) = versions.pop() {
            found.push((name, latest));
        }
    }
    found.sort();
    Ok(found)
}

/// Generates every model into `out` (a workspace of its own) and checks each crate.
pub fn run(root: &Path, models: &Path, out: &Path) -> Result<Vec<Row>, String> {
    let runtime = root.join("runtime").canonicalize().map_err(|e| format!("error: runtime: {e}"))?;
    let runtime_dependency = format!("{{ path = {:?} }}", runtime.display().to_string());
    let mut rows = Vec::new();
    let mut members = Vec::new();
    for (service, dir) in model_dirs(models)? {
        let model_path = dir.join("service-2.json");
        let pager_path = dir.join("paginators-1.json");
        let read = |p: &Path| std::fs::read(p).map_err(|e| format!("error: cannot read {}: {e}", p.display()));
        let model = read(&model_path)?;
        let pagers = if pager_path.is_file() { Some(read(&pager_path)?) } else { None };
        let (model_name, pager_name) = (model_path.display().to_string(), pager_path.display().to_string());
        let package = format!("awsgen-{service}");
        let spec = CrateSpec {
            package: &package,
            model: InputFile { path: &model_name, contents: &model },
            paginators: pagers.as_deref().map(|contents| InputFile { path: &pager_name, contents }),
            operations: Selection::All,
            runtime_dependency: &runtime_dependency,
            standalone: false,
            names_lock: None,
        };
        let mut row = Row { service: service.clone(), operations: 0, skipped: 0, lines: 0, problem: None };
        match awsgen_codegen::generate(&spec) {
            Ok(generated) => {
                let crate_dir = out.join(&service);
                let changes = crate::sync::changes(&crate_dir, &generated.files)?;
                crate::sync::apply(&crate_dir, &changes)?;
                row.operations = generated.files.keys().filter(|p| p.starts_with("src/operation/")).count();
                row.skipped = generated.skipped_operations.len();
                row.lines =
                    generated.files.iter().filter(|(p, _)| p.ends_with(".rs")).map(|(_, t)| t.lines().count()).sum();
                members.push(service.clone());
            }
            Err(diagnostics) => row.problem = Some(diagnostics.to_string()),
        }
        rows.push(row);
    }
    crate::write_scratch_workspace(out, &members)?;
    for row in rows.iter_mut().filter(|r| r.problem.is_none()) {
        row.problem = clippy(out, &format!("awsgen-{}", row.service));
    }
    Ok(rows)
}

/// Clippy with warnings denied on one crate of the scratch workspace; `None` when clean.
fn clippy(workspace: &Path, package: &str) -> Option<String> {
    let output = crate::cargo()
        .args(["clippy", "--quiet", "--package", package, "--", "-D", "warnings"])
        .current_dir(workspace)
        .env("CARGO_TARGET_DIR", workspace.join("target"))
        .output();
    match output {
        Ok(output) if output.status.success() => None,
        Ok(output) => Some(String::from_utf8_lossy(&output.stderr).into_owned()),
        Err(e) => Some(format!("cannot run cargo clippy: {e}")),
    }
}

pub fn print(rows: &[Row]) {
    println!("{:<26} {:>10} {:>8} {:>9}  result", "service", "operations", "skipped", "lines");
    for row in rows {
        let result = if row.problem.is_some() { "FAILED" } else { "ok" };
        println!("{:<26} {:>10} {:>8} {:>9}  {result}", row.service, row.operations, row.skipped, row.lines);
    }
    let total: usize = rows.iter().map(|r| r.lines).sum();
    println!("{:<26} {:>10} {:>8} {:>9}", "total", rows.iter().map(|r| r.operations).sum::<usize>(), "", total);
    for row in rows.iter().filter(|r| r.problem.is_some()) {
        eprintln!("\n{} failed:\n{}", row.service, row.problem.as_deref().unwrap_or_default());
    }
}
