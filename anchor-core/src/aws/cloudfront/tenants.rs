//! Distribution tenants on CloudFront (SaaS Manager): create, read,
//! disable and delete, each under CloudFront's own rules, with the
//! account's tenant quota reported as `Error::QuotaExceeded`.
//!
//! UpdateDistributionTenant replaces `Customizations` as a whole (the AWS
//! CLI's own example: an update naming only the web ACL and geographic
//! restrictions comes back without the certificate the tenant was created
//! with), and the reference does not say what omitting a field does.
//! Disabling therefore resends everything the tenant has, as read under
//! the same ETag, with only `Enabled` changed.

use std::collections::BTreeMap;

use aws_sdk_cloudfront::types::{
    Certificate, Customizations, DistributionTenant, DomainItem, Tag, Tags,
};

use super::build_error;
use super::cdn::CloudFrontCdn;
use super::TENANT_CONNECTION_GROUP_NAME;
use crate::aws::errors::service_error;
use crate::error::{Error, ResourceKind, Result, Service};
use crate::model::DomainLimits;
use crate::traits::{Tenant, TenantSpec, Versioned};

/// The record of a tenant in a reply, or a service error naming the call.
fn tenant_of(
    operation: &'static str,
    tenant: Option<&DistributionTenant>,
    etag: Option<&str>,
) -> Result<Versioned<Tenant>> {
    let t = tenant.ok_or_else(|| no_tenant(operation))?;
    let tags: BTreeMap<String, String> = t
        .tags()
        .map(|tags| {
            tags.items()
                .iter()
                .map(|tag| {
                    (
                        tag.key().to_string(),
                        tag.value().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Versioned {
        value: Tenant {
            id: t.id().unwrap_or_default().to_string(),
            name: t.name().unwrap_or_default().to_string(),
            distribution_id: t.distribution_id().unwrap_or_default().to_string(),
            domains: t.domains().iter().map(|d| d.domain().to_string()).collect(),
            certificate_id: t
                .customizations()
                .and_then(|c| c.certificate())
                .map(|c| c.arn().to_string()),
            enabled: t.enabled().unwrap_or(false),
            tags,
        },
        etag: etag.unwrap_or_default().to_string(),
    })
}

fn no_tenant(operation: &'static str) -> Error {
    Error::service(
        "aws",
        Service::Cdn,
        operation,
        "no distribution tenant in the reply",
    )
}

/// The spec's tags, or `None` when it has none (no empty `Tags` element).
fn tags_of(spec: &TenantSpec) -> Result<Option<Tags>> {
    if spec.tags.is_empty() {
        return Ok(None);
    }
    let mut tags = Tags::builder();
    for (key, value) in &spec.tags {
        tags = tags.items(
            Tag::builder()
                .key(key)
                .value(value)
                .build()
                .map_err(build_error("CreateDistributionTenant"))?,
        );
    }
    Ok(Some(tags.build()))
}

fn domain_items(operation: &'static str, domains: &[&str]) -> Result<Vec<DomainItem>> {
    domains
        .iter()
        .map(|d| {
            DomainItem::builder()
                .domain(*d)
                .build()
                .map_err(build_error(operation))
        })
        .collect()
}

fn refused_if_match(id: &str, if_match: &str) -> Error {
    Error::precondition(
        ResourceKind::Tenant,
        id,
        format!("If-Match {if_match:?} refused"),
    )
}

impl CloudFrontCdn {
    /// CreateDistributionTenant, enabled, with the caller's certificate
    /// (`Customizations.Certificate.Arn`) and the spec's domains and tags.
    /// The tenant joins Anchor's connection group
    /// ([`super::TENANT_CONNECTION_GROUP_NAME`], whose endpoint provisioning
    /// recorded as the routing target) when the account has it, else the
    /// account's default one. The tenant quota's refusal is
    /// `QuotaExceeded` naming `limits`.
    pub(super) async fn create_tenant_call(
        &self,
        spec: &TenantSpec,
        limits: &DomainLimits,
    ) -> Result<Versioned<Tenant>> {
        spec.check()?;
        const OP: &str = "CreateDistributionTenant";
        let certificate = Certificate::builder()
            .arn(&spec.certificate_id)
            .build()
            .map_err(build_error(OP))?;
        let domains: Vec<&str> = spec.domains.iter().map(String::as_str).collect();
        let group = self
            .find_connection_group(TENANT_CONNECTION_GROUP_NAME)
            .await?;
        let out = self
            .client
            .create_distribution_tenant()
            .distribution_id(&spec.distribution_id)
            .set_connection_group_id(group.map(|g| g.id))
            .name(&spec.name)
            .set_domains(Some(domain_items(OP, &domains)?))
            .enabled(true)
            .customizations(Customizations::builder().certificate(certificate).build())
            .set_tags(tags_of(spec)?)
            .send()
            .await
            .map_err(|err| match err.as_service_error() {
                Some(e) if e.is_entity_already_exists() => Error::AlreadyExists {
                    kind: ResourceKind::Tenant,
                    id: spec.name.clone(),
                },
                Some(e) if e.is_cname_already_exists() => {
                    Error::conflict(ResourceKind::Tenant, &spec.name, e.to_string())
                }
                Some(e) if e.is_entity_limit_exceeded() => limits
                    .tenant_ceiling()
                    .exceeded(format!("CloudFront refused tenant {}: {e}", spec.name)),
                Some(e) if e.is_entity_not_found() => {
                    Error::not_found(ResourceKind::Distribution, &spec.distribution_id)
                }
                Some(e) if e.is_invalid_tagging() => {
                    Error::invalid_input("tenant.tags", e.to_string())
                }
                // CloudFront names the field only in its message: the
                // certificate (not issued, not covering a domain, not in
                // us-east-1), a distribution that is not multi-tenant, or a
                // domain it refuses.
                Some(e) if e.is_invalid_argument() || e.is_invalid_association() => {
                    Error::invalid_input("tenant", e.to_string())
                }
                _ => service_error(Service::Cdn, OP, &spec.name, err),
            })?;
        tenant_of(OP, out.distribution_tenant(), out.e_tag())
    }

    /// GetDistributionTenant by name, id or ARN: the tenant as CloudFront
    /// holds it, and its ETag. `NotFound(Tenant)` if there is none.
    async fn current_tenant(&self, identifier: &str) -> Result<(DistributionTenant, String)> {
        const OP: &str = "GetDistributionTenant";
        let out = self
            .client
            .get_distribution_tenant()
            .identifier(identifier)
            .send()
            .await
            .map_err(|err| match err.as_service_error() {
                Some(e) if e.is_entity_not_found() => {
                    Error::not_found(ResourceKind::Tenant, identifier)
                }
                _ => service_error(Service::Cdn, OP, identifier, err),
            })?;
        let etag = out.e_tag().unwrap_or_default().to_string();
        let tenant = out.distribution_tenant.ok_or_else(|| no_tenant(OP))?;
        Ok((tenant, etag))
    }

    /// GetDistributionTenant by name, id or ARN.
    pub(super) async fn get_tenant_call(&self, identifier: &str) -> Result<Versioned<Tenant>> {
        let (tenant, etag) = self.current_tenant(identifier).await?;
        tenant_of("GetDistributionTenant", Some(&tenant), Some(&etag))
    }

    /// UpdateDistributionTenant with `Enabled: false`, under If-Match. The
    /// tenant is read first: a stale `if_match` is refused before anything
    /// is sent (so even a service that ignored If-Match could not apply
    /// it), and the update carries the tenant's distribution, domains,
    /// customizations (its certificate), connection group and parameters
    /// as read, so nothing but `Enabled` changes.
    pub(super) async fn disable_tenant_call(&self, id: &str, if_match: &str) -> Result<String> {
        const OP: &str = "UpdateDistributionTenant";
        let (current, etag) = self.current_tenant(id).await?;
        if etag != if_match {
            return Err(Error::precondition(
                ResourceKind::Tenant,
                id,
                format!("If-Match {if_match:?} is not the current ETag {etag:?}"),
            ));
        }
        let domains: Vec<&str> = current.domains().iter().map(|d| d.domain()).collect();
        let parameters = current.parameters().to_vec();
        let out = self
            .client
            .update_distribution_tenant()
            .id(current.id().unwrap_or(id))
            .if_match(if_match)
            .set_distribution_id(current.distribution_id().map(str::to_string))
            .set_domains(Some(domain_items(OP, &domains)?))
            .set_customizations(current.customizations().cloned())
            .set_connection_group_id(current.connection_group_id().map(str::to_string))
            .set_parameters((!parameters.is_empty()).then_some(parameters))
            .enabled(false)
            .send()
            .await
            .map_err(|err| match err.as_service_error() {
                Some(e) if e.is_precondition_failed() || e.is_invalid_if_match_version() => {
                    refused_if_match(id, if_match)
                }
                Some(e) if e.is_entity_not_found() => Error::not_found(ResourceKind::Tenant, id),
                _ => service_error(Service::Cdn, OP, id, err),
            })?;
        Ok(out.e_tag().unwrap_or_default().to_string())
    }

    /// DeleteDistributionTenant under If-Match. A tenant CloudFront does
    /// not hold as disabled (still enabled, or its disabling not yet
    /// deployed) is `InvalidState` (ResourceNotDisabled).
    pub(super) async fn delete_tenant_call(&self, id: &str, if_match: &str) -> Result<()> {
        const OP: &str = "DeleteDistributionTenant";
        self.client
            .delete_distribution_tenant()
            .id(id)
            .if_match(if_match)
            .send()
            .await
            .map_err(|err| match err.as_service_error() {
                Some(e) if e.is_precondition_failed() || e.is_invalid_if_match_version() => {
                    refused_if_match(id, if_match)
                }
                Some(e) if e.is_entity_not_found() => Error::not_found(ResourceKind::Tenant, id),
                Some(e) if e.is_resource_not_disabled() => Error::invalid_state(
                    ResourceKind::Tenant,
                    id,
                    "enabled",
                    "a distribution tenant must be disabled, and its disabling deployed, \
                     before it is deleted",
                ),
                _ => service_error(Service::Cdn, OP, id, err),
            })?;
        Ok(())
    }
}
