//! Promotion: make a built deployment live, then invalidate what that made
//! stale and record the invalidation on the deployment.

use super::records::save_deployment;
use super::switch::switch_live;
use super::{invalidate, location, FlowContext};
use crate::error::Result;
use crate::model::{Deployment, DeploymentId, ProjectName, SwitchKind};
use crate::progress::{Phase, ProgressEvent, ProgressFn};

/// Makes `id` live. The invalidation runs after the switch committed; its
/// failure is recorded on the deployment (`invalidation_error`), not returned.
/// Fails with `InvalidState` before anything changes on a store other than
/// the project's.
pub(crate) async fn promote(
    svc: &FlowContext,
    name: &ProjectName,
    id: &DeploymentId,
    progress: Option<&ProgressFn>,
) -> Result<Deployment> {
    let report = |phase, done| {
        if let Some(f) = progress {
            f(&ProgressEvent {
                phase,
                done,
                total: 1,
                bytes_done: 0,
                bytes_total: 0,
                note: None,
            });
        }
    };
    let project = svc.project(name).await?;
    location::ensure_same_store(svc, &project)?;
    report(Phase::Promoting, 0);
    let to = svc.deployment(name, id).await?;
    let switched = switch_live(svc, project.clone(), to, None, SwitchKind::Promote).await?;
    svc.records.remember_switch(
        &switched.project,
        &switched.to,
        switched.superseded.as_ref(),
    );
    report(Phase::Promoting, 1);
    report(Phase::Invalidating, 0);
    let mut live = switched.to;
    let (invalidation_id, invalidation_error) = invalidate::after_switch(
        svc,
        &project.infrastructure,
        switched.from.as_ref(),
        &live,
        live.id.as_str(),
    )
    .await;
    report(Phase::Invalidating, 1);
    if invalidation_id.is_none() && invalidation_error.is_none() {
        return Ok(live);
    }
    let before = live.clone();
    match save_deployment(svc, &mut live, |d| {
        d.invalidation_id = invalidation_id;
        d.invalidation_error = invalidation_error;
    })
    .await
    {
        Ok(()) => {
            svc.records.remember_deployment(&live);
            Ok(live)
        }
        // The switch stands; only the note of the invalidation was lost.
        Err(_) => Ok(before),
    }
}
