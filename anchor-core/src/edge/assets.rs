//! Asset routes: files from the local object store with the headers S3
//! would send (Content-Type, Cache-Control, ETag, Content-Length), and a
//! 304 for a matching If-None-Match.

use hyper::header::{HeaderValue, CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, ETAG};
use hyper::{Method, Response, StatusCode};

use super::response::{file_body, full, text, EdgeBody};
use super::Site;
use crate::error::Result;
use crate::flows::manifest;
use crate::local::validate_key;
use crate::model::Deployment;

/// Hashed build output: stored once under the project's prefix and shared
/// by every deployment, so a page of an older deployment still finds them.
const SHARED_PREFIX: &str = "_next/static/";

/// Serves the asset at `path` (URL-decoded, without the leading `/`) of
/// `deployment`: the file its manifest lists, or a shared hashed file.
pub(crate) async fn serve(
    site: &Site,
    deployment: Option<&Deployment>,
    path: &str,
    method: &Method,
    if_none_match: Option<&HeaderValue>,
) -> Result<Response<EdgeBody>> {
    let Some(key) = stored_key(site, deployment, path).await? else {
        return Ok(not_found(path));
    };
    if validate_key(&key).is_err() {
        return Ok(not_found(path));
    }
    let Some(meta) = site.services().objects.head(&key).await? else {
        return Ok(not_found(path));
    };
    let etag = meta.sha256.as_ref().map(|sha| format!("\"{sha}\""));
    let fresh = matches!(
        (etag.as_deref(), if_none_match.and_then(|v| v.to_str().ok())),
        (Some(etag), Some(wanted)) if wanted.split(',').any(|w| w.trim() == etag || w.trim() == "*")
    );
    let mut response = if fresh {
        let mut response = Response::new(full(""));
        *response.status_mut() = StatusCode::NOT_MODIFIED;
        response
    } else if method == Method::HEAD {
        let mut response = Response::new(full(""));
        response
            .headers_mut()
            .insert(CONTENT_LENGTH, HeaderValue::from(meta.size));
        response
    } else {
        let path = site.cloud().objects().path_of(&key);
        match tokio::fs::File::open(&path).await {
            Ok(file) => {
                let mut response = Response::new(file_body(file));
                response
                    .headers_mut()
                    .insert(CONTENT_LENGTH, HeaderValue::from(meta.size));
                response
            }
            // Deleted between the head and the open.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(not_found(&key)),
            Err(e) => return Err(crate::Error::io(&path, e)),
        }
    };
    let headers = response.headers_mut();
    let content_type = meta
        .content_type
        .unwrap_or_else(|| "binary/octet-stream".into());
    for (name, value) in [
        (CONTENT_TYPE, Some(content_type)),
        (CACHE_CONTROL, meta.cache_control),
        (ETAG, etag),
    ] {
        if let Some(value) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
            headers.insert(name, value);
        }
    }
    Ok(response)
}

/// The key holding `path` for this deployment, if any.
async fn stored_key(
    site: &Site,
    deployment: Option<&Deployment>,
    path: &str,
) -> Result<Option<String>> {
    let infra = &site.project_infrastructure();
    if let Some(deployment) = deployment {
        if let Some(found) = manifest::load(site.services(), infra, &deployment.id).await? {
            if let Some(entry) = found.files.get(path) {
                return Ok(Some(entry.stored_key.clone()));
            }
        }
    }
    Ok(path
        .starts_with(SHARED_PREFIX)
        .then(|| manifest::shared_key(infra, path)))
}

/// S3 answers a missing key behind CloudFront with an error page; the
/// edge says which path it was.
fn not_found(path: &str) -> Response<EdgeBody> {
    text(StatusCode::NOT_FOUND, format!("not found: /{path}\n"))
}
