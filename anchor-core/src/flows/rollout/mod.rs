//! [`Rollouts`]: gradual rollout of a deployment through the edge router,
//! a sticky share of visitors per stage, with a health gate between
//! stages (`docs/release-management.md`).
//!
//! The project record holds the rollout; each decision (start, each stage,
//! the completion, an abort) is one conditional commit of it, and then
//! one write of the router's live pointer that matches it. The router only
//! ever sees what a committed decision wrote. `recover` (and every call
//! here) repairs a crash between the two.

mod decisions;
mod pointer;

use std::sync::Arc;
use std::time::Duration;

use decisions::{running, MANUAL};

use super::{location, FlowContext};
use crate::error::{Error, Result};
use crate::model::{DeploymentId, Project, ProjectName, Rollout, RolloutPlan};
use crate::progress::{Phase, ProgressEvent, ProgressFn};
use crate::traits::{GateCheck, GateVerdict, HealthGate};

/// The longest wait of [`Rollouts::run`] between two looks at the record,
/// so a decision taken elsewhere (an `abort` from another process) is seen
/// within it.
const MAX_RUN_WAIT: Duration = Duration::from_secs(30);

/// The gradual rollouts of one project. Build it with
/// [`crate::Anchor::rollouts`].
#[derive(Clone)]
pub struct Rollouts {
    svc: Arc<FlowContext>,
    project: String,
    progress: Option<ProgressFn>,
}

impl std::fmt::Debug for Rollouts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rollouts")
            .field("project", &self.project)
            .finish_non_exhaustive()
    }
}

impl Rollouts {
    pub(crate) fn new(svc: Arc<FlowContext>, project: &str) -> Self {
        Self {
            svc,
            project: project.to_string(),
            progress: None,
        }
    }

    /// Receives a `rolling_out` progress event after each decision: `done`
    /// is the stage reached (the stage count once completed), `total` the
    /// plan's stage count.
    pub fn on_progress(mut self, f: impl Fn(&ProgressEvent) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }

    /// Receives progress events through a shared callback.
    pub fn progress_fn(mut self, f: Option<ProgressFn>) -> Self {
        self.progress = f;
        self
    }

    /// Starts rolling `deployment` (an id) out over the live deployment:
    /// the router gives the plan's first share of visitors to it, sticky
    /// per visitor. Refused with `InvalidState` before anything changes
    /// when a rollout is already running, nothing is live, the deployment
    /// is live already or cannot go live, or the project has no router;
    /// `NotFound` for a deployment the project does not have. A plan of
    /// one 100 % stage is a promotion, recorded as a completed rollout.
    pub async fn start(&self, deployment: &str, plan: RolloutPlan) -> Result<Rollout> {
        let id = DeploymentId::parse(deployment)?;
        let project = self.fresh_project().await?;
        let candidate = self.svc.deployment(&project.name, &id).await?;
        let started = decisions::start(&self.svc, project, candidate, plan).await?;
        self.report(&started);
        Ok(started)
    }

    /// The project's rollout: the one running, or the last one; `None`
    /// before the first. A running record whose candidate is already live
    /// (a crash after the completion's switch) is recorded completed first.
    pub async fn status(&self) -> Result<Option<Rollout>> {
        let project = self.fresh_project().await?;
        Ok(project.rollout)
    }

    /// One look at a running rollout: if its stage has held its time, asks
    /// `gate`, then advances it (completing it from the last but one
    /// stage) or aborts it with the gate's reason. Before that it returns
    /// the rollout unchanged. A gate that fails to decide returns its error
    /// and changes nothing. Fails with `InvalidState` when no rollout runs.
    pub async fn check(&self, gate: &dyn HealthGate) -> Result<Rollout> {
        let project = self.fresh_project().await?;
        let rollout = running(&project)?.clone();
        if self.svc.clock.now() < rollout.next_check_at() {
            return Ok(rollout);
        }
        let check = GateCheck::new(
            project.name.clone(),
            rollout.candidate.clone(),
            rollout.candidate_version,
            rollout.baseline.clone(),
            rollout.stage,
            rollout.current_stage().percent,
        );
        let verdict = gate.check(&check).await?;
        // The gate may have taken a while: decide on the record as it is
        // now, and only if it is still the stage the gate judged.
        let project = self.fresh_project().await?;
        let now_running = running(&project)?;
        if now_running.candidate != rollout.candidate || now_running.stage != rollout.stage {
            return Ok(now_running.clone());
        }
        let decided = match verdict {
            GateVerdict::Healthy => decisions::advance(&self.svc, project, gate.name()).await?,
            GateVerdict::Unhealthy { reason } => {
                decisions::abort(&self.svc, project, gate.name(), reason).await?
            }
        };
        self.report(&decided);
        Ok(decided)
    }

    /// Drives a running rollout to its end: [`Rollouts::check`] each time
    /// a stage's hold has passed, waiting (on the real clock) in between.
    /// Returns the rollout completed or aborted; a gate error ends the run
    /// with that error, the rollout unchanged at its stage.
    pub async fn run(&self, gate: &dyn HealthGate) -> Result<Rollout> {
        loop {
            let rollout = self.check(gate).await?;
            if !rollout.is_running() {
                return Ok(rollout);
            }
            let wait = (rollout.next_check_at() - self.svc.clock.now())
                .to_std()
                .unwrap_or(Duration::ZERO)
                .clamp(Duration::from_millis(50), MAX_RUN_WAIT);
            tokio::time::sleep(wait).await;
        }
    }

    /// Moves a running rollout to its next stage now, without its hold or
    /// gate; from the last but one stage this completes it. Recorded as
    /// decided `manual`.
    pub async fn advance(&self) -> Result<Rollout> {
        let project = self.fresh_project().await?;
        let decided = decisions::advance(&self.svc, project, MANUAL).await?;
        self.report(&decided);
        Ok(decided)
    }

    /// Completes a running rollout now: every visitor gets the candidate,
    /// which goes live as a promotion would make it.
    pub async fn complete(&self) -> Result<Rollout> {
        let project = self.fresh_project().await?;
        running(&project)?;
        let decided = decisions::complete(&self.svc, project, MANUAL, None).await?;
        self.report(&decided);
        Ok(decided)
    }

    /// Sends every visitor back to the baseline and records `reason`. On
    /// an aborted rollout whose pointer was not yet written back, it
    /// finishes that and returns it; a completed rollout or none is
    /// `InvalidState`. The reason is 1 to 1,024 bytes (`InvalidInput`
    /// naming `reason`).
    pub async fn abort(&self, reason: &str) -> Result<Rollout> {
        check_reason(reason)?;
        let project = self.fresh_project().await?;
        let decided = decisions::abort(&self.svc, project, MANUAL, reason.to_string()).await?;
        self.report(&decided);
        Ok(decided)
    }

    /// The project, with a completion a crash left unrecorded recorded.
    async fn fresh_project(&self) -> Result<Project> {
        let name = ProjectName::parse(&self.project)?;
        let project = self.svc.project(&name).await?;
        location::ensure_same_store(&self.svc, &project)?;
        finish_recorded(&self.svc, project).await
    }

    fn report(&self, rollout: &Rollout) {
        if let Some(f) = &self.progress {
            let total = u64::try_from(rollout.plan.stages().len()).unwrap_or(u64::MAX);
            let done = if rollout.is_running() {
                u64::from(rollout.stage)
            } else {
                total
            };
            f(&ProgressEvent {
                phase: Phase::RollingOut,
                done,
                total,
                bytes_done: 0,
                bytes_total: 0,
                note: None,
            });
        }
    }
}

/// Starts a rollout of `candidate`, a deployment just built, for a deploy
/// with a rollout plan.
pub(crate) async fn start_rollout(
    svc: &FlowContext,
    project: Project,
    candidate: crate::model::Deployment,
    plan: RolloutPlan,
) -> Result<Rollout> {
    decisions::start(svc, project, candidate, plan).await
}

pub(crate) use decisions::router_of;

/// Writes the pointer `project`'s record implies (its running rollout's
/// split), for a completion's switch that is being undone.
pub(crate) async fn restore_pointer(svc: &FlowContext, project: &Project) -> Result<()> {
    if let Some(binding) = &project.infrastructure.router {
        pointer::sync_pointer(svc, project, binding).await?;
    }
    Ok(())
}

/// A running record whose candidate is live (the completion's switch
/// committed, its record did not) is recorded completed.
async fn finish_recorded(svc: &FlowContext, project: Project) -> Result<Project> {
    match &project.rollout {
        Some(r) if r.is_running() && project.active_deployment.as_ref() == Some(&r.candidate) => {
            let r = r.clone();
            decisions::record_completion(svc, project.clone(), &r, MANUAL, None).await?;
            svc.project(&project.name).await
        }
        _ => Ok(project),
    }
}

/// For `recover`: records a completion a crash left unrecorded, and writes
/// the router's pointer the rollout record implies if the store does not
/// hold it (a crash between a decision and its write). Returns whether it
/// changed anything.
pub(crate) async fn repair(svc: &FlowContext, project: Project) -> Result<bool> {
    let Some(binding) = project.infrastructure.router.clone() else {
        return Ok(false);
    };
    if project.rollout.is_none() {
        return Ok(false);
    }
    let before = project.revision;
    let project = finish_recorded(svc, project).await?;
    let wrote = pointer::sync_pointer(svc, &project, &binding).await?;
    Ok(wrote || project.revision != before)
}

/// Refuses an empty reason or one over [`super::rollback::MAX_REASON_BYTES`].
fn check_reason(reason: &str) -> Result<()> {
    let max = super::rollback::MAX_REASON_BYTES;
    if reason.trim().is_empty() || reason.len() > max {
        return Err(Error::invalid_input(
            "reason",
            format!("must be 1 to {max} bytes and not blank"),
        ));
    }
    Ok(())
}
