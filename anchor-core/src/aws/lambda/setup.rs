//! What the provisioner calls once per project: the function with its
//! placeholder code, the alias with its Function URL, and CloudFront's
//! permission to invoke it. Every helper is idempotent: a second run with
//! the same inputs creates nothing.

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{Architecture, FunctionUrlAuthType, Runtime};

use super::alias::{alias_url, get_alias};
use super::lookup::{configuration, latest, qualified};
use super::{placeholder_zip, wait, LambdaFunctions};
use crate::aws::errors::service_error;
use crate::error::{Error, ResourceKind, Result, Service};
use crate::traits::{AliasRouting, CodeBundle, Functions, PublishOptions, SetAliasOptions};

/// The runtime OpenNext's server and image functions target.
pub const DEFAULT_RUNTIME: &str = "nodejs22.x";
/// The architecture of [`FunctionSpec::new`].
pub const DEFAULT_ARCHITECTURE: &str = "x86_64";

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
    pub timeout_secs: i32,
    /// The entry point, such as `index.handler`; the placeholder serves it.
    pub handler: String,
    /// The runtime, such as `nodejs22.x`.
    pub runtime: String,
    /// `x86_64` or `arm64`.
    pub architecture: String,
}

impl FunctionSpec {
    /// A spec with OpenNext's defaults: `index.handler` on `nodejs22.x`,
    /// x86_64, 1024 MB and 30 seconds.
    pub fn new(name: impl Into<String>, role_arn: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            role_arn: role_arn.into(),
            memory_mb: 1024,
            timeout_secs: 30,
            handler: "index.handler".to_string(),
            runtime: DEFAULT_RUNTIME.to_string(),
            architecture: DEFAULT_ARCHITECTURE.to_string(),
        }
    }
}

/// The statement ids [`LambdaFunctions::allow_cloudfront`] adds, one per
/// action, derived from the distribution so a rerun finds them.
fn statement_ids(distribution_arn: &str) -> Result<(String, String)> {
    let id = distribution_arn
        .rsplit_once("distribution/")
        .map(|(_, id)| id)
        .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric()))
        .ok_or_else(|| {
            Error::invalid_input(
                "distribution_arn",
                format!("{distribution_arn:?} is not a CloudFront distribution ARN"),
            )
        })?;
    Ok((
        format!("anchor-cloudfront-url-{id}"),
        format!("anchor-cloudfront-invoke-{id}"),
    ))
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
            .timeout(spec.timeout_secs)
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

    /// Makes sure `alias` exists with a Function URL on the alias's qualifier
    /// (never on a bare version) with `AWS_IAM` auth, for CloudFront to
    /// sign with an Origin Access Control; returns the URL.
    ///
    /// A missing alias is created on the placeholder, published as the
    /// function's first version, so the URL answers 503 until the first
    /// deployment. An existing alias is not moved, and an existing URL keeps
    /// its address (its auth type is set back to `AWS_IAM` if it differs).
    pub async fn ensure_alias_url(&self, function: &str, alias: &str) -> Result<String> {
        if get_alias(self, function, alias).await?.is_none() {
            let current = latest(self, function).await?;
            let handler = current.handler.unwrap_or_else(|| "index.handler".into());
            let placeholder = CodeBundle::new(placeholder_zip(&handler)?);
            let options = PublishOptions {
                description: Some("anchor placeholder".into()),
                handler: None,
                environment: current.environment,
            };
            let version = self.publish(function, &placeholder, &options).await?;
            let routing = AliasRouting::single(version.version);
            match self
                .set_alias(function, alias, &routing, &SetAliasOptions::default())
                .await
            {
                Ok(_) => {}
                Err(e) => {
                    // Another run created it meanwhile: keep theirs.
                    if get_alias(self, function, alias).await?.is_none() {
                        return Err(e);
                    }
                }
            }
        }
        let id = qualified(function, alias);
        match self
            .client
            .get_function_url_config()
            .function_name(function)
            .qualifier(alias)
            .send()
            .await
        {
            Ok(out) if out.auth_type == FunctionUrlAuthType::AwsIam => return Ok(out.function_url),
            Ok(_) => {
                let out = self
                    .client
                    .update_function_url_config()
                    .function_name(function)
                    .qualifier(alias)
                    .auth_type(FunctionUrlAuthType::AwsIam)
                    .send()
                    .await
                    .map_err(|e| {
                        service_error(Service::Functions, "UpdateFunctionUrlConfig", &id, e)
                    })?;
                return Ok(out.function_url);
            }
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_not_found_exception()) => {}
            Err(e) => {
                return Err(service_error(
                    Service::Functions,
                    "GetFunctionUrlConfig",
                    &id,
                    e,
                ))
            }
        }
        let created = self
            .client
            .create_function_url_config()
            .function_name(function)
            .qualifier(alias)
            .auth_type(FunctionUrlAuthType::AwsIam)
            .send()
            .await;
        match created {
            Ok(out) => Ok(out.function_url),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_conflict_exception()) =>
            {
                alias_url(self, function, alias).await?.ok_or_else(|| {
                    Error::conflict(
                        ResourceKind::Alias,
                        id,
                        "the Function URL changed meanwhile",
                    )
                })
            }
            Err(e) => Err(service_error(
                Service::Functions,
                "CreateFunctionUrlConfig",
                &id,
                e,
            )),
        }
    }

    /// Lets the CloudFront distribution `distribution_arn` invoke the
    /// alias's Function URL: `lambda:InvokeFunctionUrl` (with auth type
    /// `AWS_IAM`) and, as Lambda requires for URLs created since October
    /// 2025, `lambda:InvokeFunction` via the URL, both for principal
    /// `cloudfront.amazonaws.com` conditioned on the distribution's ARN.
    ///
    /// Idempotent: statements already in the alias's policy are not added
    /// again, and losing a race to add the same statement is success.
    pub async fn allow_cloudfront(
        &self,
        function: &str,
        alias: &str,
        distribution_arn: &str,
    ) -> Result<()> {
        let (url_sid, invoke_sid) = statement_ids(distribution_arn)?;
        let existing = self.policy_statement_ids(function, alias).await?;
        for (sid, via_url) in [(url_sid, false), (invoke_sid, true)] {
            if existing.contains(&sid) {
                continue;
            }
            let mut request = self
                .client
                .add_permission()
                .function_name(function)
                .qualifier(alias)
                .statement_id(&sid)
                .principal("cloudfront.amazonaws.com")
                .source_arn(distribution_arn);
            request = if via_url {
                request
                    .action("lambda:InvokeFunction")
                    .invoked_via_function_url(true)
            } else {
                request
                    .action("lambda:InvokeFunctionUrl")
                    .function_url_auth_type(FunctionUrlAuthType::AwsIam)
            };
            match request.send().await {
                Ok(_) => {}
                Err(e)
                    if e.as_service_error()
                        .is_some_and(|s| s.is_resource_conflict_exception()) => {}
                Err(e) => {
                    let id = qualified(function, alias);
                    return Err(
                        if e.as_service_error()
                            .is_some_and(|s| s.is_resource_not_found_exception())
                        {
                            Error::not_found(ResourceKind::Alias, id)
                        } else {
                            service_error(Service::Functions, "AddPermission", &id, e)
                        },
                    );
                }
            }
        }
        Ok(())
    }

    /// The `Sid`s of the alias's resource policy; empty if it has none.
    async fn policy_statement_ids(&self, function: &str, alias: &str) -> Result<Vec<String>> {
        let id = qualified(function, alias);
        let policy = match self
            .client
            .get_policy()
            .function_name(function)
            .qualifier(alias)
            .send()
            .await
        {
            Ok(out) => out.policy.unwrap_or_default(),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_not_found_exception()) =>
            {
                return Ok(Vec::new())
            }
            Err(e) => return Err(service_error(Service::Functions, "GetPolicy", &id, e)),
        };
        let parsed: serde_json::Value = serde_json::from_str(&policy).map_err(|e| {
            Error::service("aws", Service::Functions, "GetPolicy", format!("{id}: {e}"))
        })?;
        Ok(parsed["Statement"]
            .as_array()
            .map(|statements| {
                statements
                    .iter()
                    .filter_map(|s| s["Sid"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default())
    }
}
