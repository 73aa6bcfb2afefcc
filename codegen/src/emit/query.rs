//! awsQuery: every structure and enum the crate sends writes itself into a form (`ToQuery`);
//! what it receives reads itself from XML (see `xml`). EC2 differs in its form keys (see
//! `form_key`), in its lists (the runtime's) and in having no result wrapper.

use super::addressing::host_prefix;
use super::types::ident;
use super::xml::layout;
use super::{rt, Ctx};
use crate::ir::{Operation, Protocol};
use crate::plan::{FieldPlan, TypePlan};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// `Request::aws_query(action, version, input)` (EC2: `ec2_query`), with the host prefix if the
/// operation has one.
pub(crate) fn request(ctx: &Ctx, op: &Operation, input: &TypePlan) -> TokenStream {
    let rt = rt::runtime();
    let (action, version) = (&op.name, &ctx.service.api_version);
    let request = match ctx.service.protocol {
        Protocol::Ec2Query => quote! { #rt::Request::ec2_query(#action, #version, self) },
        _ => quote! { #rt::Request::aws_query(#action, #version, self) },
    };
    match host_prefix(op, input) {
        Some(prefix) => quote! { #request #prefix },
        None => quote! { Ok(#request) },
    }
}

/// The output's members from the result wrapper, and the request id from `ResponseMetadata`
/// (EC2: from the root, and its `requestId`).
pub(crate) fn parse_output(ctx: &Ctx, op: &Operation, output_name: &Ident) -> TokenStream {
    let rt = rt::runtime();
    if ctx.service.protocol == Protocol::Ec2Query {
        return quote! {
            let (mut output, request_id) = #rt::query::ec2_output::<#output_name>(response)?;
            output._request_id = request_id;
            Ok(output)
        };
    }
    // Smithy's awsQuery always wraps the output in `{Operation}Result`; botocore models say so.
    let wrapper = op.result_wrapper.clone().unwrap_or_else(|| format!("{}Result", op.name));
    quote! {
        let (mut output, request_id) = #rt::query::output::<#output_name>(response, #wrapper)?;
        output._request_id = request_id;
        Ok(output)
    }
}

pub(super) fn to_query_struct<'a>(name: &Ident, fields: impl IntoIterator<Item = &'a FieldPlan>) -> TokenStream {
    let writes: Vec<TokenStream> = fields
        .into_iter()
        .map(|m| {
            let field = ident(&m.rust_name);
            let key = &m.xml.form_key;
            let layout = layout(&m.xml.layout);
            quote! { form.member(prefix, #key, &self.#field, &#layout); }
        })
        .collect();
    let (form, prefix) =
        if writes.is_empty() { (quote! { _ }, quote! { _ }) } else { (quote! { form }, quote! { prefix }) };
    quote! {
        impl query::ToQuery for #name {
            fn to_query(&self, #form: &mut query::Form, #prefix: &str, _: &xml::Layout) {
                #(#writes)*
            }
        }
    }
}

/// A union sends its one set member, as a structure would.
pub(super) fn to_query_union(name: &Ident, fields: &[FieldPlan]) -> TokenStream {
    let arms = fields.iter().map(|m| {
        let (variant, key) = (ident(&m.rust_name), &m.xml.form_key);
        let layout = layout(&m.xml.layout);
        quote! { Self::#variant(value) => form.member(prefix, #key, value, &#layout), }
    });
    quote! {
        impl query::ToQuery for #name {
            fn to_query(&self, form: &mut query::Form, prefix: &str, _: &xml::Layout) {
                match self {
                    #(#arms)*
                    Self::Unknown => {}
                }
            }
        }
    }
}

pub(super) fn to_query_enum(name: &Ident) -> TokenStream {
    quote! {
        impl query::ToQuery for #name {
            fn to_query(&self, form: &mut query::Form, key: &str, _: &xml::Layout) {
                form.push(key, self.as_str());
            }
        }
    }
}
