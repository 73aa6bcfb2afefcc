//! The generated STS crate (awsQuery) against a 127.0.0.1 server answering as STS does: the form
//! sent, credentials parsed from XML, XML errors mapped to the modeled errors, hostile XML refused.

mod support;

use awsgen_sts::error::SdkError;
use awsgen_sts::operation::assume_role::{AssumeRoleError, AssumeRoleOutput};
use awsgen_sts::types::Tag;
use awsgen_sts::{Client, RequestId};
use std::time::Duration;
use support::{Reply, Server};

const ASSUME_ROLE: &str = r#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <SourceIdentity>DevUser123</SourceIdentity>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/demo/John</Arn>
      <AssumedRoleId>ARO123EXAMPLE123:John</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <SessionToken>AQoDYXdzEPT//////////wEXAMPLE</SessionToken>
      <Expiration>2019-11-09T13:34:41Z</Expiration>
    </Credentials>
    <PackedPolicySize>6</PackedPolicySize>
  </AssumeRoleResult>
  <ResponseMetadata>
    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
  </ResponseMetadata>
</AssumeRoleResponse>"#;

fn error_body(code: &str, message: &str) -> String {
    format!(
        "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <Error>\n    <Type>Sender</Type>\n    \
         <Code>{code}</Code>\n    <Message>{message}</Message>\n  </Error>\n  <RequestId>err-1</RequestId>\n</ErrorResponse>"
    )
}

fn client(server: &Server) -> Client {
    Client::new(support::quick_config(server))
}

async fn assume_role(client: &Client) -> Result<AssumeRoleOutput, SdkError<AssumeRoleError>> {
    let tag = Tag::builder().key("Project").value("a b&c").build().unwrap();
    let call = client
        .assume_role()
        .role_arn("arn:aws:iam::123456789012:role/demo")
        .role_session_name("John")
        .duration_seconds(3600)
        .tags(vec![tag])
        .transitive_tag_keys(vec!["Project".to_owned()])
        .send();
    tokio::time::timeout(Duration::from_secs(30), call).await.expect("the call finishes in bounded time")
}

#[tokio::test]
async fn assume_role_sends_a_signed_form_and_reads_the_credentials() {
    let server = Server::start(|_, _| Reply::xml(200, ASSUME_ROLE)).await;
    let output = assume_role(&client(&server)).await.unwrap();

    let sent = &server.requests()[0];
    assert_eq!((sent.method.as_str(), sent.target.as_str()), ("POST", "/"));
    assert_eq!(sent.header("content-type"), Some("application/x-www-form-urlencoded; charset=utf-8"));
    assert_eq!(sent.signature, Ok(()));
    assert_eq!(
        String::from_utf8_lossy(&sent.body),
        "Action=AssumeRole&Version=2011-06-15&DurationSeconds=3600\
         &RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo&RoleSessionName=John\
         &Tags.member.1.Key=Project&Tags.member.1.Value=a%20b%26c&TransitiveTagKeys.member.1=Project"
    );

    let credentials = output.credentials().expect("credentials");
    assert_eq!(credentials.access_key_id(), "ASIAIOSFODNN7EXAMPLE");
    assert_eq!(credentials.secret_access_key(), "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY");
    assert_eq!(credentials.session_token(), "AQoDYXdzEPT//////////wEXAMPLE");
    assert_eq!(credentials.expiration().secs(), 1_573_306_481); // 2019-11-09T13:34:41Z
    assert_eq!(output.assumed_role_user().map(|u| u.arn()), Some("arn:aws:sts::123456789012:assumed-role/demo/John"));
    assert_eq!((output.packed_policy_size(), output.source_identity()), (Some(6), Some("DevUser123")));
    assert_eq!(output.request_id(), Some("c6104cbe-af31-11e0-8154-cbc7ccf896c7"));
}

#[tokio::test]
async fn xml_errors_map_to_the_modeled_errors() {
    let server = Server::start(|_, index| match index {
        0 => Reply::xml(
            400,
            &error_body("ExpiredTokenException", "The security token included in the request is expired"),
        ),
        1 => Reply::xml(403, &error_body("RegionDisabledException", "STS is not activated in this region")),
        _ => Reply::xml(400, &error_body("SomethingNew", "new")),
    })
    .await;
    let client = client(&server);

    let Err(SdkError::Service(expired)) = assume_role(&client).await else { panic!("expected a service error") };
    let AssumeRoleError::ExpiredToken(inner) = &expired else { panic!("{expired:?}") };
    assert_eq!(inner.message(), Some("The security token included in the request is expired"));
    assert_eq!(expired.meta().request_id(), Some("err-1"));
    assert_eq!(
        expired.to_string(),
        "ExpiredTokenException: The security token included in the request is expired (HTTP 400, request id err-1)"
    );

    let Err(SdkError::Service(disabled)) = assume_role(&client).await else { panic!("expected a service error") };
    assert!(matches!(disabled, AssumeRoleError::RegionDisabled(_)), "{disabled:?}");

    let Err(SdkError::Service(unknown)) = assume_role(&client).await else { panic!("expected a service error") };
    assert!(matches!(unknown, AssumeRoleError::Unhandled(_)), "{unknown:?}");
    assert_eq!((unknown.code(), unknown.meta().message()), (Some("SomethingNew"), Some("new")));
    assert_eq!(server.requests().len(), 3, "4xx errors are not retried");
}

#[tokio::test]
async fn get_caller_identity_has_no_members_to_send() {
    let body = "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/Alice</Arn>\
                <UserId>AIDA</UserId><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>";
    let server = Server::start(move |_, _| Reply::xml(200, body)).await;
    let output = client(&server).get_caller_identity().send().await.unwrap();
    assert_eq!(String::from_utf8_lossy(&server.requests()[0].body), "Action=GetCallerIdentity&Version=2011-06-15");
    assert_eq!((output.account(), output.user_id()), (Some("123456789012"), Some("AIDA")));
}

#[tokio::test]
async fn hostile_xml_is_a_parse_error_that_names_no_value() {
    let deep = format!("<AssumeRoleResponse>{}{}</AssumeRoleResponse>", "<a>".repeat(10_000), "</a>".repeat(10_000));
    let entities = r#"<!DOCTYPE r [<!ENTITY x "secret">]><AssumeRoleResponse>&x;</AssumeRoleResponse>"#;
    let wrong_type = ASSUME_ROLE.replace("<PackedPolicySize>6<", "<PackedPolicySize>hunter2<");
    let bodies = [deep, entities.to_owned(), wrong_type, "<AssumeRoleResponse><unclosed>".to_owned()];
    let replies = bodies.clone();
    let server = Server::start(move |_, index| Reply::xml(200, &replies[index])).await;
    let client = client(&server);
    let mut details = Vec::new();
    for _ in &bodies {
        let Err(SdkError::Parse(error)) = assume_role(&client).await else { panic!("expected a parse error") };
        assert!(!error.to_string().contains("hunter2") && !error.to_string().contains("secret"), "{error}");
        details.push(error.detail().to_owned());
    }
    assert_eq!(details[0], "elements nest deeper than 100");
    assert_eq!(details[1], "a DTD is not allowed");
    assert_eq!(details[2], "at AssumeRoleResponse/AssumeRoleResult/PackedPolicySize: expected a whole number");
    assert_eq!(details[3], "at AssumeRoleResponse/unclosed: the body ends inside this element");
    assert_eq!(server.requests().len(), bodies.len(), "unparsable responses are not retried");
}

/// IAM answers policy documents percent-encoded; they read as the JSON text they are, as
/// botocore reads them (its `json_decode_policies`), in every structure that holds one.
#[tokio::test]
async fn iam_policy_documents_read_as_json_text() {
    const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}"#;
    let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C\
        %22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D";
    let body = format!(
        "<ListRolesResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><ListRolesResult><Roles><member>\
         <RoleName>ops</RoleName><AssumeRolePolicyDocument>{encoded}</AssumeRolePolicyDocument></member></Roles>\
         <IsTruncated>false</IsTruncated></ListRolesResult></ListRolesResponse>"
    );
    let server = Server::start(move |_, _| Reply::xml(200, &body)).await;
    let client = awsgen_iam::Client::new(support::quick_config(&server));
    let roles = tokio::time::timeout(Duration::from_secs(30), client.list_roles().send()).await.unwrap().unwrap();
    assert_eq!(roles.roles()[0].assume_role_policy_document(), Some(POLICY));
}

/// AssumeRoleWithWebIdentity is how a caller without credentials gets some: it is sent unsigned
/// (the model's `authtype: none`, botocore's `disable_signing`), and needs no credentials.
#[tokio::test]
async fn an_unsigned_operation_needs_no_credentials() {
    const ANSWER: &str = "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult>\
        <Credentials><AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken>\
        <Expiration>2030-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleWithWebIdentityResult>\
        </AssumeRoleWithWebIdentityResponse>";
    let server = Server::start_anonymous(|_, _| Reply::xml(200, ANSWER)).await;
    let config = awsgen_runtime::Config::builder().region("us-east-1").endpoint_url(&server.url).build();
    let call = Client::new(config)
        .assume_role_with_web_identity()
        .role_arn("arn:aws:iam::123456789012:role/web")
        .role_session_name("app")
        .web_identity_token("eyJ.token")
        .send();
    let output = tokio::time::timeout(Duration::from_secs(30), call).await.unwrap().unwrap();
    assert_eq!(output.credentials().map(|c| c.access_key_id.as_str()), Some("ASIA1"));
    let request = &server.requests()[0];
    assert_eq!(request.header("authorization"), None, "sent unsigned");
    assert_eq!(request.header("x-amz-date"), None);
}
