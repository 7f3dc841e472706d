use std::collections::BTreeMap;

use async_trait::async_trait;

use crate::error::{Error, Result};
use crate::model::{CertificateStatus, DnsRecord, DomainName};

/// ACM's largest number of names on one certificate.
pub const MAX_CERTIFICATE_NAMES: usize = 100;

/// The tag key Anchor puts on every certificate it requests. Anchor deletes
/// only certificates that carry it.
pub const MANAGED_BY_TAG: (&str, &str) = ("managed-by", "anchor");

/// The tag key whose value names the project a certificate was requested
/// for; a project-scoped IAM policy matches on it.
pub const PROJECT_TAG_KEY: &str = "anchor:project";

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

impl CertificateRequest {
    /// The primary name then the alternatives, normalised, without
    /// repeats; every implementation checks a request with this before any
    /// call. Fails with `InvalidInput` for a bad name or more than
    /// [`MAX_CERTIFICATE_NAMES`] names.
    pub fn names(&self) -> Result<Vec<String>> {
        let mut names: Vec<String> = Vec::new();
        for raw in std::iter::once(&self.domain).chain(&self.alternative_names) {
            let name = DomainName::parse(raw)?.as_str().to_string();
            if !names.contains(&name) {
                names.push(name);
            }
        }
        if names.len() > MAX_CERTIFICATE_NAMES {
            return Err(Error::invalid_input(
                "alternative_names",
                format!(
                    "a certificate covers at most {MAX_CERTIFICATE_NAMES} names, not {}",
                    names.len()
                ),
            ));
        }
        Ok(names)
    }

    /// ACM's rule for idempotency tokens, which every implementation
    /// applies: 1 to 32 characters of A-Z, a-z, 0-9 and `_`.
    pub fn check_token(&self) -> Result<()> {
        let token = &self.idempotency_token;
        let ok = (1..=32).contains(&token.len())
            && token.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if ok {
            return Ok(());
        }
        Err(Error::invalid_input(
            "idempotency_token",
            format!("{token:?} must be 1 to 32 characters of A-Z, a-z, 0-9 and '_'"),
        ))
    }
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
