//! Pruning on the AWS backend against moto (issue 18, acceptance 1): it
//! never deletes a version a `live` alias points at, nor the live
//! deployment's objects, and it frees what it reports, counted in moto's
//! own Lambda and S3, the ISR cache and tag rows of a build no kept
//! deployment uses among it.

use crate::aws_support;
use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use anchor_core::aws::actions_for;
use anchor_core::model::{DeploymentStatus, ProjectName, RetentionPolicy, SkewPolicy};
use anchor_core::{Anchor, KeepReason, PruneOptions};
use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use aws_sdk_s3::config::SharedInterceptor;
use aws_support::intercept::CallRecorder;
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

const TAG_TABLE: &str = "anchor-shop-tags";

/// Every row of the tag table, as (tag, path), through moto's own Scan.
async fn tag_rows(m: &Moto) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    let mut start = None;
    loop {
        let page = m
            .clients
            .dynamodb
            .scan()
            .table_name(TAG_TABLE)
            .set_exclusive_start_key(start)
            .send()
            .await
            .unwrap();
        for item in page.items() {
            let s = |k: &str| item[k].as_s().unwrap().clone();
            out.insert((s("tag"), s("path")));
        }
        match page.last_evaluated_key {
            Some(key) if !key.is_empty() => start = Some(key),
            _ => return out,
        }
    }
}

/// What a server of `build` writes at run time: two regenerated pages and a
/// fetch-cache entry under the ISR cache (S3 PutObject, as OpenNext's
/// incremental cache), and `rows` tag rows (BatchWriteItem, as its tag
/// cache on `revalidateTag`). Returns the object keys.
async fn serve_build(m: &Moto, prefix: &str, build: &str, rows: usize) -> Vec<String> {
    let keys = vec![
        format!("{prefix}/_cache/{build}/blog/a.cache"),
        format!("{prefix}/_cache/{build}/blog/b.cache"),
        format!("{prefix}/_cache/__fetch/{build}/0123abcd"),
    ];
    for key in &keys {
        m.clients
            .s3
            .put_object()
            .bucket(BUCKET)
            .key(key)
            .body(format!("{{\"key\":\"{key}\"}}").into_bytes().into())
            .send()
            .await
            .unwrap();
    }
    let requests: Vec<WriteRequest> = (0..rows)
        .map(|i| {
            let put = PutRequest::builder()
                .item("tag", AttributeValue::S(format!("{build}/_N_T_/blog/{i}")))
                .item("path", AttributeValue::S(format!("{build}/blog/{i}")))
                .item("revalidatedAt", AttributeValue::N("1700000000000".into()))
                .build()
                .unwrap();
            WriteRequest::builder().put_request(put).build()
        })
        .collect();
    for batch in requests.chunks(25) {
        let out = m
            .clients
            .dynamodb
            .batch_write_item()
            .request_items(TAG_TABLE, batch.to_vec())
            .send()
            .await
            .unwrap();
        assert!(out.unprocessed_items().is_none_or(|u| u.is_empty()));
    }
    keys
}

#[tokio::test]
async fn pruning_on_moto_deletes_the_isr_cache_and_tag_rows_of_builds_no_kept_deployment_uses() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let recorder = CallRecorder::default();
    let a = open(&m, vec![SharedInterceptor::new(recorder.clone())]).await;
    a.create_project(P).await.unwrap();
    a.set_skew_policy(P, SkewPolicy::new(Duration::ZERO, 0).unwrap())
        .await
        .unwrap();
    // v4 live, v3 its rollback target; v1 and v2 go. v1's build is v3's too.
    for (i, id) in ["shared", "build-two", "shared", "build-four"]
        .iter()
        .enumerate()
    {
        let build = common::build_copy(tmp.path(), &format!("b{i}"));
        common::make_variant(&build, &format!("b{i}"));
        common::set_build_id(&build, id);
        a.deployer(P, &build).execute().await.unwrap();
    }
    let keep_one = RetentionPolicy::new(1, Duration::ZERO, false).unwrap();
    a.set_retention_policy(P, keep_one).await.unwrap();
    let prefix = a.project(P).await.unwrap().infrastructure.asset_prefix;
    // More rows than one BatchWriteItem takes.
    let unused = serve_build(&m, &prefix, "build-two", 30).await;
    let shared = serve_build(&m, &prefix, "shared", 3).await;
    // Another build whose id starts with the unused one's.
    let beside = serve_build(&m, &prefix, "build-two-b", 2).await;

    let before_objects = objects(&m).await;
    let before_rows = tag_rows(&m).await;
    assert!(
        before_rows
            .iter()
            .filter(|(t, _)| t.starts_with("build-two/"))
            .count()
            > 30,
        "the seed rows of build-two and its run-time rows"
    );
    let dry = a
        .prune(P, PruneOptions::default().dry_run(true))
        .await
        .unwrap();
    assert_eq!(
        objects(&m).await,
        before_objects,
        "a dry run deletes nothing"
    );
    assert_eq!(tag_rows(&m).await, before_rows, "a dry run deletes no row");

    recorder.clear();
    let report = a.prune(P, PruneOptions::default()).await.unwrap();
    assert_eq!(
        report.pruned.iter().map(|p| p.version).collect::<Vec<_>>(),
        [1, 2]
    );
    // The IAM policy covers every operation pruning sent (the listing,
    // the Scan and the deletes among them).
    let ops = recorder.operations();
    for op in ["ListObjectsV2", "Scan", "BatchWriteItem", "DeleteObject"] {
        assert!(ops.iter().any(|o| o == op), "{op} not sent: {ops:?}");
    }
    for (service, operation) in recorder.calls() {
        assert!(
            actions_for(&service, &operation).is_some(),
            "{service}:{operation} is missing from aws::OPERATIONS"
        );
    }
    assert_eq!(report.freed, dry.freed);
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
    for key in &unused {
        assert!(!after_objects.contains_key(key), "{key} stays");
    }
    assert!(
        after_objects
            .keys()
            .all(|k| !k.starts_with(&format!("{prefix}/_cache/build-two/"))),
        "build-two's prerendered cache went as well"
    );
    for key in shared.iter().chain(&beside) {
        assert!(after_objects.contains_key(key), "{key} went");
    }
    let after_rows = tag_rows(&m).await;
    let expected: BTreeSet<_> = before_rows
        .iter()
        .filter(|(t, _)| !t.starts_with("build-two/"))
        .cloned()
        .collect();
    assert_eq!(after_rows, expected);
    assert!(after_rows.iter().any(|(t, _)| t.starts_with("shared/")));
    assert!(after_rows
        .iter()
        .any(|(t, _)| t.starts_with("build-two-b/")));

    // Again, and on a project without a tag table: nothing to do, no error.
    let revalidation = &a.backend().revalidation;
    let shop = ProjectName::parse(P).unwrap();
    revalidation
        .remove_build_tags(&shop, "build-two")
        .await
        .unwrap();
    let none = ProjectName::parse("no-table").unwrap();
    revalidation
        .remove_build_tags(&none, "build-two")
        .await
        .unwrap();
    assert_eq!(tag_rows(&m).await, after_rows);
}
