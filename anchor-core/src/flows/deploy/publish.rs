//! Publishing the function versions of a deployment, reusing the base
//! deployment's versions when the code did not change.

use futures::future::try_join;

use super::plan::DeployPlan;
use crate::error::Result;
use crate::flows::Services;
use crate::model::{FunctionVersion, Project};
use crate::traits::{CodeBundle, PublishOptions};

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
            &description,
        ),
        publish_one(
            svc,
            &infra.image_function,
            &plan.image_code,
            base.and_then(|b| b.image_version.as_ref()),
            &description,
        ),
    )
    .await
}

async fn publish_one(
    svc: &Services,
    function: &str,
    code: &CodeBundle,
    base: Option<&FunctionVersion>,
    description: &str,
) -> Result<FunctionVersion> {
    if let Some(base) = base.filter(|b| b.code_sha256 == code.sha256 && b.function == function) {
        // Unchanged code: reuse the version if it still exists.
        if let Some(v) = svc.functions.get_version(function, &base.version).await? {
            return Ok(v);
        }
    }
    let opts = PublishOptions {
        description: Some(description.to_string()),
        ..PublishOptions::default()
    };
    svc.functions.publish(function, code, &opts).await
}
