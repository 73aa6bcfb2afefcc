//! The input-agnostic intermediate representation. Every input format lowers into it; every
//! emitter reads only it. Rust names are resolved here once (see `naming`), so emitters never
//! invent a name.

pub mod customize;
pub mod lower_botocore;
pub mod lower_smithy;
pub mod transform;
pub mod validate;

use std::collections::BTreeMap;

/// A shape's name in the model (`ListBackendJobsRequest`, `__string`).
pub type ShapeId = String;

#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    /// The model's own name for the service (`AmplifyBackend`).
    pub service_id: String,
    pub full_name: String,
    pub api_version: String,
    pub protocol: Protocol,
    pub endpoint_prefix: String,
    pub signing_name: String,
    /// The auth schemes the service takes, in its order of preference (never empty).
    pub auth: Vec<AuthScheme>,
    /// awsJson's `X-Amz-Target` prefix (`DynamoDB_20120810`).
    pub target_prefix: Option<String>,
    /// awsJson services that also send awsQuery error codes (`x-amzn-query-error`).
    pub query_compatible: bool,
    /// The endpoint rule set, as the crate embeds it (pretty JSON); `None`: the regional endpoint.
    pub endpoint_rules: Option<String>,
    /// Headers every request carries unless the caller set them (see `customize`).
    pub headers: Vec<(String, String)>,
    pub docs: Docs,
    pub operations: BTreeMap<String, Operation>,
    pub shapes: BTreeMap<ShapeId, Shape>,
    /// Operations left out of the crate, with why (event streams are not supported yet).
    pub skipped_operations: BTreeMap<String, String>,
    /// Where each shape and operation is written in the model file, for diagnostics.
    pub source: SourceMap,
}

/// JSON pointers into the model file, which differ between the input formats.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceMap {
    /// Shape id -> its definition (`/shapes/Name`, or `/shapes/ns#Name` in Smithy).
    pub shapes: BTreeMap<ShapeId, String>,
    /// Operation name -> its definition.
    pub operations: BTreeMap<String, String>,
    /// The key a shape reference is written under: `shape` (botocore) or `target` (Smithy).
    pub reference_key: String,
}

impl SourceMap {
    /// The pointer to a shape's definition.
    pub fn shape(&self, id: &str) -> String {
        self.shapes.get(id).cloned().unwrap_or_else(|| crate::diagnostic::pointer(["shapes", id]))
    }

    /// The pointer to an operation's definition.
    pub fn operation(&self, name: &str) -> String {
        self.operations.get(name).cloned().unwrap_or_else(|| crate::diagnostic::pointer(["operations", name]))
    }
}

/// `httpChecksum` on the request side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestChecksum {
    /// The input member that chooses the algorithm (`ChecksumAlgorithm`), if any.
    pub algorithm_member: Option<String>,
    /// The service refuses the request without one (`requestChecksumRequired`).
    pub required: bool,
}

/// `httpChecksum` on the response side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseChecksum {
    /// The input member that asks for the checksum (`ChecksumMode`).
    pub mode_member: String,
    /// The algorithms the service may answer with.
    pub algorithms: Vec<String>,
}

impl ResponseChecksum {
    /// Both sides of botocore's or Smithy's `httpChecksum` use the same names.
    pub fn from_parts(mode_member: Option<&str>, algorithms: Vec<String>) -> Option<ResponseChecksum> {
        let mode_member = mode_member?.to_owned();
        (!algorithms.is_empty()).then_some(ResponseChecksum { mode_member, algorithms })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthScheme {
    SigV4,
    /// `smithy.api#httpBearerAuth`.
    Bearer,
}

impl AuthScheme {
    /// The schemes of a model's auth shape ids (`aws.auth#sigv4`, `smithy.api#httpBearerAuth`),
    /// in order; those the runtime doesn't speak (sigv4a, noAuth) are left out, and SigV4 is what
    /// is left when none remains.
    pub fn from_ids<'a>(ids: impl IntoIterator<Item = &'a str>) -> Vec<AuthScheme> {
        let mut schemes = Vec::new();
        for id in ids {
            let scheme = match id {
                "aws.auth#sigv4" => AuthScheme::SigV4,
                "smithy.api#httpBearerAuth" => AuthScheme::Bearer,
                _ => continue,
            };
            if !schemes.contains(&scheme) {
                schemes.push(scheme);
            }
        }
        if schemes.is_empty() {
            schemes.push(AuthScheme::SigV4);
        }
        schemes
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    RestJson,
    /// awsJson 1.0 or 1.1; the version goes into the Content-Type.
    AwsJson {
        version_minor: u8,
    },
    /// awsQuery: a form-encoded request, an XML response.
    AwsQuery,
    /// EC2's dialect of awsQuery: its own form keys, lists without `.member`, outputs without a
    /// result wrapper.
    Ec2Query,
    /// rest-json's HTTP bindings with XML bodies.
    RestXml,
    /// Smithy RPCv2 CBOR: the whole input and output as CBOR maps, the operation in the path.
    RpcV2Cbor,
}

impl Protocol {
    /// The whole input is the body, the whole output too: awsJson and RPCv2 CBOR.
    pub fn is_rpc_body(self) -> bool {
        matches!(self, Protocol::AwsJson { .. } | Protocol::RpcV2Cbor)
    }

    /// awsQuery or EC2: a form out, XML back.
    pub fn is_query(self) -> bool {
        matches!(self, Protocol::AwsQuery | Protocol::Ec2Query)
    }

    /// Responses come as XML: awsQuery, EC2 and restXml.
    pub fn reads_xml(self) -> bool {
        self.is_query() || self == Protocol::RestXml
    }
}

/// Documentation exactly as the model gives it (HTML for botocore); converted at emission.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Docs(pub Option<String>);

#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    pub name: String,
    pub names: OperationNames,
    pub http: HttpBinding,
    pub input: Option<ShapeId>,
    pub output: Option<ShapeId>,
    pub errors: Vec<ShapeId>,
    pub docs: Docs,
    pub deprecated: bool,
    pub pagination: Option<Pagination>,
    /// The waiters that poll this operation, by waiter name.
    pub waiters: Vec<Waiter>,
    /// Put in front of the endpoint's host, with `{Label}`s from host-label members (`{AccountId}.`).
    pub host_prefix: Option<String>,
    /// Sent without a signature (STS's AssumeRoleWithWebIdentity: its caller has no credentials).
    pub unsigned: bool,
    /// The body is sent gzip-compressed when large enough (`requestcompression`: CloudWatch's
    /// PutMetricData).
    pub gzip_request: bool,
    /// Signed with `UNSIGNED-PAYLOAD` for the body (uploads of large or streamed bodies: EBS's
    /// PutSnapshotBlock, Lex's PostContent).
    pub unsigned_payload: bool,
    /// The request carries a checksum of its body (`httpChecksum`).
    pub request_checksum: Option<RequestChecksum>,
    /// The response can carry a checksum of its body (`httpChecksum`).
    pub response_checksum: Option<ResponseChecksum>,
    /// What the service needs beyond its model (set by `customize`, empty otherwise).
    pub customized: Customized,
    /// restXml: the response body is the output's one body member itself, not an element of
    /// the output's (S3's GetBucketLocation, `s3UnwrappedXmlOutput`).
    pub unwrapped_xml_output: bool,
    /// Endpoint rule-set parameters the operation sets, sorted by name.
    pub endpoint_params: Vec<EndpointParam>,
    /// awsQuery: the element of the response holding the output's members (`AssumeRoleResult`).
    pub result_wrapper: Option<String>,
    /// restXml: the element holding the input's body members (`CreateBucketConfiguration`) and
    /// the namespace it declares; `None` without an input.
    pub body_root: Option<XmlElement>,
    /// Sent to a discovered endpoint (Timestream, DynamoDB).
    pub endpoint_discovery: Option<EndpointDiscovery>,
}

/// An operation's endpoint discovery: the service's operation that names the endpoints, and
/// whether this one can't be sent without.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointDiscovery {
    pub operation: String,
    pub required: bool,
}

/// What an operation needs beyond its model, as botocore's handlers add it (see `customize`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Customized {
    /// Glacier's uploads: the body's SHA-256 and tree hash go in headers.
    pub glacier_checksums: bool,
    /// S3's SSE-C keys: (key header, MD5 header) pairs whose MD5 is filled in.
    pub sse_customer_keys: Vec<(String, String)>,
    /// The service may answer an error with status 200.
    pub error_in_ok: bool,
    /// The input member whose URL the request goes to instead of the endpoint.
    pub endpoint_member: Option<String>,
    /// The query goes in a form body, sent as POST (CloudSearch Domain's Search, whose query
    /// can outgrow a URL).
    pub query_as_form: bool,
    /// S3's listings: keys asked for and answered percent-encoded, decoded for the caller.
    pub url_encoded_listing: Option<UrlEncodedListing>,
    /// A copy from another region, checked by a presigned URL of the same call there.
    pub cross_region_copy: Option<CrossRegionCopy>,
}

/// A copy from another region (EC2's CopySnapshot, RDS's CopyDBSnapshot and their kin) which
/// the service checks with a presigned URL of the same call in the source region: unless the
/// caller gives one, the client makes it (botocore's `inject_presigned_url_ec2` and `_rds`).
/// The members are named as the model names them.
#[derive(Debug, Clone, PartialEq)]
pub struct CrossRegionCopy {
    /// Where the URL goes (`PresignedUrl`, `PreSignedUrl`).
    pub url: String,
    /// The source region (EC2 sends it; RDS's is the client's alone, `Location::Unsent`).
    pub source_region: String,
    /// Where the destination region is sent too, if anywhere (EC2's `DestinationRegion`).
    pub destination_region: Option<String>,
}

/// S3's listings (botocore's `set_list_objects_encoding_type_url` and `decode_list_object*`):
/// unless the caller sets the input's `EncodingType`, the request asks for `url`, so that keys
/// XML 1.0 can't carry come through, and the answer's keys are decoded before the caller (and the
/// paginator, which sends a key back as a marker) sees them.
#[derive(Debug, Clone, PartialEq)]
pub struct UrlEncodedListing {
    /// The output's text members that come encoded (`Prefix`, `NextMarker`...).
    pub members: Vec<String>,
    /// The output's list members whose items' member comes encoded (`Contents` → `Key`).
    pub items: Vec<(String, String)>,
}

/// An XML element's name and the namespace it declares.
#[derive(Debug, Clone, PartialEq)]
pub struct XmlElement {
    pub name: String,
    pub namespace: Option<XmlNamespace>,
}

/// `xmlns="uri"`, or `xmlns:prefix="uri"`.
#[derive(Debug, Clone, PartialEq)]
pub struct XmlNamespace {
    pub prefix: Option<String>,
    pub uri: String,
}

impl XmlNamespace {
    /// The attribute declaring it: `xmlns` or `xmlns:prefix`.
    pub fn attribute(&self) -> String {
        match &self.prefix {
            Some(prefix) => format!("xmlns:{prefix}"),
            None => "xmlns".to_owned(),
        }
    }
}

/// An endpoint rule-set parameter an operation sets (botocore `staticContextParams`, a
/// `contextParam` member, an `operationContextParams` path naming a top-level member).
#[derive(Debug, Clone, PartialEq)]
pub struct EndpointParam {
    pub name: String,
    pub value: EndpointParamValue,
}

#[derive(Debug, Clone, PartialEq)]
pub enum EndpointParamValue {
    /// A fixed JSON value: a boolean, a string or a list of strings.
    Static(serde_json::Value),
    /// The value of this input member (its model name), when set.
    Member(String),
}

/// Rust names of everything one operation generates; filled by `transform`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OperationNames {
    pub module: String,
    pub method: String,
    pub input: String,
    pub input_builder: String,
    pub output: String,
    pub output_builder: String,
    pub error: String,
    /// One variant of the error enum per modeled error, in the model's order.
    pub error_variants: Vec<ErrorVariant>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ErrorVariant {
    pub shape: ShapeId,
    /// The code a response carries for this error (see `ErrorInfo::code`).
    pub code: String,
    /// `NotFound` for `NotFoundException`.
    pub variant: String,
    /// `is_not_found`.
    pub predicate: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HttpBinding {
    pub method: String,
    /// The request URI template, e.g. `/backend/{appId}/job/{backendEnvironmentName}`.
    pub uri: String,
    pub response_code: u16,
}

/// The members a dotted path (`ResultSet.Rows`) walks from the structure `shape`, or why it can't.
pub fn member_path<'a>(
    shapes: &'a BTreeMap<ShapeId, Shape>,
    shape: &str,
    path: &str,
) -> Result<Vec<&'a Member>, String> {
    let mut at = shape;
    let mut members = Vec::new();
    for name in path.split('.') {
        let Some(ShapeKind::Structure(structure)) = shapes.get(at).map(|s| &s.kind) else {
            return Err(format!("\"{at}\" is not a structure, so \"{path}\" can't be followed"));
        };
        let member = structure.members.iter().find(|m| m.name == name);
        let member = member.ok_or_else(|| format!("\"{at}\" has no member \"{name}\""))?;
        at = &member.target;
        members.push(member);
    }
    Ok(members)
}

/// A waiter: polls its operation until one of its acceptors, tried in order, decides.
#[derive(Debug, Clone, PartialEq)]
pub struct Waiter {
    /// `TableExists`.
    pub name: String,
    /// The builder method that runs it (`wait_until_table_exists`); set by `transform`.
    pub method: String,
    pub docs: Docs,
    /// Seconds between polls, at least.
    pub delay: u32,
    pub max_attempts: u32,
    pub acceptors: Vec<Acceptor>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Acceptor {
    pub state: AcceptorState,
    pub matcher: Matcher,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcceptorState {
    Success,
    Failure,
    Retry,
}

/// What an acceptor looks at. Expected values are JSON strings, booleans or numbers.
#[derive(Debug, Clone, PartialEq)]
pub enum Matcher {
    /// A JMESPath expression over the output equals the value.
    Path { expression: String, expected: serde_json::Value },
    /// It gives a non-empty list whose items all equal the value.
    PathAll { expression: String, expected: serde_json::Value },
    /// It gives a list with an item equal to the value.
    PathAny { expression: String, expected: serde_json::Value },
    /// The HTTP status.
    Status(u16),
    /// The error code; `true`: any service error, `false`: no error.
    Error(serde_json::Value),
    /// A matcher this generator can't evaluate (Smithy's `inputOutput`): the waiter is left out.
    Unsupported(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Pagination {
    pub input_tokens: Vec<String>,
    pub output_tokens: Vec<String>,
    pub limit_key: Option<String>,
    pub result_keys: Vec<String>,
    pub more_results: Option<String>,
    pub non_aggregate_keys: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    pub id: ShapeId,
    pub kind: ShapeKind,
    pub docs: Docs,
    pub sensitive: bool,
    pub deprecated: bool,
    /// A blob or string sent or received as a raw stream (held in memory for now).
    pub streaming: bool,
    /// An event stream: a union whose members are the events (and the exceptions) its messages
    /// carry, one per message.
    pub event_stream: bool,
    /// The media type of a blob or string (Smithy `mediaType`), e.g. `text/plain`.
    pub media_type: Option<String>,
    /// A list or map whose elements may be null (Smithy `sparse`).
    pub sparse: bool,
    /// Rust type and module names; only meaningful for shapes that become named types.
    pub names: ShapeNames,
    /// Reachable from an operation input: the shape is serialized.
    pub sent: bool,
    /// Reachable from an operation output or error: the shape is parsed.
    pub received: bool,
    /// Written as JSON (part of a request body): it derives `Serialize`.
    pub json_out: bool,
    /// Read from JSON (part of a response or error body): it derives `Deserialize`.
    pub json_in: bool,
    /// Written or read as text outside the JSON body (a label, query, header or text payload, or
    /// an element of one), so an enum gets its `HttpValue`/`FromHttpValue` impls.
    pub http_text: bool,
    /// XML and awsQuery element names of a list's items or a map's keys and values.
    pub xml_names: XmlNames,
    /// restXml: the namespace a structure's element declares.
    pub xml_namespace: Option<XmlNamespace>,
    /// Referenced by another shape or as an error, so it is a type of its own in `types`;
    /// a structure used only as an operation's input or output is emitted under the
    /// operation's names (`ListBackendJobsInput`) instead.
    pub shared: bool,
}

impl Shape {
    /// A structure's members; none for any other kind.
    pub fn members(&self) -> &[Member] {
        match &self.kind {
            ShapeKind::Structure(s) => &s.members,
            _ => &[],
        }
    }

    /// A shape with nothing but its kind: no docs or flags, usage and names not decided yet.
    pub fn new(id: impl Into<ShapeId>, kind: ShapeKind) -> Shape {
        Shape {
            id: id.into(),
            kind,
            docs: Docs(None),
            sensitive: false,
            deprecated: false,
            streaming: false,
            event_stream: false,
            media_type: None,
            sparse: false,
            names: ShapeNames::default(),
            sent: false,
            received: false,
            json_out: false,
            json_in: false,
            http_text: false,
            xml_names: XmlNames::default(),
            xml_namespace: None,
            shared: false,
        }
    }
}

/// Element names the model sets for a list's items (default `member`) or a map's keys and
/// values (default `key`, `value`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct XmlNames {
    pub item: Option<String>,
    pub key: Option<String>,
    pub value: Option<String>,
    /// The list itself is flattened (botocore style), so its items take the item name; a member
    /// flattening it (Smithy's `@xmlFlattened`) names them itself.
    pub flattened: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ShapeNames {
    pub type_name: String,
    pub builder: String,
    pub module: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ShapeKind {
    String,
    Enum(Vec<EnumValue>),
    Boolean,
    Integer,
    Long,
    Float,
    Double,
    Timestamp,
    Blob,
    Document,
    List { member: ShapeId },
    Map { key: ShapeId, value: ShapeId },
    Structure(Structure),
    Union(Vec<Member>),
}

impl ShapeKind {
    /// Kinds that become a named Rust type of their own (in `types`).
    pub fn is_named_type(&self) -> bool {
        matches!(self, ShapeKind::Enum(_) | ShapeKind::Structure(_) | ShapeKind::Union(_))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnumValue {
    pub value: String,
    pub variant: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Structure {
    pub members: Vec<Member>,
    pub error: Option<ErrorInfo>,
    /// An operation's input (set by `transform::resolve_optionality`).
    pub input: bool,
}

impl Structure {
    /// A structure of these members, neither an error nor an input.
    pub fn new(members: Vec<Member>) -> Structure {
        Structure { members, error: None, input: false }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ErrorInfo {
    /// The code a response carries for this error: `error.code` when the model sets one, else the
    /// shape name (botocore's rule).
    pub code: String,
    pub http_status: Option<u16>,
    /// The model marks the server as at fault (botocore `fault`, Smithy `error: "server"`).
    pub server_fault: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// The member name in the model (`AppId`).
    pub name: String,
    /// The name on the wire: JSON key, header name, query key or URI label (`appId`).
    pub wire_name: String,
    pub rust_name: String,
    /// The builder method that takes an `Option` (`set_app_id`).
    pub setter: String,
    /// The builder method that reads the field back (`get_app_id`).
    pub getter: String,
    pub target: ShapeId,
    pub required: bool,
    pub location: Location,
    pub docs: Docs,
    pub deprecated: bool,
    pub idempotency_token: bool,
    /// A string member whose value becomes part of the host name (see `Operation::host_prefix`).
    pub host_label: bool,
    /// A URI label's value when the caller gives none or an empty one (see `customize`).
    pub label_fallback: Option<String>,
    /// How the value the caller gives is changed before it is sent (see `customize`).
    pub send_as: Option<SendAs>,
    /// How text a response encodes is read back (see `customize`).
    pub read_as: Option<ReadAs>,
    /// A header member holding JSON text, sent base64-encoded.
    pub json_value: bool,
    /// An event's member that is its message's whole payload.
    pub event_payload: bool,
    /// An event's member carried in a header of its message, named as the member.
    pub event_header: bool,
    /// XML and awsQuery: a list or map written without its wrapper element.
    pub flattened: bool,
    /// EC2: the form key the model sets (`queryName`), which wins over the element name.
    pub query_name: Option<String>,
    /// restXml: written as an attribute of the structure's element.
    pub xml_attribute: bool,
    /// The member's place among its structure's members as the model declares them: XML
    /// writes elements in this order (fields follow name order).
    pub declared_at: usize,
    /// restXml: the namespace the member's element declares.
    pub xml_namespace: Option<XmlNamespace>,
    /// The timestamp format the model sets on the member or its target, if any.
    pub timestamp_format: Option<TimestampFormat>,
    /// Set by `transform` on the members that break a cycle of structures.
    pub boxed: bool,
    /// Set by `transform`: the field is `Option<T>` rather than `T` (see `transform::resolve_optionality`).
    pub optional: bool,
    /// Set by `transform`: how the value travels, from its location and its target's kind.
    pub binding: Binding,
    /// Set by `transform`: the value is never printed by `Debug`, because the member's target
    /// is sensitive (or a list or map holding a sensitive shape at any depth), or the shape the
    /// member belongs to is sensitive. Named types redact their own members.
    pub redacted: bool,
}

impl Member {
    /// An optional body member named `name` (on the wire too) of type `target`, with nothing
    /// else set: for tests of the passes and of the plan, and the members `customize` adds.
    pub fn new(name: &str, target: &str) -> Member {
        Member {
            name: name.to_owned(),
            wire_name: name.to_owned(),
            rust_name: heck::ToSnakeCase::to_snake_case(name),
            setter: String::new(),
            getter: String::new(),
            target: target.to_owned(),
            required: false,
            location: Location::Body,
            docs: Docs(None),
            deprecated: false,
            idempotency_token: false,
            host_label: false,
            label_fallback: None,
            send_as: None,
            read_as: None,
            json_value: false,
            event_payload: false,
            event_header: false,
            flattened: false,
            query_name: None,
            xml_attribute: false,
            declared_at: 0,
            xml_namespace: None,
            timestamp_format: None,
            boxed: false,
            optional: true,
            binding: Binding::Body,
            redacted: false,
        }
    }
}

/// How a member's value travels in a rest-json request or response: its location, refined by the
/// kind of its target. Decided once (`transform::resolve_bindings`); emitters only follow it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Binding {
    /// A member of the JSON body (and every member, in awsJson).
    #[default]
    Body,
    Label,
    Query,
    /// A list: the key repeated per element.
    QueryList,
    /// A map of scalars: one parameter per entry.
    QueryMap,
    /// A map of lists: each key repeated per element.
    QueryMapOfLists,
    Header,
    /// A list joined by commas.
    HeaderList,
    /// JSON text, base64-encoded (`jsonvalue`).
    HeaderJson,
    /// A map bound to every header starting with the wire name.
    PrefixHeaders,
    StatusCode,
    /// Not sent as itself: an endpoint rule-set parameter, which the rules put in the host or
    /// the path (S3's `Bucket`, taken out of the URI as botocore does), or a value the client
    /// reads (RDS's `SourceRegion`).
    Unsent,
    /// The whole body: raw bytes.
    PayloadBlob,
    /// The whole body: a string or enum as text.
    PayloadText,
    /// The whole body: a union as JSON, nothing when unset.
    PayloadUnion,
    /// The whole body: a structure as JSON, `{}` when unset.
    PayloadStructure,
    /// The body is an event stream, read message by message as it arrives.
    EventStream,
}

impl Binding {
    /// Whether the value is written as text outside the JSON body (labels, query, headers, text
    /// payloads), where enums need their `HttpValue` impls.
    pub fn is_text(self) -> bool {
        !matches!(
            self,
            Binding::Body
                | Binding::PayloadBlob
                | Binding::PayloadUnion
                | Binding::PayloadStructure
                | Binding::StatusCode
                | Binding::Unsent
                | Binding::EventStream
        )
    }
}

/// A change to an input member's value before it is sent, where a service takes the value in
/// another form than its callers hold it (see `customize`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendAs {
    /// Only what follows its last `/`: Route 53 answers ids with their path (`/hostedzone/Z1`)
    /// and takes them without.
    LastPathSegment,
    /// Base64 of the text: EC2's `UserData`, which callers hold as a script.
    Base64,
    /// S3's copy source, `bucket/key[?versionId=v]`, percent-encoded but its slashes and version.
    CopySource,
    /// An S3 bucket name, refused before the call unless S3 could take it.
    S3Bucket,
    /// A map sent as headers (S3's metadata), refused before the call unless all US-ASCII.
    AsciiHeaders,
}

/// Text a service encodes in its responses, which callers get decoded (see `customize`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadAs {
    /// Percent-decoded: IAM's policy documents.
    UrlDecoded,
    /// Base64-decoded (as UTF-8, invalid bytes replaced): EC2's console output.
    Base64Decoded,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampFormat {
    EpochSeconds,
    DateTime,
    HttpDate,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Body,
    Label,
    Query,
    Header,
    /// A map bound to every header starting with this prefix (the wire name).
    PrefixHeaders,
    StatusCode,
    /// The whole HTTP body.
    Payload,
    /// Not sent: a value the client reads (RDS's `SourceRegion`, see `customize`).
    Unsent,
}
