//! Upgrading in place a project provisioned before the edge router: what
//! `create_project` does with an existing project whose distribution still
//! routes by behaviours (`docs/aws.md`, "Upgrading an existing project").
//!
//! The order keeps the site serving throughout: the router's resources
//! first; then the live deployment published as an origin of its own with
//! the router's live pointer on it; then the distribution laid out for the
//! router (from that moment the router serves, and finds the pointer);
//! and last the project record, which from then on tells switches to move
//! the pointer instead of the aliases. Each step is idempotent, so an
//! interrupted upgrade is finished by running `create_project` again.

use super::records::commit_project;
use super::{router_pairs, routing, switch, FlowContext};
use crate::error::{Error, Result};
use crate::model::{Infrastructure, Project};

/// Converges `project` to the router layout when the backend has a router
/// and the project does not route through it yet; returns the project as
/// it is then. A switch this process is still making is not interrupted:
/// `Conflict`.
pub(crate) async fn converge_router(svc: &FlowContext, project: Project) -> Result<Project> {
    if project.infrastructure.router.is_some() {
        return Ok(project);
    }
    let Some(binding) = router_pairs::choose_router_pair(svc, &project.name).await? else {
        return Ok(project);
    };
    // The last switch's marker is settled first, on the old layout, so the
    // recorded active deployment is what the aliases serve; a switch still
    // moving them is a `Conflict`.
    let project = switch::resolve_pending(svc, project).await?.project;
    let infra = Infrastructure {
        router: Some(binding.clone()),
        ..project.infrastructure.clone()
    };
    if let Some(id) = &project.active_deployment {
        let live = svc.deployment(&project.name, id).await?;
        routing::point_router(svc, &infra, &binding, &live, routing::Windows::none()).await?;
    }
    svc.backend.provisioner.route_through_router(&infra).await?;
    let upgraded = Project {
        infrastructure: infra,
        revision: project.revision + 1,
        ..project.clone()
    };
    svc.records.forget(&project.name);
    match commit_project(svc, &upgraded, project.revision).await {
        Ok(()) => Ok(upgraded),
        // Another writer moved the record meanwhile (a switch, or another
        // upgrade): decide again on what it wrote.
        Err(Error::PreconditionFailed { .. }) => {
            let now = svc.project(&project.name).await?;
            Box::pin(converge_router(svc, now)).await
        }
        Err(e) => Err(e),
    }
}
