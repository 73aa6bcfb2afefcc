//! Presigned requests: byte for byte what botocore 1.43.11 generates at the same time with the
//! same credentials (the expected URLs come from running its `generate_presigned_url`, with S3's
//! regional us-east-1 endpoint, which these crates use, and STS's URL for a GET, which is how it
//! is sent), and presigned uploads and downloads against moto with a plain HTTP client.

mod support;

use awsgen_runtime::{Config, Credentials, PresigningConfig};
use std::time::{Duration, SystemTime};

/// 2024-01-02T03:04:05Z.
fn signed_at() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_704_164_645)
}

fn presigning(seconds: u64) -> PresigningConfig {
    PresigningConfig::expires_in(Duration::from_secs(seconds)).unwrap().start_time(signed_at())
}

fn config() -> awsgen_runtime::ConfigBuilder {
    let credentials = Credentials::new(support::ACCESS_KEY, support::SECRET_KEY, None);
    Config::builder().region("us-east-1").credentials(credentials)
}

const CREDENTIAL: &str = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20240102%2Fus-east-1";

#[tokio::test]
async fn s3_urls_are_botocores() {
    use awsgen_s3::config::S3Settings;
    let client = awsgen_s3::Client::new(config().build());
    let get = client.get_object().bucket("photos").key("a b+c/\u{e9}.txt").presigned(presigning(3600)).await.unwrap();
    assert_eq!(get.method(), "GET");
    assert_eq!(
        get.uri(),
        format!("https://photos.s3.us-east-1.amazonaws.com/a%20b%2Bc/%C3%A9.txt?{CREDENTIAL}%2Fs3%2Faws4_request&X-Amz-Date=20240102T030405Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=fc891980b74666f94b8d19eaa0277610a128b02a977a5d17572a7ba99bdf6e27")
    );
    assert_eq!(get.headers().count(), 0, "nothing to send but the URL: {:?}", get.headers().collect::<Vec<_>>());

    let put = client.put_object().bucket("photos").key("up.bin").presigned(presigning(600)).await.unwrap();
    assert_eq!(put.method(), "PUT");
    assert_eq!(
        put.uri(),
        format!("https://photos.s3.us-east-1.amazonaws.com/up.bin?{CREDENTIAL}%2Fs3%2Faws4_request&X-Amz-Date=20240102T030405Z&X-Amz-Expires=600&X-Amz-SignedHeaders=host&X-Amz-Signature=dcb3ab4dcedd1c1a547edb9dc066e97dbdbe505dcd147cd6a8335674ccb50162")
    );

    let version = client.get_object().bucket("photos").key("v.txt").version_id("v1").presigned(presigning(60));
    assert_eq!(
        version.await.unwrap().uri(),
        format!("https://photos.s3.us-east-1.amazonaws.com/v.txt?versionId=v1&{CREDENTIAL}%2Fs3%2Faws4_request&X-Amz-Date=20240102T030405Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=f5772da53cb6710347348d6467841f00fb8d39ab26b43f133b6f6a094b9df647")
    );

    let addressing = awsgen_runtime::S3Addressing::path_style();
    let path_style = awsgen_s3::Client::new(config().s3(addressing).build());
    let get = path_style.get_object().bucket("photos").key("k").presigned(presigning(3600)).await.unwrap();
    assert_eq!(
        get.uri(),
        format!("https://s3.us-east-1.amazonaws.com/photos/k?{CREDENTIAL}%2Fs3%2Faws4_request&X-Amz-Date=20240102T030405Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=ea083859a437d0acb5ba3b8292c176cda67f39b5ca546738bca4353699211312")
    );
}

/// Where the bucket goes, as botocore puts it: in the path of a custom endpoint (an
/// S3-compatible server) unless the host is asked for; an access point ARN names its own host,
/// whatever the style.
#[tokio::test]
async fn the_bucket_goes_where_botocore_puts_it() {
    use awsgen_runtime::{S3Addressing, S3AddressingStyle};
    use awsgen_s3::config::S3Settings;
    let signed = "X-Amz-Date=20240102T030405Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature";
    let url = |addressing: S3Addressing, endpoint: Option<&str>, bucket: &str| {
        let config = config().s3(addressing);
        let config = match endpoint {
            Some(url) => config.endpoint_url(url),
            None => config,
        };
        let client = awsgen_s3::Client::new(config.build());
        let get = client.get_object().bucket(bucket).key("k");
        async move { get.presigned(presigning(60)).await.unwrap() }
    };
    let minio = Some("https://minio.example.com");
    let auto = url(S3Addressing::default(), minio, "photos").await;
    assert_eq!(
        auto.uri(),
        format!("https://minio.example.com/photos/k?{CREDENTIAL}%2Fs3%2Faws4_request&{signed}=f638382f194cd92a4c21f8b9092b58a1ec169037b8818ea3a61aed584133537b")
    );
    let host = S3Addressing { style: S3AddressingStyle::Virtual, accelerate: false };
    assert_eq!(
        url(host, minio, "photos").await.uri(),
        format!("https://photos.minio.example.com/k?{CREDENTIAL}%2Fs3%2Faws4_request&{signed}=5ee2f6ded2f90b91260f7a64e5c504a57a4d419609fe77315792f21e72e29f42")
    );
    let access_point = "arn:aws:s3:us-east-1:123456789012:accesspoint/myap";
    assert_eq!(
        url(S3Addressing::path_style(), None, access_point).await.uri(),
        format!("https://myap-123456789012.s3-accesspoint.us-east-1.amazonaws.com/k?{CREDENTIAL}%2Fs3%2Faws4_request&{signed}=a4a1f510a5179bc1a310d722c9af66041c47f0540f01d90ff88f77eadf052c76")
    );
}

/// An awsQuery operation: its form goes into the query of a GET, as botocore's query signer does.
#[tokio::test]
async fn an_sts_get_caller_identity_url_is_botocores() {
    let client = awsgen_sts::Client::new(config().build());
    let presigned = client.get_caller_identity().presigned(presigning(900)).await.unwrap();
    assert_eq!(presigned.method(), "GET");
    assert_eq!(
        presigned.uri(),
        format!("https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&{CREDENTIAL}%2Fsts%2Faws4_request&X-Amz-Date=20240102T030405Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=17c910f75173009ae59e3bce601434f093af7e4c758df556e14a9789608402e8")
    );
    assert!(presigned.body().is_empty());
    let scope = support::sigv4::verify_presigned("GET", presigned.uri(), support::SECRET_KEY);
    assert_eq!(scope.as_deref(), Ok("20240102/us-east-1/sts/aws4_request"), "the verifier agrees with botocore");
}

/// EC2's CopySnapshot from another region carries a presigned URL of the same call in the source
/// region, which EC2 fetches to check the caller may read the snapshot: unless the caller gives
/// one, the client makes it, as botocore does, and sends the destination region too.
#[tokio::test]
async fn a_cross_region_copy_carries_its_presigned_url() {
    let server = support::Server::start(|_, _| {
        support::Reply::xml(
            200,
            "<CopySnapshotResponse><requestId>r</requestId><snapshotId>snap-2</snapshotId></CopySnapshotResponse>",
        )
    })
    .await;
    let config = config().region("eu-west-1").endpoint_url(&server.url).build();
    let client = awsgen_ec2::Client::new(config);
    let copy = client.copy_snapshot().source_region("us-west-2").source_snapshot_id("snap-1").description("a b");
    assert_eq!(copy.send().await.unwrap().snapshot_id(), Some("snap-2"));

    let form = |body: &[u8]| -> Vec<(String, String)> {
        let decode = |text: &str| awsgen_runtime::percent::form_decode(text);
        let body = String::from_utf8(body.to_vec()).unwrap();
        body.split('&').map(|pair| pair.split_once('=').unwrap()).map(|(k, v)| (decode(k), decode(v))).collect()
    };
    let sent = form(&server.requests()[0].body);
    let value = |name: &str| sent.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str());
    assert_eq!((value("SourceRegion"), value("DestinationRegion")), (Some("us-west-2"), Some("eu-west-1")));
    let url = value("PresignedUrl").expect("a presigned URL");
    let scope = support::sigv4::verify_presigned("GET", url, support::SECRET_KEY);
    assert!(scope.as_ref().is_ok_and(|scope| scope.ends_with("/us-west-2/ec2/aws4_request")), "{scope:?}: {url}");
    let query = form(url.split_once('?').unwrap().1.as_bytes());
    let asked: Vec<(&str, &str)> =
        query.iter().filter(|(k, _)| !k.starts_with("X-Amz-")).map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(
        asked,
        [
            ("Action", "CopySnapshot"),
            ("Version", "2016-11-15"),
            ("Description", "a b"),
            ("SourceRegion", "us-west-2"),
            ("SourceSnapshotId", "snap-1"),
            ("DestinationRegion", "eu-west-1")
        ]
    );
    assert!(url.contains("X-Amz-Expires=3600"), "{url}");

    // A URL the caller gives is sent as given.
    let given = client.copy_snapshot().source_region("us-west-2").source_snapshot_id("snap-1").presigned_url("mine");
    given.send().await.unwrap();
    let sent = form(&server.requests()[1].body);
    assert_eq!(sent.iter().find(|(k, _)| k == "PresignedUrl").map(|(_, v)| v.as_str()), Some("mine"));
}

#[tokio::test]
async fn presigning_needs_credentials_and_a_valid_expiry() {
    let client = awsgen_s3::Client::new(Config::builder().region("us-east-1").build());
    let refused = client.get_object().bucket("b").key("k").presigned(presigning(60)).await.unwrap_err();
    assert!(refused.to_string().contains("credentials"), "{refused}");
    assert!(PresigningConfig::expires_in(Duration::from_secs(8 * 24 * 3600)).is_err());
}

/// Sends a presigned request as a browser or `curl` would: its method, URL, headers and `body`.
async fn send_plainly(presigned: &awsgen_runtime::PresignedRequest, body: &[u8]) -> (u16, Vec<u8>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = presigned.uri().strip_prefix("http://").expect("moto is plain HTTP");
    let (host, target) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut head = format!(
        "{} {target} HTTP/1.1\r\nhost: {host}\r\ncontent-length: {}\r\nconnection: close\r\n",
        presigned.method(),
        body.len()
    );
    for (name, value) in presigned.headers() {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    stream.write_all(&[head.as_bytes(), body].concat()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let end = response.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let status = String::from_utf8_lossy(&response[9..12]).parse().unwrap();
    (status, response[end + 4..].to_vec())
}

/// moto (which doesn't check presigned signatures or expiry, so the signing itself is checked
/// against botocore above): an upload through a presigned PUT is there to read back, and a
/// presigned GET reads it.
#[tokio::test]
async fn an_object_goes_up_and_down_through_presigned_urls() {
    use awsgen_s3::config::S3Settings;
    let moto = support::moto::Moto::start();
    let addressing = awsgen_runtime::S3Addressing::path_style();
    let client = awsgen_s3::Client::new(moto.config_builder().s3(addressing).build());
    client.create_bucket().bucket("uploads").send().await.unwrap();
    let hour = PresigningConfig::expires_in(Duration::from_secs(3600)).unwrap();
    let put = client.put_object().bucket("uploads").key("from browser.txt").presigned(hour).await.unwrap();
    let (status, _) = send_plainly(&put, b"uploaded by someone else").await;
    assert_eq!(status, 200);
    let got = client.get_object().bucket("uploads").key("from browser.txt").send().await.unwrap();
    assert_eq!(got.body.unwrap().collect().await.unwrap(), "uploaded by someone else");
    let get = client.get_object().bucket("uploads").key("from browser.txt").presigned(hour).await.unwrap();
    assert_eq!(send_plainly(&get, b"").await, (200, b"uploaded by someone else".to_vec()));
}

/// A presigned POST form's policy and signature, byte for byte botocore's (its URL is S3's
/// regional endpoint here, where botocore's default is the global `s3.amazonaws.com`).
#[tokio::test]
async fn presigned_post_forms_are_botocores() {
    use awsgen_s3::presigning::PostCondition;
    let client = awsgen_s3::Client::new(config().region("eu-west-1").build());
    let form = client
        .presigned_post("photos", "uploads/${filename}")
        .field("acl", "public-read")
        .field("Content-Type", "image/jpeg")
        .condition(PostCondition::equals("acl", "public-read"))
        .condition(PostCondition::content_length_range(1, 10_485_760))
        .condition(PostCondition::starts_with("$Content-Type", "image/"))
        .condition(PostCondition::equals("x-amz-meta-note", "caf\u{e9} \"q\""))
        .presign(presigning(600))
        .await
        .unwrap();
    assert_eq!(form.url(), "https://photos.s3.eu-west-1.amazonaws.com/");
    let fields: Vec<(&str, &str)> = form.fields().collect();
    assert_eq!(
        fields,
        [
            ("acl", "public-read"),
            ("Content-Type", "image/jpeg"),
            ("key", "uploads/${filename}"),
            ("x-amz-algorithm", "AWS4-HMAC-SHA256"),
            ("x-amz-credential", "AKIDEXAMPLE/20240102/eu-west-1/s3/aws4_request"),
            ("x-amz-date", "20240102T030405Z"),
            ("policy", "eyJleHBpcmF0aW9uIjogIjIwMjQtMDEtMDJUMDM6MTQ6MDVaIiwgImNvbmRpdGlvbnMiOiBbeyJhY2wiOiAicHVibGljLXJlYWQifSwgWyJjb250ZW50LWxlbmd0aC1yYW5nZSIsIDEsIDEwNDg1NzYwXSwgWyJzdGFydHMtd2l0aCIsICIkQ29udGVudC1UeXBlIiwgImltYWdlLyJdLCB7IngtYW16LW1ldGEtbm90ZSI6ICJjYWZcdTAwZTkgXCJxXCIifSwgeyJidWNrZXQiOiAicGhvdG9zIn0sIFsic3RhcnRzLXdpdGgiLCAiJGtleSIsICJ1cGxvYWRzLyJdLCB7IngtYW16LWFsZ29yaXRobSI6ICJBV1M0LUhNQUMtU0hBMjU2In0sIHsieC1hbXotY3JlZGVudGlhbCI6ICJBS0lERVhBTVBMRS8yMDI0MDEwMi9ldS13ZXN0LTEvczMvYXdzNF9yZXF1ZXN0In0sIHsieC1hbXotZGF0ZSI6ICIyMDI0MDEwMlQwMzA0MDVaIn1dfQ=="),
            ("x-amz-signature", "f3377242e005a1ebbe8d7b9334ba23aee721bcfd543a5638145d3e358cb91e11"),
        ]
    );
    assert!(!format!("{form:?}").contains("f3377242"), "Debug shows no signature");

    // Temporary credentials: the session token is a field and a condition.
    let credentials = Credentials::new(support::ACCESS_KEY, support::SECRET_KEY, Some("SESSION/TOKEN+X=".to_owned()));
    let client = awsgen_s3::Client::new(config().credentials(credentials).build());
    let form = client.presigned_post("photos", "a.txt").presign(presigning(3600)).await.unwrap();
    assert_eq!(form.url(), "https://photos.s3.us-east-1.amazonaws.com/");
    let fields: Vec<(&str, &str)> = form.fields().collect();
    assert_eq!(fields[4], ("x-amz-security-token", "SESSION/TOKEN+X="));
    assert_eq!(fields[5].1, "eyJleHBpcmF0aW9uIjogIjIwMjQtMDEtMDJUMDQ6MDQ6MDVaIiwgImNvbmRpdGlvbnMiOiBbeyJidWNrZXQiOiAicGhvdG9zIn0sIHsia2V5IjogImEudHh0In0sIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwgeyJ4LWFtei1jcmVkZW50aWFsIjogIkFLSURFWEFNUExFLzIwMjQwMTAyL3VzLWVhc3QtMS9zMy9hd3M0X3JlcXVlc3QifSwgeyJ4LWFtei1kYXRlIjogIjIwMjQwMTAyVDAzMDQwNVoifSwgeyJ4LWFtei1zZWN1cml0eS10b2tlbiI6ICJTRVNTSU9OL1RPS0VOK1g9In1dfQ==");
    assert_eq!(fields[6], ("x-amz-signature", "14fd1cb4bf36d8f5d4fce7a88dbb4566dbf8f9714e45cc96c75e7d7271804cdf"));

    let refused = client.presigned_post("photos/../x", "k").presign(presigning(60)).await.unwrap_err();
    assert!(refused.to_string().contains("member `bucket`"), "{refused}");
}

/// A browser's upload through the form, as `multipart/form-data`, reaches moto (which doesn't
/// check the policy: the policy and signature are checked against botocore above).
#[tokio::test]
async fn an_object_goes_up_through_a_presigned_post_form() {
    use awsgen_s3::config::S3Settings;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let moto = support::moto::Moto::start();
    let client = awsgen_s3::Client::new(moto.config_builder().s3(awsgen_runtime::S3Addressing::path_style()).build());
    client.create_bucket().bucket("forms").send().await.unwrap();
    let form = client.presigned_post("forms", "inbox/${filename}").presign(presigning(3600)).await.unwrap();
    let boundary = "awsgen-boundary";
    let mut body = Vec::new();
    for (name, value) in form.fields() {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").bytes(),
        );
    }
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"note.txt\"\r\nContent-Type: text/plain\r\n\r\nposted by a browser\r\n--{boundary}--\r\n").bytes());
    let rest = form.url().strip_prefix("http://").expect("moto is plain HTTP");
    let (host, target) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let head = format!(
        "POST {target} HTTP/1.1\r\nhost: {host}\r\ncontent-type: multipart/form-data; boundary={boundary}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    stream.write_all(&[head.as_bytes(), &body].concat()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let status = String::from_utf8_lossy(&response[9..12]).to_string();
    assert!(status.starts_with('2'), "{}", String::from_utf8_lossy(&response));
    let got = client.get_object().bucket("forms").key("inbox/note.txt").send().await.unwrap();
    assert_eq!(got.body.unwrap().collect().await.unwrap(), "posted by a browser");
}
