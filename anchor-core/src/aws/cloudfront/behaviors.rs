//! The full CloudFront configuration of a new distribution: its three
//! origins and one behaviour per route, in the routes' order.

use aws_sdk_cloudfront::types::{
    AllowedMethods, CacheBehavior, CacheBehaviors, CachedMethods, CustomOriginConfig,
    DefaultCacheBehavior, DistributionConfig, HttpVersion, Method, Origin, OriginProtocolPolicy,
    OriginSslProtocols, Origins, PriceClass, S3OriginConfig, SslProtocol, ViewerProtocolPolicy,
};

use super::build_error;
use super::distribution::{
    DistributionSpec, ALL_VIEWER_EXCEPT_HOST_HEADER_POLICY, CACHING_DISABLED_POLICY,
    CACHING_OPTIMIZED_POLICY,
};
use crate::error::Result;
use crate::model::{CachePolicy, DistributionLayout, OriginKind, OriginRequestPolicy, RouteTarget};

const OP: &str = "CreateDistribution";
/// Origin ids inside the distribution.
pub(super) const ASSETS_ORIGIN: &str = "assets";
pub(super) const SERVER_ORIGIN: &str = "server";
pub(super) const IMAGE_ORIGIN: &str = "image";

/// What a behaviour of `target` sends where, and how it caches: the
/// model's description of the behaviour, in CloudFront's ids.
struct Behaviour {
    origin: &'static str,
    cache_policy: &'static str,
    origin_request_policy: Option<&'static str>,
    compress: bool,
    methods: AllowedMethods,
}

fn methods(all: bool) -> Result<AllowedMethods> {
    let items = if all {
        vec![
            Method::Get,
            Method::Head,
            Method::Options,
            Method::Put,
            Method::Patch,
            Method::Post,
            Method::Delete,
        ]
    } else {
        vec![Method::Get, Method::Head]
    };
    let cached = CachedMethods::builder()
        .quantity(2)
        .items(Method::Get)
        .items(Method::Head)
        .build()
        .map_err(build_error(OP))?;
    AllowedMethods::builder()
        .quantity(items.len() as i32)
        .set_items(Some(items))
        .cached_methods(cached)
        .build()
        .map_err(build_error(OP))
}

fn behaviour(target: RouteTarget) -> Result<Behaviour> {
    // The AWS backend provisions distributions that route by behaviours;
    // the router's layout is built on the embedded default first.
    let spec = DistributionLayout::Behaviours.behaviour(target);
    Ok(Behaviour {
        origin: match spec.origin {
            OriginKind::Assets => ASSETS_ORIGIN,
            OriginKind::Server => SERVER_ORIGIN,
            OriginKind::Image => IMAGE_ORIGIN,
        },
        cache_policy: match spec.cache_policy {
            CachePolicy::CachingDisabled => CACHING_DISABLED_POLICY,
            CachePolicy::CachingOptimized => CACHING_OPTIMIZED_POLICY,
            CachePolicy::RouterShared => {
                return Err(crate::Error::invalid_input(
                    "routes",
                    "the router's shared cache policy is not provisioned by the AWS backend yet",
                ))
            }
        },
        origin_request_policy: spec.origin_request_policy.map(|policy| match policy {
            OriginRequestPolicy::AllViewerExceptHostHeader => ALL_VIEWER_EXCEPT_HOST_HEADER_POLICY,
        }),
        compress: spec.compress,
        methods: methods(spec.all_methods)?,
    })
}

fn function_origin(id: &str, host: &str, oac: &str) -> Result<Origin> {
    let tls = OriginSslProtocols::builder()
        .quantity(1)
        .items(SslProtocol::TlSv12)
        .build()
        .map_err(build_error(OP))?;
    let custom = CustomOriginConfig::builder()
        .http_port(80)
        .https_port(443)
        .origin_protocol_policy(OriginProtocolPolicy::HttpsOnly)
        .origin_ssl_protocols(tls)
        .build()
        .map_err(build_error(OP))?;
    Origin::builder()
        .id(id)
        .domain_name(host)
        .origin_path("")
        .custom_origin_config(custom)
        .origin_access_control_id(oac)
        .build()
        .map_err(build_error(OP))
}

fn origins(spec: &DistributionSpec, server_host: &str, image_host: &str) -> Result<Origins> {
    let assets = Origin::builder()
        .id(ASSETS_ORIGIN)
        .domain_name(&spec.bucket_domain)
        .origin_path(&spec.asset_origin_path)
        // With an OAC the legacy origin access identity stays empty.
        .s3_origin_config(S3OriginConfig::builder().origin_access_identity("").build())
        .origin_access_control_id(&spec.oac.s3)
        .build()
        .map_err(build_error(OP))?;
    let items = vec![
        assets,
        function_origin(SERVER_ORIGIN, server_host, &spec.oac.lambda)?,
        function_origin(IMAGE_ORIGIN, image_host, &spec.oac.lambda)?,
    ];
    Origins::builder()
        .quantity(items.len() as i32)
        .set_items(Some(items))
        .build()
        .map_err(build_error(OP))
}

/// The configuration `CreateDistribution` gets for `spec`, whose routes are
/// already checked (the last, and only the last, is `*`).
pub(super) fn distribution_config(
    spec: &DistributionSpec,
    comment: &str,
    caller_reference: &str,
    server_host: &str,
    image_host: &str,
) -> Result<DistributionConfig> {
    let (default_route, ordered) = match spec.routes.split_last() {
        Some(split) => split,
        None => return Err(crate::Error::invalid_input("routes", "no routes")),
    };
    let mut behaviours = Vec::with_capacity(ordered.len());
    for route in ordered {
        let b = behaviour(route.target)?;
        behaviours.push(
            CacheBehavior::builder()
                .path_pattern(&route.pattern)
                .target_origin_id(b.origin)
                .viewer_protocol_policy(ViewerProtocolPolicy::RedirectToHttps)
                .compress(b.compress)
                .cache_policy_id(b.cache_policy)
                .set_origin_request_policy_id(b.origin_request_policy.map(str::to_string))
                .allowed_methods(b.methods)
                .build()
                .map_err(build_error(OP))?,
        );
    }
    let d = behaviour(default_route.target)?;
    let default = DefaultCacheBehavior::builder()
        .target_origin_id(d.origin)
        .viewer_protocol_policy(ViewerProtocolPolicy::RedirectToHttps)
        .compress(d.compress)
        .cache_policy_id(d.cache_policy)
        .set_origin_request_policy_id(d.origin_request_policy.map(str::to_string))
        .allowed_methods(d.methods)
        .build()
        .map_err(build_error(OP))?;
    DistributionConfig::builder()
        .caller_reference(caller_reference)
        .comment(comment)
        .enabled(true)
        .origins(origins(spec, server_host, image_host)?)
        .default_cache_behavior(default)
        .cache_behaviors(
            CacheBehaviors::builder()
                .quantity(behaviours.len() as i32)
                .set_items((!behaviours.is_empty()).then_some(behaviours))
                .build()
                .map_err(build_error(OP))?,
        )
        .http_version(HttpVersion::Http2and3)
        .price_class(PriceClass::PriceClassAll)
        .is_ipv6_enabled(true)
        .default_root_object("")
        .build()
        .map_err(build_error(OP))
}
