//! The CDN routes of a build, from the `behaviors` of `open-next.output.json`
//! in precedence order (see [`OpenNextOutput::behaviors_by_precedence`]).

use super::output::{OpenNextOutput, IMAGE_ORIGIN};
use crate::model::{CdnRoute, RouteTarget, DEFAULT_ROUTE_PATTERN};

/// The origin name OpenNext gives the asset bucket.
const ASSET_ORIGIN: &str = "s3";
/// Hashed build output, safe to cache forever.
const IMMUTABLE_PREFIX: &str = "_next/static/";

impl OpenNextOutput {
    /// The routes in the order the CDN must match them: images first, then
    /// the specific patterns, and the default `*` (the server) last.
    pub fn cdn_routes(&self) -> Vec<CdnRoute> {
        self.behaviors_by_precedence()
            .into_iter()
            .map(|b| {
                let pattern = b.route_pattern();
                let target = match b.origin.as_deref() {
                    Some(IMAGE_ORIGIN) => RouteTarget::ImageFunction,
                    Some(ASSET_ORIGIN) if pattern != DEFAULT_ROUTE_PATTERN => RouteTarget::Assets {
                        immutable: pattern.starts_with(IMMUTABLE_PREFIX),
                    },
                    // The default function, a split function or an edge
                    // function: Anchor deploys the server for all of them.
                    _ => RouteTarget::ServerFunction,
                };
                CdnRoute::new(pattern, target)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_moves_last_and_images_come_first() {
        let json = r#"{
            "origins": {
                "s3": {"type": "s3", "originPath": "_assets", "copy": []},
                "default": {"type": "function", "handler": "index.handler", "bundle": ".open-next/server-functions/default"},
                "imageOptimizer": {"type": "function", "handler": "index.handler", "bundle": ".open-next/image-optimization-function"}
            },
            "behaviors": [
                {"pattern": "*", "origin": "default"},
                {"pattern": "_next/image*", "origin": "imageOptimizer"},
                {"pattern": "_next/data/*", "origin": "default"},
                {"pattern": "_next/static/*", "origin": "s3"},
                {"pattern": "favicon.ico", "origin": "s3"}
            ]
        }"#;
        let output: OpenNextOutput = serde_json::from_str(json).unwrap();
        let routes = output.cdn_routes();
        let patterns: Vec<_> = routes.iter().map(|r| r.pattern.as_str()).collect();
        assert_eq!(
            patterns,
            [
                "_next/image*",
                "_next/data/*",
                "_next/static/*",
                "favicon.ico",
                "*"
            ]
        );
        assert_eq!(routes[0].target, RouteTarget::ImageFunction);
        assert_eq!(routes[1].target, RouteTarget::ServerFunction);
        assert_eq!(routes[2].target, RouteTarget::Assets { immutable: true });
        assert_eq!(routes[3].target, RouteTarget::Assets { immutable: false });
        assert_eq!(routes[4].target, RouteTarget::ServerFunction);
    }
}
