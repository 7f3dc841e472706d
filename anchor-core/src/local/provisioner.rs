//! The local provisioner: creates a project's two functions and its
//! distribution in the local cloud, and adopts them when they exist.

use std::sync::Arc;

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension, TransactionBehavior};

use super::cloud::new_etag;
use super::cloud::Inner;
use super::function_config;
use super::function_records::{ensure_function, validate_alias};
use crate::error::{Error, Result, Service};
use crate::model::{
    router_pair_name, DomainMode, Infrastructure, ProjectName, RouterBinding, RouterCapacity,
};
use crate::router::{preview_suffix_entry, KvsEntry, RouterKeys};
use crate::traits::{ProvisionOptions, Provisioner};

/// The local implementation of [`Provisioner`].
///
/// For project `p` it ensures the functions `p-server` and `p-image`, the
/// distribution `local-p` at `local-p.cdn.anchor.localhost` laid out for the
/// edge router (`DistributionLayout::Router`), and the key-value store of
/// the router pair it is bound to ([`ProvisionOptions::router_pair`], pair
/// 1's [`ROUTER_STORE`] by default; pair `n`'s is `anchor-router-<n>`), and
/// uses `p` as the asset prefix. With a router, it writes the distribution's
/// preview suffix [`LOCAL_PREVIEW_SUFFIX`] to that store. Provisioning again
/// creates nothing and leaves the distribution's configuration and every
/// ETag untouched.
#[derive(Debug, Clone)]
pub struct LocalProvisioner {
    inner: Arc<Inner>,
}

impl LocalProvisioner {
    pub(crate) fn new(inner: Arc<Inner>) -> Self {
        Self { inner }
    }
}

/// The infrastructure names of `project`, derived from its name alone so
/// that provisioning is stable across runs.
fn infrastructure_of(
    project: &ProjectName,
    options: &ProvisionOptions,
    location: &str,
    router: Option<RouterBinding>,
) -> Infrastructure {
    let p = project.as_str();
    let distribution_id = format!("local-{p}");
    Infrastructure {
        server_function: format!("{p}-server"),
        image_function: format!("{p}-image"),
        alias: options.alias.clone(),
        asset_prefix: p.to_string(),
        distribution_domain: format!("{distribution_id}.cdn.anchor.localhost"),
        distribution_id,
        asset_location: Some(location.to_string()),
        router,
        domains: DomainMode::Aliases,
    }
}

/// The key-value store of the embedded default's router pair 1, shared by
/// its projects as CloudFront's is by an account's; pair `n`'s is
/// `anchor-router-<n>` ([`router_pair_name`]).
pub const ROUTER_STORE: &str = "anchor-router";

/// The embedded default's wildcard domain for previews: browsers resolve
/// every `*.localhost` to loopback, so `v<N>.localhost:<port>` is version
/// N's own address. The provisioner writes it as the distribution's preview
/// suffix (`<dist>/w`) in its router store, as attaching a wildcard domain
/// does on AWS; the router reads it from there like any other key.
pub const LOCAL_PREVIEW_SUFFIX: &str = "localhost";

/// The host the local edge knows as the object store's S3 endpoint.
pub const BUCKET_HOST: &str = "assets.s3.anchor.localhost";

#[async_trait]
impl Provisioner for LocalProvisioner {
    async fn provision(
        &self,
        project: &ProjectName,
        options: &ProvisionOptions,
    ) -> Result<Infrastructure> {
        // Checked here so a bad alias fails before anything is created
        // rather than at the first deploy.
        validate_alias(&options.alias)?;
        if options.existing.is_some() {
            return Err(crate::Error::invalid_input(
                "existing",
                "the embedded default provisions its own resources; bring-your-own is for cloud backends",
            ));
        }
        let router = match (&options.router_pair, self.inner.options.without_router) {
            (_, true) => None,
            (Some(pair), false) => Some(pair.clone()),
            (None, false) => Some(router_binding(ROUTER_STORE)),
        };
        let infra = infrastructure_of(project, options, &self.inner.location, router);
        options.functions.validate()?;
        let functions = options.functions.clone();
        let record = infra.clone();
        let suffix = preview_suffix(&infra)?;
        let routes = infra.layout().routes(options.routes.clone());
        let routes = serde_json::to_string(&routes)
            .map_err(|e| crate::Error::invalid_input("routes", format!("cannot be stored: {e}")))?;
        let tenant_only = self
            .inner
            .run(Service::Functions, "Provision", move |inner| {
                let now = inner.now_millis();
                let mut conn = inner.db();
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                ensure_function(&tx, &record.server_function, now)?;
                ensure_function(&tx, &record.image_function, now)?;
                function_config::set_initial(&tx, &record.server_function, &functions.server)?;
                function_config::set_initial(&tx, &record.image_function, &functions.image)?;
                // Pair 1's store exists whatever the layout, as it did
                // before pairs; and the store of the pair bound.
                let stores = [Some(ROUTER_STORE), record.router.as_ref().map(|r| r.store.as_str())];
                for store in stores.into_iter().flatten() {
                    tx.execute(
                        "INSERT OR IGNORE INTO kvs_stores (name, etag) VALUES (?1, ?2)",
                        params![store, new_etag()],
                    )?;
                }
                if let Some((store, entry)) = &suffix {
                    put_once(&tx, store, entry)?;
                }
                let tenant_only = inner.options.domain_mode == DomainMode::Tenants;
                tx.execute(
                    "INSERT OR IGNORE INTO distributions (id, domain_name, aliases, certificate_id, etag, routes, tenant_only)
                     VALUES (?1, ?2, '[]', NULL, ?3, ?4, ?5)",
                    params![
                        record.distribution_id,
                        record.distribution_domain,
                        new_etag(),
                        routes,
                        tenant_only
                    ],
                )?;
                // A distribution made earlier keeps the mode it was made in.
                let tenant_only: bool = tx.query_row(
                    "SELECT tenant_only FROM distributions WHERE id = ?1",
                    [&record.distribution_id],
                    |r| r.get(0),
                )?;
                tx.commit()?;
                Ok(tenant_only)
            })
            .await?;
        let domains = if tenant_only {
            DomainMode::Tenants
        } else {
            DomainMode::Aliases
        };
        Ok(Infrastructure { domains, ..infra })
    }

    fn gives_router(&self) -> bool {
        !self.inner.options.without_router
    }

    async fn find_router_pair(&self, index: u32) -> Result<Option<RouterBinding>> {
        if self.inner.options.without_router {
            return Ok(None);
        }
        let name = router_pair_name(index);
        self.inner
            .run(Service::Cdn, "FindRouterPair", move |inner| {
                let found = inner
                    .db()
                    .query_row(
                        "SELECT name FROM kvs_stores WHERE name = ?1",
                        [&name],
                        |row| row.get::<_, String>(0),
                    )
                    .optional()?;
                Ok(found.map(|store| router_binding(&store)))
            })
            .await
    }

    /// The local cloud has no CloudFront Functions of its own: each pair's
    /// function is counted as one, so both quotas are checked against the
    /// number of stores it holds.
    async fn open_router_pair(
        &self,
        index: u32,
        capacity: &RouterCapacity,
        _full: &str,
    ) -> Result<RouterBinding> {
        if self.inner.options.without_router {
            return Err(Error::invalid_input(
                "router",
                "this local cloud provisions no edge router (LocalOptions::router is false)",
            ));
        }
        let name = router_pair_name(index);
        let capacity = *capacity;
        self.inner
            .run(Service::Cdn, "OpenRouterPair", move |inner| {
                let mut conn = inner.db();
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let exists = tx
                    .query_row("SELECT 1 FROM kvs_stores WHERE name = ?1", [&name], |_| {
                        Ok(())
                    })
                    .optional()?
                    .is_some();
                if !exists {
                    let held: u32 =
                        tx.query_row("SELECT COUNT(*) FROM kvs_stores", [], |row| row.get(0))?;
                    for (field, limit, what) in [
                        (
                            "router_capacity.stores_per_account",
                            capacity.stores_per_account,
                            "key value stores",
                        ),
                        (
                            "router_capacity.functions_per_account",
                            capacity.functions_per_account,
                            "router functions",
                        ),
                    ] {
                        if held >= limit {
                            return Err(Error::invalid_input(
                                field,
                                format!(
                                    "cannot open router pair {name}: the local cloud holds {held} \
                                     {what} and {field} is {limit}; raise {field}"
                                ),
                            )
                            .into());
                        }
                    }
                    tx.execute(
                        "INSERT INTO kvs_stores (name, etag) VALUES (?1, ?2)",
                        params![name, new_etag()],
                    )?;
                }
                tx.commit()?;
                Ok(router_binding(&name))
            })
            .await
    }

    async fn route_through_router(&self, infra: &Infrastructure) -> Result<()> {
        let routes = serde_json::to_string(&infra.layout().routes(Vec::new()))
            .map_err(|e| crate::Error::invalid_input("routes", format!("cannot be stored: {e}")))?;
        let id = infra.distribution_id.clone();
        let suffix = preview_suffix(infra)?;
        self.inner
            .run(Service::Cdn, "RouteThroughRouter", move |inner| {
                let mut conn = inner.db();
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                // A new ETag only when the routes change, as CloudFront's
                // moves only on an update.
                tx.execute(
                    "UPDATE distributions SET routes = ?2, etag = ?3
                     WHERE id = ?1 AND (routes IS NULL OR routes <> ?2)",
                    params![id, routes, new_etag()],
                )?;
                if let Some((store, entry)) = &suffix {
                    put_once(&tx, store, entry)?;
                }
                tx.commit()?;
                Ok(())
            })
            .await
    }
}

/// The preview-suffix entry of `infra`'s distribution and the store it
/// goes in, when it routes through a router.
fn preview_suffix(infra: &Infrastructure) -> Result<Option<(String, KvsEntry)>> {
    let Some(binding) = &infra.router else {
        return Ok(None);
    };
    let keys = RouterKeys::new(&infra.distribution_id)?;
    let entry = preview_suffix_entry(&keys, LOCAL_PREVIEW_SUFFIX)?;
    Ok(Some((binding.store.clone(), entry)))
}

/// Puts `entry` in `store` unless the key is there, moving the store's
/// ETag only when it writes, as an UpdateKeys would.
fn put_once(tx: &rusqlite::Transaction<'_>, store: &str, entry: &KvsEntry) -> rusqlite::Result<()> {
    let added = tx.execute(
        "INSERT OR IGNORE INTO kvs_items (store, key, value) VALUES (?1, ?2, ?3)",
        params![store, entry.key, entry.value],
    )?;
    if added > 0 {
        tx.execute(
            "UPDATE kvs_stores SET etag = ?2 WHERE name = ?1",
            params![store, new_etag()],
        )?;
    }
    Ok(())
}

/// What the embedded default's projects bound to `store` route through.
fn router_binding(store: &str) -> RouterBinding {
    RouterBinding {
        store: store.to_string(),
        bucket_host: BUCKET_HOST.to_string(),
    }
}
