//! What each CloudFront behaviour of a project's distribution does: which
//! origin it sends to, how that origin is signed, which cache policy and
//! origin request policy it uses, and whether it compresses.
//!
//! This is the one description of the distribution. The AWS backend turns
//! it into a `DistributionConfig`; the local edge applies the same settings
//! to every request, so what the local edge serves is what the distribution
//! would serve, failures included.

use super::RouteTarget;

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

impl OriginKind {
    /// How CloudFront signs requests to this origin.
    pub fn signing(self) -> Option<OriginSigning> {
        match self {
            Self::Assets => Some(OriginSigning::S3),
            Self::Server | Self::Image => Some(OriginSigning::Lambda),
        }
    }
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
}

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
    /// The origin it sends requests to.
    pub origin: OriginKind,
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

impl RouteTarget {
    /// The behaviour a route of this target gets on the distribution.
    pub fn behaviour(self) -> BehaviourSpec {
        match self {
            Self::ServerFunction | Self::ImageFunction => BehaviourSpec {
                origin: if self == Self::ServerFunction {
                    OriginKind::Server
                } else {
                    OriginKind::Image
                },
                cache_policy: CachePolicy::CachingDisabled,
                origin_request_policy: Some(OriginRequestPolicy::AllViewerExceptHostHeader),
                compress: true,
                all_methods: true,
            },
            // Hashed files never change; the others are revalidated through
            // their own Cache-Control, which CachingOptimized honours.
            Self::Assets { .. } => BehaviourSpec {
                origin: OriginKind::Assets,
                cache_policy: CachePolicy::CachingOptimized,
                origin_request_policy: None,
                compress: true,
                all_methods: false,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_routes_reach_the_origin_on_every_request() {
        for target in [RouteTarget::ServerFunction, RouteTarget::ImageFunction] {
            let b = target.behaviour();
            assert_eq!(b.cache_policy.settings().max_ttl, 0);
            assert_eq!(b.origin.signing(), Some(OriginSigning::Lambda));
            assert!(b.all_methods);
        }
        let assets = RouteTarget::Assets { immutable: true }.behaviour();
        assert_eq!(assets.origin, OriginKind::Assets);
        assert_eq!(assets.origin.signing(), Some(OriginSigning::S3));
        assert!(assets.cache_policy.settings().brotli);
        assert!(!assets.all_methods);
    }
}
