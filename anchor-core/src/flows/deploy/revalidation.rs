//! A deployment's revalidation pipeline: the tag-cache rows seeded, its own
//! queue, and its revalidation function version subscribed to that queue,
//! all before the deployment can go live, so its server never sends to a
//! queue nobody reads or reads tags nobody wrote.

use std::collections::BTreeMap;

use crate::error::Result;
use crate::flows::FlowContext;
use crate::model::{Architecture, DeploymentId, ProjectName, TagItem};
use crate::opennext::OpenNextBuild;
use crate::traits::{CodeBundle, PublishOptions, RevalidationQueue};

/// The variable OpenNext's DynamoDB tag cache reads its table from.
pub(crate) const TAG_TABLE_VARIABLE: &str = "CACHE_DYNAMO_TABLE";
/// The variable OpenNext's SQS queue reads its URL from.
pub(crate) const QUEUE_URL_VARIABLE: &str = "REVALIDATION_QUEUE_URL";
/// The variable OpenNext's SQS queue reads its region from.
pub(crate) const QUEUE_REGION_VARIABLE: &str = "REVALIDATION_QUEUE_REGION";

/// What the build asks for, packaged while planning.
#[derive(Debug, Clone, Default)]
pub(crate) struct IsrPlan {
    /// The revalidation function's code, when the server sends to a queue.
    pub function: Option<RevalidationCode>,
    /// The tag-cache rows to seed, when the server reads the tag table.
    pub tag_items: Option<Vec<TagItem>>,
}

/// The revalidation function of a build.
#[derive(Debug, Clone)]
pub(crate) struct RevalidationCode {
    pub code: CodeBundle,
    pub handler: String,
    pub architecture: Option<Architecture>,
}

impl IsrPlan {
    /// Packages the revalidation bundle of `build`, if it uses one.
    pub(crate) async fn of(
        build: &OpenNextBuild,
        limits: crate::opennext::BundleLimits,
    ) -> Result<Self> {
        let isr = build.isr();
        let function = match &isr.revalidation_function {
            Some(f) => Some(RevalidationCode {
                code: crate::opennext::package_bundle_with_limits_async(f.dir.clone(), limits)
                    .await?,
                handler: f.handler.clone(),
                architecture: f.native.as_ref().map(|n| n.architecture),
            }),
            None => None,
        };
        Ok(Self {
            function,
            tag_items: isr.tag_items.clone(),
        })
    }
}

/// The pipeline made ready for one deployment, before its server publishes.
#[derive(Debug, Clone, Default)]
pub(crate) struct Pipeline {
    /// The deployment's queue, when the build sends to one and the backend
    /// keeps queues.
    pub queue: Option<RevalidationQueue>,
    /// The tag table's name, when the build reads one and the backend
    /// keeps it.
    pub tag_table: Option<String>,
}

impl Pipeline {
    /// The variables the deployment's server version is frozen with.
    pub(crate) fn server_environment(&self) -> BTreeMap<String, String> {
        let mut env = self.tag_environment();
        if let Some(q) = &self.queue {
            env.insert(QUEUE_URL_VARIABLE.into(), q.url.clone());
            env.insert(QUEUE_REGION_VARIABLE.into(), q.region.clone());
        }
        env
    }

    fn tag_environment(&self) -> BTreeMap<String, String> {
        self.tag_table
            .iter()
            .map(|t| (TAG_TABLE_VARIABLE.to_string(), t.clone()))
            .collect()
    }
}

/// Seeds the tag table and makes the deployment's queue, as the plan asks.
pub(crate) async fn prepare(
    svc: &FlowContext,
    project: &ProjectName,
    deployment: &DeploymentId,
    isr: &IsrPlan,
) -> Result<Pipeline> {
    let tag_table = match &isr.tag_items {
        Some(items) => svc.backend.revalidation.ensure_tags(project, items).await?,
        None => None,
    };
    let queue = match &isr.function {
        Some(_) => {
            svc.backend
                .revalidation
                .ensure_queue(project, deployment)
                .await?
        }
        None => None,
    };
    Ok(Pipeline { queue, tag_table })
}

/// Publishes the revalidation function version of deployment
/// `deployment_id` (of build `build_id`) and subscribes it to the
/// deployment's queue.
pub(crate) async fn publish(
    svc: &FlowContext,
    isr: &IsrPlan,
    deployment_id: &DeploymentId,
    build_id: &str,
    pipeline: &Pipeline,
) -> Result<()> {
    let (Some(queue), Some(function)) = (&pipeline.queue, &isr.function) else {
        return Ok(());
    };
    let options = PublishOptions {
        description: Some(format!("anchor {} build {}", deployment_id, build_id)),
        handler: Some(function.handler.clone()).filter(|h| !h.is_empty()),
        environment: pipeline.tag_environment(),
        architecture: function.architecture,
        // The function keeps the settings it was created with.
        memory_mb: None,
        timeout_seconds: None,
        runtime: None,
    };
    let version = svc
        .backend
        .functions
        .publish(&queue.function, &function.code, &options)
        .await?;
    svc.backend.revalidation.subscribe(queue, &version).await
}
