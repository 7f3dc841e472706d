//! What a process may keep between operations without asking the backend
//! again: only data that never changes once written.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::model::asset_manifest::AssetManifest;
use crate::model::{Deployment, DeploymentId, LastSwitch, Project, ProjectName};

/// Entries kept before the cache starts over; a manifest is a few hundred
/// bytes per asset, so this bounds memory for long-lived processes.
const CAPACITY: usize = 256;

/// Asset manifests this process has read or written, by deployment.
///
/// A deployment's manifest is written once, under the deployment's unique
/// id, and never changed, so an entry can never go stale: a rollback or
/// promote that needs the stale paths between two deployments reads them
/// here instead of from the object store. Clones share the cache.
#[derive(Debug, Clone, Default)]
pub struct ManifestCache {
    entries: Arc<Mutex<HashMap<DeploymentId, Arc<AssetManifest>>>>,
}

impl ManifestCache {
    pub(crate) fn get(&self, id: &DeploymentId) -> Option<Arc<AssetManifest>> {
        self.entries.lock().ok()?.get(id).cloned()
    }

    pub(crate) fn insert(&self, id: &DeploymentId, manifest: Arc<AssetManifest>) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= CAPACITY {
                entries.clear();
            }
            entries.insert(id.clone(), manifest);
        }
    }
}

/// What this process last wrote of a project: the project record and the
/// records of the deployments its last switch touched.
#[derive(Debug, Clone)]
pub(crate) struct Snapshot {
    /// The project record as last committed here.
    pub project: Project,
    /// Deployment records as last committed here, by id.
    pub deployments: HashMap<DeploymentId, Deployment>,
}

/// The records this process last committed, per project, so a rollback
/// right after a deploy or another rollback needs no read at all.
///
/// An entry is a hint, never trusted on its own: every record taken from it
/// is written back under its revision by the switch's conditional commit,
/// so a stale entry makes that commit fail and the flow forgets the entry
/// and starts over from fresh reads. Clones share the cache.
#[derive(Debug, Clone, Default)]
pub struct RecordCache {
    entries: Arc<Mutex<HashMap<ProjectName, Snapshot>>>,
    /// The last switch per project whose aliases this process saw move.
    settled: Arc<Mutex<HashMap<ProjectName, LastSwitch>>>,
    /// The switch per project whose aliases this process is moving now.
    moving: Arc<Mutex<HashMap<ProjectName, LastSwitch>>>,
}

/// Marks a switch's aliases as being moved by this process until dropped,
/// so the mark goes away however the move ends (done, failed, reverted or
/// the future dropped).
#[must_use = "the switch counts as moving only while the guard lives"]
pub(crate) struct MovingGuard {
    moving: Arc<Mutex<HashMap<ProjectName, LastSwitch>>>,
    name: ProjectName,
    marker: LastSwitch,
}

impl Drop for MovingGuard {
    fn drop(&mut self) {
        if let Ok(mut moving) = self.moving.lock() {
            if moving.get(&self.name) == Some(&self.marker) {
                moving.remove(&self.name);
            }
        }
    }
}

impl RecordCache {
    pub(crate) fn get(&self, name: &ProjectName) -> Option<Snapshot> {
        self.entries.lock().ok()?.get(name).cloned()
    }

    /// Whether this process saw the aliases of the switch `marker` move.
    pub(crate) fn is_settled(&self, name: &ProjectName, marker: &LastSwitch) -> bool {
        self.settled
            .lock()
            .ok()
            .is_some_and(|s| s.get(name) == Some(marker))
    }

    /// Notes that this process is moving the aliases of the switch
    /// `marker`, until the returned guard is dropped.
    pub(crate) fn begin_move(&self, name: &ProjectName, marker: &LastSwitch) -> MovingGuard {
        if let Ok(mut moving) = self.moving.lock() {
            moving.insert(name.clone(), marker.clone());
        }
        MovingGuard {
            moving: self.moving.clone(),
            name: name.clone(),
            marker: marker.clone(),
        }
    }

    /// Whether this process is still moving the aliases of the switch
    /// `marker`. Reading the aliases cannot tell: when the deployment
    /// switched to has the same function versions as the one before (a
    /// redeploy of unchanged code), they already point at it before the
    /// move lands.
    pub(crate) fn is_moving(&self, name: &ProjectName, marker: &LastSwitch) -> bool {
        self.moving
            .lock()
            .ok()
            .is_some_and(|m| m.get(name) == Some(marker))
    }

    /// Notes that the aliases of the switch `marker` have moved.
    pub(crate) fn mark_settled(&self, name: &ProjectName, marker: &LastSwitch) {
        if let Ok(mut settled) = self.settled.lock() {
            if settled.len() >= CAPACITY {
                settled.clear();
            }
            settled.insert(name.clone(), marker.clone());
        }
    }

    pub(crate) fn forget(&self, name: &ProjectName) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(name);
        }
    }

    /// Records a committed switch: the project after it, the deployment now
    /// live and the one it replaced (now superseded).
    pub(crate) fn remember_switch(
        &self,
        project: &Project,
        live: &Deployment,
        superseded: Option<&Deployment>,
    ) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        let mut deployments = HashMap::new();
        deployments.insert(live.id.clone(), live.clone());
        if let Some(s) = superseded {
            deployments.insert(s.id.clone(), s.clone());
        }
        entries.insert(
            project.name.clone(),
            Snapshot {
                project: project.clone(),
                deployments,
            },
        );
    }

    /// Records a later write of one deployment of a remembered project.
    pub(crate) fn remember_deployment(&self, d: &Deployment) {
        if let Ok(mut entries) = self.entries.lock() {
            if let Some(s) = entries.get_mut(&d.project) {
                if s.deployments.contains_key(&d.id) {
                    s.deployments.insert(d.id.clone(), d.clone());
                }
            }
        }
    }
}
