//! The AWS endpoint the edge's workers see (`AWS_ENDPOINT_URL`), on its own
//! loopback port, so an OpenNext bundle finds its cache, tags, queue and
//! images without any request leaving the machine. It grants what the
//! functions' execution role grants on AWS, no more:
//! - S3 (path-style, bucket [`BUCKET`]): `GetObject`/`HeadObject` read the
//!   local object store with S3's headers (`Last-Modified` included, from
//!   which OpenNext tells a stale ISR entry); `PutObject`/`DeleteObject`
//!   write only under the project's ISR cache prefix
//!   (`<asset prefix>/_cache/`), where the server stores a regenerated
//!   page; any other write is `AccessDenied`.
//! - DynamoDB: the project's tag table (`facade_dynamodb`).
//! - SQS: the deployments' revalidation queues (`facade_sqs`).
//! - CloudFront: `CreateInvalidation` of the project's own distribution
//!   (`facade_cloudfront`), which OpenNext's `cloudfront` CDN invalidation
//!   sends after on-demand revalidation.
//!
//! Every other call is refused with an error naming it.

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE, ETAG};
use hyper::{Method, Request, Response, StatusCode};

use super::event::percent_decode;
use super::response::{aws_json_error, full, EdgeBody};
use super::stored::object_response;
use super::{facade_cloudfront, facade_dynamodb, facade_sqs, SharedSite, Site};
use crate::model::asset_manifest::CACHE_FOLDER;
use crate::traits::{ObjectBody, PutOptions};

/// The bucket name workers are given; the facade serves only this one.
pub(crate) const BUCKET: &str = "anchor-local-assets";
/// The largest request body the facade reads: far above any ISR entry.
const MAX_BODY: usize = 64 * 1024 * 1024;

/// Answers one AWS API call from a worker.
pub(crate) async fn answer(site: &SharedSite, request: Request<Incoming>) -> Response<EdgeBody> {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let target = header(&request, "x-amz-target");
    let response = dispatch(site, request).await;
    tracing::debug!(
        target: "anchor_core::edge::facade",
        %method,
        %path,
        target,
        status = response.status().as_u16(),
        "worker AWS call"
    );
    response
}

fn header<B>(request: &Request<B>, name: &str) -> String {
    request
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

async fn dispatch(site: &SharedSite, request: Request<Incoming>) -> Response<EdgeBody> {
    let target = header(&request, "x-amz-target");
    let (parts, body) = request.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => {
            return aws_json_error(
                StatusCode::BAD_REQUEST,
                "RequestEntityTooLarge",
                &format!("the request body could not be read: {e}"),
            )
        }
    };
    if let Some(operation) = target.strip_prefix("DynamoDB_20120810.") {
        return facade_dynamodb::answer(site, operation, &body).await;
    }
    if let Some(operation) = target.strip_prefix("AmazonSQS.") {
        return facade_sqs::answer(site, operation, &body).await;
    }
    if target.is_empty() && parts.uri.path().starts_with(facade_cloudfront::API_PREFIX) {
        return facade_cloudfront::answer(site, &parts.method, parts.uri.path(), &body).await;
    }
    if !target.is_empty() || parts.method == Method::POST && parts.uri.path() == "/" {
        return aws_json_error(
            StatusCode::BAD_REQUEST,
            "UnsupportedOperation",
            &format!("{target} is not available to functions on the local edge"),
        );
    }
    s3(site, &parts, body).await
}

async fn s3(site: &Site, parts: &hyper::http::request::Parts, body: Bytes) -> Response<EdgeBody> {
    let path = percent_decode(parts.uri.path(), false);
    let Some((bucket, key)) = path.trim_start_matches('/').split_once('/') else {
        return s3_error(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            "listing is not available",
        );
    };
    if bucket != BUCKET {
        return s3_error(StatusCode::NOT_FOUND, "NoSuchBucket", bucket);
    }
    let method = &parts.method;
    if *method == Method::PUT || *method == Method::DELETE {
        if !may_write(site, key) {
            return s3_error(
                StatusCode::FORBIDDEN,
                "AccessDenied",
                &format!("functions may write only under {}", cache_prefix(site)),
            );
        }
        if parts
            .uri
            .query()
            .is_some_and(|q| !q.split('&').all(|p| p.starts_with("x-id=")))
        {
            return s3_error(
                StatusCode::NOT_IMPLEMENTED,
                "NotImplemented",
                "only PutObject and DeleteObject of whole objects are available",
            );
        }
        return if *method == Method::PUT {
            put_object(site, parts, key, body).await
        } else {
            delete_object(site, key).await
        };
    }
    if *method != Method::GET && *method != Method::HEAD {
        return s3_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            &format!("{method} is not available to functions on the local edge"),
        );
    }
    match object_response(site, key, method).await {
        Ok(Some(response)) => response,
        Ok(None) => s3_error(StatusCode::NOT_FOUND, "NoSuchKey", key),
        Err(e) => s3_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            &e.to_string(),
        ),
    }
}

/// `<asset prefix>/_cache/`: the ISR cache, the only place the server's
/// role may write.
fn cache_prefix(site: &Site) -> String {
    format!("{}/{CACHE_FOLDER}/", site.config.infra.asset_prefix)
}

fn may_write(site: &Site, key: &str) -> bool {
    let prefix = cache_prefix(site);
    key.starts_with(&prefix)
        && key.len() > prefix.len()
        && crate::local::validate_key(key).is_ok()
        && !key.split('/').any(|segment| segment == "..")
}

async fn put_object(
    site: &Site,
    parts: &hyper::http::request::Parts,
    key: &str,
    body: Bytes,
) -> Response<EdgeBody> {
    let chunked = parts
        .headers
        .get("content-encoding")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("aws-chunked"));
    if chunked {
        return s3_error(
            StatusCode::NOT_IMPLEMENTED,
            "NotImplemented",
            "aws-chunked uploads are not available on the local edge",
        );
    }
    let text = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let options = PutOptions {
        content_type: text("content-type"),
        cache_control: text("cache-control"),
        ..PutOptions::default()
    };
    match site
        .backend()
        .objects
        .put(key, ObjectBody::Bytes(body.to_vec()), &options)
        .await
    {
        Ok(meta) => {
            let mut response = Response::new(full(""));
            let etag = format!(
                "\"{}\"",
                meta.sha256.unwrap_or_else(|| meta.size.to_string())
            );
            if let Ok(value) = HeaderValue::from_str(&etag) {
                response.headers_mut().insert(ETAG, value);
            }
            response
        }
        Err(e) => s3_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            &e.to_string(),
        ),
    }
}

async fn delete_object(site: &Site, key: &str) -> Response<EdgeBody> {
    match site.backend().objects.delete(key).await {
        Ok(_) => {
            let mut response = Response::new(full(""));
            *response.status_mut() = StatusCode::NO_CONTENT;
            response
        }
        Err(e) => s3_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            &e.to_string(),
        ),
    }
}

fn s3_error(status: StatusCode, code: &str, detail: &str) -> Response<EdgeBody> {
    let escaped = detail
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{escaped}</Message></Error>"
    );
    let mut response = Response::new(full(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/xml"));
    response
}
