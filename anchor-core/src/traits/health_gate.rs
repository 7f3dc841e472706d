//! [`HealthGate`]: what decides, between the stages of a gradual rollout,
//! whether the candidate is healthy enough to get more visitors.

use async_trait::async_trait;

use crate::error::Result;
use crate::model::{DeploymentId, ProjectName};

/// What a gate is asked about: the rollout's candidate at its current
/// stage.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct GateCheck {
    /// The project rolling out.
    pub project: ProjectName,
    /// The deployment being rolled out.
    pub candidate: DeploymentId,
    /// Its version: a probe reaches it alone with the header
    /// `x-anchor-preview: v<candidate_version>` (`docs/release-management.md`).
    pub candidate_version: u64,
    /// The deployment the other visitors keep.
    pub baseline: DeploymentId,
    /// The stage that has held its time: an index into the plan.
    pub stage: u32,
    /// That stage's share of visitors on the candidate, in percent.
    pub percent: f64,
}

impl GateCheck {
    /// A check of `candidate` (version `candidate_version`) over
    /// `baseline` at `stage`, whose share is `percent`: what a rollout
    /// asks its gate, and what a test of a gate passes it.
    pub fn new(
        project: ProjectName,
        candidate: DeploymentId,
        candidate_version: u64,
        baseline: DeploymentId,
        stage: u32,
        percent: f64,
    ) -> Self {
        Self {
            project,
            candidate,
            candidate_version,
            baseline,
            stage,
            percent,
        }
    }
}

/// A gate's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GateVerdict {
    /// The candidate may get the next stage's share.
    Healthy,
    /// The rollout must go back to the baseline; `reason` is recorded.
    Unhealthy {
        /// Why, in words kept in the rollout's history.
        reason: String,
    },
}

impl GateVerdict {
    /// An unhealthy verdict with `reason`.
    pub fn unhealthy(reason: impl Into<String>) -> Self {
        Self::Unhealthy {
            reason: reason.into(),
        }
    }
}

/// Decides between stages whether a rollout may go on. Built in: a probe
/// URL's error rate, and on AWS the state of named CloudWatch alarms;
/// Python and Node pass a plain function.
///
/// A gate that cannot decide (its own call failed) returns the error: the
/// rollout then stays at its stage, unchanged, and the next check asks
/// again. Only [`GateVerdict::Unhealthy`] rolls back.
#[async_trait]
pub trait HealthGate: Send + Sync + std::fmt::Debug {
    /// A short name, recorded with each decision the gate takes.
    fn name(&self) -> &str;

    /// Judges the candidate at the stage `check` describes.
    async fn check(&self, check: &GateCheck) -> Result<GateVerdict>;
}
