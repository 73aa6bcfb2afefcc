//! `cargo xtask bench-eventstream`: event stream decoding side by side, our
//! `awsgen_runtime::eventstream::Decoder` and aws-sdk-rust's `aws-smithy-eventstream`
//! `MessageFrameDecoder`, on the same bytes in the same process, fed in 16 KiB reads as a socket
//! gives them. The program is written under `target/bench-eventstream/`, outside the workspace
//! (so the workspace never builds aws-smithy-eventstream), and built in release.

use crate::bench_build::{cargo, write_program};
use std::path::Path;

const PROGRAM: &str = r##"
use std::time::{Duration, Instant};

/// `runs` timings of `f`, the median.
fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs).map(|_| { let t = Instant::now(); f(); t.elapsed() }).collect();
    times.sort();
    times[runs / 2]
}

fn ours(stream: &[u8]) -> usize {
    let mut decoder = awsgen_runtime::eventstream::Decoder::new();
    let mut events = 0;
    for read in stream.chunks(16 * 1024) {
        decoder.push(read);
        while let Some(message) = decoder.next_message().unwrap() {
            std::hint::black_box(&message);
            events += 1;
        }
    }
    decoder.finish().unwrap();
    events
}

fn theirs(stream: &[u8]) -> usize {
    use aws_smithy_eventstream::frame::{DecodedFrame, MessageFrameDecoder};
    let mut decoder = MessageFrameDecoder::new();
    let mut buffer = bytes::BytesMut::new();
    let mut events = 0;
    for read in stream.chunks(16 * 1024) {
        buffer.extend_from_slice(read);
        while let DecodedFrame::Complete(message) = decoder.decode_frame(&mut buffer).unwrap() {
            std::hint::black_box(&message);
            events += 1;
        }
    }
    events
}

/// `count` events of the given type, each with this payload, framed by our encoder.
fn stream(count: usize, event_type: &str, payload: impl Fn(usize) -> Vec<u8>) -> Vec<u8> {
    use awsgen_runtime::eventstream::{Header, HeaderValue, Message};
    let text = |value: &str| HeaderValue::String(value.to_owned());
    (0..count)
        .flat_map(|i| {
            let message = Message {
                headers: vec![
                    Header::new(":message-type", text("event")),
                    Header::new(":event-type", text(event_type)),
                    Header::new(":content-type", text("application/json")),
                ],
                payload: payload(i).into(),
            };
            message.encode().unwrap().to_vec()
        })
        .collect()
}

fn main() {
    let workloads = [
        ("ConverseStream text deltas", 100_000, stream(100_000, "contentBlockDelta", |i| {
            format!(r#"{{"contentBlockIndex":0,"delta":{{"text":"token {i} of a model's answer, as it streams"}}}}"#).into_bytes()
        })),
        ("32 KiB audio chunks", 2_000, stream(2_000, "audioEvent", |i| vec![i as u8; 32 * 1024])),
    ];
    for (name, count, bytes) in &workloads {
        assert_eq!(ours(bytes), *count);
        assert_eq!(theirs(bytes), *count);
        for (decoder, time) in [("awsgen", median(11, || { ours(bytes); })), ("aws-smithy-eventstream", median(11, || { theirs(bytes); }))] {
            let seconds = time.as_secs_f64();
            println!("{name}|{decoder}|{}|{count}|{}", bytes.len(), seconds);
        }
    }
}
"##;

/// One decoder on one workload.
pub struct Row {
    pub workload: String,
    pub decoder: String,
    pub bytes: usize,
    pub events: usize,
    pub seconds: f64,
}

pub fn run(root: &Path) -> Result<Vec<Row>, String> {
    let dir = root.join("target/bench-eventstream");
    let runtime = root.join("runtime").canonicalize().map_err(|e| format!("error: {e}"))?;
    let dependencies = format!(
        "awsgen-runtime = {{ path = {:?} }}\naws-smithy-eventstream = \"0.60\"\nbytes = \"1\"\n",
        runtime.display().to_string()
    );
    write_program(&dir, &dependencies, PROGRAM)?;
    let target = dir.join("target");
    cargo(&dir, &["build", "--release", "--quiet"], Some(&target))?;
    let binary = target.join("release/list-jobs");
    let output = std::process::Command::new(&binary).output().map_err(|e| format!("error: cannot run: {e}"))?;
    if !output.status.success() {
        return Err(format!("error: {} failed:\n{}", binary.display(), String::from_utf8_lossy(&output.stderr)));
    }
    let rows = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| {
            let [workload, decoder, bytes, events, seconds] = line.split('|').collect::<Vec<_>>().try_into().ok()?;
            Some(Row {
                workload: workload.to_owned(),
                decoder: decoder.to_owned(),
                bytes: bytes.parse().ok()?,
                events: events.parse().ok()?,
                seconds: seconds.parse().ok()?,
            })
        })
        .collect();
    Ok(rows)
}

pub fn print(rows: &[Row]) {
    println!("| workload | decoder | bytes | median | MB/s | events/s |");
    println!("|---|---|---:|---:|---:|---:|");
    for row in rows {
        println!(
            "| {} | {} | {} | {:.2} ms | {:.0} | {:.0} |",
            row.workload,
            row.decoder,
            row.bytes,
            row.seconds * 1e3,
            row.bytes as f64 / row.seconds / 1e6,
            row.events as f64 / row.seconds
        );
    }
}
