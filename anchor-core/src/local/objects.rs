//! The local asset store: one file per object under `<root>/objects/data/`,
//! with the metadata in SQLite. The metadata row is the source of truth: an
//! object exists once its row is committed, so a file without a row (left by
//! a crash) is never visible.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension, TransactionBehavior};

use super::cloud::{Inner, LocalResult};
use super::temp_file::TempFile;
use crate::error::{Error, ResourceKind, Result, Service};
use crate::model::{Page, PageRequest};
use crate::traits::{ListedObject, ObjectBody, ObjectMeta, ObjectStore, PutOptions};

/// The longest key accepted, in bytes (S3's limit).
pub const MAX_KEY_LEN: usize = 1024;

/// The local implementation of [`ObjectStore`].
///
/// Beyond the trait's guarantees (atomic visibility, no partial objects,
/// atomic `if_none_match`), it refuses keys that cannot map safely to a file
/// path (see [`validate_key`]), and streams file bodies without reading them
/// whole.
#[derive(Debug, Clone)]
pub struct LocalObjectStore {
    inner: Arc<Inner>,
}

impl LocalObjectStore {
    pub(crate) fn new(inner: Arc<Inner>) -> Self {
        Self { inner }
    }

    /// Where the bytes of `key` live, for a local server that sends files.
    /// The file exists only while the object does. The key is not checked
    /// here: run [`validate_key`] on untrusted keys first, since a `..`
    /// segment would lead out of the store.
    pub fn path_of(&self, key: &str) -> PathBuf {
        data_dir(&self.inner.root).join(key)
    }
}

fn data_dir(root: &Path) -> PathBuf {
    root.join("objects").join("data")
}

fn tmp_dir(root: &Path) -> PathBuf {
    root.join("objects").join("tmp")
}

/// Checks that `key` maps to a path inside the data folder: non-empty, at
/// most [`MAX_KEY_LEN`] bytes, no leading `/`, no empty, `.` or `..`
/// segments, no control characters and no backslash. Errors name the field
/// `key` and quote the key.
pub fn validate_key(key: &str) -> Result<()> {
    let bad = |reason: &str| Error::invalid_input("key", format!("{key:?} {reason}"));
    if key.is_empty() {
        return Err(bad("must not be empty"));
    }
    if key.len() > MAX_KEY_LEN {
        return Err(bad(&format!("is longer than {MAX_KEY_LEN} bytes")));
    }
    if key.starts_with('/') {
        return Err(bad("must not start with '/'"));
    }
    if key.contains('\\') {
        return Err(bad("must not contain a backslash"));
    }
    if key.chars().any(char::is_control) {
        return Err(bad("must not contain control characters"));
    }
    if key
        .split('/')
        .any(|s| s.is_empty() || s == "." || s == "..")
    {
        return Err(bad("must not have empty, '.' or '..' segments"));
    }
    Ok(())
}

fn read_meta(conn: &rusqlite::Connection, key: &str) -> rusqlite::Result<Option<ObjectMeta>> {
    conn.query_row(
        "SELECT size, sha256, content_type, cache_control FROM objects WHERE key = ?1",
        [key],
        |row| {
            Ok(ObjectMeta {
                key: key.to_string(),
                size: row.get::<_, i64>(0)?.try_into().unwrap_or_default(),
                sha256: row.get(1)?,
                content_type: row.get(2)?,
                cache_control: row.get(3)?,
            })
        },
    )
    .optional()
}

/// Moves a fully written temp file to `key` and records its metadata, in one
/// transaction so that the `if_none_match` check and the write are atomic.
fn commit_object(
    inner: &Inner,
    tmp: TempFile,
    key: &str,
    size: u64,
    options: &PutOptions,
) -> LocalResult<ObjectMeta> {
    let mut conn = inner.db();
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if options.if_none_match {
        let exists: Option<i64> = tx
            .query_row("SELECT 1 FROM objects WHERE key = ?1", [key], |r| r.get(0))
            .optional()?;
        if exists.is_some() {
            return Err(Error::precondition(
                ResourceKind::Object,
                key,
                "if_none_match is set and the key already exists",
            )
            .into());
        }
    }
    let meta = ObjectMeta {
        key: key.to_string(),
        size,
        sha256: options.sha256.clone(),
        content_type: options.content_type.clone(),
        cache_control: options.cache_control.clone(),
    };
    tx.execute(
        "INSERT INTO objects (key, size, sha256, content_type, cache_control)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (key) DO UPDATE SET size = ?2, sha256 = ?3,
             content_type = ?4, cache_control = ?5",
        params![
            key,
            i64::try_from(size).unwrap_or(i64::MAX),
            meta.sha256,
            meta.content_type,
            meta.cache_control
        ],
    )?;
    let data = data_dir(&inner.root);
    let path = data.join(key);
    // A file cannot also be a folder: S3 allows keys `a` and `a/b` side by
    // side, this store cannot, so it says so instead of failing on I/O.
    let clash = if path.is_dir() {
        Some("is a folder of other keys")
    } else if path
        .ancestors()
        .skip(1)
        .take_while(|dir| *dir != data)
        .any(Path::is_file)
    {
        Some("is below another object's key")
    } else {
        None
    };
    if let Some(clash) = clash {
        return Err(Error::invalid_input(
            "key",
            format!("{key:?} {clash} in the local store, which keeps objects as files"),
        )
        .into());
    }
    // The rename happens under the lock, before the commit: a failed rename
    // rolls the row back, and deletes cannot remove the parent folder midway.
    tmp.persist(&path)?;
    tx.commit()?;
    Ok(meta)
}

/// Streams `source` into a fresh temp file and returns it with its size.
fn stage(inner: &Inner, source: &mut dyn std::io::Read, from: &Path) -> Result<(TempFile, u64)> {
    let dir = tmp_dir(&inner.root);
    let (tmp, mut file) = TempFile::create(&dir)?;
    let size = std::io::copy(source, &mut file).map_err(|e| Error::io(from, e))?;
    // Flush to disk before the rename so a crash cannot leave a renamed but
    // empty file behind a committed row.
    file.sync_all().map_err(|e| Error::io(&dir, e))?;
    Ok((tmp, size))
}

/// One page of the keys starting with `prefix` after `after`, in byte
/// order (SQLite compares text with `memcmp`, so the keys sharing a prefix
/// are one run of the primary key's index): read from the first key at or
/// after the prefix until a key no longer starts with it.
fn list_page(
    conn: &rusqlite::Connection,
    prefix: &str,
    after: &str,
    limit: usize,
) -> rusqlite::Result<Page<ListedObject>> {
    let mut statement =
        conn.prepare("SELECT key, size FROM objects WHERE key >= ?1 AND key > ?2 ORDER BY key")?;
    let mut rows = statement.query(params![prefix, after])?;
    let mut items = Vec::new();
    let mut more = false;
    while let Some(row) = rows.next()? {
        let key: String = row.get(0)?;
        if !key.starts_with(prefix) {
            break;
        }
        if items.len() == limit {
            more = true;
            break;
        }
        let size: i64 = row.get(1)?;
        items.push(ListedObject {
            key,
            size: size.try_into().unwrap_or_default(),
        });
    }
    let next_cursor = if more {
        items.last().map(|o| o.key.clone())
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}

/// Removes the now empty folders between a deleted file and the data root,
/// so a later key can use the folder's name as an object.
fn prune_empty_parents(data: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == data || !d.starts_with(data) || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

#[async_trait]
impl ObjectStore for LocalObjectStore {
    fn location(&self) -> String {
        self.inner.location.clone()
    }

    async fn put(&self, key: &str, body: ObjectBody, options: &PutOptions) -> Result<ObjectMeta> {
        validate_key(key)?;
        let (key, options) = (key.to_string(), options.clone());
        self.inner
            .run(Service::Objects, "PutObject", move |inner| {
                let (tmp, size) = match &body {
                    ObjectBody::File(path) => {
                        let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
                        stage(inner, &mut file, path)?
                    }
                    ObjectBody::Bytes(bytes) => {
                        stage(inner, &mut bytes.as_slice(), Path::new(&key))?
                    }
                };
                commit_object(inner, tmp, &key, size, &options)
            })
            .await
    }

    async fn copy(&self, from: &str, to: &str, options: &PutOptions) -> Result<ObjectMeta> {
        validate_key(from)?;
        validate_key(to)?;
        let (from, to, options) = (from.to_string(), to.to_string(), options.clone());
        self.inner
            .run(Service::Objects, "CopyObject", move |inner| {
                let missing = || Error::not_found(ResourceKind::Object, &from);
                if read_meta(&inner.db(), &from)?.is_none() {
                    return Err(missing().into());
                }
                // Copied outside the lock: renames are atomic, so the open file
                // is one whole version of the source even if it is replaced.
                let path = data_dir(&inner.root).join(&from);
                let mut file = std::fs::File::open(&path).map_err(|e| match e.kind() {
                    std::io::ErrorKind::NotFound => missing(),
                    _ => Error::io(&path, e),
                })?;
                let (tmp, size) = stage(inner, &mut file, &path)?;
                commit_object(inner, tmp, &to, size, &options)
            })
            .await
    }

    async fn head(&self, key: &str) -> Result<Option<ObjectMeta>> {
        validate_key(key)?;
        let key = key.to_string();
        self.inner
            .run(Service::Objects, "HeadObject", move |inner| {
                Ok(read_meta(&inner.db(), &key)?)
            })
            .await
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        validate_key(key)?;
        let key = key.to_string();
        self.inner
            .run(Service::Objects, "GetObject", move |inner| {
                // Read under the lock so a concurrent delete cannot remove the
                // file between the row check and the read.
                let conn = inner.db();
                if read_meta(&conn, &key)?.is_none() {
                    return Ok(None);
                }
                let path = data_dir(&inner.root).join(&key);
                let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
                Ok(Some(bytes))
            })
            .await
    }

    async fn delete(&self, key: &str) -> Result<()> {
        validate_key(key)?;
        let key = key.to_string();
        self.inner
            .run(Service::Objects, "DeleteObject", move |inner| {
                let mut conn = inner.db();
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                if tx.execute("DELETE FROM objects WHERE key = ?1", [&key])? == 0 {
                    return Ok(());
                }
                let data = data_dir(&inner.root);
                let path = data.join(&key);
                match std::fs::remove_file(&path) {
                    Ok(()) => prune_empty_parents(&data, &path),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(Error::io(&path, e).into()),
                }
                tx.commit()?;
                Ok(())
            })
            .await
    }

    /// The cursor is the last key of the previous page.
    async fn list(&self, prefix: &str, page: &PageRequest) -> Result<Page<ListedObject>> {
        page.validate()?;
        let after = page.cursor.clone().unwrap_or_default();
        if page.cursor.is_some() && !after.starts_with(prefix) {
            return Err(Error::invalid_input(
                "cursor",
                format!("{after:?} is not a cursor of a listing of {prefix:?}"),
            ));
        }
        let (prefix, limit) = (prefix.to_string(), page.limit);
        self.inner
            .run(Service::Objects, "ListObjectsV2", move |inner| {
                Ok(list_page(&inner.db(), &prefix, &after, limit)?)
            })
            .await
    }
}
