//! A pool of long-lived workers for one function version, the way Lambda
//! keeps warm sandboxes: at most `size` processes, each handling one
//! request at a time, started on demand and reused. A worker that crashes
//! or times out is discarded and a replacement is started in the
//! background, so the next request finds a warm one.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::Semaphore;

use super::worker::{Answer, InvokeError, StartError, Worker, WorkerSpec};
use crate::model::Architecture;

/// Why a pooled invocation failed; each maps to one HTTP status.
#[derive(Debug)]
pub(crate) enum PoolError {
    /// No worker could be started (502; `NodeMissing` names the executable).
    Start(StartError),
    /// The worker died with the request in flight (502).
    Crashed(String),
    /// The request ran past its timeout (504).
    TimedOut,
    /// The handler threw (502).
    Handler(String),
}

/// Counters of a pool's life, for tests and logs.
#[derive(Debug, Default)]
struct Counters {
    started: AtomicU64,
    crashed: AtomicU64,
    timed_out: AtomicU64,
    invoked: AtomicU64,
}

/// The workers of one function version.
#[derive(Debug)]
pub(crate) struct Pool {
    spec: WorkerSpec,
    idle: Mutex<Vec<Worker>>,
    slots: Arc<Semaphore>,
    busy_pids: Mutex<Vec<u32>>,
    counters: Counters,
}

impl Pool {
    pub fn new(spec: WorkerSpec, size: usize) -> Arc<Self> {
        Arc::new(Self {
            spec,
            idle: Mutex::new(Vec::new()),
            slots: Arc::new(Semaphore::new(size)),
            busy_pids: Mutex::new(Vec::new()),
            counters: Counters::default(),
        })
    }

    /// How long one invocation may run: the version's own timeout, capped
    /// by `origin_timeout` (the CDN's limit on waiting for an origin).
    pub fn timeout(&self, origin_timeout: Duration) -> Duration {
        self.spec
            .function_timeout
            .map_or(origin_timeout, |own| own.min(origin_timeout))
    }

    /// Runs one invocation on a free worker, waiting for one if all are busy.
    pub async fn invoke(
        self: &Arc<Self>,
        event: &Value,
        timeout: Duration,
    ) -> Result<Answer, PoolError> {
        let Ok(_slot) = self.slots.acquire().await else {
            return Err(PoolError::Crashed("the pool was shut down".into()));
        };
        self.counters.invoked.fetch_add(1, Ordering::Relaxed);
        // A request that never reached a worker (it had died while idle)
        // is sent once more, to a fresh one.
        let mut attempts = 0;
        loop {
            attempts += 1;
            let mut worker = match self.take_idle() {
                Some(worker) => worker,
                None => self.start().await.map_err(PoolError::Start)?,
            };
            let pid = worker.pid();
            self.mark_busy(pid, true);
            let outcome = worker.invoke(event, timeout).await;
            self.mark_busy(pid, false);
            match outcome {
                Ok(response) => {
                    self.put_idle(worker);
                    return Ok(response);
                }
                Err(InvokeError::Handler(message)) => {
                    self.put_idle(worker);
                    return Err(PoolError::Handler(message));
                }
                Err(InvokeError::NotDelivered(report)) if attempts < 2 => {
                    tracing::warn!(target: "anchor_core::edge", "{report}; retrying on a new worker");
                }
                Err(InvokeError::NotDelivered(report)) | Err(InvokeError::Crashed(report)) => {
                    self.counters.crashed.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(target: "anchor_core::edge", "{report}");
                    self.replace_in_background();
                    return Err(PoolError::Crashed(report));
                }
                Err(InvokeError::TimedOut) => {
                    self.counters.timed_out.fetch_add(1, Ordering::Relaxed);
                    self.replace_in_background();
                    return Err(PoolError::TimedOut);
                }
            }
        }
    }

    /// Process ids of every worker, idle or busy.
    pub fn pids(&self) -> Vec<u32> {
        let mut pids: Vec<u32> = lock(&self.idle).iter().filter_map(Worker::pid).collect();
        pids.extend(lock(&self.busy_pids).iter().copied());
        pids.sort_unstable();
        pids
    }

    /// How many workers were started, how many crashed and how many timed
    /// out, and how many invocations the pool took.
    pub fn counts(&self) -> (u64, u64, u64, u64) {
        (
            self.counters.started.load(Ordering::Relaxed),
            self.counters.crashed.load(Ordering::Relaxed),
            self.counters.timed_out.load(Ordering::Relaxed),
            self.counters.invoked.load(Ordering::Relaxed),
        )
    }

    /// Stops every idle worker; busy ones stop when their request ends and
    /// the pool is dropped.
    pub fn shut_down(&self) {
        self.slots.close();
        for mut worker in lock(&self.idle).drain(..) {
            worker.kill();
        }
    }

    async fn start(&self) -> Result<Worker, StartError> {
        let worker = Worker::start(&self.spec).await?;
        self.counters.started.fetch_add(1, Ordering::Relaxed);
        Ok(worker)
    }

    /// An idle worker that is still running; dead ones are dropped.
    fn take_idle(&self) -> Option<Worker> {
        let mut idle = lock(&self.idle);
        while let Some(mut worker) = idle.pop() {
            if !worker.has_exited() {
                return Some(worker);
            }
            self.counters.crashed.fetch_add(1, Ordering::Relaxed);
        }
        None
    }

    fn put_idle(&self, worker: Worker) {
        if self.slots.is_closed() {
            return;
        }
        lock(&self.idle).push(worker);
    }

    fn mark_busy(&self, pid: Option<u32>, busy: bool) {
        let Some(pid) = pid else { return };
        let mut pids = lock(&self.busy_pids);
        if busy {
            pids.push(pid);
        } else {
            pids.retain(|p| *p != pid);
        }
    }

    /// Starts a worker to stand in for one that died, so the next request
    /// does not pay for loading the bundle. It takes a slot while it
    /// starts, so the pool never holds more than `size` processes.
    fn replace_in_background(self: &Arc<Self>) {
        let pool = self.clone();
        tokio::spawn(async move {
            let Ok(_slot) = pool.slots.clone().acquire_owned().await else {
                return;
            };
            match pool.start().await {
                Ok(worker) => pool.put_idle(worker),
                Err(e) => {
                    tracing::warn!(target: "anchor_core::edge", "could not replace a worker: {e:?}")
                }
            }
        });
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// What the site found when asked for a version's pool (`Site::pool`).
pub(crate) enum PoolLookup {
    /// Its workers.
    Ready(Arc<Pool>),
    /// No such version (deleted?).
    Missing,
    /// It was published for an architecture this machine does not run.
    OtherArchitecture(Architecture),
}
