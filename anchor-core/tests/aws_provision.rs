//! Provisioning on moto: a second run changes nothing, bring-your-own
//! resources are adopted without being changed, and a missing execution
//! role is refused before anything is created. Resource counts are read
//! through the AWS crates, not through Anchor.

mod aws_support;
mod common;

use std::collections::BTreeMap;

use anchor_core::aws::{placeholder_zip, AwsOptions, CACHING_OPTIMIZED_POLICY};
use anchor_core::model::{DeploymentStatus, Infrastructure, ProjectName};
use anchor_core::traits::ProvisionOptions;
use anchor_core::{Anchor, Error, ResourceKind};
use aws_sdk_cloudfront::types::{
    DefaultCacheBehavior, DistributionConfig, Origin, Origins, S3OriginConfig, ViewerProtocolPolicy,
};
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{FunctionCode, Runtime};
use aws_sdk_s3::config::SharedInterceptor;
use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
use aws_support::intercept::CallRecorder;
use aws_support::Moto;

const BUCKET: &str = "anchor-assets";
const P: &str = "shop";

async fn open(m: &Moto, role: Option<&str>, recorder: &CallRecorder) -> Anchor {
    let mut options = AwsOptions::new(BUCKET);
    options.connection = m.connection.clone();
    options.execution_role_arn = role.map(str::to_string);
    options.interceptors = vec![SharedInterceptor::new(recorder.clone())];
    options.serialize_state_writes = true;
    Anchor::aws_with_config(&m.config, &options).await.unwrap()
}

/// Calls that create or change something; a repeat provisioning must make none.
fn mutations(recorder: &CallRecorder) -> Vec<String> {
    const WRITES: &[&str] = &[
        "Create",
        "Put",
        "Update",
        "Publish",
        "AddPermission",
        "Delete",
        "TransactWrite",
        "Tag",
    ];
    recorder
        .operations()
        .into_iter()
        .filter(|op| WRITES.iter().any(|w| op.starts_with(w)))
        .collect()
}

/// Every kind of resource provisioning makes, counted (or, for policies,
/// read) through the AWS crates.
async fn inventory(m: &Moto) -> BTreeMap<String, String> {
    let c = &m.clients;
    let mut out = BTreeMap::new();
    let buckets = c.s3.list_buckets().send().await.unwrap();
    out.insert("buckets".into(), buckets.buckets().len().to_string());
    for b in buckets.buckets() {
        let name = b.name().unwrap();
        let policy = c.s3.get_bucket_policy().bucket(name).send().await;
        let policy = policy.ok().and_then(|p| p.policy).unwrap_or_default();
        out.insert(format!("bucket {name} policy"), policy);
    }
    let functions = c.lambda.list_functions().send().await.unwrap();
    out.insert("functions".into(), functions.functions().len().to_string());
    for f in functions.functions() {
        let name = f.function_name().unwrap();
        let versions = c
            .lambda
            .list_versions_by_function()
            .function_name(name)
            .send()
            .await
            .unwrap();
        out.insert(
            format!("{name} versions"),
            versions.versions().len().to_string(),
        );
        let aliases = c
            .lambda
            .list_aliases()
            .function_name(name)
            .send()
            .await
            .unwrap();
        out.insert(
            format!("{name} aliases"),
            format!("{:?}", aliases.aliases()),
        );
        // moto has no ListFunctionUrlConfigs: read the URL of each alias.
        let mut urls = Vec::new();
        for alias in aliases.aliases() {
            let url = c
                .lambda
                .get_function_url_config()
                .function_name(name)
                .qualifier(alias.name().unwrap())
                .send()
                .await;
            if let Ok(url) = url {
                urls.push(url.function_url);
            }
        }
        out.insert(format!("{name} urls"), urls.join(" "));
        for alias in aliases.aliases() {
            let policy = c
                .lambda
                .get_policy()
                .function_name(name)
                .qualifier(alias.name().unwrap())
                .send()
                .await;
            let policy = policy.ok().and_then(|p| p.policy).unwrap_or_default();
            out.insert(format!("{name}:{} policy", alias.name().unwrap()), policy);
        }
    }
    let distributions = c.cloudfront.list_distributions().send().await.unwrap();
    let list = distributions.distribution_list().unwrap();
    out.insert("distributions".into(), list.items().len().to_string());
    let oacs = c
        .cloudfront
        .list_origin_access_controls()
        .send()
        .await
        .unwrap();
    let oacs = oacs
        .origin_access_control_list()
        .map(|l| l.items().len())
        .unwrap_or(0);
    out.insert("origin access controls".into(), oacs.to_string());
    let tables = c.dynamodb.list_tables().send().await.unwrap();
    out.insert("tables".into(), format!("{:?}", tables.table_names()));
    out
}

#[tokio::test]
async fn provisioning_twice_changes_nothing() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let recorder = CallRecorder::default();
    let a = open(&m, Some(&m.role_arn), &recorder).await;
    let project = a.create_project(P).await.unwrap();
    let before = inventory(&m).await;
    assert_eq!(before["buckets"], "1", "{before:#?}");
    assert_eq!(before["functions"], "2", "{before:#?}");
    assert_eq!(before["distributions"], "1", "{before:#?}");
    assert_eq!(before["origin access controls"], "2", "{before:#?}");
    for f in ["shop-server", "shop-image"] {
        assert!(
            before[&format!("{f} aliases")].contains("live"),
            "{before:#?}"
        );
        assert!(!before[&format!("{f} urls")].is_empty(), "{before:#?}");
        // $LATEST and the placeholder version the alias points at.
        assert_eq!(before[&format!("{f} versions")], "2", "{before:#?}");
        assert!(
            !before[&format!("{f}:live policy")].is_empty(),
            "{before:#?}"
        );
    }

    // Again through the provisioner of the same Anchor...
    recorder.clear();
    let name = ProjectName::parse(P).unwrap();
    let again = a
        .services()
        .provisioner
        .provision(&name, &ProvisionOptions::default())
        .await
        .unwrap();
    assert_eq!(again, project.infrastructure);
    let writes = mutations(&recorder);
    assert!(writes.is_empty(), "the second run wrote: {writes:?}");
    assert_eq!(inventory(&m).await, before);

    // ...and through a second Anchor on the same account.
    let other = CallRecorder::default();
    let b = open(&m, Some(&m.role_arn), &other).await;
    other.clear();
    let third = b
        .services()
        .provisioner
        .provision(&name, &ProvisionOptions::default())
        .await
        .unwrap();
    assert_eq!(third, project.infrastructure);
    let writes = mutations(&other);
    assert!(writes.is_empty(), "the third run wrote: {writes:?}");
    assert_eq!(inventory(&m).await, before);
    assert_eq!(b.project(P).await.unwrap(), project);
}

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
    m.clients
        .s3
        .create_bucket()
        .bucket(BUCKET)
        .create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::EuWest1)
                .build(),
        )
        .send()
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
        .services()
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

#[tokio::test]
async fn provisioning_without_a_role_fails_before_creating_anything() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let recorder = CallRecorder::default();
    let a = open(&m, None, &recorder).await;
    recorder.clear();
    let before = inventory(&m).await;
    let err = a.create_project(P).await.unwrap_err();
    match &err {
        Error::InvalidInput { field, .. } => assert_eq!(field, "execution_role_arn"),
        other => panic!("expected InvalidInput(execution_role_arn), got {other:?}"),
    }
    let writes = mutations(&recorder);
    assert!(writes.is_empty(), "wrote before refusing: {writes:?}");
    assert_eq!(inventory(&m).await, before);
    assert_eq!(before["functions"], "0");
    assert_eq!(before["buckets"], "0");
    let name = ProjectName::parse(P).unwrap();
    assert!(a
        .services()
        .store
        .get_project(&name)
        .await
        .unwrap()
        .is_none());
}
