//! SSO beyond the suite: refreshing a session's token (and writing the cache back), expired
//! tokens, incomplete settings, and secrets kept out of errors.

mod support;

use awsgen_config::provider::ProfileProvider;
use awsgen_config::{Env, ProviderConfig};
use awsgen_runtime::credentials::CredentialsError;
use awsgen_runtime::{Credentials, FixedTime};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};
use support::replay::{Exchange, Redirect, ReplayServer, Seen};

/// 2024-01-01T00:00:00Z: the clock of every test here.
const NOW: u64 = 1_704_067_200;

const SESSION_CONFIG: &str = "\
[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Reader

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
";

const LEGACY_CONFIG: &str = "\
[profile old]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-2
sso_account_id = 111122223333
sso_role_name = Reader
";

/// The cache files' names: SHA-1 (by `sha1sum`) of the session name and of the legacy start URL.
const CORP: &str = "ee0bfd2552fbd840c02cc48b6e823320543c450f";
const LEGACY: &str = "79e435d7a515078e81c9dffc35f38d5687ebd3a7";

/// A home with `~/.aws/config` and, if given, one token cache file.
struct Home {
    dir: PathBuf,
}

impl Home {
    fn new(config: &str) -> Self {
        let dir = support::temp_dir("sso");
        std::fs::create_dir_all(dir.join(".aws/sso/cache")).unwrap();
        std::fs::write(dir.join(".aws/config"), config).unwrap();
        Home { dir }
    }

    fn cache_file(&self, hash: &str) -> PathBuf {
        self.dir.join(".aws/sso/cache").join(format!("{hash}.json"))
    }

    fn write_cache(&self, hash: &str, token: &Value) {
        std::fs::write(self.cache_file(hash), token.to_string()).unwrap();
    }

    fn read_cache(&self, hash: &str) -> Value {
        support::read_json(&self.cache_file(hash))
    }

    fn credentials(&self, profile: &str, server: &ReplayServer) -> Result<Credentials, CredentialsError> {
        let config = ProviderConfig::new()
            .with_env(Env::from_vars([("HOME", self.dir.display().to_string())]))
            .with_profile_name(profile)
            .with_http_client(Redirect::to(server.addr))
            .with_time_source(Arc::new(FixedTime(UNIX_EPOCH + Duration::from_secs(NOW))));
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(ProfileProvider::new(&config).credentials())
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn rfc3339(seconds: u64) -> String {
    awsgen_runtime::DateTime::from_secs(seconds as i64).format(awsgen_runtime::TimestampFormat::DateTime)
}

fn session_token(expires_at: u64) -> Value {
    json!({
        "accessToken": "old-access-token",
        "expiresAt": rfc3339(expires_at),
        "refreshToken": "old-refresh-token",
        "clientId": "client-id",
        "clientSecret": "client-secret",
        "registrationExpiresAt": rfc3339(NOW + 86_400),
        "region": "eu-west-1",
        "startUrl": "https://corp.awsapps.com/start"
    })
}

fn create_token(status: u16, body: Value) -> Exchange {
    let mut headers = vec![("content-type".to_owned(), "application/json".to_owned())];
    if status != 200 {
        headers.push(("x-amzn-errortype".to_owned(), "InvalidGrantException".to_owned()));
    }
    Exchange {
        method: "POST".into(),
        target: "oidc.eu-west-1.amazonaws.com/token".into(),
        status,
        response_headers: headers,
        response_body: body.to_string().into_bytes(),
        ..Exchange::default()
    }
}

fn get_role_credentials(host: &str, token: &str) -> Exchange {
    let body = json!({"roleCredentials": {
        "accessKeyId": "ASIAROLE", "secretAccessKey": "role-secret", "sessionToken": "role-session",
        "expiration": (NOW + 3600) * 1000
    }});
    Exchange {
        method: "GET".into(),
        target: format!("{host}/federation/credentials?account_id=111122223333&role_name=Reader"),
        headers: vec![("x-amz-sso_bearer_token".into(), token.into())],
        status: 200,
        response_headers: vec![("content-type".into(), "application/json".into())],
        response_body: body.to_string().into_bytes(),
        ..Exchange::default()
    }
}

fn role_credentials() -> Credentials {
    Credentials::new("ASIAROLE", "role-secret", Some("role-session".into()))
        .with_expiry(UNIX_EPOCH + Duration::from_secs(NOW + 3600))
        .with_account_id("111122223333")
}

fn body_json(seen: &Seen) -> Value {
    serde_json::from_slice(&seen.body).unwrap()
}

#[test]
fn a_valid_session_token_is_used_as_cached() {
    let home = Home::new(SESSION_CONFIG);
    home.write_cache(CORP, &session_token(NOW + 3600));
    let server =
        ReplayServer::start(vec![get_role_credentials("portal.sso.eu-west-1.amazonaws.com", "old-access-token")]);
    let result = home.credentials("dev", &server);
    server.finish().unwrap();
    assert_eq!(result.unwrap(), role_credentials());
    assert_eq!(home.read_cache(CORP), session_token(NOW + 3600), "nothing to write back");
}

#[test]
fn an_expiring_session_token_is_refreshed_and_the_cache_written_back() {
    let home = Home::new(SESSION_CONFIG);
    home.write_cache(CORP, &session_token(NOW + 60)); // within the 5 minute window
    let fresh = json!({"accessToken": "new-access-token", "expiresIn": 28_800, "refreshToken": "new-refresh-token",
                       "tokenType": "Bearer"});
    let server = ReplayServer::start(vec![
        create_token(200, fresh),
        get_role_credentials("portal.sso.eu-west-1.amazonaws.com", "new-access-token"),
    ]);
    let result = home.credentials("dev", &server);
    let seen = server.finish().unwrap();
    assert_eq!(result.unwrap(), role_credentials());

    let request = body_json(&seen[0]);
    assert_eq!(request["grantType"], "refresh_token");
    assert_eq!(request["refreshToken"], "old-refresh-token");
    assert_eq!(request["clientId"], "client-id");
    assert_eq!(request["clientSecret"], "client-secret");
    assert!(seen[0].header("authorization").is_none(), "CreateToken is unsigned");

    let cache = home.read_cache(CORP);
    assert_eq!(cache["accessToken"], "new-access-token");
    assert_eq!(cache["expiresAt"], rfc3339(NOW + 28_800));
    assert_eq!(cache["refreshToken"], "new-refresh-token");
    assert_eq!(cache["clientSecret"], "client-secret", "the rest of the file is kept");
    assert_eq!(cache["startUrl"], "https://corp.awsapps.com/start");
}

#[test]
fn a_failed_refresh_of_a_still_valid_token_uses_the_cached_one() {
    let home = Home::new(SESSION_CONFIG);
    home.write_cache(CORP, &session_token(NOW + 60));
    let server = ReplayServer::start(vec![
        create_token(400, json!({"error": "invalid_grant", "error_description": "refresh token revoked"})),
        get_role_credentials("portal.sso.eu-west-1.amazonaws.com", "old-access-token"),
    ]);
    let result = home.credentials("dev", &server);
    server.finish().unwrap();
    assert_eq!(result.unwrap(), role_credentials());
    assert_eq!(home.read_cache(CORP)["accessToken"], "old-access-token");
}

#[test]
fn an_expired_session_token_that_cannot_be_refreshed_says_how_to_log_in_and_shows_no_secret() {
    let home = Home::new(SESSION_CONFIG);
    home.write_cache(CORP, &session_token(NOW - 60));
    let server = ReplayServer::start(vec![create_token(
        400,
        json!({"error": "invalid_grant", "error_description": "refresh token revoked"}),
    )]);
    let error = home.credentials("dev", &server).unwrap_err();
    server.finish().unwrap();
    let text = format!("{error} {error:?}");
    assert!(text.contains("expired at 2023-12-31T23:59:00Z"), "{text}");
    assert!(text.contains("InvalidGrantException"), "{text}");
    assert!(text.contains("refresh token revoked"), "OAuth's error_description is the message: {text}");
    assert!(text.contains("aws sso login --sso-session corp"), "{text}");
    for secret in ["old-access-token", "old-refresh-token", "client-secret"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
}

#[test]
fn an_expired_legacy_token_is_not_refreshed_and_says_how_to_log_in() {
    let home = Home::new(LEGACY_CONFIG);
    let mut token = session_token(NOW - 1);
    token["startUrl"] = "https://legacy.awsapps.com/start".into();
    home.write_cache(LEGACY, &token);
    let server = ReplayServer::start(Vec::new());
    let error = home.credentials("old", &server).unwrap_err();
    server.finish().unwrap(); // no CreateToken, no GetRoleCredentials
    assert!(error.to_string().contains("the SSO token of profile `old` expired"), "{error}");
    assert!(error.to_string().contains("aws sso login --profile old"), "{error}");
}

#[test]
fn a_legacy_profile_reads_the_cache_named_by_its_start_url() {
    let home = Home::new(LEGACY_CONFIG);
    home.write_cache(
        LEGACY,
        &json!({"accessToken": "legacy-token",
                                                                "expiresAt": rfc3339(NOW + 3600)}),
    );
    let server = ReplayServer::start(vec![get_role_credentials("portal.sso.us-east-2.amazonaws.com", "legacy-token")]);
    let result = home.credentials("old", &server);
    server.finish().unwrap();
    assert_eq!(result.unwrap(), role_credentials());
}

#[test]
fn incomplete_session_settings_are_refused_naming_the_profile() {
    let cases = [
        ("[profile dev]\nsso_session = nowhere\nsso_account_id = 1\nsso_role_name = R\n", "no [sso-session nowhere] section"),
        ("[profile dev]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = R\n[sso-session corp]\nsso_region = eu-west-1\n",
         "sso-session `corp` (of profile `dev`) sets no sso_start_url"),
        ("[profile dev]\nsso_session = corp\nsso_region = us-west-2\nsso_account_id = 1\nsso_role_name = R\n\
          [sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n",
         "sets sso_region unlike its sso-session `corp`"),
        ("[profile dev]\nsso_session = corp\nsso_account_id = 1\n[sso-session corp]\n", "sets no sso_role_name"),
        ("[profile dev]\nsso_start_url = https://x.awsapps.com/start\nsso_account_id = 1\nsso_role_name = R\n",
         "sets no sso_region"),
    ];
    for (config, expected) in cases {
        let home = Home::new(config);
        let server = ReplayServer::start(Vec::new());
        let error = home.credentials("dev", &server).unwrap_err();
        server.finish().unwrap();
        assert!(error.to_string().contains("profile `dev`"), "{error}");
        assert!(error.to_string().contains(expected), "{error} lacks {expected:?}");
    }
}

#[test]
fn a_missing_or_oversized_cache_file_is_named_and_refused() {
    let home = Home::new(SESSION_CONFIG);
    let server = ReplayServer::start(Vec::new());
    let error = home.credentials("dev", &server).unwrap_err();
    assert!(error.to_string().contains(&format!("failed to read `{}`", home.cache_file(CORP).display())), "{error}");
    std::fs::write(home.cache_file(CORP), vec![b' '; 100 * 1024]).unwrap();
    let error = home.credentials("dev", &server).unwrap_err();
    server.finish().unwrap();
    assert!(error.to_string().contains("larger than"), "{error}");
}

#[test]
fn a_cache_file_that_is_not_a_token_never_has_its_content_quoted() {
    let home = Home::new(SESSION_CONFIG);
    home.write_cache(CORP, &json!({"accessToken": 12345, "expiresAt": "SECRET-LOOKING"}));
    let server = ReplayServer::start(Vec::new());
    let error = home.credentials("dev", &server).unwrap_err();
    server.finish().unwrap();
    assert!(error.to_string().contains("no accessToken"), "{error}");
    assert!(!error.to_string().contains("12345") && !error.to_string().contains("SECRET"), "{error}");
}

#[test]
fn sso_endpoint_urls_come_from_the_environment_per_service() {
    let home = Home::new(SESSION_CONFIG);
    home.write_cache(CORP, &session_token(NOW + 60));
    let fresh = json!({"accessToken": "new-access-token", "expiresIn": 3600});
    let mut refresh = create_token(200, fresh);
    refresh.target = "oidc.example.test/token".into();
    let server = ReplayServer::start(vec![refresh, get_role_credentials("sso.example.test", "new-access-token")]);
    let env = Env::from_vars([
        ("HOME", home.dir.display().to_string()),
        ("AWS_ENDPOINT_URL_SSO_OIDC", "http://oidc.example.test".to_owned()),
        ("AWS_ENDPOINT_URL_SSO", "http://sso.example.test".to_owned()),
    ]);
    let config = ProviderConfig::new()
        .with_env(env)
        .with_profile_name("dev")
        .with_http_client(Redirect::to(server.addr))
        .with_time_source(Arc::new(FixedTime(UNIX_EPOCH + Duration::from_secs(NOW))));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let result = runtime.block_on(ProfileProvider::new(&config).credentials());
    server.finish().unwrap();
    assert_eq!(result.unwrap(), role_credentials());
}
