//! Whole services against `moto_server` (moto 5.2.1): the generated STS, IAM, SNS (awsQuery),
//! EC2 (ec2), CloudFormation (awsQuery) and Route 53 (restXml) clients create, list, page through and delete real
//! resources, and read moto's errors as typed ones; awsgen-config assumes a profile's role through
//! moto's STS. Each test starts its own server on 127.0.0.1 (`support::moto`), so nothing is
//! shared and nothing reaches the internet.
//!
//! Needs `moto_server` on PATH: `python3 -m pip install 'moto[server]==5.2.1'`. Without it every
//! test fails saying so.

mod support;

use std::future::Future;
use std::time::{Duration, SystemTime};
use support::moto::Moto;

/// The account moto answers for, whatever the credentials.
const ACCOUNT: &str = "123456789012";

/// Every call is bounded, so a hung server fails the test instead of stalling the run.
async fn bounded<T>(call: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(60), call).await.expect("moto answers within 60 s")
}

/// A port another process listens on is not mistaken for moto's: its server fails to bind and
/// says so (`Moto::start` then tries another port).
#[test]
fn a_taken_port_is_reported_not_used() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();

    let failure = Moto::try_start(port).err().expect("moto can't bind a taken port");

    assert!(failure.contains("exited"), "{failure}");
    assert!(failure.contains("Address already in use"), "{failure}");
}

mod sts {
    use super::*;
    use awsgen_sts::Client;

    #[tokio::test]
    async fn get_caller_identity_names_motos_account() {
        let moto = Moto::start();
        let client = Client::new(moto.config());

        let identity = bounded(client.get_caller_identity().send()).await.unwrap();

        assert_eq!(identity.account(), Some(ACCOUNT));
        assert_eq!(identity.arn(), Some("arn:aws:sts::123456789012:user/moto"));
        assert!(identity.user_id().is_some_and(|id| !id.is_empty()), "{identity:?}");
    }

    #[tokio::test]
    async fn assume_role_returns_credentials_that_expire() {
        let moto = Moto::start();
        let client = Client::new(moto.config());
        let before = SystemTime::now();

        let output = bounded(
            client
                .assume_role()
                .role_arn("arn:aws:iam::123456789012:role/e2e")
                .role_session_name("moto-e2e")
                .duration_seconds(900)
                .send(),
        )
        .await
        .unwrap();

        let credentials = output.credentials().expect("credentials");
        assert!(credentials.access_key_id().starts_with("ASIA"), "{credentials:?}");
        assert!(!credentials.secret_access_key().is_empty());
        assert!(!credentials.session_token().is_empty());
        let expires_in = SystemTime::from(credentials.expiration()).duration_since(before).expect("expiry is ahead");
        assert!((Duration::from_secs(800)..Duration::from_secs(1000)).contains(&expires_in), "{expires_in:?}");
        let user = output.assumed_role_user().expect("assumed role user");
        assert_eq!(user.arn(), "arn:aws:sts::123456789012:assumed-role/e2e/moto-e2e");
        assert!(user.assumed_role_id().ends_with(":moto-e2e"), "{user:?}");

        // Signing with them (session token included), moto knows the caller as the role.
        let assumed = awsgen_runtime::Credentials::new(
            credentials.access_key_id(),
            credentials.secret_access_key(),
            Some(credentials.session_token().to_owned()),
        );
        let as_role = Client::new(moto.config_builder().credentials(assumed).build());
        let identity = bounded(as_role.get_caller_identity().send()).await.unwrap();
        assert_eq!(identity.arn(), Some(user.arn()));
    }
}

/// The credential chain as the CLI would run it: a profile whose role is assumed through moto's
/// STS with the source profile's keys, then used to sign.
mod profile {
    use super::*;
    use awsgen_config::{ConfigLoader, Env, ProviderConfig};

    #[tokio::test]
    async fn a_role_profile_assumes_its_role_through_motos_sts() {
        let moto = Moto::start();
        let dir = std::env::temp_dir().join(format!("awsgen-moto-profile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let config = format!(
            "[profile ops]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/ops\nsource_profile = base\n\
             region = us-east-1\nendpoint_url = {}\n",
            moto.url
        );
        std::fs::write(dir.join("config"), config).unwrap();
        std::fs::write(dir.join("credentials"), "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base\n")
            .unwrap();
        let env = Env::from_vars([
            ("AWS_CONFIG_FILE".to_owned(), dir.join("config").display().to_string()),
            ("AWS_SHARED_CREDENTIALS_FILE".to_owned(), dir.join("credentials").display().to_string()),
            ("AWS_PROFILE".to_owned(), "ops".to_owned()),
            ("AWS_EC2_METADATA_DISABLED".to_owned(), "true".to_owned()),
        ]);

        let loaded = ConfigLoader::default().provider_config(ProviderConfig::new().with_env(env)).load().await;
        let identity = bounded(awsgen_sts::Client::new(loaded).get_caller_identity().send()).await;
        std::fs::remove_dir_all(&dir).unwrap();

        let arn = identity.unwrap().arn().unwrap_or_default().to_owned();
        assert!(arn.starts_with(&format!("arn:aws:sts::{ACCOUNT}:assumed-role/ops/")), "{arn}");
    }
}

mod iam {
    use super::*;
    use awsgen_iam::error::SdkError;
    use awsgen_iam::operation::get_user::GetUserError;
    use awsgen_iam::pagination::TryStreamExt;
    use awsgen_iam::Client;

    const NAMES: [&str; 5] = ["ada", "bob", "cyd", "dee", "eve"];

    const TRUST_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

    async fn create_users(client: &Client) {
        for name in NAMES {
            let output = bounded(client.create_user().user_name(name).path("/e2e/").send()).await.unwrap();
            let user = output.user().expect("the created user");
            assert_eq!((user.user_name(), user.path()), (name, "/e2e/"));
            assert_eq!(user.arn(), format!("arn:aws:iam::{ACCOUNT}:user/e2e/{name}"));
        }
    }

    #[tokio::test]
    async fn list_users_gathers_every_user() {
        let moto = Moto::start();
        let client = Client::new(moto.config());
        create_users(&client).await;

        // moto 5.2.1 ignores MaxItems here and answers one untruncated page; ListRoles pages.
        let users = bounded(client.list_users().into_paginator().page_size(2).items().try_collect::<Vec<_>>());
        let mut names: Vec<_> = users.await.unwrap().iter().map(|user| user.user_name().to_owned()).collect();
        names.sort_unstable();
        assert_eq!(names, NAMES);
    }

    #[tokio::test]
    async fn list_roles_pages_by_marker_until_not_truncated() {
        let moto = Moto::start();
        let client = Client::new(moto.config());
        for name in NAMES {
            let call = client.create_role().role_name(name).assume_role_policy_document(TRUST_POLICY).send();
            let role = bounded(call).await.unwrap();
            assert_eq!(role.role().arn(), format!("arn:aws:iam::{ACCOUNT}:role/{name}"));
        }

        let pages: Vec<_> =
            bounded(client.list_roles().into_paginator().page_size(2).send().try_collect()).await.unwrap();

        let sizes: Vec<_> = pages.iter().map(|page| page.roles().len()).collect();
        assert_eq!(sizes, [2, 2, 1]);
        let truncated: Vec<_> = pages.iter().map(|page| page.is_truncated()).collect();
        assert_eq!(truncated, [Some(true), Some(true), Some(false)]);
        let roles: Vec<_> = pages.iter().flat_map(|page| page.roles()).collect();
        let mut names: Vec<_> = roles.iter().map(|role| role.role_name()).collect();
        names.sort_unstable();
        assert_eq!(names, NAMES);
        // As sent. moto doesn't percent-encode policy documents as IAM does; the crate decodes
        // IAM's (`query_e2e::iam_policy_documents_read_as_json_text`).
        assert!(roles.iter().all(|role| role.assume_role_policy_document() == Some(TRUST_POLICY)));
    }

    #[tokio::test]
    async fn get_user_of_a_missing_user_is_no_such_entity() {
        let moto = Moto::start();
        let client = Client::new(moto.config());
        create_users(&client).await;

        let found = bounded(client.get_user().user_name("bob").send()).await.unwrap();
        assert_eq!(found.user().user_name(), "bob");
        assert!(found.user().create_date().secs() > 0, "{found:?}");

        bounded(client.delete_user().user_name("bob").send()).await.unwrap();
        match bounded(client.get_user().user_name("bob").send()).await {
            Err(SdkError::Service(GetUserError::NoSuchEntity(error))) => {
                assert_eq!(error.meta().code(), Some("NoSuchEntity"));
                assert_eq!(error.meta().status(), Some(404));
                assert!(error.message().is_some_and(|m| m.contains("bob")), "{error:?}");
            }
            other => panic!("expected NoSuchEntity, got {other:?}"),
        }
    }
}

mod sns {
    use super::*;
    use awsgen_sns::types::Tag;
    use awsgen_sns::Client;
    use std::collections::BTreeMap;

    #[tokio::test]
    async fn topics_are_created_published_to_listed_and_deleted() {
        let moto = Moto::start();
        let client = Client::new(moto.config());

        let attributes = BTreeMap::from([("DisplayName".to_owned(), "E2E & more".to_owned())]);
        let tag = Tag::builder().key("team").value("e2e").build().unwrap();
        let created = bounded(client.create_topic().name("e2e-topic").attributes(attributes).tags(vec![tag]).send());
        let arn = created.await.unwrap().topic_arn().expect("topic arn").to_owned();
        assert_eq!(arn, format!("arn:aws:sns:us-east-1:{ACCOUNT}:e2e-topic"));

        // The map went out as `Attributes.entry.N.key/value` and comes back as one.
        let read = bounded(client.get_topic_attributes().topic_arn(&arn).send()).await.unwrap();
        let read = read.attributes().expect("attributes");
        assert_eq!(read.get("DisplayName").map(String::as_str), Some("E2E & more"));
        assert_eq!(read.get("TopicArn"), Some(&arn));

        let published = bounded(client.publish().topic_arn(&arn).subject("hi").message("hello from awsgen").send());
        let message_id = published.await.unwrap().message_id().expect("message id").to_owned();
        assert_eq!(message_id.len(), 36, "a UUID: {message_id}");

        assert_eq!(topic_arns(&client).await, [arn.as_str()]);
        bounded(client.delete_topic().topic_arn(&arn).send()).await.unwrap();
        assert!(topic_arns(&client).await.is_empty());
    }

    async fn topic_arns(client: &Client) -> Vec<String> {
        let listed = bounded(client.list_topics().send()).await.unwrap();
        listed.topics().iter().filter_map(|topic| topic.topic_arn()).map(str::to_owned).collect()
    }
}

mod ec2 {
    use super::*;
    use awsgen_ec2::error::SdkError;
    use awsgen_ec2::operation::describe_instances::DescribeInstancesError;
    use awsgen_ec2::pagination::TryStreamExt;
    use awsgen_ec2::types::InstanceStateName::{self, Pending, Running, ShuttingDown};
    use awsgen_ec2::types::{InstanceState, InstanceType, ResourceType, Tag, TagSpecification};
    use awsgen_ec2::Client;

    /// One of the AMIs moto knows (`moto/ec2/resources/amis.json.gz`).
    const AMI: &str = "ami-12c6146b";

    #[tokio::test]
    async fn describe_regions_lists_us_east_1() {
        let moto = Moto::start();
        let client = Client::new(moto.config());

        let output = bounded(client.describe_regions().send()).await.unwrap();

        let us_east_1 = output.regions().iter().find(|r| r.region_name() == Some("us-east-1")).expect("us-east-1");
        assert_eq!(us_east_1.endpoint(), Some("ec2.us-east-1.amazonaws.com"));
        assert!(output.regions().len() > 10, "{output:?}");
    }

    #[tokio::test]
    async fn instances_run_page_and_terminate() {
        let moto = Moto::start();
        let client = Client::new(moto.config());

        // Six reservations of one instance: moto pages DescribeInstances by reservation.
        let mut ids = Vec::new();
        for n in 0..6 {
            ids.push(run_instance(&client, n).await);
        }

        // 5 is the smallest MaxResults EC2 takes, so six reservations make two pages.
        let pages: Vec<_> =
            bounded(client.describe_instances().into_paginator().page_size(5).send().try_collect()).await.unwrap();
        let sizes: Vec<_> = pages.iter().map(|page| page.reservations().len()).collect();
        assert_eq!(sizes, [5, 1]);
        let instances = pages.iter().flat_map(|page| page.reservations()).flat_map(|r| r.instances());
        let described: Vec<_> = instances.map(|i| (i.instance_id().unwrap_or_default(), state(i.state()))).collect();
        let expected: Vec<_> = ids.iter().map(|id| (id.as_str(), Some(&Running))).collect();
        assert_eq!(described, expected);

        let terminated = bounded(client.terminate_instances().instance_ids(ids.clone()).send()).await.unwrap();
        let states: Vec<_> = terminated
            .terminating_instances()
            .iter()
            .map(|change| {
                (
                    change.instance_id().unwrap_or_default(),
                    state(change.previous_state()),
                    state(change.current_state()),
                )
            })
            .collect();
        let expected: Vec<_> = ids.iter().map(|id| (id.as_str(), Some(&Running), Some(&ShuttingDown))).collect();
        assert_eq!(states, expected);
    }

    fn state(state: Option<&InstanceState>) -> Option<&InstanceStateName> {
        state.and_then(|s| s.name())
    }

    /// RunInstances takes `UserData` as the script itself and sends it base64-encoded, as boto3
    /// does; EC2 answers it base64-encoded, as its model says.
    #[tokio::test]
    async fn user_data_is_given_as_the_script_and_sent_encoded() {
        use awsgen_ec2::types::InstanceAttributeName;
        let moto = Moto::start();
        let client = Client::new(moto.config());
        let script = "#!/bin/sh\necho hello > /tmp/greeting\n";
        let run = client.run_instances().image_id(AMI).min_count(1).max_count(1).user_data(script);
        let reservation = bounded(run.send()).await.unwrap();
        let id = reservation.instances()[0].instance_id().unwrap().to_owned();
        let attribute =
            client.describe_instance_attribute().instance_id(&id).attribute(InstanceAttributeName::UserData);
        let described = bounded(attribute.send()).await.unwrap();
        let encoded = described.user_data().and_then(|value| value.value()).expect("the user data");
        assert_eq!(encoded, "IyEvYmluL3NoCmVjaG8gaGVsbG8gPiAvdG1wL2dyZWV0aW5nCg==", "base64 of the script, once");
    }

    /// GetConsoleOutput's output arrives base64-encoded and reads as the console's text.
    #[tokio::test]
    async fn console_output_reads_as_text() {
        let moto = Moto::start();
        let client = Client::new(moto.config());
        let run = client.run_instances().image_id(AMI).min_count(1).max_count(1);
        let id = bounded(run.send()).await.unwrap().instances()[0].instance_id().unwrap().to_owned();
        let console = bounded(client.get_console_output().instance_id(&id).send()).await.unwrap();
        let text = console.output().expect("console output");
        // moto's sample console is a Linux boot log.
        assert!(text.contains("Linux version"), "decoded text, not base64: {:.80}", text);
    }

    /// Runs one tagged t2.micro and returns its id, checking what moto says about it.
    async fn run_instance(client: &Client, n: usize) -> String {
        let tag = Tag::builder().key("Name").value(format!("e2e-{n}")).build();
        let tags = TagSpecification::builder().resource_type(ResourceType::Instance).tags(vec![tag]).build();
        let call = client
            .run_instances()
            .image_id(AMI)
            .instance_type(InstanceType::T2Micro)
            .min_count(1)
            .max_count(1)
            .tag_specifications(vec![tags])
            .send();
        let reservation = bounded(call).await.unwrap();
        assert_eq!(reservation.owner_id(), Some(ACCOUNT));
        let [instance] = reservation.instances() else { panic!("one instance: {reservation:?}") };
        assert_eq!(instance.image_id(), Some(AMI));
        assert_eq!(instance.instance_type(), Some(&InstanceType::T2Micro));
        // As EC2 answers: pending at first.
        assert_eq!(state(instance.state()), Some(&Pending));
        let name = instance.tags().iter().find(|t| t.key() == Some("Name")).and_then(|t| t.value());
        assert_eq!(name, Some(format!("e2e-{n}").as_str()));
        let id = instance.instance_id().expect("instance id");
        assert!(id.starts_with("i-"), "{id}");
        id.to_owned()
    }

    #[tokio::test]
    async fn describing_a_missing_instance_keeps_ec2s_error_code() {
        let moto = Moto::start();
        let client = Client::new(moto.config());

        let call = client.describe_instances().instance_ids(vec!["i-0123456789abcdef0".to_owned()]).send();
        match bounded(call).await {
            Err(SdkError::Service(DescribeInstancesError::Unhandled(error))) => {
                assert_eq!(error.meta().code(), Some("InvalidInstanceID.NotFound"));
                assert_eq!(error.meta().status(), Some(400));
                assert!(error.meta().request_id().is_some(), "{error:?}");
            }
            other => panic!("expected InvalidInstanceID.NotFound, got {other:?}"),
        }
    }
}

mod cloudformation {
    use super::*;
    use awsgen_cloudformation::error::SdkError;
    use awsgen_cloudformation::operation::describe_stacks::DescribeStacksError;
    use awsgen_cloudformation::types::{Parameter, StackStatus};
    use awsgen_cloudformation::Client;

    /// One SNS topic named by a parameter, with its ARN as an output: moto creates it for real.
    const TEMPLATE: &str = r#"{
      "Parameters": { "TopicName": { "Type": "String" } },
      "Resources": { "Topic": { "Type": "AWS::SNS::Topic", "Properties": { "TopicName": { "Ref": "TopicName" } } } },
      "Outputs": { "TopicArn": { "Value": { "Ref": "Topic" } } }
    }"#;

    #[tokio::test]
    async fn stacks_are_created_listed_described_and_deleted() {
        let moto = Moto::start();
        let client = Client::new(moto.config());

        // Stack events go to a topic of moto's SNS (moto publishes them there).
        let sns = awsgen_sns::Client::new(moto.config());
        let events = bounded(sns.create_topic().name("stack-events").send()).await.unwrap();
        let events = events.topic_arn().expect("topic arn").to_owned();

        let parameter = Parameter::builder().parameter_key("TopicName").parameter_value("from-stack").build();
        let call = client
            .create_stack()
            .stack_name("e2e")
            .template_body(TEMPLATE)
            .parameters(vec![parameter])
            .notification_arns(vec![events.clone()])
            .send();
        let stack_id = bounded(call).await.unwrap().stack_id().expect("stack id").to_owned();
        assert!(stack_id.starts_with(&format!("arn:aws:cloudformation:us-east-1:{ACCOUNT}:stack/e2e/")), "{stack_id}");

        let described = bounded(client.describe_stacks().stack_name("e2e").send()).await.unwrap();
        let [stack] = described.stacks() else { panic!("one stack: {described:?}") };
        assert_eq!((stack.stack_name(), stack.stack_id()), ("e2e", Some(stack_id.as_str())));
        assert_eq!(stack.stack_status(), &StackStatus::CreateComplete);
        assert_eq!(stack.notification_arns(), [events]);
        let output = stack.outputs().iter().find(|o| o.output_key() == Some("TopicArn")).expect("TopicArn output");
        assert_eq!(output.output_value(), Some(format!("arn:aws:sns:us-east-1:{ACCOUNT}:from-stack").as_str()));

        let listed = bounded(client.list_stacks().send()).await.unwrap();
        let summaries: Vec<_> = listed.stack_summaries().iter().map(|s| (s.stack_name(), s.stack_status())).collect();
        assert_eq!(summaries, [("e2e", &StackStatus::CreateComplete)]);

        bounded(client.delete_stack().stack_name("e2e").send()).await.unwrap();
        let deleted = bounded(client.list_stacks().stack_status_filter(vec![StackStatus::DeleteComplete]).send());
        let deleted = deleted.await.unwrap();
        let ids: Vec<_> = deleted.stack_summaries().iter().map(|s| s.stack_id()).collect();
        assert_eq!(ids, [Some(stack_id.as_str())]);
    }

    #[tokio::test]
    async fn describing_a_missing_stack_is_a_validation_error() {
        let moto = Moto::start();
        let client = Client::new(moto.config());

        match bounded(client.describe_stacks().stack_name("absent").send()).await {
            Err(SdkError::Service(DescribeStacksError::Unhandled(error))) => {
                assert_eq!(error.meta().code(), Some("ValidationError"));
                assert_eq!(error.meta().status(), Some(400));
                assert!(error.meta().message().is_some_and(|m| m.contains("absent")), "{error:?}");
            }
            other => panic!("expected ValidationError, got {other:?}"),
        }
    }
}

/// CloudWatch over awsJson 1.0, one of the protocols its model lists (`"protocol": "json"` in
/// `specs/codegen.json`): moto serves it, while it has no RPCv2 CBOR, which `awsgen-cloudwatch`
/// speaks (and which the conformance suites cover).
mod cloudwatch {
    use super::*;
    use awsgen_cloudwatch_json::types::{Dimension, Metric, MetricDataQuery, MetricDatum, MetricStat};
    use awsgen_cloudwatch_json::Client;
    use awsgen_runtime::DateTime;

    #[tokio::test]
    async fn metrics_are_put_then_summed_and_listed() {
        let moto = Moto::start();
        let client = Client::new(moto.config());
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
        let at = DateTime::from_secs(now - now % 60);
        let dimension = || Dimension::builder().name("Host").value("web-1").build().unwrap();
        let datum = |value: f64| {
            let datum = MetricDatum::builder().metric_name("Latency").dimensions(vec![dimension()]);
            datum.timestamp(at).value(value).unit("Milliseconds").build().unwrap()
        };
        let put = client.put_metric_data().namespace("App").metric_data(vec![datum(12.5), datum(7.5)]);
        bounded(put.send()).await.unwrap();

        let metric = Metric::builder().namespace("App").metric_name("Latency").dimensions(vec![dimension()]).build();
        let stat = MetricStat::builder().metric(metric).period(60).stat("Sum").build().unwrap();
        let query = MetricDataQuery::builder().id("latency").metric_stat(stat).build().unwrap();
        let get = client
            .get_metric_data()
            .metric_data_queries(vec![query])
            .start_time(DateTime::from_secs(now - 600))
            .end_time(DateTime::from_secs(now + 600));
        let got = bounded(get.send()).await.unwrap();
        let result = &got.metric_data_results()[0];
        assert_eq!(result.id(), Some("latency"));
        assert_eq!(result.values(), [20.0]);

        let listed = bounded(client.list_metrics().namespace("App").send()).await.unwrap();
        let names: Vec<_> = listed.metrics().iter().filter_map(|m| m.metric_name()).collect();
        assert_eq!(names, ["Latency"]);
    }
}

mod s3 {
    use super::*;
    use awsgen_s3::operation::get_object::GetObjectError;
    use awsgen_s3::pagination::TryStreamExt;
    use awsgen_s3::types::{
        BucketLocationConstraint, CreateBucketConfiguration, Delete, EncodingType, ObjectIdentifier,
    };
    use awsgen_s3::Client;

    /// 6 MiB: more than one read from the socket, and more than a single chunk of any buffer.
    fn object_body() -> Vec<u8> {
        (0..6 * 1024 * 1024).map(|i: u32| (i % 251) as u8).collect()
    }

    #[tokio::test]
    async fn objects_stream_both_ways_and_list_by_page() {
        let moto = Moto::start();
        let client = Client::new(moto.config());
        bounded(client.create_bucket().bucket("photos").send()).await.unwrap();

        let body = object_body();
        let put = bounded(client.put_object().bucket("photos").key("big/one.bin").body(body.clone()).send());
        assert!(put.await.unwrap().e_tag().is_some_and(|tag| tag.len() > 2));
        let got = bounded(client.get_object().bucket("photos").key("big/one.bin").send()).await.unwrap();
        assert_eq!(got.content_length(), Some(body.len() as i64));
        // Asked for by default, and checked as the body arrives.
        assert!(got.checksum_crc32().is_some(), "the CRC32 sent with the object comes back");
        let mut stream = got.body.expect("a body");
        let (mut received, mut chunks) = (Vec::new(), 0);
        while let Some(chunk) = bounded(stream.next()).await {
            received.extend_from_slice(&chunk.unwrap());
            chunks += 1;
        }
        assert!(received == body, "6 MiB back intact ({} bytes)", received.len());
        assert!(chunks > 1, "streamed in {chunks} chunks");

        for i in 0..5 {
            let put = client.put_object().bucket("photos").key(format!("small/{i}.txt")).body(format!("file {i}"));
            bounded(put.send()).await.unwrap();
        }
        let pages: Vec<_> = bounded(
            client
                .list_objects_v2()
                .bucket("photos")
                .prefix("small/")
                .into_paginator()
                .page_size(2)
                .send()
                .try_collect(),
        )
        .await
        .unwrap();
        let sizes: Vec<usize> = pages.iter().map(|page| page.contents().len()).collect();
        assert_eq!(sizes, [2, 2, 1]);
        let keys: Vec<&str> = pages.iter().flat_map(|page| page.contents()).filter_map(|o| o.key()).collect();
        assert_eq!(keys, ["small/0.txt", "small/1.txt", "small/2.txt", "small/3.txt", "small/4.txt"]);

        // ListObjects (v1) sends NextMarker only with a delimiter: its paginator's token is
        // `NextMarker || Contents[-1].Key`, so without one it goes on from the last key.
        let v1 = client.list_objects().bucket("photos").prefix("small/").into_paginator().page_size(2);
        let keys: Vec<String> =
            bounded(v1.items().map_ok(|object| object.key().unwrap_or_default().to_owned()).try_collect())
                .await
                .unwrap();
        assert_eq!(keys, ["small/0.txt", "small/1.txt", "small/2.txt", "small/3.txt", "small/4.txt"]);
    }

    #[tokio::test]
    async fn batch_delete_and_missing_keys() {
        let moto = Moto::start();
        let client = Client::new(moto.config());
        bounded(client.create_bucket().bucket("logs").send()).await.unwrap();
        for key in ["a", "b", "c"] {
            bounded(client.put_object().bucket("logs").key(key).body("x").send()).await.unwrap();
        }

        let objects: Vec<ObjectIdentifier> =
            ["a", "b"].into_iter().map(|key| ObjectIdentifier::builder().key(key).build().unwrap()).collect();
        let delete = Delete::builder().objects(objects).build().unwrap();
        let deleted = bounded(client.delete_objects().bucket("logs").delete(delete).send()).await.unwrap();
        let mut keys: Vec<&str> = deleted.deleted().iter().filter_map(|d| d.key()).collect();
        keys.sort();
        assert_eq!(keys, ["a", "b"]);
        let left = bounded(client.list_objects_v2().bucket("logs").send()).await.unwrap();
        assert_eq!(left.contents().iter().filter_map(|o| o.key()).collect::<Vec<_>>(), ["c"]);

        // A missing key: the modeled NoSuchKey from GetObject's XML error, a bare 404 from HEAD.
        let missing = bounded(client.get_object().bucket("logs").key("a").send()).await.unwrap_err();
        let awsgen_s3::error::SdkError::Service(GetObjectError::NoSuchKey(error)) = &missing else {
            panic!("{missing:?}")
        };
        assert_eq!(error.meta().status(), Some(404));
        let head = bounded(client.head_object().bucket("logs").key("a").send()).await.unwrap_err();
        assert_eq!(head.code(), Some("NotFound"), "{head:?}");
    }

    /// Every PutObject and DeleteObjects carries a checksum of its body (CRC32 unless one is
    /// chosen); S3 keeps a chosen algorithm's value and hands it back. The SHA-256 is Python
    /// hashlib's for "Hello world".
    #[tokio::test]
    async fn checksums_travel_with_the_body() {
        use awsgen_s3::types::{ChecksumAlgorithm, ChecksumMode};
        let moto = Moto::start();
        let client = Client::new(moto.config());
        bounded(client.create_bucket().bucket("sums").send()).await.unwrap();
        let sha256 = "ZOyIygCyaOW6GjVnihtTFtIS9PNmskdyMlNKiuyjfzw=";
        let put = client.put_object().bucket("sums").key("hello").body("Hello world");
        let put = bounded(put.checksum_algorithm(ChecksumAlgorithm::Sha256).send()).await.unwrap();
        assert_eq!(put.checksum_sha256(), Some(sha256));
        let get = client.get_object().bucket("sums").key("hello").checksum_mode(ChecksumMode::Enabled);
        let got = bounded(get.send()).await.unwrap();
        assert_eq!(got.checksum_sha256(), Some(sha256));
    }

    /// A custom endpoint by host name gets the bucket in its path, as botocore puts it (an
    /// S3-compatible server rarely resolves `<bucket>.<host>`), without a setting.
    #[tokio::test]
    async fn a_custom_endpoint_by_host_name_gets_the_bucket_in_its_path() {
        let moto = Moto::start();
        let url = moto.url.replace("127.0.0.1", "localhost");
        let client = Client::new(moto.config_builder().endpoint_url(&url).build());
        bounded(client.create_bucket().bucket("paths").send()).await.unwrap();
        bounded(client.put_object().bucket("paths").key("a/b.txt").body("by path").send()).await.unwrap();
        let got = bounded(client.get_object().bucket("paths").key("a/b.txt").send()).await.unwrap();
        assert_eq!(bounded(got.body.unwrap().collect()).await.unwrap(), "by path");
    }

    /// S3 Select answers with an event stream: the records, the stats (an XML payload) and the
    /// end, read event by event through the generated client.
    #[tokio::test]
    async fn select_streams_the_records_stats_and_end_of_a_csv_query() {
        use awsgen_s3::types::{
            CsvInput, CsvOutput, ExpressionType, FileHeaderInfo, InputSerialization, OutputSerialization,
            SelectObjectContentEventStream as Event,
        };
        let moto = Moto::start();
        let client = Client::new(moto.config());
        bounded(client.create_bucket().bucket("tables").send()).await.unwrap();
        let csv = "name,city\nada,london\ngrace,new york\nalan,london\n";
        bounded(client.put_object().bucket("tables").key("people.csv").body(csv).send()).await.unwrap();
        let input = InputSerialization::builder()
            .csv(CsvInput::builder().file_header_info(FileHeaderInfo::Use).build())
            .build();
        let output = OutputSerialization::builder().csv(CsvOutput::builder().build()).build();
        let select = client
            .select_object_content()
            .bucket("tables")
            .key("people.csv")
            // moto's parser takes the table name in lower case.
            .expression("SELECT s.name FROM s3object s WHERE s.city = 'london'")
            .expression_type(ExpressionType::Sql)
            .input_serialization(input)
            .output_serialization(output);
        let mut answer = bounded(select.send()).await.unwrap();
        let (mut records, mut stats, mut ended) = (Vec::new(), None, false);
        while let Some(event) = bounded(answer.payload.recv()).await.unwrap() {
            match event {
                Event::Records(event) => records.extend_from_slice(event.payload().unwrap().as_bytes()),
                Event::Stats(event) => stats = event.details().cloned(),
                Event::End(_) => ended = true,
                other => panic!("unexpected event {other:?}"),
            }
        }
        let records = String::from_utf8(records).unwrap();
        assert_eq!(records.lines().collect::<Vec<_>>(), ["ada", "alan"]);
        let stats = stats.expect("a Stats event");
        assert_eq!(stats.bytes_returned(), Some(records.len() as i64));
        assert!(stats.bytes_scanned().is_some_and(|scanned| scanned > 0));
        assert!(ended, "the End event came");
    }

    /// The same for JSON records in and out: the selected documents, one per line.
    #[tokio::test]
    async fn select_streams_the_records_of_a_json_query() {
        use awsgen_s3::types::{
            ExpressionType, InputSerialization, JsonInput, JsonOutput, JsonType, OutputSerialization,
            SelectObjectContentEventStream as Event,
        };
        let moto = Moto::start();
        let client = Client::new(moto.config());
        bounded(client.create_bucket().bucket("documents").send()).await.unwrap();
        let lines = "{\"name\":\"ada\",\"city\":\"london\"}\n{\"name\":\"grace\",\"city\":\"new york\"}\n";
        bounded(client.put_object().bucket("documents").key("people.json").body(lines).send()).await.unwrap();
        let input = InputSerialization::builder().json(JsonInput::builder().r#type(JsonType::Lines).build()).build();
        let output = OutputSerialization::builder().json(JsonOutput::builder().build()).build();
        let select = client
            .select_object_content()
            .bucket("documents")
            .key("people.json")
            .expression("SELECT * FROM s3object s WHERE s.city = 'london'")
            .expression_type(ExpressionType::Sql)
            .input_serialization(input)
            .output_serialization(output);
        let mut answer = bounded(select.send()).await.unwrap();
        let (mut records, mut ended) = (Vec::new(), false);
        while let Some(event) = bounded(answer.payload.recv()).await.unwrap() {
            match event {
                Event::Records(event) => records.extend_from_slice(event.payload().unwrap().as_bytes()),
                Event::End(_) => ended = true,
                _ => {}
            }
        }
        let records = String::from_utf8(records).unwrap();
        let documents: Vec<serde_json::Value> =
            serde_json::Deserializer::from_str(&records).into_iter().collect::<Result<_, _>>().expect(&records);
        assert_eq!(documents, [serde_json::json!({"name": "ada", "city": "london"})], "{records:?}");
        assert!(ended);
    }

    /// A pseudo-random file of `mib` MiB at a fresh temporary path, and its bytes.
    fn large_file(name: &str, mib: usize) -> (std::path::PathBuf, Vec<u8>) {
        let path = std::env::temp_dir().join(format!("awsgen-moto-{name}-{}", std::process::id()));
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let bytes: Vec<u8> = (0..mib << 20)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        std::fs::write(&path, &bytes).unwrap();
        (path, bytes)
    }

    /// 100 MiB through multipart (13 parts of 8 MiB, 4 at a time) and back through 13 ranged
    /// GETs, byte for byte; progress reported up to the whole size.
    #[tokio::test(flavor = "multi_thread")]
    async fn a_large_file_goes_up_in_parallel_parts_and_comes_back_in_parallel_ranges() {
        use awsgen_s3_transfer::{Progress, Transfers};
        let moto = Moto::start();
        let client = Client::new(moto.config());
        bounded(client.create_bucket().bucket("large").send()).await.unwrap();
        let (path, bytes) = large_file("upload", 100);
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<Progress>::new()));
        let record = seen.clone();
        let transfers = Transfers::new(client.clone())
            .part_size(8 << 20)
            .concurrency(4)
            .on_progress(move |progress| record.lock().unwrap().push(progress));
        let uploaded = bounded(transfers.upload_file("large", "big.bin", &path)).await.unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!((uploaded.bytes, uploaded.parts), (100 << 20, 13));
        assert!(uploaded.e_tag.as_deref().is_some_and(|e| e.ends_with("-13\"")), "{uploaded:?}");
        let progress = std::mem::take(&mut *seen.lock().unwrap());
        assert_eq!(progress.len(), 13);
        assert!(progress.windows(2).all(|pair| pair[0].done < pair[1].done));
        assert_eq!(progress.last(), Some(&Progress { done: 100 << 20, total: Some(100 << 20) }));
        // The object carries a CRC32 of its whole bytes (not of its parts' checksums).
        let mode = awsgen_s3::types::ChecksumMode::Enabled;
        let head = bounded(client.head_object().bucket("large").key("big.bin").checksum_mode(mode).send()).await;
        let head = head.unwrap();
        assert_eq!(head.checksum_type(), Some(&awsgen_s3::types::ChecksumType::FullObject));
        let mut crc = flate2::Crc::new();
        crc.update(&bytes);
        assert_eq!(head.checksum_crc32(), Some(support::sigv4::base64(&crc.sum().to_be_bytes()).as_str()));

        let target = std::env::temp_dir().join(format!("awsgen-moto-download-{}", std::process::id()));
        let downloaded = bounded(transfers.download_file("large", "big.bin", &target)).await.unwrap();
        assert_eq!((downloaded.bytes, downloaded.parts), (100 << 20, 13));
        let back = std::fs::read(&target).unwrap();
        std::fs::remove_file(&target).unwrap();
        assert!(back == bytes, "the download differs from the upload ({} bytes)", back.len());
    }

    /// A reader of unknown length goes up in parts as it is read; one that fails mid-way, and a
    /// transfer dropped mid-way, leave no multipart upload behind.
    #[tokio::test(flavor = "multi_thread")]
    async fn uploads_from_readers_and_failed_or_dropped_uploads_leave_nothing_behind() {
        use awsgen_s3_transfer::{TransferError, Transfers};
        let moto = Moto::start();
        let client = Client::new(moto.config());
        bounded(client.create_bucket().bucket("readers").send()).await.unwrap();
        let transfers = Transfers::new(client.clone()).part_size(5 << 20).multipart_threshold(5 << 20).concurrency(2);
        let (path, bytes) = large_file("reader", 12);
        std::fs::remove_file(&path).unwrap();
        let reader = std::io::Cursor::new(bytes.clone());
        let uploaded = bounded(transfers.upload_reader("readers", "streamed.bin", reader)).await.unwrap();
        assert_eq!((uploaded.bytes, uploaded.parts), (12 << 20, 3));
        let got = bounded(client.get_object().bucket("readers").key("streamed.bin").send()).await.unwrap();
        assert!(bounded(got.body.unwrap().collect()).await.unwrap() == bytes);

        let pending = || async {
            let listed = bounded(client.list_multipart_uploads().bucket("readers").send()).await.unwrap();
            listed.uploads().len()
        };
        // A reader that fails after two parts' worth: the upload is aborted and the error says why.
        let failing = tokio::io::AsyncReadExt::chain(std::io::Cursor::new(vec![7u8; 11 << 20]), FailingReader);
        let error = bounded(transfers.upload_reader("readers", "failed.bin", failing)).await.unwrap_err();
        assert!(
            matches!(&error, TransferError::Io { .. }) && error.to_string().contains("the disk went away"),
            "{error}"
        );
        assert_eq!(pending().await, 0, "the failed upload was aborted");

        // A transfer dropped once its first part is in: aborted in the background.
        let (path, _) = large_file("dropped", 30);
        let (first_part, started) = tokio::sync::oneshot::channel();
        let first_part = std::sync::Mutex::new(Some(first_part));
        let transfers = transfers.on_progress(move |_| {
            if let Some(sender) = first_part.lock().unwrap().take() {
                let _ = sender.send(());
            }
        });
        tokio::select! {
            _ = transfers.upload_file("readers", "dropped.bin", &path) => panic!("the upload finished before it was dropped"),
            _ = started => {}
        }
        std::fs::remove_file(&path).unwrap();
        let aborted = bounded(async {
            while pending().await > 0 {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        });
        aborted.await;
    }

    /// Reads fail: a disk that went away mid-upload.
    struct FailingReader;

    impl tokio::io::AsyncRead for FailingReader {
        fn poll_read(
            self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
            _: &mut tokio::io::ReadBuf<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            std::task::Poll::Ready(Err(std::io::Error::other("the disk went away")))
        }
    }

    /// CopySource is given as `bucket/key`, as the key is, and percent-encoded as boto3 does: a
    /// key with a space, a `+` and a non-ASCII letter copies.
    #[tokio::test]
    async fn a_copy_source_with_special_characters_copies() {
        let moto = Moto::start();
        let client = Client::new(moto.config());
        let key = "photos/a b+c \u{e9}.txt";
        bounded(client.create_bucket().bucket("copies").send()).await.unwrap();
        bounded(client.put_object().bucket("copies").key(key).body("original").send()).await.unwrap();
        let copy = client.copy_object().bucket("copies").key("copy.txt").copy_source(format!("copies/{key}"));
        bounded(copy.send()).await.unwrap();
        let got = bounded(client.get_object().bucket("copies").key("copy.txt").send()).await.unwrap();
        assert_eq!(bounded(got.body.unwrap().collect()).await.unwrap(), "original");
    }

    /// A 24 MiB upload straight from a file (read as it is sent, never whole in memory) comes
    /// back byte for byte.
    #[tokio::test]
    async fn a_file_uploads_without_being_read_into_memory_and_reads_back_whole() {
        let moto = Moto::start();
        let client = Client::new(moto.config());
        bounded(client.create_bucket().bucket("files").send()).await.unwrap();
        let path = std::env::temp_dir().join(format!("awsgen-moto-upload-{}", std::process::id()));
        let bytes: Vec<u8> = (0..24 * 1024 * 1024).map(|i: u32| (i % 253) as u8).collect();
        std::fs::write(&path, &bytes).unwrap();
        let body = awsgen_runtime::ByteStream::from_path(&path).await.unwrap();
        bounded(client.put_object().bucket("files").key("big.bin").body(body).send()).await.unwrap();
        std::fs::remove_file(&path).unwrap();
        let got = bounded(client.get_object().bucket("files").key("big.bin").send()).await.unwrap();
        let read = bounded(got.body.unwrap().collect()).await.unwrap();
        assert!(read == bytes, "24 MiB back intact ({} bytes)", read.len());
    }

    /// Listings ask for keys URL-encoded and hand them out decoded, so a key with characters
    /// XML 1.0 can't carry (a control character) lists, pages and reads back as it was written;
    /// a caller who asks for the encoding gets the keys as S3 sends them.
    #[tokio::test]
    async fn keys_xml_cant_carry_list_decoded_unless_the_caller_asks() {
        let moto = Moto::start();
        let client = Client::new(moto.config());
        bounded(client.create_bucket().bucket("odd").send()).await.unwrap();
        let keys = ["dir/a b+c %.txt", "dir/bell\u{7}\u{1}.txt", "dir/caf\u{e9}/x", "dir/tab\tx"];
        for key in keys {
            bounded(client.put_object().bucket("odd").key(key).body("x").send()).await.unwrap();
        }
        let v2 = client.list_objects_v2().bucket("odd").prefix("dir/").into_paginator().page_size(1);
        let listed: Vec<String> =
            bounded(v2.items().map_ok(|o| o.key().unwrap_or_default().to_owned()).try_collect()).await.unwrap();
        assert_eq!(listed, keys);
        let v1 = client.list_objects().bucket("odd").prefix("dir/").into_paginator().page_size(3);
        let listed: Vec<String> =
            bounded(v1.items().map_ok(|o| o.key().unwrap_or_default().to_owned()).try_collect()).await.unwrap();
        assert_eq!(listed, keys);
        let folders = bounded(client.list_objects_v2().bucket("odd").delimiter("/").send()).await.unwrap();
        let prefixes: Vec<&str> = folders.common_prefixes().iter().filter_map(|p| p.prefix()).collect();
        assert_eq!(prefixes, ["dir/"]);
        let got = bounded(client.get_object().bucket("odd").key(&listed[1]).send()).await.unwrap();
        assert_eq!(bounded(got.body.unwrap().collect()).await.unwrap(), "x");

        let asked = client.list_objects_v2().bucket("odd").prefix("dir/").encoding_type(EncodingType::Url);
        let raw = bounded(asked.send()).await.unwrap();
        assert_eq!(raw.contents()[0].key(), Some("dir/a%20b%2Bc%20%25.txt"));
    }

    /// A bucket outside us-east-1 names its region in an XML body (`CreateBucketConfiguration`,
    /// in S3's namespace), which S3 checks against the region the request is signed for.
    #[tokio::test]
    async fn a_bucket_in_another_region_sends_its_location_as_xml() {
        let moto = Moto::start();
        let client = Client::new(moto.config_builder().region("eu-west-1").build());
        let configuration =
            CreateBucketConfiguration::builder().location_constraint(BucketLocationConstraint::EuWest1).build();
        let create = client.create_bucket().bucket("europe").create_bucket_configuration(configuration);
        bounded(create.send()).await.unwrap();

        let buckets = bounded(client.list_buckets().send()).await.unwrap();
        let names: Vec<&str> = buckets.buckets().iter().filter_map(|b| b.name()).collect();
        assert_eq!(names, ["europe"]);
    }
}

mod route53 {
    use super::*;
    use awsgen_route53::types::{Change, ChangeAction, ChangeBatch, ResourceRecord, ResourceRecordSet, RrType};
    use awsgen_route53::Client;

    /// Route 53 answers ids with their path (`/hostedzone/Z123`, `/change/C456`); passed back
    /// exactly as returned (what every boto3 user does), they reach the service as bare ids.
    #[tokio::test]
    async fn ids_pass_back_exactly_as_returned() {
        let moto = Moto::start();
        let client = Client::new(moto.config_builder().build());
        let created = client.create_hosted_zone().name("example.com").caller_reference("ref-1");
        let created = bounded(created.send()).await.unwrap();
        let zone_id = created.hosted_zone().id().to_owned();
        assert!(zone_id.starts_with("/hostedzone/"), "{zone_id}");

        let record = ResourceRecordSet::builder()
            .name("www.example.com")
            .r#type(RrType::A)
            .ttl(60)
            .resource_records(vec![ResourceRecord::builder().value("192.0.2.1").build().unwrap()])
            .build()
            .unwrap();
        let change = Change::builder().action(ChangeAction::Upsert).resource_record_set(record).build().unwrap();
        let batch = ChangeBatch::builder().changes(vec![change]).build().unwrap();
        let changed = client.change_resource_record_sets().hosted_zone_id(&zone_id).change_batch(batch);
        let change_id = bounded(changed.send()).await.unwrap().change_info().id().to_owned();
        assert!(change_id.starts_with("/change/"), "{change_id}");
        bounded(client.get_change().id(&change_id).send()).await.unwrap();

        let zone = bounded(client.get_hosted_zone().id(&zone_id).send()).await.unwrap();
        assert_eq!(zone.hosted_zone().id(), zone_id);
        let records = bounded(client.list_resource_record_sets().hosted_zone_id(&zone_id).send()).await.unwrap();
        let names: Vec<&str> = records.resource_record_sets().iter().map(|r| r.name()).collect();
        assert!(names.contains(&"www.example.com."), "{names:?}");
        let refused = bounded(client.delete_hosted_zone().id(&zone_id).send()).await.unwrap_err();
        let refused = refused.into_service_error().expect("a service error");
        assert!(refused.is_hosted_zone_not_empty(), "it still holds the record: {refused}");
    }
}
