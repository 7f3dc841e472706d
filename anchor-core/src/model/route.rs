//! The CDN's routing table: which path patterns go to which origin, in
//! precedence order.

use serde::{Deserialize, Serialize};

/// Where requests matching a pattern are sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteTarget {
    /// The server function's `live` alias.
    ServerFunction,
    /// The image optimisation function's `live` alias.
    ImageFunction,
    /// The asset store. `immutable` files (hashed names) are cached for a
    /// year; others are revalidated.
    Assets {
        /// Whether the files under the pattern never change.
        immutable: bool,
    },
}

/// One behaviour: a CloudFront path pattern and its target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CdnRoute {
    /// The path pattern without a leading slash, such as `_next/static/*`;
    /// `*` is the default behaviour.
    pub pattern: String,
    /// Where matching requests go.
    pub target: RouteTarget,
}

/// The pattern of the default behaviour.
pub const DEFAULT_ROUTE_PATTERN: &str = "*";

impl CdnRoute {
    /// Builds a route.
    pub fn new(pattern: impl Into<String>, target: RouteTarget) -> Self {
        Self {
            pattern: pattern.into(),
            target,
        }
    }

    /// The routes every OpenNext build needs, in precedence order: images,
    /// then hashed static files, then the server as the default.
    pub fn opennext_defaults() -> Vec<CdnRoute> {
        vec![
            Self::new("_next/image*", RouteTarget::ImageFunction),
            Self::new("_next/static/*", RouteTarget::Assets { immutable: true }),
            Self::new(DEFAULT_ROUTE_PATTERN, RouteTarget::ServerFunction),
        ]
    }
}
