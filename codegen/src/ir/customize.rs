//! What a few services need beyond their model, as botocore's handlers and every AWS SDK add it
//! (Smithy's protocol suites test each one). Keyed by service id, so a model from either format
//! gets the same client.
//!
//! - API Gateway answers `application/hal+json`, a different document, unless asked for JSON:
//!   every request sends `Accept: application/json`.
//! - Glacier refuses requests without `x-amz-glacier-version`; its `accountId` label may be `-`,
//!   the caller's own account, which is what an unset or empty one means; and its uploads must
//!   carry the body's SHA-256 and tree hash.
//! - Machine Learning's Predict goes to the endpoint its `PredictEndpoint` member names.
//! - S3's GetBucketLocation answers `<LocationConstraint>us-west-2</LocationConstraint>`: the
//!   member itself is the document (Smithy models say so with `s3UnwrappedXmlOutput`); it is
//!   addressed by path.
//! - S3 may fail a call after it started answering (CopyObject, UploadPartCopy and
//!   CompleteMultipartUpload most often): status 200 with an `<Error>` document, which for every
//!   operation answering an XML document is that error, retried, as is a document cut short
//!   (botocore's `_handle_200_error`, smithy-rs's S3 200-error interceptor).
//! - EC2's RunInstances and Auto Scaling's CreateLaunchConfiguration take `UserData`
//!   base64-encoded: callers give the script, the crate encodes it (botocore's
//!   `base64_encode_user_data`), so it can't be sent unencoded by mistake.
//! - EC2's GetConsoleOutput answers the console output base64-encoded: callers get the text
//!   (botocore's `decode_console_output`, which also replaces bytes that aren't UTF-8).
//! - IAM answers policy documents percent-encoded (`%7B%22Version%22...`): they read as the JSON
//!   text they are (botocore's `json_decode_policies` decodes them too, and parses the JSON).
//! - S3's `CopySource` is given as `bucket/key[?versionId=v]` and percent-encoded as boto3 does
//!   (`handle_copy_source_param`), so a key with spaces, `+` or non-ASCII characters copies.
//! - S3's bucket names are checked before the call (botocore's `validate_bucket_name`): a name
//!   with `/`, `?` or `#` would otherwise address another object or query.
//! - S3's user metadata must be US-ASCII: anything else is refused before the call (botocore's
//!   `validate_ascii_metadata`), where it would otherwise fail the signature or be mangled.
//! - S3's customer-provided encryption keys (SSE-C) are given raw: unless the caller gives the
//!   key's MD5 too, the key is sent base64-encoded with its MD5 beside it (botocore's
//!   `sse_md5` and `copy_source_sse_md5`).
//! - S3's listings ask for keys percent-encoded unless the caller chose, and decode them, so a
//!   key with characters XML 1.0 can't carry lists (botocore's `set_list_objects_encoding_type_url`).
//! - CloudSearch Domain's Search sends its query as a form by POST, since it can outgrow a URL.
//! - S3 Control's endpoint rules put the account id in the host: the model's host prefix, which
//!   would put it there twice, is dropped.
//! - EC2's CopySnapshot and RDS's, Neptune's and DocumentDB's copies from another region are
//!   checked with a presigned URL of the same call in the source region: unless the caller gives
//!   one, the client makes it (RDS's kin take the source region as `SourceRegion`, which their
//!   models lack and the client does not send).
//! - Route 53 answers hosted zone, delegation set and change ids with their path
//!   (`/hostedzone/Z123`) and takes them without: an input member of those shapes sends only
//!   what follows its last `/`, so an id passes back as it came (botocore's `fix_route53_ids`,
//!   smithy-rs's `Route53Decorator`).

use super::{
    CrossRegionCopy, Docs, EndpointParam, EndpointParamValue, Location, Member, ReadAs, SendAs, Service, ShapeId,
    ShapeKind, UrlEncodedListing,
};
use std::collections::BTreeSet;

pub fn apply(service: &mut Service) {
    match service.service_id.as_str() {
        "API Gateway" => service.headers.push(("accept".to_owned(), "application/json".to_owned())),
        "Glacier" => glacier(service),
        "Machine Learning" => {
            if let Some(predict) = service.operations.get_mut("Predict") {
                predict.customized.endpoint_member = Some("PredictEndpoint".to_owned());
            }
        }
        "EC2" => ec2(service),
        "Auto Scaling" => send_as(service, &["CreateLaunchConfiguration"], "UserData", SendAs::Base64, USER_DATA_NOTE),
        "IAM" => iam(service),
        "Route 53" => route53(service),
        "CloudSearch Domain" => cloudsearch_domain(service),
        "S3" => s3(service),
        "RDS" => cross_region_copies(service, RDS_COPIES),
        "Neptune" | "DocDB" => cross_region_copies(service, &["CopyDBClusterSnapshot", "CreateDBCluster"]),
        // Its endpoint rules put the account id in the host already (botocore's
        // `remove_accid_host_prefix_from_model`): the model's `{AccountId}.` would double it.
        "S3 Control" => service.operations.values_mut().for_each(|op| op.host_prefix = None),
        _ => {}
    }
}

fn s3(service: &mut Service) {
    if let Some(location) = service.operations.get_mut("GetBucketLocation") {
        location.unwrapped_xml_output = true;
        // Asked of any region's endpoint for a bucket not yet known to be there, so by path
        // (botocore's `customize_endpoint_resolver_builtins`).
        let path_style =
            EndpointParam { name: "ForcePathStyle".to_owned(), value: EndpointParamValue::Static(true.into()) };
        location.endpoint_params.retain(|param| param.name != path_style.name);
        location.endpoint_params.push(path_style);
        location.endpoint_params.sort_by(|a, b| a.name.cmp(&b.name));
    }
    errors_in_ok(service);
    let note = "<p>Give the bucket and key as they are (`bucket/key`, with `?versionId=` if you want one): \
                this crate percent-encodes them (as boto3 does).</p>";
    send_as(service, &["CopyObject", "UploadPartCopy"], "CopySource", SendAs::CopySource, note);
    sse_customer_keys(service);
    let note = "<p>Names and values must be US-ASCII (S3 takes nothing else in headers): other text is \
                refused before the call.</p>";
    let uploads = ["PutObject", "CopyObject", "CreateMultipartUpload"];
    send_as(service, &uploads, "Metadata", SendAs::AsciiHeaders, note);
    for member in input_members(service).filter(|m| m.name == "Bucket") {
        member.send_as = Some(SendAs::S3Bucket);
    }
    s3_listings(service);
}

/// The listings' members S3 answers percent-encoded when asked to (botocore's
/// `decode_list_object`, `decode_list_object_v2` and `decode_list_object_versions`).
fn s3_listings(service: &mut Service) {
    type Listing<'a> = (&'a str, &'a [&'a str], &'a [(&'a str, &'a str)]);
    let listings: [Listing; 3] = [
        ("ListObjects", &["Delimiter", "Marker", "NextMarker"], &[("Contents", "Key"), ("CommonPrefixes", "Prefix")]),
        ("ListObjectsV2", &["Delimiter", "Prefix", "StartAfter"], &[("Contents", "Key"), ("CommonPrefixes", "Prefix")]),
        (
            "ListObjectVersions",
            &["KeyMarker", "NextKeyMarker", "Prefix", "Delimiter"],
            &[("Versions", "Key"), ("DeleteMarkers", "Key"), ("CommonPrefixes", "Prefix")],
        ),
    ];
    for (name, members, items) in listings {
        if let Some(op) = service.operations.get_mut(name) {
            op.customized.url_encoded_listing = Some(UrlEncodedListing {
                members: members.iter().map(|m| (*m).to_owned()).collect(),
                items: items.iter().map(|(list, item)| ((*list).to_owned(), (*item).to_owned())).collect(),
            });
        }
    }
    let note = "<p>Unless you set it, this crate asks for `url` and gives you the keys decoded (as boto3 \
                does), so that keys XML can't carry come through; set it and you get what S3 sends.</p>";
    document(service, &["ListObjects", "ListObjectsV2", "ListObjectVersions"], "EncodingType", note);
}

/// Search's query can outgrow a URL: it is sent as a form, by POST (botocore's
/// `change_get_to_post`).
fn cloudsearch_domain(service: &mut Service) {
    if let Some(search) = service.operations.get_mut("Search") {
        search.customized.query_as_form = true;
    }
}

/// S3 may fail any call after it started answering 200 (CopyObject, UploadPartCopy and
/// CompleteMultipartUpload most often): every operation whose answer is an XML document reads an
/// `<Error>` there as that error, and retries it (botocore's `_handle_200_error`, which leaves out
/// answers that are a stream, a blob or text, where `<Error>` could be the caller's data).
fn errors_in_ok(service: &mut Service) {
    let shapes = &service.shapes;
    for op in service.operations.values_mut() {
        let Some(output) = op.output.as_ref().and_then(|id| shapes.get(id)) else { continue };
        let raw_payload = output.members().iter().any(|m| {
            m.location == Location::Payload
                && shapes
                    .get(&m.target)
                    .is_some_and(|t| matches!(t.kind, ShapeKind::Blob | ShapeKind::String | ShapeKind::Union(_)))
        });
        op.customized.error_in_ok = !raw_payload;
    }
}

/// Every S3 operation with an SSE-C key member (`SSECustomerKey`, `CopySourceSSECustomerKey`)
/// and its MD5 member, both headers: the MD5 is filled in from the key given raw.
fn sse_customer_keys(service: &mut Service) {
    let shapes = &service.shapes;
    let mut keyed = BTreeSet::new();
    for op in service.operations.values_mut() {
        let input = op.input.as_ref().and_then(|id| shapes.get(id)).map(|s| s.members()).unwrap_or_default();
        let header = |name: &str| {
            input.iter().find(|m| m.name == name && m.location == Location::Header).map(|m| m.wire_name.clone())
        };
        for prefix in ["SSECustomer", "CopySourceSSECustomer"] {
            if let (Some(key), Some(md5)) = (header(&format!("{prefix}Key")), header(&format!("{prefix}KeyMD5"))) {
                op.customized.sse_customer_keys.push((key, md5));
                keyed.insert(op.name.clone());
            }
        }
    }
    let operations: Vec<&str> = keyed.iter().map(String::as_str).collect();
    let note = "<p>Give the key itself: unless you give its MD5 too, this crate base64-encodes it and \
                sends its MD5 (as boto3 does).</p>";
    for member in ["SSECustomerKey", "CopySourceSSECustomerKey"] {
        document(service, &operations, member, note);
    }
}

const USER_DATA_NOTE: &str = "<p>Give the script itself: this crate base64-encodes it (as boto3 does).</p>";

/// RunInstances' `UserData` is base64 on the wire; callers give the script itself, as boto3's.
/// GetConsoleOutput answers the console's text base64-encoded; callers get the text.
fn ec2(service: &mut Service) {
    if let Some(copy) = service.operations.get_mut("CopySnapshot") {
        copy.customized.cross_region_copy = Some(CrossRegionCopy {
            url: "PresignedUrl".to_owned(),
            source_region: "SourceRegion".to_owned(),
            destination_region: Some("DestinationRegion".to_owned()),
        });
    }
    let note = "<p>Unless you give it, this crate presigns this call in the source region and sends that \
                (as boto3 does).</p>";
    document(service, &["CopySnapshot"], "PresignedUrl", note);
    send_as(service, &["RunInstances"], "UserData", SendAs::Base64, USER_DATA_NOTE);
    let output = service.operations.get("GetConsoleOutput").and_then(|op| op.output.clone());
    let output = output.and_then(|id| service.shapes.get_mut(&id));
    if let Some(ShapeKind::Structure(structure)) = output.map(|s| &mut s.kind) {
        for member in structure.members.iter_mut().filter(|m| m.name == "Output") {
            member.read_as = Some(ReadAs::Base64Decoded);
            let note = "<p>The console's text: this crate decodes it (as boto3 does).</p>";
            member.docs = Docs(Some(format!("{}{note}", member.docs.0.as_deref().unwrap_or_default())));
        }
    }
}

/// RDS's operations that copy from another region.
const RDS_COPIES: &[&str] = &[
    "CopyDBClusterSnapshot",
    "CreateDBCluster",
    "CopyDBSnapshot",
    "CreateDBInstanceReadReplica",
    "StartDBInstanceAutomatedBackupsReplication",
];

/// RDS and its kin take the source region as `SourceRegion`, which their models lack (botocore
/// adds it in `service-2.sdk-extras.json`): the client reads it to presign the call there, into
/// `PreSignedUrl`, and sends it no further.
fn cross_region_copies(service: &mut Service, operations: &[&str]) {
    for name in operations {
        let Some(op) = service.operations.get_mut(*name) else { continue };
        let Some(ShapeKind::Structure(input)) =
            op.input.as_ref().and_then(|id| service.shapes.get_mut(id)).map(|s| &mut s.kind)
        else {
            continue;
        };
        let Some(url) = input.members.iter().find(|m| m.name == "PreSignedUrl") else { continue };
        let mut source_region = Member::new("SourceRegion", &url.target);
        source_region.location = Location::Unsent;
        source_region.docs = Docs(Some(
            "<p>The region the source is in. Unless you give <code>PreSignedUrl</code>, this crate presigns this \
             call there and sends that (as boto3 does); the region itself is not sent.</p>"
                .to_owned(),
        ));
        if !input.members.iter().any(|m| m.name == source_region.name) {
            input.members.push(source_region);
        }
        op.customized.cross_region_copy = Some(CrossRegionCopy {
            url: "PreSignedUrl".to_owned(),
            source_region: "SourceRegion".to_owned(),
            destination_region: None,
        });
    }
}

/// Sends the input member `name` of these operations as `how` says, and ends its docs with `note`.
fn send_as(service: &mut Service, operations: &[&str], name: &str, how: SendAs, note: &str) {
    for member in named_inputs(service, operations, name) {
        member.send_as = Some(how);
    }
    document(service, operations, name, note);
}

/// Ends the docs of the input member `name` of these operations with `note`.
fn document(service: &mut Service, operations: &[&str], name: &str, note: &str) {
    for member in named_inputs(service, operations, name) {
        member.docs = Docs(Some(format!("{}{note}", member.docs.0.as_deref().unwrap_or_default())));
    }
}

/// The input members named `name` of these operations.
fn named_inputs<'a>(
    service: &'a mut Service,
    operations: &[&str],
    name: &'a str,
) -> impl Iterator<Item = &'a mut Member> {
    let inputs = operations.iter().filter_map(|op| service.operations.get(*op)?.input.clone()).collect();
    members_of(service, inputs).filter(move |m| m.name == name)
}

/// IAM's shape of policy documents, wherever a response holds one.
fn iam(service: &mut Service) {
    for shape in service.shapes.values_mut() {
        if let ShapeKind::Structure(structure) = &mut shape.kind {
            for member in structure.members.iter_mut().filter(|m| m.target == "policyDocumentType") {
                member.read_as = Some(ReadAs::UrlDecoded);
            }
        }
    }
}

/// The shapes whose ids Route 53 answers with a path.
const ROUTE53_IDS: [&str; 3] = ["ResourceId", "DelegationSetId", "ChangeId"];

fn route53(service: &mut Service) {
    for member in input_members(service) {
        if ROUTE53_IDS.contains(&member.target.as_str()) {
            member.send_as = Some(SendAs::LastPathSegment);
        }
    }
}

/// The top-level members of every operation's input.
fn input_members(service: &mut Service) -> impl Iterator<Item = &mut Member> {
    let inputs = service.operations.values().filter_map(|op| op.input.clone()).collect();
    members_of(service, inputs)
}

/// The members of these structures.
fn members_of(service: &mut Service, structures: BTreeSet<ShapeId>) -> impl Iterator<Item = &mut Member> {
    let shapes = service.shapes.iter_mut().filter(move |(id, _)| structures.contains(*id));
    shapes.flat_map(|(_, shape)| match &mut shape.kind {
        ShapeKind::Structure(structure) => structure.members.iter_mut(),
        _ => [].iter_mut(),
    })
}

fn glacier(service: &mut Service) {
    service.headers.push(("x-amz-glacier-version".to_owned(), service.api_version.clone()));
    for name in ["UploadArchive", "UploadMultipartPart"] {
        if let Some(upload) = service.operations.get_mut(name) {
            upload.customized.glacier_checksums = true;
        }
    }
    for member in input_members(service).filter(|m| m.name == "accountId") {
        member.required = false;
        member.label_fallback = Some("-".to_owned());
    }
}
