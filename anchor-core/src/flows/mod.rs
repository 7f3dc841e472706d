//! The state machine, written once over the traits: deploy, promote,
//! rollback, domains and recovery. Nothing here names a backend.

mod cache;
pub mod deploy;
pub mod domains;
mod invalidate;
pub(crate) mod location;
pub(crate) mod manifest;
pub(crate) mod preview_address;
mod project_policy;
pub(crate) mod promote;
pub mod prune;
mod records;
pub mod recover;
pub mod rollback;
pub mod rollout;
pub(crate) mod router_pairs;
mod routing;
pub(crate) mod skew;
mod switch;
pub(crate) mod upgrade;

use std::sync::Arc;
use std::time::Duration;

use crate::clock::Clock;
use crate::error::{Error, ResourceKind, Result};
use crate::model::{Deployment, DeploymentId, DomainLimits, Project, ProjectName, RouterCapacity};
use crate::opennext::BundleLimits;
use crate::traits::Backend;

use cache::{ManifestCache, RecordCache};
pub use deploy::{DeployPlan, Deployer, PlannedAction, PlannedAsset};
pub use domains::DomainManager;
pub use preview_address::PreviewAddress;
pub use recover::RecoveryReport;
pub use rollback::{Rollback, RollbackOutcome, RollbackTarget};
pub use rollout::Rollouts;

/// Tunables shared by the flows.
#[derive(Debug, Clone)]
pub struct FlowSettings {
    /// Concurrent asset uploads or copies.
    pub upload_concurrency: usize,
    /// A live switch older than this is treated as interrupted and recovered
    /// by the next operation; a younger one makes that operation a conflict.
    pub stale_switch_after: Duration,
    /// A deployment in progress for longer than this is treated as
    /// interrupted by `recover`.
    pub stale_deployment_after: Duration,
    /// How often an If-Match update is retried on a stale ETag.
    pub etag_retries: u32,
    /// The size limits every function bundle must respect before anything
    /// is recorded or uploaded; Lambda's (50 MiB zipped, 250 MiB unzipped)
    /// by default. Lower them to keep functions small; raising them above
    /// Lambda's only moves the refusal to the AWS backend.
    pub bundle_limits: BundleLimits,
    /// How many projects an edge router pair takes before `create_project`
    /// (and an upgrade) opens the next one, and the account's quotas a new
    /// pair must fit in; CloudFront's defaults (`docs/router.md`).
    pub router_capacity: RouterCapacity,
    /// The quotas custom domains are held to: AWS's defaults unless the
    /// account's were raised (`docs/domains-at-scale.md`). Past one, `add`
    /// fails with `Error::QuotaExceeded` and changes nothing.
    pub domain_limits: DomainLimits,
}

impl Default for FlowSettings {
    fn default() -> Self {
        Self {
            upload_concurrency: 16,
            stale_switch_after: Duration::from_secs(60),
            stale_deployment_after: Duration::from_secs(30 * 60),
            etag_retries: 5,
            bundle_limits: BundleLimits::LAMBDA,
            router_capacity: RouterCapacity::default(),
            domain_limits: DomainLimits::default(),
        }
    }
}

/// What every flow runs with: the backend's clients, and this process's
/// clock, tunables and caches. Built once per entry point with
/// [`FlowContext::new`], which starts the caches empty, so no caller ever
/// wires a cache by hand.
#[derive(Debug)]
pub(crate) struct FlowContext {
    /// The clients.
    pub(crate) backend: Backend,
    /// Time.
    pub(crate) clock: Arc<dyn Clock>,
    /// Tunables.
    pub(crate) settings: FlowSettings,
    /// Immutable manifests already read or written.
    pub(crate) manifests: ManifestCache,
    /// Records this process last committed, as hints for the next switch.
    pub(crate) records: RecordCache,
}

impl FlowContext {
    /// A context over `backend` with empty caches.
    pub(crate) fn new(backend: Backend, clock: Arc<dyn Clock>, settings: FlowSettings) -> Self {
        Self {
            backend,
            clock,
            settings,
            manifests: ManifestCache::default(),
            records: RecordCache::default(),
        }
    }

    /// Reads a project or fails with `NotFound`.
    pub(crate) async fn project(&self, name: &ProjectName) -> Result<Project> {
        self.backend
            .store
            .get_project(name)
            .await?
            .ok_or_else(|| Error::not_found(ResourceKind::Project, name.as_str()))
    }

    /// Reads a deployment of `project` or fails with `NotFound`.
    pub(crate) async fn deployment(
        &self,
        project: &ProjectName,
        id: &DeploymentId,
    ) -> Result<Deployment> {
        self.backend
            .store
            .get_deployment(project, id)
            .await?
            .ok_or_else(|| Error::not_found(ResourceKind::Deployment, id.as_str()))
    }
}

/// Turns a lost conditional write into the conflict a caller expects.
pub(crate) fn lost_race(project: &ProjectName, err: Error) -> Error {
    match err {
        Error::PreconditionFailed { kind, id, reason } => Error::conflict(
            kind,
            id,
            format!("another operation on project {project} changed it first ({reason})"),
        ),
        other => other,
    }
}
