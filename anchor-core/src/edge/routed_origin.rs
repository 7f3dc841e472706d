//! The origin the edge router picked with `cf.updateRequestOrigin`, asked
//! the way CloudFront asks it: the bucket under the chosen origin path, or
//! a deployment's Function URL, signed as the origin access control config
//! says (an `AWS_IAM` URL refuses what nobody signed).

use std::net::SocketAddr;

use hyper::body::Incoming;
use hyper::header::{HeaderName, HeaderValue};
use hyper::http::request::Parts;
use hyper::{Response, StatusCode};

use super::event::percent_decode;
use super::invoke::{invoke, read_body, UrlTarget};
use super::origin::{forbidden, to_function_origin};
use super::response::{text, EdgeBody};
use super::{assets, Site};
use crate::local::{parse_function_url_host, BUCKET_HOST};
use crate::model::{BehaviourSpec, OriginSigning};
use crate::traits::{FunctionUrlAuth, Functions as _};

/// The answer of the origin the router picked with `cf.updateRequestOrigin`:
/// the bucket under the given origin path, or a deployment's Function URL,
/// signed as its origin access control config says.
pub(crate) async fn ask(
    site: &Site,
    mut parts: Parts,
    body: Incoming,
    client: SocketAddr,
    behaviour: &BehaviourSpec,
    origin: &serde_json::Value,
) -> crate::Result<Response<EdgeBody>> {
    let domain = origin["domainName"].as_str().unwrap_or_default();
    let oac = &origin["originAccessControlConfig"];
    let signing = match (oac["enabled"].as_bool(), oac["originType"].as_str()) {
        (Some(true), Some("lambda")) => Some(OriginSigning::Lambda),
        (Some(true), Some("s3")) => Some(OriginSigning::S3),
        _ => None,
    };
    let path = percent_decode(parts.uri.path(), false);
    if domain == BUCKET_HOST {
        let prefix = origin["originPath"].as_str().unwrap_or_default();
        return assets::serve_under(site, prefix, &path, &parts.method).await;
    }
    let Some((function, alias)) = parse_function_url_host(domain) else {
        return Ok(text(
            StatusCode::BAD_GATEWAY,
            format!("the router chose an origin the local edge does not know: {domain:?}\n"),
        ));
    };
    let functions = site.cloud().functions();
    let version = functions
        .get_alias(function, alias)
        .await?
        .map(|a| a.routing.version);
    let (Some(version), Some(url)) = (version, functions.url(function, alias).await?) else {
        return Ok(text(
            StatusCode::NOT_FOUND,
            format!("{function}:{alias} has no Function URL\n"),
        ));
    };
    if url.auth == FunctionUrlAuth::AwsIam && signing != Some(OriginSigning::Lambda) {
        // An IAM-auth Function URL refuses what nobody signed.
        return Ok(forbidden());
    }
    let body = match read_body(site, body).await {
        Ok(body) => body,
        Err(too_large) => return Ok(too_large),
    };
    let forwarded = BehaviourSpec {
        origin_signing: signing,
        ..*behaviour
    };
    let viewer_ip = client.ip().to_string();
    if let Err(refused) = to_function_origin(&mut parts, &body, &forwarded, domain, &viewer_ip) {
        return Ok(*refused);
    }
    add_custom_headers(&mut parts, &origin["customHeaders"]);
    let target = UrlTarget {
        url_host: domain,
        function,
        version: &version,
        streaming: Some(url.streaming),
    };
    invoke(site, parts, body, client, target).await
}

/// The origin custom headers the router gave `cf.updateRequestOrigin`
/// (such as the origin secret), added as CloudFront adds them to the
/// request it sends the origin.
fn add_custom_headers(parts: &mut Parts, headers: &serde_json::Value) {
    let Some(headers) = headers.as_object() else {
        return;
    };
    for (name, value) in headers {
        let (Ok(name), Some(Ok(value))) = (
            HeaderName::from_bytes(name.as_bytes()),
            value.as_str().map(HeaderValue::from_str),
        ) else {
            continue;
        };
        parts.headers.insert(name, value);
    }
}
