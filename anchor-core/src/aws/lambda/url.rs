//! Function URLs, every one made here: on an alias's qualifier, never on a
//! bare version. The provisioner's `live` URL takes `AWS_IAM` auth so only
//! CloudFront, signing through an Origin Access Control, may call it;
//! [`crate::traits::Functions::ensure_url`] sets the auth type and invoke
//! mode a deployment's origin needs (`RESPONSE_STREAM` for a streaming
//! build).

use aws_sdk_lambda::types::{FunctionUrlAuthType, InvokeMode};

use super::alias::{alias_url, get_alias};
use super::lookup::{latest, qualified};
use super::{placeholder_zip, LambdaFunctions};
use crate::aws::errors::service_error;
use crate::error::{Error, ResourceKind, Result, Service};
use crate::traits::{
    AliasRouting, CodeBundle, FunctionUrlAuth, FunctionUrlOptions, Functions, PublishOptions,
    SetAliasOptions,
};

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
    /// sign with an Origin Access Control; returns the URL. An existing
    /// URL keeps its invoke mode, which deploys set.
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
        // The provisioner keeps whatever invoke mode a deploy chose.
        url_config(self, function, alias, FunctionUrlAuthType::AwsIam, None).await
    }
}

/// [`crate::traits::Functions::ensure_url`] on Lambda: the URL with the
/// requested auth type and invoke mode on an existing alias, and for `NONE`
/// the statements Lambda requires (`permission.rs`): public ones for
/// `NONE`, the named distribution's for `AWS_IAM`.
pub(super) async fn ensure_url(
    host: &LambdaFunctions,
    function: &str,
    alias: &str,
    options: &FunctionUrlOptions,
) -> Result<String> {
    if get_alias(host, function, alias).await?.is_none() {
        return Err(Error::not_found(
            ResourceKind::Alias,
            qualified(function, alias),
        ));
    }
    let auth = match options.auth {
        FunctionUrlAuth::AwsIam => FunctionUrlAuthType::AwsIam,
        FunctionUrlAuth::None => FunctionUrlAuthType::None,
    };
    let url = url_config(host, function, alias, auth.clone(), Some(options.streaming)).await?;
    if auth == FunctionUrlAuthType::None {
        host.allow_public_url(function, alias).await?;
    }
    if let (FunctionUrlAuthType::AwsIam, Some(distribution)) =
        (&auth, options.cdn_distribution_id.as_deref())
    {
        let id = qualified(function, alias);
        let function_arn = host
            .client
            .get_function_url_config()
            .function_name(function)
            .qualifier(alias)
            .send()
            .await
            .map_err(|e| service_error(Service::Functions, "GetFunctionUrlConfig", &id, e))?
            .function_arn;
        let arn = distribution_arn(&function_arn, distribution)?;
        host.allow_cloudfront(function, alias, &arn).await?;
    }
    Ok(url)
}

/// The ARN of CloudFront distribution `id` in the partition and account
/// of `function_arn` (`arn:<partition>:lambda:<region>:<account>:function:…`).
fn distribution_arn(function_arn: &str, id: &str) -> Result<String> {
    let parts: Vec<&str> = function_arn.split(':').collect();
    match parts.as_slice() {
        ["arn", partition, "lambda", _, account, ..] if !account.is_empty() => Ok(format!(
            "arn:{partition}:cloudfront::{account}:distribution/{id}"
        )),
        _ => Err(Error::service(
            "aws",
            Service::Functions,
            "GetFunctionUrlConfig",
            format!("{function_arn:?} is not a Lambda function ARN"),
        )),
    }
}

/// Makes the URL of `function:alias` have `auth` and, when `streaming` is
/// given, the invoke mode it names (`RESPONSE_STREAM` or `BUFFERED`); with
/// `None` an existing URL keeps its mode and a new one buffers. Reads
/// first, so a URL that already matches gets no update; an updated URL
/// keeps its address.
async fn url_config(
    host: &LambdaFunctions,
    function: &str,
    alias: &str,
    auth: FunctionUrlAuthType,
    streaming: Option<bool>,
) -> Result<String> {
    let id = qualified(function, alias);
    let mode = streaming.map(|s| {
        if s {
            InvokeMode::ResponseStream
        } else {
            InvokeMode::Buffered
        }
    });
    let existing = host
        .client
        .get_function_url_config()
        .function_name(function)
        .qualifier(alias)
        .send()
        .await;
    match existing {
        Ok(out)
            if out.auth_type == auth
                && mode.as_ref().is_none_or(|m| {
                    out.invoke_mode.as_ref().unwrap_or(&InvokeMode::Buffered) == m
                }) =>
        {
            Ok(out.function_url)
        }
        Ok(_) => host
            .client
            .update_function_url_config()
            .function_name(function)
            .qualifier(alias)
            .auth_type(auth)
            .set_invoke_mode(mode)
            .send()
            .await
            .map(|out| out.function_url)
            .map_err(|e| service_error(Service::Functions, "UpdateFunctionUrlConfig", &id, e)),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_not_found_exception()) =>
        {
            create(
                host,
                function,
                alias,
                auth,
                mode.unwrap_or(InvokeMode::Buffered),
            )
            .await
        }
        Err(e) => Err(service_error(
            Service::Functions,
            "GetFunctionUrlConfig",
            &id,
            e,
        )),
    }
}

async fn create(
    host: &LambdaFunctions,
    function: &str,
    alias: &str,
    auth: FunctionUrlAuthType,
    mode: InvokeMode,
) -> Result<String> {
    let id = qualified(function, alias);
    let created = host
        .client
        .create_function_url_config()
        .function_name(function)
        .qualifier(alias)
        .auth_type(auth)
        .invoke_mode(mode)
        .send()
        .await;
    match created {
        Ok(out) => Ok(out.function_url),
        // Created concurrently by another run: read the winner's address.
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_conflict_exception()) =>
        {
            alias_url(host, function, alias).await?.ok_or_else(|| {
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

#[cfg(test)]
mod tests {
    use super::distribution_arn;

    #[test]
    fn the_distribution_is_named_in_the_functions_partition_and_account() {
        assert_eq!(
            distribution_arn(
                "arn:aws:lambda:eu-west-1:123456789012:function:p-image:v3",
                "E1AB"
            )
            .unwrap(),
            "arn:aws:cloudfront::123456789012:distribution/E1AB"
        );
        assert_eq!(
            distribution_arn("arn:aws-cn:lambda:cn-north-1:000011112222:function:f", "E2").unwrap(),
            "arn:aws-cn:cloudfront::000011112222:distribution/E2"
        );
        assert!(distribution_arn("p-image", "E1").is_err());
    }
}
