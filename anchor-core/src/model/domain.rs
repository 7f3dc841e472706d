use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{DomainName, ProjectName};

/// The certificate's side of a domain, tracked apart from the CDN's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateStatus {
    /// The domain is claimed; the certificate request has not completed.
    Requesting,
    /// Waiting for the DNS validation records.
    PendingValidation,
    /// Issued; the domain can be attached to the CDN.
    Issued,
    /// Validation failed or timed out; see `failure_reason`.
    Failed,
}

/// The CDN's side of a domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CdnStatus {
    /// Not attached to the distribution yet.
    Pending,
    /// Attached: the distribution answers for this name with its certificate.
    Active,
    /// Cannot be attached; see `failure_reason`.
    Failed,
}

macro_rules! display_as_serde_name {
    ($t:ty { $($variant:ident => $name:literal),* $(,)? }) => {
        impl $t {
            /// The lowercase name used in records and messages.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $name),* }
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

display_as_serde_name!(CertificateStatus {
    Requesting => "requesting",
    PendingValidation => "pending_validation",
    Issued => "issued",
    Failed => "failed",
});
display_as_serde_name!(CdnStatus { Pending => "pending", Active => "active", Failed => "failed" });

/// A DNS record the user must create at their DNS provider.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DnsRecord {
    /// The record's name (fully qualified, with a trailing dot as ACM gives it).
    pub name: String,
    /// The record type: `CNAME` for validation and for subdomains,
    /// `ALIAS` for an apex's routing record.
    pub record_type: String,
    /// The record's value.
    pub value: String,
}

impl DnsRecord {
    /// An `ALIAS` record: an apex's route to `value`, which the DNS
    /// provider answers as A/AAAA records of the target.
    pub fn alias(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            record_type: "ALIAS".into(),
            value: value.into(),
        }
    }

    /// A `CNAME` record.
    pub fn cname(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            record_type: "CNAME".into(),
            value: value.into(),
        }
    }
}

/// A custom domain of a project, with its certificate and CDN state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Domain {
    /// The normalised name; unique across all projects.
    pub name: DomainName,
    /// The project that holds it.
    pub project: ProjectName,
    /// The certificate's id (its ARN on AWS), once requested.
    pub certificate_id: Option<String>,
    /// The certificate's status.
    pub certificate_status: CertificateStatus,
    /// The names the certificate covers: this domain alone for a project
    /// in tenant mode; in alias mode this domain first, then the project's
    /// other domains, so the newest certificate covers them all.
    pub certificate_names: Vec<String>,
    /// The CNAME records that prove control of the names to the CA.
    pub validation_records: Vec<DnsRecord>,
    /// The record that routes the domain to the distribution: a `CNAME`,
    /// or for an apex (`example.com`), where DNS allows no CNAME, an
    /// `ALIAS` record: an A/AAAA alias (Route 53), a flattened CNAME
    /// (Cloudflare) or an ALIAS/ANAME, whichever the DNS provider offers
    /// (`docs/domains-at-scale.md`, "Apex domains").
    pub routing_record: DnsRecord,
    /// The distribution tenant that serves the domain, once it is attached
    /// in tenant mode; `None` in alias mode.
    #[serde(default)]
    pub tenant_id: Option<String>,
    /// The CDN status, separate from the certificate's.
    pub cdn_status: CdnStatus,
    /// Why the certificate or the CDN attachment failed.
    pub failure_reason: Option<String>,
    /// Set when removal has started, so an interrupted removal resumes.
    pub removing: bool,
    /// When the domain was added.
    pub created_at: DateTime<Utc>,
    /// When the record last changed.
    pub updated_at: DateTime<Utc>,
    /// When the CDN first served it.
    pub activated_at: Option<DateTime<Utc>>,
    /// Bumped by every write; conditional writes compare it.
    pub revision: u64,
}
