//! Upgrading in place on moto: a project provisioned before the edge
//! router is converged by `create_project` with one distribution update,
//! keeps its live deployment, and rolls back across the upgrade with one
//! pointer write. moto drops function associations, so the layout is read
//! from the cache policy of the default behaviour (the router's own).

use crate::aws_support;
use crate::common;

use anchor_core::aws::AwsRouter;
use anchor_core::model::{DeploymentId, DistributionLayout};
use anchor_core::router::RouterKeys;
use anchor_core::Anchor;
use aws_sdk_lambda::types::FunctionUrlAuthType;
use aws_sdk_s3::config::SharedInterceptor;
use aws_support::intercept::CallRecorder;
use aws_support::{router_resources, Moto};
use common::{copy_tree, make_variant, real_build_or_fixture};

const BUCKET: &str = "anchor-assets";
const P: &str = "shop";

async fn open(m: &Moto, router: bool, recorder: &CallRecorder) -> Anchor {
    let mut options = m.options(BUCKET);
    if !router {
        options.router = AwsRouter::Disabled;
    }
    options.interceptors = vec![SharedInterceptor::new(recorder.clone())];
    Anchor::aws_with_config(&m.config, &options).await.unwrap()
}

async fn default_cache_policy(m: &Moto, distribution_id: &str) -> Option<String> {
    let out = m
        .clients
        .cloudfront
        .get_distribution_config()
        .id(distribution_id)
        .send()
        .await
        .unwrap();
    out.distribution_config()
        .and_then(|c| c.default_cache_behavior())
        .and_then(|b| b.cache_policy_id())
        .map(str::to_string)
}

#[tokio::test]
async fn create_project_upgrades_a_project_made_before_the_router_on_moto() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let v1_dir = real_build_or_fixture();
    let v2_dir = tmp.path().join("v2");
    copy_tree(&v1_dir, &v2_dir);
    make_variant(&v2_dir, "v2");

    let recorder = CallRecorder::default();
    let before = open(&m, false, &recorder).await;
    let made = before.create_project(P).await.unwrap();
    assert_eq!(made.infrastructure.layout(), DistributionLayout::Behaviours);
    let dist = made.infrastructure.distribution_id.clone();
    let v1 = before.deployer(P, &v1_dir).execute().await.unwrap();
    let v2 = before.deployer(P, &v2_dir).execute().await.unwrap();
    let router = router_resources();
    assert_ne!(
        default_cache_policy(&m, &dist).await,
        Some(router.cache_policy_id.clone())
    );

    let recorder = CallRecorder::default();
    let after = open(&m, true, &recorder).await;
    recorder.clear();
    let upgraded = after.create_project(P).await.unwrap();
    assert_eq!(upgraded.infrastructure.layout(), DistributionLayout::Router);
    assert_eq!(upgraded.infrastructure.distribution_id, dist);
    assert_eq!(
        default_cache_policy(&m, &dist).await,
        Some(router.cache_policy_id.clone())
    );
    let keys = RouterKeys::new(&dist).unwrap();
    assert_eq!(
        m.router_store.value(&keys.live()).as_deref(),
        Some(v2.id.as_str()),
        "the pointer is written before the distribution routes through it"
    );
    let ops = recorder.operations();
    assert_eq!(recorder.count("UpdateDistribution"), 1, "{ops:?}");
    assert_eq!(recorder.count("CreateInvalidation"), 0, "{ops:?}");
    let pointer = ops.iter().rposition(|o| o == "UpdateKeys");
    let relayout = ops.iter().position(|o| o == "UpdateDistribution");
    assert!(pointer < relayout, "pointer first: {ops:?}");
    // v2's server has no origin guard: its own URL stays signed-only.
    let server = &upgraded.infrastructure.server_function;
    assert_signed_origin(&m, server, &dist, &keys, &v2.id, "v2").await;

    // Again: reads only.
    recorder.clear();
    let again = after.create_project(P).await.unwrap();
    assert_eq!(again, upgraded);
    let writes = aws_support::provisioning::mutations(&recorder);
    assert!(writes.is_empty(), "{writes:?}");

    // Back to a deployment made before the upgrade: its own aliases and
    // URLs are made on the way, then one pointer write; no distribution
    // change, no invalidation, and the `live` aliases stay where they were.
    let live_before = m.live_versions(P).await;
    recorder.clear();
    let back = after.rollback(P).execute().await.unwrap();
    assert_eq!(back.to.id, v1.id);
    assert_eq!(
        m.router_store.value(&keys.live()).as_deref(),
        Some(v1.id.as_str())
    );
    let ops = recorder.operations();
    assert_eq!(recorder.count("TransactWriteItems"), 1, "{ops:?}");
    for op in ["UpdateDistribution", "CreateInvalidation"] {
        assert_eq!(recorder.count(op), 0, "{op}: {ops:?}");
    }
    assert_eq!(m.live_versions(P).await, live_before);
    assert_signed_origin(&m, server, &dist, &keys, &v1.id, "v1").await;
}

/// A deployment made before the router, published as its own origin: its
/// server URL is `AWS_IAM` with the distribution allowed to invoke it, its
/// routing entry says the server origin is signed, and it has no secret.
async fn assert_signed_origin(
    m: &Moto,
    server: &str,
    dist: &str,
    keys: &RouterKeys,
    id: &DeploymentId,
    alias: &str,
) {
    let url = m
        .clients
        .lambda
        .get_function_url_config()
        .function_name(server)
        .qualifier(alias)
        .send()
        .await
        .unwrap();
    assert_eq!(
        url.auth_type,
        FunctionUrlAuthType::AwsIam,
        "{server}:{alias}"
    );
    let policy = m
        .clients
        .lambda
        .get_policy()
        .function_name(server)
        .qualifier(alias)
        .send()
        .await
        .unwrap()
        .policy
        .unwrap_or_default();
    let policy: serde_json::Value = serde_json::from_str(&policy).unwrap();
    let granted = policy["Statement"].as_array().is_some_and(|all| {
        all.iter().any(|s| {
            s["Action"] == "lambda:InvokeFunctionUrl"
                && s["Principal"]["Service"] == "cloudfront.amazonaws.com"
                && s.to_string().contains(dist)
        })
    });
    assert!(
        granted,
        "the distribution may invoke {server}:{alias}: {policy}"
    );
    let entry = m.router_store.value(&keys.deployment(id)).unwrap();
    let entry: serde_json::Value = serde_json::from_str(&entry).unwrap();
    assert_eq!(entry["o"], 1, "{entry}");
    assert_eq!(m.router_store.value(&keys.secret(id)), None);
}
