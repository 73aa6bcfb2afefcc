//! `cargo xtask`: the project's commands. It owns all file I/O around the pure generator.

use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use xtask::{config, sync, workspace_root};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Project commands for the awsgen client generator")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate every crate configured in specs/codegen.json into generated/, or one model into --out.
    Codegen(CodegenArgs),
    /// Vendor AWS models into specs/ (add) or take newer ones (update), then generate.
    Models {
        #[command(subcommand)]
        action: ModelsAction,
        /// The checkout to change. Default: this one.
        #[arg(long, global = true, hide = true)]
        root: Option<PathBuf>,
    },
    /// Generate a crate for every botocore model under a folder and run clippy on each.
    Corpus {
        /// Holds `<service>/<api-version>/service-2.json[.gz]` (and paginators-1.json[.gz]), as
        /// botocore ships its data folder; the newest api-version of each service is used.
        #[arg(long)]
        models: PathBuf,
        /// Scratch workspace for the crates. Default: target/corpus.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Only these services (comma-separated folder names).
        #[arg(long, value_delimiter = ',', value_name = "SERVICES")]
        only: Option<Vec<String>>,
        /// Take N of the services with a supported protocol, evenly spread over the sorted list (always the
        /// same ones for the same N and models).
        #[arg(long, value_name = "N")]
        sample: Option<usize>,
        /// Generate only (nothing written, no cargo): operations, lines and generation time.
        #[arg(long)]
        no_compile: bool,
        /// Crates checked at once, each worker with a target folder of its own. Default: one per core.
        #[arg(long, default_value_t = 0, value_name = "N")]
        jobs: usize,
    },
    /// Report what changed in the API of each configured crate since a git revision (or between
    /// two model files), each change classified as breaking or compatible.
    ApiDiff {
        /// The revision to compare with. Default: the merge base with main (HEAD on main).
        #[arg(long, conflicts_with = "model")]
        base: Option<String>,
        /// Compare two model files (either format) instead: OLD NEW.
        #[arg(long, num_args = 2, value_names = ["OLD", "NEW"])]
        model: Option<Vec<PathBuf>>,
        /// Exit non-zero when any change is breaking.
        #[arg(long)]
        deny_breaking: bool,
    },
    /// Cold debug and release builds of a ListBackendJobs program on our crate and on
    /// aws-sdk-amplifybackend, side by side (downloads crates; takes several minutes).
    BenchBuild {
        /// Instead: cold debug builds of the whole EC2, S3 and IAM crates (every operation of
        /// ../shared's botocore models) beside aws-sdk-ec2, aws-sdk-s3 and aws-sdk-iam.
        #[arg(long)]
        services: bool,
    },
    /// Time per ListBackendJobs call and loopback calls per second, ours vs aws-sdk-rust, in one run.
    BenchCalls,
    /// Event stream decoding side by side with aws-sdk-rust's decoder (aws-smithy-eventstream), on
    /// the same bytes in one release program under target/bench-eventstream.
    BenchEventstream,
    /// Large transfers side by side with aws-sdk-s3 and its transfer manager: a multipart upload
    /// and a ranged download of MIB MiB (default 1024) through one S3 stand-in on 127.0.0.1, each
    /// in its own process for its peak RSS; a release program under target/bench-transfers.
    BenchTransfers {
        #[arg(default_value_t = 1024)]
        mib: u64,
    },
    /// Generate every feature fixture (tests/fixtures/features) into target/fixtures and run clippy
    /// on all of them, every target and feature, warnings denied.
    Fixtures,
    /// api-diff against cargo-semver-checks on every real update in ../shared/model-history: each
    /// pair generated as two versions of one crate; needs `cargo install cargo-semver-checks`.
    SemverOracle {
        /// Default: ../shared/model-history beside this checkout.
        #[arg(long)]
        history: Option<PathBuf>,
    },
    /// Run botocore's rest-json and json protocol test suites through generated code.
    Conformance {
        /// Default: ../shared/protocol-tests/botocore beside this checkout.
        #[arg(long)]
        tests: Option<PathBuf>,
    },
    /// Run every service's published endpoint rule-set test cases through the runtime's rules engine.
    EndpointTests {
        /// Default: ../shared/endpoint-tests beside this checkout.
        #[arg(long)]
        tests: Option<PathBuf>,
        /// Only this service (its folder name).
        #[arg(long)]
        service: Option<String>,
        /// List every service, not only those with failures or skips.
        #[arg(long)]
        verbose: bool,
    },
    /// Resolve one endpoint: the rule set beside a model (service-2.json[.gz] or its folder) or a
    /// rule-set file, with --param NAME=VALUE (booleans as true/false, string arrays comma-separated).
    Endpoint {
        #[arg(long)]
        model: PathBuf,
        #[arg(long = "param", value_name = "NAME=VALUE")]
        params: Vec<String>,
    },
    /// Mutation-fuzz the generator with the repository's models as seeds; fails on any panic.
    Fuzz {
        #[arg(long, default_value_t = 100_000)]
        iterations: u64,
        /// Random seed, so a run can be repeated exactly.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Mutation-fuzz the generated clients with responses made from the IR: every operation of
    /// every configured crate; fails on a panic, unbounded memory or a hang, printing the response.
    FuzzResponses {
        #[arg(long, default_value_t = 100_000)]
        iterations: u64,
        /// Random seed, so a run can be repeated exactly.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Run only the response of this iteration (of --seed), once, with a backtrace on panic.
        #[arg(long, conflicts_with = "replay")]
        iteration: Option<u64>,
        /// Run a response a failed run saved (the folder it printed), once.
        #[arg(long)]
        replay: Option<PathBuf>,
        /// Don't stop at the first failure: report each distinct one once and finish the run
        /// (still failing at the end).
        #[arg(long)]
        keep_going: bool,
        /// Make iteration 3 fail: panic, memory, slow, stuck or overflow (tests the reports).
        #[arg(long, hide = true)]
        self_test: Option<String>,
    },
}

#[derive(Subcommand)]
enum ModelsAction {
    /// Vendor each service's newest model (with its paginators, waiters and endpoint rule set)
    /// into specs/<service>/ with a SOURCE.md, and add its crate to specs/codegen.json.
    Add {
        #[arg(required = true)]
        services: Vec<String>,
        /// botocore's `data` folder (as pip installs it, gzip or not) or a checkout of AWS's Smithy
        /// models (the JSON AST).
        #[arg(long, value_name = "DIR")]
        from: PathBuf,
        /// Only these operations (comma-separated model names); default: all.
        #[arg(long, value_delimiter = ',')]
        operations: Option<Vec<String>>,
    },
    /// Replace the vendored files of these services (default: every configured one the source
    /// has) with the source's newest, move each changed crate's version by its api-diff, add its
    /// CHANGELOG.md entry, and print what changed.
    Update {
        services: Vec<String>,
        #[arg(long, value_name = "DIR")]
        from: PathBuf,
    },
}

#[derive(clap::Args, Default)]
struct CodegenArgs {
    /// Change nothing; fail with a diff if generated/ is not exactly what the generator produces.
    #[arg(long)]
    check: bool,
    /// Generate this model file instead of the configured crates (needs --out).
    #[arg(long, requires = "out")]
    model: Option<PathBuf>,
    /// The paginators-1.json that goes with --model.
    #[arg(long, requires = "model")]
    paginators: Option<PathBuf>,
    /// The waiters-2.json that goes with --model.
    #[arg(long, requires = "model")]
    waiters: Option<PathBuf>,
    /// The endpoint-rule-set-1.json that goes with --model; without it, the regional endpoint.
    #[arg(long, requires = "model")]
    endpoint_rules: Option<PathBuf>,
    /// Only these operations (comma-separated model names) and the shapes they use; default: all.
    #[arg(long, requires = "model", value_delimiter = ',')]
    operations: Option<Vec<String>>,
    /// The folder to write the standalone crate into (with --model).
    #[arg(long, requires = "model")]
    out: Option<PathBuf>,
    /// The package name of the standalone crate (with --model); default: from the model folder.
    #[arg(long, requires = "model")]
    package: Option<String>,
    /// Depend on the awsgen-runtime crate in this folder, written as a path relative to --out.
    /// Without any --runtime-* flag: the runtime/ of the awsgen checkout the command runs in.
    #[arg(long, requires = "out", group = "runtime", value_name = "PATH")]
    runtime_path: Option<PathBuf>,
    /// Depend on awsgen-runtime from this git repository.
    #[arg(long, requires = "out", group = "runtime", value_name = "URL")]
    runtime_git: Option<String>,
    /// The commit, tag or branch of --runtime-git to use (written as `rev`).
    #[arg(long, requires = "runtime_git", value_name = "REV")]
    runtime_rev: Option<String>,
    /// Depend on this version of awsgen-runtime from a registry.
    #[arg(long, requires = "out", group = "runtime", value_name = "VERSION")]
    runtime_version: Option<String>,
    /// Leave `[workspace]` out of the standalone crate's Cargo.toml, to make it a member of an
    /// enclosing workspace (by default it is a workspace of its own and builds wherever it is).
    #[arg(long, requires = "out")]
    no_workspace: bool,
    /// Take no paginators-1.json, waiters-2.json or endpoint-rule-set-1.json (gzip or not) from
    /// beside --model: only the files named. By default those found there are used.
    #[arg(long, requires = "model")]
    no_siblings: bool,
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Codegen(args) => codegen(&args, &workspace_root()),
        Command::Models { action, root } => models(&action, &root.unwrap_or_else(workspace_root)),
        Command::Corpus { models, out, only, sample, no_compile, jobs } => {
            corpus(&models, out, &xtask::corpus::Options { only, sample, compile: !no_compile, jobs })
        }
        Command::Fuzz { iterations, seed } => fuzz(iterations, seed),
        Command::FuzzResponses { iterations, seed, iteration, replay, keep_going, self_test } => {
            let mode = match (iteration, replay) {
                (_, Some(dir)) => xtask::fuzz_responses::Mode::Replay(dir),
                (Some(iteration), None) => xtask::fuzz_responses::Mode::Iteration { seed, iteration },
                (None, None) => xtask::fuzz_responses::Mode::Run { iterations, seed, keep_going, self_test },
            };
            fuzz_responses(&mode, seed)
        }
        Command::ApiDiff { base, model, deny_breaking } => api_diff(base, model, deny_breaking),
        Command::Conformance { tests } => conformance(tests),
        Command::SemverOracle { history } => semver_oracle(history),
        Command::Fixtures => {
            let root = workspace_root();
            xtask::fixtures::check(&root, &root.join("target/fixtures")).map(|count| {
                println!("{count} fixture crates compile, clippy-clean");
                ExitCode::SUCCESS
            })
        }
        Command::EndpointTests { tests, service, verbose } => endpoint_tests(tests, service, verbose),
        Command::Endpoint { model, params } => xtask::endpoint_tests::resolve_one(&model, &params).map(|endpoint| {
            println!("{}", serde_json::to_string_pretty(&endpoint).unwrap_or_default());
            ExitCode::SUCCESS
        }),
        Command::BenchBuild { services: false } => xtask::bench_build::run(&workspace_root()).map(|builds| {
            xtask::bench_build::print(&builds);
            ExitCode::SUCCESS
        }),
        Command::BenchBuild { services: true } => {
            let root = workspace_root();
            xtask::bench_build::run_services(&root, &root.join("../shared/models/botocore-data")).map(|builds| {
                xtask::bench_build::print_services(&builds);
                ExitCode::SUCCESS
            })
        }
        Command::BenchCalls => xtask::bench_calls::run(&workspace_root()).map(|runs| {
            xtask::bench_calls::print(&runs);
            ExitCode::SUCCESS
        }),
        Command::BenchEventstream => xtask::bench_eventstream::run(&workspace_root()).map(|rows| {
            xtask::bench_eventstream::print(&rows);
            ExitCode::SUCCESS
        }),
        Command::BenchTransfers { mib } => xtask::bench_transfers::run(&workspace_root(), mib).map(|rows| {
            xtask::bench_transfers::print(&rows);
            ExitCode::SUCCESS
        }),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn corpus(
    models: &std::path::Path,
    out: Option<PathBuf>,
    options: &xtask::corpus::Options,
) -> Result<ExitCode, String> {
    let root = workspace_root();
    if !models.is_dir() {
        return Err(format!(
            "error: {} is not a folder of models (is ../shared beside this checkout?)",
            models.display()
        ));
    }
    let out = out.unwrap_or_else(|| root.join("target/corpus"));
    if options.compile {
        std::fs::create_dir_all(&out).map_err(|e| format!("error: cannot create {}: {e}", out.display()))?;
    }
    let report = xtask::corpus::run(&root, models, &out, options)?;
    xtask::corpus::print(&report);
    Ok(if report.ok() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn api_diff(base: Option<String>, model: Option<Vec<PathBuf>>, deny_breaking: bool) -> Result<ExitCode, String> {
    let root = workspace_root();
    let reports = match model.as_deref() {
        Some([old, new]) => {
            vec![(format!("{} -> {}", old.display(), new.display()), xtask::api_diff::files(old, new)?)]
        }
        _ => {
            let base = match base {
                Some(base) => base,
                None => xtask::api_diff::default_base(&root)?,
            };
            let jobs = config::configured_jobs(&root)?;
            xtask::api_diff::configured(&root, &jobs, &base)?
        }
    };
    let mut breaking = 0;
    for (title, report) in &reports {
        println!("{}", report.markdown(title));
        breaking += report.breaking();
    }
    Ok(if deny_breaking && breaking > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

fn semver_oracle(history: Option<PathBuf>) -> Result<ExitCode, String> {
    let root = workspace_root();
    let history = history.unwrap_or_else(|| root.join("../shared/model-history"));
    let updates = xtask::semver_oracle::run(&root, &history, &root.join("target/semver-oracle"))?;
    xtask::semver_oracle::print(&updates);
    Ok(if updates.iter().any(|u| !u.missed().is_empty()) { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

fn conformance(tests: Option<PathBuf>) -> Result<ExitCode, String> {
    let root = workspace_root();
    let tests = tests.unwrap_or_else(|| xtask::conformance::default_tests(&root));
    if !tests.is_dir() {
        return Err(format!("error: {} is not a folder (is ../shared beside this checkout?)", tests.display()));
    }
    let out = root.join("target/conformance");
    std::fs::create_dir_all(&out).map_err(|e| format!("error: cannot create {}: {e}", out.display()))?;
    let rows = xtask::conformance::run(&root, &tests, &out)?;
    Ok(if xtask::conformance::print(&rows) { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn endpoint_tests(tests: Option<PathBuf>, service: Option<String>, verbose: bool) -> Result<ExitCode, String> {
    let root = workspace_root();
    let tests = tests.unwrap_or_else(|| xtask::endpoint_tests::default_tests(&root));
    let started = std::time::Instant::now();
    let reports = xtask::endpoint_tests::run(&root, &tests, service.as_deref())?;
    let ok = xtask::endpoint_tests::print(&reports, verbose);
    println!("\n{:.2} s", started.elapsed().as_secs_f64());
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn fuzz(iterations: u64, seed: u64) -> Result<ExitCode, String> {
    let root = workspace_root();
    let seeds = xtask::fuzz::seeds(&root)?;
    let started = std::time::Instant::now();
    let report = xtask::fuzz::run(&seeds, iterations, seed, &root.join("target/fuzz-crashes"))?;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{} executions ({} generated a crate) from {} seeds in {seconds:.1} s ({:.0}/s), seed {seed}",
        report.executions,
        report.generated,
        seeds.len(),
        report.executions as f64 / seconds.max(1e-9)
    );
    match report.crash {
        None => Ok(ExitCode::SUCCESS),
        Some(path) => {
            eprintln!("the generator panicked; the input is {}", path.display());
            Ok(ExitCode::FAILURE)
        }
    }
}

fn fuzz_responses(mode: &xtask::fuzz_responses::Mode, seed: u64) -> Result<ExitCode, String> {
    let root = workspace_root();
    let out = xtask::fuzz_responses::default_out(&root);
    let Some(report) = xtask::fuzz_responses::run(&root, &out, mode)? else { return Ok(ExitCode::SUCCESS) };
    xtask::fuzz_responses::print(&report, seed);
    for failure in &report.failures {
        eprintln!("FAILED: {failure} (the response and how to replay it are above)");
    }
    Ok(if report.failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn models(action: &ModelsAction, root: &Path) -> Result<ExitCode, String> {
    match action {
        ModelsAction::Add { services, from, operations } => {
            for added in xtask::models::add(root, services, from, operations.as_deref())? {
                println!("added {added}");
            }
        }
        ModelsAction::Update { services, from } => {
            for update in xtask::models::update(root, services, from)? {
                println!("{}", update.line());
            }
        }
    }
    codegen(&CodegenArgs::default(), root)
}

fn codegen(args: &CodegenArgs, root: &Path) -> Result<ExitCode, String> {
    let jobs = match (&args.model, &args.out) {
        (Some(model), Some(out)) => {
            let runtime = match (&args.runtime_path, &args.runtime_git, &args.runtime_version) {
                (Some(path), _, _) => config::Runtime::Path(path),
                (_, Some(url), _) => config::Runtime::Git { url, rev: args.runtime_rev.as_deref() },
                (_, _, Some(version)) => config::Runtime::Version(version),
                (None, None, None) => config::Runtime::Checkout,
            };
            let standalone = config::Standalone {
                model,
                paginators: args.paginators.as_deref(),
                waiters: args.waiters.as_deref(),
                endpoint_rules: args.endpoint_rules.as_deref(),
                operations: args.operations.as_deref(),
                package: args.package.as_deref(),
                out,
                runtime,
                workspace: !args.no_workspace,
                no_siblings: args.no_siblings,
            };
            let cwd = std::env::current_dir()
                .and_then(|cwd| cwd.canonicalize())
                .map_err(|e| format!("error: cannot resolve the current folder: {e}"))?;
            vec![config::standalone_job(&cwd, &standalone)?]
        }
        _ => config::configured_jobs(root)?,
    };
    // Generate everything before touching any file, so a bad model leaves the output untouched.
    let mut outputs = Vec::new();
    let mut failed = false;
    for job in &jobs {
        match job.generate() {
            Ok(generated) => {
                generated.warnings.iter().for_each(|warning| eprintln!("{}", warning.warning()));
                outputs.push((job.output.clone(), generated.files));
            }
            Err(diagnostics) => {
                eprintln!("{diagnostics}");
                failed = true;
            }
        }
    }
    if failed {
        return Ok(ExitCode::FAILURE);
    }
    let mut stale = false;
    for (dir, files) in &outputs {
        let changes = sync::changes(dir, files)?;
        if args.check {
            stale |= sync::report(root, &changes);
        } else {
            sync::apply(dir, &changes)?;
        }
    }
    if stale {
        eprintln!("generated code is out of date: run `cargo xtask codegen` and commit the result");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
