//! The names of the four tables.

/// The names of the four tables a [`super::DynamoStateStore`] uses.
///
/// Several Anchor installations can share an account and region by using
/// different prefixes; one set of tables holds any number of projects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableNames {
    /// Project records (hash key `name`) and per-project version counters.
    pub projects: String,
    /// Deployment records (hash `project`, range `version`) and the id
    /// pointers that make lookups by id consistent.
    pub deployments: String,
    /// Domain records (hash `name`), with the `ProjectIdIndex` index.
    pub domains: String,
    /// Rollback events (hash `project`, range `sequence`).
    pub rollbacks: String,
}

impl TableNames {
    /// `<prefix>-projects`, `<prefix>-deployments`, `<prefix>-domains` and
    /// `<prefix>-rollbacks`.
    pub fn with_prefix(prefix: &str) -> Self {
        Self {
            projects: format!("{prefix}-projects"),
            deployments: format!("{prefix}-deployments"),
            domains: format!("{prefix}-domains"),
            rollbacks: format!("{prefix}-rollbacks"),
        }
    }
}

impl Default for TableNames {
    /// The tables with the prefix `anchor`.
    fn default() -> Self {
        Self::with_prefix("anchor")
    }
}
