//! What pruning a deployment freed, and the record it leaves on the
//! deployment: pruning keeps the record (its history stays readable) and
//! says when its resources went.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What pruning freed, or would free.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Freed {
    /// Published function versions deleted.
    pub function_versions: u64,
    /// Their code, in bytes, out of Lambda's 75 GB per region.
    pub lambda_code_bytes: u64,
    /// Objects deleted from the asset store.
    pub s3_objects: u64,
    /// Their size in bytes.
    pub s3_bytes: u64,
}

impl Freed {
    /// The sum of two.
    pub fn plus(self, other: Freed) -> Freed {
        Freed {
            function_versions: self.function_versions + other.function_versions,
            lambda_code_bytes: self.lambda_code_bytes + other.lambda_code_bytes,
            s3_objects: self.s3_objects + other.s3_objects,
            s3_bytes: self.s3_bytes + other.s3_bytes,
        }
    }
}

/// How a deployment was pruned: written on it when pruning starts (its
/// status becomes `pruned` in the same commit, so it can never go live
/// again), finished when its last resource is gone. A record with no
/// `finished_at` is a pruning that stopped halfway, which `recover()`
/// finishes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PruneRecord {
    /// When pruning started.
    pub started_at: DateTime<Utc>,
    /// When its last resource was deleted; `None` while under way.
    pub finished_at: Option<DateTime<Utc>>,
    /// Why it was pruned, such as "older than the 10 promoted deployments kept".
    pub reason: String,
    /// What pruning it freed, counted when it started: its function
    /// versions no other deployment uses, and its objects no retained
    /// deployment shares.
    pub freed: Freed,
    /// The status it had before.
    pub previous_status: super::DeploymentStatus,
}
