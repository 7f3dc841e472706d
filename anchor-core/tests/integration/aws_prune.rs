//! Pruning on the AWS backend against moto (issue 18, acceptance 1): it
//! never deletes a version a `live` alias points at, nor the live
//! deployment's objects, and it frees what it reports, counted in moto's
//! own Lambda and S3.

use crate::aws_support;
use crate::common;

use std::collections::BTreeMap;
use std::time::Duration;

use anchor_core::model::{DeploymentStatus, RetentionPolicy, SkewPolicy};
use anchor_core::{Anchor, KeepReason, PruneOptions};
use aws_support::Moto;

use crate::aws_flow::open;

const BUCKET: &str = "anchor-assets";
const P: &str = "shop";

/// Every object in the bucket with its size.
async fn objects(m: &Moto) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    let mut token = None;
    loop {
        let page = m
            .clients
            .s3
            .list_objects_v2()
            .bucket(BUCKET)
            .set_continuation_token(token)
            .send()
            .await
            .unwrap();
        for o in page.contents() {
            out.insert(
                o.key().unwrap_or_default().to_string(),
                o.size().unwrap_or(0),
            );
        }
        match page.next_continuation_token() {
            Some(t) => token = Some(t.to_string()),
            None => return out,
        }
    }
}

/// The published versions of `function` (not `$LATEST`).
async fn versions(m: &Moto, function: &str) -> Vec<String> {
    let listed = m
        .clients
        .lambda
        .list_versions_by_function()
        .function_name(function)
        .send()
        .await
        .unwrap();
    listed
        .versions()
        .iter()
        .filter_map(|v| v.version())
        .filter(|v| *v != "$LATEST")
        .map(str::to_string)
        .collect()
}

/// Three promoted deployments of three builds, with skew protection off
/// and a policy that keeps one promoted deployment.
async fn three_deploys(m: &Moto, tmp: &std::path::Path) -> Anchor {
    let a = open(m, Vec::new()).await;
    a.create_project(P).await.unwrap();
    a.set_skew_policy(P, SkewPolicy::new(Duration::ZERO, 0).unwrap())
        .await
        .unwrap();
    for i in 1..=3 {
        let build = common::build_copy(tmp, &format!("b{i}"));
        common::make_variant(&build, &format!("b{i}"));
        a.deployer(P, &build).execute().await.unwrap();
    }
    let keep_one = RetentionPolicy::new(1, Duration::ZERO, false).unwrap();
    a.set_retention_policy(P, keep_one).await.unwrap();
    a
}

#[tokio::test]
async fn pruning_on_moto_frees_what_it_reports_and_keeps_what_serves() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let a = three_deploys(&m, tmp.path()).await;
    let project = a.project(P).await.unwrap();
    let infra = project.infrastructure.clone();

    let before_objects = objects(&m).await;
    let before_server = versions(&m, &infra.server_function).await;
    let before_image = versions(&m, &infra.image_function).await;
    let dry = a
        .prune(P, PruneOptions::default().dry_run(true))
        .await
        .unwrap();
    assert_eq!(
        objects(&m).await,
        before_objects,
        "a dry run deletes nothing"
    );
    let report = a.prune(P, PruneOptions::default()).await.unwrap();
    assert_eq!(report.freed, dry.freed);
    assert_eq!(
        report.pruned.iter().map(|p| p.version).collect::<Vec<_>>(),
        [1]
    );

    // What it reports is what moto no longer has.
    let after_objects = objects(&m).await;
    let gone: Vec<(&String, &i64)> = before_objects
        .iter()
        .filter(|(k, _)| !after_objects.contains_key(*k))
        .collect();
    assert_eq!(gone.len() as u64, report.freed.s3_objects, "{gone:?}");
    assert_eq!(
        gone.iter().map(|(_, s)| **s as u64).sum::<u64>(),
        report.freed.s3_bytes
    );
    let after_server = versions(&m, &infra.server_function).await;
    let after_image = versions(&m, &infra.image_function).await;
    let deleted =
        (before_server.len() - after_server.len()) + (before_image.len() - after_image.len());
    assert_eq!(deleted as u64, report.freed.function_versions);
    assert!(report.freed.lambda_code_bytes > 0);

    // The live deployment keeps its versions and every object it lists.
    let live = a.active_deployment(P).await.unwrap().unwrap();
    let server = live.server_version.clone().unwrap();
    assert!(after_server.contains(&server.version));
    let live_prefix = live.assets_path.clone();
    let kept_live: Vec<_> = before_objects
        .keys()
        .filter(|k| k.starts_with(&live_prefix))
        .collect();
    assert!(!kept_live.is_empty());
    assert!(kept_live.iter().all(|k| after_objects.contains_key(*k)));
    // The pruned one's own alias is gone from Lambda.
    let alias = m
        .clients
        .lambda
        .get_alias()
        .function_name(&infra.server_function)
        .name("v1")
        .send()
        .await;
    assert!(alias.is_err(), "v1's alias survived: {alias:?}");
}

#[tokio::test]
async fn pruning_on_moto_never_deletes_a_version_the_live_alias_points_at() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let a = three_deploys(&m, tmp.path()).await;
    let project = a.project(P).await.unwrap();
    let infra = project.infrastructure.clone();
    let page = a
        .history(P, &anchor_core::model::PageRequest::first(10))
        .await
        .unwrap();
    let v1 = page.items.iter().find(|d| d.version == 1).unwrap().clone();
    let v1_server = v1.server_version.clone().unwrap().version;
    // Someone points the server's `live` alias at v1's version.
    m.clients
        .lambda
        .update_alias()
        .function_name(&infra.server_function)
        .name(&infra.alias)
        .function_version(&v1_server)
        .send()
        .await
        .unwrap();
    let report = a.prune(P, PruneOptions::default()).await.unwrap();
    assert!(report.pruned.is_empty(), "{report:?}");
    assert!(report
        .kept
        .iter()
        .any(|k| k.version == 1 && k.reason == KeepReason::LiveAlias));
    assert!(versions(&m, &infra.server_function)
        .await
        .contains(&v1_server));
    let v1_now = a.deployment(P, v1.id.as_str()).await.unwrap();
    assert_ne!(v1_now.status, DeploymentStatus::Pruned);
}
