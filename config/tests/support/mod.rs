//! Shared by the suite tests: where the cross-SDK data lives.

#![allow(dead_code)]

pub mod replay;

use std::path::{Path, PathBuf};

/// `../shared/credentials-tests` beside the checkout (its SOURCE.md says what is in it). `None`
/// outside CI when it is absent; CI always has it.
pub fn suite_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/credentials-tests");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(std::env::var_os("CI").is_none(), "CI needs {} beside the checkout", dir.display());
    eprintln!("skipped: no {} beside this checkout", dir.display());
    None
}

pub fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// A fresh empty directory under the target dir.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("awsgen-config-{}-{name}-{}", std::process::id(), fastrand_suffix()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn fastrand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::SeqCst)
}
