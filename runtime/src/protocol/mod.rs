//! The wire protocols (rest-json, awsJson 1.0/1.1, awsQuery, EC2, restXml and RPCv2 CBOR): building requests from what generated
//! code declares, and reading outputs and errors from responses.

mod errors;
pub mod query;
mod request;
mod response;

pub use crate::text::{FromHttpValue, HttpValue};
pub use errors::{sanitize_code, ErrorResponse, ModeledError};
pub(crate) use request::to_json;
pub use request::Request;
#[cfg(feature = "cbor")]
pub use response::cbor_output;
pub use response::{json_output, xml_output};

use crate::error::ParseError;
use crate::http::Response;
use crate::BuildError;

/// What a generated crate tells the runtime about its service.
#[derive(Debug)]
pub struct Service {
    /// `AmplifyBackend`; shown in the User-Agent.
    pub service_id: &'static str,
    pub api_version: &'static str,
    /// The host name prefix of the default endpoint (`amplifybackend`).
    pub endpoint_prefix: &'static str,
    /// The SigV4 service name.
    pub signing_name: &'static str,
    pub protocol: Protocol,
    /// How requests prove who sends them, in the model's order of preference: the first for
    /// which the config has an identity is used.
    pub auth: &'static [AuthScheme],
    /// The service's endpoint rule set; without one, requests go to the regional endpoint.
    pub endpoint_rules: Option<&'static crate::endpoint_rules::EmbeddedRuleSet>,
    /// Headers every request carries unless the caller set them (API Gateway's `Accept`,
    /// Glacier's `x-amz-glacier-version`).
    pub headers: &'static [(&'static str, &'static str)],
}

/// An authentication scheme a service accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthScheme {
    /// AWS Signature Version 4, with the config's credentials.
    SigV4,
    /// `Authorization: Bearer <token>`, with the config's token.
    Bearer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    RestJson,
    /// awsJson 1.0 or 1.1. `query_compatible` services also send their awsQuery error codes
    /// in `x-amzn-query-error`, which then win.
    AwsJson {
        query_compatible: bool,
    },
    /// A form-encoded request, an XML response (see [`query`]).
    AwsQuery,
    /// EC2's dialect of awsQuery: lists without `.member`, outputs without a result wrapper,
    /// errors in `<Response><Errors><Error>`.
    Ec2Query,
    /// HTTP bindings as rest-json has them, XML bodies: `<ErrorResponse><Error>` errors, or a
    /// bare `<Error>` (S3), or no body at all (a HEAD).
    RestXml,
    /// Smithy RPCv2 CBOR: `POST /service/{name}/operation/{op}` with CBOR bodies both ways;
    /// `query_compatible` as for awsJson. Needs the `cbor` feature, which the generated crates of
    /// such services turn on; without it an error body would be read as JSON.
    RpcV2Cbor {
        query_compatible: bool,
    },
}

impl Protocol {
    /// A query-compatible service: its awsQuery error code comes in `x-amzn-query-error`, and
    /// requests say `x-amzn-query-mode: true`.
    pub fn query_compatible(self) -> bool {
        matches!(self, Protocol::AwsJson { query_compatible: true } | Protocol::RpcV2Cbor { query_compatible: true })
    }

    /// Responses and errors come as XML.
    pub fn reads_xml(self) -> bool {
        matches!(self, Protocol::AwsQuery | Protocol::Ec2Query | Protocol::RestXml)
    }
}

/// An operation whose request carries a checksum of its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestChecksum {
    /// The header the caller's choice of algorithm goes in (S3: `x-amz-sdk-checksum-algorithm`),
    /// when the operation lets them choose.
    pub algorithm_header: Option<&'static str>,
    /// The service refuses the request without a checksum (`requestChecksumRequired`).
    pub required: bool,
}

/// An operation whose response can carry a checksum of its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseChecksum {
    /// The header that asks for it (S3: `x-amz-checksum-mode`, with `ENABLED`).
    pub mode_header: &'static str,
    /// The algorithms the service may answer with (upper case, as the model lists them).
    pub algorithms: &'static [&'static str],
}

impl ResponseChecksum {
    /// Whether the request asked for the checksum.
    pub(crate) fn asked(&self, request: &http::HeaderMap) -> bool {
        request.get(self.mode_header).is_some_and(|mode| mode.as_bytes().eq_ignore_ascii_case(b"ENABLED"))
    }
}

/// How an operation's endpoint is discovered: the service's DescribeEndpoints, an awsJson call
/// (every service with endpoint discovery speaks awsJson), and whether the operation can't do
/// without it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndpointDiscovery {
    /// `X-Amz-Target` of DescribeEndpoints (`Timestream_20181101.DescribeEndpoints`).
    pub target: &'static str,
    /// The awsJson version (`1.0`).
    pub json_version: &'static str,
    pub required: bool,
}

/// One operation, as generated code declares it: how its input becomes a request and how a
/// response becomes its output or error. The client does the rest.
/// `'static`: inputs are owned data, and the mock client (feature `test-util`) tells operations apart by type.
pub trait Operation: Send + Sync + 'static {
    type Output;
    type Error;
    const NAME: &'static str;
    /// Sent without a signature, and so without credentials (botocore's `authtype: none`, such as
    /// STS's AssumeRoleWithWebIdentity, whose caller has no credentials yet).
    const UNSIGNED: bool = false;

    /// The body may be sent gzip-compressed (`requestcompression`: CloudWatch's PutMetricData),
    /// which the client does above the configured size (feature `gzip`).
    const GZIP_REQUEST: bool = false;

    /// Signed without hashing the body: `UNSIGNED-PAYLOAD` in a signed `x-amz-content-sha256`
    /// (botocore's `v4-unsigned-body`: EBS's PutSnapshotBlock, Lex's PostContent, S3's
    /// WriteGetObjectResponse).
    const UNSIGNED_PAYLOAD: bool = false;

    /// The output's payload is a stream (S3's GetObject body): a successful response's body is
    /// not read, but handed to [`Operation::parse_streaming`] as it arrives.
    const STREAMING_OUTPUT: bool = false;

    /// The output is an event stream, which the service may keep open and quiet for as long as
    /// it likes: its body is not watched for stalls.
    const EVENT_STREAM_OUTPUT: bool = false;

    /// The service may answer an error with status 200 and an `<Error>` document (S3's
    /// CopyObject, UploadPartCopy and CompleteMultipartUpload fail that way after they started
    /// answering): such a 200 is that error, and worth another attempt, as botocore retries it.
    const ERROR_IN_OK: bool = false;

    /// The request carries a checksum of its body (`httpChecksum`: S3's DeleteObjects, PutObject).
    const REQUEST_CHECKSUM: Option<RequestChecksum> = None;

    /// The response can carry a checksum of its body (`httpChecksum`: S3's GetObject).
    const RESPONSE_CHECKSUM: Option<ResponseChecksum> = None;
    /// The operation goes to an endpoint the service names through its DescribeEndpoints
    /// (Timestream, DynamoDB), cached for the time the service gives.
    const ENDPOINT_DISCOVERY: Option<EndpointDiscovery> = None;

    fn request(&self) -> Result<Request, BuildError>;
    fn parse_output(response: &Response) -> Result<Self::Output, ParseError>;

    /// The output from the response head (its `body` empty) and the body still arriving.
    fn parse_streaming(head: &Response, body: crate::ByteStream) -> Result<Self::Output, ParseError> {
        drop(body);
        Self::parse_output(head)
    }
    fn parse_error(error: ErrorResponse) -> Self::Error;

    /// A copy from another region (EC2's CopySnapshot, RDS's CopyDBSnapshot) whose presigned
    /// URL the caller left to the client: the source region, and the input to presign there.
    fn cross_region_copy(&self) -> Option<(String, Self)>
    where
        Self: Sized,
    {
        None
    }

    /// Fills in the presigned URL of [`Operation::cross_region_copy`] (and, where the service
    /// takes it, the destination region: the client's).
    fn set_presigned_copy(&mut self, _url: String, _destination: &str) {}

    /// The output as the caller gets it from this input (S3's listings decode the keys they
    /// asked for encoded, unless the caller asked); most take it as parsed.
    fn finish(&self, output: Self::Output) -> Self::Output {
        output
    }

    /// Sets the endpoint parameters this operation's model binds (`staticContextParams`, and
    /// `contextParam` members of the input); most operations bind none.
    fn endpoint_params(&self, _params: &mut crate::endpoint_rules::Params) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn response(status: u16, headers: &[(&'static str, &str)], body: &str) -> Response {
        let mut map = http::HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, value.parse().unwrap());
        }
        Response { status, headers: map, body: Bytes::copy_from_slice(body.as_bytes()) }
    }

    #[test]
    fn a_query_sent_as_a_form_moves_into_a_post_body() {
        let search = Request::rest("GET", "/2013-01-01/search?format=sdk&pretty=true")
            .query("q", Some(&"star wars".to_owned()))
            .query("return", Some(&"title,_score".to_owned()))
            .query_as_form();
        assert_eq!(search.method, "POST");
        assert_eq!(search.path_and_query(), "/2013-01-01/search");
        assert_eq!(&search.body[..], b"format=sdk&pretty=true&q=star%20wars&return=title%2C_score");
        let content_type = search.headers.iter().find(|(name, _)| name == "content-type");
        assert_eq!(content_type.map(|(_, value)| value.as_str()), Some("application/x-www-form-urlencoded"));
        let bare = Request::rest("GET", "/status").query_as_form();
        assert_eq!((bare.method, bare.body.len()), ("GET", 0), "nothing to move");
    }

    #[test]
    fn a_listing_asks_for_url_encoding_unless_the_caller_chose() {
        let ours = Request::rest("GET", "/").ask_url_encoding(false);
        assert_eq!(ours.path_and_query(), "/?encoding-type=url");
        let theirs = Request::rest("GET", "/").query("encoding-type", Some(&"url".to_owned())).ask_url_encoding(true);
        assert_eq!(theirs.path_and_query(), "/?encoding-type=url");
    }

    #[test]
    fn labels_are_percent_encoded_like_botocore() {
        let request =
            Request::rest("POST", "/backend/{appId}/job/{name}").label("appId", "app 1/x").label("name", "dev");
        assert_eq!(request.path, "/backend/app%201%2Fx/job/dev");
        let all = Request::rest("GET", "/{a}").label("a", "a b/c+d~e*f:g@h&i=j?k#l%mé");
        assert_eq!(all.path, "/a%20b%2Fc%2Bd~e%2Af%3Ag%40h%26i%3Dj%3Fk%23l%25m%C3%A9");
        let greedy = Request::rest("GET", "/{Key+}").label("Key", "dir/sub dir/ü~*.txt");
        assert_eq!(greedy.path, "/dir/sub%20dir/%C3%BC~%2A.txt");
        let literal = Request::rest("GET", "/x?x-id=Op&flag");
        assert_eq!(literal.literal_query, "x-id=Op&flag");
    }

    #[test]
    fn error_code_precedence_and_sanitizing() {
        let header_wins = response(400, &[("x-amzn-errortype", "NotFoundException:http://x")], r#"{"__type":"Bad"}"#);
        assert_eq!(ErrorResponse::from_response(&header_wins, Protocol::RestJson).code(), Some("NotFoundException"));
        let code_beats_type = response(400, &[], r#"{"code":"ns#Err:extra","__type":"Other","Message":"m"}"#);
        let parsed = ErrorResponse::from_response(&code_beats_type, Protocol::RestJson);
        assert_eq!((parsed.code(), parsed.meta().message()), (Some("Err"), Some("m")));
        let typed =
            response(400, &[("x-amzn-requestid", "r1")], r#"{"__type":"a.b#BadRequestException","errorMessage":"e"}"#);
        let parsed = ErrorResponse::from_response(&typed, Protocol::RestJson);
        assert_eq!((parsed.code(), parsed.meta().message()), (Some("BadRequestException"), Some("e")));
        assert_eq!(parsed.meta().request_id(), Some("r1"));
        let nothing = ErrorResponse::from_response(&response(404, &[], "{}"), Protocol::RestJson);
        assert_eq!((nothing.code(), nothing.meta().message()), (Some("404"), None));
        let html =
            ErrorResponse::from_response(&response(503, &[], "<html><body>down</body></html>"), Protocol::RestJson);
        assert_eq!((html.code(), html.meta().message()), (Some("503"), Some("Service Unavailable")));
        let text = ErrorResponse::from_response(&response(400, &[], "plain words"), Protocol::RestJson);
        assert_eq!(text.meta().message(), Some("plain words"));
        let oauth = response(
            400,
            &[("x-amzn-errortype", "InvalidGrantException")],
            r#"{"error":"invalid_grant","error_description":"refresh token revoked"}"#,
        );
        let parsed = ErrorResponse::from_response(&oauth, Protocol::RestJson);
        assert_eq!(
            (parsed.code(), parsed.meta().message()),
            (Some("InvalidGrantException"), Some("refresh token revoked"))
        );
    }

    #[test]
    fn query_compatible_codes_win() {
        let sqs = response(
            400,
            &[("x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender")],
            r#"{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"gone"}"#,
        );
        let compatible = ErrorResponse::from_response(&sqs, Protocol::AwsJson { query_compatible: true });
        assert_eq!(compatible.code(), Some("AWS.SimpleQueueService.NonExistentQueue"));
        // Either name finds the modeled error.
        assert!(compatible.is(&["QueueDoesNotExist"]) && compatible.is(&["AWS.SimpleQueueService.NonExistentQueue"]));
        assert!(!compatible.is(&["OtherError"]));
        let plain = ErrorResponse::from_response(&sqs, Protocol::AwsJson { query_compatible: false });
        assert_eq!(plain.code(), Some("QueueDoesNotExist"));
        assert!(!plain.is(&["AWS.SimpleQueueService.NonExistentQueue"]));
    }

    #[test]
    #[cfg(feature = "cbor")]
    fn cbor_errors_read_type_and_message() {
        let fields = std::collections::BTreeMap::from([("__type", "aws.test#Throttled:http://x"), ("Message", "slow")]);
        let body = crate::cbor::to_vec(&fields).unwrap();
        let mut cloudwatch = response(400, &[("x-amzn-query-error", "Throttling;Sender")], "");
        cloudwatch.body = body.into();
        let compatible = ErrorResponse::from_response(&cloudwatch, Protocol::RpcV2Cbor { query_compatible: true });
        assert_eq!((compatible.code(), compatible.meta().message()), (Some("Throttling"), Some("slow")));
        assert!(compatible.is(&["Throttled"]));
        let plain = ErrorResponse::from_response(&cloudwatch, Protocol::RpcV2Cbor { query_compatible: false });
        assert_eq!(plain.code(), Some("Throttled"));
        // A body that is not CBOR: the status names the error.
        let garbage = ErrorResponse::from_response(
            &response(400, &[], "\u{1c}"),
            Protocol::RpcV2Cbor { query_compatible: false },
        );
        assert_eq!(garbage.code(), Some("400"));
    }

    #[test]
    fn bindings_fill_query_headers_and_host() {
        use std::collections::BTreeMap;
        let map: BTreeMap<String, String> = [("a".to_owned(), "x".to_owned()), ("b".to_owned(), "y".to_owned())].into();
        let request = Request::rest("GET", "/?literal=1")
            .query("b", Some(&"explicit".to_owned()))
            .query_list("list", Some(&vec![1, 2]))
            .query_map(Some(&map))
            .header_list("x-list", Some(&vec!["a".to_owned(), "b,c".to_owned()]))
            .header("x-time", Some(&crate::DateTime::from_secs(0)))
            .prefix_headers("x-meta-", Some(&map))
            .host_prefix("{Account}.", &[("Account", Some(&"123".to_owned()))])
            .unwrap();
        let query: Vec<String> = request.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(query, ["b=explicit", "list=1", "list=2", "a=x"]);
        assert_eq!(request.literal_query, "literal=1");
        let headers: Vec<String> = request.headers.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        assert_eq!(
            headers,
            ["x-list: a,\"b,c\"", "x-time: Thu, 01 Jan 1970 00:00:00 GMT", "x-meta-a: x", "x-meta-b: y"]
        );
        assert_eq!(request.host_prefix.as_deref(), Some("123."));
        let bad = Request::rest("GET", "/").host_prefix("{Account}.", &[("Account", Some(&"a/b".to_owned()))]);
        assert!(matches!(bad, Err(BuildError::InvalidHostLabel { .. })));
    }

    #[test]
    fn output_parse_errors_name_the_place_not_the_value() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Job {
            id: Option<String>,
            count: Option<i32>,
        }
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Out {
            jobs: Option<Vec<Job>>,
        }
        let error = json_output::<Out>(&response(200, &[], r#"{"jobs": "hunter2"}"#)).unwrap_err();
        assert_eq!(error.status(), 200);
        assert_eq!(error.detail(), r#"at jobs: invalid type: string "…", expected a sequence at line 1 column 18"#);
        let nested = r#"{"jobs": [{"id": "a"}, {"id": "b", "count": "hunter2"}]}"#;
        let error = json_output::<Out>(&response(200, &[], nested)).unwrap_err();
        assert!(error.detail().starts_with("at jobs[1].count: invalid type: string \"…\", expected i32"), "{error}");
        let trailing = json_output::<Out>(&response(200, &[], r#"{} "hunter2""#)).unwrap_err();
        assert!(!trailing.to_string().contains("hunter2"), "{trailing}");
        assert!(json_output::<Out>(&response(200, &[], "")).is_ok());
        let multiline = "{\n  \"jobs\": [\n    {\"id\": \"a\"},\n    {\"count\": 1.5}\n  ]\n}";
        let error = json_output::<Out>(&response(200, &[], multiline)).unwrap_err();
        assert!(error.detail().starts_with("at jobs[1].count: invalid type: floating point"), "{error}");
        let unclosed = json_output::<Out>(&response(200, &[], r#"{"jobs": [{"id": "a"#)).unwrap_err();
        assert!(unclosed.detail().starts_with("at jobs[0].id: EOF while parsing a string"), "{unclosed}");
        let not_json = json_output::<Out>(&response(200, &[], "<html>")).unwrap_err();
        assert_eq!(not_json.detail(), "expected value at line 1 column 1");
        let syntax = json_output::<Out>(&response(200, &[], r#"{"jobs": }"#)).unwrap_err();
        assert!(syntax.detail().starts_with("at jobs: expected value"), "{syntax}");
        let mut latin1 = response(200, &[], "");
        latin1.body = Bytes::from_static(b"{\"jobs\": [{\"id\": \"caf\xe9\"}]}");
        let error = json_output::<Out>(&latin1).unwrap_err();
        assert_eq!(error.detail(), "the body is not UTF-8: invalid utf-8 sequence of 1 bytes from index 21");
        assert_eq!(error.status(), 200);
    }

    #[test]
    fn errors_of_the_runtimes_own_deserializers_name_their_member() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Job {
            id: Option<String>,
            created: Option<crate::DateTime>,
        }
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Out {
            jobs: Option<Vec<Job>>,
            times: Option<Vec<crate::DateTime>>,
            counts: Option<std::collections::BTreeMap<String, i32>>,
        }
        let parse = |body: &str| json_output::<Out>(&response(200, &[], body)).unwrap_err().detail().to_owned();
        // A timestamp is read whole, then refused: serde_json places that error after the
        // closing brace of the job, or after the next list item's comma.
        let last_member = parse(r#"{"jobs": [{"id": "a", "created": "soon"}]}"#);
        assert!(last_member.starts_with("at jobs[0].created: "), "{last_member}");
        let in_a_list = parse(r#"{"times": [1, "soon" , 3]}"#);
        assert!(in_a_list.starts_with("at times[1]: "), "{in_a_list}");
        // A key can't carry a value past the redaction.
        let quoted_key = parse(r#"{"counts": {"a\"": "hunter2"}}"#);
        assert!(!quoted_key.contains("hunter2") && quoted_key.starts_with("at counts.a??: "), "{quoted_key}");
    }

    #[test]
    fn json_paths_follow_keys_indexes_and_escapes() {
        use super::response::json_path_at;
        let cases = [
            ("", ""),
            (r#"{"a": 1"#, "a"),
            (r#"{"a": 1, "#, ""),
            (r#"{"a": {"b": [1, 2, {"c": "#, "a.b[2].c"),
            (r#"{"a": {}, "b": [[], ["x", "#, "b[1][1]"),
            (r#"{"a\"b": {"c": "}]\",", "d": "#, "a??b.d"),
            (r#"[{"a": 1}, {"b": "#, "[1].b"),
            (r#"{"a": [1, 2], "b"#, ""),
            (r#"{"tag key": {"ü": "#, "tag?key.??"),
        ];
        for (scanned, path) in cases {
            assert_eq!(json_path_at(scanned.as_bytes()), path, "{scanned}");
        }
        let long_key = format!(r#"{{"{}": "#, "k".repeat(100));
        assert_eq!(json_path_at(long_key.as_bytes()), "k".repeat(64));
        // A hostile depth is counted, not kept: the path stops at 128 levels.
        let deep = format!(r#"{{"x": {}"#, "[".repeat(1_000_000));
        assert_eq!(json_path_at(deep.as_bytes()), format!("x{}…", "[0]".repeat(127)));
        let back_out = format!(r#"{{"x": {}{}, 7"#, "[".repeat(300), "]".repeat(299));
        assert_eq!(json_path_at(back_out.as_bytes()), "x[1]");
    }
}
