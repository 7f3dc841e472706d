//! The asset behaviours' origin: the bucket under the project's prefix,
//! read through an S3 origin access control. The request path is the key
//! under the origin path, nothing more: a file that a deployment stored
//! under `deployments/<id>/` is not found at `/<file>`, and S3 answers a
//! missing key with 403, since CloudFront may not list the bucket.

use hyper::{Method, Response};

use super::origin::{s3_access_denied, s3_key};
use super::response::EdgeBody;
use super::stored::object_response;
use super::Site;
use crate::error::Result;

/// S3's answer for the asset at `path` (URL-decoded, with its leading `/`).
pub(crate) async fn serve(site: &Site, path: &str, method: &Method) -> Result<Response<EdgeBody>> {
    serve_under(site, &site.config.infra.asset_prefix, path, method).await
}

/// S3's answer for `path` under the origin path `prefix`, as the router
/// picks it for a deployment's public files.
pub(crate) async fn serve_under(
    site: &Site,
    prefix: &str,
    path: &str,
    method: &Method,
) -> Result<Response<EdgeBody>> {
    let key = s3_key(prefix, path);
    let found = object_response(site, &key, method).await?;
    Ok(found.unwrap_or_else(s3_access_denied))
}
