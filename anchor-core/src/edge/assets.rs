//! Asset routes: which stored object a path of a deployment is, sent with
//! the headers S3 would send and a 304 for a matching If-None-Match.

use hyper::header::HeaderValue;
use hyper::{Method, Response, StatusCode};

use super::response::{text, EdgeBody};
use super::stored::object_response;
use super::Site;
use crate::error::Result;
use crate::flows::manifest;
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
    let found = object_response(site, &key, method, if_none_match).await?;
    Ok(found.unwrap_or_else(|| not_found(path)))
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
