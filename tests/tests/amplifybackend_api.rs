//! The generated AmplifyBackend crate, used the way a caller uses it.

use awsgen_amplifybackend::error::{BuildError, ErrorMetadata};
use awsgen_amplifybackend::operation::list_backend_jobs::{
    ListBackendJobsError, ListBackendJobsInput, ListBackendJobsOutput,
};
use awsgen_amplifybackend::types::{BackendJobRespObj, NotFoundException, TooManyRequestsException};

#[test]
fn required_members_are_checked_when_building() {
    let missing = ListBackendJobsInput::builder().backend_environment_name("dev").build().unwrap_err();
    assert_eq!(missing, BuildError::MissingField { field: "app_id" });
    assert_eq!(missing.to_string(), "required member `app_id` was not set");

    let missing = ListBackendJobsInput::builder().app_id("app").build().unwrap_err();
    assert_eq!(missing, BuildError::MissingField { field: "backend_environment_name" });

    let empty = ListBackendJobsInput::builder().app_id("").backend_environment_name("dev").build().unwrap_err();
    assert_eq!(empty, BuildError::EmptyLabel { field: "app_id" });
}

#[test]
fn input_serializes_body_members_by_wire_name_and_omits_unset_ones() {
    let input = ListBackendJobsInput::builder()
        .app_id("app 1/x")
        .backend_environment_name("dev")
        .max_results(2)
        .operation("create")
        .build()
        .unwrap();
    assert_eq!(input.app_id.as_deref(), Some("app 1/x"));
    assert_eq!(input.max_results, Some(2));
    // URI labels are not part of the body.
    let body = serde_json::to_value(&input).unwrap();
    assert_eq!(body, serde_json::json!({"maxResults": 2, "operation": "create"}));

    let bare = ListBackendJobsInput::builder().app_id("a").backend_environment_name("b").build().unwrap();
    assert_eq!(serde_json::to_string(&bare).unwrap(), "{}");
}

#[test]
fn output_parses_wire_names_and_ignores_unknown_fields() {
    let output: ListBackendJobsOutput = serde_json::from_str(
        r#"{"jobs": [{"jobId": "j1", "appId": "a", "status": "BRAND_NEW", "extra": 1}],
            "nextToken": "t1", "somethingNew": {"x": [1]}}"#,
    )
    .unwrap();
    // Required members the response leaves out read as their zero value.
    let job = BackendJobRespObj::builder()
        .job_id("j1")
        .app_id("a")
        .backend_environment_name("")
        .status("BRAND_NEW")
        .build()
        .unwrap();
    assert_eq!(output.jobs, Some(vec![job]));
    assert_eq!(output.next_token.as_deref(), Some("t1"));

    // Responses are not validated: a required member left out is its zero value, not an error.
    let sparse: ListBackendJobsOutput = serde_json::from_str(r#"{"jobs": [{}]}"#).unwrap();
    assert_eq!(sparse.jobs.unwrap()[0].app_id, "");
    // ...and the builder, which is what callers use, still insists on it.
    let missing = BackendJobRespObj::builder().app_id("a").build().unwrap_err();
    assert_eq!(missing.to_string(), "required member `backend_environment_name` was not set");
}

#[test]
fn modeled_errors_carry_their_fields_and_read_well() {
    let meta = ErrorMetadata::new().with_code("NotFoundException").with_status(404).with_request_id("req-1");
    let error = ListBackendJobsError::NotFound(
        NotFoundException::builder().message("no such app").resource_type("app").meta(meta).build(),
    );
    assert!(error.is_not_found());
    assert!(!error.is_too_many_requests());
    assert_eq!(error.code(), Some("NotFoundException"));
    assert_eq!(error.message(), Some("no such app"));
    assert_eq!(error.meta().request_id(), Some("req-1"));
    assert_eq!(error.to_string(), "NotFoundException: no such app (HTTP 404, request id req-1)");
    let ListBackendJobsError::NotFound(inner) = &error else { unreachable!() };
    assert_eq!(inner.resource_type.as_deref(), Some("app"));
    assert_eq!(NotFoundException::CODE, "NotFoundException");

    let throttled =
        ListBackendJobsError::TooManyRequests(TooManyRequestsException::builder().limit_type("api").build());
    assert!(throttled.is_too_many_requests());
    assert_eq!(throttled.to_string(), "TooManyRequestsException");
    let as_std: &dyn std::error::Error = &throttled;
    assert_eq!(as_std.to_string(), "TooManyRequestsException");
}

#[test]
fn unmodeled_errors_keep_code_message_status_and_request_id() {
    // `Unhandled` can't be built by hand: it only comes from a response.
    let parse = |status: u16, headers: &[(&'static str, &str)], body: &str| {
        let mut map = http::HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, value.parse().unwrap());
        }
        let response = awsgen_runtime::http::Response { status, headers: map, body: body.to_owned().into() };
        let error = awsgen_runtime::ErrorResponse::from_response(&response, awsgen_runtime::Protocol::RestJson);
        <ListBackendJobsInput as awsgen_runtime::Operation>::parse_error(error)
    };
    let error = parse(500, &[("x-amzn-requestid", "r-9")], r#"{"__type": "MysteryException", "message": "boom"}"#);
    let ListBackendJobsError::Unhandled(unhandled) = &error else { panic!("{error:?}") };
    assert_eq!(unhandled.meta().code(), Some("MysteryException"));
    assert_eq!(error.code(), Some("MysteryException"));
    assert_eq!(error.message(), Some("boom"));
    assert_eq!(error.meta().status(), Some(500));
    assert_eq!(error.to_string(), "MysteryException: boom (HTTP 500, request id r-9)");
    // The one metadata trait works on every error alike; the enum shows its error as it is, so
    // the message is not repeated down the source chain.
    use awsgen_runtime::ProvideErrorMetadata;
    let generic: &dyn ProvideErrorMetadata = &error;
    assert_eq!(generic.code(), Some("MysteryException"));
    assert!(std::error::Error::source(&error).is_none());

    let no_code = parse(404, &[], "");
    assert_eq!(no_code.code(), Some("404"));
    assert_eq!(no_code.to_string(), "404");
}

#[test]
fn modeled_error_parses_from_a_response_body() {
    let parsed: NotFoundException = serde_json::from_str(r#"{"message": "nope", "resourceType": "app"}"#).unwrap();
    assert_eq!(parsed.message(), Some("nope"));
    assert_eq!(parsed.resource_type.as_deref(), Some("app"));
}
