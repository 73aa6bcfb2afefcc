//! botocore's `service-2.json` and `paginators-1.json`, field for field. Unknown keys are ignored
//! so newer models still load; maps are `BTreeMap` so every later pass iterates in a stable order.

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

/// A JSON object into a map, refusing a key that appears twice: a plain map would keep the
/// last one silently, and two operations or shapes of one name are a broken model.
pub(crate) fn unique_keys<'de, D, T>(deserializer: D) -> Result<BTreeMap<String, T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct Unique<T>(PhantomData<T>);

    impl<'de, T: Deserialize<'de>> Visitor<'de> for Unique<T> {
        type Value = BTreeMap<String, T>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an object")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
            let mut map = BTreeMap::new();
            while let Some(key) = access.next_key::<String>()? {
                if map.contains_key(&key) {
                    return Err(serde::de::Error::custom(format!("\"{key}\" is defined twice")));
                }
                let value = access.next_value()?;
                map.insert(key, value);
            }
            Ok(map)
        }
    }

    deserializer.deserialize_map(Unique(PhantomData))
}

/// A structure's members by name (a repeated name is refused), and the order the model
/// declares them in.
#[derive(Debug, Clone)]
pub struct Members<T> {
    by_name: BTreeMap<String, T>,
    declared: Vec<String>,
}

impl<T> Default for Members<T> {
    fn default() -> Self {
        Members { by_name: BTreeMap::new(), declared: Vec::new() }
    }
}

impl<T> Members<T> {
    /// The member's place in the model's declaration order.
    pub fn declared_at(&self, name: &str) -> usize {
        self.declared.iter().position(|n| n == name).unwrap_or_default()
    }

    /// The members to change in place (not to add or remove: the order is kept beside).
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.by_name.values_mut()
    }

    pub fn get_mut(&mut self, name: &str) -> Option<&mut T> {
        self.by_name.get_mut(name)
    }

    /// Adds `other`'s members after these; one of a name already here replaces it in place.
    pub fn extend(&mut self, other: &Members<T>)
    where
        T: Clone,
    {
        for (name, member) in other.declared.iter().zip(other.declared.iter().map(|n| &other.by_name[n])) {
            if self.by_name.insert(name.clone(), member.clone()).is_none() {
                self.declared.push(name.clone());
            }
        }
    }
}

impl<T> std::ops::Deref for Members<T> {
    type Target = BTreeMap<String, T>;

    fn deref(&self) -> &Self::Target {
        &self.by_name
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Members<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let ordered: Vec<(String, T)> = in_order(deserializer)?;
        let declared = ordered.iter().map(|(name, _)| name.clone()).collect();
        let mut by_name = BTreeMap::new();
        for (name, member) in ordered {
            if by_name.insert(name.clone(), member).is_some() {
                return Err(serde::de::Error::custom(format!("\"{name}\" is defined twice")));
            }
        }
        Ok(Members { by_name, declared })
    }
}

/// A JSON object's entries in document order.
fn in_order<'de, D, T>(deserializer: D) -> Result<Vec<(String, T)>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct Ordered<T>(PhantomData<T>);

    impl<'de, T: Deserialize<'de>> Visitor<'de> for Ordered<T> {
        type Value = Vec<(String, T)>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an object")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
            let mut entries = Vec::new();
            while let Some(entry) = access.next_entry()? {
                entries.push(entry);
            }
            Ok(entries)
        }
    }

    deserializer.deserialize_map(Ordered(PhantomData))
}

#[derive(Debug, Deserialize)]
pub struct ServiceModel {
    pub metadata: Metadata,
    #[serde(default, deserialize_with = "unique_keys")]
    pub operations: BTreeMap<String, Operation>,
    #[serde(default, deserialize_with = "unique_keys")]
    pub shapes: BTreeMap<String, Shape>,
    pub documentation: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    pub api_version: Option<String>,
    pub endpoint_prefix: Option<String>,
    pub signing_name: Option<String>,
    pub service_full_name: Option<String>,
    pub service_id: Option<String>,
    pub protocol: Option<String>,
    #[serde(default)]
    pub protocols: Vec<String>,
    pub json_version: Option<String>,
    pub target_prefix: Option<String>,
    pub signature_version: Option<String>,
    /// Smithy auth shape ids in order of preference (`aws.auth#sigv4`, `smithy.api#httpBearerAuth`).
    #[serde(default)]
    pub auth: Vec<String>,
    #[serde(default)]
    pub aws_query_compatible: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    pub name: Option<String>,
    pub http: Option<Http>,
    pub input: Option<ShapeRef>,
    pub output: Option<ShapeRef>,
    #[serde(default)]
    pub errors: Vec<ShapeRef>,
    pub documentation: Option<String>,
    #[serde(default)]
    pub deprecated: bool,
    pub deprecated_message: Option<String>,
    pub endpoint: Option<Endpoint>,
    /// `none` for an operation sent unsigned (older models).
    pub authtype: Option<String>,
    /// The auth schemes in order; `["smithy.api#noAuth"]` alone: sent unsigned.
    pub auth: Option<Vec<String>>,
    /// Signed without hashing the body (`UNSIGNED-PAYLOAD`), as `authtype: v4-unsigned-body` says too.
    #[serde(default, rename = "unsignedPayload")]
    pub unsigned_payload: bool,
    pub http_checksum: Option<HttpChecksum>,
    /// `{"encodings": ["gzip"]}`: the body may be sent compressed.
    #[serde(default, rename = "requestcompression")]
    pub request_compression: Option<RequestCompression>,
    /// An older spelling of `httpChecksum.requestChecksumRequired` (S3 Control).
    #[serde(default)]
    pub http_checksum_required: bool,
    /// Sent to an endpoint the service's endpoint operation names (`{"required": true}` when it
    /// can't be sent elsewhere).
    #[serde(default, rename = "endpointdiscovery")]
    pub endpoint_discovery: Option<EndpointDiscoveryDecl>,
    /// The service's DescribeEndpoints, which names those endpoints.
    #[serde(default, rename = "endpointoperation")]
    pub endpoint_operation: bool,
    /// Endpoint rule-set parameters with a fixed value for this operation: `{"Name": {"value": v}}`.
    #[serde(default)]
    pub static_context_params: BTreeMap<String, StaticContextParam>,
    /// Endpoint rule-set parameters taken from the input by a JMESPath expression.
    #[serde(default)]
    pub operation_context_params: BTreeMap<String, OperationContextParam>,
}

/// Checksums of the request body and of the response body.
#[derive(Debug, Deserialize)]
pub struct RequestCompression {
    #[serde(default)]
    pub encodings: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpChecksum {
    pub request_algorithm_member: Option<String>,
    #[serde(default)]
    pub request_checksum_required: bool,
    /// The input member that asks for the response's checksum (`ChecksumMode`).
    pub request_validation_mode_member: Option<String>,
    #[serde(default)]
    pub response_algorithms: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct StaticContextParam {
    pub value: serde_json::Value,
}

#[derive(Debug, Deserialize)]
pub struct OperationContextParam {
    pub path: String,
}

#[derive(Debug, Deserialize)]
pub struct EndpointDiscoveryDecl {
    #[serde(default)]
    pub required: bool,
}

/// On an input member: its value is the endpoint rule-set parameter `name`.
#[derive(Debug, Deserialize)]
pub struct ContextParam {
    pub name: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Http {
    pub method: Option<String>,
    pub request_uri: Option<String>,
    pub response_code: Option<u16>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoint {
    pub host_prefix: Option<String>,
}

/// A reference to a shape, with the per-reference attributes botocore puts beside it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShapeRef {
    pub shape: String,
    pub documentation: Option<String>,
    pub location: Option<String>,
    pub location_name: Option<String>,
    #[serde(default)]
    pub deprecated: bool,
    #[serde(default)]
    pub idempotency_token: bool,
    #[serde(default)]
    pub host_label: bool,
    #[serde(default)]
    pub streaming: bool,
    #[serde(default)]
    pub jsonvalue: bool,
    pub timestamp_format: Option<String>,
    /// On an operation's input or output (older models): which member is the payload.
    pub payload: Option<String>,
    pub context_param: Option<ContextParam>,
    /// XML and awsQuery: a list or map written without its wrapper element.
    #[serde(default)]
    pub flattened: bool,
    /// EC2: the member's form key, used as written (`locationName` is capitalised instead).
    pub query_name: Option<String>,
    /// awsQuery: on an operation's output, the element holding its members (`AssumeRoleResult`).
    pub result_wrapper: Option<String>,
    /// restXml: the member's element declares this namespace.
    pub xml_namespace: Option<XmlNamespace>,
    /// restXml: the member is an attribute of its structure's element.
    #[serde(default)]
    pub xml_attribute: bool,
    /// An event's member that is the message's payload (the others are in its headers or, if
    /// none is the payload, the payload is the whole event).
    #[serde(default)]
    pub eventpayload: bool,
    /// An event's member carried in its message's headers.
    #[serde(default)]
    pub eventheader: bool,
}

/// `{"uri": "...", "prefix": "xsi"}`, or the URI alone.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum XmlNamespace {
    Uri(String),
    Full { uri: String, prefix: Option<String> },
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Shape {
    #[serde(rename = "type")]
    pub kind: String,
    /// Sorted by member name: generated fields follow that order on every machine. The order
    /// the model declares them in is kept beside (XML writes elements in it).
    #[serde(default)]
    pub members: Members<ShapeRef>,
    #[serde(default)]
    pub required: Vec<String>,
    pub member: Option<ShapeRef>,
    pub key: Option<ShapeRef>,
    pub value: Option<ShapeRef>,
    #[serde(rename = "enum", default)]
    pub enum_values: Vec<String>,
    pub documentation: Option<String>,
    #[serde(default)]
    pub exception: bool,
    #[serde(default)]
    pub fault: bool,
    pub error: Option<ErrorTrait>,
    #[serde(default)]
    pub sensitive: bool,
    #[serde(default)]
    pub deprecated: bool,
    #[serde(default)]
    pub streaming: bool,
    #[serde(default)]
    pub union: bool,
    /// An event stream: a structure of event members (and exceptions), one per message.
    #[serde(default)]
    pub eventstream: bool,
    #[serde(default)]
    pub document: bool,
    pub payload: Option<String>,
    pub timestamp_format: Option<String>,
    /// Older models put a member's location on its target shape.
    pub location: Option<String>,
    /// XML and awsQuery: the element name of members targeting this shape, unless they name one.
    pub location_name: Option<String>,
    #[serde(default)]
    pub flattened: bool,
    /// restXml: the structure's element declares this namespace.
    pub xml_namespace: Option<XmlNamespace>,
    pub min: Option<serde_json::Number>,
    pub max: Option<serde_json::Number>,
    pub pattern: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorTrait {
    pub code: Option<String>,
    pub http_status_code: Option<u16>,
    #[serde(default)]
    pub sender_fault: bool,
}

#[derive(Debug, Deserialize)]
pub struct PaginatorsFile {
    #[serde(default, deserialize_with = "unique_keys")]
    pub pagination: BTreeMap<String, Paginator>,
}

#[derive(Debug, Deserialize)]
pub struct Paginator {
    pub input_token: Option<OneOrMany>,
    pub output_token: Option<OneOrMany>,
    pub limit_key: Option<String>,
    pub result_key: Option<OneOrMany>,
    pub more_results: Option<String>,
    #[serde(default)]
    pub non_aggregate_keys: Vec<String>,
}

/// botocore allows a string or a list of strings for several paginator keys.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn to_vec(&self) -> Vec<String> {
        match self {
            OneOrMany::One(one) => vec![one.clone()],
            OneOrMany::Many(many) => many.clone(),
        }
    }
}

/// `waiters-2.json`: each waiter polls one operation until an acceptor decides.
#[derive(Debug, Deserialize)]
pub struct WaitersFile {
    #[serde(default, deserialize_with = "unique_keys")]
    pub waiters: BTreeMap<String, Waiter>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Waiter {
    pub operation: String,
    pub description: Option<String>,
    /// Seconds between polls.
    pub delay: u32,
    pub max_attempts: u32,
    pub acceptors: Vec<Acceptor>,
}

#[derive(Debug, Deserialize)]
pub struct Acceptor {
    /// `path`, `pathAll`, `pathAny`, `status` or `error`.
    pub matcher: String,
    /// `success`, `failure` or `retry`.
    pub state: String,
    pub argument: Option<String>,
    pub expected: serde_json::Value,
}
