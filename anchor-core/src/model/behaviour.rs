//! What each CloudFront behaviour of a project's distribution does: which
//! origin it sends to, how that origin is signed, which cache policy and
//! origin request policy it uses, and whether it compresses.
//!
//! This is the one description of the distribution. The AWS backend turns
//! it into a `DistributionConfig`; the local edge applies the same settings
//! to every request, so what the local edge serves is what the distribution
//! would serve, failures included.

use super::{CdnRoute, RouteTarget};

/// An origin of a project's distribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OriginKind {
    /// The asset bucket, under the project's prefix.
    Assets,
    /// The server function's Function URL.
    Server,
    /// The image optimisation function's Function URL.
    Image,
}

/// How CloudFront signs its requests to an origin (origin access control,
/// SigV4, always signing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OriginSigning {
    /// An S3 OAC: the bucket grants CloudFront `s3:GetObject` only, so a
    /// missing key is answered `403 AccessDenied` (there is no
    /// `s3:ListBucket` to tell it from a 404).
    S3,
    /// A Lambda OAC on a Function URL with `AWS_IAM` auth. The signature
    /// replaces the viewer's `Authorization` header, and a request with a
    /// body is refused with 403 unless the viewer sent
    /// `x-amz-content-sha256` (Lambda does not accept unsigned payloads).
    Lambda,
}

/// A cache policy a behaviour uses, with the settings CloudFront applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CachePolicy {
    /// AWS's managed `CachingDisabled`: TTLs 0/0/0, nothing in the cache
    /// key, no compression negotiated. Every request reaches the origin.
    CachingDisabled,
    /// AWS's managed `CachingOptimized`: TTLs 1 s / 1 day / 1 year from the
    /// origin's `Cache-Control`, no headers, cookies or query strings in
    /// the key, gzip and brotli.
    CachingOptimized,
    /// Anchor's one policy for the router's function behaviours, shared by
    /// every project of an account (the default quota is 20 policies): TTLs
    /// 0 / 0 / 1 year, so OpenNext's `s-maxage` is honoured and nothing else
    /// is cached; the router's cache-key header and every query string in
    /// the key; gzip and brotli.
    RouterShared,
}

/// The header the router sets from the deployment, the viewer's host and
/// the RSC request headers; the shared cache policy keys on it alone, since
/// a header in the key is also forwarded, and a Function URL must see its
/// own host.
pub const ROUTER_CACHE_KEY_HEADER: &str = "x-anchor-cache-key";

/// The settings of a [`CachePolicy`], as CloudFront documents them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CachePolicySettings {
    /// The shortest time an object stays cached, in seconds, whatever the
    /// origin says.
    pub min_ttl: u64,
    /// How long an object without `Cache-Control` or `Expires` stays cached.
    pub default_ttl: u64,
    /// The longest time an object stays cached.
    pub max_ttl: u64,
    /// Whether gzip is negotiated (and so compressed at the edge).
    pub gzip: bool,
    /// Whether brotli is negotiated.
    pub brotli: bool,
    /// Viewer headers in the cache key (and so forwarded to the origin).
    pub key_headers: &'static [&'static str],
    /// Whether every query string is in the cache key.
    pub key_query_strings: bool,
}

impl CachePolicy {
    /// The policy's settings.
    pub fn settings(self) -> CachePolicySettings {
        match self {
            Self::CachingDisabled => CachePolicySettings {
                min_ttl: 0,
                default_ttl: 0,
                max_ttl: 0,
                gzip: false,
                brotli: false,
                key_headers: &[],
                key_query_strings: false,
            },
            Self::CachingOptimized => CachePolicySettings {
                min_ttl: 1,
                default_ttl: 86_400,
                max_ttl: 31_536_000,
                gzip: true,
                brotli: true,
                key_headers: &[],
                key_query_strings: false,
            },
            Self::RouterShared => CachePolicySettings {
                min_ttl: 0,
                default_ttl: 0,
                max_ttl: 31_536_000,
                gzip: true,
                brotli: true,
                key_headers: &[ROUTER_CACHE_KEY_HEADER],
                key_query_strings: true,
            },
        }
    }
}

/// An origin request policy: what CloudFront forwards to the origin beyond
/// the cache key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OriginRequestPolicy {
    /// AWS's managed `AllViewerExceptHostHeader`: every viewer header but
    /// `Host` (a client-sent `X-Forwarded-Host` included), every cookie and
    /// every query string; the origin sees its own host name.
    AllViewerExceptHostHeader,
}

/// What one behaviour of the distribution does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BehaviourSpec {
    /// The origin it sends requests to (before the router, if any, picks
    /// another).
    pub origin: OriginKind,
    /// How CloudFront signs requests to that origin.
    pub origin_signing: Option<OriginSigning>,
    /// Whether the edge router runs on its viewer requests.
    pub viewer_request: bool,
    /// Whether the router's viewer-response function runs on its answers,
    /// setting the visitor and pin cookies the router reads.
    pub viewer_response: bool,
    /// How responses are cached.
    pub cache_policy: CachePolicy,
    /// What is forwarded beyond the cache key; `None` forwards only the
    /// cache key.
    pub origin_request_policy: Option<OriginRequestPolicy>,
    /// Whether CloudFront compresses responses for viewers that accept it
    /// (when the cache policy negotiates the encoding).
    pub compress: bool,
    /// Whether every method is allowed; otherwise GET and HEAD only (and
    /// CloudFront answers 403 to the others).
    pub all_methods: bool,
}

/// How a project's distribution routes requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DistributionLayout {
    /// Behaviours from the build's `open-next.output.json` send each path
    /// pattern to the bucket under the project's prefix or to a function's
    /// `live` alias; every function request is signed with an origin access
    /// control and nothing but assets is cached. Projects provisioned
    /// before the router have it.
    Behaviours,
    /// Three behaviours, and the edge router on the two function ones:
    /// it picks the live deployment's own origins per request (its server
    /// and image Function URLs, its public files under its own path), and
    /// its cache key, so a switch is one pointer write (`docs/router.md`).
    /// The server's URL is not signed, so request bodies reach it.
    Router,
}

impl DistributionLayout {
    /// The behaviour a route of `target` gets.
    pub fn behaviour(self, target: RouteTarget) -> BehaviourSpec {
        let assets = BehaviourSpec {
            origin: OriginKind::Assets,
            origin_signing: Some(OriginSigning::S3),
            viewer_request: false,
            viewer_response: false,
            // Hashed files never change; the others are revalidated
            // through their own Cache-Control, which CachingOptimized honours.
            cache_policy: CachePolicy::CachingOptimized,
            origin_request_policy: None,
            compress: true,
            all_methods: false,
        };
        let function = |origin: OriginKind| BehaviourSpec {
            origin,
            origin_signing: Some(OriginSigning::Lambda),
            viewer_request: false,
            viewer_response: false,
            cache_policy: CachePolicy::CachingDisabled,
            origin_request_policy: Some(OriginRequestPolicy::AllViewerExceptHostHeader),
            compress: true,
            all_methods: true,
        };
        let routed = |spec: BehaviourSpec| BehaviourSpec {
            viewer_request: true,
            cache_policy: CachePolicy::RouterShared,
            ..spec
        };
        match (self, target) {
            (_, RouteTarget::Assets { .. }) => assets,
            (Self::Behaviours, RouteTarget::ServerFunction) => function(OriginKind::Server),
            (Self::Behaviours, RouteTarget::ImageFunction) => function(OriginKind::Image),
            // Pages come from here, so the cookies are set here; images
            // and hashed files need neither.
            (Self::Router, RouteTarget::ServerFunction) => routed(BehaviourSpec {
                origin_signing: None,
                viewer_response: true,
                ..function(OriginKind::Server)
            }),
            (Self::Router, RouteTarget::ImageFunction) => routed(function(OriginKind::Image)),
        }
    }

    /// The routes of a distribution of this layout, in precedence order:
    /// the build's own for [`DistributionLayout::Behaviours`]; for the
    /// router, images, hashed static files and the server, whatever the
    /// build (its public files are routed per deployment instead).
    pub fn routes(self, build_routes: Vec<CdnRoute>) -> Vec<CdnRoute> {
        match self {
            Self::Behaviours => build_routes,
            Self::Router => CdnRoute::opennext_defaults(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_routes_reach_the_origin_on_every_request_without_the_router() {
        let layout = DistributionLayout::Behaviours;
        for target in [RouteTarget::ServerFunction, RouteTarget::ImageFunction] {
            let b = layout.behaviour(target);
            assert_eq!(b.cache_policy.settings().max_ttl, 0);
            assert_eq!(b.origin_signing, Some(OriginSigning::Lambda));
            assert!(b.all_methods && !b.viewer_request && !b.viewer_response);
        }
        let assets = layout.behaviour(RouteTarget::Assets { immutable: true });
        assert_eq!(assets.origin, OriginKind::Assets);
        assert_eq!(assets.origin_signing, Some(OriginSigning::S3));
        assert!(assets.cache_policy.settings().brotli);
        assert!(!assets.all_methods);
    }

    #[test]
    fn the_router_runs_on_function_routes_and_leaves_the_server_unsigned() {
        let layout = DistributionLayout::Router;
        let server = layout.behaviour(RouteTarget::ServerFunction);
        assert!(server.viewer_request && server.viewer_response);
        assert_eq!(server.origin_signing, None, "request bodies must reach it");
        assert_eq!(server.cache_policy, CachePolicy::RouterShared);
        let key = server.cache_policy.settings();
        assert_eq!(key.key_headers, &[ROUTER_CACHE_KEY_HEADER]);
        assert!(key.key_query_strings && key.max_ttl > 0 && key.default_ttl == 0);
        let image = layout.behaviour(RouteTarget::ImageFunction);
        assert_eq!(image.origin_signing, Some(OriginSigning::Lambda));
        assert!(image.viewer_request && !image.viewer_response);
        let static_files = layout.behaviour(RouteTarget::Assets { immutable: true });
        assert!(!static_files.viewer_request);
        assert_eq!(
            layout.routes(vec![CdnRoute::new("*", RouteTarget::ServerFunction)]),
            CdnRoute::opennext_defaults()
        );
    }
}
