//! [`Cdn`] on CloudFront: the managed part of a distribution (aliases and
//! viewer certificate) read and replaced under If-Match, and invalidations.

use async_trait::async_trait;
use aws_sdk_cloudfront::types::{
    Aliases, InvalidationBatch, MinimumProtocolVersion, Paths, SslSupportMethod, ViewerCertificate,
};
use aws_sdk_cloudfront::Client;

use super::build_error;
use crate::aws::errors::{error_code, service_error};
use crate::error::{Error, ResourceKind, Result, Service};
use crate::model::DomainName;
use crate::traits::{Cdn, DistributionConfig, Versioned};

/// CloudFront's limit on paths in one invalidation.
pub const MAX_INVALIDATION_PATHS: usize = 3000;
/// CloudFront's limit on paths with a `*` wildcard in one invalidation.
pub const MAX_INVALIDATION_WILDCARDS: usize = 15;

/// [`Cdn`] backed by CloudFront.
///
/// Guarantees, beyond the trait's: `update_config` compares `if_match` with
/// the ETag of GetDistributionConfig itself before it sends anything (so a
/// stale ETag is refused even by emulators that ignore If-Match), changes
/// only Aliases and ViewerCertificate, and always sends If-Match, so
/// CloudFront refuses the write if the distribution moved in between.
/// Aliases and invalidation paths are checked before any call, as
/// CloudFront would refuse them (`Error::InvalidInput`).
#[derive(Debug, Clone)]
pub struct CloudFrontCdn {
    pub(super) client: Client,
}

impl CloudFrontCdn {
    /// Wraps a CloudFront client (CloudFront is global; any region works).
    pub fn new(client: Client) -> Self {
        Self { client }
    }

    /// The wrapped client.
    pub fn client(&self) -> &Client {
        &self.client
    }
}

fn precondition(id: &str, reason: impl Into<String>) -> Error {
    Error::precondition(ResourceKind::Distribution, id, reason)
}

/// Aliases must be DNS names in normal form, each once; aliases need a
/// viewer certificate (CloudFront's InvalidViewerCertificate otherwise).
fn check_config(config: &DistributionConfig) -> Result<()> {
    for (i, alias) in config.aliases.iter().enumerate() {
        let normal =
            DomainName::parse(alias).map_err(|e| Error::invalid_input("aliases", e.to_string()))?;
        if normal.as_str() != alias {
            return Err(Error::invalid_input(
                "aliases",
                format!("{alias:?} must be written as {:?}", normal.as_str()),
            ));
        }
        if config.aliases[..i].contains(alias) {
            return Err(Error::invalid_input(
                "aliases",
                format!("{alias:?} is listed twice"),
            ));
        }
    }
    match (config.aliases.first(), &config.certificate_id) {
        (Some(alias), None) => Err(Error::invalid_input(
            "certificate_id",
            format!("alias {alias} needs a viewer certificate that covers it"),
        )),
        _ => Ok(()),
    }
}

fn check_paths(paths: &[String]) -> Result<()> {
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
    Ok(())
}

/// The managed part of a full CloudFront configuration.
fn managed_part(
    domain_name: &str,
    config: Option<&aws_sdk_cloudfront::types::DistributionConfig>,
) -> DistributionConfig {
    let aliases = config
        .and_then(|c| c.aliases())
        .map(|a| a.items().to_vec())
        .unwrap_or_default();
    let certificate_id = config
        .and_then(|c| c.viewer_certificate())
        .filter(|v| v.cloud_front_default_certificate() != Some(true))
        .and_then(|v| v.acm_certificate_arn())
        .filter(|arn| !arn.is_empty())
        .map(str::to_string);
    DistributionConfig {
        domain_name: domain_name.to_string(),
        aliases,
        certificate_id,
    }
}

/// The viewer certificate for `certificate_id`: an ACM certificate served by
/// SNI with TLS 1.2 at least, or CloudFront's own `*.cloudfront.net` one.
fn viewer_certificate(certificate_id: Option<&String>) -> ViewerCertificate {
    match certificate_id {
        Some(arn) => ViewerCertificate::builder()
            .acm_certificate_arn(arn)
            .ssl_support_method(SslSupportMethod::SniOnly)
            .minimum_protocol_version(MinimumProtocolVersion::TlSv122021)
            .cloud_front_default_certificate(false)
            .build(),
        None => ViewerCertificate::builder()
            .cloud_front_default_certificate(true)
            .minimum_protocol_version(MinimumProtocolVersion::TlSv1)
            .build(),
    }
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
        let current = out.e_tag().unwrap_or_default();
        if current != if_match {
            return Err(precondition(
                distribution_id,
                format!("If-Match {if_match:?} is not the current ETag {current:?}"),
            ));
        }
        let mut full = out.distribution_config.ok_or_else(|| {
            Error::service(
                "aws",
                Service::Cdn,
                "GetDistributionConfig",
                "no configuration in the reply",
            )
        })?;
        full.aliases = Some(
            Aliases::builder()
                .quantity(config.aliases.len() as i32)
                .set_items(Some(config.aliases.clone()))
                .build()
                .map_err(build_error("UpdateDistribution"))?,
        );
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
        check_paths(paths)?;
        if caller_reference.is_empty() {
            return Err(Error::invalid_input(
                "caller_reference",
                "must not be empty",
            ));
        }
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
}
