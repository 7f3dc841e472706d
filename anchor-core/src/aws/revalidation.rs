//! [`Revalidation`] on AWS: a FIFO SQS queue per deployment with a
//! dead-letter queue per project, the project's revalidation function fed
//! by an event source mapping on the deployment's version, and the
//! project's tag table on DynamoDB.
//!
//! | resource | name |
//! |---|---|
//! | queue of a deployment | `<project>-<deployment ULID>.fifo` (at most 80 characters) |
//! | dead-letter queue | `<project>-revalidation-dlq.fifo` |
//! | revalidation function | `<project>-revalidation` |
//! | tag table | `<table prefix>-<project>-tags` |

use async_trait::async_trait;
use aws_sdk_sqs::types::QueueAttributeName;

use super::dynamodb::tag_table;
use super::lambda::REVALIDATION_BATCH_SIZE;
use super::{sqs, FunctionSpec, LambdaFunctions};
use crate::error::{Error, Result};
use crate::model::{DeploymentId, FunctionVersion, ProjectName, TagItem};
use crate::traits::{build_tag_prefix, Revalidation, RevalidationQueue};

/// Receives before a message moves to the dead-letter queue.
pub const MAX_RECEIVE_COUNT: u32 = 3;
/// How long a received message stays hidden: at least the revalidation
/// function's timeout, as Lambda requires of a queue it reads.
pub const QUEUE_VISIBILITY_TIMEOUT_SECS: u32 = 30;
/// Long polling, as SST configures the revalidation queue.
pub const QUEUE_RECEIVE_WAIT_SECS: u32 = 20;
/// The dead-letter queue keeps messages as long as SQS allows: 14 days.
pub const DEAD_LETTER_RETENTION_SECS: u32 = 14 * 24 * 60 * 60;
/// The revalidation function's timeout, as SST's.
const FUNCTION_TIMEOUT_SECS: i32 = 30;

/// Where the revalidation resources go.
#[derive(Debug, Clone)]
pub struct RevalidationTarget {
    /// The region of the queues, the functions and the table.
    pub region: String,
    /// The prefix of Anchor's tables; the tag table is
    /// `<prefix>-<project>-tags`.
    pub table_prefix: String,
    /// The execution role of the revalidation function, needed only to
    /// create it.
    pub execution_role_arn: Option<String>,
}

/// The AWS [`Revalidation`].
#[derive(Debug, Clone)]
pub struct AwsRevalidation {
    sqs: aws_sdk_sqs::Client,
    dynamodb: aws_sdk_dynamodb::Client,
    functions: LambdaFunctions,
    target: RevalidationTarget,
}

impl AwsRevalidation {
    /// The revalidation resources over these clients.
    pub fn new(
        sqs: aws_sdk_sqs::Client,
        dynamodb: aws_sdk_dynamodb::Client,
        functions: LambdaFunctions,
        target: RevalidationTarget,
    ) -> Self {
        Self {
            sqs,
            dynamodb,
            functions,
            target,
        }
    }

    /// The tag table of `project`.
    pub fn tag_table(&self, project: &ProjectName) -> String {
        format!("{}-{project}-tags", self.target.table_prefix)
    }

    /// The revalidation function of `project`.
    pub fn function_name(project: &ProjectName) -> String {
        format!("{project}-revalidation")
    }

    /// The queue of `deployment`: the id's ULID without its `dpl_` prefix,
    /// so that the longest project name still fits SQS's 80 characters.
    pub fn queue_name(project: &ProjectName, deployment: &DeploymentId) -> String {
        let id = deployment.as_str();
        let ulid = id.strip_prefix("dpl_").unwrap_or(id);
        format!("{project}-{ulid}.fifo")
    }

    /// The dead-letter queue of `project`'s queues.
    pub fn dead_letter_queue_name(project: &ProjectName) -> String {
        format!("{project}-revalidation-dlq.fifo")
    }

    /// Creates the revalidation function holding the placeholder unless it
    /// exists. Without an execution role only an existing one will do:
    /// `None` if there is none (bring-your-own functions without a role).
    async fn ensure_function(&self, project: &ProjectName) -> Result<Option<String>> {
        let name = Self::function_name(project);
        let Some(role) = &self.target.execution_role_arn else {
            return match self.functions.require_function(&name).await {
                Ok(()) => Ok(Some(name)),
                Err(Error::NotFound { .. }) => {
                    tracing::warn!(
                        function = %name,
                        "no execution role to create the revalidation function: \
                         the deployment gets no revalidation queue"
                    );
                    Ok(None)
                }
                Err(e) => Err(e),
            };
        };
        let spec = FunctionSpec {
            timeout_seconds: FUNCTION_TIMEOUT_SECS,
            ..FunctionSpec::new(name.clone(), role.clone())
        };
        self.functions.ensure_function(&spec).await?;
        Ok(Some(name))
    }
}

#[async_trait]
impl Revalidation for AwsRevalidation {
    async fn ensure_tags(
        &self,
        project: &ProjectName,
        items: &[TagItem],
    ) -> Result<Option<String>> {
        let table = self.tag_table(project);
        tag_table::ensure(&self.dynamodb, &table).await?;
        tag_table::seed(&self.dynamodb, &table, items).await?;
        Ok(Some(table))
    }

    async fn ensure_queue(
        &self,
        project: &ProjectName,
        deployment: &DeploymentId,
    ) -> Result<Option<RevalidationQueue>> {
        let Some(function) = self.ensure_function(project).await? else {
            return Ok(None);
        };
        let dead_letter = sqs::ensure_fifo(
            &self.sqs,
            &Self::dead_letter_queue_name(project),
            &[(
                QueueAttributeName::MessageRetentionPeriod,
                DEAD_LETTER_RETENTION_SECS.to_string(),
            )],
        )
        .await?;
        let redrive = serde_json::json!({
            "deadLetterTargetArn": dead_letter.arn,
            "maxReceiveCount": MAX_RECEIVE_COUNT,
        });
        let queue = sqs::ensure_fifo(
            &self.sqs,
            &Self::queue_name(project, deployment),
            &[
                // OpenNext sends its own MessageDeduplicationId.
                (
                    QueueAttributeName::ContentBasedDeduplication,
                    "false".into(),
                ),
                (
                    QueueAttributeName::VisibilityTimeout,
                    QUEUE_VISIBILITY_TIMEOUT_SECS.to_string(),
                ),
                (
                    QueueAttributeName::ReceiveMessageWaitTimeSeconds,
                    QUEUE_RECEIVE_WAIT_SECS.to_string(),
                ),
                (QueueAttributeName::RedrivePolicy, redrive.to_string()),
            ],
        )
        .await?;
        Ok(Some(RevalidationQueue {
            url: queue.url,
            region: self.target.region.clone(),
            arn: queue.arn,
            function,
        }))
    }

    async fn subscribe(&self, queue: &RevalidationQueue, version: &FunctionVersion) -> Result<()> {
        self.functions
            .ensure_queue_mapping(&queue.arn, &version.arn, REVALIDATION_BATCH_SIZE)
            .await
    }

    async fn remove_queue(&self, project: &ProjectName, deployment: &DeploymentId) -> Result<()> {
        let name = Self::queue_name(project, deployment);
        let Some(url) = sqs::find(&self.sqs, &name).await? else {
            return Ok(());
        };
        let arn = sqs::arn(&self.sqs, &url).await?;
        self.functions.delete_queue_mappings(&arn).await?;
        sqs::delete(&self.sqs, &url).await
    }

    async fn remove_build_tags(&self, project: &ProjectName, build_id: &str) -> Result<()> {
        let prefix = build_tag_prefix(build_id)?;
        tag_table::delete_prefix(&self.dynamodb, &self.tag_table(project), &prefix).await
    }
}
