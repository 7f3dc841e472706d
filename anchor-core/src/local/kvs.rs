//! The local key-value store: CloudFront KeyValueStore's semantics on
//! SQLite, with its limits and a new ETag on every write.

use std::sync::Arc;

use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::cloud::new_etag;
use super::cloud::{Inner, LocalResult};
use crate::error::{Error, ResourceKind, Result, Service};
use crate::traits::{
    check_kvs_update, KeyValueStore, KvsDescription, KvsUpdate, MAX_KVS_STORE_BYTES,
};

/// The local implementation of [`KeyValueStore`].
///
/// As strict as CloudFront: a stale If-Match fails with
/// `Error::PreconditionFailed` and changes nothing, every write returns a
/// new ETag, and an update that would take the store past 5 MB is refused.
#[derive(Debug, Clone)]
pub struct LocalKvs {
    inner: Arc<Inner>,
}

impl LocalKvs {
    pub(crate) fn new(inner: Arc<Inner>) -> Self {
        Self { inner }
    }

    /// Creates `store` if it does not exist (`CreateKeyValueStore`), and
    /// returns its description either way.
    pub async fn ensure_store(&self, store: &str) -> Result<KvsDescription> {
        let name = store.to_string();
        self.inner
            .run(Service::Cdn, "CreateKeyValueStore", move |inner| {
                let conn = inner.db();
                conn.execute(
                    "INSERT OR IGNORE INTO kvs_stores (name, etag) VALUES (?1, ?2)",
                    params![name, new_etag()],
                )?;
                describe(&conn, &name)
            })
            .await
    }
}

impl LocalKvs {
    /// The store's ETag and every key starting with `prefix`, read in one
    /// transaction, for a reader (the local edge's router) that keeps a
    /// copy in step with the store.
    pub async fn snapshot(
        &self,
        store: &str,
        prefix: &str,
    ) -> Result<(String, std::collections::BTreeMap<String, String>)> {
        let (name, prefix) = (store.to_string(), prefix.to_string());
        self.inner
            .run(Service::Cdn, "ListKeys", move |inner| {
                let mut conn = inner.db();
                let tx = conn.transaction()?;
                let etag = describe(&tx, &name)?.etag;
                let mut statement = tx.prepare(
                    "SELECT key, value FROM kvs_items WHERE store = ?1 AND substr(key, 1, ?3) = ?2",
                )?;
                let rows = statement
                    .query_map(params![name, prefix, prefix.chars().count() as i64], |r| {
                        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                    })?;
                let items = rows.collect::<rusqlite::Result<_>>()?;
                drop(statement);
                tx.commit()?;
                Ok((etag, items))
            })
            .await
    }

    /// The store's ETag alone: one cheap read to tell whether a copy is
    /// still current.
    pub async fn etag(&self, store: &str) -> Result<String> {
        let name = store.to_string();
        self.inner
            .run(Service::Cdn, "DescribeKeyValueStore", move |inner| {
                let conn = inner.db();
                let etag: Option<String> = conn
                    .query_row(
                        "SELECT etag FROM kvs_stores WHERE name = ?1",
                        [&name],
                        |r| r.get(0),
                    )
                    .optional()?;
                etag.ok_or_else(|| Error::not_found(ResourceKind::KeyValueStore, name).into())
            })
            .await
    }
}

fn describe(conn: &Connection, store: &str) -> LocalResult<KvsDescription> {
    let etag: Option<String> = conn
        .query_row(
            "SELECT etag FROM kvs_stores WHERE name = ?1",
            [store],
            |r| r.get(0),
        )
        .optional()?;
    let Some(etag) = etag else {
        return Err(Error::not_found(ResourceKind::KeyValueStore, store).into());
    };
    let (total_bytes, items): (i64, i64) = conn.query_row(
        "SELECT COALESCE(SUM(LENGTH(CAST(key AS BLOB)) + LENGTH(CAST(value AS BLOB))), 0), COUNT(*)
         FROM kvs_items WHERE store = ?1",
        [store],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(KvsDescription {
        etag,
        total_bytes: total_bytes.max(0) as u64,
        items: items.max(0) as u64,
    })
}

#[async_trait]
impl KeyValueStore for LocalKvs {
    async fn describe(&self, store: &str) -> Result<KvsDescription> {
        let name = store.to_string();
        self.inner
            .run(Service::Cdn, "DescribeKeyValueStore", move |inner| {
                describe(&inner.db(), &name)
            })
            .await
    }

    async fn get(&self, store: &str, key: &str) -> Result<Option<String>> {
        let (name, key) = (store.to_string(), key.to_string());
        self.inner
            .run(Service::Cdn, "GetKey", move |inner| {
                let conn = inner.db();
                describe(&conn, &name)?;
                Ok(conn
                    .query_row(
                        "SELECT value FROM kvs_items WHERE store = ?1 AND key = ?2",
                        params![name, key],
                        |r| r.get(0),
                    )
                    .optional()?)
            })
            .await
    }

    async fn update(&self, store: &str, update: &KvsUpdate, if_match: &str) -> Result<String> {
        check_kvs_update(update)?;
        let (name, update, if_match) = (store.to_string(), update.clone(), if_match.to_string());
        self.inner
            .run(Service::Cdn, "UpdateKeys", move |inner| {
                let mut conn = inner.db();
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let current = describe(&tx, &name)?;
                if current.etag != if_match {
                    return Err(Error::precondition(
                        ResourceKind::KeyValueStore,
                        name,
                        format!("If-Match {if_match} is not the current ETag"),
                    )
                    .into());
                }
                for key in &update.deletes {
                    tx.execute(
                        "DELETE FROM kvs_items WHERE store = ?1 AND key = ?2",
                        params![name, key],
                    )?;
                }
                for (key, value) in &update.puts {
                    tx.execute(
                        "INSERT INTO kvs_items (store, key, value) VALUES (?1, ?2, ?3)
                         ON CONFLICT (store, key) DO UPDATE SET value = excluded.value",
                        params![name, key, value],
                    )?;
                }
                let after = describe(&tx, &name)?;
                if after.total_bytes > MAX_KVS_STORE_BYTES {
                    // Dropping the transaction rolls every change back.
                    return Err(Error::invalid_input(
                        "keys",
                        format!(
                            "the update would make store {name} {} bytes; a store holds at most {MAX_KVS_STORE_BYTES}",
                            after.total_bytes
                        ),
                    )
                    .into());
                }
                let etag = new_etag();
                tx.execute(
                    "UPDATE kvs_stores SET etag = ?2 WHERE name = ?1",
                    params![name, etag],
                )?;
                tx.commit()?;
                Ok(etag)
            })
            .await
    }
}
