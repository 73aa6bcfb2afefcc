//! What users of aws-sdk-rust reach for, on the generated AmplifyBackend crate: getters, the
//! request id of every output, one error-metadata trait, `Error::source` chains, `Send` futures
//! and `Send + Sync` clients, and a public API that needs no direct dependency on the runtime.

mod support;

use awsgen_amplifybackend::config::Credentials;
use awsgen_amplifybackend::error::{BuildError, SdkError};
use awsgen_amplifybackend::operation::list_backend_jobs::{
    ListBackendJobsError, ListBackendJobsInput, ListBackendJobsOutput,
};
use awsgen_amplifybackend::pagination::TryStreamExt;
use awsgen_amplifybackend::types::BackendJobRespObj;
use awsgen_amplifybackend::{Client, Config, ProvideErrorMetadata, RequestId};
use serde_json::json;
use std::error::Error as _;
use support::{Reply, Server, ACCESS_KEY, SECRET_KEY};

fn client(server: &Server) -> Client {
    let credentials = Credentials::new(ACCESS_KEY, SECRET_KEY, None);
    Client::new(
        Config::builder()
            .region("us-east-1")
            .credentials(credentials)
            .endpoint_url(&server.url)
            .max_attempts(1)
            .build(),
    )
}

#[test]
fn getters_read_fields_the_way_callers_use_them() {
    let job = BackendJobRespObj::builder().app_id("a").backend_environment_name("dev").job_id("j1").build().unwrap();
    // Required strings read as `&str`, optional ones as `Option<&str>`.
    let (app_id, job_id, status): (&str, Option<&str>, Option<&str>) = (job.app_id(), job.job_id(), job.status());
    assert_eq!((app_id, job_id, status), ("a", Some("j1"), None));
    // Lists read as slices, empty when absent.
    let empty = ListBackendJobsOutput::builder().build();
    assert!(empty.jobs().is_empty());
    let output = ListBackendJobsOutput::builder().jobs(vec![job.clone()]).build();
    assert_eq!(output.jobs(), [job]);
    // Builders read back what was set.
    let builder = ListBackendJobsInput::builder().app_id("a").max_results(5);
    assert_eq!((builder.get_app_id().as_deref(), *builder.get_max_results()), (Some("a"), Some(5)));
    assert_eq!(builder.get_backend_environment_name(), &None);
}

#[tokio::test]
async fn every_output_carries_its_request_id() {
    let server = Server::start(|_, n| {
        let body = if n == 1 { json!({"jobs": [support::job(1)], "nextToken": "t"}) } else { json!({"jobs": []}) };
        let id = format!("req-{n}");
        Reply::Respond { status: 200, headers: vec![("x-amzn-RequestId", id)], body: body.to_string() }
    })
    .await;
    let client = client(&server);
    let output = client.list_backend_jobs().app_id("a").backend_environment_name("dev").send().await.unwrap();
    assert_eq!(output.request_id(), Some("req-0"));
    // Each page of a paginator has its own.
    let pages: Vec<ListBackendJobsOutput> = client
        .list_backend_jobs()
        .app_id("a")
        .backend_environment_name("dev")
        .into_paginator()
        .send()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<Option<&str>> = pages.iter().map(RequestId::request_id).collect();
    assert_eq!(ids, [Some("req-1"), Some("req-2")]);
    // A built output has none.
    assert_eq!(ListBackendJobsOutput::builder().build().request_id(), None);
}

#[tokio::test]
async fn errors_share_one_metadata_trait_and_print_each_message_once() {
    let server = Server::start(|_, _| {
        let headers =
            vec![("x-amzn-errortype", "NotFoundException".to_owned()), ("x-amzn-requestid", "r-1".to_owned())];
        Reply::Respond { status: 404, headers, body: json!({"message": "no such app"}).to_string() }
    })
    .await;
    let error =
        client(&server).list_backend_jobs().app_id("a").backend_environment_name("dev").send().await.unwrap_err();
    // Through the trait, whatever the operation.
    fn describe(error: &dyn ProvideErrorMetadata) -> String {
        format!("{:?} {:?} {:?}", error.code(), error.message(), error.meta().request_id())
    }
    let service_error = error.as_service_error().unwrap();
    assert!(matches!(service_error, ListBackendJobsError::NotFound(_)));
    assert_eq!(describe(service_error), r#"Some("NotFoundException") Some("no such app") Some("r-1")"#);
    assert_eq!(error.code(), Some("NotFoundException"));
    // Each layer shows its error as it is, so a reporter walking the chain prints it once.
    assert!(error.to_string().starts_with("NotFoundException: no such app"), "{error}");
    assert!(error.source().is_none());
    let unsent = client(&server).list_backend_jobs().send().await.unwrap_err();
    assert!(matches!(unsent, SdkError::Build(BuildError::MissingField { .. })), "{unsent:?}");
    assert!(unsent.source().is_none());
}

#[test]
fn futures_are_send_and_clients_send_and_sync() {
    fn send<T: Send>(_: &T) {}
    fn send_sync<T: Send + Sync + 'static>() {}
    send_sync::<Client>();
    send_sync::<ListBackendJobsError>();
    send_sync::<SdkError<ListBackendJobsError>>();
    send_sync::<ListBackendJobsOutput>();
    let client = Client::new(Config::builder().build());
    let call = client.list_backend_jobs().send();
    send(&call);
    let pages = client.list_backend_jobs().into_paginator().items();
    send(&pages);
}

#[test]
fn the_public_api_needs_no_runtime_dependency() {
    // Everything a signature uses is re-exported by the generated crate itself.
    use awsgen_amplifybackend::error::{ErrorMetadata, ParseError, TransportError, TransportErrorKind, Unhandled};
    use awsgen_amplifybackend::pagination::{PaginationError, Paginator, StreamExt};
    use awsgen_amplifybackend::primitives::{Blob, DateTime, Document, UnknownValue};
    let _: Option<(ErrorMetadata, ParseError, TransportErrorKind, PaginationError, Blob, DateTime, Document)> = None;
    let _: Option<(&TransportError, &Unhandled, &UnknownValue, Paginator<ListBackendJobsInput>)> = None;
    fn uses_stream_ext<S: StreamExt>(_: S) {}
    let _ = uses_stream_ext::<awsgen_amplifybackend::pagination::PaginationStream<u8, u8>>;
}
