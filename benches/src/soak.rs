//! `cargo run --release -p awsgen-benches -- soak [seconds] [callers]`: many callers (64) for a
//! while (120 s) against a server on 127.0.0.1 that answers each request at random as a failing
//! network and a struggling service do: a page of jobs, a slow but whole page, throttling, a
//! connection reset, a body cut short, a stall past the attempt timeout. Every call must end,
//! with its output or a typed error, within the operation timeout; open file descriptors and
//! resident memory must come back to where they were. Numbers, not assertions: BENCHMARKS.md.

use awsgen_amplifybackend::config::{RetryConfig, TimeoutConfig};
use awsgen_amplifybackend::error::SdkError;
use awsgen_amplifybackend::{Client, Config};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(1);
const OPERATION_TIMEOUT: Duration = Duration::from_secs(5);

pub fn run(seconds: u64, callers: usize) {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        println!("## Soak: {callers} callers for {seconds} s against a chaotic server on 127.0.0.1\n");
        let url = chaotic_server().await;
        let before = (open_fds(), rss_mib());
        let config = Config::builder()
            .region("us-east-1")
            .credentials(awsgen_amplifybackend::config::Credentials::new("AKIDEXAMPLE", "secret", None))
            .endpoint_url(&url)
            .retry(RetryConfig {
                max_attempts: 3,
                initial_backoff: Duration::from_millis(20),
                max_backoff: Duration::from_millis(500),
            })
            .timeouts(TimeoutConfig {
                attempt: Some(ATTEMPT_TIMEOUT),
                operation: Some(OPERATION_TIMEOUT),
                ..TimeoutConfig::default()
            })
            .build();
        let client = Client::new(config);
        let outcomes: Arc<Mutex<BTreeMap<String, u64>>> = Arc::default();
        let slowest = Arc::new(Mutex::new(Duration::ZERO));
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let tasks: Vec<_> = (0..callers)
            .map(|_| {
                let (client, outcomes, slowest) = (client.clone(), outcomes.clone(), slowest.clone());
                tokio::spawn(async move {
                    while Instant::now() < deadline {
                        let started = Instant::now();
                        let call = client.list_backend_jobs().app_id("app").backend_environment_name("dev").send();
                        // A generous outer bound: a call that outlived it would be a hang.
                        let outcome = match tokio::time::timeout(OPERATION_TIMEOUT * 3, call).await {
                            Ok(Ok(_)) => "output".to_owned(),
                            Ok(Err(error)) => kind(&error),
                            Err(_) => "HUNG past 3x the operation timeout".to_owned(),
                        };
                        let took = started.elapsed();
                        let mut slowest = slowest.lock().unwrap();
                        *slowest = (*slowest).max(took);
                        *outcomes.lock().unwrap().entry(outcome).or_default() += 1;
                    }
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_secs(seconds / 2)).await;
        let middle = (open_fds(), rss_mib());
        for task in tasks {
            task.await.unwrap();
        }
        let at_end = (open_fds(), rss_mib());
        drop(client);
        // Pooled connections close when the client goes; the server (in this process, so its
        // sockets count too) ends a stalled connection after three attempt timeouts.
        tokio::time::sleep(ATTEMPT_TIMEOUT * 3 + Duration::from_secs(1)).await;
        let after = (open_fds(), rss_mib());
        let outcomes = outcomes.lock().unwrap();
        let calls: u64 = outcomes.values().sum();
        println!("| outcome | calls | share |");
        println!("| --- | ---: | ---: |");
        for (outcome, count) in outcomes.iter() {
            println!("| {outcome} | {count} | {:.1} % |", *count as f64 * 100.0 / calls as f64);
        }
        println!("| all | {calls} | |\n");
        println!("slowest call: {:.2?} (operation timeout {OPERATION_TIMEOUT:?})\n", slowest.lock().unwrap());
        println!("| when | open file descriptors | resident memory |");
        println!("| --- | ---: | ---: |");
        for (when, (fds, rss)) in
            [("before", before), ("half way", middle), ("at the end", at_end), ("client dropped", after)]
        {
            println!("| {when} | {fds} | {rss:.1} MiB |");
        }
    });
}

/// The outcome's kind, for the table: the transport error's kind, or the service error's code.
fn kind<E: std::fmt::Display + awsgen_runtime::ProvideErrorMetadata>(error: &SdkError<E>) -> String {
    match error {
        SdkError::Transport(error) => format!("transport error: {:?}", error.kind()),
        SdkError::Service(error) => format!("service error: {}", error.meta().code().unwrap_or("(no code)")),
        SdkError::Parse(_) => "parse error (a body cut short)".to_owned(),
        other => format!("other: {other}"),
    }
}

/// Serves each request one of the faults, at random.
async fn chaotic_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(serve(stream));
        }
    });
    url
}

async fn serve(mut stream: tokio::net::TcpStream) {
    let mut held = Vec::new();
    let mut buffer = [0u8; 8192];
    loop {
        let end = loop {
            if let Some(end) = held.windows(4).position(|w| w == b"\r\n\r\n") {
                break end;
            }
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(read) => held.extend_from_slice(&buffer[..read]),
            }
        };
        let head = String::from_utf8_lossy(&held[..end]).to_ascii_lowercase();
        let length: usize =
            head.lines().find_map(|l| l.strip_prefix("content-length:")?.trim().parse().ok()).unwrap_or(0);
        while held.len() < end + 4 + length {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(read) => held.extend_from_slice(&buffer[..read]),
            }
        }
        held.drain(..end + 4 + length);
        let page =
            r#"{"jobs":[{"appId":"app","backendEnvironmentName":"dev","jobId":"j","operation":"x","status":"ok"}]}"#;
        let ok = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{page}",
            page.len()
        );
        match fastrand::u32(0..100) {
            0..40 => {
                if stream.write_all(ok.as_bytes()).await.is_err() {
                    return;
                }
            }
            40..55 => {
                // Slow but whole: the page a few bytes at a time.
                for piece in ok.as_bytes().chunks(40) {
                    if stream.write_all(piece).await.is_err() {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(30)).await;
                }
            }
            55..70 => {
                let body = r#"{"__type":"ThrottlingException","message":"slow down"}"#;
                let reply = format!("HTTP/1.1 429 Too Many Requests\r\ncontent-length: {}\r\n\r\n{body}", body.len());
                if stream.write_all(reply.as_bytes()).await.is_err() {
                    return;
                }
            }
            70..80 => {
                // A reset: a zero linger makes the close an RST; it does not block, whatever the
                // deprecation says.
                #[allow(deprecated)]
                let _ = stream.set_linger(Some(Duration::ZERO));
                return;
            }
            80..90 => {
                // The head says more than comes, then the connection closes.
                let reply = format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{}", page.len() * 2, page);
                let _ = stream.write_all(reply.as_bytes()).await;
                return;
            }
            _ => {
                // Nothing, past the attempt timeout, then a close.
                tokio::time::sleep(ATTEMPT_TIMEOUT * 3).await;
                return;
            }
        }
    }
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map(|entries| entries.count()).unwrap_or(0)
}

/// The process's resident memory now (Linux's `VmRSS`), in MiB.
fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let line = status.lines().find(|line| line.starts_with("VmRSS:")).unwrap_or("VmRSS: 0 kB");
    line.split_whitespace().nth(1).and_then(|kib| kib.parse::<f64>().ok()).unwrap_or(0.0) / 1024.0
}
