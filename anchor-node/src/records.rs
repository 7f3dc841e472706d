//! `Anchor` methods that read records: the active deployment, one
//! deployment, the histories, and recovery.

use napi::bindgen_prelude::PromiseRaw;
use napi::Env;
use napi_derive::napi;

use crate::anchor::Anchor;
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
        project: String,
    ) -> napi::Result<PromiseRaw<'env, Option<Deployment>>> {
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
        project: String,
        deployment_id: String,
    ) -> napi::Result<PromiseRaw<'env, Deployment>> {
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
        project: String,
        options: Option<PageOptions>,
    ) -> napi::Result<PromiseRaw<'env, DeploymentPage>> {
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
        project: String,
        options: Option<PageOptions>,
    ) -> napi::Result<PromiseRaw<'env, RollbackEventPage>> {
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
        project: String,
    ) -> napi::Result<PromiseRaw<'env, RecoveryReport>> {
        let anchor = self.inner.clone();
        spawn(env, async move {
            Ok::<_, Failure>(RecoveryReport::from(&anchor.recover(&project).await?))
        })
    }
}
