//! Makes an output folder hold exactly the generated files: writes changed files, removes stale
//! ones, or (with --check) reports the difference as a unified diff.

use awsgen_codegen::GeneratedFiles;
use std::path::{Path, PathBuf};

pub enum Change {
    Write { path: PathBuf, old: String, new: String },
    Remove { path: PathBuf, old: String },
}

/// What it takes to make `dir` hold exactly `files`.
pub fn changes(dir: &Path, files: &GeneratedFiles) -> Result<Vec<Change>, String> {
    let mut changes = Vec::new();
    for (relative, new) in files {
        let path = dir.join(relative);
        let old = std::fs::read_to_string(&path).unwrap_or_default();
        if &old != new {
            changes.push(Change::Write { path, old, new: new.clone() });
        }
    }
    for path in existing_files(dir)? {
        let relative = path.strip_prefix(dir).unwrap_or(&path);
        let relative = relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
        if !files.contains_key(&relative) {
            let old = std::fs::read_to_string(&path).unwrap_or_default();
            changes.push(Change::Remove { path, old });
        }
    }
    Ok(changes)
}

/// Every file under `dir` (none if it does not exist yet), sorted.
fn existing_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let entries = match std::fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(format!("error: cannot list {}: {e}", folder.display())),
        };
        for entry in entries {
            let path = entry.map_err(|e| format!("error: cannot list {}: {e}", folder.display()))?.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Writes each file through a temporary sibling and a rename, so no file is ever half-written.
pub fn apply(dir: &Path, changes: &[Change]) -> Result<(), String> {
    for change in changes {
        match change {
            Change::Write { path, new, .. } => {
                let fail = |e: std::io::Error| format!("error: cannot write {}: {e}", path.display());
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(fail)?;
                }
                let temporary = path.with_extension("awsgen-tmp");
                std::fs::write(&temporary, new).map_err(fail)?;
                std::fs::rename(&temporary, path).map_err(fail)?;
            }
            Change::Remove { path, .. } => {
                std::fs::remove_file(path).map_err(|e| format!("error: cannot remove {}: {e}", path.display()))?;
            }
        }
    }
    remove_empty_folders(dir);
    Ok(())
}

fn remove_empty_folders(dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            if entry.path().is_dir() {
                remove_empty_folders(&entry.path());
                let _ = std::fs::remove_dir(entry.path()); // fails, as intended, unless empty
            }
        }
    }
}

/// Prints a unified diff of every change; true when there was any.
pub fn report(root: &Path, changes: &[Change]) -> bool {
    for change in changes {
        let (path, old, new, what) = match change {
            Change::Write { path, old, new } => {
                (path, old.as_str(), new.as_str(), "differs from the generator's output")
            }
            Change::Remove { path, old } => (path, old.as_str(), "", "was not produced by the generator"),
        };
        let shown = path.strip_prefix(root).unwrap_or(path).display().to_string();
        eprintln!("{shown} {what}:");
        let diff = similar::TextDiff::from_lines(old, new);
        eprint!("{}", diff.unified_diff().context_radius(3).header(&format!("a/{shown}"), &format!("b/{shown}")));
    }
    !changes.is_empty()
}
