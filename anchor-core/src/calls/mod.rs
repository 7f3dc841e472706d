//! The rules of the public calls that every language shares, written once:
//! how a call's arguments are checked and combined, and the JSON of the
//! results that are not stored records. The Python and Node bindings call
//! these and only convert types, map errors and bridge async, so the three
//! languages cannot drift apart on a rule.
//!
//! Field names in the errors are the core's (snake_case); the Node binding
//! reports them in camelCase.

mod create_project;
mod function_settings;
#[cfg(feature = "local")]
mod local_certificate;
mod rollback;
mod rollout;
mod samples;

pub use create_project::provision_options;
pub use function_settings::{
    function_settings, name_function_settings_field, CONFIGURABLE_FUNCTIONS,
    FUNCTION_SETTINGS_ARGUMENT, FUNCTION_SETTING_NAMES,
};
#[cfg(feature = "local")]
pub use local_certificate::validate_local_certificate;
pub use rollback::rollback_target;
pub use rollout::{
    gate_verdict, rollout_plan, FunctionGate, GateFunction, GATE_ARGUMENT, ROLLOUT_ARGUMENT,
};
pub use samples::{sample_json, samples, Samples, INTERNAL_FIELDS};
