//! The one way a runtime thread enters the Python interpreter.
//!
//! A tokio thread that attaches while Python finalizes is killed by
//! CPython with `pthread_exit`. That forced unwind runs PyO3's guard on a
//! thread that no longer holds the GIL, and the process aborts ("Fatal
//! Python error: PyGILState_Release") or segfaults. It happened when a
//! script's last `await` returned while the runtime thread that delivered
//! the result was still inside the interpreter.
//!
//! So every entry goes through [`attach`], which counts threads inside, and
//! the module registers [`close`] with `atexit`. `atexit` runs before
//! finalization starts: `close` shuts the gate, releases the GIL and waits
//! for the threads inside to leave. After that no runtime thread touches
//! the interpreter; results and progress events that arrive later are
//! dropped (no one is left to receive them), and their Python references
//! are released without the GIL (PyO3 defers the decref).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use pyo3::prelude::*;

/// Set once by [`close`]; never cleared.
static CLOSED: AtomicBool = AtomicBool::new(false);
/// Runtime threads between [`attach`]'s check and their exit.
static INSIDE: AtomicUsize = AtomicUsize::new(0);
/// Wakes [`close`] when a thread leaves.
static LEFT: (Mutex<()>, Condvar) = (Mutex::new(()), Condvar::new());

/// How long [`close`] waits for threads inside: a thread inside runs only
/// the bindings' short delivery code, so this bounds only a callback that
/// never returns.
const DRAIN_LIMIT: Duration = Duration::from_secs(10);

/// One thread's stay inside the gate; leaving wakes [`close`].
struct Stay;

impl Stay {
    /// Enters unless the gate is closed. The count goes up before the check,
    /// so [`close`] either sees this thread inside or this thread sees it
    /// closed: never neither.
    fn enter() -> Option<Self> {
        INSIDE.fetch_add(1, Ordering::SeqCst);
        let stay = Self;
        if CLOSED.load(Ordering::SeqCst) {
            return None; // `stay` is dropped: the count goes back down
        }
        Some(stay)
    }
}

impl Drop for Stay {
    fn drop(&mut self) {
        INSIDE.fetch_sub(1, Ordering::SeqCst);
        let _lock = LEFT.0.lock().unwrap_or_else(PoisonError::into_inner);
        LEFT.1.notify_all();
    }
}

/// Runs `f` with the GIL held, from any thread, unless the interpreter is
/// shutting down; then it returns `None` without touching Python. The GIL
/// is released before the thread counts as gone.
pub(crate) fn attach<R>(f: impl FnOnce(Python<'_>) -> R) -> Option<R> {
    let _stay = Stay::enter()?;
    Python::try_attach(f)
}

/// Shuts the gate and waits, without the GIL, until no runtime thread is
/// inside the interpreter (at most 10 s). Registered with `atexit` when the
/// module is imported; calling it earlier stops all result delivery.
#[pyfunction]
pub(crate) fn close(py: Python<'_>) {
    CLOSED.store(true, Ordering::SeqCst);
    py.detach(|| {
        let deadline = Instant::now() + DRAIN_LIMIT;
        let mut lock = LEFT.0.lock().unwrap_or_else(PoisonError::into_inner);
        while INSIDE.load(Ordering::SeqCst) > 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            lock = match LEFT.1.wait_timeout(lock, left) {
                Ok((lock, _)) => lock,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
    });
}
