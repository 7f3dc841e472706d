//! The local function host with Lambda's semantics: functions are created
//! by the provisioner, versions are immutable zips numbered 1, 2, ... that
//! are never reused, and aliases carry a revision id and a Function URL.

use std::sync::Arc;

use async_trait::async_trait;
use base64::Engine as _;
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use sha2::{Digest, Sha256};

use super::cloud::Inner;
use super::function_config::{self, StoredConfig};
use super::function_records::{
    function_url_host, read_alias, read_runnable, read_url, read_version, require_function,
    require_version, validate_alias, validate_function, version_id, version_record, zip_path,
    RunnableVersion,
};
use super::temp_file::TempFile;
use crate::error::{Error, ResourceKind, Result, Service};
use crate::model::FunctionVersion;
use crate::traits::{
    AliasConfig, AliasRouting, CodeBundle, FunctionUrlAuth, FunctionUrlOptions, Functions,
    PublishOptions, SetAliasOptions,
};

/// What a version freezes besides its code and settings, as stored: its
/// handler, its environment (JSON) and its architecture.
type Frozen = (Option<String>, Option<String>, Option<String>);

/// A local Function URL as Lambda answers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalFunctionUrl {
    /// Who may call it.
    pub auth: FunctionUrlAuth,
    /// Whether it returns responses as a stream (`RESPONSE_STREAM`): a
    /// streamed answer's prelude sets the status and headers. A `BUFFERED`
    /// URL reads the function's return value instead.
    pub streaming: bool,
}

/// The record of the version just written in `tx`, as published.
fn published(
    conn: &rusqlite::Connection,
    function: &str,
    version: i64,
) -> super::cloud::LocalResult<FunctionVersion> {
    version_record(conn, function, version)?.ok_or_else(|| {
        super::cloud::LocalError::Corrupt(format!(
            "version {version} of {function} vanished while it was published"
        ))
    })
}

/// The local implementation of [`Functions`].
///
/// Beyond the trait's guarantees it follows Lambda strictly: every call on a
/// function that does not exist fails with `Error::NotFound` (kind
/// `Function`), `$LATEST` cannot be deleted, and alias weights must satisfy
/// 0 < w < 1 on a version other than the primary.
#[derive(Debug, Clone)]
pub struct LocalFunctions {
    inner: Arc<Inner>,
}

impl LocalFunctions {
    pub(crate) fn new(inner: Arc<Inner>) -> Self {
        Self { inner }
    }

    /// What a local server needs to run a published version: its zip, its
    /// handler and the environment frozen into it at publish time. `None`
    /// if the version does not exist (or was deleted).
    pub async fn runnable(&self, function: &str, version: &str) -> Result<Option<RunnableVersion>> {
        validate_function(function)?;
        let (function, version) = (function.to_string(), version.to_string());
        self.inner
            .run(
                Service::Functions,
                "GetFunctionConfiguration",
                move |inner| {
                    let conn = inner.db();
                    require_function(&conn, &function)?;
                    read_runnable(inner, &conn, &function, &version)
                },
            )
            .await
    }

    /// The Function URL of `function` at `alias` as Lambda would answer
    /// it: who may call it and how it returns responses; `None` if it has
    /// none.
    pub async fn url(&self, function: &str, alias: &str) -> Result<Option<LocalFunctionUrl>> {
        let (function, alias) = (function.to_string(), alias.to_string());
        self.inner
            .run(Service::Functions, "GetFunctionUrlConfig", move |inner| {
                let url = read_url(&inner.db(), &function, &alias)?;
                Ok(url.map(|(iam, streaming)| LocalFunctionUrl {
                    auth: if iam {
                        FunctionUrlAuth::AwsIam
                    } else {
                        FunctionUrlAuth::None
                    },
                    streaming,
                }))
            })
            .await
    }
}

#[async_trait]
impl Functions for LocalFunctions {
    async fn publish(
        &self,
        function: &str,
        code: &CodeBundle,
        options: &PublishOptions,
    ) -> Result<FunctionVersion> {
        validate_function(function)?;
        options.validate_settings()?;
        let (function, code, options) = (function.to_string(), code.clone(), options.clone());
        self.inner
            .run(Service::Functions, "PublishVersion", move |inner| {
                // Lambda refuses a publish whose CodeSha256 does not match the
                // uploaded code; here that means a bundle whose hash is wrong.
                let actual =
                    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&*code.zip));
                if actual != code.sha256 {
                    return Err(Error::invalid_input(
                        "code.sha256",
                        format!("{:?} is not the hash of the zip ({actual:?})", code.sha256),
                    )
                    .into());
                }
                // Write the zip before taking the lock; it is moved into place
                // only if a new version is created.
                let staging = inner.root.join("functions").join(".tmp");
                let (tmp, mut file) = TempFile::create(&staging)?;
                std::io::copy(&mut code.zip.as_slice(), &mut file)
                    .and_then(|_| file.sync_all())
                    .map_err(|e| Error::io(&staging, e))?;

                let mut conn = inner.db();
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                require_function(&tx, &function)?;
                let newest: Option<(i64, String, Frozen)> = tx
                    .query_row(
                        "SELECT version, code_sha256, handler, environment, architecture
                         FROM function_versions
                         WHERE function = ?1 ORDER BY version DESC LIMIT 1",
                        [&function],
                        |r| Ok((r.get(0)?, r.get(1)?, (r.get(2)?, r.get(3)?, r.get(4)?))),
                    )
                    .optional()?;
                let environment = serde_json::to_string(&options.environment)?;
                let frozen: Frozen = (
                    options.handler.clone(),
                    Some(environment.clone()),
                    options.architecture.map(|a| a.as_str().to_string()),
                );
                // As on Lambda, a publish that asks for other settings
                // changes the function first, and the version freezes them.
                let config = StoredConfig::resolve(
                    &function_config::of_function(&tx, &function)?,
                    &options,
                );
                // Lambda publishes no new version when neither the code nor
                // the configuration changed since the newest one; a new
                // environment (a deployment's own secret or queue) is a
                // change.
                if let Some((version, sha, newest_frozen)) = newest {
                    if sha == code.sha256
                        && newest_frozen == frozen
                        && function_config::of_version(&tx, &function, version)? == config
                    {
                        function_config::set_function(&tx, &function, &config)?;
                        let record = published(&tx, &function, version)?;
                        tx.commit()?;
                        return Ok(record);
                    }
                }
                let version: i64 = tx.query_row(
                    "SELECT next_version FROM functions WHERE name = ?1",
                    [&function],
                    |r| r.get(0),
                )?;
                tx.execute(
                    "INSERT INTO function_versions
                         (function, version, code_sha256, description, created_at, handler, environment, architecture)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![
                        function,
                        version,
                        code.sha256,
                        options.description,
                        inner.now_millis(),
                        options.handler,
                        environment,
                        options.architecture.map(|a| a.as_str())
                    ],
                )?;
                tx.execute(
                    "UPDATE functions SET next_version = ?2 WHERE name = ?1",
                    params![function, version + 1],
                )?;
                function_config::set_version(&tx, &function, version, &config)?;
                function_config::set_function(&tx, &function, &config)?;
                let record = published(&tx, &function, version)?;
                tmp.persist(&zip_path(inner, &function, &version.to_string()))?;
                tx.commit()?;
                Ok(record)
            })
            .await
    }

    async fn get_version(&self, function: &str, version: &str) -> Result<Option<FunctionVersion>> {
        validate_function(function)?;
        let (function, version) = (function.to_string(), version.to_string());
        self.inner
            .run(Service::Functions, "GetFunction", move |inner| {
                let conn = inner.db();
                require_function(&conn, &function)?;
                read_version(&conn, &function, &version)
            })
            .await
    }

    async fn get_alias(&self, function: &str, alias: &str) -> Result<Option<AliasConfig>> {
        validate_function(function)?;
        validate_alias(alias)?;
        let (function, alias) = (function.to_string(), alias.to_string());
        self.inner
            .run(Service::Functions, "GetAlias", move |inner| {
                let conn = inner.db();
                require_function(&conn, &function)?;
                read_alias(&conn, &function, &alias)
            })
            .await
    }

    async fn set_alias(
        &self,
        function: &str,
        alias: &str,
        routing: &AliasRouting,
        options: &SetAliasOptions,
    ) -> Result<AliasConfig> {
        validate_function(function)?;
        validate_alias(alias)?;
        routing.validate()?;
        let (function, alias) = (function.to_string(), alias.to_string());
        let (routing, options) = (routing.clone(), options.clone());
        self.inner
            .run(Service::Functions, "UpdateAlias", move |inner| {
                let mut conn = inner.db();
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                require_function(&tx, &function)?;
                let primary = require_version(&tx, &function, &routing.version)?;
                let additional = match &routing.additional {
                    Some((version, weight)) => {
                        Some((require_version(&tx, &function, version)?, *weight))
                    }
                    None => None,
                };
                let current = read_alias(&tx, &function, &alias)?.map(|a| a.revision_id);
                if let Some(expected) = &options.expected_revision_id {
                    if current.as_ref() != Some(expected) {
                        return Err(Error::precondition(
                            ResourceKind::Alias,
                            version_id(&function, &alias),
                            format!("expected revision {expected:?}, found {current:?}"),
                        )
                        .into());
                    }
                }
                tx.execute(
                    "INSERT INTO aliases (function, name, version, additional_version, additional_weight, revision_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT (function, name) DO UPDATE SET version = ?3,
                         additional_version = ?4, additional_weight = ?5, revision_id = ?6",
                    params![
                        function,
                        alias,
                        primary,
                        additional.map(|a| a.0),
                        additional.map(|a| a.1),
                        ulid::Ulid::new().to_string()
                    ],
                )?;
                let config = read_alias(&tx, &function, &alias)?;
                tx.commit()?;
                config.ok_or_else(|| Error::not_found(ResourceKind::Alias, alias).into())
            })
            .await
    }

    async fn delete_version(&self, function: &str, version: &str) -> Result<()> {
        validate_function(function)?;
        if version == "$LATEST" {
            return Err(Error::invalid_state(
                ResourceKind::FunctionVersion,
                version_id(function, version),
                "unpublished",
                "$LATEST is the function's working copy; only published versions can be deleted",
            ));
        }
        let (function, version) = (function.to_string(), version.to_string());
        self.inner
            .run(Service::Functions, "DeleteFunction", move |inner| {
                let mut conn = inner.db();
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                require_function(&tx, &function)?;
                let number = require_version(&tx, &function, &version)?;
                let mut stmt = tx.prepare(
                    "SELECT name FROM aliases WHERE function = ?1
                     AND (version = ?2 OR additional_version = ?2) ORDER BY name",
                )?;
                let aliases = stmt
                    .query_map(params![function, number], |r| r.get::<_, String>(0))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                drop(stmt);
                if !aliases.is_empty() {
                    return Err(Error::invalid_state(
                        ResourceKind::FunctionVersion,
                        version_id(&function, &version),
                        "aliased",
                        format!("alias {} points at it", aliases.join(", ")),
                    )
                    .into());
                }
                tx.execute(
                    "DELETE FROM function_versions WHERE function = ?1 AND version = ?2",
                    params![function, number],
                )?;
                let path = zip_path(inner, &function, &version);
                match std::fs::remove_file(&path) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(Error::io(&path, e).into()),
                }
                tx.commit()?;
                Ok(())
            })
            .await
    }

    async fn code_size(&self, function: &str, version: &str) -> Result<Option<u64>> {
        validate_function(function)?;
        if self.get_version(function, version).await?.is_none() {
            return Ok(None);
        }
        let path = zip_path(&self.inner, function, version);
        match tokio::fs::metadata(&path).await {
            Ok(meta) => Ok(Some(meta.len())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(&path, e)),
        }
    }

    async fn delete_alias(&self, function: &str, alias: &str) -> Result<()> {
        validate_function(function)?;
        let (function, alias) = (function.to_string(), alias.to_string());
        self.inner
            .run(Service::Functions, "DeleteAlias", move |inner| {
                let mut conn = inner.db();
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                require_function(&tx, &function)?;
                tx.execute(
                    "DELETE FROM function_urls WHERE function = ?1 AND alias = ?2",
                    params![function, alias],
                )?;
                tx.execute(
                    "DELETE FROM aliases WHERE function = ?1 AND name = ?2",
                    params![function, alias],
                )?;
                tx.commit()?;
                Ok(())
            })
            .await
    }

    async fn ensure_url(
        &self,
        function: &str,
        alias: &str,
        options: &FunctionUrlOptions,
    ) -> Result<String> {
        validate_function(function)?;
        let (function, alias, options) = (function.to_string(), alias.to_string(), options.clone());
        self.inner
            .run(Service::Functions, "CreateFunctionUrlConfig", move |inner| {
                let mut conn = inner.db();
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                require_function(&tx, &function)?;
                let exists: Option<i64> = tx
                    .query_row(
                        "SELECT 1 FROM aliases WHERE function = ?1 AND name = ?2",
                        params![function, alias],
                        |r| r.get(0),
                    )
                    .optional()?;
                if exists.is_none() {
                    return Err(Error::not_found(
                        ResourceKind::Alias,
                        format!("{function}:{alias}"),
                    )
                    .into());
                }
                let auth = match options.auth {
                    FunctionUrlAuth::AwsIam => "AWS_IAM",
                    FunctionUrlAuth::None => "NONE",
                };
                tx.execute(
                    "INSERT INTO function_urls (function, alias, auth, streaming) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (function, alias) DO UPDATE SET auth = excluded.auth, streaming = excluded.streaming",
                    params![function, alias, auth, options.streaming],
                )?;
                tx.commit()?;
                Ok(format!("https://{}/", function_url_host(&function, &alias)))
            })
            .await
    }
}
