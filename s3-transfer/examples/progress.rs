//! Uploads a file to S3, or downloads an object to a file, with a progress bar.
//!
//! ```text
//! cargo run -p awsgen-s3-transfer --example progress -- up   <bucket> <key> <file>
//! cargo run -p awsgen-s3-transfer --example progress -- down <bucket> <key> <file>
//! ```
//!
//! Region, credentials and endpoint come from the usual places (`AWS_REGION`, `AWS_PROFILE`,
//! `AWS_ENDPOINT_URL` for MinIO, LocalStack or moto, ...).

use awsgen_s3_transfer::{Progress, Transfers};
use std::io::Write;
use std::time::Instant;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [direction, bucket, key, file] = args.as_slice() else {
        return Err("usage: progress up|down <bucket> <key> <file>".into());
    };
    let client = awsgen_s3::Client::new(awsgen_config::load().await);
    let started = Instant::now();
    let transfers = Transfers::new(client).on_progress(move |progress| draw(progress, started));
    let done = match direction.as_str() {
        "up" => transfers.upload_file(bucket, key, file).await?,
        "down" => transfers.download_file(bucket, key, file).await?,
        other => return Err(format!("{other:?}: up or down").into()),
    };
    eprintln!("\n{} bytes in {} part(s), ETag {}", done.bytes, done.parts, done.e_tag.unwrap_or_default());
    Ok(())
}

/// `[##########..........]  50%  512.0 of 1024.0 MiB  210.3 MiB/s`, redrawn in place.
fn draw(progress: Progress, started: Instant) {
    const WIDTH: u64 = 30;
    let mib = |bytes: u64| bytes as f64 / (1 << 20) as f64;
    let total = progress.total.unwrap_or(progress.done).max(1);
    let filled = (progress.done * WIDTH / total).min(WIDTH) as usize;
    let bar = format!("{}{}", "#".repeat(filled), ".".repeat(WIDTH as usize - filled));
    let rate = mib(progress.done) / started.elapsed().as_secs_f64().max(1e-3);
    let percent = progress.done * 100 / total;
    let line = format!("[{bar}] {percent:>3}%  {:.1} of {:.1} MiB  {rate:.1} MiB/s", mib(progress.done), mib(total));
    let mut stderr = std::io::stderr().lock();
    let _ = write!(stderr, "\r{line}");
    let _ = stderr.flush();
}
