//! Progress events of long operations, for progress bars.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// A phase of a deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Reading and hashing the build.
    Scanning,
    /// Uploading or copying assets.
    Uploading,
    /// Zipping function bundles.
    Packaging,
    /// Publishing function versions.
    Publishing,
    /// Switching the `live` aliases.
    Promoting,
    /// Invalidating stale CDN paths.
    Invalidating,
    /// Finished.
    Done,
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Scanning => "scanning",
            Self::Uploading => "uploading",
            Self::Packaging => "packaging",
            Self::Publishing => "publishing",
            Self::Promoting => "promoting",
            Self::Invalidating => "invalidating",
            Self::Done => "done",
        })
    }
}

/// One progress report: the phase and how much of it is done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressEvent {
    /// The current phase.
    pub phase: Phase,
    /// Items (files, bundles) finished in this phase.
    pub done: u64,
    /// Items in this phase.
    pub total: u64,
    /// Bytes finished in this phase.
    pub bytes_done: u64,
    /// Bytes in this phase.
    pub bytes_total: u64,
}

/// A callback that receives progress events. It must return quickly; it is
/// called from the task doing the work.
pub type ProgressFn = Arc<dyn Fn(&ProgressEvent) + Send + Sync>;
