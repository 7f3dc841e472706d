//! Recording a policy on the project (skew protection, retention): one
//! conditional write of the project, or none when it already holds it.

use super::records::commit_project;
use super::{location, lost_race, FlowContext};
use crate::error::Result;
use crate::model::{Project, ProjectName};

/// Records `value` in the project's policy field `slot` (one conditional
/// write of the project), unless it already holds it (then nothing is
/// written). The project must be on this store; a concurrent change of
/// the project makes it `Conflict`, with nothing written.
pub(crate) async fn set_project_policy<T: PartialEq + Copy>(
    svc: &FlowContext,
    name: &ProjectName,
    value: T,
    slot: impl Fn(&mut Project) -> &mut Option<T>,
) -> Result<Project> {
    let mut project = svc.project(name).await?;
    location::ensure_same_store(svc, &project)?;
    if *slot(&mut project) == Some(value) {
        return Ok(project);
    }
    let mut next = project.clone();
    *slot(&mut next) = Some(value);
    next.revision = project.revision + 1;
    svc.records.forget(name);
    commit_project(svc, &next, project.revision)
        .await
        .map_err(|e| lost_race(name, e))?;
    Ok(next)
}
