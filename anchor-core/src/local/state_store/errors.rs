//! How SQLite, JSON and task failures become [`Error`]s, and the checked
//! conversions between Anchor's `u64` keys and SQLite's `i64` integers.

use rusqlite::ErrorCode;

use crate::error::{Error, ResourceKind, Result, Service};
use crate::traits::Expect;

const BACKEND: &str = "local";

fn service(
    operation: &str,
    retryable: bool,
    message: String,
    source: crate::error::BoxError,
) -> Error {
    Error::Service {
        backend: BACKEND,
        service: Service::StateStore,
        operation: operation.to_string(),
        retryable,
        message,
        source: Some(source),
    }
}

/// Maps a rusqlite error for `operation`. Busy and locked are retryable:
/// they mean another process held the write lock past `busy_timeout`.
pub(super) fn sql(operation: &'static str) -> impl Fn(rusqlite::Error) -> Error {
    move |e| {
        let retryable = matches!(
            e.sqlite_error_code(),
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
        );
        service(operation, retryable, e.to_string(), Box::new(e))
    }
}

/// The blocking task panicked or was cancelled at shutdown.
pub(super) fn join(operation: &'static str, e: tokio::task::JoinError) -> Error {
    service(
        operation,
        false,
        format!("the blocking task did not finish: {e}"),
        Box::new(e),
    )
}

/// A stored row whose JSON no longer decodes; names the table and key so the
/// row can be found and repaired by hand.
pub(super) fn corrupt(
    operation: &'static str,
    table: &str,
    key: &str,
    e: serde_json::Error,
) -> Error {
    service(
        operation,
        false,
        format!("corrupt record in table {table} at {key}: {e}"),
        Box::new(e),
    )
}

/// Decodes a stored record.
pub(super) fn decode<T: serde::de::DeserializeOwned>(
    operation: &'static str,
    table: &str,
    key: &str,
    json: &str,
) -> Result<T> {
    serde_json::from_str(json).map_err(|e| corrupt(operation, table, key, e))
}

/// Encodes a record for storage.
pub(super) fn encode<T: serde::Serialize>(operation: &'static str, value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| {
        service(
            operation,
            false,
            format!("cannot encode record: {e}"),
            Box::new(e),
        )
    })
}

/// A `u64` key or revision as SQLite's `i64`. Values past `i64::MAX` cannot
/// be stored; they are refused as input rather than wrapped, which would
/// break ordering.
pub(super) fn to_sql(field: &str, value: u64) -> Result<i64> {
    i64::try_from(value).map_err(|_| {
        Error::invalid_input(
            field,
            format!(
                "{value} is larger than the state store keeps ({})",
                i64::MAX
            ),
        )
    })
}

/// Checks a write condition against the stored revision (`None`: no row).
pub(super) fn check(
    kind: ResourceKind,
    id: &str,
    expect: Expect,
    found: Option<i64>,
) -> Result<()> {
    let found_text = || match found {
        Some(r) => format!("found revision {r}"),
        None => "found no record".to_string(),
    };
    match expect {
        Expect::Absent if found.is_none() => Ok(()),
        Expect::Absent => Err(Error::precondition(
            kind,
            id,
            format!("expected no record, {}", found_text()),
        )),
        Expect::Revision(r) if found.is_some_and(|f| u64::try_from(f) == Ok(r)) => Ok(()),
        Expect::Revision(r) => Err(Error::precondition(
            kind,
            id,
            format!("expected revision {r}, {}", found_text()),
        )),
    }
}
