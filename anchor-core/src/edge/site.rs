//! What every request of one served project shares: the backend, the
//! project's infrastructure and routes, and the worker pools by version.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::bundle::unpacked;
use super::cache::EdgeCache;
use super::facade::BUCKET;
use super::pool::{Pool, PoolLookup};
use super::revalidation::RevalidationQueues;
use super::router_host::RouterHost;
use super::worker::WorkerSpec;
use super::{EdgeOptions, WorkerCounts, WorkerInfo};
use crate::error::Result;
use crate::local::{LocalCloud, LocalRevalidation, QUEUE_URL_PREFIX};
use crate::model::{Architecture, CdnRoute, Deployment, Infrastructure, ProjectName};
use crate::traits::{Backend, Functions};

/// The region workers are told they run in; nothing is sent there.
const REGION: &str = "us-east-1";

type PoolKey = (String, String);

/// What a served project is, fixed when the edge starts.
pub(crate) struct SiteConfig {
    /// The embedded default's clients (the edge reads records and
    /// objects through them, as CloudFront's origins would).
    pub backend: Backend,
    pub cloud: LocalCloud,
    pub project: ProjectName,
    pub infra: Infrastructure,
    pub routes: Vec<CdnRoute>,
    pub options: EdgeOptions,
    /// The worker runner script on disk.
    pub runner: PathBuf,
    /// Where version bundles are unpacked.
    pub bundles: PathBuf,
    /// The edge router, when the project's distribution has one.
    pub router: Option<RouterHost>,
    /// Where the viewer listener is bound: where the revalidation
    /// function's requests to the site's public host arrive.
    pub viewer_addr: std::net::SocketAddr,
}

/// Shared state of one served project: its configuration, the loopback
/// AWS endpoint its workers use, and the worker pools by version.
pub(crate) struct Site {
    pub config: SiteConfig,
    pub facade_url: String,
    pools: Mutex<HashMap<PoolKey, (Arc<Pool>, Instant)>>,
    cache: EdgeCache,
    queues: RevalidationQueues,
}

impl std::fmt::Debug for Site {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Site")
            .field("project", &self.config.project)
            .field("facade_url", &self.facade_url)
            .finish_non_exhaustive()
    }
}

impl Site {
    pub fn new(config: SiteConfig, facade_url: String) -> Self {
        Self {
            config,
            facade_url,
            pools: Mutex::new(HashMap::new()),
            cache: EdgeCache::default(),
            queues: RevalidationQueues::default(),
        }
    }

    /// The deployments' revalidation queues.
    pub fn queues(&self) -> &RevalidationQueues {
        &self.queues
    }

    /// The distribution's edge cache.
    pub fn cache(&self) -> &EdgeCache {
        &self.cache
    }

    /// Applies the distribution's invalidations made since the cache last
    /// looked, from this process or another, before anything is served
    /// from the cache.
    pub async fn apply_invalidations(&self) -> Result<()> {
        let newer = self
            .config
            .cloud
            .cdn()
            .invalidations_after(&self.config.infra.distribution_id, self.cache.generation())
            .await?;
        for invalidation in newer {
            self.cache
                .invalidate(invalidation.sequence, &invalidation.paths);
        }
        Ok(())
    }

    pub fn backend(&self) -> &Backend {
        &self.config.backend
    }

    pub fn cloud(&self) -> &LocalCloud {
        &self.config.cloud
    }

    /// The project's deployment with this version number, read now.
    pub async fn deployment(&self, version: u64) -> Result<Option<Deployment>> {
        self.backend()
            .store
            .get_deployment_by_version(&self.config.project, version)
            .await
    }

    /// The version the alias of `function` points at now; with weighted
    /// routing, the second version gets its share of requests.
    pub async fn live_version(&self, function: &str) -> Result<Option<String>> {
        let alias = self
            .config
            .cloud
            .functions()
            .get_alias(function, &self.config.infra.alias)
            .await?;
        Ok(alias.map(|alias| match alias.routing.additional {
            Some((extra, weight)) if random_fraction() < weight => extra,
            _ => alias.routing.version,
        }))
    }

    /// The pool of `function`'s `version`, started on first use.
    pub async fn pool(&self, function: &str, version: &str) -> Result<PoolLookup> {
        let key = (function.to_string(), version.to_string());
        if let Some((pool, used)) = self.lock_pools().get_mut(&key) {
            *used = Instant::now();
            return Ok(PoolLookup::Ready(pool.clone()));
        }
        let Some(runnable) = self
            .config
            .cloud
            .functions()
            .runnable(function, version)
            .await?
        else {
            return Ok(PoolLookup::Missing);
        };
        // Lambda runs it on the architecture it was published for; this
        // machine cannot load native code built for another one.
        if let Some(needed) = runnable.architecture {
            if Some(needed) != Architecture::of_this_machine() {
                return Ok(PoolLookup::OtherArchitecture(needed));
            }
        }
        let bundle_dir = unpacked(&self.config.bundles, &runnable).await?;
        let spec = WorkerSpec {
            node: self.config.options.node.clone(),
            runner: self.config.runner.clone(),
            bundle_dir,
            handler: runnable.handler.clone(),
            env: self.worker_environment(function, version, runnable.environment),
            label: format!("{function}:{version}"),
            start_timeout: self.config.options.start_timeout,
            function_timeout: runnable
                .timeout_seconds
                .map(|s| std::time::Duration::from_secs(u64::from(s))),
        };
        let mut pools = self.lock_pools();
        // Another request may have made it while the bundle was unpacked.
        let pool = pools
            .entry(key)
            .or_insert_with(|| {
                (
                    Pool::new(spec, self.config.options.workers_per_function),
                    Instant::now(),
                )
            })
            .0
            .clone();
        while pools.len() > self.config.options.max_warm_versions {
            let oldest = pools
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(key, _)| key.clone());
            match oldest.and_then(|key| pools.remove(&key)) {
                Some((evicted, _)) => evicted.shut_down(),
                None => break,
            }
        }
        Ok(PoolLookup::Ready(pool))
    }

    /// The environment of a worker: the version's own (frozen at publish),
    /// Lambda's standard variables, and an AWS endpoint on loopback with
    /// placeholder keys, so nothing the function calls leaves the machine.
    /// A queue URL of the local cloud ([`QUEUE_URL_PREFIX`]) is given on
    /// that endpoint, whatever port it has this time. The revalidation
    /// function also gets `ANCHOR_EDGE_ADDRESS`, which makes `worker.mjs`
    /// send its `https://` requests to a loopback host to this edge over
    /// HTTP, as the public host reaches the distribution on AWS.
    fn worker_environment(
        &self,
        function: &str,
        version: &str,
        own: BTreeMap<String, String>,
    ) -> BTreeMap<String, String> {
        let mut env = BTreeMap::new();
        for name in ["PATH", "HOME", "TMPDIR", "LANG", "TZ"] {
            if let Some(value) = std::env::var_os(name).and_then(|v| v.into_string().ok()) {
                env.insert(name.to_string(), value);
            }
        }
        env.extend(own);
        let fixed = [
            ("NODE_ENV", "production"),
            ("AWS_REGION", REGION),
            ("AWS_DEFAULT_REGION", REGION),
            ("AWS_ENDPOINT_URL", &self.facade_url),
            ("AWS_ACCESS_KEY_ID", "anchor-local-edge"),
            ("AWS_SECRET_ACCESS_KEY", "anchor-local-edge"),
            ("AWS_MAX_ATTEMPTS", "1"),
            ("AWS_LAMBDA_FUNCTION_NAME", function),
            ("AWS_LAMBDA_FUNCTION_VERSION", version),
            ("BUCKET_NAME", BUCKET),
            ("BUCKET_REGION", REGION),
            ("CACHE_BUCKET_NAME", BUCKET),
            ("CACHE_BUCKET_REGION", REGION),
        ];
        env.extend(fixed.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        if let Some(url) = env.get_mut("REVALIDATION_QUEUE_URL") {
            if let Some(name) = url.strip_prefix(QUEUE_URL_PREFIX) {
                *url = format!("{}/000000000000/{name}", self.facade_url);
            }
        }
        if function == LocalRevalidation::function_name(&self.config.project) {
            let addr = self.config.viewer_addr;
            let host = if addr.ip().is_unspecified() {
                std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)
            } else {
                addr.ip()
            };
            env.insert(
                "ANCHOR_EDGE_ADDRESS".into(),
                std::net::SocketAddr::new(host, addr.port()).to_string(),
            );
        }
        env
    }

    pub fn workers(&self) -> Vec<WorkerInfo> {
        let pools = self.lock_pools();
        let mut all: Vec<WorkerInfo> = pools
            .iter()
            .flat_map(|((function, version), (pool, _))| {
                pool.pids().into_iter().map(|pid| WorkerInfo {
                    function: function.clone(),
                    version: version.clone(),
                    pid,
                })
            })
            .collect();
        all.sort_by(|a, b| (&a.function, &a.version, a.pid).cmp(&(&b.function, &b.version, b.pid)));
        all
    }

    pub fn counts(&self, function: &str, version: &str) -> WorkerCounts {
        let key = (function.to_string(), version.to_string());
        self.lock_pools()
            .get(&key)
            .map(|(pool, _)| {
                let (started, crashed, timed_out, invoked) = pool.counts();
                WorkerCounts {
                    started,
                    crashed,
                    timed_out,
                    invoked,
                }
            })
            .unwrap_or_default()
    }

    pub fn shut_down(&self) {
        for (_, (pool, _)) in self.lock_pools().drain() {
            pool.shut_down();
        }
    }

    fn lock_pools(&self) -> std::sync::MutexGuard<'_, HashMap<PoolKey, (Arc<Pool>, Instant)>> {
        self.pools
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A number in [0, 1) for weighted alias routing.
fn random_fraction() -> f64 {
    (ulid::Ulid::new().random() as u64 >> 11) as f64 / (1u64 << 53) as f64
}
