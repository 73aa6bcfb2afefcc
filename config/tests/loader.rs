//! `ConfigLoader`: which source wins for each setting.

use awsgen_config::{ConfigLoader, Env, ProviderConfig};
use awsgen_runtime::Config;
use std::path::PathBuf;

fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(future)
}

/// A config file in a folder of its own, and an environment naming it plus `vars`.
fn environment(name: &str, config_file: &str, vars: &[(&str, &str)]) -> (Env, PathBuf) {
    let dir = std::env::temp_dir().join(format!("awsgen-loader-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config"), config_file).unwrap();
    let files = [
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
