//! A semantic API diff between two versions of a model: what changed for the users of the
//! generated crate, each change classified as breaking or compatible. Compares IRs, so either
//! input format works, and renamed files or reordered JSON don't show up.

use crate::ir::{Location, Member, Operation, Service, Shape, ShapeKind};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Impact {
    /// Code using the generated crate may stop compiling or behave differently.
    Breaking,
    /// Existing code keeps compiling and working.
    Compatible,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    pub impact: Impact,
    /// Where: `ListBackendJobs`, `BackendJobRespObj.Status`.
    pub subject: String,
    pub what: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiDiff {
    pub changes: Vec<Change>,
    /// Documentation that changed, counted but not listed.
    pub doc_only: usize,
}

impl ApiDiff {
    pub fn breaking(&self) -> usize {
        self.changes.iter().filter(|c| c.impact == Impact::Breaking).count()
    }

    pub fn compatible(&self) -> usize {
        self.changes.iter().filter(|c| c.impact == Impact::Compatible).count()
    }

    /// The report for one service, in Markdown.
    pub fn markdown(&self, title: &str) -> String {
        let mut out = format!(
            "## {title}\n\n{} breaking, {} compatible, {} doc-only\n",
            self.breaking(),
            self.compatible(),
            self.doc_only
        );
        for (impact, heading) in [(Impact::Breaking, "Breaking"), (Impact::Compatible, "Compatible")] {
            let changes: Vec<&Change> = self.changes.iter().filter(|c| c.impact == impact).collect();
            if !changes.is_empty() {
                let _ = write!(out, "\n### {heading}\n\n");
                for change in changes {
                    let _ = writeln!(out, "- `{}`: {}", change.subject, change.what);
                }
            }
        }
        out
    }
}

pub fn api_diff(old: &Service, new: &Service) -> ApiDiff {
    let mut diff = Differ { old, new, out: ApiDiff::default() };
    diff.operations();
    diff.shapes();
    diff.out.changes.sort();
    diff.out.changes.dedup();
    diff.out
}

struct Differ<'a> {
    old: &'a Service,
    new: &'a Service,
    out: ApiDiff,
}

impl Differ<'_> {
    fn change(&mut self, impact: Impact, subject: impl Into<String>, what: impl Into<String>) {
        self.out.changes.push(Change { impact, subject: subject.into(), what: what.into() });
    }

    fn docs(&mut self, old: &crate::ir::Docs, new: &crate::ir::Docs) {
        if old != new {
            self.out.doc_only += 1;
        }
    }

    fn operations(&mut self) {
        let names: BTreeSet<&String> = self.old.operations.keys().chain(self.new.operations.keys()).collect();
        for name in names {
            match (self.old.operations.get(name), self.new.operations.get(name)) {
                (None, Some(_)) => self.change(Impact::Compatible, name, "operation added"),
                (Some(_), None) => self.change(Impact::Breaking, name, "operation removed"),
                (Some(old), Some(new)) => self.operation(name, old, new),
                (None, None) => {}
            }
        }
    }

    fn operation(&mut self, name: &str, old: &Operation, new: &Operation) {
        self.docs(&old.docs, &new.docs);
        if old.http.method != new.http.method || old.http.uri != new.http.uri {
            let what = format!(
                "HTTP binding changed from `{} {}` to `{} {}`",
                old.http.method, old.http.uri, new.http.method, new.http.uri
            );
            self.change(Impact::Compatible, name, what);
        }
        let (old_errors, new_errors): (BTreeSet<&String>, BTreeSet<&String>) =
            (old.errors.iter().collect(), new.errors.iter().collect());
        for added in new_errors.difference(&old_errors) {
            self.change(Impact::Compatible, name, format!("error `{added}` added"));
        }
        for removed in old_errors.difference(&new_errors) {
            self.change(Impact::Breaking, name, format!("error `{removed}` removed (its variant is gone)"));
        }
        match (&old.pagination, &new.pagination) {
            (None, Some(_)) => self.change(Impact::Compatible, name, "paginator added"),
            (Some(_), None) => self.change(Impact::Breaking, name, "paginator removed (`into_paginator` is gone)"),
            (Some(a), Some(b)) if a != b => self.change(Impact::Compatible, name, "paginator changed"),
            _ => {}
        }
        if old.input != new.input || old.output != new.output {
            self.change(Impact::Compatible, name, "input or output shape renamed");
        }
    }

    fn shapes(&mut self) {
        let ids: BTreeSet<&String> = self.old.shapes.keys().chain(self.new.shapes.keys()).collect();
        for id in ids {
            if let (Some(old), Some(new)) = (self.old.shapes.get(id), self.new.shapes.get(id)) {
                self.shape(id, old, new);
            }
        }
    }

    fn shape(&mut self, id: &str, old: &Shape, new: &Shape) {
        self.docs(&old.docs, &new.docs);
        match (&old.kind, &new.kind) {
            (ShapeKind::Structure(a), ShapeKind::Structure(b)) => self.members(id, new, &a.members, &b.members),
            (ShapeKind::Union(a), ShapeKind::Union(b)) => self.members(id, new, a, b),
            (ShapeKind::Enum(a), ShapeKind::Enum(b)) => {
                let (a, b): (BTreeSet<&str>, BTreeSet<&str>) =
                    (a.iter().map(|v| v.value.as_str()).collect(), b.iter().map(|v| v.value.as_str()).collect());
                for added in b.difference(&a) {
                    self.change(Impact::Compatible, id, format!("enum value `{added}` added"));
                }
                for removed in a.difference(&b) {
                    self.change(Impact::Breaking, id, format!("enum value `{removed}` removed (its variant is gone)"));
                }
            }
            _ => {}
        }
    }

    fn members(&mut self, id: &str, new_shape: &Shape, old: &[Member], new: &[Member]) {
        let old: BTreeMap<&str, &Member> = old.iter().map(|m| (m.name.as_str(), m)).collect();
        let new: BTreeMap<&str, &Member> = new.iter().map(|m| (m.name.as_str(), m)).collect();
        let _ = new_shape;
        for (name, member) in &new {
            let subject = format!("{id}.{name}");
            match old.get(name) {
                None if member.required => {
                    self.change(Impact::Breaking, subject, "required member added (callers must set it)")
                }
                None => self.change(Impact::Compatible, subject, "member added"),
                Some(before) => self.member(&subject, before, member),
            }
        }
        for name in old.keys().filter(|name| !new.contains_key(*name)) {
            self.change(Impact::Breaking, format!("{id}.{name}"), "member removed");
        }
    }

    fn member(&mut self, subject: &str, old: &Member, new: &Member) {
        self.docs(&old.docs, &new.docs);
        let (old_type, new_type) = (describe(self.old, &old.target), describe(self.new, &new.target));
        if old_type != new_type {
            self.change(Impact::Breaking, subject, format!("type changed from {old_type} to {new_type}"));
        }
        if old.required != new.required {
            let (from, to) = if new.required { ("optional", "required") } else { ("required", "optional") };
            self.change(Impact::Breaking, subject, format!("{from} -> {to}"));
        }
        if old.location != new.location || old.wire_name != new.wire_name {
            let what = format!(
                "sent as {} `{}` instead of {} `{}`",
                location(&new.location),
                new.wire_name,
                location(&old.location),
                old.wire_name
            );
            self.change(Impact::Compatible, subject, what);
        }
        if !old.deprecated && new.deprecated {
            self.change(Impact::Compatible, subject, "deprecated");
        }
    }
}

/// A member's type as a user sees it: kinds for simple types, names for named ones.
fn describe(service: &Service, id: &str) -> String {
    let Some(shape) = service.shapes.get(id) else { return format!("`{id}`") };
    match &shape.kind {
        ShapeKind::String => "string".to_owned(),
        ShapeKind::Enum(_) => format!("enum `{id}`"),
        ShapeKind::Boolean => "boolean".to_owned(),
        ShapeKind::Integer => "integer".to_owned(),
        ShapeKind::Long => "long".to_owned(),
        ShapeKind::Float => "float".to_owned(),
        ShapeKind::Double => "double".to_owned(),
        ShapeKind::Timestamp => "timestamp".to_owned(),
        ShapeKind::Blob => "blob".to_owned(),
        ShapeKind::Document => "document".to_owned(),
        ShapeKind::List { member } => format!("list of {}", describe(service, member)),
        ShapeKind::Map { value, .. } => format!("map of {}", describe(service, value)),
        ShapeKind::Structure(_) => format!("structure `{id}`"),
        ShapeKind::Union(_) => format!("union `{id}`"),
    }
}

fn location(location: &Location) -> &'static str {
    match location {
        Location::Body => "body member",
        Location::Label => "URI label",
        Location::Query => "query parameter",
        Location::Header => "header",
        Location::PrefixHeaders => "header prefix",
        Location::StatusCode => "status code",
        Location::Payload => "payload",
    }
}
