use std::collections::BTreeMap;

use async_trait::async_trait;

use crate::error::Result;
use crate::model::{CertificateStatus, DnsRecord};

/// The tag key Anchor puts on every certificate it requests. Anchor deletes
/// only certificates that carry it.
pub const MANAGED_BY_TAG: (&str, &str) = ("managed-by", "anchor");

/// A DNS-validated certificate request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CertificateRequest {
    /// The primary name.
    pub domain: String,
    /// Further names the certificate covers.
    pub alternative_names: Vec<String>,
    /// Repeating a request with the same token returns the same certificate.
    pub idempotency_token: String,
    /// Tags to put on the certificate.
    pub tags: BTreeMap<String, String>,
}

/// What the certificate authority reports of a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateDescription {
    /// Its id (ARN on AWS).
    pub id: String,
    /// The primary name.
    pub domain: String,
    /// Every name it covers, the primary first.
    pub names: Vec<String>,
    /// `PendingValidation`, `Issued` or `Failed`.
    pub status: CertificateStatus,
    /// The validation CNAMEs, once the CA has produced them.
    pub validation_records: Vec<DnsRecord>,
    /// Why it failed, if it did.
    pub failure_reason: Option<String>,
    /// Its tags.
    pub tags: BTreeMap<String, String>,
}

impl CertificateDescription {
    /// Whether the certificate carries Anchor's managed-by tag.
    pub fn is_managed_by_anchor(&self) -> bool {
        self.tags.get(MANAGED_BY_TAG.0).map(String::as_str) == Some(MANAGED_BY_TAG.1)
    }

    /// Whether the certificate covers `name` (exactly; wildcards are not issued).
    pub fn covers(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }
}

/// The certificate authority (ACM in us-east-1, or a local CA).
///
/// Implementations guarantee that a request with a repeated idempotency token
/// returns the first certificate, and that a certificate in use by a CDN
/// distribution cannot be deleted (`Error::InvalidState`).
#[async_trait]
pub trait Certificates: Send + Sync + std::fmt::Debug {
    /// Requests a DNS-validated certificate and returns its id.
    async fn request(&self, request: &CertificateRequest) -> Result<String>;

    /// Describes a certificate; `Error::NotFound` if there is none.
    async fn describe(&self, id: &str) -> Result<CertificateDescription>;

    /// Deletes a certificate.
    async fn delete(&self, id: &str) -> Result<()>;
}
