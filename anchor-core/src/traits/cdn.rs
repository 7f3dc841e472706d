use async_trait::async_trait;

use super::{Tenant, TenantSpec};
use crate::error::{Error, Result};

/// CloudFront's limit on paths in one invalidation.
pub const MAX_INVALIDATION_PATHS: usize = 3000;
/// CloudFront's limit on paths with a `*` wildcard in one invalidation.
pub const MAX_INVALIDATION_WILDCARDS: usize = 15;

/// The input rules of [`Cdn::invalidate`], which every implementation
/// applies before any call: 1 to 3,000 paths, at most 15 with a `*`, each
/// starting with `/`, and a non-empty caller reference. Fails with
/// `InvalidInput` naming `paths` or `caller_reference`.
pub fn check_invalidation(paths: &[String], caller_reference: &str) -> Result<()> {
    let bad = |reason: String| Error::invalid_input("paths", reason);
    if paths.is_empty() || paths.len() > MAX_INVALIDATION_PATHS {
        return Err(bad(format!(
            "an invalidation needs 1 to {MAX_INVALIDATION_PATHS} paths, not {}",
            paths.len()
        )));
    }
    let wildcards = paths.iter().filter(|p| p.contains('*')).count();
    if wildcards > MAX_INVALIDATION_WILDCARDS {
        return Err(bad(format!(
            "at most {MAX_INVALIDATION_WILDCARDS} paths may have a '*', not {wildcards}"
        )));
    }
    if let Some(path) = paths.iter().find(|p| !p.starts_with('/')) {
        return Err(bad(format!("{path:?} must start with '/'")));
    }
    if caller_reference.is_empty() {
        return Err(Error::invalid_input(
            "caller_reference",
            "must not be empty",
        ));
    }
    Ok(())
}

/// The part of a distribution's configuration that Anchor manages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DistributionConfig {
    /// The distribution's own host name, such as `d111.cloudfront.net`.
    pub domain_name: String,
    /// Alternate domain names (CNAMEs) it answers for.
    pub aliases: Vec<String>,
    /// The viewer certificate; it must cover every alias.
    pub certificate_id: Option<String>,
    /// A multi-tenant distribution (CloudFront's `ConnectionMode`
    /// `tenant-only`): it takes no aliases, and its domains are its
    /// tenants'. Read-only: set when the distribution is created.
    pub tenant_only: bool,
}

/// A value read together with its ETag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versioned<T> {
    /// The value.
    pub value: T,
    /// Its ETag, to send as If-Match.
    pub etag: String,
}

/// The CDN (CloudFront, or a local configuration).
///
/// Implementations guarantee that `update_config` applies only if `if_match`
/// is the current ETag (else `Error::PreconditionFailed`) and returns the new
/// ETag, and that an invalidation id is returned only once it is accepted.
/// Tenants follow CloudFront's rules: a tenant's domains are unique across
/// every tenant and distribution alias (`Error::Conflict`), its
/// certificate must be issued and cover each of them (`InvalidInput` on
/// `tenant.certificate_id`), it lives only on a `tenant_only`
/// distribution (`InvalidInput` on `tenant.distribution_id`), the account
/// holds a limited number (`Error::QuotaExceeded`), and only a disabled
/// tenant is deleted (`Error::InvalidState`), under its current ETag.
#[async_trait]
pub trait Cdn: Send + Sync + std::fmt::Debug {
    /// Reads the configuration and its ETag.
    async fn get_config(&self, distribution_id: &str) -> Result<Versioned<DistributionConfig>>;

    /// Replaces the managed configuration if `if_match` is current.
    async fn update_config(
        &self,
        distribution_id: &str,
        config: &DistributionConfig,
        if_match: &str,
    ) -> Result<String>;

    /// Invalidates `paths` (at most 3,000, of which at most 15 wildcards).
    /// Retrying with the same `caller_reference` returns the same id.
    async fn invalidate(
        &self,
        distribution_id: &str,
        paths: &[String],
        caller_reference: &str,
    ) -> Result<String>;

    /// Creates a tenant and returns it with its ETag. A tenant of the same
    /// name fails with `Error::AlreadyExists` (read it with
    /// [`Cdn::get_tenant`]).
    async fn create_tenant(&self, spec: &TenantSpec) -> Result<Versioned<Tenant>>;

    /// Reads a tenant by its name or id; `Error::NotFound` if there is none.
    async fn get_tenant(&self, identifier: &str) -> Result<Versioned<Tenant>>;

    /// Stops a tenant serving, if `if_match` is its current ETag, and
    /// returns the new ETag.
    async fn disable_tenant(&self, id: &str, if_match: &str) -> Result<String>;

    /// Deletes a disabled tenant, if `if_match` is its current ETag. Its
    /// certificate is then free to delete.
    async fn delete_tenant(&self, id: &str, if_match: &str) -> Result<()>;
}
