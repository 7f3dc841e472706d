//! [`Cdn`] on CloudFront: the managed part of a distribution (aliases and
//! viewer certificate) read and replaced under If-Match, and invalidations.

use async_trait::async_trait;
use aws_sdk_cloudfront::types::{ConnectionMode, InvalidationBatch, Paths};
use aws_sdk_cloudfront::Client;

use super::build_error;
use super::checks::check_config;
use super::managed::{aliases, managed_part, viewer_certificate};
use crate::aws::errors::{error_code, service_error};
use crate::error::{Error, ResourceKind, Result, Service};
use crate::model::DomainLimits;
use crate::traits::{check_invalidation, Cdn, DistributionConfig, Tenant, TenantSpec, Versioned};

/// [`Cdn`] backed by CloudFront.
///
/// Guarantees, beyond the trait's: `update_config` compares `if_match` with
/// the ETag of GetDistributionConfig itself before it sends anything (so a
/// stale ETag is refused even by emulators that ignore If-Match), changes
/// only Aliases and ViewerCertificate, and always sends If-Match, so
/// CloudFront refuses the write if the distribution moved in between. A
/// multi-tenant distribution (`ConnectionMode` `tenant-only`) is sent
/// without Aliases, and asking it for any is `InvalidInput` on `aliases`.
/// Aliases and invalidation paths are checked before any call, as
/// CloudFront would refuse them (`Error::InvalidInput`).
#[derive(Debug, Clone)]
pub struct CloudFrontCdn {
    pub(super) client: Client,
    /// The quotas a refusal names in its `QuotaExceeded`.
    limits: DomainLimits,
}

impl CloudFrontCdn {
    /// Wraps a CloudFront client (CloudFront is global; any region works),
    /// naming AWS's default quotas in its errors.
    pub fn new(client: Client) -> Self {
        Self {
            client,
            limits: DomainLimits::default(),
        }
    }

    /// The same client, naming `limits` in its `QuotaExceeded` errors: the
    /// quotas the account was raised to.
    pub fn with_limits(self, limits: DomainLimits) -> Self {
        Self { limits, ..self }
    }

    /// The wrapped client.
    pub fn client(&self) -> &Client {
        &self.client
    }
}

impl CloudFrontCdn {
    /// The distribution's whole configuration and its ETag
    /// (`GetDistributionConfig`): what an update starts from and sends back
    /// as If-Match. A missing distribution is `NotFound`.
    pub(super) async fn full_config(
        &self,
        distribution_id: &str,
    ) -> Result<(aws_sdk_cloudfront::types::DistributionConfig, String)> {
        let out = self
            .client
            .get_distribution_config()
            .id(distribution_id)
            .send()
            .await
            .map_err(|err| match err.as_service_error() {
                Some(e) if e.is_no_such_distribution() => {
                    Error::not_found(ResourceKind::Distribution, distribution_id)
                }
                _ => service_error(Service::Cdn, "GetDistributionConfig", distribution_id, err),
            })?;
        let etag = out.e_tag().unwrap_or_default().to_string();
        let config = out.distribution_config.ok_or_else(|| {
            Error::service(
                "aws",
                Service::Cdn,
                "GetDistributionConfig",
                "no configuration in the reply",
            )
        })?;
        Ok((config, etag))
    }
}

fn precondition(id: &str, reason: impl Into<String>) -> Error {
    Error::precondition(ResourceKind::Distribution, id, reason)
}

#[async_trait]
impl Cdn for CloudFrontCdn {
    async fn get_config(&self, distribution_id: &str) -> Result<Versioned<DistributionConfig>> {
        let out = self
            .client
            .get_distribution()
            .id(distribution_id)
            .send()
            .await
            .map_err(|err| match err.as_service_error() {
                Some(e) if e.is_no_such_distribution() => {
                    Error::not_found(ResourceKind::Distribution, distribution_id)
                }
                _ => service_error(Service::Cdn, "GetDistribution", distribution_id, err),
            })?;
        let distribution = out.distribution().ok_or_else(|| {
            Error::service(
                "aws",
                Service::Cdn,
                "GetDistribution",
                "no distribution in the reply",
            )
        })?;
        Ok(Versioned {
            value: managed_part(
                distribution.domain_name(),
                distribution.distribution_config(),
            ),
            etag: out.e_tag().unwrap_or_default().to_string(),
        })
    }

    async fn update_config(
        &self,
        distribution_id: &str,
        config: &DistributionConfig,
        if_match: &str,
    ) -> Result<String> {
        check_config(config)?;
        let (mut full, current) = self.full_config(distribution_id).await?;
        if current != if_match {
            return Err(precondition(
                distribution_id,
                format!("If-Match {if_match:?} is not the current ETag {current:?}"),
            ));
        }
        // A multi-tenant distribution takes no Aliases element at all (its
        // domains are its tenants'), not even an empty one.
        if full.connection_mode() == Some(&ConnectionMode::TenantOnly) {
            if let Some(alias) = config.aliases.first() {
                return Err(Error::invalid_input(
                    "aliases",
                    format!(
                        "distribution {distribution_id} is multi-tenant: its domains belong to \
                         its tenants, and it takes no aliases ({alias})"
                    ),
                ));
            }
            full.aliases = None;
        } else {
            full.aliases = Some(aliases(&config.aliases)?);
        }
        full.viewer_certificate = Some(viewer_certificate(config.certificate_id.as_ref()));
        let out = self
            .client
            .update_distribution()
            .id(distribution_id)
            .if_match(if_match)
            .distribution_config(full)
            .send()
            .await
            .map_err(|err| match err.as_service_error() {
                Some(e) if e.is_precondition_failed() || e.is_invalid_if_match_version() => {
                    precondition(distribution_id, format!("If-Match {if_match:?} refused"))
                }
                Some(e) if e.is_no_such_distribution() => {
                    Error::not_found(ResourceKind::Distribution, distribution_id)
                }
                Some(e) if e.is_invalid_viewer_certificate() => {
                    Error::invalid_input("certificate_id", e.to_string())
                }
                Some(e) if e.is_cname_already_exists() => {
                    Error::conflict(ResourceKind::Distribution, distribution_id, e.to_string())
                }
                _ => service_error(Service::Cdn, "UpdateDistribution", distribution_id, err),
            })?;
        Ok(out.e_tag().unwrap_or_default().to_string())
    }

    async fn invalidate(
        &self,
        distribution_id: &str,
        paths: &[String],
        caller_reference: &str,
    ) -> Result<String> {
        check_invalidation(paths, caller_reference)?;
        let batch = InvalidationBatch::builder()
            .caller_reference(caller_reference)
            .paths(
                Paths::builder()
                    .quantity(paths.len() as i32)
                    .set_items(Some(paths.to_vec()))
                    .build()
                    .map_err(build_error("CreateInvalidation"))?,
            )
            .build()
            .map_err(build_error("CreateInvalidation"))?;
        let out = self
            .client
            .create_invalidation()
            .distribution_id(distribution_id)
            .invalidation_batch(batch)
            .send()
            .await
            .map_err(|err| {
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_no_such_distribution())
                {
                    return Error::not_found(ResourceKind::Distribution, distribution_id);
                }
                // Not modelled by the SDK, so only its code identifies it: the
                // reference was used before with other paths.
                if error_code(&err) == Some("InvalidationBatchAlreadyExists") {
                    return Error::AlreadyExists {
                        kind: ResourceKind::Distribution,
                        id: format!(
                            "{distribution_id} invalidation with caller reference {caller_reference}"
                        ),
                    };
                }
                service_error(Service::Cdn, "CreateInvalidation", distribution_id, err)
            })?;
        out.invalidation()
            .map(|i| i.id().to_string())
            .ok_or_else(|| {
                Error::service(
                    "aws",
                    Service::Cdn,
                    "CreateInvalidation",
                    "no invalidation in the reply",
                )
            })
    }

    async fn create_tenant(&self, spec: &TenantSpec) -> Result<Versioned<Tenant>> {
        self.create_tenant_call(spec, &self.limits).await
    }

    async fn get_tenant(&self, identifier: &str) -> Result<Versioned<Tenant>> {
        self.get_tenant_call(identifier).await
    }

    async fn disable_tenant(&self, id: &str, if_match: &str) -> Result<String> {
        self.disable_tenant_call(id, if_match).await
    }

    async fn delete_tenant(&self, id: &str, if_match: &str) -> Result<()> {
        self.delete_tenant_call(id, if_match).await
    }
}
