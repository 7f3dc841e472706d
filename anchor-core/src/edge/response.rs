//! The edge's response body type and the small responses it makes itself.

use bytes::Bytes;
use http_body_util::{combinators::BoxBody, BodyExt, Full, StreamBody};
use hyper::body::Frame;
use hyper::header::{HeaderValue, CACHE_CONTROL, CONTENT_TYPE};
use hyper::{Response, StatusCode};

/// Every response body the edge sends: bytes in memory or a file streamed
/// from disk.
pub(crate) type EdgeBody = BoxBody<Bytes, std::io::Error>;

/// A body held in memory.
pub(crate) fn full(body: impl Into<Bytes>) -> EdgeBody {
    Full::new(body.into())
        .map_err(|never| match never {})
        .boxed()
}

/// A file sent in chunks, never read whole into memory.
pub(crate) fn file_body(file: tokio::fs::File) -> EdgeBody {
    let stream = futures::stream::try_unfold(file, |mut file| async move {
        use tokio::io::AsyncReadExt;
        let mut chunk = vec![0; 64 * 1024];
        let read = file.read(&mut chunk).await?;
        if read == 0 {
            return Ok(None);
        }
        chunk.truncate(read);
        Ok(Some((Frame::data(Bytes::from(chunk)), file)))
    });
    StreamBody::new(stream).boxed()
}

/// A plain-text response the edge makes itself (errors, not found). Never
/// cached, like CloudFront's own error pages by default.
pub(crate) fn text(status: StatusCode, message: impl Into<String>) -> Response<EdgeBody> {
    let mut response = Response::new(full(message.into()));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// An error in the AWS JSON protocols' shape (DynamoDB, SQS): `__type`
/// and `message`.
pub(crate) fn aws_json_error(status: StatusCode, kind: &str, message: &str) -> Response<EdgeBody> {
    let body = serde_json::json!({"__type": kind, "message": message}).to_string();
    let mut response = Response::new(full(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/x-amz-json-1.0"),
    );
    response
}

/// A successful AWS JSON protocol reply.
pub(crate) fn aws_json(body: &serde_json::Value) -> Response<EdgeBody> {
    let mut response = Response::new(full(body.to_string()));
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/x-amz-json-1.0"),
    );
    response
}
