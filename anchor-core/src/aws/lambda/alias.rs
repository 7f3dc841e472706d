//! Aliases: read with their Function URL, upserted with an optional
//! `RevisionId` guard, and listed to protect the versions they route to.

use aws_sdk_lambda::types::AliasConfiguration;

use super::lookup::{configuration, missing, qualified};
use super::routing::routing_config;
use super::LambdaFunctions;
use crate::aws::errors::service_error;
use crate::error::{Error, ResourceKind, Result, Service};
use crate::traits::{AliasConfig, AliasRouting, SetAliasOptions};

/// The alias with its Function URL; `None` if it does not exist,
/// `NotFound(Function)` if the function does not.
pub(super) async fn get_alias(
    host: &LambdaFunctions,
    function: &str,
    alias: &str,
) -> Result<Option<AliasConfig>> {
    match read(host, function, alias).await? {
        Some(config) => Ok(Some(AliasConfig {
            url: alias_url(host, function, alias).await?,
            ..to_config(function, alias, config)
        })),
        None => Ok(None),
    }
}

/// `GetAlias` alone, without the URL.
async fn read(
    host: &LambdaFunctions,
    function: &str,
    alias: &str,
) -> Result<Option<AliasConfiguration>> {
    match host
        .client
        .get_alias()
        .function_name(function)
        .name(alias)
        .send()
        .await
    {
        Ok(out) => Ok(Some(
            AliasConfiguration::builder()
                .set_name(out.name)
                .set_function_version(out.function_version)
                .set_routing_config(out.routing_config)
                .set_revision_id(out.revision_id)
                .build(),
        )),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_not_found_exception()) =>
        {
            match missing(host, function, ResourceKind::Alias, alias).await {
                Error::NotFound {
                    kind: ResourceKind::Alias,
                    ..
                } => Ok(None),
                other => Err(other),
            }
        }
        Err(e) => Err(service_error(
            Service::Functions,
            "GetAlias",
            &qualified(function, alias),
            e,
        )),
    }
}

/// Creates the alias if it is missing, else updates it; with
/// `expected_revision_id` only if the alias still has that revision
/// (Lambda checks `RevisionId` atomically), else `PreconditionFailed(Alias)`.
pub(super) async fn set_alias(
    host: &LambdaFunctions,
    function: &str,
    alias: &str,
    routing: &AliasRouting,
    options: &SetAliasOptions,
) -> Result<AliasConfig> {
    routing.validate()?;
    // Update first: on the rollback path the alias exists, and one call
    // is all a switch should cost.
    let config = match update(host, function, alias, routing, options).await {
        Ok(config) => config,
        Err(Error::NotFound { .. }) if read(host, function, alias).await?.is_none() => {
            create(host, function, alias, routing, options).await?
        }
        Err(e) => return Err(e),
    };
    Ok(to_config(function, alias, config))
}

async fn create(
    host: &LambdaFunctions,
    function: &str,
    alias: &str,
    routing: &AliasRouting,
    options: &SetAliasOptions,
) -> Result<AliasConfiguration> {
    if let Some(expected) = &options.expected_revision_id {
        return Err(Error::precondition(
            ResourceKind::Alias,
            qualified(function, alias),
            format!("expected revision {expected:?}, but the alias does not exist"),
        ));
    }
    let created = host
        .client
        .create_alias()
        .function_name(function)
        .name(alias)
        .function_version(&routing.version)
        .routing_config(routing_config(routing))
        .send()
        .await;
    match created {
        Ok(out) => Ok(AliasConfiguration::builder()
            .set_name(out.name)
            .set_function_version(out.function_version)
            .set_routing_config(out.routing_config)
            .set_revision_id(out.revision_id)
            .build()),
        Err(e) => {
            let s = e.as_service_error();
            if s.is_some_and(|s| s.is_resource_conflict_exception()) {
                // Created by someone else since we looked: upsert.
                update(host, function, alias, routing, options).await
            } else if s.is_some_and(|s| s.is_resource_not_found_exception()) {
                Err(missing_version(host, function, routing).await)
            } else {
                let id = qualified(function, alias);
                Err(service_error(Service::Functions, "CreateAlias", &id, e))
            }
        }
    }
}

async fn update(
    host: &LambdaFunctions,
    function: &str,
    alias: &str,
    routing: &AliasRouting,
    options: &SetAliasOptions,
) -> Result<AliasConfiguration> {
    let updated = host
        .client
        .update_alias()
        .function_name(function)
        .name(alias)
        .function_version(&routing.version)
        .routing_config(routing_config(routing))
        .set_revision_id(options.expected_revision_id.clone())
        .send()
        .await;
    match updated {
        Ok(out) => Ok(AliasConfiguration::builder()
            .set_name(out.name)
            .set_function_version(out.function_version)
            .set_routing_config(out.routing_config)
            .set_revision_id(out.revision_id)
            .build()),
        Err(e) => {
            let s = e.as_service_error();
            if s.is_some_and(|s| s.is_precondition_failed_exception()) {
                Err(Error::precondition(
                    ResourceKind::Alias,
                    qualified(function, alias),
                    format!(
                        "expected revision {:?}, but the alias has moved on",
                        options.expected_revision_id
                    ),
                ))
            } else if s.is_some_and(|s| s.is_resource_not_found_exception()) {
                Err(missing_version(host, function, routing).await)
            } else {
                let id = qualified(function, alias);
                Err(service_error(Service::Functions, "UpdateAlias", &id, e))
            }
        }
    }
}

/// `NotFound(Function)` if the function is gone, else the routed version
/// Lambda could not find.
async fn missing_version(host: &LambdaFunctions, function: &str, routing: &AliasRouting) -> Error {
    let mut id = &routing.version;
    if let Some((extra, _)) = &routing.additional {
        if let Ok(Some(_)) = configuration(host, function, Some(&routing.version)).await {
            id = extra;
        }
    }
    missing(host, function, ResourceKind::FunctionVersion, id).await
}

/// The alias as Lambda reported it; the URL is left for `get_alias`.
fn to_config(function: &str, alias: &str, config: AliasConfiguration) -> AliasConfig {
    let mut weights: Vec<(String, f64)> = config
        .routing_config
        .and_then(|r| r.additional_version_weights)
        .map(|w| w.into_iter().collect())
        .unwrap_or_default();
    weights.sort_by(|a, b| a.0.cmp(&b.0));
    AliasConfig {
        function: function.to_string(),
        name: config.name.unwrap_or_else(|| alias.to_string()),
        routing: AliasRouting {
            version: config.function_version.unwrap_or_default(),
            additional: weights.into_iter().next(),
        },
        revision_id: config.revision_id.unwrap_or_default(),
        url: None,
    }
}

/// The Function URL on the alias's qualifier, if one is configured.
pub(super) async fn alias_url(
    host: &LambdaFunctions,
    function: &str,
    alias: &str,
) -> Result<Option<String>> {
    match host
        .client
        .get_function_url_config()
        .function_name(function)
        .qualifier(alias)
        .send()
        .await
    {
        Ok(out) => Ok(Some(out.function_url)),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_not_found_exception()) =>
        {
            Ok(None)
        }
        Err(e) => Err(service_error(
            Service::Functions,
            "GetFunctionUrlConfig",
            &qualified(function, alias),
            e,
        )),
    }
}

/// Deletes the alias's Function URL (if any), then the alias (if any).
/// Lambda keeps a resource policy per qualifier, which goes with the
/// alias. Missing pieces are no error, so a retry finishes the job.
pub(super) async fn delete_alias(
    host: &LambdaFunctions,
    function: &str,
    alias: &str,
) -> Result<()> {
    if let Err(e) = host
        .client
        .delete_function_url_config()
        .function_name(function)
        .qualifier(alias)
        .send()
        .await
    {
        let gone = e
            .as_service_error()
            .is_some_and(|s| s.is_resource_not_found_exception());
        if !gone {
            return Err(service_error(
                Service::Functions,
                "DeleteFunctionUrlConfig",
                &qualified(function, alias),
                e,
            ));
        }
    }
    match host
        .client
        .delete_alias()
        .function_name(function)
        .name(alias)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_not_found_exception()) =>
        {
            Ok(())
        }
        Err(e) => Err(service_error(
            Service::Functions,
            "DeleteAlias",
            &qualified(function, alias),
            e,
        )),
    }
}
