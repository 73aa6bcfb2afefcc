//! `moto_server` (the Python AWS emulator) on 127.0.0.1 for whole-service end-to-end tests: each
//! test starts its own, so tests share no state, and the server is killed when the handle drops,
//! a panicking test included.

use std::collections::BTreeSet;
use std::fs::File;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The version the tests are written against (and CI installs).
pub const INSTALL_HINT: &str = "python3 -m pip install 'moto[server]==5.2.1'";

/// How long a starting server may take to accept connections (it imports all of moto first).
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);

/// Ports taken by another process between our probe and moto's bind are retried this often.
const PORT_ATTEMPTS: usize = 3;

/// A running `moto_server`; killed on drop.
pub struct Moto {
    pub url: String,
    child: Child,
    log: PathBuf,
}

impl Moto {
    /// Starts `moto_server` on a free port and waits until it accepts connections. Panics with
    /// how to install it if it is not on `PATH`, and with its log if it doesn't come up.
    pub fn start() -> Moto {
        let mut last_failure = String::new();
        for _ in 0..PORT_ATTEMPTS {
            match Moto::try_start(free_port()) {
                Ok(moto) => return moto,
                Err(failure) => last_failure = failure,
            }
        }
        panic!("moto_server did not start: {last_failure}");
    }

    /// Starts `moto_server` on `port`; an error (with its log) if it doesn't come up there.
    pub fn try_start(port: u16) -> Result<Moto, String> {
        let log = std::env::temp_dir().join(format!("awsgen-moto-{}-{port}.log", std::process::id()));
        let log_file = File::create(&log).map_err(|e| format!("cannot create {}: {e}", log.display()))?;
        let stderr = log_file.try_clone().map_err(|e| e.to_string())?;
        let child = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(log_file)
            .stderr(stderr)
            .spawn();
        let child = match child {
            Ok(child) => child,
            Err(e) => {
                let _ = std::fs::remove_file(&log);
                no_server(e)
            }
        };
        Moto { url: format!("http://127.0.0.1:{port}"), child, log }.wait_until_listening(port)
    }

    /// Dropping `self` on failure kills the server.
    fn wait_until_listening(mut self, port: u16) -> Result<Moto, String> {
        let started = Instant::now();
        while started.elapsed() < STARTUP_TIMEOUT {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("it exited with {status}:\n{}", self.log_text()));
            }
            // Werkzeug logs this only once it has bound the port: a connection alone could reach
            // another process that took the port while ours was still starting (and failing).
            let ours = self.log_text().contains(&format!("Running on {}", self.url));
            if ours && TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok() {
                return Ok(self);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(format!("no answer on port {port} within {STARTUP_TIMEOUT:?}:\n{}", self.log_text()))
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// A client configuration for this server: us-east-1, static test credentials (moto accepts
    /// any), and quick retries.
    pub fn config(&self) -> awsgen_runtime::Config {
        self.config_builder().build()
    }

    /// [`config`](Self::config), to change before building.
    pub fn config_builder(&self) -> awsgen_runtime::ConfigBuilder {
        awsgen_runtime::Config::builder()
            .region("us-east-1")
            .credentials(awsgen_runtime::Credentials::new("testing", "testing", None))
            .endpoint_url(&self.url)
            .retry(awsgen_runtime::RetryConfig {
                max_attempts: 2,
                initial_backoff: Duration::from_millis(10),
                max_backoff: Duration::from_millis(50),
            })
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        // Killed, then reaped, so no process outlives the test; errors mean it already exited.
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// Fails the test: without moto these tests can't run, and must not pass.
fn no_server(error: std::io::Error) -> ! {
    if error.kind() == std::io::ErrorKind::NotFound {
        panic!("moto_server is not on PATH; these tests need it: {INSTALL_HINT}")
    }
    panic!("cannot run moto_server: {error}")
}

/// A port nothing listens on right now (the OS picks it; moto binds it a moment later), never
/// one handed to another test of this process, whose server may still be starting.
fn free_port() -> u16 {
    static GIVEN: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());
    loop {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local address").port();
        if GIVEN.lock().unwrap_or_else(|e| e.into_inner()).insert(port) {
            return port;
        }
    }
}
