//! The async bridge: a Rust future on the tokio runtime, seen from Python
//! as an `asyncio.Future` of the running loop.
//!
//! The result is handed to the loop with `call_soon_threadsafe`, straight
//! from the runtime thread that finished the future and through
//! [`crate::gate`], so it never reaches a finalizing interpreter.
//! Cancelling the asyncio future drops the Rust future at its next await.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::OnceLock;

use futures::future::{AbortHandle, Abortable};
use futures::FutureExt;
use pyo3::prelude::*;
use pyo3::{intern, IntoPyObjectExt};
use tokio::runtime::Runtime;

use crate::errors::Failure;
use crate::gate;

/// The runtime every binding future runs on, started on first use.
pub(crate) fn runtime() -> Result<&'static Runtime, Failure> {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    if let Some(rt) = RUNTIME.get() {
        return Ok(rt);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("anchor-runtime")
        .build()
        .map_err(|e| Failure::Internal(format!("could not start the async runtime: {e}")))?;
    Ok(RUNTIME.get_or_init(|| rt))
}

/// Runs `fut` on the runtime and returns an `asyncio.Future` of its result,
/// bound to the running event loop (a `RuntimeError` without one). A core
/// error becomes its `anchor_deploy.exceptions` class and a panic becomes
/// `AnchorError(code="ANCHOR_INTERNAL")`.
pub(crate) fn spawn<'py, F, T>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = Result<T, Failure>> + Send + 'static,
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    let runtime = runtime().map_err(|f| f.into_py_err(py))?;
    let event_loop = py
        .import(intern!(py, "asyncio"))?
        .call_method0(intern!(py, "get_running_loop"))?;
    let future = event_loop.call_method0(intern!(py, "create_future"))?;
    let (abort, registration) = AbortHandle::new_pair();
    future.call_method1(intern!(py, "add_done_callback"), (AbortOnDone(abort),))?;
    let target = Target {
        event_loop: event_loop.unbind(),
        future: future.clone().unbind(),
    };
    runtime.spawn(async move {
        let guarded = AssertUnwindSafe(fut).catch_unwind();
        let outcome = match Abortable::new(guarded, registration).await {
            Ok(Ok(result)) => result,
            Ok(Err(payload)) => Err(Failure::panic(payload)),
            // Cancelled from Python: nobody waits for a result.
            Err(_aborted) => return,
        };
        target.settle(outcome);
    });
    Ok(future)
}

/// Where a result goes: the asyncio future and the loop that owns it.
struct Target {
    event_loop: Py<PyAny>,
    future: Py<PyAny>,
}

impl Target {
    /// Schedules the outcome on the loop. Nothing happens if the interpreter
    /// is shutting down or the loop is closed: no one awaits it any more.
    fn settle<T>(self, outcome: Result<T, Failure>)
    where
        T: for<'a> IntoPyObject<'a>,
    {
        gate::attach(move |py| {
            let (ok, value) = match outcome.map(|v| v.into_py_any(py)) {
                Ok(Ok(value)) => (true, value),
                Ok(Err(err)) => (false, err.into_value(py).into_any()),
                Err(failure) => (false, failure.into_py_err(py).into_value(py).into_any()),
            };
            let settle = Settle {
                future: self.future,
                ok,
                value,
            };
            // Fails only when the loop is closed; then there is no one to tell.
            let _ =
                self.event_loop
                    .call_method1(py, intern!(py, "call_soon_threadsafe"), (settle,));
        });
    }
}

/// Runs on the event loop: sets the future's result or exception unless it
/// was cancelled meanwhile.
#[pyclass(frozen)]
struct Settle {
    future: Py<PyAny>,
    ok: bool,
    value: Py<PyAny>,
}

#[pymethods]
impl Settle {
    fn __call__(&self, py: Python<'_>) -> PyResult<()> {
        let future = self.future.bind(py);
        if future.call_method0(intern!(py, "done"))?.is_truthy()? {
            return Ok(());
        }
        let method = if self.ok {
            intern!(py, "set_result")
        } else {
            intern!(py, "set_exception")
        };
        future.call_method1(method, (self.value.clone_ref(py),))?;
        Ok(())
    }
}

/// The asyncio future's done callback: when it was cancelled, the Rust
/// future is dropped at its next await; after a result it does nothing.
#[pyclass(frozen)]
struct AbortOnDone(AbortHandle);

#[pymethods]
impl AbortOnDone {
    fn __call__(&self, _future: &Bound<'_, PyAny>) {
        self.0.abort();
    }
}
