//! What serves a project, and moving it: the router's live pointer when the
//! project has a router, else the `live` aliases. These are the only calls
//! of a switch that change what is served.

use futures::future::join;

use crate::error::{Error, ResourceKind, Result};
use crate::flows::routing::{self, Windows};
use crate::flows::FlowContext;
use crate::model::{Deployment, DeploymentStatus, Infrastructure};
use crate::traits::{AliasRouting, SetAliasOptions};

/// Refuses deployments that cannot serve traffic.
pub(crate) fn ensure_can_go_live(d: &Deployment) -> Result<()> {
    let reason = match d.status {
        DeploymentStatus::Failed => Some("it failed and has no complete set of versions".into()),
        DeploymentStatus::Pruned => Some(match &d.pruned {
            Some(p) => format!(
                "it was pruned at {} ({}): its function versions and files are deleted; deploy its build again",
                p.started_at.to_rfc3339(),
                p.reason
            ),
            None => "its function versions were pruned".to_string(),
        }),
        s if s.is_in_progress() => Some("it has not finished deploying".into()),
        _ => None,
    };
    if let Some(reason) = reason {
        return Err(Error::invalid_state(
            ResourceKind::Deployment,
            d.id.as_str(),
            d.status.as_str(),
            reason,
        ));
    }
    if d.server_version.is_none() || d.image_version.is_none() {
        return Err(Error::invalid_state(
            ResourceKind::Deployment,
            d.id.as_str(),
            d.status.as_str(),
            "it has no published function versions",
        ));
    }
    Ok(())
}

/// Makes `d` what serves the project: one pointer write with a router
/// (which also writes the skew `windows`: the one of the deployment that
/// was live starts, those past the policy end), else both aliases moved to
/// `d`'s versions, concurrently.
pub(crate) async fn point_live(
    svc: &FlowContext,
    infra: &Infrastructure,
    d: &Deployment,
    windows: Windows<'_>,
) -> Result<()> {
    if let Some(binding) = &infra.router {
        return routing::point_router(svc, infra, binding, d, windows).await;
    }
    let (Some(server), Some(image)) = (&d.server_version, &d.image_version) else {
        return Err(Error::invalid_state(
            ResourceKind::Deployment,
            d.id.as_str(),
            d.status.as_str(),
            "it has no published function versions",
        ));
    };
    let opts = SetAliasOptions::default();
    let server_route = AliasRouting::single(server.version.clone());
    let image_route = AliasRouting::single(image.version.clone());
    let (a, b) = join(
        svc.backend
            .functions
            .set_alias(&infra.server_function, &infra.alias, &server_route, &opts),
        svc.backend
            .functions
            .set_alias(&infra.image_function, &infra.alias, &image_route, &opts),
    )
    .await;
    a?;
    b?;
    Ok(())
}

/// Whether `d` is what serves the project: the router's pointer names it,
/// or both aliases point exactly at its versions.
pub(crate) async fn live_points_at(
    svc: &FlowContext,
    infra: &Infrastructure,
    d: &Deployment,
) -> Result<bool> {
    if let Some(binding) = &infra.router {
        return routing::router_points_at(svc, infra, binding, d).await;
    }
    let (Some(server), Some(image)) = (&d.server_version, &d.image_version) else {
        return Ok(false);
    };
    let s = svc
        .backend
        .functions
        .get_alias(&infra.server_function, &infra.alias)
        .await?;
    let i = svc
        .backend
        .functions
        .get_alias(&infra.image_function, &infra.alias)
        .await?;
    let at = |a: Option<crate::traits::AliasConfig>, v: &str| {
        a.is_some_and(|a| a.routing.version == v && a.routing.additional.is_none())
    };
    Ok(at(s, &server.version) && at(i, &image.version))
}
