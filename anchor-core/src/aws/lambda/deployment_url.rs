//! [`crate::traits::Functions::ensure_url`] on Lambda: a Function URL on an
//! alias's qualifier with the requested auth type and invoke mode, and the
//! statements Lambda requires (`permission.rs`): public ones for `NONE`,
//! the distribution's for `AWS_IAM`.

use aws_sdk_lambda::types::{FunctionUrlAuthType, InvokeMode};

use super::alias::get_alias;
use super::lookup::qualified;
use super::LambdaFunctions;
use crate::aws::errors::service_error;
use crate::error::{Error, ResourceKind, Result, Service};
use crate::traits::{FunctionUrlAuth, FunctionUrlOptions};

pub(super) async fn ensure_url(
    host: &LambdaFunctions,
    function: &str,
    alias: &str,
    options: &FunctionUrlOptions,
) -> Result<String> {
    let id = qualified(function, alias);
    if get_alias(host, function, alias).await?.is_none() {
        return Err(Error::not_found(ResourceKind::Alias, id));
    }
    let auth = match options.auth {
        FunctionUrlAuth::AwsIam => FunctionUrlAuthType::AwsIam,
        FunctionUrlAuth::None => FunctionUrlAuthType::None,
    };
    let mode = if options.streaming {
        InvokeMode::ResponseStream
    } else {
        InvokeMode::Buffered
    };
    let (url, function_arn) = match host
        .client
        .get_function_url_config()
        .function_name(function)
        .qualifier(alias)
        .send()
        .await
    {
        Ok(out) if out.auth_type == auth && out.invoke_mode.as_ref() == Some(&mode) => {
            (out.function_url, out.function_arn)
        }
        Ok(_) => host
            .client
            .update_function_url_config()
            .function_name(function)
            .qualifier(alias)
            .auth_type(auth.clone())
            .invoke_mode(mode)
            .send()
            .await
            .map(|out| (out.function_url, out.function_arn))
            .map_err(|e| service_error(Service::Functions, "UpdateFunctionUrlConfig", &id, e))?,
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_not_found_exception()) =>
        {
            create(host, function, alias, auth.clone(), mode).await?
        }
        Err(e) => {
            return Err(service_error(
                Service::Functions,
                "GetFunctionUrlConfig",
                &id,
                e,
            ))
        }
    };
    if auth == FunctionUrlAuthType::None {
        host.allow_public_url(function, alias).await?;
    }
    if let (FunctionUrlAuthType::AwsIam, Some(distribution)) =
        (&auth, options.cdn_distribution_id.as_deref())
    {
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

async fn create(
    host: &LambdaFunctions,
    function: &str,
    alias: &str,
    auth: FunctionUrlAuthType,
    mode: InvokeMode,
) -> Result<(String, String)> {
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
        Ok(out) => Ok((out.function_url, out.function_arn)),
        // Created concurrently: read the winner's address.
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_conflict_exception()) =>
        {
            host.client
                .get_function_url_config()
                .function_name(function)
                .qualifier(alias)
                .send()
                .await
                .map(|out| (out.function_url, out.function_arn))
                .map_err(|e| service_error(Service::Functions, "GetFunctionUrlConfig", &id, e))
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
