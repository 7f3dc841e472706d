//! [`Rollback`]: make an older deployment live again by moving the aliases
//! only. Nothing is uploaded or published.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use super::cache::Snapshot;
use super::switch::switch_live;
use super::{invalidate, location, FlowContext};
use crate::error::{Error, ResourceKind, Result};
use crate::model::{
    Deployment, DeploymentId, DeploymentStatus, PageRequest, Project, ProjectName, RollbackEvent,
    SwitchKind,
};

/// The longest rollback reason accepted, in bytes.
pub const MAX_REASON_BYTES: usize = 1024;

/// Which deployment to roll back to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RollbackTarget {
    /// The deployment that was live when the live one was first promoted
    /// (so a bad release that was itself rolled back is skipped); if that
    /// one can no longer go live, the newest superseded deployment older
    /// than the live one. If there is none (the live deployment is the
    /// project's first to go live, say after rolling back to it), or if
    /// nothing is live, the rollback fails with `InvalidState` on the
    /// project (state `without_previous` or `not_live`), its reason ending
    /// "so there is nothing to roll back to".
    Previous,
    /// A deployment by id.
    Deployment(String),
    /// A deployment by version number.
    Version(u64),
}

/// What a rollback did.
#[derive(Debug, Clone)]
pub struct RollbackOutcome {
    /// The event kept in the history.
    pub event: RollbackEvent,
    /// The deployment live before.
    pub from: Option<Deployment>,
    /// The deployment live now.
    pub to: Deployment,
    /// How long the switch took.
    pub elapsed: Duration,
    /// The CDN invalidation of paths the switch made stale, if any.
    pub invalidation_id: Option<String>,
    /// Why that invalidation failed, if it did; the rollback stands.
    pub invalidation_error: Option<String>,
}

/// Rolls a project back. Build it with [`crate::Anchor::rollback`].
#[derive(Debug, Clone)]
pub struct Rollback {
    svc: Arc<FlowContext>,
    project: String,
    target: RollbackTarget,
    reason: String,
    invalidate: bool,
}

/// The refusal of [`RollbackTarget::Previous`] when there is no deployment
/// to go back to: a state of the project, not a missing record, so
/// `InvalidState` on the project, with `state` saying which
/// (`not_live` or `without_previous`) and `why` ending in the same words.
fn nothing_to_roll_back_to(project: &ProjectName, state: &str, why: String) -> Error {
    Error::invalid_state(
        ResourceKind::Project,
        project.as_str(),
        state,
        format!("{why}, so there is nothing to roll back to"),
    )
}

/// Errors a stale cached record can cause; the rollback then starts over
/// from fresh reads. Each happens before anything moved, or after the
/// switch undid what it moved.
fn may_be_stale(e: &Error) -> bool {
    matches!(
        e,
        Error::Conflict { .. }
            | Error::PreconditionFailed { .. }
            | Error::InvalidState { .. }
            | Error::NotFound { .. }
    )
}

impl Rollback {
    pub(crate) fn new(svc: Arc<FlowContext>, project: &str) -> Self {
        Self {
            svc,
            project: project.to_string(),
            target: RollbackTarget::Previous,
            reason: "rollback".into(),
            invalidate: true,
        }
    }

    /// Roll back to the deployment that was live before the current one (the default).
    pub fn to_previous(mut self) -> Self {
        self.target = RollbackTarget::Previous;
        self
    }

    /// Roll back to the deployment with this id.
    pub fn to_deployment(mut self, id: impl Into<String>) -> Self {
        self.target = RollbackTarget::Deployment(id.into());
        self
    }

    /// Roll back to the deployment with this version number.
    pub fn to_version(mut self, version: u64) -> Self {
        self.target = RollbackTarget::Version(version);
        self
    }

    /// Sets the target explicitly.
    pub fn target(mut self, target: RollbackTarget) -> Self {
        self.target = target;
        self
    }

    /// Why, kept in the history.
    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = reason.into();
        self
    }

    /// Whether to invalidate the CDN paths the switch makes stale (default
    /// `true`). The invalidation runs after the switch has committed.
    pub fn invalidate(mut self, invalidate: bool) -> Self {
        self.invalidate = invalidate;
        self
    }

    /// Switches the aliases and records the event. Fails with
    /// `InvalidInput` for version 0 or a reason over [`MAX_REASON_BYTES`],
    /// with `InvalidState` for a failed, pruned, unfinished or already live
    /// target, for nothing to roll back to ([`RollbackTarget::Previous`]
    /// with nothing live or no deployment live before the live one) or an
    /// object store other than the project's, with `NotFound` for an
    /// unknown target, and with `Conflict` if another switch wins.
    ///
    /// Right after a deploy or another switch by this process, the records
    /// come from [`crate::flows::RecordCache`] and the rollback reads
    /// nothing; if another writer changed them meanwhile, the conditional
    /// commit notices, and the rollback starts over once from fresh reads.
    pub async fn execute(&self) -> Result<RollbackOutcome> {
        let name = ProjectName::parse(&self.project)?;
        self.check_arguments()?;
        if let Some(snapshot) = self.svc.records.get(&name) {
            match self.attempt(&name, Some(snapshot)).await {
                Err(e) if may_be_stale(&e) => self.svc.records.forget(&name),
                done => return done,
            }
        }
        self.attempt(&name, None).await
    }

    /// Refuses what no record can match or hold, before anything is read:
    /// version 0 (versions start at 1) and a reason longer than
    /// [`MAX_REASON_BYTES`], which a DynamoDB item could not hold with the
    /// rest of the event.
    fn check_arguments(&self) -> Result<()> {
        if self.target == RollbackTarget::Version(0) {
            return Err(Error::invalid_input(
                "version",
                "0 is not a version; versions start at 1",
            ));
        }
        if self.reason.len() > MAX_REASON_BYTES {
            return Err(Error::invalid_input(
                "reason",
                format!(
                    "is {} bytes long; the limit is {MAX_REASON_BYTES}",
                    self.reason.len()
                ),
            ));
        }
        Ok(())
    }

    async fn attempt(
        &self,
        name: &ProjectName,
        cached: Option<Snapshot>,
    ) -> Result<RollbackOutcome> {
        let (project, (target, active)) = match &cached {
            Some(s) => {
                location::ensure_same_store(&self.svc, &s.project)?;
                (s.project.clone(), self.resolve_cached(s).await?)
            }
            None => {
                let project = self.svc.project(name).await?;
                location::ensure_same_store(&self.svc, &project)?;
                let resolved = self.resolve(&project).await?;
                (project, resolved)
            }
        };
        let kind = SwitchKind::Rollback {
            reason: self.reason.clone(),
        };
        let switched = switch_live(&self.svc, project.clone(), target, active, kind).await?;
        self.svc.records.remember_switch(
            &switched.project,
            &switched.to,
            switched.superseded.as_ref(),
        );
        let event = switched
            .event
            .ok_or_else(|| Error::internal("a rollback's switch records its rollback event"))?;
        let (invalidation_id, invalidation_error) = if self.invalidate {
            let reference = format!("{}-rollback-{}", switched.to.id, event.sequence);
            invalidate::after_switch(
                &self.svc,
                &project.infrastructure,
                switched.from.as_ref(),
                &switched.to,
                &reference,
            )
            .await
        } else {
            (None, None)
        };
        Ok(RollbackOutcome {
            event,
            from: switched.from,
            to: switched.to,
            elapsed: switched.elapsed,
            invalidation_id,
            invalidation_error,
        })
    }

    /// [`Rollback::resolve`] from this process's last committed records,
    /// reading only what they do not hold.
    async fn resolve_cached(&self, s: &Snapshot) -> Result<(Deployment, Option<Deployment>)> {
        let active = s
            .project
            .active_deployment
            .as_ref()
            .and_then(|id| s.deployments.get(id).cloned());
        let known = match &self.target {
            RollbackTarget::Deployment(id) => {
                let id = DeploymentId::parse(id)?;
                s.deployments.get(&id).cloned()
            }
            RollbackTarget::Version(v) => s.deployments.values().find(|d| d.version == *v).cloned(),
            RollbackTarget::Previous => {
                if let Some(active) = active {
                    let target = self
                        .previous_of(&s.project, &active, &s.deployments)
                        .await?;
                    return Ok((target, Some(active)));
                }
                None
            }
        };
        match known {
            Some(target) => Ok((target, active)),
            None => self.resolve(&s.project).await,
        }
    }

    /// The target's record, and the live deployment's if it was read on
    /// the way (so the switch need not read it again).
    async fn resolve(&self, project: &Project) -> Result<(Deployment, Option<Deployment>)> {
        let svc = &self.svc;
        match &self.target {
            RollbackTarget::Deployment(id) => {
                let id = DeploymentId::parse(id)?;
                Ok((svc.deployment(&project.name, &id).await?, None))
            }
            RollbackTarget::Version(v) => svc
                .backend
                .store
                .get_deployment_by_version(&project.name, *v)
                .await?
                .map(|d| (d, None))
                .ok_or_else(|| Error::not_found(ResourceKind::Deployment, format!("version {v}"))),
            RollbackTarget::Previous => {
                let active = match &project.active_deployment {
                    Some(id) => svc.deployment(&project.name, id).await?,
                    None => {
                        return Err(nothing_to_roll_back_to(
                            &project.name,
                            "not_live",
                            "nothing is live".into(),
                        ))
                    }
                };
                let target = self
                    .previous_of(project, &active, &Default::default())
                    .await?;
                Ok((target, Some(active)))
            }
        }
    }

    /// What [`RollbackTarget::Previous`] names while `active` is live:
    /// `active.replaced` (from `known` records if there, else read), or,
    /// if that cannot go live, the newest superseded deployment below it.
    async fn previous_of(
        &self,
        project: &Project,
        active: &Deployment,
        known: &HashMap<DeploymentId, Deployment>,
    ) -> Result<Deployment> {
        let svc = &self.svc;
        if let Some(id) = active.replaced.as_ref().filter(|id| **id != active.id) {
            let replaced = match known.get(id) {
                Some(d) => Some(d.clone()),
                None => svc.backend.store.get_deployment(&project.name, id).await?,
            };
            if let Some(d) = replaced.filter(|d| d.status.can_go_live()) {
                return Ok(d);
            }
        }
        let mut page = PageRequest {
            limit: 20,
            cursor: Some(PageRequest::cursor_for(active.version)),
        };
        loop {
            let listed = svc
                .backend
                .store
                .list_deployments(&project.name, &page)
                .await?;
            if let Some(d) = listed
                .items
                .into_iter()
                .find(|d| d.status == DeploymentStatus::Superseded)
            {
                return Ok(d);
            }
            match listed.next_cursor {
                Some(c) => {
                    page = PageRequest {
                        limit: 100,
                        cursor: Some(c),
                    }
                }
                None => {
                    return Err(nothing_to_roll_back_to(
                        &project.name,
                        "without_previous",
                        format!(
                            "version {} is live and no deployment that can go live \
                             was live before it",
                            active.version
                        ),
                    ))
                }
            }
        }
    }
}
