//! A gradual rollout's record, its plan's stages and what a gate is asked.

use anchor_core::model;
use anchor_core::traits;
use napi_derive::napi;

use super::{number, timestamp};

/// One stage of a rollout plan: `percent` of the visitors (within (0,
/// 100], two decimals at most) get the new deployment for at least
/// `holdSeconds` before the gate is asked; the last stage is 100.
#[napi(object)]
#[derive(Clone)]
pub struct RolloutStage {
    /// The share of visitors in percent.
    pub percent: f64,
    /// How long the stage runs before the gate is asked, in seconds.
    pub hold_seconds: f64,
}

/// One decision of a rollout.
#[napi(object, object_from_js = false)]
pub struct RolloutEvent {
    /// What it did.
    #[napi(ts_type = "'started' | 'advanced' | 'completed' | 'aborted'")]
    pub kind: String,
    /// The stage reached (an index into the plan).
    pub stage: u32,
    /// That stage's share in percent; 0 after an abort.
    pub percent: f64,
    /// `start`, `manual`, or the health gate's name.
    pub decided_by: String,
    /// A failing gate's reason, or the caller's reason for an abort.
    pub reason: Option<String>,
    /// When it was committed (RFC 3339, UTC).
    pub at: String,
}

/// A gradual rollout of `candidate` over `baseline`, which stays the
/// project's active deployment until the rollout completes.
#[napi(object, object_from_js = false)]
pub struct Rollout {
    /// The deployment being rolled out.
    pub candidate: String,
    /// Its version.
    pub candidate_version: f64,
    /// The deployment the other visitors keep.
    pub baseline: String,
    /// Its version.
    pub baseline_version: f64,
    /// The stages.
    pub plan: Vec<RolloutStage>,
    /// The stage it is at (an index into `plan`).
    pub stage: u32,
    /// When that stage began (RFC 3339, UTC).
    pub stage_started_at: String,
    /// When the rollout began (RFC 3339, UTC).
    pub started_at: String,
    /// Where it stands.
    #[napi(ts_type = "'running' | 'completed' | 'aborted'")]
    pub state: String,
    /// Hashed with each visitor's `anchor-visitor` cookie by the router.
    pub salt: String,
    /// Every decision, oldest first.
    pub events: Vec<RolloutEvent>,
}

impl From<&model::Rollout> for Rollout {
    fn from(r: &model::Rollout) -> Self {
        Self {
            candidate: r.candidate.to_string(),
            candidate_version: number(r.candidate_version),
            baseline: r.baseline.to_string(),
            baseline_version: number(r.baseline_version),
            plan: r
                .plan
                .stages()
                .iter()
                .map(|s| RolloutStage {
                    percent: s.percent,
                    hold_seconds: number(s.hold_seconds),
                })
                .collect(),
            stage: r.stage,
            stage_started_at: timestamp(&r.stage_started_at),
            started_at: timestamp(&r.started_at),
            state: r.state.as_str().into(),
            salt: r.salt.clone(),
            events: r
                .events
                .iter()
                .map(|e| RolloutEvent {
                    kind: match e.kind {
                        model::RolloutEventKind::Started => "started",
                        model::RolloutEventKind::Advanced => "advanced",
                        model::RolloutEventKind::Completed => "completed",
                        model::RolloutEventKind::Aborted => "aborted",
                    }
                    .into(),
                    stage: e.stage,
                    percent: e.percent,
                    decided_by: e.decided_by.clone(),
                    reason: e.reason.clone(),
                    at: timestamp(&e.at),
                })
                .collect(),
        }
    }
}

/// How to reach one deployment, promoted or not, through the router.
#[napi(object, object_from_js = false)]
pub struct PreviewAddress {
    /// The deployment's version.
    pub version: f64,
    /// The deployment.
    pub deployment: String,
    /// `https://<distribution>/?__anchor_preview=v<N>`.
    pub url: String,
    /// `v<N>.<suffix>` on a project with a wildcard domain; absent without.
    pub host: Option<String>,
    /// `x-anchor-preview`, for tools and CI.
    pub header_name: String,
    /// `v<N>`.
    pub header_value: String,
}

impl From<&anchor_core::PreviewAddress> for PreviewAddress {
    fn from(a: &anchor_core::PreviewAddress) -> Self {
        Self {
            version: number(a.version),
            deployment: a.deployment.to_string(),
            url: a.url.clone(),
            host: a.host.clone(),
            header_name: a.header_name.clone(),
            header_value: a.header_value.clone(),
        }
    }
}

/// How long pages of a deployment that left live keep being served by it
/// (`maxAgeSeconds`, 7 days unless set, at most 60 days), and how many
/// deployments keep such a window at once (`maxPinned`, 10 unless set); 0
/// for either turns skew protection off.
#[napi(object)]
pub struct SkewPolicy {
    /// How long a window lasts, in seconds.
    pub max_age_seconds: Option<f64>,
    /// How many deployments keep an open window at once.
    pub max_pinned: Option<f64>,
}

impl From<&model::SkewPolicy> for SkewPolicy {
    fn from(p: &model::SkewPolicy) -> Self {
        Self {
            max_age_seconds: Some(number(p.max_age().as_secs())),
            max_pinned: Some(f64::from(p.max_pinned())),
        }
    }
}

/// What a health gate is asked: the candidate at the stage that has held
/// its time. A probe reaches the candidate alone with the header
/// `x-anchor-preview: v<candidateVersion>`.
#[napi(object, object_from_js = false)]
pub struct GateCheck {
    /// The project rolling out.
    pub project: String,
    /// The deployment being rolled out.
    pub candidate: String,
    /// Its version.
    pub candidate_version: f64,
    /// The deployment the other visitors keep.
    pub baseline: String,
    /// The stage that has held its time.
    pub stage: u32,
    /// That stage's share in percent.
    pub percent: f64,
}

impl From<&traits::GateCheck> for GateCheck {
    fn from(c: &traits::GateCheck) -> Self {
        Self {
            project: c.project.to_string(),
            candidate: c.candidate.to_string(),
            candidate_version: number(c.candidate_version),
            baseline: c.baseline.to_string(),
            stage: c.stage,
            percent: c.percent,
        }
    }
}

/// What a gate function may return instead of a bare boolean: whether the
/// candidate is healthy, and why not (recorded with the abort).
// Only its TypeScript interface is used: the core reads the verdict from
// the returned value's JSON (`calls::gate_verdict`).
#[allow(dead_code)]
#[napi(object, object_to_js = false)]
pub struct GateVerdict {
    /// Whether the candidate may get the next stage's share.
    pub healthy: bool,
    /// Why not, kept in the rollout's history.
    pub reason: Option<String>,
}

/// The built-in gate on named CloudWatch alarms (an `Anchor` opened with
/// `Anchor.aws` only): unhealthy while any is in `ALARM`;
/// `INSUFFICIENT_DATA` counts as healthy, an unknown name as an error.
#[napi(object, object_to_js = false)]
pub struct AlarmGate {
    /// The alarm names, 1 to 100.
    pub alarms: Vec<String>,
}

/// The built-in gate on a probe URL: `requests` GETs of `url` (20 unless
/// set), sent to the candidate alone; unhealthy above `maxErrorRate` (a
/// fraction, 0.05 unless set) of 5xx answers and timeouts.
#[napi(object, object_to_js = false)]
pub struct ProbeGate {
    /// An `http` or `https` URL of the site.
    pub url: Option<String>,
    /// How many GETs one check sends.
    pub requests: Option<u32>,
    /// The failing fraction above which the candidate is unhealthy.
    pub max_error_rate: Option<f64>,
}
