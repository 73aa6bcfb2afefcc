//! `credential_process`: run a command, read credentials (JSON, `Version: 1`) from its output.
//!
//! The child gets a time limit and its output a size limit; a failure says how it failed (exit
//! status, timeout, malformed output) but never repeats the output, which holds the secret.

use super::document::Document;
use awsgen_runtime::credentials::{CredentialsError, ProvideCredentials};
use awsgen_runtime::http::BoxFuture;
use awsgen_runtime::Credentials;
use std::io::Read;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Real outputs are under 2 KiB.
const MAX_OUTPUT: u64 = 64 * 1024;

/// One `credential_process` command line, run through the shell as the AWS CLI does.
#[derive(Clone)]
pub struct CredentialProcess {
    command: String,
    timeout: Duration,
}

impl CredentialProcess {
    /// Runs `command` with a time limit of 60 seconds.
    pub fn new(command: impl Into<String>) -> Self {
        CredentialProcess { command: command.into(), timeout: Duration::from_secs(60) }
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Runs the command on a blocking thread (inline outside a tokio runtime).
    pub async fn credentials(&self) -> Result<Credentials, CredentialsError> {
        let this = self.clone();
        let output = match tokio::runtime::Handle::try_current() {
            Ok(runtime) => runtime.spawn_blocking(move || this.run()).await.unwrap_or_else(|_| Err(failed("panicked"))),
            Err(_) => this.run(),
        }?;
        let document = Document::parse(&output, "the credential_process output")?;
        match document.value("Version") {
            Some(version) if version == 1 => document.credentials("SessionToken"),
            Some(_) => Err(document.error("`Version` is not 1, the only version there is".to_owned())),
            None => Err(document.error("`Version` is missing".to_owned())),
        }
    }

    fn run(&self) -> Result<Vec<u8>, CredentialsError> {
        let deadline = Instant::now() + self.timeout;
        let mut child = shell(&self.command)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|error| failed("could not be started").with_source(error))?;
        let output = read_output(&mut child, deadline);
        let status = output.as_ref().ok().and_then(|_| wait(&mut child, deadline));
        let _ = child.kill();
        let _ = child.wait();
        match (output?, status) {
            (output, Some(status)) if status.success() => Ok(output),
            (_, Some(status)) => Err(failed(&format!("exited with {status}"))),
            (_, None) => Err(failed(&format!("did not finish within {:?}", self.timeout))),
        }
    }
}

/// The child's whole stdout, read on a helper thread so that the deadline holds even if the
/// child never closes it.
fn read_output(child: &mut Child, deadline: Instant) -> Result<Vec<u8>, CredentialsError> {
    let stdout = child.stdout.take().ok_or_else(|| failed("has no output pipe"))?;
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let mut output = Vec::new();
        let read = stdout.take(MAX_OUTPUT + 1).read_to_end(&mut output);
        let _ = sender.send(read.map(|_| output));
    });
    match receiver.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        Ok(Ok(output)) if output.len() as u64 > MAX_OUTPUT => {
            Err(failed(&format!("wrote more than {MAX_OUTPUT} bytes")))
        }
        Ok(Ok(output)) => Ok(output),
        Ok(Err(error)) => Err(failed("output could not be read").with_source(error)),
        Err(_) => Err(failed("did not close its output in time")),
    }
}

/// The exit status, or `None` past the deadline.
fn wait(child: &mut Child, deadline: Instant) -> Option<ExitStatus> {
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn shell(command: &str) -> Command {
    if cfg!(windows) {
        let mut shell = Command::new("cmd.exe");
        shell.args(["/C", command]);
        shell
    } else {
        let mut shell = Command::new("sh");
        shell.args(["-c", command]);
        shell
    }
}

/// Shows the program only: arguments may hold a secret.
impl std::fmt::Debug for CredentialProcess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let program = self.command.split_whitespace().next().unwrap_or_default();
        f.debug_struct("CredentialProcess").field("program", &program).field("timeout", &self.timeout).finish()
    }
}

fn failed(what: &str) -> CredentialsError {
    CredentialsError::provider_error(format!("credential_process {what}"))
}

impl ProvideCredentials for CredentialProcess {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.credentials())
    }
}
