//! The edge router's records in the project's key-value store
//! (`docs/router.md`): each deployment's routing entry, written once when
//! it is built (its origins are immutable), and the live pointer, written
//! once per switch. Nothing here names a backend.

use crate::error::{Error, ResourceKind, Result};
use crate::flows::{manifest, FlowContext};
use crate::model::{
    Deployment, DeploymentId, FunctionVersion, Infrastructure, OriginSecret, Project, RouterBinding,
};
use crate::opennext::GUARD_HANDLER;
use crate::router::{
    pin_entry, preview_entry, secret_entry, window_end_entry, DeploymentRoute, KvsEntry,
    LivePointer, Pin, PublicIndex, RouterKeys, DEFAULT_SKEW_WINDOW,
};
use crate::traits::{
    url_host, AliasRouting, FunctionUrlAuth, FunctionUrlOptions, KvsUpdate, SetAliasOptions,
    MAX_KVS_UPDATE_ITEMS,
};

/// The alias naming one deployment's versions, so each deployment is an
/// origin of its own: `v<version>`.
pub(crate) fn deployment_alias(d: &Deployment) -> String {
    format!("v{}", d.version)
}

/// Publishes `d` as an immutable origin: an alias of each function at its
/// versions, a Function URL on each, and its routing entry. A server with
/// the origin guard gets a URL that takes unsigned requests (bodies must
/// reach it) and `secret`, the one its version was published with, written
/// to its own key in the same update as the routing entry, so the router
/// never finds the entry without it; it is never read back. A server
/// without the guard (made before the router) is never left open: its URL
/// takes only what the distribution signs, as before the router, and its
/// entry says so. The image's URL always takes only signed requests.
/// Idempotent, so a retried deploy or a switch to a deployment made before
/// the router (`secret` `None`) can call it again. A guarded server without
/// its `secret`, or a secret for a server without the guard, is refused
/// with `InvalidState` before anything changes: no URL could serve it safely.
pub(crate) async fn publish_origins(
    svc: &FlowContext,
    infra: &Infrastructure,
    binding: &RouterBinding,
    d: &Deployment,
    server_streams: bool,
    secret: Option<&OriginSecret>,
    build_deployment_id: Option<&str>,
) -> Result<()> {
    let (Some(server), Some(image)) = (&d.server_version, &d.image_version) else {
        return Err(no_versions(d));
    };
    let guarded = server_is_guarded(svc, server).await?;
    if guarded != secret.is_some() {
        return Err(Error::invalid_state(
            ResourceKind::Deployment,
            d.id.as_str(),
            d.status.as_str(),
            if guarded {
                "its server checks an origin secret that is not at hand; deploy again"
            } else {
                "its server has no origin guard to check a secret"
            },
        ));
    }
    let server_auth = if guarded {
        FunctionUrlAuth::None
    } else {
        FunctionUrlAuth::AwsIam
    };
    let alias = deployment_alias(d);
    let mut hosts = Vec::with_capacity(2);
    for (function, version, auth, streaming) in [
        (
            &infra.server_function,
            &server.version,
            server_auth,
            server_streams,
        ),
        (
            &infra.image_function,
            &image.version,
            FunctionUrlAuth::AwsIam,
            false,
        ),
    ] {
        let current = svc.backend.functions.get_alias(function, &alias).await?;
        if current.is_none_or(|a| a.routing != AliasRouting::single(version.clone())) {
            let routing = AliasRouting::single(version.clone());
            svc.backend
                .functions
                .set_alias(function, &alias, &routing, &SetAliasOptions::default())
                .await?;
        }
        let options = FunctionUrlOptions {
            cdn_distribution_id: (auth == FunctionUrlAuth::AwsIam)
                .then(|| infra.distribution_id.clone()),
            auth,
            streaming,
        };
        let url = svc
            .backend
            .functions
            .ensure_url(function, &alias, &options)
            .await?;
        hosts.push(url_host(&url).map(str::to_string).ok_or_else(|| {
            Error::invalid_state(
                ResourceKind::Alias,
                format!("{function}:{alias}"),
                "without a usable Function URL",
                format!("its Function URL {url:?} names no host"),
            )
        })?);
    }
    let public_paths: Vec<String> = match manifest::load(svc, infra, &d.id).await? {
        Some(found) => found
            .files
            .iter()
            .filter(|(_, entry)| !entry.shared)
            .map(|(path, _)| path.clone())
            .collect(),
        None => Vec::new(),
    };
    let route = DeploymentRoute {
        deployment: d.id.clone(),
        version: d.version,
        server_host: hosts[0].clone(),
        server_signed: !guarded,
        image_host: hosts[1].clone(),
        bucket_host: binding.bucket_host.clone(),
        origin_path: format!("/{}", d.assets_path.trim_matches('/')),
        // The image function reads under the project's prefix.
        image_source_path: format!(
            "/{}",
            crate::model::asset_manifest::deployment_folder(&d.id)
        ),
        public_index: PublicIndex::from_public_paths(public_paths)?,
        build_deployment_id: build_deployment_id.map(str::to_string),
    };
    let keys = RouterKeys::new(&infra.distribution_id)?;
    let mut entries = route.entries(&keys)?;
    if let Some(secret) = secret {
        // Just before the record, which is last: `write` keeps the two in
        // one update.
        entries.insert(entries.len() - 1, secret_entry(&keys, &d.id, secret)?);
    }
    // After the record: the preview address and the pin find an entry to
    // route by. A pinned page reaches the deployment until a switch away
    // from it writes its window's end (`point_router`).
    entries.push(preview_entry(&keys, d.version, &d.id)?);
    if let Some(build) = build_deployment_id {
        let pin = Pin {
            deployment: d.id.clone(),
        };
        entries.push(pin_entry(&keys, build, &pin)?);
    }
    write(svc, binding, entries).await
}

/// Whether `server` runs the origin guard, by its handler: as the
/// deployment recorded it, else (a record written before Anchor kept it) as
/// the host reports it.
async fn server_is_guarded(svc: &FlowContext, server: &FunctionVersion) -> Result<bool> {
    let handler = match &server.handler {
        Some(handler) => Some(handler.clone()),
        None => svc
            .backend
            .functions
            .get_version(&server.function, &server.version)
            .await?
            .and_then(|v| v.handler),
    };
    Ok(handler.as_deref() == Some(GUARD_HANDLER))
}

/// The skew windows a switch writes with the live pointer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Windows<'a> {
    /// The deployment leaving live, when the caller knows it: its window
    /// ends `max_age` from now.
    pub leaving: Option<&'a DeploymentId>,
    /// The project's window length.
    pub max_age: std::time::Duration,
    /// Deployments whose windows end now: those past the policy's
    /// `max_pinned`.
    pub ended: &'a [DeploymentId],
}

impl<'a> Windows<'a> {
    /// The window of `leaving` under `project`'s policy, ending no other.
    pub(crate) fn leaving(project: &Project, leaving: Option<&'a DeploymentId>) -> Self {
        let policy = project.skew();
        Self {
            leaving,
            max_age: if policy.is_on() {
                policy.max_age()
            } else {
                std::time::Duration::ZERO
            },
            ended: &[],
        }
    }

    /// No window but the arriving deployment's cleared.
    pub(crate) fn none() -> Self {
        Self {
            leaving: None,
            max_age: DEFAULT_SKEW_WINDOW,
            ended: &[],
        }
    }
}

/// Makes the router serve `d`: one write of the live pointer. A deployment
/// made before the project had a router gets its entry first (and no
/// secret: its server has no guard, so its origin is signed). Reads the
/// routing entry, never the secret.
///
/// The same update ends the skew window of `windows.leaving` (the
/// deployment that was live, when the caller knows it) `max_age` from now,
/// ends the windows of `windows.ended` now, and clears `d`'s, so pages of
/// the one leaving keep reaching it for the window and `d`, live again
/// after a rollback, has no end.
pub(crate) async fn point_router(
    svc: &FlowContext,
    infra: &Infrastructure,
    binding: &RouterBinding,
    d: &Deployment,
    windows: Windows<'_>,
) -> Result<()> {
    let now = svc.clock.now().timestamp();
    let mut ends: Vec<(&DeploymentId, Option<i64>)> = vec![(&d.id, None)];
    if let Some(leaving) = windows.leaving.filter(|l| **l != d.id) {
        let window = i64::try_from(windows.max_age.as_secs()).unwrap_or(i64::MAX);
        ends.push((leaving, Some(now.saturating_add(window))));
    }
    let leaving = windows.leaving;
    for ended in windows
        .ended
        .iter()
        .filter(|e| **e != d.id && Some(*e) != leaving)
    {
        ends.push((ended, Some(now)));
    }
    let pointer = LivePointer::Single(d.id.clone());
    write_pointer(svc, infra, binding, &pointer, Some(d), &ends).await
}

/// The router's live pointer as stored; `None` before the first switch.
pub(crate) async fn read_pointer(
    svc: &FlowContext,
    infra: &Infrastructure,
    binding: &RouterBinding,
) -> Result<Option<LivePointer>> {
    let keys = RouterKeys::new(&infra.distribution_id)?;
    match svc.backend.kvs.get(&binding.store, &keys.live()).await? {
        Some(value) => LivePointer::parse(&value).map(Some),
        None => Ok(None),
    }
}

/// Writes `pointer` with the skew windows `windows` (each deployment's end
/// in Unix seconds, `None` for "serving, no end") in one update, the
/// pointer last, so the router sees all or none. A rollout's every
/// decision is this one write. `publish` is a deployment the pointer sends
/// visitors to whose origins are published first if they never were (one
/// made before the router).
pub(crate) async fn write_pointer(
    svc: &FlowContext,
    infra: &Infrastructure,
    binding: &RouterBinding,
    pointer: &LivePointer,
    publish: Option<&Deployment>,
    windows: &[(&DeploymentId, Option<i64>)],
) -> Result<()> {
    let keys = RouterKeys::new(&infra.distribution_id)?;
    if let Some(d) = publish {
        let key = keys.deployment(&d.id);
        if svc.backend.kvs.get(&binding.store, &key).await?.is_none() {
            publish_origins(svc, infra, binding, d, false, None, None).await?;
        }
    }
    let mut entries = Vec::with_capacity(windows.len() + 1);
    for (id, end) in windows {
        entries.push(window_end_entry(&keys, id, *end)?);
    }
    entries.push(pointer.entry(&keys)?);
    write(svc, binding, entries).await
}

/// Whether the router's live pointer names `d` as the deployment every
/// visitor outside a rollout's split gets.
pub(crate) async fn router_points_at(
    svc: &FlowContext,
    infra: &Infrastructure,
    binding: &RouterBinding,
    d: &Deployment,
) -> Result<bool> {
    let keys = RouterKeys::new(&infra.distribution_id)?;
    match svc.backend.kvs.get(&binding.store, &keys.live()).await? {
        Some(value) => Ok(LivePointer::parse(&value)?.live() == &d.id),
        None => Ok(false),
    }
}

/// How often a write is retried on an ETag another writer moved: the store
/// is shared by every project of the account, so deploys of other projects
/// move it all the time, and losing to them is not a conflict of ours.
const MIN_ETAG_ATTEMPTS: u32 = 30;

/// Writes `entries` in order, in as few updates as the store takes, each
/// with the store's current ETag (see [`update_store`]). Only the first
/// update may be short, so the last [`MAX_KVS_UPDATE_ITEMS`] entries go in
/// one update.
async fn write(svc: &FlowContext, binding: &RouterBinding, entries: Vec<KvsEntry>) -> Result<()> {
    for batch in batches(&entries) {
        let update = KvsUpdate {
            puts: batch
                .iter()
                .map(|e| (e.key.clone(), e.value.clone()))
                .collect(),
            deletes: Vec::new(),
        };
        update_store(svc, binding, &update).await?;
    }
    Ok(())
}

/// Applies one update to the router's store with the store's current
/// ETag; an ETag another writer moved is read again after a short random
/// pause, so writers racing for the store take turns instead of colliding
/// again.
pub(crate) async fn update_store(
    svc: &FlowContext,
    binding: &RouterBinding,
    update: &KvsUpdate,
) -> Result<()> {
    let mut attempt = 0;
    loop {
        let etag = svc.backend.kvs.describe(&binding.store).await?.etag;
        match svc.backend.kvs.update(&binding.store, update, &etag).await {
            Ok(_) => return Ok(()),
            Err(Error::PreconditionFailed { .. })
                if attempt < svc.settings.etag_retries.max(MIN_ETAG_ATTEMPTS) =>
            {
                attempt += 1;
                let pause = 1 + ulid::Ulid::new().random() as u64 % (5 * u64::from(attempt.min(8)));
                tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// `entries` cut into updates of at most [`MAX_KVS_UPDATE_ITEMS`], in
/// order, with the short one first.
fn batches(entries: &[KvsEntry]) -> impl Iterator<Item = &[KvsEntry]> {
    let head = entries.len() % MAX_KVS_UPDATE_ITEMS;
    let (first, rest) = entries.split_at(head);
    (!first.is_empty())
        .then_some(first)
        .into_iter()
        .chain(rest.chunks(MAX_KVS_UPDATE_ITEMS))
}

fn no_versions(d: &Deployment) -> Error {
    Error::invalid_state(
        ResourceKind::Deployment,
        d.id.as_str(),
        d.status.as_str(),
        "it has no published function versions",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(n: usize) -> Vec<KvsEntry> {
        (0..n)
            .map(|i| KvsEntry {
                key: format!("k{i}"),
                value: String::new(),
            })
            .collect()
    }

    #[test]
    fn the_last_entries_share_one_update_and_order_is_kept() {
        for n in [1, 2, 49, 50, 51, 99, 100, 101] {
            let all = entries(n);
            let cut: Vec<&[KvsEntry]> = batches(&all).collect();
            assert_eq!(cut.len(), n.div_ceil(MAX_KVS_UPDATE_ITEMS), "{n}");
            assert!(cut
                .iter()
                .all(|b| !b.is_empty() && b.len() <= MAX_KVS_UPDATE_ITEMS));
            assert!(
                cut[1..].iter().all(|b| b.len() == MAX_KVS_UPDATE_ITEMS),
                "{n}"
            );
            assert_eq!(cut.concat(), all, "{n}");
        }
    }
}
