//! Mapping Anchor's [`Error`] to the exception classes of the pure-Python
//! module `anchor_deploy.exceptions`, in one place.
//!
//! The classes live in Python (so users can subclass and document them);
//! this file only picks the class and passes the variant's structured
//! fields as keyword arguments: `cls(message, code=..., **fields)`.

use std::any::Any;

use anchor_core::Error;
use pyo3::exceptions::{PyException, PyRuntimeError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The Python module that defines the exception classes.
const EXCEPTIONS: &str = "anchor_deploy.exceptions";

/// Why a binding future failed, before it is turned into a Python exception
/// (which needs the interpreter, so it happens once, at the end).
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
        let text = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".into());
        Self::Internal(format!("internal error: {text}"))
    }

    pub(crate) fn into_py_err(self) -> PyErr {
        match self {
            Self::Core(e) => to_py_err(e),
            Self::Internal(msg) => anchor_error(&msg, "ANCHOR_INTERNAL"),
        }
    }
}

/// Converts an Anchor error into the matching `anchor_deploy.exceptions` class.
pub(crate) fn to_py_err(e: Error) -> PyErr {
    let message = e.to_string();
    let code = e.code();
    // Attaching fails only while the interpreter shuts down; nobody is
    // left to catch a precise class then.
    Python::try_attach(|py| core_err(py, &e))
        .unwrap_or_else(|| PyRuntimeError::new_err(format!("{message} [{code}]")))
}

/// An `AnchorError(message, code=code)`, for failures that are not core errors.
pub(crate) fn anchor_error(message: &str, code: &str) -> PyErr {
    Python::try_attach(|py| {
        let kwargs = PyDict::new(py);
        kwargs.set_item("code", code)?;
        Ok::<_, PyErr>(instantiate(py, "AnchorError", message, &kwargs))
    })
    .and_then(Result::ok)
    .unwrap_or_else(|| PyRuntimeError::new_err(format!("{message} [{code}]")))
}

fn core_err(py: Python<'_>, e: &Error) -> PyErr {
    match fields(py, e) {
        Ok((class, kwargs)) => {
            let err = instantiate(py, class, &e.to_string(), &kwargs);
            if let Some(chain) = source_chain(e) {
                err.set_cause(py, Some(PyException::new_err(chain)));
            }
            err
        }
        Err(err) => err,
    }
}

/// Kinds and services as identifiers: `function version` -> `function_version`.
fn ident(value: impl std::fmt::Display) -> String {
    value.to_string().replace(' ', "_")
}

/// The class name and keyword arguments (`code` plus the variant's fields).
fn fields<'py>(py: Python<'py>, e: &Error) -> PyResult<(&'static str, Bound<'py, PyDict>)> {
    let kw = PyDict::new(py);
    kw.set_item("code", e.code())?;
    let class = match e {
        Error::InvalidInput { field, reason } => {
            kw.set_item("field", field)?;
            kw.set_item("reason", reason)?;
            "InvalidInputError"
        }
        Error::InvalidBuild { path, reason } => {
            kw.set_item("path", path.display().to_string())?;
            kw.set_item("reason", reason)?;
            "InvalidBuildError"
        }
        Error::NotFound { kind, id } | Error::AlreadyExists { kind, id } => {
            kw.set_item("kind", ident(kind))?;
            kw.set_item("id", id)?;
            if matches!(e, Error::NotFound { .. }) {
                "NotFoundError"
            } else {
                "AlreadyExistsError"
            }
        }
        Error::Conflict { kind, id, reason } | Error::PreconditionFailed { kind, id, reason } => {
            kw.set_item("kind", ident(kind))?;
            kw.set_item("id", id)?;
            kw.set_item("reason", reason)?;
            if matches!(e, Error::Conflict { .. }) {
                "ConflictError"
            } else {
                "PreconditionFailedError"
            }
        }
        Error::DomainTaken { domain, project } => {
            kw.set_item("domain", domain)?;
            kw.set_item("project", project)?;
            "DomainTakenError"
        }
        Error::InvalidState {
            kind,
            id,
            state,
            reason,
        } => {
            kw.set_item("kind", ident(kind))?;
            kw.set_item("id", id)?;
            kw.set_item("state", state)?;
            kw.set_item("reason", reason)?;
            "InvalidStateError"
        }
        Error::NotManaged { certificate } => {
            kw.set_item("certificate", certificate)?;
            "NotManagedError"
        }
        Error::Service {
            backend,
            service,
            operation,
            retryable,
            ..
        } => {
            kw.set_item("backend", *backend)?;
            kw.set_item("service", ident(service))?;
            kw.set_item("operation", operation)?;
            kw.set_item("retryable", *retryable)?;
            "ServiceError"
        }
        Error::Io { path, .. } => {
            kw.set_item("path", path.display().to_string())?;
            "IoError"
        }
        // A variant newer than these bindings: the base class still carries the code.
        _ => "AnchorError",
    };
    Ok((class, kw))
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

/// The `source()` chain as one line, outermost first; `None` without a source.
fn source_chain(e: &Error) -> Option<String> {
    let mut parts = Vec::new();
    let mut next = std::error::Error::source(e);
    while let Some(source) = next {
        parts.push(source.to_string());
        next = source.source();
    }
    (!parts.is_empty()).then(|| parts.join(": "))
}
