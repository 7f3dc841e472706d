//! The deploy plan: what will be uploaded, copied server-side or skipped,
//! and whether each function's code changed. Making a plan writes nothing.

use std::path::PathBuf;

use serde::Serialize;

use crate::flows::FlowContext;
use crate::model::asset_manifest::{self as manifest, AssetManifest, ManifestEntry};
use crate::model::{
    Architecture, Deployment, DeploymentId, Project, ProjectName, SiteFunctionSettings,
};
use crate::opennext::{OpenNextBuild, MAX_KEY_BYTES};
use crate::traits::CodeBundle;

/// What the upload does with one asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum PlannedAction {
    /// Send the bytes.
    Upload,
    /// Copy server-side from a key that already holds the same content.
    Copy {
        /// The source key.
        from: String,
    },
    /// The same content is already at the target key.
    Skip,
}

/// One asset of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedAsset {
    /// Path inside the build's `assets/`.
    pub path: String,
    /// The object store key it is written to.
    pub key: String,
    /// What happens to it.
    pub action: PlannedAction,
    /// Size in bytes.
    pub size: u64,
    /// Hex SHA-256.
    pub sha256: String,
    /// `Content-Type` it is stored with.
    pub content_type: String,
    /// `Cache-Control` it is stored with.
    pub cache_control: String,
    /// Whether it is HTML (uploaded after everything else).
    pub is_html: bool,
    /// Whether it is a hashed `_next/static` file.
    pub is_hashed: bool,
    /// Whether it is stored once for all deployments (hashed files and the
    /// ISR cache) rather than under this deployment's own path.
    pub shared: bool,
    /// The file on disk.
    #[serde(skip)]
    pub source: PathBuf,
}

/// Everything a deploy would do, computed without writing anything.
#[derive(Debug, Clone, Serialize)]
pub struct DeployPlan {
    /// The project.
    pub project: ProjectName,
    /// The id the deployment will get.
    pub deployment_id: DeploymentId,
    /// The Next.js build id.
    pub build_id: String,
    /// Every asset and its action; non-HTML first, then HTML.
    pub assets: Vec<PlannedAsset>,
    /// Files to upload and their bytes.
    pub upload_files: u64,
    /// Bytes to upload.
    pub upload_bytes: u64,
    /// Files copied server-side.
    pub copy_files: u64,
    /// Files skipped as unchanged.
    pub skip_files: u64,
    /// Base64 SHA-256 of the server zip.
    pub server_code_sha256: String,
    /// Base64 SHA-256 of the image zip.
    pub image_code_sha256: String,
    /// The server code equals the base deployment's, so it is not republished.
    pub server_unchanged: bool,
    /// The image code equals the base deployment's.
    pub image_unchanged: bool,
    /// The architecture the server's native code needs; `None` for plain
    /// JavaScript (the function keeps its own).
    pub server_architecture: Option<Architecture>,
    /// The architecture the image function's native code (`sharp`) needs.
    pub image_architecture: Option<Architecture>,
    /// The server answers with response streaming (OpenNext's streaming
    /// wrapper), so its Function URL streams too.
    pub server_streaming: bool,
    /// The build's Next.js `deploymentId`, which skew protection pins this
    /// deployment's pages by. `None`: the build set none, so the deploy
    /// works but its pages are not pinned: after the next deploy goes live
    /// they reach the new deployment (see docs/release-management.md).
    pub next_deployment_id: Option<String>,
    /// The functions' memory, timeout and runtime the deploy reconciles
    /// them to ([`crate::flows::Deployer::function_settings`]); `None`
    /// keeps what the functions have.
    pub function_settings: Option<SiteFunctionSettings>,
    /// The deployment the plan compared against, if any.
    pub base_deployment: Option<DeploymentId>,
    /// Prerendered routes of the build.
    #[serde(skip)]
    pub(crate) routes: Vec<String>,
    /// The zips, so executing the plan does not package twice.
    #[serde(skip)]
    pub(crate) server_code: CodeBundle,
    /// The image zip.
    #[serde(skip)]
    pub(crate) image_code: CodeBundle,
    /// The server bundle carries the origin guard, so the deploy generates
    /// a secret for the deployment (the project has the router).
    pub(crate) server_guarded: bool,
    /// The server's handler, such as `index.handler`.
    #[serde(skip)]
    pub(crate) server_handler: String,
    /// The image function's handler.
    #[serde(skip)]
    pub(crate) image_handler: String,
    /// The revalidation function and tag rows the build uses.
    #[serde(skip)]
    pub(crate) isr: super::revalidation::IsrPlan,
    /// The base deployment's record.
    #[serde(skip)]
    pub(crate) base: Option<Deployment>,
}

/// Finds the deployment to compare against: the live one, else the newest
/// that finished. Its manifest tells which content the store already has.
pub(crate) async fn base_deployment(
    svc: &FlowContext,
    project: &Project,
) -> crate::Result<Option<Deployment>> {
    if let Some(id) = &project.active_deployment {
        return svc.backend.store.get_deployment(&project.name, id).await;
    }
    let page = svc
        .backend
        .store
        .list_deployments(&project.name, &crate::model::PageRequest::first(20))
        .await?;
    Ok(page.items.into_iter().find(|d| d.status.can_go_live()))
}

/// Decides the action of every asset against the base manifest.
pub(crate) fn plan_assets(
    project: &Project,
    id: &DeploymentId,
    build: &OpenNextBuild,
    base: Option<&AssetManifest>,
) -> Vec<PlannedAsset> {
    let infra = &project.infrastructure;
    let own_prefix = manifest::assets_path(infra, id);
    let public = build
        .assets()
        .iter()
        .map(|a| (a.key.clone(), a, a.is_hashed));
    // The ISR cache is keyed by build id, so it is shared and written once.
    let cache = build
        .cache_entries()
        .iter()
        .map(|a| (format!("{}/{}", manifest::CACHE_FOLDER, a.key), a, true));
    let mut planned: Vec<PlannedAsset> = public
        .chain(cache)
        .map(|(path, a, shared)| {
            let key = if shared {
                manifest::shared_key(infra, &path)
            } else {
                format!("{own_prefix}/{path}")
            };
            let same_key = base
                .and_then(|m| m.files.get(&path))
                .filter(|e: &&ManifestEntry| e.sha256 == a.sha256 && e.stored_key == key);
            let action = if same_key.is_some() {
                PlannedAction::Skip
            } else if let Some(from) = base.and_then(|m| m.key_with_content(&a.sha256)) {
                PlannedAction::Copy {
                    from: from.to_string(),
                }
            } else {
                PlannedAction::Upload
            };
            PlannedAsset {
                path,
                key,
                action,
                size: a.size,
                sha256: a.sha256.clone(),
                content_type: a.content_type.clone(),
                cache_control: a.cache_control.to_string(),
                is_html: a.is_html,
                is_hashed: a.is_hashed,
                shared,
                source: a.path.clone(),
            }
        })
        .collect();
    // HTML last: a page must never reference an asset not yet stored.
    planned.sort_by_key(|a| a.is_html);
    planned
}

/// Refuses a plan whose object keys, once the project's prefix and the
/// deployment's folder are added, exceed S3's limit: the build reader
/// checks keys relative to the build only, and the upload would otherwise
/// fail halfway, after the deployment was recorded. The error names the
/// file on disk.
pub(crate) fn check_key_lengths(assets: &[PlannedAsset]) -> crate::Result<()> {
    match assets.iter().find(|a| a.key.len() > MAX_KEY_BYTES) {
        Some(a) => Err(crate::Error::invalid_build(
            &a.source,
            format!(
                "its object key {:?} is {} bytes long, more than the {MAX_KEY_BYTES} allowed",
                a.key,
                a.key.len()
            ),
        )),
        None => Ok(()),
    }
}

/// The manifest the deployment will leave once its assets are stored.
pub(crate) fn manifest_of(plan: &DeployPlan) -> AssetManifest {
    AssetManifest {
        build_id: plan.build_id.clone(),
        files: plan
            .assets
            .iter()
            .map(|a| {
                let entry = ManifestEntry {
                    sha256: a.sha256.clone(),
                    size: a.size,
                    stored_key: a.key.clone(),
                    shared: a.shared,
                };
                (a.path.clone(), entry)
            })
            .collect(),
        routes: plan.routes.clone(),
    }
}
