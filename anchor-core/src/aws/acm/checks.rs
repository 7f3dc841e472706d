//! ACM's rules checked before a request, and ACM's descriptions turned
//! into Anchor's: names primary first, statuses, validation records.

use aws_sdk_acm::types::{CertificateDetail, CertificateStatus as AcmStatus};

use crate::model::{CertificateStatus, DnsRecord};

/// Anchor's status and failure reason for ACM's status.
pub(super) fn status_of(detail: &CertificateDetail) -> (CertificateStatus, Option<String>) {
    let failed = |reason: String| (CertificateStatus::Failed, Some(reason));
    match detail.status() {
        Some(AcmStatus::Issued) => (CertificateStatus::Issued, None),
        Some(AcmStatus::PendingValidation) => (CertificateStatus::PendingValidation, None),
        Some(AcmStatus::Failed) => failed(
            detail
                .failure_reason()
                .map_or("FAILED".to_string(), |r| format!("FAILED: {r}")),
        ),
        // Timed out, revoked, expired or inactive: unusable for CloudFront.
        Some(other) => failed(other.as_str().to_string()),
        None => (CertificateStatus::Requesting, None),
    }
}

/// The primary name, then every other name in ACM's order.
pub(super) fn names_in(detail: &CertificateDetail) -> Vec<String> {
    let primary = detail.domain_name().unwrap_or_default().to_string();
    let mut names = vec![primary.clone()];
    for san in detail.subject_alternative_names() {
        if !names.contains(san) {
            names.push(san.clone());
        }
    }
    names.retain(|n| !n.is_empty());
    names
}

/// One CNAME per name in `names`' order, or none while any is missing.
pub(super) fn validation_records(detail: &CertificateDetail, names: &[String]) -> Vec<DnsRecord> {
    let records: Option<Vec<DnsRecord>> = names
        .iter()
        .map(|name| {
            detail
                .domain_validation_options()
                .iter()
                .find(|o| o.domain_name() == name)
                .and_then(|o| o.resource_record())
                .map(|r| DnsRecord::cname(r.name(), r.value()))
        })
        .collect();
    records.unwrap_or_default()
}
