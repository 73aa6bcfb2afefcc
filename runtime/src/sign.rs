//! SigV4 signing of a request about to be sent, through our own signer (`sigv4`), which passes
//! both public SigV4 suites.

use crate::credentials::Credentials;
use crate::sigv4::{self, SignableRequest, SigningParams};
use crate::BuildError;
use bytes::Bytes;
use std::time::SystemTime;

/// Adds `Authorization`, `X-Amz-Date` and (with a session token) `X-Amz-Security-Token`.
pub(crate) fn sign(
    request: &mut http::Request<Bytes>,
    credentials: &Credentials,
    region: &str,
    signing_name: &str,
    time: SystemTime,
) -> Result<(), BuildError> {
    let failed = |detail: String| BuildError::Signing { detail };
    // Every header was built from checked text (`client::header`), so each is valid UTF-8.
    let headers = request
        .headers()
        .iter()
        .map(|(name, value)| value.to_str().map(|value| (name.as_str(), value)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| failed("a header value is not text".to_owned()))?;
    let uri = request.uri().to_string();
    let signable =
        SignableRequest { method: request.method().as_str(), uri: &uri, headers: &headers, body: request.body() };
    let params = SigningParams {
        access_key_id: &credentials.access_key_id,
        secret_access_key: &credentials.secret_access_key,
        session_token: credentials.session_token.as_deref(),
        region,
        service: signing_name,
        time,
        settings: sigv4::Settings::default(),
    };
    let signed = sigv4::sign_headers(&signable, &params).map_err(|e| failed(e.to_string()))?;
    for (name, value) in signed.headers {
        let value =
            http::HeaderValue::from_str(&value).map_err(|_| failed(format!("the {name} header is not valid")))?;
        request.headers_mut().insert(name, value);
    }
    Ok(())
}
