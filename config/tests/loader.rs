//! `ConfigLoader`: which source wins for each setting.

mod support;

use awsgen_config::{ConfigLoader, Env, ProviderConfig};
use awsgen_runtime::{Config, RetryMode};
use std::path::PathBuf;
use support::replay::{Exchange, Redirect, ReplayServer};

fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(future)
}

/// A config file in a folder of its own, and an environment naming it plus `vars`; instance
/// metadata is off unless `vars` turn it on.
fn environment(name: &str, config_file: &str, vars: &[(&str, &str)]) -> (Env, PathBuf) {
    let dir = support::temp_dir(name);
    std::fs::write(dir.join("config"), config_file).unwrap();
    let files = [
        ("AWS_EC2_METADATA_DISABLED".to_owned(), "true".to_owned()),
        ("AWS_CONFIG_FILE".to_owned(), dir.join("config").display().to_string()),
        ("AWS_SHARED_CREDENTIALS_FILE".to_owned(), dir.join("credentials").display().to_string()),
    ];
    let vars = vars.iter().map(|(name, value)| (name.to_string(), value.to_string()));
    (Env::from_vars(files.into_iter().chain(vars)), dir)
}

fn load(loader: ConfigLoader, env: Env) -> Config {
    block_on(loader.provider_config(ProviderConfig::new().with_env(env)).load())
}

const PROFILES: &str = "[default]\nregion = eu-west-1\nmax_attempts = 5\n\
                        [profile other]\nregion = ap-south-1\nmax_attempts = 7\n";

#[test]
fn the_profile_gives_what_the_environment_does_not() {
    let (env, dir) = environment("profile", PROFILES, &[]);
    let config = load(ConfigLoader::default(), env.clone());
    assert_eq!((config.region(), config.retry().max_attempts), (Some("eu-west-1"), 5));
    let config = load(ConfigLoader::default().profile_name("other"), env);
    assert_eq!((config.region(), config.retry().max_attempts), (Some("ap-south-1"), 7));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_environment_wins_over_the_profile_and_the_program_over_both() {
    let (env, dir) = environment("environment", PROFILES, &[("AWS_REGION", "us-west-2"), ("AWS_MAX_ATTEMPTS", "2")]);
    let config = load(ConfigLoader::default(), env.clone());
    assert_eq!((config.region(), config.retry().max_attempts), (Some("us-west-2"), 2));
    let config = load(ConfigLoader::default().region("sa-east-1"), env);
    assert_eq!(config.region(), Some("sa-east-1"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn unusable_settings_leave_the_defaults() {
    let (env, dir) = environment("unusable", "[default]\nmax_attempts = 0\n", &[]);
    let config = load(ConfigLoader::default(), env);
    assert_eq!((config.region(), config.retry().max_attempts), (None, 3));
    let (env, broken) = environment("broken", "[default\nregion = eu-west-1\n", &[("AWS_MAX_ATTEMPTS", "many")]);
    let config = load(ConfigLoader::default(), env);
    assert_eq!((config.region(), config.retry().max_attempts), (None, 3));
    std::fs::remove_dir_all(dir).unwrap();
    std::fs::remove_dir_all(broken).unwrap();
}

/// Where the loaded config sends SSO GetRoleCredentials and SSO OIDC CreateToken (both unsigned,
/// so no credentials are needed): the replay server checks each request's host.
fn check_hosts(config_file: &str, vars: &[(&str, &str)], sso: &str, oidc: &str) {
    let (env, dir) = environment("endpoints", config_file, vars);
    let server = ReplayServer::start(vec![
        answer("GET", &format!("{sso}/federation/credentials?account_id=1&role_name=R")),
        answer("POST", &format!("{oidc}/token")),
    ]);
    let loader = ConfigLoader::default().provider_config(ProviderConfig::new().with_env(env));
    let config = block_on(loader.load_builder()).http_client(Redirect::to(server.addr)).build();
    block_on(async {
        let sso = awsgen_sso::Client::new(config.clone());
        sso.get_role_credentials().access_token("t").account_id("1").role_name("R").send().await.unwrap();
        let oidc = awsgen_sso_oidc::Client::new(config);
        oidc.create_token().client_id("c").client_secret("s").grant_type("refresh_token").send().await.unwrap();
    });
    server.finish().unwrap_or_else(|error| panic!("{vars:?}: {error}"));
    std::fs::remove_dir_all(dir).unwrap();
}

/// Without a region in the environment or the profile, the instance's own (IMDSv2: a session
/// token, then the region with it); a region set anywhere else means no request at all.
#[test]
fn the_region_comes_last_from_instance_metadata() {
    let imds = "169.254.169.254";
    let token = Exchange {
        headers: vec![("x-aws-ec2-metadata-token-ttl-seconds".into(), "21600".into())],
        response_body: b"imds-token".to_vec(),
        ..answer("PUT", &format!("{imds}/latest/api/token"))
    };
    let region = Exchange {
        headers: vec![("x-aws-ec2-metadata-token".into(), "imds-token".into())],
        response_body: b"ap-northeast-2".to_vec(),
        ..answer("GET", &format!("{imds}/latest/meta-data/placement/region"))
    };
    let metadata_on = [("AWS_EC2_METADATA_DISABLED", "false")];
    let load_through = |server: &ReplayServer, config_file: &str| {
        let (env, dir) = environment("imds-region", config_file, &metadata_on);
        let provider_config = ProviderConfig::new().with_env(env).with_http_client(Redirect::to(server.addr));
        let config = block_on(ConfigLoader::default().provider_config(provider_config).load());
        std::fs::remove_dir_all(dir).unwrap();
        config.region().map(str::to_owned)
    };
    let server = ReplayServer::start(vec![token, region]);
    assert_eq!(load_through(&server, ""), Some("ap-northeast-2".to_owned()));
    server.finish().unwrap();
    let untouched = ReplayServer::start(Vec::new());
    assert_eq!(load_through(&untouched, "[default]\nregion = eu-north-1\n"), Some("eu-north-1".to_owned()));
    untouched.finish().unwrap();
}

fn answer(method: &str, target: &str) -> Exchange {
    Exchange {
        method: method.into(),
        target: target.into(),
        status: 200,
        response_headers: vec![("content-type".into(), "application/json".into())],
        response_body: b"{}".to_vec(),
        ..Exchange::default()
    }
}

const ENDPOINTS: &str = "[default]\nregion = eu-west-1\nendpoint_url = http://profile-global.test\nservices = local\n\
                         [services local]\nsso =\n  endpoint_url = http://profile-sso.test\n";

#[test]
fn endpoint_urls_come_per_service_then_global_environment_before_profile() {
    check_hosts(ENDPOINTS, &[], "profile-sso.test", "profile-global.test");
    let oidc_env = [("AWS_ENDPOINT_URL_SSO_OIDC", "http://env-oidc.test")];
    check_hosts(ENDPOINTS, &oidc_env, "profile-sso.test", "env-oidc.test");
    // The environment's global URL wins over the profile's per-service one.
    let global_env = [("AWS_ENDPOINT_URL", "http://env-global.test")];
    check_hosts(ENDPOINTS, &global_env, "env-global.test", "env-global.test");
    let both = [("AWS_ENDPOINT_URL", "http://env-global.test"), ("AWS_ENDPOINT_URL_SSO", "http://env-sso.test")];
    check_hosts(ENDPOINTS, &both, "env-sso.test", "env-global.test");
    let ignore = [("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"), ("AWS_ENDPOINT_URL", "http://env-global.test")];
    check_hosts(ENDPOINTS, &ignore, "portal.sso.eu-west-1.amazonaws.com", "oidc.eu-west-1.amazonaws.com");
}

#[test]
fn fips_and_dual_stack_come_from_the_environment_then_the_profile() {
    let profile = "[default]\nregion = eu-west-1\nuse_fips_endpoint = true\n";
    check_hosts(profile, &[], "portal.sso-fips.eu-west-1.amazonaws.com", "oidc-fips.eu-west-1.amazonaws.com");
    let env = [("AWS_USE_FIPS_ENDPOINT", "false"), ("AWS_USE_DUALSTACK_ENDPOINT", "TRUE")];
    check_hosts(profile, &env, "portal.sso.eu-west-1.api.aws", "oidc.eu-west-1.api.aws");
}

/// A config file, variables, and the error expected.
type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);

#[test]
fn try_load_reports_what_load_leaves_at_its_default() {
    let cases: [Case; 7] = [
        ("[default\n", &[], "could not parse profile file"),
        ("[default]\nmax_attempts = 0\n", &[], "max_attempts of profile `default`: `0` is not a whole number"),
        ("", &[("AWS_MAX_ATTEMPTS", "many")], "AWS_MAX_ATTEMPTS: `many` is not a whole number of at least 1"),
        ("[default]\nretry_mode = fast\n", &[], "retry_mode of profile `default`: `fast` is not one of standard"),
        ("", &[("AWS_USE_FIPS_ENDPOINT", "yes")], "AWS_USE_FIPS_ENDPOINT: `yes` is neither true nor false"),
        ("[default]\n", &[("AWS_PROFILE", "nope")], "profile `nope` is not in the profile files"),
        (
            "[default]\nresponse_checksum_validation = always\n",
            &[],
            "response_checksum_validation of profile `default`: `always` is not one of when_supported, when_required",
        ),
    ];
    for (config_file, vars, expected) in cases {
        let (env, dir) = environment("try", config_file, vars);
        let loader = ConfigLoader::default().provider_config(ProviderConfig::new().with_env(env));
        let error = block_on(loader.clone().try_load()).unwrap_err();
        assert!(error.to_string().contains(expected), "{error} lacks {expected:?}");
        let config = block_on(loader.load());
        assert_eq!(config.retry().max_attempts, 3, "{expected}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}

#[test]
fn retry_modes_from_the_profile_legacy_running_as_standard() {
    let modes = [("standard", RetryMode::Standard), ("adaptive", RetryMode::Adaptive), ("Legacy", RetryMode::Standard)];
    for (mode, expected) in modes {
        let (env, dir) = environment("mode", &format!("[default]\nretry_mode = {mode}\nmax_attempts = 4\n"), &[]);
        let loader = ConfigLoader::default().provider_config(ProviderConfig::new().with_env(env));
        let config = block_on(loader.try_load()).unwrap();
        assert_eq!((config.retry().max_attempts, config.retry_mode()), (4, expected));
        std::fs::remove_dir_all(dir).unwrap();
    }
}

#[test]
fn checksum_settings_from_the_environment_then_the_profile() {
    use awsgen_runtime::{RequestChecksumCalculation as Request, ResponseChecksumValidation as Response};
    let profile =
        "[default]\nrequest_checksum_calculation = WHEN_REQUIRED\nresponse_checksum_validation = when_required\n";
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], (Request, Response));
    let cases: [Case; 3] = [
        ("", &[], (Request::WhenSupported, Response::WhenSupported)),
        (profile, &[], (Request::WhenRequired, Response::WhenRequired)),
        (
            profile,
            &[("AWS_RESPONSE_CHECKSUM_VALIDATION", "when_supported")],
            (Request::WhenRequired, Response::WhenSupported),
        ),
    ];
    for (config_file, vars, expected) in cases {
        let (env, dir) = environment("checksums", config_file, vars);
        let loader = ConfigLoader::default().provider_config(ProviderConfig::new().with_env(env));
        let config = block_on(loader.try_load()).unwrap();
        assert_eq!((config.request_checksum_calculation(), config.response_checksum_validation()), expected);
        std::fs::remove_dir_all(dir).unwrap();
    }
}

#[test]
fn s3_addressing_from_the_profiles_nested_settings() {
    use awsgen_runtime::{S3Addressing, S3AddressingStyle};
    let cases = [
        ("", S3Addressing::default()),
        ("[default]\ns3 =\n  addressing_style = path\n", S3Addressing::path_style()),
        ("[default]\ns3 =\n  addressing_style = auto\n", S3Addressing::default()),
        (
            "[default]\ns3 =\n  addressing_style = virtual\n  use_accelerate_endpoint = TRUE\n",
            S3Addressing { style: S3AddressingStyle::Virtual, accelerate: true },
        ),
    ];
    for (config_file, expected) in cases {
        let (env, dir) = environment("s3", config_file, &[]);
        let loader = ConfigLoader::default().provider_config(ProviderConfig::new().with_env(env));
        assert_eq!(block_on(loader.try_load()).unwrap().s3(), expected, "{config_file}");
        std::fs::remove_dir_all(dir).unwrap();
    }
    let (env, dir) = environment("s3", "[default]\ns3 =\n  addressing_style = sideways\n", &[]);
    let loader = ConfigLoader::default().provider_config(ProviderConfig::new().with_env(env));
    let error = block_on(loader.try_load()).unwrap_err();
    assert!(error.to_string().contains("s3.addressing_style of profile `default`: `sideways`"), "{error}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_app_id_comes_from_the_environment_or_the_profile() {
    let (env, dir) = environment("ua-profile", "[default]\nsdk_ua_app_id = from-profile\n", &[]);
    let loader = ConfigLoader::default().provider_config(ProviderConfig::new().with_env(env));
    assert_eq!(block_on(loader.try_load()).unwrap().app_id(), Some("from-profile"));
    std::fs::remove_dir_all(dir).unwrap();
    let (env, dir) =
        environment("ua-env", "[default]\nsdk_ua_app_id = from-profile\n", &[("AWS_SDK_UA_APP_ID", "from-env")]);
    let loader = ConfigLoader::default().provider_config(ProviderConfig::new().with_env(env));
    assert_eq!(block_on(loader.try_load()).unwrap().app_id(), Some("from-env"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn request_compression_comes_from_the_environment_or_the_profile() {
    use awsgen_runtime::RequestCompression;
    let profile = "[default]\ndisable_request_compression = true\nrequest_min_compression_size_bytes = 100\n";
    let (env, dir) = environment("gzip-profile", profile, &[]);
    let loader = ConfigLoader::default().provider_config(ProviderConfig::new().with_env(env));
    let loaded = block_on(loader.try_load()).unwrap().request_compression();
    assert_eq!(loaded, RequestCompression { disabled: true, min_size_bytes: 100 });
    std::fs::remove_dir_all(dir).unwrap();
    let (env, dir) = environment("gzip-env", "", &[("AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES", "10485761")]);
    let loader = ConfigLoader::default().provider_config(ProviderConfig::new().with_env(env));
    let error = block_on(loader.try_load()).unwrap_err();
    assert!(error.to_string().contains("AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES"), "{error}");
    std::fs::remove_dir_all(dir).unwrap();
}
