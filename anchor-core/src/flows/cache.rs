//! What a process may keep between operations without asking the backend
//! again: only data that never changes once written.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::manifest::AssetManifest;
use crate::model::DeploymentId;

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
