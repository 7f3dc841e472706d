//! What a project's distribution is made of ([`DistributionSpec`]) and the
//! managed policies it names: shared by the code that builds its full
//! configuration (`behaviors`) and the code that creates or adopts it
//! (`distribution`), so neither has to import the other.

use super::{OriginAccessControls, RouterResources};
use crate::error::{Error, Result};
use crate::model::{CdnRoute, DistributionLayout, DomainMode, DEFAULT_ROUTE_PATTERN};
use crate::traits::url_host;

/// AWS's managed cache policy `Managed-CachingOptimized` (honours the
/// origin's Cache-Control, compresses; for asset routes).
pub const CACHING_OPTIMIZED_POLICY: &str = "658327ea-f89d-4fab-a63d-7e88639e58f6";
/// AWS's managed cache policy `Managed-CachingDisabled` (for function routes).
pub const CACHING_DISABLED_POLICY: &str = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
/// AWS's managed origin request policy `Managed-AllViewerExceptHostHeader`:
/// a Function URL must see its own host, not the viewer's.
pub const ALL_VIEWER_EXCEPT_HOST_HEADER_POLICY: &str = "b689b0a8-53d0-40ab-baf2-68738e2966ac";

/// What a project's distribution is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistributionSpec {
    /// The project name; the distribution's comment is `anchor:<project>`.
    pub project: String,
    /// The asset bucket's regional domain, such as
    /// `assets.s3.eu-west-1.amazonaws.com`.
    pub bucket_domain: String,
    /// The key prefix the assets are served from: empty, or `/` followed by
    /// a path without a trailing `/`.
    pub asset_origin_path: String,
    /// The server function's URL, such as `https://abc.lambda-url.eu-west-1.on.aws/`.
    pub server_url: String,
    /// The image function's URL.
    pub image_url: String,
    /// The behaviours in precedence order; the last, and only the last, is `*`.
    pub routes: Vec<CdnRoute>,
    /// The origin access controls from
    /// [`CloudFrontCdn::ensure_origin_access_controls`].
    pub oac: OriginAccessControls,
    /// The edge router, if the distribution routes through it
    /// ([`DistributionLayout::Router`]): its function runs on the server
    /// and image behaviours, which share its cache policy, and the server
    /// origin is not signed. `None` builds the behaviours layout.
    pub router: Option<RouterResources>,
    /// How custom domains reach it: [`DomainMode::Tenants`] makes it a
    /// multi-tenant distribution (`ConnectionMode` `tenant-only`), which
    /// takes no aliases, price class or IPv6 setting of its own (its
    /// tenants' connection group carries those); the default,
    /// [`DomainMode::Aliases`], a standard one.
    pub domains: DomainMode,
}

impl DistributionSpec {
    /// The comment that marks the project's distribution.
    pub fn comment(&self) -> String {
        format!("anchor:{}", self.project)
    }

    /// How the distribution routes requests.
    pub fn layout(&self) -> DistributionLayout {
        match self.router {
            Some(_) => DistributionLayout::Router,
            None => DistributionLayout::Behaviours,
        }
    }

    /// The caller reference of its creation, so a retried create cannot
    /// make a second distribution.
    pub fn caller_reference(&self) -> String {
        format!("anchor-{}", self.project)
    }

    /// The hosts of the server and image URLs, once the spec is checked.
    pub(super) fn check(&self) -> Result<(&str, &str)> {
        if self.project.is_empty() || self.comment().len() > 128 {
            return Err(Error::invalid_input(
                "project",
                "must be 1 to 121 characters",
            ));
        }
        let path = &self.asset_origin_path;
        if !path.is_empty() && (!path.starts_with('/') || path.ends_with('/')) {
            return Err(Error::invalid_input(
                "asset_origin_path",
                format!("{path:?} must be empty or start, and not end, with '/'"),
            ));
        }
        if self.bucket_domain.is_empty() {
            return Err(Error::invalid_input("bucket_domain", "must not be empty"));
        }
        if let Some(router) = &self.router {
            router.check()?;
        }
        let server = https_host("server_url", &self.server_url)?;
        let image = https_host("image_url", &self.image_url)?;
        match self.routes.split_last() {
            Some((last, rest))
                if last.pattern == DEFAULT_ROUTE_PATTERN
                    && rest.iter().all(|r| r.pattern != DEFAULT_ROUTE_PATTERN) =>
            {
                Ok((server, image))
            }
            _ => Err(Error::invalid_input(
                "routes",
                format!("the last route, and only the last, must be {DEFAULT_ROUTE_PATTERN:?}"),
            )),
        }
    }
}

/// The host of an `https://` URL, or `InvalidInput` on `field`.
fn https_host<'a>(field: &str, url: &'a str) -> Result<&'a str> {
    url_host(url)
        .ok_or_else(|| Error::invalid_input(field, format!("{url:?} is not an https:// URL")))
}
