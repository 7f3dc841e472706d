//! CloudFront's behaviour matching: the first route, in precedence order,
//! whose path pattern matches the request path wins; `*` matches any run
//! of characters (including `/`), `?` exactly one; matching is
//! case-sensitive and ignores the query string.

use crate::model::{CdnRoute, RouteTarget};

/// Where a request path goes: the target of the first matching route.
/// A path no route matches (only possible without a `*` route) goes to
/// the server, as CloudFront's default behaviour would take it.
pub(crate) fn target_of(routes: &[CdnRoute], path: &str) -> RouteTarget {
    let path = path.strip_prefix('/').unwrap_or(path);
    routes
        .iter()
        .find(|route| {
            let pattern = route.pattern.strip_prefix('/').unwrap_or(&route.pattern);
            matches(pattern.as_bytes(), path.as_bytes())
        })
        .map(|route| route.target)
        .unwrap_or(RouteTarget::ServerFunction)
}

/// Glob matching with `*` and `?`, iterative with one backtrack point, so
/// it is linear for the patterns CloudFront allows.
fn matches(pattern: &[u8], path: &[u8]) -> bool {
    let (mut p, mut s) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while s < path.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, s));
                p += 1;
            }
            Some(&c) if c == b'?' || c == path[s] => {
                p += 1;
                s += 1;
            }
            _ => match star {
                Some((star_p, star_s)) => {
                    p = star_p + 1;
                    s = star_s + 1;
                    star = Some((star_p, star_s + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opennext_routes() -> Vec<CdnRoute> {
        vec![
            CdnRoute::new("_next/image*", RouteTarget::ImageFunction),
            CdnRoute::new("_next/data/*", RouteTarget::ServerFunction),
            CdnRoute::new("BUILD_ID", RouteTarget::Assets { immutable: false }),
            CdnRoute::new("_next/*", RouteTarget::Assets { immutable: false }),
            CdnRoute::new("favicon.ico", RouteTarget::Assets { immutable: false }),
            CdnRoute::new("images/*", RouteTarget::Assets { immutable: false }),
            CdnRoute::new("*", RouteTarget::ServerFunction),
        ]
    }

    #[test]
    fn the_first_matching_route_wins() {
        let routes = opennext_routes();
        let asset = RouteTarget::Assets { immutable: false };
        assert_eq!(
            target_of(&routes, "/_next/image"),
            RouteTarget::ImageFunction
        );
        assert_eq!(
            target_of(&routes, "/_next/image/x"),
            RouteTarget::ImageFunction
        );
        assert_eq!(
            target_of(&routes, "/_next/data/b/x.json"),
            RouteTarget::ServerFunction
        );
        assert_eq!(target_of(&routes, "/_next/static/chunks/a.js"), asset);
        assert_eq!(target_of(&routes, "/favicon.ico"), asset);
        assert_eq!(target_of(&routes, "/images/a/b.png"), asset);
        assert_eq!(target_of(&routes, "/"), RouteTarget::ServerFunction);
        assert_eq!(target_of(&routes, "/images"), RouteTarget::ServerFunction);
        assert_eq!(
            target_of(&routes, "/Favicon.ico"),
            RouteTarget::ServerFunction,
            "case-sensitive"
        );
        assert_eq!(target_of(&[], "/x"), RouteTarget::ServerFunction);
    }

    #[test]
    fn globs_match_like_cloudfront() {
        assert!(matches(b"*", b""));
        assert!(matches(b"*.js", b"a/b/c.js"));
        assert!(!matches(b"*.js", b"a/b/c.jsx"));
        assert!(matches(b"a?c", b"abc"));
        assert!(!matches(b"a?c", b"ac"));
        assert!(matches(b"a*b*c", b"axxbyyc"));
        assert!(!matches(b"a*b*c", b"axxbyy"));
        assert!(matches(b"robots.txt", b"robots.txt"));
        assert!(!matches(b"robots.txt", b"robots.txt2"));
    }
}
