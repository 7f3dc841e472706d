//! [`Anchor`]: the entry point that wires a backend into the flows.

use std::path::Path;
use std::sync::Arc;

use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::flows::{
    self, Deployer, DomainManager, FlowSettings, RecoveryReport, Rollback, Services,
};
use crate::model::{
    CdnRoute, Deployment, DeploymentId, Infrastructure, Listing, Page, PageRequest, Project,
    ProjectName, RollbackEvent,
};
use crate::opennext::OpenNextBuild;
use crate::traits::{Expect, ProvisionOptions, WriteBatch};

/// Deploys, rolls back and manages domains of projects on one backend.
///
/// Cheap to clone; clones share the backend.
#[derive(Debug, Clone)]
pub struct Anchor {
    svc: Arc<Services>,
    #[cfg(feature = "local")]
    local: Option<crate::local::LocalCloud>,
}

/// Options of [`Anchor::local_with`].
#[cfg(feature = "local")]
#[derive(Debug, Clone)]
pub struct LocalOptions {
    /// Time source; the system clock by default.
    pub clock: Arc<dyn Clock>,
    /// Issue local certificates automatically this long after they are
    /// requested; `None` (the default) waits for an explicit
    /// [`crate::local::LocalCertificates::validate`].
    pub auto_issue_after: Option<chrono::Duration>,
    /// Tunables of the flows.
    pub settings: FlowSettings,
    /// Provision new projects' distributions with the edge router (the
    /// default). `false` provisions them as Anchor did before the router:
    /// behaviours from the build, to the `live` aliases, as the AWS backend
    /// still does; for testing that path and upgrades from it.
    pub router: bool,
}

#[cfg(feature = "local")]
impl Default for LocalOptions {
    fn default() -> Self {
        Self {
            clock: Arc::new(SystemClock),
            auto_issue_after: None,
            settings: FlowSettings::default(),
            router: true,
        }
    }
}

impl Anchor {
    /// Opens the embedded default in `dir` (created if missing): SQLite
    /// records in `dir/state.db`, local objects, functions, CDN and CA in
    /// `dir/cloud`.
    #[cfg(feature = "local")]
    pub async fn local(dir: impl AsRef<Path>) -> Result<Self> {
        Self::local_with(dir, LocalOptions::default()).await
    }

    /// Opens the embedded default with options.
    #[cfg(feature = "local")]
    pub async fn local_with(dir: impl AsRef<Path>, options: LocalOptions) -> Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        let clock = options.clock.clone();
        let auto_issue_after = options.auto_issue_after;
        let (store, cloud) = tokio::task::spawn_blocking(move || {
            let store = crate::local::SqliteStateStore::open(&dir)?;
            let cloud_options = crate::local::LocalCloudOptions {
                auto_issue_after,
                without_router: !options.router,
            };
            let cloud =
                crate::local::LocalCloud::open_with(dir.join("cloud"), clock, cloud_options)?;
            Ok::<_, Error>((store, cloud))
        })
        .await
        .map_err(|e| {
            Error::service("local", crate::Service::StateStore, "Open", e.to_string())
        })??;
        let mut anchor = Self::from_services(Services {
            store: Arc::new(store),
            objects: Arc::new(cloud.objects()),
            functions: Arc::new(cloud.functions()),
            cdn: Arc::new(cloud.cdn()),
            certificates: Arc::new(cloud.certificates()),
            kvs: Arc::new(cloud.kvs()),
            // The local edge gives its workers their queue and tag table.
            revalidation: Arc::new(cloud.revalidation()),
            provisioner: Arc::new(cloud.provisioner()),
            clock: options.clock,
            settings: options.settings,
            manifests: Default::default(),
            records: Default::default(),
        });
        anchor.local = Some(cloud);
        Ok(anchor)
    }

    /// Opens the AWS backend: one `SdkConfig` from the standard chain and
    /// `options.connection`, the DynamoDB tables (created if missing and
    /// allowed), and clients for S3, Lambda, CloudFront and ACM (us-east-1).
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
        Ok(Self::from_services(
            crate::aws::backend::services(config, options).await?,
        ))
    }

    /// Wires any backend (such as the AWS clients, or a fault-injecting
    /// wrapper of another backend) into the flows.
    pub fn from_services(services: Services) -> Self {
        Self {
            svc: Arc::new(services),
            #[cfg(feature = "local")]
            local: None,
        }
    }

    /// The local cloud behind the embedded default, for its extra controls
    /// (such as validating a certificate); `None` on other backends.
    #[cfg(feature = "local")]
    pub fn local_cloud(&self) -> Option<&crate::local::LocalCloud> {
        self.local.as_ref()
    }

    /// The backend this `Anchor` runs on; clone it to wrap it or to wire
    /// it into another `Anchor`.
    pub fn services(&self) -> &Services {
        &self.svc
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
        if let Some(existing) = self.svc.store.get_project(&name).await? {
            let adopted = flows::location::adopt_current_store(&self.svc, existing).await?;
            return flows::upgrade::converge_router(&self.svc, adopted).await;
        }
        let mut options = options;
        if options.existing.is_none() && options.router_pair.is_none() {
            options.router_pair = flows::router_pairs::choose_router_pair(&self.svc, &name).await?;
        }
        let infrastructure = self.svc.provisioner.provision(&name, &options).await?;
        let project = Project {
            name: name.clone(),
            // The object store's own word wins over the provisioner's:
            // it is where this Anchor writes.
            infrastructure: Infrastructure {
                asset_location: Some(self.svc.objects.location()),
                ..infrastructure
            },
            created_at: self.svc.clock.now(),
            active_deployment: None,
            last_switch: None,
            last_rollback_sequence: Some(0),
            revision: 1,
        };
        let batch = WriteBatch {
            project: Some((project.clone(), Expect::Absent)),
            ..WriteBatch::default()
        };
        match self.svc.store.commit(batch).await {
            Ok(()) => Ok(project),
            // Created concurrently, or our reply was lost: either way it
            // exists, and may have been created from another store.
            Err(err) => match self.svc.store.get_project(&name).await? {
                Some(found) => flows::location::adopt_current_store(&self.svc, found).await,
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
        self.svc.project(&ProjectName::parse(name)?).await
    }

    /// A deployer of the OpenNext build in `build_dir` (the `.open-next` folder).
    pub fn deployer(&self, project: &str, build_dir: impl AsRef<Path>) -> Deployer {
        Deployer::new(self.svc.clone(), project, build_dir.as_ref())
    }

    /// Makes a built deployment (such as a preview) live.
    pub async fn promote(&self, project: &str, deployment: &str) -> Result<Deployment> {
        let name = ProjectName::parse(project)?;
        let id = DeploymentId::parse(deployment)?;
        flows::promote::promote(&self.svc, &name, &id, None).await
    }

    /// A rollback of `project`, to the previous deployment unless told otherwise.
    pub fn rollback(&self, project: &str) -> Rollback {
        Rollback::new(self.svc.clone(), project)
    }

    /// The domain manager of `project`.
    pub fn domains(&self, project: &str) -> DomainManager {
        DomainManager::new(self.svc.clone(), project)
    }

    /// The deployment that is live, read with read-your-writes consistency.
    pub async fn active_deployment(&self, project: &str) -> Result<Option<Deployment>> {
        let name = ProjectName::parse(project)?;
        let project = self.svc.project(&name).await?;
        match project.active_deployment {
            Some(id) => Ok(Some(self.svc.deployment(&name, &id).await?)),
            None => Ok(None),
        }
    }

    /// One deployment by id.
    pub async fn deployment(&self, project: &str, id: &str) -> Result<Deployment> {
        let name = ProjectName::parse(project)?;
        self.svc.deployment(&name, &DeploymentId::parse(id)?).await
    }

    /// The deployment history, newest first, one page at a time. Fails
    /// with `NotFound` if the project does not exist, and with
    /// `InvalidInput` naming `cursor` for a cursor not issued by this
    /// listing of this project.
    pub async fn history(&self, project: &str, page: &PageRequest) -> Result<Page<Deployment>> {
        let name = ProjectName::parse(project)?;
        page.validate()?;
        let page = Listing::Deployments.unscope(&name, page)?;
        let listed = self.svc.store.list_deployments(&name, &page).await?;
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
        let listed = self.svc.store.list_rollbacks(&name, &page).await?;
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
            self.svc.project(name).await?;
        }
        Ok(())
    }

    /// Finishes or undoes what a crash left in progress, in a fixed order:
    /// the interrupted switch, then deployments stuck in progress, then
    /// interrupted domain removals and additions. Running it again changes
    /// nothing more; see [`RecoveryReport`].
    pub async fn recover(&self, project: &str) -> Result<RecoveryReport> {
        let name = ProjectName::parse(project)?;
        let mut report = flows::recover::recover(&self.svc, &name).await?;
        let domains = self.domains(project).resume_interrupted().await?;
        report.finished_domain_removals = domains.finished_removals;
        report.resumed_domain_additions = domains.resumed_additions;
        Ok(report)
    }
}
