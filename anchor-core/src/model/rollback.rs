use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{DeploymentId, ProjectName};

/// One rollback, kept in the project's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RollbackEvent {
    /// The project rolled back.
    pub project: ProjectName,
    /// Counts the project's rollbacks: 1 for its first, one more for each
    /// after, unique within the project and increasing with time. A
    /// rollback that was undone (its aliases could not move) is retracted
    /// from the history, and the next one takes its number. Events recorded
    /// before Anchor counted rollbacks carry the project record's revision
    /// at commit instead (still unique and increasing), and the project's
    /// later rollbacks are numbered after the newest of them.
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
