//! The mock client: rules that answer operations with outputs or errors, and a log of the
//! requests they got. A generated crate's `Client::from_mocks(&mocks)` makes a client that
//! answers from them; nothing is sent.
//!
//! Two ways to answer, as aws-smithy-mocks and boto3's Stubber do:
//! - [`Mocks::new`]: each call goes to the first rule of its operation that matches the input
//!   and has a response left;
//! - [`Mocks::in_order`]: each call must be the one the next unused rule expects (operation and,
//!   with [`Rule::expect`], input), as Stubber checks.
//!
//! A call no rule answers panics, naming the operation and showing the input, so that a test
//! can't pass by swallowing the error.

use crate::error::SdkError;
use crate::protocol::Operation;
use std::any::Any;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

// Shared, so that they run without the rule's lock held: a closure may ask its rule what it got.
type Respond<O> = Arc<dyn Fn(&O) -> Result<<O as Operation>::Output, SdkError<<O as Operation>::Error>> + Send + Sync>;
type Matcher<O> = Arc<dyn Fn(&O) -> bool + Send + Sync>;

/// A rule for operation `O` (its input type, `ListBackendJobsInput`): which inputs it answers
/// and with what. Clones share their state, so a test can keep one to ask what it got.
pub struct Rule<O: Operation> {
    state: Arc<Mutex<RuleState<O>>>,
}

struct RuleState<O: Operation> {
    matcher: Option<Matcher<O>>,
    /// What [`Rule::expect`] asked for, shown when a request differs.
    expected: Option<String>,
    responses: Vec<Respond<O>>,
    repeat_last: bool,
    requests: Vec<O>,
    /// `Clone` and `Debug` of the input, kept here because [`Mocks`] answers calls knowing
    /// only `O: Operation`.
    clone: fn(&O) -> O,
    debug: fn(&O) -> String,
}

/// A rule for operation `O`, to be given responses: `mock::<ListBackendJobsInput>().then_output(..)`.
pub fn mock<O: Operation + Clone + fmt::Debug>() -> Rule<O> {
    let state = RuleState {
        matcher: None,
        expected: None,
        responses: Vec::new(),
        repeat_last: false,
        requests: Vec::new(),
        clone: O::clone,
        debug: |input| format!("{input:#?}"),
    };
    Rule { state: Arc::new(Mutex::new(state)) }
}

impl<O: Operation> Clone for Rule<O> {
    fn clone(&self) -> Self {
        Rule { state: self.state.clone() }
    }
}

impl<O: Operation> Rule<O> {
    /// Answer only inputs for which `matches` is true; others go to later rules.
    pub fn match_requests(self, matches: impl Fn(&O) -> bool + Send + Sync + 'static) -> Self {
        self.lock().matcher = Some(Arc::new(matches));
        self
    }

    /// Answer only this exact input (Stubber's `expected_params`). In [`Mocks::in_order`], any
    /// other input fails the call, showing both.
    pub fn expect(self, expected: O) -> Self
    where
        O: PartialEq,
    {
        let shown = (self.lock().debug)(&expected);
        self.lock().expected = Some(shown);
        self.match_requests(move |input| *input == expected)
    }

    /// Next, answer with this output.
    pub fn then_output(self, output: impl Fn() -> O::Output + Send + Sync + 'static) -> Self {
        self.then(move |_| Ok(output()))
    }

    /// Next, answer with this modeled error (`ListBackendJobsError::NotFound(..)`).
    pub fn then_error(self, error: impl Fn() -> O::Error + Send + Sync + 'static) -> Self {
        self.then(move |_| Err(SdkError::Service(error())))
    }

    /// Next, answer with whatever `respond` makes of the input: an output, a modeled error, or
    /// any other [`SdkError`] (a timeout, say).
    pub fn then(self, respond: impl Fn(&O) -> Result<O::Output, SdkError<O::Error>> + Send + Sync + 'static) -> Self {
        self.lock().responses.push(Arc::new(respond));
        self
    }

    /// Keep answering with the last response once the others are used. Without it, each
    /// response answers one call, in order.
    pub fn repeatedly(self) -> Self {
        self.lock().repeat_last = true;
        self
    }

    /// How many calls this rule answered.
    pub fn num_calls(&self) -> usize {
        self.lock().requests.len()
    }

    /// The inputs this rule answered, in order.
    pub fn requests(&self) -> Vec<O> {
        let state = self.lock();
        state.requests.iter().map(state.clone).collect()
    }

    fn matches(&self, input: &O) -> bool {
        let (exhausted, matcher) = {
            let state = self.lock();
            (state.exhausted(), state.matcher.clone())
        };
        !exhausted && matcher.is_none_or(|matches| matches(input))
    }

    /// What the rule expects beside what it got, for a panic message.
    fn describe(&self, input: &O) -> String {
        let state = self.lock();
        let expected = state.expected.as_deref().unwrap_or("(an input the rule's matcher accepts)");
        format!("expected: {expected}\n  actual: {}", (state.debug)(input))
    }

    fn respond(&self, input: &O) -> Result<O::Output, SdkError<O::Error>> {
        let respond = {
            let mut state = self.lock();
            let next = state.requests.len().min(state.responses.len().saturating_sub(1));
            let Some(respond) = state.responses.get(next).cloned() else {
                panic!("the mock rule for {} has no response: give it one with then_output or then_error", O::NAME);
            };
            let recorded = (state.clone)(input);
            state.requests.push(recorded);
            respond
        };
        respond(input)
    }

    fn lock(&self) -> MutexGuard<'_, RuleState<O>> {
        lock(&self.state)
    }
}

impl<O: Operation> RuleState<O> {
    fn exhausted(&self) -> bool {
        !self.repeat_last && self.requests.len() >= self.responses.len()
    }
}

/// What [`Mocks`] needs of a rule whatever its operation.
trait AnyRule: Send + Sync {
    fn operation(&self) -> &'static str;
    fn exhausted(&self) -> bool;
    /// `(used, responses)`, for [`Mocks::assert_all_used`].
    fn usage(&self) -> (usize, usize);
    fn as_any(&self) -> &dyn Any;
}

impl<O: Operation> AnyRule for Rule<O> {
    fn operation(&self) -> &'static str {
        O::NAME
    }
    fn exhausted(&self) -> bool {
        self.lock().exhausted()
    }
    fn usage(&self) -> (usize, usize) {
        let state = self.lock();
        (state.requests.len(), state.responses.len())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// The rules a mocked client answers from, and the calls it got. Clones share both.
#[derive(Clone, Default)]
pub struct Mocks {
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    in_order: bool,
    rules: Mutex<Vec<Arc<dyn AnyRule>>>,
    /// Every answered call: the operation and its input.
    calls: Mutex<Vec<(&'static str, Box<dyn Any + Send + Sync>)>>,
}

impl fmt::Debug for Mocks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mocks").field("in_order", &self.shared.in_order).field("calls", &self.operations()).finish()
    }
}

impl Mocks {
    /// Rules tried in the order given: a call goes to the first of its operation that matches
    /// and has a response left.
    pub fn new() -> Self {
        Mocks::default()
    }

    /// Rules used strictly in the order given, each until its responses are used: a call for
    /// another operation, or an input the rule does not match, panics showing what was expected.
    pub fn in_order() -> Self {
        Mocks { shared: Arc::new(Shared { in_order: true, ..Shared::default() }) }
    }

    /// Adds a rule (keep a clone to ask it what it got).
    pub fn with<O: Operation>(self, rule: &Rule<O>) -> Self {
        lock(&self.shared.rules).push(Arc::new(rule.clone()));
        self
    }

    /// The operations called, in order (`["ListBackendJobs", "GetBackend"]`).
    pub fn operations(&self) -> Vec<&'static str> {
        lock(&self.shared.calls).iter().map(|(operation, _)| *operation).collect()
    }

    /// The inputs of every call of operation `O`, in order.
    pub fn requests<O: Operation + Clone>(&self) -> Vec<O> {
        lock(&self.shared.calls).iter().filter_map(|(_, input)| input.downcast_ref::<O>().cloned()).collect()
    }

    /// Panics, listing them, if some rules still have responses no call used (Stubber's
    /// `assert_no_pending_responses`).
    pub fn assert_all_used(&self) {
        let unused: Vec<String> = lock(&self.shared.rules)
            .iter()
            .enumerate()
            .map(|(index, rule)| (index, rule, rule.usage()))
            .filter(|(_, _, (used, responses))| used < responses || *responses == 0)
            .map(|(index, rule, (used, responses))| {
                format!("rule #{} ({}): {used} of {responses} responses used", index + 1, rule.operation())
            })
            .collect();
        assert!(unused.is_empty(), "mock responses left unused:\n  {}", unused.join("\n  "));
    }

    /// Answers a call from the rules; panics if none does.
    pub(crate) fn answer<O: Operation>(&self, input: O) -> Result<O::Output, SdkError<O::Error>> {
        let rule = match self.shared.in_order {
            true => self.next_in_order::<O>(&input),
            false => self.first_match::<O>(&input),
        };
        let result = rule.respond(&input);
        lock(&self.shared.calls).push((O::NAME, Box::new(input)));
        result
    }

    fn first_match<O: Operation>(&self, input: &O) -> Rule<O> {
        let rules = lock(&self.shared.rules);
        let ours: Vec<&Rule<O>> = rules.iter().filter_map(|rule| typed(rule)).collect();
        if let Some(rule) = ours.iter().find(|rule| rule.matches(input)) {
            return (*rule).clone();
        }
        match ours.first() {
            None => panic!("no mock rule for {}: add one with mock::<{}>()", O::NAME, std::any::type_name::<O>()),
            Some(rule) => panic!(
                "no mock rule for {} answers this request (rules used up or not matching are skipped):\n{}",
                O::NAME,
                rule.describe(input)
            ),
        }
    }

    fn next_in_order<O: Operation>(&self, input: &O) -> Rule<O> {
        let rules = lock(&self.shared.rules);
        let Some((index, next)) = rules.iter().enumerate().find(|(_, rule)| !rule.exhausted()) else {
            panic!("unexpected call of {}: every mock rule is used up", O::NAME);
        };
        let position = index + 1;
        let Some(rule) = typed::<O>(next) else {
            panic!("unexpected call of {}: mock rule #{position} expects a call of {}", O::NAME, next.operation());
        };
        if !rule.matches(input) {
            panic!("the {} request does not match mock rule #{position}:\n{}", O::NAME, rule.describe(input));
        }
        rule.clone()
    }
}

/// The rule, if it is one of operation `O`.
fn typed<O: Operation>(rule: &Arc<dyn AnyRule>) -> Option<&Rule<O>> {
    rule.as_any().downcast_ref::<Rule<O>>()
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking matcher or response poisons the lock; the state is still sound.
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
