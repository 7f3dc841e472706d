//! The Lambda backend against moto.
//!
//! Where moto 5.2.5 is weaker than Lambda (each gap is relaxed here only, the
//! conformance suite stays strict for every other host):
//! - `UpdateAlias` ignores `RevisionId` and never changes an alias's
//!   revision id, so the suite's alias-revision checks are switched off
//!   (`KnownGaps::alias_revisions_ignored`).
//! - Version numbers are `len(versions) + 1`, so deleting a version makes
//!   moto reuse numbers (even duplicate a live one); the suite's
//!   never-reused check is switched off (`KnownGaps::version_numbers_reused`).
//! - Function URLs ignore `Qualifier`: moto keeps one URL per function, so
//!   "the URL is not on a version" cannot be observed; it is asserted only
//!   off moto (`KnownGaps::function_urls_ignore_qualifier`).
//! - `AddPermission` appends a duplicate statement instead of answering
//!   `ResourceConflictException`; `allow_cloudfront` reads the policy first,
//!   which this test checks.
//! - `PublishVersion` publishes a copy of an unchanged `$LATEST` once a
//!   function has been published once (moto never clears its "changed"
//!   flag on the first publish). Lambda returns the newest version; the
//!   backend now compares `$LATEST` with the newest version itself when it
//!   changed nothing, so identical republishes pass here unrelaxed.
//! - Functions have no `RevisionId` and are never `Pending`/`InProgress`,
//!   and `PublishVersion` ignores `CodeSha256`, so the guarded-publish
//!   conflict path cannot be exercised here.

use crate::aws_support;
use crate::common;
use anchor_testing::buckets::create_bucket;

use anchor_core::aws::{placeholder_zip, FunctionSpec, LambdaFunctions};
use anchor_core::conformance::functions::functions_with;
use anchor_core::conformance::KnownGaps;
use anchor_core::traits::{AliasRouting, CodeBundle, Functions, PublishOptions, SetAliasOptions};
use aws_sdk_lambda::types::FunctionUrlAuthType;

fn code(tag: &str) -> CodeBundle {
    let handler = format!("index.{tag}");
    CodeBundle::new(placeholder_zip(&handler).unwrap())
}

async fn counts(client: &aws_sdk_lambda::Client, function: &str) -> (usize, usize, usize) {
    let functions = client
        .list_functions()
        .send()
        .await
        .unwrap()
        .functions()
        .len();
    let versions = client
        .list_versions_by_function()
        .function_name(function)
        .send()
        .await
        .unwrap()
        .versions()
        .len();
    let aliases = client
        .list_aliases()
        .function_name(function)
        .send()
        .await
        .unwrap()
        .aliases()
        .len();
    (functions, versions, aliases)
}

#[tokio::test]
async fn conformance() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let host = LambdaFunctions::new(m.clients.lambda.clone());
    let spec = FunctionSpec::new("anchor-conformance", &m.role_arn);
    host.ensure_function(&spec).await.unwrap();
    functions_with(&host, &spec.name, &KnownGaps::MOTO).await;
}

#[tokio::test]
async fn setup_is_idempotent_and_the_url_is_on_the_alias() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let client = &m.clients.lambda;
    let host = LambdaFunctions::new(client.clone());
    let spec = FunctionSpec::new("anchor-setup", &m.role_arn);

    let arn = host.ensure_function(&spec).await.unwrap();
    assert!(arn.ends_with(":function:anchor-setup"), "{arn}");
    let url = host.ensure_alias_url(&spec.name, "live").await.unwrap();
    let before = counts(client, &spec.name).await;
    assert_eq!(before.2, 1, "one alias");

    // A second run creates nothing and answers the same.
    assert_eq!(host.ensure_function(&spec).await.unwrap(), arn);
    assert_eq!(
        host.ensure_alias_url(&spec.name, "live").await.unwrap(),
        url
    );
    assert_eq!(counts(client, &spec.name).await, before);

    // The alias starts on the placeholder, published as version 1.
    let alias = host.get_alias(&spec.name, "live").await.unwrap().unwrap();
    assert_eq!(alias.routing, AliasRouting::single("1"));
    assert_eq!(alias.url.as_deref(), Some(url.as_str()));
    let v1 = host.get_version(&spec.name, "1").await.unwrap().unwrap();
    let placeholder = CodeBundle::new(placeholder_zip(&spec.handler).unwrap());
    assert_eq!(v1.code_sha256, placeholder.sha256);

    // The URL lives on the alias qualifier, with IAM auth for CloudFront's OAC.
    let on_alias = client
        .get_function_url_config()
        .function_name(&spec.name)
        .qualifier("live")
        .send()
        .await
        .unwrap();
    assert_eq!(on_alias.function_url, url);
    assert_eq!(on_alias.auth_type, FunctionUrlAuthType::AwsIam);
    if !KnownGaps::MOTO.function_urls_ignore_qualifier {
        let on_version = client
            .get_function_url_config()
            .function_name(&spec.name)
            .qualifier("1")
            .send()
            .await;
        assert!(on_version.is_err(), "a bare version must have no URL");
    }

    // CloudFront's permission, twice: two statements, added once.
    let distribution = format!(
        "arn:aws:cloudfront::{}:distribution/E2ANCHORTEST",
        aws_support::ACCOUNT
    );
    host.allow_cloudfront(&spec.name, "live", &distribution)
        .await
        .unwrap();
    host.allow_cloudfront(&spec.name, "live", &distribution)
        .await
        .unwrap();
    let policy = client
        .get_policy()
        .function_name(&spec.name)
        .qualifier("live")
        .send()
        .await
        .unwrap()
        .policy
        .unwrap();
    let policy: serde_json::Value = serde_json::from_str(&policy).unwrap();
    let statements = policy["Statement"].as_array().unwrap();
    assert_eq!(statements.len(), 2, "{policy}");
    assert!(statements
        .iter()
        .any(|s| s["Action"] == "lambda:InvokeFunctionUrl"
            && s["Principal"]["Service"] == "cloudfront.amazonaws.com"));
    assert!(host
        .allow_cloudfront(&spec.name, "live", "arn:aws:s3:::bucket")
        .await
        .is_err());
    assert_eq!(counts(client, &spec.name).await, before);
}

#[tokio::test]
async fn identical_publishes_and_weighted_routing() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let client = &m.clients.lambda;
    let host = LambdaFunctions::new(client.clone());
    let spec = FunctionSpec::new("anchor-publish", &m.role_arn);
    host.ensure_function(&spec).await.unwrap();

    let options = PublishOptions {
        description: Some("build one".into()),
        handler: Some("index.one".into()),
        environment: [("CACHE_PREFIX".to_string(), "one".to_string())].into(),
        architecture: None,
        ..PublishOptions::default()
    };
    let one = host
        .publish(&spec.name, &code("one"), &options)
        .await
        .unwrap();
    let again = host
        .publish(&spec.name, &code("one"), &options)
        .await
        .unwrap();
    assert_eq!(
        again, one,
        "identical code and config must return the same version"
    );
    assert!(
        one.arn
            .ends_with(&format!(":anchor-publish:{}", one.version)),
        "{one:?}"
    );

    // The version froze its handler and environment.
    let frozen = client
        .get_function_configuration()
        .function_name(&spec.name)
        .qualifier(&one.version)
        .send()
        .await
        .unwrap();
    assert_eq!(frozen.handler(), Some("index.one"));
    assert_eq!(
        frozen
            .environment()
            .and_then(|e| e.variables())
            .and_then(|v| v.get("CACHE_PREFIX")),
        Some(&"one".to_string())
    );

    // Same code, new environment: a new version.
    let changed = PublishOptions {
        environment: [("CACHE_PREFIX".to_string(), "two".to_string())].into(),
        ..options.clone()
    };
    let two = host
        .publish(&spec.name, &code("one"), &changed)
        .await
        .unwrap();
    assert_ne!(two.version, one.version);
    assert_eq!(two.code_sha256, one.code_sha256);

    // Weighted routing round-trips through GetAlias.
    let weighted = AliasRouting {
        version: two.version.clone(),
        additional: Some((one.version.clone(), 0.25)),
    };
    let set = host
        .set_alias(&spec.name, "live", &weighted, &SetAliasOptions::default())
        .await
        .unwrap();
    assert_eq!(set.routing, weighted);
    let raw = client
        .get_alias()
        .function_name(&spec.name)
        .name("live")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.function_version(), Some(two.version.as_str()));
    let weights = raw
        .routing_config()
        .and_then(|r| r.additional_version_weights())
        .unwrap();
    assert_eq!(weights.get(&one.version), Some(&0.25));
    assert_eq!(
        host.get_alias(&spec.name, "live")
            .await
            .unwrap()
            .map(|a| a.routing),
        Some(weighted)
    );

    // Back to one version clears the weights.
    let single = host
        .set_alias(
            &spec.name,
            "live",
            &AliasRouting::single(&one.version),
            &SetAliasOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(single.routing, AliasRouting::single(&one.version));
    host.delete_version(&spec.name, &two.version).await.unwrap();

    // A bundle whose hash is not its zip's is refused before any call.
    let mut bad = code("three");
    bad.sha256 = one.code_sha256.clone();
    assert!(matches!(
        host.publish(&spec.name, &bad, &options).await,
        Err(anchor_core::Error::InvalidInput { .. })
    ));
}

/// Bundles over the inline limit go through the staging bucket: stored once
/// under their hash, then read by Lambda from S3, and published as usual.
#[tokio::test]
async fn large_bundles_are_staged_in_s3() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let bucket = "anchor-staging";
    create_bucket(&m.clients.s3, bucket, aws_support::REGION)
        .await
        .unwrap();
    let store = anchor_core::aws::S3ObjectStore::new(m.clients.s3.clone(), bucket);
    let host = LambdaFunctions::new(m.clients.lambda.clone())
        .with_code_staging(store, "_anchor/code")
        .with_inline_limit(64);
    let spec = FunctionSpec::new("anchor-staged", &m.role_arn);
    host.ensure_function(&spec).await.unwrap();
    let bundle = code("staged");
    assert!(bundle.zip.len() > 64);
    let version = host
        .publish(&spec.name, &bundle, &PublishOptions::default())
        .await
        .unwrap();
    assert_eq!(version.code_sha256, bundle.sha256);
    let staged = m
        .clients
        .s3
        .list_objects_v2()
        .bucket(bucket)
        .prefix("_anchor/code/anchor-staged/")
        .send()
        .await
        .unwrap();
    let keys: Vec<_> = staged.contents().iter().filter_map(|o| o.key()).collect();
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert!(keys[0].ends_with(".zip"));
    let config = m
        .clients
        .lambda
        .get_function_configuration()
        .function_name(&spec.name)
        .qualifier(&version.version)
        .send()
        .await
        .unwrap();
    assert_eq!(config.code_sha256(), Some(bundle.sha256.as_str()));
}

/// A project with the router, on moto's Lambda, S3 and DynamoDB (the
/// router's store is the harness's stand-in). Deploying it must publish the
/// server with the origin guard as its handler, a secret of the
/// deployment's own in its environment that equals the one in the router's
/// store, and give the deployment's alias a Function URL with auth NONE. A
/// second deploy of the same build reuses the code and publishes a new
/// version with a new secret.
#[tokio::test]
async fn a_routed_server_is_published_behind_the_origin_guard() {
    use anchor_core::model::{OriginSecret, ORIGIN_SECRET_ENV};
    use anchor_core::opennext::GUARD_HANDLER;
    use anchor_core::router::RouterKeys;
    use anchor_core::traits::ProvisionOptions;
    use anchor_core::Anchor;

    let Some(m) = aws_support::moto().await else {
        return;
    };
    let aws = Anchor::aws_with_config(&m.config, &m.options("anchor-assets"))
        .await
        .unwrap();
    let build = common::real_build_or_fixture();
    let provision = ProvisionOptions {
        routes: Anchor::routes_of_build(&build).await.unwrap(),
        ..ProvisionOptions::default()
    };
    let project = aws.create_project_with("guarded", provision).await.unwrap();
    let keys = RouterKeys::new(&project.infrastructure.distribution_id).unwrap();

    let d = aws
        .deployer("guarded", &build)
        .promote(false)
        .execute()
        .await
        .unwrap();
    let again = aws
        .deployer("guarded", &build)
        .promote(false)
        .execute()
        .await
        .unwrap();

    let lambda = &m.clients.lambda;
    let mut secrets = Vec::new();
    for deployment in [&d, &again] {
        let server = deployment.server_version.as_ref().unwrap();
        let config = lambda
            .get_function_configuration()
            .function_name(&server.function)
            .qualifier(&server.version)
            .send()
            .await
            .unwrap();
        assert_eq!(config.handler(), Some(GUARD_HANDLER));
        let environment = config.environment().and_then(|e| e.variables()).unwrap();
        let stored = m
            .router_store
            .value(&keys.secret(&deployment.id))
            .expect("the deploy wrote the deployment's secret key");
        assert_eq!(
            environment.get(ORIGIN_SECRET_ENV),
            Some(&stored),
            "the router's secret is the one the version checks"
        );
        OriginSecret::parse(&stored).unwrap();
        let entry = m
            .router_store
            .value(&keys.deployment(&deployment.id))
            .unwrap();
        assert!(
            !entry.contains(&stored),
            "the routing entry holds no secret"
        );
        secrets.push(stored);
    }
    assert_ne!(secrets[0], secrets[1], "each deployment has its own secret");
    let (one, two) = (
        d.server_version.as_ref().unwrap(),
        again.server_version.as_ref().unwrap(),
    );
    assert_eq!(one.code_sha256, two.code_sha256, "the same guarded bundle");
    assert_ne!(one.version, two.version, "a new version for the new secret");
    let stored = aws.project("guarded").await.unwrap();
    for secret in &secrets {
        assert!(!format!("{stored:?}").contains(secret.as_str()));
    }

    let server = d.server_version.unwrap();
    let url = lambda
        .get_function_url_config()
        .function_name(&server.function)
        .qualifier(format!("v{}", d.version))
        .send()
        .await
        .unwrap();
    assert_eq!(url.auth_type(), &FunctionUrlAuthType::None);
    let alias = lambda
        .get_alias()
        .function_name(&server.function)
        .name(format!("v{}", d.version))
        .send()
        .await
        .unwrap();
    assert_eq!(alias.function_version(), Some(server.version.as_str()));
}
