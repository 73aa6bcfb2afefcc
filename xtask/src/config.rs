//! `specs/codegen.json`: which crates to generate from which models.

use crate::paths;
use awsgen_codegen::plan::CratePlan;
use awsgen_codegen::{CrateSpec, Diagnostics, Generated, InputFile, Selection, NAMES_LOCK};
use serde::Deserialize;
use std::path::{Path, PathBuf};

pub const CONFIG: &str = "specs/codegen.json";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    crates: Vec<CrateConfig>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CrateConfig {
    package: String,
    /// Crate folder, relative to the workspace root.
    output: String,
    /// Model files, relative to the workspace root.
    model: String,
    paginators: Option<String>,
    /// botocore's `waiters-2.json`, if the service has waiters.
    waiters: Option<String>,
    /// The service's `endpoint-rule-set-1.json`; without one, the regional endpoint.
    endpoint_rules: Option<String>,
    /// `"all"` or a list of operation names.
    operations: Operations,
    /// One of the protocols the model lists, instead of the first the generator speaks.
    protocol: Option<String>,
    /// The crate's version; `cargo xtask models update` moves it. Default 0.1.0.
    version: Option<String>,
    /// The registries the crate may be published to (its manifest's `publish`); default none.
    #[serde(default)]
    publish: Vec<String>,
}

/// A crate's version when `specs/codegen.json` gives none.
pub const FIRST_VERSION: &str = "0.1.0";

#[derive(Deserialize)]
#[serde(untagged)]
enum Operations {
    All(AllKeyword),
    Only(Vec<String>),
}

#[derive(Deserialize)]
enum AllKeyword {
    #[serde(rename = "all")]
    All,
}

/// One crate to generate: inputs read into memory, and where it goes.
pub struct Job {
    pub package: String,
    version: String,
    publish: Vec<String>,
    /// The `CHANGELOG.md` beside the model (`cargo xtask models update` writes it), copied into
    /// the crate.
    changelog: Option<String>,
    model_name: String,
    model: Vec<u8>,
    paginators: Option<(String, Vec<u8>)>,
    waiters: Option<(String, Vec<u8>)>,
    endpoint_rules: Option<(String, Vec<u8>)>,
    operations: Selection,
    protocol: Option<String>,
    runtime_dependency: String,
    standalone: bool,
    /// The crate's names lock as the last run wrote it, if any.
    names_lock: Option<(String, Vec<u8>)>,
    pub output: PathBuf,
}

impl Job {
    fn spec(&self) -> CrateSpec<'_> {
        CrateSpec {
            protocol: self.protocol.as_deref(),
            package: &self.package,
            version: &self.version,
            publish: &self.publish,
            model: InputFile { path: &self.model_name, contents: &self.model },
            paginators: input(&self.paginators),
            waiters: input(&self.waiters),
            operations: self.operations.clone(),
            runtime_dependency: &self.runtime_dependency,
            standalone: self.standalone,
            names_lock: input(&self.names_lock),
            endpoint_rules: input(&self.endpoint_rules),
        }
    }

    pub fn generate(&self) -> Result<Generated, Diagnostics> {
        let mut generated = awsgen_codegen::generate(&self.spec())?;
        if let Some(changelog) = &self.changelog {
            generated.files.insert("CHANGELOG.md".to_owned(), changelog.clone());
        }
        Ok(generated)
    }

    /// The plan of this crate's inputs as they are now.
    pub fn lower(&self) -> Result<CratePlan, Diagnostics> {
        awsgen_codegen::lower(&self.spec()).map(|(plan, _)| plan)
    }

    /// The plan of this crate's inputs as `read` gives them (each path relative to the workspace
    /// root, at an older revision), or `None` if the model did not exist then. An input file
    /// absent then is left out, as it was then.
    pub fn lower_at(&self, read: impl Fn(&str) -> Option<Vec<u8>>) -> Option<Result<CratePlan, Diagnostics>> {
        let model = read(&self.model_name)?;
        let then =
            |file: &Option<(String, Vec<u8>)>| file.as_ref().and_then(|(path, _)| Some((path.clone(), read(path)?)));
        let (paginators, waiters, endpoint_rules) =
            (then(&self.paginators), then(&self.waiters), then(&self.endpoint_rules));
        let spec = CrateSpec {
            model: InputFile { path: &self.model_name, contents: &model },
            paginators: input(&paginators),
            waiters: input(&waiters),
            endpoint_rules: input(&endpoint_rules),
            ..self.spec()
        };
        Some(awsgen_codegen::lower(&spec).map(|(plan, _)| plan))
    }

    /// The model's path, relative to the workspace root.
    pub fn model_path(&self) -> &str {
        &self.model_name
    }
}

/// A named input file as the generator takes it.
fn input(file: &Option<(String, Vec<u8>)>) -> Option<InputFile<'_>> {
    file.as_ref().map(|(path, contents)| InputFile { path, contents })
}

/// `specs/codegen.json`'s text, parsed.
fn parse(text: &[u8]) -> Result<Config, String> {
    serde_json::from_slice(text).map_err(|e| format!("error: {CONFIG}: {e}"))
}

/// A configured crate's package name and model path.
pub struct Configured {
    pub package: String,
    pub model: String,
}

/// The crates `text` (`specs/codegen.json`) configures.
pub fn configured_crates(text: &str) -> Result<Vec<Configured>, String> {
    let crates = parse(text.as_bytes())?.crates;
    Ok(crates.into_iter().map(|c| Configured { package: c.package, model: c.model }).collect())
}

/// The version `text` gives `package` (0.1.0 when it gives none).
pub fn crate_version(text: &str, package: &str) -> Result<String, String> {
    let found = parse(text.as_bytes())?.crates.into_iter().find(|c| c.package == package);
    let found = found.ok_or_else(|| format!("error: {CONFIG} has no crate {package}"))?;
    Ok(found.version.unwrap_or_else(|| FIRST_VERSION.to_owned()))
}

/// `text` with `entry` (a crate's object, indented as the file is) added at the end of `crates`.
/// Edited as text, so the file keeps its layout and key order.
pub fn with_crate(text: &str, entry: &str) -> Result<String, String> {
    let end = text.rfind(']').ok_or_else(|| format!("error: {CONFIG} has no `crates` list"))?;
    let before = text[..end].trim_end();
    let comma = if before.ends_with('[') { "" } else { "," };
    let edited = format!("{before}{comma}\n{entry}\n  {}", &text[end..]);
    parse(edited.as_bytes()).map(|_| edited)
}

/// `text` with `package`'s version set to `version` (replaced, or added after its name).
pub fn with_version(text: &str, package: &str, version: &str) -> Result<String, String> {
    let name = format!("\"package\": \"{package}\"");
    let at = text.find(&name).ok_or_else(|| format!("error: {CONFIG} has no crate {package}"))?;
    let entry_end = text[at..].find('}').map_or(text.len(), |end| at + end);
    let edited = match text[at..entry_end].find("\"version\"") {
        Some(offset) => {
            let start = at + offset;
            let line_end = text[start..].find(['\n', ',']).map_or(entry_end, |end| start + end);
            format!("{}\"version\": \"{version}\"{}", &text[..start], &text[line_end..])
        }
        None => {
            let line_end = text[at..].find('\n').map_or(text.len(), |end| at + end);
            let indent: String = text[..at].rsplit('\n').next().unwrap_or_default().to_owned();
            format!("{}\n{indent}\"version\": \"{version}\",{}", &text[..line_end], &text[line_end..])
        }
    };
    match crate_version(&edited, package) {
        Ok(set) if set == version => Ok(edited),
        _ => Err(format!("error: could not set the version of {package} in {CONFIG}")),
    }
}

pub fn configured_jobs(root: &Path) -> Result<Vec<Job>, String> {
    let text = read(&root.join(CONFIG))?;
    let config = parse(&text)?;
    let runtime_version = runtime_version(root)?;
    config
        .crates
        .into_iter()
        .map(|c| {
            // The generated crate sits two folders below the root, as does `runtime/` from it.
            let depth = Path::new(&c.output).components().count();
            let runtime = format!("{}runtime", "../".repeat(depth));
            let runtime_version = &runtime_version;
            let changelog = root.join(&c.model).with_file_name("CHANGELOG.md");
            Ok(Job {
                version: c.version.unwrap_or_else(|| FIRST_VERSION.to_owned()),
                publish: c.publish,
                changelog: std::fs::read_to_string(&changelog).ok(),
                model: read(&root.join(&c.model))?,
                paginators: c.paginators.map(|p| Ok::<_, String>((p.clone(), read(&root.join(&p))?))).transpose()?,
                waiters: c.waiters.map(|w| Ok::<_, String>((w.clone(), read(&root.join(&w))?))).transpose()?,
                endpoint_rules: c
                    .endpoint_rules
                    .map(|r| Ok::<_, String>((r.clone(), read(&root.join(&r))?)))
                    .transpose()?,
                operations: match c.operations {
                    Operations::All(AllKeyword::All) => Selection::All,
                    Operations::Only(names) => Selection::Only(names.into_iter().collect()),
                },
                protocol: c.protocol,
                // By path here, by version once published (`cargo package` needs both).
                runtime_dependency: format!("{{ path = \"{runtime}\", version = \"{runtime_version}\" }}"),
                standalone: false,
                names_lock: read_lock(&root.join(&c.output), || Ok(format!("{}/{NAMES_LOCK}", c.output)))?,
                output: root.join(&c.output),
                package: c.package,
                model_name: c.model,
            })
        })
        .collect()
}

/// The version in `runtime/Cargo.toml`.
fn runtime_version(root: &Path) -> Result<String, String> {
    let manifest = root.join("runtime/Cargo.toml");
    let text = String::from_utf8(read(&manifest)?).unwrap_or_default();
    let line = text.lines().find(|line| line.starts_with("version = \""));
    line.and_then(|line| line.split('"').nth(1).map(str::to_owned))
        .ok_or_else(|| format!("error: {} has no `version = \"..\"` line", manifest.display()))
}

/// `cargo xtask codegen --model PATH ... --out DIR`.
pub struct Standalone<'a> {
    pub model: &'a Path,
    pub paginators: Option<&'a Path>,
    pub waiters: Option<&'a Path>,
    pub endpoint_rules: Option<&'a Path>,
    pub operations: Option<&'a [String]>,
    pub package: Option<&'a str>,
    pub out: &'a Path,
    pub runtime: Runtime<'a>,
    /// Give the crate its own `[workspace]` (so it builds alone, but not inside another workspace).
    pub workspace: bool,
    /// Only the files named: none taken from beside the model.
    pub no_siblings: bool,
}

/// Where a standalone crate gets `awsgen-runtime` from.
pub enum Runtime<'a> {
    /// The `runtime/` of the awsgen checkout the command runs in (found from the current folder).
    Checkout,
    /// This folder (relative to the current folder unless absolute).
    Path(&'a Path),
    Git {
        url: &'a str,
        rev: Option<&'a str>,
    },
    Version(&'a str),
}

/// A crate outside the workspace. Every path written into it (the runtime's, the model's in the
/// headers) is relative, worked out from `cwd` at run time.
pub fn standalone_job(cwd: &Path, args: &Standalone) -> Result<Job, String> {
    let out = paths::physical(cwd, args.out)?;
    let runtime_dependency = match args.runtime {
        Runtime::Checkout => {
            let runtime = paths::find_runtime(cwd).ok_or_else(|| {
                format!(
                    "error: no awsgen checkout at or above {} to take awsgen-runtime from; say where it is with \
                     --runtime-path PATH, --runtime-git URL [--runtime-rev REV] or --runtime-version VERSION",
                    cwd.display()
                )
            })?;
            path_dependency(&out, &paths::physical(cwd, &runtime)?)?
        }
        Runtime::Path(path) => {
            let runtime = paths::physical(cwd, path)?;
            if !runtime.join("Cargo.toml").is_file() {
                return Err(format!(
                    "error: --runtime-path {} holds no Cargo.toml (it should be the awsgen-runtime crate folder)",
                    path.display()
                ));
            }
            path_dependency(&out, &runtime)?
        }
        Runtime::Git { url, rev } => match rev {
            Some(rev) => format!("{{ git = {}, rev = {} }}", paths::toml_string(url), paths::toml_string(rev)),
            None => format!("{{ git = {} }}", paths::toml_string(url)),
        },
        Runtime::Version(version) => format!("{{ version = {} }}", paths::toml_string(version)),
    };
    let model = args.model;
    Ok(Job {
        version: FIRST_VERSION.to_owned(),
        publish: Vec::new(),
        changelog: None,
        model_name: shown_path(cwd, model)?,
        model: read_maybe_gzip(model)?,
        paginators: companion(cwd, args, args.paginators, "paginators-1.json")?,
        waiters: companion(cwd, args, args.waiters, "waiters-2.json")?,
        endpoint_rules: companion(cwd, args, args.endpoint_rules, "endpoint-rule-set-1.json")?,
        operations: match args.operations {
            Some(names) => Selection::Only(names.iter().map(|n| n.trim().to_owned()).collect()),
            None => Selection::All,
        },
        protocol: None,
        runtime_dependency,
        standalone: args.workspace,
        names_lock: read_lock(args.out, || shown_path(cwd, &args.out.join(NAMES_LOCK)))?,
        output: args.out.to_path_buf(),
        package: args.package.map_or_else(|| default_package(model), str::to_owned),
    })
}

/// A file that goes with the standalone model: the one named, else (unless `--no-siblings`) the one
/// botocore ships beside the model as `file` (gzip or not), said on stderr so it is no surprise.
fn companion(
    cwd: &Path,
    args: &Standalone,
    named: Option<&Path>,
    file: &str,
) -> Result<Option<(String, Vec<u8>)>, String> {
    if let Some(path) = named {
        return Ok(Some((shown_path(cwd, path)?, read_maybe_gzip(path)?)));
    }
    let beside = args.model.parent().filter(|_| !args.no_siblings);
    let Some((path, bytes)) = beside.map(|dir| crate::corpus::read_data_file(dir, file)).transpose()?.flatten() else {
        return Ok(None);
    };
    let shown = shown_path(cwd, &path)?;
    eprintln!("note: with {shown}, found beside the model (--no-siblings leaves it out)");
    Ok(Some((shown, bytes)))
}

/// A file's bytes, decompressed when its name ends in `.gz`.
fn read_maybe_gzip(path: &Path) -> Result<Vec<u8>, String> {
    match path.extension().is_some_and(|e| e == "gz") {
        true => crate::corpus::read_gzip(path),
        false => read(path),
    }
}

/// The names lock the last run wrote into a crate folder (`shown` names it), if there is one.
fn read_lock(
    folder: &Path,
    shown: impl FnOnce() -> Result<String, String>,
) -> Result<Option<(String, Vec<u8>)>, String> {
    let path = folder.join(NAMES_LOCK);
    if !path.is_file() {
        return Ok(None);
    }
    Ok(Some((shown()?, read(&path)?)))
}

/// `{ path = "../../runtime" }`: the runtime folder as seen from the output folder.
fn path_dependency(out: &Path, runtime: &Path) -> Result<String, String> {
    let relative = paths::relative(out, runtime).ok_or_else(|| {
        format!(
            "error: no relative path from {} to {}; use --runtime-git or --runtime-version",
            out.display(),
            runtime.display()
        )
    })?;
    Ok(format!("{{ path = {} }}", paths::toml_string(&relative)))
}

/// An input file's name in diagnostics and generated headers: relative to the current folder, as
/// typed when it was typed relative (or its file name if there is no relative path to it).
fn shown_path(cwd: &Path, path: &Path) -> Result<String, String> {
    let relative = paths::relative(cwd, &paths::physical(cwd, path)?);
    let name = || path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(relative.unwrap_or_else(name))
}

/// `.../amplifybackend/2020-08-11/service-2.json` -> `awsgen-amplifybackend`.
fn default_package(model: &Path) -> String {
    let service = model
        .ancestors()
        .filter_map(|p| p.file_name()?.to_str())
        .find(|name| name.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) && !name.ends_with(".json"))
        .unwrap_or("service");
    format!("awsgen-{service}")
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("error: cannot read {}: {e}", path.display()))
}
