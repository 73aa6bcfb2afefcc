//! Speed benchmarks, run in release: `cargo run --release -p awsgen-benches`: generation, and
//! parsing against plain serde_json. A whole call, side by side with aws-sdk-rust, is
//! `cargo xtask bench-calls`. Each figure is the median of several timed runs; nothing here
//! asserts on time.

mod soak;

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
    // Memory is measured as the process's peak, so each transfer runs alone in a process:
    // `cargo run --release -p awsgen-benches -- transfers [MiB]`.
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mib = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(1024);
    match args.first().map(String::as_str) {
        Some("transfers") => return bench_transfers(mib),
        Some("parallel-transfers") => return bench_parallel_transfers(mib),
        Some("generation") => return bench_generation(),
        Some("soak") => {
            let callers = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(64);
            return soak::run(args.get(1).and_then(|n| n.parse().ok()).unwrap_or(120), callers);
        }
        _ => {}
    }
    println!("# awsgen benchmarks (release build, median of repeated runs)\n");
    bench_generation();
    bench_parsing();
    bench_event_stream();
}

/// The process's peak resident memory so far, in MiB (Linux's `VmHWM`).
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// A 127.0.0.1 S3 stand-in: a PUT's body is read and thrown away, a GET answers `mib` MiB.
async fn sink_and_source(mib: usize) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buffer = vec![0u8; 256 * 1024];
                loop {
                    let read = stream.read(&mut buffer).await.unwrap_or(0);
                    if read == 0 {
                        return;
                    }
                    head.extend_from_slice(&buffer[..read]);
                    let Some(end) = head.windows(4).position(|w| w == b"\r\n\r\n") else { continue };
                    let text = String::from_utf8_lossy(&head[..end]).to_ascii_lowercase();
                    let length: usize =
                        text.lines().find_map(|l| l.strip_prefix("content-length: ")?.trim().parse().ok()).unwrap_or(0);
                    let mut left = length.saturating_sub(head.len() - end - 4);
                    while left > 0 {
                        let read = stream.read(&mut buffer).await.unwrap_or(0);
                        if read == 0 {
                            return;
                        }
                        left = left.saturating_sub(read);
                    }
                    let size = mib * 1024 * 1024;
                    let xml = |body: &str| {
                        format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: application/xml\r\ncontent-length: {}\r\n\r\n{body}",
                            body.len()
                        )
                    };
                    let reply = match text.split(' ').next().unwrap_or_default() {
                        "put" => "HTTP/1.1 200 OK\r\netag: \"e\"\r\ncontent-length: 0\r\n\r\n".to_owned(),
                        // CreateMultipartUpload (`?uploads`) and CompleteMultipartUpload.
                        "post" if text.lines().next().is_some_and(|line| line.contains("?uploads")) => {
                            xml("<InitiateMultipartUploadResult><UploadId>u</UploadId></InitiateMultipartUploadResult>")
                        }
                        "post" => {
                            xml("<CompleteMultipartUploadResult><ETag>\"e-n\"</ETag></CompleteMultipartUploadResult>")
                        }
                        "head" => format!("HTTP/1.1 200 OK\r\netag: \"e\"\r\ncontent-length: {size}\r\n\r\n"),
                        _ => {
                            let range = text.lines().find_map(|l| l.strip_prefix("range: bytes="));
                            let range = range.and_then(|r| r.trim().split_once('-'));
                            let range =
                                range.and_then(|(a, b)| Some((a.parse::<usize>().ok()?, b.parse::<usize>().ok()?)));
                            let (status, length) = match range {
                                Some((first, last)) => ("206 Partial Content", last + 1 - first),
                                None => ("200 OK", size),
                            };
                            let reply = format!("HTTP/1.1 {status}\r\netag: \"e\"\r\ncontent-length: {length}\r\n\r\n");
                            if stream.write_all(reply.as_bytes()).await.is_err() {
                                return;
                            }
                            let chunk = vec![7u8; 1024 * 1024];
                            let mut left = length;
                            while left > 0 {
                                let piece = left.min(chunk.len());
                                if stream.write_all(&chunk[..piece]).await.is_err() {
                                    return;
                                }
                                left -= piece;
                            }
                            head.clear();
                            continue;
                        }
                    };
                    let _ = stream.write_all(reply.as_bytes()).await;
                    head.clear();
                }
            });
        }
    });
    url
}

/// For a transfer bench: an S3 client of the loopback stand-in answering `mib` MiB, a scratch
/// folder, and the `mib` MiB file in it to upload.
async fn transfer_setup(mib: usize, name: &str) -> (awsgen_s3::Client, std::path::PathBuf, std::path::PathBuf) {
    let url = sink_and_source(mib).await;
    let config = awsgen_runtime::Config::builder()
        .region("us-east-1")
        .credentials(awsgen_runtime::Credentials::new("AKIDEXAMPLE", "secret", None))
        .endpoint_url(&url)
        .build();
    let dir = std::env::temp_dir().join(format!("awsgen-bench-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let source = dir.join("upload.bin");
    use std::io::Write;
    let mut file = std::io::BufWriter::new(std::fs::File::create(&source).unwrap());
    let chunk: Vec<u8> = (0..1024 * 1024).map(|i: u32| (i % 251) as u8).collect();
    for _ in 0..mib {
        file.write_all(&chunk).unwrap();
    }
    file.flush().unwrap();
    (awsgen_s3::Client::new(config), dir, source)
}

/// The same through awsgen-s3-transfer: a multipart upload in 8 MiB parts and a download in
/// 8 MiB ranges, 8 at a time, with the process's peak memory (bounded by concurrency × part size).
fn bench_parallel_transfers(mib: usize) {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        println!("## Parallel transfers of {mib} MiB (8 MiB parts, 8 at a time), S3 over HTTP on 127.0.0.1\n");
        let (client, dir, source) = transfer_setup(mib, "parallel").await;
        let transfers = awsgen_s3_transfer::Transfers::new(client);
        let before = peak_rss_mib().unwrap_or(0.0);
        let started = Instant::now();
        let uploaded = transfers.upload_file("bench", "upload.bin", &source).await.unwrap();
        let upload = started.elapsed();
        let after_upload = peak_rss_mib().unwrap_or(0.0);
        let started = Instant::now();
        let downloaded = transfers.download_file("bench", "upload.bin", dir.join("download.bin")).await.unwrap();
        let download = started.elapsed();
        assert_eq!(downloaded.bytes, (mib * 1024 * 1024) as u64);
        let after_download = peak_rss_mib().unwrap_or(0.0);
        std::fs::remove_dir_all(&dir).unwrap();
        let rate = |time: Duration| mib as f64 / time.as_secs_f64();
        println!("| transfer | parts | time | MiB/s | peak RSS of the process |");
        println!("| --- | ---: | ---: | ---: | ---: |");
        println!("| before | | | | {before:.1} MiB |");
        println!(
            "| multipart upload from a file (each part read once: aws-chunked, chunks signed) | {} | {upload:.2?} | {:.0} | {after_upload:.1} MiB |",
            uploaded.parts,
            rate(upload)
        );
        println!(
            "| ranged download to a file | {} | {download:.2?} | {:.0} | {after_download:.1} MiB |",
            downloaded.parts,
            rate(download)
        );
    });
}

/// An upload from a file and a download to one, `mib` MiB each, through the S3 client over
/// plain HTTP on 127.0.0.1 (the upload aws-chunked, each chunk signed, its CRC32 in a trailer:
/// the file read once), with the process's peak memory.
fn bench_transfers(mib: usize) {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        println!("## Transfers of {mib} MiB from and to a file, S3 over HTTP on 127.0.0.1\n");
        let (client, dir, source) = transfer_setup(mib, "transfers").await;
        let before = peak_rss_mib().unwrap_or(0.0);
        let started = Instant::now();
        let body = awsgen_s3::primitives::ByteStream::from_path(&source).await.unwrap();
        client.put_object().bucket("bench").key("upload.bin").body(body).send().await.unwrap();
        let upload = started.elapsed();
        let after_upload = peak_rss_mib().unwrap_or(0.0);
        let started = Instant::now();
        let object = client.get_object().bucket("bench").key("upload.bin").send().await.unwrap();
        let written = object.body.unwrap().write_to_path(dir.join("download.bin")).await.unwrap();
        let download = started.elapsed();
        assert_eq!(written, (mib * 1024 * 1024) as u64);
        let after_download = peak_rss_mib().unwrap_or(0.0);
        std::fs::remove_dir_all(&dir).unwrap();
        let rate = |time: Duration| mib as f64 / time.as_secs_f64();
        println!("| transfer | time | MiB/s | peak RSS of the process |");
        println!("| --- | ---: | ---: | ---: |");
        println!("| before | | | {before:.1} MiB |");
        println!(
            "| upload from a file (read once: aws-chunked, chunks signed) | {upload:.2?} | {:.0} | {after_upload:.1} MiB |",
            rate(upload)
        );
        println!("| download to a file | {download:.2?} | {:.0} | {after_download:.1} MiB |", rate(download));
    });
}
