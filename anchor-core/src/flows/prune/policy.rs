//! Setting a project's retention policy.

use crate::error::Result;
use crate::flows::records::commit_project;
use crate::flows::{location, lost_race, FlowContext};
use crate::model::{Project, ProjectName, RetentionPolicy};

/// Records `policy` on the project (one conditional write); it applies
/// from the next `prune` on. Setting the policy it has writes nothing.
pub(crate) async fn set_policy(
    svc: &FlowContext,
    name: &ProjectName,
    policy: RetentionPolicy,
) -> Result<Project> {
    let project = svc.project(name).await?;
    location::ensure_same_store(svc, &project)?;
    if project.retention == Some(policy) {
        return Ok(project);
    }
    let next = Project {
        retention: Some(policy),
        revision: project.revision + 1,
        ..project.clone()
    };
    svc.records.forget(name);
    commit_project(svc, &next, project.revision)
        .await
        .map_err(|e| lost_race(name, e))?;
    Ok(next)
}
