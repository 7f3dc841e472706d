//! Pruning on the embedded default (issues 17 and 18): the retention
//! policy, what is never pruned, what a pruned deployment frees and keeps
//! (the ISR cache and tag rows of a build no kept deployment uses among
//! it), the 410 of its preview, dry runs, and pruning after each deploy.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use crate::common;

use anchor_core::local::{LocalRevalidation, StoredTagItem};
use anchor_core::model::{
    DeploymentStatus, PageRequest, ProjectName, RetentionPolicy, RolloutPlan, RolloutStage, TagItem,
};
use anchor_core::router::RouterKeys;
use anchor_core::traits::{ObjectBody, PutOptions};
use anchor_core::{Anchor, Error, KeepReason, PruneOptions, PruneReport};
use common::{build_copy, make_variant, set_build_id};

const P: &str = "prune";

/// A project with `promoted` promoted deployments (each of its own build)
/// and then `previews` previews, on the embedded default, with skew
/// protection off unless `windows`.
async fn history_with(
    promoted: usize,
    previews: usize,
    windows: bool,
) -> (tempfile::TempDir, Anchor) {
    let dir = tempfile::tempdir().unwrap();
    let anchor = Anchor::local(dir.path().join("state")).await.unwrap();
    anchor.create_project(P).await.unwrap();
    if !windows {
        no_windows(&anchor).await;
    }
    for i in 0..promoted + previews {
        let build = build_copy(dir.path(), &format!("b{i}"));
        make_variant(&build, &format!("b{i}"));
        anchor
            .deployer(P, &build)
            .promote(i < promoted)
            .execute()
            .await
            .unwrap();
    }
    (dir, anchor)
}

async fn history(promoted: usize, previews: usize) -> (tempfile::TempDir, Anchor) {
    history_with(promoted, previews, false).await
}

/// Skew protection off, so no window keeps an old deployment.
async fn no_windows(a: &Anchor) {
    let off = anchor_core::model::SkewPolicy::new(Duration::ZERO, 0).unwrap();
    a.set_skew_policy(P, off).await.unwrap();
}

/// Keep one promoted deployment; previews expire at once.
fn strict() -> RetentionPolicy {
    RetentionPolicy::new(1, Duration::ZERO, false).unwrap()
}

fn versions(report: &PruneReport) -> Vec<u64> {
    report.pruned.iter().map(|p| p.version).collect()
}

fn kept(report: &PruneReport) -> Vec<(u64, KeepReason)> {
    report.kept.iter().map(|k| (k.version, k.reason)).collect()
}

#[tokio::test]
async fn the_live_deployment_and_the_rollback_target_stay_and_the_rest_goes() {
    let (_dir, a) = history(3, 1).await;
    a.set_retention_policy(P, strict()).await.unwrap();
    let dry = a
        .prune(P, PruneOptions::default().dry_run(true))
        .await
        .unwrap();
    assert!(dry.dry_run);
    assert_eq!(versions(&dry), [1, 4]);
    assert_eq!(
        kept(&dry),
        [(3, KeepReason::Live), (2, KeepReason::RollbackTarget)]
    );
    // A dry run changes nothing.
    let v1 = a
        .history(P, &anchor_core::model::PageRequest::first(100))
        .await
        .unwrap();
    assert!(v1
        .items
        .iter()
        .all(|d| d.status != DeploymentStatus::Pruned));

    let report = a.prune(P, PruneOptions::default()).await.unwrap();
    assert_eq!(versions(&report), versions(&dry));
    assert_eq!(report.freed, dry.freed, "a run frees what its dry run said");
    // Each build has its own server; the image bundle is the same for all,
    // so its one version is the live deployment's too and stays.
    assert_eq!(report.freed.function_versions, 2, "{:?}", report.freed);
    assert!(report.freed.lambda_code_bytes > 0 && report.freed.s3_objects > 0);
    let again = a.prune(P, PruneOptions::default()).await.unwrap();
    assert!(again.pruned.is_empty() && again.finished.is_empty());
    assert_eq!(kept(&again), kept(&report));
}

#[tokio::test]
async fn a_pruned_deployment_keeps_its_record_and_loses_what_it_alone_held() {
    let (_dir, a) = history(3, 0).await;
    let page = a
        .history(P, &anchor_core::model::PageRequest::first(100))
        .await
        .unwrap();
    let v1 = page.items.iter().find(|d| d.version == 1).unwrap().clone();
    let v2 = page.items.iter().find(|d| d.version == 2).unwrap().clone();
    a.set_retention_policy(P, strict()).await.unwrap();
    let report = a.prune(P, PruneOptions::default()).await.unwrap();
    assert_eq!(versions(&report), [1]);

    let pruned = a.deployment(P, v1.id.as_str()).await.unwrap();
    assert_eq!(pruned.status, DeploymentStatus::Pruned);
    let record = pruned.pruned.clone().unwrap();
    assert!(record.finished_at.is_some());
    assert_eq!(record.previous_status, DeploymentStatus::Superseded);
    assert_eq!(record.freed, report.pruned[0].freed);
    assert_eq!(
        pruned.server_version, v1.server_version,
        "the record is kept"
    );

    let project = a.project(P).await.unwrap();
    let infra = &project.infrastructure;
    let functions = &a.backend().functions;
    let server = v1.server_version.clone().unwrap();
    assert!(functions
        .get_version(&server.function, &server.version)
        .await
        .unwrap()
        .is_none());
    assert!(functions
        .get_alias(&infra.server_function, "v1")
        .await
        .unwrap()
        .is_none());
    let kept = v2.server_version.clone().unwrap();
    assert!(functions
        .get_version(&kept.function, &kept.version)
        .await
        .unwrap()
        .is_some());
    let objects = &a.backend().objects;
    let robots = format!("{}/robots.txt", pruned.assets_path);
    assert!(
        objects.head(&robots).await.unwrap().is_none(),
        "{robots} stays"
    );
    let kept_robots = format!("{}/robots.txt", v2.assets_path);
    assert!(objects.head(&kept_robots).await.unwrap().is_some());

    // The router: its preview is gone, its routing entry deleted.
    let binding = infra.router.clone().unwrap();
    let keys = RouterKeys::new(&infra.distribution_id).unwrap();
    let kvs = &a.backend().kvs;
    assert_eq!(
        kvs.get(&binding.store, &keys.preview(1))
            .await
            .unwrap()
            .as_deref(),
        Some("gone")
    );
    assert!(kvs
        .get(&binding.store, &keys.deployment(&v1.id))
        .await
        .unwrap()
        .is_none());
    assert!(kvs
        .get(&binding.store, &keys.secret(&v1.id))
        .await
        .unwrap()
        .is_none());

    // Going back to it is a typed error that names the pruning.
    let err = a
        .rollback(P)
        .to_deployment(v1.id.as_str())
        .execute()
        .await
        .unwrap_err();
    match &err {
        Error::InvalidState { state, reason, .. } => {
            assert_eq!(state, "pruned");
            assert!(reason.contains("pruned at"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    let err = a.preview_address(P, 1).await.unwrap_err();
    assert!(matches!(err, Error::InvalidState { .. }), "{err:?}");
}

#[tokio::test]
async fn a_running_rollout_an_open_skew_window_and_recent_previews_are_kept() {
    let (dir, a) = history_with(3, 1, true).await;
    // v3 live, v2 its rollback target and in its skew window, v1 in v2's
    // window too (the default policy keeps ten), v4 a preview.
    let policy = RetentionPolicy::new(0, Duration::from_secs(3600), false).unwrap();
    a.set_retention_policy(P, policy).await.unwrap();
    let report = a
        .prune(P, PruneOptions::default().dry_run(true))
        .await
        .unwrap();
    assert_eq!(
        kept(&report),
        [
            (4, KeepReason::RecentPreview),
            (3, KeepReason::Live),
            (2, KeepReason::SkewWindow),
            (1, KeepReason::SkewWindow)
        ]
    );
    // A rollout of a new build: its candidate and baseline stay.
    let build = build_copy(dir.path(), "b5");
    make_variant(&build, "b5");
    let plan = RolloutPlan::new(vec![
        RolloutStage::new(10.0, Duration::from_secs(600)),
        RolloutStage::new(100.0, Duration::ZERO),
    ])
    .unwrap();
    a.deployer(P, &build).rollout(plan).execute().await.unwrap();
    a.set_skew_policy(
        P,
        anchor_core::model::SkewPolicy::new(Duration::ZERO, 0).unwrap(),
    )
    .await
    .unwrap();
    let report = a
        .prune(P, PruneOptions::default().dry_run(true))
        .await
        .unwrap();
    let reasons = kept(&report);
    assert!(reasons.contains(&(5, KeepReason::Rollout)), "{reasons:?}");
    assert!(reasons.contains(&(3, KeepReason::Live)), "{reasons:?}");
}

#[tokio::test]
async fn with_after_deploy_every_deploy_prunes() {
    let (dir, a) = history(2, 0).await;
    let policy = RetentionPolicy::new(1, Duration::ZERO, true).unwrap();
    a.set_retention_policy(P, policy).await.unwrap();
    a.set_skew_policy(
        P,
        anchor_core::model::SkewPolicy::new(Duration::ZERO, 0).unwrap(),
    )
    .await
    .unwrap();
    let build = build_copy(dir.path(), "b3");
    make_variant(&build, "b3");
    a.deployer(P, &build).execute().await.unwrap();
    let page = a
        .history(P, &anchor_core::model::PageRequest::first(100))
        .await
        .unwrap();
    let status = |v: u64| page.items.iter().find(|d| d.version == v).unwrap().status;
    assert_eq!(status(1), DeploymentStatus::Pruned);
    assert_eq!(status(2), DeploymentStatus::Superseded);
    assert_eq!(status(3), DeploymentStatus::Live);
}

#[tokio::test]
async fn bad_policies_are_refused_by_name_and_change_nothing() {
    let (_dir, a) = history(1, 0).await;
    for (keep, age, field) in [
        (-1, 60, "retention.keep_promoted"),
        (1, -5, "retention.preview_max_age_seconds"),
    ] {
        let err = RetentionPolicy::from_signed(keep, age, false).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidInput { field: f, .. } if f == field),
            "{err:?}"
        );
    }
    assert!(a.project(P).await.unwrap().retention.is_none());
    let err = a.prune("nope", PruneOptions::default()).await.unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
}

/// Issue 17, acceptance 4: the preview of an unpromoted deployment is
/// served at its own address on the local edge, and answers 410 once
/// pruned. Needs the real builds and `node`.
#[tokio::test]
async fn a_pruned_preview_answers_410_at_its_own_address_on_the_local_edge() {
    use anchor_core::edge::{EdgeOptions, EdgeServer};
    use anchor_core::traits::ProvisionOptions;
    let Some((v1, v2)) = anchor_testing::real_builds::v1_and_v2() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let a = Anchor::local(dir.path()).await.unwrap();
    let provision = ProvisionOptions {
        routes: Anchor::routes_of_build(&v1).await.unwrap(),
        ..ProvisionOptions::default()
    };
    a.create_project_with(P, provision).await.unwrap();
    a.deployer(P, &v1).execute().await.unwrap();
    a.deployer(P, &v2).promote(false).execute().await.unwrap();
    let server = EdgeServer::start(&a, P, EdgeOptions::default())
        .await
        .unwrap();
    let addr = server.local_addr();
    let get = |host: &'static str| crate::edge_support::get(addr, host, "/", &[]);
    let preview = get("v2.localhost").await;
    assert_eq!(
        crate::edge_local::greeting(&preview),
        "Hello from Anchor v2"
    );

    a.set_retention_policy(P, strict()).await.unwrap();
    let report = a.prune(P, PruneOptions::default()).await.unwrap();
    assert_eq!(versions(&report), [2]);
    let gone = get("v2.localhost").await;
    assert_eq!(gone.status, 410, "{}", gone.text());
    let live = get("localhost").await;
    assert_eq!(crate::edge_local::greeting(&live), "Hello from Anchor v1");
    server.shutdown().await;
}

/// Every object of the store with its size, read through its listing.
async fn stored(a: &Anchor) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    let mut page = PageRequest::first(PageRequest::MAX_LIMIT);
    loop {
        let listed = a.backend().objects.list("", &page).await.unwrap();
        out.extend(listed.items.into_iter().map(|o| (o.key, o.size)));
        match listed.next_cursor {
            Some(c) => page.cursor = Some(c),
            None => return out,
        }
    }
}

/// What the server of build `build` writes at run time, as the local
/// edge's S3 endpoint stores it: a regenerated page and a fetch-cache
/// entry under the project's ISR cache. Returns their keys.
async fn write_isr_pages(a: &Anchor, build: &str) -> Vec<String> {
    let prefix = a.project(P).await.unwrap().infrastructure.asset_prefix;
    let keys = vec![
        format!("{prefix}/_cache/{build}/blog/regenerated.cache"),
        format!("{prefix}/_cache/__fetch/{build}/0123abcd"),
    ];
    for key in &keys {
        let body = format!("{{\"page\":\"{key}\"}}").into_bytes();
        a.backend()
            .objects
            .put(key, ObjectBody::Bytes(body), &PutOptions::default())
            .await
            .unwrap();
    }
    keys
}

/// A row `revalidateTag` leaves for build `build`, as the local edge's
/// DynamoDB endpoint writes it.
async fn write_tag_row(a: &Anchor, build: &str) -> (String, String) {
    let table = LocalRevalidation::tag_table(&ProjectName::parse(P).unwrap());
    let item = TagItem {
        tag: format!("{build}/_N_T_/blog"),
        path: format!("{build}/blog/regenerated"),
        revalidated_at: 1_700_000_000_000,
    };
    let tags = a.local_cloud().unwrap().tag_table();
    tags.write(&table, vec![StoredTagItem::from(&item)])
        .await
        .unwrap();
    (item.tag, item.path)
}

/// The (tag, path) rows `build`'s seed file holds.
fn seed_rows(build: &Path) -> Vec<(String, String)> {
    let text =
        std::fs::read_to_string(build.join("dynamodb-provider/dynamodb-cache.json")).unwrap();
    let rows: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    rows.iter()
        .map(|r| {
            let s = |k: &str| r[k]["S"].as_str().unwrap().to_string();
            (s("tag"), s("path"))
        })
        .collect()
}

async fn has_row(a: &Anchor, (tag, path): &(String, String)) -> bool {
    let table = LocalRevalidation::tag_table(&ProjectName::parse(P).unwrap());
    let tags = a.local_cloud().unwrap().tag_table();
    tags.get(&table, tag, path).await.unwrap().is_some()
}

/// Three promoted deployments, of the builds with ids `ids`, skew
/// protection off and a policy keeping one promoted deployment: the first
/// goes, the second stays as the rollback target. Returns the builds.
async fn three_builds(a: &Anchor, dir: &Path, ids: [&str; 3]) -> Vec<std::path::PathBuf> {
    a.create_project(P).await.unwrap();
    no_windows(a).await;
    let mut builds = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let build = build_copy(dir, &format!("b{i}"));
        make_variant(&build, &format!("b{i}"));
        set_build_id(&build, id);
        a.deployer(P, &build).execute().await.unwrap();
        builds.push(build);
    }
    a.set_retention_policy(P, strict()).await.unwrap();
    builds
}

#[tokio::test]
async fn the_isr_cache_and_tag_rows_of_a_build_no_kept_deployment_uses_go_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let a = Anchor::local(dir.path().join("state")).await.unwrap();
    let builds = three_builds(&a, dir.path(), ["build-one", "build-two", "build-three"]).await;
    let gone_pages = write_isr_pages(&a, "build-one").await;
    let kept_pages = write_isr_pages(&a, "build-two").await;
    // A build whose id merely starts with the pruned one's is another build.
    let beside_pages = write_isr_pages(&a, "build-one-b").await;
    let gone_row = write_tag_row(&a, "build-one").await;
    let kept_row = write_tag_row(&a, "build-two").await;
    let beside_row = write_tag_row(&a, "build-one-b").await;
    let seeded_gone = seed_rows(&builds[0]);
    let seeded_kept = seed_rows(&builds[1]);
    assert!(!seeded_gone.is_empty() && seeded_gone[0].0.starts_with("build-one/"));
    for row in seeded_gone.iter().chain(&seeded_kept) {
        assert!(has_row(&a, row).await, "{row:?} was seeded");
    }

    let before = stored(&a).await;
    let dry = a
        .prune(P, PruneOptions::default().dry_run(true))
        .await
        .unwrap();
    assert_eq!(versions(&dry), [1]);
    assert_eq!(stored(&a).await, before, "a dry run deletes nothing");
    assert!(has_row(&a, &gone_row).await, "a dry run deletes no tag row");

    let report = a.prune(P, PruneOptions::default()).await.unwrap();
    assert_eq!(versions(&report), [1]);
    assert_eq!(report.freed, dry.freed, "a run frees what its dry run said");
    let after = stored(&a).await;
    let gone: BTreeMap<&String, &u64> = before
        .iter()
        .filter(|(k, _)| !after.contains_key(*k))
        .collect();
    assert_eq!(gone.len() as u64, report.freed.s3_objects, "{gone:?}");
    assert_eq!(
        gone.values().copied().sum::<u64>(),
        report.freed.s3_bytes,
        "the report counts the bytes of what went"
    );
    for key in &gone_pages {
        assert!(gone.contains_key(key), "{key} stays");
    }
    // The build's prerendered cache from the deploy went too.
    assert!(gone
        .keys()
        .any(|k| k.contains("/_cache/build-one/route-cache/")));
    for key in kept_pages.iter().chain(&beside_pages) {
        assert!(after.contains_key(key), "{key} went");
    }
    assert!(!has_row(&a, &gone_row).await);
    for row in &seeded_gone {
        assert!(!has_row(&a, row).await, "{row:?} stays");
    }
    assert!(has_row(&a, &kept_row).await);
    assert!(has_row(&a, &beside_row).await);
    for row in &seeded_kept {
        assert!(has_row(&a, row).await, "{row:?} went");
    }
    // Nothing is left to prune, and pruning again deletes nothing more.
    let again = a.prune(P, PruneOptions::default()).await.unwrap();
    assert!(again.pruned.is_empty());
    assert_eq!(stored(&a).await, after);
}

#[tokio::test]
async fn a_build_a_kept_deployment_shares_keeps_its_isr_cache_and_tag_rows() {
    let dir = tempfile::tempdir().unwrap();
    let a = Anchor::local(dir.path().join("state")).await.unwrap();
    // v1 and the live v3 are deployments of one build.
    let builds = three_builds(&a, dir.path(), ["shared", "other", "shared"]).await;
    let pages = write_isr_pages(&a, "shared").await;
    let row = write_tag_row(&a, "shared").await;
    let before = stored(&a).await;

    let report = a.prune(P, PruneOptions::default()).await.unwrap();
    assert_eq!(versions(&report), [1]);
    let after = stored(&a).await;
    for key in &pages {
        assert!(after.contains_key(key), "{key} went");
    }
    assert!(has_row(&a, &row).await);
    for seeded in seed_rows(&builds[0]) {
        assert!(has_row(&a, &seeded).await, "{seeded:?} went");
    }
    let gone = before.keys().filter(|k| !after.contains_key(*k)).count();
    assert_eq!(gone as u64, report.freed.s3_objects);
    assert!(
        before
            .keys()
            .filter(|k| k.contains("/_cache/"))
            .all(|k| after.contains_key(k)),
        "the live build's cache stays whole"
    );
}
