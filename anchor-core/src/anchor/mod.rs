//! [`Anchor`]: the entry point that wires a backend into the flows.

mod builder;
#[cfg(feature = "local")]
mod local;

use std::path::Path;
use std::sync::Arc;

pub use builder::AnchorBuilder;
#[cfg(feature = "local")]
pub use local::LocalOptions;

use crate::error::Result;
use crate::flows::prune::{PruneOptions, PruneReport};
use crate::flows::{
    self, Deployer, DomainManager, FlowContext, PreviewAddress, RecoveryReport, Rollback, Rollouts,
};
use crate::model::{
    CdnRoute, Deployment, DeploymentId, Infrastructure, Listing, Page, PageRequest, Project,
    ProjectName, RetentionPolicy, RollbackEvent, SkewPolicy,
};
use crate::opennext::OpenNextBuild;
use crate::traits::{Backend, Expect, ProvisionOptions, WriteBatch};

/// Deploys, rolls back and manages domains of projects on one backend.
///
/// Build one with [`Anchor::builder`] over any [`Backend`], or with the
/// shortcuts [`Anchor::local`] and [`Anchor::aws`]. Cheap to clone; clones
/// share the backend, the clock, the settings and the caches.
#[derive(Debug, Clone)]
pub struct Anchor {
    flows: Arc<FlowContext>,
    #[cfg(feature = "local")]
    local: Option<crate::local::LocalCloud>,
    #[cfg(feature = "aws")]
    aws_config: Option<aws_config::SdkConfig>,
}

impl Anchor {
    /// A builder of an `Anchor` over `backend`: the only way to wire a
    /// backend (or a wrapper of one, such as [`crate::fault::wrap`]) into
    /// the flows. Building again over `anchor.backend().clone()` gives an
    /// `Anchor` that shares the records and objects but starts with empty
    /// caches, as a fresh process would.
    pub fn builder(backend: Backend) -> AnchorBuilder {
        AnchorBuilder::new(backend)
    }

    /// Opens the AWS backend: one `SdkConfig` from the standard chain and
    /// `options.connection`, the DynamoDB tables (created if missing and
    /// allowed), and clients for S3, Lambda, CloudFront and ACM (us-east-1).
    /// The flows get the system clock, and default settings but for
    /// `options.domain_limits`; for others,
    /// use [`Anchor::builder`] over [`crate::aws::open_backend`].
    #[cfg(feature = "aws")]
    pub async fn aws(options: crate::aws::AwsOptions) -> Result<Self> {
        let config = options.connection.load().await;
        Self::aws_with_config(&config, &options).await
    }

    /// Opens the AWS backend with an `SdkConfig` you loaded yourself (for
    /// example with a credentials provider of your own). Region, endpoint,
    /// retry and timeout settings come from `config`; `options.connection`
    /// is not consulted. Start from [`crate::aws::AwsConnection::loader`] to
    /// keep Anchor's explicit retry settings.
    #[cfg(feature = "aws")]
    pub async fn aws_with_config(
        config: &aws_config::SdkConfig,
        options: &crate::aws::AwsOptions,
    ) -> Result<Self> {
        let settings = crate::flows::FlowSettings {
            domain_limits: options.domain_limits,
            ..Default::default()
        };
        Ok(
            Self::builder(crate::aws::open_backend(config, options).await?)
                .aws_config(config.clone())
                .settings(settings)
                .build(),
        )
    }

    /// The local cloud behind the embedded default, for its extra controls
    /// (such as validating a certificate); `None` on other backends.
    #[cfg(feature = "local")]
    pub fn local_cloud(&self) -> Option<&crate::local::LocalCloud> {
        self.local.as_ref()
    }

    /// A rollout health gate on the named CloudWatch alarms, read with this
    /// `Anchor`'s AWS configuration. Fails with `InvalidInput` naming
    /// `alarms` on an `Anchor` not opened on AWS (or built without its
    /// configuration: see [`AnchorBuilder::aws_config`]), and as
    /// [`crate::aws::AlarmGate::new`] for bad names.
    #[cfg(feature = "aws")]
    pub fn alarm_gate(&self, alarms: Vec<String>) -> Result<crate::aws::AlarmGate> {
        match &self.aws_config {
            Some(config) => crate::aws::AlarmGate::new(config, alarms),
            None => Err(crate::Error::invalid_input(
                "alarms",
                "the alarm gate reads CloudWatch, and this Anchor is not opened on AWS",
            )),
        }
    }

    /// The backend this `Anchor` runs on; clone it to wrap it or to build
    /// another `Anchor` over it.
    pub fn backend(&self) -> &Backend {
        &self.flows.backend
    }

    /// Creates a project and provisions its infrastructure, recording the
    /// object store's location with it. Idempotent: creating an existing
    /// project returns it unchanged, except that a project provisioned
    /// before the edge router is upgraded in place to route through it
    /// (its live deployment keeps serving throughout; see
    /// `docs/aws.md`). On an object store other than the one
    /// the project records (on AWS, another bucket) it fails with
    /// `InvalidState` naming both. A record written before Anchor kept the
    /// location gets this store's, if this store holds the live
    /// deployment's manifest (or nothing is live); otherwise `InvalidState`.
    pub async fn create_project(&self, name: &str) -> Result<Project> {
        self.create_project_with(name, ProvisionOptions::default())
            .await
    }

    /// Creates a project with explicit provisioning options: the CDN routes
    /// of a build (see [`Anchor::routes_of_build`]) or existing resources
    /// to adopt (bring-your-own; their `asset_location` is ignored, this
    /// store's is recorded). Idempotent, and checked against the object
    /// store, like [`Anchor::create_project`].
    pub async fn create_project_with(
        &self,
        name: &str,
        options: ProvisionOptions,
    ) -> Result<Project> {
        let name = ProjectName::parse(name)?;
        if let Some(existing) = self.flows.backend.store.get_project(&name).await? {
            let adopted = flows::location::adopt_current_store(&self.flows, existing).await?;
            return flows::upgrade::converge_router(&self.flows, adopted).await;
        }
        let mut options = options;
        if options.existing.is_none() && options.router_pair.is_none() {
            options.router_pair =
                flows::router_pairs::choose_router_pair(&self.flows, &name).await?;
        }
        let infrastructure = self
            .flows
            .backend
            .provisioner
            .provision(&name, &options)
            .await?;
        let project = Project {
            name: name.clone(),
            // The object store's own word wins over the provisioner's:
            // it is where this Anchor writes.
            infrastructure: Infrastructure {
                asset_location: Some(self.flows.backend.objects.location()),
                ..infrastructure
            },
            created_at: self.flows.clock.now(),
            active_deployment: None,
            last_switch: None,
            last_rollback_sequence: Some(0),
            rollout: None,
            skew_policy: None,
            retention: None,
            open_skew_windows: Vec::new(),
            revision: 1,
        };
        let batch = WriteBatch {
            project: Some((project.clone(), Expect::Absent)),
            ..WriteBatch::default()
        };
        match self.flows.backend.store.commit(batch).await {
            Ok(()) => Ok(project),
            // Created concurrently, or our reply was lost: either way it
            // exists, and may have been created from another store.
            Err(err) => match self.flows.backend.store.get_project(&name).await? {
                Some(found) => flows::location::adopt_current_store(&self.flows, found).await,
                None => Err(err),
            },
        }
    }

    /// The CDN routes of the OpenNext build in `build_dir`, in precedence
    /// order, for [`ProvisionOptions::routes`].
    pub async fn routes_of_build(build_dir: impl AsRef<Path>) -> Result<Vec<CdnRoute>> {
        let build = OpenNextBuild::read_async(build_dir.as_ref().to_path_buf()).await?;
        Ok(build.output().cdn_routes())
    }

    /// Reads a project.
    pub async fn project(&self, name: &str) -> Result<Project> {
        self.flows.project(&ProjectName::parse(name)?).await
    }

    /// A deployer of the OpenNext build in `build_dir` (the `.open-next` folder).
    pub fn deployer(&self, project: &str, build_dir: impl AsRef<Path>) -> Deployer {
        Deployer::new(self.flows.clone(), project, build_dir.as_ref())
    }

    /// Makes a built deployment (such as a preview) live.
    pub async fn promote(&self, project: &str, deployment: &str) -> Result<Deployment> {
        let name = ProjectName::parse(project)?;
        let id = DeploymentId::parse(deployment)?;
        flows::promote::promote(&self.flows, &name, &id, None).await
    }

    /// A rollback of `project`, to the previous deployment unless told otherwise.
    pub fn rollback(&self, project: &str) -> Rollback {
        Rollback::new(self.flows.clone(), project)
    }

    /// Where deployment `version` of `project` is reachable, promoted or
    /// not: a URL on the distribution's host, its own host on a wildcard
    /// domain, and the header for tools. `NotFound` for a version the
    /// project never had; `InvalidState` for a pruned one.
    pub async fn preview_address(&self, project: &str, version: u64) -> Result<PreviewAddress> {
        let name = ProjectName::parse(project)?;
        flows::preview_address::preview_address(&self.flows, &name, version).await
    }

    /// Sets `project`'s skew protection policy (one conditional write of
    /// the project record); it applies from the next switch on: the window
    /// the next leaving deployment gets, and how many stay open. Returns
    /// the project as recorded.
    pub async fn set_skew_policy(&self, project: &str, policy: SkewPolicy) -> Result<Project> {
        let name = ProjectName::parse(project)?;
        flows::skew::set_policy(&self.flows, &name, policy).await
    }

    /// Sets `project`'s retention policy (one conditional write of the
    /// project record); it applies from the next [`Anchor::prune`] on, and
    /// with `after_deploy`, after every deploy. Returns the project as
    /// recorded.
    pub async fn set_retention_policy(
        &self,
        project: &str,
        policy: RetentionPolicy,
    ) -> Result<Project> {
        let name = ProjectName::parse(project)?;
        flows::prune::policy::set_policy(&self.flows, &name, policy).await
    }

    /// Prunes `project` under its retention policy: deletes what the
    /// deployments it no longer keeps alone hold (function versions, their
    /// aliases and URLs, objects, routing entries) and marks each `pruned`,
    /// keeping the record. Never touches the live deployment, a running
    /// rollout, an open skew window, the next rollback's target, a version
    /// a `live` alias points at, or a deploy under way. With
    /// [`PruneOptions::dry_run`] it only reports. Finishes first any
    /// pruning an earlier run left halfway; a crash midway is finished by
    /// the next call or [`Anchor::recover`]. A concurrent switch or rollout
    /// start makes it fail with `Conflict`, having pruned only what it
    /// reported before.
    pub async fn prune(&self, project: &str, options: PruneOptions) -> Result<PruneReport> {
        let name = ProjectName::parse(project)?;
        flows::prune::prune(&self.flows, &name, options).await
    }

    /// The gradual rollouts of `project`: start one, look where it stands,
    /// drive it with a health gate, or advance, complete or abort it.
    pub fn rollouts(&self, project: &str) -> Rollouts {
        Rollouts::new(self.flows.clone(), project)
    }

    /// The domain manager of `project`.
    pub fn domains(&self, project: &str) -> DomainManager {
        DomainManager::new(self.flows.clone(), project)
    }

    /// The deployment that is live, read with read-your-writes consistency.
    pub async fn active_deployment(&self, project: &str) -> Result<Option<Deployment>> {
        let name = ProjectName::parse(project)?;
        let project = self.flows.project(&name).await?;
        match project.active_deployment {
            Some(id) => Ok(Some(self.flows.deployment(&name, &id).await?)),
            None => Ok(None),
        }
    }

    /// One deployment by id.
    pub async fn deployment(&self, project: &str, id: &str) -> Result<Deployment> {
        let name = ProjectName::parse(project)?;
        self.flows
            .deployment(&name, &DeploymentId::parse(id)?)
            .await
    }

    /// The deployment history, newest first, one page at a time. Fails
    /// with `NotFound` if the project does not exist, and with
    /// `InvalidInput` naming `cursor` for a cursor not issued by this
    /// listing of this project.
    pub async fn history(&self, project: &str, page: &PageRequest) -> Result<Page<Deployment>> {
        let name = ProjectName::parse(project)?;
        page.validate()?;
        let page = Listing::Deployments.unscope(&name, page)?;
        let listed = self
            .flows
            .backend
            .store
            .list_deployments(&name, &page)
            .await?;
        self.exists_unless_listed(&name, listed.items.is_empty())
            .await?;
        Ok(Listing::Deployments.scope(&name, listed))
    }

    /// The rollback history, newest first, one page at a time. Fails with
    /// `NotFound` if the project does not exist, and with `InvalidInput`
    /// naming `cursor` for a cursor not issued by this listing of this
    /// project.
    pub async fn rollback_history(
        &self,
        project: &str,
        page: &PageRequest,
    ) -> Result<Page<RollbackEvent>> {
        let name = ProjectName::parse(project)?;
        page.validate()?;
        let page = Listing::Rollbacks.unscope(&name, page)?;
        let listed = self
            .flows
            .backend
            .store
            .list_rollbacks(&name, &page)
            .await?;
        self.exists_unless_listed(&name, listed.items.is_empty())
            .await?;
        Ok(Listing::Rollbacks.scope(&name, listed))
    }

    /// Deployments and rollback events are only recorded for a project that
    /// exists, and projects are never deleted, so a page with items proves
    /// the project exists. Only an empty page needs the project read, to
    /// tell "nothing yet" from `NotFound`: a listing costs one call.
    async fn exists_unless_listed(&self, name: &ProjectName, empty: bool) -> Result<()> {
        if empty {
            self.flows.project(name).await?;
        }
        Ok(())
    }

    /// Finishes or undoes what a crash left in progress, in a fixed order:
    /// the interrupted switch, then the rollout's last decision (the
    /// router's pointer brought into line with the record), then
    /// deployments stuck in progress, then interrupted domain removals and
    /// additions. Running it again changes
    /// nothing more; see [`RecoveryReport`].
    pub async fn recover(&self, project: &str) -> Result<RecoveryReport> {
        let name = ProjectName::parse(project)?;
        let mut report = flows::recover::recover(&self.flows, &name).await?;
        let domains = self.domains(project).resume_interrupted().await?;
        report.finished_domain_removals = domains.finished_removals;
        report.resumed_domain_additions = domains.resumed_additions;
        Ok(report)
    }
}

/// The bindings run these futures on other threads (PyO3, napi), so every
/// public flow must stay `Send`; this fails to compile if one is not.
#[allow(dead_code)]
fn public_futures_are_send(a: &Anchor, d: &Deployer, r: &Rollback, m: &DomainManager) {
    fn is_send<T: Send>(_: T) {}
    is_send(a.create_project(""));
    is_send(a.promote("", ""));
    is_send(a.recover(""));
    is_send(a.history("", &crate::model::PageRequest::default()));
    is_send(a.active_deployment(""));
    is_send(d.execute());
    is_send(d.plan());
    is_send(r.execute());
    is_send(m.add(""));
    is_send(m.refresh(""));
    is_send(m.remove(""));
    is_send(m.list());
}
