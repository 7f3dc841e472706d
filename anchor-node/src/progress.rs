//! The bridge from Anchor's progress events to a JS callback.

use std::sync::{Arc, Mutex};

use anchor_core::progress::{ProgressEvent as CoreEvent, ProgressFn};
use napi::threadsafe_function::ThreadsafeFunctionCallMode;

use crate::types::{ProgressCallback, ProgressEvent};

/// Holds the JS callback for the length of one deploy.
///
/// The core may keep clones of the [`ProgressFn`] in tasks of its own; they
/// share this slot, and dropping the `Callback` (when the deploy future
/// ends or is dropped) empties it, so the JS function is released then and
/// never called afterwards. The function is weak: it does not keep Node's
/// event loop alive either way.
pub(crate) struct Callback {
    slot: Arc<Mutex<Option<Arc<ProgressCallback>>>>,
}

impl Callback {
    pub(crate) fn new(callback: ProgressCallback) -> Self {
        Self {
            slot: Arc::new(Mutex::new(Some(Arc::new(callback)))),
        }
    }

    /// The function to hand to the deployer: it queues each event for the
    /// main thread without blocking the deploy.
    pub(crate) fn progress_fn(&self) -> ProgressFn {
        let slot = Arc::clone(&self.slot);
        Arc::new(move |event: &CoreEvent| {
            let callback = match slot.lock() {
                Ok(guard) => guard.clone(),
                Err(_) => None,
            };
            if let Some(callback) = callback {
                let _queued = callback.call(
                    ProgressEvent::from(event),
                    ThreadsafeFunctionCallMode::NonBlocking,
                );
            }
        })
    }
}

impl Drop for Callback {
    fn drop(&mut self) {
        let taken = match self.slot.lock() {
            Ok(mut guard) => guard.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        drop(taken);
    }
}
