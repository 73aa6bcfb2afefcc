//! The Smithy 2.0 (and 1.0) JSON AST, as far as a client generator reads it. Traits stay JSON
//! values: lowering picks the ones it knows by id.

use super::botocore::unique_keys;
pub use super::botocore::Members;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
pub struct Model {
    /// `"2.0"` or `"1.0"`; its presence is how a Smithy file is told from a botocore one.
    pub smithy: String,
    #[serde(default, deserialize_with = "unique_keys")]
    pub shapes: BTreeMap<String, Shape>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Shape {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub members: Members<MemberRef>,
    pub member: Option<MemberRef>,
    pub key: Option<MemberRef>,
    pub value: Option<MemberRef>,
    pub input: Option<Target>,
    pub output: Option<Target>,
    #[serde(default)]
    pub errors: Vec<Target>,
    #[serde(default)]
    pub operations: Vec<Target>,
    #[serde(default)]
    pub resources: Vec<Target>,
    /// Resource lifecycle operations.
    pub create: Option<Target>,
    pub put: Option<Target>,
    pub read: Option<Target>,
    pub update: Option<Target>,
    pub delete: Option<Target>,
    pub list: Option<Target>,
    #[serde(default, rename = "collectionOperations")]
    pub collection_operations: Vec<Target>,
    #[serde(default)]
    pub mixins: Vec<Target>,
    pub version: Option<String>,
    #[serde(default)]
    pub traits: BTreeMap<String, Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MemberRef {
    pub target: String,
    #[serde(default)]
    pub traits: BTreeMap<String, Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Target {
    pub target: String,
}
