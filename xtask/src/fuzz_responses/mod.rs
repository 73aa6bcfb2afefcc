//! `cargo xtask fuzz-responses`: a response fuzzer for the generated clients. It writes a scratch
//! crate that depends on every configured crate (by path) and on awsgen-runtime, with a harness
//! listing every operation (names from the IR) and the recorded responses made from the IR
//! (`seeds`). The harness mutates status, headers and body, runs each response through what the
//! client runs (`HttpResponse::read`, then `parse_output` or `ErrorResponse::from_response` +
//! `parse_error`, then `{:?}` and `{}`), and fails on a panic, on an execution over its memory
//! limit, or on one that takes over 2 s (a watchdog ends one stuck for 20 s).
//!
//! The scratch crate links `awsgen-fuzz-runner` (`xtask/fuzz-runner`): the loop, the mutators,
//! the counting allocator and the reports. Run it in release for volume:
//! `cargo run --release -p xtask -- fuzz-responses --iterations 1000000`.

mod seeds;

pub use seeds::{base64, seeds, SeedResponse};

use crate::config::{self, Job};
use awsgen_codegen::ir::{Operation, Protocol, Service};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const PACKAGE: &str = "fuzz_responses";

/// What to run.
pub enum Mode {
    /// `iterations` mutated responses from `seed`, stopping at the first failure unless
    /// `keep_going` (then each distinct failure is reported once, and the run goes on; a memory
    /// blow-up or a stuck execution still ends it). `self_test` (`panic`, `memory`, `slow`,
    /// `stuck`, `overflow`) makes iteration 3 fail that way, to test the failure reports.
    Run { iterations: u64, seed: u64, keep_going: bool, self_test: Option<String> },
    /// Only the response of one iteration of a run (rebuilt from the seed), run once.
    Iteration { seed: u64, iteration: u64 },
    /// A response saved by a failed run (its folder), run once.
    Replay(PathBuf),
}

/// The counts of one crate.
#[derive(Debug, Default, Clone)]
pub struct CrateStats {
    pub name: String,
    pub executions: u64,
    /// 2xx responses parsed as the output.
    pub ok: u64,
    /// 2xx responses that did not parse (`SdkError::Parse`).
    pub parse_errors: u64,
    /// Other statuses, read as the operation's error (`SdkError::Service`).
    pub service_errors: u64,
    /// Of those, the ones that became a modeled error variant.
    pub modeled_errors: u64,
    /// Bodies over the 1 MiB limit (or a `Content-Length` saying so).
    pub too_large: u64,
    /// Executions that panicked or took too long (with `--keep-going`, else at most one).
    pub failed: u64,
    /// The most memory one execution used.
    pub max_peak_bytes: u64,
    /// The longest one execution took.
    pub max_micros: u64,
}

/// What a run found.
#[derive(Debug)]
pub struct Report {
    pub executions: u64,
    pub seconds: f64,
    pub crates: Vec<CrateStats>,
    /// Each distinct failure: what, where, at which iteration, how often (the harness printed
    /// the response of its first occurrence and how to replay it). Empty when the run passed.
    pub failures: Vec<String>,
}

impl Report {
    pub fn total(&self) -> CrateStats {
        self.crates.iter().fold(CrateStats { name: "total".to_owned(), ..CrateStats::default() }, |mut t, c| {
            t.executions += c.executions;
            t.ok += c.ok;
            t.parse_errors += c.parse_errors;
            t.service_errors += c.service_errors;
            t.modeled_errors += c.modeled_errors;
            t.too_large += c.too_large;
            t.failed += c.failed;
            t.max_peak_bytes = t.max_peak_bytes.max(c.max_peak_bytes);
            t.max_micros = t.max_micros.max(c.max_micros);
            t
        })
    }
}

/// The scratch folder: `fuzz-responses` under the target folder (`CARGO_TARGET_DIR` if set).
pub fn default_out(root: &Path) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"));
    let target = if target.is_absolute() { target } else { root.join(target) };
    target.join("fuzz-responses")
}

/// Writes and builds the harness, then runs it. `Ok(None)` for a single case (`Iteration`,
/// `Replay`), whose result the harness prints; `Err` when the run could not be made.
pub fn run(root: &Path, out: &Path, mode: &Mode) -> Result<Option<Report>, String> {
    let jobs = config::configured_jobs(root)?;
    write_crate(root, out, &jobs)?;
    build(out)?;
    let binary = out.join("target/release").join(PACKAGE);
    let mut command = Command::new(&binary);
    command.arg("--seeds").arg(out.join("seeds.json")).arg("--crashes").arg(out.join("crashes"));
    match mode {
        Mode::Run { iterations, seed, keep_going, self_test } => {
            let started = std::time::SystemTime::now();
            let inflight = out.join("inflight");
            let _ = std::fs::remove_file(&inflight);
            command.args(["--iterations", &iterations.to_string(), "--seed", &seed.to_string()]);
            command.arg("--inflight").arg(&inflight);
            if *keep_going {
                command.arg("--keep-going");
            }
            if let Some(kind) = self_test {
                command.args(["--self-test", kind]);
            }
            let output = command
                .stderr(Stdio::inherit())
                .output()
                .map_err(|e| format!("error: cannot run {}: {e}", binary.display()))?;
            let stdout = String::from_utf8_lossy(&output.stdout);
            let summary = stdout.lines().rev().find_map(|line| serde_json::from_str::<Value>(line).ok());
            match summary {
                Some(summary) => Ok(Some(report(&summary))),
                None => Err(died(out, &binary, *seed, &inflight, &output.status, started)),
            }
        }
        Mode::Iteration { seed, iteration } => {
            command.args(["--seed", &seed.to_string(), "--iteration", &iteration.to_string()]);
            single(command, &binary)
        }
        Mode::Replay(dir) => {
            command.arg("--replay").arg(dir);
            single(command, &binary)
        }
    }
}

fn single(mut command: Command, binary: &Path) -> Result<Option<Report>, String> {
    let status = command
        .env("RUST_BACKTRACE", "1")
        .status()
        .map_err(|e| format!("error: cannot run {}: {e}", binary.display()))?;
    if status.success() {
        Ok(None)
    } else {
        Err(format!("the response fails ({status})"))
    }
}

/// The harness ended without its summary (a stack overflow, or an abort with its own report):
/// name the iteration in flight, and save its response without running it.
fn died(
    out: &Path,
    binary: &Path,
    seed: u64,
    inflight: &Path,
    status: &std::process::ExitStatus,
    started: std::time::SystemTime,
) -> String {
    let iteration = std::fs::read_to_string(inflight).ok().and_then(|text| text.trim().parse::<u64>().ok());
    let Some(iteration) = iteration else {
        return format!("error: the fuzzing harness ended without a summary ({status})");
    };
    let crash = out.join("crashes").join(format!("seed-{seed}-iteration-{iteration}"));
    let reported = std::fs::metadata(crash.join("case.json")).and_then(|m| m.modified()).is_ok_and(|t| t >= started);
    if reported {
        // An abort the harness reported itself (memory over the limit, the watchdog).
        return format!(
            "FAILED: the fuzzing harness ended the process ({status}) in seed {seed}, iteration {iteration}, \
             after the report above"
        );
    }
    let saved = Command::new(binary)
        .arg("--seeds")
        .arg(out.join("seeds.json"))
        .arg("--crashes")
        .arg(out.join("crashes"))
        .args(["--seed", &seed.to_string(), "--iteration", &iteration.to_string(), "--dry"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    format!(
        "FAILED: the fuzzing harness died ({status}) in seed {seed}, iteration {iteration}; the response:\n{saved}\
         replay: cargo xtask fuzz-responses --replay {}\n    \
         or: cargo xtask fuzz-responses --seed {seed} --iteration {iteration}",
        crash.display()
    )
}

fn report(summary: &Value) -> Report {
    let number = |v: &Value, key: &str| v[key].as_u64().unwrap_or(0);
    let crates = summary["crates"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| CrateStats {
            name: c["crate"].as_str().unwrap_or_default().to_owned(),
            executions: number(c, "executions"),
            ok: number(c, "ok"),
            parse_errors: number(c, "parse_errors"),
            service_errors: number(c, "service_errors"),
            modeled_errors: number(c, "modeled_errors"),
            too_large: number(c, "too_large"),
            failed: number(c, "failed"),
            max_peak_bytes: number(c, "max_peak_bytes"),
            max_micros: number(c, "max_micros"),
        })
        .collect();
    let failures = summary["failures"].as_array().into_iter().flatten().map(|failure| {
        format!(
            "{} in {} (first at iteration {}, seen {} time{})",
            failure["key"].as_str().unwrap_or("failure"),
            failure["op"].as_str().unwrap_or("?"),
            failure["iteration"],
            failure["count"],
            if failure["count"] == 1 { "" } else { "s" }
        )
    });
    Report {
        executions: number(summary, "executions"),
        seconds: summary["seconds"].as_f64().unwrap_or(0.0),
        crates,
        failures: failures.collect(),
    }
}

/// The summary table.
pub fn print(report: &Report, seed: u64) {
    println!(
        "| crate | executions | parsed OK | parse errors | service errors | (modeled) | too large | failed | max memory \
         | slowest |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for row in report.crates.iter().chain(std::iter::once(&report.total())) {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {:.1} MiB | {:.1} ms |",
            row.name,
            row.executions,
            row.ok,
            row.parse_errors,
            row.service_errors,
            row.modeled_errors,
            row.too_large,
            row.failed,
            row.max_peak_bytes as f64 / (1024.0 * 1024.0),
            row.max_micros as f64 / 1000.0
        );
    }
    println!(
        "{} executions in {:.1} s ({:.0}/s), seed {seed}",
        report.executions,
        report.seconds,
        report.executions as f64 / report.seconds.max(1e-9)
    );
}

fn build(out: &Path) -> Result<(), String> {
    let status = crate::cargo()
        .args(["build", "--release", "--quiet"])
        .current_dir(out)
        .env("CARGO_TARGET_DIR", out.join("target"))
        .stdout(Stdio::null())
        .status()
        .map_err(|e| format!("error: cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err("error: the response fuzzing harness does not build (see above)".to_owned())
    }
}

/// The scratch workspace in `out`: the harness crate, its seeds, and the lock file of the
/// checkout (so it builds with the same dependency versions, and offline).
pub fn write_crate(root: &Path, out: &Path, jobs: &[Job]) -> Result<(), String> {
    let mut targets = Vec::new();
    let mut all_seeds = Vec::new();
    for job in jobs {
        let service = job.lower().map_err(|d| format!("error: {}: {d}", job.package))?.ir;
        all_seeds.extend(seeds(&job.package, &service));
        targets.push(Target::new(job, service)?);
    }
    let dir = out.join(PACKAGE);
    crate::write_file(&dir.join("src/main.rs"), &crate::pretty(main_rs(&targets))?)?;
    let mut manifest = format!(
        "[package]\nname = \"{PACKAGE}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\n\
         awsgen-runtime = {{ path = {} }}\nawsgen-fuzz-runner = {{ path = {} }}\n",
        toml_path(&root.join("runtime"))?,
        toml_path(&root.join("xtask/fuzz-runner"))?
    );
    for job in jobs {
        manifest.push_str(&format!("{} = {{ path = {} }}\n", job.package, toml_path(&job.output)?));
    }
    manifest.push_str("serde_json = \"1\"\nfastrand = \"2\"\nhttp = \"1\"\nbytes = \"1\"\nfutures-util = \"0.3\"\n");
    crate::write_file(&dir.join("Cargo.toml"), &manifest)?;
    let seeds_json = serde_json::to_string_pretty(&all_seeds).map_err(|e| format!("error: seeds: {e}"))?;
    crate::write_file(&out.join("seeds.json"), &seeds_json)?;
    crate::write_scratch_workspace(out, &[PACKAGE.to_owned()])?;
    // Overflow checks and debug assertions on in every crate, at release speed.
    let workspace = out.join("Cargo.toml");
    let mut text = std::fs::read_to_string(&workspace).map_err(|e| format!("error: {}: {e}", workspace.display()))?;
    if !text.contains("[profile.release]") {
        text.push_str(
            "\n[profile.release]\ndebug = \"line-tables-only\"\ndebug-assertions = true\noverflow-checks = true\n",
        );
    }
    crate::write_file(&workspace, &text)?;
    if let Ok(lock) = std::fs::read(root.join("Cargo.lock")) {
        std::fs::write(out.join("Cargo.lock"), lock).map_err(|e| format!("error: {}: {e}", out.display()))?;
    }
    Ok(())
}

fn toml_path(path: &Path) -> Result<String, String> {
    let path = path.canonicalize().map_err(|e| format!("error: {}: {e}", path.display()))?;
    Ok(format!("{:?}", path.display().to_string()))
}

/// One configured crate: its IR, and which operations have a `Paginate` impl.
struct Target {
    package: String,
    service: Service,
    paginated: Vec<String>,
}

impl Target {
    fn new(job: &Job, service: Service) -> Result<Self, String> {
        let mut paginated = Vec::new();
        for op in service.operations.values().filter(|op| op.pagination.is_some()) {
            // The generator leaves the impl out when the paginator names a member it can't use.
            let file =
                job.output.join("src/operation").join(format!("{}.rs", op.names.module.trim_start_matches("r#")));
            let text = std::fs::read_to_string(&file).map_err(|e| format!("error: {}: {e}", file.display()))?;
            if text.contains(&format!("pagination::Paginate for {}", op.names.input)) {
                paginated.push(op.name.clone());
            }
        }
        Ok(Target { package: job.package.clone(), service, paginated })
    }
}

fn main_rs(targets: &[Target]) -> TokenStream {
    let mut fns = Vec::new();
    let mut entries = Vec::new();
    let mut n = 0usize;
    for target in targets {
        let krate = format_ident!("{}", target.package.replace('-', "_"));
        let protocol = match target.service.protocol {
            Protocol::RestJson => quote! { ::awsgen_runtime::Protocol::RestJson },
            Protocol::AwsJson { .. } => {
                let compatible = target.service.query_compatible;
                quote! { ::awsgen_runtime::Protocol::AwsJson { query_compatible: #compatible } }
            }
            Protocol::AwsQuery => quote! { ::awsgen_runtime::Protocol::AwsQuery },
            Protocol::Ec2Query => quote! { ::awsgen_runtime::Protocol::Ec2Query },
            Protocol::RestXml => quote! { ::awsgen_runtime::Protocol::RestXml },
            Protocol::RpcV2Cbor => {
                let compatible = target.service.query_compatible;
                quote! { ::awsgen_runtime::Protocol::RpcV2Cbor { query_compatible: #compatible } }
            }
        };
        for op in target.service.operations.values() {
            let name = format_ident!("op_{n}");
            n += 1;
            let paginated = target.paginated.contains(&op.name);
            fns.push(op_fn(&name, &krate, (&target.service, op), &protocol, paginated));
            let key = format!("{}/{}", target.package, op.name);
            let package = &target.package;
            entries.push(quote! { runner::Op { key: #key, krate: #package, run: #name }, });
        }
    }
    quote! {
        //! Generated by `cargo xtask fuzz-responses`: every operation of every configured crate.
        #![allow(clippy::all)]
        use awsgen_fuzz_runner as runner;

        use awsgen_runtime::Operation as _;

        static OPS: &[runner::Op] = &[#(#entries)*];

        fn main() {
            runner::main(OPS)
        }

        #(#fns)*
    }
}

/// What the client does with a read response for one operation, then every format of the result.
fn op_fn(
    name: &Ident,
    krate: &Ident,
    (service, op): (&Service, &Operation),
    protocol: &TokenStream,
    paginated: bool,
) -> TokenStream {
    let module = ident(&op.names.module);
    let (input, error) = (format_ident!("{}", op.names.input), format_ident!("{}", op.names.error));
    let base = quote! { ::#krate::operation::#module };
    // An event stream is read to its end, event by event (the body is in memory: each is ready).
    let stream = op.output.as_ref().and_then(|id| service.shapes.get(id)).and_then(|output| {
        let member = output.members().iter().find(|m| m.binding == awsgen_codegen::ir::Binding::EventStream)?;
        let field = ident(&member.rust_name);
        Some(quote! {
            let mut events = output.#field;
            for _ in 0..10_000 {
                match ::futures_util::FutureExt::now_or_never(::futures_util::StreamExt::next(&mut events)) {
                    Some(Some(event)) => runner::show(sink, &event),
                    _ => break,
                }
            }
        })
    });
    let pages = paginated.then(|| {
        quote! {
            use ::awsgen_runtime::pagination::Paginate as _;
            runner::show(sink, &<#base::#input as ::awsgen_runtime::pagination::Paginate>::next_token(&output));
            let mut copy = output.clone();
            runner::show(sink, &<#base::#input>::take_items(&mut copy));
            <#base::#input>::merge(&mut copy, output.clone());
            runner::show(sink, &copy);
        }
    });
    quote! {
        fn #name(response: &::awsgen_runtime::http::Response, sink: &mut runner::Sink) -> runner::Outcome {
            if (200..300).contains(&response.status) {
                match <#base::#input>::parse_output(response) {
                    Ok(output) => {
                        runner::show(sink, &output);
                        #pages
                        #stream
                        runner::Outcome::Ok
                    }
                    Err(error) => {
                        let error = error.in_operation(<#base::#input as ::awsgen_runtime::Operation>::NAME);
                        runner::show_error(sink, &error);
                        let error = ::awsgen_runtime::SdkError::<#base::#error>::Parse(error);
                        runner::show_error(sink, &error);
                        runner::Outcome::ParseError
                    }
                }
            } else {
                let error = ::awsgen_runtime::ErrorResponse::from_response(response, #protocol);
                runner::show(sink, &::awsgen_runtime::retry::is_retryable(error.meta()));
                let error = <#base::#input>::parse_error(error);
                runner::show(sink, &(error.code(), error.message()));
                runner::show_error(sink, error.meta());
                let modeled = !matches!(error, #base::#error::Unhandled(_));
                let error = ::awsgen_runtime::SdkError::Service(error);
                runner::show_error(sink, &error);
                runner::Outcome::ServiceError { modeled }
            }
        }
    }
}

fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, proc_macro2::Span::call_site()),
        None => format_ident!("{}", name),
    }
}
