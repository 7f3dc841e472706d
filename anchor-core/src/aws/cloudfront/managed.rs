//! The part of a CloudFront configuration Anchor manages (aliases and the
//! viewer certificate), read from and written into the full configuration.

use aws_sdk_cloudfront::types::{
    Aliases, ConnectionMode, MinimumProtocolVersion, SslSupportMethod, ViewerCertificate,
};

use super::build_error;
use crate::error::Result;
use crate::traits::DistributionConfig;

/// The managed part of a full CloudFront configuration.
pub(super) fn managed_part(
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
    let tenant_only = config
        .and_then(|c| c.connection_mode())
        .is_some_and(|m| *m == ConnectionMode::TenantOnly);
    DistributionConfig {
        domain_name: domain_name.to_string(),
        aliases,
        certificate_id,
        tenant_only,
    }
}

/// The viewer certificate for `certificate_id`: an ACM certificate served by
/// SNI with TLS 1.2 at least, or CloudFront's own `*.cloudfront.net` one.
pub(super) fn viewer_certificate(certificate_id: Option<&String>) -> ViewerCertificate {
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

/// The Aliases element for `names`; Items is left out when there are none.
pub(super) fn aliases(names: &[String]) -> Result<Aliases> {
    Aliases::builder()
        .quantity(names.len() as i32)
        .set_items((!names.is_empty()).then(|| names.to_vec()))
        .build()
        .map_err(build_error("UpdateDistribution"))
}
