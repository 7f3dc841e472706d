//! [`crate::traits::Functions::ensure_url`] on Lambda: a Function URL on an
//! alias's qualifier with the requested auth type and invoke mode, and for
//! `NONE` the public statements Lambda requires (`permission.rs`).

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
    let url = match host
        .client
        .get_function_url_config()
        .function_name(function)
        .qualifier(alias)
        .send()
        .await
    {
        Ok(out) if out.auth_type == auth && out.invoke_mode.as_ref() == Some(&mode) => {
            out.function_url
        }
        Ok(_) => {
            host.client
                .update_function_url_config()
                .function_name(function)
                .qualifier(alias)
                .auth_type(auth.clone())
                .invoke_mode(mode)
                .send()
                .await
                .map_err(|e| service_error(Service::Functions, "UpdateFunctionUrlConfig", &id, e))?
                .function_url
        }
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
    Ok(url)
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
                .map(|out| out.function_url)
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
