//! Records to JSON strings (the Python side parses them into dataclasses),
//! and Python values (numbers, strings, dicts of options) to the core's
//! types, refused as `InvalidInput` naming the field.

use std::convert::Infallible;

use anchor_core::model::PageRequest;
use anchor_core::Error;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyNone};
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

/// The items of a dict with string keys, or `InvalidInput` naming `field`.
pub(crate) fn mapping<'py>(
    value: &Bound<'py, PyAny>,
    field: &str,
) -> Result<Vec<(String, Bound<'py, PyAny>)>, Error> {
    let dict = value.cast::<PyDict>().map_err(|_| {
        Error::invalid_input(field, format!("must be a dict, got {}", type_of(value)))
    })?;
    dict.iter()
        .map(|(k, v)| {
            let key = k.extract::<String>().map_err(|_| {
                Error::invalid_input(field, format!("keys must be strings, got {}", type_of(&k)))
            })?;
            Ok((key, v))
        })
        .collect()
}

/// A non-negative int that fits the core's `u32`; the core checks the range.
pub(crate) fn whole(value: &Bound<'_, PyAny>, field: &str) -> Result<u32, Error> {
    let refused = || {
        Error::invalid_input(
            field,
            format!(
                "must be a whole number from 0 to {}, got {}",
                u32::MAX,
                shown(value)
            ),
        )
    };
    if value.is_instance_of::<PyBool>() {
        return Err(refused());
    }
    let number: i64 = value.extract().map_err(|_| refused())?;
    u32::try_from(number).map_err(|_| refused())
}

/// A str, or `InvalidInput` naming `field`.
pub(crate) fn text(value: &Bound<'_, PyAny>, field: &str) -> Result<String, Error> {
    value
        .extract::<String>()
        .map_err(|_| Error::invalid_input(field, format!("must be a str, got {}", type_of(value))))
}

fn type_of(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "an object".to_string())
}

fn shown(value: &Bound<'_, PyAny>) -> String {
    value
        .repr()
        .map(|r| r.to_string())
        .unwrap_or_else(|_| type_of(value))
}
