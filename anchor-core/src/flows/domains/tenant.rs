//! A domain in tenant mode: one distribution tenant of the project's
//! multi-tenant distribution, with the domain's own certificate. Attaching
//! creates the tenant and detaching deletes it; neither reads or writes
//! any other domain's tenant or certificate, so each call costs the same
//! whatever the number of domains.

use std::collections::BTreeMap;

use super::FlowContext;
use crate::error::{Error, ResourceKind, Result};
use crate::model::{DomainName, Project};
use crate::traits::{TenantSpec, MANAGED_BY_TAG, PROJECT_TAG_KEY};

/// Creates the domain's tenant on the project's distribution with
/// `certificate`, or finds the one an earlier attempt created, and returns
/// its id. A tenant of that name serving another domain or distribution
/// is `Conflict`, and is left alone.
pub(super) async fn attach(
    svc: &FlowContext,
    project: &Project,
    domain: &DomainName,
    certificate: &str,
) -> Result<String> {
    let infra = &project.infrastructure;
    let spec = TenantSpec {
        name: domain.tenant_name(),
        distribution_id: infra.distribution_id.clone(),
        domains: vec![domain.to_string()],
        certificate_id: certificate.to_string(),
        tags: BTreeMap::from([
            (MANAGED_BY_TAG.0.to_string(), MANAGED_BY_TAG.1.to_string()),
            (PROJECT_TAG_KEY.to_string(), project.name.to_string()),
            ("anchor:domain".to_string(), domain.to_string()),
        ]),
    };
    let tenant = match svc.backend.cdn.create_tenant(&spec).await {
        Ok(created) => created.value,
        Err(Error::AlreadyExists { .. }) => svc.backend.cdn.get_tenant(&spec.name).await?.value,
        Err(e) => return Err(e),
    };
    if tenant.distribution_id != spec.distribution_id || tenant.domains != spec.domains {
        return Err(Error::conflict(
            ResourceKind::Tenant,
            &spec.name,
            format!(
                "tenant {} serves {:?} on distribution {}, not {domain} on {}",
                tenant.id, tenant.domains, tenant.distribution_id, spec.distribution_id
            ),
        ));
    }
    Ok(tenant.id)
}

/// Disables then deletes the domain's tenant, each under the ETag just
/// read, retrying on a stale one; nothing if there is none. Only this
/// domain's tenant is read or written.
pub(super) async fn detach(svc: &FlowContext, domain: &DomainName) -> Result<()> {
    let name = domain.tenant_name();
    let cdn = &svc.backend.cdn;
    let mut last = None;
    for _ in 0..=svc.settings.etag_retries {
        let current = match cdn.get_tenant(&name).await {
            Ok(t) => t,
            Err(Error::NotFound { .. }) => return Ok(()),
            Err(e) => return Err(e),
        };
        let etag = if current.value.enabled {
            match cdn.disable_tenant(&current.value.id, &current.etag).await {
                Ok(etag) => etag,
                Err(e @ Error::PreconditionFailed { .. }) => {
                    last = Some(e);
                    continue;
                }
                Err(e) => return Err(e),
            }
        } else {
            current.etag
        };
        match cdn.delete_tenant(&current.value.id, &etag).await {
            Ok(()) | Err(Error::NotFound { .. }) => return Ok(()),
            Err(e @ (Error::PreconditionFailed { .. } | Error::InvalidState { .. })) => {
                last = Some(e)
            }
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| {
        Error::conflict(ResourceKind::Tenant, &name, "the tenant kept changing")
    }))
}

/// Deletes the removed domain's certificate. If a tenant uses it again (a
/// refresh that started before the removal created the tenant after it
/// was deleted), deletes that tenant once more and retries, up to
/// `etag_retries` times.
pub(super) async fn delete_certificate(
    svc: &FlowContext,
    domain: &DomainName,
    certificate: &str,
) -> Result<()> {
    super::cleanup::delete_certificate_in_use(svc, certificate, || detach(svc, domain)).await
}

/// After a refresh created the tenant but could not record it (a removal
/// or another change won the record's conditional write): deletes the
/// tenant again unless the record now says the domain is active. Best
/// effort; a failure is logged and the next removal deletes it.
pub(super) async fn undo_attach(svc: &FlowContext, project: &Project, domain: &DomainName) {
    use crate::model::CdnStatus;
    match svc.backend.store.get_domain(domain).await {
        Ok(Some(d))
            if d.project == project.name && !d.removing && d.cdn_status == CdnStatus::Active => {}
        Ok(_) => {
            if let Err(e) = detach(svc, domain).await {
                tracing::warn!(domain = %domain, error = %e, "could not delete the tenant of a refresh that lost a race");
            }
        }
        Err(e) => {
            tracing::warn!(domain = %domain, error = %e, "could not re-read a domain whose refresh lost a race");
        }
    }
}
