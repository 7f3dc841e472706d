//! The run-time ISR cache and the tag rows of a build pruning leaves
//! unused. OpenNext's server writes the pages it regenerates under
//! `<asset prefix>/_cache/<build id>/` (and its fetch cache under
//! `_cache/__fetch/<build id>/`), and its tag cache keys every row with
//! the build id: none of it is in a manifest, so the store is listed.
//! Both go once no deployment left uses the build (`plan::builds_of`).

use std::collections::HashSet;

use super::plan::Exclusive;
use crate::error::Result;
use crate::flows::FlowContext;
use crate::model::asset_manifest::cache_prefixes;
use crate::model::{Deployment, DeploymentStatus, Infrastructure, PageRequest, Project};
use crate::traits::ListedObject;

/// The newest deployments read again before a build's cache goes, to find
/// a deploy of the same build that started after the plan.
const RECHECK_NEWEST: usize = 25;

/// Adds to `exclusive.cache` the run-time cache of its builds: every object
/// under their cache prefixes, except what its own manifest listed (already
/// in `exclusive.objects`).
pub(super) async fn count(
    svc: &FlowContext,
    infra: &Infrastructure,
    exclusive: &mut Exclusive,
) -> Result<()> {
    let listed: HashSet<&str> = exclusive.objects.iter().map(|(k, _)| k.as_str()).collect();
    let prefixes: Vec<String> = exclusive
        .builds
        .iter()
        .filter_map(|b| cache_prefixes(infra, b))
        .flatten()
        .collect();
    let mut found = Vec::new();
    for prefix in prefixes {
        let mut page = PageRequest::first(PageRequest::MAX_LIMIT);
        loop {
            let listing = svc.backend.objects.list(&prefix, &page).await?;
            found.extend(
                listing
                    .items
                    .into_iter()
                    .filter(|o| !listed.contains(o.key.as_str()))
                    .map(|ListedObject { key, size }| (key, size)),
            );
            match listing.next_cursor {
                Some(cursor) => page.cursor = Some(cursor),
                None => break,
            }
        }
    }
    exclusive.cache = found;
    Ok(())
}

/// Deletes the run-time cache and the tag rows of each of `builds`, which
/// `d` was the last deployment of, a page at a time. A build a deploy
/// started using after the plan stays (logged). Deleting what is already
/// gone is no error, so a retry finishes the job.
pub(super) async fn remove(
    svc: &FlowContext,
    project: &Project,
    d: &Deployment,
    builds: &[String],
) -> Result<()> {
    for build in builds {
        if in_use_again(svc, project, d, build).await? {
            tracing::warn!(
                target: "anchor_core::prune",
                build = %build, deployment = %d.id,
                "a deploy of a build pruning would remove started; keeping its cache and tags"
            );
            continue;
        }
        let Some(prefixes) = cache_prefixes(&project.infrastructure, build) else {
            continue;
        };
        for prefix in prefixes {
            let mut page = PageRequest::first(PageRequest::MAX_LIMIT);
            loop {
                let listing = svc.backend.objects.list(&prefix, &page).await?;
                for o in &listing.items {
                    svc.backend.objects.delete(&o.key).await?;
                }
                match listing.next_cursor {
                    Some(cursor) => page.cursor = Some(cursor),
                    None => break,
                }
            }
        }
        svc.backend
            .revalidation
            .remove_build_tags(&project.name, build)
            .await?;
    }
    Ok(())
}

/// Whether a deployment other than `d`, not pruned, is of `build` among the
/// newest: one a deploy made after the plan counted the builds (any older
/// one was counted, and would have kept the build).
async fn in_use_again(
    svc: &FlowContext,
    project: &Project,
    d: &Deployment,
    build: &str,
) -> Result<bool> {
    let newest = svc
        .backend
        .store
        .list_deployments(&project.name, &PageRequest::first(RECHECK_NEWEST))
        .await?;
    Ok(newest.items.iter().any(|other| {
        other.id != d.id && other.status != DeploymentStatus::Pruned && other.build_id == build
    }))
}
