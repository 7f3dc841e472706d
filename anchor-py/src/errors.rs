//! Mapping Anchor's [`Error`] to the exception classes of the pure-Python
//! module `anchor_deploy.exceptions`, in one place.
//!
//! The classes live in Python (so users can subclass and document them) and
//! each declares the core code it stands for; this file asks the module's
//! `error_class(code)` for the class and passes the variant's structured
//! fields as keyword arguments: `cls(message, code=..., **fields)`.

use std::any::Any;

use anchor_core::error::{panic_message, FieldValue};
use anchor_core::Error;
use pyo3::exceptions::{PyException, PyRuntimeError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The Python module that defines the exception classes.
const EXCEPTIONS: &str = "anchor_deploy.exceptions";

/// Why a binding future failed, before it is turned into a Python exception
/// (which needs the interpreter, so it happens once, when the result is
/// delivered).
#[derive(Debug)]
pub(crate) enum Failure {
    /// A failure reported by anchor-core.
    Core(Error),
    /// A bug on our side (a panic, an unserialisable record): `ANCHOR_INTERNAL`.
    Internal(String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Self::Core(e)
    }
}

impl From<serde_json::Error> for Failure {
    fn from(e: serde_json::Error) -> Self {
        Self::Internal(format!("could not serialise a result: {e}"))
    }
}

impl Failure {
    /// Describes a caught panic payload.
    pub(crate) fn panic(payload: Box<dyn Any + Send>) -> Self {
        let text = panic_message(&*payload);
        Self::Internal(format!("internal error: {text}"))
    }

    /// The Python exception of this failure.
    pub(crate) fn into_py_err(self, py: Python<'_>) -> PyErr {
        match self {
            Self::Core(e) => to_py_err(py, &e),
            Self::Internal(msg) => anchor_error(py, &msg, "ANCHOR_INTERNAL"),
        }
    }
}

/// An `AnchorError(message, code=code)`, for failures that are not core errors.
pub(crate) fn anchor_error(py: Python<'_>, message: &str, code: &str) -> PyErr {
    let kwargs = PyDict::new(py);
    match kwargs.set_item("code", code) {
        Ok(()) => instantiate(py, message, &kwargs),
        Err(_) => PyRuntimeError::new_err(format!("{message} [{code}]")),
    }
}

/// Converts an Anchor error into the matching `anchor_deploy.exceptions` class,
/// with the variant's fields as attributes and its source chain as `__cause__`.
pub(crate) fn to_py_err(py: Python<'_>, e: &Error) -> PyErr {
    match fields(py, e) {
        Ok(kwargs) => {
            let err = instantiate(py, &e.to_string(), &kwargs);
            if let Some(chain) = e.source_chain() {
                err.set_cause(py, Some(PyException::new_err(chain)));
            }
            err
        }
        Err(err) => err,
    }
}

/// The keyword arguments of an exception: `code` plus the variant's fields.
fn fields<'py>(py: Python<'py>, e: &Error) -> PyResult<Bound<'py, PyDict>> {
    let kw = PyDict::new(py);
    kw.set_item("code", e.code())?;
    for (name, value) in e.fields() {
        match value {
            FieldValue::Text(text) => kw.set_item(name, text)?,
            FieldValue::Flag(flag) => kw.set_item(name, flag)?,
        }
    }
    Ok(kw)
}

/// `error_class(code)(message, **kwargs)` from `anchor_deploy.exceptions`,
/// as a `PyErr`: the Python module alone says which class stands for a code
/// (each class names its `CODE`), so there is no second table here. Falls
/// back to `RuntimeError` (chained to the import failure) if the module is
/// missing.
fn instantiate(py: Python<'_>, message: &str, kwargs: &Bound<'_, PyDict>) -> PyErr {
    let built = PyModule::import(py, EXCEPTIONS).and_then(|module| {
        let code = kwargs.get_item("code")?;
        let cls = module.getattr("error_class")?.call1((code,))?;
        cls.call((message,), Some(kwargs))
    });
    match built {
        Ok(instance) => PyErr::from_value(instance),
        Err(cause) => {
            let code = kwargs
                .get_item("code")
                .ok()
                .flatten()
                .map(|c| c.to_string())
                .unwrap_or_default();
            let err = PyRuntimeError::new_err(format!("{message} [{code}]"));
            err.set_cause(py, Some(cause));
            err
        }
    }
}
