//! The plan's decisions that the assume-role suite showed we got wrong, one test each.

use super::{plan_for, Base, Plan};
use crate::profile::ProfileSet;
use crate::provider::sso;
use crate::provider::ProviderConfig;
use crate::Env;
use awsgen_runtime::credentials::CredentialsError;

/// The plan for profile `A` of this config file.
fn plan_of(config: &str) -> Result<Plan, CredentialsError> {
    plan_for(&ProfileSet::parse(config, "").unwrap(), "A", true)
}

fn error_of(config: &str) -> String {
    plan_of(config).expect_err("an error").message().to_owned()
}

#[test]
fn a_loop_back_to_a_profile_with_keys_is_a_cycle() {
    let config =
        "[profile A]\naws_access_key_id = a\naws_secret_access_key = s\nrole_arn = arn:A\nsource_profile = B\n\
                  [profile B]\nrole_arn = arn:B\nsource_profile = A\n";
    assert_eq!(error_of(config), "source_profile cycle: `A` -> `B` -> `A`");
}

#[test]
fn a_profile_that_is_its_own_source_assumes_its_role_with_its_keys() {
    let config =
        "[profile A]\naws_access_key_id = a\naws_secret_access_key = s\nrole_arn = arn:A\nsource_profile = A\n";
    let plan = plan_of(config).unwrap();
    assert!(matches!(&plan.base, Base::StaticKeys(keys) if keys.access_key_id() == "a"), "{plan:?}");
    assert_eq!(plan.roles.iter().map(|role| role.arn.as_str()).collect::<Vec<_>>(), ["arn:A"]);
}

#[test]
fn a_profile_that_is_its_own_source_needs_keys() {
    let config = "[profile A]\nrole_arn = arn:A\nsource_profile = A\n";
    assert_eq!(error_of(config), "profile `A` is its own source_profile but sets no aws_access_key_id");
}

#[test]
fn a_secret_without_its_key_id_is_an_error() {
    let config = "[profile A]\nrole_arn = arn:A\nsource_profile = B\n[profile B]\naws_secret_access_key = s\n";
    assert_eq!(error_of(config), "profile `B` sets aws_secret_access_key but not aws_access_key_id");
}

#[test]
fn a_token_only_profile_with_a_missing_sso_session_names_it() {
    let error = error_of("[profile A]\nsso_session = oops\n");
    assert!(error.contains("no [sso-session oops] section"), "{error}");
}

#[test]
fn an_sso_region_beside_its_session_is_pointed_at() {
    let error = error_of("[profile A]\nsso_session = A\nsso_region = r\n[sso-session A]\nsso_start_url = https://u\n");
    assert!(error.contains("sets no sso_region (the sso_region of profile `A` belongs in the sso-session)"), "{error}");
}

/// A token-only SSO profile plans, as in smithy-rs; asking it for credentials fails before any
/// token is read or request made.
#[test]
fn a_token_only_sso_profile_plans_but_gives_no_credentials() {
    let config = "[profile A]\nsso_session = s\n[sso-session s]\nsso_start_url = https://u\nsso_region = r\n";
    let Base::Sso(profile) = plan_of(config).unwrap().base else { panic!("not an SSO base") };
    assert_eq!(profile.role, None);
    let provider_config = ProviderConfig::new().with_env(Env::from_vars(Vec::<(String, String)>::new()));
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let error = runtime.block_on(sso::credentials(&provider_config, &profile)).unwrap_err();
    assert!(error.message().contains("it resolves an access token, not credentials"), "{error}");
}
