//! `cargo xtask bench-calls`: the cost of one ListBackendJobs call through our generated crate
//! and through aws-sdk-amplifybackend, measured by the same harness in the same run. Both
//! programs are written under `target/bench-calls/`, outside the workspace, and built in release.
//! Each prints `name value` lines; ours adds the floor (what any SigV4 JSON client must do).

use crate::bench_build::{cargo, peak_rss_kb, write_program};
use std::path::Path;

/// The measurements, shared by both programs; each defines `mod sdk` above it.
const HARNESS: &str = r##"
use std::time::{Duration, Instant};

/// A ListBackendJobs response body with `n` jobs.
fn jobs_body(n: usize) -> String {
    let jobs: Vec<String> = (0..n)
        .map(|i| format!(r#"{{"appId":"d2x7example","backendEnvironmentName":"dev","createTime":"2026-11-28T15:37:06Z","jobId":"job-{i:05}","operation":"CreateBackendAuth","status":"COMPLETED","updateTime":"2026-11-28T15:38:06Z"}}"#))
        .collect();
    format!(r#"{{"jobs":[{}],"nextToken":"t"}}"#, jobs.join(","))
}

/// The median over 5 runs of the time per call of `calls` sequential calls.
fn per_call(runtime: &tokio::runtime::Runtime, client: &sdk::Client, jobs: usize, calls: u32) -> Duration {
    let mut runs: Vec<Duration> = (0..5)
        .map(|_| {
            let started = Instant::now();
            runtime.block_on(async {
                for _ in 0..calls {
                    assert_eq!(sdk::call(client).await, jobs);
                }
            });
            started.elapsed() / calls
        })
        .collect();
    runs.sort();
    runs[2]
}

/// Calls per second from 16 concurrent callers against a loopback server.
fn loopback(runtime: &tokio::runtime::Runtime, url: &str) -> f64 {
    let client = sdk::over_http(url);
    let (callers, per_caller) = (16, 2_000);
    let started = Instant::now();
    runtime.block_on(async {
        let tasks: Vec<_> = (0..callers)
            .map(|_| {
                let client = client.clone();
                tokio::spawn(async move {
                    for _ in 0..per_caller {
                        assert_eq!(sdk::call(&client).await, 25);
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
    });
    (callers * per_caller) as f64 / started.elapsed().as_secs_f64()
}

/// A keep-alive HTTP/1.1 server on 127.0.0.1 answering every request with `body`.
async fn serve(body: String) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let reply = format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}", body.len());
    let reply: &'static [u8] = Box::leak(reply.into_bytes().into_boxed_slice());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let (mut buffer, mut chunk) = (Vec::new(), [0u8; 8192]);
                loop {
                    let Ok(n) = stream.read(&mut chunk).await else { return };
                    if n == 0 {
                        return;
                    }
                    buffer.extend_from_slice(&chunk[..n]);
                    while let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
                        let length: usize = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse().ok())
                            .unwrap_or(0);
                        if buffer.len() < end + 4 + length {
                            break;
                        }
                        buffer.drain(..end + 4 + length);
                        if stream.write_all(reply).await.is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    url
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let full = jobs_body(25);
    let in_process = sdk::in_process(full.clone());
    // `profile`: only the in-process calls, for valgrind --tool=callgrind.
    if std::env::args().nth(1).as_deref() == Some("profile") {
        per_call(&runtime, &in_process, 25, 400);
        return;
    }
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!("per_call_25_jobs_us {:.2}", us(per_call(&runtime, &in_process, 25, 5_000)));
    let empty = sdk::in_process(r#"{"jobs":[]}"#.to_owned());
    println!("per_call_empty_us {:.2}", us(per_call(&runtime, &empty, 0, 5_000)));
    let url = runtime.block_on(serve(full.clone()));
    println!("loopback_calls_per_s {:.0}", loopback(&runtime, &url));
    if let Some(floor) = sdk::floor(&full) {
        println!("floor_us {:.2}", us(floor));
    }
}
"##;

const OURS: &str = r#"
mod sdk {
    use awsgen_runtime::http::{BoxFuture, HttpClient, HttpResponse};
    use std::sync::Arc;
    use std::time::{Duration, Instant};
    pub use awsgen_amplifybackend::Client;

    fn config() -> awsgen_runtime::ConfigBuilder {
        awsgen_amplifybackend::Config::builder()
            .region("us-east-1")
            .credentials(awsgen_runtime::Credentials::new("AKIDEXAMPLE", "secret", None))
    }

    #[derive(Debug)]
    struct Canned(bytes::Bytes);

    impl HttpClient for Canned {
        fn call(&self, _: http::Request<bytes::Bytes>) -> BoxFuture<'_, Result<HttpResponse, awsgen_runtime::TransportError>> {
            let body = self.0.clone();
            Box::pin(async move { Ok(HttpResponse { status: 200, headers: Default::default(), body: body.into() }) })
        }
    }

    pub fn in_process(body: String) -> Client {
        Client::new(config().endpoint_url("https://example.com").http_client(Arc::new(Canned(body.into()))).build())
    }

    pub fn over_http(url: &str) -> Client {
        Client::new(config().endpoint_url(url).build())
    }

    pub async fn call(client: &Client) -> usize {
        let output = client.list_backend_jobs().app_id("app").backend_environment_name("dev").send().await.unwrap();
        output.jobs().len()
    }

    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    #[serde(rename_all = "camelCase")]
    struct Job {
        app_id: Option<String>,
        backend_environment_name: Option<String>,
        create_time: Option<String>,
        error: Option<String>,
        job_id: Option<String>,
        operation: Option<String>,
        status: Option<String>,
        update_time: Option<String>,
    }

    #[derive(serde::Deserialize)]
    struct Output {
        jobs: Option<Vec<Job>>,
    }

    /// What any SigV4 JSON client must do per call, and nothing else: hash the body and the
    /// canonical request, sign the string to sign with the day's signing key (derived once, as
    /// a client can keep it), and parse the body's bytes with a plain serde derive.
    pub fn floor(body: &str) -> Option<Duration> {
        use ring::{digest, hmac};
        let hex = |bytes: &[u8]| {
            let digits = b"0123456789abcdef";
            bytes.iter().flat_map(|b| [digits[usize::from(b >> 4)] as char, digits[usize::from(b & 15)] as char]).collect::<String>()
        };
        let mac = |key: &[u8], data: &str| hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data.as_bytes());
        let key = mac(mac(mac(mac(b"AWS4secret", "20261129").as_ref(), "us-east-1").as_ref(), "amplifybackend").as_ref(), "aws4_request");
        let key = hmac::Key::new(hmac::HMAC_SHA256, key.as_ref());
        let body = body.as_bytes();
        let one = || {
            let payload = hex(digest::digest(&digest::SHA256, b"{}").as_ref());
            let canonical = format!(
                "POST\n/backend/app/job/dev\n\ncontent-type:application/json\nhost:amplifybackend.us-east-1.amazonaws.com\nx-amz-date:20261129T120000Z\n\ncontent-type;host;x-amz-date\n{payload}"
            );
            let hashed = hex(digest::digest(&digest::SHA256, canonical.as_bytes()).as_ref());
            let to_sign = format!("AWS4-HMAC-SHA256\n20261129T120000Z\n20261129/us-east-1/amplifybackend/aws4_request\n{hashed}");
            let signature = hex(hmac::sign(&key, to_sign.as_bytes()).as_ref());
            let output: Output = serde_json::from_str(std::str::from_utf8(body).unwrap()).unwrap();
            assert_eq!((signature.len(), output.jobs.map_or(0, |j| j.len())), (64, 25));
        };
        let mut runs: Vec<Duration> = (0..5)
            .map(|_| {
                let started = Instant::now();
                (0..5_000).for_each(|_| one());
                started.elapsed() / 5_000
            })
            .collect();
        runs.sort();
        Some(runs[2])
    }
}
"#;

const AWS: &str = r#"
mod sdk {
    use aws_sdk_amplifybackend::config::{BehaviorVersion, Credentials, Region};
    pub use aws_sdk_amplifybackend::Client;

    fn config() -> aws_sdk_amplifybackend::config::Builder {
        aws_sdk_amplifybackend::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("AKIDEXAMPLE", "secret", None, None, "bench"))
    }

    pub fn in_process(body: String) -> Client {
        let http = aws_smithy_http_client::test_util::infallible_client_fn(move |_| {
            http::Response::builder().status(200).body(body.clone()).unwrap()
        });
        Client::from_conf(config().endpoint_url("https://example.com").http_client(http).build())
    }

    pub fn over_http(url: &str) -> Client {
        Client::from_conf(config().endpoint_url(url).build())
    }

    pub async fn call(client: &Client) -> usize {
        let output = client.list_backend_jobs().app_id("app").backend_environment_name("dev").send().await.unwrap();
        output.jobs().len()
    }

    pub fn floor(_: &str) -> Option<std::time::Duration> {
        None
    }
}
"#;

/// One program's measurements, by the names the harness prints, and its peak RSS.
pub struct Run {
    pub program: &'static str,
    pub values: Vec<(String, f64)>,
    pub peak_rss_kb: Option<u64>,
}

impl Run {
    fn get(&self, name: &str) -> Option<f64> {
        self.values.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
    }
}

pub fn run(root: &Path) -> Result<Vec<Run>, String> {
    let dir = root.join("target/bench-calls");
    let ours = dir.join("ours");
    let aws = dir.join("aws-sdk-rust");
    let path =
        |p: &str| root.join(p).canonicalize().map(|p| p.display().to_string()).map_err(|e| format!("error: {e}"));
    let common = "tokio = { version = \"1\", features = [\"rt-multi-thread\", \"net\", \"io-util\", \"macros\"] }\nhttp = \"1\"\n";
    write_program(
        &ours,
        &format!(
            "awsgen-amplifybackend = {{ path = {:?} }}\nawsgen-runtime = {{ path = {:?} }}\n{common}bytes = \"1\"\nring = \"0.17\"\nserde = {{ version = \"1\", features = [\"derive\"] }}\nserde_json = \"1\"\n",
            path("generated/amplifybackend")?,
            path("runtime")?
        ),
        &format!("{OURS}{HARNESS}"),
    )?;
    let _ = std::fs::copy(root.join("Cargo.lock"), ours.join("Cargo.lock"));
    write_program(
        &aws,
        &format!("aws-sdk-amplifybackend = \"=1.120.0\"\naws-smithy-http-client = {{ version = \"1\", features = [\"test-util\"] }}\n{common}"),
        &format!("{AWS}{HARNESS}"),
    )?;
    let mut runs = Vec::new();
    for (program, dir) in [("awsgen", &ours), ("aws-sdk-rust", &aws)] {
        let target = dir.join("target");
        cargo(dir, &["build", "--release", "--quiet"], Some(&target))?;
        runs.push(measure(program, &target.join("release/list-jobs"))?);
    }
    Ok(runs)
}

/// Runs the built program under `/usr/bin/time -v` (when there is one) and reads what it printed.
fn measure(program: &'static str, binary: &Path) -> Result<Run, String> {
    let timed = Path::new("/usr/bin/time").is_file();
    let mut command = std::process::Command::new(if timed { Path::new("/usr/bin/time") } else { binary });
    if timed {
        command.arg("-v").arg(binary);
    }
    let output = command.output().map_err(|e| format!("error: cannot run {}: {e}", binary.display()))?;
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    if !output.status.success() {
        return Err(format!("error: {} failed:\n{stderr}", binary.display()));
    }
    let values = stdout
        .lines()
        .filter_map(|line| line.split_once(' '))
        .filter_map(|(name, value)| Some((name.to_owned(), value.parse().ok()?)))
        .collect();
    Ok(Run { program, values, peak_rss_kb: peak_rss_kb(&stderr) })
}

pub fn print(runs: &[Run]) {
    let [ours, theirs] = runs else { return };
    let row = |what: &str, name: &str, unit: &str| {
        let (Some(a), Some(b)) = (ours.get(name), theirs.get(name)) else { return };
        println!("| {what} | {a:.2} {unit} | {b:.2} {unit} | {:.2}x |", a / b);
    };
    println!("| per call | awsgen | aws-sdk-rust | awsgen / aws-sdk-rust |");
    println!("|---|---:|---:|---:|");
    row("build, sign, in-process transport, parse 25 jobs", "per_call_25_jobs_us", "µs");
    row("the same, empty listing", "per_call_empty_us", "µs");
    row("calls per second, loopback, 16 concurrent callers", "loopback_calls_per_s", "/s");
    if let (Some(a), Some(b)) = (ours.peak_rss_kb, theirs.peak_rss_kb) {
        println!(
            "| peak RSS of the whole run | {:.1} MB | {:.1} MB | {:.2}x |",
            a as f64 / 1024.0,
            b as f64 / 1024.0,
            a as f64 / b as f64
        );
    }
    if let (Some(floor), Some(call)) = (ours.get("floor_us"), ours.get("per_call_25_jobs_us")) {
        println!("\nfloor (SigV4 hashes and signature with a kept key, plain serde_json parse of 25 jobs): {floor:.2} µs; awsgen's call is {:.2}x the floor", call / floor);
    }
}
