//! A project's skew protection policy, recorded on the project.

use super::records::commit_project;
use super::{location, lost_race, FlowContext};
use crate::error::Result;
use crate::model::{Project, ProjectName, SkewPolicy};

/// Records `policy` on the project, unless it is already what the project
/// holds (then nothing is written). A concurrent change of the project
/// makes it `Conflict`, with nothing written.
pub(crate) async fn set_policy(
    svc: &FlowContext,
    name: &ProjectName,
    policy: SkewPolicy,
) -> Result<Project> {
    let project = svc.project(name).await?;
    location::ensure_same_store(svc, &project)?;
    if project.skew_policy == Some(policy) {
        return Ok(project);
    }
    let next = Project {
        skew_policy: Some(policy),
        revision: project.revision + 1,
        ..project.clone()
    };
    svc.records.forget(name);
    commit_project(svc, &next, project.revision)
        .await
        .map_err(|e| lost_race(name, e))?;
    Ok(next)
}
