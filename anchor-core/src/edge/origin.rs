//! What CloudFront sends to an origin, and what the origin answers before
//! the function or the object is reached:
//! - S3 behind an S3 origin access control answers a missing key with
//!   `403 AccessDenied`, because CloudFront may only `GetObject`;
//! - a Function URL behind a Lambda origin access control refuses a request
//!   with a body unless the viewer sent `x-amz-content-sha256`, and the
//!   viewer's `Authorization` is replaced by CloudFront's signature;
//! - with `AllViewerExceptHostHeader` every viewer header but `Host` is
//!   forwarded as sent (a client's `X-Forwarded-Host` included), and the
//!   origin sees its own host name.

use bytes::Bytes;
use hyper::header::{HeaderName, HeaderValue, AUTHORIZATION, CONTENT_TYPE, HOST};
use hyper::http::request::Parts;
use hyper::{Response, StatusCode};

use super::response::{full, EdgeBody};
use crate::model::{BehaviourSpec, OriginSigning};

/// The header a viewer must send for a signed request with a body to reach
/// a Lambda origin.
const CONTENT_SHA256: &str = "x-amz-content-sha256";

pub(crate) use crate::local::function_url_host;

/// Lambda's answer to an unsigned request to an `AWS_IAM` Function URL.
pub(crate) fn forbidden() -> Response<EdgeBody> {
    let mut response = Response::new(full(r#"{"Message":"Forbidden"}"#));
    *response.status_mut() = StatusCode::FORBIDDEN;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// Turns the viewer's request into the request CloudFront sends to a
/// Function URL origin of `behaviour` at `url_host`; `Err` is the answer
/// the origin gives instead of running the function.
pub(crate) fn to_function_origin(
    parts: &mut Parts,
    body: &Bytes,
    behaviour: &BehaviourSpec,
    url_host: &str,
    viewer_ip: &str,
) -> Result<(), Box<Response<EdgeBody>>> {
    let headers = &mut parts.headers;
    if behaviour.origin_request_policy.is_none() {
        // Only the cache key is forwarded; the policies in use key on no
        // header, so none reaches the origin.
        headers.clear();
    }
    if behaviour.origin_signing == Some(OriginSigning::Lambda) {
        if !body.is_empty() && !headers.contains_key(CONTENT_SHA256) {
            return Err(Box::new(signature_mismatch()));
        }
        headers.insert(
            AUTHORIZATION,
            HeaderValue::from_static(CLOUDFRONT_SIGNATURE),
        );
        headers.insert(
            HeaderName::from_static("x-amz-date"),
            HeaderValue::from_static("20260101T000000Z"),
        );
    }
    if let Ok(host) = HeaderValue::from_str(url_host) {
        headers.insert(HOST, host);
    }
    let forwarded_for = match headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()) {
        Some(earlier) => format!("{earlier}, {viewer_ip}"),
        None => viewer_ip.to_string(),
    };
    if let Ok(value) = HeaderValue::from_str(&forwarded_for) {
        headers.insert(HeaderName::from_static("x-forwarded-for"), value);
    }
    headers.insert(
        HeaderName::from_static("via"),
        HeaderValue::from_static("2.0 local.anchor.localhost (CloudFront)"),
    );
    Ok(())
}

/// The SigV4 `Authorization` CloudFront sends in place of the viewer's.
const CLOUDFRONT_SIGNATURE: &str = "AWS4-HMAC-SHA256 Credential=CLOUDFRONT/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=0000000000000000000000000000000000000000000000000000000000000000";

/// Lambda's answer to a signed request whose payload hash is missing.
fn signature_mismatch() -> Response<EdgeBody> {
    let body = r#"{"Message":"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."}"#;
    let mut response = Response::new(full(body));
    *response.status_mut() = StatusCode::FORBIDDEN;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(
        HeaderName::from_static("x-amzn-errortype"),
        HeaderValue::from_static("InvalidSignatureException"),
    );
    response
}

/// The key S3 reads for request `path` (decoded, with its leading `/`)
/// under the asset origin's path, the project's prefix.
pub(crate) fn s3_key(asset_prefix: &str, path: &str) -> String {
    let prefix = asset_prefix.trim_matches('/');
    let path = path.trim_start_matches('/');
    if prefix.is_empty() {
        path.to_string()
    } else {
        format!("{prefix}/{path}")
    }
}

/// S3's answer to a missing key when the caller may not list the bucket.
pub(crate) fn s3_access_denied() -> Response<EdgeBody> {
    let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>";
    let mut response = Response::new(full(body));
    *response.status_mut() = StatusCode::FORBIDDEN;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/xml"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DistributionLayout, RouteTarget};

    fn parts(method: &str, headers: &[(&str, &str)]) -> Parts {
        let mut builder = hyper::Request::builder().method(method).uri("/api/echo");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(()).unwrap().into_parts().0
    }

    #[test]
    fn a_signed_lambda_origin_refuses_a_body_without_its_hash() {
        let server = DistributionLayout::Behaviours.behaviour(RouteTarget::ServerFunction);
        let mut post = parts("POST", &[]);
        let refused = to_function_origin(
            &mut post,
            &Bytes::from_static(b"{}"),
            &server,
            "fn",
            "1.2.3.4",
        )
        .unwrap_err();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        let mut signed = parts("POST", &[(CONTENT_SHA256, "abc")]);
        assert!(to_function_origin(
            &mut signed,
            &Bytes::from_static(b"{}"),
            &server,
            "fn",
            "1.2.3.4"
        )
        .is_ok());
        let mut get = parts("GET", &[]);
        assert!(to_function_origin(&mut get, &Bytes::new(), &server, "fn", "1.2.3.4").is_ok());
    }

    #[test]
    fn the_origin_sees_its_own_host_and_the_viewers_other_headers() {
        let server = DistributionLayout::Behaviours.behaviour(RouteTarget::ServerFunction);
        let mut p = parts(
            "GET",
            &[
                ("host", "www.example.com"),
                ("x-forwarded-host", "evil.example"),
                ("authorization", "Bearer token"),
            ],
        );
        to_function_origin(
            &mut p,
            &Bytes::new(),
            &server,
            "fn--live.lambda-url.anchor.localhost",
            "1.2.3.4",
        )
        .unwrap();
        assert_eq!(p.headers[HOST], "fn--live.lambda-url.anchor.localhost");
        assert_eq!(p.headers["x-forwarded-host"], "evil.example");
        assert!(p.headers[AUTHORIZATION]
            .to_str()
            .unwrap()
            .starts_with("AWS4-HMAC-SHA256"));
        assert_eq!(p.headers["x-forwarded-for"], "1.2.3.4");
    }

    #[test]
    fn s3_keys_sit_under_the_origin_path() {
        assert_eq!(s3_key("shop", "/robots.txt"), "shop/robots.txt");
        assert_eq!(
            s3_key("/shop/", "/_next/static/a.js"),
            "shop/_next/static/a.js"
        );
        assert_eq!(s3_key("", "/a"), "a");
    }
}
