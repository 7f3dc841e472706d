//! Mapping Anchor's [`Error`] to the exception classes of the pure-Python
//! module `anchor_deploy.exceptions`, in one place.
//!
//! The classes live in Python (so users can subclass and document them);
//! this file only picks the class and passes the variant's structured
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
        Ok(()) => instantiate(py, "AnchorError", message, &kwargs),
        Err(_) => PyRuntimeError::new_err(format!("{message} [{code}]")),
    }
}

/// Converts an Anchor error into the matching `anchor_deploy.exceptions` class,
/// with the variant's fields as attributes and its source chain as `__cause__`.
pub(crate) fn to_py_err(py: Python<'_>, e: &Error) -> PyErr {
    match fields(py, e) {
        Ok((class, kwargs)) => {
            let err = instantiate(py, class, &e.to_string(), &kwargs);
            if let Some(chain) = e.source_chain() {
                err.set_cause(py, Some(PyException::new_err(chain)));
            }
            err
        }
        Err(err) => err,
    }
}

/// The class of each code in `anchor_deploy.exceptions`.
fn class_of(code: &str) -> &'static str {
    match code {
        "ANCHOR_INVALID_INPUT" => "InvalidInputError",
        "ANCHOR_INVALID_BUILD" => "InvalidBuildError",
        "ANCHOR_NOT_FOUND" => "NotFoundError",
        "ANCHOR_ALREADY_EXISTS" => "AlreadyExistsError",
        "ANCHOR_CONFLICT" => "ConflictError",
        "ANCHOR_PRECONDITION_FAILED" => "PreconditionFailedError",
        "ANCHOR_DOMAIN_TAKEN" => "DomainTakenError",
        "ANCHOR_INVALID_STATE" => "InvalidStateError",
        "ANCHOR_NOT_MANAGED" => "NotManagedError",
        "ANCHOR_SERVICE" => "ServiceError",
        "ANCHOR_IO" => "IoError",
        // A code newer than these bindings: the base class still carries it.
        _ => "AnchorError",
    }
}

/// The class name and keyword arguments (`code` plus the variant's fields).
fn fields<'py>(py: Python<'py>, e: &Error) -> PyResult<(&'static str, Bound<'py, PyDict>)> {
    let kw = PyDict::new(py);
    kw.set_item("code", e.code())?;
    for (name, value) in e.fields() {
        match value {
            FieldValue::Text(text) => kw.set_item(name, text)?,
            FieldValue::Flag(flag) => kw.set_item(name, flag)?,
        }
    }
    Ok((class_of(e.code()), kw))
}

/// `cls(message, **kwargs)` from `anchor_deploy.exceptions`, as a `PyErr`.
/// Falls back to `AnchorError` for a class the module lacks, and to
/// `RuntimeError` (chained to the import failure) if the module is missing.
fn instantiate(py: Python<'_>, class: &str, message: &str, kwargs: &Bound<'_, PyDict>) -> PyErr {
    let built = PyModule::import(py, EXCEPTIONS).and_then(|module| {
        let cls = module
            .getattr(class)
            .or_else(|_| module.getattr("AnchorError"))?;
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
