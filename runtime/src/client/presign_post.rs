//! S3 presigned POST: an HTML form a browser uploads one object with, straight to S3, under a
//! signed policy of what it may upload (the key or its prefix, the size, the content type...).
//! The policy and its signature are byte for byte botocore's `generate_presigned_post`.

use super::{fetch_identity, Client};
use crate::build::BuildError;
use crate::error::SdkError;
use crate::http::Response;
use crate::protocol::{ErrorResponse, Operation, Request};
use crate::sigv4::{self, SigningParams};
use crate::{ParseError, PresigningConfig};
use std::convert::Infallible;
use std::fmt;

/// A condition of the upload's policy: what the form's fields may hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostCondition {
    /// The field must be exactly this (`{"acl": "public-read"}`).
    Equals { field: String, value: String },
    /// The field must start with this (`["starts-with", "$Content-Type", "image/"]`); an empty
    /// prefix allows anything.
    StartsWith { field: String, prefix: String },
    /// The object's size in bytes, both ends included (`["content-length-range", 1, 10485760]`).
    ContentLengthRange { min: u64, max: u64 },
}

impl PostCondition {
    pub fn equals(field: impl Into<String>, value: impl Into<String>) -> Self {
        PostCondition::Equals { field: field.into(), value: value.into() }
    }

    pub fn starts_with(field: impl Into<String>, prefix: impl Into<String>) -> Self {
        PostCondition::StartsWith { field: field.into(), prefix: prefix.into() }
    }

    pub fn content_length_range(min: u64, max: u64) -> Self {
        PostCondition::ContentLengthRange { min, max }
    }

    /// As JSON in the policy, written as Python's `json.dumps` writes it, so the policy (and so
    /// its signature) is botocore's.
    fn to_policy_json(&self) -> String {
        match self {
            PostCondition::Equals { field, value } => {
                format!("{{{}: {}}}", crate::json::py_json(field), crate::json::py_json(value))
            }
            PostCondition::StartsWith { field, prefix } => {
                let field = format!("${}", field.trim_start_matches('$'));
                format!("[\"starts-with\", {}, {}]", crate::json::py_json(&field), crate::json::py_json(prefix))
            }
            PostCondition::ContentLengthRange { min, max } => format!("[\"content-length-range\", {min}, {max}]"),
        }
    }
}

/// The form: post it, as `multipart/form-data`, to [`url`](Self::url) with these fields, in this
/// order, and the file last (a field named `file`).
#[derive(Clone, PartialEq, Eq)]
pub struct PresignedPost {
    url: String,
    fields: Vec<(String, String)>,
}

impl PresignedPost {
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn fields(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields.iter().map(|(name, value)| (name.as_str(), value.as_str()))
    }
}

/// The form is a credential until it expires: only the URL and the field names are shown.
impl fmt::Debug for PresignedPost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.fields.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("PresignedPost").field("url", &self.url).field("fields", &names).finish()
    }
}

/// A presigned POST form being made: see [`Client::presigned_post`].
#[derive(Debug, Clone)]
pub struct PresignedPostBuilder {
    client: Client,
    bucket: String,
    key: String,
    fields: Vec<(String, String)>,
    conditions: Vec<PostCondition>,
}

impl Client {
    /// A form for uploading `key` to `bucket` (botocore's `generate_presigned_post`). A key
    /// ending in `${filename}` lets the browser name the object after the file, within the
    /// prefix before it.
    pub fn presigned_post(&self, bucket: impl Into<String>, key: impl Into<String>) -> PresignedPostBuilder {
        let (bucket, key) = (bucket.into(), key.into());
        PresignedPostBuilder { client: self.clone(), bucket, key, fields: Vec::new(), conditions: Vec::new() }
    }
}

impl PresignedPostBuilder {
    /// A field the form carries as given (`acl`, `Content-Type`, `x-amz-meta-*`,
    /// `success_action_status`...). A field needs its condition too: see [`Self::condition`].
    pub fn field(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.fields.push((name.into(), value.into()));
        self
    }

    /// A condition of the policy, in the order given, before the bucket's and the key's.
    pub fn condition(mut self, condition: PostCondition) -> Self {
        self.conditions.push(condition);
        self
    }

    /// The form, signed with the client's credentials, valid for `presigning`'s time.
    pub async fn presign(self, presigning: PresigningConfig) -> Result<PresignedPost, SdkError<Infallible>> {
        let client = &self.client;
        let bucket = crate::build::s3_bucket(Some(self.bucket), "bucket")?.unwrap_or_default();
        let address = BucketAddress { bucket: bucket.clone() };
        let caller = client.caller::<BucketAddress>()?;
        let credentials = super::presign::presigning_credentials(fetch_identity(caller.signer).await?)?;
        let request = address.request()?;
        let target = client.target(&address, &request, &caller, credentials.account_id())?;
        let time = presigning.start_time.unwrap_or_else(|| client.now());
        let params =
            SigningParams::new(&credentials, (&target.signing_region, &target.signing_name), time, target.sigv4);
        let signing_failed = |e: sigv4::SigningError| BuildError::Signing { detail: e.to_string() };
        let (amz_date, scope) = sigv4::date_and_scope(&params).map_err(signing_failed)?;
        let credential = format!("{}/{scope}", params.access_key_id);
        let expiration =
            crate::DateTime::from(params.time + presigning.expires_in).format(crate::TimestampFormat::DateTime);

        let mut conditions: Vec<String> = self.conditions.iter().map(PostCondition::to_policy_json).collect();
        conditions.push(PostCondition::equals("bucket", &bucket).to_policy_json());
        conditions.push(
            match self.key.strip_suffix("${filename}") {
                Some(prefix) => PostCondition::starts_with("key", prefix),
                None => PostCondition::equals("key", &self.key),
            }
            .to_policy_json(),
        );
        let mut fields = self.fields;
        fields.push(("key".to_owned(), self.key));
        let mut signed = vec![
            ("x-amz-algorithm", sigv4::ALGORITHM.to_owned()),
            ("x-amz-credential", credential),
            ("x-amz-date", amz_date.clone()),
        ];
        if let Some(token) = params.session_token {
            signed.push(("x-amz-security-token", token.to_owned()));
        }
        for (name, value) in &signed {
            conditions.push(PostCondition::equals(*name, value).to_policy_json());
            fields.push(((*name).to_owned(), value.clone()));
        }
        let policy = format!(
            "{{\"expiration\": {}, \"conditions\": [{}]}}",
            crate::json::py_json(&expiration),
            conditions.join(", ")
        );
        let policy = crate::base64::encode(policy.as_bytes());
        let signature = sigv4::hex(sigv4::sign_with_key(&params, &amz_date[..8], &scope, policy.as_bytes()).as_ref());
        fields.push(("policy".to_owned(), policy));
        fields.push(("x-amz-signature".to_owned(), signature));
        Ok(PresignedPost { url: target.endpoint.url(""), fields })
    }
}

/// The bucket alone, for its endpoint: where a POST form for it goes.
struct BucketAddress {
    bucket: String,
}

impl Operation for BucketAddress {
    type Output = ();
    type Error = ErrorResponse;
    const NAME: &'static str = "PresignedPost";

    fn request(&self) -> Result<Request, BuildError> {
        Ok(Request::rest("POST", ""))
    }

    fn parse_output(_: &Response) -> Result<(), ParseError> {
        Ok(())
    }

    fn parse_error(error: ErrorResponse) -> ErrorResponse {
        error
    }

    fn endpoint_params(&self, params: &mut crate::endpoint_rules::Params) {
        params.set("Bucket", self.bucket.as_str());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_are_written_as_python_writes_them() {
        let range = PostCondition::content_length_range(1, 10_485_760).to_policy_json();
        assert_eq!(range, r#"["content-length-range", 1, 10485760]"#);
        assert_eq!(PostCondition::starts_with("$key", "up/").to_policy_json(), r#"["starts-with", "$key", "up/"]"#);
    }
}
