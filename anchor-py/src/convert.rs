//! Records to JSON strings (the Python side parses them into dataclasses),
//! and Python numbers to the core's unsigned types.

use std::convert::Infallible;

use anchor_core::model::{Deployment, PageRequest, RollbackEvent};
use anchor_core::{Error, RollbackOutcome};
use pyo3::prelude::*;
use pyo3::types::PyNone;
use serde::Serialize;

use crate::errors::Failure;

/// Any serialisable record as a JSON string.
pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String, Failure> {
    Ok(serde_json::to_string(value)?)
}

/// `RollbackOutcome` is not `Serialize`; this is its JSON, written straight
/// from borrowed records (no intermediate `serde_json::Value` copy).
#[derive(Serialize)]
struct OutcomeJson<'a> {
    event: &'a RollbackEvent,
    from: Option<&'a Deployment>,
    to: &'a Deployment,
    elapsed_ms: f64,
    invalidation_id: Option<&'a str>,
    invalidation_error: Option<&'a str>,
}

/// The JSON of a rollback's outcome:
/// `{"event", "from", "to", "elapsed_ms", "invalidation_id", "invalidation_error"}`.
pub(crate) fn rollback_outcome(outcome: &RollbackOutcome) -> Result<String, Failure> {
    to_json(&OutcomeJson {
        event: &outcome.event,
        from: outcome.from.as_ref(),
        to: &outcome.to,
        elapsed_ms: outcome.elapsed.as_secs_f64() * 1000.0,
        invalidation_id: outcome.invalidation_id.as_deref(),
        invalidation_error: outcome.invalidation_error.as_deref(),
    })
}

/// A page request from Python's `limit` and `cursor`. A negative limit is
/// refused like any other out-of-range one, as `InvalidInput` on `limit`.
pub(crate) fn page(limit: i64, cursor: Option<String>) -> Result<PageRequest, Error> {
    let limit = usize::try_from(limit).map_err(|_| {
        Error::invalid_input(
            "limit",
            format!(
                "must be between 1 and {}, got {limit}",
                PageRequest::MAX_LIMIT
            ),
        )
    })?;
    let page = PageRequest { limit, cursor };
    page.validate()?;
    Ok(page)
}

/// A non-negative integer option, refused as `InvalidInput` on `field` otherwise.
pub(crate) fn unsigned(field: &str, value: i64) -> Result<u64, Error> {
    u64::try_from(value)
        .map_err(|_| Error::invalid_input(field, format!("must not be negative, got {value}")))
}

/// Python's `None`, for awaitables with no result (`()` would become `()`).
pub(crate) struct NoResult;

impl<'py> IntoPyObject<'py> for NoResult {
    type Target = PyNone;
    type Output = Borrowed<'py, 'py, PyNone>;
    type Error = Infallible;

    fn into_pyobject(self, py: Python<'py>) -> Result<Self::Output, Self::Error> {
        Ok(PyNone::get(py))
    }
}
