//! The alias's Function URL, created on the alias qualifier with `AWS_IAM`
//! auth so only CloudFront, signing through an Origin Access Control, may
//! call it.

use aws_sdk_lambda::types::FunctionUrlAuthType;

use super::alias::{alias_url, get_alias};
use super::lookup::{latest, qualified};
use super::{placeholder_zip, LambdaFunctions};
use crate::aws::errors::service_error;
use crate::error::{Error, ResourceKind, Result, Service};
use crate::traits::{AliasRouting, CodeBundle, Functions, PublishOptions, SetAliasOptions};

/// What a new alias first points at.
#[derive(Debug, Clone, Copy)]
enum AliasStart {
    /// The placeholder that answers 503 until the first deployment.
    Placeholder,
    /// The function's code as it is.
    CurrentCode,
}

impl LambdaFunctions {
    /// Makes sure `alias` exists with a Function URL on the alias's qualifier
    /// (never on a bare version) with `AWS_IAM` auth, for CloudFront to
    /// sign with an Origin Access Control; returns the URL.
    ///
    /// A missing alias is created on the placeholder, published as a
    /// version (version 1 of a new function), so the URL answers 503 until
    /// the first deployment. An existing alias is not moved, and an existing URL keeps
    /// its address (its auth type is set back to `AWS_IAM` if it differs).
    pub async fn ensure_alias_url(&self, function: &str, alias: &str) -> Result<String> {
        self.ensure_alias_url_on(function, alias, AliasStart::Placeholder)
            .await
    }

    /// Like [`LambdaFunctions::ensure_alias_url`] for a function Anchor did
    /// not create (bring-your-own): a missing alias starts on the
    /// function's current code, published as it is, never on the placeholder.
    pub async fn adopt_alias_url(&self, function: &str, alias: &str) -> Result<String> {
        self.ensure_alias_url_on(function, alias, AliasStart::CurrentCode)
            .await
    }

    async fn ensure_alias_url_on(
        &self,
        function: &str,
        alias: &str,
        start: AliasStart,
    ) -> Result<String> {
        if get_alias(self, function, alias).await?.is_none() {
            let version = match start {
                AliasStart::Placeholder => {
                    let current = latest(self, function).await?;
                    let handler = current.handler.unwrap_or_else(|| "index.handler".into());
                    let placeholder = CodeBundle::new(placeholder_zip(&handler)?);
                    let options = PublishOptions {
                        description: Some("anchor placeholder".into()),
                        handler: None,
                        environment: current.environment,
                        // The placeholder is plain JavaScript: any will do.
                        architecture: None,
                        ..PublishOptions::default()
                    };
                    self.publish(function, &placeholder, &options)
                        .await?
                        .version
                }
                AliasStart::CurrentCode => self
                    .client
                    .publish_version()
                    .function_name(function)
                    .description("adopted by anchor")
                    .send()
                    .await
                    .map_err(|e| service_error(Service::Functions, "PublishVersion", function, e))?
                    .version
                    .unwrap_or_default(),
            };
            let routing = AliasRouting::single(version);
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
}
