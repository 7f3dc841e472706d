//! The key-value store the edge router reads on every request (a
//! CloudFront KeyValueStore, or its local twin).

use async_trait::async_trait;

use crate::error::{Error, Result};

/// CloudFront's limit on a key, in bytes.
pub const MAX_KVS_KEY_BYTES: usize = 512;
/// CloudFront's limit on a value, in bytes.
pub const MAX_KVS_VALUE_BYTES: usize = 1024;
/// CloudFront's limit on a store: the bytes of every key and value.
pub const MAX_KVS_STORE_BYTES: u64 = 5 * 1024 * 1024;
/// The most puts and deletes one `UpdateKeys` call takes.
pub const MAX_KVS_UPDATE_ITEMS: usize = 50;

/// A store's state, from `DescribeKeyValueStore`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KvsDescription {
    /// The ETag every write must send as If-Match.
    pub etag: String,
    /// The bytes of every key and value; at most [`MAX_KVS_STORE_BYTES`].
    pub total_bytes: u64,
    /// How many keys it holds.
    pub items: u64,
}

/// One `UpdateKeys` call: keys to put and keys to delete, applied together.
/// Its `Debug` shows the keys and the size of each value, never the value:
/// a routing entry holds the project's origin secret.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct KvsUpdate {
    /// Keys and their new values.
    pub puts: Vec<(String, String)>,
    /// Keys to remove; a missing key is no error.
    pub deletes: Vec<String>,
}

impl std::fmt::Debug for KvsUpdate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let puts: Vec<String> = self
            .puts
            .iter()
            .map(|(k, v)| format!("{k} ({} bytes)", v.len()))
            .collect();
        f.debug_struct("KvsUpdate")
            .field("puts", &puts)
            .field("deletes", &self.deletes)
            .finish()
    }
}

impl KvsUpdate {
    /// An update putting one key.
    pub fn put(key: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            puts: vec![(key.into(), value.into())],
            deletes: Vec::new(),
        }
    }
}

/// The input rules of [`KeyValueStore::update`], which every implementation
/// applies before any call: 1 to [`MAX_KVS_UPDATE_ITEMS`] items, each key 1
/// to 512 bytes and named once, each value at most 1 KB. Fails with
/// `InvalidInput` naming `keys`, `key` or `value`.
pub fn check_kvs_update(update: &KvsUpdate) -> Result<()> {
    let count = update.puts.len() + update.deletes.len();
    if count == 0 || count > MAX_KVS_UPDATE_ITEMS {
        return Err(Error::invalid_input(
            "keys",
            format!("an update takes 1 to {MAX_KVS_UPDATE_ITEMS} keys, not {count}"),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    let keys = update
        .puts
        .iter()
        .map(|(key, _)| key)
        .chain(update.deletes.iter());
    for key in keys {
        if key.is_empty() || key.len() > MAX_KVS_KEY_BYTES {
            return Err(Error::invalid_input(
                "key",
                format!(
                    "{key:.80?} is {} bytes; keys are 1 to {MAX_KVS_KEY_BYTES}",
                    key.len()
                ),
            ));
        }
        if !seen.insert(key.as_str()) {
            return Err(Error::invalid_input(
                "key",
                format!("{key:.80?} is named twice in one update"),
            ));
        }
    }
    if let Some((key, value)) = update
        .puts
        .iter()
        .find(|(_, value)| value.len() > MAX_KVS_VALUE_BYTES)
    {
        return Err(Error::invalid_input(
            "value",
            format!(
                "the value of {key:.80?} is {} bytes; values are at most {MAX_KVS_VALUE_BYTES}",
                value.len()
            ),
        ));
    }
    Ok(())
}

/// A key-value store with optimistic concurrency, as CloudFront's.
///
/// Implementations guarantee that [`KeyValueStore::update`] applies all of
/// its puts and deletes or none, only if `if_match` is the store's current
/// ETag (else `Error::PreconditionFailed`, nothing changed), that it
/// refuses an update that would take the store past
/// [`MAX_KVS_STORE_BYTES`] with `Error::InvalidInput` on `keys`, and that
/// a read after a successful update sees it.
#[async_trait]
pub trait KeyValueStore: Send + Sync + std::fmt::Debug {
    /// The store's ETag, size and item count; `NotFound` if it does not
    /// exist.
    async fn describe(&self, store: &str) -> Result<KvsDescription>;

    /// The value of `key`, or `None`.
    async fn get(&self, store: &str, key: &str) -> Result<Option<String>>;

    /// Applies `update` if `if_match` is current and returns the new ETag.
    async fn update(&self, store: &str, update: &KvsUpdate, if_match: &str) -> Result<String>;
}
