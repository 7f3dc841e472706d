//! Deleting what one pruned deployment alone held, in an order that never
//! leaves the router pointing at something gone, and that a retry finishes:
//! every step treats "already gone" as done.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::cache;
use super::plan::Exclusive;
use crate::error::{Error, Result};
use crate::flows::routing::{deployment_alias, update_store};
use crate::flows::FlowContext;
use crate::model::{Deployment, Project, RouterBinding};
use crate::router::{preview_gone_entry, window_end_entry, RouterKeys};
use crate::traits::{KvsUpdate, MAX_KVS_UPDATE_ITEMS};

/// Retires `d`: its preview address answers 410 and its pages' requests go
/// live (one store update, with its routing entry and secret gone), then
/// its index shards, its aliases and their Function URLs, its revalidation
/// queue, the function versions and objects in `exclusive`, and last the
/// run-time ISR cache and tag rows of the builds it was the last of.
pub(super) async fn retire(
    svc: &FlowContext,
    project: &Project,
    d: &Deployment,
    exclusive: &Exclusive,
    now: DateTime<Utc>,
) -> Result<()> {
    let infra = &project.infrastructure;
    if let Some(binding) = &infra.router {
        retire_routing(svc, &infra.distribution_id, binding, d, now).await?;
    }
    let alias = deployment_alias(d);
    for function in [&infra.server_function, &infra.image_function] {
        svc.backend.functions.delete_alias(function, &alias).await?;
    }
    svc.backend
        .revalidation
        .remove_queue(&project.name, &d.id)
        .await?;
    for (function, version) in &exclusive.versions {
        match svc
            .backend
            .functions
            .delete_version(function, version)
            .await
        {
            Ok(()) | Err(Error::NotFound { .. }) => {}
            // Something started using it after the plan (a deploy of the
            // same code): it stays, and so does its code.
            Err(Error::InvalidState { .. }) => {
                tracing::warn!(
                    target: "anchor_core::prune",
                    %function, %version, deployment = %d.id,
                    "a version pruning would delete is in use again; keeping it"
                );
            }
            Err(e) => return Err(e),
        }
    }
    for (key, _) in &exclusive.objects {
        svc.backend.objects.delete(key).await?;
    }
    cache::remove(svc, project, d, &exclusive.builds).await
}

/// The router's part: first, in one update, `v<N>` becomes `gone`, the
/// skew window ends now, and the routing entry and origin secret go; then
/// the index shards the entry named, which nothing reads once it is gone.
async fn retire_routing(
    svc: &FlowContext,
    distribution_id: &str,
    binding: &RouterBinding,
    d: &Deployment,
    now: DateTime<Utc>,
) -> Result<()> {
    let keys = RouterKeys::new(distribution_id)?;
    let entry_key = keys.deployment(&d.id);
    let shards = svc
        .backend
        .kvs
        .get(&binding.store, &entry_key)
        .await?
        .and_then(|v| serde_json::from_str::<Value>(&v).ok())
        .and_then(|entry| entry.get("n").and_then(Value::as_u64))
        .unwrap_or(0);
    let gone = preview_gone_entry(&keys, d.version)?;
    let ended = window_end_entry(&keys, &d.id, Some(now.timestamp().max(1)))?;
    let first = KvsUpdate {
        puts: vec![(gone.key, gone.value), (ended.key, ended.value)],
        deletes: vec![entry_key, keys.secret(&d.id)],
    };
    update_store(svc, binding, &first).await?;
    let mut shard_keys = Vec::new();
    for k in 0..usize::try_from(shards).unwrap_or(0) {
        shard_keys.push(keys.shard(&d.id, k)?);
    }
    for chunk in shard_keys.chunks(MAX_KVS_UPDATE_ITEMS) {
        let update = KvsUpdate {
            puts: Vec::new(),
            deletes: chunk.to_vec(),
        };
        update_store(svc, binding, &update).await?;
    }
    Ok(())
}
