//! The function the provisioner creates once per project, holding the
//! placeholder until the first deployment. Like the other setup helpers
//! (`url`, `permission`) it is idempotent: a second run creates nothing.

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{Architecture, Runtime};

use super::lookup::configuration;
use super::{placeholder_zip, wait, LambdaFunctions};
use crate::aws::errors::service_error;
use crate::error::Result;
use crate::error::Service;
use crate::model::FunctionSettings;

pub use crate::model::DEFAULT_RUNTIME;
/// The architecture of [`FunctionSpec::new`]: OpenNext installs arm64
/// `sharp` by default, and a deploy moves the function to what the build's
/// native code needs.
pub const DEFAULT_ARCHITECTURE: &str = "arm64";

/// The function [`LambdaFunctions::ensure_function`] creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionSpec {
    /// The function's name.
    pub name: String,
    /// The execution role's ARN.
    pub role_arn: String,
    /// Memory in MB (128 to 10240).
    pub memory_mb: i32,
    /// Timeout in seconds (1 to 900).
    pub timeout_seconds: i32,
    /// The entry point, such as `index.handler`; the placeholder serves it.
    pub handler: String,
    /// The runtime, such as `nodejs22.x`.
    pub runtime: String,
    /// `x86_64` or `arm64`.
    pub architecture: String,
}

impl FunctionSpec {
    /// A spec with SST's server defaults: `index.handler` on
    /// [`DEFAULT_RUNTIME`], arm64, 1024 MB and 20 seconds.
    pub fn new(name: impl Into<String>, role_arn: impl Into<String>) -> Self {
        Self::with_settings(name, role_arn, &FunctionSettings::server_default())
    }

    /// A spec with `settings`; without an architecture in them, arm64.
    pub fn with_settings(
        name: impl Into<String>,
        role_arn: impl Into<String>,
        settings: &FunctionSettings,
    ) -> Self {
        Self {
            name: name.into(),
            role_arn: role_arn.into(),
            memory_mb: i32::try_from(settings.memory_mb).unwrap_or(i32::MAX),
            timeout_seconds: i32::try_from(settings.timeout_seconds).unwrap_or(i32::MAX),
            handler: "index.handler".to_string(),
            runtime: settings.runtime.clone(),
            architecture: settings
                .architecture
                .map_or(DEFAULT_ARCHITECTURE, |a| a.as_str())
                .to_string(),
        }
    }
}

impl LambdaFunctions {
    /// Creates the function from `spec` holding the placeholder
    /// ([`placeholder_zip`]), and waits until it is `Active`; returns its
    /// unqualified ARN. An existing function is adopted as it is: its code,
    /// role, runtime and memory are left unchanged.
    pub async fn ensure_function(&self, spec: &FunctionSpec) -> Result<String> {
        if let Some(existing) = configuration(self, &spec.name, None).await? {
            return Ok(existing.arn);
        }
        let zip = placeholder_zip(&spec.handler)?;
        let created = self
            .client
            .create_function()
            .function_name(&spec.name)
            .role(&spec.role_arn)
            .runtime(Runtime::from(spec.runtime.as_str()))
            .handler(&spec.handler)
            .memory_size(spec.memory_mb)
            .timeout(spec.timeout_seconds)
            .architectures(Architecture::from(spec.architecture.as_str()))
            .code(
                aws_sdk_lambda::types::FunctionCode::builder()
                    .zip_file(Blob::new(zip))
                    .build(),
            )
            .publish(false)
            .send()
            .await;
        match created {
            Ok(_) => {}
            // Created concurrently by another run: adopt it.
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_conflict_exception()) => {}
            Err(e) => {
                return Err(service_error(
                    Service::Functions,
                    "CreateFunction",
                    &spec.name,
                    e,
                ))
            }
        }
        Ok(wait::active(self, &spec.name).await?.arn)
    }
}
