//! The edge router, run as CloudFront runs it: the generated
//! viewer-request function ([`crate::router::RouterCode`]), and its
//! viewer-response function beside it, executed by
//! `node` through the router's own host ([`crate::router::HOST_SCRIPT`]),
//! reading a copy of the project's keys in the local key-value store that
//! is brought up to date (by ETag) before every request, so a pointer
//! written by any process is seen by the very next request.
//!
//! Requests are queued to a few router processes
//! ([`router_process_count`]), each owned by its own task and answering one
//! request at a time, so the function runs on every core without two
//! requests ever sharing a pipe. A request that is abandoned (its client
//! closed the connection) leaves its process in a clean state, because the
//! task, not the request, finishes the exchange. A process that dies is
//! replaced and the request is sent once more, to the fresh one.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::sync::{mpsc, oneshot, Mutex};

use super::router_process::{HostFailure, KeySnapshot, RouterProcess};
use crate::error::{Error, Result, Service};
use crate::local::LocalKvs;
use crate::router::{RouterCode, RouterOptions, HOST_SCRIPT};

/// How long one exchange with a router process may take (loading the
/// function included) before the process is killed. CloudFront allows a
/// function about a millisecond of compute; this only catches a host that
/// hangs, and is long enough never to trip on a loaded machine.
const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(10);

/// Requests waiting for a router process beyond this many wait to be
/// queued, which holds back the connections that send them.
const QUEUE_DEPTH: usize = 1024;

/// How many router processes a served project runs: one per CPU, up to 4.
pub(crate) fn router_process_count() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 4))
}

/// What the function decided for one request.
#[derive(Debug, Clone)]
pub(crate) struct RouterAnswer {
    /// The request to forward, or a response object to answer with.
    pub result: Value,
    /// The last `cf.updateRequestOrigin` argument, if it was called.
    pub origin: Option<Value>,
    /// Whether the function failed (threw, or could not be run), so that
    /// `result` is the 503 CloudFront answers instead.
    pub failed: bool,
}

impl RouterAnswer {
    /// The 503 CloudFront answers when the function throws or cannot be
    /// run, with `reason` in the body.
    pub fn failed(reason: impl std::fmt::Display) -> Self {
        Self {
            result: json!({
                "statusCode": 503,
                "statusDescription": "Service Unavailable",
                "headers": {"content-type": {"value": "text/plain"}},
                "body": format!("The CloudFront function associated with the CloudFront distribution failed: {reason}\n"),
            }),
            origin: None,
            failed: true,
        }
    }
}

/// The router of one served project.
pub(crate) struct RouterHost {
    jobs: mpsc::Sender<Job>,
    runner: Arc<Runner>,
}

impl std::fmt::Debug for RouterHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouterHost")
            .field("store", &self.runner.store)
            .field("prefix", &self.runner.prefix)
            .finish_non_exhaustive()
    }
}

/// One request waiting for a router process.
struct Job {
    event: Value,
    reply: oneshot::Sender<Result<Value>>,
}

/// What every router process of a project shares.
struct Runner {
    node: PathBuf,
    script: PathBuf,
    code: String,
    /// The viewer-response function, loaded beside the router.
    response_code: String,
    kvs: LocalKvs,
    store: String,
    /// The project's keys start with this (`<distribution id>/`).
    prefix: String,
}

impl RouterHost {
    /// A router for the keys under `distribution_id/` of `store`, with the
    /// host script written into `dir` and `processes` tasks (at least one)
    /// ready to run it. Starts no process until the first request.
    pub async fn new(
        node: &Path,
        dir: &Path,
        kvs: LocalKvs,
        store: &str,
        distribution_id: &str,
        processes: usize,
    ) -> Result<Self> {
        let code = RouterCode::generate(&RouterOptions::default())?;
        let response_code = RouterCode::generate_viewer_response()?;
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| Error::io(dir, e))?;
        let script = dir.join("router-host.mjs");
        tokio::fs::write(&script, HOST_SCRIPT)
            .await
            .map_err(|e| Error::io(&script, e))?;
        let prefix = format!("{distribution_id}/");
        let runner = Arc::new(Runner {
            node: node.to_path_buf(),
            script,
            code: code.code().to_string(),
            response_code: response_code.code().to_string(),
            kvs,
            store: store.to_string(),
            prefix,
        });
        let (jobs, queue) = mpsc::channel(QUEUE_DEPTH);
        let queue = Arc::new(Mutex::new(queue));
        for _ in 0..processes.max(1) {
            tokio::spawn(serve(runner.clone(), queue.clone()));
        }
        Ok(Self { jobs, runner })
    }

    /// Runs the function on `event` (a CloudFront viewer-request event,
    /// or a viewer-response event, which runs the viewer-response
    /// function), with the store as it is now. A function that
    /// throws gives [`RouterAnswer::failed`]; a router process that could
    /// not answer, even after a restart, gives an [`Error::Service`] on
    /// [`Service::Cdn`] (operation `RunFunction`), already logged.
    pub async fn run(&self, event: Value) -> Result<RouterAnswer> {
        let (reply, answer) = oneshot::channel();
        let job = Job { event, reply };
        let stopped = || {
            Error::service(
                "local",
                Service::Cdn,
                "RunFunction",
                "the router host has stopped",
            )
        };
        self.jobs.send(job).await.map_err(|_| stopped())?;
        let answer = answer.await.map_err(|_| stopped())??;
        if let Some(error) = answer.get("error") {
            // CloudFront answers 503 when a function throws.
            return Ok(RouterAnswer::failed(error));
        }
        Ok(RouterAnswer {
            result: answer.get("result").cloned().unwrap_or(Value::Null),
            origin: answer.get("origin").cloned().filter(|o| !o.is_null()),
            failed: false,
        })
    }
}

/// One router process's task: takes the next request from the queue, and
/// answers it to the end whether or not its requester still waits.
async fn serve(runner: Arc<Runner>, queue: Arc<Mutex<mpsc::Receiver<Job>>>) {
    let mut process = None;
    loop {
        // Only an idle task waits here, so a request goes to an idle process.
        let job = queue.lock().await.recv().await;
        let Some(job) = job else { return };
        if job.reply.is_closed() {
            // Its client went away while it was queued.
            continue;
        }
        let answer = runner.answer(&mut process, &job).await;
        // The requester may be gone by now; the process is clean either way.
        let _ = job.reply.send(answer);
    }
}

impl Runner {
    /// Answers `job` on `process`, starting one if there is none; a process
    /// that fails is dropped (killed), and a failure that a fresh process
    /// may not repeat is tried once more on one.
    async fn answer(&self, process: &mut Option<RouterProcess>, job: &Job) -> Result<Value> {
        let first = match self.attempt(process, job).await? {
            Ok(answer) => return Ok(answer),
            Err(failure) => failure,
        };
        let pid = process.take().and_then(|p| p.pid());
        if !first.is_retryable() {
            return Err(self.give_up(first, pid));
        }
        tracing::warn!(
            target: "anchor_core::edge",
            store = %self.store, pid, error = %first,
            "router host failed; retrying the request on a fresh process"
        );
        match self.attempt(process, job).await? {
            Ok(answer) => Ok(answer),
            Err(second) => {
                let pid = process.take().and_then(|p| p.pid());
                Err(self.give_up(second, pid))
            }
        }
    }

    /// One try: the outer error is the key-value store's, the inner one the
    /// router process's.
    async fn attempt(
        &self,
        process: &mut Option<RouterProcess>,
        job: &Job,
    ) -> Result<std::result::Result<Value, HostFailure>> {
        if process.is_none() {
            let started = RouterProcess::start(
                &self.node,
                &self.script,
                &self.code,
                &self.response_code,
                EXCHANGE_TIMEOUT,
            )
            .await;
            match started {
                Ok(started) => *process = Some(started),
                Err(failure) => return Ok(Err(failure)),
            }
        }
        let Some(running) = process.as_mut() else {
            return Ok(Err(HostFailure::Exited { pid: None }));
        };
        let snapshot = self.snapshot_unless(running.synced_etag()).await?;
        Ok(running
            .run(snapshot, job.event.clone(), EXCHANGE_TIMEOUT)
            .await)
    }

    /// The project's keys, unless the store's ETag is still `held`.
    async fn snapshot_unless(&self, held: Option<&str>) -> Result<Option<KeySnapshot>> {
        if let Some(held) = held {
            if self.kvs.etag(&self.store).await? == held {
                return Ok(None);
            }
        }
        let (etag, keys) = self.kvs.snapshot(&self.store, &self.prefix).await?;
        Ok(Some(KeySnapshot { etag, keys }))
    }

    /// Logs `failure` and turns it into the error the request fails with.
    fn give_up(&self, failure: HostFailure, pid: Option<u32>) -> Error {
        tracing::error!(
            target: "anchor_core::edge",
            store = %self.store, pid, error = %failure,
            "router host failed; answering the request with 503"
        );
        Error::Service {
            backend: "local",
            service: Service::Cdn,
            operation: "RunFunction".into(),
            retryable: failure.is_retryable(),
            message: failure.to_string(),
            source: Some(Box::new(failure)),
        }
    }
}
