//! `Anchor` methods of pruning under a retention policy: set the policy,
//! and prune (or report what a prune would do).

use anchor_core::model::{self, DEFAULT_KEEP_PROMOTED, DEFAULT_PREVIEW_MAX_AGE};
use napi::bindgen_prelude::{PromiseRaw, Unknown};
use napi::Env;
use napi_derive::napi;

use crate::anchor::Anchor;
use crate::args::args;
use crate::bridge::spawn;
use crate::convert::signed;
use crate::errors::Failure;
use crate::types::{Project, PruneOptions, PruneReport, RetentionPolicy};

#[napi]
impl Anchor {
    /// Sets which deployments `prune` keeps (see `RetentionPolicy`); it
    /// applies from the next `prune`, and with `afterDeploy` after every
    /// deploy. A number out of range, negative or fractional rejects with
    /// `ANCHOR_INVALID_INPUT` naming `retention.keepPromoted` or
    /// `retention.previewMaxAgeSeconds`, and changes nothing. Resolves
    /// with the project as recorded.
    #[napi]
    pub fn set_retention_policy<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] project: Unknown<'_>,
        #[napi(ts_arg_type = "RetentionPolicy")] policy: Unknown<'_>,
    ) -> napi::Result<PromiseRaw<'env, Project>> {
        args!(env, reject; project: String, policy: RetentionPolicy);
        let default_age = i64::try_from(DEFAULT_PREVIEW_MAX_AGE.as_secs()).unwrap_or(i64::MAX);
        let policy = signed(
            "retention.keep_promoted",
            policy.keep_promoted,
            i64::from(DEFAULT_KEEP_PROMOTED),
        )
        .and_then(|keep| {
            let age = signed(
                "retention.preview_max_age_seconds",
                policy.preview_max_age_seconds,
                default_age,
            )?;
            model::RetentionPolicy::from_signed(keep, age, policy.after_deploy.unwrap_or(false))
        });
        let anchor = self.inner.clone();
        spawn(env, async move {
            let project = anchor.set_retention_policy(&project, policy?).await?;
            Ok::<_, Failure>(Project::from(&project))
        })
    }

    /// Prunes `project` under its retention policy: deletes what the
    /// deployments it no longer keeps alone hold (function versions, their
    /// aliases and URLs, objects, routing entries) and marks each
    /// `pruned`, keeping its record. Never touches the live deployment, a
    /// running rollout, an open skew window, the next rollback's target, a
    /// version a `live` alias points at, or a deploy under way. With
    /// `{ dryRun: true }` it only reports, changing nothing. A pruning left
    /// halfway is finished first (`finished`).
    #[napi]
    pub fn prune<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] project: Unknown<'_>,
        #[napi(ts_arg_type = "PruneOptions")] options: Option<Unknown<'_>>,
    ) -> napi::Result<PromiseRaw<'env, PruneReport>> {
        args!(env, reject; project: String, options: Option<PruneOptions>);
        let dry_run = options.and_then(|o| o.dry_run).unwrap_or(false);
        let anchor = self.inner.clone();
        spawn(env, async move {
            let options = anchor_core::PruneOptions::default().dry_run(dry_run);
            let report = anchor.prune(&project, options).await?;
            Ok::<_, Failure>(PruneReport::from(&report))
        })
    }
}
