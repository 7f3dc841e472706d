//! The operations of the burst, and which typed errors each kind may lose
//! with.

use std::path::PathBuf;
use std::time::Duration;

use anchor_core::flows::RollbackOutcome;
use anchor_core::model::{Deployment, Domain, ProjectName};
use anchor_core::{Anchor, Error};

/// One operation of the burst.
#[derive(Debug, Clone)]
pub enum Op {
    /// Deploy this build and promote it.
    Deploy(PathBuf),
    /// Deploy this build without promoting it.
    Preview(PathBuf),
    /// Roll back to a deployment made before the burst, by id.
    RollbackToId(String),
    /// Roll back to a deployment made before the burst, by version.
    RollbackToVersion(u64),
    /// Roll back to a version a deploy of the burst allocates, once that
    /// version is recorded (it may still be building, or be a preview).
    RollbackToNewVersion(u64),
    /// Roll back to the previous deployment.
    RollbackToPrevious,
    /// Promote a preview made before the burst.
    Promote(String),
    /// Add a domain.
    AddDomain(String),
    /// Refresh a domain (attach it once its certificate is issued).
    RefreshDomain(String),
    /// Remove a domain.
    RemoveDomain(String),
}

/// The kinds of [`Op`], for counting and for the allowed errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Deploy,
    Preview,
    RollbackToId,
    RollbackToVersion,
    RollbackToNewVersion,
    RollbackToPrevious,
    Promote,
    AddDomain,
    RefreshDomain,
    RemoveDomain,
}

/// What a successful operation returned.
#[derive(Debug)]
pub enum Outcome {
    /// A deploy or preview: the deployment as recorded.
    Deployed(Deployment),
    /// A rollback.
    RolledBack(Box<RollbackOutcome>),
    /// A promote: the deployment now live.
    Promoted(Deployment),
    /// A domain add or refresh.
    Domain(Domain),
    /// A domain removal.
    Removed,
}

impl Op {
    /// Its kind.
    pub fn kind(&self) -> Kind {
        match self {
            Op::Deploy(_) => Kind::Deploy,
            Op::Preview(_) => Kind::Preview,
            Op::RollbackToId(_) => Kind::RollbackToId,
            Op::RollbackToVersion(_) => Kind::RollbackToVersion,
            Op::RollbackToNewVersion(_) => Kind::RollbackToNewVersion,
            Op::RollbackToPrevious => Kind::RollbackToPrevious,
            Op::Promote(_) => Kind::Promote,
            Op::AddDomain(_) => Kind::AddDomain,
            Op::RefreshDomain(_) => Kind::RefreshDomain,
            Op::RemoveDomain(_) => Kind::RemoveDomain,
        }
    }

    /// Runs it on `project`.
    pub async fn run(&self, a: &Anchor, project: &str) -> Result<Outcome, Error> {
        let reason = format!("{self:?}");
        match self {
            Op::Deploy(dir) => a
                .deployer(project, dir)
                .execute()
                .await
                .map(Outcome::Deployed),
            Op::Preview(dir) => a
                .deployer(project, dir)
                .promote(false)
                .execute()
                .await
                .map(Outcome::Deployed),
            Op::RollbackToId(id) => a
                .rollback(project)
                .to_deployment(id.as_str())
                .reason(reason)
                .execute()
                .await
                .map(|r| Outcome::RolledBack(Box::new(r))),
            Op::RollbackToNewVersion(v) => {
                wait_for_version(a, project, *v).await;
                a.rollback(project)
                    .to_version(*v)
                    .reason(reason)
                    .execute()
                    .await
                    .map(|r| Outcome::RolledBack(Box::new(r)))
            }
            Op::RollbackToVersion(v) => a
                .rollback(project)
                .to_version(*v)
                .reason(reason)
                .execute()
                .await
                .map(|r| Outcome::RolledBack(Box::new(r))),
            Op::RollbackToPrevious => a
                .rollback(project)
                .reason(reason)
                .execute()
                .await
                .map(|r| Outcome::RolledBack(Box::new(r))),
            Op::Promote(id) => a.promote(project, id).await.map(Outcome::Promoted),
            Op::AddDomain(name) => a.domains(project).add(name).await.map(Outcome::Domain),
            Op::RefreshDomain(name) => a.domains(project).refresh(name).await.map(Outcome::Domain),
            Op::RemoveDomain(name) => a
                .domains(project)
                .remove(name)
                .await
                .map(|()| Outcome::Removed),
        }
    }
}

/// Waits (a bounded number of short polls) until `version` of `project`
/// is recorded, so the rollback meets a deployment of the burst rather
/// than nothing; if it never is, the rollback runs anyway and may fail
/// with `NotFound`.
async fn wait_for_version(a: &Anchor, project: &str, version: u64) {
    let name = ProjectName::parse(project).unwrap();
    for _ in 0..500 {
        let found = a
            .backend()
            .store
            .get_deployment_by_version(&name, version)
            .await;
        if matches!(found, Ok(Some(_))) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

impl Kind {
    /// A short name for the figures.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Deploy => "deploy",
            Kind::Preview => "preview",
            Kind::RollbackToId => "rollback-to-id",
            Kind::RollbackToVersion => "rollback-to-version",
            Kind::RollbackToNewVersion => "rollback-to-new-version",
            Kind::RollbackToPrevious => "rollback-to-previous",
            Kind::Promote => "promote",
            Kind::AddDomain => "domain-add",
            Kind::RefreshDomain => "domain-refresh",
            Kind::RemoveDomain => "domain-remove",
        }
    }

    /// Whether a loser of this kind may fail with `e`: only the typed
    /// errors the flows document for a lost race or for a state another
    /// task just changed. Never `Service`, `Io` or `PreconditionFailed`
    /// (a flow turns a lost conditional write into `Conflict`).
    pub fn allows(self, e: &Error) -> bool {
        let conflict = matches!(e, Error::Conflict { .. });
        let invalid_state = matches!(e, Error::InvalidState { .. });
        let not_found = matches!(e, Error::NotFound { .. });
        match self {
            // A deploy loses its promotion (it stays Ready) or, on Lambda,
            // the publish of its version to a concurrent deploy's code
            // update (it is recorded Failed): both `Conflict`. A rollback
            // by version may make it live between its build and its own
            // promotion, which then finds it already live: InvalidState
            // (checks.rs asserts such a switch succeeded).
            Kind::Deploy => conflict || invalid_state,
            Kind::Preview => conflict,
            // The target may have been made live by another switch.
            Kind::RollbackToId | Kind::RollbackToVersion | Kind::Promote => {
                conflict || invalid_state
            }
            // The target may not be recorded yet (NotFound) or still be
            // building (InvalidState); "previous" may not exist once a
            // rollback made the oldest deployment live (NotFound).
            Kind::RollbackToNewVersion | Kind::RollbackToPrevious => {
                conflict || invalid_state || not_found
            }
            // Another task's removal has started (InvalidState "removing").
            Kind::AddDomain => conflict || invalid_state,
            // Another task removed it (NotFound) or is removing it, or no
            // issued certificate covers the aliases left (InvalidState).
            Kind::RefreshDomain | Kind::RemoveDomain => conflict || invalid_state || not_found,
        }
    }
}
