//! Database authentication tokens, byte for byte what botocore 1.43.11 makes at the same time
//! with the same credentials (`generate_db_auth_token`, `generate_db_connect_auth_token`,
//! `generate_db_connect_admin_auth_token`), from a config alone.

mod support;

use awsgen_runtime::auth_token::{AuthTokenError, DbAuthToken};
use awsgen_runtime::{Config, Credentials, FixedTime};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// 2024-01-02T03:04:05Z.
fn config(session_token: Option<&str>) -> Config {
    let credentials = Credentials::new(support::ACCESS_KEY, support::SECRET_KEY, session_token.map(str::to_owned));
    let clock = FixedTime(SystemTime::UNIX_EPOCH + Duration::from_secs(1_704_164_645));
    Config::builder().region("us-east-1").credentials(credentials).time_source(Arc::new(clock)).build()
}

const SCOPE: &str = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20240102";
const DATE: &str = "X-Amz-Date=20240102T030405Z";

#[tokio::test]
async fn rds_tokens_are_botocores() {
    let host = "mydb.123456789012.us-east-1.rds.amazonaws.com";
    let token = DbAuthToken::rds(host, 5432, "app_user").sign(&config(None)).await.unwrap();
    assert_eq!(
        token,
        format!("{host}:5432/?Action=connect&DBUser=app_user&{SCOPE}%2Fus-east-1%2Frds-db%2Faws4_request&{DATE}&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=6c8e85488c346646ef05fadee2b992a5a9dea8d09223725539f06e98f5ac54cf")
    );
    // A user name that needs encoding, and another region than the config's.
    let token = DbAuthToken::rds("mydb.example.com", 3306, "a b+c@d").region("eu-west-1");
    assert_eq!(
        token.sign(&config(None)).await.unwrap(),
        format!("mydb.example.com:3306/?Action=connect&DBUser=a%20b%2Bc%40d&{SCOPE}%2Feu-west-1%2Frds-db%2Faws4_request&{DATE}&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=11bfa4268189dd4c8e7f4c9fbef6e9997e79c19a59226b89b8c8347a1066589b")
    );
    // Temporary credentials: the session token is signed too.
    let token = DbAuthToken::rds("mydb.example.com", 5432, "app").sign(&config(Some("SESSION/TOKEN+X="))).await;
    assert_eq!(
        token.unwrap(),
        format!("mydb.example.com:5432/?Action=connect&DBUser=app&{SCOPE}%2Fus-east-1%2Frds-db%2Faws4_request&{DATE}&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Security-Token=SESSION%2FTOKEN%2BX%3D&X-Amz-Signature=1c297ec2b953235dd630e827e9fa8678bda405e074986e5b1f70ba34597f7a75")
    );
}

#[tokio::test]
async fn dsql_tokens_are_botocores() {
    let host = "abc.dsql.us-east-1.on.aws";
    assert_eq!(
        DbAuthToken::dsql(host).sign(&config(None)).await.unwrap(),
        format!("{host}/?Action=DbConnect&{SCOPE}%2Fus-east-1%2Fdsql%2Faws4_request&{DATE}&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=bb968ce0ed992bc0a3d182a5f11015fffab00284705e416c4ad9fef0722205fa")
    );
    let admin = DbAuthToken::dsql_admin(host).expires_in(Duration::from_secs(3600)).unwrap();
    assert_eq!(
        admin.sign(&config(None)).await.unwrap(),
        format!("{host}/?Action=DbConnectAdmin&{SCOPE}%2Fus-east-1%2Fdsql%2Faws4_request&{DATE}&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=649169d07aaf4f5d667037a1d13c3570fa075d516aad2ddec8871d6b1d5bc480")
    );
}

#[tokio::test]
async fn a_token_needs_a_host_credentials_and_a_valid_expiry() {
    for hostname in ["", "db/extra", "db?x=1", "user@db", "db#x", "db example", "[::1"] {
        let refused = DbAuthToken::rds(hostname, 5432, "app").sign(&config(None)).await.unwrap_err();
        assert!(refused.to_string().contains("member `hostname` must be a host name"), "{hostname:?}: {refused}");
    }
    assert!(DbAuthToken::rds("[::1]", 5432, "app").sign(&config(None)).await.is_ok());
    let anonymous = Config::builder().region("us-east-1").build();
    let refused = DbAuthToken::dsql("abc.dsql.us-east-1.on.aws").sign(&anonymous).await.unwrap_err();
    assert!(
        matches!(&refused, AuthTokenError::Build(_)) && refused.to_string().contains("no credentials"),
        "{refused}"
    );
    assert!(DbAuthToken::dsql("h").expires_in(Duration::from_secs(604_801)).is_err());
    let bad_region = DbAuthToken::dsql("h").region("us-east-1/../x").sign(&config(None)).await;
    assert!(bad_region.is_err());
}
