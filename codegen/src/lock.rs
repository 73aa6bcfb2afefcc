//! The names lock: every Rust name a crate hands out, written beside the crate (`names.lock`) and
//! read back on the next run, so that a name, once public, never moves. A model update that adds
//! a clashing name gives the suffix to the newcomer, never to the name users already have.
//!
//! One line per name, `<kind> <model name> <Rust name>`, sorted: adding a shape adds lines, and
//! a review sees each new public name.

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::ir::{Service, ShapeKind, Structure};
use std::collections::BTreeMap;

/// The namespaces names are unique in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    /// Named types in `types` (shape id).
    Type,
    /// Client methods (operation name).
    Operation,
    /// Error enum variants (`Operation.ErrorShape`).
    Error,
    /// Structure fields (`Shape.Member`).
    Member,
    /// Union variants (`Shape.Member`).
    Variant,
    /// Enum variants (`Shape.value`).
    Value,
    /// Waiter methods of an operation's builder (`Operation.Waiter`).
    Waiter,
}

const KINDS: [(Kind, &str); 7] = [
    (Kind::Type, "type"),
    (Kind::Operation, "operation"),
    (Kind::Error, "error"),
    (Kind::Member, "member"),
    (Kind::Variant, "variant"),
    (Kind::Value, "value"),
    (Kind::Waiter, "waiter"),
];

/// What the lock is, under the header line every generated file has.
const ABOUT: &str = "# Every Rust name of this crate, read back on the next run so that no public name moves; a new\n\
# name that would clash gets the suffix. One line per name: kind, model name, Rust name.\n";

/// Pinned names: (kind, owner) -> Rust name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameLock(BTreeMap<(Kind, String), String>);

impl NameLock {
    /// Reads a lock file; `file` names it in diagnostics.
    pub(crate) fn parse(file: &str, text: &str) -> Result<NameLock, Diagnostics> {
        let mut pins = BTreeMap::new();
        let mut problems = Vec::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut words = line.split_whitespace();
            let parsed = match (words.next(), words.next(), words.next(), words.next()) {
                (Some(kind), Some(owner), Some(name), None) => KINDS
                    .iter()
                    .find(|(_, word)| *word == kind)
                    .filter(|_| is_rust_name(name))
                    .map(|(kind, _)| ((*kind, owner.to_owned()), name.to_owned())),
                _ => None,
            };
            match parsed {
                Some((key, name)) => {
                    pins.insert(key, name);
                }
                None => problems.push(Diagnostic {
                    file: file.to_owned(),
                    location: format!("line {}", number + 1),
                    message: format!("not a names-lock line: {line:?}"),
                    hint: Some("each line is `<kind> <model name> <Rust name>`; delete the file to start over".into()),
                }),
            }
        }
        if problems.is_empty() {
            Ok(NameLock(pins))
        } else {
            Err(Diagnostics(problems))
        }
    }

    /// The pinned names of one namespace, by owner: `scope` is empty for types and operations,
    /// else the shape or operation whose members, values or errors are named (`Foo` for
    /// `member Foo.Bar bar`; what follows the first `.` is the owner, and may hold dots itself).
    pub(crate) fn pins(&self, kind: Kind, scope: &str) -> BTreeMap<String, String> {
        let prefix = if scope.is_empty() { String::new() } else { format!("{scope}.") };
        self.0
            .range((kind, prefix.clone())..)
            .take_while(|((k, owner), _)| *k == kind && owner.starts_with(&prefix))
            .map(|((_, owner), name)| (owner[prefix.len()..].to_owned(), name.clone()))
            .collect()
    }
}

/// `r#type`, `FooBar2`, `list_things`: what the naming module can hand out.
fn is_rust_name(name: &str) -> bool {
    let bare = name.strip_prefix("r#").unwrap_or(name);
    let mut chars = bare.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The lock file of a named IR: every name the crate hands out.
pub(crate) fn render(service: &Service) -> String {
    let mut lines = Vec::new();
    let mut line = |kind: Kind, owner: String, name: &str| {
        let word = KINDS.iter().find(|(k, _)| *k == kind).map_or("", |(_, word)| word);
        lines.push(format!("{word} {owner} {name}"));
    };
    for (name, op) in &service.operations {
        line(Kind::Operation, name.clone(), &op.names.method);
        for variant in &op.names.error_variants {
            line(Kind::Error, format!("{name}.{}", variant.shape), &variant.variant);
        }
        // Every waiter of the model, also one the plan left out: its name stays reserved.
        for waiter in &op.waiters {
            line(Kind::Waiter, format!("{name}.{}", waiter.name), &waiter.method);
        }
    }
    for (id, shape) in &service.shapes {
        if shape.shared && shape.kind.is_named_type() {
            line(Kind::Type, id.clone(), &shape.names.type_name);
        }
        match &shape.kind {
            ShapeKind::Structure(Structure { members, .. }) => {
                members.iter().for_each(|m| line(Kind::Member, format!("{id}.{}", m.name), &m.rust_name))
            }
            ShapeKind::Union(members) => {
                members.iter().for_each(|m| line(Kind::Variant, format!("{id}.{}", m.name), &m.rust_name))
            }
            ShapeKind::Enum(values) => values
                .iter()
                .filter(|v| !v.value.contains(char::is_whitespace))
                .for_each(|v| line(Kind::Value, format!("{id}.{}", v.value), &v.variant)),
            _ => {}
        }
    }
    lines.sort();
    let mut text = format!("# @generated by `cargo xtask codegen`. Do not edit.\n{ABOUT}");
    for line in lines {
        text.push_str(&line);
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_round_trip_and_scopes_stay_apart() {
        let text = "# comment\ntype Foo Foo2\nmember Foo.Bar bar\nmember Foo.Baz r#type\nmember FooX.Bar bar_2\nvalue Size.t2.micro T2Micro\n";
        let lock = NameLock::parse("names.lock", text).unwrap();
        assert_eq!(lock.pins(Kind::Type, ""), BTreeMap::from([("Foo".to_owned(), "Foo2".to_owned())]));
        let members = lock.pins(Kind::Member, "Foo");
        assert_eq!(members.len(), 2);
        assert_eq!(members["Baz"], "r#type");
        assert_eq!(lock.pins(Kind::Member, "FooX")["Bar"], "bar_2");
        assert_eq!(lock.pins(Kind::Value, "Size")["t2.micro"], "T2Micro");
        let bad = NameLock::parse("names.lock", "type Foo\nshape Foo Foo\ntype Foo not-rust\n").unwrap_err();
        assert_eq!(bad.0.len(), 3);
        assert_eq!(bad.0[0].location, "line 1");
    }
}
