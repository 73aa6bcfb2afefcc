//! The awsgen code generator: an AWS service model in, the files of a Rust client crate out.
//!
//! ```text
//! load (model::botocore) -> lower (ir::lower_botocore) -> select + validate (ir::transform,
//! ir::validate) -> shape and name (ir::transform, naming) -> plan (plan::*) -> emit (emit::*)
//! -> files
//! ```
//!
//! This crate never touches the disk: the caller hands in file contents and gets back a map
//! from relative path to file text. Every problem in a model comes back as a [`Diagnostics`]
//! naming the file and the place; nothing here panics on model input.

pub mod api;
mod diagnostic;
pub mod diff;
mod emit;
mod endpoint_rules;
pub mod ir;
mod jmespath;
mod lock;
pub mod model;
mod naming;
pub mod plan;
mod rust;

pub use diagnostic::{Diagnostic, Diagnostics};
pub use ir::transform::Selection;

use std::collections::BTreeMap;

/// Relative path (`src/lib.rs`) -> file text, in a stable order.
pub type GeneratedFiles = BTreeMap<String, String>;

/// One input file: the name shown in diagnostics and headers, and its bytes.
#[derive(Debug, Clone, Copy)]
pub struct InputFile<'a> {
    pub path: &'a str,
    pub contents: &'a [u8],
}

/// Everything needed to generate one crate.
#[derive(Debug, Clone)]
pub struct CrateSpec<'a> {
    /// The cargo package name of the generated crate.
    pub package: &'a str,
    /// Its version (`cargo xtask models update` moves it by what the model's changes do).
    pub version: &'a str,
    /// The registries `cargo publish` may send it to (a company's own); none by default.
    pub publish: &'a [String],
    pub model: InputFile<'a>,
    pub paginators: Option<InputFile<'a>>,
    /// botocore's `waiters-2.json`, if the service has waiters.
    pub waiters: Option<InputFile<'a>>,
    pub operations: Selection,
    /// The value of the generated manifest's `awsgen-runtime` dependency, an inline table without
    /// `features` (the generator adds those a protocol needs), e.g. `{ path = "../../runtime" }`.
    pub runtime_dependency: &'a str,
    /// Give the crate its own `[workspace]`, so it builds wherever it is written.
    pub standalone: bool,
    /// The crate's names lock from the last run (`names.lock`), if there is one: the names it
    /// pins never change. The generated files include the updated lock.
    pub names_lock: Option<InputFile<'a>>,
    /// The service's `endpoint-rule-set-1.json`, embedded in the crate; without one, requests go
    /// to the regional endpoint.
    pub endpoint_rules: Option<InputFile<'a>>,
    /// One of the protocols a botocore model lists (`metadata.protocols`), to speak instead of
    /// the first the generator supports: CloudWatch's `json` for a server without RPCv2 CBOR.
    pub protocol: Option<&'a str>,
}

impl<'a> CrateSpec<'a> {
    /// Every operation of `model` as a standalone crate, with no other input; set the rest with
    /// struct update syntax (`CrateSpec { paginators, ..CrateSpec::new(..) }`).
    pub fn new(package: &'a str, model: InputFile<'a>) -> Self {
        CrateSpec {
            package,
            version: "0.1.0",
            publish: &[],
            model,
            paginators: None,
            waiters: None,
            operations: Selection::All,
            runtime_dependency: "{}",
            standalone: true,
            names_lock: None,
            endpoint_rules: None,
            protocol: None,
        }
    }
}

/// Where the names lock lives in a generated crate.
pub const NAMES_LOCK: &str = "names.lock";

/// A generated crate, and what the user should know about it (renamed names, skipped operations).
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    pub files: GeneratedFiles,
    pub warnings: Vec<Diagnostic>,
    /// Operations of the model left out, with why.
    pub skipped_operations: BTreeMap<String, String>,
}

/// Generates the files of one crate.
pub fn generate(spec: &CrateSpec) -> Result<Generated, Diagnostics> {
    let (plan, warnings) = lower(spec)?;
    let files = emit(&plan, spec)?;
    Ok(Generated { files, warnings, skipped_operations: plan.service.skipped_operations })
}

/// The fields of a crate's `awsgen_runtime::Service` static but `endpoint_rules` (names,
/// protocol, auth schemes, headers), as the generated client writes them: for harnesses that build a
/// module of generated code around a service of their own (the conformance runner).
pub fn service_fields(service: &plan::ServicePlan) -> proc_macro2::TokenStream {
    emit::client::service_fields(service)
}

/// The files of a crate for a plan already made from `spec` (see [`lower`]).
pub fn emit(plan: &plan::CratePlan, spec: &CrateSpec) -> Result<GeneratedFiles, Diagnostics> {
    let mut files = emit_code(plan, spec)?;
    files.insert(NAMES_LOCK.to_owned(), names_lock(plan));
    Ok(files)
}

/// The names lock of a plan (`names.lock`): every Rust name it hands out.
pub fn names_lock(plan: &plan::CratePlan) -> String {
    lock::render(&plan.ir)
}

fn emit_code(plan: &plan::CratePlan, spec: &CrateSpec) -> Result<GeneratedFiles, Diagnostics> {
    let info = emit::CrateInfo {
        package: spec.package,
        source: spec.model.path,
        version: spec.version,
        publish: spec.publish,
        runtime_dependency: spec.runtime_dependency,
        standalone: spec.standalone,
    };
    emit::crate_files(plan, &info).map_err(|bug| {
        let file = spec.model.path.to_owned();
        Diagnostics(vec![Diagnostic { file, location: String::new(), message: bug, hint: None }])
    })
}

/// A parsed model, in either input format.
enum Model {
    Botocore(Box<model::botocore::ServiceModel>),
    Smithy(model::smithy::Model),
}

/// Whether a model file is a Smithy JSON AST: a JSON object with a `smithy` version key.
fn is_smithy(contents: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct Probe {
        smithy: Option<serde::de::IgnoredAny>,
    }
    serde_json::from_slice::<Probe>(contents).is_ok_and(|probe| probe.smithy.is_some())
}

/// Loads, lowers, selects, validates, names and plans: the plan the emitters read, with warnings.
pub fn lower(spec: &CrateSpec) -> Result<(plan::CratePlan, Vec<Diagnostic>), Diagnostics> {
    use ir::{lower_botocore, transform, validate};
    let file = spec.model.path;
    let paginators = spec.paginators.map(|p| lower_botocore::parse(p.path, p.contents).map(|parsed| (p.path, parsed)));
    let paginators = paginators.transpose();
    let waiters = spec.waiters.map(|w| lower_botocore::parse(w.path, w.contents).map(|parsed| (w.path, parsed)));
    let waiters = waiters.transpose();
    // A Smithy JSON AST says so in its `smithy` version key; anything else is read as botocore.
    let model = if is_smithy(spec.model.contents) {
        lower_botocore::parse(file, spec.model.contents).map(Model::Smithy)
    } else {
        lower_botocore::parse(file, spec.model.contents).map(|model| Model::Botocore(Box::new(model)))
    };
    let (model, paginators, waiters) = match (model, paginators, waiters) {
        (Ok(model), Ok(paginators), Ok(waiters)) => (model, paginators, waiters),
        (model, paginators, waiters) => {
            let found = model.err().into_iter().chain(paginators.err()).chain(waiters.err()).flat_map(|d| d.0);
            return Err(Diagnostics(found.collect()));
        }
    };
    let refuse = |location: &str, message: String| {
        let (file, location) = (file.to_owned(), location.to_owned());
        Diagnostics(vec![Diagnostic { file, location, message, hint: None }])
    };
    let (mut service, mut found) = match (model, spec.protocol) {
        (Model::Smithy(_), Some(_)) => {
            let why = "a protocol can be chosen for a botocore model only; a Smithy model speaks its protocol trait's";
            return Err(refuse("", why.to_owned()));
        }
        (Model::Smithy(smithy), None) => ir::lower_smithy::lower(file, smithy, paginators),
        (Model::Botocore(mut botocore), chosen) => {
            if let Some(chosen) = chosen {
                lower_botocore::choose_listed_protocol(&mut botocore.metadata, chosen)
                    .map_err(|why| refuse("/metadata/protocols", why))?;
            }
            lower_botocore::lower(file, *botocore, paginators)
        }
    };
    if let Some((waiter_file, waiters)) = waiters {
        let mut sink = diagnostic::Sink::new(waiter_file);
        lower_botocore::attach_waiters(&mut service.operations, waiters, &mut sink);
        found.extend(sink.into_found());
    }
    ir::customize::apply(&mut service);
    // Every check runs, even after problems, so that all of them are reported at once.
    let (mut service, unselected) = transform::select(service, &spec.operations, file);
    found.extend(unselected);
    found.extend(validate::validate(&service, file, spec.paginators.map_or("", |p| p.path)));
    let rules = spec.endpoint_rules.map(endpoint_rules::check).transpose().unwrap_or_else(|problems| {
        found.extend(problems.0);
        None
    });
    if !found.is_empty() {
        found.sort();
        found.dedup();
        return Err(Diagnostics(found));
    }
    let names_lock = match spec.names_lock {
        Some(lock) => {
            let text = std::str::from_utf8(lock.contents).unwrap_or_default();
            lock::NameLock::parse(lock.path, text)?
        }
        None => lock::NameLock::default(),
    };
    transform::resolve_bindings(&mut service);
    transform::mark_usage(&mut service);
    transform::box_recursion(&mut service);
    transform::mark_redacted(&mut service);
    transform::resolve_optionality(&mut service);
    let mut warnings = transform::skipped_warnings(&service, file);
    warnings.extend(endpoint_rules::attach(&mut service, rules, file));
    warnings.extend(transform::resolve_names(&mut service, &names_lock, file));
    // Expressions compile to code that needs the final names.
    let sources = plan::Sources {
        paginators: spec.paginators.map_or(file, |p| p.path),
        waiters: spec.waiters.map_or(file, |w| w.path),
    };
    let (plan, unplanned) = plan::plan(service, &sources);
    warnings.extend(unplanned);
    Ok((plan, warnings))
}
