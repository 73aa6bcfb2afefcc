//! `into_paginator()` and the `Paginate` impl: where the runtime's paginator loop finds an
//! operation's tokens, page size and items, printed from the operation's `PaginatorPlan`.

use super::rt;
use super::types::ident;
use crate::ir::OperationNames;
use crate::plan::paginator::{Absent, Field, FieldPath, Items, OutputValue, PageSizeUnit, SingleMerge};
use crate::plan::PaginatorPlan;
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

/// `into_paginator()`, and where the paginator loop finds tokens, page size and items.
pub(crate) fn paginator(names: &OperationNames, plan: &PaginatorPlan) -> TokenStream {
    let rt = rt::runtime();
    let item = &plan.item;
    let output_root = quote! { output };
    let taken = take(&plan.primary, &output_root);
    let store = |items: TokenStream| store(&plan.primary, &output_root, items);
    let (take_items, put_items) = match plan.items {
        Items::List => (taken, store(quote! { items })),
        Items::Map => (
            quote! { #taken.map(|map| map.into_iter().collect()) },
            store(quote! { items.map(|items| items.into_iter().collect()) }),
        ),
        Items::Single => {
            (quote! { #taken.map(|item| vec![item]) }, store(quote! { items.and_then(|mut items| items.pop()) }))
        }
    };
    let nexts: Vec<TokenStream> = plan.output_tokens.iter().map(|t| present(&t.value, t.absent_when)).collect();
    let (token_type, next_token, token, set_token) = tokens(&plan.input_tokens, &nexts);
    let more_results = plan.more_results.as_ref().map(|more| {
        let done = match more {
            OutputValue::Field(Field { name, optional: true, .. }) => {
                let more = ident(name);
                quote! { output.#more != Some(true) }
            }
            OutputValue::Field(Field { name, .. }) => {
                let more = ident(name);
                quote! { !output.#more }
            }
            OutputValue::Place(path) => quote! { !#path },
            OutputValue::Found(code) => quote! { #code != Some(&true) },
        };
        quote! {
            if #done {
                return None;
            }
        }
    });
    let set_page_size = match &plan.page_size {
        Some(size) => {
            let field = ident(&size.field.name);
            let value = match size.unit {
                PageSizeUnit::Text => quote! { size.to_string() },
                PageSizeUnit::I64 => quote! { i64::from(size) },
                PageSizeUnit::I32 => quote! { size },
            };
            let value = if size.field.optional {
                quote! { Some(#value) }
            } else {
                value
            };
            quote! {
                self.#field = #value;
                true
            }
        }
        None => quote! { let _ = size; false },
    };
    let mut merges: Vec<TokenStream> = plan.appended.iter().map(merge).collect();
    if let Some(single) = plan.single {
        merges.push(merge_single(plan.primary.last(), single));
    }
    let page = if plan.appended.iter().any(takes_from_page) {
        quote! { mut page }
    } else {
        quote! { page }
    };
    let (input_name, output_name, builder) = (ident(&names.input), ident(&names.output), ident(&names.input_builder));
    quote! {
        impl #builder<crate::Client> {
            /// Pages through every result: `.send()` streams pages, `.items()` streams items,
            /// `.collect_all()` gathers them. A repeated token ends the run with an error.
            pub fn into_paginator(self) -> #rt::pagination::Paginator<#input_name> {
                #rt::pagination::Paginator::new(self.client.inner.clone(), self.build())
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
    }
}

/// A field's value: copied for numbers, else cloned (clippy: clone_on_copy).
fn copied(field: &Field) -> TokenStream {
    let name = ident(&field.name);
    if field.copy {
        quote! { #name }
    } else {
        quote! { #name.clone() }
    }
}

/// A token of the output as an `Option`, absent when botocore would call it falsy.
fn present(value: &OutputValue, absent_when: Absent) -> TokenStream {
    let value = match value {
        OutputValue::Field(field) => {
            let copied = copied(field);
            if field.optional {
                quote! { output.#copied }
            } else {
                quote! { Some(output.#copied) }
            }
        }
        OutputValue::Place(path) => quote! { Some(#path.clone()) },
        OutputValue::Found(code) => quote! { #code.cloned() },
    };
    let filter = match absent_when {
        Absent::Empty => quote! { .filter(|t| !t.is_empty()) },
        Absent::Zero => quote! { .filter(|t| *t != 0) },
        Absent::Unset => quote! {},
    };
    quote! { #value #filter }
}

/// The token's type, the next token of a page, the input's token and its assignment. Several
/// tokens travel together as a tuple; the run goes on while any is present.
fn tokens(inputs: &[Field], nexts: &[TokenStream]) -> (TokenStream, TokenStream, TokenStream, TokenStream) {
    let read = |field: &Field| {
        let copied = copied(field);
        if field.optional {
            quote! { self.#copied }
        } else {
            quote! { Some(self.#copied) }
        }
    };
    let write = |field: &Field, token: TokenStream| {
        let name = ident(&field.name);
        if field.optional {
            quote! { self.#name = #token; }
        } else {
            quote! { self.#name = #token.unwrap_or_default(); }
        }
    };
    if let ([input], [next]) = (inputs, nexts) {
        let token_type = &input.ty;
        return (quote! { #token_type }, next.clone(), read(input), write(input, quote! { token }));
    }
    let types = inputs.iter().map(|field| &field.ty);
    let indexes = (0..inputs.len()).map(syn::Index::from);
    let parts: Vec<Ident> = (0..inputs.len()).map(|i| format_ident!("token{i}")).collect();
    let reads = inputs.iter().map(read);
    let writes = inputs.iter().zip(&parts).map(|(field, part)| write(field, quote! { #part }));
    (
        quote! { (#(Option<#types>,)*) },
        quote! {
            let tokens = (#(#nexts,)*);
            (#(tokens.#indexes.is_some())||*).then_some(tokens)
        },
        quote! { Some((#(#reads,)*)) },
        quote! {
            let (#(#parts,)*) = token.unwrap_or_default();
            #(#writes)*
        },
    )
}

/// Where a result key's structure is: `Place(output.a)`, or `Found(Option<&mut A>)`.
enum Parent {
    Place(TokenStream),
    Found(TokenStream),
}

/// The structure holding the last field: a place while the fields on the way are required
/// (`output.stream_description`), else an `Option<&mut Parent>`.
fn parent(path: &FieldPath, root: &TokenStream) -> Parent {
    let mut parent = Parent::Place(root.clone());
    for field in path.parents() {
        let name = ident(&field.name);
        parent = match (parent, field.optional) {
            (Parent::Place(place), false) => Parent::Place(quote! { #place.#name }),
            (Parent::Place(place), true) => Parent::Found(quote! { #place.#name.as_mut() }),
            (Parent::Found(code), false) => Parent::Found(quote! { #code.map(|x| &mut x.#name) }),
            (Parent::Found(code), true) => Parent::Found(quote! { #code.and_then(|x| x.#name.as_mut()) }),
        };
    }
    parent
}

/// The items taken out of `root`, as an `Option` (a required field is always there).
fn take(path: &FieldPath, root: &TokenStream) -> TokenStream {
    let (last, optional) = (ident(&path.last().name), path.last().optional);
    match (parent(path, root), optional) {
        (Parent::Place(place), true) => quote! { #place.#last.take() },
        (Parent::Place(place), false) => quote! { Some(::std::mem::take(&mut #place.#last)) },
        (Parent::Found(parent), true) => quote! { #parent.and_then(|x| x.#last.take()) },
        (Parent::Found(parent), false) => quote! { #parent.map(|x| ::std::mem::take(&mut x.#last)) },
    }
}

/// Puts `items` (an `Option`) back where `take` found them.
fn store(path: &FieldPath, root: &TokenStream, items: TokenStream) -> TokenStream {
    let (last, optional) = (ident(&path.last().name), path.last().optional);
    let items = if optional {
        items
    } else {
        quote! { #items.unwrap_or_default() }
    };
    match parent(path, root) {
        Parent::Place(place) => quote! { #place.#last = #items; },
        Parent::Found(parent) => quote! {
            if let Some(x) = #parent {
                x.#last = #items;
            }
        },
    }
}

/// Appends `page`'s items to `into`'s, creating the structures on the way if `into` lacks them.
fn merge(path: &FieldPath) -> TokenStream {
    let rt = rt::runtime();
    let (last, optional) = (ident(&path.last().name), path.last().optional);
    let mut place = quote! { into };
    for field in path.parents() {
        let name = ident(&field.name);
        place = if field.optional {
            quote! { #place.#name.get_or_insert_with(Default::default) }
        } else {
            quote! { #place.#name }
        };
    }
    // Through required fields the page's items move out; through optional ones they are taken.
    let items = match parent(path, &quote! { page }) {
        Parent::Place(page) => quote! { #page.#last },
        Parent::Found(_) if optional => take(path, &quote! { page }),
        Parent::Found(_) => {
            let items = take(path, &quote! { page });
            quote! { #items.unwrap_or_default() }
        }
    };
    if optional {
        quote! { #rt::pagination::append(&mut #place.#last, #items); }
    } else {
        quote! { #place.#last.extend(#items); }
    }
}

/// A top-level result key that is not a list, merged as the plan says.
fn merge_single(field: &Field, merge: SingleMerge) -> TokenStream {
    let last = ident(&field.name);
    match (field.optional, merge) {
        (true, SingleMerge::Join) => quote! {
            if let Some(text) = page.#last {
                into.#last.get_or_insert_with(String::new).push_str(&text);
            }
        },
        (false, SingleMerge::Join) => quote! { into.#last.push_str(&page.#last); },
        (true, SingleMerge::First) => quote! {
            if into.#last.is_none() {
                into.#last = page.#last;
            }
        },
        (false, SingleMerge::First) => quote! { let _ = page; },
    }
}

/// Whether merging takes from the page through an `Option` (and so needs it mutable).
fn takes_from_page(path: &FieldPath) -> bool {
    matches!(parent(path, &quote! { page }), Parent::Found(_))
}
