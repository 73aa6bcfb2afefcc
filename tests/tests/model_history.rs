//! Real model updates: `../shared/model-history` holds six consecutive botocore versions of five
//! services. Each update is regenerated as a user lives through it, with the names lock the
//! previous version wrote, and must change only what it changes:
//! - no public name moves unless the model removed the shape or operation it names;
//! - every generated file that changed belongs to an item api-diff reports (or whose docs changed);
//! - api-diff's report of every update is snapshotted (`model_history__<service>`).

use awsgen_codegen::diff::ApiDiff;
use awsgen_codegen::plan::CratePlan;
use awsgen_codegen::{CrateSpec, GeneratedFiles, InputFile, NAMES_LOCK};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The history folder, or `None` (with a note) where `../shared` is not beside the checkout;
/// CI always has it.
fn history() -> Option<PathBuf> {
    let root = xtask::workspace_root().join("../shared/model-history");
    if root.is_dir() {
        return Some(root);
    }
    assert!(std::env::var_os("CI").is_none(), "CI needs ../shared/model-history beside the checkout");
    eprintln!("skipped: no ../shared/model-history beside this checkout");
    None
}

struct Version {
    name: String,
    plan: CratePlan,
    files: GeneratedFiles,
}

fn generate(folder: &Path, lock: Option<&str>) -> Version {
    let read = |name: &str| std::fs::read(folder.join(name)).ok();
    let model = read("service-2.json").expect("service-2.json");
    let paginators = read("paginators-1.json");
    let spec = CrateSpec {
        paginators: paginators.as_deref().map(|contents| InputFile { path: "paginators-1.json", contents }),
        runtime_dependency: "{ path = \"../../runtime\" }",
        standalone: false,
        names_lock: lock.map(|text| InputFile { path: NAMES_LOCK, contents: text.as_bytes() }),
        ..CrateSpec::new("history", InputFile { path: "service-2.json", contents: &model })
    };
    let fail = |d: awsgen_codegen::Diagnostics| -> ! { panic!("{}: {d}", folder.display()) };
    let (plan, _) = awsgen_codegen::lower(&spec).unwrap_or_else(|d| fail(d));
    let files = awsgen_codegen::emit(&plan, &spec).unwrap_or_else(|d| fail(d));
    let name = folder.file_name().unwrap().to_string_lossy().into_owned();
    Version { name, plan, files }
}

/// `kind owner` -> Rust name, from a names lock.
fn names(lock: &str) -> BTreeMap<(String, String), String> {
    lock.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let mut words = line.split(' ');
            Some(((words.next()?.to_owned(), words.next()?.to_owned()), words.next()?.to_owned()))
        })
        .collect()
}

/// Names are never moved: a name both versions hand out is the same Rust name.
fn assert_no_name_moved(old: &Version, new: &Version) {
    let (before, after) = (names(&old.files[NAMES_LOCK]), names(&new.files[NAMES_LOCK]));
    for (key, name) in &before {
        if let Some(now) = after.get(key) {
            assert_eq!(name, now, "{} -> {}: {key:?} moved", old.name, new.name);
        }
    }
    // And a name that is gone went with its shape or operation.
    for (kind, owner) in before.keys().filter(|key| !after.contains_key(*key)) {
        let model_name = owner.split('.').next().unwrap_or(owner);
        let still_there = match kind.as_str() {
            "operation" | "error" => new.plan.ir.operations.contains_key(model_name),
            _ => new.plan.ir.shapes.contains_key(model_name),
        };
        let member_gone = kind != "type" && kind != "operation";
        assert!(!still_there || member_gone, "{} -> {}: {kind} {owner} lost its name", old.name, new.name);
    }
}

/// Every changed file belongs to an item the report lists or whose docs changed.
fn assert_only_reported_items_changed(old: &Version, new: &Version, diff: &ApiDiff) {
    let mentioned: Vec<&str> =
        diff.changes.iter().map(|c| c.subject.as_str()).chain(diff.doc_changed.iter().map(String::as_str)).collect();
    // The API items each file holds: a type's file its type, an operation's module its types
    // and the client method (whose docs it repeats).
    let mut items: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for shape in new.plan.ir.shapes.values().chain(old.plan.ir.shapes.values()) {
        let path = format!("src/types/{}.rs", shape.names.module);
        items.entry(path).or_default().push(format!("types::{}", shape.names.type_name));
    }
    for op in new.plan.ir.operations.values().chain(old.plan.ir.operations.values()) {
        let path = format!("src/operation/{}.rs", op.names.module);
        let held = [format!("operation::{}::", op.names.module), format!("Client::{}", op.names.method)];
        items.entry(path).or_default().extend(held);
    }
    // Lists of modules, the crate's description and docs, and the lock change with any addition.
    let listings = ["Cargo.toml", "names.lock", "src/lib.rs", "src/client.rs", "src/operation.rs", "src/types.rs"];
    let paths: std::collections::BTreeSet<&String> = old.files.keys().chain(new.files.keys()).collect();
    for path in paths.into_iter().filter(|p| old.files.get(*p) != new.files.get(*p)) {
        if listings.contains(&path.as_str()) {
            continue;
        }
        let held = items.get(path).unwrap_or_else(|| panic!("{path}: not a file of an item"));
        let explained = mentioned.iter().any(|subject| held.iter().any(|item| subject.starts_with(item.as_str())))
            || path.starts_with("src/operation/")
                && old.files.get(path).zip(new.files.get(path)).is_some_and(|(a, b)| only_type_docs_differ(a, b));
        assert!(explained, "{} -> {}: {path} changed, but the report says nothing of {held:?}", old.name, new.name);
    }
}

/// An operation module quotes its error types' docs on its error variants: a doc change there
/// is the error type's, which the report counts.
fn only_type_docs_differ(a: &str, b: &str) -> bool {
    let code = |text: &str| text.lines().filter(|l| !l.trim_start().starts_with("///")).collect::<Vec<_>>().join("\n");
    code(a) == code(b)
}

#[test]
fn every_real_update_changes_only_what_it_changes() {
    let Some(root) = history() else { return };
    let mut services: Vec<PathBuf> = std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).collect();
    services.retain(|p| p.is_dir());
    services.sort();
    assert_eq!(services.len(), 5);
    for service in services {
        let mut folders: Vec<PathBuf> = std::fs::read_dir(&service).unwrap().map(|e| e.unwrap().path()).collect();
        folders.sort_by_key(|p| {
            p.file_name().unwrap().to_string_lossy().split('-').next().unwrap().parse::<u32>().unwrap()
        });
        let mut report = String::new();
        let mut previous = generate(&folders[0], None);
        for folder in &folders[1..] {
            let current = generate(folder, Some(&previous.files[NAMES_LOCK]));
            let diff = awsgen_codegen::diff::api_diff(&previous.plan, &current.plan);
            assert_no_name_moved(&previous, &current);
            assert_only_reported_items_changed(&previous, &current, &diff);
            // Real AWS updates follow AWS's evolution rules (members, operations, errors and enum
            // values added; `required` added to or dropped from input members), which the
            // generated crates keep compatible too.
            assert_eq!(diff.breaking(), 0, "{}", diff.markdown(&current.name));
            report.push_str(&diff.markdown(&format!("{} -> {}", previous.name, current.name)));
            report.push('\n');
            previous = current;
        }
        let name = format!("model_history__{}", service.file_name().unwrap().to_string_lossy());
        insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(name, report);
        });
    }
}
