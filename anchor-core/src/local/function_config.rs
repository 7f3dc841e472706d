//! The memory, timeout and runtime of local functions and their versions,
//! as Lambda keeps them: a function has a current configuration (set when
//! it is created, changed by a publish that asks for other values), and
//! each version freezes the one it was published with.

use rusqlite::{params, Connection, OptionalExtension};

use super::cloud::LocalResult;
use crate::model::FunctionSettings;
use crate::traits::PublishOptions;

/// A function's or a version's configuration; `None` where a folder made
/// before Anchor recorded it has nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct StoredConfig {
    pub memory_mb: Option<u32>,
    pub timeout_seconds: Option<u32>,
    pub runtime: Option<String>,
}

impl StoredConfig {
    /// `current` with what `options` asks for laid over it.
    pub fn resolve(current: &Self, options: &PublishOptions) -> Self {
        Self {
            memory_mb: options.memory_mb.or(current.memory_mb),
            timeout_seconds: options.timeout_seconds.or(current.timeout_seconds),
            runtime: options.runtime.clone().or_else(|| current.runtime.clone()),
        }
    }
}

/// Gives a function created just now its first configuration; a function
/// that already had one keeps it, as Lambda leaves an existing function
/// alone when it is provisioned again.
pub(super) fn set_initial(
    conn: &Connection,
    function: &str,
    settings: &FunctionSettings,
) -> LocalResult<()> {
    conn.execute(
        "UPDATE functions SET memory_mb = ?2, timeout_secs = ?3, runtime = ?4
         WHERE name = ?1 AND memory_mb IS NULL AND timeout_secs IS NULL AND runtime IS NULL",
        params![
            function,
            settings.memory_mb,
            settings.timeout_seconds,
            settings.runtime
        ],
    )?;
    Ok(())
}

/// The function's current configuration.
pub(super) fn of_function(conn: &Connection, function: &str) -> LocalResult<StoredConfig> {
    Ok(conn
        .query_row(
            "SELECT memory_mb, timeout_secs, runtime FROM functions WHERE name = ?1",
            [function],
            read,
        )
        .optional()?
        .unwrap_or_default())
}

/// Makes `config` the function's current configuration.
pub(super) fn set_function(
    conn: &Connection,
    function: &str,
    config: &StoredConfig,
) -> LocalResult<()> {
    conn.execute(
        "UPDATE functions SET memory_mb = ?2, timeout_secs = ?3, runtime = ?4 WHERE name = ?1",
        params![
            function,
            config.memory_mb,
            config.timeout_seconds,
            config.runtime
        ],
    )?;
    Ok(())
}

/// The configuration version `version` was published with.
pub(super) fn of_version(
    conn: &Connection,
    function: &str,
    version: i64,
) -> LocalResult<StoredConfig> {
    Ok(conn
        .query_row(
            "SELECT memory_mb, timeout_secs, runtime FROM function_versions
             WHERE function = ?1 AND version = ?2",
            params![function, version],
            read,
        )
        .optional()?
        .unwrap_or_default())
}

/// Freezes `config` into the version just inserted.
pub(super) fn set_version(
    conn: &Connection,
    function: &str,
    version: i64,
    config: &StoredConfig,
) -> LocalResult<()> {
    conn.execute(
        "UPDATE function_versions SET memory_mb = ?3, timeout_secs = ?4, runtime = ?5
         WHERE function = ?1 AND version = ?2",
        params![
            function,
            version,
            config.memory_mb,
            config.timeout_seconds,
            config.runtime
        ],
    )?;
    Ok(())
}

fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredConfig> {
    Ok(StoredConfig {
        memory_mb: r.get(0)?,
        timeout_seconds: r.get(1)?,
        runtime: r.get(2)?,
    })
}
