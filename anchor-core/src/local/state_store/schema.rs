//! Connection settings and schema migrations, versioned by
//! `PRAGMA user_version`.

use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior};

use super::errors;
use crate::error::{Error, Result, Service};

/// How long a call waits for another process's write lock before failing
/// with a retryable error. Commits are short, so a few seconds means a stuck
/// process, not a busy one.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Migration `i` moves the schema from version `i` to `i + 1`. Append only:
/// a released step never changes, because files in the field already ran it.
const MIGRATIONS: &[&str] = &[
    // 1: the first schema. Records are JSON; the other columns exist only
    // for conditions, lookups and ordering. `(project, version)` and
    // `(project, sequence)` primary keys serve the newest-first listings.
    "CREATE TABLE projects (
        name     TEXT PRIMARY KEY NOT NULL,
        revision INTEGER NOT NULL,
        json     TEXT NOT NULL
    );
    CREATE TABLE deployments (
        project  TEXT NOT NULL,
        version  INTEGER NOT NULL,
        id       TEXT NOT NULL UNIQUE,
        revision INTEGER NOT NULL,
        json     TEXT NOT NULL,
        PRIMARY KEY (project, version)
    );
    CREATE TABLE version_counters (
        project TEXT PRIMARY KEY NOT NULL,
        last    INTEGER NOT NULL
    );
    CREATE TABLE domains (
        name        TEXT PRIMARY KEY NOT NULL,
        project     TEXT NOT NULL,
        revision    INTEGER NOT NULL,
        created_seq INTEGER NOT NULL,
        json        TEXT NOT NULL
    );
    CREATE INDEX domains_by_project ON domains (project, created_seq);
    CREATE TABLE rollbacks (
        project  TEXT NOT NULL,
        sequence INTEGER NOT NULL,
        json     TEXT NOT NULL,
        PRIMARY KEY (project, sequence)
    );",
];

/// The schema version this build writes.
pub(super) const LATEST: i64 = MIGRATIONS.len() as i64;

/// Applies connection settings and brings the schema up to date.
pub(super) fn prepare(conn: &mut Connection, file: bool) -> Result<()> {
    let err = errors::sql("Open");
    conn.busy_timeout(BUSY_TIMEOUT).map_err(&err)?;
    if file {
        // WAL lets readers in other processes (such as `anchor status`) run
        // while a deploy writes. The default `synchronous = FULL` is kept:
        // a committed live switch must survive a power cut.
        conn.query_row("PRAGMA journal_mode = WAL", [], |row| {
            row.get::<_, String>(0)
        })
        .map_err(&err)?;
    }
    migrate(conn)
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let err = errors::sql("Migrate");
    // IMMEDIATE takes the write lock before reading the version, so two
    // processes opening a fresh file cannot both run the same step.
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(&err)?;
    let current: i64 = tx
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(&err)?;
    if current > LATEST {
        return Err(Error::service(
            "local",
            Service::StateStore,
            "Migrate",
            format!(
                "the state database has schema version {current}, newer than the {LATEST} \
                 this Anchor understands; upgrade Anchor"
            ),
        ));
    }
    let start = usize::try_from(current).unwrap_or(0);
    for (step, sql) in MIGRATIONS.iter().enumerate().skip(start) {
        tx.execute_batch(sql).map_err(&err)?;
        tx.pragma_update(None, "user_version", step as i64 + 1)
            .map_err(&err)?;
    }
    tx.commit().map_err(&err)
}
