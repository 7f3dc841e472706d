//! The rows and names of the local function host: validation of function
//! and alias names, and reads of functions, versions and aliases, shared by
//! the host and the provisioner.

use std::path::PathBuf;

use rusqlite::{params, Connection, OptionalExtension};

use super::cloud::{Inner, LocalError, LocalResult};
use crate::error::{Error, ResourceKind, Result};
use crate::model::{Architecture, FunctionVersion};
use crate::traits::{AliasConfig, AliasRouting};

/// Creates the function if it does not exist; used by the provisioner.
pub(super) fn ensure_function(conn: &Connection, name: &str, now: i64) -> LocalResult<()> {
    validate_function(name)?;
    conn.execute(
        "INSERT OR IGNORE INTO functions (name, created_at) VALUES (?1, ?2)",
        params![name, now],
    )?;
    Ok(())
}

/// Lambda's rule for function names: 1 to 64 of `A-Z a-z 0-9 - _`. It also
/// keeps the name safe as a folder name.
pub(super) fn validate_function(name: &str) -> Result<()> {
    let ok = (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_input(
            "function",
            format!("{name:?} must be 1 to 64 characters of A-Z, a-z, 0-9, '-' and '_'"),
        ))
    }
}

pub(super) use crate::model::validate_alias;

/// A published version number in its canonical form ("1", not "01").
pub(super) fn parse_version(version: &str) -> Option<i64> {
    version
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0 && n.to_string() == version)
}

pub(super) fn version_id(function: &str, version: &str) -> String {
    format!("{function}:{version}")
}

pub(super) fn zip_path(inner: &Inner, function: &str, version: &str) -> PathBuf {
    inner
        .root
        .join("functions")
        .join(function)
        .join(format!("{version}.zip"))
}

/// Version `number` of `function` as the host reports it, with the
/// configuration it was published with; `None` if it does not exist.
pub(super) fn version_record(
    conn: &Connection,
    function: &str,
    number: i64,
) -> LocalResult<Option<FunctionVersion>> {
    let row = conn
        .query_row(
            "SELECT code_sha256, memory_mb, timeout_secs, architecture, runtime, handler
             FROM function_versions WHERE function = ?1 AND version = ?2",
            params![function, number],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<u32>>(1)?,
                    r.get::<_, Option<u32>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                ))
            },
        )
        .optional()?;
    let Some((code_sha256, memory_mb, timeout_seconds, architecture, runtime, handler)) = row
    else {
        return Ok(None);
    };
    Ok(Some(FunctionVersion {
        function: function.to_string(),
        version: number.to_string(),
        arn: format!("arn:anchor:local:function:{function}:{number}"),
        code_sha256,
        // As stored; published without one, Lambda's default.
        handler: Some(handler.unwrap_or_else(|| DEFAULT_HANDLER.to_string())),
        memory_mb,
        timeout_seconds,
        architecture: parse_architecture(architecture)?,
        runtime,
    }))
}

fn parse_architecture(stored: Option<String>) -> LocalResult<Option<Architecture>> {
    stored
        .map(|a| Architecture::parse(&a, "architecture"))
        .transpose()
        .map_err(|e| LocalError::Corrupt(e.to_string()))
}

pub(super) fn require_function(conn: &Connection, function: &str) -> LocalResult<()> {
    let found: Option<i64> = conn
        .query_row("SELECT 1 FROM functions WHERE name = ?1", [function], |r| {
            r.get(0)
        })
        .optional()?;
    match found {
        Some(_) => Ok(()),
        None => Err(Error::not_found(ResourceKind::Function, function).into()),
    }
}

pub(super) fn read_version(
    conn: &Connection,
    function: &str,
    version: &str,
) -> LocalResult<Option<FunctionVersion>> {
    let Some(number) = parse_version(version) else {
        return Ok(None);
    };
    version_record(conn, function, number)
}

pub(super) fn require_version(
    conn: &Connection,
    function: &str,
    version: &str,
) -> LocalResult<i64> {
    match (
        parse_version(version),
        read_version(conn, function, version)?,
    ) {
        (Some(number), Some(_)) => Ok(number),
        _ => Err(
            Error::not_found(ResourceKind::FunctionVersion, version_id(function, version)).into(),
        ),
    }
}

pub(super) fn read_alias(
    conn: &Connection,
    function: &str,
    alias: &str,
) -> LocalResult<Option<AliasConfig>> {
    let row = conn
        .query_row(
            "SELECT version, additional_version, additional_weight, revision_id
             FROM aliases WHERE function = ?1 AND name = ?2",
            params![function, alias],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Option<i64>>(1)?,
                    r.get::<_, Option<f64>>(2)?,
                    r.get::<_, String>(3)?,
                ))
            },
        )
        .optional()?;
    Ok(
        row.map(|(version, extra, weight, revision_id)| AliasConfig {
            function: function.to_string(),
            name: alias.to_string(),
            routing: AliasRouting {
                version: version.to_string(),
                additional: extra.zip(weight).map(|(v, w)| (v.to_string(), w)),
            },
            revision_id,
            url: Some(format!("https://{}/", function_url_host(function, alias))),
        }),
    )
}

/// A published version as a local server runs it. Its `Debug` names the
/// environment's variables, never their values (the origin secret is one).
#[derive(Clone, PartialEq, Eq)]
pub struct RunnableVersion {
    /// The version as published.
    pub version: FunctionVersion,
    /// The zip of its code; immutable, like the version.
    pub zip: PathBuf,
    /// The entry point (`file.export`, such as `index.handler`); Lambda's
    /// default `index.handler` when it was published without one.
    pub handler: String,
    /// The environment frozen into the version at publish time.
    pub environment: std::collections::BTreeMap<String, String>,
    /// The architecture it was published for; `None` for plain JavaScript
    /// (or a version published before architectures were recorded).
    pub architecture: Option<Architecture>,
    /// How long one invocation may run, as published; `None` for a
    /// version published before timeouts were recorded.
    pub timeout_seconds: Option<u32>,
    /// The memory it was published with, in MB; recorded, not enforced.
    pub memory_mb: Option<u32>,
}

impl std::fmt::Debug for RunnableVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunnableVersion")
            .field("version", &self.version)
            .field("zip", &self.zip)
            .field("handler", &self.handler)
            .field("environment", &self.environment.keys().collect::<Vec<_>>())
            .field("architecture", &self.architecture)
            .finish()
    }
}

/// The handler Lambda assumes when none was configured.
const DEFAULT_HANDLER: &str = "index.handler";

pub(super) fn read_runnable(
    inner: &Inner,
    conn: &Connection,
    function: &str,
    version: &str,
) -> LocalResult<Option<RunnableVersion>> {
    let Some(number) = parse_version(version) else {
        return Ok(None);
    };
    let Some(record) = version_record(conn, function, number)? else {
        return Ok(None);
    };
    let row = conn
        .query_row(
            "SELECT handler, environment FROM function_versions
             WHERE function = ?1 AND version = ?2",
            params![function, number],
            |r| {
                Ok((
                    r.get::<_, Option<String>>(0)?,
                    r.get::<_, Option<String>>(1)?,
                ))
            },
        )
        .optional()?;
    let Some((handler, environment)) = row else {
        return Ok(None);
    };
    let environment = match environment {
        Some(json) => serde_json::from_str(&json)?,
        None => Default::default(),
    };
    Ok(Some(RunnableVersion {
        zip: zip_path(inner, function, version),
        handler: handler.unwrap_or_else(|| DEFAULT_HANDLER.to_string()),
        environment,
        architecture: record.architecture,
        timeout_seconds: record.timeout_seconds,
        memory_mb: record.memory_mb,
        version: record,
    }))
}

/// The host of the local Function URL of `function` at `qualifier` (an
/// alias, or a version for a preview), as CloudFront's origin domain.
pub fn function_url_host(function: &str, qualifier: &str) -> String {
    format!("{function}--{qualifier}{URL_HOST_SUFFIX}")
}

/// What every local Function URL host ends with.
const URL_HOST_SUFFIX: &str = ".lambda-url.anchor.localhost";

/// The function and qualifier of a local Function URL host, or `None` for
/// any other host.
pub fn parse_function_url_host(host: &str) -> Option<(&str, &str)> {
    host.strip_suffix(URL_HOST_SUFFIX)?
        .split_once("--")
        .filter(|(function, qualifier)| !function.is_empty() && !qualifier.is_empty())
}

/// The URL of `function` at `alias` as recorded: whether it is `AWS_IAM`
/// (else `NONE`) and whether it streams (`RESPONSE_STREAM`, else
/// `BUFFERED`); `None` if it has no URL.
pub(super) fn read_url(
    conn: &Connection,
    function: &str,
    alias: &str,
) -> LocalResult<Option<(bool, bool)>> {
    let url: Option<(String, bool)> = conn
        .query_row(
            "SELECT auth, streaming FROM function_urls WHERE function = ?1 AND alias = ?2",
            params![function, alias],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(url.map(|(auth, streaming)| (auth == "AWS_IAM", streaming)))
}
