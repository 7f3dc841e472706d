//! A rollout's decisions. Each is one conditional commit of the project's
//! rollout record, then one write of the router's live pointer that
//! matches it; the completion is a promotion of the candidate.

use super::pointer::sync_pointer;
use crate::error::{Error, ResourceKind, Result};
use crate::flows::records::commit_verified;
use crate::flows::switch::{ensure_can_go_live, ensure_settled, switch_live};
use crate::flows::{lost_race, FlowContext};
use crate::model::{
    Deployment, Project, Rollout, RolloutEvent, RolloutEventKind, RolloutPlan, RolloutState,
    RouterBinding, SwitchKind,
};
use crate::traits::{Expect, WriteBatch};

/// Who decided, for decisions a caller asked for by name.
pub(crate) const MANUAL: &str = "manual";
/// Who decided the start.
pub(crate) const START: &str = "start";

/// The project's router, which a rollout needs: only the router splits.
pub(crate) fn router_of(project: &Project) -> Result<&RouterBinding> {
    project.infrastructure.router.as_ref().ok_or_else(|| {
        Error::invalid_state(
            ResourceKind::Project,
            project.name.as_str(),
            "behaviours",
            "a gradual rollout needs the edge router, which splits visitors; run \
             create_project again to route the project through it",
        )
    })
}

/// Starts a rollout of `candidate` over the live deployment at the plan's
/// first stage. Refused with `InvalidState`, before anything changes, when
/// a rollout is running, nothing is live, the candidate is live already or
/// cannot go live. A plan of one 100 % stage completes at once.
pub(super) async fn start(
    svc: &FlowContext,
    project: Project,
    candidate: Deployment,
    plan: RolloutPlan,
) -> Result<Rollout> {
    let binding = router_of(&project)?.clone();
    if let Some(running) = project.rollout.as_ref().filter(|r| r.is_running()) {
        return Err(crate::flows::switch::rollout_running(&project, running));
    }
    ensure_settled(svc, &project).await?;
    let Some(baseline_id) = project.active_deployment.clone() else {
        return Err(Error::invalid_state(
            ResourceKind::Project,
            project.name.as_str(),
            "not_live",
            "nothing is live to roll out from; promote a first deployment",
        ));
    };
    ensure_can_go_live(&candidate)?;
    if candidate.id == baseline_id {
        return Err(Error::invalid_state(
            ResourceKind::Deployment,
            candidate.id.as_str(),
            "live",
            "it is already live",
        ));
    }
    let baseline = svc.deployment(&project.name, &baseline_id).await?;
    let now = svc.clock.now();
    let first = &plan.stages()[0];
    let rollout = Rollout {
        candidate: candidate.id.clone(),
        candidate_version: candidate.version,
        baseline: baseline.id.clone(),
        baseline_version: baseline.version,
        salt: ulid::Ulid::new().to_string(),
        stage: 0,
        stage_started_at: now,
        started_at: now,
        state: RolloutState::Running,
        events: vec![RolloutEvent {
            kind: RolloutEventKind::Started,
            stage: 0,
            percent: first.percent,
            decided_by: START.into(),
            reason: None,
            at: now,
        }],
        plan,
    };
    let started = decide(svc, &project, rollout, &binding).await?;
    if started.rollout.at_last_stage() {
        return complete(svc, started.project, MANUAL, None).await;
    }
    Ok(started.rollout)
}

/// Moves a running rollout to its next stage, or completes it from the
/// last but one. `decided_by` and `reason` are recorded with the event.
pub(super) async fn advance(
    svc: &FlowContext,
    project: Project,
    decided_by: &str,
) -> Result<Rollout> {
    let rollout = running(&project)?.clone();
    let next_stage = rollout.stage + 1;
    let last = usize::try_from(next_stage).map_or(true, |i| i + 1 >= rollout.plan.stages().len());
    if last {
        return complete(svc, project, decided_by, None).await;
    }
    let binding = router_of(&project)?.clone();
    let now = svc.clock.now();
    let mut next = rollout.clone();
    next.stage = next_stage;
    next.stage_started_at = now;
    next.events.push(RolloutEvent {
        kind: RolloutEventKind::Advanced,
        stage: next_stage,
        percent: next.current_stage().percent,
        decided_by: decided_by.into(),
        reason: None,
        at: now,
    });
    Ok(decide(svc, &project, next, &binding).await?.rollout)
}

/// Completes a running rollout: promotes the candidate (the switch records
/// it live, the baseline superseded, and writes the bare pointer), then
/// records the completion. A crash between the two leaves a running
/// record whose candidate is live, which every later rollout call and
/// `recover` read as completed and record so.
pub(super) async fn complete(
    svc: &FlowContext,
    project: Project,
    decided_by: &str,
    reason: Option<String>,
) -> Result<Rollout> {
    let rollout = running(&project)?.clone();
    let project = if project.active_deployment.as_ref() == Some(&rollout.candidate) {
        project
    } else {
        let candidate = svc.deployment(&project.name, &rollout.candidate).await?;
        let baseline = svc.deployment(&project.name, &rollout.baseline).await.ok();
        let switched = switch_live(
            svc,
            project.clone(),
            candidate,
            baseline,
            SwitchKind::Promote,
        )
        .await?;
        svc.records.remember_switch(
            &switched.project,
            &switched.to,
            switched.superseded.as_ref(),
        );
        switched.project
    };
    record_completion(svc, project, &rollout, decided_by, reason).await
}

/// Commits the completion of `rollout`, whose candidate is live already.
pub(super) async fn record_completion(
    svc: &FlowContext,
    project: Project,
    rollout: &Rollout,
    decided_by: &str,
    reason: Option<String>,
) -> Result<Rollout> {
    let now = svc.clock.now();
    let mut done = rollout.clone();
    done.state = RolloutState::Completed;
    done.stage = u32::try_from(done.plan.stages().len() - 1).unwrap_or(u32::MAX);
    done.stage_started_at = now;
    done.events.push(RolloutEvent {
        kind: RolloutEventKind::Completed,
        stage: done.stage,
        percent: 100.0,
        decided_by: decided_by.into(),
        reason,
        at: now,
    });
    let next = Project {
        rollout: Some(done.clone()),
        revision: project.revision + 1,
        ..project.clone()
    };
    svc.records.forget(&project.name);
    commit_decision(svc, &project, &next, &done).await?;
    Ok(done)
}

/// Commits `next` (the project with `rollout` as its rollout) under
/// `before`'s revision. A rollout that ended is kept on its candidate's
/// record too, in the same commit, so the history holds every rollout;
/// the candidate's record as it was before is returned, for an undo.
async fn commit_decision(
    svc: &FlowContext,
    before: &Project,
    next: &Project,
    rollout: &Rollout,
) -> Result<Option<Deployment>> {
    let mut batch = WriteBatch {
        project: Some((next.clone(), Expect::Revision(before.revision))),
        ..WriteBatch::default()
    };
    let mut candidate_before = None;
    if !rollout.is_running() {
        let d = svc.deployment(&before.name, &rollout.candidate).await?;
        let kept = Deployment {
            rollout: Some(rollout.clone()),
            updated_at: svc.clock.now(),
            revision: d.revision + 1,
            ..d.clone()
        };
        batch.deployments.push((kept, Expect::Revision(d.revision)));
        candidate_before = Some(d);
    }
    commit_verified(svc, &before.name, batch, |p| p == next)
        .await
        .map_err(|e| lost_race(&before.name, e))?;
    Ok(candidate_before)
}

/// Sends every visitor back to the baseline and records why. If the
/// pointer cannot be written after the record, the record is put back (the
/// rollout runs on) and the error returned; a crash between the two is
/// finished by `recover`, or by calling `abort` again on the aborted
/// rollout whose pointer still splits.
pub(super) async fn abort(
    svc: &FlowContext,
    project: Project,
    decided_by: &str,
    reason: String,
) -> Result<Rollout> {
    let binding = router_of(&project)?.clone();
    let Some(rollout) = project.rollout.clone() else {
        return Err(no_rollout(&project));
    };
    match rollout.state {
        RolloutState::Running => {}
        RolloutState::Aborted => {
            sync_pointer(svc, &project, &binding).await?;
            return Ok(rollout);
        }
        RolloutState::Completed => return Err(not_running(&project, &rollout)),
    }
    if project.active_deployment.as_ref() == Some(&rollout.candidate) {
        // Completed already, only not recorded: too late to abort.
        let done = record_completion(svc, project.clone(), &rollout, MANUAL, None).await?;
        return Err(not_running(&project, &done));
    }
    let now = svc.clock.now();
    let mut aborted = rollout.clone();
    aborted.state = RolloutState::Aborted;
    aborted.events.push(RolloutEvent {
        kind: RolloutEventKind::Aborted,
        stage: rollout.stage,
        percent: 0.0,
        decided_by: decided_by.into(),
        reason: Some(reason),
        at: now,
    });
    Ok(decide(svc, &project, aborted, &binding).await?.rollout)
}

/// What a decision committed.
pub(super) struct Decided {
    pub project: Project,
    pub rollout: Rollout,
}

/// Commits `next` as the project's rollout, then writes the pointer it
/// implies. If the write fails, the decision is put back (when nothing has
/// followed it) and the error returned, so the record and the router agree;
/// only a crash between the two leaves them apart, for `recover`.
async fn decide(
    svc: &FlowContext,
    project: &Project,
    next: Rollout,
    binding: &RouterBinding,
) -> Result<Decided> {
    let committed = Project {
        rollout: Some(next.clone()),
        revision: project.revision + 1,
        ..project.clone()
    };
    svc.records.forget(&project.name);
    let candidate_before = commit_decision(svc, project, &committed, &next).await?;
    if let Err(err) = sync_pointer(svc, &committed, binding).await {
        undo(svc, project, &committed, candidate_before).await;
        return Err(err);
    }
    Ok(Decided {
        project: committed,
        rollout: next,
    })
}

/// Puts `before`'s rollout record back over `committed`, if nothing has
/// followed it, and its pointer with it. Best effort: what it cannot undo,
/// `recover` brings into line with the record.
async fn undo(
    svc: &FlowContext,
    before: &Project,
    committed: &Project,
    candidate_before: Option<Deployment>,
) {
    let restored = Project {
        rollout: before.rollout.clone(),
        revision: committed.revision + 1,
        ..committed.clone()
    };
    let mut batch = WriteBatch {
        project: Some((restored.clone(), Expect::Revision(committed.revision))),
        ..WriteBatch::default()
    };
    // The candidate's record gets back what it held, one revision on.
    if let Some(d) = candidate_before {
        let written = d.revision + 1;
        batch.deployments.push((
            Deployment {
                revision: written + 1,
                ..d
            },
            Expect::Revision(written),
        ));
    }
    if let Err(err) = commit_verified(svc, &before.name, batch, |p| *p == restored).await {
        tracing::warn!(project = %before.name, error = %err, "could not undo a rollout decision; recover() will finish it");
        return;
    }
    if let Some(binding) = &before.infrastructure.router {
        if let Err(err) = sync_pointer(svc, &restored, binding).await {
            tracing::warn!(project = %before.name, error = %err, "could not put the router back; recover() will");
        }
    }
}

/// The project's running rollout, or `InvalidState` saying there is none.
pub(super) fn running(project: &Project) -> Result<&Rollout> {
    match &project.rollout {
        Some(r) if r.is_running() => Ok(r),
        Some(r) => Err(not_running(project, r)),
        None => Err(no_rollout(project)),
    }
}

fn not_running(project: &Project, rollout: &Rollout) -> Error {
    Error::invalid_state(
        ResourceKind::Project,
        project.name.as_str(),
        rollout.state.as_str(),
        format!(
            "its last rollout (v{} over v{}) is {}; no rollout is running",
            rollout.candidate_version,
            rollout.baseline_version,
            rollout.state.as_str()
        ),
    )
}

fn no_rollout(project: &Project) -> Error {
    Error::invalid_state(
        ResourceKind::Project,
        project.name.as_str(),
        "without_rollout",
        "it has never had a gradual rollout; start one with a rollout plan",
    )
}
