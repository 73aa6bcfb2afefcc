//! `cargo xtask codegen` as a user runs it: a bad model changes nothing, `--check` reports
//! drift and stale files, and an unwritable output folder is a clear error.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask")).args(args).output().expect("xtask runs")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("awsgen-xtask-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

fn fixture(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path).display().to_string()
}

/// Every file under `dir` with its contents, sorted.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).expect("listable").flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push((path.clone(), std::fs::read(&path).expect("readable")));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn a_bad_model_leaves_the_output_untouched() {
    let out = scratch("untouched");
    let good = fixture("specs/fixtures/restjson-bindings.json");
    assert!(xtask(&["codegen", "--model", &good, "--out", out.to_str().unwrap()]).status.success());
    let before = snapshot(&out);
    assert!(before.len() > 5);

    for bad in ["many-problems-at-once", "not-json", "empty", "dangling-shape-reference"] {
        let model = fixture(&format!("tests/fixtures/malformed/{bad}.json"));
        let run = xtask(&["codegen", "--model", &model, "--out", out.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(!run.status.success(), "{bad}");
        assert!(stderr.contains("nothing was generated") && stderr.contains(&format!("{bad}.json")), "{bad}: {stderr}");
        assert!(!stderr.contains("panicked"), "{bad}: {stderr}");
        assert_eq!(snapshot(&out), before, "{bad} changed the output");
    }
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn check_reports_drift_and_stale_files_and_changes_nothing() {
    let out = scratch("check");
    let good = fixture("specs/fixtures/restjson-bindings.json");
    let dir = out.to_str().unwrap();
    assert!(xtask(&["codegen", "--model", &good, "--out", dir]).status.success());
    assert!(xtask(&["codegen", "--model", &good, "--out", dir, "--check"]).status.success());

    let lib = out.join("src/lib.rs");
    let edited = std::fs::read_to_string(&lib).unwrap().replace("pub mod types;", "pub mod types; // edited");
    std::fs::write(&lib, &edited).unwrap();
    std::fs::write(out.join("src/stale.rs"), "// not generated\n").unwrap();
    let before = snapshot(&out);
    let run = xtask(&["codegen", "--model", &good, "--out", dir, "--check"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success());
    assert!(stderr.contains("+pub mod types;") && stderr.contains("-pub mod types; // edited"), "{stderr}");
    assert!(stderr.contains("stale.rs was not produced by the generator"), "{stderr}");
    assert_eq!(snapshot(&out), before, "--check changed files");

    assert!(xtask(&["codegen", "--model", &good, "--out", dir]).status.success());
    assert!(!out.join("src/stale.rs").exists(), "a stale file is removed");
    assert!(xtask(&["codegen", "--model", &good, "--out", dir, "--check"]).status.success());
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn an_unwritable_output_folder_is_a_clear_error() {
    let out = scratch("unwritable");
    let blocker = out.join("a-file");
    std::fs::write(&blocker, "not a folder").unwrap();
    let target = blocker.join("crate");
    let good = fixture("specs/fixtures/restjson-bindings.json");
    let run = xtask(&["codegen", "--model", &good, "--out", target.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success());
    assert!(stderr.starts_with("error: cannot") && stderr.contains("a-file"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let _ = std::fs::remove_dir_all(&out);
}

/// A short fuzz run on every test run: any panic found is a regression.
#[test]
fn a_short_fuzz_run_finds_no_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let seeds = xtask::fuzz::seeds(&root).expect("seed models");
    let crashes = scratch("fuzz");
    let report = xtask::fuzz::run(&seeds, 2_000, 42, &crashes).expect("fuzz runs");
    assert_eq!(report.executions, 2_000);
    assert!(report.generated > 0, "some mutants still generate");
    assert_eq!(report.crash, None, "the generator panicked");
    let _ = std::fs::remove_dir_all(&crashes);
}

#[test]
fn api_diff_compares_two_model_files_and_can_gate_on_breaking_changes() {
    let dir = scratch("api-diff");
    let old = fixture("specs/fixtures/restjson-bindings.json");
    let mut model: serde_json::Value = serde_json::from_slice(&std::fs::read(&old).unwrap()).unwrap();
    model["operations"].as_object_mut().unwrap().remove("Ping");
    let new = dir.join("new.json");
    std::fs::write(&new, model.to_string()).unwrap();

    let run = xtask(&["api-diff", "--model", &old, new.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{stdout}");
    assert!(
        stdout.contains("1 breaking, 0 compatible, 0 doc-only") && stdout.contains("- `Ping`: operation removed"),
        "{stdout}"
    );
    let gated = xtask(&["api-diff", "--model", &old, new.to_str().unwrap(), "--deny-breaking"]);
    assert!(!gated.status.success());
    let same = xtask(&["api-diff", "--model", &old, &old, "--deny-breaking"]);
    assert!(same.status.success());
    let _ = std::fs::remove_dir_all(&dir);
}
