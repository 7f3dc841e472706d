//! Invoking a function through its Function URL, as Lambda does: the
//! request body read whole within Lambda's limit, the event sent to a
//! worker of the version's pool, and the answer (or the failure) as the
//! URL gives it. Shared by the distribution's origins and by direct
//! Function URL requests.

use std::net::SocketAddr;

use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::http::request::Parts;
use hyper::{Response, StatusCode};

use super::event::to_event;
use super::function_answer;
use super::pool::{PoolError, PoolLookup};
use super::response::{text, EdgeBody};
use super::runtime::node_missing;
use super::worker::StartError;
use super::Site;

/// The request body, read whole as a Function URL takes it; over Lambda's
/// limit, the 413 to answer instead.
pub(super) async fn read_body(
    site: &Site,
    body: Incoming,
) -> Result<bytes::Bytes, Response<EdgeBody>> {
    let limit = site.config.options.max_request_bytes;
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(_) => Err(text(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the request body is over the function limit of {limit} bytes\n"),
        )),
    }
}

/// The Function URL a request reaches, and what runs behind it.
pub(super) struct UrlTarget<'a> {
    /// The URL's host, which the function sees as `Host`.
    pub url_host: &'a str,
    /// The function and the version its qualifier resolves to.
    pub function: &'a str,
    pub version: &'a str,
    /// The URL's invoke mode: `Some(true)` for `RESPONSE_STREAM`, `None`
    /// when no URL is recorded (see `function_answer::to_response`).
    pub streaming: Option<bool>,
}

/// Lambda's answer to `parts` and `body` sent to `target`'s URL.
pub(super) async fn invoke(
    site: &Site,
    parts: Parts,
    body: bytes::Bytes,
    client: SocketAddr,
    target: UrlTarget<'_>,
) -> crate::Result<Response<EdgeBody>> {
    let UrlTarget {
        url_host,
        function,
        version,
        streaming: streaming_url,
    } = target;
    let pool = match site.pool(function, version).await? {
        PoolLookup::Ready(pool) => pool,
        PoolLookup::Missing => {
            return Ok(text(
                StatusCode::BAD_GATEWAY,
                format!("{function}:{version} does not exist (deleted?)\n"),
            ))
        }
        PoolLookup::OtherArchitecture(needed) => {
            let here = std::env::consts::ARCH;
            return Ok(text(
                StatusCode::BAD_GATEWAY,
                format!(
                    "{function}:{version} was published for {needed}: its native code (such as sharp) cannot run on this {here} machine. \
                     Lambda runs it on {needed}; to serve it locally, build for this machine (for sharp, set the image function's install arch in open-next.config.ts).\n"
                ),
            ));
        }
    };
    let event = to_event(&parts, &body, client, url_host);
    let label = format!("{function}:{version}");
    // The invocation runs on its own task: a client that disconnects drops
    // this future, and that must not kill a worker mid-request (Lambda too
    // finishes an invocation whose caller went away).
    // Lambda stops the function at its own timeout; CloudFront stops
    // waiting at its origin timeout, whichever comes first.
    let timeout = pool.timeout(site.config.options.request_timeout);
    let invocation = tokio::spawn(async move { pool.invoke(&event, timeout).await });
    let outcome = invocation.await.unwrap_or_else(|e| {
        Err(PoolError::Crashed(format!(
            "the invocation task failed: {e}"
        )))
    });
    Ok(match outcome {
        Ok(answer) => function_answer::to_response(answer, streaming_url).unwrap_or_else(|reason| {
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
                timeout.as_secs_f64()
            ),
        ),
        Err(PoolError::Handler(message)) => {
            tracing::warn!(target: "anchor_core::edge", "{label} threw: {message}");
            text(StatusCode::BAD_GATEWAY, format!("{label} threw an error:\n{message}\n"))
        }
    })
}
