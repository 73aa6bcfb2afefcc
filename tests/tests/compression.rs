//! Request compression (`requestcompression`): CloudWatch's PutMetricData sends its body
//! gzip-compressed from 10 KiB on, as every AWS SDK does, unless told otherwise; the signature
//! covers the compressed bytes.

mod support;

use awsgen_cloudwatch_json::types::MetricDatum;
use awsgen_cloudwatch_json::Client;
use awsgen_runtime::RequestCompression;
use std::io::Read;
use support::{quick_config_builder, Received, Reply, Server};

/// `count` data points: about 60 bytes of JSON each.
fn data(count: usize) -> Vec<MetricDatum> {
    (0..count)
        .map(|i| MetricDatum::builder().metric_name(format!("Latency{i}")).value(i as f64).build().unwrap())
        .collect()
}

/// The body as JSON, decompressed first if it says it is gzip.
fn json_of(request: &Received) -> serde_json::Value {
    let body = match request.header("content-encoding") {
        Some("gzip") => {
            let mut text = Vec::new();
            flate2::read::GzDecoder::new(&request.body[..]).read_to_end(&mut text).unwrap();
            text
        }
        _ => request.body.clone(),
    };
    serde_json::from_slice(&body).unwrap()
}

#[tokio::test]
async fn large_bodies_go_compressed_small_ones_as_they_are() {
    let server = Server::start(|_, _| Reply::json(200, serde_json::json!({}))).await;
    let client = Client::new(quick_config_builder(&server).build());
    client.put_metric_data().namespace("App").metric_data(data(400)).send().await.unwrap();
    client.put_metric_data().namespace("App").metric_data(data(3)).send().await.unwrap();
    let [large, small]: [Received; 2] = server.requests().try_into().unwrap();
    assert_eq!(large.header("content-encoding"), Some("gzip"));
    assert_eq!(large.signature, Ok(()), "the signature covers the compressed bytes");
    assert_eq!(json_of(&large)["MetricData"].as_array().unwrap().len(), 400);
    assert!(large.body.len() < 4096, "{} bytes", large.body.len());
    assert_eq!(small.header("content-encoding"), None);
    assert_eq!(json_of(&small)["MetricData"].as_array().unwrap().len(), 3);

    let off = RequestCompression { disabled: true, ..RequestCompression::default() };
    let client = Client::new(quick_config_builder(&server).request_compression(off).build());
    client.put_metric_data().namespace("App").metric_data(data(400)).send().await.unwrap();
    let always = RequestCompression { min_size_bytes: 0, ..RequestCompression::default() };
    let client = Client::new(quick_config_builder(&server).request_compression(always).build());
    client.put_metric_data().namespace("App").metric_data(data(3)).send().await.unwrap();
    let requests = server.requests();
    assert_eq!(requests[2].header("content-encoding"), None, "turned off");
    assert_eq!(requests[3].header("content-encoding"), Some("gzip"), "any size");
    assert_eq!(json_of(&requests[3])["MetricData"].as_array().unwrap().len(), 3);
}
