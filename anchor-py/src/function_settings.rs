//! `function_settings={"server": {...}, "image": {...}}` to the core's
//! [`SiteFunctionSettingsParts`]. The keys, defaults, checks and the names
//! errors give are the core's ([`anchor_core::calls::function_settings`]);
//! Python writes them as they are.

use anchor_core::calls::{
    self, CONFIGURABLE_FUNCTIONS, FUNCTION_SETTINGS_ARGUMENT as ROOT, FUNCTION_SETTING_NAMES,
};
use anchor_core::model::{FunctionSettingsParts, SiteFunctionSettings, SiteFunctionSettingsParts};
use anchor_core::Error;
use pyo3::prelude::*;

use crate::convert::{mapping, text, whole};

/// Reads the `function_settings` dict (with the GIL held, so the result
/// owns everything). A key that is not a function or a setting, or a value
/// of the wrong type, is an `InvalidInput` naming it, such as
/// `function_settings.server.memory`; a missing key or `None` takes the
/// default.
pub(crate) fn parts(value: &Bound<'_, PyAny>) -> Result<SiteFunctionSettingsParts, Error> {
    let mut parts = SiteFunctionSettingsParts::default();
    for (key, value) in mapping(value, ROOT)? {
        let field = format!("{ROOT}.{key}");
        let function = match key.as_str() {
            "server" => &mut parts.server,
            "image" => &mut parts.image,
            _ => {
                return Err(Error::invalid_input(
                    field,
                    format!(
                        "is not a function; use {}",
                        CONFIGURABLE_FUNCTIONS.join(" or ")
                    ),
                ))
            }
        };
        if !value.is_none() {
            *function = Some(function_parts(&value, &field)?);
        }
    }
    Ok(parts)
}

/// The settings the parts describe, checked by the core; its errors name
/// the field as the caller wrote it.
pub(crate) fn resolve(parts: &SiteFunctionSettingsParts) -> Result<SiteFunctionSettings, Error> {
    calls::function_settings(parts)
}

/// A core error about a setting (`server.timeout_seconds`), named as the
/// caller wrote it (`function_settings.server.timeout_seconds`); every
/// other error passes unchanged.
pub(crate) fn rename(error: Error) -> Error {
    calls::name_function_settings_field(error)
}

fn function_parts(value: &Bound<'_, PyAny>, field: &str) -> Result<FunctionSettingsParts, Error> {
    let mut parts = FunctionSettingsParts::default();
    for (key, value) in mapping(value, field)? {
        let field = format!("{field}.{key}");
        if value.is_none() {
            continue;
        }
        match key.as_str() {
            "memory_mb" => parts.memory_mb = Some(whole(&value, &field)?),
            "timeout_seconds" => parts.timeout_seconds = Some(whole(&value, &field)?),
            "architecture" => parts.architecture = Some(text(&value, &field)?),
            "runtime" => parts.runtime = Some(text(&value, &field)?),
            _ => {
                return Err(Error::invalid_input(
                    field,
                    format!(
                        "is not a setting; use {}",
                        FUNCTION_SETTING_NAMES.join(", ")
                    ),
                ));
            }
        }
    }
    Ok(parts)
}
