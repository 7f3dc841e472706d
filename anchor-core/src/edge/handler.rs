//! One viewer request: pick the deployment (live, or a preview by host
//! name), match the route, and answer from the object store or a function.

use std::net::SocketAddr;

use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::{HOST, IF_NONE_MATCH};
use hyper::{Request, Response, StatusCode};

use super::event::{from_result, percent_decode, to_event};
use super::pool::PoolError;
use super::response::{text, EdgeBody};
use super::router::target_of;
use super::runtime::node_missing;
use super::worker::StartError;
use super::{assets, Site};
use crate::model::{Deployment, RouteTarget};

/// Which deployment a request is for.
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
    let selected = select(&host);
    let path = percent_decode(request.uri().path(), false);
    let target = target_of(&site.config.routes, &path);
    let started = std::time::Instant::now();
    let response = match dispatch(site, request, client, &host, selected, target, &path).await {
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

async fn dispatch(
    site: &Site,
    request: Request<Incoming>,
    client: SocketAddr,
    host: &str,
    selected: Selected,
    target: RouteTarget,
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
            None => {
                return Ok(text(
                    StatusCode::NOT_FOUND,
                    format!(
                        "project {} has no deployment v{version}\n",
                        site.config.project
                    ),
                ))
            }
        },
    };
    match target {
        RouteTarget::Assets { .. } => {
            let rel = path.trim_start_matches('/');
            let deployment = match preview {
                Some(d) => Some(d),
                // Shared hashed files need no deployment.
                None if rel.starts_with("_next/static/") => None,
                None => site.active_deployment().await?,
            };
            let if_none_match = request.headers().get(IF_NONE_MATCH).cloned();
            assets::serve(
                site,
                deployment.as_ref(),
                rel,
                request.method(),
                if_none_match.as_ref(),
            )
            .await
        }
        RouteTarget::ServerFunction | RouteTarget::ImageFunction => {
            let image = target == RouteTarget::ImageFunction;
            let function = if image {
                &site.config.infra.image_function
            } else {
                &site.config.infra.server_function
            };
            let version = match &preview {
                Some(d) => version_of(d, image),
                None => site.live_version(function).await?,
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
            invoke(site, request, client, host, function, &version).await
        }
    }
}

fn version_of(deployment: &Deployment, image: bool) -> Option<String> {
    let version = if image {
        &deployment.image_version
    } else {
        &deployment.server_version
    };
    version.as_ref().map(|v| v.version.clone())
}

async fn invoke(
    site: &Site,
    request: Request<Incoming>,
    client: SocketAddr,
    host: &str,
    function: &str,
    version: &str,
) -> crate::Result<Response<EdgeBody>> {
    let Some(pool) = site.pool(function, version).await? else {
        return Ok(text(
            StatusCode::BAD_GATEWAY,
            format!("{function}:{version} does not exist (deleted?)\n"),
        ));
    };
    let (parts, body) = request.into_parts();
    let limit = site.config.options.max_request_bytes;
    let body = match Limited::new(body, limit).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            return Ok(text(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the request body is over the function limit of {limit} bytes\n"),
            ))
        }
    };
    let event = to_event(&parts, &body, client, host);
    let label = format!("{function}:{version}");
    // The invocation runs on its own task: a client that disconnects drops
    // this future, and that must not kill a worker mid-request (Lambda too
    // finishes an invocation whose caller went away).
    let timeout = site.config.options.request_timeout;
    let invocation = tokio::spawn(async move { pool.invoke(&event, timeout).await });
    let outcome = invocation.await.unwrap_or_else(|e| {
        Err(PoolError::Crashed(format!(
            "the invocation task failed: {e}"
        )))
    });
    Ok(match outcome {
        Ok(result) => from_result(result).unwrap_or_else(|reason| {
            text(StatusCode::BAD_GATEWAY, format!("{label} returned an invalid response: {reason}\n"))
        }),
        Err(PoolError::Start(StartError::NodeMissing(node))) => {
            text(StatusCode::BAD_GATEWAY, format!("{}\n", node_missing(&node)))
        }
        Err(PoolError::Start(StartError::Failed(reason))) => {
            text(StatusCode::BAD_GATEWAY, format!("{reason}\n"))
        }
        Err(PoolError::Crashed(report)) => text(
            StatusCode::BAD_GATEWAY,
            format!("{label} crashed while handling this request; a new worker is starting.\n{report}\n"),
        ),
        Err(PoolError::TimedOut) => text(
            StatusCode::GATEWAY_TIMEOUT,
            format!(
                "{label} did not answer within {} s; the worker was replaced\n",
                site.config.options.request_timeout.as_secs_f64()
            ),
        ),
        Err(PoolError::Handler(message)) => {
            tracing::warn!(target: "anchor_core::edge", "{label} threw: {message}");
            text(StatusCode::BAD_GATEWAY, format!("{label} threw an error:\n{message}\n"))
        }
    })
}
