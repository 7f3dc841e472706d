//! The `Provisioner` conformance suite on every implementation: the local
//! cloud with and without the edge router, and the AWS backend on moto.
//! The AWS half is skipped without `ANCHOR_MOTO_ENDPOINT` (and fails when
//! `ANCHOR_REQUIRE_MOTO` is set), as every `aws_*` test.
//!
//! moto needs no knob here: the suite runs strict on it. Its edge router is
//! "made elsewhere" (moto has no CloudFront Functions or KeyValueStores), so
//! opening a second pair is refused on `router`, which the suite accepts as
//! the trait documents.

use crate::aws_support;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use anchor_core::clock::SystemClock;
use anchor_core::conformance;
use anchor_core::local::{LocalCloud, LocalCloudOptions, SqliteStateStore};
use futures::FutureExt;

/// Every row of every table of the local cloud's database, read with
/// SQLite directly (not through Anchor).
fn local_inventory(db: &PathBuf) -> BTreeMap<String, String> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut out = BTreeMap::new();
    for table in tables {
        let mut statement = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let columns = statement.column_count();
        let mut rows: Vec<String> = statement
            .query_map([], |row| {
                (0..columns)
                    .map(|i| {
                        row.get::<_, rusqlite::types::Value>(i)
                            .map(|v| format!("{v:?}"))
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map(|values| values.join(" | "))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        rows.sort();
        out.insert(table, rows.join("\n"));
    }
    out
}

async fn local(options: LocalCloudOptions) {
    let dir = tempfile::tempdir().unwrap();
    let cloud =
        LocalCloud::open_with(dir.path().join("cloud"), Arc::new(SystemClock), options).unwrap();
    let store = SqliteStateStore::open(dir.path().join("home")).unwrap();
    let backend = cloud.backend(Arc::new(store));
    let db = cloud.root().join("cloud.db");
    let inventory = || futures::future::ready(local_inventory(&db)).boxed();
    conformance::provisioner::provisioner(&backend, &inventory).await;
}

#[tokio::test]
async fn local_cloud_with_the_router() {
    local(LocalCloudOptions::default()).await;
}

#[tokio::test]
async fn local_cloud_without_the_router() {
    local(LocalCloudOptions {
        without_router: true,
        ..LocalCloudOptions::default()
    })
    .await;
}

#[tokio::test]
async fn aws_on_moto() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let backend = anchor_core::aws::open_backend(&m.config, &m.options("anchor-assets"))
        .await
        .unwrap();
    let inventory = || aws_support::provisioning::inventory(&m).boxed();
    conformance::provisioner::provisioner(&backend, &inventory).await;
}
