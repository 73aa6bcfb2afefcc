//! A semantic API diff between two versions of a crate: what changed for its users, each change
//! classified as breaking or compatible. Compares the public Rust APIs (`api::PublicApi`) the two
//! models resolve to, so a renamed type or a field turning optional shows, and renamed files or
//! reordered JSON don't.

use crate::api::{Item, ItemKind, Part, PublicApi};
use crate::plan::CratePlan;
use std::collections::BTreeSet;
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
    /// The items whose documentation changed.
    pub doc_changed: BTreeSet<String>,
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

/// What changed for users between two versions of a crate: the public APIs of both, compared.
pub fn api_diff(old: &CratePlan, new: &CratePlan) -> ApiDiff {
    diff_apis(&PublicApi::of(old), &PublicApi::of(new))
}

/// The classification: a change to anything a caller compiles against (an item, a field's type or
/// optionality, `build()`'s fallibility, a variant, a trait) is breaking; additions are compatible
/// (structs and enums are `#[non_exhaustive]`), but for a required field outside an input, which
/// `build()` then insists on; an input member becoming required or not is compatible (its type is
/// an `Option` either way, and AWS makes the change only where the service already decides);
/// wire changes are compatible; doc changes are counted.
pub fn diff_apis(old: &PublicApi, new: &PublicApi) -> ApiDiff {
    let mut diff = ApiDiff::default();
    let paths: BTreeSet<&String> = old.items.keys().chain(new.items.keys()).collect();
    for path in paths {
        match (old.items.get(path), new.items.get(path)) {
            (None, Some(_)) => diff.change(Impact::Compatible, path, "added"),
            (Some(_), None) => diff.change(Impact::Breaking, path, "removed"),
            (Some(before), Some(after)) => diff.item(path, before, after),
            (None, None) => {}
        }
    }
    diff.changes.sort();
    diff.changes.dedup();
    diff
}

impl ApiDiff {
    fn change(&mut self, impact: Impact, subject: impl Into<String>, what: impl Into<String>) {
        self.changes.push(Change { impact, subject: subject.into(), what: what.into() });
    }

    fn item(&mut self, path: &str, old: &Item, new: &Item) {
        if old.kind != new.kind {
            self.change(Impact::Breaking, path, format!("{:?} became {:?}", old.kind, new.kind));
            return;
        }
        if old.signature != new.signature {
            self.change(Impact::Breaking, path, format!("`{}` became `{}`", old.signature, new.signature));
        }
        if old.wire != new.wire {
            self.change(Impact::Compatible, path, format!("sent as `{}` instead of `{}`", new.wire, old.wire));
        }
        for removed in old.traits.difference(&new.traits) {
            self.change(Impact::Breaking, path, format!("no longer implements `{removed}`"));
        }
        for added in new.traits.difference(&old.traits) {
            self.change(Impact::Compatible, path, format!("implements `{added}`"));
        }
        let doc_changes =
            old.docs.iter().filter(|(part, text)| new.docs.get(*part).is_some_and(|new| new != *text)).count();
        if doc_changes > 0 {
            self.doc_only += doc_changes;
            self.doc_changed.insert(path.to_owned());
        }
        let names: BTreeSet<&String> = old.parts.keys().chain(new.parts.keys()).collect();
        for name in names {
            let subject = format!("{path}.{name}");
            match (old.parts.get(name), new.parts.get(name)) {
                (None, Some(part))
                    if new.kind == ItemKind::Struct && is_required(part) && new.signature.contains("Result") =>
                {
                    self.change(
                        Impact::Breaking,
                        subject,
                        format!("required `{}` added: `build()` fails until it is set", part.ty),
                    )
                }
                (None, Some(part)) => self.change(Impact::Compatible, subject, added(new.kind, part)),
                (Some(_), None) => self.change(Impact::Breaking, subject, "removed"),
                (Some(before), Some(after)) => {
                    if before.ty != after.ty {
                        self.change(Impact::Breaking, &subject, format!("`{}` became `{}`", before.ty, after.ty));
                    } else if before.required != after.required {
                        let what = match after.required {
                            true => "now required: `build()` fails until it is set",
                            false => "no longer required",
                        };
                        self.change(Impact::Compatible, &subject, what);
                    }
                    if before.wire != after.wire {
                        let what = format!("sent as {} instead of {}", after.wire, before.wire);
                        self.change(Impact::Compatible, &subject, what);
                    }
                    if before.redacted != after.redacted {
                        let what =
                            if after.redacted { "now redacted in `Debug`" } else { "no longer redacted in `Debug`" };
                        self.change(Impact::Compatible, subject, what);
                    }
                }
                (None, None) => {}
            }
        }
    }
}

/// A required field that is not an `Option`: outside an input, where a caller building the
/// structure must now set it.
fn is_required(part: &Part) -> bool {
    part.required && !part.ty.starts_with("Option<")
}

fn added(kind: ItemKind, part: &Part) -> String {
    match kind {
        ItemKind::Struct if part.required => {
            format!("field `{}` added, required: `build()` fails until it is set", part.ty)
        }
        ItemKind::Struct => format!("field `{}` added", part.ty),
        _ => "variant added".to_owned(),
    }
}
