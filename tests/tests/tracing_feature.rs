//! The `tracing` feature: a subscriber sees a span per call and per attempt, with the retry
//! decision, and nothing secret: no secret key, session token, signature or member value.

mod support;

use awsgen_amplifybackend::{Client, Config};
use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::{Reply, Server, ACCESS_KEY, SECRET_KEY};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

const SESSION_TOKEN: &str = "session-token-do-not-log";
const APP_ID: &str = "app-id-not-for-logs";

/// A span as the subscriber saw it: name, parent and every field recorded on it.
#[derive(Debug, Clone, Default)]
struct Captured {
    name: &'static str,
    parent: Option<u64>,
    fields: BTreeMap<String, String>,
}

/// A minimal subscriber that keeps every span and event it is given.
#[derive(Default, Clone)]
struct Capture {
    spans: Arc<Mutex<BTreeMap<u64, Captured>>>,
    events: Arc<Mutex<Vec<String>>>,
    entered: Arc<Mutex<Vec<u64>>>,
    next_id: Arc<AtomicU64>,
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attributes: &Attributes<'_>) -> Id {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let parent = match attributes.parent() {
            Some(parent) => Some(parent.into_u64()),
            None if attributes.is_contextual() => self.entered.lock().unwrap().last().copied(),
            None => None,
        };
        let mut span = Captured { name: attributes.metadata().name(), parent, ..Captured::default() };
        attributes.record(&mut Fields(&mut span.fields));
        self.spans.lock().unwrap().insert(id, span);
        Id::from_u64(id)
    }
    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut spans = self.spans.lock().unwrap();
        values.record(&mut Fields(&mut spans.get_mut(&span.into_u64()).unwrap().fields));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        self.events.lock().unwrap().push(format!("{} {fields:?}", event.metadata().target()));
    }
    fn enter(&self, span: &Id) {
        self.entered.lock().unwrap().push(span.into_u64());
    }
    fn exit(&self, _: &Id) {
        self.entered.lock().unwrap().pop();
    }
}

#[tokio::test]
async fn spans_show_the_call_and_its_attempts_and_nothing_secret() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    // A throttled first attempt, then the answer.
    let server = Server::start(|_, index| {
        let (status, body, id) = match index {
            0 => (429, serde_json::json!({"__type": "TooManyRequestsException", "message": "slow down"}), "req-1"),
            _ => (200, serde_json::json!({"jobs": []}), "req-2"),
        };
        let headers = vec![("content-type", "application/json".into()), ("x-amzn-requestid", id.into())];
        Reply::Respond { status, headers, body: body.to_string() }
    })
    .await;
    let retry = awsgen_runtime::RetryConfig {
        max_attempts: 3,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
    };
    let config = Config::builder()
        .region("us-east-1")
        .credentials(awsgen_runtime::Credentials::new(ACCESS_KEY, SECRET_KEY, Some(SESSION_TOKEN.to_owned())))
        .endpoint_url(&server.url)
        .retry(retry)
        .build();
    let client = Client::new(config);
    client.list_backend_jobs().app_id(APP_ID).backend_environment_name("dev").send().await.unwrap();

    let spans = capture.spans.lock().unwrap().clone();
    let named = |name: &str| spans.iter().filter(|(_, s)| s.name == name).collect::<Vec<_>>();
    let calls = named("awsgen.call");
    assert_eq!(calls.len(), 1, "{spans:#?}");
    let (call_id, call) = calls[0];
    assert_eq!(call.fields["service"], "AmplifyBackend");
    assert_eq!(call.fields["operation"], "ListBackendJobs");

    let attempts = named("awsgen.attempt");
    assert_eq!(attempts.len(), 2, "{spans:#?}");
    let (first, second) = (&attempts[0].1, &attempts[1].1);
    for attempt in [first, second] {
        assert_eq!(attempt.parent, Some(*call_id), "an attempt is inside its call: {spans:#?}");
        assert_eq!(attempt.fields["max_attempts"], "3");
    }
    assert_eq!(first.fields["attempt"], "1");
    assert_eq!(first.fields["status"], "429");
    assert_eq!(first.fields["request_id"], "req-1");
    assert_eq!(first.fields["error"], "TooManyRequestsException");
    assert_eq!(first.fields["retry"], "true");
    assert!(first.fields["retry_delay_ms"].parse::<u64>().unwrap() < 20, "{first:?}");
    assert_eq!(second.fields["attempt"], "2");
    assert_eq!(second.fields["status"], "200");
    assert_eq!(second.fields["request_id"], "req-2");
    assert_eq!(second.fields["retry"], "false");
    assert!(!second.fields.contains_key("error"), "{second:?}");

    // Nothing secret anywhere: not in a span, not in any event (hyper's included).
    let requests = server.requests();
    let authorization = requests[0].header("authorization").unwrap();
    let signature = authorization.rsplit("Signature=").next().unwrap();
    let everything = format!("{spans:?} {:?}", capture.events.lock().unwrap());
    for secret in [SECRET_KEY, SESSION_TOKEN, signature, APP_ID, "Authorization", "authorization"] {
        assert!(!everything.contains(secret), "{secret:?} was recorded: {everything}");
    }
}
