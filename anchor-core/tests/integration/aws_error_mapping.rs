//! How the AWS backend maps each service's error replies to [`Error`],
//! offline: real SDK clients answered by recorded replies (the connector of
//! `router_replay`), each the status, headers and body the service sends
//! for that error (restXml for S3 and CloudFront, restJson1 for Lambda and
//! the KeyValueStore, awsJson for ACM, DynamoDB and SQS). Every case checks
//! the variant, its `code()` and its fields (which resource, which backend,
//! which operation), and how many requests were sent: a refusal once, a
//! throttle or a 5xx as many times as `AwsConnection::max_attempts` (5 by
//! default) allows, then a retryable `Service` error. The distribution
//! tenants' codes (EntityLimitExceeded, EntityAlreadyExists,
//! CNAMEAlreadyExists, ResourceNotDisabled, ...) are mapped here too: moto
//! has no tenants.

use crate::router_replay;

use std::collections::BTreeMap;
use std::time::Duration;

use anchor_core::aws::{
    AcmCertificates, AwsConnection, AwsRevalidation, CloudFrontCdn, CloudFrontKvs,
    DynamoStateStore, LambdaFunctions, RevalidationTarget, S3ObjectStore, TableNames,
};
use anchor_core::conformance::store::fixtures;
use anchor_core::model::{DeploymentId, DomainLimits, ProjectName};
use anchor_core::traits::{
    Cdn, CertificateRequest, Certificates, Expect, Functions, KeyValueStore, ObjectBody,
    ObjectStore, PutOptions, Revalidation, StateStore, TenantSpec, WriteBatch, MANAGED_BY_TAG,
};
use anchor_core::{Error, ResourceKind, Service};
use aws_config::SdkConfig;
use router_replay::{
    tenant_reply, tenant_xml, Replay, Reply, STORE_ARN, TENANT_CERT, TENANT_DISTRIBUTION, TENANT_ID,
};

const BUCKET: &str = "anchor-assets";
const CERT: &str =
    "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-000000000001";
/// `AwsConnection::default().max_attempts`, what every client retries to.
const MAX_ATTEMPTS: usize = 5;

/// The SDK configuration Anchor builds (`AwsConnection::loader`, default
/// retries, a 1 ms first backoff) over `replay`'s connector.
async fn anchor_config(replay: &Replay) -> SdkConfig {
    let connection = AwsConnection {
        region: Some("us-east-1".into()),
        initial_backoff: Duration::from_millis(1),
        ..AwsConnection::default()
    };
    assert_eq!(connection.max_attempts as usize, MAX_ATTEMPTS);
    let http = replay
        .config()
        .http_client()
        .expect("the replay configuration has a connector");
    connection
        .loader()
        .http_client(http)
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "AKIDREPLAY",
            "replay-secret",
            None,
            None,
            "replay",
        ))
        .load()
        .await
}

fn repeat(reply: impl Fn() -> Reply, n: usize) -> Vec<Reply> {
    (0..n).map(|_| reply()).collect()
}

/// S3's XML error body.
fn s3_error(status: u16, code: &str, message: &str) -> Reply {
    Reply::new(
        status,
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code>\
             <Message>{message}</Message><RequestId>4442587FB7D0A2F9</RequestId>\
             <HostId>host-id</HostId></Error>"
        ),
    )
    .header("content-type", "application/xml")
    .header("x-amz-request-id", "4442587FB7D0A2F9")
}

/// A restJson1 error of Lambda (and the KeyValueStore's data plane).
fn lambda_error(status: u16, code: &str, message: &str) -> Reply {
    Reply::new(
        status,
        format!("{{\"Type\":\"User\",\"Message\":\"{message}\"}}"),
    )
    .header("content-type", "application/json")
    .header("x-amzn-errortype", code)
    .header("x-amzn-requestid", "9d1f2e3c-0000-1111-2222-333344445555")
}

/// An awsJson error (ACM, DynamoDB, SQS): the type in `__type`.
fn json_error(status: u16, version: &str, type_: &str, message: &str) -> Reply {
    Reply::new(
        status,
        format!("{{\"__type\":\"{type_}\",\"message\":\"{message}\"}}"),
    )
    .header("content-type", &format!("application/x-amz-json-{version}"))
    .header("x-amzn-requestid", "C9B1A1E0-0000-1111-2222-333344445555")
}

fn json_ok(version: &str, body: serde_json::Value) -> Reply {
    Reply::new(200, body.to_string())
        .header("content-type", &format!("application/x-amz-json-{version}"))
}

/// `e` is `Error::Service` from the AWS backend for `service`'s
/// `operation`, naming `resource`, and as retryable as `retryable`.
#[track_caller]
fn assert_service(e: &Error, service: Service, operation: &str, resource: &str, retryable: bool) {
    assert_eq!(e.code(), "ANCHOR_SERVICE", "{e:?}");
    match e {
        Error::Service {
            backend,
            service: s,
            operation: op,
            retryable: r,
            message,
            ..
        } => {
            assert_eq!(*backend, "aws");
            assert_eq!(*s, service);
            assert_eq!(op, operation);
            assert_eq!(*r, retryable, "retryable of {e:?}");
            assert!(message.contains(resource), "{message:?} names {resource}");
        }
        other => panic!("expected Error::Service, got {other:?}"),
    }
}

#[track_caller]
fn assert_not_found(e: &Error, kind: ResourceKind, id: &str) {
    assert_eq!(e.code(), "ANCHOR_NOT_FOUND", "{e:?}");
    assert!(
        matches!(e, Error::NotFound { kind: k, id: i } if *k == kind && i == id),
        "expected NotFound({kind}, {id}), got {e:?}"
    );
}

// ---- S3 ----

fn s3(config: &SdkConfig) -> S3ObjectStore {
    S3ObjectStore::new(aws_sdk_s3::Client::new(config), BUCKET)
}

#[tokio::test]
async fn s3_no_such_key_is_a_missing_object_read_once() {
    let replay = Replay::new(vec![s3_error(
        404,
        "NoSuchKey",
        "The specified key does not exist.",
    )]);
    let store = s3(&anchor_config(&replay).await);
    assert_eq!(store.get("shop/missing.txt").await.unwrap(), None);
    assert_eq!(replay.sent().len(), 1);
}

#[tokio::test]
async fn s3_no_such_bucket_is_a_service_error_not_a_missing_object() {
    let replay = Replay::new(vec![s3_error(
        404,
        "NoSuchBucket",
        "The specified bucket does not exist",
    )]);
    let store = s3(&anchor_config(&replay).await);
    let e = store.get("shop/a.txt").await.unwrap_err();
    assert_service(&e, Service::Objects, "GetObject", "shop/a.txt", false);
    assert!(e.to_string().contains("NoSuchBucket"), "{e}");
    assert_eq!(replay.sent().len(), 1);
}

#[tokio::test]
async fn s3_precondition_failed_on_a_guarded_put_names_the_object() {
    let replay = Replay::new(vec![s3_error(
        412,
        "PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold",
    )]);
    let store = s3(&anchor_config(&replay).await);
    let options = PutOptions {
        if_none_match: true,
        ..PutOptions::default()
    };
    let e = store
        .put(
            "shop/manifest.json",
            ObjectBody::Bytes(b"{}".to_vec()),
            &options,
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "ANCHOR_PRECONDITION_FAILED");
    assert!(
        matches!(&e, Error::PreconditionFailed { kind: ResourceKind::Object, id, .. }
            if id == "s3://anchor-assets/shop/manifest.json"),
        "{e:?}"
    );
    let sent = replay.sent();
    assert_eq!(sent.len(), 1, "a refused condition is not retried");
    assert_eq!(sent[0].method, "PUT");
}

#[tokio::test]
async fn s3_copy_from_a_missing_source_names_the_source() {
    let replay = Replay::new(vec![s3_error(
        404,
        "NoSuchKey",
        "The specified key does not exist.",
    )]);
    let store = s3(&anchor_config(&replay).await);
    let e = store
        .copy("shop/gone.txt", "shop/new.txt", &PutOptions::default())
        .await
        .unwrap_err();
    assert_not_found(&e, ResourceKind::Object, "s3://anchor-assets/shop/gone.txt");
    assert_eq!(replay.sent().len(), 1);
}

#[tokio::test]
async fn s3_access_denied_is_final_and_not_retried() {
    let replay = Replay::new(vec![s3_error(403, "AccessDenied", "Access Denied")]);
    let store = s3(&anchor_config(&replay).await);
    let e = store.head("shop/a.txt").await.unwrap_err();
    assert_service(&e, Service::Objects, "HeadObject", "shop/a.txt", false);
    assert_eq!(replay.sent().len(), 1);
}

#[tokio::test]
async fn s3_slow_down_is_retried_to_the_attempt_limit_then_retryable() {
    let replay = Replay::new(repeat(
        || s3_error(503, "SlowDown", "Please reduce your request rate."),
        MAX_ATTEMPTS,
    ));
    let store = s3(&anchor_config(&replay).await);
    let e = store.delete("shop/a.txt").await.unwrap_err();
    assert_service(&e, Service::Objects, "DeleteObject", "shop/a.txt", true);
    assert_eq!(replay.sent().len(), MAX_ATTEMPTS);
}

#[tokio::test]
async fn s3_a_throttle_then_success_succeeds_on_the_second_attempt() {
    let replay = Replay::new(vec![
        s3_error(503, "SlowDown", "Please reduce your request rate."),
        Reply::new(200, "hello")
            .header("content-type", "text/plain")
            .header("content-length", "5"),
    ]);
    let store = s3(&anchor_config(&replay).await);
    assert_eq!(
        store.get("shop/a.txt").await.unwrap(),
        Some(b"hello".to_vec())
    );
    assert_eq!(replay.sent().len(), 2);
}

// ---- Lambda ----

fn lambda(config: &SdkConfig) -> LambdaFunctions {
    LambdaFunctions::new(aws_sdk_lambda::Client::new(config))
}

fn function_configuration() -> Reply {
    Reply::new(
        200,
        serde_json::json!({
            "FunctionName": "shop-server",
            "FunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:shop-server",
            "Version": "$LATEST",
            "State": "Active",
            "LastUpdateStatus": "Successful"
        })
        .to_string(),
    )
    .header("content-type", "application/json")
}

#[tokio::test]
async fn lambda_a_missing_alias_of_an_existing_function_reads_as_none() {
    let replay = Replay::new(vec![
        lambda_error(
            404,
            "ResourceNotFoundException",
            "Alias not found: arn:aws:lambda:us-east-1:123456789012:function:shop-server:live",
        ),
        function_configuration(),
    ]);
    let host = lambda(&anchor_config(&replay).await);
    assert_eq!(host.get_alias("shop-server", "live").await.unwrap(), None);
    assert_eq!(
        replay.sent().len(),
        2,
        "GetAlias, then GetFunctionConfiguration"
    );
}

#[tokio::test]
async fn lambda_a_missing_function_is_not_found_on_the_function() {
    let replay = Replay::new(vec![
        lambda_error(
            404,
            "ResourceNotFoundException",
            "Function not found: arn:aws:lambda:us-east-1:123456789012:function:shop-server:live",
        ),
        lambda_error(
            404,
            "ResourceNotFoundException",
            "Function not found: arn:aws:lambda:us-east-1:123456789012:function:shop-server",
        ),
    ]);
    let host = lambda(&anchor_config(&replay).await);
    let e = host.get_alias("shop-server", "live").await.unwrap_err();
    assert_not_found(&e, ResourceKind::Function, "shop-server");
    assert_eq!(replay.sent().len(), 2);
}

#[tokio::test]
async fn lambda_deleting_a_version_an_alias_took_meanwhile_is_invalid_state() {
    let replay = Replay::new(vec![
        // No alias routes to version 3 when the backend looks...
        Reply::new(200, r#"{"Aliases":[]}"#).header("content-type", "application/json"),
        // ...but one does when Lambda deletes it.
        lambda_error(409, "ResourceConflictException", "Unable to delete version because the following aliases reference it: [live]"),
        Reply::new(
            200,
            r#"{"Aliases":[{"Name":"live","FunctionVersion":"3","RevisionId":"r-2","AliasArn":"arn:aws:lambda:us-east-1:123456789012:function:shop-server:live"}]}"#,
        )
        .header("content-type", "application/json"),
    ]);
    let host = lambda(&anchor_config(&replay).await);
    let e = host.delete_version("shop-server", "3").await.unwrap_err();
    assert_eq!(e.code(), "ANCHOR_INVALID_STATE");
    assert!(
        matches!(&e, Error::InvalidState { kind: ResourceKind::FunctionVersion, id, state, reason }
            if id == "shop-server:3" && state == "aliased" && reason.contains("live")),
        "{e:?}"
    );
    assert_eq!(replay.sent().len(), 3);
}

#[tokio::test]
async fn lambda_too_many_requests_is_retried_to_the_attempt_limit_then_retryable() {
    let replay = Replay::new(repeat(
        || {
            lambda_error(429, "TooManyRequestsException", "Rate exceeded")
                .header("retry-after", "0")
        },
        MAX_ATTEMPTS,
    ));
    let host = lambda(&anchor_config(&replay).await);
    let e = host.get_version("shop-server", "3").await.unwrap_err();
    assert_service(
        &e,
        Service::Functions,
        "GetFunctionConfiguration",
        "shop-server:3",
        true,
    );
    assert_eq!(replay.sent().len(), MAX_ATTEMPTS);
}

// ---- CloudFront ----

fn cloudfront(config: &SdkConfig) -> CloudFrontCdn {
    CloudFrontCdn::new(aws_sdk_cloudfront::Client::new(config))
}

#[tokio::test]
async fn cloudfront_no_such_distribution_is_not_found_on_the_distribution() {
    let replay = Replay::new(vec![Reply::cloudfront_error(404, "NoSuchDistribution")]);
    let cdn = cloudfront(&anchor_config(&replay).await);
    let e = cdn.get_config("E2QWRUHEXAMPLE").await.unwrap_err();
    assert_not_found(&e, ResourceKind::Distribution, "E2QWRUHEXAMPLE");
    let sent = replay.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].path, "/2020-05-31/distribution/E2QWRUHEXAMPLE");
}

#[tokio::test]
async fn cloudfront_a_reused_caller_reference_is_already_exists() {
    let replay = Replay::new(vec![Reply::cloudfront_error(
        400,
        "InvalidationBatchAlreadyExists",
    )]);
    let cdn = cloudfront(&anchor_config(&replay).await);
    let e = cdn
        .invalidate("E2QWRUHEXAMPLE", &["/index.html".to_string()], "deploy-7")
        .await
        .unwrap_err();
    assert_eq!(e.code(), "ANCHOR_ALREADY_EXISTS");
    assert!(
        matches!(&e, Error::AlreadyExists { kind: ResourceKind::Distribution, id }
            if id.contains("E2QWRUHEXAMPLE") && id.contains("deploy-7")),
        "{e:?}"
    );
    assert_eq!(replay.sent().len(), 1);
}

#[tokio::test]
async fn cloudfront_access_denied_is_final() {
    let replay = Replay::new(vec![Reply::cloudfront_error(403, "AccessDenied")]);
    let cdn = cloudfront(&anchor_config(&replay).await);
    let e = cdn.get_config("E2QWRUHEXAMPLE").await.unwrap_err();
    assert_service(&e, Service::Cdn, "GetDistribution", "E2QWRUHEXAMPLE", false);
    assert_eq!(replay.sent().len(), 1);
}

#[tokio::test]
async fn cloudfront_throttling_is_retried_to_the_attempt_limit_then_retryable() {
    let replay = Replay::new(repeat(
        || Reply::cloudfront_error(400, "Throttling"),
        MAX_ATTEMPTS,
    ));
    let cdn = cloudfront(&anchor_config(&replay).await);
    let e = cdn.get_config("E2QWRUHEXAMPLE").await.unwrap_err();
    assert_service(&e, Service::Cdn, "GetDistribution", "E2QWRUHEXAMPLE", true);
    assert_eq!(replay.sent().len(), MAX_ATTEMPTS);
}

// ---- CloudFront distribution tenants ----

const TENANT_NAME: &str = "anchor-0a1b2c3d4e5f60718293a4b5";
const TENANT_DOMAIN: &str = "shop.example.com";

fn tenant_spec() -> TenantSpec {
    TenantSpec {
        name: TENANT_NAME.into(),
        distribution_id: TENANT_DISTRIBUTION.into(),
        domains: vec![TENANT_DOMAIN.into()],
        certificate_id: TENANT_CERT.into(),
        tags: BTreeMap::from([(MANAGED_BY_TAG.0.into(), MANAGED_BY_TAG.1.into())]),
    }
}

/// The tenant as GetDistributionTenant answers before a disable, ETag `E1`.
fn tenant_read() -> Reply {
    tenant_reply(200, "E1", tenant_xml(TENANT_NAME, TENANT_DOMAIN, true, &[]))
}

/// GetConnectionGroup's answer when the account has no `anchor` group: the
/// create that follows joins the default one.
fn no_connection_group() -> Reply {
    Reply::cloudfront_error(404, "EntityNotFound")
}

/// What CreateDistributionTenant fails with when CloudFront answers
/// `status` and `code`, and how many requests it took (the connection
/// group's look-up, then the create).
async fn create_refused(status: u16, code: &str) -> (Error, usize) {
    let replay = Replay::new(vec![
        no_connection_group(),
        Reply::cloudfront_error(status, code),
    ]);
    let e = cloudfront(&anchor_config(&replay).await)
        .create_tenant(&tenant_spec())
        .await
        .unwrap_err();
    (e, replay.sent().len())
}

#[tokio::test]
async fn tenant_quota_is_quota_exceeded_naming_the_configured_limit() {
    let replay = Replay::new(vec![
        no_connection_group(),
        Reply::cloudfront_error(400, "EntityLimitExceeded"),
    ]);
    let limits = DomainLimits {
        tenants_per_account: 25,
        ..DomainLimits::default()
    };
    let cdn = cloudfront(&anchor_config(&replay).await).with_limits(limits);
    let e = cdn.create_tenant(&tenant_spec()).await.unwrap_err();
    assert_eq!(e.code(), "ANCHOR_QUOTA_EXCEEDED", "{e:?}");
    match &e {
        Error::QuotaExceeded {
            quota,
            limit,
            setting,
            reason,
        } => {
            assert_eq!(setting, "domain_limits.tenants_per_account");
            assert_eq!(
                *limit, 25,
                "the limit given to with_limits, not AWS's default"
            );
            assert_eq!(quota, "Distribution tenants per account (CloudFront)");
            assert!(reason.contains(TENANT_NAME), "{reason}");
            assert!(reason.contains("EntityLimitExceeded"), "{reason}");
        }
        other => panic!("expected QuotaExceeded, got {other:?}"),
    }
    assert!(!e.is_retryable());
    assert_eq!(replay.sent().len(), 2, "a quota is not retried");
}

#[tokio::test]
async fn tenant_quota_names_aws_default_without_with_limits() {
    let (e, sent) = create_refused(400, "EntityLimitExceeded").await;
    assert!(
        matches!(&e, Error::QuotaExceeded { limit: 10_000, setting, .. }
            if setting == "domain_limits.tenants_per_account"),
        "{e:?}"
    );
    assert_eq!(sent, 2);
}

#[tokio::test]
async fn tenant_name_taken_is_already_exists_on_the_tenant() {
    let (e, sent) = create_refused(409, "EntityAlreadyExists").await;
    assert_eq!(e.code(), "ANCHOR_ALREADY_EXISTS");
    assert!(
        matches!(&e, Error::AlreadyExists { kind: ResourceKind::Tenant, id } if id == TENANT_NAME),
        "{e:?}"
    );
    assert_eq!(sent, 2);
}

#[tokio::test]
async fn tenant_domain_served_elsewhere_is_conflict() {
    let (e, sent) = create_refused(409, "CNAMEAlreadyExists").await;
    assert_eq!(e.code(), "ANCHOR_CONFLICT");
    assert!(
        matches!(&e, Error::Conflict { kind: ResourceKind::Tenant, id, .. } if id == TENANT_NAME),
        "{e:?}"
    );
    assert_eq!(sent, 2);
}

#[tokio::test]
async fn tenant_on_a_missing_distribution_is_not_found_on_the_distribution() {
    let (e, sent) = create_refused(404, "EntityNotFound").await;
    assert_not_found(&e, ResourceKind::Distribution, TENANT_DISTRIBUTION);
    assert_eq!(sent, 2);
}

#[tokio::test]
async fn tenant_arguments_cloudfront_refuses_are_invalid_input() {
    for (status, code, field) in [
        (400, "InvalidArgument", "tenant"),
        (409, "InvalidAssociation", "tenant"),
        (400, "InvalidTagging", "tenant.tags"),
    ] {
        let (e, sent) = create_refused(status, code).await;
        assert_eq!(e.code(), "ANCHOR_INVALID_INPUT", "{code}: {e:?}");
        assert!(
            matches!(&e, Error::InvalidInput { field: f, reason } if f == field && reason.contains(code)),
            "{code}: {e:?}"
        );
        assert_eq!(sent, 2, "{code}");
    }
}

#[tokio::test]
async fn tenant_access_denied_is_a_final_service_error() {
    let (e, sent) = create_refused(403, "AccessDenied").await;
    assert_service(
        &e,
        Service::Cdn,
        "CreateDistributionTenant",
        TENANT_NAME,
        false,
    );
    assert_eq!(sent, 2);
}

#[tokio::test]
async fn a_connection_group_that_cannot_be_read_stops_the_create() {
    let replay = Replay::new(vec![Reply::cloudfront_error(403, "AccessDenied")]);
    let e = cloudfront(&anchor_config(&replay).await)
        .create_tenant(&tenant_spec())
        .await
        .unwrap_err();
    assert_service(&e, Service::Cdn, "GetConnectionGroup", "anchor", false);
    assert_eq!(replay.sent().len(), 1, "no tenant is created");
}

#[tokio::test]
async fn a_missing_tenant_is_not_found_on_the_tenant() {
    let replay = Replay::new(vec![Reply::cloudfront_error(404, "EntityNotFound")]);
    let e = cloudfront(&anchor_config(&replay).await)
        .get_tenant(TENANT_NAME)
        .await
        .unwrap_err();
    assert_not_found(&e, ResourceKind::Tenant, TENANT_NAME);
    assert_eq!(replay.sent().len(), 1);
}

#[tokio::test]
async fn disabling_a_missing_tenant_is_not_found_before_any_update() {
    let replay = Replay::new(vec![Reply::cloudfront_error(404, "EntityNotFound")]);
    let e = cloudfront(&anchor_config(&replay).await)
        .disable_tenant(TENANT_ID, "E1")
        .await
        .unwrap_err();
    assert_not_found(&e, ResourceKind::Tenant, TENANT_ID);
    assert_eq!(replay.sent().len(), 1, "GetDistributionTenant only");
}

#[tokio::test]
async fn a_refused_disable_is_precondition_failed_or_not_found_on_the_tenant() {
    for (status, code) in [
        (412, "PreconditionFailed"),
        (400, "InvalidIfMatchVersion"),
        (404, "EntityNotFound"),
    ] {
        let replay = Replay::new(vec![tenant_read(), Reply::cloudfront_error(status, code)]);
        let e = cloudfront(&anchor_config(&replay).await)
            .disable_tenant(TENANT_ID, "E1")
            .await
            .unwrap_err();
        if code == "EntityNotFound" {
            assert_not_found(&e, ResourceKind::Tenant, TENANT_ID);
        } else {
            assert_eq!(e.code(), "ANCHOR_PRECONDITION_FAILED", "{code}: {e:?}");
            assert!(
                matches!(&e, Error::PreconditionFailed { kind: ResourceKind::Tenant, id, .. } if id == TENANT_ID),
                "{code}: {e:?}"
            );
        }
        let sent = replay.sent();
        assert_eq!(sent.len(), 2, "{code}: the read, then one update");
        assert_eq!(sent[1].method, "PUT");
    }
}

#[tokio::test]
async fn deleting_an_enabled_tenant_is_invalid_state() {
    let replay = Replay::new(vec![Reply::cloudfront_error(409, "ResourceNotDisabled")]);
    let e = cloudfront(&anchor_config(&replay).await)
        .delete_tenant(TENANT_ID, "E1")
        .await
        .unwrap_err();
    assert_eq!(e.code(), "ANCHOR_INVALID_STATE");
    assert!(
        matches!(&e, Error::InvalidState { kind: ResourceKind::Tenant, id, state, .. }
            if id == TENANT_ID && state == "enabled"),
        "{e:?}"
    );
    assert_eq!(replay.sent().len(), 1);
}

#[tokio::test]
async fn a_refused_delete_is_precondition_failed_or_not_found_on_the_tenant() {
    for (status, code) in [
        (412, "PreconditionFailed"),
        (400, "InvalidIfMatchVersion"),
        (404, "EntityNotFound"),
    ] {
        let replay = Replay::new(vec![Reply::cloudfront_error(status, code)]);
        let e = cloudfront(&anchor_config(&replay).await)
            .delete_tenant(TENANT_ID, "E1")
            .await
            .unwrap_err();
        if code == "EntityNotFound" {
            assert_not_found(&e, ResourceKind::Tenant, TENANT_ID);
        } else {
            assert!(
                matches!(&e, Error::PreconditionFailed { kind: ResourceKind::Tenant, id, .. } if id == TENANT_ID),
                "{code}: {e:?}"
            );
        }
        assert_eq!(replay.sent().len(), 1, "{code}");
    }
}

// ---- ACM ----

fn acm(config: &SdkConfig) -> AcmCertificates {
    AcmCertificates::new(aws_sdk_acm::Client::new(config))
}

fn acm_error(type_: &str, message: &str) -> Reply {
    json_error(400, "1.1", type_, message)
}

#[tokio::test]
async fn acm_a_missing_certificate_is_not_found_on_the_certificate() {
    let replay = Replay::new(vec![acm_error(
        "ResourceNotFoundException",
        "Could not find certificate",
    )]);
    let e = acm(&anchor_config(&replay).await)
        .describe(CERT)
        .await
        .unwrap_err();
    assert_not_found(&e, ResourceKind::Certificate, CERT);
    assert_eq!(replay.sent().len(), 1);
}

#[tokio::test]
async fn acm_a_certificate_in_use_is_invalid_state() {
    let replay = Replay::new(vec![
        json_ok(
            "1.1",
            serde_json::json!({"Tags": [{"Key": MANAGED_BY_TAG.0, "Value": MANAGED_BY_TAG.1}]}),
        ),
        acm_error(
            "ResourceInUseException",
            "Certificate is in use by arn:aws:cloudfront::123456789012:distribution/E2QWRUHEXAMPLE",
        ),
    ]);
    let e = acm(&anchor_config(&replay).await)
        .delete(CERT)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "ANCHOR_INVALID_STATE");
    assert!(
        matches!(&e, Error::InvalidState { kind: ResourceKind::Certificate, id, state, .. }
            if id == CERT && state == "in_use"),
        "{e:?}"
    );
    assert_eq!(
        replay.sent().len(),
        2,
        "ListTagsForCertificate, DeleteCertificate"
    );
}

#[tokio::test]
async fn acm_a_certificate_without_anchors_tag_is_not_deleted() {
    let replay = Replay::new(vec![json_ok("1.1", serde_json::json!({"Tags": []}))]);
    let e = acm(&anchor_config(&replay).await)
        .delete(CERT)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "ANCHOR_NOT_MANAGED");
    assert!(
        matches!(&e, Error::NotManaged { certificate } if certificate == CERT),
        "{e:?}"
    );
    assert_eq!(replay.sent().len(), 1, "nothing is deleted");
}

#[tokio::test]
async fn acm_refused_validation_options_are_invalid_input_on_domain() {
    let replay = Replay::new(vec![acm_error(
        "InvalidDomainValidationOptionsException",
        "The domain name app.example.com is not valid for DNS validation",
    )]);
    let request = CertificateRequest {
        domain: "app.example.com".into(),
        alternative_names: vec![],
        idempotency_token: "anchor1".into(),
        tags: BTreeMap::new(),
    };
    let e = acm(&anchor_config(&replay).await)
        .request(&request)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "ANCHOR_INVALID_INPUT");
    assert!(
        matches!(&e, Error::InvalidInput { field, .. } if field == "domain"),
        "{e:?}"
    );
    assert_eq!(replay.sent().len(), 1);
}

#[tokio::test]
async fn acm_throttling_is_retried_to_the_attempt_limit_then_retryable() {
    let replay = Replay::new(repeat(
        || acm_error("ThrottlingException", "Rate exceeded"),
        MAX_ATTEMPTS,
    ));
    let e = acm(&anchor_config(&replay).await)
        .describe(CERT)
        .await
        .unwrap_err();
    assert_service(&e, Service::Certificates, "DescribeCertificate", CERT, true);
    assert_eq!(replay.sent().len(), MAX_ATTEMPTS);
}

// ---- DynamoDB ----

fn dynamodb(config: &SdkConfig) -> DynamoStateStore {
    DynamoStateStore::new(
        aws_sdk_dynamodb::Client::new(config),
        TableNames::with_prefix("anchor"),
    )
}

const DYNAMO: &str = "com.amazonaws.dynamodb.v20120810";

#[tokio::test]
async fn dynamodb_a_failed_condition_is_precondition_failed_on_the_record() {
    let name = ProjectName::parse("shop").unwrap();
    let replay = Replay::new(vec![Reply::new(
        400,
        serde_json::json!({
            "__type": format!("{DYNAMO}#TransactionCanceledException"),
            "Message": "Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed]",
            "CancellationReasons": [
                {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}
            ]
        })
        .to_string(),
    )
    .header("content-type", "application/x-amz-json-1.0")]);
    let store = dynamodb(&anchor_config(&replay).await);
    let batch = WriteBatch {
        project: Some((fixtures::project(&name), Expect::Absent)),
        ..WriteBatch::default()
    };
    let e = store.commit(batch).await.unwrap_err();
    assert_eq!(e.code(), "ANCHOR_PRECONDITION_FAILED");
    assert!(
        matches!(&e, Error::PreconditionFailed { kind: ResourceKind::Project, id, .. } if id == "shop"),
        "{e:?}"
    );
    assert_eq!(replay.sent().len(), 1, "a failed condition is not retried");
}

#[tokio::test]
async fn dynamodb_a_missing_table_is_a_final_service_error_naming_it() {
    let replay = Replay::new(vec![json_error(
        400,
        "1.0",
        &format!("{DYNAMO}#ResourceNotFoundException"),
        "Requested resource not found",
    )]);
    let store = dynamodb(&anchor_config(&replay).await);
    let name = ProjectName::parse("shop").unwrap();
    let e = store.get_project(&name).await.unwrap_err();
    assert_service(&e, Service::StateStore, "GetItem", "anchor-projects", false);
    assert_eq!(replay.sent().len(), 1);
}

#[tokio::test]
async fn dynamodb_throughput_exceeded_is_retried_to_the_attempt_limit_then_retryable() {
    let replay = Replay::new(repeat(
        || {
            json_error(
                400,
                "1.0",
                &format!("{DYNAMO}#ProvisionedThroughputExceededException"),
                "The level of configured provisioned throughput for the table was exceeded.",
            )
        },
        MAX_ATTEMPTS,
    ));
    let store = dynamodb(&anchor_config(&replay).await);
    let name = ProjectName::parse("shop").unwrap();
    let e = store.get_project(&name).await.unwrap_err();
    assert_service(&e, Service::StateStore, "GetItem", "anchor-projects", true);
    assert_eq!(replay.sent().len(), MAX_ATTEMPTS);
}

// ---- SQS ----

fn revalidation(config: &SdkConfig) -> AwsRevalidation {
    AwsRevalidation::new(
        aws_sdk_sqs::Client::new(config),
        aws_sdk_dynamodb::Client::new(config),
        lambda(config),
        RevalidationTarget {
            region: "us-east-1".into(),
            table_prefix: "anchor".into(),
            execution_role_arn: None,
        },
    )
}

/// SQS's JSON error, with the query-compatible code it also sends.
fn sqs_error(type_: &str, query_code: &str, message: &str) -> Reply {
    json_error(400, "1.0", &format!("com.amazonaws.sqs#{type_}"), message)
        .header("x-amzn-query-error", &format!("{query_code};Sender"))
}

#[tokio::test]
async fn sqs_removing_a_queue_that_does_not_exist_is_done() {
    let replay = Replay::new(vec![sqs_error(
        "QueueDoesNotExist",
        "AWS.SimpleQueueService.NonExistentQueue",
        "The specified queue does not exist.",
    )]);
    let name = ProjectName::parse("shop").unwrap();
    let deployment = DeploymentId::parse("dpl_01KBX7ZJ5Q3M4N5P6R7S8T9V0W").unwrap();
    revalidation(&anchor_config(&replay).await)
        .remove_queue(&name, &deployment)
        .await
        .unwrap();
    assert_eq!(replay.sent().len(), 1, "GetQueueUrl only");
}

#[tokio::test]
async fn sqs_access_denied_is_final_and_names_the_queue() {
    let replay = Replay::new(vec![Reply::new(
        400,
        r#"{"__type":"com.amazon.coral.service#AccessDeniedException","message":"User is not authorized to perform: sqs:getqueueurl"}"#,
    )
    .header("content-type", "application/x-amz-json-1.0")
    .header("x-amzn-query-error", "AccessDenied;Sender")]);
    let name = ProjectName::parse("shop").unwrap();
    let deployment = DeploymentId::parse("dpl_01KBX7ZJ5Q3M4N5P6R7S8T9V0W").unwrap();
    let e = revalidation(&anchor_config(&replay).await)
        .remove_queue(&name, &deployment)
        .await
        .unwrap_err();
    assert_service(
        &e,
        Service::Revalidation,
        "GetQueueUrl",
        "shop-01kbx7zj5q3m4n5p6r7s8t9v0w.fifo",
        false,
    );
    assert_eq!(replay.sent().len(), 1);
}

// ---- CloudFront KeyValueStore ----

fn kvs(config: &SdkConfig) -> CloudFrontKvs {
    CloudFrontKvs::from_config(config, &[])
}

#[tokio::test]
async fn kvs_a_missing_store_is_not_found_on_the_store() {
    let replay = Replay::new(vec![Reply::kvs_error(404, "ResourceNotFoundException")]);
    let e = kvs(&anchor_config(&replay).await)
        .describe(STORE_ARN)
        .await
        .unwrap_err();
    assert_not_found(&e, ResourceKind::KeyValueStore, STORE_ARN);
    assert_eq!(replay.sent().len(), 1);
}

#[tokio::test]
async fn kvs_throttling_is_retried_to_the_attempt_limit_then_retryable() {
    let replay = Replay::new(repeat(
        || Reply::kvs_error(429, "ThrottlingException"),
        MAX_ATTEMPTS,
    ));
    let e = kvs(&anchor_config(&replay).await)
        .describe(STORE_ARN)
        .await
        .unwrap_err();
    assert_service(&e, Service::Cdn, "DescribeKeyValueStore", STORE_ARN, true);
    assert_eq!(replay.sent().len(), MAX_ATTEMPTS);
}

// ---- Transient codes the SDK retries are reported retryable too ----

#[tokio::test]
async fn s3_request_timeout_is_retried_then_retryable() {
    let replay = Replay::new(repeat(
        || {
            s3_error(
                400,
                "RequestTimeout",
                "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.",
            )
        },
        MAX_ATTEMPTS,
    ));
    let store = s3(&anchor_config(&replay).await);
    let e = store
        .put(
            "shop/a.txt",
            ObjectBody::Bytes(b"a".to_vec()),
            &PutOptions::default(),
        )
        .await
        .unwrap_err();
    assert_service(&e, Service::Objects, "PutObject", "shop/a.txt", true);
    assert_eq!(replay.sent().len(), MAX_ATTEMPTS);
}

#[tokio::test]
async fn dynamodb_transaction_in_progress_is_retried_then_retryable() {
    let replay = Replay::new(repeat(
        || {
            json_error(
                400,
                "1.0",
                &format!("{DYNAMO}#TransactionInProgressException"),
                "The transaction with the given request token is already in progress.",
            )
        },
        MAX_ATTEMPTS,
    ));
    let store = dynamodb(&anchor_config(&replay).await);
    let name = ProjectName::parse("shop").unwrap();
    let batch = WriteBatch {
        project: Some((fixtures::project(&name), Expect::Absent)),
        ..WriteBatch::default()
    };
    let e = store.commit(batch).await.unwrap_err();
    assert_service(
        &e,
        Service::StateStore,
        "TransactWriteItems",
        "anchor-projects",
        true,
    );
    assert_eq!(replay.sent().len(), MAX_ATTEMPTS);
}
