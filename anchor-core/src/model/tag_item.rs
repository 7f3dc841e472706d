use serde::{Deserialize, Serialize};

/// One row of OpenNext's tag cache: `path` (a cache key) carries `tag`,
/// and the tag was last revalidated at `revalidated_at` (milliseconds since
/// the epoch; a build seeds `1`, meaning never).
///
/// Both keys start with the build id, so the rows of several builds share
/// one table without colliding.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TagItem {
    /// The tag, such as `<build id>/_N_T_/layout`; the table's partition key.
    pub tag: String,
    /// The cache key it applies to; the table's sort key, and the partition
    /// key of its `revalidate` index.
    pub path: String,
    /// When the tag was last revalidated; the sort key of the index.
    pub revalidated_at: u64,
}
