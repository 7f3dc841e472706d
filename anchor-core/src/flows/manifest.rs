//! Reading and writing the asset manifest each deployment leaves in the
//! object store (the record and its key layout are in
//! [`crate::model::asset_manifest`]), through the process's manifest cache.

use std::sync::Arc;

use super::FlowContext;
use crate::error::{Error, ResourceKind, Result};
use crate::model::asset_manifest::{manifest_key, AssetManifest};
use crate::model::{DeploymentId, Infrastructure};
use crate::traits::{ObjectBody, PutOptions};

/// Reads a deployment's manifest; `None` if it never finished uploading.
pub(crate) async fn load(
    svc: &FlowContext,
    infra: &Infrastructure,
    id: &DeploymentId,
) -> Result<Option<Arc<AssetManifest>>> {
    if let Some(cached) = svc.manifests.get(id) {
        return Ok(Some(cached));
    }
    let key = manifest_key(infra, id);
    match svc.backend.objects.get(&key).await? {
        None => Ok(None),
        Some(bytes) => {
            // Anchor wrote it; if it no longer parses, the stored object
            // was changed behind Anchor's back.
            let manifest: AssetManifest = serde_json::from_slice(&bytes).map_err(|e| {
                Error::invalid_state(
                    ResourceKind::Deployment,
                    id.as_str(),
                    "manifest_unreadable",
                    format!("its asset manifest {key} is not Anchor's JSON: {e}"),
                )
            })?;
            let manifest = Arc::new(manifest);
            svc.manifests.insert(id, manifest.clone());
            Ok(Some(manifest))
        }
    }
}

/// Writes a deployment's manifest. It is written last, so its presence
/// means every asset it lists is stored.
pub(crate) async fn store(
    svc: &FlowContext,
    infra: &Infrastructure,
    id: &DeploymentId,
    m: &AssetManifest,
) -> Result<()> {
    let key = manifest_key(infra, id);
    let body = serde_json::to_vec(m)
        .map_err(|e| Error::internal(format!("an asset manifest serialises to JSON: {e}")))?;
    let opts = PutOptions {
        content_type: Some("application/json".into()),
        cache_control: Some("no-store".into()),
        ..PutOptions::default()
    };
    svc.backend
        .objects
        .put(&key, ObjectBody::Bytes(body), &opts)
        .await?;
    svc.manifests.insert(id, Arc::new(m.clone()));
    Ok(())
}
