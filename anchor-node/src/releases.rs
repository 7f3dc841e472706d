//! `Anchor` methods that ship and switch releases: deploy, preview, plan,
//! promote and rollback.

use anchor_core::calls::{rollback_target, rollout_plan};
use napi::bindgen_prelude::{PromiseRaw, Unknown};
use napi::Env;
use napi_derive::napi;

use crate::anchor::Anchor;
use crate::args::args;
use crate::bridge::spawn;
use crate::convert::{whole, MAX_SAFE_INTEGER};
use crate::errors::Failure;
use crate::function_settings as settings;
use crate::progress;
use crate::types::{DeployOptions, DeployPlan, Deployment, RollbackOptions, RollbackOutcome};

#[napi]
impl Anchor {
    /// Deploys the OpenNext build in `buildDir`, the `.open-next` folder
    /// itself (it holds `open-next.output.json`; its parent is refused as
    /// `ANCHOR_INVALID_BUILD`): checks it, uploads the assets the store
    /// lacks, publishes new function versions and records the deployment;
    /// then, unless `promote` is false, switches the `live` aliases to it.
    /// Nothing live changes unless every step before the switch succeeded.
    /// Resolves with the deployment's record.
    #[napi]
    pub fn deploy<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] project: Unknown<'_>,
        #[napi(ts_arg_type = "string")] build_dir: Unknown<'_>,
        #[napi(ts_arg_type = "DeployOptions")] options: Option<Unknown<'_>>,
    ) -> napi::Result<PromiseRaw<'env, Deployment>> {
        args!(env, reject; project: String, build_dir: String, options: Option<DeployOptions>);
        let (promote, on_progress, function_settings, rollout) = match options {
            Some(o) => (
                o.promote.unwrap_or(true),
                o.on_progress,
                o.function_settings,
                o.rollout,
            ),
            None => (true, None, None, None),
        };
        let plan = rollout
            .map(|stages| rollout_plan(&crate::rollouts::plan_json(&stages)))
            .transpose();
        let settings = function_settings.map(settings::resolve).transpose();
        let scope = on_progress.map(progress::scope);
        let mut deployer = self
            .inner
            .deployer(&project, build_dir)
            .promote(promote)
            .progress_fn(scope.as_ref().map(|s| s.progress_fn()));
        let mut named = false;
        if let Ok(Some(settings)) = &settings {
            deployer = deployer.function_settings(settings.clone());
            named = true;
        }
        if let Ok(Some(plan)) = &plan {
            deployer = deployer.rollout(plan.clone());
        }
        spawn(env, async move {
            settings?;
            plan?;
            let deployment = deployer.execute().await;
            // Release the JS function as soon as the deploy is over.
            drop(deployer);
            drop(scope);
            // The deploy names a setting the build refuses (an architecture
            // its native code cannot run on) by the core's field name.
            let deployment = deployment.map_err(|e| if named { settings::rename(e) } else { e });
            Ok::<_, Failure>(Deployment::from(&deployment?))
        })
    }

    /// Deploys without making the deployment live: `deploy` with
    /// `promote: false`.
    #[napi]
    pub fn preview<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] project: Unknown<'_>,
        #[napi(ts_arg_type = "string")] build_dir: Unknown<'_>,
    ) -> napi::Result<PromiseRaw<'env, Deployment>> {
        args!(env, reject; project: String, build_dir: String);
        let deployer = self.inner.deployer(&project, build_dir).promote(false);
        spawn(env, async move {
            Ok::<_, Failure>(Deployment::from(&deployer.execute().await?))
        })
    }

    /// What a deploy of `buildDir` would do. Writes nothing.
    #[napi]
    pub fn plan<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] project: Unknown<'_>,
        #[napi(ts_arg_type = "string")] build_dir: Unknown<'_>,
    ) -> napi::Result<PromiseRaw<'env, DeployPlan>> {
        args!(env, reject; project: String, build_dir: String);
        let deployer = self.inner.deployer(&project, build_dir);
        spawn(env, async move {
            Ok::<_, Failure>(DeployPlan::from(&deployer.plan().await?))
        })
    }

    /// Makes a ready deployment live.
    #[napi]
    pub fn promote<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] project: Unknown<'_>,
        #[napi(ts_arg_type = "string")] deployment_id: Unknown<'_>,
    ) -> napi::Result<PromiseRaw<'env, Deployment>> {
        args!(env, reject; project: String, deployment_id: String);
        let anchor = self.inner.clone();
        spawn(env, async move {
            let deployment = anchor.promote(&project, &deployment_id).await?;
            Ok::<_, Failure>(Deployment::from(&deployment))
        })
    }

    /// Points the aliases back at an older deployment: the one the live
    /// deployment replaced, or `toDeployment` or `toVersion` (not both).
    /// Nothing is re-uploaded; the rollback is kept in the history.
    #[napi]
    pub fn rollback<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] project: Unknown<'_>,
        #[napi(ts_arg_type = "RollbackOptions")] options: Option<Unknown<'_>>,
    ) -> napi::Result<PromiseRaw<'env, RollbackOutcome>> {
        args!(env, reject; project: String, options: Option<RollbackOptions>);
        let mut rollback = self.inner.rollback(&project);
        let options = options.unwrap_or(RollbackOptions {
            to_deployment: None,
            to_version: None,
            reason: None,
            invalidate: None,
        });
        if let Some(reason) = options.reason {
            rollback = rollback.reason(reason);
        }
        if let Some(invalidate) = options.invalidate {
            rollback = rollback.invalidate(invalidate);
        }
        spawn(env, async move {
            let to_version = options
                .to_version
                .map(|v| whole("toVersion", v, MAX_SAFE_INTEGER))
                .transpose()?;
            let target = rollback_target(options.to_deployment, to_version)?;
            let rollback = rollback.target(target);
            Ok::<_, Failure>(RollbackOutcome::from(&rollback.execute().await?))
        })
    }
}
