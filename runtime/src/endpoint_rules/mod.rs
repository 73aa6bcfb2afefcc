//! An interpreter for Smithy endpoint rule sets (`endpoint-rule-set-1.json`): the rules that turn
//! parameters such as `Region`, `UseFIPS` or S3's `Bucket` into an endpoint URL, headers and
//! properties (signing overrides), or into the rule set's own error message.
//!
//! [`RuleSet::from_json`] parses and checks a rule set once; [`RuleSet::resolve`] evaluates it for
//! one set of [`Params`]. Neither panics on any input: nesting is bounded when parsing, evaluation
//! follows the parsed tree, and strings the rules build are capped at [`MAX_STRING_LEN`].

mod eval;
mod functions;
mod partition;
mod rules;
mod template;

use serde_json::{Map, Value as Json};
use std::collections::BTreeMap;
use std::fmt;

/// The longest string a template or `uriEncode` may build; longer is a [`ResolveError::Invalid`].
/// Real endpoints are a few hundred bytes; the cap keeps nested calls from growing without bound.
pub const MAX_STRING_LEN: usize = 64 * 1024;

/// A parsed, checked endpoint rule set.
#[derive(Debug)]
pub struct RuleSet {
    parameters: Vec<Parameter>,
    rules: Vec<rules::Rule>,
    slots: usize,
}

/// A parameter the rule set declares.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameter {
    pub name: String,
    pub kind: ParamType,
    /// Resolving fails when it is missing and has no default.
    pub required: bool,
    pub default: Option<Value>,
    /// Where an SDK takes the value from, e.g. `AWS::Region` or `SDK::Endpoint`.
    pub built_in: Option<String>,
    pub documentation: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamType {
    String,
    Boolean,
    StringArray,
}

/// A parameter value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    String(String),
    Bool(bool),
    StringArray(Vec<String>),
}

impl Value {
    pub fn kind(&self) -> ParamType {
        match self {
            Value::String(_) => ParamType::String,
            Value::Bool(_) => ParamType::Boolean,
            Value::StringArray(_) => ParamType::StringArray,
        }
    }

    /// The value of a JSON literal (a default, a test case's params) as a parameter of `kind`.
    pub fn from_json(json: &Json, kind: ParamType) -> Option<Value> {
        match (kind, json) {
            (ParamType::String, Json::String(s)) => Some(Value::String(s.clone())),
            (ParamType::Boolean, Json::Bool(b)) => Some(Value::Bool(*b)),
            (ParamType::StringArray, Json::Array(items)) => {
                items.iter().map(|i| i.as_str().map(str::to_owned)).collect::<Option<_>>().map(Value::StringArray)
            }
            _ => None,
        }
    }

    fn to_json(&self) -> Json {
        match self {
            Value::String(s) => Json::String(s.clone()),
            Value::Bool(b) => Json::Bool(*b),
            Value::StringArray(items) => Json::Array(items.iter().cloned().map(Json::String).collect()),
        }
    }
}

impl From<&str> for Value {
    fn from(value: &str) -> Value {
        Value::String(value.to_owned())
    }
}

impl From<String> for Value {
    fn from(value: String) -> Value {
        Value::String(value)
    }
}

impl From<bool> for Value {
    fn from(value: bool) -> Value {
        Value::Bool(value)
    }
}

impl From<Vec<String>> for Value {
    fn from(value: Vec<String>) -> Value {
        Value::StringArray(value)
    }
}

/// The values to resolve with, by parameter name; unset parameters take their default.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Params {
    values: BTreeMap<String, Value>,
}

impl Params {
    pub fn new() -> Params {
        Params::default()
    }

    /// Sets `name`, replacing an earlier value.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<Value>) -> &mut Params {
        self.values.insert(name.into(), value.into());
        self
    }

    /// [`Params::set`] for building in one expression.
    pub fn with(mut self, name: impl Into<String>, value: impl Into<Value>) -> Params {
        self.set(name, value);
        self
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }
}

/// The endpoint a rule set resolved to.
#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedEndpoint {
    pub url: String,
    /// Header name -> values, in the rule set's order of names (as parsed: sorted) and values.
    pub headers: Vec<(String, Vec<String>)>,
    /// E.g. `authSchemes`; see [`ResolvedEndpoint::signing`].
    pub properties: Map<String, Json>,
}

/// How the endpoint's first supported auth scheme changes SigV4 signing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SigningOverride {
    pub signing_name: Option<String>,
    pub signing_region: Option<String>,
    pub disable_double_encoding: bool,
    /// The scheme is `sigv4a`, signing for this region set (`*`, or regions joined by `,`;
    /// empty when the endpoint names none: the caller's region then).
    pub sigv4a_region_set: Option<String>,
    /// The scheme is `sigv4-s3express`: SigV4 with the credentials of the bucket's S3 Express
    /// session.
    pub s3express_session: bool,
}

/// Why [`ResolvedEndpoint::signing`] found no scheme to sign with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthSchemeError {
    /// Every listed scheme is one this runtime cannot sign with (e.g. `sigv4a`, `sigv4-s3express`).
    Unsupported(Vec<String>),
    /// `authSchemes` is not a list of objects with a string `name`, or a field has the wrong type.
    Malformed(String),
}

impl fmt::Display for AuthSchemeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthSchemeError::Unsupported(names) => {
                write!(f, "the endpoint requires an unsupported auth scheme ({})", names.join(", "))
            }
            AuthSchemeError::Malformed(what) => write!(f, "the endpoint's authSchemes property is malformed: {what}"),
        }
    }
}

impl std::error::Error for AuthSchemeError {}

impl ResolvedEndpoint {
    /// The signing override of the first entry of `properties.authSchemes` the caller signs with
    /// (`sigv4`, `sigv4-s3express`, and `sigv4a` when `sigv4a`); `Ok(None)` when the endpoint
    /// lists no schemes (sign as configured).
    pub fn signing(&self, sigv4a: bool) -> Result<Option<SigningOverride>, AuthSchemeError> {
        let Some(schemes) = self.properties.get("authSchemes") else { return Ok(None) };
        let schemes = schemes.as_array().ok_or_else(|| AuthSchemeError::Malformed("not a list".to_owned()))?;
        let mut names = Vec::new();
        let malformed = |what: &str| AuthSchemeError::Malformed(what.to_owned());
        for scheme in schemes {
            let name = scheme.get("name").and_then(Json::as_str);
            let name = name.ok_or_else(|| AuthSchemeError::Malformed("an entry without a string `name`".to_owned()))?;
            let sigv4a = sigv4a && name == "sigv4a";
            let s3express_session = name == "sigv4-s3express";
            if name != "sigv4" && !sigv4a && !s3express_session {
                names.push(name.to_owned());
                continue;
            }
            let text = |key: &str| match scheme.get(key) {
                None => Ok(None),
                Some(Json::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(AuthSchemeError::Malformed(format!("`{key}` is not a string"))),
            };
            let disable_double_encoding = match scheme.get("disableDoubleEncoding") {
                None => false,
                Some(Json::Bool(b)) => *b,
                Some(_) => {
                    return Err(AuthSchemeError::Malformed("`disableDoubleEncoding` is not a boolean".to_owned()))
                }
            };
            let sigv4a_region_set = match scheme.get("signingRegionSet") {
                _ if !sigv4a => None,
                None => Some(String::new()),
                Some(Json::Array(regions)) => {
                    let regions: Option<Vec<&str>> = regions.iter().map(Json::as_str).collect();
                    let regions = regions.ok_or_else(|| malformed("`signingRegionSet` is not a list of strings"))?;
                    Some(regions.join(","))
                }
                Some(_) => return Err(malformed("`signingRegionSet` is not a list of strings")),
            };
            return Ok(Some(SigningOverride {
                signing_name: text("signingName")?,
                signing_region: text("signingRegion")?,
                disable_double_encoding,
                sigv4a_region_set,
                s3express_session,
            }));
        }
        Err(AuthSchemeError::Unsupported(names))
    }

    /// As JSON: `{"url", "headers"?, "properties"?}`, the shape of the published test cases.
    pub fn to_json(&self) -> Json {
        let mut out = Map::new();
        out.insert("url".to_owned(), Json::String(self.url.clone()));
        if !self.headers.is_empty() {
            let headers = self.headers.iter().map(|(name, values)| (name.clone(), Json::from(values.clone())));
            out.insert("headers".to_owned(), Json::Object(headers.collect()));
        }
        if !self.properties.is_empty() {
            out.insert("properties".to_owned(), Json::Object(self.properties.clone()));
        }
        Json::Object(out)
    }
}

/// A rule set that cannot be used: where (a JSON path such as `rules[2].conditions[0]`) and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleSetError {
    pub at: String,
    pub message: String,
}

impl RuleSetError {
    fn new(at: &str, message: impl Into<String>) -> RuleSetError {
        RuleSetError { at: at.to_owned(), message: message.into() }
    }
}

impl fmt::Display for RuleSetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.at.as_str() {
            "" => write!(f, "invalid endpoint rule set: {}", self.message),
            at => write!(f, "invalid endpoint rule set at {at}: {}", self.message),
        }
    }
}

impl std::error::Error for RuleSetError {}

/// Why no endpoint was resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResolveError {
    /// An error rule matched; its message, exactly as the rule set words it.
    Rule(String),
    /// A required parameter without a default was not given.
    MissingParam(String),
    /// A parameter was given a value of another type than it declares.
    WrongParamType { name: String, expected: ParamType },
    /// A value for a parameter the rule set does not declare.
    UnknownParam(String),
    /// No rule matched (a rule set bug: rule sets end with a catch-all).
    NoMatch,
    /// The rules misused a value (e.g. `booleanEquals` of a string) or built one too long.
    Invalid(String),
}

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResolveError::Rule(message) => f.write_str(message),
            ResolveError::MissingParam(name) => write!(f, "missing required endpoint parameter `{name}`"),
            ResolveError::WrongParamType { name, expected } => {
                write!(f, "endpoint parameter `{name}` must be of type {expected:?}")
            }
            ResolveError::UnknownParam(name) => write!(f, "the endpoint rules have no parameter `{name}`"),
            ResolveError::NoMatch => f.write_str("no endpoint rule matched these parameters"),
            ResolveError::Invalid(message) => write!(f, "endpoint rules: {message}"),
        }
    }
}

impl std::error::Error for ResolveError {}

impl RuleSet {
    /// Parses and checks `endpoint-rule-set-1.json`.
    pub fn from_json(text: &str) -> Result<RuleSet, RuleSetError> {
        let parsed = rules::parse(text)?;
        Ok(RuleSet { parameters: parsed.parameters, rules: parsed.rules, slots: parsed.slots })
    }

    /// The declared parameters, in the rule set's order (as parsed: sorted by name).
    pub fn parameters(&self) -> &[Parameter] {
        &self.parameters
    }

    /// Evaluates the rules for `params`.
    pub fn resolve(&self, params: &Params) -> Result<ResolvedEndpoint, ResolveError> {
        if let Some(unknown) = params.values.keys().find(|name| !self.parameters.iter().any(|p| &p.name == *name)) {
            return Err(ResolveError::UnknownParam(unknown.clone()));
        }
        let mut slots = Vec::with_capacity(self.slots);
        for parameter in &self.parameters {
            let value = params.get(&parameter.name).or(parameter.default.as_ref());
            match value {
                Some(value) if value.kind() != parameter.kind => {
                    return Err(ResolveError::WrongParamType { name: parameter.name.clone(), expected: parameter.kind })
                }
                None if parameter.required => return Err(ResolveError::MissingParam(parameter.name.clone())),
                _ => slots.push(value.map(Value::to_json)),
            }
        }
        slots.resize(self.slots, None);
        eval::resolve(&self.rules, &mut slots)
    }
}

/// A service's rule set as a generated crate embeds it: the JSON text, parsed on first use and
/// kept for the life of the program, so no call parses it again.
#[derive(Debug)]
pub struct EmbeddedRuleSet {
    json: &'static str,
    parsed: std::sync::OnceLock<Result<RuleSet, RuleSetError>>,
}

impl EmbeddedRuleSet {
    pub const fn new(json: &'static str) -> EmbeddedRuleSet {
        EmbeddedRuleSet { json, parsed: std::sync::OnceLock::new() }
    }

    /// The parsed rule set; an error (checked at generation time, so unexpected) stays the answer.
    pub fn get(&self) -> Result<&RuleSet, &RuleSetError> {
        self.parsed.get_or_init(|| RuleSet::from_json(self.json)).as_ref()
    }
}

#[cfg(test)]
mod tests;
