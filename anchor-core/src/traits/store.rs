use async_trait::async_trait;

use crate::error::Result;
use crate::model::{
    Deployment, Domain, DomainName, Page, PageRequest, Project, ProjectName, RollbackEvent,
};

/// The condition a write must meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// The record must not exist yet.
    Absent,
    /// The stored record must have this revision. The written record carries
    /// its own (new) revision.
    Revision(u64),
}

/// A change to a domain record inside a [`WriteBatch`].
// A batch holds a handful of writes, so the size gap between the variants
// costs nothing worth making every caller box the domain for.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum DomainWrite {
    /// Create or replace the record under the condition.
    Put(Domain, Expect),
    /// Delete the record if it still has this revision.
    Delete {
        /// The domain to delete.
        name: DomainName,
        /// The revision it must have.
        expected_revision: u64,
    },
}

/// Writes applied together, all or nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WriteBatch {
    /// A project record and its condition.
    pub project: Option<(Project, Expect)>,
    /// Deployment records and their conditions.
    pub deployments: Vec<(Deployment, Expect)>,
    /// Domain changes.
    pub domains: Vec<DomainWrite>,
    /// A rollback event to append; its `(project, sequence)` must be new.
    pub rollback_event: Option<RollbackEvent>,
    /// A rollback event to remove, by project and sequence; it must exist.
    /// Only a switch undoing itself (its aliases could not be moved) does
    /// this, so the history never shows a rollback that did not happen.
    pub retracted_rollback_event: Option<(ProjectName, u64)>,
}

/// Where projects, deployments, domains and rollback events are recorded.
///
/// Every implementation guarantees:
/// - **Conditional writes.** [`StateStore::commit`] applies all of its
///   writes or none. If any condition fails it changes nothing and returns
///   `Error::PreconditionFailed` naming the first record whose condition
///   failed. Of two commits expecting the same revision, at most one wins.
/// - **Domain names are unique across projects.** A domain record is keyed
///   by its name alone, so `Expect::Absent` fails if any project holds it.
/// - **Read-your-writes.** Once `commit` returns, every read through this
///   store (including the active deployment on the project record) sees it.
/// - **A version counter that never repeats.** [`StateStore::allocate_version`]
///   returns 1, 2, 3, ... per project and never the same number twice, even
///   under concurrent callers or after a failed deployment.
/// - **Newest-first pages that stay stable.** Listings are ordered by their
///   numeric key descending; a cursor resumes strictly after the last item.
#[async_trait]
pub trait StateStore: Send + Sync + std::fmt::Debug {
    /// Applies `batch` atomically under its conditions.
    async fn commit(&self, batch: WriteBatch) -> Result<()>;

    /// Reads a project.
    async fn get_project(&self, name: &ProjectName) -> Result<Option<Project>>;

    /// Every project, in name order: what `create_project` counts the
    /// projects bound to each edge router pair from. Each record is as
    /// consistent as [`StateStore::get_project`]'s; the list as a whole is
    /// not a snapshot (a project committed during the call may be missed).
    async fn list_projects(&self) -> Result<Vec<Project>>;

    /// Returns the next deployment version number of `project`.
    async fn allocate_version(&self, project: &ProjectName) -> Result<u64>;

    /// Reads a deployment by id; `None` if it is not a deployment of `project`.
    async fn get_deployment(
        &self,
        project: &ProjectName,
        id: &crate::model::DeploymentId,
    ) -> Result<Option<Deployment>>;

    /// Reads a deployment by its version number.
    async fn get_deployment_by_version(
        &self,
        project: &ProjectName,
        version: u64,
    ) -> Result<Option<Deployment>>;

    /// Lists deployments, highest version first.
    async fn list_deployments(
        &self,
        project: &ProjectName,
        page: &PageRequest,
    ) -> Result<Page<Deployment>>;

    /// Lists rollback events, newest first.
    async fn list_rollbacks(
        &self,
        project: &ProjectName,
        page: &PageRequest,
    ) -> Result<Page<RollbackEvent>>;

    /// Reads a domain by name, whichever project holds it.
    async fn get_domain(&self, name: &DomainName) -> Result<Option<Domain>>;

    /// Lists a project's domains, oldest first.
    async fn list_domains(&self, project: &ProjectName) -> Result<Vec<Domain>>;
}
