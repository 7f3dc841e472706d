//! A custom domain record.

use anchor_core::model;
use napi_derive::napi;

use super::{number, timestamp};

/// A DNS record the user adds at their DNS provider.
#[napi(object, object_from_js = false)]
pub struct DnsRecord {
    /// The record's name.
    pub name: String,
    /// The record type: `CNAME` for validation and for subdomains, `ALIAS`
    /// for an apex's routing record (an A/AAAA alias, a flattened CNAME or
    /// an ALIAS/ANAME, whichever the DNS provider offers).
    pub record_type: String,
    /// The record's value.
    pub value: String,
}

impl From<&model::DnsRecord> for DnsRecord {
    fn from(r: &model::DnsRecord) -> Self {
        Self {
            name: r.name.clone(),
            record_type: r.record_type.clone(),
            value: r.value.clone(),
        }
    }
}

/// A custom domain of a project, with its certificate and CDN state
/// tracked separately.
#[napi(object, object_from_js = false)]
pub struct Domain {
    /// The normalised domain name.
    pub name: String,
    /// The project that holds it.
    pub project: String,
    /// The certificate's id (the ACM ARN on AWS), once requested.
    pub certificate_id: Option<String>,
    /// `requesting`, `pending_validation`, `issued` or `failed`.
    #[napi(ts_type = "'requesting' | 'pending_validation' | 'issued' | 'failed'")]
    pub certificate_status: String,
    /// The names the certificate covers.
    pub certificate_names: Vec<String>,
    /// The CNAME records that prove control of the name to the CA.
    pub validation_records: Vec<DnsRecord>,
    /// The record that points the name at the CDN: a `CNAME`, or `ALIAS`
    /// for an apex such as `example.com`.
    pub routing_record: DnsRecord,
    /// The distribution tenant that serves the domain, once it is attached
    /// in tenant mode; absent in alias mode.
    pub tenant_id: Option<String>,
    /// `pending`, `active` or `failed`.
    #[napi(ts_type = "'pending' | 'active' | 'failed'")]
    pub cdn_status: String,
    /// Why the certificate or the CDN attachment failed, if one did.
    pub failure_reason: Option<String>,
    /// Whether a removal started and has not finished.
    pub removing: bool,
    /// When the domain was added (RFC 3339, UTC).
    pub created_at: String,
    /// When its record last changed.
    pub updated_at: String,
    /// When the CDN started serving it.
    pub activated_at: Option<String>,
    /// The record's revision, bumped on every write.
    pub revision: f64,
}

impl From<&model::Domain> for Domain {
    fn from(d: &model::Domain) -> Self {
        Self {
            name: d.name.to_string(),
            project: d.project.to_string(),
            certificate_id: d.certificate_id.clone(),
            certificate_status: d.certificate_status.to_string(),
            certificate_names: d.certificate_names.clone(),
            validation_records: d.validation_records.iter().map(Into::into).collect(),
            routing_record: (&d.routing_record).into(),
            tenant_id: d.tenant_id.clone(),
            cdn_status: d.cdn_status.to_string(),
            failure_reason: d.failure_reason.clone(),
            removing: d.removing,
            created_at: timestamp(&d.created_at),
            updated_at: timestamp(&d.updated_at),
            activated_at: d.activated_at.as_ref().map(timestamp),
            revision: number(d.revision),
        }
    }
}
