//! The local edge: serves what the embedded default deployed over HTTP,
//! exactly as the project's CloudFront distribution would serve it, no more
//! helpfully, so that what fails on AWS fails here too.
//!
//! - Behaviours come from the distribution, in precedence order, and each
//!   applies the settings the model gives it ([`crate::model::BehaviourSpec`],
//!   the same description the AWS distribution is built from): its origin,
//!   its cache policy (key, TTLs from `Cache-Control`, invalidations,
//!   gzip/brotli, `X-Cache`), its origin request policy and the origin
//!   access control of its origin (`origin`).
//! - Asset behaviours read the bucket under the project's prefix; a key that
//!   is not there is a 403, as S3 answers CloudFront.
//! - Function behaviours call the `live` alias's Function URL, read per
//!   request, so a deploy or rollback, from this process or another, shows
//!   at the very next request. The function sees the URL's own host and the
//!   viewer's other headers; a body without `x-amz-content-sha256` is
//!   refused, as a Lambda origin access control refuses it.
//! - A preview (or any deployment) is served at its own address,
//!   `http://v<N>.localhost:<port>/`, where `N` is its version.
//! - The project's Function URLs answer at their own host names,
//!   `http://<function>--<alias>.lambda-url.anchor.localhost:<port>/`, as
//!   Lambda answers a direct request: an `AWS_IAM` URL refuses it, a `NONE`
//!   URL runs the function, whose origin guard refuses a request without
//!   the secret the router adds.
//! - Functions run in pools of long-lived `node` workers per version (see
//!   `worker.mjs`): one import per worker, API Gateway v2 events over
//!   framed stdin/stdout, a timeout per request (504), and a crashed
//!   worker's requests answered with 502 while a replacement starts.
//! - Workers see a loopback AWS endpoint (`facade`) that grants what their
//!   role grants on AWS: the ISR cache and source images are read from the
//!   local object store (with S3's `Last-Modified`), the server writes
//!   regenerated pages under the cache prefix only, keeps tags in the
//!   project's tag table, and sends stale pages to its deployment's FIFO
//!   queue, which the edge delivers to that deployment's revalidation
//!   function (`revalidation`); its `HEAD https://<host><url>` comes back
//!   to this edge over HTTP (`docs/isr.md`).

mod assets;
mod bundle;
mod cache;
mod cdn;
mod compress;
mod event;
mod facade;
mod facade_cloudfront;
mod facade_dynamodb;
mod facade_sqs;
mod function_answer;
mod function_url;
mod handler;
mod invoke;
mod origin;
mod pool;
mod response;
mod revalidation;
mod routed_origin;
mod router;
mod router_host;
mod router_process;
mod runtime;
mod serve_options;
mod server;
mod site;
mod stored;
mod viewer_event;
mod viewer_response;
mod worker;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use serve_options::{ServeOptions, MAX_REQUEST_TIMEOUT_SECONDS, MAX_WORKERS_PER_FUNCTION};
pub use server::EdgeServer;
pub(crate) use site::Site;

/// Options of [`EdgeServer::start`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdgeOptions {
    /// The address to listen on: loopback by default.
    pub host: IpAddr,
    /// The port; 0 (the default) picks a free one, see [`EdgeServer::url`].
    pub port: u16,
    /// The Node.js executable that runs functions: `$ANCHOR_NODE`, else
    /// `node` on the `PATH`.
    pub node: PathBuf,
    /// Workers per function version, each handling one request at a time,
    /// as a Lambda sandbox does; the number of CPUs by default.
    pub workers_per_function: usize,
    /// Versions whose workers are kept; the least recently used pool beyond
    /// this is stopped. 8 by default.
    pub max_warm_versions: usize,
    /// How long a function may take to answer one request before the
    /// client gets a 504 and the worker is replaced (30 s by default).
    pub request_timeout: Duration,
    /// How long a worker may take to import its bundle (30 s by default).
    pub start_timeout: Duration,
    /// The largest request body a function accepts: 6 MiB, Lambda's limit.
    pub max_request_bytes: usize,
}

impl Default for EdgeOptions {
    fn default() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            node: std::env::var_os("ANCHOR_NODE")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("node")),
            workers_per_function: std::thread::available_parallelism()
                .map(usize::from)
                .unwrap_or(2),
            max_warm_versions: 8,
            request_timeout: Duration::from_secs(30),
            start_timeout: Duration::from_secs(30),
            max_request_bytes: 6 * 1024 * 1024,
        }
    }
}

impl EdgeOptions {
    /// Checks that the pool size, the number of warm versions and both
    /// timeouts are above zero; the error names the option.
    pub fn validate(&self) -> crate::Result<()> {
        let zero = [
            ("workers_per_function", self.workers_per_function == 0),
            ("max_warm_versions", self.max_warm_versions == 0),
            ("request_timeout", self.request_timeout.is_zero()),
            ("start_timeout", self.start_timeout.is_zero()),
        ];
        match zero.iter().find(|(_, is_zero)| *is_zero) {
            Some((field, _)) => Err(crate::Error::invalid_input(*field, "must be above zero")),
            None => Ok(()),
        }
    }
}

/// One running worker process, from [`EdgeServer::workers`]. Its JSON is
/// `{"function", "version", "pid"}`, what every binding returns.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WorkerInfo {
    /// The function it runs.
    pub function: String,
    /// The published version it runs.
    pub version: String,
    /// Its process id.
    pub pid: u32,
}

/// How many workers of one version were started, crashed and timed out,
/// and how many invocations the version took, since the server started,
/// from [`EdgeServer::worker_counts`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WorkerCounts {
    /// Processes started (the first ones and every replacement).
    pub started: u64,
    /// Workers that died, whether busy (their request got a 502) or idle.
    pub crashed: u64,
    /// Requests that ran past the timeout (each got a 504).
    pub timed_out: u64,
    /// Invocations handed to the version's workers (a viewer request, or a
    /// queue message delivered), whatever their outcome.
    pub invoked: u64,
}

/// The live site's URL for an edge listening on `addr`, such as
/// `http://127.0.0.1:3000/`.
pub fn site_url(addr: SocketAddr) -> String {
    format!("http://{addr}/")
}

/// Where an edge listening on `addr` serves deployment `version`, live or
/// not: `http://v<version>.localhost:<port>/`. Browsers resolve any
/// `*.localhost` name to loopback; other clients can send that `Host`
/// header to `addr`.
pub fn deployment_url(addr: SocketAddr, version: u64) -> String {
    format!("http://v{version}.localhost:{}/", addr.port())
}

/// The local Function URL of `function` at `alias` for an edge listening
/// on `addr`: `http://<function>--<alias>.lambda-url.anchor.localhost:<port>/`.
/// A direct request to it skips the distribution, as a request to a Lambda
/// Function URL does. Clients that do not resolve `*.localhost` names can
/// send that `Host` header to `addr`.
pub fn function_url(addr: SocketAddr, function: &str, alias: &str) -> String {
    format!(
        "http://{}:{}/",
        crate::local::function_url_host(function, alias),
        addr.port()
    )
}

type SharedSite = Arc<Site>;
