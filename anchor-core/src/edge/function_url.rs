//! A request made straight to one of the project's local Function URLs
//! (`http://<function>--<alias>.lambda-url.anchor.localhost:<port>/`), not
//! through the distribution: what anyone who finds a Lambda Function URL
//! can send. Lambda answers it as the URL's auth type says (an `AWS_IAM`
//! URL refuses what nobody signed) and otherwise runs the function with
//! the request as sent: no router, no origin custom header, no cache.

use std::net::SocketAddr;

use hyper::body::Incoming;
use hyper::header::{HeaderName, HeaderValue, HOST};
use hyper::http::request::Parts;
use hyper::{Response, StatusCode};

use super::invoke::{invoke, read_body, UrlTarget};
use super::origin::forbidden;
use super::response::{text, EdgeBody};
use super::Site;
use crate::local::parse_function_url_host;
use crate::traits::{FunctionUrlAuth, Functions as _};

/// The function and alias of a request's `Host` (port ignored) when it
/// names a local Function URL, or `None` for the site's own hosts.
pub(crate) fn addressed(host: &str) -> Option<(String, String)> {
    let name = host.rsplit_once(':').map_or(host, |(name, port)| {
        if port.bytes().all(|b| b.is_ascii_digit()) {
            name
        } else {
            host
        }
    });
    parse_function_url_host(&name.to_ascii_lowercase())
        .map(|(function, alias)| (function.to_string(), alias.to_string()))
}

/// Lambda's answer to a direct request to `function`'s URL at `alias`.
pub(crate) async fn answer(
    site: &Site,
    mut parts: Parts,
    body: Incoming,
    client: SocketAddr,
    function: &str,
    alias: &str,
) -> crate::Result<Response<EdgeBody>> {
    let infra = &site.config.infra;
    if function != infra.server_function && function != infra.image_function {
        return Ok(no_url(function, alias));
    }
    let functions = site.cloud().functions();
    let version = functions
        .get_alias(function, alias)
        .await?
        .map(|a| a.routing.version);
    let (Some(version), Some(url)) = (version, functions.url(function, alias).await?) else {
        return Ok(no_url(function, alias));
    };
    if url.auth == FunctionUrlAuth::AwsIam {
        // Nobody signed it.
        return Ok(forbidden());
    }
    let body = match read_body(site, body).await {
        Ok(body) => body,
        Err(too_large) => return Ok(too_large),
    };
    let url_host = crate::local::function_url_host(function, alias);
    if let Ok(host) = HeaderValue::from_str(&url_host) {
        parts.headers.insert(HOST, host);
    }
    if let Ok(ip) = HeaderValue::from_str(&client.ip().to_string()) {
        parts
            .headers
            .insert(HeaderName::from_static("x-forwarded-for"), ip);
    }
    let target = UrlTarget {
        url_host: &url_host,
        function,
        version: &version,
        streaming: Some(url.streaming),
    };
    invoke(site, parts, body, client, target).await
}

fn no_url(function: &str, alias: &str) -> Response<EdgeBody> {
    text(
        StatusCode::NOT_FOUND,
        format!("{function}:{alias} has no Function URL in this project\n"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_url_hosts_are_told_from_the_sites_own() {
        assert_eq!(
            addressed("web-server--v2.lambda-url.anchor.localhost:3000"),
            Some(("web-server".into(), "v2".into()))
        );
        assert_eq!(
            addressed("web-image--live.lambda-url.anchor.localhost"),
            Some(("web-image".into(), "live".into()))
        );
        assert_eq!(addressed("127.0.0.1:3000"), None);
        assert_eq!(addressed("v2.localhost:3000"), None);
        assert_eq!(addressed("lambda-url.anchor.localhost"), None);
    }
}
