//! The tag cache OpenNext's server reads and writes for on-demand
//! revalidation (a DynamoDB table, or its local twin): which pages carry
//! which cache tags, and when each tag was last revalidated.

use async_trait::async_trait;

use crate::error::Result;

/// The most items one write takes, as DynamoDB's `BatchWriteItem`.
pub const MAX_TAG_WRITE_ITEMS: usize = 25;

/// One item of the tag cache, keyed by `tag` and `path` together. Both are
/// prefixed with the build id by OpenNext, so deployments of one project
/// share a table without seeing each other's items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagItem {
    /// The cache tag, such as `<build id>/_N_T_/isr`.
    pub tag: String,
    /// The cache entry that carries it, such as
    /// `<build id>/route-cache/APP_PAGE/<hash>/$/isr`.
    pub path: String,
    /// When the tag was last revalidated, in milliseconds since the epoch;
    /// the build seeds 1.
    pub revalidated_at: i64,
}

/// A project's tag table.
///
/// Implementations guarantee that `put_items` replaces an item with the
/// same tag and path whole (DynamoDB `PutRequest`), so writing the same
/// items again changes nothing, and that a completed write is visible to
/// the functions' next read.
#[async_trait]
pub trait TagCache: Send + Sync + std::fmt::Debug {
    /// Writes `items` into `table`, in batches of at most
    /// [`MAX_TAG_WRITE_ITEMS`]. Fails with `NotFound` if the table does
    /// not exist.
    async fn put_items(&self, table: &str, items: &[TagItem]) -> Result<()>;
}
