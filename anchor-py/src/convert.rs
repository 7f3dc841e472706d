//! Records to JSON strings (the Python side parses them into dataclasses),
//! and Python numbers to the core's unsigned types.

use std::convert::Infallible;

use anchor_core::model::PageRequest;
use anchor_core::Error;
use pyo3::prelude::*;
use pyo3::types::PyNone;
use serde::Serialize;

use crate::errors::Failure;

/// Any serialisable record as a JSON string.
pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String, Failure> {
    Ok(serde_json::to_string(value)?)
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
