//! Reading a function's `$LATEST` configuration, and telling "the function
//! is missing" from "the version or alias is missing": Lambda answers both
//! with `ResourceNotFoundException`.

use std::collections::BTreeMap;

use aws_sdk_lambda::operation::get_function_configuration::GetFunctionConfigurationOutput;
use aws_sdk_lambda::types::{FunctionConfiguration, LastUpdateStatus, State};

use super::LambdaFunctions;
use crate::aws::errors::service_error;
use crate::error::{Error, ResourceKind, Result, Service};
use crate::model::{Architecture, FunctionVersion};

/// What Anchor needs of a function's configuration, from
/// `GetFunctionConfiguration` or from a waiter's last `GetFunction`.
#[derive(Debug, Clone, Default)]
pub(super) struct Snapshot {
    /// The ARN Lambda reports (qualified for a version).
    pub arn: String,
    /// `"$LATEST"`, or the version number.
    pub version: String,
    pub handler: Option<String>,
    pub environment: BTreeMap<String, String>,
    pub code_sha256: String,
    /// The code package's size in bytes (`CodeSize`).
    pub code_size: i64,
    /// Lambda's name of its one architecture, such as `arm64`.
    pub architecture: Option<String>,
    /// Memory, timeout and runtime: the settings a version freezes.
    pub memory_mb: Option<i32>,
    pub timeout_seconds: Option<i32>,
    pub runtime: Option<String>,
    /// `None` on hosts that do not report one (moto).
    pub revision_id: Option<String>,
    /// `Pending` or `InProgress`: calls that change it would be refused.
    pub settling: bool,
}

macro_rules! snapshot {
    ($c:expr) => {{
        let c = $c;
        Snapshot {
            arn: c.function_arn.unwrap_or_default(),
            version: c.version.unwrap_or_default(),
            handler: c.handler,
            environment: c
                .environment
                .and_then(|e| e.variables)
                .map(|v| v.into_iter().collect())
                .unwrap_or_default(),
            code_sha256: c.code_sha256.unwrap_or_default(),
            code_size: c.code_size,
            architecture: c
                .architectures
                .and_then(|a| a.first().map(|a| a.as_str().to_string())),
            memory_mb: c.memory_size,
            timeout_seconds: c.timeout,
            runtime: c.runtime.map(|r| r.as_str().to_string()),
            revision_id: c.revision_id,
            settling: c.state == Some(State::Pending)
                || c.last_update_status == Some(LastUpdateStatus::InProgress),
        }
    }};
}

impl Snapshot {
    /// The record of a version of `function` that runs with this
    /// configuration: the snapshot's own version, or (for `$LATEST` just
    /// published) `version`, `arn` and `code_sha256` as `PublishVersion`
    /// reported them.
    pub(super) fn version_record(
        &self,
        function: &str,
        version: String,
        arn: String,
        code_sha256: String,
    ) -> FunctionVersion {
        FunctionVersion {
            function: function.to_string(),
            version,
            arn,
            code_sha256,
            handler: self.handler.clone(),
            memory_mb: self.memory_mb.and_then(|m| u32::try_from(m).ok()),
            timeout_seconds: self.timeout_seconds.and_then(|t| u32::try_from(t).ok()),
            // A name Anchor does not know is left out rather than failing
            // the read of a version that exists.
            architecture: self
                .architecture
                .as_deref()
                .and_then(|a| Architecture::parse(a, "architecture").ok()),
            runtime: self.runtime.clone(),
        }
    }

    /// The record of the version this snapshot describes.
    pub(super) fn into_version(self, function: &str) -> FunctionVersion {
        let (version, arn, sha) = (
            self.version.clone(),
            self.arn.clone(),
            self.code_sha256.clone(),
        );
        self.version_record(function, version, arn, sha)
    }
}

impl From<FunctionConfiguration> for Snapshot {
    fn from(c: FunctionConfiguration) -> Self {
        snapshot!(c)
    }
}

impl From<GetFunctionConfigurationOutput> for Snapshot {
    fn from(c: GetFunctionConfigurationOutput) -> Self {
        snapshot!(c)
    }
}

/// The configuration of `qualifier` (`None` for `$LATEST`); `Ok(None)` if
/// Lambda has no such function or version.
pub(super) async fn configuration(
    host: &LambdaFunctions,
    function: &str,
    qualifier: Option<&str>,
) -> Result<Option<Snapshot>> {
    match host
        .client
        .get_function_configuration()
        .function_name(function)
        .set_qualifier(qualifier.map(str::to_string))
        .send()
        .await
    {
        Ok(out) => Ok(Some(out.into())),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_not_found_exception()) =>
        {
            Ok(None)
        }
        Err(e) => Err(service_error(
            Service::Functions,
            "GetFunctionConfiguration",
            &qualified(function, qualifier.unwrap_or("$LATEST")),
            e,
        )),
    }
}

/// `$LATEST`'s configuration; `Error::NotFound` (kind `Function`) if the
/// function does not exist.
pub(super) async fn latest(host: &LambdaFunctions, function: &str) -> Result<Snapshot> {
    configuration(host, function, None)
        .await?
        .ok_or_else(|| Error::not_found(ResourceKind::Function, function))
}

/// `Ok(())` if the function exists, `Error::NotFound` (kind `Function`)
/// otherwise. Called only after Lambda said something was not found.
pub(super) async fn require_function(host: &LambdaFunctions, function: &str) -> Result<()> {
    latest(host, function).await.map(|_| ())
}

/// The error for a `ResourceNotFoundException` about `kind` `id` of
/// `function`: `NotFound(Function)` if the function itself is gone,
/// `NotFound(kind)` otherwise.
pub(super) async fn missing(
    host: &LambdaFunctions,
    function: &str,
    kind: ResourceKind,
    id: &str,
) -> Error {
    match require_function(host, function).await {
        Ok(()) => Error::not_found(kind, id),
        Err(e) => e,
    }
}

/// `function:qualifier`, the id errors name.
pub(super) fn qualified(function: &str, qualifier: &str) -> String {
    format!("{function}:{qualifier}")
}
