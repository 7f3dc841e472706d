//! Weighted routing: Lambda's rules for it, its wire form, and which
//! aliases route to a version (so that version is never deleted).

use std::collections::HashMap;

use aws_sdk_lambda::types::AliasRoutingConfiguration;

use super::LambdaFunctions;
use crate::aws::errors::service_error;
use crate::error::{Error, ResourceKind, Result, Service};
use crate::traits::AliasRouting;

/// An empty map clears a previous weighted route.
pub(super) fn routing_config(routing: &AliasRouting) -> AliasRoutingConfiguration {
    let weights: HashMap<String, f64> = routing.additional.iter().cloned().collect();
    AliasRoutingConfiguration::builder()
        .set_additional_version_weights(Some(weights))
        .build()
}

/// The names of the aliases that route any traffic to `version`, as primary
/// or weighted, across every page of `ListAliases`.
pub(super) async fn aliases_routing_to(
    host: &LambdaFunctions,
    function: &str,
    version: &str,
) -> Result<Vec<String>> {
    let mut pages = host
        .client
        .list_aliases()
        .function_name(function)
        .into_paginator()
        .items()
        .send();
    let mut names = Vec::new();
    while let Some(item) = pages.next().await {
        let alias = item.map_err(|e| {
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_not_found_exception())
            {
                Error::not_found(ResourceKind::Function, function)
            } else {
                service_error(Service::Functions, "ListAliases", function, e)
            }
        })?;
        let weighted = alias
            .routing_config
            .as_ref()
            .and_then(|r| r.additional_version_weights.as_ref())
            .is_some_and(|w| w.contains_key(version));
        if alias.function_version.as_deref() == Some(version) || weighted {
            names.extend(alias.name);
        }
    }
    names.sort();
    Ok(names)
}
