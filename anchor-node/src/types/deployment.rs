//! A deployment record and a page of them.

use anchor_core::model;
use napi_derive::napi;

use super::{number, timestamp};

/// A published function version that a deployment serves.
#[napi(object, object_from_js = false)]
pub struct FunctionVersion {
    /// The function's name.
    pub function: String,
    /// The version number as text, such as `"7"`.
    pub version: String,
    /// The qualified ARN (or the local backend's id) of that version.
    pub arn: String,
    /// Base64 SHA-256 of the code zip, as Lambda's `CodeSha256` (Python's
    /// `code_sha256`).
    pub code_sha256: String,
    /// The memory it runs with, in MB, as the host reports it; absent where
    /// the host has no record of it (a version published before Anchor
    /// kept it).
    pub memory_mb: Option<u32>,
    /// How long one invocation may run, in seconds; absent like `memoryMb`.
    pub timeout_seconds: Option<u32>,
    /// The architecture it was published for; absent on the embedded
    /// default for plain JavaScript published with no preference.
    #[napi(ts_type = "'arm64' | 'x86_64'")]
    pub architecture: Option<String>,
    /// Lambda's runtime, such as `nodejs24.x`; absent like `memoryMb`.
    pub runtime: Option<String>,
}

impl From<&model::FunctionVersion> for FunctionVersion {
    fn from(v: &model::FunctionVersion) -> Self {
        Self {
            function: v.function.clone(),
            version: v.version.clone(),
            arn: v.arn.clone(),
            code_sha256: v.code_sha256.clone(),
            memory_mb: v.memory_mb,
            timeout_seconds: v.timeout_seconds,
            architecture: v.architecture.map(|a| a.as_str().to_string()),
            runtime: v.runtime.clone(),
        }
    }
}

/// What the asset upload of a deployment did.
#[napi(object, object_from_js = false)]
pub struct AssetSummary {
    /// Files in the build's `assets/`.
    pub files: f64,
    /// Their bytes.
    pub bytes: f64,
    /// Files sent.
    pub uploaded_files: f64,
    /// Bytes sent.
    pub uploaded_bytes: f64,
    /// Files copied server-side from an earlier deployment's identical content.
    pub copied_files: f64,
    /// Files already in place.
    pub skipped_files: f64,
}

/// One deployment of a project.
#[napi(object, object_from_js = false)]
pub struct Deployment {
    /// Its id (a ULID).
    pub id: String,
    /// The project.
    pub project: String,
    /// Its number within the project, from 1, without gaps.
    pub version: f64,
    /// The Next.js build id.
    pub build_id: String,
    /// `queued`, `uploading`, `publishing`, `ready`, `live`, `superseded`, `failed` or `pruned`.
    #[napi(
        ts_type = "'queued' | 'uploading' | 'publishing' | 'ready' | 'live' | 'superseded' | 'failed' | 'pruned'"
    )]
    pub status: String,
    /// The server function's version, once published.
    pub server_version: Option<FunctionVersion>,
    /// The image function's version, once published.
    pub image_version: Option<FunctionVersion>,
    /// The object store prefix of its unhashed files.
    pub assets_path: String,
    /// The CDN invalidation made when it went live, if any.
    pub invalidation_id: Option<String>,
    /// Why that invalidation failed, if it did.
    pub invalidation_error: Option<String>,
    /// When the record was created (RFC 3339, UTC).
    pub created_at: String,
    /// When it last changed.
    pub updated_at: String,
    /// When it became ready.
    pub deployed_at: Option<String>,
    /// When it was first made live.
    pub promoted_at: Option<String>,
    /// The deployment that was live when this one was first promoted.
    pub replaced: Option<String>,
    /// The gradual rollout it was the candidate of, once that ended.
    pub rollout: Option<super::Rollout>,
    /// How it was pruned, once pruning started (its status is then
    /// `pruned`): why, when, and what it freed.
    pub pruned: Option<super::prune::PruneRecord>,
    /// What the upload did.
    pub assets: AssetSummary,
    /// Why it failed, if it did.
    pub error: Option<String>,
    /// The record's revision, bumped on every write.
    pub revision: f64,
}

impl From<&model::Deployment> for Deployment {
    fn from(d: &model::Deployment) -> Self {
        let a = &d.assets;
        Self {
            id: d.id.to_string(),
            project: d.project.to_string(),
            version: number(d.version),
            build_id: d.build_id.clone(),
            status: d.status.to_string(),
            server_version: d.server_version.as_ref().map(Into::into),
            image_version: d.image_version.as_ref().map(Into::into),
            assets_path: d.assets_path.clone(),
            invalidation_id: d.invalidation_id.clone(),
            invalidation_error: d.invalidation_error.clone(),
            created_at: timestamp(&d.created_at),
            updated_at: timestamp(&d.updated_at),
            deployed_at: d.deployed_at.as_ref().map(timestamp),
            promoted_at: d.promoted_at.as_ref().map(timestamp),
            replaced: d.replaced.as_ref().map(ToString::to_string),
            rollout: d.rollout.as_ref().map(super::Rollout::from),
            pruned: d.pruned.as_ref().map(super::prune::PruneRecord::from),
            assets: AssetSummary {
                files: number(a.files),
                bytes: number(a.bytes),
                uploaded_files: number(a.uploaded_files),
                uploaded_bytes: number(a.uploaded_bytes),
                copied_files: number(a.copied_files),
                skipped_files: number(a.skipped_files),
            },
            error: d.error.clone(),
            revision: number(d.revision),
        }
    }
}

/// A page of deployments, newest first.
#[napi(object, object_from_js = false)]
pub struct DeploymentPage {
    /// The deployments on this page.
    pub items: Vec<Deployment>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

impl From<&model::Page<model::Deployment>> for DeploymentPage {
    fn from(page: &model::Page<model::Deployment>) -> Self {
        Self {
            items: page.items.iter().map(Into::into).collect(),
            next_cursor: page.next_cursor.clone(),
        }
    }
}
