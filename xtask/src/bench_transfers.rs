//! `cargo xtask bench-transfers [MiB]`: large S3 transfers side by side, awsgen-s3-transfer and
//! aws-sdk-s3 with its transfer manager (aws-sdk-s3-transfer-manager), each a multipart upload
//! from a file and a ranged download to a file of the same bytes, through the same S3 stand-in on
//! 127.0.0.1, over HTTPS (as S3 is called; the test CA of tests/fixtures/tls) and plain HTTP
//! (where our client signs every chunk of an upload, as botocore signs the body), 8 MiB parts 8
//! at a time on both sides (and the transfer manager's own defaults too). Each transfer runs alone in a child process, so its peak RSS is its own; the
//! sides take turns, three rounds, and the time is the median of each side's three. The program is written under `target/bench-transfers/`, outside
//! the workspace (which never builds aws-sdk-s3), and built in release.

use crate::bench_build::{cargo, write_program};
use std::path::Path;

const PROGRAM: &str = r##"
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const PART: u64 = 8 << 20;
const CONCURRENCY: usize = 8;

/// The process's peak resident memory, in MiB (Linux's `VmHWM`).
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let line = status.lines().find(|line| line.starts_with("VmHWM:")).unwrap_or("VmHWM: 0 kB");
    line.split_whitespace().nth(1).and_then(|kib| kib.parse::<f64>().ok()).unwrap_or(0.0) / 1024.0
}

/// An S3 stand-in on 127.0.0.1 for an object of `size` bytes: PUT bodies (a PutObject's or a
/// part's) are read and dropped, multipart uploads created and completed, HEAD and (ranged) GET
/// answered with the object's bytes, `Expect: 100-continue` answered as S3 does.
async fn stand_in(size: u64, tls: Option<tokio_rustls::TlsAcceptor>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let url = match tls {
        Some(_) => format!("https://localhost:{port}"),
        None => format!("http://127.0.0.1:{port}"),
    };
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            match tls.clone() {
                Some(tls) => {
                    tokio::spawn(async move {
                        if let Ok(stream) = tls.accept(stream).await {
                            serve(stream, size).await;
                        }
                    });
                }
                None => {
                    tokio::spawn(serve(stream, size));
                }
            }
        }
    });
    url
}

/// The test CA's `localhost` certificate and key (tests/fixtures/tls, named by `AWSGEN_TLS`).
fn tls_acceptor() -> tokio_rustls::TlsAcceptor {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let dir = PathBuf::from(std::env::var("AWSGEN_TLS").unwrap());
    let chain = CertificateDer::pem_file_iter(dir.join("localhost.pem")).unwrap().collect::<Result<_, _>>().unwrap();
    let key = PrivateKeyDer::from_pem_file(dir.join("localhost.key.pem")).unwrap();
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config))
}

fn ca_pem() -> Vec<u8> {
    std::fs::read(PathBuf::from(std::env::var("AWSGEN_TLS").unwrap()).join("ca.pem")).unwrap()
}

async fn serve<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(mut stream: S, size: u64) {
    let mut buffer = vec![0u8; 256 * 1024];
    let mut held = Vec::new();
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
        held.drain(..end + 4);
        let header = |name: &str| head.lines().find_map(|l| l.strip_prefix(name)?.strip_prefix(':').map(str::trim));
        if header("expect") == Some("100-continue") && stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").await.is_err() {
            return;
        }
        let mut left = header("content-length").and_then(|n| n.parse::<usize>().ok()).unwrap_or(0);
        let taken = left.min(held.len());
        held.drain(..taken);
        left -= taken;
        while left > 0 {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(read) => left = left.saturating_sub(read),
            }
        }
        let request_line = head.lines().next().unwrap_or_default().to_owned();
        let xml = |body: &str| format!("HTTP/1.1 200 OK\r\ncontent-type: application/xml\r\ncontent-length: {}\r\n\r\n{body}", body.len());
        let (reply, body) = match request_line.split(' ').next().unwrap_or_default() {
            "put" => ("HTTP/1.1 200 OK\r\netag: \"e\"\r\ncontent-length: 0\r\n\r\n".to_owned(), 0),
            "post" if request_line.contains("?uploads") => (xml("<InitiateMultipartUploadResult><Bucket>bench</Bucket><Key>object</Key><UploadId>u</UploadId></InitiateMultipartUploadResult>"), 0),
            "post" => (xml("<CompleteMultipartUploadResult><Bucket>bench</Bucket><Key>object</Key><ETag>\"e-n\"</ETag></CompleteMultipartUploadResult>"), 0),
            "head" => (format!("HTTP/1.1 200 OK\r\netag: \"e\"\r\ncontent-length: {size}\r\nlast-modified: Mon, 07 Dec 2026 00:00:00 GMT\r\n\r\n"), 0),
            _ => {
                let range = header("range").and_then(|r| r.strip_prefix("bytes=")?.split_once('-'));
                let range = range.and_then(|(a, b)| Some((a.parse::<u64>().ok()?, b.parse::<u64>().ok()?.min(size - 1))));
                match range {
                    Some((first, last)) => (format!("HTTP/1.1 206 Partial Content\r\netag: \"e\"\r\ncontent-range: bytes {first}-{last}/{size}\r\ncontent-length: {}\r\n\r\n", last + 1 - first), last + 1 - first),
                    None => (format!("HTTP/1.1 200 OK\r\netag: \"e\"\r\ncontent-length: {size}\r\n\r\n"), size),
                }
            }
        };
        if stream.write_all(reply.as_bytes()).await.is_err() {
            return;
        }
        let chunk = vec![7u8; 1 << 20];
        let mut left = body;
        while left > 0 {
            let piece = left.min(chunk.len() as u64) as usize;
            if stream.write_all(&chunk[..piece]).await.is_err() {
                return;
            }
            left -= piece as u64;
        }
        // TLS holds what it has not yet written out until asked.
        if stream.flush().await.is_err() {
            return;
        }
    }
}

/// One transfer in this process: `side` is `awsgen`, `aws-sdk` (8 MiB × 8) or `aws-sdk-defaults`.
async fn transfer(side: &str, direction: &str, url: &str, file: &Path) -> Duration {
    let started = Instant::now();
    if side == "awsgen" {
        let config = awsgen_runtime::Config::builder()
            .region("us-east-1")
            .credentials(awsgen_runtime::Credentials::new("AKIDEXAMPLE", "secret", None))
            .endpoint_url(url)
            .ca_bundle(awsgen_runtime::http::CaBundle::from_pem(&ca_pem()).unwrap())
            .build();
        let transfers = awsgen_s3_transfer::Transfers::new(awsgen_s3::Client::new(config)).part_size(PART).concurrency(CONCURRENCY);
        match direction {
            "up" => { transfers.upload_file("bench", "object", file).await.unwrap(); }
            _ => { transfers.download_file("bench", "object", file).await.unwrap(); }
        }
        return started.elapsed();
    }
    use aws_smithy_http_client::tls;
    let trust = tls::TrustStore::empty().with_pem_certificate(ca_pem());
    let https = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::AwsLc))
        .tls_context(tls::TlsContext::builder().with_trust_store(trust).build().unwrap())
        .build_https();
    let s3 = aws_sdk_s3::Config::builder()
        .http_client(https)
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_s3::config::Credentials::new("AKIDEXAMPLE", "secret", None, None, "bench"))
        .endpoint_url(url)
        .force_path_style(true)
        .build();
    let mut config = aws_sdk_s3_transfer_manager::Config::builder().client(aws_sdk_s3::Client::from_conf(s3));
    if side == "aws-sdk" {
        use aws_sdk_s3_transfer_manager::types::{ConcurrencyMode, PartSize};
        config = config.part_size(PartSize::Target(PART)).concurrency(ConcurrencyMode::Explicit(CONCURRENCY));
    }
    let manager = aws_sdk_s3_transfer_manager::Client::new(config.build());
    match direction {
        "up" => {
            let body = aws_sdk_s3_transfer_manager::io::InputStream::from_path(file).unwrap();
            manager.upload().bucket("bench").key("object").body(body).initiate().unwrap().join().await.unwrap();
        }
        _ => {
            let handle = manager.download().bucket("bench").key("object").write_to_path(file).await.unwrap();
            handle.join().await.unwrap();
        }
    }
    started.elapsed()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    if args.first().map(String::as_str) == Some("child") {
        let [_, side, direction, url, file] = args.as_slice() else { panic!("child <side> <up|down> <url> <file>") };
        let time = runtime.block_on(transfer(side, direction, url, Path::new(file)));
        println!("{}|{}", time.as_secs_f64(), peak_rss_mib());
        return;
    }
    let mib: u64 = args.first().and_then(|n| n.parse().ok()).unwrap_or(1024);
    let size = mib << 20;
    let dir = PathBuf::from("data");
    std::fs::create_dir_all(&dir).unwrap();
    let source = dir.join("upload.bin");
    {
        use std::io::Write;
        let mut file = std::io::BufWriter::new(std::fs::File::create(&source).unwrap());
        let chunk: Vec<u8> = (0..1u32 << 20).map(|i| (i % 251) as u8).collect();
        for _ in 0..mib {
            file.write_all(&chunk).unwrap();
        }
    }
    let urls = [("https", runtime.block_on(stand_in(size, Some(tls_acceptor())))), ("http", runtime.block_on(stand_in(size, None)))];
    let _serving = std::thread::spawn(move || runtime.block_on(std::future::pending::<()>()));
    for (scheme, url) in &urls {
    // Round robin, the dirty pages of each run written out before the next: no side runs
    // behind another's writeback.
    let sides = ["awsgen", "aws-sdk", "aws-sdk-defaults"];
    for direction in ["up", "down"] {
        let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new(); sides.len()];
        for _ in 0..3 {
            for (side, runs) in sides.iter().zip(&mut runs) {
                let file = if direction == "up" { source.clone() } else { dir.join(format!("download-{side}.bin")) };
                let _ = std::process::Command::new("sync").status();
                let output = std::process::Command::new(std::env::current_exe().unwrap())
                    .args(["child", side, direction, url, &file.display().to_string()])
                    .output()
                    .unwrap();
                assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
                let line = String::from_utf8_lossy(&output.stdout).trim().to_owned();
                let (time, rss) = line.split_once('|').unwrap();
                runs.push((time.parse().unwrap(), rss.parse().unwrap()));
                if direction == "down" {
                    assert_eq!(std::fs::metadata(&file).unwrap().len(), size, "{side} downloaded the whole object");
                    std::fs::remove_file(&file).unwrap();
                }
            }
        }
        for (side, mut runs) in sides.iter().zip(runs) {
            runs.sort_by(|a, b| a.0.total_cmp(&b.0));
            let peak = runs.iter().map(|run| run.1).fold(0.0, f64::max);
            println!("{scheme}|{direction}|{side}|{mib}|{}|{peak}", runs[1].0);
        }
    }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
"##;

/// One side's transfer in one direction.
pub struct Row {
    pub scheme: String,
    pub direction: String,
    pub side: String,
    pub mib: u64,
    /// The median of three runs.
    pub seconds: f64,
    /// The largest of the three runs' peaks.
    pub peak_rss_mib: f64,
}

pub fn run(root: &Path, mib: u64) -> Result<Vec<Row>, String> {
    let dir = root.join("target/bench-transfers");
    let path = |crate_dir: &str| root.join(crate_dir).canonicalize().map(|p| p.display().to_string());
    let missing = |e: std::io::Error| format!("error: {e}");
    let dependencies = format!(
        "awsgen-runtime = {{ path = {:?} }}\nawsgen-s3 = {{ path = {:?} }}\nawsgen-s3-transfer = {{ path = {:?} }}\n\
         aws-sdk-s3 = {{ version = \"1\", features = [\"behavior-version-latest\"] }}\n\
         aws-sdk-s3-transfer-manager = \"0.3\"\ntokio = {{ version = \"1\", features = [\"full\"] }}\n\
         aws-smithy-http-client = {{ version = \"1\", features = [\"rustls-aws-lc\"] }}\n\
         rustls = {{ version = \"0.23\", default-features = false, features = [\"ring\", \"std\", \"tls12\"] }}\n\
         tokio-rustls = {{ version = \"0.26\", default-features = false, features = [\"ring\", \"tls12\"] }}\n",
        path("runtime").map_err(missing)?,
        path("generated/s3").map_err(missing)?,
        path("s3-transfer").map_err(missing)?,
    );
    write_program(&dir, &dependencies, PROGRAM)?;
    let target = dir.join("target");
    cargo(&dir, &["build", "--release", "--quiet"], Some(&target))?;
    let binary = target.join("release/list-jobs");
    let output = std::process::Command::new(&binary)
        .arg(mib.to_string())
        .current_dir(&dir)
        .env("AWSGEN_TLS", root.join("tests/fixtures/tls"))
        .output()
        .map_err(|e| format!("error: cannot run: {e}"))?;
    if !output.status.success() {
        return Err(format!("error: {} failed:\n{}", binary.display(), String::from_utf8_lossy(&output.stderr)));
    }
    let rows = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| {
            let [scheme, direction, side, mib, seconds, peak] = line.split('|').collect::<Vec<_>>().try_into().ok()?;
            Some(Row {
                scheme: scheme.to_owned(),
                direction: direction.to_owned(),
                side: side.to_owned(),
                mib: mib.parse().ok()?,
                seconds: seconds.parse().ok()?,
                peak_rss_mib: peak.parse().ok()?,
            })
        })
        .collect();
    Ok(rows)
}

pub fn print(rows: &[Row]) {
    println!("| transfer | over | client | time (median of 3) | MiB/s | peak RSS |");
    println!("|---|---|---|---:|---:|---:|");
    for row in rows {
        let client = match row.side.as_str() {
            "awsgen" => "awsgen-s3-transfer (8 MiB parts, 8 at a time)",
            "aws-sdk" => "aws-sdk-s3 + aws-sdk-s3-transfer-manager (8 MiB parts, 8 at a time)",
            _ => "aws-sdk-s3 + aws-sdk-s3-transfer-manager (its defaults)",
        };
        let transfer = if row.direction == "up" { "multipart upload from a file" } else { "ranged download to a file" };
        println!(
            "| {} MiB {transfer} | {} | {client} | {:.2} s | {:.0} | {:.1} MiB |",
            row.mib,
            row.scheme.to_uppercase(),
            row.seconds,
            row.mib as f64 / row.seconds,
            row.peak_rss_mib
        );
    }
}
