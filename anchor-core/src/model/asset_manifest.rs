//! The asset manifest each deployment leaves in the object store, and the
//! key layout of a project's assets: stored records, read by the flows and
//! by the local edge alike.
//!
//! Layout under the project's `asset_prefix`:
//! - `_next/static/**`: hashed files, shared by every deployment and written
//!   once (never overwritten), so old pages keep finding their chunks after
//!   a rollback;
//! - `_cache/<build id>/**`: the build's ISR cache, which the OpenNext server
//!   reads; keyed by build id, so also written once;
//! - `deployments/<id>/**`: the deployment's unhashed files (public files,
//!   `BUILD_ID`), immutable once written;
//! - `manifests/<id>.json`: this manifest, so the next deployment can skip
//!   or copy content by hash without listing the bucket.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{DeploymentId, Infrastructure};

/// One asset of a deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ManifestEntry {
    /// Hex SHA-256 of the content.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// The object store key holding it.
    pub stored_key: String,
    /// Whether it is stored once for all deployments under a key whose
    /// content never changes: hashed `_next/static` files and the build's
    /// ISR cache (keyed by build id). Such entries are never invalidated.
    pub shared: bool,
}

/// Every asset of a deployment, by its path in the build's `assets/`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AssetManifest {
    /// The Next.js build id.
    pub build_id: String,
    /// Assets by relative path.
    pub files: BTreeMap<String, ManifestEntry>,
    /// Prerendered routes the CDN may cache.
    pub routes: Vec<String>,
}

impl AssetManifest {
    /// Any stored key with this content, to copy from.
    pub fn key_with_content(&self, sha256: &str) -> Option<&str> {
        self.files
            .values()
            .find(|e| e.sha256 == sha256)
            .map(|e| e.stored_key.as_str())
    }
}

/// The folder of the ISR cache under the asset prefix, as OpenNext's `s3`
/// origin names it (`copy[].to`).
pub(crate) const CACHE_FOLDER: &str = "_cache";

/// The key of a shared asset (hashed file or cache entry).
pub(crate) fn shared_key(infra: &Infrastructure, rel: &str) -> String {
    format!("{}/{}", infra.asset_prefix, rel)
}

/// The prefix of a deployment's own unhashed assets.
pub(crate) fn assets_path(infra: &Infrastructure, id: &DeploymentId) -> String {
    format!("{}/{}", infra.asset_prefix, deployment_folder(id))
}

/// The deployment's own folder under the project's prefix.
pub(crate) fn deployment_folder(id: &DeploymentId) -> String {
    format!("deployments/{id}")
}

/// The key of a deployment's manifest.
pub(crate) fn manifest_key(infra: &Infrastructure, id: &DeploymentId) -> String {
    format!("{}/manifests/{}.json", infra.asset_prefix, id)
}
