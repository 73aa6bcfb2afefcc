//! `cargo xtask bench-build`: the cold build cost of a tiny program calling ListBackendJobs
//! through our generated crate, and of the same program on aws-sdk-amplifybackend + aws-config,
//! each in a fresh target folder, in one run. Both programs are written under
//! `target/bench-build/`, outside the workspace, so our build never depends on aws-sdk-rust.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// With the default chain and settings (awsgen-config), as aws-config's `load_defaults`.
const OUR_MAIN: &str = r#"use awsgen_amplifybackend::Client;

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let client = Client::new(runtime.block_on(awsgen_config::load()));
    let call = client.list_backend_jobs().app_id("app").backend_environment_name("dev").send();
    match runtime.block_on(call) {
        Ok(output) => println!("{} jobs", output.jobs().len()),
        Err(error) => eprintln!("{error}"),
    }
}
"#;

const AWS_MAIN: &str = r#"#[tokio::main]
async fn main() {
    let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let client = aws_sdk_amplifybackend::Client::new(&config);
    match client.list_backend_jobs().app_id("app").backend_environment_name("dev").send().await {
        Ok(output) => println!("{} jobs", output.jobs().len()),
        Err(error) => eprintln!("{error}"),
    }
}
"#;

/// One cold build.
pub struct Build {
    pub program: &'static str,
    pub profile: &'static str,
    pub seconds: f64,
    pub crates: usize,
    /// Largest resident set of any process of the build, from `/usr/bin/time -v`, if present.
    pub peak_rss_kb: Option<u64>,
    pub binary_bytes: u64,
}

pub fn run(root: &Path) -> Result<Vec<Build>, String> {
    let dir = root.join("target/bench-build");
    let ours = dir.join("ours");
    let aws = dir.join("aws-sdk-rust");
    let crate_path = root.join("generated/amplifybackend").canonicalize().map_err(|e| format!("error: {e}"))?;
    let config_path = root.join("config").canonicalize().map_err(|e| format!("error: {e}"))?;
    let dependencies = |crate_path: &Path| {
        format!(
            "awsgen-amplifybackend = {{ path = {:?} }}\nawsgen-config = {{ path = {:?} }}\n\
             tokio = {{ version = \"1\", default-features = false, features = [\"rt\"] }}\n",
            crate_path.display().to_string(),
            config_path.display().to_string()
        )
    };
    write_program(&ours, &dependencies(&crate_path), OUR_MAIN)?;
    // The same versions as the workspace, so the measurement is of what the tests ran.
    let _ = std::fs::copy(root.join("Cargo.lock"), ours.join("Cargo.lock"));
    // The same program on a crate generated with an operation allowlist: ListBackendJobs only.
    let allowlisted = dir.join("ours-listbackendjobs");
    let crate_dir = allowlisted.join("crate");
    generate_allowlisted(root, &crate_dir)?;
    write_program(&allowlisted, &dependencies(&crate_dir), OUR_MAIN)?;
    let _ = std::fs::copy(root.join("Cargo.lock"), allowlisted.join("Cargo.lock"));
    write_program(
        &aws,
        "aws-config = { version = \"=1.13.0\", features = [\"behavior-version-latest\"] }\naws-sdk-amplifybackend = \"=1.120.0\"\ntokio = { version = \"1\", features = [\"full\"] }\n",
        AWS_MAIN,
    )?;
    for program in [&ours, &allowlisted, &aws] {
        cargo(program, &["fetch", "--quiet"], None)?; // downloads are not build time
    }
    let mut builds = Vec::new();
    for profile in ["debug", "release"] {
        for (name, program) in
            [("awsgen", &ours), ("awsgen, ListBackendJobs only", &allowlisted), ("aws-sdk-rust", &aws)]
        {
            builds.push(cold_build(name, program, profile)?);
        }
    }
    Ok(builds)
}

/// AmplifyBackend with `"operations": ["ListBackendJobs"]`, as a crate of its own.
fn generate_allowlisted(root: &Path, dir: &Path) -> Result<(), String> {
    let specs = root.join("specs/amplifybackend");
    let read = |name: &str| std::fs::read(specs.join(name)).map_err(|e| format!("error: {name}: {e}"));
    let (model, pagers, rules) =
        (read("service-2.json")?, read("paginators-1.json")?, read("endpoint-rule-set-1.json")?);
    let runtime = root.join("runtime").canonicalize().map_err(|e| format!("error: {e}"))?;
    let runtime = format!("{{ path = {:?} }}", runtime.display().to_string());
    let spec = awsgen_codegen::CrateSpec {
        protocol: None,
        package: "awsgen-amplifybackend",
        version: "0.1.0",
        publish: &[],
        model: awsgen_codegen::InputFile { path: "specs/amplifybackend/service-2.json", contents: &model },
        paginators: Some(awsgen_codegen::InputFile {
            path: "specs/amplifybackend/paginators-1.json",
            contents: &pagers,
        }),
        waiters: None,
        operations: awsgen_codegen::Selection::Only(["ListBackendJobs".to_owned()].into()),
        runtime_dependency: &runtime,
        standalone: false,
        names_lock: None,
        endpoint_rules: Some(awsgen_codegen::InputFile {
            path: "specs/amplifybackend/endpoint-rule-set-1.json",
            contents: &rules,
        }),
    };
    let generated = awsgen_codegen::generate(&spec).map_err(|d| d.to_string())?;
    let _ = std::fs::remove_dir_all(dir);
    let changes = crate::sync::changes(dir, &generated.files)?;
    crate::sync::apply(dir, &changes)
}

pub(crate) fn write_program(dir: &Path, dependencies: &str, main: &str) -> Result<(), String> {
    let fail = |e: std::io::Error| format!("error: cannot write {}: {e}", dir.display());
    std::fs::create_dir_all(dir.join("src")).map_err(fail)?;
    let manifest = format!(
        "[package]\nname = \"list-jobs\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\n{dependencies}\n[workspace]\n"
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).map_err(fail)?;
    std::fs::write(dir.join("src/main.rs"), main).map_err(fail)
}

fn cold_build(name: &'static str, program: &Path, profile: &'static str) -> Result<Build, String> {
    let target = program.join(format!("target-{profile}"));
    let _ = std::fs::remove_dir_all(&target);
    let mut args = vec!["build"];
    if profile == "release" {
        args.push("--release");
    }
    let started = Instant::now();
    let output = cargo(program, &args, Some(&target))?;
    let seconds = started.elapsed().as_secs_f64();
    let log = String::from_utf8_lossy(&output);
    let binary = target.join(profile).join("list-jobs");
    Ok(Build {
        program: name,
        profile,
        seconds,
        crates: log.lines().filter(|l| l.trim_start().starts_with("Compiling ")).count(),
        peak_rss_kb: peak_rss_kb(&log),
        binary_bytes: std::fs::metadata(&binary).map(|m| m.len()).unwrap_or(0),
    })
}

/// The largest resident set `/usr/bin/time -v` reported in `log`, in kB.
pub(crate) fn peak_rss_kb(log: &str) -> Option<u64> {
    let kb = log.lines().find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes): "))?;
    kb.trim().parse().ok()
}

/// Runs cargo in `dir` (under `/usr/bin/time -v` when there is one) and returns its stderr.
pub(crate) fn cargo(dir: &Path, args: &[&str], target: Option<&PathBuf>) -> Result<Vec<u8>, String> {
    let timed = Path::new("/usr/bin/time").is_file() && target.is_some();
    let mut command = if timed {
        let mut c = Command::new("/usr/bin/time");
        c.arg("-v").arg(crate::cargo().get_program());
        c
    } else {
        crate::cargo()
    };
    command.args(args).current_dir(dir);
    if let Some(target) = target {
        command.env("CARGO_TARGET_DIR", target);
    }
    let output = command.output().map_err(|e| format!("error: cannot run cargo: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "error: cargo {} in {} failed:\n{}",
            args.join(" "),
            dir.display(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(output.stderr)
}

pub fn print(builds: &[Build]) {
    println!("| program | profile | wall | crates compiled | peak RSS | binary |");
    println!("|---|---|---:|---:|---:|---:|");
    for b in builds {
        let rss = b.peak_rss_kb.map_or("n/a".to_owned(), |kb| format!("{} MB", kb / 1024));
        println!(
            "| {} | {} | {:.1} s | {} | {rss} | {:.1} MB |",
            b.program,
            b.profile,
            b.seconds,
            b.crates,
            b.binary_bytes as f64 / 1e6
        );
    }
    for profile in ["debug", "release"] {
        let find = |name: &str| builds.iter().find(|b| b.program == name && b.profile == profile);
        let Some(theirs) = find("aws-sdk-rust") else { continue };
        for ours in builds.iter().filter(|b| b.profile == profile && b.program != "aws-sdk-rust") {
            println!(
                "\n{profile}, {}: time {:.2}x, crates {:.2}x, binary {:.2}x of aws-sdk-rust's",
                ours.program,
                ours.seconds / theirs.seconds,
                ours.crates as f64 / theirs.crates as f64,
                ours.binary_bytes as f64 / theirs.binary_bytes.max(1) as f64
            );
        }
    }
}
