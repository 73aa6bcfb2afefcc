//! `into_paginator()` and the `Paginate` impl: where the runtime's paginator loop finds an
//! operation's tokens, page size and items.

use super::operations::{build_is_fallible, members};
use super::types::{element_type, ident, value_type};
use super::{rt, Ctx};
use crate::ir::{member_path, Member, Operation, Pagination, Shape, ShapeId, ShapeKind};
use crate::jmespath::{self, compile::compile, compile::Compiled};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use std::collections::BTreeMap;

/// `into_paginator()`, and where the paginator loop finds tokens, page size and items.
pub(crate) fn paginator(
    ctx: &Ctx,
    op: &Operation,
    pager: &Pagination,
    input: &Shape,
    output: &Shape,
) -> Option<TokenStream> {
    let rt = rt::runtime();
    let shapes = &ctx.service.shapes;
    let find = |shape: &Shape, name: &str| members(shape).iter().find(|m| m.name == name).cloned();
    let kind = |m: &Member| shapes.get(&m.target).map(|s| &s.kind);
    let input_tokens: Vec<Member> = pager.input_tokens.iter().map(|t| find(input, t)).collect::<Option<_>>()?;
    let output_id = op.output.as_deref()?;
    let results: Vec<ResultPath> = pager
        .result_keys
        .iter()
        .map(|key| member_path(shapes, output_id, key).ok().map(|members| ResultPath { members }))
        .collect::<Option<_>>()?;
    // The items: the first result key that is a list or map (botocore's others may be counts);
    // without one, the first result key's value, one item per page.
    let is_container =
        |path: &&ResultPath| matches!(kind(path.last()), Some(ShapeKind::List { .. } | ShapeKind::Map { .. }));
    let primary = results.iter().find(is_container).or_else(|| results.first().filter(|r| r.members.len() == 1))?;
    let primary_shape = shapes.get(&primary.last().target)?;
    let output_root = quote! { output };
    let taken = primary.take(&output_root);
    let store = |items: TokenStream| primary.store(&output_root, items);
    let (item, take_items, put_items) = match &primary_shape.kind {
        ShapeKind::List { member } => (element_type(ctx, primary_shape, member), taken, store(quote! { items })),
        ShapeKind::Map { key, value } => {
            let (key, value) = (value_type(ctx, key), element_type(ctx, primary_shape, value));
            (
                quote! { (#key, #value) },
                quote! { #taken.map(|map| map.into_iter().collect()) },
                store(quote! { items.map(|items| items.into_iter().collect()) }),
            )
        }
        _ => (
            value_type(ctx, &primary.last().target),
            quote! { #taken.map(|item| vec![item]) },
            store(quote! { items.and_then(|mut items| items.pop()) }),
        ),
    };

    // Numbers are copied, anything else cloned (clippy: clone_on_copy).
    let copied = |m: &Member| {
        let field = ident(&m.rust_name);
        match shapes.get(&m.target).map(|s| &s.kind) {
            Some(ShapeKind::Integer | ShapeKind::Long) => quote! { #field },
            _ => quote! { #field.clone() },
        }
    };
    // A token counts only when set and not empty (botocore treats every falsy value as absent).
    let present = |expression: &String| {
        let (value, target) = match find(output, expression) {
            Some(m) => {
                let field = copied(&m);
                let value = if m.optional {
                    quote! { output.#field }
                } else {
                    quote! { Some(output.#field) }
                };
                (value, m.target)
            }
            None => match output_expression(shapes, output_id, expression)? {
                Compiled::Bound { path, shape, .. } => (quote! { Some(#path.clone()) }, shape),
                Compiled::One { code, shape } => (quote! { #code.cloned() }, shape),
                _ => return None,
            },
        };
        let filter = match shapes.get(&target).map(|s| &s.kind) {
            Some(ShapeKind::String | ShapeKind::List { .. } | ShapeKind::Map { .. }) => {
                quote! { .filter(|t| !t.is_empty()) }
            }
            Some(ShapeKind::Integer | ShapeKind::Long) => quote! { .filter(|t| *t != 0) },
            _ => quote! {},
        };
        Some(quote! { #value #filter })
    };
    let nexts: Vec<TokenStream> = pager.output_tokens.iter().map(present).collect::<Option<_>>()?;
    // An input token as an `Option`, and the assignment of one.
    let read = |m: &Member| {
        let field = copied(m);
        if m.optional {
            quote! { self.#field }
        } else {
            quote! { Some(self.#field) }
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
    let (token_type, next_token, token, set_token) = if let ([input_token], [next]) = (&input_tokens[..], &nexts[..]) {
        let token_type = &types[0];
        (quote! { #token_type }, next.clone(), read(input_token), write(input_token, quote! { token }))
    } else {
        // Several tokens travel together as a tuple; the run goes on while any is present.
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
    let more_results = pager.more_results.as_ref().map(|more| {
        let done = match find(output, more) {
            Some(m) if m.optional => {
                let more = ident(&m.rust_name);
                quote! { output.#more != Some(true) }
            }
            Some(m) => {
                let more = ident(&m.rust_name);
                quote! { !output.#more }
            }
            None => match output_expression(shapes, output_id, more)? {
                Compiled::Bound { path, .. } => quote! { !#path },
                Compiled::One { code, .. } => quote! { #code != Some(&true) },
                _ => return None,
            },
        };
        Some(quote! {
            if #done {
                return None;
            }
        })
    });
    // `None`: an expression that does not compile (never, after `transform`) leaves the paginator out.
    let more_results = more_results.map_or(Some(None), |more| more.map(Some))?;
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
    let mut merges: Vec<TokenStream> = results.iter().filter(is_container).map(ResultPath::merge).collect();
    if !is_container(&primary) {
        merges.push(primary.merge_single(matches!(primary_shape.kind, ShapeKind::String)));
    }
    let page = if results.iter().filter(is_container).any(ResultPath::takes_from_page) {
        quote! { mut page }
    } else {
        quote! { page }
    };
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

            fn merge(into: &mut #output_name, #page: #output_name) {
                #(#merges)*
            }
        }
    })
}

/// An output token or `more_results` expression (`StreamDescription.Shards[-1].ShardId`) over
/// `output`: `transform` kept only paginators whose expressions compile to one value.
fn output_expression(shapes: &BTreeMap<ShapeId, Shape>, output: &str, expression: &str) -> Option<Compiled> {
    let root = Compiled::variable(quote! { output }, output);
    compile(shapes, &jmespath::parse(expression).ok()?, &root).ok()
}

/// The members from the output to a result key (`ResultSet.Rows`: two), and the code that takes
/// its items out of a page, puts them back and merges pages.
struct ResultPath<'a> {
    members: Vec<&'a Member>,
}

/// Where a result key's structure is: `Place(output.a)`, or `Found(Option<&mut A>)`.
enum Parent {
    Place(TokenStream),
    Found(TokenStream),
}

impl ResultPath<'_> {
    fn last(&self) -> &Member {
        self.members[self.members.len() - 1]
    }

    /// The structure holding the last member: a place while the members on the way are
    /// required (`output.stream_description`), else an `Option<&mut Parent>`.
    fn parent(&self, root: &TokenStream) -> Parent {
        let mut parent = Parent::Place(root.clone());
        for member in &self.members[..self.members.len() - 1] {
            let field = ident(&member.rust_name);
            parent = match (parent, member.optional) {
                (Parent::Place(place), false) => Parent::Place(quote! { #place.#field }),
                (Parent::Place(place), true) => Parent::Found(quote! { #place.#field.as_mut() }),
                (Parent::Found(code), false) => Parent::Found(quote! { #code.map(|x| &mut x.#field) }),
                (Parent::Found(code), true) => Parent::Found(quote! { #code.and_then(|x| x.#field.as_mut()) }),
            };
        }
        parent
    }

    /// The items taken out of `root`, as an `Option` (a required member is always there).
    fn take(&self, root: &TokenStream) -> TokenStream {
        let (last, optional) = (ident(&self.last().rust_name), self.last().optional);
        match (self.parent(root), optional) {
            (Parent::Place(place), true) => quote! { #place.#last.take() },
            (Parent::Place(place), false) => quote! { Some(::std::mem::take(&mut #place.#last)) },
            (Parent::Found(parent), true) => quote! { #parent.and_then(|x| x.#last.take()) },
            (Parent::Found(parent), false) => quote! { #parent.map(|x| ::std::mem::take(&mut x.#last)) },
        }
    }

    /// Puts `items` (an `Option`) back where `take` found them.
    fn store(&self, root: &TokenStream, items: TokenStream) -> TokenStream {
        let (last, optional) = (ident(&self.last().rust_name), self.last().optional);
        let items = if optional {
            items
        } else {
            quote! { #items.unwrap_or_default() }
        };
        match self.parent(root) {
            Parent::Place(place) => quote! { #place.#last = #items; },
            Parent::Found(parent) => quote! {
                if let Some(x) = #parent {
                    x.#last = #items;
                }
            },
        }
    }

    /// Appends `page`'s items to `into`'s, creating the structures on the way if `into` lacks them.
    fn merge(&self) -> TokenStream {
        let rt = rt::runtime();
        let (last, optional) = (ident(&self.last().rust_name), self.last().optional);
        let mut place = quote! { into };
        for member in &self.members[..self.members.len() - 1] {
            let field = ident(&member.rust_name);
            place = if member.optional {
                quote! { #place.#field.get_or_insert_with(Default::default) }
            } else {
                quote! { #place.#field }
            };
        }
        // Through required members the page's items move out; through optional ones they are taken.
        let items = match self.parent(&quote! { page }) {
            Parent::Place(page) => quote! { #page.#last },
            Parent::Found(_) if optional => self.take(&quote! { page }),
            Parent::Found(_) => {
                let items = self.take(&quote! { page });
                quote! { #items.unwrap_or_default() }
            }
        };
        if optional {
            quote! { #rt::pagination::append(&mut #place.#last, #items); }
        } else {
            quote! { #place.#last.extend(#items); }
        }
    }

    /// For a top-level result key that is not a list: text is joined page after page (RDS's
    /// log portions), a structure is the first page's, as botocore merges them.
    fn merge_single(&self, text: bool) -> TokenStream {
        let last = ident(&self.last().rust_name);
        match (self.last().optional, text) {
            (true, true) => quote! {
                if let Some(text) = page.#last {
                    into.#last.get_or_insert_with(String::new).push_str(&text);
                }
            },
            (false, true) => quote! { into.#last.push_str(&page.#last); },
            (true, false) => quote! {
                if into.#last.is_none() {
                    into.#last = page.#last;
                }
            },
            (false, false) => quote! { let _ = page; },
        }
    }

    /// Whether merging takes from the page through an `Option` (and so needs it mutable).
    fn takes_from_page(&self) -> bool {
        matches!(self.parent(&quote! { page }), Parent::Found(_))
    }
}
