//! [`Deployer`]: read an OpenNext build, plan, upload, publish, record and
//! (optionally) promote, so that nothing live changes unless every step
//! before promotion succeeded.

mod live_url;
mod plan;
mod publish;
mod revalidation;
mod upload;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use plan::{DeployPlan, PlannedAction, PlannedAsset};

use super::promote::promote;
use super::records::{commit_verified_deployment, save_deployment};
use super::{location, manifest, rollout, routing, FlowContext};
use crate::error::{Error, Result};
use crate::model::asset_manifest;
use crate::model::{
    Deployment, DeploymentId, DeploymentStatus, FunctionSettings, OriginSecret, Project,
    ProjectName, RolloutPlan, SiteFunctionSettings, ORIGIN_SECRET_ENV,
};
use crate::opennext::{
    package_bundle_with_files_async, package_bundle_with_limits_async, AddedFile, OpenNextBuild,
    OriginGuard, GUARD_FILE, GUARD_HANDLER,
};
use crate::progress::{Phase, ProgressEvent, ProgressFn};
use crate::traits::Expect;

/// The progress note of a build without a Next.js `deploymentId`.
pub const NO_DEPLOYMENT_ID_NOTE: &str =
    "the build has no Next.js deploymentId, so it deploys without \
     skew protection: set deploymentId in next.config, or NEXT_DEPLOYMENT_ID for next build \
     (Next 16 copies it)";

/// Deploys one OpenNext build of a project. Build it with
/// [`crate::Anchor::deployer`], set options, then call [`Deployer::plan`]
/// for a dry run or [`Deployer::execute`].
#[derive(Clone)]
pub struct Deployer {
    svc: Arc<FlowContext>,
    project: String,
    build_dir: PathBuf,
    promote: bool,
    progress: Option<ProgressFn>,
    function_settings: Option<SiteFunctionSettings>,
    rollout: Option<RolloutPlan>,
}

impl std::fmt::Debug for Deployer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deployer")
            .field("project", &self.project)
            .field("build_dir", &self.build_dir)
            .field("promote", &self.promote)
            .field("function_settings", &self.function_settings)
            .field("rollout", &self.rollout)
            .finish_non_exhaustive()
    }
}

impl Deployer {
    pub(crate) fn new(svc: Arc<FlowContext>, project: &str, build_dir: &Path) -> Self {
        Self {
            svc,
            project: project.to_string(),
            build_dir: build_dir.to_path_buf(),
            promote: true,
            progress: None,
            function_settings: None,
            rollout: None,
        }
    }

    /// Whether the deployment goes live once built (the default). With
    /// `false` it is a preview: built and recorded, nothing live changes.
    pub fn promote(mut self, promote: bool) -> Self {
        self.promote = promote;
        self
    }

    /// Rolls the deployment out gradually by `plan` instead of promoting it
    /// at once: once built, the router gives the plan's first share of
    /// visitors to it (see [`crate::Anchor::rollouts`] to drive, advance,
    /// complete or abort it). The project's first deployment, with nothing
    /// live to roll out from, is promoted at once. Refused before anything
    /// is recorded with `InvalidInput` naming `rollout` for a preview
    /// (`promote(false)`), and with `InvalidState` while another rollout
    /// runs or on a project without the edge router.
    pub fn rollout(mut self, plan: RolloutPlan) -> Self {
        self.rollout = Some(plan);
        self
    }

    /// The memory, timeout, runtime and architecture of the functions.
    /// Without them (the default) each function keeps what it has: SST's
    /// defaults from `create_project`, or what an earlier deploy set. With
    /// them the deploy checks them before anything is recorded (an
    /// `InvalidInput` names the field, such as `server.memory_mb`),
    /// reconciles each function whose configuration differs with one
    /// configuration update, and publishes versions that run with them;
    /// a function that already matches gets no update.
    pub fn function_settings(mut self, settings: SiteFunctionSettings) -> Self {
        self.function_settings = Some(settings);
        self
    }

    /// Receives progress events while the deploy runs.
    pub fn on_progress(mut self, f: impl Fn(&ProgressEvent) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }

    /// Receives progress events through a shared callback.
    pub fn progress_fn(mut self, f: Option<ProgressFn>) -> Self {
        self.progress = f;
        self
    }

    /// The dry run: reads the build and compares it with what the store
    /// already has. Writes nothing anywhere. Fails like [`Deployer::execute`]
    /// on a store other than the project's.
    pub async fn plan(&self) -> Result<DeployPlan> {
        let name = ProjectName::parse(&self.project)?;
        let project = self.svc.project(&name).await?;
        location::ensure_writable_store(&self.svc, &project).await?;
        self.make_plan(&project).await
    }

    /// Runs the deploy. Returns the deployment as finally recorded: `Live`
    /// if promoted, `Ready` for a preview. On failure before promotion the
    /// deployment is recorded as `Failed` with the cause and the error is
    /// returned; what was live stays live. If promotion loses to a concurrent
    /// switch, the error is `Conflict` and the deployment stays `Ready`, to be
    /// promoted later with [`crate::Anchor::promote`].
    ///
    /// On an object store other than the one the project records (on AWS,
    /// an `Anchor` opened with another bucket) it fails with `InvalidState`
    /// naming both before anything is written, recorded or published. For
    /// a record older than that field, it checks instead that this store
    /// holds the live deployment's manifest.
    ///
    /// Under a retention policy with `after_deploy`, the project is pruned
    /// once the deploy is done (a `pruning` progress event says how many
    /// went); a failed pruning does not fail the deploy.
    pub async fn execute(&self) -> Result<Deployment> {
        let deployed = self.deploy().await?;
        self.prune_after(&deployed).await;
        Ok(deployed)
    }

    /// Under a retention policy with `after_deploy`, prunes the project
    /// once the deploy is done. The deploy stands whatever happens here: a
    /// failure is reported as a progress note (and logged), and what it
    /// left halfway is finished by the next `prune` or `recover()`.
    async fn prune_after(&self, deployed: &Deployment) {
        let after = self
            .svc
            .project(&deployed.project)
            .await
            .map(|p| p.retention.is_some_and(|r| r.after_deploy()));
        if !matches!(after, Ok(true)) {
            return;
        }
        let pruned = super::prune::prune(&self.svc, &deployed.project, Default::default()).await;
        match pruned {
            Ok(report) => {
                let count = report.pruned.len() as u64;
                self.report(Phase::Pruning, count, count);
            }
            Err(e) => {
                tracing::warn!(
                    target: "anchor_core::prune", project = %deployed.project, error = %e,
                    "pruning after the deploy failed; the deploy stands"
                );
                self.note(
                    Phase::Pruning,
                    &format!("pruning after the deploy failed ({e}); run prune() or recover()"),
                );
            }
        }
    }

    async fn deploy(&self) -> Result<Deployment> {
        let name = ProjectName::parse(&self.project)?;
        let project = self.svc.project(&name).await?;
        location::ensure_writable_store(&self.svc, &project).await?;
        self.check_switch_allowed(&project)?;
        let plan = self.make_plan(&project).await?;
        let svc = &self.svc;
        let version = svc.backend.store.allocate_version(&name).await?;
        let now = svc.clock.now();
        let mut deployment = Deployment {
            id: plan.deployment_id.clone(),
            project: name.clone(),
            version,
            build_id: plan.build_id.clone(),
            status: DeploymentStatus::Queued,
            server_version: None,
            image_version: None,
            assets_path: asset_manifest::assets_path(&project.infrastructure, &plan.deployment_id),
            invalidation_id: None,
            invalidation_error: None,
            created_at: now,
            updated_at: now,
            deployed_at: None,
            promoted_at: None,
            replaced: None,
            rollout: None,
            pruned: None,
            assets: Default::default(),
            error: None,
            revision: 1,
        };
        commit_verified_deployment(svc, &deployment, Expect::Absent).await?;

        if let Err(err) = self
            .build_and_publish(&project, &plan, &mut deployment)
            .await
        {
            self.record_failure(&deployment, &err).await;
            return Err(err);
        }
        if !self.promote {
            self.report(Phase::Done, 1, 1);
            return Ok(deployment);
        }
        if let Some(rollout) = &self.rollout {
            let project = svc.project(&name).await?;
            if project.active_deployment.is_some() {
                let started =
                    rollout::start_rollout(svc, project, deployment.clone(), rollout.clone())
                        .await?;
                self.report(Phase::RollingOut, u64::from(started.stage), 1);
                self.report(Phase::Done, 1, 1);
                return svc.deployment(&name, &deployment.id).await;
            }
        }
        live_url::match_live_url(svc, &project.infrastructure, plan.server_streaming).await?;
        let live = promote(svc, &name, &deployment.id, self.progress.as_ref()).await?;
        self.report(Phase::Done, 1, 1);
        Ok(live)
    }

    /// Refuses, before anything is recorded, a deploy that would switch
    /// what is live while a rollout runs, a rollout of a preview, and a
    /// rollout on a project without the router.
    fn check_switch_allowed(&self, project: &Project) -> Result<()> {
        if self.rollout.is_some() && !self.promote {
            return Err(Error::invalid_input(
                "rollout",
                "a preview (promote false) is not rolled out; drop one of the two",
            ));
        }
        if !self.promote {
            return Ok(());
        }
        if let Some(running) = project.rollout.as_ref().filter(|r| r.is_running()) {
            return Err(super::switch::rollout_running(project, running));
        }
        if self.rollout.is_some() && project.active_deployment.is_some() {
            rollout::router_of(project)?;
        }
        Ok(())
    }

    async fn make_plan(&self, project: &Project) -> Result<DeployPlan> {
        if let Some(settings) = &self.function_settings {
            settings.validate()?;
        }
        self.report(Phase::Scanning, 0, 1);
        let build = OpenNextBuild::read_async(self.build_dir.clone()).await?;
        self.report(Phase::Scanning, 1, 1);
        if build.next_deployment_id().is_none() {
            self.note(Phase::Scanning, NO_DEPLOYMENT_ID_NOTE);
        }
        self.report(Phase::Packaging, 0, 2);
        let bundle_dir = |f: Option<&crate::opennext::FunctionBundle>, origin: &str| {
            f.map(|f| f.dir.clone()).ok_or_else(|| {
                Error::invalid_build(
                    self.build_dir.join("open-next.output.json"),
                    format!("origins.{origin} is missing"),
                )
            })
        };
        let limits = self.svc.settings.bundle_limits;
        // With the router, the server's URL takes unsigned requests, so its
        // bundle gets the guard that checks the deployment's origin secret.
        // The guard holds no secret, so an unchanged build keeps its hash.
        let guard = match build.server_function() {
            Some(server) if project.infrastructure.guards_server() => Some(
                OriginGuard::for_server(server, &self.build_dir, build.next_deployment_id())?,
            ),
            _ => None,
        };
        let added: Vec<AddedFile> = guard
            .iter()
            .map(|g| AddedFile {
                key: GUARD_FILE.to_string(),
                contents: g.source.clone().into_bytes(),
            })
            .collect();
        let (server_code, image_code) = futures::future::try_join(
            package_bundle_with_files_async(
                bundle_dir(build.server_function(), "default")?,
                limits,
                added,
            ),
            package_bundle_with_limits_async(
                bundle_dir(build.image_function(), "imageOptimizer")?,
                limits,
            ),
        )
        .await?;
        self.report(Phase::Packaging, 2, 2);
        let handler = |f: Option<&crate::opennext::FunctionBundle>| {
            f.map(|f| f.handler.clone()).unwrap_or_default()
        };
        let architecture = |f: Option<&crate::opennext::FunctionBundle>,
                            wanted: Option<&FunctionSettings>,
                            field: &str| {
            let needs = f.and_then(|f| f.native.as_ref()).map(|n| n.architecture);
            match wanted {
                Some(settings) => settings.architecture_for(field, needs),
                None => Ok(needs),
            }
        };
        let settings = self.function_settings.as_ref();
        let server_architecture = architecture(
            build.server_function(),
            settings.map(|s| &s.server),
            "server",
        )?;
        let image_architecture =
            architecture(build.image_function(), settings.map(|s| &s.image), "image")?;
        let isr = revalidation::IsrPlan::of(&build, limits).await?;
        let base = plan::base_deployment(&self.svc, project).await?;
        let base_manifest = match &base {
            Some(b) => manifest::load(&self.svc, &project.infrastructure, &b.id).await?,
            None => None,
        };
        let id = DeploymentId::generate();
        let assets = plan::plan_assets(project, &id, &build, base_manifest.as_deref());
        plan::check_key_lengths(&assets)?;
        let count = |f: &dyn Fn(&PlannedAction) -> bool| {
            assets.iter().filter(|a| f(&a.action)).count() as u64
        };
        let same_code = |base: Option<&crate::model::FunctionVersion>, sha: &str| {
            base.is_some_and(|v| v.code_sha256 == sha)
        };
        let plan = DeployPlan {
            project: project.name.clone(),
            deployment_id: id,
            build_id: build.build_id().to_string(),
            upload_files: count(&|a| *a == PlannedAction::Upload),
            upload_bytes: assets
                .iter()
                .filter(|a| a.action == PlannedAction::Upload)
                .map(|a| a.size)
                .sum(),
            copy_files: count(&|a| matches!(a, PlannedAction::Copy { .. })),
            skip_files: count(&|a| *a == PlannedAction::Skip),
            assets,
            server_unchanged: same_code(
                base.as_ref().and_then(|b| b.server_version.as_ref()),
                &server_code.sha256,
            ),
            image_unchanged: same_code(
                base.as_ref().and_then(|b| b.image_version.as_ref()),
                &image_code.sha256,
            ),
            server_code_sha256: server_code.sha256.clone(),
            image_code_sha256: image_code.sha256.clone(),
            base_deployment: base.as_ref().map(|b| b.id.clone()),
            routes: build.prerendered_routes().to_vec(),
            server_code,
            image_code,
            server_guarded: guard.is_some(),
            server_handler: match guard {
                Some(_) => GUARD_HANDLER.to_string(),
                None => handler(build.server_function()),
            },
            image_handler: handler(build.image_function()),
            server_architecture,
            server_streaming: build.server_function().is_some_and(|f| f.streaming),
            next_deployment_id: build.next_deployment_id().map(str::to_string),
            image_architecture,
            function_settings: self.function_settings.clone(),
            isr,
            base,
        };
        Ok(plan)
    }

    /// Everything between recording the deployment and promoting it.
    async fn build_and_publish(
        &self,
        project: &Project,
        plan: &DeployPlan,
        d: &mut Deployment,
    ) -> Result<()> {
        let svc = &self.svc;
        save_deployment(svc, d, |d| d.status = DeploymentStatus::Uploading).await?;
        let summary = upload::upload_assets(svc, &plan.assets, self.progress.as_ref()).await?;
        manifest::store(
            svc,
            &project.infrastructure,
            &d.id,
            &plan::manifest_of(plan),
        )
        .await?;
        save_deployment(svc, d, |d| {
            d.status = DeploymentStatus::Publishing;
            d.assets = summary;
        })
        .await?;
        self.report(Phase::Publishing, 0, 2);
        let pipeline = revalidation::prepare(svc, &project.name, &d.id, &plan.isr).await?;
        // This deployment's own secret: frozen in its server version's
        // environment and written to the router's store, never recorded.
        let secret = if plan.server_guarded {
            Some(OriginSecret::generate()?)
        } else {
            None
        };
        let mut server_environment = pipeline.server_environment();
        if let Some(secret) = &secret {
            server_environment.insert(ORIGIN_SECRET_ENV.to_string(), secret.expose().to_string());
        }
        let (server, image) =
            publish::publish_functions(svc, project, plan, server_environment).await?;
        revalidation::publish(
            svc,
            &plan.isr,
            &plan.deployment_id,
            &plan.build_id,
            &pipeline,
        )
        .await?;
        if let Some(binding) = &project.infrastructure.router {
            // Its own origins and routing entry, before it can go live.
            let built = Deployment {
                server_version: Some(server.clone()),
                image_version: Some(image.clone()),
                ..d.clone()
            };
            routing::publish_origins(
                svc,
                &project.infrastructure,
                binding,
                &built,
                plan.server_streaming,
                secret.as_ref(),
                plan.next_deployment_id.as_deref(),
            )
            .await?;
        }
        self.report(Phase::Publishing, 2, 2);
        let now = svc.clock.now();
        save_deployment(svc, d, |d| {
            d.status = DeploymentStatus::Ready;
            d.server_version = Some(server);
            d.image_version = Some(image);
            d.deployed_at = Some(now);
        })
        .await
    }

    /// Marks the deployment failed with the cause, best effort: if even that
    /// write fails, `recover` finds the deployment stuck in progress later.
    async fn record_failure(&self, d: &Deployment, err: &Error) {
        let Ok(Some(mut current)) = self
            .svc
            .backend
            .store
            .get_deployment(&d.project, &d.id)
            .await
        else {
            return;
        };
        let message = err.to_string();
        if let Err(e) = save_deployment(&self.svc, &mut current, |d| {
            d.status = DeploymentStatus::Failed;
            d.error = Some(message);
        })
        .await
        {
            tracing::warn!(deployment = %d.id, error = %e, "could not record the failure");
        }
    }

    /// Reports `note` at the end of `phase`.
    fn note(&self, phase: Phase, note: &str) {
        if let Some(f) = &self.progress {
            f(&ProgressEvent {
                phase,
                done: 1,
                total: 1,
                bytes_done: 0,
                bytes_total: 0,
                note: Some(note.to_string()),
            });
        }
    }

    fn report(&self, phase: Phase, done: u64, total: u64) {
        if let Some(f) = &self.progress {
            f(&ProgressEvent {
                phase,
                done,
                total,
                bytes_done: 0,
                bytes_total: 0,
                note: None,
            });
        }
    }
}
