//! Speed benchmarks, run in release: `cargo run --release -p awsgen-benches`: generation, and
//! parsing against plain serde_json. A whole call, side by side with aws-sdk-rust, is
//! `cargo xtask bench-calls`. Each figure is the median of several timed runs; nothing here
//! asserts on time.

use awsgen_amplifybackend::operation::list_backend_jobs::{ListBackendJobsInput, ListBackendJobsOutput};
use awsgen_codegen::{CrateSpec, InputFile, Selection};
use awsgen_runtime::http::Response;
use awsgen_runtime::Operation;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The median wall time of `runs` runs of `f`.
fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            f();
            started.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn generate(model: &[u8], paginators: Option<&[u8]>, operations: Selection) -> usize {
    let spec = CrateSpec {
        paginators: paginators.map(|contents| InputFile { path: "paginators.json", contents }),
        operations,
        ..CrateSpec::new("bench", InputFile { path: "model.json", contents: model })
    };
    awsgen_codegen::generate(&spec).map(|g| g.files.len()).unwrap_or(0)
}

fn bench_generation() {
    println!("## Code generation (model bytes in, formatted files out)\n");
    println!("| model | operations | files | median |");
    println!("|---|---|---:|---:|");
    let dir = root().join("specs/amplifybackend");
    let (model, pagers) =
        (std::fs::read(dir.join("service-2.json")).unwrap(), std::fs::read(dir.join("paginators-1.json")).unwrap());
    for (label, selection) in
        [("AmplifyBackend", Selection::Only(["ListBackendJobs".to_owned()].into())), ("AmplifyBackend", Selection::All)]
    {
        let operations = match &selection {
            Selection::All => "all".to_owned(),
            Selection::Only(names) => names.iter().cloned().collect::<Vec<_>>().join(","),
        };
        let mut files = 0;
        let time = median(21, || files = generate(&model, Some(&pagers), selection.clone()));
        println!("| {label} | {operations} | {files} | {:.1} ms |", time.as_secs_f64() * 1e3);
    }
    let corpus = root().join("../shared/models/botocore");
    let Ok(services) = std::fs::read_dir(&corpus) else {
        println!("\n(../shared/models/botocore is missing: the corpus rows are skipped)\n");
        return;
    };
    let mut services: Vec<PathBuf> = services.flatten().map(|e| e.path()).collect();
    services.sort();
    for service in services {
        let Some(version) = std::fs::read_dir(&service).ok().and_then(|v| v.flatten().map(|e| e.path()).max()) else {
            continue;
        };
        let (Ok(model), pagers) =
            (std::fs::read(version.join("service-2.json")), std::fs::read(version.join("paginators-1.json")).ok())
        else {
            continue;
        };
        let mut files = 0;
        let time = median(5, || files = generate(&model, pagers.as_deref(), Selection::All));
        let name = service.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        println!("| {name} | all | {files} | {:.1} ms |", time.as_secs_f64() * 1e3);
    }
    println!();
}

/// The plain serde_json floor: the same fields, derived, nothing else.
#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct PlainOutput {
    jobs: Option<Vec<PlainJob>>,
    #[serde(rename = "nextToken")]
    next_token: Option<String>,
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
#[serde(rename_all = "camelCase")]
struct PlainJob {
    app_id: Option<String>,
    backend_environment_name: Option<String>,
    create_time: Option<String>,
    error: Option<String>,
    job_id: Option<String>,
    operation: Option<String>,
    status: Option<String>,
    update_time: Option<String>,
}

fn bench_parsing() {
    println!("## Parsing a ListBackendJobs response of 10,000 jobs\n");
    let jobs: Vec<serde_json::Value> = (0..10_000)
        .map(|i| {
            serde_json::json!({"appId": "d2x7example", "backendEnvironmentName": "dev", "createTime": "2026-11-28T15:37:06Z",
                "jobId": format!("job-{i:05}"), "operation": "CreateBackendAuth", "status": "COMPLETED", "updateTime": "2026-11-28T15:38:06Z"})
        })
        .collect();
    let body = serde_json::to_vec(&serde_json::json!({"jobs": jobs, "nextToken": "t"})).unwrap();
    let response = Response { status: 200, headers: Default::default(), body: body.clone().into() };
    let ours = median(31, || {
        let output = ListBackendJobsInput::parse_output(&response).unwrap();
        assert_eq!(output.jobs.map(|j| j.len()), Some(10_000));
    });
    let floor = median(31, || {
        let output: PlainOutput = serde_json::from_slice(&body).unwrap();
        assert_eq!(output.jobs.map(|j| j.len()), Some(10_000));
    });
    println!("| parser | median | vs floor |");
    println!("|---|---:|---:|");
    println!(
        "| generated `parse_output` | {:.2} ms | {:.2}x |",
        ours.as_secs_f64() * 1e3,
        ours.as_secs_f64() / floor.as_secs_f64()
    );
    println!("| plain serde_json derive (floor) | {:.2} ms | 1.00x |\n", floor.as_secs_f64() * 1e3);
    let _: Option<ListBackendJobsOutput> = None;
}

/// Decoding an event stream as it arrives: 100,000 ConverseStream-like delta events (about
/// 20 MB), fed to the decoder in 16 KiB reads as a socket gives them.
fn bench_event_stream() {
    use awsgen_runtime::eventstream::{Decoder, Header, HeaderValue, Message};
    println!("## Decoding an event stream (100,000 events in 16 KiB reads)\n");
    let text = |value: &str| HeaderValue::String(value.to_owned());
    let event = |i: usize| Message {
        headers: vec![
            Header::new(":message-type", text("event")),
            Header::new(":event-type", text("contentBlockDelta")),
            Header::new(":content-type", text("application/json")),
        ],
        payload: format!(
            r#"{{"contentBlockIndex":0,"delta":{{"text":"token {i} of a model's answer, as it streams"}}}}"#
        )
        .into(),
    };
    let stream: Vec<u8> = (0..100_000).flat_map(|i| event(i).encode().unwrap().to_vec()).collect();
    let decode = median(11, || {
        let mut decoder = Decoder::new();
        let mut events = 0;
        for read in stream.chunks(16 * 1024) {
            decoder.push(read);
            while let Some(message) = decoder.next_message().unwrap() {
                std::hint::black_box(&message);
                events += 1;
            }
        }
        decoder.finish().unwrap();
        assert_eq!(events, 100_000);
    });
    let seconds = decode.as_secs_f64();
    println!("| bytes | median | MB/s | events/s |");
    println!("|---:|---:|---:|---:|");
    println!(
        "| {} | {:.2} ms | {:.0} | {:.0} |\n",
        stream.len(),
        seconds * 1e3,
        stream.len() as f64 / seconds / 1e6,
        100_000.0 / seconds
    );
}

fn main() {
    println!("# awsgen benchmarks (release build, median of repeated runs)\n");
    bench_generation();
    bench_parsing();
    bench_event_stream();
}
