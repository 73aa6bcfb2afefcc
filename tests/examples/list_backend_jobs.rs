//! Lists the jobs of an Amplify backend environment, one JSON object per line.
//!
//! ```sh
//! AWS_PROFILE=dev cargo run -q --example list_backend_jobs -- \
//!     --region us-east-1 --app-id d2x7example --backend-environment-name dev [--all --max-items 10]
//! ```
//!
//! Region, credentials, endpoint and attempts come from the environment and the profile files
//! (`awsgen_config`'s default chain); `--profile`, `--region` and `--endpoint-url` override them.
//!
//! With `--all` it walks every page; when `--max-items` stops it early, the last line is
//! `{"nextToken": "<resume token>"}`, which `--starting-token` continues from.

use awsgen_amplifybackend::types::BackendJobRespObj;
use awsgen_amplifybackend::Client;
use awsgen_runtime::stream::StreamExt;
use clap::Parser;
use std::process::ExitCode;

#[derive(Parser)]
#[command(about = "List the jobs of an Amplify backend environment (AmplifyBackend ListBackendJobs)")]
struct Args {
    /// The profile of ~/.aws/config and ~/.aws/credentials to use (also: AWS_PROFILE).
    #[arg(long)]
    profile: Option<String>,
    /// Send requests here instead of the regional endpoint (also: AWS_ENDPOINT_URL).
    #[arg(long)]
    endpoint_url: Option<String>,
    /// The region (also: AWS_REGION).
    #[arg(long)]
    region: Option<String>,
    #[arg(long)]
    app_id: String,
    #[arg(long)]
    backend_environment_name: String,
    #[arg(long)]
    max_results: Option<i32>,
    #[arg(long)]
    job_id: Option<String>,
    #[arg(long)]
    operation: Option<String>,
    #[arg(long)]
    status: Option<String>,
    /// Walk every page with the paginator instead of making one call.
    #[arg(long)]
    all: bool,
    /// With --all: jobs per request.
    #[arg(long, requires = "all")]
    page_size: Option<i32>,
    /// With --all: stop after this many jobs and print a resume token.
    #[arg(long, requires = "all")]
    max_items: Option<usize>,
    /// With --all: continue from a resume token printed by an earlier run.
    #[arg(long, requires = "all")]
    starting_token: Option<String>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    let mut loader = awsgen_config::ConfigLoader::default();
    if let Some(profile) = args.profile {
        loader = loader.profile_name(profile);
    }
    let mut config = loader.load_builder().await;
    if let Some(url) = args.endpoint_url {
        config = config.endpoint_url(url);
    }
    if let Some(region) = args.region {
        config = config.region(region);
    }
    let client = Client::new(config.build());
    let request = client
        .list_backend_jobs()
        .app_id(args.app_id)
        .backend_environment_name(args.backend_environment_name)
        .set_max_results(args.max_results)
        .set_job_id(args.job_id)
        .set_operation(args.operation)
        .set_status(args.status);
    if !args.all {
        let output = request.send().await.map_err(|error| error.to_string())?;
        output.jobs.unwrap_or_default().iter().for_each(|job| println!("{}", job_json(job)));
        return Ok(());
    }
    let mut paginator = request.into_paginator();
    if let Some(size) = args.page_size {
        paginator = paginator.page_size(size);
    }
    if let Some(max) = args.max_items {
        paginator = paginator.max_items(max);
    }
    if let Some(token) = args.starting_token {
        paginator = paginator.starting_token(token);
    }
    let mut jobs = paginator.items();
    while let Some(job) = jobs.next().await {
        println!("{}", job_json(&job.map_err(|error| error.to_string())?));
    }
    if let Some(token) = jobs.resume_token() {
        println!("{}", serde_json::json!({ "nextToken": token }));
    }
    Ok(())
}

/// The job with the service's own (wire) member names, unset members left out.
fn job_json(job: &BackendJobRespObj) -> serde_json::Value {
    let fields = [
        ("appId", Some(job.app_id.as_str())),
        ("backendEnvironmentName", Some(job.backend_environment_name.as_str())),
        ("createTime", job.create_time.as_deref()),
        ("error", job.error.as_deref()),
        ("jobId", job.job_id.as_deref()),
        ("operation", job.operation.as_deref()),
        ("status", job.status.as_deref()),
        ("updateTime", job.update_time.as_deref()),
    ];
    let object = fields.into_iter().filter_map(|(name, value)| Some((name.to_owned(), value?.into())));
    serde_json::Value::Object(object.collect())
}
