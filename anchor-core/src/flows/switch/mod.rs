//! Switching what is live: the one place aliases move.
//!
//! One conditional write decides a switch. It records the new active
//! pointer, both statuses, the rollback event and a `last_switch` marker
//! in one transaction (compare-and-set on the project's revision), so of two
//! concurrent switches one loses before touching anything. Then both `live`
//! aliases move. If they cannot, the aliases are put back and the decision
//! is reverted in one more write (the rollback event retracted). If even
//! that fails, the marker stays and `recover` (or the next switch, once the
//! marker is stale) rolls the aliases forward to the recorded deployment.
//!
//! The marker outlives a switch that completed: it only says the aliases
//! were being moved. The next switch treats it as settled when this process
//! saw the aliases move (the record cache knows), or when both aliases
//! already point at the active deployment (two reads); otherwise a young
//! marker means a switch is still moving them (`Conflict`) and a stale one
//! is rolled forward. A switch this process is still moving is never
//! settled by reading the aliases (a redeploy of unchanged code has the
//! same versions as the deployment before it, so the aliases look arrived
//! before the move lands): the cache knows, and the next switch gets
//! `Conflict`. One narrow race remains across processes: an SDK
//! retry of an UpdateAlias whose reply was lost can land after another
//! process's switch (README, "Open design points"); `recover` repairs it.

mod aliases;
mod settle;

use std::time::{Duration, Instant};

pub(crate) use aliases::{ensure_can_go_live, point_live};
pub(crate) use settle::resolve_pending;

use super::records::commit_verified;
use super::{lost_race, FlowContext};
use crate::error::{Error, ResourceKind, Result};
use crate::flows::routing::Windows;
use crate::model::{
    Deployment, DeploymentId, DeploymentStatus, LastSwitch, PageRequest, Project, RollbackEvent,
    SwitchKind,
};
use crate::traits::{Expect, WriteBatch};

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
/// read (or cached), and `known_from` the project's active deployment if
/// the caller has it too, so the common path reads nothing more; every
/// record is still guarded by its revision in the deciding write. Fails
/// with `Conflict` if another switch is under way or wins the race, and
/// with `InvalidState` if the deployment cannot go live.
pub(crate) async fn switch_live(
    svc: &FlowContext,
    project: Project,
    to: Deployment,
    known_from: Option<Deployment>,
    kind: SwitchKind,
) -> Result<SwitchOutcome> {
    let started = Instant::now();
    let name = project.name.clone();
    let mut known_from = known_from;
    if let Some(marker) = &project.last_switch {
        if !svc.records.is_settled(&name, marker) {
            known_from = settle::settle(svc, &project, marker, known_from).await?;
        }
    }
    ensure_can_go_live(&to)?;
    if let Some(rollout) = project.rollout.as_ref().filter(|r| r.is_running()) {
        // Switching to the candidate is the rollout's completion (its own,
        // or a promotion of the candidate, which completes it early); any
        // other switch would leave the split pointing at deployments the
        // record no longer names.
        if rollout.candidate != to.id {
            return Err(rollout_running(&project, rollout));
        }
    }
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
            None => Some(svc.deployment(&name, id).await?),
        },
        None => None,
    };

    let decided = decide(svc, &project, from.as_ref(), &to, &kind, started.elapsed())
        .await
        .map_err(|e| lost_race(&name, e))?;
    // Until the aliases have moved (or the switch is undone), another
    // switch of this process must not settle this marker by reading the
    // aliases: with repeated versions they look arrived, and this move's
    // late UpdateAlias would then land after that switch's own.
    let _moving = decided
        .project
        .last_switch
        .as_ref()
        .map(|marker| svc.records.begin_move(&name, marker));
    let windows = Windows {
        ended: &decided.ended_windows,
        ..Windows::leaving(&project, from.as_ref().map(|f| &f.id))
    };
    if let Err(err) = point_live(svc, &project.infrastructure, &to, windows).await {
        revert(svc, &project, &decided, from.as_ref(), &to).await;
        return Err(err);
    }
    if let Some(marker) = &decided.project.last_switch {
        svc.records.mark_settled(&name, marker);
    }
    Ok(SwitchOutcome {
        from,
        to: decided.live,
        superseded: decided.superseded,
        project: decided.project,
        event: decided.event,
        elapsed: started.elapsed(),
    })
}

/// The refusal of anything but completing or aborting while a gradual
/// rollout runs.
pub(crate) fn rollout_running(project: &Project, rollout: &crate::model::Rollout) -> Error {
    Error::invalid_state(
        ResourceKind::Project,
        project.name.as_str(),
        "rolling_out",
        format!(
            "a gradual rollout of v{} over v{} is running; complete or abort it first",
            rollout.candidate_version, rollout.baseline_version
        ),
    )
}

/// Settles the marker of the project's last switch, as a switch does
/// first: returns once what serves the project is its recorded active
/// deployment (rolling a stale marker forward), or fails with `Conflict`
/// while another switch is still moving it.
pub(crate) async fn ensure_settled(svc: &FlowContext, project: &Project) -> Result<()> {
    if let Some(marker) = &project.last_switch {
        if !svc.records.is_settled(&project.name, marker) {
            settle::settle(svc, project, marker, None).await?;
        }
    }
    Ok(())
}

/// The records a switch's deciding write committed.
pub(crate) struct Decided {
    /// The project, with the new active pointer and the marker.
    pub project: Project,
    /// The deployment now live.
    pub live: Deployment,
    /// The deployment it replaced, now superseded.
    pub superseded: Option<Deployment>,
    /// The rollback event, for rollbacks.
    pub event: Option<RollbackEvent>,
    /// The deployments whose skew windows the switch ends now: past the
    /// policy's `max_pinned` once the leaving one's opened.
    pub ended_windows: Vec<DeploymentId>,
}

/// The one write that decides the switch: active pointer, marker,
/// statuses and rollback event, under the revisions they were read at.
async fn decide(
    svc: &FlowContext,
    project: &Project,
    from: Option<&Deployment>,
    to: &Deployment,
    kind: &SwitchKind,
    elapsed: Duration,
) -> Result<Decided> {
    let now = svc.clock.now();
    let sequence = match kind {
        SwitchKind::Rollback { .. } => Some(next_rollback_sequence(svc, project).await?),
        SwitchKind::Promote => None,
    };
    let (open_skew_windows, ended_windows) = open_windows(project, from, to);
    let done = Project {
        open_skew_windows,
        active_deployment: Some(to.id.clone()),
        last_rollback_sequence: sequence.or(project.last_rollback_sequence),
        last_switch: Some(LastSwitch {
            from: from.map(|d| d.id.clone()),
            to: to.id.clone(),
            kind: kind.clone(),
            started_at: now,
            ended_windows: ended_windows.clone(),
        }),
        revision: project.revision + 1,
        ..project.clone()
    };
    let live = Deployment {
        status: DeploymentStatus::Live,
        promoted_at: Some(now),
        updated_at: now,
        // Set when it first goes live, and kept by every later switch to
        // it. "First" is `promoted_at`, not an empty `replaced`: a
        // deployment that went live when nothing was (the project's first)
        // replaced nothing, and must not adopt the release a rollback to it
        // moves away from, or the next rollback would go forward to it.
        replaced: if to.promoted_at.is_some() {
            to.replaced.clone()
        } else {
            from.filter(|f| f.id != to.id).map(|f| f.id.clone())
        },
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
    let event = match (kind, sequence) {
        (SwitchKind::Rollback { reason }, Some(sequence)) => Some(RollbackEvent {
            project: project.name.clone(),
            sequence,
            from: from.map(|d| d.id.clone()),
            from_version: from.map(|d| d.version),
            to: to.id.clone(),
            to_version: to.version,
            reason: reason.clone(),
            at: now,
            duration_ms: elapsed.as_secs_f64() * 1000.0,
        }),
        _ => None,
    };
    let batch = WriteBatch {
        project: Some((done.clone(), Expect::Revision(project.revision))),
        deployments,
        rollback_event: event.clone(),
        ..WriteBatch::default()
    };
    commit_verified(svc, &project.name, batch, |p| *p == done).await?;
    Ok(Decided {
        project: done,
        live,
        superseded,
        event,
        ended_windows,
    })
}

/// The open skew windows after a switch from `from` to `to`, the most
/// recent first, and those it ends: the leaving deployment's opens (when
/// the policy is on), the arriving one's closes (it is live), and past the
/// policy's `max_pinned` the oldest end.
fn open_windows(
    project: &Project,
    from: Option<&Deployment>,
    to: &Deployment,
) -> (Vec<DeploymentId>, Vec<DeploymentId>) {
    let policy = project.skew();
    let mut open: Vec<DeploymentId> = Vec::new();
    let leaving = from.map(|f| &f.id).filter(|id| **id != to.id);
    for id in leaving.into_iter().chain(&project.open_skew_windows) {
        if *id != to.id && !open.contains(id) {
            open.push(id.clone());
        }
    }
    let keep = if policy.is_on() {
        usize::try_from(policy.max_pinned()).unwrap_or(usize::MAX)
    } else {
        0
    };
    let ended = open.split_off(keep.min(open.len()));
    (open, ended)
}

/// The sequence of the project's next rollback event: one more than the
/// count the project record keeps, or, for a record written before it kept
/// one, than the newest event in the history (one read, once per project).
/// The deciding write commits the event under the project's revision, so
/// two rollbacks cannot both take a number.
async fn next_rollback_sequence(svc: &FlowContext, project: &Project) -> Result<u64> {
    let last = match project.last_rollback_sequence {
        Some(last) => last,
        None => svc
            .backend
            .store
            .list_rollbacks(&project.name, &PageRequest::first(1))
            .await?
            .items
            .first()
            .map_or(0, |newest| newest.sequence),
    };
    Ok(last.saturating_add(1))
}

/// Undoes a decided switch whose aliases could not be moved: puts the
/// aliases back and restores the records as they were, retracting the
/// rollback event, in one write. Best effort: if a step fails, the marker
/// stays and `recover` rolls the aliases forward to the recorded target.
async fn revert(
    svc: &FlowContext,
    before: &Project,
    decided: &Decided,
    from: Option<&Deployment>,
    to: &Deployment,
) {
    let name = &before.name;
    // Act only if the decision is still the recorded state: if another
    // switch has followed, moving the aliases would undo that one.
    match svc.backend.store.get_project(name).await {
        Ok(Some(p)) if p == decided.project => {}
        _ => return,
    }
    // A rollout's completion puts its split back, not the bare baseline.
    let put_back = if before.rollout.as_ref().is_some_and(|r| r.is_running()) {
        crate::flows::rollout::restore_pointer(svc, before).await
    } else if let Some(from) = from {
        point_live(
            svc,
            &before.infrastructure,
            from,
            Windows::leaving(before, Some(&to.id)),
        )
        .await
    } else {
        Ok(())
    };
    if let Err(err) = put_back {
        tracing::warn!(project = %name, error = %err, "could not put the aliases back; recover() will roll forward");
        return;
    }
    let restored = Project {
        last_switch: None,
        revision: decided.project.revision + 1,
        ..before.clone()
    };
    let mut deployments = vec![(
        Deployment {
            revision: decided.live.revision + 1,
            ..to.clone()
        },
        Expect::Revision(decided.live.revision),
    )];
    if let (Some(s), Some(from)) = (&decided.superseded, from) {
        deployments.push((
            Deployment {
                revision: s.revision + 1,
                ..from.clone()
            },
            Expect::Revision(s.revision),
        ));
    }
    let batch = WriteBatch {
        project: Some((restored.clone(), Expect::Revision(decided.project.revision))),
        deployments,
        retracted_rollback_event: decided
            .event
            .as_ref()
            .map(|e| (e.project.clone(), e.sequence)),
        ..WriteBatch::default()
    };
    svc.records.forget(name);
    if let Err(err) = commit_verified(svc, name, batch, |p| *p == restored).await {
        tracing::warn!(project = %name, error = %err, "could not revert the switch; recover() will roll forward");
    }
}
