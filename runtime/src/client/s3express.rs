//! S3 Express One Zone session auth: a directory bucket's endpoint asks for `sigv4-s3express`,
//! so its calls are signed with the session credentials its `CreateSession` gives (for five
//! minutes), signing name `s3express`, the session token in `x-amz-s3session-token`. Sessions
//! are kept per bucket and the credentials they were made with, made again a minute before they
//! expire; concurrent calls to one bucket wait for a single CreateSession.

use super::Client;
use crate::credentials::Credentials;
use crate::error::ErrorMetadata;
use crate::http::{BoxFuture, Response};
use crate::protocol::{ErrorResponse, Operation, Request};
use crate::{BuildError, ParseError, SdkError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long before a session expires it is made again.
const REFRESH_BEFORE: Duration = Duration::from_secs(60);

/// The most sessions a client keeps; past it, the oldest unused one goes.
const MAX_SESSIONS: usize = 100;

/// A client's sessions: (bucket, access key id) -> the session's slot.
#[derive(Default)]
pub(super) struct Sessions(Mutex<HashMap<(String, String), Slot>>);

/// One session, which one caller at a time makes (the others wait on its lock).
type Slot = Arc<tokio::sync::Mutex<Option<Credentials>>>;

impl Client {
    /// The session credentials for `bucket` made with `base` (CreateSession when there are none,
    /// or they expire within a minute). Boxed, and declared `Send`: CreateSession is an operation
    /// sent as any is, from inside `send`.
    pub(super) fn s3express_session<'a, E: 'a>(
        &'a self,
        bucket: &'a str,
        base: &'a Credentials,
    ) -> BoxFuture<'a, Result<Credentials, SdkError<E>>> {
        Box::pin(async move {
            let slot = self.inner.sessions.slot(bucket, base.access_key_id());
            let mut session = slot.lock().await;
            let fresh = |credentials: &Credentials| {
                credentials.expiry().is_some_and(|expiry| self.now() + REFRESH_BEFORE < expiry)
            };
            if let Some(credentials) = session.as_ref().filter(|credentials| fresh(credentials)) {
                return Ok(credentials.clone());
            }
            let made = self.send(CreateSession { bucket: bucket.to_owned() }).await;
            let made = made.map_err(|error| {
                SdkError::Build(BuildError::Config { detail: format!("S3 Express CreateSession failed: {error}") })
            })?;
            *session = Some(made.clone());
            Ok(made)
        })
    }
}

impl Sessions {
    fn slot(&self, bucket: &str, access_key_id: &str) -> Slot {
        let mut sessions = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if sessions.len() >= MAX_SESSIONS && !sessions.contains_key(&(bucket.to_owned(), access_key_id.to_owned())) {
            // A slot no call holds: dropping it costs a CreateSession if the bucket comes back.
            let idle = sessions.iter().find(|(_, slot)| Arc::strong_count(slot) == 1).map(|(key, _)| key.clone());
            if let Some(idle) = idle {
                sessions.remove(&idle);
            }
        }
        sessions.entry((bucket.to_owned(), access_key_id.to_owned())).or_default().clone()
    }
}

/// CreateSession (`GET ?session` on the bucket), signed with the config's credentials (the
/// base ones) under the rules' `DisableS3ExpressSessionAuth`: plain SigV4, signing name `s3express`.
struct CreateSession {
    bucket: String,
}

impl Operation for CreateSession {
    type Output = Credentials;
    type Error = ErrorMetadata;
    const NAME: &'static str = "CreateSession";

    fn request(&self) -> Result<Request, BuildError> {
        Ok(Request::rest("GET", "?session"))
    }

    fn endpoint_params(&self, params: &mut crate::endpoint_rules::Params) {
        params.set("Bucket", self.bucket.as_str());
        params.set("DisableS3ExpressSessionAuth", true);
    }

    fn parse_output(response: &Response) -> Result<Credentials, ParseError> {
        let bad = |what: &str| ParseError::new(response.status, format!("CreateSession's answer: {what}"));
        let text = std::str::from_utf8(&response.body).map_err(|_| bad("not UTF-8"))?;
        let document = crate::xml::Document::parse(text).map_err(|e| bad(&e.to_string()))?;
        let credentials = document.root().child("Credentials").ok_or_else(|| bad("no Credentials"))?;
        let field = |name: &str| {
            let text = credentials.child(name).map(|node| node.text().trim().to_owned());
            text.filter(|text| !text.is_empty()).ok_or_else(|| bad(&format!("no {name}")))
        };
        let expiration = field("Expiration")?;
        let expiry = crate::DateTime::parse_lenient(&expiration, crate::TimestampFormat::DateTime)
            .map_err(|_| bad("an Expiration that is not a date"))?;
        let session = Credentials::new(field("AccessKeyId")?, field("SecretAccessKey")?, Some(field("SessionToken")?));
        Ok(session.with_expiry(expiry.into()))
    }

    fn parse_error(error: ErrorResponse) -> Self::Error {
        error.meta().clone()
    }
}
