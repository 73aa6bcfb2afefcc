//! The waiter loop, shared by every generated waiter. Generated code says only what a poll's
//! result means (its acceptors, in the model's order); the loop lives here:
//!
//! - the first acceptor that matches decides: success ends the wait with what matched, failure
//!   ends it with an error holding what matched, retry polls again;
//! - an error no acceptor matches ends the wait at once; an output no acceptor matches polls again;
//! - between polls the delay grows exponentially from `min_delay` to `max_delay`, drawn at random
//!   between `min_delay` and that bound (Smithy's waiter backoff, as aws-sdk-rust's waiters do);
//! - the wait never outlasts `max_wait` (a poll in flight is cut off) nor the model's number of
//!   attempts (botocore's bound); either gives [`WaitError::TimedOut`].

use crate::error::SdkError;
use crate::protocol::Operation;
use crate::{BuildError, Client};
use std::fmt;
use std::time::{Duration, Instant};

/// What a poll's result means for the wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Success,
    Failure,
    Retry,
}

/// A poll's result.
pub type Poll<O> = Result<<O as Operation>::Output, SdkError<<O as Operation>::Error>>;

/// The acceptors of one waiter: the state of the first that matches the poll's result, if any.
pub type Acceptors<O> = fn(&Poll<O>) -> Option<State>;

/// The default longest delay between polls (Smithy's default `maxDelay`).
pub const DEFAULT_MAX_DELAY: Duration = Duration::from_secs(120);

/// A waiter ready to run: `.wait(max_wait)` polls until an acceptor decides.
#[must_use = "a waiter does nothing until `.wait(max_wait)` is awaited"]
pub struct Waiter<O: Operation> {
    client: Client,
    input: Result<O, BuildError>,
    acceptors: Acceptors<O>,
    min_delay: Duration,
    max_delay: Duration,
    max_attempts: u32,
}

impl<O: Operation + Clone> Waiter<O> {
    /// A waiter polling `input` with the model's `delay` (the shortest wait between polls) and
    /// `max_attempts`.
    pub fn new(
        client: Client,
        input: Result<O, BuildError>,
        acceptors: Acceptors<O>,
        delay: Duration,
        max_attempts: u32,
    ) -> Self {
        Waiter { client, input, acceptors, min_delay: delay, max_delay: DEFAULT_MAX_DELAY.max(delay), max_attempts }
    }

    /// The shortest wait between polls (default: the model's delay).
    pub fn min_delay(mut self, delay: Duration) -> Self {
        self.min_delay = delay;
        self
    }

    /// The longest wait between polls (default 120 s, or the model's delay if longer).
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// The most polls in all (default: the model's `maxAttempts`).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// Polls until an acceptor decides, for at most `max_wait`.
    pub async fn wait(
        self,
        max_wait: Duration,
    ) -> Result<Matched<O::Output, O::Error>, WaitError<O::Output, O::Error>> {
        let client = self.client;
        let input = self.input.map_err(|e| WaitError::Unexpected(e.into()))?;
        let (min_delay, max_delay) = (self.min_delay, self.max_delay.max(self.min_delay));
        let start = Instant::now();
        let mut attempts = 0;
        loop {
            attempts += 1;
            let remaining = max_wait.saturating_sub(start.elapsed());
            let timed_out = || WaitError::TimedOut { attempts, elapsed: start.elapsed() };
            let Ok(poll) = tokio::time::timeout(remaining, client.send(input.clone())).await else {
                return Err(timed_out());
            };
            match (self.acceptors)(&poll) {
                Some(State::Success) => return Ok(Matched::from(poll)),
                Some(State::Failure) => return Err(WaitError::FailureState(Matched::from(poll))),
                Some(State::Retry) => {}
                None => {
                    if let Err(error) = poll {
                        return Err(WaitError::Unexpected(error));
                    }
                }
            }
            let remaining = max_wait.saturating_sub(start.elapsed());
            if attempts >= self.max_attempts || remaining < min_delay {
                return Err(timed_out());
            }
            tokio::time::sleep(delay(attempts, min_delay, max_delay, remaining)).await;
        }
    }
}

/// The wait before poll `attempt + 1`: random between `min` and `min * 2^(attempt - 1)` (capped at
/// `max`), leaving at least `min` of the `remaining` time for one last poll.
fn delay(attempt: u32, min: Duration, max: Duration, remaining: Duration) -> Duration {
    let ceiling = min.saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1).min(31))).min(max);
    let drawn = min + (ceiling - min).mul_f64(fastrand::f64());
    drawn.min(remaining.saturating_sub(min))
}

/// What an acceptor matched: the output, or the error (an error acceptor's success or failure).
#[derive(Debug)]
pub enum Matched<O, E> {
    Output(O),
    Error(SdkError<E>),
}

impl<O, E> Matched<O, E> {
    /// The output, if an output matched.
    pub fn output(&self) -> Option<&O> {
        match self {
            Matched::Output(output) => Some(output),
            Matched::Error(_) => None,
        }
    }

    /// The error, if an error matched.
    pub fn error(&self) -> Option<&SdkError<E>> {
        match self {
            Matched::Output(_) => None,
            Matched::Error(error) => Some(error),
        }
    }
}

impl<O, E> From<Result<O, SdkError<E>>> for Matched<O, E> {
    fn from(poll: Result<O, SdkError<E>>) -> Self {
        match poll {
            Ok(output) => Matched::Output(output),
            Err(error) => Matched::Error(error),
        }
    }
}

/// Why a wait ended without success.
#[derive(Debug)]
#[non_exhaustive]
pub enum WaitError<O, E> {
    /// A failure acceptor matched: what the wait waited for can no longer happen.
    FailureState(Matched<O, E>),
    /// No acceptor decided within `max_wait` or the allowed attempts.
    TimedOut { attempts: u32, elapsed: Duration },
    /// A poll failed in a way no acceptor expects (or the request could not be built).
    Unexpected(SdkError<E>),
}

impl<O, E: fmt::Display> fmt::Display for WaitError<O, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitError::FailureState(Matched::Output(_)) => write!(f, "the waiter reached a failure state"),
            WaitError::FailureState(Matched::Error(error)) => write!(f, "the waiter reached a failure state: {error}"),
            WaitError::TimedOut { attempts, elapsed } => {
                write!(f, "the waiter gave up after {attempts} attempt(s) in {:.1} s", elapsed.as_secs_f64())
            }
            WaitError::Unexpected(error) => write!(f, "the waiter stopped on an unexpected error: {error}"),
        }
    }
}

impl<O: fmt::Debug, E: std::error::Error + 'static> std::error::Error for WaitError<O, E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            // The message shows the error; the chain goes on with what it wraps.
            WaitError::FailureState(Matched::Error(error)) | WaitError::Unexpected(error) => error.source(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_within_bounds_and_leave_time_for_a_last_poll() {
        let (min, max) = (Duration::from_secs(2), Duration::from_secs(120));
        let plenty = Duration::from_secs(3600);
        for attempt in 1..40 {
            let ceiling = (min * 2u32.pow((attempt - 1).min(10))).min(max);
            for _ in 0..50 {
                let delay = delay(attempt, min, max, plenty);
                assert!(delay >= min && delay <= ceiling, "attempt {attempt}: {delay:?}");
            }
        }
        assert_eq!(delay(1, min, max, plenty), min);
        assert_eq!(delay(30, min, max, Duration::from_secs(5)).max(Duration::from_secs(3)), Duration::from_secs(3));
        assert_eq!(delay(u32::MAX, min, max, Duration::ZERO), Duration::ZERO);
    }
}
