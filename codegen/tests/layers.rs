//! The module graphs of the generator, the runtime and awsgen-config, read from their source: no
//! module imports another that imports it back (a child may use what its ancestors declare), and
//! the generator's stages below the emitters (the model, the IR, JMESPath, the plan, naming)
//! never reach up into them. An item the crate root re-exports (`crate::BuildError`) counts as
//! a use of the module that defines it. The runtime is layered (values, codecs, transport,
//! identity and signing, configuration, protocols, client, ergonomics), each layer using only
//! those below; and the generator's emitters and public-API description read the crate plan
//! only, never the model's shapes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module path (`emit::xml`, `crate` for lib.rs) -> the modules it refers to.
type Graph = BTreeMap<String, BTreeSet<String>>;

fn module_of(relative: &Path) -> String {
    let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let file = parts.pop().unwrap_or_default();
    match file.as_str() {
        "lib.rs" | "mod.rs" => {}
        other => parts.push(other.trim_end_matches(".rs").to_owned()),
    }
    if parts.is_empty() {
        "crate".to_owned()
    } else {
        parts.join("::")
    }
}

fn sources(root: &Path, dir: &Path, found: &mut BTreeMap<String, String>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(root, &path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let module = module_of(path.strip_prefix(root).unwrap());
            found.insert(module, std::fs::read_to_string(&path).unwrap());
        }
    }
}

fn parent(module: &str) -> String {
    match module.rsplit_once("::") {
        Some((parent, _)) => parent.to_owned(),
        None => "crate".to_owned(),
    }
}

/// `text` without its `#[cfg(test)] mod tests { .. }` blocks (wherever they stand; braces are
/// counted, which the tests' string literals keep balanced).
fn without_tests(text: &str) -> String {
    let mut code = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("#[cfg(test)]\nmod tests {") {
        code.push_str(&rest[..start]);
        let body = &rest[start..];
        let mut depth = 0;
        let end = body.char_indices().find_map(|(i, c)| {
            match c {
                '{' => depth += 1,
                '}' if depth == 1 => return Some(i + 1),
                '}' => depth -= 1,
                _ => {}
            }
            None
        });
        rest = end.map_or("", |end| &body[end..]);
    }
    code.push_str(rest);
    code
}

/// Every `crate::a::b` or `super::a` path in `text` (with `{a, b}` groups opened one level), as
/// absolute paths; comments and unit tests are skipped.
fn paths(module: &str, text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let code = without_tests(text);
    for line in code.lines().map(str::trim).filter(|line| !line.starts_with("//")) {
        for (start, _) in line.match_indices("::") {
            let head_start =
                line[..start].rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).map_or(0, |i| i + 1);
            let base = match &line[head_start..start] {
                "crate" => "crate".to_owned(),
                "super" if !line[..head_start].ends_with("::") => parent(module),
                _ => continue,
            };
            let rest = &line[start + 2..];
            let (path, group) = match rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':')) {
                Some(end) if rest[end..].starts_with('{') => {
                    let close = rest[end..].find('}').map_or(rest.len(), |i| end + i);
                    (&rest[..end], Some(&rest[end + 1..close]))
                }
                Some(end) => (&rest[..end], None),
                None => (rest, None),
            };
            let prefix = match path.trim_end_matches(':') {
                "" => base,
                path => format!("{base}::{path}"),
            };
            match group {
                Some(items) => found.extend(items.split(',').map(|item| {
                    let item = item.trim().split("::").next().unwrap_or_default();
                    format!("{prefix}::{item}")
                })),
                None => found.push(prefix),
            }
        }
    }
    found.into_iter().map(|p| p.trim_start_matches("crate::").to_owned()).collect()
}

/// The module a path names: its longest prefix that is a module, where an item the crate root
/// re-exports stands for the module it comes from.
fn resolve(path: &str, modules: &BTreeSet<String>, reexports: &BTreeMap<String, String>) -> Option<String> {
    let parts: Vec<&str> = path.split("::").collect();
    if let Some(module) = parts.first().and_then(|item| reexports.get(*item)) {
        return Some(module.clone());
    }
    (1..=parts.len()).rev().map(|n| parts[..n].join("::")).find(|candidate| modules.contains(candidate))
}

/// Item -> module, for the root's `pub use module::{Item, ...};` lines.
fn reexports(root: &str, modules: &BTreeSet<String>) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    let text = root.replace('\n', " ");
    for statement in text.split(';').map(str::trim).filter_map(|s| s.strip_prefix("pub use ")) {
        let (path, items) = match statement.split_once("::{") {
            Some((path, items)) => (path, items.trim_end_matches('}').split(',').collect::<Vec<_>>()),
            None => match statement.rsplit_once("::") {
                Some((path, item)) => (path, vec![item]),
                None => continue,
            },
        };
        if let Some(module) = resolve(path, modules, &BTreeMap::new()) {
            for item in items.iter().map(|item| item.trim()).filter(|item| !item.is_empty()) {
                found.insert(item.to_owned(), module.clone());
            }
        }
    }
    found
}

fn is_ancestor(ancestor: &str, module: &str) -> bool {
    ancestor == "crate" || module.starts_with(&format!("{ancestor}::"))
}

fn graph(root: &Path) -> Graph {
    let mut files = BTreeMap::new();
    sources(root, root, &mut files);
    let modules: BTreeSet<String> = files.keys().cloned().collect();
    let reexports = reexports(files.get("crate").map_or("", String::as_str), &modules);
    let mut graph = Graph::new();
    for (module, text) in &files {
        let targets = paths(module, text).into_iter().filter_map(|path| resolve(&path, &modules, &reexports));
        let edges = targets.filter(|target| target != module && !is_ancestor(target, module)).collect();
        graph.insert(module.clone(), edges);
    }
    graph
}

/// A cycle, if there is one: the modules on it, the first repeated at the end.
fn cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(graph: &Graph, at: &str, path: &mut Vec<String>, done: &mut BTreeSet<String>) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|m| m == at) {
            let mut cycle = path[start..].to_vec();
            cycle.push(at.to_owned());
            return Some(cycle);
        }
        if done.contains(at) {
            return None;
        }
        path.push(at.to_owned());
        for next in graph.get(at).into_iter().flatten() {
            if let Some(cycle) = visit(graph, next, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(at.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|module| visit(graph, module, &mut Vec::new(), &mut done))
}

fn crate_graph(folder: &str) -> Graph {
    graph(&Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(folder).join("src"))
}

fn codegen() -> Graph {
    crate_graph("codegen")
}

#[test]
fn no_crate_has_import_cycles() {
    for folder in ["codegen", "runtime", "config"] {
        let graph = crate_graph(folder);
        assert!(graph.len() > 10, "{folder}'s source was read: {graph:?}");
        assert_eq!(cycle(&graph), None, "{folder}");
    }
}

#[test]
fn stages_below_the_emitters_never_use_them() {
    for (module, uses) in codegen() {
        let low = ["model", "ir", "jmespath", "plan", "naming", "lock", "rust", "diagnostic"];
        if !low.iter().any(|stage| module == *stage || module.starts_with(&format!("{stage}::"))) {
            continue;
        }
        let up: Vec<&String> =
            uses.iter().filter(|m| ["emit", "api", "diff"].contains(&m.split("::").next().unwrap())).collect();
        assert!(up.is_empty(), "{module} uses {up:?}");
    }
}

/// The runtime's layers, bottom up: a module uses only modules of its own layer or below. A
/// module is in the layer of the longest path listed for it (`protocol::errors`: `protocol`).
const RUNTIME_LAYERS: [(&str, &[&str]); 9] = [
    ("values", &["base64", "blob", "build", "crc", "env", "error", "jmespath", "percent", "time", "unknown"]),
    ("codecs", &["cbor", "eventstream", "eventstream::frame", "fields", "json", "text", "xml"]),
    ("endpoint rules", &["endpoint_rules"]),
    ("transport", &["byte_stream", "http", "proxy", "stall", "tls"]),
    ("identity and signing", &["cloudfront", "credentials", "eventstream::sign", "sign", "sigv4", "sigv4a"]),
    ("configuration", &["config", "interceptor"]),
    ("protocols", &["protocol"]),
    // `test_util`: the mock answerer and replaying transport a client can be built with.
    (
        "client",
        &[
            "auth_token",
            "aws_chunked",
            "checksum",
            "client",
            "endpoint",
            "eventstream::receiver",
            "eventstream::sender",
            "retry",
            "test_util",
            "trace",
        ],
    ),
    ("ergonomics", &["blocking", "pagination", "waiter"]),
];

/// The index of `module`'s layer in `RUNTIME_LAYERS`.
fn runtime_layer(module: &str) -> Option<usize> {
    let listed = RUNTIME_LAYERS.iter().enumerate().flat_map(|(i, (_, paths))| paths.iter().map(move |p| (i, *p)));
    let owners = listed.filter(|(_, path)| module == *path || module.starts_with(&format!("{path}::")));
    owners.max_by_key(|(_, path)| path.len()).map(|(layer, _)| layer)
}

/// The uses that reach up a layer: (module, what it uses). A parent declaring or re-exporting
/// its children is no use of them.
fn upward_uses(graph: &Graph) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (module, uses) in graph.iter().filter(|(m, _)| *m != "crate") {
        let Some(layer) = runtime_layer(module) else {
            found.push((module.clone(), "(no layer: add it to RUNTIME_LAYERS)".to_owned()));
            continue;
        };
        for used in uses.iter().filter(|used| !used.starts_with(&format!("{module}::"))) {
            if runtime_layer(used).is_some_and(|used_layer| used_layer > layer) {
                found.push((module.clone(), used.clone()));
            }
        }
    }
    found
}

#[test]
fn the_runtime_is_layered_each_layer_using_only_those_below() {
    let graph = crate_graph("runtime");
    assert_eq!(upward_uses(&graph), Vec::<(String, String)>::new());
    // The check itself: a codec using the client, and a module no layer lists, are both found.
    let mut wrong = Graph::new();
    wrong.insert("json".into(), ["client".to_owned(), "time".to_owned()].into());
    wrong.insert("novel".into(), BTreeSet::new());
    let found: Vec<String> = upward_uses(&wrong).into_iter().map(|(m, used)| format!("{m} -> {used}")).collect();
    assert_eq!(found, ["json -> client", "novel -> (no layer: add it to RUNTIME_LAYERS)"]);
}

/// What only the plan may look up: the model's shapes (and the IR the plan keeps for the lock
/// and the test harnesses). An emitter or the API description that needs to know something
/// about a member's target asks the plan to decide it.
const PAST_THE_PLAN: [&str; 7] =
    [".ir.", "plan.ir", ".shapes", "io_shape", "RustType::of_", "RustType::element", "member_path"];

/// The places in `code` (comments left out) that reach past the plan.
fn reaches_past_the_plan(code: &str) -> Vec<String> {
    let code: String =
        code.lines().map(|line| line.split("//").next().unwrap_or_default()).collect::<Vec<_>>().join("\n");
    PAST_THE_PLAN.iter().filter(|needle| code.contains(*needle)).map(|needle| needle.to_string()).collect()
}

#[test]
fn emitters_and_the_api_read_only_the_plan() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = BTreeMap::new();
    sources(&root, &root, &mut found);
    let readers: Vec<_> = found.iter().filter(|(m, _)| *m == "api" || *m == "diff" || m.starts_with("emit")).collect();
    assert!(readers.len() > 10, "the emitters were read: {:?}", found.keys());
    for (module, text) in readers {
        assert_eq!(reaches_past_the_plan(&without_tests(text)), Vec::<String>::new(), "{module}");
    }
    assert_eq!(reaches_past_the_plan("let t = ctx.service.shapes.get(id); // plan.ir"), [".shapes"]);
}

#[test]
fn the_reader_finds_paths_groups_and_cycles() {
    let text = "use super::{docs, rt, Ctx};\nuse crate::ir::{Member, Shape};\n// use crate::emit::x;\nlet x = super::xml::layout(ctx);";
    let found = paths("emit::query", text);
    let tested = "use crate::a;\n#[cfg(test)]\nmod tests {\n    fn f() { let _ = crate::b::x(); }\n}\nuse crate::c;";
    assert_eq!(paths("m", tested), ["a", "c"], "a test module is skipped, what follows it is not");
    assert_eq!(found, ["emit::docs", "emit::rt", "emit::Ctx", "ir::Member", "ir::Shape", "emit::xml::layout"]);
    let modules: BTreeSet<String> = ["emit", "emit::xml", "ir", "build"].map(str::to_owned).into();
    let root = "mod build;\npub use build::{BuildError,\n    build_it};\npub use ir::Shape;";
    let reexports = reexports(root, &modules);
    assert_eq!(resolve("emit::xml::layout", &modules, &reexports).as_deref(), Some("emit::xml"));
    assert_eq!(resolve("BuildError::MissingField", &modules, &reexports).as_deref(), Some("build"));
    assert_eq!(resolve("Shape", &modules, &reexports).as_deref(), Some("ir"));
    let mut graph = Graph::new();
    graph.insert("a".into(), ["b".to_owned()].into());
    graph.insert("b".into(), ["c".to_owned()].into());
    assert_eq!(cycle(&graph), None);
    graph.insert("c".into(), ["a".to_owned()].into());
    assert_eq!(cycle(&graph), Some(vec!["a".into(), "b".into(), "c".into(), "a".into()]));
}
