//! The edge router's records in the project's key-value store
//! (`docs/router.md`): each deployment's routing entry, written once when
//! it is built (its origins are immutable), and the live pointer, written
//! once per switch. Nothing here names a backend.

use crate::error::{Error, ResourceKind, Result};
use crate::flows::{manifest, Services};
use crate::model::{Deployment, Infrastructure, RouterBinding};
use crate::router::{live_entry, DeploymentRoute, KvsEntry, PublicIndex, RouterKeys};
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
/// versions, a Function URL on each, and its routing entry. The server's
/// URL takes unsigned requests (bodies must reach it); the image's only
/// requests CloudFront signs. Idempotent, so a retried deploy or a switch
/// to a deployment made before the router can call it again.
pub(crate) async fn publish_origins(
    svc: &Services,
    infra: &Infrastructure,
    binding: &RouterBinding,
    d: &Deployment,
    server_streams: bool,
) -> Result<()> {
    let (Some(server), Some(image)) = (&d.server_version, &d.image_version) else {
        return Err(no_versions(d));
    };
    let alias = deployment_alias(d);
    let mut hosts = Vec::with_capacity(2);
    for (function, version, auth, streaming) in [
        (
            &infra.server_function,
            &server.version,
            FunctionUrlAuth::None,
            server_streams,
        ),
        (
            &infra.image_function,
            &image.version,
            FunctionUrlAuth::AwsIam,
            false,
        ),
    ] {
        let current = svc.functions.get_alias(function, &alias).await?;
        if current.is_none_or(|a| a.routing != AliasRouting::single(version.clone())) {
            let routing = AliasRouting::single(version.clone());
            svc.functions
                .set_alias(function, &alias, &routing, &SetAliasOptions::default())
                .await?;
        }
        let options = FunctionUrlOptions {
            cdn_distribution_id: (auth == FunctionUrlAuth::AwsIam)
                .then(|| infra.distribution_id.clone()),
            auth,
            streaming,
        };
        let url = svc.functions.ensure_url(function, &alias, &options).await?;
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
        image_host: hosts[1].clone(),
        bucket_host: binding.bucket_host.clone(),
        origin_path: format!("/{}", d.assets_path.trim_matches('/')),
        // The image function reads under the project's prefix.
        image_source_path: format!("/{}", manifest::deployment_folder(&d.id)),
        public_index: PublicIndex::from_public_paths(public_paths)?,
        // The deployment's server was published with the guard exactly when
        // the project has a secret (see deploy), so the two stay paired.
        origin_secret: infra.server_origin_secret().cloned(),
    };
    let keys = RouterKeys::new(&infra.distribution_id)?;
    write(svc, binding, route.entries(&keys)?).await
}

/// Makes the router serve `d`: one write of the live pointer. A deployment
/// made before the project had a router gets its entry first.
pub(crate) async fn point_router(
    svc: &Services,
    infra: &Infrastructure,
    binding: &RouterBinding,
    d: &Deployment,
) -> Result<()> {
    let keys = RouterKeys::new(&infra.distribution_id)?;
    if svc
        .kvs
        .get(&binding.store, &keys.deployment(&d.id))
        .await?
        .is_none()
    {
        publish_origins(svc, infra, binding, d, false).await?;
    }
    write(svc, binding, vec![live_entry(&keys, &d.id)?]).await
}

/// Whether the router's live pointer names `d`.
pub(crate) async fn router_points_at(
    svc: &Services,
    infra: &Infrastructure,
    binding: &RouterBinding,
    d: &Deployment,
) -> Result<bool> {
    let keys = RouterKeys::new(&infra.distribution_id)?;
    let live = svc.kvs.get(&binding.store, &keys.live()).await?;
    Ok(live.as_deref() == Some(d.id.as_str()))
}

/// How often a write is retried on an ETag another writer moved: the store
/// is shared by every project of the account, so deploys of other projects
/// move it all the time, and losing to them is not a conflict of ours.
const MIN_ETAG_ATTEMPTS: u32 = 30;

/// Writes `entries` in order, in as few updates as the store takes, each
/// with the store's current ETag; an ETag another writer moved is read
/// again after a short random pause, so writers racing for the store take
/// turns instead of colliding again.
async fn write(svc: &Services, binding: &RouterBinding, entries: Vec<KvsEntry>) -> Result<()> {
    for batch in entries.chunks(MAX_KVS_UPDATE_ITEMS) {
        let update = KvsUpdate {
            puts: batch
                .iter()
                .map(|e| (e.key.clone(), e.value.clone()))
                .collect(),
            deletes: Vec::new(),
        };
        let mut attempt = 0;
        loop {
            let etag = svc.kvs.describe(&binding.store).await?.etag;
            match svc.kvs.update(&binding.store, &update, &etag).await {
                Ok(_) => break,
                Err(Error::PreconditionFailed { .. })
                    if attempt < svc.settings.etag_retries.max(MIN_ETAG_ATTEMPTS) =>
                {
                    attempt += 1;
                    let pause =
                        1 + ulid::Ulid::new().random() as u64 % (5 * u64::from(attempt.min(8)));
                    tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
                }
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}

fn no_versions(d: &Deployment) -> Error {
    Error::invalid_state(
        ResourceKind::Deployment,
        d.id.as_str(),
        d.status.as_str(),
        "it has no published function versions",
    )
}
