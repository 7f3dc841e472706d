//! The bridge from Anchor's progress events to a Python callable.

use anchor_core::progress::ProgressScope;
use pyo3::prelude::*;

/// Scopes the Python callable to one deploy: it is called with each event as
/// JSON, on a runtime thread, with the GIL held (never once the interpreter
/// is shutting down, see [`crate::gate`]); dropping the scope (when the
/// deploy future ends or is cancelled) releases it, and it is never called
/// afterwards. A callback's exception is printed and ignored, since progress
/// must never fail a deploy. Without the GIL at the release, PyO3 defers the
/// decref to the next time the GIL is held.
pub(crate) fn scope(callable: Py<PyAny>) -> ProgressScope {
    ProgressScope::new(move |event| {
        let Ok(json) = serde_json::to_string(event) else {
            return;
        };
        crate::gate::attach(|py| {
            if let Err(err) = callable.call1(py, (json,)) {
                err.print(py);
            }
        });
    })
}
