//! [`Revalidation`] on the embedded default: the project's tag table in
//! SQLite ([`LocalTagTable`]), and per deployment a queue record naming the
//! revalidation function version subscribed to it. The local edge takes
//! the servers' `SendMessage` to a recorded queue and delivers it to that
//! version, as Lambda's event source mapping does on AWS.
//!
//! | resource | name |
//! |---|---|
//! | queue of a deployment | `<project>-<deployment ULID>.fifo`, at [`QUEUE_URL_PREFIX`] |
//! | revalidation function | `<project>-revalidation` |
//! | tag table | `<project>-tags` |

use std::sync::Arc;

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension, TransactionBehavior};

use super::cloud::Inner;
use super::function_config;
use super::function_records::ensure_function;
use super::tag_table::{LocalTagTable, StoredTagItem};
use crate::error::{Result, Service};
use crate::model::{DeploymentId, FunctionSettings, FunctionVersion, ProjectName, TagItem};
use crate::traits::{build_tag_prefix, Revalidation, RevalidationQueue};

/// What the URL of every local revalidation queue starts with: SQS's shape
/// (`<endpoint>/<account>/<name>`) on a host that is no real one. The local
/// edge gives its functions the same path on its own AWS endpoint.
pub const QUEUE_URL_PREFIX: &str = "http://sqs.anchor.localhost/000000000000/";

/// The region the local queues claim to be in.
pub const QUEUE_REGION: &str = "us-east-1";

/// The revalidation function's timeout, as SST's (and Anchor's on AWS).
const FUNCTION_TIMEOUT_SECS: u32 = 30;

/// The most items written in one transaction, as DynamoDB's
/// `BatchWriteItem` takes.
const SEED_BATCH: usize = 25;

/// A recorded queue, as the local edge finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalQueue {
    /// The deployment the queue belongs to.
    pub deployment: DeploymentId,
    /// The function that consumes it.
    pub function: String,
    /// The version subscribed to it; `None` until the deploy flow
    /// subscribes one, and then messages wait for none.
    pub version: Option<String>,
}

/// The local implementation of [`Revalidation`].
///
/// Every method is idempotent; a queue removed again, or never made, is
/// no error.
#[derive(Debug, Clone)]
pub struct LocalRevalidation {
    inner: Arc<Inner>,
}

impl LocalRevalidation {
    pub(crate) fn new(inner: Arc<Inner>) -> Self {
        Self { inner }
    }

    /// The tag table of `project`, the functions' `CACHE_DYNAMO_TABLE`.
    pub fn tag_table(project: &ProjectName) -> String {
        format!("{project}-tags")
    }

    /// The revalidation function of `project`.
    pub fn function_name(project: &ProjectName) -> String {
        format!("{project}-revalidation")
    }

    /// The queue of `deployment`, named as on AWS: the id's ULID without
    /// its `dpl_` prefix, so the longest project name fits SQS's 80
    /// characters.
    pub fn queue_name(project: &ProjectName, deployment: &DeploymentId) -> String {
        let id = deployment.as_str();
        let ulid = id.strip_prefix("dpl_").unwrap_or(id);
        format!("{project}-{ulid}.fifo")
    }

    /// The queue named `name` of `project`, if one was made and not
    /// removed.
    pub async fn queue(&self, project: &ProjectName, name: &str) -> Result<Option<LocalQueue>> {
        let (project, name) = (project.to_string(), name.to_string());
        self.inner
            .run(Service::Revalidation, "GetQueueUrl", move |inner| {
                let row: Option<(String, String, Option<String>)> = inner
                    .db()
                    .query_row(
                        "SELECT deployment, function, version FROM revalidation_queues
                         WHERE name = ?1 AND project = ?2",
                        params![name, project],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                    )
                    .optional()?;
                Ok(row.and_then(|(deployment, function, version)| {
                    Some(LocalQueue {
                        deployment: DeploymentId::parse(&deployment).ok()?,
                        function,
                        version,
                    })
                }))
            })
            .await
    }

    fn tags(&self) -> LocalTagTable {
        LocalTagTable::new(self.inner.clone())
    }
}

#[async_trait]
impl Revalidation for LocalRevalidation {
    async fn ensure_tags(
        &self,
        project: &ProjectName,
        items: &[TagItem],
    ) -> Result<Option<String>> {
        let table = Self::tag_table(project);
        let tags = self.tags();
        tags.ensure_table(&table).await?;
        for batch in items.chunks(SEED_BATCH) {
            tags.write(&table, batch.iter().map(StoredTagItem::from).collect())
                .await?;
        }
        Ok(Some(table))
    }

    async fn ensure_queue(
        &self,
        project: &ProjectName,
        deployment: &DeploymentId,
    ) -> Result<Option<RevalidationQueue>> {
        let name = Self::queue_name(project, deployment);
        let function = Self::function_name(project);
        let record = (
            name.clone(),
            project.to_string(),
            deployment.to_string(),
            function.clone(),
        );
        self.inner
            .run(Service::Revalidation, "CreateQueue", move |inner| {
                let (name, project, deployment, function) = record;
                let now = inner.now_millis();
                let mut conn = inner.db();
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                ensure_function(&tx, &function, now)?;
                let settings = FunctionSettings {
                    timeout_seconds: FUNCTION_TIMEOUT_SECS,
                    ..FunctionSettings::server_default()
                };
                function_config::set_initial(&tx, &function, &settings)?;
                tx.execute(
                    "INSERT OR IGNORE INTO revalidation_queues (name, project, deployment, function)
                     VALUES (?1, ?2, ?3, ?4)",
                    params![name, project, deployment, function],
                )?;
                tx.commit()?;
                Ok(())
            })
            .await?;
        Ok(Some(RevalidationQueue {
            url: format!("{QUEUE_URL_PREFIX}{name}"),
            region: QUEUE_REGION.to_string(),
            arn: format!("arn:aws:sqs:{QUEUE_REGION}:000000000000:{name}"),
            function,
        }))
    }

    async fn subscribe(&self, queue: &RevalidationQueue, version: &FunctionVersion) -> Result<()> {
        let name = queue.url.rsplit('/').next().unwrap_or_default().to_string();
        let (function, number) = (version.function.clone(), version.version.clone());
        self.inner
            .run(
                Service::Revalidation,
                "CreateEventSourceMapping",
                move |inner| {
                    let changed = inner.db().execute(
                    "UPDATE revalidation_queues SET function = ?2, version = ?3 WHERE name = ?1",
                    params![name, function, number],
                )?;
                    if changed == 0 {
                        return Err(crate::Error::not_found(
                            crate::error::ResourceKind::Queue,
                            name,
                        )
                        .into());
                    }
                    Ok(())
                },
            )
            .await
    }

    async fn remove_queue(&self, project: &ProjectName, deployment: &DeploymentId) -> Result<()> {
        let name = Self::queue_name(project, deployment);
        self.inner
            .run(Service::Revalidation, "DeleteQueue", move |inner| {
                inner
                    .db()
                    .execute("DELETE FROM revalidation_queues WHERE name = ?1", [name])?;
                Ok(())
            })
            .await
    }

    async fn remove_build_tags(&self, project: &ProjectName, build_id: &str) -> Result<()> {
        let prefix = build_tag_prefix(build_id)?;
        self.tags()
            .delete_by_tag_prefix(&Self::tag_table(project), &prefix)
            .await?;
        Ok(())
    }
}
