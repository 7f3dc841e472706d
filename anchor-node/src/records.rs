//! `Anchor` methods that read records: the active deployment, one
//! deployment, the histories, and recovery.

use napi::bindgen_prelude::{PromiseRaw, Unknown};
use napi::Env;
use napi_derive::napi;

use crate::anchor::Anchor;
use crate::args::args;
use crate::bridge::spawn;
use crate::convert;
use crate::errors::Failure;
use crate::types::{Deployment, DeploymentPage, PageOptions, RecoveryReport, RollbackEventPage};

#[napi]
impl Anchor {
    /// The live deployment, or `null` before the first promotion.
    #[napi]
    pub fn active_deployment<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] project: Unknown<'_>,
    ) -> napi::Result<PromiseRaw<'env, Option<Deployment>>> {
        args!(env, reject; project: String);
        let anchor = self.inner.clone();
        spawn(env, async move {
            let active = anchor.active_deployment(&project).await?;
            Ok::<_, Failure>(active.as_ref().map(Deployment::from))
        })
    }

    /// One deployment by id.
    #[napi]
    pub fn deployment<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] project: Unknown<'_>,
        #[napi(ts_arg_type = "string")] deployment_id: Unknown<'_>,
    ) -> napi::Result<PromiseRaw<'env, Deployment>> {
        args!(env, reject; project: String, deployment_id: String);
        let anchor = self.inner.clone();
        spawn(env, async move {
            let deployment = anchor.deployment(&project, &deployment_id).await?;
            Ok::<_, Failure>(Deployment::from(&deployment))
        })
    }

    /// The project's deployments, newest first, one page at a time.
    #[napi]
    pub fn history<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] project: Unknown<'_>,
        #[napi(ts_arg_type = "PageOptions")] options: Option<Unknown<'_>>,
    ) -> napi::Result<PromiseRaw<'env, DeploymentPage>> {
        args!(env, reject; project: String, options: Option<PageOptions>);
        let anchor = self.inner.clone();
        spawn(env, async move {
            let page = convert::page(options)?;
            Ok::<_, Failure>(DeploymentPage::from(
                &anchor.history(&project, &page).await?,
            ))
        })
    }

    /// The project's rollbacks, newest first, one page at a time.
    #[napi]
    pub fn rollback_history<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] project: Unknown<'_>,
        #[napi(ts_arg_type = "PageOptions")] options: Option<Unknown<'_>>,
    ) -> napi::Result<PromiseRaw<'env, RollbackEventPage>> {
        args!(env, reject; project: String, options: Option<PageOptions>);
        let anchor = self.inner.clone();
        spawn(env, async move {
            let page = convert::page(options)?;
            let events = anchor.rollback_history(&project, &page).await?;
            Ok::<_, Failure>(RollbackEventPage::from(&events))
        })
    }

    /// Finishes what a crashed process left: resolves an interrupted switch
    /// and fails deployments stuck in progress. Running it twice changes
    /// nothing more.
    #[napi]
    pub fn recover<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] project: Unknown<'_>,
    ) -> napi::Result<PromiseRaw<'env, RecoveryReport>> {
        args!(env, reject; project: String);
        let anchor = self.inner.clone();
        spawn(env, async move {
            Ok::<_, Failure>(RecoveryReport::from(&anchor.recover(&project).await?))
        })
    }
}
