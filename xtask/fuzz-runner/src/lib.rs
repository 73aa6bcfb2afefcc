//! Linked into the scratch crate of `cargo xtask fuzz-responses`: the mutation loop, the counting allocator, the panic, time and memory checks, the
//! failure report and the summary. The emitted `main.rs` lists the operations and calls [`main`].
//!
//! Every iteration draws its case from an RNG seeded with (seed, iteration) alone, so
//! `--seed S --iteration I` rebuilds exactly the response iteration I of a run sent.

use serde_json::{Map, Value};
use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt::{self, Write as _};
use std::future::Future;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// The body size limit the client is given (`HttpResponse::read`): small, so the too-large path
/// is taken often.
pub const BODY_LIMIT: usize = 1024 * 1024;
/// One execution may take this long before it counts as a hang.
const SLOW: Duration = Duration::from_secs(2);
/// An execution still running after this long is stuck: the watchdog ends the process.
const STUCK: Duration = Duration::from_secs(20);
const MEMORY_FLOOR: usize = 64 * 1024 * 1024;
const MEMORY_FACTOR: usize = 32;

/// One operation of one generated crate, as the emitted `main.rs` lists it.
pub struct Op {
    /// `<package>/<Operation>`, as in `seeds.json`.
    pub key: &'static str,
    pub krate: &'static str,
    /// What the client does with a response that was read: parse the output (2xx) or the error,
    /// then format the result.
    pub run: fn(&awsgen_runtime::http::Response, &mut Sink) -> Outcome,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    ParseError,
    ServiceError { modeled: bool },
    TooLarge,
}

/// Where results are formatted to: counts the text, keeps none of it.
#[derive(Default)]
pub struct Sink(pub usize);

impl fmt::Write for Sink {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        self.0 = self.0.wrapping_add(text.len());
        Ok(())
    }
}

/// `{:?}` of a value.
pub fn show<T: fmt::Debug + ?Sized>(sink: &mut Sink, value: &T) {
    let _ = write!(sink, "{value:?}");
}

/// `{:?}` and `{}` of an error.
pub fn show_error<T: fmt::Debug + fmt::Display + ?Sized>(sink: &mut Sink, value: &T) {
    let _ = write!(sink, "{value:?}\n{value}");
}

// ---------------------------------------------------------------------------------------------
// Memory: a counting allocator. During an execution an allocation that would take the
// execution's memory over its limit ends the process with a report, before it is made.

struct Counting;

#[global_allocator]
static ALLOCATOR: Counting = Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static MEASURING: AtomicBool = AtomicBool::new(false);
static BASE: AtomicUsize = AtomicUsize::new(0);
static LIMIT: AtomicUsize = AtomicUsize::new(usize::MAX);
static TRIPPED: AtomicBool = AtomicBool::new(false);

fn before_growing(bytes: usize) {
    if MEASURING.load(Relaxed) {
        let used = CURRENT.load(Relaxed).saturating_sub(BASE.load(Relaxed)).saturating_add(bytes);
        if used > LIMIT.load(Relaxed) && !TRIPPED.swap(true, Relaxed) {
            MEASURING.store(false, Relaxed);
            let detail = format!(
                "an allocation of {bytes} bytes would take this execution to {used} bytes, over its limit of {} bytes",
                LIMIT.load(Relaxed)
            );
            die("unbounded memory", &detail);
        }
    }
}

fn grown(bytes: usize) {
    let now = CURRENT.fetch_add(bytes, Relaxed) + bytes;
    PEAK.fetch_max(now, Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        before_growing(layout.size());
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            grown(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        before_growing(layout.size());
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            grown(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            before_growing(new_size - layout.size());
        }
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            if new_size > layout.size() {
                grown(new_size - layout.size());
            } else {
                CURRENT.fetch_sub(layout.size() - new_size, Relaxed);
            }
        }
        new
    }
}

// ---------------------------------------------------------------------------------------------
// What is running now, for the reports made from the allocator and the watchdog.

struct Running {
    seed: u64,
    iteration: u64,
    case: Arc<Case>,
}

static RUNNING: Mutex<Option<Running>> = Mutex::new(None);
static SETTINGS: OnceLock<Settings> = OnceLock::new();
static STARTED: OnceLock<Instant> = OnceLock::new();
/// Milliseconds since `STARTED` at which the running execution began, plus one; 0 when idle.
static EXECUTION_SINCE: AtomicU64 = AtomicU64::new(0);
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

struct Settings {
    ops: &'static [Op],
    crashes: PathBuf,
}

fn millis() -> u64 {
    STARTED.get_or_init(Instant::now).elapsed().as_millis() as u64
}

/// Reports the running case and ends the process at once (from the allocator or the watchdog).
fn die(kind: &str, detail: &str) -> ! {
    let running = RUNNING.try_lock().ok().and_then(|r| r.as_ref().map(|r| (r.seed, r.iteration, r.case.clone())));
    match (running, SETTINGS.get()) {
        (Some((seed, iteration, case)), Some(settings)) => {
            report(settings, kind, detail, seed, iteration, &case);
        }
        _ => eprintln!("FAILED: {kind}: {detail} (the running case is unknown)"),
    }
    let _ = std::io::stderr().flush();
    std::process::abort();
}

// ---------------------------------------------------------------------------------------------
// Cases: a seed response and its mutations.

/// A response to run through an operation.
#[derive(Debug, Clone)]
pub struct Case {
    pub op: usize,
    /// The seed it was made from.
    pub label: String,
    pub status: u16,
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
}

impl Case {
    fn size(&self) -> usize {
        self.body.len() + self.headers.iter().map(|(n, v)| n.len() + v.len() + 4).sum::<usize>()
    }

    fn response(&self) -> awsgen_runtime::http::HttpResponse {
        let mut headers = http::HeaderMap::new();
        for (name, value) in &self.headers {
            if let (Ok(name), Ok(value)) =
                (http::HeaderName::from_bytes(name.as_bytes()), http::HeaderValue::from_bytes(value))
            {
                headers.append(name, value);
            }
        }
        awsgen_runtime::http::HttpResponse {
            status: self.status,
            headers,
            body: bytes::Bytes::from(self.body.clone()).into(),
        }
    }
}

struct Seed {
    op: usize,
    label: String,
    status: u16,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
    json: Option<Value>,
}

fn load_seeds(path: &Path, ops: &[Op]) -> Vec<Seed> {
    let text = std::fs::read(path).unwrap_or_else(|e| fail_setup(&format!("cannot read {}: {e}", path.display())));
    let list: Vec<Value> = serde_json::from_slice(&text).unwrap_or_else(|e| fail_setup(&format!("seeds: {e}")));
    list.iter()
        .map(|seed| {
            let key = seed["op"].as_str().unwrap_or_default();
            let op =
                ops.iter().position(|op| op.key == key).unwrap_or_else(|| fail_setup(&format!("no operation {key}")));
            let body = match seed["frames"].as_array() {
                Some(frames) => event_stream(frames),
                None => seed["body"].as_str().unwrap_or_default().as_bytes().to_vec(),
            };
            let headers = seed["headers"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|pair| {
                    (
                        pair[0].as_str().unwrap_or_default().to_owned(),
                        pair[1].as_str().unwrap_or_default().as_bytes().to_vec(),
                    )
                })
                .collect();
            Seed {
                op,
                label: seed["label"].as_str().unwrap_or_default().to_owned(),
                status: seed["status"].as_u64().unwrap_or(200) as u16,
                headers,
                json: serde_json::from_slice(&body).ok(),
                body,
            }
        })
        .collect()
}

/// A seed's event stream messages, each encoded as its frame.
fn event_stream(frames: &[Value]) -> Vec<u8> {
    use awsgen_runtime::eventstream::{Header, HeaderValue, Message};
    let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
    let message = |frame: &Value| Message {
        headers: frame["headers"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|pair| Header::new(text(&pair[0]), HeaderValue::String(text(&pair[1]))))
            .collect(),
        payload: text(&frame["payload"]).into(),
    };
    let encoded = frames.iter().map(|frame| message(frame).encode());
    encoded.collect::<Result<Vec<_>, _>>().unwrap_or_else(|e| fail_setup(&format!("seed frame: {e}"))).concat()
}

fn fail_setup(why: &str) -> ! {
    eprintln!("error: {why}");
    std::process::exit(2);
}

/// Seed indexes by crate, then by operation.
fn index(seeds: &[Seed], ops: &[Op]) -> Vec<Vec<Vec<usize>>> {
    let mut crates: Vec<&str> = ops.iter().map(|op| op.krate).collect();
    crates.dedup();
    crates
        .iter()
        .map(|krate| {
            ops.iter()
                .enumerate()
                .filter(|(_, op)| op.krate == *krate)
                .map(|(i, _)| seeds.iter().enumerate().filter(|(_, s)| s.op == i).map(|(j, _)| j).collect::<Vec<_>>())
                .filter(|seeds: &Vec<usize>| !seeds.is_empty())
                .collect::<Vec<_>>()
        })
        .filter(|ops: &Vec<Vec<usize>>| !ops.is_empty())
        .collect()
}

/// splitmix64 of the run seed and the iteration: each iteration's RNG stands alone.
fn iteration_seed(seed: u64, iteration: u64) -> u64 {
    let mut z = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ iteration.wrapping_add(0xD1B5_4A32_D192_ED03);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

struct Mutator<'a> {
    rng: fastrand::Rng,
    seeds: &'a [Seed],
    /// Header names the seeds of this operation carry.
    names: Vec<String>,
    /// Text that replaces a marker string once the JSON is written.
    raw: Vec<Vec<u8>>,
}

const COMMON_STATUSES: &[u16] = &[
    100, 200, 201, 202, 204, 206, 299, 300, 301, 302, 304, 307, 400, 401, 403, 404, 405, 408, 409, 410, 413, 415, 429,
    499, 500, 501, 502, 503, 504, 599,
];

const PROTOCOL_HEADERS: &[&str] = &[
    "x-amzn-errortype",
    "x-amzn-query-error",
    "x-amzn-requestid",
    "x-amz-request-id",
    "x-amz-id-2",
    "content-length",
    "content-type",
    "content-encoding",
    "transfer-encoding",
    "date",
    "etag",
];

const JUNK_HEADER_VALUES: &[&str] = &[
    "",
    " ",
    "\t",
    "a",
    "-1",
    "0",
    "1",
    "+5",
    "0x10",
    "1e10",
    "1.5",
    "NaN",
    "-Infinity",
    "2147483648",
    "-2147483649",
    "9223372036854775808",
    "99999999999999999999999999999",
    "true",
    "TRUE",
    "yes",
    "Thu, 01 Jan 1970 00:00:00 GMT",
    "Mon, 99 Foo 2019 25:61:61 GMT",
    "Fri, 31 Dec 9999 23:59:59 GMT",
    "Sun, 06 Nov 1994 08:49:37 GMT, Sun, 06 Nov 1994 08:49:37 GMT, Sun",
    "2024-01-02T03:04:05Z",
    "2024-13-45T25:61:61.9999999999Z",
    "+275760-09-13T00:00:00Z",
    "1704164645.123456789",
    "-62135596801",
    "NotFoundException",
    "ns#Code:http://internal/x",
    ":",
    "#",
    "::##::",
    "a#b#c:d:e",
    "Code;",
    ";Sender",
    ";",
    ";;;",
    "AWS.X.Y;Sender;extra",
    "InternalFailure;Receiver",
    "ThrottlingException",
    ",,,",
    "a,b",
    "\"a,b\",c",
    "\"unterminated",
    "\\",
    "\"\\\"\"",
    "\"\\",
    "====",
    "e30=",
    "bm90IGpzb24=",
    "!!!",
    "é",
    "🦀",
    "application/json",
    "text/html",
    "gzip",
    "chunked",
];

const INTERESTING_KEYS: &[&str] = &[
    "__type",
    "code",
    "Code",
    "message",
    "Message",
    "errorMessage",
    "nextToken",
    "NextToken",
    "SDK_UNKNOWN_MEMBER",
    "",
    "\u{0}",
    "é",
];

impl Mutator<'_> {
    fn case(&mut self, seed: &Seed) -> Case {
        let mut case = Case {
            op: seed.op,
            label: seed.label.clone(),
            status: seed.status,
            headers: seed.headers.clone(),
            body: seed.body.clone(),
        };
        // Some seeds go through as recorded.
        if self.rng.u8(..8) == 0 {
            return case;
        }
        let (mut status, mut headers, mut json, mut bytes, mut large) = (0, 0, 0, 0, 0);
        for _ in 0..self.rng.usize(1..=4) {
            match self.rng.u8(..40) {
                0..=5 => status += 1,
                6..=15 => headers += 1,
                16..=31 => json += 1,
                32..=38 => bytes += 1,
                _ => large += 1,
            }
        }
        for _ in 0..status {
            case.status = if self.rng.bool() {
                self.rng.choice(COMMON_STATUSES.iter().copied()).unwrap_or(200)
            } else {
                self.rng.u16(100..1000)
            };
        }
        let mut body = seed.body.clone();
        if json > 0 {
            match &seed.json {
                Some(value) if self.rng.u8(..8) != 0 => {
                    let mut value = value.clone();
                    for _ in 0..json {
                        self.mutate_json(&mut value, seed.op);
                    }
                    body = self.write_json(&value);
                }
                _ => bytes += json,
            }
        }
        for _ in 0..bytes {
            self.mutate_bytes(&mut body);
        }
        for _ in 0..large {
            self.too_large(&mut body, &mut case.headers);
        }
        // Mostly, the length header tells the truth about the mutated body.
        if self.rng.bool() {
            for (name, value) in &mut case.headers {
                if name.eq_ignore_ascii_case("content-length") {
                    *value = body.len().to_string().into_bytes();
                }
            }
        }
        case.body = body;
        for _ in 0..headers {
            self.mutate_headers(&mut case.headers, case.body.len());
        }
        case
    }

    fn header_value(&mut self, body_len: usize) -> Vec<u8> {
        match self.rng.u8(..12) {
            0 => (0..self.rng.usize(1..16)).map(|_| self.rng.u8(0x80..=0xff)).collect(),
            1 => {
                let unit = self
                    .rng
                    .choice([&b"A"[..], b",", b"\"", b"a,", b"\\\"", b"\xff", b"Thu, 01 Jan 1970 00:00:00 GMT, "])
                    .unwrap_or(b"A");
                // hyper reads at most ~400 KiB of response head.
                let size = if self.rng.u8(..8) == 0 {
                    self.rng.usize(64 * 1024..256 * 1024)
                } else {
                    self.rng.usize(256..16 * 1024)
                };
                unit.iter().copied().cycle().take(size).collect()
            }
            2 => {
                // A length that lies about the body.
                let lie = match self.rng.u8(..6) {
                    0 => body_len.saturating_add(1).to_string(),
                    1 => body_len.saturating_sub(1).to_string(),
                    2 => (BODY_LIMIT + self.rng.usize(0..2)).to_string(),
                    3 => u64::MAX.to_string(),
                    4 => "18446744073709551616".to_owned(),
                    _ => "-1".to_owned(),
                };
                lie.into_bytes()
            }
            3 => {
                let mut text: Vec<u8> = self.rng.choice(JUNK_HEADER_VALUES.iter()).unwrap_or(&"").as_bytes().to_vec();
                text.push(self.rng.u8(0x80..=0xff));
                text
            }
            4 => (0..self.rng.usize(1..40)).map(|_| self.rng.u8(0x20..0x7f)).collect(),
            _ => self.rng.choice(JUNK_HEADER_VALUES.iter()).unwrap_or(&"").as_bytes().to_vec(),
        }
    }

    fn header_name(&mut self) -> String {
        match self.rng.u8(..6) {
            0 | 1 => self.rng.choice(self.names.iter()).cloned().unwrap_or_else(|| "x-custom".to_owned()),
            2 => (0..self.rng.usize(1..12)).map(|_| self.rng.lowercase()).collect(),
            3 => {
                // A prefix header with a random suffix.
                let base = self.rng.choice(self.names.iter()).cloned().unwrap_or_default();
                format!("{base}{}", (0..self.rng.usize(0..6)).map(|_| self.rng.lowercase()).collect::<String>())
            }
            _ => self.rng.choice(PROTOCOL_HEADERS.iter()).unwrap_or(&"x-amzn-errortype").to_string(),
        }
    }

    fn mutate_headers(&mut self, headers: &mut Vec<(String, Vec<u8>)>, body_len: usize) {
        match self.rng.u8(..8) {
            0 if !headers.is_empty() => {
                let at = self.rng.usize(..headers.len());
                headers.remove(at);
            }
            1 if !headers.is_empty() => {
                let at = self.rng.usize(..headers.len());
                let copy = headers[at].clone();
                headers.insert(self.rng.usize(..=headers.len()), copy);
            }
            2 if !headers.is_empty() => {
                let at = self.rng.usize(..headers.len());
                headers[at].1 = self.header_value(body_len);
            }
            3 | 4 if !headers.is_empty() => {
                let at = self.rng.usize(..headers.len());
                let mut value = std::mem::take(&mut headers[at].1);
                for _ in 0..self.rng.usize(1..=3) {
                    self.mutate_text(&mut value);
                }
                // Only what a header value may hold: no control characters.
                for byte in &mut value {
                    if (*byte < 0x20 && *byte != b'\t') || *byte == 0x7f {
                        *byte = b' ';
                    }
                }
                headers[at].1 = value;
            }
            _ => {
                let name = self.header_name();
                let value = self.header_value(body_len);
                headers.push((name, value));
            }
        }
    }

    /// An edit inside a text value: runs of digits (numbers that overflow), repeated chunks,
    /// multibyte characters where ASCII is expected, cuts.
    fn mutate_text(&mut self, text: &mut Vec<u8>) {
        let at = self.rng.usize(..=text.len());
        match self.rng.u8(..8) {
            0 | 1 => {
                let digits: Vec<u8> = (0..self.rng.usize(1..30)).map(|_| self.rng.u8(b'0'..=b'9')).collect();
                text.splice(at..at, digits);
            }
            2 if at < text.len() => {
                let end = (at + self.rng.usize(1..16)).min(text.len());
                let chunk = text[at..end].to_vec();
                for _ in 0..self.rng.usize(1..16) {
                    text.splice(end..end, chunk.iter().copied());
                }
            }
            3 if at < text.len() => {
                let end = (at + self.rng.usize(1..8)).min(text.len());
                text.drain(at..end);
            }
            4 => {
                let wide = ["é", "🦀", "\u{0}", "\u{200b}", "\u{feff}", "٣"];
                let chosen = self.rng.choice(wide.iter()).unwrap_or(&"é");
                text.splice(at..at, chosen.bytes());
            }
            5 => text.truncate(at),
            _ => {
                let marks: &[&[u8]] =
                    &[b"-", b"+", b":", b".", b",", b" ", b"\"", b"\\", b"#", b";", b"T", b"Z", b"GMT", b"="];
                let chosen: &[u8] = self.rng.choice(marks.iter().copied()).unwrap_or(b"-");
                text.splice(at..at, chosen.iter().copied());
            }
        }
    }

    fn too_large(&mut self, body: &mut Vec<u8>, headers: &mut Vec<(String, Vec<u8>)>) {
        match self.rng.u8(..3) {
            // Padding: the body ends at, just under or just over the limit.
            0 => {
                let target = BODY_LIMIT + self.rng.usize(0..3) - 1;
                if body.len() < target {
                    body.resize(target, b' ');
                }
            }
            1 => headers
                .push(("content-length".to_owned(), (BODY_LIMIT + self.rng.usize(1..1000)).to_string().into_bytes())),
            _ => {
                // A huge JSON string body.
                let size = self.rng.usize(BODY_LIMIT - 16..BODY_LIMIT + 16);
                let mut text = Vec::with_capacity(size + 8);
                text.extend_from_slice(b"{\"a\":\"");
                text.resize(size - 2, b'x');
                text.extend_from_slice(b"\"}");
                *body = text;
            }
        }
    }

    fn mutate_bytes(&mut self, bytes: &mut Vec<u8>) {
        if bytes.is_empty() || self.rng.u8(..16) == 0 {
            let whole: &[&[u8]] = &[
                b"",
                b"   \r\n\t",
                b"null",
                b"[]",
                b"\"text\"",
                b"12",
                b"{",
                b"}",
                b"{}{}",
                b"not json at all",
                b"<html><body>Bad Gateway</body></html>",
                b"  <HTML>",
                b"\xef\xbb\xbf{}",
                b"\xff\xfe{\x00}\x00",
                b"{\"__type\":",
                b"{\"message\":\"\\ud800\"}",
            ];
            *bytes = self.rng.choice(whole.iter().copied()).unwrap_or(b"").to_vec();
            return;
        }
        let at = self.rng.usize(..bytes.len());
        match self.rng.u8(..8) {
            0 => bytes[at] ^= 1 << self.rng.u8(..8),
            1 => bytes[at] = self.rng.u8(..),
            2 => {
                let insert: &[&[u8]] = &[
                    b"{",
                    b"}",
                    b"[",
                    b"]",
                    b"\"",
                    b",",
                    b":",
                    b"0",
                    b"\\",
                    b"\\u",
                    b"\xff",
                    b"\x00",
                    b"\xe2\x82",
                    b"\xc3\xa9",
                    b"-",
                    b"e",
                    b" ",
                    b"null",
                ];
                let chunk: &[u8] = self.rng.choice(insert.iter().copied()).unwrap_or(b" ");
                bytes.splice(at..at, chunk.iter().copied());
            }
            3 => {
                let end = (at + self.rng.usize(1..32)).min(bytes.len());
                bytes.drain(at..end);
            }
            4 => bytes.truncate(at),
            5 => {
                // Repeat a chunk.
                let end = (at + self.rng.usize(1..64)).min(bytes.len());
                let chunk = bytes[at..end].to_vec();
                let times = self.rng.usize(1..64);
                for _ in 0..times {
                    bytes.splice(end..end, chunk.iter().copied());
                }
            }
            6 => bytes.extend_from_slice(
                self.rng.choice([&b" trailing"[..], b"}", b"]", b"{}", b"\x00", b"\"\\"]).unwrap_or(b""),
            ),
            _ => {
                let end = (at + self.rng.usize(1..8)).min(bytes.len());
                for byte in &mut bytes[at..end] {
                    *byte = self.rng.u8(..);
                }
            }
        }
    }

    /// Writes the JSON, then swaps each marker string for its raw text.
    fn write_json(&mut self, value: &Value) -> Vec<u8> {
        let mut text = serde_json::to_vec(value).unwrap_or_default();
        // Raw text may hold markers of earlier raw text; the last marker is replaced first.
        for i in (0..self.raw.len()).rev() {
            let marker = format!("\"{}\"", marker(i));
            if let Some(at) = find(&text, marker.as_bytes()) {
                text.splice(at..at + marker.len(), self.raw[i].iter().copied());
            }
        }
        self.raw.clear();
        text
    }

    fn raw_value(&mut self, text: Vec<u8>) -> Value {
        self.raw.push(text);
        Value::String(marker(self.raw.len() - 1))
    }

    fn mutate_json(&mut self, json: &mut Value, op: usize) {
        let mut paths = Vec::new();
        collect_paths(json, &mut Vec::new(), &mut paths);
        let Some(path) = self.rng.choice(paths.iter()).cloned() else { return };
        let node = match pointer_mut(json, &path) {
            Some(node) => node.take(),
            None => return,
        };
        let new = self.mutate_node(node, op);
        if let Some(slot) = pointer_mut(json, &path) {
            *slot = new;
        }
    }

    fn mutate_node(&mut self, node: Value, op: usize) -> Value {
        match self.rng.u8(..18) {
            0 | 1 => self.scalar(),
            2 => Value::Null,
            3 => self.huge_string(),
            4 => {
                let text = self.deep();
                self.raw_value(text)
            }
            5 => {
                let text = self.raw_number();
                self.raw_value(text)
            }
            6 => {
                let text = self.raw_string();
                self.raw_value(text)
            }
            7 => match node {
                Value::Object(map) => {
                    let text = self.duplicate_keys(map);
                    self.raw_value(text)
                }
                other => Value::Array(vec![other.clone(), other]),
            },
            8 => match node {
                Value::Object(mut map) => {
                    match self.rng.u8(..3) {
                        0 => {
                            if let Some(key) = self.rng.choice(map.keys().cloned().collect::<Vec<_>>()) {
                                map.remove(&key);
                            }
                        }
                        1 => {
                            if let Some(key) = self.rng.choice(map.keys().cloned().collect::<Vec<_>>()) {
                                // The key in another case.
                                let value = map.remove(&key).unwrap_or_default();
                                let flipped: String = key
                                    .chars()
                                    .map(|c| {
                                        if c.is_ascii_uppercase() {
                                            c.to_ascii_lowercase()
                                        } else {
                                            c.to_ascii_uppercase()
                                        }
                                    })
                                    .collect();
                                map.insert(flipped, value);
                            }
                        }
                        _ => {
                            let key = self.rng.choice(INTERESTING_KEYS.iter()).unwrap_or(&"").to_string();
                            let value = self.scalar();
                            map.insert(key, value);
                        }
                    }
                    Value::Object(map)
                }
                Value::Array(mut items) => {
                    match self.rng.u8(..3) {
                        0 => items.clear(),
                        1 => {
                            let copies = self.rng.usize(1..2000);
                            if let Some(first) = items.first().cloned() {
                                items.extend(std::iter::repeat_n(first, copies));
                            }
                        }
                        _ => items.push(self.scalar()),
                    }
                    Value::Array(items)
                }
                other => self.wrap(other),
            },
            9 => self.wrap(node),
            10 | 11 => self.graft(op).unwrap_or(node),
            13 | 14 => match node {
                Value::String(text) => {
                    let mut bytes = text.into_bytes();
                    for _ in 0..self.rng.usize(1..=3) {
                        self.mutate_text(&mut bytes);
                    }
                    Value::String(String::from_utf8_lossy(&bytes).into_owned())
                }
                Value::Number(number) => {
                    let mut text = number.to_string().into_bytes();
                    self.mutate_text(&mut text);
                    self.raw_value(text)
                }
                other => self.mutate_node(other, op),
            },
            12 => {
                // A union with two members set, or none.
                let mut map = Map::new();
                if self.rng.bool() {
                    map.insert("S".to_owned(), Value::from("a"));
                    map.insert("circle".to_owned(), serde_json::json!({"radius": 1}));
                }
                if let Value::Object(old) = node {
                    map.extend(old);
                }
                Value::Object(map)
            }
            _ => self.scalar(),
        }
    }

    fn wrap(&mut self, node: Value) -> Value {
        if self.rng.bool() {
            Value::Array(vec![node])
        } else {
            let mut map = Map::new();
            map.insert("wrapped".to_owned(), node);
            Value::Object(map)
        }
    }

    /// A node of another seed: of this operation mostly, realistic values in the wrong place.
    fn graft(&mut self, op: usize) -> Option<Value> {
        let same: Vec<&Seed> = self.seeds.iter().filter(|s| s.op == op && s.json.is_some()).collect();
        let donor = if self.rng.u8(..4) != 0 && !same.is_empty() {
            same[self.rng.usize(..same.len())]
        } else {
            &self.seeds[self.rng.usize(..self.seeds.len())]
        };
        let json = donor.json.as_ref()?;
        let mut paths = Vec::new();
        collect_paths(json, &mut Vec::new(), &mut paths);
        let path = self.rng.choice(paths.iter())?;
        pointer(json, path).cloned()
    }

    fn scalar(&mut self) -> Value {
        let strings = [
            "",
            " ",
            "NaN",
            "Infinity",
            "-Infinity",
            "nan",
            "1e400",
            "-0",
            "not-a-number",
            "UNKNOWN_ENUM_VALUE",
            "2024-13-45T25:61:61Z",
            "2024-01-02T03:04:05.123456789123Z",
            "9999999999-01-01T00:00:00Z",
            "+275760-09-13T00:00:00Z",
            "0000-00-00T00:00:00Z",
            "1970-01-01T00:00:00",
            "Mon, 32 Foo 2024 99:99:99 GMT",
            "Thu, 01 Jan 1970 00:00:00 GMT",
            "Thu, 01 Jan 1970 00:00:00.123456789123 GMT",
            "Sat, 01 Jan 9999999999999 00:00:00 GMT",
            "Sat, 01 Jan -9999999999999 00:00:00 GMT",
            "2024-01-02T03:04:05+02:00",
            "2024-01-02T03:04:05-23:59",
            "2024-01-02T03:04:05.Z",
            "2024-01-02t03:04:05z",
            "99999999999999999999",
            "-1704164645.5",
            "====",
            "YQ",
            "Y",
            "!!",
            "YW=Jj",
            "#",
            "a#b:c",
            "\u{0}",
            "é🦀\u{200b}\u{feff}",
        ];
        match self.rng.u8(..12) {
            0 => Value::Bool(self.rng.bool()),
            1 => Value::from(
                *self
                    .rng
                    .choice([0, -1, 1, i64::MIN, i64::MAX, i64::from(i32::MAX) + 1, i64::from(i32::MIN) - 1].iter())
                    .unwrap_or(&0),
            ),
            2 => Value::from(u64::MAX),
            3 => Value::from(
                *self
                    .rng
                    .choice([0.5, -0.0, 1e308, -1e308, 5e-324, 1.5e19, -9.3e18, 1e16 + 1.0].iter())
                    .unwrap_or(&0.5),
            ),
            4 => Value::Array(Vec::new()),
            5 => Value::Object(Map::new()),
            6 => serde_json::json!([null, {}, []]),
            7 => serde_json::json!({"__type": "x#Y", "message": 5}),
            8 => Value::Null,
            _ => Value::from(*self.rng.choice(strings.iter()).unwrap_or(&"")),
        }
    }

    fn huge_string(&mut self) -> Value {
        let unit = *self.rng.choice(["a", "é", "🦀", "\\", "\"", "\u{0}", ",", "\u{7f}", "\n"].iter()).unwrap_or(&"a");
        let count = match self.rng.u8(..16) {
            0 => self.rng.usize(200_000..600_000),
            1..=4 => self.rng.usize(10_000..100_000),
            _ => self.rng.usize(100..10_000),
        };
        Value::String(unit.repeat(count))
    }

    /// Arrays and objects nested up to a few thousand levels, sometimes left open.
    fn deep(&mut self) -> Vec<u8> {
        let depth = match self.rng.u8(..4) {
            0 => self.rng.usize(100..200),
            1 => self.rng.usize(120..140),
            _ => self.rng.usize(200..5000),
        };
        let (open, close): (&[u8], &[u8]) = match self.rng.u8(..4) {
            0 => (b"[", b"]"),
            1 => (b"{\"a\":", b"}"),
            2 => (b"[{\"S\":\"x\",\"L\":[", b"]}]"),
            _ => (b"{\"M\":{\"k\":", b"}}"),
        };
        let mut text = Vec::with_capacity(depth * (open.len() + close.len()) + 4);
        for _ in 0..depth {
            text.extend_from_slice(open);
        }
        text.extend_from_slice(if open == b"[" { b"1" } else { b"{}" });
        if self.rng.u8(..4) != 0 {
            for _ in 0..depth {
                text.extend_from_slice(close);
            }
        }
        text
    }

    fn raw_number(&mut self) -> Vec<u8> {
        match self.rng.u8(..8) {
            0 => {
                let mut text = b"1".to_vec();
                text.resize(self.rng.usize(20..200_000), b'0');
                text
            }
            1 => {
                let mut text = b"0.".to_vec();
                text.resize(self.rng.usize(20..100_000), b'0');
                text.push(b'1');
                text
            }
            2 => format!("1e{}", self.rng.i64(..)).into_bytes(),
            _ => {
                let numbers: &[&[u8]] = &[
                    b"1e999",
                    b"-1e999",
                    b"1E-400",
                    b"-0",
                    b"-0.0",
                    b"18446744073709551616",
                    b"-9223372036854775809",
                    b"1.7976931348623157e309",
                    b"4.9e-325",
                    b"01",
                    b"1.",
                    b".5",
                    b"+1",
                    b"0x1F",
                    b"NaN",
                    b"Infinity",
                    b"-Infinity",
                    b"-",
                    b"1e",
                    b"253402300800",
                    b"-62135596800.5",
                    b"1704164645.999999999999",
                ];
                self.rng.choice(numbers.iter().copied()).unwrap_or(b"0").to_vec()
            }
        }
    }

    fn raw_string(&mut self) -> Vec<u8> {
        let strings: &[&[u8]] = &[
            b"\"\\ud800\"",
            b"\"\\udc00\\ud800\"",
            b"\"\\ud800\\u0041\"",
            b"\"\\u0000\"",
            b"\"\\uD83E\\uDD80\"",
            b"\"\\uFFFF\\uFFFE\"",
            b"\"\\x41\"",
            b"\"\\u12\"",
            b"\"\\u12G4\"",
            b"\"\t\"",
            b"\"\x01\"",
            b"\"\xff\xfe\"",
            b"\"\xc3\"",
            b"\"\xed\xa0\x80\"",
            b"\"\\/\\b\\f\\n\\r\\t\"",
            b"\"\\\"",
            b"\"unterminated",
            b"'single'",
            b"\"2024-01-02T03:04:05\\u005a\"",
        ];
        self.rng.choice(strings.iter().copied()).unwrap_or(b"\"\"").to_vec()
    }

    /// An object written with one key twice (with another value the second time).
    fn duplicate_keys(&mut self, map: Map<String, Value>) -> Vec<u8> {
        let mut entries: Vec<(String, Value)> = map.into_iter().collect();
        let extra = match self.rng.choice(0..entries.len().max(1)) {
            Some(i) if i < entries.len() => {
                let value = if self.rng.bool() { entries[i].1.clone() } else { self.scalar() };
                (entries[i].0.clone(), value)
            }
            _ => ("__type".to_owned(), Value::from("Dup")),
        };
        let at = self.rng.usize(..=entries.len());
        entries.insert(at, extra);
        let mut text = b"{".to_vec();
        for (i, (key, value)) in entries.iter().enumerate() {
            if i > 0 {
                text.push(b',');
            }
            text.extend(serde_json::to_vec(key).unwrap_or_default());
            text.push(b':');
            text.extend(serde_json::to_vec(value).unwrap_or_default());
        }
        text.push(b'}');
        text
    }
}

fn marker(i: usize) -> String {
    format!("@@fuzz-raw-{i}@@")
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn collect_paths(value: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(path.clone());
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                path.push(key.clone());
                collect_paths(child, path, out);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                path.push(i.to_string());
                collect_paths(child, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn pointer<'a>(value: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(value, |node, key| match node {
        Value::Object(map) => map.get(key),
        Value::Array(items) => items.get(key.parse::<usize>().ok()?),
        _ => None,
    })
}

fn pointer_mut<'a>(value: &'a mut Value, path: &[String]) -> Option<&'a mut Value> {
    path.iter().try_fold(value, |node, key| match node {
        Value::Object(map) => map.get_mut(key),
        Value::Array(items) => items.get_mut(key.parse::<usize>().ok()?),
        _ => None,
    })
}

// ---------------------------------------------------------------------------------------------
// Running one case.

enum Failure {
    Panic(String),
    Slow(Duration),
    Memory { peak: usize, limit: usize },
}

impl Failure {
    fn kind(&self) -> &'static str {
        match self {
            Failure::Panic(_) => "panic",
            Failure::Slow(_) => "hang",
            Failure::Memory { .. } => "unbounded memory",
        }
    }

    /// What makes two failures the same: where a panic happened; the operation of the others.
    fn key(&self, op: &Op) -> String {
        match self {
            Failure::Panic(message) => message.lines().next().unwrap_or_default().trim_end_matches(':').to_owned(),
            _ => format!("{} in {}", self.kind(), op.key),
        }
    }

    fn detail(&self) -> String {
        match self {
            Failure::Panic(message) => message.clone(),
            Failure::Slow(time) => {
                format!("one execution took {:.2} s (the limit is {} s)", time.as_secs_f64(), SLOW.as_secs())
            }
            Failure::Memory { peak, limit } => {
                format!("one execution used {peak} bytes at its peak (the limit is {limit})")
            }
        }
    }
}

struct Executed {
    outcome: Outcome,
    peak: usize,
    time: Duration,
}

/// Polls a future that needs nothing from a reactor (the body is already in memory).
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(value) = future.as_mut().poll(&mut context) {
            return value;
        }
        std::thread::yield_now();
    }
}

fn execute(op: &Op, case: &Case, inject: Option<&str>) -> Result<Executed, Failure> {
    let response = case.response();
    let limit = MEMORY_FLOOR.max(MEMORY_FACTOR.saturating_mul(case.size()));
    let run = op.run;
    // From here on, everything allocated counts against this execution.
    let base = CURRENT.load(Relaxed);
    BASE.store(base, Relaxed);
    PEAK.store(base, Relaxed);
    LIMIT.store(limit, Relaxed);
    EXECUTION_SINCE.store(millis() + 1, Relaxed);
    MEASURING.store(true, Relaxed);
    let started = Instant::now();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        if let Some(kind) = inject {
            self_test(kind);
        }
        let mut sink = Sink::default();
        match block_on(response.read(BODY_LIMIT)) {
            Ok(response) => run(&response, &mut sink),
            Err(error) => {
                show_error(&mut sink, &error);
                show_error(&mut sink, &awsgen_runtime::SdkError::<String>::Transport(error));
                Outcome::TooLarge
            }
        }
    }));
    let time = started.elapsed();
    MEASURING.store(false, Relaxed);
    EXECUTION_SINCE.store(0, Relaxed);
    let peak = PEAK.load(Relaxed).saturating_sub(base);
    let outcome = match result {
        Ok(outcome) => outcome,
        Err(_) => {
            let message = LAST_PANIC.lock().map(|mut m| m.take()).ok().flatten();
            return Err(Failure::Panic(message.unwrap_or_else(|| "a panic with no message".to_owned())));
        }
    };
    if peak > limit {
        return Err(Failure::Memory { peak, limit });
    }
    if time > SLOW {
        return Err(Failure::Slow(time));
    }
    Ok(Executed { outcome, peak, time })
}

/// `--self-test KIND`: a failure of that kind in iteration [`SELF_TEST_ITERATION`], to test the
/// reports.
const SELF_TEST_ITERATION: u64 = 3;

fn self_test(kind: &str) {
    fn deep(n: u64) -> u64 {
        let frame = std::hint::black_box([n; 64]);
        if n == u64::MAX {
            return 0;
        }
        deep(n + 1).wrapping_add(frame[7])
    }
    match kind {
        "panic" => panic!("self-test panic"),
        "memory" => drop(std::hint::black_box(vec![1u8; 512 << 20])),
        "slow" => std::thread::sleep(SLOW + Duration::from_millis(100)),
        "stuck" => loop {
            std::thread::sleep(Duration::from_secs(1));
        },
        "overflow" => drop(std::hint::black_box(deep(0))),
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Reports.

/// The frames of a backtrace after the panic machinery and before the harness's `catch_unwind`.
fn trimmed(backtrace: &str) -> String {
    let mut frames: Vec<String> = Vec::new();
    for line in backtrace.lines() {
        let header = line.trim_start().split_once(": ").is_some_and(|(n, _)| n.parse::<u32>().is_ok());
        match frames.last_mut() {
            Some(frame) if !header => {
                frame.push('\n');
                frame.push_str(line);
            }
            _ => frames.push(line.to_owned()),
        }
    }
    let first_line = |frame: &String| frame.lines().next().unwrap_or_default().to_owned();
    let end = frames
        .iter()
        .position(|f| {
            let name = first_line(f);
            name.contains("catch_unwind") || name.contains("unwind_safe")
        })
        .unwrap_or(frames.len());
    let start = frames[..end].iter().rposition(|f| first_line(f).contains("panicking")).map_or(0, |i| i + 1);
    frames[start..end].join("\n")
}

/// Bytes as text: printable ASCII as is, the rest escaped (`\xff`, `\n`).
fn escaped(bytes: &[u8]) -> String {
    bytes.escape_ascii().to_string()
}

const SHOWN_BODY: usize = 4096;

fn describe(ops: &[Op], case: &Case) -> String {
    let mut text = String::new();
    let _ = writeln!(text, "operation: {} (from its seed response `{}`)", ops[case.op].key, case.label);
    let _ = writeln!(text, "status: {}", case.status);
    for (name, value) in &case.headers {
        if value.len() > 512 {
            let _ = writeln!(text, "header {name}: {}… ({} bytes)", escaped(&value[..512]), value.len());
        } else {
            let _ = writeln!(text, "header {name}: {}", escaped(value));
        }
    }
    if case.body.len() > SHOWN_BODY {
        let _ = writeln!(
            text,
            "body ({} bytes; the first {SHOWN_BODY}): {}…",
            case.body.len(),
            escaped(&case.body[..SHOWN_BODY])
        );
    } else {
        let _ = writeln!(text, "body ({} bytes): {}", case.body.len(), escaped(&case.body));
    }
    text
}

/// Prints the failure and the response, and saves the response for `--replay`.
fn report(settings: &Settings, kind: &str, detail: &str, seed: u64, iteration: u64, case: &Case) -> Option<PathBuf> {
    let ops = settings.ops;
    let mut text = format!("FAILED: {kind} in {} (seed {seed}, iteration {iteration})\n", ops[case.op].key);
    let _ = writeln!(text, "{detail}");
    text.push_str("the response:\n");
    for line in describe(ops, case).lines() {
        let _ = writeln!(text, "  {line}");
    }
    let saved = save(&settings.crashes, kind, detail, seed, iteration, case, ops);
    match &saved {
        Ok(dir) => {
            let _ = writeln!(text, "saved to {}", dir.display());
            let _ = writeln!(text, "replay: cargo xtask fuzz-responses --replay {}", dir.display());
        }
        Err(why) => {
            let _ = writeln!(text, "could not save the response: {why}");
        }
    }
    let _ = writeln!(text, "    or: cargo xtask fuzz-responses --seed {seed} --iteration {iteration}");
    let _ = std::io::stderr().write_all(text.as_bytes());
    saved.ok()
}

fn save(
    crashes: &Path,
    kind: &str,
    detail: &str,
    seed: u64,
    iteration: u64,
    case: &Case,
    ops: &[Op],
) -> Result<PathBuf, String> {
    let dir = crashes.join(format!("seed-{seed}-iteration-{iteration}"));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    // A value that is not UTF-8 is written as its bytes.
    let headers: Vec<Value> = case
        .headers
        .iter()
        .map(|(n, v)| match std::str::from_utf8(v) {
            Ok(text) => serde_json::json!([n, text]),
            Err(_) => serde_json::json!([n, v]),
        })
        .collect();
    let meta = serde_json::json!({
        "op": ops[case.op].key,
        "label": case.label,
        "seed": seed,
        "iteration": iteration,
        "kind": kind,
        "detail": detail,
        "status": case.status,
        "headers": headers,
    });
    let pretty = serde_json::to_vec_pretty(&meta).unwrap_or_default();
    std::fs::write(dir.join("case.json"), pretty).map_err(|e| format!("{}: {e}", dir.display()))?;
    std::fs::write(dir.join("body.bin"), &case.body).map_err(|e| format!("{}: {e}", dir.display()))?;
    std::fs::write(dir.join("response.txt"), describe(ops, case)).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(dir)
}

fn load_case(dir: &Path, ops: &[Op]) -> Case {
    let meta: Value = std::fs::read(dir.join("case.json"))
        .ok()
        .and_then(|text| serde_json::from_slice(&text).ok())
        .unwrap_or_else(|| fail_setup(&format!("{} holds no readable case.json", dir.display())));
    let key = meta["op"].as_str().unwrap_or_default();
    let op = ops.iter().position(|op| op.key == key).unwrap_or_else(|| fail_setup(&format!("no operation {key}")));
    let headers = meta["headers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|pair| {
            let value = match &pair[1] {
                Value::String(text) => text.as_bytes().to_vec(),
                bytes => bytes.as_array().into_iter().flatten().map(|b| b.as_u64().unwrap_or(0) as u8).collect(),
            };
            (pair[0].as_str().unwrap_or_default().to_owned(), value)
        })
        .collect();
    let body = std::fs::read(dir.join("body.bin")).unwrap_or_else(|e| fail_setup(&format!("body.bin: {e}")));
    Case {
        op,
        label: meta["label"].as_str().unwrap_or_default().to_owned(),
        status: meta["status"].as_u64().unwrap_or(200) as u16,
        headers,
        body,
    }
}

// ---------------------------------------------------------------------------------------------
// The run.

#[derive(Default, Clone)]
struct Stats {
    executions: u64,
    ok: u64,
    parse_errors: u64,
    service_errors: u64,
    modeled_errors: u64,
    too_large: u64,
    failed: u64,
    max_peak: usize,
    max_micros: u64,
}

impl Stats {
    fn add(&mut self, executed: &Executed) {
        self.executions += 1;
        match executed.outcome {
            Outcome::Ok => self.ok += 1,
            Outcome::ParseError => self.parse_errors += 1,
            Outcome::ServiceError { modeled } => {
                self.service_errors += 1;
                self.modeled_errors += u64::from(modeled);
            }
            Outcome::TooLarge => self.too_large += 1,
        }
        self.max_peak = self.max_peak.max(executed.peak);
        self.max_micros = self.max_micros.max(executed.time.as_micros() as u64);
    }

    fn json(&self, name: &str) -> Value {
        serde_json::json!({
            "crate": name,
            "executions": self.executions,
            "ok": self.ok,
            "parse_errors": self.parse_errors,
            "service_errors": self.service_errors,
            "modeled_errors": self.modeled_errors,
            "too_large": self.too_large,
            "failed": self.failed,
            "max_peak_bytes": self.max_peak,
            "max_micros": self.max_micros,
        })
    }
}

struct Args {
    seeds: PathBuf,
    iterations: u64,
    seed: u64,
    crashes: PathBuf,
    inflight: Option<PathBuf>,
    iteration: Option<u64>,
    replay: Option<PathBuf>,
    dry: bool,
    self_test: Option<String>,
    keep_going: bool,
}

fn args() -> Args {
    let mut args = Args {
        seeds: PathBuf::new(),
        iterations: 1000,
        seed: 1,
        crashes: PathBuf::from("crashes"),
        inflight: None,
        iteration: None,
        replay: None,
        dry: false,
        self_test: None,
        keep_going: false,
    };
    let mut list = std::env::args().skip(1);
    while let Some(arg) = list.next() {
        let mut value = || list.next().unwrap_or_else(|| fail_setup(&format!("{arg} needs a value")));
        let number =
            |text: String| text.parse::<u64>().unwrap_or_else(|_| fail_setup(&format!("not a number: {text}")));
        match arg.as_str() {
            "--seeds" => args.seeds = value().into(),
            "--iterations" => args.iterations = number(value()),
            "--seed" => args.seed = number(value()),
            "--crashes" => args.crashes = value().into(),
            "--inflight" => args.inflight = Some(value().into()),
            "--iteration" => args.iteration = Some(number(value())),
            "--replay" => args.replay = Some(value().into()),
            "--dry" => args.dry = true,
            "--keep-going" => args.keep_going = true,
            "--self-test" => args.self_test = Some(value()),
            other => fail_setup(&format!("unknown argument {other}")),
        }
    }
    args
}

pub fn main(ops: &'static [Op]) {
    let args = args();
    STARTED.get_or_init(Instant::now);
    let _ = SETTINGS.set(Settings { ops, crashes: args.crashes.clone() });
    let settings = SETTINGS.get().expect("set above");
    let seeds = load_seeds(&args.seeds, ops);
    if seeds.is_empty() {
        fail_setup("no seed responses");
    }
    let by_crate = index(&seeds, ops);
    let make = |iteration: u64| make_case(&seeds, &by_crate, args.seed, iteration);

    // One case, with the default panic hook (and its backtrace).
    let single = match (&args.replay, args.iteration) {
        (Some(dir), _) => Some((load_case(dir, ops), u64::MAX)),
        (None, Some(iteration)) => Some((make(iteration), iteration)),
        (None, None) => None,
    };
    if let Some((case, iteration)) = single {
        print!("{}", describe(ops, &case));
        if args.dry {
            if let Ok(dir) = save(&args.crashes, "unknown", "saved with --dry", args.seed, iteration, &case, ops) {
                println!("saved to {}", dir.display());
            }
            return;
        }
        let _ = std::io::stdout().flush();
        // The default hook prints the panic with its whole backtrace; the failure line repeats it.
        let default_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if let Ok(mut last) = LAST_PANIC.lock() {
                *last = Some(info.to_string());
            }
            default_hook(info);
        }));
        match execute(&ops[case.op], &case, None) {
            Ok(done) => {
                println!(
                    "outcome: {:?} in {:.3} ms, peak {} bytes",
                    done.outcome,
                    done.time.as_secs_f64() * 1e3,
                    done.peak
                );
            }
            Err(failure) => {
                println!("FAILED: {}: {}", failure.kind(), failure.detail());
                std::process::exit(1);
            }
        }
        return;
    }

    std::panic::set_hook(Box::new(|info| {
        // The execution ended with the panic; symbolizing its backtrace (tens of MB of debug
        // info read) is the harness's work, not the execution's.
        MEASURING.store(false, Relaxed);
        let backtrace = trimmed(&std::backtrace::Backtrace::force_capture().to_string());
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = Some(format!("{info}\nbacktrace (the frames between the panic and the harness):\n{backtrace}"));
        }
    }));
    std::thread::spawn(|| loop {
        std::thread::sleep(Duration::from_millis(250));
        let since = EXECUTION_SINCE.load(Relaxed);
        if since != 0 && millis().saturating_sub(since - 1) > STUCK.as_millis() as u64 {
            die(
                "hang",
                &format!("one execution has run for over {} s; the watchdog ended the process", STUCK.as_secs()),
            );
        }
    });
    // The iteration in flight, for the parent to name if the process dies without a report.
    let inflight = args.inflight.as_ref().and_then(|path| std::fs::File::create(path).ok());

    let mut crates: Vec<&str> = ops.iter().map(|op| op.krate).collect();
    crates.dedup();
    let mut stats = vec![Stats::default(); crates.len()];
    let started = Instant::now();
    let mut progress = Instant::now();
    // Distinct failures (by panic location, or kind and operation), with how often each happened.
    let mut failures: Vec<(String, Value, u64)> = Vec::new();
    let mut executions = 0;
    for iteration in 0..args.iterations {
        let case = Arc::new(make(iteration));
        if let Some(file) = &inflight {
            use std::os::unix::fs::FileExt;
            let _ = file.write_at(format!("{iteration:<20}\n").as_bytes(), 0);
        }
        if let Ok(mut running) = RUNNING.lock() {
            *running = Some(Running { seed: args.seed, iteration, case: case.clone() });
        }
        let op = &ops[case.op];
        let inject = args.self_test.as_deref().filter(|_| iteration == SELF_TEST_ITERATION);
        let result = execute(op, &case, inject);
        executions += 1;
        match result {
            Ok(done) => {
                let at = crates.iter().position(|c| *c == op.krate).unwrap_or(0);
                stats[at].add(&done);
            }
            Err(why) => {
                let at = crates.iter().position(|c| *c == op.krate).unwrap_or(0);
                stats[at].executions += 1;
                stats[at].failed += 1;
                let key = why.key(op);
                match failures.iter_mut().find(|(k, _, _)| *k == key) {
                    Some((_, _, count)) => *count += 1,
                    None => {
                        let saved = report(settings, why.kind(), &why.detail(), args.seed, iteration, &case);
                        let failure = serde_json::json!({
                            "kind": why.kind(),
                            "key": key,
                            "op": op.key,
                            "iteration": iteration,
                            "crash": saved.map(|p| p.display().to_string()),
                        });
                        failures.push((key, failure, 1));
                    }
                }
                if !args.keep_going {
                    break;
                }
            }
        }
        if progress.elapsed() > Duration::from_secs(10) {
            progress = Instant::now();
            let seconds = started.elapsed().as_secs_f64();
            eprintln!("  {executions} executions in {seconds:.0} s ({:.0}/s)", executions as f64 / seconds);
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    if let Some(path) = &args.inflight {
        let _ = std::fs::remove_file(path);
    }
    let summary = serde_json::json!({
        "executions": executions,
        "seconds": seconds,
        "crates": crates.iter().zip(&stats).map(|(name, s)| s.json(name)).collect::<Vec<_>>(),
        "failures": failures.iter().map(|(_, failure, count)| {
            let mut failure = failure.clone();
            failure["count"] = Value::from(*count);
            failure
        }).collect::<Vec<_>>(),
    });
    println!("{summary}");
    if !failures.is_empty() {
        std::process::exit(1);
    }
}

fn make_case(seeds: &[Seed], by_crate: &[Vec<Vec<usize>>], seed: u64, iteration: u64) -> Case {
    let mut rng = fastrand::Rng::with_seed(iteration_seed(seed, iteration));
    // A crate, then an operation, then one of its seeds: small crates are not drowned out.
    let crate_ops = &by_crate[rng.usize(..by_crate.len())];
    let op_seeds = &crate_ops[rng.usize(..crate_ops.len())];
    // Half the time the success response: output parsing is where most generated code is.
    let success = op_seeds.iter().copied().find(|&i| seeds[i].label == "success");
    let chosen = match success {
        Some(i) if rng.bool() => &seeds[i],
        _ => &seeds[op_seeds[rng.usize(..op_seeds.len())]],
    };
    let mut names: Vec<String> = Vec::new();
    for &i in op_seeds {
        for (name, _) in &seeds[i].headers {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
    }
    let mut mutator = Mutator { rng, seeds, names, raw: Vec::new() };
    mutator.case(chosen)
}
