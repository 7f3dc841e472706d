//! JS numbers to the core's integer types, refused as `InvalidInput` on
//! the option's name when they are not whole numbers in range.

use anchor_core::model::PageRequest;
use anchor_core::Error;

use crate::types::PageOptions;

/// The largest integer a JS number holds exactly, `Number.MAX_SAFE_INTEGER`.
pub(crate) const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// A whole number from 0 to `max`, or `InvalidInput` naming `field`.
pub(crate) fn whole(field: &str, value: f64, max: u64) -> Result<u64, Error> {
    if value.fract() == 0.0 && (0.0..=max as f64).contains(&value) {
        Ok(value as u64)
    } else {
        Err(Error::invalid_input(
            field,
            format!("must be a whole number from 0 to {max}, got {value}"),
        ))
    }
}

/// An optional whole number of a policy, signed so that the core refuses
/// a negative one by its own rule; `default` when absent, `InvalidInput`
/// naming `field` when fractional or beyond `Number.MAX_SAFE_INTEGER`.
pub(crate) fn signed(field: &str, value: Option<f64>, default: i64) -> Result<i64, Error> {
    match value {
        None => Ok(default),
        Some(v) if v.fract() == 0.0 && v.abs() <= MAX_SAFE_INTEGER as f64 => Ok(v as i64),
        Some(v) => Err(Error::invalid_input(
            field,
            format!("{v} is not a whole number"),
        )),
    }
}

/// A page request from `{ limit, cursor }`; `limit` defaults to 20.
pub(crate) fn page(options: Option<PageOptions>) -> Result<PageRequest, Error> {
    let options = options.unwrap_or(PageOptions {
        limit: None,
        cursor: None,
    });
    let max = PageRequest::MAX_LIMIT as u64;
    let limit = match options.limit {
        Some(limit) => whole("limit", limit, max)? as usize,
        None => 20,
    };
    let page = PageRequest {
        limit,
        cursor: options.cursor,
    };
    page.validate()?;
    Ok(page)
}
