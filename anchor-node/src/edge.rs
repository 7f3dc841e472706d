//! The local edge: `anchor.serve(project)` serves a project of the embedded
//! local backend over HTTP (see `anchor_core::edge`) and resolves to a
//! `LocalEdge`, which keeps Node running, as a listening `http.Server`
//! does, until `close()`.

use std::net::SocketAddr;
use std::sync::Mutex;

use anchor_core::edge::{EdgeOptions, EdgeServer, ServeOptions as CoreServeOptions, WorkerInfo};
use anchor_core::Error;
use napi::bindgen_prelude::{Function, PromiseRaw, Unknown};
use napi::threadsafe_function::ThreadsafeFunction;
use napi::{Env, Status};
use napi_derive::napi;

use crate::anchor::Anchor;
use crate::args::{args, throw};
use crate::bridge::spawn;
use crate::convert::{whole, MAX_SAFE_INTEGER};
use crate::errors::Failure;

/// A handle that holds Node's event loop open while it exists; it is
/// never called.
type KeepAlive = ThreadsafeFunction<(), (), (), Status, false, false>;

/// Options of `serve`. Every field is optional.
#[napi(object, object_to_js = false)]
pub struct ServeOptions {
    /// The address to listen on; default `127.0.0.1`.
    pub host: Option<String>,
    /// The port; default 0, a free one (see `url`).
    pub port: Option<f64>,
    /// The Node.js executable that runs the functions; default
    /// `$ANCHOR_NODE`, else `node` on the PATH.
    pub node: Option<String>,
    /// Worker processes per function version; default the number of CPUs.
    pub workers_per_function: Option<f64>,
    /// How long a function may take for one request before a 504, in
    /// seconds (fractions allowed, up to a day); default 30. The same
    /// name and unit as Python's `request_timeout_seconds`.
    pub request_timeout_seconds: Option<f64>,
}

/// One worker process of the local edge.
#[napi(object, object_from_js = false)]
pub struct EdgeWorker {
    /// The function it runs.
    pub function: String,
    /// The published version it runs.
    pub version: String,
    /// Its process id.
    pub pid: u32,
}

impl From<&WorkerInfo> for EdgeWorker {
    fn from(w: &WorkerInfo) -> Self {
        Self {
            function: w.function.clone(),
            version: w.version.clone(),
            pid: w.pid,
        }
    }
}

/// A running local edge. Keep it and call `close()` when done: until then
/// it keeps the process running.
#[napi]
pub struct LocalEdge {
    addr: SocketAddr,
    server: Mutex<Option<EdgeServer>>,
    keep_alive: Mutex<Option<KeepAlive>>,
}

/// The core's serve options from the JS object; a number that is not a
/// whole one is refused here, every bound by the core (its field names in
/// camelCase).
fn edge_options(options: Option<ServeOptions>) -> Result<EdgeOptions, Error> {
    let Some(options) = options else {
        return Ok(EdgeOptions::default());
    };
    let core = CoreServeOptions {
        host: options.host,
        port: options
            .port
            .map(|p| whole("port", p, MAX_SAFE_INTEGER))
            .transpose()?,
        node: options.node.map(Into::into),
        workers_per_function: options
            .workers_per_function
            .map(|w| whole("workersPerFunction", w, MAX_SAFE_INTEGER))
            .transpose()?,
        request_timeout_seconds: options.request_timeout_seconds,
    };
    core.to_edge_options()
}

#[napi]
impl Anchor {
    /// Serves `project` of the embedded local backend over HTTP, routed like
    /// its CloudFront distribution: the functions the `live` aliases point at
    /// when each request arrives (a deploy or rollback shows at the next
    /// request), assets from the local object store. Rejects with
    /// `ANCHOR_INVALID_INPUT` naming `node` if Node.js cannot run the
    /// functions, or `backend` on AWS.
    #[napi(ts_return_type = "Promise<LocalEdge>")]
    pub fn serve<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] project: Unknown<'_>,
        #[napi(ts_arg_type = "ServeOptions")] options: Option<Unknown<'_>>,
    ) -> napi::Result<PromiseRaw<'env, LocalEdge>> {
        args!(env, reject; project: String, options: Option<ServeOptions>);
        let anchor = self.inner.clone();
        let keep_alive = keep_alive(env)?;
        spawn(env, async move {
            let options = edge_options(options)?;
            let server = EdgeServer::start(&anchor, &project, options).await?;
            Ok::<_, Failure>(LocalEdge {
                addr: server.local_addr(),
                server: Mutex::new(Some(server)),
                keep_alive: Mutex::new(Some(keep_alive)),
            })
        })
    }
}

/// A never-called function whose threadsafe handle is referenced, so the
/// event loop stays alive while a `LocalEdge` holds it.
fn keep_alive(env: &Env) -> napi::Result<KeepAlive> {
    let noop: Function<'_, (), ()> =
        env.create_function_from_closure("anchorEdgeKeepAlive", |_| Ok(()))?;
    noop.build_threadsafe_function::<()>()
        .callee_handled::<false>()
        .build()
}

#[napi]
impl LocalEdge {
    /// The live site, such as `http://127.0.0.1:41234/`.
    #[napi(getter)]
    pub fn url(&self) -> String {
        anchor_core::edge::site_url(self.addr)
    }

    /// Where deployment `version` is served, live or not (a preview too):
    /// `http://v<version>.localhost:<port>/`.
    #[napi]
    pub fn deployment_url(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "number")] version: Unknown<'_>,
    ) -> napi::Result<String> {
        args!(env, throw; version: f64);
        let version = whole("version", version, MAX_SAFE_INTEGER).or_else(|e| throw(env, e))?;
        Ok(anchor_core::edge::deployment_url(self.addr, version))
    }

    /// The worker processes running now.
    #[napi]
    pub fn workers(&self) -> Vec<EdgeWorker> {
        let server = self.server.lock().unwrap_or_else(|p| p.into_inner());
        server
            .as_ref()
            .map(|s| s.workers().iter().map(EdgeWorker::from).collect())
            .unwrap_or_default()
    }

    /// Stops listening, lets open requests finish, stops the workers, and
    /// lets the process exit. Closing again does nothing.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn close<'env>(&self, env: &'env Env) -> napi::Result<PromiseRaw<'env, ()>> {
        let server = self.server.lock().unwrap_or_else(|p| p.into_inner()).take();
        let keep_alive = self
            .keep_alive
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        spawn(env, async move {
            if let Some(server) = server {
                server.shutdown().await;
            }
            drop(keep_alive);
            Ok::<_, Failure>(())
        })
    }
}
