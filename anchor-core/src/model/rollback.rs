use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{DeploymentId, ProjectName};

/// One rollback, kept in the project's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RollbackEvent {
    /// The project rolled back.
    pub project: ProjectName,
    /// Orders the project's rollbacks: unique and increasing, though not
    /// contiguous (it is the project record's revision at commit).
    pub sequence: u64,
    /// The deployment live before the rollback.
    pub from: Option<DeploymentId>,
    /// Its version number.
    pub from_version: Option<u64>,
    /// The deployment made live.
    pub to: DeploymentId,
    /// Its version number.
    pub to_version: u64,
    /// The caller's reason.
    pub reason: String,
    /// When the rollback committed.
    pub at: DateTime<Utc>,
    /// Milliseconds from the start of the rollback to its decision, which is
    /// recorded together with this event; the alias moves come after, and
    /// the whole switch's time is `RollbackOutcome::elapsed`.
    pub duration_ms: f64,
}
