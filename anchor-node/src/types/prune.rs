//! Pruning's records: the retention policy, what pruning freed, the record
//! it leaves on a deployment, and what `prune` reports.

use anchor_core::model;
use napi_derive::napi;

use super::{number, timestamp};

/// Which deployments `prune` keeps: the `keepPromoted` newest deployments
/// that were ever promoted (10 unless set, at most 10000), and every
/// deployment never promoted younger than `previewMaxAgeSeconds` (30 days
/// unless set, at most 10 years); with `afterDeploy` (false unless set),
/// every deploy prunes once it is done.
#[napi(object)]
pub struct RetentionPolicy {
    /// How many promoted deployments are kept.
    pub keep_promoted: Option<f64>,
    /// How long a deployment never promoted is kept, in seconds.
    pub preview_max_age_seconds: Option<f64>,
    /// Whether every deploy prunes once it is done.
    pub after_deploy: Option<bool>,
}

impl From<&model::RetentionPolicy> for RetentionPolicy {
    fn from(p: &model::RetentionPolicy) -> Self {
        Self {
            keep_promoted: Some(f64::from(p.keep_promoted())),
            preview_max_age_seconds: Some(number(p.preview_max_age().as_secs())),
            after_deploy: Some(p.after_deploy()),
        }
    }
}

/// What pruning freed, or would free.
#[napi(object, object_from_js = false)]
pub struct Freed {
    /// Published function versions deleted.
    pub function_versions: f64,
    /// Their code, in bytes, out of Lambda's 75 GB per region.
    pub lambda_code_bytes: f64,
    /// Objects deleted from the asset store.
    pub s3_objects: f64,
    /// Their size in bytes.
    pub s3_bytes: f64,
}

impl From<&model::Freed> for Freed {
    fn from(f: &model::Freed) -> Self {
        Self {
            function_versions: number(f.function_versions),
            lambda_code_bytes: number(f.lambda_code_bytes),
            s3_objects: number(f.s3_objects),
            s3_bytes: number(f.s3_bytes),
        }
    }
}

/// How a deployment was pruned; its record is kept. No `finishedAt` means
/// a pruning that stopped halfway, which `prune` or `recover` finishes.
#[napi(object, object_from_js = false)]
pub struct PruneRecord {
    /// When pruning started (RFC 3339, UTC).
    pub started_at: String,
    /// When its last resource was deleted; absent while under way.
    pub finished_at: Option<String>,
    /// Why it was pruned, such as "older than the 10 promoted deployments kept".
    pub reason: String,
    /// What pruning it freed, counted when it started.
    pub freed: Freed,
    /// The status it had before.
    #[napi(
        ts_type = "'queued' | 'uploading' | 'publishing' | 'ready' | 'live' | 'superseded' | 'failed' | 'pruned'"
    )]
    pub previous_status: String,
}

impl From<&model::PruneRecord> for PruneRecord {
    fn from(r: &model::PruneRecord) -> Self {
        Self {
            started_at: timestamp(&r.started_at),
            finished_at: r.finished_at.as_ref().map(timestamp),
            reason: r.reason.clone(),
            freed: Freed::from(&r.freed),
            previous_status: r.previous_status.to_string(),
        }
    }
}

/// A deployment `prune` pruned (or, in a dry run, would prune).
#[napi(object, object_from_js = false)]
pub struct PrunedDeployment {
    /// The deployment.
    pub deployment: String,
    /// Its version.
    pub version: f64,
    /// Why the policy let it go.
    pub reason: String,
    /// Its function versions and objects no deployment left uses.
    pub freed: Freed,
}

/// A deployment `prune` kept, and the first reason it had to.
#[napi(object, object_from_js = false)]
pub struct KeptDeployment {
    /// The deployment.
    pub deployment: String,
    /// Its version.
    pub version: f64,
    /// Why it stays.
    #[napi(
        ts_type = "'live' | 'rollout' | 'skew_window' | 'rollback_target' | 'live_alias' | 'in_progress' | 'retained_promoted' | 'recent_preview'"
    )]
    pub reason: String,
}

/// What `prune` did, or in a dry run would do.
#[napi(object, object_from_js = false)]
pub struct PruneReport {
    /// Whether this was a dry run, which changed nothing.
    pub dry_run: bool,
    /// The deployments pruned, oldest first.
    pub pruned: Vec<PrunedDeployment>,
    /// The deployments kept, newest first, each with its reason.
    pub kept: Vec<KeptDeployment>,
    /// Deployments whose pruning an earlier run left halfway, finished now.
    pub finished: Vec<String>,
    /// The sum of what the pruned deployments freed.
    pub freed: Freed,
}

impl From<&anchor_core::PruneReport> for PruneReport {
    fn from(r: &anchor_core::PruneReport) -> Self {
        Self {
            dry_run: r.dry_run,
            pruned: r
                .pruned
                .iter()
                .map(|p| PrunedDeployment {
                    deployment: p.deployment.to_string(),
                    version: number(p.version),
                    reason: p.reason.clone(),
                    freed: Freed::from(&p.freed),
                })
                .collect(),
            kept: r
                .kept
                .iter()
                .map(|k| KeptDeployment {
                    deployment: k.deployment.to_string(),
                    version: number(k.version),
                    reason: k.reason.as_str().to_string(),
                })
                .collect(),
            finished: r.finished.iter().map(ToString::to_string).collect(),
            freed: Freed::from(&r.freed),
        }
    }
}
