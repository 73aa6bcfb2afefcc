//! `cargo xtask fuzz`: a mutation fuzzer over load -> lower -> validate -> emit. It mutates seed
//! models (JSON-aware edits and raw byte edits), runs the whole generator on each, and fails
//! on the first panic, saving the input that caused it. Run it in release for volume:
//! `cargo run --release -p xtask -- fuzz --iterations 1000000`.

use awsgen_codegen::{CrateSpec, InputFile};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A model to mutate, with its paginators.
pub struct Seed {
    pub model: Vec<u8>,
    pub paginators: Option<Vec<u8>>,
}

/// What a run found.
pub struct Report {
    pub executions: u64,
    pub generated: u64,
    pub crash: Option<PathBuf>,
}

/// The fixture and malformed models of the repository (small enough to mutate quickly).
pub fn seeds(root: &Path) -> Result<Vec<Seed>, String> {
    let mut seeds = Vec::new();
    for dir in ["specs/fixtures", "specs/amplifybackend", "tests/fixtures/malformed"] {
        let dir = root.join(dir);
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map_err(|e| format!("error: cannot list {}: {e}", dir.display()))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json") && !p.to_string_lossy().ends_with("paginators.json"))
            .filter(|p| !p.ends_with("paginators-1.json"))
            .collect();
        paths.sort();
        for path in paths {
            let model = std::fs::read(&path).map_err(|e| format!("error: cannot read {}: {e}", path.display()))?;
            if model.len() > 64 * 1024 {
                continue;
            }
            let pager_path = path.with_extension("paginators.json");
            seeds.push(Seed { model, paginators: std::fs::read(pager_path).ok() });
        }
    }
    Ok(seeds)
}

pub fn run(seeds: &[Seed], iterations: u64, seed: u64, crashes: &Path) -> Result<Report, String> {
    if seeds.is_empty() {
        return Err("error: no seed models".to_owned());
    }
    let mut rng = fastrand::Rng::with_seed(seed);
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {})); // a panic is reported below, with its input
    let mut report = Report { executions: 0, generated: 0, crash: None };
    for _ in 0..iterations {
        let seed = &seeds[rng.usize(..seeds.len())];
        let model = mutate(&mut rng, &seed.model, seeds);
        let paginators =
            seed.paginators.as_ref().map(|p| if rng.u8(..4) == 0 { mutate(&mut rng, p, seeds) } else { p.clone() });
        report.executions += 1;
        match std::panic::catch_unwind(|| generate(&model, paginators.as_deref())) {
            Ok(Outcome::Generated) => report.generated += 1,
            Ok(Outcome::Refused) => {}
            // A panic, or emitted code that does not parse as Rust: both are generator bugs.
            Ok(Outcome::InvalidRust) | Err(_) => {
                std::fs::create_dir_all(crashes)
                    .map_err(|e| format!("error: cannot create {}: {e}", crashes.display()))?;
                let path = crashes.join(format!("crash-{}.json", report.executions));
                std::fs::write(&path, &model).map_err(|e| format!("error: cannot write {}: {e}", path.display()))?;
                if let Some(pagers) = &paginators {
                    let _ = std::fs::write(path.with_extension("paginators.json"), pagers);
                }
                report.crash = Some(path);
                break;
            }
        }
    }
    std::panic::set_hook(previous_hook);
    Ok(report)
}

enum Outcome {
    Generated,
    /// The model was refused with diagnostics, as a bad model should be.
    Refused,
    /// The generator emitted code that does not parse.
    InvalidRust,
}

/// The whole pipeline on one input.
fn generate(model: &[u8], paginators: Option<&[u8]>) -> Outcome {
    let spec = CrateSpec {
        paginators: paginators.map(|contents| InputFile { path: "fuzz.paginators.json", contents }),
        runtime_dependency: "{ path = \"../runtime\" }",
        ..CrateSpec::new("awsgen-fuzz", InputFile { path: "fuzz.json", contents: model })
    };
    match awsgen_codegen::generate(&spec) {
        Ok(_) => Outcome::Generated,
        Err(diagnostics) if diagnostics.0.iter().any(|d| d.message.starts_with("generator bug")) => {
            Outcome::InvalidRust
        }
        Err(_) => Outcome::Refused,
    }
}

/// One to four edits: JSON-aware when the input parses, raw bytes otherwise (or sometimes anyway).
fn mutate(rng: &mut fastrand::Rng, input: &[u8], seeds: &[Seed]) -> Vec<u8> {
    let edits = rng.usize(1..=4);
    match serde_json::from_slice::<Value>(input) {
        Ok(mut json) if rng.u8(..8) != 0 => {
            let names = shape_names(&json);
            for _ in 0..edits {
                mutate_json(rng, &mut json, &names, seeds);
            }
            serde_json::to_vec(&json).unwrap_or_default()
        }
        _ => {
            let mut bytes = input.to_vec();
            for _ in 0..edits {
                mutate_bytes(rng, &mut bytes);
            }
            bytes
        }
    }
}

fn shape_names(json: &Value) -> Vec<String> {
    json.get("shapes").and_then(Value::as_object).map(|s| s.keys().cloned().collect()).unwrap_or_default()
}

fn mutate_bytes(rng: &mut fastrand::Rng, bytes: &mut Vec<u8>) {
    if bytes.is_empty() {
        bytes.push(rng.u8(..));
        return;
    }
    let at = rng.usize(..bytes.len());
    match rng.u8(..4) {
        0 => bytes[at] = rng.u8(..),
        1 => bytes.insert(at, *rng.choice(b"{}[]\",:0aZ\\\xff ".iter()).unwrap_or(&b' ')),
        2 => {
            let end = (at + rng.usize(1..16)).min(bytes.len());
            bytes.drain(at..end);
        }
        _ => bytes.truncate(at),
    }
}

/// Edits one random node of the model.
fn mutate_json(rng: &mut fastrand::Rng, json: &mut Value, names: &[String], seeds: &[Seed]) {
    let mut paths = Vec::new();
    collect_paths(json, &mut Vec::new(), &mut paths);
    let Some(path) = rng.choice(paths.iter()).cloned() else { return };
    let Some(node) = pointer_mut(json, &path) else { return };
    match rng.u8(..9) {
        0 => *node = random_scalar(rng, names),
        1 => {
            if let Value::Object(map) = node {
                if let Some(key) = rng.choice(map.keys().cloned().collect::<Vec<_>>()) {
                    map.remove(&key);
                }
            }
        }
        2 => {
            if let Value::Object(map) = node {
                let key = random_key(rng, names);
                map.insert(key, random_scalar(rng, names));
            }
        }
        3 => *node = Value::String(rng.choice(names.iter()).cloned().unwrap_or_default()),
        4 => {
            let kinds = [
                "string",
                "structure",
                "list",
                "map",
                "integer",
                "long",
                "timestamp",
                "blob",
                "boolean",
                "double",
                "float",
                "bogus",
            ];
            if let Value::Object(map) = node {
                map.insert("type".to_owned(), Value::String(rng.choice(kinds).unwrap_or("string").to_owned()));
            }
        }
        5 => *node = Value::Array(vec![node.take()]),
        6 => {
            // Graft a node from another seed: realistic shapes in unrealistic places.
            let other = &seeds[rng.usize(..seeds.len())];
            if let Ok(donor) = serde_json::from_slice::<Value>(&other.model) {
                let mut donor_paths = Vec::new();
                collect_paths(&donor, &mut Vec::new(), &mut donor_paths);
                if let Some(donor_path) = rng.choice(donor_paths.iter()) {
                    if let Some(graft) = pointer(&donor, donor_path) {
                        *node = graft.clone();
                    }
                }
            }
        }
        7 => {
            let flags = [
                "required",
                "sensitive",
                "union",
                "document",
                "exception",
                "streaming",
                "eventstream",
                "hostLabel",
                "idempotencyToken",
                "jsonvalue",
                "deprecated",
            ];
            if let Value::Object(map) = node {
                let flag = rng.choice(flags).unwrap_or("sensitive").to_owned();
                map.insert(flag, Value::Bool(rng.bool()));
            }
        }
        _ => {
            let locations = ["uri", "querystring", "header", "headers", "statusCode", "cookie", ""];
            if let Value::Object(map) = node {
                map.insert("location".to_owned(), Value::String(rng.choice(locations).unwrap_or("").to_owned()));
                map.insert("locationName".to_owned(), random_scalar(rng, names));
            }
        }
    }
}

fn random_key(rng: &mut fastrand::Rng, names: &[String]) -> String {
    match rng.u8(..4) {
        0 => rng.choice(names.iter()).cloned().unwrap_or_default(),
        1 => "type".to_owned(),
        2 => String::new(),
        _ => (0..rng.usize(1..12)).map(|_| rng.alphanumeric()).collect(),
    }
}

fn random_scalar(rng: &mut fastrand::Rng, names: &[String]) -> Value {
    match rng.u8(..10) {
        0 => Value::Null,
        1 => Value::Bool(rng.bool()),
        2 => Value::from(rng.i64(..)),
        3 => Value::from(rng.f64() * 1e6),
        4 => Value::String(String::new()),
        5 => Value::String("{Label+}/{}{{?x=1&".to_owned()),
        6 => Value::String("ünï\u{0}code 🦀 <p>[x]</p> self Self type".to_owned()),
        7 => Value::String(rng.choice(names.iter()).cloned().unwrap_or_default()),
        8 => Value::Object(Default::default()),
        _ => Value::String((0..rng.usize(0..40)).map(|_| rng.alphanumeric()).collect()),
    }
}

fn collect_paths(value: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(path.clone());
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                path.push(key.clone());
                collect_paths(child, path, out);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                path.push(i.to_string());
                collect_paths(child, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn pointer<'a>(value: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(value, |node, key| match node {
        Value::Object(map) => map.get(key),
        Value::Array(items) => items.get(key.parse::<usize>().ok()?),
        _ => None,
    })
}

fn pointer_mut<'a>(value: &'a mut Value, path: &[String]) -> Option<&'a mut Value> {
    path.iter().try_fold(value, |node, key| match node {
        Value::Object(map) => map.get_mut(key),
        Value::Array(items) => items.get_mut(key.parse::<usize>().ok()?),
        _ => None,
    })
}
