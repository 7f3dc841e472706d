//! The `function_settings` argument of `create_project` and `deploy`:
//! its name, the functions and settings it takes, and how its errors name
//! the field, written once for every language. The names are the
//! documented ones (snake_case, as Rust and Python write them); the Node
//! binding reports every field in camelCase (`functionSettings.server.timeoutSeconds`).

use crate::error::{Error, Result};
use crate::model::{SiteFunctionSettings, SiteFunctionSettingsParts};

/// The argument's name, the root of every field its errors name.
pub const FUNCTION_SETTINGS_ARGUMENT: &str = "function_settings";

/// The functions the argument configures, as its keys.
pub const CONFIGURABLE_FUNCTIONS: [&str; 2] = ["server", "image"];

/// The settings of each function, as its keys: the names of the fields of
/// [`crate::model::FunctionSettingsParts`] and [`crate::model::FunctionSettings`].
pub const FUNCTION_SETTING_NAMES: [&str; 4] =
    ["memory_mb", "timeout_seconds", "architecture", "runtime"];

/// The settings `parts` describe, with the core's defaults and checks
/// ([`SiteFunctionSettings::from_parts`]); an error names the field under
/// the argument, such as `function_settings.image.timeout_seconds`.
pub fn function_settings(parts: &SiteFunctionSettingsParts) -> Result<SiteFunctionSettings> {
    SiteFunctionSettings::from_parts(parts).map_err(name_function_settings_field)
}

/// An error about one function's setting (`server.timeout_seconds`) with
/// its field named under the argument
/// (`function_settings.server.timeout_seconds`); every other error,
/// including `InvalidInput` about other fields, passes unchanged.
pub fn name_function_settings_field(error: Error) -> Error {
    error.rename_field(|field| {
        let (function, setting) = field.split_once('.')?;
        (CONFIGURABLE_FUNCTIONS.contains(&function) && FUNCTION_SETTING_NAMES.contains(&setting))
            .then(|| format!("{FUNCTION_SETTINGS_ARGUMENT}.{field}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FunctionSettingsParts;

    fn field_of(error: Error) -> String {
        match error {
            Error::InvalidInput { field, .. } => field,
            other => panic!("expected InvalidInput, got {other:?}"),
        }
    }

    #[test]
    fn a_refused_setting_is_named_under_the_argument() {
        let parts = SiteFunctionSettingsParts {
            image: Some(FunctionSettingsParts {
                timeout_seconds: Some(901),
                ..Default::default()
            }),
            ..Default::default()
        };
        let error = function_settings(&parts).unwrap_err();
        assert_eq!(field_of(error), "function_settings.image.timeout_seconds");
    }

    #[test]
    fn every_documented_setting_is_a_field_of_the_parts() {
        // The table and the record cannot drift: each name is a key of the
        // stored settings' JSON form.
        let json = serde_json::to_value(crate::model::FunctionSettings::server_default()).unwrap();
        for name in FUNCTION_SETTING_NAMES {
            assert!(json.get(name).is_some(), "{name} is not a field");
        }
        assert_eq!(
            json.as_object().unwrap().len(),
            FUNCTION_SETTING_NAMES.len()
        );
    }

    #[test]
    fn other_fields_and_other_errors_pass_unchanged() {
        let other = Error::invalid_input("server.color", "x");
        assert_eq!(
            field_of(name_function_settings_field(other)),
            "server.color"
        );
        let other = Error::invalid_input("domain", "x");
        assert_eq!(field_of(name_function_settings_field(other)), "domain");
    }
}
