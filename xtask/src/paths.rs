//! Paths as a standalone crate writes them: relative to its own folder, worked out at run time,
//! so nothing absolute (and nothing about where this xtask was compiled) lands in generated files.

use std::path::{Component, Path, PathBuf};

/// `path` (relative to `cwd` unless absolute) as an absolute path with symbolic links resolved.
/// The part that does not exist yet (an output folder about to be made) is appended to the part
/// that does, its `.` and `..` resolved by name.
pub fn physical(cwd: &Path, path: &Path) -> Result<PathBuf, String> {
    let absolute = cwd.join(path);
    let mut missing = Vec::new();
    let mut existing = absolute.as_path();
    let mut base = loop {
        if let Ok(base) = existing.canonicalize() {
            break base;
        }
        match (existing.components().next_back(), existing.parent()) {
            (Some(last), Some(parent)) => {
                missing.push(last);
                existing = parent;
            }
            _ => return Err(format!("error: cannot resolve {}", absolute.display())),
        }
    };
    for component in missing.into_iter().rev() {
        match component {
            Component::ParentDir => {
                base.pop();
            }
            Component::Normal(name) => base.push(name),
            _ => {}
        }
    }
    Ok(base)
}

/// The path from folder `from` to `to` (both from [`physical`]), `/`-separated, e.g.
/// `../../runtime`; `None` when there is none (different drives) or it is not UTF-8.
pub fn relative(from: &Path, to: &Path) -> Option<String> {
    let from: Vec<Component> = from.components().collect();
    let to: Vec<Component> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let is_name = |c: &Component| matches!(c, Component::Normal(_));
    if common == 0 || !from[common..].iter().all(is_name) || !to[common..].iter().all(is_name) {
        return None;
    }
    let mut parts = vec![".."; from.len() - common];
    for component in &to[common..] {
        parts.push(component.as_os_str().to_str()?);
    }
    Some(if parts.is_empty() { ".".to_owned() } else { parts.join("/") })
}

/// The `runtime/` folder of the awsgen checkout `start` is in: the first folder at or above `start`
/// whose Cargo.toml has a `[workspace]` and whose `runtime/Cargo.toml` is package `awsgen-runtime`.
pub fn find_runtime(start: &Path) -> Option<PathBuf> {
    start.ancestors().find(|dir| is_awsgen_checkout(dir)).map(|dir| dir.join("runtime"))
}

fn is_awsgen_checkout(dir: &Path) -> bool {
    let read = |path: PathBuf| std::fs::read_to_string(path).unwrap_or_default();
    let has_workspace = read(dir.join("Cargo.toml")).lines().any(|line| line.trim().starts_with("[workspace]"));
    has_workspace && package_name(&read(dir.join("runtime/Cargo.toml"))).as_deref() == Some("awsgen-runtime")
}

/// The `name` of a manifest's `[package]`, read line by line (enough for the manifest we look for).
fn package_name(manifest: &str) -> Option<String> {
    let mut in_package = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = line.starts_with("[package]");
        } else if let Some(value) = line.strip_prefix("name").map(str::trim_start) {
            if let (true, Some(value)) = (in_package, value.strip_prefix('=')) {
                return Some(value.trim().trim_matches('"').to_owned());
            }
        }
    }
    None
}

/// `text` as a TOML basic string, quotes included.
pub fn toml_string(text: &str) -> String {
    let mut quoted = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            c if c.is_control() => quoted.push_str(&format!("\\u{:04X}", c as u32)),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_between_folders() {
        let rel = |a: &str, b: &str| relative(Path::new(a), Path::new(b));
        assert_eq!(rel("/w/generated/x", "/w/runtime").as_deref(), Some("../../runtime"));
        assert_eq!(rel("/tmp/out", "/w/runtime").as_deref(), Some("../../w/runtime"));
        assert_eq!(rel("/w", "/w/runtime").as_deref(), Some("runtime"));
        assert_eq!(rel("/w/runtime", "/w/runtime").as_deref(), Some("."));
        assert_eq!(rel("/w/runtime/x", "/w/runtime").as_deref(), Some(".."));
    }

    #[test]
    fn a_folder_not_made_yet_resolves_by_name() {
        let cwd = std::env::temp_dir().canonicalize().unwrap();
        assert_eq!(physical(&cwd, Path::new("awsgen-none/a/../b/./c")).unwrap(), cwd.join("awsgen-none/b/c"));
        assert_eq!(physical(&cwd, Path::new(".")).unwrap(), cwd);
    }

    #[test]
    fn package_names_and_toml_strings() {
        let manifest = "[workspace]\nname = \"no\"\n[package]\nversion = \"1\"\nname = \"awsgen-runtime\"\n";
        assert_eq!(package_name(manifest).as_deref(), Some("awsgen-runtime"));
        assert_eq!(package_name("[package.metadata]\nname = \"x\"\n"), None);
        assert_eq!(toml_string("a\"b\\c"), r#""a\"b\\c""#);
    }
}
