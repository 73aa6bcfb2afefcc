//! S3 signs as S3 verifies, which differs from every other service: the path as sent (not
//! encoded again), and the body's SHA-256 in a signed `x-amz-content-sha256`, without which S3
//! refuses the request. The server on 127.0.0.1 checks each request with S3's rules.

mod support;

use awsgen_s3::config::S3Settings;
use awsgen_s3::Client;
use support::{quick_config_builder, Reply, Server};

/// Keys whose paths encode: a space, `+`, `%`, a non-ASCII letter, a `~`, a parenthesis.
const KEYS: [&str; 4] = ["plain.txt", "a b+c/\u{e9}t\u{e9} (1).txt", "100%~done", "dir//double/./dot"];

#[tokio::test]
async fn uploads_and_downloads_of_any_key_are_signed_as_s3_verifies_them() {
    let server = Server::start(|request, _| match request.method.as_str() {
        "PUT" => Reply::raw(200, &[("etag", "\"e\"")], ""),
        _ => Reply::raw(200, &[], "stored"),
    })
    .await;
    // Path-style, so every request goes to the server's own address.
    let addressing = awsgen_runtime::S3Addressing { force_path_style: true, accelerate: false };
    let client = Client::new(quick_config_builder(&server).s3(addressing).build());
    for key in KEYS {
        client.put_object().bucket("photos").key(key).body(format!("body of {key}")).send().await.unwrap();
        let got = client.get_object().bucket("photos").key(key).send().await.unwrap();
        assert_eq!(got.body.unwrap().collect().await.unwrap(), "stored");
    }
    for request in server.requests() {
        assert_eq!(request.signature, Ok(()), "{} {}", request.method, request.target);
        let hash = request.header("x-amz-content-sha256").expect("S3 needs x-amz-content-sha256");
        assert_eq!(hash.len(), 64, "the body's hex SHA-256");
    }
}
