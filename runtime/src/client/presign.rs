//! Presigned requests: any operation's request, signed in its URL's query for a while, for
//! someone else to send (a browser downloading from S3, a service checking an identity through
//! STS GetCallerIdentity). The same endpoint, host prefix and addressing as a call; nothing of
//! what a URL can't or shouldn't carry (checksums the client would compute, retries, the SDK's
//! own headers).

use super::{fetch_identity, Caller, Client, Identity};
use crate::build::BuildError;
use crate::credentials::Credentials;
use crate::error::SdkError;
use crate::protocol::Operation;
use crate::sigv4::{self, Payload, SignableRequest, SigningParams};
use bytes::Bytes;
use std::fmt;
use std::time::{Duration, SystemTime};

/// The longest a presigned request can be valid: SigV4 refuses more than 7 days.
pub const MAX_PRESIGNED_EXPIRY: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// How long a presigned request is valid, and from when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PresigningConfig {
    pub(crate) expires_in: Duration,
    pub(crate) start_time: Option<SystemTime>,
}

impl PresigningConfig {
    /// Valid for `expires_in` from the signing time: at least a second, at most
    /// [`MAX_PRESIGNED_EXPIRY`]; anything else is refused, not shortened.
    pub fn expires_in(expires_in: Duration) -> Result<Self, BuildError> {
        if expires_in < Duration::from_secs(1) || expires_in > MAX_PRESIGNED_EXPIRY {
            return Err(BuildError::InvalidSetting {
                setting: "expires_in",
                rule: "must be from 1 second to 7 days (604800 seconds)",
            });
        }
        Ok(PresigningConfig { expires_in, start_time: None })
    }

    /// Signs as of `start_time` instead of now (the URL is valid from then, for `expires_in`).
    pub fn start_time(mut self, start_time: SystemTime) -> Self {
        self.start_time = Some(start_time);
        self
    }
}

/// A signed request to send as it is: its method, its URL (the signature in its query), the
/// headers that were signed and must be sent with it, and the body, if the operation has one
/// (an S3 upload's body is not signed: send any).
#[derive(Clone, PartialEq, Eq)]
pub struct PresignedRequest {
    method: String,
    uri: String,
    headers: Vec<(String, String)>,
    body: Bytes,
}

impl PresignedRequest {
    pub fn method(&self) -> &str {
        &self.method
    }

    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The headers to send, as signed (`host` is the URL's).
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers.iter().map(|(name, value)| (name.as_str(), value.as_str()))
    }

    pub fn body(&self) -> &Bytes {
        &self.body
    }
}

/// The URL is a credential until it expires: only its path is shown.
impl fmt::Debug for PresignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.uri.split('?').next().unwrap_or_default();
        f.debug_struct("PresignedRequest").field("method", &self.method).field("path", &path).finish_non_exhaustive()
    }
}

impl Client {
    /// `input`'s request, presigned with the config's credentials for as long as `presigning`
    /// says. Bearer-token services and unsigned operations have nothing to presign with.
    pub async fn presign<O: Operation>(
        &self,
        input: O,
        presigning: PresigningConfig,
    ) -> Result<PresignedRequest, SdkError<O::Error>> {
        let request = self.request(&input)?;
        let caller = self.caller::<O>()?;
        self.presign_as(input, request, caller, presigning).await
    }

    /// A cross-region copy's URL (see [`Operation::cross_region_copy`]): `input` presigned in
    /// the `source` region for an hour, its form carrying the `destination` region, as botocore
    /// makes it.
    pub(crate) async fn presigned_copy<O: Operation>(
        &self,
        input: O,
        source: &str,
        destination: &str,
    ) -> Result<String, SdkError<O::Error>> {
        crate::endpoint::check_region(source)?;
        let request = self.request(&input)?.form_param_unless_set("DestinationRegion", destination);
        let caller = Caller { region: source, ..self.caller::<O>()? };
        let hour = PresigningConfig { expires_in: Duration::from_secs(3600), start_time: None };
        Ok(self.presign_as(input, request, caller, hour).await?.uri)
    }

    async fn presign_as<O: Operation>(
        &self,
        input: O,
        mut request: crate::protocol::Request,
        caller: Caller<'_>,
        presigning: PresigningConfig,
    ) -> Result<PresignedRequest, SdkError<O::Error>> {
        let credentials = presigning_credentials(fetch_identity(caller.signer).await?)?;
        let target = self.target(&input, &request, &caller, credentials.account_id())?;
        let (method, body) = for_a_url(&mut request);
        let uri = target.endpoint.url(&request.path_and_query());
        let mut headers = request.headers;
        let endpoint_headers = target.endpoint_headers.iter();
        headers.extend(
            endpoint_headers.map(|(name, value)| (name.to_string(), value.to_str().unwrap_or_default().into())),
        );
        // The signer takes the host from the URL.
        let signable: Vec<(&str, &str)> = headers.iter().map(|(name, value)| (name.as_str(), value.as_str())).collect();
        let mut settings = target.sigv4;
        settings.expires_in = presigning.expires_in;
        // S3 takes an unsigned body: the URL is for whatever the holder uploads.
        if settings.sign_body {
            settings.payload = Payload::Unsigned;
        }
        let time = presigning.start_time.unwrap_or_else(|| self.now());
        let params = SigningParams::new(&credentials, (&target.signing_region, &target.signing_name), time, settings);
        let signable = SignableRequest { method, uri: &uri, headers: &signable, body: &body };
        let uri =
            sigv4::presigned_url(&signable, &params).map_err(|e| BuildError::Signing { detail: e.to_string() })?;
        Ok(PresignedRequest { method: method.to_owned(), uri, headers, body })
    }
}

/// The method and body of `request` made for a URL: an awsQuery form goes into the query of a
/// GET (a URL carries no body), and without a body the payload's default content type is no
/// header to send.
fn for_a_url(request: &mut crate::protocol::Request) -> (&'static str, Bytes) {
    let form = request.headers.iter().any(|(name, value)| {
        name.eq_ignore_ascii_case("content-type") && value.starts_with("application/x-www-form-urlencoded")
    });
    if form {
        request.literal_query = query_joined(&request.literal_query, &String::from_utf8_lossy(&request.body));
        request.body = Bytes::new();
    }
    if request.body.is_empty() && (form || request.content_type_defaulted) {
        request.headers.retain(|(name, _)| !name.eq_ignore_ascii_case("content-type"));
    }
    (if form { "GET" } else { request.method }, std::mem::take(&mut request.body))
}

/// The credentials to presign with: an unsigned operation or a bearer-token service has none.
pub(super) fn presigning_credentials(identity: Option<Identity>) -> Result<Credentials, BuildError> {
    match identity {
        Some(Identity::Credentials(credentials)) => Ok(credentials),
        _ => Err(BuildError::Config {
            detail:
                "presigning needs SigV4 credentials: this operation is unsigned, or its service takes a bearer token"
                    .to_owned(),
        }),
    }
}

/// `a&b`, or either alone when the other is empty.
fn query_joined(first: &str, second: &str) -> String {
    match (first.is_empty(), second.is_empty()) {
        (_, true) => first.to_owned(),
        (true, false) => second.to_owned(),
        (false, false) => format!("{first}&{second}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_is_refused_outside_one_second_to_seven_days() {
        assert!(PresigningConfig::expires_in(Duration::from_secs(604_800)).is_ok());
        assert!(PresigningConfig::expires_in(Duration::from_secs(1)).is_ok());
        for wrong in [Duration::ZERO, Duration::from_millis(999), Duration::from_secs(604_801)] {
            let refused = PresigningConfig::expires_in(wrong).unwrap_err();
            assert!(refused.to_string().contains("7 days"), "{wrong:?}: {refused}");
        }
    }

    #[test]
    fn debug_never_shows_the_signature() {
        let request = PresignedRequest {
            method: "GET".into(),
            uri: "https://b.s3.amazonaws.com/k?X-Amz-Signature=secret".into(),
            headers: Vec::new(),
            body: Bytes::new(),
        };
        let shown = format!("{request:?}");
        assert!(shown.contains("/k") && !shown.contains("secret"), "{shown}");
    }
}
