//! Which object store a project lives in.
//!
//! A project's assets, its functions' cache settings and its distribution's
//! origin all name one object store, chosen when the project is created.
//! An `Anchor` opened on another store (on AWS, another bucket) would
//! split the project: assets written where the CDN does not read, and live
//! functions told to cache there. So the project record keeps the
//! location its store reports ([`crate::traits::ObjectStore::location`]),
//! and every flow that changes a project compares it with the location of
//! the store it runs on before it changes anything.
//!
//! Records written before the location was kept have none. For those,
//! `create_project` adopts the current store's location, and a deploy
//! checks that the live deployment's manifest is in the current store (it
//! is written with every deployment, so its absence means another store)
//! without recording anything; promote, rollback, domains and recovery,
//! which write nothing to the store, go ahead.

use super::records::commit_project;
use super::{manifest, FlowContext};
use crate::error::{Error, ResourceKind, Result};
use crate::model::{Infrastructure, Project};

/// Fails with `InvalidState` if the project records a location other than
/// the current store's. A record without a location passes.
pub(crate) fn ensure_same_store(svc: &FlowContext, project: &Project) -> Result<()> {
    let current = svc.backend.objects.location();
    match &project.infrastructure.asset_location {
        Some(recorded) if *recorded != current => Err(elsewhere(project, recorded, &current)),
        _ => Ok(()),
    }
}

/// [`ensure_same_store`], and for a record without a location, that the
/// current store holds the live deployment's manifest: what a flow checks
/// before it writes to the store. Reads at most one object, and only for
/// records without a location.
pub(crate) async fn ensure_writable_store(svc: &FlowContext, project: &Project) -> Result<()> {
    ensure_same_store(svc, project)?;
    if project.infrastructure.asset_location.is_none() && !holds_live_assets(svc, project).await? {
        return Err(unrecorded(project, &svc.backend.objects.location()));
    }
    Ok(())
}

/// What `create_project` does with an existing record: returns it if it
/// names the current store, adopts the current store's location if it
/// names none (and the store holds the live deployment's manifest, if any
/// deployment is live), and fails with `InvalidState` otherwise.
pub(crate) async fn adopt_current_store(svc: &FlowContext, project: Project) -> Result<Project> {
    ensure_same_store(svc, &project)?;
    if project.infrastructure.asset_location.is_some() {
        return Ok(project);
    }
    let current = svc.backend.objects.location();
    if !holds_live_assets(svc, &project).await? {
        return Err(unrecorded(&project, &current));
    }
    let adopted = Project {
        infrastructure: Infrastructure {
            asset_location: Some(current),
            ..project.infrastructure.clone()
        },
        revision: project.revision + 1,
        ..project.clone()
    };
    // The cached records of this project are one revision behind now.
    svc.records.forget(&project.name);
    match commit_project(svc, &adopted, project.revision).await {
        Ok(()) => Ok(adopted),
        // Another writer changed the record first (a switch, or another
        // adoption): decide again on what it wrote.
        Err(Error::PreconditionFailed { .. }) => {
            let now = svc.project(&project.name).await?;
            ensure_same_store(svc, &now)?;
            Ok(now)
        }
        Err(e) => Err(e),
    }
}

/// Whether the current store holds the manifest of the project's live
/// deployment; `true` if nothing is live.
async fn holds_live_assets(svc: &FlowContext, project: &Project) -> Result<bool> {
    match &project.active_deployment {
        Some(id) => Ok(manifest::load(svc, &project.infrastructure, id)
            .await?
            .is_some()),
        None => Ok(true),
    }
}

/// The refusal of a project recorded on another store, naming both.
fn elsewhere(project: &Project, recorded: &str, current: &str) -> Error {
    Error::invalid_state(
        ResourceKind::Project,
        project.name.as_str(),
        format!("stored in {recorded}"),
        format!(
            "this Anchor's object store is {current}; open Anchor on {recorded} to change \
             this project (nothing was changed)"
        ),
    )
}

/// The refusal of a record without a location whose live assets are not
/// in the current store.
fn unrecorded(project: &Project, current: &str) -> Error {
    Error::invalid_state(
        ResourceKind::Project,
        project.name.as_str(),
        "stored in a location its record does not name",
        format!(
            "its live deployment's manifest is not in {current}, this Anchor's object store; \
             open Anchor on the project's store (nothing was changed)"
        ),
    )
}
