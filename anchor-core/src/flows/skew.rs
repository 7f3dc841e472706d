//! A project's skew protection policy, recorded on the project.

use super::project_policy::set_project_policy;
use super::FlowContext;
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
    set_project_policy(svc, name, policy, |p| &mut p.skew_policy).await
}
