//! `cargo xtask corpus --models DIR`: generates a crate for every botocore model under DIR and,
//! unless told not to, runs clippy with warnings denied on each, printing a line per service.
//!
//! DIR is laid out as botocore ships its `data` folder: `<service>/<api-version>/service-2.json.gz`
//! (or an uncompressed `service-2.json`) beside `paginators-1.json[.gz]`. Like botocore, the newest
//! api-version folder holding a `service-2` is the one used. Services whose protocol the generator
//! does not support yet are listed as skipped, not failed.

use awsgen_codegen::{CrateSpec, Diagnostics, Generated, InputFile, Selection};
use serde::Deserialize;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

pub use awsgen_codegen::ir::lower_botocore::SUPPORTED_PROTOCOLS;

/// What to run, and on which services.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Only these service folders.
    pub only: Option<Vec<String>>,
    /// Take this many of the supported services, evenly spread over the sorted list.
    pub sample: Option<usize>,
    /// Run clippy on each generated crate (otherwise generate only, writing nothing).
    pub compile: bool,
    /// How many crates to check at once. rustc type-checks one crate on one core, so on a
    /// machine of N cores N workers (each with a target folder of its own, since cargo locks
    /// one) finish close to N times sooner. 0 means one per core.
    pub jobs: usize,
}

/// One service's outcome.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// Generated, not compiled (`--no-compile`).
    Generated,
    /// Generated, and clippy with warnings denied passed.
    Compiled,
    /// Not attempted: the model's protocol is not supported yet.
    Skipped { protocol: String },
    /// The generator refused the model: its first diagnostic, and all of them.
    GenerateFailed { first: String, full: String },
    /// The crate did not pass clippy with warnings denied: the first error, and cargo's output.
    CompileFailed { first: String, full: String },
}

impl Status {
    pub fn failed(&self) -> bool {
        matches!(self, Status::GenerateFailed { .. } | Status::CompileFailed { .. })
    }

    pub fn generated(&self) -> bool {
        matches!(self, Status::Generated | Status::Compiled | Status::CompileFailed { .. })
    }

    /// The result column.
    pub fn summary(&self) -> String {
        match self {
            Status::Generated => "generated".to_owned(),
            Status::Compiled => "ok".to_owned(),
            Status::Skipped { protocol } => format!("skipped: protocol {protocol} not supported yet"),
            Status::GenerateFailed { first, .. } => format!("FAILED to generate: {first}"),
            Status::CompileFailed { first, .. } => format!("FAILED clippy: {first}"),
        }
    }
}

/// One service's row.
#[derive(Debug, Clone)]
pub struct Row {
    pub service: String,
    pub api_version: String,
    /// The botocore protocol it is generated for (`smithy-rpc-v2-cbor`, `json`, ...).
    pub protocol: String,
    pub operations: usize,
    /// Operations of the model the generator left out (with a warning).
    pub skipped: usize,
    pub lines: usize,
    /// Waiters generated, and paginators and waiters left out (with a warning).
    pub waiters: usize,
    pub left_out_expressions: usize,
    /// Wall time of reading the model's files and generating its crate, in one of the run's
    /// threads (one per core).
    pub generation_ms: f64,
    /// Wall time of the crate's `cargo clippy` (its dependencies included the first time).
    pub clippy_s: Option<f64>,
    pub status: Status,
}

/// A whole run: the rows, and how they were chosen.
#[derive(Debug, Clone)]
pub struct Report {
    pub rows: Vec<Row>,
    /// Service folders found (after `--only`).
    pub listed: usize,
    /// Of those, services with a supported protocol.
    pub supported: usize,
    /// `Some((taken, of))` when `--sample` left services out; skipped rows are then not listed.
    pub sampled: Option<(usize, usize)>,
    pub compile: bool,
    /// Wall time of the generation stage (reading models included), and the threads it ran on.
    pub generation_wall: (f64, usize),
    /// Wall time of the clippy stage, and the workers it ran on.
    pub clippy_wall: Option<(f64, usize)>,
}

impl Report {
    pub fn ok(&self) -> bool {
        !self.rows.iter().any(|r| r.status.failed())
    }
}

/// The model folders under `models`, sorted: for each `<service>/`, the newest `<api-version>/`
/// holding `service-2.json` or `service-2.json.gz` (api versions are dates, so newest sorts last).
pub fn model_dirs(models: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    let mut found = Vec::new();
    let services = std::fs::read_dir(models).map_err(|e| format!("error: cannot list {}: {e}", models.display()))?;
    for service in services.flatten().filter(|e| e.path().is_dir()) {
        let name = service.file_name().to_string_lossy().into_owned();
        let mut versions: Vec<PathBuf> = std::fs::read_dir(service.path())
            .map_err(|e| format!("error: cannot list {}: {e}", service.path().display()))?
            .flatten()
            .map(|v| v.path())
            .filter(|v| v.join("service-2.json").is_file() || v.join("service-2.json.gz").is_file())
            .collect();
        versions.sort();
        if let Some(latest) = versions.pop() {
            found.push((name, latest));
        }
    }
    found.sort();
    Ok(found)
}

/// `dir/<name>` or, gzip-compressed as botocore ships most of its data, `dir/<name>.gz`
/// (the plain file wins when both exist): the path read and the decompressed bytes.
pub fn read_data_file(dir: &Path, name: &str) -> Result<Option<(PathBuf, Vec<u8>)>, String> {
    let plain = dir.join(name);
    if plain.is_file() {
        let bytes = std::fs::read(&plain).map_err(|e| format!("error: cannot read {}: {e}", plain.display()))?;
        return Ok(Some((plain, bytes)));
    }
    let gz = dir.join(format!("{name}.gz"));
    if !gz.is_file() {
        return Ok(None);
    }
    let bytes = read_gzip(&gz)?;
    Ok(Some((gz, bytes)))
}

/// A gzip file's contents.
pub fn read_gzip(path: &Path) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("error: cannot read {}: {e}", path.display()))?;
    let mut bytes = Vec::new();
    flate2::read::MultiGzDecoder::new(std::io::BufReader::new(file))
        .read_to_end(&mut bytes)
        .map_err(|e| format!("error: cannot decompress {}: {e}", path.display()))?;
    Ok(bytes)
}

/// The protocol a botocore model is generated for, chosen as the generator chooses it (see
/// `choose_protocol`). `None` when the model names none or is not JSON (the generator then says
/// what is wrong).
pub fn protocol(model: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct Model {
        #[serde(default)]
        metadata: Metadata,
    }
    #[derive(Deserialize, Default)]
    struct Metadata {
        protocol: Option<String>,
        #[serde(default)]
        protocols: Vec<String>,
    }
    let metadata = serde_json::from_slice::<Model>(model).ok()?.metadata;
    awsgen_codegen::ir::lower_botocore::choose_protocol(metadata.protocol.as_deref(), &metadata.protocols)
        .map(str::to_owned)
}

/// `n` of `items`, evenly spread and always the same: the items at `i * len / n` for `i < n`
/// (all of them when `n >= len`).
pub fn sample<T: Clone>(items: &[T], n: usize) -> Vec<T> {
    if n >= items.len() {
        return items.to_vec();
    }
    (0..n).map(|i| items[i * items.len() / n].clone()).collect()
}

/// Generates the chosen models and, with `options.compile`, writes them into `out` (a workspace
/// of its own) and runs clippy on each.
pub fn run(root: &Path, models: &Path, out: &Path, options: &Options) -> Result<Report, String> {
    let mut dirs = model_dirs(models)?;
    if let Some(only) = &options.only {
        let unknown: Vec<&str> =
            only.iter().filter(|s| !dirs.iter().any(|(name, _)| name == *s)).map(String::as_str).collect();
        if !unknown.is_empty() {
            return Err(format!(
                "error: no model for {} under {} (--only takes service folder names)",
                unknown.join(", "),
                models.display()
            ));
        }
        dirs.retain(|(name, _)| only.contains(name));
    }
    let listed = dirs.len();

    // Which services the generator can take: only the protocol is read here.
    let mut rows = Vec::new();
    let mut supported = Vec::new();
    for (service, dir) in dirs {
        let Some((_, model)) = read_data_file(&dir, "service-2.json")? else { continue };
        match protocol(&model) {
            Some(p) if !SUPPORTED_PROTOCOLS.contains(&p.as_str()) => {
                rows.push(row(&service, &dir, &p, Status::Skipped { protocol: p.clone() }))
            }
            p => supported.push((service, dir, p.unwrap_or_default())),
        }
    }
    let supported_count = supported.len();
    let sampled = match options.sample {
        Some(0) => return Err("error: --sample needs at least 1".to_owned()),
        Some(n) if n < supported.len() => {
            supported = sample(&supported, n);
            rows.clear(); // a sample lists only what it ran
            Some((n, supported_count))
        }
        _ => None,
    };

    let runtime = root.join("runtime").canonicalize().map_err(|e| format!("error: runtime: {e}"))?;
    let runtime_dependency = format!("{{ path = {:?} }}", runtime.display().to_string());
    let mut members = Vec::new();
    let total = supported.len();
    // Services are generated on every core (each in one thread from reading to formatting) and
    // handed back here in the order they finish, to be counted and written.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let (send, receive) = std::sync::mpsc::channel();
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(total.max(1));
    let started = Instant::now();
    std::thread::scope(|scope| -> Result<(), String> {
        for _ in 0..workers {
            let (send, next, supported, runtime_dependency) = (send.clone(), &next, &supported, &runtime_dependency);
            scope.spawn(move || {
                while let Some((service, dir, protocol)) =
                    supported.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
                {
                    let started = Instant::now();
                    let generated = generate_service(service, dir, runtime_dependency);
                    let took = started.elapsed().as_secs_f64() * 1000.0;
                    if send.send((service, dir, protocol, generated, took)).is_err() {
                        return; // the receiver gave up
                    }
                }
            });
        }
        drop(send);
        for (i, (service, dir, protocol, generated, generation_ms)) in receive.iter().enumerate() {
            let generated = generated?;
            let mut row = row(service, dir, protocol, Status::Generated);
            row.generation_ms = generation_ms;
            match generated {
                Ok(generated) => {
                    row.operations = generated.files.keys().filter(|p| p.starts_with("src/operation/")).count();
                    row.skipped = generated.skipped_operations.len();
                    row.waiters = generated.files.values().map(|text| text.matches("pub fn wait_until_").count()).sum();
                    let left_out: Vec<_> =
                        generated.warnings.iter().filter(|w| w.message.contains(" is left out: ")).collect();
                    for warning in &left_out {
                        eprintln!("  {service}: {}", warning.message);
                    }
                    row.left_out_expressions = left_out.len();
                    row.lines = generated
                        .files
                        .iter()
                        .filter(|(p, _)| p.ends_with(".rs"))
                        .map(|(_, t)| t.lines().count())
                        .sum();
                    if options.compile {
                        let crate_dir = out.join(service);
                        let changes = crate::sync::changes(&crate_dir, &generated.files)?;
                        crate::sync::apply(&crate_dir, &changes)?;
                        members.push(service.clone());
                    }
                }
                Err(diagnostics) => {
                    let first = diagnostics.0.first().map_or_else(String::new, |d| {
                        let at = if d.location.is_empty() { String::new() } else { format!(" (at {})", d.location) };
                        let more = diagnostics.0.len() - 1;
                        let more = if more > 0 { format!(" (+{more} more)") } else { String::new() };
                        format!("{}{at}{more}", d.message)
                    });
                    row.status = Status::GenerateFailed { first, full: diagnostics.to_string() };
                }
            }
            eprintln!("[{}/{total}] generate {service}: {:.0} ms", i + 1, row.generation_ms);
            rows.push(row);
        }
        Ok(())
    })?;
    let generation_wall = (started.elapsed().as_secs_f64(), workers);
    members.sort();

    let mut clippy_wall = None;
    if options.compile {
        crate::write_scratch_workspace(out, &members)?;
        let to_check: Vec<&mut Row> = rows.iter_mut().filter(|r| r.status == Status::Generated).collect();
        let started = Instant::now();
        let workers = check_all(out, to_check, options.jobs);
        clippy_wall = Some((started.elapsed().as_secs_f64(), workers));
    }
    rows.sort_by(|a, b| a.service.cmp(&b.service));
    Ok(Report {
        rows,
        listed,
        supported: supported_count,
        sampled,
        compile: options.compile,
        generation_wall,
        clippy_wall,
    })
}

/// The whole crate `awsgen-<service>` from a botocore data folder (its model, paginators, waiters
/// and endpoint rules); `Err` when a file can't be read.
pub fn generate_service(
    service: &str,
    dir: &Path,
    runtime_dependency: &str,
) -> Result<Result<Generated, Diagnostics>, String> {
    let (model_path, model) =
        read_data_file(dir, "service-2.json")?.ok_or_else(|| format!("error: {} vanished", dir.display()))?;
    let [pagers, waiters, rules] =
        ["paginators-1.json", "waiters-2.json", "endpoint-rule-set-1.json"].map(|name| read_data_file(dir, name));
    let (pagers, waiters, rules) = (pagers?, waiters?, rules?);
    let names = |file: &Option<(PathBuf, Vec<u8>)>| file.as_ref().map(|(path, _)| path.display().to_string());
    let (model_name, pager_name, waiter_name, rules_name) =
        (model_path.display().to_string(), names(&pagers), names(&waiters), names(&rules));
    fn input<'a>(file: &'a Option<(PathBuf, Vec<u8>)>, name: &'a Option<String>) -> Option<InputFile<'a>> {
        file.as_ref().zip(name.as_ref()).map(|((_, contents), path)| InputFile { path, contents })
    }
    let package = format!("awsgen-{service}");
    let spec = CrateSpec {
        protocol: None,
        package: &package,
        version: "0.1.0",
        publish: &[],
        model: InputFile { path: &model_name, contents: &model },
        paginators: input(&pagers, &pager_name),
        waiters: input(&waiters, &waiter_name),
        operations: Selection::All,
        runtime_dependency,
        standalone: false,
        names_lock: None,
        endpoint_rules: input(&rules, &rules_name),
    };
    Ok(awsgen_codegen::generate(&spec))
}

fn row(service: &str, dir: &Path, protocol: &str, status: Status) -> Row {
    Row {
        service: service.to_owned(),
        api_version: dir.file_name().map(|v| v.to_string_lossy().into_owned()).unwrap_or_default(),
        protocol: protocol.to_owned(),
        operations: 0,
        skipped: 0,
        lines: 0,
        waiters: 0,
        left_out_expressions: 0,
        generation_ms: 0.0,
        clippy_s: None,
        status,
    }
}

/// Runs clippy on every row's crate, `jobs` at a time, each worker in a target folder of its own.
/// Returns the number of workers.
fn check_all(workspace: &Path, rows: Vec<&mut Row>, jobs: usize) -> usize {
    let jobs = match jobs {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    // Resolve Cargo.lock once, so the workers don't race to write it.
    let _ = crate::cargo().args(["metadata", "--quiet", "--format-version", "1"]).current_dir(workspace).output();
    let total = rows.len();
    let queue = std::sync::Mutex::new(rows.into_iter().enumerate());
    let next = || queue.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).next();
    let workers = jobs.min(total);
    std::thread::scope(|scope| {
        for worker in 0..workers {
            let next = &next;
            scope.spawn(move || {
                let target = workspace.join(if worker == 0 { "target".to_owned() } else { format!("target-{worker}") });
                while let Some((i, row)) = next() {
                    let started = Instant::now();
                    row.status = clippy(workspace, &target, &format!("awsgen-{}", row.service));
                    let took = started.elapsed().as_secs_f64();
                    row.clippy_s = Some(took);
                    // The result on every line, so a run cut short still says what it found.
                    eprintln!("[{}/{total}] clippy {}: {took:.1} s, {}", i + 1, row.service, row.status.summary());
                }
            });
        }
    });
    workers
}

/// Clippy with warnings denied on one crate of the scratch workspace (this type-checks the crate
/// too, so a crate that does not compile fails here).
fn clippy(workspace: &Path, target: &Path, package: &str) -> Status {
    let output = crate::cargo()
        .args(["clippy", "--quiet", "--package", package, "--", "-D", "warnings"])
        .current_dir(workspace)
        .env("CARGO_TARGET_DIR", target)
        // Each crate is checked once: incremental caches would only fill the disk (a full run's
        // target passed 16 GB with them).
        .env("CARGO_INCREMENTAL", "0")
        .output();
    match output {
        Ok(output) if output.status.success() => Status::Compiled,
        Ok(output) => {
            let full = String::from_utf8_lossy(&output.stderr).into_owned();
            Status::CompileFailed { first: first_error(&full), full }
        }
        Err(e) => Status::CompileFailed { first: format!("cannot run cargo clippy: {e}"), full: String::new() },
    }
}

/// The first `error...` line of cargo's output, with the `--> file:line` that follows it.
fn first_error(stderr: &str) -> String {
    let mut lines = stderr.lines();
    while let Some(line) = lines.next() {
        if line.starts_with("error") {
            return match lines.next().map(str::trim_start) {
                Some(at) if at.starts_with("--> ") => format!("{line} {at}"),
                _ => line.to_owned(),
            };
        }
    }
    stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("(no output)").to_owned()
}

pub fn print(report: &Report) {
    let clippy_header = if report.compile { format!(" {:>9}", "clippy s") } else { String::new() };
    println!(
        "{:<32} {:<10} {:<18} {:>10} {:>8} {:>9} {:>9}{clippy_header}  result",
        "service", "version", "protocol", "operations", "left out", "lines", "gen ms"
    );
    for row in &report.rows {
        let clippy = match (report.compile, row.clippy_s) {
            (false, _) => String::new(),
            (true, Some(s)) => format!(" {s:>9.1}"),
            (true, None) => format!(" {:>9}", "-"),
        };
        let numbers = if row.status.generated() {
            format!("{:>10} {:>8} {:>9} {:>9.1}", row.operations, row.skipped, row.lines, row.generation_ms)
        } else if matches!(row.status, Status::GenerateFailed { .. }) {
            format!("{:>10} {:>8} {:>9} {:>9.1}", "-", "-", "-", row.generation_ms)
        } else {
            format!("{:>10} {:>8} {:>9} {:>9}", "-", "-", "-", "-")
        };
        println!(
            "{:<32} {:<10} {:<18} {numbers}{clippy}  {}",
            row.service,
            row.api_version,
            row.protocol,
            row.status.summary()
        );
    }

    let count = |f: &dyn Fn(&Status) -> bool| report.rows.iter().filter(|r| f(&r.status)).count();
    let generated = count(&Status::generated);
    let generate_failed = count(&|s| matches!(s, Status::GenerateFailed { .. }));
    let compiled = count(&|s| *s == Status::Compiled);
    let compile_failed = count(&|s| matches!(s, Status::CompileFailed { .. }));
    let mut skipped: Vec<(String, usize)> = Vec::new();
    for row in &report.rows {
        if let Status::Skipped { protocol } = &row.status {
            match skipped.iter_mut().find(|(p, _)| p == protocol) {
                Some((_, n)) => *n += 1,
                None => skipped.push((protocol.clone(), 1)),
            }
        }
    }
    skipped.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let skipped_total: usize = skipped.iter().map(|(_, n)| n).sum();
    let by_protocol: Vec<String> = skipped.iter().map(|(p, n)| format!("{p} {n}")).collect();
    let lines: usize = report.rows.iter().map(|r| r.lines).sum();
    let operations: usize = report.rows.iter().map(|r| r.operations).sum();
    let left_out: usize = report.rows.iter().map(|r| r.skipped).sum();
    let generation_ms: f64 = report.rows.iter().map(|r| r.generation_ms).sum();

    println!();
    match report.sampled {
        Some((taken, of)) => println!(
            "sample: {taken} of the {of} supported services ({} service folders; the {} with other protocols are not listed)",
            report.listed,
            report.listed - of
        ),
        None => println!("services: {} ({} with a supported protocol)", report.listed, report.supported),
    }
    println!("generated: {generated}, failed to generate: {generate_failed}");
    if report.compile {
        println!("compiled (clippy -D warnings): {compiled}, failed clippy: {compile_failed}");
    } else {
        println!("compiled: not run (--no-compile)");
    }
    if report.sampled.is_none() {
        let detail = if by_protocol.is_empty() { String::new() } else { format!(" ({})", by_protocol.join(", ")) };
        println!("skipped (protocol not supported yet): {skipped_total}{detail}");
    }
    println!("operations: {operations} ({left_out} left out by the generator), lines: {lines}");
    let waiters: usize = report.rows.iter().map(|r| r.waiters).sum();
    let left_out_expressions: usize = report.rows.iter().map(|r| r.left_out_expressions).sum();
    println!("waiters: {waiters}; paginators and waiters left out (expression not supported): {left_out_expressions}");
    let (wall, workers) = report.generation_wall;
    println!("generation: {generation_ms:.0} ms in all, {wall:.1} s of wall time on {workers} threads");
    if report.compile {
        let clippy_s: f64 = report.rows.iter().filter_map(|r| r.clippy_s).sum();
        match report.clippy_wall {
            Some((wall, workers)) => {
                println!("clippy: {clippy_s:.1} s in all, {wall:.1} s of wall time on {workers} workers")
            }
            None => println!("clippy: {clippy_s:.1} s in all"),
        }
    }

    for row in &report.rows {
        if let Status::GenerateFailed { full, .. } | Status::CompileFailed { full, .. } = &row.status {
            eprintln!("\n{} failed:\n{full}", row.service);
        }
    }
}
