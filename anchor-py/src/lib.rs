//! Python bindings of Anchor: the native module `anchor_deploy._anchor`.
//!
//! Thin by design: argument conversion, option mapping, error mapping and
//! the async bridge. Every method returns an awaitable whose work runs on a
//! tokio runtime, without the GIL; records come back as JSON strings that
//! the pure-Python package turns into objects.

mod anchor;
mod bridge;
mod convert;
mod domain_limits;
mod domains;
mod edge;
mod errors;
mod function_settings;
mod gate;
mod progress;
mod prune;
mod records;
mod releases;
mod rollouts;

use std::future::Future;
use std::sync::OnceLock;

use anchor_core::Error;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::errors::Failure;

/// The process that imported the module. Tokio's runtime (threads, I/O
/// driver) does not survive `fork()`, so a forked child must not use it.
static IMPORT_PID: OnceLock<u32> = OnceLock::new();

/// Fails with `ANCHOR_FORKED` in a process forked after the import.
fn check_not_forked(py: Python<'_>) -> PyResult<()> {
    match IMPORT_PID.get() {
        Some(&pid) if pid != std::process::id() => Err(errors::anchor_error(
            py,
            "anchor_deploy cannot be used in a process forked after it was imported; \
             its async runtime does not survive fork(). Import anchor_deploy in the child, \
             or use the 'spawn' or 'forkserver' multiprocessing start method",
            "ANCHOR_FORKED",
        )),
        _ => Ok(()),
    }
}

/// Runs `fut` on the runtime and returns an awaitable of its result (see
/// [`bridge::spawn`]); refused with `ANCHOR_FORKED` in a forked child.
pub(crate) fn spawn<'py, F, T>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = Result<T, Failure>> + Send + 'static,
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    check_not_forked(py)?;
    bridge::spawn(py, fut)
}

/// The structured fields of each core code, as `{code: (name, ...)}`, read
/// from the core's sample of that code: `exceptions.py` declares the same
/// names on each class, and a test holds the two equal.
fn error_fields(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let table = PyDict::new(py);
    for code in Error::CODES {
        let names: Vec<&str> = Error::sample(code)
            .map(|e| e.fields().into_iter().map(|(name, _)| name).collect())
            .unwrap_or_default();
        table.set_item(code, PyTuple::new(py, names)?)?;
    }
    Ok(table)
}

/// Raises a sample core error of `code` through the real mapping, so the
/// Python tests can check every class and its fields.
#[pyfunction]
fn _raise_core_error(py: Python<'_>, code: &str) -> PyResult<()> {
    match Error::sample(code) {
        Some(e) => Err(errors::to_py_err(py, &e)),
        None => Err(PyValueError::new_err(format!(
            "{code:?} is not one of ERROR_CODES"
        ))),
    }
}

/// The core's JSON of one filled sample of every record and result the
/// API returns, as `{type name: JSON text}` (see
/// `anchor_core::calls::sample_json`): the tests parse each with its
/// record class and check that every field arrives.
#[pyfunction]
fn _samples(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let samples = anchor_core::calls::sample_json().map_err(|e| errors::to_py_err(py, &e))?;
    let table = PyDict::new(py);
    for (name, json) in samples {
        table.set_item(name, json.to_string())?;
    }
    Ok(table)
}

/// An awaitable that panics on the runtime, to test that a panic surfaces
/// as `AnchorError(code="ANCHOR_INTERNAL")`.
#[pyfunction]
fn _panic_in_future(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    spawn(py, async {
        if IMPORT_PID.get().is_some() {
            panic!("sample panic");
        }
        Ok::<(), Failure>(())
    })
}

/// Calls `callable()` once on a runtime thread, through the interpreter
/// gate, and returns at once: the tests use it to exit Python while a
/// runtime thread is inside the interpreter. The callable's exception is
/// printed.
#[pyfunction]
fn _call_from_runtime(py: Python<'_>, callable: Py<PyAny>) -> PyResult<()> {
    let runtime = bridge::runtime().map_err(|f| f.into_py_err(py))?;
    runtime.spawn(async move {
        gate::attach(|py| {
            if let Err(err) = callable.call0(py) {
                err.print(py);
            }
        });
    });
    Ok(())
}

#[pymodule]
fn _anchor(m: &Bound<'_, PyModule>) -> PyResult<()> {
    IMPORT_PID.get_or_init(std::process::id);
    m.add_class::<anchor::PyAnchor>()?;
    m.add_class::<edge::PyLocalEdge>()?;
    m.add("ERROR_CODES", Error::CODES.to_vec())?;
    m.add("ERROR_FIELDS", error_fields(m.py())?)?;
    m.add_function(wrap_pyfunction!(_raise_core_error, m)?)?;
    m.add_function(wrap_pyfunction!(_samples, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_in_future, m)?)?;
    m.add_function(wrap_pyfunction!(_call_from_runtime, m)?)?;
    let close = wrap_pyfunction!(gate::close, m)?;
    m.py()
        .import("atexit")?
        .call_method1("register", (close.clone(),))?;
    m.add("_close", close)?;
    Ok(())
}
