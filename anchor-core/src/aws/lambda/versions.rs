//! Reading and deleting published versions.

use super::lookup::{configuration, missing, qualified, require_function, Snapshot};
use super::routing::aliases_routing_to;
use super::LambdaFunctions;
use crate::aws::errors::service_error;
use crate::error::{Error, ResourceKind, Result, Service};
use crate::model::FunctionVersion;

/// Whether `version` names a published version (`1`, `2`, ...), not
/// `$LATEST` or an alias.
pub(super) fn is_published(version: &str) -> bool {
    !version.is_empty() && version.bytes().all(|b| b.is_ascii_digit())
}

/// A published version as Lambda reports it; `None` if it does not exist
/// (or is not a version number), `NotFound(Function)` if the function does not.
pub(super) async fn get_version(
    host: &LambdaFunctions,
    function: &str,
    version: &str,
) -> Result<Option<FunctionVersion>> {
    if !is_published(version) {
        require_function(host, function).await?;
        return Ok(None);
    }
    match configuration(host, function, Some(version)).await? {
        Some(c) => Ok(Some(c.into_version(function))),
        None => require_function(host, function).await.map(|()| None),
    }
}

/// The code size of a published version (`CodeSize`); `None` if it does
/// not exist.
pub(super) async fn code_size(
    host: &LambdaFunctions,
    function: &str,
    version: &str,
) -> Result<Option<u64>> {
    if !is_published(version) {
        return Ok(None);
    }
    Ok(configuration(host, function, Some(version))
        .await?
        .map(|c| u64::try_from(c.code_size).unwrap_or(0)))
}

/// Deletes a published version unless an alias routes to it (as primary
/// or weighted), in which case `Error::InvalidState`. `$LATEST` and an
/// unqualified delete (which would remove the whole function) are refused.
pub(super) async fn delete_version(
    host: &LambdaFunctions,
    function: &str,
    version: &str,
) -> Result<()> {
    if !is_published(version) {
        return Err(Error::invalid_state(
            ResourceKind::FunctionVersion,
            qualified(function, version),
            "unpublished",
            "only published versions can be deleted; $LATEST and the function itself stay",
        ));
    }
    let aliases = aliases_routing_to(host, function, version).await?;
    if !aliases.is_empty() {
        return Err(aliased(function, version, &aliases));
    }
    match host
        .client
        .delete_function()
        .function_name(function)
        .qualifier(version)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(e) => {
            let s = e.as_service_error();
            if s.is_some_and(|s| s.is_resource_not_found_exception()) {
                Err(missing(host, function, ResourceKind::FunctionVersion, version).await)
            } else if s.is_some_and(|s| s.is_resource_conflict_exception()) {
                // An alias moved onto it after the check: Lambda refuses too.
                let aliases = aliases_routing_to(host, function, version).await?;
                Err(aliased(function, version, &aliases))
            } else {
                Err(service_error(
                    Service::Functions,
                    "DeleteFunction",
                    &qualified(function, version),
                    e,
                ))
            }
        }
    }
}

fn aliased(function: &str, version: &str, aliases: &[String]) -> Error {
    Error::invalid_state(
        ResourceKind::FunctionVersion,
        qualified(function, version),
        "aliased",
        format!("alias {} points at it", aliases.join(", ")),
    )
}

/// The newest published version's configuration, across every page of
/// `ListVersionsByFunction`; `None` if nothing was published yet.
pub(super) async fn newest(host: &LambdaFunctions, function: &str) -> Result<Option<Snapshot>> {
    let mut pages = host
        .client
        .list_versions_by_function()
        .function_name(function)
        .into_paginator()
        .items()
        .send();
    let mut newest: Option<(u64, Snapshot)> = None;
    while let Some(item) = pages.next().await {
        let config = item.map_err(|e| {
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_not_found_exception())
            {
                Error::not_found(ResourceKind::Function, function)
            } else {
                service_error(Service::Functions, "ListVersionsByFunction", function, e)
            }
        })?;
        let Some(number) = config
            .version
            .as_deref()
            .and_then(|v| v.parse::<u64>().ok())
        else {
            continue; // $LATEST
        };
        if newest.as_ref().is_none_or(|(n, _)| number > *n) {
            newest = Some((number, config.into()));
        }
    }
    Ok(newest.map(|(_, s)| s))
}
