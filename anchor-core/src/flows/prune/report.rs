//! What `prune` is asked and what it answers.

use serde::Serialize;

use crate::model::{DeploymentId, Freed};

/// How [`crate::Anchor::prune`] runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PruneOptions {
    /// Only report what would be pruned and freed; change nothing.
    pub dry_run: bool,
}

impl PruneOptions {
    /// Sets [`PruneOptions::dry_run`].
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }
}

/// Why a deployment was kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum KeepReason {
    /// It is live.
    Live,
    /// It is the candidate or the live side of a running rollout.
    Rollout,
    /// Pages loaded from it are inside its skew window.
    SkewWindow,
    /// A rollback without a target would go back to it.
    RollbackTarget,
    /// A function's `live` alias points at one of its versions.
    LiveAlias,
    /// Its deploy is still under way.
    InProgress,
    /// One of the newest promoted deployments the policy keeps.
    RetainedPromoted,
    /// Never promoted, and younger than the policy's maximum age.
    RecentPreview,
}

impl KeepReason {
    /// The stable snake_case name, as in records and the bindings.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Live => "live",
            Self::Rollout => "rollout",
            Self::SkewWindow => "skew_window",
            Self::RollbackTarget => "rollback_target",
            Self::LiveAlias => "live_alias",
            Self::InProgress => "in_progress",
            Self::RetainedPromoted => "retained_promoted",
            Self::RecentPreview => "recent_preview",
        }
    }
}

/// A deployment `prune` kept, and the first reason it had to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeptDeployment {
    /// The deployment.
    pub deployment: DeploymentId,
    /// Its version.
    pub version: u64,
    /// Why it stays.
    pub reason: KeepReason,
}

/// A deployment `prune` pruned (or, in a dry run, would prune).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrunedDeployment {
    /// The deployment.
    pub deployment: DeploymentId,
    /// Its version.
    pub version: u64,
    /// Why the policy let it go.
    pub reason: String,
    /// What pruning it freed: its versions and objects no deployment left
    /// uses.
    pub freed: Freed,
}

/// What [`crate::Anchor::prune`] did, or in a dry run would do.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PruneReport {
    /// Whether this was a dry run, which changed nothing.
    pub dry_run: bool,
    /// The deployments pruned, oldest first.
    pub pruned: Vec<PrunedDeployment>,
    /// The deployments kept, newest first, each with its reason.
    pub kept: Vec<KeptDeployment>,
    /// Deployments whose pruning an earlier run left halfway and this one
    /// finished.
    pub finished: Vec<DeploymentId>,
    /// The sum of what the pruned deployments freed.
    pub freed: Freed,
}
