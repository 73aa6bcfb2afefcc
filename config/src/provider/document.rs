//! The JSON credentials documents of container endpoints, IMDS and `credential_process`.
//! Errors name fields, never their values.

use awsgen_runtime::credentials::CredentialsError;
use awsgen_runtime::time::{DateTime, TimestampFormat};
use awsgen_runtime::Credentials;
use serde_json::{Map, Value};
use std::time::SystemTime;

pub(crate) struct Document {
    fields: Map<String, Value>,
    /// Who sent it, for messages: "the container endpoint's answer".
    origin: &'static str,
}

impl Document {
    pub fn parse(body: &[u8], origin: &'static str) -> Result<Self, CredentialsError> {
        match serde_json::from_slice(body) {
            Ok(Value::Object(fields)) => Ok(Document { fields, origin }),
            _ => Err(CredentialsError::provider_error(format!("{origin} is not a JSON object"))),
        }
    }

    pub fn optional(&self, key: &str) -> Result<Option<&str>, CredentialsError> {
        match self.fields.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(_) => Err(self.error(format!("`{key}` is not a string"))),
        }
    }

    pub fn required(&self, key: &str) -> Result<&str, CredentialsError> {
        self.optional(key)?.filter(|text| !text.is_empty()).ok_or_else(|| self.error(format!("`{key}` is missing")))
    }

    pub fn value(&self, key: &str) -> Option<&Value> {
        self.fields.get(key)
    }

    /// Access key, secret, the session token under `token_key`, and the RFC 3339 `Expiration`.
    pub fn credentials(&self, token_key: &str) -> Result<Credentials, CredentialsError> {
        let token = self.optional(token_key)?.filter(|token| !token.is_empty()).map(str::to_owned);
        let mut credentials = Credentials::new(self.required("AccessKeyId")?, self.required("SecretAccessKey")?, token);
        if let Some(expiry) = self.expiration()? {
            credentials = credentials.with_expiry(expiry);
        }
        if let Some(account_id) = self.optional("AccountId")?.filter(|id| !id.is_empty()) {
            credentials = credentials.with_account_id(account_id);
        }
        Ok(credentials)
    }

    fn expiration(&self) -> Result<Option<SystemTime>, CredentialsError> {
        let Some(text) = self.optional("Expiration")? else { return Ok(None) };
        let parsed = DateTime::parse(text, TimestampFormat::DateTime)
            .map_err(|_| self.error("`Expiration` is not an RFC 3339 timestamp".to_owned()))?;
        Ok(Some(parsed.into()))
    }

    pub fn error(&self, problem: String) -> CredentialsError {
        CredentialsError::provider_error(format!("{}: {problem}", self.origin))
    }
}
