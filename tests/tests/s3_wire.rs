//! S3 on the wire, where it differs from every other service. It signs as S3 verifies: the path
//! as sent (not encoded again), and the body's SHA-256 in a signed `x-amz-content-sha256`,
//! without which S3 refuses the request (the server on 127.0.0.1 checks each request with S3's
//! rules). And its customer-provided encryption keys are given raw, sent as botocore sends them.
use std::collections::BTreeMap;

mod support;

use awsgen_s3::config::S3Settings;
use awsgen_s3::types::EncodingType;
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
    let addressing = awsgen_runtime::S3Addressing::path_style();
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
        // The features each call used, as botocore codes them: standard retries (E), a custom
        // endpoint (N); an upload's CRC32 (U) computed when supported (Z); a download's response
        // checksum validated when supported (b).
        let features = if request.method == "PUT" { " m/E,N,U,Z" } else { " m/E,N,b" };
        assert!(request.header("x-amz-user-agent").unwrap().ends_with(features), "{request:?}");
    }
}

/// A 256-bit key given raw is sent base64-encoded with its MD5 (the values are botocore's for
/// this key); a key given with its MD5 is taken as encoded already; a copy source's key too.
#[tokio::test]
async fn sse_c_keys_are_given_raw_and_sent_encoded_with_their_md5() {
    const KEY: &str = "0123456789abcdef0123456789abcdef";
    const ENCODED: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    const MD5: &str = "hRasmdxgYDKV3nvbahU1MA==";
    let server = Server::start(|_, _| Reply::raw(200, &[("etag", "\"e\"")], "")).await;
    let addressing = awsgen_runtime::S3Addressing::path_style();
    let client = Client::new(quick_config_builder(&server).s3(addressing).build());
    let put = client.put_object().bucket("b").key("k").body("secret").sse_customer_algorithm("AES256");
    put.sse_customer_key(KEY).send().await.unwrap();
    let given = client.put_object().bucket("b").key("k").sse_customer_key(ENCODED).sse_customer_key_md5(MD5);
    given.send().await.unwrap();
    let copy = client.copy_object().bucket("b").key("copy").copy_source("b/k");
    copy.copy_source_sse_customer_key(KEY).send().await.unwrap();

    let requests = server.requests();
    let sent = |i: usize, name: &str| requests[i].header(name).map(str::to_owned);
    let key = "x-amz-server-side-encryption-customer-key";
    assert_eq!(sent(0, key).as_deref(), Some(ENCODED));
    assert_eq!(sent(0, &format!("{key}-md5")).as_deref(), Some(MD5));
    assert_eq!(sent(1, key).as_deref(), Some(ENCODED), "given with its MD5: sent as given");
    let copy_key = "x-amz-copy-source-server-side-encryption-customer-key";
    assert_eq!(
        (sent(2, copy_key).as_deref(), sent(2, &format!("{copy_key}-md5")).as_deref()),
        (Some(ENCODED), Some(MD5))
    );
    assert!(requests.iter().all(|r| r.signature.is_ok()));
}

/// A bucket name S3 can't take is refused before anything is sent: with a `/`, `?` or `#` it
/// would name another object or a query. ARNs go on to the endpoint rules, which check them.
#[tokio::test]
async fn a_bucket_name_s3_cant_take_is_refused_before_sending() {
    let server = Server::start(|_, _| Reply::raw(200, &[], "")).await;
    let addressing = awsgen_runtime::S3Addressing::path_style();
    let client = Client::new(quick_config_builder(&server).s3(addressing).build());
    for bad in ["photos/2024", "a?b", "a#b", "", "caf\u{e9}", &"x".repeat(256)] {
        let refused = client.get_object().bucket(bad).key("k").send().await.unwrap_err();
        assert!(refused.to_string().contains("member `bucket` must be 1 to 255"), "{bad:?}: {refused}");
    }
    assert!(server.requests().is_empty(), "nothing was sent");
    client.get_object().bucket("my.bucket-name_1").key("k").send().await.unwrap();
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn metadata_that_is_not_ascii_is_refused_before_sending() {
    let server = Server::start(|_, _| Reply::raw(200, &[], "")).await;
    let addressing = awsgen_runtime::S3Addressing::path_style();
    let client = Client::new(quick_config_builder(&server).s3(addressing).build());
    let metadata = |name: &str, value: &str| BTreeMap::from([(name.to_owned(), value.to_owned())]);
    for (name, value) in [("owner", "Zo\u{eb}"), ("caf\u{e9}", "x"), ("note", "\u{2713}")] {
        let put = client.put_object().bucket("b").key("k").metadata(metadata(name, value)).send().await;
        let copy = client.copy_object().bucket("b").key("k").copy_source("b/src").metadata(metadata(name, value));
        for refused in [put.unwrap_err().to_string(), copy.send().await.unwrap_err().to_string()] {
            assert!(refused.contains("member `metadata` must hold only US-ASCII"), "{name}={value}: {refused}");
        }
    }
    assert!(server.requests().is_empty(), "nothing was sent");
    client.put_object().bucket("b").key("k").metadata(metadata("owner", "ana b.")).send().await.unwrap();
    let sent = &server.requests()[0];
    assert_eq!(sent.header("x-amz-meta-owner"), Some("ana b."));
}

/// S3 encodes a listing's keys as a form does (a space is `+`): they are decoded so, the
/// listing's own text members too, but only when this crate asked for the encoding.
#[tokio::test]
async fn listings_ask_for_encoded_keys_and_decode_them_as_s3_encodes() {
    let listing = "<ListBucketResult><Name>b</Name><Prefix>my+dir%2F</Prefix><Delimiter>%2F</Delimiter>\
        <EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>\
        <Contents><Key>my+dir/a%2Bb%01+%C3%A9.txt</Key></Contents>\
        <CommonPrefixes><Prefix>my+dir/sub+1%2F</Prefix></CommonPrefixes></ListBucketResult>";
    let server = Server::start(move |_, _| Reply::xml(200, listing)).await;
    let addressing = awsgen_runtime::S3Addressing::path_style();
    let client = Client::new(quick_config_builder(&server).s3(addressing).build());

    let decoded = client.list_objects_v2().bucket("b").prefix("my dir/").delimiter("/").send().await.unwrap();
    assert!(server.requests()[0].target.contains("encoding-type=url"), "{}", server.requests()[0].target);
    assert_eq!(decoded.contents()[0].key(), Some("my dir/a+b\u{1} \u{e9}.txt"));
    assert_eq!(decoded.common_prefixes()[0].prefix(), Some("my dir/sub 1/"));
    assert_eq!((decoded.prefix(), decoded.delimiter()), (Some("my dir/"), Some("/")));

    let asked = client.list_objects_v2().bucket("b").encoding_type(EncodingType::Url).send().await.unwrap();
    assert_eq!(server.requests()[1].target.matches("encoding-type=url").count(), 1);
    assert_eq!(asked.contents()[0].key(), Some("my+dir/a%2Bb%01+%C3%A9.txt"), "as S3 sent it");
}

/// A file `size` bytes long of a repeating pattern, removed when dropped.
struct TempFile(std::path::PathBuf);

impl TempFile {
    fn new(name: &str, size: usize) -> TempFile {
        let path = std::env::temp_dir().join(format!("awsgen-{name}-{}", std::process::id()));
        let bytes: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, bytes).unwrap();
        TempFile(path)
    }

    fn bytes(&self) -> Vec<u8> {
        std::fs::read(&self.0).unwrap()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// An upload from a file is read as it is sent, once, never whole into memory: over HTTP it goes
/// aws-chunked, each chunk signed in a chain from the request's signature and its CRC32 in a
/// signed trailer (the server checks every signature and the CRC); a retry sends the same bytes
/// again; a range of a file (a multipart part) sends that range alone.
#[tokio::test]
async fn uploads_from_files_are_streamed_signed_and_resent_on_retry() {
    let file = TempFile::new("upload", 3 * 1024 * 1024 + 17);
    let server = Server::start(|_, n| match n {
        0 => Reply::raw(500, &[], "<Error><Code>InternalError</Code></Error>"),
        _ => Reply::raw(200, &[("etag", "\"e\"")], ""),
    })
    .await;
    let client = Client::new(quick_config_builder(&server).s3(awsgen_runtime::S3Addressing::path_style()).build());
    let body = awsgen_runtime::ByteStream::from_path(&file.0).await.unwrap();
    assert_eq!(body.content_length(), Some(3 * 1024 * 1024 + 17));
    client.put_object().bucket("b").key("big.bin").body(body).send().await.unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "a 500, then the retry");
    let expected = file.bytes();
    for request in &requests {
        assert!(request.body == expected, "the whole file, each attempt ({} bytes)", request.body.len());
        assert_eq!(request.signature, Ok(()), "the request, each chunk and the trailer signed");
        assert_eq!(request.header("x-amz-content-sha256"), Some(support::sigv4::SIGNED_CHUNKS_TRAILER));
        assert_eq!(request.header("x-amz-decoded-content-length"), Some(expected.len().to_string().as_str()));
        assert_eq!(request.header("x-amz-trailer"), Some("x-amz-checksum-crc32"));
        assert!(request.header("x-amz-checksum-crc32").is_none(), "the checksum goes in the trailer");
    }

    let part = awsgen_runtime::ByteStream::from_path_range(&file.0, 1_000_000, 65_536).await.unwrap();
    client.put_object().bucket("b").key("part").body(part).send().await.unwrap();
    let sent = server.requests().pop().unwrap();
    assert!(sent.body == expected[1_000_000..1_065_536], "the range alone");
    assert_eq!(sent.signature, Ok(()));

    // An open file, by position: two ranges of one file at once, its cursor untouched.
    let open = || std::fs::File::open(&file.0).unwrap();
    let (first, second) = (open(), open());
    let parts = [(first, 0, 2_000_000), (second, 2_000_000, expected.len() as u64 - 2_000_000)];
    let sends = parts.map(|(file, offset, length)| {
        let body = awsgen_runtime::ByteStream::from_file(file, offset, Some(length)).unwrap();
        client.put_object().bucket("b").key(format!("part-{offset}")).body(body).send()
    });
    let [a, b] = sends;
    let (a, b) = tokio::join!(a, b);
    a.unwrap();
    b.unwrap();
    let mut parts = server.requests().split_off(3);
    parts.sort_by(|x, y| x.target.cmp(&y.target));
    assert!(parts[0].body == expected[..2_000_000] && parts[1].body == expected[2_000_000..]);
    assert!(parts.iter().all(|part| part.signature.is_ok()));
    let beyond = awsgen_runtime::ByteStream::from_file(open(), expected.len() as u64, Some(1));
    assert_eq!(beyond.unwrap_err().kind(), std::io::ErrorKind::InvalidInput);

    let past_the_end = awsgen_runtime::ByteStream::from_path_range(&file.0, expected.len() as u64 - 10, 11).await;
    assert_eq!(past_the_end.unwrap_err().kind(), std::io::ErrorKind::InvalidInput);
    let missing = awsgen_runtime::ByteStream::from_path(std::env::temp_dir().join("awsgen-no-such-file")).await;
    assert_eq!(missing.unwrap_err().kind(), std::io::ErrorKind::NotFound);
}

/// What the HTTPS server saw of one request: head, target, then the raw body.
type Seen = (Vec<(String, String)>, String, Vec<u8>);

/// An HTTP/1.1 server over TLS (the test CA's `localhost` certificate) on 127.0.0.1: answers a
/// 500 to the first request, 200 after, and keeps every request. Its URL and what it saw.
async fn https_server() -> (String, std::sync::Arc<std::sync::Mutex<Vec<Seen>>>) {
    use http_body_util::BodyExt;
    use std::sync::{Arc, Mutex};
    let acceptor = support::tls_acceptor(&[]);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://localhost:{}", listener.local_addr().unwrap().port());
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (acceptor, log) = (acceptor.clone(), log.clone());
            tokio::spawn(async move {
                let Ok(stream) = acceptor.accept(stream).await else { return };
                let service = hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                    let log = log.clone();
                    async move {
                        let headers = request.headers().iter();
                        let headers: Vec<(String, String)> =
                            headers.map(|(n, v)| (n.to_string(), v.to_str().unwrap_or_default().to_owned())).collect();
                        let target = request.uri().path_and_query().unwrap().to_string();
                        let body =
                            request.into_body().collect().await.map(|b| b.to_bytes().to_vec()).unwrap_or_default();
                        let first = {
                            let mut log = log.lock().unwrap();
                            log.push((headers, target, body));
                            log.len() == 1
                        };
                        let status = if first { 500 } else { 200 };
                        let body = if first { "<Error><Code>InternalError</Code></Error>" } else { "" };
                        let reply = hyper::Response::builder().status(status).header("etag", "\"e\"");
                        Ok::<_, std::convert::Infallible>(
                            reply.body(http_body_util::Full::new(bytes::Bytes::from(body))).unwrap(),
                        )
                    }
                });
                let connection = hyper::server::conn::http1::Builder::new();
                let _ = connection.serve_connection(hyper_util::rt::TokioIo::new(stream), service).await;
            });
        }
    });
    (url, seen)
}

/// Over HTTPS an upload from a file goes aws-chunked with its CRC32 in a trailer, computed as
/// the file is sent (read once): framing, trailer, lengths and signature as S3 takes them; a
/// retry sends the same bytes again.
#[tokio::test]
async fn over_https_a_file_goes_aws_chunked_with_its_checksum_in_a_trailer() {
    let file = TempFile::new("chunked", 1024 * 1024 + 4321);
    let (url, seen) = https_server().await;
    let retry =
        awsgen_runtime::RetryConfig { initial_backoff: std::time::Duration::from_millis(5), ..Default::default() };
    let config = awsgen_runtime::Config::builder()
        .region("us-east-1")
        .credentials(awsgen_runtime::Credentials::new(support::ACCESS_KEY, support::SECRET_KEY, None))
        .endpoint_url(&url)
        .ca_bundle(support::test_ca())
        .retry(retry)
        .build();
    let client = Client::new(config);
    let body = awsgen_runtime::ByteStream::from_path(&file.0).await.unwrap();
    client.put_object().bucket("b").key("big.bin").body(body).send().await.unwrap();
    let expected = file.bytes();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "a 500, then the retry");
    assert!(seen[0].2 == seen[1].2, "the retry sends the same bytes");
    for (headers, target, raw) in &seen {
        let header = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
        assert_eq!(header("content-encoding"), Some("aws-chunked"));
        assert_eq!(header("x-amz-content-sha256"), Some(support::sigv4::TRAILER_PAYLOAD));
        assert_eq!(header("x-amz-decoded-content-length"), Some(expected.len().to_string().as_str()));
        assert_eq!(header("x-amz-trailer"), Some("x-amz-checksum-crc32"));
        assert_eq!(header("content-length"), Some(raw.len().to_string().as_str()));
        assert!(header("x-amz-checksum-crc32").is_none(), "the checksum goes in the trailer, not a header");
        let decoded = support::sigv4::decode_aws_chunked(headers, raw, support::SECRET_KEY).unwrap();
        assert!(decoded.data == expected, "the file, whole");
        assert_eq!(decoded.signed_chunks, 0, "over HTTPS the chunks go unsigned");
        let mut crc = flate2::Crc::new();
        crc.update(&expected);
        assert_eq!(
            decoded.trailer,
            [format!("x-amz-checksum-crc32:{}", support::sigv4::base64(&crc.sum().to_be_bytes()))]
        );
        let signed = support::sigv4::Signed { method: "PUT", target, headers, body: b"" };
        assert_eq!(support::sigv4::verify(&signed, support::SECRET_KEY), Ok(()));
    }
}

/// A file cut short after its length was taken fails the upload with an error saying so; it
/// never sends a short body under the length it promised.
#[tokio::test]
async fn a_file_cut_short_before_sending_fails_the_upload() {
    let file = TempFile::new("shrinks", 1024 * 1024);
    let server = Server::start(|_, _| Reply::raw(200, &[("etag", "\"e\"")], "")).await;
    let client = Client::new(quick_config_builder(&server).s3(awsgen_runtime::S3Addressing::path_style()).build());
    let body = awsgen_runtime::ByteStream::from_path(&file.0).await.unwrap();
    std::fs::write(&file.0, b"short now").unwrap();
    let failed = client.put_object().bucket("b").key("k").body(body).send().await.unwrap_err();
    assert!(failed.to_string().contains("the file ended before its length"), "{failed}");
    assert!(server.requests().iter().all(|r| r.body.len() != 9), "no short body was accepted as the object");
}

/// A reader of known length goes aws-chunked and signed like a file, read once; one of unknown
/// length goes `Transfer-Encoding: chunked`, unsigned (S3 takes that), without a checksum (there
/// is nowhere to put one: S3 takes a trailer only with the length said ahead); a reader that
/// yields other than the length it was given fails the call.
#[tokio::test]
async fn readers_of_known_and_unknown_length_are_sent_as_they_yield() {
    let server = Server::start(|_, _| Reply::raw(200, &[("etag", "\"e\"")], "")).await;
    let client = Client::new(quick_config_builder(&server).s3(awsgen_runtime::S3Addressing::path_style()).build());
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 241) as u8).collect();

    let known = awsgen_runtime::ByteStream::from_reader(std::io::Cursor::new(data.clone()), Some(data.len() as u64));
    assert_eq!(known.content_length(), Some(300_000));
    client.put_object().bucket("b").key("known").body(known).send().await.unwrap();
    let sent = server.requests().pop().unwrap();
    assert!(sent.body == data);
    assert_eq!(sent.signature, Ok(()));
    assert_eq!(sent.header("x-amz-content-sha256"), Some(support::sigv4::SIGNED_CHUNKS_TRAILER));

    let chunks = data.chunks(70_000).map(|piece| Ok::<_, std::io::Error>(bytes::Bytes::copy_from_slice(piece)));
    let unknown = awsgen_runtime::ByteStream::from_stream(futures_util::stream::iter(chunks.collect::<Vec<_>>()), None);
    assert_eq!(unknown.content_length(), None);
    client.put_object().bucket("b").key("unknown").body(unknown).send().await.unwrap();
    let sent = server.requests().pop().unwrap();
    assert!(sent.body == data);
    assert_eq!(sent.signature, Ok(()));
    assert_eq!(sent.header("transfer-encoding"), Some("chunked"));
    assert_eq!(sent.header("x-amz-content-sha256"), Some("UNSIGNED-PAYLOAD"));
    assert!(sent.headers.iter().all(|(name, _)| !name.starts_with("x-amz-checksum-") && name != "content-length"));

    for (said, what) in [(299_999, "went past the 299999 bytes"), (300_001, "ended after 300000 of the 300001")] {
        let wrong = awsgen_runtime::ByteStream::from_reader(std::io::Cursor::new(data.clone()), Some(said));
        let failed = client.put_object().bucket("b").key("wrong").body(wrong).send().await.unwrap_err();
        assert!(failed.to_string().contains(what), "{failed}");
    }
}

/// A reader's bytes are sent once: an attempt that failed after taking them is not retried, and
/// the error says why (a file's would be, as above).
#[tokio::test]
async fn a_reader_that_was_sent_is_not_sent_again_and_the_error_says_why() {
    let server = Server::start(|_, n| match n {
        0 => Reply::Reset,
        _ => Reply::raw(200, &[("etag", "\"e\"")], ""),
    })
    .await;
    let client = Client::new(quick_config_builder(&server).s3(awsgen_runtime::S3Addressing::path_style()).build());
    let reader = awsgen_runtime::ByteStream::from_reader(std::io::Cursor::new(vec![7u8; 100_000]), Some(100_000));
    let failed = client.put_object().bucket("b").key("once").body(reader).send().await.unwrap_err();
    assert_eq!(server.requests().len(), 1, "no second attempt");
    let awsgen_runtime::SdkError::Transport(error) = &failed else { panic!("{failed:?}") };
    assert!(error.to_string().contains("not retried: the body was a reader or stream"), "{error}");
    assert_eq!(error.attempts(), 1);
}

/// A multipart upload whose second part fails once sends that part again, alone, and completes
/// with the parts in order, the CRC32 of the whole file combined from the parts' and its size.
#[tokio::test]
async fn a_part_that_fails_is_retried_alone_and_the_upload_completes_with_the_whole_crc32() {
    let failed_once = std::sync::atomic::AtomicBool::new(false);
    let server = Server::start(move |request, _| {
        let target = request.target.as_str();
        if request.method == "POST" && target.ends_with("?uploads") {
            let created = "<InitiateMultipartUploadResult><UploadId>up-1</UploadId></InitiateMultipartUploadResult>";
            return Reply::raw(200, &[], created);
        }
        if request.method == "PUT" {
            if target.contains("partNumber=2&") && !failed_once.swap(true, std::sync::atomic::Ordering::SeqCst) {
                return Reply::raw(500, &[], "<Error><Code>InternalError</Code></Error>");
            }
            let mut crc = flate2::Crc::new();
            crc.update(&request.body);
            let crc = support::sigv4::base64(&crc.sum().to_be_bytes());
            return Reply::raw(200, &[("etag", "\"part\""), ("x-amz-checksum-crc32", &crc)], "");
        }
        Reply::raw(200, &[], "<CompleteMultipartUploadResult><ETag>\"whole-3\"</ETag></CompleteMultipartUploadResult>")
    })
    .await;
    let client = Client::new(quick_config_builder(&server).s3(awsgen_runtime::S3Addressing::path_style()).build());
    let file = TempFile::new("parts", 12 * 1024 * 1024 + 5);
    let transfers =
        awsgen_s3_transfer::Transfers::new(client).part_size(5 << 20).multipart_threshold(5 << 20).concurrency(2);
    let uploaded = transfers.upload_file("b", "whole.bin", &file.0).await.unwrap();
    assert_eq!((uploaded.bytes, uploaded.parts), (12 * 1024 * 1024 + 5, 3));
    let requests = server.requests();
    let parts: Vec<&str> = requests
        .iter()
        .filter(|r| r.method == "PUT")
        .map(|r| r.target.split("partNumber=").nth(1).unwrap().split('&').next().unwrap())
        .collect();
    let mut sorted = parts.clone();
    sorted.sort();
    assert_eq!(sorted, ["1", "2", "2", "3"], "part 2 twice, the others once: {parts:?}");
    assert!(requests.iter().all(|r| r.signature.is_ok()));
    let complete = requests.last().unwrap();
    let mut crc = flate2::Crc::new();
    crc.update(&file.bytes());
    assert_eq!(
        complete.header("x-amz-checksum-crc32"),
        Some(support::sigv4::base64(&crc.sum().to_be_bytes()).as_str())
    );
    assert_eq!(complete.header("x-amz-checksum-type"), Some("FULL_OBJECT"));
    assert_eq!(complete.header("x-amz-mp-object-size"), Some((12 * 1024 * 1024 + 5).to_string().as_str()));
    let body = String::from_utf8_lossy(&complete.body);
    let numbers: Vec<&str> = body.split("<PartNumber>").skip(1).map(|rest| rest.split('<').next().unwrap()).collect();
    assert_eq!(numbers, ["1", "2", "3"]);
}

/// A download straight to a file lands whole, or not at all: a body that fails its checksum
/// leaves neither the file nor a partial one beside it.
#[tokio::test]
async fn downloads_to_a_file_land_whole_or_not_at_all() {
    let dir = std::env::temp_dir().join(format!("awsgen-downloads-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // "i9aeUg==" is the CRC32 of "Hello world" (Python zlib).
    let server = Server::start(|request, _| match request.target.contains("bad") {
        true => Reply::raw(200, &[("x-amz-checksum-crc32", "i9aeUg==")], "Hello World"),
        false => Reply::raw(200, &[("x-amz-checksum-crc32", "i9aeUg==")], "Hello world"),
    })
    .await;
    let client = Client::new(quick_config_builder(&server).s3(awsgen_runtime::S3Addressing::path_style()).build());
    let good = client.get_object().bucket("b").key("good").send().await.unwrap().body.unwrap();
    assert_eq!(good.write_to_path(dir.join("good.txt")).await.unwrap(), 11);
    assert_eq!(std::fs::read(dir.join("good.txt")).unwrap(), b"Hello world");

    let bad = client.get_object().bucket("b").key("bad").send().await.unwrap().body.unwrap();
    let failed = bad.write_to_path(dir.join("bad.txt")).await.unwrap_err();
    let cause = failed.get_ref().and_then(|e| e.downcast_ref::<awsgen_runtime::TransportError>());
    assert_eq!(cause.map(|e| e.kind()), Some(awsgen_runtime::TransportErrorKind::ChecksumMismatch), "{failed}");
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, ["good.txt"], "no bad.txt, no partial file");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// S3 Express One Zone: a directory bucket's calls are signed with the session CreateSession
/// opens (signed with the base credentials, signing name `s3express`): the session's key in the
/// scope, its token in `x-amz-s3session-token`, never `x-amz-security-token`. Ten concurrent
/// calls share one CreateSession; a session a minute from expiring is made again.
#[tokio::test]
async fn a_directory_bucket_is_called_with_one_shared_s3_express_session_made_again_before_it_expires() {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, SystemTime};

    #[derive(Debug, Default)]
    struct Clock(AtomicU64);
    impl awsgen_runtime::TimeSource for Clock {
        fn now(&self) -> SystemTime {
            SystemTime::UNIX_EPOCH + Duration::from_secs(1_765_000_000 + self.0.load(Ordering::SeqCst))
        }
    }
    let clock = Arc::new(Clock::default());
    let sessions = Arc::new(AtomicU64::new(0));
    let (served_clock, made) = (clock.clone(), sessions.clone());
    let server = Server::start(move |request, _| {
        if request.target.ends_with("?session") {
            let n = made.fetch_add(1, Ordering::SeqCst) + 1;
            let now = awsgen_runtime::TimeSource::now(&*served_clock);
            let expires = awsgen_runtime::DateTime::from(now + Duration::from_secs(300));
            let expiration = expires.format(awsgen_runtime::TimestampFormat::DateTime);
            let body = format!(
                "<CreateSessionResult><Credentials><SessionToken>session-{n}</SessionToken>\
                 <SecretAccessKey>{}</SecretAccessKey><AccessKeyId>ASIASESSION{n}</AccessKeyId>\
                 <Expiration>{expiration}</Expiration></Credentials></CreateSessionResult>",
                support::SECRET_KEY
            );
            return Reply::raw(200, &[], &body);
        }
        Reply::raw(200, &[("etag", "\"e\"")], "")
    })
    .await;
    let config = quick_config_builder(&server).region("us-west-2").time_source(clock.clone()).build();
    let client = Client::new(config);
    let bucket = "mybucket--usw2-az1--x-s3";
    let puts = (0..10).map(|i| client.put_object().bucket(bucket).key(format!("k{i}")).body(b"data".to_vec()).send());
    for put in futures_util::future::join_all(puts).await {
        put.unwrap();
    }
    let requests = server.requests();
    let create: Vec<_> = requests.iter().filter(|r| r.target.ends_with("?session")).collect();
    assert_eq!(create.len(), 1, "one CreateSession for ten concurrent calls");
    assert_eq!(create[0].target, format!("/{bucket}?session"));
    assert!(create[0]
        .header("authorization")
        .unwrap()
        .contains("Credential=AKIDEXAMPLE/20251206/us-west-2/s3express/aws4_request"));
    assert!(create[0].header("x-amz-s3session-token").is_none());
    let puts: Vec<_> = requests.iter().filter(|r| r.method == "PUT").collect();
    assert_eq!(puts.len(), 10);
    for put in &puts {
        assert_eq!(put.signature, Ok(()), "signed with the session's secret");
        assert!(put.target.starts_with(&format!("/{bucket}/k")), "{}", put.target);
        assert!(put
            .header("authorization")
            .unwrap()
            .contains("Credential=ASIASESSION1/20251206/us-west-2/s3express/aws4_request"));
        assert_eq!(put.header("x-amz-s3session-token"), Some("session-1"));
        assert!(put.header("x-amz-security-token").is_none());
    }

    // Four minutes on: the session expires within a minute, so the next call makes another.
    clock.0.store(241, Ordering::SeqCst);
    client.put_object().bucket(bucket).key("later").body(b"data".to_vec()).send().await.unwrap();
    let last = server.requests().pop().unwrap();
    assert_eq!(sessions.load(Ordering::SeqCst), 2);
    assert_eq!(last.header("x-amz-s3session-token"), Some("session-2"));
    // A general purpose bucket beside it is signed as ever.
    client.put_object().bucket("plain-bucket").key("k").body(b"data".to_vec()).send().await.unwrap();
    let plain = server.requests().pop().unwrap();
    assert!(plain.header("authorization").unwrap().contains("/us-west-2/s3/aws4_request"));
    assert!(plain.header("x-amz-s3session-token").is_none());
}
