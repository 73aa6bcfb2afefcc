//! The generated ec2-protocol fixture (specs/fixtures/ec2-query.json) against a 127.0.0.1 server
//! answering as EC2 does: EC2's form keys and lists, outputs without a result wrapper, its
//! `<Response><Errors><Error>` errors, hostile XML refused.

mod support;

use awsgen_fixture_ec2::error::SdkError;
use awsgen_fixture_ec2::operation::describe_instances::{DescribeInstancesError, DescribeInstancesOutput};
use awsgen_fixture_ec2::types::{Filter, InstanceStateName, Placement};
use awsgen_fixture_ec2::{Client, RequestId};
use std::time::Duration;
use support::{Reply, Server};

const DESCRIBE_INSTANCES: &str = r#"<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>8f7724cf-496f-496e-8fe3-example</requestId>
  <reservationSet>
    <item>
      <reservationId>r-1234567890abcdef0</reservationId>
      <instancesSet>
        <item>
          <instanceId>i-1234567890abcdef0</instanceId>
          <launchTime>2019-11-09T13:34:41.000Z</launchTime>
          <instanceState><code>16</code><name>running</name></instanceState>
          <placement><zone>eu-west-1a</zone></placement>
          <tagSet>
            <item><key>Name</key><value>web</value></item>
            <item><key>Team</key><value>a &amp; b</value></item>
          </tagSet>
        </item>
        <item><instanceId>i-0598c7d356eba48d7</instanceId><instanceState><name>hibernating</name></instanceState><placement><tenancy>host</tenancy></placement></item>
      </instancesSet>
    </item>
    <item><reservationId>r-2</reservationId><instancesSet/></item>
  </reservationSet>
  <nextToken>page-2</nextToken>
</DescribeInstancesResponse>"#;

fn client(server: &Server) -> Client {
    Client::new(support::quick_config(server))
}

async fn describe_instances(client: &Client) -> Result<DescribeInstancesOutput, SdkError<DescribeInstancesError>> {
    let call = client.describe_instances().instance_ids(vec!["i-1".to_owned(), "i-2".to_owned()]).max_results(5).send();
    tokio::time::timeout(Duration::from_secs(30), call).await.expect("the call finishes in bounded time")
}

#[tokio::test]
async fn describe_regions_sends_ec2_keys_and_lists() {
    let body = "<DescribeRegionsResponse><requestId>req-1</requestId><regionInfo>\
                <item><regionName>eu-west-1</regionName><regionEndpoint>ec2.eu-west-1.amazonaws.com</regionEndpoint>\
                <optInStatus>opt-in-not-required</optInStatus></item>\
                <item><regionName>us-east-1</regionName></item></regionInfo></DescribeRegionsResponse>";
    let server = Server::start(move |_, _| Reply::xml(200, body)).await;
    let filter = Filter::builder().name("endpoint").values(vec!["*eu*".to_owned(), "a b".to_owned()]).build();
    let output = client(&server)
        .describe_regions()
        .region_names(vec!["eu-west-1".to_owned(), "us-east-1".to_owned()])
        .filters(vec![filter, Filter::builder().name("empty").build()])
        .dry_run(false)
        .all_regions(true)
        .attribute("x")
        .scope(Placement::GroupName("g 1".to_owned()))
        .send()
        .await
        .unwrap();

    let sent = &server.requests()[0];
    assert_eq!((sent.method.as_str(), sent.target.as_str()), ("POST", "/"));
    assert_eq!(sent.header("content-type"), Some("application/x-www-form-urlencoded; charset=utf-8"));
    assert_eq!(sent.signature, Ok(()));
    // `dryRun` is capitalised, `ExplicitAttribute` is the queryName, lists have no `.member`,
    // and the second filter's empty list is left out.
    assert_eq!(
        String::from_utf8_lossy(&sent.body),
        "Action=DescribeRegions&Version=2016-11-15&AllRegions=true&ExplicitAttribute=x&DryRun=false\
         &Filter.1.Name=endpoint&Filter.1.Value.1=%2Aeu%2A&Filter.1.Value.2=a%20b&Filter.2.Name=empty\
         &RegionName.1=eu-west-1&RegionName.2=us-east-1&Scope.GroupName=g%201"
    );

    let regions: Vec<_> = output.regions().iter().map(|r| (r.region_name(), r.endpoint())).collect();
    assert_eq!(regions, [(Some("eu-west-1"), Some("ec2.eu-west-1.amazonaws.com")), (Some("us-east-1"), None)]);
    assert_eq!(output.request_id(), Some("req-1"));
}

#[tokio::test]
async fn describe_instances_reads_nested_lists_without_a_result_wrapper() {
    let server = Server::start(|_, _| Reply::xml(200, DESCRIBE_INSTANCES)).await;
    let output = describe_instances(&client(&server)).await.unwrap();
    assert_eq!(
        String::from_utf8_lossy(&server.requests()[0].body),
        "Action=DescribeInstances&Version=2016-11-15&InstanceId.1=i-1&InstanceId.2=i-2&MaxResults=5"
    );

    let reservations = output.reservations();
    assert_eq!(reservations.len(), 2);
    assert_eq!(reservations[0].reservation_id(), Some("r-1234567890abcdef0"));
    assert!(reservations[1].instances().is_empty());
    let [running, other] = reservations[0].instances() else { panic!("two instances") };
    assert_eq!(running.instance_id(), Some("i-1234567890abcdef0"));
    assert_eq!(running.launch_time().map(|t| t.secs()), Some(1_573_306_481));
    let state = running.state().expect("state");
    assert_eq!((state.code(), state.name()), (Some(16), Some(&InstanceStateName::Running)));
    let tags: Vec<_> = running.tags().iter().map(|t| (t.key(), t.value())).collect();
    assert_eq!(tags, [(Some("Name"), Some("web")), (Some("Team"), Some("a & b"))]);
    // A union reads as the member its element names; one this crate does not know is `Unknown`.
    assert_eq!(running.placement(), Some(&Placement::Zone("eu-west-1a".to_owned())));
    assert_eq!(other.placement(), Some(&Placement::Unknown));
    let unknown = other.state().and_then(|s| s.name()).expect("a state name");
    assert_eq!(unknown.as_str(), "hibernating");
    assert_eq!((output.next_token(), output.request_id()), (Some("page-2"), Some("8f7724cf-496f-496e-8fe3-example")));
}

fn error_body(code: &str) -> String {
    format!(
        "<Response><Errors><Error><Code>{code}</Code><Message>Invalid id: \"i-1\"</Message></Error></Errors>\
         <RequestID>err-1</RequestID></Response>"
    )
}

#[tokio::test]
async fn ec2_errors_map_to_the_modeled_error() {
    let server = Server::start(|_, index| match index {
        0 => Reply::xml(400, &error_body("InvalidInstanceID.Malformed")),
        _ => Reply::xml(400, &error_body("UnauthorizedOperation")),
    })
    .await;
    let client = client(&server);

    let Err(SdkError::Service(malformed)) = describe_instances(&client).await else { panic!("a service error") };
    let DescribeInstancesError::InvalidInstanceIdMalformed(inner) = &malformed else { panic!("{malformed:?}") };
    assert_eq!(inner.message(), Some("Invalid id: \"i-1\""));
    assert_eq!(malformed.meta().request_id(), Some("err-1"));
    assert_eq!(malformed.to_string(), "InvalidInstanceID.Malformed: Invalid id: \"i-1\" (HTTP 400, request id err-1)");

    let Err(SdkError::Service(other)) = describe_instances(&client).await else { panic!("a service error") };
    assert!(matches!(other, DescribeInstancesError::Unhandled(_)), "{other:?}");
    assert_eq!(other.code(), Some("UnauthorizedOperation"));
    assert_eq!(server.requests().len(), 2, "4xx errors are not retried");
}

#[tokio::test]
async fn hostile_xml_is_a_parse_error_that_names_no_value() {
    let wrong_type = DESCRIBE_INSTANCES.replace("<code>16<", "<code>hunter2<");
    let bodies = [wrong_type, "<DescribeInstancesResponse><reservationSet>".to_owned()];
    let replies = bodies.clone();
    let server = Server::start(move |_, index| Reply::xml(200, &replies[index])).await;
    let client = client(&server);
    let mut details = Vec::new();
    for _ in &bodies {
        let Err(SdkError::Parse(error)) = describe_instances(&client).await else { panic!("a parse error") };
        assert!(!error.to_string().contains("hunter2"), "{error}");
        details.push(error.detail().to_owned());
    }
    assert_eq!(
        details[0],
        "at DescribeInstancesResponse/reservationSet/item/instancesSet/item/instanceState/code: expected a whole number"
    );
    assert_eq!(details[1], "at DescribeInstancesResponse/reservationSet: the body ends inside this element");
}
