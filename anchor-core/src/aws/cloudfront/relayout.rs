//! Upgrading, in place, a distribution laid out by behaviours (as projects
//! made before the edge router have) to route through the router.

use aws_sdk_cloudfront::types::{ConnectionMode, EventType};

use super::behaviors::{distribution_config, ASSETS_ORIGIN, IMAGE_ORIGIN, SERVER_ORIGIN};
use super::{CloudFrontCdn, DistributionSpec, RouterResources};
use crate::aws::errors::service_error;
use crate::error::{Error, ResourceKind, Result, Service};
use crate::model::{DistributionLayout, DomainMode};

impl CloudFrontCdn {
    /// Lays the distribution `distribution_id` of `project` out for the
    /// router: the router's three behaviours with its function and shared
    /// cache policy, and the server origin unsigned. Its domains,
    /// certificate, comment and every other setting stay as they are; its
    /// origins keep their hosts and asset path. One `UpdateDistribution`
    /// under the ETag just read, so a concurrent change makes it fail
    /// (`PreconditionFailed`) rather than be lost.
    ///
    /// Idempotent: a distribution whose default behaviour already uses the
    /// router's cache policy (no other distribution uses that policy) and,
    /// when `router` has one, its viewer-response function is left as it
    /// is. One routed before that function existed is laid out again to
    /// gain it. A distribution without Anchor's three origins is not
    /// Anchor's to change: `Error::InvalidState`.
    pub async fn route_through_router(
        &self,
        distribution_id: &str,
        project: &str,
        router: &RouterResources,
    ) -> Result<()> {
        router.check()?;
        let (mut config, etag) = self.full_config(distribution_id).await?;
        let default = config.default_cache_behavior();
        let routed =
            default.and_then(|b| b.cache_policy_id()) == Some(router.cache_policy_id.as_str());
        // A distribution routed before the viewer-response function existed
        // is laid out again to gain it.
        let responds = match &router.response_function_arn {
            None => true,
            Some(arn) => default
                .and_then(|b| b.function_associations())
                .is_some_and(|a| {
                    a.items().iter().any(|f| {
                        f.function_arn() == arn && f.event_type() == &EventType::ViewerResponse
                    })
                }),
        };
        if routed && responds {
            return Ok(());
        }
        let origin = |id: &str| {
            config
                .origins()
                .map(|o| o.items())
                .unwrap_or_default()
                .iter()
                .find(|o| o.id() == id)
                .map(|o| {
                    (
                        o.domain_name().to_string(),
                        o.origin_path().unwrap_or("").to_string(),
                    )
                })
                .ok_or_else(|| {
                    Error::invalid_state(
                        ResourceKind::Distribution,
                        distribution_id,
                        "not laid out by Anchor",
                        format!(
                            "it has no origin {id:?}; Anchor changes only distributions it made"
                        ),
                    )
                })
        };
        let (bucket_domain, asset_origin_path) = origin(ASSETS_ORIGIN)?;
        let (server_host, _) = origin(SERVER_ORIGIN)?;
        let (image_host, _) = origin(IMAGE_ORIGIN)?;
        let spec = DistributionSpec {
            project: project.to_string(),
            bucket_domain,
            asset_origin_path,
            server_url: format!("https://{server_host}/"),
            image_url: format!("https://{image_host}/"),
            routes: DistributionLayout::Router.routes(Vec::new()),
            oac: self
                .ensure_origin_access_controls(&format!("anchor-{project}"))
                .await?,
            router: Some(router.clone()),
            // Only the origins and behaviours are taken from the fresh
            // configuration; the connection mode stays as it is.
            domains: if config.connection_mode() == Some(&ConnectionMode::TenantOnly) {
                DomainMode::Tenants
            } else {
                DomainMode::Aliases
            },
        };
        let (server, image) = spec.check()?;
        let fresh = distribution_config(
            &spec,
            &config.comment,
            &config.caller_reference,
            server,
            image,
        )?;
        config.origins = fresh.origins;
        config.default_cache_behavior = fresh.default_cache_behavior;
        config.cache_behaviors = fresh.cache_behaviors;
        self.client
            .update_distribution()
            .id(distribution_id)
            .if_match(&etag)
            .distribution_config(config)
            .send()
            .await
            .map_err(|err| match err.as_service_error() {
                Some(e) if e.is_precondition_failed() || e.is_invalid_if_match_version() => {
                    Error::precondition(
                        ResourceKind::Distribution,
                        distribution_id,
                        format!(
                            "it changed while it was laid out for the router (If-Match {etag:?})"
                        ),
                    )
                }
                _ => service_error(Service::Cdn, "UpdateDistribution", distribution_id, err),
            })?;
        Ok(())
    }
}
