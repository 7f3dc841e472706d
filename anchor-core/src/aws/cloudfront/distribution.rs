//! The project's distribution: adopted if it exists, created once if not.

use aws_sdk_cloudfront::types::{ConnectionMode, DistributionList};

use super::behaviors::distribution_config;
use super::spec::DistributionSpec;
use super::CloudFrontCdn;
use crate::aws::errors::service_error;
use crate::error::{Error, Result, Service};
use crate::model::DomainMode;

impl CloudFrontCdn {
    /// Returns the id, domain name and ARN of the project's distribution:
    /// the one whose comment is `anchor:<project>`, left exactly as it is,
    /// or else a new one built from `spec` with caller reference
    /// `anchor-<project>`. Idempotent: a second call creates nothing, and a
    /// create lost to a concurrent one adopts the winner.
    ///
    /// A multi-tenant distribution is looked for in ListDistributions
    /// first; should CloudFront list those only by connection mode, the
    /// create of a second one is refused (DistributionAlreadyExists, for
    /// the caller reference), and ListDistributionsByConnectionMode
    /// `tenant-only` finds the first.
    pub async fn ensure_distribution(
        &self,
        spec: &DistributionSpec,
    ) -> Result<(String, String, String)> {
        let (server, image) = spec.check()?;
        let comment = spec.comment();
        if let Some(found) = self.find_distribution(&comment).await? {
            return Ok(found);
        }
        let config = distribution_config(spec, &comment, &spec.caller_reference(), server, image)?;
        let created = self
            .client
            .create_distribution()
            .distribution_config(config)
            .send()
            .await;
        let out = match created {
            Ok(out) => out,
            Err(err) => {
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_distribution_already_exists())
                {
                    if let Some(found) = self.find_distribution(&comment).await? {
                        return Ok(found);
                    }
                    if spec.domains == DomainMode::Tenants {
                        if let Some(found) = self.find_tenant_only_distribution(&comment).await? {
                            return Ok(found);
                        }
                    }
                }
                return Err(service_error(
                    Service::Cdn,
                    "CreateDistribution",
                    &comment,
                    err,
                ));
            }
        };
        let d = out.distribution().ok_or_else(|| {
            Error::service(
                "aws",
                Service::Cdn,
                "CreateDistribution",
                "no distribution in the reply",
            )
        })?;
        Ok((
            d.id().to_string(),
            d.domain_name().to_string(),
            d.arn().to_string(),
        ))
    }

    /// The id, domain name and ARN of the multi-tenant distribution with
    /// `comment` (ListDistributionsByConnectionMode `tenant-only`).
    async fn find_tenant_only_distribution(
        &self,
        comment: &str,
    ) -> Result<Option<(String, String, String)>> {
        const OP: &str = "ListDistributionsByConnectionMode";
        let mut marker: Option<String> = None;
        loop {
            let out = self
                .client
                .list_distributions_by_connection_mode()
                .connection_mode(ConnectionMode::TenantOnly)
                .set_marker(marker.take())
                .send()
                .await
                .map_err(|e| service_error(Service::Cdn, OP, comment, e))?;
            let Some(list) = out.distribution_list() else {
                return Ok(None);
            };
            if let Some(found) = summary_with(list, comment) {
                return Ok(Some(found));
            }
            match list.next_marker().filter(|m| !m.is_empty()) {
                Some(next) if list.is_truncated() => marker = Some(next.to_string()),
                _ => return Ok(None),
            }
        }
    }

    /// The id, domain name and ARN of the distribution with `comment`.
    async fn find_distribution(&self, comment: &str) -> Result<Option<(String, String, String)>> {
        let mut marker: Option<String> = None;
        loop {
            let out = self
                .client
                .list_distributions()
                .set_marker(marker.take())
                .send()
                .await
                .map_err(|e| service_error(Service::Cdn, "ListDistributions", comment, e))?;
            let Some(list) = out.distribution_list() else {
                return Ok(None);
            };
            if let Some(found) = summary_with(list, comment) {
                return Ok(Some(found));
            }
            match list.next_marker().filter(|m| !m.is_empty()) {
                Some(next) if list.is_truncated() => marker = Some(next.to_string()),
                _ => return Ok(None),
            }
        }
    }
}

/// The id, domain name and ARN of the distribution with `comment` on a page.
fn summary_with(list: &DistributionList, comment: &str) -> Option<(String, String, String)> {
    list.items()
        .iter()
        .find(|d| d.comment() == comment)
        .map(|d| {
            (
                d.id().to_string(),
                d.domain_name().to_string(),
                d.arn().to_string(),
            )
        })
}
