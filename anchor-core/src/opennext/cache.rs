//! Prerendered routes, derived from the ISR cache folder `cache/`.
//!
//! OpenNext writes one `<key>.cache` file per prerendered page or route
//! handler under `cache/<id>/`, where `<id>` is the Next.js `deploymentId`
//! if set, else the `BUILD_ID`; `cache/__fetch/<id>/` holds the fetch cache,
//! which has no routes. The key is either
//! - a route-cache key (Next.js 15.5.27+ and 16.3.8+):
//!   `route-cache/<PAGES|APP_PAGE|APP_ROUTE>/<sha256 of the source>/$/<page>`,
//! - or a legacy key, the page's output path: `index`, `about`, `blog/a`.
//!
//! Either way `<page>` is Next.js's normalised page path, where `/` is
//! stored as `index` and `/index/x` as `index/index/x`; undoing that gives
//! the URL path a CDN may hold stale after a deploy.

use std::collections::BTreeSet;
use std::path::Path;

use crate::error::{Error, Result};
// The folder of the fetch cache inside `cache/`.
use crate::model::asset_manifest::FETCH_FOLDER as FETCH_DIR;

/// Pages Next.js renders for its own use, which no URL maps to directly.
const INTERNAL_ROUTES: &[&str] = &["/_not-found", "/_global-error", "/_error"];

/// Picks the folder of `cache/` that holds this build's entries: the one
/// named `build_id`, else the only one there is (a custom `deploymentId`),
/// else none when the build prerendered nothing.
pub(crate) fn cache_id(cache_dir: &Path, build_id: &str) -> Result<Option<String>> {
    let read = std::fs::read_dir(cache_dir).map_err(|e| Error::io(cache_dir, e))?;
    let mut names = BTreeSet::new();
    for entry in read {
        let entry = entry.map_err(|e| Error::io(cache_dir, e))?;
        let path = entry.path();
        if !path.is_dir() {
            continue;
        }
        let name = entry
            .file_name()
            .into_string()
            .map_err(|_| Error::invalid_build(&path, "folder name is not valid UTF-8"))?;
        if name != FETCH_DIR {
            names.insert(name);
        }
    }
    if names.contains(build_id) {
        return Ok(Some(build_id.to_owned()));
    }
    match names.len() {
        0 => Ok(None),
        1 => Ok(names.into_iter().next()),
        _ => Err(Error::invalid_build(
            cache_dir,
            format!(
                "holds several cache folders ({}) and none is named after BUILD_ID {build_id:?}",
                names.into_iter().collect::<Vec<_>>().join(", ")
            ),
        )),
    }
}

/// The sorted, de-duplicated URL paths of the cache keys (keys relative to
/// `cache/<id>/`). Files not ending in `.cache`, Next.js's internal pages and
/// dynamic fallback shells (`/blog/[slug]`, not a URL) are left out.
pub(crate) fn routes<'a>(keys: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let set: BTreeSet<String> = keys.into_iter().filter_map(route_of_key).collect();
    set.into_iter().collect()
}

/// The URL path of one cache key, if it has one.
pub(crate) fn route_of_key(key: &str) -> Option<String> {
    let page = key.strip_suffix(".cache")?;
    let page = strip_route_cache_prefix(page).unwrap_or(page);
    let page = page.trim_start_matches('/');
    if page.is_empty() {
        return None;
    }
    let route = denormalize(&format!("/{page}"));
    let dynamic = route
        .split('/')
        .any(|s| s.starts_with('[') && s.ends_with(']'));
    (!dynamic && !INTERNAL_ROUTES.contains(&route.as_str())).then_some(route)
}

/// `page` after `route-cache/<kind>/<64 hex>/$`, if it is a route-cache key.
fn strip_route_cache_prefix(page: &str) -> Option<&str> {
    let rest = page.strip_prefix("route-cache/")?;
    let (kind, rest) = rest.split_once('/')?;
    if !matches!(kind, "PAGES" | "APP_PAGE" | "APP_ROUTE") {
        return None;
    }
    let (hash, rest) = rest.split_once('/')?;
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let rest = rest.strip_prefix('$')?;
    rest.starts_with('/').then_some(rest)
}

/// Next.js's `denormalizePagePath`: `/index` is `/`, `/index/x` is `/x`,
/// except under dynamic segments, which Next.js never prefixes.
fn denormalize(page: &str) -> String {
    let dynamic = page
        .split('/')
        .any(|s| s.starts_with('[') && s.ends_with(']'));
    if page == "/index" {
        "/".to_owned()
    } else if !dynamic && page.starts_with("/index/") {
        page["/index".len()..].to_owned()
    } else {
        page.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: &str = "0c2c0df4c1a02c273463936b2623e0933d9da1aef5acf08984486a6372c8d879";

    #[test]
    fn route_cache_keys_map_to_url_paths() {
        let k = |kind: &str, p: &str| format!("route-cache/{kind}/{H}/$/{p}.cache");
        assert_eq!(route_of_key(&k("APP_PAGE", "index")).as_deref(), Some("/"));
        assert_eq!(
            route_of_key(&k("APP_PAGE", "image")).as_deref(),
            Some("/image")
        );
        assert_eq!(
            route_of_key(&k("PAGES", "index/index/x")).as_deref(),
            Some("/index/x")
        );
        assert_eq!(
            route_of_key(&k("APP_ROUTE", "favicon.ico")).as_deref(),
            Some("/favicon.ico")
        );
        assert_eq!(route_of_key(&k("APP_PAGE", "_not-found")), None);
        assert_eq!(route_of_key(&k("APP_PAGE", "_global-error")), None);
        assert_eq!(route_of_key(&k("APP_PAGE", "blog/[slug]")), None);
    }

    #[test]
    fn legacy_keys_map_to_url_paths() {
        assert_eq!(route_of_key("index.cache").as_deref(), Some("/"));
        assert_eq!(
            route_of_key("blog/post-1.cache").as_deref(),
            Some("/blog/post-1")
        );
        assert_eq!(route_of_key("en/about.cache").as_deref(), Some("/en/about"));
        assert_eq!(route_of_key("about.html"), None);
        assert_eq!(route_of_key(".cache"), None);
    }

    #[test]
    fn a_bad_prefix_is_read_as_a_legacy_key() {
        let key = "route-cache/OTHER/abc/$/x.cache";
        assert_eq!(
            route_of_key(key).as_deref(),
            Some("/route-cache/OTHER/abc/$/x")
        );
    }

    #[test]
    fn routes_are_sorted_and_unique() {
        let got = routes(["b.cache", "index.cache", "a.cache", "b.cache"]);
        assert_eq!(got, ["/", "/a", "/b"]);
    }
}
