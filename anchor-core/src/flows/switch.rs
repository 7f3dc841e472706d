//! Switching what is live: the one place aliases move.
//!
//! The protocol uses conditional writes only, no locks:
//! 1. record a `PendingSwitch` intent on the project (compare-and-set on its
//!    revision), so a concurrent switch loses before touching anything;
//! 2. point both `live` aliases at the target's versions;
//! 3. commit the new active pointer, the statuses and the rollback event in
//!    one transaction, clearing the intent.
//!
//! If step 2 or 3 fails, the aliases are put back and the intent cleared. If
//! even that fails, the intent stays and `recover` resolves it by looking at
//! where the aliases really point.

use std::time::{Duration, Instant};

use futures::future::join;

use super::records::{commit_project, commit_verified};
use super::{lost_race, Services};
use crate::error::{Error, ResourceKind, Result};
use crate::model::{
    Deployment, DeploymentStatus, Infrastructure, PendingSwitch, Project, RollbackEvent, SwitchKind,
};
use crate::traits::{AliasRouting, Expect, SetAliasOptions, WriteBatch};

/// What a completed switch did.
#[derive(Debug, Clone)]
pub(crate) struct SwitchOutcome {
    /// The deployment live before.
    pub from: Option<Deployment>,
    /// The deployment live now, as recorded.
    pub to: Deployment,
    /// The deployment live before, as recorded now (superseded).
    pub superseded: Option<Deployment>,
    /// The project record the switch committed.
    pub project: Project,
    /// The rollback event recorded, for rollbacks.
    pub event: Option<RollbackEvent>,
    /// Wall time of the switch.
    pub elapsed: Duration,
}

/// Makes `to` live. `project` and `to` are records the caller has just
/// read, and `known_from` the project's active deployment if the caller
/// read it too, so the switch itself reads nothing more on its common path;
/// every record is still guarded by its revision when the switch commits.
/// Fails with `Conflict` if another switch is under way or wins the race,
/// and with `InvalidState` if the deployment cannot go live.
pub(crate) async fn switch_live(
    svc: &Services,
    mut project: Project,
    mut to: Deployment,
    known_from: Option<Deployment>,
    kind: SwitchKind,
) -> Result<SwitchOutcome> {
    let started = Instant::now();
    let name = project.name.clone();
    let name = &name;
    let mut known_from = known_from;
    if let Some(pending) = &project.pending_switch {
        let age = svc.clock.now() - pending.started_at;
        let stale = chrono::Duration::from_std(svc.settings.stale_switch_after)
            .unwrap_or(chrono::Duration::MAX);
        if age < stale {
            return Err(Error::conflict(
                ResourceKind::Project,
                name.as_str(),
                format!(
                    "a switch to {} started at {} is still in progress",
                    pending.to, pending.started_at
                ),
            ));
        }
        project = resolve_pending(svc, project).await?;
        // Resolving rewrote records; read what we switch afresh.
        to = svc.deployment(name, &to.id).await?;
        known_from = None;
    }
    ensure_can_go_live(&to)?;
    if project.active_deployment.as_ref() == Some(&to.id) {
        return Err(Error::invalid_state(
            ResourceKind::Deployment,
            to.id.as_str(),
            "live",
            "it is already live",
        ));
    }
    let from = match &project.active_deployment {
        Some(id) => match known_from.filter(|d| &d.id == id) {
            Some(known) => Some(known),
            None => Some(svc.deployment(name, id).await?),
        },
        None => None,
    };

    let pending = PendingSwitch {
        from: from.as_ref().map(|d| d.id.clone()),
        to: to.id.clone(),
        kind: kind.clone(),
        started_at: svc.clock.now(),
    };
    let begun = Project {
        pending_switch: Some(pending),
        revision: project.revision + 1,
        ..project.clone()
    };
    commit_project(svc, &begun, project.revision)
        .await
        .map_err(|e| lost_race(name, e))?;

    if let Err(err) = point_aliases(svc, &project.infrastructure, &to).await {
        undo(svc, &begun, from.as_ref()).await;
        return Err(err);
    }
    let elapsed = started.elapsed();
    match finish(svc, &begun, from.as_ref(), &to, &kind, elapsed).await {
        Ok(done) => Ok(SwitchOutcome {
            from,
            to: done.live,
            superseded: done.superseded,
            project: done.project,
            event: done.event,
            elapsed,
        }),
        Err(err) => {
            undo(svc, &begun, from.as_ref()).await;
            Err(lost_race(name, err))
        }
    }
}

/// Refuses deployments that cannot serve traffic.
pub(crate) fn ensure_can_go_live(d: &Deployment) -> Result<()> {
    let reason = match d.status {
        DeploymentStatus::Failed => Some("it failed and has no complete set of versions"),
        DeploymentStatus::Pruned => Some("its function versions were pruned"),
        s if s.is_in_progress() => Some("it has not finished deploying"),
        _ => None,
    };
    if let Some(reason) = reason {
        return Err(Error::invalid_state(
            ResourceKind::Deployment,
            d.id.as_str(),
            d.status.as_str(),
            reason,
        ));
    }
    if d.server_version.is_none() || d.image_version.is_none() {
        return Err(Error::invalid_state(
            ResourceKind::Deployment,
            d.id.as_str(),
            d.status.as_str(),
            "it has no published function versions",
        ));
    }
    Ok(())
}

/// Points both aliases of the project at `d`'s versions, concurrently.
pub(crate) async fn point_aliases(
    svc: &Services,
    infra: &Infrastructure,
    d: &Deployment,
) -> Result<()> {
    let (Some(server), Some(image)) = (&d.server_version, &d.image_version) else {
        return Err(Error::invalid_state(
            ResourceKind::Deployment,
            d.id.as_str(),
            d.status.as_str(),
            "it has no published function versions",
        ));
    };
    let opts = SetAliasOptions::default();
    let server_route = AliasRouting::single(server.version.clone());
    let image_route = AliasRouting::single(image.version.clone());
    let (a, b) = join(
        svc.functions
            .set_alias(&infra.server_function, &infra.alias, &server_route, &opts),
        svc.functions
            .set_alias(&infra.image_function, &infra.alias, &image_route, &opts),
    )
    .await;
    a?;
    b?;
    Ok(())
}

/// Whether both aliases point exactly at `d`'s versions.
pub(crate) async fn aliases_point_at(
    svc: &Services,
    infra: &Infrastructure,
    d: &Deployment,
) -> Result<bool> {
    let (Some(server), Some(image)) = (&d.server_version, &d.image_version) else {
        return Ok(false);
    };
    let s = svc
        .functions
        .get_alias(&infra.server_function, &infra.alias)
        .await?;
    let i = svc
        .functions
        .get_alias(&infra.image_function, &infra.alias)
        .await?;
    let at = |a: Option<crate::traits::AliasConfig>, v: &str| {
        a.is_some_and(|a| a.routing.version == v && a.routing.additional.is_none())
    };
    Ok(at(s, &server.version) && at(i, &image.version))
}

/// The records a switch's commit wrote.
pub(crate) struct Finished {
    /// The project, with the new active pointer.
    pub project: Project,
    /// The deployment now live.
    pub live: Deployment,
    /// The deployment it replaced, now superseded.
    pub superseded: Option<Deployment>,
    /// The rollback event, for rollbacks.
    pub event: Option<RollbackEvent>,
}

/// Commits the switch: active pointer, statuses, rollback event.
pub(crate) async fn finish(
    svc: &Services,
    begun: &Project,
    from: Option<&Deployment>,
    to: &Deployment,
    kind: &SwitchKind,
    elapsed: Duration,
) -> Result<Finished> {
    let now = svc.clock.now();
    let done = Project {
        active_deployment: Some(to.id.clone()),
        pending_switch: None,
        revision: begun.revision + 1,
        ..begun.clone()
    };
    let live = Deployment {
        status: DeploymentStatus::Live,
        promoted_at: Some(now),
        updated_at: now,
        // Set when it first goes live; a later rollback to it keeps it.
        replaced: to
            .replaced
            .clone()
            .or_else(|| from.filter(|f| f.id != to.id).map(|f| f.id.clone())),
        revision: to.revision + 1,
        ..to.clone()
    };
    let mut deployments = vec![(live.clone(), Expect::Revision(to.revision))];
    let superseded = from.filter(|f| f.id != to.id).map(|from| Deployment {
        status: DeploymentStatus::Superseded,
        updated_at: now,
        revision: from.revision + 1,
        ..from.clone()
    });
    if let (Some(s), Some(from)) = (&superseded, from) {
        deployments.push((s.clone(), Expect::Revision(from.revision)));
    }
    let event = match kind {
        SwitchKind::Rollback { reason } => Some(RollbackEvent {
            project: begun.name.clone(),
            sequence: done.revision,
            from: from.map(|d| d.id.clone()),
            from_version: from.map(|d| d.version),
            to: to.id.clone(),
            to_version: to.version,
            reason: reason.clone(),
            at: now,
            duration_ms: elapsed.as_secs_f64() * 1000.0,
        }),
        SwitchKind::Promote => None,
    };
    let batch = WriteBatch {
        project: Some((done.clone(), Expect::Revision(begun.revision))),
        deployments,
        rollback_event: event.clone(),
        ..WriteBatch::default()
    };
    commit_verified(svc, &begun.name, batch, |p| *p == done).await?;
    Ok(Finished {
        project: done,
        live,
        superseded,
        event,
    })
}

/// Puts the aliases back and clears the intent, best effort: if any step
/// fails the intent stays for `recover`.
pub(crate) async fn undo(svc: &Services, begun: &Project, from: Option<&Deployment>) {
    // Act only if our intent is still the recorded state: if the commit did
    // apply (a lost reply) or the store cannot be read, moving the aliases
    // back could leave them disagreeing with the record.
    match svc.store.get_project(&begun.name).await {
        Ok(Some(p)) if p == *begun => {}
        _ => return,
    }
    if let Some(from) = from {
        if let Err(err) = point_aliases(svc, &begun.infrastructure, from).await {
            tracing::warn!(project = %begun.name, error = %err, "could not put the aliases back; recover() will");
            return;
        }
    }
    let cleared = Project {
        pending_switch: None,
        revision: begun.revision + 1,
        ..begun.clone()
    };
    if let Err(err) = commit_project(svc, &cleared, begun.revision).await {
        tracing::warn!(project = %begun.name, error = %err, "could not clear the switch intent; recover() will");
    }
}

/// Resolves an interrupted switch by where the aliases really point: roll
/// forward if both already point at the target, else put them back.
pub(crate) async fn resolve_pending(svc: &Services, project: Project) -> Result<Project> {
    let Some(pending) = project.pending_switch.clone() else {
        return Ok(project);
    };
    let name = project.name.clone();
    let to = svc.deployment(&name, &pending.to).await?;
    let from = match &pending.from {
        Some(id) => Some(svc.deployment(&name, id).await?),
        None => None,
    };
    if aliases_point_at(svc, &project.infrastructure, &to).await? {
        let elapsed = (svc.clock.now() - pending.started_at)
            .to_std()
            .unwrap_or_default();
        finish(svc, &project, from.as_ref(), &to, &pending.kind, elapsed).await?;
    } else {
        if let Some(from) = &from {
            point_aliases(svc, &project.infrastructure, from).await?;
        }
        let cleared = Project {
            pending_switch: None,
            revision: project.revision + 1,
            ..project.clone()
        };
        commit_project(svc, &cleared, project.revision).await?;
    }
    svc.project(&name).await
}
