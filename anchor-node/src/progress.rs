//! The bridge from Anchor's progress events to a JS callback.

use anchor_core::progress::ProgressScope;
use napi::threadsafe_function::ThreadsafeFunctionCallMode;

use crate::types::{ProgressCallback, ProgressEvent};

/// Scopes the JS callback to one deploy: each event is queued for the main
/// thread without blocking the deploy, and dropping the scope (when the
/// deploy future ends or is dropped) releases the function. The function is
/// weak, so it never keeps Node's event loop alive either way.
pub(crate) fn scope(callback: ProgressCallback) -> ProgressScope {
    ProgressScope::new(move |event| {
        let _queued = callback.call(
            ProgressEvent::from(event),
            ThreadsafeFunctionCallMode::NonBlocking,
        );
    })
}
