//! The connection group Anchor's distribution tenants join: where their
//! domains' DNS records point (its routing endpoint), since a multi-tenant
//! distribution has no endpoint of its own.
//!
//! CloudFront makes an account's *default* connection group only when a
//! tenant is first created without one, and CreateConnectionGroup cannot
//! make a default, so the default's endpoint is not known when a project
//! is provisioned, before its first domain. Anchor therefore keeps one
//! group of its own, [`TENANT_CONNECTION_GROUP_NAME`], shared by every
//! project of the account (as the router's resources are): provisioning
//! finds or creates it and records its endpoint, and every tenant Anchor
//! creates joins it.

use aws_sdk_cloudfront::types::{ConnectionGroup, Tag, Tags};

use super::build_error;
use super::cdn::CloudFrontCdn;
use crate::aws::errors::service_error;
use crate::error::{Error, Result, Service};
use crate::traits::MANAGED_BY_TAG;

/// The name of the connection group Anchor's tenants join.
pub const TENANT_CONNECTION_GROUP_NAME: &str = "anchor";

/// A connection group as Anchor uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantConnectionGroup {
    /// Its id (`cg_...`), which a tenant names to join it.
    pub id: String,
    /// Its routing endpoint (`d111111abcdef8.cloudfront.net`), the target
    /// of every tenant domain's routing record.
    pub routing_endpoint: String,
}

fn group_of(
    operation: &'static str,
    group: Option<&ConnectionGroup>,
) -> Result<TenantConnectionGroup> {
    let group = group
        .filter(|g| g.id().is_some_and(|id| !id.is_empty()))
        .filter(|g| g.routing_endpoint().is_some_and(|e| !e.is_empty()))
        .ok_or_else(|| {
            Error::service(
                "aws",
                Service::Cdn,
                operation,
                "no connection group with an id and a routing endpoint in the reply",
            )
        })?;
    Ok(TenantConnectionGroup {
        id: group.id().unwrap_or_default().to_string(),
        routing_endpoint: group.routing_endpoint().unwrap_or_default().to_string(),
    })
}

impl CloudFrontCdn {
    /// The connection group called `name` (GetConnectionGroup takes a name
    /// as well as an id or ARN), or `None`.
    pub async fn find_connection_group(&self, name: &str) -> Result<Option<TenantConnectionGroup>> {
        const OP: &str = "GetConnectionGroup";
        match self
            .client
            .get_connection_group()
            .identifier(name)
            .send()
            .await
        {
            Ok(out) => group_of(OP, out.connection_group()).map(Some),
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_entity_not_found()) =>
            {
                Ok(None)
            }
            Err(err) => Err(service_error(Service::Cdn, OP, name, err)),
        }
    }

    /// The connection group called `name`, found, or created enabled, with
    /// IPv6 (as Anchor's standard distributions have it) and Anchor's
    /// managed-by tag. Idempotent; a create lost to a concurrent one finds
    /// the winner.
    pub async fn ensure_connection_group(&self, name: &str) -> Result<TenantConnectionGroup> {
        const OP: &str = "CreateConnectionGroup";
        if let Some(found) = self.find_connection_group(name).await? {
            return Ok(found);
        }
        let tag = Tag::builder()
            .key(MANAGED_BY_TAG.0)
            .value(MANAGED_BY_TAG.1)
            .build()
            .map_err(build_error(OP))?;
        let created = self
            .client
            .create_connection_group()
            .name(name)
            .enabled(true)
            .ipv6_enabled(true)
            .tags(Tags::builder().items(tag).build())
            .send()
            .await;
        match created {
            Ok(out) => group_of(OP, out.connection_group()),
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_entity_already_exists()) =>
            {
                self.find_connection_group(name).await?.ok_or_else(|| {
                    Error::service(
                        "aws",
                        Service::Cdn,
                        OP,
                        format!("connection group {name} exists but cannot be read"),
                    )
                })
            }
            Err(err) => Err(service_error(Service::Cdn, OP, name, err)),
        }
    }
}
