//! A corpus of broken models (tests/fixtures/malformed): each gives every problem at once,
//! located by file and JSON pointer, and never a panic. One snapshot per model; a few of them
//! must generate (name clashes, recursion, huge names), and their snapshots say what came out.

use awsgen_codegen::{CrateSpec, InputFile};
use std::path::{Path, PathBuf};

fn corpus() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/malformed");
    let mut models: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/fixtures/malformed exists")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| {
            path.extension().is_some_and(|e| e == "json") && !path.to_string_lossy().ends_with(".paginators.json")
        })
        .collect();
    models.sort();
    models
}

/// What generating `model` reports, as a reviewer would want to read it.
fn outcome(model: &Path) -> String {
    let name = model.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    let shown = format!("tests/fixtures/malformed/{name}.json");
    let pager_path = model.with_file_name(format!("{name}.paginators.json"));
    let pager_shown = format!("tests/fixtures/malformed/{name}.paginators.json");
    let contents = std::fs::read(model).expect("readable model");
    let pagers = pager_path.is_file().then(|| std::fs::read(&pager_path).expect("readable paginators"));
    let spec = CrateSpec {
        paginators: pagers.as_deref().map(|contents| InputFile { path: &pager_shown, contents }),
        runtime_dependency: "{ path = \"../../runtime\" }",
        standalone: false,
        ..CrateSpec::new("awsgen-bad", InputFile { path: &shown, contents: &contents })
    };
    match awsgen_codegen::generate(&spec) {
        Err(diagnostics) => diagnostics.to_string(),
        Ok(generated) => {
            let mut text = format!("generated {} files\n", generated.files.len());
            for warning in &generated.warnings {
                text.push_str(&format!("{}\n", warning.warning().chars().take(400).collect::<String>()));
            }
            let boxed = generated.files.values().flat_map(|file| file.lines()).filter(|line| line.contains("Box<"));
            for line in boxed {
                text.push_str(&format!("boxed: {}\n", line.trim()));
            }
            // What a mixin added to a structure.
            if let Some(job) = generated.files.get("src/types/backend_job_resp_obj.rs") {
                for line in job.lines().filter(|line| line.contains("pub tag")) {
                    text.push_str(&format!("mixed in: {}\n", line.trim()));
                }
            }
            text
        }
    }
}

#[test]
fn every_malformed_model_gets_a_located_diagnostic_and_never_a_panic() {
    let models = corpus();
    assert!(models.len() >= 30, "the corpus has {} models", models.len());
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_snapshot_path("snapshots/malformed");
    settings.bind(|| {
        for model in &models {
            let name = model.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_owned();
            let text = outcome(model);
            let must_generate = name.ends_with("-generates") || name.contains("-generates-");
            assert_eq!(text.starts_with("generated "), must_generate, "{name}:\n{text}");
            insta::assert_snapshot!(name, text);
        }
    });
}
