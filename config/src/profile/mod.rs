//! The shared config and credentials files: parsed, merged, and looked up by profile.
//!
//! Rules (the cross-SDK profile parser suite): in the config file profiles are `[profile name]`
//! (only `default` may go without the prefix, and `[profile default]` wins over `[default]`),
//! `[sso-session name]` and `[services name]` are their own sections; in the credentials file
//! every section is a profile. Property names are case-insensitive; a name outside
//! `A-Za-z0-9-_/.%@:+` is skipped. The credentials file wins where both set a property.

pub(crate) mod files;
mod parse;

pub use files::{ProfileFileError, MAX_PROFILE_FILE_SIZE};
pub use parse::SyntaxError;

use crate::Env;
use parse::RawSection;
use std::collections::HashMap;
use std::fmt;

/// Every profile, sso-session and services section of the two files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileSet {
    profiles: HashMap<String, Section>,
    sso_sessions: HashMap<String, Section>,
    services: HashMap<String, Section>,
}

/// A named set of properties. `Debug` shows the property names only: values can be secrets.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Section {
    name: String,
    properties: HashMap<String, String>,
}

/// Which file a text came from: they name sections differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Config,
    Credentials,
}

enum SectionKind {
    Profile,
    SsoSession,
    Services,
}

impl ProfileSet {
    /// Reads and merges the files the environment points at (`AWS_CONFIG_FILE`,
    /// `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/config` and `~/.aws/credentials`). A missing
    /// file counts as empty.
    pub fn load(env: &Env) -> Result<Self, ProfileFileError> {
        let config = files::read(env, FileKind::Config)?;
        let credentials = files::read(env, FileKind::Credentials)?;
        let mut set = ProfileSet::default();
        for (kind, file) in [(FileKind::Config, config), (FileKind::Credentials, credentials)] {
            let sections = parse::parse(&file.text).map_err(|error| ProfileFileError::syntax(&file.path, error))?;
            set.add_file(kind, &sections);
        }
        Ok(set)
    }

    /// Parses and merges the two files' texts.
    pub fn parse(config: &str, credentials: &str) -> Result<Self, SyntaxError> {
        let mut set = ProfileSet::default();
        set.add_file(FileKind::Config, &parse::parse(config)?);
        set.add_file(FileKind::Credentials, &parse::parse(credentials)?);
        Ok(set)
    }

    pub fn profile(&self, name: &str) -> Option<&Section> {
        self.profiles.get(name)
    }

    pub fn sso_session(&self, name: &str) -> Option<&Section> {
        self.sso_sessions.get(name)
    }

    pub fn services(&self, name: &str) -> Option<&Section> {
        self.services.get(name)
    }

    pub fn profiles(&self) -> impl Iterator<Item = &Section> {
        self.profiles.values()
    }

    pub fn sso_sessions(&self) -> impl Iterator<Item = &Section> {
        self.sso_sessions.values()
    }

    fn add_file(&mut self, kind: FileKind, sections: &[RawSection]) {
        let has_prefixed_default = kind == FileKind::Config && sections.iter().any(|s| is_prefixed_default(s.header));
        for section in sections {
            let Some((section_kind, name)) = classify(kind, section.header) else { continue };
            if has_prefixed_default && section.header == "default" {
                continue;
            }
            if !is_valid_name(name) {
                continue;
            }
            let map = match section_kind {
                SectionKind::Profile => &mut self.profiles,
                SectionKind::SsoSession => &mut self.sso_sessions,
                SectionKind::Services => &mut self.services,
            };
            let target = map.entry(name.to_owned()).or_insert_with(|| Section::named(name));
            for (key, value) in &section.properties {
                if is_valid_name(key) {
                    target.properties.insert(key.to_ascii_lowercase(), value.clone());
                }
            }
        }
    }
}

/// What a header names, or `None` for a section this file ignores (`[foo]` in the config file).
fn classify(kind: FileKind, header: &str) -> Option<(SectionKind, &str)> {
    if kind == FileKind::Credentials {
        return Some((SectionKind::Profile, header));
    }
    if header == "default" {
        return Some((SectionKind::Profile, header));
    }
    [("profile", SectionKind::Profile), ("sso-session", SectionKind::SsoSession), ("services", SectionKind::Services)]
        .into_iter()
        .find_map(|(keyword, section_kind)| Some((section_kind, after_keyword(header, keyword)?)))
}

/// `profile foo` -> `foo`; `profilefoo` is no keyword.
fn after_keyword<'a>(header: &'a str, keyword: &str) -> Option<&'a str> {
    let rest = header.strip_prefix(keyword)?;
    rest.starts_with(char::is_whitespace).then(|| rest.trim())
}

fn is_prefixed_default(header: &str) -> bool {
    after_keyword(header, "profile") == Some("default")
}

fn is_valid_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_/.%@:+".contains(c))
}

impl Section {
    fn named(name: &str) -> Self {
        Section { name: name.to_owned(), properties: HashMap::new() }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// A property's value; names are case-insensitive.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.properties.get(&key.to_ascii_lowercase()).map(String::as_str)
    }

    /// Every property, names lowercased.
    pub fn properties(&self) -> &HashMap<String, String> {
        &self.properties
    }

    /// A sub-property (`s3 =` then indented `max_concurrent_requests = 10`).
    pub fn sub_property(&self, key: &str, name: &str) -> Option<&str> {
        self.get(key)?.lines().find_map(|line| {
            let (sub_name, value) = line.split_once('=')?;
            sub_name.trim().eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }
}

impl fmt::Debug for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<_> = self.properties.keys().collect();
        names.sort();
        f.debug_struct("Section").field("name", &self.name).field("properties", &names).finish()
    }
}
