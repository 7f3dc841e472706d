//! The response side of the distribution, as CloudFront applies it to what
//! an origin answered: caching under the behaviour's cache policy, edge
//! compression, conditional requests, and the headers CloudFront adds
//! (`X-Cache`, `Via`, `Age` on a hit, `X-Amz-Cf-Id`, `X-Amz-Cf-Pop`).

use std::time::Instant;

use http_body_util::{BodyExt, Limited};
use hyper::header::{HeaderName, HeaderValue, AGE, CONTENT_LENGTH, ETAG};
use hyper::{Method, Response, StatusCode};

use super::cache::{ttl_of, Cached, EdgeCache, Encoding, MAX_CACHED_BODY};
use super::compress;
use super::response::{full, EdgeBody};
use crate::model::CachePolicySettings;

/// Where an answer came from, for `X-Cache`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Hit,
    Miss,
    /// A viewer-request function answered itself.
    Function,
}

/// What of the viewer's request decides the final answer.
#[derive(Debug, Clone)]
pub(crate) struct Viewer {
    pub method: Method,
    pub if_none_match: Option<HeaderValue>,
}

/// How one response is cached and encoded.
pub(crate) struct Policy<'a> {
    pub settings: &'a CachePolicySettings,
    /// The cache key, if CloudFront looks this request up at all.
    pub key: Option<String>,
    /// The request path and its query string (`/a?x=1`), which
    /// invalidations match.
    pub path: &'a str,
    /// The behaviour compresses.
    pub compress: bool,
    pub encoding: Encoding,
}

/// A response a viewer-request function made, as CloudFront sends it
/// (never cached).
pub(crate) fn from_function(mut response: Response<EdgeBody>) -> Response<EdgeBody> {
    stamp(&mut response, Outcome::Function);
    response
}

/// A cached response as CloudFront sends it from the cache.
pub(crate) fn from_cache(cached: Cached) -> Response<EdgeBody> {
    let age = cached.stored.elapsed().as_secs();
    let mut response = Response::new(full(cached.body));
    *response.status_mut() = cached.status;
    *response.headers_mut() = cached.headers;
    response.headers_mut().insert(AGE, HeaderValue::from(age));
    stamp(&mut response, Outcome::Hit);
    response
}

/// Applies the cache policy and compression to an origin's answer: the
/// body is read into memory when it is to be compressed or cached (and is
/// small enough), and stored when CloudFront would store it.
pub(crate) async fn settle(
    cache: &EdgeCache,
    response: Response<EdgeBody>,
    policy: Policy<'_>,
    viewer: &Viewer,
) -> Response<EdgeBody> {
    let status = response.status();
    let ttl = policy
        .key
        .as_ref()
        .filter(|_| viewer.method == Method::GET)
        .and_then(|_| ttl_of(status, response.headers(), policy.settings));
    let length = response
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let may_compress = policy.compress
        && compress::applies(
            policy.encoding,
            status,
            response.headers(),
            length.unwrap_or(compress::MIN_BYTES),
        );
    if (ttl.is_none() && !may_compress) || length.is_some_and(|len| len > MAX_CACHED_BODY) {
        let mut response = response;
        stamp(&mut response, Outcome::Miss);
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let body = match Limited::new(body, MAX_CACHED_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => {
            tracing::warn!(target: "anchor_core::edge", "reading an origin's answer failed: {e}");
            let mut failed = super::response::text(
                StatusCode::BAD_GATEWAY,
                "the origin's answer could not be read\n",
            );
            stamp(&mut failed, Outcome::Miss);
            return failed;
        }
    };
    let body = if policy.compress
        && compress::applies(policy.encoding, status, &parts.headers, body.len())
    {
        match compress::compress(policy.encoding, &mut parts.headers, &body) {
            Ok(encoded) => encoded,
            Err(e) => {
                tracing::warn!(target: "anchor_core::edge", "compression failed: {e}");
                body
            }
        }
    } else {
        body
    };
    if let (Some(key), Some(ttl)) = (policy.key, ttl) {
        let cached = Cached {
            status,
            headers: parts.headers.clone(),
            body: body.clone(),
            stored: Instant::now(),
        };
        cache.put(key, policy.path, cached, ttl);
    }
    let mut response = Response::from_parts(parts, full(body));
    stamp(&mut response, Outcome::Miss);
    response
}

/// The answer the viewer gets: a 304 when its `If-None-Match` names the
/// response's ETag (weakly compared, as CloudFront does), and no body for
/// HEAD.
pub(crate) fn deliver(response: Response<EdgeBody>, viewer: &Viewer) -> Response<EdgeBody> {
    let fresh = response.status() == StatusCode::OK
        && matches!(
            (
                response.headers().get(ETAG).and_then(|v| v.to_str().ok()),
                viewer.if_none_match.as_ref().and_then(|v| v.to_str().ok()),
            ),
            (Some(etag), Some(wanted)) if wanted.split(',').any(|w| {
                let w = w.trim();
                w == "*" || weak(w) == weak(etag)
            })
        );
    if !fresh && viewer.method != Method::HEAD {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    if fresh {
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(CONTENT_LENGTH);
    }
    Response::from_parts(parts, full(""))
}

fn weak(etag: &str) -> &str {
    etag.strip_prefix("W/").unwrap_or(etag)
}

/// The headers CloudFront adds to every answer.
fn stamp(response: &mut Response<EdgeBody>, outcome: Outcome) {
    let x_cache = match outcome {
        Outcome::Hit => "Hit from cloudfront",
        Outcome::Function => "FunctionGeneratedResponse from cloudfront",
        Outcome::Miss if response.status().as_u16() >= 400 => "Error from cloudfront",
        Outcome::Miss => "Miss from cloudfront",
    };
    let headers = response.headers_mut();
    headers.insert(
        HeaderName::from_static("x-cache"),
        HeaderValue::from_static(x_cache),
    );
    headers.insert(
        HeaderName::from_static("via"),
        HeaderValue::from_static("1.1 local.anchor.localhost (CloudFront)"),
    );
    headers.insert(
        HeaderName::from_static("x-amz-cf-pop"),
        HeaderValue::from_static("LOCAL-EDGE"),
    );
    if let Ok(id) = HeaderValue::from_str(&ulid::Ulid::new().to_string()) {
        headers.insert(HeaderName::from_static("x-amz-cf-id"), id);
    }
}
