//! `cargo xtask corpus --no-compile` over a botocore data folder as botocore ships it: gzip'd
//! `service-2.json.gz`, the newest api-version taken, services of other protocols listed as
//! skipped (not failed), a model the generator refuses shown with its first diagnostic.

use flate2::write::GzEncoder;
use flate2::Compression;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask")).args(args).output().expect("xtask runs")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("awsgen-xtask-corpus-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

fn write(path: &Path, contents: &[u8]) {
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("folder");
    std::fs::write(path, contents).expect("writable");
}

fn gzip(contents: &str) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(contents.as_bytes()).expect("gzip");
    encoder.finish().expect("gzip")
}

/// A one-operation awsJson 1.1 service with a paginated list operation.
const TINY: &str = r#"{
  "version": "2.0",
  "metadata": {
    "apiVersion": "2024-01-01", "endpointPrefix": "tiny", "jsonVersion": "1.1", "protocol": "json",
    "protocols": ["json"], "serviceFullName": "Tiny", "serviceId": "Tiny", "signatureVersion": "v4",
    "targetPrefix": "Tiny_20240101", "uid": "tiny-2024-01-01"
  },
  "operations": {
    "ListThings": {
      "name": "ListThings",
      "http": {"method": "POST", "requestUri": "/"},
      "input": {"shape": "ListThingsInput"},
      "output": {"shape": "ListThingsOutput"}
    }
  },
  "shapes": {
    "ListThingsInput": {"type": "structure", "members": {"NextToken": {"shape": "String"}}},
    "ListThingsOutput": {
      "type": "structure",
      "members": {"Things": {"shape": "Things"}, "NextToken": {"shape": "String"}}
    },
    "Things": {"type": "list", "member": {"shape": "String"}},
    "String": {"type": "string"}
  }
}"#;

const TINY_PAGINATORS: &str = r#"{"pagination": {"ListThings": {"input_token": "NextToken", "output_token": "NextToken", "result_key": "Things"}}}"#;

/// A service in a protocol the generator does not speak: listed as skipped, never handed to the
/// generator.
const UNSUPPORTED: &str = r#"{
  "version": "2.0",
  "metadata": {"apiVersion": "2010-05-08", "protocol": "soap", "protocols": ["soap"], "serviceId": "Legacy"},
  "operations": {},
  "shapes": {}
}"#;

#[test]
fn reads_gzipped_models_takes_the_newest_version_and_skips_other_protocols() {
    let models = scratch("models");
    // botocore's layout: gzip'd service-2, plain paginators, an older api-version left behind
    // (unreadable here, so taking it would fail), shared files at the top.
    write(&models.join("tiny/2024-01-01/service-2.json.gz"), &gzip(TINY));
    write(&models.join("tiny/2024-01-01/paginators-1.json"), TINY_PAGINATORS.as_bytes());
    write(&models.join("tiny/2019-01-01/service-2.json.gz"), &gzip("not json"));
    write(&models.join("legacy/2010-05-08/service-2.json.gz"), &gzip(UNSUPPORTED));
    write(&models.join("dynamo-ish/2011-12-05/examples-1.json"), b"{}"); // no service-2: not a service
    write(&models.join("_retry.json"), b"{}");
    let out = models.join("scratch-out");
    let (models_arg, out_arg) = (models.to_str().unwrap(), out.to_str().unwrap());

    let run = xtask(&["corpus", "--models", models_arg, "--out", out_arg, "--no-compile"]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stdout}\n{stderr}");
    let row = |service: &str| stdout.lines().find(|l| l.starts_with(&format!("{service} "))).unwrap_or_default();
    let tiny: Vec<&str> = row("tiny").split_whitespace().collect();
    assert_eq!(tiny[..4], ["tiny", "2024-01-01", "json", "1"], "{stdout}");
    assert!(tiny[5].parse::<usize>().unwrap() > 50, "lines: {stdout}");
    assert_eq!(tiny.last(), Some(&"generated"), "{stdout}");
    assert!(
        row("legacy").contains("2010-05-08") && row("legacy").ends_with("skipped: protocol soap not supported yet")
    );
    assert!(row("dynamo-ish").is_empty(), "{stdout}");
    assert!(stdout.contains("services: 2 (1 with a supported protocol)"), "{stdout}");
    assert!(stdout.contains("generated: 1, failed to generate: 0"), "{stdout}");
    assert!(stdout.contains("compiled: not run (--no-compile)"), "{stdout}");
    assert!(stdout.contains("skipped (protocol not supported yet): 1 (soap 1)"), "{stdout}");
    assert!(stdout.contains("operations: 1 (0 left out by the generator)"), "{stdout}");
    assert!(!out.exists(), "--no-compile writes nothing");

    // --only and --sample choose among the folders; an unknown name is an error.
    let only = xtask(&["corpus", "--models", models_arg, "--no-compile", "--only", "legacy"]);
    let stdout = String::from_utf8_lossy(&only.stdout);
    assert!(
        only.status.success()
            && !stdout.contains("\ntiny ")
            && stdout.contains("services: 1 (0 with a supported protocol)"),
        "{stdout}"
    );
    let sampled = xtask(&["corpus", "--models", models_arg, "--no-compile", "--sample", "1"]);
    let stdout = String::from_utf8_lossy(&sampled.stdout);
    assert!(
        sampled.status.success() && stdout.contains("services: 2 (1 with a supported protocol)"),
        "all taken: {stdout}"
    );
    let unknown = xtask(&["corpus", "--models", models_arg, "--no-compile", "--only", "tiny,nope"]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no model for nope"));
    let _ = std::fs::remove_dir_all(&models);
}

#[test]
fn a_model_the_generator_refuses_fails_with_its_first_diagnostic() {
    let models = scratch("refused");
    // The paginator names a result key the output does not have: read from paginators-1.json.gz.
    let paginators = TINY_PAGINATORS.replace(r#""result_key": "Things""#, r#""result_key": "Missing""#);
    write(&models.join("tiny/2024-01-01/service-2.json.gz"), &gzip(TINY));
    write(&models.join("tiny/2024-01-01/paginators-1.json.gz"), &gzip(&paginators));

    let run = xtask(&["corpus", "--models", models.to_str().unwrap(), "--no-compile"]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success(), "{stdout}");
    let row = stdout.lines().find(|l| l.starts_with("tiny ")).unwrap_or_default();
    assert!(row.contains("FAILED to generate: ") && row.contains("(at /pagination/ListThings/result_key)"), "{stdout}");
    assert!(stdout.contains("generated: 0, failed to generate: 1"), "{stdout}");
    assert!(stderr.contains("paginators-1.json.gz at /pagination/ListThings/result_key"), "{stderr}");
    let _ = std::fs::remove_dir_all(&models);
}

#[test]
fn a_sample_is_evenly_spread_and_always_the_same() {
    let services: Vec<usize> = (0..393).collect();
    assert_eq!(xtask::corpus::sample(&services, 6), [0, 65, 131, 196, 262, 327]);
    assert_eq!(xtask::corpus::sample(&services[..10], 3), [0, 3, 6]);
    assert_eq!(xtask::corpus::sample(&services[..4], 9), [0, 1, 2, 3]);
}
