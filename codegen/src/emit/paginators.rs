//! `into_paginator()` and the `Paginate` impl: where the runtime's paginator loop finds an
//! operation's tokens, page size and items.

use super::operations::{build_is_fallible, members};
use super::types::{element_type, ident, value_type};
use super::{rt, Ctx};
use crate::ir::{Member, Operation, Pagination, Shape, ShapeKind};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

/// `into_paginator()`, and where the paginator loop finds tokens, page size and items.
pub(crate) fn paginator(
    ctx: &Ctx,
    op: &Operation,
    pager: &Pagination,
    input: &Shape,
    output: &Shape,
) -> Option<TokenStream> {
    let rt = rt::runtime();
    let find = |shape: &Shape, name: &str| members(shape).iter().find(|m| m.name == name).cloned();
    let kind = |m: &Member| ctx.service.shapes.get(&m.target).map(|s| &s.kind);
    let input_tokens: Vec<Member> = pager.input_tokens.iter().map(|t| find(input, t)).collect::<Option<_>>()?;
    let output_tokens: Vec<Member> = pager.output_tokens.iter().map(|t| find(output, t)).collect::<Option<_>>()?;
    let results: Vec<Member> = pager.result_keys.iter().map(|k| find(output, k)).collect::<Option<_>>()?;
    let primary = results.first()?;
    let primary_field = ident(&primary.rust_name);
    let primary_shape = ctx.service.shapes.get(&primary.target)?;
    // The runtime deals in `Option`s; a required (plain) member is always present.
    let taken = if primary.optional {
        quote! { output.#primary_field.take() }
    } else {
        quote! { Some(::std::mem::take(&mut output.#primary_field)) }
    };
    let store = |items: TokenStream| {
        if primary.optional {
            quote! { output.#primary_field = #items; }
        } else {
            quote! { output.#primary_field = #items.unwrap_or_default(); }
        }
    };
    let (item, take_items, put_items) = match kind(primary)? {
        ShapeKind::List { member } => (element_type(ctx, primary_shape, member), taken, store(quote! { items })),
        ShapeKind::Map { key, value } => {
            let (key, value) = (value_type(ctx, key), element_type(ctx, primary_shape, value));
            (
                quote! { (#key, #value) },
                quote! { #taken.map(|map| map.into_iter().collect()) },
                store(quote! { items.map(|items| items.into_iter().collect()) }),
            )
        }
        _ => return None,
    };

    // A token counts only when set and not empty (botocore treats every falsy value as absent).
    let present = |m: &Member| {
        let field = ident(&m.rust_name);
        let value = if m.optional {
            quote! { output.#field.clone() }
        } else {
            quote! { Some(output.#field.clone()) }
        };
        let filter = match kind(m) {
            Some(ShapeKind::String | ShapeKind::List { .. } | ShapeKind::Map { .. }) => {
                quote! { .filter(|t| !t.is_empty()) }
            }
            Some(ShapeKind::Integer | ShapeKind::Long) => quote! { .filter(|t| *t != 0) },
            _ => quote! {},
        };
        quote! { #value #filter }
    };
    // An input token as an `Option`, and the assignment of one.
    let read = |m: &Member| {
        let field = ident(&m.rust_name);
        if m.optional {
            quote! { self.#field.clone() }
        } else {
            quote! { Some(self.#field.clone()) }
        }
    };
    let write = |m: &Member, token: TokenStream| {
        let field = ident(&m.rust_name);
        if m.optional {
            quote! { self.#field = #token; }
        } else {
            quote! { self.#field = #token.unwrap_or_default(); }
        }
    };
    let types: Vec<TokenStream> = input_tokens.iter().map(|m| value_type(ctx, &m.target)).collect();
    let (token_type, next_token, token, set_token) =
        if let ([input_token], [output_token]) = (&input_tokens[..], &output_tokens[..]) {
            let token_type = &types[0];
            (quote! { #token_type }, present(output_token), read(input_token), write(input_token, quote! { token }))
        } else {
            // Several tokens travel together as a tuple; the run goes on while any is present.
            let nexts = output_tokens.iter().map(present);
            let indexes = (0..input_tokens.len()).map(syn::Index::from);
            let parts: Vec<Ident> = (0..input_tokens.len()).map(|i| format_ident!("token{i}")).collect();
            (
                quote! { (#(Option<#types>,)*) },
                quote! {
                    let tokens = (#(#nexts,)*);
                    (#(tokens.#indexes.is_some())||*).then_some(tokens)
                },
                {
                    let reads = input_tokens.iter().map(read);
                    quote! { Some((#(#reads,)*)) }
                },
                {
                    let writes = input_tokens.iter().zip(&parts).map(|(m, part)| write(m, quote! { #part }));
                    quote! {
                        let (#(#parts,)*) = token.unwrap_or_default();
                        #(#writes)*
                    }
                },
            )
        };
    let more_results = pager.more_results.as_ref().and_then(|m| find(output, m)).map(|m| {
        let more = ident(&m.rust_name);
        let done = if m.optional {
            quote! { output.#more != Some(true) }
        } else {
            quote! { !output.#more }
        };
        quote! {
            if #done {
                return None;
            }
        }
    });
    let set_page_size = match pager.limit_key.as_ref().and_then(|k| find(input, k)) {
        Some(limit) => {
            let limit_field = ident(&limit.rust_name);
            let value = match kind(&limit) {
                Some(ShapeKind::String) => quote! { size.to_string() },
                Some(ShapeKind::Long) => quote! { i64::from(size) },
                _ => quote! { size },
            };
            let value = if limit.optional {
                quote! { Some(#value) }
            } else {
                value
            };
            quote! {
                self.#limit_field = #value;
                true
            }
        }
        None => quote! { let _ = size; false },
    };
    let merges = results.iter().filter_map(|m| {
        let field = ident(&m.rust_name);
        match kind(m)? {
            ShapeKind::List { .. } | ShapeKind::Map { .. } if m.optional => {
                Some(quote! { #rt::pagination::append(&mut into.#field, page.#field); })
            }
            ShapeKind::List { .. } | ShapeKind::Map { .. } => Some(quote! { into.#field.extend(page.#field); }),
            _ => None,
        }
    });
    let (input_name, output_name, builder) =
        (ident(&op.names.input), ident(&op.names.output), ident(&op.names.input_builder));
    let built = if build_is_fallible(input) {
        quote! { self.build() }
    } else {
        quote! { Ok(self.build()) }
    };
    Some(quote! {
        impl #builder {
            /// Pages through every result: `.send()` streams pages, `.items()` streams items,
            /// `.collect_all()` gathers them. A repeated token ends the run with an error.
            pub fn into_paginator(self) -> #rt::pagination::Paginator<#input_name> {
                #rt::pagination::Paginator::new(self.client.clone(), #built)
            }
        }

        impl #rt::pagination::Paginate for #input_name {
            type Token = #token_type;
            type Item = #item;

            fn next_token(output: &#output_name) -> Option<Self::Token> {
                #more_results
                #next_token
            }

            fn token(&self) -> Option<Self::Token> {
                #token
            }

            fn set_token(&mut self, token: Option<Self::Token>) {
                #set_token
            }

            fn set_page_size(&mut self, size: i32) -> bool {
                #set_page_size
            }

            fn take_items(output: &mut #output_name) -> Option<Vec<#item>> {
                #take_items
            }

            fn put_items(output: &mut #output_name, items: Option<Vec<#item>>) {
                #put_items
            }

            fn merge(into: &mut #output_name, page: #output_name) {
                #(#merges)*
            }
        }
    })
}
