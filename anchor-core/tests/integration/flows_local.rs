//! The deploy, promote, rollback and history flows on the embedded default.

use crate::common;

use anchor_core::model::{DeploymentStatus, PageRequest};
use anchor_core::{Error, PlannedAction};
use common::{check_invariants, env, make_variant};

const P: &str = "shop";

#[tokio::test]
async fn deploy_then_redeploy_then_roll_back() {
    let env = env().await;
    let a = &env.plain;
    a.create_project(P).await.unwrap();
    let v1_dir = env.build("v1");
    let v1 = a.deployer(P, &v1_dir).execute().await.unwrap();
    assert_eq!((v1.version, v1.status), (1, DeploymentStatus::Live));
    assert_eq!(
        v1.assets.uploaded_files, v1.assets.files,
        "first deploy uploads everything"
    );
    assert!(v1.server_version.is_some() && v1.image_version.is_some());
    assert!(v1.promoted_at.is_some() && v1.deployed_at.is_some());
    check_invariants(a, P).await;

    let v2_dir = env.build("v2");
    make_variant(&v2_dir, "two");
    let v2 = a.deployer(P, &v2_dir).execute().await.unwrap();
    assert_eq!((v2.version, v2.status), (2, DeploymentStatus::Live));
    // One new chunk and one changed public file are sent; unchanged hashed
    // files are skipped and unchanged unhashed files copied server-side.
    assert_eq!(v2.assets.uploaded_files, 2, "{:?}", v2.assets);
    assert!(
        v2.assets.skipped_files > 0 && v2.assets.copied_files > 0,
        "{:?}",
        v2.assets
    );
    assert_ne!(
        v2.server_version, v1.server_version,
        "changed server code is republished"
    );
    assert_eq!(
        v2.image_version, v1.image_version,
        "unchanged image code is not republished"
    );
    // The router's cache key carries the deployment, so nothing cached for
    // v1 is served for v2: the switch purges nothing (issue 15).
    assert_eq!(
        (&v2.invalidation_id, &v2.invalidation_error),
        (&None, &None),
        "a switch on the router makes no invalidation"
    );
    let cloud = a.local_cloud().unwrap();
    let distribution = &a.project(P).await.unwrap().infrastructure.distribution_id;
    let invalidations = cloud
        .cdn()
        .invalidations_after(distribution, 0)
        .await
        .unwrap();
    assert!(invalidations.is_empty(), "{invalidations:?}");
    check_invariants(a, P).await;

    let outcome = a.rollback(P).reason("bad release").execute().await.unwrap();
    assert_eq!(outcome.to.id, v1.id);
    assert_eq!(outcome.from.as_ref().map(|d| &d.id), Some(&v2.id));
    assert_eq!(outcome.event.reason, "bad release");
    assert_eq!(
        (outcome.event.from_version, outcome.event.to_version),
        (Some(2), 1)
    );
    assert!(
        outcome.elapsed.as_millis() < 1000,
        "rollback took {:?}",
        outcome.elapsed
    );
    assert_eq!(
        a.active_deployment(P).await.unwrap().map(|d| d.id),
        Some(v1.id.clone())
    );
    check_invariants(a, P).await;

    let events = a
        .rollback_history(P, &PageRequest::default())
        .await
        .unwrap();
    assert_eq!(events.items.len(), 1);
    assert_eq!(events.items[0].to, v1.id);
    let history = a.history(P, &PageRequest::first(1)).await.unwrap();
    assert_eq!(history.items[0].id, v2.id, "newest first");
    assert_eq!(history.items[0].status, DeploymentStatus::Superseded);
    let rest = a
        .history(
            P,
            &PageRequest {
                limit: 10,
                cursor: history.next_cursor.clone(),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        rest.items.iter().map(|d| d.version).collect::<Vec<_>>(),
        vec![1]
    );
    assert!(rest.next_cursor.is_none());
}

#[tokio::test]
async fn preview_changes_nothing_live_until_promoted() {
    let env = env().await;
    let a = &env.plain;
    a.create_project(P).await.unwrap();
    let v1 = a.deployer(P, env.build("v1")).execute().await.unwrap();
    let dir = env.build("preview");
    make_variant(&dir, "preview");
    let preview = a.deployer(P, &dir).promote(false).execute().await.unwrap();
    assert_eq!(preview.status, DeploymentStatus::Ready);
    assert_eq!(a.active_deployment(P).await.unwrap().unwrap().id, v1.id);
    check_invariants(a, P).await;

    let promoted = a.promote(P, preview.id.as_str()).await.unwrap();
    assert_eq!(promoted.status, DeploymentStatus::Live);
    assert_eq!(
        a.active_deployment(P).await.unwrap().unwrap().id,
        preview.id
    );
    let again = a.promote(P, preview.id.as_str()).await.unwrap_err();
    assert!(matches!(again, Error::InvalidState { .. }), "{again:?}");
    check_invariants(a, P).await;
}

#[tokio::test]
async fn plan_is_a_dry_run_and_matches_the_deploy() {
    let env = env().await;
    let a = &env.plain;
    a.create_project(P).await.unwrap();
    let dir = env.build("v1");
    let plan = a.deployer(P, &dir).plan().await.unwrap();
    assert!(plan
        .assets
        .iter()
        .all(|x| x.action == PlannedAction::Upload));
    assert!(
        a.history(P, &PageRequest::default())
            .await
            .unwrap()
            .items
            .is_empty(),
        "a plan records nothing"
    );
    let root = a.local_cloud().unwrap().root().join("objects");
    let files = walkdir::WalkDir::new(&root)
        .into_iter()
        .filter(|e| e.as_ref().unwrap().file_type().is_file())
        .count();
    assert_eq!(files, 0, "a plan uploads nothing");
    let d = a.deployer(P, &dir).execute().await.unwrap();
    assert_eq!(d.assets.uploaded_files, plan.upload_files);
    // Deploying the same build again uploads nothing; behind the router the
    // server gets a version of its own (its own origin secret), running
    // the same code, and the image version is reused.
    let plan2 = a.deployer(P, &dir).plan().await.unwrap();
    assert_eq!(plan2.upload_files, 0);
    assert!(plan2.server_unchanged && plan2.image_unchanged);
    let hashed_first = plan2.assets.iter().position(|x| x.is_html);
    if let Some(i) = hashed_first {
        assert!(
            plan2.assets[i..].iter().all(|x| x.is_html),
            "HTML goes last"
        );
    }
    let d2 = a.deployer(P, &dir).execute().await.unwrap();
    let (one, two) = (
        d.server_version.as_ref().unwrap(),
        d2.server_version.as_ref().unwrap(),
    );
    assert_eq!(two.code_sha256, one.code_sha256);
    let guarded = a.project(P).await.unwrap().infrastructure.guards_server();
    assert_eq!(two.version != one.version, guarded);
    assert_eq!(d2.image_version, d.image_version);
    assert_eq!(d2.assets.uploaded_files, 0);
}

#[tokio::test]
async fn hashed_assets_get_immutable_caching_and_others_revalidate() {
    let env = env().await;
    let a = &env.plain;
    a.create_project(P).await.unwrap();
    let d = a.deployer(P, env.build("v1")).execute().await.unwrap();
    let plan = a.deployer(P, env.build("v1")).plan().await.unwrap();
    assert!(
        plan.assets.iter().any(|x| x.path.starts_with("_cache/")),
        "the ISR cache is uploaded"
    );
    assert!(plan.assets.iter().any(|x| x.is_hashed) && plan.assets.iter().any(|x| !x.shared));
    let objects = &a.backend().objects;
    for asset in &plan.assets {
        let key = if asset.shared {
            asset.key.clone()
        } else {
            format!("{}/{}", d.assets_path, asset.path)
        };
        let meta = objects
            .head(&key)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{key} stored"));
        let cc = meta.cache_control.unwrap();
        if asset.path.starts_with("_cache/") {
            assert!(
                key.ends_with(&asset.path),
                "the ISR cache keeps OpenNext's layout: {key}"
            );
        } else if asset.is_hashed {
            assert_eq!(cc, "public,max-age=31536000,immutable", "{key}");
        } else {
            assert!(cc.contains("must-revalidate"), "{key}: {cc}");
        }
        assert!(meta.content_type.is_some(), "{key} has a content type");
        assert_eq!(meta.sha256.as_deref(), Some(asset.sha256.as_str()));
    }
}

/// The refusal of a rollback with no deployment to go back to: a state
/// problem of the project (`InvalidState`), saying so in one shape.
fn assert_nothing_to_roll_back_to(err: &Error, at: &str) {
    match err {
        Error::InvalidState {
            kind, id, reason, ..
        } => {
            assert_eq!(*kind, anchor_core::ResourceKind::Project, "{at}: {err}");
            assert_eq!(id, P, "{at}: {err}");
            assert!(
                reason.ends_with("so there is nothing to roll back to"),
                "{at}: {err}"
            );
        }
        other => panic!("{at}: expected InvalidState, got {other:?}"),
    }
}

#[tokio::test]
async fn rollback_targets_are_checked() {
    let env = env().await;
    let a = &env.plain;
    a.create_project(P).await.unwrap();
    // Nothing to roll back to, whether nothing is live or only one
    // deployment ever went live: one code, one message shape (issue 16).
    let err = a.rollback(P).execute().await.unwrap_err();
    assert_nothing_to_roll_back_to(&err, "nothing live");
    let v1 = a.deployer(P, env.build("v1")).execute().await.unwrap();
    let err = a.rollback(P).execute().await.unwrap_err();
    assert_nothing_to_roll_back_to(&err, "one deployment");
    let err = a
        .rollback(P)
        .to_deployment(v1.id.as_str())
        .execute()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidState { .. }),
        "already live: {err:?}"
    );
    let err = a.rollback(P).to_version(42).execute().await.unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    let err = a
        .rollback(P)
        .to_deployment("nope")
        .execute()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidInput { ref field, .. } if field == "deployment"),
        "{err:?}"
    );

    // A failed deployment cannot be rolled back to.
    let broken = env.build("broken");
    make_variant(&broken, "broken");
    env.plan
        .arm_operation("functions.publish", 0, anchor_core::fault::Fault::Fail);
    let _ = env.anchor.deployer(P, &broken).execute().await;
    env.plan.reset();
    let failed = a
        .history(P, &PageRequest::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|d| d.status == DeploymentStatus::Failed)
        .expect("a failed deployment is recorded with its cause");
    assert!(failed
        .error
        .as_deref()
        .unwrap_or_default()
        .contains("injected"));
    let err = a
        .rollback(P)
        .to_version(failed.version)
        .execute()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidState { ref state, .. } if state == "failed"),
        "{err:?}"
    );
    check_invariants(a, P).await;
}

#[tokio::test]
async fn concurrent_switches_have_one_winner_each_and_lose_nothing() {
    let env = env().await;
    let a = &env.plain;
    a.create_project(P).await.unwrap();
    let mut ids = Vec::new();
    for i in 0..4 {
        let dir = env.build(&format!("b{i}"));
        make_variant(&dir, &format!("b{i}"));
        ids.push(a.deployer(P, &dir).execute().await.unwrap().id);
    }
    let tasks: Vec<_> = (0..12)
        .map(|i| {
            let a = a.clone();
            let target = ids[i % 3].clone();
            tokio::spawn(async move {
                a.rollback(P)
                    .to_deployment(target.as_str())
                    .reason(format!("r{i}"))
                    .execute()
                    .await
            })
        })
        .collect();
    let mut won = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => won += 1,
            Err(Error::Conflict { .. }) | Err(Error::InvalidState { .. }) => {}
            Err(other) => panic!("a loser must get a typed conflict, got {other:?}"),
        }
    }
    assert!(won >= 1);
    let events = a
        .rollback_history(P, &PageRequest::first(100))
        .await
        .unwrap();
    assert_eq!(
        events.items.len(),
        won,
        "every winning rollback is in the history"
    );
    check_invariants(a, P).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_deploys_get_unique_versions_and_lose_only_with_a_conflict() {
    let env = env().await;
    let a = &env.plain;
    a.create_project(P).await.unwrap();
    let dirs: Vec<_> = (0..6)
        .map(|i| {
            let dir = env.build(&format!("c{i}"));
            make_variant(&dir, &format!("c{i}"));
            dir
        })
        .collect();
    let tasks: Vec<_> = dirs
        .into_iter()
        .map(|dir| {
            let a = a.clone();
            tokio::spawn(async move { a.deployer(P, dir).execute().await })
        })
        .collect();
    let mut live = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(d) => {
                assert_eq!(d.status, DeploymentStatus::Live);
                live += 1;
            }
            Err(Error::Conflict { .. }) => {}
            Err(other) => panic!("a loser must get a typed conflict, got {other:?}"),
        }
    }
    assert!(live >= 1);
    let history = a.history(P, &PageRequest::first(100)).await.unwrap().items;
    let mut versions: Vec<u64> = history.iter().map(|d| d.version).collect();
    versions.sort_unstable();
    assert_eq!(
        versions,
        (1..=6).collect::<Vec<_>>(),
        "every deployment recorded, versions unique and gap-free"
    );
    // Losers are built and recorded as ready, so they can be promoted later.
    assert!(history.iter().all(|d| matches!(
        d.status,
        DeploymentStatus::Live | DeploymentStatus::Superseded | DeploymentStatus::Ready
    )));
    check_invariants(a, P).await;
}

#[tokio::test]
async fn progress_covers_every_phase_and_ends_complete() {
    use anchor_core::progress::{Phase, ProgressEvent};
    use std::sync::{Arc, Mutex};
    let env = env().await;
    let a = &env.plain;
    a.create_project(P).await.unwrap();
    let events: Arc<Mutex<Vec<ProgressEvent>>> = Arc::default();
    let sink = events.clone();
    a.deployer(P, env.build("v1"))
        .on_progress(move |e| sink.lock().unwrap().push(e.clone()))
        .execute()
        .await
        .unwrap();
    let events = events.lock().unwrap().clone();
    let mut phases: Vec<Phase> = events.iter().map(|e| e.phase).collect();
    phases.dedup();
    assert_eq!(
        phases,
        vec![
            Phase::Scanning,
            Phase::Packaging,
            Phase::Uploading,
            Phase::Publishing,
            Phase::Promoting,
            Phase::Invalidating,
            Phase::Done
        ]
    );
    let uploads: Vec<_> = events
        .iter()
        .filter(|e| e.phase == Phase::Uploading)
        .collect();
    let last = uploads.last().unwrap();
    assert!(last.total > 0 && last.done == last.total && last.bytes_done == last.bytes_total);
    assert!(
        uploads.windows(2).all(|w| w[0].done <= w[1].done),
        "progress never goes back"
    );
}

/// A process's cached records go stale when another process switches: the
/// next rollback's conditional commit notices, and it starts over from
/// fresh reads instead of acting on the old view.
#[tokio::test]
async fn a_rollback_on_stale_cached_records_starts_over_from_fresh_reads() {
    let env = env().await;
    // Two Anchors on one backend, each with its own caches, as two processes.
    let a = &env.plain;
    let b = anchor_core::Anchor::builder(a.backend().clone()).build();
    a.create_project(P).await.unwrap();
    let v1 = a.deployer(P, env.build("v1")).execute().await.unwrap();
    let v2_dir = env.build("v2");
    make_variant(&v2_dir, "two");
    let v2 = a.deployer(P, &v2_dir).execute().await.unwrap();

    // b rolls back; a's cache still says v2 is live at the old revision.
    let back = b.rollback(P).execute().await.unwrap();
    assert_eq!(back.to.id, v1.id);

    // a rolls forward to v2 on its stale view: it must notice and succeed.
    let forward = a
        .rollback(P)
        .to_deployment(v2.id.as_str())
        .execute()
        .await
        .unwrap();
    assert_eq!(forward.from.as_ref().map(|d| &d.id), Some(&v1.id));
    assert_eq!(forward.to.id, v2.id);
    check_invariants(a, P).await;
    let events = a
        .rollback_history(P, &PageRequest::first(10))
        .await
        .unwrap()
        .items;
    assert_eq!(events.len(), 2, "both rollbacks are in the history");

    // And a rollback a's cache cannot answer by itself still works.
    let again = a.rollback(P).execute().await.unwrap();
    assert_eq!(again.to.id, v1.id);
    check_invariants(a, P).await;
}

/// "Previous" is what was live when the live deployment was first promoted,
/// so a release that was itself rolled back is never picked again.
#[tokio::test]
async fn rolling_back_to_previous_skips_a_release_that_was_rolled_back() {
    let env = env().await;
    let a = &env.plain;
    a.create_project(P).await.unwrap();
    let v1 = a.deployer(P, env.build("v1")).execute().await.unwrap();
    let v2_dir = env.build("v2");
    make_variant(&v2_dir, "two");
    let v2 = a.deployer(P, &v2_dir).execute().await.unwrap();
    assert_eq!(v2.replaced.as_ref(), Some(&v1.id));
    // v2 is bad: back to v1, then v3 ships.
    assert_eq!(a.rollback(P).execute().await.unwrap().to.id, v1.id);
    let v3_dir = env.build("v3");
    make_variant(&v3_dir, "three");
    let v3 = a.deployer(P, &v3_dir).execute().await.unwrap();
    assert_eq!(v3.replaced.as_ref(), Some(&v1.id));
    // v3 is bad too: back to v1, not to v2 (newer, but rolled back).
    let back = a.rollback(P).execute().await.unwrap();
    assert_eq!(back.to.id, v1.id);
    // A fresh process, with no cached records, picks the same.
    let fresh = anchor_core::Anchor::builder(a.backend().clone()).build();
    fresh
        .rollback(P)
        .to_deployment(v3.id.as_str())
        .execute()
        .await
        .unwrap();
    assert_eq!(fresh.rollback(P).execute().await.unwrap().to.id, v1.id);
    check_invariants(a, P).await;
}

/// Issue 15: after v2 was rolled back to v1 (the project's first
/// deployment), a second rollback has nothing to go back to. It must not
/// roll forward to the release it just rolled back.
#[tokio::test]
async fn a_second_rollback_does_not_bring_the_bad_release_back() {
    let env = env().await;
    let a = &env.plain;
    a.create_project(P).await.unwrap();
    let v1 = a.deployer(P, env.build("v1")).execute().await.unwrap();
    let v2_dir = env.build("v2");
    make_variant(&v2_dir, "two");
    let v2 = a.deployer(P, &v2_dir).execute().await.unwrap();
    assert_eq!(a.rollback(P).execute().await.unwrap().to.id, v1.id);

    let second = a.rollback(P).execute().await;
    match second {
        Err(err) => assert_nothing_to_roll_back_to(&err, "second rollback"),
        Ok(o) => panic!(
            "nothing to roll back to, got {:?}",
            (o.from.map(|d| d.version), o.to.version)
        ),
    }
    let live = a.active_deployment(P).await.unwrap().unwrap();
    assert_eq!(
        live.replaced, None,
        "v1 replaced nothing when it first went live"
    );
    // A fresh process, reading the records, refuses the same way.
    let fresh = anchor_core::Anchor::builder(a.backend().clone()).build();
    let err = fresh.rollback(P).execute().await.unwrap_err();
    assert_nothing_to_roll_back_to(&err, "fresh process");
    assert_eq!(
        a.active_deployment(P).await.unwrap().map(|d| d.id),
        Some(v1.id.clone())
    );
    let v2_now = a.deployment(P, v2.id.as_str()).await.unwrap();
    assert_eq!(v2_now.status, DeploymentStatus::Superseded);
    let events = a
        .rollback_history(P, &PageRequest::default())
        .await
        .unwrap();
    assert_eq!(
        events.items.len(),
        1,
        "the refused rollback records nothing"
    );
    check_invariants(a, P).await;
}

/// Issue 16: a rollback event's sequence counts the project's rollbacks
/// (1 for the first), whatever else changed the project record between.
#[tokio::test]
async fn rollback_sequences_count_the_projects_rollbacks() {
    let env = env().await;
    let a = &env.plain;
    a.create_project(P).await.unwrap();
    let v1 = a.deployer(P, env.build("v1")).execute().await.unwrap();
    let v2_dir = env.build("v2");
    make_variant(&v2_dir, "two");
    let v2 = a.deployer(P, &v2_dir).execute().await.unwrap();
    let first = a.rollback(P).execute().await.unwrap();
    assert_eq!(first.event.sequence, 1);
    // A fresh process, reading the records, numbers the next one.
    let fresh = anchor_core::Anchor::builder(a.backend().clone()).build();
    let second = fresh
        .rollback(P)
        .to_deployment(v2.id.as_str())
        .execute()
        .await
        .unwrap();
    assert_eq!(second.event.sequence, 2);
    let v3_dir = env.build("v3");
    make_variant(&v3_dir, "three");
    a.deployer(P, &v3_dir).execute().await.unwrap();
    let third = a
        .rollback(P)
        .to_deployment(v1.id.as_str())
        .execute()
        .await
        .unwrap();
    assert_eq!(third.event.sequence, 3, "deploys in between do not count");
    let history = a
        .rollback_history(P, &PageRequest::first(10))
        .await
        .unwrap();
    let sequences: Vec<u64> = history.items.iter().map(|e| e.sequence).collect();
    assert_eq!(sequences, [3, 2, 1]);
}

/// A project whose record predates the rollback count, with events that
/// carry revisions as sequences (as Anchor numbered them before issue 16):
/// the old events still read, and the next rollback is numbered after the
/// newest of them, never reusing one.
#[tokio::test]
async fn rollbacks_of_a_project_recorded_before_the_count_continue_its_history() {
    use anchor_core::traits::{Expect, WriteBatch};
    let env = env().await;
    let a = &env.plain;
    a.create_project(P).await.unwrap();
    let v1 = a.deployer(P, env.build("v1")).execute().await.unwrap();
    let v2_dir = env.build("v2");
    make_variant(&v2_dir, "two");
    let v2 = a.deployer(P, &v2_dir).execute().await.unwrap();
    let first = a.rollback(P).execute().await.unwrap();
    // Rewrite the history as the old numbering had it: the event at the
    // project's revision, and the record without a count.
    let p = a.project(P).await.unwrap();
    let legacy_sequence = p.revision;
    let old = anchor_core::model::Project {
        last_rollback_sequence: None,
        rollout: None,
        skew_policy: None,
        open_skew_windows: Vec::new(),
        revision: p.revision + 1,
        ..p.clone()
    };
    let batch = WriteBatch {
        project: Some((old, Expect::Revision(p.revision))),
        retracted_rollback_event: Some((p.name.clone(), first.event.sequence)),
        rollback_event: Some(anchor_core::model::RollbackEvent {
            sequence: legacy_sequence,
            ..first.event.clone()
        }),
        ..WriteBatch::default()
    };
    a.backend().store.commit(batch).await.unwrap();
    let fresh = anchor_core::Anchor::builder(a.backend().clone()).build();
    let next = fresh
        .rollback(P)
        .to_deployment(v2.id.as_str())
        .execute()
        .await
        .unwrap();
    assert_eq!(next.event.sequence, legacy_sequence + 1);
    let after = fresh
        .rollback(P)
        .to_deployment(v1.id.as_str())
        .execute()
        .await
        .unwrap();
    assert_eq!(after.event.sequence, legacy_sequence + 2);
    let history = a
        .rollback_history(P, &PageRequest::first(10))
        .await
        .unwrap();
    let sequences: Vec<u64> = history.items.iter().map(|e| e.sequence).collect();
    assert_eq!(
        sequences,
        [legacy_sequence + 2, legacy_sequence + 1, legacy_sequence]
    );
}

/// Issue 16: `recover` on a healthy project, after deploys and a rollback
/// that all completed, moves nothing and says so (it reported a roll
/// forward for the marker every switch leaves).
#[tokio::test]
async fn recover_on_a_healthy_project_reports_no_roll_forward() {
    let env = env().await;
    let a = &env.plain;
    a.create_project(P).await.unwrap();
    a.deployer(P, env.build("v1")).execute().await.unwrap();
    let v2_dir = env.build("v2");
    make_variant(&v2_dir, "two");
    a.deployer(P, &v2_dir).execute().await.unwrap();
    a.rollback(P).execute().await.unwrap();
    let report = a.recover(P).await.unwrap();
    assert!(!report.rolled_forward, "{report:?}");
    check_invariants(a, P).await;
}

/// Writes a switch marker onto the project record, with the active pointer
/// and the live statuses moved to `to`, as a switch whose deciding write
/// committed leaves them, an hour old. What serves the project is left as
/// it is.
async fn leave_a_switch_marker(a: &anchor_core::Anchor, to: &str) {
    use anchor_core::model::{Deployment, LastSwitch, SwitchKind};
    use anchor_core::traits::{Expect, WriteBatch};
    let p = a.project(P).await.unwrap();
    let to = a.deployment(P, to).await.unwrap();
    let from = match &p.active_deployment {
        Some(id) => Some(a.deployment(P, id.as_str()).await.unwrap()),
        None => None,
    };
    let mut deployments = Vec::new();
    if let Some(from) = from.as_ref().filter(|f| f.id != to.id) {
        deployments.push((
            Deployment {
                status: DeploymentStatus::Superseded,
                revision: from.revision + 1,
                ..from.clone()
            },
            Expect::Revision(from.revision),
        ));
        deployments.push((
            Deployment {
                status: DeploymentStatus::Live,
                revision: to.revision + 1,
                ..to.clone()
            },
            Expect::Revision(to.revision),
        ));
    }
    let marked = anchor_core::model::Project {
        active_deployment: Some(to.id.clone()),
        last_switch: Some(LastSwitch {
            from: from.map(|d| d.id),
            to: to.id.clone(),
            kind: SwitchKind::Promote,
            started_at: chrono::Utc::now() - chrono::Duration::hours(1),
            ended_windows: Vec::new(),
        }),
        revision: p.revision + 1,
        ..p.clone()
    };
    let batch = WriteBatch {
        project: Some((marked, Expect::Revision(p.revision))),
        deployments,
        ..WriteBatch::default()
    };
    a.backend().store.commit(batch).await.unwrap();
}

/// Issue 16: `rolled_forward` says whether `recover` moved what serves the
/// project. The marker a finished switch leaves is cleared without
/// claiming a roll forward; a switch whose deciding write committed but whose move
/// never happened is rolled forward, and says so.
#[tokio::test]
async fn recover_reports_a_roll_forward_only_when_it_moved_what_serves() {
    let env = env().await;
    let a = &env.plain;
    a.create_project(P).await.unwrap();
    let v1 = a.deployer(P, env.build("v1")).execute().await.unwrap();
    let v2_dir = env.build("v2");
    make_variant(&v2_dir, "two");
    let v2 = a.deployer(P, &v2_dir).execute().await.unwrap();

    leave_a_switch_marker(a, v2.id.as_str()).await;
    let report = a.recover(P).await.unwrap();
    assert_eq!(report.resolved_switch_to, Some(v2.id.clone()));
    assert!(!report.rolled_forward, "v2 was already served: {report:?}");
    assert_eq!(a.project(P).await.unwrap().last_switch, None);
    check_invariants(a, P).await;

    leave_a_switch_marker(a, v1.id.as_str()).await;
    let report = a.recover(P).await.unwrap();
    assert_eq!(report.resolved_switch_to, Some(v1.id.clone()));
    assert!(report.rolled_forward, "v1 was not served yet: {report:?}");
    assert_eq!(a.project(P).await.unwrap().last_switch, None);
    check_invariants(a, P).await;

    let again = a.recover(P).await.unwrap();
    assert_eq!(again, anchor_core::RecoveryReport::default());
}

/// Issue 16: an asset manifest changed behind Anchor's back (it no longer
/// parses) is `InvalidState` on its deployment, naming the manifest; it was
/// reported as a failure of a "core" service. The next deploy reads the
/// live deployment's manifest to upload only what changed, so it stops
/// there, before anything is published.
#[tokio::test]
async fn an_unreadable_manifest_is_invalid_state_on_its_deployment() {
    use anchor_core::traits::{ObjectBody, PutOptions};
    let env = env().await;
    let a = &env.plain;
    let project = a.create_project(P).await.unwrap();
    let v1 = a.deployer(P, env.build("v1")).execute().await.unwrap();
    let key = format!(
        "{}/manifests/{}.json",
        project.infrastructure.asset_prefix, v1.id
    );
    a.backend()
        .objects
        .put(
            &key,
            ObjectBody::Bytes(b"not json".to_vec()),
            &PutOptions::default(),
        )
        .await
        .unwrap();
    // A fresh process, so the manifest is read from the store.
    let fresh = anchor_core::Anchor::builder(a.backend().clone()).build();
    let v2_dir = env.build("v2");
    make_variant(&v2_dir, "two");
    let err = fresh.deployer(P, &v2_dir).execute().await.unwrap_err();
    assert_eq!(err.code(), "ANCHOR_INVALID_STATE", "{err:?}");
    assert!(err.to_string().contains(&key), "{err}");
    assert!(err.to_string().contains(v1.id.as_str()), "{err}");
}
