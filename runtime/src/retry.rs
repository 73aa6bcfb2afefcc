//! Which failures are worth another attempt, and how long to wait before it.

use crate::config::RetryConfig;
use crate::error::ErrorMetadata;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Error codes that mean "slow down" (botocore's standard retry mode list).
const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

/// Error codes of transient server-side failures.
const TRANSIENT_CODES: &[&str] = &["RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete"];

/// HTTP statuses of transient failures.
const TRANSIENT_STATUSES: &[u16] = &[500, 502, 503, 504];

/// Whether a service error is worth retrying: throttling, or a transient server failure.
/// Other 4xx errors would fail the same way again.
pub fn is_retryable(error: &ErrorMetadata) -> bool {
    let code = error.code().unwrap_or_default();
    THROTTLING_CODES.contains(&code)
        || TRANSIENT_CODES.contains(&code)
        || error.status().is_some_and(|s| TRANSIENT_STATUSES.contains(&s))
}

/// Errors that mean the request's signature was dated by a clock far from the service's (the
/// codes the AWS SDKs' retry strategy names).
const CLOCK_SKEW_CODES: &[&str] = &[
    "RequestTimeTooSkewed",
    "RequestExpired",
    "RequestInTheFuture",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "AuthFailure",
];

/// Whether an error may come from a drifted clock (one of `CLOCK_SKEW_CODES`).
pub fn is_clock_skew(error: &ErrorMetadata) -> bool {
    CLOCK_SKEW_CODES.contains(&error.code().unwrap_or_default())
}

/// Whether the service said "slow down": what adaptive mode's rate limiter reacts to.
pub fn is_throttling(error: &ErrorMetadata) -> bool {
    THROTTLING_CODES.contains(&error.code().unwrap_or_default()) || error.status() == Some(429)
}

/// The standard retry mode's quota, as the AWS SDKs keep it per client: 500 tokens; a retry
/// costs 5 (10 after a timeout); a call that succeeds gives back what its retries took, or 1 if
/// it took none. When a retry can't be paid, the call fails with its error at once: a fleet
/// whose service is down stops multiplying its load by the attempts it would make.
#[derive(Debug)]
pub(crate) struct RetryQuota {
    tokens: std::sync::Mutex<u32>,
}

impl RetryQuota {
    const CAPACITY: u32 = 500;
    const RETRY_COST: u32 = 5;
    const TIMEOUT_RETRY_COST: u32 = 10;
    const NO_RETRY_INCREMENT: u32 = 1;

    /// Takes a retry's cost, if the quota holds it.
    pub(crate) fn spend(&self, timeout: bool) -> Option<u32> {
        let cost = if timeout { Self::TIMEOUT_RETRY_COST } else { Self::RETRY_COST };
        let mut tokens = self.tokens.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *tokens = tokens.checked_sub(cost)?;
        Some(cost)
    }

    /// A call is over: a success gives back what its retries cost (or the increment).
    pub(crate) fn finished(&self, succeeded: bool, spent: &[u32]) {
        if !succeeded {
            return;
        }
        let refund = if spent.is_empty() { Self::NO_RETRY_INCREMENT } else { spent.iter().sum() };
        let mut tokens = self.tokens.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *tokens = (*tokens + refund).min(Self::CAPACITY);
    }
}

impl Default for RetryQuota {
    fn default() -> Self {
        RetryQuota { tokens: std::sync::Mutex::new(Self::CAPACITY) }
    }
}

/// Full jitter: a uniform delay in `[0, min(initial * 2^(retry - 1), max))` before retry number `retry` (1-based).
pub fn backoff(config: &RetryConfig, retry: u32) -> Duration {
    let exponential = config.initial_backoff.saturating_mul(1u32 << (retry.saturating_sub(1)).min(31));
    exponential.min(config.max_backoff).mul_f64(fastrand::f64())
}

/// The client-side rate limiting of `retry_mode = adaptive`, as botocore and aws-sdk-rust do it:
/// a token bucket in front of every attempt, off until the first throttling answer, whose fill
/// rate then follows CUBIC (cut to 70% of the measured send rate on each throttle, growing back
/// along a cubic curve that flattens at the rate that was throttled). One per client.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    started: Instant,
    state: Mutex<RateState>,
}

/// CUBIC's multiplicative decrease and scaling constant.
const BETA: f64 = 0.7;
const SCALE: f64 = 0.4;
/// The send-rate measurement: half-second buckets, exponentially smoothed.
const SMOOTHING: f64 = 0.8;
/// Never slower than one request every two seconds.
const MIN_FILL_RATE: f64 = 0.5;
const MIN_CAPACITY: f64 = 1.0;

#[derive(Debug, Default)]
struct RateState {
    /// Off until the service first throttles.
    enabled: bool,
    /// Requests per second the bucket refills with, and what it holds.
    fill_rate: f64,
    capacity: f64,
    max_capacity: f64,
    last_refill: Option<f64>,
    /// The measured send rate.
    measured_rate: f64,
    rate_bucket: f64,
    requests_in_bucket: u64,
    /// CUBIC: the rate at the last throttle, when it was, and how long the curve takes to get back to it.
    last_max_rate: f64,
    last_throttle: f64,
    time_window: f64,
}

impl RateLimiter {
    pub(crate) fn new() -> Self {
        RateLimiter { started: Instant::now(), state: Mutex::new(RateState::default()) }
    }

    fn now(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, RateState> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Waits for a token before an attempt (no wait while the limiter is off).
    pub(crate) async fn acquire(&self) {
        loop {
            let wait = self.lock().take_token(self.now());
            match wait {
                None => return,
                Some(wait) => tokio::time::sleep(wait).await,
            }
        }
    }

    /// Learns from an answer: a throttle cuts the rate, anything else lets it grow.
    pub(crate) fn update(&self, throttled: bool) {
        self.lock().update(throttled, self.now());
    }
}

impl RateState {
    /// `None` when a token was taken; else how long until one will be there.
    fn take_token(&mut self, now: f64) -> Option<Duration> {
        if !self.enabled {
            return None;
        }
        self.refill(now);
        if self.capacity >= 1.0 {
            self.capacity -= 1.0;
            return None;
        }
        Some(Duration::from_secs_f64((1.0 - self.capacity) / self.fill_rate))
    }

    fn refill(&mut self, now: f64) {
        if let Some(last) = self.last_refill {
            self.capacity = (self.capacity + (now - last) * self.fill_rate).min(self.max_capacity);
        }
        self.last_refill = Some(now);
    }

    fn update(&mut self, throttled: bool, now: f64) {
        self.measure(now);
        let rate = if throttled {
            let rate = if self.enabled { self.measured_rate.min(self.fill_rate) } else { self.measured_rate };
            self.last_max_rate = rate;
            self.time_window = (self.last_max_rate * (1.0 - BETA) / SCALE).cbrt();
            self.last_throttle = now;
            self.enabled = true;
            rate * BETA
        } else {
            SCALE * (now - self.last_throttle - self.time_window).powi(3) + self.last_max_rate
        };
        self.set_rate(rate.min(2.0 * self.measured_rate), now);
    }

    fn measure(&mut self, now: f64) {
        let bucket = (now * 2.0).floor() / 2.0;
        self.requests_in_bucket += 1;
        if bucket > self.rate_bucket {
            let rate = self.requests_in_bucket as f64 / (bucket - self.rate_bucket);
            self.measured_rate = rate * SMOOTHING + self.measured_rate * (1.0 - SMOOTHING);
            self.requests_in_bucket = 0;
            self.rate_bucket = bucket;
        }
    }

    fn set_rate(&mut self, rate: f64, now: f64) {
        self.refill(now);
        self.fill_rate = rate.max(MIN_FILL_RATE);
        self.max_capacity = rate.max(MIN_CAPACITY);
        self.capacity = self.capacity.min(self.max_capacity);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_throttling_and_transient_failures_only() {
        let error = |code: &str, status| ErrorMetadata::new().with_code(code).with_status(status);
        assert!(is_retryable(&error("TooManyRequestsException", 429)));
        assert!(is_retryable(&error("MysteryException", 500)));
        assert!(is_retryable(&error("GatewayTimeoutException", 504)));
        assert!(!is_retryable(&error("BadRequestException", 400)));
        assert!(!is_retryable(&error("NotFoundException", 404)));
    }

    /// Ten answers a second for two seconds, from `start`.
    fn steady(state: &mut RateState, start: f64) -> f64 {
        let mut now = start;
        for _ in 0..20 {
            now += 0.1;
            state.update(false, now);
        }
        now
    }

    #[test]
    fn the_rate_limiter_is_off_until_the_first_throttle() {
        let mut state = RateState::default();
        let now = steady(&mut state, 0.0);
        assert!((0..1000).all(|_| state.take_token(now).is_none()));
        assert!(state.measured_rate > 8.0 && state.measured_rate < 12.0, "{}", state.measured_rate);
    }

    #[test]
    fn a_throttle_cuts_the_rate_to_seventy_percent_and_tokens_pace_the_attempts() {
        let mut state = RateState::default();
        let now = steady(&mut state, 0.0);
        let measured = state.measured_rate;
        state.update(true, now);
        assert!(state.enabled);
        assert!((state.fill_rate - measured * BETA).abs() < 1e-9, "{} vs {measured}", state.fill_rate);
        // What the bucket holds goes at once (at most its new capacity), then attempts wait.
        let burst = (0..100).take_while(|_| state.take_token(now).is_none()).count();
        assert!(burst as f64 <= state.max_capacity, "{burst}");
        let wait = state.take_token(now).expect("the bucket ran dry").as_secs_f64();
        assert!(wait > 0.0 && wait <= 1.0 / state.fill_rate, "{wait}");
        // A second later it holds a second's worth more.
        let expected = (state.capacity + state.fill_rate).min(state.max_capacity).floor() as usize;
        let taken = (0..100).take_while(|_| state.take_token(now + 1.0).is_none()).count();
        assert_eq!(taken, expected);
    }

    #[test]
    fn after_a_throttle_the_rate_grows_back_along_the_cubic_curve() {
        let mut state = RateState::default();
        let now = steady(&mut state, 0.0);
        state.update(true, now);
        let (max, window) = (state.last_max_rate, state.time_window);
        assert!((window - (max * (1.0 - BETA) / SCALE).cbrt()).abs() < 1e-9);
        // Halfway through the window the curve is below the old rate; at its end, on it.
        let cubic = |t: f64| SCALE * (t - now - window).powi(3) + max;
        assert!(cubic(now + window / 2.0) < max);
        assert!((cubic(now + window) - max).abs() < 1e-9);
        // Successes at the old pace raise the fill rate from 70% toward it.
        let cut = state.fill_rate;
        let end = steady(&mut state, now);
        assert!(state.fill_rate > cut, "{} <= {cut}", state.fill_rate);
        assert!(state.fill_rate <= cubic(end).max(MIN_FILL_RATE) + 1e-9);
    }

    #[test]
    fn repeated_throttles_never_go_below_the_floor() {
        let mut state = RateState::default();
        let mut now = steady(&mut state, 0.0);
        for _ in 0..50 {
            now += 1.0;
            state.update(true, now);
        }
        assert_eq!(state.fill_rate, MIN_FILL_RATE);
        assert_eq!(state.max_capacity, MIN_CAPACITY);
    }

    #[test]
    fn backoff_is_jittered_exponential_and_capped() {
        let config = RetryConfig {
            max_attempts: 10,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(20),
        };
        for _ in 0..200 {
            assert!(backoff(&config, 1) < Duration::from_secs(1));
            assert!(backoff(&config, 2) < Duration::from_secs(2));
            assert!(backoff(&config, 40) < Duration::from_secs(20));
        }
    }
}
