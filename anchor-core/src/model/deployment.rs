use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Architecture, ProjectName};
use crate::error::{Error, Result};

/// A deployment id: `dpl_` followed by a lowercase ULID, unique across projects.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DeploymentId(String);

impl DeploymentId {
    const PREFIX: &'static str = "dpl_";

    /// A fresh id, unique with overwhelming probability.
    pub fn generate() -> Self {
        Self(format!(
            "{}{}",
            Self::PREFIX,
            ulid::Ulid::new().to_string().to_lowercase()
        ))
    }

    /// Validates an id given by a caller; the error names the field `deployment`.
    pub fn parse(id: &str) -> Result<Self> {
        let ok = id
            .strip_prefix(Self::PREFIX)
            .is_some_and(|rest| rest.len() == 26 && ulid::Ulid::from_string(rest).is_ok());
        if ok {
            Ok(Self(id.to_ascii_lowercase()))
        } else {
            Err(Error::invalid_input(
                "deployment",
                format!("{id:?} is not a deployment id (dpl_ followed by 26 ULID characters)"),
            ))
        }
    }

    /// The id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DeploymentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for DeploymentId {
    type Error = Error;
    fn try_from(value: String) -> Result<Self> {
        Self::parse(&value)
    }
}

impl From<DeploymentId> for String {
    fn from(value: DeploymentId) -> Self {
        value.0
    }
}

/// Where a deployment is in its life.
///
/// `Queued → Uploading → Publishing → Ready`, then `Live` while the `live`
/// aliases point at it and `Superseded` once another deployment replaces it.
/// Any step before `Ready` may end in `Failed`; `Pruned` means its versions
/// were deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeploymentStatus {
    /// Recorded, nothing uploaded yet.
    Queued,
    /// Assets are being uploaded.
    Uploading,
    /// Function code is being packaged and published.
    Publishing,
    /// Built and published, not live (a preview, or not yet promoted).
    Ready,
    /// The `live` aliases point at this deployment.
    Live,
    /// Was live, then replaced; can be rolled back to.
    Superseded,
    /// A step before promotion failed; see `error`.
    Failed,
    /// Its function versions were deleted; it can no longer go live.
    Pruned,
}

impl DeploymentStatus {
    /// Whether work on the deployment is still under way.
    pub fn is_in_progress(self) -> bool {
        matches!(self, Self::Queued | Self::Uploading | Self::Publishing)
    }

    /// Whether the deployment may be made live (promoted or rolled back to).
    pub fn can_go_live(self) -> bool {
        matches!(self, Self::Ready | Self::Superseded | Self::Live)
    }

    /// The lowercase name used in records and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Uploading => "uploading",
            Self::Publishing => "publishing",
            Self::Ready => "ready",
            Self::Live => "live",
            Self::Superseded => "superseded",
            Self::Failed => "failed",
            Self::Pruned => "pruned",
        }
    }
}

impl fmt::Display for DeploymentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A published, immutable function version.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FunctionVersion {
    /// The function's name.
    pub function: String,
    /// The version number as the host reports it (`"1"`, `"2"`, ...).
    pub version: String,
    /// The qualified ARN on AWS, or a local equivalent.
    pub arn: String,
    /// Base64 SHA-256 of the code zip, as Lambda's `CodeSha256`.
    pub code_sha256: String,
    /// The entry point the version runs, as the host reports it (such as
    /// `index.handler`, or `anchor-origin-guard.handler` for a server
    /// bundle Anchor guarded). `None` in records written before Anchor kept
    /// it: then ask the host ([`crate::traits::Functions::get_version`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handler: Option<String>,
    /// The memory the version runs with, in MB, as the host reports it.
    /// `None` where the host has no record of it (a local version
    /// published before Anchor kept it, or a record written then).
    #[serde(default)]
    pub memory_mb: Option<u32>,
    /// How long one invocation of the version may run, in seconds, as the
    /// host reports it; `None` like [`FunctionVersion::memory_mb`].
    /// (Records written before the name was unified call it `timeout_secs`.)
    #[serde(default, alias = "timeout_secs")]
    pub timeout_seconds: Option<u32>,
    /// The architecture the version was published for. `None` where the
    /// host recorded none: locally, plain JavaScript published with no
    /// preference runs anywhere.
    #[serde(default)]
    pub architecture: Option<Architecture>,
    /// Lambda's runtime identifier of the version, such as `nodejs24.x`;
    /// `None` like [`FunctionVersion::memory_mb`].
    #[serde(default)]
    pub runtime: Option<String>,
}

/// What the asset upload of a deployment did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssetSummary {
    /// Files in the build's `assets/` folder.
    pub files: u64,
    /// Their total size in bytes.
    pub bytes: u64,
    /// Files sent over the wire.
    pub uploaded_files: u64,
    /// Bytes sent over the wire.
    pub uploaded_bytes: u64,
    /// Files copied server-side from content the store already had.
    pub copied_files: u64,
    /// Files needing no request because the same content is already at that key.
    pub skipped_files: u64,
}

/// One deployment of a project: its assets, its function versions and its
/// place in the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployment {
    /// Unique id.
    pub id: DeploymentId,
    /// The project deployed.
    pub project: ProjectName,
    /// 1, 2, 3, ...: grows within a project and is never reused.
    pub version: u64,
    /// The Next.js `BUILD_ID`.
    pub build_id: String,
    /// Where the deployment is in its life.
    pub status: DeploymentStatus,
    /// The published server function version, once published.
    pub server_version: Option<FunctionVersion>,
    /// The published image function version, once published.
    pub image_version: Option<FunctionVersion>,
    /// Key prefix of this deployment's unhashed assets; hashed
    /// `_next/static` files are shared by all deployments of the project.
    pub assets_path: String,
    /// The CDN invalidation made when it went live, if any.
    pub invalidation_id: Option<String>,
    /// Why the invalidation failed, if it did (the deployment stays live).
    pub invalidation_error: Option<String>,
    /// When the record was created.
    pub created_at: DateTime<Utc>,
    /// When the record last changed.
    pub updated_at: DateTime<Utc>,
    /// When it became `Ready`.
    pub deployed_at: Option<DateTime<Utc>>,
    /// When it last went live.
    pub promoted_at: Option<DateTime<Utc>>,
    /// The deployment that was live when this one was first promoted: what
    /// a rollback to the previous deployment goes back to while this one is
    /// live. `None` if nothing was live then (the project's first
    /// deployment), or if it has never been live. Set only when it first
    /// goes live (`promoted_at` was `None`); no later switch changes it.
    #[serde(default)]
    pub replaced: Option<DeploymentId>,
    /// The gradual rollout this deployment was the candidate of, once it
    /// ended (completed or aborted), with every decision and its reason:
    /// kept here so the project's history holds every rollout, while the
    /// project record holds only the running or last one. The last one if
    /// it was rolled out more than once.
    #[serde(default)]
    pub rollout: Option<super::Rollout>,
    /// How it was pruned, once pruning started (its status is then
    /// `pruned`): why, when, and what it freed. The record itself is kept.
    #[serde(default)]
    pub pruned: Option<super::PruneRecord>,
    /// What the asset upload did.
    pub assets: AssetSummary,
    /// Why it failed, for `Failed` deployments.
    pub error: Option<String>,
    /// Bumped by every write; conditional writes compare it.
    pub revision: u64,
}
