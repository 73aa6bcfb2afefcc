//! The file I/O around the pure generator, shared by the `cargo xtask` binary and the tests.

pub mod api_diff;
pub mod bench_build;
pub mod bench_calls;
pub mod bench_eventstream;
pub mod bench_transfers;
pub mod config;
pub mod conformance;
pub mod corpus;
pub mod endpoint_tests;
pub mod fixtures;
pub mod fuzz;
pub mod fuzz_responses;
pub mod models;
pub mod paths;
pub mod semver_oracle;
pub mod sync;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The root of the checkout this xtask was compiled in (xtask lives one level below it): where
/// specs/, generated/ and target/ are. It is a compile-time path, so it must never be written into
/// a generated file; a standalone crate finds its runtime at run time (see [`paths::find_runtime`]).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

/// The cargo that runs this xtask (or the one on PATH), for builds of scratch workspaces.
pub fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
}

/// Emitted harness tokens as formatted Rust source.
pub fn pretty(tokens: proc_macro2::TokenStream) -> Result<String, String> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| format!("harness is not valid Rust: {e}"))?;
    Ok(prettyplease::unparse(&file))
}

/// Writes a scratch file, creating its folder. An unchanged file keeps its time stamp, so cargo
/// does not rebuild a harness for nothing.
pub fn write_file(path: &Path, text: &str) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("error: cannot create {}: {e}", parent.display()))?;
    }
    if std::fs::read(path).is_ok_and(|old| old == text.as_bytes()) {
        return Ok(());
    }
    std::fs::write(path, text).map_err(|e| format!("error: cannot write {}: {e}", path.display()))
}

/// A scratch workspace of its own in `dir` (under `target/`), with these member folders. Without
/// debug info: its crates are checked and tested, never debugged, and debug info is most of their
/// size on disk.
pub fn write_scratch_workspace(dir: &Path, members: &[String]) -> Result<(), String> {
    let members: Vec<String> = members.iter().map(|m| format!("{m:?}")).collect();
    let manifest =
        format!("[workspace]\nresolver = \"2\"\nmembers = [{}]\n\n[profile.dev]\ndebug = false\n", members.join(", "));
    std::fs::write(dir.join("Cargo.toml"), manifest).map_err(|e| format!("error: cannot write {}: {e}", dir.display()))
}
