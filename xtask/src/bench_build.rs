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

/// With environment credentials and region only (what a Lambda function has): no awsgen-config.
const OUR_ENV_MAIN: &str = r#"use awsgen_amplifybackend::Client;

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let client = Client::from_env();
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
    pub program: String,
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
    let tokio = "tokio = { version = \"1\", default-features = false, features = [\"rt\"] }\n";
    let dependencies = |crate_path: &Path| {
        format!(
            "awsgen-amplifybackend = {{ path = {:?} }}\nawsgen-config = {{ path = {:?} }}\n{tokio}",
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
    // The same, with environment credentials only: the generated crate and the runtime alone.
    let environment = dir.join("ours-listbackendjobs-env");
    let crate_only = format!("awsgen-amplifybackend = {{ path = {:?} }}\n{tokio}", crate_dir.display().to_string());
    write_program(&environment, &crate_only, OUR_ENV_MAIN)?;
    let _ = std::fs::copy(root.join("Cargo.lock"), environment.join("Cargo.lock"));
    write_program(
        &aws,
        "aws-config = { version = \"=1.13.0\", features = [\"behavior-version-latest\"] }\naws-sdk-amplifybackend = \"=1.120.0\"\ntokio = { version = \"1\", features = [\"full\"] }\n",
        AWS_MAIN,
    )?;
    let programs = [
        ("awsgen", &ours),
        ("awsgen, ListBackendJobs only", &allowlisted),
        ("awsgen, ListBackendJobs only, environment credentials", &environment),
        ("aws-sdk-rust", &aws),
    ];
    for (_, program) in programs {
        cargo(program, &["fetch", "--quiet"], None)?; // downloads are not build time
    }
    let mut builds = Vec::new();
    for profile in ["debug", "release"] {
        for (name, program) in programs {
            builds.push(cold_build(name, program, profile)?);
        }
    }
    Ok(builds)
}

/// aws-sdk-rust's crates for the services `--services` compares, pinned as they were measured.
const AWS_SDK_SERVICES: [(&str, &str); 3] = [("ec2", "1.274.0"), ("s3", "1.157.0"), ("iam", "1.133.0")];

/// `cargo xtask bench-build --services`: the whole crate of each big service (every operation of
/// botocore's model in ../shared), cold `cargo build` of a program making a client, beside the
/// same program on `aws-sdk-<service>`. Debug builds, one program at a time.
pub fn run_services(root: &Path, models: &Path) -> Result<Vec<Build>, String> {
    let dir = root.join("target/bench-build/services");
    let runtime = root.join("runtime").canonicalize().map_err(|e| format!("error: {e}"))?;
    let runtime_dependency = format!("{{ path = {:?} }}", runtime.display().to_string());
    let dirs = crate::corpus::model_dirs(models)?;
    let mut programs = Vec::new();
    for (service, version) in AWS_SDK_SERVICES {
        let module = service.replace('-', "_");
        let (_, model_dir) = dirs
            .iter()
            .find(|(name, _)| name == service)
            .ok_or_else(|| format!("error: no model for {service} under {}", models.display()))?;
        let generated = crate::corpus::generate_service(service, model_dir, &runtime_dependency)?;
        let generated = generated.map_err(|d| format!("error: {service}: {d}"))?;
        let ours = dir.join(format!("awsgen-{service}"));
        let crate_dir = ours.join("crate");
        let _ = std::fs::remove_dir_all(&crate_dir);
        crate::sync::apply(&crate_dir, &crate::sync::changes(&crate_dir, &generated.files)?)?;
        let main = format!("fn main() {{\n    let client = awsgen_{module}::Client::from_env();\n    println!(\"{{:?}}\", client.config().region());\n}}\n");
        let dependency = format!("awsgen-{service} = {{ path = {:?} }}\n", crate_dir.display().to_string());
        write_program(&ours, &dependency, &main)?;
        let _ = std::fs::copy(root.join("Cargo.lock"), ours.join("Cargo.lock"));
        let aws = dir.join(format!("aws-sdk-{service}"));
        let main = format!(
            "fn main() {{\n    let config = aws_sdk_{module}::Config::builder().behavior_version_latest().build();\n    \
             let client = aws_sdk_{module}::Client::from_conf(config);\n    println!(\"{{:?}}\", client.config().region());\n}}\n"
        );
        write_program(&aws, &format!("aws-sdk-{service} = \"={version}\"\n"), &main)?;
        programs.push((service, ours, aws));
    }
    let mut builds = Vec::new();
    for (service, ours, aws) in &programs {
        for program in [ours, aws] {
            cargo(program, &["fetch", "--quiet"], None)?;
        }
        builds.push(cold_build(&format!("awsgen-{service}"), ours, "debug")?);
        builds.push(cold_build(&format!("aws-sdk-{service}"), aws, "debug")?);
    }
    Ok(builds)
}

/// The services' rows side by side: time and peak RSS as fractions of aws-sdk-rust's.
pub fn print_services(builds: &[Build]) {
    print_table(builds);
    for ours in builds.iter().filter(|b| b.program.starts_with("awsgen-")) {
        let service = &ours.program["awsgen-".len()..];
        let Some(theirs) = builds.iter().find(|b| b.program == format!("aws-sdk-{service}")) else { continue };
        let rss = match (ours.peak_rss_kb, theirs.peak_rss_kb) {
            (Some(a), Some(b)) => format!("{:.2}x", a as f64 / b as f64),
            _ => "n/a".to_owned(),
        };
        println!(
            "\n{service}: time {:.2}x, peak RSS {rss}, crates {:.2}x of aws-sdk-{service}'s",
            ours.seconds / theirs.seconds,
            ours.crates as f64 / theirs.crates as f64
        );
    }
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

fn cold_build(name: &str, program: &Path, profile: &'static str) -> Result<Build, String> {
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
        program: name.to_owned(),
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
    print_table(builds);
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

fn print_table(builds: &[Build]) {
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
}
