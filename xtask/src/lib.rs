//! The file I/O around the pure generator, shared by the `cargo xtask` binary and the tests.

pub mod api_diff;
pub mod bench_build;
pub mod config;
pub mod conformance;
pub mod corpus;
pub mod fuzz;
pub mod sync;

use std::path::{Path, PathBuf};

/// The workspace root: xtask lives one level below it.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}
