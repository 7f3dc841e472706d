//! Distribution tenants: one custom domain each, on a multi-tenant
//! distribution, with its own certificate (`docs/domains-at-scale.md`).

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::model::DomainName;

/// CloudFront's rule for a tenant's name: 3 to 128 characters of
/// `a-z 0-9 . -`, starting and ending with a letter or digit.
pub fn check_tenant_name(name: &str) -> Result<()> {
    let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-';
    let edge_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    let ok = (3..=128).contains(&name.len())
        && name.chars().all(ok_char)
        && edge_ok(name.chars().next())
        && edge_ok(name.chars().last());
    if ok {
        return Ok(());
    }
    Err(Error::invalid_input(
        "tenant.name",
        format!(
            "{name:?} must be 3 to 128 characters of a-z, 0-9, '.' and '-', \
             starting and ending with a letter or digit"
        ),
    ))
}

/// A tenant to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantSpec {
    /// Its name, unique in the account ([`check_tenant_name`]); Anchor
    /// derives it from the domain, so a retried create finds the first.
    pub name: String,
    /// The multi-tenant distribution it serves from.
    pub distribution_id: String,
    /// The names it answers for, in normal form.
    pub domains: Vec<String>,
    /// The viewer certificate, which must be issued and cover every domain.
    pub certificate_id: String,
    /// Tags to put on the tenant.
    pub tags: BTreeMap<String, String>,
}

impl TenantSpec {
    /// The checks every implementation makes before any call: the name's
    /// rule, at least one domain, and each domain a valid name in normal
    /// form. `InvalidInput` names `tenant.name` or `tenant.domains`.
    pub fn check(&self) -> Result<()> {
        check_tenant_name(&self.name)?;
        if self.domains.is_empty() {
            return Err(Error::invalid_input(
                "tenant.domains",
                "a tenant needs at least one domain",
            ));
        }
        for domain in &self.domains {
            let normal = DomainName::parse(domain)
                .map_err(|e| Error::invalid_input("tenant.domains", e.to_string()))?;
            if normal.as_str() != domain {
                return Err(Error::invalid_input(
                    "tenant.domains",
                    format!("{domain:?} must be written in normal form, {normal}"),
                ));
            }
        }
        Ok(())
    }
}

/// A tenant as the CDN reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    /// The id the CDN gave it.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The multi-tenant distribution it serves from.
    pub distribution_id: String,
    /// The names it answers for.
    pub domains: Vec<String>,
    /// Its viewer certificate.
    pub certificate_id: Option<String>,
    /// Whether it serves; a tenant is deleted only once disabled.
    pub enabled: bool,
    /// Its tags.
    pub tags: BTreeMap<String, String>,
}
