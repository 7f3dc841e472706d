//! The configuration a publish reconciles `$LATEST` to before it publishes:
//! handler, environment, memory, timeout and runtime, each either asked for
//! or kept as the function has it. One `UpdateFunctionConfiguration` covers
//! every difference, and none is sent when nothing differs.

use std::collections::BTreeMap;

use aws_sdk_lambda::types::{Environment, Runtime};

use super::lookup::Snapshot;
use crate::traits::PublishOptions;

/// What `$LATEST` must hold for the version about to be published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct WantedConfiguration {
    pub handler: Option<String>,
    pub environment: BTreeMap<String, String>,
    pub memory_mb: Option<i32>,
    pub timeout_seconds: Option<i32>,
    pub runtime: Option<String>,
}

impl WantedConfiguration {
    /// The options' values, falling back to `current`'s where they ask for
    /// none; the environment is `base` overlaid with the options' own.
    pub fn resolve(
        options: &PublishOptions,
        base: &BTreeMap<String, String>,
        current: &Snapshot,
    ) -> Self {
        let mut environment = base.clone();
        environment.extend(options.environment.clone());
        let to_i32 = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
        Self {
            handler: options.handler.clone().or_else(|| current.handler.clone()),
            environment,
            memory_mb: options.memory_mb.map(to_i32).or(current.memory_mb),
            timeout_seconds: options
                .timeout_seconds
                .map(to_i32)
                .or(current.timeout_seconds),
            runtime: options.runtime.clone().or_else(|| current.runtime.clone()),
        }
    }

    /// Whether `snapshot` (`$LATEST` or a version) already has all of it.
    pub fn is_met_by(&self, snapshot: &Snapshot) -> bool {
        self.handler == snapshot.handler
            && self.environment == snapshot.environment
            && self.memory_mb == snapshot.memory_mb
            && self.timeout_seconds == snapshot.timeout_seconds
            && self.runtime == snapshot.runtime
    }

    /// Fills an `UpdateFunctionConfiguration` call with every value.
    pub fn apply(
        &self,
        call: aws_sdk_lambda::operation::update_function_configuration::builders::UpdateFunctionConfigurationFluentBuilder,
    ) -> aws_sdk_lambda::operation::update_function_configuration::builders::UpdateFunctionConfigurationFluentBuilder{
        let variables = self.environment.clone().into_iter().collect();
        call.set_handler(self.handler.clone())
            .environment(
                Environment::builder()
                    .set_variables(Some(variables))
                    .build(),
            )
            .set_memory_size(self.memory_mb)
            .set_timeout(self.timeout_seconds)
            .set_runtime(self.runtime.as_deref().map(Runtime::from))
    }
}
