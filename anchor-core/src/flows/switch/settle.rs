//! Settling the marker a switch leaves: is the recorded switch done moving
//! the aliases, still moving them, or interrupted?

use super::aliases::{live_points_at, point_live};
use crate::error::{Error, ResourceKind, Result};
use crate::flows::records::commit_project;
use crate::flows::routing::Windows;
use crate::flows::FlowContext;
use crate::model::{Deployment, LastSwitch, Project, ProjectName};

/// Before a new switch: returns once the aliases point at the recorded
/// active deployment, moving them there if the marker is stale. A switch
/// this process is still moving, or a young marker whose aliases have not
/// arrived yet, means another switch is still moving them: `Conflict`. `known` is the active deployment's record if
/// the caller has it; the record used is returned for the switch to reuse.
pub(super) async fn settle(
    svc: &FlowContext,
    project: &Project,
    marker: &LastSwitch,
    known: Option<Deployment>,
) -> Result<Option<Deployment>> {
    let name = &project.name;
    if svc.records.is_moving(name, marker) {
        return Err(still_moving(name, marker));
    }
    let Some(active_id) = &project.active_deployment else {
        return Ok(None);
    };
    let active = match known.filter(|d| &d.id == active_id) {
        Some(d) => d,
        None => svc.deployment(name, active_id).await?,
    };
    let infra = &project.infrastructure;
    if !live_points_at(svc, infra, &active).await? {
        let age = svc.clock.now() - marker.started_at;
        let stale = chrono::Duration::from_std(svc.settings.stale_switch_after)
            .unwrap_or(chrono::Duration::MAX);
        if age < stale {
            return Err(still_moving(name, marker));
        }
        // Rolled forward to the recorded target: the window of the one it
        // replaced starts now and those past the policy end, as the
        // interrupted switch would have done.
        let windows = Windows {
            ended: &marker.ended_windows,
            ..Windows::leaving(project, marker.from.as_ref())
        };
        point_live(svc, infra, &active, windows).await?;
    }
    svc.records.mark_settled(name, marker);
    Ok(Some(active))
}

fn still_moving(name: &ProjectName, marker: &LastSwitch) -> Error {
    Error::conflict(
        ResourceKind::Project,
        name.as_str(),
        format!(
            "a switch to {} started at {} is still moving the aliases",
            marker.to, marker.started_at
        ),
    )
}

/// What [`resolve_pending`] did.
pub(crate) struct Resolved {
    /// The project as recorded afterwards.
    pub project: Project,
    /// Whether what serves the project had to be moved to the recorded
    /// active deployment (the switch was interrupted before its move).
    pub moved: bool,
}

/// For `recover`: rolls the aliases forward to the recorded active
/// deployment if they are not there, then clears the marker. A switch this
/// process is still moving is not interrupted: `Conflict`.
pub(crate) async fn resolve_pending(svc: &FlowContext, project: Project) -> Result<Resolved> {
    if project.last_switch.is_none() {
        return Ok(Resolved {
            project,
            moved: false,
        });
    }
    let name = project.name.clone();
    if let Some(marker) = project
        .last_switch
        .as_ref()
        .filter(|m| svc.records.is_moving(&name, m))
    {
        return Err(still_moving(&name, marker));
    }
    let mut moved = false;
    if let Some(active_id) = &project.active_deployment {
        let active = svc.deployment(&name, active_id).await?;
        if !live_points_at(svc, &project.infrastructure, &active).await? {
            let marker = project.last_switch.as_ref();
            let leaving = marker.and_then(|m| m.from.as_ref());
            let ended = marker.map_or(&[][..], |m| &m.ended_windows[..]);
            let windows = Windows {
                ended,
                ..Windows::leaving(&project, leaving)
            };
            point_live(svc, &project.infrastructure, &active, windows).await?;
            moved = true;
        }
    }
    let cleared = Project {
        last_switch: None,
        revision: project.revision + 1,
        ..project.clone()
    };
    svc.records.forget(&name);
    commit_project(svc, &cleared, project.revision).await?;
    Ok(Resolved {
        project: svc.project(&name).await?,
        moved,
    })
}
