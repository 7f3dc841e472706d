//! Publishing the function versions of a deployment, reusing the base
//! deployment's versions when the code did not change, and seeding the
//! project's tag table with the build's tags.

use std::collections::BTreeMap;

use futures::future::try_join;

use super::plan::DeployPlan;
use crate::error::Result;
use crate::flows::manifest::CACHE_FOLDER;
use crate::flows::Services;
use crate::model::{FunctionVersion, Infrastructure, Project, RevalidationBinding};
use crate::traits::{CodeBundle, PublishOptions, TagItem};

/// Publishes (or reuses) the server and image versions, concurrently.
pub(crate) async fn publish_functions(
    svc: &Services,
    project: &Project,
    plan: &DeployPlan,
) -> Result<(FunctionVersion, FunctionVersion)> {
    let infra = &project.infrastructure;
    let base = plan.base.as_ref();
    let description = format!("anchor {} build {}", plan.deployment_id, plan.build_id);
    try_join(
        publish_one(
            svc,
            &infra.server_function,
            &plan.server_code,
            base.and_then(|b| b.server_version.as_ref()),
            PublishOptions {
                description: Some(description.clone()),
                handler: Some(plan.server_handler.clone()).filter(|h| !h.is_empty()),
                environment: server_environment(infra, plan),
                architecture: plan.server_architecture,
            },
        ),
        publish_one(
            svc,
            &infra.image_function,
            &plan.image_code,
            base.and_then(|b| b.image_version.as_ref()),
            PublishOptions {
                description: Some(description.clone()),
                handler: Some(plan.image_handler.clone()).filter(|h| !h.is_empty()),
                environment: image_environment(infra),
                architecture: plan.image_architecture,
            },
        ),
    )
    .await
}

/// Publishes (or reuses) the revalidation function's version, when the
/// project has revalidation and the build the function. Its version reads
/// the deployment's queue: on AWS through an event source mapping, on the
/// embedded default through the local edge.
pub(crate) async fn publish_revalidation(
    svc: &Services,
    project: &Project,
    plan: &DeployPlan,
) -> Result<Option<FunctionVersion>> {
    let (Some(binding), Some((code, handler))) =
        (&project.infrastructure.revalidation, &plan.revalidation)
    else {
        return Ok(None);
    };
    let base = plan
        .base
        .as_ref()
        .and_then(|b| b.revalidation_version.as_ref());
    let options = PublishOptions {
        description: Some(format!(
            "anchor {} build {}",
            plan.deployment_id, plan.build_id
        )),
        handler: Some(handler.clone()).filter(|h| !h.is_empty()),
        environment: BTreeMap::new(),
        architecture: None,
    };
    publish_one(svc, &binding.function, code, base, options)
        .await
        .map(Some)
}

/// Writes the build's tags into the project's tag table. The items are
/// keyed by build id, so seeding again (a redeploy of the same build)
/// writes the same items and other deployments' items are untouched.
pub(crate) async fn seed_tags(svc: &Services, project: &Project, plan: &DeployPlan) -> Result<()> {
    let Some(binding) = &project.infrastructure.revalidation else {
        return Ok(());
    };
    if plan.tag_seed.is_empty() {
        return Ok(());
    }
    let items: Vec<TagItem> = plan
        .tag_seed
        .iter()
        .map(|seed| TagItem {
            tag: seed.tag.clone(),
            path: seed.path.clone(),
            revalidated_at: seed.revalidated_at,
        })
        .collect();
    svc.tags.put_items(&binding.tag_table, &items).await
}

async fn publish_one(
    svc: &Services,
    function: &str,
    code: &CodeBundle,
    base: Option<&FunctionVersion>,
    opts: PublishOptions,
) -> Result<FunctionVersion> {
    if let Some(base) = base.filter(|b| b.code_sha256 == code.sha256 && b.function == function) {
        // Unchanged code: reuse the version if it still exists.
        if let Some(v) = svc.functions.get_version(function, &base.version).await? {
            return Ok(v);
        }
    }
    svc.functions.publish(function, code, &opts).await
}

/// Where OpenNext's server finds the ISR cache: the build's cache lives at
/// `<prefix>/_cache/<build id>/`, and OpenNext appends the build id itself.
/// With revalidation, also where it sends stale pages (this deployment's
/// queue, frozen in the version) and keeps tags (the project's table).
/// The backend adds the bucket's name and region.
fn server_environment(infra: &Infrastructure, plan: &DeployPlan) -> BTreeMap<String, String> {
    let mut env = BTreeMap::from([(
        "CACHE_BUCKET_KEY_PREFIX".to_string(),
        format!("{}/{CACHE_FOLDER}", infra.asset_prefix),
    )]);
    if let Some(binding) = &infra.revalidation {
        env.extend(revalidation_environment(binding, plan));
    }
    env
}

fn revalidation_environment(
    binding: &RevalidationBinding,
    plan: &DeployPlan,
) -> [(String, String); 3] {
    [
        (
            "REVALIDATION_QUEUE_URL".to_string(),
            binding.queue_url(&plan.project, &plan.deployment_id),
        ),
        (
            "REVALIDATION_QUEUE_REGION".to_string(),
            binding.queue_region.clone(),
        ),
        ("CACHE_DYNAMO_TABLE".to_string(), binding.tag_table.clone()),
    ]
}

/// Where the image optimiser reads source images: hashed media sit under
/// `<prefix>/_next/static/`.
fn image_environment(infra: &Infrastructure) -> BTreeMap<String, String> {
    BTreeMap::from([("BUCKET_KEY_PREFIX".to_string(), infra.asset_prefix.clone())])
}
