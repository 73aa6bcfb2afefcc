//! Which codec impls the XML protocols' types get: every type received reads itself from XML;
//! every type sent writes itself as an awsQuery form (`query`) or, in restXml, as XML (`xml`).

use super::query::{to_query_enum, to_query_struct, to_query_union};
use super::types::ident;
use super::xml::{
    body_members, from_xml_enum, from_xml_struct, from_xml_union, read_from_body, to_xml_enum, to_xml_struct,
    to_xml_union, with_imports,
};
use super::Ctx;
use crate::ir::{Binding, ShapeKind};
use crate::plan::{OperationPlan, TypePlan};
use proc_macro2::TokenStream;
use quote::quote;

/// The impls of an operation's input (written) and output (read) structures: their body members.
pub(crate) fn io_impls(ctx: &Ctx, plan: &OperationPlan) -> TokenStream {
    let (op, input, output) = (&plan.op, &plan.input, &plan.output);
    let (input_name, output_name) = (ident(&op.names.input), ident(&op.names.output));
    let write = if ctx.service.protocol.is_query() {
        to_query_struct(&input_name, input.fields.iter().filter(|f| f.binding != Binding::Unsent))
    } else {
        to_xml_struct(&input_name, &body_members(input), None)
    };
    let read = from_xml_struct(&output_name, &output.fields.iter().filter(|f| read_from_body(f)).collect::<Vec<_>>());
    with_imports(Some(quote! { #write #read }), ctx.service.protocol.is_query())
}

/// The impls of a shared structure, union or enum, for the directions it travels in.
pub(crate) fn shape_impls(ctx: &Ctx, shape: &TypePlan) -> TokenStream {
    let name = ident(&shape.names.type_name);
    let query = ctx.service.protocol.is_query();
    let (write, read) = match &shape.kind {
        ShapeKind::Structure(_) => {
            let members = body_members(shape);
            let write = match query {
                true => to_query_struct(&name, members.iter().copied()),
                false => to_xml_struct(&name, &members, shape.xml_namespace.as_ref()),
            };
            (write, from_xml_struct(&name, &members))
        }
        ShapeKind::Enum(_) => {
            let write = if query { to_query_enum(&name) } else { to_xml_enum(&name) };
            (write, from_xml_enum(&name))
        }
        ShapeKind::Union(_) => {
            let fields = &shape.fields;
            let write = if query { to_query_union(&name, fields) } else { to_xml_union(&name, fields) };
            (write, from_xml_union(&name, fields))
        }
        _ => return quote! {},
    };
    let to_query = query && shape.sent;
    let impls = match (shape.sent.then_some(write), shape.received.then_some(read)) {
        (None, None) => None,
        (write, read) => Some(quote! { #write #read }),
    };
    with_imports(impls, to_query)
}
