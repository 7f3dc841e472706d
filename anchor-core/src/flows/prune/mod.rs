//! Pruning: deleting what old deployments alone hold, under the project's
//! retention policy, while keeping their records (`docs/pruning.md`).
//!
//! Each deployment is pruned in three steps: one conditional commit marks
//! it `pruned` with a [`PruneRecord`] (so it can never go live again, and
//! the project's revision moves, so a concurrent switch or rollout start
//! loses or wins cleanly), then its resources are deleted ([`retire`]),
//! then a second commit records `finished_at`. A crash between the commits
//! leaves a pruned deployment without `finished_at`, which the next
//! `prune` or `recover()` finishes; every deletion treats "already gone"
//! as done.

mod cache;
mod plan;
pub(crate) mod policy;
mod report;
mod retire;

use std::collections::HashMap;

pub use report::{KeepReason, KeptDeployment, PruneOptions, PruneReport, PrunedDeployment};

use self::plan::{classify, Exclusive, Holders, Verdict, VersionKey, World};
use self::retire::retire;
use super::records::save_deployment;
use super::{lost_race, FlowContext};
use crate::error::Result;
use crate::model::{
    Deployment, DeploymentId, DeploymentStatus, Freed, Project, ProjectName, PruneRecord,
};
use crate::traits::{Expect, WriteBatch};

/// One deployment `prune` will take or finish, with what it alone holds.
struct Planned {
    deployment: Deployment,
    reason: String,
    exclusive: Exclusive,
    freed: Freed,
}

/// Prunes `name` under its retention policy (or, with `dry_run`, reports
/// what it would). Finishes any pruning an earlier run left halfway first.
pub(crate) async fn prune(
    svc: &FlowContext,
    name: &ProjectName,
    options: PruneOptions,
) -> Result<PruneReport> {
    let project = svc.project(name).await?;
    super::location::ensure_same_store(svc, &project)?;
    if !options.dry_run {
        super::switch::ensure_settled(svc, &project).await?;
    }
    let project = svc.project(name).await?;
    let world = World::load(svc, &project).await?;
    let policy = project.retention.unwrap_or_default();
    let now = svc.clock.now();
    let verdicts = classify(&project, &world, &policy, now);

    let mut report = PruneReport {
        dry_run: options.dry_run,
        ..PruneReport::default()
    };
    let mut unfinished = Vec::new();
    let mut candidates = Vec::new();
    for (d, verdict) in world.deployments.iter().zip(verdicts) {
        match verdict {
            Verdict::Keep(reason) => report.kept.push(KeptDeployment {
                deployment: d.id.clone(),
                version: d.version,
                reason,
            }),
            Verdict::Prune(reason) => candidates.push((d, reason)),
            Verdict::Unfinished => unfinished.push(d),
            Verdict::Done => {}
        }
    }
    // Oldest first, so a version or asset shared along the history goes
    // with the newest deployment pruned that held it.
    candidates.reverse();
    unfinished.reverse();
    let unfinished_ids: Vec<&DeploymentId> = unfinished.iter().map(|d| &d.id).collect();
    let mut holders = Holders::count(
        svc,
        &project.infrastructure,
        &world.deployments,
        &unfinished_ids,
        world.live_alias_versions.clone(),
    )
    .await?;
    let mut code_sizes = HashMap::new();
    let mut finishing = Vec::new();
    for d in unfinished {
        let exclusive = holders.release(svc, &project.infrastructure, d).await?;
        finishing.push((d.clone(), exclusive));
    }
    let mut planned = Vec::new();
    for (d, reason) in candidates {
        let mut exclusive = holders.release(svc, &project.infrastructure, d).await?;
        cache::count(svc, &project.infrastructure, &mut exclusive).await?;
        sizes(svc, &exclusive.versions, &mut code_sizes).await?;
        let freed = exclusive.freed(&code_sizes);
        planned.push(Planned {
            deployment: d.clone(),
            reason,
            exclusive,
            freed,
        });
    }

    if options.dry_run {
        report.finished = finishing.iter().map(|(d, _)| d.id.clone()).collect();
        for p in &planned {
            report.freed = report.freed.plus(p.freed);
            report.pruned.push(pruned_entry(p));
        }
        return Ok(report);
    }

    for (d, exclusive) in finishing {
        finish(svc, &project, d.clone(), &exclusive).await?;
        report.finished.push(d.id);
    }
    let mut project = svc.project(name).await?;
    for p in &planned {
        project = start(svc, project, p)
            .await
            .map_err(|e| lost_race(name, e))?;
        let started = svc.deployment(name, &p.deployment.id).await?;
        finish(svc, &project, started, &p.exclusive).await?;
        report.freed = report.freed.plus(p.freed);
        report.pruned.push(pruned_entry(p));
    }
    Ok(report)
}

/// Finishes every pruning a crash left halfway; the ids it finished.
pub(crate) async fn finish_interrupted(
    svc: &FlowContext,
    name: &ProjectName,
) -> Result<Vec<DeploymentId>> {
    let project = svc.project(name).await?;
    let world = World::load(svc, &project).await?;
    let unfinished: Vec<&Deployment> = world
        .deployments
        .iter()
        .rev()
        .filter(|d| {
            d.status == DeploymentStatus::Pruned
                && d.pruned.as_ref().is_some_and(|p| p.finished_at.is_none())
        })
        .collect();
    if unfinished.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<&DeploymentId> = unfinished.iter().map(|d| &d.id).collect();
    let mut holders = Holders::count(
        svc,
        &project.infrastructure,
        &world.deployments,
        &ids,
        world.live_alias_versions.clone(),
    )
    .await?;
    let mut finished = Vec::new();
    for d in unfinished {
        let exclusive = holders.release(svc, &project.infrastructure, d).await?;
        finish(svc, &project, d.clone(), &exclusive).await?;
        finished.push(d.id.clone());
    }
    Ok(finished)
}

fn pruned_entry(p: &Planned) -> PrunedDeployment {
    PrunedDeployment {
        deployment: p.deployment.id.clone(),
        version: p.deployment.version,
        reason: p.reason.clone(),
        freed: p.freed,
    }
}

/// The code size of each version in `versions` not in `sizes` yet.
async fn sizes(
    svc: &FlowContext,
    versions: &[VersionKey],
    sizes: &mut HashMap<VersionKey, u64>,
) -> Result<()> {
    for v in versions {
        if !sizes.contains_key(v) {
            let size = svc.backend.functions.code_size(&v.0, &v.1).await?;
            sizes.insert(v.clone(), size.unwrap_or(0));
        }
    }
    Ok(())
}

/// The first commit: the deployment becomes `pruned` with its record, and
/// the project's revision moves in the same batch, so nothing that
/// decided on the project meanwhile (a switch, a rollout start) is lost.
/// Returns the project as committed.
async fn start(svc: &FlowContext, project: Project, p: &Planned) -> Result<Project> {
    let now = svc.clock.now();
    let d = &p.deployment;
    let mut next = d.clone();
    next.status = DeploymentStatus::Pruned;
    next.pruned = Some(PruneRecord {
        started_at: now,
        finished_at: None,
        reason: p.reason.clone(),
        freed: p.freed,
        previous_status: d.status,
    });
    next.updated_at = now;
    next.revision = d.revision + 1;
    let mut touched = project.clone();
    touched.revision = project.revision + 1;
    svc.records.forget(&project.name);
    let batch = WriteBatch {
        project: Some((touched.clone(), Expect::Revision(project.revision))),
        deployments: vec![(next, Expect::Revision(d.revision))],
        ..WriteBatch::default()
    };
    svc.backend.store.commit(batch).await?;
    Ok(touched)
}

/// Deletes what `d` alone holds, then records that its pruning finished.
async fn finish(
    svc: &FlowContext,
    project: &Project,
    mut d: Deployment,
    exclusive: &Exclusive,
) -> Result<()> {
    let now = svc.clock.now();
    retire(svc, project, &d, exclusive, now).await?;
    save_deployment(svc, &mut d, |d| {
        if let Some(record) = d.pruned.as_mut() {
            record.finished_at = Some(now);
        }
        d.updated_at = now;
    })
    .await
}
