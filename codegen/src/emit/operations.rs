//! One module per operation: its input and output types with builders, and its error enum.

use super::types::{ident, structure, StructNames};
use super::{docs, rt, Ctx};
use crate::ir::{Docs, Operation, Shape, ShapeKind, ShapeNames, Structure};
use crate::naming::UNHANDLED_VARIANT;
use proc_macro2::TokenStream;
use quote::quote;

pub(crate) fn operation_module(ctx: &Ctx, op: &Operation) -> TokenStream {
    let mut module_docs = vec![format!("The {} operation.", op.name)];
    let op_docs = super::docs::to_markdown(op.docs.0.as_deref().unwrap_or(""));
    if !op_docs.is_empty() {
        module_docs.extend(["".to_owned()].into_iter().chain(op_docs.lines().map(str::to_owned)));
    }
    let module_docs = docs::inner(&module_docs);
    let input = io_struct(ctx, op.input.as_deref(), &op.names.input, &op.names.input_builder, true);
    let output = io_struct(ctx, op.output.as_deref(), &op.names.output, &op.names.output_builder, false);
    let error = error_enum(ctx, op);
    quote! {
        #module_docs
        #input
        #output
        #error
    }
}

/// The operation's input or output structure under the operation's own names. An operation
/// without one gets an empty structure, so every operation has the same API shape.
fn io_struct(ctx: &Ctx, id: Option<&str>, type_name: &str, builder: &str, sent: bool) -> TokenStream {
    let names = StructNames { type_name, builder };
    if let Some(shape) = id.and_then(|id| ctx.service.shapes.get(id)) {
        if let ShapeKind::Structure(s) = &shape.kind {
            return structure(ctx, shape, s, &names);
        }
    }
    let empty = Structure { members: Vec::new(), error: None };
    let shape = Shape {
        id: type_name.to_owned(),
        kind: ShapeKind::Structure(empty.clone()),
        docs: Docs(None),
        sensitive: false,
        deprecated: false,
        names: ShapeNames::default(),
        sent,
        received: !sent,
        shared: false,
    };
    structure(ctx, &shape, &empty, &names)
}

fn error_enum(ctx: &Ctx, op: &Operation) -> TokenStream {
    let rt = rt::runtime();
    let name = ident(&op.names.error);
    let modeled = &op.names.error_variants;
    let errors: Vec<&Shape> = modeled.iter().filter_map(|v| ctx.service.shapes.get(&v.shape)).collect();
    let variants: Vec<_> = modeled.iter().map(|v| ident(&v.variant)).collect();
    let types: Vec<_> = errors.iter().map(|e| ident(&e.names.type_name)).collect();
    let variant_docs = errors.iter().map(|e| docs::outer(&e.docs));
    let predicates = modeled.iter().zip(&variants).map(|(v, variant)| {
        let is = ident(&v.predicate);
        let doc = format!(" Whether this is a [`{variant}`](Self::{variant}) error.");
        quote! {
            #[doc = #doc]
            pub fn #is(&self) -> bool {
                ::std::matches!(self, Self::#variant(_))
            }
        }
    });
    let unhandled = ident(UNHANDLED_VARIANT);
    let doc = format!(" An error from the {} operation.", op.name);
    quote! {
        #[doc = #doc]
        #[derive(::std::clone::Clone, ::std::cmp::PartialEq, ::std::fmt::Debug)]
        #[non_exhaustive]
        pub enum #name {
            #( #variant_docs #variants(crate::types::#types), )*
            /// An error the model does not describe for this operation; it keeps the code, message,
            /// HTTP status and request id of the response.
            #unhandled(#rt::ErrorMetadata),
        }

        impl #name {
            /// The error code, if the response carried one.
            pub fn code(&self) -> ::std::option::Option<&str> {
                self.meta().code()
            }

            /// The error message, if the response carried one.
            pub fn message(&self) -> ::std::option::Option<&str> {
                match self {
                    #( Self::#variants(error) => error.message(), )*
                    Self::#unhandled(meta) => meta.message(),
                }
            }

            /// The code, message, HTTP status and request id of the response.
            pub fn meta(&self) -> &#rt::ErrorMetadata {
                match self {
                    #( Self::#variants(error) => error.meta(), )*
                    Self::#unhandled(meta) => meta,
                }
            }

            #(#predicates)*
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    #( Self::#variants(error) => ::std::fmt::Display::fmt(error, f), )*
                    Self::#unhandled(meta) => ::std::fmt::Display::fmt(meta, f),
                }
            }
        }

        impl ::std::error::Error for #name {}
    }
}
