//! Which failures are worth another attempt, and how long to wait before it.

use crate::config::RetryConfig;
use crate::error::ErrorMetadata;
use std::time::Duration;

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

/// Full jitter: a uniform delay in `[0, min(initial * 2^(retry - 1), max))` before retry number `retry` (1-based).
pub fn backoff(config: &RetryConfig, retry: u32) -> Duration {
    let exponential = config.initial_backoff.saturating_mul(1u32 << (retry.saturating_sub(1)).min(31));
    exponential.min(config.max_backoff).mul_f64(fastrand::f64())
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
