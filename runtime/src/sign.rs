//! SigV4 signing through the `aws-sigv4` crate.

use crate::config::Credentials;
use crate::BuildError;
use aws_sigv4::http_request::{sign as sigv4_sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
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
    let failed = |e: &dyn std::fmt::Display| BuildError::Signing { detail: e.to_string() };
    let identity = aws_credential_types::Credentials::new(
        &credentials.access_key_id,
        &credentials.secret_access_key,
        credentials.session_token.clone(),
        None,
        "awsgen",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(signing_name)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| failed(&e))?
        .into();
    let headers: Vec<(&str, &str)> =
        request.headers().iter().filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?))).collect();
    let uri = request.uri().to_string();
    let signable =
        SignableRequest::new(request.method().as_str(), &uri, headers.into_iter(), SignableBody::Bytes(request.body()))
            .map_err(|e| failed(&e))?;
    let (instructions, _signature) = sigv4_sign(signable, &params).map_err(|e| failed(&e))?.into_parts();
    instructions.apply_to_request_http1x(request);
    Ok(())
}
