//! The full CloudFront configuration of a new distribution: its three
//! origins and one behaviour per route, in the routes' order, as the
//! model's layout describes them (`model/behaviour.rs`): with the router,
//! its function on the function behaviours, their shared cache policy, and
//! an unsigned server origin.

use aws_sdk_cloudfront::types::{
    AllowedMethods, CacheBehavior, CacheBehaviors, CachedMethods, ConnectionMode,
    CustomOriginConfig, DefaultCacheBehavior, DistributionConfig, EventType, FunctionAssociation,
    FunctionAssociations, HttpVersion, Method, Origin, OriginProtocolPolicy, OriginSslProtocols,
    Origins, PriceClass, S3OriginConfig, SslProtocol, ViewerProtocolPolicy,
};

use super::build_error;
use super::spec::{
    DistributionSpec, ALL_VIEWER_EXCEPT_HOST_HEADER_POLICY, CACHING_DISABLED_POLICY,
    CACHING_OPTIMIZED_POLICY,
};
use crate::error::Result;
use crate::model::{CachePolicy, DomainMode, OriginKind, OriginRequestPolicy, RouteTarget};

const OP: &str = "CreateDistribution";
/// Origin ids inside the distribution.
pub(super) const ASSETS_ORIGIN: &str = "assets";
pub(super) const SERVER_ORIGIN: &str = "server";
pub(super) const IMAGE_ORIGIN: &str = "image";

/// What a behaviour of `target` sends where, and how it caches: the
/// model's description of the behaviour, in CloudFront's ids.
struct Behaviour {
    origin: &'static str,
    cache_policy: String,
    origin_request_policy: Option<&'static str>,
    compress: bool,
    methods: AllowedMethods,
    viewer_request: Option<FunctionAssociations>,
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

fn behaviour(spec: &DistributionSpec, target: RouteTarget) -> Result<Behaviour> {
    let b = spec.layout().behaviour(target);
    let router = match (&spec.router, b.viewer_request) {
        (Some(router), true) => Some(router),
        (None, true) => {
            return Err(crate::Error::invalid_input(
                "router",
                "a routed behaviour needs the router's function and cache policy",
            ))
        }
        (_, false) => None,
    };
    Ok(Behaviour {
        origin: match b.origin {
            OriginKind::Assets => ASSETS_ORIGIN,
            OriginKind::Server => SERVER_ORIGIN,
            OriginKind::Image => IMAGE_ORIGIN,
        },
        cache_policy: match (b.cache_policy, router) {
            (CachePolicy::CachingDisabled, _) => CACHING_DISABLED_POLICY.to_string(),
            (CachePolicy::CachingOptimized, _) => CACHING_OPTIMIZED_POLICY.to_string(),
            (CachePolicy::RouterShared, Some(router)) => router.cache_policy_id.clone(),
            (CachePolicy::RouterShared, None) => {
                return Err(crate::Error::invalid_input(
                    "router",
                    "the router's shared cache policy needs the router",
                ))
            }
        },
        origin_request_policy: b.origin_request_policy.map(|policy| match policy {
            OriginRequestPolicy::AllViewerExceptHostHeader => ALL_VIEWER_EXCEPT_HOST_HEADER_POLICY,
        }),
        compress: b.compress,
        methods: methods(b.all_methods)?,
        viewer_request: router
            .map(|r| {
                let response = r
                    .response_function_arn
                    .as_deref()
                    .filter(|_| b.viewer_response);
                functions(&r.function_arn, response)
            })
            .transpose()?,
    })
}

/// The router function on a behaviour's viewer requests, and the
/// viewer-response function on its answers when it has one.
fn functions(function_arn: &str, response_arn: Option<&str>) -> Result<FunctionAssociations> {
    let association = |arn: &str, event: EventType| {
        FunctionAssociation::builder()
            .function_arn(arn)
            .event_type(event)
            .build()
            .map_err(build_error(OP))
    };
    let mut items = vec![association(function_arn, EventType::ViewerRequest)?];
    if let Some(arn) = response_arn {
        items.push(association(arn, EventType::ViewerResponse)?);
    }
    FunctionAssociations::builder()
        .quantity(items.len() as i32)
        .set_items(Some(items))
        .build()
        .map_err(build_error(OP))
}

fn function_origin(id: &str, host: &str, oac: Option<&str>) -> Result<Origin> {
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
        // Without an OAC the field is empty, as CloudFront returns it.
        .origin_access_control_id(oac.unwrap_or_default())
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
    let layout = spec.layout();
    let signed = |kind: OriginKind| {
        let target = match kind {
            OriginKind::Server => RouteTarget::ServerFunction,
            _ => RouteTarget::ImageFunction,
        };
        layout
            .behaviour(target)
            .origin_signing
            .map(|_| spec.oac.lambda.as_str())
    };
    let items = vec![
        assets,
        function_origin(SERVER_ORIGIN, server_host, signed(OriginKind::Server))?,
        function_origin(IMAGE_ORIGIN, image_host, signed(OriginKind::Image))?,
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
        let b = behaviour(spec, route.target)?;
        behaviours.push(
            CacheBehavior::builder()
                .path_pattern(&route.pattern)
                .target_origin_id(b.origin)
                .viewer_protocol_policy(ViewerProtocolPolicy::RedirectToHttps)
                .compress(b.compress)
                .cache_policy_id(b.cache_policy)
                .set_origin_request_policy_id(b.origin_request_policy.map(str::to_string))
                .set_function_associations(b.viewer_request)
                .allowed_methods(b.methods)
                .build()
                .map_err(build_error(OP))?,
        );
    }
    let d = behaviour(spec, default_route.target)?;
    let default = DefaultCacheBehavior::builder()
        .target_origin_id(d.origin)
        .viewer_protocol_policy(ViewerProtocolPolicy::RedirectToHttps)
        .compress(d.compress)
        .cache_policy_id(d.cache_policy)
        .set_origin_request_policy_id(d.origin_request_policy.map(str::to_string))
        .set_function_associations(d.viewer_request)
        .allowed_methods(d.methods)
        .build()
        .map_err(build_error(OP))?;
    let config = DistributionConfig::builder()
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
        .default_root_object("");
    // A multi-tenant distribution refuses the fields that "only support
    // standard distributions": Aliases (never set at creation), PriceClass
    // and IsIPV6Enabled (its connection group's). Its behaviours already
    // meet its rules: cache policies, no TTLs, signers or smooth streaming.
    let config = match spec.domains {
        DomainMode::Tenants => config.connection_mode(ConnectionMode::TenantOnly),
        DomainMode::Aliases => config
            .price_class(PriceClass::PriceClassAll)
            .is_ipv6_enabled(true),
    };
    config.build().map_err(build_error(OP))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::cloudfront::{OriginAccessControls, RouterResources};
    use crate::model::CdnRoute;

    fn spec(router: Option<RouterResources>) -> DistributionSpec {
        DistributionSpec {
            project: "p".into(),
            bucket_domain: "b.s3.eu-west-1.amazonaws.com".into(),
            asset_origin_path: "/p".into(),
            server_url: "https://s.lambda-url.eu-west-1.on.aws/".into(),
            image_url: "https://i.lambda-url.eu-west-1.on.aws/".into(),
            routes: CdnRoute::opennext_defaults(),
            oac: OriginAccessControls {
                s3: "OAC-S3".into(),
                lambda: "OAC-L".into(),
            },
            router,
            domains: DomainMode::Aliases,
        }
    }

    fn config(spec: &DistributionSpec) -> DistributionConfig {
        let hosts = (
            "s.lambda-url.eu-west-1.on.aws",
            "i.lambda-url.eu-west-1.on.aws",
        );
        distribution_config(spec, "anchor:p", "anchor-p", hosts.0, hosts.1).unwrap()
    }

    fn associated(associations: Option<&FunctionAssociations>) -> Vec<(String, String)> {
        associations
            .map(|a| a.items())
            .unwrap_or_default()
            .iter()
            .map(|f| {
                (
                    f.function_arn().to_string(),
                    f.event_type().as_str().to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn the_router_runs_on_the_function_behaviours_only() {
        let router = RouterResources {
            function_arn: "arn:aws:cloudfront::1:function/anchor-router".into(),
            store_arn: "arn:aws:cloudfront::1:key-value-store/k".into(),
            cache_policy_id: "POLICY".into(),
            response_function_arn: Some(
                "arn:aws:cloudfront::1:function/anchor-viewer-response".into(),
            ),
        };
        let c = config(&spec(Some(router.clone())));
        let on_router = vec![(router.function_arn.clone(), "viewer-request".to_string())];
        let mut on_pages = on_router.clone();
        on_pages.push((
            "arn:aws:cloudfront::1:function/anchor-viewer-response".to_string(),
            "viewer-response".to_string(),
        ));
        let behaviours = c.cache_behaviors().map(|b| b.items()).unwrap_or_default();
        let by_pattern = |p: &str| behaviours.iter().find(|b| b.path_pattern() == p).unwrap();
        let image = by_pattern("_next/image*");
        assert_eq!(associated(image.function_associations()), on_router);
        assert_eq!(image.cache_policy_id(), Some("POLICY"));
        let statics = by_pattern("_next/static/*");
        assert!(associated(statics.function_associations()).is_empty());
        assert_eq!(statics.cache_policy_id(), Some(CACHING_OPTIMIZED_POLICY));
        let default = c.default_cache_behavior().unwrap();
        assert_eq!(associated(default.function_associations()), on_pages);
        // Resources without the viewer-response function leave it off.
        let bare = RouterResources {
            response_function_arn: None,
            ..router.clone()
        };
        let c2 = config(&spec(Some(bare)));
        let default2 = c2.default_cache_behavior().unwrap();
        assert_eq!(associated(default2.function_associations()), on_router);
        assert_eq!(default.cache_policy_id(), Some("POLICY"));
        assert_eq!(default.allowed_methods().map(|m| m.items().len()), Some(7));
        let origins = c.origins().map(|o| o.items()).unwrap_or_default();
        let oac = |id: &str| {
            origins
                .iter()
                .find(|o| o.id() == id)
                .and_then(|o| o.origin_access_control_id())
                .unwrap_or_default()
                .to_string()
        };
        assert_eq!(oac(SERVER_ORIGIN), "", "bodies must reach the server");
        assert_eq!(oac(IMAGE_ORIGIN), "OAC-L");
        assert_eq!(oac(ASSETS_ORIGIN), "OAC-S3");
    }

    #[test]
    fn without_the_router_nothing_is_associated_and_functions_are_signed() {
        let c = config(&spec(None));
        assert!(associated(c.default_cache_behavior().unwrap().function_associations()).is_empty());
        let origins = c.origins().map(|o| o.items()).unwrap_or_default();
        assert!(origins
            .iter()
            .filter(|o| o.id() != ASSETS_ORIGIN)
            .all(|o| o.origin_access_control_id() == Some("OAC-L")));
    }

    #[test]
    // Reads the legacy cache settings (TTLs, forwarded values), deprecated
    // in the SDK, only to show they are never set.
    #[allow(deprecated)]
    fn a_tenant_only_distribution_leaves_out_what_only_standard_ones_take() {
        let standard = config(&spec(None));
        assert_eq!(standard.connection_mode(), None);
        assert_eq!(standard.price_class(), Some(&PriceClass::PriceClassAll));
        assert_eq!(standard.is_ipv6_enabled(), Some(true));
        let tenants = config(&DistributionSpec {
            domains: DomainMode::Tenants,
            ..spec(None)
        });
        assert_eq!(tenants.connection_mode(), Some(&ConnectionMode::TenantOnly));
        assert_eq!(tenants.price_class(), None);
        assert_eq!(tenants.is_ipv6_enabled(), None);
        assert!(tenants.aliases().is_none());
        assert!(tenants.tenant_config().is_none());
        // What multi-tenant distributions refuse in behaviours is never set.
        let default = tenants.default_cache_behavior().unwrap();
        assert!(default.cache_policy_id().is_some());
        let behaviours = tenants
            .cache_behaviors()
            .map(|b| b.items())
            .unwrap_or_default();
        for b in behaviours {
            assert!(b.cache_policy_id().is_some());
            assert_eq!(
                (b.min_ttl(), b.default_ttl(), b.max_ttl()),
                (None, None, None)
            );
            assert!(b.trusted_signers().is_none() && b.smooth_streaming().is_none());
            assert!(b.forwarded_values().is_none());
        }
        assert_eq!(
            (default.min_ttl(), default.default_ttl(), default.max_ttl()),
            (None, None, None)
        );
        assert!(default.trusted_signers().is_none() && default.smooth_streaming().is_none());
        assert!(default.forwarded_values().is_none());
        // Everything else is the standard distribution's.
        assert_eq!(tenants.origins(), standard.origins());
        assert_eq!(tenants.cache_behaviors(), standard.cache_behaviors());
        assert_eq!(
            tenants.default_cache_behavior(),
            standard.default_cache_behavior()
        );
    }
}
