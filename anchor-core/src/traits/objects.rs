use std::path::PathBuf;

use async_trait::async_trait;

use crate::error::Result;
use crate::model::{Page, PageRequest};

/// The bytes of an object to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ObjectBody {
    /// Stream the file at this path; implementations must not load large
    /// files into memory whole.
    File(PathBuf),
    /// Small in-memory content, such as a manifest.
    Bytes(Vec<u8>),
}

/// Options of [`ObjectStore::put`] and [`ObjectStore::copy`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PutOptions {
    /// The `Content-Type` served with the object.
    pub content_type: Option<String>,
    /// The `Cache-Control` served with the object.
    pub cache_control: Option<String>,
    /// Hex SHA-256 of the content, stored as metadata for later skips.
    pub sha256: Option<String>,
    /// Fail with `Error::PreconditionFailed` if the key already exists
    /// (S3's `If-None-Match: *`), so nothing is ever overwritten.
    pub if_none_match: bool,
    /// The content's size in bytes, when the caller already knows it (a
    /// deploy's plan does). [`ObjectStore::copy`] then returns it instead of
    /// reading the copy back, which on S3 is one HeadObject per copy.
    pub known_size: Option<u64>,
}

/// What the store knows of one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectMeta {
    /// The object's key.
    pub key: String,
    /// Its size in bytes.
    pub size: u64,
    /// Hex SHA-256 recorded at write time, if it was given.
    pub sha256: Option<String>,
    /// Its `Content-Type`.
    pub content_type: Option<String>,
    /// Its `Cache-Control`.
    pub cache_control: Option<String>,
}

/// One object of a listing: what S3's `ListObjectsV2` tells of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedObject {
    /// The object's key.
    pub key: String,
    /// Its size in bytes.
    pub size: u64,
}

/// The asset store (S3, or a local file tree).
///
/// Implementations guarantee that a completed `put` or `copy` is visible to
/// `head` and `get` at once, that a failed write leaves no partial object,
/// and that `if_none_match` is checked atomically with the write.
#[async_trait]
pub trait ObjectStore: Send + Sync + std::fmt::Debug {
    /// Where this store writes, as a short name people recognise: two
    /// stores report the same location exactly when they write to the same
    /// place (`s3://<bucket>` on S3, `local:<id>` on the embedded default,
    /// an id kept in its folder, so a moved folder is the same store). The flows record it with each project and refuse to change
    /// a project from a store with another location. Makes no call.
    fn location(&self) -> String;

    /// Writes `body` at `key` with the given metadata.
    async fn put(&self, key: &str, body: ObjectBody, options: &PutOptions) -> Result<ObjectMeta>;

    /// Copies `from` to `to` inside the store, replacing the metadata with
    /// `options`. Fails with `Error::NotFound` if `from` is missing.
    async fn copy(&self, from: &str, to: &str, options: &PutOptions) -> Result<ObjectMeta>;

    /// Reads an object's metadata.
    async fn head(&self, key: &str) -> Result<Option<ObjectMeta>>;

    /// Reads a whole object; meant for small objects such as manifests.
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>>;

    /// Deletes an object; deleting a missing key succeeds.
    async fn delete(&self, key: &str) -> Result<()>;

    /// One page of the objects whose keys start with `prefix`, byte for
    /// byte (no delimiter: `a/` lists `a/b/c` too, and never `ab`), in
    /// ascending byte order of their keys, at most `page.limit` of them
    /// (1 to 1,000, S3's largest page; anything else is `InvalidInput`
    /// naming `limit`). Pass `next_cursor` back, with the same prefix, for
    /// the next page; it is `None` on the last one. A cursor is opaque and
    /// fits only the listing that issued it.
    ///
    /// An object present for the whole listing shows exactly once; one
    /// written or deleted while it runs may or may not show. An empty
    /// prefix lists every object; a prefix with no object under it gives
    /// one empty page, not an error.
    async fn list(&self, prefix: &str, page: &PageRequest) -> Result<Page<ListedObject>>;
}
