//! `cargo xtask models add|update`: vendoring AWS models into `specs/` and keeping them current.
//!
//! A source folder is botocore's `data` folder as pip installs it (`<service>/<api-version>/`
//! holding `service-2.json[.gz]` and the paginators, waiters and endpoint rule set beside it) or a
//! checkout of AWS's Smithy models (`<service>/service/<version>/<service>-<version>.json`, a
//! JSON AST that carries all of those as traits). Either way the newest version is taken.
//!
//! `add` vendors a service's files into `specs/<service>/` with a `SOURCE.md` and configures its
//! crate. `update` replaces the vendored files of configured services, moves each crate's version
//! by what api-diff says of the change (see [`next_version`]) and writes the report as the
//! crate's `CHANGELOG.md` entry; a service whose files did not change is left byte for byte alone.
//! Both check everything before they write anything: a bad name or folder changes nothing.

use crate::config::{self, Job};
use awsgen_codegen::diff::ApiDiff;
use std::path::{Path, PathBuf};

/// The files botocore ships for a service, as `specs/` keeps them (decompressed).
const BOTOCORE_FILES: [&str; 4] = ["service-2.json", "paginators-1.json", "waiters-2.json", "endpoint-rule-set-1.json"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    Botocore,
    Smithy,
}

/// A folder of AWS models.
pub struct Source {
    layout: Layout,
    dir: PathBuf,
    /// What `SOURCE.md` says the files came from: `botocore 1.43.11`, else the folder's name.
    label: String,
}

/// One service's files in a source: its newest version, and each file as `specs/` keeps it.
struct ServiceFiles {
    api_version: String,
    /// Where in the source they came from (`dynamodb/2012-08-10`).
    from: String,
    /// (file name, contents); the model first.
    files: Vec<(String, Vec<u8>)>,
}

impl Source {
    pub fn open(dir: &Path) -> Result<Source, String> {
        let entries = std::fs::read_dir(dir).map_err(|e| format!("error: cannot list {}: {e}", dir.display()))?;
        let services: Vec<PathBuf> = entries.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
        let layout = if services.iter().any(|s| !botocore_versions(s).is_empty()) {
            Layout::Botocore
        } else if services.iter().any(|s| !smithy_versions(s).is_empty()) {
            Layout::Smithy
        } else {
            return Err(format!(
                "error: {} is neither botocore's data folder (<service>/<api-version>/service-2.json[.gz]) nor a \
                 checkout of AWS's Smithy models (<service>/service/<version>/<service>-<version>.json)",
                dir.display()
            ));
        };
        Ok(Source { layout, dir: dir.to_path_buf(), label: label(dir, layout) })
    }

    /// The services the source has, sorted.
    pub fn services(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return Vec::new() };
        let mut names: Vec<String> = entries
            .flatten()
            .filter(|e| self.versions(&e.path()).last().is_some())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    fn versions(&self, service: &Path) -> Vec<PathBuf> {
        match self.layout {
            Layout::Botocore => botocore_versions(service),
            Layout::Smithy => smithy_versions(service),
        }
    }

    /// The service's newest files; an unknown name is an error naming the closest ones.
    fn files(&self, service: &str) -> Result<ServiceFiles, String> {
        let Some(newest) = self.versions(&self.dir.join(service)).pop() else {
            return Err(unknown(service, &format!("in {}", self.dir.display()), &self.services()));
        };
        let version = newest.file_name().map(|v| v.to_string_lossy().into_owned()).unwrap_or_default();
        let mut files = Vec::new();
        match self.layout {
            Layout::Botocore => {
                for name in BOTOCORE_FILES {
                    if let Some((_, bytes)) = crate::corpus::read_data_file(&newest, name)? {
                        files.push((name.to_owned(), bytes));
                    }
                }
            }
            Layout::Smithy => {
                let model = smithy_model(&newest).ok_or_else(|| format!("error: no model in {}", newest.display()))?;
                let bytes =
                    std::fs::read(&model).map_err(|e| format!("error: cannot read {}: {e}", model.display()))?;
                // One name whatever the version, so that an update replaces it.
                files.push((format!("{service}.json"), bytes));
            }
        }
        let from = match self.layout {
            Layout::Botocore => format!("{service}/{version}"),
            Layout::Smithy => format!("{service}/service/{version}"),
        };
        Ok(ServiceFiles { api_version: version, from, files })
    }
}

/// `<service>/<api-version>/` folders holding a `service-2.json[.gz]`, oldest first (api
/// versions are dates).
fn botocore_versions(service: &Path) -> Vec<PathBuf> {
    let has_model = |v: &Path| v.join("service-2.json").is_file() || v.join("service-2.json.gz").is_file();
    sorted_subfolders(service).into_iter().filter(|v| has_model(v)).collect()
}

/// `<service>/service/<version>/` folders holding a JSON model, oldest first.
fn smithy_versions(service: &Path) -> Vec<PathBuf> {
    sorted_subfolders(&service.join("service")).into_iter().filter(|v| smithy_model(v).is_some()).collect()
}

fn smithy_model(version: &Path) -> Option<PathBuf> {
    let entries = std::fs::read_dir(version).ok()?;
    let mut models: Vec<PathBuf> =
        entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "json")).collect();
    models.sort();
    models.into_iter().next()
}

fn sorted_subfolders(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut found: Vec<PathBuf> = entries.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
    found.sort();
    found
}

/// botocore's version when `dir` is the `data` folder of an installed botocore (its
/// `__init__.py` beside it says), else the folder's name.
fn label(dir: &Path, layout: Layout) -> String {
    let version = (layout == Layout::Botocore)
        .then(|| std::fs::read_to_string(dir.join("../__init__.py")).ok())
        .flatten()
        .and_then(|init| {
            let line = init.lines().find(|l| l.starts_with("__version__"))?;
            Some(line.split(['\'', '"']).nth(1)?.to_owned())
        });
    match version {
        Some(version) => format!("botocore {version}"),
        None => dir
            .canonicalize()
            .ok()
            .and_then(|d| Some(d.file_name()?.to_string_lossy().into_owned()))
            .unwrap_or_default(),
    }
}

/// "no service X …", with the closest names.
fn unknown(name: &str, place: &str, known: &[String]) -> String {
    let mut close: Vec<(usize, &String)> = known.iter().map(|k| (distance(name, k), k)).collect();
    close.sort();
    let close: Vec<&str> =
        close.iter().take(3).filter(|(d, _)| *d <= name.len().max(3)).map(|(_, k)| k.as_str()).collect();
    match close.is_empty() {
        true => format!("error: no service {name:?} {place}"),
        false => format!("error: no service {name:?} {place}; the closest: {}", close.join(", ")),
    }
}

/// Levenshtein distance.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(previous + 1).min(row[j] + 1);
        }
    }
    row[b.len()]
}

/// What `add` and `update` write for one service.
struct Vendored {
    service: String,
    files: ServiceFiles,
}

impl Vendored {
    fn dir(&self, root: &Path) -> PathBuf {
        root.join("specs").join(&self.service)
    }

    /// The model's path from the root, as `specs/codegen.json` names it.
    fn model_path(&self) -> String {
        format!("specs/{}/{}", self.service, self.files.files[0].0)
    }

    fn has(&self, name: &str) -> bool {
        self.files.files.iter().any(|(file, _)| file == name)
    }

    fn source_md(&self, source: &Source) -> String {
        let names: Vec<String> = self.files.files.iter().map(|(name, _)| format!("`{name}`")).collect();
        let license = match source.layout {
            Layout::Botocore => "botocore is licensed under the Apache License 2.0",
            Layout::Smithy => "AWS's Smithy models are licensed under the Apache License 2.0",
        };
        format!(
            "# {service}\n\n{files} vendored by `cargo xtask models` from {label}, `{from}/` (decompressed, \
             unchanged otherwise). {license}, Copyright Amazon.com, Inc. or its affiliates.\n\n\
             - api-version: {version}\n- source: {label}\n",
            service = self.service,
            files = names.join(", "),
            label = source.label,
            from = self.files.from,
            version = self.files.api_version,
        )
    }

    /// Writes the files (only those that differ), and `SOURCE.md`.
    fn write(&self, root: &Path, source: &Source) -> Result<(), String> {
        let dir = self.dir(root);
        for (name, bytes) in &self.files.files {
            write_if_changed(&dir.join(name), bytes)?;
        }
        write_if_changed(&dir.join("SOURCE.md"), self.source_md(source).as_bytes())
    }

    /// Its `specs/codegen.json` entry.
    fn entry(&self, operations: Option<&[String]>) -> String {
        let service = &self.service;
        let mut lines = vec![
            format!("\"package\": \"awsgen-{service}\""),
            format!("\"output\": \"generated/{service}\""),
            format!("\"model\": \"{}\"", self.model_path()),
        ];
        for (key, file) in [
            ("paginators", "paginators-1.json"),
            ("waiters", "waiters-2.json"),
            ("endpoint_rules", "endpoint-rule-set-1.json"),
        ] {
            if self.has(file) {
                lines.push(format!("\"{key}\": \"specs/{service}/{file}\""));
            }
        }
        lines.push(match operations {
            None => "\"operations\": \"all\"".to_owned(),
            Some(names) => {
                let names: Vec<String> = names.iter().map(|name| format!("{name:?}")).collect();
                format!("\"operations\": [{}]", names.join(", "))
            }
        });
        format!("    {{\n      {}\n    }}", lines.join(",\n      "))
    }
}

fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if std::fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("error: cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(path, bytes).map_err(|e| format!("error: cannot write {}: {e}", path.display()))
}

/// `cargo xtask models add`: vendors each service and adds its crate to `specs/codegen.json`
/// (every operation, or `operations`). Nothing is written unless every service can be added.
pub fn add(
    root: &Path,
    services: &[String],
    from: &Path,
    operations: Option<&[String]>,
) -> Result<Vec<String>, String> {
    let source = Source::open(from)?;
    let config_path = root.join(config::CONFIG);
    let mut config = std::fs::read_to_string(&config_path)
        .map_err(|e| format!("error: cannot read {}: {e}", config_path.display()))?;
    let configured = config::configured_crates(&config)?;
    let mut added = Vec::new();
    for service in services {
        let taken = configured
            .iter()
            .any(|c| c.package == format!("awsgen-{service}") || c.model.starts_with(&format!("specs/{service}/")));
        if taken || root.join("specs").join(service).exists() {
            return Err(format!(
                "error: {service} is already in specs/ (or {}): to take a newer model, run `cargo xtask models update {service} --from DIR`",
                config::CONFIG
            ));
        }
        added.push(Vendored { service: service.clone(), files: source.files(service)? });
    }
    for vendored in &added {
        config = config::with_crate(&config, &vendored.entry(operations))?;
    }
    for vendored in &added {
        vendored.write(root, &source)?;
    }
    write_if_changed(&config_path, config.as_bytes())?;
    Ok(added.iter().map(|v| format!("awsgen-{}: {} from {}", v.service, v.files.api_version, source.label)).collect())
}

/// What `update` did to one crate.
pub struct Update {
    pub package: String,
    /// (old, new) crate versions; `None` when its files did not change.
    pub versions: Option<(String, String)>,
    pub api_versions: (String, String),
    pub diff: ApiDiff,
}

impl Update {
    /// One line for the summary.
    pub fn line(&self) -> String {
        match &self.versions {
            None => format!("{}: unchanged", self.package),
            Some((old, new)) => {
                let (old_api, new_api) = &self.api_versions;
                let api = if old_api == new_api {
                    format!("model {new_api}")
                } else {
                    format!("model {old_api} -> {new_api}")
                };
                format!(
                    "{}: {old} -> {new} ({api}): {} breaking, {} compatible, {} doc-only",
                    self.package,
                    self.diff.breaking(),
                    self.diff.compatible(),
                    self.diff.doc_only
                )
            }
        }
    }
}

/// `cargo xtask models update`: the named services (or every configured one the source has)
/// take the source's newest files; each changed crate's version moves by its api-diff and its
/// changelog gets the report. Everything is worked out before anything is written.
pub fn update(root: &Path, services: &[String], from: &Path) -> Result<Vec<Update>, String> {
    let source = Source::open(from)?;
    let config_path = root.join(config::CONFIG);
    let mut config = std::fs::read_to_string(&config_path)
        .map_err(|e| format!("error: cannot read {}: {e}", config_path.display()))?;
    let jobs = config::configured_jobs(root)?;
    // (service folder, its job): the crates whose model is vendored under specs/<service>/.
    let vendored: Vec<(String, &Job)> = jobs
        .iter()
        .filter_map(|job| {
            let service = job.model_path().strip_prefix("specs/")?.split_once('/')?.0;
            Some((service.to_owned(), job))
        })
        .collect();
    let known: Vec<String> = vendored.iter().map(|(service, _)| service.clone()).collect();
    let available = source.services();
    let chosen: Vec<&(String, &Job)> = match services.is_empty() {
        true => vendored.iter().filter(|(service, _)| available.contains(service)).collect(),
        false => services
            .iter()
            .map(|name| {
                vendored.iter().find(|(service, _)| service == name).ok_or_else(|| unknown(name, "in specs/", &known))
            })
            .collect::<Result<_, _>>()?,
    };
    let mut planned = Vec::new();
    for (index, (service, job)) in chosen.iter().enumerate() {
        eprintln!("[{}/{}] {service}", index + 1, chosen.len());
        let files = source.files(service)?;
        let incoming = Vendored { service: service.clone(), files };
        let dir = incoming.dir(root);
        let unchanged =
            incoming.files.files.iter().all(|(name, bytes)| std::fs::read(dir.join(name)).is_ok_and(|b| &b == bytes));
        let old = job.lower().map_err(|d| d.to_string())?;
        let old_api = old.ir.api_version.clone();
        if unchanged {
            let api_versions = (old_api.clone(), old_api);
            planned.push((
                incoming,
                Update { package: job.package.clone(), versions: None, api_versions, diff: ApiDiff::default() },
            ));
            continue;
        }
        // The new files where the old ones are, resolved with the names the crate pinned.
        let new = job
            .lower_at(|path| {
                let name = path.rsplit('/').next()?;
                incoming.files.files.iter().find(|(file, _)| file == name).map(|(_, bytes)| bytes.clone())
            })
            .ok_or_else(|| format!("error: {service}: the source has no model"))?
            .map_err(|d| format!("error: the new model of {service} does not generate:\n{d}"))?;
        let diff = awsgen_codegen::diff::api_diff(&old, &new);
        let old_version = config::crate_version(&config, &job.package)?;
        let new_version = next_version(&old_version, &diff)?;
        let api_versions = (old_api, new.ir.api_version.clone());
        planned.push((
            incoming,
            Update { package: job.package.clone(), versions: Some((old_version, new_version)), api_versions, diff },
        ));
    }
    let mut changelogs = Vec::new();
    for (incoming, update) in &planned {
        let Some((_, new_version)) = &update.versions else { continue };
        config = config::with_version(&config, &update.package, new_version)?;
        let path = incoming.dir(root).join("CHANGELOG.md");
        let old = std::fs::read_to_string(&path).unwrap_or_default();
        changelogs.push((path, changelog(&old, new_version, update, &source.label)));
    }
    for (incoming, update) in &planned {
        if update.versions.is_some() {
            incoming.write(root, &source)?;
        }
    }
    for (path, text) in &changelogs {
        write_if_changed(path, text.as_bytes())?;
    }
    write_if_changed(&config_path, config.as_bytes())?;
    Ok(planned.into_iter().map(|(_, update)| update).collect())
}

/// `old` (a changelog, perhaps empty) with the entry for `version` on top.
fn changelog(old: &str, version: &str, update: &Update, label: &str) -> String {
    let (old_api, new_api) = &update.api_versions;
    let report = update.diff.markdown(version);
    let (heading, rest) = report.split_once('\n').unwrap_or((&report, ""));
    let api = if old_api == new_api { old_api.clone() } else { format!("{old_api} -> {new_api}") };
    let entry = format!("{heading}\n\nModel {api}, from {label}.\n{rest}");
    let title = "# Changelog\n\nEach version's changes to the API, as `cargo xtask api-diff` reports them.\n\n";
    let earlier = old.strip_prefix(title).unwrap_or(old);
    format!("{title}{}\n{earlier}", entry.trim_end()).trim_end().to_owned() + "\n"
}

/// The crate version after a change: a breaking one moves the major version (the minor while
/// it is 0.x, as Cargo reads 0.x versions), a compatible one the minor (the patch while 0.x),
/// documentation alone the patch.
pub fn next_version(current: &str, diff: &ApiDiff) -> Result<String, String> {
    let parts: Vec<u64> =
        current.split('.').map(str::parse).collect::<Result<_, _>>().map_err(|_| bad_version(current))?;
    let [major, minor, patch] = parts[..] else { return Err(bad_version(current)) };
    let (breaking, compatible) = (diff.breaking() > 0, diff.compatible() > 0);
    Ok(match (major, breaking, compatible) {
        (0, true, _) => format!("0.{}.0", minor + 1),
        (0, false, _) => format!("0.{minor}.{}", patch + 1),
        (_, true, _) => format!("{}.0.0", major + 1),
        (_, false, true) => format!("{major}.{}.0", minor + 1),
        (_, false, false) => format!("{major}.{minor}.{}", patch + 1),
    })
}

fn bad_version(version: &str) -> String {
    format!("error: crate version {version:?} is not MAJOR.MINOR.PATCH")
}

#[cfg(test)]
mod tests {
    use super::*;
    use awsgen_codegen::diff::{Change, Impact};

    fn diff(breaking: usize, compatible: usize, doc_only: usize) -> ApiDiff {
        let change = |impact| Change { impact, subject: "X".into(), what: "changed".into() };
        let changes =
            (0..breaking).map(|_| change(Impact::Breaking)).chain((0..compatible).map(|_| change(Impact::Compatible)));
        ApiDiff { changes: changes.collect(), doc_only, ..ApiDiff::default() }
    }

    #[test]
    fn versions_move_by_what_changed_as_cargo_reads_them() {
        assert_eq!(next_version("0.1.0", &diff(1, 3, 0)).unwrap(), "0.2.0");
        assert_eq!(next_version("0.2.3", &diff(0, 2, 1)).unwrap(), "0.2.4");
        assert_eq!(next_version("0.2.3", &diff(0, 0, 4)).unwrap(), "0.2.4");
        assert_eq!(next_version("1.4.2", &diff(1, 0, 0)).unwrap(), "2.0.0");
        assert_eq!(next_version("1.4.2", &diff(0, 1, 0)).unwrap(), "1.5.0");
        assert_eq!(next_version("1.4.2", &diff(0, 0, 1)).unwrap(), "1.4.3");
        assert!(next_version("1.4", &diff(0, 0, 1)).unwrap_err().contains("MAJOR.MINOR.PATCH"));
    }

    #[test]
    fn an_unknown_name_comes_with_the_closest_ones() {
        let known = ["dynamodb", "dynamodbstreams", "ec2", "s3"].map(String::from);
        let error = unknown("dynamdb", "in data", &known);
        assert!(error.contains("the closest: dynamodb, ec2, s3") || error.contains("the closest: dynamodb"), "{error}");
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn a_changelog_grows_at_the_top() {
        let update = Update {
            package: "awsgen-x".into(),
            versions: Some(("0.1.0".into(), "0.2.0".into())),
            api_versions: ("2020-01-01".into(), "2021-01-01".into()),
            diff: diff(1, 0, 2),
        };
        let first = changelog("", "0.2.0", &update, "botocore 1.0.0");
        assert!(first.starts_with("# Changelog\n"), "{first}");
        assert!(
            first.contains("## 0.2.0\n\nModel 2020-01-01 -> 2021-01-01, from botocore 1.0.0.\n\n1 breaking, 0 compatible, 2 doc-only\n"),
            "{first}"
        );
        let second = changelog(&first, "0.3.0", &update, "botocore 1.0.1");
        let (newer, older) = (second.find("## 0.3.0").unwrap(), second.find("## 0.2.0").unwrap());
        assert!(newer < older && second.matches("# Changelog").count() == 1, "{second}");
    }
}
