//! The AWS endpoint the edge's workers see (`AWS_ENDPOINT_URL`), on its own
//! loopback port, so an OpenNext bundle finds its cache and images without
//! any request leaving the machine:
//! - S3 `GetObject`/`HeadObject` (path-style) read the local object store,
//!   so the server reads its build's ISR cache and the image optimiser its
//!   source images, exactly where the deploy stored them;
//! - S3 writes are refused (`AccessDenied`): a revalidation's cache write
//!   fails quietly, as OpenNext treats any cache error, and the build's
//!   prerendered pages stay what is served;
//! - DynamoDB reads answer empty (no tag was revalidated) and SQS, like
//!   every other call, is refused.

use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};

use super::event::percent_decode;
use super::response::{full, EdgeBody};
use super::stored::object_response;
use super::Site;

/// The bucket name workers are given; the facade serves only this one.
pub(crate) const BUCKET: &str = "anchor-local-assets";

/// Answers one AWS API call from a worker.
pub(crate) async fn answer<B>(site: &Site, request: &Request<B>) -> Response<EdgeBody> {
    let response = dispatch(site, request).await;
    tracing::debug!(
        target: "anchor_core::edge::facade",
        method = %request.method(),
        path = %request.uri().path(),
        target = request.headers().get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or(""),
        status = response.status().as_u16(),
        "worker AWS call"
    );
    response
}

async fn dispatch<B>(site: &Site, request: &Request<B>) -> Response<EdgeBody> {
    let target = request
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if let Some(operation) = target.strip_prefix("DynamoDB_20120810.") {
        return dynamodb(operation);
    }
    if !target.is_empty() || request.method() == Method::POST && request.uri().path() == "/" {
        return aws_json_error(
            StatusCode::BAD_REQUEST,
            "UnsupportedOperation",
            &format!("{target} is not available to functions on the local edge"),
        );
    }
    s3(site, request).await
}

fn dynamodb(operation: &str) -> Response<EdgeBody> {
    let body = match operation {
        "Query" | "Scan" => r#"{"Count":0,"Items":[],"ScannedCount":0}"#,
        "GetItem" => "{}",
        "BatchGetItem" => r#"{"Responses":{},"UnprocessedKeys":{}}"#,
        _ => {
            return aws_json_error(
                StatusCode::BAD_REQUEST,
                "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
                "the local edge keeps no tag cache; writes are not stored",
            )
        }
    };
    let mut response = Response::new(full(body));
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/x-amz-json-1.0"),
    );
    response
}

async fn s3<B>(site: &Site, request: &Request<B>) -> Response<EdgeBody> {
    let path = percent_decode(request.uri().path(), false);
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
    let method = request.method();
    if method != Method::GET && method != Method::HEAD {
        return s3_error(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            "the local edge's object store is read-only to functions",
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

fn aws_json_error(status: StatusCode, kind: &str, message: &str) -> Response<EdgeBody> {
    let body = serde_json::json!({"__type": kind, "message": message}).to_string();
    let mut response = Response::new(full(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/x-amz-json-1.0"),
    );
    response
}
