//! Publishing the function versions of a deployment, reusing the base
//! deployment's versions when the code did not change.

use std::collections::BTreeMap;

use futures::future::try_join;

use super::plan::DeployPlan;
use crate::error::Result;
use crate::flows::FlowContext;
use crate::model::asset_manifest::CACHE_FOLDER;
use crate::model::{
    FunctionSettings, FunctionVersion, Infrastructure, Project, SiteFunctionSettings,
};
use crate::traits::{CodeBundle, PublishOptions};

/// Publishes (or reuses) the server and image versions, concurrently; the
/// server's version is frozen with `server_extra` too (its revalidation
/// queue and tag table, its origin secret). With any `server_extra` the
/// server always gets a version of its own; its code is sent only if it
/// changed.
pub(crate) async fn publish_functions(
    svc: &FlowContext,
    project: &Project,
    plan: &DeployPlan,
    server_extra: BTreeMap<String, String>,
) -> Result<(FunctionVersion, FunctionVersion)> {
    let infra = &project.infrastructure;
    // With settings to reconcile, the host decides what to reuse: it
    // returns the newest version only when that version's configuration
    // matches them too, which the deployment record cannot tell.
    let base = plan
        .base
        .as_ref()
        .filter(|_| plan.function_settings.is_none());
    let description = format!("anchor {} build {}", plan.deployment_id, plan.build_id);
    // The base's server version was frozen with the base's own queue and
    // secret, so with either the server is published again (the host
    // still returns the same version when code and variables are
    // unchanged, and sends no code when only the variables changed).
    let server_base = base
        .and_then(|b| b.server_version.as_ref())
        .filter(|_| server_extra.is_empty());
    try_join(
        publish_one(
            svc,
            &infra.server_function,
            &plan.server_code,
            server_base,
            PublishOptions {
                description: Some(description.clone()),
                handler: Some(plan.server_handler.clone()).filter(|h| !h.is_empty()),
                environment: server_environment(infra)
                    .into_iter()
                    .chain(server_extra)
                    .collect(),
                architecture: plan.server_architecture,
                ..settings_of(plan, |s| &s.server)
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
                ..settings_of(plan, |s| &s.image)
            },
        ),
    )
    .await
}

async fn publish_one(
    svc: &FlowContext,
    function: &str,
    code: &CodeBundle,
    base: Option<&FunctionVersion>,
    opts: PublishOptions,
) -> Result<FunctionVersion> {
    if let Some(base) = base.filter(|b| b.code_sha256 == code.sha256 && b.function == function) {
        // Unchanged code: reuse the version if it still exists.
        if let Some(v) = svc
            .backend
            .functions
            .get_version(function, &base.version)
            .await?
        {
            return Ok(v);
        }
    }
    svc.backend.functions.publish(function, code, &opts).await
}

/// The memory, timeout and runtime the deploy asks for, if any: `None`
/// keeps what the function has.
fn settings_of(
    plan: &DeployPlan,
    pick: impl Fn(&SiteFunctionSettings) -> &FunctionSettings,
) -> PublishOptions {
    match &plan.function_settings {
        Some(settings) => PublishOptions::default().with_settings(pick(settings)),
        None => PublishOptions::default(),
    }
}

/// The variable OpenNext's `cloudfront` CDN invalidation reads the
/// distribution from.
pub(crate) const DISTRIBUTION_ID_ENV: &str = "CLOUDFRONT_DISTRIBUTION_ID";

/// Where OpenNext's server finds the ISR cache: the build's cache lives at
/// `<prefix>/_cache/<build id>/`, and OpenNext appends the build id itself.
/// The backend adds the bucket's name and region. The project's
/// distribution, where OpenNext's `cloudfront` CDN invalidation purges the
/// paths `revalidatePath`/`revalidateTag` touch.
fn server_environment(infra: &Infrastructure) -> BTreeMap<String, String> {
    BTreeMap::from([
        (
            "CACHE_BUCKET_KEY_PREFIX".to_string(),
            format!("{}/{CACHE_FOLDER}", infra.asset_prefix),
        ),
        (
            DISTRIBUTION_ID_ENV.to_string(),
            infra.distribution_id.clone(),
        ),
    ])
}

/// Where the image optimiser reads source images: hashed media sit under
/// `<prefix>/_next/static/`.
fn image_environment(infra: &Infrastructure) -> BTreeMap<String, String> {
    BTreeMap::from([("BUCKET_KEY_PREFIX".to_string(), infra.asset_prefix.clone())])
}
