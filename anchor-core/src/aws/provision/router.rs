//! Where a provisioned distribution's edge router comes from, and the
//! binding the flows write the router's keys through.

use super::super::{CloudFrontCdn, RouterResources};
use crate::error::Result;
use crate::model::RouterBinding;
use crate::router::RouterOptions;

/// How the AWS backend gives new projects the edge router
/// (`docs/router.md`, `docs/aws.md`).
#[derive(Debug, Clone, Default)]
pub enum AwsRouter {
    /// Find, or create once per account, the router's cache policy,
    /// KeyValueStore and function, then route each new distribution
    /// through them. The default.
    #[default]
    Provision,
    /// Route through resources made elsewhere (such as by infrastructure
    /// as code); Anchor neither creates nor changes them, and checks their
    /// ARNs before any call.
    Existing(RouterResources),
    /// No router: each distribution routes by the build's behaviours to
    /// the functions' `live` aliases, and every switch moves the aliases
    /// and invalidates the cache, as projects made before the router did.
    Disabled,
}

/// The router source the provisioner holds: the CloudFront client of the
/// router's own calls when it provisions them.
#[derive(Debug, Clone)]
pub(crate) enum RouterSource {
    Provision(CloudFrontCdn, RouterOptions),
    Existing(RouterResources),
    Disabled,
}

impl RouterSource {
    /// The resources new distributions route through, found or created
    /// now; `None` without a router.
    pub(crate) async fn resources(&self) -> Result<Option<RouterResources>> {
        match self {
            Self::Provision(cdn, options) => cdn.ensure_router(options).await.map(Some),
            Self::Existing(resources) => {
                resources.check()?;
                Ok(Some(resources.clone()))
            }
            Self::Disabled => Ok(None),
        }
    }
}

/// What the flows need to write a project's router keys: the store, and
/// the host public files are fetched from (the bucket's regional domain).
pub(crate) fn binding(resources: &RouterResources, bucket_domain: &str) -> RouterBinding {
    RouterBinding {
        store: resources.store_arn.clone(),
        bucket_host: bucket_domain.to_string(),
    }
}
