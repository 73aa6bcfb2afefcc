//! Where credentials (and bearer tokens) come from, and the cache that every client built from one
//! config shares.
//!
//! A provider ([`ProvideCredentials`], [`ProvideToken`]) fetches them; an [`IdentityCache`] keeps
//! them until shortly before they expire, so the provider runs once per refresh however many
//! calls need them.

use crate::build::BuildError;
use crate::env::var as env;
use crate::http::{BoxFuture, CaBundle, HttpClient};
use crate::time::TimeSource;
use futures_util::future::{FutureExt, Shared};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

/// AWS credentials. The secret and the session token never appear in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub(crate) access_key_id: String,
    pub(crate) secret_access_key: String,
    pub(crate) session_token: Option<String>,
    expiry: Option<SystemTime>,
    account_id: Option<String>,
}

impl Credentials {
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        session_token: Option<String>,
    ) -> Self {
        Credentials {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token,
            expiry: None,
            account_id: None,
        }
    }

    /// The AWS account these credentials belong to, when the provider says (endpoint rules use
    /// it: DynamoDB's account-based endpoints).
    pub fn account_id(&self) -> Option<&str> {
        self.account_id.as_deref()
    }

    /// The same credentials, of account `account_id`.
    pub fn with_account_id(mut self, account_id: impl Into<String>) -> Self {
        self.account_id = Some(account_id.into());
        self
    }

    /// When these credentials stop working; `None` for long-term keys.
    pub fn expiry(&self) -> Option<SystemTime> {
        self.expiry
    }

    /// The same credentials, valid until `expiry`.
    pub fn with_expiry(mut self, expiry: SystemTime) -> Self {
        self.expiry = Some(expiry);
        self
    }

    /// From `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and (optionally) `AWS_SESSION_TOKEN`.
    pub fn from_env() -> Option<Self> {
        let id = env("AWS_ACCESS_KEY_ID")?;
        let secret = env("AWS_SECRET_ACCESS_KEY")?;
        Some(Credentials::new(id, secret, env("AWS_SESSION_TOKEN")))
    }

    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The access key id and session token go into headers, so they must be visible ASCII
    /// (what AWS issues); anything else is refused before signing, never echoed.
    pub(crate) fn check(&self) -> Result<(), BuildError> {
        let visible = |text: &str| text.bytes().all(|b| b.is_ascii_graphic());
        let invalid = |setting| BuildError::InvalidSetting { setting, rule: "must be visible ASCII characters only" };
        if self.access_key_id.is_empty() || !visible(&self.access_key_id) {
            return Err(invalid("credentials.access_key_id"));
        }
        if !self.session_token.as_deref().is_none_or(visible) {
            return Err(invalid("credentials.session_token"));
        }
        Ok(())
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"** redacted **")
            .field("session_token", &self.session_token.as_ref().map(|_| "** redacted **"))
            .field("expiry", &self.expiry)
            .field("account_id", &self.account_id)
            .finish()
    }
}

/// Something that can produce credentials: environment, profile files, a container or instance
/// endpoint, a chain of those.
pub trait ProvideCredentials: Send + Sync + fmt::Debug {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>>;
}

/// Fixed credentials provide themselves.
impl ProvideCredentials for Credentials {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(std::future::ready(Ok(self.clone())))
    }
}

/// A bearer token (SSO, as CodeCatalyst uses). Never shown in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Token {
    token: String,
    expiry: Option<SystemTime>,
}

impl Token {
    pub fn new(token: impl Into<String>, expiry: Option<SystemTime>) -> Self {
        Token { token: token.into(), expiry }
    }

    /// The secret itself, for the `Authorization` header.
    pub fn token(&self) -> &str {
        &self.token
    }

    pub fn expiry(&self) -> Option<SystemTime> {
        self.expiry
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token").field("token", &"** redacted **").field("expiry", &self.expiry).finish()
    }
}

/// Something that can produce a bearer token: for services whose auth is `httpBearerAuth`.
pub trait ProvideToken: Send + Sync + fmt::Debug {
    fn provide_token(&self) -> BoxFuture<'_, Result<Token, CredentialsError>>;
}

/// A fixed token provides itself.
impl ProvideToken for Token {
    fn provide_token(&self) -> BoxFuture<'_, Result<Token, CredentialsError>> {
        Box::pin(std::future::ready(Ok(self.clone())))
    }
}

pub use crate::error::{CredentialsError, CredentialsErrorKind};

/// The runtime's own transport (hyper + rustls) for providers that ask an endpoint (container,
/// instance metadata), so they need no second HTTP stack; through the environment's proxies,
/// which link-local metadata endpoints never go through.
pub fn default_http_client(connect_timeout: Duration, ca_bundle: Option<&CaBundle>) -> Arc<dyn HttpClient> {
    let timeouts = crate::http::ConnectionSettings {
        connect: connect_timeout,
        idle: crate::http::DEFAULT_IDLE_CONNECTION,
        keepalive: crate::http::DEFAULT_KEEPALIVE,
        max_idle_per_host: crate::http::DEFAULT_MAX_IDLE_PER_HOST,
    };
    let stalled_upload = Some(crate::stall::StalledStreamProtection::default());
    let proxies = crate::proxy::ProxyConfig::from_env();
    crate::http::default_http_client(timeouts, ca_bundle, &proxies, stalled_upload, false)
}

/// Credentials are refreshed this long before they expire, plus up to [`REFRESH_JITTER`], so
/// calls in flight never carry credentials that expire on the way.
pub const REFRESH_WINDOW: Duration = Duration::from_secs(5 * 60);
/// Spreads the refreshes of many processes started together.
pub const REFRESH_JITTER: Duration = Duration::from_secs(60);

/// What a cache keeps: credentials or a bearer token, either of which may expire.
pub trait Identity: Clone + Send + Sync + 'static {
    /// For messages: "credentials", "token".
    const WHAT: &'static str;
    /// When it stops working; `None`: never.
    fn expiry(&self) -> Option<SystemTime>;
}

impl Identity for Credentials {
    const WHAT: &'static str = "credentials";
    fn expiry(&self) -> Option<SystemTime> {
        Credentials::expiry(self)
    }
}

impl Identity for Token {
    const WHAT: &'static str = "token";
    fn expiry(&self) -> Option<SystemTime> {
        self.expiry
    }
}

/// A provider as a cache asks it, whichever kind of identity it provides.
trait Source<T>: Send + Sync + fmt::Debug {
    fn fetch(&self) -> BoxFuture<'_, Result<T, CredentialsError>>;
}

impl Source<Credentials> for Arc<dyn ProvideCredentials> {
    fn fetch(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        self.provide_credentials()
    }
}

impl Source<Token> for Arc<dyn ProvideToken> {
    fn fetch(&self) -> BoxFuture<'_, Result<Token, CredentialsError>> {
        self.provide_token()
    }
}

type Refresh<T> = Shared<BoxFuture<'static, Result<T, CredentialsError>>>;

/// Caches a provider's credentials (or token) for every client built from one config (clones
/// share the cache). Refreshes shortly before expiry; one refresh at a time, however many callers
/// wait; never returns an expired identity.
pub struct IdentityCache<T: Identity> {
    inner: Arc<CacheInner<T>>,
}

/// The cache of a [`ProvideCredentials`].
pub type CredentialsCache = IdentityCache<Credentials>;
/// The cache of a [`ProvideToken`].
pub type TokenCache = IdentityCache<Token>;

impl<T: Identity> Clone for IdentityCache<T> {
    fn clone(&self) -> Self {
        IdentityCache { inner: self.inner.clone() }
    }
}

struct CacheInner<T: Identity> {
    source: Arc<dyn Source<T>>,
    time_source: Arc<dyn TimeSource>,
    state: Mutex<CacheState<T>>,
}

struct CacheState<T: Identity> {
    cached: Option<Cached<T>>,
    refresh: Option<Refresh<T>>,
}

struct Cached<T> {
    identity: T,
    /// `None`: it never expires.
    refresh_at: Option<SystemTime>,
}

impl CredentialsCache {
    pub fn new(provider: Arc<dyn ProvideCredentials>) -> Self {
        Self::with_time_source(provider, Arc::new(SystemClock))
    }

    /// A cache that reads the time from `time_source` (tests move it).
    pub fn with_time_source(provider: Arc<dyn ProvideCredentials>, time_source: Arc<dyn TimeSource>) -> Self {
        IdentityCache::of(Arc::new(provider), time_source)
    }

    /// Cached credentials if fresh; otherwise the result of the one refresh under way.
    pub async fn credentials(&self) -> Result<Credentials, CredentialsError> {
        self.get().await
    }
}

impl TokenCache {
    pub fn new(provider: Arc<dyn ProvideToken>) -> Self {
        Self::with_time_source(provider, Arc::new(SystemClock))
    }

    pub fn with_time_source(provider: Arc<dyn ProvideToken>, time_source: Arc<dyn TimeSource>) -> Self {
        IdentityCache::of(Arc::new(provider), time_source)
    }

    /// The cached token if fresh; otherwise the result of the one refresh under way.
    pub async fn token(&self) -> Result<Token, CredentialsError> {
        self.get().await
    }
}

impl<T: Identity> IdentityCache<T> {
    fn of(source: Arc<dyn Source<T>>, time_source: Arc<dyn TimeSource>) -> Self {
        let state = Mutex::new(CacheState { cached: None, refresh: None });
        IdentityCache { inner: Arc::new(CacheInner { source, time_source, state }) }
    }

    async fn get(&self) -> Result<T, CredentialsError> {
        let refresh = {
            let mut state = self.lock();
            if let Some(cached) = state.cached.as_ref().filter(|cached| cached.is_fresh(self.now())) {
                return Ok(cached.identity.clone());
            }
            state.refresh.get_or_insert_with(|| self.start_refresh()).clone()
        };
        let result = refresh.clone().await;
        let now = self.now();
        let mut state = self.lock();
        if state.refresh.as_ref().is_some_and(|current| current.ptr_eq(&refresh)) {
            state.refresh = None;
            if let Some(identity) = result.as_ref().ok().filter(|identity| !is_expired(*identity, now)) {
                state.cached = Some(Cached::new(identity.clone(), now));
            }
        }
        match result {
            Ok(identity) if is_expired(&identity, now) => {
                Err(CredentialsError::invalid(format!("the provider returned {} that expired already", T::WHAT)))
            }
            Ok(identity) => Ok(identity),
            // A failed refresh ahead of expiry keeps the still-valid identity working.
            Err(error) => match state.cached.as_ref().filter(|cached| !is_expired(&cached.identity, now)) {
                Some(cached) => Ok(cached.identity.clone()),
                None => Err(error),
            },
        }
    }

    fn start_refresh(&self) -> Refresh<T> {
        let source = self.inner.source.clone();
        let refresh: BoxFuture<'static, _> = Box::pin(async move { source.fetch().await });
        refresh.shared()
    }

    fn now(&self) -> SystemTime {
        self.inner.time_source.now()
    }

    fn lock(&self) -> MutexGuard<'_, CacheState<T>> {
        self.inner.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<T: Identity> Cached<T> {
    /// Refresh [`REFRESH_WINDOW`] plus jitter before expiry, but no earlier than halfway through
    /// the remaining lifetime, so short-lived credentials aren't fetched again on every call.
    fn new(identity: T, now: SystemTime) -> Self {
        let refresh_at = identity.expiry().map(|expiry| {
            let lifetime = expiry.duration_since(now).unwrap_or_default();
            let jitter = REFRESH_JITTER.mul_f64(fastrand::f64());
            expiry - (REFRESH_WINDOW + jitter).min(lifetime / 2)
        });
        Cached { identity, refresh_at }
    }

    fn is_fresh(&self, now: SystemTime) -> bool {
        self.refresh_at.is_none_or(|refresh_at| now < refresh_at)
    }
}

#[derive(Debug)]
struct SystemClock;

impl TimeSource for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

pub(crate) fn is_expired(identity: &impl Identity, now: SystemTime) -> bool {
    identity.expiry().is_some_and(|expiry| expiry <= now)
}

impl ProvideCredentials for CredentialsCache {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.credentials())
    }
}

impl ProvideToken for TokenCache {
    fn provide_token(&self) -> BoxFuture<'_, Result<Token, CredentialsError>> {
        Box::pin(self.token())
    }
}

impl<T: Identity> fmt::Debug for IdentityCache<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdentityCache")
            .field("of", &T::WHAT)
            .field("provider", &self.inner.source)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    const START: Duration = Duration::from_secs(1_700_000_000);

    #[derive(Debug)]
    struct Clock(Mutex<SystemTime>);

    impl Clock {
        fn new() -> Arc<Self> {
            Arc::new(Clock(Mutex::new(SystemTime::UNIX_EPOCH + START)))
        }

        fn advance(&self, by: Duration) {
            *self.0.lock().unwrap() += by;
        }
    }

    impl TimeSource for Clock {
        fn now(&self) -> SystemTime {
            *self.0.lock().unwrap()
        }
    }

    /// Hands out credentials valid for `lifetime` from the clock's now (or fails when `fail` is
    /// set), counting calls, after a short pause so that callers overlap.
    #[derive(Debug)]
    struct Counting {
        clock: Arc<Clock>,
        lifetime: Option<Duration>,
        calls: AtomicU32,
        fail: std::sync::atomic::AtomicBool,
    }

    impl Counting {
        fn new(clock: &Arc<Clock>, lifetime: Option<Duration>) -> Arc<Self> {
            Arc::new(Counting { clock: clock.clone(), lifetime, calls: AtomicU32::new(0), fail: Default::default() })
        }

        fn calls(&self) -> u32 {
            self.calls.load(Ordering::SeqCst)
        }
    }

    impl ProvideCredentials for Counting {
        fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
            Box::pin(async move {
                let call = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
                if self.fail.load(Ordering::SeqCst) {
                    return Err(CredentialsError::provider_error("endpoint down"));
                }
                let credentials = Credentials::new(format!("AKID{call}"), "SECRET", None);
                Ok(match self.lifetime {
                    Some(lifetime) => credentials.with_expiry(self.clock.now() + lifetime),
                    None => credentials,
                })
            })
        }
    }

    fn run<T>(future: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(future)
    }

    fn key(result: Result<Credentials, CredentialsError>) -> String {
        result.unwrap().access_key_id().to_owned()
    }

    #[test]
    fn credentials_without_expiry_are_fetched_once() {
        let clock = Clock::new();
        let provider = Counting::new(&clock, None);
        let cache = CredentialsCache::with_time_source(provider.clone(), clock.clone());
        run(async {
            assert_eq!(key(cache.credentials().await), "AKID1");
            clock.advance(Duration::from_secs(365 * 24 * 3600));
            assert_eq!(key(cache.clone().credentials().await), "AKID1");
        });
        assert_eq!(provider.calls(), 1);
    }

    #[test]
    fn concurrent_callers_share_one_refresh() {
        let clock = Clock::new();
        let provider = Counting::new(&clock, Some(Duration::from_secs(3600)));
        let cache = CredentialsCache::with_time_source(provider.clone(), clock.clone());
        let keys = run(futures_util::future::join_all((0..20).map(|_| {
            let cache = cache.clone();
            async move { key(cache.credentials().await) }
        })));
        assert!(keys.iter().all(|key| key == "AKID1"), "{keys:?}");
        assert_eq!(provider.calls(), 1);
    }

    /// 100 callers on 100 threads, each with its own runtime, arrive together at an empty cache
    /// and again after expiry: each time one refresh serves them all.
    #[test]
    fn a_hundred_threads_share_one_refresh() {
        let clock = Clock::new();
        let provider = Counting::new(&clock, Some(Duration::from_secs(3600)));
        let cache = CredentialsCache::with_time_source(provider.clone(), clock.clone());
        let burst = || {
            let start = Arc::new(std::sync::Barrier::new(100));
            let threads: Vec<_> = (0..100)
                .map(|_| {
                    let (cache, start) = (cache.clone(), start.clone());
                    std::thread::spawn(move || {
                        start.wait();
                        key(run(cache.credentials()))
                    })
                })
                .collect();
            threads.into_iter().map(|thread| thread.join().unwrap()).collect::<Vec<_>>()
        };
        assert!(burst().iter().all(|key| key == "AKID1"));
        assert_eq!(provider.calls(), 1);
        clock.advance(Duration::from_secs(3601));
        assert!(burst().iter().all(|key| key == "AKID2"));
        assert_eq!(provider.calls(), 2);
    }

    #[test]
    fn refreshes_within_the_window_before_expiry() {
        let clock = Clock::new();
        let provider = Counting::new(&clock, Some(Duration::from_secs(3600)));
        let cache = CredentialsCache::with_time_source(provider.clone(), clock.clone());
        run(async {
            assert_eq!(key(cache.credentials().await), "AKID1");
            // Outside the window (at most 6 minutes before expiry): still cached.
            clock.advance(Duration::from_secs(3600) - REFRESH_WINDOW - REFRESH_JITTER - Duration::from_secs(1));
            assert_eq!(key(cache.credentials().await), "AKID1");
            // Inside the smallest window: refreshed.
            clock.advance(REFRESH_JITTER + Duration::from_secs(2));
            assert_eq!(key(cache.credentials().await), "AKID2");
        });
        assert_eq!(provider.calls(), 2);
    }

    #[test]
    fn a_failed_refresh_keeps_valid_credentials_but_never_expired_ones() {
        let clock = Clock::new();
        let provider = Counting::new(&clock, Some(Duration::from_secs(3600)));
        let cache = CredentialsCache::with_time_source(provider.clone(), clock.clone());
        run(async {
            assert_eq!(key(cache.credentials().await), "AKID1");
            provider.fail.store(true, Ordering::SeqCst);
            clock.advance(Duration::from_secs(3600 - 60));
            assert_eq!(key(cache.credentials().await), "AKID1");
            clock.advance(Duration::from_secs(60));
            let error = cache.credentials().await.unwrap_err();
            assert_eq!(error.kind(), CredentialsErrorKind::ProviderError);
        });
    }

    #[test]
    fn expired_credentials_from_the_provider_are_refused() {
        let clock = Clock::new();
        let expired = Credentials::new("AKID", "SECRET", None).with_expiry(clock.now() - Duration::from_secs(1));
        let cache = CredentialsCache::with_time_source(Arc::new(expired), clock);
        let error = run(cache.credentials()).unwrap_err();
        assert_eq!(error.kind(), CredentialsErrorKind::Invalid);
    }

    #[test]
    fn short_lived_credentials_are_not_refetched_on_every_call() {
        let clock = Clock::new();
        let provider = Counting::new(&clock, Some(Duration::from_secs(120)));
        let cache = CredentialsCache::with_time_source(provider.clone(), clock.clone());
        run(async {
            cache.credentials().await.unwrap();
            clock.advance(Duration::from_secs(59));
            cache.credentials().await.unwrap();
        });
        assert_eq!(provider.calls(), 1);
    }

    #[test]
    fn neither_errors_nor_debug_show_secrets() {
        let credentials = Credentials::new("AKID", "SECRET", Some("TOKEN".into()));
        let cache = CredentialsCache::new(Arc::new(credentials));
        let shown = format!("{cache:?}");
        assert!(!shown.contains("SECRET") && !shown.contains("TOKEN"), "{shown}");
        let error = CredentialsError::not_loaded("AWS_ACCESS_KEY_ID is not set")
            .with_source(std::io::Error::other("disk on fire"));
        assert_eq!(error.to_string(), "no credentials loaded: AWS_ACCESS_KEY_ID is not set: disk on fire");
    }
}
