//! `AWS_CA_BUNDLE` / `ca_bundle`: a private certificate authority, trusted instead of the bundled
//! roots by the client and by the credential providers' own STS calls, against an HTTPS server
//! on 127.0.0.1 whose certificate that authority signed.
//!
//! `fixtures/tls/`: `ca.pem` (a self-signed CA, its key thrown away) and `server.pem` +
//! `server.key` (for 127.0.0.1 and localhost, signed by it), made with openssl, valid to 2126.

mod support;

use awsgen_config::{ConfigLoader, Env, LoadError, ProviderConfig};
use awsgen_runtime::SdkError;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls").join(name)
}

/// An HTTPS STS on 127.0.0.1: AssumeRole hands out `ASIAROLE`, GetCallerIdentity answers; it
/// keeps each request's `Action` with the key id that signed it.
struct TlsSts {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<(String, String)>>>,
}

impl TlsSts {
    fn start() -> Self {
        let certificates = CertificateDer::pem_file_iter(fixture("server.pem")).unwrap().map(Result::unwrap).collect();
        let key = PrivateKeyDer::from_pem_file(fixture("server.key")).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certificates, key)
            .unwrap();
        let tls = Arc::new(tls);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (tls, record) = (tls.clone(), record.clone());
                std::thread::spawn(move || serve(stream, tls, &record));
            }
        });
        TlsSts { addr, seen }
    }

    fn url(&self) -> String {
        format!("https://127.0.0.1:{}", self.addr.port())
    }

    fn seen(&self) -> Vec<(String, String)> {
        self.seen.lock().unwrap().clone()
    }
}

/// One request per connection; a client that refuses the certificate ends it in the handshake.
fn serve(stream: TcpStream, tls: Arc<rustls::ServerConfig>, seen: &Mutex<Vec<(String, String)>>) {
    let connection = rustls::ServerConnection::new(tls).unwrap();
    let mut stream = rustls::StreamOwned::new(connection, stream);
    let Some(request) = read_request(&mut stream) else { return };
    let action = request.split("Action=").nth(1).and_then(|rest| rest.split('&').next()).unwrap_or("").to_owned();
    let key_id = request.split("Credential=").nth(1).and_then(|rest| rest.split('/').next()).unwrap_or("").to_owned();
    seen.lock().unwrap().push((action.clone(), key_id));
    let body = match action.as_str() {
        "AssumeRole" => ASSUME_ROLE,
        _ => CALLER_IDENTITY,
    };
    let head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: text/xml\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(body.as_bytes()));
    stream.conn.send_close_notify();
    let _ = stream.flush();
}

/// Head and form body, as text.
fn read_request(stream: &mut impl Read) -> Option<String> {
    let mut bytes = Vec::new();
    let mut buffer = [0; 4096];
    loop {
        let read = stream.read(&mut buffer).ok().filter(|read| *read > 0)?;
        bytes.extend_from_slice(&buffer[..read]);
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let Some((head, body)) = text.split_once("\r\n\r\n") else { continue };
        let length = head
            .lines()
            .find_map(|line| line.to_ascii_lowercase().strip_prefix("content-length:").map(|n| n.trim().to_owned()))
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(0);
        if body.len() >= length {
            return Some(text);
        }
    }
}

const ASSUME_ROLE: &str = "<AssumeRoleResponse><AssumeRoleResult><Credentials>\
    <AccessKeyId>ASIAROLE</AccessKeyId><SecretAccessKey>role-secret</SecretAccessKey>\
    <SessionToken>role-token</SessionToken><Expiration>2100-01-01T00:00:00Z</Expiration></Credentials>\
    <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/tls/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId>\
    </AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>";

const CALLER_IDENTITY: &str = "<GetCallerIdentityResponse><GetCallerIdentityResult>\
    <Arn>arn:aws:iam::123456789012:user/tls</Arn><UserId>AIDATLS</UserId><Account>123456789012</Account>\
    </GetCallerIdentityResult></GetCallerIdentityResponse>";

/// A folder holding `config`, and the environment naming it, the server and `vars`.
fn environment(name: &str, config_file: &str, server: &TlsSts, vars: &[(&str, &str)]) -> (Env, PathBuf) {
    let dir = support::temp_dir(name);
    std::fs::write(dir.join("config"), config_file).unwrap();
    let base = [
        ("HOME", dir.display().to_string()),
        ("AWS_CONFIG_FILE", dir.join("config").display().to_string()),
        ("AWS_SHARED_CREDENTIALS_FILE", dir.join("credentials").display().to_string()),
        ("AWS_ENDPOINT_URL", server.url()),
        ("AWS_REGION", "us-east-1".to_owned()),
    ];
    let vars = base.into_iter().chain(vars.iter().map(|(name, value)| (*name, value.to_string())));
    (Env::from_vars(vars.map(|(name, value)| (name.to_owned(), value))), dir)
}

const STATIC_KEYS: &str = "[default]\naws_access_key_id = AKIDSTATIC\naws_secret_access_key = static-secret\n";

fn caller_account(env: Env) -> Result<String, String> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let config = ConfigLoader::default()
            .provider_config(ProviderConfig::new().with_env(env))
            .try_load()
            .await
            .map_err(|error| error.to_string())?;
        let output =
            awsgen_sts::Client::new(config).get_caller_identity().send().await.map_err(|error| match error {
                SdkError::Transport(error) => format!("transport: {error:?}"),
                other => other.to_string(),
            })?;
        Ok(output.account().unwrap_or_default().to_owned())
    })
}

#[test]
fn the_bundle_from_the_environment_is_trusted_and_the_default_roots_are_not() {
    let server = TlsSts::start();
    let ca = fixture("ca.pem").display().to_string();
    let (env, dir) = environment("ca-env", STATIC_KEYS, &server, &[("AWS_CA_BUNDLE", &ca)]);
    assert_eq!(caller_account(env), Ok("123456789012".to_owned()));
    // Without it, the public roots don't vouch for the test authority.
    let (env, other) = environment("ca-none", STATIC_KEYS, &server, &[]);
    let refused = caller_account(env).unwrap_err();
    assert!(refused.starts_with("transport:") && refused.contains("UnknownIssuer"), "{refused}");
    assert_eq!(server.seen().len(), 1, "the refused call sent nothing");
    for dir in [dir, other] {
        std::fs::remove_dir_all(dir).unwrap();
    }
}

#[test]
fn the_profile_bundle_also_serves_the_role_credentials_call() {
    let server = TlsSts::start();
    let config = "[default]\nca_bundle = ~/company-ca.pem\nrole_arn = arn:aws:iam::123456789012:role/tls\n\
                  source_profile = keys\n[profile keys]\naws_access_key_id = AKIDSTATIC\n\
                  aws_secret_access_key = static-secret\n";
    let (env, home) = environment("ca-profile", config, &server, &[]);
    std::fs::copy(fixture("ca.pem"), home.join("company-ca.pem")).unwrap();
    assert_eq!(caller_account(env), Ok("123456789012".to_owned()));
    let seen = server.seen();
    let expected = [("AssumeRole", "AKIDSTATIC"), ("GetCallerIdentity", "ASIAROLE")];
    assert_eq!(seen, expected.map(|(action, key)| (action.to_owned(), key.to_owned())));
    std::fs::remove_dir_all(home).unwrap();
}

#[test]
fn an_unusable_bundle_is_an_error_naming_the_setting_and_the_file() {
    let server = TlsSts::start();
    let dir = support::temp_dir("ca-bad");
    let not_pem = dir.join("not.pem");
    std::fs::write(&not_pem, "this is not a certificate\n").unwrap();
    let key_only = fixture("server.key");
    let missing = dir.join("missing.pem");
    let cases =
        [(&not_pem, "no PEM `CERTIFICATE` in it"), (&key_only, "no PEM `CERTIFICATE` in it"), (&missing, "can't read")];
    for (path, problem) in cases {
        let path = path.display().to_string();
        let (env, config_dir) = environment("ca-bad-env", STATIC_KEYS, &server, &[("AWS_CA_BUNDLE", &path)]);
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let loader = ConfigLoader::default().provider_config(ProviderConfig::new().with_env(env));
        let error = runtime.block_on(loader.try_load()).unwrap_err();
        let LoadError::Setting { source, problem: text } = &error else { panic!("{error:?}") };
        assert_eq!(source, "AWS_CA_BUNDLE");
        assert!(text.contains(&path) && text.contains(problem), "{text}");
        std::fs::remove_dir_all(config_dir).unwrap();
    }
    std::fs::remove_dir_all(dir).unwrap();
}
