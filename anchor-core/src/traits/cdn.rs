use async_trait::async_trait;

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
}
