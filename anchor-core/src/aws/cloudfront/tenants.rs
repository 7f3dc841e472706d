//! Distribution tenants on CloudFront (SaaS Manager): create, read,
//! disable and delete, each under CloudFront's own rules, with the
//! account's tenant quota reported as `Error::QuotaExceeded`.

use std::collections::BTreeMap;

use aws_sdk_cloudfront::types::{
    Certificate, Customizations, DistributionTenant, DomainItem, Tag, Tags,
};

use super::build_error;
use super::cdn::CloudFrontCdn;
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
    let t = tenant.ok_or_else(|| {
        Error::service(
            "aws",
            Service::Cdn,
            operation,
            "no distribution tenant in the reply",
        )
    })?;
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

fn tags_of(spec: &TenantSpec) -> Result<Tags> {
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
    Ok(tags.build())
}

impl CloudFrontCdn {
    /// CreateDistributionTenant with one certificate of the caller's and
    /// the spec's domains; the tenant quota's refusal is `QuotaExceeded`.
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
        let mut call = self
            .client
            .create_distribution_tenant()
            .distribution_id(&spec.distribution_id)
            .name(&spec.name)
            .enabled(true)
            .customizations(Customizations::builder().certificate(certificate).build())
            .tags(tags_of(spec)?);
        for domain in &spec.domains {
            call = call.domains(
                DomainItem::builder()
                    .domain(domain)
                    .build()
                    .map_err(build_error(OP))?,
            );
        }
        let out = call
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
                Some(e) if e.is_invalid_argument() || e.is_invalid_association() => {
                    Error::invalid_input("tenant", e.to_string())
                }
                _ => service_error(Service::Cdn, OP, &spec.name, err),
            })?;
        tenant_of(OP, out.distribution_tenant(), out.e_tag())
    }

    /// GetDistributionTenant by name, id or ARN.
    pub(super) async fn get_tenant_call(&self, identifier: &str) -> Result<Versioned<Tenant>> {
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
        tenant_of(OP, out.distribution_tenant(), out.e_tag())
    }

    /// UpdateDistributionTenant with `Enabled: false`, under If-Match.
    pub(super) async fn disable_tenant_call(&self, id: &str, if_match: &str) -> Result<String> {
        const OP: &str = "UpdateDistributionTenant";
        let out = self
            .client
            .update_distribution_tenant()
            .id(id)
            .if_match(if_match)
            .enabled(false)
            .send()
            .await
            .map_err(|err| match err.as_service_error() {
                Some(e) if e.is_precondition_failed() || e.is_invalid_if_match_version() => {
                    Error::precondition(
                        ResourceKind::Tenant,
                        id,
                        format!("If-Match {if_match:?} refused"),
                    )
                }
                Some(e) if e.is_entity_not_found() => Error::not_found(ResourceKind::Tenant, id),
                _ => service_error(Service::Cdn, OP, id, err),
            })?;
        Ok(out.e_tag().unwrap_or_default().to_string())
    }

    /// DeleteDistributionTenant under If-Match; an enabled tenant is
    /// `InvalidState` (ResourceNotDisabled).
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
                    Error::precondition(
                        ResourceKind::Tenant,
                        id,
                        format!("If-Match {if_match:?} refused"),
                    )
                }
                Some(e) if e.is_entity_not_found() => Error::not_found(ResourceKind::Tenant, id),
                Some(e) if e.is_resource_not_disabled() => Error::invalid_state(
                    ResourceKind::Tenant,
                    id,
                    "enabled",
                    "a distribution tenant must be disabled before it is deleted",
                ),
                _ => service_error(Service::Cdn, OP, id, err),
            })?;
        Ok(())
    }
}
