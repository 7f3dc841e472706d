//! Recovery after a crash: resolve an interrupted switch, fail deployments
//! that stopped mid-way, and finish interrupted domain changes,
//! deterministically.

use serde::Serialize;

use super::records::save_deployment;
use super::switch::resolve_pending;
use super::FlowContext;
use crate::error::Result;
use crate::model::{DeploymentId, DeploymentStatus, DomainName, PageRequest, ProjectName};

/// What [`crate::Anchor::recover`] changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct RecoveryReport {
    /// The target of the switch whose marker recovery found and cleared,
    /// if the project had one: a switch interrupted before its marker was
    /// cleared. `None` for a settled project.
    pub resolved_switch_to: Option<DeploymentId>,
    /// Whether recovery had to move what serves the project (the `live`
    /// aliases, or the router's pointer) to that switch's target: the
    /// switch stopped before its move. `false` when nothing was moved,
    /// including a marker whose move had already happened.
    pub rolled_forward: bool,
    /// Whether recovery finished the project's rollout's last decision: it
    /// wrote the router's live pointer that the recorded rollout implies
    /// (a crash came between the decision and its write), or recorded a
    /// completion whose switch had happened.
    pub rollout_repaired: bool,
    /// Deployments found stuck in progress and marked failed.
    pub failed_deployments: Vec<DeploymentId>,
    /// Domains whose interrupted removal was finished: detached from the
    /// CDN, certificate deleted, record deleted.
    pub finished_domain_removals: Vec<DomainName>,
    /// Domains whose interrupted addition was resumed: claimed, but their
    /// certificate was never recorded, so it was requested (idempotently).
    pub resumed_domain_additions: Vec<DomainName>,
    /// Deployments whose pruning stopped halfway, now finished: what they
    /// alone held is deleted and their record says so.
    pub finished_prunes: Vec<DeploymentId>,
}

/// Resolves a recorded switch (the aliases are moved to the recorded
/// active deployment if they are not there) and marks deployments in progress for longer than
/// `stale_deployment_after` as failed. Running it twice changes nothing more.
pub(crate) async fn recover(svc: &FlowContext, name: &ProjectName) -> Result<RecoveryReport> {
    let mut report = RecoveryReport::default();
    let project = svc.project(name).await?;
    super::location::ensure_same_store(svc, &project)?;
    if let Some(pending) = project.last_switch.clone() {
        let resolved = resolve_pending(svc, project).await?;
        report.rolled_forward = resolved.moved;
        report.resolved_switch_to = Some(pending.to);
    }
    report.rollout_repaired = super::rollout::repair(svc, svc.project(name).await?).await?;
    report.finished_prunes = super::prune::finish_interrupted(svc, name).await?;
    let stale = chrono::Duration::from_std(svc.settings.stale_deployment_after)
        .unwrap_or(chrono::Duration::MAX);
    let now = svc.clock.now();
    let mut page = PageRequest::first(100);
    loop {
        let listed = svc.backend.store.list_deployments(name, &page).await?;
        for mut d in listed.items {
            if d.status.is_in_progress() && now - d.updated_at >= stale {
                let id = d.id.clone();
                save_deployment(svc, &mut d, |d| {
                    d.status = DeploymentStatus::Failed;
                    d.error = Some("interrupted: the deploy stopped before it finished".into());
                })
                .await?;
                report.failed_deployments.push(id);
            }
        }
        match listed.next_cursor {
            Some(c) => page.cursor = Some(c),
            None => break,
        }
    }
    Ok(report)
}
