//! The checks after the burst: records, versions and domains. The live
//! state itself is checked by `common::check_invariants`.

use std::collections::{BTreeMap, BTreeSet};

use anchor_core::model::{Deployment, DeploymentId, DeploymentStatus, PageRequest, RollbackEvent};
use anchor_core::{Anchor, Error};

use super::ops::{Kind, Op, Outcome};

type Results = [(Op, Result<Outcome, Error>)];

/// Every deployment of `project`, walking all pages.
pub async fn all_deployments(a: &Anchor, project: &str) -> Vec<Deployment> {
    let mut all = Vec::new();
    let mut page = PageRequest::first(100);
    loop {
        let listed = a.history(project, &page).await.unwrap();
        all.extend(listed.items);
        match listed.next_cursor {
            Some(c) => page.cursor = Some(c),
            None => return all,
        }
    }
}

/// Every rollback event of `project`, walking all pages.
pub async fn all_rollbacks(a: &Anchor, project: &str) -> Vec<RollbackEvent> {
    let mut all = Vec::new();
    let mut page = PageRequest::first(100);
    loop {
        let listed = a.rollback_history(project, &page).await.unwrap();
        all.extend(listed.items);
        match listed.next_cursor {
            Some(c) => page.cursor = Some(c),
            None => return all,
        }
    }
}

/// No history record is lost, and losers leave none behind:
/// - every deployment recorded before is still there;
/// - every deploy or preview that returned `Ok` is in the history under the
///   version it returned, and each deploy or preview task recorded exactly
///   one deployment (a loser's record is `Ready` if only its promotion
///   lost, `Failed` if its publish lost);
/// - the new rollback events are exactly those of the rollbacks that
///   returned `Ok` (same sequences, same targets): a loser records none.
///
/// Returns how many records a success returned that the history lacks;
/// the other checks fail outright.
pub async fn records(
    a: &Anchor,
    project: &str,
    before: &[Deployment],
    rollbacks_before: &[RollbackEvent],
    results: &Results,
) -> usize {
    let after: BTreeMap<_, _> = all_deployments(a, project)
        .await
        .into_iter()
        .map(|d| (d.id.clone(), d))
        .collect();
    let mut lost = 0;
    for d in before {
        match after.get(&d.id) {
            Some(now) => assert_eq!(now.version, d.version, "{} changed version", d.id),
            None => lost += 1,
        }
    }
    let deploy_tasks = results
        .iter()
        .filter(|(op, _)| matches!(op.kind(), Kind::Deploy | Kind::Preview))
        .count();
    let new: Vec<&Deployment> = after
        .values()
        .filter(|d| !before.iter().any(|b| b.id == d.id))
        .collect();
    let mut succeeded = BTreeSet::new();
    for (op, result) in results {
        if let Ok(Outcome::Deployed(d)) = result {
            let expected = match op.kind() {
                Kind::Preview => DeploymentStatus::Ready,
                _ => DeploymentStatus::Live,
            };
            assert_eq!(d.status, expected, "{op:?} returned {d:?}");
            succeeded.insert(d.id.clone());
            match after.get(&d.id) {
                Some(now) => assert_eq!(now.version, d.version),
                None => lost += 1,
            }
        }
    }
    // A losing deploy's record is Ready (its promotion lost) or Failed (its
    // publish lost), unless a switch that succeeded made it live since
    // (a rollback by version can reach it once it is built).
    let switched_to = switch_targets(results);
    for d in &new {
        if !succeeded.contains(&d.id) && !switched_to.contains(&d.id) {
            assert!(
                matches!(d.status, DeploymentStatus::Ready | DeploymentStatus::Failed),
                "a losing deploy left {} {}",
                d.id,
                d.status
            );
        }
    }
    for (op, result) in results {
        if let (Kind::Deploy, Err(Error::InvalidState { id, .. })) = (op.kind(), result) {
            assert!(
                switched_to.iter().any(|t| t.as_str() == id),
                "{op:?} lost with InvalidState, but no switch made {id} live"
            );
        }
    }
    assert_eq!(
        new.len(),
        deploy_tasks,
        "each deploy or preview records exactly one deployment"
    );

    let events_after = all_rollbacks(a, project).await;
    for e in rollbacks_before {
        if !events_after.iter().any(|x| x.sequence == e.sequence) {
            lost += 1;
        }
    }
    let new_events: BTreeMap<u64, &RollbackEvent> = events_after
        .iter()
        .filter(|e| !rollbacks_before.iter().any(|b| b.sequence == e.sequence))
        .map(|e| (e.sequence, e))
        .collect();
    let mut won = 0;
    for (op, result) in results {
        if let Ok(Outcome::RolledBack(r)) = result {
            won += 1;
            match new_events.get(&r.event.sequence) {
                Some(e) => {
                    assert_eq!(e.to, r.to.id, "{op:?}");
                    assert_eq!(e.to_version, r.to.version, "{op:?}");
                }
                None => lost += 1,
            }
        }
    }
    assert_eq!(
        new_events.len(),
        won,
        "the history holds exactly the rollbacks that succeeded"
    );
    lost
}

/// Versions come from the store's per-project counter, which never hands
/// out a number twice. A deploy allocates its number after reading and
/// packaging the build and records the deployment (status `Queued`) at
/// once, before any upload; a deploy that fails later keeps its record,
/// marked `Failed` (or `Ready` if only its promotion lost). So with no
/// fault injected, the rule is: the recorded versions are exactly
/// 1..=N for N records, each once. The successful deployments are the
/// records not `Failed`; a failed deploy's number is visible in the
/// history as its `Failed` record, never a silent gap. The versions the
/// successful deploys returned are distinct and are these records'.
pub async fn versions(a: &Anchor, project: &str, before: &[Deployment], results: &Results) {
    let all = all_deployments(a, project).await;
    let mut versions: Vec<u64> = all.iter().map(|d| d.version).collect();
    versions.sort_unstable();
    let expected: Vec<u64> = (1..=all.len() as u64).collect();
    assert_eq!(versions, expected, "versions unique and gap-free");
    let highest_before = before.iter().map(|d| d.version).max().unwrap_or(0);
    let mut returned = BTreeSet::new();
    for (op, result) in results {
        if let Ok(Outcome::Deployed(d)) = result {
            assert!(d.version > highest_before, "{op:?} reused {}", d.version);
            assert!(returned.insert(d.version), "version {} twice", d.version);
        }
    }
    let live_after: Vec<_> = all
        .iter()
        .filter(|d| d.status == DeploymentStatus::Live)
        .collect();
    let switched_to = switch_targets(results);
    if !switched_to.is_empty() {
        assert!(
            live_after.iter().all(|d| switched_to.contains(&d.id)),
            "what is live was made live by a switch that succeeded"
        );
    }
}

/// The deployments that switches which succeeded made live.
fn switch_targets(results: &Results) -> BTreeSet<DeploymentId> {
    results
        .iter()
        .filter_map(|(_, r)| match r {
            Ok(Outcome::Deployed(d)) | Ok(Outcome::Promoted(d)) => {
                (d.status == DeploymentStatus::Live).then(|| d.id.clone())
            }
            Ok(Outcome::RolledBack(r)) => Some(r.to.id.clone()),
            _ => None,
        })
        .collect()
}
