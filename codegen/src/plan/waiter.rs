//! A waiter, decided: its locked method name, timing, and each acceptor compiled to a condition
//! on one side of a poll. A waiter whose acceptors can't be compiled is refused here, once.

use crate::ir::{AcceptorState, Docs, Matcher, Operation, Shape, ShapeId, Waiter};
use crate::jmespath::{self, compile};
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
pub struct WaiterPlan {
    /// The model's name (`TableExists`).
    pub name: String,
    /// The builder method that runs it, pinned by the names lock (`wait_until_table_exists`).
    pub method: String,
    pub docs: Docs,
    /// Seconds between polls, at least.
    pub delay: u32,
    /// `u32::MAX`: only the caller's `max_wait` bounds it (Smithy waiters).
    pub max_attempts: u32,
    /// The acceptors that look at an output, then those that look at an error, each in model order
    /// (an output and an error never match the same acceptor).
    pub on_output: Vec<Acceptor>,
    pub on_error: Vec<Acceptor>,
    /// The model's acceptors, as api-diff describes the waiter's behaviour.
    pub model: Vec<crate::ir::Acceptor>,
}

#[derive(Debug, Clone)]
pub struct Acceptor {
    pub condition: Condition,
    pub state: AcceptorState,
}

#[derive(Debug, Clone)]
pub enum Condition {
    /// Any poll on its side: a 2xx status, or "no error".
    Always,
    /// Compiled JMESPath over `output`, as a runtime `jmespath::Value`, tested against `expected`.
    Path { value: TokenStream, test: PathTest, expected: TokenStream },
    /// An error with this HTTP status.
    Status(u16),
    /// An error with this code.
    ErrorCode(String),
    /// Any error the service answered.
    ServiceError,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathTest {
    Equals,
    AllEqual,
    AnyEqual,
}

/// The plan of `waiter`, polling `op`, or why it can't be generated.
pub(crate) fn plan(shapes: &BTreeMap<ShapeId, Shape>, op: &Operation, waiter: &Waiter) -> Result<WaiterPlan, String> {
    let (mut on_output, mut on_error) = (Vec::new(), Vec::new());
    for acceptor in &waiter.acceptors {
        let condition = condition(shapes, op, &acceptor.matcher)?;
        let side = match condition {
            Condition::Always | Condition::Path { .. } => &mut on_output,
            Condition::Status(_) | Condition::ErrorCode(_) | Condition::ServiceError => &mut on_error,
        };
        side.push(Acceptor { condition, state: acceptor.state });
    }
    Ok(WaiterPlan {
        name: waiter.name.clone(),
        method: waiter.method.clone(),
        docs: waiter.docs.clone(),
        delay: waiter.delay,
        max_attempts: waiter.max_attempts,
        on_output,
        on_error,
        model: waiter.acceptors.clone(),
    })
}

fn condition(shapes: &BTreeMap<ShapeId, Shape>, op: &Operation, matcher: &Matcher) -> Result<Condition, String> {
    let (expression, expected, test) = match matcher {
        Matcher::Status(status) if (200..300).contains(status) => return Ok(Condition::Always),
        Matcher::Status(status) => return Ok(Condition::Status(*status)),
        Matcher::Error(serde_json::Value::String(code)) => return Ok(Condition::ErrorCode(code.clone())),
        Matcher::Error(serde_json::Value::Bool(true)) => return Ok(Condition::ServiceError),
        Matcher::Error(_) => return Ok(Condition::Always),
        Matcher::Unsupported(why) => return Err(why.clone()),
        Matcher::Path { expression, expected } => (expression, expected, PathTest::Equals),
        Matcher::PathAll { expression, expected } => (expression, expected, PathTest::AllEqual),
        Matcher::PathAny { expression, expected } => (expression, expected, PathTest::AnyEqual),
    };
    let output = op.output.as_deref().ok_or("a path acceptor on an operation without output")?;
    let parsed = jmespath::parse(expression).map_err(|e| format!("\"{expression}\": {e}"))?;
    let root = compile::Compiled::variable(quote! { output }, output);
    let value = compile::compile(shapes, &parsed, &root)
        .and_then(|compiled| compile::value(shapes, &compiled))
        .map_err(|e| format!("\"{expression}\": {e}"))?;
    let expected = compile::literal_value(expected)?;
    Ok(Condition::Path { value, test, expected })
}
