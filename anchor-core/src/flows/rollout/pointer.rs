//! The router's live pointer a rollout record implies, and bringing the
//! stored pointer into line with it: after each decision, and in
//! `recover` when a crash came between a decision and its write.

use crate::error::Result;
use crate::flows::{routing, FlowContext};
use crate::model::{DeploymentId, Project, Rollout, RolloutEventKind, RolloutState, RouterBinding};
use crate::router::{LivePointer, RolloutSplit};

/// What the pointer must hold for `project` as recorded: a split while its
/// rollout runs (and its candidate is not yet live), else the bare active
/// deployment; `None` when nothing is live.
pub(super) fn pointer_of(project: &Project) -> Option<LivePointer> {
    let active = project.active_deployment.clone()?;
    match project.rollout.as_ref().filter(|r| r.is_running()) {
        Some(r) if r.candidate != active => Some(LivePointer::Split(RolloutSplit {
            live: r.baseline.clone(),
            candidate: r.candidate.clone(),
            weight: r.weight(),
            salt: r.salt.clone(),
        })),
        _ => Some(LivePointer::Single(active)),
    }
}

/// The skew window ends that go with the pointer: a running rollout's two
/// deployments serve with no end; an aborted candidate's pinned pages end when the abort
/// was decided, so their next asset request reloads onto the baseline.
fn windows_of(rollout: &Rollout) -> Vec<(&DeploymentId, Option<i64>)> {
    match rollout.state {
        RolloutState::Running => vec![(&rollout.candidate, None), (&rollout.baseline, None)],
        RolloutState::Aborted => {
            let at = rollout
                .events
                .iter()
                .rev()
                .find(|e| e.kind == RolloutEventKind::Aborted)
                .map_or(rollout.stage_started_at, |e| e.at);
            vec![(&rollout.candidate, Some(at.timestamp()))]
        }
        // The completion's switch wrote the windows.
        RolloutState::Completed => Vec::new(),
    }
}

/// Writes the pointer `project`'s record implies, with its rollout's
/// windows, unless the store holds it already. Returns whether it wrote.
pub(super) async fn sync_pointer(
    svc: &FlowContext,
    project: &Project,
    binding: &RouterBinding,
) -> Result<bool> {
    let Some(expected) = pointer_of(project) else {
        return Ok(false);
    };
    let infra = &project.infrastructure;
    if routing::read_pointer(svc, infra, binding).await?.as_ref() == Some(&expected) {
        return Ok(false);
    }
    let candidate = match &expected {
        LivePointer::Split(split) => Some(svc.deployment(&project.name, &split.candidate).await?),
        LivePointer::Single(_) => None,
    };
    let windows = project.rollout.as_ref().map(windows_of).unwrap_or_default();
    routing::write_pointer(svc, infra, binding, &expected, candidate.as_ref(), &windows).await?;
    Ok(true)
}
