//! A stored object as an HTTP response with the headers S3 sends for it
//! (Content-Type, Cache-Control, ETag, Last-Modified, Content-Length),
//! shared by the asset routes and the workers' S3 endpoint. OpenNext reads
//! an ISR entry's age from `Last-Modified`.

use hyper::header::{
    HeaderValue, CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, ETAG, LAST_MODIFIED,
};
use hyper::{Method, Response};

use super::response::{file_body, full, EdgeBody};
use super::Site;
use crate::error::{Error, Result};
use crate::local::validate_key;

/// S3's Content-Type for an object stored without one.
const DEFAULT_CONTENT_TYPE: &str = "binary/octet-stream";

/// The object at `key`, streamed from disk (no body for HEAD); `None` if
/// there is no such object.
pub(crate) async fn object_response(
    site: &Site,
    key: &str,
    method: &Method,
) -> Result<Option<Response<EdgeBody>>> {
    if validate_key(key).is_err() {
        return Ok(None);
    }
    let Some(meta) = site.backend().objects.head(key).await? else {
        return Ok(None);
    };
    let etag = meta.sha256.as_ref().map(|sha| format!("\"{sha}\""));
    let path = site.cloud().objects().path_of(key);
    let (mut response, modified) = if method == Method::HEAD {
        let modified = tokio::fs::metadata(&path)
            .await
            .ok()
            .and_then(|m| m.modified().ok());
        (Response::new(full("")), modified)
    } else {
        match tokio::fs::File::open(&path).await {
            Ok(file) => {
                let modified = file.metadata().await.ok().and_then(|m| m.modified().ok());
                (Response::new(file_body(file)), modified)
            }
            // Deleted between the head and the open.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(&path, e)),
        }
    };
    let headers = response.headers_mut();
    headers.insert(CONTENT_LENGTH, HeaderValue::from(meta.size));
    let content_type = meta
        .content_type
        .unwrap_or_else(|| DEFAULT_CONTENT_TYPE.into());
    for (name, value) in [
        (CONTENT_TYPE, Some(content_type)),
        (CACHE_CONTROL, meta.cache_control),
        (ETAG, etag),
        (LAST_MODIFIED, modified.map(httpdate::fmt_http_date)),
    ] {
        if let Some(value) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
            headers.insert(name, value);
        }
    }
    Ok(Some(response))
}
