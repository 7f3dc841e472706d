//! The local tag table: the DynamoDB table OpenNext's tag cache uses, on
//! SQLite. Items are keyed by `tag` (hash) and `path` (range), with the
//! `revalidate` index keyed by `path` and `revalidatedAt`, as OpenNext's
//! reference setup creates it. Each item is kept whole in DynamoDB's JSON
//! form, so a read returns exactly what was written.

use std::sync::Arc;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde_json::Value;

use super::cloud::{Inner, LocalResult};
use crate::error::{Error, ResourceKind, Result, Service};
use crate::model::TagItem;

/// One item to write: its keys, its sort value in the `revalidate` index,
/// and the whole item in DynamoDB's JSON form.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredTagItem {
    /// The `tag` attribute (hash key).
    pub tag: String,
    /// The `path` attribute (range key, and the index's hash key).
    pub path: String,
    /// The `revalidatedAt` attribute (the index's range key).
    pub revalidated_at: i64,
    /// The item as sent, such as `{"tag":{"S":".."},"path":{"S":".."},..}`.
    pub item: Value,
}

impl From<&TagItem> for StoredTagItem {
    fn from(item: &TagItem) -> Self {
        Self {
            tag: item.tag.clone(),
            path: item.path.clone(),
            revalidated_at: i64::try_from(item.revalidated_at).unwrap_or(i64::MAX),
            item: serde_json::json!({
                "tag": {"S": item.tag},
                "path": {"S": item.path},
                "revalidatedAt": {"N": item.revalidated_at.to_string()},
            }),
        }
    }
}

/// The local tag tables: what [`super::LocalRevalidation`] seeds, and what
/// the local edge's DynamoDB endpoint reads and writes for the functions.
///
/// A write replaces an item with the same tag and path whole (DynamoDB's
/// `PutRequest`), so seeding the same items again changes nothing, and a
/// completed write is visible to the next read.
///
/// A table must exist ([`LocalTagTable::ensure_table`], done when a project
/// is provisioned) before anything is written to or read from it; otherwise
/// calls fail with `NotFound`, as DynamoDB's `ResourceNotFoundException`.
#[derive(Debug, Clone)]
pub struct LocalTagTable {
    inner: Arc<Inner>,
}

impl LocalTagTable {
    pub(crate) fn new(inner: Arc<Inner>) -> Self {
        Self { inner }
    }

    /// Creates `table` if it does not exist (`CreateTable`).
    pub async fn ensure_table(&self, table: &str) -> Result<()> {
        let name = table.to_string();
        self.inner
            .run(Service::Revalidation, "CreateTable", move |inner| {
                inner.db().execute(
                    "INSERT OR IGNORE INTO tag_tables (name) VALUES (?1)",
                    [name],
                )?;
                Ok(())
            })
            .await
    }

    /// Whether `table` exists.
    pub async fn exists(&self, table: &str) -> Result<bool> {
        let name = table.to_string();
        self.inner
            .run(Service::Revalidation, "DescribeTable", move |inner| {
                Ok(table_exists(&inner.db(), &name)?)
            })
            .await
    }

    /// Writes `items` in one transaction, each replacing the item with the
    /// same tag and path (`BatchWriteItem` of `PutRequest`s, `PutItem`).
    pub async fn write(&self, table: &str, items: Vec<StoredTagItem>) -> Result<()> {
        let name = table.to_string();
        self.inner
            .run(Service::Revalidation, "BatchWriteItem", move |inner| {
                let mut conn = inner.db();
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                require_table(&tx, &name)?;
                for item in &items {
                    tx.execute(
                        "INSERT INTO tag_items (table_name, tag, path, revalidated_at, item)
                         VALUES (?1, ?2, ?3, ?4, ?5)
                         ON CONFLICT (table_name, tag, path) DO UPDATE SET
                           revalidated_at = excluded.revalidated_at, item = excluded.item",
                        params![
                            name,
                            item.tag,
                            item.path,
                            item.revalidated_at,
                            item.item.to_string()
                        ],
                    )?;
                }
                tx.commit()?;
                Ok(())
            })
            .await
    }

    /// Deletes every item whose tag starts with `prefix`, byte for byte;
    /// returns how many went. A table that does not exist has none.
    pub async fn delete_by_tag_prefix(&self, table: &str, prefix: &str) -> Result<u64> {
        let (name, prefix) = (table.to_string(), prefix.to_string());
        self.inner
            .run(Service::Revalidation, "BatchWriteItem", move |inner| {
                // `substr` and `length` both count characters, so this is
                // an exact prefix match (LIKE would fold case and read `_`
                // and `%` as wildcards); `tag >= ?2` starts at the run.
                let deleted = inner.db().execute(
                    "DELETE FROM tag_items WHERE table_name = ?1 AND tag >= ?2
                       AND substr(tag, 1, length(?2)) = ?2",
                    params![name, prefix],
                )?;
                Ok(deleted as u64)
            })
            .await
    }

    /// The item with this tag and path (`GetItem`).
    pub async fn get(&self, table: &str, tag: &str, path: &str) -> Result<Option<Value>> {
        let (name, tag, path) = (table.to_string(), tag.to_string(), path.to_string());
        self.inner
            .run(Service::Revalidation, "GetItem", move |inner| {
                let conn = inner.db();
                require_table(&conn, &name)?;
                let item: Option<String> = conn
                    .query_row(
                        "SELECT item FROM tag_items WHERE table_name = ?1 AND tag = ?2 AND path = ?3",
                        params![name, tag, path],
                        |r| r.get(0),
                    )
                    .optional()?;
                Ok(item.map(|i| serde_json::from_str(&i)).transpose()?)
            })
            .await
    }

    /// Every item carrying `tag`, by path (`Query` on the table).
    pub async fn by_tag(&self, table: &str, tag: &str) -> Result<Vec<Value>> {
        self.select(
            table,
            "Query",
            "SELECT item FROM tag_items WHERE table_name = ?1 AND tag = ?2 ORDER BY path",
            vec![tag.to_string().into()],
        )
        .await
    }

    /// Every item of `path` revalidated after `after` if given, by
    /// revalidation time (`Query` on the `revalidate` index).
    pub async fn by_path(&self, table: &str, path: &str, after: Option<i64>) -> Result<Vec<Value>> {
        self.select(
            table,
            "Query",
            "SELECT item FROM tag_items WHERE table_name = ?1 AND path = ?2 AND revalidated_at > ?3
             ORDER BY revalidated_at, tag",
            vec![path.to_string().into(), after.unwrap_or(i64::MIN).into()],
        )
        .await
    }

    async fn select(
        &self,
        table: &str,
        operation: &'static str,
        sql: &'static str,
        args: Vec<rusqlite::types::Value>,
    ) -> Result<Vec<Value>> {
        let name = table.to_string();
        self.inner
            .run(Service::Revalidation, operation, move |inner| {
                let conn = inner.db();
                require_table(&conn, &name)?;
                let mut statement = conn.prepare(sql)?;
                let mut all = vec![rusqlite::types::Value::Text(name)];
                all.extend(args);
                let rows = statement
                    .query_map(rusqlite::params_from_iter(all), |r| r.get::<_, String>(0))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                let items = rows
                    .iter()
                    .map(|row| serde_json::from_str(row))
                    .collect::<std::result::Result<Vec<Value>, _>>()?;
                Ok(items)
            })
            .await
    }
}

fn table_exists(conn: &Connection, name: &str) -> rusqlite::Result<bool> {
    conn.query_row("SELECT 1 FROM tag_tables WHERE name = ?1", [name], |_| {
        Ok(())
    })
    .optional()
    .map(|found| found.is_some())
}

fn require_table(conn: &Connection, name: &str) -> LocalResult<()> {
    if table_exists(conn, name)? {
        Ok(())
    } else {
        Err(Error::not_found(ResourceKind::TagTable, name).into())
    }
}
