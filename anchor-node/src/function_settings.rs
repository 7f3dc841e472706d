//! `functionSettings: { server, image }` to the core's
//! [`SiteFunctionSettingsParts`]. Defaults, checks and the names errors
//! give are the core's ([`anchor_core::calls::function_settings`]); the
//! binding reports every field in camelCase, as JS callers write it
//! (`functionSettings.server.timeoutSeconds`).

use anchor_core::calls::{self, FUNCTION_SETTINGS_ARGUMENT};
use anchor_core::model::{self, FunctionSettingsParts, SiteFunctionSettingsParts};
use anchor_core::Error;

use crate::args::camel_case;
use crate::convert::whole;
use crate::types::{FunctionSettings, SiteFunctionSettings};

/// The settings `options` describe, checked by the core. A number that is
/// not a whole number in `u32`'s range, or any value the core refuses, is
/// an `InvalidInput` naming the key, such as
/// `function_settings.server.memory_mb` (`functionSettings.server.memoryMb`
/// once the error reaches JS).
pub(crate) fn resolve(options: SiteFunctionSettings) -> Result<model::SiteFunctionSettings, Error> {
    let parts = SiteFunctionSettingsParts {
        server: options.server.map(|o| parts(o, "server")).transpose()?,
        image: options.image.map(|o| parts(o, "image")).transpose()?,
    };
    calls::function_settings(&parts)
}

/// A core error about a setting (`server.timeout_seconds`), named under the
/// option (`function_settings.server.timeout_seconds`, camelCased on the
/// way to JS); every other error passes unchanged.
pub(crate) fn rename(error: Error) -> Error {
    calls::name_function_settings_field(error)
}

fn parts(options: FunctionSettings, function: &str) -> Result<FunctionSettingsParts, Error> {
    let number = |key: &str, value: Option<f64>| {
        let field = camel_case(&format!("{FUNCTION_SETTINGS_ARGUMENT}.{function}.{key}"));
        value
            .map(|v| whole(&field, v, u64::from(u32::MAX)))
            .transpose()
            .map(|v| v.map(|v| v as u32))
    };
    Ok(FunctionSettingsParts {
        memory_mb: number("memory_mb", options.memory_mb)?,
        timeout_seconds: number("timeout_seconds", options.timeout_seconds)?,
        architecture: options.architecture,
        runtime: options.runtime,
    })
}
