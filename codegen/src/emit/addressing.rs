//! Where a request goes beyond its endpoint: a host prefix (`{AccountId}.`) filled from the
//! input's host labels, or a URL an input member holds (see `customize`).

use super::types::ident;
use crate::ir::Operation;
use crate::plan::TypePlan;
use proc_macro2::TokenStream;
use quote::quote;

/// Where the request goes, beyond the endpoint: the host prefix, or a URL the input holds.
pub(super) fn addressing(op: &Operation, input: &TypePlan) -> Vec<(TokenStream, bool)> {
    let prefix = host_prefix(op, input).map(|prefix| (prefix, true));
    let member = op.customized.endpoint_member.as_ref().and_then(|name| input.field(name));
    let endpoint = member.map(|m| {
        let field = ident(&m.rust_name);
        let url = if m.optional {
            quote! { self.#field.as_deref() }
        } else {
            quote! { Some(self.#field.as_str()) }
        };
        (quote! { .endpoint(#url) }, false)
    });
    prefix.into_iter().chain(endpoint).collect()
}

/// `.host_prefix("{Account}.", &[("Account", ...)])`, if the operation has a host prefix.
pub(super) fn host_prefix(op: &Operation, input: &TypePlan) -> Option<TokenStream> {
    let prefix = op.host_prefix.as_ref()?;
    let labels = input.fields.iter().filter(|m| m.host_label).map(|m| {
        let (name, field) = (&m.name, ident(&m.rust_name));
        if !m.optional {
            quote! { (#name, Some(&self.#field)) }
        } else {
            quote! { (#name, self.#field.as_ref()) }
        }
    });
    Some(quote! { .host_prefix(#prefix, &[#(#labels),*]) })
}
