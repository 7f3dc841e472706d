//! Setting a project's retention policy.

use crate::error::Result;
use crate::flows::project_policy::set_project_policy;
use crate::flows::FlowContext;
use crate::model::{Project, ProjectName, RetentionPolicy};

/// Records `policy` on the project (one conditional write); it applies
/// from the next `prune` on. Setting the policy it has writes nothing.
pub(crate) async fn set_policy(
    svc: &FlowContext,
    name: &ProjectName,
    policy: RetentionPolicy,
) -> Result<Project> {
    set_project_policy(svc, name, policy, |p| &mut p.retention).await
}
