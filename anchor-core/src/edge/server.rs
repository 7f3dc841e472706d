//! [`EdgeServer`]: binds the viewer and worker-facing listeners and runs
//! their accept loops until shut down.

use std::convert::Infallible;
use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::router_host::{router_process_count, RouterHost};
use super::runtime::{check_node, write_runner};
use super::site::SiteConfig;
use super::{
    deployment_url, facade, handler, site_url, EdgeOptions, SharedSite, Site, WorkerCounts,
    WorkerInfo,
};
use crate::error::{Error, Result};
use crate::model::ProjectName;
use crate::Anchor;

/// A running local edge for one project of the embedded default.
///
/// Dropping it stops accepting connections and stops the workers;
/// [`EdgeServer::shutdown`] does the same and waits for open connections
/// to finish their current request.
#[derive(Debug)]
pub struct EdgeServer {
    addr: SocketAddr,
    site: SharedSite,
    stop: watch::Sender<bool>,
    loops: Vec<JoinHandle<()>>,
    node_version: String,
}

impl EdgeServer {
    /// Starts serving `project` of `anchor`, which must be the embedded
    /// default ([`Anchor::local`]). Fails before listening with
    /// `InvalidInput` naming an option that is zero (see
    /// [`EdgeOptions::validate`]) or `node` if Node.js is missing or too old,
    /// `backend` on another backend, `NotFound` for an unknown project, or
    /// `Io` if the address is taken.
    pub async fn start(anchor: &Anchor, project: &str, options: EdgeOptions) -> Result<Self> {
        let cloud = anchor.local_cloud().cloned().ok_or_else(|| {
            Error::invalid_input(
                "backend",
                "the local edge serves the embedded default (Anchor::local) only",
            )
        })?;
        options.validate()?;
        let name = ProjectName::parse(project)?;
        let record = anchor.project(project).await?;
        let routes = cloud
            .cdn()
            .routes(&record.infrastructure.distribution_id)
            .await?;
        let node_version = check_node(&options.node).await?;
        // Absolute: workers get these paths as arguments and run in their
        // bundle's folder, so a relative state folder would resolve wrongly.
        let edge_dir = std::path::absolute(cloud.root().join("edge"))
            .map_err(|e| Error::io(cloud.root(), e))?;
        let runner = write_runner(&edge_dir).await?;
        let bind = |addr: SocketAddr| async move {
            TcpListener::bind(addr)
                .await
                .map_err(|e| Error::io(std::path::Path::new(&addr.to_string()), e))
        };
        let viewer = bind(SocketAddr::new(options.host, options.port)).await?;
        // Only the workers, on this machine, call the AWS endpoint: it stays
        // on loopback whatever address the site is served on.
        let workers = bind(SocketAddr::new(Ipv4Addr::LOCALHOST.into(), 0)).await?;
        let addr = viewer
            .local_addr()
            .map_err(|e| Error::io(std::path::Path::new("listener"), e))?;
        let facade_addr = workers
            .local_addr()
            .map_err(|e| Error::io(std::path::Path::new("listener"), e))?;
        let router = match &record.infrastructure.router {
            Some(binding) => Some(
                RouterHost::new(
                    &options.node,
                    &edge_dir,
                    cloud.kvs(),
                    &binding.store,
                    &record.infrastructure.distribution_id,
                    router_process_count(),
                )
                .await?,
            ),
            None => None,
        };
        let config = SiteConfig {
            router,
            backend: anchor.backend().clone(),
            cloud,
            project: name,
            infra: record.infrastructure,
            routes,
            options: options.clone(),
            runner,
            bundles: edge_dir.join("bundles"),
            viewer_addr: addr,
        };
        let site = Arc::new(Site::new(config, format!("http://{facade_addr}")));
        let (stop, stopped) = watch::channel(false);
        let loops = vec![
            tokio::spawn(accept_loop(
                viewer,
                stopped.clone(),
                site.clone(),
                |site, request, client| async move { handler::handle(&site, request, client).await },
            )),
            tokio::spawn(accept_loop(
                workers,
                stopped,
                site.clone(),
                |site, request, _| async move { facade::answer(&site, request).await },
            )),
        ];
        tracing::info!(target: "anchor_core::edge", project, %addr, %node_version, "local edge listening");
        Ok(Self {
            addr,
            site,
            stop,
            loops,
            node_version,
        })
    }

    /// The live site, such as `http://127.0.0.1:3000/`.
    pub fn url(&self) -> String {
        site_url(self.addr)
    }

    /// Where deployment `version` is served whether or not it is live:
    /// `http://v<version>.localhost:<port>/` (browsers resolve any
    /// `*.localhost` name to loopback; other clients can send that `Host`
    /// header to [`EdgeServer::local_addr`]).
    pub fn deployment_url(&self, version: u64) -> String {
        deployment_url(self.addr, version)
    }

    /// The local Function URL of deployment `version`'s server function
    /// (its `v<version>` alias), which a direct request reaches without the
    /// distribution; see [`super::function_url`]. The alias and its URL
    /// exist once that deployment was built with the router.
    pub fn server_function_url(&self, version: u64) -> String {
        super::function_url(
            self.addr,
            &self.site.config.infra.server_function,
            &format!("v{version}"),
        )
    }

    /// The AWS endpoint the workers are given (`AWS_ENDPOINT_URL`), on
    /// loopback: what a function's SDK calls reach, granted as its role
    /// would grant them on AWS.
    pub fn aws_endpoint_url(&self) -> &str {
        &self.site.facade_url
    }

    /// The address the viewer listener is bound to.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The `node --version` the workers run on.
    pub fn node_version(&self) -> &str {
        &self.node_version
    }

    /// Every worker process running now, by function and version.
    pub fn workers(&self) -> Vec<WorkerInfo> {
        self.site.workers()
    }

    /// Start, crash and timeout counts of one version's workers.
    pub fn worker_counts(&self, function: &str, version: &str) -> WorkerCounts {
        self.site.counts(function, version)
    }

    /// Stops listening, lets open connections finish their current request,
    /// and stops every worker.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        for task in self.loops.drain(..) {
            let _ = task.await;
        }
        self.site.shut_down();
    }
}

impl Drop for EdgeServer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        for task in &self.loops {
            task.abort();
        }
        self.site.shut_down();
    }
}

/// Accepts connections until told to stop; each is served by `answer`
/// over HTTP/1.1 with keep-alive, and closed gracefully on stop.
async fn accept_loop<F, Fut>(
    listener: TcpListener,
    mut stopped: watch::Receiver<bool>,
    site: SharedSite,
    answer: F,
) where
    F: Fn(SharedSite, hyper::Request<hyper::body::Incoming>, SocketAddr) -> Fut
        + Send
        + Sync
        + Copy
        + 'static,
    Fut: Future<Output = hyper::Response<super::response::EdgeBody>> + Send + 'static,
{
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stopped.changed() => break,
        };
        let (stream, client) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                tracing::warn!(target: "anchor_core::edge", "accept failed: {e}");
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let site = site.clone();
        let mut stop = stopped.clone();
        connections.spawn(async move {
            let service = service_fn(move |request| {
                let site = site.clone();
                async move { Ok::<_, Infallible>(answer(site, request, client).await) }
            });
            let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
            tokio::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                _ = stop.changed() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
        });
        // Reap finished connections so the set does not grow.
        while connections.try_join_next().is_some() {}
    }
    while connections.join_next().await.is_some() {}
}
