//! The local CDN's distribution tenants, with CloudFront's rules: a tenant
//! lives on a multi-tenant (`tenant_only`) distribution, its domains are
//! unique across every tenant and alias, its certificate is issued and
//! covers each domain, the account holds at most `tenants_per_account`,
//! and a tenant is deleted only once disabled, under its current ETag.

use std::collections::BTreeMap;

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::certificates;
use super::cloud::{new_etag, Inner, LocalResult};
use crate::error::{Error, ResourceKind};
use crate::model::{CertificateStatus, DomainLimits};
use crate::traits::{Tenant, TenantSpec, Versioned};

/// Reads a tenant by id or by name.
pub(super) fn read(conn: &Connection, identifier: &str) -> LocalResult<Versioned<Tenant>> {
    let row = conn
        .query_row(
            "SELECT id, name, distribution_id, domains, certificate_id, enabled, tags, etag
             FROM tenants WHERE id = ?1 OR name = ?1",
            [identifier],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, bool>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, String>(7)?,
                ))
            },
        )
        .optional()?;
    let (id, name, distribution_id, domains, certificate_id, enabled, tags, etag) =
        row.ok_or_else(|| Error::not_found(ResourceKind::Tenant, identifier))?;
    Ok(Versioned {
        value: Tenant {
            id,
            name,
            distribution_id,
            domains: serde_json::from_str(&domains)?,
            certificate_id,
            enabled,
            tags: serde_json::from_str::<BTreeMap<String, String>>(&tags)?,
        },
        etag,
    })
}

/// CreateDistributionTenant.
pub(super) fn create(
    inner: &Inner,
    tx: &Transaction<'_>,
    spec: &TenantSpec,
) -> LocalResult<Versioned<Tenant>> {
    let exists: Option<String> = tx
        .query_row(
            "SELECT id FROM tenants WHERE name = ?1",
            [&spec.name],
            |r| r.get(0),
        )
        .optional()?;
    if exists.is_some() {
        return Err(Error::AlreadyExists {
            kind: ResourceKind::Tenant,
            id: spec.name.clone(),
        }
        .into());
    }
    check_distribution(tx, &spec.distribution_id)?;
    check_quota(tx, &inner.options.domain_limits)?;
    for domain in &spec.domains {
        check_domain_free(tx, domain)?;
    }
    check_certificate(inner, tx, spec)?;
    let id = format!("dt_{}", ulid::Ulid::new());
    let etag = new_etag();
    tx.execute(
        "INSERT INTO tenants (id, name, distribution_id, domains, certificate_id, enabled, tags, etag)
         VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7)",
        params![
            id,
            spec.name,
            spec.distribution_id,
            serde_json::to_string(&spec.domains)?,
            spec.certificate_id,
            serde_json::to_string(&spec.tags)?,
            etag
        ],
    )?;
    for domain in &spec.domains {
        tx.execute(
            "INSERT INTO tenant_domains (domain, tenant_id) VALUES (?1, ?2)",
            params![domain, id],
        )?;
    }
    read(tx, &id)
}

/// UpdateDistributionTenant with `Enabled: false`.
pub(super) fn disable(tx: &Transaction<'_>, id: &str, if_match: &str) -> LocalResult<String> {
    let current = read(tx, id)?;
    check_etag(&current, if_match)?;
    let etag = new_etag();
    tx.execute(
        "UPDATE tenants SET enabled = 0, etag = ?2 WHERE id = ?1",
        params![current.value.id, etag],
    )?;
    Ok(etag)
}

/// DeleteDistributionTenant: only a disabled tenant, under its ETag.
pub(super) fn delete(tx: &Transaction<'_>, id: &str, if_match: &str) -> LocalResult<()> {
    let current = read(tx, id)?;
    check_etag(&current, if_match)?;
    if current.value.enabled {
        return Err(Error::invalid_state(
            ResourceKind::Tenant,
            id,
            "enabled",
            "a distribution tenant must be disabled before it is deleted",
        )
        .into());
    }
    tx.execute(
        "DELETE FROM tenant_domains WHERE tenant_id = ?1",
        [&current.value.id],
    )?;
    tx.execute("DELETE FROM tenants WHERE id = ?1", [&current.value.id])?;
    Ok(())
}

/// The tenant answering for `domain`, if any (CNAMEAlreadyExists for an alias).
pub(super) fn domain_user(conn: &Connection, domain: &str) -> LocalResult<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT tenant_id FROM tenant_domains WHERE domain = ?1",
            [domain],
            |r| r.get(0),
        )
        .optional()?)
}

fn check_etag(current: &Versioned<Tenant>, if_match: &str) -> LocalResult<()> {
    if current.etag == if_match {
        return Ok(());
    }
    Err(Error::precondition(
        ResourceKind::Tenant,
        &current.value.id,
        format!(
            "If-Match {if_match:?} is not the current ETag {:?}",
            current.etag
        ),
    )
    .into())
}

fn check_distribution(conn: &Connection, distribution: &str) -> LocalResult<()> {
    let tenant_only: Option<bool> = conn
        .query_row(
            "SELECT tenant_only FROM distributions WHERE id = ?1",
            [distribution],
            |r| r.get(0),
        )
        .optional()?;
    match tenant_only {
        Some(true) => Ok(()),
        Some(false) => Err(Error::invalid_input(
            "tenant.distribution_id",
            format!("distribution {distribution} is not a multi-tenant distribution"),
        )
        .into()),
        None => Err(Error::not_found(ResourceKind::Distribution, distribution).into()),
    }
}

fn check_quota(conn: &Connection, limits: &DomainLimits) -> LocalResult<()> {
    let held: u64 = conn.query_row("SELECT COUNT(*) FROM tenants", [], |r| r.get(0))?;
    let ceiling = limits.tenant_ceiling();
    if held >= u64::from(ceiling.limit) {
        return Err(ceiling
            .exceeded(format!("the account holds {held} distribution tenants"))
            .into());
    }
    Ok(())
}

fn check_domain_free(conn: &Connection, domain: &str) -> LocalResult<()> {
    if let Some(tenant) = domain_user(conn, domain)? {
        return Err(Error::conflict(
            ResourceKind::Tenant,
            domain,
            format!("CNAMEAlreadyExists: {domain} is a domain of tenant {tenant}"),
        )
        .into());
    }
    let mut statement = conn.prepare_cached("SELECT id, aliases FROM distributions")?;
    let rows = statement.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    for row in rows {
        let (distribution, aliases) = row?;
        let aliases: Vec<String> = serde_json::from_str(&aliases)?;
        if aliases.iter().any(|a| a == domain) {
            return Err(Error::conflict(
                ResourceKind::Tenant,
                domain,
                format!("CNAMEAlreadyExists: {domain} is an alias of distribution {distribution}"),
            )
            .into());
        }
    }
    Ok(())
}

fn check_certificate(inner: &Inner, conn: &Connection, spec: &TenantSpec) -> LocalResult<()> {
    let bad = |reason: String| Error::invalid_input("tenant.certificate_id", reason);
    let id = &spec.certificate_id;
    let cert = certificates::load(inner, conn, id)?
        .ok_or_else(|| bad(format!("certificate {id} does not exist")))?;
    if cert.status != CertificateStatus::Issued {
        return Err(bad(format!("certificate {id} is {}, not issued", cert.status)).into());
    }
    if let Some(domain) = spec.domains.iter().find(|d| !cert.names.contains(d)) {
        return Err(bad(format!("certificate {id} does not cover {domain}")).into());
    }
    Ok(())
}
