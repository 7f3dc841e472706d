//! The edge cache, with CloudFront's rules: what a cache policy puts in the
//! key, how long a response stays (the policy's TTLs against the origin's
//! `Cache-Control`/`Expires`), which statuses are cached, and invalidations.
//!
//! Nothing is cached that CloudFront would not cache: a behaviour with
//! `CachingDisabled` never stores anything, and `no-store`, `no-cache` or
//! `private` keep a response out when the policy's minimum TTL is 0.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use hyper::header::{HeaderMap, HeaderValue, ACCEPT_ENCODING, CACHE_CONTROL, EXPIRES};
use hyper::http::request::Parts;
use hyper::{Method, StatusCode};

use crate::model::{CachePolicySettings, OriginKind};

/// CloudFront's default "error caching minimum TTL".
const ERROR_TTL: Duration = Duration::from_secs(10);
/// Statuses CloudFront caches under the policy's TTLs.
const CACHEABLE: [u16; 6] = [200, 203, 206, 300, 301, 410];
/// Error statuses CloudFront caches for [`ERROR_TTL`].
const CACHEABLE_ERRORS: [u16; 10] = [400, 403, 404, 405, 414, 416, 500, 501, 502, 504];
/// The largest body the local cache keeps, so memory stays bounded.
pub(crate) const MAX_CACHED_BODY: usize = 32 * 1024 * 1024;
/// The most bytes the local cache holds before it drops the oldest entries.
const MAX_CACHE_BYTES: usize = 256 * 1024 * 1024;

/// The content coding a viewer gets, after CloudFront's normalisation of
/// `Accept-Encoding` (brotli first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Encoding {
    Identity,
    Gzip,
    Brotli,
}

impl Encoding {
    /// The coding negotiated for `viewer` headers under `policy`: only the
    /// encodings the policy enables count.
    pub fn negotiate(viewer: &HeaderMap, policy: &CachePolicySettings) -> Self {
        let accepted: Vec<String> = viewer
            .get_all(ACCEPT_ENCODING)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|item| {
                let mut parts = item.split(';').map(str::trim);
                let name = parts.next()?.to_ascii_lowercase();
                let refused = parts.any(|p| p.replace(' ', "") == "q=0");
                (!refused).then_some(name)
            })
            .collect();
        if policy.brotli && accepted.iter().any(|a| a == "br") {
            Self::Brotli
        } else if policy.gzip && accepted.iter().any(|a| a == "gzip") {
            Self::Gzip
        } else {
            Self::Identity
        }
    }

    /// The `Content-Encoding` token.
    pub fn token(self) -> Option<&'static str> {
        match self {
            Self::Identity => None,
            Self::Gzip => Some("gzip"),
            Self::Brotli => Some("br"),
        }
    }
}

/// The cache key of a request, or `None` if CloudFront would not look it
/// up: a method other than GET or HEAD, or a policy that caches nothing.
pub(crate) fn key_of(
    scope: &str,
    origin: OriginKind,
    parts: &Parts,
    policy: &CachePolicySettings,
    encoding: Encoding,
) -> Option<String> {
    if policy.max_ttl == 0 || !(parts.method == Method::GET || parts.method == Method::HEAD) {
        return None;
    }
    let mut key = format!("{scope}|{origin:?}|{}", parts.uri.path());
    if policy.key_query_strings {
        key.push('?');
        key.push_str(parts.uri.query().unwrap_or(""));
    }
    for name in policy.key_headers {
        key.push('|');
        if let Some(value) = parts.headers.get(*name).and_then(|v| v.to_str().ok()) {
            key.push_str(value);
        }
    }
    key.push('|');
    key.push_str(encoding.token().unwrap_or(""));
    Some(key)
}

/// How long CloudFront keeps a response of `status` with `headers` under
/// `policy`; `None` if it does not cache it.
pub(crate) fn ttl_of(
    status: StatusCode,
    headers: &HeaderMap,
    policy: &CachePolicySettings,
) -> Option<Duration> {
    if policy.max_ttl == 0 {
        return None;
    }
    let directives = CacheControl::parse(headers.get(CACHE_CONTROL));
    if CACHEABLE_ERRORS.contains(&status.as_u16()) {
        let origin = directives.s_maxage.or(directives.max_age).unwrap_or(0);
        return Some(ERROR_TTL.max(Duration::from_secs(origin)));
    }
    if !CACHEABLE.contains(&status.as_u16()) {
        return None;
    }
    let (min, max) = (policy.min_ttl, policy.max_ttl);
    let seconds = if directives.refuses_caching {
        // With a minimum TTL above 0 CloudFront caches anyway, for that long.
        min
    } else if let Some(seconds) = directives.s_maxage.or(directives.max_age) {
        seconds.clamp(min, max)
    } else if let Some(expires) = expires_in(headers.get(EXPIRES)) {
        expires.clamp(min, max)
    } else {
        policy.default_ttl.clamp(min, max)
    };
    (seconds > 0).then(|| Duration::from_secs(seconds))
}

/// The directives of a `Cache-Control` header that decide caching.
#[derive(Debug, Default)]
struct CacheControl {
    s_maxage: Option<u64>,
    max_age: Option<u64>,
    refuses_caching: bool,
}

impl CacheControl {
    fn parse(value: Option<&HeaderValue>) -> Self {
        let mut parsed = Self::default();
        let Some(text) = value.and_then(|v| v.to_str().ok()) else {
            return parsed;
        };
        for directive in text.split(',') {
            let (name, argument) = match directive.split_once('=') {
                Some((name, argument)) => (name.trim(), Some(argument.trim().trim_matches('"'))),
                None => (directive.trim(), None),
            };
            let seconds = argument.and_then(|a| a.parse::<u64>().ok());
            match name.to_ascii_lowercase().as_str() {
                "s-maxage" => parsed.s_maxage = seconds,
                "max-age" => parsed.max_age = seconds,
                "no-store" | "no-cache" | "private" => parsed.refuses_caching = true,
                _ => {}
            }
        }
        parsed
    }
}

fn expires_in(value: Option<&HeaderValue>) -> Option<u64> {
    let at = httpdate::parse_http_date(value?.to_str().ok()?).ok()?;
    Some(
        at.duration_since(SystemTime::now())
            .map_or(0, |left| left.as_secs()),
    )
}

/// A cached response.
#[derive(Debug, Clone)]
pub(crate) struct Cached {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// When it was stored, for the `Age` header.
    pub stored: Instant,
}

struct Entry {
    cached: Cached,
    expires: Instant,
    /// The request path, which invalidation paths match.
    path: String,
    /// The newest invalidation the cache had applied when this was stored.
    generation: i64,
}

/// The edge cache of one served project.
#[derive(Default)]
pub(crate) struct EdgeCache {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    entries: HashMap<String, Entry>,
    bytes: usize,
    /// The newest invalidation applied.
    generation: i64,
}

impl std::fmt::Debug for EdgeCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EdgeCache").finish_non_exhaustive()
    }
}

impl EdgeCache {
    /// The unexpired entry of `key`.
    pub fn get(&self, key: &str) -> Option<Cached> {
        let mut state = self.lock();
        let entry = state.entries.get(key)?;
        if entry.expires > Instant::now() {
            return Some(entry.cached.clone());
        }
        if let Some(gone) = state.entries.remove(key) {
            state.bytes -= gone.cached.body.len();
        }
        None
    }

    /// Stores `cached` under `key` for `ttl`.
    pub fn put(&self, key: String, path: &str, cached: Cached, ttl: Duration) {
        if cached.body.len() > MAX_CACHED_BODY {
            return;
        }
        let mut state = self.lock();
        let size = cached.body.len();
        let entry = Entry {
            expires: cached.stored + ttl,
            cached,
            path: path.to_string(),
            generation: state.generation,
        };
        if let Some(old) = state.entries.insert(key, entry) {
            state.bytes -= old.cached.body.len();
        }
        state.bytes += size;
        while state.bytes > MAX_CACHE_BYTES {
            let oldest = state
                .entries
                .iter()
                .min_by_key(|(_, e)| e.cached.stored)
                .map(|(k, _)| k.clone());
            match oldest.and_then(|k| state.entries.remove(&k)) {
                Some(gone) => state.bytes -= gone.cached.body.len(),
                None => break,
            }
        }
    }

    /// The newest invalidation applied so far.
    pub fn generation(&self) -> i64 {
        self.lock().generation
    }

    /// Applies invalidations newer than the cache has seen: each removes
    /// the entries stored before it whose path it matches, as CloudFront
    /// matches them: the whole path with its query string (`/a` removes
    /// `/a` and not `/a?x=1`), or a prefix ending in `*` (`/a*` removes
    /// both, and `/a?_rsc=*` every `/a?_rsc=...`).
    pub fn invalidate(&self, generation: i64, paths: &[String]) {
        let mut state = self.lock();
        if generation <= state.generation {
            return;
        }
        let doomed: Vec<String> = state
            .entries
            .iter()
            .filter(|(_, e)| e.generation < generation && paths.iter().any(|p| covers(p, &e.path)))
            .map(|(k, _)| k.clone())
            .collect();
        for key in doomed {
            if let Some(gone) = state.entries.remove(&key) {
                state.bytes -= gone.cached.body.len();
            }
        }
        state.generation = generation;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Whether invalidation `pattern` covers request `path`.
fn covers(pattern: &str, path: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => path.starts_with(prefix),
        None => pattern == path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CachePolicy;

    fn headers(cache_control: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(CACHE_CONTROL, HeaderValue::from_str(cache_control).unwrap());
        h
    }

    #[test]
    fn ttls_follow_the_policy_and_the_origin() {
        let optimized = CachePolicy::CachingOptimized.settings();
        let disabled = CachePolicy::CachingDisabled.settings();
        let ok = StatusCode::OK;
        let secs = |h: &str| ttl_of(ok, &headers(h), &optimized).map(|d| d.as_secs());
        assert_eq!(
            secs("public,max-age=0,s-maxage=31536000,must-revalidate"),
            Some(31_536_000)
        );
        assert_eq!(secs("public, max-age=60"), Some(60));
        assert_eq!(secs("max-age=0"), Some(1), "raised to the minimum TTL");
        assert_eq!(secs("private"), Some(1), "cached for the minimum TTL");
        assert_eq!(
            ttl_of(ok, &HeaderMap::new(), &optimized),
            Some(Duration::from_secs(86_400))
        );
        assert_eq!(ttl_of(ok, &headers("s-maxage=60"), &disabled), None);
        assert_eq!(
            ttl_of(StatusCode::FORBIDDEN, &HeaderMap::new(), &optimized),
            Some(ERROR_TTL)
        );
        assert_eq!(
            ttl_of(StatusCode::CREATED, &headers("max-age=60"), &optimized),
            None
        );
    }

    #[test]
    fn brotli_wins_when_the_policy_negotiates_it() {
        let optimized = CachePolicy::CachingOptimized.settings();
        let disabled = CachePolicy::CachingDisabled.settings();
        let mut h = HeaderMap::new();
        h.insert(
            ACCEPT_ENCODING,
            HeaderValue::from_static("gzip, deflate, br"),
        );
        assert_eq!(Encoding::negotiate(&h, &optimized), Encoding::Brotli);
        assert_eq!(Encoding::negotiate(&h, &disabled), Encoding::Identity);
        h.insert(ACCEPT_ENCODING, HeaderValue::from_static("gzip, br;q=0"));
        assert_eq!(Encoding::negotiate(&h, &optimized), Encoding::Gzip);
    }

    #[test]
    fn invalidations_remove_older_matching_entries() {
        let cache = EdgeCache::default();
        let cached = |body: &'static str| Cached {
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            body: Bytes::from_static(body.as_bytes()),
            stored: Instant::now(),
        };
        let hour = Duration::from_secs(3600);
        cache.put("a".into(), "/robots.txt", cached("a"), hour);
        cache.put("b".into(), "/images/x.png", cached("b"), hour);
        cache.put("c".into(), "/other", cached("c"), hour);
        cache.invalidate(1, &["/robots.txt".into(), "/images/*".into()]);
        assert!(cache.get("a").is_none());
        assert!(cache.get("b").is_none());
        assert!(cache.get("c").is_some());
        cache.put("a".into(), "/robots.txt", cached("a2"), hour);
        cache.invalidate(1, &["/robots.txt".into()]);
        assert!(cache.get("a").is_some(), "an invalidation applies once");
    }

    #[test]
    fn invalidation_paths_match_the_query_string_as_cloudfront_does() {
        let cache = EdgeCache::default();
        let cached = || Cached {
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            body: Bytes::from_static(b"x"),
            stored: Instant::now(),
        };
        let hour = Duration::from_secs(3600);
        cache.put("page".into(), "/isr", cached(), hour);
        cache.put("rsc".into(), "/isr?_rsc=1a2b", cached(), hour);
        cache.put("other".into(), "/isr?x=1", cached(), hour);
        cache.invalidate(1, &["/isr".into()]);
        assert!(cache.get("page").is_none());
        assert!(
            cache.get("rsc").is_some(),
            "/isr leaves /isr?_rsc=... cached"
        );
        cache.invalidate(2, &["/isr?_rsc=*".into()]);
        assert!(cache.get("rsc").is_none());
        assert!(cache.get("other").is_some());
        cache.invalidate(3, &["/isr*".into()]);
        assert!(cache.get("other").is_none());
    }
}
