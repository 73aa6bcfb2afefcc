//! Resolution and rule-set checking on small hand-written rule sets. The published cases of all
//! AWS services run through `cargo xtask endpoint-tests`.

use super::*;
use serde_json::json;

/// A rule set in the shape AWS publishes: FIPS/dual-stack variants, a custom endpoint, a bucket.
fn sample() -> RuleSet {
    let rules = json!({
        "version": "1.0",
        "parameters": {
            "Region": {"type": "String", "builtIn": "AWS::Region", "required": false, "documentation": "The region."},
            "UseFIPS": {"type": "Boolean", "builtIn": "AWS::UseFIPS", "required": true, "default": false},
            "Endpoint": {"type": "String", "builtIn": "SDK::Endpoint", "required": false},
            "Bucket": {"type": "String", "required": false},
            "Tags": {"type": "stringArray", "required": false, "default": ["a", "b"]}
        },
        "rules": [
            {"type": "tree", "conditions": [{"fn": "isSet", "argv": [{"ref": "Endpoint"}]}], "rules": [
                {"type": "error", "conditions": [{"fn": "booleanEquals", "argv": [{"ref": "UseFIPS"}, true]}],
                 "error": "Invalid Configuration: FIPS and custom endpoint are not supported"},
                {"type": "endpoint",
                 "conditions": [{"fn": "parseURL", "argv": [{"ref": "Endpoint"}], "assign": "url"}],
                 "endpoint": {"url": "{url#scheme}://{url#authority}{url#normalizedPath}x", "headers": {}, "properties": {}}},
                {"type": "error", "conditions": [], "error": "Custom endpoint `{Endpoint}` was not a valid URI"}
            ]},
            {"type": "tree", "conditions": [{"fn": "isSet", "argv": [{"ref": "Region"}]}], "rules": [
                {"type": "endpoint", "conditions": [
                    {"fn": "isSet", "argv": [{"ref": "Bucket"}]},
                    {"fn": "aws.isVirtualHostableS3Bucket", "argv": [{"ref": "Bucket"}, false]},
                    {"fn": "aws.partition", "argv": [{"ref": "Region"}], "assign": "p"},
                    {"fn": "substring", "argv": [{"ref": "Bucket"}, 0, 3, true], "assign": "tail"}
                 ],
                 "endpoint": {"url": "https://{Bucket}.s3.{Region}.{p#dnsSuffix}",
                              "headers": {"x-tail": ["{tail}", "{p#name}"]},
                              "properties": {"authSchemes": [
                                  {"name": "sigv4a", "signingRegionSet": ["*"]},
                                  {"name": "sigv4", "signingName": "s3", "signingRegion": "{Region}",
                                   "disableDoubleEncoding": true}]}}},
                {"type": "tree", "conditions": [{"fn": "aws.partition", "argv": [{"ref": "Region"}], "assign": "p"}],
                 "rules": [
                    {"type": "endpoint",
                     "conditions": [{"fn": "booleanEquals", "argv": [true, {"fn": "getAttr", "argv": [{"ref": "p"}, "supportsFIPS"]}]},
                                    {"fn": "booleanEquals", "argv": [{"ref": "UseFIPS"}, true]}],
                     "endpoint": {"url": "https://svc-fips.{Region}.{p#dnsSuffix}"}},
                    {"type": "endpoint", "conditions": [],
                     "endpoint": {"url": "https://svc.{Region}.{p#dnsSuffix}", "properties": {"n": 1, "list": ["{p#name}", true]}}}
                 ]}
            ]},
            {"type": "error", "conditions": [], "error": "Invalid Configuration: Missing Region"}
        ]
    });
    RuleSet::from_json(&rules.to_string()).unwrap()
}

fn region(region: &str) -> Params {
    Params::new().with("Region", region)
}

#[test]
fn resolves_urls_headers_and_properties() {
    let rules = sample();
    let endpoint = rules.resolve(&region("eu-west-1")).unwrap();
    assert_eq!(endpoint.url, "https://svc.eu-west-1.amazonaws.com");
    assert_eq!(endpoint.properties, json!({"n": 1, "list": ["aws", true]}).as_object().unwrap().clone());
    assert_eq!(
        rules.resolve(&region("cn-north-1").with("UseFIPS", true)).unwrap().url,
        "https://svc-fips.cn-north-1.amazonaws.com.cn"
    );
    let bucket = rules.resolve(&region("us-west-2").with("Bucket", "my-bucket")).unwrap();
    assert_eq!(bucket.url, "https://my-bucket.s3.us-west-2.amazonaws.com");
    assert_eq!(bucket.headers, [("x-tail".to_owned(), vec!["ket".to_owned(), "aws".to_owned()])]);
    // Its sigv4a (listed first) for a signer of SigV4a, else its sigv4.
    let sigv4a = SigningOverride { sigv4a_region_set: Some("*".to_owned()), ..SigningOverride::default() };
    assert_eq!(bucket.signing(true).unwrap(), Some(sigv4a));
    let sigv4 = SigningOverride {
        signing_name: Some("s3".to_owned()),
        signing_region: Some("us-west-2".to_owned()),
        disable_double_encoding: true,
        ..SigningOverride::default()
    };
    assert_eq!(bucket.signing(false).unwrap(), Some(sigv4));
    // Not virtual-hostable: the regional endpoint.
    assert_eq!(
        rules.resolve(&region("us-west-2").with("Bucket", "My_Bucket")).unwrap().url,
        "https://svc.us-west-2.amazonaws.com"
    );
    let custom = rules.resolve(&Params::new().with("Endpoint", "http://localhost:8080/a")).unwrap();
    assert_eq!(custom.url, "http://localhost:8080/a/x");
    assert_eq!(custom.signing(true), Ok(None));
}

#[test]
fn rule_errors_carry_the_message_exactly() {
    let rules = sample();
    assert_eq!(
        rules.resolve(&Params::new()),
        Err(ResolveError::Rule("Invalid Configuration: Missing Region".to_owned()))
    );
    let fips = Params::new().with("Endpoint", "https://x").with("UseFIPS", true);
    assert_eq!(
        rules.resolve(&fips).unwrap_err().to_string(),
        "Invalid Configuration: FIPS and custom endpoint are not supported"
    );
    let bad = rules.resolve(&Params::new().with("Endpoint", "not a url")).unwrap_err();
    assert_eq!(bad.to_string(), "Custom endpoint `not a url` was not a valid URI");
}

#[test]
fn parameter_checks() {
    let rules = sample();
    let names: Vec<&str> = rules.parameters().iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Bucket", "Endpoint", "Region", "Tags", "UseFIPS"]);
    let fips = rules.parameters().iter().find(|p| p.name == "UseFIPS").unwrap();
    assert_eq!((fips.kind, fips.required, &fips.default), (ParamType::Boolean, true, &Some(Value::Bool(false))));
    assert_eq!(fips.built_in.as_deref(), Some("AWS::UseFIPS"));
    let tags = rules.parameters().iter().find(|p| p.name == "Tags").unwrap();
    assert_eq!(tags.default, Some(Value::StringArray(vec!["a".to_owned(), "b".to_owned()])));
    assert_eq!(
        rules.resolve(&region("us-east-1").with("UseFIPS", "yes")),
        Err(ResolveError::WrongParamType { name: "UseFIPS".to_owned(), expected: ParamType::Boolean })
    );
    assert_eq!(
        rules.resolve(&region("us-east-1").with("Nope", true)),
        Err(ResolveError::UnknownParam("Nope".to_owned()))
    );
    let required = r#"{"version": "1.0", "parameters": {"R": {"type": "string", "required": true}},
        "rules": [{"type": "endpoint", "conditions": [], "endpoint": {"url": "https://{R}"}}]}"#;
    let required = RuleSet::from_json(required).unwrap();
    assert_eq!(required.resolve(&Params::new()), Err(ResolveError::MissingParam("R".to_owned())));
    assert_eq!(required.resolve(&Params::new().with("R", "h")).unwrap().url, "https://h");
}

#[test]
fn auth_scheme_selection() {
    let endpoint = |schemes: serde_json::Value| ResolvedEndpoint {
        url: "https://x".to_owned(),
        headers: vec![],
        properties: json!({"authSchemes": schemes}).as_object().unwrap().clone(),
    };
    let only_unsupported = endpoint(json!([{"name": "sigv5"}, {"name": "bearer-ish"}]));
    assert_eq!(
        only_unsupported.signing(true),
        Err(AuthSchemeError::Unsupported(vec!["sigv5".to_owned(), "bearer-ish".to_owned()]))
    );
    assert!(only_unsupported.signing(true).unwrap_err().to_string().contains("(sigv5, bearer-ish)"));
    let express =
        endpoint(json!([{"name": "sigv4-s3express", "signingName": "s3express", "signingRegion": "us-west-2"}]));
    let express = express.signing(false).unwrap().unwrap();
    assert!(express.s3express_session && express.signing_name.as_deref() == Some("s3express"));
    // SigV4a first: taken by a signer of SigV4a (its region set), else skipped for the sigv4 after it.
    let v4a_first = endpoint(json!([{"name": "sigv4a", "signingRegionSet": ["us-east-1", "eu-west-1"]},
                                    {"name": "sigv4", "signingRegion": "us-west-2"}]));
    let chosen = v4a_first.signing(true).unwrap().unwrap();
    assert_eq!(chosen.sigv4a_region_set.as_deref(), Some("us-east-1,eu-west-1"));
    let chosen = v4a_first.signing(false).unwrap().unwrap();
    assert_eq!((chosen.sigv4a_region_set, chosen.signing_region.as_deref()), (None, Some("us-west-2")));
    let v4a_only = endpoint(json!([{"name": "sigv4a"}]));
    assert_eq!(v4a_only.signing(true).unwrap().unwrap().sigv4a_region_set.as_deref(), Some(""));
    assert_eq!(v4a_only.signing(false), Err(AuthSchemeError::Unsupported(vec!["sigv4a".to_owned()])));
    let bad_set = endpoint(json!([{"name": "sigv4a", "signingRegionSet": "*"}])).signing(true);
    assert!(matches!(bad_set, Err(AuthSchemeError::Malformed(_))));
    let plain = endpoint(json!([{"name": "sigv4", "signingRegion": "us-east-1"}])).signing(true).unwrap().unwrap();
    assert_eq!(
        (plain.signing_name, plain.signing_region.as_deref(), plain.disable_double_encoding),
        (None, Some("us-east-1"), false)
    );
    assert!(matches!(endpoint(json!({"name": "sigv4"})).signing(true), Err(AuthSchemeError::Malformed(_))));
    assert!(matches!(
        endpoint(json!([{"name": "sigv4", "signingName": 3}])).signing(true),
        Err(AuthSchemeError::Malformed(_))
    ));
}

/// Each malformed rule set is an error that says where and what, never a panic.
#[test]
fn malformed_rule_sets_are_errors() {
    let with_rules = |rules: serde_json::Value| {
        json!({"version": "1.0", "parameters": {"Region": {"type": "string"}}, "rules": rules}).to_string()
    };
    let endpoint = |conditions: serde_json::Value| {
        with_rules(json!([{"type": "endpoint", "conditions": conditions, "endpoint": {"url": "https://x"}}]))
    };
    let cases = [
        ("not json".to_owned(), "not JSON"),
        ("[]".to_owned(), "not a JSON object"),
        (json!({"version": "2.0", "parameters": {}, "rules": []}).to_string(), "unsupported version"),
        (json!({"version": "1.0", "parameters": {"R": {"type": "int"}}, "rules": []}).to_string(), "`type` must be"),
        (
            json!({"version": "1.0", "parameters": {"R": {"type": "string", "default": true}}, "rules": []})
                .to_string(),
            "`default` does not match",
        ),
        (with_rules(json!([{"type": "maybe", "conditions": []}])), "`type` must be endpoint"),
        (with_rules(json!([{"type": "tree", "conditions": []}])), "missing `rules`"),
        (endpoint(json!([{"fn": "nope", "argv": []}])), "unknown function `nope`"),
        (endpoint(json!([{"fn": "isSet", "argv": []}])), "takes 1 arguments"),
        (endpoint(json!([{"fn": "isSet", "argv": [{"ref": "Other"}]}])), "`Other` is neither a parameter"),
        (endpoint(json!([{"fn": "isSet", "argv": [{"ref": "Region"}], "assign": "Region"}])), "already defined"),
        (endpoint(json!([{"fn": "getAttr", "argv": [{"ref": "Region"}, "a[0].b"]}])), "an index must end the path"),
        (
            endpoint(json!([{"fn": "getAttr", "argv": [{"ref": "Region"}, {"ref": "Region"}]}])),
            "must be a literal string",
        ),
        (endpoint(json!([{"fn": "isSet", "argv": ["{Region"]}])), "is not closed"),
        (endpoint(json!([{"fn": "isSet", "argv": [1.5]}])), "not a boolean, integer"),
        (
            endpoint(json!([{"fn": "not", "argv": [{"fn": "isSet", "argv": [true], "assign": "x"}]}])),
            "only allowed on a condition",
        ),
    ];
    for (text, expected) in cases {
        let error = RuleSet::from_json(&text).unwrap_err();
        assert!(error.to_string().contains(expected), "{text}: {error}");
    }
    let error = RuleSet::from_json(&endpoint(json!([{"fn": "isSet", "argv": [{"ref": "Other"}]}]))).unwrap_err();
    assert_eq!(error.at, "rules[0].conditions[0].argv[0]");
}

/// A variable assigned in one rule is not visible to its siblings.
#[test]
fn assignments_are_scoped_to_their_rule() {
    let rules = json!({"version": "1.0", "parameters": {}, "rules": [
        {"type": "endpoint", "conditions": [{"fn": "aws.partition", "argv": ["us-east-1"], "assign": "p"}, {"fn": "not", "argv": [true]}],
         "endpoint": {"url": "https://{p#name}"}},
        {"type": "endpoint", "conditions": [], "endpoint": {"url": "https://{p#name}"}}
    ]});
    let error = RuleSet::from_json(&rules.to_string()).unwrap_err();
    assert_eq!(error.at, "rules[1].endpoint.url");
}

#[test]
fn hostile_input_is_an_error_not_a_panic() {
    // Deep nesting: refused when parsing (serde_json or our own limit), never a stack overflow.
    let mut deep = json!({"fn": "isSet", "argv": [{"ref": "Region"}]});
    for _ in 0..100 {
        deep = json!({"fn": "not", "argv": [deep]});
    }
    let rules = json!({"version": "1.0", "parameters": {"Region": {"type": "string"}},
        "rules": [{"type": "endpoint", "conditions": [deep], "endpoint": {"url": "https://x"}}]});
    assert!(RuleSet::from_json(&rules.to_string()).is_err());
    let mut tree = json!({"type": "error", "conditions": [], "error": "deep"});
    for _ in 0..70 {
        tree = json!({"type": "tree", "conditions": [], "rules": [tree]});
    }
    let rules = json!({"version": "1.0", "parameters": {}, "rules": [tree]});
    let error = RuleSet::from_json(&rules.to_string()).unwrap_err().message;
    assert!(error.contains("too deeply") || error.contains("recursion limit"), "{error}");

    // Growth: each condition doubles the previous variable; it stops at MAX_STRING_LEN.
    let mut conditions = vec![json!({"fn": "uriEncode", "argv": ["{Region}"], "assign": "v0"})];
    for i in 1..40 {
        conditions.push(
            json!({"fn": "uriEncode", "argv": [format!("{{v{}}}{{v{}}}", i - 1, i - 1)], "assign": format!("v{i}")}),
        );
    }
    let rules = json!({"version": "1.0", "parameters": {"Region": {"type": "string"}},
        "rules": [{"type": "endpoint", "conditions": conditions, "endpoint": {"url": "https://x"}}]});
    let rules = RuleSet::from_json(&rules.to_string()).unwrap();
    assert!(matches!(rules.resolve(&region("%%%%")), Err(ResolveError::Invalid(m)) if m.contains("grew beyond")));

    // Type misuse at run time: an error naming the function.
    let rules = json!({"version": "1.0", "parameters": {"Region": {"type": "string"}, "B": {"type": "boolean"}},
    "rules": [
        {"type": "endpoint", "conditions": [{"fn": "isSet", "argv": [{"ref": "Region"}]},
            {"fn": "booleanEquals", "argv": [{"ref": "Region"}, true]}], "endpoint": {"url": "https://x"}},
        {"type": "endpoint", "conditions": [{"fn": "booleanEquals", "argv": [{"ref": "B"}, true]}], "endpoint": {"url": "https://y"}},
        {"type": "tree", "conditions": [], "rules": [
            {"type": "endpoint", "conditions": [{"fn": "stringEquals", "argv": ["a", "b"]}], "endpoint": {"url": "https://z"}}]}
    ]});
    let rules = RuleSet::from_json(&rules.to_string()).unwrap();
    assert!(
        matches!(rules.resolve(&region("us-east-1")), Err(ResolveError::Invalid(m)) if m.contains("BooleanEquals"))
    );
    assert!(matches!(rules.resolve(&Params::new()), Err(ResolveError::Invalid(m)) if m.contains("not set")));
    assert_eq!(rules.resolve(&Params::new().with("B", true)).unwrap().url, "https://y");
    // A tree whose conditions hold but none of whose rules match: no endpoint, not a fall-through.
    assert_eq!(rules.resolve(&Params::new().with("B", false)), Err(ResolveError::NoMatch));

    // Odd strings in every function: no panic.
    let odd = [
        "",
        "é",
        "🐱",
        "\u{0}",
        "[",
        "arn:",
        "::::::",
        "http://[",
        "https://[::1",
        "%",
        "a.b..c",
        &"x".repeat(100_000),
    ];
    for text in odd {
        let _ = functions::parse_url(text);
        let _ = functions::parse_arn(text);
        let _ = functions::substring(text, 0, 2, true);
        let _ = functions::is_valid_host_label(text, true);
        let _ = functions::is_virtual_hostable_s3_bucket(text, true);
        let _ = partition::partition(text);
        let _ = template::parse_template(text);
        let _ = template::parse_path(text);
        let _ = sample().resolve(&region(text).with("Bucket", text).with("Endpoint", text));
    }
}

#[test]
fn newer_functions_coalesce_ite_split() {
    let rules = json!({"version": "1.1", "parameters": {"A": {"type": "string"}, "F": {"type": "boolean", "default": false, "required": true}},
        "rules": [{"type": "endpoint", "conditions": [
            {"fn": "coalesce", "argv": [{"ref": "A"}, "none"], "assign": "a"},
            {"fn": "ite", "argv": [{"ref": "F"}, "-fips", ""], "assign": "suffix"},
            {"fn": "split", "argv": ["x--y--z", "--", 0], "assign": "parts"},
            {"fn": "getAttr", "argv": [{"ref": "parts"}, "[-1]"], "assign": "last"}
        ], "endpoint": {"url": "https://{a}{suffix}.{last}"}}]});
    let rules = RuleSet::from_json(&rules.to_string()).unwrap();
    assert_eq!(rules.resolve(&Params::new()).unwrap().url, "https://none.z");
    assert_eq!(rules.resolve(&Params::new().with("A", "b").with("F", true)).unwrap().url, "https://b-fips.z");
}

/// Timing, not a check of speed: parse and resolve times for S3 and DynamoDB's published rule sets
/// (read from ../shared beside the checkout; skipped without it). Run in release, e.g.
/// `cargo test --release -p xtask endpoint_rules::tests::timing -- --ignored --nocapture`.
#[test]
#[ignore]
fn timing() {
    use std::time::Instant;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/endpoint-tests");
    let s3 = Params::new().with("Region", "us-west-2").with("Bucket", "my-bucket");
    let cases = [
        ("s3", s3, "https://my-bucket.s3.us-west-2.amazonaws.com"),
        ("dynamodb", region("us-west-2"), "https://dynamodb.us-west-2.amazonaws.com"),
    ];
    for (service, params, url) in cases {
        let Ok(text) = std::fs::read_to_string(dir.join(service).join("endpoint-rule-set-1.json")) else {
            eprintln!("skipped: no {} beside the checkout", dir.display());
            return;
        };
        let mut parses: Vec<f64> = (0..21)
            .map(|_| {
                let started = Instant::now();
                RuleSet::from_json(&text).unwrap();
                started.elapsed().as_secs_f64()
            })
            .collect();
        parses.sort_by(f64::total_cmp);
        let rules = RuleSet::from_json(&text).unwrap();
        assert_eq!(rules.resolve(&params).unwrap().url, url);
        let calls = 100_000;
        let started = Instant::now();
        for _ in 0..calls {
            std::hint::black_box(rules.resolve(std::hint::black_box(&params)).unwrap());
        }
        let per_call = started.elapsed().as_secs_f64() / f64::from(calls);
        println!(
            "{service}: {} bytes, parse {:.2} ms (median of 21), resolve {:.2} µs per call ({url})",
            text.len(),
            parses[10] * 1e3,
            per_call * 1e6
        );
    }
}
