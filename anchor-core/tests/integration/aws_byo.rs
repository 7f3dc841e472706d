//! Bring-your-own on moto: resources made without Anchor are adopted and
//! deployed to without being changed, and a missing one is refused with
//! nothing recorded.

use crate::aws_support;
use crate::common;

use anchor_core::aws::{placeholder_zip, CACHING_OPTIMIZED_POLICY};
use anchor_core::model::{DeploymentStatus, DomainMode, Infrastructure, ProjectName};
use anchor_core::traits::ProvisionOptions;
use anchor_core::{Error, ResourceKind};
use anchor_testing::buckets::create_bucket;
use aws_sdk_cloudfront::types::{
    DefaultCacheBehavior, DistributionConfig, Origin, Origins, S3OriginConfig, ViewerProtocolPolicy,
};
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{FunctionCode, Runtime};
use aws_support::intercept::CallRecorder;
use aws_support::provisioning::{open, BUCKET};
use aws_support::Moto;

/// A distribution made without Anchor: one S3 origin, default behaviour only.
async fn raw_distribution(m: &Moto) -> (String, String) {
    let origin = Origin::builder()
        .id("assets")
        .domain_name(format!("{BUCKET}.s3.eu-west-1.amazonaws.com"))
        .s3_origin_config(S3OriginConfig::builder().origin_access_identity("").build())
        .build()
        .unwrap();
    let config = DistributionConfig::builder()
        .caller_reference("byo-made-elsewhere")
        .comment("made by hand")
        .enabled(true)
        .origins(
            Origins::builder()
                .quantity(1)
                .items(origin)
                .build()
                .unwrap(),
        )
        .default_cache_behavior(
            DefaultCacheBehavior::builder()
                .target_origin_id("assets")
                .viewer_protocol_policy(ViewerProtocolPolicy::RedirectToHttps)
                .cache_policy_id(CACHING_OPTIMIZED_POLICY)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let out = m
        .clients
        .cloudfront
        .create_distribution()
        .distribution_config(config)
        .send()
        .await
        .unwrap();
    let d = out.distribution().unwrap();
    (d.id().to_string(), d.domain_name().to_string())
}

async fn raw_function(m: &Moto, name: &str) {
    m.clients
        .lambda
        .create_function()
        .function_name(name)
        .role(&m.role_arn)
        .runtime(Runtime::Nodejs22x)
        .handler("index.handler")
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(placeholder_zip("index.handler").unwrap()))
                .build(),
        )
        .send()
        .await
        .unwrap();
}

async fn distribution_config(m: &Moto, id: &str) -> DistributionConfig {
    let out = m
        .clients
        .cloudfront
        .get_distribution_config()
        .id(id)
        .send()
        .await
        .unwrap();
    out.distribution_config.unwrap()
}

#[tokio::test]
async fn bring_your_own_resources_are_adopted_unchanged() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    create_bucket(&m.clients.s3, BUCKET, aws_support::REGION)
        .await
        .unwrap();
    raw_function(&m, "byo-web").await;
    raw_function(&m, "byo-img").await;
    let (distribution_id, distribution_domain) = raw_distribution(&m).await;
    let config_before = distribution_config(&m, &distribution_id).await;

    let recorder = CallRecorder::default();
    let a = open(&m, None, &recorder).await;
    recorder.clear();
    let existing = Infrastructure {
        server_function: "byo-web".into(),
        image_function: "byo-img".into(),
        alias: "live".into(),
        asset_prefix: "byo".into(),
        distribution_id: distribution_id.clone(),
        distribution_domain: String::new(),
        asset_location: None,
        router: None,
        domains: DomainMode::Aliases,
    };
    let options = ProvisionOptions {
        existing: Some(existing.clone()),
        ..ProvisionOptions::default()
    };
    let project = a.create_project_with("byo", options).await.unwrap();
    assert_eq!(
        project.infrastructure,
        Infrastructure {
            distribution_domain,
            asset_location: Some(format!("s3://{BUCKET}")),
            ..existing
        }
    );

    let d = a
        .deployer("byo", common::real_build_or_fixture())
        .execute()
        .await
        .unwrap();
    assert_eq!(d.status, DeploymentStatus::Live);
    for (function, version) in [
        ("byo-web", &d.server_version),
        ("byo-img", &d.image_version),
    ] {
        let alias = m
            .clients
            .lambda
            .get_alias()
            .function_name(function)
            .name("live")
            .send()
            .await
            .unwrap();
        let deployed = version.as_ref().map(|v| v.version.as_str());
        assert_eq!(alias.function_version(), deployed, "{function}");
        assert_ne!(deployed, Some("$LATEST"));
    }

    assert_eq!(
        distribution_config(&m, &distribution_id).await,
        config_before
    );
    let ops = recorder.operations();
    for forbidden in [
        "CreateFunction",
        "CreateDistribution",
        "CreateDistributionWithTags",
        "UpdateDistribution",
        "CreateOriginAccessControl",
        "CreateBucket",
        "PutBucketPolicy",
    ] {
        assert_eq!(recorder.count(forbidden), 0, "{forbidden}: {ops:?}");
    }
    let functions = m.clients.lambda.list_functions().send().await.unwrap();
    assert_eq!(functions.functions().len(), 2);
}

#[tokio::test]
async fn bring_your_own_missing_function_fails_and_records_nothing() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    raw_function(&m, "byo-img").await;
    let (distribution_id, _) = raw_distribution(&m).await;
    let recorder = CallRecorder::default();
    let a = open(&m, None, &recorder).await;
    let options = ProvisionOptions {
        existing: Some(Infrastructure {
            server_function: "byo-missing".into(),
            image_function: "byo-img".into(),
            alias: "live".into(),
            asset_prefix: "byo".into(),
            distribution_id,
            distribution_domain: String::new(),
            asset_location: None,
            router: None,
            domains: DomainMode::Aliases,
        }),
        ..ProvisionOptions::default()
    };
    let err = a.create_project_with("byo", options).await.unwrap_err();
    match &err {
        Error::NotFound {
            kind: ResourceKind::Function,
            id,
        } => assert_eq!(id, "byo-missing"),
        other => panic!("expected NotFound(Function), got {other:?}"),
    }
    assert!(err.to_string().contains("byo-missing"), "{err}");
    let name = ProjectName::parse("byo").unwrap();
    assert!(a
        .backend()
        .store
        .get_project(&name)
        .await
        .unwrap()
        .is_none());
    assert!(matches!(
        a.project("byo").await,
        Err(Error::NotFound {
            kind: ResourceKind::Project,
            ..
        })
    ));
}
