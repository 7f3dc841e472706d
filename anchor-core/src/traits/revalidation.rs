use async_trait::async_trait;

use crate::error::{Error, Result};
use crate::model::{DeploymentId, FunctionVersion, ProjectName, TagItem};

/// A deployment's revalidation queue, as its server finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevalidationQueue {
    /// The queue's URL, the server's `REVALIDATION_QUEUE_URL`.
    pub url: String,
    /// The queue's region, the server's `REVALIDATION_QUEUE_REGION`.
    pub region: String,
    /// The queue's id for the host's subscriptions (an ARN on AWS).
    pub arn: String,
    /// The function that consumes it; it exists, so a version of the
    /// build's revalidation code can be published to it.
    pub function: String,
}

/// The revalidation pipeline OpenNext's ISR needs next to the functions:
/// per deployment a FIFO queue its server sends stale pages to, consumed
/// by that deployment's revalidation function version; per project a tag
/// table the servers read and write.
///
/// Every deployment keeps its own queue (an immutable origin includes its
/// pipeline); the tag table is shared, since its keys start with the build
/// id. Every method is idempotent. A backend that keeps neither answers
/// `None` from the `ensure` methods, and the deploy flow then sets no
/// variables and publishes no revalidation function.
#[async_trait]
pub trait Revalidation: Send + Sync + std::fmt::Debug {
    /// Ensures the project's tag table exists and holds `items` (written
    /// over any row with the same keys). Returns the table's name, the
    /// functions' `CACHE_DYNAMO_TABLE`.
    async fn ensure_tags(&self, project: &ProjectName, items: &[TagItem])
        -> Result<Option<String>>;

    /// Ensures the deployment's queue (with the project's dead-letter
    /// queue) and the project's revalidation function exist.
    async fn ensure_queue(
        &self,
        project: &ProjectName,
        deployment: &DeploymentId,
    ) -> Result<Option<RevalidationQueue>>;

    /// Makes `version` the one consumer of `queue`: a subscription on that
    /// exact version, replacing one on any other.
    async fn subscribe(&self, queue: &RevalidationQueue, version: &FunctionVersion) -> Result<()>;

    /// Deletes the deployment's subscription and queue, for pruning it. A
    /// queue or subscription already gone is no error.
    async fn remove_queue(&self, project: &ProjectName, deployment: &DeploymentId) -> Result<()>;

    /// Deletes the rows of the project's tag table that belong to build
    /// `build_id`: those whose `tag` starts with `<build_id>/`, as OpenNext
    /// keys every row of a build (its `path` starts so too), for pruning a
    /// build no deployment uses any more. Rows of a build whose id merely
    /// starts with `build_id` stay. No table, or no such row, is no error;
    /// an empty `build_id`, or one with a `/`, is `InvalidInput` naming
    /// `build_id` ([`build_tag_prefix`]).
    async fn remove_build_tags(&self, project: &ProjectName, build_id: &str) -> Result<()>;
}

/// What the tag keys of build `build_id` start with: `<build_id>/`, as
/// OpenNext's DynamoDB tag cache joins the build id and the key. Refuses an
/// empty id or one with a `/`, whose prefix would reach other builds' rows.
pub fn build_tag_prefix(build_id: &str) -> Result<String> {
    if build_id.is_empty() || build_id.contains('/') {
        return Err(Error::invalid_input(
            "build_id",
            format!("{build_id:?} must be a non-empty build id without '/'"),
        ));
    }
    Ok(format!("{build_id}/"))
}
