//! One viewer request, as the project's distribution handles it: pick the
//! deployment (live, or a preview by host name), match the behaviour, look
//! in the edge cache, ask the behaviour's origin (the asset bucket or a
//! Function URL) the way CloudFront asks it, then cache, compress and
//! answer as CloudFront would.

use std::net::SocketAddr;

use hyper::body::Incoming;
use hyper::header::{HOST, IF_NONE_MATCH};
use hyper::http::request::Parts;
use hyper::{Method, Request, Response, StatusCode};

use super::cache::{key_of, Encoding};
use super::cdn::{deliver, from_cache, from_function, settle, Policy, Viewer};
use super::event::percent_decode;
use super::invoke::{invoke, read_body, UrlTarget};
use super::origin::{function_url_host, to_function_origin};
use super::response::{text, EdgeBody};
use super::router::target_of;
use super::router_host::RouterAnswer;
use super::viewer_event::{apply_request, is_response, to_response, to_viewer_event};
use super::viewer_response::{apply_response, runs_on, to_response_event};
use super::{assets, function_url, routed_origin, Site};
use crate::model::{BehaviourSpec, Deployment, OriginKind};

/// Which deployment a request is for.
#[derive(Debug, Clone, Copy)]
enum Selected {
    /// Whatever is live now.
    Live,
    /// `v<N>.localhost`: that deployment, live or not.
    Version(u64),
}

/// Answers one request; never fails; errors become 5xx responses that say
/// what went wrong.
pub(crate) async fn handle(
    site: &Site,
    request: Request<Incoming>,
    client: SocketAddr,
) -> Response<EdgeBody> {
    let host = request
        .headers()
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost")
        .to_string();
    if let Some((function, alias)) = function_url::addressed(&host) {
        let (parts, body) = request.into_parts();
        return function_url::answer(site, parts, body, client, &function, &alias)
            .await
            .unwrap_or_else(|e| {
                text(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("local Function URL error: {e}\n"),
                )
            });
    }
    let selected = select(&host);
    let path = percent_decode(request.uri().path(), false);
    let behaviour = site
        .config
        .infra
        .layout()
        .behaviour(target_of(&site.config.routes, &path));
    let started = std::time::Instant::now();
    let response = match serve(site, request, client, selected, behaviour, &path).await {
        Ok(response) => response,
        Err(e) => text(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("local edge error: {e}\n"),
        ),
    };
    tracing::debug!(
        target: "anchor_core::edge",
        %host, %path, status = response.status().as_u16(), elapsed_ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}

fn select(host: &str) -> Selected {
    let label = host.split(['.', ':']).next().unwrap_or("");
    label
        .strip_prefix('v')
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|n| n.parse().ok())
        .map_or(Selected::Live, Selected::Version)
}

async fn serve(
    site: &Site,
    request: Request<Incoming>,
    client: SocketAddr,
    selected: Selected,
    behaviour: BehaviourSpec,
    path: &str,
) -> crate::Result<Response<EdgeBody>> {
    let (mut parts, body) = request.into_parts();
    let viewer = Viewer {
        method: parts.method.clone(),
        if_none_match: parts.headers.get(IF_NONE_MATCH).cloned(),
    };
    if !behaviour.all_methods && !matches!(parts.method, Method::GET | Method::HEAD) {
        let refused = text(
            StatusCode::FORBIDDEN,
            "This distribution is not configured to allow the HTTP request method that was used for this request.\n",
        );
        return Ok(deliver(refused, &viewer));
    }
    let mut routed = None;
    // The viewer-request event, kept for the viewer-response function when
    // the behaviour has one: same context, same request id, and the
    // request as the viewer sent it.
    let mut request_event = None;
    if let (true, Some(router)) = (behaviour.viewer_request, &site.config.router) {
        // The function picks the deployment, previews (`v<N>.localhost`)
        // included, as it does on the distribution.
        let infra = &site.config.infra;
        let event = to_viewer_event(
            &parts,
            client,
            &infra.distribution_id,
            &infra.distribution_domain,
        );
        let answer = match router.run(event.clone()).await {
            Ok(answer) => answer,
            // CloudFront answers 503 when it cannot run the function; the
            // router host has logged why.
            Err(e) => RouterAnswer::failed(e),
        };
        if is_response(&answer.result) {
            return Ok(deliver(from_function(to_response(&answer.result)), &viewer));
        }
        if let Err(reason) = apply_request(&mut parts, &answer.result) {
            return Ok(text(StatusCode::BAD_GATEWAY, format!("{reason}\n")));
        }
        routed = answer.origin;
        request_event = behaviour.viewer_response.then_some(event);
    }
    let settings = behaviour.cache_policy.settings();
    let encoding = Encoding::negotiate(&parts.headers, &settings);
    let scope = match selected {
        Selected::Live => "live".to_string(),
        Selected::Version(version) => format!("v{version}"),
    };
    let key = key_of(&scope, behaviour.origin, &parts, &settings, encoding);
    // CloudFront matches an invalidation path against the object's path
    // with its query string: `/a` does not remove `/a?x=1`, `/a*` does.
    let invalidation_path = match parts.uri.query() {
        Some(query) => format!("{path}?{query}"),
        None => path.to_string(),
    };
    if let Some(key) = &key {
        site.apply_invalidations().await?;
        if let Some(hit) = site.cache().get(key) {
            let hit = respond(site, request_event.as_ref(), from_cache(hit)).await;
            return Ok(deliver(hit, &viewer));
        }
    }
    let answer = match routed {
        Some(origin) => routed_origin::ask(site, parts, body, client, &behaviour, &origin).await?,
        None => ask_origin(site, parts, body, client, selected, &behaviour, path).await?,
    };
    let policy = Policy {
        settings: &settings,
        key,
        path: &invalidation_path,
        compress: behaviour.compress,
        encoding,
    };
    let settled = settle(site.cache(), answer, policy, &viewer).await;
    let settled = respond(site, request_event.as_ref(), settled).await;
    Ok(deliver(settled, &viewer))
}

/// `response` after the router's viewer-response function, when the
/// behaviour has one (`request_event` is then the viewer-request event)
/// and CloudFront would run it on this status. A function that fails
/// turns the answer into CloudFront's 503, as it does there.
async fn respond(
    site: &Site,
    request_event: Option<&serde_json::Value>,
    mut response: Response<EdgeBody>,
) -> Response<EdgeBody> {
    let (Some(event), Some(router)) = (request_event, &site.config.router) else {
        return response;
    };
    if !runs_on(response.status()) {
        return response;
    }
    let answer = match router.run(to_response_event(event, &response)).await {
        Ok(answer) => answer,
        Err(e) => RouterAnswer::failed(e),
    };
    if answer.failed {
        return from_function(to_response(&answer.result));
    }
    match apply_response(&mut response, &answer.result) {
        Ok(()) => response,
        Err(reason) => from_function(to_response(&RouterAnswer::failed(reason).result)),
    }
}

/// The origin's answer to the request CloudFront sends it.
async fn ask_origin(
    site: &Site,
    mut parts: Parts,
    body: Incoming,
    client: SocketAddr,
    selected: Selected,
    behaviour: &BehaviourSpec,
    path: &str,
) -> crate::Result<Response<EdgeBody>> {
    let preview = match selected {
        Selected::Live => None,
        Selected::Version(version) => match site.deployment(version).await? {
            Some(d) if d.server_version.is_some() => Some(d),
            Some(d) => {
                return Ok(text(
                    StatusCode::NOT_FOUND,
                    format!(
                        "deployment v{version} is {} and has nothing to serve\n",
                        d.status
                    ),
                ))
            }
            None => return Ok(no_such_version(site, version)),
        },
    };
    let image = match behaviour.origin {
        OriginKind::Assets => return assets::serve(site, path, &parts.method).await,
        OriginKind::Server => false,
        OriginKind::Image => true,
    };
    let function = if image {
        &site.config.infra.image_function
    } else {
        &site.config.infra.server_function
    };
    let (version, qualifier) = match &preview {
        Some(d) => {
            let version = version_of(d, image);
            (version.clone(), version.unwrap_or_default())
        }
        None => (
            site.live_version(function).await?,
            site.config.infra.alias.clone(),
        ),
    };
    let Some(version) = version else {
        return Ok(text(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "nothing is deployed to {function} yet: deploy a build of {}\n",
                site.config.project
            ),
        ));
    };
    let body = match read_body(site, body).await {
        Ok(body) => body,
        Err(too_large) => return Ok(too_large),
    };
    let url_host = function_url_host(function, &qualifier);
    let viewer_ip = client.ip().to_string();
    if let Err(refused) = to_function_origin(&mut parts, &body, behaviour, &url_host, &viewer_ip) {
        return Ok(*refused);
    }
    let streaming_url = site
        .cloud()
        .functions()
        .url(function, &qualifier)
        .await?
        .map(|url| url.streaming);
    let target = UrlTarget {
        url_host: &url_host,
        function,
        version: &version,
        streaming: streaming_url,
    };
    invoke(site, parts, body, client, target).await
}

fn no_such_version(site: &Site, version: u64) -> Response<EdgeBody> {
    text(
        StatusCode::NOT_FOUND,
        format!(
            "project {} has no deployment v{version}\n",
            site.config.project
        ),
    )
}

fn version_of(deployment: &Deployment, image: bool) -> Option<String> {
    let version = if image {
        &deployment.image_version
    } else {
        &deployment.server_version
    };
    version.as_ref().map(|v| v.version.clone())
}
