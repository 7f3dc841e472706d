//! A fault-injecting wrapper for every backend trait, over any backend.
//!
//! Every external call gets a position (0, 1, 2, ... in the order made).
//! [`FaultPlan::arm`] makes the call at one position fail: before it reaches
//! the backend, as a service error, a timeout or throttling ([`Fault::Fail`],
//! [`Fault::Timeout`], [`Fault::Throttle`]); after the backend applied it
//! ([`Fault::LostReply`]); or by never returning so the caller drops the
//! operation there ([`Fault::Crash`]). Tests walk every position of a flow
//! with each of [`Fault::ALL`] and check the invariants after each.

mod wrappers;

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

pub use wrappers::{wrap, Faulty};

use crate::error::{Error, Result, Service};

/// How an armed call fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    /// The service refuses the call without applying it, with an error that
    /// retrying will not fix (an internal error, a denied permission).
    Fail,
    /// The call times out before the backend receives it: not applied,
    /// reported as a retryable timeout.
    Timeout,
    /// The service throttles the call: not applied, reported as a retryable
    /// throttling error.
    Throttle,
    /// The backend applies the call, then the reply is lost.
    LostReply,
    /// The process stops at this call: the call never returns, so the
    /// caller can drop the whole operation (see [`FaultPlan::crashed`]),
    /// as a killed process would leave it.
    Crash,
}

impl Fault {
    /// Every kind of fault, in the order the tests walk them.
    pub const ALL: [Fault; 5] = [
        Fault::Fail,
        Fault::Timeout,
        Fault::Throttle,
        Fault::LostReply,
        Fault::Crash,
    ];
}

/// Counts calls and fails the armed one. Shared by every wrapper of one
/// set of parts, so positions run across all services in call order.
#[derive(Debug, Default)]
pub struct FaultPlan {
    crashed: tokio::sync::Notify,
    calls: AtomicUsize,
    armed: Mutex<Option<(Target, Fault)>>,
    log: Mutex<Vec<String>>,
}

/// Which call an armed fault hits.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// The call at this position.
    Position(usize),
    /// The n-th call (from 0) of this operation, such as `functions.publish`.
    Operation(String, usize),
}

impl FaultPlan {
    /// A plan with nothing armed.
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Fails the call at `position` (counted from the next call) with `fault`.
    pub fn arm(&self, position: usize, fault: Fault) {
        self.reset();
        *lock(&self.armed) = Some((Target::Position(position), fault));
    }

    /// Fails the `nth` call (from 0) of operation `op`, such as
    /// `functions.publish`, counted from the next call.
    pub fn arm_operation(&self, op: &str, nth: usize, fault: Fault) {
        self.reset();
        *lock(&self.armed) = Some((Target::Operation(op.to_string(), nth), fault));
    }

    /// Disarms and restarts the count.
    pub fn reset(&self) {
        self.calls.store(0, Ordering::SeqCst);
        *lock(&self.armed) = None;
        lock(&self.log).clear();
    }

    /// Completes once an armed [`Fault::Crash`] has been reached; race it
    /// against the operation and drop the operation when it wins.
    pub async fn crashed(&self) {
        self.crashed.notified().await;
    }

    /// Calls made since the last reset.
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    /// The operations called since the last reset, in order.
    pub fn log(&self) -> Vec<String> {
        lock(&self.log).clone()
    }

    fn next(&self, op: &str) -> Option<Fault> {
        let position = self.calls.fetch_add(1, Ordering::SeqCst);
        let mut log = lock(&self.log);
        let nth = log.iter().filter(|o| *o == op).count();
        log.push(op.to_string());
        match &*lock(&self.armed) {
            Some((Target::Position(p), fault)) if *p == position => Some(*fault),
            Some((Target::Operation(o, n), fault)) if o == op && *n == nth => Some(*fault),
            _ => None,
        }
    }

    pub(crate) async fn run<T>(
        &self,
        service: Service,
        op: &'static str,
        call: impl Future<Output = Result<T>>,
    ) -> Result<T> {
        let injected = |retryable: bool, what: &str| Error::Service {
            backend: "fault",
            service,
            operation: op.to_string(),
            retryable,
            message: format!("injected fault: {what}"),
            source: None,
        };
        match self.next(op) {
            None => call.await,
            Some(Fault::Fail) => Err(injected(false, "internal error")),
            Some(Fault::Timeout) => Err(injected(true, "timed out")),
            Some(Fault::Throttle) => Err(injected(true, "throttled")),
            Some(Fault::LostReply) => {
                let _applied = call.await;
                Err(injected(true, "the reply was lost"))
            }
            Some(Fault::Crash) => {
                self.crashed.notify_one();
                std::future::pending().await
            }
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
