//! Progress events of long operations, for progress bars.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// A phase of a deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Reading and hashing the build.
    Scanning,
    /// Uploading or copying assets.
    Uploading,
    /// Zipping function bundles.
    Packaging,
    /// Publishing function versions.
    Publishing,
    /// Switching the `live` aliases.
    Promoting,
    /// Invalidating stale CDN paths.
    Invalidating,
    /// A gradual rollout took a decision: `done` is the stage it reached
    /// (the plan's stage count once it ended), `total` the stage count.
    RollingOut,
    /// Pruning after a deploy, under a retention policy with
    /// `after_deploy`: `done` is how many deployments it pruned.
    Pruning,
    /// Finished.
    Done,
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Scanning => "scanning",
            Self::Uploading => "uploading",
            Self::Packaging => "packaging",
            Self::Publishing => "publishing",
            Self::Promoting => "promoting",
            Self::Invalidating => "invalidating",
            Self::RollingOut => "rolling_out",
            Self::Pruning => "pruning",
            Self::Done => "done",
        })
    }
}

/// One progress report: the phase and how much of it is done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressEvent {
    /// The current phase.
    pub phase: Phase,
    /// Items (files, bundles) finished in this phase.
    pub done: u64,
    /// Items in this phase.
    pub total: u64,
    /// Bytes finished in this phase.
    pub bytes_done: u64,
    /// Bytes in this phase.
    pub bytes_total: u64,
    /// Something the caller should know about this step, in words: such as
    /// a build without a Next.js `deploymentId`, which deploys without skew
    /// protection. `None` on most events.
    #[serde(default)]
    pub note: Option<String>,
}

/// A callback that receives progress events. It must return quickly; it is
/// called from the task doing the work.
pub type ProgressFn = Arc<dyn Fn(&ProgressEvent) + Send + Sync>;

/// A progress callback that lives only as long as this scope: the
/// [`ProgressFn`]s it hands out forward to the callback until the scope is
/// dropped, and do nothing afterwards, even if the core kept clones of them
/// in tasks of its own. The callback itself is dropped with the scope.
///
/// The Python and Node bindings hold their callable (a Python object, a JS
/// function) in one, so it is released as soon as the operation ends.
pub struct ProgressScope {
    slot: Arc<std::sync::Mutex<Option<ProgressFn>>>,
}

impl ProgressScope {
    /// Scopes `callback`.
    pub fn new(callback: impl Fn(&ProgressEvent) + Send + Sync + 'static) -> Self {
        Self {
            slot: Arc::new(std::sync::Mutex::new(Some(Arc::new(callback)))),
        }
    }

    /// A function that forwards to the callback while the scope lives. The
    /// lock is released before the callback runs, so a slow callback never
    /// holds up the scope's drop.
    pub fn progress_fn(&self) -> ProgressFn {
        let slot = Arc::clone(&self.slot);
        Arc::new(move |event: &ProgressEvent| {
            let callback = match slot.lock() {
                Ok(guard) => guard.clone(),
                Err(_) => None,
            };
            if let Some(callback) = callback {
                callback(event);
            }
        })
    }
}

impl Drop for ProgressScope {
    fn drop(&mut self) {
        let taken = match self.slot.lock() {
            Ok(mut guard) => guard.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        drop(taken);
    }
}

impl fmt::Debug for ProgressScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let live = self.slot.lock().map(|s| s.is_some()).unwrap_or(false);
        f.debug_struct("ProgressScope")
            .field("live", &live)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;

    #[test]
    fn a_scoped_callback_stops_and_is_released_when_the_scope_drops() {
        let calls = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&calls);
        let scope = ProgressScope::new(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        let kept = scope.progress_fn();
        let event = ProgressEvent {
            phase: Phase::Done,
            done: 1,
            total: 1,
            bytes_done: 0,
            bytes_total: 0,
            note: None,
        };
        kept(&event);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(Arc::strong_count(&calls), 2, "the scope holds the callback");
        drop(scope);
        kept(&event);
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "no call after the scope ended"
        );
        assert_eq!(
            Arc::strong_count(&calls),
            1,
            "the callback was dropped with the scope"
        );
    }
}
