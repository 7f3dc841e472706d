//! The plain objects the Node package returns and accepts, with camelCase
//! fields; `napi build --dts` turns them into the interfaces of `index.d.ts`.
//! Each record converts from its core type and holds nothing else.

mod deployment;
mod domain;
mod options;
mod plan;
mod project;
mod prune;
mod rollback;
mod rollout;
mod settings;

pub use deployment::{Deployment, DeploymentPage};
pub use domain::Domain;
pub use options::{
    AwsOpenOptions, CreateProjectOptions, DeployOptions, DomainLimits, LocalOpenOptions,
    PageOptions, ProgressCallback, PruneOptions, RollbackOptions,
};
pub use plan::{DeployPlan, ProgressEvent, RecoveryReport};
pub use project::Project;
pub use prune::{PruneReport, RetentionPolicy};
pub use rollback::{RollbackEvent, RollbackEventPage, RollbackOutcome};
pub use rollout::{
    AlarmGate, GateCheck, PreviewAddress, ProbeGate, Rollout, RolloutStage, SkewPolicy,
};
pub use settings::{FunctionSettings, SiteFunctionSettings};

use chrono::{DateTime, SecondsFormat, Utc};

/// A count or size as a JS number. Counts above 2^53 (never reached by
/// files, bytes or versions) would lose precision, not fail.
pub(crate) fn number(value: u64) -> f64 {
    value as f64
}

/// A timestamp as RFC 3339 text in UTC with milliseconds, such as
/// `2026-11-26T18:57:28.123Z`; `new Date(text)` parses it.
pub(crate) fn timestamp(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}
