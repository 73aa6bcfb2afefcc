//! Waiters: a `wait_until_*()` method on the operation's builder, and one function per waiter
//! that runs its acceptors, in order, over a poll's result; printed from the `WaiterPlan`s. The
//! loop is the runtime's.

use super::rt;
use super::types::ident;
use crate::ir::{AcceptorState, OperationNames};
use crate::jmespath::compile::mentions;
use crate::plan::waiter::{Acceptor, Condition, PathTest};
use crate::plan::WaiterPlan;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The waiters of one operation, `op` its model name.
pub(crate) fn waiters(op: &str, names: &OperationNames, plans: &[WaiterPlan]) -> TokenStream {
    if plans.is_empty() {
        return TokenStream::new();
    }
    let rt = rt::runtime();
    let (input, builder) = (ident(&names.input), ident(&names.input_builder));
    let methods = plans.iter().map(|waiter| {
        let method = ident(&waiter.method);
        let (delay, attempts) = (u64::from(waiter.delay), waiter.max_attempts);
        let doc = docs(op, waiter);
        // The acceptor function shares the method's name.
        quote! {
            #doc
            pub fn #method(self) -> #rt::waiter::Waiter<#input> {
                let client = self.client.inner.clone();
                #rt::waiter::Waiter::new(client, self.build(), #method, ::std::time::Duration::from_secs(#delay), #attempts)
            }
        }
    });
    let functions = plans.iter().map(|waiter| acceptors(&input, waiter));
    quote! {
        impl #builder<crate::Client> {
            #(#methods)*
        }
        #(#functions)*
    }
}

fn docs(op: &str, waiter: &WaiterPlan) -> TokenStream {
    let mut lines: Vec<String> = match &waiter.docs.0 {
        Some(text) => super::docs::to_markdown(text).lines().map(str::to_owned).collect(),
        None => vec![format!("Waits for {} ({op}).", waiter.name)],
    };
    lines.push(String::new());
    let limit = match waiter.max_attempts {
        u32::MAX => String::new(), // Smithy waiters: only the caller's `max_wait` bounds them
        attempts => format!(", at most {attempts} times"),
    };
    lines.push(format!("Polls {op} every {} s or more{limit}; `.wait(max_wait)` runs it.", waiter.delay));
    let lines = lines.iter().map(|line| format!(" {line}").trim_end().to_owned());
    quote! { #( #[doc = #lines] )* }
}

/// `fn wait_until_table_exists(poll) -> Option<State>`: the first acceptor that matches decides.
fn acceptors(input: &proc_macro2::Ident, waiter: &WaiterPlan) -> TokenStream {
    let rt = rt::runtime();
    let name = ident(&waiter.method);
    let on_output: Vec<Decision> = waiter.on_output.iter().map(decision).collect();
    let on_error: Vec<Decision> = waiter.on_error.iter().map(decision).collect();
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
    quote! {
        fn #name(poll: &#rt::waiter::Poll<#input>) -> Option<#rt::waiter::State> {
            #imports
            use #rt::waiter::State;
            #body
        }
    }
}

/// An acceptor's condition (over `output` or `error`; `None`: always) and what it decides.
type Decision = (Option<TokenStream>, TokenStream);

fn decision(acceptor: &Acceptor) -> Decision {
    let rt = rt::runtime();
    let condition = match &acceptor.condition {
        Condition::Always => None,
        Condition::Status(status) => Some(quote! { error.status() == Some(#status) }),
        Condition::ErrorCode(code) => Some(quote! { error.code() == Some(#code) }),
        Condition::ServiceError => Some(quote! { matches!(error, #rt::SdkError::Service(_)) }),
        Condition::Path { value, test, expected } => {
            let test = match test {
                PathTest::Equals => quote! { equals },
                PathTest::AllEqual => quote! { all_equal },
                PathTest::AnyEqual => quote! { any_equal },
            };
            Some(quote! { #value.#test(&#expected) })
        }
    };
    let state = match acceptor.state {
        AcceptorState::Success => quote! { Success },
        AcceptorState::Failure => quote! { Failure },
        AcceptorState::Retry => quote! { Retry },
    };
    (condition, quote! { Some(State::#state) })
}

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
