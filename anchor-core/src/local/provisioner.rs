//! The local provisioner: creates a project's two functions and its
//! distribution in the local cloud, and adopts them when they exist.

use std::sync::Arc;

use async_trait::async_trait;
use rusqlite::{params, TransactionBehavior};

use super::cdn::new_etag;
use super::cloud::Inner;
use super::function_config;
use super::function_records::{ensure_function, validate_alias};
use crate::error::{Result, Service};
use crate::model::{Infrastructure, ProjectName, RouterBinding};
use crate::traits::{ProvisionOptions, Provisioner};

/// The local implementation of [`Provisioner`].
///
/// For project `p` it ensures the functions `p-server` and `p-image`, the
/// distribution `local-p` at `local-p.cdn.anchor.localhost` laid out for the
/// edge router (`DistributionLayout::Router`), and the router's key-value
/// store [`ROUTER_STORE`], and uses `p` as the asset prefix. Provisioning again creates nothing and leaves the
/// distribution's configuration and ETag untouched.
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
    without_router: bool,
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
        router: (!without_router).then(router_binding),
    }
}

/// The one key-value store the embedded default's router reads, shared by
/// its projects as CloudFront's is by an account's.
pub const ROUTER_STORE: &str = "anchor-router";

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
        let infra = infrastructure_of(
            project,
            options,
            &self.inner.location,
            self.inner.options.without_router,
        );
        options.functions.validate()?;
        let functions = options.functions.clone();
        let record = infra.clone();
        let routes = infra.layout().routes(options.routes.clone());
        let routes = serde_json::to_string(&routes)
            .map_err(|e| crate::Error::invalid_input("routes", format!("cannot be stored: {e}")))?;
        self.inner
            .run(Service::Functions, "Provision", move |inner| {
                let now = inner.now_millis();
                let mut conn = inner.db();
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                ensure_function(&tx, &record.server_function, now)?;
                ensure_function(&tx, &record.image_function, now)?;
                function_config::set_initial(&tx, &record.server_function, &functions.server)?;
                function_config::set_initial(&tx, &record.image_function, &functions.image)?;
                tx.execute(
                    "INSERT OR IGNORE INTO kvs_stores (name, etag) VALUES (?1, ?2)",
                    params![ROUTER_STORE, new_etag()],
                )?;
                tx.execute(
                    "INSERT OR IGNORE INTO distributions (id, domain_name, aliases, certificate_id, etag, routes)
                     VALUES (?1, ?2, '[]', NULL, ?3, ?4)",
                    params![
                        record.distribution_id,
                        record.distribution_domain,
                        new_etag(),
                        routes
                    ],
                )?;
                tx.commit()?;
                Ok(())
            })
            .await?;
        Ok(infra)
    }

    async fn router_binding(&self, _project: &ProjectName) -> Result<Option<RouterBinding>> {
        if self.inner.options.without_router {
            return Ok(None);
        }
        self.inner
            .run(Service::Functions, "EnsureRouterStore", |inner| {
                inner.db().execute(
                    "INSERT OR IGNORE INTO kvs_stores (name, etag) VALUES (?1, ?2)",
                    params![ROUTER_STORE, new_etag()],
                )?;
                Ok(())
            })
            .await?;
        Ok(Some(router_binding()))
    }

    async fn route_through_router(&self, infra: &Infrastructure) -> Result<()> {
        let routes = serde_json::to_string(&infra.layout().routes(Vec::new()))
            .map_err(|e| crate::Error::invalid_input("routes", format!("cannot be stored: {e}")))?;
        let id = infra.distribution_id.clone();
        self.inner
            .run(Service::Cdn, "RouteThroughRouter", move |inner| {
                // A new ETag only when the routes change, as CloudFront's
                // moves only on an update.
                inner.db().execute(
                    "UPDATE distributions SET routes = ?2, etag = ?3
                     WHERE id = ?1 AND (routes IS NULL OR routes <> ?2)",
                    params![id, routes, new_etag()],
                )?;
                Ok(())
            })
            .await
    }
}

/// What the embedded default's projects route through.
fn router_binding() -> RouterBinding {
    RouterBinding {
        store: ROUTER_STORE.to_string(),
        bucket_host: BUCKET_HOST.to_string(),
    }
}
