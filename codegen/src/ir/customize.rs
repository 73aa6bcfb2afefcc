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
//!   member itself is the document (Smithy models say so with `s3UnwrappedXmlOutput`).

use super::{Service, ShapeKind};

pub fn apply(service: &mut Service) {
    match service.service_id.as_str() {
        "API Gateway" => service.headers.push(("accept".to_owned(), "application/json".to_owned())),
        "Glacier" => glacier(service),
        "Machine Learning" => {
            if let Some(predict) = service.operations.get_mut("Predict") {
                predict.endpoint_member = Some("PredictEndpoint".to_owned());
            }
        }
        "S3" => {
            if let Some(location) = service.operations.get_mut("GetBucketLocation") {
                location.unwrapped_xml_output = true;
            }
        }
        _ => {}
    }
}

fn glacier(service: &mut Service) {
    service.headers.push(("x-amz-glacier-version".to_owned(), service.api_version.clone()));
    for name in ["UploadArchive", "UploadMultipartPart"] {
        if let Some(upload) = service.operations.get_mut(name) {
            upload.glacier_checksums = true;
        }
    }
    let inputs: Vec<_> = service.operations.values().filter_map(|op| op.input.clone()).collect();
    for input in inputs {
        let Some(ShapeKind::Structure(structure)) = service.shapes.get_mut(&input).map(|shape| &mut shape.kind) else {
            continue;
        };
        for member in structure.members.iter_mut().filter(|m| m.name == "accountId") {
            member.required = false;
            member.label_fallback = Some("-".to_owned());
        }
    }
}
