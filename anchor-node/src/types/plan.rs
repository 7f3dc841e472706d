//! A deploy plan, a progress event and a recovery report.

use anchor_core::progress;
use anchor_core::{DeployPlan as CorePlan, PlannedAction, PlannedAsset as CoreAsset};
use napi_derive::napi;

use super::{number, SiteFunctionSettings};

/// One asset of a deploy plan and what the deploy does with it.
#[napi(object, object_from_js = false)]
pub struct PlannedAsset {
    /// Path inside the build's `assets/`.
    pub path: String,
    /// The object store key it is written to.
    pub key: String,
    /// `upload` (send the bytes), `copy` (server-side, from `copyFrom`) or
    /// `skip` (the same content is already there).
    #[napi(ts_type = "'upload' | 'copy' | 'skip'")]
    pub action: String,
    /// The key a `copy` reads from.
    pub copy_from: Option<String>,
    /// Size in bytes.
    pub size: f64,
    /// Hex SHA-256 of the content.
    pub sha256: String,
    /// The `Content-Type` it is stored with.
    pub content_type: String,
    /// The `Cache-Control` it is stored with.
    pub cache_control: String,
    /// Whether it is HTML (written after everything else).
    pub is_html: bool,
    /// Whether it is a hashed `_next/static` file.
    pub is_hashed: bool,
    /// Whether it is stored once for all deployments.
    pub shared: bool,
}

impl From<&CoreAsset> for PlannedAsset {
    fn from(a: &CoreAsset) -> Self {
        let (action, copy_from) = match &a.action {
            PlannedAction::Upload => ("upload", None),
            PlannedAction::Copy { from } => ("copy", Some(from.clone())),
            PlannedAction::Skip => ("skip", None),
        };
        Self {
            path: a.path.clone(),
            key: a.key.clone(),
            action: action.into(),
            copy_from,
            size: number(a.size),
            sha256: a.sha256.clone(),
            content_type: a.content_type.clone(),
            cache_control: a.cache_control.clone(),
            is_html: a.is_html,
            is_hashed: a.is_hashed,
            shared: a.shared,
        }
    }
}

/// Everything a deploy would do, computed without writing anything.
#[napi(object, object_from_js = false)]
pub struct DeployPlan {
    /// The project.
    pub project: String,
    /// The id the deployment will get.
    pub deployment_id: String,
    /// The Next.js build id.
    pub build_id: String,
    /// Every asset and its action.
    pub assets: Vec<PlannedAsset>,
    /// Files to upload.
    pub upload_files: f64,
    /// Bytes to upload.
    pub upload_bytes: f64,
    /// Files copied server-side.
    pub copy_files: f64,
    /// Files skipped as unchanged.
    pub skip_files: f64,
    /// Base64 SHA-256 of the server bundle's zip.
    pub server_code_sha256: String,
    /// Base64 SHA-256 of the image bundle's zip.
    pub image_code_sha256: String,
    /// The server code equals the base deployment's, so it is not republished.
    pub server_unchanged: bool,
    /// The image code equals the base deployment's.
    pub image_unchanged: bool,
    /// The architecture the server's native code needs; absent for plain
    /// JavaScript (the function keeps its own).
    #[napi(ts_type = "'arm64' | 'x86_64'")]
    pub server_architecture: Option<String>,
    /// The architecture the image function's native code (`sharp`) needs.
    #[napi(ts_type = "'arm64' | 'x86_64'")]
    pub image_architecture: Option<String>,
    /// Whether the server answers with response streaming.
    pub server_streaming: bool,
    /// The build's Next.js `deploymentId`, which skew protection pins this
    /// deployment's pages by; absent when the build set none (then they
    /// are not pinned).
    pub next_deployment_id: Option<String>,
    /// The settings the deploy gives the functions; absent keeps what
    /// they have.
    pub function_settings: Option<SiteFunctionSettings>,
    /// The deployment the plan compared against, if any.
    pub base_deployment: Option<String>,
}

impl From<&CorePlan> for DeployPlan {
    fn from(p: &CorePlan) -> Self {
        Self {
            project: p.project.to_string(),
            deployment_id: p.deployment_id.to_string(),
            build_id: p.build_id.clone(),
            assets: p.assets.iter().map(Into::into).collect(),
            upload_files: number(p.upload_files),
            upload_bytes: number(p.upload_bytes),
            copy_files: number(p.copy_files),
            skip_files: number(p.skip_files),
            server_code_sha256: p.server_code_sha256.clone(),
            image_code_sha256: p.image_code_sha256.clone(),
            server_unchanged: p.server_unchanged,
            image_unchanged: p.image_unchanged,
            server_architecture: p.server_architecture.map(|a| a.as_str().to_string()),
            image_architecture: p.image_architecture.map(|a| a.as_str().to_string()),
            server_streaming: p.server_streaming,
            next_deployment_id: p.next_deployment_id.clone(),
            function_settings: p.function_settings.as_ref().map(Into::into),
            base_deployment: p.base_deployment.as_ref().map(ToString::to_string),
        }
    }
}

/// One progress report of a deploy.
#[napi(object, object_from_js = false)]
pub struct ProgressEvent {
    /// The current phase.
    #[napi(
        ts_type = "'scanning' | 'uploading' | 'packaging' | 'publishing' | 'promoting' | 'invalidating' | 'rolling_out' | 'pruning' | 'done'"
    )]
    pub phase: String,
    /// Items (files, bundles) finished in this phase.
    pub done: f64,
    /// Items in this phase.
    pub total: f64,
    /// Bytes finished in this phase.
    pub bytes_done: f64,
    /// Bytes in this phase.
    pub bytes_total: f64,
    /// Something to know about this step, in words (such as a build
    /// without a Next.js deploymentId, deployed without skew protection);
    /// absent on most events.
    pub note: Option<String>,
}

impl From<&progress::ProgressEvent> for ProgressEvent {
    fn from(e: &progress::ProgressEvent) -> Self {
        Self {
            phase: e.phase.to_string(),
            done: number(e.done),
            total: number(e.total),
            bytes_done: number(e.bytes_done),
            bytes_total: number(e.bytes_total),
            note: e.note.clone(),
        }
    }
}

/// What `recover` changed.
#[napi(object, object_from_js = false)]
pub struct RecoveryReport {
    /// The interrupted switch's target, if one was resolved.
    pub resolved_switch_to: Option<String>,
    /// Whether that target is live after recovery.
    pub rolled_forward: bool,
    /// Whether the rollout's last decision had to be finished: the router's
    /// pointer written to match the record, or a completion recorded.
    pub rollout_repaired: bool,
    /// Deployments found stuck in progress and marked failed.
    pub failed_deployments: Vec<String>,
    /// Domains whose interrupted removal was finished.
    pub finished_domain_removals: Vec<String>,
    /// Domains whose interrupted addition was resumed (certificate requested).
    pub resumed_domain_additions: Vec<String>,
    /// Deployments whose pruning stopped halfway, now finished.
    pub finished_prunes: Vec<String>,
}

impl From<&anchor_core::RecoveryReport> for RecoveryReport {
    fn from(r: &anchor_core::RecoveryReport) -> Self {
        Self {
            resolved_switch_to: r.resolved_switch_to.as_ref().map(ToString::to_string),
            rolled_forward: r.rolled_forward,
            rollout_repaired: r.rollout_repaired,
            failed_deployments: r
                .failed_deployments
                .iter()
                .map(ToString::to_string)
                .collect(),
            finished_domain_removals: names(&r.finished_domain_removals),
            resumed_domain_additions: names(&r.resumed_domain_additions),
            finished_prunes: r.finished_prunes.iter().map(ToString::to_string).collect(),
        }
    }
}

fn names(domains: &[anchor_core::model::DomainName]) -> Vec<String> {
    domains.iter().map(ToString::to_string).collect()
}
