//! CloudFront signed URLs and cookies, for private content behind a distribution (botocore's
//! `CloudFrontSigner`): a policy (canned: one URL until a time; custom: a resource that may hold
//! `*` wildcards, a start time, a source IP range), signed with the key pair's private key, in
//! CloudFront's URL-safe base64 (`+` `=` `/` become `-` `_` `~`).
//!
//! CloudFront signs with RSA-SHA1, which the crypto this crate builds on (ring) does not do; as
//! in botocore, the caller brings the signature: a function from the policy's bytes to the
//! PKCS#1 v1.5 SHA-1 signature under the key pair's private key (with the `rsa` crate,
//! `rsa::pkcs1v15::SigningKey::<sha1::Sha1>`; or openssl, or a KMS-held key). The policies,
//! URLs and cookies are byte for byte botocore's.

use crate::BuildError;
use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// The signature function: the policy's bytes in, the signature's bytes out.
type SignFn = dyn Fn(&[u8]) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>> + Send + Sync;

/// Signs CloudFront URLs and cookies with one key pair (or a key group's public key's id).
#[derive(Clone)]
pub struct CloudFrontSigner {
    key_pair_id: String,
    sign: Arc<SignFn>,
}

/// A custom policy: who may get `resource` (a URL, `*` wildcards allowed), until when, from
/// when, from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomPolicy {
    resource: String,
    expires: SystemTime,
    starts: Option<SystemTime>,
    source_ip: Option<String>,
}

impl CustomPolicy {
    /// Access to `resource` until `expires`.
    pub fn new(resource: impl Into<String>, expires: SystemTime) -> Self {
        CustomPolicy { resource: resource.into(), expires, starts: None, source_ip: None }
    }

    /// Not before `starts`.
    pub fn starts_at(mut self, starts: SystemTime) -> Self {
        self.starts = Some(starts);
        self
    }

    /// Only from this address or CIDR range (an address alone is its `/32`).
    pub fn source_ip(mut self, range: impl Into<String>) -> Self {
        let range = range.into();
        self.source_ip = Some(if range.contains('/') { range } else { format!("{range}/32") });
        self
    }

    /// The policy document as CloudFront reads it and botocore writes it: compact, its keys in
    /// botocore's order, non-ASCII escaped.
    pub fn to_json(&self) -> String {
        let mut condition = format!("{{\"DateLessThan\":{{\"AWS:EpochTime\":{}}}", epoch(self.expires));
        if let Some(range) = &self.source_ip {
            condition.push_str(&format!(",\"IpAddress\":{{\"AWS:SourceIp\":{}}}", crate::json::py_json(range)));
        }
        if let Some(starts) = self.starts {
            condition.push_str(&format!(",\"DateGreaterThan\":{{\"AWS:EpochTime\":{}}}", epoch(starts)));
        }
        condition.push('}');
        let resource = crate::json::py_json(&self.resource);
        format!("{{\"Statement\":[{{\"Resource\":{resource},\"Condition\":{condition}}}]}}")
    }
}

impl CloudFrontSigner {
    /// A signer for the key pair `key_pair_id` (the public key's id in a key group, or a
    /// legacy CloudFront key pair's), signing with `sign` (see the module's docs).
    pub fn new<F, E>(key_pair_id: impl Into<String>, sign: F) -> Self
    where
        F: Fn(&[u8]) -> Result<Vec<u8>, E> + Send + Sync + 'static,
        E: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let sign = move |message: &[u8]| sign(message).map_err(Into::into);
        CloudFrontSigner { key_pair_id: key_pair_id.into(), sign: Arc::new(sign) }
    }

    /// `url` signed with a canned policy: valid until `expires` (`Expires`, `Signature`,
    /// `Key-Pair-Id` added to its query).
    pub fn canned_url(&self, url: &str, expires: SystemTime) -> Result<String, BuildError> {
        let policy = CustomPolicy::new(url, expires).to_json();
        let signature = self.signature(&policy)?;
        Ok(self.with_params(url, &[("Expires", epoch(expires).to_string()), ("Signature", signature)]))
    }

    /// `url` signed with a custom policy (`Policy`, `Signature`, `Key-Pair-Id` added to its
    /// query). The policy's resource is what it grants, which may be wider than `url`.
    pub fn custom_url(&self, url: &str, policy: &CustomPolicy) -> Result<String, BuildError> {
        let policy = policy.to_json();
        let signature = self.signature(&policy)?;
        Ok(self.with_params(url, &[("Policy", url_base64(policy.as_bytes())), ("Signature", signature)]))
    }

    /// Cookies granting `resource` until `expires` (a canned policy): `CloudFront-Expires`,
    /// `CloudFront-Signature`, `CloudFront-Key-Pair-Id`, as name and value.
    pub fn canned_cookies(
        &self,
        resource: &str,
        expires: SystemTime,
    ) -> Result<Vec<(&'static str, String)>, BuildError> {
        let signature = self.signature(&CustomPolicy::new(resource, expires).to_json())?;
        Ok(vec![
            ("CloudFront-Expires", epoch(expires).to_string()),
            ("CloudFront-Signature", signature),
            ("CloudFront-Key-Pair-Id", self.key_pair_id.clone()),
        ])
    }

    /// Cookies granting what `policy` says: `CloudFront-Policy`, `CloudFront-Signature`,
    /// `CloudFront-Key-Pair-Id`, as name and value.
    pub fn custom_cookies(&self, policy: &CustomPolicy) -> Result<Vec<(&'static str, String)>, BuildError> {
        let policy = policy.to_json();
        Ok(vec![
            ("CloudFront-Policy", url_base64(policy.as_bytes())),
            ("CloudFront-Signature", self.signature(&policy)?),
            ("CloudFront-Key-Pair-Id", self.key_pair_id.clone()),
        ])
    }

    /// The policy's signature, in CloudFront's base64.
    fn signature(&self, policy: &str) -> Result<String, BuildError> {
        let signed = (self.sign)(policy.as_bytes());
        let signed =
            signed.map_err(|error| BuildError::Signing { detail: format!("the CloudFront signer failed: {error}") })?;
        Ok(url_base64(&signed))
    }

    /// `url` with `params` and the key pair id after its query, as botocore joins them (values
    /// are already URL-safe).
    fn with_params(&self, url: &str, params: &[(&str, String)]) -> String {
        let separator = if url.contains('?') { '&' } else { '?' };
        let params: Vec<String> = params.iter().map(|(name, value)| format!("{name}={value}")).collect();
        format!("{url}{separator}{}&Key-Pair-Id={}", params.join("&"), self.key_pair_id)
    }
}

/// Never the signing function (it may hold a private key).
impl fmt::Debug for CloudFrontSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CloudFrontSigner").field("key_pair_id", &self.key_pair_id).finish_non_exhaustive()
    }
}

/// Seconds since 1970 (0 for a time before it).
fn epoch(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_secs())
}

/// CloudFront's URL-safe base64: standard base64 with `+` `=` `/` as `-` `_` `~`.
fn url_base64(bytes: &[u8]) -> String {
    crate::base64::encode(bytes)
        .chars()
        .map(|c| match c {
            '+' => '-',
            '=' => '_',
            '/' => '~',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Stands in for RSA-SHA1 in these tests: botocore was run with the same function (its
    /// `rsa_signer` is the caller's), so every byte around the signature is compared.
    fn hmac_sha1(message: &[u8]) -> Result<Vec<u8>, std::convert::Infallible> {
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, b"test key");
        Ok(ring::hmac::sign(&key, message).as_ref().to_vec())
    }

    fn at(epoch: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(epoch)
    }

    const EXPIRES: u64 = 1_798_675_200; // 2026-12-31T00:00:00Z
    const STARTS: u64 = 1_796_083_200; // 2026-12-01T00:00:00Z

    /// Expected values from botocore 1.43.11's `CloudFrontSigner("K2JCJMDEHXQW5F", hmac_sha1)`.
    #[test]
    fn urls_are_byte_for_byte_botocores() {
        let signer = CloudFrontSigner::new("K2JCJMDEHXQW5F", hmac_sha1);
        assert_eq!(
            signer.canned_url("https://d111111abcdef8.cloudfront.net/images/cat.jpg", at(EXPIRES)).unwrap(),
            "https://d111111abcdef8.cloudfront.net/images/cat.jpg?Expires=1798675200\
             &Signature=A~eTYZvK4ol9XtqDPz-a0bkWUzw_&Key-Pair-Id=K2JCJMDEHXQW5F"
        );
        assert_eq!(
            signer
                .canned_url("https://d111111abcdef8.cloudfront.net/video.mp4?quality=hd&lang=fr", at(EXPIRES))
                .unwrap(),
            "https://d111111abcdef8.cloudfront.net/video.mp4?quality=hd&lang=fr&Expires=1798675200\
             &Signature=qKGuXDzrhR10bI7RcWD5lvX5Opc_&Key-Pair-Id=K2JCJMDEHXQW5F"
        );
        let policy = CustomPolicy::new("https://d111111abcdef8.cloudfront.net/private/*", at(EXPIRES))
            .starts_at(at(STARTS))
            .source_ip("192.0.2.10");
        assert_eq!(
            policy.to_json(),
            r#"{"Statement":[{"Resource":"https://d111111abcdef8.cloudfront.net/private/*","Condition":{"DateLessThan":{"AWS:EpochTime":1798675200},"IpAddress":{"AWS:SourceIp":"192.0.2.10/32"},"DateGreaterThan":{"AWS:EpochTime":1796083200}}}]}"#
        );
        assert_eq!(
            signer.custom_url("https://d111111abcdef8.cloudfront.net/private/caf\u{e9}.txt", &policy).unwrap(),
            "https://d111111abcdef8.cloudfront.net/private/caf\u{e9}.txt?Policy=eyJTdGF0ZW1lbnQiOlt7IlJlc291cmNlIjoiaHR0cHM6Ly9kMTExMTExYWJjZGVmOC5jbG91ZGZyb250Lm5ldC9wcml2YXRlLyoiLCJDb25kaXRpb24iOnsiRGF0ZUxlc3NUaGFuIjp7IkFXUzpFcG9jaFRpbWUiOjE3OTg2NzUyMDB9LCJJcEFkZHJlc3MiOnsiQVdTOlNvdXJjZUlwIjoiMTkyLjAuMi4xMC8zMiJ9LCJEYXRlR3JlYXRlclRoYW4iOnsiQVdTOkVwb2NoVGltZSI6MTc5NjA4MzIwMH19fV19\
             &Signature=lB7BLtFH3CyNjrgHy1eg3eANHYc_&Key-Pair-Id=K2JCJMDEHXQW5F"
        );
        let wildcard = CustomPolicy::new("https://d111111abcdef8.cloudfront.net/private/caf\u{e9}*", at(EXPIRES))
            .source_ip("192.0.2.0/24");
        assert_eq!(
            wildcard.to_json(),
            r#"{"Statement":[{"Resource":"https://d111111abcdef8.cloudfront.net/private/caf\u00e9*","Condition":{"DateLessThan":{"AWS:EpochTime":1798675200},"IpAddress":{"AWS:SourceIp":"192.0.2.0/24"}}}]}"#
        );
        assert!(signer
            .custom_url("https://d111111abcdef8.cloudfront.net/private/caf\u{e9}.txt", &wildcard)
            .unwrap()
            .ends_with("&Signature=vIQdc261Dok1Yu5wBK-CdfvgIVc_&Key-Pair-Id=K2JCJMDEHXQW5F"));
    }

    #[test]
    fn cookies_carry_the_same_policy_and_signature_as_the_url() {
        let signer = CloudFrontSigner::new("K2JCJMDEHXQW5F", hmac_sha1);
        let cookies =
            signer.canned_cookies("https://d111111abcdef8.cloudfront.net/images/cat.jpg", at(EXPIRES)).unwrap();
        assert_eq!(
            cookies,
            [
                ("CloudFront-Expires", "1798675200".to_owned()),
                ("CloudFront-Signature", "A~eTYZvK4ol9XtqDPz-a0bkWUzw_".to_owned()),
                ("CloudFront-Key-Pair-Id", "K2JCJMDEHXQW5F".to_owned()),
            ]
        );
        let policy = CustomPolicy::new("https://d111111abcdef8.cloudfront.net/private/*", at(EXPIRES));
        let cookies = signer.custom_cookies(&policy).unwrap();
        let url = signer.custom_url("https://d111111abcdef8.cloudfront.net/private/a", &policy).unwrap();
        assert!(url.contains(&format!("Policy={}&Signature={}&", cookies[0].1, cookies[1].1)), "{url}");
        assert_eq!(cookies[0].0, "CloudFront-Policy");
    }

    #[test]
    fn a_failing_signer_is_an_error_and_debug_shows_no_key() {
        let signer = CloudFrontSigner::new("K1", |_: &[u8]| Err("the HSM is unreachable"));
        let error = signer.canned_url("https://x.cloudfront.net/a", at(EXPIRES)).unwrap_err();
        assert!(error.to_string().contains("the HSM is unreachable"), "{error}");
        assert_eq!(format!("{signer:?}"), "CloudFrontSigner { key_pair_id: \"K1\", .. }");
    }
}
