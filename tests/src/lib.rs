//! Tests only; see `tests/`. The doctests below check what must not compile.
//!
//! Only the builder a `Client` hands out can send, page or wait; `Input::builder()`'s builds:
//!
//! ```no_run
//! # async fn f(client: awsgen_amplifybackend::Client) {
//! use awsgen_amplifybackend::operation::list_backend_jobs::ListBackendJobsInput;
//! let input = ListBackendJobsInput::builder().app_id("a").backend_environment_name("dev").build();
//! let sent = client.list_backend_jobs().app_id("a").backend_environment_name("dev").send().await;
//! let pages = client.list_backend_jobs().into_paginator();
//! # }
//! ```
//!
//! ```compile_fail,E0599
//! # async fn f() {
//! use awsgen_amplifybackend::operation::list_backend_jobs::ListBackendJobsInput;
//! let sent = ListBackendJobsInput::builder().app_id("a").backend_environment_name("dev").send().await;
//! # }
//! ```
//!
//! ```compile_fail,E0599
//! use awsgen_amplifybackend::operation::list_backend_jobs::ListBackendJobsInput;
//! let pages = ListBackendJobsInput::builder().into_paginator();
//! ```
//!
//! ```compile_fail,E0599
//! use awsgen_fixture_awsjson::operation::describe_table::DescribeTableInput;
//! let waiter = DescribeTableInput::builder().table_name("t").wait_until_table_exists();
//! ```
