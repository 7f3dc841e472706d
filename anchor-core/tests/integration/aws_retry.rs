//! Retries on moto: throttling and 5xx replies are retried by the SDK with
//! the configured backoff, a refusal is not retried and surfaces as a typed
//! `Error::Service`, and exhausted retries surface as retryable.
//!
//! The injector replaces replies after moto has handled the request, so a
//! "failed" attempt did apply: each test therefore also checks that Anchor
//! copes with a reply lost that way. moto ignores TransactWriteItems'
//! ClientRequestToken, so the SDK's retry of a throttled commit fails its
//! conditions there; the flows' re-read after a failed commit covers it.

use crate::aws_support;
use crate::common;

use std::path::{Path, PathBuf};

use anchor_core::model::{Deployment, DeploymentStatus};
use anchor_core::{Anchor, Error, Service};
use aws_sdk_s3::config::SharedInterceptor;
use aws_support::intercept::{CallRecorder, FailureInjector, Injected};
use aws_support::Moto;
use common::{copy_tree, make_variant, real_build_or_fixture};

const BUCKET: &str = "anchor-assets";
const P: &str = "shop";

async fn open(m: &Moto, max_attempts: u32, interceptors: Vec<SharedInterceptor>) -> Anchor {
    let mut options = m.options(BUCKET);
    // Retries are checked on the alias updates of a switch, which only a
    // project routed by behaviours makes.
    options.router = anchor_core::aws::AwsRouter::Disabled;
    options.connection.max_attempts = max_attempts;
    options.interceptors = interceptors;
    // `aws_with_config` takes the retry settings from the SdkConfig it is
    // given, so load one with this connection's, credentials as the harness's.
    let config = options
        .connection
        .loader()
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "moto", "moto", None, None, "moto",
        ))
        .load()
        .await;
    Anchor::aws_with_config(&config, &options).await.unwrap()
}

fn shared(
    i: &(impl aws_smithy_runtime_api::client::interceptors::Intercept + Clone + 'static),
) -> SharedInterceptor {
    SharedInterceptor::new(i.clone())
}

/// The fixture and a variant of it, so two deploys publish new versions.
fn builds(tmp: &Path) -> (PathBuf, PathBuf) {
    let v1 = real_build_or_fixture();
    let v2 = tmp.join("v2");
    copy_tree(&v1, &v2);
    make_variant(&v2, "v2");
    (v1, v2)
}

/// A project with two live deployments, made without any injected failure.
async fn two_deploys(m: &Moto, tmp: &Path) -> (Deployment, Deployment) {
    let a = open(m, 5, Vec::new()).await;
    a.create_project(P).await.unwrap();
    let (v1_dir, v2_dir) = builds(tmp);
    let v1 = a.deployer(P, &v1_dir).execute().await.unwrap();
    let v2 = a.deployer(P, &v2_dir).execute().await.unwrap();
    assert_eq!(v2.status, DeploymentStatus::Live);
    assert_ne!(v1.server_version, v2.server_version);
    (v1, v2)
}

fn versions_of(d: &Deployment) -> (String, String) {
    (
        d.server_version.as_ref().unwrap().version.clone(),
        d.image_version.as_ref().unwrap().version.clone(),
    )
}

#[tokio::test]
async fn throttling_is_retried() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let (v1, _v2) = two_deploys(&m, tmp.path()).await;

    let recorder = CallRecorder::default();
    let alias = FailureInjector::new("UpdateAlias", Injected::Throttling, 2);
    let commit = FailureInjector::new("TransactWriteItems", Injected::Throttling, 1);
    let a = open(
        &m,
        5,
        vec![shared(&recorder), shared(&alias), shared(&commit)],
    )
    .await;
    let back = a.rollback(P).execute().await.unwrap();
    assert_eq!(back.to.id, v1.id);
    assert_eq!(m.live_versions(P).await, versions_of(&v1));
    assert_eq!(a.active_deployment(P).await.unwrap().unwrap().id, v1.id);

    // Two UpdateAlias calls (server and image, concurrently) and two
    // injected failures: whichever call met them, four attempts in all.
    assert_eq!(
        recorder.count("UpdateAlias"),
        2,
        "{:?}",
        recorder.operations()
    );
    assert_eq!(alias.remaining(), 0);
    assert_eq!(alias.attempts(), 4);
    // Each TransactWriteItems call is one attempt, except the throttled one.
    assert_eq!(commit.remaining(), 0);
    assert_eq!(
        commit.attempts(),
        recorder.count("TransactWriteItems") + 1,
        "{:?}",
        recorder.operations()
    );
}

#[tokio::test]
async fn server_errors_are_retried() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let recorder = CallRecorder::default();
    let put = FailureInjector::new("PutObject", Injected::Unavailable, 2);
    let a = open(&m, 5, vec![shared(&recorder), shared(&put)]).await;
    a.create_project(P).await.unwrap();
    let d = a
        .deployer(P, real_build_or_fixture())
        .execute()
        .await
        .unwrap();
    assert_eq!(d.status, DeploymentStatus::Live);
    assert_eq!(m.live_versions(P).await, versions_of(&d));
    assert_eq!(put.remaining(), 0);
    let puts = recorder.count("PutObject");
    assert!(puts > 0);
    assert_eq!(put.attempts(), puts + 2);
}

#[tokio::test]
async fn access_denied_is_not_retried_and_surfaces_typed() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let (_v1, v2) = two_deploys(&m, tmp.path()).await;

    let recorder = CallRecorder::default();
    let denied = FailureInjector::new("UpdateAlias", Injected::AccessDenied, 1);
    let a = open(&m, 5, vec![shared(&recorder), shared(&denied)]).await;
    let err = a.rollback(P).execute().await.unwrap_err();
    match &err {
        Error::Service {
            backend,
            service,
            operation,
            retryable,
            message,
            ..
        } => {
            assert_eq!(*backend, "aws");
            assert_eq!(*service, Service::Functions);
            assert_eq!(operation, "UpdateAlias");
            assert!(!retryable);
            assert!(
                message.contains("shop-server:live") || message.contains("shop-image:live"),
                "{message}"
            );
            assert!(message.contains("AccessDenied"), "{message}");
        }
        other => panic!("expected Service(UpdateAlias), got {other:?}"),
    }
    assert!(!err.is_retryable());
    // No call was retried: one attempt per UpdateAlias, the rollback's two
    // and the two that put the aliases back.
    assert_eq!(denied.remaining(), 0);
    assert_eq!(denied.attempts(), recorder.count("UpdateAlias"));

    // The aliases agree with the record, which still names v2 as live.
    let active = a.active_deployment(P).await.unwrap().unwrap();
    assert_eq!(active.id, v2.id);
    assert_eq!(m.live_versions(P).await, versions_of(&active));
    assert!(a.project(P).await.unwrap().last_switch.is_none());
}

#[tokio::test]
async fn exhausted_retries_surface_as_retryable() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let throttled = FailureInjector::new("GetItem", Injected::Throttling, 10);
    let a = open(&m, 3, vec![shared(&throttled)]).await;
    let err = a.project(P).await.unwrap_err();
    match &err {
        Error::Service {
            backend,
            service,
            operation,
            retryable,
            ..
        } => {
            assert_eq!(*backend, "aws");
            assert_eq!(*service, Service::StateStore);
            assert_eq!(operation, "GetItem");
            assert!(retryable);
        }
        other => panic!("expected a retryable Service error, got {other:?}"),
    }
    assert!(err.is_retryable());
    assert_eq!(throttled.attempts(), 3);
    assert_eq!(throttled.remaining(), 7);
}
