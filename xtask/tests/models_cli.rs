//! `cargo xtask models add|update` as a user runs them, in a scratch checkout (its own
//! `specs/codegen.json` and `generated/`, the runtime linked in): two services added from
//! botocore's data folder and one from a Smithy JSON AST folder, generated and checked by cargo;
//! AmplifyBackend updated step by step through `../shared/model-history`, each version and
//! changelog entry as api-diff says; an unchanged update touching nothing; bad names and folders
//! failing clearly with nothing changed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn shared(path: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared").join(path);
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(std::env::var_os("CI").is_none(), "{} is missing", dir.display());
    None
}

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

/// A checkout with no crates configured, whose generated crates find the real runtime.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("awsgen-xtask-models-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("specs")).unwrap();
    std::fs::write(dir.join("specs/codegen.json"), "{\n  \"crates\": [\n  ]\n}\n").unwrap();
    std::os::unix::fs::symlink(repo("runtime").canonicalize().unwrap(), dir.join("runtime")).unwrap();
    dir
}

fn models(root: &Path, args: &[&str]) -> Output {
    let root = root.display().to_string();
    let mut all = vec!["models"];
    all.extend_from_slice(args);
    all.extend(["--root", &root]);
    Command::new(env!("CARGO_BIN_EXE_xtask")).args(all).output().expect("xtask runs")
}

fn ok(output: &Output) -> String {
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "failed:\n{stdout}\n{stderr}");
    stdout.into_owned()
}

fn failed(output: &Output) -> String {
    assert!(!output.status.success(), "passed: {}", String::from_utf8_lossy(&output.stdout));
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Every file under `dir` (the runtime link not followed) with its contents, sorted.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            if entry.file_type().unwrap().is_symlink() {
                continue;
            }
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push((path.clone(), std::fs::read(&path).unwrap()));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn services_are_added_from_botocore_and_smithy_folders_and_their_crates_build() {
    let Some(botocore) = shared("models/botocore-data") else { return };
    let root = scratch("add");
    let added = ok(&models(&root, &["add", "sso", "pricing", "--from", &botocore.display().to_string()]));
    assert!(added.contains("added awsgen-sso: 2019-06-10") && added.contains("added awsgen-pricing"), "{added}");
    for file in ["service-2.json", "paginators-1.json", "endpoint-rule-set-1.json", "SOURCE.md"] {
        assert!(root.join("specs/sso").join(file).is_file(), "specs/sso/{file}");
    }
    let source = std::fs::read_to_string(root.join("specs/sso/SOURCE.md")).unwrap();
    assert!(source.contains("`sso/2019-06-10/`") && source.contains("- api-version: 2019-06-10"), "{source}");
    // Decompressed, byte for byte botocore's.
    let model = std::fs::read(root.join("specs/sso/service-2.json")).unwrap();
    assert!(
        serde_json::from_slice::<serde_json::Value>(&model).unwrap()["operations"]["GetRoleCredentials"].is_object()
    );
    let config = std::fs::read_to_string(root.join("specs/codegen.json")).unwrap();
    assert!(config.contains("\"model\": \"specs/pricing/service-2.json\""), "{config}");
    assert!(root.join("generated/sso/src/lib.rs").is_file() && root.join("generated/pricing/Cargo.toml").is_file());

    // A Smithy JSON AST folder (AWS's api-models layout), with one operation.
    let smithy = root.join("smithy-models/amplifybackend/service/2020-08-11");
    std::fs::create_dir_all(&smithy).unwrap();
    let ast = shared("models/smithy").unwrap().join("amplifybackend-2020-08-11.json");
    std::fs::copy(ast, smithy.join("amplifybackend-2020-08-11.json")).unwrap();
    let from = root.join("smithy-models").display().to_string();
    ok(&models(&root, &["add", "amplifybackend", "--from", &from, "--operations", "ListBackendJobs"]));
    assert!(root.join("specs/amplifybackend/amplifybackend.json").is_file());
    assert!(root.join("generated/amplifybackend/src/operation/list_backend_jobs.rs").is_file());

    // The three crates build, in a workspace of their own with this checkout's settings (which
    // the runtime inherits), sharing a target folder under this checkout's.
    let workspace = std::fs::read_to_string(repo("Cargo.toml")).unwrap();
    let members = workspace.lines().find(|line| line.starts_with("members = ")).unwrap();
    let workspace = workspace.replace(members, "members = [\"runtime\", \"generated/*\"]");
    std::fs::write(root.join("Cargo.toml"), workspace).unwrap();
    std::fs::copy(repo("Cargo.lock"), root.join("Cargo.lock")).unwrap();
    let check = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .args(["check", "--quiet", "--workspace"])
        .env("CARGO_TARGET_DIR", repo("target/models-test"))
        .current_dir(&root)
        .output()
        .unwrap();
    ok(&check);
    std::fs::remove_dir_all(&root).unwrap();
}

/// `../shared/model-history/amplifybackend/<step>/` as botocore lays a data folder out.
fn history_step(root: &Path, step: &Path) -> PathBuf {
    let model = std::fs::read(step.join("service-2.json")).unwrap();
    let api_version = serde_json::from_slice::<serde_json::Value>(&model).unwrap()["metadata"]["apiVersion"]
        .as_str()
        .unwrap()
        .to_owned();
    let data = root.join("history").join(step.file_name().unwrap());
    let dir = data.join("amplifybackend").join(api_version);
    std::fs::create_dir_all(&dir).unwrap();
    for file in ["service-2.json", "paginators-1.json"] {
        if step.join(file).is_file() {
            std::fs::copy(step.join(file), dir.join(file)).unwrap();
        }
    }
    data
}

#[test]
fn an_update_moves_the_version_by_its_api_diff_and_writes_the_changelog() {
    let Some(history) = shared("model-history/amplifybackend") else { return };
    let root = scratch("update");
    let mut steps: Vec<PathBuf> = std::fs::read_dir(&history).unwrap().flatten().map(|e| e.path()).collect();
    steps.sort();
    let steps: Vec<PathBuf> = steps.iter().filter(|s| s.is_dir()).map(|s| history_step(&root, s)).collect();
    ok(&models(&root, &["add", "amplifybackend", "--from", &steps[0].display().to_string()]));
    // A company publishing to its own registry says so once, in specs/codegen.json.
    let config = root.join("specs/codegen.json");
    let text = std::fs::read_to_string(&config).unwrap();
    let text = text.replace("\"operations\": \"all\"", "\"publish\": [\"company\"],\n      \"operations\": \"all\"");
    std::fs::write(&config, text).unwrap();
    let changelog = root.join("specs/amplifybackend/CHANGELOG.md");
    let mut version = "0.1.0".to_owned();
    for pair in steps.windows(2) {
        let (before, after) = (&pair[0], &pair[1]);
        let diff =
            xtask::api_diff::files(&model_in(before).join("service-2.json"), &model_in(after).join("service-2.json"))
                .unwrap();
        let expected = xtask::models::next_version(&version, &diff).unwrap();
        let printed = ok(&models(&root, &["update", "amplifybackend", "--from", &after.display().to_string()]));
        let counts =
            format!("{} breaking, {} compatible, {} doc-only", diff.breaking(), diff.compatible(), diff.doc_only);
        assert!(printed.contains(&format!("awsgen-amplifybackend: {version} -> {expected}")), "{printed}");
        assert!(printed.contains(&counts), "{printed} / {counts}");
        let log = std::fs::read_to_string(&changelog).unwrap();
        let newest = log.split("\n## ").nth(1).unwrap();
        assert!(newest.starts_with(&format!("{expected}\n")) && newest.contains(&counts), "{log}");
        for change in &diff.changes {
            assert!(newest.contains(&format!("- `{}`: {}", change.subject, change.what)), "{change:?} in {newest}");
        }
        // The generated crate carries the version and the changelog.
        let manifest = std::fs::read_to_string(root.join("generated/amplifybackend/Cargo.toml")).unwrap();
        assert!(manifest.contains(&format!("version = \"{expected}\"")), "{manifest}");
        assert!(manifest.contains("publish = [\"company\"]"), "{manifest}");
        assert_eq!(std::fs::read_to_string(root.join("generated/amplifybackend/CHANGELOG.md")).unwrap(), log);
        version = expected;
    }
    // The same source again: nothing changes, not a byte.
    let before = snapshot(&root);
    let again = ok(&models(&root, &["update", "--from", &steps.last().unwrap().display().to_string()]));
    assert!(again.contains("awsgen-amplifybackend: unchanged"), "{again}");
    assert!(snapshot(&root) == before, "an unchanged model touched files");
    std::fs::remove_dir_all(&root).unwrap();
}

/// The `<api-version>/` folder of a step's data folder.
fn model_in(data: &Path) -> PathBuf {
    std::fs::read_dir(data.join("amplifybackend")).unwrap().flatten().next().unwrap().path()
}

#[test]
fn bad_names_and_folders_fail_clearly_and_change_nothing() {
    let Some(botocore) = shared("models/botocore-data") else { return };
    let from = botocore.display().to_string();
    let root = scratch("errors");
    ok(&models(&root, &["add", "sso", "--from", &from]));
    let before = snapshot(&root);

    let typo = failed(&models(&root, &["add", "dynamdb", "--from", &from]));
    assert!(typo.contains("no service \"dynamdb\"") && typo.contains("dynamodb"), "{typo}");
    // One bad name among good ones: none is added.
    let mixed = failed(&models(&root, &["add", "pricing", "nosuchservice", "--from", &from]));
    assert!(mixed.contains("nosuchservice"), "{mixed}");
    let again = failed(&models(&root, &["add", "sso", "--from", &from]));
    assert!(again.contains("already") && again.contains("models update sso"), "{again}");
    let neither = failed(&models(&root, &["add", "sso", "--from", &root.join("specs").display().to_string()]));
    assert!(neither.contains("neither botocore's data folder"), "{neither}");
    let missing = failed(&models(&root, &["update", "sos", "--from", &from]));
    assert!(missing.contains("no service \"sos\" in specs/") && missing.contains("sso"), "{missing}");
    assert!(snapshot(&root) == before, "a failed command changed files");
    std::fs::remove_dir_all(&root).unwrap();
}
