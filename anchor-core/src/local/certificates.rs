//! The local certificate authority with ACM's semantics: requests are
//! idempotent by token for an hour, certificates stay pending until
//! validated, and a certificate a distribution uses cannot be deleted.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use sha2::{Digest, Sha256};

use super::cloud::{Inner, LocalError, LocalResult};
use crate::error::{Error, ResourceKind, Result, Service};
use crate::model::{CertificateStatus, DnsRecord};
use crate::traits::{CertificateDescription, CertificateRequest, Certificates};

/// How long ACM remembers an idempotency token, in milliseconds.
const TOKEN_WINDOW_MS: i64 = 60 * 60 * 1000;

/// The local implementation of [`Certificates`].
///
/// Names are normalised with [`DomainName::parse`]. A certificate is
/// `PendingValidation` until [`LocalCertificates::validate`] is called or,
/// with `auto_issue_after` set on the cloud, until that long after its
/// request (checked whenever it is read). Each name gets one deterministic
/// validation CNAME.
#[derive(Debug, Clone)]
pub struct LocalCertificates {
    inner: Arc<Inner>,
}

impl LocalCertificates {
    pub(crate) fn new(inner: Arc<Inner>) -> Self {
        Self { inner }
    }

    /// Issues a pending certificate, as ACM does once the validation records
    /// resolve. Issuing an issued certificate changes nothing; a failed one
    /// cannot be issued (`Error::InvalidState`).
    pub async fn validate(&self, id: &str) -> Result<()> {
        self.transition(id, CertificateStatus::Issued, None).await
    }

    /// Fails a pending certificate with `reason`, as ACM does when validation
    /// times out. An issued certificate cannot fail (`Error::InvalidState`).
    pub async fn fail(&self, id: &str, reason: &str) -> Result<()> {
        self.transition(id, CertificateStatus::Failed, Some(reason.to_string()))
            .await
    }

    async fn transition(
        &self,
        id: &str,
        to: CertificateStatus,
        reason: Option<String>,
    ) -> Result<()> {
        let id = id.to_string();
        self.inner
            .run(Service::Certificates, "SetStatus", move |inner| {
                let mut conn = inner.db();
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let row = load(inner, &tx, &id)?
                    .ok_or_else(|| Error::not_found(ResourceKind::Certificate, &id))?;
                if row.status == to {
                    return Ok(());
                }
                if row.status != CertificateStatus::PendingValidation {
                    return Err(Error::invalid_state(
                        ResourceKind::Certificate,
                        &id,
                        row.status.as_str(),
                        format!("only a pending certificate can become {to}"),
                    )
                    .into());
                }
                tx.execute(
                    "UPDATE certificates SET status = ?2, failure_reason = ?3 WHERE id = ?1",
                    params![id, to.as_str(), reason],
                )?;
                tx.commit()?;
                Ok(())
            })
            .await
    }
}

/// A certificate as stored, with auto-issuance applied.
pub(crate) struct CertificateRow {
    pub(crate) names: Vec<String>,
    pub(crate) status: CertificateStatus,
    failure_reason: Option<String>,
    tags: BTreeMap<String, String>,
}

fn parse_status(s: &str) -> LocalResult<CertificateStatus> {
    [
        CertificateStatus::PendingValidation,
        CertificateStatus::Issued,
        CertificateStatus::Failed,
    ]
    .into_iter()
    .find(|status| status.as_str() == s)
    .ok_or_else(|| LocalError::Corrupt(format!("unknown certificate status {s:?}")))
}

/// Reads a certificate, first issuing it if its auto-issue delay has passed,
/// so the CA and the CDN's viewer-certificate check see the same status.
pub(crate) fn load(
    inner: &Inner,
    conn: &Connection,
    id: &str,
) -> LocalResult<Option<CertificateRow>> {
    let raw = conn
        .query_row(
            "SELECT names, status, failure_reason, tags, requested_at FROM certificates WHERE id = ?1",
            [id],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            },
        )
        .optional()?;
    let Some((names, status, failure_reason, tags, requested_at)) = raw else {
        return Ok(None);
    };
    let mut status = parse_status(&status)?;
    if let Some(delay) = inner.options.auto_issue_after {
        let due = requested_at.saturating_add(delay.num_milliseconds());
        if status == CertificateStatus::PendingValidation && inner.now_millis() >= due {
            status = CertificateStatus::Issued;
            conn.execute(
                "UPDATE certificates SET status = ?2 WHERE id = ?1",
                params![id, status.as_str()],
            )?;
        }
    }
    Ok(Some(CertificateRow {
        names: serde_json::from_str(&names)?,
        status,
        failure_reason,
        tags: serde_json::from_str(&tags)?,
    }))
}

/// One CNAME per name, derived from the name alone so that re-requesting a
/// certificate for the same names asks for the same DNS records, as ACM does.
/// A wildcard is validated at the name it covers, as ACM does: the record
/// for `*.preview.example.com` is the one for `preview.example.com`.
fn validation_record(name: &str) -> DnsRecord {
    let name = name.strip_prefix("*.").unwrap_or(name);
    let hex: String = Sha256::digest(name.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    DnsRecord::cname(
        format!("_{}.{name}.", &hex[..32]),
        format!("_{}.acm-validations.anchor.local.", &hex[32..]),
    )
}

#[async_trait]
impl Certificates for LocalCertificates {
    async fn request(&self, request: &CertificateRequest) -> Result<String> {
        let names = request.names()?;
        request.check_token()?;
        let token = request.idempotency_token.clone();
        let names = serde_json::to_string(&names).map_err(|e| {
            Error::service(
                "local",
                Service::Certificates,
                "RequestCertificate",
                e.to_string(),
            )
        })?;
        let tags = serde_json::to_string(&request.tags).map_err(|e| {
            Error::service(
                "local",
                Service::Certificates,
                "RequestCertificate",
                e.to_string(),
            )
        })?;
        self.inner
            .run(Service::Certificates, "RequestCertificate", move |inner| {
                let now = inner.now_millis();
                let mut conn = inner.db();
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let earlier: Option<String> = tx
                    .query_row(
                        "SELECT id FROM certificates WHERE idempotency_token = ?1
                         AND names = ?2 AND requested_at > ?3 ORDER BY requested_at LIMIT 1",
                        params![token, names, now - TOKEN_WINDOW_MS],
                        |r| r.get(0),
                    )
                    .optional()?;
                if let Some(id) = earlier {
                    return Ok(id);
                }
                let id = format!("arn:anchor:local:certificate/{}", ulid::Ulid::new());
                tx.execute(
                    "INSERT INTO certificates (id, idempotency_token, names, status, tags, requested_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![id, token, names, CertificateStatus::PendingValidation.as_str(), tags, now],
                )?;
                tx.commit()?;
                Ok(id)
            })
            .await
    }

    async fn describe(&self, id: &str) -> Result<CertificateDescription> {
        let id = id.to_string();
        self.inner
            .run(Service::Certificates, "DescribeCertificate", move |inner| {
                let row = load(inner, &inner.db(), &id)?
                    .ok_or_else(|| Error::not_found(ResourceKind::Certificate, &id))?;
                Ok(CertificateDescription {
                    domain: row.names.first().cloned().unwrap_or_default(),
                    validation_records: row.names.iter().map(|n| validation_record(n)).collect(),
                    id,
                    names: row.names,
                    status: row.status,
                    failure_reason: row.failure_reason,
                    tags: row.tags,
                })
            })
            .await
    }

    async fn delete(&self, id: &str) -> Result<()> {
        let id = id.to_string();
        self.inner
            .run(Service::Certificates, "DeleteCertificate", move |inner| {
                let mut conn = inner.db();
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let distribution: Option<String> = tx
                    .query_row(
                        "SELECT id FROM distributions WHERE certificate_id = ?1 ORDER BY id LIMIT 1",
                        [&id],
                        |r| r.get(0),
                    )
                    .optional()?;
                let user = match distribution {
                    Some(d) => Some(format!("distribution {d}")),
                    None => tenant_using(&tx, &id)?.map(|t| format!("distribution tenant {t}")),
                };
                if tx.execute("DELETE FROM certificates WHERE id = ?1", [&id])? == 0 {
                    return Err(Error::not_found(ResourceKind::Certificate, &id).into());
                }
                if let Some(user) = user {
                    return Err(Error::invalid_state(
                        ResourceKind::Certificate,
                        &id,
                        "in_use",
                        format!("{user} uses it as its viewer certificate"),
                    )
                    .into());
                }
                tx.commit()?;
                Ok(())
            })
            .await
    }
}

/// The distribution tenant that uses `certificate` as its viewer
/// certificate, if any.
fn tenant_using(conn: &Connection, certificate: &str) -> LocalResult<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT id FROM tenants WHERE certificate_id = ?1 ORDER BY id LIMIT 1",
            [certificate],
            |r| r.get(0),
        )
        .optional()?)
}
