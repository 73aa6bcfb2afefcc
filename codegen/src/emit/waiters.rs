//! Waiters: a `wait_until_*()` method on the operation's builder, and one function per waiter
//! that runs its acceptors, in order, over a poll's result. The loop is the runtime's.

use super::operations::build_is_fallible;
use super::rt;
use super::types::ident;
use crate::ir::{AcceptorState, Matcher, Operation, Shape, ShapeId, Waiter};
use crate::jmespath::{self, compile, compile::mentions};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::collections::BTreeMap;

/// The waiters of one operation.
pub(crate) fn waiters(
    shapes: &BTreeMap<ShapeId, Shape>,
    op: &Operation,
    input: &Shape,
) -> Result<Option<TokenStream>, String> {
    if op.waiters.is_empty() {
        return Ok(None);
    }
    let rt = rt::runtime();
    let (input_name, builder) = (ident(&op.names.input), ident(&op.names.input_builder));
    let built = if build_is_fallible(input) {
        quote! { self.build() }
    } else {
        quote! { Ok(self.build()) }
    };
    let mut methods = Vec::new();
    let mut functions = Vec::new();
    for waiter in &op.waiters {
        // The acceptor function shares the method's name: never a keyword, whatever the model says.
        let method = ident(&crate::naming::waiter_method(&waiter.name));
        let name = method.clone();
        let (delay, attempts) = (u64::from(waiter.delay), waiter.max_attempts);
        let mut lines: Vec<String> = match &waiter.docs.0 {
            Some(text) => super::docs::to_markdown(text).lines().map(str::to_owned).collect(),
            None => vec![format!("Waits for {} ({}).", waiter.name, op.name)],
        };
        lines.push(String::new());
        let limit = match attempts {
            u32::MAX => String::new(), // Smithy waiters: only the caller's `max_wait` bounds them
            attempts => format!(", at most {attempts} times"),
        };
        lines.push(format!("Polls {} every {delay} s or more{limit}; `.wait(max_wait)` runs it.", op.name));
        let lines = lines.iter().map(|line| format!(" {line}").trim_end().to_owned());
        let doc = quote! { #( #[doc = #lines] )* };
        methods.push(quote! {
            #doc
            pub fn #method(self) -> #rt::waiter::Waiter<#input_name> {
                let client = self.client.clone();
                #rt::waiter::Waiter::new(client, #built, #name, ::std::time::Duration::from_secs(#delay), #attempts)
            }
        });
        functions.push(acceptors(shapes, op, waiter, &name)?);
    }
    Ok(Some(quote! {
        impl #builder {
            #(#methods)*
        }
        #(#functions)*
    }))
}

/// Whether every acceptor of `waiter` compiles against the operation's output.
pub(crate) fn check(shapes: &BTreeMap<ShapeId, Shape>, op: &Operation, waiter: &Waiter) -> Result<(), String> {
    acceptors(shapes, op, waiter, &format_ident!("check")).map(drop)
}

/// `fn wait_until_table_exists(poll) -> Option<State>`: the first acceptor that matches decides. An output
/// and an error never match the same acceptor, so each side keeps its acceptors in model order.
fn acceptors(
    shapes: &BTreeMap<ShapeId, Shape>,
    op: &Operation,
    waiter: &Waiter,
    name: &proc_macro2::Ident,
) -> Result<TokenStream, String> {
    let rt = rt::runtime();
    let input = ident(&op.names.input);
    let (mut on_output, mut on_error) = (Vec::new(), Vec::new());
    for acceptor in &waiter.acceptors {
        let state = match acceptor.state {
            AcceptorState::Success => quote! { Success },
            AcceptorState::Failure => quote! { Failure },
            AcceptorState::Retry => quote! { Retry },
        };
        let (condition, side) = match condition(shapes, op, &acceptor.matcher)? {
            Side::Output(condition) => (condition, &mut on_output),
            Side::Error(condition) => (condition, &mut on_error),
        };
        side.push((condition, quote! { Some(State::#state) }));
    }
    let (output, on_output) = (binding(&on_output, "output"), decide(on_output));
    let (error, on_error) = (binding(&on_error, "error"), decide(on_error));
    let body = quote! {
        match poll {
            Ok(#output) => { #on_output }
            Err(#error) => { #on_error }
        }
    };
    let imports: Vec<_> = ["Comparator", "Value"]
        .into_iter()
        .filter(|name| mentions(&body, name))
        .map(|name| format_ident!("{name}"))
        .collect();
    let imports = (!imports.is_empty()).then(|| quote! { use #rt::jmespath::{#(#imports),*}; });
    Ok(quote! {
        fn #name(poll: &#rt::waiter::Poll<#input>) -> Option<#rt::waiter::State> {
            #imports
            use #rt::waiter::State;
            #body
        }
    })
}

/// Which side of a poll an acceptor looks at, and its condition there (over `output` or `error`;
/// `None`: always).
enum Side {
    Output(Option<TokenStream>),
    Error(Option<TokenStream>),
}

type Decision = (Option<TokenStream>, TokenStream);

/// One side's acceptors as a block's statements and value: the first that always matches ends it.
fn decide(acceptors: Vec<Decision>) -> TokenStream {
    let mut statements = Vec::new();
    for (condition, decision) in acceptors {
        let Some(condition) = condition else {
            return quote! { #(#statements)* #decision };
        };
        statements.push(quote! {
            if #condition {
                return #decision;
            }
        });
    }
    quote! { #(#statements)* None }
}

/// `name` if some condition reads it, else `_`.
fn binding(acceptors: &[Decision], name: &str) -> TokenStream {
    let used = acceptors.iter().filter_map(|(condition, _)| condition.as_ref()).any(|c| mentions(c, name));
    if used {
        let name = format_ident!("{name}");
        quote! { #name }
    } else {
        quote! { _ }
    }
}

fn condition(shapes: &BTreeMap<ShapeId, Shape>, op: &Operation, matcher: &Matcher) -> Result<Side, String> {
    let rt = rt::runtime();
    let (expression, expected, test) = match matcher {
        Matcher::Status(status) if (200..300).contains(status) => return Ok(Side::Output(None)),
        Matcher::Status(status) => return Ok(Side::Error(Some(quote! { error.status() == Some(#status) }))),
        Matcher::Error(serde_json::Value::String(code)) => {
            return Ok(Side::Error(Some(quote! { error.code() == Some(#code) })))
        }
        Matcher::Error(serde_json::Value::Bool(true)) => {
            return Ok(Side::Error(Some(quote! { matches!(error, #rt::SdkError::Service(_)) })))
        }
        Matcher::Error(_) => return Ok(Side::Output(None)),
        Matcher::Unsupported(why) => return Err(why.clone()),
        Matcher::Path { expression, expected } => (expression, expected, quote! { equals }),
        Matcher::PathAll { expression, expected } => (expression, expected, quote! { all_equal }),
        Matcher::PathAny { expression, expected } => (expression, expected, quote! { any_equal }),
    };
    let output = op.output.clone().ok_or("a path acceptor on an operation without output")?;
    let parsed = jmespath::parse(expression).map_err(|e| format!("\"{expression}\": {e}"))?;
    let root = compile::Compiled::variable(quote! { output }, &output);
    let value = compile::compile(shapes, &parsed, &root)
        .and_then(|compiled| compile::value(shapes, &compiled))
        .map_err(|e| format!("\"{expression}\": {e}"))?;
    let expected = compile::literal_value(expected)?;
    Ok(Side::Output(Some(quote! { #value.#test(&#expected) })))
}
