use async_trait::async_trait;

use crate::error::Result;

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
