//! The Rust type of every shape and member, decided in one place: the emitters print it and the
//! public-API description (`api`) shows it, so the two can't disagree.

use crate::ir::{Member, Shape, ShapeId, ShapeKind};
use crate::rust::{ident, runtime};
use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use std::collections::BTreeMap;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RustType {
    String,
    Bool,
    I32,
    I64,
    F32,
    F64,
    DateTime,
    Blob,
    /// A streaming blob: a body read or sent as it travels.
    ByteStream,
    /// An event stream's receiver, of the named enum of its events.
    EventStream(String),
    /// An input event stream's sender, of the named enum of its events.
    EventSender(String),
    Document,
    Vec(Box<RustType>),
    Map(Box<RustType>, Box<RustType>),
    Option(Box<RustType>),
    /// A member that breaks a cycle of structures.
    Box(Box<RustType>),
    /// A map's entry, as a paginator's item.
    Tuple(Vec<RustType>),
    /// A structure, union or enum of the crate's `types` module, by its Rust name.
    Named(String),
    /// A shape the model doesn't define (refused by validation before anything is emitted).
    Unit,
}

impl RustType {
    /// The type of a shape's values (a member's type without its `Option` or `Box`).
    pub fn of_shape(shapes: &BTreeMap<ShapeId, Shape>, id: &str) -> RustType {
        let Some(shape) = shapes.get(id) else { return RustType::Unit };
        match &shape.kind {
            ShapeKind::String => RustType::String,
            ShapeKind::Boolean => RustType::Bool,
            ShapeKind::Integer => RustType::I32,
            ShapeKind::Long => RustType::I64,
            ShapeKind::Float => RustType::F32,
            ShapeKind::Double => RustType::F64,
            ShapeKind::List { member } => RustType::Vec(Box::new(Self::element(shapes, shape, member))),
            ShapeKind::Map { key, value } => {
                RustType::Map(Box::new(Self::of_shape(shapes, key)), Box::new(Self::element(shapes, shape, value)))
            }
            ShapeKind::Union(_) if shape.event_stream && shape.sent => {
                RustType::EventSender(shape.names.type_name.clone())
            }
            ShapeKind::Union(_) if shape.event_stream => RustType::EventStream(shape.names.type_name.clone()),
            ShapeKind::Enum(_) | ShapeKind::Structure(_) | ShapeKind::Union(_) => {
                RustType::Named(shape.names.type_name.clone())
            }
            ShapeKind::Timestamp => RustType::DateTime,
            ShapeKind::Blob if shape.streaming => RustType::ByteStream,
            ShapeKind::Blob => RustType::Blob,
            ShapeKind::Document => RustType::Document,
        }
    }

    /// The type of a list's or map's element: optional in a sparse container, which holds nulls.
    pub fn element(shapes: &BTreeMap<ShapeId, Shape>, container: &Shape, element: &str) -> RustType {
        let element = Self::of_shape(shapes, element);
        if container.sparse {
            RustType::Option(Box::new(element))
        } else {
            element
        }
    }

    /// The type of a member's values. An event's payload is bytes in memory even where its shape
    /// streams elsewhere (S3's `Body`): the message holds it whole.
    pub fn of_value(shapes: &BTreeMap<ShapeId, Shape>, member: &Member) -> RustType {
        match Self::of_shape(shapes, &member.target) {
            RustType::ByteStream if member.event_payload => RustType::Blob,
            ty => ty,
        }
    }

    /// A member's field type: boxed where it breaks a cycle, optional unless it is always there.
    pub fn of_member(shapes: &BTreeMap<ShapeId, Shape>, member: &Member) -> RustType {
        Self::of_value(shapes, member).held_by(member)
    }

    /// The field type of `member`, whose values are `self`.
    pub fn held_by(self, member: &Member) -> RustType {
        let mut ty = self;
        if member.boxed {
            ty = RustType::Box(Box::new(ty));
        }
        if member.optional {
            ty = RustType::Option(Box::new(ty));
        }
        ty
    }
}

impl ToTokens for RustType {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let rt = runtime();
        tokens.extend(match self {
            RustType::String => quote! { String },
            RustType::Bool => quote! { bool },
            RustType::I32 => quote! { i32 },
            RustType::I64 => quote! { i64 },
            RustType::F32 => quote! { f32 },
            RustType::F64 => quote! { f64 },
            RustType::DateTime => quote! { #rt::DateTime },
            RustType::Blob => quote! { #rt::Blob },
            RustType::ByteStream => quote! { #rt::ByteStream },
            RustType::EventStream(name) => {
                let name = ident(name);
                quote! { #rt::eventstream::EventReceiver<crate::types::#name> }
            }
            RustType::EventSender(name) => {
                let name = ident(name);
                quote! { #rt::eventstream::EventSender<crate::types::#name> }
            }
            RustType::Document => quote! { #rt::Document },
            RustType::Vec(item) => quote! { Vec<#item> },
            RustType::Map(key, value) => quote! { ::std::collections::BTreeMap<#key, #value> },
            RustType::Option(inner) => quote! { Option<#inner> },
            RustType::Box(inner) => quote! { Box<#inner> },
            RustType::Tuple(items) => quote! { (#(#items),*) },
            RustType::Named(name) => {
                let name = ident(name);
                quote! { crate::types::#name }
            }
            RustType::Unit => quote! { () },
        });
    }
}

/// As the generated code writes it, without spaces and with `types::` for the crate's own types
/// (`Option<Vec<types::BackendJobRespObj>>`): how api-diff shows a type.
impl fmt::Display for RustType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.to_token_stream().to_string().replace(' ', "");
        f.write_str(&text.replace("crate::types::", "types::"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Shape;

    fn shapes() -> BTreeMap<ShapeId, Shape> {
        let mut job = Shape::new("Job", ShapeKind::Structure(crate::ir::Structure::new(vec![])));
        job.names.type_name = "JobObj".to_owned();
        let mut sparse = Shape::new("Sparse", ShapeKind::List { member: "Job".to_owned() });
        sparse.sparse = true;
        let mut stream = Shape::new("Body", ShapeKind::Blob);
        stream.streaming = true;
        [
            job,
            sparse,
            stream,
            Shape::new("Name", ShapeKind::String),
            Shape::new("Jobs", ShapeKind::List { member: "Job".to_owned() }),
            Shape::new("Tags", ShapeKind::Map { key: "Name".to_owned(), value: "Jobs".to_owned() }),
        ]
        .into_iter()
        .map(|s| (s.id.clone(), s))
        .collect()
    }

    #[test]
    fn types_follow_the_shape_and_print_as_api_diff_shows_them() {
        let shapes = shapes();
        let shown = |id: &str| RustType::of_shape(&shapes, id).to_string();
        assert_eq!(shown("Jobs"), "Vec<types::JobObj>");
        assert_eq!(shown("Sparse"), "Vec<Option<types::JobObj>>");
        assert_eq!(shown("Tags"), "::std::collections::BTreeMap<String,Vec<types::JobObj>>");
        assert_eq!(shown("Body"), "::awsgen_runtime::ByteStream");
        assert_eq!(shown("Missing"), "()");
    }
}
