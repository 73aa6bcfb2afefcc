//! Bearer auth (`smithy.api#httpBearerAuth`): CodeCatalyst, whose only scheme it is, sends
//! `Authorization: Bearer <token>` and no SigV4 headers, with a token from code or from the SSO
//! token cache of a profile; a service that takes both schemes uses the first its config can.

mod support;

use awsgen_codecatalyst::config::BearerSettings;
use awsgen_codecatalyst::{Client, Config};
use awsgen_config::{ConfigLoader, Env, ProviderConfig};
use awsgen_runtime::endpoint_rules::Params;
use awsgen_runtime::http::Response;
use awsgen_runtime::{
    AuthScheme, BuildError, Credentials, ErrorResponse, Operation, ParseError, Protocol, Request, SdkError, Service,
    Token,
};
use serde_json::json;
use support::{Received, Reply, Server};

fn spaces(_: &Received, _: usize) -> Reply {
    Reply::json(200, json!({"items": [{"name": "team", "regionName": "us-west-2"}]}))
}

#[tokio::test]
async fn a_token_goes_in_the_authorization_header_and_nothing_is_signed() {
    let server = Server::start(spaces).await;
    let config = Config::builder()
        .region("us-west-2")
        .endpoint_url(&server.url)
        .bearer_token(Token::new("team-token", None))
        .build();
    let output = Client::new(config).list_spaces().send().await.unwrap();
    assert_eq!(output.items()[0].name(), "team");
    let request = &server.requests()[0];
    assert_eq!(request.header("authorization"), Some("Bearer team-token"));
    assert_eq!((request.header("x-amz-date"), request.header("x-amz-security-token")), (None, None));
}

#[tokio::test]
async fn credentials_alone_do_not_reach_a_bearer_service() {
    let server = Server::start(spaces).await;
    let config = support::quick_config(&server);
    let error = Client::new(config).list_spaces().send().await.unwrap_err();
    let SdkError::Build(BuildError::Config { detail }) = &error else { panic!("{error:?}") };
    assert!(detail.starts_with("no bearer token set"), "{detail}");
    assert!(server.requests().is_empty());
}

/// The loader's token comes from the SSO cache of the chosen profile: the cross-SDK case
/// `default-token-provider-chain/profile_name`, whose cached token is `foobarbaz`.
#[tokio::test]
async fn the_loader_finds_the_sso_token_of_the_profile() {
    let case =
        xtask::workspace_root().join("../shared/credentials-tests/default-token-provider-chain/profile_name/fs/home");
    if !case.exists() {
        assert!(std::env::var_os("CI").is_none(), "CI needs ../shared/credentials-tests beside the checkout");
        return eprintln!("skipped: no ../shared/credentials-tests beside this checkout");
    }
    let server = Server::start(spaces).await;
    let env = Env::from_vars([
        ("HOME".to_owned(), case.display().to_string()),
        ("AWS_PROFILE".to_owned(), "correct-sso".to_owned()),
        ("AWS_ENDPOINT_URL".to_owned(), server.url.clone()),
    ]);
    let config = ConfigLoader::default().provider_config(ProviderConfig::new().with_env(env)).try_load().await.unwrap();
    Client::new(config).list_spaces().send().await.unwrap();
    assert_eq!(server.requests()[0].header("authorization"), Some("Bearer foobarbaz"));
}

/// A service taking SigV4 first and bearer second (as Bedrock does).
static BOTH: Service = Service {
    service_id: "Both",
    api_version: "2024-01-01",
    endpoint_prefix: "both",
    signing_name: "both",
    protocol: Protocol::RestJson,
    auth: &[AuthScheme::SigV4, AuthScheme::Bearer],
    endpoint_rules: None,
    headers: &[],
};

struct Ping;

impl Operation for Ping {
    type Output = ();
    type Error = ();
    const NAME: &'static str = "Ping";

    fn request(&self) -> Result<Request, BuildError> {
        Ok(Request::rest("GET", "/ping"))
    }

    fn parse_output(_: &Response) -> Result<(), ParseError> {
        Ok(())
    }

    fn parse_error(_: ErrorResponse) {}

    fn endpoint_params(&self, _: &mut Params) {}
}

#[tokio::test]
async fn a_service_with_two_schemes_uses_the_first_the_config_can() {
    let server = Server::start(|_, _| Reply::json(200, json!({}))).await;
    let builder = || Config::builder().region("us-west-2").endpoint_url(&server.url);
    let token = Token::new("both-token", None);
    let credentials = Credentials::new(support::ACCESS_KEY, support::SECRET_KEY, None);
    let both = builder().bearer_token(token.clone()).credentials(credentials).build();
    awsgen_runtime::Client::new(both, &BOTH).send(Ping).await.unwrap();
    let token_only = builder().bearer_token(token).build();
    awsgen_runtime::Client::new(token_only, &BOTH).send(Ping).await.unwrap();
    let authorizations: Vec<_> =
        server.requests().iter().map(|request| request.header("authorization").unwrap().to_owned()).collect();
    assert!(authorizations[0].starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"), "{}", authorizations[0]);
    assert_eq!(authorizations[1], "Bearer both-token");
}

#[test]
fn a_token_never_shows_in_debug() {
    let token = Token::new("secret-token", None);
    let config = Config::builder().bearer_token(token.clone()).build();
    for shown in [format!("{token:?}"), format!("{config:?}")] {
        assert!(!shown.contains("secret-token"), "{shown}");
    }
}
