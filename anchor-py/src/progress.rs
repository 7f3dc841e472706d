//! The bridge from Anchor's progress events to a Python callable.

use std::sync::{Arc, Mutex};

use anchor_core::progress::{ProgressEvent, ProgressFn};
use pyo3::prelude::*;

/// Holds the Python callback for the length of one deploy.
///
/// The core may keep clones of the [`ProgressFn`] in tasks of its own; they
/// share this slot, and dropping the `Callback` (when the deploy future ends
/// or is cancelled) empties it, so the Python callable is released then and
/// is never called afterwards.
pub(crate) struct Callback {
    slot: Arc<Mutex<Option<Arc<Py<PyAny>>>>>,
}

impl Callback {
    pub(crate) fn new(callable: Py<PyAny>) -> Self {
        Self {
            slot: Arc::new(Mutex::new(Some(Arc::new(callable)))),
        }
    }

    /// The function to hand to the deployer: it calls the callable with the
    /// event as JSON, with the GIL held. A callback's exception is printed
    /// and ignored, since progress must never fail a deploy.
    pub(crate) fn progress_fn(&self) -> ProgressFn {
        let slot = Arc::clone(&self.slot);
        Arc::new(move |event: &ProgressEvent| {
            // Take a reference and let go of the lock before waiting for the
            // GIL, so the lock is never held while the GIL is awaited.
            let callable = match slot.lock() {
                Ok(guard) => guard.clone(),
                Err(_) => None,
            };
            let Some(callable) = callable else { return };
            let Ok(json) = serde_json::to_string(event) else {
                return;
            };
            Python::try_attach(|py| {
                if let Err(err) = callable.call1(py, (json,)) {
                    err.print(py);
                }
            });
        })
    }
}

impl Drop for Callback {
    fn drop(&mut self) {
        let taken = match self.slot.lock() {
            Ok(mut guard) => guard.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        // Without the GIL, PyO3 defers the decref to the next time it is held.
        drop(taken);
    }
}
