//! [`AwsProvisioner`]: creates or adopts a project's AWS resources.

mod bucket;
mod router;

use async_trait::async_trait;

pub(crate) use bucket::ensure_bucket;
pub use router::AwsRouter;
pub(crate) use router::RouterSource;

use super::{
    location_of, CloudFrontCdn, DistributionSpec, FunctionSpec, LambdaFunctions,
    TENANT_CONNECTION_GROUP_NAME,
};
use crate::error::{Error, Result};
use crate::model::{
    DistributionLayout, DomainMode, FunctionSettings, Infrastructure, ProjectName, RouterBinding,
    RouterCapacity,
};
use crate::traits::{Cdn, ProvisionOptions, Provisioner};

/// Where a project's resources go.
#[derive(Debug, Clone)]
pub struct ProvisionTarget {
    /// The asset bucket; each project uses the prefix of its own name.
    pub bucket: String,
    /// The region of the bucket and the functions.
    pub region: String,
    /// The execution role new functions get. Needed only to create them.
    pub execution_role_arn: Option<String>,
}

/// Creates or adopts, for project `p`:
/// - the asset bucket (shared; `p/` is the project's prefix) and a bucket
///   policy statement letting only p's distribution read `p/*`;
/// - the functions `p-server` and `p-image` with
///   [`ProvisionOptions::functions`] (SST's 1024 MB / 20 s and 1536 MB /
///   25 s by default, arm64 unless set), each with its alias and a
///   Function URL on the alias. An existing function is left as it is; a
///   deploy reconciles its configuration;
/// - Origin Access Controls for S3 and Lambda;
/// - the CloudFront distribution with the routes in precedence order, and
///   the permission for it to invoke both Function URLs. In tenant mode
///   ([`AwsProvisioner::with_domain_mode`]) it is a multi-tenant
///   distribution, and the account's connection group for Anchor's
///   tenants is found or created: its routing endpoint, not the
///   distribution's (a multi-tenant distribution has none), is recorded
///   as `distribution_domain`, the target of the domains' routing records.
///
/// Every step finds what exists first, so provisioning twice creates and
/// changes nothing. With [`ProvisionOptions::existing`] it adopts resources
/// made elsewhere (bring-your-own): it checks that the functions and the
/// distribution exist, creates only a missing alias and its URL, and never
/// changes the distribution.
#[derive(Debug, Clone)]
pub struct AwsProvisioner {
    s3: aws_sdk_s3::Client,
    functions: LambdaFunctions,
    cdn: CloudFrontCdn,
    target: ProvisionTarget,
    router: RouterSource,
    domains: DomainMode,
}

impl AwsProvisioner {
    /// A provisioner over these clients.
    pub fn new(
        s3: aws_sdk_s3::Client,
        functions: LambdaFunctions,
        cdn: CloudFrontCdn,
        target: ProvisionTarget,
    ) -> Self {
        Self {
            s3,
            functions,
            cdn,
            target,
            router: RouterSource::Disabled,
            domains: DomainMode::Aliases,
        }
    }

    /// How new projects' custom domains reach their distribution:
    /// [`DomainMode::Aliases`] (the default) provisions a standard
    /// distribution, [`DomainMode::Tenants`] a multi-tenant one, each
    /// domain then one distribution tenant (`docs/domains-at-scale.md`).
    pub fn with_domain_mode(mut self, domains: DomainMode) -> Self {
        self.domains = domains;
        self
    }

    /// Where a tenant-mode project's domains point: the routing endpoint
    /// of the connection group Anchor's tenants join, found or created.
    async fn tenant_routing_endpoint(&self) -> Result<String> {
        Ok(self
            .cdn
            .ensure_connection_group(TENANT_CONNECTION_GROUP_NAME)
            .await?
            .routing_endpoint)
    }

    /// Routes new distributions through the edge router from `router`.
    /// Without this call, or with [`AwsRouter::Disabled`], they route by
    /// behaviours. `router_cdn` is the CloudFront client of the router's
    /// own calls (its cache policy, store and function), which may differ
    /// from the distribution's for emulators that lack those APIs.
    pub fn with_router(mut self, router: AwsRouter, router_cdn: CloudFrontCdn) -> Self {
        self.router = match router {
            AwsRouter::Provision => {
                RouterSource::Provision(router_cdn, crate::router::RouterOptions::default())
            }
            AwsRouter::Existing(resources) => RouterSource::Existing(resources),
            AwsRouter::Disabled => RouterSource::Disabled,
        };
        self
    }

    async fn adopt(&self, existing: &Infrastructure, alias: &str) -> Result<Infrastructure> {
        for function in [&existing.server_function, &existing.image_function] {
            // Not `get_version(.., "$LATEST")`: it answers `None` for every
            // unpublished version, so it cannot tell an existing function.
            self.functions.require_function(function).await?;
            self.functions.adopt_alias_url(function, alias).await?;
        }
        let config = self.cdn.get_config(&existing.distribution_id).await?;
        // A multi-tenant distribution has no endpoint of its own: its
        // domains point at the connection group Anchor's tenants join.
        let (domains, distribution_domain) = if config.value.tenant_only {
            (DomainMode::Tenants, self.tenant_routing_endpoint().await?)
        } else {
            (DomainMode::Aliases, config.value.domain_name)
        };
        Ok(Infrastructure {
            alias: alias.to_string(),
            distribution_domain,
            asset_location: Some(location_of(&self.target.bucket)),
            router: None,
            domains,
            ..existing.clone()
        })
    }

    /// The asset bucket's regional domain, as origins and the router name it.
    fn bucket_domain(&self) -> String {
        format!(
            "{}.s3.{}.amazonaws.com",
            self.target.bucket, self.target.region
        )
    }

    fn function_spec(&self, name: String, settings: &FunctionSettings) -> Result<FunctionSpec> {
        let role_arn = self.target.execution_role_arn.clone().ok_or_else(|| {
            Error::invalid_input(
                "execution_role_arn",
                "is required to create functions; pass the role's ARN or bring your own functions",
            )
        })?;
        Ok(FunctionSpec::with_settings(name, role_arn, settings))
    }
}

#[async_trait]
impl Provisioner for AwsProvisioner {
    async fn provision(
        &self,
        project: &ProjectName,
        options: &ProvisionOptions,
    ) -> Result<Infrastructure> {
        // Before anything is created: a bad alias would otherwise fail at
        // Lambda after the bucket and the functions exist.
        options.validate()?;
        if let Some(existing) = &options.existing {
            return self.adopt(existing, &options.alias).await;
        }
        let p = project.as_str();
        let (server, image) = (format!("{p}-server"), format!("{p}-image"));
        let server_spec = self.function_spec(server.clone(), &options.functions.server)?;
        let image_spec = self.function_spec(image.clone(), &options.functions.image)?;
        let target = &self.target;
        ensure_bucket(&self.s3, &target.bucket, &target.region).await?;
        self.functions.ensure_function(&server_spec).await?;
        self.functions.ensure_function(&image_spec).await?;
        let server_url = self
            .functions
            .ensure_alias_url(&server, &options.alias)
            .await?;
        let image_url = self
            .functions
            .ensure_alias_url(&image, &options.alias)
            .await?;
        let oac = self
            .cdn
            .ensure_origin_access_controls(&format!("anchor-{p}"))
            .await?;
        let router = self
            .router
            .resources_for(options.router_pair.as_ref())
            .await?;
        let layout = match router {
            Some(_) => DistributionLayout::Router,
            None => DistributionLayout::Behaviours,
        };
        let bucket_domain = self.bucket_domain();
        let spec = DistributionSpec {
            project: p.to_string(),
            bucket_domain: bucket_domain.clone(),
            asset_origin_path: format!("/{p}"),
            server_url,
            image_url,
            routes: layout.routes(options.routes.clone()),
            oac,
            router: router.clone(),
            domains: self.domains,
        };
        let (distribution_id, own_domain, distribution_arn) =
            self.cdn.ensure_distribution(&spec).await?;
        let distribution_domain = match self.domains {
            DomainMode::Tenants => self.tenant_routing_endpoint().await?,
            DomainMode::Aliases => own_domain,
        };
        for function in [&server, &image] {
            self.functions
                .allow_cloudfront(function, &options.alias, &distribution_arn)
                .await?;
        }
        bucket::allow_distribution(&self.s3, &target.bucket, p, &distribution_arn).await?;
        Ok(Infrastructure {
            server_function: server,
            image_function: image,
            alias: options.alias.clone(),
            asset_prefix: p.to_string(),
            distribution_id,
            distribution_domain,
            asset_location: Some(location_of(&target.bucket)),
            router: router.map(|r| router::binding(&r.store_arn, &bucket_domain)),
            domains: self.domains,
        })
    }

    fn gives_router(&self) -> bool {
        self.router.gives_router()
    }

    async fn find_router_pair(&self, index: u32) -> Result<Option<RouterBinding>> {
        let bucket_domain = self.bucket_domain();
        Ok(self
            .router
            .find_pair(index)
            .await?
            .map(|store| router::binding(&store, &bucket_domain)))
    }

    async fn open_router_pair(
        &self,
        index: u32,
        capacity: &RouterCapacity,
        full: &str,
    ) -> Result<RouterBinding> {
        let resources = self.router.open_pair(index, capacity, full).await?;
        Ok(router::binding(&resources.store_arn, &self.bucket_domain()))
    }

    async fn route_through_router(&self, infra: &Infrastructure) -> Result<()> {
        let Some(resources) = self.router.resources_for(infra.router.as_ref()).await? else {
            return Ok(());
        };
        self.cdn
            .route_through_router(&infra.distribution_id, &infra.asset_prefix, &resources)
            .await
    }
}
