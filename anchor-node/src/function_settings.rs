//! `functionSettings: { server, image }` to the core's
//! [`SiteFunctionSettingsParts`], and the core's field names back to the
//! ones JS callers write. Defaults and checks are the core's
//! ([`model::SiteFunctionSettings::from_parts`]).

use anchor_core::model::{self, FunctionSettingsParts, SiteFunctionSettingsParts};
use anchor_core::Error;

use crate::convert::whole;
use crate::types::{FunctionSettings, SiteFunctionSettings};

/// The option's name, the root of every field an error names.
const ROOT: &str = "functionSettings";
/// The functions, as the option's keys and the core's field prefixes.
const FUNCTIONS: [&str; 2] = ["server", "image"];
/// Each setting as (JS key, core field).
const SETTINGS: [(&str, &str); 4] = [
    ("memoryMb", "memory_mb"),
    ("timeoutSeconds", "timeout_secs"),
    ("architecture", "architecture"),
    ("runtime", "runtime"),
];

/// The settings `options` describe, checked by the core. A number that is
/// not a whole number in `u32`'s range, or any value the core refuses, is
/// an `InvalidInput` naming the key as written, such as
/// `functionSettings.server.memoryMb`.
pub(crate) fn resolve(options: SiteFunctionSettings) -> Result<model::SiteFunctionSettings, Error> {
    let parts = SiteFunctionSettingsParts {
        server: options.server.map(|o| parts(o, "server")).transpose()?,
        image: options.image.map(|o| parts(o, "image")).transpose()?,
    };
    model::SiteFunctionSettings::from_parts(&parts).map_err(rename)
}

/// A core error about a setting (`server.timeout_secs`), renamed to the
/// key the caller wrote (`functionSettings.server.timeoutSeconds`); every
/// other error passes unchanged.
pub(crate) fn rename(error: Error) -> Error {
    error.rename_field(|field| {
        let (function, setting) = field.split_once('.')?;
        let (key, _) = SETTINGS.iter().find(|(_, core)| *core == setting)?;
        FUNCTIONS
            .contains(&function)
            .then(|| format!("{ROOT}.{function}.{key}"))
    })
}

fn parts(options: FunctionSettings, function: &str) -> Result<FunctionSettingsParts, Error> {
    let number = |key: &str, value: Option<f64>| {
        value
            .map(|v| whole(&format!("{ROOT}.{function}.{key}"), v, u64::from(u32::MAX)))
            .transpose()
            .map(|v| v.map(|v| v as u32))
    };
    Ok(FunctionSettingsParts {
        memory_mb: number("memoryMb", options.memory_mb)?,
        timeout_secs: number("timeoutSeconds", options.timeout_seconds)?,
        architecture: options.architecture,
        runtime: options.runtime,
    })
}
