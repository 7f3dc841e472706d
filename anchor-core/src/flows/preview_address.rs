//! Where one deployment, promoted or not, is reachable: its preview
//! address (`docs/release-management.md`, "Previews").

use serde::{Deserialize, Serialize};

use super::FlowContext;
use crate::error::{Error, ResourceKind, Result};
use crate::model::{DeploymentId, DeploymentStatus, ProjectName};
use crate::router::{preview_suffixes, RouterKeys, PREVIEW_HEADER, PREVIEW_QUERY};

/// How to reach one deployment through the project's router.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PreviewAddress {
    /// The deployment's version.
    pub version: u64,
    /// The deployment.
    pub deployment: DeploymentId,
    /// A URL on the distribution's own host that reaches it:
    /// `https://<distribution>/?__anchor_preview=v<N>` (the router removes
    /// the parameter before the origin).
    pub url: String,
    /// Its own host, `v<N>.<suffix>`, when the project has a wildcard
    /// domain (on the embedded default, `v<N>.localhost`, which comes
    /// first); with several, the suffix of the first one attached; `None`
    /// without.
    pub host: Option<String>,
    /// The request header that reaches it on any host of the distribution,
    /// for tools and CI: `x-anchor-preview`.
    pub header_name: String,
    /// That header's value: `v<N>`.
    pub header_value: String,
}

/// The preview address of `version`. Fails with `NotFound` for a version
/// the project never had, `InvalidState` for a pruned one (its address
/// answers 410) or a project without the router (no previews by address).
pub(crate) async fn preview_address(
    svc: &FlowContext,
    name: &ProjectName,
    version: u64,
) -> Result<PreviewAddress> {
    let project = svc.project(name).await?;
    let Some(binding) = &project.infrastructure.router else {
        return Err(Error::invalid_state(
            ResourceKind::Project,
            name.as_str(),
            "behaviours",
            "previews have their own address only through the edge router; run create_project \
             again to route the project through it",
        ));
    };
    let deployment = svc
        .backend
        .store
        .get_deployment_by_version(name, version)
        .await?
        .ok_or_else(|| Error::not_found(ResourceKind::Deployment, format!("v{version}")))?;
    if deployment.status == DeploymentStatus::Pruned {
        return Err(Error::invalid_state(
            ResourceKind::Deployment,
            deployment.id.as_str(),
            deployment.status.as_str(),
            format!("v{version} was pruned: its address answers 410 Gone"),
        ));
    }
    let keys = RouterKeys::new(&project.infrastructure.distribution_id)?;
    let suffix = svc
        .backend
        .kvs
        .get(&binding.store, &keys.preview_suffix())
        .await?;
    let tag = format!("v{version}");
    Ok(PreviewAddress {
        version,
        deployment: deployment.id,
        url: format!(
            "https://{}/?{PREVIEW_QUERY}={tag}",
            project.infrastructure.distribution_domain
        ),
        host: suffix
            .as_deref()
            .and_then(|s| preview_suffixes(s).into_iter().next())
            .map(|s| format!("{tag}.{s}")),
        header_name: PREVIEW_HEADER.to_string(),
        header_value: tag,
    })
}
